#!/usr/bin/env bash
# test/bench/model_fit.sh: the distribution model against the published
# länstal of 2019, 2020 and 2022, for several sets of factors: the places off
# (sum over counties of |proposed - decided|) of population alone, of each
# set fitted on the same year (in sample) and fitted on earlier years and
# tested on a later one (out of sample).  Inputs are the data of two years
# before each year (population: the latest before it, 2019 at most; 2018
# reception in own housing for every year).  Prints a table for
# test/bench/README.md; asserts nothing.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
settle_setup

run() {
    cd "$SETTLE_TOP"
    local db=bench_model
    createdb "$db"
    psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION settle;
SET search_path = public, settle;
SET client_min_messages = warning;
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2019, 9000, 'SFS 2018:1592'), (2020, 7100, 'SFS 2019:599'), (2022, 7500, 'SFS 2021:870');
SELECT count(*) FROM unnest(ARRAY[2019, 2020, 2022]) y,
       (VALUES ('population', 'population', 'value'), ('employed', 'employment_rate', 'employed'),
               ('own_housing', 'reception_own_housing', 'value'), ('received', 'refugees_received', 'value'),
               ('asylum', 'asylum_seekers', 'value'), ('unemployed', 'unemployment', 'employed')) f(factor, series, transform),
       LATERAL model_input_from(y, f.factor, f.series,
                                CASE WHEN f.series = 'reception_own_housing' THEN 2018
                                     WHEN f.series = 'population' THEN least(y - 2, 2019) ELSE y - 2 END, f.transform);
CREATE TABLE sets (n integer, name text, factors text[], signs text[]);
INSERT INTO sets VALUES
  (1, 'population', '{population}', '{+}'),
  (2, 'population, EBO 2018 (-)', '{population,own_housing}', '{+,-}'),
  (3, 'population, employed, EBO 2018 (-)', '{population,employed,own_housing}', '{+,+,-}'),
  (4, '... and asylum seekers (-)', '{population,employed,own_housing,asylum}', '{+,+,-,-}'),
  (5, '... and refugees received (-)', '{population,employed,own_housing,received}', '{+,+,-,-}'),
  (6, 'population, employed, unemployed, EBO 2018 (-)', '{population,employed,unemployed,own_housing}', '{+,+,-,-}');
CREATE TABLE res (n integer, train text, test integer, places integer, weights text);
DO $$
DECLARE s record; y integer;
BEGIN
  FOR s IN SELECT * FROM sets ORDER BY n LOOP
    FOREACH y IN ARRAY ARRAY[2019, 2020, 2022] LOOP
      INSERT INTO res SELECT s.n, y::text, y, NULL,
             (SELECT string_agg(f.factor || ' ' || f.weight, ', ') FROM fit_model(ARRAY[y], s.factors, signs => s.signs, write_to => y) f WHERE f.kind = 'weight');
      UPDATE res SET places = (SELECT sum(abs(difference)) FROM backtest(y)) WHERE res.n = s.n AND train = y::text AND test = y;
    END LOOP;
    PERFORM fit_model(ARRAY[2019], s.factors, signs => s.signs, write_to => 2020);
    INSERT INTO res SELECT s.n, '2019', 2020, (SELECT sum(abs(difference)) FROM backtest(2020)), NULL;
    PERFORM fit_model(ARRAY[2019, 2020], s.factors, signs => s.signs, write_to => 2022);
    INSERT INTO res SELECT s.n, '2019+2020', 2022, (SELECT sum(abs(difference)) FROM backtest(2022)),
           (SELECT string_agg(mw.factor || ' ' || mw.weight, ', ' ORDER BY array_position(s.factors, mw.factor)) FROM model_weight mw WHERE mw.year = 2022 AND mw.factor = ANY (s.factors));
  END LOOP;
END $$;
SQL
    printf '| factors (sign) | 2019 in sample | 2020 in sample | 2022 in sample | fitted on 2019, tested on 2020 | fitted on 2019+2020, tested on 2022 | weights fitted on 2019+2020 |\n|---|---|---|---|---|---|---|\n'
    psql -X -q -At -d "$db" -c "
        SELECT '| ' || s.name || ' | ' ||
               (SELECT places FROM res r WHERE r.n = s.n AND r.train = '2019' AND r.test = 2019) || ' | ' ||
               (SELECT places FROM res r WHERE r.n = s.n AND r.train = '2020' AND r.test = 2020) || ' | ' ||
               (SELECT places FROM res r WHERE r.n = s.n AND r.train = '2022' AND r.test = 2022) || ' | ' ||
               (SELECT places FROM res r WHERE r.n = s.n AND r.train = '2019' AND r.test = 2020) || ' | ' ||
               (SELECT places FROM res r WHERE r.n = s.n AND r.train = '2019+2020' AND r.test = 2022) || ' | ' ||
               (SELECT weights FROM res r WHERE r.n = s.n AND r.train = '2019+2020') || ' |'
          FROM sets s ORDER BY s.n"
    dropdb "$db"
}
settle_in_cluster run
