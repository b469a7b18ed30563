-- settle.apportion: textbook examples, bounds, prior, ties, bad input;
-- settle.apportion_seats: the same by position, as arrays.
-- (Property tests over generated instances and the benchmark come with issue 3's completion.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
SET search_path = settle, public;
SELECT plan(41);

CREATE FUNCTION pg_temp.seats(t int, w numeric[], m text DEFAULT 'hamilton', mn int[] DEFAULT NULL, mx int[] DEFAULT NULL,
                              pr int[] DEFAULT NULL, fd numeric DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(seats::text, ',' ORDER BY ord)
      FROM settle.apportion(t, ARRAY(SELECT 'u' || g FROM generate_series(1, cardinality(w)) g), w, m, mn, mx, pr, fd)
           WITH ORDINALITY AS a(key, seats, quota, tie, ord) $$;

-- Wikipedia's example: votes 100,000 / 80,000 / 30,000 / 20,000, 8 seats
SELECT is(pg_temp.seats(8, '{100000,80000,30000,20000}', 'dhondt'), '4,3,1,0', 'D''Hondt textbook example');
SELECT is(pg_temp.seats(8, '{100000,80000,30000,20000}', 'jefferson'), '4,3,1,0', 'alias jefferson');
SELECT is(pg_temp.seats(8, '{100000,80000,30000,20000}', 'sainte_lague'), '3,3,1,1', 'Sainte-Laguë textbook example');
SELECT is(pg_temp.seats(8, '{100000,80000,30000,20000}', 'hamilton'), '3,3,1,1', 'Hamilton on the same votes');
-- Alabama paradox: populations 6, 6, 2; house 10 -> 11 takes a seat from the third unit under Hamilton
SELECT is(pg_temp.seats(10, '{6,6,2}'), '4,4,2', 'Hamilton, house of 10');
SELECT is(pg_temp.seats(11, '{6,6,2}'), '5,5,1', 'Hamilton, house of 11: the Alabama paradox');
-- Sainte-Laguë by hand: priorities 6/1, 6/3, 6/5, 6/7, 6/9 ... and 2/1, 2/3, 2/5: the top nine are
-- 6,6,2,2,2,1.2,1.2,.857,.857; seat 10 is a three-way tie at .667 (6/9, 6/9, 2/3) won by the first unit,
-- seat 11 goes to the second.  No unit loses a seat when the house grows.
SELECT is(pg_temp.seats(10, '{6,6,2}', 'sainte_lague') || ' / ' || pg_temp.seats(11, '{6,6,2}', 'sainte_lague'),
          '5,4,1 / 5,5,1', 'no paradox under a divisor method (house 10 -> 11)');
-- quota and order
SELECT is((SELECT array_agg(quota ORDER BY key)::text FROM apportion(10, ARRAY['A','B','C'], ARRAY[6,6,2])),
          '{4.285714285714,4.285714285714,1.428571428571}', 'quota is the exact fair share to 12 decimals');
SELECT is((SELECT array_agg(key)::text FROM apportion(10, ARRAY['z','a','m'], ARRAY[1,1,1])), '{z,a,m}', 'rows in input order');
-- ties broken by input order, flagged
SELECT is((SELECT string_agg(seats || ':' || tie, ',') FROM apportion(3, ARRAY['a','b','c','d'], ARRAY[1,1,1,1])),
          '1:true,1:true,1:true,0:true', 'a tie decided by input order is flagged on every unit involved');
SELECT is((SELECT bool_or(tie) FROM apportion(4, ARRAY['a','b','c','d'], ARRAY[1,1,1,1], 'dhondt')), false, 'no tie when every unit gets its seat');
-- bounds and prior
SELECT is(pg_temp.seats(10, '{5,3,2}', mn => '{0,0,4}'), '4,2,4', 'min_seats honoured; the rest shared 5:3');
SELECT is(pg_temp.seats(10, '{5,3,2}', 'dhondt', mx => '{3,NULL,NULL}'), '3,4,3', 'max_seats honoured (NULL = no bound)');
SELECT is(pg_temp.seats(100, '{1,1,1}', pr => '{90,0,0}'), '0,50,50', 'a unit already above its share of total+prior gets 0');
-- extremes, exact
SELECT is((SELECT sum(seats)::bigint FROM apportion(2147483647, ARRAY['a','b','c'], ARRAY[1,1,1], 'huntington_hill')), 2147483647::bigint,
          'total 2^31-1 apportioned exactly');
SELECT is(pg_temp.seats(7, '{0.5,0.25}'), '5,2', 'decimal weights');
SELECT is((SELECT string_agg(key || '=' || seats, ',') FROM apportion(7, '{"x": 2.5, "y": 1}'::jsonb, 'sainte_lague', 1.2)),
          'x=5,y=2', 'jsonb form with Sweden''s first divisor 1.2');

-- weights are read from numeric's stored form (short and long headers,
-- negative base-10000 weights, display scale beyond the digits) or, past
-- 64 bits, through text: every quota is the exact share, to 12 decimals
SELECT is((SELECT count(*)::int
              FROM (VALUES (1, '{0.00001, 1.5000, 10000, 0, 7e-9, 99999999, 1e-4, 123456.789012}'::numeric[]),
                           (2, '{12345678901234567890, 1, 10000, 18446744073709551616}'),
                           (3, '{123456789012.345678, 0.5, 3}')) v(id, ws),
                   unnest(v.ws) WITH ORDINALITY AS x(w, i),
                   settle.apportion(1000, ARRAY(SELECT 'k' || g FROM generate_series(1, cardinality(v.ws)) g), v.ws)
                        WITH ORDINALITY AS a(key, seats, quota, tie, i)
             WHERE a.i = x.i
               AND a.quota = round(1000 * x.w / (SELECT sum(y) FROM unnest(v.ws) y), 12)), 15,
          'weights of every stored shape give the exact quotas');
SELECT is(pg_temp.seats(10, '{1.50,2.5000,10000e-4}'), pg_temp.seats(10, '{15,25,10}'),
          'a weight''s display scale does not matter');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b'], ARRAY[5,-0.001])$$, '22023', 'weight of "b" is negative: -0.001',
                 'a negative weight is refused (short form)');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b'], ARRAY[5,-1e300])$$, '22023', 'weight of "b" is negative: -1' || repeat('0', 300),
                 'a negative weight is refused (long form)');

