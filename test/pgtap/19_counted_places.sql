-- Counted capabilities (0.3.0): a municipality's places for a need
-- (settle.capability.places) are used up by the households that need them,
-- held for them by matching through matching.reserve_counted_until_month,
-- enforced by refer() and by the capability's own trigger, logged and
-- audited.  A hand-built instance in Blekinge.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(33);
\i test/lib/hint_of.sql

SET LOCAL settle.today = '2030-02-01';
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2030, 30, 'J-2030');
INSERT INTO county_quota (year, county, quota, decision_ref) VALUES (2030, '10', 30, 'J-2030');
INSERT INTO municipal_quota (year, municipality, quota, decision_ref)
VALUES (2030, '1080', 10, 'L'), (2030, '1081', 10, 'L'), (2030, '1082', 10, 'L');
-- Ronneby (1081) has 6 places for large dwellings; Karlshamn (1082) has large dwellings, not counted
INSERT INTO capability (year, municipality, need, places) VALUES (2030, '1081', 'large_dwelling', 6), (2030, '1082', 'large_dwelling', NULL);

-- ---- the places, as matching sees them
SELECT is((SELECT array_agg(municipality || ' ' || need || ' ' || places || ' ' || used || ' ' || places_left || ' ' || reserved) FROM capability_room(2030)),
          ARRAY['1081 large_dwelling 6 0 6 true'], 'capability_room: only counted capabilities, held in February');
SELECT is((SELECT reserved FROM capability_room(2030, '2030-10-31')), true, 'held through October (matching.reserve_counted_until_month 10)');
SELECT is((SELECT reserved FROM capability_room(2030, '2030-11-01')), false, '... released on 1 November');

-- ---- held places: a household without the need uses only the room beyond them
SELECT register_household('E-5', 'abo', 5, '1081', '2029-12-01');
SELECT is((SELECT municipality::text FROM match(2030)), '1082',
          'a household of 5 living in Ronneby does not get Ronneby (10 places, 6 of them held for large dwellings): Karlshamn, the nearest');
SELECT is((SELECT municipality::text FROM match(2030, mode => 'optimal')), '1082', '... nor in the optimal mode');
SELECT is((SELECT municipality::text FROM candidates((SELECT id FROM household WHERE ref = 'E-5')) WHERE rank = 1), '1082', 'candidates agrees');
SELECT is((SELECT municipality::text FROM match(2030, '2030-11-02')), '1081', 'in November the places are released: it goes home');
UPDATE setting SET value = '0' WHERE name = 'matching.reserve_counted_until_month';
SELECT is((SELECT municipality::text FROM match(2030)), '1081', 'matching.reserve_counted_until_month 0: never held');
UPDATE setting SET value = '13' WHERE name = 'matching.reserve_counted_until_month';
SELECT throws_ok($$SELECT * FROM settle.match(2030)$$, '22023', NULL, 'a month outside 0-12 is refused');
UPDATE setting SET value = '10' WHERE name = 'matching.reserve_counted_until_month';
SELECT lives_ok($$SELECT refer((SELECT id FROM household WHERE ref = 'E-5'), '1081')$$,
                'refer() does not apply the hold: an officer may use held places (the referral rule is the count)');

-- ---- used up by the households that need them
SELECT register_household('L-6', 'abo', 6, '1081', '2029-12-02', '{large_dwelling}');
SELECT is((SELECT municipality::text FROM match(2030) WHERE household = (SELECT id FROM household WHERE ref = 'L-6')), '1082',
          'after 5 persons went to Ronneby, 5 places are left there, too few for a household of 6 with a large dwelling: Karlshamn');
SELECT is((SELECT array_agg(code || ':' || room ORDER BY code) FROM match_municipalities(2030, '2030-02-01') WHERE code = '1081'), ARRAY['1081:5'],
          '(Ronneby''s room is 5)');
SELECT withdraw((SELECT r.id FROM referral r JOIN household h ON h.id = r.household WHERE h.ref = 'E-5'), 'test: free the places');
SELECT is((SELECT municipality::text FROM match(2030) WHERE household = (SELECT id FROM household WHERE ref = 'L-6')), '1081',
          'with the places free again, the household of 6 goes home to Ronneby');
