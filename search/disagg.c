/* search/disagg.c — explore over disaggregated prefill/decode deployments (docs/explore.md,
 * "Disaggregated serving"; the model: docs/cost-model.md eq. 70-79). The product space
 * (prefill configurations x decode configurations x replica counts) is never enumerated: each
 * pool's points are evaluated once, reduced per coupling class to the front of the attributes
 * every objective is monotone in (eq. 80), and only those fronts are combined, with the
 * replica ratio reduced to the two that bracket the pools' balance (eq. 81). The brute force
 * over the whole product (search_disagg_brute) exists to prove in the tests that the two
 * fronts are the same. */
#include "search.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

int search_disagg_default_prefill_batch(double *v)
{
    int n = 0;
    for (int k = 1; k <= 64; k *= 2)
        v[n++] = k;
    return n;
}

int search_disagg_prefill_space(const space_t *s, const double *batch, int n, space_t *out,
                                llm_err *err)
{
    if (space_with_values(s, KNOB_BATCH, batch, n, out, err))
        return -1;
    uint64_t prod;
    if (__builtin_mul_overflow(out->size, s->size, &prod) || prod >= SPACE_MAX_SIZE) {
        llm_err_set(err, "--disaggregated: the prefill space (%llu points) times the decode "
                    "space (%llu) reaches 2^63 points; expected a smaller space",
                    (unsigned long long)out->size, (unsigned long long)s->size);
        space_free(out);
        return -1;
    }
    return 0;
}

void search_disagg_metrics(const cost_disagg *d, cost_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->fits = 1;
    m->gpus = d->gpus;
    m->ttft_s = m->ttft_mean_s = d->ttft_s;
    m->ttft_p50_s = d->ttft_p50_s;
    m->ttft_p90_s = d->ttft_p90_s;
    m->ttft_p99_s = d->ttft_p99_s;
    m->tpot_s = m->tpot_with_prefill_s = d->tpot_s;
    m->tpot_p50_s = m->tpot_p90_s = m->tpot_p99_s = d->tpot_s;
    m->throughput_tok_s = d->throughput_tok_s;
    m->throughput_per_gpu = d->throughput_per_gpu;
    m->energy_per_token_j = d->energy_per_token_j;
    m->avg_power_w = d->avg_power_w;
    m->peak_power_w = d->peak_power_w;
    m->power_cap_met = 1;
    m->cost_per_mtok = d->cost_per_mtok;
    m->memory_per_gpu_gib = d->memory_per_gpu_gib;
    m->capacity_rps = d->rps;
    m->utilisation = 1;
    m->overloaded = d->overloaded;
}

void search_disagg_bands(const search_inputs *in, const cost_metrics *m, cost_metric_bands *b)
{
    memset(b, 0, sizeof *b);
    if (!in->bands)
        return;
    /* TTFT and TPOT are the pools' own, throughput and energy their combination; each keeps
     * its regime's error (both pools are one GPU type under one serving profile) */
    cost_metrics_bands(in->bands, cost_band_regime(in->g, in->serving), m, in->g->tdp_w, b);
}

/* ---- one pool's points -------------------------------------------------------------------- */

static void pool_config(const search_inputs *in, const space_point *p, int role, cost_config *c)
{
    search_inputs pin = *in;
    pin.role = role;
    search_config(&pin, p, c);
    c->replicas = 1;
}

/* Whether a pool point takes part: the first chunk_tokens and replicas_per_gpu values only. */
static int pool_digits_used(const int d[KNOB_COUNT])
{
    return d[KNOB_CHUNK_TOKENS] == 0 && d[KNOB_REPLICAS_PER_GPU] == 0;
}

/* The structural rules and memory of a pool's plan knobs: PRUNE_NONE and the plan built, or why
 * not. */
static space_prune pool_plan(const search_inputs *in, const space_point *p, int role,
                             cost_config *c, cost_plan *plan)
{
    search_inputs pin = *in;
    pin.role = role;
    space_prune why = search_check_plan(&pin, p); /* the rules and their reasons, once */
    if (why)
        return why;
    pool_config(in, p, role, c);
    cost_memory mem;
    cost_memory_eval(in->m, in->g, c, &mem);
    if (!mem.fits)
        return PRUNE_MEMORY;
    cost_plan_build(in->m, in->g, c, plan);
    return PRUNE_NONE;
}

