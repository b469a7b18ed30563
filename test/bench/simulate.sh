#!/usr/bin/env bash
# test/bench/simulate.sh: a year of referrals on the real 2018 kommuntal with a
# seeded year of arrivals (test/bench/simulate_arrivals.sql), played
# half-monthly by settle.simulate_year in both modes: a baseline without the
# plan and fairness rules (matching.plan_lead_months 12, nothing held, no
# priority, no split), then the fairness rules alone, then with the annual
# plan held with a lead of one month and of none; person-km against the
# baseline measured in the same run.  A benchmark: it prints figures and
# ratios and asserts nothing about speed.  See test/bench/README.md.
#
#   bash test/bench/simulate.sh                       # 5,100 households, seed 0.42
#   BENCH_HOUSEHOLDS=2000 BENCH_SEED=0.7 bash test/bench/simulate.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
settle_setup

SEED=${BENCH_SEED:-0.42}
N=${BENCH_HOUSEHOLDS:-5100}
DAYS=${BENCH_BATCH_DAYS:-15}

run() {
    cd "$SETTLE_TOP"
    local db=bench_simulate tmpdir
    tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/settle_sim.XXXXXX")
    createdb "$db"
    printf 'Year simulator: 2018 kommuntal (15,200 places), %s households (seed %s), a batch every %s days; %s cores\n' \
        "$N" "$SEED" "$DAYS" "$(nproc)"
    psql -X -q -At -d "$db" -v households="$N" -v seed="$SEED" -f test/bench/simulate_arrivals.sql |
        awk -F'|' 'NF == 2 { printf "arrivals: %d households, %d persons\n", $1, $2 }'
    printf '\n%-44s %8s %9s %9s %11s %9s %7s %10s %10s %10s %10s %12s %6s %6s\n' run referred months_ah max_ahead passed_over where_fit beyond \
        med_hard p90_hard med_other p90_other person_km km_x secs
    local mode cfg lead reserve first split name
    declare -A base
    for cfg in "12 0 none none" "12 10 60 county" "1 10 60 county" "0 10 60 county"; do
        read -r lead reserve first split <<<"$cfg"
        for mode in chronological optimal; do
            if [ "$lead" = 12 ] && [ "$first" = none ]; then name="$mode, baseline (no plan, no fairness rules)"
            elif [ "$lead" = 12 ]; then name="$mode, no plan, fairness rules"
            else name="$mode, plan lead $lead, fairness rules"; fi
            psql -X -q -d "$db" -c "VACUUM ANALYZE" >/dev/null   # each run from the same state and statistics
            psql -X -q -At -F ' ' -d "$db" \
                 -c "UPDATE settle.setting SET value = '$lead' WHERE name = 'matching.plan_lead_months'" \
                 -c "UPDATE settle.setting SET value = '$reserve' WHERE name = 'matching.reserve_counted_until_month'" \
                 -c "UPDATE settle.setting SET value = '$first' WHERE name = 'matching.max_passed_over_days'" \
                 -c "UPDATE settle.setting SET value = '$split' WHERE name = 'matching.linked_split'" \
                 -c '\timing on' \
                 -c "CREATE TEMP TABLE r AS SELECT * FROM settle.simulate_year(2018, 'arrivals', $DAYS, '$mode')" \
                 -c '\timing off' \
                 -c "SELECT sum(referred_persons), count(*) FILTER (WHERE ahead_municipalities > 0), max(ahead_persons),
                            sum(passed_over_hard), sum(passed_over_where_fit), coalesce(sum(passed_over_beyond_limit)::text, '-'),
                            round(avg(wait_median_hard), 1), round(avg(wait_p90_hard), 1),
                            round(avg(wait_median_other), 1), round(avg(wait_p90_other), 1), sum(person_km) FROM r" \
                > "$tmpdir/run"
            awk -v name="$name" -v basekm="${base[$mode]:-}" '
                    /^Time:/ { secs = $2 / 1000; next }
                    NF >= 11 { km = $11; ratio = basekm == "" ? "1.00" : sprintf("%.2f", km / basekm)
                               printf "%-44s %8d %9d %9d %11d %9d %7s %10s %10s %10s %10s %12s %6s %6.1f\n", name, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, km, ratio, secs }' "$tmpdir/run"
            [ -n "${base[$mode]:-}" ] || base[$mode]=$(awk 'NF >= 11 { print $11 }' "$tmpdir/run")
        done
    done
    printf '\nmonths_ah: months ending with a municipality ahead of its plan; max_ahead: the most persons ahead at a month end;\n'
    printf 'passed_over: settle.fairness (a hard-to-place household waiting while a later, easier one is referred anywhere);\n'
    printf 'where_fit: ... referred where the hard-to-place one had room and its needs met; beyond: ... after it had waited the limit (60 days);\n'
    printf 'waits: days from permit to referral, mean over months of the monthly median / p90; km_x: person-km against the baseline in the same mode.\n'
    printf 'fairness rules: matching.reserve_counted_until_month 10, matching.max_passed_over_days 60, matching.linked_split county.\n'
    printf '\nper month, optimal mode, plan held, fairness rules:\n'
    psql -X -q -d "$db" -c "UPDATE settle.setting SET value = '0' WHERE name = 'matching.plan_lead_months'" \
         -c "SELECT month, referred_persons AS referred, planned_persons AS planned, ahead_municipalities AS ahead_munis, ahead_persons,
                    passed_over_hard AS passed_over, passed_over_where_fit AS where_fit, passed_over_beyond_limit AS beyond,
                    waiting_households AS waiting, wait_median_hard, wait_median_other, person_km
               FROM settle.simulate_year(2018, 'arrivals', $DAYS, 'optimal')"
    dropdb "$db"
    rm -rf "$tmpdir"
}
settle_in_cluster run
