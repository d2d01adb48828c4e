/* tests/test_validate.c — measurement files, the comparison's arithmetic, and calibration
 * recovering known coefficients from synthetic measurements with noise. */
#include "testutil.h"
#include "../validate/validate.h"

#include <unistd.h>

static const char *HEAD =
    "# llmdse measurements v1\n# gpu_name: test\n# driver: 0\n# cuda: 0\n# date: d\n"
    "# clocks: c\n# command: c\n"
    "id,kind,class,dtype,m,n,k,batch,heads,kv_heads,head_dim,seq,ctx,bytes,sms,sm_comm,"
    "freq_mhz,repeats,time_s,time_p10_s,time_p90_s,alone_a_s,alone_b_s,energy_j,power_w,"
    "sm_clock_mhz,mem_clock_mhz,status\n";

/* A measurement line for row r, as the runner writes it. */
static void line(char *buf, size_t len, const vrow *r, double t, double ta, double tb,
                 double power, double clock)
{
    snprintf(buf, len, "%d,%s,%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,"
             "%d,%d,%.17g,%d,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,0,ok\n", r->id,
             vkind_names[r->kind], r->klass, llm_dtype_names[r->dtype], r->m, r->n, r->k,
             r->batch, r->heads, r->kv_heads, r->head_dim, r->seq, r->ctx, r->bytes, r->sms,
             r->sm_comm, r->freq_mhz, r->repeats, t, t, t, ta, tb, power > 0 ? power * t : 0,
             power, clock);
}

/* Measurements of a plan as `truth` predicts them, each time and power multiplied by a
 * deterministic noise factor in [1 - noise, 1 + noise]. */
static char *synthesize(const llm_gpu *truth, const vrow *rows, size_t n, double noise)
{
    size_t cap = strlen(HEAD) + n * 700 + 1;
    char *text = malloc(cap);
    strcpy(text, HEAD);
    unsigned seed = 99;
    for (size_t i = 0; i < n; i++) {
        double clock = rows[i].freq_mhz > 0 ? rows[i].freq_mhz : truth->max_mhz;
        vpred p;
        validate_predict(truth, &rows[i], clock, &p);
        double u1 = 1 + noise * (2.0 * rand_r(&seed) / RAND_MAX - 1);
        double u2 = 1 + noise * (2.0 * rand_r(&seed) / RAND_MAX - 1);
        char l[700];
        line(l, sizeof l, &rows[i], p.time_s * u1, p.alone_a_s * u1, p.alone_b_s * u1,
             p.power_w * u2, clock);
        strcat(text, l);
    }
    return text;
}

