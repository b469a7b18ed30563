-- Matching: candidates for one household, chronological batch matching, and
-- committing a proposal.  A hand-built Blekinge whose answers follow from the
-- distances (Karlskrona 1080 -> Ronneby 1081 27.7 km, Karlshamn 1082 50.2,
-- Sölvesborg 1083 67.3, Olofström 1060 68.2), then properties over a
-- generated instance.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SET LOCAL settle.today = '2027-02-01';
SELECT plan(36);

INSERT INTO planning_year (year, national_volume) VALUES (2027, 20000);
INSERT INTO model_weight VALUES (2027, 'population', 1);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
SELECT is((SELECT count(*)::int FROM decide_county_quotas(2027, 'J')), 21, 'setup: county quotas');
SELECT is((SELECT count(*)::int FROM decide_municipal_quotas(2027, '10', 'L')), 5, 'setup: Blekinge''s five kommuntal');
-- capacities: Karlskrona 5, Ronneby 6, Karlshamn 8, Sölvesborg 4, Olofström the rest
SELECT is((SELECT count(*)::int FROM revise_quotas(2027, 'setup', ARRAY['1080', '1081', '1082', '1083', '1060']::kommunkod[],
          (SELECT array_agg((CASE municipality WHEN '1080' THEN 5 WHEN '1081' THEN 6 WHEN '1082' THEN 8 WHEN '1083' THEN 4
                                  ELSE (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10') - 23 END) - quota
                            ORDER BY array_position(ARRAY['1080', '1081', '1082', '1083', '1060'], municipality::text))
             FROM municipal_quota WHERE year = 2027 AND county = '10'))), 5, 'setup: capacities 5, 6, 8, 4 and the rest');
INSERT INTO capability VALUES (2027, '1083', 'accessible_housing');

CREATE TEMP TABLE hh (tag text PRIMARY KEY, id bigint);
INSERT INTO hh VALUES
  ('A', register_household('A', 'abo', 4, '1080', '2026-01-01')),
  ('B', register_household('B', 'abo', 3, '1080', '2026-01-02')),
  ('C', register_household('C', 'abo', 2, '1081', '2026-01-03', '{accessible_housing}')),
  ('D', register_household('D', 'abo', 3, '1082', '2026-01-04', '{}', 'L1')),
  ('E', register_household('E', 'abo', 4, '1082', '2026-01-10', '{}', 'L1')),
  ('F', register_household('F', 'quota_refugee', 1, NULL, '2026-01-05')),
  ('G', register_household('G', 'abo', 2, '1080', '2026-01-06')),
  ('H', register_household('H', 'abo', 9, '1080', '2026-01-07')),
  ('I', register_household('I', 'abo', 2, '1080', '2026-01-08', '{specialist_care}'));
CREATE FUNCTION pg_temp.h(t text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM hh WHERE tag = t $$;

-- candidates
SELECT is((SELECT array_agg(municipality::text ORDER BY rank) FROM candidates(pg_temp.h('A'))),
          ARRAY['1080', '1081', '1082', '1083', '1060'], 'candidates: same municipality first, then the county by distance');
SELECT is((SELECT reason FROM candidates(pg_temp.h('A')) WHERE rank = 2), 'same county, 28 km, 6 places left', 'each with a reason');
SELECT is((SELECT count(*)::int FROM candidates(pg_temp.h('A'), max_results => 2)), 2, 'max_results');
SELECT is((SELECT array_agg(municipality::text) FROM candidates(pg_temp.h('C'))), ARRAY['1083'], 'a need only one municipality meets');
SELECT is((SELECT array_agg(municipality::text) FROM candidates(pg_temp.h('H'))), ARRAY['1060'], 'only Olofström has 9 places');
SELECT is((SELECT reason FROM candidates(pg_temp.h('I'))), 'need specialist_care unmet everywhere in 2027', 'nothing feasible: one row says why');
SELECT is((SELECT municipality FROM candidates(pg_temp.h('I'))), NULL, '... with no municipality');
SELECT is((SELECT municipality::text FROM candidates(pg_temp.h('F')) WHERE rank = 1), '1060', 'a quota refugee: most planned, then most places left');
SELECT is((SELECT distance_km FROM candidates(pg_temp.h('F')) WHERE rank = 1), NULL, '... never by distance');
SELECT ok(pause(2027, '1081', '2027-01-15', '2027-02-15', 'renovation') > 0, 'Ronneby pauses');
SELECT is((SELECT array_agg(municipality::text ORDER BY rank) FROM candidates(pg_temp.h('A'))),
          ARRAY['1080', '1082', '1083', '1060'], 'a paused municipality is no candidate');
SELECT throws_ok($$SELECT * FROM candidates(424242)$$, 'P0002', NULL, 'unknown household');
SELECT throws_ok($$SELECT * FROM candidates(pg_temp.h('A'), max_results => 0)$$, '22023', NULL, 'max_results >= 1');

-- chronological matching
CREATE TEMP TABLE m1 AS SELECT * FROM match(2027);
SELECT is((SELECT string_agg(t.tag || ':' || coalesce(m.municipality::text, '-') || '/' || coalesce(m.choice_rank::text, '-'), ' ' ORDER BY t.tag)
             FROM m1 m JOIN hh t ON t.id = m.household),
          'A:1080/1 B:1082/2 C:1083/1 D:1060/2 E:1060/2 F:1083/4 G:1082/2 H:1060/1 I:-/-',
          'chronological: each in turn takes its best feasible municipality');
-- By hand: A takes Karlskrona (1 place left).  B: Karlskrona is too small,
-- Ronneby paused, so Karlshamn, its 2nd choice (5 left).  C: only Sölvesborg
-- meets its need (2 left).  D and E, linked, go together in D's turn; from
-- Karlshamn the order is 1082, 1060 (19.3 km), ...; Karlshamn has 5 < 7, so
-- Olofström, their 2nd choice.  F, a quota refugee: no plan, so the planned
-- places left are minus the persons placed: Sölvesborg (-2) beats Karlshamn
-- (-3), Karlskrona (-4), Olofström (-7); by the initial figures it was the
-- 4th.  G: Karlskrona too small, Ronneby paused: Karlshamn, 2nd.  H (9
-- persons): Olofström.  I: its need is met nowhere.
SELECT is((SELECT sum(persons)::int FROM m1 WHERE municipality = '1082'), 3 + 2, 'Karlshamn: B and G');
SELECT is((SELECT reason FROM m1 WHERE household = pg_temp.h('I')), 'no feasible municipality left (places, needs, counted places or pauses)', 'I stays unplaced');
SELECT is((SELECT reason FROM m1 WHERE household = pg_temp.h('G')), 'same county, 50 km, choice 2 (better ones had too few places)', 'G: its reason');
SELECT is((SELECT count(*)::int FROM match(2027)), 9, 'match writes nothing: the same proposal again');
SELECT throws_ok($$SELECT * FROM match(2027, mode => 'lottery')$$, '22023', NULL, 'unknown mode');
SELECT throws_ok($$SELECT * FROM match(2031)$$, 'P0002', NULL, 'unknown year');

-- committing the proposal
SELECT is(refer_matches(2027), 8, 'refer_matches refers every placed household');
SELECT is((SELECT sum(referred)::int FROM municipal_quota WHERE year = 2027 AND county = '10'), 4 + 3 + 2 + 7 + 1 + 2 + 9, 'their persons count');
SELECT is((SELECT array_agg(household) FROM match(2027)), ARRAY[pg_temp.h('I')], 'afterwards only I is waiting');
SELECT is((SELECT count(*)::int FROM audit(2027)), 0, 'the audit is clean');

-- properties on a generated instance: 400 households in Kronoberg and Kalmar
SELECT is((SELECT count(*)::int FROM decide_municipal_quotas(2027, '07', 'L')) + (SELECT count(*)::int FROM decide_municipal_quotas(2027, '08', 'L')),
          8 + 12, 'setup: Kronoberg''s and Kalmar''s quotas');
INSERT INTO capability SELECT 2027, code, 'large_dwelling' FROM municipality WHERE county IN ('07', '08') AND population > 30000;
SELECT ok(pause(2027, '0780', '2027-01-20', '2027-02-10', 'test') > 0, 'Växjö pauses');
SELECT setseed(0.77);
SELECT is(count(register_household('P' || g, 'abo', 1 + floor(random() * random() * 9)::int,
                                (SELECT code FROM municipality WHERE county IN ('07', '08') ORDER BY random() LIMIT 1),
                                '2026-03-01'::date + g, CASE WHEN random() < 0.1 THEN '{large_dwelling}'::text[] ELSE '{}' END,
                                CASE WHEN g % 40 = 0 THEN 'grp' || (g % 120) END))::int,
          400, '400 generated households') FROM generate_series(1, 400) g;
CREATE TEMP TABLE m2 AS
SELECT x.*, h.needs, h.linked_group,
       min(w.queue_position) OVER (PARTITION BY coalesce(h.linked_group, 'h' || h.id)) AS turn   -- a group goes in its first member's turn
  FROM match(2027) x JOIN household h ON h.id = x.household JOIN waiting() w ON w.household = x.household;
SELECT is((SELECT count(*)::int FROM (SELECT mm.code FROM m2 JOIN match_municipalities(2027, settle.today()) mm ON mm.code = m2.municipality
                                        GROUP BY mm.code, mm.remaining HAVING sum(m2.persons) > mm.remaining) over_capacity),
          0, 'no capacity exceeded');
SELECT is((SELECT count(*)::int FROM m2 JOIN match_municipalities(2027, settle.today()) mm ON mm.code = m2.municipality
            WHERE (needs_mask(m2.needs) & ~mm.able) <> 0 OR mm.paused), 0, 'needs met, no paused municipality chosen');
SELECT is((SELECT count(*)::int FROM (SELECT linked_group FROM m2 WHERE linked_group IS NOT NULL
                                       GROUP BY linked_group HAVING count(DISTINCT coalesce(municipality::text, '-')) > 1) g),
          0, 'linked groups are never split');
-- chronology: no unplaced household could have taken the place of a later placed one
SELECT is((SELECT count(*)::int FROM m2 u JOIN m2 v ON v.turn > u.turn AND v.municipality IS NOT NULL
            JOIN match_municipalities(2027, settle.today()) mm ON mm.code = v.municipality
           WHERE u.municipality IS NULL AND u.linked_group IS NULL AND (needs_mask(u.needs) & ~mm.able) = 0 AND NOT mm.paused
             AND mm.remaining - (SELECT sum(x.persons) FROM m2 x WHERE x.municipality = mm.code) + v.persons >= u.persons),
          0, 'chronology: nobody unplaced while a later household it could replace is placed');

-- a linked group counts each member's persons once, however many needs they have
SELECT lives_ok($$SELECT settle.register_household('LINK-1', 'abo', 3, '1080', '2026-09-01', '{accessible_housing,specialist_care}', 'fam-two-needs');
                  SELECT settle.register_household('LINK-2', 'abo', 2, '1080', '2026-09-02', '{}', 'fam-two-needs')$$,
                'a linked group whose first member has two needs');
SELECT is((SELECT p.persons[pos] FROM settle.match_problem(2027, '2027-02-01') p,
                  LATERAL (SELECT array_position(p.member_household, (SELECT id FROM settle.household WHERE ref = 'LINK-1')) AS k) m,
                  LATERAL (SELECT p.member_placement[m.k] AS pos) q),
          5, 'match_problem: the group is one placement of 3 + 2 persons, not 3 counted once per need');

SELECT * FROM finish();
ROLLBACK;
