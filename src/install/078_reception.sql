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
