/* tests/test_configs.c — the bundled library loads; every kind of bad input is refused with a
 * message naming the file, the JSON path and what was expected. */
#include "testutil.h"

static void each_bundled(const char *kind, int (*load)(const char *, void *, llm_err *),
                         void *buf)
{
    char names[4096];
    configs_list(kind, names, sizeof names);
    int n = 0;
    for (char *p = strtok(names, ", "); p; p = strtok(NULL, ", ")) {
        llm_err err;
        if (load(p, buf, &err)) {
            fprintf(stderr, "%s: %s\n", p, err.msg);
            fail();
        }
        n++;
    }
    assert_true(n > 0);
}

static void test_bundled_load(void **state)
{
    (void)state;
    llm_model m;
    llm_gpu g;
    llm_workload w;
    each_bundled("models", (int (*)(const char *, void *, llm_err *))configs_load_model, &m);
    each_bundled("gpus", (int (*)(const char *, void *, llm_err *))configs_load_gpu, &g);
    each_bundled("workloads", (int (*)(const char *, void *, llm_err *))configs_load_workload,
                 &w);
}

/* The list: every model, GPU and workload it names is bundled. */
static void test_bundled_names(void **state)
{
    (void)state;
    const char *models[] = {"llama-3.2-1b", "llama-3.2-3b", "llama-3.1-8b", "llama-3.1-70b",
                            "llama-3.1-405b", "llama-2-7b", "llama-2-13b", "llama-2-70b",
                            "qwen3-8b", "qwen3-14b", "qwen3-32b", "qwen3-30b-a3b",
                            "qwen3-235b-a22b", "mixtral-8x7b", "opt-1.3b"};
    const char *gpus[] = {"a100-sxm4-80gb", "a100-sxm4-40gb", "h100-sxm5-80gb",
                          "h100-pcie-80gb", "h200-sxm-141gb", "b200", "l40s", "l4"};
    for (unsigned i = 0; i < sizeof models / sizeof *models; i++) {
        llm_model m = load_model(models[i]);
        assert_string_equal(m.name, models[i]);
    }
    for (unsigned i = 0; i < sizeof gpus / sizeof *gpus; i++) {
        llm_gpu g = load_gpu(gpus[i]);
        assert_string_equal(g.name, gpus[i]);
    }
    llm_workload w;
    llm_err err;
    assert_int_equal(configs_load_workload("chat", &w, &err), 0);
    assert_int_equal(configs_load_workload("summarization", &w, &err), 0);
    assert_int_equal(configs_load_workload("reasoning", &w, &err), 0);
}

/* Facts checked against ../shared/reference/models.md. */
static void test_model_facts(void **state)
{
    (void)state;
    llm_model m = load_model("llama-3.1-70b");
    assert_int_equal(m.d_model, 8192);
    assert_int_equal(m.n_layers, 80);
    assert_int_equal(m.n_kv_heads, 8);
    assert_int_equal(m.ffn_dim, 28672);
    m = load_model("qwen3-235b-a22b");
    assert_int_equal(m.n_experts, 128);
    assert_int_equal(m.top_k, 8);
    assert_int_equal(m.expert_ffn_dim, 1536);
    assert_int_equal(m.qk_norm, 1);
    m = load_model("opt-1.3b");
    assert_int_equal(m.norm, LLM_NORM_LAYER);
    assert_int_equal(m.pos, LLM_POS_LEARNED);
    assert_int_equal(m.act, LLM_ACT_RELU);
    /* Facts from the models' Hugging Face config.json (each file's source). */
    m = load_model("gemma-2-9b"); /* head_dim is explicit, not hidden_size / heads = 224 */
    assert_int_equal(m.head_dim, 256);
    assert_int_equal(m.n_kv_heads, 8);
    assert_int_equal(m.tied_embeddings, 1);
    m = load_model("mistral-nemo-12b"); /* likewise: 128, not 5120 / 32 = 160 */
    assert_int_equal(m.head_dim, 128);
    m = load_model("mixtral-8x22b");
    assert_int_equal(m.n_experts, 8);
    assert_int_equal(m.top_k, 2);
    assert_int_equal(m.expert_ffn_dim, 16384);
    m = load_model("phi-3-small-8k");
    assert_int_equal(m.norm, LLM_NORM_LAYER);
    assert_int_equal(m.vocab, 100352);
    m = load_model("starcoder2-15b");
    assert_int_equal(m.act, LLM_ACT_GELU);
    assert_int_equal(m.tied_embeddings, 0);
    m = load_model("starcoder2-3b");
    assert_int_equal(m.tied_embeddings, 1);
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    /* datasheet: 989 TFLOP/s bf16 dense = 132 x 4096 x 1.83 GHz */
    assert_close(g.sm_count * g.bf16_flop_per_clk_sm * 1830e6, 989e12, 0.002);
    assert_int_equal(llm_gpu_clock_steps(&g), (1980 - 210) / 15 + 1);
}

