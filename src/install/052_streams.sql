-- 052_streams.sql: quota streams (since 0.2.0).
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
