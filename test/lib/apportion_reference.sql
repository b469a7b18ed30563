-- test/lib/apportion_reference.sql: settle.apportion written the plain way,
-- in PL/pgSQL and SQL, as a user would write it without settle.
--
-- Two uses:
--   * the oracle of the property tests (test/pgtap/06_apportion_properties.sql):
--     exact integer arithmetic throughout, so its seats and tie flags must equal
--     the C engine's on every instance;
--   * the baseline of the benchmark (test/bench/apportion.sh).
--
-- Method: every weight is scaled to an integer.  Hamilton: floors of the
-- quotas by integer division, then the largest remainders (input order breaks
-- ties).  Divisor methods: list every unit's candidate seats with their
-- priority weight/divisor, take the `total` best (input order breaks ties).
-- A priority is compared as div(weight * 10^40, divisor): for the instance
-- sizes used here two different priorities differ by at least
-- 1/(d1 * d2) > 10^-40, so the integer keys order them exactly.
-- Bounds (holdings lo = prior + min_seats, hi = prior + max_seats) make the
-- seats below lo forced and drop the seats at or above hi.  Hamilton with
-- bounds or prior is not covered (the property tests check its sums and
-- bounds instead).

CREATE SCHEMA IF NOT EXISTS settle_ref;

CREATE OR REPLACE FUNCTION settle_ref.apportion(
    total integer,
    weights numeric[],
    method text DEFAULT 'hamilton',
    min_seats integer[] DEFAULT NULL,
    max_seats integer[] DEFAULT NULL,
    prior integer[] DEFAULT NULL,
    first_divisor numeric DEFAULT 1)
RETURNS TABLE (ord integer, seats integer, tie boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
    n integer := cardinality(weights);
    sc integer;
    grand bigint;
    wsum numeric;
    bounded boolean := min_seats IS NOT NULL OR max_seats IS NOT NULL OR prior IS NOT NULL;
    fd_den numeric := 1000000;     -- first divisor and the odd divisors, times 10^6
    big numeric := 1e200;           -- priority of a first seat with divisor 0
    p_last numeric;
    p_next numeric;
BEGIN
    SELECT coalesce(max(scale(x)), 0) INTO sc FROM unnest(weights) x;
    IF to_regclass('pg_temp.ref_unit') IS NULL THEN
        CREATE TEMP TABLE ref_unit (i int, w numeric, lo bigint, hi bigint, pr bigint) ON COMMIT DROP;
        CREATE TEMP TABLE ref_cand (i int, k bigint, forced boolean, prio numeric) ON COMMIT DROP;
        CREATE TEMP TABLE ref_pick (rk bigint, i int, forced boolean, prio numeric) ON COMMIT DROP;
    END IF;
    TRUNCATE ref_unit, ref_cand, ref_pick;
    INSERT INTO ref_unit
        SELECT g, weights[g] * 10::numeric ^ sc,
               coalesce(prior[g], 0) + coalesce(min_seats[g], 0),
               CASE WHEN max_seats[g] IS NULL THEN NULL ELSE coalesce(prior[g], 0) + max_seats[g] END,
               coalesce(prior[g], 0)
          FROM generate_series(1, n) g;
    SELECT total + sum(pr), sum(w) INTO grand, wsum FROM ref_unit;
    grand := coalesce(grand, total);

    IF method = 'hamilton' THEN
        IF bounded THEN
            RAISE EXCEPTION 'settle_ref.apportion: hamilton with bounds or prior is not covered';
        END IF;
        RETURN QUERY
        WITH q AS (
            SELECT u.i, div(grand * u.w, wsum) AS fl, mod(grand * u.w, wsum) AS rem FROM ref_unit u),
        r AS (SELECT grand - sum(fl) AS left_over FROM q),
        ranked AS (
            SELECT q.*, row_number() OVER (ORDER BY rem DESC, i) AS rk FROM q),
        edge AS (
            SELECT (SELECT rem FROM ranked, r WHERE rk = r.left_over) AS last_in,
                   (SELECT rem FROM ranked, r WHERE rk = r.left_over + 1) AS first_out)
        SELECT ranked.i, (fl + CASE WHEN rk <= r.left_over THEN 1 ELSE 0 END)::integer,
               coalesce(edge.last_in = edge.first_out AND ranked.rem = edge.last_in, false)
          FROM ranked, r, edge
         ORDER BY ranked.i;
        RETURN;
    END IF;

    -- divisor methods: candidate seats k = 0, 1, ... of every unit
    INSERT INTO ref_cand
        SELECT u.i, k, k < u.lo,
               CASE WHEN d = 0 THEN big ELSE div(f * 1e40, d) END
          FROM ref_unit u,
               LATERAL generate_series(0,
                   CASE WHEN bounded THEN greatest(u.lo, least(coalesce(u.hi, grand), grand)) - 1
                        -- unbounded, no unit gets more than w (T + n) / W + 1 seats
                        ELSE floor(u.w * (grand + n) / nullif(wsum, 0))::bigint END) k,
               LATERAL (SELECT CASE method WHEN 'huntington_hill' THEN u.w * u.w ELSE u.w END AS f,
                               CASE method
                                   WHEN 'dhondt' THEN (k + 1)::numeric
                                   WHEN 'sainte_lague' THEN CASE WHEN k = 0 THEN first_divisor * fd_den
                                                                 ELSE (2 * k + 1) * fd_den END
                                   WHEN 'huntington_hill' THEN (k * (k + 1))::numeric
                                   WHEN 'adams' THEN k::numeric
                               END AS d) dd
         WHERE (u.w > 0 OR k < u.lo) AND (u.hi IS NULL OR k < u.hi);

    INSERT INTO ref_pick
        SELECT row_number() OVER (ORDER BY forced DESC, prio DESC, i, k), i, forced, prio FROM ref_cand;
    SELECT CASE WHEN NOT forced THEN prio END INTO p_last FROM ref_pick WHERE rk = grand;
    SELECT prio INTO p_next FROM ref_pick WHERE rk = grand + 1 AND NOT forced;

    RETURN QUERY
        SELECT u.i, (coalesce(c.held, 0) - u.pr)::integer,
               coalesce(p_last = p_next AND c.at_edge, false)
          FROM ref_unit u
          LEFT JOIN (SELECT p.i, count(*) FILTER (WHERE p.rk <= grand) AS held,
                            bool_or(NOT p.forced AND p.prio = p_last) AS at_edge
                       FROM ref_pick p GROUP BY p.i) c ON c.i = u.i
         ORDER BY u.i;
END
$fn$;
