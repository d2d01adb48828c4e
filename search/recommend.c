/* search/recommend.c — the deployment decision as an integer program (GLPK, glp_intopt), on
 * the calling thread only: how many replicas of each candidate configuration to run so that
 * capacity covers the request rate of every model, GPUs per SKU stay within their counts,
 * the fleet's peak power within the cap, and energy (or GPUs, or cost) is least.
 * docs/recommend.md gives the program and what each term means. */
#include "search.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const rec_objective_names[] = {"energy", "gpus", "cost", NULL};

double rec_headroom(const rec_problem *p)
{
    return p->headroom > 0 ? p->headroom : REC_HEADROOM_DEFAULT;
}

double rec_clock_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void rec_candidate_from_row(const search_row *row, const llm_gpu *g, double output_tokens,
                            int model, int sku, double price_per_gpu_hour, rec_candidate *c)
{
    memset(c, 0, sizeof *c);
    c->model = model;
    c->sku = sku;
    c->row = *row;
    const cost_metrics *m = &row->m;
    double per_replica = m->gpus / (double)row->p.replicas;
    c->gpus = per_replica;
    c->cap_rps = m->throughput_tok_s / row->p.replicas / output_tokens;       /* eq. R1 */
    c->p_busy = m->avg_power_w * per_replica;
    c->p_idle = g->idle_w * per_replica;
    c->p_peak = m->peak_power_w * per_replica;
    c->cost_per_hour = price_per_gpu_hour * per_replica;
}

/* Objective coefficient of a replica (n) and of a unit of load (y), eq. R3. */
static void coefficients(const rec_problem *p, const rec_candidate *c, double *cn, double *cy)
{
    /* energy: idle power of every replica, plus the extra power of serving load */
    double marginal = c->cap_rps > 0 ? (c->p_busy - c->p_idle) / c->cap_rps : 0;
    *cn = *cy = 0;
    switch (p->objective) {
    case REC_ENERGY:
        *cn = c->p_idle;
        *cy = marginal;
        break;
    case REC_GPUS:
        *cn = c->gpus;
        break;
    case REC_COST:
        *cn = c->cost_per_hour;
        break;
    }
}

/* eq. R6: for fixed replica counts the least-energy loads fill each model's rate from the
 * smallest marginal power per request up: the exact optimum of the program's continuous part.
 * Used instead of GLPK's y, which carries its integrality tolerance. Returns 0 when the
 * capacity does not cover a rate. */
static int assign_loads(const rec_problem *p, const double *n, double *y)
{
    for (size_t i = 0; i < p->n; i++)
        y[i] = 0;
    for (int m = 0; m < p->nmodels; m++) {
        double left = p->rate[m];
        while (left > 1e-12 * p->rate[m]) {
            size_t best = p->n;
            double bm = INFINITY;
            for (size_t i = 0; i < p->n; i++) {
                const rec_candidate *c = &p->c[i];
                double mg = c->cap_rps > 0 ? (c->p_busy - c->p_idle) / c->cap_rps : 0;
                if (c->model == m && n[i] > 0 && y[i] == 0 && mg < bm) {
                    bm = mg;
                    best = i;
                }
            }
            if (best == p->n)
                return 0;
            y[best] = fmin(left, n[best] * rec_headroom(p) * p->c[best].cap_rps);
            left -= y[best];
        }
    }
    return 1;
}

/* eq. R6b: replicas beyond what their loads need (a plan GLPK stopped on early can carry a
 * pool at 0 req/s) are dropped, and the loads assigned again: every constraint still holds,
 * and GPUs, idle power, cost and peak only fall. An optimal plan has none to drop. */
