#!/usr/bin/env bash
# test/check.sh: run every test of settle on this machine, from nothing.
# Installs what is missing; builds with warnings as errors and settle's
# internal checks compiled in (make STRICT=1); installs; starts a throwaway
# cluster; runs the pg_regress scenarios (make installcheck) and every TAP
# suite with pg_prove; runs the scenarios and the demo with the server's
# clock on other days (test/any_day.sh); updates the previous release with
# data and compares it with a fresh install (test/upgrade.sh); then builds
# the Debian package,
# installs it and creates the extension from it (test/package.sh).
# Exit status 0 = all passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# the map test renders SVG in Debian's headless Chromium and decodes the PNG with python3
SETTLE_PACKAGES="$SETTLE_PACKAGES chromium python3"
# the Debian package: dpkg-buildpackage with debhelper and pg_buildext
SETTLE_PACKAGES="$SETTLE_PACKAGES debhelper postgresql-server-dev-all dpkg-dev"
# the scenarios and the demo on other days: the server's clock set by libfaketime
SETTLE_PACKAGES="$SETTLE_PACKAGES faketime"
SETTLE_MAKE_ARGS=STRICT=1
settle_setup
say "running the tests in a throwaway cluster"
settle_in_cluster bash "$SETTLE_TOP/test/in_cluster_check.sh"
bash "$SETTLE_TOP/test/any_day.sh"
bash "$SETTLE_TOP/test/upgrade.sh"
bash "$SETTLE_TOP/test/package.sh"
