/* configs/configs.h — typed, validated model, GPU and workload descriptions.
 *
 * The only front header of configs/. Everything downstream (space/, cost/, search/, reports/)
 * sees these structs and never cJSON. Units are in the field names: _mhz, _gib, _gbs (GB/s,
 * 1e9 bytes per second), _w, _us, _s. File formats: docs/formats.md. */
#ifndef LLMDSE_CONFIGS_H
#define LLMDSE_CONFIGS_H

#include <stddef.h>
#include <stdio.h>

#define LLM_NAME_MAX 64
#define LLM_ERR_MAX 512

/* Element types. Bytes per element: llm_dtype_bytes(). */
typedef enum { LLM_BF16 = 0, LLM_FP8 = 1, LLM_FP16 = 2, LLM_FP32 = 3 } llm_dtype;
extern const char *const llm_dtype_names[]; /* "bf16", "fp8", "fp16", "fp32", NULL */
double llm_dtype_bytes(llm_dtype t);
int llm_dtype_parse(const char *s, llm_dtype *out); /* 0 ok, -1 unknown */

typedef enum { LLM_NORM_RMS = 0, LLM_NORM_LAYER = 1 } llm_norm;
typedef enum { LLM_POS_ROPE = 0, LLM_POS_LEARNED = 1 } llm_pos;
typedef enum { LLM_ACT_SWIGLU = 0, LLM_ACT_RELU = 1, LLM_ACT_GELU = 2 } llm_act;

typedef struct {
    char name[LLM_NAME_MAX];
    int d_model, n_layers, n_heads, n_kv_heads, head_dim, ffn_dim, vocab;
    int max_context_tokens;
    int tied_embeddings, qk_norm;
    llm_norm norm;
    llm_pos pos;
    llm_act act;      /* SwiGLU is gated (two up projections), the others are not */
    /* MoE (n_experts == 0: dense). */
    int n_experts, top_k, expert_ffn_dim;
    double routing_skew; /* Zipf exponent of expert popularity, 0 = uniform (docs eq. 13) */
    llm_dtype weight_dtype, act_dtype, kv_dtype;
} llm_model;

typedef enum { LLM_LINK_NVLINK = 0, LLM_LINK_PCIE = 1 } llm_link;

/* Collective kinds, in the order of the per-kind arrays in llm_gpu. */
typedef enum {
    LLM_ALLREDUCE = 0, LLM_ALLGATHER, LLM_REDUCESCATTER, LLM_ALLTOALL, LLM_SENDRECV, LLM_COLL_COUNT
} llm_coll;
extern const char *const llm_coll_names[]; /* "allreduce", ... */

/* What calibrates a part of the model on a GPU (docs/calibration.md, "Coverage"): measured =
 * fitted to data of this GPU; transferred = taken from a named GPU of the same architecture;
 * datasheet = the datasheet and the stated rules alone. The bands widen as coverage falls. */
typedef enum { LLM_COV_DATASHEET = 0, LLM_COV_TRANSFERRED, LLM_COV_MEASURED } llm_cov_level;
typedef enum {
    LLM_COV_GEMM = 0, LLM_COV_ATTENTION, LLM_COV_MEMORY, LLM_COV_COLLECTIVES, LLM_COV_POWER,
    LLM_COV_COUNT
} llm_cov_class;
extern const char *const llm_cov_level_names[];  /* "datasheet", "transferred", "measured" */
extern const char *const llm_cov_class_names[];  /* "gemm", "attention", "memory", ... */

