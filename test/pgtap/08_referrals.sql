-- Households, referrals, reception, withdrawal, deadlines, overdue, the
-- waiting list and the temporary-protection distribution numbers.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SET LOCAL settle.today = '2027-01-10';
SELECT plan(52);

CREATE TEMP TABLE ids (name text PRIMARY KEY, id bigint);
CREATE FUNCTION pg_temp.id(n text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM ids WHERE name = n $$;

INSERT INTO planning_year (year, national_volume) VALUES (2027, 20000);
INSERT INTO model_weight (year, factor, weight) VALUES (2027, 'population', 1), (2027, 'present_protected', 0);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
SELECT is((SELECT count(*)::int FROM decide_county_quotas(2027, 'Ju-1')), 21, 'setup: county quotas');
SELECT is((SELECT count(*)::int FROM decide_municipal_quotas(2027, '10', 'Lst-K-1')), 5, 'setup: Blekinge''s quotas');

-- register_household
-- registered on 5 January (effective time), before the referrals below
INSERT INTO ids VALUES ('a', register_household('CASE-A', 'abo', 4, '1080', '2026-09-01', registered_at => '2027-01-05 09:00+01'));
SELECT is(register_household('CASE-A', 'abo', 4, '1080', '2026-09-01'), pg_temp.id('a'), 're-registering the same case returns the same id');
SELECT throws_ok($$SELECT register_household('CASE-A', 'abo', 5, '1080', '2026-09-01')$$, '23505', 'household CASE-A is already registered with different data',
                 'the same case with other data is refused');
SELECT throws_like($$SELECT register_household('CASE-X', 'abo', 2, '1080', '2026-09-01', '{telepathy}')$$,
                   'unknown need "telepathy"%', 'needs come from settle.need');
SELECT throws_ok($$SELECT register_household('CASE-Y', 'quota_refugee', 2, '1080', '2026-09-01')$$, '23514', NULL,
                 'a quota refugee has no Swedish residence');
SELECT throws_ok($$SELECT register_household('CASE-Z', 'abo', 0, '1080', '2026-09-01')$$, '23514', NULL, 'persons > 0');
SELECT throws_ok($$SELECT register_household('CASE-W', 'tourist', 1, '1080', '2026-09-01')$$, '23514', NULL, 'category is checked');
SELECT throws_ok($$SELECT register_household(NULL, 'abo', 1, '1080', '2026-09-01')$$, '22004', NULL, 'ref must not be NULL');
INSERT INTO need (code, description) VALUES ('interpreter', 'an interpreter for a rare language');
INSERT INTO ids VALUES ('b', register_household('CASE-B', 'abo', 3, '1081', '2026-08-15', '{interpreter,large_dwelling,interpreter}', registered_at => '2027-01-05 09:00+01'));
SELECT is((SELECT needs FROM household WHERE id = pg_temp.id('b')), '{interpreter,large_dwelling}'::text[], 'a new need can be added; needs are kept sorted and unique');
INSERT INTO ids VALUES ('c', register_household('CASE-C', 'quota_refugee', 6, NULL, '2026-07-01', '{}', 'family-7', '2027-01-05 09:00+01'));
INSERT INTO ids VALUES ('d', register_household('CASE-D', 'temporary_protection', 1, '1082', '2026-10-01', '{}', 'family-7', '2027-01-05 09:00+01'));

-- refer
INSERT INTO ids VALUES ('ra', refer(pg_temp.id('a'), '1080', '2027-01-05 10:00+01', 'Anv-A'));
SELECT is((SELECT (year, persons, status, deadline)::text FROM referral WHERE id = pg_temp.id('ra')),
          '(2027,4,issued,2027-03-05)', 'a referral: year of the decision, the household''s persons, issued, deadline two months on');
SELECT is((SELECT referred FROM municipal_quota WHERE year = 2027 AND municipality = '1080'), 4, 'its persons count against the quota');
SELECT is((SELECT payload ->> 'household' FROM decision_log WHERE kind = 'referral'), pg_temp.id('a')::text, 'the referral is logged');
SELECT throws_ok($$SELECT refer(pg_temp.id('a'), '1081')$$, '23505', NULL, 'one active referral per household');
SELECT throws_ok($$SELECT refer(999999, '1081')$$, '23503', 'household 999999 does not exist', 'unknown household');
SELECT throws_ok($$SELECT refer(NULL, '1081')$$, '22004', NULL, 'NULL household');
SELECT throws_ok($$SELECT refer(pg_temp.id('b'), '1081', '2027-01-06 10:00+01')$$, '23514',
                 '1081 Ronneby cannot meet the needs of household CASE-B: interpreter, large_dwelling', 'unmet needs are refused');
SELECT throws_ok($$SELECT refer(pg_temp.id('b'), '1081', '2027-01-06 10:00+01', force => true)$$, '22004', NULL,
                 'forcing needs a reason');
INSERT INTO ids VALUES ('rb', refer(pg_temp.id('b'), '1081', '2027-01-06 10:00+01', 'Anv-B', force => true,
                                    force_reason => 'the municipality arranges an interpreter'));
SELECT is((SELECT forced FROM referral WHERE id = pg_temp.id('rb')), true, 'a forced referral is marked');
SELECT is((SELECT payload ->> 'force_reason' FROM decision_log WHERE kind = 'referral' AND payload ->> 'household' = pg_temp.id('b')::text),
          'the municipality arranges an interpreter', '... and its reason logged');
SELECT throws_ok($$SELECT refer(pg_temp.id('c'), '0180', '2027-01-06 10:00+01')$$, '23503',
                 'no kommuntal of 2027 is decided for 0180 Stockholm', 'no referral without a decided quota');
UPDATE setting SET value = '1 month' WHERE name = 'deadline.quota_refugee';
SELECT is((SELECT new_quota FROM revise_quotas(2027, 'AGR-1', ARRAY['1083', '1082']::kommunkod[],
                  ARRAY[5 - (SELECT quota FROM municipal_quota WHERE year = 2027 AND municipality = '1083'),
                        (SELECT quota FROM municipal_quota WHERE year = 2027 AND municipality = '1083') - 5])
            WHERE municipality = '1083'), 5, 'setup: Sölvesborg down to 5 places');
SELECT throws_ok($$SELECT refer(pg_temp.id('c'), '1083', '2027-01-06 10:00+01')$$, '23514',
                 'the kommuntal of 1083 Sölvesborg for 2027 is full: 5 places left, the household has 6 persons', 'a full quota is refused');
INSERT INTO ids VALUES ('rc', refer(pg_temp.id('c'), '1082', '2027-01-07 10:00+01', 'Anv-C'));
SELECT is((SELECT deadline FROM referral WHERE id = pg_temp.id('rc')), '2027-02-07'::date, 'the deadline is a setting per category');
SELECT throws_ok($$SELECT refer(pg_temp.id('d'), '1082', '2026-12-31 10:00+01')$$, '23503', NULL,
                 'a referral counts against the quota of its decision''s year (2026 has none)');

-- reception, withdrawal
SELECT throws_ok($$SELECT receive(pg_temp.id('ra'), '2027-01-01')$$, '23514', NULL, 'reception before the referral is refused');
SELECT is((SELECT status FROM receive(pg_temp.id('ra'), '2027-03-20')), 'received', 'receive');
SELECT throws_like($$SELECT receive(pg_temp.id('ra'), '2027-03-21')$$, 'referral % is already received%',
                   'a reception is reported once');
SELECT throws_ok($$SELECT withdraw(pg_temp.id('ra'), 'too late')$$, '23514', NULL, 'a received referral cannot be withdrawn');
SELECT throws_ok($$SELECT receive(424242, '2027-03-21')$$, 'P0002', NULL, 'unknown referral');
SELECT throws_ok($$SELECT withdraw(pg_temp.id('rb'), '')$$, '22004', NULL, 'a withdrawal needs a reason');
SELECT is((SELECT status FROM withdraw(pg_temp.id('rb'), 'the household declined')), 'withdrawn', 'withdraw');
SELECT is((SELECT referred FROM municipal_quota WHERE year = 2027 AND municipality = '1081'), 0, 'a withdrawal frees the places');
SELECT is((SELECT count(*)::int FROM referral), 3, 'referrals stay in history');
SELECT throws_ok($$UPDATE referral SET status = 'issued', withdrawn_at = NULL WHERE id = pg_temp.id('rb')$$, '23514', NULL,
                 'a withdrawn referral cannot be reissued');
SELECT ok(refer(pg_temp.id('b'), '1080', '2027-01-08 10:00+01', force => true, force_reason => 'interpreter arranged') > 0,
          'after a withdrawal the household can be referred again');

-- concurrency-safe counting: the quota row is the lock
SELECT is((SELECT referred FROM municipal_quota WHERE year = 2027 AND municipality = '1080'), 7, 'referred = 4 + 3');

-- overdue
SET LOCAL settle.today = '2027-03-31';
SELECT is((SELECT array_agg(problem || ' ' || days_late ORDER BY referral) FROM overdue()),
          ARRAY['received late 15', 'not received 52', 'not received 23'],
          'overdue: a late reception and open referrals past their deadlines');
SELECT is((SELECT count(*)::int FROM overdue('2027-02-01')), 0, 'nothing was overdue on 1 February');
SELECT is((SELECT array_agg(referral) FROM overdue('2027-03-05')), ARRAY[pg_temp.id('rc')],
          'on 5 March only the quota refugee''s referral (one-month deadline) is overdue');

-- the waiting list
-- registered late (on 31 March) but dated from 3 January: back-loading keeps its place
INSERT INTO ids VALUES ('e', register_household('CASE-E', 'abo', 2, '1080', '2026-06-01', registered_at => '2027-01-03 09:00+01'));
SELECT is((SELECT array_agg(household ORDER BY queue_position) FROM waiting()), ARRAY[pg_temp.id('e'), pg_temp.id('d')],
          'waiting: households without an active referral, earliest permit first');
SELECT is((SELECT days_waited FROM waiting() WHERE household = pg_temp.id('e')), 303, 'days waited since the permit');
SELECT is((SELECT array_agg(household ORDER BY queue_position) FROM waiting('2027-01-06')),
          ARRAY[pg_temp.id('e'), pg_temp.id('c'), pg_temp.id('d')],
          'as of an earlier date, those referred later were still waiting (b''s referral of that day, withdrawn on 10 January, was active then)');
SELECT is((SELECT hard_to_place FROM waiting('2027-01-06') WHERE household = pg_temp.id('c')), true,
          'a large linked family is flagged hard to place but keeps its place');

-- distribution numbers (temporary protection, 2022)
INSERT INTO model_input SELECT 2027, code, 'present_protected', CASE code WHEN '0180' THEN 900 WHEN '1480' THEN 10 ELSE 0 END
  FROM municipality;
SELECT is((SELECT sum(to_receive)::int FROM distribution_numbers(2027, 3000)), 3000, 'distribution numbers sum exactly to the total');
SELECT is((SELECT count(*)::int FROM distribution_numbers(2027, 3000) WHERE to_receive < 0), 0, 'never negative');
SELECT is((SELECT to_receive FROM distribution_numbers(2027, 3000) WHERE municipality = '0180'), 0,
          'Stockholm, already hosting 900 (above its share of the grand total), gets no one new');
-- Stockholm's 531 persons above its share leave less for everyone else, in proportion:
SELECT ok((SELECT abs((g.to_receive + g.present) - g.share * m.to_receive / m.share) <= 1.5
             FROM distribution_numbers(2027, 3000) g, distribution_numbers(2027, 3000) m
            WHERE g.municipality = '1480' AND m.municipality = '1280'),
          'Göteborg (hosting 10) and Malmö (none) end up holding the same persons per share, within one');
SELECT is((SELECT round(sum(fair_share)) FROM distribution_numbers(2027, 3000)), 3910::numeric, 'fair shares are of the grand total 3000 + 910');
SELECT is((SELECT (present, to_receive)::text FROM distribution_numbers(2027, 10) WHERE municipality = '0180'), '(900,0)',
          'with a small total, a municipality already above its share gets 0');
SELECT throws_ok($$SELECT * FROM distribution_numbers(2027, -1)$$, '22023', NULL, 'a negative total is refused');
SELECT throws_ok($$SELECT * FROM distribution_numbers(2027, 10, 'lottery')$$, '22023', NULL, 'an unknown method is refused');

SELECT * FROM finish();
ROLLBACK;
