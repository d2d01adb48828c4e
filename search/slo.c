/* search/slo.c — the latency an SLO is judged on, one definition for explore's and search's
 * SLO filter and eval's verdict (reports/). No OpenMP here: the fuzz harnesses link it. */
#include "search.h"

#include <string.h>

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

void search_goodput_init(search_goodput *g, const llm_workload *w)
{
    static const double fa[] = {0.25, 0.5, 1, 2, 4}, fb[] = {0.5, 0.75, 1, 1.5, 2};
    memset(g, 0, sizeof *g);
    g->na = g->nb = GOODPUT_MAX;
    for (int i = 0; i < GOODPUT_MAX; i++) {
        g->ttft[i] = fa[i] * w->ttft_slo_s;
        g->tpot[i] = fb[i] * w->tpot_slo_s;
    }
}

static void goodput_put(search_goodput *g, int i, int j, double v, uint64_t index)
{
    if (v > g->best[i][j] || (v == g->best[i][j] && v > 0 && index < g->index[i][j])) {
        g->best[i][j] = v;
        g->index[i][j] = index;
    }
}

void search_goodput_add(search_goodput *g, const llm_workload *w, const cost_metrics *m,
                        uint64_t index)
{
    double a = search_slo_ttft(w, m), b = search_slo_tpot(w, m);
    for (int i = 0; i < g->na; i++)
        if (a <= g->ttft[i])
            for (int j = 0; j < g->nb; j++)
                if (b <= g->tpot[j])
                    goodput_put(g, i, j, m->throughput_per_gpu, index);
}

void search_goodput_merge(search_goodput *into, const search_goodput *from)
{
    for (int i = 0; i < into->na; i++)
        for (int j = 0; j < into->nb; j++)
            goodput_put(into, i, j, from->best[i][j], from->index[i][j]);
}