typedef struct {
    char name[LLM_NAME_MAX];
    /* compute: dense tensor-core FLOP per clock per SM (datasheet peak / SMs / clock) */
    int sm_count;
    double bf16_flop_per_clk_sm, fp8_flop_per_clk_sm; /* fp8 0 = no fp8 tensor cores */
    double vector_flop_per_clk_sm;                    /* fp32 non-tensor (softmax, norms) */
    double bf16_peak_tflops, fp8_peak_tflops;         /* datasheet peaks, 0 = not given (only
                                                         sku-check reads them) */
    /* clocks */
    double min_mhz, max_mhz, step_mhz;
    /* memory */
    double mem_gib, mem_bw_gbs, l2_mib, reserved_gib;
    int mem_bus_bits;                                 /* 0 = not given (sku-check only) */
    double mem_data_rate_gbps;                        /* Gbit/s per pin, 0 = not given */
    /* power */
    double tdp_w, idle_w;
    /* interconnect */
    llm_link link;
    int link_gen;           /* index into llm_link_gens, -1 = not given (sku-check only) */
    int gpus_per_node;
    double link_bw_gbs;     /* per GPU, per direction */
    double scaleout_bw_gbs; /* per GPU, per direction, between nodes */
    /* per collective kind (docs eq. 11-12) */
    double coll_latency_us[LLM_COLL_COUNT];   /* alpha of the low-latency protocol, 2 ranks */
    double coll_latency_log2_us[LLM_COLL_COUNT]; /* extra alpha per doubling of ranks */
    double coll_bw_eff[LLM_COLL_COUNT];       /* achieved bus bandwidth / link_bw_gbs */
    double coll_rank_penalty[LLM_COLL_COUNT]; /* bus bandwidth x (1 - penalty / ranks) */
    double coll_simple_extra_us[LLM_COLL_COUNT]; /* extra start-up of the full-bw protocol */
    double coll_ll_bw_frac[LLM_COLL_COUNT];   /* low-latency protocol's share of bandwidth */
    double scaleout_latency_us;
    double comm_sms_saturate;                 /* SMs at which collectives reach full bw */
    /* efficiency */
    double gemm_eff;          /* best large-GEMM throughput / peak at the running clock */
    double gemm_fp8_eff;      /* the same for fp8 GEMMs (0 when the GPU has no fp8) */
    double attn_eff;          /* fused attention tensor throughput / peak */
    double attn_block_extra;  /* prologue/epilogue of a query block, in key-block iterations */
    double mem_eff;           /* achieved streaming DRAM bandwidth / datasheet */
    double mem_sms_saturate;  /* SMs needed to reach mem_eff */
    double mem_clk_knee_mhz;  /* below this SM clock, streaming bandwidth falls with the clock */
    double kernel_overhead_us;
    double gemm_stream_k;     /* 1: the GEMM library's kernels are persistent stream-K (Hopper,
                                 Blackwell): no wave quantisation beyond the first wave (eq. 5) */
    /* power model (docs eq. 20-24) */
    double static_w;          /* leakage + clock tree at max clock and voltage */
    double active_w;          /* drawn while kernels occupy the SMs, at max clock (scales f V^2:
                                 schedulers, register files, clocks ungated; docs eq. 20, 30) */
    double math_w;            /* dynamic SM power at full tensor utilisation, max clock */
    double sm_mem_w;          /* dynamic SM power of streaming kernels at full DRAM bw, max clock */
    double dram_w;            /* DRAM power at full bandwidth */
    double link_w;            /* interconnect power at full link bandwidth */
    double v_min_ratio;       /* V(min clock) / V(max clock) */
    double v_knee_mhz;        /* voltage flat below this clock, linear above */
    double price_per_hour;    /* USD per GPU-hour ($.price.usd_per_gpu_hour), 0 = unknown */
    double price_old_key;     /* $.price_per_gpu_hour_usd as read (moved to price_per_hour) */
    /* calibration coverage (docs/calibration.md, "Coverage"): per kernel class and for power,
     * how the coefficients were obtained; a user GPU without the block is datasheet only */
    int coverage[LLM_COV_COUNT];                /* llm_cov_level */
    char coverage_from[LLM_COV_COUNT][LLM_NAME_MAX]; /* transferred: the GPU it came from */
} llm_gpu;

/* A link generation ($.interconnect.generation, configs/configs.c, docs/sku-check.md): its
 * type and its bandwidth per GPU and direction in GB/s, in the order of the names. */
