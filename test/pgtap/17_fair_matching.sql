-- Fair matching (0.3.0): matching keeps the annual plan (with its lead),
-- hard-to-place households that waited matching.max_passed_over_days go first,
-- a linked group no municipality can take may be split (matching.linked_split),
-- a reduced intake limits the persons a month by refer() and by matching,
-- and match_summary reports hard-to-place households passed over and who
-- fares worse than in the chronological proposal.  Hand-built instances.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(48);
\i test/lib/hint_of.sql

-- ---- passed over (a year of its own, first, with only its own queue)
SET LOCAL settle.today = '2028-01-15';
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2028, 10, 'J-2028');
INSERT INTO county_quota (year, county, quota, decision_ref) VALUES (2028, '10', 10, 'J-2028');
INSERT INTO municipal_quota (year, municipality, quota, decision_ref)
VALUES (2028, '1080', 1, 'L'), (2028, '1081', 4, 'L'), (2028, '1082', 5, 'L');
-- a linked group of 3 + 3 persons (hard to place) fits nowhere; a later, easier household takes 2 of 1081's 4 places
SELECT register_household('F-G1', 'abo', 3, '1081', '2027-12-01', '{}', 'G'), register_household('F-G2', 'abo', 3, '1081', '2027-12-01', '{}', 'G'),
       register_household('F-E', 'abo', 2, '1081', '2027-12-10');
SELECT is((SELECT passed_over || ' ' || passed_over_max_days FROM match_summary(2028)), '2 45',
          'chronological: both members of the group are passed over by the later household, after 45 days');
SELECT is((SELECT passed_over || ' ' || better_off || ' ' || worse_off || ' ' || max_extra_km FROM match_summary(2028, mode => 'optimal')), '2 0 0 0',
          '... and in the optimal mode too, which moves no one farther than the chronological proposal');
SELECT is((SELECT array_agg(better_off || '/' || worse_off || '/' || max_extra_km) FROM match_summary(2028)), ARRAY['0/0/0'],
          'the chronological mode is its own reference');
-- ---- a linked group split within its county or a distance (matching.linked_split)
UPDATE setting SET value = 'county' WHERE name = 'matching.linked_split';
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028) m JOIN household h ON h.id = m.household),
          'F-E:1082 F-G1:1081 F-G2:1082', 'split within the county: the group''s members go to Ronneby and Karlshamn, in its turn');
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028, mode => 'optimal') m JOIN household h ON h.id = m.household),
          'F-E:1082 F-G1:1081 F-G2:1082', '... in the optimal mode too');
SELECT is((SELECT reason FROM match(2028) m JOIN household h ON h.id = m.household WHERE h.ref = 'F-G2'),
          'same county, 23 km, choice 2 (better ones had too few places), linked group G split (no municipality had room for all): members within 10 Blekinge län, all placed or none',
          'the split is explained');
SELECT is((SELECT link::text || ' ' || fixed::text FROM match_problem(2028, '2028-01-15')), '{0,0,-1} {-2,-2,-1}',
          'the members are two placements of one split group (link 0) in zone 0; the later household is the third');
SELECT is((SELECT passed_over FROM match_summary(2028)), 0, 'no one is passed over now');
UPDATE setting SET value = '20' WHERE name = 'matching.linked_split';
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028) m JOIN household h ON h.id = m.household),
          'F-E:1081 F-G1:- F-G2:-', 'within 20 km only Ronneby is in reach: one member would fit, so neither is placed (all or none)');
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028, mode => 'optimal') m JOIN household h ON h.id = m.household),
          'F-E:1081 F-G1:- F-G2:-', '... in the optimal mode too');
UPDATE setting SET value = '30' WHERE name = 'matching.linked_split';
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028) m JOIN household h ON h.id = m.household),
          'F-E:1082 F-G1:1081 F-G2:1082', 'within 30 km Karlshamn (23 km) is in reach too');
