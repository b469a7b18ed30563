-- test/bench/simulate_arrivals.sql: the 2018 kommuntal and a seeded year of
-- arrivals sized to the 2018 reception, for test/bench/simulate.sh.
--
--   psql -v households=5100 -v seed=0.42 -f test/bench/simulate_arrivals.sql
--
-- What it builds (same seed and size, same year):
--  * planning year 2018: the published kommuntal of 2018
--    (settle.published_municipal_quota; 15,200 places), the county quotas as
--    their sums, an even annual plan;
--  * capabilities as in match_instance.sql, large dwellings counted (a
--    tenth of the kommuntal, at least 6 places);
--  * a table arrivals of households arriving evenly over the year, permits
--    15-60 days before arrival; residences drawn by the 2018 receptions from
--    the agency's accommodation (settle.published_reception), quota refugees
--    (no residence) in the share of the 2018 quota refugees among referred
--    receptions; 1-9 persons, 10 % with a need, linked groups 3 in 500.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS settle;
SELECT setseed(:seed);
SET settle.today = '2017-12-01';
INSERT INTO settle.planning_year (year, national_volume, decision_ref)
SELECT 2018, sum(quota), 'published 2018' FROM settle.published_municipal_quota WHERE year = 2018;
INSERT INTO settle.county_quota (year, county, quota, decision_ref, decision_date)
SELECT 2018, settle.lanskod(municipality), sum(quota), 'published 2018', '2017-11-01'
  FROM settle.published_municipal_quota WHERE year = 2018 GROUP BY 2;
INSERT INTO settle.municipal_quota (year, municipality, quota, decision_ref, decision_date)
SELECT 2018, municipality, quota, 'published 2018', '2017-11-15' FROM settle.published_municipal_quota WHERE year = 2018;
SELECT count(*) AS plan_months FROM settle.spread_plan(2018);
INSERT INTO settle.capability (year, municipality, need)
SELECT 2018, code, n FROM settle.municipality, unnest(ARRAY['accessible_housing', 'specialist_care', 'psychiatric_care']) n
 WHERE population > 40000;
-- large dwellings are counted: a tenth of the kommuntal, at least 6 places
INSERT INTO settle.capability (year, municipality, need, places)
SELECT 2018, m.code, 'large_dwelling', greatest(6, mq.quota / 10)
  FROM settle.municipality m JOIN settle.municipal_quota mq ON mq.year = 2018 AND mq.municipality = m.code
 ORDER BY md5(m.code::text || :seed) LIMIT 145;
INSERT INTO settle.capability (year, municipality, need)
SELECT 2018, code, 'unaccompanied_minor' FROM settle.municipality WHERE population > 20000 AND md5(code::text || :seed) < '9';

CREATE TEMP TABLE res_weight AS
SELECT municipality AS code, sum(from_accommodation) OVER (ORDER BY municipality) AS cum
  FROM settle.published_reception WHERE year = 2018 AND from_accommodation > 0;
CREATE TEMP TABLE gen AS
SELECT g, random() AS r_res, random() AS r_size, random() AS r_cat, random() AS r_need, random() AS r_need2,
       random() AS r_need3, random() AS r_permit
  FROM generate_series(1, :households) g;
CREATE TABLE arrivals AS
SELECT 'SIM-' || g AS ref,
       CASE WHEN r_cat < q.share THEN 'quota_refugee' ELSE 'abo' END AS category,
       CASE WHEN r_size < 0.30 THEN 1 WHEN r_size < 0.50 THEN 2 WHEN r_size < 0.65 THEN 3 WHEN r_size < 0.78 THEN 4
            WHEN r_size < 0.87 THEN 5 WHEN r_size < 0.93 THEN 6 WHEN r_size < 0.97 THEN 7 WHEN r_size < 0.99 THEN 8 ELSE 9 END AS persons,
       CASE WHEN r_cat < q.share THEN NULL
            ELSE (SELECT w.code FROM res_weight w WHERE w.cum >= r_res * (SELECT max(cum) FROM res_weight) ORDER BY w.cum LIMIT 1) END AS residence,
       (date '2018-01-01' + (g::bigint * 364 / :households)::integer - 15 - floor(r_permit * 46)::integer) AS permit_date,
       CASE WHEN r_need >= 0.10 THEN '{}'::text[]
            ELSE ARRAY[CASE WHEN r_need2 < 0.35 THEN 'accessible_housing' WHEN r_need2 < 0.60 THEN 'large_dwelling'
                            WHEN r_need2 < 0.80 THEN 'specialist_care' WHEN r_need2 < 0.95 THEN 'psychiatric_care'
                            ELSE 'unaccompanied_minor' END]
                 || CASE WHEN r_need3 < 0.10 THEN ARRAY['specialist_care'] ELSE '{}'::text[] END END AS needs,
       CASE WHEN g % 500 IN (1, 2, 3) THEN 'GROUP-' || (g / 500) END AS linked_group,
       (date '2018-01-01' + (g::bigint * 364 / :households)::integer) AS arrives
  FROM gen,
       (SELECT sum(quota_refugees)::numeric / sum(quota_refugees + from_accommodation) AS share
          FROM settle.published_reception WHERE year = 2018) q
 ORDER BY g;
RESET settle.today;
ANALYZE;
SELECT count(*) AS households, sum(persons) AS persons FROM arrivals;