static void trim_idle(const rec_problem *p, double *n, double *y)
{
    double *n0 = malloc(p->n * sizeof *n0), *y0 = malloc(p->n * sizeof *y0);
    if (!n0 || !y0) {   /* the plan as it is: still valid, only not trimmed */
        free(n0);
        free(y0);
        return;
    }
    memcpy(n0, n, p->n * sizeof *n0);
    memcpy(y0, y, p->n * sizeof *y0);
    int changed = 0;
    for (size_t i = 0; i < p->n; i++) {
        double cap = rec_headroom(p) * p->c[i].cap_rps;
        double need = cap > 0 ? ceil(y[i] / cap - 1e-9) : n[i];
        if (n[i] > need) {
            n[i] = need;
            changed = 1;
        }
    }
    /* each pool keeps the capacity of its load, so the loads fit again; if rounding said
     * otherwise the untrimmed plan stands */
    if (changed && !assign_loads(p, n, y)) {
        memcpy(n, n0, p->n * sizeof *n0);
        memcpy(y, y0, p->n * sizeof *y0);
    }
    free(n0);
    free(y0);
}

static void fill_solution(const rec_problem *p, const double *n, const double *y,
                          rec_solution *s)
{
    s->energy_w = s->gpus = s->cost_per_hour = s->peak_w = 0;
    memset(s->gpus_by_sku, 0, sizeof s->gpus_by_sku);
    memset(s->served, 0, sizeof s->served);
    for (size_t i = 0; i < p->n; i++) {
        const rec_candidate *c = &p->c[i];
        s->n[i] = n[i];
        s->y[i] = y[i];
        double marginal = c->cap_rps > 0 ? (c->p_busy - c->p_idle) / c->cap_rps : 0;
        s->energy_w += n[i] * c->p_idle + y[i] * marginal;
        s->gpus += n[i] * c->gpus;
        s->gpus_by_sku[c->sku] += n[i] * c->gpus;
        s->cost_per_hour += n[i] * c->cost_per_hour;
        s->peak_w += n[i] * c->p_peak;
        s->served[c->model] += y[i];
    }
}

/* Binding constraints: no slack left (within a small tolerance). */
static void binding(const rec_problem *p, rec_solution *s)
{
    for (int k = 0; k < p->nskus; k++)
        s->binding_sku[k] = p->count[k] - s->gpus_by_sku[k] < 0.5 &&
                            s->gpus_by_sku[k] > 0;
    s->binding_power = p->power_cap > 0 && p->power_cap - s->peak_w < 1e-6 * p->power_cap + 1;
    /* capacity always binds at the optimum of energy; report the headroom instead */
}

/* eq. R5: candidate j is dropped when another candidate i of the same model and SKU needs no
 * more GPUs per replica (so no more cost), serves at least as much, at no more power for any
 * load up to j's planned capacity (the power is linear in the load: checking both ends
 * suffices) and no more peak power: every replica of j can be replaced by one of i, carrying
 * its load, with no objective and no constraint worse. Ties keep the lower index. The
 * program's optimum is unchanged; branch and bound has less to do. */
static int dominated(const rec_candidate *a, size_t ia, const rec_candidate *b, size_t ib,
                     double headroom)
{
    if (a->model != b->model || a->sku != b->sku || a->gpus > b->gpus ||
        a->cost_per_hour > b->cost_per_hour)
        return 0;
    double ma = a->cap_rps > 0 ? (a->p_busy - a->p_idle) / a->cap_rps : 0;
    double mb = b->cap_rps > 0 ? (b->p_busy - b->p_idle) / b->cap_rps : 0;
    double at_cap = a->p_idle + ma * headroom * b->cap_rps;
    double b_cap = b->p_idle + mb * headroom * b->cap_rps;
    int le = a->cap_rps >= b->cap_rps && a->p_idle <= b->p_idle && at_cap <= b_cap &&
             a->p_peak <= b->p_peak;
    int eq = a->cap_rps == b->cap_rps && a->p_idle == b->p_idle && at_cap == b_cap &&
             a->p_peak == b->p_peak && a->gpus == b->gpus &&
             a->cost_per_hour == b->cost_per_hour;
    return le && (!eq || ia < ib);
}

