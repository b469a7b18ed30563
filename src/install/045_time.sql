-- 045_time.sql: settle's calendar: Swedish local time, "today", and the two
-- clocks of every dated fact.
--
-- Effective time: when a fact is in force (a decision's date, a referral's
-- decision time, a registration, a reception, a withdrawal).  The caller
-- gives it, or it defaults to settle.effective_now(): now(), or noon of
-- settle.today when the session sets it.  Recorded time: the wall clock when
-- settle wrote the row (clock_timestamp(), taken under the row locks that
-- order concurrent writes), for the log and the audit trail.  Follow-up,
-- history and reports read effective time; the audit's "at any moment"
-- checks read recorded time.
--
-- Facts are stamped as instants (timestamptz); the rules speak of Swedish
-- calendar days (a referral's year, its deadline, a pause, "as of" a date).
-- The time zone that maps one onto the other has its one home here:
-- every part that needs a Swedish day or wall-clock time calls these
-- functions instead of naming the zone.  They have SQL-standard bodies,
-- bound when the extension is created (no name is looked up when they run),
-- so the planner inlines them and CHECK constraints may use them.

CREATE FUNCTION settle.local_time(t timestamptz) RETURNS timestamp
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN pg_catalog.timezone('Europe/Stockholm'::text, t);
COMMENT ON FUNCTION settle.local_time(timestamptz) IS
    'The Swedish wall-clock time (Europe/Stockholm) of an instant.';

CREATE FUNCTION settle.local_date(t timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN pg_catalog.date(pg_catalog.timezone('Europe/Stockholm'::text, t));
COMMENT ON FUNCTION settle.local_date(timestamptz) IS
    'The Swedish calendar day (Europe/Stockholm) of an instant: the day the rules count it on.';

CREATE FUNCTION settle.local_instant(t timestamp) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN pg_catalog.timezone('Europe/Stockholm'::text, t);
COMMENT ON FUNCTION settle.local_instant(timestamp) IS
    'The instant of a Swedish wall-clock time (Europe/Stockholm), e.g. settle.local_instant(''2027-01-01'') for the start of 2027.';

-- "today" for follow-up defaults and for which plan months are past:
-- current_date, unless the session sets settle.today (replaying a scenario,
-- what-if questions).
CREATE FUNCTION settle.today() RETURNS date
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
DECLARE
    d date := coalesce(nullif(current_setting('settle.today', true), '')::date, current_date);
BEGIN
    IF NOT isfinite(d) THEN
        RAISE EXCEPTION 'settle.today must be a date, not %', d
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'SET settle.today = ''2027-06-15'' to replay a day, or RESET settle.today for the real date.';
    END IF;
    RETURN d;
END
$$;
COMMENT ON FUNCTION settle.today() IS
    'The date settle treats as today: current_date, or the session setting settle.today (SET settle.today = ''2027-06-15'') to replay a scenario.';


-- effective time: its one home (see the header)
CREATE FUNCTION settle.effective_now() RETURNS timestamptz
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
BEGIN
    IF coalesce(current_setting('settle.today', true), '') = '' THEN
        RETURN now();
    END IF;
    RETURN settle.local_instant(settle.today() + time '12:00');
END
$$;
COMMENT ON FUNCTION settle.effective_now() IS
    'The effective time of a fact given no time of its own: now(), or noon (Swedish time) of settle.today when the session sets it.';

CREATE FUNCTION settle.effective_from(day date) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$ SELECT CASE WHEN day IS NULL THEN settle.effective_now() ELSE settle.local_instant(day::timestamp) END $$;
COMMENT ON FUNCTION settle.effective_from(date) IS
    'When a decision dated day takes effect: the start of that Swedish day; settle.effective_now() when it has no date.';
