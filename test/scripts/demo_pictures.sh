#!/usr/bin/env bash
# TAP: the pictures of the demo's year.  test/demo.sql (the Swedish reference
# data, the year 2027 as the demo builds it) runs in a fresh database; its map
# and the county zoom, the plan chart and the report page of Blekinge, and the
# waiting chart are drawn as of 2027-03-31 and rendered in Debian's headless
# Chromium, and each render is checked as a picture: its size, that the
# borders or lines show, and that the colours of the data's classes and
# series appear.  With SETTLE_MAP_EXAMPLES set to a directory the renders are
# copied there (the docs show test/map_example.png, map_county_example.png,
# plan_chart_example.png, waiting_chart_example.png, county_report_example.png).
# Needs chromium (test/check.sh installs it) and python3.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
echo "1..6"
db=settle_demo_pictures_$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-pictures.XXXXXX")
chmod 777 "$tmp"    # the demo's map file is written by the client
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
createdb "$db"
if ! psql -X -q -v ON_ERROR_STOP=1 -P pager=off -v mapfile="$tmp/map.svg" -d "$db" -f "$top/test/demo.sql" >"$tmp/demo.log" 2>&1; then
    echo "Bail out! the demo failed"; sed 's/^/# /' "$tmp/demo.log"; exit 1
fi
q() { psql -X -q -At -d "$db" -c "SET settle.today = '2027-03-31'" -c "$1"; }
q "SELECT settle.map_svg(2027, 'fulfilment', '2027-03-31', county => '10')" >"$tmp/county.svg"
q "SELECT settle.plan_chart_svg(2027, '10', as_of => '2027-03-31')" >"$tmp/plan.svg"
q "SELECT settle.waiting_chart_svg('2027-03-31')" >"$tmp/waiting.svg"
q "SELECT settle.county_report_html(2027, 1, '10')" >"$tmp/report.html"
. "$top/test/lib/render.sh"
[ -n "$settle_chrome" ] || { for i in 1 2 3 4 5 6; do echo "not ok $i - chromium is not installed (test/check.sh installs it)"; done; exit 1; }
# the classes the data has: the country's, and Blekinge's
classes() {
    q "SELECT string_agg('c' || c, ' ' ORDER BY c) FROM (SELECT DISTINCT width_bucket(p.value, ARRAY[20, 40, 60, 80]) + 1 AS c
         FROM settle.map_points(2027, 'fulfilment', '2027-03-31') p WHERE p.value IS NOT NULL $1) x" | tail -1
}
size=$(render "$tmp/map.svg")
read -r w h ink dark seen <<<"$(stats "$tmp/map.png" --xmax 560 $viridis)"
check "the demo's map: its size, its borders, and every class colour its data has (and no other)" \
    "$w $h $([ "$dark" -gt 3000 ] && echo borders) $seen" "$size borders $(classes '')"
size=$(render "$tmp/county.svg")
read -r w h ink dark seen <<<"$(stats "$tmp/county.png" --xmax 680 $viridis)"
check "Blekinge zoomed in: its size, its borders, its municipalities' classes" \
    "$w $h $([ "$dark" -gt 1500 ] && echo borders) $seen" "$size borders $(classes "AND p.county = '10'")"
size=$(render "$tmp/plan.svg")
check "Blekinge's plan chart: its size and its four lines" \
    "$(stats "$tmp/plan.png" plan=2166ac:60 referred=e66101:60 received=1b7837:60 kommuntal=b2182b:60 | cut -d' ' -f1,2,5-)" \
    "$size kommuntal plan received referred"
check "... whose referred line ends at Blekinge's persons referred by 2027-03-31" \
    "$(grep -o '<title>referred [0-9]* persons' "$tmp/plan.svg")" \
    "<title>referred $(q "SELECT sum(referred) FROM settle.quota_status(2027, '2027-03-31') WHERE level = 'municipality' AND county = '10'" | tail -1) persons"
size=$(render "$tmp/waiting.svg")
# which groups the demo has, in which panel (referred above, still waiting below)
groups=$(q "SELECT string_agg(g, ' ' ORDER BY g) FROM (SELECT DISTINCT CASE WHEN hard_to_place THEN 'hard' ELSE 'rest' END
                   || CASE WHEN referred_on IS NOT NULL THEN '-top' ELSE '-bottom' END AS g FROM settle.waits('2027-03-31')) x" | tail -1)
check "the waiting chart: its size and a bar for each group the demo has in each panel ($groups)" \
    "$(stats "$tmp/waiting.png" --xmax 680 --halves hard=d95f02:0 rest=7570b3:0 | cut -d' ' -f1,2,5-)" "$size $groups"
size=$(render "$tmp/report.html" 1000,1700)
check "the report page of Blekinge, first quarter: its table, its map's and its chart's colours" \
    "$(grep -c '<tr class="municipality">' "$tmp/report.html") $(stats "$tmp/report.png" referred=e66101:100 plan=2166ac:100 | cut -d' ' -f1,2,5-)" \
    "5 $size plan referred"
if [ -n "${SETTLE_MAP_EXAMPLES:-}" ]; then
    cp "$tmp/map.png" "$SETTLE_MAP_EXAMPLES/map_example.png"
    cp "$tmp/county.png" "$SETTLE_MAP_EXAMPLES/map_county_example.png"
    cp "$tmp/plan.png" "$SETTLE_MAP_EXAMPLES/plan_chart_example.png"
    cp "$tmp/waiting.png" "$SETTLE_MAP_EXAMPLES/waiting_chart_example.png"
    cp "$tmp/report.png" "$SETTLE_MAP_EXAMPLES/county_report_example.png"
fi
exit $failed
