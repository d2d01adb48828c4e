#!/usr/bin/env python3
"""Offline fit of the fused-attention model (docs/cost-model.md eq. 7-8) to the FlashAttention-2
prefill kernel times on H100 in ../shared/data/calibration/apex_plus/glassml_fork.
Model: tiles of BQ queries x BK keys, causal blocks computed whole, each query block pays a
prologue/epilogue worth `extra` key-block iterations; waves over 132 SMs; roofline with DRAM;
a fixed per-call overhead. Fits attention efficiency and extra by grid search.
Usage: tools/fit_attention.py flash_attn_gqa_bf16_prefill.csv 64"""
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
SM, PEAK_SM, BW = 132, 4096 * 1980e6, 3350e9 * 0.90
BQ, BK = 128, int(sys.argv[2]) if len(sys.argv) > 2 else 128

def pred(r, eff, extra, ovh):
    b, hq, hkv = int(r['batch_size']), int(r['num_heads']), int(r['num_heads_kv'])
    dh, s = int(r['head_size']), int(r['seq_len'])
    nq = math.ceil(s / BQ)
    kb = sum(min(math.ceil(s / BK), math.ceil((i + 1) * BQ / BK)) for i in range(nq))
    iters = b * hq * (kb + extra * nq)          # key-block iterations, all CTAs
    ctas = b * hq * nq
    waves = math.ceil(ctas / SM)
    we = ctas / (waves * SM)
    tc = iters * 4 * BQ * BK * dh / (PEAK_SM * SM * eff * we)
    by = b * s * (2 * hq + 2 * hkv) * dh * 2
    tm = by / (BW * min(1, min(ctas, SM) / 66))
    return (max(tc, tm)) * 1e6 + ovh

def mape(p, sel):
    return sum(abs(pred(r, *p) - float(r['time(us)'])) / float(r['time(us)']) for r in sel) / len(sel)

big = [r for r in rows if float(r['time(us)']) >= 200]
# The per-call overhead is fixed at the GPU's kernel_overhead_us (2 us): the data's floor of
# ~40 us is the profiler's, not the kernel's, so only kernels >= 200 us are fitted.
OVH = 2
best = None
for eff in [x / 100 for x in range(24, 60)]:
    for extra in [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2]:
        e = mape((eff, extra, OVH), big)
        if best is None or e < best[0]:
            best = (e, (eff, extra, OVH))
e, p = best
print(f'BK={BK} attention_eff={p[0]:.2f} block_extra_iters={p[1]:.2f} overhead_us={p[2]} '
      f'MAPE >=200us={100*e:.1f}% (n={len(big)}) all={100*mape(p, rows):.1f}% (n={len(rows)})')
