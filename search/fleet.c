/* search/fleet.c — the recommendation's inputs and plans: the candidates of the integer
 * program (each (model, SKU)'s front of one replica, the SLOs enforced, explored in full), the
 * best plan, the runner-ups (the best under each other objective, on each SKU alone) or, when
 * nothing meets the request, the diagnosis. docs/recommend.md. */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double rec_confidence(const rec_problem *p, const search_inputs *serving)
{
    if (p->confidence < 0 || !serving || !serving->bands)
        return 0;
    return p->confidence > 0 ? p->confidence : REC_CONFIDENCE_DEFAULT;
}

/* eq. R12: at confidence P, a candidate is held to its SLOs with its latencies at their
 * P-quantile (each SLO divided by exp(q_P), eq. 57) and serves requests at its throughput's
 * (1 - P)-quantile. Power stays the point estimate: the issue is the SLOs and the rate, and a
 * fleet power cap read at a 90% power quantile would refuse plans the GPUs' own limiters
 * already hold. The regime is the pair's (eq. 52). */
typedef struct { double slo_ttft, slo_tpot, cap; } conf_scale;

static conf_scale confidence_scale(const search_inputs *in, double P)
{
    conf_scale s = {1, 1, 1};
    if (!(P > 0))
        return s;
    llm_band_regime r = cost_band_regime(in->g, in->serving);
    const llm_bands *b = in->bands;
    s.slo_ttft = exp(-cost_band_quantile(&b->e2e[r][LLM_BAND_TTFT], P));
    s.slo_tpot = exp(-cost_band_quantile(&b->e2e[r][LLM_BAND_TPOT], P));
    s.cap = exp(cost_band_quantile(&b->e2e[r][LLM_BAND_THROUGHPUT], 1 - P));
    return s;
}

/* The next slot of the growing candidate array, or NULL (err) out of memory. */
static rec_candidate *next_candidate(rec_candidate **cand, size_t *n, size_t *cap, llm_err *err)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 256;
        rec_candidate *p = realloc(*cand, nc * sizeof **cand);
        if (!p) {
            llm_err_fail(err, "out of memory");
            return NULL;
        }
        *cand = p;
        *cap = nc;
    }
    return &(*cand)[(*n)++];
}

/* Appends the front of one (model, SKU) pair's space to *cand. */
static int pair_candidates(const search_inputs *in, int i, int k, double price,
                           conf_scale cs, rec_candidate **cand, size_t *n, size_t *cap,
                           llm_err *err)
{
    explore_args a;
    memset(&a, 0, sizeof a);
    a.in = *in;
    a.nobj = 3;
    a.obj[0] = OBJ_ENERGY;
    a.obj[1] = OBJ_THROUGHPUT_PER_GPU;
    a.obj[2] = OBJ_PEAK_POWER;
    a.end = in->s->size;
    explore_result r;
    if (search_explore(&a, &r, err)) {
        err->status = LLM_ERR_RUNTIME;
        return -1;
    }
    for (size_t j = 0; j < r.front.n; j++) {
        rec_candidate *c = next_candidate(cand, n, cap, err);
        if (!c) {
            explore_result_free(&r);
            return -1;
        }
        search_row row;
        search_row_eval(&a.in, r.front.pt[j].index, &row);
        rec_candidate_from_row(&row, in->g, lround(in->w->output_mean), i, k, price, c);
        c->has_bands = in->bands != NULL;
        search_row_bands(in, &row, &c->bands);
        c->cap_rps *= cs.cap;
    }
    explore_result_free(&r);
    return 0;
}

/* eq. R13: the disaggregated units of one (model, SKU) pair: the front of explore
 * --disaggregated (energy, throughput per GPU, peak power, the SLOs enforced) over its space
 * with 1 to 8 replicas per pool (within the space's GPUs), each front point a unit of n_p
 * prefill and n_d decode replicas in lowest terms that the program replicates. */
