#!/usr/bin/env bash
# TAP: access control with real logins.  Login roles are mapped to each
# settle role and connect as themselves (psql -U) to a database with a year
# of quotas and referrals: a county board cannot read or change another
# county's quotas, a municipality sees only its own referrals and cannot
# issue any, an auditor cannot write anything, an analyst cannot read case
# references, SECURITY DEFINER code cannot be hijacked through search_path,
# nothing in settle is granted to PUBLIC (except the code types' support
# functions) and nobody can create objects in public.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
db=settle_acl_$$
logins="settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst settle_t_agency settle_t_outsider"
drop_all() {
    dropdb --if-exists $db >/dev/null 2>&1
    for r in $logins; do psql -X -q -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap drop_all EXIT
drop_all
createdb $db || { echo "Bail out! createdb failed"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null 2>"${TMPDIR:-/tmp}/settle_acl.$$" <<'SQL' || { echo "Bail out! setup failed"; cat "${TMPDIR:-/tmp}/settle_acl.$$"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION settle;
INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, 20000);
INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
SELECT count(*) FROM settle.decide_county_quotas(2027, 'J');
SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'L');
SELECT settle.refer(settle.register_household('A-' || m, 'abo', 2, m, '2026-10-01'), m, '2027-01-10 10:00+01')
  FROM unnest(ARRAY['1081', '1082', '0180']::settle.kommunkod[]) m;
CREATE ROLE settle_t_board_k LOGIN IN ROLE settle_county_board;
CREATE ROLE settle_t_kommun_1081 LOGIN IN ROLE settle_municipality;
CREATE ROLE settle_t_auditor LOGIN IN ROLE settle_auditor;
CREATE ROLE settle_t_analyst LOGIN IN ROLE settle_analyst;
CREATE ROLE settle_t_agency LOGIN IN ROLE settle_agency;
CREATE ROLE settle_t_outsider LOGIN;
INSERT INTO settle.role_scope VALUES ('settle_t_board_k', '10', NULL), ('settle_t_kommun_1081', '10', '1081');
SQL
rm -f "${TMPDIR:-/tmp}/settle_acl.$$"
dbname=$db
# as LOGIN: the result, or the SQLSTATE of the error
as() {
    local who=$1 sql=$2 out
    out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -U "$who" -d $dbname -c "$sql" 2>&1)
    if grep -q '^ERROR:' <<<"$out"; then printf '%s' "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1
    else printf '%s' "$out"; fi
}
echo "1..42"
check "the logins connect as themselves" "$(as settle_t_board_k "SELECT current_user")" "settle_t_board_k"
# county board
check "county board: sees only its county's kommuntal" "$(as settle_t_board_k "SELECT string_agg(DISTINCT county::text, ',') FROM settle.municipal_quota")" "10"
check "county board: an UPDATE of another county's kommuntal touches nothing" \
    "$(as settle_t_board_k "WITH u AS (UPDATE settle.municipal_quota SET decision_ref = 'x' WHERE county = '01' RETURNING 1) SELECT count(*) FROM u")" "0"
check "county board: cannot change county quotas" "$(as settle_t_board_k "UPDATE settle.county_quota SET quota = quota")" "42501"
check "county board: cannot revise another county's quotas" \
    "$(as settle_t_board_k "SELECT count(*) FROM settle.revise_quotas(2027, 'x', ARRAY['0180', '0114']::settle.kommunkod[], ARRAY[1, -1])")" "P0002"
check "county board: reads the referrals of its county only" "$(as settle_t_board_k "SELECT string_agg(municipality::text, ',' ORDER BY municipality) FROM settle.referral")" "1081,1082"
# municipality
check "municipality: sees only its own referrals" "$(as settle_t_kommun_1081 "SELECT string_agg(municipality::text, ',') FROM settle.referral")" "1081"
check "municipality: cannot issue a referral" \
    "$(as settle_t_kommun_1081 "SELECT settle.refer(1, '1081', '2027-01-11 10:00+01')")" "42501"
