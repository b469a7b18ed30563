-- 055_decision_log.sql: the append-only, hash-chained decision log.
--
-- Every decision (planning year, county and municipal quotas, revisions,
-- referrals and their status changes, pauses) is appended here by settle's
-- own triggers, with the actor (session_user), the time and a JSON payload.
-- Rows are chained: hash = sha256(prev_hash || content).  Writers seal the
-- chain as they go (the writer of every 16th entry seals all it can see),
-- without ever waiting for each other: a writer that finds another one
-- sealing leaves the entries to the next seal, so the chain's head is never a
-- point where concurrent referrals queue.  settle.seal_log() seals the rest
-- on demand; settle.verify_log() recomputes the chain.  Nothing may
-- update or delete a row through DML.

CREATE TABLE settle.decision_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq         bigint UNIQUE,              -- position in the chain, set when sealed
    at          timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    actor       text NOT NULL DEFAULT session_user,
    kind        text NOT NULL,
    year        integer,
    subject     text,
    payload     jsonb NOT NULL,
    prev_hash   bytea,
    hash        bytea,
    CHECK ((seq IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL))
);
COMMENT ON TABLE settle.decision_log IS
    'Append-only log of every decision, revision, referral and status change: actor (session_user), time, kind, year, subject and JSON payload. Rows are chained by SHA-256 (hash = sha256(prev_hash || content)) when sealed: the writers seal as they go, settle.seal_log() seals the rest; settle.verify_log() checks the chain. Rows cannot be updated or deleted.';

-- the head of the chain: one row, locked for the moment of sealing
CREATE TABLE settle.decision_log_head (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq     bigint NOT NULL,
    hash    bytea NOT NULL
);
COMMENT ON TABLE settle.decision_log_head IS
    'The last sealed position and hash of settle.decision_log (one row, created by the first seal); kept so that a deleted tail of the log is detected.';

-- the hash the chain starts from
CREATE FUNCTION settle.decision_log_genesis() RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle
AS $$ SELECT sha256(convert_to('settle decision log', 'UTF8')) $$;
COMMENT ON FUNCTION settle.decision_log_genesis() IS 'The hash the decision log''s chain starts from (the prev_hash of its first entry).';

-- the bytes a row's hash covers
CREATE FUNCTION settle.decision_log_content(r settle.decision_log) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle
AS $$
    SELECT convert_to(concat_ws('|', r.seq, r.id, extract(epoch FROM r.at)::text, r.actor, r.kind,
                                coalesce(r.year::text, ''), coalesce(r.subject, ''), r.payload::text), 'UTF8')
$$;
COMMENT ON FUNCTION settle.decision_log_content(settle.decision_log) IS
    'The bytes of a decision_log row that its hash covers: seq|id|epoch|actor|kind|year|subject|payload.';

