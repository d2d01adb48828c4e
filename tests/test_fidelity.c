/* tests/test_fidelity.c — the cost model against real measurements in
 * ../shared/data/calibration (or $LLMDSE_SHARED/data/calibration). Prints the error for each
 * set (the table in docs/calibration.md) and asserts the bounds stated there. Skips when the
 * data are not beside the checkout. */
#include "testutil.h"
#include "../validate/validate.h"

#include <ctype.h>

static char data_dir[1024];

/* bounds a little above what the model achieves (docs/calibration.md) */
#define POOL_BOUND 2.0
#define THR_BOUND 6.5 /* 4.2% on the three bundled models, 5.8% with opt-2.7b's runs */
#define TPOT_BOUND 6.0
#define TTFT_BOUND 7.0
#define REP_BOUND 12.0

static int setup(void **state)
{
    (void)state;
    validate_data_dir(data_dir, sizeof data_dir);
    return 0;
}

static FILE *open_data(const char *rel)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", data_dir, rel);
    FILE *f = fopen(p, "r");
    /* the data is part of the test: absent (in CI) is a failure, not a pass */
    if (!f)
        fail_msg("%s not found (set LLMDSE_SHARED to the shared folder)", p);
    return f;
}

/* Splits a CSV line (no quoted commas in these files) into at most n fields. */
static int split(char *line, char **f, int n)
{
    int k = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; k < n;) {
        f[k++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = 0;
        p = c + 1;
    }
    return k;
}

typedef struct { double sum; int n; } mape;
static void mape_add(mape *m, double pred, double meas) { m->sum += fabs(pred - meas) / meas; m->n++; }
static double mape_pct(const mape *m) { return m->n ? 100 * m->sum / m->n : 0; }

/* Column index of `name` in a header already split into n fields; fails when absent. */
static int col(char **h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(h[i], name))
            return i;
    fprintf(stderr, "FAIL: column %s missing\n", name);
    fail();
    return -1;
}

/* Error statistics in classes: MAPE and signed mean error (model - measured) / measured. */
typedef struct { double abs, sgn; int n; } errstat;
static void err_add(errstat *e, double pred, double meas)
{
    double r = (pred - meas) / meas;
    e->abs += fabs(r);
    e->sgn += r;
    e->n++;
}
static double err_mape(const errstat *e) { return e->n ? 100 * e->abs / e->n : 0; }
static double err_bias(const errstat *e) { return e->n ? 100 * e->sgn / e->n : 0; }
static void err_print(const char *set, const char *role, const char *cls, const errstat *e)
{
    printf("fidelity %-34s %-9s %-22s n %6d  MAPE %5.1f%%  signed %+6.1f%%\n", set, role, cls,
           e->n, err_mape(e), err_bias(e));
}

/* (n, k) of the QKV, output, up and down projections of the bundled dense models at TP
 * 1, 2, 4, 8: the shapes the per-op GEMM target is judged on. */
typedef struct { double n[512], k[512]; int cnt; } shape_set;
static void shape_add(shape_set *s, double n, double k)
{
    for (int i = 0; i < s->cnt; i++)
        if (s->n[i] == n && s->k[i] == k)
            return;
    if (s->cnt < 512) {
        s->n[s->cnt] = n;
        s->k[s->cnt++] = k;
    }
}
static int shape_has(const shape_set *s, double n, double k)
{
    for (int i = 0; i < s->cnt; i++)
        if (s->n[i] == n && s->k[i] == k)
            return 1;
    return 0;
}
static void model_shapes(shape_set *s)
{
    static const char *names[] = {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b",
                                  "llama-3.1-70b", "llama-3.1-405b", "llama-3.2-1b",
                                  "llama-3.2-3b", "qwen3-8b", "qwen3-14b", "qwen3-32b",
                                  "opt-1.3b"};
    s->cnt = 0;
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        llm_model m = load_model(names[i]);
        for (int tp = 1; tp <= 8; tp *= 2) {
            if (m.n_heads % tp || m.ffn_dim % tp)
                continue;
            double h = m.n_heads / tp, g = m.n_kv_heads >= tp ? m.n_kv_heads / tp : 1;
            double x = m.head_dim, d = m.d_model, f = m.ffn_dim / tp;
            shape_add(s, (h + 2 * g) * x, d);
            shape_add(s, d, h * x);
            shape_add(s, (m.act == LLM_ACT_SWIGLU ? 2 : 1) * f, d);
            shape_add(s, d, f);
        }
    }
}

/* Per-op bf16 GEMM time against a measured table (aiconfigurator: gemm_dtype,m,n,k,latency
 * ms, ...): all shapes with n, k >= 256 and m <= 8192 by token range, and the bundled models'
 * projection shapes at 64..4096 tokens. Returns the MAPE of the model shapes. */
static double gemm_table(const char *rel, const char *set, const char *role, const char *gpu,
                         double *mape_all, double *bias_mid)
{
    FILE *f = open_data(rel);
    llm_gpu g = load_gpu(gpu);
    shape_set ss;
    model_shapes(&ss);
    char line[512], *fl[16];
    fgets(line, sizeof line, f);
    int nh = split(line, fl, 16);
    int cd = col(fl, nh, "gemm_dtype"), cm = col(fl, nh, "m"), cn = col(fl, nh, "n"),
        ck = col(fl, nh, "k"), cl = col(fl, nh, "latency");
    errstat r[3] = {{0}}, all = {0}, mod = {0};
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 16) < nh || strcmp(fl[cd], "bfloat16"))
            continue;
        double m = atof(fl[cm]), n = atof(fl[cn]), k = atof(fl[ck]), t = atof(fl[cl]) * 1e-3;
        if (n < 256 || k < 256 || m > 8192 || t <= 0)
            continue;
        cost_kernel ker;
        cost_gemm(&g, &(cost_gemm_shape){m, n, k, 1, 2, 2, 2, 0}, g.max_mhz, g.sm_count, &ker);
        err_add(&r[m <= 16 ? 0 : m <= 256 ? 1 : 2], ker.time_s, t);
        err_add(&all, ker.time_s, t);
        if (m >= 64 && m <= 4096 && shape_has(&ss, n, k))
            err_add(&mod, ker.time_s, t);
    }
    fclose(f);
    err_print(set, role, "m 1-16", &r[0]);
    err_print(set, role, "m 17-256", &r[1]);
    err_print(set, role, "m 257-8192", &r[2]);
    err_print(set, role, "all", &all);
    err_print(set, role, "model shapes m 64-4096", &mod);
    assert_true(all.n > 1000 && mod.n > 100);
    *mape_all = err_mape(&all);
    *bias_mid = err_bias(&r[1]);
    return err_mape(&mod);
}

