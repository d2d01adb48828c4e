/* reports/reports.h — how results are shown: JSON objects, CSV and text tables.
 * The only front header of reports/. Numbers are written with enough digits to round-trip
 * (%.9g); a non-finite number is never written (see report_all_finite). */
#ifndef LLMDSE_REPORTS_H
#define LLMDSE_REPORTS_H

#include <stdio.h>
#include "../configs/configs.h"
#include "../cost/cost.h"
#include "../search/search.h"

typedef enum { FMT_TEXT = 0, FMT_JSON = 1, FMT_CSV = 2 } report_format;

/* The inputs of an evaluation, echoed in every output. */
typedef struct {
    const llm_model *model;
    const llm_gpu *gpu;
    const llm_workload *workload; /* may be NULL */
    const cost_config *config;
    const llm_bands *bands;       /* NULL: no uncertainty bands (eq. 52-54) */
} report_inputs;

/* 1 when every number that would be written is finite. */
int report_metrics_finite(const cost_metrics *m);

void report_eval(FILE *f, report_format fmt, const report_inputs *in, const cost_metrics *m);
/* The GPU's calibration coverage per class (docs/calibration.md, "Coverage"). */
void report_coverage_text(FILE *f, const llm_gpu *g, const char *indent);
void report_coverage_json(json_out *j, const llm_gpu *g);
void report_coverage_html(FILE *f, const llm_gpu *g);   /* a <table>, names escaped */
/* One line on what calibrates g; returns 2 datasheet only (no class calibrated), 1 the
 * datasheet_gpu regime (GEMM or power from the datasheet), 0 calibrated. */
int report_coverage_note(const llm_gpu *g, char *buf, size_t len);

/* One layer's ops; phase and shape as given to cost_build_layer. */
void report_ops(FILE *f, report_format fmt, const report_inputs *in, cost_phase ph,
                const cost_layer *L, double mhz);

/* One primitive: what it is (a short label such as "gemm 4096x4096x4096 bf16"). */
void report_kernel(FILE *f, report_format fmt, const char *what, const llm_gpu *g,
                   const cost_kernel *k, cost_kind kind, double mhz, double sms,
                   const llm_bands *b);

/* ---- explore outputs (docs/explore.md, "Outputs") ----------------------------------------- */

/* What `llmdse search` adds to summary.json. */
typedef struct {
    uint64_t evaluations, combos, subproblems, calls, converged, stopped_early, failed;
    int levels, starts, maxeval;
    int compared;                     /* --compare-exhaustive ran */
    double hv, hv_exhaustive, hv_ratio, ref[SEARCH_MAX_OBJ];
    uint64_t exhaustive_evaluated, exhaustive_front, missed;
    double evaluations_fraction;      /* evaluations / exhaustive_evaluated */
} report_nlopt;

/* What summary.json records; merge fills it from the shards' summaries. */
typedef struct {
    const char *model, *gpu, *workload, *space;  /* the arguments as given */
    int nobj;
    search_obj obj[SEARCH_MAX_OBJ];
    uint64_t space_size, begin, end;
    int shard_index, shard_count;
    uint64_t processed, evaluated, feasible, pruned[PRUNE_COUNT];
    uint64_t front_size;
    int partial, threads, slo_filter;
    double wall_s;
    const report_nlopt *nlopt;        /* NULL for explore and merge */
    const char *serving;              /* the serving profile as given; NULL: the ideal engine */
    int chunk_tokens, kv_paged;       /* --chunk-tokens (0 = the profile's), --kv */
    /* set by report_write_run when the inputs have bands (eq. 52-55) */
    int has_bands;
    const char *regime;
    uint64_t robust_front_size;
    double tolerance[SEARCH_MAX_OBJ]; /* per objective, ln */
    double min_gain;                  /* --min-gain: the front thinned (eq. 55 with ln(1 + F)) */
    uint64_t front_before_thinning;
    int has_knee;                     /* a front of at least one point (eq. 56) */
    uint64_t knee_index;
} report_summary;

/* Writes `name` in `dir` through a temporary file renamed into place, so a failed run never
 * leaves a half-written file. write() returns 0 or -1. Returns 0, or -1 with a message. */
int report_write_atomic(const char *dir, const char *name, int (*write)(FILE *, void *),
                        void *ctx, llm_err *err);
/* Checks, before a long computation, that dir is a writable directory or can be created
 * (without creating it); report_make_dir creates it when the outputs are ready. */
