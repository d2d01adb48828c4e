/* validate/bands.c — `llmdse validate bands`: the uncertainty bands from out-of-fit residuals
 * (docs/calibration.md "Bands"; the equations that use them: docs/cost-model.md eq. 52-55).
 *
 * End to end, three regimes, each set weighted equally (a set of 151 rows does not outvote one
 * of 30):
 *   serving_fitted  the memory-gap online sets (memgap-online, -advisor, -replication) and the
 *                   held-out offline decode steps: vllm-0.5 was fitted on this GPU's other runs
 *   calibrated_gpu  ML.ENERGY H100 (profile fitted on the A100), TensorRT-LLM H100 and H200
 *                   (profile an estimate)
 *   datasheet_gpu   leave one GPU out: ML.ENERGY A100 predicted with an A100 built from its
 *                   datasheet by the transfer rules (bands_datasheet_gpu) and the ML.ENERGY
 *                   profile refitted on the H100 runs, so that no A100 measurement is used
 * Kernels: the H200 vLLM GEMM and decode-attention tables (held out from the H100 fit), the
 * glassml H100 collectives (never fitted), MAMF's spread across GPUs for datasheet-only peaks. */
#include "validate.h"
#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>



typedef struct { double r, w; } resid;   /* ln(measured / predicted), weight */
typedef struct { resid *v; size_t n, cap; char sets[256]; } pool;

static int pool_add(pool *p, double pred, double meas, double w)
{
    if (!(pred > 0 && meas > 0 && isfinite(pred) && isfinite(meas)))
        return 0;
    if (p->n == p->cap) {
        size_t c = p->cap ? 2 * p->cap : 256;
        resid *v = realloc(p->v, c * sizeof *v);
        if (!v)
            return -1;
        p->v = v;
        p->cap = c;
    }
    p->v[p->n++] = (resid){log(meas / pred), w};
    return 0;
}

static void pool_note(pool *p, const char *set)
{
    if (strstr(p->sets, set))
        return;
    size_t l = strlen(p->sets);
    snprintf(p->sets + l, sizeof p->sets - l, "%s%s", l ? ", " : "", set);
}

static int by_r(const void *a, const void *b)
{
    double x = ((const resid *)a)->r, y = ((const resid *)b)->r;
    return (x > y) - (x < y);
}

/* The weighted q-quantile: the smallest r whose cumulative weight reaches q of the total,
 * interpolated between neighbours (so a pool of equal weights gives the usual quantile). */
static double wquantile(const resid *v, size_t n, double q)
{
    double tot = 0;
    for (size_t i = 0; i < n; i++)
        tot += v[i].w;
    double acc = 0, prev_c = 0;
    for (size_t i = 0; i < n; i++) {
        double c = (acc + v[i].w / 2) / tot;   /* the row's mid-point in cumulative weight */
        if (c >= q) {
            if (i == 0)
                return v[0].r;
            double t = (q - prev_c) / (c - prev_c);
            return v[i - 1].r + t * (v[i].r - v[i - 1].r);
        }
        prev_c = c;
        acc += v[i].w;
    }
    return v[n - 1].r;
}

static void pool_band(pool *p, llm_band *b)
{
    memset(b, 0, sizeof *b);
    if (!p->n)
        return;
    qsort(p->v, p->n, sizeof *p->v, by_r);
    b->q10 = wquantile(p->v, p->n, 0.1);
    b->q50 = wquantile(p->v, p->n, 0.5);
    b->q90 = wquantile(p->v, p->n, 0.9);
    double tot = 0, ape = 0;
    for (size_t i = 0; i < p->n; i++) {
        tot += p->v[i].w;
        ape += p->v[i].w * fabs(exp(-p->v[i].r) - 1);   /* |pred / meas - 1| */
    }
    b->n = (int)p->n;
    b->mape_pct = 100 * ape / tot;
}

/* ---- end to end ------------------------------------------------------------------------------ */

typedef struct {
    pool *m;          /* [LLM_BAND_NMETRIC] of the regime */
    const char *set;
    int skip_ttft;
    int oom;
} sink_ctx;

