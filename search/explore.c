/* search/explore.c — the exhaustive evaluator: OpenMP over contiguous index ranges, one
 * evaluation plan per block of points sharing the plan knobs, per-thread Pareto archives merged
 * at the end (docs/explore.md). */
#include "search.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void search_config(const search_inputs *in, const space_point *p, cost_config *c)
{
    cost_config_default(c);
    c->tp = p->tp;
    c->ep = p->ep;
    c->pp = p->pp > 1 ? p->pp : 1;
    c->batch = p->batch;
    c->replicas = p->replicas;
    c->sm_comm = p->sm_comm;
    c->freq_mhz = p->freq_mhz;
    c->wdtype = p->dtype;
    c->kvdtype = p->kv_dtype;
    c->prompt = (int)lround(in->w->prompt_mean);
    c->output = (int)lround(in->w->output_mean);
    c->serving = in->serving;
    c->chunk_tokens = p->chunk_tokens > 0 ? p->chunk_tokens : in->chunk_tokens;
    c->kv_paged = in->kv_paged;
    c->replicas_per_gpu = p->replicas_per_gpu > 1 ? p->replicas_per_gpu : 1;
    if (in->serving) /* the ideal engine (no profile) keeps every request alike */
        c->output_cv2 = cost_workload_output_cv2(in->w);
    c->role = in->role;
    if (in->role != COST_ROLE_BOTH)
        c->replicas_per_gpu = 1; /* eq. 70: a pool's replica has its GPUs to itself */
    if (in->role == COST_ROLE_PREFILL) {
        c->output = 1;        /* the prefill pool makes the first token; the KV is the prompt's */
        c->output_cv2 = 0;
        c->chunk_tokens = 0;  /* no decode to protect: whole prompts a step (eq. 70) */
    }
}

static space_prune slo_check(const search_inputs *in, const cost_metrics *m)
{
    if (!in->s->slo_filter)
        return PRUNE_NONE;
    if (search_slo_ttft(in->w, m) > in->w->ttft_slo_s)
        return PRUNE_TTFT_SLO;
    if (search_slo_tpot(in->w, m) > in->w->tpot_slo_s)
        return PRUNE_TPOT_SLO;
    return PRUNE_NONE;
}

/* The pruning reason of the rule a configuration breaks (cost_check_rule). */
static space_prune prune_of(cost_rule r)
{
    switch (r) {
    case COST_RULE_TP: return PRUNE_TP;
    case COST_RULE_EP: return PRUNE_EP;
    case COST_RULE_PP: return PRUNE_PP;
    case COST_RULE_FP8: return PRUNE_FP8;
    case COST_RULE_SM_COMM: return PRUNE_SM_COMM;
    case COST_RULE_CONTEXT: return PRUNE_CONTEXT;
    case COST_RULE_SHARED_GPU: return PRUNE_GPUS;
    default: return PRUNE_NONE; /* values out of range: not in a space */
    }
}

space_prune search_check_plan(const search_inputs *in, const space_point *p)
{
    cost_config c;
    search_config(in, p, &c);
    return prune_of(cost_check_rule(in->m, in->g, &c, NULL));
}

int search_gpus_exceeded(const space_t *s, const space_point *p, int replicas)
{
    /* k replicas per GPU (eq. 47) need replicas / k whole GPUs: a count that does not fill
     * whole GPUs is another configuration (cost_check refuses it too) */
    uint64_t per = (uint64_t)replicas;
    if (p->replicas_per_gpu > 1) { /* (no division in the common case: explore's inner loop) */
        uint64_t k = (uint64_t)p->replicas_per_gpu;
        if (per % k)
            return 1;
        per /= k;
    }
    uint64_t stages = p->pp > 1 ? (uint64_t)p->pp : 1; /* a replica is tp x ep x pp GPUs */
    return (uint64_t)p->tp * (uint64_t)p->ep * stages * per > (uint64_t)s->gpus_total;
}

void search_point_eval(const search_inputs *in, const cost_plan *plan, const space_point *p,
                       cost_metrics *m)
{
    cost_plan_eval(plan, p->freq_mhz, in->g->tdp_w, m);
    cost_metrics_replicas(plan, p->replicas, m);
}

