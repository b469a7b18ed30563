-- 060_quotas.sql: decided county and municipal quotas, their rules, their history.
--
-- county_quota holds the länstal, municipal_quota the kommuntal.  The rules
-- hold whatever path a write takes (these functions, plain DML, COPY,
-- concurrent transactions), because triggers enforce them:
--   * county quotas of a year sum to its national volume        (at commit)
--   * municipal quotas of a county sum to its county quota      (at commit)
--   * a municipal quota is never below the persons in referrals
--     already issued to it that year (withdrawn ones do not count).
--     Home: the CHECK municipal_quota_not_below_referred.  Relying on it:
--     municipal_quota_check and settle.revise_quotas (clearer messages),
--     the referral trigger's guarded UPDATE (070_referrals.sql: a referral
--     that would pass the quota is refused as full) and settle.audit()
--     (090_status.sql: the rule over the whole history)
--   * a decided municipal quota is not deleted while referrals exist
-- Every value ever in force is kept in quota_history (append-only), and every
-- change is appended to the decision log.

CREATE TABLE settle.county_quota (
    year          integer NOT NULL REFERENCES settle.planning_year,
    county        settle.lanskod NOT NULL REFERENCES settle.county,
    quota         integer NOT NULL CHECK (quota >= 0),
    decision_ref  text NOT NULL CHECK (btrim(decision_ref) <> ''),
    decision_date date,
    decided_at    timestamptz NOT NULL DEFAULT now(),
    decided_by    text NOT NULL DEFAULT session_user,
    stream        text NOT NULL DEFAULT 'ordinary' REFERENCES settle.stream,
    CONSTRAINT county_quota_pkey PRIMARY KEY (year, stream, county)
);
COMMENT ON TABLE settle.county_quota IS
    'Decided county quotas (länstal) per year and stream. A stream''s sum to its national volume at commit; decided_at and decided_by are set by settle.';

CREATE TABLE settle.municipal_quota (
    year          integer NOT NULL,
    municipality  settle.kommunkod NOT NULL REFERENCES settle.municipality,
    county        settle.lanskod NOT NULL,
    quota         integer NOT NULL CHECK (quota >= 0),
    referred      integer NOT NULL DEFAULT 0 CHECK (referred >= 0),
    decision_ref  text NOT NULL CHECK (btrim(decision_ref) <> ''),
    decision_date date,
    decided_at    timestamptz NOT NULL DEFAULT now(),
    decided_by    text NOT NULL DEFAULT session_user,
    stream        text NOT NULL DEFAULT 'ordinary',
    CONSTRAINT municipal_quota_pkey PRIMARY KEY (year, stream, municipality),
    CONSTRAINT municipal_quota_county_quota_fkey FOREIGN KEY (year, stream, county) REFERENCES settle.county_quota (year, stream, county),
    CONSTRAINT municipal_quota_county_matches CHECK (county = settle.lanskod(municipality)),
    CONSTRAINT municipal_quota_not_below_referred CHECK (quota >= referred)
);
CREATE INDEX municipal_quota_county_idx ON settle.municipal_quota (year, stream, county);
COMMENT ON TABLE settle.municipal_quota IS
    'Decided municipal quotas (kommuntal) per year and stream; referred (maintained by settle) counts active referrals. quota >= referred; a county''s sum to its länstal at commit.';
COMMENT ON COLUMN settle.municipal_quota.referred IS
    'Persons in issued or received (not withdrawn) referrals of that year and stream; maintained by the referral triggers, refused if written directly.';

-- Every value ever in force: append-only.  A row is in force from valid_from
-- until the next row for the same quota (see settle.quota_history_periods);
-- quota NULL marks a quota that was removed.
CREATE TABLE settle.quota_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year          integer NOT NULL,
    county        settle.lanskod NOT NULL,
    municipality  settle.kommunkod,         -- NULL: the county quota
    quota         integer,
    valid_from    timestamptz NOT NULL,     -- effective: when the value took effect
    recorded_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),   -- recorded: when settle wrote it
    decision_ref  text,
    change        text NOT NULL CHECK (change IN ('decided', 'changed', 'revised', 'removed')),
    actor         text NOT NULL DEFAULT session_user,
    revision      bigint,                   -- settle.revision that made a 'revised' change
    stream        text NOT NULL DEFAULT 'ordinary',
    CHECK ((change = 'revised') = (revision IS NOT NULL))
);
CREATE INDEX quota_history_key ON settle.quota_history (year, stream, county, municipality, valid_from, id);
COMMENT ON TABLE settle.quota_history IS
    'Every county and municipal quota value ever in force, with the decision or agreement that set it and when it was written; append-only, written only by settle.';

