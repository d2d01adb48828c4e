/* cost/serve.c — configuration checks, memory, phases, continuous batching with batched and
 * chunked prefill, serving overhead, paged KV, queueing, replicas sharing a GPU, power cap
 * (layers 3 and 4). Equations: docs/cost-model.md sections 3 and 4 (eq. 18-24, 35-49).
 *
 * Equations implemented here (numbers and derivations: docs/cost-model.md):
 *   (18)  Memory per GPU
 *   (19)  Voltage-frequency curve
 *   (20)  Power of a GPU running a kernel
 *   (21)  Energy
 *   (22)  TTFT and TPOT without a serving profile
 *   (23)  Power cap
 *   (24)  Continuous batching, ideal engine
 *   (35)  A mixed step
 *   (36)  Chunked prefill (steady state)
 *   (37)  Batched prefill without chunking
 *   (38)  The serving cycle
 *   (39)  TTFT from chunks
 *   (40)  Serving-stack overhead
 *   (41)  A step's wall time and energy
 *   (42)  Paged KV cache
 *   (43)  Overflow (preemption)
 *   (44)  Queueing at a request rate
 *   (45)  TPOT under load
 *   (46)  A burst
 *   (47)  k replicas per GPU
 *   (48)  Batch advice
 *   (49)  Serving profiles
 *   (50)  A static batch
 *   (60)  Pipeline stages
 *   (61)  Memory per GPU under pipeline parallelism
 *   (62)  A pipelined step: micro-batches and the bubble
 *   (64)  Energy and launches of a pipelined step
 *   (65)  Serving overhead of a pipelined step
 */
#include "cost.h"

#include <math.h>
#include <string.h>

#define GIB (1024.0 * 1024.0 * 1024.0)

void cost_config_default(cost_config *c)
{
    memset(c, 0, sizeof *c);
    c->tp = c->ep = c->pp = c->batch = c->replicas = c->replicas_per_gpu = 1;
    c->prompt = 1024;
    c->output = 256;
    c->wdtype = LLM_BF16;
    c->kvdtype = LLM_BF16;
}

/* The structural rules, each once: cost_check words them as errors, explore prunes by them
 * (search/, the reasons of space/). In the order pruning reports them. */
static cost_rule check_tp(const llm_model *m, int tp, llm_err *err)
{
    if (tp < 1 || tp > 1024) {
        llm_err_set(err, "--tp: expected an integer in [1, 1024], found %d", tp);
        return COST_RULE_TP;
    }
    if (m->n_heads % tp) {
        llm_err_set(err, "--tp: expected a divisor of %s's %d query heads, found %d", m->name,
                    m->n_heads, tp);
        return COST_RULE_TP;
    }
    if (tp > m->n_kv_heads ? tp % m->n_kv_heads : m->n_kv_heads % tp) {
        llm_err_set(err, "--tp: expected a divisor or a multiple of %s's %d KV heads, found %d",
                    m->name, m->n_kv_heads, tp);
        return COST_RULE_TP;
    }
    if (m->n_experts && (m->expert_ffn_dim % tp)) {
        llm_err_set(err, "--tp: expected a divisor of the expert FFN size %d, found %d",
                    m->expert_ffn_dim, tp);
        return COST_RULE_TP;
    }
    if (!m->n_experts && (m->ffn_dim % tp)) {
        llm_err_set(err, "--tp: expected a divisor of the FFN size %d, found %d", m->ffn_dim,
                    tp);
        return COST_RULE_TP;
    }
    return COST_RULE_NONE;
}

static cost_rule check_ep(const llm_model *m, int ep, llm_err *err)
{
    if (ep < 1 || ep > 4096) {
        llm_err_set(err, "--ep: expected an integer in [1, 4096], found %d", ep);
        return COST_RULE_EP;
    }
    if (ep > 1 && !m->n_experts) {
        llm_err_set(err, "--ep: expert parallelism needs an MoE model; %s is dense (use --ep 1)",
                    m->name);
        return COST_RULE_EP;
    }
    if (m->n_experts && m->n_experts % ep) {
        llm_err_set(err, "--ep: expected a divisor of %s's %d experts, found %d", m->name,
                    m->n_experts, ep);
        return COST_RULE_EP;
    }
    return COST_RULE_NONE;
}

/* eq. 60: a stage holds at least one layer. */
static cost_rule check_pp(const llm_model *m, int pp, llm_err *err)
{
    if (pp < 1 || pp > m->n_layers) {
        llm_err_set(err, "--pp: expected pipeline stages in [1, %d] (%s's layers), found %d",
                    m->n_layers, m->name, pp);
        return COST_RULE_PP;
    }
    return COST_RULE_NONE;
}