static int band_of(e2e_metric k)
{
    switch (k) {
    case E2E_THROUGHPUT: return LLM_BAND_THROUGHPUT;
    case E2E_TPOT: return LLM_BAND_TPOT;
    case E2E_TTFT: return LLM_BAND_TTFT;
    case E2E_POWER: return LLM_BAND_POWER;
    case E2E_ENERGY: return LLM_BAND_ENERGY;
    default: return -1;   /* the percentiles are judged by their base metric's band */
    }
}

/* The memory-gap runs at a clock locked below the maximum (1605 of 1980 MHz) placed the Hopper
 * voltage knee (docs/calibration.md): in-fit for power, so they are left out of the power and
 * energy bands. Rows at the maximum report its clock within a step or two. */
static int in_fit(e2e_metric k, double clock_ratio)
{
    return clock_ratio < 0.97 && (k == E2E_POWER || k == E2E_ENERGY);
}

static void sink(void *vc, e2e_metric k, double pred, double meas, double clock_ratio)
{
    sink_ctx *c = vc;
    int b = band_of(k);
    if (b < 0 || (b == LLM_BAND_TTFT && c->skip_ttft) || in_fit(k, clock_ratio))
        return;
    if (pool_add(&c->m[b], pred, meas, 1))
        c->oom = 1;
    pool_note(&c->m[b], c->set);
}

/* Pools a set's rows, then weighs each metric's rows 1 / their number: every set counts
 * equally, whatever its size. */
static int pool_set(const char *dir, const char *set, const llm_serving *sv, const llm_gpu *g,
                    pool *m, int skip_ttft, llm_err *err)
{
    e2e_setres res;
    size_t n0[LLM_BAND_NMETRIC];
    for (int b = 0; b < LLM_BAND_NMETRIC; b++)
        n0[b] = m[b].n;
    sink_ctx c = {.m = m, .set = set, .skip_ttft = skip_ttft};
    if (validate_e2e_set(dir, set, sv, g, sink, &c, &res, err))
        return -1;
    if (c.oom) {
        llm_err_set(err, "validate bands: out of memory");
        return -1;
    }
    for (int b = 0; b < LLM_BAND_NMETRIC; b++)
        for (size_t i = n0[b]; i < m[b].n; i++)
            m[b].v[i].w = 1.0 / (double)(m[b].n - n0[b]);
    return 0;
}

/* eq. B3 (docs/calibration.md): a regime without measurements of a metric (TTFT outside the
 * memory-gap sets) takes the serving_fitted band of that metric, shifted by the regime's TPOT
 * median and widened by the ratio of its TPOT width: a TTFT is prefill steps plus waiting
 * steps, so its error follows the step time's. */
static void derive(const llm_band *fit, const llm_band *fit_tpot, const llm_band *tpot,
                   llm_band *out)
{
    double k = (tpot->q90 - tpot->q10) / fmax(1e-9, fit_tpot->q90 - fit_tpot->q10);
    double c = fit->q50 + (tpot->q50 - fit_tpot->q50);
    out->q50 = c;
    out->q10 = c + k * (fit->q10 - fit->q50);
    out->q90 = c + k * (fit->q90 - fit->q50);
    out->n = 0;
    out->mape_pct = fit->mape_pct * k;
}

/* ---- the datasheet rule, applied to a GPU that has measurements (leave one GPU out) -------- */

