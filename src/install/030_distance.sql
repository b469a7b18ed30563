-- 030_distance.sql: great-circle distances (C: src/distance.c).

CREATE FUNCTION settle.distance_km(lat1 double precision, lon1 double precision,
                                   lat2 double precision, lon2 double precision)
    RETURNS double precision
    AS 'MODULE_PATHNAME', 'settle_distance_km'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION settle.distance_km(double precision, double precision, double precision, double precision) IS
    'Great-circle (haversine) distance in km between two WGS84 points given as latitude/longitude in degrees; mean Earth radius 6371.0088 km.';

CREATE FUNCTION settle.distance_km(a settle.kommunkod, b settle.kommunkod)
    RETURNS double precision
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    pa settle.municipality;
    pb settle.municipality;
BEGIN
    SELECT * INTO pa FROM settle.municipality m WHERE m.code = a;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'municipality % does not exist', a
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'settle.municipality lists the municipalities and their centroids.';
    END IF;
    SELECT * INTO pb FROM settle.municipality m WHERE m.code = b;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'municipality % does not exist', b
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'settle.municipality lists the municipalities and their centroids.';
    END IF;
    RETURN settle.distance_km(pa.lat, pa.lon, pb.lat, pb.lon);
END
$fn$;
COMMENT ON FUNCTION settle.distance_km(settle.kommunkod, settle.kommunkod) IS
    'Great-circle distance in km between the centroids of two municipalities in settle.municipality (0 for the same one).';