UPDATE setting SET value = 'near' WHERE name = 'matching.linked_split';
SELECT throws_ok($$SELECT * FROM settle.match(2028)$$, '22023', NULL, 'a split that is not county, km or none is refused');
UPDATE setting SET value = 'none' WHERE name = 'matching.linked_split';
DELETE FROM household WHERE ref LIKE 'F-%';
SELECT is((SELECT passed_over FROM match_summary(2028)), 0, 'no one waiting, no one passed over');

-- ---- priority after a wait (matching.max_passed_over_days)
-- only Ronneby (1081, 4 places) gives specialist care; an earlier, easier household of 4 lives there too
INSERT INTO capability (year, municipality, need) VALUES (2028, '1081', 'specialist_care');
SELECT register_household('W-E', 'abo', 4, '1081', '2027-10-01'), register_household('W-H', 'abo', 4, '1081', '2027-11-01', '{specialist_care}');
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028) m JOIN household h ON h.id = m.household),
          'W-E:1081 W-H:-', 'in queue order the easier household takes Ronneby and the one needing care waits');
UPDATE setting SET value = '60' WHERE name = 'matching.max_passed_over_days';
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028) m JOIN household h ON h.id = m.household),
          'W-E:1082 W-H:1081', 'with a limit of 60 days the hard-to-place household (75 days) goes first: it gets Ronneby');
SELECT is((SELECT string_agg(h.ref || ':' || coalesce(m.municipality::text, '-'), ' ' ORDER BY h.ref) FROM match(2028, mode => 'optimal') m JOIN household h ON h.id = m.household),
          'W-E:1082 W-H:1081', '... in the optimal mode too');
SELECT is((SELECT array_agg(h.ref ORDER BY o) FROM match(2028) WITH ORDINALITY AS m(household, municipality, persons, d, s, r, reason, st, o) JOIN household h ON h.id = m.household),
          ARRAY['W-E', 'W-H'], 'settle.match still lists the queue in its order');
SELECT is((SELECT first_count FROM match_problem(2028, '2028-01-15')), 1, 'one priority placement');
UPDATE setting SET value = '90' WHERE name = 'matching.max_passed_over_days';
SELECT is((SELECT municipality::text FROM match(2028) m JOIN household h ON h.id = m.household WHERE h.ref = 'W-H'), NULL,
          'with a limit of 90 days it has not waited long enough: the queue order holds');
UPDATE setting SET value = 'soon' WHERE name = 'matching.max_passed_over_days';
SELECT throws_ok($$SELECT * FROM settle.match(2028)$$, '22023', NULL, 'a limit that is not days or none is refused');
UPDATE setting SET value = 'none' WHERE name = 'matching.max_passed_over_days';
DELETE FROM household WHERE ref LIKE 'W-%';

-- ---- no one pays alone for the total (matching.max_individual_extra_km)
-- 300 seeded households in Kronoberg and Kalmar, as in the demo
SET LOCAL settle.today = '2029-01-15';
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2029, 20000, 'J-2029');
INSERT INTO model_weight VALUES (2029, 'population', 1);
INSERT INTO model_input SELECT 2029, code, 'population', population FROM municipality;
SELECT count(*) FROM decide_county_quotas(2029, 'J-2029', '2028-12-01');
SELECT count(*) FROM county c, decide_municipal_quotas(2029, c.code, 'L-2029', '2028-12-15') WHERE c.code IN ('07', '08');
SELECT setseed(0.2029);
SELECT count(register_household('X-' || g, 'abo', 1 + floor(random() * random() * 7)::int,
                                (SELECT code FROM municipality WHERE county IN ('07', '08') ORDER BY random() + g * 0 LIMIT 1),
                                '2028-09-01'::date + g / 3)) FROM generate_series(1, 300) g;
CREATE TEMP TABLE lim AS SELECT 'none' AS setting, s.* FROM match_summary(2029, mode => 'optimal') s;
SELECT ok((SELECT worse_off > 0 AND max_extra_km > 50 AND proximity_km < (SELECT proximity_km FROM match_summary(2029)) FROM lim),
          'without a limit the optimal mode sends some households more than 50 km farther than in turn, for a smaller total');