CREATE VIEW settle.quota_history_periods AS
SELECT h.id, h.year, h.county, h.municipality, h.quota, h.valid_from,
       lead(h.valid_from) OVER w AS valid_to, h.decision_ref, h.change, h.actor, h.stream
  FROM settle.quota_history h
WINDOW w AS (PARTITION BY h.year, h.stream, h.county, h.municipality ORDER BY h.valid_from, h.id);
COMMENT ON VIEW settle.quota_history_periods IS
    'settle.quota_history with each value''s validity period [valid_from, valid_to); valid_to NULL = still in force.';

-- A quota's history is in effective order: a new value may be recorded
-- after it took effect (back-loading a past year), but never take effect
-- before the value it replaces, nor a kommuntal before its county's first
-- länstal of the year (the decision it depends on), nor after its year.
CREATE FUNCTION settle.quota_history_order(h settle.quota_history) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    prev timestamptz;
    first_county timestamptz;
BEGIN
    IF h.valid_from >= settle.local_instant(make_date(h.year + 1, 1, 1)) THEN
        RAISE EXCEPTION 'a quota of % cannot take effect on %, after its year', h.year, settle.local_date(h.valid_from)
            USING ERRCODE = 'check_violation',
                  HINT = 'Date the decision (decision_date, or settle.today) within or before the year it is for.';
    END IF;
    SELECT max(x.valid_from) INTO prev FROM settle.quota_history x
     WHERE x.year = h.year AND x.stream = h.stream AND x.county = h.county AND x.municipality IS NOT DISTINCT FROM h.municipality;
    IF prev > h.valid_from THEN
        RAISE EXCEPTION 'the % of % for % cannot take effect on %, before the value in force since %',
                        CASE WHEN h.municipality IS NULL THEN 'länstal' ELSE 'kommuntal' END,
                        coalesce(settle.municipality_label(h.municipality), settle.county_label(h.county)), h.year || settle.stream_label(h.stream),
                        settle.local_date(h.valid_from), settle.local_date(prev)
            USING ERRCODE = 'check_violation',
                  HINT = 'Give the decision its own date (decision_date), on or after the one it replaces.';
    END IF;
    IF h.municipality IS NOT NULL AND h.quota IS NOT NULL THEN
        SELECT min(x.valid_from) INTO first_county FROM settle.quota_history x
         WHERE x.year = h.year AND x.stream = h.stream AND x.county = h.county AND x.municipality IS NULL;
        IF first_county > h.valid_from THEN
            RAISE EXCEPTION 'the kommuntal of % for % cannot take effect on %, before the länstal it splits (in force from %)',
                            settle.municipality_label(h.municipality), h.year, settle.local_date(h.valid_from), settle.local_date(first_county)
                USING ERRCODE = 'check_violation',
                      HINT = 'Date the municipal quota decision on or after the county quota decision.';
        END IF;
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.quota_history_order(settle.quota_history) IS
    'Internal: refuses a quota value taking effect after its year, before the value it replaces, or (a kommuntal) before its county''s first länstal (23514).';

