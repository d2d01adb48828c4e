/* search/pareto.c — the Pareto archive and the objectives (docs/explore.md, "Fronts"). */
#include "search.h"

#include <stdlib.h>
#include <string.h>

const char *const search_obj_names[] = {"energy_per_token", "tpot", "ttft",
                                        "throughput_per_gpu", "gpus", "peak_power",
                                        "cost_per_mtok", NULL};

int search_parse_objectives(const char *s, search_obj *out, int *n, llm_err *err)
{
    char buf[256];
    if (strlen(s) >= sizeof buf) {
        llm_err_set(err, "--objectives: too long");
        return -1;
    }
    strcpy(buf, s);
    *n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (search_obj_names[k] && strcmp(search_obj_names[k], t))
            k++;
        if (!search_obj_names[k]) {
            llm_err_set(err, "--objectives: unknown objective \"%.64s\"; expected two or three "
                        "of energy_per_token, tpot, ttft, throughput_per_gpu, gpus, peak_power, "
                        "cost_per_mtok", t);
            return -1;
        }
        for (int i = 0; i < *n; i++)
            if (out[i] == (search_obj)k) {
                llm_err_set(err, "--objectives: \"%s\" given twice", t);
                return -1;
            }
        if (*n == SEARCH_MAX_OBJ) {
            llm_err_set(err, "--objectives: expected two or three objectives, found more");
            return -1;
        }
        out[(*n)++] = (search_obj)k;
    }
    if (*n < 2) {
        llm_err_set(err, "--objectives: expected two or three comma-separated objectives, "
                    "found %d", *n);
        return -1;
    }
    return 0;
}

int search_default_objectives(search_obj *out)
{
    int n = 0;
    llm_err err;
    search_parse_objectives(SEARCH_DEFAULT_OBJECTIVES, out, &n, &err); /* cannot fail */
    return n;
}

double search_obj_value(search_obj o, const cost_metrics *m)
{
    switch (o) {
    case OBJ_ENERGY: return m->energy_per_token_j;
    /* TPOT as its users see it, prefill stalls included: what the SLO filter judges and
     * validate e2e compares with measured mean TPOT (the decode step alone is tpot_s) */
    case OBJ_TPOT: return m->tpot_with_prefill_s;
    case OBJ_TTFT: return m->ttft_s;
    case OBJ_THROUGHPUT_PER_GPU: return -m->throughput_per_gpu;
    case OBJ_GPUS: return m->gpus;
    case OBJ_PEAK_POWER: return m->peak_power_w;
    case OBJ_COST: return m->cost_per_mtok;
    case OBJ_COUNT: break;
    }
    return 0;
}

void pareto_init(pareto *a, int nobj)
{
    memset(a, 0, sizeof *a);
    a->nobj = nobj;
}

void pareto_free(pareto *a)
{
    free(a->pt);
    a->pt = NULL;
    a->n = a->cap = 0;
}

int pareto_insert(pareto *a, const pareto_pt *q)
{
    size_t w = 0;
    int nobj = a->nobj;
    for (size_t i = 0; i < a->n; i++) {
        const pareto_pt *p = &a->pt[i];
        int le = 1, ge = 1; /* p <= q and p >= q in every objective */
        for (int k = 0; k < nobj; k++) {
            le &= p->o[k] <= q->o[k];
            ge &= p->o[k] >= q->o[k];
        }
        if (le && (!ge || p->index <= q->index)) {
            /* q is dominated, tied with a lower index, or already here. Nothing was removed before this
             * (a point q dominates and one dominating q cannot both be in a valid archive),
             * so w == i. Move the dominator forward: rejections are the common case and
             * dominators tend to be reused. */
            if (i > 0) {
                pareto_pt t = a->pt[i / 2];
                a->pt[i / 2] = a->pt[i];
                a->pt[i] = t;
            }
            return 0;
        }
        if (ge && (!le || q->index < p->index))
            continue; /* q dominates p (or ties with a lower index): drop p */
        a->pt[w++] = *p;
    }
    a->n = w;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        pareto_pt *np = realloc(a->pt, cap * sizeof *np);
        if (!np)
            return -1;
        a->pt = np;
        a->cap = cap;
    }
    a->pt[a->n++] = *q;
    return 1;
}

static int by_index(const void *x, const void *y)
{
    uint64_t a = ((const pareto_pt *)x)->index, b = ((const pareto_pt *)y)->index;
    return (a > b) - (a < b);
}

void pareto_sort(pareto *a)
{
    if (a->n)
        qsort(a->pt, a->n, sizeof *a->pt, by_index);
}