/* eq. R5b: no plan needs more replicas of c than the model's rate alone would fill
 * (ceil(rate / (F cap_c)); one fewer would still carry all of c's load, at no more of any
 * objective), nor more than fit the SKU's GPUs or the power cap. */
static double upper_bound(const rec_problem *p, const rec_candidate *c)
{
    double ub = ceil(p->rate[c->model] / (rec_headroom(p) * c->cap_rps) + 1e-9);
    if (c->gpus > 0)
        ub = fmin(ub, floor(p->count[c->sku] / c->gpus + 1e-9));
    if (p->power_cap > 0 && c->p_peak > 0)
        ub = fmin(ub, floor(p->power_cap / c->p_peak + 1e-9));
    return fmax(ub, 0);
}

/* Builds and solves the program over the kept candidates; returns glp_intopt's code and the
 * MIP status through *st. With `bound` >= 0 (lexicographic second stage), adds
 * sum primary <= bound and minimises energy. */
typedef struct {
    const rec_problem *p;
    const size_t *keep;
    int nk;
} program;

static glp_prob *build(const program *g, rec_objective obj, double bound, rec_objective bound_obj,
                       llm_err *err)
{
    const rec_problem *p = g->p;
    int nc = g->nk;
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    rec_problem q = *p;
    q.objective = obj;
    /* columns 1..nc: n_c (integer replicas); nc+1..2nc: y_c (load, requests/s) */
    glp_add_cols(lp, 2 * nc);
    for (int i = 0; i < nc; i++) {
        double cn, cy;
        coefficients(&q, &p->c[g->keep[i]], &cn, &cy);
        glp_set_col_kind(lp, i + 1, GLP_IV);
        double ub = upper_bound(p, &p->c[g->keep[i]]);                     /* eq. R5b */
        glp_set_col_bnds(lp, i + 1, ub > 0 ? GLP_DB : GLP_FX, 0, ub);
        glp_set_obj_coef(lp, i + 1, cn);
        glp_set_col_bnds(lp, nc + i + 1, GLP_LO, 0, 0);
        glp_set_obj_coef(lp, nc + i + 1, cy);
    }
    int rows = nc + p->nmodels + p->nskus + (p->power_cap > 0) + (bound >= 0);
    glp_add_rows(lp, rows);
    int nz = 6 * nc + 2;
    int *ia = malloc(sizeof(int) * (size_t)(nz + 1));
    int *ja = malloc(sizeof(int) * (size_t)(nz + 1));
    double *ar = malloc(sizeof(double) * (size_t)(nz + 1));
    if (!ia || !ja || !ar) {
        free(ia); free(ja); free(ar);
        glp_delete_prob(lp);
        llm_err_set(err, "out of memory");
        return NULL;
    }
    int k = 0, r = 0;
    for (int i = 0; i < nc; i++) {                                          /* eq. R2a */
        r++;
        glp_set_row_bnds(lp, r, GLP_UP, 0, 0);
        ++k; ia[k] = r; ja[k] = nc + i + 1; ar[k] = 1;
        /* y_c <= rate n_c too: no candidate carries more than its model's rate (R2b holds
         * with equality at an optimum), so one replica that could serve it all is paid in
         * full by the relaxation, not in part: the bound branch and bound prunes by */
        const rec_candidate *c = &p->c[g->keep[i]];
        ++k; ia[k] = r; ja[k] = i + 1;
        ar[k] = -fmin(rec_headroom(p) * c->cap_rps, p->rate[c->model]);
    }
    for (int mdl = 0; mdl < p->nmodels; mdl++) {                            /* eq. R2b */
        r++;
        glp_set_row_bnds(lp, r, GLP_FX, p->rate[mdl], p->rate[mdl]);
        for (int i = 0; i < nc; i++)
            if (p->c[g->keep[i]].model == mdl) {
                ++k; ia[k] = r; ja[k] = nc + i + 1; ar[k] = 1;
            }
    }
    for (int sk = 0; sk < p->nskus; sk++) {                                 /* eq. R2c */
        r++;
        glp_set_row_bnds(lp, r, GLP_UP, 0, p->count[sk]);
        for (int i = 0; i < nc; i++)
            if (p->c[g->keep[i]].sku == sk) {
                ++k; ia[k] = r; ja[k] = i + 1; ar[k] = p->c[g->keep[i]].gpus;
            }
    }
    if (p->power_cap > 0) {                                                 /* eq. R2d */
        r++;
        glp_set_row_bnds(lp, r, GLP_UP, 0, p->power_cap);
        for (int i = 0; i < nc; i++) {
            ++k; ia[k] = r; ja[k] = i + 1; ar[k] = p->c[g->keep[i]].p_peak;
        }
    }
    if (bound >= 0) {                                                       /* eq. R3b */
        r++;
        glp_set_row_bnds(lp, r, GLP_UP, 0, bound);
        for (int i = 0; i < nc; i++) {
            const rec_candidate *c = &p->c[g->keep[i]];
            ++k; ia[k] = r; ja[k] = i + 1;
            ar[k] = bound_obj == REC_GPUS ? c->gpus : c->cost_per_hour;
        }
    }
    glp_load_matrix(lp, k, ia, ja, ar);
    free(ia); free(ja); free(ar);
    return lp;
}