static int pair_disagg_candidates(const search_inputs *in, int i, int k, double price,
                                  conf_scale cs, int power_capped, rec_candidate **cand,
                                  size_t *n, size_t *cap, llm_err *err)
{
    double reps[8], pb[64];
    int nr = 0;
    for (int r = 1; r <= 8 && r <= in->s->gpus_total; r++)
        reps[nr++] = r;
    space_t ds, ps;
    if (space_with_values(in->s, KNOB_REPLICAS, reps, nr, &ds, err))
        return -1;
    int npb = search_disagg_default_prefill_batch(pb);
    if (search_disagg_prefill_space(&ds, pb, npb, &ps, err)) {
        space_free(&ds);
        return -1;
    }
    disagg_args a;
    memset(&a, 0, sizeof a);
    a.in = *in;
    a.in.s = &ds;
    a.prefill = &ps;
    /* peak power only matters to the program under a fleet power cap (eq. R4); without one
     * the front of two objectives is the smaller and the faster (eq. 80 keeps fewer
     * attributes) */
    a.nobj = 0;
    a.obj[a.nobj++] = OBJ_ENERGY;
    a.obj[a.nobj++] = OBJ_THROUGHPUT_PER_GPU;
    if (power_capped)
        a.obj[a.nobj++] = OBJ_PEAK_POWER;
    disagg_result r;
    int rc = search_disagg_explore(&a, &r, err), explored = !rc;
    for (size_t j = 0; !rc && j < r.front.n; j++) {
        rec_candidate *c = next_candidate(cand, n, cap, err);
        if (!c) {
            rc = -1;
            break;
        }
        disagg_row row;
        search_disagg_row(&a, r.front.pt[j].index, &row);
        memset(c, 0, sizeof *c);
        c->model = i;
        c->sku = k;
        c->disagg = 1;
        c->pre = row.pp;
        c->n_prefill = row.pp.replicas;
        c->n_decode = row.dp.replicas;
        c->pf = row.pf;
        c->dc = row.dc;
        c->dis = row.d;
        search_disagg_transfer(&a, &row, &c->xfer);
        c->row.index = row.index;
        c->row.p = row.dp;
        c->row.m = row.m;
        c->gpus = row.d.gpus;
        c->cap_rps = row.d.rps * cs.cap;                           /* eq. R1 at eq. R12 */
        c->p_busy = row.d.avg_power_w * row.d.gpus;
        c->p_idle = in->g->idle_w * row.d.gpus;
        c->p_peak = row.d.peak_power_w * row.d.gpus;
        c->cost_per_hour = price * row.d.gpus;
        c->has_bands = in->bands != NULL;
        search_disagg_bands(in, &row.m, &c->bands);
    }
    if (explored)
        disagg_result_free(&r);
    space_free(&ps);
    space_free(&ds);
    if (rc)
        err->status = LLM_ERR_RUNTIME;
    return rc;
}

/* eq. R1b: among the candidates of one model, SKU and every knob but the clock, the one with
 * the least energy per request at full load is kept, then the next least whose clock is at
 * least a band (B MHz) from every clock kept, and so on (ties: the higher clock, then the
 * first). Pools of one configuration then differ by a band of clock at least, never by one
 * 15 MHz step, and the best clock of each configuration is always kept. */
static int same_point_but_clock(const space_point *x, const space_point *y)
{
    return x->tp == y->tp && x->ep == y->ep && x->pp == y->pp && x->batch == y->batch &&
           x->sm_comm == y->sm_comm && x->dtype == y->dtype && x->kv_dtype == y->kv_dtype &&
           x->replicas_per_gpu == y->replicas_per_gpu && x->chunk_tokens == y->chunk_tokens;
}

/* A disaggregated unit is the same but for its clocks when both pools are and its counts are
 * (its distance in clock: the larger of the two pools'). */
static int same_but_clock(const rec_candidate *a, const rec_candidate *b)
{
    if (a->model != b->model || a->sku != b->sku || a->disagg != b->disagg ||
        !same_point_but_clock(&a->row.p, &b->row.p))
        return 0;
    return !a->disagg || (same_point_but_clock(&a->pre, &b->pre) &&
                          a->n_prefill == b->n_prefill && a->n_decode == b->n_decode);
}

static double clock_distance(const rec_candidate *a, const rec_candidate *b)
{
    double d = fabs(a->row.p.freq_mhz - b->row.p.freq_mhz);
    return a->disagg ? fmax(d, fabs(a->pre.freq_mhz - b->pre.freq_mhz)) : d;
}

typedef struct {
    double e, f; /* energy per request at full load, clock */
    size_t i;
} band_key;

