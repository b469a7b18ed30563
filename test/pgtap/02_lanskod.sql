-- settle.lanskod: two-digit and letter input, letter(), casts, comparisons, bad input.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(33);

SELECT has_type('settle', 'lanskod', 'type settle.lanskod exists');
SELECT is((SELECT typlen::int FROM pg_type WHERE oid = 'settle.lanskod'::regtype), 2, 'stored in 2 bytes');

SELECT is('01'::lanskod::text, '01', 'two digits');
SELECT is(' 25 '::lanskod::text, '25', 'white space allowed');
SELECT is('AB'::lanskod::text, '01', 'letter code AB is 01');
SELECT is('ab'::lanskod::text, '01', 'letter codes are case-insensitive');
SELECT is('o'::lanskod::text, '14', 'o is 14');
SELECT is('BD'::lanskod::text, '25', 'BD is 25');
SELECT is('Ac'::lanskod::text, '24', 'Ac is 24');
SELECT is(letter('14'), 'O', 'settle.letter(''14'') is O');
SELECT is(letter('AC'), 'AC', 'letter of AC round-trips');

-- every county: the C table of codes and letters agrees with settle.county
SELECT is((SELECT count(*)::int FROM county WHERE letter(code) <> letter OR letter::lanskod <> code), 0,
          'all 21 letter codes agree with the county table both ways');
SELECT is((SELECT count(*)::int FROM generate_series(0, 99) g
           WHERE g IN (1,3,4,5,6,7,8,9,10,12,13,14,17,18,19,20,21,22,23,24,25)
             AND g::lanskod::integer = g), 21, 'the 21 county integers cast and back');

SELECT is(14::lanskod, '14'::lanskod, 'integer cast');
SELECT is('O'::lanskod::integer, 14, 'cast to integer');
SELECT ok('01'::lanskod < 'BD'::lanskod, 'comparison by code');
SELECT is((SELECT array_agg(c ORDER BY c)::text FROM unnest('{BD,AB,O,03}'::lanskod[]) c), '{01,03,14,25}', 'sorts by code');
SELECT is(lanskod_send('AB'), '\x0001'::bytea, 'binary form');
SELECT is((SELECT count(*)::int FROM pg_opclass WHERE opcintype = 'settle.lanskod'::regtype AND opcdefault), 2,
          'default btree and hash operator classes');
SELECT is((SELECT count(DISTINCT county)::int FROM municipality), 21, 'DISTINCT on lanskod');

SELECT throws_ok($$SELECT 'XX'::lanskod$$, '22P02', 'invalid county code (länskod): "XX"', 'unknown letter code');
SELECT throws_ok($$SELECT 'ABC'::lanskod$$, '22P02', 'invalid county code (länskod): "ABC"', 'three letters');
SELECT throws_ok($$SELECT '02'::lanskod$$, '22P02', 'invalid county code (länskod): "02"', 'county 02 does not exist');
SELECT throws_ok($$SELECT '1'::lanskod$$, '22P02', 'invalid county code (länskod): "1"', 'one digit: never padded');
SELECT throws_ok($$SELECT '011'::lanskod$$, '22P02', 'invalid county code (länskod): "011"', 'three digits');
SELECT throws_ok($$SELECT ''::lanskod$$, '22P02', 'invalid county code (länskod): ""', 'empty');
SELECT throws_ok($$SELECT 'A1'::lanskod$$, '22P02', 'invalid county code (länskod): "A1"', 'letter and digit');
SELECT throws_ok($$SELECT 'Ö'::lanskod$$, '22P02', NULL, 'non-ASCII letter');
SELECT throws_ok($$SELECT 0::lanskod$$, '22003', 'integer 0 is not a Swedish county code', 'integer 0');
SELECT throws_ok($$SELECT 2::lanskod$$, '22003', 'integer 2 is not a Swedish county code', 'integer 2');
SELECT throws_ok($$SELECT 26::lanskod$$, '22003', 'integer 26 is not a Swedish county code', 'integer 26');
SELECT throws_ok($$SELECT (-2147483648)::lanskod$$, '22003', NULL, 'int4 min');
SELECT is(NULL::lanskod, NULL, 'NULL stays NULL');

SELECT * FROM finish();
ROLLBACK;
