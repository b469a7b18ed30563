#!/usr/bin/env bash
# test/any_day.sh: what settle prints does not depend on the day it runs.
# The pg_regress scenarios and the demo run in throwaway clusters whose
# server clock is set (libfaketime) to days across several years; every
# scenario must match its expected output and the demo must print exactly
# what it prints on the real day.  Run by test/check.sh after settle is
# built and installed; needs the Debian package faketime.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$SETTLE_LIBFAKETIME" ] || die "libfaketime is missing ($SETTLE_LIBFAKETIME): install the Debian package faketime"
out=$SETTLE_TOP/build/any_day
rm -rf "$out"
mkdir -p "$out"
chmod 777 "$out"    # the map file is written by the client, as the invoking user

run_day() {   # run_day NAME: the scenarios (make installcheck) and the demo in this cluster
    local name=$1
    psql -X -At -c "SELECT 'server clock: ' || now()::date" >"$out/$name.clock"
    if ! make -s -C "$SETTLE_TOP" installcheck >"$out/$name.installcheck" 2>&1; then
        cat "$SETTLE_TOP/regression.diffs" >>"$out/$name.installcheck" 2>/dev/null || true
        return 1
    fi
    psql -X -q -v ON_ERROR_STOP=1 -P pager=off -v mapfile="$out/$name.svg" -f "$SETTLE_TOP/test/demo.sql" \
        >"$out/$name.demo" 2>&1
}

fails=0
say "the scenarios and the demo on the real day"
settle_in_cluster run_day today || { cat "$out/today.installcheck" "$out/today.demo" >&2 2>/dev/null; die "the real day's run failed"; }
for day in 2027-06-01 2029-02-14 2031-11-30; do
    say "the scenarios and the demo with the server's clock at $day"
    if ! SETTLE_FAKETIME="@$day 10:00:00" settle_in_cluster run_day "$day"; then
        printf 'not ok - %s: the scenarios or the demo failed\n' "$day"
        { tail -40 "$out/$day.installcheck" "$out/$day.demo" 2>/dev/null || true; } | sed 's/^/#   /'
        fails=$((fails + 1)); continue
    fi
    if ! grep -q "server clock: $day" "$out/$day.clock"; then
        printf 'not ok - %s: the server clock was not set (%s)\n' "$day" "$(cat "$out/$day.clock")"; fails=$((fails + 1)); continue
    fi
    printf 'ok - %s: every scenario matches its expected output\n' "$day"
    if diff -u "$out/today.demo" "$out/$day.demo" >"$out/$day.demo.diff" &&
       cmp -s "$out/today.svg" "$out/$day.svg"; then
        printf 'ok - %s: the demo prints and draws exactly what it does today\n' "$day"
    else
        printf 'not ok - %s: the demo differs from today'"'"'s\n' "$day"; { sed 's/^/#   /' "$out/$day.demo.diff" | head -40; } || true
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ] || die "$fails runs depend on the day"
say "the scenarios and the demo print the same on any day"
