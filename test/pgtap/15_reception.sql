-- The reception register (0.2.0): referred receptions recorded by receive(),
-- other receptions loaded by the agency, corrections with a reason, nothing
-- deleted, roles, and reception per 1,000 inhabitants over any categories
-- with hand-computed medians.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(22);
SET LOCAL settle.today = '2027-03-31';
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2027, 5000, 'J');
INSERT INTO model_weight VALUES (2027, 'population', 1);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
SELECT count(*) FROM decide_county_quotas(2027, 'J-1', '2026-12-01');
SELECT count(*) FROM decide_municipal_quotas(2027, '10', 'K-1', '2026-12-15');

-- referred receptions enter the register through receive()
CREATE TEMP TABLE r AS
SELECT refer(register_household('R-1', 'abo', 4, '1080', '2026-10-01'), '1080', '2027-01-10 10:00+01') AS abo,
       refer(register_household('R-2', 'quota_refugee', 3, NULL, '2026-10-02'), '1081', '2027-01-10 10:00+01') AS kvot;
SELECT is((SELECT count(*)::int FROM reception), 0, 'an issued referral is not a reception');
SELECT lives_ok($$SELECT settle.receive((SELECT abo FROM r), '2027-02-01'); SELECT settle.receive((SELECT kvot FROM r), '2027-02-03')$$, 'receive both');
SELECT is((SELECT array_agg(category || ':' || persons || ':' || received_on ORDER BY id) FROM reception),
          ARRAY['from_accommodation:4:2027-02-01', 'quota_refugee:3:2027-02-03'], 'receive() records each in its category');
SELECT is((SELECT array_agg(source ORDER BY id) FROM reception), ARRAY['referral', 'referral'], '... with the referral as source');
SELECT throws_ok($$INSERT INTO settle.reception (municipality, received_on, category, persons, referral, source)
                   VALUES ('1080', '2027-02-01', 'quota_refugee', 1, (SELECT abo FROM r), 'x')$$, '23514', NULL,
                 'a reception naming a referral can only come from receive()');
SELECT throws_ok($$UPDATE settle.reception SET persons = 1, correction_reason = 'typo' WHERE referral IS NOT NULL$$, '23514', NULL,
                 'a referred reception is not corrected by hand');

-- other receptions, loaded by the agency (as a staging table would feed them)
INSERT INTO reception (municipality, received_on, category, persons, unaccompanied, source)
VALUES ('1080', '2027-03-01', 'own_housing', 10, 2, 'MV 2027-03'), ('1081', '2027-03-01', 'relatives', 6, 0, 'MV 2027-03'),
       ('1082', '2027-03-01', 'other', 2, 0, 'MV 2027-03');
SELECT is((SELECT count(*)::int FROM decision_log WHERE kind = 'reception'), 5, 'every reception is logged');
SELECT throws_ok($$INSERT INTO settle.reception (municipality, received_on, category, persons, source) VALUES ('1080', '2027-03-01', 'tourists', 1, 'x')$$,
                 '23503', NULL, 'the category comes from settle.reception_category');
SELECT throws_ok($$INSERT INTO settle.reception (municipality, received_on, category, persons, source) VALUES ('1080', '2027-03-01', 'other', 0, 'x')$$,
                 '23514', 'a reception holds at least one person', 'a new reception holds persons');
SELECT throws_ok($$INSERT INTO settle.reception (municipality, received_on, category, persons, unaccompanied, source) VALUES ('1080', '2027-03-01', 'other', 1, 2, 'x')$$,
                 '23514', NULL, 'unaccompanied minors are among the persons');
-- corrections: with a reason, logged; never deleted
SELECT throws_ok($$UPDATE settle.reception SET persons = 9 WHERE source = 'MV 2027-03' AND municipality = '1080'$$, '23514',
                 NULL, 'a correction without a reason: refused');
SELECT lives_ok($$UPDATE settle.reception SET persons = 9, correction_reason = 'double-counted family' WHERE source = 'MV 2027-03' AND municipality = '1080'$$,
                'a correction with its reason');
SELECT is((SELECT payload ->> 'reason' || ' ' || (payload ->> 'old_persons') || '->' || (payload ->> 'persons') FROM decision_log
            WHERE kind = 'reception' AND payload ->> 'op' = 'update'), 'double-counted family 10->9', '... is logged with the old value');
SELECT throws_ok($$UPDATE settle.reception SET persons = 8, correction_reason = 'double-counted family' WHERE source = 'MV 2027-03' AND municipality = '1080'$$,
                 '23514', NULL, 'a further correction needs its own reason');
SELECT throws_ok($$DELETE FROM settle.reception$$, '23001', NULL, 'receptions are never deleted');
SELECT throws_ok($$TRUNCATE settle.reception$$, '23001', NULL, '... nor truncated');

-- per 1,000 inhabitants over any categories, medians computed here by hand
CREATE TEMP VIEW pc AS
SELECT m.code, coalesce(sum(rc.persons) FILTER (WHERE rc.category = ANY (ARRAY['quota_refugee', 'from_accommodation'])), 0) AS referred,
       coalesce(sum(rc.persons), 0) AS all_persons, p.population
  FROM municipality m JOIN population_in(2027) p ON p.municipality = m.code LEFT JOIN reception rc ON rc.municipality = m.code
 GROUP BY m.code, p.population;
SELECT is((SELECT received FROM reception_per_capita(2027) WHERE level = 'national'), 4 + 3 + 9 + 6 + 2, 'all categories by default: 24 persons');
SELECT is((SELECT received FROM reception_per_capita(2027, ARRAY['quota_refugee', 'from_accommodation']) WHERE level = 'national'), 7,
          'the referred categories only: 7');
SELECT is((SELECT per_1000 FROM reception_per_capita(2027) WHERE municipality = '1080'),
          (SELECT round(1000.0 * all_persons / population, 3) FROM pc WHERE code = '1080'), 'Karlskrona per 1,000 over all reception');
SELECT is((SELECT national_median FROM reception_per_capita(2027) WHERE level = 'national'),
          (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY round(1000.0 * all_persons / population, 3))::numeric, 3) FROM pc),
          'the median over all 290 municipalities, by hand');
SELECT is((SELECT count(*)::int FROM reception_per_capita(2027) WHERE above_median), 3,
          'the three receiving municipalities are above the median (0)');
SELECT throws_ok($$SELECT * FROM settle.reception_per_capita(2027, ARRAY['tourists'])$$, '22023', NULL, 'an unknown category: 22023');

SELECT * FROM finish();
ROLLBACK;
