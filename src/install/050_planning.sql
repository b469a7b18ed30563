-- 050_planning.sql: the planning year and the distribution model.
--
-- The government fixes a national volume of persons to be referred in a
-- calendar year.  The agency's distribution model weighs factors per
-- municipality (labour market most; population; previous reception, which
-- lowers a share; asylum seekers already living there; ...).  From it come
-- the proposed county quotas (länstal) and municipal quotas (kommuntal).

-- a required text argument: not NULL, not blank (22004 with a hint)
CREATE FUNCTION settle.require_text(value text, what text, hint text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
BEGIN
    IF value IS NULL OR btrim(value) = '' THEN
        RAISE EXCEPTION '% must not be empty', what USING ERRCODE = 'null_value_not_allowed', HINT = hint;
    END IF;
    RETURN value;
END
$$;
COMMENT ON FUNCTION settle.require_text(text, text, text) IS
    'Internal: returns value, or raises 22004 "<what> must not be empty" with the hint if it is NULL or blank.';

CREATE FUNCTION settle.require_method(method text, first_divisor numeric) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
BEGIN
    -- settle.apportion validates both (and raises 22023 with a hint)
    PERFORM settle.apportion(0, '{}'::text[], '{}'::numeric[], method, first_divisor => first_divisor);
    RETURN true;
END
$$;
COMMENT ON FUNCTION settle.require_method(text, numeric) IS
    'Internal: true if settle.apportion accepts this method and first divisor, else its error (22023 with a hint). Used by the CHECK on settle.planning_year.';

CREATE TABLE settle.planning_year (
    year            integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2200),
    national_volume integer NOT NULL CHECK (national_volume >= 0),
    method          text NOT NULL DEFAULT 'hamilton',
    first_divisor   numeric,
    decision_ref    text,
    note            text,
    CHECK (settle.require_method(method, first_divisor))
);
COMMENT ON TABLE settle.planning_year IS
    'One row per calendar year: the national volume of persons to be referred (fixed by the government), and the apportionment method (settle.apportion) used for the year''s quotas.';

CREATE TABLE settle.model_weight (
    year        integer NOT NULL REFERENCES settle.planning_year ON DELETE CASCADE,
    factor      text NOT NULL CHECK (factor ~ '^[a-z][a-z0-9_]*$'),
    weight      numeric NOT NULL,
    description text,
    PRIMARY KEY (year, factor)
);
COMMENT ON TABLE settle.model_weight IS
    'The distribution model of a year: each factor''s weight. A negative weight lowers the share of municipalities with much of that factor, such as previous reception.';

CREATE TABLE settle.model_input (
    year         integer NOT NULL,
    municipality settle.kommunkod NOT NULL REFERENCES settle.municipality,
    factor       text NOT NULL,
    value        numeric NOT NULL CHECK (value >= 0),
    PRIMARY KEY (year, municipality, factor),
    FOREIGN KEY (year, factor) REFERENCES settle.model_weight ON DELETE CASCADE
);
COMMENT ON TABLE settle.model_input IS
    'The model''s inputs: one value >= 0 per municipality and factor (an absent value counts as 0).';

CREATE FUNCTION settle.require_planning_year(y integer) RETURNS settle.planning_year
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
DECLARE
    py settle.planning_year;
BEGIN
    IF y IS NULL THEN
        RAISE EXCEPTION 'year must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a planning year, e.g. 2027.';
    END IF;
    SELECT * INTO py FROM settle.planning_year WHERE year = y;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'planning year % does not exist', coalesce(y::text, 'NULL')
            USING ERRCODE = 'no_data_found',
                  HINT = 'Create it first: INSERT INTO settle.planning_year (year, national_volume) VALUES (...).';
    END IF;
    RETURN py;
END
$$;
COMMENT ON FUNCTION settle.require_planning_year(integer) IS
    'The planning_year row of a year, or error P0002 with a hint.';

