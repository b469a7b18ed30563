-- 070_referrals.sql: households, referrals (anvisningar) and reception.
--
-- A referral counts the household's persons against the municipality's
-- kommuntal of the referral's year.  The count lives in
-- municipal_quota.referred and is moved by one guarded UPDATE per referral
-- (quota - referred >= persons), so concurrent referrals to one municipality
-- queue on its quota row and can never together exceed the quota; under
-- READ COMMITTED none fails for another reason than a full quota.

CREATE TABLE settle.household (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref           text NOT NULL CONSTRAINT household_ref_given CHECK (btrim(ref) <> '' AND char_length(ref) <= 100),
    category      text NOT NULL CHECK (category IN ('abo', 'quota_refugee', 'temporary_protection', 'other')),
    persons       integer NOT NULL CHECK (persons BETWEEN 1 AND 99),
    residence     settle.kommunkod REFERENCES settle.municipality,
    permit_date   date CONSTRAINT household_permit_date_plausible CHECK (permit_date BETWEEN '1990-01-01' AND '2199-12-31'),
    needs         text[] NOT NULL DEFAULT '{}',
    linked_group  text,
    registered_at timestamptz NOT NULL DEFAULT settle.effective_now(),
    stream        text REFERENCES settle.stream,   -- NULL: by category (settle.household_stream)
    CONSTRAINT household_quota_refugee_no_residence CHECK (category <> 'quota_refugee' OR residence IS NULL),
    CONSTRAINT household_needs_no_null CHECK (array_position(needs, NULL) IS NULL)
);
CREATE INDEX household_linked_group_idx ON settle.household (linked_group) WHERE linked_group IS NOT NULL;