check "municipality: cannot insert a referral directly" \
    "$(as settle_t_kommun_1081 "INSERT INTO settle.referral (household, year, municipality, persons, deadline) VALUES (1, 2027, '1081', 1, '2027-03-01')")" "42501"
# auditor
check "auditor: cannot insert" "$(as settle_t_auditor "INSERT INTO settle.planning_year (year, national_volume) VALUES (2030, 1)")" "42501"
check "auditor: cannot update" "$(as settle_t_auditor "UPDATE settle.municipal_quota SET quota = quota")" "42501"
check "auditor: cannot delete" "$(as settle_t_auditor "DELETE FROM settle.referral")" "42501"
check "auditor: cannot refer" "$(as settle_t_auditor "SELECT settle.refer(1, '1081')")" "42501"
check "auditor: reads the audit and the log" "$(as settle_t_auditor "SELECT count(*) FROM settle.audit(2027)")|$(as settle_t_auditor "SELECT intact FROM settle.verify_log()")" "0|t"
# analyst
check "analyst: cannot read case references" "$(as settle_t_analyst "SELECT ref FROM settle.household")" "42501"
check "analyst: reads the rest" "$(as settle_t_analyst "SELECT count(*) FROM settle.household")" "3"
# outsider, public schema, PUBLIC grants
# the helpers every reader relies on (045_time.sql, settle.proximity)
check "every settle role calls the time helpers and reads settle.proximity" \
    "$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do
         as $r "SELECT settle.local_date('2027-06-30 22:30+00') || ' ' || (settle.local_instant('2027-01-01') = '2026-12-31 23:00+00')::text || ' ' || (SELECT relation FROM settle.proximity WHERE residence = '1080' AND municipality = '1081')"; echo; done | sort -u)" \
    "2027-07-01 true same county"
# the map's drawing data (0.3.0): everyone with a settle role reads it, no one writes it
check "every settle role reads the outlines and county borders; none can change them" \
    "$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do
         echo -n "$(as $r "SELECT (SELECT count(*) FROM settle.municipality_outline) || '/' || (SELECT count(*) > 0 FROM settle.county_border)") $(as $r "UPDATE settle.municipality_outline SET path = 'M0 0l1 0 0 1z'") "; done)" \
    "290/true 42501 290/true 42501 290/true 42501 290/true 42501 290/true 42501 "
# the plan chart reads through row-level security: each role charts what it may see
check "every settle role draws the plan chart of Blekinge with the referrals it sees; a login without a settle role cannot" \
    "$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do
         echo -n "$(as $r "SELECT (regexp_match(settle.plan_chart_svg(2027, '10', as_of => '2027-03-31'), '<title>referred ([0-9]+) persons'))[1]") "; done)|$(as settle_t_outsider "SELECT settle.plan_chart_svg(2027)")" \
    "4 4 2 4 4 |42501"
# the waiting chart is household-level, like waiting_times: agency, auditor, analyst
check "waiting_chart_svg: agency, auditor and analyst draw it; county boards, municipalities and outsiders cannot" \
    "$(for r in settle_t_agency settle_t_auditor settle_t_analyst settle_t_board_k settle_t_kommun_1081 settle_t_outsider; do
         echo -n "$(as $r "SELECT (regexp_match(settle.waiting_chart_svg('2027-03-31'), '<text class=\"rest-figures\"[^>]*>([0-9]+) households'))[1]") "; done)" \
    "3 3 3 42501 42501 42501 "
# the county report as one page reads through row-level security like county_report
check "county_report_html: each role's page of Blekinge has the municipality rows county_report gives it; an outsider gets nothing" \
    "$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do
         echo -n "$(as $r "SELECT (SELECT count(*) FROM regexp_matches(settle.county_report_html(2027, 1, '10'), '<tr class=\"municipality\">', 'g')) || '=' || (SELECT count(*) FROM settle.county_report(2027, 1, '10') WHERE level = 'municipality')") "; done)|$(as settle_t_outsider "SELECT settle.county_report_html(2027, 1, '10')")" \
    "5=5 5=5 1=1 5=5 5=5 |42501"