/* A pool point at clock mhz under the TDP (as explore evaluates, eq. 23). */
static void pool_at(const search_inputs *in, const cost_config *c, const cost_plan *plan,
                    double mhz, cost_pool *q)
{
    cost_metrics m;
    cost_plan_eval(plan, mhz, in->g->tdp_w, &m);
    cost_pool_of(in->m, c, plan, &m, q);
}

/* A whole pool point from its space index (its replicas digit ignored); PRUNE_NONE or why not. */
static space_prune pool_point(const search_inputs *in, const space_t *s, uint64_t index,
                              int role, space_point *p, cost_pool *q)
{
    int d[KNOB_COUNT];
    space_decode(s, index, d);
    space_point_of(s, d, p);
    if (!pool_digits_used(d))
        return PRUNE_GPUS;
    cost_config c;
    cost_plan plan;
    space_prune why = pool_plan(in, p, role, &c, &plan);
    if (why)
        return why;
    pool_at(in, &c, &plan, p->freq_mhz, q);
    return PRUNE_NONE;
}

/* eq. 72: the transfer between a prefill and a decode replica: inside a node when both fit in
 * one, across the scale-out network otherwise. */
static void transfer_of(const search_inputs *in, const space_point *pp, const cost_pool *pf,
                        const cost_pool *dc, cost_kernel *x)
{
    double bytes = cost_kv_transfer_bytes(in->m, pp->kv_dtype, lround(in->w->prompt_mean));
    int scaleout = pf->gpus + dc->gpus > in->s->gpus_per_node;
    cost_kv_transfer(in->g, bytes, pf->kv_ranks, dc->kv_ranks, scaleout, x);
}

void search_disagg_transfer(const disagg_args *a, const disagg_row *r, cost_kernel *x)
{
    transfer_of(&a->in, &r->pp, &r->pf, &r->dc, x);
}

static space_prune combine(const search_inputs *in, const cost_pool *pf, const cost_pool *dc,
                           int np, int nd, const cost_kernel *x, cost_disagg *d, cost_metrics *m)
{
    if (np * pf->gpus + nd * dc->gpus > in->s->gpus_total)
        return PRUNE_GPUS;
    cost_disagg_eval(pf, dc, np, nd, x, lround(in->w->output_mean), 0, d);
    search_disagg_metrics(d, m);
    if (in->s->slo_filter) {
        if (search_slo_ttft(in->w, m) > in->w->ttft_slo_s)
            return PRUNE_TTFT_SLO;
        if (search_slo_tpot(in->w, m) > in->w->tpot_slo_s)
            return PRUNE_TPOT_SLO;
    }
    return PRUNE_NONE;
}

void search_disagg_row(const disagg_args *a, uint64_t index, disagg_row *r)
{
    const search_inputs *in = &a->in;
    memset(r, 0, sizeof *r);
    r->index = index;
    uint64_t ip = index / in->s->size, id = index % in->s->size;
    r->why = pool_point(in, a->prefill, ip, COST_ROLE_PREFILL, &r->pp, &r->pf);
    if (!r->why)
        r->why = pool_point(in, in->s, id, COST_ROLE_DECODE, &r->dp, &r->dc);
    if (r->why)
        return;
    if (r->pp.dtype != r->dp.dtype || r->pp.kv_dtype != r->dp.kv_dtype) {
        r->mismatch = 1;
        r->why = PRUNE_GPUS;
        return;
    }
    cost_kernel x;
    transfer_of(in, &r->pp, &r->pf, &r->dc, &x);
    r->why = combine(in, &r->pf, &r->dc, r->pp.replicas, r->dp.replicas, &x, &r->d, &r->m);
}

static void objectives(const disagg_args *a, const cost_metrics *m, pareto_pt *q)
{
    for (int k = 0; k < a->nobj; k++)
        q->o[k] = search_obj_value(a->obj[k], m);
}

/* ---- eq. 80: each pool reduced to its class fronts ---------------------------------------- */

/* What the objectives (and SLO filters) read of a pool point, each as a quantity to minimise:
 * eq. 74-79 are monotone in these, so a pool point no better in any of them than another of
 * its class gives no deployment better than that other's (docs/explore.md). */
typedef struct { int energy, latency, peak; } attr_set;

static attr_set attrs_for(const disagg_args *a, int role)
{
    attr_set s = {0, 0, 0};
    for (int k = 0; k < a->nobj; k++) {
        s.energy |= a->obj[k] == OBJ_ENERGY;
        s.peak |= a->obj[k] == OBJ_PEAK_POWER;
        s.latency |= a->obj[k] == (role == COST_ROLE_PREFILL ? OBJ_TTFT : OBJ_TPOT);
    }
    s.latency |= a->in.s->slo_filter;
    return s;
}