static void test_parse_errors(void **state)
{
    (void)state;
    vfile f;
    llm_err err;
    char buf[4096];
    /* a good file */
    snprintf(buf, sizeof buf, "%s1,gemm,g,bf16,64,64,64,0,0,0,0,0,0,0,0,0,0,20,1e-5,1e-5,1e-5,"
             "0,0,0,0,1980,2619,ok\n2,copy,m,bf16,0,0,0,0,0,0,0,0,0,1024,0,0,0,20,0,0,0,0,0,0,"
             "0,0,0,skipped:no_nvml\n", HEAD);
    assert_int_equal(validate_parse(buf, "good.csv", &f, &err), 0);
    assert_int_equal(f.n, 2);
    assert_true(f.rows[0].ok && !f.rows[1].ok);
    assert_string_equal(f.gpu_name, "test");
    assert_true(f.rows[0].sm_clock_mhz == 1980);
    validate_free(&f);
    struct { const char *text; const char *needle; } bad[] = {
        {"not a measurement file\n", "good.csv:1: expected \"# llmdse measurements v1\""},
        {"# llmdse measurements v1\n", "no column header"},
        {"# llmdse measurements v1\nid,kind\n", "good.csv:2: expected the column header"},
    };
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(validate_parse(bad[i].text, "good.csv", &f, &err), -1);
        if (!strstr(err.msg, bad[i].needle)) {
            fprintf(stderr, "%s lacks %s\n", err.msg, bad[i].needle);
            fail();
        }
    }
    /* a truncated row, a NaN, an unknown kernel, a bad status, a zero time */
    const char *rows[][2] = {
        {"1,gemm,g,bf16,64,64\n", "good.csv:9: expected 28 columns, found 6"},
        {"1,gemm,g,bf16,nan,64,64,0,0,0,0,0,0,0,0,0,0,20,1e-5,0,0,0,0,0,0,0,0,ok\n", "column m"},
        {"1,conv,g,bf16,1,64,64,0,0,0,0,0,0,0,0,0,0,20,1e-5,0,0,0,0,0,0,0,0,ok\n", "conv"},
        {"1,gemm,g,bf16,1,64,64,0,0,0,0,0,0,0,0,0,0,20,1e-5,0,0,0,0,0,0,0,0,maybe\n", "status"},
        {"1,gemm,g,bf16,1,64,64,0,0,0,0,0,0,0,0,0,0,20,0,0,0,0,0,0,0,0,0,ok\n", "positive time"},
        /* fuzz finding: a huge value in an integer column was cast to int */
        {"1,gemm,g,bf16,1,64,64,0,0,0,0,0,0,0,1e308,0,0,20,1e-5,0,0,0,0,0,0,0,0,ok\n",
         "column sms: expected a finite whole number in [0, 65536]"},
        {"1,gemm,g,bf16,1e300,64,64,0,0,0,0,0,0,0,0,0,0,20,1e-5,0,0,0,0,0,0,0,0,ok\n", "column m"},
        /* fuzz finding: decode attention with no KV head divided by zero in the prediction */
        {"5,attn_decode,a,bf16,8192,8192,0,2,9810,0,0,0,1,0,0,0,0,20,1e-3,0,0,0,0,0,0,0,0,ok\n",
         "attention needs batch, heads, kv_heads and head_dim"},
        {"5,attn_decode,a,bf16,0,0,0,2,32,3,128,0,1,0,0,0,0,20,1e-3,0,0,0,0,0,0,0,0,ok\n",
         "kv_heads dividing heads"},
    };
    for (unsigned i = 0; i < 9; i++) {
        snprintf(buf, sizeof buf, "%s%s", HEAD, rows[i][0]);
        assert_int_equal(validate_parse(buf, "good.csv", &f, &err), -1);
        if (!strstr(err.msg, rows[i][1])) {
            fprintf(stderr, "%s lacks %s\n", err.msg, rows[i][1]);
            fail();
        }
    }
    /* fuzz finding: a last line ending in '\r' without '\n' was read again forever */
    snprintf(buf, sizeof buf, "%s1,gemm,g,bf16,64,64,64,0,0,0,0,0,0,0,0,0,0,20,1e-5,1e-5,1e-5,"
             "0,0,0,0,1980,2619,ok\r", HEAD);
    assert_int_equal(validate_parse(buf, "cr.csv", &f, &err), 0);
    assert_int_equal(f.n, 1);
    validate_free(&f);
    assert_int_equal(validate_parse("# llmdse measurements v1\n# x\r", "cr.csv", &f, &err), -1);
    assert_int_equal(validate_read("/nonexistent.csv", &f, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent.csv"));
}

/* Three GEMMs measured 1.1x, 0.9x and 1.2x the prediction: errors |1/1.1 - 1| = 9.09%,
 * |1/0.9 - 1| = 11.11%, |1/1.2 - 1| = 16.67%: MAPE 12.29%. */
static void test_mape_arithmetic(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    vrow r = {0};
    r.kind = VK_GEMM;
    strcpy(r.klass, "g");
    r.m = r.n = r.k = 4096;
    r.repeats = 20;
    vpred p;
    validate_predict(&g, &r, g.max_mhz, &p);
    char text[8192];
    strcpy(text, HEAD);
    double f[3] = {1.1, 0.9, 1.2};
    for (int i = 0; i < 3; i++) {
        char l[700];
        r.id = i + 1;
        line(l, sizeof l, &r, p.time_s * f[i], 0, 0, 0, g.max_mhz);
        strcat(text, l);
    }
    vfile vf;
    llm_err err;
    assert_int_equal(validate_parse(text, "m.csv", &vf, &err), 0);
    vsummary s;
    validate_compare(&g, &vf, &s);
    assert_int_equal(s.n, 3);
    assert_close(s.mape_time, 100 * (1 - 1 / 1.1 + 1 / 0.9 - 1 + 1 - 1 / 1.2) / 3, 1e-9);
    assert_int_equal(s.ncls, 1);
    assert_int_equal(s.nworst, 3);
    assert_int_equal(vf.rows[s.worst[0]].r.id, 3); /* 1.2x is the worst */
    validate_free(&vf);
}

static void test_calibration_recovers(void **state)
{
    (void)state;
    llm_gpu start = load_gpu("h100-sxm5-80gb");
    llm_gpu truth = start;
    truth.gemm_eff = 0.70;
    truth.gemm_fp8_eff = 0.62;
    truth.mem_eff = 0.84;
    truth.mem_sms_saturate = 60;
    truth.kernel_overhead_us = 3.5;
    truth.static_w = 45;
    truth.math_w = 650;
    truth.sm_mem_w = 70;
    truth.dram_w = 120;
    double clocks[2] = {1980, 1410};
    vrow *rows;
    size_t n = validate_plan_sweep(&start, clocks, 2, &rows);
    assert_true(n > 100);
    char *text = synthesize(&truth, rows, n, 0.02);
    vfile f;
    llm_err err;
    assert_int_equal(validate_parse(text, "synthetic.csv", &f, &err), 0);
    llm_gpu fitted;
    vcalib c;
    assert_int_equal(validate_calibrate(&start, &f, &fitted, &c, 1, &err), 0);
    if (getenv("LLMDSE_TEST_VERBOSE")) {
        printf("before %.2f%% after %.2f%% power %.2f%% -> %.2f%% codes %d %d\n", c.before_time,
               c.after_time, c.before_power, c.after_power, c.nlopt_code_time,
               c.nlopt_code_power);
        for (int p = 0; p < CP_COUNT; p++)
            if (c.fitted[p])
                printf("  %s = %g\n", cparam_names[p], c.value[p]);
        for (int i = 0; i < c.nlo; i++)
            printf("  loo %s %.2f%%\n", c.lo_class[i], c.lo_mape[i]);
    }
    assert_true(c.after_time < c.before_time);
    assert_true(c.after_time < 2.0);   /* the noise is uniform within 2%: mean 1% */
    assert_true(c.after_power < 2.0);
    assert_close(fitted.gemm_eff, truth.gemm_eff, 0.02);
    assert_close(fitted.gemm_fp8_eff, truth.gemm_fp8_eff, 0.02);
    assert_close(fitted.mem_eff, truth.mem_eff, 0.02);
    assert_close(fitted.mem_sms_saturate, truth.mem_sms_saturate, 0.05);
    assert_close(fitted.kernel_overhead_us, truth.kernel_overhead_us, 0.15);
    assert_close(fitted.math_w, truth.math_w, 0.05);
    assert_close(fitted.dram_w + fitted.sm_mem_w, truth.dram_w + truth.sm_mem_w, 0.10);
    assert_true(c.fitted[CP_GEMM] && c.fitted[CP_MEM] && c.fitted[CP_MATH]);
    assert_false(c.fitted[CP_ATTN]);
    /* leave-one-class-out: each class predicted by a fit to the others */
    assert_true(c.nlo >= 5);
    for (int i = 0; i < c.nlo; i++)
        assert_true(isfinite(c.lo_mape[i]) && c.lo_mape[i] >= 0);
    /* the calibrated GPU file: fitted values at their paths, a note on the sources */
    char orig[4096], out[] = "/tmp/llmdse-test-calibrated-XXXXXX.json";
    int fd = mkstemps(out, 5);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(configs_resolve("gpus", "h100-sxm5-80gb", orig, sizeof orig, &err), 0);
    const char *paths[] = {"efficiency.gemm", "power.math_w"};
    double values[] = {fitted.gemm_eff, fitted.math_w};
    assert_int_equal(configs_write_gpu_update(orig, out, paths, values, 2, "calibrated: test",
                                              &err), 0);
    llm_gpu back;
    assert_int_equal(configs_load_gpu(out, &back, &err), 0);
    /* cJSON prints 15 significant digits when they read back within DBL_EPSILON */
    assert_close(back.gemm_eff, fitted.gemm_eff, 1e-14);
    assert_close(back.math_w, fitted.math_w, 1e-14);
    assert_true(back.mem_eff == start.mem_eff);
    char *t = NULL;
    {
        FILE *ff = fopen(out, "r");
        t = calloc(1, 1 << 16);
        fread(t, 1, (1 << 16) - 1, ff);
        fclose(ff);
    }
    assert_non_null(strstr(t, "calibrated: test"));
    free(t);
    unlink(out);
    validate_free(&f);
    free(text);
    free(rows);
}

/* The layer of a front point becomes runner kernels, each with a finite prediction. */
static void test_plan_layer(void **state)
{
    (void)state;
    llm_model m = load_model("mixtral-8x7b");
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    cost_config c;
    cost_config_default(&c);
    c.tp = 2;
    c.ep = 2;
    c.batch = 16;
    vrow *rows = NULL;
    size_t n = validate_plan_layer(&m, &g, &c, 1, &rows, 0);
    assert_true(n >= 10);
    int gemms = 0, attn = 0;
    for (size_t i = 0; i < n; i++) {
        vpred p;
        validate_predict(&g, &rows[i], g.max_mhz, &p);
        assert_true(isfinite(p.time_s) && p.time_s > 0);
        gemms += rows[i].kind == VK_GEMM;
        attn += rows[i].kind == VK_ATTN_DECODE || rows[i].kind == VK_ATTN_PREFILL_UNFUSED;
        assert_true(rows[i].m == floor(rows[i].m));
    }
    assert_true(gemms >= 6 && attn == 2);
    free(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_mape_arithmetic),
        cmocka_unit_test(test_calibration_recovers),
        cmocka_unit_test(test_plan_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
