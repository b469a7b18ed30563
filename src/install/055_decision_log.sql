-- 055_decision_log.sql: the append-only, hash-chained decision log.
--
-- Every decision (planning year, county and municipal quotas, revisions,
-- referrals and their status changes, pauses) is appended here by settle's
-- own triggers, with the actor (session_user), the time and a JSON payload.
-- Only settle's definer role (settle_definer, see 900_security.sql) writes
-- here: the guards below check current_user, never a setting a user could
-- change.  Rows are chained when sealed: hash = sha256(prev_hash || content).
-- Sealing is settle.seal_log()'s job alone, in its own short transaction:
-- writers never seal, so an open or idle transaction can hold back nothing
-- but its own entries (they are sealed by the first seal after its commit).
-- settle.verify_log() recomputes the chain; settle.log_checkpoint() gives
-- (position, hash) pairs for auditors to keep outside the database, and
-- settle.verify_log(checkpoints) proves the chain still extends them.
-- Nothing may update or delete a row through DML.

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
    'Append-only log of every decision, revision, referral, status change and pause, hash-chained by settle.seal_log(); written only by settle.';

-- the head of the chain: one row, locked for the moment of sealing
CREATE TABLE settle.decision_log_head (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq     bigint NOT NULL,
    hash    bytea NOT NULL
);
COMMENT ON TABLE settle.decision_log_head IS
    'The last sealed position and hash of settle.decision_log (one row, created by the first seal); kept so that a deleted tail of the log is detected.';

-- Who writes the log, the quota history and the referred counts: settle's
-- definer role, never a login.  The guards of those tables rely on this one
-- test; 900_security.sql creates the role and gives it the definer code.
CREATE FUNCTION settle.is_definer() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$ SELECT current_user = 'settle_definer'::name $$;
COMMENT ON FUNCTION settle.is_definer() IS
    'Internal: true while settle''s own SECURITY DEFINER code (owned by the NOLOGIN role settle_definer) is running.';

-- the hash the chain starts from
CREATE FUNCTION settle.decision_log_genesis() RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$ SELECT sha256(convert_to('settle decision log', 'UTF8')) $$;
COMMENT ON FUNCTION settle.decision_log_genesis() IS 'The hash the decision log''s chain starts from (the prev_hash of its first entry).';

-- the bytes a row's hash covers
CREATE FUNCTION settle.decision_log_content(r settle.decision_log) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT convert_to(concat_ws('|', r.seq, r.id, extract(epoch FROM r.at)::text, r.actor, r.kind,
                                coalesce(r.year::text, ''), coalesce(r.subject, ''), r.payload::text), 'UTF8')
$$;
COMMENT ON FUNCTION settle.decision_log_content(settle.decision_log) IS
    'The bytes of a decision_log row that its hash covers: seq|id|epoch|actor|kind|year|subject|payload.';

