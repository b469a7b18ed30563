-- settle--0.1.0--0.2.0.sql: upgrade from 0.1.0 (tag v0.1.0) to 0.2.0.
--
-- Frozen with the release of 0.2.0: what changed in the install script
-- between the two versions, as ALTER EXTENSION settle UPDATE runs it.
-- test/upgrade.sh installs 0.1.0 from its tag with a year of data, runs this
-- script and compares the result with a fresh 0.2.0 install.
--
-- 0.2.0: the reception register (settle.reception, settle.reception_category;
-- settle.receive records referred receptions there); reception_per_capita
-- over any categories; the audit checks the register against the referrals;
-- match_problem counts a linked member's persons once.
\echo Use "ALTER EXTENSION settle UPDATE TO '0.2.0'" to load this file. \quit

-- ---- the reception register (src/install/078_reception.sql of 0.2.0)
-- 078_reception.sql: the reception register (since 0.2.0).
--
-- Every person a municipality received as newly arrived, referred or not,
-- by category: quota refugees and households from the agency's
-- accommodation come through referrals (settle.receive records them here);
-- people who found housing themselves, relatives and others are loaded by
-- the agency, in bulk, from the agency's statistics.  A row may hold one
-- household or a total (e.g. a municipality's year in one category).  Rows
-- are never deleted; a correction states its reason and is logged.
-- settle.reception_per_capita and the median rule read this register.

CREATE TABLE settle.reception_category (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    description text NOT NULL,
    referred    boolean NOT NULL DEFAULT false,
    edited      boolean NOT NULL DEFAULT false
);
INSERT INTO settle.reception_category (code, description, referred) VALUES
    ('quota_refugee', 'resettled quota refugees, referred', true),
    ('from_accommodation', 'from the agency''s accommodation (ABO), referred', true),
    ('own_housing', 'who found housing themselves while waiting (EBO)', false),
    ('relatives', 'relatives joining someone already settled', false),
    ('other', 'other newly arrived persons, e.g. with temporary protection', false);
CREATE TRIGGER reception_category_edited BEFORE INSERT OR UPDATE ON settle.reception_category
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('code');
ALTER TABLE settle.reception_category ENABLE ALWAYS TRIGGER reception_category_edited;
COMMENT ON TABLE settle.reception_category IS
    'The categories of reception (quota refugees, from the agency''s accommodation, own housing, relatives, other); referred marks those that come through referrals. Extensible.';

CREATE TABLE settle.reception (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality      settle.kommunkod NOT NULL REFERENCES settle.municipality,
    received_on       date NOT NULL,
    category          text NOT NULL REFERENCES settle.reception_category,
    persons           integer NOT NULL CHECK (persons >= 0),
    unaccompanied     integer NOT NULL DEFAULT 0 CHECK (unaccompanied >= 0 AND unaccompanied <= persons),
    referral          bigint UNIQUE REFERENCES settle.referral,
    source            text NOT NULL CHECK (btrim(source) <> ''),
    correction_reason text,
    recorded_at       timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    recorded_by       text NOT NULL DEFAULT session_user
);
CREATE INDEX reception_day_idx ON settle.reception (received_on, municipality);
COMMENT ON TABLE settle.reception IS
    'Every person a municipality received, by category and day: referred receptions recorded by settle.receive, the others loaded by the agency. Corrections state a reason; nothing is deleted.';

-- the reception category of a referred household's category (one home)
CREATE FUNCTION settle.reception_category_of(household_category text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE household_category WHEN 'quota_refugee' THEN 'quota_refugee'
                                   WHEN 'abo' THEN 'from_accommodation' ELSE 'other' END;
COMMENT ON FUNCTION settle.reception_category_of(text) IS
    'The reception category a received referral is registered under, from its household''s category.';

-- Before a write, as the writer: the register's rules.
CREATE FUNCTION settle.reception_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'receptions are never deleted (reception %)', OLD.id
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Correct it instead: UPDATE settle.reception SET persons = 0, correction_reason = ''...'' WHERE id = ...';
    END IF;
    IF NOT isfinite(NEW.received_on) THEN
        RAISE EXCEPTION 'received_on must be a day, not %', NEW.received_on
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The day the persons were received, e.g. ''2018-12-31'' for a year''s total.';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.referral IS NOT NULL AND NOT settle.is_definer() THEN
            RAISE EXCEPTION 'receptions from referrals are recorded by settle.receive'
                USING ERRCODE = 'check_violation', HINT = 'SELECT settle.receive(referral, day); load other receptions without a referral.';
        END IF;
        IF NEW.persons = 0 THEN
            RAISE EXCEPTION 'a reception holds at least one person'
                USING ERRCODE = 'check_violation', HINT = 'persons > 0; a correction may later set 0 with a reason.';
        END IF;
        NEW.correction_reason := NULL;
    ELSE
        IF (NEW.id, NEW.municipality, NEW.referral, NEW.source) IS DISTINCT FROM (OLD.id, OLD.municipality, OLD.referral, OLD.source) THEN
            RAISE EXCEPTION 'the municipality, referral and source of reception % cannot change', OLD.id
                USING ERRCODE = 'check_violation', HINT = 'Correct persons, unaccompanied, category or day; load a new row for another municipality.';
        END IF;
        IF OLD.referral IS NOT NULL AND NOT settle.is_definer() THEN
            RAISE EXCEPTION 'reception % follows its referral and is not corrected here', OLD.id
                USING ERRCODE = 'check_violation', HINT = 'A received referral is final.';
        END IF;
        IF NEW.correction_reason IS NULL OR btrim(NEW.correction_reason) = ''
           OR NEW.correction_reason IS NOT DISTINCT FROM OLD.correction_reason THEN
            RAISE EXCEPTION 'a correction of reception % needs its own reason', OLD.id
                USING ERRCODE = 'check_violation', HINT = 'SET correction_reason = ''why'' with the corrected values; it is logged.';
        END IF;
    END IF;
    NEW.recorded_at := clock_timestamp();
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER reception_check BEFORE INSERT OR UPDATE OR DELETE ON settle.reception
    FOR EACH ROW EXECUTE FUNCTION settle.reception_check();
CREATE TRIGGER reception_no_truncate BEFORE TRUNCATE ON settle.reception
    FOR EACH STATEMENT EXECUTE FUNCTION settle.refuse_truncate();

-- After a write, as settle_definer: the log, from the row as written.
CREATE FUNCTION settle.reception_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    PERFORM settle.log_decision('reception', extract(year FROM NEW.received_on)::integer, NEW.municipality::text,
                                jsonb_build_object('op', lower(TG_OP), 'reception', NEW.id, 'category', NEW.category,
                                                   'persons', NEW.persons, 'unaccompanied', NEW.unaccompanied,
                                                   'received_on', NEW.received_on, 'source', NEW.source, 'referral', NEW.referral)
                                || CASE WHEN TG_OP = 'UPDATE'
                                        THEN jsonb_build_object('reason', NEW.correction_reason, 'old_persons', OLD.persons,
                                                                'old_category', OLD.category, 'old_received_on', OLD.received_on)
                                        ELSE '{}' END);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER reception_record AFTER INSERT OR UPDATE ON settle.reception
    FOR EACH ROW EXECUTE FUNCTION settle.reception_record();

-- ---- functions that changed
CREATE OR REPLACE FUNCTION settle.referral_status(o settle.referral, n settle.referral) RETURNS settle.referral
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF (n.id, n.household, n.year, n.municipality, n.persons, n.decided_at, n.recorded_at, n.deadline,
        n.decision_ref, n.forced, n.force_reason)
       IS DISTINCT FROM (o.id, o.household, o.year, o.municipality, o.persons, o.decided_at, o.recorded_at, o.deadline,
                         o.decision_ref, o.forced, o.force_reason) THEN
        RAISE EXCEPTION 'a referral''s decision cannot be changed (referral %)', o.id
            USING ERRCODE = 'check_violation',
                  HINT = 'Withdraw it (settle.withdraw) and issue a new one (settle.refer).';
    END IF;
    IF n.status IS NOT DISTINCT FROM o.status THEN
        IF (n.received_on, n.withdrawn_at, n.withdraw_reason, n.withdraw_recorded_at)
           IS DISTINCT FROM (o.received_on, o.withdrawn_at, o.withdraw_reason, o.withdraw_recorded_at) THEN
            RAISE EXCEPTION 'referral % is already %: its dates cannot change', o.id, o.status
                USING ERRCODE = 'check_violation', HINT = 'Reception and withdrawal are reported once.';
        END IF;
        RETURN n;
    END IF;
    IF o.status <> 'issued' THEN
        RAISE EXCEPTION 'referral % is already %', o.id, o.status
            USING ERRCODE = 'check_violation',
                  HINT = 'Only an issued referral can be received or withdrawn.';
    END IF;
    IF n.status = 'received' THEN
        IF n.received_on IS NULL OR NOT isfinite(n.received_on)
           OR n.received_on < settle.local_date(o.decided_at)
           OR n.withdrawn_at IS NOT NULL OR n.withdraw_reason IS NOT NULL THEN
            RAISE EXCEPTION 'referral % can be received on a day from % on, not %', o.id,
                            settle.local_date(o.decided_at), coalesce(n.received_on::text, 'NULL')
                USING ERRCODE = 'check_violation', HINT = 'Report the day the household arrived: settle.receive(referral, day).';
        END IF;
        -- the reception register (078_reception.sql) holds every reception
        INSERT INTO settle.reception (municipality, received_on, category, persons, unaccompanied, referral, source)
        SELECT o.municipality, n.received_on, settle.reception_category_of(h.category), o.persons,
               CASE WHEN 'unaccompanied_minor' = ANY (h.needs) THEN o.persons ELSE 0 END, o.id, 'referral'
          FROM settle.household h WHERE h.id = o.household;
    ELSIF n.status = 'withdrawn' THEN
        IF n.withdraw_reason IS NULL OR btrim(n.withdraw_reason) = '' OR n.received_on IS NOT NULL THEN
            RAISE EXCEPTION 'referral % can only be withdrawn with a reason', o.id
                USING ERRCODE = 'check_violation', HINT = 'SELECT settle.withdraw(referral, reason); the reason is logged.';
        END IF;
        UPDATE settle.municipal_quota mq SET referred = mq.referred - o.persons
         WHERE mq.year = o.year AND mq.municipality = o.municipality;
        -- effective: now, or settle.today's noon, never before the decision;
        -- recorded: the clock, after the quota row is locked (see referral_write)
        n.withdrawn_at := greatest(settle.effective_now(), o.decided_at);
        n.withdraw_recorded_at := clock_timestamp();
    ELSE
        RAISE EXCEPTION 'referral status % is unknown', n.status
            USING ERRCODE = 'check_violation', HINT = 'A referral is issued, received or withdrawn.';
    END IF;
    PERFORM settle.log_decision('referral_status', o.year, o.municipality::text,
                                jsonb_build_object('op', n.status, 'referral', o.id, 'household', o.household,
                                                   'received_on', n.received_on, 'reason', n.withdraw_reason));
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION settle.referral_status(settle.referral, settle.referral) IS
    'Internal: the status machine of a referral (issued -> received, issued -> withdrawn with a reason); returns the row as settle records it.';
CREATE OR REPLACE FUNCTION settle.audit(year integer DEFAULT NULL)
RETURNS SETOF settle.audit_finding
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := audit.year;
    v record;
BEGIN
    -- county quotas sum to the national volume
    RETURN QUERY
    SELECT 'county_quotas_sum_to_national_volume', py.year, NULL::text,
           format('county quotas sum to %s over %s counties, national volume %s', s.total, s.n, py.national_volume)
      FROM settle.planning_year py
      JOIN (SELECT cq.year, sum(cq.quota) AS total, count(*) AS n FROM settle.county_quota cq GROUP BY cq.year) s USING (year)
     WHERE (y IS NULL OR py.year = y) AND s.total <> py.national_volume;

    -- municipal quotas of a county sum to its county quota, unless they await
    -- re-decision after a change of the länstal (settle.kommuntal_awaiting),
    -- which is shown as such
    RETURN QUERY
    SELECT CASE WHEN settle.kommuntal_awaiting(s.year, s.county) THEN 'kommuntal_awaiting_redecision'
                ELSE 'municipal_quotas_sum_to_county_quota' END, s.year, s.county::text,
           format('municipal quotas sum to %s, county quota %s%s', s.total, coalesce(cq.quota::text, 'missing'),
                  CASE WHEN settle.kommuntal_awaiting(s.year, s.county)
                       THEN ' (the länstal changed; the county board has not decided new kommuntal yet)' ELSE '' END)
      FROM (SELECT mq.year, mq.county, sum(mq.quota) AS total FROM settle.municipal_quota mq GROUP BY mq.year, mq.county) s
      LEFT JOIN settle.county_quota cq ON cq.year = s.year AND cq.county = s.county
     WHERE (y IS NULL OR s.year = y) AND s.total IS DISTINCT FROM cq.quota::numeric;

    -- the maintained count of referred persons matches the referrals
    RETURN QUERY
    SELECT 'referred_count_matches_referrals', mq.year, mq.municipality::text,
           format('municipal_quota.referred is %s but active referrals hold %s persons', mq.referred, coalesce(r.persons, 0))
      FROM settle.municipal_quota mq
      LEFT JOIN (SELECT rf.year, rf.municipality, sum(rf.persons) AS persons FROM settle.referral rf
                  WHERE rf.status <> 'withdrawn' GROUP BY rf.year, rf.municipality) r
             ON r.year = mq.year AND r.municipality = mq.municipality
     WHERE (y IS NULL OR mq.year = y) AND mq.referred <> coalesce(r.persons, 0);

    -- no quota below the persons referred, now or at any moment of its history:
    -- on the recorded clock (what the database held when), see 045_time.sql
    RETURN QUERY
    WITH moments AS (
        SELECT h.year, h.municipality, h.recorded_at AS t FROM settle.quota_history h WHERE h.municipality IS NOT NULL
        UNION
        SELECT rf.year, rf.municipality, rf.recorded_at FROM settle.referral rf
        UNION
        SELECT mq.year, mq.municipality, 'infinity'::timestamptz FROM settle.municipal_quota mq),
    checked AS (
        SELECT mo.year, mo.municipality, mo.t,
               CASE WHEN mo.t = 'infinity'     -- the present: the quota as it stands
                    THEN (SELECT mq.quota FROM settle.municipal_quota mq WHERE mq.year = mo.year AND mq.municipality = mo.municipality)
                    ELSE (SELECT h.quota FROM settle.quota_history h
                           WHERE h.year = mo.year AND h.municipality = mo.municipality AND h.recorded_at <= mo.t
                           ORDER BY h.recorded_at DESC, h.id DESC LIMIT 1) END AS quota,
               (SELECT coalesce(sum(rf.persons), 0) FROM settle.referral rf
                 WHERE rf.year = mo.year AND rf.municipality = mo.municipality AND rf.recorded_at <= mo.t
                   AND (rf.withdraw_recorded_at IS NULL OR rf.withdraw_recorded_at > mo.t)) AS referred
          FROM moments mo WHERE y IS NULL OR mo.year = y)
    SELECT DISTINCT ON (c.year, c.municipality) 'quota_never_below_referred', c.year, c.municipality::text,
           format('at %s the kommuntal in force was %s but %s persons were referred',
                  CASE WHEN c.t = 'infinity' THEN 'present' ELSE c.t::text END, coalesce(c.quota::text, 'none'), c.referred)
      FROM checked c
     WHERE c.referred > 0 AND (c.quota IS NULL OR c.quota < c.referred)
     ORDER BY c.year, c.municipality, c.t;

    -- the reception register holds every received referral, once, as received
    RETURN QUERY
    SELECT 'reception_matches_referral', rf.year, rf.municipality::text,
           format('referral %s (received %s, %s persons) has %s in the reception register', rf.id, rf.received_on, rf.persons,
                  coalesce(format('a row of %s persons on %s in %s', rc.persons, rc.received_on, rc.municipality), 'no row'))
      FROM settle.referral rf
      LEFT JOIN settle.reception rc ON rc.referral = rf.id
     WHERE (y IS NULL OR rf.year = y) AND rf.status = 'received'
       AND (rc.id IS NULL OR (rc.municipality, rc.received_on, rc.persons) IS DISTINCT FROM (rf.municipality, rf.received_on, rf.persons))
    UNION ALL
    SELECT 'reception_matches_referral', rf.year, rf.municipality::text,
           format('reception %s names referral %s, which is %s', rc.id, rf.id, rf.status)
      FROM settle.reception rc JOIN settle.referral rf ON rf.id = rc.referral
     WHERE (y IS NULL OR rf.year = y) AND rf.status <> 'received';

    -- history: the current value of every quota is the latest history row
    RETURN QUERY
    SELECT 'history_matches_current_quota', cur.year, coalesce(cur.municipality::text, cur.county::text),
           format('current quota %s, latest history %s', coalesce(cur.quota::text, 'none'), coalesce(h.quota::text, 'none'))
      FROM (SELECT cq.year, cq.county, NULL::settle.kommunkod AS municipality, cq.quota FROM settle.county_quota cq
            UNION ALL
            SELECT mq.year, mq.county, mq.municipality, mq.quota FROM settle.municipal_quota mq) cur
      FULL JOIN (SELECT DISTINCT ON (x.year, x.county, x.municipality) x.year, x.county, x.municipality, x.quota
                   FROM settle.quota_history x ORDER BY x.year, x.county, x.municipality, x.valid_from DESC, x.id DESC) h
             ON h.year = cur.year AND h.county = cur.county AND h.municipality IS NOT DISTINCT FROM cur.municipality
     WHERE (y IS NULL OR coalesce(cur.year, h.year) = y)
       AND cur.quota IS DISTINCT FROM h.quota;

    -- history: periods follow each other (valid_from never goes back as ids grow)
    RETURN QUERY
    SELECT 'history_in_order', a.year, coalesce(a.municipality::text, a.county::text),
           format('history row %s (valid from %s) comes after row %s (valid from %s)', a.id, a.valid_from, a.prev_id, a.prev_from)
      FROM (SELECT x.*, lag(x.id) OVER w AS prev_id, lag(x.valid_from) OVER w AS prev_from
              FROM settle.quota_history x WINDOW w AS (PARTITION BY x.year, x.county, x.municipality ORDER BY x.id)) a
     WHERE (y IS NULL OR a.year = y) AND a.valid_from < a.prev_from;

    -- annual plans sum to the quota
    RETURN QUERY
    SELECT 'annual_plan_sums_to_quota', p.year, p.municipality::text,
           format('plan has %s months summing to %s, kommuntal %s', p.n, p.total, coalesce(mq.quota::text, 'none'))
      FROM (SELECT ap.year, ap.municipality, count(*) AS n, sum(ap.planned) AS total FROM settle.annual_plan ap
             GROUP BY ap.year, ap.municipality) p
      LEFT JOIN settle.municipal_quota mq ON mq.year = p.year AND mq.municipality = p.municipality
     WHERE (y IS NULL OR p.year = y) AND (p.n <> 12 OR p.total IS DISTINCT FROM mq.quota::numeric);

    -- one active referral per household (the subject is the household id:
    -- the audit needs no case numbers, so analysts can run it)
    RETURN QUERY
    SELECT 'one_active_referral_per_household', min(rf.year), rf.household::text,
           format('%s active referrals', count(*))
      FROM settle.referral rf
     WHERE rf.status <> 'withdrawn' AND (y IS NULL OR rf.year = y)
     GROUP BY rf.household HAVING count(*) > 1;

    -- every referral as settle.referral_issue / referral_status would have
    -- written it: re-checked from the data, so that a write with the
    -- triggers disabled is caught
    RETURN QUERY
    SELECT 'referral_as_issued', rf.year, rf.id::text, f.problem
      FROM settle.referral rf
      JOIN settle.household h ON h.id = rf.household
      CROSS JOIN LATERAL (
        SELECT settle.local_date(rf.decided_at) AS day,
               settle.unmet_needs(h.needs, rf.year, rf.municipality) AS unmet) d
      CROSS JOIN LATERAL (
        SELECT CASE
          WHEN rf.status <> 'withdrawn' AND rf.persons <> h.persons
            THEN format('counts %s persons but household %s has %s', rf.persons, h.id, h.persons)
          WHEN rf.status <> 'withdrawn' AND d.unmet IS NOT NULL AND NOT (rf.forced AND btrim(coalesce(rf.force_reason, '')) <> '')
            THEN format('needs %s not met and not forced with a reason', array_to_string(d.unmet, ', '))
          WHEN EXISTS (SELECT 1 FROM settle.pause pz WHERE pz.municipality = rf.municipality
                          AND d.day BETWEEN pz.from_date AND pz.to_date AND pz.reported_at <= rf.recorded_at)
            THEN format('issued on %s while the municipality was paused', d.day)
          WHEN rf.deadline <= d.day
            THEN format('deadline %s is not after the decision day %s', rf.deadline, d.day)
          WHEN rf.status = 'received' AND (NOT isfinite(rf.received_on) OR rf.received_on < d.day)
            THEN format('received on %s, decided on %s', rf.received_on, d.day)
          WHEN rf.status = 'withdrawn' AND btrim(coalesce(rf.withdraw_reason, '')) = ''
            THEN 'withdrawn without a reason'
          END AS problem) f
     WHERE (y IS NULL OR rf.year = y) AND f.problem IS NOT NULL;

    -- every revision moved every quota it names ('revised' history rows)
    RETURN QUERY
    SELECT 'revision_applied', rv.year, rv.id::text,
           format('revision %s (%s) names %s municipalities but moved %s', rv.id, rv.agreement_ref,
                  cardinality(rv.municipalities), count(h.id))
      FROM settle.revision rv
      LEFT JOIN settle.quota_history h ON h.revision = rv.id
     WHERE y IS NULL OR rv.year = y
     GROUP BY rv.id HAVING count(h.id) <> cardinality(rv.municipalities);

    -- pauses do not overlap
    RETURN QUERY
    SELECT 'pauses_do_not_overlap', a.year, a.municipality::text,
           format('pause %s (%s to %s) overlaps pause %s (%s to %s)', a.id, a.from_date, a.to_date, b.id, b.from_date, b.to_date)
      FROM settle.pause a JOIN settle.pause b
        ON a.municipality = b.municipality AND a.id < b.id
       AND daterange(a.from_date, a.to_date, '[]') && daterange(b.from_date, b.to_date, '[]')
     WHERE y IS NULL OR a.year = y;

    -- the decision log's chain
    SELECT * INTO v FROM settle.verify_log();
    IF NOT v.intact THEN
        RETURN QUERY SELECT 'decision_log_intact', NULL::integer, coalesce('entry ' || v.first_bad_id, 'position ' || v.first_bad_seq), v.problem;
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.audit(integer) IS
    'Every rule that does not hold, one row per finding, for one year or all (NULL); no rows means every rule holds (docs/yearly-cycle.md).';
CREATE OR REPLACE FUNCTION settle.map_points(year integer, metric text, as_of date)
RETURNS TABLE (code settle.kommunkod, name text, county settle.lanskod, x double precision, y double precision,
               quota integer, value double precision)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT m.code, m.name, m.county, p.x, p.y, s.quota,
           CASE metric WHEN 'fulfilment' THEN s.fulfilment_pct
                       WHEN 'plan_deviation' THEN s.deviation
                       ELSE (SELECT 1000.0 * coalesce(sum(r.persons), 0) / nullif(pi.population, 0) FROM settle.reception r
                              WHERE r.municipality = m.code AND r.received_on BETWEEN make_date(map_points.year, 1, 1) AND as_of) END
      FROM settle.municipality m
      CROSS JOIN LATERAL settle.tm_project(m.lat, m.lon) p
      LEFT JOIN settle.quota_status(map_points.year, as_of) s ON s.municipality = m.code AND s.level = 'municipality'
      LEFT JOIN settle.population_in(map_points.year) pi ON pi.municipality = m.code
$$;
COMMENT ON FUNCTION settle.map_points(integer, text, date) IS
    'Internal: each municipality''s projected position (km), kommuntal and metric value for settle.map_svg.';

-- the awaiting state computed once per county, not per municipality
CREATE OR REPLACE FUNCTION settle.quota_status(year integer, as_of date DEFAULT settle.today())
RETURNS TABLE (level text, county settle.lanskod, municipality settle.kommunkod, name text,
               quota integer, referred integer, received integer, remaining integer,
               planned_to_date integer, deviation integer, fulfilment_pct numeric, kommuntal_awaiting boolean)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    WITH m AS (
        SELECT mq.county, mq.municipality, mu.name,
               h.quota,
               coalesce(r.referred, 0)::integer AS referred,
               coalesce(r.received, 0)::integer AS received,
               coalesce(p.planned, 0)::integer AS planned_to_date
          FROM settle.municipal_quota mq
          JOIN settle.municipality mu ON mu.code = mq.municipality
          -- the quota in force at the end of as_of
          CROSS JOIN LATERAL (
              SELECT x.quota FROM settle.quota_history x
               WHERE x.year = mq.year AND x.municipality = mq.municipality
                 AND x.valid_from < settle.local_instant((as_of + 1)::timestamp)
               ORDER BY x.valid_from DESC, x.id DESC LIMIT 1) h
          LEFT JOIN LATERAL (
              SELECT sum(rf.persons) FILTER (WHERE rf.withdrawn_at IS NULL
                                               OR settle.local_date(rf.withdrawn_at) > as_of) AS referred,
                     sum(rf.persons) FILTER (WHERE rf.received_on <= as_of) AS received
                FROM settle.referral rf
               WHERE rf.year = mq.year AND rf.municipality = mq.municipality
                 AND settle.local_date(rf.decided_at) <= as_of) r ON true
          LEFT JOIN LATERAL (
              SELECT sum(ap.planned) AS planned FROM settle.annual_plan ap
               WHERE ap.year = mq.year AND ap.municipality = mq.municipality
                 AND make_date(mq.year, ap.month, 1) <= as_of) p ON true
         WHERE mq.year = quota_status.year AND h.quota IS NOT NULL),
    c AS (   -- (the awaiting state once per county, not per municipality)
        SELECT m.county, sum(m.quota)::integer AS quota, sum(m.referred)::integer AS referred,
               sum(m.received)::integer AS received, sum(m.planned_to_date)::integer AS planned_to_date,
               settle.kommuntal_awaiting(quota_status.year, m.county) AS awaiting
          FROM m GROUP BY m.county)
    SELECT 'municipality', m.county, m.municipality, m.name, m.quota, m.referred, m.received,
           m.quota - m.referred, m.planned_to_date, m.referred - m.planned_to_date,
           CASE WHEN m.quota > 0 THEN round(100.0 * m.referred / m.quota, 1) END, c.awaiting
      FROM m JOIN c ON c.county = m.county
    UNION ALL
    SELECT 'county', c.county, NULL, co.name, c.quota, c.referred, c.received,
           c.quota - c.referred, c.planned_to_date, c.referred - c.planned_to_date,
           CASE WHEN c.quota > 0 THEN round(100.0 * c.referred / c.quota, 1) END, c.awaiting
      FROM c JOIN settle.county co ON co.code = c.county
     ORDER BY 2, 3 NULLS FIRST
$$;
COMMENT ON FUNCTION settle.quota_status(integer, date) IS
    'Per county and municipality as of a date: quota in force, referred, received, remaining, planned to date, deviation, fulfilment %, and whether the county''s kommuntal await re-decision.';

-- a linked group's persons counted once per member, not once per need (issue 17's bug)
CREATE OR REPLACE FUNCTION settle.match_problem(year integer, as_of date,
                                     OUT persons integer[], OUT residence integer[], OUT needs bigint[], OUT fixed integer[],
                                     OUT capacity integer[], OUT planned integer[], OUT able bigint[], OUT paused boolean[],
                                     OUT cost double precision[], OUT member_household bigint[], OUT member_placement integer[])
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := year;
    n_need integer;
BEGIN
    PERFORM settle.require_planning_year(y);
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
    WITH m AS MATERIALIZED (SELECT * FROM settle.match_municipalities(y, as_of)),
    -- municipality index (0-based, code order) by code, so that no join is needed per household
    ci AS (SELECT array_agg(coalesce(m.idx - 1, -1) ORDER BY g.g) AS a FROM generate_series(0, 9999) g LEFT JOIN m ON m.code::integer = g.g),
    w AS MATERIALIZED (SELECT * FROM settle.waiting(as_of)),
    -- a linked group is placed as one, in its earliest member's turn; if a
    -- member already has an active referral, the others follow it there
    grp AS (
        -- one row per member (persons counted once), the members' needs joined apart
        SELECT w.linked_group, min(w.queue_position) AS pos, sum(w.persons)::integer AS persons,
               (SELECT coalesce(bit_or(nb.bit), 0) FROM w x CROSS JOIN LATERAL unnest(x.needs) n
                  JOIN settle.need_bit nb ON nb.code = n WHERE x.linked_group = w.linked_group) AS needs,
               (array_agg(w.residence ORDER BY w.queue_position) FILTER (WHERE w.residence IS NOT NULL))[1] AS residence,
               (SELECT r.municipality FROM settle.referral r JOIN settle.household o ON o.id = r.household
                 WHERE o.linked_group = w.linked_group AND r.status <> 'withdrawn'
                 ORDER BY r.decided_at LIMIT 1) AS fixed_to
          FROM w
         WHERE w.linked_group IS NOT NULL
         GROUP BY w.linked_group),
    pl AS (
        SELECT w.household, NULL::text AS linked_group, w.queue_position AS pos, w.persons, w.residence,
               NULL::settle.kommunkod AS fixed_to,
               CASE WHEN cardinality(w.needs) = 0 THEN 0::bigint
                    ELSE (SELECT coalesce(bit_or(nb.bit), 0) FROM settle.need_bit nb WHERE nb.code = ANY (w.needs)) END AS needs
          FROM w WHERE w.linked_group IS NULL
        UNION ALL
        SELECT NULL, grp.linked_group, grp.pos, grp.persons, grp.residence, grp.fixed_to, grp.needs FROM grp),
    plo AS MATERIALIZED (
        SELECT pl.household, pl.linked_group, pl.persons, pl.needs, pl.pos,
               coalesce((SELECT ci.a FROM ci)[pl.residence::integer + 1], -1) AS res,
               coalesce((SELECT ci.a FROM ci)[pl.fixed_to::integer + 1], -1) AS fix,
               row_number() OVER (ORDER BY pl.pos)::integer AS i
          FROM pl),
    -- (two small sets: whatever join the planner picks stays cheap)
    wl AS MATERIALIZED (SELECT w.household, w.queue_position, w.linked_group FROM w WHERE w.linked_group IS NOT NULL),
    gi AS MATERIALIZED (SELECT plo.linked_group, plo.i FROM plo WHERE plo.linked_group IS NOT NULL),
    members AS (
        SELECT plo.household, plo.pos, plo.i FROM plo WHERE plo.household IS NOT NULL
        UNION ALL
        SELECT wl.household, wl.queue_position, gi.i FROM wl JOIN gi ON gi.linked_group = wl.linked_group)
    -- one sort for the four placement arrays (aggregates read a sorted subquery in its order)
    SELECT pa.persons, pa.res, pa.needs, pa.fix,
           ARRAY(SELECT greatest(m.remaining, 0) FROM m ORDER BY m.idx),
           ARRAY(SELECT m.planned_remaining FROM m ORDER BY m.idx),
           ARRAY(SELECT coalesce(m.able, 0) FROM m ORDER BY m.idx),
           ARRAY(SELECT m.paused FROM m ORDER BY m.idx),
           -- the cost matrix, row by residence (m holds every municipality,
           -- idx in code order, so code order is index order)
           ARRAY(SELECT px.cost_km FROM settle.proximity px ORDER BY px.residence, px.municipality),
           ma.household, ma.i
      FROM (SELECT array_agg(o.persons) AS persons, array_agg(o.res) AS res, array_agg(o.needs) AS needs, array_agg(o.fix) AS fix
              FROM (SELECT * FROM plo ORDER BY plo.i) o) pa,
           (SELECT array_agg(o.household) AS household, array_agg(o.i) AS i
              FROM (SELECT * FROM members ORDER BY members.pos) o) ma
      INTO persons, residence, needs, fixed, capacity, planned, able, paused, cost, member_household, member_placement;
    persons := coalesce(persons, '{}');
    residence := coalesce(residence, '{}');
    needs := coalesce(needs, '{}');
    fixed := coalesce(fixed, '{}');
    member_household := coalesce(member_household, '{}');
    member_placement := coalesce(member_placement, '{}');
END
$fn$;
COMMENT ON FUNCTION settle.match_problem(integer, date) IS
    'Internal: the waiting households as placements (a linked group as one) and the municipalities'' places, plans, capabilities, pauses and cost matrix, as the arrays settle.match_core takes.';

-- reception_per_capita gains categories: a new signature, so the view over it is rebuilt
DROP VIEW settle.v_reception_per_capita;
DROP FUNCTION settle.reception_per_capita(integer);
CREATE FUNCTION settle.reception_per_capita(year integer, categories text[] DEFAULT NULL)
RETURNS TABLE (level text, municipality settle.kommunkod, name text, county settle.lanskod, received integer,
               population integer, per_1000 numeric, rank integer, above_median boolean, national_median numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    unknown text;
BEGIN
    PERFORM settle.require_year(year, 'Receptions are counted by the calendar year of their reception date.');
    PERFORM settle.require_planning_year(year);   -- as county_report and map_svg do
    SELECT c INTO unknown FROM unnest(categories) c
     WHERE c IS NULL OR NOT EXISTS (SELECT 1 FROM settle.reception_category rc WHERE rc.code = c) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown reception category %', coalesce(quote_literal(unknown), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Categories are codes from settle.reception_category (' || (SELECT string_agg(code, ', ' ORDER BY code) FROM settle.reception_category) || '); NULL for all.';
    END IF;
    RETURN QUERY
    WITH r AS (
        SELECT rc.municipality, sum(rc.persons)::integer AS received
          FROM settle.reception rc
         WHERE rc.received_on >= make_date(reception_per_capita.year, 1, 1)
           AND rc.received_on < make_date(reception_per_capita.year + 1, 1, 1)
           AND (categories IS NULL OR rc.category = ANY (categories))
         GROUP BY rc.municipality),
    m AS (
        SELECT mu.code, mu.name, mu.county, coalesce(r.received, 0) AS received, p.population,
               round(1000.0 * coalesce(r.received, 0) / nullif(p.population, 0), 3) AS per_1000
          FROM settle.municipality mu
          JOIN settle.population_in(reception_per_capita.year) p ON p.municipality = mu.code
          LEFT JOIN r ON r.municipality = mu.code),
    med AS (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY m.per_1000)::numeric, 3) AS median FROM m)
    SELECT 'municipality', m.code, m.name, m.county, m.received, m.population, m.per_1000,
           (rank() OVER (ORDER BY m.per_1000 DESC NULLS LAST))::integer, m.per_1000 > med.median, med.median
      FROM m, med
    UNION ALL
    SELECT 'national', NULL, 'Sweden', NULL, sum(m.received)::integer, sum(m.population)::integer,
           round(1000.0 * sum(m.received) / nullif(sum(m.population), 0), 3), NULL, NULL, med.median
      FROM m, med GROUP BY med.median
     ORDER BY 1 DESC, 8, 2;
