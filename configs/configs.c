/* configs/configs.c — schemas of the model, GPU and workload files, and name resolution.
 * The formats, with every key and its unit, are in docs/formats.md. */
#include "schema.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const llm_dtype_names[] = {"bf16", "fp8", "fp16", "fp32", NULL};
const char *const llm_coll_names[] = {"allreduce", "allgather", "reducescatter", "alltoall",
                                      "sendrecv", NULL};
static const char *const norm_names[] = {"rmsnorm", "layernorm", NULL};
static const char *const pos_names[] = {"rope", "learned", NULL};
static const char *const act_names[] = {"swiglu", "relu", "gelu", NULL};
static const char *const link_names[] = {"nvlink", "pcie", NULL};

/* Link generations: the names $.interconnect.generation takes, and in the same order each
 * one's type and bandwidth per GPU and direction in GB/s, the ceiling sku-check holds
 * link_bw_gbs_per_direction to (docs/sku-check.md, "Link generations", with sources). */
const char *const llm_link_gen_names[] = {"nvlink1", "nvlink2", "nvlink3", "nvlink4",
                                          "nvlink5", "nvlink6", "pcie3", "pcie4", "pcie5",
                                          "pcie6", NULL};
const llm_link_gen llm_link_gens[] = {
    {LLM_LINK_NVLINK, 80},   /* P100: 4 links x 20 GB/s */
    {LLM_LINK_NVLINK, 150},  /* V100: 6 links x 25 GB/s */
    {LLM_LINK_NVLINK, 300},  /* A100: 12 links x 25 GB/s */
    {LLM_LINK_NVLINK, 450},  /* H100, H200: 18 links x 25 GB/s */
    {LLM_LINK_NVLINK, 900},  /* B200: 18 links x 50 GB/s */
    {LLM_LINK_NVLINK, 1800}, /* Rubin: 3.6 TB/s per GPU, both directions, as announced */
    {LLM_LINK_PCIE, 16},     /* x16: 8 GT/s x 16 lanes x 128/130 / 8 bits = 15.75 GB/s */
    {LLM_LINK_PCIE, 32},     /* x16: 16 GT/s, 31.5 GB/s */
    {LLM_LINK_PCIE, 64},     /* x16: 32 GT/s, 63 GB/s */
    {LLM_LINK_PCIE, 128},    /* x16: 64 GT/s (PAM4), 128 GB/s before FLIT overhead */
};
_Static_assert(sizeof llm_link_gens / sizeof llm_link_gens[0] ==
                   sizeof llm_link_gen_names / sizeof llm_link_gen_names[0] - 1,
               "one bandwidth per link generation name");
const char *const llm_slo_pct_names[] = {"mean", "p50", "p90", "p99", NULL};
const char *const llm_cov_level_names[] = {"datasheet", "transferred", "measured", NULL};
const char *const llm_cov_class_names[] = {"gemm", "attention", "memory", "collectives", "power",
                                           NULL};

double llm_dtype_bytes(llm_dtype t)
{
    switch (t) {
    case LLM_BF16: case LLM_FP16: return 2.0;
    case LLM_FP8: return 1.0;
    case LLM_FP32: return 4.0;
    }
    return 2.0;
}

int llm_dtype_parse(const char *s, llm_dtype *out)
{
    for (int i = 0; llm_dtype_names[i]; i++)
        if (!strcmp(s, llm_dtype_names[i])) {
            *out = (llm_dtype)i;
            return 0;
        }
    return -1;
}

/* ---- schemas ------------------------------------------------------------------------------ */

#define REQ 1
#define OPT 0
#define INT(k, s, f, req, lo, hi, d) {k, SF_INT, offsetof(s, f), req, lo, hi, d, NULL, NULL, 0}
#define NUM(k, s, f, req, lo, hi, d) {k, SF_NUM, offsetof(s, f), req, lo, hi, d, NULL, NULL, 0}
#define BOOL(k, s, f, d) {k, SF_BOOL, offsetof(s, f), OPT, 0, 1, d, NULL, NULL, 0}
#define ENUM(k, s, f, req, names, d) {k, SF_ENUM, offsetof(s, f), req, 0, 0, d, names, NULL, 0}
#define STR(k, s, f) {k, SF_STR, offsetof(s, f), REQ, 0, 0, 0, NULL, NULL, sizeof(((s *)0)->f)}
#define TEXT(k, req) {k, SF_TEXT, 0, req, 0, 0, 0, NULL, NULL, 0}
#define OBJ(k, req, sub) {k, SF_OBJ, 0, req, 0, 0, 0, NULL, sub, 0}
#define END {NULL, SF_INT, 0, 0, 0, 0, 0, NULL, NULL, 0}

