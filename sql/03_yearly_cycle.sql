-- A year of quotas: national volume, distribution model, county quotas
-- (länstal), municipal quotas (kommuntal), an annual plan, referrals, a
-- revision agreed between two municipalities, a revision refused because it
-- would go below the referrals already issued, the audit, and the quotas in
-- force at a past moment.  The year is 2027; settle.today pins "today".
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;
SET settle.today = '2027-01-10';
\set SHOW_CONTEXT never

-- 1. The government fixes the national volume; the agency picks the method.
INSERT INTO planning_year (year, national_volume, method, decision_ref)
VALUES (2027, 5000, 'hamilton', 'Ju2026/04711');

-- 2. The distribution model: factors, their weights, and values per
-- municipality.  (Illustrative factors from the reference data: population,
-- population growth 2009-2019 as a labour-market proxy, and density, whose
-- negative weight lowers the share of crowded municipalities.)
INSERT INTO model_weight (year, factor, weight, description) VALUES
    (2027, 'population', 0.5, 'inhabitants 31 Dec 2019'),
    (2027, 'growth', 0.6, 'population growth 2009-2019 (labour-market proxy)'),
    (2027, 'density', -0.1, 'inhabitants per km2');
INSERT INTO model_input (year, municipality, factor, value)
SELECT 2027, code, 'population', population FROM municipality;
INSERT INTO model_input (year, municipality, factor, value)
SELECT 2027, p19.municipality, 'growth', greatest(p19.population - p09.population, 0)
  FROM population p19 JOIN population p09 ON p09.municipality = p19.municipality AND p09.year = 2009
 WHERE p19.year = 2019;
INSERT INTO model_input (year, municipality, factor, value)
SELECT 2027, code, 'density', round(population / area_km2, 1) FROM municipality WHERE area_km2 IS NOT NULL;

-- Why does Karlskrona get its share?  Each factor's contribution:
SELECT municipality, round(share, 6) AS share, jsonb_pretty(contributions - 'share_of_positive_scores') AS why
  FROM model_shares(2027) WHERE municipality = '1080';

-- 3. The proposed county quotas, then the decision.
SELECT county, round(share, 4) AS share, round(fair_quota, 2) AS fair_quota, quota FROM propose_county_quotas(2027);
SELECT count(*) AS counties, sum(quota) AS total FROM decide_county_quotas(2027, 'Ju2026/05000', '2026-12-01');

-- A county quota that breaks the sum is refused at commit.
BEGIN;
UPDATE county_quota SET quota = quota + 10 WHERE year = 2027 AND county = '10';
COMMIT;

-- 4. Each county board decides its municipal quotas (here all of them).
SELECT c.code, (SELECT sum(quota) FROM decide_municipal_quotas(2027, c.code, 'Lst-' || c.letter || '-2027-1', '2026-12-15')) AS decided
  FROM county c WHERE c.code IN ('10', '25') ORDER BY c.code;
SELECT count(*) FROM county c, decide_municipal_quotas(2027, c.code, 'Lst-' || c.letter || '-2027-1', '2026-12-15')
 WHERE c.code NOT IN ('10', '25');
SELECT municipality, name, quota FROM quota_status(2027) WHERE county = '10' ORDER BY municipality NULLS FIRST;

-- 5. The annual plan, front-loaded to the first half of the year.
SELECT count(*) AS months FROM spread_plan(2027, profile => ARRAY[2,2,2,2,2,2,1,1,1,1,1,1]);
SELECT string_agg(planned::text, ' ' ORDER BY month) AS karlskrona_plan FROM annual_plan WHERE year = 2027 AND municipality = '1080';

