-- settle--0.2.0--0.3.0.sql: upgrade from 0.2.0 (tag v0.2.0) to 0.3.0.
--
-- Frozen with the release of 0.3.0: what changed in the install script
-- between the two versions, as ALTER EXTENSION settle UPDATE runs it.
-- test/upgrade.sh installs every released version from its tag with a year
-- of data, updates it (0.1.0 through 0.2.0) and compares the result with a
-- fresh install.
--
-- 0.3.0: matching keeps the annual plan (setting matching.plan_lead_months);
-- a pause may allow a few persons a month (pause.max_persons, reduced
-- intake: settle.intake_left), honoured by referrals, matching and the
-- audit; the optimal mode may limit how much farther than in turn any one
-- household is placed (matching.max_individual_extra_km); match_summary
-- reports hard-to-place households passed over and who fares worse than in
-- the chronological proposal (settle.match_fairness); settle.simulate_year
-- plays a year of arrivals and rolls it back; a proposal for a past day
-- leaves out households referred since; a change of a stream's national
-- volume or method is logged (planning_year, year_stream); counted places
-- (capability.places: used up, enforced by referrals, held by matching
-- through matching.reserve_counted_until_month, logged, audited);
-- hard-to-place households that waited matching.max_passed_over_days go
-- first; a linked group no municipality can take may be split within its
-- county or a distance (matching.linked_split), all members or none;
-- planner statistics for the reference data.

-- ---- planner statistics for the reference data (028_statistics.sql)
ANALYZE settle.county, settle.municipality, settle.neighbour, settle.population;

-- ---- shipped settings (inserted as CREATE EXTENSION ships them: not edited)
ALTER TABLE settle.setting DISABLE TRIGGER setting_edited;
INSERT INTO settle.setting (name, value, description) VALUES
    ('matching.max_individual_extra_km', 'none', 'optimal matching: how much farther (km) than the chronological proposal any one household may be placed; none: no limit'),
    ('matching.max_passed_over_days', 'none', 'matching: a hard-to-place household that has waited this many days goes first in its stream''s queue, in both modes (0-3650); none: the queue order alone'),
    ('matching.linked_split', 'none', 'matching: a linked group no single municipality can take may be split, all members placed or none, within the county of its residence (county) or within this many km of it; none: kept whole'),
    ('matching.plan_lead_months', '0', 'months past the month of as_of whose planned places matching may use (0-12; 12: the plan never holds it back)'),
    ('matching.reserve_counted_until_month', '10', 'matching holds a municipality''s counted places (settle.capability.places) for households with that need through this month (0-12; 0: never); afterwards anyone may use them');
ALTER TABLE settle.setting ENABLE ALWAYS TRIGGER setting_edited;

-- ---- reduced intake
ALTER TABLE settle.pause ADD COLUMN max_persons integer CONSTRAINT pause_max_persons_positive CHECK (max_persons >= 1);
COMMENT ON TABLE settle.pause IS
    'Periods (inclusive) in which a municipality cannot receive, or (max_persons) only that many persons a month; refer and matching keep to it. A municipality''s pauses never overlap.';

DROP FUNCTION settle.pause(integer, settle.kommunkod, date, date, text);
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

-- ---- counted capabilities: places per need, used up, held by matching
ALTER TABLE settle.capability ADD COLUMN places integer CONSTRAINT capability_places_nonnegative CHECK (places >= 0);
COMMENT ON TABLE settle.capability IS
    'Which needs a municipality can meet in a year, with its places for them (persons; NULL: not counted). A household with a need is referred only where it is met and places are left for it (unless forced).';
CREATE FUNCTION settle.capability_used(year integer, municipality settle.kommunkod, need text, forced_too boolean DEFAULT true)
RETURNS integer
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT coalesce(sum(r.persons), 0)::integer
      FROM settle.referral r JOIN settle.household h ON h.id = r.household
     WHERE r.year = capability_used.year AND r.municipality = capability_used.municipality
       AND r.status <> 'withdrawn' AND capability_used.need = ANY (h.needs)
       AND (forced_too OR NOT r.forced)
$$;
COMMENT ON FUNCTION settle.capability_used(integer, settle.kommunkod, text, boolean) IS
    'Internal: persons referred to the municipality in the year (active referrals, all streams; forced ones too unless forced_too is false) whose household has the need.';

CREATE FUNCTION settle.capability_lock(municipality settle.kommunkod) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'counted places of % are taken under READ COMMITTED or SERIALIZABLE', settle.municipality_label(municipality)
            USING ERRCODE = 'invalid_transaction_state',
                  HINT = 'Under REPEATABLE READ concurrent referrals could not see each other; use a READ COMMITTED transaction.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('settle.capability'), settle.to_integer(municipality));
END
$fn$;
COMMENT ON FUNCTION settle.capability_lock(settle.kommunkod) IS
    'Internal: serialises the taking of a municipality''s counted places (referrals, capability changes) within a transaction; refuses REPEATABLE READ (25000).';

CREATE FUNCTION settle.capability_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    used integer;
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.places IS NOT NULL THEN
        PERFORM settle.capability_lock(NEW.municipality);
        used := settle.capability_used(NEW.year, NEW.municipality, NEW.need, false);
        IF NEW.places < used THEN
            RAISE EXCEPTION '% places for % in % in % are fewer than the % persons with that need already referred there',
                            NEW.places, NEW.need, NEW.year, settle.municipality_label(NEW.municipality), used
                USING ERRCODE = 'check_violation',
                      HINT = format('Set places to %s or more, or withdraw referrals first (settle.withdraw).', used);
        END IF;
    END IF;
    PERFORM settle.log_decision('capability', (CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END).year,
                                (CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END).municipality::text,
                                jsonb_build_object('op', lower(TG_OP),
                                                   'new', CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
                                                   'old', CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END));
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION settle.capability_record() IS
    'Internal (trigger): a capability''s places are never fewer than the persons already referred with the need (not forced); every change is logged with the old and new row.';

CREATE TRIGGER capability_record AFTER INSERT OR UPDATE OR DELETE ON settle.capability
    FOR EACH ROW EXECUTE FUNCTION settle.capability_record();
CREATE FUNCTION settle.full_needs(needs text[], persons integer, year integer, municipality settle.kommunkod) RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT array_agg(c.need ORDER BY c.need) FROM settle.capability c
     WHERE c.year = full_needs.year AND c.municipality = full_needs.municipality AND c.need = ANY (needs)
       AND c.places IS NOT NULL AND c.places - settle.capability_used(c.year, c.municipality, c.need) < persons
$$;
COMMENT ON FUNCTION settle.full_needs(text[], integer, integer, settle.kommunkod) IS
    'Internal: the needs (sorted) whose counted places at the municipality in the year have fewer left than persons; NULL if none.';

CREATE FUNCTION settle.capability_room(year integer, as_of date DEFAULT settle.today())
RETURNS TABLE (municipality settle.kommunkod, need text, places integer, used integer, places_left integer, reserved boolean)
    LANGUAGE plpgsql STABLE
    ROWS 20   -- counted capabilities are few
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    until integer := settle.setting_int('matching.reserve_counted_until_month', 0, 12);
BEGIN
    PERFORM settle.require_planning_year(capability_room.year);
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a date, not %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day the places are for, e.g. ''2027-02-15''; the default is settle.today().';
    END IF;
    RETURN QUERY
    SELECT c.municipality, c.need, c.places, u.used, c.places - u.used,
           until > 0 AND as_of < (make_date(capability_room.year, 1, 1) + until * interval '1 month')::date
      FROM settle.capability c
     CROSS JOIN LATERAL (SELECT settle.capability_used(c.year, c.municipality, c.need) AS used) u
     WHERE c.year = capability_room.year AND c.places IS NOT NULL
     ORDER BY c.municipality, c.need;
END
$fn$;
COMMENT ON FUNCTION settle.capability_room(integer, date) IS
    'Counted places of a year (settle.capability.places): per municipality and need the places, persons referred with the need, places left, and whether matching holds them for households with the need on as_of.';

CREATE OR REPLACE FUNCTION settle.pause_record() RETURNS trigger
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

CREATE OR REPLACE FUNCTION settle.referral_issue(r settle.referral) RETURNS settle.referral
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    h settle.household;
    day date;
    y integer;
    active settle.referral;
    p settle.pause;
    unmet text[];
    due date;
    s text;
    left_now integer;