/* Ranges are what a plausible transformer has; they keep index arithmetic far from overflow
 * (docs/formats.md, "Limits"). */
static const schema_field model_moe[] = {
    TEXT("source", OPT),
    INT("n_experts", llm_model, n_experts, REQ, 2, 4096, 0),
    INT("top_k", llm_model, top_k, REQ, 1, 4096, 0),
    INT("expert_ffn_dim", llm_model, expert_ffn_dim, REQ, 1, 1 << 20, 0),
    NUM("routing_skew_zipf", llm_model, routing_skew, OPT, 0, 4, 0),
    END};
static const schema_field model_dtypes[] = {
    ENUM("weights", llm_model, weight_dtype, OPT, llm_dtype_names, LLM_BF16),
    ENUM("activations", llm_model, act_dtype, OPT, llm_dtype_names, LLM_BF16),
    ENUM("kv_cache", llm_model, kv_dtype, OPT, llm_dtype_names, LLM_BF16),
    END};
static const schema_field model_schema[] = {
    STR("name", llm_model, name),
    TEXT("description", OPT),
    TEXT("source", REQ),
    INT("d_model", llm_model, d_model, REQ, 1, 1 << 20, 0),
    INT("n_layers", llm_model, n_layers, REQ, 1, 4096, 0),
    INT("n_heads", llm_model, n_heads, REQ, 1, 4096, 0),
    INT("n_kv_heads", llm_model, n_kv_heads, REQ, 1, 4096, 0),
    INT("head_dim", llm_model, head_dim, REQ, 1, 4096, 0),
    INT("ffn_dim", llm_model, ffn_dim, OPT, 0, 1 << 22, 0),
    INT("vocab_size", llm_model, vocab, REQ, 1, 1 << 24, 0),
    INT("max_context_tokens", llm_model, max_context_tokens, REQ, 1, 1 << 24, 0),
    BOOL("tied_embeddings", llm_model, tied_embeddings, 0),
    BOOL("qk_norm", llm_model, qk_norm, 0),
    ENUM("norm", llm_model, norm, REQ, norm_names, 0),
    ENUM("position", llm_model, pos, REQ, pos_names, 0),
    ENUM("activation", llm_model, act, REQ, act_names, 0),
    OBJ("moe", OPT, model_moe),
    OBJ("dtypes", OPT, model_dtypes),
    END};

static const schema_field gpu_compute[] = {
    TEXT("source", REQ),
    INT("sm_count", llm_gpu, sm_count, REQ, 1, 4096, 0),
    NUM("bf16_flop_per_clk_per_sm", llm_gpu, bf16_flop_per_clk_sm, REQ, 1, 1e6, 0),
    NUM("fp8_flop_per_clk_per_sm", llm_gpu, fp8_flop_per_clk_sm, OPT, 0, 1e6, 0),
    NUM("vector_fp32_flop_per_clk_per_sm", llm_gpu, vector_flop_per_clk_sm, REQ, 1, 1e5, 0),
    NUM("bf16_peak_tflops", llm_gpu, bf16_peak_tflops, OPT, 0, 1e6, 0),
    NUM("fp8_peak_tflops", llm_gpu, fp8_peak_tflops, OPT, 0, 1e6, 0),
    END};
static const schema_field gpu_clocks[] = {
    TEXT("source", REQ),
    NUM("min_mhz", llm_gpu, min_mhz, REQ, 1, 1e4, 0),
    NUM("max_mhz", llm_gpu, max_mhz, REQ, 1, 1e4, 0),
    NUM("step_mhz", llm_gpu, step_mhz, REQ, 1, 1e4, 0),
    END};
static const schema_field gpu_memory[] = {
    TEXT("source", REQ),
    NUM("capacity_gib", llm_gpu, mem_gib, REQ, 0.1, 1e5, 0),
    NUM("bandwidth_gbs", llm_gpu, mem_bw_gbs, REQ, 1, 1e6, 0),
    NUM("l2_mib", llm_gpu, l2_mib, REQ, 0, 1e4, 0),
    NUM("runtime_reserved_gib", llm_gpu, reserved_gib, REQ, 0, 1e3, 0),
    INT("bus_width_bits", llm_gpu, mem_bus_bits, OPT, 0, 1 << 16, 0),
    NUM("data_rate_gbps", llm_gpu, mem_data_rate_gbps, OPT, 0, 1000, 0),
    END};
#define CNUM(key, field, i, lo, hi) \
    {key, SF_NUM, offsetof(llm_gpu, field) + (i) * sizeof(double), REQ, lo, hi, 0, NULL, NULL, 0}
