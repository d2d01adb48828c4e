/* skucheck/skucheck.c — llmdse sku-check (docs/sku-check.md): see skucheck.h. Every input is
 * loaded once, as given: the files explored are the files reported and recommended (a custom
 * file is never reloaded by its name). */
#include "skucheck.h"

#include "../reports/reports.h"
#include "../validate/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MODELS 64
#define MAX_WORKLOADS 16

typedef struct {
    const skucheck_args *a;
    llm_gpu g;
    char out[1024];
    char *mn[MAX_MODELS], *wn[MAX_WORKLOADS];
    char mlist[4096], wlist[1024];
    int nm, nw;
    llm_model ms[MAX_MODELS];
    llm_workload ws[MAX_WORKLOADS];
    char gpu_use[4096];     /* what summary.json records as the GPU */
    report_outdir od;
    report_sku_row *rows;
    report_sku_cmp *cmp;   /* with --baseline: one per row */
    double tol[SKU_METRICS];
    char checks[32][LLM_ERR_MAX];
    int nchecks, regressions, improvements;
    int nr, fitting, recommended, reports;
    int errors, error_status, committed;
} sku;

/* A failure of one model's part: said on stderr; the run goes on. */
static void sku_error(sku *k, const char *what, const llm_err *err)
{
    fprintf(stderr, "llmdse: error: %s: %s\n", what, err->msg);
    k->errors++;
    if (err->status > k->error_status)
        k->error_status = err->status;
}

static int split(char *list, char **out, int max, const char *what, llm_err *err)
{
    int n = 0;
    for (char *t = strtok(list, ", "); t; t = strtok(NULL, ", ")) {
        if (n == max) {
            llm_err_set(err, "sku-check: %s: at most %d", what, max);
            return -1;
        }
        out[n++] = t;
    }
    return n;
}

/* The first earlier model (wl 0) or workload (wl 1) with the name of item i, or -1. */
static int same_name(const sku *k, int wl, int i)
{
    for (int j = 0; j < i; j++)
        if (!strcmp(wl ? k->ws[j].name : k->ms[j].name, wl ? k->ws[i].name : k->ms[i].name))
            return j;
    return -1;
}

/* The models and workloads: named, or every bundled one; each loaded, names distinct. */
static int load_lists(sku *k, llm_err *err)
{
    const skucheck_args *a = k->a;
    if (a->models)
        snprintf(k->mlist, sizeof k->mlist, "%s", a->models);
    else
        configs_list("models", k->mlist, sizeof k->mlist);
    if (a->workloads)
        snprintf(k->wlist, sizeof k->wlist, "%s", a->workloads);
    else
        configs_list("workloads", k->wlist, sizeof k->wlist);
    if ((k->nm = split(k->mlist, k->mn, MAX_MODELS, "--models", err)) < 0 ||
        (k->nw = split(k->wlist, k->wn, MAX_WORKLOADS, "--workloads", err)) < 0)
        return -1;
    if (!k->nm || !k->nw) {
        llm_err_set(err, "sku-check: expected at least one model and one workload");
        return -1;
    }
    /* the models, then the workloads: each loaded, its name not taken by an earlier one */
    for (int wl = 0; wl < 2; wl++)
        for (int i = 0; i < (wl ? k->nw : k->nm); i++) {
            if (wl ? configs_load_workload(k->wn[i], &k->ws[i], err)
                   : configs_load_model(k->mn[i], &k->ms[i], err))
                return -1;
            int j = same_name(k, wl, i);
            if (j >= 0 && !wl)
                llm_err_set(err, "sku-check: --models: %s and %s are both named \"%s\"; the "
                            "output has one folder per model name", k->mn[j], k->mn[i],
                            k->ms[i].name);
            else if (j >= 0)
                llm_err_set(err, "sku-check: --workloads: %s and %s are both named \"%s\"",
                            k->wn[j], k->wn[i], k->ws[i].name);
            if (j >= 0)
                return -1;
        }
    return 0;
}

/* Everything checked before the run: the GPU, the output name, the lists, the space file and
 * the baseline (one run's complete output, its CSV a readable file). */
