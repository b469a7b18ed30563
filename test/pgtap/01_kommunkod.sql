-- settle.kommunkod: round trips, casts, comparisons, operator classes, bad input.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(51);

-- the type itself
SELECT has_type('settle', 'kommunkod', 'type settle.kommunkod exists');
SELECT is((SELECT typlen::int FROM pg_type WHERE oid = 'settle.kommunkod'::regtype), 2, 'stored in 2 bytes');
SELECT ok((SELECT typbyval FROM pg_type WHERE oid = 'settle.kommunkod'::regtype), 'passed by value');

-- text round trips
SELECT is('0180'::kommunkod::text, '0180', '0180 round-trips');
SELECT is('  1480 '::kommunkod::text, '1480', 'surrounding white space is allowed');
SELECT is(E'\t2584\n'::kommunkod::text, '2584', 'tabs and newlines count as white space');
SELECT is('0114'::kommunkod::text, '0114', 'lowest municipality code 0114');
-- every shipped municipality code round-trips through text
SELECT is((SELECT count(*)::int FROM municipality WHERE code::text::kommunkod <> code OR length(code::text) <> 4), 0,
          'all 290 codes round-trip through text as four digits');

-- integer casts
SELECT is(180::kommunkod, '0180'::kommunkod, 'integer 180 casts to 0180 (padded)');
SELECT is(kommunkod(1480)::text, '1480', 'settle.kommunkod(integer) builds a code');
SELECT is('0180'::kommunkod::integer, 180, 'cast to integer');
SELECT is('2584'::kommunkod::integer, 2584, 'cast to integer, four digits');
SELECT is('0180'::kommunkod::lanskod, '01'::lanskod, 'cast to lanskod takes the first two digits');
SELECT is('1480'::kommunkod::lanskod::text, '14', 'Göteborg is in county 14');

-- comparisons
SELECT ok('0180'::kommunkod = '0180'::kommunkod, '=');
SELECT ok('0180'::kommunkod <> '1480'::kommunkod, '<>');
SELECT ok('0180'::kommunkod < '1480'::kommunkod, '<');
SELECT ok('0180'::kommunkod <= '0180'::kommunkod, '<=');
SELECT ok('2584'::kommunkod > '1480'::kommunkod, '>');
SELECT ok('2584'::kommunkod >= '2584'::kommunkod, '>=');
SELECT ok(NOT ('0180'::kommunkod > '1480'::kommunkod), 'not > when less');
SELECT is(kommunkod_cmp('0180', '1480'), -1, 'cmp less');
SELECT is(kommunkod_cmp('1480', '1480'), 0, 'cmp equal');
SELECT is(kommunkod_cmp('2584', '1480'), 1, 'cmp greater');
SELECT is((SELECT array_agg(c ORDER BY c)::text FROM unnest('{2584,0180,1480,0114}'::kommunkod[]) c),
          '{0114,0180,1480,2584}', 'ORDER BY sorts numerically');

-- operator classes: btree and hash, used by the planner
SELECT is((SELECT count(*)::int FROM pg_opclass WHERE opcintype = 'settle.kommunkod'::regtype AND opcdefault), 2,
          'default btree and hash operator classes');
CREATE TEMP TABLE k (c kommunkod PRIMARY KEY, n int);
INSERT INTO k SELECT code, population FROM municipality;
SELECT throws_ok($$INSERT INTO k VALUES ('0180', 1)$$, '23505', NULL, 'usable as a primary key');
SET LOCAL enable_sort = off;
SET LOCAL enable_mergejoin = off;
SELECT is((SELECT count(*)::int FROM k JOIN municipality m ON m.code = k.c), 290, 'hash join on kommunkod');
SELECT is((SELECT count(*)::int FROM (SELECT c FROM k UNION SELECT code FROM municipality) u), 290, 'hash aggregation on kommunkod');
SELECT ok((SELECT kommunkod_hash('0180') = kommunkod_hash(180::kommunkod)), 'equal values hash equally');
CREATE TEMP TABLE kh (c kommunkod) PARTITION BY HASH (c);
CREATE TEMP TABLE kh0 PARTITION OF kh FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TEMP TABLE kh1 PARTITION OF kh FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO kh SELECT code FROM municipality;
SELECT is((SELECT count(*)::int FROM kh), 290, 'hash partitioning works (extended hash)');
RESET enable_sort;
RESET enable_mergejoin;

-- binary send/receive
SELECT is(kommunkod_send('0180'), '\x00b4'::bytea, 'binary form is a big-endian int2');

-- bad text input: exact SQLSTATE and message
SELECT throws_ok($$SELECT '180'::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "180"', '180 is refused (text is never padded)');
SELECT throws_ok($$SELECT '0200'::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "0200"', 'county 02 does not exist');
SELECT throws_ok($$SELECT '1112'::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "1112"', 'county 11 does not exist');
SELECT throws_ok($$SELECT '12a4'::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "12a4"', 'a letter inside');
SELECT throws_ok($$SELECT ''::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): ""', 'empty');
SELECT throws_ok($$SELECT '   '::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "   "', 'only white space');
SELECT throws_ok($$SELECT '01801'::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "01801"', 'five digits');
SELECT throws_ok($$SELECT '-180'::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "-180"', 'a sign');
SELECT throws_ok($$SELECT '01 80'::kommunkod$$, '22P02', 'invalid municipality code (kommunkod): "01 80"', 'inner space');
SELECT throws_ok($$SELECT '０１８０'::kommunkod$$, '22P02', NULL, 'full-width digits are not ASCII digits');
SELECT throws_ok($$SELECT '0180; DROP TABLE settle.municipality'::kommunkod$$, '22P02', NULL, 'injection-shaped text is just bad input');

-- the hint for a dropped leading zero suggests the padded code
\i test/lib/hint_of.sql
SELECT is(pg_temp.hint_of($$SELECT '180'::settle.kommunkod$$),
          'Write the leading zero: ''0180''. (The integer cast pads: 180::settle.kommunkod.)', 'hint suggests 0180');
SELECT is(pg_temp.hint_of($$SELECT '0200'::settle.kommunkod$$),
          'The county codes are 01 03 04 05 06 07 08 09 10 12 13 14 17 18 19 20 21 22 23 24 25.', 'hint lists the county codes');

-- bad integers
SELECT throws_ok($$SELECT (-1)::kommunkod$$, '22003', 'integer -1 is out of range for type settle.kommunkod', 'negative integer');
SELECT throws_ok($$SELECT 10000::kommunkod$$, '22003', 'integer 10000 is out of range for type settle.kommunkod', '5-digit integer');
SELECT throws_ok($$SELECT 2147483647::kommunkod$$, '22003', NULL, 'int4 max');
SELECT throws_ok($$SELECT 200::kommunkod$$, '22003', 'integer 200 is not a valid municipality code', 'integer with county 02');
SELECT throws_ok($$SELECT 0::kommunkod$$, '22003', 'integer 0 is not a valid municipality code', 'zero');

-- NULL passes through (strict functions)
SELECT is(NULL::integer::kommunkod, NULL, 'NULL integer casts to NULL');

SELECT * FROM finish();
ROLLBACK;
