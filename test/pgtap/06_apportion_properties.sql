-- settle.apportion: properties over generated instances, and agreement with
-- an independent exact implementation in PL/pgSQL (test/lib/apportion_reference.sql).
-- The instances come from a fixed seed, so a failure reproduces; each test
-- names the first failing instances.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION settle;
\i test/lib/apportion_reference.sql
SET LOCAL client_min_messages = warning;
SELECT plan(17);

SELECT setseed(0.2026);

-- 1,500 instances: 1 to 10 units, weights from a small set so that ties
-- happen, sometimes with decimals or zeros; totals 0 to 40.
CREATE TEMP TABLE inst AS
SELECT id, method, fd, total, weights, n
  FROM (SELECT id,
               (ARRAY['hamilton', 'dhondt', 'sainte_lague', 'huntington_hill', 'adams', 'sainte_lague'])[1 + (id % 6)] AS method,
               CASE WHEN id % 6 = 5 THEN 1.2 END AS fd,
               floor(random() * 41)::int AS total,
               1 + floor(random() * 10)::int AS n
          FROM generate_series(1, 1500) id) s,
       LATERAL (SELECT array_agg(CASE WHEN r < 0.1 THEN 0
                                      WHEN r < 0.7 THEN (ARRAY[1, 2, 3, 5, 6, 10, 12])[1 + floor(random() * 7)::int]
                                      ELSE round((random() * 50)::numeric, 2) END) AS weights
                  FROM (SELECT random() AS r, g FROM generate_series(1, s.n) g) x) w;
-- a positive total needs a positive weight
UPDATE inst SET weights[1] = 1 WHERE total > 0 AND (SELECT sum(x) FROM unnest(weights) x) = 0;

CREATE TEMP TABLE res AS
SELECT i.id, a.ord::int, a.key, a.seats, a.quota, a.tie
  FROM inst i,
       settle.apportion(i.total, ARRAY(SELECT 'u' || g FROM generate_series(1, i.n) g), i.weights, i.method,
                        first_divisor => i.fd) WITH ORDINALITY AS a(key, seats, quota, tie, ord);

CREATE TEMP TABLE ref AS
SELECT i.id, r.ord, r.seats, r.tie
  FROM inst i, settle_ref.apportion(i.total, i.weights, i.method, first_divisor => coalesce(i.fd, 1)) r;

CREATE FUNCTION pg_temp.first_ids(ids bigint[]) RETURNS text LANGUAGE sql AS
$$ SELECT CASE WHEN cardinality(ids) = 0 THEN 'none' ELSE array_to_string(ids[1:5], ', ') END $$;

-- 1-3: the C engine agrees with the reference, seat for seat and tie for tie
SELECT is(pg_temp.first_ids(ARRAY(SELECT DISTINCT id FROM res FULL JOIN ref USING (id, ord)
                                   WHERE res.seats IS DISTINCT FROM ref.seats ORDER BY id)),
          'none', 'seats equal the PL/pgSQL reference on 1,500 instances, all methods');
SELECT is(pg_temp.first_ids(ARRAY(SELECT DISTINCT id FROM res JOIN ref USING (id, ord)
                                   WHERE res.tie <> ref.tie ORDER BY id)),
          'none', 'tie flags equal the reference');
SELECT cmp_ok((SELECT count(DISTINCT id) FROM res WHERE tie), '>=', 100::bigint,
              'the instances include at least 100 with a decided tie');

-- 4: sums
SELECT is(pg_temp.first_ids(ARRAY(SELECT i.id FROM inst i JOIN res r USING (id)
                                   GROUP BY i.id, i.total HAVING sum(r.seats) <> i.total ORDER BY 1)),
          'none', 'seats always sum to the total');

-- 5: quota column is total * w / sum(w) rounded half up to 12 decimals, exactly
SELECT is(pg_temp.first_ids(ARRAY(
    SELECT DISTINCT i.id FROM inst i JOIN res r USING (id),
           LATERAL (SELECT sum(x) AS wsum FROM unnest(i.weights) x) s
     WHERE s.wsum > 0
       AND r.quota * 1e12 <> div(2 * i.total * i.weights[r.ord] * 1e12 + s.wsum, 2 * s.wsum)
     ORDER BY 1)),
    'none', 'quota is the exact fair share to 12 decimals');