static int by_energy(const void *a, const void *b)
{
    const band_key *x = a, *y = b;
    if (x->e != y->e)
        return x->e < y->e ? -1 : 1;
    if (x->f != y->f)
        return x->f > y->f ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static size_t band_clocks(rec_candidate *c, size_t n, double band)
{
    if (band <= 0 || n == 0)
        return n;
    band_key *order = malloc(n * sizeof *order);
    size_t *kept = malloc(n * sizeof *kept);
    char *keep = calloc(n, 1);
    if (!order || !kept || !keep) {
        free(order); free(kept); free(keep);
        return n; /* every clock kept: the same program, only larger */
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (band_key){c[i].p_busy / c[i].cap_rps, c[i].row.p.freq_mhz, i};
    qsort(order, n, sizeof *order, by_energy);
    size_t nk = 0;
    for (size_t o = 0; o < n; o++) {
        size_t j = order[o].i;
        int near = 0;
        for (size_t k = 0; k < nk && !near; k++)
            near = same_but_clock(&c[kept[k]], &c[j]) && clock_distance(&c[kept[k]], &c[j]) < band;
        if (!near) {
            kept[nk++] = j;
            keep[j] = 1;
        }
    }
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        if (keep[j])
            c[k++] = c[j];
    free(order);
    free(kept);
    free(keep);
    return k;
}

int rec_candidates(const llm_model *models, const llm_gpu *gpus, const double *price,
                   const llm_workload *w, const llm_space_spec *base,
                   const search_inputs *serving, rec_problem *prob, rec_candidate **cand,
                   llm_err *err)
{
    llm_space_spec none;
    memset(&none, 0, sizeof none);
    size_t n = 0, cap = 0;
    *cand = NULL;
    for (int i = 0; i < prob->nmodels; i++)
        for (int k = 0; k < prob->nskus; k++) {
            llm_space_spec spec = base ? *base : none;
            double one = 1;
            spec.given[KNOB_REPLICAS] = 1;
            spec.n[KNOB_REPLICAS] = 1;
            spec.values[KNOB_REPLICAS] = &one;
            space_t sp;
            if (space_build(&spec, &models[i], &gpus[k], &sp, err)) {
                free(*cand);
                *cand = NULL;
                return -1;
            }
            sp.slo_filter = 1;
            search_inputs in = {&models[i], &gpus[k], &w[i], &sp, NULL, 0, 0, NULL, 0};
            if (serving) {
                in.serving = serving->serving;
                in.chunk_tokens = serving->chunk_tokens;
                in.kv_paged = serving->kv_paged;
                in.bands = serving->bands;
            }
            /* eq. R12: the SLOs the explore filters by, tightened to hold at the confidence */
            conf_scale cs = confidence_scale(&in, rec_confidence(prob, serving));
            llm_workload wc = w[i];
            wc.ttft_slo_s *= cs.slo_ttft;
            wc.tpot_slo_s *= cs.slo_tpot;
            in.w = &wc;
            int rc = pair_candidates(&in, i, k, price[k], cs, cand, &n, &cap, err);
            if (!rc && prob->disaggregated)
                rc = pair_disagg_candidates(&in, i, k, price[k], cs, prob->power_cap > 0, cand,
                                            &n, &cap, err);
            space_free(&sp);
            if (rc) {
                free(*cand);
                *cand = NULL;
                return -1;
            }
        }
    double band = prob->clock_band_mhz == 0 ? REC_CLOCK_BAND_DEFAULT : prob->clock_band_mhz;
    prob->c = *cand;
    prob->n = band_clocks(*cand, n, band);
    return 0;
}

void rec_pool_metrics(const llm_model *m, const llm_gpu *g, const llm_workload *w,
                      const search_inputs *serving, const rec_candidate *c,
                      double rate_per_replica, cost_metrics *out)
{
    search_inputs in = {m, g, w, NULL, NULL, 0, 0, NULL, 0};
    if (serving) {
        in.serving = serving->serving;
        in.chunk_tokens = serving->chunk_tokens;
        in.kv_paged = serving->kv_paged;
    }
    if (c->disagg) {
        /* eq. R8 for a unit: its prefill pool's queue at the unit's load (eq. 75) */
        cost_disagg d;
        cost_disagg_eval(&c->pf, &c->dc, c->n_prefill, c->n_decode, &c->xfer,
                         lround(w->output_mean), rate_per_replica, &d);
        search_disagg_metrics(&d, out);
        return;
    }
    cost_config cc;
    search_config(&in, &c->row.p, &cc);
    cc.rate_rps = rate_per_replica;                                          /* eq. R8 */
    cost_plan plan;
    cost_plan_build(m, g, &cc, &plan);
    search_point_eval(&in, &plan, &c->row.p, out);
}

/* The time left of the limit started at t0 (eq. R7): what a later solve may use. */
static double left_s(const rec_problem *p, double t0)
{
    double limit = p->time_limit_s > 0 ? p->time_limit_s : 60;
    return fmax(1e-3, limit - (rec_clock_s() - t0));
}

/* The primary objective of a plan (R3). */
static double primary(const rec_problem *p, const rec_solution *s)
{
    return p->objective == REC_GPUS ? s->gpus : p->objective == REC_COST ? s->cost_per_hour
                                                                         : s->energy_w;
}

static int has_plan(const rec_solution *s)
{
    return s->status == REC_OPTIMAL || s->status == REC_FEASIBLE;
}

/* a is better than b under p's objective, energy breaking ties (R3b). */
static int better(const rec_problem *p, const rec_solution *a, const rec_solution *b)
{
    double pa = primary(p, a), pb = primary(p, b), tol = 1e-9 * fmax(fabs(pb), 1);
    if (pa < pb - tol)
        return 1;
    return pa <= pb + tol && a->energy_w < b->energy_w - 1e-9 * fmax(b->energy_w, 1);
}

/* The best plan from the candidates keep() accepts (x: its argument), mapped back to the
 * problem's indices (the others 0). */
static int solve_subset(const rec_problem *prob, int (*keep)(const rec_candidate *, size_t,
                                                            size_t), size_t x, rec_solution *s,
                        llm_err *err)
{
    rec_candidate *c = malloc(sizeof *c * (prob->n ? prob->n : 1));
    if (!c) {
        llm_err_set(err, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < prob->n; i++)
        if (keep(&prob->c[i], i, x))
            c[k++] = prob->c[i];
    rec_problem q = *prob;
    q.c = c;
    q.n = k;
    rec_solution t;
    int rc = rec_solve(&q, &t, err);
    free(c);
    if (rc)
        return -1;
    *s = t;
    s->n = calloc(prob->n ? prob->n : 1, sizeof *s->n);
    s->y = calloc(prob->n ? prob->n : 1, sizeof *s->y);
    if (!s->n || !s->y) {
        rec_solution_free(&t);
        rec_solution_free(s);
        llm_err_set(err, "out of memory");
        return -1;
    }
    for (size_t i = 0, j = 0; i < prob->n; i++)
        if (keep(&prob->c[i], i, x)) {
            s->n[i] = t.n[j];
            s->y[i] = t.y[j++];
        }
    rec_solution_free(&t);
    return 0;
}

static int not_x(const rec_candidate *c, size_t i, size_t x)
{
    (void)c;
    return i != x;
}

static int mode_is(const rec_candidate *c, size_t i, size_t mode)
{
    (void)i;
    return (size_t)c->disagg == mode;
}

static int same_plan(const rec_problem *p, const rec_solution *a, const rec_solution *b)
{
    if (!has_plan(a) || !has_plan(b))
        return 0;
    for (size_t i = 0; i < p->n; i++)
        if (fabs(a->n[i] - b->n[i]) > 0.5)
            return 0;
    return 1;
}

/* The runner-ups: the best plan under each other objective, on each SKU alone, and without
 * the configuration of the plan's largest pool (what the next best choice costs). */
static int runners(const rec_problem *prob, const llm_gpu *gpus, const double *price,
                   double t0, rec_plan *pl, llm_err *err)
{
    int ng = prob->nskus;
    for (int o = 0; o < 3 && pl->n_runners < REC_MAX_RUNNERS; o++) {
        int priced = 1;
        for (int k = 0; k < ng; k++)
            priced &= price[k] > 0;
        if (o == (int)prob->objective || (o == REC_COST && !priced))
            continue;
        rec_problem q = *prob;
        q.objective = (rec_objective)o;
        q.time_limit_s = left_s(prob, t0);
        if (rec_solve(&q, &pl->runner[pl->n_runners], err))
            return -1;
        snprintf(pl->runner_label[pl->n_runners], sizeof pl->runner_label[0], "least %s",
                 rec_objective_names[o]);
        pl->n_runners++;
    }
    for (int k = 0; ng > 1 && k < ng && pl->n_runners < REC_MAX_RUNNERS; k++) {
        rec_problem q = *prob;
        q.time_limit_s = left_s(prob, t0);
        for (int j = 0; j < ng; j++)
            if (j != k)
                q.count[j] = 0;
        if (rec_solve(&q, &pl->runner[pl->n_runners], err))
            return -1;
        snprintf(pl->runner_label[pl->n_runners], sizeof pl->runner_label[0], "%.60s only",
                 gpus[k].name);
        pl->n_runners++;
    }
    /* eq. R13: what each mode alone gives, so the plan's choice of mode can be read */
    for (size_t mode = 0; prob->disaggregated && mode < 2 && pl->n_runners < REC_MAX_RUNNERS;
         mode++) {
        rec_problem q = *prob;
        q.time_limit_s = left_s(prob, t0);
        if (solve_subset(&q, mode_is, mode, &pl->runner[pl->n_runners], err))
            return -1;
        snprintf(pl->runner_label[pl->n_runners], sizeof pl->runner_label[0], "%s",
                 mode ? "disaggregated pools only" : "aggregated pools only");
        pl->n_runners++;
    }
    size_t big = prob->n;
    for (size_t i = 0; i < prob->n; i++)
        if (pl->best.n[i] > 0.5 &&
            (big == prob->n || pl->best.n[i] * prob->c[i].gpus > pl->best.n[big] * prob->c[big].gpus))
            big = i;
    if (big < prob->n && pl->n_runners < REC_MAX_RUNNERS) {
        rec_problem q = *prob;
        q.time_limit_s = left_s(prob, t0);
        if (solve_subset(&q, not_x, big, &pl->runner[pl->n_runners], err))
            return -1;
        const space_point *x = &prob->c[big].row.p;
        char pp[24] = "";
        if (x->pp > 1)
            snprintf(pp, sizeof pp, ", pp %d", x->pp);
        const rec_candidate *bc = &prob->c[big];
        if (bc->disagg)
            snprintf(pl->runner_label[pl->n_runners], sizeof pl->runner_label[0],
                     "without the largest pool's configuration (disaggregated: prefill %d x "
                     "tp %d batch %d, decode %d x tp %d batch %d, on %.24s)", bc->n_prefill,
                     bc->pre.tp, bc->pre.batch, bc->n_decode, x->tp, x->batch,
                     gpus[bc->sku].name);
        else
            snprintf(pl->runner_label[pl->n_runners], sizeof pl->runner_label[0],
                     "without the largest pool's configuration (tp %d, ep %d%s, batch %d, "
                     "%.0f MHz on %.24s)", x->tp, x->ep, pp, x->batch, x->freq_mhz,
                     gpus[bc->sku].name);
        pl->without = pl->n_runners;
        pl->n_runners++;
    }
    return 0;
}

/* Every runner-up is a plan of the same program (a tighter one, or another objective): when
 * GLPK stopped early, one may beat the plan found; it becomes the plan, still labelled not
 * proven optimal, its gap taken against the best plan's bound (eq. R7). */
static void adopt_better(const rec_problem *prob, rec_plan *pl)
{
    for (int i = 0; i < pl->n_runners; i++) {
        rec_solution *r = &pl->runner[i];
        if (!has_plan(r) || !better(prob, r, &pl->best))
            continue;
        double old = primary(prob, &pl->best), gap = pl->best.gap;
        double bound = gap >= 0 ? old - gap * fabs(old) : -INFINITY; /* R7 turned round */
        rec_solution t = pl->best;
        pl->best = *r;
        *r = t;
        pl->best.status = REC_FEASIBLE;
        double now = primary(prob, &pl->best);
        pl->best.gap = rec_gap(now, bound);
        snprintf(pl->best.message, sizeof pl->best.message,
                 "GLPK stopped early; the runner-up \"%.60s\" was better and is the plan",
                 pl->runner_label[i]);
    }
    for (int i = 0; i < pl->n_runners; i++)
        pl->runner_same[i] = same_plan(prob, &pl->runner[i], &pl->best);
}

int rec_plan_solve(const rec_problem *prob, const llm_gpu *gpus, const double *price,
                   rec_plan *pl, llm_err *err)
{
    memset(pl, 0, sizeof *pl);
    pl->without = -1;
    double t0 = rec_clock_s();
    if (rec_solve(prob, &pl->best, err))
        goto fail;
    if (pl->best.status == REC_ERROR) {
        llm_err_fail(err, "%s", pl->best.message);
        return -1;
    }
    pl->infeasible = pl->best.status == REC_INFEASIBLE;
    if (pl->infeasible ? rec_diagnose(prob, &pl->diag, err)
                       : runners(prob, gpus, price, t0, pl, err))
        goto fail;
    if (!pl->infeasible)
        adopt_better(prob, pl);
    return 0;
fail:
    err->status = LLM_ERR_RUNTIME;
    return -1;
}

int rec_recommend(const llm_model *models, const llm_gpu *gpus, const double *price,
                  const llm_workload *w, const llm_space_spec *base,
                  const search_inputs *serving, rec_problem *prob, rec_candidate **cand,
                  rec_plan *pl, llm_err *err)
{
    memset(pl, 0, sizeof *pl);
    if (rec_candidates(models, gpus, price, w, base, serving, prob, cand, err) ||
        rec_plan_solve(prob, gpus, price, pl, err))
        return -1;
    double P = rec_confidence(prob, serving);
    if (!(P > 0))
        return 0;
    /* the same request on the point estimates: its own candidates, the best plan only */
    rec_problem pp = *prob;
    pp.confidence = -1;
    rec_candidate *pc = NULL;
    int rc = rec_candidates(models, gpus, price, w, base, serving, &pp, &pc, err);
    if (!rc && !(rc = rec_solve(&pp, &pl->point, err))) {
        pl->has_point = 1;
        pl->confidence = P;
        free(pl->point.n);
        free(pl->point.y);
        pl->point.n = pl->point.y = NULL;
    }
    free(pc);
    if (rc)
        err->status = LLM_ERR_RUNTIME;
    return rc;
}

void rec_plan_free(rec_plan *pl)
{
    rec_solution_free(&pl->best);
    for (int i = 0; i < pl->n_runners; i++)
        rec_solution_free(&pl->runner[i]);
}

int rec_sensitivity(const llm_model *models, const llm_gpu *gpus, const double *price,
                    const llm_workload *w, const llm_space_spec *base,
                    const search_inputs *serving, const rec_problem *prob, double t0,
                    void (*progress)(const char *label), rec_sens_case out[REC_SENS_CASES],
                    llm_err *err)
{
    static const struct { const char *label; double rate, ttft, tpot; } cs[REC_SENS_CASES] = {
        {"rate x0.8", 0.8, 1, 1},          {"rate x1.25", 1.25, 1, 1},
        {"TTFT SLO x1.2 (looser)", 1, 1.2, 1}, {"TTFT SLO x0.8 (tighter)", 1, 0.8, 1},
        {"TPOT SLO x1.2 (looser)", 1, 1, 1.2}, {"TPOT SLO x0.8 (tighter)", 1, 1, 0.8}};
    memset(out, 0, sizeof(rec_sens_case) * REC_SENS_CASES);
    for (int k = 0; k < REC_SENS_CASES; k++) {
        snprintf(out[k].label, sizeof out[k].label, "%s", cs[k].label);
        if (progress)
            progress(cs[k].label);
        rec_problem q = *prob;
        q.time_limit_s = left_s(prob, t0);
        rec_candidate *cand = NULL;
        if (cs[k].rate != 1) {
            for (int m = 0; m < q.nmodels; m++)
                q.rate[m] *= cs[k].rate;
        } else {
            llm_workload wk[REC_MAX_MODELS];
            for (int m = 0; m < q.nmodels; m++) {
                wk[m] = w[m];
                wk[m].ttft_slo_s *= cs[k].ttft;
                wk[m].tpot_slo_s *= cs[k].tpot;
            }
            if (rec_candidates(models, gpus, price, wk, base, serving, &q, &cand, err))
                return -1;
        }
        out[k].candidates = q.n;
        int rc = q.n ? rec_solve(&q, &out[k].s, err) : 0;
        if (!q.n)
            out[k].s.status = REC_INFEASIBLE;
        if (rc) {
            free(cand);
            return -1;
        }
        out[k].cost_known = 1;
        for (size_t i = 0; out[k].s.n && i < q.n; i++)
            if (out[k].s.n[i] > 0.5 && !(q.c[i].cost_per_hour > 0))
                out[k].cost_known = 0;
        free(cand);
        rec_solution_free(&out[k].s);
    }
    return 0;
}
