-- Optimal matching: a hand-built Blekinge where chronological order costs
-- more than necessary, then properties over a generated instance.
--
-- Distances (km): Ronneby 1081 -> Karlshamn 1082 23.4, -> Karlskrona 1080
-- 27.7, -> Sölvesborg 1083 44.0; Karlshamn -> Sölvesborg 23.4; Karlskrona ->
-- Sölvesborg 67.3.  Places: Karlskrona 2, Karlshamn 2, Sölvesborg 3,
-- Ronneby 0, Olofström the rest but paused all year.  Only Sölvesborg can
-- meet accessible_housing.  Waiting, in this order:
--   X 2 persons from Ronneby; Y 2 from Karlskrona; G1 + G2, linked, 1 + 1
--   from Karlshamn; N 1 from Karlskrona needing accessible housing; Q a
--   quota refugee, 1 person.
-- 8 persons, 7 places: one person stays unplaced, and by the chronology
-- rule it is the last, Q.
-- Chronological: X takes Karlshamn (its nearest with places), Y Karlskrona,
-- the group Sölvesborg (Karlshamn is full; its 2nd choice), N the last place
-- in Sölvesborg, Q nothing: 2 x 23.4 + 0 + 2 x 23.4 + 67.3 = 160.9 km.
-- Optimal: Sölvesborg must take N; of X, Y and the group, the one sent there
-- costs least if it is X (2 x 44.0 = 88.0; the group would cost 46.8 and
-- push X to 23.4 more, Y 134.6), so X goes to Sölvesborg, Y stays in
-- Karlskrona, the group in Karlshamn: 88.0 + 67.3 = 155.3 km.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SET LOCAL settle.today = '2027-02-01';
SELECT plan(40);

INSERT INTO planning_year (year, national_volume) VALUES (2027, 20000);
INSERT INTO model_weight VALUES (2027, 'population', 1);
INSERT INTO model_input SELECT 2027, code, 'population', population FROM municipality;
SELECT is((SELECT count(*)::int FROM decide_county_quotas(2027, 'J')), 21, 'setup: county quotas');
SELECT is((SELECT count(*)::int FROM decide_municipal_quotas(2027, '10', 'L')), 5, 'setup: Blekinge''s five kommuntal');
SELECT is((SELECT count(*)::int FROM revise_quotas(2027, 'setup', ARRAY['1080', '1081', '1082', '1083', '1060']::kommunkod[],
          (SELECT array_agg((CASE municipality WHEN '1080' THEN 2 WHEN '1081' THEN 0 WHEN '1082' THEN 2 WHEN '1083' THEN 3
                                  ELSE (SELECT quota FROM county_quota WHERE year = 2027 AND county = '10') - 7 END) - quota
                            ORDER BY array_position(ARRAY['1080', '1081', '1082', '1083', '1060'], municipality::text))
             FROM municipal_quota WHERE year = 2027 AND county = '10'))), 5, 'setup: places 2, 0, 2, 3 and the rest');
SELECT ok(pause(2027, '1060', '2027-01-01', '2027-12-31', 'no housing') > 0, 'setup: Olofström paused all year');
INSERT INTO capability VALUES (2027, '1083', 'accessible_housing');

CREATE TEMP TABLE hh (tag text PRIMARY KEY, id bigint);
INSERT INTO hh VALUES
  ('X', register_household('X', 'abo', 2, '1081', '2026-01-01')),
  ('Y', register_household('Y', 'abo', 2, '1080', '2026-01-02')),
  ('G1', register_household('G1', 'abo', 1, '1082', '2026-01-03', '{}', 'LG')),
  ('G2', register_household('G2', 'abo', 1, '1082', '2026-01-04', '{}', 'LG')),
  ('N', register_household('N', 'abo', 1, '1080', '2026-01-05', '{accessible_housing}')),
  ('Q', register_household('Q', 'quota_refugee', 1, NULL, '2026-01-06'));
