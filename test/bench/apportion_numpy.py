#!/usr/bin/python3
"""test/bench/apportion_numpy.py: the apportionment methods of settle.apportion
in plain numpy (float64), a speed peer for test/bench/apportion.sh.

    apportion_numpy.py WEIGHTS TOTAL METHOD REPS [SEATS]

WEIGHTS: one weight per line; SEATS: settle's seats and tie flags (t/f),
tab-separated, one unit per line, in the same order.  Prints the best time
of REPS runs in ms and, given SEATS, how many units not in a tie got other
seats than settle (float64 could also break a near-tie the other way;
settle is exact).  Divisor methods: a divisor by secant steps, then the
missing or surplus seats by argpartition on the next (or last) seat's
priority, repeated until no next seat outranks a last one.  Only the timed part is the method itself.
"""
import sys
import time

import numpy as np


def divisor(method, s):
    """the divisor for seat s + 1 of a unit holding s seats"""
    if method == 'dhondt':
        return s + 1.0
    if method == 'sainte_lague':
        return s + 0.5
    if method == 'adams':
        return s.astype(float)
    if method == 'huntington_hill':
        return np.sqrt(s * (s + 1.0))
    raise SystemExit('unknown method ' + method)


def rounded(method, q):
    """seats at quotient q = w / d"""
    if method == 'dhondt':
        return np.floor(q)
    if method == 'sainte_lague':
        return np.floor(q + 0.5)
    if method == 'adams':
        return np.ceil(q)
    fl = np.floor(q)
    return fl + (q > np.sqrt(fl * (fl + 1)))


def apportion(w, total, method):
    wsum = w.sum()
    quota = w * (total / wsum)
    if method == 'hamilton':
        seats = np.floor(quota).astype(np.int64)
        left = total - int(seats.sum())
        if left > 0:
            seats[np.argpartition(-(quota - seats), left - 1)[:left]] += 1
        return seats, quota
    # the divisor d by secant steps on sum(seats(d)) - total, from two guesses
    d0, d1 = wsum / total, wsum / total * 0.9
    f0 = rounded(method, w / d0).sum() - total
    for _ in range(40):
        f1 = rounded(method, w / d1).sum() - total
        if f1 == 0 or f1 == f0 or abs(f1) * 1000 < len(w):
            break
        d0, d1, f0 = d1, d1 - f1 * (d1 - d0) / (f1 - f0), f1
    seats = rounded(method, w / d1).astype(np.int64)
    seats[w == 0] = 0
    # then seat by seat: the missing seats to the highest next priorities,
    # surplus seats from the lowest last ones, until no unit's next seat
    # outranks another's last
    with np.errstate(divide='ignore', invalid='ignore'):
        while True:
            diff = total - int(seats.sum())
            nxt = np.where(w > 0, w / divisor(method, seats), -1.0)
            if diff > 0:
                seats[np.argpartition(-nxt, diff - 1)[:diff]] += 1
                continue
            lst = np.where(seats > 0, w / divisor(method, seats - 1), np.inf)
            if diff < 0:
                seats[np.argpartition(lst, -diff - 1)[:-diff]] -= 1
                continue
            if nxt.max() <= lst.min():
                return seats, quota
            seats[np.argmin(lst)] -= 1


def main():
    w = np.loadtxt(sys.argv[1], dtype=np.float64, ndmin=1)
    total, method, reps = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    best = None
    for _ in range(reps):
        t0 = time.perf_counter()
        seats, _quota = apportion(w, total, method)
        ms = (time.perf_counter() - t0) * 1000
        best = ms if best is None else min(best, ms)
    assert int(seats.sum()) == total, (int(seats.sum()), total)
    differ = '-'
    if len(sys.argv) > 5:
        # settle's seats and tie flags (t/f): units in an exact tie may
        # rightly differ (the last seats go by settle's documented order)
        settle = np.loadtxt(sys.argv[5], dtype=str, ndmin=2)
        tie = settle[:, 1] == 't'
        differ = int(((settle[:, 0].astype(np.int64) != seats) & ~tie).sum())
    print('%.2f %s' % (best, differ))


main()