-- each municipality's score: sum over factors of weight * value / (the factor's national sum)
-- The model's score: its one home.  A municipality's score is the sum
-- over factors of weight x its share of the factor's sum over the
-- municipalities in scope (all of them, or those of one county), rounded
-- to 15 decimals.  settle.model_scores (the national model),
-- settle.regional_scores (a county board's) and settle.fit_model (fitted
-- weights) all call it.
CREATE FUNCTION settle.weighted_scores(year integer, factors text[], weights numeric[], within settle.lanskod DEFAULT NULL)
RETURNS TABLE (municipality settle.kommunkod, county settle.lanskod, score numeric, contributions jsonb)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT m.code, m.county,
           round(coalesce(sum(c.contribution), 0), 15),
           coalesce(jsonb_object_agg(c.factor, round(c.contribution, 15)) FILTER (WHERE c.factor IS NOT NULL), '{}')
      FROM settle.municipality m
      LEFT JOIN (SELECT i.municipality, w.factor,
                        w.weight * i.value / nullif(sum(i.value) OVER (PARTITION BY w.factor), 0) AS contribution
                   FROM unnest(factors, weights) AS w(factor, weight)
                   JOIN settle.model_input i ON i.year = weighted_scores.year AND i.factor = w.factor
                   JOIN settle.municipality im ON im.code = i.municipality
                  WHERE within IS NULL OR im.county = within) c ON c.municipality = m.code
     WHERE within IS NULL OR m.county = within
     GROUP BY m.code, m.county
$$;
COMMENT ON FUNCTION settle.weighted_scores(integer, text[], numeric[], settle.lanskod) IS
    'Internal: each municipality''s model score under the given weights (shares of each factor''s sum over all municipalities, or over one county), with each factor''s contribution.';

CREATE FUNCTION settle.model_scores(year integer)
RETURNS TABLE (municipality settle.kommunkod, county settle.lanskod, score numeric, contributions jsonb)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT s.municipality, s.county, s.score, s.contributions
      -- P0002 / 22004 for an unknown or NULL year (referenced, so that it runs)
      FROM (SELECT (settle.require_planning_year(model_scores.year)).year AS y) py
     CROSS JOIN LATERAL settle.weighted_scores(py.y,
                            ARRAY(SELECT w.factor FROM settle.model_weight w WHERE w.year = py.y ORDER BY w.factor),
                            ARRAY(SELECT w.weight FROM settle.model_weight w WHERE w.year = py.y ORDER BY w.factor)) s
     WHERE py.y IS NOT NULL
$$;
COMMENT ON FUNCTION settle.model_scores(integer) IS
    'Internal to settle.model_shares: each municipality''s raw model score and each factor''s contribution (15 decimals).';

CREATE FUNCTION settle.model_shares(year integer)
RETURNS TABLE (municipality settle.kommunkod, county settle.lanskod, share numeric, score numeric, contributions jsonb)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := year;
    positive numeric;
BEGIN
    PERFORM settle.require_planning_year(y);
    IF NOT EXISTS (SELECT 1 FROM settle.model_weight w WHERE w.year = y) THEN
        RAISE EXCEPTION 'the distribution model of % has no factors', y
            USING ERRCODE = 'no_data_found',
                  HINT = 'Add factors to settle.model_weight and their values to settle.model_input.';
    END IF;
    SELECT sum(greatest(s.score, 0)) INTO positive FROM settle.model_scores(y) s;
    IF coalesce(positive, 0) = 0 THEN
        RAISE EXCEPTION 'the distribution model of % gives no municipality a positive score', y
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Every municipality''s weighted sum of factor shares is 0 or negative.',
                  HINT = 'Check settle.model_input for the year and that some factor has a positive weight.';
    END IF;
    RETURN QUERY
        SELECT s.municipality, s.county, round(greatest(s.score, 0) / positive, 15), s.score,
               s.contributions || jsonb_build_object('share_of_positive_scores', round(greatest(s.score, 0) / positive, 15))
          FROM settle.model_scores(y) s
         ORDER BY s.municipality;
END
$fn$;
COMMENT ON FUNCTION settle.model_shares(integer) IS
    'Each municipality''s share of year under the distribution model, with every factor''s contribution, so an analyst sees why (docs/yearly-cycle.md).';

