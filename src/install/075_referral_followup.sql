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
               permit_date date, days_waited integer, needs text[], linked_group text, hard_to_place boolean)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT row_number() OVER (ORDER BY h.permit_date NULLS LAST, h.registered_at, h.id),
           h.id, h.category, h.persons, h.residence, h.permit_date,
           as_of - h.permit_date,
           h.needs, h.linked_group,
           settle.hard_to_place(h.needs, h.persons, h.linked_group)
      FROM settle.household h
     WHERE settle.local_date(h.registered_at) <= as_of
       AND NOT EXISTS (
           SELECT 1 FROM settle.referral r
            WHERE r.household = h.id
              AND settle.local_date(r.decided_at) <= as_of
              AND (r.withdrawn_at IS NULL OR settle.local_date(r.withdrawn_at) > as_of))
     ORDER BY 1
$$;
COMMENT ON FUNCTION settle.waiting(date) IS
    'Households without an active referral as of a date, in fair chronological order (permit, then registration); hard_to_place is shown, never used to reorder.';

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
