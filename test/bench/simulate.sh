#!/usr/bin/env bash
# test/bench/simulate.sh: a year of referrals on the real 2018 kommuntal with a
# seeded year of arrivals (test/bench/simulate_arrivals.sql), played
# half-monthly by settle.simulate_year in both modes, with the annual plan
# holding matching back (matching.plan_lead_months = 0) and without it (12,
# the baseline measured in the same run).  A benchmark: it prints figures and
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
    local db=bench_simulate
    createdb "$db"
    printf 'Year simulator: 2018 kommuntal (15,200 places), %s households (seed %s), a batch every %s days; %s cores\n' \
        "$N" "$SEED" "$DAYS" "$(nproc)"
    psql -X -q -At -d "$db" -v households="$N" -v seed="$SEED" -f test/bench/simulate_arrivals.sql |
        awk -F'|' 'NF == 2 { printf "arrivals: %d households, %d persons\n", $1, $2 }'
    printf '\n%-36s %8s %9s %9s %9s %11s %10s %10s %10s %10s %12s %8s\n' run referred months_ah max_ahead ahead_p-m passed_over \
        med_hard p90_hard med_other p90_other person_km secs
    local mode lead
    for lead in 12 1 0; do
        for mode in chronological optimal; do
            psql -X -q -d "$db" -c "VACUUM ANALYZE" >/dev/null   # each run from the same state and statistics
            psql -X -q -At -F ' ' -d "$db" \
                 -c "UPDATE settle.setting SET value = '$lead' WHERE name = 'matching.plan_lead_months'" \
                 -c '\timing on' \
                 -c "CREATE TEMP TABLE r AS SELECT * FROM settle.simulate_year(2018, 'arrivals', $DAYS, '$mode')" \
                 -c '\timing off' \
                 -c "SELECT sum(referred_persons), count(*) FILTER (WHERE ahead_municipalities > 0), max(ahead_persons),
                            sum(ahead_persons), sum(passed_over_hard),
                            round(avg(wait_median_hard), 1), round(avg(wait_p90_hard), 1),
                            round(avg(wait_median_other), 1), round(avg(wait_p90_other), 1), sum(person_km) FROM r" |
                awk -v name="$mode, $([ "$lead" = 12 ] && echo 'plan not held' || echo "plan held, lead $lead")" '
                    /^Time:/ { secs = $2 / 1000; next }
                    NF >= 10 { printf "%-36s %8d %9d %9d %9d %11d %10s %10s %10s %10s %12s %8.1f\n", name, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, secs }'
        done
    done
    printf '\nmonths_ah: months ending with a municipality ahead of its plan; max_ahead: the most persons ahead at a month end;\n'
    printf 'ahead_p-m: persons ahead summed over month ends; waits: days from permit to referral, mean over months of the monthly median / p90.\n'
    printf '\nper month, optimal mode, plan held:\n'
    psql -X -q -d "$db" -c "UPDATE settle.setting SET value = '0' WHERE name = 'matching.plan_lead_months'" \
         -c "SELECT month, referred_persons AS referred, planned_persons AS planned, ahead_municipalities AS ahead_munis, ahead_persons,
                    passed_over_hard AS passed_over, waiting_households AS waiting, wait_median_hard, wait_median_other, person_km
               FROM settle.simulate_year(2018, 'arrivals', $DAYS, 'optimal')"
    dropdb "$db"
}
settle_in_cluster run