static const schema_field gpu_coll_fields[LLM_COLL_COUNT][8] = {
#define COLL(name, i) {TEXT("source", OPT), \
    CNUM("latency_us", coll_latency_us, i, 0, 1e5), \
    CNUM("latency_per_rank_doubling_us", coll_latency_log2_us, i, 0, 1e4), \
    CNUM("bw_eff", coll_bw_eff, i, 0.01, 1.0), \
    CNUM("rank_penalty", coll_rank_penalty, i, 0, 1.9), \
    CNUM("simple_protocol_extra_us", coll_simple_extra_us, i, 0, 1e5), \
    CNUM("ll_protocol_bw_fraction", coll_ll_bw_frac, i, 0.01, 1), END}
    COLL("allreduce", 0), COLL("allgather", 1), COLL("reducescatter", 2), COLL("alltoall", 3),
    COLL("sendrecv", 4)
#undef COLL
};
static const schema_field gpu_interconnect[] = {
    TEXT("source", REQ),
    ENUM("type", llm_gpu, link, REQ, link_names, 0),
    ENUM("generation", llm_gpu, link_gen, OPT, llm_link_gen_names, -1),
    INT("gpus_per_node", llm_gpu, gpus_per_node, REQ, 1, 1024, 0),
    NUM("link_bw_gbs_per_direction", llm_gpu, link_bw_gbs, REQ, 0.1, 1e5, 0),
    NUM("scaleout_bw_gbs_per_direction", llm_gpu, scaleout_bw_gbs, REQ, 0.1, 1e5, 0),
    NUM("scaleout_latency_us", llm_gpu, scaleout_latency_us, REQ, 0, 1e5, 0),
    NUM("comm_sms_saturate", llm_gpu, comm_sms_saturate, REQ, 1, 4096, 0),
    OBJ("allreduce", REQ, gpu_coll_fields[0]),
    OBJ("allgather", REQ, gpu_coll_fields[1]),
    OBJ("reducescatter", REQ, gpu_coll_fields[2]),
    OBJ("alltoall", REQ, gpu_coll_fields[3]),
    OBJ("sendrecv", REQ, gpu_coll_fields[4]),
    END};
static const schema_field gpu_efficiency[] = {
    TEXT("source", REQ),
    NUM("gemm", llm_gpu, gemm_eff, REQ, 0.01, 1, 0),
    NUM("gemm_fp8", llm_gpu, gemm_fp8_eff, OPT, 0, 1, 0),
    NUM("attention", llm_gpu, attn_eff, REQ, 0.01, 1, 0),
    NUM("attention_block_overhead_iters", llm_gpu, attn_block_extra, REQ, 0, 100, 0),
    NUM("memory", llm_gpu, mem_eff, REQ, 0.01, 1, 0),
    NUM("memory_sms_saturate", llm_gpu, mem_sms_saturate, REQ, 1, 4096, 0),
    NUM("memory_clock_knee_mhz", llm_gpu, mem_clk_knee_mhz, REQ, 0, 1e4, 0),
    NUM("kernel_overhead_us", llm_gpu, kernel_overhead_us, REQ, 0, 1e4, 0),
    NUM("gemm_stream_k", llm_gpu, gemm_stream_k, OPT, 0, 1, 0),
    END};
static const schema_field gpu_power[] = {
    TEXT("source", REQ),
    NUM("tdp_w", llm_gpu, tdp_w, REQ, 1, 1e5, 0),
    NUM("idle_w", llm_gpu, idle_w, REQ, 0, 1e5, 0),
    NUM("static_w", llm_gpu, static_w, REQ, 0, 1e5, 0),
    NUM("active_w", llm_gpu, active_w, OPT, 0, 1e5, 0),
    NUM("math_w", llm_gpu, math_w, REQ, 0, 1e5, 0),
    NUM("sm_mem_w", llm_gpu, sm_mem_w, REQ, 0, 1e5, 0),
    NUM("dram_w", llm_gpu, dram_w, REQ, 0, 1e5, 0),
    NUM("link_w", llm_gpu, link_w, REQ, 0, 1e5, 0),
    NUM("v_min_ratio", llm_gpu, v_min_ratio, REQ, 0.1, 1, 0),
    NUM("v_knee_mhz", llm_gpu, v_knee_mhz, REQ, 0, 1e4, 0),
    END};
/* Coverage (docs/calibration.md, "Coverage"): absent = datasheet only, the honest default for
 * a GPU nobody has measured. */
#define COV(k, i) ENUM(k, llm_gpu, coverage[i], OPT, llm_cov_level_names, LLM_COV_DATASHEET), \
    {k "_from", SF_STR, offsetof(llm_gpu, coverage_from[i]), OPT, 0, 0, 0, NULL, NULL,        \
     LLM_NAME_MAX}