static int load_inputs(sku *k, llm_err *err)
{
    const skucheck_args *a = k->a;
    if (configs_load_gpu(a->gpu_path, &k->g, err))
        return -1;
    if (a->out && !*a->out) {
        llm_err_set(err, "sku-check: -o: expected a folder name, found an empty string");
        return -1;
    }
    snprintf(k->out, sizeof k->out, "%s", a->out ? a->out : "");
    if (!a->out) {
        /* the GPU's name is text: characters outside [A-Za-z0-9._-] become '_' */
        snprintf(k->out, sizeof k->out, "sku-check-%s", k->g.name);
        for (char *p = k->out + 10; *p; p++)
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
                *p = '_';
    }
    if (a->junit) {
        /* written at the end: its folder must be there and writable before the run */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", a->junit);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        if (!*a->junit || (slash && slash == dir))
            snprintf(dir, sizeof dir, "%s", *a->junit ? "/" : "");
        if (!*a->junit || access(slash ? dir : ".", W_OK)) {
            llm_err_set(err, "sku-check: --junit: expected a file in a writable folder, found "
                        "\"%.300s\"", a->junit);
            return -1;
        }
    }
    if (load_lists(k, err))
        return -1;
    llm_space_spec spec;
    if (a->space) {
        if (configs_load_space(a->space, &spec, err))
            return -1;
        configs_free_space(&spec);
    }
    if (a->baseline) {
        char why[700], bpath[4096];
        int bpart;
        if (report_outdir_check(a->baseline, &bpart, NULL, 0, why, sizeof why) < 0) {
            llm_err_set(err, "sku-check: --baseline: %s", why);
            return -1;
        }
        snprintf(bpath, sizeof bpath, "%s/sku-check.csv", a->baseline);
        FILE *bf = llm_open_input(bpath, "r", err);
        if (!bf) {
            llm_err_prefix(err, "sku-check: --baseline", LLM_ERR_INPUT);
            return -1;
        }
        fclose(bf);
    }
    return 0;
}

/* --measured: the GPU calibrated to the measurements, its copy written into the output. */
static int calibrate(sku *k, llm_err *err)
{
    const skucheck_args *a = k->a;
    vfile f;
    if (validate_read(a->measured, &f, err))
        return -1;
    vsummary vs;
    validate_compare(&k->g, &f, &vs);
    llm_gpu fitted;
    vcalib c;
    if (validate_calibrate(&k->g, &f, &fitted, &c, 0, err)) {
        validate_free(&f);
        llm_err_prefix(err, "sku-check", LLM_ERR_INPUT);
        return -1;
    }
    const char *paths[CP_COUNT];
    double values[CP_COUNT];
    int n = validate_calib_values(&c, paths, values);
    char tmp_gpu[8300], note[600];
    snprintf(tmp_gpu, sizeof tmp_gpu, "%s/gpu-calibrated.json", k->od.tmp);
    snprintf(k->gpu_use, sizeof k->gpu_use, "%s/gpu-calibrated.json", k->out);
    snprintf(note, sizeof note, "calibrated by llmdse sku-check to %.300s: time MAPE %.1f%% "
             "-> %.1f%%", a->measured, c.before_time, c.after_time);
    int rc = configs_write_gpu_update(a->gpu_path, tmp_gpu, paths, values, n, note, err);
    if (rc)
        llm_err_prefix(err, "sku-check", LLM_ERR_RUNTIME);
    else if ((rc = configs_load_gpu(tmp_gpu, &k->g, err)) == 0)
        printf("  measurements %s: %zu kernels, time MAPE %.1f%% before calibration, %.1f%% "
               "after -> %s\n", a->measured, vs.n, c.before_time, c.after_time, k->gpu_use);
    validate_free(&f);
    return rc ? -1 : 0;
}

/* What pruned every point of a space, the largest count first ("memory: 1200 of 1536
 * points; context length: 336"): the reasons of explore's pruning (docs/explore.md). */
static void why_nothing(const explore_result *er, char *buf, size_t len)
{
    static const char *const human[PRUNE_COUNT] = {
        [PRUNE_CONTEXT] = "context length (prompt + output over the model's context)",
        [PRUNE_MEMORY] = "memory (weights, KV cache and activations over the GPU's)",
        [PRUNE_GPUS] = "GPUs (tp x ep x pp x replicas over the node's)",
        [PRUNE_TTFT_SLO] = "the TTFT SLO", [PRUNE_TPOT_SLO] = "the TPOT SLO"};
    int done[PRUNE_COUNT] = {0};
    buf[0] = '\0';
    for (;;) {
        int best = 0;
        for (int k = 1; k < PRUNE_COUNT; k++)
            if (!done[k] && er->pruned[k] > 0 && (!best || er->pruned[k] > er->pruned[best]))
                best = k;
        if (!best)
            break;
        done[best] = 1;
        size_t u = strlen(buf);
        const char *name = human[best] ? human[best] : space_prune_names[best];
        unsigned long long c = er->pruned[best];
        if (u)
            snprintf(buf + u, len - u, "; %s: %llu", name, c);
        else
            snprintf(buf, len, "%s: %llu of %llu points", name, c,
                     (unsigned long long)er->processed);
    }
    if (!buf[0])
        snprintf(buf, len, "the space has no points");
}