-- append one entry (called by settle's triggers and functions)
CREATE FUNCTION settle.log_decision(kind text, year integer, subject text, payload jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle
AS $$
BEGIN
    PERFORM set_config('settle.log_append', 'on', true);
    INSERT INTO settle.decision_log (kind, year, subject, payload) VALUES (kind, year, subject, payload);
    PERFORM set_config('settle.log_append', 'off', true);
END
$$;
REVOKE ALL ON FUNCTION settle.log_decision(text, integer, text, jsonb) FROM PUBLIC;
COMMENT ON FUNCTION settle.log_decision(text, integer, text, jsonb) IS
    'Internal: appends an entry to settle.decision_log (used by settle''s triggers; not granted to anyone).';

-- Sealing: the entries not yet on the chain, in id order, go onto it.  One
-- sealer at a time (an advisory lock); entries of transactions still in
-- progress are invisible and wait for the next seal.  Writers seal
-- opportunistically (below) and never wait for one another; seal_log() seals
-- on demand.  Only under READ COMMITTED, where each query sees the latest
-- committed head.
CREATE FUNCTION settle.decision_log_seal_now(wait boolean) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle
AS $fn$
DECLARE
    head record;
    r settle.decision_log;
    sealed bigint := 0;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        IF wait THEN
            RAISE EXCEPTION 'settle.seal_log() needs READ COMMITTED, not %', current_setting('transaction_isolation')
                USING ERRCODE = 'invalid_transaction_state',
                      HINT = 'Call it in its own transaction at the default isolation level.';
        END IF;
        RETURN 0;
    END IF;
    IF wait THEN
        PERFORM pg_advisory_xact_lock(hashtext('settle.decision_log'));
    ELSIF NOT pg_try_advisory_xact_lock(hashtext('settle.decision_log')) THEN
        RETURN 0;               -- someone else is sealing; the next seal takes ours
    END IF;
    PERFORM set_config('settle.log_append', 'on', true);
    INSERT INTO settle.decision_log_head VALUES (true, 0, settle.decision_log_genesis()) ON CONFLICT DO NOTHING;
    SELECT * INTO head FROM settle.decision_log_head FOR UPDATE;
    FOR r IN SELECT * FROM settle.decision_log WHERE hash IS NULL ORDER BY id LOOP
        r.seq := head.seq + 1;
        r.prev_hash := head.hash;
        r.hash := sha256(r.prev_hash || settle.decision_log_content(r));
        UPDATE settle.decision_log SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        head.seq := r.seq;
        head.hash := r.hash;
        sealed := sealed + 1;
    END LOOP;
    IF sealed > 0 THEN
        UPDATE settle.decision_log_head SET seq = head.seq, hash = head.hash;
    END IF;
    PERFORM set_config('settle.log_append', 'off', true);
    RETURN sealed;
END
$fn$;
REVOKE ALL ON FUNCTION settle.decision_log_seal_now(boolean) FROM PUBLIC;
COMMENT ON FUNCTION settle.decision_log_seal_now(boolean) IS
    'Internal: seals the visible unsealed entries of settle.decision_log onto the chain; wait = false gives up at once if another transaction is sealing. Returns how many were sealed.';

CREATE FUNCTION settle.seal_log() RETURNS bigint
    LANGUAGE sql
    SET search_path = pg_catalog, settle
AS $$ SELECT settle.decision_log_seal_now(true) $$;
COMMENT ON FUNCTION settle.seal_log() IS
    'Seals every committed entry of settle.decision_log not yet on the hash chain (normally done by the writers themselves as they go) and returns how many. Run it before settle.verify_log() for a complete check, e.g. from a nightly job.';

CREATE FUNCTION settle.decision_log_seal() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle
AS $fn$
BEGIN
    PERFORM settle.decision_log_seal_now(false);
    RETURN NULL;
END
$fn$;
-- every 16th entry's writer tries to seal everything visible so far; the
-- rest wait at most for the next 16 entries or a seal_log()
CREATE TRIGGER decision_log_seal AFTER INSERT ON settle.decision_log
    FOR EACH ROW WHEN (NEW.id % 16 = 0) EXECUTE FUNCTION settle.decision_log_seal();

CREATE INDEX decision_log_unsealed ON settle.decision_log (id) WHERE hash IS NULL;

-- refuse every change that is not settle's own append or seal
CREATE FUNCTION settle.decision_log_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
AS $fn$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.hash IS NULL AND NEW.seq IS NULL
       AND current_setting('settle.log_append', true) = 'on' THEN
        RETURN NEW;             -- appended by settle.log_decision
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('settle.log_append', true) = 'on' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
       AND (OLD.id, OLD.at, OLD.actor, OLD.kind, OLD.year, OLD.subject, OLD.payload)
           IS NOT DISTINCT FROM (NEW.id, NEW.at, NEW.actor, NEW.kind, NEW.year, NEW.subject, NEW.payload) THEN
        RETURN NEW;             -- sealed
    END IF;
    RAISE EXCEPTION 'settle.decision_log is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation',
              DETAIL = 'Entries are written by settle itself when decisions are recorded, and can never be changed or removed.',
              HINT = 'Record a new decision instead; settle.verify_log() checks that the log is intact.';
END
$fn$;
CREATE TRIGGER decision_log_guard BEFORE INSERT OR UPDATE OR DELETE ON settle.decision_log
    FOR EACH ROW EXECUTE FUNCTION settle.decision_log_guard();

CREATE FUNCTION settle.decision_log_head_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
AS $fn$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND current_setting('settle.log_append', true) = 'on' THEN
        RETURN NEW;             -- created or moved by the seal
    END IF;
    RAISE EXCEPTION 'settle.decision_log_head is maintained by settle: % refused', TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'The head moves only when entries are sealed onto the chain.';
END
$fn$;
CREATE TRIGGER decision_log_head_guard BEFORE INSERT OR UPDATE OR DELETE ON settle.decision_log_head
    FOR EACH ROW EXECUTE FUNCTION settle.decision_log_head_guard();

-- TRUNCATE of any append-only table
CREATE FUNCTION settle.refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
AS $fn$
BEGIN
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'History and the decision log are kept for auditors; nothing removes them.';
END
$fn$;
CREATE TRIGGER decision_log_no_truncate BEFORE TRUNCATE ON settle.decision_log
    FOR EACH STATEMENT EXECUTE FUNCTION settle.refuse_truncate();
CREATE TRIGGER decision_log_head_no_truncate BEFORE TRUNCATE ON settle.decision_log_head
    FOR EACH STATEMENT EXECUTE FUNCTION settle.refuse_truncate();

CREATE FUNCTION settle.verify_log()
RETURNS TABLE (intact boolean, entries bigint, unsealed bigint, first_bad_seq bigint, first_bad_id bigint, problem text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle
AS $fn$
DECLARE
    prev bytea := settle.decision_log_genesis();
    expect bigint := 0;
    r settle.decision_log;
    head settle.decision_log_head;
BEGIN
    entries := 0;
    SELECT count(*) INTO unsealed FROM settle.decision_log WHERE hash IS NULL;
    FOR r IN SELECT * FROM settle.decision_log WHERE seq IS NOT NULL ORDER BY seq LOOP
        expect := expect + 1;
        IF r.seq <> expect THEN
            RETURN QUERY SELECT false, entries, unsealed, expect, NULL::bigint,
                format('entry at position %s is missing (the next one is at %s)', expect, r.seq);
            RETURN;
        END IF;
        IF r.prev_hash IS DISTINCT FROM prev THEN
            RETURN QUERY SELECT false, entries, unsealed, r.seq, r.id,
                format('entry %s (position %s) does not link to the entry before it', r.id, r.seq);
            RETURN;
        END IF;
        IF r.hash IS DISTINCT FROM sha256(r.prev_hash || settle.decision_log_content(r)) THEN
            RETURN QUERY SELECT false, entries, unsealed, r.seq, r.id,
                format('entry %s (position %s) was altered after it was written', r.id, r.seq);
            RETURN;
        END IF;
        prev := r.hash;
        entries := entries + 1;
    END LOOP;
    SELECT * INTO head FROM settle.decision_log_head;
    IF NOT FOUND THEN
        head.seq := 0;
        head.hash := settle.decision_log_genesis();
    END IF;
    IF head.seq <> expect OR head.hash IS DISTINCT FROM prev THEN
        RETURN QUERY SELECT false, entries, unsealed, expect + 1, NULL::bigint,
            format('the log ends at position %s but %s entries were sealed: the tail was removed or the head altered', expect, head.seq);
        RETURN;
    END IF;
    RETURN QUERY SELECT true, entries, unsealed, NULL::bigint, NULL::bigint, NULL::text;
END
$fn$;
COMMENT ON FUNCTION settle.verify_log() IS
    'Recomputes the SHA-256 chain of settle.decision_log. One row: intact, entries checked, unsealed (entries not yet on the chain: settle.seal_log() seals them), and for a broken chain the first bad position and entry with what is wrong (altered, unlinked, missing, or the tail removed).';
