#!/usr/bin/env bash
# TAP: build the libFuzzer targets (test/fuzz) and run each for
# SETTLE_FUZZ_SECONDS (default 10) from its seed corpus.  A crash, a sanitizer
# report or a broken invariant fails the test.  The long runs: make fuzz.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${SETTLE_FUZZ_SECONDS:-10}
targets=(kommunkod lanskod apportion match mcf)
echo "1..$(( ${#targets[@]} + 1 ))"
if make -s all >build.log 2>&1; then echo "ok 1 - fuzz targets build"; else echo "not ok 1 - fuzz targets build"; sed 's/^/# /' build.log; exit 1; fi
rm -f build.log
n=1 failed=0
for t in "${targets[@]}"; do
    n=$((n + 1))
    mkdir -p "corpus-work/$t"
    if bin/fuzz_$t -max_total_time="$secs" -print_final_stats=1 "corpus-work/$t" "corpus/$t" >"fuzz_$t.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz_$t.log")
        echo "ok $n - fuzz_$t: ${execs:-?} executions in ${secs} s, no finding"
    else
        echo "not ok $n - fuzz_$t found a problem"; tail -30 "fuzz_$t.log" | sed 's/^/# /'; failed=1
    fi
done
exit $failed