void search_row_eval(const search_inputs *in, uint64_t index, search_row *r)
{
    int d[KNOB_COUNT];
    memset(r, 0, sizeof *r);
    r->index = index;
    space_decode(in->s, index, d);
    space_point_of(in->s, d, &r->p);
    cost_config c;
    search_config(in, &r->p, &c);
    r->why = prune_of(cost_check_rule(in->m, in->g, &c, NULL));
    if (r->why)
        return;
    if (search_gpus_exceeded(in->s, &r->p, r->p.replicas)) {
        r->why = PRUNE_GPUS;
        return;
    }
    cost_plan plan;
    cost_plan_build(in->m, in->g, &c, &plan);
    if (!plan.mem.fits) {
        r->why = PRUNE_MEMORY;
        return;
    }
    search_point_eval(in, &plan, &r->p, &r->m);
    r->why = slo_check(in, &r->m);
}

typedef struct {
    pareto arc;
    uint64_t pruned[PRUNE_COUNT], evaluated, feasible, processed;
    uint64_t *all;
    size_t n_all, cap_all;
    int oom;
    search_goodput grid;
    cost_plan plan;
} worker;

static void keep_index(worker *wk, uint64_t idx)
{
    if (wk->n_all == wk->cap_all) {
        size_t cap = wk->cap_all ? 2 * wk->cap_all : 1024;
        uint64_t *n = realloc(wk->all, cap * sizeof *n);
        if (!n) {
            wk->oom = 1;
            return;
        }
        wk->all = n;
        wk->cap_all = cap;
    }
    wk->all[wk->n_all++] = idx;
}

/* A plan block's first point and configuration, and the structural rule it breaks (the
 * whole block shares it). */
static space_prune block_config(const search_inputs *in, uint64_t block, space_point *p,
                                cost_config *c)
{
    int d[KNOB_COUNT];
    space_decode(in->s, block * in->s->inner, d);
    space_point_of(in->s, d, p);
    search_config(in, p, c);
    return prune_of(cost_check_rule(in->m, in->g, c, NULL));
}

/* Points [lo, hi): a block of points shares the plan knobs (every knob but the clock and the
 * replica count); its plan is built once and each clock evaluated once for all replica counts. */
static void process_range(const explore_args *a, worker *wk, uint64_t lo, uint64_t hi)
{
    const search_inputs *in = &a->in;
    const space_t *s = in->s;
    const llm_gpu *g = in->g;
    const int nrep = s->n[KNOB_REPLICAS];
    uint64_t idx = lo;
    while (idx < hi) {
        uint64_t outer = idx / s->inner;
        uint64_t block_end = (outer + 1) * s->inner;
        if (block_end > hi)
            block_end = hi;
        space_point p;
        cost_config c;
        space_prune why = block_config(in, outer, &p, &c);
        if (why) {
            wk->pruned[why] += block_end - idx;
            idx = block_end;
            continue;
        }
        cost_memory mem;
        cost_memory_eval(in->m, g, &c, &mem);
        int built = 0, last_fd = -1;
        cost_metrics base;
        for (; idx < block_end; idx++) {
            uint64_t within = idx - outer * s->inner;
            int fd = (int)(within / (uint64_t)nrep), rd = (int)(within % (uint64_t)nrep);
            int rep = (int)s->v[KNOB_REPLICAS][rd];
            if (search_gpus_exceeded(s, &p, rep)) {
                wk->pruned[PRUNE_GPUS]++;
                continue;
            }
            if (!mem.fits) {
                wk->pruned[PRUNE_MEMORY]++;
                continue;
            }
            if (!built) {
                cost_plan_build(in->m, g, &c, &wk->plan);
                built = 1;
            }
            if (fd != last_fd) {
                cost_plan_eval(&wk->plan, s->v[KNOB_FREQ][fd], g->tdp_w, &base);
                last_fd = fd;
            }
            cost_metrics m = base;
            cost_metrics_replicas(&wk->plan, rep, &m);
            wk->evaluated++;
            if (a->keep_all)
                keep_index(wk, idx);
            if (a->grid)
                search_goodput_add(&wk->grid, in->w, &m, idx);
            space_prune slo = slo_check(in, &m);
            if (slo) {
                wk->pruned[slo]++;
                continue;
            }
            wk->feasible++;
            pareto_pt q;
            q.index = idx;
            for (int k = 0; k < a->nobj; k++)
                q.o[k] = search_obj_value(a->obj[k], &m);
            if (pareto_insert(&wk->arc, &q) < 0)
                wk->oom = 1;
        }
    }
}