CREATE FUNCTION settle.quota_history_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'INSERT' AND settle.is_definer() THEN
        -- written by settle's quota triggers: valid_from is the decision's
        -- effective time, recorded_at the clock (taken under the quota's lock)
        NEW.recorded_at := clock_timestamp();
        NEW.valid_from := coalesce(NEW.valid_from, NEW.recorded_at);
        NEW.actor := session_user;
        PERFORM settle.quota_history_order(NEW);
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'settle.quota_history is append-only and written by settle: % refused', TG_OP
        USING ERRCODE = 'restrict_violation',
              DETAIL = 'Every quota value ever in force is kept for auditors.',
              HINT = 'Change the quota itself (settle.county_quota, settle.municipal_quota, settle.revise_quotas); its history follows.';
END
$fn$;
CREATE TRIGGER quota_history_guard BEFORE INSERT OR UPDATE OR DELETE ON settle.quota_history
    FOR EACH ROW EXECUTE FUNCTION settle.quota_history_guard();
CREATE TRIGGER quota_history_no_truncate BEFORE TRUNCATE ON settle.quota_history
    FOR EACH STATEMENT EXECUTE FUNCTION settle.refuse_truncate();

-- a municipality as "0180 Stockholm", for messages
CREATE FUNCTION settle.municipality_label(m settle.kommunkod) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$ SELECT m::text || coalesce(' ' || (SELECT name FROM settle.municipality WHERE code = m), '') $$;
COMMENT ON FUNCTION settle.municipality_label(settle.kommunkod) IS 'A municipality as code and name, e.g. ''0180 Stockholm'', for messages.';

CREATE FUNCTION settle.county_label(c settle.lanskod) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$ SELECT c::text || coalesce(' ' || (SELECT name FROM settle.county WHERE code = c), '') $$;
COMMENT ON FUNCTION settle.county_label(settle.lanskod) IS 'A county as code and name, e.g. ''01 Stockholms län'', for messages.';

-- ---------------------------------------------------------------- county quotas

CREATE FUNCTION settle.county_quota_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO settle.quota_history (year, stream, county, quota, decision_ref, change, valid_from)
        VALUES (OLD.year, OLD.stream, OLD.county, NULL, OLD.decision_ref, 'removed', settle.effective_now());
        PERFORM settle.log_decision('county_quota', OLD.year, OLD.county::text,
                                    jsonb_build_object('op', 'delete', 'old', to_jsonb(OLD)));
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.year, NEW.stream, NEW.county) IS DISTINCT FROM (OLD.year, OLD.stream, OLD.county) THEN
        RAISE EXCEPTION 'the year, stream and county of a county quota cannot change'
            USING ERRCODE = 'check_violation',
                  HINT = 'Decide the quota of the other year, stream or county as a new row.';
    END IF;
    PERFORM settle.require_stream(NEW.year, NEW.stream);   -- P0002 for a stream the year lacks
    NEW.decided_at := now();
    NEW.decided_by := session_user;
    IF TG_OP = 'INSERT' OR NEW.quota IS DISTINCT FROM OLD.quota OR NEW.decision_ref IS DISTINCT FROM OLD.decision_ref THEN
        INSERT INTO settle.quota_history (year, stream, county, quota, decision_ref, change, valid_from)
        VALUES (NEW.year, NEW.stream, NEW.county, NEW.quota, NEW.decision_ref, CASE TG_OP WHEN 'INSERT' THEN 'decided' ELSE 'changed' END,
                settle.effective_from(NEW.decision_date));
        PERFORM settle.log_decision('county_quota', NEW.year, NEW.county::text,
                                    jsonb_build_object('op', lower(TG_OP), 'quota', NEW.quota, 'decision_ref', NEW.decision_ref,
                                                       'decision_date', NEW.decision_date, 'stream', NEW.stream,
                                                       'old_quota', CASE WHEN TG_OP = 'UPDATE' THEN OLD.quota END));
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER county_quota_write BEFORE INSERT OR UPDATE OR DELETE ON settle.county_quota
    FOR EACH ROW EXECUTE FUNCTION settle.county_quota_write();

-- at commit: a stream's county quotas sum to its national volume
CREATE FUNCTION settle.check_county_sum(y integer, s text DEFAULT 'ordinary') RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    volume integer;
    total bigint;
    n integer;
BEGIN
    SELECT x.national_volume INTO volume FROM settle.year_streams x WHERE x.year = y AND x.stream = s;
    SELECT sum(quota), count(*) INTO total, n FROM settle.county_quota WHERE year = y AND stream = s;
    IF n > 0 AND total IS DISTINCT FROM volume::bigint THEN
        RAISE EXCEPTION 'county quotas (länstal) of % sum to %, not the national volume %', y || settle.stream_label(s), total, coalesce(volume::text, '(no such stream)')
            USING ERRCODE = 'check_violation',
                  DETAIL = format('%s of 21 counties have a quota; the difference is %s.', n, total - volume),
                  HINT = 'Decide all county quotas together, e.g. SELECT settle.decide_county_quotas(year, decision_ref), or change the national volume in the same transaction.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.check_county_sum(integer, text) IS 'Raises 23514 unless the county quotas of the year and stream sum to its national volume (or none is decided).';

-- at commit: a county's municipal quotas sum to its county quota
-- A county's kommuntal await re-decision when its länstal changed after they
-- were last decided and they no longer sum to it (a mid-year change of the
-- national volume): the sum rule waits for the county board, referrals go on
-- under the kommuntal in force.  The one home of that state; relying on it:
-- check_municipal_sum, settle.quota_status, settle.audit.
CREATE FUNCTION settle.kommuntal_awaiting(y integer, c settle.lanskod, s text DEFAULT 'ordinary') RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT coalesce((SELECT max(h.id) FROM settle.quota_history h
                      WHERE h.year = y AND h.stream = s AND h.county = c AND h.municipality IS NULL)
                    > (SELECT max(h.id) FROM settle.quota_history h
                        WHERE h.year = y AND h.stream = s AND h.county = c AND h.municipality IS NOT NULL), false)
       AND (SELECT sum(mq.quota) FROM settle.municipal_quota mq WHERE mq.year = y AND mq.stream = s AND mq.county = c)
           IS DISTINCT FROM (SELECT cq.quota FROM settle.county_quota cq WHERE cq.year = y AND cq.stream = s AND cq.county = c)::bigint