int report_prepare_dir(const char *dir, llm_err *err);
int report_make_dir(const char *dir, llm_err *err);

/* The front (rows evaluated from the indices, in index order) as CSV and JSON; every number
 * %.17g, so reading and writing again is exact. With in->bands, each banded metric X has X_lo
 * and X_hi (eq. 53) and robust[i] marks the robust front (eq. 55). */
void report_front_csv(FILE *f, const search_inputs *in, const search_row *rows, size_t n,
                      const unsigned char *robust);
/* all.csv in two parts, for writing rows in blocks: with_slo adds slo_met and leaves robust out
 * (robust is a property of a front). */
void report_front_csv_header(FILE *f, const search_inputs *in, int with_slo);
void report_front_csv_rows(FILE *f, const search_inputs *in, const search_row *rows, size_t n,
                           const unsigned char *robust, int with_slo);
void report_front_json(FILE *f, const report_summary *s, const search_inputs *in,
                       const search_row *rows, size_t n, const unsigned char *robust);
void report_summary_json(FILE *f, const report_summary *s);

/* ---- explore --disaggregated outputs (reports/disagg.c, docs/explore.md) ------------------ */

typedef struct {
    const disagg_args *a;
    const char *model, *gpu, *workload, *space, *serving, *version;
    const char *objectives_text;           /* "energy_per_token, tpot, throughput_per_gpu" */
    const disagg_result *r;                /* the disaggregated front */
    const search_row *agg;                 /* the aggregated front of a->in.s, same objectives */
    size_t nagg;
    const search_goodput *gp_agg, *gp_dis; /* goodput under the SLO grid, each mode; NULL
                                              (search): no comparison files */
    const report_nlopt *nlopt;             /* search --disaggregated; NULL for explore */
} report_disagg;
void report_disagg_csv(FILE *f, const disagg_args *a, const disagg_row *rows, size_t n);
void report_disagg_points_json(json_out *j, const disagg_args *a, const disagg_row *rows,
                               size_t n);
/* front.csv, front.json, summary.json into dir; with the goodput grids also
 * aggregated-front.csv, compare.md and report.html. */
int report_write_disagg(const char *dir, const report_disagg *d, llm_err *err);

/* ---- recommend outputs (docs/recommend.md) ----------------------------------------------- */

#define REPORT_MAX_RUNNERS REC_MAX_RUNNERS
/* What recommend adds to a plan for its fleet report (NULL members: not shown). */
typedef struct {
    const cost_metrics *pool;       /* by candidate: latency at the pool's load (eq. R8) */
    const rec_sens_case *sens;      /* REC_SENS_CASES cases (eq. R9), or NULL */
    double host_power_w;            /* per GPU: host CPU, memory, NICs, fans (0: none) */
    double pue;                     /* facility power / IT power (0: 1) */
} report_rec_extra;

typedef struct {
    const char *const *models;      /* names, by model index */
    const char *const *skus;        /* names, by SKU index */
    const llm_workload *w;          /* by model index */
    const rec_problem *p;
    const rec_plan *plan;
    const report_rec_extra *x;      /* may be NULL */
    const rec_solution *best;
    int n_runners;
    const char *runner_label[REPORT_MAX_RUNNERS];
    const rec_solution *runner[REPORT_MAX_RUNNERS];
    const rec_diagnosis *diag;      /* when best is infeasible */
} report_rec;

void report_recommend_json(FILE *f, const report_rec *r);
void report_recommend_md(FILE *f, const report_rec *r);
/* The fleet report (docs/report.md): Markdown, or with html a self-contained HTML page. */
void report_fleet(FILE *f, const report_rec *r, int html);

/* ---- the report page (docs/report.md) ------------------------------------------------------ */

typedef struct {
    const search_inputs *in;
    const char *dir;                              /* the explore output directory */
    const char *model_arg, *gpu_arg, *workload_arg, *space_name, *version;
    int nobj;
    search_obj obj[SEARCH_MAX_OBJ];
    uint64_t space_size, evaluated, feasible;
    const search_row *rows;                       /* the front */
    size_t nrows;
    const search_row *all;                        /* evaluated points (all.csv), may be none */
    size_t nall;
    int partial;                                  /* an interrupted run: said on the page */
} report_page;

int report_have_gnuplot(void);

/* A scatter plot drawn as inline SVG (reports/scatter.c): one <path class="pt"> per point with
 * its hover text as <title>, colour and shape by category, error bars (its band) on the
 * emphasised points, log axes where the values span a decade (logx/logy -1) or as given. */
