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
-- match_problem counts a linked member's persons once; quota streams
-- (settle.stream, settle.year_stream: every quota, plan, revision, history
-- row and referral of 0.1.0 becomes part of the stream 'ordinary'; the
-- decision log is not touched, so its chain stays intact).
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

-- ---- quota streams (src/install/052_streams.sql of 0.2.0)
--
-- A planning year has one or more named streams, each with its own national
-- volume, apportionment method, länstal, kommuntal, annual plan, revisions,
-- history and rules.  Every year has the stream 'ordinary' (settlement under
-- the kommuntal): its volume and method are the columns of
-- settle.planning_year, so callers that name no stream work on it.  Other
-- streams are added per year in settle.year_stream; since 2022 persons with
-- temporary protection are settled under their own distribution numbers
-- (fördelningstal, Distribution-numbers letter 2022), the stream
-- 'temporary_protection'.  settle.year_streams shows every stream of every
-- year.  A household belongs to a stream (settle.household_stream, 070) and
-- its referral counts against that stream's kommuntal only.

CREATE TABLE settle.stream (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    description text NOT NULL CHECK (btrim(description) <> ''),
    edited      boolean NOT NULL DEFAULT false
);
INSERT INTO settle.stream (code, description) VALUES
    ('ordinary', 'settlement under the kommuntal (bosättningslagen)'),
    ('temporary_protection', 'persons with temporary protection (mass-influx directive), under distribution numbers since 2022');
CREATE TRIGGER stream_edited BEFORE INSERT OR UPDATE ON settle.stream
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('code');
ALTER TABLE settle.stream ENABLE ALWAYS TRIGGER stream_edited;
COMMENT ON TABLE settle.stream IS
    'The vocabulary of quota streams: ordinary (the kommuntal) and temporary_protection (distribution numbers, 2022); extensible.';

-- the stream ordinary is every year's: it cannot go
CREATE FUNCTION settle.stream_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF OLD.code = 'ordinary' AND (TG_OP = 'DELETE' OR NEW.code <> 'ordinary') THEN
        RAISE EXCEPTION 'the stream ordinary cannot be removed or renamed'
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Every planning year has the ordinary stream; its volume is settle.planning_year.national_volume.';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$fn$;
CREATE TRIGGER stream_guard BEFORE UPDATE OR DELETE ON settle.stream
    FOR EACH ROW EXECUTE FUNCTION settle.stream_guard();

-- which stream a household category belongs to in the years that have it
-- (a category without a row, or whose stream the year lacks: ordinary)
CREATE TABLE settle.category_stream (
    category text PRIMARY KEY CHECK (category IN ('abo', 'quota_refugee', 'temporary_protection', 'other')),
    stream   text NOT NULL REFERENCES settle.stream,
    edited   boolean NOT NULL DEFAULT false
);
INSERT INTO settle.category_stream (category, stream) VALUES ('temporary_protection', 'temporary_protection');
CREATE TRIGGER category_stream_edited BEFORE INSERT OR UPDATE ON settle.category_stream
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('category');
ALTER TABLE settle.category_stream ENABLE ALWAYS TRIGGER category_stream_edited;
COMMENT ON TABLE settle.category_stream IS
    'The stream of a household category in the years that have that stream; other categories, and years without it, are ordinary.';

CREATE TABLE settle.year_stream (
    year            integer NOT NULL REFERENCES settle.planning_year,
    stream          text NOT NULL REFERENCES settle.stream,
    national_volume integer NOT NULL CHECK (national_volume >= 0),
    method          text NOT NULL DEFAULT 'hamilton',
    first_divisor   numeric,
    decision_ref    text,
    note            text,
    PRIMARY KEY (year, stream),
    CONSTRAINT year_stream_not_ordinary CHECK (stream <> 'ordinary'),
    CHECK (settle.require_method(method, first_divisor))
);
COMMENT ON TABLE settle.year_stream IS
    'The streams of a year besides ordinary (whose volume and method are settle.planning_year''s): each with its own national volume and method.';

CREATE VIEW settle.year_streams WITH (security_invoker = true) AS
SELECT py.year, 'ordinary'::text AS stream, py.national_volume, py.method, py.first_divisor, py.decision_ref, py.note
  FROM settle.planning_year py
UNION ALL
SELECT ys.year, ys.stream, ys.national_volume, ys.method, ys.first_divisor, ys.decision_ref, ys.note
  FROM settle.year_stream ys;
COMMENT ON VIEW settle.year_streams IS
    'Every stream of every planning year with its national volume and method: ordinary from settle.planning_year, the others from settle.year_stream.';

-- a stream in messages: nothing for ordinary, so that its messages read as before
CREATE FUNCTION settle.stream_label(s text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN s IS NULL OR s = 'ordinary' THEN '' ELSE ' (stream ' || s || ')' END;
COMMENT ON FUNCTION settle.stream_label(text) IS
    'Internal: '' (stream <s>)'' for messages, empty for ordinary.';

CREATE FUNCTION settle.require_stream(y integer, s text) RETURNS settle.year_stream
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    ys settle.year_stream;
BEGIN
    PERFORM settle.require_planning_year(y);
    IF s IS NULL THEN
        RAISE EXCEPTION 'stream must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a stream such as ''ordinary'' or ''temporary_protection''.';
    END IF;
    SELECT x.year, x.stream, x.national_volume, x.method, x.first_divisor, x.decision_ref, x.note INTO ys
      FROM settle.year_streams x WHERE x.year = y AND x.stream = s;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'planning year % has no stream %', y, quote_literal(s)
            USING ERRCODE = 'no_data_found',
                  DETAIL = format('Its streams: %s.', (SELECT string_agg(x.stream, ', ' ORDER BY x.stream) FROM settle.year_streams x WHERE x.year = y)),
                  HINT = CASE WHEN EXISTS (SELECT 1 FROM settle.stream WHERE code = s)
                              THEN 'Add it: INSERT INTO settle.year_stream (year, stream, national_volume) VALUES (...).'
                              ELSE 'Streams are codes from settle.stream (' || (SELECT string_agg(code, ', ' ORDER BY code) FROM settle.stream) || ').' END;
    END IF;
    RETURN ys;
END
$fn$;
COMMENT ON FUNCTION settle.require_stream(integer, text) IS
    'A stream of a planning year with its volume and method (as a settle.year_stream row), or error P0002 with a hint.';

-- before a write: ordinary is planning_year's; a stream with quotas stays
CREATE FUNCTION settle.year_stream_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.stream = 'ordinary' THEN
        RAISE EXCEPTION 'the ordinary stream of % is settle.planning_year''s', NEW.year
            USING ERRCODE = 'check_violation',
                  HINT = 'Set its volume and method on settle.planning_year; settle.year_stream holds the other streams.';
    END IF;
    IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR (NEW.year, NEW.stream) IS DISTINCT FROM (OLD.year, OLD.stream))
       AND EXISTS (SELECT 1 FROM settle.county_quota cq WHERE cq.year = OLD.year AND cq.stream = OLD.stream) THEN
        RAISE EXCEPTION 'stream % of % has decided quotas and cannot be removed or renamed', OLD.stream, OLD.year
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Quotas and their history are kept; change the stream''s national volume instead.';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$fn$;
CREATE TRIGGER year_stream_check BEFORE INSERT OR UPDATE OR DELETE ON settle.year_stream
    FOR EACH ROW EXECUTE FUNCTION settle.year_stream_check();