/* fp8, the SM split, the context, replicas sharing a GPU. */
static cost_rule check_fit(const llm_model *m, const llm_gpu *g, const cost_config *c,
                           llm_err *err)
{
    if ((c->wdtype == LLM_FP8 || c->kvdtype == LLM_FP8) && g->fp8_flop_per_clk_sm <= 0) {
        llm_err_set(err, "--dtype/--kv-dtype fp8: %s has no fp8 tensor cores; use bf16",
                    g->name);
        return COST_RULE_FP8;
    }
    if (c->sm_comm < 0 || c->sm_comm >= g->sm_count) {
        llm_err_set(err, "--sm-comm: expected an integer in [0, %d] for %s, found %d",
                    g->sm_count - 1, g->name, c->sm_comm);
        return COST_RULE_SM_COMM;
    }
    if (c->prompt < 1 || c->output < 1 ||
        (double)c->prompt + c->output > m->max_context_tokens) {
        llm_err_set(err, "--prompt/--output: expected at least 1 token each and prompt + output "
                    "<= %s's context of %d tokens, found %d + %d", m->name,
                    m->max_context_tokens, c->prompt, c->output);
        return COST_RULE_CONTEXT;
    }
    if (c->replicas_per_gpu < 0 || c->replicas_per_gpu > 64) {
        llm_err_set(err, "--replicas-per-gpu: expected an integer in [1, 64], found %d",
                    c->replicas_per_gpu);
        return COST_RULE_RANGE;
    }
    if (c->replicas_per_gpu > 1 && c->tp * c->ep * c->pp != 1) {
        llm_err_set(err, "--replicas-per-gpu: several replicas share a GPU only with --tp 1 "
                    "--ep 1 --pp 1, found tp %d ep %d pp %d", c->tp, c->ep, c->pp);
        return COST_RULE_SHARED_GPU;
    }
    /* eq. 47 models GPUs that each hold k replicas: a GPU holding fewer would be another
     * configuration (less sharing, more memory each) */
    if (c->replicas_per_gpu > 1 && c->replicas % c->replicas_per_gpu) {
        llm_err_set(err, "--replicas: expected a multiple of --replicas-per-gpu %d (each GPU "
                    "holds that many replicas), found %d", c->replicas_per_gpu, c->replicas);
        return COST_RULE_RANGE;
    }
    return COST_RULE_NONE;
}

/* The value ranges of the other settings. */
static cost_rule check_ranges(const llm_gpu *g, const cost_config *c, llm_err *err)
{
    if (c->batch < 1 || c->batch > 1 << 20) {
        llm_err_set(err, "--batch: expected an integer in [1, 1048576], found %d", c->batch);
        return COST_RULE_RANGE;
    }
    if (c->replicas < 1 || c->replicas > 1 << 20) {
        llm_err_set(err, "--replicas: expected an integer in [1, 1048576], found %d",
                    c->replicas);
        return COST_RULE_RANGE;
    }
    if (c->freq_mhz != 0 && llm_gpu_snap_clock(g, c->freq_mhz) < 0) {
        llm_err_set(err, "--freq: expected an SM clock in [%g, %g] MHz for %s, found %g",
                    g->min_mhz, g->max_mhz, g->name, c->freq_mhz);
        return COST_RULE_RANGE;
    }
    if (c->wdtype != LLM_BF16 && c->wdtype != LLM_FP8) {
        llm_err_set(err, "--dtype: expected bf16 or fp8");
        return COST_RULE_RANGE;
    }
    if (c->kvdtype != LLM_BF16 && c->kvdtype != LLM_FP8) {
        llm_err_set(err, "--kv-dtype: expected bf16 or fp8");
        return COST_RULE_RANGE;
    }
    if (c->chunk_tokens < 0 || c->chunk_tokens > 1 << 22) {
        llm_err_set(err, "--chunk-tokens: expected an integer in [1, 4194304] (0 = the serving "
                    "profile's), found %d", c->chunk_tokens);
        return COST_RULE_RANGE;
    }
    if (!isfinite(c->output_cv2) || c->output_cv2 < 0 || c->output_cv2 > 100) {
        llm_err_set(err, "output length spread: expected a squared coefficient of variation in "
                    "[0, 100], found %g", c->output_cv2);
        return COST_RULE_RANGE;
    }
    if (!isfinite(c->rate_rps) || c->rate_rps < 0 || c->rate_rps > 1e9) {
        llm_err_set(err, "--rate: expected requests/s in [0, 1e9], found %g", c->rate_rps);
        return COST_RULE_RANGE;
    }
    /* a cap the GPU cannot meet even idle at its lowest clock (eq. 41) is an input error */
    double floor_w = cost_host_wait_power(g, g->min_mhz);
    if (c->power_cap_w != 0 && (!isfinite(c->power_cap_w) || c->power_cap_w <= floor_w ||
                                c->power_cap_w > 10 * g->tdp_w)) {
        llm_err_set(err, "--power-cap: expected watts above %s's power idle at its lowest clock "
                    "(%.3g W) and at most %g W, found %g", g->name, floor_w, 10 * g->tdp_w,
                    c->power_cap_w);
        return COST_RULE_RANGE;
    }
    return COST_RULE_NONE;
}

