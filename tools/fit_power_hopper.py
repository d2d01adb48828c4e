#!/usr/bin/env python3
"""Hopper power (docs/cost-model.md eq. 19-20, 29-30) from the H200 NVML power column of
NVIDIA's aiconfigurator vLLM tables (aiconfigurator_hopper/PROVENANCE.md, "Power"). Only rows
whose timed loop lasted >= 0.9 s are used (the NVML reading is a trailing 1 s average): window =
N x t_call, t_call = 6 x latency for bf16 GEMM (6 layers per call), latency for attention;
N = max(6, int(target / t_call) + 1) capped at 3000, target 1 s (0.3 s when t_call < 0.1 ms).
Medians over classes of neighbouring shapes, never single rows. Steps:
 1. base B = idle + static at the maximum clock: near-idle readings, 126-150 W (PROVENANCE) -> 128 W.
 2. the activity floor A (W while kernels occupy the SMs) and the on-chip energy per DRAM byte
    e_chip, from two memory-bound GEMV workloads on two memory technologies, with the DRAM
    energy per byte e_dram taken from the literature (HBM3e 3.0 pJ/bit, HBM2e 4.0):
      H200 single-row GEMMs (m = 1, CUDA-core GEMV, no tensor work), n k >= 2^26:
        P = B + A + u_mem x 4.8 TB/s x (e_dram + e_chip)
      H100 64GB HBM2e (vllm_batching_memory_gap dmon): Llama-2-7B decode at batch 1 draws 300 W
      (mean of active samples) at 13.48 GB / 11.3 ms per step = 0.73 of 1631 GB/s; idle 115 W.
    Two equations, two unknowns; e_chip is clamped at >= 0.
 3. tensor power math_w (W at full executed tensor throughput, 1980 MHz): multi-row memory-bound
    GEMMs (m = 5..64, n k >= 2^26), whose tensor cores run 64-row tiles (executed = padded FLOP):
    math_w = (P - B - A - dram u_mem) / u_exec.
 4. checks: decode attention (KV >= 1 GB, query rows padded to 64 per KV head) and dense bf16
    GEMMs at the 700 W cap (their clock, hence TFLOP/s, follows from the V-f curve; tested in
    tests/test_fidelity.c).
Usage: tools/fit_power_hopper.py [shared folder]"""
import csv, math, os, statistics, sys
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('LLMDSE_SHARED', '../shared')
D = SHARED + '/data/calibration/aiconfigurator_hopper/'
PEAK, BW, B = 4096 * 132 * 1980e6, 4800e9, 128.0
TILES = [(128, 256), (128, 128), (64, 128), (64, 64)]

def window(t):
    n = min(3000, max(6, int((1.0 if t >= 1e-4 else 0.3) / t) + 1))
    return n * t

gemm = []
for r in csv.DictReader(open(D + 'h200_sxm__vllm_0.22.0__gemm_perf.csv')):
    if r['gemm_dtype'] != 'bfloat16':
        continue
    m, n, k, t, p = int(r['m']), int(r['n']), int(r['k']), float(r['latency']) * 1e-3, float(r['power'])
    if window(6 * t) < 0.9:
        continue
    ex = 0 if m == 1 else min(2 * k * math.ceil(m / a) * a * math.ceil(n / b) * b for a, b in TILES)
    gemm.append(dict(m=m, nk=n * k, big=min(m, n, k) >= 4096, P=p, ub=2 * (m * k + n * k + m * n) / t / BW,
                     ue=ex / t / PEAK, tf=2 * m * n * k / t / 1e12))
med = lambda xs: statistics.median(xs)
g1 = [r for r in gemm if r['m'] == 1 and r['nk'] >= 2 ** 26]
P1, U1 = med([r['P'] for r in g1]), med([r['ub'] for r in g1])
# dmon: H100 64GB HBM2e, Llama-2-7B batch 1 (raw_nvidia_smi_dmon/llama-2-7b/max_num_seqs_1_dmon.csv)
rows = list(csv.reader(open(SHARED + '/data/calibration/vllm_batching_memory_gap/raw_nvidia_smi_dmon/'
                            'llama-2-7b/max_num_seqs_1_dmon.csv')))[2:]
