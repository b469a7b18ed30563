#!/usr/bin/env bash
# TAP: crash safety.  Under a load of concurrent referrals (3 clients) and
# quota revisions (1 client), the postmaster is killed with SIGKILL at random
# moments SETTLE_CRASH_KILLS times (default 3 here; bash test/stress/crash.sh
# runs 12) and restarted.  Then: every referral and revision a client saw
# committed is there, nothing is half-written (every referral is in the
# decision log, the maintained referred counts equal the referrals),
# settle.audit() finds nothing and settle.verify_log() is intact.
# Needs the throwaway cluster of test/lib.sh (SETTLE_CLUSTER, SETTLE_BIN,
# SETTLE_AS, exported by settle_in_cluster); skipped elsewhere.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
kills=${SETTLE_CRASH_KILLS:-3}
if [ -z "${SETTLE_CLUSTER:-}" ] || [ -z "${SETTLE_BIN:-}" ]; then
    echo "1..0 # SKIP needs the throwaway cluster of test/lib.sh"
    exit 0
fi
echo "1..10"
db=settle_crash
work=$(mktemp -d "${TMPDIR:-/tmp}/settle-crash.XXXXXX")
chmod 777 "$work"
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d $db -c "$1"; }
restart() {
    local i
    for i in $(seq 1 60); do
        $SETTLE_AS "$SETTLE_BIN/pg_ctl" -D "$SETTLE_CLUSTER/data" -l "$SETTLE_CLUSTER/data/server.log" -w \
            -o "-k $SETTLE_CLUSTER -c listen_addresses= -p 5432" start >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
cleanup() {
    touch "$work/stop"
    wait 2>/dev/null
    pg_isready -q || restart
    dropdb --if-exists $db >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

dropdb --if-exists $db >/dev/null 2>&1
createdb $db || { echo "Bail out! createdb failed"; exit 1; }
q "SET client_min_messages = warning; CREATE EXTENSION settle;
   INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, 100000);
   INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
   INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
   SELECT count(*) FROM settle.decide_county_quotas(2027, 'J');
   SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'L');
   SELECT count(settle.register_household('C-' || g, 'abo', 1 + g % 3, '0180', '2026-10-01')) FROM generate_series(1, 6000) g;" >/dev/null \
    || { echo "Bail out! setup failed"; exit 1; }

# three referral clients: client c refers households c, c + 3, ... to
# Stockholm-county municipalities; a referral counts as seen committed only
# when psql returned its id
referrer() {
    local c=$1 h=$1 out
    local munis=(0114 0115 0117 0120 0123 0125 0126 0127 0128 0136)
    while [ ! -e "$work/stop" ] && [ "$h" -le 6000 ]; do
        out=$(psql -X -q -A -t -d $db -c "SELECT settle.refer($h, '${munis[$((h % 10))]}', '2027-01-10 10:00+01')" 2>/dev/null) \
            && [ -n "$out" ] && echo "$h $out" >>"$work/seen.$c"
        h=$((h + 3))
    done
}
# one revision client: Karlskrona and Ronneby trade one place back and forth
reviser() {
    local i=0 sign
    while [ ! -e "$work/stop" ]; do
        i=$((i + 1)); sign=$(( i % 2 ? 1 : -1 ))
        psql -X -q -A -t -d $db -c "SELECT count(*) FROM settle.revise_quotas(2027, 'crash-$i', ARRAY['1080', '1081']::settle.kommunkod[], ARRAY[$sign, $((-sign))])" \
            >/dev/null 2>&1 && echo "crash-$i" >>"$work/seen.rev"
    done
}
for c in 1 2 3; do referrer $c & done
reviser &

survived=0
for k in $(seq 1 "$kills"); do
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * 2 }')"
    pid=$(head -1 "$SETTLE_CLUSTER/data/postmaster.pid" 2>/dev/null)
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    sleep 0.5
    restart && survived=$((survived + 1))
done
sleep 1
touch "$work/stop"
wait
pg_isready -q || restart

cat "$work"/seen.[0-9] 2>/dev/null | sort -n >"$work/seen"
seen=$(wc -l <"$work/seen")
check "the server came back after each of $kills SIGKILLs of the postmaster" "$survived" "$kills"
check "each restart recovered from the crash (automatic recovery in the server log)" \
    "$(grep -c 'automatic recovery in progress' "$SETTLE_CLUSTER/data/server.log" 2>/dev/null | awk -v k="$kills" '{ print ($1 >= k) ? "yes" : "no: " $1 }')" "yes"
check "the clients saw referrals committed (load was on)" "$([ "$seen" -gt 20 ] && echo yes || echo "no: $seen")" "yes"
printf 'referral_id\n' >"$work/ids.csv"
awk '{ print $2 }' "$work/seen" >>"$work/ids.csv"
missing=$(psql -X -q -A -t -d $db -c "CREATE TEMP TABLE seen (id bigint)" \
               -c "\\copy seen FROM '$work/ids.csv' WITH CSV HEADER" \
               -c "SELECT count(*) FROM seen s LEFT JOIN settle.referral r ON r.id = s.id WHERE r.id IS NULL")
check "every referral a client saw committed ($seen) is there" "$missing" "0"
revs=$(sort -u "$work/seen.rev" 2>/dev/null | wc -l)
rev_missing=$(sort -u "$work/seen.rev" 2>/dev/null | while read -r ref; do
    q "SELECT count(*) FROM settle.quota_history WHERE decision_ref = '$ref'"; done | grep -c '^0$')
check "every revision a client saw committed ($revs) is in the quota history" "$rev_missing" "0"
check "every referral is in the decision log" \
    "$(q "SELECT count(*) FROM settle.referral r WHERE NOT EXISTS (SELECT 1 FROM settle.decision_log l WHERE l.kind = 'referral' AND l.payload->>'op' = 'issue' AND (l.payload->>'household')::bigint = r.household)")" "0"
check "the maintained referred counts equal the referrals" \
    "$(q "SELECT count(*) FROM settle.municipal_quota mq WHERE mq.referred <> (SELECT coalesce(sum(r.persons), 0) FROM settle.referral r WHERE r.year = mq.year AND r.municipality = mq.municipality AND r.status <> 'withdrawn')")" "0"
check "no household has two active referrals" \
    "$(q "SELECT count(*) FROM (SELECT household FROM settle.referral WHERE status <> 'withdrawn' GROUP BY household HAVING count(*) > 1) d")" "0"
check "settle.audit() finds nothing" "$(q "SELECT count(*) FROM settle.audit()")" "0"
q "SELECT settle.seal_log()" >/dev/null
check "settle.verify_log() is intact" "$(q "SELECT intact || ' ' || (unsealed = 0) FROM settle.verify_log()")" "true true"
echo "# $kills kills survived, $seen referrals and $revs revisions seen committed and checked"
exit $failed
