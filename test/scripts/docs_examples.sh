#!/usr/bin/env bash
# TAP: the examples of docs/*.md run as a reader would run them.  Each page's
# ```sql blocks run in order, in one psql session on a fresh database where
# settle is created, each block building on the ones before it; a block with
# an "-- ERROR" comment may raise errors, any other must not.  A block that is
# followed by a ```text block must print exactly that.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib/tap.sh
top=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle_examples.XXXXXX")
chmod 777 "$tmp"
db=settle_examples_$$
cleanup() {
    dropdb --if-exists $db >/dev/null 2>&1
    # the roles a page creates are cluster-wide: drop them too
    for r in $(cat docs/*.md | sed -n 's/^CREATE ROLE \([a-z_]*\) .*/\1/p' | sort -u); do
        psql -X -q -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

pages=$(grep -l '^```sql' docs/*.md)
# one check per page, one per shown output
planned=0
for p in $pages; do
    planned=$((planned + 1 + $(awk '/^```sql$/ {s = 1; next} s && /^```$/ {s = 0; w = 1; next} w && /^```text$/ {n++} /./ && !/^```text$/ {w = 0} END {print n + 0}' "$p")))
done
echo "1..$planned"

for p in $pages; do
    name=$(basename "$p" .md)
    # the page's script: blocks in order, each announced, errors allowed where the block says so
    awk -v out="$tmp/$name" '
        /^```sql$/ { s = 1; b++; err = 0; buf = ""; next }
        s && /^```$/ {
            s = 0; w = 1
            printf "\\echo @@block %d\n\\set ON_ERROR_STOP %d\n%s", b, (err ? 0 : 1), buf > (out ".sql")
            next
        }
        s { buf = buf $0 "\n"; if ($0 ~ /-- ERROR/) err = 1; next }
        w && /^```text$/ { t = 1; w = 0; next }
        t && /^```$/ { t = 0; next }
        t { print > (out "." b ".expected"); next }
        /./ { w = 0 }
    ' "$p"
    dropdb --if-exists $db >/dev/null 2>&1
    createdb $db && psql -X -q -d $db -c "CREATE EXTENSION settle" >/dev/null 2>&1 \
        || { echo "Bail out! cannot create a database with settle"; exit 1; }
    (cd "$tmp" && psql -X -q -d $db -P pager=off -f "$tmp/$name.sql" >"$tmp/$name.out" 2>&1)
    rc=$?
    check "docs/$name.md: every example runs in order on a fresh database" \
        "$rc$( [ $rc -ne 0 ] && tail -5 "$tmp/$name.out")" "0"
    # split the output at the block markers and compare the shown ones
    awk -v out="$tmp/$name" '/^@@block [0-9]+$/ {f = out "." $2 ".got"; next} f {print > f}' "$tmp/$name.out"
    for e in "$tmp/$name".*.expected; do
        [ -e "$e" ] || continue
        b=${e#"$tmp/$name."}; b=${b%.expected}
        check "docs/$name.md: example $b prints what the page shows" \
            "$(diff "$e" <(printf '%s\n' "$(cat "$tmp/$name.$b.got" 2>/dev/null)") && echo same)" "same"
    done
done
exit $failed