-- Case numbers are compared by their key, stored as given: Unicode NFC,
-- without invisible format characters (zero-width space, soft hyphen, ...),
-- trimmed, upper case.  'MIG-Ö-1', 'mig-ö-1 ' and 'MIG-Ö-1' with a
-- zero-width space are one case.
CREATE FUNCTION settle.case_key(ref text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT upper(regexp_replace(normalize(regexp_replace(ref, '[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]', '', 'g'), NFC),
                                '^[[:space:]\u00A0\u3000]+|[[:space:]\u00A0\u3000]+$', '', 'g'))
$$;
COMMENT ON FUNCTION settle.case_key(text) IS
    'The key a case number (household.ref) is compared by: Unicode NFC, invisible format characters removed, trimmed, upper case.';
CREATE UNIQUE INDEX household_ref_key ON settle.household (settle.case_key(ref));
COMMENT ON TABLE settle.household IS
    'Households waiting to be referred, by the agency''s case number ref (no names or personal identity numbers); stream overrides the category''s. Fixed while a referral is active.';

-- hard to place: the rule's one home (settle.waiting() shows it, the
-- follow-up reports group by it); it never reorders the queue
CREATE FUNCTION settle.hard_to_place(needs text[], persons integer, linked_group text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pg_catalog.cardinality(needs) > 0 OR persons >= 6 OR linked_group IS NOT NULL;
COMMENT ON FUNCTION settle.hard_to_place(text[], integer, text) IS
    'Whether a household is hard to place: special needs, six or more persons, or linked to others.';

CREATE FUNCTION settle.household_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    unknown text;
    active bigint;
BEGIN
    IF NEW.ref IS NOT NULL AND (char_length(NEW.ref) > 100 OR settle.case_key(NEW.ref) = '') THEN
        RAISE EXCEPTION 'a case number (ref) must have 1 to 100 visible characters, not %', char_length(NEW.ref)
            USING ERRCODE = CASE WHEN char_length(NEW.ref) > 100 THEN 'string_data_right_truncation' ELSE 'check_violation' END,
                  HINT = 'ref is the agency''s case number, e.g. ''MIG-2027-00042''.';
    END IF;
    IF array_position(NEW.needs, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'needs of household % must not contain NULL', NEW.ref
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the need codes only, e.g. ''{accessible_housing}''; ''{}'' for none.';
    END IF;
    SELECT n INTO unknown FROM unnest(NEW.needs) n WHERE NOT EXISTS (SELECT 1 FROM settle.need WHERE code = n) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown need "%" for household %', unknown, NEW.ref
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Needs are codes from settle.need (' || (SELECT string_agg(code, ', ' ORDER BY code) FROM settle.need) || '); insert a new one there first.';
    END IF;
    SELECT array_agg(DISTINCT n ORDER BY n) INTO NEW.needs FROM unnest(NEW.needs) n;
    NEW.needs := coalesce(NEW.needs, '{}');
    IF TG_OP = 'UPDATE' THEN
        -- what a referral was judged on cannot change under it
        IF (NEW.category, NEW.persons, NEW.residence, NEW.needs, NEW.stream) IS DISTINCT FROM (OLD.category, OLD.persons, OLD.residence, OLD.needs, OLD.stream) THEN
            SELECT r.id INTO active FROM settle.referral r WHERE r.household = OLD.id AND r.status <> 'withdrawn' LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'household % has an active referral (%): its category, persons, residence, needs and stream cannot change', OLD.ref, active
                    USING ERRCODE = 'check_violation',
                          HINT = 'Withdraw the referral first (settle.withdraw), correct the household, then refer it again.';
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER household_check BEFORE INSERT OR UPDATE ON settle.household
    FOR EACH ROW EXECUTE FUNCTION settle.household_check();

-- The stream a household belongs to in a year: the one its row names, else
-- its category's (settle.category_stream) if the year has that stream, else
-- ordinary.  The one home of the rule; relying on it: settle.referral_issue
-- (a referral counts in this stream only), settle.waiting and matching.
CREATE FUNCTION settle.household_stream(stream text, category text, year integer) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT coalesce(household_stream.stream,
                    (SELECT cs.stream FROM settle.category_stream cs
                       JOIN settle.year_stream ys ON ys.stream = cs.stream AND ys.year = household_stream.year
                      WHERE cs.category = household_stream.category),
                    'ordinary')
$$;
COMMENT ON FUNCTION settle.household_stream(text, text, integer) IS
    'The stream of a household (its stream, category) in a year: the one it names, else its category''s if the year has that stream, else ordinary.';

CREATE TABLE settle.referral (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household     bigint NOT NULL REFERENCES settle.household,
    year          integer NOT NULL,
    municipality  settle.kommunkod NOT NULL,
    persons       integer NOT NULL CHECK (persons > 0),
    decided_at    timestamptz NOT NULL DEFAULT settle.effective_now(),
    recorded_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    deadline      date NOT NULL,
    status        text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'received', 'withdrawn')),
    received_on   date,
    withdrawn_at  timestamptz,
    withdraw_recorded_at timestamptz,
    withdraw_reason text,
    decision_ref  text,
    forced        boolean NOT NULL DEFAULT false,
    force_reason  text,
    stream        text NOT NULL,
    CONSTRAINT referral_municipal_quota_fkey FOREIGN KEY (year, stream, municipality) REFERENCES settle.municipal_quota (year, stream, municipality),
    CONSTRAINT referral_year_of_decision CHECK (year = extract(year FROM settle.local_time(decided_at))),
    CONSTRAINT referral_received_has_date CHECK ((status = 'received') = (received_on IS NOT NULL)),
    CONSTRAINT referral_withdrawn_has_time CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    CONSTRAINT referral_withdrawal_recorded CHECK ((withdrawn_at IS NULL) = (withdraw_recorded_at IS NULL)),
    CONSTRAINT referral_received_after_decision CHECK (received_on IS NULL OR received_on >= settle.local_date(decided_at))
);
-- one active (issued or received) referral per household
CREATE UNIQUE INDEX referral_one_active ON settle.referral (household) WHERE status <> 'withdrawn';
CREATE INDEX referral_quota_idx ON settle.referral (year, stream, municipality);
CREATE INDEX referral_open_idx ON settle.referral (deadline) WHERE status = 'issued';
COMMENT ON TABLE settle.referral IS
    'Referrals (anvisningar) of households to municipalities, counted in the household''s stream. Never deleted: status moves only from issued to received or withdrawn; rules checked on every write path.';

-- The needs of a household a municipality cannot meet in a year (NULL when
-- it meets them all): one home for the referral trigger and settle.audit().
CREATE FUNCTION settle.unmet_needs(needs text[], year integer, municipality settle.kommunkod) RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT array_agg(n ORDER BY n) FROM unnest(needs) n
     WHERE NOT EXISTS (SELECT 1 FROM settle.capability c
                        WHERE c.year = unmet_needs.year AND c.municipality = unmet_needs.municipality AND c.need = n)
$$;
COMMENT ON FUNCTION settle.unmet_needs(text[], integer, settle.kommunkod) IS
    'Internal: the needs (sorted) that the municipality cannot meet in the year by settle.capability; NULL if none.';

-- Counted capabilities (settle.capability.places, since 0.3.0): the persons
-- referred to a municipality in a year (active referrals, every stream)
-- whose household has the need; with forced_too false, only referrals that
-- were not forced.  One home for the referral rule, the capability trigger,
-- settle.audit() and matching (settle.capability_room).
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

