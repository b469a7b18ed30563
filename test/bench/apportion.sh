#!/usr/bin/env bash
# test/bench/apportion.sh: settle.apportion (C) on 21 to 1,000,000 units,
# every method, in one run, against
#   - the floor: the same arrays unnested to one row per unit (interleaved
#     with settle's runs), what any function of these arguments pays;
#   - a plain PL/pgSQL implementation (test/lib/apportion_reference.sql), to
#     10,000 units (BENCH_BASELINE_UP_TO);
#   - numpy (test/bench/apportion_numpy.py, Debian's python3-numpy) at
#     100,000 and 1,000,000 units, the method alone, data in memory;
# and settle.apportion_seats, the same apportionment as arrays (its seats
# checked equal to settle.apportion's).  Prints min and median ms and the
# backend's peak memory growth (VmHWM) during settle's runs (both forms).  A benchmark, not a test: it asserts only that the
# implementations give the same seats (numpy: outside exact ties).
#
#   bash test/bench/apportion.sh                  # from nothing, like test/check.sh
#   BENCH_REPS=10 BENCH_BASELINE_UP_TO=1000 bash test/bench/apportion.sh
#   BENCH_SIZES="100000 1000000" bash test/bench/apportion.sh   # some sizes only
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
SETTLE_PACKAGES="$SETTLE_PACKAGES python3-numpy"
settle_setup
run() {
    cd "$SETTLE_TOP"
    local reps=${BENCH_REPS:-5} upto=${BENCH_BASELINE_UP_TO:-10000} tmp
    local q="psql -X -q -At -v ON_ERROR_STOP=1"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-bench.XXXXXX")
    $q -f test/bench/apportion.sql >/dev/null
    printf 'settle.apportion (C), %s interleaved runs each; work_mem %s; %s cores\n' "$reps" "$($q -c 'SHOW work_mem')" "$(nproc)"
    printf '%8s  %-16s %14s %14s %10s %14s %12s %11s %10s %14s %10s\n' units method "C min/med ms" "floor min/med" "C/floor" \
        "arrays min/med" "PL/pgSQL ms" "numpy ms" "C/numpy" "arrays/numpy" "C peak MB"
    for n in ${BENCH_SIZES:-21 290 1000 10000 100000 1000000}; do
        [ "$n" -ge 100000 ] && $q -c "\\copy (SELECT unnest(weights) FROM bench_instance WHERE units = $n) TO '$tmp/w.txt'"
        for m in hamilton dhondt sainte_lague huntington_hill adams; do
            # a fresh backend for settle's runs, so its peak RSS growth is theirs
            local c hwm0 cmin cmed fmin fmed amin amed hwm1 b np ratio aratio
            c=$($q -F ' ' -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]" \
                   -c "SELECT * FROM bench_c($n, '$m', $reps)" \
                   -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]" | tr '\n' ' ')
            read -r hwm0 cmin cmed fmin fmed amin amed hwm1 <<<"$c"
            b=-
            if [ "$n" -le "$upto" ]; then
                b=$($q -c "SET work_mem = '256MB'" -c "SELECT bench_plpgsql($n, '$m', $([ "$n" -le 1000 ] && echo "$reps" || echo 1))")
            fi
            np=-; ratio=-; aratio=-
            if [ "$n" -ge 100000 ]; then
                $q -c "\\copy (SELECT a.seats, a.tie FROM bench_instance i, settle.apportion(i.total, i.keys, i.weights, '$m') a WHERE i.units = $n) TO '$tmp/s.txt'"
                read -r np differ <<<"$(/usr/bin/python3 test/bench/apportion_numpy.py "$tmp/w.txt" "$((5 * n))" "$m" "$reps" "$tmp/s.txt")"
                [ "$differ" = 0 ] || { echo "numpy and settle.apportion differ on $differ units outside ties ($n, $m)" >&2; exit 1; }
                ratio=$(awk -v c="$cmin" -v p="$np" 'BEGIN { printf "%.1fx", c / p }')
                aratio=$(awk -v c="$amin" -v p="$np" 'BEGIN { printf "%.1fx", c / p }')
            fi
            printf '%8s  %-16s %14s %14s %10s %14s %12s %11s %10s %14s %10.1f\n' "$n" "$m" "$cmin/$cmed" "$fmin/$fmed" \
                "$(awk -v c="$cmin" -v f="$fmin" 'BEGIN { printf "%.2f", c / (f > 0 ? f : 0.01) }')" "$amin/$amed" "$b" "$np" "$ratio" "$aratio" "$(( hwm1 - hwm0 ))e-3"
        done
    done
    rm -rf "$tmp"
}
export -f run
settle_in_cluster bash -c run