SELECT lives_ok($$SELECT refer((SELECT id FROM household WHERE ref = 'L-6'), '1081')$$, 'and is referred there');
SELECT is((SELECT used || ' ' || places_left FROM capability_room(2030)), '6 0', 'its 6 persons used the 6 places');
SELECT register_household('L-2', 'abo', 2, '1081', '2029-12-03', '{large_dwelling}');
SELECT is((SELECT municipality::text FROM match(2030) WHERE household = (SELECT id FROM household WHERE ref = 'L-2')), '1082',
          'the next household needing a large dwelling goes to Karlshamn, although Ronneby has 4 places left');
SELECT is((SELECT municipality::text FROM match(2030, mode => 'optimal') WHERE household = (SELECT id FROM household WHERE ref = 'L-2')), '1082',
          '... in the optimal mode too');
SELECT is((SELECT count(*)::int FROM candidates((SELECT id FROM household WHERE ref = 'L-2')) WHERE municipality = '1081'), 0,
          'candidates leaves Ronneby out');

-- ---- refer() enforces the count; force with a reason
SELECT throws_ok($$SELECT refer((SELECT id FROM household WHERE ref = 'L-2'), '1081')$$, '23514',
                 '1081 Ronneby has too few places left for large_dwelling in 2030: household L-2 has 2 persons',
                 'refer() refuses a household whose need''s places are used up');
SELECT is(pg_temp.hint_of($$SELECT refer((SELECT id FROM household WHERE ref = 'L-2'), '1081')$$),
          'Choose another municipality that can meet the need, raise its places (settle.capability), or pass force => true with a force_reason (logged).',
          '... with a hint');
SELECT lives_ok($$SELECT refer((SELECT id FROM household WHERE ref = 'L-2'), '1081', force => true, force_reason => 'test: a dwelling found by the municipality')$$,
                'forced with a reason, it is referred');
SELECT is((SELECT forced FROM referral r JOIN household h ON h.id = r.household WHERE h.ref = 'L-2'), true, 'and recorded as forced');
SELECT is((SELECT used || ' ' || places_left FROM capability_room(2030)), '8 -2', 'matching counts the forced referral as using places');
SELECT is((SELECT count(*)::int FROM audit(2030) WHERE rule = 'capability_places_respected'), 0, 'the audit does not count forced referrals against the places');

-- ---- the capability's own rule, and its log
SELECT throws_ok($$UPDATE settle.capability SET places = 5 WHERE municipality = '1081'$$, '23514',
                 '5 places for large_dwelling in 2030 in 1081 Ronneby are fewer than the 6 persons with that need already referred there',
                 'places never fall below the persons already referred with the need (forced ones apart)');
SELECT lives_ok($$UPDATE settle.capability SET places = 6 WHERE municipality = '1081'$$, '... 6 is allowed');
SELECT is((SELECT count(*)::int FROM decision_log WHERE kind = 'capability' AND year = 2030), 3, 'every change of a capability is logged (two inserts, one update)');
SELECT is((SELECT payload #>> '{old,places}' || '>' || (payload #>> '{new,places}') FROM decision_log WHERE kind = 'capability' AND payload ->> 'op' = 'update'),
          '6>6', 'with the old and the new row');
-- the audit sees a count broken behind the trigger's back (as a superuser could)
ALTER TABLE capability DISABLE TRIGGER capability_record;
UPDATE capability SET places = 2 WHERE municipality = '1081';
ALTER TABLE capability ENABLE TRIGGER capability_record;
SELECT is((SELECT array_agg(subject || ': ' || detail) FROM audit(2030) WHERE rule = 'capability_places_respected'),
          ARRAY['1081: 2 places for large_dwelling but 6 persons with that need referred (not forced)'], 'the audit reports it');

-- ---- a linked group uses the places of its members with the need only
SELECT register_household('G-1', 'abo', 3, '1081', '2029-11-01', '{large_dwelling}', 'G'), register_household('G-2', 'abo', 2, '1081', '2029-11-01', '{}', 'G');
SELECT is((SELECT counted_uses FROM match_problem(2030, '2030-02-01')), ARRAY[3, 0],
          'the group (3 + 2 persons, the 3 with the need) uses 3 counted places; E-5, waiting again, none');
SELECT is((SELECT cardinality(counted) FROM match_problem(2030, '2030-02-01')), 2 * 290, 'two counted figures per municipality and counted need');

-- ---- bad input
SELECT throws_ok($$SELECT * FROM settle.capability_room(1999)$$, 'P0002', NULL, 'capability_room of a year without a planning year');
SELECT throws_ok($$SELECT * FROM settle.capability_room(2030, NULL)$$, '22004', NULL, 'capability_room on a NULL day');

SELECT * FROM finish();
ROLLBACK;