-- 6: Hamilton satisfies quota
SELECT is(pg_temp.first_ids(ARRAY(SELECT DISTINCT r.id FROM inst i JOIN res r USING (id)
                                   WHERE i.method = 'hamilton' AND r.seats NOT IN (floor(r.quota), ceil(r.quota))
                                   ORDER BY 1)),
          'none', 'Hamilton: every unit gets the floor or the ceiling of its quota');

-- 7: divisor methods are house-monotone: total + 1 never takes a seat away
CREATE TEMP TABLE res_up AS
SELECT i.id, a.ord::int, a.seats
  FROM inst i,
       settle.apportion(i.total + 1, ARRAY(SELECT 'u' || g FROM generate_series(1, i.n) g), i.weights, i.method,
                        first_divisor => i.fd) WITH ORDINALITY AS a(key, seats, quota, tie, ord)
 WHERE i.method <> 'hamilton';
SELECT is(pg_temp.first_ids(ARRAY(SELECT DISTINCT id FROM res JOIN res_up u USING (id, ord)
                                   WHERE u.seats < res.seats ORDER BY 1)),
          'none', 'divisor methods: raising the total by one never takes a seat away (house monotone)');

-- 8: ... while Hamilton is not (the Alabama paradox shows up among these instances too)
SELECT ok(EXISTS (
    SELECT 1 FROM inst i,
           LATERAL (SELECT array_agg(seats ORDER BY ord) s
                      FROM settle.apportion(i.total, ARRAY(SELECT 'u' || g FROM generate_series(1, i.n) g), i.weights)
                           WITH ORDINALITY AS a(key, seats, quota, tie, ord)) lo,
           LATERAL (SELECT array_agg(seats ORDER BY ord) s
                      FROM settle.apportion(i.total + 1, ARRAY(SELECT 'u' || g FROM generate_series(1, i.n) g), i.weights)
                           WITH ORDINALITY AS a(key, seats, quota, tie, ord)) hi
     WHERE i.method = 'hamilton'
       AND EXISTS (SELECT 1 FROM generate_series(1, i.n) g WHERE hi.s[g] < lo.s[g])),
    'Hamilton: an Alabama paradox occurs among the generated instances');

-- 9: divisor methods are population-monotone: a unit whose weight grows,
-- all else equal, never loses a seat
CREATE TEMP TABLE grown AS
SELECT id, 1 + floor(random() * n)::int AS who, round((random() * 20)::numeric, 1) AS extra FROM inst WHERE method <> 'hamilton';
SELECT is(pg_temp.first_ids(ARRAY(
    SELECT g.id FROM grown g JOIN inst i USING (id) JOIN res r ON r.id = g.id AND r.ord = g.who,
           LATERAL (SELECT a.seats
                      FROM settle.apportion(i.total, ARRAY(SELECT 'u' || x FROM generate_series(1, i.n) x),
                                            ARRAY(SELECT CASE WHEN x = g.who THEN i.weights[x] + g.extra ELSE i.weights[x] END
                                                    FROM generate_series(1, i.n) x ORDER BY x),
                                            i.method, first_divisor => i.fd) WITH ORDINALITY AS a(key, seats, quota, tie, ord)
                     WHERE a.ord = g.who) after
     WHERE after.seats < r.seats ORDER BY 1)),
    'none', 'divisor methods: a unit whose weight grows never loses a seat (population monotone)');

-- 10-11: input order matters only through ties: reversed input, same seats for every untied unit
SELECT is(pg_temp.first_ids(ARRAY(
    SELECT DISTINCT r.id FROM inst i JOIN res r USING (id),
           LATERAL (SELECT a.seats, a.tie
                      FROM settle.apportion(i.total, ARRAY(SELECT 'u' || g FROM generate_series(i.n, 1, -1) g),
                                            ARRAY(SELECT i.weights[g] FROM generate_series(i.n, 1, -1) g),
                                            i.method, first_divisor => i.fd) a
                     WHERE a.key = r.key) rev
     WHERE NOT r.tie AND NOT rev.tie AND rev.seats <> r.seats ORDER BY 1)),
    'none', 'reversing the input changes no untied unit''s seats');
SELECT is(pg_temp.first_ids(ARRAY(
    SELECT DISTINCT r.id FROM inst i JOIN res r USING (id),
           LATERAL (SELECT a.tie FROM settle.apportion(i.total, ARRAY(SELECT 'u' || g FROM generate_series(i.n, 1, -1) g),
                                                       ARRAY(SELECT i.weights[g] FROM generate_series(i.n, 1, -1) g),
                                                       i.method, first_divisor => i.fd) a
                     WHERE a.key = r.key) rev
     WHERE rev.tie <> r.tie ORDER BY 1)),
    'none', 'reversing the input flags the same units as tied');