static const schema_field gpu_coverage[] = {
    TEXT("source", REQ),
    COV("gemm", LLM_COV_GEMM), COV("attention", LLM_COV_ATTENTION), COV("memory", LLM_COV_MEMORY),
    COV("collectives", LLM_COV_COLLECTIVES), COV("power", LLM_COV_POWER),
    END};
static const schema_field gpu_price[] = {
    NUM("usd_per_gpu_hour", llm_gpu, price_per_hour, REQ, 0, 1e4, 0),
    TEXT("source", REQ),
    END};
static const schema_field gpu_schema[] = {
    STR("name", llm_gpu, name),
    TEXT("description", OPT),
    TEXT("source", REQ),
    OBJ("price", OPT, gpu_price),
    OBJ("compute", REQ, gpu_compute),
    OBJ("clocks", REQ, gpu_clocks),
    OBJ("memory", REQ, gpu_memory),
    OBJ("interconnect", REQ, gpu_interconnect),
    OBJ("efficiency", REQ, gpu_efficiency),
    OBJ("power", REQ, gpu_power),
    /* the price before the "price" object existed: still read, never with it */
    NUM("price_per_gpu_hour_usd", llm_gpu, price_old_key, OPT, 0, 1e4, 0),
    OBJ("coverage", OPT, gpu_coverage),
    END};

static const schema_field wl_prompt[] = {
    NUM("mean", llm_workload, prompt_mean, REQ, 1, 1 << 24, 0),
    NUM("p50", llm_workload, prompt_p50, REQ, 1, 1 << 24, 0),
    NUM("p90", llm_workload, prompt_p90, REQ, 1, 1 << 24, 0),
    NUM("p99", llm_workload, prompt_p99, REQ, 1, 1 << 24, 0),
    END};
static const schema_field wl_output[] = {
    NUM("mean", llm_workload, output_mean, REQ, 1, 1 << 24, 0),
    NUM("p50", llm_workload, output_p50, REQ, 1, 1 << 24, 0),
    NUM("p90", llm_workload, output_p90, REQ, 1, 1 << 24, 0),
    NUM("p99", llm_workload, output_p99, REQ, 1, 1 << 24, 0),
    END};
static const schema_field wl_slo[] = {
    NUM("ttft_s", llm_workload, ttft_slo_s, REQ, 1e-6, 1e6, 0),
    NUM("tpot_s", llm_workload, tpot_slo_s, REQ, 1e-6, 1e6, 0),
    ENUM("ttft_percentile", llm_workload, ttft_slo_pct, OPT, llm_slo_pct_names, LLM_SLO_MEAN),
    ENUM("tpot_percentile", llm_workload, tpot_slo_pct, OPT, llm_slo_pct_names, LLM_SLO_MEAN),
    END};
static const schema_field wl_schema[] = {
    STR("name", llm_workload, name),
    TEXT("description", OPT),
    TEXT("source", REQ),
    OBJ("prompt_tokens", REQ, wl_prompt),
    OBJ("output_tokens", REQ, wl_output),
    OBJ("slo", REQ, wl_slo),
    NUM("request_rate_per_s", llm_workload, request_rate, OPT, 0, 1e9, 0),
    END};

/* ---- cross-field checks ------------------------------------------------------------------- */

/* The name is data and becomes a folder name: checked where it is read (docs/limits.md). */
static int check_name(const char *name, const char *file, llm_err *err)
{
    char why[160];
    if (!llm_name_check(name, why, sizeof why))
        return 0;
    llm_err_set(err, "%s: $.name: %s", file, why);
    return -1;
}

static int check_text(const char *name, const char *file, llm_err *err)
{
    char why[160];
    if (!llm_text_check(name, why, sizeof why))
        return 0;
    llm_err_set(err, "%s: $.name: %s", file, why);
    return -1;
}

static int check_model(const llm_model *m, const char *file, llm_err *err)
{
    if (check_name(m->name, file, err))
        return -1;
    if (m->n_heads % m->n_kv_heads) {
        llm_err_set(err, "%s: $.n_kv_heads: expected a divisor of n_heads (%d), found %d", file,
                    m->n_heads, m->n_kv_heads);
        return -1;
    }
    if (m->n_experts) {
        if (m->top_k > m->n_experts) {
            llm_err_set(err, "%s: $.moe.top_k: expected at most n_experts (%d), found %d", file,
                        m->n_experts, m->top_k);
            return -1;
        }
    } else if (m->ffn_dim <= 0) {
        llm_err_set(err, "%s: $.ffn_dim: expected a positive integer for a dense model "
                    "(or a \"moe\" object)", file);
        return -1;
    }
    return 0;
}

