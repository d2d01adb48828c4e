/* cost/layer.c — a transformer layer as a list of named einsum ops (layer 2), and the
 * evaluation of a forward pass with optional compute/communication overlap (layer 5).
 * Equations: docs/cost-model.md sections 2 and 5 (eq. 13-17).
 *
 * Equations implemented here (numbers and derivations: docs/cost-model.md):
 *   (13)  Sharding as transformations
 *   (14)  MoE load
 *   (15)  FLOP and bytes of an op follow from its index sizes ...
 *   (16)  A pass without overlap
 *   (17)  Overlap
 *   (20)  Power of a GPU running a kernel
 *   (21)  Energy
 *   (25)  With (6), (2), (26) and (20), a kernel evaluated once at ...
 *   (35)  A mixed step
 *   (60)  Pipeline stages
 *   (62)  A pipelined step: micro-batches and the bubble
 *   (63)  Send/recv between stages
 *   (64)  Energy and launches of a pipelined step
 */
#include "cost.h"

#include <math.h>
#include <string.h>

const char *const cost_op_names[] = {
    "embed", "norm_attn", "qkv_proj", "rope", "attention", "o_proj", "allreduce_attn",
    "norm_mlp", "mlp_up", "mlp_act", "mlp_down", "allreduce_mlp", "residual_add",
    "moe_router", "moe_dispatch", "moe_experts", "moe_combine", "lm_head",
    "attention_prefill", "pp_send", NULL};

/* ---- step 1: the logical (unsharded) layer ------------------------------------------------ */

static cost_op *add(cost_layer *L, cost_op_id id, cost_kind kind, const char *einsum,
                    int per_layer)
{
    cost_op *op = &L->op[L->n++];
    memset(op, 0, sizeof *op);
    op->id = id;
    op->kind = kind;
    op->einsum = einsum;
    op->per_layer = per_layer;
    op->launches = 1;
    op->groups = 1;
    op->imbalance = 1;
    return op;
}

static void logical_layer(const llm_model *m, cost_layer *L)
{
    L->n = 0;
    add(L, OP_EMBED, KIND_ELEM, "t, v d -> t d", 0);
    add(L, OP_NORM_ATTN, KIND_ELEM, "t d -> t d", 1);
    add(L, OP_QKV_PROJ, KIND_GEMM, "t d, d (h+2g) x -> t (h+2g) x", 1);
    if (m->pos == LLM_POS_ROPE || m->qk_norm)
        add(L, OP_ROPE, KIND_ELEM, "t (h+g) x -> t (h+g) x", 1);
    add(L, OP_ATTENTION, KIND_ATTN, "b h s x, b g c x, b g c x -> b h s x", 1);
    if (L->ix.bp > 0 && L->ix.b > 0) /* a mixed step: the prefill chunks' attention (eq. 35) */
        add(L, OP_ATTENTION_PREFILL, KIND_ATTN, "p h s x, p g s x, p g s x -> p h s x", 1);
    add(L, OP_O_PROJ, KIND_GEMM, "t h x, h x d -> t d", 1);
    add(L, OP_NORM_MLP, KIND_ELEM, "t d -> t d", 1);
    if (m->n_experts) {
        add(L, OP_MOE_ROUTER, KIND_GEMM, "t d, d e -> t e", 1);
        add(L, OP_MOE_EXPERTS, KIND_EXPERTS,
            "e t' d, e d (2f) -> e t' (2f); e t' f, e f d -> e t' d", 1);
    } else {
        add(L, OP_MLP_UP, KIND_GEMM,
            m->act == LLM_ACT_SWIGLU ? "t d, d (2f) -> t (2f)" : "t d, d f -> t f", 1);
        add(L, OP_MLP_ACT, KIND_ELEM,
            m->act == LLM_ACT_SWIGLU ? "t (2f) -> t f" : "t f -> t f", 1);
        add(L, OP_MLP_DOWN, KIND_GEMM, "t f, f d -> t d", 1);
    }
    add(L, OP_RESIDUAL_ADD, KIND_ELEM, "t d, t d -> t d", 1);
    add(L, OP_LM_HEAD, KIND_GEMM, "b d, d v -> b v", 0);
}