typedef struct {
    llm_link type;
    double gbs_per_direction;
} llm_link_gen;
extern const char *const llm_link_gen_names[]; /* "nvlink1" .. "nvlink6", "pcie3" .. "pcie6" */
extern const llm_link_gen llm_link_gens[];

/* The statistic an SLO bounds (docs/formats.md): without a request rate all are the mean. */
enum { LLM_SLO_MEAN = 0, LLM_SLO_P50, LLM_SLO_P90, LLM_SLO_P99 };
extern const char *const llm_slo_pct_names[]; /* "mean", "p50", "p90", "p99", NULL */

typedef struct {
    char name[LLM_NAME_MAX];
    double prompt_mean, prompt_p50, prompt_p90, prompt_p99;
    double output_mean, output_p50, output_p90, output_p99;
    double ttft_slo_s, tpot_slo_s;
    int ttft_slo_pct, tpot_slo_pct; /* which statistic each SLO bounds: LLM_SLO_MEAN .. P99 */
    double request_rate; /* requests per second for the whole service, 0 = unspecified */
} llm_workload;

/* A serving profile (configs/serving/NAME.json, docs/formats.md): the serving engine's defaults
 * that change its speed and memory, and its CPU-side overhead (docs/cost-model.md eq. 35-49).
 * Each group of values names its source in the file. */
typedef struct {
    char name[LLM_NAME_MAX];
    /* engine */
    int chunked_prefill;           /* decode steps carry prefill chunks (vLLM chunked prefill) */
    int max_num_batched_tokens;    /* token budget of one step (the chunk budget) */
    double gpu_memory_utilization; /* share of GPU memory the engine takes (weights, act, KV) */
    int block_size;                /* paged KV cache: tokens per block */
    int cuda_graphs;               /* decode launched as CUDA graphs (0: eager launches) */
    int kv_no_evict;               /* admission reserves KV blocks for prompt + output (TensorRT-LLM
                                      GUARANTEED_NO_EVICT); 0: on demand, preempting (vLLM) */
    /* overhead: CPU time the GPU waits for, in seconds */
    double step_s;                 /* per scheduler step (schedule, prepare inputs, launch) */
    double seq_step_s;             /* per running sequence per step (sampling, detokenising) */
    double request_s;              /* per request (tokenising, admission, response) */
    double eager_launch_us;        /* CPU time per kernel launch without CUDA graphs */
    char fitted_on_gpu[LLM_NAME_MAX]; /* the GPU its CPU times were fitted on ("": estimate) */
} llm_serving;

/* Uncertainty bands (configs/calibration/bands.json, docs/calibration.md "Bands"): quantiles of
 * ln(measured / predicted) over out-of-fit rows, per end-to-end regime and metric and per
 * kernel class and coverage level. Written by `llmdse validate bands` (make bands). */
typedef enum {
    LLM_BAND_THROUGHPUT = 0, LLM_BAND_TTFT, LLM_BAND_TPOT, LLM_BAND_POWER, LLM_BAND_ENERGY,
    LLM_BAND_NMETRIC
} llm_band_metric;
extern const char *const llm_band_metric_names[]; /* "throughput", "ttft", "tpot", "power",
                                                      "energy_per_token" */
/* serving_fitted: the serving profile was fitted on this GPU and the GPU is calibrated;
 * calibrated_gpu: a calibrated GPU (GEMM and power measured or transferred), the profile
 * fitted elsewhere or estimated; datasheet_gpu: GEMM or power from the datasheet alone. */
typedef enum {
    LLM_REGIME_SERVING_FITTED = 0, LLM_REGIME_CALIBRATED_GPU, LLM_REGIME_DATASHEET_GPU,
    LLM_REGIME_COUNT
} llm_band_regime;
extern const char *const llm_band_regime_names[];

