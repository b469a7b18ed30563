-- The catalogue as users meet it: every object documented in one or two
-- sentences; the one homes of rules shared across files (Swedish local time,
-- the proximity cost, the matching modes, the county lists, hard to place).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(26);

-- ---- COMMENT ON: present, short
CREATE TEMP VIEW doc AS
SELECT p.oid::regprocedure::text AS object, d.description
  FROM pg_proc p LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
 WHERE p.pronamespace = 'settle'::regnamespace AND p.prorettype <> 'trigger'::regtype
UNION ALL
SELECT c.oid::regclass::text, d.description
  FROM pg_class c LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relnamespace = 'settle'::regnamespace AND c.relkind IN ('r', 'v');
SELECT is((SELECT string_agg(object, ', ') FROM doc WHERE description IS NULL), NULL,
          'every settle function (but trigger functions), table and view has a COMMENT');
SELECT is((SELECT string_agg(object || ' (' || length(description) || ')', ', ') FROM doc WHERE length(description) > 250), NULL,
          'no COMMENT is longer than 250 characters');
SELECT is((SELECT string_agg(object, ', ') FROM doc
            WHERE regexp_count(description, '[.!?](?=\s+[A-Z]|\s*$)') > 2), NULL,
          'no COMMENT has more than two sentences');
SELECT ok((SELECT count(*) FROM doc) > 100, 'the check saw the whole catalogue (over 100 objects)');

-- ---- Swedish local time: its one home (045_time.sql)
SELECT is(local_date('2027-12-31 23:30+00'), '2028-01-01'::date, 'local_date: 23:30 UTC on New Year''s Eve is already 2028 in Sweden');
SELECT is(local_date('2027-07-01 21:59+00'), '2027-07-01'::date, 'local_date: 23:59 summer time is still the same day');
SELECT is(local_date('2027-07-01 22:00+00'), '2027-07-02'::date, 'local_date: midnight summer time is the next day');
SELECT is(local_instant('2027-01-01 00:00'), '2026-12-31 23:00+00'::timestamptz, 'local_instant: Swedish midnight in winter is 23:00 UTC');
SELECT is(local_instant('2027-03-28 03:00'), '2027-03-28 01:00+00'::timestamptz, 'local_instant: 03:00 on the day summer time starts is 01:00 UTC');
SELECT is(local_time('2027-10-31 00:30+00'), '2027-10-31 02:30'::timestamp, 'local_time: the last summer-time half hour');
SELECT is(local_date(NULL), NULL, 'local_date(NULL) is NULL');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'settle'::regnamespace AND prosrc ILIKE '%Europe/Stockholm%'
              AND proname NOT IN ('local_time', 'local_date', 'local_instant')), 0,
          'no other function names the time zone');
SELECT is((SELECT count(*)::int FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'settle' AND pg_get_constraintdef(c.oid) ILIKE '%Europe/Stockholm%'), 0,
          'no constraint names the time zone');

-- ---- the proximity cost: its one home (the view settle.proximity)
SELECT is((SELECT count(*)::int FROM proximity), 290 * 290, 'settle.proximity has every pair');
SELECT is((SELECT relation FROM proximity WHERE residence = '1080' AND municipality = '1081'), 'same county', 'Karlskrona-Ronneby: same county');
SELECT is((SELECT cost_km - distance_km FROM proximity WHERE residence = '1080' AND municipality = '1280'),
          (SELECT value::float8 FROM setting WHERE name = 'matching.neighbour_county_km'),
          'Karlskrona-Malmö (Skåne borders Blekinge): distance plus matching.neighbour_county_km');
SELECT is((SELECT cost_km - distance_km FROM proximity WHERE residence = '1080' AND municipality = '0180'),
          (SELECT value::float8 FROM setting WHERE name = 'matching.other_county_km'),
          'Karlskrona-Stockholm: distance plus matching.other_county_km');
SELECT is((SELECT row(p.cost_km, p.distance_km, p.relation)::text FROM proximity_cost('1080', '0180') p),
          (SELECT row(x.cost_km, x.distance_km, x.relation)::text FROM proximity x WHERE residence = '1080' AND municipality = '0180'),
          'settle.proximity_cost reads the view');
INSERT INTO planning_year (year, national_volume, decision_ref) VALUES (2027, 0, 'x');
SELECT is((SELECT (match_problem(2027, '2027-02-01')).cost),
          (SELECT array_agg(cost_km ORDER BY residence, municipality) FROM proximity),
          'the cost matrix of settle.match_problem is the view, row by residence');
UPDATE setting SET value = '700' WHERE name = 'matching.neighbour_county_km';
SELECT is((SELECT cost_km - distance_km FROM proximity WHERE residence = '1080' AND municipality = '1280'), 700::float8,
          'a changed setting changes the cost');

-- ---- the matching modes: their one home (src/match.c)
SELECT is(require_mode('optimal'), 'optimal', 'require_mode: a mode is returned');
SELECT throws_ok($$SELECT settle.require_mode('fastest')$$, '22023', 'unknown matching mode "fastest"', 'an unknown mode: 22023');
SELECT throws_ok($$SELECT settle.require_mode(NULL)$$, '22004', 'the matching mode must not be NULL', 'NULL: 22004');

-- ---- the county lists in hints come from the one table in src/codes.c, which equals settle.county
\i test/lib/hint_of.sql
SELECT is(pg_temp.hint_of($$SELECT 'QQ'::settle.lanskod$$),
          (SELECT 'The letter codes are ' || string_agg(letter, ' ' ORDER BY code) || '.' FROM county),
          'the letter-code hint lists settle.county''s letters');
SELECT is(pg_temp.hint_of($$SELECT '9900'::settle.kommunkod$$),
          (SELECT 'The county codes are ' || string_agg(code::text, ' ' ORDER BY code) || '.' FROM county),
          'the county-code hint lists settle.county''s codes');

-- ---- hard to place: its one home, used by settle.waiting()
SELECT is(ARRAY[hard_to_place('{}', 5, NULL), hard_to_place('{}', 6, NULL), hard_to_place('{specialist_care}', 1, NULL),
                hard_to_place('{}', 1, 'family-1')], ARRAY[false, true, true, true],
          'hard_to_place: six or more persons, a need, or a linked group');

SELECT * FROM finish();
ROLLBACK;
