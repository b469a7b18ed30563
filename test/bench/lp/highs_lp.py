#!/usr/bin/python3
"""test/bench/lp/highs_lp.py: HiGHS's LP (scipy.optimize.linprog, Debian's
python3-scipy) on a DIMACS min-cost-flow file, the general-solver peer of
lemon_mcf and settle_mcf in matching.sh.

    highs_lp.py LP.min

Prints "highs <ms> <ms> <cost> <status>" (one run: its time twice, in the
columns of lemon_mcf's min and median): the time of linprog alone (the model
is built before the clock starts), dual simplex without presolve (HiGHS's
presolve, as scipy 1.10 ships it, takes about a minute on these networks, far
longer than the solve itself), the cost rounded to whole units.
"""
import sys
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix


def main():
    supply = {}
    tails, heads, caps, costs = [], [], [], []
    n = 0
    with open(sys.argv[1]) as f:
        for line in f:
            if line.startswith("p "):
                n = int(line.split()[2])
            elif line.startswith("n "):
                _, v, s = line.split()
                supply[int(v) - 1] = int(s)
            elif line.startswith("a "):
                _, a, b, lo, cap, cost = line.split()
                tails.append(int(a) - 1)
                heads.append(int(b) - 1)
                caps.append(np.inf if int(cap) < 0 else int(cap))
                costs.append(int(cost))
    m = len(tails)
    rows = np.concatenate([tails, heads])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    vals = np.concatenate([np.ones(m), -np.ones(m)])
    a_eq = coo_matrix((vals, (rows, cols)), shape=(n, m)).tocsr()
    b_eq = np.array([supply.get(v, 0) for v in range(n)], dtype=np.float64)
    t0 = time.time()
    res = linprog(np.array(costs, dtype=np.float64), A_eq=a_eq, b_eq=b_eq,
                  bounds=np.column_stack([np.zeros(m), np.array(caps, dtype=np.float64)]), method="highs-ds", options={"presolve": False})
    ms = (time.time() - t0) * 1000.0
    print("highs %.1f %.1f %d %s" % (ms, ms, round(res.fun) if res.status == 0 else -1,
                                "optimal" if res.status == 0 else "status-%d" % res.status))


main()
