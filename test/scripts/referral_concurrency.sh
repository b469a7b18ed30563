#!/usr/bin/env bash
# TAP: 16 clients (pgbench) issue referrals of random household sizes (1-4
# persons) at once against four municipalities with small quotas.  Checks
# that no quota was exceeded, that every accepted referral counts and is in
# the log, and that every refusal was a genuinely full quota (the places left
# were fewer than the persons asked).  Runs in the cluster that test/check.sh
# started (PG* variables).  test/stress/referrals.sh runs it many times.
set -uo pipefail
cd "$(dirname "$0")/../.."
db=settle_refer_conc
clients=${SETTLE_CLIENTS:-16} per_client=${SETTLE_TX:-20} small=${SETTLE_SMALL_QUOTA:-30}
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d $db "$@"; }
. test/lib/tap.sh
echo "1..7"
dropdb --if-exists $db 2>/dev/null
createdb $db || { echo "Bail out! createdb failed"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-refer.XXXXXX")
trap 'dropdb --if-exists $db; rm -rf "$tmp"' EXIT
q -v volume=20000 -v small="$small" -f test/lib/referral_setup.sql >/dev/null || { echo "Bail out! setup failed"; exit 1; }
cat > "$tmp/refer.sql" <<'SQL'
\set p random(1, 4)
\set m random(1, 4)
SELECT try_refer(:client_id, :p, (ARRAY['1060', '1081', '1082', '1083'])[:m]::settle.kommunkod);
SQL
pgbench -n -c "$clients" -j 2 -t "$per_client" -f "$tmp/refer.sql" $db >"$tmp/pgbench.out" 2>&1
check "$clients clients x $per_client referrals: pgbench finishes, no client aborted" "$?" "0"
total=$((clients * per_client))
check "every attempt recorded" "$(q -c "SELECT count(*) FROM attempt")" "$total"
check "every refusal is a full quota (23514)" "$(q -c "SELECT count(*) FROM attempt WHERE outcome NOT IN ('ok', '23514') OR (outcome = '23514' AND message NOT LIKE '%is full:%')")" "0"
check "... with fewer places left than persons asked" \
      "$(q -c "SELECT count(*) FROM attempt WHERE outcome = '23514'
                  AND (regexp_match(message, 'full: (\d+) places left'))[1]::int >= persons")" "0"
check "no quota exceeded; referred = persons of accepted referrals" \
      "$(q -c "SELECT count(*) FROM settle.municipal_quota mq
                WHERE year = 2027 AND municipality IN ('1060', '1081', '1082', '1083')
                  AND (referred > quota OR referred <> (SELECT coalesce(sum(persons), 0) FROM attempt a
                                                          WHERE a.municipality = mq.municipality AND outcome = 'ok'))")" "0"
check "every accepted referral is in the decision log" \
      "$(q -c "SELECT (SELECT count(*) FROM attempt WHERE outcome = 'ok') = (SELECT count(*) FROM settle.decision_log WHERE kind = 'referral')")" "t"
check "the audit is clean; sealed, the log's chain is intact and complete" \
      "$(q -c "SELECT settle.seal_log()" >/dev/null; q -c "SELECT (SELECT count(*) FROM settle.audit()) = 0
                  AND (SELECT intact AND unsealed = 0 FROM settle.verify_log())")" "t"
echo "# $(q -c "SELECT format('%s accepted, %s refused as full; places used: %s', count(*) FILTER (WHERE outcome = 'ok'),
                count(*) FILTER (WHERE outcome = '23514'),
                (SELECT string_agg(municipality || ' ' || referred || '/' || quota, ', ' ORDER BY municipality)
                   FROM settle.municipal_quota WHERE year = 2027 AND municipality IN ('1060', '1081', '1082', '1083')))
                FROM attempt")"
exit $failed