static const char *MODEL_OK =
    "{\"name\": \"t\", \"source\": \"test\", \"d_model\": 64, \"n_layers\": 2, \"n_heads\": 4,"
    " \"n_kv_heads\": 2, \"head_dim\": 16, \"ffn_dim\": 128, \"vocab_size\": 1000,"
    " \"max_context_tokens\": 4096, \"norm\": \"rmsnorm\", \"position\": \"rope\","
    " \"activation\": \"swiglu\"}";

/* Replaces the first occurrence of `from` in MODEL_OK with `to`. */
static int parse_model_edit(const char *from, const char *to, llm_err *err)
{
    char buf[2048];
    const char *at = strstr(MODEL_OK, from);
    assert_non_null(at);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - MODEL_OK), MODEL_OK, to, at + strlen(from));
    llm_model m;
    return configs_parse_model(buf, "edited.json", &m, err);
}

static void expect_error(const char *from, const char *to, const char *needle1,
                         const char *needle2)
{
    llm_err err = {{0}, 0};
    assert_int_equal(parse_model_edit(from, to, &err), -1);
    if (!strstr(err.msg, "edited.json") || !strstr(err.msg, needle1) ||
        (needle2 && !strstr(err.msg, needle2))) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"/\"%s\"\n", err.msg, needle1,
                needle2 ? needle2 : "");
        fail();
    }
}

static void test_model_errors(void **state)
{
    (void)state;
    llm_model m;
    llm_err err;
    assert_int_equal(configs_parse_model(MODEL_OK, "ok.json", &m, &err), 0);
    assert_int_equal(m.ffn_dim, 128);
    expect_error("\"d_model\": 64", "\"d_model\": 64, \"colour\": 1", "unknown key \"colour\"",
                 "$");
    expect_error("\"d_model\": 64", "\"d_model\": \"64\"", "$.d_model", "expected a number");
    expect_error("\"d_model\": 64,", "", "$.d_model", "missing required field");
    expect_error("\"d_model\": 64", "\"d_model\": -5", "$.d_model", "expected a value in");
    expect_error("\"d_model\": 64", "\"d_model\": 64.5", "$.d_model", "expected an integer");
    expect_error("\"d_model\": 64", "\"d_model\": 1e999", "$.d_model", "finite");
    expect_error("\"norm\": \"rmsnorm\"", "\"norm\": \"batchnorm\"", "$.norm", "\"rmsnorm\"");
    expect_error("\"n_kv_heads\": 2", "\"n_kv_heads\": 3", "$.n_kv_heads", "divisor");
    expect_error("\"d_model\": 64", "\"d_model\": 64, \"d_model\": 65", "appears twice", NULL);
    expect_error("\"activation\": \"swiglu\"}", "\"activation\": \"swiglu\"", "malformed JSON",
                 NULL);
    expect_error("\"activation\": \"swiglu\"}",
                 "\"activation\": \"swiglu\", \"moe\": {\"n_experts\": 8, \"top_k\": 9, "
                 "\"expert_ffn_dim\": 10}}", "$.moe.top_k", "n_experts");
    expect_error("\"activation\": \"swiglu\"}",
                 "\"activation\": \"swiglu\", \"moe\": {\"n_experts\": 8, \"top_k\": 2}}",
                 "$.moe.expert_ffn_dim", "missing");
    assert_int_equal(configs_parse_model("[1, 2]", "arr.json", &m, &err), -1);
    assert_non_null(strstr(err.msg, "expected a JSON object"));
}

