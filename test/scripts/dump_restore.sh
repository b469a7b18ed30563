#!/usr/bin/env bash
# TAP: pg_dump/pg_restore of a database using settle keeps the user's edits of
# the reference tables and restores identical contents.  Runs in the cluster
# that test/check.sh started (PG* variables).
set -uo pipefail
src=settle_dump_src dst=settle_dump_dst
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
. "$(dirname "$0")/../lib/tap.sh"
echo "1..16"
dropdb --if-exists $src 2>/dev/null; dropdb --if-exists $dst 2>/dev/null
createdb $src && createdb $dst || { echo "Bail out! createdb failed"; exit 1; }
trap 'dropdb --if-exists $src; dropdb --if-exists $dst' EXIT
q $src "CREATE EXTENSION settle" >/dev/null
q $src "UPDATE settle.municipality SET population = 999999, lat = 59.33 WHERE code = '0180';
        INSERT INTO settle.population VALUES ('0180', 2020, 975551);
        INSERT INTO settle.neighbour (a, b) VALUES ('0125', '0180');
        INSERT INTO settle.county (code, name, letter, edited) VALUES ('01', 'Stockholm County', 'AB', true);" >/dev/null
# a year of decisions: quotas, a revision, referrals, a plan, a pause, a new need and setting
q $src "INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, 900);
        INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
        INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;" >/dev/null
q $src "SELECT count(*) FROM settle.decide_county_quotas(2027, 'Ju-1')" >/dev/null
q $src "SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'Lst-1')" >/dev/null
q $src "SELECT count(*) FROM settle.spread_plan(2027);
        SELECT count(*) FROM settle.revise_quotas(2027, 'AGR-1', ARRAY['1080', '1081']::settle.kommunkod[], ARRAY[1, -1]);
        INSERT INTO settle.need (code, description) VALUES ('interpreter', 'an interpreter for a rare language');
        UPDATE settle.setting SET value = '3 months' WHERE name = 'deadline.abo';
        SELECT settle.refer(settle.register_household('H-1', 'abo', 4, '1080', '2026-10-01'), '1080', '2027-01-05 10:00+01');
        SELECT settle.refer(settle.register_household('H-2', 'abo', 2, '1081', '2026-10-02'), '1081', '2027-01-06 10:00+01');
        SELECT settle.withdraw(2, 'found housing');
        SELECT settle.pause(2027, '1082', '2027-07-01', '2027-07-31', 'summer');" >/dev/null
q $src "SELECT settle.seal_log()" >/dev/null

checksum="SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
    SELECT 'c' || row(code, name, letter, edited)::text t FROM settle.county UNION ALL
    SELECT 'm' || row(code, name, county, population, population_year, lat, lon, area_km2, edited)::text FROM settle.municipality UNION ALL
    SELECT 'n' || row(a, b, edited)::text FROM settle.neighbour UNION ALL
    SELECT 'p' || row(municipality, year, population, edited)::text FROM settle.population) s"

pg_dump -Fc -f "${TMPDIR:-/tmp}/settle_dump.$$" $src
check "pg_dump succeeds" "$?" 0
PGOPTIONS='-c session_replication_role=replica' pg_restore -d $dst "${TMPDIR:-/tmp}/settle_dump.$$" 2>"${TMPDIR:-/tmp}/settle_restore.$$.err"
check "pg_restore (replica mode, as documented) succeeds without errors" "$?:$(cat "${TMPDIR:-/tmp}/settle_restore.$$.err")" "0:"

check "edited population and coordinates survive" "$(q $dst "SELECT population || ' ' || lat FROM settle.municipality WHERE code = '0180'")" "999999 59.33"
check "an added population year survives" "$(q $dst "SELECT population FROM settle.population WHERE municipality = '0180' AND year = 2020")" "975551"
check "an added neighbour pair survives" "$(q $dst "SELECT count(*) FROM settle.neighbours WHERE municipality = '0180' AND neighbour = '0125'")" "1"
check "a replaced county row survives" "$(q $dst "SELECT name FROM settle.county WHERE code = '01'")" "Stockholm County"
check "every reference table is identical after restore" "$(q $dst "$checksum")" "$(q $src "$checksum")"

decisions="SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
    SELECT 'y' || row(p.*)::text t FROM settle.planning_year p UNION ALL
    SELECT 'c' || row(c.*)::text FROM settle.county_quota c UNION ALL
    SELECT 'm' || row(m.*)::text FROM settle.municipal_quota m UNION ALL
    SELECT 'h' || row(h.*)::text FROM settle.quota_history h UNION ALL
    SELECT 'l' || row(l.*)::text FROM settle.decision_log l UNION ALL
    SELECT 'o' || row(o.*)::text FROM settle.household o UNION ALL
    SELECT 'r' || row(r.*)::text FROM settle.referral r UNION ALL
    SELECT 'a' || row(a.*)::text FROM settle.annual_plan a UNION ALL
    SELECT 'p' || row(s.*)::text FROM settle.pause s UNION ALL
    SELECT 'n' || row(n.*)::text FROM settle.need n UNION ALL
    SELECT 's' || row(g.*)::text FROM settle.setting g) s"
check "quotas, history, log, households, referrals, plan, pauses, needs and settings are identical" "$(q $dst "$decisions")" "$(q $src "$decisions")"
every_table() {
    local t
    for t in $(q "$1" "SELECT relname FROM pg_class WHERE relnamespace = 'settle'::regnamespace AND relkind = 'r' ORDER BY relname"); do
        printf '%s=%s ' "$t" "$(q "$1" "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM settle.$t x")"
    done
}
check "every table of settle has the same checksum" "$(every_table $dst)" "$(every_table $src)"
status="SELECT md5(string_agg(s::text, '|' ORDER BY s::text)) FROM settle.quota_status(2027, '2027-12-31') s"
check "the quota status of the year is the same" "$(q $dst "$status")" "$(q $src "$status")"
check "the restored year passes the audit" "$(q $dst "SELECT count(*) FROM settle.audit()")" "0"
check "the restored decision log verifies" "$(q $dst "SELECT intact FROM settle.verify_log()")" "t"
check "all of them sealed, none pending" "$(q $dst "SELECT entries > 300 AND unsealed = 0 FROM settle.verify_log()")" "t"
check "new referrals continue after restore (ids, counts, log)" \
      "$(q $dst "SELECT settle.refer(settle.register_household('H-3', 'abo', 1, '1080', '2026-10-03'), '1080', '2027-01-07 10:00+01');
                 SELECT referred FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1080';")" "3
5"
check "... and the chain goes on intact" "$(q $dst "SELECT intact FROM settle.verify_log()")" "t"
createdb ${dst}_plain
pg_restore -d ${dst}_plain "${TMPDIR:-/tmp}/settle_dump.$$" >/dev/null 2>&1
check "a restore without replica mode fails loudly instead of duplicating history" "$?" "1"
dropdb --if-exists ${dst}_plain
rm -f "${TMPDIR:-/tmp}/settle_dump.$$" "${TMPDIR:-/tmp}/settle_restore.$$.err"
exit $failed