-- append one entry (called by settle's triggers and functions)
CREATE FUNCTION settle.log_decision(kind text, year integer, subject text, payload jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $$
BEGIN
    INSERT INTO settle.decision_log (kind, year, subject, payload) VALUES (kind, year, subject, payload);
END
$$;
REVOKE ALL ON FUNCTION settle.log_decision(text, integer, text, jsonb) FROM PUBLIC;
COMMENT ON FUNCTION settle.log_decision(text, integer, text, jsonb) IS
    'Internal: appends an entry to settle.decision_log (used by settle''s triggers; not granted to anyone).';

-- Sealing: the committed entries not yet on the chain, in id order, go onto
-- it.  One sealer at a time (an advisory lock that only sealers take);
-- entries of transactions still in progress are invisible and wait for the
-- next seal.  Only under READ COMMITTED, where each query sees the latest
-- committed head.
CREATE FUNCTION settle.decision_log_seal_now() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    head record;
    r settle.decision_log;
    sealed bigint := 0;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'settle.seal_log() needs READ COMMITTED, not %', current_setting('transaction_isolation')
            USING ERRCODE = 'invalid_transaction_state',
                  HINT = 'Call it in its own transaction at the default isolation level.';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('settle.decision_log'));
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
    RETURN sealed;
END
$fn$;
REVOKE ALL ON FUNCTION settle.decision_log_seal_now() FROM PUBLIC;
COMMENT ON FUNCTION settle.decision_log_seal_now() IS
    'Internal: seals the committed unsealed entries of settle.decision_log onto the chain; returns how many.';

CREATE FUNCTION settle.seal_log() RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $$ SELECT settle.decision_log_seal_now() $$;
COMMENT ON FUNCTION settle.seal_log() IS
    'Seals every committed entry of settle.decision_log not yet on the hash chain and returns how many; run it often, in its own transaction.';

CREATE INDEX decision_log_unsealed ON settle.decision_log (id) WHERE hash IS NULL;

-- refuse every change that is not settle's own append or seal: the writer
-- must be settle's definer role (settle.is_definer(), 900_security.sql)
CREATE FUNCTION settle.decision_log_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.hash IS NULL AND NEW.seq IS NULL AND settle.is_definer() THEN
        NEW.at := clock_timestamp();
        NEW.actor := session_user;
        RETURN NEW;             -- appended by settle.log_decision
    END IF;
    IF TG_OP = 'UPDATE' AND settle.is_definer() AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
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
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND settle.is_definer() THEN
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
    SET search_path = pg_catalog, settle, pg_temp
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
    SET search_path = pg_catalog, settle, pg_temp
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
    'Checks the decision log''s hash chain: intact, entries checked, entries not yet sealed, and the first broken entry if any.';

-- ------------------------------------------------------------- checkpoints
-- A checkpoint is the chain's head at a moment: its position, its hash and
-- when it was taken.  Auditors keep checkpoints outside the database (print
-- them, mail them, file them); settle.verify_log(checkpoints) then proves that
-- the present chain still passes through every one of them, so a rewrite of
-- any sealed entry before a kept checkpoint is detected even if every later
-- hash was recomputed.
CREATE TYPE settle.checkpoint AS (seq bigint, hash text, taken_at timestamptz);
COMMENT ON TYPE settle.checkpoint IS
    'A decision-log checkpoint: position of the last sealed entry, its SHA-256 hash (hex) and when it was taken.';

CREATE FUNCTION settle.log_checkpoint() RETURNS settle.checkpoint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT ROW(coalesce(h.seq, 0), encode(coalesce(h.hash, settle.decision_log_genesis()), 'hex'),
               pg_catalog.clock_timestamp())::settle.checkpoint
      FROM (SELECT 1) one LEFT JOIN settle.decision_log_head h ON true
$$;
COMMENT ON FUNCTION settle.log_checkpoint() IS
    'The sealed head of the decision log (seq, hash, time): keep it outside the database and pass it to settle.verify_log(checkpoint[]) later.';

CREATE FUNCTION settle.verify_log(checkpoints settle.checkpoint[])
RETURNS TABLE (intact boolean, entries bigint, unsealed bigint, first_bad_seq bigint, first_bad_id bigint, problem text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    v record;
    c settle.checkpoint;
    e settle.decision_log;
BEGIN
    IF checkpoints IS NULL OR array_position(checkpoints, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'checkpoints must not be NULL or contain NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the checkpoints you kept, e.g. ARRAY[''(120,3fa4...,2027-03-31 23:00+02)'']::settle.checkpoint[].';
    END IF;
    SELECT * INTO v FROM settle.verify_log();
    IF NOT v.intact THEN
        RETURN QUERY SELECT v.intact, v.entries, v.unsealed, v.first_bad_seq, v.first_bad_id, v.problem;
        RETURN;
    END IF;
    FOREACH c IN ARRAY checkpoints LOOP
        IF c.seq IS NULL OR c.hash IS NULL OR c.seq < 0 THEN
            RAISE EXCEPTION 'checkpoint % is incomplete', c
                USING ERRCODE = 'invalid_parameter_value', HINT = 'A checkpoint is (seq, hash, taken_at) as settle.log_checkpoint() returned it.';
        END IF;
        IF c.seq = 0 THEN
            CONTINUE;           -- the empty chain: every chain extends it
        END IF;
        SELECT * INTO e FROM settle.decision_log l WHERE l.seq = c.seq;
        IF NOT FOUND THEN
            RETURN QUERY SELECT false, v.entries, v.unsealed, c.seq, NULL::bigint,
                format('checkpoint at position %s (taken %s) is beyond the chain, which ends at %s: entries were removed',
                       c.seq, c.taken_at, v.entries);
            RETURN;
        END IF;
        IF encode(e.hash, 'hex') <> lower(c.hash) THEN
            RETURN QUERY SELECT false, v.entries, v.unsealed, c.seq, e.id,
                format('the chain no longer passes through the checkpoint at position %s (taken %s): an entry at or before it was rewritten',
                       c.seq, c.taken_at);
            RETURN;
        END IF;
    END LOOP;
    RETURN QUERY SELECT v.intact, v.entries, v.unsealed, v.first_bad_seq, v.first_bad_id, v.problem;
END
$fn$;
COMMENT ON FUNCTION settle.verify_log(settle.checkpoint[]) IS
    'settle.verify_log(), and also proves that the chain passes through every checkpoint kept outside the database (settle.log_checkpoint()): a rewritten log is caught even if its hashes were recomputed.';