BEGIN
    IF r.status IS DISTINCT FROM 'issued' OR r.received_on IS NOT NULL OR r.withdrawn_at IS NOT NULL OR r.withdraw_recorded_at IS NOT NULL OR r.withdraw_reason IS NOT NULL THEN
        RAISE EXCEPTION 'a new referral must have status issued, not %', coalesce(r.status, 'NULL')
            USING ERRCODE = 'check_violation', HINT = 'Report reception or withdrawal afterwards (settle.receive, settle.withdraw).';
    END IF;
    IF r.decided_at IS NULL OR NOT isfinite(r.decided_at) THEN
        RAISE EXCEPTION 'decided_at must be a finite time, not %', coalesce(r.decided_at::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The time of the referral decision, e.g. now().';
    END IF;
    day := settle.local_date(r.decided_at);
    y := extract(year FROM day)::integer;
    IF r.year IS DISTINCT FROM y AND r.year IS NOT NULL THEN
        RAISE EXCEPTION 'a referral decided on % counts against the kommuntal of %, not %', day, y, r.year
            USING ERRCODE = 'check_violation', HINT = 'Leave year out: settle takes it from decided_at (Swedish time).';
    END IF;
    r.year := y;
    SELECT * INTO h FROM settle.household x WHERE x.id = r.household;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'household % does not exist', r.household
            USING ERRCODE = 'foreign_key_violation', HINT = 'Register it first: settle.register_household(...).';
    END IF;
    IF r.persons IS DISTINCT FROM h.persons AND r.persons IS NOT NULL THEN
        RAISE EXCEPTION 'a referral counts the household''s % persons, not %', h.persons, r.persons
            USING ERRCODE = 'check_violation', HINT = 'Leave persons out: settle takes it from the household.';
    END IF;
    r.persons := h.persons;
    s := settle.household_stream(h.stream, h.category, y);
    IF r.stream IS DISTINCT FROM s AND r.stream IS NOT NULL THEN
        RAISE EXCEPTION 'household % belongs to the stream % in %, not %', h.ref, s, y, r.stream
            USING ERRCODE = 'check_violation', HINT = 'Leave stream out: settle takes it from the household (settle.household_stream).';
    END IF;
    r.stream := s;
    SELECT * INTO active FROM settle.referral x WHERE x.household = h.id AND x.status <> 'withdrawn';
    IF FOUND THEN
        RAISE EXCEPTION 'household % already has an active referral (% to %, %)', h.ref, active.id,
                        settle.municipality_label(active.municipality), active.status
            USING ERRCODE = 'unique_violation',
                  HINT = 'Withdraw that referral first (settle.withdraw) if the household is to be referred elsewhere.';
    END IF;
    SELECT * INTO p FROM settle.pause x
     WHERE x.municipality = r.municipality AND day BETWEEN x.from_date AND x.to_date LIMIT 1;
    IF FOUND AND p.max_persons IS NULL THEN
        RAISE EXCEPTION '% cannot receive on %: paused from % to %', settle.municipality_label(r.municipality), day, p.from_date, p.to_date
            USING ERRCODE = 'check_violation',
                  DETAIL = format('Reason reported: %s', p.reason),
                  HINT = 'Refer the household to another municipality, or after the pause.';
    ELSIF FOUND THEN
        -- reduced intake (settle.intake_left): one referral at a time to
        -- this municipality, each counting what the ones before committed
        IF current_setting('transaction_isolation') = 'repeatable read' THEN
            RAISE EXCEPTION 'a referral to % under reduced intake needs READ COMMITTED or SERIALIZABLE', settle.municipality_label(r.municipality)
                USING ERRCODE = 'invalid_transaction_state',
                      HINT = 'Under REPEATABLE READ concurrent referrals could not see each other; refer in a READ COMMITTED transaction.';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('settle.intake'), settle.to_integer(r.municipality));
        left_now := settle.intake_left(r.municipality, day);
        IF left_now < r.persons THEN
            RAISE EXCEPTION '% takes at most % persons a month from % to % (reduced intake): % left in %, the household has %',
                            settle.municipality_label(r.municipality), p.max_persons, p.from_date, p.to_date, left_now,
                            to_char(day, 'YYYY-MM'), r.persons
                USING ERRCODE = 'check_violation',
                      DETAIL = format('Reason reported: %s', p.reason),
                      HINT = 'Refer the household to another municipality, or in a later month.';
        END IF;
    END IF;
    unmet := settle.unmet_needs(h.needs, y, r.municipality);
    IF unmet IS NOT NULL AND NOT coalesce(r.forced, false) THEN
        RAISE EXCEPTION '% cannot meet the needs of household %: %', settle.municipality_label(r.municipality), h.ref, array_to_string(unmet, ', ')
            USING ERRCODE = 'check_violation',
                  HINT = 'Choose a municipality with these capabilities (settle.capability), or pass force => true with a force_reason (logged).';
    END IF;
    IF unmet IS NULL AND EXISTS (SELECT 1 FROM settle.capability c WHERE c.year = y AND c.municipality = r.municipality
                                                                AND c.need = ANY (h.needs) AND c.places IS NOT NULL) THEN
        -- counted places (settle.capability_used)
        PERFORM settle.capability_lock(r.municipality);
        unmet := settle.full_needs(h.needs, r.persons, y, r.municipality);
        IF unmet IS NOT NULL AND NOT coalesce(r.forced, false) THEN
            RAISE EXCEPTION '% has too few places left for % in %: household % has % persons',
                            settle.municipality_label(r.municipality), array_to_string(unmet, ', '), y, h.ref, r.persons
                USING ERRCODE = 'check_violation',
                      DETAIL = (SELECT string_agg(format('%s: %s places, %s used', c.need, c.places,
                                                         settle.capability_used(y, r.municipality, c.need)), '; ' ORDER BY c.need)
                                  FROM settle.capability c WHERE c.year = y AND c.municipality = r.municipality AND c.need = ANY (unmet)),
                      HINT = 'Choose another municipality that can meet the need, raise its places (settle.capability), or pass force => true with a force_reason (logged).';
        END IF;
    END IF;
    IF coalesce(r.forced, false) THEN
        PERFORM settle.require_text(r.force_reason, 'force_reason', 'A forced referral says why it is made despite the unmet needs; it is logged.');
    END IF;
    r.forced := unmet IS NOT NULL AND coalesce(r.forced, false);
    r.force_reason := CASE WHEN r.forced THEN r.force_reason END;
    due := (settle.local_time(r.decided_at)
            + coalesce((SELECT value FROM settle.setting WHERE name = 'deadline.' || h.category), '2 months')::interval)::date;
    IF r.deadline IS DISTINCT FROM due AND r.deadline IS NOT NULL THEN
        RAISE EXCEPTION 'the deadline of a referral decided on % is %, not %', day, due, r.deadline
            USING ERRCODE = 'check_violation', HINT = 'Leave deadline out: settle computes it (settings deadline.<category>).';
    END IF;
    r.deadline := due;
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION settle.referral_issue(settle.referral) IS
    'Internal: the rules of a new referral (household, persons, year, stream, deadline, no active referral, pause or reduced intake, needs met with places left or forced); returns the row as recorded.';

CREATE OR REPLACE FUNCTION settle.audit(year integer DEFAULT NULL, streams text[] DEFAULT NULL)
RETURNS SETOF settle.audit_finding
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := audit.year;
    st text[] := settle.require_streams(audit.year, audit.streams);
    v record;
