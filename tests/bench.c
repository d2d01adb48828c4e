/* tests/bench.c — `make bench`: evaluations per second of the full cost model on one core.
 * Prints figures; asserts nothing (speed is not a test). */
#include "../configs/configs.h"
#include "../cost/cost.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void load(const char *model, const char *gpu, llm_model *m, llm_gpu *g)
{
    llm_err err;
    if (configs_load_model(model, m, &err) || configs_load_gpu(gpu, g, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
}

/* Sweeps tp x batch x clock for one model/GPU, each a full cost_eval (plan built each time),
 * and reports evaluations per second. */
static void bench_eval(const char *model, const char *gpu)
{
    llm_model m;
    llm_gpu g;
    load(model, gpu, &m, &g);
    static const int tps[] = {1, 2, 4, 8};
    static const int batches[] = {1, 8, 32, 128, 512};
    long n = 0;
    double sink = 0, t0 = now(), t = 0;
    while ((t = now() - t0) < 1.0) {
        for (unsigned i = 0; i < 4; i++)
            for (unsigned j = 0; j < 5; j++)
                for (double f = g.max_mhz; f >= g.max_mhz - 20 * g.step_mhz; f -= g.step_mhz) {
                    cost_config c;
                    cost_config_default(&c);
                    c.tp = tps[i];
                    c.batch = batches[j];
                    c.freq_mhz = f;
                    llm_err err;
                    if (cost_check(&m, &g, &c, &err))
                        continue;
                    cost_metrics r;
                    cost_eval(&m, &g, &c, &r);
                    sink += r.energy_per_token_j;
                    n++;
                }
    }
    printf("bench eval  %-16s on %-16s %9.0f evaluations/s (1 core, %ld in %.2f s, checksum %.3g)\n",
           model, gpu, n / t, n, t, sink);
}

static void bench_gemm(void)
{
    llm_gpu g;
    llm_model m;
    load("llama-3.1-8b", "h100-sxm5-80gb", &m, &g);
    long n = 0;
    double sink = 0, t0 = now(), t;
    while ((t = now() - t0) < 0.5) {
        for (int i = 1; i <= 4096; i *= 2) {
            cost_kernel k;
            cost_gemm(&g, i, 4096, 4096, 1, 2, 2, 2, 0, 1980, 132, &k);
            sink += k.time_s;
            n++;
        }
    }
    printf("bench gemm  primitive                             %9.0f evaluations/s (checksum %.3g)\n",
           n / t, sink);
}

/* What explore does: one plan per (tp, batch, sm_comm), every supported clock evaluated. */
static void bench_plan(const char *model, const char *gpu)
{
    llm_model m;
    llm_gpu g;
    load(model, gpu, &m, &g);
    static const int tps[] = {1, 2, 4, 8};
    static const int batches[] = {1, 8, 32, 128, 512};
    long n = 0;
    double sink = 0, t0 = now(), t = 0;
    while ((t = now() - t0) < 1.0) {
        for (unsigned i = 0; i < 4; i++)
            for (unsigned j = 0; j < 5; j++) {
                cost_config c;
                cost_config_default(&c);
                c.tp = tps[i];
                c.batch = batches[j];
                llm_err err;
                if (cost_check(&m, &g, &c, &err))
                    continue;
                cost_plan p;
                cost_plan_build(&m, &g, &c, &p);
                for (double f = g.min_mhz; f <= g.max_mhz; f += g.step_mhz) {
                    cost_metrics r;
                    cost_plan_eval(&p, f, g.tdp_w, &r);
                    sink += r.energy_per_token_j;
                    n++;
                }
            }
    }
    printf("bench clock %-16s on %-16s %9.0f evaluations/s (1 core; plan built per tp x batch, "
           "%d clocks each; checksum %.3g)\n", model, gpu, n / t, llm_gpu_clock_steps(&g), sink);
}

int main(void)
{
    bench_gemm();
    bench_eval("llama-3.1-8b", "h100-sxm5-80gb");
    bench_eval("llama-3.1-70b", "h100-sxm5-80gb");
    bench_eval("mixtral-8x7b", "h100-sxm5-80gb");
    bench_eval("qwen3-235b-a22b", "h200-sxm-141gb");
    bench_plan("llama-3.1-70b", "h100-sxm5-80gb");
    bench_plan("qwen3-235b-a22b", "h200-sxm-141gb");
    return 0;
}