static int pool_attrs(const attr_set *s, const cost_pool *q, double *o)
{
    int n = 0;
    o[n++] = -q->cap_rps;
    if (s->energy) {
        o[n++] = q->dyn_j;
        o[n++] = q->idle_w;
    }
    if (s->latency)
        o[n++] = q->latency_s;
    if (s->peak)
        o[n++] = q->peak_w;
    return n;
}

/* A coupling class: pool points whose deployments differ only through the attributes above
 * share the weight and KV types, the KV ranks and the GPUs per replica (eq. 72, 74). */
#define MAX_CLASSES 256
typedef struct {
    int dt, kv, kv_ranks, gpus;
    pareto arc;
} pool_class;

typedef struct {
    pool_class c[MAX_CLASSES];
    int n, oom, full;   /* full: more classes than MAX_CLASSES */
} class_set;

static pareto *class_arc(class_set *cs, int dt, int kv, int kvr, int gpus, int nattr)
{
    for (int i = 0; i < cs->n; i++)
        if (cs->c[i].dt == dt && cs->c[i].kv == kv && cs->c[i].kv_ranks == kvr &&
            cs->c[i].gpus == gpus)
            return &cs->c[i].arc;
    if (cs->n == MAX_CLASSES) {
        cs->full = 1;
        return NULL;
    }
    pool_class *c = &cs->c[cs->n++];
    c->dt = dt;
    c->kv = kv;
    c->kv_ranks = kvr;
    c->gpus = gpus;
    pareto_init(&c->arc, nattr);
    return &c->arc;
}

static void class_set_free(class_set *cs)
{
    for (int i = 0; i < cs->n; i++)
        pareto_free(&cs->c[i].arc);
    cs->n = 0;
}

/* A kept pool point, ready to combine. */
typedef struct {
    uint64_t base;        /* its index with replicas digit 0 */
    space_point p;
    cost_pool q;
} pool_pt;

typedef struct {
    int dt, kv, kv_ranks, gpus;
    pool_pt *pt;
    size_t n;
} pool_front;

typedef struct {
    pool_front *f;
    int n;
    uint64_t evaluated, kept;
} pool_fronts;

static void pool_fronts_free(pool_fronts *pf)
{
    for (int i = 0; i < pf->n; i++)
        free(pf->f[i].pt);
    free(pf->f);
    memset(pf, 0, sizeof *pf);
}

/* Every plan block (plan knobs, all clocks) of pool space s evaluated in parallel into
 * per-thread class archives, merged; then the kept points re-evaluated into pool_pt. */
