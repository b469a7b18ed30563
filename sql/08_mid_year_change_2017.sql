-- A change of the national volume during the year, replayed with the
-- published länstal (settle.published_county_quota): 2017's were decided at
-- 30,600 persons (SFS 2016:874) and lowered to 23,600 during the year (SFS
-- 2017:27).  The agency decides the new länstal; each county's kommuntal then
-- await re-decision by its county board, shown as such by quota_status and
-- audit; referrals go on under the kommuntal in force.  The statutes' dates
-- are not in the shipped data: the dates here are the scenario's.
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;
\set SHOW_CONTEXT never
SET settle.today = '2016-11-01';

-- The year as first decided.
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2017, 30600, 'SFS 2016:874');
INSERT INTO county_quota (year, county, quota, decision_ref, decision_date)
SELECT 2017, county, quota, statute, '2016-11-01' FROM published_county_quota WHERE year = 2017 AND NOT revised;
-- Blekinge's county board splits its länstal by population.
INSERT INTO model_weight (year, factor, weight) VALUES (2017, 'population', 1);
INSERT INTO model_input SELECT 2017, municipality, 'population', population FROM population WHERE year = 2017;
SELECT municipality, quota FROM decide_municipal_quotas(2017, '10', 'Lst-K-2017-1', '2016-12-01') ORDER BY municipality;

-- January: referrals to Karlskrona under that kommuntal.
SET settle.today = '2017-01-31';
SELECT count(refer(register_household('K-' || g, 'abo', 5, '1080', '2016-09-01'), '1080', '2017-01-10 10:00+01')) AS referred
  FROM generate_series(1, 16) g;

-- February: the government lowers the volume; the agency decides the new
-- länstal in one transaction (the national volume and every county quota).
SET settle.today = '2017-02-01';
BEGIN;
UPDATE planning_year SET national_volume = 23600, decision_ref = 'SFS 2017:27' WHERE year = 2017;
UPDATE county_quota c SET quota = p.quota, decision_ref = p.statute, decision_date = '2017-02-01'
  FROM published_county_quota p WHERE p.year = 2017 AND p.revised AND p.county = c.county AND c.year = 2017;
COMMIT;
SELECT quota FROM county_quota WHERE year = 2017 AND county = '10';

-- Blekinge's kommuntal now await re-decision: shown, not a broken rule.
SELECT level, municipality, name, quota, referred, remaining, kommuntal_awaiting
  FROM quota_status(2017, '2017-02-15') WHERE county = '10';
SELECT rule, subject, detail FROM audit(2017);

-- Referrals go on under the kommuntal in force, and never beyond it.
SET settle.today = '2017-02-20';
SELECT refer(register_household('K-31', 'abo', 4, '1081', '2016-09-01'), '1081', '2017-02-20 10:00+01') > 0 AS referred;
SELECT refer(register_household('K-32', 'abo', 34, '1081', '2016-09-01'), '1081', '2017-02-20 11:00+01');

-- March: the county board decides new kommuntal summing to the new länstal;
-- none falls below the persons already referred (Karlskrona keeps 80).
SET settle.today = '2017-03-01';
SELECT municipality, quota FROM decide_municipal_quotas(2017, '10', 'Lst-K-2017-2', '2017-03-01') ORDER BY municipality;
SELECT level, municipality, quota, referred, kommuntal_awaiting
  FROM quota_status(2017, '2017-03-15') WHERE county = '10';
SELECT * FROM audit(2017);

-- The history keeps both decisions, each from its own date.
SELECT coalesce(municipality::text, 'county ' || county) AS quota_of, quota, local_date(valid_from) AS in_force_from,
       local_date(valid_to) AS until, decision_ref
  FROM quota_history_periods WHERE year = 2017 AND county = '10' AND (municipality IS NULL OR municipality = '1080')
 ORDER BY municipality NULLS FIRST, valid_from;
SELECT d.as_of, (SELECT quota FROM quota_status(2017, d.as_of) WHERE level = 'county' AND county = '10') AS blekinge_kommuntal,
       (SELECT quota FROM quota_as_of(2017, local_instant(d.as_of + time '23:59')) WHERE municipality IS NULL AND county = '10') AS blekinge_lanstal
  FROM unnest(ARRAY['2016-11-30', '2017-01-31', '2017-02-15', '2017-03-15']::date[]) AS d(as_of);
