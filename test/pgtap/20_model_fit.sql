-- The distribution model with evidence (0.3.0): factor series as reference
-- data, model input from a series, weights fitted to decided länstal (exact
-- recovery on a synthetic year, no perturbed weights better), a backtest
-- hand-checked on a three-county example, a county board's regional model,
-- bad input.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(41);
SET LOCAL settle.today = '2040-06-01';

-- ---- the shipped factor series (src/data/factors, src/data/SOURCES.md)
SELECT is((SELECT array_agg(series || ':' || n ORDER BY series) FROM (SELECT series, count(*) AS n FROM factor_value GROUP BY series) x),
          ARRAY['asylum_seekers:2016', 'asylum_seekers_per_1000:2016', 'employment_rate:2030', 'employment_rate_foreign_born:2030',
                'housing_market_balance:2017', 'refugees_received:2027', 'refugees_received_per_1000:2027', 'unemployment:2030'],
          'eight series, 290 municipalities x 2015-2021 each, missing cells left out');
SELECT is((SELECT value FROM factor_value WHERE series = 'employment_rate' AND municipality = '0180' AND year = 2015), 78.839909,
          'Stockholm''s employment rate 2015 as in the source');
SELECT is((SELECT count(DISTINCT series)::int FROM factor_values WHERE series = 'population' OR series LIKE 'reception_%'), 7,
          'factor_values adds population and the 2018 reception in six categories');
SELECT is((SELECT count(*)::int FROM factor_value WHERE edited), 0, 'shipped rows are not marked edited (pg_dump leaves them out)');

-- ---- model input from a series
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2041, 1000000, 'synthetic');
SELECT is((SELECT municipalities || ' ' || missing || ' ' || coalesce(population_year::text, '-') FROM model_input_from(2041, 'pop', 'population', 2019)),
          '290 0 -', 'population 2019 as it is: 290 municipalities');
SELECT is((SELECT weight FROM model_weight WHERE year = 2041 AND factor = 'pop'), 0::numeric, 'a new factor joins the model with weight 0');
SELECT is((SELECT municipalities || ' ' || missing || ' ' || population_year FROM model_input_from(2041, 'employed', 'employment_rate', 2021, 'employed')),
          '290 0 2019', 'employed persons: the 2021 rate times the latest population before it (2019)');
SELECT is((SELECT value FROM model_input WHERE year = 2041 AND factor = 'employed' AND municipality = '0180'),
          (SELECT v.value / 100 * p.population FROM factor_value v, population p
            WHERE v.series = 'employment_rate' AND v.year = 2021 AND v.municipality = '0180' AND p.municipality = '0180' AND p.year = 2019),
          '... for Stockholm, rate / 100 x population');
SELECT is((SELECT municipalities || ' ' || missing FROM model_input_from(2041, 'received', 'refugees_received', 2017)), '290 0', 'refugees received 2017');
SELECT is((SELECT municipalities || ' ' || missing FROM model_input_from(2041, 'asylum', 'asylum_seekers', 2018, 'log')), '289 1',
          'asylum seekers 2018, log: one municipality has no value');
SELECT is((SELECT value FROM model_input WHERE year = 2041 AND factor = 'asylum' AND municipality = '0180'),
          (SELECT ln(1 + value) FROM factor_value WHERE series = 'asylum_seekers' AND year = 2018 AND municipality = '0180'), '... ln(1 + value)');
SELECT count(*) FROM model_input_from(2041, 'ranked', 'population', 2019, 'rank');
SELECT is((SELECT max(value) || ' ' || min(value) FROM model_input i WHERE i.year = 2041 AND i.factor = 'ranked'), '290 1', 'rank: 1 to 290');
SELECT count(*) FROM model_input_from(2041, 'pshare', 'population', 2019, 'share');
SELECT is((SELECT round(sum(value), 9) FROM model_input i WHERE i.year = 2041 AND i.factor = 'pshare'), 1.000000000, 'share: the national sum is 1');
SELECT count(*) FROM model_input_from(2041, 'dens', 'refugees_received', 2017, 'per_1000');
SELECT is((SELECT round(value, 4) FROM model_input i WHERE i.year = 2041 AND i.factor = 'dens' AND i.municipality = '0180'),
          (SELECT round(v.value * 1000 / p.population, 4) FROM factor_value v, population p
            WHERE v.series = 'refugees_received' AND v.year = 2017 AND v.municipality = '0180' AND p.municipality = '0180' AND p.year = 2017),
          'per_1000: per 1,000 inhabitants of the data year');
SELECT throws_ok($$SELECT * FROM settle.model_input_from(2041, 'x', 'no_such_series', 2019)$$, 'P0002', NULL, 'an unknown series');
SELECT throws_ok($$SELECT * FROM settle.model_input_from(2041, 'x', 'population', 2019, 'sqrt')$$, '22023', NULL, 'an unknown transform');
SELECT throws_ok($$SELECT * FROM settle.model_input_from(2041, 'Bad Name', 'population', 2019)$$, '22023', NULL, 'a factor name that is not an identifier');
SELECT throws_ok($$SELECT * FROM settle.model_input_from(1999, 'x', 'population', 2019)$$, 'P0002', NULL, 'a year that is not a planning year');