-- bad input
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b','c'], ARRAY[5,3,2], min_seats => ARRAY[5,5,5])$$,
                 '22023', 'min_seats cannot be honoured: they need 5 more seats than the total', 'infeasible min_seats says by how much');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b','c'], ARRAY[5,3,2], max_seats => ARRAY[1,1,1])$$,
                 '22023', 'max_seats cannot be honoured: 7 seats would be left over', 'infeasible max_seats says by how much');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','a'], ARRAY[5,3])$$, '22023', 'key "a" occurs more than once in keys', 'duplicate key');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b'], ARRAY[5,'NaN']::numeric[])$$, '22023', 'weight of "b" is NaN', 'NaN weight');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b'], ARRAY[5,3], 'foo')$$, '22023', 'unknown apportionment method "foo"', 'unknown method');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b'], ARRAY[5])$$, '2202E', 'weights has 1 elements but keys has 2', 'arrays of different lengths');
SELECT throws_ok($$SELECT * FROM settle.apportion(10, ARRAY['a','b'], ARRAY[0,0])$$, '22023', 'all weights are zero, so 10 seats cannot be apportioned', 'all weights zero');

-- settle.apportion_seats: the same apportionment by position, as arrays
SELECT is((SELECT seats::text || ' ' || tie::text FROM apportion_seats(8, '{100000,80000,30000,20000}', 'dhondt')),
          '{4,3,1,0} {f,f,f,f}', 'apportion_seats: D''Hondt textbook example, by position');