static int pool_reduce(const disagg_args *a, const space_t *s, int role, int nt,
                       const uint64_t *cand, size_t ncand, pool_fronts *out)
{
    const search_inputs *in = &a->in;
    attr_set as = attrs_for(a, role);
    double probe[PARETO_MAX_DIM];
    int nattr = pool_attrs(&as, &(cost_pool){0}, probe);
    /* the units: every plan block with all its clocks, or only the candidate blocks */
    uint64_t blocks = cand ? ncand : s->size / s->inner;
    int nfreq = s->n[KNOB_FREQ], nrep = s->n[KNOB_REPLICAS];
    class_set *cs = calloc((size_t)nt, sizeof *cs);
    uint64_t *evald = calloc((size_t)nt, sizeof *evald);
    pareto *local = calloc((size_t)nt, sizeof *local);
    memset(out, 0, sizeof *out);
    if (!cs || !evald || !local) {
        free(cs);
        free(evald);
        free(local);
        return -1;
    }
    for (int t = 0; t < nt; t++)
        pareto_init(&local[t], nattr);
    int slo_tpot = role == COST_ROLE_DECODE && in->s->slo_filter;
#pragma omp parallel for schedule(dynamic, 8) num_threads(nt)
    for (uint64_t b = 0; b < blocks; b++) {
        int t = omp_get_thread_num();
        if ((a->stop && *a->stop) || cs[t].oom)
            continue;
        int d[KNOB_COUNT];
        uint64_t base = cand ? cand[b] : b * s->inner;
        int f0 = 0, f1 = nfreq;
        space_decode(s, base, d);
        if (!pool_digits_used(d))
            continue;
        space_point p;
        space_point_of(s, d, &p);
        cost_config c;
        cost_plan plan;
        if (pool_plan(in, &p, role, &c, &plan))
            continue;
        int kvr = c.tp < in->m->n_kv_heads ? c.tp : in->m->n_kv_heads;
        pareto *arc = class_arc(&cs[t], d[KNOB_DTYPE], d[KNOB_KV_DTYPE], kvr, plan.per_replica,
                                nattr);
        if (!arc)
            continue;
        /* the block's clocks filtered among themselves first: a class archive holds
         * thousands of points, the block's own front a few of its clocks */
        pareto *loc = &local[t];
        loc->n = 0;
        for (int fd = f0; fd < f1; fd++) {
            cost_pool q;
            pool_at(in, &c, &plan, s->v[KNOB_FREQ][fd], &q);
            evald[t]++;
            if (slo_tpot && q.latency_s > in->w->tpot_slo_s)
                continue; /* eq. 76: TPOT is the decode pool's alone */
            pareto_pt pt = {base + (uint64_t)fd * (uint64_t)nrep, {0}};
            pool_attrs(&as, &q, pt.o);
            if (pareto_insert(loc, &pt) < 0)
                cs[t].oom = 1;
        }
        for (size_t i = 0; i < loc->n; i++)
            if (pareto_insert(arc, &loc->pt[i]) < 0)
                cs[t].oom = 1;
    }
    int oom = 0, full = 0;
    class_set all = {0};
    for (int t = 0; t < nt; t++) {
        oom |= cs[t].oom;
        full |= cs[t].full;
        out->evaluated += evald[t];
        for (int i = 0; i < cs[t].n && !oom && !full; i++) {
            pool_class *c = &cs[t].c[i];
            pareto *arc = class_arc(&all, c->dt, c->kv, c->kv_ranks, c->gpus, nattr);
            if (!arc) {
                full = 1;
                break;
            }
            for (size_t j = 0; j < c->arc.n && !oom; j++)
                oom |= pareto_insert(arc, &c->arc.pt[j]) < 0;
        }
        class_set_free(&cs[t]);
    }
    for (int t = 0; t < nt; t++)
        pareto_free(&local[t]);
    free(local);
    free(cs);
    free(evald);
    out->f = oom || full ? NULL : calloc((size_t)(all.n ? all.n : 1), sizeof *out->f);
    oom |= !full && !out->f;
    for (int i = 0; i < all.n && !oom; i++) {
        pool_class *c = &all.c[i];
        pool_front *f = &out->f[out->n++];
        f->dt = c->dt;
        f->kv = c->kv;
        f->kv_ranks = c->kv_ranks;
        f->gpus = c->gpus;
        pareto_sort(&c->arc);
        f->pt = malloc((c->arc.n ? c->arc.n : 1) * sizeof *f->pt);
        if (!f->pt) {
            oom = 1;
            break;
        }
        for (size_t j = 0; j < c->arc.n; j++) {
            pool_pt *pp = &f->pt[f->n++];
            pp->base = c->arc.pt[j].index;
            pool_point(in, s, pp->base, role, &pp->p, &pp->q);
        }
        out->kept += f->n;
    }
    class_set_free(&all);
    if (oom || full) {
        pool_fronts_free(out);
        return full ? -2 : -1;
    }
    return 0;
}

/* ---- eq. 81: the replica counts worth trying ---------------------------------------------- */

typedef struct {
    int rp, rd;    /* digits of the prefill and decode replica counts */
    int np, nd;
} ratio;

/* How the replica counts of a pair of pool points are chosen (eq. 81). */
typedef enum {
    RATIOS_ALL,     /* the GPU count is an objective: every count matters */
    RATIOS_BRACKET, /* throughput, energy or cost: the two ratios around the pools' balance */
    RATIOS_FIRST    /* nothing depends on the ratio: the lowest-index counts */
} ratio_mode;

static ratio_mode ratio_mode_of(const disagg_args *a)
{
    int dep = 0;
    for (int k = 0; k < a->nobj; k++) {
        if (a->obj[k] == OBJ_GPUS)
            return RATIOS_ALL;
        dep |= a->obj[k] == OBJ_THROUGHPUT_PER_GPU || a->obj[k] == OBJ_ENERGY ||
               a->obj[k] == OBJ_COST;
    }
    return dep ? RATIOS_BRACKET : RATIOS_FIRST;
}

static int by_rho(const void *x, const void *y)
{
    const ratio *a = x, *b = y;
    long l = (long)a->np * b->nd, r = (long)b->np * a->nd;
    if (l != r)
        return (l > r) - (l < r);
    if (a->rp != b->rp)
        return (a->rp > b->rp) - (a->rp < b->rp);
    return (a->rd > b->rd) - (a->rd < b->rd);
}