END
$fn$;
COMMENT ON FUNCTION settle.reception_per_capita(integer, text[]) IS
    'Persons received per 1,000 inhabitants in year (all categories of settle.reception, or those given), per municipality with its rank and whether it is above the national median, plus a national row.';
CREATE VIEW settle.v_reception_per_capita AS
SELECT y.year, r.* FROM settle.planning_year y CROSS JOIN LATERAL settle.reception_per_capita(y.year) r;
COMMENT ON VIEW settle.v_reception_per_capita IS
    'settle.reception_per_capita for every planning year (columns: year, then those of the function). Stable for BI tools.';

-- ---- privileges, row-level security, ownership (as 900_security.sql of 0.2.0)
REVOKE ALL ON FUNCTION settle.reception_category_of(text), settle.reception_check(), settle.reception_record(),
                       settle.reception_per_capita(integer, text[]) FROM PUBLIC;
GRANT SELECT ON settle.reception_category, settle.reception
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT EXECUTE ON FUNCTION settle.reception_per_capita(integer, text[]), settle.reception_category_of(text)
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT INSERT, UPDATE ON settle.reception, settle.reception_category TO settle_agency;
GRANT SELECT ON settle.v_reception_per_capita TO settle_agency, settle_auditor, settle_analyst;
ALTER TABLE settle.reception ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.reception FOR SELECT TO settle_auditor, settle_analyst USING (true);
CREATE POLICY agency ON settle.reception FOR ALL TO settle_agency USING (true) WITH CHECK (true);
CREATE POLICY own_scope ON settle.reception FOR SELECT TO settle_county_board, settle_municipality
    USING (settle.in_scope(settle.lanskod(municipality), municipality));