static cost_op *find(cost_layer *L, cost_op_id id)
{
    for (int i = 0; i < L->n; i++)
        if (L->op[i].id == id)
            return &L->op[i];
    return NULL;
}

/* Inserts a new op right after `after` (keeps the execution order of the layer). */
static cost_op *insert_after(cost_layer *L, cost_op_id after, cost_op_id id, cost_kind kind,
                             const char *einsum)
{
    int pos = (int)(find(L, after) - L->op) + 1;
    memmove(&L->op[pos + 1], &L->op[pos], (size_t)(L->n - pos) * sizeof L->op[0]);
    L->n++;
    cost_op *op = &L->op[pos];
    int n = L->n;
    L->n = pos;
    add(L, id, kind, einsum, 1);
    L->n = n;
    return op;
}

/* ---- step 2: sharding as transformations of the list (eq. 13) ---------------------------- */

double cost_kv_heads_per_gpu(const llm_model *m, int tp)
{
    /* KV heads replicated when tp exceeds them */
    return m->n_kv_heads >= tp ? (double)m->n_kv_heads / tp : 1;
}

int cost_ffn_up_matrices(const llm_model *m)
{
    return m->act == LLM_ACT_SWIGLU ? 2 : 1;
}

int cost_pp_node_crossings(const llm_gpu *g, int stage_gpus, int pp)
{
    /* eq. 63: stages are placed in order, node by node; a node holds whole stages when the
     * stage's GPUs divide its GPUs, and then every (per_node / stage)-th boundary crosses;
     * otherwise (a stage wider than a node, or straddling two) every boundary is taken to */
    int node = g->gpus_per_node;
    if (pp <= 1 || stage_gpus * pp <= node)
        return 0;
    if (stage_gpus >= node || node % stage_gpus)
        return pp - 1;
    int per = node / stage_gpus;
    return (pp + per - 1) / per - 1;
}

int cost_stage_layers(const llm_model *m, int pp)
{
    /* eq. 60: layers split as evenly as they go; the largest stage holds ceil(L / pp) */
    return pp > 1 ? (m->n_layers + pp - 1) / pp : m->n_layers;
}

static void shard_tp(const llm_model *m, cost_layer *L, int tp)
{
    cost_indices *ix = &L->ix;
    ix->h /= tp;
    ix->g = cost_kv_heads_per_gpu(m, tp);
    ix->f /= tp;
    ix->fe /= tp;
    ix->v /= tp;
    L->tp = tp;
    if (tp > 1) {
        cost_op *a = insert_after(L, OP_O_PROJ, OP_ALLREDUCE_ATTN, KIND_COLL, "t d -> t d");
        a->coll = LLM_ALLREDUCE;
        cost_op *b = insert_after(L, m->n_experts ? OP_MOE_EXPERTS : OP_MLP_DOWN,
                                  OP_ALLREDUCE_MLP, KIND_COLL, "t d -> t d");
        b->coll = LLM_ALLREDUCE;
    }
}

/* A group's share of x sequences over ep groups: ceil(x/ep) for whole sequences, x/ep for a
 * fraction (the chunks of prompts in a mixed step, eq. 35). */
static double group_share(double x, int ep)
{
    return x == floor(x) ? ceil(x / ep) : x / ep;
}

static void shard_ep(const llm_model *m, cost_layer *L, int ep)
{
    cost_indices *ix = &L->ix;
    L->ep = ep;
    /* Attention is data-parallel across the ep groups: each gets ceil(batch/ep) sequences
     * (the decode part and the prefill part of a mixed step each so). */
    ix->b = group_share(ix->b, ep);
    ix->bp = group_share(ix->bp, ep);
    ix->t = ix->b * ix->s + ix->bp * ix->sp;
    ix->rows_head = ix->b + ix->bp;
    if (!m->n_experts)
        return;
    ix->e /= ep;
    if (ep > 1) {
        cost_op *d = insert_after(L, OP_MOE_ROUTER, OP_MOE_DISPATCH, KIND_COLL,
                                  "t k d -> e t' d");
        d->coll = LLM_ALLTOALL;
        cost_op *c = insert_after(L, OP_MOE_EXPERTS, OP_MOE_COMBINE, KIND_COLL,
                                  "e t' d -> t k d");
        c->coll = LLM_ALLTOALL;
    }
}

