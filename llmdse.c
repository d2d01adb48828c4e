/* llmdse.c — the command-line dispatcher (in the manner of git's git.c): a table of commands,
 * each {name, function, one-line usage}, and the option parsing they share. Each command is one
 * small file in cmd/ (argv -> one module call -> exit code). Exit status: 0 success, 2 bad
 * usage or bad input (the message names what and where), 1 a run-time failure, 130
 * interrupted (128 + the signal). The command reference is docs/cli.md. */
#include "cmd/cmd.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void die_usage(const char *fmt, ...)
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

long long parse_int(const char *name, const char *s, double min, double max)
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

double parse_num(const char *name, const char *s, double min, double max)
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

void parse_opts(int argc, char **argv, int first, opt *opts, const char *cmd)
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

int opt_seen(const opt *opts, const char *name)
{
    for (const opt *p = opts; p->name; p++)
        if (!strcmp(p->name, name))
            return p->seen;
    return 0;
}

report_format parse_format(const char *s, int allow_csv)
{
    if (!s || !strcmp(s, "text")) return FMT_TEXT;
    if (!strcmp(s, "json")) return FMT_JSON;
    if (allow_csv && !strcmp(s, "csv")) return FMT_CSV;
    die_usage("--format: expected text|json%s, found \"%s\"", allow_csv ? "|csv" : "", s);
}

llm_dtype parse_dtype(const char *opt_name, const char *s)
{
    llm_dtype t;
    if (!s)
        return LLM_BF16;
    if (llm_dtype_parse(s, &t) || (t != LLM_BF16 && t != LLM_FP8))
        die_usage("%s: expected bf16 or fp8, found \"%s\"", opt_name, s);
    return t;
}