static void test_gpu_errors(void **state)
{
    (void)state;
    char path[4096];
    llm_err err;
    assert_int_equal(configs_resolve("gpus", "h100-sxm5-80gb", path, sizeof path, &err), 0);
    llm_gpu g;
    char *text = NULL;
    {
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = calloc(1, (size_t)n + 64);
        assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
        fclose(f);
    }
    assert_int_equal(configs_parse_gpu(text, "h100.json", &g, &err), 0);
    /* idle power above TDP is implausible */
    char *at = strstr(text, "\"idle_w\": 35.3");
    assert_non_null(at);
    memcpy(at, "\"idle_w\": 90.0", 14);
    assert_int_equal(configs_parse_gpu(text, "h100.json", &g, &err), 0);
    char *bad = malloc(strlen(text) + 64);
    snprintf(bad, strlen(text) + 64, "%.*s\"idle_w\": 900%s", (int)(at - text), text, at + 14);
    assert_int_equal(configs_parse_gpu(bad, "h100.json", &g, &err), -1);
    assert_non_null(strstr(err.msg, "$.power.idle_w"));
    assert_non_null(strstr(err.msg, "tdp_w"));
    /* a nested collective field */
    at = strstr(text, "\"bw_eff\"");
    snprintf(bad, strlen(text) + 64, "%.*s\"bw_eff\": -1%s", (int)(at - text), text,
             at + strcspn(at, ",}"));
    assert_int_equal(configs_parse_gpu(bad, "h100.json", &g, &err), -1);
    assert_non_null(strstr(err.msg, "$.interconnect.allreduce.bw_eff"));
    free(bad);
    free(text);
}