/* eq. 14: share of routed tokens on the busiest EP rank. Experts ranked by Zipf popularity
 * w_j = (j+1)^-skew are placed round-robin, so rank 0 holds experts 0, ep, 2ep, ... */
static double hottest_rank_share(int n_experts, int ep, double skew)
{
    if (ep <= 1)
        return 1;
    double all = 0, hot = 0;
    for (int j = 0; j < n_experts; j++) {
        double w = pow(j + 1.0, -skew);
        all += w;
        if (j % ep == 0)
            hot += w;
    }
    return hot / all;
}

/* ---- step 3: index sizes -> GEMM shapes, bytes and collectives ---------------------------- */

/* eq. 14: expected tokens on the busiest EP rank (load), their mean over the ranks, and the
 * experts that rank expects to be active, all groups' tokens routed top-k. */
static void moe_load(const llm_model *m, const cost_layer *L, double all_tokens, double *load,
                     double *mean, double *active)
{
    const cost_indices *ix = &L->ix;
    double assign = all_tokens * ix->k;
    double p = hottest_rank_share(m->n_experts, L->ep, m->routing_skew);
    double z = L->ep > 1 ? sqrt(2 * log((double)L->ep)) : 0;
    *load = fmin(assign, assign * p + z * sqrt(assign * p * (1 - p)));
    *mean = assign / L->ep;
    *active = ix->e > 0 ? ix->e * (1 - pow(1 - 1 / ix->e, *load)) : 0;
}

