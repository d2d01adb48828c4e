/* search/optimize.c — the NLopt path (docs/search.md): for each combination of discrete knobs,
 * batch, clock and SM split are relaxed to continuous grid coordinates (multilinear between
 * exactly evaluated grid points) and the front is traced by an epsilon-constraint sweep with
 * COBYLA; every grid point the relaxation touches is an exact cost-model evaluation, and the
 * front is the non-dominated set of those. Runs on the calling thread only. */
#include "search.h"

#include <math.h>
#include <nlopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- exact evaluations, memoised by index ------------------------------------------------- */

typedef struct {
    uint64_t key;       /* index + 1; 0 = empty slot */
    double o[SEARCH_MAX_OBJ];
    double mem;         /* GiB over capacity (<= 0 fits) */
    double ttft, tpot;  /* relative excess over the SLO (<= 0 meets it), -1 without a filter */
    int feasible;
    int expanded;       /* the polish has evaluated its grid neighbours */
} memo_entry;

typedef struct {
    memo_entry *e;
    size_t cap, n;
    int oom;
} memo;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static int memo_grow(memo *m)
{
    size_t cap = m->cap ? 2 * m->cap : 4096;
    memo_entry *e = calloc(cap, sizeof *e);
    if (!e)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key) {
            size_t j = mix(m->e[i].key) & (cap - 1);
            while (e[j].key)
                j = (j + 1) & (cap - 1);
            e[j] = m->e[i];
        }
    free(m->e);
    m->e = e;
    m->cap = cap;
    return 0;
}

/* The slot of index in the table: where it is, or the empty slot where it would go. */
static size_t memo_slot(const memo *m, uint64_t index)
{
    size_t j = mix(index + 1) & (m->cap - 1);
    while (m->e[j].key && m->e[j].key != index + 1)
        j = (j + 1) & (m->cap - 1);
    return j;
}

typedef struct {
    const nlsearch_args *a;
    memo memo;
    nlsearch_result *r;
} ctx;

/* The same arithmetic as explore (cost_plan_build, cost_plan_eval at TDP, replicas), but
 * also for points that do not fit in memory: the relaxation needs their values. */
static const memo_entry *evaluate(ctx *c, uint64_t index)
{
    memo *m = &c->memo;
    if (m->oom)
        return NULL;
    if ((m->n + 1) * 2 > m->cap && memo_grow(m)) {
        m->oom = 1;
        return NULL;
    }
    size_t j = memo_slot(m, index);
    if (m->e[j].key)
        return &m->e[j];
    const search_inputs *in = &c->a->in;
    int d[KNOB_COUNT];
    space_point p;
    space_decode(in->s, index, d);
    space_point_of(in->s, d, &p);
    cost_config cfg;
    search_config(in, &p, &cfg);
    cost_plan plan;
    cost_metrics mt;
    cost_plan_build(in->m, in->g, &cfg, &plan);
    search_point_eval(in, &plan, &p, &mt);
    memo_entry *e = &m->e[j];
    e->key = index + 1;
    for (int k = 0; k < c->a->nobj; k++)
        e->o[k] = search_obj_value(c->a->obj[k], &mt);
    e->mem = plan.mem.total_gib - in->g->mem_gib;
    e->ttft = e->tpot = -1;
    if (in->s->slo_filter) {
        e->ttft = (search_slo_ttft(in->w, &mt) - in->w->ttft_slo_s) / in->w->ttft_slo_s;
        e->tpot = (search_slo_tpot(in->w, &mt) - in->w->tpot_slo_s) / in->w->tpot_slo_s;
    }
    e->feasible = plan.mem.fits && e->ttft <= 0 && e->tpot <= 0;
    m->n++;
    c->r->evaluations++;
    return e;
}

/* ---- the continuous relaxation of one combination ----------------------------------------- */

#define MAXD 3
static const llm_knob relaxed_knobs[MAXD] = {KNOB_BATCH, KNOB_FREQ, KNOB_SM_COMM};

typedef struct {
    ctx *c;
    int base[KNOB_COUNT];  /* digits of the discrete knobs */
    int dims;              /* relaxed knobs with more than one allowed value */
    llm_knob knob[MAXD];
    int n[MAXD];
    int *allowed[MAXD];    /* allowed digits of each relaxed knob, in order */
    /* the current subproblem */
    int primary;
    int constrained[SEARCH_MAX_OBJ];
    double eps[SEARCH_MAX_OBJ], lo[SEARCH_MAX_OBJ], scale[SEARCH_MAX_OBJ];
    /* the value at the last x (NLopt asks for the objective and each constraint at one x) */
    double last_x[MAXD];
    int have_last;
    double v_o[SEARCH_MAX_OBJ], v_mem, v_ttft, v_tpot;
    int broken;            /* out of memory inside a callback */
} relax;

