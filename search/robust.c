/* search/robust.c — the robust front (docs/cost-model.md eq. 55): the front points whose
 * differences the model's own error can resolve. */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The band an objective is judged with, and whether larger is better. GPU count is exact. */
static int obj_band(search_obj o, llm_band_metric *k, int *maximise)
{
    *maximise = 0;
    switch (o) {
    case OBJ_ENERGY: *k = LLM_BAND_ENERGY; return 1;
    case OBJ_TPOT: *k = LLM_BAND_TPOT; return 1;
    case OBJ_TTFT: *k = LLM_BAND_TTFT; return 1;
    case OBJ_THROUGHPUT_PER_GPU: *k = LLM_BAND_THROUGHPUT; *maximise = 1; return 1;
    case OBJ_PEAK_POWER: *k = LLM_BAND_POWER; return 1;
    case OBJ_COST: *k = LLM_BAND_THROUGHPUT; return 1;   /* price / throughput */
    case OBJ_GPUS: case OBJ_COUNT: break;
    }
    return 0;
}

void search_row_bands(const search_inputs *in, const search_row *r, cost_metric_bands *b)
{
    memset(b, 0, sizeof *b);
    if (!in->bands)
        return;
    cost_config c;
    search_config(in, &r->p, &c);
    cost_metrics_bands(in->bands, cost_band_regime(in->g, in->serving), &r->m,
                       c.power_cap_w > 0 ? c.power_cap_w : in->g->tdp_w, b);
}

double search_obj_tolerance(const search_inputs *in, search_obj o)
{
    llm_band_metric k;
    int mx;
    if (!in->bands || !obj_band(o, &k, &mx))
        return 0;
    return cost_band_halfwidth(in->bands, cost_band_regime(in->g, in->serving), k);
}

typedef struct { size_t i; double first; uint64_t index; } order;

static int by_first(const void *a, const void *b)
{
    const order *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* eq. 55: j covers i when j is worse than i on no objective by more than that objective's
 * tolerance h (the band's half-width in ln space): v_j <= v_i e^h for a quantity minimised,
 * v_j >= v_i e^-h for one maximised. Points are taken in order of the first objective (ties by
 * index); each joins unless a point already kept covers it. */
int search_robust_front(const search_inputs *in, const search_obj *obj, int nobj,
                        const search_row *rows, size_t n, unsigned char *robust)
{
    double h[SEARCH_MAX_OBJ];
    for (int k = 0; k < nobj; k++)
        h[k] = search_obj_tolerance(in, obj[k]);
    return search_thin(obj, nobj, h, rows, n, robust);
}

int search_thin(const search_obj *obj, int nobj, const double *h, const search_row *rows,
                size_t n, unsigned char *robust)
{
    int mx[SEARCH_MAX_OBJ];
    for (int k = 0; k < nobj; k++) {
        llm_band_metric bm;
        if (!obj_band(obj[k], &bm, &mx[k]))
            mx[k] = 0;
    }
    order *ord = malloc((n ? n : 1) * sizeof *ord);
    size_t *kept = malloc((n ? n : 1) * sizeof *kept);
    if (!ord || !kept) {
        free(ord);
        free(kept);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        robust[i] = 0;
        ord[i] = (order){i, search_obj_value(obj[0], &rows[i].m), rows[i].index};
    }
    qsort(ord, n, sizeof *ord, by_first);
    size_t nk = 0;
    int count = 0;
    for (size_t a = 0; a < n; a++) {
        size_t i = ord[a].i;
        int covered = 0;
        for (size_t b = 0; b < nk && !covered; b++) {
            size_t j = kept[b];
            int all = 1;
            for (int k = 0; k < nobj && all; k++) {
                double vi = fabs(search_obj_value(obj[k], &rows[i].m));
                double vj = fabs(search_obj_value(obj[k], &rows[j].m));
                all = mx[k] ? vj >= vi * exp(-h[k]) : vj <= vi * exp(h[k]);
            }
            covered = all;
        }
        if (!covered) {
            kept[nk++] = i;
            robust[i] = 1;
            count++;
        }
    }
    free(ord);
    free(kept);
    return count;
}

/* eq. 56: the knee: with each objective's ln value scaled to [0, 1] over the front (0 the best),
 * the point nearest the ideal point (0, ..., 0); ties to the lower index. An objective equal
 * on every point counts 0. */
size_t search_knee(const search_obj *obj, int nobj, const search_row *rows, size_t n)
{
    double lo[SEARCH_MAX_OBJ], hi[SEARCH_MAX_OBJ];
    int mx[SEARCH_MAX_OBJ];
    for (int k = 0; k < nobj; k++) {
        llm_band_metric bm;
        if (!obj_band(obj[k], &bm, &mx[k]))
            mx[k] = 0;
        lo[k] = INFINITY;
        hi[k] = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double v = fabs(search_obj_value(obj[k], &rows[i].m));
            if (v > 0) {
                lo[k] = fmin(lo[k], log(v));
                hi[k] = fmax(hi[k], log(v));
            }
        }
    }
    size_t best = 0;
    double bd = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double d = 0;
        for (int k = 0; k < nobj; k++) {
            double v = fabs(search_obj_value(obj[k], &rows[i].m));
            if (!(hi[k] > lo[k]) || !(v > 0))
                continue;   /* equal on every point, or no magnitude to scale: counts 0 */
            double s = (log(v) - lo[k]) / (hi[k] - lo[k]);
            if (mx[k])
                s = 1 - s;   /* the largest is the best end */
            d += s * s;
        }
        if (d < bd || (d == bd && rows[i].index < rows[best].index)) {
            bd = d;
            best = i;
        }
    }
    return best;
}
