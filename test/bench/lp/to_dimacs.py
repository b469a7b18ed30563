#!/usr/bin/python3
"""test/bench/lp/to_dimacs.py: settle's class-level LP as a DIMACS
min-cost-flow file, for the LP benchmark (lp_table in matching.sh).

    to_dimacs.py PROBLEM.json UNPLACED_KM > LP.min

PROBLEM.json is one row of settle.match_problem() as JSON.  The network is
the one settle's optimal mode solves for its lower bound (src/match_lp.c):
placements with the same residence, needs and fixed municipality or zone
form a class; class -> municipality arcs for every municipality that fits
the class (places left > 0, not paused, every need met, the fixed one or
in the zone), cost = persons' proximity cost in whole metres (0 without
residence); class -> sink at the unplaced cost; municipality -> sink with
capacity = places left; -1 = no capacity limit (as LEMON reads it).  All feasible pairs are listed (settle starts from
32 per class and prices out the rest; LEMON gets the full network).
Nodes: classes 1..K, municipalities K+1..K+n, sink K+n+1.
"""
import json
import sys

import numpy as np


def main():
    pr = json.load(open(sys.argv[1]))
    unplaced_m = int(round(float(sys.argv[2]) * 1000.0))
    n = len(pr["capacity"])
    cost = np.rint(np.array(pr["cost"], dtype=np.float64).reshape(n, n) * 1000.0).astype(np.int64)
    cap = np.array(pr["capacity"], dtype=np.int64)
    able = np.array(pr["able"], dtype=np.int64)
    paused = np.array(pr["paused"], dtype=bool)
    zones = pr.get("zones")
    zones = np.array(zones, dtype=bool).reshape(-1, n) if zones else None
    first = pr.get("first_count") or 0
    if first:
        sys.exit("to_dimacs.py: priority placements (first_count > 0) are not modelled")
    classes = {}
    for p, r, nd, f in zip(pr["persons"], pr["residence"], pr["needs"], pr["fixed"]):
        key = (r, nd, f)
        classes[key] = classes.get(key, 0) + p
    keys = list(classes)
    K = len(keys)
    sink = K + n + 1
    arcs = []
    base = (cap > 0) & ~paused
    for c, (r, nd, f) in enumerate(keys, start=1):
        ok = base & ((nd & ~able) == 0)
        if f >= 0:
            only = np.zeros(n, dtype=bool)
            only[f] = True
            ok &= only
        elif f < -1:
            ok &= zones[-2 - f]
        row = cost[r] if r >= 0 else np.zeros(n, dtype=np.int64)
        for m in np.nonzero(ok)[0]:
            arcs.append("a %d %d 0 -1 %d" % (c, K + 1 + m, row[m]))
        arcs.append("a %d %d 0 -1 %d" % (c, sink, unplaced_m))
    for m in range(n):
        if cap[m] > 0:
            arcs.append("a %d %d 0 %d 0" % (K + 1 + m, sink, cap[m]))
    total = sum(classes.values())
    out = sys.stdout
    out.write("c settle class-level LP: %d classes, %d municipalities\n" % (K, n))
    out.write("p min %d %d\n" % (sink, len(arcs)))
    for c, key in enumerate(keys, start=1):
        out.write("n %d %d\n" % (c, classes[key]))
    out.write("n %d %d\n" % (sink, -total))
    out.write("\n".join(arcs))
    out.write("\n")


main()
