/* validate/calibrate.c — fitting a GPU's coefficients to measurements (docs/validate.md,
 * "Calibration"): least squares on relative error with NLopt (LN_BOBYQA, bounded), first the
 * time coefficients, then the power coefficients with the fitted times. Only the coefficients
 * the measurements determine are fitted; the others keep their values. */
#include "validate.h"

#include <math.h>
#include <nlopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cparam_names[] = {"efficiency.gemm", "efficiency.gemm_fp8",
                                    "efficiency.attention",
                                    "efficiency.attention_block_overhead_iters",
                                    "efficiency.memory", "efficiency.memory_sms_saturate",
                                    "efficiency.kernel_overhead_us", "power.static_w",
                                    "power.math_w", "power.sm_mem_w", "power.dram_w", NULL};

static double *field(llm_gpu *g, cparam p)
{
    switch (p) {
    case CP_GEMM: return &g->gemm_eff;
    case CP_GEMM_FP8: return &g->gemm_fp8_eff;
    case CP_ATTN: return &g->attn_eff;
    case CP_ATTN_EXTRA: return &g->attn_block_extra;
    case CP_MEM: return &g->mem_eff;
    case CP_MEM_SMS: return &g->mem_sms_saturate;
    case CP_OVERHEAD: return &g->kernel_overhead_us;
    case CP_STATIC: return &g->static_w;
    case CP_MATH: return &g->math_w;
    case CP_SM_MEM: return &g->sm_mem_w;
    case CP_DRAM: return &g->dram_w;
    case CP_COUNT: break;
    }
    return NULL;
}

static void bounds(const llm_gpu *g, cparam p, double *lo, double *hi)
{
    switch (p) {
    case CP_GEMM: case CP_GEMM_FP8: *lo = 0.2; *hi = 1; break;
    case CP_ATTN: *lo = 0.05; *hi = 1; break;
    case CP_ATTN_EXTRA: *lo = 0; *hi = 8; break;
    case CP_MEM: *lo = 0.3; *hi = 1; break;
    case CP_MEM_SMS: *lo = 1; *hi = g->sm_count; break;
    case CP_OVERHEAD: *lo = 0; *hi = 50; break;
    case CP_STATIC: case CP_SM_MEM: case CP_DRAM: *lo = 0; *hi = g->tdp_w; break;
    case CP_MATH: *lo = 0; *hi = 3 * g->tdp_w; break;
    case CP_COUNT: *lo = *hi = 0; break;
    }
}

typedef struct {
    const vfile *f;
    const char *skip_class;   /* leave-one-class-out: rows of this class are not fitted */
    llm_gpu g;                /* the GPU being fitted */
    cparam which[CP_COUNT];
    int n;
    int power;                /* fitting power (1) or time (0) */
    int rows;
} fitctx;

static int usable(const fitctx *c, const vmeas *m)
{
    if (!m->ok || (c->skip_class && !strcmp(m->r.klass, c->skip_class)))
        return 0;
    return !c->power || m->power_w > 0;
}

static double residuals(fitctx *c)
{
    double ss = 0;
    c->rows = 0;
    for (size_t i = 0; i < c->f->n; i++) {
        const vmeas *m = &c->f->rows[i];
        if (!usable(c, m))
            continue;
        vpred p;
        validate_predict(&c->g, &m->r, validate_clock(&c->g, m), &p);
        double e;
        if (c->power) {
            e = p.power_w / m->power_w - 1;
        } else {
            e = p.time_s / m->time_s - 1;
            if (m->r.kind == VK_OVERLAP && m->alone_a_s > 0 && m->alone_b_s > 0) {
                double ea = p.alone_a_s / m->alone_a_s - 1, eb = p.alone_b_s / m->alone_b_s - 1;
                ss += ea * ea + eb * eb;
            }
        }
        ss += e * e;
        c->rows++;
    }
    return ss;
}

static double objective(unsigned n, const double *x, double *grad, void *data)
{
    (void)grad;
    fitctx *c = data;
    for (unsigned i = 0; i < n; i++)
        *field(&c->g, c->which[i]) = x[i];
    return residuals(c);
}

/* The coefficients the usable rows determine. */
static int choose(const fitctx *c, cparam *which)
{
    int has[VK_COUNT] = {0}, fp8 = 0, limited = 0, small = 0, n = 0;
    for (size_t i = 0; i < c->f->n; i++) {
        const vmeas *m = &c->f->rows[i];
        if (!usable(c, m))
            continue;
        has[m->r.kind] = 1;
        fp8 |= m->r.kind == VK_GEMM && m->r.dtype == LLM_FP8;
        limited |= (m->r.kind == VK_COPY || m->r.kind == VK_OVERLAP) && m->r.sms > 0;
        small |= m->time_s < 20e-6;
    }
    if (c->power) {
        if (has[VK_GEMM] || has[VK_OVERLAP]) which[n++] = CP_MATH;
        if (has[VK_COPY] || has[VK_NORM] || has[VK_ACT]) {
            which[n++] = CP_DRAM;
            which[n++] = CP_SM_MEM;
        }
        which[n++] = CP_STATIC;
        return n;
    }
    if (has[VK_GEMM] || has[VK_OVERLAP] || has[VK_ATTN_PREFILL_UNFUSED]) which[n++] = CP_GEMM;
    if (fp8 && c->g.fp8_flop_per_clk_sm > 0) which[n++] = CP_GEMM_FP8;
    /* attention efficiency is not fitted: the runner's attention rows (decode, unfused
     * prefill) do not exercise the fused kernel's math rate it describes */
    if (has[VK_COPY] || has[VK_NORM] || has[VK_ACT] || has[VK_ROPE] || has[VK_RESIDUAL])
        which[n++] = CP_MEM;
    if (limited) which[n++] = CP_MEM_SMS;
    if (small) which[n++] = CP_OVERHEAD;
    return n;
}