static void progress(uint64_t done, uint64_t total, double t0, int final)
{
    double t = omp_get_wtime() - t0;
    double rate = t > 0 ? done / t : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "\rexplore: %5.1f%%  %8.2f M configs/s  ETA %6.1f s ",
            total ? 100.0 * done / total : 100.0, rate / 1e6, eta);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Points per work unit: large enough to amortise scheduling, small enough to balance and to
 * notice a stop request within milliseconds. */
#define CHUNK (UINT64_C(1) << 15)

int search_explore(const explore_args *a, explore_result *r, llm_err *err)
{
    memset(r, 0, sizeof *r);
    pareto_init(&r->front, a->nobj);
    int nt = a->threads > 0 ? a->threads : omp_get_max_threads();
    worker *wk = calloc((size_t)nt, sizeof *wk);
    if (!wk) {
        llm_err_set(err, "out of memory");
        return -1;
    }
    for (int i = 0; i < nt; i++) {
        pareto_init(&wk[i].arc, a->nobj);
        if (a->grid)
            wk[i].grid = *a->grid;
    }
    uint64_t range = a->end - a->begin;
    uint64_t nchunks = (range + CHUNK - 1) / CHUNK;
    uint64_t done = 0;
    double t0 = omp_get_wtime(), last = t0;
    uint64_t next = 0;
    /* Each thread takes the next unit until none is left or a stop is requested: a stop ends
     * every thread within one unit, however many units the space has (an OpenMP for loop
     * would still step through every remaining unit). Which thread takes which unit does not
     * change the front: archives break ties by the lowest index. */
#pragma omp parallel num_threads(nt)
    {
        worker *me = &wk[omp_get_thread_num()];
        for (;;) {
            if ((a->stop && *a->stop) || me->oom)
                break;
            uint64_t ci;
#pragma omp atomic capture
            ci = next++;
            if (ci >= nchunks)
                break;
            uint64_t lo = a->begin + ci * CHUNK;
            uint64_t hi = range - ci * CHUNK > CHUNK ? lo + CHUNK : a->end;
            process_range(a, me, lo, hi);
            me->processed += hi - lo;
            uint64_t now_done;
#pragma omp atomic capture
            now_done = done += hi - lo;
            if (a->progress && omp_get_thread_num() == 0 && omp_get_wtime() - last > 0.2) {
                last = omp_get_wtime();
                progress(now_done, range, t0, 0);
            }
        }
    }
    r->wall_s = omp_get_wtime() - t0;
    if (a->progress)
        progress(done, range, t0, 1);
    r->threads = nt;
    int oom = 0;
    size_t n_all = 0;
    for (int i = 0; i < nt; i++) {
        oom |= wk[i].oom;
        r->processed += wk[i].processed;
        r->evaluated += wk[i].evaluated;
        r->feasible += wk[i].feasible;
        for (int k = 0; k < PRUNE_COUNT; k++)
            r->pruned[k] += wk[i].pruned[k];
        for (size_t j = 0; j < wk[i].arc.n && !oom; j++)
            oom |= pareto_insert(&r->front, &wk[i].arc.pt[j]) < 0;
        if (a->grid)
            search_goodput_merge(a->grid, &wk[i].grid);
        n_all += wk[i].n_all;
    }
    if (a->keep_all && !oom && n_all) {
        r->all = malloc(n_all * sizeof *r->all);
        oom |= !r->all;
        for (int i = 0; i < nt && r->all; i++) {
            if (!wk[i].n_all)
                continue; /* that worker kept nothing (its buffer may be NULL) */
            memcpy(r->all + r->n_all, wk[i].all, wk[i].n_all * sizeof *r->all);
            r->n_all += wk[i].n_all;
        }
        if (r->all)
            qsort(r->all, r->n_all, sizeof *r->all, cmp_u64);
    }
    for (int i = 0; i < nt; i++) {
        pareto_free(&wk[i].arc);
        free(wk[i].all);
    }
    free(wk);
    if (oom) {
        explore_result_free(r);
        llm_err_set(err, "out of memory while exploring");
        return -1;
    }
    pareto_sort(&r->front);
    r->partial = r->processed < range;
    return 0;
}

