-- 075_referral_followup.sql: overdue receptions, the waiting list, and the
-- 2022 distribution numbers for temporary protection (fördelningstal).

CREATE FUNCTION settle.overdue(as_of date DEFAULT settle.today())
RETURNS TABLE (referral bigint, household bigint, municipality settle.kommunkod, name text, persons integer,
               decided_on date, deadline date, received_on date, days_late integer, problem text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT r.id, r.household, r.municipality, m.name, r.persons,
           settle.local_date(r.decided_at), r.deadline, r.received_on,
           CASE WHEN r.received_on IS NULL THEN as_of - r.deadline ELSE r.received_on - r.deadline END,
           CASE WHEN r.received_on IS NULL THEN 'not received' ELSE 'received late' END
      FROM settle.referral r
      JOIN settle.municipality m ON m.code = r.municipality
     WHERE settle.local_date(r.decided_at) <= as_of
       AND ((r.status = 'issued' AND r.deadline < as_of)
            OR (r.status = 'received' AND r.received_on > r.deadline AND r.received_on <= as_of))
     ORDER BY 9 DESC, r.id
$$;
COMMENT ON FUNCTION settle.overdue(date) IS
    'Referrals needing follow-up as of a date: issued and not received by their deadline, or received after it; most overdue first.';

CREATE FUNCTION settle.waiting(as_of date DEFAULT settle.today())
RETURNS TABLE (queue_position bigint, household bigint, category text, persons integer, residence settle.kommunkod,
               permit_date date, days_waited integer, needs text[], linked_group text, hard_to_place boolean, stream text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    -- settle.household_stream once per category, not per household: a
    -- household's own stream, when it names one, comes first there too (an
    -- infinite as_of fails below, on the days waited, with 22008)
    WITH cat AS MATERIALIZED (
        SELECT c.category, settle.household_stream(NULL, c.category,
                                                   CASE WHEN isfinite(as_of) THEN extract(year FROM as_of)::integer END) AS stream
          FROM (SELECT DISTINCT x.category FROM settle.household x) c)
    SELECT row_number() OVER (ORDER BY h.permit_date NULLS LAST, h.registered_at, h.id),
           h.id, h.category, h.persons, h.residence, h.permit_date,
           as_of - h.permit_date,
           h.needs, h.linked_group,
           settle.hard_to_place(h.needs, h.persons, h.linked_group),
           coalesce(h.stream, cat.stream)
      FROM settle.household h
      JOIN cat ON cat.category = h.category
     WHERE settle.local_date(h.registered_at) <= as_of
       AND NOT EXISTS (
           SELECT 1 FROM settle.referral r
            WHERE r.household = h.id
              AND settle.local_date(r.decided_at) <= as_of
              AND (r.withdrawn_at IS NULL OR settle.local_date(r.withdrawn_at) > as_of))
     ORDER BY 1
$$;
COMMENT ON FUNCTION settle.waiting(date) IS
    'Households without an active referral as of a date, in fair chronological order (permit, then registration), with their stream; hard_to_place is shown, never used to reorder.';

CREATE FUNCTION settle.distribution_numbers(year integer, total integer, method text DEFAULT 'hamilton')
RETURNS TABLE (municipality settle.kommunkod, county settle.lanskod, share numeric, present integer,
               fair_share numeric, to_receive integer, tie boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := year;
BEGIN
    IF total IS NULL OR total < 0 THEN
        RAISE EXCEPTION 'total must be a number of persons >= 0, not %', coalesce(total::text, 'NULL')
            USING ERRCODE = CASE WHEN total IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'total is the number of protected persons to be referred.';
    END IF;
    IF EXISTS (SELECT 1 FROM settle.model_input i WHERE i.year = y AND i.factor = 'present_protected' AND i.value <> trunc(i.value)) THEN
        RAISE EXCEPTION 'model input present_protected of % must be whole persons', y
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'present_protected counts the protected persons already living in each municipality.';
    END IF;
    RETURN QUERY
    WITH s AS (
        SELECT ms.municipality, ms.county, ms.share,
               coalesce((SELECT i.value FROM settle.model_input i
                          WHERE i.year = y AND i.municipality = ms.municipality AND i.factor = 'present_protected'), 0)::integer AS present
          FROM settle.model_shares(y) ms),
    a AS (
        SELECT * FROM settle.apportion(total,
                   ARRAY(SELECT s.municipality::text FROM s ORDER BY s.municipality),
                   ARRAY(SELECT s.share FROM s ORDER BY s.municipality),
                   method,
                   prior => ARRAY(SELECT s.present FROM s ORDER BY s.municipality)))
    SELECT s.municipality, s.county, s.share, s.present, a.quota, a.seats, a.tie
      FROM s JOIN a ON a.key = s.municipality::text
     ORDER BY s.municipality;
END
$fn$;
COMMENT ON FUNCTION settle.distribution_numbers(integer, integer, text) IS
    'The distribution numbers (fördelningstal) for persons with temporary protection: total split by the model so that municipalities already hosting many receive fewer.';

-- The distribution numbers decided as a stream's quotas: each county's
-- länstal is the sum of its municipalities' numbers, so both sum rules hold
-- by construction; a number below the persons already referred in the
-- stream is refused by the quota's own rule (060_quotas.sql).
CREATE FUNCTION settle.decide_distribution_numbers(year integer, decision_ref text, decision_date date DEFAULT settle.today(),
                                                   stream text DEFAULT 'temporary_protection')
RETURNS TABLE (municipality settle.kommunkod, county settle.lanskod, present integer, quota integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    ys record := settle.require_stream(year, stream);
    ref text := decision_ref;
    dd date := decision_date;
    munis settle.kommunkod[];
    counties settle.lanskod[];
    presents integer[];
    numbers integer[];
BEGIN
    PERFORM settle.require_text(ref, 'decision_ref', 'Give the reference of the agency''s decision on the distribution numbers.');
    IF ys.stream = 'ordinary' THEN
        RAISE EXCEPTION 'the ordinary stream is apportioned by the model into länstal and kommuntal, not by distribution numbers'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use settle.decide_county_quotas and settle.decide_municipal_quotas; pass stream => ''temporary_protection'' here.';
    END IF;
    -- the numbers once; the county quotas first (the municipal ones reference them)
    SELECT array_agg(d.municipality ORDER BY d.municipality), array_agg(d.county ORDER BY d.municipality),
           array_agg(d.present ORDER BY d.municipality), array_agg(d.to_receive ORDER BY d.municipality)
      INTO munis, counties, presents, numbers
      FROM settle.distribution_numbers(ys.year, ys.national_volume, ys.method) d;
    INSERT INTO settle.county_quota AS cq (year, stream, county, quota, decision_ref, decision_date)
    SELECT ys.year, ys.stream, x.c, sum(x.n), ref, dd FROM unnest(counties, numbers) AS x(c, n) GROUP BY x.c
    ON CONFLICT (year, stream, county) DO UPDATE
        SET quota = EXCLUDED.quota, decision_ref = EXCLUDED.decision_ref, decision_date = EXCLUDED.decision_date;
    RETURN QUERY
    WITH d AS (SELECT * FROM unnest(munis, counties, presents, numbers) AS x(m, c, p, n)),
    w AS (
        INSERT INTO settle.municipal_quota AS mq (year, stream, municipality, county, quota, decision_ref, decision_date)
        SELECT ys.year, ys.stream, d.m, d.c, d.n, ref, dd FROM d
        ON CONFLICT (year, stream, municipality) DO UPDATE
            SET quota = EXCLUDED.quota, decision_ref = EXCLUDED.decision_ref, decision_date = EXCLUDED.decision_date
        RETURNING mq.municipality, mq.quota)
    SELECT w.municipality, d.c, d.p, w.quota FROM w JOIN d ON d.m = w.municipality
     ORDER BY w.municipality;
END
$fn$;
COMMENT ON FUNCTION settle.decide_distribution_numbers(integer, text, date, text) IS
    'Decides settle.distribution_numbers over a stream''s national volume (default temporary_protection) as its kommuntal, and their county sums as its länstal; logged.';
