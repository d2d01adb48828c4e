/* cost/cost.h — the analytical cost model. The only front header of cost/.
 *
 * Pure functions of (model, GPU, configuration) -> metrics: no I/O, no globals, no allocation,
 * thread-safe. Equations are numbered in docs/cost-model.md and cited as (eq. N).
 * Units: seconds, joules, watts, bytes, FLOP; clocks in MHz. */
#ifndef LLMDSE_COST_H
#define LLMDSE_COST_H

#include "../configs/configs.h"

/* ---- primitives (layer 1) ----------------------------------------------------------------- */

typedef enum { BOUND_COMPUTE = 0, BOUND_MEMORY, BOUND_LATENCY, BOUND_COMM } cost_bound;
extern const char *const cost_bound_names[];

/* What one kernel (or a short sequence of kernels forming one op) costs on one GPU.
 * Utilisations are fractions of the whole GPU's peak at the running clock (math), of the
 * datasheet DRAM bandwidth (mem) and of the per-direction link bandwidth (link). */
typedef struct {
    double time_s;       /* max(t_comp, t_mem) + beta min(t_comp, t_mem) + t_fixed (eq. 6, 27) */
    double t_comp;       /* math time: scales as 1/clock */
    double t_mem;        /* DRAM time: clock-independent above the memory knee (eq. 2) */
    double t_fixed;      /* launch gap, or a collective's whole time: clock-independent */
    double beta;         /* share of the shorter of t_comp and t_mem not hidden (eq. 27) */
    double flops, bytes, link_bytes; /* useful FLOP, DRAM bytes, bytes on the wire */
    double flops_exec;   /* tensor FLOP executed, padding of partial tiles included: what the
                            tensor cores' power follows (eq. 29); 0 for CUDA-core kernels */
    double u_math, u_mem, u_link;
    int fp8;
    cost_bound bound;
} cost_kernel;

/* A GEMM C[m,n] = A[m,k] B[k,n], `groups` independent instances (grouped/batched).
 * a_bytes/b_bytes/c_bytes: element sizes of A (activations), B (weights) and C; fp8 selects
 * the fp8 tensor rate (caller checks the GPU has one). */
typedef struct {
    double m, n, k, groups;
    double a_bytes, b_bytes, c_bytes;
    int fp8;
} cost_gemm_shape;
/* The GEMM on `sms` SMs at `mhz` (eq. 1-6). */
void cost_gemm(const llm_gpu *g, const cost_gemm_shape *s, double mhz, double sms,
               cost_kernel *out);

/* Attention for b sequences, hq query heads sharing hkv KV heads of size dh; sq new queries
 * attending to skv keys (causal within the new queries). Fused (FlashAttention-style, eq. 7-8)
 * or unfused (batched GEMMs + softmax through DRAM, eq. 9). */
typedef struct {
    double b, hq, hkv, dh, sq, skv;
    double act_bytes, kv_bytes;
    int fused;
} cost_attn_shape;
void cost_attention(const llm_gpu *g, const cost_attn_shape *s, double mhz, double sms,
                    cost_kernel *out);
/* The same as the 1 (fused) or 3 (unfused) kernels it launches; returns the count. */
int cost_attention_kernels(const llm_gpu *g, const cost_attn_shape *s, double mhz, double sms,
                           cost_kernel out[3]);
/* Sums kernels run one after another into one (times, work, time-weighted utilisation). */
void cost_kernel_sum(const cost_kernel *ks, int n, cost_kernel *out);

/* A memory-bound element-wise or normalisation kernel (eq. 10). */
void cost_elementwise(const llm_gpu *g, double bytes, double vector_flops, double launches,
                      double mhz, double sms, cost_kernel *out);

/* A collective over `ranks` GPUs; bytes as NCCL counts them: the full buffer for all-reduce,
 * the full output for all-gather, the full input for reduce-scatter and all-to-all, the
 * message for send/recv (eq. 11-12). sms: SMs the communication kernels get; scaleout: the
 * ranks span nodes. */
void cost_collective(const llm_gpu *g, llm_coll c, int ranks, double bytes, double sms,
                     int scaleout, cost_kernel *out);

