/* cost/primitives.c — GEMM, attention, element-wise and collective kernels (layer 1).
 * Equations: docs/cost-model.md, section 1 (eq. 1-12).
 *
 * Equations implemented here (numbers and derivations: docs/cost-model.md):
 *   (1)   Tensor peak
 *   (2)   Streaming DRAM bandwidth
 *   (3)   Tiles
 *   (4)   Split-K
 *   (5)   Waves
 *   (6)   Bytes
 *   (7)   Attention, work
 *   (8)   Fused attention (FlashAttention-style), time
 *   (9)   Unfused attention
 *   (10)  Element-wise and normalisation
 *   (11)  Collectives, bytes on the wire
 *   (12)  Collective time
 *   (26)  Time at a clock, one definition
 *   (27)  Imperfect overlap of math and DRAM
 *   (28)  Decode attention over a paged KV cache
 *   (29)  Executed tensor work
 */
#include "cost.h"

#include <math.h>

const char *const cost_bound_names[] = {"compute", "memory", "latency", "communication", NULL};

/* eq. 1: tensor peak of `sms` SMs at `mhz`, FLOP/s. Math throughput is proportional to the
 * SM clock. */
static double tensor_peak(const llm_gpu *g, int fp8, double mhz, double sms)
{
    double per_clk = fp8 ? g->fp8_flop_per_clk_sm : g->bf16_flop_per_clk_sm;
    return per_clk * sms * mhz * 1e6;
}

/* eq. 2: achieved streaming DRAM bandwidth with `sms` SMs above the memory knee, bytes/s. Too
 * few SMs cannot issue enough loads; the knee (below it too few loads are in flight) is applied
 * with the clock, in cost_clock_at. */
static double mem_bw(const llm_gpu *g, double sms)
{
    double bw = g->mem_bw_gbs * 1e9 * g->mem_eff;
    if (sms < g->mem_sms_saturate)
        bw *= sms / g->mem_sms_saturate;
    return bw;
}

/* Times at `mhz` from the math time at the maximum clock and the DRAM time above the knee,
 * through the one definition of time(f) (eq. 26). */
static void classify(const llm_gpu *g, cost_kernel *k, double tc_max, double tm, double t_fixed,
                     double beta, double mhz)
{
    cost_clock c;
    cost_clock_at(g, mhz, &c);
    double t_comp = tc_max * c.r, t_mem = tm * c.knee;
    k->t_comp = t_comp;
    k->t_mem = t_mem;
    k->t_fixed = t_fixed;
    k->beta = beta;
    k->time_s = cost_time_at(&c, tc_max, tm, t_fixed, beta);
    if (t_fixed >= t_comp && t_fixed >= t_mem)
        k->bound = BOUND_LATENCY;
    else
        k->bound = t_comp >= t_mem ? BOUND_COMPUTE : BOUND_MEMORY;
}

static void utilisation(const llm_gpu *g, cost_kernel *k, double mhz, int fp8)
{
    k->fp8 = fp8;
    double t = k->time_s > 0 ? k->time_s : 1;
    k->u_math = k->flops / (t * tensor_peak(g, fp8, mhz, g->sm_count));
    k->u_mem = k->bytes / (t * g->mem_bw_gbs * 1e9);
    k->u_link = k->link_bytes / (t * g->link_bw_gbs * 1e9);
    if (k->u_math > 1) k->u_math = 1;
    if (k->u_mem > 1) k->u_mem = 1;
    if (k->u_link > 1) k->u_link = 1;
}

/* Thread-block tiles a Hopper/Ampere GEMM library chooses among, with the fraction of the
 * best tile's per-SM throughput each sustains (smaller tiles reuse less data per load).
 * Engineering estimates, not fitted: docs/cost-model.md eq. 3, "Tiles". */
static const struct { double tm, tn, eta; } gemm_tiles[] = {
    {128, 256, 1.00}, {128, 128, 0.93}, {64, 128, 0.82}, {64, 64, 0.62},
};
/* Shape-law constants of eq. 4 and 27, fitted (tools/fit_gemm.py) to the TensorRT-LLM H100
 * bf16 GEMM table (aiconfigurator_hopper) and shared by every GPU (docs/calibration.md):
 * split-K never cuts K below 768 elements per slice nor into more than 12 slices, a split
 * GEMM pays 1.5 us for its reduction of the partial tiles, and 25% of the shorter of the math
 * and DRAM times is not hidden behind the longer one (the pipeline's prologue loads and
 * epilogue stores of a kernel with one or a few waves). */
#define SPLITK_MIN_K 768.0
#define SPLITK_MAX 12.0
#define SPLITK_REDUCE_US 1.5
#define GEMM_OVERLAP_BETA 0.25

