-- 062_model_fit.sql: the distribution model with evidence (since 0.3.0).
--
-- The model (050_planning.sql) gives each municipality the weighted sum of
-- its shares of the factors; the weights are the year's settle.model_weight.
-- Here: factor series as model input (settle.model_input_from), weights
-- fitted to decided länstal (settle.fit_model; the optimisation in C,
-- src/fit_core.c, which says why it is exact), and a backtest of a year's
-- proposal against what was decided (settle.backtest); a county board's own
-- model over its municipalities (settle.regional_weight).

-- Every series a model input can come from: the shipped and added factor
-- series, population (settle.population) and the 2018 reception by category
-- (settle.published_reception, series reception_<category>).
CREATE VIEW settle.factor_values WITH (security_invoker = true) AS
SELECT v.series, v.year, v.municipality, v.value FROM settle.factor_value v
UNION ALL
SELECT 'population', p.year, p.municipality, p.population FROM settle.population p
UNION ALL
SELECT 'reception_' || c.category, r.year, r.municipality, c.value
  FROM settle.published_reception r
 CROSS JOIN LATERAL (VALUES ('quota_refugees', r.quota_refugees), ('from_accommodation', r.from_accommodation),
                            ('own_housing', r.own_housing), ('others', r.others), ('relatives', r.relatives),
                            ('total', r.total)) AS c(category, value);
COMMENT ON VIEW settle.factor_values IS
    'Every series a model input can come from: settle.factor_value, population, and the 2018 reception by category (reception_<category>).';