CREATE FUNCTION pg_temp.h(t text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM hh WHERE tag = t $$;
CREATE FUNCTION pg_temp.km(a text, b text) RETURNS numeric LANGUAGE sql AS $$
    SELECT cost_km::numeric FROM settle.proximity_cost(a::settle.kommunkod, b::settle.kommunkod) $$;
CREATE FUNCTION pg_temp.proposal(mode text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(t.tag || ':' || coalesce(m.municipality::text, '-') || '/' || coalesce(m.choice_rank::text, '-'), ' ' ORDER BY t.tag)
      FROM settle.match(2027, mode => mode) m JOIN hh t ON t.id = m.household $$;

-- the two proposals
SELECT is(pg_temp.proposal('chronological'), 'G1:1083/2 G2:1083/2 N:1083/1 Q:-/- X:1082/1 Y:1080/1',
          'chronological: each in turn takes its best feasible municipality');
SELECT is(pg_temp.proposal('optimal'), 'G1:1082/1 G2:1082/1 N:1083/1 Q:-/- X:1083/3 Y:1080/1',
          'optimal: X goes one step further so that nobody else has to go far');
CREATE TEMP TABLE s AS
SELECT 'chronological' AS mode, * FROM match_summary(2027, mode => 'chronological')
UNION ALL SELECT 'optimal', * FROM match_summary(2027, mode => 'optimal');
SELECT is((SELECT proximity_km FROM s WHERE mode = 'chronological'),
          round(2 * pg_temp.km('1081', '1082') + 2 * pg_temp.km('1082', '1083') + pg_temp.km('1080', '1083'), 1),
          'chronological distance: 2 x 23.4 + 2 x 23.4 + 67.3 (km, exact)');
SELECT is((SELECT proximity_km FROM s WHERE mode = 'optimal'),
          round(2 * pg_temp.km('1081', '1083') + pg_temp.km('1080', '1083'), 1),
          'optimal distance: 2 x 44.0 + 67.3');
SELECT ok((SELECT proximity_km FROM s WHERE mode = 'optimal') < (SELECT proximity_km FROM s WHERE mode = 'chronological'),
          'here chronological is worse than optimal');
SELECT is((SELECT objective_km FROM s WHERE mode = 'optimal'),
          round(2 * pg_temp.km('1081', '1083') + pg_temp.km('1080', '1083') + 10000, 1),
          'objective: distance + 10,000 km for the one person left unplaced (matching.unplaced_km)');
SELECT is((SELECT (households, placements, placed, persons_placed, persons_unplaced)::text FROM s WHERE mode = 'optimal'),
          '(6,5,4,7,1)', 'six households, five placements (the group is one), four placed, 7 persons placed, 1 not');
SELECT ok((SELECT lower_bound_km <= objective_km AND gap_pct >= 0 FROM s WHERE mode = 'optimal'), 'the lower bound is below the objective');
SELECT is((SELECT lower_bound_km FROM s WHERE mode = 'chronological'), NULL, 'chronological has no bound');
SELECT is((SELECT reason FROM match(2027, mode => 'optimal') WHERE household = pg_temp.h('X')),
          'same county, 44 km, choice 3 (better ones went to others at less total cost)', 'X: its reason');
SELECT is((SELECT reason FROM match(2027, mode => 'optimal') WHERE household = pg_temp.h('G2')),
          'same county, 0 km, linked group LG', 'the group stays together, at home');
SELECT is((SELECT reason FROM match(2027, mode => 'optimal') WHERE household = pg_temp.h('Q')),
          'no feasible municipality left (places, needs, counted places or pauses)', 'Q, the last in the queue, is the one left unplaced');

-- a quota refugee costs nothing anywhere: with one more place it is placed
SELECT is((SELECT count(*)::int FROM revise_quotas(2027, 'one more', ARRAY['1060', '1081']::kommunkod[], ARRAY[-1, 1])), 2,
          'Ronneby gets one place');
SELECT is(pg_temp.proposal('optimal'), 'G1:1082/1 G2:1082/1 N:1083/1 Q:1081/4 X:1083/3 Y:1080/1',
          'optimal: the quota refugee takes the place left (by chronological''s order for quota refugees, its 4th choice)');
SELECT is((SELECT reason FROM match(2027, mode => 'optimal') WHERE household = pg_temp.h('Q')),
          'quota refugee: no proximity to keep', '... with its reason');
SELECT is((SELECT count(*)::int FROM revise_quotas(2027, 'back', ARRAY['1060', '1081']::kommunkod[], ARRAY[1, -1])), 2,
          'Ronneby''s place goes back');

-- bad input
SELECT throws_ok($$SELECT * FROM match_summary(2027, mode => 'lottery')$$, '22023', NULL, 'match_summary: unknown mode');
SELECT throws_ok($$SELECT * FROM match(2027, mode => NULL)$$, '22004', NULL, 'match: NULL mode');
SELECT throws_ok($$SELECT * FROM match_summary(2031, mode => 'optimal')$$, 'P0002', NULL, 'match_summary: unknown year');
UPDATE setting SET value = '100' WHERE name = 'matching.unplaced_km';
SELECT throws_ok($$SELECT * FROM match(2027, mode => 'optimal')$$, '22023',
                 'unplaced_km 100 must be above every proximity cost and below 1,000,000,000',
                 'an unplaced penalty below some proximity cost is refused');
UPDATE setting SET value = '10000' WHERE name = 'matching.unplaced_km';
SELECT throws_ok($$SELECT * FROM match_core('{1}', '{0}', '{0}', '{-1}', '{1}', '{0}', '{0}', '{f}', '{-5}', 'optimal')$$,
                 '22023', NULL, 'match_core: a negative cost');
SELECT throws_ok($$SELECT * FROM match_core('{1}', '{0}', '{0}', '{-1}', '{1}', '{0}', '{0}', '{f}', '{0}', 'best')$$,
                 '22023', NULL, 'match_core: an unknown mode');
SELECT throws_ok($$SELECT * FROM match_core('{1}', '{0}', '{0}', '{-1}', '{1}', '{0}', '{0}', '{f}', '{0}', 'optimal', 'NaN')$$,
                 '22023', NULL, 'match_core: a NaN penalty');
SELECT is((SELECT array_agg(coalesce(municipality, 0) ORDER BY placement)
             FROM match_core('{}', '{}', '{}', '{}', '{3}', '{0}', '{0}', '{f}', '{0}', 'optimal')),
          NULL, 'match_core: nobody waiting, nothing proposed');

-- committing the optimal proposal
SELECT is(refer_matches(2027, mode => 'optimal'), 5, 'refer_matches(optimal) refers the five placed households');
SELECT is((SELECT string_agg(municipality::text || '=' || referred, ' ' ORDER BY municipality) FROM municipal_quota
            WHERE year = 2027 AND county = '10' AND referred > 0), '1080=2 1082=2 1083=3', 'as proposed');
SELECT is((SELECT count(*)::int FROM audit(2027)), 0, 'the audit is clean');

-- properties on a generated instance: 400 households in Kronoberg and Kalmar,
-- more persons than places
SELECT is((SELECT count(*)::int FROM decide_municipal_quotas(2027, '07', 'L')) + (SELECT count(*)::int FROM decide_municipal_quotas(2027, '08', 'L')),
          8 + 12, 'setup: Kronoberg''s and Kalmar''s quotas');
INSERT INTO capability SELECT 2027, code, 'large_dwelling' FROM municipality WHERE county IN ('07', '08') AND population > 30000;
SELECT ok(pause(2027, '0780', '2027-01-20', '2027-02-10', 'test') > 0, 'Växjö pauses');
SELECT setseed(0.31);
SELECT is(count(register_household('P' || g, CASE WHEN g % 30 = 0 THEN 'quota_refugee' ELSE 'abo' END, 1 + floor(random() * random() * 9)::int,
                                CASE WHEN g % 30 <> 0 THEN (SELECT code FROM municipality WHERE county IN ('07', '08') ORDER BY random() LIMIT 1) END,
                                '2026-03-01'::date + g, CASE WHEN random() < 0.1 THEN '{large_dwelling}'::text[] ELSE '{}' END,
                                CASE WHEN g % 40 = 0 THEN 'grp' || (g % 120) END))::int,
          400, '400 generated households') FROM generate_series(1, 400) g;
CREATE TEMP TABLE m3 AS
SELECT x.*, h.needs, h.linked_group,
       min(w.queue_position) OVER (PARTITION BY coalesce(h.linked_group, 'h' || h.id)) AS turn
  FROM match(2027, mode => 'optimal') x JOIN household h ON h.id = x.household JOIN waiting() w ON w.household = x.household;
SELECT ok((SELECT count(*) FROM m3 WHERE municipality IS NULL) > 0, 'the instance is tight: some stay unplaced');
SELECT is((SELECT count(*)::int FROM (SELECT mm.code FROM m3 JOIN match_municipalities(2027, settle.today()) mm ON mm.code = m3.municipality
                                        GROUP BY mm.code, mm.remaining HAVING sum(m3.persons) > mm.remaining) over_capacity),
          0, 'optimal: no capacity exceeded');
SELECT is((SELECT count(*)::int FROM m3 JOIN match_municipalities(2027, settle.today()) mm ON mm.code = m3.municipality
            WHERE (needs_mask(m3.needs) & ~mm.able) <> 0 OR mm.paused), 0, 'optimal: needs met, no paused municipality chosen');
SELECT is((SELECT count(*)::int FROM (SELECT linked_group FROM m3 WHERE linked_group IS NOT NULL
                                       GROUP BY linked_group HAVING count(DISTINCT coalesce(municipality::text, '-')) > 1) g),
          0, 'optimal: linked groups are never split');
SELECT is((SELECT count(*)::int FROM m3 u JOIN m3 v ON v.turn > u.turn AND v.municipality IS NOT NULL
            JOIN match_municipalities(2027, settle.today()) mm ON mm.code = v.municipality
           WHERE u.municipality IS NULL AND u.linked_group IS NULL AND (needs_mask(u.needs) & ~mm.able) = 0 AND NOT mm.paused
             AND mm.remaining - (SELECT sum(x.persons) FROM m3 x WHERE x.municipality = mm.code) + v.persons >= u.persons),
          0, 'optimal: chronology: nobody unplaced while a later household it could replace is placed');
SELECT ok((SELECT o.objective_km <= c.objective_km AND o.lower_bound_km <= o.objective_km
             FROM match_summary(2027, mode => 'optimal') o, match_summary(2027, mode => 'chronological') c),
          'optimal costs no more than chronological, and its lower bound is below its objective');

SELECT * FROM finish();
ROLLBACK;