-- ---- fitting recovers known weights: a synthetic year decided with weights 0.6 / 0.3 / 0.1
UPDATE model_weight SET weight = CASE factor WHEN 'pop' THEN 0.6 WHEN 'employed' THEN 0.3 WHEN 'received' THEN 0.1 ELSE 0 END WHERE year = 2041;
SELECT count(*) FROM decide_county_quotas(2041, 'synthetic', '2040-06-01');
UPDATE model_weight SET weight = 0 WHERE year = 2041;
CREATE TEMP TABLE fit AS SELECT * FROM fit_model(ARRAY[2041], ARRAY['pop', 'employed', 'received']);
SELECT ok((SELECT bool_and(abs(f.weight - t.w) < 0.0005) FROM fit f JOIN (VALUES ('pop', 0.6), ('employed', 0.3), ('received', 0.1)) t(factor, w) USING (factor)
            WHERE f.kind = 'weight'), 'the fitted weights are 0.6, 0.3 and 0.1 to within 0.0005 (the decided quotas are rounded to whole places)');
SELECT ok((SELECT difference FROM fit WHERE kind = 'year') <= 21, '... and the proposal they give is off by at most a place per county');
SELECT is((SELECT count(*)::int FROM fit WHERE kind = 'county'), 21, 'a row per county');
-- no perturbed weights (a grid around the optimum, summing to 1) do better on the objective
CREATE TEMP TABLE cs AS SELECT county, factor, share FROM factor_county_shares(2041, ARRAY['pop', 'employed', 'received']);
CREATE TEMP TABLE obj AS
SELECT d1, d2, (SELECT sum(abs(1000000 * (sum_w) - cq.quota)) FROM county_quota cq
                  CROSS JOIN LATERAL (SELECT sum(cs.share * CASE cs.factor WHEN 'pop' THEN w.p + d1 WHEN 'employed' THEN w.e + d2 ELSE w.r - d1 - d2 END) AS sum_w
                                        FROM cs WHERE cs.county = cq.county) s
                 WHERE cq.year = 2041) AS value
  FROM (SELECT (SELECT weight FROM fit WHERE factor = 'pop') AS p, (SELECT weight FROM fit WHERE factor = 'employed') AS e,
               (SELECT weight FROM fit WHERE factor = 'received') AS r) w,
       unnest(ARRAY[-0.01, -0.001, 0, 0.001, 0.01]) d1, unnest(ARRAY[-0.01, -0.001, 0, 0.001, 0.01]) d2;
SELECT ok((SELECT value FROM obj WHERE d1 = 0 AND d2 = 0) <= (SELECT min(value) FROM obj) + 0.001,
          'no weights on a grid of 24 perturbations do better on the sum of absolute differences');
SELECT ok((SELECT bool_and(f.weight BETWEEN 0 AND 1) FROM fit f WHERE kind = 'weight'), 'weights are >= 0 (signs +) and sum to 1');
SELECT is((SELECT round(sum(weight), 6) FROM fit WHERE kind = 'weight'), 1.000000, '... sum 1');
-- squared differences find the same weights on exact data
SELECT ok((SELECT bool_and(abs(f.weight - t.w) < 0.0005) FROM fit_model(ARRAY[2041], ARRAY['pop', 'employed', 'received'], 'squared') f
             JOIN (VALUES ('pop', 0.6), ('employed', 0.3), ('received', 0.1)) t(factor, w) USING (factor)), 'the squared objective recovers them too');
-- written as a year's model
SELECT count(*) FROM fit_model(ARRAY[2041], ARRAY['pop', 'employed'], signs => ARRAY['+', 'free'], write_to => 2041);
SELECT is((SELECT round(sum(weight), 6) || ' ' || (SELECT weight FROM model_weight WHERE year = 2041 AND factor = 'received')
             FROM model_weight WHERE year = 2041), '1.000000 0', 'write_to: the fitted factors'' weights, the others 0');
-- bad input
SELECT throws_ok($$SELECT * FROM settle.fit_model(ARRAY[2041], ARRAY['pop', 'nothing'])$$, 'P0002', NULL, 'a factor without input');
SELECT throws_ok($$SELECT * FROM settle.fit_model(ARRAY[2041], ARRAY['pop', 'employed'], signs => ARRAY['-', '-'])$$, '22023',
                 'no weights summing to 1 have the signs asked for', 'signs no weights summing to 1 can have');
SELECT is((SELECT difference FROM fit_model(ARRAY[2041], ARRAY['pop', 'pshare'], 'squared') WHERE kind = 'year'),
          (SELECT difference FROM fit_model(ARRAY[2041], ARRAY['pop'], 'squared') WHERE kind = 'year'),
          'the same series twice: the weights are not unique, the fit is that of the series alone');