static uint64_t index_of(const relax *R, const int *dig)
{
    const space_t *s = R->c->a->in.s;
    int d[KNOB_COUNT];
    memcpy(d, R->base, sizeof d);
    for (int i = 0; i < R->dims; i++)
        d[R->knob[i]] = R->allowed[i][dig[i]];
    uint64_t idx = 0;
    for (int k = 0; k < KNOB_COUNT; k++)
        idx += (uint64_t)d[k] * s->stride[k];
    return idx;
}

/* Multilinear interpolation of the 2^dims grid points around x. */
static void relax_at(relax *R, const double *x)
{
    if (R->have_last && !memcmp(x, R->last_x, sizeof(double) * (size_t)R->dims))
        return;
    memcpy(R->last_x, x, sizeof(double) * (size_t)R->dims);
    R->have_last = 1;
    int i0[MAXD];
    double t[MAXD];
    for (int i = 0; i < R->dims; i++) {
        double xi = x[i] < 0 ? 0 : x[i] > R->n[i] - 1 ? R->n[i] - 1 : x[i];
        i0[i] = (int)floor(xi);
        if (i0[i] > R->n[i] - 2)
            i0[i] = R->n[i] - 2;
        t[i] = xi - i0[i];
    }
    int nobj = R->c->a->nobj;
    memset(R->v_o, 0, sizeof R->v_o);
    R->v_mem = R->v_ttft = R->v_tpot = 0;
    for (int corner = 0; corner < 1 << R->dims; corner++) {
        int dig[MAXD];
        double w = 1;
        for (int i = 0; i < R->dims; i++) {
            int up = corner >> i & 1;
            dig[i] = i0[i] + up;
            w *= up ? t[i] : 1 - t[i];
        }
        const memo_entry *e = evaluate(R->c, index_of(R, dig));
        if (!e) {
            R->broken = 1;
            return;
        }
        for (int k = 0; k < nobj; k++)
            R->v_o[k] += w * e->o[k];
        R->v_mem += w * e->mem;
        R->v_ttft += w * e->ttft;
        R->v_tpot += w * e->tpot;
    }
}

static double f_objective(unsigned n, const double *x, double *grad, void *data)
{
    (void)n; (void)grad;
    relax *R = data;
    R->c->r->calls++;
    relax_at(R, x);
    return (R->v_o[R->primary] - R->lo[R->primary]) / R->scale[R->primary];
}

static double c_memory(unsigned n, const double *x, double *grad, void *data)
{
    (void)n; (void)grad;
    relax *R = data;
    relax_at(R, x);
    return R->v_mem / R->c->a->in.g->mem_gib;
}

static double c_ttft(unsigned n, const double *x, double *grad, void *data)
{
    (void)n; (void)grad;
    relax *R = data;
    relax_at(R, x);
    return R->v_ttft;
}

static double c_tpot(unsigned n, const double *x, double *grad, void *data)
{
    (void)n; (void)grad;
    relax *R = data;
    relax_at(R, x);
    return R->v_tpot;
}

/* One epsilon constraint per objective; which one is passed through the index. */
typedef struct { relax *R; int k; } eps_data;
static double c_eps(unsigned n, const double *x, double *grad, void *data)
{
    (void)n; (void)grad;
    eps_data *E = data;
    relax_at(E->R, x);
    return (E->R->v_o[E->k] - E->R->eps[E->k]) / E->R->scale[E->k];
}

/* Deterministic starting points, as fractions of each coordinate's range: the centre first,
 * then corners of the (batch, clock) plane where the fronts' ends tend to lie. */
static const double start_frac[][MAXD] = {
    {0.5, 0.5, 0.0}, {0.9, 0.7, 0.0}, {0.1, 0.3, 0.0}, {0.9, 0.2, 0.5}, {0.2, 0.9, 0.5},
    {0.5, 0.1, 1.0}, {0.5, 0.9, 1.0}, {0.1, 0.9, 0.0},
};
#define NSTARTS (int)(sizeof start_frac / sizeof start_frac[0])

static void record(nlsearch_result *r, nlopt_result code)
{
    if (code == NLOPT_MAXEVAL_REACHED || code == NLOPT_MAXTIME_REACHED) {
        r->stopped_early++;
    } else if (code < 0) {
        if (!r->failed)
            snprintf(r->first_failure, sizeof r->first_failure, "%s",
                     nlopt_result_to_string(code));
        r->failed++;
    } else {
        r->converged++; /* success, stopval, ftol or xtol reached */
    }
}