/* MAMF bf16 efficiencies (achieved / datasheet dense peak) of every GPU but the one left out. */
static int mamf_effs(const char *dir, const char *leave_out, double *eff, int max, llm_err *err)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/ml_engineering_stas00/"
             "mamf_max_achievable_matmul_tflops_TRANSCRIBED.csv", dir);
    table t;
    if (table_load(path, &t, err))
        return -1;
    int ca = table_col(&t, "accelerator", err), cd = ca < 0 ? -1 : table_col(&t, "dtype", err);
    int cm = cd < 0 ? -1 : table_col(&t, "mamf_tflops", err);
    int cp = cm < 0 ? -1 : table_col(&t, "theoretical_dense_tflops", err);
    if (cp < 0) {
        table_free(&t);
        return -1;
    }
    int n = 0;
    for (int r = 0; r < t.rows && n < max; r++) {
        const char *acc = table_cell(&t, r, ca);
        if (strcmp(table_cell(&t, r, cd), "bf16") || (leave_out && strstr(acc, leave_out)))
            continue;
        double a = atof(table_cell(&t, r, cm)), p = atof(table_cell(&t, r, cp));
        if (a > 0 && p > 0)
            eff[n++] = a / p;
    }
    table_free(&t);
    if (n < 3) {
        llm_err_set(err, "%s: expected at least 3 bf16 rows, found %d", path, n);
        return -1;
    }
    return n;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The dense bf16 8192^3 GEMM at the maximum clock: its power over the TDP (what the transfer
 * rule keeps, docs/cost-model.md eq. 30's table) and its achieved share of peak. */
static void dense_gemm(const llm_gpu *g, double *p_over_tdp, double *eff)
{
    cost_kernel k;
    cost_gemm(g, &(cost_gemm_shape){8192, 8192, 8192, 1, 2, 2, 2, 0}, g->max_mhz, g->sm_count,
              &k);
    *p_over_tdp = cost_kernel_power(g, &k, g->max_mhz) / g->tdp_w;
    double peak = g->sm_count * g->bf16_flop_per_clk_sm * g->max_mhz * 1e6;
    *eff = 2.0 * 8192 * 8192 * 8192 / k.time_s / peak;
}

int bands_datasheet_gpu(const char *dir, const llm_gpu *g, const llm_gpu *ref,
                        const char *mamf_name, llm_gpu *out, llm_err *err)
{
    double eff[64];
    int n = mamf_effs(dir, mamf_name, eff, 64, err);
    if (n < 0)
        return -1;
    double target = median_of(eff, n);
    *out = *g;
    /* GEMM: the median MAMF efficiency of the other GPUs at 8192^3 (eq. 5 is linear in it) */
    double pr, e;
    dense_gemm(out, &pr, &e);
    out->gemm_eff *= target / e;
    /* power: the reference GPU's shares of its TDP for idle, static and activity power; its
     * voltage knee at the same fraction of the maximum clock; math_w so that the dense GEMM
     * draws the reference's multiple of the TDP (power is affine in math_w: two evaluations) */
    out->idle_w = ref->idle_w / ref->tdp_w * g->tdp_w;
    out->static_w = ref->static_w / ref->tdp_w * g->tdp_w;
    out->active_w = ref->active_w / ref->tdp_w * g->tdp_w;
    out->sm_mem_w = ref->sm_mem_w / ref->tdp_w * g->tdp_w;
    out->v_min_ratio = ref->v_min_ratio;
    out->v_knee_mhz = ref->v_knee_mhz / ref->max_mhz * g->max_mhz;
    double want, e_ref;
    dense_gemm(ref, &want, &e_ref);
    out->math_w = 0;
    double p0, p1;
    dense_gemm(out, &p0, &e);
    out->math_w = g->tdp_w;
    dense_gemm(out, &p1, &e);
    out->math_w = p1 > p0 ? g->tdp_w * (want - p0) / (p1 - p0) : g->math_w;
    if (!(out->math_w > 0))
        out->math_w = g->math_w;
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        out->coverage[c] = LLM_COV_DATASHEET;
        out->coverage_from[c][0] = 0;
    }
    return 0;
}

/* ---- kernels --------------------------------------------------------------------------------- */

#define H200_GEMM "aiconfigurator_hopper/h200_sxm__vllm_0.22.0__gemm_perf.csv"
#define H200_DECODE "aiconfigurator_hopper/h200_sxm__vllm_0.22.0__generation_attention_perf.csv"
#define GLASSML "apex_plus/glassml_fork/comm/H100-SXM-80GB/nccl_alphabeta_raw.csv"

/* A data set under dir with the named columns found (col[i] for names[i]); -1 with a message
 * naming the file or the missing column. */
static int open_set(const char *dir, const char *rel, const char *const *names, int *col,
                    table *t, llm_err *err)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (table_load(path, t, err))
        return -1;
    for (int i = 0; names[i]; i++)
        if ((col[i] = table_col(t, names[i], err)) < 0) {
            table_free(t);
            return -1;
        }
    return 0;
}

static double at(const table *t, int r, int c) { return atof(table_cell(t, r, c)); }

/* The held-out H200 bf16 GEMMs (as tests/test_fidelity.c selects them: n, k >= 256, m <=
 * 8192): m <= 16 streams the weights (the memory class), larger m is the GEMM class. */