void cost_gemm(const llm_gpu *g, const cost_gemm_shape *s, double mhz, double sms,
               cost_kernel *out)
{
    double m = s->m, n = s->n, k = s->k, groups = s->groups;
    double a_bytes = s->a_bytes, b_bytes = s->b_bytes, c_bytes = s->c_bytes;
    int fp8 = s->fp8;
    *out = (cost_kernel){0};
    if (m <= 0 || n <= 0 || k <= 0 || groups <= 0)
        return;
    out->flops = 2.0 * m * n * k * groups;
    /* eq. 6: minimum DRAM traffic, each operand once (tiles re-read through L2). */
    out->bytes = groups * (m * k * a_bytes + k * n * b_bytes + m * n * c_bytes);
    double t_mem = out->bytes / mem_bw(g, sms);
    double per_sm = tensor_peak(g, fp8, g->max_mhz, 1) * (fp8 ? g->gemm_fp8_eff : g->gemm_eff);
    /* the library runs its fastest kernel: tile and split chosen on the whole time, any
     * split from 1 to its limit (so fewer SMs never make a GEMM faster) */
    double best = INFINITY, best_tc = 0, best_tx = 0, best_exec = 0;
    for (unsigned i = 0; i < sizeof gemm_tiles / sizeof gemm_tiles[0]; i++) {
        double tm = gemm_tiles[i].tm, tn = gemm_tiles[i].tn;
        double tiles = groups * ceil(m / tm) * ceil(n / tn);                 /* eq. 3 */
        double smax = 1;                                                     /* eq. 4 */
        if (tiles < sms) {
            smax = floor(sms / tiles);
            double kmax = floor(k / SPLITK_MIN_K);
            if (smax > kmax) smax = kmax;
            if (smax > SPLITK_MAX) smax = SPLITK_MAX;
            if (smax < 1) smax = 1;
        }
        double per_tile = 2.0 * tm * tn / (per_sm * gemm_tiles[i].eta);
        for (double split = 1; split <= smax; split++) {
            /* eq. 5: whole waves, or with persistent stream-K kernels the work spread evenly
             * over the SMs once there is more than one wave of it */
            double units = tiles * split;
            double waves = units <= sms ? 1 : g->gemm_stream_k > 0 ? units / sms
                                                                   : ceil(units / sms);
            double t_comp = waves * per_tile * ceil(k / split);
            double t_fixed = g->kernel_overhead_us * 1e-6 +                  /* eq. 6 */
                             (split > 1 ? SPLITK_REDUCE_US * 1e-6 : 0);
            double t = (t_comp > t_mem ? t_comp + GEMM_OVERLAP_BETA * t_mem      /* eq. 27 */
                                       : t_mem + GEMM_OVERLAP_BETA * t_comp) + t_fixed;
            if (t < best) {
                best = t;
                best_tc = t_comp;
                best_tx = t_fixed;
                best_exec = tiles * tm * tn * 2.0 * k;
            }
        }
    }
    classify(g, out, best_tc, t_mem, best_tx, GEMM_OVERLAP_BETA, mhz);
    /* eq. 29: the tensor cores run whole tiles; a single row (m = 1, a decode GEMV) goes to
     * CUDA-core GEMV kernels instead (aiconfigurator H200: m = 1 draws 350 W where m = 5-16
     * draws 600 W at the same DRAM bandwidth) */
    out->flops_exec = m > 1 ? best_exec : 0;
    utilisation(g, out, mhz, fp8);
}

/* FlashAttention tiles: query rows per thread block and keys per inner iteration (FA2 on
 * Hopper and Ampere, head dim 128), and KV positions per split in split-KV decode. */
#define ATTN_BLOCK_Q 128.0
#define ATTN_BLOCK_K 64.0
#define ATTN_SPLIT_KV 512.0
/* Decode attention (eq. 28), fitted to TensorRT-LLM H100 decode (tools/fit_decode_attention.py). */
#define ATTN_DEC_CTAS_PER_SM 2.0
#define ATTN_DEC_CTA_US 2.5      /* a CTA's latency: page table, Q, first K/V loads, epilogue */
#define ATTN_DEC_CTA_GBS 32.0    /* one CTA's streaming rate */
#define ATTN_DEC_QHEAD_US 0.32   /* per query head and split, per SM: softmax and reduction */
#define ATTN_DEC_TENSOR_EFF 0.03 /* tensor throughput of a few query rows per KV head / peak */
#define ATTN_DEC_EXTRA_US 3.5    /* the split-KV reduction kernel and KV-cache append */

/* Pairs (query, key) one sequence needs: causal within the sq new tokens, which attend to
 * skv - sq earlier keys too (eq. 7). */