/* The counts allowed for replicas of gp and gd GPUs within the space's GPUs: every one
 * (RATIOS_ALL), or per distinct np:nd the lowest-index pair, by ratio. Returns how many. */
static int ratios_for(const disagg_args *a, int gp, int gd, ratio_mode mode, ratio *out)
{
    const space_t *ps = a->prefill, *ds = a->in.s;
    int n = 0;
    for (int i = 0; i < ps->n[KNOB_REPLICAS]; i++)
        for (int j = 0; j < ds->n[KNOB_REPLICAS]; j++) {
            int np = (int)ps->v[KNOB_REPLICAS][i], nd = (int)ds->v[KNOB_REPLICAS][j];
            if ((long)np * gp + (long)nd * gd <= ds->gpus_total)
                out[n++] = (ratio){i, j, np, nd};
        }
    if (mode == RATIOS_ALL || n == 0)
        return n;
    qsort(out, (size_t)n, sizeof *out, by_rho);
    if (mode == RATIOS_FIRST) {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (out[i].rp < out[best].rp || (out[i].rp == out[best].rp && out[i].rd < out[best].rd))
                best = i;
        out[0] = out[best];
        return 1;
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || (long)out[i].np * out[m - 1].nd != (long)out[m - 1].np * out[i].nd)
            out[m++] = out[i]; /* sorted: the first of equal ratios has the lowest digits */
    return m;
}

/* ---- combining the fronts ----------------------------------------------------------------- */

typedef struct {
    pareto arc;
    uint64_t combined;
    int oom;
} comb_worker;

static void try_pair(const disagg_args *a, const pool_pt *p, const pool_pt *d, const ratio *r,
                     const cost_kernel *x, comb_worker *w)
{
    cost_disagg dd;
    cost_metrics m;
    w->combined++;
    if (combine(&a->in, &p->q, &d->q, r->np, r->nd, x, &dd, &m))
        return;
    pareto_pt q;
    q.index = (p->base + (uint64_t)r->rp) * a->in.s->size + d->base + (uint64_t)r->rd;
    objectives(a, &m, &q);
    if (pareto_insert(&w->arc, &q) < 0)
        w->oom = 1;
}

/* One prefill point against one decode front: eq. 81 picks the counts, eq. 73 the balance. */
static void combine_one(const disagg_args *a, const pool_pt *p, const pool_front *df,
                        const ratio *rs, int nr, ratio_mode mode, const cost_kernel *xk,
                        comb_worker *w)
{
    const cost_kernel x = *xk; /* the class pair's (eq. 72: KV type, ranks, GPUs per replica) */
    for (size_t j = 0; j < df->n; j++) {
        const pool_pt *d = &df->pt[j];
        if (mode != RATIOS_BRACKET) {
            for (int k = 0; k < nr; k++)
                try_pair(a, p, d, &rs[k], &x, w);
            continue;
        }
        /* eq. 81: the balance np/nd = cap_d / cap_p' (eq. 73-74); below it the prefill pool
         * bounds the rate and a larger ratio improves throughput, energy and cost per GPU,
         * above it the decode pool does and a smaller one does */
        double cap_p = p->q.cap_rps;
        if (x.time_s > 0 && 1 / x.time_s < cap_p)
            cap_p = 1 / x.time_s;
        int lo = -1, hi = -1; /* the last ratio <= balance, the first >= balance */
        for (int k = 0; k < nr; k++) {
            double lp = rs[k].np * cap_p, ld = rs[k].nd * d->q.cap_rps;
            if (lp <= ld)
                lo = k;
            if (lp >= ld && hi < 0)
                hi = k;
        }
        if (lo >= 0)
            try_pair(a, p, d, &rs[lo], &x, w);
        if (hi >= 0 && hi != lo)
            try_pair(a, p, d, &rs[hi], &x, w);
    }
}