static int kernel_gemm(const char *dir, pool *gemm, pool *mem, llm_err *err)
{
    llm_gpu g;
    static const char *const names[] = {"gemm_dtype", "m", "n", "k", "latency", NULL};
    int c[5];
    table t;
    if (configs_load_gpu("h200-sxm-141gb", &g, err) || open_set(dir, H200_GEMM, names, c, &t, err))
        return -1;
    int rc = 0;
    for (int r = 0; !rc && r < t.rows; r++) {
        if (strcmp(table_cell(&t, r, c[0]), "bfloat16"))
            continue;
        double m = at(&t, r, c[1]), n = at(&t, r, c[2]), k = at(&t, r, c[3]);
        double lat = at(&t, r, c[4]) * 1e-3;
        if (n < 256 || k < 256 || m > 8192 || !(lat > 0))
            continue;
        cost_kernel ker;
        cost_gemm(&g, &(cost_gemm_shape){m, n, k, 1, 2, 2, 2, 0}, g.max_mhz, g.sm_count, &ker);
        rc = pool_add(m <= 16 ? mem : gemm, ker.time_s, lat, 1);
    }
    table_free(&t);
    pool_note(gemm, "aiconfigurator H200 vLLM GEMM m > 16");
    pool_note(mem, "aiconfigurator H200 vLLM GEMM m <= 16 (weight streaming)");
    return rc;
}

static int kernel_decode(const char *dir, pool *p, llm_err *err)
{
    llm_gpu g;
    static const char *const names[] = {"batch_size", "num_heads", "num_key_value_heads",
                                        "head_dim", "window_size", "kv_cache_dtype", "step",
                                        "latency", NULL};
    int c[8];
    table t;
    if (configs_load_gpu("h200-sxm-141gb", &g, err) ||
        open_set(dir, H200_DECODE, names, c, &t, err))
        return -1;
    int rc = 0;
    for (int r = 0; !rc && r < t.rows; r++) {
        if (strcmp(table_cell(&t, r, c[4]), "0") || strcmp(table_cell(&t, r, c[5]), "bfloat16"))
            continue;
        double b = at(&t, r, c[0]), hq = at(&t, r, c[1]), hk = at(&t, r, c[2]);
        double x = at(&t, r, c[3]), L = at(&t, r, c[6]), lat = at(&t, r, c[7]) * 1e-3;
        if (!(hk > 0) || hq / hk > 16 || (x != 64 && x != 128) || !(lat > 0))
            continue;
        cost_kernel ker;
        cost_attention(&g, &(cost_attn_shape){b, hq, hk, x, 1, L, 2, 2, 1}, g.max_mhz,
                       g.sm_count, &ker);
        rc = pool_add(p, ker.time_s, lat, 1);
    }
    table_free(&t);
    pool_note(p, "aiconfigurator H200 vLLM decode attention");
    return rc;
}

/* glassml H100 collectives >= 1 MiB (never fitted; smaller sizes are noisy, PROVENANCE.md) */
static int kernel_coll(const char *dir, pool *p, llm_err *err)
{
    llm_gpu g;
    static const char *const names[] = {"op", "world_size", "size_bytes", "time_us", NULL};
    int c[4];
    table t;
    if (configs_load_gpu("h100-sxm5-80gb", &g, err) || open_set(dir, GLASSML, names, c, &t, err))
        return -1;
    int rc = 0;
    for (int r = 0; !rc && r < t.rows; r++) {
        int k = -1;
        for (int i = 0; llm_coll_names[i]; i++)
            if (!strcmp(table_cell(&t, r, c[0]), llm_coll_names[i]))
                k = i;
        double bytes = at(&t, r, c[2]), lat = at(&t, r, c[3]) * 1e-6;
        if (k < 0 || bytes < (1 << 20))
            continue;
        cost_kernel ker;
        cost_collective(&g, (llm_coll)k, atoi(table_cell(&t, r, c[1])), bytes, g.sm_count, 0,
                        &ker);
        rc = pool_add(p, ker.time_s, lat, 1);
    }
    table_free(&t);
    pool_note(p, "glassml H100 NCCL (not fitted), >= 1 MiB");
    return rc;
}