cost_rule cost_check_rule(const llm_model *m, const llm_gpu *g, const cost_config *c,
                          llm_err *err)
{
    cost_rule r;
    if ((r = check_tp(m, c->tp, err)) || (r = check_ep(m, c->ep, err)) ||
        (r = check_pp(m, c->pp, err)) || (r = check_fit(m, g, c, err)))
        return r;
    return check_ranges(g, c, err);
}

int cost_check(const llm_model *m, const llm_gpu *g, const cost_config *c, llm_err *err)
{
    return cost_check_rule(m, g, c, err) ? -1 : 0;
}

/* ---- memory (eq. 18) ---------------------------------------------------------------------- */

/* The parts of the memory per GPU, GiB: weights, KV per sequence and for bg sequences,
 * activations, the runtime reserve, their total. */
static void memory_parts(cost_memory *o, const llm_gpu *g, double weights, double kv,
                         double act_fixed, double act_seq, double bg)
{
    o->weights_gib = weights / GIB;
    o->kv_per_seq_gib = kv / GIB;
    o->act_per_seq_gib = act_seq / GIB;
    o->kv_gib = bg * kv / GIB;
    o->act_gib = (act_fixed + bg * act_seq) / GIB;
    o->reserved_gib = g->reserved_gib;
    o->total_gib = o->weights_gib + o->kv_gib + o->act_gib + o->reserved_gib;
}

double cost_workload_output_cv2(const llm_workload *w)
{
    double r = w->output_p50 > 0 ? w->output_mean / w->output_p50 : 1;
    return r > 1 ? fmin(100, r * r - 1) : 0;
}

double cost_running_context(const cost_config *c)
{
    /* eq. 42: a request of O_i output tokens runs O_i steps, so the running batch holds
     * requests in proportion to their length: its mean context over their lives is
     * E[O (P + O/2)] / E[O] = P + (O/2)(1 + cv^2) with the output lengths' cv^2. */
    return c->prompt + c->output / 2.0 * (1 + c->output_cv2);
}