/* Every compatible pair of class fronts combined (eq. 81) into r->front, in parallel. */
static int combine_fronts(const disagg_args *a, const pool_fronts *P, const pool_fronts *D,
                          int nt, disagg_result *r)
{
    ratio_mode mode = ratio_mode_of(a);
    int nrmax = a->prefill->n[KNOB_REPLICAS] * a->in.s->n[KNOB_REPLICAS];
    comb_worker *wk = calloc((size_t)nt, sizeof *wk);
    ratio *rs = malloc((size_t)nrmax * sizeof *rs);
    if (!wk || !rs) {
        free(wk);
        free(rs);
        return -1;
    }
    for (int t = 0; t < nt; t++)
        pareto_init(&wk[t].arc, a->nobj);
    for (int i = 0; i < P->n; i++)
        for (int j = 0; j < D->n; j++) {
            const pool_front *pf = &P->f[i], *df = &D->f[j];
            if (pf->dt != df->dt || pf->kv != df->kv || !pf->n || !df->n)
                continue;
            int nr = ratios_for(a, pf->gpus, df->gpus, mode, rs);
            cost_kernel x;
            transfer_of(&a->in, &pf->pt[0].p, &pf->pt[0].q, &df->pt[0].q, &x);
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
            for (size_t k = 0; k < pf->n; k++) {
                comb_worker *w = &wk[omp_get_thread_num()];
                if (w->oom || (a->stop && *a->stop))
                    continue;
                combine_one(a, &pf->pt[k], df, rs, nr, mode, &x, w);
            }
        }
    free(rs);
    int oom = 0;
    for (int t = 0; t < nt; t++) {
        oom |= wk[t].oom;
        r->combined += wk[t].combined;
        for (size_t j = 0; j < wk[t].arc.n && !oom; j++)
            oom |= pareto_insert(&r->front, &wk[t].arc.pt[j]) < 0;
        pareto_free(&wk[t].arc);
    }
    free(wk);
    if (oom)
        return -1;
    pareto_sort(&r->front);
    return 0;
}

/* The pools reduced (from every point, or from the candidates cp/cd when given), combined. */
static int run_pools(const disagg_args *a, const uint64_t *cp, size_t ncp, const uint64_t *cd,
                     size_t ncd, disagg_result *r, llm_err *err)
{
    memset(r, 0, sizeof *r);
    pareto_init(&r->front, a->nobj);
    r->size = a->prefill->size * a->in.s->size;
    int nt = a->threads > 0 ? a->threads : omp_get_max_threads();
    r->threads = nt;
    double t0 = omp_get_wtime();
    pool_fronts P = {0}, D = {0};
    int rc = pool_reduce(a, a->prefill, COST_ROLE_PREFILL, nt, cp, ncp, &P);
    if (!rc)
        rc = pool_reduce(a, a->in.s, COST_ROLE_DECODE, nt, cd, ncd, &D);
    if (rc == -2) {
        pool_fronts_free(&P);
        disagg_result_free(r);
        llm_err_set(err, "--disaggregated: more than %d coupling classes (GPUs per replica x "
                    "KV ranks x weight and KV types) in one pool's space; expected a smaller "
                    "space (split it by TP or EP)", MAX_CLASSES);
        err->status = LLM_ERR_INPUT;
        return -1;
    }
    r->pool_evaluated[0] = P.evaluated;
    r->pool_evaluated[1] = D.evaluated;
    r->pool_kept[0] = P.kept;
    r->pool_kept[1] = D.kept;
    rc = rc || combine_fronts(a, &P, &D, nt, r);
    pool_fronts_free(&P);
    pool_fronts_free(&D);
    if (rc) {
        disagg_result_free(r);
        llm_err_fail(err, "out of memory while exploring the disaggregated space");
        return -1;
    }
    r->partial = a->stop && *a->stop;
    r->wall_s = omp_get_wtime() - t0;
    return 0;
}

int search_disagg_explore(const disagg_args *a, disagg_result *r, llm_err *err)
{
    return run_pools(a, NULL, 0, NULL, 0, r, err);
}

#define NEAR_BATCH 2
#define NEAR_SM 1

static int by_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* One pool's NLopt front: the plan blocks of its points as candidates, each once. The
 * front is of the pool's own three objectives, a projection of eq. 80's attributes; its blocks'
 * other clocks give the combination the points that balance the pools at integer ratios. */
static uint64_t encode(const space_t *s, const int d[KNOB_COUNT])
{
    uint64_t x = 0;
    for (int k = 0; k < KNOB_COUNT; k++)
        x += (uint64_t)d[k] * s->stride[k];
    return x;
}