/* Model i on workload j: explored, its row filled, its files written when something fits. */
static int explore_pair(sku *k, int i, int j, const char *mdir, report_sku_row *r,
                        llm_err *err)
{
    const skucheck_args *a = k->a;
    const llm_model *m = &k->ms[i];
    const llm_workload *w = &k->ws[j];
    snprintf(r->model, sizeof r->model, "%.63s", m->name);
    snprintf(r->workload, sizeof r->workload, "%.63s", w->name);
    llm_space_spec spec;
    if (a->space && configs_load_space(a->space, &spec, err))
        return -1;
    space_t sp;
    int rc = space_build(a->space ? &spec : NULL, m, &k->g, &sp, err);
    if (a->space)
        configs_free_space(&spec);
    if (rc)
        return -1;
    explore_args ea;
    memset(&ea, 0, sizeof ea);
    ea.in = a->serving;
    ea.in.m = m; ea.in.g = &k->g; ea.in.w = w; ea.in.s = &sp;
    ea.nobj = search_default_objectives(ea.obj);
    ea.end = sp.size;
    explore_result er;
    if (search_explore(&ea, &er, err)) {
        space_free(&sp);
        err->status = LLM_ERR_RUNTIME;
        return -1;
    }
    r->feasible = er.feasible;
    r->front = er.front.n;
    r->fits = er.front.n > 0;
    if (!r->fits)
        why_nothing(&er, r->why, sizeof r->why);
    if (r->fits) {
        r->energy = r->tpot = INFINITY;
        for (size_t q = 0; q < er.front.n; q++) {
            r->energy = fmin(r->energy, er.front.pt[q].o[0]);
            r->tpot = fmin(r->tpot, er.front.pt[q].o[1]);
            r->thr = fmax(r->thr, -er.front.pt[q].o[2]);
        }
        char wdir[8500];
        snprintf(wdir, sizeof wdir, "%s/%.63s", mdir, w->name);
        report_summary sum;
        /* the inputs as given, so `llmdse report -i` on the folder reads these files */
        report_summary_base(&sum, k->mn[i], k->gpu_use, k->wn[j], a->space, ea.nobj, ea.obj,
                            &sp);
        sum.serving = a->serving_name;
        sum.chunk_tokens = a->serving.chunk_tokens;
        sum.kv_paged = a->serving.kv_paged;
        sum.processed = er.processed; sum.evaluated = er.evaluated;
        sum.feasible = er.feasible;
        memcpy(sum.pruned, er.pruned, sizeof er.pruned);
        sum.threads = er.threads; sum.wall_s = er.wall_s;
        rc = report_make_dir(mdir, err) ||
             report_write_run(wdir, &ea.in, &sum, &er.front, NULL, 0, err);
        if (rc)
            err->status = LLM_ERR_RUNTIME;
    }
    explore_result_free(&er);
    space_free(&sp);
    return rc ? -1 : 0;
}

/* The standard load on one node, on the first workload that fits: 0, 2 (one node cannot
 * serve it) or 1 (failed, said on stderr; the model's line says so, the run goes on). */
static int recommend(sku *k, const llm_model *m, const llm_workload *w, const char *wdir)
{
    rec_problem prob;
    memset(&prob, 0, sizeof prob);
    prob.nmodels = 1;
    prob.nskus = 1;
    prob.rate[0] = k->a->rate;
    prob.count[0] = k->g.gpus_per_node;
    if (k->a->serving.serving) { /* recorded as recommend records it */
        prob.serving = k->a->serving_name;
        prob.chunk_tokens = k->a->serving.chunk_tokens;
        prob.kv_paged = k->a->serving.kv_paged;
    }
    double price[1] = {k->g.price_per_hour};
    llm_err err;
    llm_space_spec base;
    rec_candidate *cand = NULL;
    rec_plan pl;
    memset(&pl, 0, sizeof pl);
    int rc = 1;
    if (k->a->space && configs_load_space(k->a->space, &base, &err)) {
        fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
        return 1;
    }
    if (rec_recommend(m, &k->g, price, w, k->a->space ? &base : NULL, &k->a->serving, &prob,
                      &cand, &pl, &err))
        fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
    else if (report_recommend_out(wdir, NULL, m, &k->g, w, &prob, &pl, &err))
        fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
    else
        rc = pl.infeasible ? 2 : 0;
    rec_plan_free(&pl);
    if (k->a->space)
        configs_free_space(&base);
    free(cand);
    return rc;
}