# the waiting-days map is household-level: the roles that read households draw it
check "map_svg waiting_days: agency, auditor and analyst draw it; county boards and municipalities cannot" \
    "$(for r in settle_t_agency settle_t_auditor settle_t_analyst settle_t_board_k settle_t_kommun_1081; do
         echo -n "$(as $r "SELECT left(settle.map_svg(2027, 'waiting_days', '2027-03-31'), 4)") "; done)" \
    "<svg <svg <svg 42501 42501 "
# apportionment is a utility: every settle role calls both forms
check "every settle role calls apportion and apportion_seats; a login without a settle role cannot" \
    "$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do
         as $r "SELECT (SELECT string_agg(seats::text, ',' ORDER BY key) FROM settle.apportion(5, ARRAY['a','b'], ARRAY[3,2])) || ' ' || (SELECT seats::text FROM settle.apportion_seats(5, ARRAY[3,2]))"; echo; done | sort -u)|$(as settle_t_outsider "SELECT seats FROM settle.apportion_seats(5, ARRAY[3,2])")" \
    "3,2 {3,2}|42501"
check "a login without a settle role cannot use them" \
    "$(as settle_t_outsider "SELECT settle.local_date(now())")|$(as settle_t_outsider "SELECT count(*) FROM settle.proximity")" "42501|42501"
check "every settle role reads the published quotas and reception and the awaiting state" \
    "$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do
         as $r "SELECT (SELECT count(*) FROM settle.published_county_quota) || ' ' || (SELECT count(*) FROM settle.published_municipal_quota) || ' ' || (SELECT count(*) FROM settle.published_reception) || ' ' || settle.kommuntal_awaiting(2027, '10') || ' ' || (settle.effective_from('2027-01-01') = settle.local_instant('2027-01-01'))"; echo; done | sort -u)" \
    "105 267 290 false true"
check "a login without a settle role cannot read them" \
    "$(as settle_t_outsider "SELECT count(*) FROM settle.published_reception")|$(as settle_t_outsider "SELECT settle.effective_now()")" "42501|42501"
# the reception register (0.2.0): the agency loads, everyone else reads within scope
check "the agency loads receptions; others read them within their scope" \
    "$(as settle_t_agency "INSERT INTO settle.reception (municipality, received_on, category, persons, source) VALUES ('1081', '2027-03-01', 'own_housing', 3, 'acl'), ('0180', '2027-03-01', 'relatives', 2, 'acl'); SELECT count(*) FROM settle.reception")|$(as settle_t_kommun_1081 "SELECT count(*) FROM settle.reception")|$(as settle_t_board_k "SELECT count(*) FROM settle.reception")|$(as settle_t_auditor "SELECT count(*) FROM settle.reception")" \
    "2|1|1|2"
check "a municipality, an auditor and an analyst cannot write the register" \
    "$(as settle_t_kommun_1081 "INSERT INTO settle.reception (municipality, received_on, category, persons, source) VALUES ('1081', '2027-03-01', 'other', 1, 'x')")|$(as settle_t_auditor "UPDATE settle.reception SET persons = 0, correction_reason = 'x'")|$(as settle_t_analyst "DELETE FROM settle.reception")" \
    "42501|42501|42501"
# quota streams (0.2.0): the agency adds a stream and decides its numbers;
# county boards keep the ordinary kommuntal and revise any stream in scope
check "streams: the agency adds a stream and decides its distribution numbers; no other role can" \
    "$(as settle_t_agency "SET settle.today = '2027-03-02'; INSERT INTO settle.year_stream (year, stream, national_volume, decision_ref) VALUES (2027, 'temporary_protection', 1000, 'acl'); SELECT count(*) FROM settle.decide_distribution_numbers(2027, 'MV-acl')" | tail -1)|$(for r in settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do echo -n "$(as $r "INSERT INTO settle.year_stream (year, stream, national_volume) VALUES (2027, 'x', 1)") "; done)" \
    "290|42501 42501 42501 42501 "
