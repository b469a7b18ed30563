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
'Splits total whole seats over keys in proportion to weights, exactly, by a largest-remainder or divisor method with optional bounds and prior holdings (docs/apportionment.md).';

CREATE FUNCTION settle.apportion_seats(
    total integer,
    weights numeric[],
    method text DEFAULT 'hamilton',
    min_seats integer[] DEFAULT NULL,
    max_seats integer[] DEFAULT NULL,
    prior integer[] DEFAULT NULL,
    first_divisor numeric DEFAULT NULL,
    OUT seats integer[],
    OUT tie boolean[])
RETURNS record
AS 'MODULE_PATHNAME', 'settle_apportion_seats'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION settle.apportion_seats(integer, numeric[], text, integer[], integer[], integer[], numeric) IS
'settle.apportion by position for many units: seats and tie as arrays in the order of weights, without keys or quotas (docs/apportionment.md).';

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
'settle.apportion for a JSON object of key: weight (rows in key order), without bounds or prior holdings.';
