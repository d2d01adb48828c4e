/* tests/fuzz/fuzz.c — libFuzzer harnesses, one per parser, chosen at build time with
 * -DFUZZ_<NAME> (make fuzz). Each parses the input; what parses is then used the way llmdse
 * uses it, and a non-finite or negative result aborts (a finding, like a crash). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../configs/configs.h"
#include "../../cost/cost.h"
#include "../../reports/reports.h"
#include "../../search/search.h"
#include "../../space/space.h"
#include "../../validate/planline.h"
#include "../../validate/validate.h"

static llm_model model;
static llm_gpu gpu;
static int loaded;

static void load_once(void)
{
    llm_err err;
    if (loaded)
        return;
    if (configs_load_model("llama-3.2-1b", &model, &err) ||
        configs_load_gpu("h100-sxm5-80gb", &gpu, &err)) {
        fprintf(stderr, "fuzz: %s\n", err.msg);
        abort();
    }
    loaded = 1;
}

/* One configuration evaluated; a non-finite or negative metric is a bug. */
static void eval_checked(const llm_model *m, const llm_gpu *g, int prompt, int output)
{
    cost_config c;
    llm_err err;
    cost_config_default(&c);
    c.prompt = prompt;
    c.output = output;
    c.batch = 16;
    if (cost_check(m, g, &c, &err))
        return;
    cost_metrics r;
    cost_eval(m, g, &c, &r);
    if (!report_metrics_finite(&r))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    load_once();
    llm_err err;
#if defined(FUZZ_MODEL)
    llm_model m;
    if (!configs_parse_model(s, "fuzz.json", &m, &err))
        eval_checked(&m, &gpu, 128, 32);
#elif defined(FUZZ_GPU)
    llm_gpu g;
    if (!configs_parse_gpu(s, "fuzz.json", &g, &err)) {
        /* sku-check's checks and derived numbers: finite for every file that loads */
        char msgs[32][LLM_ERR_MAX];
        int n = configs_gpu_plausible(&g, msgs, 32);
        llm_gpu_derived d;
        llm_gpu_derive(&g, &d);
        const double v[] = {d.bf16_tflops, d.fp8_tflops, d.bf16_ratio, d.fp8_ratio,
                            d.bf16_peak_mhz, d.fp8_peak_mhz, d.bus_gbs, d.flop_per_byte,
                            d.link_gen_gbs};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            if (!isfinite(v[i]) || v[i] < 0)
                abort();
        if (n < 0 || n > 32 || !d.link_gen_name)
            abort();
        eval_checked(&model, &g, 128, 32);
    }
#elif defined(FUZZ_WORKLOAD)
    llm_workload w;
    if (!configs_parse_workload(s, "fuzz.json", &w, &err) && w.prompt_mean < 4096 &&
        w.output_mean < 4096)
        eval_checked(&model, &gpu, (int)lround(w.prompt_mean), (int)lround(w.output_mean));
#elif defined(FUZZ_SERVING)
    llm_serving sv;
    if (!configs_parse_serving(s, "fuzz.json", &sv, &err)) {
        /* the profile at a few batches, chunked or not, paged, saturated and under load */
        static const int batches[] = {1, 7, 256};
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++) {
                cost_config c;
                cost_config_default(&c);
                c.serving = &sv;
                c.kv_paged = 1;
                c.batch = batches[i];
                c.chunk_tokens = j ? 300 : 0;
                c.prompt = 700;
                c.output = 90;
                if (cost_check(&model, &gpu, &c, &err))
                    continue;
                cost_metrics r;
                cost_eval(&model, &gpu, &c, &r);
                if (!report_metrics_finite(&r))
                    abort();
                c.rate_rps = 0.7 * r.capacity_rps;
                cost_eval(&model, &gpu, &c, &r);
                if (!report_metrics_finite(&r) || r.overloaded)
                    abort();
            }
    }
#elif defined(FUZZ_SPACE)
    llm_space_spec spec;
    if (!configs_parse_space(s, "fuzz.json", &spec, &err)) {
        space_t sp;
        if (!space_build(&spec, &model, &gpu, &sp, &err)) {
            /* decode the first and last points: the index arithmetic at the extremes */
            int d[KNOB_COUNT];
            space_point p;
            space_decode(&sp, sp.size - 1, d);
            for (int k = 0; k < KNOB_COUNT; k++)
                if (d[k] < 0 || d[k] >= sp.n[k])
                    abort();
            space_point_of(&sp, d, &p);
            space_decode(&sp, 0, d);
            space_free(&sp);
        }
        configs_free_space(&spec);
    }
#elif defined(FUZZ_MEASURE)
    vfile f;
    if (!validate_parse(s, "fuzz.csv", &f, &err)) {
        for (size_t i = 0; i < f.n; i++) {
            vpred p;
            if (!f.rows[i].ok)
                continue;
            validate_predict(&gpu, &f.rows[i].r, validate_clock(&gpu, &f.rows[i]), &p);
            if (isnan(p.time_s) || p.time_s < 0)
                abort();
        }
        validate_free(&f);
    }
