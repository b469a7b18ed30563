#!/usr/bin/env bash
# test/demo.sh: settle's main job on the embedded Swedish reference data, from
# nothing.  Installs what is missing, builds, installs, starts a throwaway
# cluster, runs test/demo.sql in it and prints what settle holds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
settle_setup
say "running the demo in a throwaway cluster"
mkdir -p "$SETTLE_TOP/build"
settle_in_cluster psql -X -q -v ON_ERROR_STOP=1 -P pager=off -v mapfile="$SETTLE_TOP/build/settle-map-2027.svg" \
    -f "$SETTLE_TOP/test/demo.sql"
say "the map of 2027 is in $SETTLE_TOP/build/settle-map-2027.svg (open it in a browser)"
