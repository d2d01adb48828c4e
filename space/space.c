/* space/space.c — knob defaults and mixed-radix indexing (docs/explore.md); the structural
 * rules a point is pruned by are cost_check_rule's (search/explore.c). */
#include "space.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const space_prune_names[] = {"", "tp_divisibility", "ep_divisibility",
                                         "pp_layers",
                                         "fp8_unsupported", "sm_comm_too_large",
                                         "context_too_long", "gpus_available", "memory",
                                         "ttft_slo", "tpot_slo", NULL};

void space_free(space_t *s)
{
    for (int k = 0; k < KNOB_COUNT; k++) {
        free(s->v[k]);
        s->v[k] = NULL;
    }
}

static int set_values(space_t *s, int k, const double *v, int n, llm_err *err)
{
    s->v[k] = malloc(sizeof(double) * (size_t)n);
    if (!s->v[k]) {
        llm_err_set(err, "out of memory building the space");
        return -1;
    }
    memcpy(s->v[k], v, sizeof(double) * (size_t)n);
    s->n[k] = n;
    return 0;
}

/* Powers of two from 1 to max. */
static int powers_of_two(double *out, int max)
{
    int n = 0;
    for (int x = 1; x <= max; x *= 2)
        out[n++] = x;
    return n;
}

static int defaults(space_t *s, int k, const llm_model *m, const llm_gpu *g, llm_err *err)
{
    double v[4096];
    int n = 0;
    switch ((llm_knob)k) {
    case KNOB_TP: case KNOB_REPLICAS:
        n = powers_of_two(v, s->gpus_total < 1024 ? s->gpus_total : 1024);
        break;
    case KNOB_EP:
        if (m->n_experts) {
            int cap = s->gpus_total < m->n_experts ? s->gpus_total : m->n_experts;
            n = powers_of_two(v, cap < 1024 ? cap : 1024);
        } else {
            v[n++] = 1;
        }
        break;
    case KNOB_DTYPE: case KNOB_KV_DTYPE:
        v[n++] = LLM_BF16;
        if (g->fp8_flop_per_clk_sm > 0)
            v[n++] = LLM_FP8;
        break;
    case KNOB_BATCH:
        n = powers_of_two(v, 1024);
        break;
    case KNOB_SM_COMM:
        v[n++] = 0; v[n++] = 8; v[n++] = 16; v[n++] = 32;
        break;
    case KNOB_CHUNK_TOKENS:
        v[n++] = 0; /* the serving profile's budget */
        break;
    case KNOB_PP:
        v[n++] = 1; /* no pipeline: stages only when a space asks for them */
        break;
    case KNOB_REPLICAS_PER_GPU:
        v[n++] = 1;
        break;
    case KNOB_FREQ: {
        int steps = llm_gpu_clock_steps(g);
        double *f = malloc(sizeof(double) * (size_t)steps);
        if (!f) {
            llm_err_set(err, "out of memory building the space");
            return -1;
        }
        for (int i = 0; i < steps; i++)
            f[i] = g->min_mhz + i * g->step_mhz;
        int rc = set_values(s, k, f, steps, err);
        free(f);
        return rc;
    }
    case KNOB_COUNT:
        break;
    }
    return set_values(s, k, v, n, err);
}

static int space_index_layout(space_t *s, llm_err *err);