static void derive(const llm_model *m, const llm_gpu *g, const cost_config *c, cost_layer *L,
                   double all_tokens)
{
    const cost_indices *ix = &L->ix;
    double ab = llm_dtype_bytes(m->act_dtype), wb = llm_dtype_bytes(c->wdtype);
    double kvb = llm_dtype_bytes(c->kvdtype);
    int fp8 = c->wdtype == LLM_FP8;
    int gated = m->act == LLM_ACT_SWIGLU;
    double t = ix->t, d = ix->d;
    int scaleout_tp = L->tp > g->gpus_per_node;
    int scaleout_ep = L->tp * L->ep > g->gpus_per_node;
    int scaleout_pp = L->tp * L->ep * L->pp > g->gpus_per_node;
    double load, mean, active;
    moe_load(m, L, all_tokens, &load, &mean, &active);

    for (int i = 0; i < L->n; i++) {
        cost_op *op = &L->op[i];
        op->a_bytes = ab;
        op->b_bytes = wb;
        op->c_bytes = ab;
        op->fp8 = fp8;
        switch (op->id) {
        case OP_EMBED:
            /* gather a row per token (+ a learned position row), write the activation */
            op->elem_bytes = t * d * (ab * (m->pos == LLM_POS_LEARNED ? 2 : 1) + ab);
            break;
        case OP_NORM_ATTN: case OP_NORM_MLP:
            op->elem_bytes = 2 * t * d * ab;
            op->elem_vflops = (m->norm == LLM_NORM_LAYER ? 8 : 4) * t * d;
            break;
        case OP_QKV_PROJ:
            op->m = t; op->n = (ix->h + 2 * ix->g) * ix->x; op->k = d;
            break;
        case OP_ROPE:
            op->elem_bytes = 2 * t * (ix->h + ix->g) * ix->x * ab;
            op->elem_vflops = (6 + (m->qk_norm ? 4 : 0)) * t * (ix->h + ix->g) * ix->x;
            break;
        case OP_ATTENTION:
            op->attn = (cost_attn_shape){ix->b, ix->h, ix->g, ix->x, ix->s, ix->c, ab, kvb,
                                         !c->unfused_attention};
            op->launches = c->unfused_attention ? 3 : 1;
            break;
        case OP_ATTENTION_PREFILL:
            op->attn = (cost_attn_shape){ix->bp, ix->h, ix->g, ix->x, ix->sp, ix->sp, ab, kvb,
                                         !c->unfused_attention};
            op->launches = c->unfused_attention ? 3 : 1;
            break;
        case OP_O_PROJ:
            op->m = t; op->n = d; op->k = ix->h * ix->x;
            break;
        case OP_ALLREDUCE_ATTN: case OP_ALLREDUCE_MLP:
            op->ranks = L->tp; op->coll_bytes = t * d * ab; op->scaleout = scaleout_tp;
            break;
        case OP_MLP_UP:
            op->m = t; op->k = d;
            op->n = cost_ffn_up_matrices(m) * ix->f;
            if (gated && c->unfused_gate_up) {
                op->n = ix->f; op->groups = 2; op->launches = 2;
            }
            break;
        case OP_MLP_ACT:
            op->elem_bytes = (gated ? 3 : 2) * t * ix->f * ab;
            op->elem_vflops = (gated ? 8 : 1) * t * ix->f;
            break;
        case OP_MLP_DOWN:
            op->m = t; op->n = d; op->k = ix->f;
            break;
        case OP_RESIDUAL_ADD:
            op->elem_bytes = 2 * 3 * t * d * ab; /* two adds a layer, 2 reads + 1 write each */
            op->elem_vflops = 2 * t * d;
            op->launches = 2;
            break;
        case OP_MOE_ROUTER:
            op->m = t; op->n = m->n_experts; op->k = d;
            op->b_bytes = ab; op->fp8 = 0; /* routers stay in bf16 */
            break;
        case OP_MOE_DISPATCH: case OP_MOE_COMBINE:
            /* each TP rank of a group sends 1/tp of the group's routed tokens (eq. 14) */
            op->ranks = L->ep;
            op->coll_bytes = t * ix->k * d * ab / L->tp * (load / mean);
            op->scaleout = scaleout_ep;
            op->imbalance = load / mean;
            break;
        case OP_MOE_EXPERTS:
            op->groups = active;
            op->m = active > 0 ? load / active : 0;
            op->n = cost_ffn_up_matrices(m) * ix->fe;
            op->k = d;
            op->n2 = ix->fe;
            op->imbalance = L->ep > 1 ? load / mean : 1;
            op->launches = 3;
            break;
        case OP_LM_HEAD:
            op->m = ix->rows_head; op->n = ix->v; op->k = d;
            op->b_bytes = ab; op->fp8 = 0; /* the LM head stays in bf16 */
            break;
        case OP_PP_SEND:
            /* eq. 63: each GPU of a stage sends its micro-batch's activations (t d) to its
             * peer in the next stage; across nodes when the replica spans them */
            op->ranks = 2; op->coll_bytes = t * d * ab; op->scaleout = scaleout_pp;
            break;
        case OP_COUNT:
            break;
        }
    }
}

void cost_build_layer(const llm_model *m, const llm_gpu *g, const cost_config *c,
                      cost_phase ph, double batch, double seq, double ctx, cost_layer *L)
{
    if (ph == PHASE_PREFILL)
        cost_build_step(m, g, c, 0, 0, batch * seq, seq, L);
    else
        cost_build_step(m, g, c, batch, ctx, 0, 0, L);
}

