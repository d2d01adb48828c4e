/* cost/serve.c — configuration checks, memory, phases, continuous batching, power cap
 * (layers 3 and 4). Equations: docs/cost-model.md sections 3 and 4 (eq. 18-24). */
#include "cost.h"

#include <math.h>
#include <string.h>

#define GIB (1024.0 * 1024.0 * 1024.0)

void cost_config_default(cost_config *c)
{
    memset(c, 0, sizeof *c);
    c->tp = c->ep = c->batch = c->replicas = 1;
    c->prompt = 1024;
    c->output = 256;
    c->wdtype = LLM_BF16;
    c->kvdtype = LLM_BF16;
}

int cost_check(const llm_model *m, const llm_gpu *g, const cost_config *c, llm_err *err)
{
    if (c->tp < 1 || c->tp > 1024) {
        llm_err_set(err, "--tp: expected an integer in [1, 1024], found %d", c->tp);
        return -1;
    }
    if (m->n_heads % c->tp) {
        llm_err_set(err, "--tp: expected a divisor of %s's %d query heads, found %d", m->name,
                    m->n_heads, c->tp);
        return -1;
    }
    if (c->tp > m->n_kv_heads ? c->tp % m->n_kv_heads : m->n_kv_heads % c->tp) {
        llm_err_set(err, "--tp: expected a divisor or a multiple of %s's %d KV heads, found %d",
                    m->name, m->n_kv_heads, c->tp);
        return -1;
    }
    if (c->ep < 1 || c->ep > 4096) {
        llm_err_set(err, "--ep: expected an integer in [1, 4096], found %d", c->ep);
        return -1;
    }
    if (c->ep > 1 && !m->n_experts) {
        llm_err_set(err, "--ep: expert parallelism needs an MoE model; %s is dense (use --ep 1)",
                    m->name);
        return -1;
    }
    if (m->n_experts && m->n_experts % c->ep) {
        llm_err_set(err, "--ep: expected a divisor of %s's %d experts, found %d", m->name,
                    m->n_experts, c->ep);
        return -1;
    }
    if (m->n_experts && (m->expert_ffn_dim % c->tp)) {
        llm_err_set(err, "--tp: expected a divisor of the expert FFN size %d, found %d",
                    m->expert_ffn_dim, c->tp);
        return -1;
    }
    if (!m->n_experts && (m->ffn_dim % c->tp)) {
        llm_err_set(err, "--tp: expected a divisor of the FFN size %d, found %d", m->ffn_dim,
                    c->tp);
        return -1;
    }
    if (c->batch < 1 || c->batch > 1 << 20) {
        llm_err_set(err, "--batch: expected an integer in [1, 1048576], found %d", c->batch);
        return -1;
    }
    if (c->replicas < 1 || c->replicas > 1 << 20) {
        llm_err_set(err, "--replicas: expected an integer in [1, 1048576], found %d",
                    c->replicas);
        return -1;
    }
    if (c->sm_comm < 0 || c->sm_comm >= g->sm_count) {
        llm_err_set(err, "--sm-comm: expected an integer in [0, %d] for %s, found %d",
                    g->sm_count - 1, g->name, c->sm_comm);
        return -1;
    }
    if (c->freq_mhz != 0 && llm_gpu_snap_clock(g, c->freq_mhz) < 0) {
        llm_err_set(err, "--freq: expected an SM clock in [%g, %g] MHz for %s, found %g",
                    g->min_mhz, g->max_mhz, g->name, c->freq_mhz);
        return -1;
    }
    if (c->prompt < 1 || c->output < 1 ||
        (double)c->prompt + c->output > m->max_context_tokens) {
        llm_err_set(err, "--prompt/--output: expected at least 1 token each and prompt + output "
                    "<= %s's context of %d tokens, found %d + %d", m->name,
                    m->max_context_tokens, c->prompt, c->output);
        return -1;
    }
    if ((c->wdtype == LLM_FP8 || c->kvdtype == LLM_FP8) && g->fp8_flop_per_clk_sm <= 0) {
        llm_err_set(err, "--dtype/--kv-dtype fp8: %s has no fp8 tensor cores; use bf16",
                    g->name);
        return -1;
    }
    if (c->wdtype != LLM_BF16 && c->wdtype != LLM_FP8) {
        llm_err_set(err, "--dtype: expected bf16 or fp8");
        return -1;
    }
    if (c->kvdtype != LLM_BF16 && c->kvdtype != LLM_FP8) {
        llm_err_set(err, "--kv-dtype: expected bf16 or fp8");
        return -1;
    }
    if (c->power_cap_w != 0 && (!isfinite(c->power_cap_w) || c->power_cap_w <= g->idle_w ||
                                c->power_cap_w > 10 * g->tdp_w)) {
        llm_err_set(err, "--power-cap: expected watts above %s's idle power (%g W) and at most "
                    "%g W, found %g", g->name, g->idle_w, 10 * g->tdp_w, c->power_cap_w);
        return -1;
    }
    return 0;
}

/* ---- memory (eq. 18) ---------------------------------------------------------------------- */

