-- 070_referrals.sql: households, referrals (anvisningar) and reception.
--
-- A referral counts the household's persons against the municipality's
-- kommuntal of the referral's year.  The count lives in
-- municipal_quota.referred and is moved by one guarded UPDATE per referral
-- (quota - referred >= persons), so concurrent referrals to one municipality
-- queue on its quota row and can never together exceed the quota; under
-- READ COMMITTED none fails for another reason than a full quota.

CREATE TABLE settle.setting (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    description text,
    edited      boolean NOT NULL DEFAULT false
);
INSERT INTO settle.setting (name, value, description) VALUES
    ('deadline.abo', '2 months', 'time from referral to reception: households in the agency''s accommodation'),
    ('deadline.quota_refugee', '2 months', 'time from referral to reception: resettled quota refugees'),
    ('deadline.temporary_protection', '2 months', 'time from referral to reception: persons with temporary protection'),
    ('deadline.other', '2 months', 'time from referral to reception: other households'),
    ('matching.neighbour_county_km', '500', 'proximity cost (km) added when a candidate lies in a county neighbouring the residence''s'),
    ('matching.other_county_km', '1000', 'proximity cost (km) added when a candidate lies in any other county'),
    ('matching.unplaced_km', '10000', 'optimal matching: the cost (km) of each person left unplaced; must exceed every proximity cost');
CREATE TRIGGER setting_edited BEFORE INSERT OR UPDATE ON settle.setting
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('name');
ALTER TABLE settle.setting ENABLE ALWAYS TRIGGER setting_edited;
COMMENT ON TABLE settle.setting IS
    'Parameters of settle, e.g. deadline.<category>: the time limit (an interval) from a referral to the reception.';

CREATE TABLE settle.need (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    description text NOT NULL,
    edited      boolean NOT NULL DEFAULT false
);
INSERT INTO settle.need (code, description) VALUES
    ('accessible_housing', 'a dwelling accessible with a wheelchair or walking aid'),
    ('specialist_care', 'access to specialist health care nearby'),
    ('large_dwelling', 'a dwelling for a large family (five rooms or more)'),
    ('psychiatric_care', 'access to psychiatric care, e.g. for survivors of torture'),
    ('unaccompanied_minor', 'care for a child without a guardian');
CREATE TRIGGER need_edited BEFORE INSERT OR UPDATE ON settle.need
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('code');
ALTER TABLE settle.need ENABLE ALWAYS TRIGGER need_edited;
COMMENT ON TABLE settle.need IS
    'The vocabulary of special needs a household may have and a municipality may be able to meet; extensible: insert a row for a new need.';

CREATE TABLE settle.household (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref           text NOT NULL UNIQUE CHECK (btrim(ref) <> ''),
    category      text NOT NULL CHECK (category IN ('abo', 'quota_refugee', 'temporary_protection', 'other')),
    persons       integer NOT NULL CHECK (persons BETWEEN 1 AND 99),
    residence     settle.kommunkod REFERENCES settle.municipality,
    permit_date   date CONSTRAINT household_permit_date_plausible CHECK (permit_date BETWEEN '1990-01-01' AND '2199-12-31'),
    needs         text[] NOT NULL DEFAULT '{}',
    linked_group  text,
    registered_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT household_quota_refugee_no_residence CHECK (category <> 'quota_refugee' OR residence IS NULL),
    CONSTRAINT household_needs_no_null CHECK (array_position(needs, NULL) IS NULL)
);
CREATE INDEX household_linked_group_idx ON settle.household (linked_group) WHERE linked_group IS NOT NULL;
COMMENT ON TABLE settle.household IS
    'A household to be settled. ref is the agency''s own case number (no names or personal identity numbers are stored). residence: the municipality where it lived while waiting (NULL for quota refugees). needs: codes from settle.need. linked_group ties households to be placed together or near each other.';

CREATE FUNCTION settle.household_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
AS $fn$
DECLARE
    unknown text;
BEGIN
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
    RETURN NEW;
END
$fn$;
CREATE TRIGGER household_check BEFORE INSERT OR UPDATE OF needs ON settle.household
    FOR EACH ROW EXECUTE FUNCTION settle.household_check();

CREATE TABLE settle.capability (
    year          integer NOT NULL REFERENCES settle.planning_year,
    municipality  settle.kommunkod NOT NULL REFERENCES settle.municipality,
    need          text NOT NULL REFERENCES settle.need,
    PRIMARY KEY (year, municipality, need)
);
COMMENT ON TABLE settle.capability IS
    'Which needs (settle.need) a municipality can meet in a year. A household with a need is referred only to a municipality that can meet it (unless forced).';

