-- 027_reference_guard.sql: keep user edits of the reference tables across
-- pg_dump/pg_restore.
--
-- pg_dump never dumps an extension's tables unless they are registered with
-- pg_extension_config_dump, and at restore CREATE EXTENSION first loads the
-- shipped rows again.  So: every row a user inserts or updates is marked
-- edited (trigger below), only edited rows are dumped, and an INSERT of a row
-- already marked edited whose key matches a pristine shipped row replaces that
-- row instead of failing on the primary key.  That is exactly what a restore
-- does; a user may do the same deliberately.  A deleted shipped row comes back
-- at restore (documented in the README).

CREATE FUNCTION settle.reference_row_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    key_match text;
    assignments text;
    replaced integer;
BEGIN
    IF TG_OP = 'INSERT' AND NEW.edited THEN
        SELECT string_agg(format('%I = ($1).%I', k, k), ' AND ')
          INTO key_match
          FROM unnest(TG_ARGV) AS k;
        SELECT string_agg(format('%I = ($1).%I', a.attname, a.attname), ', ' ORDER BY a.attnum)
          INTO assignments
          FROM pg_attribute a
         WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
        EXECUTE format('UPDATE %I.%I SET %s WHERE %s AND NOT edited',
                       TG_TABLE_SCHEMA, TG_TABLE_NAME, assignments, key_match)
          USING NEW;
        GET DIAGNOSTICS replaced = ROW_COUNT;
        IF replaced > 0 THEN
            RETURN NULL;        -- the shipped row now holds the user's values
        END IF;
    END IF;
    NEW.edited := true;
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION settle.reference_row_write() IS
    'Trigger on the reference tables: marks inserted and updated rows edited, and lets an edited row replace a pristine shipped row with the same key (what pg_restore does). Arguments: the key columns.';

CREATE TRIGGER county_edited BEFORE INSERT OR UPDATE ON settle.county
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('code');
CREATE TRIGGER municipality_edited BEFORE INSERT OR UPDATE ON settle.municipality
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('code');
CREATE TRIGGER neighbour_edited BEFORE INSERT OR UPDATE ON settle.neighbour
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('a', 'b');
CREATE TRIGGER population_edited BEFORE INSERT OR UPDATE ON settle.population
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('municipality', 'year');

CREATE TRIGGER factor_series_edited BEFORE INSERT OR UPDATE ON settle.factor_series
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('code');
CREATE TRIGGER factor_value_edited BEFORE INSERT OR UPDATE ON settle.factor_value
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('series', 'year', 'municipality');

SELECT pg_catalog.pg_extension_config_dump('settle.county', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.factor_series', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.factor_value', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.municipality', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.neighbour', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.population', 'WHERE edited');

-- These triggers also fire when a restore runs with session_replication_role
-- = replica (the documented way to restore settle's decision tables without
-- re-firing their history and log triggers).
ALTER TABLE settle.county ENABLE ALWAYS TRIGGER county_edited;
ALTER TABLE settle.municipality ENABLE ALWAYS TRIGGER municipality_edited;
ALTER TABLE settle.neighbour ENABLE ALWAYS TRIGGER neighbour_edited;
ALTER TABLE settle.population ENABLE ALWAYS TRIGGER population_edited;
ALTER TABLE settle.factor_series ENABLE ALWAYS TRIGGER factor_series_edited;
ALTER TABLE settle.factor_value ENABLE ALWAYS TRIGGER factor_value_edited;
