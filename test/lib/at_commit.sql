-- pg_temp.at_commit(stmt): run stmt, then check the deferred (commit-time)
-- rules now, as a COMMIT would; for pgTAP suites that run in one transaction.
CREATE FUNCTION pg_temp.at_commit(stmt text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    SET CONSTRAINTS ALL IMMEDIATE;
    SET CONSTRAINTS ALL DEFERRED;
END $$;