SELECT is((SELECT seats::text || ' ' || tie::text FROM apportion_seats(1, '{1,1,2e-1}')),
          '{1,0,0} {t,t,f}', 'apportion_seats: a tie for the last seat is flagged on both units');
SELECT is((SELECT count(*)::int
             FROM (VALUES ('hamilton'), ('dhondt'), ('sainte_lague'), ('huntington_hill'), ('adams')) m(method),
                  (VALUES (1, 23, '{3,0,1.5,7,7,2.25,0.001,12}'::numeric[], '{0,1,0,0,2,0,0,0}'::int[], '{NULL,NULL,1,NULL,NULL,3,NULL,5}'::int[], '{1,0,0,2,0,0,0,1}'::int[]),
                          (2, 9, '{6,6,2}', NULL, NULL, NULL),
                          (3, 40, '{5,5,5,5,1}', '{0,0,0,0,9}', NULL, '{2,2,0,0,0}')) v(id, total, w, mn, mx, pr),
                  apportion_seats(v.total, v.w, m.method, v.mn, v.mx, v.pr) s
            WHERE s.seats = ARRAY(SELECT a.seats FROM apportion(v.total, ARRAY(SELECT 'k' || g FROM generate_series(1, cardinality(v.w)) g),
                                                                v.w, m.method, v.mn, v.mx, v.pr) WITH ORDINALITY a(key, seats, quota, tie, o) ORDER BY o)
              AND s.tie = ARRAY(SELECT a.tie FROM apportion(v.total, ARRAY(SELECT 'k' || g FROM generate_series(1, cardinality(v.w)) g),
                                                            v.w, m.method, v.mn, v.mx, v.pr) WITH ORDINALITY a(key, seats, quota, tie, o) ORDER BY o)), 15,
          'apportion_seats gives apportion''s seats and ties for every method, with bounds and prior (new seats, prior not counted)');
SELECT is((SELECT seats::text FROM apportion_seats(10, '{6,6,2}', 'sainte_lague', first_divisor => 1.2)),
          (SELECT array_agg(seats ORDER BY key)::text FROM apportion(10, ARRAY['a','b','c'], ARRAY[6,6,2], 'sainte_lague', first_divisor => 1.2)),
          'apportion_seats: first_divisor as in apportion');
SELECT is((SELECT seats::text || ' ' || tie::text FROM apportion_seats(0, '{}')), '{} {}', 'apportion_seats: no units, no seats: empty arrays');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(5, '{}')$$, '22023', 'there are no units to apportion 5 seats over',
                 'apportion_seats: seats but no units');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(10, ARRAY[5,-1])$$, '22023', 'weight of unit 2 is negative: -1',
                 'apportion_seats: a negative weight is named by its position');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(10, ARRAY[5,NULL,1])$$, '22004', 'weight of unit 2 is NULL',
                 'apportion_seats: a NULL weight is named by its position');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(10, NULL)$$, '22004', 'weights must not be NULL', 'apportion_seats: weights NULL');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(10, ARRAY[5,3], min_seats => ARRAY[1])$$, '2202E', 'min_seats has 1 elements but weights has 2',
                 'apportion_seats: arrays of different lengths');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(10, ARRAY[5,3], min_seats => ARRAY[3,0], max_seats => ARRAY[1,NULL])$$, '22023',
                 'min_seats of unit 1 (3) exceeds its max_seats (1)', 'apportion_seats: min above max, by position');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(10, ARRAY[5,3], 'foo')$$, '22023', 'unknown apportionment method "foo"',
                 'apportion_seats: unknown method');
SELECT throws_ok($$SELECT * FROM settle.apportion_seats(10, ARRAY[5,3], 'hamilton', first_divisor => 1.2)$$, '22023',
                 'first_divisor applies only to the sainte_lague method', 'apportion_seats: first_divisor only with sainte_lague');

SELECT * FROM finish();
ROLLBACK;