SELECT throws_ok($$SELECT * FROM settle.fit_model(ARRAY[2041], ARRAY['pop', 'pshare'], 'squared', ARRAY['free', 'free'])$$, '22023',
                 'the factors do not determine the weights: their county shares are linearly dependent',
                 '... and with both weights free no face determines them: refused');
SELECT throws_ok($$SELECT * FROM settle.fit_model('{}', ARRAY['pop'])$$, '22023', NULL, 'no years');

-- ---- backtest, hand-checked on three counties (volume 100)
-- factor x: counties 01, 03, 05 have 60, 30, 10; factor z: 40, 30, 30; weights 0.5 each:
-- shares 0.5, 0.3, 0.2, proposals 50, 30, 20; decided 40, 35, 25
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2042, 100, 'bt');
INSERT INTO model_weight (year, factor, weight) VALUES (2042, 'x', 0.5), (2042, 'z', 0.5);
INSERT INTO model_input (year, municipality, factor, value)
VALUES (2042, '0180', 'x', 60), (2042, '0380', 'x', 30), (2042, '0580', 'x', 10),
       (2042, '0180', 'z', 40), (2042, '0380', 'z', 30), (2042, '0580', 'z', 30);
INSERT INTO county_quota (year, county, quota, decision_ref)
SELECT 2042, code, CASE code WHEN '01' THEN 40 WHEN '03' THEN 35 WHEN '05' THEN 25 ELSE 0 END, 'bt' FROM county;
SELECT is((SELECT array_agg(county || ' ' || decided || ' ' || proposed || ' ' || difference || ' ' || share_of_volume || ' ' || main_factor || ' ' || main_factor_places
                            ORDER BY county) FROM backtest(2042) WHERE difference <> 0),
          ARRAY['01 40 50 10 0.1000 x 10.0', '03 35 30 -5 -0.0500 x -2.5', '05 25 20 -5 -0.0500 x -7.5'],
          'backtest: Stockholm 10 over (x pulls it up 10 places), Uppsala 5 under (x and z 2.5 each), Östergötland 5 under (x 7.5 down, z 2.5 up)');
SELECT is((SELECT pulls FROM backtest(2042) WHERE county = '05'), '{"x": -7.5, "z": 2.5}'::jsonb, '... the pulls sum to the difference');

-- ---- a county board's regional model: Uppsala county weighs its own factor r
INSERT INTO model_weight (year, factor, weight) VALUES (2042, 'r', 0);
INSERT INTO model_input (year, municipality, factor, value) VALUES (2042, '0380', 'r', 10), (2042, '0381', 'r', 30);
SELECT is((SELECT array_agg(municipality || ':' || quota ORDER BY municipality) FROM propose_municipal_quotas(2042, '03') WHERE quota > 0),
          ARRAY['0380:35'], 'the national model gives Uppsala county''s 35 places to Uppsala, the only municipality with x and z');
INSERT INTO regional_weight (year, county, factor, weight) VALUES (2042, '03', 'r', 1);
SELECT is((SELECT array_agg(municipality || ':' || quota ORDER BY municipality) FROM propose_municipal_quotas(2042, '03') WHERE quota > 0),
          ARRAY['0380:9', '0381:26'], 'its regional model (r alone: 10 and 30) gives 8.75 and 26.25, apportioned 9 and 26');
SELECT is((SELECT score FROM regional_scores(2042, '03') WHERE municipality = '0381'), 0.750000000000000, 'Enköping''s regional score: 30 of 40');
SELECT is((SELECT count(*)::int FROM regional_scores(2042, '01')), 0, 'a county without a regional model: no regional scores');
SELECT is((SELECT proposed FROM backtest(2042) WHERE county = '03'), 30, 'the national model and its proposal are untouched');
-- the county's kommuntal as decided: Uppsala 20, Enköping 15
INSERT INTO municipal_quota (year, municipality, quota, decision_ref) VALUES (2042, '0380', 20, 'bt'), (2042, '0381', 15, 'bt');
SELECT is((SELECT array_agg(municipality || ' ' || decided || ' ' || proposed || ' ' || difference || ' ' || share_of_county || ' ' || main_factor || ' ' || main_factor_places
                            ORDER BY municipality) FROM backtest_municipal(2042, '{03}') WHERE decided > 0 OR proposed > 0),
          ARRAY['0380 20 9 -11 -0.3143 r -11.3', '0381 15 26 11 0.3143 r 11.3'],
          'backtest_municipal: the regional model against the decided kommuntal (r pulls Uppsala 35 x 0.25 - 20 = -11.25 places)');
SELECT throws_ok($$SELECT * FROM settle.backtest_municipal(2042, '{99}')$$, '22P02', NULL, 'a county code that is not one');
SELECT throws_ok($$SELECT * FROM settle.backtest_municipal(2019, '{03}')$$, 'P0002', NULL, 'a year that is not a planning year');

SELECT * FROM finish();
ROLLBACK;