/* eq. 3-6, 27 against the TensorRT-LLM H100 bf16 table (fitted: tools/fit_gemm.py) and the
 * vLLM H200 table (held out: another GPU and library). */
static void test_gemm_tables(void **state)
{
    (void)state;
    double all, mid;
    double mod = gemm_table("aiconfigurator_hopper/h100_sxm__trtllm_1.3.0rc20__gemm_perf.csv",
                            "aiconfigurator H100 TRT-LLM GEMM", "fitted", "h100-sxm5-80gb",
                            &all, &mid);
    assert_true(all < 8.0);
    assert_true(mod < 7.0);
    assert_true(fabs(mid) < 5.0);
    mod = gemm_table("aiconfigurator_hopper/h200_sxm__vllm_0.22.0__gemm_perf.csv",
                     "aiconfigurator H200 vLLM GEMM", "held out", "h200-sxm-141gb", &all, &mid);
    assert_true(all < 10.5);
    assert_true(mod < 10.0);
}

/* Vidur A100 per-op GEMMs (held out: another GPU generation, cuBLAS without stream-K):
 * attn_pre_proj, attn_post_proj, mlp_up_proj, mlp_down_proj medians per layer, TP 1-8. */
static void test_vidur_a100(void **state)
{
    (void)state;
    static const char *dirs[] = {"meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf",
                                 "meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-70B",
                                 "codellama/CodeLlama-34b-Instruct-hf", "Qwen/Qwen-72B",
                                 "internlm/internlm-20b", "microsoft/phi-2"};
    static const char *ops[] = {"attn_pre_proj", "attn_post_proj", "mlp_up_proj",
                                "mlp_down_proj"};
    llm_gpu g = load_gpu("a100-sxm4-80gb");
    errstat r[3] = {{0}}, all = {0}, per_op[4] = {{0}};
    static char line[16384];
    for (unsigned di = 0; di < sizeof dirs / sizeof *dirs; di++) {
        char rel[256];
        snprintf(rel, sizeof rel, "vidur_a100/%s/mlp.csv", dirs[di]);
        FILE *f = open_data(rel);
        char *fl[128];
        fgets(line, sizeof line, f);
        int nh = split(line, fl, 128);
        int ch = col(fl, nh, "n_head"), ckv = col(fl, nh, "n_kv_head"), cd = col(fl, nh, "n_embd"),
            cf = col(fl, nh, "n_expanded_embd"), cg = col(fl, nh, "use_gated_mlp"),
            ct = col(fl, nh, "num_tokens"), ctp = col(fl, nh, "num_tensor_parallel_workers");
        int co[4];
        char name[96];
        for (int o = 0; o < 4; o++) {
            snprintf(name, sizeof name, "time_stats.%s.median", ops[o]);
            co[o] = col(fl, nh, name);
        }
        while (fgets(line, sizeof line, f)) {
            if (split(line, fl, 128) < nh)
                continue;
            double h = atof(fl[ch]), kv = atof(fl[ckv]), d = atof(fl[cd]), ff = atof(fl[cf]);
            double t = atof(fl[ct]), tp = atof(fl[ctp]), x = d / h;
            int gated = !strcmp(fl[cg], "True") || !strcmp(fl[cg], "true") || !strcmp(fl[cg], "1");
            double gg = kv >= tp ? kv / tp : 1;
            double n[4] = {(h / tp + 2 * gg) * x, d, (gated ? 2 : 1) * ff / tp, d};
            double k[4] = {d, h / tp * x, d, ff / tp};
            for (int o = 0; o < 4; o++) {
                double meas = atof(fl[co[o]]) * 1e-3;
                if (meas <= 0)
                    continue;
                cost_kernel ker;
                cost_gemm(&g, &(cost_gemm_shape){t, n[o], k[o], 1, 2, 2, 2, 0}, g.max_mhz,
                          g.sm_count, &ker);
                err_add(&r[t <= 16 ? 0 : t <= 256 ? 1 : 2], ker.time_s, meas);
                err_add(&all, ker.time_s, meas);
                err_add(&per_op[o], ker.time_s, meas);
            }
        }
        fclose(f);
    }
    err_print("Vidur A100 per-op GEMM", "held out", "tokens 1-16", &r[0]);
    err_print("Vidur A100 per-op GEMM", "held out", "tokens 17-256", &r[1]);
    err_print("Vidur A100 per-op GEMM", "held out", "tokens 257-32768", &r[2]);
    for (int o = 0; o < 4; o++)
        err_print("Vidur A100 per-op GEMM", "held out", ops[o], &per_op[o]);
    err_print("Vidur A100 per-op GEMM", "held out", "all", &all);
    assert_true(all.n > 30000);
    assert_true(err_mape(&all) < 11.0);
}