act = [float(r[2]) for r in rows if float(r[5]) > 0]
P2, B2, U2 = sum(act) / len(act), 115.0, 13.48e9 / 11.3e-3 / 1631e9
E3E, E2E = 24.0, 32.0   # pJ/B, literature
# P1 - B = A + U1 4.8 (E3E + ec);  P2 - B2 = A + U2 1.631 (E2E + ec)
a1, a2 = U1 * 4.8, U2 * 1.631
ec = ((P1 - B - a1 * E3E) - (P2 - B2 - a2 * E2E)) / (a1 - a2)
ec = max(ec, 0.0)
A = 0.5 * ((P1 - B - a1 * (E3E + ec)) + (P2 - B2 - a2 * (E2E + ec)))
dram = 4.8 * E3E
print(f'1. base B = {B:.0f} W (idle + static at 1980 MHz)')
print(f'2. H200 GEMV: {len(g1)} rows, P {P1:.0f} W at u_mem {U1:.2f}; H100 64GB batch-1 decode: '
      f'{P2:.0f} W at u_mem {U2:.2f} -> e_chip {ec:.1f} pJ/B (clamped at 0), activity floor A = {A:.0f} W '
      f'(H200 alone: {P1 - B - a1 * (E3E + ec):.0f}, H100 64GB alone: {P2 - B2 - a2 * (E2E + ec):.0f})')
M = A  # memory-bound rows below: B + A + dram u_mem
gm = [r for r in gemm if 5 <= r['m'] <= 64 and r['nk'] >= 2 ** 26]
P, ub, ue = med([r['P'] for r in gm]), med([r['ub'] for r in gm]), med([r['ue'] for r in gm])
math_w = (P - B - A - dram * ub) / ue
print(f'3. m = 5..64 memory-bound: {len(gm)} rows, P {P:.0f} W, u_mem {ub:.2f}, executed tensor '
      f'{ue:.3f} -> math_w = {math_w:.0f} W = {math_w / PEAK * 1e12:.3f} pJ per executed FLOP')
att = []
for r in csv.DictReader(open(D + 'h200_sxm__vllm_0.22.0__generation_attention_perf.csv')):
    if r['window_size'] != '0' or r['kv_cache_dtype'] != 'bfloat16':
        continue
    b, hq, hk, dh, L = (int(r[c]) for c in ('batch_size', 'num_heads', 'num_key_value_heads', 'head_dim', 'step'))
    t, p = float(r['latency']) * 1e-3, float(r['power'])
    kv = b * 2 * L * hk * dh * 2
    if window(t) < 0.9 or kv < 1e9:
        continue
    ex = 4 * b * hk * math.ceil(hq / hk / 64) * 64 * dh * L
    att.append((p, (kv + b * 4 * hq * dh) / t / BW, ex / t / PEAK))
pa = B + A + dram * med([a[1] for a in att]) + math_w * med([a[2] for a in att])
print(f'4a. decode attention KV >= 1 GB: {len(att)} rows, measured {med([a[0] for a in att]):.0f} W, '
      f'model {pa:.0f} W')
cb = [r for r in gemm if r['big']]
print(f'4b. dense bf16 GEMM m, n, k >= 4096: {len(cb)} rows at {med([r["P"] for r in cb]):.0f} W '
      f'(the 700 W cap), {med([r["tf"] for r in cb]):.0f} TFLOP/s: the clock the cap leaves is '
      f'{1980 * med([r["tf"] for r in cb]) / 794.5:.0f} MHz if unthrottled = MAMF 794.5 TFLOP/s; '
      'tests/test_fidelity.c compares the model\'s capped clock with it')