/* The best bound of the search tree, kept up to date by glp_intopt's callback: after an early
 * stop the tree is gone, and the relative gap (eq. R7) is taken against the last bound seen. */
static void track_bound(glp_tree *t, void *info)
{
    double *bound = info;
    int best = glp_ios_best_node(t);
    if (best)
        *bound = fmax(*bound, glp_ios_node_bound(t, best));
}

static int run(glp_prob *lp, double time_limit_s, int *st, double *bound)
{
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;   /* glp_intopt solves the LP relaxation itself */
    parm.msg_lev = GLP_MSG_OFF;
    parm.gmi_cuts = GLP_ON;
    parm.mir_cuts = GLP_ON;
    parm.fp_heur = GLP_ON;
    parm.mip_gap = 1e-6;      /* relative: far below any difference a plan could report */
    parm.tm_lim = (int)fmax(1, time_limit_s * 1000);
    /* pseudocost branching: on the two-SKU case the least-GPU plan's least-energy
     * stage takes 0.7 s instead of 8.7 s with GLPK's default (Driebeck-Tomlin) */
    parm.br_tech = GLP_BR_PCH;
    parm.cb_func = track_bound;
    parm.cb_info = bound;
    *bound = -INFINITY;
    int rc = glp_intopt(lp, &parm);
    *st = glp_mip_status(lp);
    return rc;
}

double rec_gap(double obj, double bound)
{
    if (!isfinite(bound))
        return -1;
    double d = obj - bound;
    return d <= 0 ? 0 : d / fmax(fabs(obj), 1e-12);
}

/* Every return code of glp_intopt, with the status it leaves (glpk.h). */
static rec_status classify_rc(int rc, int st, char *msg, size_t len)
{
    switch (rc) {
    case 0:
        return st == GLP_OPT ? REC_OPTIMAL : st == GLP_FEAS ? REC_FEASIBLE
             : st == GLP_NOFEAS ? REC_INFEASIBLE : REC_ERROR;
    case GLP_ENOPFS: /* the LP relaxation has no feasible point: neither has the program */
        return REC_INFEASIBLE;
    case GLP_EMIPGAP: /* within the relative gap of the bound: optimal for our purposes */
        return st == GLP_FEAS || st == GLP_OPT ? REC_OPTIMAL : REC_ERROR;
    case GLP_ETMLIM: case GLP_ESTOP:
        snprintf(msg, len, "GLPK stopped early (%s): %s",
                 rc == GLP_ETMLIM ? "time limit" : "stopped",
                 st == GLP_FEAS ? "the best plan found is not proven optimal" : "no plan found");
        return st == GLP_FEAS || st == GLP_OPT ? REC_FEASIBLE : REC_ERROR;
    case GLP_ENODFS:
        snprintf(msg, len, "GLPK: the relaxation is unbounded");
        return REC_ERROR; /* cannot happen with non-negative costs */
    default: /* GLP_EBOUND, GLP_EROOT, GLP_EFAIL and any other code */
        snprintf(msg, len, "GLPK glp_intopt failed with code %d", rc);
        return REC_ERROR;
    }
}

