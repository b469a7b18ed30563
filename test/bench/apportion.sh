#!/usr/bin/env bash
# test/bench/apportion.sh: settle.apportion (C) against a plain PL/pgSQL
# implementation of the same methods (test/lib/apportion_reference.sql), on
# 21, 290, 10,000 and 100,000 units, in one run.  Prints, per size and method,
# the best time of each, the ratio, and the backend's peak memory growth
# (VmHWM) during the C runs.  A benchmark, not a test: it asserts only that
# both implementations give the same seats.
#
#   bash test/bench/apportion.sh                  # from nothing, like test/check.sh
#   BENCH_REPS=10 BENCH_BASELINE_UP_TO=10000 bash test/bench/apportion.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
settle_setup
run() {
    cd "$SETTLE_TOP"
    local reps=${BENCH_REPS:-5} upto=${BENCH_BASELINE_UP_TO:-100000}
    local q="psql -X -q -At -v ON_ERROR_STOP=1"
    $q -f test/bench/apportion.sql >/dev/null
    printf '%s\n' "settle.apportion (C) vs PL/pgSQL baseline; best of $reps (baseline: best of 1 above 1,000 units)"
    printf '%8s  %-16s %10s %14s %9s %12s\n' units method "C ms" "PL/pgSQL ms" ratio "C peak MB"
    for n in 21 290 10000 100000; do
        for m in hamilton dhondt sainte_lague huntington_hill adams; do
            # a fresh backend for the C runs, so its peak RSS growth is this call's
            c=$($q -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]" \
                   -c "SELECT bench_c($n, '$m', $reps)" \
                   -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]" | tr '\n' ' ')
            read -r hwm0 ms hwm1 <<<"$c"
            if [ "$n" -le "$upto" ]; then
                b=$($q -c "SET work_mem = '256MB'" -c "SELECT bench_plpgsql($n, '$m', $([ "$n" -le 1000 ] && echo "$reps" || echo 1))")
                ratio=$(awk -v b="$b" -v c="$ms" 'BEGIN { printf "%.0fx", b / (c > 0 ? c : 0.01) }')
            else
                b=-; ratio=-
            fi
            printf '%8s  %-16s %10s %14s %9s %12.1f\n' "$n" "$m" "$ms" "$b" "$ratio" "$(( hwm1 - hwm0 ))e-3"
        done
    done
}
export -f run
settle_in_cluster bash -c run
