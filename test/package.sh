#!/usr/bin/env bash
# test/package.sh: build the Debian package postgresql-15-settle from the
# tracked files (debian/, pg_buildext), check what it holds, install it and
# create the extension from the installed files in a throwaway cluster.
#
# As root the package is installed with dpkg -i into the system PostgreSQL
# (and removed again afterwards, restoring the `make install` build); as any
# other user it is unpacked with dpkg-deb -x into a private server tree.
# Run by test/check.sh after the other suites; needs debhelper,
# postgresql-server-dev-all and dpkg-dev (test/check.sh installs them).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$SETTLE_TOP/settle.control")
work=$SETTLE_TOP/build/deb
src=$work/settle-$version
rm -rf "$work"
mkdir -p "$src"
# the tracked files only (what a clean clone holds); outside git, the tree
# without what builds and tests leave behind
if git -C "$SETTLE_TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$SETTLE_TOP" ls-files -z | (cd "$SETTLE_TOP" && xargs -0 cp --parents -t "$src")
else
    tar -C "$SETTLE_TOP" --exclude=./build --exclude=./results --exclude='*.o' --exclude='*.bc' --exclude='*.so' \
        -cf - . | tar -C "$src" -xf -
fi

say "building the Debian package (dpkg-buildpackage, pg_buildext)"
(cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) \
    || { tail -40 "$work/build.log" >&2; die "dpkg-buildpackage failed (log: $work/build.log)"; }
deb=$work/postgresql-$PG_MAJOR-settle_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || die "no package at $deb"

. "$SETTLE_TOP/test/lib/tap.sh"    # check NAME GOT WANT

say "checking the versions and the PGXN metadata"
check "settle.control, debian/changelog and META.json name the same version" \
    "$(dpkg-parsechangelog -l "$SETTLE_TOP/debian/changelog" -S Version) $(python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(m["version"], m["provides"]["settle"]["version"], m["provides"]["settle"]["file"])' "$SETTLE_TOP/META.json")" \
    "$version $version $version build/settle--$version.sql"

say "checking the package's contents (dpkg-deb -c)"
listing=$(dpkg-deb -c "$deb" | awk '{print $6}')
share=$("$PG_CONFIG" --sharedir)
lib=$("$PG_CONFIG" --pkglibdir)
for f in "$lib/settle.so" "$share/extension/settle.control" "$share/extension/settle--$version.sql" \
         $(cd "$SETTLE_TOP/src/upgrade" && for u in settle--*--*.sql; do [ -e "$u" ] && echo "$share/extension/$u"; done); do
    check "the package holds $f" "$(grep -cx "\.$f" <<<"$listing")" "1"
done
check "the package is named postgresql-$PG_MAJOR-settle" "$(dpkg-deb -f "$deb" Package)" "postgresql-$PG_MAJOR-settle"
check "it depends on postgresql-$PG_MAJOR" "$(dpkg-deb -f "$deb" Depends | grep -c "postgresql-$PG_MAJOR\b")" "1"
check "its install script is the one this tree builds" \
    "$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ".$share/extension/settle--$version.sql" | sha256sum | cut -c1-64)" \
    "$(make -s -C "$SETTLE_TOP" "build/settle--$version.sql" >/dev/null && sha256sum <"$SETTLE_TOP/build/settle--$version.sql" | cut -c1-64)"

if [ "$(id -u)" -eq 0 ]; then
    say "installing the package (dpkg -i)"
    dpkg -i "$deb" >/dev/null 2>&1 || die "dpkg -i $deb failed"
    check "dpkg owns the installed control file" \
        "$(dpkg -S "$share/extension/settle.control" | cut -d: -f1)" "postgresql-$PG_MAJOR-settle"
else
    say "unpacking the package into a private server tree (not root)"
    settle_private_tree "$deb"
fi

smoke() {
    psql -X -q -v ON_ERROR_STOP=1 -At <<'SQL'
CREATE EXTENSION settle;
SELECT extversion FROM pg_extension WHERE extname = 'settle';
SELECT count(*) FROM settle.municipality;
SELECT string_agg(key || '=' || seats, ' ' ORDER BY key) FROM settle.apportion(10, ARRAY['a', 'b'], ARRAY[1, 3]::numeric[]);
SELECT '0180'::settle.kommunkod::settle.lanskod;
SQL
}
say "creating the extension from the installed files"
got=$(settle_in_cluster smoke | tr '\n' ' ')
check "CREATE EXTENSION settle from the package, then version, municipalities, an apportionment, a code" \
    "$got" "$version 290 a=3 b=7 01 "

if [ "$(id -u)" -eq 0 ]; then
    dpkg -r "postgresql-$PG_MAJOR-settle" >/dev/null 2>&1
    make -s -C "$SETTLE_TOP" install >/dev/null    # the tested build back in place
fi
[ "$failed" -eq 0 ] || die "package checks failed"
say "the Debian package builds, installs and creates the extension"
