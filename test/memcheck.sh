#!/usr/bin/env bash
# test/memcheck.sh: the pg_regress scenarios and every pgTAP suite with the
# server running under valgrind (memcheck), in a throwaway cluster.
#
#   bash test/memcheck.sh               # about 30-40 minutes on 2 cores
#   MEMCHECK_SUITES="test/pgtap/09_matching.sql" bash test/memcheck.sh
#
# Every backend runs under valgrind (--trace-children; backends are forks of
# the postmaster).  Pass = no valgrind error whose stack passes through
# settle.so.  PostgreSQL 15 and glibc themselves report a few known ones under
# valgrind when not built with USE_VALGRIND (uninitialised padding written to
# the relation cache init file, an overlapping memcpy in the regex cache,
# dl-load string reads); they are counted and shown apart, not failed on.
# (AddressSanitizer was tried first: with its runtime preloaded, the stock
# postgres binary deadlocks in glibc's bindtextdomain before it starts.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SETTLE_PACKAGES="$SETTLE_PACKAGES valgrind"
settle_setup
command -v valgrind >/dev/null || die "valgrind is missing"
if [ "$(id -u)" -eq 0 ]; then SETTLE_BIN=$PG_BIN; SETTLE_AS="runuser -u postgres --"; else SETTLE_BIN=$SETTLE_PGROOT$PG_BIN; SETTLE_AS=; fi
SETTLE_CLUSTER=$(mktemp -d "${TMPDIR:-/tmp}/settle-memcheck.XXXXXX")
chmod 755 "$SETTLE_CLUSTER"
mkdir -p "$SETTLE_CLUSTER/vg"
[ -z "$SETTLE_AS" ] || chown -R postgres "$SETTLE_CLUSTER"
stop() {
    $SETTLE_AS "$SETTLE_BIN/pg_ctl" -D "$SETTLE_CLUSTER/data" -m fast -w -t 300 stop >/dev/null 2>&1 || true
}
trap 'stop; rm -rf "$SETTLE_CLUSTER"' EXIT
$SETTLE_AS "$SETTLE_BIN/initdb" -D "$SETTLE_CLUSTER/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null \
    || die "initdb failed"
say "starting the server under valgrind"
$SETTLE_AS valgrind --quiet --trace-children=yes --leak-check=no --num-callers=30 \
    --log-file="$SETTLE_CLUSTER/vg/vg.%p" \
    "$SETTLE_BIN/postgres" -D "$SETTLE_CLUSTER/data" -k "$SETTLE_CLUSTER" -c listen_addresses= -p 5432 \
    >"$SETTLE_CLUSTER/server.log" 2>&1 &
for i in $(seq 1 120); do pg_isready -q -h "$SETTLE_CLUSTER" -p 5432 && break; sleep 1; done
pg_isready -q -h "$SETTLE_CLUSTER" -p 5432 || die "the server did not start under valgrind"
export PGHOST=$SETTLE_CLUSTER PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
cd "$SETTLE_TOP"
rc=0
if [ -z "${MEMCHECK_SUITES:-}" ]; then
    say "pg_regress scenarios under valgrind"
    make -s installcheck || rc=1
fi
say "pgTAP suites under valgrind"
# shellcheck disable=SC2086
pg_prove --failures ${MEMCHECK_SUITES:-test/pgtap/*.sql} || rc=1
stop
# one error = the lines from a report's first line to the next blank report line
awk '
    /^==[0-9]+== [A-Z]/ && !inblock { inblock = 1; block = $0 "\n"; next }
    inblock && /^==[0-9]+== $/ { inblock = 0; total++; if (block ~ /settle\.so/) { ours++; print block > "/dev/stderr" } else { split(block, first, "\n"); sub(/^==[0-9]+== /, "", first[1]); other[substr(first[1], 1, 70)]++ }; next }
    inblock { block = block $0 "\n" }
    END { printf "valgrind errors: %d in all, %d through settle.so\n", total, ours;
          for (k in other) printf "  not settle (PostgreSQL/glibc): %d x %s\n", other[k], k;
          exit ours > 0 }' "$SETTLE_CLUSTER"/vg/vg.* || rc=1
exit $rc
