#!/usr/bin/env bash
# test/bench/referrals.sh: throughput of settle.refer with 1, 4 and 16
# clients, against
#   - the floor: one statement that inserts a referral row and bumps a
#     counter of persons referred (what recording a referral costs at least);
#   - the naive alternative (check the remaining places with a SELECT, then
#     INSERT, no locking);
# BENCH_REPS (3) interleaved runs each, min and median, with the WAL written
# per referral; then settle and the naive way under contention on small
# quotas, counting how many quotas the naive way overran.  A benchmark: it
# prints figures and asserts nothing about speed.
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
-- the floor: a referral row and a counter, in one statement
CREATE TABLE floor_quota (municipality settle.kommunkod PRIMARY KEY, referred integer NOT NULL DEFAULT 0);
INSERT INTO floor_quota SELECT code FROM settle.municipality;
CREATE TABLE floor_referral (id bigserial PRIMARY KEY, household bigint, municipality settle.kommunkod, persons integer,
                             decided_at timestamptz);
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
    cat > "$tmp/floor.sql" <<'SQL'
\set m random(1, 290)
\set p random(1, 4)
WITH q AS (UPDATE floor_quota SET referred = referred + :p WHERE municipality = (SELECT code FROM muni WHERE i = :m) RETURNING municipality)
INSERT INTO floor_referral (household, municipality, persons, decided_at) SELECT nextval('next_household'), q.municipality, :p, now() FROM q;
SQL
    # one pgbench run: "tps wal_bytes_per_transaction"
    bench_run() {
        local c=$1 script=$2 lsn0 out tx tps lsn1
        lsn0=$(psql -X -At -d bench_tp -c "SELECT pg_current_wal_insert_lsn()")
        out=$(pgbench -n -c "$c" -j 2 -T "$secs" -f "$script" bench_tp 2>&1)
        # settle's log entries are chained by settle.seal_log() after commit
        # (055_decision_log.sql): that WAL belongs to the referrals too
        [ "$script" != "$tmp/settle.sql" ] || psql -X -q -At -d bench_tp -c "SELECT settle.seal_log()" >/dev/null
        lsn1=$(psql -X -At -d bench_tp -c "SELECT pg_current_wal_insert_lsn()")
        tx=$(printf '%s\n' "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
        [ -n "$tx" ] || { printf 'pgbench failed (%s clients, %s):\n%s\n' "$c" "$script" "$out" >&2; return 1; }
        tps=$(printf '%s\n' "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
        local res
        res=$(psql -X -At -d bench_tp -c "SELECT '$tps', round(pg_wal_lsn_diff('$lsn1', '$lsn0') / greatest($tx, 1))")
        # (one run at 16 clients once printed no WAL figure: say what was seen if it happens again)
        [[ "$res" == *'|'[0-9]* ]] || printf 'referrals.sh: no WAL figure (%s clients): lsn0=%s lsn1=%s tx=%s tps=%s result=%s\n' \
            "$c" "$lsn0" "$lsn1" "$tx" "$tps" "$res" >&2
        printf '%s\n' "$res"
    }
    local reps=${BENCH_REPS:-3} r k
    printf 'Throughput, %s s per run, %s interleaved runs, referrals to random municipalities (290), quotas not full:\n' "$secs" "$reps"
    printf '%8s %18s %18s %18s %10s %10s %12s %12s\n' clients "settle/s min/med" "floor/s min/med" "naive/s min/med" \
        "vs floor" "WAL settle" "WAL floor" "WAL ratio"
    for c in 1 4 16; do
        : >"$tmp/s_tps"; : >"$tmp/f_tps"; : >"$tmp/n_tps"; : >"$tmp/s_wal"; : >"$tmp/f_wal"
        for r in $(seq "$reps"); do
            for k in s f n; do
                local script=$tmp/settle.sql
                [ "$k" = f ] && script=$tmp/floor.sql
                [ "$k" = n ] && script=$tmp/naive.sql
                bench_run "$c" "$script" | tr '|' ' ' | { read -r t w; echo "$t" >>"$tmp/${k}_tps"; echo "$w" >>"$tmp/${k}_wal"; }
            done
        done
        local st ft nt sw fw
        st=$(min_median <"$tmp/s_tps" | tr ' ' /); ft=$(min_median <"$tmp/f_tps" | tr ' ' /); nt=$(min_median <"$tmp/n_tps" | tr ' ' /)
        sw=$(sort -g "$tmp/s_wal" | sed -n "$(( (reps + 1) / 2 ))p"); fw=$(sort -g "$tmp/f_wal" | sed -n "$(( (reps + 1) / 2 ))p")
        printf '%8s %18s %18s %18s %10s %10s %12s %12s\n' "$c" "$st" "$ft" "$nt" \
            "$(awk -v a="${st#*/}" -v b="${ft#*/}" 'BEGIN { printf "%.2fx", a / b }')" "$sw B" "$fw B" \
            "$(awk -v a="$sw" -v b="$fw" 'BEGIN { printf "%.1fx", a / b }')"
    done
    printf '(medians compared; WAL: bytes per transaction, median run; targets: >= 0.7x the floor at 16 clients, <= 2.5x its WAL)\n'
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
export -f run min_median
export SETTLE_TOP
settle_in_cluster bash -c run