BEGIN
    -- every rule holds per stream; findings not of one stream (pauses, the
    -- log) are reported whatever the filter
    -- county quotas sum to the national volume
    RETURN QUERY
    SELECT 'county_quotas_sum_to_national_volume', py.year, NULL::text,
           format('county quotas sum to %s over %s counties, national volume %s', s.total, s.n, py.national_volume), py.stream
      FROM settle.year_streams py
      JOIN (SELECT cq.year, cq.stream, sum(cq.quota) AS total, count(*) AS n FROM settle.county_quota cq GROUP BY cq.year, cq.stream) s
        ON s.year = py.year AND s.stream = py.stream
     WHERE (y IS NULL OR py.year = y) AND (st IS NULL OR py.stream = ANY (st)) AND s.total <> py.national_volume;

    -- municipal quotas of a county sum to its county quota, unless they await
    -- re-decision after a change of the länstal (settle.kommuntal_awaiting),
    -- which is shown as such
    RETURN QUERY
    SELECT CASE WHEN settle.kommuntal_awaiting(s.year, s.county, s.stream) THEN 'kommuntal_awaiting_redecision'
                ELSE 'municipal_quotas_sum_to_county_quota' END, s.year, s.county::text,
           format('municipal quotas sum to %s, county quota %s%s', s.total, coalesce(cq.quota::text, 'missing'),
                  CASE WHEN settle.kommuntal_awaiting(s.year, s.county, s.stream)
                       THEN ' (the länstal changed; the county board has not decided new kommuntal yet)' ELSE '' END), s.stream
      FROM (SELECT mq.year, mq.stream, mq.county, sum(mq.quota) AS total FROM settle.municipal_quota mq
             GROUP BY mq.year, mq.stream, mq.county) s
      LEFT JOIN settle.county_quota cq ON cq.year = s.year AND cq.stream = s.stream AND cq.county = s.county
     WHERE (y IS NULL OR s.year = y) AND (st IS NULL OR s.stream = ANY (st)) AND s.total IS DISTINCT FROM cq.quota::numeric;

    -- the maintained count of referred persons matches the referrals
    RETURN QUERY
    SELECT 'referred_count_matches_referrals', mq.year, mq.municipality::text,
           format('municipal_quota.referred is %s but active referrals hold %s persons', mq.referred, coalesce(r.persons, 0)), mq.stream
      FROM settle.municipal_quota mq
      LEFT JOIN (SELECT rf.year, rf.stream, rf.municipality, sum(rf.persons) AS persons FROM settle.referral rf
                  WHERE rf.status <> 'withdrawn' GROUP BY rf.year, rf.stream, rf.municipality) r
             ON r.year = mq.year AND r.stream = mq.stream AND r.municipality = mq.municipality
     WHERE (y IS NULL OR mq.year = y) AND (st IS NULL OR mq.stream = ANY (st)) AND mq.referred <> coalesce(r.persons, 0);

    -- no quota below the persons referred, now or at any moment of its history:
    -- on the recorded clock (what the database held when), see 045_time.sql
    RETURN QUERY
    WITH moments AS (
        SELECT h.year, h.stream, h.municipality, h.recorded_at AS t FROM settle.quota_history h WHERE h.municipality IS NOT NULL
        UNION
        SELECT rf.year, rf.stream, rf.municipality, rf.recorded_at FROM settle.referral rf
        UNION
        SELECT mq.year, mq.stream, mq.municipality, 'infinity'::timestamptz FROM settle.municipal_quota mq),
    checked AS (
        SELECT mo.year, mo.stream, mo.municipality, mo.t,
               CASE WHEN mo.t = 'infinity'     -- the present: the quota as it stands
                    THEN (SELECT mq.quota FROM settle.municipal_quota mq
                           WHERE mq.year = mo.year AND mq.stream = mo.stream AND mq.municipality = mo.municipality)
                    ELSE (SELECT h.quota FROM settle.quota_history h
                           WHERE h.year = mo.year AND h.stream = mo.stream AND h.municipality = mo.municipality AND h.recorded_at <= mo.t
                           ORDER BY h.recorded_at DESC, h.id DESC LIMIT 1) END AS quota,
               (SELECT coalesce(sum(rf.persons), 0) FROM settle.referral rf
                 WHERE rf.year = mo.year AND rf.stream = mo.stream AND rf.municipality = mo.municipality AND rf.recorded_at <= mo.t
                   AND (rf.withdraw_recorded_at IS NULL OR rf.withdraw_recorded_at > mo.t)) AS referred
          FROM moments mo WHERE (y IS NULL OR mo.year = y) AND (st IS NULL OR mo.stream = ANY (st)))
    SELECT DISTINCT ON (c.year, c.stream, c.municipality) 'quota_never_below_referred', c.year, c.municipality::text,
           format('at %s the kommuntal in force was %s but %s persons were referred',
                  CASE WHEN c.t = 'infinity' THEN 'present' ELSE c.t::text END, coalesce(c.quota::text, 'none'), c.referred), c.stream
      FROM checked c
     WHERE c.referred > 0 AND (c.quota IS NULL OR c.quota < c.referred)
     ORDER BY c.year, c.stream, c.municipality, c.t;

    -- the reception register holds every received referral, once, as received
    RETURN QUERY
    SELECT 'reception_matches_referral', rf.year, rf.municipality::text,
           format('referral %s (received %s, %s persons) has %s in the reception register', rf.id, rf.received_on, rf.persons,
                  coalesce(format('a row of %s persons on %s in %s', rc.persons, rc.received_on, rc.municipality), 'no row')), rf.stream
      FROM settle.referral rf
      LEFT JOIN settle.reception rc ON rc.referral = rf.id
     WHERE (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st)) AND rf.status = 'received'
       AND (rc.id IS NULL OR (rc.municipality, rc.received_on, rc.persons) IS DISTINCT FROM (rf.municipality, rf.received_on, rf.persons))
    UNION ALL
    SELECT 'reception_matches_referral', rf.year, rf.municipality::text,
           format('reception %s names referral %s, which is %s', rc.id, rf.id, rf.status), rf.stream
      FROM settle.reception rc JOIN settle.referral rf ON rf.id = rc.referral
     WHERE (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st)) AND rf.status <> 'received';

    -- history: the current value of every quota is the latest history row
    RETURN QUERY
    SELECT 'history_matches_current_quota', cur.year, coalesce(cur.municipality::text, cur.county::text),
           format('current quota %s, latest history %s', coalesce(cur.quota::text, 'none'), coalesce(h.quota::text, 'none')),
           coalesce(cur.stream, h.stream)
      FROM (SELECT cq.year, cq.stream, cq.county, NULL::settle.kommunkod AS municipality, cq.quota FROM settle.county_quota cq
            UNION ALL
            SELECT mq.year, mq.stream, mq.county, mq.municipality, mq.quota FROM settle.municipal_quota mq) cur
      FULL JOIN (SELECT DISTINCT ON (x.year, x.stream, x.county, x.municipality) x.year, x.stream, x.county, x.municipality, x.quota
                   FROM settle.quota_history x ORDER BY x.year, x.stream, x.county, x.municipality, x.valid_from DESC, x.id DESC) h
             ON h.year = cur.year AND h.stream = cur.stream AND h.county = cur.county AND h.municipality IS NOT DISTINCT FROM cur.municipality
     WHERE (y IS NULL OR coalesce(cur.year, h.year) = y) AND (st IS NULL OR coalesce(cur.stream, h.stream) = ANY (st))
       AND cur.quota IS DISTINCT FROM h.quota;

    -- history: periods follow each other (valid_from never goes back as ids grow)
    RETURN QUERY
    SELECT 'history_in_order', a.year, coalesce(a.municipality::text, a.county::text),
           format('history row %s (valid from %s) comes after row %s (valid from %s)', a.id, a.valid_from, a.prev_id, a.prev_from), a.stream
      FROM (SELECT x.*, lag(x.id) OVER w AS prev_id, lag(x.valid_from) OVER w AS prev_from
              FROM settle.quota_history x WINDOW w AS (PARTITION BY x.year, x.stream, x.county, x.municipality ORDER BY x.id)) a
     WHERE (y IS NULL OR a.year = y) AND (st IS NULL OR a.stream = ANY (st)) AND a.valid_from < a.prev_from;

    -- annual plans sum to the quota
    RETURN QUERY
    SELECT 'annual_plan_sums_to_quota', p.year, p.municipality::text,
           format('plan has %s months summing to %s, kommuntal %s', p.n, p.total, coalesce(mq.quota::text, 'none')), p.stream
      FROM (SELECT ap.year, ap.stream, ap.municipality, count(*) AS n, sum(ap.planned) AS total FROM settle.annual_plan ap
             GROUP BY ap.year, ap.stream, ap.municipality) p
      LEFT JOIN settle.municipal_quota mq ON mq.year = p.year AND mq.stream = p.stream AND mq.municipality = p.municipality
     WHERE (y IS NULL OR p.year = y) AND (st IS NULL OR p.stream = ANY (st)) AND (p.n <> 12 OR p.total IS DISTINCT FROM mq.quota::numeric);

    -- one active referral per household (the subject is the household id:
    -- the audit needs no case numbers, so analysts can run it)
    RETURN QUERY
    SELECT 'one_active_referral_per_household', min(rf.year), rf.household::text,
           format('%s active referrals', count(*)), min(rf.stream)
      FROM settle.referral rf
     WHERE rf.status <> 'withdrawn' AND (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st))
     GROUP BY rf.household HAVING count(*) > 1;

    -- every referral as settle.referral_issue / referral_status would have
    -- written it: re-checked from the data, so that a write with the
    -- triggers disabled is caught
    RETURN QUERY
    SELECT 'referral_as_issued', rf.year, rf.id::text, f.problem, rf.stream
      FROM settle.referral rf
      JOIN settle.household h ON h.id = rf.household
      CROSS JOIN LATERAL (
        SELECT settle.local_date(rf.decided_at) AS day,
               settle.unmet_needs(h.needs, rf.year, rf.municipality) AS unmet) d
      CROSS JOIN LATERAL (
        SELECT CASE
          WHEN rf.status <> 'withdrawn' AND rf.persons <> h.persons
            THEN format('counts %s persons but household %s has %s', rf.persons, h.id, h.persons)
          WHEN rf.status <> 'withdrawn' AND h.stream IS NOT NULL AND rf.stream <> h.stream
            THEN format('counts in stream %s but household %s belongs to stream %s', rf.stream, h.id, h.stream)
          WHEN rf.status <> 'withdrawn' AND d.unmet IS NOT NULL AND NOT (rf.forced AND btrim(coalesce(rf.force_reason, '')) <> '')
            THEN format('needs %s not met and not forced with a reason', array_to_string(d.unmet, ', '))
          WHEN EXISTS (SELECT 1 FROM settle.pause pz WHERE pz.municipality = rf.municipality AND pz.max_persons IS NULL
                          AND d.day BETWEEN pz.from_date AND pz.to_date AND pz.reported_at <= rf.recorded_at)
            THEN format('issued on %s while the municipality was paused', d.day)
          WHEN rf.deadline <= d.day
            THEN format('deadline %s is not after the decision day %s', rf.deadline, d.day)
          WHEN rf.status = 'received' AND (NOT isfinite(rf.received_on) OR rf.received_on < d.day)
            THEN format('received on %s, decided on %s', rf.received_on, d.day)
          WHEN rf.status = 'withdrawn' AND btrim(coalesce(rf.withdraw_reason, '')) = ''
            THEN 'withdrawn without a reason'
          END AS problem) f
     WHERE (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st)) AND f.problem IS NOT NULL;

    -- every revision moved every quota it names ('revised' history rows)
    RETURN QUERY
    SELECT 'revision_applied', rv.year, rv.id::text,
           format('revision %s (%s) names %s municipalities but moved %s', rv.id, rv.agreement_ref,
                  cardinality(rv.municipalities), count(h.id) FILTER (WHERE h.stream = rv.stream)), rv.stream
      FROM settle.revision rv
      LEFT JOIN settle.quota_history h ON h.revision = rv.id
     WHERE (y IS NULL OR rv.year = y) AND (st IS NULL OR rv.stream = ANY (st))
     GROUP BY rv.id HAVING count(h.id) FILTER (WHERE h.stream = rv.stream) <> cardinality(rv.municipalities);

    -- reduced intake (settle.intake_left): no referral recorded under a pause
    -- with max_persons took a month of it past the limit (referrals made
    -- before the pause was reported may exceed it; none may be added then)
    RETURN QUERY
    SELECT 'reduced_intake_respected', pz.year, pz.municipality::text,
           format('pause %s allows %s persons a month but %s were referred in %s', pz.id, pz.max_persons, x.persons, x.month),
           NULL::text
      FROM settle.pause pz
      CROSS JOIN LATERAL (
          SELECT to_char(d.day, 'YYYY-MM') AS month, settle.intake_used(pz, d.day) AS persons
            FROM (SELECT date_trunc('month', settle.local_date(rf.decided_at))::date AS day
                    FROM settle.referral rf
                   WHERE rf.municipality = pz.municipality AND rf.status <> 'withdrawn' AND rf.recorded_at >= pz.reported_at
                     AND settle.local_date(rf.decided_at) BETWEEN pz.from_date AND pz.to_date
                   GROUP BY 1) d) x
     WHERE pz.max_persons IS NOT NULL AND (y IS NULL OR pz.year = y) AND x.persons > pz.max_persons;

    -- counted places (settle.capability.places): the persons referred with
    -- the need, not forced, fit the places (settle.capability_used)
    RETURN QUERY
    SELECT 'capability_places_respected', c.year, c.municipality::text,
           format('%s places for %s but %s persons with that need referred (not forced)', c.places, c.need, u.used),
           NULL::text
      FROM settle.capability c
     CROSS JOIN LATERAL (SELECT settle.capability_used(c.year, c.municipality, c.need, false) AS used) u
     WHERE c.places IS NOT NULL AND (y IS NULL OR c.year = y) AND u.used > c.places;

    -- pauses do not overlap
    RETURN QUERY
    SELECT 'pauses_do_not_overlap', a.year, a.municipality::text,
           format('pause %s (%s to %s) overlaps pause %s (%s to %s)', a.id, a.from_date, a.to_date, b.id, b.from_date, b.to_date),
           NULL::text
      FROM settle.pause a JOIN settle.pause b
        ON a.municipality = b.municipality AND a.id < b.id
       AND daterange(a.from_date, a.to_date, '[]') && daterange(b.from_date, b.to_date, '[]')
     WHERE y IS NULL OR a.year = y;

    -- the decision log's chain
    SELECT * INTO v FROM settle.verify_log();
    IF NOT v.intact THEN
        RETURN QUERY SELECT 'decision_log_intact', NULL::integer, coalesce('entry ' || v.first_bad_id, 'position ' || v.first_bad_seq), v.problem, NULL::text;
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.audit(integer, text[]) IS
    'Every rule that does not hold, one row per finding, for one year or all (NULL) and some streams or all (NULL); no rows means every rule holds (docs/yearly-cycle.md).';