$$;
COMMENT ON FUNCTION settle.kommuntal_awaiting(integer, settle.lanskod, text) IS
    'True while a county''s kommuntal (of a stream, default ordinary) await re-decision: its länstal changed after they were last decided and they no longer sum to it.';

CREATE FUNCTION settle.check_municipal_sum(y integer, c settle.lanskod, s text DEFAULT 'ordinary') RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    cq integer;
    total bigint;
    n integer;
BEGIN
    SELECT sum(quota), count(*) INTO total, n FROM settle.municipal_quota WHERE year = y AND stream = s AND county = c;
    IF n = 0 THEN
        RETURN;
    END IF;
    SELECT quota INTO cq FROM settle.county_quota WHERE year = y AND stream = s AND county = c;
    IF total IS DISTINCT FROM cq::bigint AND NOT settle.kommuntal_awaiting(y, c, s) THEN
        RAISE EXCEPTION 'municipal quotas (kommuntal) of county % in % sum to %, not its county quota %',
                        settle.county_label(c), y || settle.stream_label(s), total, coalesce(cq::text, '(none decided)')
            USING ERRCODE = 'check_violation',
                  DETAIL = format('%s municipalities have a quota; the difference is %s.', n, total - cq),
                  HINT = 'A revision moves places between municipalities of the same county (deltas summing to 0): settle.revise_quotas. A new county quota needs new municipal quotas in the same transaction.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.check_municipal_sum(integer, settle.lanskod, text) IS 'Raises 23514 unless the municipal quotas of the county, year and stream sum to its county quota (or none is decided, or they await re-decision).';

CREATE FUNCTION settle.quota_sums_at_commit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    r record;
BEGIN
    r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    IF TG_TABLE_NAME = 'planning_year' THEN
        PERFORM settle.check_county_sum(r.year, 'ordinary');
    ELSIF TG_TABLE_NAME = 'year_stream' THEN
        PERFORM settle.check_county_sum(r.year, r.stream);
    ELSIF TG_TABLE_NAME = 'county_quota' THEN
        PERFORM settle.check_county_sum(r.year, r.stream);
        PERFORM settle.check_municipal_sum(r.year, r.county, r.stream);
    ELSE
        PERFORM settle.check_municipal_sum(r.year, r.county, r.stream);
    END IF;
    RETURN NULL;
END
$fn$;
CREATE CONSTRAINT TRIGGER planning_year_sums AFTER UPDATE OF national_volume ON settle.planning_year
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settle.quota_sums_at_commit();
CREATE CONSTRAINT TRIGGER year_stream_sums AFTER UPDATE OF national_volume ON settle.year_stream
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settle.quota_sums_at_commit();
CREATE CONSTRAINT TRIGGER county_quota_sums AFTER INSERT OR UPDATE OR DELETE ON settle.county_quota
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settle.quota_sums_at_commit();

-- A stream's national volume and method (planning_year for ordinary,
-- year_stream for the others) are decisions too: every change is logged
-- (since 0.3.0), as settle_definer, from the rows as written.  The same
-- trigger logs a capability's changes (070_referrals.sql); its argument,
-- if any, names the column that is the entry's subject (else the stream).
CREATE FUNCTION settle.volume_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
    PERFORM settle.log_decision(TG_TABLE_NAME, (r ->> 'year')::integer,
                                CASE WHEN TG_NARGS > 0 THEN r ->> TG_ARGV[0] ELSE coalesce(r ->> 'stream', 'ordinary') END,
                                jsonb_build_object('op', lower(TG_OP),
                                                   'new', CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
                                                   'old', CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END));
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION settle.volume_record() IS
    'Internal (trigger): logs every change of a decision row (a year''s volume and method: planning_year, year_stream; capability) with the old and new row.';
CREATE TRIGGER planning_year_record AFTER INSERT OR UPDATE OR DELETE ON settle.planning_year
    FOR EACH ROW EXECUTE FUNCTION settle.volume_record();
CREATE TRIGGER year_stream_record AFTER INSERT OR UPDATE OR DELETE ON settle.year_stream
    FOR EACH ROW EXECUTE FUNCTION settle.volume_record();

-- ------------------------------------------------------------- municipal quotas

