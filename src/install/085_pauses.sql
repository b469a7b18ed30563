-- 085_pauses.sql: periods in which a municipality cannot receive, or can
-- receive only a few persons a month (reduced intake, since 0.3.0).
--
-- A municipality (or the agency for it) reports a pause; no referral is
-- issued to it on a paused day (the referral trigger checks, 070), and
-- matching treats it as infeasible that day (100).  A pause with
-- max_persons instead limits the persons referred to it per calendar month
-- within the pause (settle.intake_left, the rule's one home).

CREATE TABLE settle.pause (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year          integer NOT NULL,
    municipality  settle.kommunkod NOT NULL REFERENCES settle.municipality,
    from_date     date NOT NULL,
    to_date       date NOT NULL,
    reason        text NOT NULL CHECK (btrim(reason) <> ''),
    reported_at   timestamptz NOT NULL DEFAULT now(),
    reported_by   text NOT NULL DEFAULT session_user,
    max_persons   integer CONSTRAINT pause_max_persons_positive CHECK (max_persons >= 1),   -- NULL: no intake at all
    CHECK (from_date <= to_date),
    CHECK (extract(year FROM from_date) = year),
    -- one municipality's pauses never overlap, under any isolation level
    CONSTRAINT pause_no_overlap EXCLUDE USING gist (
        int4range(settle.to_integer(municipality), settle.to_integer(municipality), '[]') WITH =,
        daterange(from_date, to_date, '[]') WITH &&)
);
CREATE INDEX pause_municipality_idx ON settle.pause (municipality, from_date);
COMMENT ON TABLE settle.pause IS
    'Periods (inclusive) in which a municipality cannot receive, or (max_persons) only that many persons a month; refer and matching keep to it. A municipality''s pauses never overlap.';

-- Before a write, as the writer: the pause's own rules.  The overlap check
-- reads only the pauses the writer may see (row-level security), so a
-- municipality never learns another one's dates from an error; the
-- exclusion constraint pause_no_overlap is the rule's home.
CREATE FUNCTION settle.pause_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    other settle.pause;
BEGIN
    IF NEW.year IS NULL OR NEW.municipality IS NULL OR NEW.from_date IS NULL OR NEW.to_date IS NULL THEN
        RAISE EXCEPTION 'a pause needs a year, a municipality, a first and a last day'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'settle.pause(year, municipality, from_date, to_date, reason), both days inclusive.';
    END IF;
    IF NEW.from_date > NEW.to_date OR NOT isfinite(NEW.from_date) OR NOT isfinite(NEW.to_date) THEN
        RAISE EXCEPTION 'a pause of % from % to % ends before it starts or is not finite', settle.municipality_label(NEW.municipality),
                        NEW.from_date, NEW.to_date
            USING ERRCODE = 'invalid_parameter_value', HINT = 'from_date is the first and to_date the last day of the pause.';
    END IF;
    SELECT * INTO other FROM settle.pause p
     WHERE p.municipality = NEW.municipality AND p.id <> NEW.id
       AND daterange(p.from_date, p.to_date, '[]') && daterange(NEW.from_date, NEW.to_date, '[]') LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'pause of % from % to % overlaps its pause from % to %', settle.municipality_label(NEW.municipality),
                        NEW.from_date, NEW.to_date, other.from_date, other.to_date
            USING ERRCODE = 'exclusion_violation',
                  HINT = 'Extend or shorten the existing pause instead (UPDATE settle.pause).';
    END IF;
    NEW.reported_at := now();
    NEW.reported_by := session_user;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER pause_check BEFORE INSERT OR UPDATE ON settle.pause
    FOR EACH ROW EXECUTE FUNCTION settle.pause_check();

-- after a write, as settle_definer: the log entry, from the row as written
CREATE FUNCTION settle.pause_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    r settle.pause := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    PERFORM settle.log_decision('pause', r.year, r.municipality::text,
                                jsonb_build_object('op', lower(TG_OP), 'pause', r.id, 'from', r.from_date, 'to', r.to_date, 'reason', r.reason,
                                                   'max_persons', r.max_persons));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER pause_record AFTER INSERT OR UPDATE OR DELETE ON settle.pause
    FOR EACH ROW EXECUTE FUNCTION settle.pause_record();

CREATE FUNCTION settle.pause(year integer, municipality settle.kommunkod, from_date date, to_date date, reason text,
                             max_persons integer DEFAULT NULL)
RETURNS bigint
    LANGUAGE sql
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    -- the pause's rules are its triggers' and constraints' (settle.pause_check)
    INSERT INTO settle.pause (year, municipality, from_date, to_date, reason, max_persons)
    VALUES (year, municipality, from_date, to_date, reason, max_persons)
    RETURNING id
$$;
COMMENT ON FUNCTION settle.pause(integer, settle.kommunkod, date, date, text, integer) IS
    'Reports a period (inclusive) in which a municipality cannot receive, or (max_persons) receives at most that many persons a month. Returns the pause''s id.';

-- Reduced intake: the persons a municipality can still be referred in the
-- month of day under the pause covering day: NULL when none covers it (no
-- limit but the quota), 0 when fully paused, else max_persons less the
-- persons of that month's active referrals decided inside the pause.  The
-- rule's one home; relying on it: settle.referral_issue (070), matching
-- (settle.match_municipalities, 100) and settle.audit (090).
-- the persons of active referrals to a pause's municipality decided in the
-- month of day, inside the pause (settle.intake_left and the audit count so)
CREATE FUNCTION settle.intake_used(pz settle.pause, day date) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT coalesce(sum(r.persons), 0) FROM settle.referral r
     WHERE r.municipality = pz.municipality AND r.status <> 'withdrawn'
       AND settle.local_date(r.decided_at)
           BETWEEN greatest(pz.from_date, date_trunc('month', intake_used.day)::date)
               AND least(pz.to_date, (date_trunc('month', intake_used.day) + interval '1 month - 1 day')::date)
$$;
COMMENT ON FUNCTION settle.intake_used(settle.pause, date) IS
    'Internal: persons of active referrals to the pause''s municipality decided in the month of day within the pause.';

CREATE FUNCTION settle.intake_left(municipality settle.kommunkod, day date) RETURNS integer
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT CASE WHEN pz.max_persons IS NULL THEN 0
                ELSE greatest(pz.max_persons - settle.intake_used(pz, intake_left.day), 0)::integer END
      FROM settle.pause pz
     WHERE pz.municipality = intake_left.municipality AND intake_left.day BETWEEN pz.from_date AND pz.to_date
$$;
COMMENT ON FUNCTION settle.intake_left(settle.kommunkod, date) IS
    'Persons a municipality can still be referred in the month of day under a pause: NULL if no pause covers day, 0 if fully paused, else max_persons less that month''s.';