/* ---- power and time at a clock (layer 4, cost/power.c) ----------------------------------- */

/* V(f)/V(max) along the voltage-frequency curve (eq. 19). */
double cost_voltage_ratio(const llm_gpu *g, double mhz);

/* Everything about an SM clock that time and power need (eq. 2, 19, 20, 25). */
typedef struct {
    double mhz;
    double r;       /* fmax / f: math time scales by it */
    double knee;    /* max(1, memory_clock_knee / f): DRAM time scales by it (eq. 2) */
    double v2, fv2; /* v(f)^2 and (f/fmax) v(f)^2 */
    double base_w;  /* idle + static power (eq. 20) */
} cost_clock;
void cost_clock_at(const llm_gpu *g, double mhz, cost_clock *c);

/* Time at a clock of a kernel whose math time at the maximum clock is tc, DRAM time above the
 * memory knee tm, fixed time tx and unhidden overlap share beta (eq. 26, 27): the one
 * definition of time(f). */
static inline double cost_time_at(const cost_clock *c, double tc, double tm, double tx,
                                  double beta)
{
    double a = tc * c->r, b = tm * c->knee;
    return a > b ? a + beta * b + tx : b + beta * a + tx;
}

/* A kernel's dynamic energy as coefficients of its clock dependence (eq. 20, 25):
 * dyn(f) = ea v(f)^2 + eb (f/fmax) v(f)^2 + ec, joules. */
typedef struct { double ea, eb, ec; } cost_energy_coef;
void cost_energy_coef_of(const llm_gpu *g, double flops, int fp8, double bytes,
                         double link_bytes, cost_energy_coef *e);
void cost_kernel_energy_coef(const llm_gpu *g, const cost_kernel *k, cost_energy_coef *e);
static inline double cost_dyn_energy(const cost_clock *c, const cost_energy_coef *e)
{
    return e->ea * c->v2 + e->eb * c->fv2 + e->ec;
}
/* Power of one GPU running kernel k (its time at mhz) at mhz (eq. 20). */
double cost_kernel_power(const llm_gpu *g, const cost_kernel *k, double mhz);
/* The same from utilisations: u_math of the tensor peak at mhz, u_mem of the datasheet DRAM
 * bandwidth, u_link of the link bandwidth (eq. 20). */
double cost_power(const llm_gpu *g, double mhz, double u_math, double u_mem, double u_link);
/* The part of power that does not depend on the work: idle + static (eq. 20). */
double cost_base_power(const llm_gpu *g, double mhz);
/* Power of a GPU with no kernel running, waiting for its host: idle + static (eq. 41). */
double cost_host_wait_power(const llm_gpu *g, double mhz);

/* ---- the layer as einsums (layer 2) ------------------------------------------------------- */

typedef enum {
    OP_EMBED = 0, OP_NORM_ATTN, OP_QKV_PROJ, OP_ROPE, OP_ATTENTION, OP_O_PROJ, OP_ALLREDUCE_ATTN,
    OP_NORM_MLP, OP_MLP_UP, OP_MLP_ACT, OP_MLP_DOWN, OP_ALLREDUCE_MLP, OP_RESIDUAL_ADD,
    OP_MOE_ROUTER, OP_MOE_DISPATCH, OP_MOE_EXPERTS, OP_MOE_COMBINE, OP_LM_HEAD,
    OP_ATTENTION_PREFILL, /* a mixed step's prefill chunks (eq. 35); `attention` is then decode */
    OP_PP_SEND,           /* pipeline parallel: a stage's activations to the next (eq. 62) */
    OP_COUNT
} cost_op_id;
extern const char *const cost_op_names[];

typedef enum { KIND_GEMM = 0, KIND_ATTN, KIND_ELEM, KIND_COLL, KIND_EXPERTS } cost_kind;

/* Index sizes of one GPU's share of a layer (docs/cost-model.md, "Indices"). Doubles because
 * they multiply into FLOP counts far beyond 2^53 only after they are converted. */