void cost_build_step(const llm_model *m, const llm_gpu *g, const cost_config *c,
                     double dec_seqs, double ctx, double pf_tokens, double pf_len,
                     cost_layer *L)
{
    memset(L, 0, sizeof *L);
    cost_indices *ix = &L->ix;
    double prompts = pf_len > 0 ? pf_tokens / pf_len : 0;
    L->pp = 1;
    L->micro = 1;
    if (c->pp > 1) {
        /* eq. 62: the engine splits the step into at most pp micro-batches (one per virtual
         * engine); the op list is one micro-batch's on one stage: ceil(x / pp) whole
         * sequences or prompts (x / pp of a fraction), run by each stage min(pp, x) times
         * (pp times for a fraction) */
        L->pp = c->pp;
        double nd = dec_seqs <= 0 ? 0 : dec_seqs == floor(dec_seqs) ? fmin(c->pp, dec_seqs)
                                                                  : c->pp;
        double np = prompts <= 0 ? 0 : prompts == floor(prompts) ? fmin(c->pp, prompts) : c->pp;
        L->micro = fmax(1, fmax(nd, np));
        dec_seqs = group_share(dec_seqs, c->pp);
        prompts = group_share(prompts, c->pp);
        pf_tokens = prompts * pf_len;
    }
    if (dec_seqs > 0) {
        /* the decode part is `attention`; prefill chunks, if any, `attention_prefill` */
        ix->b = dec_seqs; ix->s = 1; ix->c = ctx;
        ix->bp = prompts; ix->sp = prompts > 0 ? pf_len : 0;
    } else {
        /* a pure prefill: `attention` is the prompts' causal attention, as before */
        ix->b = prompts; ix->s = pf_len; ix->c = pf_len;
    }
    ix->d = m->d_model;
    ix->h = m->n_heads;
    ix->g = m->n_kv_heads;
    ix->x = m->head_dim;
    ix->f = m->ffn_dim;
    ix->v = m->vocab;
    ix->e = m->n_experts;
    ix->k = m->top_k;
    ix->fe = m->expert_ffn_dim;
    logical_layer(m, L);
    shard_tp(m, L, c->tp);
    shard_ep(m, L, c->ep);
    if (L->pp > 1) /* eq. 63: a stage's hand-off to the next, once per stage pass */
        add(L, OP_PP_SEND, KIND_COLL, "t d -> t d", 0)->coll = LLM_SENDRECV;
    derive(m, g, c, L, dec_seqs + pf_tokens);
    /* FLOP and byte counts do not depend on the clock or the SM count (eq. 15). */
    for (int i = 0; i < L->n; i++) {
        cost_op_cost oc;
        cost_op_eval(g, &L->op[i], g->max_mhz, g->sm_count, &oc);
        L->op[i].flops = oc.k.flops;
        L->op[i].bytes = oc.k.bytes;
    }
}

/* ---- evaluation --------------------------------------------------------------------------- */

/* The kernels an op launches on `sms` SMs at `mhz` (one, or three for unfused attention and
 * the experts' up-projection, activation and down-projection). */
static int op_kernels(const llm_gpu *g, const cost_op *op, double mhz, double sms,
                      cost_kernel ks[3])
{
    switch (op->kind) {
    case KIND_GEMM:
        cost_gemm(g, &(cost_gemm_shape){op->m, op->n, op->k, op->groups, op->a_bytes, op->b_bytes,
                  op->c_bytes, op->fp8}, mhz, sms, &ks[0]);
        if (op->launches > 1) { /* unfused gate and up: the second launch's gap */
            double gap = (op->launches - 1) * g->kernel_overhead_us * 1e-6;
            ks[0].t_fixed += gap;
            ks[0].time_s += gap;
        }
        return 1;
    case KIND_ATTN:
        return cost_attention_kernels(g, &op->attn, mhz, sms, ks);
    case KIND_ELEM:
        cost_elementwise(g, op->elem_bytes, op->elem_vflops, op->launches, mhz, sms, &ks[0]);
        return 1;
    case KIND_COLL:
        cost_collective(g, op->coll, op->ranks, op->coll_bytes, sms, op->scaleout, &ks[0]);
        return 1;
    case KIND_EXPERTS: {
        double rows = op->m * op->groups;
        cost_gemm(g, &(cost_gemm_shape){op->m, op->n, op->k, op->groups, op->a_bytes, op->b_bytes,
                  op->c_bytes, op->fp8}, mhz, sms, &ks[0]);
        cost_elementwise(g, (op->n > op->n2 ? 3 : 2) * rows * op->n2 * op->a_bytes,
                         8 * rows * op->n2, 1, mhz, sms, &ks[1]);
        cost_gemm(g, &(cost_gemm_shape){op->m, op->k, op->n2, op->groups, op->a_bytes, op->b_bytes,
                  op->c_bytes, op->fp8}, mhz, sms, &ks[2]);
        return 3;
    }
    }
    ks[0] = (cost_kernel){0};
    return 1;
}