-- ---- matching: the room (plan, intake), a limit per household, fairness figures
DROP FUNCTION settle.match_summary(integer, date, text, text[]);
DROP FUNCTION settle.match_municipalities(integer, date, text);
DROP FUNCTION settle.match_core(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision);
DROP FUNCTION settle.match_core_summary(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision);
DROP FUNCTION settle.match_problem(integer, date, text);
CREATE FUNCTION settle.max_extra_km() RETURNS double precision
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT CASE WHEN (SELECT btrim(s.value) FROM settle.setting s WHERE s.name = 'matching.max_individual_extra_km') = 'none' THEN -1
                ELSE settle.setting_km('matching.max_individual_extra_km') END
$$;
COMMENT ON FUNCTION settle.max_extra_km() IS 'Internal: matching.max_individual_extra_km in km, or -1 for none; 22023 with a hint if neither.';

CREATE FUNCTION settle.max_passed_over_days() RETURNS integer
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT CASE WHEN (SELECT btrim(s.value) FROM settle.setting s WHERE s.name = 'matching.max_passed_over_days') = 'none' THEN NULL
                ELSE settle.setting_int('matching.max_passed_over_days', 0, 3650) END
$$;
COMMENT ON FUNCTION settle.max_passed_over_days() IS 'Internal: matching.max_passed_over_days in days (0-3650), or NULL for none; 22023 with a hint if neither.';

CREATE FUNCTION settle.linked_split_km() RETURNS double precision
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT CASE (SELECT btrim(s.value) FROM settle.setting s WHERE s.name = 'matching.linked_split')
                WHEN 'none' THEN NULL WHEN 'county' THEN -1
                ELSE settle.setting_km('matching.linked_split') END
$$;
COMMENT ON FUNCTION settle.linked_split_km() IS 'Internal: matching.linked_split as NULL (none), -1 (county) or km; 22023 with a hint if none of these.';

CREATE FUNCTION settle.setting_int(name text, lo integer, hi integer) RETURNS integer
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
DECLARE
    v text;
