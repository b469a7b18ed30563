#!/usr/bin/python3
"""src/data/make_outlines.py: the municipal outlines and county borders that
settle.map_svg draws, from ../shared/data/municipalities.geojson
(provenance in SOURCES.md).  Python's standard library only; run by hand
when the source changes, its two outputs are committed:

    python3 src/data/make_outlines.py GEOJSON src/data

municipality_outlines.csv  kommunkod, bbox (min_x, min_y, max_x, max_y),
                           SVG path
county_borders.csv         lan_a, lan_b (empty: the outline of the
                           country, sea areas included), SVG path

Coordinates: the spherical transverse Mercator of settle.tm_project (15 E,
62 N, km; 110_followup.sql is its home and this is its one copy, for the
data), north up as SVG wants it (y = -northing), in whole units of 0.1 km
(100 m), so paths are integers: an absolute move, then relative lines.
Points that fall together at that precision are dropped; the source's
neighbours share their vertices, so shared borders stay shared.  A county
border is every edge whose two sides lie in different counties, or that
has one side only; chained into polylines per pair of counties.
"""
import collections
import json
import math
import os
import sys

UNIT = 0.1  # km per path unit


def project(lon, lat):
    """settle.tm_project(lat, lon) in path units, y down"""
    b = math.cos(math.radians(lat)) * math.sin(math.radians(lon - 15.0))
    x = 6371.0 * 0.5 * math.log((1 + b) / (1 - b))
    y = 6371.0 * (math.atan2(math.tan(math.radians(lat)), math.cos(math.radians(lon - 15.0))) - math.radians(62.0))
    return (round(x / UNIT), round(-y / UNIT))


def rings_of(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def clean(ring):
    pts = []
    for lon, lat in ring:
        p = project(lon, lat)
        if not pts or pts[-1] != p:
            pts.append(p)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return pts if len(set(pts)) >= 3 else None


def path(chains, closed):
    out = []
    for pts in chains:
        x0, y0 = pts[0]
        cmd = ["M%d %d" % (x0, y0)]
        rel = []
        for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
            rel.append("%d %d" % (xb - xa, yb - ya))
        if rel:
            cmd.append("l" + " ".join(rel))
        if closed:
            cmd.append("z")
        out.append("".join(cmd))
    return "".join(out)


def chains_of(edges):
    """undirected edges -> polylines (a walk from each loose end, then loops)"""
    adj = collections.defaultdict(set)
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    chains = []
    starts = sorted(p for p in adj if len(adj[p]) % 2 == 1) + sorted(adj)
    for s in starts:
        while adj[s]:
            chain, p = [s], s
            while adj[p]:
                q = min(adj[p])
                adj[p].discard(q)
                adj[q].discard(p)
                chain.append(q)
                p = q
            chains.append(chain)
    return chains


def main():
    src, outdir = sys.argv[1], sys.argv[2]
    features = json.load(open(src, encoding="utf-8"))["features"]
    county_of, outlines, sides = {}, [], collections.defaultdict(list)
    for f in sorted(features, key=lambda f: f["properties"]["id"]):
        code = f["properties"]["id"]
        county_of[code] = f["properties"]["lan_code"]
        rings = [r for r in (clean(ring) for ring in rings_of(f["geometry"])) if r]
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        outlines.append((code, min(xs), min(ys), max(xs), max(ys), path(rings, True)))
        for r in rings:
            for a, b in zip(r, r[1:] + r[:1]):
                sides[frozenset((a, b))].append(code)
    assert len(outlines) == 290, len(outlines)
    with open(os.path.join(outdir, "municipality_outlines.csv"), "w", encoding="utf-8") as out:
        out.write("kommunkod,min_x,min_y,max_x,max_y,svg_path\n")
        for row in outlines:
            out.write("%s,%d,%d,%d,%d,%s\n" % row)
    pairs = collections.defaultdict(list)
    for edge, codes in sides.items():
        counties = sorted({county_of[c] for c in codes})
        if len(codes) == 1:
            pairs[(counties[0], "")].append(tuple(edge))
        elif len(counties) == 2:
            pairs[tuple(counties)].append(tuple(edge))
    with open(os.path.join(outdir, "county_borders.csv"), "w", encoding="utf-8") as out:
        out.write("lan_a,lan_b,svg_path\n")
        for (a, b) in sorted(pairs):
            out.write("%s,%s,%s\n" % (a, b, path(chains_of(pairs[(a, b)]), False)))


main()