-- 12-17: bounds and prior, at least 600 feasible instances of every method
CREATE TEMP TABLE binst AS
SELECT i.id, i.method, i.fd, i.total, i.weights, i.n,
       ARRAY(SELECT CASE WHEN random() < 0.3 THEN floor(random() * 4)::int END FROM generate_series(1, i.n)) AS mins,
       ARRAY(SELECT CASE WHEN random() < 0.3 THEN floor(random() * 8)::int END FROM generate_series(1, i.n)) AS maxs,
       CASE WHEN i.id % 2 = 0 THEN ARRAY(SELECT floor(random() * 6)::int FROM generate_series(1, i.n)) END AS priors
  FROM inst i WHERE i.id <= 1200;
UPDATE binst SET maxs = ARRAY(SELECT CASE WHEN maxs[g] < mins[g] THEN mins[g] ELSE maxs[g] END
                              FROM generate_series(1, n) g ORDER BY g);
DELETE FROM binst b
 WHERE (SELECT sum(coalesce(b.mins[g], 0)) FROM generate_series(1, b.n) g) > b.total
    OR (SELECT sum(CASE WHEN b.weights[g] = 0 THEN coalesce(b.mins[g], 0) ELSE coalesce(b.maxs[g], 1000) END)
          FROM generate_series(1, b.n) g) < b.total;

CREATE TEMP TABLE bres AS
SELECT b.id, a.ord::int, a.seats, a.tie
  FROM binst b,
       settle.apportion(b.total, ARRAY(SELECT 'u' || g FROM generate_series(1, b.n) g), b.weights, b.method,
                        b.mins, b.maxs, b.priors, b.fd) WITH ORDINALITY AS a(key, seats, quota, tie, ord);
CREATE TEMP TABLE bref AS
SELECT b.id, r.ord, r.seats, r.tie
  FROM binst b, settle_ref.apportion(b.total, b.weights, b.method, b.mins, b.maxs, b.priors, coalesce(b.fd, 1)) r
 WHERE b.method <> 'hamilton';

SELECT cmp_ok((SELECT count(*) FROM binst), '>=', 600::bigint, 'at least 600 feasible bounded instances');
SELECT is(pg_temp.first_ids(ARRAY(SELECT b.id FROM binst b JOIN bres r USING (id)
                                   GROUP BY b.id, b.total HAVING sum(r.seats) <> b.total ORDER BY 1)),
          'none', 'with bounds and prior, seats still sum to the total');
SELECT is(pg_temp.first_ids(ARRAY(SELECT DISTINCT b.id FROM binst b JOIN bres r USING (id)
                                   WHERE r.seats < coalesce(b.mins[r.ord], 0) OR r.seats > b.maxs[r.ord]
                                   ORDER BY 1)),
          'none', 'min_seats and max_seats always honoured, seats never negative');
SELECT is(pg_temp.first_ids(ARRAY(SELECT DISTINCT id FROM bref JOIN bres USING (id, ord)
                                   WHERE bref.seats <> bres.seats ORDER BY 1)),
          'none', 'divisor methods with bounds and prior equal the reference');
SELECT is(pg_temp.first_ids(ARRAY(SELECT DISTINCT id FROM bref JOIN bres USING (id, ord)
                                   WHERE bref.tie <> bres.tie ORDER BY 1)),
          'none', '... tie flags included');
-- prior: a unit already holding at least its share of the grand total gets
-- nothing new (unless max_seats elsewhere push the seats its way)
SELECT is(pg_temp.first_ids(ARRAY(
    SELECT DISTINCT b.id FROM binst b JOIN bres r USING (id),
           LATERAL (SELECT sum(x) AS wsum FROM unnest(b.weights) x) s,
           LATERAL (SELECT sum(x) AS psum FROM unnest(b.priors) x) p
     WHERE b.method = 'hamilton' AND b.priors IS NOT NULL AND b.mins[r.ord] IS NULL AND s.wsum > 0
       AND NOT EXISTS (SELECT 1 FROM unnest(b.maxs) x WHERE x IS NOT NULL)
       AND b.priors[r.ord] >= (b.total + p.psum) * b.weights[r.ord] / s.wsum AND r.seats > 0
     ORDER BY 1)),
    'none', 'Hamilton with prior: a unit at or above its share of the grand total gets 0 new seats');

SELECT * FROM finish();
ROLLBACK;
