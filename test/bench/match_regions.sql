-- test/bench/match_regions.sql: the XL instance against 1,500 synthetic
-- regions instead of the 290 municipalities, as arrays for settle's C core
-- (settle.match_core_summary), built deterministically from the seed.
--
--   psql -v households=400000 -v seed=0.42 -v ratio=1.02 -f test/bench/match_regions.sql
--
-- Regions: each municipality is split into regions in proportion to its
-- population (at least one; 1,500 in all), each region at the centroid
-- moved up to 0.15 degrees, in the municipality's county.  Proximity cost:
-- distance, plus matching.neighbour_county_km / other_county_km as for
-- municipalities.  Households: the same sizes, 5 % quota refugees, 10 % needs
-- (one of five, bits 0-4) as match_instance.sql, residences weighted by
-- population^1.15 over the regions, linked groups left out (the arrays are
-- placements).  Capacity: ratio x all persons, apportioned over the regions
-- by population (settle.apportion, Hamilton); each need is met by a seeded
-- share of the regions.  Leaves a table regions_problem with one row of
-- arrays.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS settle;
SELECT setseed(:seed);
CREATE TEMP TABLE muni_split AS
SELECT m.code, m.county, m.lat, m.lon, m.population, a.seats AS regions
  FROM settle.municipality m
  JOIN settle.apportion(1500, ARRAY(SELECT code::text FROM settle.municipality ORDER BY code),
                        ARRAY(SELECT population::numeric FROM settle.municipality ORDER BY code), 'hamilton',
                        min_seats => ARRAY(SELECT 1 FROM settle.municipality ORDER BY code)) a ON a.key = m.code::text;
CREATE TEMP TABLE region AS
SELECT row_number() OVER (ORDER BY s.code, g)::integer - 1 AS idx, s.code, s.county,
       s.lat + (random() - 0.5) * 0.3 AS lat, s.lon + (random() - 0.5) * 0.3 AS lon,
       (s.population / s.regions)::numeric AS population,
       (random() < 0.5)::int + 2 * (random() < 0.5)::int + 4 * (random() < 0.4)::int
       + 8 * (random() < 0.5)::int + 16 * (random() < 0.3)::int AS able
  FROM muni_split s, generate_series(1, s.regions) g;
CREATE TEMP TABLE reg_weight AS SELECT idx, sum(power(population, 1.15)) OVER (ORDER BY idx) AS cum FROM region;
CREATE INDEX ON reg_weight (cum);
CREATE TEMP TABLE place AS
SELECT g, 1 + (CASE WHEN r_size < 0.40 THEN 0 WHEN r_size < 0.60 THEN 1 WHEN r_size < 0.75 THEN 2 WHEN r_size < 0.87 THEN 3
                     WHEN r_size < 0.93 THEN 4 WHEN r_size < 0.96 THEN 5 WHEN r_size < 0.98 THEN 6 WHEN r_size < 0.99 THEN 7 ELSE 8 END) AS persons,
       CASE WHEN r_cat < 0.05 THEN -1
            ELSE (SELECT w.idx FROM reg_weight w WHERE w.cum >= r_res * (SELECT max(cum) FROM reg_weight) ORDER BY w.cum LIMIT 1) END AS residence,
       CASE WHEN r_need >= 0.10 THEN 0 ELSE (1 << floor(r_need2 * 5)::int) END::bigint AS needs
  FROM (SELECT g, random() AS r_size, random() AS r_cat, random() AS r_res, random() AS r_need, random() AS r_need2
          FROM generate_series(1, :households) g) x;
CREATE TEMP TABLE regions_problem AS
SELECT ARRAY(SELECT persons FROM place ORDER BY g) AS persons,
       ARRAY(SELECT residence FROM place ORDER BY g) AS residence,
       ARRAY(SELECT needs FROM place ORDER BY g) AS needs,
       ARRAY(SELECT -1 FROM place ORDER BY g) AS fixed,
       ARRAY(SELECT a.seats FROM region r JOIN settle.apportion((SELECT ceil(sum(persons) * :ratio)::integer FROM place),
                                                           ARRAY(SELECT idx::text FROM region ORDER BY idx),
                                                           ARRAY(SELECT population FROM region ORDER BY idx)) a ON a.key = r.idx::text
              ORDER BY r.idx) AS capacity,
       ARRAY(SELECT 0 FROM region ORDER BY idx) AS planned,
       ARRAY(SELECT able::bigint FROM region ORDER BY idx) AS able,
       ARRAY(SELECT false FROM region ORDER BY idx) AS paused,
       ARRAY(SELECT settle.distance_km(a.lat, a.lon, b.lat, b.lon)
                    + CASE WHEN a.county = b.county THEN 0 WHEN cn.county IS NOT NULL THEN settle.setting_km('matching.neighbour_county_km')
                           ELSE settle.setting_km('matching.other_county_km') END
               FROM region a CROSS JOIN region b
               LEFT JOIN settle.county_neighbours cn ON cn.county = a.county AND cn.neighbour = b.county
              ORDER BY a.idx, b.idx) AS cost;
SELECT count(*) AS regions, (SELECT cardinality(persons) FROM regions_problem) AS placements FROM region;