/* Decode attention over a paged KV cache (eq. 28): aiconfigurator generation tables,
 * full attention (window 0), bf16 KV, the bundled models' head sizes (64, 128) and query
 * heads per KV head (<= 16). H100 TRT-LLM XQA fitted (tools/fit_attention.py), H200 vLLM
 * FlashAttention held out. KV length: step + 1 (TRT-LLM) or step (vLLM). */
static void decode_table(const char *rel, const char *set, const char *role, const char *gpu,
                         int plus_one, double bound)
{
    FILE *f = open_data(rel);
    llm_gpu g = load_gpu(gpu);
    char line[512], *fl[16];
    fgets(line, sizeof line, f);
    int nh = split(line, fl, 16);
    int cb = col(fl, nh, "batch_size"), cq = col(fl, nh, "num_heads"),
        ckv = col(fl, nh, "num_key_value_heads"), cx = col(fl, nh, "head_dim"),
        cw = col(fl, nh, "window_size"), ckd = col(fl, nh, "kv_cache_dtype"),
        cs = col(fl, nh, "step"), cl = col(fl, nh, "latency");
    errstat r[3] = {{0}}, all = {0};
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 16) < nh || strcmp(fl[cw], "0") || strcmp(fl[ckd], "bfloat16"))
            continue;
        double b = atof(fl[cb]), hq = atof(fl[cq]), hk = atof(fl[ckv]), x = atof(fl[cx]);
        double L = atof(fl[cs]) + plus_one, t = atof(fl[cl]) * 1e-3;
        if (hq / hk > 16 || (x != 64 && x != 128) || t <= 0)
            continue;
        cost_attn_shape a = {b, hq, hk, x, 1, L, 2, 2, 1};
        cost_kernel ker;
        cost_attention(&g, &a, g.max_mhz, g.sm_count, &ker);
        double bl = b * L;
        err_add(&r[bl <= 16384 ? 0 : bl <= 262144 ? 1 : 2], ker.time_s, t);
        err_add(&all, ker.time_s, t);
    }
    fclose(f);
    err_print(set, role, "batch x KV <= 16K", &r[0]);
    err_print(set, role, "batch x KV 16K-256K", &r[1]);
    err_print(set, role, "batch x KV > 256K", &r[2]);
    err_print(set, role, "all", &all);
    assert_true(all.n > 5000);
    assert_true(err_mape(&all) < bound);
}

static void test_decode_attention(void **state)
{
    (void)state;
    decode_table("aiconfigurator_hopper/h100_sxm__trtllm_1.3.0rc20__generation_attention_perf.csv",
                 "aiconfigurator H100 TRT-LLM decode attn", "fitted", "h100-sxm5-80gb", 1, 17.0);
    decode_table("aiconfigurator_hopper/h200_sxm__vllm_0.22.0__generation_attention_perf.csv",
                 "aiconfigurator H200 vLLM decode attn", "held out", "h200-sxm-141gb", 0, 22.0);
}

/* APEX+ collectives: columns gpu,num_nodes,num_gpus_per_node,dtype,size(kb),time(us). */
static double coll_set(const char *rel, const llm_gpu *g, llm_coll c, double min_bytes, int *n)
{
    FILE *f = open_data(rel);
    char line[512], *fl[8];
    mape m = {0};
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 8) < 6)
            continue;
        double bytes = atof(fl[4]) * 1024, t = atof(fl[5]) * 1e-6;
        if (bytes < min_bytes || bytes < 1024 || t <= 0)
            continue;
        cost_kernel k;
        cost_collective(g, c, atoi(fl[2]), bytes, g->sm_count, 0, &k);
        mape_add(&m, k.time_s, t);
    }
    fclose(f);
    *n = m.n;
    return mape_pct(&m);
}

static void test_apex_collectives(void **state)
{
    (void)state;
    static const char *files[] = {"all_reduce", "all_gather", "reduce_scatter", "alltoall",
                                  "sendrecv"};
    static const struct { const char *dir, *gpu; double bound_large; } sets[] = {
        {"H100-SXM-80GB", "h100-sxm5-80gb", 10.0},
        {"H200-SXM-141GB", "h200-sxm-141gb", 12.0},
    };
    for (int s = 0; s < 2; s++) {
        llm_gpu g = load_gpu(sets[s].gpu);
        for (int c = 0; c < LLM_COLL_COUNT; c++) {
            char rel[256];
            snprintf(rel, sizeof rel, "apex_plus/original_microsoft/comm/%s/%s.csv", sets[s].dir,
                     files[c]);
            int n_all, n_big;
            double all = coll_set(rel, &g, (llm_coll)c, 0, &n_all);
            double big = coll_set(rel, &g, (llm_coll)c, 1 << 20, &n_big);
            printf("fidelity apex_plus %-15s %-14s MAPE all %5.1f%% (n=%3d)  >=1MiB %5.1f%% "
                   "(n=%3d)\n", sets[s].dir, llm_coll_names[c], all, n_all, big, n_big);
            assert_true(big < sets[s].bound_large);
            assert_true(all < 25.0);
        }
    }
}

/* A second, unfitted H100 set (newer NCCL via torch 2.9, NVLink SHARP available): columns
 * gpu,dtype,op,world_size,size_bytes,time_us. Out of sample and noisy (times not monotone in
 * size); newer NCCL is up to ~20% faster on large all-reduces than the NCCL 2.18 the model is
 * fitted to. The bound guards against regressions; docs/calibration.md states the gap. */
