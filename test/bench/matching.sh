#!/usr/bin/env bash
# test/bench/matching.sh: settle's matching modes against HiGHS, on
# generated instances (test/bench/match_instance.sql, seeded) of the real 290
# municipalities, and settle's C core on 1,500 synthetic regions
# (test/bench/match_regions.sql).  A benchmark: it prints figures and ratios
# measured in this run and asserts nothing about speed.  See
# test/bench/README.md.
#
#   bash test/bench/matching.sh                  # S, L, XL and XL on regions
#   BENCH_SIZES="S" bash test/bench/matching.sh  # only S
#   BENCH_HIGHS=0 BENCH_LIMITS=0 BENCH_SIZES="S L" ...   # only settle: the
#   end-to-end table (BENCH_REPS interleaved runs, default 3), the LP table
#   (settle's network simplex against LEMON's and HiGHS's LP on the same
#   class-level LP; BENCH_LP=0 leaves it out) and the modes
#   HIGHS_TIME_LIMIT_S=600 HIGHS_CANDIDATES=0 ...   (defaults: 300 s; all
#   feasible municipalities on S, the 60 cheapest on L; no HiGHS on XL unless
#   HIGHS_XL=1)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
SETTLE_PACKAGES="$SETTLE_PACKAGES python3-scipy python3-numpy liblemon-dev g++"
settle_setup

SEED=${BENCH_SEED:-0.42}
RATIO=${BENCH_RATIO:-1.02}
AS_OF=2027-01-15

size_households() {
    case $1 in S) echo 8000 ;; L) echo 80000 ;; XL) echo 400000 ;; *) die "unknown size $1 (S, L, XL)" ;; esac
}

# one mode, end to end through settle.match(), in a fresh session with jit
# on or off: seconds and the backend's peak resident memory (MB)
end_to_end() {
    local db=$1 mode=$2 jit=${3:-on} out ms kb
    out=$(psql -X -At -d "$db" -c "SET jit = $jit" -c '\timing on' \
              -c "SELECT count(*) FROM settle.match(2027, '$AS_OF', '$mode')" \
              -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]")
    ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | head -1)
    kb=$(printf '%s\n' "$out" | grep -E '^[0-9]+$' | tail -1)
    awk -v ms="$ms" -v kb="$kb" 'BEGIN { printf "%.2f %.0f\n", ms / 1000, kb / 1024 }'
}

# end to end against the core, both modes, jit on and off, BENCH_REPS (3)
# interleaved repetitions: min and median ms, and the issue's target
# (end to end <= 2 x core + 50 ms)
end_to_end_table() {
    local db=$1 reps=${BENCH_REPS:-3} r mode jit
    local tmp
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-e2e.XXXXXX")
    for r in $(seq "$reps"); do
        for mode in chronological optimal; do
            # the core alone, as settle.match_summary calls it (without the
            # fairness figures, which run two proposals)
            psql -X -At -d "$db" -c "SELECT s.core_ms FROM settle.match_problem(2027, '$AS_OF') p,
                settle.match_core_summary(p.persons, p.residence, p.needs, p.fixed, p.capacity, p.planned, p.able, p.paused, p.cost,
                    '$mode', settle.setting_km('matching.unplaced_km'),
                    CASE WHEN '$mode' = 'optimal' THEN settle.max_extra_km() ELSE -1 END,
                    p.counted_uses, p.counted, p.first_count, p.zones, p.link) s" >>"$tmp/core_$mode"
            for jit in on off; do
                end_to_end "$db" "$mode" "$jit" | awk '{ print $1 * 1000 }' >>"$tmp/e2e_${mode}_$jit"
            done
        done
    done
    printf '%-14s %14s %18s %18s %12s %s\n' mode "core min/med" "jit on min/med" "jit off min/med" target "met (jit on)"
    for mode in chronological optimal; do
        local c on off cmin target
        c=$(min_median <"$tmp/core_$mode"); on=$(min_median <"$tmp/e2e_${mode}_on"); off=$(min_median <"$tmp/e2e_${mode}_off")
        cmin=${c%% *}
        target=$(( 2 * cmin + 50 ))
        printf '%-14s %14s %18s %18s %12s %s\n' "$mode" "${c/ //} ms" "${on/ //} ms" "${off/ //} ms" "$target ms" \
            "$([ "${on%% *}" -le "$target" ] && echo yes || echo "no ($(awk -v a="${on%% *}" -v t="$target" 'BEGIN { printf "%.1fx", a / t }'))")"
    done
    rm -rf "$tmp"
}