/* Minimises the primary objective under memory, SLO and epsilon constraints from each start.
 * The points are harvested later from the memo: the optimum itself is one of them. */
static int subproblem(relax *R)
{
    const nlsearch_args *a = R->c->a;
    R->c->r->subproblems++;
    double lb[MAXD], ub[MAXD], step[MAXD];
    for (int i = 0; i < R->dims; i++) {
        lb[i] = 0;
        ub[i] = R->n[i] - 1;
        step[i] = (ub[i] - lb[i]) / 4;
    }
    eps_data ed[SEARCH_MAX_OBJ];
    for (int s = 0; s < a->starts && s < NSTARTS; s++) {
        nlopt_opt opt = nlopt_create(NLOPT_LN_COBYLA, (unsigned)R->dims);
        if (!opt)
            return -1;
        nlopt_set_lower_bounds(opt, lb);
        nlopt_set_upper_bounds(opt, ub);
        nlopt_set_initial_step(opt, step);
        nlopt_set_min_objective(opt, f_objective, R);
        nlopt_add_inequality_constraint(opt, c_memory, R, 1e-9);
        if (a->in.s->slo_filter) {
            nlopt_add_inequality_constraint(opt, c_ttft, R, 1e-9);
            nlopt_add_inequality_constraint(opt, c_tpot, R, 1e-9);
        }
        for (int k = 0; k < a->nobj; k++)
            if (R->constrained[k]) {
                ed[k] = (eps_data){R, k};
                nlopt_add_inequality_constraint(opt, c_eps, &ed[k], 1e-9);
            }
        nlopt_set_maxeval(opt, a->maxeval);
        /* a grid coordinate finer than a tenth of a step changes nothing that is kept */
        double xtol[MAXD] = {0.1, 0.1, 0.1};
        nlopt_set_xtol_abs(opt, xtol);
        double x[MAXD], fx;
        for (int i = 0; i < R->dims; i++)
            x[i] = lb[i] + start_frac[s][i] * (ub[i] - lb[i]);
        nlopt_result code = nlopt_optimize(opt, x, &fx);
        nlopt_destroy(opt);
        if (R->broken)
            return -1;
        record(R->c->r, code);
    }
    return 0;
}

/* The anchors (each objective minimised alone) give the ranges; then minimise the first
 * objective with the others bounded at `levels` evenly spaced values each (eq. S1). */
static int sweep(relax *R)
{
    const nlsearch_args *a = R->c->a;
    int nobj = a->nobj;
    double lo[SEARCH_MAX_OBJ] = {INFINITY, INFINITY, INFINITY};
    double hi[SEARCH_MAX_OBJ] = {-INFINITY, -INFINITY, -INFINITY};
    for (int k = 0; k < nobj; k++) {
        R->lo[k] = 0;
        R->scale[k] = 1;
    }
    memset(R->constrained, 0, sizeof R->constrained);
    for (int k = 0; k < nobj; k++) {
        R->primary = k;
        R->have_last = 0;
        if (subproblem(R))
            return -1;
    }
    /* ranges over the feasible points seen so far in this combination */
    for (size_t i = 0; i < R->c->memo.cap; i++) {
        const memo_entry *e = &R->c->memo.e[i];
        if (!e->key || !e->feasible)
            continue;
        int d[KNOB_COUNT], same = 1;
        space_decode(a->in.s, e->key - 1, d);
        for (int k = 0; k < KNOB_COUNT; k++)
            if (k != KNOB_BATCH && k != KNOB_FREQ && k != KNOB_SM_COMM)
                same &= d[k] == R->base[k];
        if (!same)
            continue;
        for (int k = 0; k < nobj; k++) {
            if (e->o[k] < lo[k]) lo[k] = e->o[k];
            if (e->o[k] > hi[k]) hi[k] = e->o[k];
        }
    }
    if (!(lo[0] < INFINITY))
        return 0; /* nothing feasible found: the combination contributes nothing */
    for (int k = 0; k < nobj; k++) {
        R->lo[k] = lo[k];
        R->scale[k] = hi[k] > lo[k] ? hi[k] - lo[k] : fabs(lo[k]) > 0 ? fabs(lo[k]) : 1;
    }
    R->primary = 0;
    int L = a->levels;
    int n1 = L, n2 = nobj > 2 ? L : 1;
    for (int i = 1; i <= n1; i++)
        for (int j = 1; j <= n2; j++) {
            R->constrained[1] = 1;
            R->eps[1] = lo[1] + (hi[1] - lo[1]) * i / (n1 + 1);
            if (nobj > 2) {
                R->constrained[2] = 1;
                R->eps[2] = lo[2] + (hi[2] - lo[2]) * j / (n2 + 1);
            }
            R->have_last = 0;
            if (subproblem(R))
                return -1;
        }
    return 0;
}

