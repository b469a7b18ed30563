#!/usr/bin/env bash
# test/check.sh: run every test of settle on this machine, from nothing.
# Installs what is missing, builds, installs, starts a throwaway cluster,
# runs the pg_regress scenarios (make installcheck) and then every TAP suite
# with pg_prove, whose summary ends the output.  Exit status 0 = all passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# the map test renders SVG in Debian's headless Chromium and decodes the PNG with python3
SETTLE_PACKAGES="$SETTLE_PACKAGES chromium python3"
settle_setup
say "running the tests in a throwaway cluster"
settle_in_cluster bash "$SETTLE_TOP/test/in_cluster_check.sh"
