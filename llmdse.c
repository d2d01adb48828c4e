/* llmdse.c — the command-line dispatcher: parses argv, calls the modules, sets exit codes.
 * Exit status: 0 success, 2 bad usage or bad input (the message names what and where),
 * 1 a run-time failure, 130 interrupted (128 + the signal). The command reference is
 * docs/cli.md. */
#include "configs/configs.h"
#include "cost/cost.h"
#include "reports/reports.h"

#include "search/search.h"
#include "space/space.h"
#include "validate/validate.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LLMDSE_VERSION "0.1.0"

static void die_usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("llmdse: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* ---- option parsing ----------------------------------------------------------------------- */

typedef enum { O_STR, O_INT, O_NUM, O_FLAG } opt_type;
typedef struct {
    const char *name;  /* "--tp" */
    const char *alias; /* "-m" or NULL */
    opt_type type;
    void *dst;
    double min, max;
    int seen;
} opt;

static long long parse_int(const char *name, const char *s, double min, double max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        die_usage("%s: expected an integer, found \"%s\"", name, s);
    if (v < min || v > max)
        die_usage("%s: expected an integer in [%.0f, %.0f], found %lld", name, min, max, v);
    return v;
}

static double parse_num(const char *name, const char *s, double min, double max)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        die_usage("%s: expected a number, found \"%s\"", name, s);
    if (v < min || v > max)
        die_usage("%s: expected a number in [%g, %g], found %g", name, min, max, v);
    return v;
}

/* Parses argv[first..] against opts; a positional argument or unknown option is an error. */
static void parse_opts(int argc, char **argv, int first, opt *opts, const char *cmd)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        opt *o = NULL;
        for (opt *p = opts; p->name; p++)
            if (!strcmp(a, p->name) || (p->alias && !strcmp(a, p->alias)))
                o = p;
        if (!o)
            die_usage("%s: unknown option \"%s\" (see llmdse help %s)", cmd, a, cmd);
        if (o->seen)
            die_usage("%s: option %s given twice", cmd, o->name);
        o->seen = 1;
        if (o->type == O_FLAG) {
            *(int *)o->dst = 1;
            continue;
        }
        if (i + 1 >= argc)
            die_usage("%s: option %s needs a value", cmd, o->name);
        const char *v = argv[++i];
        switch (o->type) {
        case O_STR: *(const char **)o->dst = v; break;
        case O_INT: *(int *)o->dst = (int)parse_int(o->name, v, o->min, o->max); break;
        case O_NUM: *(double *)o->dst = parse_num(o->name, v, o->min, o->max); break;
        case O_FLAG: break;
        }
    }
}

static int opt_seen(const opt *opts, const char *name)
{
    for (const opt *p = opts; p->name; p++)
        if (!strcmp(p->name, name))
            return p->seen;
    return 0;
}

static report_format parse_format(const char *s, int allow_csv)
{
    if (!s || !strcmp(s, "text")) return FMT_TEXT;
    if (!strcmp(s, "json")) return FMT_JSON;
    if (allow_csv && !strcmp(s, "csv")) return FMT_CSV;
    die_usage("--format: expected text|json%s, found \"%s\"", allow_csv ? "|csv" : "", s);
}

static llm_dtype parse_dtype(const char *opt_name, const char *s)
{
    llm_dtype t;
    if (!s)
        return LLM_BF16;
    if (llm_dtype_parse(s, &t) || (t != LLM_BF16 && t != LLM_FP8))
        die_usage("%s: expected bf16 or fp8, found \"%s\"", opt_name, s);
    return t;
}

static void load_or_die(int rc, const llm_err *err)
{
    if (rc)
        die_usage("%s", err->msg);
}

/* Begins an output folder (reports/outdir.c): exits 2 on a bad -o, 1 when another run holds
 * its lock or it cannot be created. */
static void outdir_begin(report_outdir *od, const char *cmd, const char *out, int mode)
{
    llm_err err;
    int status;
    if (report_outdir_begin(od, out, cmd, mode, &err, &status)) {
        if (status == 2)
            die_usage("%s: %s", cmd, err.msg);
        fprintf(stderr, "llmdse: error: %s: %s\n", cmd, err.msg);
        exit(1);
    }
}

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

/* ---- shared model/GPU/configuration options ----------------------------------------------- */

typedef struct {
    const char *model, *gpu, *workload, *dtype, *kv_dtype, *format, *phase;
    cost_config c;
    int seq, ctx, unfused_attn, unfused_gate_up;
} common_args;

#define IMAX 2147483647.0
#define COMMON_OPTS(a)                                                                        \
    {"--model", "-m", O_STR, &(a).model, 0, 0, 0}, {"--gpu", "-g", O_STR, &(a).gpu, 0, 0, 0}, \
    {"--tp", NULL, O_INT, &(a).c.tp, 1, 1024, 0}, {"--ep", NULL, O_INT, &(a).c.ep, 1, 4096, 0}, \
    {"--batch", NULL, O_INT, &(a).c.batch, 1, 1 << 20, 0},                                    \
    {"--freq", NULL, O_NUM, &(a).c.freq_mhz, 1, 1e5, 0},                                      \
    {"--dtype", NULL, O_STR, &(a).dtype, 0, 0, 0},                                            \
    {"--kv-dtype", NULL, O_STR, &(a).kv_dtype, 0, 0, 0},                                      \
    {"--unfused-attention", NULL, O_FLAG, &(a).unfused_attn, 0, 0, 0},                        \
    {"--unfused-gate-up", NULL, O_FLAG, &(a).unfused_gate_up, 0, 0, 0},                       \
    {"--format", NULL, O_STR, &(a).format, 0, 0, 0}

static void load_common(common_args *a, const char *cmd, llm_model *m, llm_gpu *g)
{
    llm_err err;
    if (!a->model)
        die_usage("%s: -m MODEL is required (a bundled name or a path)", cmd);
    if (!a->gpu)
        die_usage("%s: -g GPU is required (a bundled name or a path)", cmd);
    load_or_die(configs_load_model(a->model, m, &err), &err);
    load_or_die(configs_load_gpu(a->gpu, g, &err), &err);
    a->c.wdtype = parse_dtype("--dtype", a->dtype);
    a->c.kvdtype = parse_dtype("--kv-dtype", a->kv_dtype);
    if (!a->dtype)
        a->c.wdtype = m->weight_dtype == LLM_FP8 ? LLM_FP8 : LLM_BF16;
    if (!a->kv_dtype)
        a->c.kvdtype = m->kv_dtype == LLM_FP8 ? LLM_FP8 : LLM_BF16;
    a->c.unfused_attention = a->unfused_attn;
    a->c.unfused_gate_up = a->unfused_gate_up;
}

/* ---- serving options (eval, explore, search, recommend, sku-check; docs/cli.md) ----------------------- */

typedef struct {
    const char *name, *kv;
    int chunk_tokens, kv_paged, loaded;
    llm_serving prof;
} serving_args;

#define SERVING_OPTS(s)                                                                       \
    {"--serving", NULL, O_STR, &(s).name, 0, 0, 0},                                           \
    {"--chunk-tokens", NULL, O_INT, &(s).chunk_tokens, 1, 1 << 22, 0},                        \
    {"--kv", NULL, O_STR, &(s).kv, 0, 0, 0}

static void load_serving(serving_args *s, const char *cmd)
{
    llm_err err;
    if (!s->name)
        s->name = LLM_SERVING_DEFAULT;
    if (configs_load_serving(s->name, &s->prof, &err))
        die_usage("%s: --serving: %s", cmd, err.msg);
    if (!s->kv || !strcmp(s->kv, "paged"))
        s->kv_paged = 1;
    else if (!strcmp(s->kv, "reserve"))
        s->kv_paged = 0;
    else
        die_usage("%s: --kv: expected reserve or paged, found \"%s\"", cmd, s->kv);
    s->loaded = 1;
}

static void serving_inputs(const serving_args *s, search_inputs *in)
{
    in->serving = s->loaded ? &s->prof : NULL;
    in->chunk_tokens = s->chunk_tokens;
    in->kv_paged = s->kv_paged;
}

static void serving_summary(const serving_args *s, report_summary *sum)
{
    sum->serving = s->loaded ? s->name : NULL;
    sum->chunk_tokens = s->chunk_tokens;
    sum->kv_paged = s->kv_paged;
}

/* merge and report evaluate rows again: with the serving settings the run recorded. */
static void serving_from_summary(const llm_summary *sum, serving_args *s, const char *cmd)
{
    memset(s, 0, sizeof *s);
    if (!sum->has_serving)
        return;
    s->name = sum->serving;
    s->kv = sum->kv_paged ? "paged" : "reserve";
    load_serving(s, cmd);
    s->chunk_tokens = sum->chunk_tokens;
}

/* ---- commands ----------------------------------------------------------------------------- */