static void test_glassml_collectives(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    FILE *f = open_data("apex_plus/glassml_fork/comm/H100-SXM-80GB/nccl_alphabeta_raw.csv");
    char line[512], *fl[8];
    mape all[LLM_COLL_COUNT] = {{0}}, big[LLM_COLL_COUNT] = {{0}};
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 8) < 6)
            continue;
        int c = -1;
        for (int i = 0; llm_coll_names[i]; i++)
            if (!strcmp(fl[2], llm_coll_names[i]))
                c = i;
        assert_true(c >= 0);
        double bytes = atof(fl[4]), t = atof(fl[5]) * 1e-6;
        cost_kernel k;
        cost_collective(&g, (llm_coll)c, atoi(fl[3]), bytes, g.sm_count, 0, &k);
        mape_add(&all[c], k.time_s, t);
        if (bytes >= 1 << 20)
            mape_add(&big[c], k.time_s, t);
    }
    fclose(f);
    for (int c = 0; c < LLM_COLL_COUNT; c++) {
        printf("fidelity glassml  H100 (not fitted) %-14s MAPE all %5.1f%% (n=%3d)  >=1MiB "
               "%5.1f%% (n=%3d)\n", llm_coll_names[c], mape_pct(&all[c]), all[c].n,
               mape_pct(&big[c]), big[c].n);
        assert_true(mape_pct(&big[c]) < 30.0);
    }
}

/* FlashAttention-2 prefill on H100: gpu,dtype,variant,num_heads,num_heads_kv,head_size,
 * batch_size,seq_len,window_left,window_right,causal,time(us),... */
static void test_flash_attention(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    FILE *f = open_data("apex_plus/glassml_fork/comp/H100-SXM-80GB/"
                        "flash_attn_gqa_bf16_prefill.csv");
    char line[512], *fl[20];
    mape big = {0}, all = {0};
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 20) < 12)
            continue;
        double t = atof(fl[11]) * 1e-6;
        cost_attn_shape s = {atof(fl[6]), atof(fl[3]), atof(fl[4]), atof(fl[5]), atof(fl[7]),
                             atof(fl[7]), 2, 2, 1};
        cost_kernel k;
        cost_attention(&g, &s, 1980, g.sm_count, &k);
        mape_add(&all, k.time_s, t);
        if (t >= 200e-6)
            mape_add(&big, k.time_s, t);
    }
    fclose(f);
    printf("fidelity FlashAttention-2 prefill H100: MAPE >=200us %.1f%% (n=%d), all %.1f%% "
           "(n=%d; short kernels carry the profiler's ~40 us floor)\n", mape_pct(&big), big.n,
           mape_pct(&all), all.n);
    assert_true(mape_pct(&big) < 10.0);
}

/* MAMF: maximum achievable matmul TFLOP/s; the model at 8192^3 (wave quantisation ~0.97-1.0)
 * against the measured maximum, and at the measured best shape. */
static void test_mamf(void **state)
{
    (void)state;
    static const struct { const char *acc, *dtype, *gpu; } map[] = {
        {"NVIDIA A100 SXM", "bf16", "a100-sxm4-80gb"},
        {"NVIDIA H100 SXM", "bf16", "h100-sxm5-80gb"},
        {"NVIDIA H100 SXM", "fp8_e4m3fn", "h100-sxm5-80gb"},
        {"NVIDIA H200 SXM", "fp8_e4m3fn", "h200-sxm-141gb"},
        {"NVIDIA B200 SXM", "bf16", "b200"},
        {"NVIDIA B200 SXM", "fp8_e4m3fn", "b200"},
    };
    FILE *f = open_data("ml_engineering_stas00/mamf_max_achievable_matmul_tflops_TRANSCRIBED.csv");
    char line[512], *fl[12];
    int matched = 0;
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 12) < 8)
            continue;
        for (unsigned i = 0; i < sizeof map / sizeof *map; i++) {
            if (strcmp(fl[0], map[i].acc) || strcmp(fl[1], map[i].dtype))
                continue;
            llm_gpu g = load_gpu(map[i].gpu);
            int fp8 = fl[1][0] == 'f';
            double eb = fp8 ? 1 : 2, meas = atof(fl[2]);
            cost_kernel k, s;
            cost_gemm(&g, &(cost_gemm_shape){8192, 8192, 8192, 1, eb, eb, 2, fp8}, g.max_mhz,
                      g.sm_count, &k);
            cost_gemm(&g, &(cost_gemm_shape){atof(fl[5]), atof(fl[6]), atof(fl[7]), 1, eb, eb, 2,
                      fp8}, g.max_mhz, g.sm_count, &s);
            double p = k.flops / k.time_s / 1e12, ps = s.flops / s.time_s / 1e12;
            printf("fidelity MAMF %-16s %-11s measured %7.1f TFLOP/s, model 8192^3 %7.1f "
                   "(%+.1f%%), at the measured best shape %s x %s x %s %7.1f (%+.1f%%)\n",
                   fl[0], fl[1], meas, p, 100 * (p - meas) / meas, fl[5], fl[6], fl[7], ps,
                   100 * (ps - meas) / meas);
            assert_close(p, meas, 0.02);
            matched++;
        }
    }
    fclose(f);
    assert_int_equal(matched, (int)(sizeof map / sizeof *map));
}

/* 8x H200 all-reduce with NVLink SHARP disabled (ring), 8 GiB: bus bandwidth. */
static void test_nccl_tests_h200(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h200-sxm-141gb");
    FILE *f = open_data("ml_engineering_stas00/nccl_allreduce_8xH200_NVLS_vs_ring_8GiB_TRANSCRIBED.csv");
    char line[512], *fl[12];
    fgets(line, sizeof line, f);
    mape m = {0};
    while (fgets(line, sizeof line, f)) {
        /* the node name is quoted and contains commas: take fields from the end */
        line[strcspn(line, "\r\n")] = 0;
        char *q = strrchr(line, '"');
        if (!q)
            continue;
        int k = split(q + 2, fl, 12);
        if (k < 6)
            continue;
        int n = atoi(fl[1]);
        double ring = atof(fl[4]), bytes = 8.0 * 1024 * 1024 * 1024;
        cost_kernel kr;
        cost_collective(&g, LLM_ALLREDUCE, n, bytes, g.sm_count, 0, &kr);
        double busbw = bytes / kr.time_s * 2 * (n - 1) / n / 1e9;
        printf("fidelity nccl-tests 8xH200 all-reduce %d GPUs 8 GiB ring busbw measured %.1f, "
               "model %.1f GB/s (%+.1f%%); NVLS measured %s (not modelled)\n", n, ring, busbw,
               100 * (busbw - ring) / ring, fl[3]);
        mape_add(&m, busbw, ring);
    }
    fclose(f);
    assert_true(m.n == 5);
    assert_true(mape_pct(&m) < 10.0);
}