int space_build(const llm_space_spec *spec, const llm_model *m, const llm_gpu *g, space_t *s,
                llm_err *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", spec && spec->name[0] ? spec->name : "default");
    s->gpus_per_node = spec && spec->gpus_per_node ? spec->gpus_per_node : g->gpus_per_node;
    s->nodes = spec && spec->nodes ? spec->nodes : 1;
    s->gpus_total = s->gpus_per_node * s->nodes;
    s->slo_filter = spec ? spec->slo_filter : 0;
    for (int k = 0; k < KNOB_COUNT; k++) {
        int rc = spec && spec->given[k] ? set_values(s, k, spec->values[k], spec->n[k], err)
                                        : defaults(s, k, m, g, err);
        if (rc) {
            space_free(s);
            return -1;
        }
    }
    /* Clocks: inside the GPU's range, snapped to its supported steps, no two alike. */
    for (int i = 0; i < s->n[KNOB_FREQ]; i++) {
        double f = llm_gpu_snap_clock(g, s->v[KNOB_FREQ][i]);
        if (f < 0) {
            llm_err_set(err, "space: $.freq_mhz: expected SM clocks in [%g, %g] MHz for %s, "
                        "found %g", g->min_mhz, g->max_mhz, g->name, s->v[KNOB_FREQ][i]);
            space_free(s);
            return -1;
        }
        s->v[KNOB_FREQ][i] = f;
    }
    double dup;
    if (llm_find_duplicate(s->v[KNOB_FREQ], s->n[KNOB_FREQ], &dup)) {
        llm_err_set(err, "space: $.freq_mhz: two values snap to the same supported clock %g MHz "
                    "of %s", dup, g->name);
        space_free(s);
        return -1;
    }
    return space_index_layout(s, err);
}

/* Mixed radix, replicas fastest; the product must stay below 2^63. Frees s on error. */
static int space_index_layout(space_t *s, llm_err *err)
{
    uint64_t stride = 1;
    for (int k = KNOB_COUNT - 1; k >= 0; k--) {
        s->stride[k] = stride;
        uint64_t next;
        if (__builtin_mul_overflow(stride, (uint64_t)s->n[k], &next) || next >= SPACE_MAX_SIZE) {
            llm_err_set(err, "space: the knobs multiply to 2^63 points or more; expected a "
                        "smaller space (split it, or use coarser ranges)");
            space_free(s);
            return -1;
        }
        stride = next;
    }
    s->size = stride;
    s->inner = (uint64_t)s->n[KNOB_FREQ] * (uint64_t)s->n[KNOB_REPLICAS];
    return 0;
}

int space_with_values(const space_t *base, llm_knob k, const double *v, int n, space_t *out,
                      llm_err *err)
{
    *out = *base;
    for (int j = 0; j < KNOB_COUNT; j++)
        out->v[j] = NULL;
    for (int j = 0; j < KNOB_COUNT; j++)
        if (set_values(out, j, j == (int)k ? v : base->v[j], j == (int)k ? n : base->n[j],
                       err)) {
            space_free(out);
            return -1;
        }
    return space_index_layout(out, err);
}

void space_decode(const space_t *s, uint64_t index, int digit[KNOB_COUNT])
{
    for (int k = 0; k < KNOB_COUNT; k++) {
        digit[k] = (int)(index / s->stride[k]);
        index %= s->stride[k];
    }
}

void space_point_of(const space_t *s, const int d[KNOB_COUNT], space_point *p)
{
    p->tp = (int)s->v[KNOB_TP][d[KNOB_TP]];
    p->ep = (int)s->v[KNOB_EP][d[KNOB_EP]];
    p->pp = (int)s->v[KNOB_PP][d[KNOB_PP]];
    p->dtype = (llm_dtype)(int)s->v[KNOB_DTYPE][d[KNOB_DTYPE]];
    p->kv_dtype = (llm_dtype)(int)s->v[KNOB_KV_DTYPE][d[KNOB_KV_DTYPE]];
    p->batch = (int)s->v[KNOB_BATCH][d[KNOB_BATCH]];
    p->sm_comm = (int)s->v[KNOB_SM_COMM][d[KNOB_SM_COMM]];
    p->freq_mhz = s->v[KNOB_FREQ][d[KNOB_FREQ]];
    p->replicas = (int)s->v[KNOB_REPLICAS][d[KNOB_REPLICAS]];
    p->chunk_tokens = (int)s->v[KNOB_CHUNK_TOKENS][d[KNOB_CHUNK_TOKENS]];
    p->replicas_per_gpu = (int)s->v[KNOB_REPLICAS_PER_GPU][d[KNOB_REPLICAS_PER_GPU]];
}

