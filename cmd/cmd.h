/* cmd/cmd.h — the commands of llmdse (one file each in cmd/) and what they share: the option
 * parser and die_usage (llmdse.c), the model/GPU/serving options and the loaders (cmd/common.c).
 * A command turns argv into one call of a module and an exit code; no domain work here.
 * Exit status: 0 success, 2 bad usage or bad input, 1 a run-time failure (docs/cli.md). */
#ifndef LLMDSE_CMD_H
#define LLMDSE_CMD_H
#include <signal.h>

#include "../configs/configs.h"
#include "../cost/cost.h"
#include "../reports/reports.h"
#include "../search/search.h"
#include "../space/space.h"

#define LLMDSE_VERSION "0.1.0"

/* ---- the option parser (llmdse.c) --------------------------------------------------------- */

typedef enum { O_STR, O_INT, O_NUM, O_FLAG } opt_type;
typedef struct {
    const char *name;  /* "--tp" */
    const char *alias; /* "-m" or NULL */
    opt_type type;
    void *dst;
    double min, max;
    int seen;
} opt;
#define OPT_END {NULL, NULL, O_STR, NULL, 0, 0, 0}
#define IMAX 2147483647.0

/* "llmdse: error: MESSAGE" on stderr, exit 2. */
void die_usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
long long parse_int(const char *name, const char *s, double min, double max);
double parse_num(const char *name, const char *s, double min, double max);
/* Parses argv[first..] against opts; a positional argument or unknown option is an error. */
void parse_opts(int argc, char **argv, int first, opt *opts, const char *cmd);
int opt_seen(const opt *opts, const char *name);
report_format parse_format(const char *s, int allow_csv);
llm_dtype parse_dtype(const char *opt_name, const char *s);

/* ---- shared options and loaders (cmd/common.c) -------------------------------------------- */

/* die_usage with err's message when rc is not 0. */
void load_or_die(int rc, const llm_err *err);
/* "llmdse: error: MESSAGE" on stderr; returns err's kind (the exit status). */
int report_error(const llm_err *err);
/* Begins an output folder: exits 2 on a bad -o, 1 when another run holds its lock. */
void outdir_begin(report_outdir *od, const char *cmd, const char *out, int mode);
/* "-o DIR is required" / "-o: expected a folder name" */
void need_out_dir(const char *cmd, const char *out);

typedef struct {
    const char *model, *gpu, *workload, *dtype, *kv_dtype, *format, *phase;
    cost_config c;
    int seq, ctx, unfused_attn, unfused_gate_up;
} common_args;

#define COMMON_OPTS(a)                                                                        \
    {"--model", "-m", O_STR, &(a).model, 0, 0, 0}, {"--gpu", "-g", O_STR, &(a).gpu, 0, 0, 0}, \
    {"--tp", NULL, O_INT, &(a).c.tp, 1, 1024, 0}, {"--ep", NULL, O_INT, &(a).c.ep, 1, 4096, 0}, \
    {"--pp", NULL, O_INT, &(a).c.pp, 1, 1024, 0},                                             \
    {"--batch", NULL, O_INT, &(a).c.batch, 1, 1 << 20, 0},                                    \
    {"--freq", NULL, O_NUM, &(a).c.freq_mhz, 1, 1e5, 0},                                      \
    {"--dtype", NULL, O_STR, &(a).dtype, 0, 0, 0},                                            \
    {"--kv-dtype", NULL, O_STR, &(a).kv_dtype, 0, 0, 0},                                      \
    {"--unfused-attention", NULL, O_FLAG, &(a).unfused_attn, 0, 0, 0},                        \
    {"--unfused-gate-up", NULL, O_FLAG, &(a).unfused_gate_up, 0, 0, 0},                       \
    {"--format", NULL, O_STR, &(a).format, 0, 0, 0}
void load_common(common_args *a, const char *cmd, llm_model *m, llm_gpu *g);

/* serving options (eval, explore, search, recommend, sku-check; docs/cli.md) */
typedef struct {
    const char *name, *kv;
    int chunk_tokens, kv_paged, loaded;
    llm_serving prof;
    llm_bands bands;   /* loaded with the profile: explore's and search's fronts carry bands */
} serving_args;
#define SERVING_OPTS(s)                                                                       \
    {"--serving", NULL, O_STR, &(s).name, 0, 0, 0},                                           \
    {"--chunk-tokens", NULL, O_INT, &(s).chunk_tokens, 16, 1 << 22, 0},                        \
    {"--kv", NULL, O_STR, &(s).kv, 0, 0, 0}
void load_serving(serving_args *s, const char *cmd);
void serving_inputs(const serving_args *s, search_inputs *in);
void serving_summary(const serving_args *s, report_summary *sum);

/* What explore and search share: -m -g -w -s -o --objectives --slo --min-gain. */
typedef struct {
    const char *model, *gpu, *workload, *space, *out, *objectives;
    int slo, quiet;
    double min_gain;   /* thin the written front (docs/explore.md, "Thinning"); 0: do not */
} run_args;
#define RUN_OPTS(r)                                                                           \
    {"--model", "-m", O_STR, &(r).model, 0, 0, 0},                                            \
    {"--gpu", "-g", O_STR, &(r).gpu, 0, 0, 0},                                                \
    {"--workload", "-w", O_STR, &(r).workload, 0, 0, 0},                                      \
    {"--space", "-s", O_STR, &(r).space, 0, 0, 0},                                            \
    {"--out", "-o", O_STR, &(r).out, 0, 0, 0},                                                \
    {"--objectives", NULL, O_STR, &(r).objectives, 0, 0, 0},                                  \
    {"--slo", NULL, O_FLAG, &(r).slo, 0, 0, 0},                                               \
    {"--min-gain", NULL, O_NUM, &(r).min_gain, 0, 10, 0},                                     \
    {"--quiet", "-q", O_FLAG, &(r).quiet, 0, 0, 0}
/* The inputs, the SLO filter and the objectives (cost only where the GPU has a price). */
typedef struct {
    llm_model m;
    llm_gpu g;
    llm_workload w;
    space_t s;
    int nobj;
    search_obj obj[SEARCH_MAX_OBJ];
} run_inputs;
void load_run(const char *cmd, const run_args *ra, run_inputs *r);
/* explore's and search's start: the options parsed, -o checked, the inputs and the serving
 * options loaded. */
void start_run(const char *cmd, int argc, char **argv, opt *opts, const run_args *ra,
               serving_args *sv, run_inputs *r);
/* The bundled uncertainty bands (configs/calibration/bands.json); exit 2 when unreadable. */
void load_bands(const char *cmd, llm_bands *b);
/* -g GPU, required, loaded. */
void load_gpu_opt(const char *cmd, const char *gpu, llm_gpu *g);

/* ---- the commands --------------------------------------------------------------------------- */

int cmd_eval(int argc, char **argv);
int cmd_ops(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_recommend(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sku_check(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_deploy(int argc, char **argv);
/* explore --disaggregated (cmd/disagg.c): after start_run; prefill_batch: "1,2,4" or NULL. */
int explore_disaggregated(const run_args *ra, serving_args *sv, run_inputs *ri,
                          const char *prefill_batch, int threads, volatile sig_atomic_t *stop);
/* search --disaggregated (cmd/disagg.c): tmpl the NLopt settings; compare: also the exact
 * front and the hypervolume ratio. */
int search_disaggregated(const run_args *ra, serving_args *sv, run_inputs *ri,
                         const char *prefill_batch, const nlsearch_args *tmpl, int compare);

#endif
