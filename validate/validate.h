/* validate/validate.h — how right cost/ is: plan files, measurement files, comparison with the
 * model and calibration of a GPU's coefficients. The only front header of validate/'s CPU side
 * (the CUDA runner, validate/runner.cu, is a separate program built by `make validate` with
 * nvcc alone and shares only the file formats: docs/validate.md). */
#ifndef LLMDSE_VALIDATE_H
#define LLMDSE_VALIDATE_H

#include <stdio.h>
#include "../configs/configs.h"
#include "../cost/cost.h"

/* The kernels a plan can ask for. */
typedef enum {
    VK_GEMM = 0, VK_COPY, VK_NORM, VK_ACT, VK_ROPE, VK_RESIDUAL, VK_ATTN_DECODE,
    VK_ATTN_PREFILL_UNFUSED, VK_OVERLAP, VK_COUNT
} vkind;
extern const char *const vkind_names[]; /* "gemm", "copy", "norm", ... */

/* One row of a plan (and the first columns of a measurement). Sizes are element counts;
 * `bytes` is the bytes a copy moves (read once, written once). */
typedef struct {
    int id;
    vkind kind;
    char klass[32];          /* the group MAPE is reported by, e.g. "gemm_large" */
    llm_dtype dtype;         /* bf16 or fp8 (GEMMs) */
    double m, n, k, batch, heads, kv_heads, head_dim, seq, ctx, bytes;
    int sms;                 /* SMs the kernel may use (0 = all); overlap: the GEMM's */
    int sm_comm;             /* overlap: SMs of the copy kernel */
    double freq_mhz;         /* clock to lock (0 = leave the GPU's governor alone) */
    int repeats;
} vrow;

/* What the runner measured for a row. */
typedef struct {
    vrow r;
    double time_s, time_p10_s, time_p90_s;
    double alone_a_s, alone_b_s; /* overlap: the GEMM alone, the copy alone */
    double energy_j, power_w;    /* per iteration and average; 0 when NVML was not there */
    double sm_clock_mhz, mem_clock_mhz;
    int ok;                      /* status "ok"; otherwise skipped or failed (not compared) */
    char status[64];
} vmeas;

typedef struct {
    char gpu_name[128], driver[64], cuda[64], date[64], clocks[128], command[512];
    vmeas *rows;
    size_t n;
} vfile;

/* ---- plans ---------------------------------------------------------------------------------- */

/* The plan's column header (also the first columns of a measurement file). */
extern const char *const vplan_columns;

/* The standard micro-benchmark sweep for a GPU: GEMMs over LLM layer shapes at several token
 * counts and SM limits, memory-bound kernels, attention decode and unfused prefill, overlap
 * splits, at each clock given (none: the GPU's governor). Returns the row count, rows malloc'd. */
size_t validate_plan_sweep(const llm_gpu *g, const double *clocks, int nclocks, vrow **rows);

/* The kernels one GPU runs for one layer of a configuration (collectives excluded: the runner
 * is single-GPU), appended to rows; class "front_<rank>". */
size_t validate_plan_layer(const llm_model *m, const llm_gpu *g, const cost_config *c,
                           int rank, vrow **rows, size_t n);

/* The kernels of each configuration (validate plan --front; the configurations read from
 * the front by reports/): rows appended. 0, or -1 with err ("FRONT row I: why" when a row
 * does not fit the GPU). */
int validate_plan_configs(const char *front, const cost_config *cf, int k, const llm_model *m,
                          const llm_gpu *g, vrow **rows, size_t *n, llm_err *err);

void validate_write_plan(FILE *f, const char *gpu, const char *source, const vrow *rows,
                         size_t n);

/* ---- measurements ---------------------------------------------------------------------------- */

/* Parses a measurement file; every error names the file, the line and what was expected. */
int validate_read(const char *path, vfile *out, llm_err *err);
int validate_parse(const char *text, const char *path, vfile *out, llm_err *err);
void validate_free(vfile *f);

/* ---- the model's prediction and the comparison ------------------------------------------- */

/* The predicted time (and for overlap: the two alone) and power of a row on g at mhz. */
typedef struct {
    double time_s, alone_a_s, alone_b_s, power_w;
} vpred;
void validate_predict(const llm_gpu *g, const vrow *r, double mhz, vpred *p);
/* The clock a row ran at: the SM clock seen, else the locked one, else the GPU's maximum. */
double validate_clock(const llm_gpu *g, const vmeas *m);

typedef struct {
    char klass[32];
    int n;
    double mape_time, mape_power;  /* percent; power over rows with energy */
    int n_power;
} vclass;

typedef struct {
    size_t n;                      /* rows compared (ok) */
    double mape_time, mape_power;
    vclass cls[64];
    int ncls;
    size_t worst[10];              /* indices into the file's rows, worst time error first */
    int nworst;
} vsummary;

void validate_compare(const llm_gpu *g, const vfile *f, vsummary *s);
void validate_report_md(FILE *out, const llm_gpu *g, const vfile *f, const vsummary *s);
void validate_report_json(FILE *out, const llm_gpu *g, const vfile *f, const vsummary *s);

/* ---- calibration ------------------------------------------------------------------------- */

/* The coefficients calibrate fits (docs/validate.md, "Calibration"). */
typedef enum {
    CP_GEMM = 0, CP_GEMM_FP8, CP_ATTN, CP_ATTN_EXTRA, CP_MEM, CP_MEM_SMS, CP_OVERHEAD,
    CP_STATIC, CP_MATH, CP_SM_MEM, CP_DRAM, CP_COUNT
} cparam;
extern const char *const cparam_names[];

