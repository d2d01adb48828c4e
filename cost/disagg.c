/* cost/disagg.c — disaggregated prefill/decode serving: a pool's replica summarised, the KV
 * cache sent from the prefill pool to the decode pool, and the two pools combined at a
 * prefill:decode replica ratio (layer 3). docs/cost-model.md section 7.
 *
 * Equations implemented here (numbers and derivations: docs/cost-model.md):
 *   (70)  A pool's replica (the roles themselves: cost/serve.c)
 *   (71)  KV bytes of one prompt
 *   (72)  The KV transfer
 *   (73)  A prefill replica's capacity with its links
 *   (74)  Throughput: the slower pool
 *   (75)  TTFT: queue + prefill + transfer
 *   (76)  TPOT: the decode pool's step
 *   (77)  Energy per token, idle GPUs included
 *   (78)  Peak power and memory per GPU
 *   (79)  Cost per token
 */
#include "cost.h"

#include <math.h>
#include <string.h>

const char *const cost_disagg_bound_names[] = {"prefill", "kv_link", "decode", NULL};

void cost_pool_of(const llm_model *m, const cost_config *c, const cost_plan *p,
                  const cost_metrics *mt, cost_pool *o)
{
    memset(o, 0, sizeof *o);
    o->g = p->g;
    o->gpus = p->per_replica;
    /* eq. 72: with tp above the KV heads, heads are replicated; one copy of each is sent */
    o->kv_ranks = c->tp < m->n_kv_heads ? c->tp : m->n_kv_heads;
    o->cap_rps = mt->capacity_rps;
    o->latency_s = c->role == COST_ROLE_PREFILL ? mt->ttft_s : mt->tpot_s;
    o->clock_mhz = mt->effective_freq_mhz;
    /* eq. 77: a replica with no work draws eq. 41's host-wait power at its clock; what a
     * request adds is the rest of the busy cycle's energy */
    o->idle_w = cost_host_wait_power(p->g, o->clock_mhz) * o->gpus;
    double busy_w = mt->avg_power_w * o->gpus;
    o->dyn_j = o->cap_rps > 0 ? fmax(0, busy_w - o->idle_w) / o->cap_rps : 0;
    o->peak_w = mt->peak_power_w;
    o->mem_gib = mt->memory_per_gpu_gib;
    o->price_per_hour = p->g->price_per_hour * o->gpus;
    o->slots = p->running;
}

double cost_kv_transfer_bytes(const llm_model *m, llm_dtype kv, double prompt)
{
    /* eq. 71: K and V of every layer and KV head for each prompt token */
    return prompt * m->n_layers * 2.0 * m->n_kv_heads * m->head_dim * llm_dtype_bytes(kv);
}