CREATE FUNCTION settle.propose_county_quotas(year integer, stream text DEFAULT 'ordinary')
RETURNS TABLE (county settle.lanskod, share numeric, fair_quota numeric, quota integer, tie boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    py record := settle.require_stream(year, stream);   -- (052_streams.sql)
BEGIN
    RETURN QUERY
    WITH c AS (
        SELECT s.county, sum(s.share) AS share, sum(greatest(s.score, 0)) AS weight,
               (SELECT coalesce(sum(mq.referred), 0) FROM settle.municipal_quota mq
                 WHERE mq.year = py.year AND mq.stream = py.stream AND mq.county = s.county)::integer AS referred
          FROM settle.model_shares(py.year) s GROUP BY s.county),
    a AS (
        SELECT * FROM settle.apportion(py.national_volume,
                   ARRAY(SELECT c.county::text FROM c ORDER BY c.county),
                   ARRAY(SELECT c.weight FROM c ORDER BY c.county),
                   py.method,
                   min_seats => ARRAY(SELECT nullif(c.referred, 0) FROM c ORDER BY c.county),
                   first_divisor => py.first_divisor))
    SELECT c.county, c.share, a.quota, a.seats, a.tie
      FROM c JOIN a ON a.key = c.county::text
     ORDER BY c.county;
END
$fn$;
COMMENT ON FUNCTION settle.propose_county_quotas(integer, text) IS
    'Proposed länstal of a year and stream (default ordinary): its national volume apportioned over the counties by model score, never below the persons referred. Writes nothing.';

CREATE FUNCTION settle.propose_municipal_quotas(year integer, county settle.lanskod, stream text DEFAULT 'ordinary')
RETURNS TABLE (municipality settle.kommunkod, share numeric, fair_quota numeric, quota integer, tie boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    py record := settle.require_stream(year, stream);   -- (052_streams.sql)
    c settle.lanskod := county;
    total integer;
BEGIN
    SELECT cq.quota INTO total FROM settle.county_quota cq WHERE cq.year = py.year AND cq.stream = py.stream AND cq.county = c;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no county quota (länstal) of % is decided for county %', py.year || settle.stream_label(py.stream), c
            USING ERRCODE = 'no_data_found',
                  HINT = 'Decide the county quotas first: SELECT settle.decide_county_quotas(year, decision_ref).';
    END IF;
    RETURN QUERY
    WITH s AS (
        -- the county board's regional model if it has one (062_model_fit.sql), else the national model
        SELECT r.municipality, r.score FROM settle.regional_scores(py.year, c) r
        UNION ALL
        SELECT n.municipality, n.score FROM settle.model_shares(py.year) n
         WHERE n.county = c AND NOT EXISTS (SELECT 1 FROM settle.regional_weight rw WHERE rw.year = py.year AND rw.county = c)),
    m AS (
        SELECT s.municipality, greatest(s.score, 0) AS weight,
               coalesce(mq.referred, 0) AS referred
          FROM s
          LEFT JOIN settle.municipal_quota mq ON mq.year = py.year AND mq.stream = py.stream AND mq.municipality = s.municipality),
    a AS (
        SELECT * FROM settle.apportion(total,
                   ARRAY(SELECT m.municipality::text FROM m ORDER BY m.municipality),
                   ARRAY(SELECT m.weight FROM m ORDER BY m.municipality),
                   py.method,
                   min_seats => ARRAY(SELECT nullif(m.referred, 0) FROM m ORDER BY m.municipality),
                   first_divisor => py.first_divisor))
    SELECT m.municipality, round(m.weight / nullif(sum(m.weight) OVER (), 0), 15), a.quota, a.seats, a.tie
      FROM m JOIN a ON a.key = m.municipality::text
     ORDER BY m.municipality;
END
$fn$;
COMMENT ON FUNCTION settle.propose_municipal_quotas(integer, settle.lanskod, text) IS
    'Proposed kommuntal of a county in a stream (default ordinary): its länstal apportioned over its municipalities by model score (its regional model if any), never below the persons referred.';