void explore_result_free(explore_result *r)
{
    pareto_free(&r->front);
    free(r->all);
    r->all = NULL;
}

/* The points of a plan block explore evaluates: none when a structural rule or memory prunes
 * it, else its clocks times the replica counts within the GPUs. */
static uint64_t block_work(const search_inputs *in, uint64_t block, cost_plan *plan)
{
    const space_t *s = in->s;
    space_point p;
    cost_config c;
    if (block_config(in, block, &p, &c) != PRUNE_NONE)
        return 0;
    cost_memory mem;
    cost_memory_eval(in->m, in->g, &c, &mem);
    if (!mem.fits)
        return 0;
    uint64_t reps = 0;
    for (int r = 0; r < s->n[KNOB_REPLICAS]; r++)
        reps += !search_gpus_exceeded(s, &p, (int)s->v[KNOB_REPLICAS][r]);
    if (!reps)
        return 0;
    /* a clock's evaluation costs in proportion to the plan's kernels (cost_plan_eval visits
     * each), and it is done once for all replica counts */
    cost_plan_build(in->m, in->g, &c, plan);
    uint64_t k = (uint64_t)(plan->dec.pass.n + plan->pre.pass.n +
                            (plan->has_first ? plan->first.pass.n : 0));
    return (uint64_t)s->n[KNOB_FREQ] * (k + reps);
}

void search_shard_range(const search_inputs *in, int shard, int nshards, uint64_t *begin,
                        uint64_t *end)
{
    const space_t *s = in->s;
    uint64_t blocks = s->size / s->inner;
    *begin = (uint64_t)((unsigned __int128)s->size * (unsigned)shard / (unsigned)nshards);
    *end = (uint64_t)((unsigned __int128)s->size * (unsigned)(shard + 1) / (unsigned)nshards);
    if (nshards == 1 || blocks < (uint64_t)nshards || blocks > SEARCH_SHARD_BLOCKS_MAX)
        return;
    uint64_t *cum = malloc((size_t)(blocks + 1) * sizeof *cum);
    cost_plan *plan = malloc(sizeof *plan); /* one scratch plan for every block */
    if (!cum || !plan) {
        free(cum);
        free(plan);
        return; /* the proportional split: still a valid tiling */
    }
    /* each block weighs its evaluated points, plus one for looking at it (a pruned block
     * still costs its rule check) */
    cum[0] = 0;
    for (uint64_t b = 0; b < blocks; b++)
        cum[b + 1] = cum[b] + 1 + block_work(in, b, plan);
    free(plan);
    unsigned __int128 total = cum[blocks];
    /* shard i starts at the first block whose cumulative weight reaches i x total / N */
    uint64_t lo = 0, bound[2];
    for (int k = 0; k < 2; k++) {
        int i = shard + k;
        if (i == 0 || i == nshards) {
            bound[k] = i == 0 ? 0 : blocks;
            continue;
        }
        uint64_t target = (uint64_t)(total * (unsigned)i / (unsigned)nshards);
        uint64_t a = lo, z = blocks;
        while (a < z) { /* the first b with cum[b] >= target */
            uint64_t mid = a + (z - a) / 2;
            if (cum[mid] < target)
                a = mid + 1;
            else
                z = mid;
        }
        /* at least one block a shard (blocks >= N): no shard is empty */
        if (a < (uint64_t)i)
            a = (uint64_t)i;
        if (a > blocks - (uint64_t)(nshards - i))
            a = blocks - (uint64_t)(nshards - i);
        bound[k] = a;
        lo = a;
    }
    free(cum);
    *begin = bound[0] * s->inner;
    *end = bound[1] * s->inner;
}