typedef struct {
    double q10, q50, q90;   /* of ln(measured / predicted) */
    int n;                  /* rows behind it (0: derived, see docs/calibration.md eq. B3) */
    double mape_pct;        /* of the same rows, percent */
} llm_band;

typedef struct {
    llm_band e2e[LLM_REGIME_COUNT][LLM_BAND_NMETRIC];
    llm_band kernel[LLM_COV_COUNT][3];  /* [class][llm_cov_level] */
} llm_bands;


/* The serving profile eval/explore/search/recommend use without --serving. */
#define LLM_SERVING_DEFAULT "vllm-0.11"

/* The knobs of a configuration space, in mixed-radix order (outermost first): the knobs that
 * change the evaluation plan come first, the clock and the replica count last (cheapest). */
typedef enum {
    KNOB_TP = 0, KNOB_EP, KNOB_PP, KNOB_DTYPE, KNOB_KV_DTYPE, KNOB_BATCH, KNOB_CHUNK_TOKENS,
    KNOB_REPLICAS_PER_GPU, KNOB_SM_COMM, KNOB_FREQ, KNOB_REPLICAS, KNOB_COUNT
} llm_knob;
extern const char *const llm_knob_names[]; /* "tp", "ep", "pp", "dtype", "kv_dtype", "batch",
                                              "chunk_tokens", "replicas_per_gpu", "sm_comm",
                                              "freq_mhz", "replicas" */

/* A space file as written: each knob's values (dtype knobs as llm_dtype indices), or not
 * given (the default is derived from the model and GPU by space/). docs/formats.md. */
typedef struct {
    char name[LLM_NAME_MAX];
    int given[KNOB_COUNT];
    int n[KNOB_COUNT];
    double *values[KNOB_COUNT]; /* malloc'd; configs_free_space releases them */
    int gpus_per_node, nodes;   /* 0 = from the GPU file, 1 node */
    int slo_filter;
} llm_space_spec;

/* Error: one message naming the file, the JSON path and what was expected, and its kind, set
 * where it is raised: the exit status it calls for (LLM_ERR_INPUT 2: bad usage or input;
 * LLM_ERR_RUNTIME 1: a run-time failure such as out of memory or a write that failed). */