typedef struct {
    double x, y, xlo, xhi, ylo, yhi;   /* a band with lo >= hi is not drawn */
    int colour, shape, emph;
    const char *tip;
} scatter_pt;
typedef struct {
    const char *xlabel, *ylabel;
    int logx, logy;
    const scatter_pt *pt, *bg;          /* bg: faint points, no hover */
    size_t n, nbg;
    const char *colour_title, *shape_title;
    const char *const *colour_names, *const *shape_names;
    int ncolours, nshapes;
} scatter_plot;
void report_svg_scatter(FILE *f, const scatter_plot *s);
/* Writes the self-contained HTML page; returns the number of plots drawn; notice gets a
 * one-line note of what is missing (no gnuplot), else "". */
int report_page_html(FILE *out, const report_page *pg, char *notice, size_t nlen);
void report_page_md(FILE *out, const report_page *pg);

/* ---- output folders as a whole (reports/run.c, page.c, merge.c) ------------------------------ */

/* Evaluates the front's rows and writes DIR/front.csv, front.json, summary.json (and all.csv
 * of the n_all indices when all is not NULL); sets sum->front_size. 0, or -1 with err. */
int report_write_run(const char *dir, const search_inputs *in, report_summary *sum,
                     const pareto *front, const uint64_t *all, size_t n_all, llm_err *err);
/* Writes a single file atomically: out is a path (its directory must exist). */
int report_write_file(const char *out, int (*fn)(FILE *, void *), void *ctx, llm_err *err);
/* The recommendation: recommendation.json and .md into dir (NULL: none; created if need be),
 * and to stdout in `format` (md, json; NULL: nothing). 0, or -1 with err. */
int report_recommend_out(const char *dir, const char *format, const llm_model *models,
                         const llm_gpu *gpus, const llm_workload *w, const rec_problem *prob,
                         const rec_plan *pl, llm_err *err);
/* The same with the fleet report's additions; with x, dir also gets fleet.md and fleet.html
 * (what `llmdse report -i DIR` gives for a recommend output). w: one workload per model. */
int report_recommend_out_x(const char *dir, const char *format, const llm_model *models,
                           const llm_gpu *gpus, const llm_workload *w, const rec_problem *prob,
                           const rec_plan *pl, const report_rec_extra *x, llm_err *err);

/* What a command gives instead of what summary.json records: names (NULL: the summary's), or
 * the loaded model, GPU and workload themselves (sku-check: the files as given, never
 * reloaded by name; m NULL otherwise). */
typedef struct {
    const char *model, *gpu, *workload, *space;
    const llm_model *m;
    const llm_gpu *g;
    const llm_workload *w;
    double min_gain;              /* merge --min-gain: thin the merged front; 0: do not */
} report_given;
/* The inputs of a recorded run, loaded again: in points into the struct (do not move it). */
typedef struct {
    llm_model m;
    llm_gpu g;
    llm_workload w;
    space_t s;
    llm_serving prof;
    llm_bands bands;
    search_inputs in;
} report_run;
/* Loads the run sum records (with the serving settings it recorded); the space must still
 * have the size it had ("CMD: the space now has N points, HAD M: the inputs changed").
 * 0, or -1 with err (messages prefixed with cmd where they are the command's). */
int report_run_load(const llm_summary *sum, const report_given *given, const char *cmd,
                    const char *had, report_run *r, llm_err *err);
void report_run_free(report_run *r);
/* Row n (from 0) of DIR/front.csv, an explore or search output folder, with the inputs its
 * summary.json records (eval --from): r those inputs (report_run_free after), row the point
 * evaluated as explore does, c its configuration. 0, or -1 with err naming what is wrong (a
 * row outside the front names --index and the rows there are). */
int report_front_point(const char *dir, long long n, const char *cmd, report_run *r,
                       search_row *row, cost_config *c, llm_err *err);

/* llmdse report: the page of the output folder dir as out (.html or .md). */
typedef struct {
    const char *dir, *out, *version;
    report_given given;
    int quiet;          /* no warnings or notices on stderr */
} report_page_args;
typedef struct {
    size_t nrows, nall;
    int plots, partial;
    int fleet;          /* a recommend output: its fleet report */
} report_page_result;
/* 0, or -1 with err (its message what follows "llmdse: error: ", its kind the exit status). */
int report_page_write(const report_page_args *a, report_page_result *res, llm_err *err);