/* Perseus A100: the power model along the clock with the fitted coefficients. The stage's
 * time t(f) = a + b * 1410/f (least squares) splits tensor work from memory work; utilisations
 * as tools/fit_power.py: tensor 0.87 x clock-bound share, DRAM 0.7 x the rest. */
static void perseus(const char *rel, const char *instr, const llm_gpu *g, mape *total)
{
    FILE *f = open_data(rel);
    char line[512], *fl[8];
    double fr[64], tm[64], en[64];
    int n = 0;
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f) && n < 64)
        if (split(line, fl, 8) == 5 && !strcmp(fl[0], "0") && !strcmp(fl[1], instr)) {
            fr[n] = atof(fl[2]);
            tm[n] = atof(fl[3]);
            en[n] = atof(fl[4]);
            n++;
        }
    fclose(f);
    assert_true(n > 10);
    double mx = 0, mt = 0, sxx = 0, sxt = 0;
    for (int i = 0; i < n; i++) { mx += 1410 / fr[i]; mt += tm[i]; }
    mx /= n; mt /= n;
    for (int i = 0; i < n; i++) {
        double x = 1410 / fr[i] - mx;
        sxx += x * x;
        sxt += x * (tm[i] - mt);
    }
    double b = sxt / sxx, a = mt - b * mx;
    mape m = {0};
    for (int i = 0; i < n; i++) {
        double um = 0.87 * b * 1410 / fr[i] / tm[i], ud = 0.7 * a / tm[i];
        double p = cost_power(g, fr[i], um, ud, 0);
        mape_add(&m, p, en[i] / tm[i]);
        mape_add(total, p, en[i] / tm[i]);
    }
    printf("fidelity Perseus A100 %-32s %-8s power MAPE %.1f%% over %d clocks (%.0f..%.0f MHz)\n",
           strchr(rel, '/') + 1, instr, mape_pct(&m), n, fr[n - 1], fr[0]);
}

static void test_perseus_power(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("a100-sxm4-80gb");
    mape total = {0};
    perseus("perseus_sosp24_zeus/stage_profile_gpt3-175b+a100_sxm_bf16.csv", "forward", &g, &total);
    perseus("perseus_sosp24_zeus/stage_profile_gpt3-175b+a100_sxm_bf16.csv", "backward", &g, &total);
    perseus("perseus_sosp24_zeus/stage_profile_bloom+a100_sxm_bf16.csv", "forward", &g, &total);
    perseus("perseus_sosp24_zeus/stage_profile_bloom+a100_sxm_bf16.csv", "backward", &g, &total);
    assert_true(mape_pct(&total) < 5.0);
}


/* ---- serving: the memory-gap vLLM 0.5 runs on a 64 GB H100 (docs/calibration.md) ----------
 * These checks need the data: they FAIL, not skip, when it is missing. */

/* The end-to-end serving sets (throughput, TPOT, TTFT, power, energy per token) are compared
 * in one place, validate/e2e.c, whose bounds tests/test_e2e.c asserts. What follows checks
 * the serving model's internals against the memory-gap data: the KV pool, the running batch
 * at KV saturation (the fit of ShareGPT's output spread), and the batch advisor. */

typedef struct { double abs, sgn; int n; } err_acc;
static void acc(err_acc *a, double pred, double meas)
{
    a->abs += fabs(pred - meas) / meas;
    a->sgn += (pred - meas) / meas;
    a->n++;
}
static double acc_mape(const err_acc *a) { return a->n ? 100 * a->abs / a->n : 0; }
static double acc_sgn(const err_acc *a) { return a->n ? 100 * a->sgn / a->n : 0; }

/* eq. 42: the KV pool (gpu_memory_utilization x capacity - weights - one step's activations
 * - reserve) in blocks of 16 tokens against the num_gpu_blocks vLLM logged in the offline
 * runs (vLLM 0.5.2 rows with logged decode steps; ncu rows are kernel replays). */
static void test_memgap_kv_pool(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h100-sxm5-64gb");
    llm_serving sv = load_serving("vllm-0.5");
    FILE *f = open_data("vllm_batching_memory_gap/offline_prefill_decode_times.csv");
    char line[4096], *fl[32];
    fgets(line, sizeof line, f);
    err_acc pool = {0};
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 32) < 19 || !strcmp(fl[9], "ncu") || strncmp(fl[1], "0.5.", 4) ||
            atof(fl[17]) <= 0 || atof(fl[15]) <= 0)
            continue;
        llm_model m = load_model(fl[0]);
        cost_config c;
        cost_config_default(&c);
        c.serving = &sv;
        c.kv_paged = 1;
        c.batch = atoi(fl[5]);
        c.prompt = atoi(fl[3]);
        c.output = atoi(fl[4]);
        cost_metrics r;
        cost_eval(&m, &g, &c, &r);
        assert_int_equal(r.running_batch, c.batch);
        double kv_tok = m.n_layers * 2.0 * m.n_kv_heads * m.head_dim * 2;
        acc(&pool, r.mem.kv_pool_gib * 1073741824.0 / (16 * kv_tok), atof(fl[12]));
    }
    fclose(f);
    printf("memory-gap KV pool vs num_gpu_blocks: %d rows, MAPE %.1f%% (signed %+.1f%%)\n",
           pool.n, acc_mape(&pool), acc_sgn(&pool));
    assert_true(pool.n >= 50);
    assert_true(acc_mape(&pool) < POOL_BOUND);
}