/* Datasheet only: the measured band widened in quadrature by the spread of achieved over
 * datasheet peak across GPUs (MAMF, 10th-90th percentile of ln(eff / median)). */
static void widen(const llm_band *in, double s_lo, double s_hi, llm_band *out)
{
    *out = *in;
    out->q10 = in->q50 - sqrt((in->q50 - in->q10) * (in->q50 - in->q10) + s_lo * s_lo);
    out->q90 = in->q50 + sqrt((in->q90 - in->q50) * (in->q90 - in->q50) + s_hi * s_hi);
    out->n = 0;
}

/* ---- the file ------------------------------------------------------------------------------ */

static void band_json(json_out *j, const char *key, const llm_band *b, const char *sets,
                      const char *basis)
{
    json_obj(j, key);
    json_num(j, "q10", b->q10);
    json_num(j, "q50", b->q50);
    json_num(j, "q90", b->q90);
    json_int(j, "n", b->n);
    json_num(j, "mape_pct", b->mape_pct);
    json_str(j, "sets", sets && *sets ? sets : "-");
    if (basis)
        json_str(j, "basis", basis);
    json_end_obj(j);
}

/* Which sets make which regime's band (the file's header says why). */
static const struct {
    const char *id;
    llm_band_regime regime;
    int skip_ttft;   /* memgap-offline's "TTFT" is a fixed batch's prefill phase, not a request's */
    int loo;         /* predicted with the datasheet-rule GPU and the refitted profile */
} set_tab[] = {
    {"memgap-online", LLM_REGIME_SERVING_FITTED, 0, 0},
    {"memgap-advisor", LLM_REGIME_SERVING_FITTED, 0, 0},
    {"memgap-replication", LLM_REGIME_SERVING_FITTED, 0, 0},
    {"memgap-offline", LLM_REGIME_SERVING_FITTED, 1, 0},
    {"mlenergy-h100", LLM_REGIME_CALIBRATED_GPU, 0, 0},
    {"trtllm-h100", LLM_REGIME_CALIBRATED_GPU, 0, 0},
    {"trtllm-h200", LLM_REGIME_CALIBRATED_GPU, 0, 0},
    {"mlenergy-a100", LLM_REGIME_DATASHEET_GPU, 0, 1},
};
#define NSETS (sizeof set_tab / sizeof set_tab[0])

/* The leave-one-GPU-out inputs: the A100 40GB rebuilt from its datasheet by the transfer rules
 * from the H100, and ML.ENERGY's profile refitted on its H100 runs. */
static int loo_inputs(const char *dir, llm_gpu *rule, llm_serving *sv, validate_bands_out *o,
                      llm_err *err)
{
    llm_gpu a100, h100;
    e2e_fit fit;
    if (configs_load_gpu("a100-sxm4-40gb", &a100, err) ||
        configs_load_gpu("h100-sxm5-80gb", &h100, err) ||
        bands_datasheet_gpu(dir, &a100, &h100, "A100", rule, err) ||
        validate_e2e_fit_overhead(dir, "mlenergy-h100", &fit, err) ||
        configs_load_serving(validate_e2e_set_serving("mlenergy-a100"), sv, err))
        return -1;
    sv->step_s = fit.step_s;
    sv->seq_step_s = fit.seq_step_s;
    if (o) {
        o->rule_gemm_eff = rule->gemm_eff;
        o->rule_math_w = rule->math_w;
        o->rule_step_s = fit.step_s;
        o->rule_seq_step_s = fit.seq_step_s;
    }
    return 0;
}

/* ---- how the bands do on the sets they came from ------------------------------------------ */

typedef struct {
    const llm_band *band;   /* [LLM_BAND_NMETRIC] */
    const int *have;        /* [LLM_BAND_NMETRIC], NULL: all */
    int skip_ttft;
    int n[LLM_BAND_NMETRIC], in[LLM_BAND_NMETRIC];
    double half[LLM_BAND_NMETRIC], ape[LLM_BAND_NMETRIC];
} check_ctx;

