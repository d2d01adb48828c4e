/* search/slo.c — the latency an SLO is judged on, one definition for explore's and search's
 * SLO filter and eval's verdict (reports/). No OpenMP here: the fuzz harnesses link it. */
#include "search.h"

/* The latency an SLO is judged on (docs/cost-model.md eq. 44-45; the workload says which
 * percentile, the mean by default): without a rate the saturated values (TPOT with the
 * prefill steps that stall a request, what its user sees); under a rate the loaded ones; an
 * overloaded replica misses every latency SLO (SEARCH_SLO_OVERLOADED, finite so that the NLopt
 * constraints stay finite). */
double search_slo_ttft(const llm_workload *w, const cost_metrics *m)
{
    if (m->overloaded)
        return SEARCH_SLO_OVERLOADED;
    switch (w->ttft_slo_pct) {
    case LLM_SLO_P50: return m->ttft_p50_s;
    case LLM_SLO_P90: return m->ttft_p90_s;
    case LLM_SLO_P99: return m->ttft_p99_s;
    }
    return m->ttft_mean_s;
}

double search_slo_tpot(const llm_workload *w, const cost_metrics *m)
{
    if (m->overloaded)
        return SEARCH_SLO_OVERLOADED;
    int loaded = m->utilisation < 1;
    switch (w->tpot_slo_pct) {
    case LLM_SLO_P50: return loaded ? m->tpot_p50_s : m->tpot_with_prefill_s;
    case LLM_SLO_P90: return loaded ? m->tpot_p90_s : m->tpot_with_prefill_s;
    case LLM_SLO_P99: return loaded ? m->tpot_p99_s : m->tpot_with_prefill_s;
    }
    /* the mean: under load the normal spread of eq. 45 is symmetric, so its median */
    return loaded ? m->tpot_p50_s : m->tpot_with_prefill_s;
}
