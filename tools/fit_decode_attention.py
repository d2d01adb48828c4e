#!/usr/bin/env python3
"""Offline fit of the decode-attention model (docs/cost-model.md eq. 28) to NVIDIA's
TensorRT-LLM 1.3.0rc20 H100 SXM generation-attention table (aiconfigurator_hopper: XQA over a
paged KV cache, 64 tokens per block; CUDA-graph replays). Rows: full attention (window 0),
bf16 KV, head size 64 or 128, <= 16 query heads per KV head (the bundled models' range).
KV length = step + 1. Model, with units = b hkv ceil(L / 512) CTAs, two resident per SM:
  t = max(KV bytes / (3350 GB/s x 0.90),
          ceil(units / (occ SMs)) (t_cta + bytes/units / bw_cta) + t_q b hq ceil(L/512) / SMs,
          4 b hq dh L / (peak x ceff)) + t0
Fitted by coordinate descent on the MAPE: occ, t_cta (us), bw_cta (GB/s), t_q (ns), ceff,
t0 (us; = kernel_overhead_us 2.5 + 3.5). Result (2026-12): occ 2, t_cta 2.5, bw_cta 32,
t_q 320, ceff 0.03, t0 6: MAPE 55.8% -> 16.1%. H200 vLLM is held out (tests/test_fidelity.c).
Usage: tools/fit_decode_attention.py [shared folder, default ../shared]"""
import csv, math, os, sys
from coordinate import coordinate_descent
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('LLMDSE_SHARED', '../shared')
PATH = (SHARED + '/data/calibration/aiconfigurator_hopper/'
        'h100_sxm__trtllm_1.3.0rc20__generation_attention_perf.csv')
SMS, PEAK, BW, LC = 132, 4096 * 132 * 1980e6, 3350e9 * 0.90, 512

def model(P, b, hq, hk, dh, L):
    byt = b * (2 * hq * dh * 2 + 2 * L * hk * dh * 2)
    splits = math.ceil(L / LC)
    units = b * hk * splits
    tu = (math.ceil(units / (SMS * P['occ'])) * (P['tcta'] * 1e-6 + byt / units / (P['bwcta'] * 1e9))
          + P['tq'] * 1e-9 * b * hq * splits / SMS)
    tc = 4 * b * hq * dh * L / (PEAK * P['ceff'])
    return max(byt / BW, tu, tc) + P['t0'] * 1e-6

rows = []
for r in csv.DictReader(open(PATH)):
    if r['window_size'] != '0' or r['kv_cache_dtype'] != 'bfloat16':
        continue
    b, hq, hk, dh = (int(r[c]) for c in ('batch_size', 'num_heads', 'num_key_value_heads', 'head_dim'))
    if hq // hk <= 16 and dh in (64, 128):
        rows.append((b, hq, hk, dh, int(r['step']) + 1, float(r['latency']) * 1e-3))
def mape(P, rs): return sum(abs(model(P, *r[:5]) - r[5]) / r[5] for r in rs) / len(rs)
P = dict(occ=2, tcta=3, bwcta=16, tq=160, ceff=0.05, t0=6)
grid = dict(tq=[80, 120, 160, 240, 320, 480], ceff=[0.01, 0.02, 0.03, 0.05, 0.08],
            occ=[1, 2, 3, 4], tcta=[1, 2, 2.5, 3, 3.5, 4, 5], bwcta=[16, 24, 32, 48, 64, 96],
            t0=[4, 5, 5.5, 6, 6.5, 7, 8])
coordinate_descent(P, grid, rows, mape, 3, 3)