# the class-level LP of settle's optimal mode (test/bench/lp/to_dimacs.py) solved
# by settle's network simplex (src/mcf.c, as settle solves it and with every
# arc at once), by LEMON's NetworkSimplex and by HiGHS's dual simplex;
# BENCH_REPS interleaved runs, min/median ms; every solver's cost must agree
lp_table() {
    local db=$1 reps=${BENCH_REPS:-3} tmp r
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-lp.XXXXXX")
    psql -X -At -d "$db" -c "SELECT row_to_json(p) FROM settle.match_problem(2027, '$AS_OF') p" >"$tmp/problem.json"
    /usr/bin/python3 test/bench/lp/to_dimacs.py "$tmp/problem.json" \
        "$(psql -X -At -d "$db" -c "SELECT value FROM settle.setting WHERE name = 'matching.unplaced_km'")" >"$tmp/lp.min"
    g++ -O2 -o "$tmp/lemon_mcf" test/bench/lp/lemon_mcf.cpp
    gcc -O2 -Isrc -o "$tmp/settle_mcf" test/bench/lp/settle_mcf.c src/mcf.c -lm
    for r in $(seq "$reps"); do
        "$tmp/settle_mcf" "$tmp/lp.min" 1 >>"$tmp/runs"
        "$tmp/lemon_mcf" "$tmp/lp.min" 1 >>"$tmp/runs"
        /usr/bin/python3 test/bench/lp/highs_lp.py "$tmp/lp.min" >>"$tmp/runs"
    done
    printf '  class-level LP: %s\n' "$(sed -n 's/^c settle class-level LP: //p' "$tmp/lp.min"), $(sed -n 's/^p min [0-9]* //p' "$tmp/lp.min") arcs"
    [ "$(awk '{ print $4 }' "$tmp/runs" | sort -u | wc -l)" = 1 ] || { cat "$tmp/runs"; die "the LP solvers disagree on the cost"; }
    local lemon way mm
    lemon=$(awk '$1 == "lemon" { print $2 }' "$tmp/runs" | min_median)
    printf '  %-34s %16s %14s %16s\n' solver "min/median ms" "cost (m)" "min vs LEMON"
    for way in priced full lemon highs; do
        mm=$(awk -v w="$way" '$1 == w { print $2 }' "$tmp/runs" | min_median)
        printf '  %-34s %16s %14s %16s\n' \
            "$(case $way in priced) echo "settle (as the core solves it)" ;; full) echo "settle (every arc at once)" ;;
                             lemon) echo "LEMON NetworkSimplex" ;; highs) echo "HiGHS LP (dual simplex)" ;; esac)" \
            "${mm/ //}" "$(awk -v w="$way" '$1 == w { print $4; exit }' "$tmp/runs")" \
            "$(awk -v a="${mm%% *}" -v b="${lemon%% *}" 'BEGIN { printf "%.2fx", a / b }')"
    done
    rm -rf "$tmp"
}

summary() {
    psql -X -At -F ' ' -d "$1" -c "SELECT persons_placed, persons_unplaced, objective_km, coalesce(lower_bound_km, -1), core_ms
                                      FROM settle.match_summary(2027, '$AS_OF', '$2')"
}