typedef struct {
    double t;   /* tokens in this GPU's attention group this step */
    double b;   /* sequences in this GPU's attention group */
    double s;   /* new tokens per sequence (prompt length in prefill, 1 in decode) */
    double c;   /* context (keys) per sequence */
    double bp, sp; /* a mixed step's prefill part (eq. 35): bp prompts of sp tokens (causal);
                      bp may be fractional (chunks of a prompt). 0 in a pure phase. */
    double d, h, g, x, f, v, e, k, fe; /* model dim, q heads, kv heads, head dim, ffn, vocab,
                                          experts, top-k, expert ffn (after sharding) */
    double rows_head; /* rows through the LM head: one per sequence */
} cost_indices;

typedef struct {
    cost_op_id id;
    cost_kind kind;
    const char *einsum;   /* static text, e.g. "t d, d n -> t n" */
    int per_layer;        /* 1: runs in every layer; 0: once per forward pass */
    double launches;
    /* GEMM / experts: m x n x k, `groups` instances; experts: up n=n, down n=k2 */
    double m, n, k, groups, n2;
    int fp8;
    double a_bytes, b_bytes, c_bytes;
    cost_attn_shape attn;
    double elem_bytes, elem_vflops;
    llm_coll coll;
    int ranks, scaleout;
    double coll_bytes;
    double imbalance;     /* busiest / mean load on the EP ranks (>= 1; eq. 14) */
    double flops, bytes;  /* derived per GPU (eq. 15) */
} cost_op;

typedef struct {
    cost_op op[OP_COUNT];
    int n;
    cost_indices ix;
    int tp, ep;
    int pp;         /* pipeline stages (>= 1); the indices are one micro-batch's (eq. 62) */
    double micro;   /* micro-batches of the step each stage runs (eq. 62); 1 at pp = 1 */
} cost_layer;

/* The configuration of one deployment (docs/cost-model.md, "Configuration"). */
typedef struct {
    int tp, ep, batch, replicas, sm_comm;
    int pp;                /* pipeline stages, each ceil(layers / pp) layers (eq. 60-65) */
    double freq_mhz;       /* requested SM clock; 0 = the GPU's maximum */
    int prompt, output;    /* tokens per request */
    llm_dtype wdtype, kvdtype;
    double power_cap_w;    /* per GPU; 0 = the GPU's TDP */
    int unfused_attention, unfused_gate_up;
    /* serving (docs/cost-model.md section 3, eq. 35-49) */
    const llm_serving *serving; /* the serving profile; NULL = an ideal engine: no overhead, each
                                   prompt prefilled alone, no chunking (eq. 22-24) */
    int chunk_tokens;      /* token budget per step; > 0 turns chunked prefill on with this
                              budget (eq. 36); 0 = the profile's engine settings */
    int kv_paged;          /* 1: paged KV at mean occupancy in the profile's pool (eq. 42);
                              0: KV reserved for prompt + output of every sequence (eq. 18) */
    int replicas_per_gpu;  /* k replicas sharing one GPU (eq. 47); 0 or 1 = alone */
    double rate_rps;       /* Poisson arrivals, requests/s per replica (eq. 44); 0 = saturated */
    double output_cv2;     /* squared coefficient of variation of output lengths (eq. 42): the
                              running batch is length-biased; 0 = every request alike */
    int role;              /* cost_role: what the replica runs (eq. 70); 0 = both phases */
} cost_config;

/* What a replica runs (docs/cost-model.md eq. 70): both phases (aggregated serving), or one
 * pool of a disaggregated deployment: batched prefill steps of `batch` prompts only (chunking
 * off: no decode to protect), or decode steps only (its prompts' KV arrives from a prefill
 * pool; no prefill in its cycle, TTFT 0). */
typedef enum { COST_ROLE_BOTH = 0, COST_ROLE_PREFILL, COST_ROLE_DECODE } cost_role;

/* Defaults: tp=ep=pp=batch=replicas=1, sm_comm=0, max clock, bf16, cap = TDP, fused; no serving
 * profile (the ideal engine), KV reserved, one replica per GPU, saturated. The command line's
 * defaults differ: profile LLM_SERVING_DEFAULT, paged KV (docs/cli.md). */
