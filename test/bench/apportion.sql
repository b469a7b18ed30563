-- test/bench/apportion.sql: instances and timing helpers for test/bench/apportion.sh.
-- Instances: 21 counties and 290 municipalities by their 2019 population
-- (the embedded reference data); 1,000 to 1,000,000 synthetic units with
-- log-uniform weights 1 .. 10^6 (fixed seed).  Total: 5 seats per unit,
-- but 5,000 for the real sizes (a typical national volume).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS settle;
\i test/lib/apportion_reference.sql

CREATE TABLE bench_instance (units integer PRIMARY KEY, total integer, keys text[], weights numeric[]);
INSERT INTO bench_instance
SELECT 21, 5000, array_agg(c::text ORDER BY c), array_agg(p ORDER BY c)
  FROM (SELECT m.county AS c, sum(m.population)::numeric AS p FROM settle.municipality m GROUP BY m.county) s;
INSERT INTO bench_instance
SELECT 290, 5000, array_agg(code::text ORDER BY code), array_agg(population::numeric ORDER BY code) FROM settle.municipality;
SELECT setseed(0.5);
INSERT INTO bench_instance
SELECT n, 5 * n, array_agg('u' || g ORDER BY g), array_agg(floor(exp(random() * ln(1e6)))::numeric ORDER BY g)
  FROM (VALUES (1000), (10000), (100000), (1000000)) v(n), generate_series(1, n) g GROUP BY n;

-- settle.apportion (all rows read) and, interleaved with it, the floor: the
-- same arrays unnested to the same number of rows (what any function taking
-- these arrays and returning a row per unit pays in PostgreSQL: reading the
-- arrays, a tuplestore), and settle.apportion_seats (the arrays form, no
-- keys, no rows; its seats must be apportion's); min and median ms of `reps`
-- runs of each
CREATE FUNCTION bench_c(n integer, m text, reps integer,
                        OUT c_min numeric, OUT c_median numeric, OUT floor_min numeric, OUT floor_median numeric,
                        OUT arrays_min numeric, OUT arrays_median numeric)
LANGUAGE plpgsql AS $$
DECLARE
    c float8[] := '{}';
    f float8[] := '{}';
    a float8[] := '{}';
    t0 timestamptz;
    got bigint;
    s integer[];
    i bench_instance;
BEGIN
    SELECT * INTO i FROM bench_instance WHERE units = n;
    IF (SELECT seats FROM settle.apportion_seats(i.total, i.weights, m))
       IS DISTINCT FROM ARRAY(SELECT x.seats FROM settle.apportion(i.total, i.keys, i.weights, m) WITH ORDINALITY x(k, seats, q, t, o) ORDER BY o) THEN
        RAISE EXCEPTION 'settle.apportion_seats(%, %) differs from settle.apportion', n, m;
    END IF;
    FOR r IN 1 .. reps LOOP
        t0 := clock_timestamp();
        SELECT sum(seats) INTO got FROM settle.apportion(i.total, i.keys, i.weights, m);
        c := c || extract(epoch FROM clock_timestamp() - t0)::float8 * 1000;
        IF got <> i.total THEN RAISE EXCEPTION 'settle.apportion(%, %): % seats, not %', n, m, got, i.total; END IF;
        t0 := clock_timestamp();
        SELECT count(*) INTO got FROM unnest(i.keys, i.weights) u(k, w);
        f := f || extract(epoch FROM clock_timestamp() - t0)::float8 * 1000;
        t0 := clock_timestamp();
        SELECT x.seats INTO s FROM settle.apportion_seats(i.total, i.weights, m) x;
        a := a || extract(epoch FROM clock_timestamp() - t0)::float8 * 1000;
        IF cardinality(s) <> n THEN RAISE EXCEPTION 'settle.apportion_seats(%, %): % seats', n, m, cardinality(s); END IF;
    END LOOP;
    SELECT round(min(x)::numeric, 2), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 2)
      INTO c_min, c_median FROM unnest(c) x;
    SELECT round(min(x)::numeric, 2), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 2)
      INTO floor_min, floor_median FROM unnest(f) x;
    SELECT round(min(x)::numeric, 2), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 2)
      INTO arrays_min, arrays_median FROM unnest(a) x;
END $$;

-- the same for the PL/pgSQL baseline; also checks it agrees with the C result
CREATE FUNCTION bench_plpgsql(n integer, m text, reps integer) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    best numeric;
    t0 timestamptz;
    differ bigint;
    i bench_instance;
BEGIN
    SELECT * INTO i FROM bench_instance WHERE units = n;
    FOR r IN 1 .. reps LOOP
        t0 := clock_timestamp();
        CREATE TEMP TABLE ref_out ON COMMIT DROP AS SELECT * FROM settle_ref.apportion(i.total, i.weights, m);
        best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
        SELECT count(*) INTO differ
          FROM ref_out r JOIN settle.apportion(i.total, i.keys, i.weights, m) WITH ORDINALITY AS a(key, seats, quota, tie, ord)
               ON a.ord = r.ord
         WHERE a.seats <> r.seats;
        IF differ <> 0 THEN RAISE EXCEPTION 'baseline and settle.apportion differ on % units (%, %)', differ, n, m; END IF;
        DROP TABLE ref_out;
    END LOOP;
    RETURN round(best, 2);
END $$;
