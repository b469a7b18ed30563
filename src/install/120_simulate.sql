-- 120_simulate.sql: a year simulator (since 0.3.0).
--
-- settle.simulate_year plays a year of arrivals through the real code:
-- every batch day it registers the households that have arrived and refers
-- a fresh proposal (settle.refer_matches), with settle.today set to that
-- day, so every rule, plan, pause and reduced intake applies as it would.
-- It measures the result per month, then rolls the whole simulation back
-- (a subtransaction that it aborts): nothing of it stays in settle's tables
-- or the decision log.  Identity numbers it drew are not reused.

CREATE FUNCTION settle.simulate_year(year integer, arrivals regclass, batch_days integer DEFAULT 15,
                                     mode text DEFAULT 'chronological', streams text[] DEFAULT NULL)
RETURNS TABLE (month integer, referred_persons integer, planned_persons integer, ahead_municipalities integer,
               ahead_persons integer, passed_over_hard integer, waiting_households integer,
               wait_median_hard numeric, wait_p90_hard numeric, wait_median_other numeric, wait_p90_other numeric,
               person_km numeric)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := simulate_year.year;
    md text := settle.require_mode(mode);
    st text[];
    missing text;
    d date;
    prev date;
    first_household bigint;
    first_referral bigint;
    figures jsonb;
BEGIN
    st := settle.streams_of_year(y, streams);     -- P0002 for an unknown year or stream
    IF batch_days IS NULL OR batch_days NOT BETWEEN 1 AND 366 THEN
        RAISE EXCEPTION 'batch_days must be 1 to 366, not %', coalesce(batch_days::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The days between two batches of referrals, e.g. 15 for half-monthly.';
    END IF;
    IF arrivals IS NULL THEN
        RAISE EXCEPTION 'arrivals must name a table' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'A table or view with ref, category, persons, residence, permit_date, needs, linked_group and arrives (date).';
    END IF;
    SELECT string_agg(c, ', ') INTO missing
      FROM unnest(ARRAY['ref', 'category', 'persons', 'residence', 'permit_date', 'needs', 'linked_group', 'arrives']) c
     WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = arrivals AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'arrivals table % lacks the columns %', arrivals, missing
            USING ERRCODE = 'undefined_column',
                  HINT = 'A table or view with ref, category, persons, residence, permit_date, needs, linked_group and arrives (date).';
    END IF;
    SELECT coalesce(max(h.id), 0) INTO first_household FROM settle.household h;
    SELECT coalesce(max(r.id), 0) INTO first_referral FROM settle.referral r;
    BEGIN
        d := make_date(y, 1, 1);
        prev := NULL;
        WHILE d <= make_date(y, 12, 31) LOOP
            PERFORM pg_catalog.set_config('settle.today', d::text, true);
            EXECUTE format('INSERT INTO settle.household (ref, category, persons, residence, permit_date, needs, linked_group, registered_at)
                            SELECT a.ref, a.category, a.persons, a.residence, a.permit_date, coalesce(a.needs, ''{}''), a.linked_group,
                                   settle.local_instant(a.arrives + time ''12:00'')
                              FROM %s a WHERE a.arrives <= $1 AND ($2 IS NULL OR a.arrives > $2)
                             ORDER BY a.arrives, a.ref', arrivals) USING d, prev;
            PERFORM settle.refer_matches(y, d, md, st);
            prev := d;
            d := d + batch_days;
        END LOOP;
        -- the figures, on the simulated year (sim: what the simulation referred)
        WITH sim AS (
            SELECT r.*, extract(month FROM settle.local_time(r.decided_at))::integer AS m,
                   settle.local_date(r.decided_at) - h.permit_date AS waited,
                   settle.hard_to_place(h.needs, h.persons, h.linked_group) AS hard,
                   (SELECT px.distance_km FROM settle.proximity px WHERE px.residence = h.residence AND px.municipality = r.municipality) AS km
              FROM settle.referral r JOIN settle.household h ON h.id = r.household
             WHERE r.id > first_referral AND r.stream = ANY (st)),
        months AS (SELECT g AS m, (make_date(y, g, 1) + interval '1 month - 1 day')::date AS last FROM generate_series(1, 12) g),
        plan AS (
            SELECT mo.m, qs.municipality, qs.deviation
              FROM months mo CROSS JOIN LATERAL settle.quota_status(y, mo.last, st) qs
             WHERE qs.level = 'municipality'
               AND EXISTS (SELECT 1 FROM settle.annual_plan ap WHERE ap.year = y AND ap.stream = qs.stream AND ap.municipality = qs.municipality)),
        fair AS (SELECT f.month AS m, f.passed_over_hard FROM settle.fairness(y) f)
        SELECT jsonb_agg(jsonb_build_object(
                   'month', mo.m,
                   'referred_persons', (SELECT coalesce(sum(s.persons), 0) FROM sim s WHERE s.m = mo.m),
                   'planned_persons', (SELECT coalesce(sum(ap.planned), 0) FROM settle.annual_plan ap
                                        WHERE ap.year = y AND ap.month = mo.m AND ap.stream = ANY (st)),
                   'ahead_municipalities', (SELECT count(*) FROM plan p WHERE p.m = mo.m AND p.deviation > 0),
                   'ahead_persons', (SELECT coalesce(sum(p.deviation), 0) FROM plan p WHERE p.m = mo.m AND p.deviation > 0),
                   'passed_over_hard', (SELECT f.passed_over_hard FROM fair f WHERE f.m = mo.m),
                   'waiting_households', (SELECT count(*) FROM settle.waiting(mo.last) w WHERE w.stream = ANY (st)),
                   'wait_median_hard', (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s.waited) FROM sim s WHERE s.m = mo.m AND s.hard),
                   'wait_p90_hard', (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY s.waited) FROM sim s WHERE s.m = mo.m AND s.hard),
                   'wait_median_other', (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s.waited) FROM sim s WHERE s.m = mo.m AND NOT s.hard),
                   'wait_p90_other', (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY s.waited) FROM sim s WHERE s.m = mo.m AND NOT s.hard),
                   'person_km', (SELECT round(coalesce(sum(s.persons * s.km), 0)::numeric, 1) FROM sim s WHERE s.m = mo.m))
                 ORDER BY mo.m)
          INTO figures FROM months mo;
        -- undo the whole simulation
        RAISE EXCEPTION 'settle.simulate_year: rolled back' USING ERRCODE = 'SE001';
    EXCEPTION WHEN SQLSTATE 'SE001' THEN
        NULL;
    END;
    RETURN QUERY
    SELECT x.month, x.referred_persons, x.planned_persons, x.ahead_municipalities, x.ahead_persons, x.passed_over_hard,
           x.waiting_households, round(x.wait_median_hard::numeric, 1), round(x.wait_p90_hard::numeric, 1),
           round(x.wait_median_other::numeric, 1), round(x.wait_p90_other::numeric, 1), x.person_km
      FROM jsonb_to_recordset(figures) AS x(month integer, referred_persons integer, planned_persons integer,
                                            ahead_municipalities integer, ahead_persons integer, passed_over_hard integer,
                                            waiting_households integer, wait_median_hard double precision,
                                            wait_p90_hard double precision, wait_median_other double precision,
                                            wait_p90_other double precision, person_km numeric)
     ORDER BY x.month;
END
$fn$;
COMMENT ON FUNCTION settle.simulate_year(integer, regclass, integer, text, text[]) IS
    'Plays a year of arrivals (a table with an arrives date) through refer_matches every batch_days and reports per month plan, fairness, waits and person-km; then undoes it all.';
