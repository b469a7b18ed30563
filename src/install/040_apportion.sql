-- 040_apportion.sql: exact integer apportionment (C: src/apportion.c,
-- src/apportion_core.c).

CREATE FUNCTION settle.apportion(
    total integer,
    keys text[],
    weights numeric[],
    method text DEFAULT 'hamilton',
    min_seats integer[] DEFAULT NULL,
    max_seats integer[] DEFAULT NULL,
    prior integer[] DEFAULT NULL,
    first_divisor numeric DEFAULT NULL)
RETURNS TABLE (key text, seats integer, quota numeric, tie boolean)
AS 'MODULE_PATHNAME', 'settle_apportion'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION settle.apportion(integer, text[], numeric[], text, integer[], integer[], integer[], numeric) IS
$$Split total seats over units in proportion to weights, exactly, in whole seats summing to total. One row per unit in input order: key, seats, quota (fair share total*w/sum(w) to 12 decimals; with prior, of total+sum(prior)), tie (a tie broken by input order decided this unit's seat). Methods: hamilton (largest_remainder, hare), dhondt (jefferson), sainte_lague (webster; first_divisor 1.2 = Sweden, 1.4 = Norway), huntington_hill (equal_proportions), adams (smallest_divisors). min_seats/max_seats bound each unit's new seats (NULL element = no bound); prior = holdings that already count towards the fair share.$$;

CREATE FUNCTION settle.apportion(
    total integer,
    weights jsonb,
    method text DEFAULT 'hamilton',
    first_divisor numeric DEFAULT NULL)
RETURNS TABLE (key text, seats integer, quota numeric, tie boolean)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    bad record;
BEGIN
    IF weights IS NULL THEN
        RAISE EXCEPTION 'weights must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass a JSON object of key: weight, e.g. ''{"a": 3, "b": 1}''.';
    END IF;
    IF jsonb_typeof(weights) <> 'object' THEN
        RAISE EXCEPTION 'weights must be a JSON object, not %', jsonb_typeof(weights)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass a JSON object of key: weight, e.g. ''{"a": 3, "b": 1}'', or use jsonb_object_agg(key, weight).';
    END IF;
    SELECT e.key, jsonb_typeof(e.value) AS t INTO bad
      FROM jsonb_each(weights) e WHERE jsonb_typeof(e.value) <> 'number' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'weight of "%" is a JSON %, not a number', bad.key, bad.t
            USING ERRCODE = CASE WHEN bad.t = 'null' THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'Weights are finite numbers >= 0.';
    END IF;
    RETURN QUERY
        SELECT a.key, a.seats, a.quota, a.tie
          FROM settle.apportion(total,
                   ARRAY(SELECT e.key FROM jsonb_each(weights) e ORDER BY e.key COLLATE "C"),
                   ARRAY(SELECT e.value::numeric FROM jsonb_each(weights) e ORDER BY e.key COLLATE "C"),
                   method, first_divisor => first_divisor) a;
END
$fn$;

COMMENT ON FUNCTION settle.apportion(integer, jsonb, text, numeric) IS
$$Convenience form of settle.apportion for a JSON object of key: weight (e.g. from jsonb_object_agg). Rows come back ordered by key (C collation); ties are broken in that order. No bounds or prior: use the array form for those.$$;