void cost_config_default(cost_config *c);

/* Checks a configuration against a model and GPU; -1 with a message naming the option and
 * what was expected. */
int cost_check(const llm_model *m, const llm_gpu *g, const cost_config *c, llm_err *err);

/* The rules the layer (cost/layer.c) and the memory model (cost/serve.c) share, each once:
 * the KV heads one GPU holds at tensor-parallel degree tp (its share, or one replicated head
 * when tp exceeds them; eq. 13), and how many d x ffn matrices an FFN's up projection has
 * (2 when gated: gate and up; 1 otherwise), its down projection one more (eq. 18). */
double cost_kv_heads_per_gpu(const llm_model *m, int tp);
int cost_ffn_up_matrices(const llm_model *m);
/* The layers of the largest pipeline stage, ceil(n_layers / pp): it sets the memory per GPU
 * and the stage time (eq. 60). */
int cost_stage_layers(const llm_model *m, int pp);
/* How many of the pp - 1 boundaries between stages of stage_gpus GPUs each cross from one of
 * g's nodes to the next (eq. 63): the hand-offs that take the scale-out link. */
int cost_pp_node_crossings(const llm_gpu *g, int stage_gpus, int pp);
/* Which rule a configuration breaks, first in this order: TP (a divisor of the query heads,
 * a divisor or multiple of the KV heads, a divisor of the FFN), EP (an MoE model, a divisor of
 * the experts), PP (1 .. the model's layers, eq. 60), fp8 without fp8 tensor cores, the SM
 * split, the context, several replicas on a GPU with TP x EP x PP > 1, then any other value
 * out of its range; with the message in err (may be NULL). Each rule once: cost_check words
 * it, explore prunes by it (search/). */
typedef enum {
    COST_RULE_NONE = 0, COST_RULE_TP, COST_RULE_EP, COST_RULE_PP, COST_RULE_FP8,
    COST_RULE_SM_COMM, COST_RULE_CONTEXT, COST_RULE_SHARED_GPU, COST_RULE_RANGE
} cost_rule;
cost_rule cost_check_rule(const llm_model *m, const llm_gpu *g, const cost_config *c,
                          llm_err *err);

typedef enum { PHASE_PREFILL = 0, PHASE_DECODE = 1 } cost_phase;

/* Builds one GPU's op list for a phase: batch sequences per replica, seq new tokens each
 * (prompt length in prefill; ignored in decode), ctx keys per sequence in decode. */
void cost_build_layer(const llm_model *m, const llm_gpu *g, const cost_config *c,
                      cost_phase ph, double batch, double seq, double ctx, cost_layer *L);
/* One mixed serving step per replica (eq. 35): dec_seqs sequences decoding one token each at
 * ctx keys, plus pf_tokens prefill tokens of prompts pf_len long (pf_tokens / pf_len prompts,
 * fractional for chunks: the attention work of a chunked prompt sums to its causal whole).
 * GEMMs see t = decode + prefill tokens; attention is a decode part and a prefill part.
 * cost_build_layer is the special case of one part. */
void cost_build_step(const llm_model *m, const llm_gpu *g, const cost_config *c,
                     double dec_seqs, double ctx, double pf_tokens, double pf_len,
                     cost_layer *L);

/* The SMs op runs on when sm_comm SMs are given to communication (docs eq. 16-17). */
double cost_op_sms(const llm_gpu *g, const cost_op *op, int sm_comm);

/* Time and energy of one op on one GPU at a clock, on `sms` SMs (not counting layers). */
typedef struct {
    cost_kernel k;                    /* the op's kernels summed */
    double time_s, energy_j, power_w; /* energy: base power plus the dynamic energy averaged
                                         over the EP ranks (eq. 21); power: the busiest GPU */
    double dyn_energy_j;
} cost_op_cost;
void cost_op_eval(const llm_gpu *g, const cost_op *op, double mhz, double sms,
                  cost_op_cost *out);

/* ---- the evaluation plan: what does not depend on the clock, precomputed ------------------ */

