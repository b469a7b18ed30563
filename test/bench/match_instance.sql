-- test/bench/match_instance.sql: a deterministic matching instance on the
-- real 290 municipalities, for the matching benchmark and property tests.
--
--   psql -v households=8000 -v seed=0.42 -v ratio=1.02 -f test/bench/match_instance.sql
--
-- Same seed and size, same instance (PostgreSQL's setseed/random are
-- deterministic).  What it builds:
--  * waiting households (category abo, 5 % quota refugees without residence)
--    with 1-9 persons: 40 % 1, 20 % 2, 15 % 3, 12 % 4, 6 % 5, 3 % 6, 2 % 7,
--    1 % 8, 1 % 9 (mean 2.5);
--  * residences drawn with weight population^1.15: the agency's accommodation
--    is more concentrated in large municipalities than the population;
--  * 10 % with a need (accessible housing 35 %, large dwelling 25 %,
--    specialist care 20 %, psychiatric care 15 %, unaccompanied minor 5 %),
--    1 % with a second one;
--  * linked groups: 3 of every 500 households, in threes;
--  * permits spread over 2026 in queue order (with a few days of jitter);
--  * the 2027 quotas: national volume = ratio x all persons (default 1.02),
--    county and municipal quotas decided by settle from population;
--  * capabilities: accessible housing, specialist and psychiatric care in
--    municipalities over 40,000 inhabitants, large dwellings in a seeded
--    half, unaccompanied minors in a seeded 60 % of those over 20,000.
-- Matching is then run with SET settle.today = '2027-01-15'.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS settle;
SELECT setseed(:seed);

CREATE TEMP TABLE res_weight AS
SELECT code, sum(power(population, 1.15)) OVER (ORDER BY code) AS cum FROM settle.municipality;
CREATE INDEX ON res_weight (cum);
CREATE TEMP TABLE gen AS
SELECT g, random() AS r_res, random() AS r_size, random() AS r_cat, random() AS r_need, random() AS r_need2,
       random() AS r_need3, random() AS r_day
  FROM generate_series(1, :households) g;

INSERT INTO settle.household (ref, category, persons, residence, permit_date, needs, linked_group, registered_at)
SELECT 'BENCH-' || g,
       CASE WHEN r_cat < 0.05 THEN 'quota_refugee' ELSE 'abo' END,
       CASE WHEN r_size < 0.40 THEN 1 WHEN r_size < 0.60 THEN 2 WHEN r_size < 0.75 THEN 3 WHEN r_size < 0.87 THEN 4
            WHEN r_size < 0.93 THEN 5 WHEN r_size < 0.96 THEN 6 WHEN r_size < 0.98 THEN 7 WHEN r_size < 0.99 THEN 8 ELSE 9 END,
       CASE WHEN r_cat < 0.05 THEN NULL
            ELSE (SELECT w.code FROM res_weight w WHERE w.cum >= r_res * (SELECT max(cum) FROM res_weight) ORDER BY w.cum LIMIT 1) END,
       date '2026-01-01' + (g::bigint * 360 / :households)::integer + floor(r_day * 5)::integer,
       CASE WHEN r_need >= 0.10 THEN '{}'::text[]
            ELSE ARRAY[CASE WHEN r_need2 < 0.35 THEN 'accessible_housing' WHEN r_need2 < 0.60 THEN 'large_dwelling'
                            WHEN r_need2 < 0.80 THEN 'specialist_care' WHEN r_need2 < 0.95 THEN 'psychiatric_care'
                            ELSE 'unaccompanied_minor' END]
                 || CASE WHEN r_need3 < 0.10 THEN ARRAY['specialist_care'] ELSE '{}'::text[] END END,
       CASE WHEN g % 500 IN (1, 2, 3) THEN 'GROUP-' || (g / 500) END,
       timestamptz '2026-01-01 09:00+01' + make_interval(days => (g::bigint * 360 / :households)::integer, secs => g % 3600)
  FROM gen ORDER BY g;

INSERT INTO settle.planning_year (year, national_volume, decision_ref)
SELECT 2027, ceil(sum(persons) * :ratio)::integer, 'BENCH' FROM settle.household;
INSERT INTO settle.model_weight (year, factor, weight) VALUES (2027, 'population', 1);
INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
SELECT count(*) AS counties FROM settle.decide_county_quotas(2027, 'BENCH-L');
SELECT count(*) AS municipalities FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'BENCH-K');

INSERT INTO settle.capability (year, municipality, need)
SELECT 2027, code, n FROM settle.municipality, unnest(ARRAY['accessible_housing', 'specialist_care', 'psychiatric_care']) n
 WHERE population > 40000;
INSERT INTO settle.capability (year, municipality, need)
SELECT 2027, code, 'large_dwelling' FROM settle.municipality ORDER BY md5(code::text || :seed) LIMIT 145;
INSERT INTO settle.capability (year, municipality, need)
SELECT 2027, code, 'unaccompanied_minor' FROM settle.municipality WHERE population > 20000 AND md5(code::text || :seed) < '9';
ANALYZE;
