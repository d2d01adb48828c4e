/* cmd/explore.c — llmdse explore: the space (or one shard of it) evaluated in parallel, its
 * Pareto front written as an output folder (search/, reports/). docs/explore.md. */
#include "cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set by the first SIGINT/SIGTERM during explore's evaluation (reports/outdir.c); the
 * evaluator checks it between work units. */
static volatile sig_atomic_t stop_requested;

/* --all writes every evaluated point; beyond this many points in the range it needs --force. */
#define ALL_LIMIT 1000000ULL

/* Reads "I/N" with 0 <= I < N <= 2^30, every digit checked (no wraparound). */
static int parse_shard(const char *s, int *si, int *sn)
{
    char *e1, *e2;
    if (!s || s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    long long a = strtoll(s, &e1, 10);
    if (errno || *e1 != '/' || e1[1] < '0' || e1[1] > '9')
        return -1;
    long long b = strtoll(e1 + 1, &e2, 10);
    if (errno || *e2 || b < 1 || b > (1LL << 30) || a < 0 || a >= b)
        return -1;
    *si = (int)a;
    *sn = (int)b;
    return 0;
}

/* The index range of --shard I/N: [I*size/N, (I+1)*size/N), without overflow (size < 2^63). */
static void shard_range(const char *shard, const space_t *s, explore_args *a, int *si, int *sn)
{
    *si = 0;
    *sn = 1;
    if (shard) {
        if (parse_shard(shard, si, sn))
            die_usage("explore: --shard: expected I/N with 0 <= I < N <= 2^30, found \"%s\"",
                      shard);
        if ((uint64_t)*sn > s->size)
            die_usage("explore: --shard: %d shards for a space of %llu points; expected at "
                      "most one shard per point", *sn, (unsigned long long)s->size);
    }
    search_shard_range(&a->in, *si, *sn, &a->begin, &a->end);
}

static void say_infeasible(const explore_result *r, const space_t *s)
{
    fprintf(stderr, "llmdse: error: explore: no configuration of the %llu in the space is "
            "feasible; pruned:", (unsigned long long)s->size);
    for (int k = 1; k < PRUNE_COUNT; k++)
        if (r->pruned[k])
            fprintf(stderr, " %s %llu", space_prune_names[k], (unsigned long long)r->pruned[k]);
    fputs("\n", stderr);
}

/* The folder's files: the front, summary.json, all.csv (not after an interrupt: millions of
 * rows would take longer than an interrupt should, docs/explore.md), then the commit. */
static int write_run(report_outdir *od, const explore_args *a, explore_result *r,
                     report_summary *sum, llm_err *err)
{
    const uint64_t *all_idx = r->all;
    size_t n_all = r->n_all;
    if (sum->partial && all_idx && n_all > 100000) {
        fprintf(stderr, "llmdse: explore: interrupted: all.csv (%zu points so far) is not "
                "written\n", n_all);
        all_idx = NULL;
        n_all = 0;
    }
    return report_write_run(od->tmp, &a->in, sum, &r->front, all_idx, n_all, err) ||
           report_outdir_commit(od, sum->partial, err);
}

/* " (thinned from N with --min-gain F)", or "" */
static const char *thinned_note(const report_summary *s)
{
    static char buf[96];
    buf[0] = 0;
    if (s->min_gain > 0)
        snprintf(buf, sizeof buf, " (thinned from %llu with --min-gain %g)",
                 (unsigned long long)s->front_before_thinning, s->min_gain);
    return buf;
}

int cmd_explore(int argc, char **argv)
{
    run_args ra = {.objectives = SEARCH_DEFAULT_OBJECTIVES};
    const char *shard = NULL;
    int threads = 0, all = 0, force = 0, disagg = 0;
    const char *prefill_batch = NULL;
    serving_args sv = {0};
    opt opts[] = {SERVING_OPTS(sv), RUN_OPTS(ra),
                  {"--threads", NULL, O_INT, &threads, 1, 1024, 0},
                  {"--shard", NULL, O_STR, &shard, 0, 0, 0},
                  {"--all", NULL, O_FLAG, &all, 0, 0, 0},
                  {"--force", NULL, O_FLAG, &force, 0, 0, 0},
                  {"--disaggregated", NULL, O_FLAG, &disagg, 0, 0, 0},
                  {"--prefill-batch", NULL, O_STR, &prefill_batch, 0, 0, 0},
                  OPT_END};
    run_inputs ri;
    llm_err err;
    start_run("explore", argc, argv, opts, &ra, &sv, &ri);
    if (prefill_batch && !disagg)
        die_usage("explore: --prefill-batch needs --disaggregated");
    if (disagg) {
        if (shard || all || ra.min_gain > 0)
            die_usage("explore: --disaggregated takes no --shard, --all or --min-gain: its "
                      "front is found without enumerating the product space (docs/explore.md)");
        return explore_disaggregated(&ra, &sv, &ri, prefill_batch, threads, &stop_requested);
    }
    explore_args a = {.in = {&ri.m, &ri.g, &ri.w, &ri.s, NULL, 0, 0, NULL, 0}, .nobj = ri.nobj};
    serving_inputs(&sv, &a.in);
    memcpy(a.obj, ri.obj, sizeof a.obj);
    int si, sn;
    shard_range(shard, &ri.s, &a, &si, &sn);
    if (ra.min_gain > 0 && sn > 1)
        die_usage("explore: --min-gain with --shard: a thinned shard cannot be merged exactly; "
                  "thin the merged front instead (llmdse merge --min-gain F)");
    if (all && a.end - a.begin > ALL_LIMIT && !force)
        die_usage("explore: --all: the range has %llu points, more than %llu; the CSV would "
                  "be huge. Use --force to write it anyway, or a smaller space",
                  (unsigned long long)(a.end - a.begin), ALL_LIMIT);
    a.keep_all = all;
    a.threads = threads;
    a.progress = !ra.quiet && isatty(2);
    a.stop = &stop_requested;
    report_outdir od;
    outdir_begin(&od, "explore", ra.out, OUTDIR_REPLACE);
    /* the first Ctrl-C stops the evaluation and writes the front so far, marked partial; a
     * second, or one while the files are written, ends the run at once (exit 130) */
    report_signals_graceful(&stop_requested);
    explore_result r;
    int failed = search_explore(&a, &r, &err);
    report_signals_graceful(NULL);
    if (failed) {
        fprintf(stderr, "llmdse: error: explore: %s\n", err.msg);
        space_free(&ri.s);
        return 1;
    }
    if (!r.partial && sn == 1 && r.feasible == 0) {
        say_infeasible(&r, &ri.s);
        explore_result_free(&r);
        space_free(&ri.s);
        return 2;
    }
    report_summary sum;
    report_summary_base(&sum, ra.model, ra.gpu, ra.workload, ra.space, a.nobj, a.obj, &ri.s);
    serving_summary(&sv, &sum);
    sum.begin = a.begin; sum.end = a.end;
    sum.shard_index = si; sum.shard_count = sn;
    sum.processed = r.processed; sum.evaluated = r.evaluated; sum.feasible = r.feasible;
    memcpy(sum.pruned, r.pruned, sizeof r.pruned);
    sum.partial = r.partial; sum.threads = r.threads; sum.wall_s = r.wall_s;
    sum.min_gain = ra.min_gain;
    if (write_run(&od, &a, &r, &sum, &err)) {
        fprintf(stderr, "llmdse: error: explore: %s\n", err.msg);
        explore_result_free(&r);
        space_free(&ri.s);
        return 1;
    }
    if (!ra.quiet)
        printf("explored %llu of %llu configurations in %.2f s (%.2f M/s, %d threads): %llu "
               "evaluated, %llu feasible, front of %zu%s -> %s/front.csv%s\n",
               (unsigned long long)r.processed, (unsigned long long)(a.end - a.begin),
               r.wall_s, r.wall_s > 0 ? r.processed / r.wall_s / 1e6 : 0, r.threads,
               (unsigned long long)r.evaluated, (unsigned long long)r.feasible,
               (size_t)sum.front_size, thinned_note(&sum), ra.out,
               r.partial ? " (PARTIAL: interrupted)" : "");
    explore_result_free(&r);
    space_free(&ri.s);
    if (sum.partial) {
        fprintf(stderr, "llmdse: explore: interrupted; the front of what was evaluated is in "
                "%s, marked partial in summary.json and manifest.json\n", ra.out);
        return 128 + (stop_requested > 0 ? (int)stop_requested : SIGINT);   /* 130, 143, 129 */
    }
    return 0;
}