static int check_gpu(const llm_gpu *g, const char *file, llm_err *err)
{
    if (check_text(g->name, file, err))
        return -1;
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        /* "transferred" names its GPU; the others name none */
        char why[160];
        int has = g->coverage_from[c][0] != 0, tr = g->coverage[c] == LLM_COV_TRANSFERRED;
        if (has != tr || (has && llm_text_check(g->coverage_from[c], why, sizeof why))) {
            llm_err_set(err, "%s: $.coverage.%s_from: %s", file, llm_cov_class_names[c],
                        has != tr ? (tr ? "expected the GPU it was transferred from"
                                        : "expected only with \"transferred\"")
                                  : why);
            return -1;
        }
    }
    if (g->price_old_key > 0 && g->price_per_hour > 0) {
        llm_err_set(err, "%s: $.price_per_gpu_hour_usd: expected the price once; it is also in "
                    "$.price.usd_per_gpu_hour", file);
        return -1;
    }
    if ((g->mem_bus_bits > 0) != (g->mem_data_rate_gbps > 0)) {
        llm_err_set(err, "%s: $.memory.%s: expected bus_width_bits and data_rate_gbps together "
                    "(or neither)", file,
                    g->mem_bus_bits > 0 ? "data_rate_gbps" : "bus_width_bits");
        return -1;
    }
    if (g->link_gen >= 0 && llm_link_gens[g->link_gen].type != g->link) {
        llm_err_set(err, "%s: $.interconnect.generation: expected a %s generation for type "
                    "\"%s\", found \"%s\"", file, link_names[g->link], link_names[g->link],
                    llm_link_gen_names[g->link_gen]);
        return -1;
    }
    if (g->min_mhz > g->max_mhz) {
        llm_err_set(err, "%s: $.clocks.min_mhz: expected at most max_mhz (%g), found %g", file,
                    g->max_mhz, g->min_mhz);
        return -1;
    }
    if (g->idle_w >= g->tdp_w) {
        llm_err_set(err, "%s: $.power.idle_w: expected less than tdp_w (%g W), found %g W", file,
                    g->tdp_w, g->idle_w);
        return -1;
    }
    if (g->reserved_gib >= g->mem_gib) {
        llm_err_set(err, "%s: $.memory.runtime_reserved_gib: expected less than capacity_gib "
                    "(%g), found %g", file, g->mem_gib, g->reserved_gib);
        return -1;
    }
    if ((g->fp8_flop_per_clk_sm > 0) != (g->gemm_fp8_eff > 0)) {
        llm_err_set(err, "%s: $.efficiency.gemm_fp8: expected a value in (0, 1] exactly when "
                    "compute.fp8_flop_per_clk_per_sm is positive", file);
        return -1;
    }
    if (g->mem_clk_knee_mhz > g->max_mhz) {
        llm_err_set(err, "%s: $.efficiency.memory_clock_knee_mhz: expected at most "
                    "clocks.max_mhz (%g), found %g", file, g->max_mhz, g->mem_clk_knee_mhz);
        return -1;
    }
    if (g->v_knee_mhz > g->max_mhz) {
        llm_err_set(err, "%s: $.power.v_knee_mhz: expected at most clocks.max_mhz (%g), found %g",
                    file, g->max_mhz, g->v_knee_mhz);
        return -1;
    }
    return 0;
}

static int check_workload(const llm_workload *w, const char *file, llm_err *err)
{
    if (check_name(w->name, file, err))
        return -1;
    if (!(w->prompt_p50 <= w->prompt_p90 && w->prompt_p90 <= w->prompt_p99)) {
        llm_err_set(err, "%s: $.prompt_tokens: expected p50 <= p90 <= p99", file);
        return -1;
    }
    if (!(w->output_p50 <= w->output_p90 && w->output_p90 <= w->output_p99)) {
        llm_err_set(err, "%s: $.output_tokens: expected p50 <= p90 <= p99", file);
        return -1;
    }
    return 0;
}

/* ---- parse and load ----------------------------------------------------------------------- */

typedef int (*check_fn)(const void *, const char *, llm_err *);

static int parse_with(const char *json, const char *file, const schema_field *schema, void *out,
                      size_t size, check_fn check, llm_err *err)
{
    memset(out, 0, size);
    cJSON *root = schema_parse(json, file, err);
    if (!root)
        return -1;
    int rc = schema_read(root, schema, out, file, "$", err);
    cJSON_Delete(root);
    if (rc == 0)
        rc = check(out, file, err);
    return rc;
}

int configs_parse_model(const char *json, const char *file, llm_model *m, llm_err *err)
{
    return parse_with(json, file, model_schema, m, sizeof *m, (check_fn)check_model, err);
}

int configs_parse_gpu(const char *json, const char *file, llm_gpu *g, llm_err *err)
{
    int rc = parse_with(json, file, gpu_schema, g, sizeof *g, (check_fn)check_gpu, err);
    if (rc == 0 && g->price_old_key > 0) /* the older key, never with "price" (check_gpu) */
        g->price_per_hour = g->price_old_key;
    return rc;
}