static void check_sink(void *vc, e2e_metric k, double pred, double meas, double clock_ratio)
{
    check_ctx *c = vc;
    int m = band_of(k);
    if (m < 0 || (m == LLM_BAND_TTFT && c->skip_ttft) || !(pred > 0 && meas > 0) ||
        in_fit(k, clock_ratio) ||
        (c->have && !c->have[m]))
        return;
    const llm_band *q = &c->band[m];
    double r = log(meas / pred);
    c->n[m]++;
    c->in[m] += r >= q->q10 && r <= q->q90;
    c->half[m] += (exp(q->q90) - exp(q->q10)) / 2;
    c->ape[m] += fabs(pred / meas - 1);
}

static int check_set(const char *dir, size_t i, const llm_gpu *rule, const llm_serving *sv,
                     check_ctx *c, llm_err *err)
{
    e2e_setres res;
    c->skip_ttft = set_tab[i].skip_ttft;
    return validate_e2e_set(dir, set_tab[i].id, set_tab[i].loo ? sv : NULL,
                            set_tab[i].loo ? rule : NULL, check_sink, c, &res, err);
}

/* The band of each metric from the other sets of set i's regime (have[m] = 0 when none of
 * them measures m): the bands judged on a set they were not made from. */
static int other_sets_band(const char *dir, size_t i, const llm_gpu *rule,
                           const llm_serving *sv, llm_band *band, int *have, llm_err *err)
{
    pool p[LLM_BAND_NMETRIC];
    memset(p, 0, sizeof p);
    int rc = 0;
    for (size_t j = 0; j < NSETS && !rc; j++)
        if (j != i && set_tab[j].regime == set_tab[i].regime)
            rc = pool_set(dir, set_tab[j].id, set_tab[j].loo ? sv : NULL,
                          set_tab[j].loo ? rule : NULL, p, set_tab[j].skip_ttft, err);
    for (int m = 0; m < LLM_BAND_NMETRIC; m++) {
        pool_band(&p[m], &band[m]);
        have[m] = p[m].n > 0;
        free(p[m].v);
    }
    return rc;
}

int validate_bands_check(FILE *f, const char *dir, const llm_bands *b)
{
    llm_gpu rule;
    llm_serving rule_sv;
    llm_err err;
    if (loo_inputs(dir, &rule, &rule_sv, NULL, &err))
        return -1;
    fprintf(f, "| set | regime | metric | n | MAPE | inside the 80%% band | half-width / MAPE "
               "| band from the regime's other sets: inside | half-width / MAPE |\n"
               "|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < NSETS; i++) {
        check_ctx c = {.band = b->e2e[set_tab[i].regime]};
        llm_band other[LLM_BAND_NMETRIC];
        int have[LLM_BAND_NMETRIC];
        check_ctx o = {.band = other, .have = have};
        if (check_set(dir, i, &rule, &rule_sv, &c, &err) ||
            other_sets_band(dir, i, &rule, &rule_sv, other, have, &err) ||
            check_set(dir, i, &rule, &rule_sv, &o, &err))
            return -1;
        for (int m = 0; m < LLM_BAND_NMETRIC; m++) {
            if (!c.n[m])
                continue;
            fprintf(f, "| %s | %s | %s | %d | %.1f%% | %.0f%% | %.2f |", set_tab[i].id,
                    llm_band_regime_names[set_tab[i].regime], llm_band_metric_names[m], c.n[m],
                    100 * c.ape[m] / c.n[m], 100.0 * c.in[m] / c.n[m],
                    c.ape[m] > 0 ? c.half[m] / c.ape[m] : 0);
            if (o.n[m])
                fprintf(f, " %.0f%% | %.2f |\n", 100.0 * o.in[m] / o.n[m],
                        o.ape[m] > 0 ? o.half[m] / o.ape[m] : 0);
            else
                fputs(" - | - |\n", f);
        }
    }
    return 0;
}

