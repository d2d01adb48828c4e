/* tests/test_reports.c — the writers: valid JSON text, escaping, the keys the issue names. */
#include "testutil.h"

static char *capture_eval(report_format fmt, cost_metrics *r)
{
    static llm_model m;
    static llm_gpu g;
    m = load_model("llama-3.1-8b");
    g = load_gpu("h100-sxm5-80gb");
    static cost_config c;
    cost_config_default(&c);
    cost_eval(&m, &g, &c, r);
    report_inputs in = {&m, &g, NULL, &c};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    report_eval(f, fmt, &in, r);
    fclose(f);
    return buf;
}

static void test_eval_json_keys(void **state)
{
    (void)state;
    cost_metrics r;
    char *s = capture_eval(FMT_JSON, &r);
    const char *keys[] = {"\"fits\"", "\"gpus\"", "\"memory_per_gpu_gib\"", "\"max_batch\"",
                          "\"ttft_s\"", "\"tpot_s\"", "\"throughput_tok_s\"",
                          "\"energy_per_token_j\"", "\"prefill_energy_j\"",
                          "\"decode_energy_per_token_j\"", "\"avg_power_w\"", "\"peak_power_w\"",
                          "\"effective_freq_mhz\"", "\"config\"", "\"tp\"", "\"ep\""};
    for (unsigned i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strstr(s, keys[i])) {
            fprintf(stderr, "missing %s in\n%s\n", keys[i], s);
            fail();
        }
    assert_null(strstr(s, "nan"));
    assert_null(strstr(s, "inf"));
    free(s);
    s = capture_eval(FMT_TEXT, &r);
    assert_non_null(strstr(s, "TTFT"));
    free(s);
}

static void test_json_writer(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    json_out j;
    json_begin(&j, f, 0);
    json_obj(&j, NULL);
    json_str(&j, "s", "a\"b\\c\n");
    json_num(&j, "x", 0.5);
    json_num(&j, "bad", NAN);
    json_num(&j, "negzero", -0.0);
    json_arr(&j, "a");
    json_int(&j, NULL, 1);
    json_int(&j, NULL, 2);
    json_end_arr(&j);
    json_obj(&j, "empty");
    json_end_obj(&j);
    json_end_obj(&j);
    fclose(f);
    assert_string_equal(buf, "{\"s\":\"a\\\"b\\\\c\\u000a\",\"x\":0.5,\"bad\":null,\"negzero\":0,"
                             "\"a\":[1,2],\"empty\":{}}");
    free(buf);
}

static void test_metrics_finite(void **state)
{
    (void)state;
    cost_metrics r;
    memset(&r, 0, sizeof r);
    assert_true(report_metrics_finite(&r));
    r.tpot_s = NAN;
    assert_false(report_metrics_finite(&r));
    r.tpot_s = -1;
    assert_false(report_metrics_finite(&r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_json_keys), cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_metrics_finite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
