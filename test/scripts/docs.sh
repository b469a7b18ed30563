#!/usr/bin/env bash
# TAP: the documentation tells the truth.  The README's quick start, pasted
# into psql on a fresh database, prints exactly what the README shows; every
# page the README links to exists; docs/tables.md lists every table and view
# of the schema with exactly its columns, in order; docs/settings.md lists
# exactly the shipped settings with their values.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/lib/tap.sh
db=settle_docs_$$
trap 'dropdb --if-exists $db >/dev/null 2>&1' EXIT
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle_docs.XXXXXX")
trap 'dropdb --if-exists $db >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# the first ```sql block after "## Quick start", and the ```text block after it
# (psql's trailing blank line aside)
awk '/^## Quick start/ {q = 1} q && /^```sql$/ {s = 1; next} s && /^```$/ {exit} s' README.md > "$tmp/quickstart.sql"
awk '/^## Quick start/ {q = 1} q && /^```text$/ {s = 1; next} s && /^```$/ {exit} s' README.md > "$tmp/quickstart.expected"
echo "1..6"
check "the README has a quick start and its output" \
    "$([ -s "$tmp/quickstart.sql" ] && [ -s "$tmp/quickstart.expected" ] && echo yes)" "yes"
createdb $db || { echo "Bail out! createdb failed"; exit 1; }
psql -X -d $db -v ON_ERROR_STOP=1 -f "$tmp/quickstart.sql" > "$tmp/quickstart.out" 2>&1
check "the quick start pastes clean into psql and prints what the README shows" \
    "$(diff "$tmp/quickstart.expected" <(printf '%s\n' "$(cat "$tmp/quickstart.out")") && echo same)" "same"

missing=$(grep -o '](docs/[a-z-]*\.md)\|](test/bench/README\.md)' README.md | sed 's/^](\(.*\))$/\1/' | sort -u |
          while read -r f; do [ -f "$f" ] || echo "$f"; done)
check "every page the README links to exists" "$missing" ""

# what docs/tables.md says: "settle.NAME: col col col" per ### heading
documented=$(awk '/^### settle\./ {if (t) print t ":" c; t = substr($2, 8); c = ""; next}
                  t && /^\| `/ {split($0, f, "`"); c = c " " f[2]} END {if (t) print t ":" c}' docs/tables.md | sort)
catalogue=$(psql -X -At -d $db -c "SELECT c.relname || ': ' || string_agg(a.attname, ' ' ORDER BY a.attnum)
                                      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                     WHERE c.relnamespace = 'settle'::regnamespace AND c.relkind IN ('r', 'v')
                                     GROUP BY c.relname" | sort)
check "docs/tables.md lists every table and view with exactly its columns" \
    "$(diff <(echo "$catalogue") <(echo "$documented") && echo same)" "same"
check "... and that is more than 25 relations" "$( [ "$(echo "$catalogue" | wc -l)" -gt 25 ] && echo yes)" "yes"

documented=$(sed -n 's/^| `\([a-z_.]*\)` | `\([^`]*\)` | .*/\1=\2/p' docs/settings.md | sort)
shipped=$(dropdb $db && createdb $db && psql -X -At -d $db -c "CREATE EXTENSION settle" -c "SELECT name || '=' || value FROM settle.setting ORDER BY 1" | sed 1d | sort)
check "docs/settings.md lists exactly the shipped settings and values" \
    "$(diff <(echo "$shipped") <(echo "$documented") && echo same)" "same"
exit $failed