BEGIN
    SELECT s.value INTO v FROM settle.setting s WHERE s.name = setting_int.name;
    IF v IS NULL OR v !~ '^\s*[0-9]{1,9}\s*$' OR v::integer NOT BETWEEN lo AND hi THEN
        RAISE EXCEPTION 'setting % must be a whole number from % to %, not %', name, lo, hi, coalesce(quote_literal(v), 'missing')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('UPDATE settle.setting SET value = ''%s'' WHERE name = %L;', lo, name);
    END IF;
    RETURN v::integer;
END
$$;
COMMENT ON FUNCTION settle.setting_int(text, integer, integer) IS 'Internal: a whole-number setting within lo..hi, or 22023 with a hint.';

CREATE FUNCTION settle.match_municipalities(year integer, as_of date, stream text DEFAULT 'ordinary')
RETURNS TABLE (idx integer, code settle.kommunkod, county settle.lanskod, remaining integer, planned_remaining integer,
               able bigint, paused boolean, lat double precision, lon double precision, room integer, has_plan boolean)
    LANGUAGE sql STABLE
    ROWS 290   -- one row per municipality
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT row_number() OVER (ORDER BY m.code)::integer, m.code, m.county,
           coalesce(mq.quota - mq.referred, 0),
           coalesce(p.to_date::integer - mq.referred, 0),
           (SELECT settle.needs_mask(array_agg(c.need)) FROM settle.capability c
             WHERE c.year = match_municipalities.year AND c.municipality = m.code),
           EXISTS (SELECT 1 FROM settle.pause pz WHERE pz.municipality = m.code AND as_of BETWEEN pz.from_date AND pz.to_date
                                                   AND pz.max_persons IS NULL),
           m.lat, m.lon,
           -- the room: kommuntal, plan with its lead, reduced intake (least ignores NULLs)
           least(coalesce(mq.quota - mq.referred, 0), p.with_lead::integer - mq.referred, settle.intake_left(m.code, as_of)),
           p.with_lead IS NOT NULL
      FROM settle.municipality m
      LEFT JOIN settle.municipal_quota mq ON mq.year = match_municipalities.year AND mq.stream = match_municipalities.stream
                                         AND mq.municipality = m.code
      CROSS JOIN (SELECT (date_trunc('month', as_of)
                          + settle.setting_int('matching.plan_lead_months', 0, 12) * interval '1 month')::date AS lead_until) l
      LEFT JOIN LATERAL (
          SELECT sum(ap.planned) FILTER (WHERE make_date(match_municipalities.year, ap.month, 1) <= as_of) AS to_date,
                 coalesce(sum(ap.planned) FILTER (WHERE make_date(match_municipalities.year, ap.month, 1) <= l.lead_until), 0) AS with_lead
            FROM settle.annual_plan ap
           WHERE ap.year = match_municipalities.year AND ap.stream = match_municipalities.stream AND ap.municipality = m.code
          HAVING count(*) > 0) p ON true
$$;
COMMENT ON FUNCTION settle.match_municipalities(integer, date, text) IS
    'Internal: each municipality''s places and planned places left (year, stream), needs met (bit mask), full pause on as_of, centroid, and room: what matching may use that day.';

CREATE FUNCTION settle.match_core(persons integer[], residence integer[], needs bigint[], fixed integer[],
                                  capacity integer[], planned integer[], able bigint[], paused boolean[],
                                  cost double precision[], mode text DEFAULT 'chronological',
                                  unplaced_km double precision DEFAULT 10000, max_extra_km double precision DEFAULT -1,
                                  counted_uses integer[] DEFAULT '{}', counted integer[] DEFAULT '{}',
                                  first_count integer DEFAULT 0, zones boolean[] DEFAULT '{}', link integer[] DEFAULT '{}')
RETURNS TABLE (placement integer, municipality integer, choice_rank integer)
AS 'MODULE_PATHNAME', 'settle_match_core'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 100000;
COMMENT ON FUNCTION settle.match_core(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]) IS
    'Internal (C): matching over settle.match_problem''s arrays (limits, counted places, priority, zones, split groups); each placement''s municipality and rank.';

CREATE FUNCTION settle.match_core_summary(persons integer[], residence integer[], needs bigint[], fixed integer[],
                                          capacity integer[], planned integer[], able bigint[], paused boolean[],
                                          cost double precision[], mode text DEFAULT 'chronological',
                                          unplaced_km double precision DEFAULT 10000, max_extra_km double precision DEFAULT -1,
                                          counted_uses integer[] DEFAULT '{}', counted integer[] DEFAULT '{}',
                                          first_count integer DEFAULT 0, zones boolean[] DEFAULT '{}', link integer[] DEFAULT '{}',
                                          OUT placements integer, OUT placed integer, OUT persons_placed bigint,
                                          OUT persons_unplaced bigint, OUT distance_km double precision,
                                          OUT objective_km double precision, OUT lower_bound_km double precision,
                                          OUT core_ms double precision, OUT classes integer, OUT pivots bigint,
                                          OUT chronology_swaps integer, OUT chronological_kept boolean)
AS 'MODULE_PATHNAME', 'settle_match_core_summary'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION settle.match_core_summary(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]) IS
    'Internal (C): the figures of settle.match_core''s proposal on the same arrays, with the core''s time; used by settle.match_summary and the benchmarks.';

CREATE FUNCTION settle.match_problem(year integer, as_of date, stream text DEFAULT 'ordinary',
                                     OUT persons integer[], OUT residence integer[], OUT needs bigint[], OUT fixed integer[],
                                     OUT capacity integer[], OUT planned integer[], OUT able bigint[], OUT paused boolean[],
                                     OUT cost double precision[], OUT member_household bigint[], OUT member_placement integer[],
                                     OUT counted_uses integer[], OUT counted integer[], OUT first_count integer,
                                     OUT zones boolean[], OUT link integer[], OUT split_groups text[])
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := year;
    s text := stream;
    n_need integer;
    -- matching.max_passed_over_days (NULL: none): its one home is here
    first_days integer := settle.max_passed_over_days();
    -- matching.linked_split (NULL: none, -1: county, else km)
    split_km double precision := settle.linked_split_km();
