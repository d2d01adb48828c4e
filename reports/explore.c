/* reports/explore.c — explore's outputs: front.csv, front.json, summary.json, all.csv, each
 * written atomically (docs/explore.md, "Outputs"). */
#include "reports.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int report_prepare_dir(const char *dir, llm_err *err)
{
    struct stat st;
    if (!stat(dir, &st)) {
        if (!S_ISDIR(st.st_mode)) {
            llm_err_set(err, "-o %s: exists and is not a directory", dir);
            return -1;
        }
        if (access(dir, W_OK | X_OK)) {
            llm_err_set(err, "-o %s: the output directory is not writable: %s", dir,
                        strerror(errno));
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        llm_err_set(err, "-o %s: %s", dir, strerror(errno));
        return -1;
    }
    /* Created only when the outputs are written, so a failed run leaves nothing behind;
     * here the parent must exist and be writable. */
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    size_t l = strlen(parent);
    while (l > 1 && parent[l - 1] == '/')
        parent[--l] = '\0';
    char *slash = strrchr(parent, '/');
    if (!slash)
        strcpy(parent, ".");
    else if (slash == parent)
        parent[1] = '\0';
    else
        *slash = '\0';
    if (stat(parent, &st) || !S_ISDIR(st.st_mode) || access(parent, W_OK | X_OK)) {
        llm_err_set(err, "-o %s: cannot create the output directory: %s is not a writable "
                    "directory", dir, parent);
        return -1;
    }
    return 0;
}

int report_make_dir(const char *dir, llm_err *err)
{
    if (mkdir(dir, 0777) && errno != EEXIST) {
        llm_err_set(err, "-o %s: cannot create the output directory: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Removes .NAME.tmp.PID files in dir whose process is gone (a run killed with SIGKILL). */
static void remove_dead_temporaries(const char *dir, const char *name)
{
    char pre[600];
    int pl = snprintf(pre, sizeof pre, ".%s.tmp.", name);
    if (pl <= 0 || pl >= (int)sizeof pre)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, pre, (size_t)pl))
            continue;
        char *end;
        long pid = strtol(e->d_name + pl, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
            errno != ESRCH)
            continue;
        char p[8192];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p)
            unlink(p);
    }
    closedir(d);
}