-- The transforms of settle.model_input_from: their one home.
CREATE FUNCTION settle.require_transform(transform text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF transform IS NULL OR transform NOT IN ('value', 'share', 'per_1000', 'employed', 'log', 'rank') THEN
        RAISE EXCEPTION 'unknown transform %', coalesce(quote_literal(transform), 'NULL')
            USING ERRCODE = CASE WHEN transform IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'Transforms: value, share (of the national sum), per_1000 (per 1,000 inhabitants), employed (a rate in percent times the population), log (ln(1 + value)), rank (1 = smallest).';
    END IF;
    RETURN transform;
END
$fn$;
COMMENT ON FUNCTION settle.require_transform(text) IS 'Internal: a transform of settle.model_input_from, or 22023 (22004 for NULL) with the list.';

CREATE FUNCTION settle.model_input_from(year integer, factor text, series text, data_year integer, transform text DEFAULT 'value')
RETURNS TABLE (municipalities integer, missing integer, population_year integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
    y integer := (settle.require_planning_year(model_input_from.year)).year;
    tr text := settle.require_transform(transform);
    pop_year integer;
    n integer;
BEGIN
    IF factor IS NULL OR factor !~ '^[a-z][a-z0-9_]*$' THEN
        RAISE EXCEPTION 'a factor is named in lower case letters, digits and _, not %', coalesce(quote_literal(factor), 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. employment, own_housing_2018.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM settle.factor_values v WHERE v.series = model_input_from.series AND v.year = data_year) THEN
        RAISE EXCEPTION 'the series % has no values for %', coalesce(quote_literal(series), 'NULL'), coalesce(data_year::text, 'NULL')
            USING ERRCODE = 'no_data_found',
                  HINT = format('Series and years: %s.',
                                (SELECT string_agg(format('%s %s-%s', x.series, x.lo, x.hi), ', ' ORDER BY x.series)
                                   FROM (SELECT v.series, min(v.year) AS lo, max(v.year) AS hi FROM settle.factor_values v GROUP BY v.series) x));
    END IF;
    IF tr IN ('per_1000', 'employed') THEN
        -- the population of the data year, or the latest before it
        SELECT max(p.year) INTO pop_year FROM settle.population p WHERE p.year <= data_year;
        IF pop_year IS NULL THEN
            RAISE EXCEPTION 'no population is recorded for % or earlier', data_year
                USING ERRCODE = 'no_data_found', HINT = 'Add the year''s population to settle.population.';
        END IF;
    END IF;
    -- the factor joins the year's model with weight 0 until it is fitted or set
    INSERT INTO settle.model_weight (year, factor, weight, description)
    VALUES (y, factor, 0, format('%s %s (%s)', series, data_year, tr))
    ON CONFLICT ON CONSTRAINT model_weight_pkey DO NOTHING;
    DELETE FROM settle.model_input i WHERE i.year = y AND i.factor = model_input_from.factor;
    INSERT INTO settle.model_input (year, municipality, factor, value)
    SELECT y, v.municipality, factor,
           CASE tr WHEN 'value' THEN v.value
                   WHEN 'share' THEN v.value / nullif(sum(v.value) OVER (), 0)
                   WHEN 'per_1000' THEN v.value * 1000 / nullif(p.population, 0)
                   WHEN 'employed' THEN v.value / 100 * p.population
                   WHEN 'log' THEN ln(1 + v.value)
                   ELSE rank() OVER (ORDER BY v.value) END
      FROM settle.factor_values v
      LEFT JOIN settle.population p ON p.municipality = v.municipality AND p.year = pop_year
     WHERE v.series = model_input_from.series AND v.year = data_year
       AND (tr NOT IN ('per_1000', 'employed') OR p.population > 0);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN QUERY SELECT n, (SELECT count(*)::integer FROM settle.municipality) - n, pop_year;
END
$fn$;
COMMENT ON FUNCTION settle.model_input_from(integer, text, text, integer, text) IS
    'Fills a year''s model input for factor from a series of settle.factor_values (data_year, transform); the factor joins the model with weight 0 if new. Returns municipalities filled and missing.';

-- The decided länstal a year's model is measured against: its own county
-- quotas (ordinary) if all are decided in settle, else the published ones
-- (the original statute of the year, or the one named).  One home for
-- settle.fit_model and settle.backtest.
CREATE FUNCTION settle.decided_county_quotas(year integer, statute text DEFAULT NULL)
RETURNS TABLE (county settle.lanskod, quota integer, source text)
    LANGUAGE plpgsql STABLE
    ROWS 21
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
    IF decided_county_quotas.statute IS NULL AND (SELECT count(*) FROM settle.county_quota cq
                             WHERE cq.year = decided_county_quotas.year AND cq.stream = 'ordinary') = 21 THEN
        RETURN QUERY SELECT cq.county, cq.quota, 'settle.county_quota'::text FROM settle.county_quota cq
                      WHERE cq.year = decided_county_quotas.year AND cq.stream = 'ordinary' ORDER BY cq.county;
        RETURN;
    END IF;
    RETURN QUERY SELECT pq.county, pq.quota, 'published ' || pq.statute FROM settle.published_county_quota pq
                  WHERE pq.year = decided_county_quotas.year
                    AND CASE WHEN decided_county_quotas.statute IS NULL THEN NOT pq.revised
                             ELSE pq.statute = decided_county_quotas.statute END
                  ORDER BY pq.county;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no decided länstal for %', decided_county_quotas.year || coalesce(' (statute ' || decided_county_quotas.statute || ')', '')
            USING ERRCODE = 'no_data_found',
                  HINT = format('Decide the year''s county quotas, or use a published year: %s.',
                                (SELECT string_agg(DISTINCT pq.year || ' (' || pq.statute || ')', ', ') FROM settle.published_county_quota pq));
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.decided_county_quotas(integer, text) IS
    'Internal: the länstal a year''s model is measured against: settle''s own (ordinary) if all 21 are decided, else the published statute of the year (the original, or the one named).';

-- Each county's share of each factor of a year's model (inputs as given).
CREATE FUNCTION settle.factor_county_shares(year integer, factors text[])
RETURNS TABLE (county settle.lanskod, factor text, share numeric)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT c.code, f.f,
           coalesce((SELECT sum(i.value) FROM settle.model_input i JOIN settle.municipality m ON m.code = i.municipality
                      WHERE i.year = factor_county_shares.year AND i.factor = f.f AND m.county = c.code), 0)
           / nullif((SELECT sum(i.value) FROM settle.model_input i WHERE i.year = factor_county_shares.year AND i.factor = f.f), 0)
      FROM settle.county c CROSS JOIN unnest(factors) AS f(f)
$$;
COMMENT ON FUNCTION settle.factor_county_shares(integer, text[]) IS
    'Internal: each county''s share of each factor''s national sum in a year''s model input.';

CREATE FUNCTION settle.fit_weights(a double precision[], b double precision[], factors integer, signs integer[], objective text,
                                   OUT weights double precision[], OUT value double precision)
AS 'MODULE_PATHNAME', 'settle_fit_weights'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION settle.fit_weights(double precision[], double precision[], integer, integer[], text) IS
    'Internal (C): the weights (summing to 1, signs +1/-1/0) minimising the sum of absolute or squared differences a.w - b (src/fit_core.c).';

CREATE FUNCTION settle.fit_model(years integer[], factors text[], objective text DEFAULT 'abs', signs text[] DEFAULT NULL,
                                 write_to integer DEFAULT NULL)
RETURNS TABLE (kind text, year integer, county settle.lanskod, factor text, weight numeric,
               decided integer, proposed integer, difference integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    k integer := cardinality(factors);
    sg integer[];
    y integer;
    f text;
    fit record;
    w numeric[];
    r_year integer[];
    r_county text[];
    r_decided integer[];
    r_a double precision[];
BEGIN
    IF years IS NULL OR cardinality(years) = 0 OR array_position(years, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'years must list one or more planning years' USING ERRCODE = 'invalid_parameter_value',
              HINT = 'E.g. ARRAY[2019, 2020]: years whose model input is filled and whose länstal are decided or published.';
    END IF;
    IF k IS NULL OR k = 0 OR array_position(factors, NULL) IS NOT NULL OR k <> (SELECT count(DISTINCT x) FROM unnest(factors) x) THEN
        RAISE EXCEPTION 'factors must list one or more distinct factors' USING ERRCODE = 'invalid_parameter_value',
              HINT = 'E.g. ARRAY[''population'', ''employment''], factors of the years'' settle.model_input.';
    END IF;
    IF signs IS NOT NULL AND (cardinality(signs) <> k OR EXISTS (SELECT 1 FROM unnest(signs) s WHERE s IS NULL OR s NOT IN ('+', '-', 'free'))) THEN
        RAISE EXCEPTION 'signs must give +, - or free for each of the % factors', k USING ERRCODE = 'invalid_parameter_value',
              HINT = '+: weight >= 0, -: weight <= 0 (e.g. previous reception), free: either; NULL: all +.';
    END IF;
    sg := ARRAY(SELECT CASE s WHEN '+' THEN 1 WHEN '-' THEN -1 ELSE 0 END
                  FROM unnest(coalesce(signs, array_fill('+'::text, ARRAY[k]))) WITH ORDINALITY AS x(s, i) ORDER BY i);
    FOREACH y IN ARRAY years LOOP
        PERFORM settle.require_planning_year(y);
        FOREACH f IN ARRAY factors LOOP
            IF NOT EXISTS (SELECT 1 FROM settle.model_input i WHERE i.year = y AND i.factor = f AND i.value > 0) THEN
                RAISE EXCEPTION 'the model input of % has no values for factor %', y, f
                    USING ERRCODE = 'no_data_found',
                          HINT = format('Fill it first, e.g. SELECT * FROM settle.model_input_from(%s, %L, ''<series>'', <data year>);', y, f);
            END IF;
        END LOOP;
    END LOOP;
    IF write_to IS NOT NULL THEN
        PERFORM settle.require_planning_year(write_to);
    END IF;
    -- rows (year, county) in order; a: the national volume times each county's factor shares (k per row)
    SELECT array_agg(x.y ORDER BY x.y, x.county), array_agg(x.county ORDER BY x.y, x.county),
           array_agg(x.quota ORDER BY x.y, x.county)
      INTO r_year, r_county, r_decided
      FROM (SELECT yy.y, d.county, d.quota FROM unnest(years) AS yy(y) CROSS JOIN LATERAL settle.decided_county_quotas(yy.y) d) x;
    WITH sh AS MATERIALIZED (SELECT yy.y, s.county::text AS county, s.factor, s.share
                               FROM unnest(years) AS yy(y) CROSS JOIN LATERAL settle.factor_county_shares(yy.y, factors) s),
    tot AS (SELECT r.y, sum(r.d) AS total FROM unnest(r_year, r_decided) AS r(y, d) GROUP BY r.y)
    SELECT array_agg((tot.total * coalesce(sh.share, 0))::double precision ORDER BY r.n, x.i) INTO r_a
      FROM unnest(r_year, r_county) WITH ORDINALITY AS r(y, county, n)
     CROSS JOIN unnest(factors) WITH ORDINALITY AS x(f, i)
      JOIN tot ON tot.y = r.y
      LEFT JOIN sh ON sh.y = r.y AND sh.county = r.county AND sh.factor = x.f;
    SELECT * INTO fit FROM settle.fit_weights(r_a, ARRAY(SELECT d::double precision FROM unnest(r_decided) d), k, sg, objective);
    -- six decimals, the largest absorbing the rounding so that they sum to exactly 1
    w := ARRAY(SELECT round(x::numeric, 6) FROM unnest(fit.weights) x);
    w[(SELECT u.i FROM unnest(w) WITH ORDINALITY AS u(x, i) ORDER BY abs(u.x) DESC, u.i LIMIT 1)] :=
        w[(SELECT u.i FROM unnest(w) WITH ORDINALITY AS u(x, i) ORDER BY abs(u.x) DESC, u.i LIMIT 1)]
        + 1 - (SELECT sum(x) FROM unnest(w) x);
    IF write_to IS NOT NULL THEN
        UPDATE settle.model_weight mw SET weight = 0 WHERE mw.year = write_to AND mw.factor <> ALL (factors);
        INSERT INTO settle.model_weight (year, factor, weight)
        SELECT write_to, x.f, w[x.i] FROM unnest(factors) WITH ORDINALITY AS x(f, i)
        ON CONFLICT ON CONSTRAINT model_weight_pkey DO UPDATE SET weight = EXCLUDED.weight;
    END IF;
    RETURN QUERY SELECT 'weight', NULL::integer, NULL::settle.lanskod, x.f, w[x.i], NULL::integer, NULL::integer, NULL::integer
                   FROM unnest(factors) WITH ORDINALITY AS x(f, i) ORDER BY x.i;
    -- the proposal of each year under the fitted weights, made as proposals
    -- are (settle.model_scores: a municipality's score is its weighted sum of
    -- factor shares, a negative one counts 0; the counties' sums apportioned
    -- by the year's method), so it may differ from the linear fit where
    -- fitted negative weights make a municipality's score negative
    RETURN QUERY
    WITH sc AS (SELECT yy.y AS year, s.county, greatest(s.score, 0) AS score
                  FROM unnest(years) AS yy(y) CROSS JOIN LATERAL settle.weighted_scores(yy.y, factors, w) s),
    q AS (
        SELECT r.year, r.county::settle.lanskod AS county, r.decided,
               coalesce((SELECT sum(sc.score) FROM sc WHERE sc.year = r.year AND sc.county::text = r.county), 0) AS fair
          FROM unnest(r_year, r_county, r_decided) AS r(year, county, decided)),
    p AS (
        SELECT q.year, q.county, q.decided, ap.seats
          FROM q
          JOIN settle.planning_year py ON py.year = q.year
          CROSS JOIN LATERAL (
              SELECT a.key, a.seats FROM settle.apportion(
                  (SELECT sum(q2.decided) FROM q q2 WHERE q2.year = q.year)::integer,
                  ARRAY(SELECT q2.county::text FROM q q2 WHERE q2.year = q.year ORDER BY q2.county),
                  ARRAY(SELECT q2.fair FROM q q2 WHERE q2.year = q.year ORDER BY q2.county),
                  py.method, first_divisor => py.first_divisor) a) ap
         WHERE ap.key = q.county::text)
    SELECT 'county', p.year, p.county, NULL::text, NULL::numeric, p.decided, p.seats, p.seats - p.decided
      FROM p
    UNION ALL
    SELECT 'year', p.year, NULL, NULL, NULL, sum(p.decided)::integer, sum(p.seats)::integer, sum(abs(p.seats - p.decided))::integer
      FROM p GROUP BY p.year
    ORDER BY 1, 2, 3;
END
$fn$;
COMMENT ON FUNCTION settle.fit_model(integer[], text[], text, text[], integer) IS
    'Fits the model''s weights (sum 1, signs) to the decided länstal of years: rows weight, county (decided, proposed, difference) and year (places off); write_to writes them as that year''s model.';

-- A year's proposal against what was decided, with each factor's pull: the
-- places by which it moves a county from its decided share (the pulls sum
-- to the fair quota minus the decided quota).
CREATE FUNCTION settle.backtest(year integer, statute text DEFAULT NULL)
RETURNS TABLE (county settle.lanskod, decided integer, proposed integer, difference integer, share_of_volume numeric,
               main_factor text, main_factor_places numeric, pulls jsonb)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := (settle.require_planning_year(backtest.year)).year;
    total numeric;
    wsum numeric;
BEGIN
    SELECT sum(d.quota) INTO total FROM settle.decided_county_quotas(y, statute) d;
    SELECT sum(mw.weight) INTO wsum FROM settle.model_weight mw WHERE mw.year = y;
    IF coalesce(wsum, 0) = 0 THEN
        RAISE EXCEPTION 'the weights of the model of % sum to 0', y
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Set the year''s weights (settle.model_weight), e.g. with settle.fit_model(..., write_to => year).';
    END IF;
    RETURN QUERY
    WITH d AS (SELECT * FROM settle.decided_county_quotas(y, statute)),
    p AS (SELECT * FROM settle.propose_county_quotas(y)),
    -- each factor's part of each county's share: its weighted share, scaled as model_shares scales
    sh AS MATERIALIZED (SELECT * FROM settle.model_shares(y)),
    part AS (
        SELECT sh.county, c.key AS factor,
               sum(c.value::numeric) / (SELECT sum(greatest(x.score, 0)) FROM sh x) AS part
          FROM sh CROSS JOIN LATERAL jsonb_each_text(sh.contributions) c
         WHERE c.key <> 'share_of_positive_scores'
         GROUP BY sh.county, c.key),
    pull AS (
        SELECT part.county, part.factor,
               round(total * part.part - mw.weight / wsum * d.quota, 1) AS places
          FROM part JOIN settle.model_weight mw ON mw.year = y AND mw.factor = part.factor
          JOIN d ON d.county = part.county)
    SELECT d.county, d.quota, p.quota, p.quota - d.quota, round((p.quota - d.quota) / total, 4),
           m.factor, m.places,
           (SELECT jsonb_object_agg(x.factor, x.places ORDER BY x.factor) FROM pull x WHERE x.county = d.county)
      FROM d JOIN p ON p.county = d.county
      LEFT JOIN LATERAL (
          -- the factor that pulls hardest the way the proposal is off
          SELECT x.factor, x.places FROM pull x WHERE x.county = d.county
           ORDER BY sign(p.quota - d.quota) * x.places DESC, x.factor LIMIT 1) m ON p.quota <> d.quota
     ORDER BY d.county;
END
$fn$;
COMMENT ON FUNCTION settle.backtest(integer, text) IS
    'A year''s proposed länstal against the decided (or a published statute): difference, share of volume, and the factor pulling hardest that way (places; pulls sum to fair minus decided).';

-- The same for the kommuntal of the counties named (NULL: every county
-- whose länstal settle holds): the proposal (settle.propose_municipal_quotas,
-- the regional model if the county has one) against the decided kommuntal
-- (settle's own, else the published ones of the year: 2018).  A factor's
-- pull: the county quota times (its part of the municipality's score over
-- the county's positive scores - its weight's part of the decided share).
CREATE FUNCTION settle.backtest_municipal(year integer, counties settle.lanskod[] DEFAULT NULL)
RETURNS TABLE (county settle.lanskod, municipality settle.kommunkod, decided integer, proposed integer, difference integer,
               share_of_county numeric, main_factor text, main_factor_places numeric, pulls jsonb)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := (settle.require_planning_year(backtest_municipal.year)).year;
    c record;
    regional boolean;
    wsum numeric;
BEGIN
    IF EXISTS (SELECT 1 FROM unnest(counties) x
                WHERE NOT EXISTS (SELECT 1 FROM settle.county_quota cq WHERE cq.year = y AND cq.stream = 'ordinary' AND cq.county = x)) THEN
        RAISE EXCEPTION 'no länstal of % is decided for every county of %', y, counties
            USING ERRCODE = 'no_data_found', HINT = 'The kommuntal are proposed from a decided länstal: decide it (settle.county_quota) first.';
    END IF;
    FOR c IN SELECT cq.county, cq.quota FROM settle.county_quota cq
              WHERE cq.year = y AND cq.stream = 'ordinary' AND (counties IS NULL OR cq.county = ANY (counties))
              ORDER BY cq.county LOOP
        regional := EXISTS (SELECT 1 FROM settle.regional_weight rw WHERE rw.year = y AND rw.county = c.county);
        SELECT sum(x.weight) INTO wsum
          FROM (SELECT rw.weight FROM settle.regional_weight rw WHERE regional AND rw.year = y AND rw.county = c.county
                UNION ALL
                SELECT mw.weight FROM settle.model_weight mw WHERE NOT regional AND mw.year = y) x;
        RETURN QUERY
        WITH sc AS MATERIALIZED (
            SELECT r.municipality, r.score, r.contributions FROM settle.regional_scores(y, c.county) r
            UNION ALL
            SELECT n.municipality, n.score, n.contributions - 'share_of_positive_scores' FROM settle.model_shares(y) n
             WHERE NOT regional AND n.county = c.county),
        pos AS (SELECT sum(greatest(sc.score, 0)) AS t FROM sc),
        d AS (
            SELECT m.code AS municipality,
                   coalesce(CASE WHEN EXISTS (SELECT 1 FROM settle.municipal_quota mq WHERE mq.year = y AND mq.stream = 'ordinary' AND mq.county = c.county)
                                 THEN (SELECT mq.quota FROM settle.municipal_quota mq WHERE mq.year = y AND mq.stream = 'ordinary' AND mq.municipality = m.code)
                                 ELSE (SELECT pm.quota FROM settle.published_municipal_quota pm WHERE pm.year = y AND pm.municipality = m.code) END, 0) AS quota
              FROM settle.municipality m WHERE m.county = c.county),
        p AS (SELECT * FROM settle.propose_municipal_quotas(y, c.county)),
        pull AS (
            SELECT sc.municipality, e.key AS factor,
                   round(c.quota * e.value::numeric / nullif((SELECT t FROM pos), 0)
                         - coalesce((SELECT rw.weight FROM settle.regional_weight rw WHERE regional AND rw.year = y AND rw.county = c.county AND rw.factor = e.key),
                                    (SELECT mw.weight FROM settle.model_weight mw WHERE NOT regional AND mw.year = y AND mw.factor = e.key)) / wsum
                           * d.quota, 1) AS places
              FROM sc CROSS JOIN LATERAL jsonb_each_text(sc.contributions) e
              JOIN d ON d.municipality = sc.municipality)
        SELECT c.county, d.municipality, d.quota, p.quota, p.quota - d.quota, round((p.quota - d.quota) / nullif(c.quota, 0)::numeric, 4),
               mf.factor, mf.places,
               (SELECT jsonb_object_agg(x.factor, x.places ORDER BY x.factor) FROM pull x WHERE x.municipality = d.municipality)
          FROM d JOIN p ON p.municipality = d.municipality
          LEFT JOIN LATERAL (SELECT x.factor, x.places FROM pull x WHERE x.municipality = d.municipality
                              ORDER BY sign(p.quota - d.quota) * x.places DESC, x.factor LIMIT 1) mf ON p.quota <> d.quota
         ORDER BY d.municipality;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION settle.backtest_municipal(integer, settle.lanskod[]) IS
    'A county''s proposed kommuntal (its regional model if any) against the decided or published ones: difference, share of the county, and the factor pulling hardest that way.';

-- The published years at once: every statute whose year has a model.
CREATE VIEW settle.v_backtest_published WITH (security_invoker = true) AS
SELECT s.statute, s.year, s.revised, b.*
  FROM (SELECT DISTINCT pq.statute, pq.year, pq.revised FROM settle.published_county_quota pq) s
  JOIN settle.planning_year py ON py.year = s.year
 CROSS JOIN LATERAL settle.backtest(s.year, s.statute) b
 WHERE EXISTS (SELECT 1 FROM settle.model_weight mw WHERE mw.year = s.year AND mw.weight <> 0);
COMMENT ON VIEW settle.v_backtest_published IS
    'settle.backtest for every published länstal statute (2017, 2017 revised, 2019, 2020, 2022) whose year has a model in settle.';

-- ------------------------------------------------------------ regional models

-- A county board's own weights for its municipalities' proposal (the
-- national model's inputs, its own weights); the national model is not
-- touched.  Row-level security (900_security.sql): a board writes its own
-- county's rows only.
CREATE TABLE settle.regional_weight (
    year        integer NOT NULL,
    county      settle.lanskod NOT NULL REFERENCES settle.county,
    factor      text NOT NULL,
    weight      numeric NOT NULL,
    description text,
    PRIMARY KEY (year, county, factor),
    FOREIGN KEY (year, factor) REFERENCES settle.model_weight ON DELETE CASCADE
);
COMMENT ON TABLE settle.regional_weight IS
    'A county board''s own model weights for proposing its kommuntal (factors of the year''s model input); without rows the national model is used.';

-- Each municipality's score under its county's regional model: its
-- weighted sum of its shares of the county's factor sums
-- (settle.weighted_scores; no rows when the county has no regional
-- weights).  Used by propose_municipal_quotas and backtest_municipal.
CREATE FUNCTION settle.regional_scores(year integer, county settle.lanskod)
RETURNS TABLE (municipality settle.kommunkod, score numeric, contributions jsonb)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT s.municipality, s.score, s.contributions
      FROM settle.weighted_scores(regional_scores.year,
               ARRAY(SELECT rw.factor FROM settle.regional_weight rw
                      WHERE rw.year = regional_scores.year AND rw.county = regional_scores.county ORDER BY rw.factor),
               ARRAY(SELECT rw.weight FROM settle.regional_weight rw
                      WHERE rw.year = regional_scores.year AND rw.county = regional_scores.county ORDER BY rw.factor),
               regional_scores.county) s
     WHERE EXISTS (SELECT 1 FROM settle.regional_weight rw WHERE rw.year = regional_scores.year AND rw.county = regional_scores.county)
$$;
COMMENT ON FUNCTION settle.regional_scores(integer, settle.lanskod) IS
    'Each municipality''s score under its county''s regional model (settle.regional_weight), with each factor''s contribution; no rows without a regional model.';