#define LLM_ERR_INPUT 2
#define LLM_ERR_RUNTIME 1
typedef struct { char msg[LLM_ERR_MAX]; int status; } llm_err;
/* Sets the message, kind LLM_ERR_INPUT. */
void llm_err_set(llm_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets the kind (e may be NULL); llm_err_fail sets the message, kind LLM_ERR_RUNTIME. */
void llm_err_kind(llm_err *e, int status);
#define llm_err_fail(e, ...) (llm_err_set((e), __VA_ARGS__), llm_err_kind((e), LLM_ERR_RUNTIME))
/* Prefixes the message with "prefix: " (the kind kept, or set when status is not 0). */
void llm_err_prefix(llm_err *e, const char *prefix, int status);

/* A serving engine's command line, one file per engine and version (configs/engines/
 * ENGINE-VERSION.json, docs/formats.md "Engine files"): for each llmdse knob the engine's flag,
 * how its value is written and the documentation page it comes from. A knob whose flag is ""
 * the engine cannot set from its command line (deploy says so in NOTES.md). */
#define LLM_ENGINE_KNOBS(X)                                                                  \
    X(TP, "tp") X(EP, "ep") X(PP, "pp") X(DP, "dp") X(DP_ATTENTION, "dp_attention")        \
    X(MAX_SEQS, "max_seqs") X(MAX_TOKENS, "max_tokens") X(CHUNKED, "chunked_prefill")      \
    X(DTYPE, "dtype") X(QUANT, "quantization") X(KV_DTYPE, "kv_dtype")                     \
    X(MEM_FRACTION, "mem_fraction") X(CONTEXT, "context_len") X(EAGER, "eager")            \
    X(BACKEND, "backend") X(HOST, "host") X(PORT, "port")
#define LLM_ENGINE_ENUM(a, b) ENGINE_##a,
typedef enum { LLM_ENGINE_KNOBS(LLM_ENGINE_ENUM) ENGINE_NFLAGS } llm_engine_knob;
extern const char *const llm_engine_knob_names[]; /* "tp", "ep", "dp", "dp_attention", ... */
typedef enum { ENGINE_FMT_VALUE = 0, ENGINE_FMT_SWITCH = 1 } llm_engine_format;
#define LLM_TEXT_MAX 256
typedef struct {
    char flag[LLM_NAME_MAX];      /* "--tensor-parallel-size"; "" = not settable */
    int format;                   /* llm_engine_format: "--flag VALUE" or "--flag" alone */
    char bf16[LLM_NAME_MAX], fp8[LLM_NAME_MAX]; /* dtype knobs: the value per dtype; "" = omit */
    int per_dp_rank;              /* max_seqs: counted per data-parallel rank, not per replica */
    char doc[LLM_TEXT_MAX];       /* the documentation page (URL) */
} llm_engine_flag;
typedef struct {
    char name[LLM_NAME_MAX];      /* "vllm-0.11": ENGINE-VERSION, the file's name */
    char engine[LLM_NAME_MAX], version[LLM_NAME_MAX];
    char serving[LLM_NAME_MAX];   /* the serving profile this engine is ("": none) */
    char command[LLM_NAME_MAX];   /* "vllm serve" */
    char model_flag[LLM_NAME_MAX];/* "" = the weights are the first argument */
    char image[LLM_TEXT_MAX], image_doc[LLM_TEXT_MAX];
    int port;                     /* the engine's default port (replica K listens on port + K) */
    int mps;                      /* several replicas may share a GPU under MPS */
    char mps_source[LLM_ERR_MAX];
    int tp_counts_all;            /* the tp flag counts every GPU of a replica (tp x ep) */
    llm_engine_flag flag[ENGINE_NFLAGS];
} llm_engine;
/* The engine file for engine (vllm, sglang, trtllm) and version ("": the one the serving
 * profile `serving` is, else the only one bundled); engine "" = the one whose "serving" is
 * `serving`. Errors list the bundled ENGINE-VERSION names. */
int configs_find_engine(const char *engine, const char *version, const char *serving,
                        llm_engine *e, llm_err *err);
int configs_load_engine(const char *name_or_path, llm_engine *e, llm_err *err);
int configs_parse_engine(const char *json, const char *file, llm_engine *e, llm_err *err);

/* A serving benchmark's result (vLLM's `vllm bench serve --save-result` JSON, docs/deploy.md):
 * the keys compare-serving reads, milliseconds and tokens/s as written; has[] says which were
 * present (percentiles appear only when asked for with --metric-percentiles). */
typedef enum {
    BENCH_TTFT_MEAN = 0, BENCH_TTFT_P50, BENCH_TTFT_P90, BENCH_TTFT_P99,
    BENCH_TPOT_MEAN, BENCH_TPOT_P50, BENCH_TPOT_P90, BENCH_TPOT_P99,
    BENCH_OUTPUT_THROUGHPUT, BENCH_REQUEST_THROUGHPUT, BENCH_DURATION, BENCH_COMPLETED,
    BENCH_NKEYS
} llm_bench_key;
extern const char *const llm_bench_keys[]; /* "mean_ttft_ms", "median_ttft_ms", ... */
typedef struct {
    double v[BENCH_NKEYS];
    int has[BENCH_NKEYS];
} llm_bench;
int configs_parse_bench(const char *json, const char *file, llm_bench *b, llm_err *err);
int configs_load_bench(const char *path, llm_bench *b, llm_err *err);

/* predicted.json of a deploy folder (written by reports/deploy.c): per metric the prediction
 * and its 80% band, for one replica under the benchmark recipe. */
typedef enum {
    PRED_TTFT_P50 = 0, PRED_TTFT_P90, PRED_TTFT_P99, PRED_TPOT_P50, PRED_TPOT_P90,
    PRED_TPOT_P99, PRED_THROUGHPUT, PRED_POWER, PRED_NMETRICS
} llm_pred_metric;
extern const char *const llm_pred_keys[]; /* "ttft_p50_s", ..., "throughput_tok_s", "avg_power_w" */
typedef struct {
    double v[PRED_NMETRICS], lo[PRED_NMETRICS], hi[PRED_NMETRICS];
    int banded;                   /* the run had bands (else lo = hi = v) */
} llm_predicted;
int configs_load_predicted(const char *path, llm_predicted *p, llm_err *err);

/* Find a bundled item: kind is "models", "gpus", "workloads", "spaces" or "serving". If name_or_path
 * contains '/' or ends in ".json" it is a path; otherwise <configs dir>/<kind>/<name>.json.
 * Returns 0 and writes the path, or -1 with an error listing the bundled names. */
int configs_resolve(const char *kind, const char *name_or_path, char *path, size_t path_len,
                    llm_err *err);
/* The configs directory: $LLMDSE_CONFIGS, else next to the executable, else the build path. */
const char *configs_dir(void);
/* Lists the bundled names of a kind into buf, comma separated. */
void configs_list(const char *kind, char *buf, size_t len);

int configs_load_model(const char *name_or_path, llm_model *m, llm_err *err);
int configs_load_gpu(const char *name_or_path, llm_gpu *g, llm_err *err);
int configs_load_workload(const char *name_or_path, llm_workload *w, llm_err *err);

/* Parse from a string (tests, fuzzing); file names the origin in messages. */
int configs_parse_model(const char *json, const char *file, llm_model *m, llm_err *err);
int configs_parse_gpu(const char *json, const char *file, llm_gpu *g, llm_err *err);
int configs_parse_workload(const char *json, const char *file, llm_workload *w, llm_err *err);

/* Serving profiles: kind "serving" (configs/serving/<name>.json). */
int configs_load_serving(const char *name_or_path, llm_serving *s, llm_err *err);
/* The bundled bands (NULL) or a file; -1 with a message naming the file and field. */
int configs_load_bands(const char *path, llm_bands *b, llm_err *err);
int configs_parse_bands(const char *json, const char *file, llm_bands *b, llm_err *err);
int configs_parse_serving(const char *json, const char *file, llm_serving *s, llm_err *err);

int configs_load_space(const char *name_or_path, llm_space_spec *s, llm_err *err);
int configs_parse_space(const char *json, const char *file, llm_space_spec *s, llm_err *err);
void configs_free_space(llm_space_spec *s);

/* What an explore run recorded in its summary.json, as `llmdse merge` needs it. */
#define LLM_PATH_MAX 1024
typedef struct {
    char model[LLM_PATH_MAX], gpu[LLM_PATH_MAX], workload[LLM_PATH_MAX], space[LLM_PATH_MAX];
    char objectives[256];            /* comma-separated */
    unsigned long long space_size, begin, end, processed, evaluated, feasible, front_size;
    unsigned long long pruned[16];   /* by the names given to configs_load_summary */
    int shard_index, shard_count, partial, threads, slo_filter;
    double wall_s;
    /* "serving" (absent in runs before it existed: the ideal engine, KV reserved) */
    int has_serving, chunk_tokens, kv_paged;
    char serving[LLM_PATH_MAX];
    int thinned;                     /* "thinning" present: the front was thinned (--min-gain) */
    int has_knee;                    /* "knee" present: its space index (eq. 56) */
    unsigned long long knee_index;
} llm_summary;

/* Reads a summary.json; prune_names (NULL-terminated, index 0 unused) name the "pruned" keys. */
int configs_load_summary(const char *path, const char *const *prune_names, llm_summary *s,
                         llm_err *err);
/* The same from a string (fuzzing); path names the origin in messages. */
int configs_parse_summary(const char *text, const char *path, const char *const *prune_names,
                          llm_summary *s, llm_err *err);

/* What a recommend output's recommendation.json records, as `llmdse deploy -i REC_DIR` needs
 * it (configs/recommendation.c; the format: reports/recommend.c, docs/recommend.md). Names of
 * models and GPUs are checked by llm_name_check (they become folder names). */
#define LLM_REC_MAX_MODELS 8
#define LLM_REC_MAX_POOLS 64
typedef struct {
    char model[LLM_NAME_MAX], workload[LLM_PATH_MAX];
    double rate_rps;
} llm_rec_model;
typedef struct {
    char model[LLM_NAME_MAX], gpu[LLM_NAME_MAX];
    int replicas, tp, ep, batch, sm_comm, replicas_per_gpu, chunk_tokens;
    int pp;                                   /* pipeline stages; absent in the file: 1 */
    llm_dtype dtype, kv_dtype;
    double freq_mhz, gpus_per_replica, load_rps;
} llm_rec_pool;
typedef struct {
    char gpu[LLM_NAME_MAX];
    double count;                             /* GPUs of the type the request has */
} llm_rec_gpu;
typedef struct {
    int nmodels, ngpus;
    llm_rec_model models[LLM_REC_MAX_MODELS];
    llm_rec_gpu gpus[LLM_REC_MAX_MODELS];     /* $.request.gpus (at most 8 types) */
    int has_serving, chunk_tokens, kv_paged;  /* $.request.serving (absent: not recorded) */
    char serving[LLM_PATH_MAX];
    char status[64];                          /* $.recommendation.status */
    int feasible;                             /* optimal or feasible: the fleet was read */
    int npools;
    llm_rec_pool pools[LLM_REC_MAX_POOLS];    /* $.recommendation.fleet, in order */
} llm_recommendation;
int configs_load_recommendation(const char *path, llm_recommendation *r, llm_err *err);
int configs_parse_recommendation(const char *text, const char *file, llm_recommendation *r,
                                 llm_err *err);
/* The folder `llmdse deploy -i REC_DIR -o OUT` writes pool P of a fleet into (OUT/NAME):
 * "pool-P-MODEL-GPU", P from 0 in the order of recommendation.json's fleet; the fleet report
 * (reports/fleet.c) names it. 0, or -1 (buf "") when a name is not a bundled name
 * (llm_name_check): it never becomes a path then. */
int configs_pool_dir(char *buf, size_t len, int pool, const char *model, const char *gpu);

/* Writes a copy of the GPU file at `orig` to `out` with the given values set at their JSON
 * paths ("efficiency.gemm", "power.math_w", ...), a note appended to the "source" of each
 * group touched, the coverage class of each fitted group (gemm, attention, memory, power)
 * set to measured, and the result checked by loading it again. Written through a temporary file
 * and renamed. */
int configs_write_gpu_update(const char *orig, const char *out, const char *const *paths,
                             const double *values, int n, const char *note, llm_err *err);

/* Plausibility of a GPU file that loaded (units and magnitudes a real GPU has): writes one
 * message per failed check into msgs (each naming the JSON path), returns how many failed. */
int configs_gpu_plausible(const llm_gpu *g, char msgs[][LLM_ERR_MAX], int max);

/* What sku-check derives from a GPU file for its cross-checks and prints for a human:
 * peaks at the maximum clock (FLOP/clk/SM x SMs x max_mhz), their ratio to the datasheet's
 * peak and the clock the datasheet's peak implies (0 when not given), the bandwidth of the
 * memory bus (0 when not given), bf16 FLOP per byte, and the link generation held to (the
 * one given, else the fastest of its type). */
typedef struct {
    double bf16_tflops, fp8_tflops, bf16_ratio, fp8_ratio, bf16_peak_mhz, fp8_peak_mhz;
    double bus_gbs, flop_per_byte;
    const char *link_gen_name;
    double link_gen_gbs;
} llm_gpu_derived;
void llm_gpu_derive(const llm_gpu *g, llm_gpu_derived *d);

/* 1 when some value occurs twice in v (then *dup is it), in O(n log n). */
int llm_find_duplicate(const double *v, int n, double *dup);

/* Supported SM clock steps: min_mhz + i*step_mhz <= max_mhz. */
int llm_gpu_clock_steps(const llm_gpu *g);
/* Nearest supported clock step to mhz; -1 when outside [min, max]. */
double llm_gpu_snap_clock(const llm_gpu *g, double mhz);

/* Names are data, checked where the files are read (docs/limits.md, "Names"). A model's or a
 * workload's name becomes a folder name (sku-check): 1 to 63 characters of [A-Za-z0-9._-],
 * the first a letter, a digit or '_'. A GPU's or a space's name is text: 1 to 63 bytes of
 * valid UTF-8 without control characters, escaped in every output. Each returns 0, or -1 with
 * what was expected in why. */
int llm_name_check(const char *s, char *why, size_t len);
int llm_text_check(const char *s, char *why, size_t len);
/* Length of the valid UTF-8 sequence at p (1 to 4), 0 when the bytes there are not one. */
size_t llm_utf8_len(const unsigned char *p);
/* Opens a file the user named for reading, refusing what is not a regular file (a FIFO, a
 * directory, a device) without blocking. NULL with a message naming the path. */
FILE *llm_open_input(const char *path, const char *mode, llm_err *err);
/* Reads an open stream to its end into a malloc'd, NUL-terminated buffer; *len the bytes read.
 * NULL when out of memory (*big 0) or when the stream reaches max bytes (*big 1). */
char *llm_read_stream(FILE *f, size_t max, size_t *len, int *big);

/* ---- writing our outputs: JSON (configs/json.c) and text escaped per format
 * (configs/escape.c). Here, at the bottom, so that every module that writes a format
 * (reports/, validate/) shares one writer. */

/* A minimal streaming JSON writer: objects, arrays, keys and scalars with commas handled. */
typedef struct {
    FILE *f;
    int depth;
    int first[32];
    int pretty;
} json_out;
void json_begin(json_out *j, FILE *f, int pretty);
void json_obj(json_out *j, const char *key);     /* key NULL inside arrays / at top */
void json_arr(json_out *j, const char *key);
void json_end_obj(json_out *j);
void json_end_arr(json_out *j);
void json_num(json_out *j, const char *key, double v);   /* %.9g: for people */
void json_num17(json_out *j, const char *key, double v); /* %.17g: round-trips exactly */
void json_int(json_out *j, const char *key, long long v);
void json_str(json_out *j, const char *key, const char *s);
void json_bool(json_out *j, const char *key, int v);
void json_finish(json_out *j); /* newline at the end of the document */

/* ---- text from input files in our outputs (configs/escape.c, docs/limits.md) --------------- */

/* Each writes s escaped for its format; bytes that are not valid UTF-8 become U+FFFD.
 * HTML: & < > " ' as entities (safe in text and in quoted attributes), control characters
 * other than tab and newline as U+FFFD. Markdown: \ ` * _ [ ] | ~ # backslash-escaped, & < >
 * as entities, newlines and tabs as spaces. CSV (RFC 4180): quoted, with "" for ", when the
 * field has a comma, a quote or a line break. JSON: a quoted RFC 8259 string. */
void llm_html_text(FILE *f, const char *s);
/* XML 1.0 text and attribute values (JUnit): as HTML, and U+FFFE, U+FFFF as U+FFFD. */
void llm_xml_text(FILE *f, const char *s);
void llm_md_text(FILE *f, const char *s);
void llm_csv_field(FILE *f, const char *s);
void llm_json_string(FILE *f, const char *s);
/* Shell (POSIX sh): s as one single-quoted word ('\'' for a quote), so no byte of it is ever
 * interpreted; and s for a comment line, control characters as '?' so it cannot end the
 * comment. */
void llm_sh_word(FILE *f, const char *s);
void llm_sh_comment(FILE *f, const char *s);

#endif