/* One row's line on stdout; tail: the model's recommendation, or "". */
static void row_line(const sku *k, const report_sku_row *r, const char *tail)
{
    if (r->failed)
        printf("  %-18s %-13s failed (said above)\n", r->model, r->workload);
    else if (!r->fits)
        printf("  %-18s %-13s nothing feasible on %s: %s\n", r->model, r->workload, k->g.name,
               r->why);
    else
        printf("  %-18s %-13s best %.4f J/token, %.5f s TPOT, %.0f tok/s per GPU%s\n",
               r->model, r->workload, r->energy, r->tpot, r->thr, tail);
}

/* Model i on every workload, then its recommendation and its page; a line per workload. */
static void check_model(sku *k, int i)
{
    const llm_model *m = &k->ms[i];
    char mdir[8400];
    snprintf(mdir, sizeof mdir, "%s/%.63s", k->od.tmp, m->name);
    int first = -1, row0 = k->nr;
    for (int j = 0; j < k->nw; j++) {
        llm_err err;
        report_sku_row *r = &k->rows[k->nr++];
        if (explore_pair(k, i, j, mdir, r, &err)) {
            sku_error(k, "sku-check", &err);
            r->failed = 1;
        } else if (r->fits && first < 0) {
            first = j;
        }
    }
    char tail[200] = "";
    if (first >= 0) {
        k->fitting++;
        const llm_workload *w = &k->ws[first];
        report_sku_row *best = &k->rows[row0 + first];
        char wdir[8500], page[8600];
        snprintf(wdir, sizeof wdir, "%s/%s", mdir, w->name);
        if (!k->a->no_recommend) {
            int rc = recommend(k, m, w, wdir);
            k->recommended += rc == 0;
            best->rec = rc == 0 ? 1 : rc == 2 ? 2 : 3;
            snprintf(tail, sizeof tail, "; %.3g req/s on %d GPUs: %s", k->a->rate,
                     k->g.gpus_per_node, rc == 0 ? "planned" : rc == 2 ?
                     "one node cannot serve it (see recommendation.md)" : "failed");
        }
        snprintf(page, sizeof page, "%s/report.html", mdir);
        report_page_args pa = {wdir, page, k->a->version,
                               {NULL, NULL, NULL, k->a->space, m, &k->g, w, 0}, 1};
        report_page_result pr;
        llm_err err;
        if (report_page_write(&pa, &pr, &err) == 0)
            k->reports++;
        else
            fprintf(stderr, "llmdse: error: %s\n", err.msg);
    }
    for (int q = row0; q < k->nr; q++)
        row_line(k, &k->rows[q], q == row0 + first ? tail : "");
}

/* The rows against the baseline's: each regression and improvement said on stdout, and kept
 * for sku-check.json and the JUnit file; -1 with err. */
