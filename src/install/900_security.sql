-- 900_security.sql: roles, scopes, privileges and row-level security.
--
-- Roles (NOLOGIN; grant them to real users):
--   settle_agency        national volume, model, county quotas, households, referrals, plan
--   settle_county_board  municipal quotas and revisions of its own county (scope below)
--   settle_municipality  reads its own rows, reports reception and pauses
--   settle_auditor       reads everything, writes nothing
--   settle_analyst       reads everything except the household's case number
--   settle_definer       NOLOGIN, never granted to anyone: owns settle's
--                        SECURITY DEFINER code (triggers that write the log,
--                        the quota history and the referred counts) and has
--                        only the privileges that code needs; not a superuser,
--                        so even hijacked definer code could not become one
-- A county board or municipality is a role of its own (e.g. lst_ab, kommun_0180)
-- granted settle_county_board or settle_municipality, and mapped to its
-- county or municipality in settle.role_scope.  Nothing is granted to PUBLIC
-- but the support functions of the code types (so that '=' works for anyone
-- who can see the types).

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['settle_agency', 'settle_county_board', 'settle_municipality', 'settle_auditor', 'settle_analyst',
                             'settle_definer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;
COMMENT ON ROLE settle_agency IS 'settle: the agency (Migrationsverket): national volume, model, county quotas, households, referrals, annual plan.';
COMMENT ON ROLE settle_county_board IS 'settle: a county board (länsstyrelse): municipal quotas and revisions of its own county (settle.role_scope).';
COMMENT ON ROLE settle_municipality IS 'settle: a municipality: reads its own rows, reports reception and pauses (settle.role_scope).';
COMMENT ON ROLE settle_auditor IS 'settle: reads everything, writes nothing.';
COMMENT ON ROLE settle_definer IS 'settle: owns settle''s SECURITY DEFINER code; NOLOGIN, grant it to nobody.';
COMMENT ON ROLE settle_analyst IS 'settle: reads everything except the household''s case number (ref).';

CREATE TABLE settle.role_scope (
    role          name NOT NULL,
    county        settle.lanskod NOT NULL REFERENCES settle.county,
    municipality  settle.kommunkod REFERENCES settle.municipality,
    CHECK (municipality IS NULL OR settle.lanskod(municipality) = county)
);
CREATE UNIQUE INDEX role_scope_key ON settle.role_scope (role, county, coalesce(municipality::integer, 0));
COMMENT ON TABLE settle.role_scope IS
    'Maps a county board''s role to its county (municipality NULL), or a municipality''s role to its municipality. Members of the role act within that scope (row-level security).';
-- dumped like the other data tables (890_dump.sql lists them; this one lives here)
SELECT pg_catalog.pg_extension_config_dump('settle.role_scope', '');

-- SECURITY INVOKER on purpose: current_user must be the caller
CREATE FUNCTION settle.in_scope(county settle.lanskod, municipality settle.kommunkod) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT EXISTS (
        SELECT 1 FROM settle.role_scope s JOIN pg_catalog.pg_roles r ON r.rolname = s.role
         WHERE s.county = in_scope.county
           AND (s.municipality IS NULL OR s.municipality = in_scope.municipality)
           AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER'))
$$;
COMMENT ON FUNCTION settle.in_scope(settle.lanskod, settle.kommunkod) IS
    'True if the current user is a member of a role whose scope (settle.role_scope) covers the county, or the municipality (pass NULL to ask for the whole county).';

-- ------------------------------------------------------------------ privileges

REVOKE ALL ON ALL TABLES IN SCHEMA settle FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA settle FROM PUBLIC;
GRANT USAGE ON SCHEMA settle TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;

-- the types' support functions stay callable by anyone
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'settle'::regnamespace
           AND (p.proname LIKE 'kommunkod%' OR p.proname LIKE 'lanskod%' OR p.proname IN ('letter', 'to_integer'))
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
    END LOOP;
END
$$;

-- everyone with a settle role: reference data, utilities, reading functions
GRANT SELECT ON settle.county, settle.municipality, settle.neighbour, settle.neighbours, settle.population,
                settle.municipality_outline, settle.county_border,
                settle.planning_year, settle.model_weight, settle.model_input, settle.county_quota,
                settle.municipal_quota, settle.quota_history, settle.quota_history_periods, settle.annual_plan,
                settle.pause, settle.need, settle.capability, settle.setting, settle.role_scope,
                settle.published_county_quota, settle.published_municipal_quota, settle.published_reception,
                settle.reception_category, settle.reception, settle.stream, settle.category_stream, settle.year_stream,
                settle.year_streams, settle.factor_series, settle.factor_value, settle.factor_values, settle.regional_weight
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT EXECUTE ON FUNCTION settle.distance_km(settle.kommunkod, settle.kommunkod),
                          settle.distance_km(double precision, double precision, double precision, double precision),
                          settle.apportion(integer, text[], numeric[], text, integer[], integer[], integer[], numeric),
                          settle.apportion(integer, jsonb, text, numeric),
                          settle.apportion_seats(integer, numeric[], text, integer[], integer[], integer[], numeric),
                          settle.require_method(text, numeric),
                          settle.today(),
                          settle.local_time(timestamptz),
                          settle.local_date(timestamptz),
                          settle.local_instant(timestamp),
                          settle.effective_now(),
                          settle.effective_from(date),
                          settle.require_text(text, text, text),
                          settle.require_planning_year(integer),
                          settle.require_stream(integer, text),
                          settle.require_streams(integer, text[]),
                          settle.streams_of_year(integer, text[]),
                          settle.stream_label(text),
                          settle.household_stream(text, text, integer),
                          settle.model_scores(integer),
                          settle.model_shares(integer),
                          settle.weighted_scores(integer, text[], numeric[], settle.lanskod),
                          settle.propose_county_quotas(integer, text),
                          settle.backtest(integer, text),
                          settle.regional_scores(integer, settle.lanskod),
                          settle.decided_county_quotas(integer, text),
                          settle.propose_municipal_quotas(integer, settle.lanskod, text),
                          settle.quota_as_of(integer, timestamptz, text[]),
                          settle.quota_status(integer, date, text[]),
                          settle.overdue(date),
                          settle.distribution_numbers(integer, integer, text),
                          settle.municipality_label(settle.kommunkod),
                          settle.county_label(settle.lanskod),
                          settle.in_scope(settle.lanskod, settle.kommunkod),
                          settle.check_county_sum(integer, text),
                          settle.check_municipal_sum(integer, settle.lanskod, text),
                          settle.kommuntal_awaiting(integer, settle.lanskod, text),
                          settle.check_plan_sum(integer, settle.kommunkod, text),
                          settle.spread_months(integer, integer[], numeric[]),
                          settle.setting_km(text),
                          settle.setting_int(text, integer, integer),
                          settle.max_extra_km(),
                          settle.max_passed_over_days(),
                          settle.linked_split_km(),
                          settle.intake_used(settle.pause, date),
                          settle.intake_left(settle.kommunkod, date),
                          settle.proximity_cost(settle.kommunkod, settle.kommunkod),
                          settle.needs_mask(text[]),
                          settle.match_municipalities(integer, date, text),
                          settle.is_definer(),
                          settle.case_key(text),
                          settle.unmet_needs(text[], integer, settle.kommunkod)
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT SELECT ON settle.revision TO settle_agency, settle_county_board, settle_auditor, settle_analyst;
GRANT SELECT ON settle.county_neighbours, settle.need_bit, settle.proximity
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;

-- the whole picture: agency, auditor, analyst
GRANT SELECT ON settle.referral, settle.decision_log, settle.decision_log_head
   TO settle_agency, settle_auditor, settle_analyst;
GRANT SELECT ON settle.household TO settle_agency, settle_auditor;
GRANT SELECT (id, category, persons, residence, permit_date, needs, linked_group, registered_at, stream)
   ON settle.household TO settle_analyst;
GRANT EXECUTE ON FUNCTION settle.candidates(bigint, date, integer),
                          settle.match(integer, date, text, text[]),
                          settle.match_stream(integer, date, text, text),
                          settle.match_fairness(integer, date, text, text),
                          settle.match_summary(integer, date, text, text[]),
                          settle.match_problem(integer, date, text),
                          settle.require_mode(text),
                          settle.match_core(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]),
                          settle.match_core_summary(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]),
                          settle.capability_room(integer, date),
                          settle.capability_used(integer, settle.kommunkod, text, boolean),
                          settle.counted_blocks(text, integer, boolean, text[], integer, integer)
   TO settle_agency, settle_auditor, settle_analyst;