check "streams: the agency changes no ordinary kommuntal; a county board revises its county's other stream; a municipality cannot" \
    "$(as settle_t_agency "WITH u AS (UPDATE settle.municipal_quota SET decision_ref = 'x' WHERE stream = 'ordinary' RETURNING 1) SELECT count(*) FROM u")|$(as settle_t_board_k "SET settle.today = '2027-03-03'; SELECT count(*) FROM settle.revise_quotas(2027, 'A-acl', ARRAY['1082', '1083']::settle.kommunkod[], ARRAY[1, -1], stream => 'temporary_protection')" | tail -1)|$(as settle_t_kommun_1081 "SELECT count(*) FROM settle.revise_quotas(2027, 'A-x', ARRAY['1081', '1083']::settle.kommunkod[], ARRAY[1, -1], stream => 'temporary_protection')")" \
    "0|2|42501"
check "streams: every settle role reads the year's streams and the status per stream within its scope" \
    "$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do
         echo -n "$(as $r "SELECT (SELECT count(*) FROM settle.year_streams WHERE year = 2027) || ':' || count(*) FROM settle.quota_status(2027, '2027-03-31', '{temporary_protection}') WHERE level = 'municipality'") "; done)" \
    "2:290 2:5 2:1 2:290 2:290 "
# reduced intake (0.3.0): a municipality reports its own, no one else's
check "reduced intake: a municipality limits its own intake, not another's" \
    "$(as settle_t_kommun_1081 "SELECT settle.pause(2027, '1081', '2027-11-01', '2027-11-30', 'acl', 2) > 0")|$(as settle_t_kommun_1081 "SELECT settle.pause(2027, '1082', '2027-11-01', '2027-11-30', 'acl', 2)")|$(as settle_t_analyst "SELECT settle.intake_left('1081', '2027-11-10')")" \
    "t|42501|2"
# counted places (0.3.0): the agency sets them; matching's view of them is
# for the roles that see every referral (a county board would miscount)
check "counted places: the agency sets a capability's places; no other role can; capability_room for agency, auditor, analyst only" \
    "$(as settle_t_agency "INSERT INTO settle.capability (year, municipality, need, places) VALUES (2027, '1080', 'large_dwelling', 4); SELECT count(*) FROM settle.capability_room(2027, '2027-03-01')" | tail -1)|$(for r in settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do echo -n "$(as $r "UPDATE settle.capability SET places = 9") "; done)|$(for r in settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do echo -n "$(as $r "SELECT count(*) FROM settle.capability_room(2027, '2027-03-01')") "; done)" \
    "1|42501 42501 42501 42501 |42501 42501 1 1 "
# the distribution model with evidence (0.3.0): the agency fills inputs and
# writes fitted weights; auditors and analysts fit without writing; a county
# board keeps a regional model for its own county only
check "model: model_input_from is the agency's; fit_model reads for agency, auditor and analyst, writes only for the agency" \
    "$(as settle_t_agency "SELECT municipalities FROM settle.model_input_from(2027, 'employed', 'employment_rate', 2021, 'employed')")|$(as settle_t_analyst "SELECT count(*) FROM settle.model_input_from(2027, 'x', 'population', 2019)")|$(for r in settle_t_auditor settle_t_analyst; do echo -n "$(as $r "SELECT count(*) FROM settle.fit_model(ARRAY[2027], ARRAY['population'], write_to => NULL)") "; done)|$(as settle_t_analyst "SELECT count(*) FROM settle.fit_model(ARRAY[2027], ARRAY['population'], write_to => 2027)")|$(as settle_t_board_k "SELECT count(*) FROM settle.fit_model(ARRAY[2027], ARRAY['population'])")" \
    "290|42501|23 23 |42501|42501"
check "model: a county board sets its own county's regional weights, not another's; every role reads the backtest view" \
    "$(as settle_t_board_k "INSERT INTO settle.regional_weight (year, county, factor, weight) VALUES (2027, '10', 'population', 1); SELECT count(*) FROM settle.regional_weight" | tail -1)|$(as settle_t_board_k "INSERT INTO settle.regional_weight (year, county, factor, weight) VALUES (2027, '01', 'population', 1)")|$(as settle_t_kommun_1081 "INSERT INTO settle.regional_weight (year, county, factor, weight) VALUES (2027, '10', 'employed', 1)")|$(for r in settle_t_agency settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do echo -n "$(as $r "SELECT count(*) FROM settle.v_backtest_published") "; done)" \
    "1|42501|42501|0 0 0 0 0 "