CREATE TABLE settle.referral (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household     bigint NOT NULL REFERENCES settle.household,
    year          integer NOT NULL,
    municipality  settle.kommunkod NOT NULL,
    persons       integer NOT NULL CHECK (persons > 0),
    decided_at    timestamptz NOT NULL DEFAULT now(),
    recorded_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    deadline      date NOT NULL,
    status        text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'received', 'withdrawn')),
    received_on   date,
    withdrawn_at  timestamptz,
    withdraw_reason text,
    decision_ref  text,
    forced        boolean NOT NULL DEFAULT false,
    force_reason  text,
    FOREIGN KEY (year, municipality) REFERENCES settle.municipal_quota (year, municipality),
    CONSTRAINT referral_year_of_decision CHECK (year = extract(year FROM decided_at AT TIME ZONE 'Europe/Stockholm')),
    CONSTRAINT referral_received_has_date CHECK ((status = 'received') = (received_on IS NOT NULL)),
    CONSTRAINT referral_withdrawn_has_time CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    CONSTRAINT referral_received_after_decision CHECK (received_on IS NULL OR received_on >= (decided_at AT TIME ZONE 'Europe/Stockholm')::date)
);
-- one active (issued or received) referral per household
CREATE UNIQUE INDEX referral_one_active ON settle.referral (household) WHERE status <> 'withdrawn';
CREATE INDEX referral_quota_idx ON settle.referral (year, municipality);
CREATE INDEX referral_open_idx ON settle.referral (deadline) WHERE status = 'issued';
COMMENT ON TABLE settle.referral IS
    'Referrals (anvisningar): one row per decision referring a household to a municipality, counting its persons against that year''s kommuntal (the year of decided_at in Swedish time). Never deleted; status moves issued -> received or issued -> withdrawn. A withdrawn referral frees its places.';

CREATE FUNCTION settle.referral_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle
AS $fn$
DECLARE
    q record;
    cat text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'referrals are never deleted (referral %)', OLD.id
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Withdraw it instead: SELECT settle.withdraw(referral, reason).';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'issued' THEN
            RAISE EXCEPTION 'a new referral must have status issued, not %', NEW.status
                USING ERRCODE = 'check_violation', HINT = 'Report reception or withdrawal afterwards (settle.receive, settle.withdraw).';
        END IF;
        NEW.recorded_at := clock_timestamp();
        NEW.year := coalesce(NEW.year, extract(year FROM NEW.decided_at AT TIME ZONE 'Europe/Stockholm')::integer);
        IF NEW.persons IS NULL OR NEW.deadline IS NULL THEN
            SELECT coalesce(NEW.persons, persons), category INTO NEW.persons, cat FROM settle.household WHERE id = NEW.household;
        END IF;
        IF NEW.deadline IS NULL THEN
            NEW.deadline := ((NEW.decided_at AT TIME ZONE 'Europe/Stockholm')
                             + coalesce((SELECT value FROM settle.setting WHERE name = 'deadline.' || cat), '2 months')::interval)::date;
        END IF;
        -- count the persons against the quota: one guarded UPDATE, so that
        -- concurrent referrals queue on the quota row and never overrun it
        UPDATE settle.municipal_quota mq SET referred = mq.referred + NEW.persons
         WHERE mq.year = NEW.year AND mq.municipality = NEW.municipality AND mq.quota - mq.referred >= NEW.persons
        RETURNING mq.quota, mq.referred INTO q;
        IF NOT FOUND THEN
            SELECT mq.quota, mq.referred INTO q FROM settle.municipal_quota mq
             WHERE mq.year = NEW.year AND mq.municipality = NEW.municipality;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no kommuntal of % is decided for %', NEW.year, settle.municipality_label(NEW.municipality)
                    USING ERRCODE = 'foreign_key_violation',
                          HINT = 'Referrals count against a decided municipal quota of the decision''s year.';
            END IF;
            RAISE EXCEPTION 'the kommuntal of % for % is full: % places left, the household has % persons',
                            settle.municipality_label(NEW.municipality), NEW.year, q.quota - q.referred, NEW.persons
                USING ERRCODE = 'check_violation',
                      DETAIL = format('kommuntal %s, %s persons already referred, %s places left < %s persons asked',
                                      q.quota, q.referred, q.quota - q.referred, NEW.persons),
                      HINT = 'Refer the household to another municipality, or revise the quotas by agreement (settle.revise_quotas).';
        END IF;
        PERFORM settle.log_decision('referral', NEW.year, NEW.municipality::text,
                                    jsonb_build_object('op', 'issue', 'household', NEW.household, 'persons', NEW.persons,
                                                       'decided_at', NEW.decided_at, 'deadline', NEW.deadline,
                                                       'decision_ref', NEW.decision_ref, 'forced', NEW.forced,
                                                       'force_reason', NEW.force_reason,
                                                       'places_left', q.quota - q.referred));
        RETURN NEW;
    END IF;

    -- UPDATE: only the status moves, issued -> received | withdrawn
    IF (NEW.id, NEW.household, NEW.year, NEW.municipality, NEW.persons, NEW.decided_at, NEW.recorded_at, NEW.deadline,
        NEW.decision_ref, NEW.forced, NEW.force_reason)
       IS DISTINCT FROM (OLD.id, OLD.household, OLD.year, OLD.municipality, OLD.persons, OLD.decided_at, OLD.recorded_at, OLD.deadline,
                         OLD.decision_ref, OLD.forced, OLD.force_reason) THEN
        RAISE EXCEPTION 'a referral''s decision cannot be changed (referral %)', OLD.id
            USING ERRCODE = 'check_violation',
                  HINT = 'Withdraw it (settle.withdraw) and issue a new one (settle.refer).';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status <> 'issued' THEN
            RAISE EXCEPTION 'referral % is already %', OLD.id, OLD.status
                USING ERRCODE = 'check_violation',
                      HINT = 'Only an issued referral can be received or withdrawn.';
        END IF;
        IF NEW.status = 'withdrawn' THEN
            NEW.withdrawn_at := clock_timestamp();
            UPDATE settle.municipal_quota mq SET referred = mq.referred - OLD.persons
             WHERE mq.year = OLD.year AND mq.municipality = OLD.municipality;
        END IF;
        PERFORM settle.log_decision('referral_status', OLD.year, OLD.municipality::text,
                                    jsonb_build_object('op', NEW.status, 'referral', OLD.id, 'household', OLD.household,
                                                       'received_on', NEW.received_on, 'reason', NEW.withdraw_reason));
    ELSIF (NEW.received_on, NEW.withdrawn_at, NEW.withdraw_reason)
          IS DISTINCT FROM (OLD.received_on, OLD.withdrawn_at, OLD.withdraw_reason) THEN
        RAISE EXCEPTION 'referral % is already %; its dates cannot change', OLD.id, OLD.status
            USING ERRCODE = 'check_violation', HINT = 'Reception and withdrawal are reported once.';
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER referral_write BEFORE INSERT OR UPDATE OR DELETE ON settle.referral
    FOR EACH ROW EXECUTE FUNCTION settle.referral_write();
