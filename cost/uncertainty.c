/* cost/uncertainty.c — the 80% band of a prediction (docs/cost-model.md eq. 52-57). The bands
 * are data (configs/calibration/bands.json, quantiles of ln(measured / predicted) over
 * out-of-fit rows; docs/calibration.md "Bands"); here only how a prediction picks its band. */
#include "cost.h"

#include <math.h>
#include <string.h>

/* eq. 52: GEMM time and power decide the regime, because they carry most of a configuration's
 * time and energy; a datasheet-only GEMM or power coefficient puts it in the datasheet regime
 * whatever the serving profile. A profile fitted on this very GPU makes serving_fitted. */
llm_band_regime cost_band_regime(const llm_gpu *g, const llm_serving *sv)
{
    if (g->coverage[LLM_COV_GEMM] == LLM_COV_DATASHEET ||
        g->coverage[LLM_COV_POWER] == LLM_COV_DATASHEET)
        return LLM_REGIME_DATASHEET_GPU;
    if (sv && sv->fitted_on_gpu[0] && !strcmp(sv->fitted_on_gpu, g->name))
        return LLM_REGIME_SERVING_FITTED;
    return LLM_REGIME_CALIBRATED_GPU;
}

/* A latency of an overloaded replica (search/slo.c's 1e30 s) or a missing value keeps its own
 * value as both ends: there is no band around "never". */
static int unbanded(double x) { return !(x > 0) || !isfinite(x) || x >= 1e29; }

static cost_interval scaled(double x, double lnlo, double lnhi)
{
    if (unbanded(x))
        return (cost_interval){x, x};
    return (cost_interval){x * exp(lnlo), x * exp(lnhi)};
}

/* eq. 53: measured = predicted x exp(r), r between its 10th and 90th percentile. */
cost_interval cost_band(const llm_bands *b, llm_band_regime r, llm_band_metric k, double x)
{
    const llm_band *q = &b->e2e[r][k];
    return scaled(x, q->q10, q->q90);
}

double cost_band_halfwidth(const llm_bands *b, llm_band_regime r, llm_band_metric k)
{
    const llm_band *q = &b->e2e[r][k];
    return (q->q90 - q->q10) / 2;
}

/* The standard normal quantile by bisection on erfc (60 halvings: below 1e-15). */
static double normal_quantile(double p)
{
    double lo = -10, hi = 10;
    for (int i = 0; i < 60; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(-mid / sqrt(2.0)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* eq. 57: the p-quantile of r from q10, q50, q90, as a split normal in ln space: each side's
 * sigma is its distance from q50 over z(0.9) = 1.2816, so p = 0.1, 0.5, 0.9 give q10, q50,
 * q90 back. */
double cost_band_quantile(const llm_band *b, double p)
{
    double z = normal_quantile(fmin(1 - 1e-9, fmax(1e-9, p)));
    double z90 = normal_quantile(0.9);
    return b->q50 + z * (z < 0 ? b->q50 - b->q10 : b->q90 - b->q50) / z90;
}

/* eq. 54 */
cost_interval cost_kernel_band(const llm_bands *b, const llm_gpu *g, llm_cov_class c, double t)
{
    const llm_band *q = &b->kernel[c][g->coverage[c]];
    return scaled(t, q->q10, q->q90);
}

llm_cov_class cost_kernel_class(cost_kind kind, cost_bound bound)
{
    switch (kind) {
    case KIND_GEMM:
    case KIND_EXPERTS:
        return bound == BOUND_COMPUTE ? LLM_COV_GEMM : LLM_COV_MEMORY;
    case KIND_ATTN: return LLM_COV_ATTENTION;
    case KIND_ELEM: return LLM_COV_MEMORY;
    case KIND_COLL: return LLM_COV_COLLECTIVES;
    }
    return LLM_COV_GEMM;
}

/* eq. 54b: ln E = ln t + ln P; centres add, half-widths add in quadrature on each side. */
cost_interval cost_kernel_energy_band(const llm_bands *b, const llm_gpu *g, llm_cov_class c,
                                      double energy_j)
{
    const llm_band *t = &b->kernel[c][g->coverage[c]];
    const llm_band *p = &b->kernel[LLM_COV_POWER][g->coverage[LLM_COV_POWER]];
    double mid = t->q50 + p->q50;
    double dlo = hypot(t->q50 - t->q10, p->q50 - p->q10);
    double dhi = hypot(t->q90 - t->q50, p->q90 - p->q50);
    return scaled(energy_j, mid - dlo, mid + dhi);
}

static cost_interval capped(cost_interval v, double cap)
{
    if (cap > 0) {
        v.lo = fmin(v.lo, cap);
        v.hi = fmin(v.hi, cap);
    }
    return v;
}

void cost_metrics_bands(const llm_bands *b, llm_band_regime r, const cost_metrics *m,
                        double power_cap_w, cost_metric_bands *o)
{
    o->ttft = cost_band(b, r, LLM_BAND_TTFT, m->ttft_s);
    o->ttft_p50 = cost_band(b, r, LLM_BAND_TTFT, m->ttft_p50_s);
    o->ttft_p90 = cost_band(b, r, LLM_BAND_TTFT, m->ttft_p90_s);
    o->ttft_p99 = cost_band(b, r, LLM_BAND_TTFT, m->ttft_p99_s);
    o->tpot = cost_band(b, r, LLM_BAND_TPOT, m->tpot_s);
    o->tpot_with_prefill = cost_band(b, r, LLM_BAND_TPOT, m->tpot_with_prefill_s);
    o->tpot_p50 = cost_band(b, r, LLM_BAND_TPOT, m->tpot_p50_s);
    o->tpot_p90 = cost_band(b, r, LLM_BAND_TPOT, m->tpot_p90_s);
    o->tpot_p99 = cost_band(b, r, LLM_BAND_TPOT, m->tpot_p99_s);
    o->throughput = cost_band(b, r, LLM_BAND_THROUGHPUT, m->throughput_tok_s);
    o->throughput_per_gpu = cost_band(b, r, LLM_BAND_THROUGHPUT, m->throughput_per_gpu);
    o->energy_per_token = cost_band(b, r, LLM_BAND_ENERGY, m->energy_per_token_j);
    o->prefill_energy = cost_band(b, r, LLM_BAND_ENERGY, m->prefill_energy_j);
    o->decode_energy = cost_band(b, r, LLM_BAND_ENERGY, m->decode_energy_per_token_j);
    o->avg_power = capped(cost_band(b, r, LLM_BAND_POWER, m->avg_power_w), power_cap_w);
    o->peak_power = capped(cost_band(b, r, LLM_BAND_POWER, m->peak_power_w), power_cap_w);
    /* cost per token is price / throughput: its band is throughput's, inverted */
    const llm_band *q = &b->e2e[r][LLM_BAND_THROUGHPUT];
    o->cost_per_mtok = scaled(m->cost_per_mtok, -q->q90, -q->q10);
}