/* ---- the commands ------------------------------------------------------------------------- */

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage; /* the lines of `llmdse help`, each "  NAME ARGS   what it does\n" */
} commands[] = {
    {"eval", cmd_eval,
     "  eval    -m MODEL -g GPU [-w WORKLOAD] [--tp N] [--ep N] [--batch N] [--freq MHZ]\n"
     "          [--sm-comm N] [--replicas N] [--prompt N] [--output N] [--dtype bf16|fp8]\n"
     "          [--kv-dtype bf16|fp8] [--power-cap W] [--unfused-attention]\n"
     "          [--unfused-gate-up] [--serving PROFILE] [--chunk-tokens N]\n"
     "          [--kv paged|reserve] [--rate R] [--replicas-per-gpu K]\n"
     "          [--format text|json]                      one configuration\n"
     "  eval    --from DIR --index N [--format text|json] a front row of DIR again\n"},
    {"ops", cmd_ops,
     "  ops     -m MODEL -g GPU --phase prefill|decode --batch N --seq N [--ctx N]\n"
     "          [--tp N] [--ep N] [--freq MHZ] [--sm-comm N] [-w WORKLOAD]\n"
     "          [--format text|json|csv]\n"
     "                                                    one layer's ops on one GPU\n"},
    {"kernel", cmd_kernel,
     "  kernel  gemm -g GPU --m M --n N --k K [--dtype bf16|fp8] [--freq MHZ] [--sms N]\n"
     "  kernel  attention -g GPU --heads H [--kv-heads G] [--head-dim X] --seq S [--ctx C]\n"
     "          [--batch B] [--unfused]\n"
     "  kernel  allreduce|allgather|reducescatter|alltoall|sendrecv -g GPU --ranks R\n"
     "          --bytes B [--sms N] [--scaleout]          one primitive\n"},
    {"explore", cmd_explore,
     "  explore -m MODEL -g GPU -w WORKLOAD [-s SPACE] -o DIR [--objectives a,b[,c]]\n"
     "          [--threads N] [--shard I/N] [--slo] [--min-gain F] [--all [--force]]\n"
     "          [--quiet]                                 the space as Pareto fronts\n"
     "  explore --disaggregated [--prefill-batch N,..] ... prefill/decode pools vs aggregated\n"},
    {"merge", cmd_merge,
     "  merge   -o DIR [-m MODEL] [-g GPU] [-w WORKLOAD] [-s SPACE] [--min-gain F]\n"
     "          SHARD_DIR...           (options before the shard folders)\n"
     "                                                    combine sharded explore runs\n"},
    {"search", cmd_search,
     "  search  -m MODEL -g GPU -w WORKLOAD [-s SPACE] -o DIR [--objectives a,b[,c]]\n"
     "          [--levels K] [--starts S] [--maxeval N] [--polish R] [--slo] [--min-gain F]\n"
     "          [--compare-exhaustive] [--disaggregated [--prefill-batch N,..]]\n"
     "                                                    the front by NLopt sweeps\n"},
    {"recommend", cmd_recommend,
     "  recommend -m MODEL[,..] -w WORKLOAD --rate R[,..] --gpus GPU:COUNT[:PRICE][,..]\n"
     "          [--objective energy|gpus|cost] [--power-cap W] [-s SPACE] [-o DIR]\n"
     "          [--confidence P|none] [--headroom F] [--time-limit S] [--clock-band MHZ]\n"
     "          [--format md|json] [--disaggregated]      the fleet under SLO and load\n"},
    {"validate", cmd_validate,
     "  validate plan -g GPU [-o FILE] [--clocks MHZ,..] | [--front DIR --top K -m MODEL\n"
     "          -w WORKLOAD]                              kernels for the CUDA runner\n"
     "  validate compare --measured FILE -g GPU [-o DIR] [--format text|json]\n"
     "  validate compare-serving --measured BENCH.json -i DEPLOY_DIR [--format text|json]\n"
     "  validate e2e [--data DIR] [--rows FILE] [--fit-overhead SET]  vs published serving\n"
     "  validate bands [--data DIR] [-o FILE]             uncertainty from out-of-fit errors\n"},
    {"calibrate", cmd_calibrate,
     "  calibrate --measured FILE -g GPU -o NEW.json [--no-leave-one-out]\n"},
    {"report", cmd_report,
     "  report  -i DIR -o FILE.html|FILE.md                a page from an explore output\n"},
    {"sku-check", cmd_sku_check,
     "  sku-check GPU.json [-o DIR] [--measured FILE] [--baseline DIR] [--tolerance F]\n"
     "          [--tolerance-energy|-tpot|-throughput F] [--junit FILE] [--no-recommend]\n"
     "          [--rate R] [--models a,b] [--workloads a,b] [-s SPACE]  CI for a new GPU\n"},
    {"deploy", cmd_deploy,
     "  deploy  -i DIR [--index N] --weights W -o OUT [--engine vllm|sglang|trtllm]\n"
     "          [--engine-version V]                       a front point as launch files\n"},
    {"list", cmd_list,
     "  list    models|gpus|workloads|spaces|serving|engines  the bundled library\n"},
    {"version", cmd_version, "  version\n"},
    {"--version", cmd_version, NULL},
    {"help", cmd_help, NULL},
    {"--help", cmd_help, NULL},
    {"-h", cmd_help, NULL},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fputs("usage: llmdse COMMAND [options]\n\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].usage)
            fputs(commands[i].usage, f);
    fputs("\n"
          "MODEL, GPU and WORKLOAD are bundled names or paths to JSON files. eval, explore,\n"
          "search, recommend and sku-check take --serving PROFILE (default " LLM_SERVING_DEFAULT "),\n"
          "--chunk-tokens N and --kv paged|reserve.\n"
          "Exit status: 0 success, 2 bad usage or input, 1 run-time failure (also: another run\n"
          "holds the output folder's lock), 130 interrupted by Ctrl-C (explore writes the partial\n"
          "front first). Also: recommend with no feasible plan 2 (the report says what to\n"
          "relax), sku-check regression or failed check 1. See docs/cli.md.\n",
          f);
}

static int cmd_version(int argc, char **argv)
{
    printf("llmdse %s\n", LLMDSE_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    /* Ctrl-C: the child killed, temporaries removed, exit 130 (docs/cli.md) */
    report_signals_install();
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].fn(argc, argv);
            /* a result that did not reach standard output (a full disk, a closed pipe) is a
             * failed run, not a success */
            if (fflush(stdout) || ferror(stdout)) {
                fprintf(stderr, "llmdse: error: %s: writing standard output failed: %s\n",
                        argv[1], strerror(errno));
                return rc ? rc : 1;
            }
            return rc;
        }
    fprintf(stderr, "llmdse: error: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return 2;
}
