#!/usr/bin/env bash
# test/stress/crash.sh: the crash-safety suite (test/scripts/crash_safety.sh)
# in its full mode: SETTLE_CRASH_KILLS SIGKILLs of the postmaster (default 12)
# under concurrent referrals and revisions, in a throwaway cluster, from
# nothing like test/check.sh.  The test command runs the same suite with 3.
#
#   bash test/stress/crash.sh
#   SETTLE_CRASH_KILLS=30 bash test/stress/crash.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
settle_setup
export SETTLE_CRASH_KILLS=${SETTLE_CRASH_KILLS:-12}
say "crash safety: $SETTLE_CRASH_KILLS kills"
settle_in_cluster pg_prove --verbose "$SETTLE_TOP/test/scripts/crash_safety.sh"