BEGIN
    PERFORM settle.require_stream(y, s);
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a date, not %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day of the proposal; the default is settle.today().';
    END IF;
    SELECT count(*) INTO n_need FROM settle.need;
    IF n_need > 63 THEN
        RAISE EXCEPTION 'matching handles at most 63 needs; settle.need has %', n_need
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Merge rarely used needs.';
    END IF;
    WITH m AS MATERIALIZED (SELECT * FROM settle.match_municipalities(y, as_of, s)),
    -- municipality index (0-based, code order) by code, so that no join is needed per household
    ci AS (SELECT array_agg(coalesce(m.idx - 1, -1) ORDER BY g.g) AS a FROM generate_series(0, 9999) g LEFT JOIN m ON m.code::integer = g.g),
    -- waiting on as_of, and not referred since (a proposal for a past day,
    -- e.g. a simulated batch, never proposes a household referred later)
    w AS MATERIALIZED (SELECT * FROM settle.waiting(as_of) x
                        WHERE x.stream = s
                          AND NOT EXISTS (SELECT 1 FROM settle.referral r WHERE r.household = x.household AND r.status <> 'withdrawn')),
    -- a linked group is placed as one, in its earliest member's turn; if a
    -- member already has an active referral, the others follow it there
    grp AS (
        -- one row per member (persons counted once), the members' needs joined apart
        SELECT w.linked_group, min(w.queue_position) AS pos, sum(w.persons)::integer AS persons,
               coalesce(bool_or(w.hard_to_place AND w.days_waited >= first_days), false) AS first,
               (SELECT coalesce(bit_or(nb.bit), 0) FROM w x CROSS JOIN LATERAL unnest(x.needs) n
                  JOIN settle.need_bit nb ON nb.code = n WHERE x.linked_group = w.linked_group) AS needs,
               (array_agg(w.residence ORDER BY w.queue_position) FILTER (WHERE w.residence IS NOT NULL))[1] AS residence,
               (SELECT r.municipality FROM settle.referral r JOIN settle.household o ON o.id = r.household
                 WHERE o.linked_group = w.linked_group AND r.status <> 'withdrawn' AND r.stream = s
                 ORDER BY r.decided_at LIMIT 1) AS fixed_to
          FROM w
         WHERE w.linked_group IS NOT NULL
         GROUP BY w.linked_group),
    -- a group no single municipality can take (room, needs, no pause) is
    -- split when matching.linked_split allows: its members are placed one by
    -- one in its turn, all or none, within the zone around its residence
    grps AS MATERIALIZED (
        SELECT grp.*, split_km IS NOT NULL AND grp.fixed_to IS NULL AND grp.residence IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM m WHERE NOT m.paused AND m.room >= grp.persons
                                                         AND (grp.needs & ~coalesce(m.able, 0)) = 0) AS split
          FROM grp),
    pl AS (
        SELECT w.household, NULL::text AS linked_group, w.queue_position AS pos, 0::bigint AS sub, w.persons, w.residence,
               coalesce(w.hard_to_place AND w.days_waited >= first_days, false) AS first,
               NULL::settle.kommunkod AS fixed_to, NULL::settle.kommunkod AS zone,
               CASE WHEN cardinality(w.needs) = 0 THEN 0::bigint
                    ELSE (SELECT coalesce(bit_or(nb.bit), 0) FROM settle.need_bit nb WHERE nb.code = ANY (w.needs)) END AS needs
          FROM w WHERE w.linked_group IS NULL
        UNION ALL
        SELECT NULL, g.linked_group, g.pos, 0, g.persons, g.residence, g.first, g.fixed_to, NULL, g.needs FROM grps g WHERE NOT g.split
        UNION ALL
        -- the members of a split group, in its turn, in queue order
        SELECT w.household, g.linked_group, g.pos, w.queue_position, w.persons, w.residence, g.first, NULL, g.residence,
               (SELECT coalesce(bit_or(nb.bit), 0) FROM settle.need_bit nb WHERE nb.code = ANY (w.needs))
          FROM grps g JOIN w ON w.linked_group = g.linked_group WHERE g.split),
    plo AS MATERIALIZED (
        SELECT pl.household, pl.linked_group, pl.persons, pl.needs, pl.pos, pl.first, pl.zone,
               coalesce((SELECT ci.a FROM ci)[pl.residence::integer + 1], -1) AS res,
               -- a zone z is fixed -2 - z (zones in code order of the residence around which they lie)
               CASE WHEN pl.zone IS NOT NULL THEN -1 - dense_rank() OVER (ORDER BY pl.zone)::integer
                    ELSE coalesce((SELECT ci.a FROM ci)[pl.fixed_to::integer + 1], -1) END AS fix,
               CASE WHEN pl.zone IS NOT NULL THEN dense_rank() OVER (ORDER BY pl.zone IS NULL, pl.linked_group)::integer - 1
                    ELSE -1 END AS link,
               -- the placements' order: hard-to-place ones that waited first_days first, then the queue
               row_number() OVER (ORDER BY pl.first DESC, pl.pos, pl.sub)::integer AS i
          FROM pl),
    -- zones: per split group's residence, the municipalities in its county or within split_km of it
    zl AS (SELECT DISTINCT plo.zone, -1 - plo.fix AS k FROM plo WHERE plo.zone IS NOT NULL),
    -- (two small sets: whatever join the planner picks stays cheap)
    wl AS MATERIALIZED (SELECT w.household, w.queue_position, w.linked_group FROM w WHERE w.linked_group IS NOT NULL),
    gi AS MATERIALIZED (SELECT plo.linked_group, plo.i FROM plo WHERE plo.linked_group IS NOT NULL AND plo.household IS NULL),
    members AS (
        SELECT plo.household, plo.pos, plo.i FROM plo WHERE plo.household IS NOT NULL
        UNION ALL
        SELECT wl.household, wl.queue_position, gi.i FROM wl JOIN gi ON gi.linked_group = wl.linked_group),
    -- counted places (settle.capability_room): the counted needs in code order
    cr AS MATERIALIZED (SELECT * FROM settle.capability_room(y, as_of)),
    cn AS MATERIALIZED (SELECT x.need, row_number() OVER (ORDER BY x.need) AS j FROM (SELECT DISTINCT cr.need FROM cr) x)
    -- one sort for the four placement arrays (aggregates read a sorted subquery in its order)
    SELECT pa.persons, pa.res, pa.needs, pa.fix, pa.link,
           ARRAY(SELECT CASE WHEN split_km < 0 THEN m.county = settle.lanskod(zl.zone)
                             ELSE settle.distance_km(zl.zone, m.code) <= split_km END
                   FROM zl CROSS JOIN m ORDER BY zl.k, m.idx),
           ARRAY(SELECT DISTINCT plo.linked_group FROM plo WHERE plo.zone IS NOT NULL ORDER BY 1),
           ARRAY(SELECT greatest(m.room, 0) FROM m ORDER BY m.idx),
           ARRAY(SELECT m.planned_remaining FROM m ORDER BY m.idx),
           ARRAY(SELECT coalesce(m.able, 0) FROM m ORDER BY m.idx),
           ARRAY(SELECT m.paused FROM m ORDER BY m.idx),
           -- the cost matrix, row by residence (m holds every municipality,
           -- idx in code order, so code order is index order)
           ARRAY(SELECT px.cost_km FROM settle.proximity px ORDER BY px.residence, px.municipality),
           ma.household, ma.i, (SELECT count(*)::integer FROM plo WHERE plo.first),
           -- per placement and counted need: the persons of its members with the need
           ARRAY(SELECT coalesce(sum(x.persons) FILTER (WHERE cn.need = ANY (x.needs)), 0)::integer
                   FROM plo CROSS JOIN cn JOIN members mb ON mb.i = plo.i JOIN w x ON x.household = mb.household
                  GROUP BY plo.i, cn.j ORDER BY plo.i, cn.j),
           -- per municipality and counted need: places left for the need
           -- (-1: not counted there), places left for others: the kommuntal's
           -- places left beyond them (-1: not held)
           ARRAY(SELECT v FROM m CROSS JOIN cn LEFT JOIN cr ON cr.municipality = m.code AND cr.need = cn.need
                  CROSS JOIN LATERAL (VALUES (1, CASE WHEN cr.need IS NULL THEN -1 ELSE greatest(cr.places_left, 0) END),
                                             (2, CASE WHEN cr.reserved THEN greatest(m.remaining - greatest(cr.places_left, 0), 0)
                                                      ELSE -1 END)) AS t(k, v)
                  ORDER BY m.idx, cn.j, t.k)
      FROM (SELECT array_agg(o.persons) AS persons, array_agg(o.res) AS res, array_agg(o.needs) AS needs, array_agg(o.fix) AS fix,
                   CASE WHEN bool_or(o.link >= 0) THEN array_agg(o.link) ELSE '{}' END AS link
              FROM (SELECT * FROM plo ORDER BY plo.i) o) pa,
           (SELECT array_agg(o.household) AS household, array_agg(o.i) AS i
              FROM (SELECT * FROM members ORDER BY members.pos) o) ma
      INTO persons, residence, needs, fixed, link, zones, split_groups, capacity, planned, able, paused, cost, member_household, member_placement,
           first_count, counted_uses, counted;
    persons := coalesce(persons, '{}');
    residence := coalesce(residence, '{}');
    needs := coalesce(needs, '{}');
    fixed := coalesce(fixed, '{}');
    member_household := coalesce(member_household, '{}');
    member_placement := coalesce(member_placement, '{}');
    link := coalesce(link, '{}');
END
$fn$;
COMMENT ON FUNCTION settle.match_problem(integer, date, text) IS
    'Internal: a stream''s waiting households as placements (a linked group as one; priority ones first, first_count) and the municipalities'' places, plans, needs, pauses, costs and counted places, as match_core''s arrays.';

