#!/usr/bin/env python3
"""Offline fit of the collective model (docs/cost-model.md eq. 11-12) to the APEX+ NCCL
measurements in ../shared/data/calibration/apex_plus. Prints the per-collective latency and
bandwidth efficiency that go into configs/gpus/*.json, and the error of the fit.
Plain Python (no numpy): a coarse-to-fine grid search on the mean absolute relative error.
Usage: tools/fit_collectives.py ../shared/data/calibration/apex_plus/original_microsoft/comm/H100-SXM-80GB 450"""
import csv, math, sys

OPS = {'all_reduce': ('allreduce', lambda n: 2 * (n - 1) / n),
       'all_gather': ('allgather', lambda n: (n - 1) / n),
       'reduce_scatter': ('reducescatter', lambda n: (n - 1) / n),
       'alltoall': ('alltoall', lambda n: (n - 1) / n),
       'sendrecv': ('sendrecv', lambda n: 1.0)}

def load(path):
    rows = []
    for r in csv.DictReader(open(path)):
        kb = float(r['size(kb)'])
        if kb < 1:  # sizes under 1 KiB are truncated to 0 in the file
            continue
        rows.append((int(r['num_gpus_per_node']), kb * 1024, float(r['time(us)'])))
    return rows

def model(n, size, fac, lat, log2lat, eff, pen, dlat, fll, link):
    # NCCL picks the faster protocol: a low-latency one at a fraction fll of the bandwidth,
    # or the full-bandwidth one that costs dlat more to start (eq. 12).
    bw = link * 1e9 * eff * (1 - pen / n)
    a = lat + log2lat * (math.log2(n) - 1)
    w = size * fac(n)
    return min(a + w / (bw * fll) * 1e6, a + dlat + w / bw * 1e6)

def err(rows, fac, p, link):
    return sum(abs(model(n, s, fac, *p, link) - t) / t for n, s, t in rows) / len(rows)

def fit(rows, fac, link):
    best = None
    grid = [(lat, l2, eff, pen, dl, fl) for lat in [4, 8, 12]
            for l2 in [0, 2, 4] for eff in [x / 100 for x in range(50, 101, 5)]
            for pen in [0, 0.3, 0.6, 0.9] for dl in [0, 10, 20, 40] for fl in [0.1, 0.2, 0.4]]
    for p in grid:
        e = err(rows, fac, p, link)
        if best is None or e < best[0]:
            best = (e, p)
    step = [1, 0.5, 0.02, 0.1, 4, 0.05]
    p = list(best[1])
    for _ in range(8):
        for i in range(6):
            for d in (-1, 1):
                q = list(p); q[i] = max(0, q[i] + d * step[i])
                e = err(rows, fac, q, link)
                if e < best[0]:
                    best = (e, tuple(q)); p = q
        step = [s / 2 for s in step]
    return best

def main():
    d, link = sys.argv[1], float(sys.argv[2])
    for f, (name, fac) in OPS.items():
        rows = load(f'{d}/{f}.csv')
        e, p = fit(rows, fac, link)
        big = [r for r in rows if r[1] >= 1 << 20]
        print(f'{name:14s} latency_us={p[0]:.2f} log2_us={p[1]:.2f} bw_eff={p[2]:.3f} '
              f'rank_penalty={p[3]:.2f} simple_extra_us={p[4]:.1f} ll_bw_frac={p[5]:.3f}  MAPE all={100*e:.1f}% >=1MiB={100*err(big, fac, p, link):.1f}% '
              f'(n={len(rows)})')

main()