/* ShareGPT's output-length spread (eq. 42), fitted: at KV saturation (max_num_seqs >= 128,
 * cache usage 1.0) llama-2-13b runs `running` requests in vLLM's 2578 blocks of 16 tokens
 * (offline_prefill_decode_times.csv), so a running request holds 2578 x 16 / running tokens
 * = P + (O/2)(1 + cv^2). The value validate/e2e.c uses (SHAREGPT_OUTPUT_CV2, 0.675) must be
 * this fit. llama-2-7b's saturated runs are held out: its running batch is predicted. Then
 * the batch advisor (eq. 48) against the smallest measured max_num_seqs reaching 95% of the
 * best measured throughput (a coarse grid: 64, 80, 96, 128, 160, 192, 256, ...). */
/* Pipeline parallelism (docs/cost-model.md eq. 60-65) against ML.ENERGY v2 (vLLM 0.5.4, A100
 * 40GB), held out (nothing was fitted to its pp > 1 rows): Mixtral-8x22B at tp 8 with pp 1
 * (8 GPUs) and pp 2 (16 GPUs, two nodes), 64 running sequences each. The model's absolute error
 * on this MoE is large at both (its TPOT ~40% fast), so the test is on what PP changes: the ratio
 * of pp 2 to pp 1, TPOT and throughput per running sequence (the runs held 64 sequences at both;
 * the model's pool holds 52 at pp 1 with the outputs' length bias, eq. 42, an error of the
 * memory model, not of PP). Measured 1.31 and 0.82, model 1.32 and 0.76; eq. 65 (the
 * scheduler's per-step overhead paid per micro-batch) is what brings the model there: without
 * it, 1.04 and 0.94. */
static void test_mlenergy_pipeline(void **state)
{
    (void)state;
    llm_model m = load_model("mixtral-8x22b");
    llm_gpu g = load_gpu("a100-sxm4-40gb");
    llm_serving sv = load_serving("vllm-0.5.4-mlenergy");
    FILE *f = open_data("ml_energy_v2/v2_leaderboard_llm_configs_no_llama31.csv");
    char line[8192], *h[16], *fl[16];
    fgets(line, sizeof line, f);
    int nh = split(line, h, 16);
    int cm = col(h, nh, "model"), cg = col(h, nh, "gpu"), ct = col(h, nh, "tp");
    int cp = col(h, nh, "pp"), cb = col(h, nh, "max_batch_size"), cq = col(h, nh, "task");
    int co = col(h, nh, "avg_output_tokens"), cs = col(h, nh, "avg_tpot_s");
    int cr = col(h, nh, "token_throughput_tok_per_s"), ca = col(h, nh, "avg_batch_size");
    double meas_tpot[3] = {0}, meas_thr[3] = {0}, pred_tpot[3] = {0}, pred_thr[3] = {0};
    while (fgets(line, sizeof line, f)) {
        int n = split(line, fl, 16);
        if (n < nh || !strstr(fl[cm], "Mixtral-8x22B") || !strstr(fl[cg], "A100-SXM4-40GB") ||
            strcmp(fl[cq], "chat") || atoi(fl[ct]) != 8 || atoi(fl[cb]) != 64)
            continue;
        int pp = atoi(fl[cp]);
        if (pp < 1 || pp > 2 || meas_tpot[pp] > 0)
            continue;
        cost_config c;
        cost_config_default(&c);
        c.serving = &sv;
        c.kv_paged = 1;
        c.tp = 8;
        c.pp = pp;
        c.batch = 64;
        c.prompt = 113; /* validate/e2e.c: ShareGPT's mean prompt, cv^2 of its outputs */
        c.output = (int)lround(atof(fl[co]));
        c.output_cv2 = 0.675;
        assert_int_equal(cost_check(&m, &g, &c, NULL), 0);
        cost_metrics r;
        cost_eval(&m, &g, &c, &r);
        assert_true(r.fits);
        printf("  pp %d: running batch %d (measured mean %s), TPOT %.4f s (measured %s)\n", pp,
               r.running_batch, fl[ca], r.tpot_s, fl[cs]);
        meas_tpot[pp] = atof(fl[cs]);
        meas_thr[pp] = atof(fl[cr]) / atof(fl[ca]);    /* per running sequence */
        pred_tpot[pp] = r.tpot_s;
        pred_thr[pp] = r.throughput_tok_s / r.running_batch;
    }
    fclose(f);
    assert_true(meas_tpot[1] > 0 && meas_tpot[2] > 0);
    double mt = meas_tpot[2] / meas_tpot[1], pt = pred_tpot[2] / pred_tpot[1];
    double mr = meas_thr[2] / meas_thr[1], pr = pred_thr[2] / pred_thr[1];
    printf("fidelity ML.ENERGY Mixtral-8x22B A100 tp 8 batch 64, pp 2 / pp 1 (held out): TPOT "
           "measured %.3f, model %.3f; throughput per running sequence measured %.3f, model "
           "%.3f\n", mt, pt, mr, pr);
    assert_true(fabs(pt / mt - 1) < 0.10);
    assert_true(fabs(pr / mr - 1) < 0.10);
}

