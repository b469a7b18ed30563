#!/usr/bin/env bash
# TAP: settle.map_svg renders in a browser.  A small year (quotas from
# population, referrals and receptions in Blekinge) is drawn for each
# metric; the SVG must parse as XML, and Debian's headless Chromium must
# render it to a PNG of the SVG's size with non-background pixels, among them
# the dots' colours.  Needs chromium (test/check.sh installs it) and python3.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
echo "1..10"
db=settle_map_$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/settle-map.XXXXXX")
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$tmp/setup.log" 2>&1 <<'SQL' || { echo "Bail out! setup failed"; sed 's/^/# /' "$tmp/setup.log"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION settle;
SET settle.today = '2027-03-31';
INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, 5000);
INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
SELECT count(*) FROM settle.decide_county_quotas(2027, 'J');
SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'L');
-- Karlskrona's kommuntal filled (100 %), one person at a time
SELECT settle.refer(settle.register_household('MAP-' || g, 'abo', 1, '1080', '2026-10-01'), '1080', '2027-01-10 10:00+01')
  FROM generate_series(1, (SELECT quota FROM settle.municipal_quota WHERE year = 2027 AND municipality = '1080')) g;
SELECT settle.receive(r.id, '2027-02-01') FROM settle.referral r WHERE r.id <= 3;
SQL

chrome=$(command -v chromium || true)
for metric in fulfilment per_1000 plan_deviation; do
    psql -X -q -At -d "$db" -c "SET settle.today = '2027-03-31'" -c "SELECT settle.map_svg(2027, '$metric')" >"$tmp/$metric.svg"
    check "map_svg($metric) is well-formed XML" \
        "$(python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(d.documentElement.tagName, len(d.getElementsByTagName("circle")))' "$tmp/$metric.svg" 2>&1)" \
        "svg 291"
done
check "each municipality's dot has a tooltip with its value (Karlskrona: its kommuntal filled)" \
    "$(grep -o '<title>Karlskrona (1080): [^<]*</title>' "$tmp/fulfilment.svg")" \
    "<title>Karlskrona (1080): 100.0 %, kommuntal $(psql -X -At -d "$db" -c "SELECT quota FROM settle.municipal_quota WHERE municipality = '1080'")</title>"
check "county names are drawn" "$(grep -c '>Blekinge<\|>Norrbottens<\|>Skåne<' "$tmp/fulfilment.svg")" "3"

if [ -z "$chrome" ]; then
    for i in 6 7 8 9 10; do echo "not ok $i - chromium is not installed (test/check.sh installs it)"; done
    exit 1
fi
for metric in fulfilment per_1000; do
    "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars \
        --window-size=810,1150 --screenshot="$tmp/$metric.png" "file://$tmp/$metric.svg" >"$tmp/chrome.log" 2>&1
    check "Chromium renders the $metric map to PNG" "$([ -s "$tmp/$metric.png" ] && echo yes || { sed 's/^/# /' "$tmp/chrome.log" >&2; echo no; })" "yes"
done
# decode the PNG with the standard library: size, non-white pixels, the dot colours
stats=$(python3 - "$tmp/fulfilment.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
ink = purple = yellow = 0
for line in rows:
    for x in range(0, stride, bpp):
        r, g, b = line[x], line[x + 1], line[x + 2]
        if (r, g, b) != (255, 255, 255): ink += 1
        if r < 110 and g < 60 and b > 60 and b < 130: purple += 1
        if r > 220 and g > 200 and b < 90: yellow += 1
print(w, h, 'ink' if ink > 5000 else 'blank:%d' % ink, 'purple' if purple > 50 else 'no-purple', 'yellow' if yellow > 20 else 'no-yellow')
PY
)
read -r pw ph pink ppurple pyellow <<<"$stats"
check "the PNG has the SVG's size" "$pw x $ph" "810 x 1150"
check "it is not blank (thousands of non-white pixels)" "$pink" "ink"
check "the dots' colours are there: full (yellow, Karlskrona) and empty (purple) quotas" "$ppurple $pyellow" "purple yellow"
exit $failed