UPDATE setting SET value = '50' WHERE name = 'matching.max_individual_extra_km';
INSERT INTO lim SELECT '50', s.* FROM match_summary(2029, mode => 'optimal') s;
SELECT ok((SELECT max_extra_km <= 50 AND persons_placed >= (SELECT persons_placed FROM match_summary(2029)) FROM lim WHERE setting = '50'),
          'with a limit of 50 km no one goes more than 50 km farther (proximity cost), and no one placed in turn is left out');
SELECT ok((SELECT max(o.cost_km - c.cost_km) <= 50
             FROM match(2029, mode => 'optimal') m JOIN match(2029) n USING (household) JOIN household h ON h.id = m.household
             JOIN proximity o ON o.residence = h.residence AND o.municipality = m.municipality
             JOIN proximity c ON c.residence = h.residence AND c.municipality = n.municipality),
          '... household by household, from settle.match itself');
UPDATE setting SET value = '0' WHERE name = 'matching.max_individual_extra_km';
SELECT is((SELECT worse_off || ' ' || max_extra_km FROM match_summary(2029, mode => 'optimal')), '0 0', 'a limit of 0: no one is worse off than in turn');
UPDATE setting SET value = 'far' WHERE name = 'matching.max_individual_extra_km';
SELECT throws_ok($$SELECT * FROM settle.match(2029, mode => 'optimal')$$, '22023', NULL, 'a limit that is not km or none is refused');
UPDATE setting SET value = 'none' WHERE name = 'matching.max_individual_extra_km';
DELETE FROM household WHERE ref LIKE 'X-%';

-- ---- plan-aware matching
SET LOCAL settle.today = '2027-01-15';
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2027, 96, 'J-2027');
INSERT INTO county_quota (year, county, quota, decision_ref, decision_date) VALUES (2027, '10', 96, 'J-2027', '2026-12-01');
INSERT INTO municipal_quota (year, municipality, quota, decision_ref, decision_date)
VALUES (2027, '1080', 12, 'L', '2026-12-15'), (2027, '1081', 36, 'L', '2026-12-15'), (2027, '1082', 48, 'L', '2026-12-15');
SELECT is((SELECT array_agg(code || ':' || room ORDER BY code) FROM match_municipalities(2027, '2027-01-15') WHERE code IN ('1080', '1081', '1082')),
          ARRAY['1080:12', '1081:36', '1082:48'], 'without an annual plan the room is the kommuntal');
SELECT is((SELECT count(*)::int FROM spread_plan(2027, '10')), 36, 'an even plan: 1, 3 and 4 persons a month');
SELECT is((SELECT array_agg(code || ':' || room ORDER BY code) FROM match_municipalities(2027, '2027-01-15') WHERE code IN ('1080', '1081', '1082')),
          ARRAY['1080:1', '1081:3', '1082:4'], 'in January the room is January''s plan');
SELECT register_household('P-1', 'abo', 4, '1081', '2026-10-01');
SELECT is((SELECT municipality::text FROM match(2027, '2027-01-15')), '1082',
          'a household of 4 living in 1081 goes to 1082, as 1081 has 3 places planned to date');
SELECT is((SELECT municipality::text FROM candidates((SELECT id FROM household WHERE ref = 'P-1'), '2027-01-15') WHERE rank = 1), '1082',
          'candidates agrees');
SELECT is((SELECT municipality::text FROM match(2027, '2027-02-01')), '1081', 'in February 1081''s plan allows it: it goes home');
UPDATE setting SET value = '1' WHERE name = 'matching.plan_lead_months';
SELECT is((SELECT municipality::text FROM match(2027, '2027-01-15')), '1081', 'with a lead of one month it may go home in January');
SELECT is((SELECT reason FROM candidates((SELECT id FROM household WHERE ref = 'P-1'), '2027-01-15') WHERE rank = 1),
          'same municipality, same county, 0 km, 36 places left (ahead of plan: 3 planned to date)', '... and candidates says it is ahead of plan');
