#!/usr/bin/python3
"""test/bench/highs_match.py: the matching instance solved exactly as a MILP
by HiGHS (scipy.optimize.milp, Debian's python3-scipy), for comparison with
settle's optimal mode.

    highs_match.py PROBLEM.json UNPLACED_KM TIME_LIMIT_S [CANDIDATES]

PROBLEM.json is one row of settle.match_problem() as JSON.  The model:
  x[p,m] binary   placement p goes to municipality m (m feasible for p:
                  not paused, meets its needs, its fixed one if any, enough
                  capacity for all its persons), among p's CANDIDATES
                  cheapest feasible ones (0 = all of them)
  u[p] in [0,1]   p unplaced
  minimise  sum persons[p] * cost_m(p, m) / 1000 * x[p,m]
          + sum persons[p] * UNPLACED_KM * u[p]
  subject to  sum_m x[p,m] + u[p] = 1           for every placement
              sum_p persons[p] x[p,m] <= capacity[m]  for every municipality
where cost_m is the proximity cost rounded to whole metres, as settle
computes it (a placement without residence costs 0).  settle's chronology
rule is not modelled: HiGHS solves a relaxation of settle's problem, so its
optimum can only be lower.  Prints one line of key=value figures: the MILP's
status, objective, dual bound and time, the LP relaxation's value and time,
the model size and the peak memory of this process.
"""
import json
import resource
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix


def main():
    path, unplaced_km, limit = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    keep = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    with open(path) as f:
        pr = json.load(f)
    persons = np.array(pr["persons"], dtype=np.int64)
    residence = np.array(pr["residence"], dtype=np.int64)
    needs = np.array(pr["needs"], dtype=np.int64)
    fixed = np.array(pr["fixed"], dtype=np.int64)
    cap = np.array(pr["capacity"], dtype=np.int64)
    able = np.array(pr["able"], dtype=np.int64)
    paused = np.array(pr["paused"], dtype=bool)
    n = len(cap)
    cost = np.rint(np.array(pr["cost"], dtype=np.float64).reshape(n, n) * 1000.0) / 1000.0
    P = len(persons)

    t0 = time.time()
    rows, cols, obj, wts = [], [], [], []
    var = 0
    for p in range(P):
        feasible = (~paused) & ((needs[p] & ~able) == 0) & (cap >= persons[p])
        if fixed[p] >= 0:
            only = np.zeros(n, dtype=bool)
            only[fixed[p]] = True
            feasible &= only
        ms = np.nonzero(feasible)[0]
        c = cost[residence[p], ms] if residence[p] >= 0 else np.zeros(len(ms))
        if keep > 0 and len(ms) > keep:
            order = np.lexsort((ms, c))[:keep]
            ms, c = ms[order], c[order]
        k = len(ms)
        rows.append(np.column_stack((np.full(k, p), ms)))
        obj.append(persons[p] * c)
        var += k
    xs = np.vstack(rows) if rows else np.zeros((0, 2), dtype=np.int64)
    nx = len(xs)
    c_vec = np.concatenate(obj + [persons * unplaced_km]).astype(np.float64)
    # placement rows: x[p,*] and u[p]; municipality rows: persons x[*,m]
    r_idx = np.concatenate([xs[:, 0], np.arange(P), P + xs[:, 1]])
    c_idx = np.concatenate([np.arange(nx), nx + np.arange(P), np.arange(nx)])
    vals = np.concatenate([np.ones(nx), np.ones(P), persons[xs[:, 0]].astype(np.float64)])
    A = coo_matrix((vals, (r_idx, c_idx)), shape=(P + n, nx + P)).tocsr()
    lo = np.concatenate([np.ones(P), np.full(n, -np.inf)])
    hi = np.concatenate([np.ones(P), cap.astype(np.float64)])
    cons = LinearConstraint(A, lo, hi)
    bounds = Bounds(np.zeros(nx + P), np.ones(nx + P))
    build = time.time() - t0

    t1 = time.time()
    lp = milp(c_vec, constraints=cons, bounds=bounds, integrality=np.zeros(nx + P),
              options={"time_limit": limit})
    lp_time = time.time() - t1

    integ = np.concatenate([np.ones(nx), np.zeros(P)])
    t2 = time.time()
    res = milp(c_vec, constraints=cons, bounds=bounds, integrality=integ,
               options={"time_limit": limit, "disp": False})
    mip_time = time.time() - t2

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    fields = {
        "status": {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "other"}.get(res.status, str(res.status)),
        "objective": "%.1f" % res.fun if res.x is not None else "none",
        "dual_bound": "%.1f" % getattr(res, "mip_dual_bound", float("nan")) if res.x is not None else "none",
        "mip_s": "%.2f" % mip_time,
        "lp_bound": "%.1f" % lp.fun if lp.x is not None else "none",
        "lp_s": "%.2f" % lp_time,
        "build_s": "%.2f" % build,
        "vars": nx + P,
        "rows": P + n,
        "peak_mb": "%.0f" % peak_mb,
    }
    print(" ".join("%s=%s" % kv for kv in fields.items()))


if __name__ == "__main__":
    main()
