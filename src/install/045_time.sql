-- 045_time.sql: settle's calendar: Swedish local time and "today".
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