UPDATE setting SET value = '12' WHERE name = 'matching.plan_lead_months';
SELECT is((SELECT room FROM match_municipalities(2027, '2027-01-15') WHERE code = '1081'), 36, 'a lead of 12 months: the plan never holds matching back');
UPDATE setting SET value = 'soon' WHERE name = 'matching.plan_lead_months';
SELECT throws_ok($$SELECT * FROM settle.match(2027, '2027-01-15')$$, '22023', NULL, 'a lead that is not 0-12 months is refused');
SELECT is(pg_temp.hint_of($$SELECT * FROM settle.match(2027, '2027-01-15')$$),
          'UPDATE settle.setting SET value = ''0'' WHERE name = ''matching.plan_lead_months'';', '... with the fix as hint');
UPDATE setting SET value = '0' WHERE name = 'matching.plan_lead_months';
SELECT is(refer_matches(2027, '2027-01-15'), 1, 'refer_matches refers within the plan');
SELECT is((SELECT municipality::text FROM referral), '1082', '... to 1082');
SELECT is((SELECT count(*)::int FROM match(2027, '2027-01-10')), 0,
          'a proposal for an earlier day leaves out a household referred since (it waited then)');

-- ---- reduced intake
SELECT throws_ok($$SELECT settle.pause(2027, '1082', '2027-03-01', '2027-04-30', 'few dwellings', 0)$$, '23514', NULL,
                 'a reduced intake takes at least one person a month');
SELECT ok(pause(2027, '1082', '2027-03-01', '2027-04-30', 'few dwellings', 3) > 0, 'a pause with at most 3 persons a month');
SELECT is((SELECT payload ->> 'max_persons' FROM decision_log WHERE kind = 'pause'), '3', '... logged with its limit');
SELECT is(intake_left('1082', '2027-03-10') || ' ' || coalesce(intake_left('1082', '2027-02-10')::text, 'none'), '3 none',
          'intake_left: 3 in March, no limit in February');
SELECT lives_ok($$SELECT settle.refer(settle.register_household('I-1', 'abo', 2, '1082', '2026-10-02'), '1082', '2027-03-10 10:00+01')$$,
                'two persons referred in March');
SELECT register_household('I-2', 'abo', 2, '1082', '2026-10-03');
SELECT throws_ok($$SELECT settle.refer((SELECT id FROM settle.household WHERE ref = 'I-2'), '1082', '2027-03-11 10:00+01')$$,
                 '23514', '1082 Karlshamn takes at most 3 persons a month from 2027-03-01 to 2027-04-30 (reduced intake): 1 left in 2027-03, the household has 2',
                 'two more would pass the limit');
SELECT is((SELECT array_agg(code || ':' || room || ':' || paused) FROM match_municipalities(2027, '2027-03-15') WHERE code = '1082'), ARRAY['1082:1:false'],
          'matching sees the one place left, and no full pause');
SELECT is((SELECT municipality::text FROM match(2027, '2027-04-02') WHERE household = (SELECT id FROM household WHERE ref = 'I-2')), '1082',
          'in April the household of 2 fits again');
ALTER TABLE referral DISABLE TRIGGER referral_write;
INSERT INTO referral (household, year, municipality, persons, decided_at, deadline, stream)
SELECT id, 2027, '1082', 2, '2027-03-12 10:00+01', '2027-05-12', 'ordinary' FROM household WHERE ref = 'I-2';
ALTER TABLE referral ENABLE TRIGGER referral_write;
SELECT is((SELECT detail FROM audit(2027) WHERE rule = 'reduced_intake_respected'),
          format('pause %s allows 3 persons a month but 4 were referred in 2027-03', (SELECT id FROM pause)),
          'the audit finds a month past the limit, whatever wrote it');

SELECT * FROM finish();
ROLLBACK;