/* One kernel, reduced to the coefficients of its clock dependence (eq. 25):
 *   time(f)   = max(a, b) + beta min(a, b) + tx, a = tc fmax/f, b = tm max(1, knee/f)
 *   dyn(f)    = (ea * v(f)^2 + eb * (f/fmax) * v(f)^2 + ec) / imbalance     [J, eq. 20-21]
 * so a clock costs a few multiplications per kernel. */
typedef struct {
    double tc, tm, tx, beta;
    double ea, eb, ec;
    double bytes;        /* DRAM bytes (overlap contention, eq. 17) */
    double inv_imbalance;
    int comm;            /* runs on the communication SMs */
    int per_layer;
} cost_plan_kernel;

#define COST_MAX_KERNELS (OP_COUNT * 3)

typedef struct {
    cost_plan_kernel k[COST_MAX_KERNELS];
    int n;
    double layers;       /* how many times the per-layer kernels run */
    /* per-GPU dynamic energy of the whole pass, summed over kernels and layers */
    double ea, eb, ec;
    double bytes_c, bytes_m; /* per-layer DRAM bytes of compute and communication kernels */
    int nano;            /* the step has >= 2 tokens, so it can split into two nano-batches */
    double rounds;       /* pipeline stages a micro-batch passes (pp; eq. 62); 1 without PP */
    double micro;        /* micro-batches each GPU runs per step (eq. 62, 64); 1 without PP */
    double xfer_s;       /* one send/recv between stages (eq. 63; clock-independent); 0 without */
} cost_pass_plan;

typedef struct {
    double time_s;
    double energy_j;        /* all GPUs of the replica */
    double avg_power_w;     /* per GPU over the pass: what the power limiter holds (eq. 23) */
    double kernel_peak_w;   /* per GPU, the most demanding kernel (smoothed out by the limiter) */
    double comm_time_s;     /* exposed communication time */
} cost_pass;

/* Builds the plan of one pass: the layer's kernels on the SMs the configuration gives them;
 * n_layers: the layers of one (the largest) pipeline stage, cost_stage_layers. */
void cost_pass_plan_build(const llm_gpu *g, const cost_layer *L, int n_layers, int sm_comm,
                          cost_pass_plan *p);
/* Evaluates a pass plan at a clock (eq. 16-17, 25) for a replica of `gpus` GPUs. */
void cost_pass_plan_eval(const llm_gpu *g, const cost_pass_plan *p, double mhz, int sm_comm,
                         int gpus, cost_pass *out);

/* ---- memory and serving (layer 3) --------------------------------------------------------- */

typedef struct {
    double weights_gib, kv_gib, act_gib, reserved_gib, total_gib;
    double kv_per_seq_gib, act_per_seq_gib; /* per sequence in an attention group (paged: at
                                               the mean occupancy, whole blocks; eq. 42) */
    double kv_pool_gib;     /* paged: the KV pool per GPU (eq. 42); reserved mode: 0 */
    int fits;
    int max_batch;          /* per replica; 0 if not even one sequence fits (paged: the
                               sequences the pool holds at their mean occupancy) */
    int running_batch;      /* the batch that runs: min(batch, max_batch) when paged (eq. 43) */
} cost_memory;
void cost_memory_eval(const llm_model *m, const llm_gpu *g, const cost_config *c,
                      cost_memory *out);
/* The mean context of a running sequence, P + (O/2)(1 + output_cv2) (eq. 42). */
double cost_running_context(const cost_config *c);
/* A workload's output-length cv^2, taking the lengths as lognormal: mean / median =
 * exp(sigma^2 / 2) and cv^2 = exp(sigma^2) - 1 = (mean / p50)^2 - 1 (0 when mean <= p50). */
double cost_workload_output_cv2(const llm_workload *w);