CREATE OR REPLACE FUNCTION settle.candidates(household bigint, as_of date DEFAULT settle.today(), max_results integer DEFAULT 10)
RETURNS TABLE (rank integer, municipality settle.kommunkod, county settle.lanskod, same_county boolean, neighbour_county boolean,
               distance_km numeric, remaining integer, planned_remaining integer, meets_needs boolean, reason text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    h record;
    y integer;
    mask bigint;
    why text;
    f record;
BEGIN
    IF candidates.household IS NULL THEN
        RAISE EXCEPTION 'household must not be NULL' USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass an id from settle.register_household or settle.waiting().';
    END IF;
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a date, not %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day the candidates are for, e.g. ''2027-02-15''; the default is settle.today().';
    END IF;
    y := extract(year FROM as_of)::integer;
    SELECT x.persons, x.residence, x.needs, settle.household_stream(x.stream, x.category, y) AS stream INTO h
      FROM settle.household x WHERE x.id = candidates.household;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'household % does not exist', candidates.household
            USING ERRCODE = 'no_data_found', HINT = 'Pass an id from settle.register_household or settle.waiting().';
    END IF;
    IF max_results IS NULL OR max_results < 1 THEN
        RAISE EXCEPTION 'max_results must be at least 1' USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is 10.';
    END IF;
    mask := settle.needs_mask(h.needs);
    RETURN QUERY
    WITH m AS (SELECT * FROM settle.match_municipalities(y, as_of, h.stream)),
    cr AS MATERIALIZED (SELECT * FROM settle.capability_room(y, as_of)),
    c AS (
        SELECT m.code, m.county, m.remaining, m.planned_remaining, (mask & ~m.able) = 0 AS meets, m.paused, m.room, m.has_plan,
               pc.cost_km, pc.distance_km AS km, pc.relation,
               -- counted places (settle.capability_room)
               NOT EXISTS (SELECT 1 FROM cr WHERE cr.municipality = m.code
                              AND CASE WHEN cr.need = ANY (h.needs) THEN cr.places_left < h.persons
                                       ELSE cr.reserved AND m.remaining - greatest(cr.places_left, 0) < h.persons END) AS counted_ok
          FROM m LEFT JOIN settle.proximity pc ON pc.residence = h.residence AND pc.municipality = m.code),
    f AS (
        -- without residence: match_quota_before's order (src/match_core.h)
        SELECT c.*, row_number() OVER (ORDER BY
                   CASE WHEN h.residence IS NULL THEN -c.planned_remaining::double precision ELSE c.cost_km END,
                   CASE WHEN h.residence IS NULL THEN -c.remaining ELSE 0 END, c.code)::integer AS rk
          FROM c WHERE c.meets AND NOT c.paused AND c.room >= h.persons AND c.counted_ok)
    SELECT f.rk, f.code, f.county,
           CASE WHEN h.residence IS NULL THEN NULL ELSE f.relation = 'same county' END,
           CASE WHEN h.residence IS NULL THEN NULL ELSE f.relation = 'neighbouring county' END,
           round(f.km::numeric, 1), f.remaining, f.planned_remaining, f.meets,
           CASE WHEN h.residence IS NULL
                THEN format('quota refugee: %s planned places left, %s places left', f.planned_remaining, f.remaining)
                ELSE format('%s%s, %s km, %s places left', CASE WHEN f.code = h.residence THEN 'same municipality, ' ELSE '' END,
                            f.relation, round(f.km::numeric), f.remaining) END
           || CASE WHEN f.has_plan AND f.planned_remaining < h.persons
                   THEN format(' (ahead of plan: %s planned to date)', greatest(f.planned_remaining, 0)) ELSE '' END
      FROM f WHERE f.rk <= max_results ORDER BY f.rk;
    IF FOUND THEN
        RETURN;
    END IF;
    -- nothing feasible: say why (one pass over the municipalities)
    SELECT coalesce(bool_or(m.remaining >= h.persons), false) AS places,
           coalesce(bool_or((mask & ~m.able) = 0), false) AS meets,
           coalesce(bool_or((mask & ~m.able) = 0 AND m.remaining >= h.persons), false) AS meets_places,
           coalesce(bool_or((mask & ~m.able) = 0 AND NOT m.paused AND m.room >= h.persons), false) AS open_room,
           coalesce(bool_or((mask & ~m.able) = 0 AND NOT m.paused AND m.remaining >= h.persons), false) AS open_places
      INTO f FROM settle.match_municipalities(y, as_of, h.stream) m;
    -- (when places and room are there, only counted places can be missing)
    why := CASE
             WHEN NOT f.places
               THEN format('no municipality has %s places left under its %s kommuntal', h.persons, y || settle.stream_label(h.stream))
             WHEN NOT f.meets
               THEN format('need %s unmet everywhere in %s', array_to_string(h.needs, ', '), y)
             WHEN NOT f.meets_places
               THEN format('the municipalities that can meet %s have fewer than %s places left', array_to_string(h.needs, ', '), h.persons)
             WHEN NOT f.open_room AND f.open_places
               THEN format('the municipalities with %s places left are ahead of their annual plan or under reduced intake on %s', h.persons, to_char(as_of, 'YYYY-MM-DD'))
             WHEN f.open_room
               THEN format('the counted places (settle.capability_room) of the municipalities with room are used up for %s, or held for households that need them, on %s',
                           coalesce(nullif(array_to_string(h.needs, ', '), ''), 'this household'), to_char(as_of, 'YYYY-MM-DD'))
             ELSE 'every municipality with places left that meets the needs is paused on ' || to_char(as_of, 'YYYY-MM-DD')
           END;
    RETURN QUERY SELECT NULL::integer, NULL::settle.kommunkod, NULL::settle.lanskod, NULL::boolean, NULL::boolean,
                        NULL::numeric, NULL::integer, NULL::integer, NULL::boolean, why;
END
$fn$;
COMMENT ON FUNCTION settle.candidates(bigint, date, integer) IS
    'The feasible municipalities for one household on a day (its stream; room under quota, plan, intake), best first by proximity, with reasons; a row with municipality NULL says why none is.';

CREATE OR REPLACE FUNCTION settle.match_stream(year integer, as_of date, mode text, stream text)
RETURNS TABLE (household bigint, municipality settle.kommunkod, persons integer, distance_km numeric,
               same_county boolean, choice_rank integer, reason text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := year;
    md text := settle.require_mode(mode);
    pr record;
BEGIN
    pr := settle.match_problem(y, as_of, match_stream.stream);
    RETURN QUERY
    WITH m AS MATERIALIZED (SELECT * FROM settle.match_municipalities(y, as_of, match_stream.stream)),
    res AS (
        SELECT * FROM settle.match_core(pr.persons, pr.residence, pr.needs, pr.fixed, pr.capacity, pr.planned,
                                        pr.able, pr.paused, pr.cost, md, settle.setting_km('matching.unplaced_km'),
                                        CASE WHEN md = 'optimal' THEN settle.max_extra_km() ELSE -1 END,
                                        pr.counted_uses, pr.counted, pr.first_count, pr.zones, pr.link)),
    mem AS (SELECT * FROM unnest(pr.member_household, pr.member_placement) WITH ORDINALITY AS x(household, placement, queue))
    SELECT h.id, mm.code, h.persons,
           round(px.distance_km::numeric, 1),
           px.relation = 'same county',
           res.choice_rank,
           CASE WHEN mm.code IS NULL THEN 'no feasible municipality left (places, needs, counted places or pauses)' || coalesce(', linked group ' || h.linked_group || sp.why, '')
                WHEN h.residence IS NULL THEN format('quota refugee: %s', CASE WHEN md = 'optimal' THEN 'no proximity to keep' ELSE format('most planned places left (%s)', mm.planned_remaining) END)
                ELSE format('%s, %s km%s%s', px.relation, round(px.distance_km::numeric),
                            CASE WHEN res.choice_rank > 1 AND md = 'optimal' THEN format(', choice %s (better ones went to others at less total cost)', res.choice_rank)
                                 WHEN res.choice_rank > 1 THEN format(', choice %s (better ones had too few places)', res.choice_rank) ELSE '' END,
                            coalesce(', linked group ' || h.linked_group || sp.why, '')) END
      FROM mem
      JOIN settle.household h ON h.id = mem.household
      JOIN res ON res.placement = mem.placement
      LEFT JOIN m mm ON mm.idx = res.municipality
      LEFT JOIN settle.proximity px ON px.residence = h.residence AND px.municipality = mm.code
      -- a split group says so (settle.match_problem decides; matching.linked_split)
      LEFT JOIN (SELECT g.linked_group,
                        format(' split (no municipality had room for all): members within %s, all placed or none',
                               CASE WHEN settle.linked_split_km() < 0 THEN settle.county_label(settle.lanskod(g.residence))
                                    ELSE settle.linked_split_km() || ' km of ' || settle.municipality_label(g.residence) END) AS why
                   FROM (SELECT DISTINCT ON (x.linked_group) x.linked_group, x.residence
                           FROM settle.household x
                          WHERE x.linked_group = ANY (pr.split_groups) AND x.residence IS NOT NULL
                          ORDER BY x.linked_group, x.permit_date, x.registered_at, x.id) g) sg ON sg.linked_group = h.linked_group
      CROSS JOIN LATERAL (SELECT coalesce(sg.why, '') AS why) sp
     ORDER BY mem.queue;
END
$fn$;
COMMENT ON FUNCTION settle.match_stream(integer, date, text, text) IS
    'Internal: settle.match for one stream: its waiting households against its kommuntal, in queue order.';

CREATE FUNCTION settle.match_fairness(year integer, as_of date, mode text, stream text)
RETURNS TABLE (passed_over integer, passed_over_max_days integer, better_off integer, worse_off integer, max_extra_km numeric)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    WITH w AS MATERIALIZED (SELECT * FROM settle.waiting(match_fairness.as_of) x WHERE x.stream = match_fairness.stream),
    m AS MATERIALIZED (SELECT * FROM settle.match_municipalities(match_fairness.year, match_fairness.as_of, match_fairness.stream)),
    p AS MATERIALIZED (SELECT * FROM settle.match_stream(match_fairness.year, match_fairness.as_of, match_fairness.mode, match_fairness.stream)),
    c AS MATERIALIZED (SELECT * FROM settle.match_stream(match_fairness.year, match_fairness.as_of, 'chronological', match_fairness.stream)
                        WHERE match_fairness.mode <> 'chronological'),
    passed AS (
        SELECT h.household, h.days_waited
          FROM w h JOIN p ph ON ph.household = h.household
         WHERE h.hard_to_place AND ph.municipality IS NULL
           AND EXISTS (SELECT 1 FROM w e JOIN p pe ON pe.household = e.household JOIN m ON m.code = pe.municipality
                        WHERE e.queue_position > h.queue_position AND NOT e.hard_to_place
                          AND m.room >= h.persons AND NOT m.paused
                          AND (settle.needs_mask(h.needs) & ~coalesce(m.able, 0)) = 0))
    -- nearer and farther by proximity cost (km, county penalties included:
    -- what matching.max_individual_extra_km limits)
    SELECT (SELECT count(*) FROM passed)::integer, (SELECT max(x.days_waited) FROM passed x),
           (count(*) FILTER (WHERE pp.cost_km < pc.cost_km))::integer,
           (count(*) FILTER (WHERE pp.cost_km > pc.cost_km))::integer,
           coalesce(round(max(pp.cost_km - pc.cost_km) FILTER (WHERE pp.cost_km > pc.cost_km)::numeric, 1), 0)
      FROM p
      JOIN c ON c.household = p.household
      JOIN settle.household h ON h.id = p.household
      JOIN settle.proximity pp ON pp.residence = h.residence AND pp.municipality = p.municipality
      JOIN settle.proximity pc ON pc.residence = h.residence AND pc.municipality = c.municipality
$$;
COMMENT ON FUNCTION settle.match_fairness(integer, date, text, text) IS
    'Internal: a proposal''s hard-to-place households passed over (longest wait), and households nearer, farther, the most farther (proximity cost, km) than chronologically.';

CREATE FUNCTION settle.match_summary(year integer, as_of date DEFAULT settle.today(), mode text DEFAULT 'chronological',
                                     streams text[] DEFAULT NULL)
RETURNS TABLE (households integer, placements integer, placed integer, persons_placed bigint, persons_unplaced bigint,
               proximity_km numeric, objective_km numeric, lower_bound_km numeric, gap_pct numeric, core_ms numeric,
               stream text, passed_over integer, passed_over_max_days integer, better_off integer, worse_off integer,
               max_extra_km numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    md text := settle.require_mode(mode);
    pr record;
    s text;
BEGIN
    FOREACH s IN ARRAY settle.streams_of_year(year, streams) LOOP
        pr := settle.match_problem(year, as_of, s);
        RETURN QUERY
        SELECT cardinality(pr.member_household), x.placements, x.placed, x.persons_placed, x.persons_unplaced,
               round(x.distance_km::numeric, 1), round(x.objective_km::numeric, 1), round(x.lower_bound_km::numeric, 1),
               CASE WHEN x.lower_bound_km > 0 THEN round(((x.objective_km - x.lower_bound_km) / x.lower_bound_km * 100)::numeric, 3)
                    WHEN x.lower_bound_km = 0 AND x.objective_km = 0 THEN 0 END,
               round(x.core_ms::numeric, 1), s, f.passed_over, f.passed_over_max_days, f.better_off, f.worse_off, f.max_extra_km
          FROM settle.match_core_summary(pr.persons, pr.residence, pr.needs, pr.fixed, pr.capacity, pr.planned,
                                         pr.able, pr.paused, pr.cost, md, settle.setting_km('matching.unplaced_km'),
                                         CASE WHEN md = 'optimal' THEN settle.max_extra_km() ELSE -1 END,
                                         pr.counted_uses, pr.counted, pr.first_count, pr.zones, pr.link) x,
               settle.match_fairness(year, as_of, md, s) f;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION settle.match_summary(integer, date, text, text[]) IS
    'settle.match''s figures per stream: placed and unplaced, km, the optimal bound and gap, hard-to-place households passed over, households nearer or farther than chronologically.';

-- ---- a stream's national volume and method are logged decisions
CREATE FUNCTION settle.volume_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
    PERFORM settle.log_decision(TG_TABLE_NAME, (r ->> 'year')::integer, coalesce(r ->> 'stream', 'ordinary'),
                                jsonb_build_object('op', lower(TG_OP),
                                                   'new', CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
                                                   'old', CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END));
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION settle.volume_record() IS
    'Internal (trigger): logs every change of a year''s national volume and method (planning_year, year_stream) with the old and new row.';
CREATE TRIGGER planning_year_record AFTER INSERT OR UPDATE OR DELETE ON settle.planning_year
    FOR EACH ROW EXECUTE FUNCTION settle.volume_record();
CREATE TRIGGER year_stream_record AFTER INSERT OR UPDATE OR DELETE ON settle.year_stream
    FOR EACH ROW EXECUTE FUNCTION settle.volume_record();

-- ---- distribution numbers computed once per decision
CREATE OR REPLACE FUNCTION settle.decide_distribution_numbers(year integer, decision_ref text, decision_date date DEFAULT settle.today(),
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

-- ---- the year simulator (120_simulate.sql)
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
                                                 AND CASE WHEN c.need = ANY (q.group_needs) THEN c.places_left < q.group_persons
                                                          ELSE c.reserved AND m.remaining - greatest(c.places_left, 0) < q.group_persons END));
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

-- ---- privileges (as 900_security.sql of 0.3.0): nothing new is executable
-- by PUBLIC, the types' support functions excepted
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'settle'::regnamespace
                AND NOT (p.proname LIKE 'kommunkod%' OR p.proname LIKE 'lanskod%' OR p.proname IN ('letter', 'to_integer')) LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION settle.setting_int(text, integer, integer),
                          settle.max_extra_km(),
                          settle.max_passed_over_days(),
                          settle.linked_split_km(),
                          settle.intake_used(settle.pause, date),
                          settle.intake_left(settle.kommunkod, date),
                          settle.match_municipalities(integer, date, text)
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT EXECUTE ON FUNCTION settle.match_fairness(integer, date, text, text),
                          settle.match_summary(integer, date, text, text[]),
                          settle.match_core(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]),
                          settle.match_core_summary(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]),
                          settle.match_problem(integer, date, text),
                          settle.capability_room(integer, date),
                          settle.capability_used(integer, settle.kommunkod, text, boolean)
   TO settle_agency, settle_auditor, settle_analyst;
GRANT EXECUTE ON FUNCTION settle.pause(integer, settle.kommunkod, date, date, text, integer) TO settle_agency, settle_municipality;
GRANT EXECUTE ON FUNCTION settle.simulate_year(integer, regclass, integer, text, text[]) TO settle_agency;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA settle TO settle_definer;
ALTER FUNCTION settle.volume_record() OWNER TO settle_definer;
ALTER FUNCTION settle.capability_record() OWNER TO settle_definer;