static int fit(fitctx *c, int *code, llm_err *err)
{
    c->n = choose(c, c->which);
    if (c->n == 0)
        return 0;
    double x[CP_COUNT], lo[CP_COUNT], hi[CP_COUNT], step[CP_COUNT];
    for (int i = 0; i < c->n; i++) {
        bounds(&c->g, c->which[i], &lo[i], &hi[i]);
        x[i] = fmin(fmax(*field(&c->g, c->which[i]), lo[i]), hi[i]);
        step[i] = (hi[i] - lo[i]) / 10;
    }
    nlopt_opt opt = nlopt_create(NLOPT_LN_BOBYQA, (unsigned)c->n);
    if (!opt) {
        llm_err_set(err, "NLopt could not create the optimiser");
        return -1;
    }
    nlopt_set_lower_bounds(opt, lo);
    nlopt_set_upper_bounds(opt, hi);
    nlopt_set_initial_step(opt, step);
    nlopt_set_min_objective(opt, objective, c);
    nlopt_set_xtol_rel(opt, 1e-7);
    nlopt_set_ftol_abs(opt, 1e-14);
    nlopt_set_maxeval(opt, 20000);
    double f;
    nlopt_result r = nlopt_optimize(opt, x, &f);
    nlopt_destroy(opt);
    *code = (int)r;
    if (r < 0 && r != NLOPT_ROUNDOFF_LIMITED) {
        llm_err_set(err, "calibrate: NLopt failed: %s", nlopt_result_to_string(r));
        return -1;
    }
    /* roundoff-limited: the best point found is kept (it is what the data allow);
     * maxeval reached is reported by the code */
    for (int i = 0; i < c->n; i++)
        *field(&c->g, c->which[i]) = x[i];
    return 0;
}

static double mape(const llm_gpu *g, const vfile *f, const char *only_class, int power)
{
    double s = 0;
    int n = 0;
    for (size_t i = 0; i < f->n; i++) {
        const vmeas *m = &f->rows[i];
        if (!m->ok || (only_class && strcmp(m->r.klass, only_class)) ||
            (power && !(m->power_w > 0)))
            continue;
        vpred p;
        validate_predict(g, &m->r, validate_clock(g, m), &p);
        s += power ? fabs(p.power_w - m->power_w) / m->power_w
                   : fabs(p.time_s - m->time_s) / m->time_s;
        n++;
    }
    return n ? 100 * s / n : 0;
}

int validate_calibrate(const llm_gpu *g, const vfile *f, llm_gpu *out, vcalib *c,
                       int leave_one_out, llm_err *err)
{
    memset(c, 0, sizeof *c);
    size_t ok = 0;
    for (size_t i = 0; i < f->n; i++)
        ok += f->rows[i].ok;
    if (!ok) {
        llm_err_set(err, "calibrate: no measured row with status ok");
        return -1;
    }
    c->before_time = mape(g, f, NULL, 0);
    c->before_power = mape(g, f, NULL, 1);
    fitctx t = {f, NULL, *g, {0}, 0, 0, 0};
    if (fit(&t, &c->nlopt_code_time, err))
        return -1;
    fitctx pw = {f, NULL, t.g, {0}, 0, 1, 0};
    if (fit(&pw, &c->nlopt_code_power, err))
        return -1;
    *out = pw.g;
    for (int i = 0; i < t.n; i++)
        c->fitted[t.which[i]] = 1;
    for (int i = 0; i < pw.n; i++)
        c->fitted[pw.which[i]] = 1;
    for (int p = 0; p < CP_COUNT; p++)
        c->value[p] = *field(out, (cparam)p);
    c->after_time = mape(out, f, NULL, 0);
    c->after_power = mape(out, f, NULL, 1);
    if (!leave_one_out)
        return 0;
    /* each class predicted by a fit to the others */
    for (size_t i = 0; i < f->n && c->nlo < 64; i++) {
        const char *k = f->rows[i].r.klass;
        int seen = !f->rows[i].ok;
        for (int j = 0; j < c->nlo && !seen; j++)
            seen = !strcmp(c->lo_class[j], k);
        if (seen)
            continue;
        fitctx lo = {f, k, *g, {0}, 0, 0, 0};
        int code;
        if (fit(&lo, &code, err))
            return -1;
        snprintf(c->lo_class[c->nlo], sizeof c->lo_class[0], "%s", k);
        c->lo_mape[c->nlo++] = mape(&lo.g, f, k, 0);
    }
    return 0;
}

int validate_calib_values(const vcalib *c, const char **paths, double *values)
{
    int n = 0;
    for (int p = 0; p < CP_COUNT; p++)
        if (c->fitted[p]) {
            paths[n] = cparam_names[p];
            values[n++] = c->value[p];
        }
    return n;
}