int configs_parse_workload(const char *json, const char *file, llm_workload *w, llm_err *err)
{
    return parse_with(json, file, wl_schema, w, sizeof *w, (check_fn)check_workload, err);
}

static int load_with(const char *kind, const char *name, parse_fn parse, void *out, llm_err *err)
{
    return schema_load_with(kind, name, PATH_MAX, parse, out, err);
}

int configs_load_model(const char *name, llm_model *m, llm_err *err)
{
    return load_with("models", name, (parse_fn)configs_parse_model, m, err);
}

int configs_load_gpu(const char *name, llm_gpu *g, llm_err *err)
{
    return load_with("gpus", name, (parse_fn)configs_parse_gpu, g, err);
}

int configs_load_workload(const char *name, llm_workload *w, llm_err *err)
{
    return load_with("workloads", name, (parse_fn)configs_parse_workload, w, err);
}

/* ---- where the bundled library lives ------------------------------------------------------ */

#ifndef LLMDSE_CONFIGS_BUILD_DIR
#define LLMDSE_CONFIGS_BUILD_DIR "configs"
#endif

static int is_dir(const char *p)
{
    DIR *d = opendir(p);
    if (!d)
        return 0;
    closedir(d);
    return 1;
}

const char *configs_dir(void)
{
    /* Looked up on each call (a few syscalls per command) so LLMDSE_CONFIGS changes apply;
     * the buffer is per thread and callers copy the result at once. */
    static __thread char buf[PATH_MAX];
    const char *env = getenv("LLMDSE_CONFIGS");
    if (env && *env)
        return env;
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 16);
    if (n > 0) {
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash) {
            /* a library has gpus/; build/configs/ (object files) does not */
            strcpy(slash + 1, "configs/gpus");
            if (is_dir(buf)) {
                buf[strlen(buf) - 5] = '\0';
                return buf;
            }
        }
    }
    return LLMDSE_CONFIGS_BUILD_DIR;
}

void configs_list(const char *kind, char *buf, size_t len)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", configs_dir(), kind);
    buf[0] = '\0';
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        size_t l = strlen(nm);
        if (l > 5 && !strcmp(nm + l - 5, ".json")) {
            size_t used = strlen(buf);
            snprintf(buf + used, len - used, "%s%.*s", used ? ", " : "", (int)(l - 5), nm);
        }
        free(ents[i]);
    }
    free(ents);
}

int configs_resolve(const char *kind, const char *name, char *path, size_t len, llm_err *err)
{
    size_t l = strlen(name);
    if (!l) {
        llm_err_set(err, "empty %s name", kind);
        return -1;
    }
    if (strchr(name, '/') || (l > 5 && !strcmp(name + l - 5, ".json"))) {
        if (l >= len) {
            llm_err_set(err, "%.64s...: path too long", name);
            return -1;
        }
        memcpy(path, name, l + 1);
        if (access(path, R_OK)) {
            llm_err_set(err, "%s: cannot read file", name);
            return -1;
        }
        return 0;
    }
    int n = snprintf(path, len, "%s/%s/%s.json", configs_dir(), kind, name);
    if (n < 0 || (size_t)n >= len || access(path, R_OK)) {
        char known[2048];
        configs_list(kind, known, sizeof known);
        llm_err_set(err, "unknown %.*s \"%.64s\"; bundled: %s (or give a path to a .json file)",
                    (int)(strlen(kind) - (kind[strlen(kind) - 1] == 's')), kind, name,
                    known[0] ? known : "(none found)");
        return -1;
    }
    return 0;
}

int llm_gpu_clock_steps(const llm_gpu *g)
{
    return (int)floor((g->max_mhz - g->min_mhz) / g->step_mhz + 1e-9) + 1;
}

double llm_gpu_snap_clock(const llm_gpu *g, double mhz)
{
    if (!isfinite(mhz) || mhz < g->min_mhz - 1e-9 || mhz > g->max_mhz + 1e-9)
        return -1;
    double i = floor((mhz - g->min_mhz) / g->step_mhz + 0.5);
    int last = llm_gpu_clock_steps(g) - 1;
    if (i > last)
        i = last;
    return g->min_mhz + i * g->step_mhz;
}

/* The cross-checks' tolerances (docs/sku-check.md, "Cross-checks"). Datasheets quote peak
 * TFLOP/s at a boost clock up to 8% below the maximum SM clock (H100 SXM: 1830 of 1980 MHz),
 * so the peak at max_mhz may be up to 15% above the datasheet's and 3% below (rounding). */