int report_write_atomic(const char *dir, const char *name, int (*write)(FILE *, void *),
                        void *ctx, llm_err *err)
{
    remove_dead_temporaries(dir, name);
    char tmp[4096], final[4096];
    snprintf(final, sizeof final, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    int slot = report_cleanup_add(tmp, 0); /* removed on an interrupt */
    FILE *f = fopen(tmp, "w");
    if (!f) {
        llm_err_set(err, "%s: cannot write: %s", tmp, strerror(errno));
        report_cleanup_drop(slot);
        return -1;
    }
    int rc = write(f, ctx);
    if (fflush(f) || ferror(f))
        rc = -1;
    int saved = errno;
    if (fclose(f))
        rc = -1;
    if (rc || rename(tmp, final)) {
        if (!rc)
            saved = errno;
        llm_err_set(err, "%s: write failed: %s", final, strerror(saved ? saved : EIO));
        unlink(tmp);
        report_cleanup_drop(slot);
        return -1;
    }
    report_cleanup_drop(slot);
    return 0;
}

/* The columns of a row, shared by CSV and JSON so they cannot drift apart. */
typedef struct {
    const char *name;
    int kind; /* 0 number, 1 integer, 2 string */
} column;

static const column cols[] = {
    {"index", 1}, {"tp", 1}, {"ep", 1}, {"dtype", 2}, {"kv_dtype", 2}, {"batch", 1},
    {"sm_comm", 1}, {"freq_mhz", 0}, {"replicas", 1}, {"gpus", 1}, {"memory_per_gpu_gib", 0},
    {"max_batch", 1}, {"ttft_s", 0}, {"tpot_s", 0}, {"tpot_with_prefill_s", 0},
    {"throughput_tok_s", 0}, {"throughput_per_gpu_tok_s", 0}, {"energy_per_token_j", 0},
    {"prefill_energy_j", 0}, {"decode_energy_per_token_j", 0}, {"avg_power_w", 0},
    {"peak_power_w", 0}, {"effective_freq_mhz", 0}, {"prefill_freq_mhz", 0},
    {"cost_per_mtok_usd", 0},
    /* serving (docs/cost-model.md eq. 35-49): appended so the columns above keep their places */
    {"running_batch", 1}, {"step_overhead_s", 0}, {"ttft_p90_s", 0}, {"ttft_p99_s", 0},
    {"tpot_p90_s", 0}, {"tpot_p99_s", 0}, {"chunk_tokens", 1}, {"replicas_per_gpu", 1},
    /* the 80% bands (docs/cost-model.md eq. 53) and the robust front (eq. 55) */
    {"ttft_s_lo", 0}, {"ttft_s_hi", 0}, {"tpot_s_lo", 0}, {"tpot_s_hi", 0},
    {"throughput_tok_s_lo", 0}, {"throughput_tok_s_hi", 0},
    {"throughput_per_gpu_tok_s_lo", 0}, {"throughput_per_gpu_tok_s_hi", 0},
    {"energy_per_token_j_lo", 0}, {"energy_per_token_j_hi", 0},
    {"avg_power_w_lo", 0}, {"avg_power_w_hi", 0}, {"peak_power_w_lo", 0}, {"peak_power_w_hi", 0},
    {"cost_per_mtok_usd_lo", 0}, {"cost_per_mtok_usd_hi", 0}, {"robust", 1},
    /* pipeline stages (docs/cost-model.md eq. 60-65): appended, the columns above keep their
     * places */
    {"pp", 1},
};
#define COL_COST 24
#define COL_BAND0 33
#define COL_COST_LO 47
#define COL_ROBUST 49
#define COL_PP 50
#define NCOLS (sizeof cols / sizeof cols[0])

/* A row's bands, computed once per row for its band columns. */
typedef struct {
    cost_metric_bands b;
    int robust;
} row_extra;

static void row_bands(const search_inputs *in, const search_row *r, const unsigned char *robust,
                      size_t i, row_extra *x)
{
    search_row_bands(in, r, &x->b);
    x->robust = in->bands && robust ? robust[i] : 0;
}

static double num(const search_row *r, unsigned c, const row_extra *x)
{
    const cost_metrics *m = &r->m;
    const space_point *p = &r->p;
    const cost_metric_bands *b = &x->b;
    switch (c) {
    case 33: return b->ttft.lo;
    case 34: return b->ttft.hi;
    case 35: return b->tpot.lo;
    case 36: return b->tpot.hi;
    case 37: return b->throughput.lo;
    case 38: return b->throughput.hi;
    case 39: return b->throughput_per_gpu.lo;
    case 40: return b->throughput_per_gpu.hi;
    case 41: return b->energy_per_token.lo;
    case 42: return b->energy_per_token.hi;
    case 43: return b->avg_power.lo;
    case 44: return b->avg_power.hi;
    case 45: return b->peak_power.lo;
    case 46: return b->peak_power.hi;
    case 47: return b->cost_per_mtok.lo;
    case 48: return b->cost_per_mtok.hi;
    case 49: return x->robust;
    case COL_PP: return p->pp > 1 ? p->pp : 1;
    case 0: return (double)r->index;
    case 1: return p->tp;
    case 2: return p->ep;
    case 5: return p->batch;
    case 6: return p->sm_comm;
    case 7: return p->freq_mhz;
    case 8: return p->replicas;
    case 9: return m->gpus;
    case 10: return m->memory_per_gpu_gib;
    case 11: return m->max_batch;
    case 12: return m->ttft_s;
    case 13: return m->tpot_s;
    case 14: return m->tpot_with_prefill_s;
    case 15: return m->throughput_tok_s;
    case 16: return m->throughput_per_gpu;
    case 17: return m->energy_per_token_j;
    case 18: return m->prefill_energy_j;
    case 19: return m->decode_energy_per_token_j;
    case 20: return m->avg_power_w;
    case 21: return m->peak_power_w;
    case 22: return m->effective_freq_mhz;
    case 23: return m->prefill_freq_mhz;
    case 24: return m->cost_per_mtok;
    case 25: return m->running_batch;
    case 26: return m->step_overhead_s;
    case 27: return m->ttft_p90_s;
    case 28: return m->ttft_p99_s;
    case 29: return m->tpot_p90_s;
    case 30: return m->tpot_p99_s;
    case 31: return p->chunk_tokens;
    case 32: return p->replicas_per_gpu;
    }
    return 0;
}

static const char *str(const search_row *r, unsigned c)
{
    return llm_dtype_names[c == 3 ? r->p.dtype : r->p.kv_dtype];
}

/* The cost columns only with a price; the bands only with bands; robust only on a front. */
static int skip_col(const search_inputs *in, unsigned c, int front)
{
    if ((c == COL_COST || c == COL_COST_LO || c == COL_COST_LO + 1) &&
        !(in->g->price_per_hour > 0))
        return 1;
    if (c >= COL_BAND0 && c <= COL_ROBUST && !in->bands)
        return 1;
    return c == COL_ROBUST && !front;
}

void report_front_csv_header(FILE *f, const search_inputs *in, int with_slo)
{
    for (unsigned c = 0; c < NCOLS; c++)
        if (!skip_col(in, c, !with_slo))
            fprintf(f, "%s%s", c ? "," : "", cols[c].name);
    fputs(with_slo ? ",slo_met\n" : "\n", f);
}

void report_front_csv(FILE *f, const search_inputs *in, const search_row *rows, size_t n,
                      const unsigned char *robust)
{
    report_front_csv_header(f, in, 0);
    report_front_csv_rows(f, in, rows, n, robust, 0);
}

void report_front_csv_rows(FILE *f, const search_inputs *in, const search_row *rows, size_t n,
                           const unsigned char *robust, int with_slo)
{
    for (size_t i = 0; i < n; i++) {
        const search_row *r = &rows[i];
        row_extra x = {0};
        row_bands(in, r, robust, i, &x);
        for (unsigned c = 0; c < NCOLS; c++) {
            if (skip_col(in, c, !with_slo))
                continue;
            if (c)
                fputc(',', f);
            if (cols[c].kind == 2)
                fputs(str(r, c), f);
            else if (c == 0)
                fprintf(f, "%llu", (unsigned long long)r->index);
            else
                fprintf(f, "%.17g", num(r, c, &x));
        }
        if (with_slo)
            fprintf(f, ",%d", r->why == PRUNE_NONE);
        fputc('\n', f);
    }
}

static void inputs_json(json_out *j, const report_summary *s)
{
    json_str(j, "model", s->model);
    json_str(j, "gpu", s->gpu);
    json_str(j, "workload", s->workload);
    json_str(j, "space", s->space);
    json_arr(j, "objectives");
    for (int k = 0; k < s->nobj; k++)
        json_str(j, NULL, search_obj_names[s->obj[k]]);
    json_end_arr(j);
}

void report_front_json(FILE *f, const report_summary *s, const search_inputs *in,
                       const search_row *rows, size_t n, const unsigned char *robust)
{
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    inputs_json(&j, s);
    json_bool(&j, "partial", s->partial);
    json_arr(&j, "points");
    for (size_t i = 0; i < n; i++) {
        json_obj(&j, NULL);
        row_extra x = {0};
        row_bands(in, &rows[i], robust, i, &x);
        for (unsigned c = 0; c < NCOLS; c++) {
            if (skip_col(in, c, 1))
                continue;
            if (cols[c].kind == 2)
                json_str(&j, cols[c].name, str(&rows[i], c));
            else if (c == 0)
                json_int(&j, cols[c].name, (long long)rows[i].index);
            else if (c == COL_ROBUST)
                json_bool(&j, cols[c].name, x.robust);
            else
                json_num17(&j, cols[c].name, num(&rows[i], c, &x));
        }
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_end_obj(&j);
    json_finish(&j);
}

void report_summary_json(FILE *f, const report_summary *s)
{
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    inputs_json(&j, s);
    if (s->serving) {
        json_obj(&j, "serving");
        json_str(&j, "profile", s->serving);
        json_int(&j, "chunk_tokens", s->chunk_tokens);
        json_str(&j, "kv", s->kv_paged ? "paged" : "reserve");
        json_end_obj(&j);
    }
    json_bool(&j, "slo_filter", s->slo_filter);
    json_int(&j, "space_size", (long long)s->space_size);
    json_obj(&j, "shard");
    json_int(&j, "index", s->shard_index);
    json_int(&j, "count", s->shard_count);
    json_int(&j, "begin", (long long)s->begin);
    json_int(&j, "end", (long long)s->end);
    json_end_obj(&j);
    json_int(&j, "processed", (long long)s->processed);
    json_int(&j, "evaluated", (long long)s->evaluated);
    json_int(&j, "feasible", (long long)s->feasible);
    json_obj(&j, "pruned");
    for (int k = 1; k < PRUNE_COUNT; k++)
        json_int(&j, space_prune_names[k], (long long)s->pruned[k]);
    json_end_obj(&j);
    json_int(&j, "front_size", (long long)s->front_size);
    if (s->min_gain > 0) {
        json_obj(&j, "thinning");
        json_num17(&j, "min_gain", s->min_gain);
        json_int(&j, "front_before", (long long)s->front_before_thinning);
        json_end_obj(&j);
    }
    if (s->has_knee) {
        json_obj(&j, "knee");
        json_int(&j, "index", (long long)s->knee_index);
        json_str(&j, "rule", "nearest the ideal point, each objective's ln scaled to [0, 1] over "
                             "the front (docs/cost-model.md eq. 56)");
        json_end_obj(&j);
    }
    if (s->has_bands) {
        json_obj(&j, "uncertainty");
        json_str(&j, "band", "80% interval from out-of-fit residuals (docs/calibration.md)");
        json_str(&j, "regime", s->regime);
        json_int(&j, "robust_front_size", (long long)s->robust_front_size);
        json_obj(&j, "tolerance_ln");
        for (int k = 0; k < s->nobj; k++)
            json_num17(&j, search_obj_names[s->obj[k]], s->tolerance[k]);
        json_end_obj(&j);
        json_end_obj(&j);
    }
    json_bool(&j, "partial", s->partial);
    json_int(&j, "threads", s->threads);
    json_num(&j, "wall_s", s->wall_s);
    json_num(&j, "configs_per_s", s->wall_s > 0 ? s->processed / s->wall_s : 0);
    if (s->nlopt) {
        const report_nlopt *n = s->nlopt;
        json_obj(&j, "nlopt");
        json_str(&j, "algorithm", "LN_COBYLA, epsilon-constraint sweep, multi-start");
        json_int(&j, "levels", n->levels);
        json_int(&j, "starts", n->starts);
        json_int(&j, "maxeval", n->maxeval);
        json_int(&j, "evaluations", (long long)n->evaluations);
        json_int(&j, "combinations", (long long)n->combos);
        json_int(&j, "subproblems", (long long)n->subproblems);
        json_int(&j, "objective_calls", (long long)n->calls);
        json_int(&j, "converged", (long long)n->converged);
        json_int(&j, "stopped_early", (long long)n->stopped_early);
        json_int(&j, "failed", (long long)n->failed);
        if (n->compared) {
            json_obj(&j, "compare_exhaustive");
            json_int(&j, "exhaustive_evaluated", (long long)n->exhaustive_evaluated);
            json_int(&j, "exhaustive_front", (long long)n->exhaustive_front);
            json_num(&j, "evaluations_fraction", n->evaluations_fraction);
            json_arr(&j, "reference_point");
            for (int k = 0; k < s->nobj; k++)
                json_num17(&j, NULL, n->ref[k]);
            json_end_arr(&j);
            json_num(&j, "hypervolume", n->hv);
            json_num(&j, "hypervolume_exhaustive", n->hv_exhaustive);
            json_num(&j, "hypervolume_ratio", n->hv_ratio);
            json_int(&j, "missed_front_points", (long long)n->missed);
            json_end_obj(&j);
        }
        json_end_obj(&j);
    }
    json_end_obj(&j);
    json_finish(&j);
}