#elif defined(FUZZ_PLAN)
    struct plan_line p;
    char msg[160];
    char *save = NULL;
    for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!plan_parse_line(line, &p, msg, sizeof msg) &&
            (p.m > 1099511627776.0 || p.repeats < 1 || strlen(p.kind) > 31))
            abort();
#elif defined(FUZZ_BANDS)
    llm_bands b;
    if (!configs_parse_bands(s, "fuzz.json", &b, &err)) {
        /* every band of every regime and class on a value, as the outputs use them */
        for (int r = 0; r < LLM_REGIME_COUNT; r++)
            for (int k = 0; k < LLM_BAND_NMETRIC; k++) {
                cost_interval v = cost_band(&b, (llm_band_regime)r, (llm_band_metric)k, 0.5);
                if (!isfinite(v.lo) || !isfinite(v.hi) || v.lo > v.hi || v.lo <= 0 ||
                    !isfinite(cost_band_halfwidth(&b, (llm_band_regime)r, (llm_band_metric)k)))
                    abort();
            }
        for (int c = 0; c < LLM_COV_COUNT; c++) {
            cost_interval e = cost_kernel_energy_band(&b, &gpu, (llm_cov_class)c, 2.0);
            if (!isfinite(e.lo) || !isfinite(e.hi) || e.lo > e.hi)
                abort();
        }
    }
#elif defined(FUZZ_BENCH)
    /* a serving benchmark's result (vLLM's bench serve JSON), as compare-serving reads it */
    llm_bench b;
    if (!configs_parse_bench(s, "bench.json", &b, &err)) {
        if (!b.has[BENCH_COMPLETED] || b.v[BENCH_COMPLETED] < 1 || !b.has[BENCH_TTFT_P50] ||
            !b.has[BENCH_OUTPUT_THROUGHPUT])
            abort();
        for (int k = 0; k < BENCH_NKEYS; k++)
            if (b.has[k] && (!isfinite(b.v[k]) || b.v[k] < 0))
                abort();
    } else if (!err.msg[0] || !strstr(err.msg, "bench.json")) {
        abort(); /* every refusal names the file */
    }
#elif defined(FUZZ_RECOMMENDATION)
    /* recommendation.json as deploy reads it back: names folder-safe, numbers in range */
    static llm_recommendation r;
    if (!configs_parse_recommendation(s, "recommendation.json", &r, &err)) {
        if (r.nmodels < 1 || r.nmodels > LLM_REC_MAX_MODELS || r.npools < 0 ||
            r.npools > LLM_REC_MAX_POOLS || (r.feasible && r.npools < 1))
            abort();
        for (int p = 0; p < r.npools; p++) {
            const llm_rec_pool *q = &r.pools[p];
            char dir[200];
            if (llm_name_check(q->model, NULL, 0) || llm_name_check(q->gpu, NULL, 0) ||
                configs_pool_dir(dir, sizeof dir, p, q->model, q->gpu) || strchr(dir, '/') ||
                q->tp < 1 || q->ep < 1 || q->batch < 1 || q->replicas < 1 ||
                q->replicas_per_gpu < 1 || !isfinite(q->freq_mhz) || !isfinite(q->load_rps) ||
                (unsigned)q->dtype > LLM_FP32 || (unsigned)q->kv_dtype > LLM_FP32)
                abort();
        }
    } else if (!err.msg[0] || !strstr(err.msg, "recommendation.json")) {
        abort(); /* every refusal names the file */
    }
#elif defined(FUZZ_SUMMARY)
    /* summary.json as report and merge read it back */
    llm_summary sum;
    if (!configs_parse_summary(s, "summary.json", space_prune_names, &sum, &err) &&
        (sum.shard_count < 1 || sum.shard_index < 0 || sum.shard_index >= sum.shard_count ||
         sum.threads < 0 || !isfinite(sum.wall_s) || strlen(sum.model) >= sizeof sum.model))
        abort();
#elif defined(FUZZ_FRONT)
    /* front.csv's index column, as report and merge read it back */
    FILE *f = fmemopen((void *)data, size ? size : 1, "r");
    if (f) {
        uint64_t *idx;
        size_t n;
        if (size && !report_parse_front_indices(f, "front.csv", &idx, &n, &err)) {
            for (size_t i = 0; i < n; i++)
                if (idx[i] > UINT64_MAX - 1 && n > size)
                    abort();
            if (n > size)
                abort();
            free(idx);
        }
        fclose(f);
    }
#else
#error "build with -DFUZZ_MODEL, -DFUZZ_GPU, -DFUZZ_WORKLOAD, -DFUZZ_SPACE, -DFUZZ_MEASURE, -DFUZZ_PLAN, -DFUZZ_SUMMARY, -DFUZZ_FRONT, -DFUZZ_BANDS, -DFUZZ_BENCH or -DFUZZ_RECOMMENDATION"
#endif
    free(s);
    return 0;
}
