/* search/fleet.c — the recommendation's inputs and plans: the candidates of the integer
 * program (each (model, SKU)'s front of one replica, the SLOs enforced, explored in full), the
 * best plan, the runner-ups (the best under each other objective, on each SKU alone) or, when
 * nothing meets the request, the diagnosis. docs/recommend.md. */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends the front of one (model, SKU) pair's space to *cand. */
static int pair_candidates(const search_inputs *in, int i, int k, double price,
                           rec_candidate **cand, size_t *n, size_t *cap, llm_err *err)
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
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 256;
            rec_candidate *nc = realloc(*cand, *cap * sizeof **cand);
            if (!nc) {
                explore_result_free(&r);
                llm_err_fail(err, "out of memory");
                return -1;
            }
            *cand = nc;
        }
        search_row row;
        search_row_eval(&a.in, r.front.pt[j].index, &row);
        rec_candidate_from_row(&row, in->g, lround(in->w->output_mean), i, k, price,
                               &(*cand)[(*n)++]);
    }
    explore_result_free(&r);
    return 0;
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
            search_inputs in = {&models[i], &gpus[k], w, &sp, NULL, 0, 0, NULL};
            if (serving) {
                in.serving = serving->serving;
                in.chunk_tokens = serving->chunk_tokens;
                in.kv_paged = serving->kv_paged;
            }
            int rc = pair_candidates(&in, i, k, price[k], cand, &n, &cap, err);
            space_free(&sp);
            if (rc) {
                free(*cand);
                *cand = NULL;
                return -1;
            }
        }
    prob->c = *cand;
    prob->n = n;
    return 0;
}

/* The runner-ups: the best plan under each other objective, and on each SKU alone. */
static int runners(const rec_problem *prob, const llm_gpu *gpus, const double *price,
                   rec_plan *pl, llm_err *err)
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
        if (rec_solve(&q, &pl->runner[pl->n_runners], err))
            return -1;
        snprintf(pl->runner_label[pl->n_runners], sizeof pl->runner_label[0], "least %s",
                 rec_objective_names[o]);
        pl->n_runners++;
    }
    for (int k = 0; ng > 1 && k < ng && pl->n_runners < REC_MAX_RUNNERS; k++) {
        rec_problem q = *prob;
        q.count[k] = prob->count[k];
        for (int j = 0; j < ng; j++)
            if (j != k)
                q.count[j] = 0;
        if (rec_solve(&q, &pl->runner[pl->n_runners], err))
            return -1;
        snprintf(pl->runner_label[pl->n_runners], sizeof pl->runner_label[0], "%.60s only",
                 gpus[k].name);
        pl->n_runners++;
    }
    return 0;
}

int rec_plan_solve(const rec_problem *prob, const llm_gpu *gpus, const double *price,
                   rec_plan *pl, llm_err *err)
{
    memset(pl, 0, sizeof *pl);
    if (rec_solve(prob, &pl->best, err))
        goto fail;
    if (pl->best.status == REC_ERROR) {
        llm_err_fail(err, "%s", pl->best.message);
        return -1;
    }
    pl->infeasible = pl->best.status == REC_INFEASIBLE;
    if (pl->infeasible ? rec_diagnose(prob, &pl->diag, err) : runners(prob, gpus, price, pl, err))
        goto fail;
    return 0;
fail:
    err->status = LLM_ERR_RUNTIME;
    return -1;
}

void rec_plan_free(rec_plan *pl)
{
    rec_solution_free(&pl->best);
    for (int i = 0; i < pl->n_runners; i++)
        rec_solution_free(&pl->runner[i]);
}
