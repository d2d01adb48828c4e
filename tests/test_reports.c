/* tests/test_reports.c — the writers: valid JSON text, escaping, the keys the issue names. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

static char *capture_eval(report_format fmt, cost_metrics *r)
{
    static llm_model m;
    static llm_gpu g;
    m = load_model("llama-3.1-8b");
    g = load_gpu("h100-sxm5-80gb");
    static cost_config c;
    cost_config_default(&c);
    cost_eval(&m, &g, &c, r);
    report_inputs in = {&m, &g, NULL, &c, NULL};
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

/* Each escaper on one string, captured. */
static char *escaped(void (*fn)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, s);
    fclose(f);
    return buf;
}

#define ESC_EQ(fn, in, want)                                                                  \
    do {                                                                                      \
        char *got_ = escaped(fn, in);                                                         \
        assert_string_equal(got_, want);                                                      \
        free(got_);                                                                           \
    } while (0)

static void test_escape_html(void **state)
{
    (void)state;
    ESC_EQ(llm_html_text, "<img src=x onerror=document.body.dataset.pwn=7>",
           "&lt;img src=x onerror=document.body.dataset.pwn=7&gt;");
    ESC_EQ(llm_html_text, "a&b \"c\" 'd'", "a&amp;b &quot;c&quot; &#39;d&#39;");
    ESC_EQ(llm_html_text, "llama-3.1-8b", "llama-3.1-8b");
    /* invalid UTF-8 (a lone continuation byte, an overlong '/') becomes U+FFFD; valid stays */
    ESC_EQ(llm_html_text, "x\x80y", "x\xef\xbf\xbdy");
    ESC_EQ(llm_html_text, "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
    ESC_EQ(llm_html_text, "caf\xc3\xa9", "caf\xc3\xa9");
    /* a control character other than tab and newline */
    ESC_EQ(llm_html_text, "a\x01" "b", "a\xef\xbf\xbd" "b");
}

static void test_escape_xml(void **state)
{
    (void)state;
    /* as HTML: the five markup characters, invalid UTF-8 and control characters */
    ESC_EQ(llm_xml_text, "<a b=\"c\">&'</a>", "&lt;a b=&quot;c&quot;&gt;&amp;&#39;&lt;/a&gt;");
    ESC_EQ(llm_xml_text, "a\x01" "b\r", "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    /* XML 1.0 also refuses the noncharacters U+FFFE and U+FFFF; U+FFFD and U+FFEF stay */
    ESC_EQ(llm_xml_text, "x\xef\xbf\xbey\xef\xbf\xbfz", "x\xef\xbf\xbdy\xef\xbf\xbdz");
    ESC_EQ(llm_xml_text, "\xef\xbf\xbd\xef\xbf\xaf", "\xef\xbf\xbd\xef\xbf\xaf");
    ESC_EQ(llm_html_text, "x\xef\xbf\xbey", "x\xef\xbf\xbey");
}

/* sku-check's verdicts: lower energy and TPOT are better, higher throughput (docs/sku-check.md) */
static void test_sku_verdict(void **state)
{
    (void)state;
    double c;
    assert_int_equal(report_sku_verdict(SKU_ENERGY, 0.100, 0.106, 0.05, &c), 1);
    assert_float_equal(c, 0.06, 1e-12);
    assert_int_equal(report_sku_verdict(SKU_ENERGY, 0.100, 0.094, 0.05, &c), -1);
    assert_int_equal(report_sku_verdict(SKU_TPOT, 0.100, 0.104, 0.05, &c), 0);
    assert_int_equal(report_sku_verdict(SKU_TPOT, 0.100, 0.104, 0.03, &c), 1);
    assert_int_equal(report_sku_verdict(SKU_THR, 1000, 900, 0.05, &c), 1);
    assert_float_equal(c, -0.1, 1e-12);
    assert_int_equal(report_sku_verdict(SKU_THR, 1000, 1100, 0.05, &c), -1);
    assert_int_equal(report_sku_verdict(SKU_THR, 1000, 1100, 0.2, &c), 0);
}

static void test_escape_md(void **state)
{
    (void)state;
    ESC_EQ(llm_md_text, "a|b", "a\\|b");
    ESC_EQ(llm_md_text, "*x* _y_ [z](u) `c` ~s~ #h \\", "\\*x\\* \\_y\\_ \\[z\\](u) \\`c\\` \\~s\\~ \\#h \\\\");
    ESC_EQ(llm_md_text, "<b>&", "&lt;b&gt;&amp;");
    ESC_EQ(llm_md_text, "two\nlines", "two lines");
    ESC_EQ(llm_md_text, "llama-3.1-8b", "llama-3.1-8b");
}

static void test_escape_csv(void **state)
{
    (void)state;
    ESC_EQ(llm_csv_field, "plain", "plain");
    ESC_EQ(llm_csv_field, "a,b", "\"a,b\"");
    ESC_EQ(llm_csv_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
    ESC_EQ(llm_csv_field, "two\nlines", "\"two\nlines\"");
    ESC_EQ(llm_csv_field, "", "");
    ESC_EQ(llm_csv_field, "bad\xff", "bad\xef\xbf\xbd");
}

static void test_escape_json(void **state)
{
    (void)state;
    ESC_EQ(llm_json_string, "a\"b\\c\n", "\"a\\\"b\\\\c\\u000a\"");
    ESC_EQ(llm_json_string, "\x1f", "\"\\u001f\"");
    /* JSON parsers reject invalid UTF-8: it is written as U+FFFD */
    ESC_EQ(llm_json_string, "x\xfe\xffy", "\"x\xef\xbf\xbd\xef\xbf\xbdy\"");
    /* a surrogate encoded in UTF-8 (ED A0 80) is not valid: three replacements */
    ESC_EQ(llm_json_string, "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    /* a 4-byte sequence (U+1F600) is kept */
    ESC_EQ(llm_json_string, "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
    assert_int_equal(llm_utf8_len((const unsigned char *)"\xf4\x90\x80\x80"), 0); /* > U+10FFFF */
    assert_int_equal(llm_utf8_len((const unsigned char *)"\xe2\x82\xac"), 3);     /* euro */
}

static void test_name_check(void **state)
{
    (void)state;
    char why[160];
    const char *good[] = {"llama-3.1-8b", "h100-sxm5-80gb", "a", "_x", "9.b_c-d", NULL};
    for (int i = 0; good[i]; i++)
        assert_int_equal(llm_name_check(good[i], why, sizeof why), 0);
    const char *bad[] = {"", ".", "..", ".hidden", "-opt", "../../tmp/escape", "a/b", "a b",
                         "<img>", "a\\b", "caf\xc3\xa9", "x\n",
                         /* 64 characters: one too many */
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL};
    for (int i = 0; bad[i]; i++) {
        why[0] = '\0';
        assert_int_equal(llm_name_check(bad[i], why, sizeof why), -1);
        assert_true(strlen(why) > 0);
    }
    /* 63 characters: the longest accepted */
    assert_int_equal(llm_name_check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                    why, sizeof why), 0);
    /* text names (GPU, space): any valid UTF-8 without control characters */
    assert_int_equal(llm_text_check("<img src=x onerror=1>", why, sizeof why), 0);
    assert_int_equal(llm_text_check("caf\xc3\xa9 GPU", why, sizeof why), 0);
    assert_int_equal(llm_text_check("bad\xff", why, sizeof why), -1);
    assert_int_equal(llm_text_check("two\nlines", why, sizeof why), -1);
    assert_int_equal(llm_text_check("", why, sizeof why), -1);
}

static int write_text(FILE *f, void *ctx)
{
    fputs(ctx, f);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The folder swap: a first run creates OUT, a second replaces it whole; a second run while the
 * lock is held is refused (status 1); a folder that is not ours is refused (status 2). */
static void test_outdir(void **state)
{
    (void)state;
    char root[] = "/tmp/llmdse-test-outdir-XXXXXX";
    assert_non_null(mkdtemp(root));
    char out[256], path[512];
    snprintf(out, sizeof out, "%s/out", root);
    report_outdir o, o2;
    llm_err err;
    int st;
    assert_int_equal(report_outdir_begin(&o, out, "test", OUTDIR_REPLACE, &err, &st), 0);
    assert_int_equal(report_write_atomic(o.tmp, "a.txt", write_text, "first", &err), 0);
    assert_int_equal(report_write_atomic(o.tmp, "b.txt", write_text, "first", &err), 0);
    /* the lock is held: a second run into the folder is refused at once */
    assert_int_equal(report_outdir_begin(&o2, out, "test", OUTDIR_REPLACE, &err, &st), -1);
    assert_int_equal(st, 1);
    assert_non_null(strstr(err.msg, "another llmdse run"));
    assert_int_equal(report_outdir_commit(&o, 0, &err), 0);
    snprintf(path, sizeof path, "%s/a.txt", out);
    assert_string_equal(slurp(path), "first");
    int partial;
    char run[96], why[700];
    assert_int_equal(report_outdir_check(out, &partial, run, sizeof run, why, sizeof why), 0);
    assert_int_equal(partial, 0);
    char run1[96];
    snprintf(run1, sizeof run1, "%s", run);
    assert_int_equal(report_outdir_same_run(out, run1, why, sizeof why), 0);
    /* the second run writes only a.txt: b.txt goes with the old folder */
    assert_int_equal(report_outdir_begin(&o, out, "test", OUTDIR_REPLACE, &err, &st), 0);
    assert_int_equal(report_write_atomic(o.tmp, "a.txt", write_text, "second", &err), 0);
    /* until commit, the previous output is untouched */
    assert_string_equal(slurp(path), "first");
    assert_int_equal(report_outdir_commit(&o, 1, &err), 0);
    assert_string_equal(slurp(path), "second");
    snprintf(path, sizeof path, "%s/b.txt", out);
    assert_null(slurp(path));
    assert_int_equal(report_outdir_check(out, &partial, run, sizeof run, why, sizeof why), 0);
    assert_int_equal(partial, 1);
    /* a reader that checked the first run sees that the folder was replaced */
    assert_string_not_equal(run, run1);
    assert_int_equal(report_outdir_same_run(out, run1, why, sizeof why), -1);
    assert_non_null(strstr(why, "replaced by another run"));
    assert_int_equal(report_outdir_same_run(out, run, why, sizeof why), 0);
    /* a changed file no longer matches the manifest */
    snprintf(path, sizeof path, "%s/a.txt", out);
    FILE *f = fopen(path, "w");
    fputs("third", f);
    fclose(f);
    assert_int_equal(report_outdir_check(out, &partial, run, sizeof run, why, sizeof why), -1);
    assert_non_null(strstr(why, "a.txt differs"));
    /* nothing left beside it: no temporary folder, no lock */
    snprintf(path, sizeof path, "%s/.out.lock", root);
    assert_int_not_equal(access(path, F_OK), 0);
    /* a folder that holds other things is not replaced */
    char other[256];
    snprintf(other, sizeof other, "%s/mine", root);
    mkdir(other, 0777);
    snprintf(path, sizeof path, "%s/notes.txt", other);
    f = fopen(path, "w");
    fputs("keep", f);
    fclose(f);
    assert_int_equal(report_outdir_begin(&o, other, "test", OUTDIR_REPLACE, &err, &st), -1);
    assert_int_equal(st, 2);
    assert_string_equal(slurp(path), "keep");
    assert_int_equal(report_outdir_begin(&o, "", "test", OUTDIR_REPLACE, &err, &st), -1);
    assert_int_equal(st, 2);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_json_keys), cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_metrics_finite), cmocka_unit_test(test_escape_html),
        cmocka_unit_test(test_escape_md),      cmocka_unit_test(test_escape_csv),
        cmocka_unit_test(test_escape_xml),     cmocka_unit_test(test_sku_verdict),
        cmocka_unit_test(test_escape_json),    cmocka_unit_test(test_name_check),
        cmocka_unit_test(test_outdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