-- 6. Households are registered and referred.
SELECT register_household('MIG-2026-0001', 'abo', 5, '1080', '2026-10-01') AS h1 \gset
SELECT register_household('MIG-2026-0002', 'abo', 3, '1081', '2026-10-03') AS h2 \gset
SELECT register_household('MIG-2026-0003', 'quota_refugee', 4, NULL, '2026-11-20', '{large_dwelling}') AS h3 \gset
SELECT register_household('MIG-2026-0001', 'abo', 5, '1080', '2026-10-01') = :h1 AS same_id_again;
SELECT refer(:h1, '1080', '2027-01-05 10:00+01', 'Anv-1') IS NOT NULL AS referred;
SELECT refer(:h2, '1081', '2027-01-05 11:00+01', 'Anv-2') IS NOT NULL AS referred;
-- Ronneby cannot meet a need for a large dwelling ...
SELECT refer(:h3, '1081', '2027-01-06 09:00+01', 'Anv-3');
-- ... Karlskrona can.
INSERT INTO capability (year, municipality, need) VALUES (2027, '1080', 'large_dwelling');
SELECT refer(:h3, '1080', '2027-01-06 09:00+01', 'Anv-3') IS NOT NULL AS referred;
SELECT municipality, quota, referred, remaining FROM quota_status(2027) WHERE municipality IN ('1080', '1081');

-- The revision below is dated today (settle.today, 2027-01-10) and takes
-- effect at the start of that day: remember a moment before it.
SELECT timestamptz '2027-01-09 12:00+01' AS before_revision \gset

-- 7. Karlskrona and Ronneby agree to move 5 places; the county board decides.
SELECT * FROM revise_quotas(2027, 'Lst-K-2027-17', ARRAY['1080', '1081']::kommunkod[], ARRAY[-5, 5]);
-- The plan follows: Karlskrona's months still sum to its quota.
SELECT sum(planned) AS karlskrona_planned, (SELECT quota FROM municipal_quota WHERE year = 2027 AND municipality = '1080') AS quota
  FROM annual_plan WHERE year = 2027 AND municipality = '1080';

-- 8. Refused: below the persons already referred, across counties, or changing the länstal.
SELECT * FROM revise_quotas(2027, 'Lst-K-2027-18', ARRAY['1081', '1082']::kommunkod[],
                            ARRAY[-(SELECT quota - 2 FROM municipal_quota WHERE year = 2027 AND municipality = '1081'),
                                  (SELECT quota - 2 FROM municipal_quota WHERE year = 2027 AND municipality = '1081')]);
SELECT * FROM revise_quotas(2027, 'X-1', ARRAY['1080', '0180']::kommunkod[], ARRAY[-1, 1]);
SELECT * FROM revise_quotas(2027, 'X-2', ARRAY['1080', '1081']::kommunkod[], ARRAY[-1, 2]);
-- A plain UPDATE cannot do it either.
UPDATE municipal_quota SET quota = 1 WHERE year = 2027 AND municipality = '1080';
-- Nor can one delete a quota with referrals, or rewrite history.
DELETE FROM municipal_quota WHERE year = 2027 AND municipality = '1080';
DELETE FROM quota_history;
UPDATE decision_log SET actor = 'someone else';

-- 9. A withdrawal frees its places; reception is reported.
SELECT status FROM withdraw((SELECT id FROM referral WHERE decision_ref = 'Anv-2'), 'the household found housing itself');
SELECT status, received_on FROM receive((SELECT id FROM referral WHERE decision_ref = 'Anv-1'), '2027-02-01');

-- 10. The follow-up, the audit and the log.
SET settle.today = '2027-02-15';
SELECT level, county, municipality, quota, referred, received, remaining, planned_to_date, deviation, fulfilment_pct
  FROM quota_status(2027) WHERE county = '10';
SELECT * FROM audit(2027);
SELECT seal_log() > 0 AS sealed;
SELECT intact, entries > 0 AS has_entries FROM verify_log();
SELECT kind, count(*) FROM decision_log WHERE year = 2027 GROUP BY kind ORDER BY kind;

-- 11. The quotas in force before the revision, and the history of Karlskrona's.
SELECT municipality, quota FROM quota_as_of(2027, :'before_revision') WHERE municipality IN ('1080', '1081');
SELECT municipality, quota, change, decision_ref, valid_to IS NULL AS in_force
  FROM quota_history_periods WHERE year = 2027 AND municipality = '1080' ORDER BY valid_from, id;