typedef struct {
    double before_time, after_time;    /* MAPE %, time */
    double before_power, after_power;  /* MAPE %, power (rows with energy) */
    int fitted[CP_COUNT];              /* which parameters the data could determine */
    double value[CP_COUNT];
    /* leave-one-class-out: fit without a class, error on that class */
    char lo_class[64][32];
    double lo_mape[64];
    int nlo;
    int nlopt_code_time, nlopt_code_power;
} vcalib;

/* Fits g's coefficients to the measurements (NLopt, least squares on relative error) and
 * writes them into *fitted (a copy of g). Returns 0, or -1 with a message (no usable rows,
 * NLopt failure). */
int validate_calibrate(const llm_gpu *g, const vfile *f, llm_gpu *fitted, vcalib *c,
                       int leave_one_out, llm_err *err);
/* The fitted parameters as JSON paths and values (for configs_write_gpu_update); returns how
 * many (at most CP_COUNT). */
int validate_calib_values(const vcalib *c, const char **paths, double *values);

/* ---- end to end against published serving measurements (validate/e2e.c) ------------------ */

typedef enum {
    E2E_THROUGHPUT = 0, E2E_TPOT, E2E_TTFT, E2E_POWER, E2E_ENERGY,
    E2E_TTFT_P50, E2E_TTFT_P99, E2E_TPOT_P50, E2E_TPOT_P99, E2E_NMETRIC
} e2e_metric;
extern const char *const e2e_metric_names[E2E_NMETRIC];

typedef struct {
    int n;
    double abs_sum, signed_sum, worst;   /* of pred / meas - 1 */
} e2e_stat;

typedef struct {
    char id[32], what[128];
    int fitted;                          /* 1: coefficients were fitted to this set */
    int rows, refused;                   /* rows the set has that the model can express;
                                            those it refused (does not fit, not bundled) */
    char first_refusal[256];
    e2e_stat stat[E2E_NMETRIC];
} e2e_setres;

typedef struct {
    e2e_setres set[16];
    int nsets;
} e2e_result;

/* The published measurement sets: $LLMDSE_SHARED/data/calibration, else
 * ../shared/data/calibration (the shared folder beside the checkout). */
void validate_data_dir(char *out, size_t n);

/* Runs every end-to-end set under data_dir (../shared/data/calibration); one CSV line per
 * compared metric to rows_out when it is not NULL. -1 with a message naming the missing file
 * or column. */
int validate_e2e(const char *data_dir, FILE *rows_out, e2e_result *r, llm_err *err);
/* Fits the set's serving profile's step_s and seq_step_s to its measured TPOT (eq. 51), the
 * profile's other values kept; with the set's TPOT MAPE under the profile as it is and as
 * fitted. -1 with a message for an unknown set or too few rows. */
typedef struct {
    char serving[64];
    int n;
    double step_s, seq_step_s;
    double mape_before, mape_after;      /* TPOT, percent */
} e2e_fit;
int validate_e2e_fit_overhead(const char *data_dir, const char *set_id, e2e_fit *fit,
                              llm_err *err);
/* One set, with another serving profile and GPU than its own when they are not NULL (the
 * leave-one-GPU-out experiment of validate/bands.c); every compared metric also goes to sink. */
/* clock_ratio: the SM clock the row was measured at over the GPU's maximum (1: not given) */
typedef void (*e2e_sink)(void *ctx, e2e_metric k, double pred, double meas,
                         double clock_ratio);
int validate_e2e_set(const char *data_dir, const char *set_id, const llm_serving *sv,
                     const llm_gpu *gpu, e2e_sink sink, void *ctx, e2e_setres *res,
                     llm_err *err);
const char *validate_e2e_set_serving(const char *set_id);   /* NULL: unknown set */
double e2e_mape(const e2e_stat *s);   /* percent */
double e2e_bias(const e2e_stat *s);   /* signed mean error, percent */
void validate_e2e_report(FILE *f, const e2e_result *r);

/* ---- uncertainty bands from out-of-fit residuals (validate/bands.c) ------------------------ */

typedef struct {
    llm_bands b;
    char e2e_sets[LLM_REGIME_COUNT][LLM_BAND_NMETRIC][256];
    char kernel_sets[LLM_COV_COUNT][256];
    int widened[LLM_REGIME_COUNT][LLM_BAND_NMETRIC];   /* eq. B5 made a side wider */
    double rule_gemm_eff, rule_math_w, rule_step_s, rule_seq_step_s; /* leave-one-GPU-out */
    double mamf_lo, mamf_hi;   /* spread of achieved / datasheet GEMM peak across GPUs, ln */
    int mamf_n;
} validate_bands_out;

/* Every band from the sets under dir (../shared/data/calibration); -1 with a message naming
 * the missing file. */
int validate_bands(const char *dir, validate_bands_out *o, llm_err *err);
void validate_bands_json(FILE *f, const validate_bands_out *o, const char *dir);
/* Per set and metric, as Markdown: the share of rows inside their regime's band, the band's
 * mean half-width and the MAPE (the bands judged on the rows they came from). */
int validate_bands_check(FILE *f, const char *dir, const llm_bands *b);
/* The datasheet-only version of g (for the leave-one-GPU-out experiment): GEMM efficiency at
 * the median MAMF efficiency of the other GPUs (rows whose accelerator names contain
 * mamf_name left out), power by the transfer rules from ref (docs/cost-model.md eq. 30's
 * table), every coverage class datasheet. */
int bands_datasheet_gpu(const char *dir, const llm_gpu *g, const llm_gpu *ref,
                        const char *mamf_name, llm_gpu *out, llm_err *err);

#endif