CREATE TRIGGER referral_no_truncate BEFORE TRUNCATE ON settle.referral
    FOR EACH STATEMENT EXECUTE FUNCTION settle.refuse_truncate();

-- -------------------------------------------------------------- functions

CREATE FUNCTION settle.register_household(ref text, category text, persons integer, residence settle.kommunkod,
                                          permit_date date, needs text[] DEFAULT '{}', linked_group text DEFAULT NULL)
RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
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
    SELECT * INTO h FROM settle.household x WHERE x.ref = register_household.ref;
    IF NOT FOUND THEN
        INSERT INTO settle.household AS x (ref, category, persons, residence, permit_date, needs, linked_group)
        VALUES (ref, category, persons, residence, permit_date, wanted, linked_group)
        ON CONFLICT ON CONSTRAINT household_ref_key DO NOTHING
        RETURNING x.id INTO new_id;
        IF new_id IS NOT NULL THEN
            RETURN new_id;
        END IF;
        SELECT * INTO h FROM settle.household x WHERE x.ref = register_household.ref;   -- registered concurrently
    END IF;
    IF (h.category, h.persons, h.residence, h.permit_date, h.needs, h.linked_group)
       IS DISTINCT FROM (category, persons, residence, permit_date, wanted, linked_group) THEN
        RAISE EXCEPTION 'household % is already registered with different data', ref
            USING ERRCODE = 'unique_violation',
                  DETAIL = format('Registered: category %s, %s persons, residence %s, permit %s, needs %s, linked group %s.',
                                  h.category, h.persons, coalesce(h.residence::text, '-'), coalesce(h.permit_date::text, '-'),
                                  h.needs, coalesce(h.linked_group, '-')),
                  HINT = 'Re-registering the same case with the same data returns its id; update settle.household to correct it.';
    END IF;
    RETURN h.id;
END
$fn$;
COMMENT ON FUNCTION settle.register_household(text, text, integer, settle.kommunkod, date, text[], text) IS
    'Registers a household under the agency''s case number ref and returns its id. Idempotent: the same ref with the same data returns the same id; with different data it is an error (23505).';

CREATE FUNCTION settle.refer(household bigint, municipality settle.kommunkod, decided_at timestamptz DEFAULT now(),
                             decision_ref text DEFAULT NULL, force boolean DEFAULT false, force_reason text DEFAULT NULL)
RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
AS $fn$
#variable_conflict use_variable
DECLARE
    h settle.household;
    y integer;
    day date;
    active settle.referral;
    unmet text[];
    p record;
    new_id bigint;
BEGIN
    IF household IS NULL OR municipality IS NULL OR decided_at IS NULL THEN
        RAISE EXCEPTION 'household, municipality and decided_at must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the household id (settle.register_household) and a municipality code.';
    END IF;
    IF NOT isfinite(decided_at) THEN
        RAISE EXCEPTION 'decided_at must be a finite time, not %', decided_at
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The time of the referral decision, e.g. now().';
    END IF;
    y := extract(year FROM decided_at AT TIME ZONE 'Europe/Stockholm')::integer;
    day := (decided_at AT TIME ZONE 'Europe/Stockholm')::date;
    SELECT * INTO h FROM settle.household x WHERE x.id = household;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'household % does not exist', household
            USING ERRCODE = 'foreign_key_violation', HINT = 'Register it first: settle.register_household(...).';
    END IF;
    SELECT * INTO active FROM settle.referral r WHERE r.household = h.id AND r.status <> 'withdrawn';
    IF FOUND THEN
        RAISE EXCEPTION 'household % already has an active referral (% to %, %)', h.ref, active.id,
                        settle.municipality_label(active.municipality), active.status
            USING ERRCODE = 'unique_violation',
                  HINT = 'Withdraw that referral first (settle.withdraw) if the household is to be referred elsewhere.';
    END IF;
    SELECT * INTO p FROM settle.pause x
     WHERE x.municipality = refer.municipality AND day BETWEEN x.from_date AND x.to_date LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% cannot receive on %: paused from % to %', settle.municipality_label(municipality), day, p.from_date, p.to_date
            USING ERRCODE = 'check_violation',
                  DETAIL = format('Reason reported: %s', coalesce(p.reason, '-')),
                  HINT = 'Refer the household to another municipality, or after the pause.';
    END IF;
    SELECT array_agg(n ORDER BY n) INTO unmet FROM unnest(h.needs) n
     WHERE NOT EXISTS (SELECT 1 FROM settle.capability c WHERE c.year = y AND c.municipality = refer.municipality AND c.need = n);
    IF unmet IS NOT NULL AND NOT coalesce(force, false) THEN
        RAISE EXCEPTION '% cannot meet the needs of household %: %', settle.municipality_label(municipality), h.ref, array_to_string(unmet, ', ')
            USING ERRCODE = 'check_violation',
                  HINT = 'Choose a municipality with these capabilities (settle.capability), or pass force => true with a force_reason (logged).';
    END IF;
    IF coalesce(force, false) THEN
        PERFORM settle.require_text(force_reason, 'force_reason', 'A forced referral says why it is made despite the unmet needs; it is logged.');
    END IF;
    INSERT INTO settle.referral AS r (household, year, municipality, persons, decided_at, decision_ref, forced, force_reason)
    VALUES (h.id, y, municipality, h.persons, decided_at, decision_ref, coalesce(force, false) AND unmet IS NOT NULL,
            CASE WHEN unmet IS NOT NULL THEN force_reason END)
    RETURNING r.id INTO new_id;
    RETURN new_id;
END
$fn$;
COMMENT ON FUNCTION settle.refer(bigint, settle.kommunkod, timestamptz, text, boolean, text) IS
    'Issues a referral of a household to a municipality, counting its persons against the kommuntal of the decision''s year; returns the referral id. Refused (23514) when the quota has too few places left, the municipality is paused that day, or it cannot meet a need of the household (unless force => true with a force_reason, logged); 23505 when the household already has an active referral. Safe under concurrency: referrals never together exceed a quota.';

CREATE FUNCTION settle.receive(referral bigint, received_on date DEFAULT current_date) RETURNS settle.referral
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
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
    'The municipality reports that the referred household was received on a date (not before the referral). Only an issued referral can be received. Logged.';

CREATE FUNCTION settle.withdraw(referral bigint, reason text) RETURNS settle.referral
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle
AS $fn$
#variable_conflict use_variable
DECLARE
    r settle.referral;
BEGIN
    PERFORM settle.require_text(reason, 'reason', 'Say why the referral is withdrawn; it is logged.');
    UPDATE settle.referral x SET status = 'withdrawn', withdrawn_at = now(), withdraw_reason = reason
     WHERE x.id = referral RETURNING * INTO r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'referral % does not exist', referral USING ERRCODE = 'no_data_found', HINT = 'Pass a referral id from settle.refer.';
    END IF;
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION settle.withdraw(bigint, text) IS
    'Withdraws an issued referral: it stays in history with the reason, and its persons no longer count against the quota (the places are freed). Logged.';