void cost_kv_transfer(const llm_gpu *g, double bytes, int send_ranks, int recv_ranks,
                      int scaleout, cost_kernel *out)
{
    /* eq. 72: each KV rank of the side with fewer ranks moves bytes / ranks over its own link,
     * all links at once; a point-to-point send/recv (eq. 11-12) by the copy engines or the
     * NIC, so at full bandwidth whatever SMs compute takes */
    int r = send_ranks < recv_ranks ? send_ranks : recv_ranks;
    if (r < 1)
        r = 1;
    cost_collective(g, LLM_SENDRECV, 2, bytes / r, g->comm_sms_saturate, scaleout, out);
    out->link_bytes *= r;
    out->bytes *= r;
}

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void cost_disagg_eval(const cost_pool *pf, const cost_pool *dc, int np, int nd,
                      const cost_kernel *x, double output, double rate, cost_disagg *o)
{
    memset(o, 0, sizeof *o);
    /* eq. 73: a prompt's KV leaves while the next prompts prefill (links, not SMs), so the
     * transfer costs prefill capacity only where it takes longer than the prefill */
    double cap_p = pf->cap_rps;
    o->bound = DISAGG_BOUND_PREFILL;
    if (x->time_s > 0 && 1 / x->time_s < cap_p) {
        cap_p = 1 / x->time_s;
        o->bound = DISAGG_BOUND_LINK;
    }
    /* eq. 74: requests flow through both pools; the slower one sets the rate. Per-GPU and
     * per-token quantities depend on np:nd only; they are computed from the ratio in lowest
     * terms, so that 1:2 and 3:6 give the same numbers to the last bit (explore keeps one). */
    int k = gcd(np, nd);
    double npr = np / k, ndr = nd / k;
    double lp = npr * cap_p, ld = ndr * dc->cap_rps;
    double lam = lp;
    if (ld < lp) {
        lam = ld;
        o->bound = DISAGG_BOUND_DECODE;
    }
    double gpus_r = npr * pf->gpus + ndr * dc->gpus;
    o->rps = lam * k;
    o->gpus = np * pf->gpus + nd * dc->gpus;
    o->throughput_tok_s = o->rps * output;
    o->throughput_per_gpu = gpus_r > 0 ? lam * output / gpus_r : 0;
    o->util_prefill = pf->cap_rps > 0 ? lam / (npr * pf->cap_rps) : 0;
    o->util_decode = dc->cap_rps > 0 ? lam / (ndr * dc->cap_rps) : 0;
    /* eq. 75: saturated, a prompt's prefill step and its transfer (as eq. 39 without a rate);
     * at a rate, the prefill pool's slots queue it first (eq. 44, M/D/c) */
    o->transfer_s = x->time_s;
    o->ttft_s = pf->latency_s + x->time_s;
    o->ttft_p50_s = o->ttft_p90_s = o->ttft_p99_s = o->ttft_s;
    if (rate > 0) {
        if (rate >= o->rps) {
            o->overloaded = 1;
        } else {
            /* eq. 44 on the prefill pool's n_p x k slots, each held a step S: half a step for
             * the running one, then the queue's mean or quantile wait */
            double S = pf->latency_s, c = (double)np * pf->slots, a = rate * S;
            double erl = cost_erlang_c((int)c, a), base = o->ttft_s + 0.5 * S;
            o->ttft_s = base + (a > 0 && c >= 1 ? erl * S / (c - a) * 0.5 : 0);
            o->ttft_p50_s = base + cost_mdc_wait_quantile(erl, c, a, S, 0.50);
            o->ttft_p90_s = base + cost_mdc_wait_quantile(erl, c, a, S, 0.90);
            o->ttft_p99_s = base + cost_mdc_wait_quantile(erl, c, a, S, 0.99);
        }
    }
    /* eq. 76 */
    o->tpot_s = dc->latency_s;
    /* eq. 77: per request the dynamic energy of its prefill, its decode and its transfer
     * (DRAM and links, eq. 20's c-term), plus every GPU's idle power over 1 / rps */
    cost_energy_coef e;
    cost_energy_coef_of(pf->g, 0, 0, x->bytes, x->link_bytes, &e);
    o->transfer_energy_j = e.ec;
    double idle = npr * pf->idle_w + ndr * dc->idle_w;
    double per_req = pf->dyn_j + dc->dyn_j + o->transfer_energy_j;
    if (lam > 0 && output > 0) {
        o->energy_per_token_j = (per_req + idle / lam) / output;
        o->avg_power_w = (lam * per_req + idle) / gpus_r;
    }
    /* eq. 78 */
    o->peak_power_w = fmax(pf->peak_w, dc->peak_w);
    o->memory_per_gpu_gib = fmax(pf->mem_gib, dc->mem_gib);
    /* eq. 79 */
    double price = npr * pf->price_per_hour + ndr * dc->price_per_hour;
    o->cost_per_mtok = price > 0 && lam > 0 && output > 0
                           ? price / 3600.0 / (lam * output) * 1e6 : 0;
}