typedef struct {
    int fits, gpus, max_batch;
    double memory_per_gpu_gib;
    double ttft_s, tpot_s, tpot_with_prefill_s;
    double throughput_tok_s;       /* output tokens/s, all replicas */
    double throughput_per_gpu;     /* output tokens/s per GPU */
    double energy_per_token_j;     /* per output token, prefill amortised */
    double prefill_energy_j;       /* one request's prefill, all GPUs of a replica */
    double decode_energy_per_token_j;
    double avg_power_w;            /* per GPU over the serving cycle */
    double peak_power_w;           /* per GPU, the more demanding phase's average (eq. 23) */
    double effective_freq_mhz;     /* decode clock after the cap */
    double prefill_freq_mhz;       /* prefill clock after the cap */
    int power_cap_met;
    double cost_per_mtok;          /* USD per million output tokens, 0 if no price */
    double cycle_s;                /* the serving cycle of eq. 38 (one replica) */
    /* serving (eq. 35-49) */
    int running_batch;             /* the effective running batch per replica (eq. 43) */
    double step_overhead_s;        /* CPU overhead of one decode step (eq. 40) */
    double prefill_tokens_per_step;/* chunked: prefill tokens a mixed step carries (eq. 36) */
    double ttft_steps;             /* steps over which a prompt's chunks run (eq. 39) */
    double utilisation;            /* rate / capacity (eq. 44); 1 when saturated (no rate) */
    double capacity_rps;           /* requests/s one replica completes when saturated */
    double ttft_p50_s, ttft_p90_s, ttft_p99_s; /* eq. 44-45; = ttft_s without a rate */
    double ttft_mean_s;            /* mean TTFT with the queue's wait (eq. 44); = ttft_s */
    double tpot_p50_s, tpot_p90_s, tpot_p99_s; /* eq. 45; = tpot_s without a rate */
    int overloaded;                /* rate >= capacity: the queue grows without bound */
    /* eq. 48, filled by cost_batch_advice's caller (eval); 0 otherwise */
    int advised_batch;             /* smallest batch reaching 95% of the plateau */
    double advised_plateau_tok_s;  /* the plateau: output tokens/s per GPU at the largest batch */
    double advised_freed_gib;      /* GPU memory per GPU the advised batch frees */
    cost_memory mem;
} cost_metrics;

/* One kind of serving step in the plan: its pass, how often it runs per cycle, and the CPU
 * overhead and launch floor around it (eq. 40-41). */
typedef struct {
    cost_pass_plan pass;
    double per_cycle;      /* steps of this kind per serving cycle */
    double overhead_s;     /* CPU time per step the GPU waits for (eq. 40) */
    double launch_floor_s; /* eager launches: kernels x launch time (eq. 40); 0 with graphs */
} cost_step_plan;

/* Everything about a configuration that does not depend on the SM clock. */
typedef struct {
    const llm_gpu *g;
    /* dec: a decode step of the running batch (TPOT); pre: the step that carries prefill (a
     * mixed step when chunked, eq. 36; a batched prefill step of k prompts when not, eq. 37);
     * first: the step a new prompt's chunk runs in (TTFT, eq. 39; chunked only). */
    cost_step_plan dec, pre, first;
    int has_first;
    cost_step_plan dec1;      /* a decode step of one sequence (TPOT under load, eq. 45) */
    int has_dec1;
    cost_memory mem;
    int per_replica, replicas, batch, output, sm_comm;
    int running;              /* the running batch (eq. 43) */
    int share;                /* replicas per GPU (eq. 47) */
    double ttft_steps;        /* chunks of a prompt (eq. 39); 1 when not chunked */
    double pf_tokens_step;    /* prefill tokens per mixed step (eq. 36); 0 when not chunked */
    double request_s;         /* per-request CPU time in the cycle (eq. 40) */
    double rate;              /* requests/s per replica (eq. 44) */
} cost_plan;

/* c must have passed cost_check. */
void cost_plan_build(const llm_model *m, const llm_gpu *g, const cost_config *c, cost_plan *p);
/* Metrics at a requested clock (a supported step) under a per-GPU power cap in watts
 * (eq. 22-24): each phase's clock is lowered a step at a time until its power fits. */
void cost_plan_eval(const cost_plan *p, double mhz, double cap_w, cost_metrics *out);

/* Sets the fields that depend on the replica count (gpus, throughput, cost) of metrics that
 * cost_plan_eval computed; explore evaluates a clock once for every replica count. */