static int compare_baseline(sku *k, llm_err *err)
{
    const skucheck_args *a = k->a;
    char path[4096];
    snprintf(path, sizeof path, "%s/sku-check.csv", a->baseline);
    report_sku_row *base;
    size_t nb;
    if (report_sku_read(path, &base, &nb, err)) {
        llm_err_prefix(err, "sku-check: --baseline", 0);
        return -1;
    }
    if (!(k->cmp = calloc((size_t)k->nr + 1, sizeof *k->cmp))) {
        free(base);
        llm_err_fail(err, "sku-check: out of memory");
        return -1;
    }
    int matched = 0;
    for (size_t b = 0; b < nb; b++)
        for (int q = 0; q < k->nr; q++) {
            const report_sku_row *r = &k->rows[q], *o = &base[b];
            report_sku_cmp *c = &k->cmp[q];
            if (strcmp(r->model, o->model) || strcmp(r->workload, o->workload) || r->failed)
                continue;
            matched++;
            c->has_base = 1;
            if (o->fits != r->fits) {
                c->fit_verdict = o->fits ? 1 : -1;
                printf("  %s %s/%s: %s -> %s\n", o->fits ? "REGRESSION" : "IMPROVEMENT",
                       r->model, r->workload, o->fits ? "feasible" : "nothing feasible",
                       r->fits ? "feasible" : "nothing feasible");
                if (o->fits)
                    k->regressions++;
                else
                    k->improvements++;
                continue;
            }
            if (!o->fits)
                continue;
            const double ov[SKU_METRICS] = {o->energy, o->tpot, o->thr};
            const double nv[SKU_METRICS] = {r->energy, r->tpot, r->thr};
            for (int m = 0; m < SKU_METRICS; m++) {
                c->base[m] = ov[m];
                c->verdict[m] = report_sku_verdict(m, ov[m], nv[m], k->tol[m], &c->change[m]);
                if (!c->verdict[m])
                    continue;
                printf("  %s %s/%s: best %s moved %+.1f%% (%.4g -> %.4g; tolerance %.1f%%)\n",
                       c->verdict[m] > 0 ? "REGRESSION" : "IMPROVEMENT", r->model,
                       r->workload, report_sku_metric_names[m], 100 * c->change[m], ov[m],
                       nv[m], 100 * k->tol[m]);
                if (c->verdict[m] > 0)
                    k->regressions++;
                else
                    k->improvements++;
            }
        }
    free(base);
    printf("  baseline %s: %d fronts compared, %d regressions, %d improvements (tolerance "
           "%.1f%% energy, %.1f%% TPOT, %.1f%% throughput)\n", a->baseline, matched,
           k->regressions, k->improvements, 100 * k->tol[SKU_ENERGY], 100 * k->tol[SKU_TPOT],
           100 * k->tol[SKU_THR]);
    return 0;
}

/* The run as report_sku_json and report_sku_junit see it. */
static void run_of(const sku *k, report_sku_run *run)
{
    memset(run, 0, sizeof *run);
    run->gpu_file = k->a->gpu_path;
    run->version = k->a->version;
    run->baseline = k->a->baseline;
    run->g = &k->g;
    run->checks = (const char (*)[LLM_ERR_MAX])k->checks;
    run->nchecks = k->nchecks;
    run->rows = k->rows;
    run->cmp = k->cmp;
    run->n = (size_t)k->nr;
    memcpy(run->tol, k->tol, sizeof run->tol);
    run->rate = k->a->rate;
    run->regressions = k->regressions;
    run->improvements = k->improvements;
    run->errors = k->errors;
    run->result = k->errors || k->nchecks ? "failed" : k->regressions ? "regression"
                                                                     : "healthy";
}

static int write_json(FILE *f, void *ctx)
{
    report_sku_run run;
    run_of(ctx, &run);
    report_sku_json(f, &run);
    return 0;
}

static int write_junit(FILE *f, void *ctx)
{
    report_sku_run run;
    run_of(ctx, &run);
    report_sku_junit(f, &run);
    return 0;
}

/* --junit FILE: the run's result as JUnit XML (written aside and renamed); a failure to
 * write it is the run's failure (said on stderr). */
static void junit_out(sku *k)
{
    llm_err err;
    if (k->a->junit && report_write_file(k->a->junit, write_junit, k, &err)) {
        llm_err_prefix(&err, "sku-check: --junit", LLM_ERR_RUNTIME);
        sku_error(k, "sku-check", &err);
    }
}

static int write_csv(FILE *f, void *ctx)
{
    const sku *k = ctx;
    report_sku_csv(f, k->rows, (size_t)k->nr);
    return 0;
}

static int write_index(FILE *f, void *ctx)
{
    const sku *k = ctx;
    report_sku_index(f, k->rows, (size_t)k->nr, &k->g, k->a->version);
    return 0;
}

/* For a human: the peaks and bandwidths the cross-checks compare (docs/sku-check.md). */
static void print_derived(const llm_gpu *g)
{
    llm_gpu_derived d;
    llm_gpu_derive(g, &d);
    printf("  derived: bf16 %.1f TFLOP/s at %g MHz (%g FLOP/clk/SM x %d SMs)", d.bf16_tflops,
           g->max_mhz, g->bf16_flop_per_clk_sm, g->sm_count);
    if (g->bf16_peak_tflops > 0)
        printf("; datasheet %g TFLOP/s = %.2fx, its clock %.0f MHz", g->bf16_peak_tflops,
               d.bf16_ratio, d.bf16_peak_mhz);
    printf("\n");
    if (g->fp8_flop_per_clk_sm > 0) {
        printf("           fp8 %.1f TFLOP/s at %g MHz", d.fp8_tflops, g->max_mhz);
        if (d.fp8_ratio > 0)
            printf("; datasheet %g TFLOP/s = %.2fx, its clock %.0f MHz", g->fp8_peak_tflops,
                   d.fp8_ratio, d.fp8_peak_mhz);
        printf("\n");
    }
    printf("           memory %g GB/s", g->mem_bw_gbs);
    if (d.bus_gbs > 0)
        printf(" (bus %d bits x %g Gbit/s / 8 = %.0f GB/s)", g->mem_bus_bits,
               g->mem_data_rate_gbps, d.bus_gbs);
    printf(", %.0f bf16 FLOP per byte\n", d.flop_per_byte);
    printf("           link %g GB/s per direction (%s%s: %g)\n", g->link_bw_gbs,
           g->link_gen >= 0 ? "" : "no generation given; the fastest, ", d.link_gen_name,
           d.link_gen_gbs);
}