-- A revision agreed between municipalities of one county, recorded by
-- settle.revise_quotas before it moves the quotas.  The quota trigger finds
-- it (same transaction, same delta) and records those changes as 'revised'
-- with the agreement: what the log says comes from this row, which passed
-- the county board's row-level security, never from a session setting.
CREATE TABLE settle.revision (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year           integer NOT NULL,
    county         settle.lanskod NOT NULL REFERENCES settle.county,
    agreement_ref  text NOT NULL CHECK (btrim(agreement_ref) <> ''),
    decision_date  date,
    municipalities settle.kommunkod[] NOT NULL,
    deltas         integer[] NOT NULL,
    tx             xid8 NOT NULL,
    recorded_at    timestamptz NOT NULL,
    actor          text NOT NULL,
    stream         text NOT NULL DEFAULT 'ordinary',
    CONSTRAINT revision_shape CHECK (cardinality(municipalities) = cardinality(deltas) AND cardinality(deltas) > 0)
);
COMMENT ON TABLE settle.revision IS
    'Revisions of kommuntal agreed between municipalities of one county, in one stream (settle.revise_quotas): agreement, municipalities and deltas. Append-only.';

CREATE FUNCTION settle.revision_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'settle.revision is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation', HINT = 'Agree a new revision instead (settle.revise_quotas).';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(NEW.municipalities) m WHERE m IS NULL OR settle.lanskod(m) <> NEW.county)
       OR (SELECT sum(d) FROM unnest(NEW.deltas) d) IS DISTINCT FROM 0 THEN
        RAISE EXCEPTION 'a revision moves places between municipalities of its county, with deltas summing to 0'
            USING ERRCODE = 'check_violation', HINT = 'Use settle.revise_quotas(year, agreement_ref, municipalities, deltas).';
    END IF;
    NEW.tx := pg_current_xact_id();
    NEW.recorded_at := clock_timestamp();
    NEW.actor := session_user;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER revision_check BEFORE INSERT OR UPDATE OR DELETE ON settle.revision
    FOR EACH ROW EXECUTE FUNCTION settle.revision_check();
CREATE TRIGGER revision_no_truncate BEFORE TRUNCATE ON settle.revision
    FOR EACH STATEMENT EXECUTE FUNCTION settle.refuse_truncate();

-- Before a write, as the writer (a county board, or settle_definer when a
-- referral moves the count): the rules of one row.  After it, as
-- settle_definer: the history and the log, from the row as written.
-- "kommuntal never below referred" has its home in the CHECK
-- municipal_quota_not_below_referred; this trigger and settle.revise_quotas
-- only say it more clearly, and settle.audit() re-checks it over time.
CREATE FUNCTION settle.municipal_quota_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.referred > 0 OR EXISTS (SELECT 1 FROM settle.referral r WHERE r.year = OLD.year AND r.stream = OLD.stream AND r.municipality = OLD.municipality) THEN
            RAISE EXCEPTION 'the kommuntal of % for % cannot be deleted: referrals to it exist', settle.municipality_label(OLD.municipality), OLD.year || settle.stream_label(OLD.stream)
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('%s persons are in referrals issued to it that year.', OLD.referred),
                      HINT = 'A decided quota stays while referrals exist; revise it instead (never below the persons referred).';
        END IF;
        RETURN OLD;
    END IF;
    NEW.county := settle.lanskod(NEW.municipality);
    IF TG_OP = 'INSERT' THEN
        NEW.referred := 0;      -- referrals need the quota first
    ELSE
        IF (NEW.year, NEW.stream, NEW.municipality) IS DISTINCT FROM (OLD.year, OLD.stream, OLD.municipality) THEN
            RAISE EXCEPTION 'the year, stream and municipality of a municipal quota cannot change'
                USING ERRCODE = 'check_violation',
                      HINT = 'Decide the quota of the other year, stream or municipality as a new row.';
        END IF;
        -- only the referral triggers (running as settle_definer) move the count
        IF NEW.referred IS DISTINCT FROM OLD.referred AND NOT settle.is_definer() THEN
            RAISE EXCEPTION 'municipal_quota.referred is maintained by settle and cannot be written'
                USING ERRCODE = 'check_violation',
                      DETAIL = format('It counts the persons in referrals to %s in %s: %s.', settle.municipality_label(OLD.municipality), OLD.year, OLD.referred),
                      HINT = 'Issue or withdraw referrals (settle.refer, settle.withdraw) instead.';
        END IF;
        IF NEW.quota IS NOT DISTINCT FROM OLD.quota AND NEW.decision_ref IS NOT DISTINCT FROM OLD.decision_ref
           AND NEW.decision_date IS NOT DISTINCT FROM OLD.decision_date THEN
            NEW.decided_at := OLD.decided_at;
            NEW.decided_by := OLD.decided_by;
            RETURN NEW;         -- only the referral count moved
        END IF;
    END IF;
    IF NEW.quota < NEW.referred THEN
        RAISE EXCEPTION 'the kommuntal of % for % cannot be % (below the % persons already referred)',
                        settle.municipality_label(NEW.municipality), NEW.year || settle.stream_label(NEW.stream), NEW.quota, NEW.referred
            USING ERRCODE = 'check_violation',
                  DETAIL = format('kommuntal %s < %s persons already referred', NEW.quota, NEW.referred),
                  HINT = 'A revised kommuntal can never be lower than the referrals already issued (bosättningslagen; withdrawn referrals do not count).';
    END IF;
    NEW.decided_at := now();
    NEW.decided_by := session_user;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER municipal_quota_check BEFORE INSERT OR UPDATE OR DELETE ON settle.municipal_quota
    FOR EACH ROW EXECUTE FUNCTION settle.municipal_quota_check();