/* The bundled H100 SXM file's text, and a copy with the first `from` replaced by `to`. */
static char *h100_text(void)
{
    char path[4096];
    llm_err err;
    assert_int_equal(configs_resolve("gpus", "h100-sxm5-80gb", path, sizeof path, &err), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

/* Parses text with from replaced by to: -1 and a message holding want1 and want2. */
static void gpu_refused(const char *text, const char *from, const char *to, const char *want1,
                        const char *want2)
{
    char *bad = replaced(text, from, to);
    llm_gpu g;
    llm_err err;
    assert_int_equal(configs_parse_gpu(bad, "h100.json", &g, &err), -1);
    if (!strstr(err.msg, want1) || !strstr(err.msg, want2)) {
        fprintf(stderr, "message: %s\n", err.msg);
        fail();
    }
    free(bad);
}

/* 1 when one of the n messages holds both strings. */
static int said(char msgs[][LLM_ERR_MAX], int n, const char *a, const char *b)
{
    for (int i = 0; i < n; i++)
        if (strstr(msgs[i], a) && strstr(msgs[i], b))
            return 1;
    return 0;
}

/* The optional fields sku-check's cross-checks read: the price, the datasheet peaks, the
 * memory bus and the link generation. */
static void test_gpu_new_fields(void **state)
{
    (void)state;
    char *text = h100_text();
    llm_gpu g;
    llm_err err;
    assert_int_equal(configs_parse_gpu(text, "h100.json", &g, &err), 0);
    assert_true(g.price_per_hour == 3.78);
    assert_true(g.bf16_peak_tflops == 989 && g.fp8_peak_tflops == 1979);
    assert_int_equal(g.mem_bus_bits, 5120);
    assert_true(g.mem_data_rate_gbps == 5.234);
    assert_string_equal(llm_link_gen_names[g.link_gen], "nvlink4");
    /* without the optional fields: no peaks, no bus, no generation, no price */
    char *t = replaced(text, "\"generation\": \"nvlink4\",", "");
    char *t2 = replaced(t, ",\n    \"bus_width_bits\": 5120,\n    \"data_rate_gbps\": 5.234", "");
    char *t3 = replaced(t2, ",\n    \"bf16_peak_tflops\": 989,\n    \"fp8_peak_tflops\": 1979", "");
    /* drop the whole price object: from "price" to the "compute" key */
    const char *a = strstr(t3, "  \"price\": {"), *b = strstr(t3, "  \"compute\"");
    char *nop = malloc(strlen(t3) + 1);
    snprintf(nop, strlen(t3) + 1, "%.*s%s", (int)(a - t3), t3, b);
    assert_int_equal(configs_parse_gpu(nop, "h100.json", &g, &err), 0);
    assert_true(g.price_per_hour == 0 && g.bf16_peak_tflops == 0 && g.mem_bus_bits == 0);
    assert_int_equal(g.link_gen, -1);
    /* the price under its old key, alone, is read; with the price object it is refused */
    char *old = replaced(nop, "\"source\": \"NVIDIA H100", "\"price_per_gpu_hour_usd\": 2.5, "
                         "\"source\": \"NVIDIA H100");
    assert_int_equal(configs_parse_gpu(old, "h100.json", &g, &err), 0);
    assert_true(g.price_per_hour == 2.5);
    gpu_refused(text, "\"source\": \"NVIDIA H100", "\"price_per_gpu_hour_usd\": 2.5, "
                "\"source\": \"NVIDIA H100", "$.price_per_gpu_hour_usd",
                "$.price.usd_per_gpu_hour");
    /* the price object needs its source and no other key; a bus width needs its data rate;
     * a generation the link's type */
    gpu_refused(nop, "\"name\": \"h100-sxm5-80gb\",", "\"name\": \"h100-sxm5-80gb\", "
                "\"price\": {\"usd_per_gpu_hour\": 3.78},", "$.price.source",
                "missing required field");
    gpu_refused(text, "\"usd_per_gpu_hour\": 3.78,\n    \"source\": \"Lambda",
                "\"usd_per_gpu_hour\": 3.78,\n    \"x\": 1, \"source\": \"Lambda", "$.price",
                "unknown key \"x\"");
    gpu_refused(text, "\"usd_per_gpu_hour\": 3.78", "\"usd_per_gpu_hour\": -1",
                "$.price.usd_per_gpu_hour", "expected a value in [0, 10000]");
    gpu_refused(text, ",\n    \"data_rate_gbps\": 5.234", "", "$.memory.data_rate_gbps",
                "together");
    gpu_refused(text, "\"generation\": \"nvlink4\"", "\"generation\": \"pcie5\"",
                "$.interconnect.generation", "nvlink");
    gpu_refused(text, "\"generation\": \"nvlink4\"", "\"generation\": \"nvlink7\"",
                "$.interconnect.generation", "\"nvlink6\"");
    free(t); free(t2); free(t3); free(nop); free(old);
    free(text);
}

/* sku-check's cross-checks (docs/sku-check.md): numbers derived by hand. */
static void test_gpu_cross_checks(void **state)
{
    (void)state;
    /* every bundled GPU passes every check */
    char names[4096];
    configs_list("gpus", names, sizeof names);
    char msgs[32][LLM_ERR_MAX];
    for (char *p = strtok(names, ", "); p; p = strtok(NULL, ", ")) {
        llm_gpu b = load_gpu(p);
        int n = configs_gpu_plausible(&b, msgs, 32);
        for (int i = 0; i < n; i++)
            fprintf(stderr, "%s: %s\n", p, msgs[i]);
        assert_int_equal(n, 0);
        assert_true(b.bf16_peak_tflops > 0 && b.mem_bus_bits > 0 && b.link_gen >= 0 &&
                    b.price_per_hour > 0);
    }
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    llm_gpu_derived d;
    llm_gpu_derive(&g, &d);
    /* 132 SMs x 4096 FLOP/clk x 1980 MHz = 1070.53 TFLOP/s; 989 TFLOP/s at 1829.2 MHz */
    assert_float_equal(d.bf16_tflops, 1070.53056, 1e-6);
    assert_float_equal(d.bf16_peak_mhz, 989e6 / (132 * 4096.0), 1e-9);
    assert_float_equal(d.bf16_ratio, 1070.53056 / 989, 1e-9);
    /* 5120 bits x 5.234 Gbit/s / 8 = 3349.76 GB/s; 1070.53 TFLOP/s / 3350 GB/s = 319.6 */
    assert_float_equal(d.bus_gbs, 3349.76, 1e-9);
    assert_float_equal(d.flop_per_byte, 1070.53056e12 / 3350e9, 1e-9);
    assert_string_equal(d.link_gen_name, "nvlink4");
    assert_true(d.link_gen_gbs == 450);
    /* at the datasheet's clock: 132 x 4096 x 1830 MHz = 989.4 TFLOP/s, ratio 1.0004 */
    llm_gpu b = g;
    b.max_mhz = 1830;
    llm_gpu_derive(&b, &d);
    assert_float_equal(d.bf16_tflops, 989.42976, 1e-6);
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 0);
    /* a bandwidth in Gbit/s: 3350 GB/s x 8 = 26800 "GB/s", and 32000 on the HBM3 part */
    double gbit[] = {26800, 32000};
    for (int i = 0; i < 2; i++) {
        b = g;
        b.mem_bw_gbs = gbit[i];
        int n = configs_gpu_plausible(&b, msgs, 32);
        assert_int_equal(n, 2); /* the bus and the FLOP per byte */
        assert_true(said(msgs, n, "$.memory.bandwidth_gbs", "= 3350 GB/s"));
        assert_true(said(msgs, n, "$.memory.bandwidth_gbs", "bf16 FLOP per byte"));
        /* without the bus fields, FLOP per byte still catches it: 1070.5 / 26.8 = 40 < 60 */
        b.mem_bus_bits = 0;
        b.mem_data_rate_gbps = 0;
        n = configs_gpu_plausible(&b, msgs, 32);
        assert_int_equal(n, 1);
        assert_true(said(msgs, n, "$.memory.bandwidth_gbs",
                         i ? "leaves 33 bf16" : "leaves 40 bf16"));
    }
    /* 10% either side of the bus: 3349.76 x 1.09 passes, x 1.11 does not */
    b = g;
    b.mem_bw_gbs = 3349.76 * 1.09;
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 0);
    b.mem_bw_gbs = 3349.76 * 1.11;
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 1);
    /* a link of 7200 GB/s: the node's total, or 8 x NVLink5; above NVLink4's 450 */
    b = g;
    b.link_bw_gbs = 7200;
    int n = configs_gpu_plausible(&b, msgs, 32);
    assert_int_equal(n, 1);
    assert_true(said(msgs, n, "$.interconnect.link_bw_gbs_per_direction", "nvlink4's 450"));
    /* without a generation: above the fastest NVLink's 1800 */
    b.link_gen = -1;
    n = configs_gpu_plausible(&b, msgs, 32);
    assert_int_equal(n, 1);
    assert_true(said(msgs, n, "link_bw_gbs_per_direction", "the fastest nvlink6's 1800"));
    b.link_bw_gbs = 900; /* NVLink4's both directions: fine without a generation ... */
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 0);
    b.link_gen = 3;      /* ... above nvlink4's 450 x 1.02 with it */
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 1);
    b.link_bw_gbs = 100; /* under a quarter of 450: 112.5 */
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 1);
    assert_true(said(msgs, 1, "link_bw_gbs_per_direction", "under 25% of nvlink4"));
    /* the H100's 4096 FLOP/clk/SM on a part whose datasheet says 148 TFLOP/s: 1070.5 / 148 */
    b = g;
    b.bf16_peak_tflops = 148;
    n = configs_gpu_plausible(&b, msgs, 32);
    assert_int_equal(n, 1);
    assert_true(said(msgs, n, "$.compute.bf16_flop_per_clk_per_sm", "7.23x"));
    assert_true(said(msgs, n, "$.compute.bf16_peak_tflops 148", "1070.5 TFLOP/s"));
    /* the window 0.97..1.15 of the datasheet's peak */
    b.bf16_peak_tflops = 1070.53056 / 1.14;
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 0);
    b.bf16_peak_tflops = 1070.53056 / 1.16;
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 1);
    b.bf16_peak_tflops = 1070.53056 / 0.96;
    assert_int_equal(configs_gpu_plausible(&b, msgs, 32), 1);
    /* fp8 alike: 8192 x 132 x 1980 = 2141.06 against 1979; a peak without fp8 cores */
    b = g;
    b.fp8_peak_tflops = 989;
    n = configs_gpu_plausible(&b, msgs, 32);
    assert_int_equal(n, 1);
    assert_true(said(msgs, n, "$.compute.fp8_flop_per_clk_per_sm", "2141.1 TFLOP/s"));
    b = load_gpu("a100-sxm4-80gb");
    b.fp8_peak_tflops = 624;
    n = configs_gpu_plausible(&b, msgs, 32);
    assert_int_equal(n, 1);
    assert_true(said(msgs, n, "$.compute.fp8_peak_tflops", "no fp8 tensor cores"));
}