int validate_bands(const char *dir, validate_bands_out *o, llm_err *err)
{
    memset(o, 0, sizeof *o);
    pool e2e[LLM_REGIME_COUNT][LLM_BAND_NMETRIC];
    pool ker[LLM_COV_COUNT];
    memset(e2e, 0, sizeof e2e);
    memset(ker, 0, sizeof ker);
    int rc = -1;
    llm_gpu rule;
    llm_serving rule_sv;
    if (loo_inputs(dir, &rule, &rule_sv, o, err))
        goto out;
    for (size_t i = 0; i < NSETS; i++)
        if (pool_set(dir, set_tab[i].id, set_tab[i].loo ? &rule_sv : NULL,
                     set_tab[i].loo ? &rule : NULL, e2e[set_tab[i].regime],
                     set_tab[i].skip_ttft, err))
            goto out;
    for (int r = 0; r < LLM_REGIME_COUNT; r++)
        for (int m = 0; m < LLM_BAND_NMETRIC; m++) {
            pool_band(&e2e[r][m], &o->b.e2e[r][m]);
            snprintf(o->e2e_sets[r][m], sizeof o->e2e_sets[r][m], "%s", e2e[r][m].sets);
        }
    for (int r = 0; r < LLM_REGIME_COUNT; r++)
        for (int m = 0; m < LLM_BAND_NMETRIC; m++) {
            if (o->b.e2e[r][m].n)
                continue;
            const llm_band *fit = &o->b.e2e[LLM_REGIME_SERVING_FITTED][m];
            const llm_band *ft = &o->b.e2e[LLM_REGIME_SERVING_FITTED][LLM_BAND_TPOT];
            if (!fit->n || !o->b.e2e[r][LLM_BAND_TPOT].n) {
                llm_err_set(err, "validate bands: no rows for %s in %s and nothing to derive it "
                            "from", llm_band_metric_names[m], llm_band_regime_names[r]);
                goto out;
            }
            derive(fit, ft, &o->b.e2e[r][LLM_BAND_TPOT], &o->b.e2e[r][m]);
            snprintf(o->e2e_sets[r][m], sizeof o->e2e_sets[r][m], "derived (eq. B3)");
        }
    /* eq. B5: a regime that knows less is never narrower: each side of calibrated_gpu's band
     * (from its own median) at least serving_fitted's, each of datasheet_gpu's at least
     * calibrated_gpu's */
    for (int r = 1; r < LLM_REGIME_COUNT; r++)
        for (int m = 0; m < LLM_BAND_NMETRIC; m++) {
            llm_band *x = &o->b.e2e[r][m];
            const llm_band *y = &o->b.e2e[r - 1][m];
            double lo = fmax(x->q50 - x->q10, y->q50 - y->q10);
            double hi = fmax(x->q90 - x->q50, y->q90 - y->q50);
            if (lo > x->q50 - x->q10 + 1e-12 || hi > x->q90 - x->q50 + 1e-12)
                o->widened[r][m] = 1;
            x->q10 = x->q50 - lo;
            x->q90 = x->q50 + hi;
        }
    /* kernels */
    {
        pool gemm = {0}, mem = {0}, attn = {0}, coll = {0};
        if (kernel_gemm(dir, &gemm, &mem, err) || kernel_decode(dir, &attn, err) ||
            kernel_coll(dir, &coll, err)) {
            free(gemm.v); free(mem.v); free(attn.v); free(coll.v);
            goto out;
        }
        llm_band t[LLM_COV_COUNT];
        pool_band(&gemm, &t[LLM_COV_GEMM]);
        pool_band(&attn, &t[LLM_COV_ATTENTION]);
        pool_band(&mem, &t[LLM_COV_MEMORY]);
        pool_band(&coll, &t[LLM_COV_COLLECTIVES]);
        snprintf(o->kernel_sets[LLM_COV_GEMM], 256, "%s", gemm.sets);
        snprintf(o->kernel_sets[LLM_COV_ATTENTION], 256, "%s", attn.sets);
        snprintf(o->kernel_sets[LLM_COV_MEMORY], 256, "%s", mem.sets);
        snprintf(o->kernel_sets[LLM_COV_COLLECTIVES], 256, "%s", coll.sets);
        free(gemm.v); free(mem.v); free(attn.v); free(coll.v);
        /* power: the end-to-end power of the calibrated GPUs (transferred from the H200 fit)
         * and of the leave-one-GPU-out A100 */
        t[LLM_COV_POWER] = o->b.e2e[LLM_REGIME_SERVING_FITTED][LLM_BAND_POWER];
        snprintf(o->kernel_sets[LLM_COV_POWER], 256, "%s",
                 o->e2e_sets[LLM_REGIME_SERVING_FITTED][LLM_BAND_POWER]);
        double eff[64];
        int n = mamf_effs(dir, NULL, eff, 64, err);
        if (n < 0)
            goto out;
        double med = median_of(eff, n);
        resid rv[64];
        for (int i = 0; i < n; i++)
            rv[i] = (resid){log(eff[i] / med), 1};
        qsort(rv, (size_t)n, sizeof *rv, by_r);
        o->mamf_lo = -wquantile(rv, (size_t)n, 0.1);
        o->mamf_hi = wquantile(rv, (size_t)n, 0.9);
        o->mamf_n = n;
        for (int c = 0; c < LLM_COV_COUNT; c++) {
            o->b.kernel[c][LLM_COV_MEASURED] = t[c];
            o->b.kernel[c][LLM_COV_TRANSFERRED] = t[c];
            if (c == LLM_COV_POWER)
                o->b.kernel[c][LLM_COV_DATASHEET] =
                    o->b.e2e[LLM_REGIME_DATASHEET_GPU][LLM_BAND_POWER];
            else
                widen(&t[c], o->mamf_lo, o->mamf_hi, &o->b.kernel[c][LLM_COV_DATASHEET]);
        }
    }
    rc = 0;
out:
    for (int r = 0; r < LLM_REGIME_COUNT; r++)
        for (int m = 0; m < LLM_BAND_NMETRIC; m++)
            free(e2e[r][m].v);
    for (int c = 0; c < LLM_COV_COUNT; c++)
        free(ker[c].v);
    return rc;
}