static void test_memgap_running_batch(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h100-sxm5-64gb");
    llm_serving sv = load_serving("vllm-0.5");
    FILE *f = open_data("vllm_batching_memory_gap/online_serving_summary.csv");
    char line[8192], *fl[48];
    double cv2 = 0;
    int ncv = 0;
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 48) < 39 || !strstr(fl[0], "/background/llama-2-13b/") ||
            atoi(fl[4]) < 128)
            continue;
        double n = atof(fl[12]), P = atof(fl[13]) / n, O = atof(fl[14]) / n;
        cv2 += 2 * (2578.0 * 16 / atof(fl[36]) - P) / O - 1;
        ncv++;
    }
    assert_true(ncv >= 5);
    cv2 /= ncv;
    printf("ShareGPT output cv^2 fitted to llama-2-13b's running batch at KV saturation: %.3f "
           "(%d runs)\n", cv2, ncv);
    assert_true(fabs(cv2 - 0.675) < 0.005);
    rewind(f);
    fgets(line, sizeof line, f);
    err_acc run7 = {0};
    struct { char model[32]; int n, batch[32], prompt, output; double thr[32]; } curve[4];
    int ncurve = 0;
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 48) < 39 || !strstr(fl[0], "/background/"))
            continue;
        double n = atof(fl[12]);
        int batch = atoi(fl[4]);
        if (!strcmp(fl[3], "llama-2-7b") && batch >= 256) {
            llm_model m = load_model(fl[3]);
            cost_config c;
            cost_config_default(&c);
            c.serving = &sv;
            c.kv_paged = 1;
            c.batch = batch;
            c.prompt = (int)lround(atof(fl[13]) / n);
            c.output = (int)lround(atof(fl[14]) / n);
            c.output_cv2 = cv2;
            cost_metrics r;
            cost_eval(&m, &g, &c, &r);
            acc(&run7, r.running_batch, atof(fl[36]));
        }
        int ci = 0;
        while (ci < ncurve && strcmp(curve[ci].model, fl[3]))
            ci++;
        if (ci == ncurve && ncurve < 4) {
            snprintf(curve[ncurve].model, sizeof curve[0].model, "%s", fl[3]);
            curve[ncurve].n = 0;
            ncurve++;
        }
        if (ci < ncurve && curve[ci].n < 32) {
            curve[ci].batch[curve[ci].n] = batch;
            curve[ci].thr[curve[ci].n++] = atof(fl[16]);
            curve[ci].prompt = (int)lround(atof(fl[13]) / n);
            curve[ci].output = (int)lround(atof(fl[14]) / n);
        }
    }
    fclose(f);
    printf("memory-gap llama-2-7b running batch at KV saturation (held out): %d runs, MAPE "
           "%.1f%% (signed %+.1f%%)\n", run7.n, acc_mape(&run7), acc_sgn(&run7));
    assert_true(run7.n >= 2 && acc_mape(&run7) < 6.0);
    for (int ci = 0; ci < ncurve; ci++) {
        double best = 0;
        for (int i = 0; i < curve[ci].n; i++)
            best = fmax(best, curve[ci].thr[i]);
        int meas_b = 1 << 30;
        for (int i = 0; i < curve[ci].n; i++)
            if (curve[ci].thr[i] >= 0.95 * best && curve[ci].batch[i] < meas_b)
                meas_b = curve[ci].batch[i];
        llm_model m = load_model(curve[ci].model);
        cost_config c;
        cost_config_default(&c);
        c.serving = &sv;
        c.kv_paged = 1;
        c.prompt = curve[ci].prompt;
        c.output = curve[ci].output;
        c.output_cv2 = cv2;
        int adv;
        double plateau, freed;
        cost_batch_advice(&m, &g, &c, 0.95, &adv, &plateau, &freed);
        printf("batch advice %s: advised %d (plateau %.0f tok/s, %.1f GiB freed), measured "
               "95%% of the best at max_num_seqs %d\n", curve[ci].model, adv, plateau, freed,
               meas_b);
        /* within the grid's coarseness: a factor of two either way */
        assert_true(adv >= meas_b / 2 && adv <= meas_b * 2);
    }
}

/* aiconfigurator H200 NVML power (eq. 20, 29-30): only rows whose timed loop lasted >= 0.9 s
 * (the reading is a trailing 1 s average; PROVENANCE.md), class medians. The model runs each
 * kernel at the maximum clock, or at the highest clock whose power fits the 700 W limit. */