CREATE POLICY definer ON settle.reception FOR ALL TO settle_definer USING (true) WITH CHECK (true);
GRANT INSERT ON settle.reception TO settle_definer;
GRANT SELECT ON ALL TABLES IN SCHEMA settle TO settle_definer;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA settle TO settle_definer;
ALTER FUNCTION settle.reception_record() OWNER TO settle_definer;

-- ---- what pg_dump keeps (as 890_dump.sql of 0.2.0)
SELECT pg_catalog.pg_extension_config_dump('settle.reception', '');
SELECT pg_catalog.pg_extension_config_dump('settle.reception_category', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.reception', 'id')::regclass, '');

-- ---- data: every referral received under 0.1.0 enters the register, as
-- settle.receive now records it (the upgrade writes as the extension's
-- owner, so the register's writer check is set aside for these rows only)
ALTER TABLE settle.reception DISABLE TRIGGER reception_check;
ALTER TABLE settle.reception DISABLE TRIGGER reception_record;
INSERT INTO settle.reception (municipality, received_on, category, persons, unaccompanied, referral, source)
SELECT r.municipality, r.received_on, settle.reception_category_of(h.category), r.persons,
       CASE WHEN 'unaccompanied_minor' = ANY (h.needs) THEN r.persons ELSE 0 END, r.id, 'referral'
  FROM settle.referral r JOIN settle.household h ON h.id = r.household
 WHERE r.status = 'received'
 ORDER BY r.id;
ALTER TABLE settle.reception ENABLE TRIGGER reception_check;
ALTER TABLE settle.reception ENABLE TRIGGER reception_record;