-- the revision (settle.revision) of this transaction that moved this quota by
-- exactly this delta, if any: what makes a change a 'revised' one
CREATE FUNCTION settle.revision_of(y integer, m settle.kommunkod, delta integer, ref text, s text) RETURNS settle.revision
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT v.* FROM settle.revision v
     WHERE v.tx = pg_current_xact_id() AND v.year = y AND v.stream = s AND v.agreement_ref = ref
       AND v.deltas[array_position(v.municipalities, m)] = delta
     ORDER BY v.id DESC LIMIT 1
$$;
COMMENT ON FUNCTION settle.revision_of(integer, settle.kommunkod, integer, text, text) IS
    'Internal: the revision recorded in the current transaction under this agreement reference that moves the municipality''s quota in the stream by delta (NULL if none).';

CREATE FUNCTION settle.municipal_quota_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    v settle.revision;
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO settle.quota_history (year, stream, county, municipality, quota, decision_ref, change, valid_from)
        VALUES (OLD.year, OLD.stream, OLD.county, OLD.municipality, NULL, OLD.decision_ref, 'removed', settle.effective_now());
        PERFORM settle.log_decision('municipal_quota', OLD.year, OLD.municipality::text,
                                    jsonb_build_object('op', 'delete', 'old', to_jsonb(OLD)));
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.quota, NEW.decision_ref, NEW.decision_date) IS NOT DISTINCT FROM (OLD.quota, OLD.decision_ref, OLD.decision_date) THEN
            RETURN NULL;        -- only the referral count moved (logged with the referral)
        END IF;
        v := settle.revision_of(NEW.year, NEW.municipality, NEW.quota - OLD.quota, NEW.decision_ref, NEW.stream);
    END IF;
    INSERT INTO settle.quota_history (year, stream, county, municipality, quota, decision_ref, change, revision, valid_from)
    VALUES (NEW.year, NEW.stream, NEW.county, NEW.municipality, NEW.quota, NEW.decision_ref,
            CASE WHEN TG_OP = 'INSERT' THEN 'decided' WHEN v.id IS NOT NULL THEN 'revised' ELSE 'changed' END, v.id,
            settle.effective_from(NEW.decision_date));
    PERFORM settle.log_decision(CASE WHEN v.id IS NOT NULL THEN 'revision' ELSE 'municipal_quota' END,
                                NEW.year, NEW.municipality::text,
                                jsonb_build_object('op', lower(TG_OP), 'quota', NEW.quota, 'decision_ref', NEW.decision_ref,
                                                   'decision_date', NEW.decision_date, 'referred', NEW.referred, 'stream', NEW.stream,
                                                   'old_quota', CASE WHEN TG_OP = 'UPDATE' THEN OLD.quota END)
                                || CASE WHEN v.id IS NOT NULL
                                        THEN jsonb_build_object('agreement', jsonb_build_object(
                                                 'revision', v.id, 'agreement_ref', v.agreement_ref, 'county', v.county::text,
                                                 'municipalities', to_jsonb(v.municipalities::text[]), 'deltas', to_jsonb(v.deltas)))
                                        ELSE '{}' END);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER municipal_quota_record AFTER INSERT OR UPDATE OR DELETE ON settle.municipal_quota
    FOR EACH ROW EXECUTE FUNCTION settle.municipal_quota_record();
CREATE CONSTRAINT TRIGGER municipal_quota_sums AFTER INSERT OR UPDATE OF quota OR DELETE ON settle.municipal_quota
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settle.quota_sums_at_commit();

-- ------------------------------------------------------------------ decisions

CREATE FUNCTION settle.decide_county_quotas(year integer, decision_ref text, decision_date date DEFAULT settle.today(),
                                            stream text DEFAULT 'ordinary')