static double attn_pairs(double sq, double skv)
{
    if (sq >= skv)
        return skv * (skv + 1) / 2;
    return sq * (skv - sq) + sq * (sq + 1) / 2;
}

/* Key-block iterations one sequence's query blocks run, diagonal blocks computed whole
 * (eq. 8): query block i sees min(nk, 2(i+1) + a) key blocks, a = ceil((skv - sq)/BK),
 * with BQ = 2 BK. Closed form of that sum. */
static double attn_iterations(double sq, double skv)
{
    double nq = ceil(sq / ATTN_BLOCK_Q), nk = ceil(skv / ATTN_BLOCK_K);
    double a = ceil((skv - sq) / ATTN_BLOCK_K);
    double c = floor((nk - a) / 2);
    if (c < 0) c = 0;
    if (c > nq) c = nq;
    return c * (c + 1) + a * c + (nq - c) * nk;
}

int cost_attention_kernels(const llm_gpu *g, const cost_attn_shape *s, double mhz, double sms,
                           cost_kernel out[3])
{
    out[0] = (cost_kernel){0};
    if (s->b <= 0 || s->hq <= 0 || s->sq <= 0 || s->skv <= 0)
        return 1;
    if (!s->fused) {
        /* eq. 9: S = Q K^T (every head reads its K: GQA expanded), softmax through DRAM,
         * O = P V; the full square is computed and the mask applied afterwards. */
        double bh = s->b * s->hq, sc = bh * s->sq * s->skv;
        cost_gemm(g, &(cost_gemm_shape){s->sq, s->skv, s->dh, bh, s->act_bytes, s->kv_bytes,
                  s->act_bytes, 0}, mhz, sms, &out[0]);
        cost_elementwise(g, 2 * sc * s->act_bytes, 5 * sc, 1, mhz, sms, &out[1]);
        cost_gemm(g, &(cost_gemm_shape){s->sq, s->dh, s->skv, bh, s->act_bytes, s->kv_bytes,
                  s->act_bytes, 0}, mhz, sms, &out[2]);
        return 3;
    }
    /* eq. 7-8: fused; scores stay on chip. */
    cost_kernel *k = &out[0];
    double pairs = attn_pairs(s->sq, s->skv);
    k->flops = 4.0 * s->b * s->hq * s->dh * pairs;
    k->bytes = s->b * (2 * s->sq * s->hq * s->dh * s->act_bytes +
                       2 * s->skv * s->hkv * s->dh * s->kv_bytes);
    if (s->sq <= 1) {
        /* eq. 28: decode over a paged KV cache. Each (sequence, KV head, 512-key split) is one
         * CTA, two resident per SM; a wave of CTAs takes a CTA's latency plus its share of the
         * KV at one CTA's streaming rate, and every query head of every split pays its
         * softmax/reduction; never faster than streaming. The tensor work of a handful of
         * query rows per KV head runs at a small fraction of peak. Constants fitted
         * (tools/fit_decode_attention.py) to TensorRT-LLM XQA decode on H100 (aiconfigurator_hopper),
         * shared by every GPU. */
        double splits = ceil(s->skv / ATTN_SPLIT_KV);
        double units = s->b * s->hkv * splits;
        double waves = ceil(units / (ATTN_DEC_CTAS_PER_SM * sms));
        double t_units = waves * (ATTN_DEC_CTA_US * 1e-6 + k->bytes / units /
                                  (ATTN_DEC_CTA_GBS * 1e9)) +
                         ATTN_DEC_QHEAD_US * 1e-6 * s->b * s->hq * splits / sms;
        double t_stream = k->bytes / mem_bw(g, sms);
        double t_comp = k->flops / (tensor_peak(g, 0, g->max_mhz, sms) * ATTN_DEC_TENSOR_EFF);
        classify(g, k, t_comp, t_stream > t_units ? t_stream : t_units,
                 (g->kernel_overhead_us + ATTN_DEC_EXTRA_US) * 1e-6, 0, mhz);
        /* eq. 29: the query rows of a KV head padded to a 64-row MMA tile */
        k->flops_exec = 4.0 * s->b * s->hkv * ceil(s->hq / s->hkv / 64) * 64 * s->dh * s->skv;
        utilisation(g, k, mhz, 0);
        return 1;
    }
    double nq = ceil(s->sq / ATTN_BLOCK_Q);
    double blocks = s->b * s->hq * nq;
    double work = s->b * s->hq * (attn_iterations(s->sq, s->skv) + g->attn_block_extra * nq) *
                  4.0 * ATTN_BLOCK_Q * ATTN_BLOCK_K * s->dh;
    double waves = ceil(blocks / sms);
    double wave_eff = blocks / (waves * sms);
    double t_comp = work / (tensor_peak(g, 0, g->max_mhz, sms) * g->attn_eff * wave_eff);
    double active = blocks < sms ? blocks : sms;
    double t_mem = k->bytes / mem_bw(g, active);
    classify(g, k, t_comp, t_mem, g->kernel_overhead_us * 1e-6, 0, mhz);
    k->flops_exec = work; /* whole 128 x 64 blocks, diagonal ones included (eq. 8, 29) */
    utilisation(g, k, mhz, 0);
    return 1;
}

