/* cmd/disagg.c — llmdse explore --disaggregated: the exact front of prefill/decode pool
 * deployments (search/disagg.c) beside the aggregated front of the same space, with goodput
 * under a grid of SLOs, written as an output folder (reports/disagg.c). docs/explore.md,
 * "Disaggregated serving". */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1,2,4": prompts per prefill step, each 1..65536, strictly increasing. */
static int parse_batches(const char *cmd, const char *s, double *v, int max)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *e;
        long x = *p >= '0' && *p <= '9' ? strtol(p, &e, 10) : (e = (char *)p, 0);
        if (e == p || x < 1 || x > 65536 || (*e && *e != ',') || n == max ||
            (n && x <= v[n - 1]))
            die_usage("%s: --prefill-batch: expected increasing prompt counts per prefill "
                      "step in 1..65536, comma-separated (at most %d), found \"%s\"", cmd, max,
                      s);
        v[n++] = (double)x;
        p = *e ? e + 1 : e;
        if (*e && !*p)
            die_usage("%s: --prefill-batch: a trailing comma in \"%s\"", cmd, s);
    }
    if (!n)
        die_usage("%s: --prefill-batch: expected at least one prompt count", cmd);
    return n;
}

static int fail(const char *cmd, llm_err *err)
{
    llm_err_prefix(err, cmd, 0);
    return report_error(err);
}

/* What one explore --disaggregated run holds, freed in one place. */
typedef struct {
    space_t ps, nofilter;
    disagg_args a;
    disagg_result r;
    explore_result er;
    search_row *agg;
    size_t nagg;
    search_goodput gd, ga;
    int have_r, have_er;
} drun;

static void drun_free(drun *d)
{
    if (d->have_r)
        disagg_result_free(&d->r);
    if (d->have_er)
        explore_result_free(&d->er);
    free(d->agg);
    space_free(&d->ps);
}