void cost_memory_eval(const llm_model *m, const llm_gpu *g, const cost_config *c,
                      cost_memory *o)
{
    memset(o, 0, sizeof *o);
    double wb = llm_dtype_bytes(c->wdtype), ab = llm_dtype_bytes(m->act_dtype);
    double kvb = llm_dtype_bytes(c->kvdtype);
    double d = m->d_model, x = m->head_dim, tp = c->tp, ep = c->ep;
    double h = m->n_heads / tp;
    double kvh = cost_kv_heads_per_gpu(m, c->tp);
    double attn = d * (h + 2 * kvh) * x + h * x * d;
    /* the FFN's matrices as the layer has them: up (and gate) and down, per expert for MoE */
    double mats = cost_ffn_up_matrices(m) + 1.0, mlp;
    if (m->n_experts)
        mlp = m->n_experts / ep * mats * d * m->expert_ffn_dim / tp + d * m->n_experts;
    else
        mlp = mats * d * m->ffn_dim / tp;
    double norms = (m->norm == LLM_NORM_LAYER ? 4.0 : 2.0) * d * ab;
    double per_layer = (attn + mlp) * wb + norms;
    /* embeddings stay in the activation type; vocab-parallel over tp */
    /* eq. 61: under pipeline parallelism the first stage holds the embedding, the last the
     * LM head (a copy of the embedding when tied): the busiest stage one vocabulary matrix */
    double emb = (double)m->vocab * d / tp * ab * (m->tied_embeddings || c->pp > 1 ? 1 : 2);
    if (m->pos == LLM_POS_LEARNED)
        emb += (double)m->max_context_tokens * d / tp * ab;
    /* eq. 60-61: the largest stage's layers (all of them without PP) */
    double layers = cost_stage_layers(m, c->pp);
    double weights = layers * per_layer + emb;

    double ctx = (double)c->prompt + c->output;
    double kv_seq = ctx * layers * 2 * kvh * x * kvb;
    /* Transient activations: the largest live set of one prefill of `prompt` tokens
     * (residual, normed input, qkv, gate+up output) plus logits; per decoding sequence the
     * same set for one token. */
    double ffn = m->n_experts ? (double)m->top_k * m->expert_ffn_dim : m->ffn_dim;
    double per_tok = (2 * d + (h + 2 * kvh) * x + 2 * ffn / tp) * ab;
    /* a prefill pool's step carries `batch` whole prompts (eq. 70) */
    double step_tokens = c->role == COST_ROLE_PREFILL ? (double)c->batch * c->prompt : c->prompt;
    double act_fixed = step_tokens * per_tok + (double)m->vocab / tp * 4;
    double act_seq = per_tok + (double)m->vocab / tp * 4;

    /* eq. 47: k replicas on one GPU split its memory (and its runtime reserve is paid once
     * per process, so each pays its own). */
    double share = c->replicas_per_gpu > 1 ? c->replicas_per_gpu : 1;
    double cap = g->mem_gib / share;
    const llm_serving *sv = c->serving;
    if (c->kv_paged) {
        /* eq. 42: paged KV. Blocks of `block` tokens allocated on demand: a sequence holds
         * ceil((prompt + output/2) / block) blocks at its mean occupancy. The engine takes
         * gpu_memory_utilization of the GPU; the pool is what weights, the activations of one
         * full step (the token budget) and the runtime reserve leave of it. */
        double block = sv ? sv->block_size : 1;
        double util = sv ? sv->gpu_memory_utilization : 1;
        double budget = c->chunk_tokens > 0 ? c->chunk_tokens
                        : sv ? sv->max_num_batched_tokens : 0;
        if (budget > step_tokens)
            act_fixed = budget * per_tok + (double)m->vocab / tp * 4;
        double kv_tok = kv_seq / ctx;
        /* a no-evict scheduler (TensorRT-LLM's default) admits a request only with blocks for
         * its whole length: occupancy P + O, not the mean */
        double occ = sv && sv->kv_no_evict ? c->prompt + c->output * (1 + c->output_cv2)
                                           : cost_running_context(c);
        double kv_mean = ceil(occ / block) * block * kv_tok;
        double kv_full = ceil(ctx / block) * block * kv_tok;
        double pool = util * cap - weights / GIB - act_fixed / GIB - g->reserved_gib;
        double per_seq = (kv_mean + act_seq) / GIB;
        double groups = pool > 0 ? floor(pool / per_seq) : 0;
        o->kv_pool_gib = pool > 0 ? pool : 0;
        o->max_batch = groups * ep > (1 << 20) ? (1 << 20) : (int)(groups * ep);
        /* eq. 43: when the pool overflows the engine preempts: what runs is what it holds */
        o->running_batch = c->batch < o->max_batch ? c->batch : o->max_batch;
        o->fits = pool >= (kv_full + act_seq) / GIB && o->running_batch >= 1;
        double bg = ceil((double)(o->running_batch > 0 ? o->running_batch : 1) / ep);
        memory_parts(o, g, weights, kv_mean, act_fixed, act_seq, bg);
        if (o->running_batch < 1)
            o->running_batch = 1;
        return;
    }
    /* eq. 18, KV reserved for the whole request: the engine still takes only its
     * gpu_memory_utilization of the GPU (without a profile, all of it) */
    if (sv)
        cap *= sv->gpu_memory_utilization;
    double bg = ceil((double)c->batch / ep);
    memory_parts(o, g, weights, kv_seq, act_fixed, act_seq, bg);
    o->fits = o->total_gib <= cap;
    double room = cap - o->weights_gib - o->reserved_gib - act_fixed / GIB;
    double per_seq = (kv_seq + act_seq) / GIB;
    double groups = room > 0 ? floor(room / per_seq) : 0;
    o->max_batch = groups * ep > (1 << 20) ? (1 << 20) : (int)(groups * ep);
    o->running_batch = c->batch;
}

/* ---- one configuration (eq. 22, 35-43) ---------------------------------------------------- */

/* Kernel launches of one pass (eager launches, eq. 40). */
static double pass_kernels(const cost_pass_plan *pp)
{
    double n = 0;
    for (int i = 0; i < pp->n; i++)
        n += pp->k[i].per_layer ? pp->layers : 1;
    return n * pp->micro; /* eq. 64: a GPU launches its stage's kernels per micro-batch */
}

/* eq. 40: the CPU overhead of a step with `seqs` sequences in it, and the eager launch floor;
 * eq. 65: under pipeline parallelism each micro-batch (virtual engine) is a scheduler step of
 * its own, so the per-step part is paid once per micro-batch (1 without PP). */
static void step_overhead(const llm_serving *sv, double seqs, cost_step_plan *st)
{
    st->overhead_s = sv ? sv->step_s * st->pass.micro + sv->seq_step_s * seqs : 0;
    st->launch_floor_s = sv && !sv->cuda_graphs
                             ? pass_kernels(&st->pass) * sv->eager_launch_us * 1e-6 : 0;
}