static int cmd_eval(int argc, char **argv)
{
    common_args a = {0};
    cost_config_default(&a.c);
    int prompt = 0, output = 0;
    serving_args sv = {0};
    opt opts[] = {COMMON_OPTS(a),
                  {"--workload", "-w", O_STR, &a.workload, 0, 0, 0},
                  {"--replicas", NULL, O_INT, &a.c.replicas, 1, 1 << 20, 0},
                  {"--sm-comm", NULL, O_INT, &a.c.sm_comm, 0, 4095, 0},
                  {"--prompt", NULL, O_INT, &prompt, 1, IMAX, 0},
                  {"--output", NULL, O_INT, &output, 1, IMAX, 0},
                  {"--power-cap", NULL, O_NUM, &a.c.power_cap_w, 1, 1e6, 0},
                  SERVING_OPTS(sv),
                  {"--replicas-per-gpu", NULL, O_INT, &a.c.replicas_per_gpu, 1, 64, 0},
                  {"--rate", NULL, O_NUM, &a.c.rate_rps, 1e-9, 1e9, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "eval");
    load_serving(&sv, "eval");
    a.c.serving = &sv.prof;
    a.c.chunk_tokens = sv.chunk_tokens;
    a.c.kv_paged = sv.kv_paged;
    report_format fmt = parse_format(a.format, 0);
    llm_model m;
    llm_gpu g;
    llm_workload w;
    llm_err err;
    load_common(&a, "eval", &m, &g);
    /* Without -w, the request shape comes from the bundled chat workload (SLOs not judged). */
    int have_w = a.workload != NULL;
    load_or_die(configs_load_workload(have_w ? a.workload : "chat", &w, &err), &err);
    a.c.prompt = opt_seen(opts, "--prompt") ? prompt : (int)lround(w.prompt_mean);
    a.c.output = opt_seen(opts, "--output") ? output : (int)lround(w.output_mean);
    /* the workload's output spread (eq. 42), unless the output length is given exactly */
    a.c.output_cv2 = opt_seen(opts, "--output") ? 0 : cost_workload_output_cv2(&w);
    if (cost_check(&m, &g, &a.c, &err))
        die_usage("eval: %s", err.msg);
    cost_metrics r;
    cost_eval(&m, &g, &a.c, &r);
    if (!report_metrics_finite(&r)) {
        fprintf(stderr, "llmdse: error: eval: the cost model produced a non-finite or negative "
                        "result for this configuration; this is a bug, please report it\n");
        return 1;
    }
    report_inputs in = {&m, &g, have_w ? &w : NULL, &a.c};
    cost_batch_advice(&m, &g, &a.c, 0.95, &r.advised_batch, &r.advised_plateau_tok_s,
                      &r.advised_freed_gib);
    report_eval(stdout, fmt, &in, &r);
    return 0;
}

static int cmd_ops(int argc, char **argv)
{
    common_args a = {0};
    cost_config_default(&a.c);
    opt opts[] = {COMMON_OPTS(a),
                  {"--phase", NULL, O_STR, &a.phase, 0, 0, 0},
                  {"--seq", NULL, O_INT, &a.seq, 1, 1 << 24, 0},
                  {"--ctx", NULL, O_INT, &a.ctx, 1, 1 << 24, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "ops");
    report_format fmt = parse_format(a.format, 1);
    llm_model m;
    llm_gpu g;
    llm_err err;
    load_common(&a, "ops", &m, &g);
    if (!a.phase)
        die_usage("ops: --phase prefill|decode is required");
    cost_phase ph;
    if (!strcmp(a.phase, "prefill"))
        ph = PHASE_PREFILL;
    else if (!strcmp(a.phase, "decode"))
        ph = PHASE_DECODE;
    else
        die_usage("ops: --phase: expected prefill or decode, found \"%s\"", a.phase);
    if (!opt_seen(opts, "--batch"))
        die_usage("ops: --batch N is required");
    if (ph == PHASE_PREFILL && !a.seq)
        die_usage("ops: --seq N (prompt length) is required for --phase prefill");
    if (ph == PHASE_DECODE && !a.ctx)
        die_usage("ops: --ctx N (context length) is required for --phase decode");
    /* The request shape only matters to cost_check's context limit: a prefill has no
     * output token, so its prompt may fill the context (the check wants one output token;
     * the prompt is checked one short of the context and the phase builds the full one). */
    a.c.prompt = ph == PHASE_PREFILL ? a.seq : a.ctx;
    a.c.output = 1;
    if (ph == PHASE_PREFILL && a.seq == m.max_context_tokens && a.seq > 1)
        a.c.prompt = a.seq - 1;
    if (cost_check(&m, &g, &a.c, &err))
        die_usage("ops: %s", err.msg);
    double mhz = a.c.freq_mhz > 0 ? llm_gpu_snap_clock(&g, a.c.freq_mhz) : g.max_mhz;
    cost_layer L;
    cost_build_layer(&m, &g, &a.c, ph, a.c.batch, a.seq, a.ctx, &L);
    report_inputs in = {&m, &g, NULL, &a.c};
    report_ops(stdout, fmt, &in, ph, &L, mhz);
    return 0;
}

static int cmd_kernel(int argc, char **argv)
{
    if (argc < 3 || argv[2][0] == '-')
        die_usage("kernel: expected a kernel: gemm, attention, allreduce, allgather, "
                  "reducescatter, alltoall or sendrecv");
    const char *kind = argv[2];
    const char *gpu = NULL, *dtype = NULL, *format = NULL;
    double M = 0, N = 0, K = 0, freq = 0, sms = 0, bytes = 0;
    int ranks = 0, batch = 1, heads = 0, kv_heads = 0, head_dim = 128, seq = 0, ctx = 0;
    int unfused = 0, scaleout = 0;
    opt opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--m", NULL, O_NUM, &M, 1, 1e9, 0},
                  {"--n", NULL, O_NUM, &N, 1, 1e9, 0},
                  {"--k", NULL, O_NUM, &K, 1, 1e9, 0},
                  {"--dtype", NULL, O_STR, &dtype, 0, 0, 0},
                  {"--freq", NULL, O_NUM, &freq, 1, 1e5, 0},
                  {"--sms", NULL, O_NUM, &sms, 1, 4096, 0},
                  {"--ranks", NULL, O_INT, &ranks, 2, 65536, 0},
                  {"--bytes", NULL, O_NUM, &bytes, 1, 1e15, 0},
                  {"--scaleout", NULL, O_FLAG, &scaleout, 0, 0, 0},
                  {"--batch", NULL, O_INT, &batch, 1, 1 << 20, 0},
                  {"--heads", NULL, O_INT, &heads, 1, 4096, 0},
                  {"--kv-heads", NULL, O_INT, &kv_heads, 1, 4096, 0},
                  {"--head-dim", NULL, O_INT, &head_dim, 1, 4096, 0},
                  {"--seq", NULL, O_INT, &seq, 1, 1 << 24, 0},
                  {"--ctx", NULL, O_INT, &ctx, 1, 1 << 24, 0},
                  {"--unfused", NULL, O_FLAG, &unfused, 0, 0, 0},
                  {"--format", NULL, O_STR, &format, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 3, opts, "kernel");
    report_format fmt = parse_format(format, 0);
    if (!gpu)
        die_usage("kernel: -g GPU is required");
    llm_gpu g;
    llm_err err;
    load_or_die(configs_load_gpu(gpu, &g, &err), &err);
    double mhz = g.max_mhz;
    if (freq > 0 && (mhz = llm_gpu_snap_clock(&g, freq)) < 0)
        die_usage("kernel: --freq: expected an SM clock in [%g, %g] MHz for %s, found %g",
                  g.min_mhz, g.max_mhz, g.name, freq);
    if (sms > g.sm_count)
        die_usage("kernel: --sms: expected at most %d for %s, found %g", g.sm_count, g.name, sms);
    if (sms == 0)
        sms = g.sm_count;
    llm_dtype dt = parse_dtype("--dtype", dtype);
    if (dt == LLM_FP8 && g.fp8_flop_per_clk_sm <= 0)
        die_usage("kernel: --dtype fp8: %s has no fp8 tensor cores; use bf16", g.name);
    cost_kernel k;
    char what[160];
    if (!strcmp(kind, "gemm")) {
        if (!M || !N || !K)
            die_usage("kernel gemm: --m, --n and --k are required");
        double eb = llm_dtype_bytes(dt);
        cost_gemm(&g, M, N, K, 1, eb, eb, 2, dt == LLM_FP8, mhz, sms, &k);
        snprintf(what, sizeof what, "gemm %.0fx%.0fx%.0f %s", M, N, K, llm_dtype_names[dt]);
    } else if (!strcmp(kind, "attention")) {
        if (!heads || !seq)
            die_usage("kernel attention: --heads and --seq are required (--ctx for keys, "
                      "default --seq; --seq 1 is a decode step)");
        if (!kv_heads)
            kv_heads = heads;
        if (heads % kv_heads)
            die_usage("kernel attention: --kv-heads: expected a divisor of --heads (%d), "
                      "found %d", heads, kv_heads);
        if (!ctx)
            ctx = seq;
        if (ctx < seq)
            die_usage("kernel attention: --ctx: expected at least --seq (%d), found %d", seq,
                      ctx);
        double eb = llm_dtype_bytes(dt);
        cost_attn_shape s = {batch, heads, kv_heads, head_dim, seq, ctx, 2, eb, !unfused};
        cost_attention(&g, &s, mhz, sms, &k);
        snprintf(what, sizeof what, "attention %s b=%d h=%d g=%d x=%d s=%d c=%d",
                 unfused ? "unfused" : "fused", batch, heads, kv_heads, head_dim, seq, ctx);
    } else {
        int c = -1;
        for (int i = 0; llm_coll_names[i]; i++)
            if (!strcmp(kind, llm_coll_names[i]))
                c = i;
        if (c < 0)
            die_usage("kernel: unknown kernel \"%s\"; expected gemm, attention, allreduce, "
                      "allgather, reducescatter, alltoall or sendrecv", kind);
        if (!ranks || !bytes)
            die_usage("kernel %s: --ranks and --bytes are required", kind);
        if (c == LLM_SENDRECV && ranks != 2)
            die_usage("kernel sendrecv: --ranks: expected 2, found %d", ranks);
        cost_collective(&g, (llm_coll)c, ranks, bytes, sms, scaleout, &k);
        snprintf(what, sizeof what, "%s %d ranks %.0f bytes%s", kind, ranks, bytes,
                 scaleout ? " across nodes" : "");
    }
    report_kernel(stdout, fmt, what, &g, &k, mhz, sms);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- explore ------------------------------------------------------------------------------ */

/* Set by the first SIGINT/SIGTERM during explore's evaluation (reports/outdir.c); the
 * evaluator checks it between work units. */
static volatile sig_atomic_t stop_requested;

/* --all writes every evaluated point; beyond this many points in the range it needs --force. */
#define ALL_LIMIT 1000000ULL

typedef struct {
    const search_inputs *in;
    const report_summary *sum;
    const search_row *rows;
    size_t n;
    const uint64_t *all;
    size_t n_all;
} explore_out;

static int write_front_csv(FILE *f, void *ctx)
{
    const explore_out *o = ctx;
    report_front_csv(f, o->in, o->rows, o->n, 0);
    return 0;
}

static int write_front_json(FILE *f, void *ctx)
{
    const explore_out *o = ctx;
    report_front_json(f, o->sum, o->in, o->rows, o->n);
    return 0;
}

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

static int write_summary(FILE *f, void *ctx)
{
    report_summary_json(f, ((const explore_out *)ctx)->sum);
    return 0;
}

static int write_all_csv(FILE *f, void *ctx)
{
    const explore_out *o = ctx;
    /* evaluated and written in blocks so memory stays flat */
    search_row rows[256];
    report_front_csv_header(f, o->in, 1);
    for (size_t i = 0; i < o->n_all;) {
        size_t k = 0;
        for (; k < 256 && i < o->n_all; k++, i++)
            search_row_eval(o->in, o->all[i], &rows[k]);
        report_front_csv_rows(f, o->in, rows, k, 1);
    }
    return 0;
}

/* Evaluates the front's rows and writes front.csv, front.json, summary.json (and all.csv). */
static int write_outputs(const char *dir, const search_inputs *in, report_summary *sum,
                         const pareto *front, const uint64_t *all, size_t n_all, llm_err *err)
{
    search_row *rows = calloc(front->n ? front->n : 1, sizeof *rows);
    if (!rows) {
        llm_err_set(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < front->n; i++)
        search_row_eval(in, front->pt[i].index, &rows[i]);
    sum->front_size = front->n;
    explore_out o = {in, sum, rows, front->n, all, n_all};
    int rc = report_make_dir(dir, err) || report_write_atomic(dir, "front.csv", write_front_csv, &o, err) ||
             report_write_atomic(dir, "front.json", write_front_json, &o, err) ||
             (all && report_write_atomic(dir, "all.csv", write_all_csv, &o, err)) ||
             report_write_atomic(dir, "summary.json", write_summary, &o, err);
    free(rows);
    return rc ? -1 : 0;
}

static void load_inputs(const char *model, const char *gpu, const char *workload,
                        const char *space, llm_model *m, llm_gpu *g, llm_workload *w,
                        space_t *s, const char *cmd)
{
    llm_err err;
    if (!model || !gpu || !workload)
        die_usage("%s: -m MODEL, -g GPU and -w WORKLOAD are required", cmd);
    load_or_die(configs_load_model(model, m, &err), &err);
    load_or_die(configs_load_gpu(gpu, g, &err), &err);
    load_or_die(configs_load_workload(workload, w, &err), &err);
    llm_space_spec spec;
    if (space)
        load_or_die(configs_load_space(space, &spec, &err), &err);
    int rc = space_build(space ? &spec : NULL, m, g, s, &err);
    if (space)
        configs_free_space(&spec);
    if (rc)
        die_usage("%s%s%s", space ? space : "", space ? ": " : "", err.msg);
}

/* What explore and search share: the inputs, the SLO filter and the objectives (cost only
 * where the GPU has a price). */
typedef struct {
    llm_model m;
    llm_gpu g;
    llm_workload w;
    space_t s;
    int nobj;
    search_obj obj[SEARCH_MAX_OBJ];
} run_inputs;

static void load_run(const char *cmd, const char *model, const char *gpu, const char *workload,
                     const char *space, const char *objectives, int slo, run_inputs *r)
{
    llm_err err;
    load_inputs(model, gpu, workload, space, &r->m, &r->g, &r->w, &r->s, cmd);
    if (slo)
        r->s.slo_filter = 1;
    if (search_parse_objectives(objectives, r->obj, &r->nobj, &err))
        die_usage("%s: %s", cmd, err.msg);
    for (int k = 0; k < r->nobj; k++)
        if (r->obj[k] == OBJ_COST && r->g.price_per_hour <= 0)
            die_usage("%s: --objectives cost_per_mtok: %s has no price "
                      "(price_per_gpu_hour_usd in its JSON)", cmd, r->g.name);
}

/* The summary's inputs and the space, for a run over the whole space. */
static void summary_base(report_summary *sum, const char *model, const char *gpu,
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

static int cmd_explore(int argc, char **argv)
{
    const char *model = NULL, *gpu = NULL, *workload = NULL, *space = NULL, *out = NULL;
    const char *objectives = SEARCH_DEFAULT_OBJECTIVES, *shard = NULL;
    int threads = 0, all = 0, force = 0, slo = 0, quiet = 0;
    serving_args sv = {0};
    opt opts[] = {SERVING_OPTS(sv),
                  {"--model", "-m", O_STR, &model, 0, 0, 0},
                  {"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                  {"--space", "-s", O_STR, &space, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--objectives", NULL, O_STR, &objectives, 0, 0, 0},
                  {"--threads", NULL, O_INT, &threads, 1, 1024, 0},
                  {"--shard", NULL, O_STR, &shard, 0, 0, 0},
                  {"--all", NULL, O_FLAG, &all, 0, 0, 0},
                  {"--force", NULL, O_FLAG, &force, 0, 0, 0},
                  {"--slo", NULL, O_FLAG, &slo, 0, 0, 0},
                  {"--quiet", "-q", O_FLAG, &quiet, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "explore");
    if (!out)
        die_usage("explore: -o DIR is required");
    if (!*out)
        die_usage("explore: -o: expected a folder name, found an empty string");
    run_inputs ri;
    llm_err err;
    load_run("explore", model, gpu, workload, space, objectives, slo, &ri);
    load_serving(&sv, "explore");
    space_t s = ri.s;
    explore_args a;
    memset(&a, 0, sizeof a);
    a.in = (search_inputs){&ri.m, &ri.g, &ri.w, &s, NULL, 0, 0};
    serving_inputs(&sv, &a.in);
    a.nobj = ri.nobj;
    memcpy(a.obj, ri.obj, sizeof a.obj);
    int si = 0, sn = 1;
    if (shard) {
        if (parse_shard(shard, &si, &sn))
            die_usage("explore: --shard: expected I/N with 0 <= I < N <= 2^30, found \"%s\"",
                      shard);
        if ((uint64_t)sn > s.size)
            die_usage("explore: --shard: %d shards for a space of %llu points; expected at "
                      "most one shard per point", sn, (unsigned long long)s.size);
    }
    /* shard I of N: [I*size/N, (I+1)*size/N), computed without overflow (size < 2^63) */
    a.begin = (uint64_t)((unsigned __int128)s.size * (unsigned)si / (unsigned)sn);
    a.end = (uint64_t)((unsigned __int128)s.size * (unsigned)(si + 1) / (unsigned)sn);
    if (all && a.end - a.begin > ALL_LIMIT && !force)
        die_usage("explore: --all: the range has %llu points, more than %llu; the CSV would "
                  "be huge. Use --force to write it anyway, or a smaller space",
                  (unsigned long long)(a.end - a.begin), ALL_LIMIT);
    a.keep_all = all;
    a.threads = threads;
    a.progress = !quiet && isatty(2);
    a.stop = &stop_requested;
    report_outdir od;
    outdir_begin(&od, "explore", out, OUTDIR_REPLACE);
    /* the first Ctrl-C stops the evaluation and writes the front so far, marked partial; a
     * second, or one while the files are written, ends the run at once (exit 130) */
    report_signals_graceful(&stop_requested);
    explore_result r;
    int failed = search_explore(&a, &r, &err);
    report_signals_graceful(NULL);
    if (failed) {
        fprintf(stderr, "llmdse: error: explore: %s\n", err.msg);
        space_free(&s);
        return 1;
    }
    if (!r.partial && sn == 1 && r.feasible == 0) {
        fprintf(stderr, "llmdse: error: explore: no configuration of the %llu in the space is "
                "feasible; pruned:", (unsigned long long)s.size);
        for (int k = 1; k < PRUNE_COUNT; k++)
            if (r.pruned[k])
                fprintf(stderr, " %s %llu", space_prune_names[k],
                        (unsigned long long)r.pruned[k]);
        fputs("\n", stderr);
        explore_result_free(&r);
        space_free(&s);
        return 2;
    }
    report_summary sum;
    summary_base(&sum, model, gpu, workload, space, a.nobj, a.obj, &s);
    serving_summary(&sv, &sum);
    sum.begin = a.begin; sum.end = a.end;
    sum.shard_index = si; sum.shard_count = sn;
    sum.processed = r.processed; sum.evaluated = r.evaluated; sum.feasible = r.feasible;
    memcpy(sum.pruned, r.pruned, sizeof r.pruned);
    sum.partial = r.partial; sum.threads = r.threads; sum.wall_s = r.wall_s;
    /* an interrupted --all run writes no all.csv: millions of rows would take longer than an
     * interrupt should (docs/explore.md) */
    const uint64_t *all_idx = r.all;
    size_t n_all = r.n_all;
    if (sum.partial && all_idx && n_all > 100000) {
        fprintf(stderr, "llmdse: explore: interrupted: all.csv (%zu points so far) is not "
                "written\n", n_all);
        all_idx = NULL;
        n_all = 0;
    }
    int rc = write_outputs(od.tmp, &a.in, &sum, &r.front, all_idx, n_all, &err) ||
             report_outdir_commit(&od, sum.partial, &err);
    if (rc)
        fprintf(stderr, "llmdse: error: explore: %s\n", err.msg);
    else if (!quiet)
        printf("explored %llu of %llu configurations in %.2f s (%.2f M/s, %d threads): %llu "
               "evaluated, %llu feasible, front of %zu -> %s/front.csv%s\n",
               (unsigned long long)r.processed, (unsigned long long)(a.end - a.begin),
               r.wall_s, r.wall_s > 0 ? r.processed / r.wall_s / 1e6 : 0, r.threads,
               (unsigned long long)r.evaluated, (unsigned long long)r.feasible, r.front.n, out,
               r.partial ? " (PARTIAL: interrupted)" : "");
    explore_result_free(&r);
    space_free(&s);
    if (rc)
        return 1;
    if (sum.partial) {
        fprintf(stderr, "llmdse: explore: interrupted; the front of what was evaluated is in "
                "%s, marked partial in summary.json and manifest.json\n", out);
        return 130;
    }
    return 0;
}

/* ---- search (NLopt) ----------------------------------------------------------------------- */

static int cmd_search(int argc, char **argv)
{
    const char *model = NULL, *gpu = NULL, *workload = NULL, *space = NULL, *out = NULL;
    const char *objectives = SEARCH_DEFAULT_OBJECTIVES;
    int levels = 2, starts = 1, maxeval = 40, polish = 50, compare = 0, slo = 0, quiet = 0;
    serving_args sv = {0};
    opt opts[] = {SERVING_OPTS(sv),
                  {"--model", "-m", O_STR, &model, 0, 0, 0},
                  {"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                  {"--space", "-s", O_STR, &space, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--objectives", NULL, O_STR, &objectives, 0, 0, 0},
                  {"--levels", NULL, O_INT, &levels, 1, 64, 0},
                  {"--starts", NULL, O_INT, &starts, 1, 8, 0},
                  {"--maxeval", NULL, O_INT, &maxeval, 5, 100000, 0},
                  {"--polish", NULL, O_INT, &polish, 0, 10000, 0},
                  {"--compare-exhaustive", NULL, O_FLAG, &compare, 0, 0, 0},
                  {"--slo", NULL, O_FLAG, &slo, 0, 0, 0},
                  {"--quiet", "-q", O_FLAG, &quiet, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "search");
    if (!out)
        die_usage("search: -o DIR is required");
    if (!*out)
        die_usage("search: -o: expected a folder name, found an empty string");
    run_inputs ri;
    llm_err err;
    load_run("search", model, gpu, workload, space, objectives, slo, &ri);
    load_serving(&sv, "search");
    space_t s = ri.s;
    nlsearch_args a;
    memset(&a, 0, sizeof a);
    a.in = (search_inputs){&ri.m, &ri.g, &ri.w, &s, NULL, 0, 0};
    serving_inputs(&sv, &a.in);
    a.nobj = ri.nobj;
    memcpy(a.obj, ri.obj, sizeof a.obj);
    a.levels = levels;
    a.starts = starts;
    a.maxeval = maxeval;
    a.polish_rounds = polish;
    report_outdir od;
    outdir_begin(&od, "search", out, OUTDIR_REPLACE);
    double t0 = now_s();
    nlsearch_result r;
    if (search_nlopt(&a, &r, &err)) {
        fprintf(stderr, "llmdse: error: search: %s\n", err.msg);
        space_free(&s);
        return 1;
    }
    double wall = now_s() - t0;
    if (r.front.n == 0) {
        fprintf(stderr, "llmdse: error: search: no feasible configuration found in the space "
                "(llmdse explore reports why each point is pruned)\n");
        nlsearch_result_free(&r);
        space_free(&s);
        return 2;
    }
    report_nlopt nl;
    memset(&nl, 0, sizeof nl);
    nl.evaluations = r.evaluations; nl.combos = r.combos; nl.subproblems = r.subproblems;
    nl.calls = r.calls; nl.converged = r.converged; nl.stopped_early = r.stopped_early;
    nl.failed = r.failed; nl.levels = levels; nl.starts = starts; nl.maxeval = maxeval;
    if (r.failed)
        fprintf(stderr, "llmdse: warning: search: NLopt failed in %llu of %llu runs (first: "
                "%s); their evaluated points are kept, exactly evaluated\n",
                (unsigned long long)r.failed,
                (unsigned long long)(r.converged + r.stopped_early + r.failed), r.first_failure);
    if (compare) {
        explore_args ea;
        memset(&ea, 0, sizeof ea);
        ea.in = a.in;
        ea.nobj = a.nobj;
        memcpy(ea.obj, a.obj, sizeof a.obj);
        ea.end = s.size;
        ea.progress = !quiet && isatty(2);
        explore_result ex;
        if (search_explore(&ea, &ex, &err)) {
            fprintf(stderr, "llmdse: error: search: %s\n", err.msg);
            return 1;
        }
        search_comparison cmp;
        if (search_compare(&r.front, &ex.front, &cmp)) {
            fprintf(stderr, "llmdse: error: search: out of memory\n");
            return 1;
        }
        nl.compared = 1;
        memcpy(nl.ref, cmp.ref, sizeof nl.ref);
        nl.hv = cmp.hv;
        nl.hv_exhaustive = cmp.hv_exhaustive;
        nl.hv_ratio = cmp.ratio;
        nl.missed = cmp.missed;
        nl.exhaustive_evaluated = ex.evaluated;
        nl.exhaustive_front = ex.front.n;
        nl.evaluations_fraction = ex.evaluated ? (double)r.evaluations / ex.evaluated : 0;
        int shown = 0;
        for (size_t i = 0; i < ex.front.n; i++)
            if (!search_weakly_dominated(&ex.front.pt[i], &r.front)) {
                if (!quiet && shown++ < 5) {
                    search_row row;
                    search_row_eval(&a.in, ex.front.pt[i].index, &row);
                    fprintf(stderr, "  missed: index %llu tp %d ep %d %s/%s batch %d sm_comm %d "
                            "%g MHz replicas %d\n", (unsigned long long)row.index, row.p.tp,
                            row.p.ep, llm_dtype_names[row.p.dtype],
                            llm_dtype_names[row.p.kv_dtype], row.p.batch, row.p.sm_comm,
                            row.p.freq_mhz, row.p.replicas);
                }
            }
        explore_result_free(&ex);
    }
    report_summary sum;
    summary_base(&sum, model, gpu, workload, space, a.nobj, a.obj, &s);
    serving_summary(&sv, &sum);
    sum.processed = r.evaluations;
    sum.evaluated = r.evaluations;
    sum.threads = 1;
    sum.wall_s = wall;
    sum.nlopt = &nl;
    int rc = write_outputs(od.tmp, &a.in, &sum, &r.front, NULL, 0, &err) ||
             report_outdir_commit(&od, 0, &err);
    if (rc)
        fprintf(stderr, "llmdse: error: search: %s\n", err.msg);
    else if (!quiet) {
        printf("search: %llu evaluations (%llu combinations, %llu subproblems; NLopt %llu "
               "converged, %llu stopped early, %llu failed) in %.2f s, front of %zu -> %s/"
               "front.csv\n", (unsigned long long)r.evaluations, (unsigned long long)r.combos,
               (unsigned long long)r.subproblems, (unsigned long long)r.converged,
               (unsigned long long)r.stopped_early, (unsigned long long)r.failed, wall,
               r.front.n, out);
        if (nl.compared)
            printf("compared with exhaustive: %.2f%% of its hypervolume with %.2f%% of its "
                   "%llu evaluations; %llu of its %llu front points not matched\n",
                   100 * nl.hv_ratio, 100 * nl.evaluations_fraction,
                   (unsigned long long)nl.exhaustive_evaluated, (unsigned long long)nl.missed,
                   (unsigned long long)nl.exhaustive_front);
    }
    nlsearch_result_free(&r);
    space_free(&s);
    return rc ? 1 : 0;
}

/* ---- recommend (GLPK) ---------------------------------------------------------------------- */

/* Splits a comma-separated list in place; returns the count (at most max). */
static int split_list(char *s, char **out, int max, const char *what)
{
    int n = 0;
    for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
        if (n == max)
            die_usage("recommend: %s: at most %d entries", what, max);
        out[n++] = t;
    }
    if (!n)
        die_usage("recommend: %s: expected a comma-separated list", what);
    return n;
}

/* The recommendation for loaded inputs: candidates from each (model, SKU) front, the program,
 * runner-ups or the diagnosis; written to out (a directory, may be NULL) and to stdout in
 * `format` (md, json, or NULL for nothing). Returns 0, 2 (infeasible) or 1 (failure). */
static int recommend_core(llm_model *models, rec_problem *prob, llm_gpu *gpus,
                          const double *price, const llm_workload *wl, const char *space,
                          const char *out, const char *format, const serving_args *sv)
{
    const llm_workload w = *wl;
    llm_err err;
    int nm = prob->nmodels, ng = prob->nskus;
    llm_space_spec base;
    memset(&base, 0, sizeof base);
    if (space)
        load_or_die(configs_load_space(space, &base, &err), &err);

    /* candidates: each (model, SKU)'s front of one replica, the SLOs enforced */
    rec_candidate *cand = NULL;
    size_t ncand = 0, capc = 0;
    for (int i = 0; i < nm; i++)
        for (int k = 0; k < ng; k++) {
            llm_space_spec spec = base;
            double one = 1;
            spec.given[KNOB_REPLICAS] = 1;
            spec.n[KNOB_REPLICAS] = 1;
            spec.values[KNOB_REPLICAS] = &one;
            space_t sp;
            if (space_build(&spec, &models[i], &gpus[k], &sp, &err))
                die_usage("recommend: %s", err.msg);
            sp.slo_filter = 1;
            explore_args a;
            memset(&a, 0, sizeof a);
            a.in = (search_inputs){&models[i], &gpus[k], &w, &sp, NULL, 0, 0};
            if (sv)
                serving_inputs(sv, &a.in);
            a.nobj = 3;
            a.obj[0] = OBJ_ENERGY;
            a.obj[1] = OBJ_THROUGHPUT_PER_GPU;
            a.obj[2] = OBJ_PEAK_POWER;
            a.end = sp.size;
            explore_result r;
            if (search_explore(&a, &r, &err)) {
                fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
                return 1;
            }
            for (size_t j = 0; j < r.front.n; j++) {
                if (ncand == capc) {
                    capc = capc ? 2 * capc : 256;
                    rec_candidate *nc = realloc(cand, capc * sizeof *cand);
                    if (!nc) {
                        free(cand);
                        fprintf(stderr, "llmdse: error: recommend: out of memory\n");
                        return 1;
                    }
                    cand = nc;
                }
                search_row row;
                search_row_eval(&a.in, r.front.pt[j].index, &row);
                rec_candidate_from_row(&row, &gpus[k], lround(w.output_mean), i, k, price[k],
                                       &cand[ncand++]);
            }
            explore_result_free(&r);
            space_free(&sp);
        }
    if (space)
        configs_free_space(&base);
    prob->c = cand;
    prob->n = ncand;

    rec_solution best, runners[REPORT_MAX_RUNNERS];
    int nrun = 0;
    const char *labels[REPORT_MAX_RUNNERS];
    if (rec_solve(prob, &best, &err)) {
        fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
        return 1;
    }
    rec_diagnosis diag;
    int infeasible = best.status == REC_INFEASIBLE;
    if (best.status == REC_ERROR) {
        fprintf(stderr, "llmdse: error: recommend: %s\n", best.message);
        return 1;
    }
    if (infeasible && rec_diagnose(prob, &diag, &err)) {
        fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
        return 1;
    }
    if (!infeasible) {
        /* the best plan under each other objective, and on each SKU alone */
        static char label_buf[REPORT_MAX_RUNNERS][96];
        for (int o = 0; o < 3 && nrun < REPORT_MAX_RUNNERS; o++) {
            int priced = 1;
            for (int k = 0; k < ng; k++)
                priced &= price[k] > 0;
            if (o == (int)prob->objective || (o == REC_COST && !priced))
                continue;
            rec_problem q = *prob;
            q.objective = (rec_objective)o;
            if (rec_solve(&q, &runners[nrun], &err))
                return 1;
            snprintf(label_buf[nrun], sizeof label_buf[nrun], "least %s", rec_objective_names[o]);
            labels[nrun] = label_buf[nrun];
            nrun++;
        }
        for (int k = 0; ng > 1 && k < ng && nrun < REPORT_MAX_RUNNERS; k++) {
            rec_problem q = *prob;
            q.count[k] = prob->count[k];
            for (int j = 0; j < ng; j++)
                if (j != k)
                    q.count[j] = 0;
            if (rec_solve(&q, &runners[nrun], &err))
                return 1;
            snprintf(label_buf[nrun], sizeof label_buf[nrun], "%.60s only", gpus[k].name);
            labels[nrun] = label_buf[nrun];
            nrun++;
        }
    }
    const char *mn[REC_MAX_MODELS], *gn[REC_MAX_SKUS];
    for (int i = 0; i < nm; i++)
        mn[i] = models[i].name;
    for (int k = 0; k < ng; k++)
        gn[k] = gpus[k].name;
    report_rec rr;
    memset(&rr, 0, sizeof rr);
    rr.models = mn;
    rr.skus = gn;
    rr.w = &w;
    rr.p = prob;
    rr.best = &best;
    rr.n_runners = nrun;
    for (int i = 0; i < nrun; i++) {
        rr.runner_label[i] = labels[i];
        rr.runner[i] = &runners[i];
    }
    rr.diag = infeasible ? &diag : NULL;
    if (out) {
        if (report_prepare_dir(out, &err) || report_make_dir(out, &err))
            die_usage("recommend: %s", err.msg);
        if (report_write_atomic(out, "recommendation.json", write_rec_json, &rr, &err) ||
            report_write_atomic(out, "recommendation.md", write_rec_md, &rr, &err)) {
            fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
            return 1;
        }
    }
    if (format && !strcmp(format, "json"))
        report_recommend_json(stdout, &rr);
    else if (format)
        report_recommend_md(stdout, &rr);
    rec_solution_free(&best);
    for (int i = 0; i < nrun; i++)
        rec_solution_free(&runners[i]);
    free(cand);
    if (infeasible) {
        if (format)
            fprintf(stderr, "llmdse: recommend: no plan meets the request; the report says "
                    "which constraint to relax\n");
        return 2;
    }
    return 0;
}

/* ---- validate and calibrate ----------------------------------------------------------------- */

typedef struct {
    const llm_gpu *g;
    const vfile *f;
    const vsummary *s;
    const char *gpu_name, *source;
    const vrow *rows;
    size_t n;
} vout;

static int write_plan(FILE *f, void *ctx)
{
    const vout *o = ctx;
    validate_write_plan(f, o->gpu_name, o->source, o->rows, o->n);
    return 0;
}

static int write_cmp_md(FILE *f, void *ctx)
{
    const vout *o = ctx;
    validate_report_md(f, o->g, o->f, o->s);
    return 0;
}

static int write_cmp_json(FILE *f, void *ctx)
{
    const vout *o = ctx;
    validate_report_json(f, o->g, o->f, o->s);
    return 0;
}

/* Writes a single file atomically: out is a path (its directory must exist). */
static int write_file(const char *out, int (*fn)(FILE *, void *), void *ctx, llm_err *err)
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

/* llmdse validate e2e: the model against the published end-to-end serving sets. */
static int validate_e2e_cmd(int argc, char **argv)
{
    const char *data = NULL, *rows = NULL, *fit_set = NULL;
    opt opts[] = {{"--data", NULL, O_STR, &data, 0, 0, 0},
                  {"--rows", NULL, O_STR, &rows, 0, 0, 0},
                  {"--fit-overhead", NULL, O_STR, &fit_set, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 3, opts, "validate e2e");
    char dir[1024];
    const char *sh = getenv("LLMDSE_SHARED");
    if (data)
        snprintf(dir, sizeof dir, "%s", data);
    else
        snprintf(dir, sizeof dir, "%s/data/calibration", sh && *sh ? sh : "../shared");
    llm_err err;
    if (fit_set) {
        if (rows)
            die_usage("validate e2e: --rows and --fit-overhead are separate runs");
        e2e_fit fit;
        if (validate_e2e_fit_overhead(dir, fit_set, &fit, &err))
            die_usage("validate e2e: %s", err.msg);
        printf("%s fitted to %s (%d rows with a measured TPOT): step_s %.4g, seq_step_s "
               "%.4g; TPOT MAPE %.1f%% with the profile as it is, %.1f%% fitted\n",
               fit.serving, fit_set, fit.n, fit.step_s, fit.seq_step_s, fit.mape_before,
               fit.mape_after);
        return 0;
    }
    FILE *rf = NULL;
    if (rows && !(rf = fopen(rows, "w")))
        die_usage("validate e2e: --rows: cannot write %s: %s", rows, strerror(errno));
    e2e_result r;
    int rc = validate_e2e(dir, rf, &r, &err);
    if (rf && fclose(rf) && !rc) {
        fprintf(stderr, "llmdse: error: validate e2e: %s: write failed\n", rows);
        return 1;
    }
    if (rc) {
        if (rows)
            remove(rows);
        die_usage("validate e2e: %s (--data DIR or LLMDSE_SHARED names the shared folder)",
                  err.msg);
    }
    validate_e2e_report(stdout, &r);
    return 0;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[2], "e2e"))
        return validate_e2e_cmd(argc, argv);
    if (argc < 3 || (strcmp(argv[2], "plan") && strcmp(argv[2], "compare")))
        die_usage("validate: expected \"plan\", \"compare\" or \"e2e\" (and \"llmdse "
                  "calibrate\")");
    const char *gpu = NULL, *out = NULL, *clocks = NULL, *front = NULL, *model = NULL;
    const char *workload = NULL, *measured = NULL, *format = NULL;
    int top = 5;
    int is_plan = !strcmp(argv[2], "plan");
    opt plan_opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                       {"--out", "-o", O_STR, &out, 0, 0, 0},
                       {"--clocks", NULL, O_STR, &clocks, 0, 0, 0},
                       {"--front", NULL, O_STR, &front, 0, 0, 0},
                       {"--top", NULL, O_INT, &top, 1, 1000, 0},
                       {"--model", "-m", O_STR, &model, 0, 0, 0},
                       {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                       {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    opt cmp_opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                      {"--measured", NULL, O_STR, &measured, 0, 0, 0},
                      {"--out", "-o", O_STR, &out, 0, 0, 0},
                      {"--format", NULL, O_STR, &format, 0, 0, 0},
                      {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 3, is_plan ? plan_opts : cmp_opts, is_plan ? "validate plan"
                                                                      : "validate compare");
    if (!gpu)
        die_usage("validate %s: -g GPU is required", argv[2]);
    llm_gpu g;
    llm_err err;
    load_or_die(configs_load_gpu(gpu, &g, &err), &err);
    if (is_plan) {
        vrow *rows = NULL;
        size_t n = 0;
        char source[512];
        if (front) {
            if (!model || !workload)
                die_usage("validate plan --front: -m MODEL and -w WORKLOAD are required");
            llm_model m;
            llm_workload w;
            load_or_die(configs_load_model(model, &m, &err), &err);
            load_or_die(configs_load_workload(workload, &w, &err), &err);
            cost_config *cf = calloc((size_t)top, sizeof *cf);
            int k = 0;
            if (!cf || validate_front_configs(front, top, &w, cf, &k, &err))
                die_usage("validate plan: %s", cf ? err.msg : "out of memory");
            for (int i = 0; i < k; i++) {
                if (cost_check(&m, &g, &cf[i], &err))
                    die_usage("validate plan: %s row %d: %s", front, i + 1, err.msg);
                n = validate_plan_layer(&m, &g, &cf[i], i + 1, &rows, n);
            }
            free(cf);
            snprintf(source, sizeof source, "front %.400s, %d configurations of %s", front, k,
                     m.name);
        } else {
            double cl[64];
            int nc = 0;
            if (clocks) {
                char buf[1024];
                snprintf(buf, sizeof buf, "%s", clocks);
                for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
                    if (nc == 64)
                        die_usage("validate plan: --clocks: at most 64");
                    double f = parse_num("--clocks", t, 1, 1e5);
                    if ((cl[nc++] = llm_gpu_snap_clock(&g, f)) < 0)
                        die_usage("validate plan: --clocks: %g MHz is outside %s's range "
                                  "[%g, %g]", f, g.name, g.min_mhz, g.max_mhz);
                }
            }
            n = validate_plan_sweep(&g, cl, nc, &rows);
            snprintf(source, sizeof source, "standard sweep%s%s", clocks ? ", clocks " : "",
                     clocks ? clocks : "");
        }
        vout o = {&g, NULL, NULL, g.name, source, rows, n};
        int rc = out ? write_file(out, write_plan, &o, &err) : write_plan(stdout, &o);
        free(rows);
        if (rc) {
            fprintf(stderr, "llmdse: error: validate plan: %s\n", err.msg);
            return 1;
        }
        if (out)
            fprintf(stderr, "llmdse: validate plan: %zu kernels -> %s\n", n, out);
        return 0;
    }
    if (!measured)
        die_usage("validate compare: --measured FILE is required");
    if (format && strcmp(format, "text") && strcmp(format, "json"))
        die_usage("validate compare: --format: expected text or json, found \"%s\"", format);
    vfile f;
    load_or_die(validate_read(measured, &f, &err), &err);
    vsummary s;
    validate_compare(&g, &f, &s);
    vout o = {&g, &f, &s, g.name, NULL, NULL, 0};
    if (out) {
        /* into an explore output (report shows compare.md): its files kept, one change */
        report_outdir od;
        outdir_begin(&od, "validate compare", out, OUTDIR_UPDATE);
        if (report_write_atomic(od.tmp, "compare.json", write_cmp_json, &o, &err) ||
            report_write_atomic(od.tmp, "compare.md", write_cmp_md, &o, &err) ||
            report_outdir_commit(&od, 0, &err)) {
            fprintf(stderr, "llmdse: error: validate compare: %s\n", err.msg);
            validate_free(&f);
            return 1;
        }
    }
    if (format && !strcmp(format, "json"))
        validate_report_json(stdout, &g, &f, &s);
    else
        validate_report_md(stdout, &g, &f, &s);
    validate_free(&f);
    return 0;
}

static int cmd_calibrate(int argc, char **argv)
{
    const char *gpu = NULL, *out = NULL, *measured = NULL;
    int no_loo = 0;
    opt opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--measured", NULL, O_STR, &measured, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--no-leave-one-out", NULL, O_FLAG, &no_loo, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "calibrate");
    if (!gpu || !measured || !out)
        die_usage("calibrate: --measured FILE, -g GPU and -o NEW.json are required");
    if (!*out || out[strlen(out) - 1] == '/')
        die_usage("calibrate: -o: expected a file name, found \"%s\"", out);
    llm_gpu g, fitted;
    llm_err err;
    char path[4096];
    load_or_die(configs_resolve("gpus", gpu, path, sizeof path, &err), &err);
    load_or_die(configs_load_gpu(path, &g, &err), &err);
    vfile f;
    load_or_die(validate_read(measured, &f, &err), &err);
    vcalib c;
    if (validate_calibrate(&g, &f, &fitted, &c, !no_loo, &err)) {
        validate_free(&f);
        die_usage("%s", err.msg);
    }
    const char *paths[CP_COUNT];
    double values[CP_COUNT];
    int n = 0;
    for (int p = 0; p < CP_COUNT; p++)
        if (c.fitted[p]) {
            paths[n] = cparam_names[p];
            values[n++] = c.value[p];
        }
    char note[1024];
    snprintf(note, sizeof note, "calibrated by llmdse calibrate to %.300s (%.100s, %.40s): time "
             "MAPE %.1f%% -> %.1f%%, power MAPE %.1f%% -> %.1f%%", measured,
             f.gpu_name[0] ? f.gpu_name : "unknown GPU", f.date[0] ? f.date : "undated",
             c.before_time, c.after_time, c.before_power, c.after_power);
    /* the temporary file configs_write_gpu_update renames into place, removed on Ctrl-C */
    char tmpname[4200];
    snprintf(tmpname, sizeof tmpname, "%s.tmp.%ld", out, (long)getpid());
    int slot = report_cleanup_add(tmpname, 0);
    int wrc = configs_write_gpu_update(path, out, paths, values, n, note, &err);
    report_cleanup_drop(slot);
    if (wrc) {
        fprintf(stderr, "llmdse: error: calibrate: %s\n", err.msg);
        validate_free(&f);
        return 1;
    }
    printf("calibrated %s to %zu measurements (%s):\n", g.name, f.n, measured);
    printf("  time MAPE  %.1f%% -> %.1f%% (NLopt code %d)\n", c.before_time, c.after_time,
           c.nlopt_code_time);
    if (c.before_power > 0)
        printf("  power MAPE %.1f%% -> %.1f%% (NLopt code %d)\n", c.before_power, c.after_power,
               c.nlopt_code_power);
    for (int p = 0; p < CP_COUNT; p++)
        if (c.fitted[p])
            printf("  %-42s %.6g\n", cparam_names[p], c.value[p]);
    for (int i = 0; i < c.nlo; i++)
        printf("  leave-one-class-out: %-24s time MAPE %.1f%%\n", c.lo_class[i], c.lo_mape[i]);
    printf("-> %s\n", out);
    validate_free(&f);
    return 0;
}

/* ---- report ---------------------------------------------------------------------------------- */

typedef struct {
    const report_page *pg;
    int html, plots;
    char notice[256];
    const char *run;     /* the input folder's run (manifest.json), "" when it has none */
    char changed[700];   /* set when the input folder was replaced while it was read */
} page_out;

static int write_page(FILE *f, void *ctx)
{
    page_out *o = ctx;
    if (o->html)
        o->plots = report_page_html(f, o->pg, o->notice, sizeof o->notice);
    else
        report_page_md(f, o->pg);
    /* every input has been read now (the page reads recommendation.md and compare.md): the
     * folder must still be the run it was when checked, or the page mixes two runs */
    if (o->run && report_outdir_same_run(o->pg->dir, o->run, o->changed, sizeof o->changed))
        return -1;
    return 0;
}

/* Evaluates the points listed in DIR/NAME (front.csv, all.csv): at most `cap`, evenly spread. */
static search_row *rows_of(const char *dir, const char *name, const search_inputs *in,
                           size_t cap, size_t *n, int required)
{
    char path[4096];
    llm_err err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *n = 0;
    if (!required && access(path, R_OK))
        return NULL;
    uint64_t *idx;
    size_t m;
    load_or_die(search_read_front_indices(path, &idx, &m, &err), &err);
    size_t k = m < cap ? m : cap;
    search_row *rows = calloc(k ? k : 1, sizeof *rows);
    if (!rows)
        die_usage("report: out of memory");
    for (size_t i = 0; i < k; i++) {
        uint64_t index = idx[k < m ? i * (m - 1) / (k > 1 ? k - 1 : 1) : i];
        if (index >= in->s->size)
            die_usage("report: %s: index %llu is outside the space", path,
                      (unsigned long long)index);
        search_row_eval(in, index, &rows[i]);
    }
    free(idx);
    *n = k;
    return rows;
}

/* The page for an explore output directory; inputs from its summary unless overridden, or
 * the loaded ones (sku-check: the files as given, never reloaded by name). */
typedef struct {
    const llm_model *m;
    const llm_gpu *g;
    const llm_workload *w;
} loaded_inputs;

static int report_core(const char *dir, const char *out, const char *model, const char *gpu,
                       const char *workload, const char *space, int quiet,
                       const loaded_inputs *li)
{
    size_t ol = strlen(out);
    int html = ol > 5 && !strcmp(out + ol - 5, ".html");
    if (!html && !(ol > 3 && !strcmp(out + ol - 3, ".md")))
        die_usage("report: -o: expected a file name ending in .html or .md, found \"%s\"", out);
    char path[4096], why[700];
    llm_err err;
    llm_summary sum;
    int mpartial = 0, mc = 1;
    char run[128] = "";
    /* a page written into an llmdse output folder (report -i DIR -o DIR/report.html) joins it
     * as one change: under its lock, with a new manifest (docs/limits.md) */
    report_outdir od;
    int in_outdir = 0;
    char odir[4096], oname[1024];
    if (!li) {
        snprintf(odir, sizeof odir, "%s", out);
        char *slash = strrchr(odir, '/');
        snprintf(oname, sizeof oname, "%s", slash ? slash + 1 : out);
        if (slash)
            *slash = '\0';
        else
            strcpy(odir, ".");
        if (!odir[0])
            strcpy(odir, "/");
        char mf[4200];
        struct stat mst;
        snprintf(mf, sizeof mf, "%s/manifest.json", odir);
        if (!lstat(mf, &mst) && strcmp(odir, "/") && strcmp(odir, ".")) {
            outdir_begin(&od, "report", odir, OUTDIR_UPDATE);
            in_outdir = 1;
        }
    }
    if (!li) {
        /* the folder must be one run's complete output (docs/formats.md, manifest.json) */
        mc = report_outdir_check(dir, &mpartial, run, sizeof run, why, sizeof why);
        if (mc < 0)
            die_usage("report: %s", why);
    }
    snprintf(path, sizeof path, "%s/summary.json", dir);
    load_or_die(configs_load_summary(path, space_prune_names, &sum, &err), &err);
    if (mc == 1 && !li && !quiet)
        fprintf(stderr, "llmdse: warning: report: %s\n", why);
    llm_model m;
    llm_gpu g;
    llm_workload w;
    space_t s;
    const char *sp = space ? space : strcmp(sum.space, "default") ? sum.space : NULL;
    if (li) {
        m = *li->m;
        g = *li->g;
        w = *li->w;
        llm_space_spec spec;
        if (sp)
            load_or_die(configs_load_space(sp, &spec, &err), &err);
        int rc = space_build(sp ? &spec : NULL, &m, &g, &s, &err);
        if (sp)
            configs_free_space(&spec);
        if (rc)
            die_usage("report: %s", err.msg);
    } else {
        load_inputs(model ? model : sum.model, gpu ? gpu : sum.gpu,
                    workload ? workload : sum.workload, sp, &m, &g, &w, &s, "report");
    }
    s.slo_filter = sum.slo_filter;
    if (s.size != sum.space_size)
        die_usage("report: the space now has %llu points, the run had %llu: the inputs changed",
                  (unsigned long long)s.size, sum.space_size);
    serving_args sv;
    serving_from_summary(&sum, &sv, "report");
    search_inputs in = {&m, &g, &w, &s, NULL, 0, 0};
    serving_inputs(&sv, &in);
    report_page pg;
    memset(&pg, 0, sizeof pg);
    pg.in = &in;
    pg.dir = dir;
    pg.model_arg = sum.model;
    pg.gpu_arg = sum.gpu;
    pg.workload_arg = sum.workload;
    pg.space_name = sum.space;
    pg.version = LLMDSE_VERSION;
    pg.partial = sum.partial || mpartial;
    if (search_parse_objectives(sum.objectives, pg.obj, &pg.nobj, &err))
        die_usage("report: %s: %s", path, err.msg);
    pg.space_size = sum.space_size;
    pg.evaluated = sum.evaluated;
    pg.feasible = sum.feasible;
    search_row *front = rows_of(dir, "front.csv", &in, 100000, &pg.nrows, 1);
    search_row *all = rows_of(dir, "all.csv", &in, 20000, &pg.nall, 0);
    pg.rows = front;
    pg.all = all;
    page_out o = {&pg, html, 0, "", li ? NULL : run, ""};
    int rc = in_outdir ? report_write_atomic(od.tmp, oname, write_page, &o, &err) ||
                             report_outdir_commit(&od, 0, &err)
                       : write_file(out, write_page, &o, &err);
    free(front);
    free(all);
    space_free(&s);
    if (rc) {
        fprintf(stderr, "llmdse: error: report: %s\n", o.changed[0] ? o.changed : err.msg);
        return 1;
    }
    if (o.notice[0] && !quiet)
        fprintf(stderr, "llmdse: report: %s\n", o.notice);
    if (pg.partial && !quiet)
        fprintf(stderr, "llmdse: warning: report: %s is a PARTIAL run (interrupted): the front "
                "is of the points evaluated before it stopped; the page says so\n", dir);
    if (!quiet)
        printf("report: %s (%zu front points%s, %d plots%s)\n", out, pg.nrows,
               pg.nall ? ", evaluated points faint" : "", o.plots,
               pg.partial ? ", PARTIAL run" : "");
    return 0;
}

static int cmd_report(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL, *model = NULL, *gpu = NULL, *workload = NULL,
               *space = NULL;
    opt opts[] = {{"--in", "-i", O_STR, &dir, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--model", "-m", O_STR, &model, 0, 0, 0},
                  {"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                  {"--space", "-s", O_STR, &space, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "report");
    if (!dir || !out)
        die_usage("report: -i DIR (an explore or search output) and -o FILE.html|FILE.md are "
                  "required");
    if (!*out)
        die_usage("report: -o: expected a file name ending in .html or .md, found \"\"");
    return report_core(dir, out, model, gpu, workload, space, 0, NULL);
}


static int cmd_recommend(int argc, char **argv)
{
    const char *models_arg = NULL, *workload = NULL, *rates_arg = NULL, *gpus_arg = NULL;
    const char *space = NULL, *out = NULL, *objective = "energy", *format = "md";
    double power_cap = 0;
    serving_args sv = {0};
    opt opts[] = {SERVING_OPTS(sv),
                  {"--model", "-m", O_STR, &models_arg, 0, 0, 0},
                  {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                  {"--rate", NULL, O_STR, &rates_arg, 0, 0, 0},
                  {"--gpus", NULL, O_STR, &gpus_arg, 0, 0, 0},
                  {"--space", "-s", O_STR, &space, 0, 0, 0},
                  {"--objective", NULL, O_STR, &objective, 0, 0, 0},
                  {"--power-cap", NULL, O_NUM, &power_cap, 1, 1e12, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--format", NULL, O_STR, &format, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "recommend");
    load_serving(&sv, "recommend");
    if (!models_arg || !workload || !rates_arg || !gpus_arg)
        die_usage("recommend: -m MODEL[,MODEL...], -w WORKLOAD, --rate R[,R...] and "
                  "--gpus GPU:COUNT[:PRICE][,...] are required");
    rec_problem prob;
    memset(&prob, 0, sizeof prob);
    int obj = -1;
    for (int i = 0; rec_objective_names[i]; i++)
        if (!strcmp(objective, rec_objective_names[i]))
            obj = i;
    if (obj < 0)
        die_usage("recommend: --objective: expected energy, gpus or cost, found \"%s\"",
                  objective);
    prob.objective = (rec_objective)obj;
    prob.power_cap = power_cap;
    if (strcmp(format, "md") && strcmp(format, "json"))
        die_usage("recommend: --format: expected md or json, found \"%s\"", format);
    char mbuf[1024], rbuf[1024], gbuf[2048];
    if (strlen(models_arg) >= sizeof mbuf || strlen(rates_arg) >= sizeof rbuf ||
        strlen(gpus_arg) >= sizeof gbuf)
        die_usage("recommend: an option's list is too long");
    strcpy(mbuf, models_arg);
    strcpy(rbuf, rates_arg);
    strcpy(gbuf, gpus_arg);
    char *mnames[REC_MAX_MODELS], *rnames[REC_MAX_MODELS], *gnames[REC_MAX_SKUS];
    int nm = split_list(mbuf, mnames, REC_MAX_MODELS, "-m");
    int nr = split_list(rbuf, rnames, REC_MAX_MODELS, "--rate");
    int ng = split_list(gbuf, gnames, REC_MAX_SKUS, "--gpus");
    if (nm != nr)
        die_usage("recommend: --rate: expected one rate per model (%d), found %d", nm, nr);
    prob.nmodels = nm;
    prob.nskus = ng;
    for (int i = 0; i < nr; i++)
        prob.rate[i] = parse_num("--rate", rnames[i], 1e-9, 1e12);
    double price[REC_MAX_SKUS];
    static llm_model models[REC_MAX_MODELS];
    static llm_gpu gpus[REC_MAX_SKUS];
    llm_workload w;
    llm_err err;
    for (int k = 0; k < ng; k++) {
        char *c1 = strchr(gnames[k], ':');
        if (!c1)
            die_usage("recommend: --gpus: expected GPU:COUNT[:PRICE], found \"%s\"", gnames[k]);
        *c1++ = '\0';
        char *c2 = strchr(c1, ':');
        if (c2)
            *c2++ = '\0';
        prob.count[k] = (double)parse_int("--gpus COUNT", c1, 0, 1e9);
        load_or_die(configs_load_gpu(gnames[k], &gpus[k], &err), &err);
        price[k] = c2 ? parse_num("--gpus PRICE", c2, 0, 1e6) : gpus[k].price_per_hour;
        if (prob.objective == REC_COST && price[k] <= 0)
            die_usage("recommend: --objective cost: no price for %s (give GPU:COUNT:PRICE)",
                      gnames[k]);
        for (int j = 0; j < k; j++)
            if (!strcmp(gpus[j].name, gpus[k].name))
                die_usage("recommend: --gpus: %s given twice", gpus[k].name);
    }
    for (int i = 0; i < nm; i++)
        load_or_die(configs_load_model(mnames[i], &models[i], &err), &err);
    load_or_die(configs_load_workload(workload, &w, &err), &err);
    if (out && !*out)
        die_usage("recommend: -o: expected a folder name, found an empty string");
    if (!out)
        return recommend_core(models, &prob, gpus, price, &w, space, NULL, format, &sv);
    /* into an explore output: its files are kept, the recommendation added, as one change */
    report_outdir od;
    outdir_begin(&od, "recommend", out, OUTDIR_UPDATE);
    int rc = recommend_core(models, &prob, gpus, price, &w, space, od.tmp, format, &sv);
    if (rc != 1 && report_outdir_commit(&od, 0, &err)) {
        fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
        return 1;
    }
    return rc;
}

/* ---- sku-check ------------------------------------------------------------------------------ */

typedef struct {
    char model[LLM_NAME_MAX], workload[LLM_NAME_MAX];
    int fits;
    unsigned long long feasible, front;
    double energy, tpot, thr;    /* the front's best in each objective */
} sku_row;

static int write_sku_csv(FILE *f, void *ctx)
{
    const sku_row *r = ((const sku_row **)ctx)[0];
    size_t n = (size_t)(((const sku_row **)ctx)[1] - r);
    fprintf(f, "model,workload,status,feasible,front,best_energy_per_token_j,best_tpot_s,"
               "best_throughput_per_gpu_tok_s\n");
    for (size_t i = 0; i < n; i++) {
        /* names are checked where read; quoted per RFC 4180 all the same */
        report_csv_field(f, r[i].model);
        fputc(',', f);
        report_csv_field(f, r[i].workload);
        fprintf(f, ",%s,%llu,%llu,%.9g,%.9g,%.9g\n", r[i].fits ? "ok" : "nothing_feasible",
                r[i].feasible, r[i].front, r[i].energy, r[i].tpot, r[i].thr);
    }
    return 0;
}

static int write_sku_index(FILE *f, void *ctx)
{
    const sku_row *r = ((const sku_row **)ctx)[0];
    size_t n = (size_t)(((const sku_row **)ctx)[1] - r);
    const char *gpu = ((const char **)ctx)[2];
    fprintf(f, "<!DOCTYPE html><html><head><meta charset=utf-8><title>llmdse sku-check</title>"
               "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{"
               "border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:"
               "right}</style></head><body><h1>sku-check: ");
    report_html_text(f, gpu);
    fprintf(f, "</h1><table><tr><th>model</th>"
               "<th>workload</th><th>feasible</th><th>front</th><th>best J/token</th>"
               "<th>best TPOT s</th><th>best tok/s per GPU</th><th>report</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", f);
        report_html_text(f, r[i].model);
        fputs("</td><td>", f);
        report_html_text(f, r[i].workload);
        fputs("</td>", f);
        if (r[i].fits) {
            fprintf(f, "<td>%llu</td><td>%llu</td><td>%.4f</td><td>%.5f</td><td>%.1f</td>"
                       "<td><a href=\"", r[i].feasible, r[i].front, r[i].energy, r[i].tpot,
                    r[i].thr);
            /* the folder name is a checked name ([A-Za-z0-9._-]), safe in a URL */
            report_html_text(f, r[i].model);
            fputs("/report.html\">", f);
            report_html_text(f, r[i].model);
            fputs("</a></td></tr>\n", f);
        } else {
            fprintf(f, "<td colspan=6>nothing feasible (memory or context)</td></tr>\n");
        }
    }
    fprintf(f, "</table><p>llmdse %s; fronts, recommendations and reports in the model "
               "folders.</p></body></html>\n", LLMDSE_VERSION);
    return 0;
}

/* Splits one CSV line (RFC 4180 quoting, no line breaks inside fields) in place; returns the
 * number of fields, or -1 when a quote is not closed. */
static int csv_split(char *line, char **fld, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        char *w = p;
        fld[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            if (*p && *p != ',')
                return -1;
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        int more = *p == ',';
        if (*p)
            p++;
        *w = '\0';
        if (!more)
            return n;
    }
}

static int csv_u64(const char *s, unsigned long long *v)
{
    char *e;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    *v = strtoull(s, &e, 10);
    return errno || *e ? -1 : 0;
}

static int csv_num(const char *s, double *v)
{
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    return errno || e == s || *e || !isfinite(*v) ? -1 : 0;
}

static int cmd_sku_check(int argc, char **argv)
{
    if (argc < 3 || argv[2][0] == '-')
        die_usage("sku-check: expected the GPU file: llmdse sku-check GPU.json [options]");
    const char *gpu_path = argv[2];
    const char *out = NULL, *measured = NULL, *baseline = NULL, *models_arg = NULL;
    const char *workloads_arg = NULL, *space = NULL;
    double tol = 0.05, rate = 10;
    serving_args sv = {0};
    opt opts[] = {SERVING_OPTS(sv),
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--measured", NULL, O_STR, &measured, 0, 0, 0},
                  {"--baseline", NULL, O_STR, &baseline, 0, 0, 0},
                  {"--tolerance", NULL, O_NUM, &tol, 0, 10, 0},
                  {"--rate", NULL, O_NUM, &rate, 1e-6, 1e9, 0},
                  {"--models", NULL, O_STR, &models_arg, 0, 0, 0},
                  {"--workloads", NULL, O_STR, &workloads_arg, 0, 0, 0},
                  {"--space", "-s", O_STR, &space, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 3, opts, "sku-check");
    load_serving(&sv, "sku-check");
    llm_gpu g;
    llm_err err;
    load_or_die(configs_load_gpu(gpu_path, &g, &err), &err);
    if (out && !*out)
        die_usage("sku-check: -o: expected a folder name, found an empty string");
    char outbuf[1024];
    if (!out) {
        /* the GPU's name is text: characters outside [A-Za-z0-9._-] become '_' */
        snprintf(outbuf, sizeof outbuf, "sku-check-%s", g.name);
        for (char *p = outbuf + 10; *p; p++)
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
                *p = '_';
        out = outbuf;
    }
    /* every input loaded once, as given: the files explored are the files reported and
     * recommended (a custom file is never reloaded by its name) */
    char mlist[4096], wlist[1024];
    if (models_arg)
        snprintf(mlist, sizeof mlist, "%s", models_arg);
    else
        configs_list("models", mlist, sizeof mlist);
    if (workloads_arg)
        snprintf(wlist, sizeof wlist, "%s", workloads_arg);
    else
        configs_list("workloads", wlist, sizeof wlist);
    char *mn[64], *wn[16];
    int nm = 0, nw = 0;
    for (char *t = strtok(mlist, ", "); t; t = strtok(NULL, ", ")) {
        if (nm == 64)
            die_usage("sku-check: --models: at most 64");
        mn[nm++] = t;
    }
    for (char *t = strtok(wlist, ", "); t; t = strtok(NULL, ", ")) {
        if (nw == 16)
            die_usage("sku-check: --workloads: at most 16");
        wn[nw++] = t;
    }
    if (!nm || !nw)
        die_usage("sku-check: expected at least one model and one workload");
    static llm_model ms[64];
    static llm_workload ws[16];
    for (int i = 0; i < nm; i++) {
        load_or_die(configs_load_model(mn[i], &ms[i], &err), &err);
        for (int k = 0; k < i; k++)
            if (!strcmp(ms[k].name, ms[i].name))
                die_usage("sku-check: --models: %s and %s are both named \"%s\"; the output "
                          "has one folder per model name", mn[k], mn[i], ms[i].name);
    }
    for (int j = 0; j < nw; j++) {
        load_or_die(configs_load_workload(wn[j], &ws[j], &err), &err);
        for (int k = 0; k < j; k++)
            if (!strcmp(ws[k].name, ws[j].name))
                die_usage("sku-check: --workloads: %s and %s are both named \"%s\"", wn[k],
                          wn[j], ws[j].name);
    }
    llm_space_spec spec;
    if (space) {
        load_or_die(configs_load_space(space, &spec, &err), &err);
        configs_free_space(&spec);
    }
    if (baseline) {
        /* checked before the run: one run's complete output, its CSV a readable file */
        char why[700], bpath[4096];
        int bpart;
        if (report_outdir_check(baseline, &bpart, NULL, 0, why, sizeof why) < 0)
            die_usage("sku-check: --baseline: %s", why);
        snprintf(bpath, sizeof bpath, "%s/sku-check.csv", baseline);
        FILE *bf = llm_open_input(bpath, "r", &err);
        if (!bf)
            die_usage("sku-check: --baseline: %s", err.msg);
        fclose(bf);
    }
    report_outdir od;
    outdir_begin(&od, "sku-check", out, OUTDIR_REPLACE);
    printf("sku-check %s (%s)\n", g.name, gpu_path);
    char msgs[32][LLM_ERR_MAX];
    int bad = configs_gpu_plausible(&g, msgs, 32);
    for (int i = 0; i < bad; i++)
        printf("  FAILED check: %s: %s\n", gpu_path, msgs[i]);
    if (bad) {
        printf("%d plausibility checks failed: not exploring with this file\n", bad);
        report_outdir_abort(&od);
        return 1;
    }
    printf("  file and plausibility checks: passed\n");
    /* what summary.json records as the GPU: the file as given, or the calibrated copy at its
     * final place in OUT */
    char gpu_use[4096];
    snprintf(gpu_use, sizeof gpu_use, "%s", gpu_path);
    if (measured) {
        vfile f;
        load_or_die(validate_read(measured, &f, &err), &err);
        vsummary vs;
        validate_compare(&g, &f, &vs);
        llm_gpu fitted;
        vcalib c;
        if (validate_calibrate(&g, &f, &fitted, &c, 0, &err))
            die_usage("sku-check: %s", err.msg);
        const char *paths[CP_COUNT];
        double values[CP_COUNT];
        int n = 0;
        for (int k = 0; k < CP_COUNT; k++)
            if (c.fitted[k]) {
                paths[n] = cparam_names[k];
                values[n++] = c.value[k];
            }
        char tmp_gpu[8300];
        snprintf(tmp_gpu, sizeof tmp_gpu, "%s/gpu-calibrated.json", od.tmp);
        snprintf(gpu_use, sizeof gpu_use, "%s/gpu-calibrated.json", out);
        char note[600];
        snprintf(note, sizeof note, "calibrated by llmdse sku-check to %.300s: time MAPE %.1f%% "
                 "-> %.1f%%", measured, c.before_time, c.after_time);
        if (configs_write_gpu_update(gpu_path, tmp_gpu, paths, values, n, note, &err)) {
            fprintf(stderr, "llmdse: error: sku-check: %s\n", err.msg);
            return 1;
        }
        load_or_die(configs_load_gpu(tmp_gpu, &g, &err), &err);
        printf("  measurements %s: %zu kernels, time MAPE %.1f%% before calibration, %.1f%% "
               "after -> %s\n", measured, vs.n, c.before_time, c.after_time, gpu_use);
        validate_free(&f);
    }
    sku_row *rows = calloc((size_t)(nm * nw + 1), sizeof *rows);
    if (!rows)
        die_usage("sku-check: out of memory");
    int nr = 0, fitting = 0, recommended = 0, reports = 0;
    for (int i = 0; i < nm; i++) {
        const llm_model *m = &ms[i];
        char mdir[8400];
        snprintf(mdir, sizeof mdir, "%s/%.63s", od.tmp, m->name);
        int any = 0, first = -1;
        for (int j = 0; j < nw; j++) {
            const llm_workload *w = &ws[j];
            sku_row *r = &rows[nr++];
            snprintf(r->model, sizeof r->model, "%.63s", m->name);
            snprintf(r->workload, sizeof r->workload, "%.63s", w->name);
            if (space)
                load_or_die(configs_load_space(space, &spec, &err), &err);
            space_t sp;
            int rc = space_build(space ? &spec : NULL, m, &g, &sp, &err);
            if (space)
                configs_free_space(&spec);
            if (rc)
                die_usage("sku-check: %s", err.msg);
            explore_args a;
            memset(&a, 0, sizeof a);
            a.in = (search_inputs){m, &g, w, &sp, NULL, 0, 0};
            serving_inputs(&sv, &a.in);
            a.nobj = search_default_objectives(a.obj);
            a.end = sp.size;
            explore_result er;
            if (search_explore(&a, &er, &err)) {
                fprintf(stderr, "llmdse: error: sku-check: %s\n", err.msg);
                return 1;
            }
            r->feasible = er.feasible;
            r->front = er.front.n;
            r->fits = er.front.n > 0;
            if (r->fits) {
                r->energy = r->tpot = INFINITY;
                for (size_t q = 0; q < er.front.n; q++) {
                    r->energy = fmin(r->energy, er.front.pt[q].o[0]);
                    r->tpot = fmin(r->tpot, er.front.pt[q].o[1]);
                    r->thr = fmax(r->thr, -er.front.pt[q].o[2]);
                }
                char wdir[8500];
                if (!any && (report_make_dir(mdir, &err)))
                    die_usage("sku-check: %s", err.msg);
                snprintf(wdir, sizeof wdir, "%s/%.63s", mdir, w->name);
                report_summary sum;
                /* the inputs as given, so `llmdse report -i` on the folder reads these files */
                summary_base(&sum, mn[i], gpu_use, wn[j], space, a.nobj, a.obj, &sp);
                serving_summary(&sv, &sum);
                sum.processed = er.processed; sum.evaluated = er.evaluated;
                sum.feasible = er.feasible;
                memcpy(sum.pruned, er.pruned, sizeof er.pruned);
                sum.threads = er.threads; sum.wall_s = er.wall_s;
                if (write_outputs(wdir, &a.in, &sum, &er.front, NULL, 0, &err)) {
                    fprintf(stderr, "llmdse: error: sku-check: %s\n", err.msg);
                    return 1;
                }
                if (!any)
                    first = j;
                any = 1;
            }
            explore_result_free(&er);
            space_free(&sp);
        }
        if (!any) {
            printf("  %-18s nothing feasible on %s (memory or context)\n", m->name, g.name);
            continue;
        }
        fitting++;
        /* the standard load on one node, on the first workload that fits */
        rec_problem prob;
        memset(&prob, 0, sizeof prob);
        prob.nmodels = 1;
        prob.nskus = 1;
        prob.rate[0] = rate;
        prob.count[0] = g.gpus_per_node;
        double price[1] = {g.price_per_hour};
        char wdir[8500];
        snprintf(wdir, sizeof wdir, "%s/%s", mdir, ws[first].name);
        llm_model mcopy = *m;
        int rc = recommend_core(&mcopy, &prob, &g, price, &ws[first], space, wdir, NULL, &sv);
        recommended += rc == 0;
        char page[8600];
        snprintf(page, sizeof page, "%s/report.html", mdir);
        loaded_inputs li = {m, &g, &ws[first]};
        if (report_core(wdir, page, NULL, NULL, NULL, space, 1, &li) == 0)
            reports++;
        const sku_row *best = NULL;
        for (int q = 0; q < nr; q++)
            if (!strcmp(rows[q].model, m->name) && rows[q].fits &&
                !strcmp(rows[q].workload, ws[first].name))
                best = &rows[q];
        printf("  %-18s %s: best %.4f J/token, %.5f s TPOT, %.0f tok/s per GPU; %.3g req/s on "
               "%d GPUs: %s\n", m->name, ws[first].name, best ? best->energy : 0,
               best ? best->tpot : 0, best ? best->thr : 0, rate, g.gpus_per_node,
               rc == 0 ? "planned" : rc == 2 ? "one node cannot serve it (see recommendation.md)" : "failed");
    }
    const void *ctx[3] = {rows, rows + nr, g.name};
    if (report_write_atomic(od.tmp, "sku-check.csv", write_sku_csv, ctx, &err) ||
        report_write_atomic(od.tmp, "index.html", write_sku_index, ctx, &err)) {
        fprintf(stderr, "llmdse: error: sku-check: %s\n", err.msg);
        return 1;
    }
    int regressions = 0;
    if (baseline) {
        char path[4096], line[1024];
        snprintf(path, sizeof path, "%s/sku-check.csv", baseline);
        FILE *f = llm_open_input(path, "r", &err);
        if (!f)
            die_usage("sku-check: --baseline: %s", err.msg);
        int lineno = 0, matched = 0;
        while (fgets(line, sizeof line, f)) {
            if (++lineno == 1)
                continue;
            line[strcspn(line, "\r\n")] = '\0';
            char *fld[9];
            unsigned long long fe, fr;
            double e, t, th;
            if (csv_split(line, fld, 9) != 8 || csv_u64(fld[3], &fe) || csv_u64(fld[4], &fr) ||
                csv_num(fld[5], &e) || csv_num(fld[6], &t) || csv_num(fld[7], &th))
                die_usage("sku-check: --baseline: %s:%d: expected model,workload,status,"
                          "feasible,front and three metrics", path, lineno);
            const char *bm = fld[0], *bw = fld[1], *st = fld[2];
            for (int q = 0; q < nr; q++) {
                const sku_row *r = &rows[q];
                if (strcmp(r->model, bm) || strcmp(r->workload, bw))
                    continue;
                matched++;
                int was = !strcmp(st, "ok");
                if (was != r->fits) {
                    printf("  REGRESSION %s/%s: %s -> %s\n", r->model, r->workload,
                           was ? "feasible" : "nothing", r->fits ? "feasible" : "nothing feasible");
                    regressions++;
                    continue;
                }
                if (!was)
                    continue;
                double d[3] = {(r->energy - e) / e, (r->tpot - t) / t, (r->thr - th) / th};
                const char *what[3] = {"J/token", "TPOT", "tok/s per GPU"};
                for (int k = 0; k < 3; k++)
                    if (!(fabs(d[k]) <= tol)) {
                        printf("  REGRESSION %s/%s: best %s moved %+.1f%% (tolerance %.1f%%)\n",
                               r->model, r->workload, what[k], 100 * d[k], 100 * tol);
                        regressions++;
                    }
            }
        }
        fclose(f);
        printf("  baseline %s: %d fronts compared, %d moved beyond %.1f%%\n", baseline, matched,
               regressions, 100 * tol);
    }
    if (report_outdir_commit(&od, 0, &err)) {
        fprintf(stderr, "llmdse: error: sku-check: %s\n", err.msg);
        free(rows);
        return 1;
    }
    printf("%d of %d models fit %s; %d recommendations, %d reports -> %s/index.html\n%s\n",
           fitting, nm, g.name, recommended, reports, out,
           regressions ? "RESULT: regression" : "RESULT: healthy");
    free(rows);
    return regressions ? 1 : 0;
}

/* ---- merge -------------------------------------------------------------------------------- */

typedef struct {
    llm_summary s;
    const char *dir;   /* the directory given for it */
    char run[128];     /* its manifest's run, "" without one */
} merge_shard;

static int by_shard(const void *x, const void *y)
{
    return ((const merge_shard *)x)->s.shard_index - ((const merge_shard *)y)->s.shard_index;
}

/* 1 when path is dir or lies inside it (both resolved). */
static int path_within(const char *path, const char *dir)
{
    char a[4096], b[4096];
    if (!realpath(path, a) || !realpath(dir, b))
        return 0;
    size_t l = strlen(b);
    return !strncmp(a, b, l) && (a[l] == '\0' || a[l] == '/' || (l == 1 && b[0] == '/'));
}

static int cmd_merge(int argc, char **argv)
{
    const char *out = NULL, *model = NULL, *gpu = NULL, *workload = NULL, *space = NULL;
    int quiet = 0;
    /* options first, then the shard directories */
    int first = 2;
    opt opts[] = {{"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--model", "-m", O_STR, &model, 0, 0, 0},
                  {"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                  {"--space", "-s", O_STR, &space, 0, 0, 0},
                  {"--quiet", "-q", O_FLAG, &quiet, 0, 0, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    while (first < argc && argv[first][0] == '-')
        first += (!strcmp(argv[first], "--quiet") || !strcmp(argv[first], "-q")) ? 1 : 2;
    if (first > argc)
        die_usage("merge: option %s needs a value", argv[argc - 1]);
    parse_opts(first, argv, 2, opts, "merge");
    int nshards = argc - first;
    if (!out)
        die_usage("merge: -o DIR is required");
    if (!*out)
        die_usage("merge: -o: expected a folder name, found an empty string");
    if (nshards < 1)
        die_usage("merge: expected the output directories of the shards after the options");
    for (int i = first; i < argc; i++)
        if (path_within(argv[i], out))
            die_usage("merge: -o %s: is (or holds) the shard %s given as an input; expected a "
                      "new folder for the merged output", out, argv[i]);
    merge_shard *msh = calloc((size_t)nshards, sizeof *msh);
    llm_summary *sh = calloc((size_t)nshards, sizeof *sh);
    if (!msh || !sh)
        die_usage("merge: out of memory");
    llm_err err;
    for (int i = 0; i < nshards; i++) {
        char path[4096], why[700];
        int part;
        const char *dir = argv[first + i];
        msh[i].dir = dir;
        int mc = report_outdir_check(dir, &part, msh[i].run, sizeof msh[i].run, why,
                                     sizeof why);
        if (mc < 0)
            die_usage("merge: %s", why);
        if (mc == 0 && part)
            die_usage("merge: %s: the shard was interrupted (partial in manifest.json); run "
                      "it again", dir);
        snprintf(path, sizeof path, "%s/summary.json", dir);
        load_or_die(configs_load_summary(path, space_prune_names, &msh[i].s, &err), &err);
        sh[i] = msh[i].s;
        const llm_summary *a = &sh[0], *b = &sh[i];
        if (strcmp(a->model, b->model) || strcmp(a->gpu, b->gpu) ||
            strcmp(a->workload, b->workload) || strcmp(a->space, b->space) ||
            strcmp(a->objectives, b->objectives) || a->space_size != b->space_size ||
            a->shard_count != b->shard_count || a->slo_filter != b->slo_filter)
            die_usage("merge: %s: not a shard of the same run as %s (model, GPU, workload, "
                      "space, objectives, SLO filter and shard count must agree)", path,
                      argv[first]);
        if (b->partial)
            die_usage("merge: %s: the shard was interrupted (partial); run it again", path);
    }
    qsort(msh, (size_t)nshards, sizeof *msh, by_shard);
    for (int i = 0; i < nshards; i++)
        sh[i] = msh[i].s;
    if (nshards != sh[0].shard_count)
        die_usage("merge: %d directories given for %d shards", nshards, sh[0].shard_count);
    for (int i = 0; i < nshards; i++)
        if (sh[i].shard_index != i || sh[i].begin != (i ? sh[i - 1].end : 0))
            die_usage("merge: shard %d of %d is missing or given twice", i, nshards);
    if (sh[nshards - 1].end != sh[0].space_size)
        die_usage("merge: the shards do not cover the space");

    llm_model m;
    llm_gpu g;
    llm_workload w;
    space_t s;
    const char *sp = space ? space : strcmp(sh[0].space, "default") ? sh[0].space : NULL;
    load_inputs(model ? model : sh[0].model, gpu ? gpu : sh[0].gpu,
                workload ? workload : sh[0].workload, sp, &m, &g, &w, &s, "merge");
    s.slo_filter = sh[0].slo_filter;
    if (s.size != sh[0].space_size)
        die_usage("merge: the space now has %llu points, the shards %llu: the inputs changed",
                  (unsigned long long)s.size, sh[0].space_size);
    serving_args sv;
    serving_from_summary(&sh[0], &sv, "merge");
    search_inputs in = {&m, &g, &w, &s, NULL, 0, 0};
    serving_inputs(&sv, &in);
    report_summary sum;
    memset(&sum, 0, sizeof sum);
    serving_summary(&sv, &sum);
    sum.model = sh[0].model; sum.gpu = sh[0].gpu; sum.workload = sh[0].workload;
    sum.space = sh[0].space;
    if (search_parse_objectives(sh[0].objectives, sum.obj, &sum.nobj, &err))
        die_usage("merge: %s", err.msg);
    sum.space_size = s.size;
    sum.begin = 0; sum.end = s.size;
    sum.shard_index = 0; sum.shard_count = 1;
    sum.slo_filter = s.slo_filter;
    pareto front;
    pareto_init(&front, sum.nobj);
    for (int i = 0; i < nshards; i++) {
        sum.processed += sh[i].processed;
        sum.evaluated += sh[i].evaluated;
        sum.feasible += sh[i].feasible;
        for (int k = 1; k < PRUNE_COUNT; k++)
            sum.pruned[k] += sh[i].pruned[k];
        sum.wall_s += sh[i].wall_s;
        if (sh[i].threads > sum.threads)
            sum.threads = sh[i].threads;
    }
    report_outdir od;
    outdir_begin(&od, "merge", out, OUTDIR_REPLACE);
    for (int i = 0; i < nshards; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/front.csv", msh[i].dir);
        uint64_t *idx;
        size_t n;
        load_or_die(search_read_front_indices(path, &idx, &n, &err), &err);
        for (size_t j = 0; j < n; j++) {
            search_row r;
            if (idx[j] >= s.size)
                die_usage("merge: %s: index %llu is outside the space", path,
                          (unsigned long long)idx[j]);
            if (idx[j] < sh[i].begin || idx[j] >= sh[i].end)
                die_usage("merge: %s: index %llu is outside shard %d's range [%llu, %llu)",
                          path, (unsigned long long)idx[j], sh[i].shard_index, sh[i].begin,
                          sh[i].end);
            search_row_eval(&in, idx[j], &r);
            if (r.why != PRUNE_NONE)
                die_usage("merge: %s: index %llu is not a feasible configuration of these "
                          "inputs", path, (unsigned long long)idx[j]);
            pareto_pt q = {idx[j], {0}};
            for (int k = 0; k < sum.nobj; k++)
                q.o[k] = search_obj_value(sum.obj[k], &r.m);
            if (pareto_insert(&front, &q) < 0) {
                fprintf(stderr, "llmdse: error: merge: out of memory\n");
                return 1;
            }
        }
        free(idx);
    }
    pareto_sort(&front);
    /* no shard replaced by another run while it was read */
    for (int i = 0; i < nshards; i++) {
        char why[700];
        if (report_outdir_same_run(msh[i].dir, msh[i].run, why, sizeof why)) {
            fprintf(stderr, "llmdse: error: merge: %s\n", why);
            return 1;
        }
    }
    int rc = write_outputs(od.tmp, &in, &sum, &front, NULL, 0, &err) ||
             report_outdir_commit(&od, 0, &err);
    if (rc)
        fprintf(stderr, "llmdse: error: merge: %s\n", err.msg);
    else if (!quiet)
        printf("merged %d shards: %llu configurations, front of %zu -> %s/front.csv\n",
               nshards, (unsigned long long)sum.processed, front.n, out);
    pareto_free(&front);
    space_free(&s);
    free(sh);
    free(msh);
    return rc ? 1 : 0;
}

static void usage(FILE *f)
{
    fputs("usage: llmdse COMMAND [options]\n\n"
          "  eval    -m MODEL -g GPU [-w WORKLOAD] [--tp N] [--ep N] [--batch N] [--freq MHZ]\n"
          "          [--sm-comm N] [--replicas N] [--prompt N] [--output N] [--dtype bf16|fp8]\n"
          "          [--kv-dtype bf16|fp8] [--power-cap W] [--unfused-attention]\n"
          "          [--unfused-gate-up] [--serving PROFILE] [--chunk-tokens N]\n"
          "          [--kv paged|reserve] [--rate R] [--replicas-per-gpu K]\n"
          "          [--format text|json]                      one configuration\n"
          "  ops     -m MODEL -g GPU --phase prefill|decode --batch N --seq N [--ctx N]\n"
          "          [--tp N] [--ep N] [--freq MHZ] [--format text|json|csv]\n"
          "                                                    one layer's ops on one GPU\n"
          "  kernel  gemm -g GPU --m M --n N --k K [--dtype bf16|fp8] [--freq MHZ] [--sms N]\n"
          "  kernel  attention -g GPU --heads H [--kv-heads G] [--head-dim X] --seq S [--ctx C]\n"
          "          [--batch B] [--unfused]\n"
          "  kernel  allreduce|allgather|reducescatter|alltoall|sendrecv -g GPU --ranks R\n"
          "          --bytes B [--sms N] [--scaleout]          one primitive\n"
          "  explore -m MODEL -g GPU -w WORKLOAD [-s SPACE] -o DIR [--objectives a,b[,c]]\n"
          "          [--threads N] [--shard I/N] [--slo] [--all [--force]] [--quiet]\n"
          "                                                    the space as Pareto fronts\n"
          "  merge   -o DIR SHARD_DIR... [-m MODEL] [-g GPU] [-w WORKLOAD] [-s SPACE]\n"
          "                                                    combine sharded explore runs\n"
          "  search  -m MODEL -g GPU -w WORKLOAD [-s SPACE] -o DIR [--objectives a,b[,c]]\n"
          "          [--levels K] [--starts S] [--maxeval N] [--polish R] [--slo]\n"
          "          [--compare-exhaustive]\n"
          "                                                    the front by NLopt sweeps\n"
          "  recommend -m MODEL[,..] -w WORKLOAD --rate R[,..] --gpus GPU:COUNT[:PRICE][,..]\n"
          "          [--objective energy|gpus|cost] [--power-cap W] [-s SPACE] [-o DIR]\n"
          "          [--format md|json]                        the fleet under SLO and load\n"
          "  validate plan -g GPU [-o FILE] [--clocks MHZ,..] | [--front DIR --top K -m MODEL\n"
          "          -w WORKLOAD]                              kernels for the CUDA runner\n"
          "  validate compare --measured FILE -g GPU [-o DIR] [--format text|json]\n"
          "  validate e2e [--data DIR] [--rows FILE] [--fit-overhead SET]  vs published serving\n"
          "  calibrate --measured FILE -g GPU -o NEW.json [--no-leave-one-out]\n"
          "  report  -i DIR -o FILE.html|FILE.md                a page from an explore output\n"
          "  sku-check GPU.json [-o DIR] [--measured FILE] [--baseline DIR] [--tolerance F]\n"
          "          [--rate R] [--models a,b] [--workloads a,b] [-s SPACE]  CI for a new GPU\n"
          "  list    models|gpus|workloads|spaces|serving      the bundled library\n"
          "  version\n\n"
          "MODEL, GPU and WORKLOAD are bundled names or paths to JSON files. eval, explore,\n"
          "search, recommend and sku-check take --serving PROFILE (default " LLM_SERVING_DEFAULT "),\n"
          "--chunk-tokens N and --kv paged|reserve.\n"
          "Exit status: 0 success, 2 bad usage or input, 1 run-time failure (also: another run\n"
          "holds the output folder's lock), 130 interrupted by Ctrl-C (explore writes the partial\n"
          "front first). Also: recommend with no feasible plan 2 (the report says what to\n"
          "relax), sku-check regression or failed check 1. See docs/cli.md.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    /* Ctrl-C: the child killed, temporaries removed, exit 130 (docs/cli.md) */
    report_signals_install();
    if (!strcmp(cmd, "eval"))
        return cmd_eval(argc, argv);
    if (!strcmp(cmd, "ops"))
        return cmd_ops(argc, argv);
    if (!strcmp(cmd, "kernel"))
        return cmd_kernel(argc, argv);
    if (!strcmp(cmd, "explore"))
        return cmd_explore(argc, argv);
    if (!strcmp(cmd, "merge"))
        return cmd_merge(argc, argv);
    if (!strcmp(cmd, "search"))
        return cmd_search(argc, argv);
    if (!strcmp(cmd, "recommend"))
        return cmd_recommend(argc, argv);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc, argv);
    if (!strcmp(cmd, "calibrate"))
        return cmd_calibrate(argc, argv);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc, argv);
    if (!strcmp(cmd, "sku-check"))
        return cmd_sku_check(argc, argv);
    if (!strcmp(cmd, "list")) {
        if (argc != 3 || (strcmp(argv[2], "models") && strcmp(argv[2], "gpus") &&
                          strcmp(argv[2], "workloads") && strcmp(argv[2], "spaces") &&
                          strcmp(argv[2], "serving")))
            die_usage("list: expected models, gpus, workloads, spaces or serving");
        char buf[4096];
        configs_list(argv[2], buf, sizeof buf);
        for (char *p = strtok(buf, ", "); p; p = strtok(NULL, ", "))
            puts(p);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("llmdse %s\n", LLMDSE_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "llmdse: error: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return 2;
}