check "model: a county board backtests its own county's kommuntal; a municipality cannot call it" \
    "$(as settle_t_board_k "SELECT count(*) FROM settle.backtest_municipal(2027, '{10}')")|$(as settle_t_kommun_1081 "SELECT count(*) FROM settle.backtest_municipal(2027, '{10}')")" \
    "5|42501"
# the year simulator (0.3.0) writes, then undoes: the agency's alone
check "simulate_year: the agency runs it and it leaves nothing; the other roles cannot" \
    "$(as settle_t_agency "CREATE TEMP TABLE arr AS SELECT 'ACL-S' AS ref, 'abo' AS category, 2 AS persons, '1080'::settle.kommunkod AS residence, date '2026-12-01' AS permit_date, '{}'::text[] AS needs, NULL::text AS linked_group, date '2027-01-01' AS arrives;
        SELECT sum(referred_persons) || ' ' || (SELECT count(*) FROM settle.household WHERE ref = 'ACL-S') FROM settle.simulate_year(2027, 'arr', 30)" | tail -1)|$(for r in settle_t_board_k settle_t_kommun_1081 settle_t_auditor settle_t_analyst; do echo -n "$(as $r "SELECT count(*) FROM settle.simulate_year(2027, 'pg_catalog.pg_class')") "; done)" \
    "2 0|42501 42501 42501 42501 "
check "a login without a settle role reads nothing" "$(as settle_t_outsider "SELECT count(*) FROM settle.referral")" "42501"
check "nobody creates objects in public" "$(as settle_t_outsider "CREATE TABLE public.trap (x int)")" "42501"
check "nothing in settle is granted to PUBLIC but the code types' support functions" \
    "$(psql -X -A -t -d $db -c "SELECT count(*) FROM (
         SELECT p.proname FROM pg_proc p, aclexplode(p.proacl) a WHERE p.pronamespace = 'settle'::regnamespace AND a.grantee = 0
            AND p.proname !~ '^((kommunkod|lanskod)(_(in|out|recv|send|eq|ne|lt|le|gt|ge|cmp|hash|hash_extended))?|letter|to_integer)$'
         UNION ALL
         SELECT c.relname FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'settle'::regnamespace AND a.grantee = 0) x")" "0"
check "every SECURITY DEFINER function pins its search_path" \
    "$(psql -X -A -t -d $db -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'settle'::regnamespace AND prosecdef
                                  AND NOT coalesce(proconfig::text LIKE '%search_path=pg_catalog, settle%', false)")" "0"
# hijack: the agency puts its own schema, with lookalikes of settle functions
# the SECURITY DEFINER triggers call, first on its search_path, then refers
psql -X -q -d $db -c "GRANT CREATE ON DATABASE $db TO settle_t_agency" >/dev/null
check "search_path cannot hijack SECURITY DEFINER triggers" \
    "$(as settle_t_agency "CREATE SCHEMA evil;
        CREATE FUNCTION evil.log_decision(text, integer, text, jsonb) RETURNS void LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'hijacked'; END\$\$;
        CREATE FUNCTION evil.municipality_label(settle.kommunkod) RETURNS text LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'hijacked'; END\$\$;
        CREATE FUNCTION evil.trap(settle.kommunkod, settle.kommunkod) RETURNS boolean LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'hijacked'; END\$\$;
        CREATE OPERATOR evil.= (LEFTARG = settle.kommunkod, RIGHTARG = settle.kommunkod, FUNCTION = evil.trap);
        SET search_path = evil, pg_catalog, settle, public;
        SELECT settle.refer(settle.register_household('A-evil', 'abo', 1, '1083', '2026-10-01'), '1083', '2027-01-12 10:00+01') > 0")" "t"
exit $failed