static void test_resolve_errors(void **state)
{
    (void)state;
    llm_model m;
    llm_err err;
    assert_int_equal(configs_load_model("no-such-model", &m, &err), -1);
    assert_non_null(strstr(err.msg, "unknown model \"no-such-model\""));
    assert_non_null(strstr(err.msg, "llama-3.1-8b")); /* lists what is bundled */
    assert_int_equal(configs_load_model("/nonexistent/x.json", &m, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/x.json"));
}

static void test_clock_snap(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    assert_true(llm_gpu_snap_clock(&g, 1980) == 1980);
    assert_true(llm_gpu_snap_clock(&g, 1000) == 1005); /* 210 + 53 x 15 */
    assert_true(llm_gpu_snap_clock(&g, 209) < 0);
    assert_true(llm_gpu_snap_clock(&g, 1981) < 0);
    assert_true(llm_gpu_snap_clock(&g, NAN) < 0);
}

static char *slurp_config(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", configs_dir(), rel);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n;
    int big;
    char *t = llm_read_stream(f, 1 << 20, &n, &big);
    fclose(f);
    return t;
}

/* The engine files: the bundled ones load; errors name the file, the JSON path and what was
 * expected; names are checked before they become paths; an unknown one lists the known. */
static void test_engine_files(void **state)
{
    (void)state;
    llm_engine e;
    llm_err err;
    assert_int_equal(configs_load_engine("vllm-0.11", &e, &err), 0);
    assert_string_equal(e.flag[ENGINE_TP].flag, "--tensor-parallel-size");
    assert_string_equal(e.flag[ENGINE_KV_DTYPE].fp8, "fp8");
    assert_int_equal(e.flag[ENGINE_EP].format, ENGINE_FMT_SWITCH);
    assert_true(e.flag[ENGINE_MAX_SEQS].per_dp_rank);
    assert_int_equal(configs_find_engine("", "", "trtllm", &e, &err), 0);
    assert_string_equal(e.name, "trtllm-1.0");
    assert_string_equal(e.flag[ENGINE_KV_DTYPE].flag, ""); /* not a trtllm-serve flag */
    assert_int_equal(configs_find_engine("sglang", "", "vllm-0.11", &e, &err), 0);
    assert_string_equal(e.flag[ENGINE_MEM_FRACTION].flag, "--mem-fraction-static");
    assert_int_equal(configs_find_engine("tgi", "", "vllm-0.11", &e, &err), -1);
    assert_non_null(strstr(err.msg, "unknown engine \"tgi\"; known: sglang-0.5, trtllm-1.0, "
                                    "vllm-0.11"));
    assert_int_equal(configs_find_engine("vllm", "../../x", "", &e, &err), -1);
    assert_non_null(strstr(err.msg, "expected an engine name and a version"));
    assert_int_equal(configs_find_engine("", "", "vllm-0.5", &e, &err), -1);
    assert_non_null(strstr(err.msg, "serving profile \"vllm-0.5\" is no bundled engine's"));
    static const struct { const char *from, *to, *want; } bad[] = {
        {"\"--max-num-seqs\"", "\"--max-num-seqs; reboot\"",
         "e.json: $.flags.max_seqs.flag: expected a command-line flag"},
        {"\"fp8\", \"doc\"", "\"$(id)\", \"doc\"", "e.json: $.flags.quantization.fp8: expected a value"},
        {"\"format\": \"switch\"", "\"format\": \"toggle\"",
         "e.json: $.flags.ep.format: expected one of \"value\", \"switch\""},
        {"\"port\": 8000", "\"port\": 80", "e.json: $.port: expected a value in [1024, 65000]"},
        {"\"name\": \"vllm-0.11\"", "\"name\": \"vllm-0.12\"",
         "e.json: $.name: expected \"vllm-0.11\" (ENGINE-VERSION)"},
        {"\"command\": \"vllm serve\"", "\"command\": \"vllm serve;x\"",
         "e.json: $.command: expected words"},
        {"\"mps\": true", "\"mps\": 1", "e.json: $.mps: expected true or false"},
        {"\"eager\": {", "\"eagre\": {", "e.json: $.flags: unknown key \"eagre\""},
        {"https://docs.vllm.ai/en/latest/serving/engine_args.html\"}\n  }",
         "http://example.com\"}\n  }", "e.json: $.flags.port.doc: expected the https:// URL"},
    };
    char *orig = slurp_config("engines/vllm-0.11.json");
    assert_non_null(orig);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *p = strstr(orig, bad[i].from);
        assert_non_null(p);
        size_t n = strlen(orig) + strlen(bad[i].to) + 1;
        char *t = malloc(n);
        assert_non_null(t);
        snprintf(t, n, "%.*s%s%s", (int)(p - orig), orig, bad[i].to, p + strlen(bad[i].from));
        assert_int_equal(configs_parse_engine(t, "e.json", &e, &err), -1);
        if (!strstr(err.msg, bad[i].want))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, bad[i].want);
        free(t);
    }
    free(orig);
}