/* Appends the plan block of full-space digits d and its neighbours (see pool_nlopt). */
static void add_blocks(const space_t *s, int d[KNOB_COUNT], uint64_t *cand, size_t *n)
{
    int b0 = d[KNOB_BATCH], s0 = d[KNOB_SM_COMM];
    d[KNOB_FREQ] = d[KNOB_REPLICAS] = 0;
    for (int u = -NEAR_BATCH; u <= NEAR_BATCH; u++)
        for (int v = -NEAR_SM; v <= NEAR_SM; v++) {
            d[KNOB_BATCH] = b0 + u;
            d[KNOB_SM_COMM] = s0 + v;
            if (d[KNOB_BATCH] >= 0 && d[KNOB_BATCH] < s->n[KNOB_BATCH] &&
                d[KNOB_SM_COMM] >= 0 && d[KNOB_SM_COMM] < s->n[KNOB_SM_COMM])
                cand[(*n)++] = encode(s, d);
        }
    d[KNOB_BATCH] = b0;
    d[KNOB_SM_COMM] = s0;
}

/* One pool's candidates: NLopt's front in each coupling class's part of the space (one TP
 * degree, EP degree, weight and KV type), each front point's plan block and its neighbours
 * within NEAR_BATCH batch and NEAR_SM SM-split steps, each block once. The GPU count couples
 * the pools (eq. 74's n_p g_p + n_d g_d within the space's GPUs), so a class another class
 * beats on the pool's own objectives still deploys, and points just off a pool's own front
 * balance the other pool better at integer replica counts. */
static int pool_nlopt(const disagg_args *a, const nlsearch_args *tmpl, const space_t *s,
                      int role, uint64_t **cand, size_t *n, uint64_t *evals, llm_err *err)
{
    nlsearch_args na = *tmpl;
    na.in = a->in;
    na.in.role = role;
    /* the pool's own objectives where eq. 80 keeps an attribute: throughput per GPU (its
     * capacity), energy per token (its energy and idle power; also when nothing else is
     * kept, two objectives being the least NLopt sweeps), its latency, its peak power */
    attr_set as = attrs_for(a, role);
    na.nobj = 0;
    na.obj[na.nobj++] = OBJ_THROUGHPUT_PER_GPU;
    if (as.energy || (!as.latency && !as.peak))
        na.obj[na.nobj++] = OBJ_ENERGY;
    if (as.latency)
        na.obj[na.nobj++] = role == COST_ROLE_PREFILL ? OBJ_TTFT : OBJ_TPOT;
    if (as.peak && na.nobj < SEARCH_MAX_OBJ)
        na.obj[na.nobj++] = OBJ_PEAK_POWER;
    const size_t per = (2 * NEAR_BATCH + 1) * (2 * NEAR_SM + 1);
    size_t cap = 1024;
    *n = 0;
    *cand = malloc(cap * sizeof **cand);
    if (!*cand)
        goto oom;
    static const llm_knob split[4] = {KNOB_TP, KNOB_EP, KNOB_DTYPE, KNOB_KV_DTYPE};
    int dig[4];
    for (dig[0] = 0; dig[0] < s->n[KNOB_TP]; dig[0]++)
        for (dig[1] = 0; dig[1] < s->n[KNOB_EP]; dig[1]++)
            for (dig[2] = 0; dig[2] < s->n[KNOB_DTYPE]; dig[2]++)
                for (dig[3] = 0; dig[3] < s->n[KNOB_KV_DTYPE]; dig[3]++) {
                    space_t sub[4];
                    const space_t *from = s;
                    int k = 0, bad = 0;
                    for (; k < 4; k++) {
                        if (space_with_values(from, split[k], &s->v[split[k]][dig[k]], 1,
                                              &sub[k], err)) {
                            bad = 1;
                            break;
                        }
                        from = &sub[k];
                    }
                    nlsearch_result nr;
                    int rc = bad;
                    if (!bad) {
                        na.in.s = &sub[3];
                        rc = search_nlopt(&na, &nr, err);
                    }
                    for (int j = 0; j < k; j++)
                        space_free(&sub[j]);
                    if (rc) {
                        free(*cand);
                        return -1;
                    }
                    *evals += nr.evaluations;
                    if (*n + nr.front.n * per > cap) {
                        cap = 2 * (*n + nr.front.n * per);
                        uint64_t *c2 = realloc(*cand, cap * sizeof **cand);
                        if (!c2) {
                            nlsearch_result_free(&nr);
                            goto oom;
                        }
                        *cand = c2;
                    }
                    for (size_t i = 0; i < nr.front.n; i++) {
                        int d[KNOB_COUNT];
                        space_decode(&sub[3], nr.front.pt[i].index, d); /* strides kept */
                        for (int j = 0; j < 4; j++)
                            d[split[j]] = dig[j];
                        add_blocks(s, d, *cand, n);
                    }
                    nlsearch_result_free(&nr);
                }
    qsort(*cand, *n, sizeof **cand, by_u64);
    size_t m = 0;
    for (size_t i = 0; i < *n; i++)
        if (!m || (*cand)[m - 1] != (*cand)[i])
            (*cand)[m++] = (*cand)[i];
    *n = m;
    return 0;
oom:
    free(*cand);
    *cand = NULL;
    llm_err_fail(err, "out of memory");
    return -1;
}

