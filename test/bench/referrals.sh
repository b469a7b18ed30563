#!/usr/bin/env bash
# test/bench/referrals.sh: throughput of settle.refer with 1, 4 and 16
# clients, against the naive alternative (check the remaining places with a
# SELECT, then INSERT, no locking), measured in the same run; then both under
# contention on small quotas, counting how many quotas the naive way overran.
# A benchmark: it prints figures and asserts nothing about speed.
#
#   bash test/bench/referrals.sh                 # from nothing, like test/check.sh
#   BENCH_SECONDS=10 bash test/bench/referrals.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
settle_setup
run() {
    cd "$SETTLE_TOP"
    local secs=${BENCH_SECONDS:-5} c tps_s tps_n tmp
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-bench.XXXXXX")
    createdb bench_tp
    psql -X -q -v ON_ERROR_STOP=1 -d bench_tp -v volume=2000000 -v small=1000 -f test/lib/referral_setup.sql >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -d bench_tp >/dev/null <<'SQL'
CREATE TABLE muni AS SELECT row_number() OVER (ORDER BY code)::int AS i, code FROM settle.municipality;
ALTER TABLE muni ADD PRIMARY KEY (i);
-- households to refer, one per referral
SELECT count(settle.register_household('B-' || g, 'abo', 1 + g % 4, NULL, '2026-10-01')) FROM generate_series(1, 150000) g;
CREATE SEQUENCE next_household;
SQL
    cat > "$tmp/settle.sql" <<'SQL'
\set m random(1, 290)
SELECT settle.refer(nextval('next_household'), (SELECT code FROM muni WHERE i = :m), '2027-01-10 10:00+01');
SQL
    cat > "$tmp/naive.sql" <<'SQL'
\set m random(1, 290)
\set p random(1, 4)
SELECT naive_refer(:p, (SELECT code FROM muni WHERE i = :m));
SQL
    printf 'Throughput, %s s per run, referrals to random municipalities (290), quotas not full:\n' "$secs"
    printf '%8s %16s %16s %8s\n' clients "settle.refer/s" "naive/s" ratio
    for c in 1 4 16; do
        tps_s=$(pgbench -n -c $c -j 2 -T "$secs" -f "$tmp/settle.sql" bench_tp 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
        tps_n=$(pgbench -n -c $c -j 2 -T "$secs" -f "$tmp/naive.sql" bench_tp 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
        printf '%8s %16.0f %16.0f %8.2f\n' $c "$tps_s" "$tps_n" "$(awk -v a="$tps_s" -v b="$tps_n" 'BEGIN { print a / b }')"
    done
    psql -X -q -A -t -d bench_tp -c "SELECT format('after the runs: %s referrals, audit findings %s, log intact %s',
            (SELECT count(*) FROM settle.referral), (SELECT count(*) FROM settle.audit()), (SELECT intact FROM settle.verify_log()))"

    # contention: 16 clients on four municipalities with 30 places each
    createdb bench_small
    psql -X -q -v ON_ERROR_STOP=1 -d bench_small -v volume=20000 -v small=30 -f test/lib/referral_setup.sql >/dev/null
    cat > "$tmp/settle_small.sql" <<'SQL'
\set p random(1, 4)
\set m random(1, 4)
SELECT try_refer(:client_id, :p, (ARRAY['1060', '1081', '1082', '1083'])[:m]::settle.kommunkod);
SQL
    cat > "$tmp/naive_small.sql" <<'SQL'
\set p random(1, 4)
\set m random(1, 4)
SELECT naive_refer(:p, (ARRAY['1060', '1081', '1082', '1083'])[:m]::settle.kommunkod);
SQL
    pgbench -n -c 16 -j 2 -t 50 -f "$tmp/settle_small.sql" bench_small >/dev/null 2>&1
    pgbench -n -c 16 -j 2 -t 50 -f "$tmp/naive_small.sql" bench_small >/dev/null 2>&1
    printf '\nContention: 16 clients x 50 attempts on four quotas of 30 places:\n'
    psql -X -q -A -t -F ' ' -d bench_small -c "
        SELECT 'settle.refer: ' || string_agg(municipality || ' ' || referred || '/' || quota, ', ' ORDER BY municipality)
               || format(' -> %s of 4 quotas overrun', count(*) FILTER (WHERE referred > quota))
          FROM settle.municipal_quota WHERE year = 2027 AND municipality IN ('1060', '1081', '1082', '1083')" \
        -c "SELECT 'naive:        ' || string_agg(q.municipality || ' ' || coalesce(s.used, 0) || '/' || q.quota, ', ' ORDER BY q.municipality)
               || format(' -> %s of 4 quotas overrun, by %s persons in all', count(*) FILTER (WHERE s.used > q.quota),
                         coalesce(sum(greatest(s.used - q.quota, 0)), 0))
          FROM naive_quota q LEFT JOIN (SELECT municipality, sum(persons) AS used FROM naive_referral GROUP BY municipality) s USING (municipality)
         WHERE q.municipality IN ('1060', '1081', '1082', '1083')"
    dropdb bench_tp; dropdb bench_small; rm -rf "$tmp"
}
export -f run
export SETTLE_TOP
settle_in_cluster bash -c run