static void build_step(const llm_model *m, const llm_gpu *g, const cost_config *c,
                       double dec_seqs, double ctx, double pf_tokens, double pf_len, double seqs,
                       cost_step_plan *st)
{
    cost_layer L;
    cost_build_step(m, g, c, dec_seqs, ctx, pf_tokens, pf_len, &L);
    cost_pass_plan_build(g, &L, cost_stage_layers(m, c->pp), c->sm_comm, &st->pass);
    step_overhead(c->serving, seqs, st);
}

void cost_plan_build(const llm_model *m, const llm_gpu *g, const cost_config *c, cost_plan *p)
{
    const llm_serving *sv = c->serving;
    p->g = g;
    cost_memory_eval(m, g, c, &p->mem);
    p->per_replica = c->tp * c->ep * c->pp;
    p->replicas = c->replicas;
    p->batch = c->batch;
    p->output = c->output;
    p->sm_comm = c->sm_comm;
    p->share = c->replicas_per_gpu > 1 ? c->replicas_per_gpu : 1;
    p->running = p->mem.running_batch > 0 ? p->mem.running_batch : 1;
    p->request_s = sv ? sv->request_s : 0;
    p->rate = c->rate_rps;
    p->has_first = p->has_dec1 = 0;
    double B = p->running, P = c->prompt, O = c->output;
    double ctx = cost_running_context(c);
    if (c->role == COST_ROLE_PREFILL) {
        /* eq. 70: batched prefill steps of the running batch's prompts, nothing else; the
         * decode step is a copy so that peak power and the clocks are the prefill's */
        build_step(m, g, c, 0, 0, B * P, P, B, &p->pre);
        p->pre.per_cycle = 1;
        p->dec = p->pre;
        p->dec.per_cycle = 0;
        p->pf_tokens_step = 0;
        p->ttft_steps = 1;
        p->rate = 0; /* a pool is evaluated saturated; the combination queues (eq. 75) */
        return;
    }
    /* TPOT: a decode step of the running batch at the mean context (eq. 22) */
    build_step(m, g, c, B, ctx, 0, 0, B, &p->dec);
    if (c->role == COST_ROLE_DECODE) {
        /* eq. 70: decode steps only; the prompt's KV arrives from the prefill pool, whose
         * front end also pays the per-request CPU time (eq. 40) */
        p->dec.per_cycle = O;
        p->pre = p->dec;
        p->pre.per_cycle = 0;
        p->pf_tokens_step = 0;
        p->ttft_steps = 0;
        p->request_s = 0;
        p->rate = 0;
        return;
    }
    int chunked = c->chunk_tokens > 0 || (sv && sv->chunked_prefill);
    double C = c->chunk_tokens > 0 ? c->chunk_tokens : sv ? sv->max_num_batched_tokens : 0;
    if (chunked) {
        /* eq. 36: in steady state each request's P prompt tokens are spread over its O decode
         * steps; a cycle (every sequence replaced once) has B (P + O) tokens, at most C a
         * step, and at least O steps. */
        double N = fmax(O, B * (P + O) / C);
        double td = B * O / N, tp = B * P / N;
        p->dec.per_cycle = 0;
        build_step(m, g, c, td, ctx, tp, P, td + tp / P, &p->pre);
        p->pre.per_cycle = N;
        p->pf_tokens_step = tp;
        /* eq. 39: a new prompt gets what the other sequences' decode tokens leave of the
         * budget; its chunks run over ceil(P / share) steps. */
        double others = td * (B - 1) / B;
        double share = fmax(1, C - others);
        double n = ceil(P / share);
        build_step(m, g, c, others, ctx, P / n, P, others + 1, &p->first);
        p->first.per_cycle = 0;
        p->has_first = 1;
        p->ttft_steps = n;
    } else {
        /* eq. 37: prefills as separate batched steps that stall decoding. With B slots freed
         * every O steps, B/O prompts wait at each step (at least one), at most what fits the
         * budget; the ideal engine (no profile) prefills each prompt alone (eq. 24). */
        double k = 1;
        if (sv) {
            double fit = C > 0 ? fmax(1, floor(C / P)) : B;
            k = fmin(fmax(1, B / O), fit);
        }
        build_step(m, g, c, 0, 0, k * P, P, k, &p->pre);
        p->dec.per_cycle = O;
        p->pre.per_cycle = B / k;
        p->pf_tokens_step = 0;
        p->ttft_steps = 1;
    }
    if (p->rate > 0) {
        build_step(m, g, c, 1, ctx, 0, 0, 1, &p->dec1);
        p->has_dec1 = 1;
    }
}

/* eq. 23: the GPU's power limiter holds average power over windows of milliseconds, longer
 * than a kernel, so the cap applies to each phase's average power: its clock is lowered a
 * supported step at a time until that fits (it falls monotonically with the clock). Returns
 * the clock used; at the lowest clock the cap may still be exceeded. */
