-- settle.distance_km: zero, symmetry, triangle inequality, an independent formula, bad input.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(14);

SELECT is(distance_km('0180', '0180'), 0::float8, 'same municipality: 0 km');
SELECT is((SELECT count(*)::int FROM municipality WHERE distance_km(code, code) <> 0), 0, '0 km for each of the 290');

-- Stockholm-Göteborg against the spherical law of cosines computed here in SQL
-- from the centroids in the data (an independent formula), within 1 %.
SELECT ok(abs(distance_km('0180', '1480') - ref.km) / ref.km < 0.01,
          format('Stockholm-Göteborg %s km is within 1 %% of %s km', round(distance_km('0180', '1480')::numeric, 1), round(ref.km::numeric, 1)))
  FROM (SELECT 6371.0088 * acos(sin(radians(a.lat)) * sin(radians(b.lat))
                               + cos(radians(a.lat)) * cos(radians(b.lat)) * cos(radians(b.lon - a.lon))) AS km
          FROM municipality a, municipality b WHERE a.code = '0180' AND b.code = '1480') ref;
-- and the same for every pair of municipalities, within 0.1 %
SELECT is((SELECT count(*)::int
             FROM municipality a JOIN municipality b ON a.code < b.code
            WHERE abs(distance_km(a.code, b.code)
                      - 6371.0088 * acos(least(1, sin(radians(a.lat)) * sin(radians(b.lat))
                               + cos(radians(a.lat)) * cos(radians(b.lat)) * cos(radians(b.lon - a.lon)))))
                  > 0.001 * distance_km(a.code, b.code) + 1e-6), 0,
          'all 41,905 pairs agree with the law of cosines within 0.1 %');
SELECT is((SELECT count(*)::int FROM municipality a JOIN municipality b ON a.code < b.code
            WHERE distance_km(a.code, b.code) <> distance_km(b.code, a.code)), 0, 'symmetric for all pairs');
SELECT is((SELECT count(*)::int
             FROM municipality a, municipality b, municipality c
            WHERE a.code::int % 7 = 0 AND b.code::int % 5 = 0 AND c.code::int % 3 = 0
              AND distance_km(a.code, c.code) > distance_km(a.code, b.code) + distance_km(b.code, c.code) + 1e-9), 0,
          'triangle inequality on many triples');
SELECT cmp_ok((SELECT max(distance_km(a.code, b.code)) FROM municipality a, municipality b WHERE a.code < b.code),
              '<', 1600::float8, 'no two centroids in Sweden are 1,600 km apart');
SELECT is(distance_km(0, 0, 0, 180)::numeric(10,3), (pi() * 6371.0088)::numeric(10,3), 'half the equator');
SELECT is(distance_km(90, 0, -90, 0)::numeric(10,3), (pi() * 6371.0088)::numeric(10,3), 'pole to pole');
SELECT is(distance_km(59.5, 18.0, 59.5, 18.0), 0::float8, 'the float8 form: same point');

SELECT throws_ok($$SELECT settle.distance_km('0180', '0199')$$, '22023', 'municipality 0199 does not exist', 'unknown municipality');
SELECT throws_ok($$SELECT settle.distance_km(91, 0, 0, 0)$$, '22003', 'lat1 91 is out of range', 'latitude > 90');
SELECT throws_ok($$SELECT settle.distance_km(0, 0, 0, 'NaN')$$, '22003', 'lon2 NaN is out of range', 'NaN');
SELECT is(distance_km(NULL::kommunkod, '0180'), NULL, 'NULL in, NULL out');

SELECT * FROM finish();
ROLLBACK;
