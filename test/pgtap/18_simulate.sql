-- The year simulator (0.3.0): a hand-built year played half-monthly, with
-- and without the annual plan holding matching back, figures per month,
-- bad input, and nothing left behind.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(17);
\i test/lib/hint_of.sql
SET LOCAL settle.today = '2026-12-20';
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2027, 36, 'J');
INSERT INTO county_quota (year, county, quota, decision_ref, decision_date) VALUES (2027, '10', 36, 'J', '2026-12-01');
INSERT INTO municipal_quota (year, municipality, quota, decision_ref, decision_date)
VALUES (2027, '1080', 24, 'L', '2026-12-15'), (2027, '1081', 12, 'L', '2026-12-15');
SELECT count(*) FROM spread_plan(2027, '10');   -- 2 and 1 persons a month
-- three single persons living in Ronneby (1081) arrive on 1 January, one in Karlskrona on 20 January
CREATE TEMP TABLE arrivals AS
SELECT * FROM (VALUES ('S-1', 'abo', 1, '1081'::kommunkod, date '2026-12-02', '{}'::text[], NULL::text, date '2027-01-01'),
                      ('S-2', 'abo', 1, '1081', date '2026-12-03', '{}', NULL, date '2027-01-01'),
                      ('S-3', 'abo', 1, '1081', date '2026-12-04', '{}', NULL, date '2027-01-01'),
                      ('S-4', 'abo', 1, '1080', date '2026-12-05', '{}', NULL, date '2027-01-20'))
       AS a(ref, category, persons, residence, permit_date, needs, linked_group, arrives);
CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM household) AS households, (SELECT count(*) FROM referral) AS referrals,
       (SELECT count(*) FROM decision_log) AS log, (SELECT count(*) FROM quota_history) AS history,
       (SELECT sum(referred) FROM municipal_quota) AS referred, current_setting('settle.today') AS today;
CREATE TEMP TABLE jan AS SELECT * FROM simulate_year(2027, 'arrivals') WHERE month = 1;

SELECT is((SELECT referred_persons || ' of ' || planned_persons FROM jan), '3 of 3',
          'January: 3 persons referred against 3 planned (batches on the 1st, 16th and 31st; on the 31st S-4 finds no room under the plan)');
SELECT is((SELECT ahead_municipalities || ' ' || ahead_persons || ' ' || passed_over_hard FROM jan), '0 0 0',
          '... no municipality ahead of plan, no one passed over');
SELECT is((SELECT person_km FROM jan), round((2 * (SELECT distance_km FROM proximity WHERE residence = '1081' AND municipality = '1080'))::numeric, 1),
          '... Ronneby''s January place goes to one of them, the other two travel to Karlskrona');
SELECT is((SELECT wait_median_other || ' ' || wait_p90_other FROM jan), '29.0 29.8',
          '... after 30, 29 and 28 days since the permit (median, 90th percentile)');
SELECT is((SELECT waiting_households FROM jan), 1, '... and S-4 waits at the end of January');
SELECT is((SELECT referred_persons || ' ' || waiting_households FROM simulate_year(2027, 'arrivals') WHERE month = 2), '1 0',
          'February: S-4 is referred on 15 February');
UPDATE setting SET value = '12' WHERE name = 'matching.plan_lead_months';
SELECT is((SELECT person_km || ' ' || ahead_municipalities || ' ' || ahead_persons FROM simulate_year(2027, 'arrivals') WHERE month = 1), '0.0 1 2',
          'without the plan holding matching back, all three stay in Ronneby (0 km), 2 persons ahead of its plan');
UPDATE setting SET value = '0' WHERE name = 'matching.plan_lead_months';
SELECT is((SELECT count(*)::int FROM simulate_year(2027, 'arrivals', 30, 'optimal')), 12, 'monthly batches in the optimal mode: a row per month');
SELECT is((SELECT sum(passed_over_where_fit) || ' ' || count(passed_over_beyond_limit) FROM simulate_year(2027, 'arrivals')), '0 0',
          'no hard-to-place household is passed over where it fit; no limit, no figure beyond it');

-- nothing stays
SELECT is((SELECT (SELECT count(*) FROM household) || ' ' || (SELECT count(*) FROM referral) || ' ' || (SELECT count(*) FROM decision_log)
                  || ' ' || (SELECT count(*) FROM quota_history) || ' ' || (SELECT sum(referred) FROM municipal_quota) || ' ' || current_setting('settle.today')),
          (SELECT households || ' ' || referrals || ' ' || log || ' ' || history || ' ' || referred || ' ' || today FROM before),
          'nothing of the simulations stays: households, referrals, log, history, counts, settle.today');

-- a hard-to-place household (care only Ronneby gives) behind an easier, earlier one
INSERT INTO capability (year, municipality, need) VALUES (2027, '1081', 'specialist_care');
CREATE TEMP TABLE arrivals2 AS
SELECT * FROM (VALUES ('T-E', 'abo', 3, '1081'::kommunkod, date '2026-11-01', '{}'::text[], NULL::text, date '2027-03-01'),
                      ('T-H', 'abo', 3, '1081', date '2026-11-02', '{specialist_care}', NULL, date '2027-03-01'))
       AS a(ref, category, persons, residence, permit_date, needs, linked_group, arrives);
SELECT is((SELECT string_agg(month || ':' || referred_persons || '/' || coalesce(wait_median_hard::text, '-'), ' ' ORDER BY month)
             FROM simulate_year(2027, 'arrivals2') WHERE referred_persons > 0), '3:3/- 6:3/225.0',
          'in queue order the easier household takes Ronneby''s planned places in March, and the one needing care waits until June (225 days)');
UPDATE setting SET value = '100' WHERE name = 'matching.max_passed_over_days';
SELECT is((SELECT wait_median_hard || ' ' || wait_median_other || ' ' || passed_over_beyond_limit FROM simulate_year(2027, 'arrivals2') WHERE month = 3),
          '120.0 121.0 0',
          'with matching.max_passed_over_days 100 it goes first on 2 March (120 days), the other goes elsewhere, none is passed over beyond the limit');
UPDATE setting SET value = 'none' WHERE name = 'matching.max_passed_over_days';
DELETE FROM capability;

-- bad input
SELECT throws_ok($$SELECT * FROM settle.simulate_year(2031, 'arrivals')$$, 'P0002', NULL, 'an unknown year');
SELECT throws_ok($$SELECT * FROM settle.simulate_year(2027, 'arrivals', 0)$$, '22023', NULL, 'batch_days 0');
SELECT throws_ok($$SELECT * FROM settle.simulate_year(2027, 'arrivals', 15, 'fastest')$$, '22023', NULL, 'an unknown mode');
CREATE TEMP TABLE thin AS SELECT ref, persons FROM arrivals;
SELECT throws_ok($$SELECT * FROM settle.simulate_year(2027, 'thin')$$, '42703',
                 'arrivals table thin lacks the columns category, residence, permit_date, needs, linked_group, arrives', 'an arrivals table without the columns');
SELECT throws_ok($$SELECT * FROM settle.simulate_year(2027, 'no_such_table')$$, '42P01', NULL, 'an arrivals table that does not exist');

SELECT * FROM finish();
ROLLBACK;
