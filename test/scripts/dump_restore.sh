#!/usr/bin/env bash
# TAP: pg_dump/pg_restore of a database using settle keeps the user's edits of
# the reference tables and restores identical contents.  Runs in the cluster
# that test/check.sh started (PG* variables).
set -uo pipefail
src=settle_dump_src dst=settle_dump_dst
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
n=0 failed=0
check() {   # check DESCRIPTION GOT EXPECTED
    n=$((n + 1))
    if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; echo "#   got:      '$2'"; echo "#   expected: '$3'"; failed=1; fi
}
echo "1..7"
dropdb --if-exists $src 2>/dev/null; dropdb --if-exists $dst 2>/dev/null
createdb $src && createdb $dst || { echo "Bail out! createdb failed"; exit 1; }
trap 'dropdb --if-exists $src; dropdb --if-exists $dst' EXIT
q $src "CREATE EXTENSION settle" >/dev/null
q $src "UPDATE settle.municipality SET population = 999999, lat = 59.33 WHERE code = '0180';
        INSERT INTO settle.population VALUES ('0180', 2020, 975551);
        INSERT INTO settle.neighbour (a, b) VALUES ('0125', '0180');
        INSERT INTO settle.county (code, name, letter, edited) VALUES ('01', 'Stockholm County', 'AB', true);" >/dev/null

checksum="SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
    SELECT 'c' || row(code, name, letter, edited)::text t FROM settle.county UNION ALL
    SELECT 'm' || row(code, name, county, population, population_year, lat, lon, area_km2, edited)::text FROM settle.municipality UNION ALL
    SELECT 'n' || row(a, b, edited)::text FROM settle.neighbour UNION ALL
    SELECT 'p' || row(municipality, year, population, edited)::text FROM settle.population) s"

pg_dump -Fc -f "${TMPDIR:-/tmp}/settle_dump.$$" $src
check "pg_dump succeeds" "$?" 0
pg_restore -d $dst "${TMPDIR:-/tmp}/settle_dump.$$" 2>"${TMPDIR:-/tmp}/settle_restore.$$.err"
check "pg_restore succeeds without errors" "$?:$(cat "${TMPDIR:-/tmp}/settle_restore.$$.err")" "0:"
rm -f "${TMPDIR:-/tmp}/settle_dump.$$" "${TMPDIR:-/tmp}/settle_restore.$$.err"

check "edited population and coordinates survive" "$(q $dst "SELECT population || ' ' || lat FROM settle.municipality WHERE code = '0180'")" "999999 59.33"
check "an added population year survives" "$(q $dst "SELECT population FROM settle.population WHERE municipality = '0180' AND year = 2020")" "975551"
check "an added neighbour pair survives" "$(q $dst "SELECT count(*) FROM settle.neighbours WHERE municipality = '0180' AND neighbour = '0125'")" "1"
check "a replaced county row survives" "$(q $dst "SELECT name FROM settle.county WHERE code = '01'")" "Stockholm County"
check "every reference table is identical after restore" "$(q $dst "$checksum")" "$(q $src "$checksum")"
exit $failed