/* The disaggregated front, the goodput grids of both modes and the aggregated front. */
static int drun_explore(drun *d, run_inputs *ri, llm_err *err)
{
    disagg_args *a = &d->a;
    if (search_disagg_explore(a, &d->r, err))
        return -1;
    d->have_r = 1;
    /* goodput under the SLO grid: exact from the front of (ttft, tpot, throughput per GPU),
     * which holds the best point of every cell; over every point (the grid's limits reach
     * past the SLOs, so without the SLO filter) */
    search_goodput_init(&d->gd, &ri->w);
    search_goodput_init(&d->ga, &ri->w);
    d->nofilter = ri->s;
    d->nofilter.slo_filter = 0;
    disagg_args g3 = *a;
    g3.nobj = 3;
    g3.obj[0] = OBJ_TTFT;
    g3.obj[1] = OBJ_TPOT;
    g3.obj[2] = OBJ_THROUGHPUT_PER_GPU;
    g3.in.s = &d->nofilter;
    disagg_result r3;
    if (search_disagg_explore(&g3, &r3, err))
        return -1;
    for (size_t i = 0; i < r3.front.n; i++) {
        disagg_row row;
        search_disagg_row(&g3, r3.front.pt[i].index, &row);
        search_goodput_add(&d->gd, &ri->w, &row.m, row.index);
    }
    disagg_result_free(&r3);
    /* the aggregated front of the same space, objectives and SLO filter; its goodput from
     * every evaluated point (explore adds a point to the grid before its SLO check) */
    explore_args ea;
    memset(&ea, 0, sizeof ea);
    ea.in = a->in;
    ea.nobj = a->nobj;
    memcpy(ea.obj, a->obj, sizeof ea.obj);
    ea.grid = &d->ga;
    ea.end = ri->s.size;
    ea.threads = a->threads;
    ea.stop = a->stop;
    if (search_explore(&ea, &d->er, err))
        return -1;
    d->have_er = 1;
    d->agg = calloc(d->er.front.n ? d->er.front.n : 1, sizeof *d->agg);
    if (!d->agg) {
        llm_err_fail(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->er.front.n; i++) {
        search_row_eval(&a->in, d->er.front.pt[i].index, &d->agg[d->nagg]);
        if (d->agg[d->nagg].why == PRUNE_NONE)
            d->nagg++;
    }
    return 0;
}

static void objectives_text(const disagg_args *a, char *buf, size_t len)
{
    buf[0] = 0;
    for (int k = 0; k < a->nobj; k++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", k ? ", " : "",
                 search_obj_names[a->obj[k]]);
}

int explore_disaggregated(const run_args *ra, serving_args *sv, run_inputs *ri,
                          const char *prefill_batch, int threads, volatile sig_atomic_t *stop)
{
    llm_err err;
    double pb[64];
    int npb = prefill_batch ? parse_batches("explore", prefill_batch, pb, 64)
                            : search_disagg_default_prefill_batch(pb);
    drun d;
    memset(&d, 0, sizeof d);
    load_or_die(search_disagg_prefill_space(&ri->s, pb, npb, &d.ps, &err), &err);
    d.a = (disagg_args){.in = {&ri->m, &ri->g, &ri->w, &ri->s, NULL, 0, 0, NULL, 0},
                        .prefill = &d.ps, .nobj = ri->nobj, .threads = threads, .stop = stop};
    serving_inputs(sv, &d.a.in);
    memcpy(d.a.obj, ri->obj, sizeof d.a.obj);
    report_outdir od;
    outdir_begin(&od, "explore", ra->out, OUTDIR_REPLACE);
    report_signals_graceful(stop);
    int rc = drun_explore(&d, ri, &err);
    report_signals_graceful(NULL);
    if (rc) {
        report_outdir_abort(&od);
        drun_free(&d);
        space_free(&ri->s);
        return fail("explore", &err);
    }
    int partial = d.r.partial || d.er.partial;
    if (!partial && d.r.front.n == 0 && d.nagg == 0) {
        report_outdir_abort(&od);
        fprintf(stderr, "llmdse: error: explore: --disaggregated: no deployment of either mode "
                "is feasible: none of the %llu disaggregated and none of the %llu aggregated "
                "(memory, GPUs%s)\n", (unsigned long long)d.r.size,
                (unsigned long long)ri->s.size, ri->s.slo_filter ? ", SLOs" : "");
        drun_free(&d);
        space_free(&ri->s);
        return 2;
    }
    if (!partial && d.r.front.n == 0)
        fprintf(stderr, "llmdse: explore: --disaggregated: no disaggregated deployment is "
                "feasible (memory, GPUs%s: a prefill and a decode replica must fit the space's "
                "%d GPUs together); the aggregated front and the comparison are written\n",
                ri->s.slo_filter ? ", SLOs" : "", ri->s.gpus_total);
    char objs[128];
    objectives_text(&d.a, objs, sizeof objs);
    report_disagg rd = {&d.a, ra->model, ra->gpu, ra->workload, ra->space ? ra->space : "default",
                        sv->name, LLMDSE_VERSION, objs, &d.r, d.agg, d.nagg, &d.ga, &d.gd, NULL};
    if (report_write_disagg(od.tmp, &rd, &err) || report_outdir_commit(&od, partial, &err)) {
        report_outdir_abort(&od);
        drun_free(&d);
        space_free(&ri->s);
        return fail("explore", &err);
    }
    if (!ra->quiet)
        printf("explored the disaggregated space of %llu deployments in %.2f s (%d threads) "
               "without enumerating it: %llu prefill and %llu decode pool points evaluated, "
               "%llu + %llu kept, %llu combinations; front of %zu (aggregated: %zu) -> "
               "%s/front.csv, %s/compare.md%s\n", (unsigned long long)d.r.size, d.r.wall_s,
               d.r.threads, (unsigned long long)d.r.pool_evaluated[0],
               (unsigned long long)d.r.pool_evaluated[1], (unsigned long long)d.r.pool_kept[0],
               (unsigned long long)d.r.pool_kept[1], (unsigned long long)d.r.combined,
               d.r.front.n, d.nagg, ra->out, ra->out, partial ? " (PARTIAL: interrupted)" : "");
    drun_free(&d);
    space_free(&ri->s);
    return partial ? 130 : 0;
}

/* --compare-exhaustive: the exact front (eq. 80-81) and both hypervolumes against one
 * reference point into nl. */
static int compare_exact(const disagg_args *a, const disagg_result *r, report_nlopt *nl,
                         llm_err *err)
{
    disagg_result x;
    if (search_disagg_explore(a, &x, err))
        return -1;
    search_comparison c;
    int rc = search_compare(&r->front, &x.front, &c);
    if (rc) {
        llm_err_fail(err, "out of memory");
    } else {
        nl->compared = 1;
        nl->hv = c.hv;
        nl->hv_exhaustive = c.hv_exhaustive;
        nl->hv_ratio = c.ratio;
        memcpy(nl->ref, c.ref, sizeof nl->ref);
        nl->missed = c.missed;
        nl->exhaustive_front = x.front.n;
        nl->exhaustive_evaluated = x.pool_evaluated[0] + x.pool_evaluated[1];
        nl->evaluations_fraction = nl->exhaustive_evaluated
                                       ? (double)nl->evaluations / nl->exhaustive_evaluated : 0;
    }
    disagg_result_free(&x);
    return rc ? -1 : 0;
}

int search_disaggregated(const run_args *ra, serving_args *sv, run_inputs *ri,
                         const char *prefill_batch, const nlsearch_args *tmpl, int compare)
{
    llm_err err;
    double pb[64];
    int npb = prefill_batch ? parse_batches("search", prefill_batch, pb, 64)
                            : search_disagg_default_prefill_batch(pb);
    space_t ps;
    load_or_die(search_disagg_prefill_space(&ri->s, pb, npb, &ps, &err), &err);
    disagg_args a = {.in = {&ri->m, &ri->g, &ri->w, &ri->s, NULL, 0, 0, NULL, 0},
                     .prefill = &ps, .nobj = ri->nobj};
    serving_inputs(sv, &a.in);
    memcpy(a.obj, ri->obj, sizeof a.obj);
    report_outdir od;
    outdir_begin(&od, "search", ra->out, OUTDIR_REPLACE);
    disagg_result r;
    uint64_t evals = 0;
    report_nlopt nl;
    memset(&nl, 0, sizeof nl);
    int rc = 0, have_r = 0;
    if (search_disagg_nlopt(&a, tmpl, &r, &evals, &err)) {
        rc = fail("search", &err);
        goto out;
    }
    have_r = 1;
    if (r.front.n == 0) {
        fprintf(stderr, "llmdse: error: search: --disaggregated: no feasible deployment found "
                "(llmdse explore --disaggregated says whether there is one)\n");
        rc = 2;
        goto out;
    }
    /* every pool point the cost model ran on: NLopt's, then the candidate blocks' clocks */
    nl.evaluations = evals + r.pool_evaluated[0] + r.pool_evaluated[1];
    nl.levels = tmpl->levels;
    nl.starts = tmpl->starts;
    nl.maxeval = tmpl->maxeval;
    char objs[128];
    objectives_text(&a, objs, sizeof objs);
    report_disagg rd = {&a, ra->model, ra->gpu, ra->workload, ra->space ? ra->space : "default",
                        sv->name, LLMDSE_VERSION, objs, &r, NULL, 0, NULL, NULL, &nl};
    if ((compare && compare_exact(&a, &r, &nl, &err)) ||
        report_write_disagg(od.tmp, &rd, &err) || report_outdir_commit(&od, 0, &err)) {
        rc = fail("search", &err);
        goto out;
    }
    if (!ra->quiet) {
        printf("search --disaggregated: %llu pool evaluations (NLopt and its blocks), %llu + "
               "%llu pool points kept, %llu combinations, in %.2f s: front of %zu -> "
               "%s/front.csv\n", (unsigned long long)nl.evaluations,
               (unsigned long long)r.pool_kept[0], (unsigned long long)r.pool_kept[1],
               (unsigned long long)r.combined, r.wall_s, r.front.n, ra->out);
        if (nl.compared)
            printf("compared with the exact front (explore --disaggregated): %.2f%% of its "
                   "hypervolume with %.2f%% of its %llu pool evaluations; %llu of its %llu "
                   "front points not matched\n", 100 * nl.hv_ratio,
                   100 * nl.evaluations_fraction, (unsigned long long)nl.exhaustive_evaluated,
                   (unsigned long long)nl.missed, (unsigned long long)nl.exhaustive_front);
    }
out:
    if (rc)
        report_outdir_abort(&od);
    if (have_r)
        disagg_result_free(&r);
    space_free(&ps);
    space_free(&ri->s);
    return rc;
}
