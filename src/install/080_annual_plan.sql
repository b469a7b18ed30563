-- 080_annual_plan.sql: the annual plan (årsplanering).
--
-- Each kommuntal is spread over the 12 months of its year; the months of a
-- municipality always sum to its quota (checked at commit).  When a quota
-- changes (a decision or a revision) the months not yet past are re-spread
-- automatically, keeping their shape, so the plan still sums to the quota.

CREATE TABLE settle.annual_plan (
    year          integer NOT NULL,
    municipality  settle.kommunkod NOT NULL,
    month         integer NOT NULL CHECK (month BETWEEN 1 AND 12),
    planned       integer NOT NULL CHECK (planned >= 0),
    stream        text NOT NULL DEFAULT 'ordinary',
    CONSTRAINT annual_plan_pkey PRIMARY KEY (year, stream, municipality, month),
    CONSTRAINT annual_plan_municipal_quota_fkey FOREIGN KEY (year, stream, municipality)
        REFERENCES settle.municipal_quota (year, stream, municipality) ON DELETE CASCADE
);
COMMENT ON TABLE settle.annual_plan IS
    'The annual plan: each kommuntal (per stream) spread over the 12 months of its year. The months sum to the quota at commit; those not yet past are re-spread when it changes.';

CREATE FUNCTION settle.check_plan_sum(y integer, m settle.kommunkod, s text DEFAULT 'ordinary') RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    n integer;
    total bigint;
    q integer;
BEGIN
    SELECT count(*), sum(planned) INTO n, total FROM settle.annual_plan WHERE year = y AND stream = s AND municipality = m;
    IF n = 0 THEN
        RETURN;
    END IF;
    SELECT quota INTO q FROM settle.municipal_quota WHERE year = y AND stream = s AND municipality = m;
    IF n <> 12 OR total IS DISTINCT FROM q::bigint THEN
        RAISE EXCEPTION 'the annual plan of % for % sums to % over % months, not its kommuntal % over 12',
                        settle.municipality_label(m), y || settle.stream_label(s), total, n, coalesce(q::text, '(none)')
            USING ERRCODE = 'check_violation',
                  HINT = 'Spread the quota with settle.spread_plan(year, county, profile), or change months so that they still sum to the quota.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.check_plan_sum(integer, settle.kommunkod, text) IS 'Raises 23514 unless the municipality''s annual plan in the stream (if any) has 12 months summing to its kommuntal.';

CREATE FUNCTION settle.annual_plan_at_commit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM settle.check_plan_sum(OLD.year, OLD.municipality, OLD.stream);
    ELSE
        PERFORM settle.check_plan_sum(NEW.year, NEW.municipality, NEW.stream);
    END IF;
    RETURN NULL;
END
$fn$;
CREATE CONSTRAINT TRIGGER annual_plan_sum AFTER INSERT OR UPDATE OR DELETE ON settle.annual_plan
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settle.annual_plan_at_commit();

-- apportion n persons over months by weights (even if all weights are 0)
CREATE FUNCTION settle.spread_months(n integer, months integer[], weights numeric[])
RETURNS TABLE (month integer, planned integer)
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT months[a.ord::integer], a.seats
      FROM settle.apportion(n, ARRAY(SELECT m::text FROM unnest(months) m),
                            CASE WHEN (SELECT coalesce(sum(w), 0) FROM unnest(weights) w) > 0 THEN weights
                                 ELSE array_fill(1::numeric, ARRAY[cardinality(months)]) END)
           WITH ORDINALITY AS a(key, seats, quota, tie, ord)
$$;
COMMENT ON FUNCTION settle.spread_months(integer, integer[], numeric[]) IS
    'Internal: n persons over the given months in proportion to weights (Hamilton, exact; evenly if all weights are 0).';

CREATE FUNCTION settle.spread_plan(year integer, county settle.lanskod DEFAULT NULL, profile numeric[] DEFAULT NULL,
                                   streams text[] DEFAULT NULL)
