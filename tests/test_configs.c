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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_load),   cmocka_unit_test(test_bundled_names),
        cmocka_unit_test(test_model_facts),    cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_gpu_errors),     cmocka_unit_test(test_resolve_errors),
        cmocka_unit_test(test_clock_snap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