void cost_memory_eval(const llm_model *m, const llm_gpu *g, const cost_config *c,
                      cost_memory *o)
{
    memset(o, 0, sizeof *o);
    double wb = llm_dtype_bytes(c->wdtype), ab = llm_dtype_bytes(m->act_dtype);
    double kvb = llm_dtype_bytes(c->kvdtype);
    double d = m->d_model, x = m->head_dim, tp = c->tp, ep = c->ep;
    double h = m->n_heads / tp;
    double kvh = m->n_kv_heads >= c->tp ? m->n_kv_heads / tp : 1;
    double attn = d * (h + 2 * kvh) * x + h * x * d;
    double mlp;
    if (m->n_experts)
        mlp = m->n_experts / ep * 3.0 * d * m->expert_ffn_dim / tp + d * m->n_experts;
    else
        mlp = (m->act == LLM_ACT_SWIGLU ? 3.0 : 2.0) * d * m->ffn_dim / tp;
    double norms = (m->norm == LLM_NORM_LAYER ? 4.0 : 2.0) * d * ab;
    double per_layer = (attn + mlp) * wb + norms;
    /* embeddings stay in the activation type; vocab-parallel over tp */
    double emb = (double)m->vocab * d / tp * ab * (m->tied_embeddings ? 1 : 2);
    if (m->pos == LLM_POS_LEARNED)
        emb += (double)m->max_context_tokens * d / tp * ab;
    double weights = m->n_layers * per_layer + emb;

    double ctx = (double)c->prompt + c->output;
    double kv_seq = ctx * m->n_layers * 2 * kvh * x * kvb;
    /* Transient activations: the largest live set of one prefill of `prompt` tokens
     * (residual, normed input, qkv, gate+up output) plus logits; per decoding sequence the
     * same set for one token. */
    double ffn = m->n_experts ? (double)m->top_k * m->expert_ffn_dim : m->ffn_dim;
    double per_tok = (2 * d + (h + 2 * kvh) * x + 2 * ffn / tp) * ab;
    double act_fixed = c->prompt * per_tok + (double)m->vocab / tp * 4;
    double act_seq = per_tok + (double)m->vocab / tp * 4;

    double bg = ceil((double)c->batch / ep);
    o->weights_gib = weights / GIB;
    o->kv_per_seq_gib = kv_seq / GIB;
    o->act_per_seq_gib = act_seq / GIB;
    o->kv_gib = bg * kv_seq / GIB;
    o->act_gib = (act_fixed + bg * act_seq) / GIB;
    o->reserved_gib = g->reserved_gib;
    o->total_gib = o->weights_gib + o->kv_gib + o->act_gib + o->reserved_gib;
    o->fits = o->total_gib <= g->mem_gib;
    double room = g->mem_gib - o->weights_gib - o->reserved_gib - act_fixed / GIB;
    double per_seq = (kv_seq + act_seq) / GIB;
    double groups = room > 0 ? floor(room / per_seq) : 0;
    o->max_batch = groups * ep > (1 << 20) ? (1 << 20) : (int)(groups * ep);
}

/* ---- one configuration (eq. 22-24) -------------------------------------------------------- */

void cost_plan_build(const llm_model *m, const llm_gpu *g, const cost_config *c, cost_plan *p)
{
    p->g = g;
    cost_memory_eval(m, g, c, &p->mem);
    p->per_replica = c->tp * c->ep;
    p->replicas = c->replicas;
    p->batch = c->batch;
    p->output = c->output;
    p->sm_comm = c->sm_comm;
    /* TTFT: one request's prompt prefilled alone; TPOT: a decode step of the whole batch at
     * the mean context over the request's life (eq. 22). */
    cost_layer L;
    cost_build_layer(m, g, c, PHASE_PREFILL, 1, c->prompt, c->prompt, &L);
    cost_pass_plan_build(g, &L, m->n_layers, c->sm_comm, &p->pre);
    cost_build_layer(m, g, c, PHASE_DECODE, c->batch, 1, c->prompt + c->output / 2.0, &L);
    cost_pass_plan_build(g, &L, m->n_layers, c->sm_comm, &p->dec);
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

void cost_plan_eval(const cost_plan *p, double mhz, double cap, cost_metrics *o)
{
    const llm_gpu *g = p->g;
    memset(o, 0, sizeof *o);
    o->mem = p->mem;
    o->fits = p->mem.fits;
    o->max_batch = p->mem.max_batch;
    o->memory_per_gpu_gib = p->mem.total_gib;
    cost_pass pp, pd;
    double f_pre = capped_pass(g, &p->pre, mhz, p->sm_comm, p->per_replica, cap, &pp);
    double f_dec = capped_pass(g, &p->dec, mhz, p->sm_comm, p->per_replica, cap, &pd);
    o->peak_power_w = fmax(pp.avg_power_w, pd.avg_power_w);
    o->power_cap_met = o->peak_power_w <= cap;
    o->effective_freq_mhz = f_dec;
    o->prefill_freq_mhz = f_pre;

    double b = p->batch, out = p->output;
    o->ttft_s = pp.time_s;
    o->tpot_s = pd.time_s;
    /* eq. 24: continuous batching steady state. Every `out` steps each of the b slots finishes
     * and admits a new request, whose prefill stalls the batch. */
    double cycle = out * pd.time_s + b * pp.time_s;
    o->cycle_s = cycle;
    o->tpot_with_prefill_s = cycle / out;
    o->prefill_energy_j = pp.energy_j;
    o->decode_energy_per_token_j = pd.energy_j / b;
    o->energy_per_token_j = (out * pd.energy_j + b * pp.energy_j) / (b * out);
    o->avg_power_w = (out * pd.energy_j + b * pp.energy_j) / cycle / p->per_replica;
    cost_metrics_replicas(p, p->replicas, o);
}

void cost_metrics_replicas(const cost_plan *p, int replicas, cost_metrics *o)
{
    o->gpus = p->per_replica * replicas;
    o->throughput_per_gpu = (double)p->batch * p->output / o->cycle_s / p->per_replica;
    o->throughput_tok_s = o->throughput_per_gpu * o->gpus;
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
