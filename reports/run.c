/* reports/run.c — an output folder's files as a whole: the four files of explore, search and
 * merge (front.csv, front.json, summary.json and all.csv) from a front of indices; one file
 * written atomically at a path; the recommendation's files; and the inputs of the run an
 * output folder's summary.json records, loaded again (report and merge evaluate rows again). */
#include "reports.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const search_inputs *in;
    const report_summary *sum;
    const search_row *rows;
    size_t n;
    const unsigned char *robust;
    const uint64_t *all;
    size_t n_all;
} run_out;

static int write_front_csv(FILE *f, void *ctx)
{
    const run_out *o = ctx;
    report_front_csv(f, o->in, o->rows, o->n, o->robust);
    return 0;
}

static int write_front_json(FILE *f, void *ctx)
{
    const run_out *o = ctx;
    report_front_json(f, o->sum, o->in, o->rows, o->n, o->robust);
    return 0;
}

static int write_summary(FILE *f, void *ctx)
{
    report_summary_json(f, ((const run_out *)ctx)->sum);
    return 0;
}

static int write_all_csv(FILE *f, void *ctx)
{
    const run_out *o = ctx;
    /* evaluated and written in blocks so memory stays flat */
    search_row rows[256];
    report_front_csv_header(f, o->in, 1);
    for (size_t i = 0; i < o->n_all;) {
        size_t k = 0;
        for (; k < 256 && i < o->n_all; k++, i++)
            search_row_eval(o->in, o->all[i], &rows[k]);
        report_front_csv_rows(f, o->in, rows, k, NULL, 1);
    }
    return 0;
}