int search_disagg_nlopt(const disagg_args *a, const nlsearch_args *tmpl, disagg_result *r,
                        uint64_t *evaluations, llm_err *err)
{
    uint64_t *cp = NULL, *cd = NULL;
    size_t ncp = 0, ncd = 0;
    *evaluations = 0;
    double t0 = omp_get_wtime();
    int rc = pool_nlopt(a, tmpl, a->prefill, COST_ROLE_PREFILL, &cp, &ncp, evaluations, err) ||
             pool_nlopt(a, tmpl, a->in.s, COST_ROLE_DECODE, &cd, &ncd, evaluations, err) ||
             run_pools(a, cp, ncp, cd, ncd, r, err);
    free(cp);
    free(cd);
    if (!rc)
        r->wall_s = omp_get_wtime() - t0;
    return rc ? -1 : 0;
}

/* ---- brute force ------------------------------------------------------------------------ */

int search_disagg_brute(const disagg_args *a, disagg_result *r, llm_err *err)
{
    memset(r, 0, sizeof *r);
    pareto_init(&r->front, a->nobj);
    const search_inputs *in = &a->in;
    const space_t *ps = a->prefill, *ds = in->s;
    r->size = ps->size * ds->size;
    r->threads = 1;
    double t0 = omp_get_wtime();
    int nrp = ps->n[KNOB_REPLICAS], nrd = ds->n[KNOB_REPLICAS];
    /* every pool point evaluated once (the pairs below reuse them), then every pair and every
     * pair of replica counts: the product, point by point */
    size_t npp = ps->size / nrp, ndd = ds->size / nrd;
    pool_pt *P = malloc(npp * sizeof *P), *D = malloc(ndd * sizeof *D);
    unsigned char *okp = calloc(npp, 1), *okd = calloc(ndd, 1);
    int oom = !P || !D || !okp || !okd;
    for (size_t i = 0; i < npp && !oom; i++) {
        P[i].base = i * nrp;
        okp[i] = !pool_point(in, ps, P[i].base, COST_ROLE_PREFILL, &P[i].p, &P[i].q);
        r->pool_evaluated[0] += okp[i];
    }
    for (size_t j = 0; j < ndd && !oom; j++) {
        D[j].base = j * nrd;
        okd[j] = !pool_point(in, ds, D[j].base, COST_ROLE_DECODE, &D[j].p, &D[j].q);
        r->pool_evaluated[1] += okd[j];
    }
    for (size_t i = 0; i < npp && !oom; i++) {
        if (!okp[i])
            continue;
        for (size_t j = 0; j < ndd && !oom; j++) {
            if (!okd[j] || P[i].p.dtype != D[j].p.dtype || P[i].p.kv_dtype != D[j].p.kv_dtype)
                continue;
            cost_kernel x;
            transfer_of(in, &P[i].p, &P[i].q, &D[j].q, &x);
            for (int u = 0; u < nrp; u++)
                for (int v = 0; v < nrd; v++) {
                    cost_disagg d;
                    cost_metrics m;
                    int np = (int)ps->v[KNOB_REPLICAS][u], nd = (int)ds->v[KNOB_REPLICAS][v];
                    r->combined++;
                    if (combine(in, &P[i].q, &D[j].q, np, nd, &x, &d, &m))
                        continue;
                    pareto_pt q;
                    q.index = (P[i].base + (uint64_t)u) * ds->size + D[j].base + (uint64_t)v;
                    objectives(a, &m, &q);
                    oom |= pareto_insert(&r->front, &q) < 0;
                }
        }
    }
    free(P);
    free(D);
    free(okp);
    free(okd);
    if (oom) {
        disagg_result_free(r);
        llm_err_fail(err, "out of memory in the brute-force disaggregated explore");
        return -1;
    }
    pareto_sort(&r->front);
    r->wall_s = omp_get_wtime() - t0;
    return 0;
}

void disagg_result_free(disagg_result *r)
{
    pareto_free(&r->front);
}