static const char *const kbasis[3] = {
    "the transfer band widened in quadrature by MAMF's spread of achieved / datasheet peak "
    "across GPUs (eq. B4)",
    "out-of-fit rows of another GPU of the same architecture",
    "no out-of-fit rows of a measured GPU: the transfer band, an upper bound"};

void validate_bands_json(FILE *f, const validate_bands_out *o, const char *dir)
{
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    char src[512];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[16];
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(src, sizeof src, "llmdse validate bands (make bands), %s, from %s: out-of-fit "
             "residuals only (docs/calibration.md, \"Bands\")", day, dir);
    json_str(&j, "source", src);
    char how[512];
    snprintf(how, sizeof how, "10th, 50th and 90th percentiles of ln(measured / predicted); "
             "end to end each set weighted equally; datasheet_gpu: ML.ENERGY A100 with the "
             "A100 rebuilt by the transfer rules (gemm %.3f, math_w %.0f W) and the profile "
             "refitted on ML.ENERGY H100 (step %.4g s, %.4g s per sequence)",
             o->rule_gemm_eff, o->rule_math_w, o->rule_step_s, o->rule_seq_step_s);
    json_str(&j, "method", how);
    json_obj(&j, "e2e");
    for (int r = 0; r < LLM_REGIME_COUNT; r++) {
        json_obj(&j, llm_band_regime_names[r]);
        for (int m = 0; m < LLM_BAND_NMETRIC; m++)
            band_json(&j, llm_band_metric_names[m], &o->b.e2e[r][m], o->e2e_sets[r][m],
                      !o->b.e2e[r][m].n
                          ? (o->widened[r][m] ? "derived from serving_fitted (eq. B3), widened "
                                                "to the regime above it (eq. B5)"
                                              : "derived from serving_fitted (eq. B3)")
                          : o->widened[r][m] ? "widened to the regime above it (eq. B5)" : NULL);
        json_end_obj(&j);
    }
    json_end_obj(&j);
    json_obj(&j, "kernel");
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        json_obj(&j, llm_cov_class_names[c]);
        for (int l = 0; l < 3; l++)
            band_json(&j, llm_cov_level_names[l], &o->b.kernel[c][l],
                      c == LLM_COV_POWER && l == LLM_COV_DATASHEET
                          ? o->e2e_sets[LLM_REGIME_DATASHEET_GPU][LLM_BAND_POWER]
                          : o->kernel_sets[c],
                      c == LLM_COV_POWER ? (l == LLM_COV_DATASHEET
                                                ? "end-to-end power, datasheet_gpu"
                                                : "end-to-end power, serving_fitted")
                                         : kbasis[l]);
        json_end_obj(&j);
    }
    json_end_obj(&j);
    json_end_obj(&j);
    json_finish(&j);
}
