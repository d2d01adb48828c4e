/* llmdse.c — the command-line dispatcher: parses argv, calls the modules, sets exit codes.
 * Exit status: 0 success, 2 bad usage or bad input (the message names what and where),
 * 1 a run-time failure. The command reference is docs/cli.md. */
#include "configs/configs.h"
#include "cost/cost.h"
#include "reports/reports.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- commands ----------------------------------------------------------------------------- */

static int cmd_eval(int argc, char **argv)
{
    common_args a = {0};
    cost_config_default(&a.c);
    int prompt = 0, output = 0;
    opt opts[] = {COMMON_OPTS(a),
                  {"--workload", "-w", O_STR, &a.workload, 0, 0, 0},
                  {"--replicas", NULL, O_INT, &a.c.replicas, 1, 1 << 20, 0},
                  {"--sm-comm", NULL, O_INT, &a.c.sm_comm, 0, 4095, 0},
                  {"--prompt", NULL, O_INT, &prompt, 1, IMAX, 0},
                  {"--output", NULL, O_INT, &output, 1, IMAX, 0},
                  {"--power-cap", NULL, O_NUM, &a.c.power_cap_w, 1, 1e6, 0},
                  {NULL, NULL, O_STR, NULL, 0, 0, 0}};
    parse_opts(argc, argv, 2, opts, "eval");
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
    /* The request shape only matters to cost_check's context limit. */
    a.c.prompt = ph == PHASE_PREFILL ? a.seq : a.ctx;
    a.c.output = 1;
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

static void usage(FILE *f)
{
    fputs("usage: llmdse COMMAND [options]\n\n"
          "  eval    -m MODEL -g GPU [-w WORKLOAD] [--tp N] [--ep N] [--batch N] [--freq MHZ]\n"
          "          [--sm-comm N] [--replicas N] [--prompt N] [--output N] [--dtype bf16|fp8]\n"
          "          [--kv-dtype bf16|fp8] [--power-cap W] [--unfused-attention]\n"
          "          [--unfused-gate-up] [--format text|json]     one configuration\n"
          "  ops     -m MODEL -g GPU --phase prefill|decode --batch N --seq N [--ctx N]\n"
          "          [--tp N] [--ep N] [--freq MHZ] [--format text|json|csv]\n"
          "                                                    one layer's ops on one GPU\n"
          "  kernel  gemm -g GPU --m M --n N --k K [--dtype bf16|fp8] [--freq MHZ] [--sms N]\n"
          "  kernel  attention -g GPU --heads H [--kv-heads G] [--head-dim X] --seq S [--ctx C]\n"
          "          [--batch B] [--unfused]\n"
          "  kernel  allreduce|allgather|reducescatter|alltoall|sendrecv -g GPU --ranks R\n"
          "          --bytes B [--sms N] [--scaleout]          one primitive\n"
          "  list    models|gpus|workloads                     the bundled library\n"
          "  version\n\n"
          "MODEL, GPU and WORKLOAD are bundled names or paths to JSON files.\n"
          "Exit status: 0 success, 2 bad usage or input, 1 run-time failure. See docs/cli.md.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "eval"))
        return cmd_eval(argc, argv);
    if (!strcmp(cmd, "ops"))
        return cmd_ops(argc, argv);
    if (!strcmp(cmd, "kernel"))
        return cmd_kernel(argc, argv);
    if (!strcmp(cmd, "list")) {
        if (argc != 3 || (strcmp(argv[2], "models") && strcmp(argv[2], "gpus") &&
                          strcmp(argv[2], "workloads")))
            die_usage("list: expected models, gpus or workloads");
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