-- A limit that counts what the referrals before committed (reduced intake,
-- counted places) is taken one referral (or capability change) at a time
-- per municipality: an advisory lock per kind of limit and municipality,
-- refused under REPEATABLE READ, where concurrent writers could not see
-- each other.  `what` names the step in the error.
CREATE FUNCTION settle.municipality_lock(kind text, municipality settle.kommunkod, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION '% needs READ COMMITTED or SERIALIZABLE', what
            USING ERRCODE = 'invalid_transaction_state',
                  HINT = 'Under REPEATABLE READ concurrent referrals could not see each other; use a READ COMMITTED transaction.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('settle.' || kind), settle.to_integer(municipality));
END
$fn$;
COMMENT ON FUNCTION settle.municipality_lock(text, settle.kommunkod, text) IS
    'Internal: serialises, within a transaction, the referrals that count against a municipality''s limit of a kind (intake, capability); refuses REPEATABLE READ (25000).';

-- A capability's places never fall below the persons already referred with
-- the need (not forced); every change of a capability is logged
-- (settle.volume_record, trigger capability_logged).
CREATE FUNCTION settle.capability_record() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    used integer;
BEGIN
    IF NEW.places IS NOT NULL THEN
        PERFORM settle.municipality_lock('capability', NEW.municipality,
                                         format('changing the counted places of %s', settle.municipality_label(NEW.municipality)));
        used := settle.capability_used(NEW.year, NEW.municipality, NEW.need, false);
        IF NEW.places < used THEN
            RAISE EXCEPTION '% places for % in % in % are fewer than the % persons with that need already referred there',
                            NEW.places, NEW.need, NEW.year, settle.municipality_label(NEW.municipality), used
                USING ERRCODE = 'check_violation',
                      HINT = format('Set places to %s or more, or withdraw referrals first (settle.withdraw).', used);
        END IF;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION settle.capability_record() IS
    'Internal (trigger): a capability''s places are never fewer than the persons already referred with the need (not forced).';
CREATE TRIGGER capability_record AFTER INSERT OR UPDATE ON settle.capability
    FOR EACH ROW EXECUTE FUNCTION settle.capability_record();
CREATE TRIGGER capability_logged AFTER INSERT OR UPDATE OR DELETE ON settle.capability
    FOR EACH ROW EXECUTE FUNCTION settle.volume_record('municipality');

-- The needs of a household whose counted places at the municipality hold
-- fewer than its persons (sorted; NULL when none).
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

-- The rules of a referral have their home here, whatever writes it
-- (settle.refer, settle.refer_matches, a plain INSERT, INSERT ... SELECT from
-- a staging table); settle.refer only checks its arguments.  Who may change a
-- status is row-level security's job (900_security.sql): a municipality may
-- only receive its own, the agency may also withdraw.
CREATE FUNCTION settle.referral_issue(r settle.referral) RETURNS settle.referral
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
        PERFORM settle.municipality_lock('intake', r.municipality,
                                         format('a referral to %s under reduced intake', settle.municipality_label(r.municipality)));
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
        PERFORM settle.municipality_lock('capability', r.municipality,
                                         format('a referral to %s with a counted need', settle.municipality_label(r.municipality)));
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

CREATE FUNCTION settle.referral_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    q record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'referrals are never deleted (referral %)', OLD.id
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Withdraw it instead: SELECT settle.withdraw(referral, reason).';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW := settle.referral_issue(NEW);
        -- count the persons against the quota: one guarded UPDATE, so that
        -- concurrent referrals queue on the quota row and never overrun it
        UPDATE settle.municipal_quota mq SET referred = mq.referred + NEW.persons
         WHERE mq.year = NEW.year AND mq.stream = NEW.stream AND mq.municipality = NEW.municipality
           AND mq.quota - mq.referred >= NEW.persons
        RETURNING mq.quota, mq.referred INTO q;
        IF NOT FOUND THEN
            SELECT mq.quota, mq.referred INTO q FROM settle.municipal_quota mq
             WHERE mq.year = NEW.year AND mq.stream = NEW.stream AND mq.municipality = NEW.municipality;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no kommuntal of % is decided for %', NEW.year || settle.stream_label(NEW.stream), settle.municipality_label(NEW.municipality)
                    USING ERRCODE = 'foreign_key_violation',
                          HINT = 'Referrals count against a decided municipal quota of the decision''s year, in the household''s stream (settle.household_stream).';
            END IF;
            RAISE EXCEPTION 'the kommuntal of % for % is full: % places left, the household has % persons',
                            settle.municipality_label(NEW.municipality), NEW.year || settle.stream_label(NEW.stream), q.quota - q.referred, NEW.persons
                USING ERRCODE = 'check_violation',
                      DETAIL = format('kommuntal %s, %s persons already referred, %s places left < %s persons asked',
                                      q.quota, q.referred, q.quota - q.referred, NEW.persons),
                      HINT = 'Refer the household to another municipality, or revise the quotas by agreement (settle.revise_quotas).';
        END IF;
        -- stamped while the quota row is locked, so that recorded times
        -- follow the order in which referrals and revisions took the quota
        NEW.recorded_at := clock_timestamp();
        PERFORM settle.log_decision('referral', NEW.year, NEW.municipality::text,
                                    jsonb_build_object('op', 'issue', 'household', NEW.household, 'persons', NEW.persons,
                                                       'decided_at', NEW.decided_at, 'deadline', NEW.deadline,
                                                       'decision_ref', NEW.decision_ref, 'forced', NEW.forced,
                                                       'force_reason', NEW.force_reason, 'stream', NEW.stream,
                                                       'places_left', q.quota - q.referred));
        RETURN NEW;
    END IF;
    RETURN settle.referral_status(OLD, NEW);
END
$fn$;

-- The status machine: issued -> received (a finite day, not before the
-- decision), issued -> withdrawn (with a reason; frees the places); nothing
-- else, and nothing of the decision itself changes.
CREATE FUNCTION settle.referral_status(o settle.referral, n settle.referral) RETURNS settle.referral
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF (n.id, n.household, n.year, n.municipality, n.persons, n.decided_at, n.recorded_at, n.deadline,
        n.decision_ref, n.forced, n.force_reason, n.stream)
       IS DISTINCT FROM (o.id, o.household, o.year, o.municipality, o.persons, o.decided_at, o.recorded_at, o.deadline,
                         o.decision_ref, o.forced, o.force_reason, o.stream) THEN
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
         WHERE mq.year = o.year AND mq.stream = o.stream AND mq.municipality = o.municipality;
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

CREATE TRIGGER referral_write BEFORE INSERT OR UPDATE OR DELETE ON settle.referral
    FOR EACH ROW EXECUTE FUNCTION settle.referral_write();
CREATE TRIGGER referral_no_truncate BEFORE TRUNCATE ON settle.referral
    FOR EACH STATEMENT EXECUTE FUNCTION settle.refuse_truncate();

-- -------------------------------------------------------------- functions

CREATE FUNCTION settle.register_household(ref text, category text, persons integer, residence settle.kommunkod,
                                          permit_date date, needs text[] DEFAULT '{}', linked_group text DEFAULT NULL,
                                          registered_at timestamptz DEFAULT NULL, stream text DEFAULT NULL)
RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
    h settle.household;
    wanted text[];
    new_id bigint;
BEGIN
    IF ref IS NULL OR category IS NULL OR persons IS NULL THEN
        RAISE EXCEPTION 'ref, category and persons must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'ref is the agency''s case number; persons > 0.';
    END IF;
    SELECT array_agg(DISTINCT n ORDER BY n) INTO wanted FROM unnest(coalesce(needs, '{}')) n;
    wanted := coalesce(wanted, '{}');
    SELECT * INTO h FROM settle.household x WHERE settle.case_key(x.ref) = settle.case_key(register_household.ref);
    IF NOT FOUND THEN
        INSERT INTO settle.household AS x (ref, category, persons, residence, permit_date, needs, linked_group, registered_at, stream)
        VALUES (ref, category, persons, residence, permit_date, wanted, linked_group,
                coalesce(register_household.registered_at, settle.effective_now()), stream)
        ON CONFLICT ((settle.case_key(x.ref))) DO NOTHING
        RETURNING x.id INTO new_id;
        IF new_id IS NOT NULL THEN
            RETURN new_id;
        END IF;
        SELECT * INTO h FROM settle.household x WHERE settle.case_key(x.ref) = settle.case_key(register_household.ref);   -- registered concurrently
    END IF;
    IF (h.category, h.persons, h.residence, h.permit_date, h.needs, h.linked_group, h.stream)
       IS DISTINCT FROM (category, persons, residence, permit_date, wanted, linked_group, stream) THEN
        RAISE EXCEPTION 'household % is already registered with different data', ref
            USING ERRCODE = 'unique_violation',
                  DETAIL = format('Registered: category %s, %s persons, residence %s, permit %s, needs %s, linked group %s, stream %s.',
                                  h.category, h.persons, coalesce(h.residence::text, '-'), coalesce(h.permit_date::text, '-'),
                                  h.needs, coalesce(h.linked_group, '-'), coalesce(h.stream, 'by category')),
                  HINT = 'Re-registering the same case with the same data returns its id; update settle.household to correct it.';
    END IF;
    RETURN h.id;
END
$fn$;
COMMENT ON FUNCTION settle.register_household(text, text, integer, settle.kommunkod, date, text[], text, timestamptz, text) IS
    'Registers a household under the agency''s case number ref (queued from registered_at, default settle.effective_now(); stream NULL: by category); returns its id, the same for the same data (else 23505).';

CREATE FUNCTION settle.refer(household bigint, municipality settle.kommunkod, decided_at timestamptz DEFAULT settle.effective_now(),
                             decision_ref text DEFAULT NULL, force boolean DEFAULT false, force_reason text DEFAULT NULL)
RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
    new_id bigint;
BEGIN
    IF household IS NULL OR municipality IS NULL OR decided_at IS NULL THEN
        RAISE EXCEPTION 'household, municipality and decided_at must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the household id (settle.register_household) and a municipality code.';
    END IF;
    -- every rule of a referral is checked by its trigger (settle.referral_issue)
    INSERT INTO settle.referral AS r (household, municipality, decided_at, decision_ref, forced, force_reason)
    VALUES (household, municipality, decided_at, decision_ref, coalesce(force, false), force_reason)
    RETURNING r.id INTO new_id;
    RETURN new_id;
END
$fn$;
COMMENT ON FUNCTION settle.refer(bigint, settle.kommunkod, timestamptz, text, boolean, text) IS
    'Refers a household to a municipality, counting its persons against that year''s kommuntal; refused (23514) when full, paused or unable to meet a need unless forced with a reason.';

CREATE FUNCTION settle.receive(referral bigint, received_on date DEFAULT settle.today()) RETURNS settle.referral
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
    r settle.referral;
BEGIN
    IF received_on IS NULL OR NOT isfinite(received_on) THEN
        RAISE EXCEPTION 'received_on must be a date, not %', coalesce(received_on::text, 'NULL')
            USING ERRCODE = CASE WHEN received_on IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day the household arrived, e.g. ''2027-02-01''.';
    END IF;
    UPDATE settle.referral x SET status = 'received', received_on = receive.received_on
     WHERE x.id = referral RETURNING * INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'referral % does not exist', referral USING ERRCODE = 'no_data_found', HINT = 'Pass a referral id from settle.refer.';
    END IF;
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION settle.receive(bigint, date) IS
    'The municipality reports that the household of an issued referral was received on a date, not before the referral; logged.';

CREATE FUNCTION settle.withdraw(referral bigint, reason text) RETURNS settle.referral
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
    r settle.referral;
BEGIN
    PERFORM settle.require_text(reason, 'reason', 'Say why the referral is withdrawn; it is logged.');
    UPDATE settle.referral x SET status = 'withdrawn', withdraw_reason = reason     -- withdrawn_at: the trigger's
     WHERE x.id = referral RETURNING * INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'referral % does not exist', referral USING ERRCODE = 'no_data_found', HINT = 'Pass a referral id from settle.refer.';
    END IF;
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION settle.withdraw(bigint, text) IS
    'Withdraws an issued referral: it stays in history with the reason, and its persons no longer count against the quota (the places are freed). Logged.';

-- A transaction that refers several households locks their quota rows one by
-- one, in the order it refers them; two such batches in opposite orders can
-- deadlock.  Calling this first takes every quota row the batch will touch in
-- code order, so concurrent batches queue instead (settle.refer_matches does).
CREATE FUNCTION settle.lock_quotas(year integer, municipalities settle.kommunkod[], stream text DEFAULT NULL) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT count(*)::integer FROM (
        SELECT 1 FROM settle.municipal_quota mq
         WHERE mq.year = lock_quotas.year AND mq.municipality = ANY (lock_quotas.municipalities)
           AND (lock_quotas.stream IS NULL OR mq.stream = lock_quotas.stream)
         ORDER BY mq.municipality, mq.stream
           FOR NO KEY UPDATE) locked
$$;
COMMENT ON FUNCTION settle.lock_quotas(integer, settle.kommunkod[], text) IS
    'Locks the quota rows of these municipalities (one stream, or all) in code order, so that transactions referring to several municipalities queue instead of deadlocking.';