static memo_entry *memo_find(memo *m, uint64_t index)
{
    size_t j = memo_slot(m, index);
    return m->e[j].key ? &m->e[j] : NULL;
}

/* Pareto local search (eq. S2): evaluate grid neighbours of every front point until every
 * front point has been expanded. Along a short axis (at most 8 values: the SM split) every
 * other value is a neighbour, since its effect is not monotone; along batch, steps of 1, 4
 * and 16 grid positions either way, which step over the sawtooth that tile and wave
 * quantisation put into batch; along the clock, whose effect is smooth, 1 and 4. It fills the gaps the epsilon levels leave;
 * every point it adds is an exact evaluation. */
/* batch steps reach over the quantisation sawtooth; the clock's effect is smooth */
static const int batch_steps[] = {1, 4, 16, 0}, freq_steps[] = {1, 4, 0};

static int polish_try(ctx *c, pareto *front, uint64_t idx)
{
    const memo_entry *e = evaluate(c, idx);
    if (!e)
        return -1;
    if (!e->feasible)
        return 0;
    pareto_pt q;
    q.index = idx;
    memcpy(q.o, e->o, sizeof q.o);
    return pareto_insert(front, &q) < 0 ? -1 : 0;
}

static int polish(ctx *c, pareto *front, int max_rounds)
{
    const space_t *s = c->a->in.s;
    const int sms = c->a->in.g->sm_count;
    uint64_t *todo = NULL;
    int rc = 0;
    for (int round = 0; round < max_rounds && !rc; round++) {
        size_t n = 0;
        free(todo);
        todo = malloc((front->n ? front->n : 1) * sizeof *todo);
        if (!todo)
            return -1;
        for (size_t i = 0; i < front->n; i++) {
            memo_entry *e = memo_find(&c->memo, front->pt[i].index);
            if (e && !e->expanded) {
                e->expanded = 1;
                todo[n++] = front->pt[i].index;
            }
        }
        if (!n)
            break;
        for (size_t i = 0; i < n && !rc; i++) {
            int d[KNOB_COUNT];
            space_decode(s, todo[i], d);
            for (int r = 0; r < MAXD && !rc; r++) {
                llm_knob k = relaxed_knobs[r];
                uint64_t base = todo[i] - (uint64_t)d[k] * s->stride[k];
                if (s->n[k] <= 8) {
                    for (int v = 0; v < s->n[k] && !rc; v++)
                        if (v != d[k] && !(k == KNOB_SM_COMM && s->v[k][v] >= sms))
                            rc = polish_try(c, front, base + (uint64_t)v * s->stride[k]);
                    continue;
                }
                const int *steps = k == KNOB_BATCH ? batch_steps : freq_steps;
                for (unsigned j = 0; steps[j] && !rc; j++)
                    for (int sign = -1; sign <= 1 && !rc; sign += 2) {
                        int v = d[k] + sign * steps[j];
                        if (v >= 0 && v < s->n[k] &&
                            !(k == KNOB_SM_COMM && s->v[k][v] >= sms))
                            rc = polish_try(c, front, base + (uint64_t)v * s->stride[k]);
                    }
            }
        }
    }
    free(todo);
    return rc;
}

/* One combination of the discrete knobs d: its relaxed knobs (batch, clock, SM split) swept,
 * or its one point evaluated; skipped (0) when its plan is pruned. -1 out of memory. */