/* After the output folder is begun: the checks, the models, the files, the baseline. */
static int run_in(sku *k, llm_err *err)
{
    const skucheck_args *a = k->a;
    printf("sku-check %s (%s)\n", k->g.name, a->gpu_path);
    print_derived(&k->g);
    k->nchecks = configs_gpu_plausible(&k->g, k->checks, 32);
    for (int i = 0; i < k->nchecks; i++)
        printf("  FAILED check: %s: %s\n", a->gpu_path, k->checks[i]);
    if (k->nchecks) {
        printf("%d plausibility checks failed: not exploring with this file\n", k->nchecks);
        junit_out(k);
        return 1;
    }
    printf("  file and plausibility checks: passed\n");
    char note[256];
    report_coverage_note(&k->g, note, sizeof note);
    printf("  calibration: %s:\n", note);
    report_coverage_text(stdout, &k->g, "    ");
    snprintf(k->gpu_use, sizeof k->gpu_use, "%s", a->gpu_path);
    if (a->measured && calibrate(k, err))
        return -1;
    if (!(k->rows = calloc((size_t)(k->nm * k->nw + 1), sizeof *k->rows))) {
        llm_err_fail(err, "sku-check: out of memory");
        return -1;
    }
    for (int i = 0; i < k->nm; i++)
        check_model(k, i);
    if (a->baseline && compare_baseline(k, err))
        return -1;
    if (report_write_atomic(k->od.tmp, "sku-check.csv", write_csv, k, err) ||
        report_write_atomic(k->od.tmp, "sku-check.json", write_json, k, err) ||
        report_write_atomic(k->od.tmp, "index.html", write_index, k, err)) {
        llm_err_prefix(err, "sku-check", LLM_ERR_RUNTIME);
        return -1;
    }
    if (report_outdir_commit(&k->od, 0, err)) {
        llm_err_prefix(err, "sku-check", LLM_ERR_RUNTIME);
        return -1;
    }
    k->committed = 1;
    junit_out(k);
    char recs[64] = "";
    if (!a->no_recommend)
        snprintf(recs, sizeof recs, "%d recommendations, ", k->recommended);
    char cal[256];
    int ds = report_coverage_note(&k->g, cal, sizeof cal);
    printf("%d of %d models fit %s; %s%d reports -> %s/index.html\n%s%s%s%s\n", k->fitting,
           k->nm, k->g.name, recs, k->reports, k->out,
           k->errors ? "RESULT: failed" : k->regressions ? "RESULT: regression"
                                                          : "RESULT: healthy",
           ds ? " (" : "", ds ? cal : "", ds ? ")" : "");
    return k->regressions ? 1 : 0;
}

int skucheck_run(const skucheck_args *a, llm_err *err)
{
    static sku k;
    memset(&k, 0, sizeof k);
    k.a = a;
    for (int m = 0; m < SKU_METRICS; m++)
        k.tol[m] = a->tol[m] >= 0 ? a->tol[m] : a->tolerance;
    if (load_inputs(&k, err))
        return -1;
    int status;
    if (report_outdir_begin(&k.od, k.out, "sku-check", OUTDIR_REPLACE, err, &status)) {
        llm_err_prefix(err, "sku-check", status);
        return -1;
    }
    int rc = run_in(&k, err);
    if (rc != 0 && !k.committed)
        report_outdir_abort(&k.od);
    free(k.rows);
    free(k.cmp);
    if (rc >= 0 && k.errors) {
        llm_err_set(err, "sku-check: %d of the models' steps failed (said above)", k.errors);
        err->status = k.error_status ? k.error_status : LLM_ERR_RUNTIME;
        return -1;
    }
    return rc;
}