void cost_op_eval(const llm_gpu *g, const cost_op *op, double mhz, double sms, cost_op_cost *o)
{
    cost_kernel ks[3];
    int n = op_kernels(g, op, mhz, sms, ks);
    cost_kernel_sum(ks, n, &o->k);
    o->time_s = o->k.time_s;
    cost_clock c;
    cost_clock_at(g, mhz, &c);
    cost_energy_coef e;
    cost_kernel_energy_coef(g, &o->k, &e);
    double dyn = cost_dyn_energy(&c, &e);                                   /* eq. 20 */
    double base = c.base_w;
    o->power_w = base + (o->time_s > 0 ? dyn / o->time_s : 0);
    /* eq. 21: GPUs less loaded than the busiest wait at base power for the same time. */
    o->dyn_energy_j = dyn / op->imbalance;
    o->energy_j = base * o->time_s + o->dyn_energy_j;
}

/* eq. 25: a kernel's clock-independent coefficients from its evaluation at the maximum clock
 * (times at fmax, above the memory knee; energy coefficients of eq. 20, cost/power.c). */
static void kern_from(const llm_gpu *g, const cost_kernel *k, const cost_op *op, int comm,
                      cost_plan_kernel *out)
{
    cost_energy_coef e;
    cost_kernel_energy_coef(g, k, &e);
    out->tc = k->t_comp;
    out->tm = k->t_mem;
    out->tx = k->t_fixed;
    out->beta = k->beta;
    out->ea = e.ea;
    out->eb = e.eb;
    out->ec = e.ec;
    out->bytes = k->bytes;
    out->inv_imbalance = 1 / op->imbalance;
    out->comm = comm;
    out->per_layer = op->per_layer;
}

double cost_op_sms(const llm_gpu *g, const cost_op *op, int sm_comm)
{
    /* ops outside the layers run alone, on every SM; in a layer, collectives get the sm_comm
     * SMs and the others the rest (eq. 16-17; sm_comm 0: each op on every SM, in turn) */
    if (!op->per_layer || sm_comm <= 0)
        return g->sm_count;
    return op->kind == KIND_COLL ? sm_comm : g->sm_count - sm_comm;
}

void cost_pass_plan_build(const llm_gpu *g, const cost_layer *L, int n_layers, int sm_comm,
                          cost_pass_plan *p)
{
    memset(p, 0, sizeof *p);
    p->layers = n_layers;
    p->rounds = L->pp > 1 ? L->pp : 1;
    p->micro = L->pp > 1 ? L->micro : 1;
    p->nano = L->ix.t >= 2; /* eq. 17: a single token cannot be split into two nano-batches */
    for (int i = 0; i < L->n; i++) {
        const cost_op *op = &L->op[i];
        int comm = op->kind == KIND_COLL;
        double sms = cost_op_sms(g, op, sm_comm);
        cost_kernel ks[3];
        int n = op_kernels(g, op, g->max_mhz, sms, ks);
        if (op->id == OP_PP_SEND) {
            /* eq. 62-64: a collective's time does not depend on the clock (eq. 12), so the
             * hand-off is a constant of the plan, outside the kernels the clock loop visits:
             * the mean of the pp - 1 hand-offs, those that cross nodes over the scale-out
             * link and the others over NVLink (eq. 63); its energy counts pp - 1 hand-offs
             * per pp stage passes */
            double hops = p->rounds - 1, cross = cost_pp_node_crossings(g, L->tp * L->ep, L->pp);
            cost_kernel kx[2];
            cost_collective(g, op->coll, op->ranks, op->coll_bytes, sms, 0, &kx[0]);
            cost_collective(g, op->coll, op->ranks, op->coll_bytes, sms, 1, &kx[1]);
            for (int j = 0; j < 2; j++) {
                double share = (j ? cross : hops - cross) / hops;
                if (share <= 0)
                    continue;
                cost_plan_kernel k;
                kern_from(g, &kx[j], op, comm, &k);
                double w = share * hops / p->rounds;
                p->xfer_s += share * kx[j].time_s;
                p->ea += w * k.ea;
                p->eb += w * k.eb;
                p->ec += w * k.ec;
            }
            continue;
        }
        for (int j = 0; j < n; j++) {
            cost_plan_kernel *k = &p->k[p->n++];
            kern_from(g, &ks[j], op, comm, k);
            double w = (op->per_layer ? n_layers : 1) * k->inv_imbalance;
            p->ea += w * k->ea;
            p->eb += w * k->eb;
            p->ec += w * k->ec;
            if (op->per_layer) {
                if (comm) p->bytes_m += k->bytes;
                else p->bytes_c += k->bytes;
            }
        }
    }
}