/* llmdse merge: the shards' output folders dirs into out. */
typedef struct {
    uint64_t processed;
    size_t front;
} report_merge_result;
int report_merge(const char *out, const char *const *dirs, int nshards,
                 const report_given *given, report_merge_result *res, llm_err *err);

/* ---- front.csv read back (reports/frontindex.c, reports/front.c) ------------------------ */

/* Reads the index column of a front.csv written by explore (merge and report evaluate the
 * indices again: every other number is recomputed by the code explore ran). */
int report_read_front_indices(const char *path, uint64_t **out, size_t *n, llm_err *err);
/* The same from an open stream (fuzzing); path names it in messages. */
int report_parse_front_indices(FILE *f, const char *path, uint64_t **out, size_t *n,
                               llm_err *err);

/* ---- front.csv by column name (reports/front.c) ------------------------------------------- */

/* K configurations spread evenly along an explore front's energy per token (the lowest and
 * the highest included), read from DIR/front.csv; request shape from the workload. */
int report_front_configs(const char *dir, int top, const llm_workload *w, cost_config *out,
                         int *n, llm_err *err);

/* ---- sku-check's files (reports/sku.c, docs/sku-check.md) --------------------------------- */

/* One row of sku-check.csv: a model on a workload, the front's best in each objective. The
 * fields after thr are the run's own (sku-check.json, index.html, the JUnit file), not in the
 * CSV nor read back from it. */
typedef struct {
    char model[LLM_NAME_MAX], workload[LLM_NAME_MAX];
    int fits;                        /* status "ok" (else nothing_feasible) */
    unsigned long long feasible, front;
    double energy, tpot, thr;
    char why[256];                   /* nothing feasible: the constraints that pruned it */
    int failed;                      /* its exploration or files failed (said on stderr) */
    int rec;                         /* the model's recommendation ran on this row: 0 none,
                                        1 planned, 2 one node cannot serve it, 3 failed */
} report_sku_row;

/* The metrics sku-check compares with a baseline, in the order of the CSV's columns. */
enum { SKU_ENERGY = 0, SKU_TPOT, SKU_THR, SKU_METRICS };
extern const char *const report_sku_metric_names[]; /* "energy_per_token", "tpot",
                                                       "throughput_per_gpu" */
/* A row against the baseline's row of the same model and workload. */
typedef struct {
    int has_base;                    /* the baseline has the row */
    int fit_verdict;                 /* 1 feasible -> nothing (a regression), -1 the reverse */
    double base[SKU_METRICS];        /* the baseline's best */
    double change[SKU_METRICS];      /* new / old - 1 */
    int verdict[SKU_METRICS];        /* 1 regression, -1 improvement, 0 within tolerance */
} report_sku_cmp;
/* new against old: the relative change and its verdict under tol, the direction of metric m
 * (lower energy and TPOT, higher throughput, are better). */
int report_sku_verdict(int m, double old_v, double new_v, double tol, double *change);

/* A whole sku-check run, for sku-check.json and the JUnit file. */
typedef struct {
    const char *gpu_file, *version, *baseline;
    const llm_gpu *g;
    const char (*checks)[LLM_ERR_MAX];
    int nchecks;                     /* failed plausibility checks (then nothing explored) */
    const report_sku_row *rows;
    const report_sku_cmp *cmp;       /* NULL without a baseline; else one per row */
    size_t n;
    double tol[SKU_METRICS];
    double rate;
    int regressions, improvements, errors;
    const char *result;              /* "healthy", "regression", "failed" */
} report_sku_run;
void report_sku_csv(FILE *f, const report_sku_row *r, size_t n);
void report_sku_index(FILE *f, const report_sku_row *r, size_t n, const llm_gpu *g,
                      const char *version);
void report_sku_json(FILE *f, const report_sku_run *run);
void report_sku_junit(FILE *f, const report_sku_run *run);
/* Reads a sku-check.csv (a baseline): *rows malloc'd. 0, or -1 with err naming the line. */
int report_sku_read(const char *path, report_sku_row **rows, size_t *n, llm_err *err);

/* The summary's inputs and the space, for a run over the whole space. */
void report_summary_base(report_summary *sum, const char *model, const char *gpu,
                         const char *workload, const char *space, int nobj,
                         const search_obj *obj, const space_t *s);

/* ---- output folders and interrupts (reports/outdir.c, docs/limits.md) ---------------------- */