void cost_metrics_replicas(const cost_plan *p, int replicas, cost_metrics *m);

/* Evaluates one configuration: cost_plan_build + cost_plan_eval at the configured clock and
 * cap. c must have passed cost_check. */
void cost_eval(const llm_model *m, const llm_gpu *g, const cost_config *c, cost_metrics *out);

/* eq. 44: the probability that an arrival waits (Erlang C) for c servers offered a Erlangs
 * (a < c); 1 when a >= c. */
double cost_erlang_c(int c, double a);

/* eq. 44: the q-quantile of the wait in an M/D/c queue of c servers offered a Erlangs with
 * service time S, erl = cost_erlang_c(c, a) (Allen-Cunneen). */
double cost_mdc_wait_quantile(double erl, double c, double a, double S, double q);

/* eq. 46: n requests offered at once (a benchmark at request rate infinity) to a replica with
 * these saturated metrics: the mean, median and 99th percentile TTFT, queue draining included. */
void cost_burst_ttft(const cost_metrics *m, int n, double *mean_s, double *p50_s,
                     double *p99_s);

/* eq. 50: a static batch of c->batch requests prefilled together, then decoded together. */
typedef struct {
    double prefill_s;        /* the whole prefill phase */
    double prefill_steps;
    double decode_step_s;    /* one decode step of the batch at the mean context */
    double total_s;          /* prefill + (output - 1) decode steps + request times */
    double energy_j;         /* all GPUs of a replica */
    double throughput_tok_s; /* output tokens/s of one replica */
    double energy_per_token_j;
    int fits;                /* the whole batch runs at once (paged: the pool holds it) */
} cost_static;
void cost_static_batch(const llm_model *m, const llm_gpu *g, const cost_config *c,
                       cost_static *out);

/* eq. 48: the batch advisor. The smallest batch (per replica) whose throughput reaches `frac`
 * (0.95) of the plateau (the throughput at the largest batch that runs), and the GPU memory
 * per GPU it frees against that largest batch. c must have passed cost_check. */
void cost_batch_advice(const llm_model *m, const llm_gpu *g, const cost_config *c, double frac,
                       int *batch, double *plateau_tok_s, double *freed_gib);

/* ---- disaggregated prefill/decode serving (cost/disagg.c, docs/cost-model.md eq. 70-79) -- */

/* One replica of a pool as the combination sees it (eq. 70): from cost_plan_eval of a plan
 * built with role COST_ROLE_PREFILL or COST_ROLE_DECODE (saturated: no rate). */
typedef struct {
    const llm_gpu *g;
    int gpus;             /* per replica */
    int kv_ranks;         /* GPUs holding distinct KV heads, min(tp, KV heads) (eq. 72) */
    double cap_rps;       /* requests/s one replica completes at full load */
    double latency_s;     /* prefill: a prompt's time in the pool; decode: TPOT */
    double dyn_j;         /* energy per request above idle, all GPUs of the replica (eq. 77) */
    double idle_w;        /* all GPUs of the replica with no work (eq. 41's host-wait power) */
    double peak_w;        /* per GPU, the pool's step's average power (eq. 23) */
    double mem_gib;       /* per GPU */
    double clock_mhz;     /* after the power cap */
    double price_per_hour;/* all GPUs of the replica, USD; 0 without a price */
    int slots;            /* prefill: prompts per step; decode: the running batch */
} cost_pool;
/* c: the configuration p was built from (its role says which pool). */
void cost_pool_of(const llm_model *m, const cost_config *c, const cost_plan *p,
                  const cost_metrics *mt, cost_pool *out);

/* eq. 71: the KV cache of one prompt of `prompt` tokens, every layer and KV head, bytes. */
double cost_kv_transfer_bytes(const llm_model *m, llm_dtype kv, double prompt);
/* eq. 72: one prompt's KV sent from a prefill replica to a decode replica: the side with fewer
 * KV ranks sets the bytes per link; over NVLink inside a node, the scale-out network across
 * nodes (or GPU types). g: the sender's GPU. */
void cost_kv_transfer(const llm_gpu *g, double bytes, int send_ranks, int recv_ranks,
                      int scaleout, cost_kernel *out);

