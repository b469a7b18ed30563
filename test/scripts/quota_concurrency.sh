#!/usr/bin/env bash
# TAP: the quota rules hold under concurrent transactions (READ COMMITTED,
# the default): two revisions that are each fine alone but together would push
# a kommuntal below the persons referred; a referral racing a quota cut; and
# eight clients referring at once to a small quota; a mixed load of
# referrals, withdrawals and revisions that must end with an empty audit
# (times are stamped under the quota row lock, so no false alarm).  Runs in the cluster that
# test/check.sh started (PG* variables).
set -uo pipefail
db=settle_concurrency
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$(dirname "$0")/../lib/tap.sh"
echo "1..10"
dropdb --if-exists $db 2>/dev/null
createdb $db || { echo "Bail out! createdb failed"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-conc.XXXXXX")
trap 'dropdb --if-exists $db; rm -rf "$tmp"' EXIT
q -c "CREATE EXTENSION settle;
      INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, 20000);
      INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
      INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;" >/dev/null
q -c "SELECT count(*) FROM settle.decide_county_quotas(2027, 'Ju-1');" >/dev/null
q -c "SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'Lst-1');" >/dev/null
# Blekinge: Karlskrona 20 places, 12 persons referred; Ronneby and Karlshamn take places from it
q -c "SELECT count(*) FROM settle.revise_quotas(2027, 'setup', ARRAY['1080', '1082']::settle.kommunkod[],
          ARRAY[20 - (SELECT quota FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1080'),
                (SELECT quota FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1080') - 20]);
      SELECT settle.refer(settle.register_household('H-' || g, 'abo', 3, '1080', '2026-10-01'), '1080', '2027-01-05 10:00+01')
        FROM generate_series(1, 4) g;" >/dev/null

# 1. two revisions, each taking 5 of Karlskrona's 8 free places, race
q -c "BEGIN; SELECT count(*) FROM settle.revise_quotas(2027, 'AGR-A', ARRAY['1080', '1081']::settle.kommunkod[], ARRAY[-5, 5]);
      SELECT pg_sleep(1); COMMIT;" >"$tmp/a.out" 2>&1 &
sleep 0.3
q -c "SELECT count(*) FROM settle.revise_quotas(2027, 'AGR-B', ARRAY['1080', '1082']::settle.kommunkod[], ARRAY[-5, 5]);" >"$tmp/b.out" 2>&1
wait
check "the first revision commits" "$(grep -c ERROR "$tmp/a.out")" "0"
check "the second waits for it, then is refused below referred" \
      "$(grep -o 'would be 10 (below the 12 persons already referred)' "$tmp/b.out")" "would be 10 (below the 12 persons already referred)"
check "Karlskrona ends at 15 >= 12 referred, Ronneby got the 5" "$(q -c "SELECT quota || ' ' || referred FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1080'")" "15 12"

# 2. a quota cut to what is referred races a new referral
q -c "BEGIN; UPDATE settle.municipal_quota SET quota = quota - 3, decision_ref = 'cut' WHERE year = 2027 AND municipality = '1080';
      UPDATE settle.municipal_quota SET quota = quota + 3, decision_ref = 'cut' WHERE year = 2027 AND municipality = '1081';
      SELECT pg_sleep(1); COMMIT;" >"$tmp/c.out" 2>&1 &
sleep 0.3
q -c "SELECT settle.refer(settle.register_household('H-9', 'abo', 2, '1080', '2026-10-09'), '1080', '2027-01-06 10:00+01')" >"$tmp/d.out" 2>&1
wait
check "the cut commits" "$(grep -c ERROR "$tmp/c.out")" "0"
check "the racing referral sees the cut and is refused as full" "$(grep -o 'is full: 0 places left' "$tmp/d.out")" "is full: 0 places left"

# 3. eight clients refer 6 households each (1-3 persons) to Sölvesborg's quota at once
q -c "SELECT count(*) FROM settle.revise_quotas(2027, 'small', ARRAY['1083', '1082']::settle.kommunkod[],
          ARRAY[10 - (SELECT quota FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1083'),
                (SELECT quota FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1083') - 10]);" >/dev/null
quota=$(q -c "SELECT quota FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1083'")
for c in 1 2 3 4 5 6 7 8; do
    (for k in 1 2 3 4 5 6; do
        p=$(( (c * 7 + k * 3) % 3 + 1 ))
        psql -X -q -A -t -d $db -c "SELECT settle.refer(settle.register_household('C$c-$k', 'abo', $p, '1083', '2026-11-01'), '1083', '2027-01-07 10:00+01')" 2>&1
     done) >"$tmp/client$c.out" &
done
wait
cat "$tmp"/client*.out > "$tmp/all.out"
accepted=$(grep -cE '^[0-9]+$' "$tmp/all.out")
full=$(grep -c 'ERROR:  the kommuntal of 1083 Sölvesborg for 2027 is full' "$tmp/all.out")
other=$(grep 'ERROR' "$tmp/all.out" | grep -vc 'is full')
check "48 referral attempts: each accepted or refused as full, no other error" "$((accepted + full)) $other" "48 0"
check "the quota was never exceeded" "$(q -c "SELECT (referred <= quota) || ' ' || (referred = (SELECT coalesce(sum(persons), 0) FROM settle.referral WHERE year = 2027 AND municipality = '1083' AND status <> 'withdrawn')) FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1083'")" "true true"
q -c "SELECT settle.seal_log()" >/dev/null
check "every accepted referral is in the log and the audit is clean" \
      "$(q -c "SELECT (SELECT count(*) FROM settle.decision_log WHERE kind = 'referral' AND subject = '1083') = $accepted
                  AND (SELECT count(*) FROM settle.audit()) = 0
                  AND (SELECT intact AND unsealed = 0 FROM settle.verify_log())")" "t"
echo "# quota 1083: $quota; accepted $accepted, refused as full $full"

# 4. a mixed load on Karlskrona and Ronneby: four clients refer, withdraw
#    and revise (moving places back and forth) at once
q -c "SELECT count(*) FROM settle.revise_quotas(2027, 'mixed', ARRAY['1080', '1081']::settle.kommunkod[], ARRAY[30, -30])" >/dev/null 2>&1 || true
cat > "$tmp/mixed.sql" <<'SQL'
\set p random(1, 3)
\set k random(1, 3)
SELECT mixed_step(:client_id, :p, :k);
SQL
q -c "CREATE FUNCTION public.mixed_step(c integer, p integer, k integer) RETURNS void LANGUAGE plpgsql AS \$\$
      DECLARE m settle.kommunkod := (ARRAY['1080', '1081'])[1 + (c + p) % 2]; r bigint;
      BEGIN
        IF k = 1 THEN
          PERFORM settle.refer(settle.register_household('M-' || c || '-' || clock_timestamp(), 'abo', p, m, '2026-10-01'), m, '2027-02-01 10:00+01');
        ELSIF k = 2 THEN
          SELECT id INTO r FROM settle.referral WHERE status = 'issued' AND municipality IN ('1080', '1081') ORDER BY random() LIMIT 1;
          IF r IS NOT NULL THEN PERFORM settle.withdraw(r, 'mixed load'); END IF;
        ELSE
          PERFORM settle.revise_quotas(2027, 'mixed-' || c, ARRAY['1080', '1081']::settle.kommunkod[], CASE WHEN p = 1 THEN ARRAY[-1, 1] ELSE ARRAY[1, -1] END);
        END IF;
      EXCEPTION WHEN check_violation OR unique_violation OR serialization_failure OR deadlock_detected THEN
        NULL;       -- a full quota or a revision below referred: refused, as it should be
      END \$\$" >/dev/null
pgbench -n -c 4 -j 2 -t 60 -f "$tmp/mixed.sql" $db >"$tmp/mixed.out" 2>&1
check "mixed load (refer, withdraw, revise; 4 clients x 60): pgbench finishes" "$?" "0"
q -c "SELECT settle.seal_log()" >/dev/null
check "... and ends with an empty audit and an intact log" \
      "$(q -c "SELECT (SELECT count(*) FROM settle.audit()) || ' ' || (SELECT intact FROM settle.verify_log())
                  || ' ' || ((SELECT count(*) FROM settle.referral WHERE status = 'withdrawn') > 0)
                  || ' ' || ((SELECT count(*) FROM settle.revision WHERE agreement_ref LIKE 'mixed-%') > 0)")" "0 true true true"
exit $failed