-- the distribution model with evidence (062_model_fit.sql): fitting reads
-- (writing a year's weights with write_to needs the agency's privileges)
GRANT EXECUTE ON FUNCTION settle.fit_model(integer[], text[], text, text[], integer),
                          settle.fit_weights(double precision[], double precision[], integer, integer[], text),
                          settle.factor_county_shares(integer, text[]),
                          settle.require_transform(text)
   TO settle_agency, settle_auditor, settle_analyst;
-- (decided kommuntal are read under row-level security: a county board's own county)
GRANT EXECUTE ON FUNCTION settle.backtest_municipal(integer, settle.lanskod[])
   TO settle_agency, settle_county_board, settle_auditor, settle_analyst;
GRANT SELECT ON settle.v_backtest_published TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT EXECUTE ON FUNCTION settle.model_input_from(integer, text, text, integer, text) TO settle_agency;
GRANT EXECUTE ON FUNCTION settle.audit(integer, text[]), settle.verify_log(), settle.waiting(date), settle.decision_log_content(settle.decision_log),
                          settle.decision_log_genesis(), settle.log_checkpoint(), settle.verify_log(settle.checkpoint[])
   TO settle_agency, settle_auditor, settle_analyst;

-- follow-up (110_followup.sql): reports for everyone with a settle role (row-level
-- security keeps a county board to its county, a municipality to itself);
-- household-level figures and the views for the agency, auditors and analysts
GRANT EXECUTE ON FUNCTION settle.population_in(integer),
                          settle.require_year(integer, text),
                          settle.hard_to_place(text[], integer, text),
                          settle.tm_project(double precision, double precision),
                          settle.xml_text(text),
                          settle.map_points(integer, text, date, text[]),
                          settle.map_svg(integer, text, date, text[], settle.lanskod, text),
                          settle.plan_chart_svg(integer, settle.lanskod, settle.kommunkod, date, text[]),
                          settle.reception_per_capita(integer, text[]),
                          settle.reception_category_of(text),
                          settle.county_report(integer, integer, settle.lanskod, text[]),
                          settle.county_report_html(integer, integer, settle.lanskod, text[])
   TO settle_agency, settle_county_board, settle_municipality, settle_auditor, settle_analyst;
GRANT EXECUTE ON FUNCTION settle.waiting_times(date), settle.fairness(integer), settle.waits(date), settle.waiting_chart_svg(date)
   TO settle_agency, settle_auditor, settle_analyst;
GRANT SELECT ON settle.v_reception_per_capita, settle.v_county_report, settle.v_waiting_times, settle.v_fairness,
                settle.v_quota_status
   TO settle_agency, settle_auditor, settle_analyst;

-- the agency writes
GRANT INSERT, UPDATE, DELETE ON settle.factor_series, settle.factor_value TO settle_agency;
GRANT INSERT, UPDATE, DELETE ON settle.planning_year, settle.model_weight, settle.model_input, settle.county_quota,
                                settle.annual_plan, settle.capability, settle.need, settle.setting,
                                settle.stream, settle.category_stream, settle.year_stream
   TO settle_agency;
-- the agency decides the quotas of the streams other than ordinary
-- (distribution numbers); row-level security below keeps it off ordinary's
GRANT INSERT, DELETE ON settle.municipal_quota TO settle_agency;
GRANT UPDATE (quota, decision_ref, decision_date) ON settle.municipal_quota TO settle_agency;
GRANT INSERT, UPDATE ON settle.household TO settle_agency;
GRANT INSERT, UPDATE ON settle.referral TO settle_agency;
GRANT INSERT, UPDATE, DELETE ON settle.pause TO settle_agency;
GRANT INSERT, UPDATE ON settle.reception, settle.reception_category TO settle_agency;
GRANT EXECUTE ON FUNCTION settle.decide_county_quotas(integer, text, date, text),
                          settle.decide_distribution_numbers(integer, text, date, text),
                          settle.simulate_year(integer, regclass, integer, text, text[]),
                          settle.seal_log(),
                          settle.lock_quotas(integer, settle.kommunkod[], text),
                          settle.refer_matches(integer, date, text, text[]),
                          settle.spread_plan(integer, settle.lanskod, numeric[], text[]),
                          settle.respread_plan(integer, settle.kommunkod, date, text),
                          settle.register_household(text, text, integer, settle.kommunkod, date, text[], text, timestamptz, text),
                          settle.refer(bigint, settle.kommunkod, timestamptz, text, boolean, text),
                          settle.withdraw(bigint, text),
                          settle.receive(bigint, date),
                          settle.pause(integer, settle.kommunkod, date, date, text, integer)
   TO settle_agency;

-- county boards: municipal quotas of their own county
-- (not the referred count: only settle's referral triggers write it)
GRANT INSERT, DELETE ON settle.municipal_quota TO settle_county_board;
GRANT UPDATE (quota, decision_ref, decision_date) ON settle.municipal_quota TO settle_county_board;
GRANT EXECUTE ON FUNCTION settle.decide_municipal_quotas(integer, settle.lanskod, text, date, text),
                          settle.revise_quotas(integer, text, settle.kommunkod[], integer[], date, text)
   TO settle_county_board;
GRANT INSERT ON settle.revision TO settle_county_board;

-- county boards read the referrals of their county (quarterly follow-up)
GRANT SELECT ON settle.referral TO settle_county_board;

-- municipalities: their own referrals (reception) and pauses
GRANT SELECT ON settle.referral TO settle_municipality;
GRANT UPDATE (status, received_on) ON settle.referral TO settle_municipality;
GRANT INSERT ON settle.pause TO settle_municipality;
GRANT EXECUTE ON FUNCTION settle.receive(bigint, date),
                          settle.pause(integer, settle.kommunkod, date, date, text, integer)
   TO settle_municipality;

-- --------------------------------------------------------------- row-level security

ALTER TABLE settle.municipal_quota ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.municipal_quota FOR SELECT
    TO settle_agency, settle_auditor, settle_analyst USING (true);
CREATE POLICY agency_streams ON settle.municipal_quota FOR ALL TO settle_agency
    USING (stream <> 'ordinary') WITH CHECK (stream <> 'ordinary');
-- a county board's regional model: its own county's rows (062_model_fit.sql)
GRANT INSERT, UPDATE, DELETE ON settle.regional_weight TO settle_county_board;
ALTER TABLE settle.regional_weight ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.regional_weight FOR SELECT USING (true);
CREATE POLICY county_board ON settle.regional_weight FOR ALL TO settle_county_board
    USING (settle.in_scope(county, NULL)) WITH CHECK (settle.in_scope(county, NULL));

CREATE POLICY county_board ON settle.municipal_quota FOR ALL TO settle_county_board
    USING (settle.in_scope(county, NULL)) WITH CHECK (settle.in_scope(county, NULL));
CREATE POLICY own_municipality ON settle.municipal_quota FOR SELECT TO settle_municipality
    USING (settle.in_scope(county, municipality));

ALTER TABLE settle.annual_plan ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.annual_plan FOR SELECT
    TO settle_auditor, settle_analyst USING (true);
CREATE POLICY agency ON settle.annual_plan FOR ALL TO settle_agency USING (true) WITH CHECK (true);
CREATE POLICY own_scope ON settle.annual_plan FOR SELECT TO settle_county_board, settle_municipality
    USING (settle.in_scope(settle.lanskod(municipality), municipality));

ALTER TABLE settle.referral ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.referral FOR SELECT TO settle_auditor, settle_analyst USING (true);
CREATE POLICY agency ON settle.referral FOR ALL TO settle_agency USING (true) WITH CHECK (true);
CREATE POLICY own_county ON settle.referral FOR SELECT TO settle_county_board
    USING (settle.in_scope(settle.lanskod(municipality), NULL));
CREATE POLICY own_municipality ON settle.referral FOR SELECT TO settle_municipality
    USING (settle.in_scope(settle.lanskod(municipality), municipality));
-- a municipality reports reception of its own issued referrals and nothing
-- else: withdrawal is the agency's act (settle.withdraw, with a reason)
CREATE POLICY own_municipality_receives ON settle.referral FOR UPDATE TO settle_municipality
    USING (settle.in_scope(settle.lanskod(municipality), municipality) AND status = 'issued')
    WITH CHECK (settle.in_scope(settle.lanskod(municipality), municipality) AND status = 'received');

ALTER TABLE settle.pause ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.pause FOR SELECT
    TO settle_auditor, settle_analyst, settle_county_board USING (true);
CREATE POLICY agency ON settle.pause FOR ALL TO settle_agency USING (true) WITH CHECK (true);
CREATE POLICY own_municipality ON settle.pause FOR ALL TO settle_municipality
    USING (settle.in_scope(settle.lanskod(municipality), municipality))
    WITH CHECK (settle.in_scope(settle.lanskod(municipality), municipality));

-- the reception register: everyone with a settle role reads within scope
ALTER TABLE settle.reception ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.reception FOR SELECT TO settle_auditor, settle_analyst USING (true);
CREATE POLICY agency ON settle.reception FOR ALL TO settle_agency USING (true) WITH CHECK (true);
CREATE POLICY own_scope ON settle.reception FOR SELECT TO settle_county_board, settle_municipality
    USING (settle.in_scope(settle.lanskod(municipality), municipality));
CREATE POLICY definer ON settle.reception FOR ALL TO settle_definer USING (true) WITH CHECK (true);

ALTER TABLE settle.revision ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON settle.revision FOR SELECT TO settle_agency, settle_auditor, settle_analyst USING (true);
CREATE POLICY county_board ON settle.revision FOR ALL TO settle_county_board
    USING (settle.in_scope(county, NULL)) WITH CHECK (settle.in_scope(county, NULL));

-- ------------------------------------------------------------- definer code
-- settle_definer owns every SECURITY DEFINER function and may do exactly
-- what that code does: read settle's tables, append to the log, the quota
-- history and revisions, seal the log, move referred counts and re-spread
-- annual plans.  (Tests: test/scripts/attacks.sh checks that it is not a
-- superuser, cannot log in and owns every definer function.)
GRANT USAGE ON SCHEMA settle TO settle_definer;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA settle TO settle_definer;
GRANT SELECT ON ALL TABLES IN SCHEMA settle TO settle_definer;
GRANT INSERT ON settle.decision_log, settle.quota_history, settle.reception TO settle_definer;
GRANT UPDATE (seq, prev_hash, hash) ON settle.decision_log TO settle_definer;
GRANT INSERT, UPDATE ON settle.decision_log_head TO settle_definer;
GRANT UPDATE (referred) ON settle.municipal_quota TO settle_definer;
GRANT UPDATE (planned) ON settle.annual_plan TO settle_definer;
CREATE POLICY definer ON settle.municipal_quota FOR ALL TO settle_definer USING (true) WITH CHECK (true);
CREATE POLICY definer ON settle.annual_plan FOR ALL TO settle_definer USING (true) WITH CHECK (true);
CREATE POLICY definer ON settle.referral FOR SELECT TO settle_definer USING (true);
CREATE POLICY definer ON settle.pause FOR SELECT TO settle_definer USING (true);
CREATE POLICY definer ON settle.revision FOR SELECT TO settle_definer USING (true);
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
