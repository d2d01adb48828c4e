/* cmd/disagg.c — llmdse explore --disaggregated: the exact front of prefill/decode pool
 * deployments (search/disagg.c) beside the aggregated front of the same space, with goodput
 * under a grid of SLOs, written as an output folder (reports/disagg.c). docs/explore.md,
 * "Disaggregated serving". */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1,2,4": prompts per prefill step, each 1..65536, strictly increasing. */
static int parse_batches(const char *s, double *v, int max)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *e;
        long x = strtol(p, &e, 10);
        if (e == p || x < 1 || x > 65536 || (*e && *e != ',') || n == max ||
            (n && x <= v[n - 1]))
            die_usage("explore: --prefill-batch: expected increasing prompt counts per "
                      "prefill step in 1..65536, comma-separated (at most %d), found \"%s\"",
                      max, s);
        v[n++] = (double)x;
        p = *e ? e + 1 : e;
        if (*e && !*p)
            die_usage("explore: --prefill-batch: a trailing comma in \"%s\"", s);
    }
    if (!n)
        die_usage("explore: --prefill-batch: expected at least one prompt count");
    return n;
}

static int fail(const char *what, const llm_err *err)
{
    fprintf(stderr, "llmdse: error: explore: %s%s\n", what, err->msg);
    return 1;
}

int explore_disaggregated(const run_args *ra, serving_args *sv, run_inputs *ri,
                          const char *prefill_batch, int threads, volatile sig_atomic_t *stop)
{
    llm_err err;
    double pb[64];
    int npb = prefill_batch ? parse_batches(prefill_batch, pb, 64)
                            : search_disagg_default_prefill_batch(pb);
    space_t ps;
    load_or_die(search_disagg_prefill_space(&ri->s, pb, npb, &ps, &err), &err);
    disagg_args a = {.in = {&ri->m, &ri->g, &ri->w, &ri->s, NULL, 0, 0, NULL, 0},
                     .prefill = &ps, .nobj = ri->nobj, .threads = threads, .stop = stop};
    serving_inputs(sv, &a.in);
    memcpy(a.obj, ri->obj, sizeof a.obj);
    report_outdir od;
    outdir_begin(&od, "explore", ra->out, OUTDIR_REPLACE);
    report_signals_graceful(stop);
    disagg_result r;
    int rc = search_disagg_explore(&a, &r, &err);
    if (rc) {
        report_signals_graceful(NULL);
        space_free(&ps);
        return fail("", &err);
    }
    if (!r.partial && r.front.n == 0) {
        report_signals_graceful(NULL);
        fprintf(stderr, "llmdse: error: explore: --disaggregated: no deployment of the %llu in "
                "the product space is feasible (memory, GPUs%s)\n", (unsigned long long)r.size,
                ri->s.slo_filter ? ", SLOs" : "");
        disagg_result_free(&r);
        space_free(&ps);
        return 2;
    }
    /* goodput under the SLO grid: exact from the front of (ttft, tpot, throughput per GPU),
     * which holds the best point of every cell */
    search_goodput gd, ga;
    search_goodput_init(&gd, &ri->w);
    search_goodput_init(&ga, &ri->w);
    disagg_args g3 = a;
    g3.nobj = 3;
    g3.obj[0] = OBJ_TTFT;
    g3.obj[1] = OBJ_TPOT;
    g3.obj[2] = OBJ_THROUGHPUT_PER_GPU;
    g3.in.s = &ri->s;
    /* without the SLO filter: the grid has its own limits */
    space_t s_nofilter = ri->s;
    s_nofilter.slo_filter = 0;
    g3.in.s = &s_nofilter;
    disagg_result r3;
    if (search_disagg_explore(&g3, &r3, &err)) {
        report_signals_graceful(NULL);
        disagg_result_free(&r);
        space_free(&ps);
        return fail("", &err);
    }
    for (size_t i = 0; i < r3.front.n; i++) {
        disagg_row row;
        search_disagg_row(&g3, r3.front.pt[i].index, &row);
        search_goodput_add(&gd, &ri->w, &row.m, row.index);
    }
    disagg_result_free(&r3);
    /* the aggregated front of the same space and objectives, and its goodput from every point */
    explore_args ea;
    memset(&ea, 0, sizeof ea);
    ea.in = a.in;
    ea.in.s = &s_nofilter;
    ea.nobj = a.nobj;
    memcpy(ea.obj, a.obj, sizeof ea.obj);
    ea.grid = &ga;
    ea.begin = 0;
    ea.end = ri->s.size;
    ea.threads = threads;
    ea.stop = stop;
    explore_result er;
    if (search_explore(&ea, &er, &err)) {
        report_signals_graceful(NULL);
        disagg_result_free(&r);
        space_free(&ps);
        return fail("aggregated: ", &err);
    }
    if (ri->s.slo_filter) {
        /* --slo: the aggregated front of the points that meet the SLOs (the grid above needed
         * every point, its limits reaching past the SLOs) */
        explore_result ef;
        ea.in.s = &ri->s;
        ea.grid = NULL;
        if (search_explore(&ea, &ef, &err)) {
            report_signals_graceful(NULL);
            explore_result_free(&er);
            disagg_result_free(&r);
            space_free(&ps);
            return fail("aggregated: ", &err);
        }
        ef.partial |= er.partial;
        explore_result_free(&er);
        er = ef;
    }
    report_signals_graceful(NULL);
    search_row *agg = calloc(er.front.n ? er.front.n : 1, sizeof *agg);
    size_t nagg = 0;
    for (size_t i = 0; agg && i < er.front.n; i++) {
        search_row_eval(&a.in, er.front.pt[i].index, &agg[nagg]);
        if (agg[nagg].why == PRUNE_NONE)
            nagg++;
    }
    char objs[128] = "";
    for (int k = 0; k < a.nobj; k++)
        snprintf(objs + strlen(objs), sizeof objs - strlen(objs), "%s%s", k ? ", " : "",
                 search_obj_names[a.obj[k]]);
    report_disagg rd = {&a, ra->model, ra->gpu, ra->workload, ra->space ? ra->space : "default",
                        sv->name, LLMDSE_VERSION, objs, &r, agg, nagg, &ga, &gd, NULL};
    int partial = r.partial || er.partial;
    if (!agg || report_write_disagg(od.tmp, &rd, &err) ||
        report_outdir_commit(&od, partial, &err)) {
        if (!agg)
            llm_err_set(&err, "out of memory");
        report_outdir_abort(&od);
        free(agg);
        explore_result_free(&er);
        disagg_result_free(&r);
        space_free(&ps);
        return fail("", &err);
    }
    if (!ra->quiet)
        printf("explored the disaggregated space of %llu deployments in %.2f s (%d threads) "
               "without enumerating it: %llu prefill and %llu decode pool points evaluated, "
               "%llu + %llu kept, %llu combinations; front of %zu (aggregated: %zu) -> "
               "%s/front.csv, %s/compare.md%s\n", (unsigned long long)r.size, r.wall_s,
               r.threads, (unsigned long long)r.pool_evaluated[0],
               (unsigned long long)r.pool_evaluated[1], (unsigned long long)r.pool_kept[0],
               (unsigned long long)r.pool_kept[1], (unsigned long long)r.combined, r.front.n,
               nagg, ra->out, ra->out, partial ? " (PARTIAL: interrupted)" : "");
    free(agg);
    explore_result_free(&er);
    disagg_result_free(&r);
    space_free(&ps);
    space_free(&ri->s);
    return partial ? 130 : 0;
}