static double capped_pass(const llm_gpu *g, const cost_pass_plan *pl, double mhz, int sm_comm,
                          int gpus, double cap, cost_pass *out)
{
    double f = mhz;
    for (;;) {
        cost_pass_plan_eval(g, pl, f, sm_comm, gpus, out);
        if (out->avg_power_w <= cap || f - g->step_mhz < g->min_mhz - 1e-9)
            return f;
        f -= g->step_mhz;
    }
}

/* eq. 41: a step's wall time with its CPU overhead, and its energy per replica. The GPU waits
 * for the CPU at idle + static power; k replicas on one GPU fill each other's gaps until the
 * GPU is busy: the period is max(GPU + CPU time, k x GPU time), and each replica is charged
 * 1/k of the GPU's base power over it. */
typedef struct { double time_s, energy_j, gpu_s, f; } step_cost;
static void eval_step(const cost_plan *p, const cost_step_plan *st, double mhz, double cap,
                      step_cost *o)
{
    const llm_gpu *g = p->g;
    cost_pass ps;
    o->f = capped_pass(g, &st->pass, mhz, p->sm_comm, p->per_replica, cap, &ps);
    double gpu = fmax(ps.time_s, st->launch_floor_s);
    double wall = fmax(gpu + st->overhead_s, p->share * ps.time_s);
    o->gpu_s = ps.time_s;
    o->time_s = wall;
    o->energy_j = ps.energy_j + cost_host_wait_power(g, o->f) * p->per_replica *
                                    (wall / p->share - ps.time_s);
}

double cost_erlang_c(int c, double a)
{
    if (c < 1 || a >= c)
        return 1;
    if (a <= 0)
        return 0;
    /* Erlang B by the stable recurrence B(k) = a B(k-1) / (k + a B(k-1)), then C from B. */
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    double rho = a / c;
    return b / (1 - rho * (1 - b));
}

/* eq. 44: the q-quantile of the wait in an M/D/c queue, Allen-Cunneen: the M/M/c wait
 * distribution P(W > t) = C exp(-(c - a) t / S) with its time scale halved for deterministic
 * service ((1 + cs^2) / 2, cs = 0). */
double cost_mdc_wait_quantile(double erl, double c, double a, double S, double q)
{
    if (erl <= 1 - q)
        return 0;
    return log(erl / (1 - q)) * S / (c - a) * 0.5;
}

