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
               person_km numeric, passed_over_where_fit integer, passed_over_beyond_limit integer)
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
    batch_referral bigint;
    figures jsonb;
    limit_days integer := settle.max_passed_over_days();
    fit integer[] := array_fill(0, ARRAY[12]);
    beyond integer[] := array_fill(0, ARRAY[12]);
    b record;
    room_stream text[];
    room_code settle.kommunkod[];
    room_room integer[];
    room_left integer[];
    room_able bigint[];
    room_paused boolean[];
    cr_code settle.kommunkod[];
    cr_need text[];
    cr_left integer[];
    cr_reserved boolean[];
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
            -- the room of every municipality before the batch, for the passed-over count below
            SELECT array_agg(x.s), array_agg(m.code), array_agg(m.room), array_agg(m.remaining), array_agg(coalesce(m.able, 0)), array_agg(m.paused)
              INTO room_stream, room_code, room_room, room_left, room_able, room_paused
              FROM unnest(st) x(s) CROSS JOIN LATERAL settle.match_municipalities(y, d, x.s) m;
            SELECT array_agg(c.municipality), array_agg(c.need), array_agg(c.places_left), array_agg(c.reserved)
              INTO cr_code, cr_need, cr_left, cr_reserved FROM settle.capability_room(y, d) c;
            SELECT coalesce(max(r.id), 0) INTO batch_referral FROM settle.referral r;
            PERFORM settle.refer_matches(y, d, md, st);
            -- hard-to-place households left waiting while a later, easier one was
            -- referred in this batch to a municipality where they could have
            -- taken its place (the chronology rule's test: needs met, no pause,
            -- their persons within the room left after the batch plus the
            -- later one's; counted places as at the batch's start), and those
            -- of them that had waited the limit, if any
            -- (a linked household with its group's persons and needs; counted
            -- places as settle.capability_room had them)
            WITH w AS MATERIALIZED (SELECT * FROM settle.waiting(d) x WHERE x.stream = ANY (st)),
            q AS (
                SELECT w.*, coalesce(sum(w.persons) OVER (PARTITION BY w.linked_group), w.persons) AS group_persons,
                       CASE WHEN w.linked_group IS NULL THEN w.needs
                            ELSE ARRAY(SELECT DISTINCT n FROM w g, unnest(g.needs) n WHERE g.linked_group = w.linked_group) END AS group_needs
                  FROM w)
            SELECT count(*) AS n, count(*) FILTER (WHERE q.days_waited >= limit_days) AS nb INTO b
              FROM q
             WHERE q.hard_to_place
               AND EXISTS (SELECT 1 FROM settle.referral r JOIN settle.household e ON e.id = r.household
                             JOIN unnest(room_stream, room_code, room_room, room_left, room_able, room_paused) AS m(stream, code, room, remaining, able, paused)
                               ON m.stream = r.stream AND m.code = r.municipality
                            WHERE r.id > batch_referral AND r.stream = q.stream
                              AND NOT settle.hard_to_place(e.needs, e.persons, e.linked_group)
                              AND (e.permit_date, e.registered_at, e.id) >
                                  (q.permit_date, (SELECT x.registered_at FROM settle.household x WHERE x.id = q.household), q.household)
                              AND m.room - (SELECT sum(x.persons) FROM settle.referral x
                                             WHERE x.id > batch_referral AND x.stream = r.stream AND x.municipality = r.municipality)
                                  + r.persons >= q.group_persons
                              AND NOT m.paused AND (settle.needs_mask(q.group_needs) & ~m.able) = 0
                              AND NOT EXISTS (SELECT 1 FROM unnest(cr_code, cr_need, cr_left, cr_reserved) AS c(code, need, places_left, reserved)
                                               WHERE c.code = m.code
                                                 AND settle.counted_blocks(c.need, c.places_left, c.reserved, q.group_needs, q.group_persons::integer, m.remaining)));
            fit[extract(month FROM d)::integer] := fit[extract(month FROM d)::integer] + b.n;
            beyond[extract(month FROM d)::integer] := beyond[extract(month FROM d)::integer] + b.nb;
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
                   'person_km', (SELECT round(coalesce(sum(s.persons * s.km), 0)::numeric, 1) FROM sim s WHERE s.m = mo.m),
                   'passed_over_where_fit', fit[mo.m],
                   'passed_over_beyond_limit', CASE WHEN limit_days IS NOT NULL THEN beyond[mo.m] END)
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
           round(x.wait_median_other::numeric, 1), round(x.wait_p90_other::numeric, 1), x.person_km,
           x.passed_over_where_fit, x.passed_over_beyond_limit
      FROM jsonb_to_recordset(figures) AS x(month integer, referred_persons integer, planned_persons integer,
                                            ahead_municipalities integer, ahead_persons integer, passed_over_hard integer,
                                            waiting_households integer, wait_median_hard double precision,
                                            wait_p90_hard double precision, wait_median_other double precision,
                                            wait_p90_other double precision, person_km numeric,
                                            passed_over_where_fit integer, passed_over_beyond_limit integer)
     ORDER BY x.month;
END
$fn$;
COMMENT ON FUNCTION settle.simulate_year(integer, regclass, integer, text, text[]) IS
    'Plays a year of arrivals (a table with an arrives date) through refer_matches every batch_days and reports per month plan, passing-over, waits and person-km; then undoes it all.';
