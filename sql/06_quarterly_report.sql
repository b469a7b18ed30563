-- Quarterly follow-up, for a county board and an analyst.
-- Blekinge in 2030: quotas from the model, an annual plan, referrals and
-- receptions in January-March, one referral overdue, one pause.  Then the
-- report the county board receives for the first quarter, reception per
-- inhabitant, lead times, fairness towards hard-to-place households, and
-- how to export any of them as CSV.
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;
\set SHOW_CONTEXT never
SET settle.today = '2030-03-31';

INSERT INTO planning_year (year, national_volume) VALUES (2030, 20000);
INSERT INTO model_weight VALUES (2030, 'population', 1);
INSERT INTO model_input SELECT 2030, code, 'population', population FROM municipality;
SELECT count(*) AS counties FROM decide_county_quotas(2030, 'Ju2029/1');
SELECT municipality, quota FROM decide_municipal_quotas(2030, '10', 'Lst-K-2030-1') ORDER BY municipality;
-- the plan spreads each kommuntal over the months, more in spring
SELECT count(*) AS plan_months FROM spread_plan(2030, '10', ARRAY[2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]);

-- Households registered in 2029 (a household's registration time decides
-- when it joined the queue); two are hard to place: a family of seven and a
-- person needing accessible housing.
INSERT INTO capability VALUES (2030, '1083', 'accessible_housing');
INSERT INTO household (ref, category, persons, residence, permit_date, needs, registered_at)
SELECT 'Q-' || v.tag, 'abo', v.persons, v.residence, v.permit, v.needs, v.permit + time '12:00'
  FROM (VALUES ('A', 3, '1080'::kommunkod, '2029-09-01'::date, '{}'::text[]),
               ('B', 7, '1080', '2029-09-05', '{}'),
               ('C', 2, '1081', '2029-09-10', '{}'),
               ('D', 1, '1082', '2029-09-20', '{accessible_housing}'),
               ('E', 4, '1082', '2029-10-01', '{}'),
               ('G', 2, '1083', '2029-10-15', '{}')) v(tag, persons, residence, permit, needs);
-- January: A, C and E are referred; B (seven persons) and D (a need) wait.
SELECT h.ref, refer(h.id, m, '2030-01-15 10:00+01') > 0 AS referred
  FROM (VALUES ('Q-A', '1080'::kommunkod), ('Q-C', '1081'), ('Q-E', '1082')) v(ref, m) JOIN household h ON h.ref = v.ref;
-- February: B and D get their places; A and C are received.
SELECT h.ref, refer(h.id, m, '2030-02-10 10:00+01') > 0 AS referred
  FROM (VALUES ('Q-B', '1080'::kommunkod), ('Q-D', '1083')) v(ref, m) JOIN household h ON h.ref = v.ref;
SELECT h.ref, receive(r.id, '2030-02-20') IS NOT NULL AS received
  FROM referral r JOIN household h ON h.id = r.household WHERE h.ref IN ('Q-A', 'Q-C') ORDER BY h.ref;
-- Karlshamn pauses for two weeks in March; G still waits on 31 March.
SELECT pause(2030, '1082', '2030-03-10', '2030-03-23', 'housing shortage') > 0 AS paused;

-- The county board's report for January-March, as of 31 March: E's
-- referral (15 January, two months) is overdue.
SELECT level, municipality, name, quota, referred, received, remaining, planned_to_date, deviation, overdue, pauses, paused_days, fulfilment_pct
  FROM county_report(2030, 1, '10');

-- Reception per 1,000 inhabitants in 2030 (population of 2019, the latest
-- shipped), Blekinge and the national row.
SELECT level, municipality, name, received, population, per_1000, above_median, national_median
  FROM reception_per_capita(2030) WHERE county = '10' AND received > 0 OR level = 'national';

-- Lead times from permit to referral and reception (days) on 31 March:
-- hard-to-place households against the rest.  (Households from the earlier
-- scenarios are counted too.)
SELECT category, hard_to_place, households, referred, to_referral_median, to_referral_max, received, to_reception_median, still_waiting
  FROM waiting_times('2030-03-31') WHERE category IS NULL AND hard_to_place IS NOT NULL;

-- Fairness: in January, A, C and E were referred while B and D (hard to
-- place; B before C and E in the queue, D before E) waited, and so did a
-- household from the matching scenario whose need is met nowhere; February
-- made up for B and D.
SELECT month, referred, referred_hard, passed_over_hard, passed_by_easier, finding
  FROM fairness(2030) WHERE month <= 3;
SELECT example FROM fairness(2030) WHERE month = 1;

-- Every report exports as CSV, for a spreadsheet or a BI tool:
COPY (SELECT municipality, name, quota, referred, received, fulfilment_pct FROM county_report(2030, 1, '10')) TO STDOUT WITH CSV HEADER;
