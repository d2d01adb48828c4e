/* reports/merge.c — merging the output folders of sharded explore runs (llmdse merge): each
 * shard checked against its manifest and its summary against the first's, the shards sorted
 * and checked to cover the space once, the fronts' indices evaluated again and merged into
 * one Pareto archive, written as one output folder: byte-identical to a single run.
 * docs/explore.md, "Shards". */
#include "reports.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    llm_summary s;
    const char *dir;   /* the directory given for it */
    char run[128];     /* its manifest's run, "" without one */
} merge_shard;

static int by_shard(const void *x, const void *y)
{
    return ((const merge_shard *)x)->s.shard_index - ((const merge_shard *)y)->s.shard_index;
}

/* Reads and checks shard i against the first. */
static int read_shard(merge_shard *msh, int i, const char *first, llm_err *err)
{
    char path[4096], why[700];
    int part;
    const char *dir = msh[i].dir;
    int mc = report_outdir_check(dir, &part, msh[i].run, sizeof msh[i].run, why, sizeof why);
    if (mc < 0) {
        llm_err_set(err, "merge: %s", why);
        return -1;
    }
    if (mc == 0 && part) {
        llm_err_set(err, "merge: %s: the shard was interrupted (partial in manifest.json); run "
                    "it again", dir);
        return -1;
    }
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (configs_load_summary(path, space_prune_names, &msh[i].s, err))
        return -1;
    const llm_summary *a = &msh[0].s, *b = &msh[i].s;
    if (strcmp(a->model, b->model) || strcmp(a->gpu, b->gpu) ||
        strcmp(a->workload, b->workload) || strcmp(a->space, b->space) ||
        strcmp(a->objectives, b->objectives) || a->space_size != b->space_size ||
        a->shard_count != b->shard_count || a->slo_filter != b->slo_filter) {
        llm_err_set(err, "merge: %s: not a shard of the same run as %s (model, GPU, workload, "
                    "space, objectives, SLO filter and shard count must agree)", path, first);
        return -1;
    }
    if (b->partial) {
        llm_err_set(err, "merge: %s: the shard was interrupted (partial); run it again", path);
        return -1;
    }
    if (b->thinned) {
        llm_err_set(err, "merge: %s: its front was thinned (--min-gain): the merged front would "
                    "not be the whole space's; run it without and thin with merge --min-gain", path);
        return -1;
    }
    return 0;
}

/* Sorted by shard index: each once, contiguous, covering the space. */
static int check_cover(const merge_shard *msh, int nshards, llm_err *err)
{
    if (nshards != msh[0].s.shard_count) {
        llm_err_set(err, "merge: %d directories given for %d shards", nshards,
                    msh[0].s.shard_count);
        return -1;
    }
    for (int i = 0; i < nshards; i++)
        if (msh[i].s.shard_index != i || msh[i].s.begin != (i ? msh[i - 1].s.end : 0)) {
            llm_err_set(err, "merge: shard %d of %d is missing or given twice", i, nshards);
            return -1;
        }
    if (msh[nshards - 1].s.end != msh[0].s.space_size) {
        llm_err_set(err, "merge: the shards do not cover the space");
        return -1;
    }
    return 0;
}

/* The merged summary: the first shard's inputs, the counts summed. */
static int merged_summary(const merge_shard *msh, int nshards, const report_run *r,
                          const report_given *given, report_summary *sum, llm_err *err)
{
    const llm_summary *s0 = &msh[0].s;
    memset(sum, 0, sizeof *sum);
    sum->serving = s0->has_serving ? s0->serving : NULL;
    sum->chunk_tokens = r->in.chunk_tokens;
    sum->kv_paged = r->in.kv_paged;
    sum->model = s0->model; sum->gpu = s0->gpu; sum->workload = s0->workload;
    sum->space = s0->space;
    if (search_parse_objectives(s0->objectives, sum->obj, &sum->nobj, err)) {
        llm_err_prefix(err, "merge", LLM_ERR_INPUT);
        return -1;
    }
    sum->space_size = r->s.size;
    sum->begin = 0; sum->end = r->s.size;
    sum->shard_index = 0; sum->shard_count = 1;
    sum->slo_filter = r->s.slo_filter;
    sum->min_gain = given ? given->min_gain : 0;
    for (int i = 0; i < nshards; i++) {
        const llm_summary *sh = &msh[i].s;
        sum->processed += sh->processed;
        sum->evaluated += sh->evaluated;
        sum->feasible += sh->feasible;
        for (int k = 1; k < PRUNE_COUNT; k++)
            sum->pruned[k] += sh->pruned[k];
        sum->wall_s += sh->wall_s;
        if (sh->threads > sum->threads)
            sum->threads = sh->threads;
    }
    return 0;
}