#define PEAK_RATIO_MIN 0.97
#define PEAK_RATIO_MAX 1.15
#define MEM_BUS_TOL 0.10    /* bandwidth against bus width x data rate: datasheets round */
#define BALANCE_MIN 60.0    /* bf16 FLOP per byte at the maximum clock: A100 80GB 153, the
                               lowest bundled; each bundled GPU / 8 is below 60 */
#define LINK_TOL 0.02       /* above the generation's bandwidth */
#define LINK_MIN_SHARE 0.25 /* of the generation's bandwidth: fewer links (H800: 8 of 18) */

void llm_gpu_derive(const llm_gpu *g, llm_gpu_derived *d)
{
    memset(d, 0, sizeof *d);
    double clk = g->sm_count * g->max_mhz * 1e6 / 1e12;
    d->bf16_tflops = g->bf16_flop_per_clk_sm * clk;
    d->fp8_tflops = g->fp8_flop_per_clk_sm * clk;
    if (g->bf16_peak_tflops > 0) {
        d->bf16_ratio = d->bf16_tflops / g->bf16_peak_tflops;
        d->bf16_peak_mhz = g->bf16_peak_tflops * 1e6 / (g->bf16_flop_per_clk_sm * g->sm_count);
    }
    if (g->fp8_peak_tflops > 0 && g->fp8_flop_per_clk_sm > 0) {
        d->fp8_ratio = d->fp8_tflops / g->fp8_peak_tflops;
        d->fp8_peak_mhz = g->fp8_peak_tflops * 1e6 / (g->fp8_flop_per_clk_sm * g->sm_count);
    }
    d->bus_gbs = g->mem_bus_bits * g->mem_data_rate_gbps / 8;
    d->flop_per_byte = d->bf16_tflops * 1e12 / (g->mem_bw_gbs * 1e9);
    /* the generation given, else the fastest of the link's type */
    int best = g->link_gen;
    for (int i = 0; g->link_gen < 0 && llm_link_gen_names[i]; i++)
        if (llm_link_gens[i].type == g->link &&
            (best < 0 ||
             llm_link_gens[i].gbs_per_direction > llm_link_gens[best].gbs_per_direction))
            best = i;
    d->link_gen_name = llm_link_gen_names[best];
    d->link_gen_gbs = llm_link_gens[best].gbs_per_direction;
}

/* Ranges that bracket every GPU sold for LLM serving by a wide margin: a value outside is a
 * unit mistake (MHz for GHz, GB/s for TB/s) or a typo (docs/sku-check.md); then the
 * cross-checks between fields. */
