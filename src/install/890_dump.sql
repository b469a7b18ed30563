-- 890_dump.sql: which of settle's tables pg_dump includes.
--
-- The data you create lives in extension tables, which pg_dump skips unless
-- they are registered here.  Shipped rows of setting and need are re-created
-- by CREATE EXTENSION; only the ones you added or changed are dumped.
-- Restore with triggers in replica mode (see the README): the rows come back
-- exactly as they were, without settle's triggers writing history or log
-- entries a second time; settle.audit() and settle.verify_log() check them.
-- settle.role_scope is registered beside its table in 900_security.sql.
-- (one call per statement: each call rewrites the extension's catalog row)
SELECT pg_catalog.pg_extension_config_dump('settle.planning_year', '');
SELECT pg_catalog.pg_extension_config_dump('settle.model_weight', '');
SELECT pg_catalog.pg_extension_config_dump('settle.model_input', '');
SELECT pg_catalog.pg_extension_config_dump('settle.county_quota', '');
SELECT pg_catalog.pg_extension_config_dump('settle.municipal_quota', '');
SELECT pg_catalog.pg_extension_config_dump('settle.quota_history', '');
SELECT pg_catalog.pg_extension_config_dump('settle.decision_log', '');
SELECT pg_catalog.pg_extension_config_dump('settle.decision_log_head', '');
SELECT pg_catalog.pg_extension_config_dump('settle.household', '');
SELECT pg_catalog.pg_extension_config_dump('settle.capability', '');
SELECT pg_catalog.pg_extension_config_dump('settle.referral', '');
SELECT pg_catalog.pg_extension_config_dump('settle.annual_plan', '');
SELECT pg_catalog.pg_extension_config_dump('settle.pause', '');
SELECT pg_catalog.pg_extension_config_dump('settle.revision', '');
SELECT pg_catalog.pg_extension_config_dump('settle.setting', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.need', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.reception', '');
SELECT pg_catalog.pg_extension_config_dump('settle.reception_category', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.stream', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.category_stream', 'WHERE edited');
SELECT pg_catalog.pg_extension_config_dump('settle.year_stream', '');
SELECT pg_catalog.pg_extension_config_dump('settle.regional_weight', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.quota_history', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.decision_log', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.household', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.referral', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.pause', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.revision', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('settle.reception', 'id')::regclass, '');
