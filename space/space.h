/* space/space.h — the configuration space: knob values, constraint pruning, and the
 * mixed-radix mapping between an integer index and a configuration. The only front header of
 * space/. Depends on configs/ alone. docs/explore.md describes the space and its pruning. */
#ifndef LLMDSE_SPACE_H
#define LLMDSE_SPACE_H

#include <stdint.h>
#include "../configs/configs.h"

/* Why a point is not evaluated (or, for the SLO reasons, evaluated but not kept), in the
 * order they are tested: a point is counted under the first reason that applies. */
typedef enum {
    PRUNE_NONE = 0, PRUNE_TP, PRUNE_EP, PRUNE_PP, PRUNE_FP8, PRUNE_SM_COMM, PRUNE_CONTEXT, PRUNE_GPUS,
    PRUNE_MEMORY, PRUNE_TTFT_SLO, PRUNE_TPOT_SLO, PRUNE_COUNT
} space_prune;
extern const char *const space_prune_names[]; /* "", "tp_divisibility", ... */

#define SPACE_MAX_SIZE (UINT64_C(1) << 63)

typedef struct {
    char name[LLM_NAME_MAX];
    int n[KNOB_COUNT];
    double *v[KNOB_COUNT];         /* owned; dtype knobs hold llm_dtype indices */
    uint64_t stride[KNOB_COUNT];   /* index = sum digit[k] * stride[k]; replicas stride 1 */
    uint64_t size;                 /* < 2^63 */
    uint64_t inner;                /* points sharing the plan knobs: n[freq] * n[replicas] */
    int gpus_per_node, nodes, gpus_total;
    int slo_filter;
} space_t;

/* The knob values of one point. */
typedef struct {
    int tp, ep, batch, sm_comm, replicas;
    int chunk_tokens;      /* 0 = the serving profile's (or --chunk-tokens) */
    int replicas_per_gpu;
    llm_dtype dtype, kv_dtype;
    double freq_mhz;
    int pp;                /* pipeline stages (docs/cost-model.md eq. 60-65); 0 reads as 1 */
} space_point;

/* Builds the space from a space file (spec may be NULL: every knob at its default), with the
 * defaults derived from the model and GPU (docs/explore.md). Clocks are snapped to the GPU's
 * supported steps. Errors (exit 2 material): a clock outside the GPU's range, two values that
 * snap to the same clock, a space of 2^63 points or more. */
int space_build(const llm_space_spec *spec, const llm_model *m, const llm_gpu *g, space_t *s,
                llm_err *err);
void space_free(space_t *s);

/* A copy of base with knob k's values replaced by v[0..n) (strides and size recomputed):
 * a disaggregated deployment's prefill pool takes the decode pool's space with its own batch
 * values (prompts per step). Errors as space_build's. */
int space_with_values(const space_t *base, llm_knob k, const double *v, int n, space_t *out,
                      llm_err *err);

void space_decode(const space_t *s, uint64_t index, int digit[KNOB_COUNT]);
void space_point_of(const space_t *s, const int digit[KNOB_COUNT], space_point *p);


#endif