static int sweep_combo(ctx *c, const int *d, int **allowed, int *taken)
{
    const search_inputs *in = &c->a->in;
    const space_t *s = in->s;
    relax R;
    memset(&R, 0, sizeof R);
    R.c = c;
    memcpy(R.base, d, sizeof R.base);
    space_point p;
    int nsm = 0;
    for (int v = 0; v < s->n[KNOB_SM_COMM]; v++)
        if (s->v[KNOB_SM_COMM][v] < in->g->sm_count)
            allowed[2][nsm++] = v;
    R.base[KNOB_BATCH] = R.base[KNOB_FREQ] = 0;
    R.base[KNOB_SM_COMM] = nsm ? allowed[2][0] : 0;
    space_point_of(s, R.base, &p);
    if (!nsm || search_check_plan(in, &p) || search_gpus_exceeded(s, &p, p.replicas))
        return 0;
    *taken = 1;
    c->r->combos++;
    int counts[MAXD] = {s->n[KNOB_BATCH], s->n[KNOB_FREQ], nsm};
    for (int i = 0; i < MAXD; i++) {
        if (i < 2)
            for (int v = 0; v < counts[i]; v++)
                allowed[i][v] = v;
        if (counts[i] > 1) {
            R.knob[R.dims] = relaxed_knobs[i];
            R.n[R.dims] = counts[i];
            R.allowed[R.dims] = allowed[i];
            R.dims++;
        } else {
            R.base[relaxed_knobs[i]] = allowed[i][0];
        }
    }
    if (R.dims == 0)
        return evaluate(c, index_of(&R, NULL)) ? 0 : -1;
    return sweep(&R) ? -1 : 0;
}

int search_nlopt(const nlsearch_args *a, nlsearch_result *r, llm_err *err)
{
    memset(r, 0, sizeof *r);
    pareto_init(&r->front, a->nobj);
    const search_inputs *in = &a->in;
    const space_t *s = in->s;
    ctx c = {a, {0}, r};
    if (memo_grow(&c.memo)) {
        llm_err_set(err, "out of memory");
        return -1;
    }
    int wants_gpus = 0;
    for (int k = 0; k < a->nobj; k++)
        wants_gpus |= a->obj[k] == OBJ_GPUS;
    int *allowed[MAXD];
    for (int i = 0; i < MAXD; i++)
        allowed[i] = malloc(sizeof(int) * (size_t)s->n[relaxed_knobs[i]]);
    int rc = 0;
    for (int i = 0; i < MAXD; i++)
        if (!allowed[i]) {
            llm_err_set(err, "out of memory");
            rc = -1;
        }
    /* the discrete knobs: every combination of tp, ep, dtype, kv_dtype, and the replica count
     * when an objective depends on it (otherwise its first feasible value: the one explore
     * keeps among equal points) */
    int d[KNOB_COUNT] = {0};
    for (d[KNOB_TP] = 0; !rc && d[KNOB_TP] < s->n[KNOB_TP]; d[KNOB_TP]++)
    for (d[KNOB_EP] = 0; !rc && d[KNOB_EP] < s->n[KNOB_EP]; d[KNOB_EP]++)
    for (d[KNOB_PP] = 0; !rc && d[KNOB_PP] < s->n[KNOB_PP]; d[KNOB_PP]++)
    for (d[KNOB_DTYPE] = 0; !rc && d[KNOB_DTYPE] < s->n[KNOB_DTYPE]; d[KNOB_DTYPE]++)
    for (d[KNOB_KV_DTYPE] = 0; !rc && d[KNOB_KV_DTYPE] < s->n[KNOB_KV_DTYPE]; d[KNOB_KV_DTYPE]++) {
        int taken = 0;
        for (d[KNOB_REPLICAS] = 0; !rc && d[KNOB_REPLICAS] < s->n[KNOB_REPLICAS] &&
                                   (wants_gpus || !taken); d[KNOB_REPLICAS]++) {
            if (sweep_combo(&c, d, allowed, &taken))
                rc = -1;
        }
    }
    for (int i = 0; i < MAXD; i++)
        free(allowed[i]);
    if (rc || c.memo.oom) {
        if (!rc || c.memo.oom)
            llm_err_set(err, "out of memory in the NLopt search");
        free(c.memo.e);
        pareto_free(&r->front);
        return -1;
    }
    /* the front: the non-dominated set of every feasible point evaluated */
    for (size_t i = 0; i < c.memo.cap; i++) {
        const memo_entry *e = &c.memo.e[i];
        if (!e->key || !e->feasible)
            continue;
        pareto_pt q;
        q.index = e->key - 1;
        memcpy(q.o, e->o, sizeof q.o);
        if (pareto_insert(&r->front, &q) < 0) {
            llm_err_set(err, "out of memory");
            free(c.memo.e);
            pareto_free(&r->front);
            return -1;
        }
    }
    if (a->polish_rounds > 0 && polish(&c, &r->front, a->polish_rounds)) {
        llm_err_set(err, "out of memory in the NLopt search");
        free(c.memo.e);
        pareto_free(&r->front);
        return -1;
    }
    free(c.memo.e);
    pareto_sort(&r->front);
    return 0;
}

void nlsearch_result_free(nlsearch_result *r)
{
    pareto_free(&r->front);
}