-- the streams filter of the reports (quota_status, audit, map, ...): NULL
-- for every stream, else each one must be a stream of the year
CREATE FUNCTION settle.require_streams(y integer, streams text[]) RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    s text;
BEGIN
    IF streams IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(streams) = 0 OR array_position(streams, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'streams must name at least one stream and no NULL'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. streams => ''{temporary_protection}''; NULL (the default) means every stream.';
    END IF;
    FOREACH s IN ARRAY streams LOOP
        IF y IS NOT NULL THEN
            PERFORM settle.require_stream(y, s);
        ELSIF NOT EXISTS (SELECT 1 FROM settle.stream x WHERE x.code = s) THEN
            RAISE EXCEPTION 'unknown stream %', quote_literal(s)
                USING ERRCODE = 'no_data_found',
                      HINT = 'Streams are codes from settle.stream (' || (SELECT string_agg(code, ', ' ORDER BY code) FROM settle.stream) || ').';
        END IF;
    END LOOP;
    RETURN streams;
END
$fn$;
COMMENT ON FUNCTION settle.require_streams(integer, text[]) IS
    'Internal: a reports'' streams filter (NULL: every stream), each a stream of the year, else 22023 or P0002 with a hint.';

-- the streams a year-wide job runs over (matching): those asked for, checked,
-- or every stream of the year in code order
CREATE FUNCTION settle.streams_of_year(y integer, streams text[] DEFAULT NULL) RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    PERFORM settle.require_planning_year(y);
    RETURN coalesce(settle.require_streams(y, streams),
                    ARRAY(SELECT x.stream FROM settle.year_streams x WHERE x.year = y ORDER BY x.stream));
END
$fn$;
COMMENT ON FUNCTION settle.streams_of_year(integer, text[]) IS
    'Internal: the streams given (each checked to be the year''s), or every stream of the year; P0002 for an unknown year.';

-- ---- quota streams: every existing row joins the stream ordinary (the
-- columns come last, as in a fresh install; keys and references gain the
-- stream; views over changed functions are rebuilt below)
DROP VIEW settle.v_quota_status;
DROP VIEW settle.v_county_report;
DROP VIEW settle.quota_history_periods;
ALTER TABLE settle.referral DROP CONSTRAINT referral_year_municipality_fkey;
ALTER TABLE settle.annual_plan DROP CONSTRAINT annual_plan_year_municipality_fkey;
ALTER TABLE settle.municipal_quota DROP CONSTRAINT municipal_quota_year_county_fkey;
ALTER TABLE settle.county_quota ADD COLUMN stream text NOT NULL DEFAULT 'ordinary' REFERENCES settle.stream;
ALTER TABLE settle.county_quota DROP CONSTRAINT county_quota_pkey,
    ADD CONSTRAINT county_quota_pkey PRIMARY KEY (year, stream, county);
ALTER TABLE settle.municipal_quota ADD COLUMN stream text NOT NULL DEFAULT 'ordinary';
ALTER TABLE settle.municipal_quota DROP CONSTRAINT municipal_quota_pkey,
    ADD CONSTRAINT municipal_quota_pkey PRIMARY KEY (year, stream, municipality),
    ADD CONSTRAINT municipal_quota_county_quota_fkey FOREIGN KEY (year, stream, county) REFERENCES settle.county_quota (year, stream, county);
DROP INDEX settle.municipal_quota_county_idx;
CREATE INDEX municipal_quota_county_idx ON settle.municipal_quota (year, stream, county);
ALTER TABLE settle.quota_history ADD COLUMN stream text NOT NULL DEFAULT 'ordinary';
DROP INDEX settle.quota_history_key;
CREATE INDEX quota_history_key ON settle.quota_history (year, stream, county, municipality, valid_from, id);
ALTER TABLE settle.revision ADD COLUMN stream text NOT NULL DEFAULT 'ordinary';
ALTER TABLE settle.annual_plan ADD COLUMN stream text NOT NULL DEFAULT 'ordinary';
ALTER TABLE settle.annual_plan DROP CONSTRAINT annual_plan_pkey,
    ADD CONSTRAINT annual_plan_pkey PRIMARY KEY (year, stream, municipality, month),
    ADD CONSTRAINT annual_plan_municipal_quota_fkey FOREIGN KEY (year, stream, municipality)
        REFERENCES settle.municipal_quota (year, stream, municipality) ON DELETE CASCADE;
ALTER TABLE settle.household ADD COLUMN stream text REFERENCES settle.stream;
ALTER TABLE settle.referral ADD COLUMN stream text NOT NULL DEFAULT 'ordinary';
ALTER TABLE settle.referral ALTER COLUMN stream DROP DEFAULT;
ALTER TABLE settle.referral ADD CONSTRAINT referral_municipal_quota_fkey FOREIGN KEY (year, stream, municipality)
    REFERENCES settle.municipal_quota (year, stream, municipality);
DROP INDEX settle.referral_quota_idx;
CREATE INDEX referral_quota_idx ON settle.referral (year, stream, municipality);
COMMENT ON TABLE settle.county_quota IS
    'Decided county quotas (länstal) per year and stream. A stream''s sum to its national volume at commit; decided_at and decided_by are set by settle.';

COMMENT ON TABLE settle.municipal_quota IS
    'Decided municipal quotas (kommuntal) per year and stream; referred (maintained by settle) counts active referrals. quota >= referred; a county''s sum to its länstal at commit.';
COMMENT ON COLUMN settle.municipal_quota.referred IS
    'Persons in issued or received (not withdrawn) referrals of that year and stream; maintained by the referral triggers, refused if written directly.';

COMMENT ON TABLE settle.revision IS
    'Revisions of kommuntal agreed between municipalities of one county, in one stream (settle.revise_quotas): agreement, municipalities and deltas. Append-only.';

COMMENT ON TABLE settle.household IS
    'Households waiting to be referred, by the agency''s case number ref (no names or personal identity numbers); stream overrides the category''s. Fixed while a referral is active.';

COMMENT ON TABLE settle.referral IS
    'Referrals (anvisningar) of households to municipalities, counted in the household''s stream. Never deleted: status moves only from issued to received or withdrawn; rules checked on every write path.';

COMMENT ON TABLE settle.annual_plan IS
    'The annual plan: each kommuntal (per stream) spread over the 12 months of its year. The months sum to the quota at commit; those not yet past are re-spread when it changes.';


-- functions whose signature or result changed: dropped, then created anew
DROP FUNCTION settle.audit(integer);
ALTER TYPE settle.audit_finding ADD ATTRIBUTE stream text;
COMMENT ON TYPE settle.audit_finding IS 'One finding of settle.audit(): the rule that does not hold, the year, the subject (county, municipality, household, log entry), what is wrong, and the stream.';

DROP FUNCTION settle.quota_status(integer, date);
DROP FUNCTION settle.county_report(integer, integer, settle.lanskod);
DROP FUNCTION settle.map_svg(integer, text, date);
DROP FUNCTION settle.map_points(integer, text, date);
DROP FUNCTION settle.match(integer, date, text);
DROP FUNCTION settle.match_summary(integer, date, text);
DROP FUNCTION settle.refer_matches(integer, date, text);
DROP FUNCTION settle.match_problem(integer, date);
DROP FUNCTION settle.match_municipalities(integer, date);
DROP FUNCTION settle.waiting(date);
DROP FUNCTION settle.spread_plan(integer, settle.lanskod, numeric[]);
DROP FUNCTION settle.respread_plan(integer, settle.kommunkod, date);
DROP FUNCTION settle.check_plan_sum(integer, settle.kommunkod);
DROP FUNCTION settle.lock_quotas(integer, settle.kommunkod[]);
DROP FUNCTION settle.register_household(text, text, integer, settle.kommunkod, date, text[], text, timestamptz);
DROP FUNCTION settle.quota_as_of(integer, timestamptz);
DROP FUNCTION settle.revise_quotas(integer, text, settle.kommunkod[], integer[], date);
DROP FUNCTION settle.decide_municipal_quotas(integer, settle.lanskod, text, date);
DROP FUNCTION settle.decide_county_quotas(integer, text, date);
DROP FUNCTION settle.revision_of(integer, settle.kommunkod, integer, text);
DROP FUNCTION settle.check_municipal_sum(integer, settle.lanskod);
DROP FUNCTION settle.kommuntal_awaiting(integer, settle.lanskod);
DROP FUNCTION settle.check_county_sum(integer);
DROP FUNCTION settle.propose_municipal_quotas(integer, settle.lanskod);
DROP FUNCTION settle.propose_county_quotas(integer);

CREATE FUNCTION settle.propose_county_quotas(year integer, stream text DEFAULT 'ordinary')
RETURNS TABLE (county settle.lanskod, share numeric, fair_quota numeric, quota integer, tie boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    py record := settle.require_stream(year, stream);   -- (052_streams.sql)
BEGIN
    RETURN QUERY
    WITH c AS (
        SELECT s.county, sum(s.share) AS share, sum(greatest(s.score, 0)) AS weight,
               (SELECT coalesce(sum(mq.referred), 0) FROM settle.municipal_quota mq
                 WHERE mq.year = py.year AND mq.stream = py.stream AND mq.county = s.county)::integer AS referred
          FROM settle.model_shares(py.year) s GROUP BY s.county),
    a AS (
        SELECT * FROM settle.apportion(py.national_volume,
                   ARRAY(SELECT c.county::text FROM c ORDER BY c.county),
                   ARRAY(SELECT c.weight FROM c ORDER BY c.county),
                   py.method,
                   min_seats => ARRAY(SELECT nullif(c.referred, 0) FROM c ORDER BY c.county),
                   first_divisor => py.first_divisor))
    SELECT c.county, c.share, a.quota, a.seats, a.tie
      FROM c JOIN a ON a.key = c.county::text
     ORDER BY c.county;
END
$fn$;
COMMENT ON FUNCTION settle.propose_county_quotas(integer, text) IS
    'Proposed länstal of a year and stream (default ordinary): its national volume apportioned over the counties by model score, never below the persons referred. Writes nothing.';

CREATE FUNCTION settle.propose_municipal_quotas(year integer, county settle.lanskod, stream text DEFAULT 'ordinary')
RETURNS TABLE (municipality settle.kommunkod, share numeric, fair_quota numeric, quota integer, tie boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    py record := settle.require_stream(year, stream);   -- (052_streams.sql)
    c settle.lanskod := county;
    total integer;
BEGIN
    SELECT cq.quota INTO total FROM settle.county_quota cq WHERE cq.year = py.year AND cq.stream = py.stream AND cq.county = c;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no county quota (länstal) of % is decided for county %', py.year || settle.stream_label(py.stream), c
            USING ERRCODE = 'no_data_found',
                  HINT = 'Decide the county quotas first: SELECT settle.decide_county_quotas(year, decision_ref).';
    END IF;
    RETURN QUERY
    WITH m AS (
        SELECT s.municipality, greatest(s.score, 0) AS weight,
               coalesce(mq.referred, 0) AS referred
          FROM settle.model_shares(py.year) s
          LEFT JOIN settle.municipal_quota mq ON mq.year = py.year AND mq.stream = py.stream AND mq.municipality = s.municipality
         WHERE s.county = c),
    a AS (
        SELECT * FROM settle.apportion(total,
                   ARRAY(SELECT m.municipality::text FROM m ORDER BY m.municipality),
                   ARRAY(SELECT m.weight FROM m ORDER BY m.municipality),
                   py.method,
                   min_seats => ARRAY(SELECT nullif(m.referred, 0) FROM m ORDER BY m.municipality),
                   first_divisor => py.first_divisor))
    SELECT m.municipality, round(m.weight / nullif(sum(m.weight) OVER (), 0), 15), a.quota, a.seats, a.tie
      FROM m JOIN a ON a.key = m.municipality::text
     ORDER BY m.municipality;
END
$fn$;
COMMENT ON FUNCTION settle.propose_municipal_quotas(integer, settle.lanskod, text) IS
    'Proposed kommuntal of a county in a stream (default ordinary): its länstal apportioned over its municipalities by model score, never below the persons referred. Writes nothing.';

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

CREATE FUNCTION settle.check_plan_sum(y integer, m settle.kommunkod, s text DEFAULT 'ordinary') RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    n integer;
    total bigint;
    q integer;
BEGIN
    SELECT count(*), sum(planned) INTO n, total FROM settle.annual_plan WHERE year = y AND stream = s AND municipality = m;
    IF n = 0 THEN
        RETURN;
    END IF;
    SELECT quota INTO q FROM settle.municipal_quota WHERE year = y AND stream = s AND municipality = m;
    IF n <> 12 OR total IS DISTINCT FROM q::bigint THEN
        RAISE EXCEPTION 'the annual plan of % for % sums to % over % months, not its kommuntal % over 12',
                        settle.municipality_label(m), y || settle.stream_label(s), total, n, coalesce(q::text, '(none)')
            USING ERRCODE = 'check_violation',
                  HINT = 'Spread the quota with settle.spread_plan(year, county, profile), or change months so that they still sum to the quota.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.check_plan_sum(integer, settle.kommunkod, text) IS 'Raises 23514 unless the municipality''s annual plan in the stream (if any) has 12 months summing to its kommuntal.';

CREATE FUNCTION settle.spread_plan(year integer, county settle.lanskod DEFAULT NULL, profile numeric[] DEFAULT NULL,
                                   streams text[] DEFAULT NULL)
RETURNS TABLE (municipality settle.kommunkod, month integer, planned integer, stream text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := year;
    c settle.lanskod := county;
    st text[] := settle.require_streams(year, streams);
    w numeric[] := coalesce(profile, array_fill(1::numeric, ARRAY[12]));
BEGIN
    IF array_ndims(w) <> 1 THEN
        RAISE EXCEPTION 'profile must be a one-dimensional array of 12 numbers, not a %-dimensional one', array_ndims(w)
            USING ERRCODE = 'array_subscript_error',
                  HINT = 'E.g. ARRAY[2,2,2,2,2,2,1,1,1,1,1,1] to front-load the first half of the year; NULL spreads evenly.';
    END IF;
    IF cardinality(w) <> 12 THEN
        RAISE EXCEPTION 'profile must have 12 elements, one per month, not %', cardinality(w)
            USING ERRCODE = 'array_subscript_error',
                  HINT = 'E.g. ARRAY[2,2,2,2,2,2,1,1,1,1,1,1] to front-load the first half of the year; NULL spreads evenly.';
    END IF;
    IF array_position(w, NULL) IS NOT NULL OR EXISTS (SELECT 1 FROM unnest(w) x WHERE x < 0)
       OR (SELECT sum(x) FROM unnest(w) x) = 0 THEN
        RAISE EXCEPTION 'profile must be 12 numbers >= 0, not all 0'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'The months get persons in proportion to the profile.';
    END IF;
    PERFORM settle.require_planning_year(y);
    DELETE FROM settle.annual_plan p
     WHERE p.year = y AND (c IS NULL OR settle.lanskod(p.municipality) = c) AND (st IS NULL OR p.stream = ANY (st));
    RETURN QUERY
    INSERT INTO settle.annual_plan AS p (year, stream, municipality, month, planned)
    SELECT y, mq.stream, mq.municipality, s.month, s.planned
      FROM settle.municipal_quota mq,
           settle.spread_months(mq.quota, ARRAY[1,2,3,4,5,6,7,8,9,10,11,12], w) s
     WHERE mq.year = y AND (c IS NULL OR mq.county = c) AND (st IS NULL OR mq.stream = ANY (st))
    RETURNING p.municipality, p.month, p.planned, p.stream;
END
$fn$;
COMMENT ON FUNCTION settle.spread_plan(integer, settle.lanskod, numeric[], text[]) IS
    'Spreads each kommuntal of year (one county or all; one stream or all) over its 12 months exactly, evenly or by a monthly profile, into settle.annual_plan.';

CREATE FUNCTION settle.respread_plan(year integer, municipality settle.kommunkod, as_of date DEFAULT settle.today(),
                                     stream text DEFAULT 'ordinary')
RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_variable
DECLARE
    q integer;
    past_sum bigint;
    future integer[];
    shape numeric[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM settle.annual_plan p WHERE p.year = year AND p.stream = stream AND p.municipality = municipality) THEN
        RETURN;
    END IF;
    SELECT mq.quota INTO q FROM settle.municipal_quota mq WHERE mq.year = year AND mq.stream = stream AND mq.municipality = municipality;
    -- a month is past once it has ended
    SELECT coalesce(sum(p.planned) FILTER (WHERE make_date(year, p.month, 1) + interval '1 month' <= as_of), 0),
           array_agg(p.month ORDER BY p.month) FILTER (WHERE make_date(year, p.month, 1) + interval '1 month' > as_of),
           array_agg(p.planned::numeric ORDER BY p.month) FILTER (WHERE make_date(year, p.month, 1) + interval '1 month' > as_of)
      INTO past_sum, future, shape
      FROM settle.annual_plan p WHERE p.year = year AND p.stream = stream AND p.municipality = municipality;
    IF future IS NULL OR q < past_sum THEN
        -- no month left, or the past already exceeds the new quota: re-spread the whole year
        past_sum := 0;
        SELECT array_agg(p.month ORDER BY p.month), array_agg(p.planned::numeric ORDER BY p.month) INTO future, shape
          FROM settle.annual_plan p WHERE p.year = year AND p.stream = stream AND p.municipality = municipality;
    END IF;
    UPDATE settle.annual_plan p SET planned = s.planned
      FROM settle.spread_months(q - past_sum::integer, future, shape) s
     WHERE p.year = year AND p.stream = stream AND p.municipality = municipality AND p.month = s.month;
END
$fn$;
COMMENT ON FUNCTION settle.respread_plan(integer, settle.kommunkod, date, text) IS
    'Re-spreads the not yet past months of a municipality''s annual plan (in a stream, default ordinary) in proportion to their current plan, so that it sums to the quota again.';

CREATE FUNCTION settle.waiting(as_of date DEFAULT settle.today())
RETURNS TABLE (queue_position bigint, household bigint, category text, persons integer, residence settle.kommunkod,
               permit_date date, days_waited integer, needs text[], linked_group text, hard_to_place boolean, stream text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT row_number() OVER (ORDER BY h.permit_date NULLS LAST, h.registered_at, h.id),
           h.id, h.category, h.persons, h.residence, h.permit_date,
           as_of - h.permit_date,
           h.needs, h.linked_group,
           settle.hard_to_place(h.needs, h.persons, h.linked_group),
           settle.household_stream(h.stream, h.category, extract(year FROM as_of)::integer)
      FROM settle.household h
     WHERE settle.local_date(h.registered_at) <= as_of
       AND NOT EXISTS (
           SELECT 1 FROM settle.referral r
            WHERE r.household = h.id
              AND settle.local_date(r.decided_at) <= as_of
              AND (r.withdrawn_at IS NULL OR settle.local_date(r.withdrawn_at) > as_of))
     ORDER BY 1
$$;
COMMENT ON FUNCTION settle.waiting(date) IS
    'Households without an active referral as of a date, in fair chronological order (permit, then registration), with their stream; hard_to_place is shown, never used to reorder.';

CREATE FUNCTION settle.decide_distribution_numbers(year integer, decision_ref text, decision_date date DEFAULT settle.today(),
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
BEGIN
    PERFORM settle.require_text(ref, 'decision_ref', 'Give the reference of the agency''s decision on the distribution numbers.');
    IF ys.stream = 'ordinary' THEN
        RAISE EXCEPTION 'the ordinary stream is apportioned by the model into länstal and kommuntal, not by distribution numbers'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use settle.decide_county_quotas and settle.decide_municipal_quotas; pass stream => ''temporary_protection'' here.';
    END IF;
    INSERT INTO settle.county_quota AS cq (year, stream, county, quota, decision_ref, decision_date)
    SELECT ys.year, ys.stream, d.county, sum(d.to_receive), ref, dd
      FROM settle.distribution_numbers(ys.year, ys.national_volume, ys.method) d GROUP BY d.county
    ON CONFLICT (year, stream, county) DO UPDATE
        SET quota = EXCLUDED.quota, decision_ref = EXCLUDED.decision_ref, decision_date = EXCLUDED.decision_date;
    RETURN QUERY
    WITH d AS (SELECT * FROM settle.distribution_numbers(ys.year, ys.national_volume, ys.method)),
    w AS (
        INSERT INTO settle.municipal_quota AS mq (year, stream, municipality, county, quota, decision_ref, decision_date)
        SELECT ys.year, ys.stream, d.municipality, d.county, d.to_receive, ref, dd FROM d
        ON CONFLICT (year, stream, municipality) DO UPDATE
            SET quota = EXCLUDED.quota, decision_ref = EXCLUDED.decision_ref, decision_date = EXCLUDED.decision_date
        RETURNING mq.municipality, mq.quota)
    SELECT w.municipality, d.county, d.present, w.quota FROM w JOIN d ON d.municipality = w.municipality
     ORDER BY w.municipality;
END
$fn$;
COMMENT ON FUNCTION settle.decide_distribution_numbers(integer, text, date, text) IS
    'Decides settle.distribution_numbers over a stream''s national volume (default temporary_protection) as its kommuntal, and their county sums as its länstal; logged.';

CREATE FUNCTION settle.quota_status(year integer, as_of date DEFAULT settle.today(), streams text[] DEFAULT NULL)
RETURNS TABLE (level text, county settle.lanskod, municipality settle.kommunkod, name text,
               quota integer, referred integer, received integer, remaining integer,
               planned_to_date integer, deviation integer, fulfilment_pct numeric, kommuntal_awaiting boolean,
               stream text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    WITH f AS MATERIALIZED (SELECT settle.require_streams(quota_status.year, quota_status.streams) AS streams),
    m AS (
        SELECT mq.stream, mq.county, mq.municipality, mu.name,
               h.quota,
               coalesce(r.referred, 0)::integer AS referred,
               coalesce(r.received, 0)::integer AS received,
               coalesce(p.planned, 0)::integer AS planned_to_date
          FROM settle.municipal_quota mq
          CROSS JOIN f
          JOIN settle.municipality mu ON mu.code = mq.municipality
          -- the quota in force at the end of as_of
          CROSS JOIN LATERAL (
              SELECT x.quota FROM settle.quota_history x
               WHERE x.year = mq.year AND x.stream = mq.stream AND x.municipality = mq.municipality
                 AND x.valid_from < settle.local_instant((as_of + 1)::timestamp)
               ORDER BY x.valid_from DESC, x.id DESC LIMIT 1) h
          LEFT JOIN LATERAL (
              SELECT sum(rf.persons) FILTER (WHERE rf.withdrawn_at IS NULL
                                               OR settle.local_date(rf.withdrawn_at) > as_of) AS referred,
                     sum(rf.persons) FILTER (WHERE rf.received_on <= as_of) AS received
                FROM settle.referral rf
               WHERE rf.year = mq.year AND rf.stream = mq.stream AND rf.municipality = mq.municipality
                 AND settle.local_date(rf.decided_at) <= as_of) r ON true
          LEFT JOIN LATERAL (
              SELECT sum(ap.planned) AS planned FROM settle.annual_plan ap
               WHERE ap.year = mq.year AND ap.stream = mq.stream AND ap.municipality = mq.municipality
                 AND make_date(mq.year, ap.month, 1) <= as_of) p ON true
         WHERE mq.year = quota_status.year AND h.quota IS NOT NULL
           AND (f.streams IS NULL OR mq.stream = ANY (f.streams))),
    c AS (   -- (the awaiting state once per county, not per municipality)
        SELECT m.stream, m.county, sum(m.quota)::integer AS quota, sum(m.referred)::integer AS referred,
               sum(m.received)::integer AS received, sum(m.planned_to_date)::integer AS planned_to_date,
               settle.kommuntal_awaiting(quota_status.year, m.county, m.stream) AS awaiting
          FROM m GROUP BY m.stream, m.county)
    SELECT 'municipality', m.county, m.municipality, m.name, m.quota, m.referred, m.received,
           m.quota - m.referred, m.planned_to_date, m.referred - m.planned_to_date,
           CASE WHEN m.quota > 0 THEN round(100.0 * m.referred / m.quota, 1) END, c.awaiting, m.stream
      FROM m JOIN c ON c.county = m.county AND c.stream = m.stream
    UNION ALL
    SELECT 'county', c.county, NULL, co.name, c.quota, c.referred, c.received,
           c.quota - c.referred, c.planned_to_date, c.referred - c.planned_to_date,
           CASE WHEN c.quota > 0 THEN round(100.0 * c.referred / c.quota, 1) END, c.awaiting, c.stream
      FROM c JOIN settle.county co ON co.code = c.county
     ORDER BY 13, 2, 3 NULLS FIRST
$$;
COMMENT ON FUNCTION settle.quota_status(integer, date, text[]) IS
    'Per stream, county and municipality as of a date: quota in force, referred, received, remaining, planned to date, deviation, fulfilment %, whether kommuntal await re-decision.';

CREATE FUNCTION settle.audit(year integer DEFAULT NULL, streams text[] DEFAULT NULL)
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

CREATE FUNCTION settle.match_municipalities(year integer, as_of date, stream text DEFAULT 'ordinary')
RETURNS TABLE (idx integer, code settle.kommunkod, county settle.lanskod, remaining integer, planned_remaining integer,
               able bigint, paused boolean, lat double precision, lon double precision)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT row_number() OVER (ORDER BY m.code)::integer, m.code, m.county,
           coalesce(mq.quota - mq.referred, 0),
           coalesce((SELECT sum(ap.planned) FROM settle.annual_plan ap
                      WHERE ap.year = match_municipalities.year AND ap.stream = match_municipalities.stream AND ap.municipality = m.code
                        AND make_date(match_municipalities.year, ap.month, 1) <= as_of)::integer - mq.referred, 0),
           (SELECT settle.needs_mask(array_agg(c.need)) FROM settle.capability c
             WHERE c.year = match_municipalities.year AND c.municipality = m.code),
           EXISTS (SELECT 1 FROM settle.pause pz WHERE pz.municipality = m.code AND as_of BETWEEN pz.from_date AND pz.to_date),
           m.lat, m.lon
      FROM settle.municipality m
      LEFT JOIN settle.municipal_quota mq ON mq.year = match_municipalities.year AND mq.stream = match_municipalities.stream
                                         AND mq.municipality = m.code
$$;
COMMENT ON FUNCTION settle.match_municipalities(integer, date, text) IS
    'Internal: each municipality with its places and planned places left in year and stream, the needs it can meet (bit mask), whether it is paused on as_of, and its centroid.';

CREATE FUNCTION settle.match_problem(year integer, as_of date, stream text DEFAULT 'ordinary',
                                     OUT persons integer[], OUT residence integer[], OUT needs bigint[], OUT fixed integer[],
                                     OUT capacity integer[], OUT planned integer[], OUT able bigint[], OUT paused boolean[],
                                     OUT cost double precision[], OUT member_household bigint[], OUT member_placement integer[])
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := year;
    s text := stream;
    n_need integer;
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
    w AS MATERIALIZED (SELECT * FROM settle.waiting(as_of) x WHERE x.stream = s),
    -- a linked group is placed as one, in its earliest member's turn; if a
    -- member already has an active referral, the others follow it there
    grp AS (
        -- one row per member (persons counted once), the members' needs joined apart
        SELECT w.linked_group, min(w.queue_position) AS pos, sum(w.persons)::integer AS persons,
               (SELECT coalesce(bit_or(nb.bit), 0) FROM w x CROSS JOIN LATERAL unnest(x.needs) n
                  JOIN settle.need_bit nb ON nb.code = n WHERE x.linked_group = w.linked_group) AS needs,
               (array_agg(w.residence ORDER BY w.queue_position) FILTER (WHERE w.residence IS NOT NULL))[1] AS residence,
               (SELECT r.municipality FROM settle.referral r JOIN settle.household o ON o.id = r.household
                 WHERE o.linked_group = w.linked_group AND r.status <> 'withdrawn' AND r.stream = s
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
COMMENT ON FUNCTION settle.match_problem(integer, date, text) IS
    'Internal: a stream''s waiting households as placements (a linked group as one) and the municipalities'' places, plans, needs, pauses and costs, as settle.match_core''s arrays.';

CREATE FUNCTION settle.match_stream(year integer, as_of date, mode text, stream text)
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
                                        pr.able, pr.paused, pr.cost, md, settle.setting_km('matching.unplaced_km'))),
    mem AS (SELECT * FROM unnest(pr.member_household, pr.member_placement) WITH ORDINALITY AS x(household, placement, queue))
    SELECT h.id, mm.code, h.persons,
           round(px.distance_km::numeric, 1),
           px.relation = 'same county',
           res.choice_rank,
           CASE WHEN mm.code IS NULL THEN 'no feasible municipality left (places, needs or pauses)' || coalesce(', linked group ' || h.linked_group, '')
                WHEN h.residence IS NULL THEN format('quota refugee: %s', CASE WHEN md = 'optimal' THEN 'no proximity to keep' ELSE format('most planned places left (%s)', mm.planned_remaining) END)
                ELSE format('%s, %s km%s%s', px.relation, round(px.distance_km::numeric),
                            CASE WHEN res.choice_rank > 1 AND md = 'optimal' THEN format(', choice %s (better ones went to others at less total cost)', res.choice_rank)
                                 WHEN res.choice_rank > 1 THEN format(', choice %s (better ones had too few places)', res.choice_rank) ELSE '' END,
                            coalesce(', linked group ' || h.linked_group, '')) END
      FROM mem
      JOIN settle.household h ON h.id = mem.household
      JOIN res ON res.placement = mem.placement
      LEFT JOIN m mm ON mm.idx = res.municipality
      LEFT JOIN settle.proximity px ON px.residence = h.residence AND px.municipality = mm.code
     ORDER BY mem.queue;
END
$fn$;
COMMENT ON FUNCTION settle.match_stream(integer, date, text, text) IS
    'Internal: settle.match for one stream: its waiting households against its kommuntal, in queue order.';

CREATE FUNCTION settle.match(year integer, as_of date DEFAULT settle.today(), mode text DEFAULT 'chronological',
                             streams text[] DEFAULT NULL)
RETURNS TABLE (household bigint, municipality settle.kommunkod, persons integer, distance_km numeric,
               same_county boolean, choice_rank integer, reason text, stream text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    md text := settle.require_mode(mode);
BEGIN
    -- each stream's households against its own quotas, then in queue order
    RETURN QUERY
    SELECT r.household, r.municipality, r.persons, r.distance_km, r.same_county, r.choice_rank, r.reason, x.s
      FROM unnest(settle.streams_of_year(match.year, match.streams)) AS x(s)
     CROSS JOIN LATERAL settle.match_stream(match.year, as_of, md, x.s) r
      JOIN settle.waiting(as_of) w ON w.household = r.household
     ORDER BY w.queue_position;
END
$fn$;
COMMENT ON FUNCTION settle.match(integer, date, text, text[]) IS
    'Proposes a municipality for every waiting household of settle.waiting(as_of) against its stream''s kommuntal of year, in mode chronological or optimal (docs/matching.md). Writes nothing.';

CREATE FUNCTION settle.match_summary(year integer, as_of date DEFAULT settle.today(), mode text DEFAULT 'chronological',
                                     streams text[] DEFAULT NULL)
RETURNS TABLE (households integer, placements integer, placed integer, persons_placed bigint, persons_unplaced bigint,
               proximity_km numeric, objective_km numeric, lower_bound_km numeric, gap_pct numeric, core_ms numeric,
               stream text)
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
               round(x.core_ms::numeric, 1), s
          FROM settle.match_core_summary(pr.persons, pr.residence, pr.needs, pr.fixed, pr.capacity, pr.planned,
                                         pr.able, pr.paused, pr.cost, md, settle.setting_km('matching.unplaced_km')) x;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION settle.match_summary(integer, date, text, text[]) IS
    'The figures of settle.match per stream: placed and unplaced persons, proximity and objective in km, and for optimal the lower bound and proven gap. Writes nothing.';

CREATE FUNCTION settle.refer_matches(year integer, as_of date DEFAULT settle.today(), mode text DEFAULT 'chronological',
                                     streams text[] DEFAULT NULL)
RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    r record;
    n integer := 0;
    -- effective time (045_time.sql): the day's own time when as_of is today
    at timestamptz := CASE WHEN as_of = settle.today() THEN settle.effective_now()
                           ELSE settle.local_instant(as_of + time '12:00') END;
    households bigint[];
    municipalities settle.kommunkod[];
BEGIN
    SELECT array_agg(x.household ORDER BY x.ord), array_agg(x.municipality ORDER BY x.ord)
      INTO households, municipalities
      FROM (SELECT m.household, m.municipality, row_number() OVER () AS ord
              FROM settle.match(year, as_of, mode, streams) m WHERE m.municipality IS NOT NULL) x;
    -- take the quota rows in code order first, so that concurrent batches
    -- queue instead of deadlocking (settle.lock_quotas)
    PERFORM settle.lock_quotas(year, municipalities);
    FOR r IN SELECT p.household, p.municipality FROM unnest(households, municipalities) AS p(household, municipality) LOOP
        BEGIN
            PERFORM settle.refer(r.household, r.municipality, at, 'match ' || mode || ' ' || to_char(as_of, 'YYYY-MM-DD'));
        EXCEPTION WHEN check_violation OR unique_violation THEN
            RAISE EXCEPTION 'the proposal changed before it was committed: household % to %: %', r.household, r.municipality, SQLERRM
                USING ERRCODE = 'serialization_failure',
                      DETAIL = 'Quotas, pauses or referrals changed concurrently since the proposal was computed; nothing was referred.',
                      HINT = 'Run settle.refer_matches again: it proposes afresh.';
        END;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION settle.refer_matches(integer, date, text, text[]) IS
    'Refers every placed household of settle.match(year, as_of, mode, streams), all or nothing (40001 if something changed meanwhile: run it again); returns how many.';

CREATE FUNCTION settle.county_report(year integer, quarter integer, county settle.lanskod, streams text[] DEFAULT NULL)
RETURNS TABLE (level text, municipality settle.kommunkod, name text, quota integer, referred integer, received integer,
               remaining integer, planned_to_date integer, deviation integer, overdue integer, pauses integer,
               paused_days integer, fulfilment_pct numeric, stream text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    q_start date;
    q_end date;
BEGIN
    PERFORM settle.require_planning_year(year);
    IF quarter IS NULL OR quarter NOT BETWEEN 1 AND 4 THEN
        RAISE EXCEPTION 'quarter must be 1, 2, 3 or 4, not %', coalesce(quarter::text, 'NULL')
            USING ERRCODE = CASE WHEN quarter IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'Quarter 1 is January to March.';
    END IF;
    IF county IS NULL THEN
        RAISE EXCEPTION 'county must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a county code such as ''10''.';
    END IF;
    q_start := make_date(year, 3 * quarter - 2, 1);
    q_end := (q_start + interval '3 months' - interval '1 day')::date;
    RETURN QUERY
    WITH s AS (SELECT * FROM settle.quota_status(county_report.year, q_end, county_report.streams) qs
                WHERE qs.county = county_report.county AND qs.level = 'municipality'),
    o AS (SELECT r.stream, od.municipality, count(*)::integer AS n FROM settle.overdue(q_end) od
            JOIN settle.referral r ON r.id = od.referral AND r.year = county_report.year
           GROUP BY r.stream, od.municipality),
    p AS (SELECT pz.municipality, count(*)::integer AS n,
                 sum(least(pz.to_date, q_end) - greatest(pz.from_date, q_start) + 1)::integer AS days
            FROM settle.pause pz
           WHERE pz.from_date <= q_end AND pz.to_date >= q_start
           GROUP BY pz.municipality),
    rows AS (
        SELECT s.stream, s.municipality, s.name, s.quota, s.referred, s.received, s.remaining, s.planned_to_date, s.deviation,
               coalesce(o.n, 0) AS overdue, coalesce(p.n, 0) AS pauses, coalesce(p.days, 0) AS paused_days
          FROM s LEFT JOIN o ON o.stream = s.stream AND o.municipality = s.municipality
                 LEFT JOIN p ON p.municipality = s.municipality)
    SELECT 'municipality', rows.municipality, rows.name, rows.quota, rows.referred, rows.received, rows.remaining,
           rows.planned_to_date, rows.deviation, rows.overdue, rows.pauses, rows.paused_days,
           CASE WHEN rows.quota > 0 THEN round(100.0 * rows.referred / rows.quota, 1) END, rows.stream
      FROM rows
    UNION ALL
    SELECT 'county', NULL, (SELECT c.name FROM settle.county c WHERE c.code = county_report.county),
           sum(rows.quota)::integer, sum(rows.referred)::integer, sum(rows.received)::integer, sum(rows.remaining)::integer,
           sum(rows.planned_to_date)::integer, sum(rows.deviation)::integer, sum(rows.overdue)::integer,
           sum(rows.pauses)::integer, sum(rows.paused_days)::integer,
           CASE WHEN sum(rows.quota) > 0 THEN round(100.0 * sum(rows.referred) / sum(rows.quota), 1) END, rows.stream
      FROM rows GROUP BY rows.stream
     ORDER BY 14, 1 DESC, 2;
END
$fn$;
COMMENT ON FUNCTION settle.county_report(integer, integer, settle.lanskod, text[]) IS
    'The quarterly follow-up of one county (per stream) as of the quarter''s last day: per municipality quota, referred, received, plan, overdue and pauses, then the county''s totals.';

CREATE FUNCTION settle.map_points(year integer, metric text, as_of date, streams text[] DEFAULT NULL)
RETURNS TABLE (code settle.kommunkod, name text, county settle.lanskod, x double precision, y double precision,
               quota integer, value double precision)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT m.code, m.name, m.county, p.x, p.y, s.quota,
           CASE metric WHEN 'fulfilment' THEN CASE WHEN s.quota > 0 THEN round(100.0 * s.referred / s.quota, 1) END
                       WHEN 'plan_deviation' THEN s.deviation
                       ELSE (SELECT 1000.0 * coalesce(sum(r.persons), 0) / nullif(pi.population, 0) FROM settle.reception r
                              WHERE r.municipality = m.code AND r.received_on BETWEEN make_date(map_points.year, 1, 1) AND as_of) END
      FROM settle.municipality m
      CROSS JOIN LATERAL settle.tm_project(m.lat, m.lon) p
      -- the selected streams together
      LEFT JOIN (SELECT qs.municipality, sum(qs.quota)::integer AS quota, sum(qs.referred) AS referred, sum(qs.deviation) AS deviation
                   FROM settle.quota_status(map_points.year, as_of, map_points.streams) qs
                  WHERE qs.level = 'municipality' GROUP BY qs.municipality) s ON s.municipality = m.code
      LEFT JOIN settle.population_in(map_points.year) pi ON pi.municipality = m.code
$$;
COMMENT ON FUNCTION settle.map_points(integer, text, date, text[]) IS
    'Internal: each municipality''s projected position (km), kommuntal and metric value (the streams given, or all, together) for settle.map_svg.';

CREATE FUNCTION settle.map_svg(year integer, metric text DEFAULT 'fulfilment', as_of date DEFAULT settle.today(),
                               streams text[] DEFAULT NULL)
RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    w constant double precision := 520;     -- drawing width and height in px, margins apart
    h constant double precision := 1040;
    left_m constant double precision := 30;
    top_m constant double precision := 70;
    colours constant text[] := ARRAY['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
    label text;
    unit text;
    lo double precision;
    hi double precision;
    breaks double precision[];
    svg text;
    k double precision;
    x0 double precision;
    y1 double precision;
    max_quota integer;
BEGIN
    PERFORM settle.require_planning_year(year);
    PERFORM settle.require_streams(year, streams);
    IF metric IS NULL OR metric NOT IN ('fulfilment', 'per_1000', 'plan_deviation') THEN
        RAISE EXCEPTION 'unknown map metric %', coalesce(quote_literal(metric), 'NULL')
            USING ERRCODE = CASE WHEN metric IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'Metrics: fulfilment (referred / kommuntal, %), per_1000 (persons received this year per 1,000 inhabitants), plan_deviation (referred - planned to date, persons).';
    END IF;
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed', HINT = 'The default is settle.today().';
    END IF;
    label := CASE metric WHEN 'fulfilment' THEN 'fulfilment of the kommuntal' WHEN 'per_1000' THEN 'persons received per 1,000 inhabitants'
                         ELSE 'referred minus planned to date' END;
    unit := CASE metric WHEN 'fulfilment' THEN ' %' WHEN 'per_1000' THEN '' ELSE ' persons' END;

    -- scale: the whole country fits w x h
    SELECT least(w / (max(x) - min(x)), h / (max(y) - min(y))), min(x), max(y), max(quota)
      INTO k, x0, y1, max_quota FROM settle.map_points(map_svg.year, metric, as_of, map_svg.streams);
    -- colour classes: fixed for fulfilment (0-100 %), else five equal steps between the smallest and largest value
    IF metric = 'fulfilment' THEN
        lo := 0; hi := 100;
    ELSE
        SELECT min(value), max(value) INTO lo, hi FROM settle.map_points(map_svg.year, metric, as_of, map_svg.streams) WHERE value IS NOT NULL;
        lo := coalesce(lo, 0); hi := coalesce(hi, 0);
        IF hi <= lo THEN hi := lo + 1; END IF;
    END IF;
    breaks := ARRAY[lo + (hi - lo) * 0.2, lo + (hi - lo) * 0.4, lo + (hi - lo) * 0.6, lo + (hi - lo) * 0.8];

    svg := format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans, Arial, sans-serif">',
                  (w + 2 * left_m + 230)::int, (h + top_m + 40)::int, (w + 2 * left_m + 230)::int, (h + top_m + 40)::int)
        || E'\n<rect width="100%" height="100%" fill="#ffffff"/>'
        || format(E'\n<text x="%s" y="28" font-size="18" font-weight="bold">%s</text>', left_m,
                  settle.xml_text(format('Settlement %s%s: %s', year, coalesce(' (' || array_to_string(streams, ', ') || ')', ''), label)))
        || format(E'\n<text x="%s" y="50" font-size="12" fill="#444">%s</text>', left_m,
                  settle.xml_text(format('as of %s; one dot per municipality, area proportional to the kommuntal; grey = no kommuntal', to_char(as_of, 'YYYY-MM-DD'))));
    -- dots, largest first so small ones stay visible
    svg := svg || coalesce((
        SELECT string_agg(format(E'\n<circle cx="%s" cy="%s" r="%s" fill="%s" fill-opacity="0.85" stroke="#222" stroke-width="0.4"><title>%s</title></circle>',
                                 round((left_m + (pt.x - x0) * k)::numeric, 1), round((top_m + (y1 - pt.y) * k)::numeric, 1),
                                 round(greatest(1.5, 16 * sqrt(coalesce(pt.quota, 0)::double precision / nullif(max_quota, 0)))::numeric, 2),
                                 CASE WHEN pt.value IS NULL THEN '#bbbbbb'
                                      ELSE colours[1 + (pt.value >= breaks[1])::int + (pt.value >= breaks[2])::int
                                                     + (pt.value >= breaks[3])::int + (pt.value >= breaks[4])::int] END,
                                 settle.xml_text(format('%s (%s): %s%s, kommuntal %s', pt.name, pt.code,
                                                        coalesce(round(pt.value::numeric, 1)::text, 'no value'), unit, coalesce(pt.quota::text, 'none')))),
                          '' ORDER BY pt.quota DESC NULLS LAST, pt.code)
          FROM settle.map_points(map_svg.year, metric, as_of, map_svg.streams) pt), '');
    -- county names at the mean position of their municipalities
    svg := svg || coalesce((
        SELECT string_agg(format(E'\n<text x="%s" y="%s" font-size="10" text-anchor="middle" fill="#111" stroke="#fff" stroke-width="2.5" paint-order="stroke">%s</text>',
                                 round((left_m + (cc.x - x0) * k)::numeric, 1), round((top_m + (y1 - cc.y) * k)::numeric, 1),
                                 settle.xml_text(regexp_replace(cc.name, ' län$', ''))), '' ORDER BY cc.code)
          FROM (SELECT c.code, c.name, avg(pt.x) AS x, avg(pt.y) AS y
                  FROM settle.map_points(map_svg.year, metric, as_of, map_svg.streams) pt JOIN settle.county c ON c.code = pt.county
                 GROUP BY c.code, c.name) cc), '');
    -- legend
    svg := svg || format(E'\n<text x="%s" y="%s" font-size="12" font-weight="bold">%s</text>', w + left_m + 20, top_m + 10,
                         settle.xml_text(label));
    FOR i IN 1..5 LOOP
        svg := svg || format(E'\n<rect x="%s" y="%s" width="16" height="16" fill="%s" stroke="#222" stroke-width="0.4"/><text x="%s" y="%s" font-size="11">%s</text>',
                             w + left_m + 20, top_m + 10 + 22 * i, colours[i], w + left_m + 42, top_m + 23 + 22 * i,
                             settle.xml_text(CASE WHEN i = 1 THEN format('below %s%s', round(breaks[1]::numeric, 1), unit)
                                                  WHEN i = 5 THEN format('%s%s or more', round(breaks[4]::numeric, 1), unit)
                                                  ELSE format('%s to %s%s', round(breaks[i - 1]::numeric, 1), round(breaks[i]::numeric, 1), unit) END));
    END LOOP;
    svg := svg || format(E'\n<rect x="%s" y="%s" width="16" height="16" fill="#bbbbbb" stroke="#222" stroke-width="0.4"/><text x="%s" y="%s" font-size="11">no value</text>',
                         w + left_m + 20, top_m + 142, w + left_m + 42, top_m + 155)
        || format(E'\n<circle cx="%s" cy="%s" r="16" fill="none" stroke="#222"/><text x="%s" y="%s" font-size="11">%s</text>',
                  w + left_m + 36, top_m + 200, w + left_m + 58, top_m + 204,
                  settle.xml_text(format('kommuntal %s', coalesce(max_quota, 0))))
        || format(E'\n<text x="%s" y="%s" font-size="10" fill="#666">%s</text>', left_m, h + top_m + 30,
                  settle.xml_text('settle; centroids from the reference data; spherical transverse Mercator, 15 E'))
        || E'\n</svg>\n';
    RETURN svg;
END
$fn$;
COMMENT ON FUNCTION settle.map_svg(integer, text, date, text[]) IS
    'A self-contained SVG map of year: a dot per municipality sized by kommuntal and coloured by the metric fulfilment, per_1000 or plan_deviation as of a date (docs/follow-up.md).';

-- functions changed in place
CREATE OR REPLACE FUNCTION settle.quota_history_order(h settle.quota_history) RETURNS void
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

CREATE OR REPLACE FUNCTION settle.county_quota_write() RETURNS trigger
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

CREATE OR REPLACE FUNCTION settle.quota_sums_at_commit() RETURNS trigger
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

CREATE OR REPLACE FUNCTION settle.municipal_quota_check() RETURNS trigger
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

CREATE OR REPLACE FUNCTION settle.municipal_quota_record() RETURNS trigger
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

CREATE OR REPLACE FUNCTION settle.household_check() RETURNS trigger
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
    IF FOUND THEN
        RAISE EXCEPTION '% cannot receive on %: paused from % to %', settle.municipality_label(r.municipality), day, p.from_date, p.to_date
            USING ERRCODE = 'check_violation',
                  DETAIL = format('Reason reported: %s', p.reason),
                  HINT = 'Refer the household to another municipality, or after the pause.';
    END IF;
    unmet := settle.unmet_needs(h.needs, y, r.municipality);
    IF unmet IS NOT NULL AND NOT coalesce(r.forced, false) THEN
        RAISE EXCEPTION '% cannot meet the needs of household %: %', settle.municipality_label(r.municipality), h.ref, array_to_string(unmet, ', ')
            USING ERRCODE = 'check_violation',
                  HINT = 'Choose a municipality with these capabilities (settle.capability), or pass force => true with a force_reason (logged).';
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
    'Internal: the rules of a new referral (household, persons, year, stream, deadline, no active referral, no pause, needs met or forced with a reason); returns the row as recorded.';

CREATE OR REPLACE FUNCTION settle.referral_write() RETURNS trigger
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

CREATE OR REPLACE FUNCTION settle.referral_status(o settle.referral, n settle.referral) RETURNS settle.referral
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

CREATE OR REPLACE FUNCTION settle.annual_plan_at_commit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM settle.check_plan_sum(OLD.year, OLD.municipality, OLD.stream);
    ELSE
        PERFORM settle.check_plan_sum(NEW.year, NEW.municipality, NEW.stream);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION settle.municipal_quota_respread() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
BEGIN
    PERFORM settle.respread_plan(NEW.year, NEW.municipality, settle.today(), NEW.stream);
    RETURN NULL;
END
$fn$;

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
    c AS (
        SELECT m.code, m.county, m.remaining, m.planned_remaining, (mask & ~m.able) = 0 AS meets, m.paused,
               pc.cost_km, pc.distance_km AS km, pc.relation
          FROM m LEFT JOIN settle.proximity pc ON pc.residence = h.residence AND pc.municipality = m.code),
    f AS (
        -- without residence: match_quota_before's order (src/match_core.h)
        SELECT c.*, row_number() OVER (ORDER BY
                   CASE WHEN h.residence IS NULL THEN -c.planned_remaining::double precision ELSE c.cost_km END,
                   CASE WHEN h.residence IS NULL THEN -c.remaining ELSE 0 END, c.code)::integer AS rk
          FROM c WHERE c.meets AND NOT c.paused AND c.remaining >= h.persons)
    SELECT f.rk, f.code, f.county,
           CASE WHEN h.residence IS NULL THEN NULL ELSE f.relation = 'same county' END,
           CASE WHEN h.residence IS NULL THEN NULL ELSE f.relation = 'neighbouring county' END,
           round(f.km::numeric, 1), f.remaining, f.planned_remaining, f.meets,
           CASE WHEN h.residence IS NULL
                THEN format('quota refugee: %s planned places left, %s places left', f.planned_remaining, f.remaining)
                ELSE format('%s%s, %s km, %s places left', CASE WHEN f.code = h.residence THEN 'same municipality, ' ELSE '' END,
                            f.relation, round(f.km::numeric), f.remaining) END
      FROM f WHERE f.rk <= max_results ORDER BY f.rk;
    IF FOUND THEN
        RETURN;
    END IF;
    -- nothing feasible: say why
    SELECT CASE
             WHEN NOT EXISTS (SELECT 1 FROM settle.match_municipalities(y, as_of, h.stream) m WHERE m.remaining >= h.persons)
               THEN format('no municipality has %s places left under its %s kommuntal', h.persons, y || settle.stream_label(h.stream))
             WHEN NOT EXISTS (SELECT 1 FROM settle.match_municipalities(y, as_of, h.stream) m WHERE (mask & ~m.able) = 0)
               THEN format('need %s unmet everywhere in %s', array_to_string(h.needs, ', '), y)
             WHEN NOT EXISTS (SELECT 1 FROM settle.match_municipalities(y, as_of, h.stream) m WHERE (mask & ~m.able) = 0 AND m.remaining >= h.persons)
               THEN format('the municipalities that can meet %s have fewer than %s places left', array_to_string(h.needs, ', '), h.persons)
             ELSE 'every municipality with places left that meets the needs is paused on ' || to_char(as_of, 'YYYY-MM-DD')
           END INTO why;
    RETURN QUERY SELECT NULL::integer, NULL::settle.kommunkod, NULL::settle.lanskod, NULL::boolean, NULL::boolean,
                        NULL::numeric, NULL::integer, NULL::integer, NULL::boolean, why;
END
$fn$;
COMMENT ON FUNCTION settle.candidates(bigint, date, integer) IS
    'The feasible municipalities for one household on a day (in its stream), best first by proximity cost, with a reason per row; one row with municipality NULL says why when none is.';

CREATE CONSTRAINT TRIGGER year_stream_sums AFTER UPDATE OF national_volume ON settle.year_stream
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settle.quota_sums_at_commit();

-- views rebuilt over the changed functions and tables
CREATE VIEW settle.quota_history_periods AS
SELECT h.id, h.year, h.county, h.municipality, h.quota, h.valid_from,
       lead(h.valid_from) OVER w AS valid_to, h.decision_ref, h.change, h.actor, h.stream
  FROM settle.quota_history h
WINDOW w AS (PARTITION BY h.year, h.stream, h.county, h.municipality ORDER BY h.valid_from, h.id);
COMMENT ON VIEW settle.quota_history_periods IS
    'settle.quota_history with each value''s validity period [valid_from, valid_to); valid_to NULL = still in force.';

CREATE VIEW settle.v_county_report AS
SELECT y.year, q.quarter, c.code AS county, r.*
  FROM settle.planning_year y CROSS JOIN generate_series(1, 4) q(quarter) CROSS JOIN settle.county c
 CROSS JOIN LATERAL settle.county_report(y.year, q.quarter, c.code) r;
COMMENT ON VIEW settle.v_county_report IS
    'settle.county_report for every planning year, quarter and county (columns: year, quarter, county, then those of the function). Stable for BI tools.';

CREATE VIEW settle.v_quota_status AS
SELECT y.year, settle.today() AS as_of, s.* FROM settle.planning_year y CROSS JOIN LATERAL settle.quota_status(y.year, settle.today()) s;
COMMENT ON VIEW settle.v_quota_status IS
    'settle.quota_status for every planning year as of settle.today() (columns: year, as_of, then those of the function). Stable for BI tools.';

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


-- ---- privileges for streams (as 900_security.sql of 0.2.0): nothing new is
-- executable by PUBLIC, the types' support functions excepted
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
GRANT SELECT ON settle.stream, settle.category_stream, settle.year_stream, settle.year_streams, settle.quota_history_periods
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT EXECUTE ON FUNCTION settle.require_stream(integer, text),
                          settle.require_streams(integer, text[]),
                          settle.streams_of_year(integer, text[]),
                          settle.stream_label(text),
                          settle.household_stream(text, text, integer),
                          settle.propose_county_quotas(integer, text),
                          settle.propose_municipal_quotas(integer, settle.lanskod, text),
                          settle.quota_as_of(integer, timestamptz, text[]),
                          settle.quota_status(integer, date, text[]),
                          settle.check_county_sum(integer, text),
                          settle.check_municipal_sum(integer, settle.lanskod, text),
                          settle.kommuntal_awaiting(integer, settle.lanskod, text),
                          settle.check_plan_sum(integer, settle.kommunkod, text),
                          settle.match_municipalities(integer, date, text),
                          settle.map_points(integer, text, date, text[]),
                          settle.map_svg(integer, text, date, text[]),
                          settle.county_report(integer, integer, settle.lanskod, text[])
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT SELECT (stream) ON settle.household TO settle_analyst;
GRANT EXECUTE ON FUNCTION settle.match(integer, date, text, text[]),
                          settle.match_stream(integer, date, text, text),
                          settle.match_summary(integer, date, text, text[]),
                          settle.match_problem(integer, date, text),
                          settle.audit(integer, text[]),
                          settle.waiting(date)
   TO settle_agency, settle_auditor, settle_analyst;
GRANT SELECT ON settle.v_county_report, settle.v_quota_status TO settle_agency, settle_auditor, settle_analyst;
GRANT INSERT, UPDATE, DELETE ON settle.stream, settle.category_stream, settle.year_stream TO settle_agency;
GRANT INSERT, DELETE ON settle.municipal_quota TO settle_agency;
GRANT UPDATE (quota, decision_ref, decision_date) ON settle.municipal_quota TO settle_agency;
GRANT EXECUTE ON FUNCTION settle.decide_county_quotas(integer, text, date, text),
                          settle.decide_distribution_numbers(integer, text, date, text),
                          settle.lock_quotas(integer, settle.kommunkod[], text),
                          settle.refer_matches(integer, date, text, text[]),
                          settle.spread_plan(integer, settle.lanskod, numeric[], text[]),
                          settle.respread_plan(integer, settle.kommunkod, date, text),
                          settle.register_household(text, text, integer, settle.kommunkod, date, text[], text, timestamptz, text)
   TO settle_agency;
GRANT EXECUTE ON FUNCTION settle.decide_municipal_quotas(integer, settle.lanskod, text, date, text),
                          settle.revise_quotas(integer, text, settle.kommunkod[], integer[], date, text)
   TO settle_county_board;
CREATE POLICY agency_streams ON settle.municipal_quota FOR ALL TO settle_agency
    USING (stream <> 'ordinary') WITH CHECK (stream <> 'ordinary');
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'settle'::regnamespace AND p.prosecdef LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO settle_definer', f);
    END LOOP;
END
$$;

-- ---- what pg_dump keeps (as 890_dump.sql of 0.2.0)
SELECT pg_catalog.pg_extension_config_dump('settle.reception', '');
SELECT pg_catalog.pg_extension_config_dump('settle.reception_category', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.reception', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump('settle.stream', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.category_stream', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.year_stream', '');

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