/* recommendation.json as deploy reads it back: what it needs, every error naming the file,
 * the JSON path and what was expected (the other keys allowed). */
#define REC_OK                                                                                \
    "{\"request\": {\"models\": [{\"model\": \"llama-3.1-8b\", \"rate_rps\": 20, \"workload\": " \
    "\"chat\", \"ttft_slo_s\": 0.5}], \"gpus\": [{\"gpu\": \"h200-sxm-141gb\", \"count\": 8}], \"serving\": {\"profile\": \"vllm-0.11\", "             \
    "\"chunk_tokens\": 0, \"kv\": \"paged\"}}, \"recommendation\": {\"status\": \"optimal\", " \
    "\"fleet\": [{\"model\": \"llama-3.1-8b\", \"gpu\": \"h100-sxm5-80gb\", \"replicas\": 2, " \
    "\"tp\": 2, \"ep\": 1, \"dtype\": \"fp8\", \"kv_dtype\": \"bf16\", \"batch\": 64, "        \
    "\"sm_comm\": 0, \"freq_mhz\": 1395, \"replicas_per_gpu\": 1, \"chunk_tokens\": 0, "      \
    "\"gpus_per_replica\": 2, \"load_rps\": 20, \"utilisation\": 0.7}]}}"

static void rec_error(const char *from, const char *to, const char *want1, const char *want2)
{
    char text[4096];
    const char *at = strstr(REC_OK, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - REC_OK), REC_OK, to, at + strlen(from));
    llm_recommendation *r = malloc(sizeof *r);
    llm_err err;
    assert_int_equal(configs_parse_recommendation(text, "rec.json", r, &err), -1);
    if (!strstr(err.msg, "rec.json: ") || !strstr(err.msg, want1) ||
        (want2 && !strstr(err.msg, want2))) {
        fprintf(stderr, "got: %s\n", err.msg);
        fail();
    }
    free(r);
}