/* A disaggregated deployment: n_prefill replicas of one prefill pool configuration and
 * n_decode of one decode pool configuration, saturated (eq. 73-79). */
typedef struct {
    double rps;                    /* requests/s completed (eq. 74) */
    double throughput_tok_s, throughput_per_gpu;
    int gpus;
    double ttft_s, tpot_s, transfer_s;
    double ttft_p50_s, ttft_p90_s, ttft_p99_s; /* eq. 75 at a rate; = ttft_s saturated */
    double energy_per_token_j, transfer_energy_j;
    double avg_power_w, peak_power_w, memory_per_gpu_gib, cost_per_mtok;
    double util_prefill, util_decode; /* rps / each pool's capacity (compute) */
    int bound;                     /* what limits rps: cost_disagg_bound */
    int overloaded;                /* rate_rps >= rps: the queue grows without bound */
} cost_disagg;
typedef enum { DISAGG_BOUND_PREFILL = 0, DISAGG_BOUND_LINK, DISAGG_BOUND_DECODE } cost_disagg_bound;
extern const char *const cost_disagg_bound_names[]; /* "prefill", "kv_link", "decode" */
/* xfer: one prompt's transfer (cost_kv_transfer); output: tokens per request; rate_rps:
 * Poisson arrivals for the whole deployment (TTFT's queue, eq. 75), 0 = saturated. */
void cost_disagg_eval(const cost_pool *pf, const cost_pool *dc, int n_prefill, int n_decode,
                      const cost_kernel *xfer, double output, double rate_rps,
                      cost_disagg *out);

/* ---- uncertainty (docs/cost-model.md eq. 52-55; the bands' data: docs/calibration.md) ----- */

/* eq. 52: which end-to-end residuals a prediction on g under serving profile sv (NULL: the
 * ideal engine) is judged by. */
llm_band_regime cost_band_regime(const llm_gpu *g, const llm_serving *sv);
/* eq. 53: the 80% band [lo, hi] of metric k predicted as x (x's own value for x <= 0, not
 * finite, or an overloaded latency). */
typedef struct { double lo, hi; } cost_interval;
cost_interval cost_band(const llm_bands *b, llm_band_regime r, llm_band_metric k, double x);
/* The band's half-width in ln space, (q90 - q10) / 2 (eq. 55's tolerance). */
double cost_band_halfwidth(const llm_bands *b, llm_band_regime r, llm_band_metric k);
/* eq. 57: the p-quantile (0 < p < 1) of ln(measured / predicted) from a band's q10, q50, q90
 * (a split normal; p = 0.1, 0.5, 0.9 return them exactly). */
double cost_band_quantile(const llm_band *b, double p);
/* eq. 54: the 80% band of a kernel of class c taking t seconds on g (its coverage level). */
cost_interval cost_kernel_band(const llm_bands *b, const llm_gpu *g, llm_cov_class c, double t);
/* The class whose band a kernel takes (eq. 54): GEMMs bound by DRAM stream their weights
 * (the memory class), attention, element-wise (memory), collectives. */
llm_cov_class cost_kernel_class(cost_kind kind, cost_bound bound);
/* eq. 54b: a kernel's energy, power x time, with the two errors independent. */
cost_interval cost_kernel_energy_band(const llm_bands *b, const llm_gpu *g, llm_cov_class c,
                                      double energy_j);
/* The band of every banded field of m (eq. 53 with each field's base metric); power bands
 * end at the per-GPU power cap (the limiter holds it there, eq. 22). */
typedef struct {
    cost_interval ttft, tpot, tpot_with_prefill, throughput, throughput_per_gpu;
    cost_interval energy_per_token, prefill_energy, decode_energy, avg_power, peak_power;
    cost_interval cost_per_mtok;
    cost_interval ttft_p50, ttft_p90, ttft_p99, tpot_p50, tpot_p90, tpot_p99;
} cost_metric_bands;
void cost_metrics_bands(const llm_bands *b, llm_band_regime r, const cost_metrics *m,
                        double power_cap_w, cost_metric_bands *out);

#endif