int report_write_run(const char *dir, const search_inputs *in, report_summary *sum,
                     const pareto *front, const uint64_t *all, size_t n_all, llm_err *err)
{
    search_row *rows = calloc(front->n ? front->n : 1, sizeof *rows);
    if (!rows) {
        llm_err_fail(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < front->n; i++)
        search_row_eval(in, front->pt[i].index, &rows[i]);
    size_t n = front->n;
    if (sum->min_gain > 0 && n) {
        /* --min-gain F: a point that improves no objective on a kept one by more than F goes */
        unsigned char *keep = calloc(n, 1);
        double h[SEARCH_MAX_OBJ];
        for (int k = 0; k < sum->nobj; k++)
            h[k] = log1p(sum->min_gain);
        if (!keep || search_thin(sum->obj, sum->nobj, h, rows, n, keep) < 0) {
            free(rows);
            free(keep);
            llm_err_fail(err, "out of memory");
            return -1;
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (keep[i])
                rows[m++] = rows[i];
        free(keep);
        sum->front_before_thinning = n;
        n = m;
    }
    sum->front_size = n;
    if (n) {
        sum->has_knee = 1;
        sum->knee_index = rows[search_knee(sum->obj, sum->nobj, rows, n)].index;
    }
    unsigned char *robust = NULL;
    if (in->bands) {
        robust = calloc(n ? n : 1, 1);
        int nr = robust ? search_robust_front(in, sum->obj, sum->nobj, rows, n, robust)
                        : -1;
        if (nr < 0) {
            free(rows);
            free(robust);
            llm_err_fail(err, "out of memory");
            return -1;
        }
        sum->robust_front_size = (uint64_t)nr;
        sum->has_bands = 1;
        sum->regime = llm_band_regime_names[cost_band_regime(in->g, in->serving)];
        for (int k = 0; k < sum->nobj; k++)
            sum->tolerance[k] = search_obj_tolerance(in, sum->obj[k]);
    }
    run_out o = {in, sum, rows, n, robust, all, n_all};
    int rc = report_make_dir(dir, err) ||
             report_write_atomic(dir, "front.csv", write_front_csv, &o, err) ||
             report_write_atomic(dir, "front.json", write_front_json, &o, err) ||
             (all && report_write_atomic(dir, "all.csv", write_all_csv, &o, err)) ||
             report_write_atomic(dir, "summary.json", write_summary, &o, err);
    free(rows);
    free(robust);
    if (rc)
        err->status = LLM_ERR_RUNTIME;
    return rc ? -1 : 0;
}

int report_write_file(const char *out, int (*fn)(FILE *, void *), void *ctx, llm_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out);
    char *slash = strrchr(dir, '/');
    const char *name = out;
    if (slash) {
        *slash = '\0';
        name = slash + 1;
    } else {
        strcpy(dir, ".");
    }
    if (!*name) {
        llm_err_set(err, "-o %s: expected a file name", out);
        return -1;
    }
    return report_write_atomic(slash && !dir[0] ? "/" : dir, name, fn, ctx, err);
}

void report_summary_base(report_summary *sum, const char *model, const char *gpu,
                         const char *workload, const char *space, int nobj,
                         const search_obj *obj, const space_t *s)
{
    memset(sum, 0, sizeof *sum);
    sum->model = model;
    sum->gpu = gpu;
    sum->workload = workload;
    sum->space = space ? space : "default";
    sum->nobj = nobj;
    memcpy(sum->obj, obj, sizeof(search_obj) * (size_t)nobj);
    sum->space_size = s->size;
    sum->end = s->size;
    sum->shard_count = 1;
    sum->slo_filter = s->slo_filter;
}

/* ---- the recommendation's files ----------------------------------------------------------- */

static int write_rec_json(FILE *f, void *ctx)
{
    report_recommend_json(f, ctx);
    return 0;
}

static int write_rec_md(FILE *f, void *ctx)
{
    report_recommend_md(f, ctx);
    return 0;
}

static int write_fleet_md(FILE *f, void *ctx)
{
    report_fleet(f, ctx, 0);
    return 0;
}

static int write_fleet_html(FILE *f, void *ctx)
{
    report_fleet(f, ctx, 1);
    return 0;
}

int report_recommend_out_x(const char *dir, const char *format, const llm_model *models,
                           const llm_gpu *gpus, const llm_workload *w, const rec_problem *prob,
                           const rec_plan *pl, const report_rec_extra *x, llm_err *err)
{
    const char *mn[REC_MAX_MODELS], *gn[REC_MAX_SKUS];
    for (int i = 0; i < prob->nmodels; i++)
        mn[i] = models[i].name;
    for (int k = 0; k < prob->nskus; k++)
        gn[k] = gpus[k].name;
    report_rec rr;
    memset(&rr, 0, sizeof rr);
    rr.models = mn;
    rr.skus = gn;
    rr.w = w;
    rr.p = prob;
    rr.plan = pl;
    rr.x = x;
    rr.best = &pl->best;
    rr.n_runners = pl->n_runners;
    for (int i = 0; i < pl->n_runners; i++) {
        rr.runner_label[i] = pl->runner_label[i];
        rr.runner[i] = &pl->runner[i];
    }
    rr.diag = pl->infeasible ? &pl->diag : NULL;
    if (dir) {
        if (report_prepare_dir(dir, err) || report_make_dir(dir, err))
            return -1;
        if (report_write_atomic(dir, "recommendation.json", write_rec_json, &rr, err) ||
            report_write_atomic(dir, "recommendation.md", write_rec_md, &rr, err) ||
            (x && (report_write_atomic(dir, "fleet.md", write_fleet_md, &rr, err) ||
                   report_write_atomic(dir, "fleet.html", write_fleet_html, &rr, err)))) {
            err->status = LLM_ERR_RUNTIME;
            return -1;
        }
    }
    if (format && !strcmp(format, "json"))
        report_recommend_json(stdout, &rr);
    else if (format)
        report_recommend_md(stdout, &rr);
    return 0;
}

int report_recommend_out(const char *dir, const char *format, const llm_model *models,
                         const llm_gpu *gpus, const llm_workload *w, const rec_problem *prob,
                         const rec_plan *pl, llm_err *err)
{
    return report_recommend_out_x(dir, format, models, gpus, w, prob, pl, NULL, err);
}

/* ---- the inputs a summary.json records ---------------------------------------------------- */

int report_run_load(const llm_summary *sum, const report_given *given, const char *cmd,
                    const char *had, report_run *r, llm_err *err)
{
    memset(r, 0, sizeof *r);
    const char *space = given && given->space ? given->space : NULL;
    const char *sp = space ? space : strcmp(sum->space, "default") ? sum->space : NULL;
    if (given && given->m) {
        r->m = *given->m;
        r->g = *given->g;
        r->w = *given->w;
        llm_space_spec spec;
        if (sp && configs_load_space(sp, &spec, err))
            return -1;
        int rc = space_build(sp ? &spec : NULL, &r->m, &r->g, &r->s, err);
        if (sp)
            configs_free_space(&spec);
        if (rc) {
            llm_err_prefix(err, cmd, LLM_ERR_INPUT);
            return -1;
        }
    } else if (search_load_inputs(given && given->model ? given->model : sum->model,
                                  given && given->gpu ? given->gpu : sum->gpu,
                                  given && given->workload ? given->workload : sum->workload,
                                  sp, &r->m, &r->g, &r->w, &r->s, err)) {
        return -1;
    }
    r->s.slo_filter = sum->slo_filter;
    if (configs_load_bands(NULL, &r->bands, err)) {
        llm_err_prefix(err, cmd, LLM_ERR_INPUT);
        space_free(&r->s);
        return -1;
    }
    if (r->s.size != sum->space_size) {
        llm_err_set(err, "%s: the space now has %llu points, %s %llu: the inputs changed", cmd,
                    (unsigned long long)r->s.size, had, sum->space_size);
        space_free(&r->s);
        return -1;
    }
    r->in = (search_inputs){&r->m, &r->g, &r->w, &r->s, NULL, 0, 0, &r->bands, 0};
    if (sum->has_serving) {
        if (configs_load_serving(sum->serving, &r->prof, err)) {
            llm_err_prefix(err, "--serving", LLM_ERR_INPUT);
            llm_err_prefix(err, cmd, 0);
            space_free(&r->s);
            return -1;
        }
        r->in.serving = &r->prof;
        r->in.chunk_tokens = sum->chunk_tokens;
        r->in.kv_paged = sum->kv_paged;
    }
    return 0;
}

void report_run_free(report_run *r)
{
    space_free(&r->s);
}

int report_front_point(const char *dir, long long n, const char *cmd, report_run *r,
                       search_row *row, cost_config *c, llm_err *err)
{
    char path[4096], why[700];
    int partial = 0;
    if (report_outdir_check(dir, &partial, NULL, 0, why, sizeof why) < 0) {
        llm_err_set(err, "%s: --from: %s", cmd, why);
        return -1;
    }
    llm_summary sum;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (configs_load_summary(path, space_prune_names, &sum, err)) {
        llm_err_prefix(err, cmd, LLM_ERR_INPUT);
        return -1;
    }
    if (report_run_load(&sum, NULL, cmd, "the run had", r, err))
        return -1;
    uint64_t *idx;
    size_t k;
    snprintf(path, sizeof path, "%s/front.csv", dir);
    if (report_read_front_indices(path, &idx, &k, err)) {
        llm_err_prefix(err, cmd, LLM_ERR_INPUT);
        report_run_free(r);
        return -1;
    }
    int rc = -1;
    if (n < 0 || (unsigned long long)n >= k)
        llm_err_set(err, "%s: --index: expected a front row 0..%lld (%s has %zu rows), found "
                    "%lld", cmd, (long long)k - 1, path, k, n);
    else if (idx[n] >= r->s.size)
        llm_err_set(err, "%s: %s: index %llu is outside the space", cmd, path,
                    (unsigned long long)idx[n]);
    else
        rc = 0;
    if (rc == 0) {
        search_row_eval(&r->in, idx[n], row);
        search_config(&r->in, &row->p, c);
        if (row->why != PRUNE_NONE && row->why != PRUNE_TTFT_SLO &&
            row->why != PRUNE_TPOT_SLO) {
            llm_err_set(err, "%s: %s: row %lld (index %llu) is not a valid configuration now "
                        "(%s): the inputs changed", cmd, path, n, (unsigned long long)idx[n],
                        space_prune_names[row->why]);
            rc = -1;
        }
    }
    free(idx);
    if (rc)
        report_run_free(r);
    return rc;
}
