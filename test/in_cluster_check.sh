#!/usr/bin/env bash
# Runs inside the throwaway cluster (see test/check.sh); PG* variables set.
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
say() { printf '\n==> %s\n' "$*" >&2; }

say "pg_regress scenarios (make installcheck)"
if ! make -s installcheck; then
    rc=1
    [ -f regression.diffs ] && cat regression.diffs
fi

say "TAP suites (pg_prove)"
pg_prove --failures test/pgtap/*.sql test/scripts/*.sh || rc=1
exit $rc
