#!/usr/bin/env python3
"""Offline fit of the power model (docs/cost-model.md eq. 19-20) to the Perseus A100 SXM
stage profiles (time and energy at locked SM clocks 1410..855 MHz), GPT-3 175B and BLOOM,
forward and backward, stage 0. The time curve t(f) = a + b * 1410/f splits each stage into a
clock-bound part (tensor work) and a clock-independent part (memory); their utilisations follow.
Fixed (not fitted): idle 50 W + static 34 W = 84 W, the artifact's measured A100 "blocking power"
83.64 W; tensor utilisation while clock-bound = gemm efficiency 0.87 (MAMF, A100 SXM);
DRAM utilisation in the memory part 0.7; dram_w 65 W (HBM2e 4.0 pJ/bit x 2039 GB/s) and
sm_mem_w 0 (no on-chip energy per DRAM byte, the Hopper fit, tools/fit_power_hopper.py) by the
transfer rule of docs/cost-model.md eq. 30; active_w 0 (the blocking power is idle + static).
Fitted: math_w, v_min_ratio, v_knee_mhz."""
import csv, math, sys
FMAX, IDLE, STATIC, DRAM_W, SMMEM_W, EG, EM = 1410, 50, 34, 65, 0, 0.87, 0.7

def series(path, instr):
    return [(float(r['frequency']), float(r['time']), float(r['energy']))
            for r in csv.DictReader(open(path)) if r['stage'] == '0' and r['instruction'] == instr]

def fit_time(s):  # least squares t = a + b x, x = FMAX/f
    xs = [FMAX / f for f, _, _ in s]; ts = [t for _, t, _ in s]
    n = len(s); mx = sum(xs) / n; mt = sum(ts) / n
    b = sum((x - mx) * (t - mt) for x, t in zip(xs, ts)) / sum((x - mx) ** 2 for x in xs)
    return mt - b * mx, b

def v(f, vmin, knee):
    if f <= knee: return vmin
    return vmin + (1 - vmin) * min(1, (f - knee) / (FMAX - knee))

def power(f, t, a, b, p):
    math_w, vmin, knee = p
    um = EG * (b * FMAX / f) / t; ud = EM * a / t
    vv = v(f, vmin, knee)
    return IDLE + STATIC * vv * vv + (math_w * um + SMMEM_W * ud) * f / FMAX * vv * vv + DRAM_W * ud

sets = []
for path in sys.argv[1:]:
    for instr in ('forward', 'backward'):
        s = series(path, instr)
        a, b = fit_time(s)
        sets.append((path.split('_')[-3] + ' ' + instr, s, a, b))

def err(p):
    e = [abs(power(f, t, a, b, p) - en / t) / (en / t) for _, s, a, b in sets for f, t, en in s]
    return sum(e) / len(e)

best = None
for mw in range(200, 700, 10):
    for vmin in [x / 100 for x in range(50, 101, 2)]:
        for knee in range(855, 1411, 15):
            e = err((mw, vmin, knee))
            if best is None or e < best[0]:
                best = (e, (mw, vmin, knee))
e, p = best
print(f'math_w={p[0]} v_min_ratio={p[1]:.2f} v_knee_mhz={p[2]}  power MAPE={100*e:.1f}%')
for name, s, a, b in sets:
    te = sum(abs(a + b * FMAX / f - t) / t for f, t, _ in s) / len(s)
    pe = sum(abs(power(f, t, a, b, p) - en / t) / (en / t) for f, t, en in s) / len(s)
    print(f'  {name}: time fit a={a*1e3:.2f} ms b={b*1e3:.2f} ms (MAPE {100*te:.1f}%), '
          f'power MAPE {100*pe:.1f}%, P(1410)={power(1410, s[0][1], a, b, p):.0f} W '
          f'measured {s[0][2]/s[0][1]:.0f} W')