int search_disaggregated(const run_args *ra, serving_args *sv, run_inputs *ri,
                         const char *prefill_batch, const nlsearch_args *tmpl, int compare)
{
    llm_err err;
    double pb[64];
    int npb = prefill_batch ? parse_batches(prefill_batch, pb, 64)
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
    if (search_disagg_nlopt(&a, tmpl, &r, &evals, &err)) {
        space_free(&ps);
        return fail("", &err);
    }
    if (r.front.n == 0) {
        fprintf(stderr, "llmdse: error: search: --disaggregated: no feasible deployment found "
                "(llmdse explore --disaggregated says whether there is one)\n");
        disagg_result_free(&r);
        space_free(&ps);
        return 2;
    }
    /* every pool point the cost model ran on: NLopt's, then the candidate blocks' clocks */
    evals += r.pool_evaluated[0] + r.pool_evaluated[1];
    report_nlopt nl;
    memset(&nl, 0, sizeof nl);
    nl.evaluations = evals;
    nl.levels = tmpl->levels;
    nl.starts = tmpl->starts;
    nl.maxeval = tmpl->maxeval;
    disagg_result x;
    if (compare) {
        /* the exact front (eq. 80-81) and the same reference point for both */
        if (search_disagg_explore(&a, &x, &err)) {
            disagg_result_free(&r);
            space_free(&ps);
            return fail("", &err);
        }
        search_comparison c;
        if (search_compare(&r.front, &x.front, &c)) {
            disagg_result_free(&x);
            disagg_result_free(&r);
            space_free(&ps);
            llm_err_set(&err, "out of memory");
            return fail("", &err);
        }
        nl.compared = 1;
        nl.hv = c.hv;
        nl.hv_exhaustive = c.hv_exhaustive;
        nl.hv_ratio = c.ratio;
        memcpy(nl.ref, c.ref, sizeof nl.ref);
        nl.missed = c.missed;
        nl.exhaustive_front = x.front.n;
        nl.exhaustive_evaluated = x.pool_evaluated[0] + x.pool_evaluated[1];
        nl.evaluations_fraction = nl.exhaustive_evaluated
                                      ? (double)evals / nl.exhaustive_evaluated : 0;
        disagg_result_free(&x);
    }
    char objs[128] = "";
    for (int k = 0; k < a.nobj; k++)
        snprintf(objs + strlen(objs), sizeof objs - strlen(objs), "%s%s", k ? ", " : "",
                 search_obj_names[a.obj[k]]);
    report_disagg rd = {&a, ra->model, ra->gpu, ra->workload, ra->space ? ra->space : "default",
                        sv->name, LLMDSE_VERSION, objs, &r, NULL, 0, NULL, NULL, &nl};
    if (report_write_disagg(od.tmp, &rd, &err) || report_outdir_commit(&od, 0, &err)) {
        report_outdir_abort(&od);
        disagg_result_free(&r);
        space_free(&ps);
        return fail("", &err);
    }
    if (!ra->quiet) {
        printf("search --disaggregated: %llu pool evaluations (NLopt and its blocks), %llu + %llu pool "
               "points kept, %llu combinations, in %.2f s: front of %zu -> %s/front.csv\n",
               (unsigned long long)evals, (unsigned long long)r.pool_kept[0],
               (unsigned long long)r.pool_kept[1], (unsigned long long)r.combined, r.wall_s,
               r.front.n, ra->out);
        if (nl.compared)
            printf("compared with the exact front (explore --disaggregated): %.2f%% of its "
                   "hypervolume with %.2f%% of its %llu pool evaluations; %llu of its %llu "
                   "front points not matched\n", 100 * nl.hv_ratio,
                   100 * nl.evaluations_fraction, (unsigned long long)nl.exhaustive_evaluated,
                   (unsigned long long)nl.missed, (unsigned long long)nl.exhaustive_front);
    }
    disagg_result_free(&r);
    space_free(&ps);
    space_free(&ri->s);
    return 0;
}