void cost_pass_plan_eval(const llm_gpu *g, const cost_pass_plan *p, double mhz, int sm_comm,
                         int gpus, cost_pass *out)
{
    cost_clock c;
    cost_clock_at(g, mhz, &c);
    const double base = c.base_w;
    double tc = 0, tm = 0, once = 0, peak_c = 0, peak_m = 0, dyn_m = 0;
    for (int i = 0; i < p->n; i++) {
        const cost_plan_kernel *k = &p->k[i];
        double t = cost_time_at(&c, k->tc, k->tm, k->tx, k->beta);          /* eq. 25 */
        if (t <= 0)
            continue;
        cost_energy_coef e = {k->ea, k->eb, k->ec};
        double dyn = cost_dyn_energy(&c, &e);  /* J on the busiest GPU */
        double pw = dyn / t;
        if (!k->per_layer) {
            once += t;
            if (pw > peak_c) peak_c = pw;
        } else if (k->comm) {
            tm += t;
            dyn_m += dyn;
            if (pw > peak_m) peak_m = pw;
        } else {
            tc += t;
            if (pw > peak_c) peak_c = pw;
        }
    }
    double layer_t, exposed, peak;
    if (sm_comm > 0 && tm > 0 && p->nano) {
        /* eq. 17: two nano-batches; DRAM bandwidth is shared by both streams. */
        double dram = cost_time_at(&c, 0, (p->bytes_c + p->bytes_m) /
                                   (g->mem_bw_gbs * 1e9 * g->mem_eff), 0, 0);
        double hi = tc > tm ? tc : tm, lo = tc > tm ? tm : tc;
        layer_t = (hi > dram ? hi : dram) + 0.5 * lo;
        exposed = layer_t > tc ? layer_t - tc : 0;
        peak = peak_c + dyn_m / layer_t;
    } else {
        /* eq. 16; with one token (batch-1 decode) the SM split only takes SMs away */
        layer_t = tc + tm;
        exposed = tm;
        peak = peak_c > peak_m ? peak_c : peak_m;
    }
    out->time_s = p->layers * layer_t + once;
    out->comm_time_s = p->layers * exposed;
    cost_energy_coef pe = {p->ea, p->eb, p->ec};
    double dyn = cost_dyn_energy(&c, &pe);
    if (p->rounds > 1) {
        /* eq. 62: a step is pp stage passes of a micro-batch and the pp - 1 hand-offs between
         * them; eq. 64: each GPU runs `micro` micro-batches through its stage per step */
        out->time_s = p->rounds * out->time_s + (p->rounds - 1) * p->xfer_s;
        out->comm_time_s = p->rounds * out->comm_time_s + (p->rounds - 1) * p->xfer_s;
        dyn *= p->micro;
    }
    out->energy_j = gpus * (base * out->time_s + dyn);
    out->avg_power_w = out->time_s > 0 ? out->energy_j / gpus / out->time_s : base;
    out->kernel_peak_w = base + peak;
}