void cost_plan_eval(const cost_plan *p, double mhz, double cap, cost_metrics *o)
{
    memset(o, 0, sizeof *o);
    o->mem = p->mem;
    o->fits = p->mem.fits;
    o->max_batch = p->mem.max_batch;
    o->memory_per_gpu_gib = p->mem.total_gib * p->share;
    o->running_batch = p->running;
    step_cost sd, sp, sf;
    eval_step(p, &p->dec, mhz, cap, &sd);
    eval_step(p, &p->pre, mhz, cap, &sp);
    if (p->has_first)
        eval_step(p, &p->first, mhz, cap, &sf);
    else
        sf = sp;
    o->effective_freq_mhz = sd.f;
    o->prefill_freq_mhz = sp.f;
    {
        /* eq. 23: the more demanding phase's average power (at its capped clock) */
        cost_pass a, b;
        cost_pass_plan_eval(p->g, &p->dec.pass, sd.f, p->sm_comm, p->per_replica, &a);
        cost_pass_plan_eval(p->g, &p->pre.pass, sp.f, p->sm_comm, p->per_replica, &b);
        o->peak_power_w = fmax(a.avg_power_w, b.avg_power_w);
    }
    o->power_cap_met = o->peak_power_w <= cap;

    double B = p->running, out = p->output;
    /* eq. 38: the serving cycle, every running sequence replaced once */
    double cycle = p->dec.per_cycle * sd.time_s + p->pre.per_cycle * sp.time_s +
                   B * p->request_s;
    double base = cost_host_wait_power(p->g, sd.f) * p->per_replica;
    double e_cycle = p->dec.per_cycle * sd.energy_j + p->pre.per_cycle * sp.energy_j +
                     base * B * p->request_s / p->share;
    o->cycle_s = cycle;
    o->tpot_s = sd.time_s;
    /* eq. 38: a request's O tokens come one a step. When chunked steps are bound by the budget
     * (N > O steps a cycle), a step decodes only B O / N of the B admitted sequences (the
     * others are still being prefilled chunk by chunk), so TPOT is the mixed step's time. */
    double steps = p->dec.per_cycle > 0 ? out : fmax(out, p->pre.per_cycle);
    o->tpot_with_prefill_s = cycle / steps;
    o->step_overhead_s = p->dec.overhead_s;
    o->prefill_tokens_per_step = p->pf_tokens_step;
    o->ttft_steps = p->ttft_steps;
    /* eq. 39: TTFT, the prompt's chunks (or its batched prefill step) and its request time */
    o->ttft_s = p->ttft_steps * sf.time_s + p->request_s;
    o->decode_energy_per_token_j = sd.energy_j / B;
    double pre_e = p->dec.per_cycle > 0 ? p->pre.per_cycle * sp.energy_j
                                        : p->pre.per_cycle * sp.energy_j - out * sd.energy_j;
    o->prefill_energy_j = fmax(0, pre_e) / B;
    o->energy_per_token_j = e_cycle / (B * out);
    o->avg_power_w = e_cycle * p->share / cycle / p->per_replica;
    o->capacity_rps = B / cycle;
    o->utilisation = 1;
    o->ttft_p50_s = o->ttft_p90_s = o->ttft_p99_s = o->ttft_mean_s = o->ttft_s;
    o->tpot_p50_s = o->tpot_p90_s = o->tpot_p99_s = o->tpot_s;
    if (p->rate > 0) {
        /* eq. 44: B slots, each held for a request's life S = cycle (saturated): M/D/B */
        double rho = p->rate / o->capacity_rps;
        o->utilisation = rho;
        if (rho >= 1) {
            o->overloaded = 1;
        } else {
            double a = p->rate * cycle, erl = cost_erlang_c((int)B, a);
            double half = 0.5 * sp.time_s; /* an arrival waits for the running step to end */
            o->ttft_p50_s = o->ttft_s + half + cost_mdc_wait_quantile(erl, B, a, cycle, 0.50);
            o->ttft_p90_s = o->ttft_s + half + cost_mdc_wait_quantile(erl, B, a, cycle, 0.90);
            o->ttft_p99_s = o->ttft_s + half + cost_mdc_wait_quantile(erl, B, a, cycle, 0.99);
            /* eq. 44: the mean wait of the same approximation, C(B, a) S / (2 (B - a)) */
            o->ttft_mean_s = o->ttft_s + half + erl * cycle / (B - a) * 0.5;
            /* eq. 45: the running batch at this load by Little's law, n = rate x life with the
             * decode step affine in the batch between one sequence and B, and its Poisson
             * spread (normal quantiles); TPOT keeps the saturated prefill share. */
            step_cost s1;
            eval_step(p, &p->dec1, mhz, cap, &s1);
            double slope = B > 1 ? (sd.time_s - s1.time_s) / (B - 1) : 0;
            /* the saturated prefill share of a token's time, per running sequence: what the
             * cycle adds to the decode-only step (chunked: the mixed step's excess) */
            double pre_per_tok = fmax(0, o->tpot_with_prefill_s - sd.time_s) / B;
            double life0 = out * (s1.time_s - slope) + o->ttft_s;
            double denom = 1 - p->rate * out * slope;
            double n = denom > 0 ? p->rate * life0 / denom : B;
            n = fmin(B, fmax(1, n));
            const double z[3] = {0, 1.2815516, 2.3263479};
            double *t[3] = {&o->tpot_p50_s, &o->tpot_p90_s, &o->tpot_p99_s};
            for (int i = 0; i < 3; i++) {
                double nq = fmin(B, n + z[i] * sqrt(n));
                *t[i] = s1.time_s + slope * (nq - 1) + pre_per_tok * nq;
            }
        }
    }
    cost_metrics_replicas(p, p->replicas, o);
}

void cost_metrics_replicas(const cost_plan *p, int replicas, cost_metrics *o)
{
    /* eq. 47: k replicas per GPU (each of one GPU) need ceil(replicas / k) GPUs */
    o->gpus = p->share > 1 ? (replicas + p->share - 1) / p->share : p->per_replica * replicas;
    double per_replica = (double)o->running_batch * p->output / o->cycle_s;
    o->throughput_tok_s = per_replica * replicas;
    o->throughput_per_gpu = o->throughput_tok_s / o->gpus;
    o->cost_per_mtok = p->g->price_per_hour > 0
                           ? p->g->price_per_hour / 3600.0 / o->throughput_per_gpu * 1e6 : 0;
}

void cost_eval(const llm_model *m, const llm_gpu *g, const cost_config *c, cost_metrics *o)
{
    cost_plan p;
    cost_plan_build(m, g, c, &p);
    double f = c->freq_mhz > 0 ? llm_gpu_snap_clock(g, c->freq_mhz) : g->max_mhz;
    cost_plan_eval(&p, f, c->power_cap_w > 0 ? c->power_cap_w : g->tdp_w, o);
}