run() {
    cd "$SETTLE_TOP"
    local tmp size n db unplaced
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-bench.XXXXXX")
    printf 'Matching benchmark: seed %s, capacity = %s x persons, as of %s; %s\n' "$SEED" "$RATIO" "$AS_OF" "$(nproc) cores"
    for size in ${BENCH_SIZES:-S L XL}; do
        n=$(size_households "$size")
        db=bench_match_$(echo "$size" | tr 'A-Z' 'a-z')
        createdb "$db"
        psql -X -q -d "$db" -v households="$n" -v seed="$SEED" -v ratio="$RATIO" -f test/bench/match_instance.sql >/dev/null
        unplaced=$(psql -X -At -d "$db" -c "SELECT value FROM settle.setting WHERE name = 'matching.unplaced_km'")
        printf '\n== %s: %s households on 290 municipalities\n' "$size" "$n"
        local c_e2e c_mem c_sum o_e2e o_mem o_sum
        read -r c_e2e c_mem <<<"$(end_to_end "$db" chronological)"
        read -r o_e2e o_mem <<<"$(end_to_end "$db" optimal)"
        c_sum=$(summary "$db" chronological)
        o_sum=$(summary "$db" optimal)
        printf '%-14s %9s %9s %14s %14s %8s %9s %9s %8s\n' mode placed unplaced objective_km lower_bound gap_% core_s total_s peak_MB
        awk -v c="$c_sum" -v e="$c_e2e" -v m="$c_mem" 'BEGIN { split(c, a, " ");
            printf "%-14s %9d %9d %14.1f %14s %8s %9.2f %9.2f %8d\n", "chronological", a[1], a[2], a[3], "-", "-", a[5] / 1000, e, m }'
        awk -v c="$o_sum" -v e="$o_e2e" -v m="$o_mem" 'BEGIN { split(c, a, " ");
            printf "%-14s %9d %9d %14.1f %14.1f %8.3f %9.2f %9.2f %8d\n", "optimal", a[1], a[2], a[3], a[4], (a[3] - a[4]) / a[4] * 100, a[5] / 1000, e, m }'
        if [ "$size" != XL ]; then
            printf 'end to end (settle.match, count(*) in a fresh session) against the core:\n'
            end_to_end_table "$db"
        fi
        if [ "$size" != XL ] && [ "${BENCH_LP:-1}" = 1 ]; then
            printf 'the LP relaxation alone: settle against LEMON and HiGHS (same network, same cost):\n'
            lp_table "$db"
        fi
        if [ "$size" != XL ] && [ "${BENCH_LIMITS:-1}" = 1 ]; then
            # no one pays alone for the total: the optimal mode with a limit on
            # how much farther (proximity cost) than chronologically any one
            # household may be placed (matching.max_individual_extra_km)
            printf 'optimal with a limit per household (matching.max_individual_extra_km):\n'
            printf '  %-6s %14s %14s %14s %10s %10s %14s %8s\n' limit persons_placed proximity_km lower_bound better_off worse_off max_extra_km total_s
            local lim
            for lim in 0 10 25 50 none; do
                psql -X -q -At -F ' ' -d "$db" -c "UPDATE settle.setting SET value = '$lim' WHERE name = 'matching.max_individual_extra_km'" \
                     -c '\timing on' \
                     -c "SELECT persons_placed, proximity_km, lower_bound_km, better_off, worse_off, max_extra_km
                           FROM settle.match_summary(2027, '$AS_OF', 'optimal')" |
                    awk -v lim="$lim" '/^Time:/ { t = $2 / 1000; next } NF == 6 { row = $0 } END {
                        split(row, a, " "); printf "  %-6s %14d %14.1f %14.1f %10d %10d %14.1f %8.2f\n", lim, a[1], a[2], a[3], a[4], a[5], a[6], t }'
            done
            psql -X -q -d "$db" -c "UPDATE settle.setting SET value = 'none' WHERE name = 'matching.max_individual_extra_km'"
        fi
        if { [ "$size" != XL ] || [ "${HIGHS_XL:-0}" = 1 ]; } && [ "${BENCH_HIGHS:-1}" = 1 ]; then
            local cand limit h
            cand=${HIGHS_CANDIDATES:-$([ "$size" = S ] && echo 0 || echo 60)}
            limit=${HIGHS_TIME_LIMIT_S:-300}
            psql -X -At -d "$db" -c "SELECT row_to_json(p) FROM settle.match_problem(2027, '$AS_OF') p" >"$tmp/problem.json"
            h=$(/usr/bin/python3 test/bench/highs_match.py "$tmp/problem.json" "$unplaced" "$limit" "$cand")
            printf 'HiGHS (%s candidates per household, time limit %s s): %s\n' \
                "$([ "$cand" = 0 ] && echo all feasible || echo "$cand")" "$limit" "$h"
            awk -v o="$o_sum" -v e="$o_e2e" -v h="$h" -v cand="$cand" 'BEGIN {
                split(o, a, " "); n = split(h, kv, " ");
                for (i = 1; i <= n; i++) { split(kv[i], p, "="); H[p[1]] = p[2] }
                if (H["objective"] == "none")
                    printf "ratios: HiGHS found no integer solution within its time limit\n";
                else
                    printf "ratios: settle optimal objective / HiGHS objective = %.5f\n", a[3] / H["objective"];
                if (cand == 0)
                    printf "        settle optimal objective / HiGHS LP bound = %.5f (the same LP as settle'"'"'s bound)\n", a[3] / H["lp_bound"];
                else
                    printf "        (HiGHS saw only %d candidates per household: its LP value %s is not a bound for the full problem)\n", cand, H["lp_bound"];
                printf "        HiGHS MILP time / settle optimal time = %.0fx (end to end %.2f s, core %.2f s)\n", H["mip_s"] / e, e, a[5] / 1000 }'
        fi
        dropdb "$db"
    done
    if [ -z "${BENCH_SIZES:-}" ] || [[ " ${BENCH_SIZES} " == *" XL "* ]]; then
        printf '\n== XL on regions: 400000 households (placements) on 1,500 synthetic regions, C core only\n'
        createdb bench_match_regions
        psql -X -q -At -F ' ' -d bench_match_regions -v households=400000 -v seed="$SEED" -v ratio="$RATIO" \
             -f test/bench/match_regions.sql \
             -c "SELECT 'chronological', s.persons_placed, s.persons_unplaced, round(s.objective_km), s.core_ms
                   FROM regions_problem p, settle.match_core_summary(p.persons, p.residence, p.needs, p.fixed, p.capacity,
                        p.planned, p.able, p.paused, p.cost, 'chronological') s" \
             -c "SELECT 'optimal', s.persons_placed, s.persons_unplaced, round(s.objective_km), s.core_ms, round(s.lower_bound_km),
                        round(((s.objective_km - s.lower_bound_km) / s.lower_bound_km * 100)::numeric, 3), s.classes, s.pivots
                   FROM regions_problem p, settle.match_core_summary(p.persons, p.residence, p.needs, p.fixed, p.capacity,
                        p.planned, p.able, p.paused, p.cost, 'optimal') s" \
             -c "SELECT 'peak_MB', (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]::int / 1024" |
            awk 'NF > 2 && $1 == "chronological" { printf "chronological: placed %d persons, unplaced %d, objective %d km, core %.2f s\n", $2, $3, $4, $5 / 1000 }
                 NF > 2 && $1 == "optimal" { printf "optimal:       placed %d persons, unplaced %d, objective %d km, core %.2f s, lower bound %d km, gap %s %%, %d classes, %d pivots\n", $2, $3, $4, $5 / 1000, $6, $7, $8, $9 }
                 $1 == "peak_MB" { printf "backend peak memory (generation included): %d MB\n", $2 }'
        dropdb bench_match_regions
    fi
    rm -rf "$tmp"
}
settle_in_cluster run