void cost_kernel_sum(const cost_kernel *ks, int n, cost_kernel *out)
{
    cost_kernel acc = {0};
    double longest = -1;
    for (int i = 0; i < n; i++) {
        const cost_kernel *k = &ks[i];
        double t = acc.time_s + k->time_s;
        if (t > 0) {
            acc.u_math = (acc.u_math * acc.time_s + k->u_math * k->time_s) / t;
            acc.u_mem = (acc.u_mem * acc.time_s + k->u_mem * k->time_s) / t;
            acc.u_link = (acc.u_link * acc.time_s + k->u_link * k->time_s) / t;
        }
        if (k->time_s > longest) {
            longest = k->time_s;
            acc.bound = k->bound;
        }
        acc.time_s = t;
        acc.t_comp += k->t_comp;
        acc.t_mem += k->t_mem;
        acc.t_fixed += k->t_fixed;
        acc.flops += k->flops;
        acc.flops_exec += k->flops_exec;
        acc.bytes += k->bytes;
        acc.link_bytes += k->link_bytes;
        acc.fp8 |= k->fp8;
    }
    *out = acc;
}

void cost_attention(const llm_gpu *g, const cost_attn_shape *s, double mhz, double sms,
                    cost_kernel *out)
{
    cost_kernel ks[3];
    int n = cost_attention_kernels(g, s, mhz, sms, ks);
    cost_kernel_sum(ks, n, out);
}

void cost_elementwise(const llm_gpu *g, double bytes, double vflops, double launches,
                      double mhz, double sms, cost_kernel *out)
{
    *out = (cost_kernel){0};
    out->bytes = bytes;
    out->flops = 0; /* vector FLOPs do not load the tensor cores the power model counts */
    double t_mem = bytes / mem_bw(g, sms);                                   /* eq. 10 */
    double t_comp = vflops / (g->vector_flop_per_clk_sm * sms * g->max_mhz * 1e6);
    classify(g, out, t_comp, t_mem, launches * g->kernel_overhead_us * 1e-6, 0, mhz);
    utilisation(g, out, mhz, 0);
}

/* eq. 11: bytes each rank puts on the wire per byte of NCCL's count (ring algorithms). */
static double wire_factor(llm_coll c, int n)
{
    switch (c) {
    case LLM_ALLREDUCE: return 2.0 * (n - 1) / n;
    case LLM_ALLGATHER: case LLM_REDUCESCATTER: case LLM_ALLTOALL: return (double)(n - 1) / n;
    case LLM_SENDRECV: case LLM_COLL_COUNT: return 1.0;
    }
    return 1.0;
}

void cost_collective(const llm_gpu *g, llm_coll c, int ranks, double bytes, double sms,
                     int scaleout, cost_kernel *out)
{
    *out = (cost_kernel){0};
    if (ranks <= 1 || bytes <= 0)
        return;
    double w = wire_factor(c, ranks);
    double alpha = g->coll_latency_us[c] + g->coll_latency_log2_us[c] * (log2((double)ranks) - 1);
    double link = g->link_bw_gbs;
    if (scaleout) {
        alpha += g->scaleout_latency_us;
        link = g->scaleout_bw_gbs;
    }
    /* eq. 12: bus bandwidth falls a little with few ranks; NCCL picks the faster of a
     * low-latency protocol (a fraction of the bandwidth) and the full-bandwidth one. */
    double bw = link * 1e9 * g->coll_bw_eff[c] * (1 - g->coll_rank_penalty[c] / ranks);
    if (sms < g->comm_sms_saturate)
        bw *= sms / g->comm_sms_saturate;
    out->link_bytes = bytes * w;
    out->bytes = 2 * bytes * w; /* each byte sent is read from DRAM, each received written */
    double t_ll = alpha * 1e-6 + out->link_bytes / (bw * g->coll_ll_bw_frac[c]);
    double t_simple = (alpha + g->coll_simple_extra_us[c]) * 1e-6 + out->link_bytes / bw;
    out->time_s = out->t_fixed = t_ll < t_simple ? t_ll : t_simple;
    out->bound = BOUND_COMM;
    utilisation(g, out, g->max_mhz, 0);
}