/* An output folder changes as a whole: begin takes the lock PARENT/.BASE.lock (a second run
 * into the folder fails at once, status 1), checks OUT (a non-empty folder that is not an
 * llmdse output is refused, status 2), removes what killed runs left, and creates the
 * temporary folder `tmp` where the files are written (OUTDIR_UPDATE: holding the previous
 * output's files, for recommend into an explore folder). commit writes manifest.json last and
 * swaps the folder into place; abort removes the temporary folder. */
#define OUTDIR_REPLACE 0
#define OUTDIR_UPDATE 1
typedef struct {
    char final[8192], tmp[8192], lock[8192];
    int lock_fd, slot_tmp, slot_lock;
    int prev_partial;   /* OUTDIR_UPDATE: the folder carried over was a partial run */
    const char *command;
} report_outdir;
/* 0, or -1 with a message and *status (2 bad -o, 1 busy or an I/O failure). */
int report_outdir_begin(report_outdir *o, const char *out, const char *command, int mode,
                        llm_err *err, int *status);
int report_outdir_commit(report_outdir *o, int partial, llm_err *err);
void report_outdir_abort(report_outdir *o);
/* Checks dir against its manifest.json: 0 consistent (partial and run filled in), 1 no
 * manifest (an output of an older llmdse), -1 inconsistent or unreadable (why says how). */
int report_outdir_check(const char *dir, int *partial, char *run, size_t runlen, char *why,
                        size_t len);
/* After reading a folder checked with report_outdir_check: 0 when its manifest still names
 * `run` (no other run replaced the folder meanwhile), -1 with why otherwise. */
int report_outdir_same_run(const char *dir, const char *run, char *why, size_t len);

/* SIGINT, SIGTERM, SIGHUP: kill the child, remove the registered temporary paths, exit with
 * 128 + the signal (130 for Ctrl-C); also at exit(). graceful(flag): the first signal only
 * sets *flag to its number (explore's evaluation stops, writes a partial front and exits
 * 128 + that number); NULL: immediate again. */
#include <signal.h>
void report_signals_install(void);
void report_signals_graceful(volatile sig_atomic_t *flag);
int report_cleanup_add(const char *path, int tree); /* a slot, or -1 when full */
void report_cleanup_drop(int slot);
/* Runs argv (PATH searched) with stdio on /dev/null, in its own process group, waiting for it;
 * killed on an interrupt. Returns its exit status, 128 + signal, or -1 when it did not start. */
int report_run_child(char *const argv[]);
int report_find_program(const char *name); /* 1 when an executable is on PATH */
/* Removes dir/PREFIX<pid>... (files or folders) whose process is gone: what a run killed with
 * SIGKILL left. */
void report_remove_dead(const char *dir, const char *prefix);

/* ---- llmdse deploy (reports/deploy.c, docs/deploy.md) ------------------------------------ */

/* Row `index` of the explore/search folder dir as launch scripts, GPU settings, NOTES.md,
 * deploy.json, deployment.yaml, benchmark.sh and predicted.json in the output folder out (as a
 * whole, report_outdir_*); index < 0: the knee's row (eq. 56, summary.json). engine/version NULL: the engine file the run's serving profile is
 * (configs_find_engine); weights: the checkpoint the engine loads (a Hugging Face repository
 * or a path), written quoted. 0, or -1 with err (its kind the exit status). */
/* dir a recommend output (recommendation.json): every pool of its fleet, each in its folder
 * OUT/pool-P-MODEL-GPU (configs_pool_dir), with OUT/fleet.json and OUT/README.md; weights
 * then MODEL=W[,MODEL=W...] (a single W when the fleet has one model); index unused. */
typedef struct {
    const char *dir, *out, *engine, *version, *weights;
    long long index;
} report_deploy_args;
typedef struct {
    int replicas, gpus;
    long long index;                 /* the row deployed (the knee's without --index) */
    int pools;                       /* a fleet: its pools (0: one front point) */
    char engine[LLM_NAME_MAX];
    char slo_miss[160];              /* a front point that misses its SLOs: how ("" meets) */
} report_deploy_result;
int report_deploy(const report_deploy_args *a, report_deploy_result *res, llm_err *err);
/* A benchmark's result (vLLM's bench serve JSON) against a deploy folder's predicted.json. */
typedef struct {
    int compared, inside;
} report_compare_result;
int report_compare_serving(FILE *f, report_format fmt, const char *dir, const char *measured,
                           report_compare_result *res, llm_err *err);

#endif