/* Adds shard i's front (its indices evaluated again, each checked) to the archive. */
static int merge_front(const merge_shard *sh, const search_inputs *in, const report_summary *sum,
                       pareto *front, llm_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/front.csv", sh->dir);
    uint64_t *idx;
    size_t n;
    if (report_read_front_indices(path, &idx, &n, err))
        return -1;
    int rc = 0;
    for (size_t j = 0; j < n && !rc; j++) {
        search_row r;
        if (idx[j] >= in->s->size) {
            llm_err_set(err, "merge: %s: index %llu is outside the space", path,
                        (unsigned long long)idx[j]);
            rc = -1;
        } else if (idx[j] < sh->s.begin || idx[j] >= sh->s.end) {
            llm_err_set(err, "merge: %s: index %llu is outside shard %d's range [%llu, %llu)",
                        path, (unsigned long long)idx[j], sh->s.shard_index, sh->s.begin,
                        sh->s.end);
            rc = -1;
        } else if (search_row_eval(in, idx[j], &r), r.why != PRUNE_NONE) {
            llm_err_set(err, "merge: %s: index %llu is not a feasible configuration of these "
                        "inputs", path, (unsigned long long)idx[j]);
            rc = -1;
        } else {
            pareto_pt q = {idx[j], {0}};
            for (int k = 0; k < sum->nobj; k++)
                q.o[k] = search_obj_value(sum->obj[k], &r.m);
            if (pareto_insert(front, &q) < 0) {
                llm_err_fail(err, "merge: out of memory");
                rc = -1;
            }
        }
    }
    free(idx);
    return rc;
}

/* The fronts merged and written into the begun output folder. */
static int merge_write(const merge_shard *msh, int nshards, const report_run *r,
                       report_summary *sum, report_outdir *od, report_merge_result *res,
                       llm_err *err)
{
    pareto front;
    pareto_init(&front, sum->nobj);
    int rc = 0;
    for (int i = 0; i < nshards && !rc; i++)
        rc = merge_front(&msh[i], &r->in, sum, &front, err);
    if (!rc) {
        pareto_sort(&front);
        /* no shard replaced by another run while it was read */
        char why[700];
        for (int i = 0; i < nshards && !rc; i++)
            if (report_outdir_same_run(msh[i].dir, msh[i].run, why, sizeof why)) {
                llm_err_fail(err, "merge: %s", why);
                rc = -1;
            }
    }
    if (!rc && (report_write_run(od->tmp, &r->in, sum, &front, NULL, 0, err) ||
                report_outdir_commit(od, 0, err))) {
        llm_err_prefix(err, "merge", LLM_ERR_RUNTIME);
        rc = -1;
    }
    res->processed = sum->processed;
    res->front = (size_t)sum->front_size;   /* after --min-gain thinning */
    pareto_free(&front);
    return rc;
}

int report_merge(const char *out, const char *const *dirs, int nshards,
                 const report_given *given, report_merge_result *res, llm_err *err)
{
    merge_shard *msh = calloc((size_t)nshards, sizeof *msh);
    if (!msh) {
        llm_err_set(err, "merge: out of memory");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < nshards && !rc; i++) {
        msh[i].dir = dirs[i];
        rc = read_shard(msh, i, dirs[0], err);
    }
    if (!rc) {
        qsort(msh, (size_t)nshards, sizeof *msh, by_shard);
        rc = check_cover(msh, nshards, err);
    }
    report_run r;
    if (!rc && !(rc = report_run_load(&msh[0].s, given, "merge", "the shards", &r, err))) {
        report_summary sum;
        report_outdir od;
        int status;
        if (!(rc = merged_summary(msh, nshards, &r, given, &sum, err))) {
            if ((rc = report_outdir_begin(&od, out, "merge", OUTDIR_REPLACE, err, &status))) {
                llm_err_prefix(err, "merge", status);
            } else if ((rc = merge_write(msh, nshards, &r, &sum, &od, res, err))) {
                report_outdir_abort(&od);
            }
        }
        report_run_free(&r);
    }
    free(msh);
    return rc ? -1 : 0;
}