static double h200_window(double t_call)
{
    double n = (int)((t_call >= 1e-4 ? 1.0 : 0.3) / t_call) + 1;
    if (n < 6) n = 6;
    if (n > 3000) n = 3000;
    return n * t_call;
}
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
typedef struct { double meas[4096], pred[4096], tf_meas[4096], tf_pred[4096]; int n; } pclass;
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_dbl);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
/* One kernel at the maximum clock, lowered a step at a time while its power is over TDP. */
static double capped_power(const llm_gpu *g, const cost_kernel *k0, int is_attn,
                           const cost_attn_shape *a, double m, double n, double kk,
                           double *tflops)
{
    double f = g->max_mhz, p;
    cost_kernel k = *k0;
    for (;;) {
        if (is_attn) cost_attention(g, a, f, g->sm_count, &k);
        else cost_gemm(g, &(cost_gemm_shape){m, n, kk, 1, 2, 2, 2, 0}, f, g->sm_count, &k);
        p = cost_kernel_power(g, &k, f);
        if (p <= g->tdp_w || f - g->step_mhz < g->min_mhz)
            break;
        f -= g->step_mhz;
    }
    *tflops = k.flops / k.time_s / 1e12;
    return p;
}
static void pclass_add(pclass *c, double meas, double pred, double tfm, double tfp)
{
    if (c->n >= 4096)
        return;
    c->meas[c->n] = meas;
    c->pred[c->n] = pred;
    c->tf_meas[c->n] = tfm;
    c->tf_pred[c->n++] = tfp;
}
static double pclass_report(pclass *c, const char *name, const char *role, int tf)
{
    errstat e = {0};
    for (int i = 0; i < c->n; i++)
        err_add(&e, c->pred[i], c->meas[i]);
    double mm = median(c->meas, c->n), mp = median(c->pred, c->n);
    printf("fidelity aiconfigurator H200 power %-26s %-9s n %5d  median measured %5.0f W, "
           "model %5.0f W (%+.1f%%), MAPE %4.1f%%", name, role, c->n, mm, mp,
           100 * (mp - mm) / mm, err_mape(&e));
    if (tf) {
        double tm = median(c->tf_meas, c->n), tp = median(c->tf_pred, c->n);
        printf("; TFLOP/s measured %.0f, model at its capped clock %.0f (%+.1f%%)", tm, tp,
               100 * (tp - tm) / tm);
    }
    printf("\n");
    return 100 * (mp - mm) / mm;
}
static void test_h200_power(void **state)
{
    (void)state;
    llm_gpu g = load_gpu("h200-sxm-141gb");
    static pclass gemv, mbound, dense, attn;
    gemv.n = mbound.n = dense.n = attn.n = 0;
    FILE *f = open_data("aiconfigurator_hopper/h200_sxm__vllm_0.22.0__gemm_perf.csv");
    char line[512], *fl[16];
    fgets(line, sizeof line, f);
    int nh = split(line, fl, 16);
    int cd = col(fl, nh, "gemm_dtype"), cm = col(fl, nh, "m"), cn = col(fl, nh, "n"),
        ck = col(fl, nh, "k"), cl = col(fl, nh, "latency"), cp = col(fl, nh, "power");
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 16) < nh || strcmp(fl[cd], "bfloat16"))
            continue;
        double m = atof(fl[cm]), n = atof(fl[cn]), k = atof(fl[ck]), t = atof(fl[cl]) * 1e-3;
        double pw = atof(fl[cp]);
        if (h200_window(6 * t) < 0.9)   /* one call = 6 layers */
            continue;
        int big = m >= 4096 && n >= 4096 && k >= 4096;
        pclass *c = big ? &dense : n * k < 67108864 ? NULL : m == 1 ? &gemv
                    : m >= 5 && m <= 64 ? &mbound : NULL;
        if (!c)
            continue;
        cost_kernel ker;
        cost_gemm(&g, &(cost_gemm_shape){m, n, k, 1, 2, 2, 2, 0}, g.max_mhz, g.sm_count, &ker);
        double tf;
        double p = capped_power(&g, &ker, 0, NULL, m, n, k, &tf);
        pclass_add(c, pw, p, 2 * m * n * k / t / 1e12, tf);
    }
    fclose(f);
    f = open_data("aiconfigurator_hopper/h200_sxm__vllm_0.22.0__generation_attention_perf.csv");
    fgets(line, sizeof line, f);
    nh = split(line, fl, 16);
    int cb = col(fl, nh, "batch_size"), cq = col(fl, nh, "num_heads"),
        ckv = col(fl, nh, "num_key_value_heads"), cx = col(fl, nh, "head_dim"),
        cw = col(fl, nh, "window_size"), ckd = col(fl, nh, "kv_cache_dtype"),
        cs = col(fl, nh, "step"), cl2 = col(fl, nh, "latency"), cp2 = col(fl, nh, "power");
    while (fgets(line, sizeof line, f)) {
        if (split(line, fl, 16) < nh || strcmp(fl[cw], "0") || strcmp(fl[ckd], "bfloat16"))
            continue;
        double b = atof(fl[cb]), hq = atof(fl[cq]), hk = atof(fl[ckv]), x = atof(fl[cx]);
        double L = atof(fl[cs]), t = atof(fl[cl2]) * 1e-3;
        if (h200_window(t) < 0.9 || b * 2 * L * hk * x * 2 < 1e9)
            continue;
        cost_attn_shape a = {b, hq, hk, x, 1, L, 2, 2, 1};
        cost_kernel ker;
        cost_attention(&g, &a, g.max_mhz, g.sm_count, &ker);
        double tf;
        double p = capped_power(&g, &ker, 1, &a, 0, 0, 0, &tf);
        pclass_add(&attn, atof(fl[cp2]), p, 0, 0);
    }
    fclose(f);
    assert_true(gemv.n > 30 && mbound.n > 500 && dense.n > 500 && attn.n > 300);
    double e1 = pclass_report(&gemv, "GEMV m=1, nk>=2^26", "fitted", 0);
    double e2 = pclass_report(&mbound, "GEMM m=5..64, nk>=2^26", "fitted", 0);
    double e3 = pclass_report(&attn, "decode attention KV>=1GB", "not fitted", 0);
    double e4 = pclass_report(&dense, "GEMM m,n,k>=4096 (capped)", "not fitted", 1);
    double tfm = median(dense.tf_meas, dense.n), tfp = median(dense.tf_pred, dense.n);
    /* bounds a little above what the fit achieves (docs/calibration.md); decode attention is
     * high because the model streams KV at 4.3 TB/s where vLLM reaches 3.8 */
    assert_true(fabs(e1) < 3.0 && fabs(e2) < 5.5 && fabs(e3) < 20.0 && fabs(e4) < 2.0);
    assert_true(fabs(tfp - tfm) / tfm < 0.035);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apex_collectives), cmocka_unit_test(test_glassml_collectives),
        cmocka_unit_test(test_flash_attention),  cmocka_unit_test(test_mamf),
        cmocka_unit_test(test_nccl_tests_h200),  cmocka_unit_test(test_perseus_power),
        cmocka_unit_test(test_memgap_kv_pool),   cmocka_unit_test(test_memgap_running_batch),
        cmocka_unit_test(test_gemm_tables),      cmocka_unit_test(test_vidur_a100),
        cmocka_unit_test(test_decode_attention), cmocka_unit_test(test_h200_power),
        cmocka_unit_test(test_mlenergy_pipeline),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