RETURNS TABLE (municipality settle.kommunkod, month integer, planned integer, stream text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := year;
    c settle.lanskod := county;
    st text[] := settle.require_streams(year, streams);
    w numeric[] := coalesce(profile, array_fill(1::numeric, ARRAY[12]));
BEGIN
    IF array_ndims(w) <> 1 THEN
        RAISE EXCEPTION 'profile must be a one-dimensional array of 12 numbers, not a %-dimensional one', array_ndims(w)
            USING ERRCODE = 'array_subscript_error',
                  HINT = 'E.g. ARRAY[2,2,2,2,2,2,1,1,1,1,1,1] to front-load the first half of the year; NULL spreads evenly.';
    END IF;
    IF cardinality(w) <> 12 THEN
        RAISE EXCEPTION 'profile must have 12 elements, one per month, not %', cardinality(w)
            USING ERRCODE = 'array_subscript_error',
                  HINT = 'E.g. ARRAY[2,2,2,2,2,2,1,1,1,1,1,1] to front-load the first half of the year; NULL spreads evenly.';
    END IF;
    IF array_position(w, NULL) IS NOT NULL OR EXISTS (SELECT 1 FROM unnest(w) x WHERE x < 0)
       OR (SELECT sum(x) FROM unnest(w) x) = 0 THEN
        RAISE EXCEPTION 'profile must be 12 numbers >= 0, not all 0'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The months get persons in proportion to the profile.';
    END IF;
    PERFORM settle.require_planning_year(y);
    DELETE FROM settle.annual_plan p
     WHERE p.year = y AND (c IS NULL OR settle.lanskod(p.municipality) = c) AND (st IS NULL OR p.stream = ANY (st));
    RETURN QUERY
    INSERT INTO settle.annual_plan AS p (year, stream, municipality, month, planned)
    SELECT y, mq.stream, mq.municipality, s.month, s.planned
      FROM settle.municipal_quota mq,
           settle.spread_months(mq.quota, ARRAY[1,2,3,4,5,6,7,8,9,10,11,12], w) s
     WHERE mq.year = y AND (c IS NULL OR mq.county = c) AND (st IS NULL OR mq.stream = ANY (st))
    RETURNING p.municipality, p.month, p.planned, p.stream;
END
$fn$;
COMMENT ON FUNCTION settle.spread_plan(integer, settle.lanskod, numeric[], text[]) IS
    'Spreads each kommuntal of year (one county or all; one stream or all) over its 12 months exactly, evenly or by a monthly profile, into settle.annual_plan.';

CREATE FUNCTION settle.respread_plan(year integer, municipality settle.kommunkod, as_of date DEFAULT settle.today(),
                                     stream text DEFAULT 'ordinary')
RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
    q integer;
    past_sum bigint;
    future integer[];
    shape numeric[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM settle.annual_plan p WHERE p.year = year AND p.stream = stream AND p.municipality = municipality) THEN
        RETURN;
    END IF;
    SELECT mq.quota INTO q FROM settle.municipal_quota mq WHERE mq.year = year AND mq.stream = stream AND mq.municipality = municipality;
    -- a month is past once it has ended
    SELECT coalesce(sum(p.planned) FILTER (WHERE make_date(year, p.month, 1) + interval '1 month' <= as_of), 0),
           array_agg(p.month ORDER BY p.month) FILTER (WHERE make_date(year, p.month, 1) + interval '1 month' > as_of),
           array_agg(p.planned::numeric ORDER BY p.month) FILTER (WHERE make_date(year, p.month, 1) + interval '1 month' > as_of)
      INTO past_sum, future, shape
      FROM settle.annual_plan p WHERE p.year = year AND p.stream = stream AND p.municipality = municipality;
    IF future IS NULL OR q < past_sum THEN
        -- no month left, or the past already exceeds the new quota: re-spread the whole year
        past_sum := 0;
        SELECT array_agg(p.month ORDER BY p.month), array_agg(p.planned::numeric ORDER BY p.month) INTO future, shape
          FROM settle.annual_plan p WHERE p.year = year AND p.stream = stream AND p.municipality = municipality;
    END IF;
    UPDATE settle.annual_plan p SET planned = s.planned
      FROM settle.spread_months(q - past_sum::integer, future, shape) s
     WHERE p.year = year AND p.stream = stream AND p.municipality = municipality AND p.month = s.month;
END
$fn$;
COMMENT ON FUNCTION settle.respread_plan(integer, settle.kommunkod, date, text) IS
    'Re-spreads the not yet past months of a municipality''s annual plan (in a stream, default ordinary) in proportion to their current plan, so that it sums to the quota again.';

CREATE FUNCTION settle.municipal_quota_respread() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    PERFORM settle.respread_plan(NEW.year, NEW.municipality, settle.today(), NEW.stream);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER municipal_quota_respread AFTER UPDATE OF quota ON settle.municipal_quota
    FOR EACH ROW WHEN (NEW.quota IS DISTINCT FROM OLD.quota) EXECUTE FUNCTION settle.municipal_quota_respread();