int rec_solve(const rec_problem *p, rec_solution *s, llm_err *err)
{
    memset(s, 0, sizeof *s);
    s->n = calloc(p->n ? p->n : 1, sizeof *s->n);
    s->y = calloc(p->n ? p->n : 1, sizeof *s->y);
    size_t *keep = malloc(sizeof *keep * (p->n ? p->n : 1));
    if (!s->n || !s->y || !keep) {
        free(keep);
        llm_err_set(err, "out of memory");
        rec_solution_free(s);
        return -1;
    }
    program g = {p, keep, 0};
    for (size_t j = 0; j < p->n; j++) {
        int drop = 0;
        for (size_t i = 0; i < p->n && !drop; i++)
            drop = i != j && dominated(&p->c[i], i, &p->c[j], j, rec_headroom(p));
        if (!drop && upper_bound(p, &p->c[j]) >= 1)
            keep[g.nk++] = j;
    }
    if (g.nk == 0) {
        free(keep);
        s->status = REC_INFEASIBLE;
        snprintf(s->message, sizeof s->message, "no candidate configuration");
        return 0;
    }
    glp_term_out(GLP_OFF);
    glp_prob *lp = build(&g, p->objective, -1, p->objective, err);
    if (!lp) {
        free(keep);
        rec_solution_free(s);
        return -1;
    }
    double limit = p->time_limit_s > 0 ? p->time_limit_s : 60, t0 = rec_clock_s(), bound;
    int st, rc = run(lp, limit, &st, &bound);
    s->status = classify_rc(rc, st, s->message, sizeof s->message);
    int found = s->status == REC_OPTIMAL || s->status == REC_FEASIBLE;
    double *n = calloc(p->n, sizeof(double)), *y = calloc(p->n, sizeof(double));
    if (!n || !y) {
        free(n); free(y); free(keep);
        glp_delete_prob(lp);
        llm_err_set(err, "out of memory");
        rec_solution_free(s);
        return -1;
    }
    if (found) {
        s->gap = s->status == REC_FEASIBLE ? rec_gap(glp_mip_obj_val(lp), bound) : 0;
        for (int i = 0; i < g.nk; i++)
            n[keep[i]] = round(glp_mip_col_val(lp, i + 1));
    }
    if (p->objective != REC_ENERGY && found) {
        /* eq. R3b: least GPUs (or cost) first, then the least energy among those plans */
        double best = glp_mip_obj_val(lp);
        glp_delete_prob(lp);
        lp = build(&g, REC_ENERGY, best * (1 + 1e-9) + 1e-9, p->objective, err);
        if (!lp) {
            free(n); free(y); free(keep);
            rec_solution_free(s);
            return -1;
        }
        char msg2[sizeof s->message] = "";
        rc = run(lp, fmax(1e-3, limit - (rec_clock_s() - t0)), &st, &bound);
        rec_status s2 = classify_rc(rc, st, msg2, sizeof msg2);
        if (s2 == REC_OPTIMAL || s2 == REC_FEASIBLE) {
            for (int i = 0; i < g.nk; i++)
                n[keep[i]] = round(glp_mip_col_val(lp, i + 1));
            if (s2 == REC_FEASIBLE && s->status == REC_OPTIMAL) {
                s->status = REC_FEASIBLE;
                s->gap = rec_gap(glp_mip_obj_val(lp), bound); /* of the energy among ties */
                snprintf(s->message, sizeof s->message, "%.200s (the least-energy stage)", msg2);
            }
        } else if (s->status == REC_OPTIMAL) {
            /* the primary optimum stands; only the energy among its ties is not known */
            s->status = REC_FEASIBLE;
            s->gap = -1;
            snprintf(s->message, sizeof s->message, "GLPK stopped before the least-energy "
                     "stage found a plan: the first optimum is shown, its energy not the least "
                     "proven");
        }
    }
    if (found) {
        if (assign_loads(p, n, y)) {
            trim_idle(p, n, y);
            fill_solution(p, n, y, s);
            binding(p, s);
        } else {
            s->status = REC_ERROR;
            snprintf(s->message, sizeof s->message,
                     "GLPK's plan does not cover the rate once rounded to whole replicas");
        }
    }
    free(n);
    free(y);
    glp_delete_prob(lp);
    free(keep);
    if (s->status == REC_ERROR && !s->message[0])
        snprintf(s->message, sizeof s->message, "GLPK returned no usable solution");
    return 0;
}

