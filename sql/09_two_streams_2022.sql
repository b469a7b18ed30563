-- A 2022-like year with two quota streams side by side.  The ordinary
-- stream uses the published länstal of 2022 (SFS 2021:870, 7,500 persons);
-- from June, persons with temporary protection are settled under their own
-- distribution numbers (Distribution-numbers letter 2022, dnr
-- 7.1-2022-11979), decided as the stream temporary_protection.  The volume
-- of that stream (20,000) and the protected persons already living in
-- Blekinge are illustrative: they are not in the shipped data.
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;
\set SHOW_CONTEXT never
SET settle.today = '2021-11-15';

-- The ordinary stream: the published länstal, and Blekinge's kommuntal by population.
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2022, 7500, 'SFS 2021:870');
INSERT INTO county_quota (year, county, quota, decision_ref, decision_date)
SELECT 2022, county, quota, statute, '2021-11-15' FROM published_county_quota WHERE year = 2022 AND NOT revised;
INSERT INTO model_weight (year, factor, weight) VALUES (2022, 'population', 1), (2022, 'present_protected', 0);
INSERT INTO model_input SELECT 2022, municipality, 'population', population FROM population WHERE year = 2019;
SELECT municipality, quota FROM decide_municipal_quotas(2022, '10', 'Lst-K-2022-1', '2021-12-01') ORDER BY municipality;
SELECT count(*) AS months FROM spread_plan(2022, '10');

-- June: the stream temporary_protection joins the year with its own volume.
SET settle.today = '2022-06-17';
INSERT INTO year_stream (year, stream, national_volume, decision_ref, note)
VALUES (2022, 'temporary_protection', 20000, 'illustrative', 'persons with temporary protection, mass-influx directive');
SELECT stream, national_volume, method, decision_ref FROM year_streams WHERE year = 2022 ORDER BY stream;
-- protected persons already living in Blekinge (illustrative) count towards its share
INSERT INTO model_input (year, municipality, factor, value)
VALUES (2022, '1080', 'present_protected', 120), (2022, '1081', 'present_protected', 15), (2022, '1082', 'present_protected', 60);
SELECT count(*) AS municipalities, sum(quota) AS persons FROM decide_distribution_numbers(2022, 'dnr 7.1-2022-11979', '2022-06-17');
SELECT d.municipality, d.present, round(d.fair_share, 2) AS fair_share, mq.quota AS decided
  FROM distribution_numbers(2022, 20000) d
  JOIN municipal_quota mq ON mq.year = 2022 AND mq.stream = 'temporary_protection' AND mq.municipality = d.municipality
 WHERE d.county = '10' ORDER BY d.municipality;
SELECT stream, quota FROM county_quota WHERE year = 2022 AND county = '10' ORDER BY stream;

-- Each household belongs to a stream, and its referral counts there only.
SELECT household_stream(NULL, 'temporary_protection', 2022) AS protected, household_stream(NULL, 'abo', 2022) AS abo,
       household_stream(NULL, 'temporary_protection', 2021) AS protected_2021;
SELECT refer(register_household('UA-2022-001', 'temporary_protection', 3, '1081', '2022-04-02'), '1081', '2022-06-20 10:00+02') > 0 AS protected_referred,
       refer(register_household('MIG-2022-017', 'abo', 2, '1081', '2021-12-01'), '1081', '2022-06-20 10:00+02') > 0 AS abo_referred;
SELECT h.ref, h.category, r.stream, r.municipality, r.persons FROM referral r JOIN household h ON h.id = r.household WHERE r.year = 2022 ORDER BY r.id;
SELECT stream, quota, referred FROM municipal_quota WHERE year = 2022 AND municipality = '1081' ORDER BY stream;

-- Rules per stream: a revision moves places within one stream and county,
-- and never below the persons referred in that stream.
SELECT * FROM revise_quotas(2022, 'Avtal TP-1', ARRAY['1082', '1083']::kommunkod[], ARRAY[-2, 2], '2022-07-01', 'temporary_protection');
SELECT * FROM revise_quotas(2022, 'Avtal TP-2', ARRAY['1081', '1083']::kommunkod[],
                            ARRAY[-(SELECT quota - 2 FROM municipal_quota WHERE year = 2022 AND stream = 'temporary_protection' AND municipality = '1081'),
                                  (SELECT quota - 2 FROM municipal_quota WHERE year = 2022 AND stream = 'temporary_protection' AND municipality = '1081')],
                            '2022-07-01', 'temporary_protection');

-- The status of Blekinge per stream, and of one stream alone.
SELECT stream, level, municipality, quota, referred, remaining, planned_to_date
  FROM quota_status(2022, '2022-07-31') WHERE county = '10' AND level = 'county' ORDER BY stream;
SELECT municipality, quota, referred, remaining
  FROM quota_status(2022, '2022-07-31', '{temporary_protection}') WHERE county = '10' AND level = 'municipality';
-- Every rule holds in both streams.
SELECT * FROM audit(2022);