static void test_recommendation_reader(void **state)
{
    (void)state;
    llm_recommendation *r = malloc(sizeof *r);
    llm_err err;
    assert_int_equal(configs_parse_recommendation(REC_OK, "rec.json", r, &err), 0);
    assert_int_equal(r->nmodels, 1);
    assert_string_equal(r->models[0].workload, "chat");
    assert_int_equal(r->ngpus, 1);
    assert_true(r->gpus[0].count == 8);
    assert_true(r->has_serving && r->kv_paged && r->feasible);
    assert_string_equal(r->serving, "vllm-0.11");
    assert_int_equal(r->npools, 1);
    assert_int_equal(r->pools[0].tp, 2);
    assert_int_equal(r->pools[0].replicas, 2);
    assert_int_equal(r->pools[0].dtype, LLM_FP8);
    assert_true(r->pools[0].freq_mhz == 1395);
    /* an infeasible plan reads (the caller names its status), its fleet absent */
    const char *inf = "{\"request\": {\"models\": [{\"model\": \"m\", \"rate_rps\": 1, "
                      "\"workload\": \"chat\"}], \"gpus\": []}, \"recommendation\": {\"status\": "
                      "\"infeasible\"}}";
    assert_int_equal(configs_parse_recommendation(inf, "rec.json", r, &err), 0);
    assert_false(r->feasible);
    assert_false(r->has_serving);
    assert_int_equal(r->npools, 0);
    free(r);
    /* the pool folder: bundled names only, never cut */
    char dir[32];
    assert_int_equal(configs_pool_dir(dir, sizeof dir, 1, "llama-3.1-8b", "h100"), 0);
    assert_string_equal(dir, "pool-1-llama-3.1-8b-h100");
    assert_int_equal(configs_pool_dir(dir, sizeof dir, 0, "../x", "h100"), -1);
    assert_string_equal(dir, "");
    assert_int_equal(configs_pool_dir(dir, sizeof dir, 0, "m", "a/b"), -1);
    assert_int_equal(configs_pool_dir(dir, sizeof dir, 0, "m", ""), -1);
    assert_int_equal(configs_pool_dir(dir, 10, 0, "model", "gpu"), -1);
    assert_string_equal(dir, "");
    rec_error("\"tp\": 2", "\"tp\": 2.5", "$.recommendation.fleet[0].tp", "expected an integer");
    rec_error("\"tp\": 2", "\"tp\": 0", "$.recommendation.fleet[0].tp", "in [1, 1024]");
    rec_error("\"tp\": 2,", "", "$.recommendation.fleet[0].tp", "found nothing");
    rec_error("\"freq_mhz\": 1395", "\"freq_mhz\": 1e999", "$.recommendation.fleet[0].freq_mhz",
              NULL);
    rec_error("\"dtype\": \"fp8\"", "\"dtype\": \"int4\"", "$.recommendation.fleet[0].dtype",
              "expected a dtype");
    rec_error("\"gpu\": \"h100-sxm5-80gb\"", "\"gpu\": \"../etc\"",
              "$.recommendation.fleet[0].gpu", "expected a name starting with");
    rec_error("\"gpu\": \"h100-sxm5-80gb\"", "\"gpu\": \"a/b\"", "$.recommendation.fleet[0].gpu",
              "expected a name of letters");
    rec_error("\"gpu\": \"h100-sxm5-80gb\"", "\"gpu\": 7", "$.recommendation.fleet[0].gpu",
              "expected a string, found a number");
    rec_error("\"model\": \"llama-3.1-8b\", \"gpu\"", "\"model\": \"qwen3-32b\", \"gpu\"",
              "$.recommendation.fleet[0].model", "not a model of $.request.models");
    rec_error("\"fleet\": [", "\"fleet\": [1, ", "$.recommendation.fleet[0]",
              "expected an object, found a number");
    rec_error("\"fleet\": [{", "\"fleet\": [], \"x\": [{", "$.recommendation.fleet",
              "expected at least one pool");
    rec_error("\"fleet\"", "\"fleets\"", "$.recommendation.fleet", "expected an array");
    rec_error("\"kv\": \"paged\"", "\"kv\": \"pages\"", "$.request.serving.kv", "\"paged\"");
    rec_error("\"profile\": \"vllm-0.11\"", "\"profile\": 3", "$.request.serving.profile",
              "expected a string");
    rec_error("\"status\": \"optimal\"", "\"status\": false", "$.recommendation.status",
              "expected a string, found a boolean");
    rec_error("\"models\": [{", "\"models\": [{\"model\": \"llama-3.1-8b\", \"rate_rps\": 1, "
              "\"workload\": \"chat\"}, {", "$.request.models[1].model", "appears twice");
    rec_error("{\"request\": {", "{\"requests\": {", "$.request", "expected an object");
    rec_error("\"count\": 8", "\"count\": -8", "$.request.gpus[0].count", "in [0, 1e+09]");
    rec_error("\"gpus\": [", "\"gpu\": [", "$.request.gpus", "expected an array");
    rec_error("\"utilisation\": 0.7}]}}", "\"utilisation\": 0.7}]}", "malformed JSON", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_load),   cmocka_unit_test(test_bundled_names),
        cmocka_unit_test(test_model_facts),    cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_gpu_errors),     cmocka_unit_test(test_resolve_errors),
        cmocka_unit_test(test_clock_snap),     cmocka_unit_test(test_gpu_new_fields),
        cmocka_unit_test(test_gpu_cross_checks), cmocka_unit_test(test_engine_files),
        cmocka_unit_test(test_recommendation_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