void cost_burst_ttft(const cost_metrics *m, int n, double *mean_s, double *p50_s,
                     double *p99_s)
{
    /* eq. 46: n requests at t = 0; B start at once, the rest start as the running ones
     * complete, at capacity_rps: request i (0-based) waits max(0, i - B + 1) / capacity. */
    double B = m->running_batch, X = m->capacity_rps;
    double q = n > B ? n - B : 0;
    *mean_s = m->ttft_s + q * (q + 1) / 2 / n / X;
    double i50 = 0.5 * n, i99 = 0.99 * n;
    *p50_s = m->ttft_s + fmax(0, i50 - B + 1) / X;
    *p99_s = m->ttft_s + fmax(0, i99 - B + 1) / X;
}

void cost_batch_advice(const llm_model *m, const llm_gpu *g, const cost_config *c, double frac,
                       int *batch, double *plateau, double *freed)
{
    /* eq. 48: throughput rises with the batch and flattens once DRAM bandwidth (or compute)
     * saturates; the plateau is the throughput at the largest batch that runs. Bisection for
     * the smallest batch reaching frac of it (throughput is monotone in the batch here). */
    cost_config k = *c;
    cost_memory mem;
    k.batch = 1 << 20;
    cost_memory_eval(m, g, &k, &mem);
    int hi = mem.max_batch;
    if (hi < 1)
        hi = 1;
    cost_metrics r;
    k.batch = hi;
    k.rate_rps = 0;
    cost_eval(m, g, &k, &r);
    double top = r.throughput_per_gpu, top_mem = r.memory_per_gpu_gib;
    int lo = 1;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        k.batch = mid;
        cost_eval(m, g, &k, &r);
        if (r.throughput_per_gpu >= frac * top)
            hi = mid;
        else
            lo = mid + 1;
    }
    k.batch = lo;
    cost_eval(m, g, &k, &r);
    *batch = lo;
    *plateau = top;
    *freed = fmax(0, top_mem - r.memory_per_gpu_gib);
}

/* eq. 50: a static batch (offline runs, TensorRT-LLM's static-batch benchmarks): b requests
 * prefilled together in steps of the engine's token budget C (whole prompts, k = floor(C/P)
 * a step, when not chunked; C tokens a step when chunked), then decoded together for O - 1
 * steps at the mean context P + O/2 (the first token comes from the prefill). */
void cost_static_batch(const llm_model *m, const llm_gpu *g, const cost_config *c,
                       cost_static *o)
{
    memset(o, 0, sizeof *o);
    cost_plan p;
    cost_plan_build(m, g, c, &p);   /* memory, replica shape, the decode step of the batch */
    const llm_serving *sv = c->serving;
    double B = c->batch, P = c->prompt, O = c->output;
    double f = c->freq_mhz > 0 ? llm_gpu_snap_clock(g, c->freq_mhz) : g->max_mhz;
    double cap = c->power_cap_w > 0 ? c->power_cap_w : g->tdp_w;
    int chunked = c->chunk_tokens > 0 || (sv && sv->chunked_prefill);
    double C = c->chunk_tokens > 0 ? c->chunk_tokens : sv ? sv->max_num_batched_tokens : 0;
    double steps, full, last, per_full_tok, last_tok;
    if (C <= 0) {                       /* the ideal engine: one prompt a step */
        steps = B; full = B; last = 0; per_full_tok = P; last_tok = 0;
    } else if (chunked) {
        steps = ceil(B * P / C); full = steps - 1; per_full_tok = C;
        last = 1; last_tok = B * P - C * full;
    } else {
        double k = fmax(1, floor(C / P));
        steps = ceil(B / k); full = floor(B / k); per_full_tok = k * P;
        last = steps - full; last_tok = (B - full * k) * P;
    }
    step_cost sf = {0}, sl = {0}, sd;
    cost_step_plan st;
    if (full > 0) {
        build_step(m, g, c, 0, 0, per_full_tok, P, per_full_tok / P, &st);
        eval_step(&p, &st, f, cap, &sf);
    }
    if (last > 0 && last_tok > 0) {
        build_step(m, g, c, 0, 0, last_tok, P, fmax(1, last_tok / P), &st);
        eval_step(&p, &st, f, cap, &sl);
    }
    eval_step(&p, &p.dec, f, cap, &sd);
    o->prefill_steps = steps;
    o->prefill_s = full * sf.time_s + (last_tok > 0 ? sl.time_s : 0);
    o->decode_step_s = sd.time_s;
    o->total_s = o->prefill_s + (O - 1) * sd.time_s + B * p.request_s;
    o->energy_j = full * sf.energy_j + (last_tok > 0 ? sl.energy_j : 0) + (O - 1) * sd.energy_j;
    o->throughput_tok_s = B * O / o->total_s;
    o->energy_per_token_j = o->energy_j / (B * O);
    o->fits = p.mem.fits && p.mem.running_batch >= c->batch;
}