RETURNS TABLE (county settle.lanskod, quota integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := year;
    ref text := decision_ref;
    dd date := decision_date;
    s text := (settle.require_stream(year, stream)).stream;
BEGIN
    PERFORM settle.require_text(ref, 'decision_ref', 'Give the decision''s reference, e.g. its registration number.');
    RETURN QUERY
    INSERT INTO settle.county_quota AS cq (year, stream, county, quota, decision_ref, decision_date)
    SELECT y, s, p.county, p.quota, ref, dd FROM settle.propose_county_quotas(y, s) p
    ON CONFLICT (year, stream, county) DO UPDATE
        SET quota = EXCLUDED.quota, decision_ref = EXCLUDED.decision_ref, decision_date = EXCLUDED.decision_date
    RETURNING cq.county, cq.quota;
END
$fn$;
COMMENT ON FUNCTION settle.decide_county_quotas(integer, text, date, text) IS
    'Records the current proposal (settle.propose_county_quotas) as the länstal of a year and stream (default ordinary) under one decision reference, replacing earlier ones; logged.';

CREATE FUNCTION settle.decide_municipal_quotas(year integer, county settle.lanskod, decision_ref text,
                                               decision_date date DEFAULT settle.today(), stream text DEFAULT 'ordinary')
RETURNS TABLE (municipality settle.kommunkod, quota integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := year;
    c settle.lanskod := county;
    ref text := decision_ref;
    dd date := decision_date;
    s text := (settle.require_stream(year, stream)).stream;
BEGIN
    IF c IS NULL THEN
        RAISE EXCEPTION 'county must not be NULL' USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a county code such as ''10''.';
    END IF;
    PERFORM settle.require_text(ref, 'decision_ref', 'Give the county board''s decision reference.');
    RETURN QUERY
    INSERT INTO settle.municipal_quota AS mq (year, stream, municipality, county, quota, decision_ref, decision_date)
    SELECT y, s, p.municipality, c, p.quota, ref, dd FROM settle.propose_municipal_quotas(y, c, s) p
    ON CONFLICT (year, stream, municipality) DO UPDATE
        SET quota = EXCLUDED.quota, decision_ref = EXCLUDED.decision_ref, decision_date = EXCLUDED.decision_date
    RETURNING mq.municipality, mq.quota;
END
$fn$;
COMMENT ON FUNCTION settle.decide_municipal_quotas(integer, settle.lanskod, text, date, text) IS
    'Records the current proposal (settle.propose_municipal_quotas) as one county''s kommuntal in a stream (default ordinary), replacing earlier ones; logged with history kept.';

-- ------------------------------------------------------------------ revisions

CREATE FUNCTION settle.revise_quotas(year integer, agreement_ref text, municipalities settle.kommunkod[], deltas integer[],
                                     decision_date date DEFAULT settle.today(), stream text DEFAULT 'ordinary')
RETURNS TABLE (municipality settle.kommunkod, old_quota integer, new_quota integer, referred integer)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := year;
    s text := (settle.require_stream(year, stream)).stream;
    counties settle.lanskod[];
    total bigint;
    missing settle.kommunkod;
    r record;
    n integer := cardinality(municipalities);
BEGIN
    PERFORM settle.require_text(agreement_ref, 'agreement_ref',
                                'Give the reference of the agreement between the municipalities (and of the county board''s decision).');
    IF municipalities IS NULL OR deltas IS NULL OR n IS NULL OR n = 0 THEN
        RAISE EXCEPTION 'a revision needs municipalities and deltas'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass e.g. ARRAY[''0180'', ''0114'']::settle.kommunkod[] and ARRAY[-10, 10].';
    END IF;
    IF cardinality(deltas) <> n THEN
        RAISE EXCEPTION 'municipalities has % elements but deltas has %', n, cardinality(deltas)
            USING ERRCODE = 'array_subscript_error',
                  HINT = 'One delta per municipality, in the same order.';
    END IF;
    IF array_position(municipalities, NULL) IS NOT NULL OR array_position(deltas, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'municipalities and deltas must not contain NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Give a code and a delta for every municipality.';
    END IF;
    IF (SELECT count(DISTINCT m) FROM unnest(municipalities) m) <> n THEN
        RAISE EXCEPTION 'a municipality appears more than once in the revision'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give each municipality once, with its net delta.';
    END IF;
    SELECT array_agg(DISTINCT settle.lanskod(m) ORDER BY settle.lanskod(m)) INTO counties FROM unnest(municipalities) m;
    IF cardinality(counties) > 1 THEN
        RAISE EXCEPTION 'a revision cannot span counties: the municipalities are in %', array_to_string(counties, ', ')
            USING ERRCODE = 'check_violation',
                  DETAIL = 'A revised kommuntal may not change the länstal; an agreement is between municipalities of one county.',
                  HINT = 'Split it into one revision per county, each with deltas summing to 0.';
    END IF;
    SELECT sum(d) INTO total FROM unnest(deltas) d;
    IF total <> 0 THEN
        RAISE EXCEPTION 'the deltas of a revision must sum to 0, not %', total
            USING ERRCODE = 'check_violation',
                  DETAIL = format('A revision that adds %s places would change the länstal of county %s.', total, settle.county_label(counties[1])),
                  HINT = 'Move places between municipalities: what one gives, others take.';
    END IF;
    -- lock the quotas in code order (no deadlock between concurrent revisions)
    PERFORM 1 FROM settle.municipal_quota mq
      WHERE mq.year = y AND mq.stream = s AND mq.municipality = ANY (municipalities)
      ORDER BY mq.municipality FOR UPDATE;
    SELECT m INTO missing FROM unnest(municipalities) m
     WHERE NOT EXISTS (SELECT 1 FROM settle.municipal_quota mq WHERE mq.year = y AND mq.stream = s AND mq.municipality = m) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'no kommuntal of % is decided for % (or it is outside your scope)', y || settle.stream_label(s), settle.municipality_label(missing)
            USING ERRCODE = 'no_data_found',
                  HINT = 'Revisions change decided municipal quotas; decide them first (settle.decide_municipal_quotas).';
    END IF;
    FOR r IN SELECT mq.municipality AS m, mq.quota AS q, mq.referred AS ref, d.delta
               FROM unnest(municipalities, deltas) AS d(m, delta)
               JOIN settle.municipal_quota mq ON mq.year = y AND mq.stream = s AND mq.municipality = d.m
              ORDER BY mq.municipality LOOP
        IF r.q + r.delta < r.ref THEN
            RAISE EXCEPTION 'revision refused: the kommuntal of % for % would be % (below the % persons already referred)',
                            settle.municipality_label(r.m), y || settle.stream_label(s), r.q + r.delta, r.ref
                USING ERRCODE = 'check_violation',
                      DETAIL = format('kommuntal %s %s %s = %s < %s persons already referred', r.q,
                                      CASE WHEN r.delta < 0 THEN '-' ELSE '+' END, abs(r.delta), r.q + r.delta, r.ref),
                      HINT = 'A revised kommuntal can never be lower than the referrals already issued; move fewer places.';
        END IF;
    END LOOP;
    -- the quota trigger logs each revised quota with the whole agreement
    INSERT INTO settle.revision (year, stream, county, agreement_ref, decision_date, municipalities, deltas)
    VALUES (y, s, counties[1], agreement_ref, revise_quotas.decision_date, municipalities, deltas);
    RETURN QUERY
    UPDATE settle.municipal_quota mq
       SET quota = mq.quota + d.delta, decision_ref = agreement_ref, decision_date = revise_quotas.decision_date
      FROM unnest(municipalities, deltas) AS d(m, delta), settle.municipal_quota old
     WHERE mq.year = y AND mq.stream = s AND mq.municipality = d.m AND old.year = y AND old.stream = s AND old.municipality = d.m
    RETURNING mq.municipality, old.quota, mq.quota, mq.referred;
END
$fn$;
COMMENT ON FUNCTION settle.revise_quotas(integer, text, settle.kommunkod[], integer[], date, text) IS
    'Revises several kommuntal of one county and stream (default ordinary) under one agreement, all or nothing: deltas sum to 0, no quota below the persons referred (else 23514).';

-- ----------------------------------------------------------------- as of a time

CREATE FUNCTION settle.quota_as_of(year integer, at timestamptz, streams text[] DEFAULT NULL)
RETURNS TABLE (county settle.lanskod, municipality settle.kommunkod, quota integer, valid_from timestamptz, decision_ref text,
               stream text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT DISTINCT ON (h.stream, h.county, h.municipality) h.county, h.municipality, h.quota, h.valid_from, h.decision_ref, h.stream
      FROM settle.quota_history h
     WHERE h.year = quota_as_of.year AND h.valid_from <= quota_as_of.at
       AND (quota_as_of.streams IS NULL OR h.stream = ANY (quota_as_of.streams))
     ORDER BY h.stream, h.county, h.municipality NULLS FIRST, h.valid_from DESC, h.id DESC
$$;
COMMENT ON FUNCTION settle.quota_as_of(integer, timestamptz, text[]) IS
    'The county and municipal quotas of year in force at a moment, from settle.quota_history, of one stream or all (NULL, the default).';
