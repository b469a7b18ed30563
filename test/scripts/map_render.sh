#!/usr/bin/env bash
# TAP: settle.map_svg renders in a browser.  A small year (quotas from
# population, referrals and receptions in Blekinge) is drawn for each
# metric, for the country and for Blekinge, as areas and as dots; the SVG
# must parse as XML with an outline per municipality and the county borders,
# and Debian's headless Chromium must render it to a PNG of the SVG's size in
# which the borders show (many dark pixels) and every class colour the data
# has appears; the same for Blekinge's plan chart (its four lines) and the
# waiting chart (both groups), and the county report page with both inside.
# (The docs' pictures are the demo's: test/scripts/demo_pictures.sh.)  Needs chromium
# (test/check.sh installs it) and python3.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
SETTLE_TOP_DIR=$(cd "$(dirname "$0")/../.." && pwd)
echo "1..17"
db=settle_map_$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-map.XXXXXX")
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$tmp/setup.log" 2>&1 <<'SQL' || { echo "Bail out! setup failed"; sed 's/^/# /' "$tmp/setup.log"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION settle;
-- the year decided and planned in December
SET settle.today = '2026-12-15';
INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, 5000);
INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
SELECT count(*) FROM settle.decide_county_quotas(2027, 'J');
SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'L');
SELECT count(*) FROM settle.spread_plan(2027);
SET settle.today = '2027-03-31';
-- Karlskrona's kommuntal filled (100 %), one person at a time; five to Karlshamn in February and March
SELECT settle.refer(settle.register_household('MAP-' || g, 'abo', 1, '1080', '2026-10-01'), '1080', '2027-01-10 10:00+01')
  FROM generate_series(1, (SELECT quota FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1080')) g;
SELECT settle.refer(settle.register_household('MAPB-' || g, 'abo', 1, '1082', '2026-10-01'), '1082',
                    ('2027-02-01'::date + 9 * g)::timestamp AT TIME ZONE 'Europe/Stockholm')
  FROM generate_series(1, 5) g;
SELECT settle.receive(r.id, '2027-02-01') FROM settle.referral r WHERE r.id <= 3;
-- still waiting: three hard to place (six persons, or a need), four others
SELECT settle.register_household('MAPW-' || g, 'abo', CASE WHEN g <= 2 THEN 6 ELSE 1 + g % 3 END, '1081', ('2026-08-01'::date + 20 * g),
                                 CASE WHEN g = 3 THEN '{accessible_housing}'::text[] ELSE '{}' END)
  FROM generate_series(1, 7) g;
SQL

. "$SETTLE_TOP_DIR/test/lib/render.sh"
borders=$(psql -X -At -d "$db" -c "SELECT count(*) FROM settle.county_border")
blekinge_borders=$(psql -X -At -d "$db" -c "SELECT count(*) FROM settle.county_border WHERE '10' IN (county_a, county_b)")
svg() { psql -X -q -At -d "$db" -c "SET settle.today = '2027-03-31'" -c "SELECT settle.map_svg(2027, $1)" >"$tmp/$2.svg"; }
# elements: "svg <outlines with a tooltip> <border paths> <circles>"
elements() {
    python3 -c 'import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1]); p = d.getElementsByTagName("path")
print(d.documentElement.tagName, sum(1 for x in p if x.getElementsByTagName("title")), sum(1 for x in p if not x.getElementsByTagName("title")), len(d.getElementsByTagName("circle")))' "$1" 2>&1
}
for metric in fulfilment per_1000 plan_deviation; do
    svg "'$metric'" "$metric"
    check "map_svg($metric) is well-formed XML: 290 outlines with tooltips, $borders county borders" \
        "$(elements "$tmp/$metric.svg")" "svg 290 $borders 0"
done
svg "'fulfilment', county => '10'" blekinge
check "a county (Blekinge) zooms in on its 5 municipalities and its $blekinge_borders borders" "$(elements "$tmp/blekinge.svg")" "svg 5 $blekinge_borders 0"
svg "'fulfilment', style => 'dots'" dots
check "the dots style keeps the outlines and adds a dot per municipality (and the legend's)" "$(elements "$tmp/dots.svg")" "svg 290 $borders 291"
check "each municipality has a tooltip with its value (Karlskrona: its kommuntal filled)" \
    "$(grep -o '<title>Karlskrona (1080): [^<]*</title>' "$tmp/fulfilment.svg")" \
    "<title>Karlskrona (1080): 100.0 %, kommuntal $(psql -X -At -d "$db" -c "SELECT quota FROM settle.municipal_quota WHERE municipality = '1080'")</title>"
check "county names are drawn on the country, municipality names on a county" \
    "$(grep -c '>Blekinge<\|>Norrbottens<\|>Skåne<' "$tmp/fulfilment.svg") $(grep -c '>Karlskrona<\|>Ronneby<\|>Sölvesborg<' "$tmp/blekinge.svg")" "3 3"

if [ -z "$settle_chrome" ]; then
    for i in $(seq 8 17); do echo "not ok $i - chromium is not installed (test/check.sh installs it)"; done
    exit 1
fi
for name in fulfilment blekinge; do
    size=$(render "$tmp/$name.svg")
    check "Chromium renders the $name map to a PNG of the SVG's size" \
        "$([ "$size" != no ] && stats "$tmp/$name.png" | awk -v s="$size" '{ print ($1 " " $2 == s) ? "yes" : $1 " " $2 " not " s }')" "yes"
done
# (class colours left of the legend, whose swatches lie right of the drawing)
read -r _ _ ink dark seen <<<"$(stats "$tmp/fulfilment.png" --xmax 560 $viridis)"
check "the country: drawn (ink), borders show (thousands of dark pixels)" \
    "$([ "$ink" -gt 100000 ] && echo ink) $([ "$dark" -gt 3000 ] && echo borders)" "ink borders"
# the data's classes: which of the five the 290 values fall in, against the colours found
classes=$(psql -X -At -d "$db" -c "SET settle.today = '2027-03-31'" \
    -c "SELECT string_agg('c' || c, ' ' ORDER BY c) FROM (
          SELECT c FROM generate_series(1, 5) c CROSS JOIN settle.map_points(2027, 'fulfilment', '2027-03-31') p
           WHERE width_bucket(p.value, ARRAY[20, 40, 60, 80]) + 1 = c GROUP BY c) x" | tail -1)
check "every class colour the data has fills a municipality, and no other ($classes)" "$seen" "$classes"
read -r _ _ ink dark seen <<<"$(stats "$tmp/blekinge.png" --xmax 680 c1=440154:20000 c5=fde725:20000)"
check "Blekinge: Karlskrona full (yellow), others low (purple), borders show" \
    "$seen $([ "$dark" -gt 1500 ] && echo borders)" "c1 c5 borders"
size=$(render "$tmp/dots.svg")
check "the dots map renders too" "$([ "$size" != no ] && echo yes)" "yes"
# the plan chart of Blekinge: XML, rendered, its lines' colours there
psql -X -q -At -d "$db" -c "SET settle.today = '2027-03-31'" -c "SELECT settle.plan_chart_svg(2027, '10')" >"$tmp/plan.svg"
check "plan_chart_svg is well-formed XML with the plan, referred and received lines and the kommuntal" \
    "$(python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(" ".join(sorted(x.getAttribute("class") for x in d.getElementsByTagName("polyline") + d.getElementsByTagName("line") if x.getAttribute("class"))))' "$tmp/plan.svg" 2>&1)" \
    "kommuntal plan received referred today"
size=$(render "$tmp/plan.svg")
check "Chromium renders the plan chart at the SVG's size with all four lines' colours" \
    "$(stats "$tmp/plan.png" plan=2166ac:60 referred=e66101:60 received=1b7837:60 kommuntal=b2182b:60 | cut -d' ' -f1,2,5-)" \
    "$size kommuntal plan received referred"
# the waiting chart: both groups' colours, in both panels (the plot, not the legend)
psql -X -q -At -d "$db" -c "SET settle.today = '2027-03-31'" -c "SELECT settle.waiting_chart_svg()" >"$tmp/waiting.svg"
size=$(render "$tmp/waiting.svg")
check "Chromium renders the waiting chart at the SVG's size, hard-to-place and other households' bars in both panels" \
    "$(stats "$tmp/waiting.png" --xmax 680 --halves hard=d95f02:0 rest=7570b3:0 | cut -d' ' -f1,2,5-)" \
    "$size hard-bottom rest-bottom rest-top"
# the county report as one page: rendered as a browser shows it, with the map's and the chart's colours
psql -X -q -At -d "$db" -c "SET settle.today = '2027-03-31'" -c "SELECT settle.county_report_html(2027, 1, '10')" >"$tmp/report.html"
size=$(render "$tmp/report.html" 1000,1700)
check "Chromium renders the county report page: its table, Karlskrona full (yellow) on the map, the referred line" \
    "$(grep -c '<tr class="municipality">' "$tmp/report.html") $(stats "$tmp/report.png" referred=e66101:100 yellow=fde725:5000 | cut -d' ' -f1,2,5-)" \
    "5 $size referred yellow"
exit $failed
