-- Referrals through a spring: households registered and referred, needs and
-- a pause respected, a withdrawal that frees places, receptions on time and
-- late, the follow-up of overdue referrals and the waiting list, and the
-- 2022-style distribution numbers for persons with temporary protection.
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;
\set SHOW_CONTEXT never
SET settle.today = '2028-01-15';

INSERT INTO planning_year (year, national_volume) VALUES (2028, 20000);
INSERT INTO model_weight (year, factor, weight) VALUES (2028, 'population', 1), (2028, 'present_protected', 0);
INSERT INTO model_input (year, municipality, factor, value) SELECT 2028, code, 'population', population FROM municipality;
SELECT count(*) AS counties FROM decide_county_quotas(2028, 'Ju2027/100');
SELECT sum(quota) AS kronoberg FROM decide_municipal_quotas(2028, '07', 'Lst-G-2028-1');
INSERT INTO capability (year, municipality, need) VALUES (2028, '0780', 'accessible_housing'), (2028, '0780', 'specialist_care');

-- Deadlines per category (a parameter): quota refugees one month here.
UPDATE setting SET value = '1 month' WHERE name = 'deadline.quota_refugee';

-- Six households.
CREATE TEMP TABLE h AS
SELECT * FROM (VALUES
    ('MIG-28-001', 'abo', 4, '0780'::kommunkod, '2027-09-01'::date, '{}'::text[], NULL::text),
    ('MIG-28-002', 'abo', 2, '0764', '2027-09-15', '{}', NULL),
    ('MIG-28-003', 'quota_refugee', 5, NULL, '2027-10-01', '{accessible_housing}', NULL),
    ('MIG-28-004', 'abo', 3, '0765', '2027-10-20', '{}', 'family-K'),
    ('MIG-28-005', 'abo', 1, '0765', '2027-10-21', '{}', 'family-K'),
    ('MIG-28-006', 'temporary_protection', 2, '0767', '2027-11-30', '{specialist_care}', NULL)) v(ref, category, persons, residence, permit, needs, linked);
CREATE TEMP TABLE hid AS
SELECT ref, register_household(ref, category, persons, residence, permit, needs, linked) AS id FROM h;

-- Referrals in January and February.
CREATE TEMP TABLE r AS
SELECT ref, refer((SELECT id FROM hid WHERE hid.ref = x.ref), m, at, 'Anv-' || ref) AS id
  FROM (VALUES ('MIG-28-001', '0780'::kommunkod, '2028-01-10 09:00+01'::timestamptz),
               ('MIG-28-002', '0764', '2028-01-11 09:00+01'),
               ('MIG-28-003', '0780', '2028-01-12 09:00+01'),
               ('MIG-28-004', '0765', '2028-02-01 09:00+01')) x(ref, m, at);
SELECT r.ref, f.municipality, f.persons, f.deadline, f.status FROM r JOIN referral f ON f.id = r.id ORDER BY r.ref;

-- A need the municipality cannot meet, and a pause, are refused.
SELECT refer((SELECT id FROM hid WHERE ref = 'MIG-28-006'), '0764', '2028-02-02 09:00+01');
SELECT pause(2028, '0780', '2028-02-01', '2028-02-29', 'no dwellings until March') > 0 AS paused;
SELECT refer((SELECT id FROM hid WHERE ref = 'MIG-28-006'), '0780', '2028-02-10 09:00+01');
SELECT refer((SELECT id FROM hid WHERE ref = 'MIG-28-006'), '0780', '2028-03-02 09:00+01') IS NOT NULL AS referred_after_the_pause;

-- Receptions: one on time, one late; a withdrawal frees its places.
SELECT status, received_on FROM receive((SELECT id FROM r WHERE ref = 'MIG-28-001'), '2028-02-20');
SELECT status, received_on FROM receive((SELECT id FROM r WHERE ref = 'MIG-28-002'), '2028-03-25');
SELECT referred AS before FROM municipal_quota WHERE year = 2028 AND municipality = '0765';
SELECT status, withdraw_reason FROM withdraw((SELECT id FROM r WHERE ref = 'MIG-28-004'), 'the family is to be placed together with MIG-28-005');
SELECT referred AS after FROM municipal_quota WHERE year = 2028 AND municipality = '0765';

-- Follow-up on 1 April: what is overdue, who is waiting (oldest permit first).
SET settle.today = '2028-04-01';
SELECT referral IS NOT NULL AS has_id, municipality, name, persons, decided_on, deadline, received_on, days_late, problem FROM overdue();
SELECT queue_position, (SELECT ref FROM hid WHERE hid.id = w.household) AS ref, category, persons, permit_date, days_waited, hard_to_place
  FROM waiting() w;
SELECT municipality, quota, referred, received, remaining FROM quota_status(2028) WHERE county = '07' AND level = 'municipality';

-- Temporary protection: 2,000 persons to distribute; those already living in
-- a municipality count towards its share.
INSERT INTO model_input (year, municipality, factor, value)
VALUES (2028, '0180', 'present_protected', 400), (2028, '1480', 'present_protected', 150), (2028, '0780', 'present_protected', 60);
SELECT municipality, round(share, 5) AS share, present, round(fair_share, 2) AS fair_share, to_receive
  FROM distribution_numbers(2028, 2000) WHERE municipality IN ('0180', '1480', '1280', '0780', '0764');
SELECT sum(to_receive) AS total, min(to_receive) AS smallest FROM distribution_numbers(2028, 2000);

SELECT * FROM audit(2028);
