#!/usr/bin/env bash
# test/stress/referrals.sh: run the 16-client referral concurrency test
# (test/scripts/referral_concurrency.sh) many times in a row, from nothing like
# test/check.sh.  Prints one line per round and a summary; exit status 0 only
# if every round passed.
#
#   bash test/stress/referrals.sh             # 20 rounds
#   ROUNDS=100 SETTLE_CLIENTS=32 bash test/stress/referrals.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
settle_setup
rounds() {
    local r failed=0 out
    for r in $(seq 1 "${ROUNDS:-20}"); do
        if out=$(bash "$SETTLE_TOP/test/scripts/referral_concurrency.sh" 2>&1) && ! grep -q '^not ok' <<<"$out"; then
            printf 'round %3d: ok   %s\n' "$r" "$(grep '^#' <<<"$out" | head -1)"
        else
            printf 'round %3d: FAIL\n%s\n' "$r" "$out"; failed=$((failed + 1))
        fi
    done
    printf '%s of %s rounds failed\n' "$failed" "${ROUNDS:-20}"
    [ "$failed" -eq 0 ]
}
export -f rounds
export SETTLE_TOP
settle_in_cluster bash -c rounds
