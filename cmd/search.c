/* cmd/search.c — llmdse search: the front by NLopt epsilon-constraint sweeps, optionally
 * compared with the exhaustive one (search/, reports/). docs/search.md. */
#include "cmd.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* What summary.json records of the search and its comparison. */
static void nlopt_summary(const nlsearch_args *a, const nlsearch_result *r, report_nlopt *nl)
{
    memset(nl, 0, sizeof *nl);
    nl->evaluations = r->evaluations; nl->combos = r->combos; nl->subproblems = r->subproblems;
    nl->calls = r->calls; nl->converged = r->converged; nl->stopped_early = r->stopped_early;
    nl->failed = r->failed; nl->levels = a->levels; nl->starts = a->starts;
    nl->maxeval = a->maxeval;
}

/* --compare-exhaustive: the comparison into nl, the missed points on stderr. */
static int compare(const nlsearch_args *a, const nlsearch_result *r, int quiet,
                   report_nlopt *nl, llm_err *err)
{
    search_exhaustive x;
    if (search_compare_exhaustive(a, &r->front, !quiet && isatty(2), &x, err))
        return -1;
    nl->compared = 1;
    memcpy(nl->ref, x.cmp.ref, sizeof nl->ref);
    nl->hv = x.cmp.hv;
    nl->hv_exhaustive = x.cmp.hv_exhaustive;
    nl->hv_ratio = x.cmp.ratio;
    nl->missed = x.cmp.missed;
    nl->exhaustive_evaluated = x.evaluated;
    nl->exhaustive_front = x.front;
    nl->evaluations_fraction = x.evaluated ? (double)r->evaluations / x.evaluated : 0;
    for (int i = 0; !quiet && i < x.nmissed; i++) {
        const search_row *row = &x.missed[i];
        fprintf(stderr, "  missed: index %llu tp %d ep %d pp %d %s/%s batch %d sm_comm %d "
                "%g MHz replicas %d\n", (unsigned long long)row->index, row->p.tp,
                row->p.ep, row->p.pp > 1 ? row->p.pp : 1, llm_dtype_names[row->p.dtype], llm_dtype_names[row->p.kv_dtype],
                row->p.batch, row->p.sm_comm, row->p.freq_mhz, row->p.replicas);
    }
    return 0;
}

static void say_done(const nlsearch_result *r, const report_nlopt *nl, double wall,
                     const char *out, size_t front)
{
    printf("search: %llu evaluations (%llu combinations, %llu subproblems; NLopt %llu "
           "converged, %llu stopped early, %llu failed) in %.2f s, front of %zu -> %s/"
           "front.csv\n", (unsigned long long)r->evaluations, (unsigned long long)r->combos,
           (unsigned long long)r->subproblems, (unsigned long long)r->converged,
           (unsigned long long)r->stopped_early, (unsigned long long)r->failed, wall,
           front, out);
    if (nl->compared)
        printf("compared with exhaustive: %.2f%% of its hypervolume with %.2f%% of its "
               "%llu evaluations; %llu of its %llu front points not matched\n",
               100 * nl->hv_ratio, 100 * nl->evaluations_fraction,
               (unsigned long long)nl->exhaustive_evaluated, (unsigned long long)nl->missed,
               (unsigned long long)nl->exhaustive_front);
}

int cmd_search(int argc, char **argv)
{
    run_args ra = {.objectives = SEARCH_DEFAULT_OBJECTIVES};
    nlsearch_args a = {.levels = 2, .starts = 1, .maxeval = 40, .polish_rounds = 50};
    int cmp = 0, disagg = 0;
    const char *prefill_batch = NULL;
    serving_args sv = {0};
    opt opts[] = {SERVING_OPTS(sv), RUN_OPTS(ra),
                  {"--levels", NULL, O_INT, &a.levels, 1, 64, 0},
                  {"--starts", NULL, O_INT, &a.starts, 1, 8, 0},
                  {"--maxeval", NULL, O_INT, &a.maxeval, 5, 100000, 0},
                  {"--polish", NULL, O_INT, &a.polish_rounds, 0, 10000, 0},
                  {"--compare-exhaustive", NULL, O_FLAG, &cmp, 0, 0, 0},
                  {"--disaggregated", NULL, O_FLAG, &disagg, 0, 0, 0},
                  {"--prefill-batch", NULL, O_STR, &prefill_batch, 0, 0, 0},
                  OPT_END};
    run_inputs ri;
    llm_err err;
    start_run("search", argc, argv, opts, &ra, &sv, &ri);
    if (prefill_batch && !disagg)
        die_usage("search: --prefill-batch needs --disaggregated");
    if (disagg) {
        if (ra.min_gain > 0)
            die_usage("search: --disaggregated takes no --min-gain");
        return search_disaggregated(&ra, &sv, &ri, prefill_batch, &a, cmp);
    }
    a.in = (search_inputs){&ri.m, &ri.g, &ri.w, &ri.s, NULL, 0, 0, NULL, 0};
    serving_inputs(&sv, &a.in);
    a.nobj = ri.nobj;
    memcpy(a.obj, ri.obj, sizeof a.obj);
    report_outdir od;
    outdir_begin(&od, "search", ra.out, OUTDIR_REPLACE);
    double t0 = now_s();
    nlsearch_result r;
    if (search_nlopt(&a, &r, &err)) {
        fprintf(stderr, "llmdse: error: search: %s\n", err.msg);
        space_free(&ri.s);
        return 1;
    }
    double wall = now_s() - t0;
    if (r.front.n == 0) {
        fprintf(stderr, "llmdse: error: search: no feasible configuration found in the space "
                "(llmdse explore reports why each point is pruned)\n");
        nlsearch_result_free(&r);
        space_free(&ri.s);
        return 2;
    }
    report_nlopt nl;
    nlopt_summary(&a, &r, &nl);
    if (r.failed)
        fprintf(stderr, "llmdse: warning: search: NLopt failed in %llu of %llu runs (first: "
                "%s); their evaluated points are kept, exactly evaluated\n",
                (unsigned long long)r.failed,
                (unsigned long long)(r.converged + r.stopped_early + r.failed), r.first_failure);
    if (cmp && compare(&a, &r, ra.quiet, &nl, &err)) {
        fprintf(stderr, "llmdse: error: search: %s\n", err.msg);
        return 1;
    }
    report_summary sum;
    report_summary_base(&sum, ra.model, ra.gpu, ra.workload, ra.space, a.nobj, a.obj, &ri.s);
    serving_summary(&sv, &sum);
    sum.processed = r.evaluations;
    sum.evaluated = r.evaluations;
    sum.threads = 1;
    sum.wall_s = wall;
    sum.min_gain = ra.min_gain;
    sum.nlopt = &nl;
    int rc = report_write_run(od.tmp, &a.in, &sum, &r.front, NULL, 0, &err) ||
             report_outdir_commit(&od, 0, &err);
    if (rc)
        fprintf(stderr, "llmdse: error: search: %s\n", err.msg);
    else if (!ra.quiet)
        say_done(&r, &nl, wall, ra.out, (size_t)sum.front_size);
    nlsearch_result_free(&r);
    space_free(&ri.s);
    return rc ? 1 : 0;
}