int configs_gpu_plausible(const llm_gpu *g, char msgs[][LLM_ERR_MAX], int max)
{
    int n = 0;
#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond) && n < max)                                                                \
            snprintf(msgs[n++], LLM_ERR_MAX, __VA_ARGS__);                                     \
    } while (0)
    double peak = g->bf16_flop_per_clk_sm * g->sm_count * g->max_mhz * 1e6 / 1e12;
    CHECK(peak >= 5 && peak <= 50000, "$.compute: bf16 peak %.0f TFLOP/s at the maximum clock; "
          "expected 5..50000 (flop_per_clk_per_sm x sm_count x max_mhz)", peak);
    CHECK(g->fp8_flop_per_clk_sm == 0 || g->fp8_flop_per_clk_sm >= g->bf16_flop_per_clk_sm,
          "$.compute.fp8_flop_per_clk_per_sm: %g is below the bf16 rate %g", g->fp8_flop_per_clk_sm,
          g->bf16_flop_per_clk_sm);
    CHECK(g->mem_bw_gbs >= 50 && g->mem_bw_gbs <= 50000, "$.memory.bandwidth_gbs: %g GB/s; "
          "expected 50..50000", g->mem_bw_gbs);
    CHECK(g->mem_gib >= 4 && g->mem_gib <= 4096, "$.memory.capacity_gib: %g GiB; expected 4..4096",
          g->mem_gib);
    CHECK(g->tdp_w >= 20 && g->tdp_w <= 5000, "$.power.tdp_w: %g W; expected 20..5000", g->tdp_w);
    CHECK(g->idle_w + g->static_w + g->active_w < g->tdp_w, "$.power: idle_w + static_w + "
          "active_w (%g W) must be below tdp_w (%g W)", g->idle_w + g->static_w + g->active_w,
          g->tdp_w);
    CHECK(g->math_w <= 3 * g->tdp_w, "$.power.math_w: %g W is over three times the TDP", g->math_w);
    CHECK(g->min_mhz >= 100 && g->max_mhz <= 5000, "$.clocks: %g..%g MHz; expected within "
          "100..5000 MHz", g->min_mhz, g->max_mhz);
    CHECK(g->max_mhz == g->min_mhz || g->step_mhz <= g->max_mhz - g->min_mhz,
          "$.clocks.step_mhz: %g is wider than the clock range", g->step_mhz);
    CHECK(g->link_bw_gbs >= 1 && g->link_bw_gbs <= 10000, "$.interconnect.link_bw_gbs_per_"
          "direction: %g GB/s; expected 1..10000", g->link_bw_gbs);
    /* cross-checks between fields (docs/sku-check.md, "Cross-checks", with the tolerances) */
    llm_gpu_derived d;
    llm_gpu_derive(g, &d);
    if (g->bf16_peak_tflops > 0)
        CHECK(d.bf16_ratio >= PEAK_RATIO_MIN && d.bf16_ratio <= PEAK_RATIO_MAX,
              "$.compute.bf16_flop_per_clk_per_sm: %g FLOP/clk x %d SMs x %g MHz = %.1f TFLOP/s, "
              "%.2fx the datasheet's $.compute.bf16_peak_tflops %g; expected %.2f..%.2fx (the "
              "datasheet quotes its boost clock, at most %.0f%% below max_mhz)",
              g->bf16_flop_per_clk_sm, g->sm_count, g->max_mhz, d.bf16_tflops, d.bf16_ratio,
              g->bf16_peak_tflops, PEAK_RATIO_MIN, PEAK_RATIO_MAX,
              100 * (1 - 1 / PEAK_RATIO_MAX));
    if (g->fp8_peak_tflops > 0 && g->fp8_flop_per_clk_sm > 0)
        CHECK(d.fp8_ratio >= PEAK_RATIO_MIN && d.fp8_ratio <= PEAK_RATIO_MAX,
              "$.compute.fp8_flop_per_clk_per_sm: %g FLOP/clk x %d SMs x %g MHz = %.1f TFLOP/s, "
              "%.2fx the datasheet's $.compute.fp8_peak_tflops %g; expected %.2f..%.2fx",
              g->fp8_flop_per_clk_sm, g->sm_count, g->max_mhz, d.fp8_tflops, d.fp8_ratio,
              g->fp8_peak_tflops, PEAK_RATIO_MIN, PEAK_RATIO_MAX);
    CHECK(g->fp8_peak_tflops == 0 || g->fp8_flop_per_clk_sm > 0, "$.compute.fp8_peak_tflops: "
          "%g TFLOP/s given, but fp8_flop_per_clk_per_sm is 0 (no fp8 tensor cores)",
          g->fp8_peak_tflops);
    if (d.bus_gbs > 0)
        CHECK(fabs(g->mem_bw_gbs / d.bus_gbs - 1) <= MEM_BUS_TOL, "$.memory.bandwidth_gbs: %g "
              "GB/s, but bus_width_bits x data_rate_gbps / 8 = %d x %g / 8 = %.0f GB/s; expected "
              "within %.0f%% (a value in Gbit/s is 8x)", g->mem_bw_gbs, g->mem_bus_bits,
              g->mem_data_rate_gbps, d.bus_gbs, 100 * MEM_BUS_TOL);
    CHECK(d.flop_per_byte >= BALANCE_MIN, "$.memory.bandwidth_gbs: %g GB/s leaves %.0f bf16 "
          "FLOP per byte at the maximum clock; expected at least %.0f (no tensor-core GPU has "
          "this much bandwidth for its compute: a value in Gbit/s is 8x)", g->mem_bw_gbs,
          d.flop_per_byte, BALANCE_MIN);
    CHECK(g->link_bw_gbs <= d.link_gen_gbs * (1 + LINK_TOL), "$.interconnect.link_bw_gbs_per_"
          "direction: %g GB/s is above %s%s's %g GB/s per direction; expected at most that "
          "(per GPU and direction, not the total of both directions or of a node)",
          g->link_bw_gbs, g->link_gen >= 0 ? "" : "the fastest ", d.link_gen_name,
          d.link_gen_gbs);
    if (g->link_gen >= 0)
        CHECK(g->link_bw_gbs >= d.link_gen_gbs * LINK_MIN_SHARE, "$.interconnect.link_bw_gbs_"
              "per_direction: %g GB/s is under %.0f%% of %s's %g GB/s per direction",
              g->link_bw_gbs, 100 * LINK_MIN_SHARE, d.link_gen_name, d.link_gen_gbs);
    CHECK(g->gemm_eff >= 0.2, "$.efficiency.gemm: %g; no GPU reaches under a fifth of its peak "
          "on a large GEMM", g->gemm_eff);
    CHECK(g->mem_eff >= 0.3, "$.efficiency.memory: %g; expected at least 0.3", g->mem_eff);
    CHECK(g->kernel_overhead_us <= 50, "$.efficiency.kernel_overhead_us: %g us; expected at "
          "most 50", g->kernel_overhead_us);
#undef CHECK
    return n;
}