void rec_solution_free(rec_solution *s)
{
    free(s->n);
    free(s->y);
    s->n = s->y = NULL;
}

/* Why a problem is infeasible (eq. R4): which constraint family, relaxed alone, makes it
 * feasible, and by how much it would have to move. */
int rec_diagnose(const rec_problem *p, rec_diagnosis *d, llm_err *err)
{
    memset(d, 0, sizeof *d);
    for (int mdl = 0; mdl < p->nmodels; mdl++) {
        int any = 0;
        for (size_t i = 0; i < p->n; i++)
            any |= p->c[i].model == mdl;
        d->no_candidates[mdl] = !any;
        d->any_model_without |= !any;
    }
    if (d->any_model_without)
        return 0; /* nothing meets the SLOs for some model: only looser SLOs help */
    rec_problem q = *p;
    rec_solution s;
    /* GPU counts unlimited: how many GPUs of each SKU would the least-GPU plan need? */
    q.objective = REC_GPUS;
    for (int k = 0; k < q.nskus; k++)
        q.count[k] = 1e9;
    if (rec_solve(&q, &s, err))
        return -1;
    if (s.status == REC_OPTIMAL || s.status == REC_FEASIBLE) {
        d->gpus_relaxed_feasible = 1;
        for (int k = 0; k < p->nskus; k++)
            d->gpus_needed[k] = s.gpus_by_sku[k];
    }
    rec_solution_free(&s);
    /* power cap removed: the least peak power any plan within the GPU counts needs */
    q = *p;
    q.power_cap = 0;
    q.objective = REC_ENERGY;
    if (rec_solve(&q, &s, err))
        return -1;
    if (s.status == REC_OPTIMAL || s.status == REC_FEASIBLE) {
        d->power_relaxed_feasible = 1;
        /* minimise peak power instead: a program of its own */
        rec_problem pp = q;
        rec_candidate *cc = malloc(sizeof *cc * (p->n ? p->n : 1));
        if (!cc) {
            rec_solution_free(&s);
            llm_err_set(err, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < p->n; i++) {
            cc[i] = p->c[i];
            /* energy objective on this copy: idle term = peak power, no load term */
            cc[i].p_idle = cc[i].p_peak;
            cc[i].p_busy = cc[i].p_peak;
        }
        pp.c = cc;
        rec_solution s2;
        if (rec_solve(&pp, &s2, err)) {
            free(cc);
            rec_solution_free(&s);
            return -1;
        }
        d->power_needed = s2.energy_w; /* = the least total peak power */
        rec_solution_free(&s2);
        free(cc);
    }
    rec_solution_free(&s);
    return 0;
}
