/* tests/bench.c — `make bench`: evaluations per second of the full cost model on one core.
 * Prints figures; asserts nothing (speed is not a test). */
#include "../configs/configs.h"
#include "../cost/cost.h"
#include "../search/search.h"
#include "../space/space.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* The command line's default serving profile (LLM_SERVING_DEFAULT, paged KV): what explore
 * evaluates unless told otherwise. */
static llm_serving default_serving(void)
{
    llm_serving sv;
    llm_err err;
    if (configs_load_serving(LLM_SERVING_DEFAULT, &sv, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
    return sv;
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
    llm_serving sv = default_serving();
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
                    c.serving = &sv;
                    c.kv_paged = 1;
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
            cost_gemm(&g, &(cost_gemm_shape){i, 4096, 4096, 1, 2, 2, 2, 0}, 1980, 132, &k);
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
    llm_serving sv = default_serving();
    long n = 0;
    double sink = 0, t0 = now(), t = 0;
    while ((t = now() - t0) < 1.0) {
        for (unsigned i = 0; i < 4; i++)
            for (unsigned j = 0; j < 5; j++) {
                cost_config c;
                cost_config_default(&c);
                c.tp = tps[i];
                c.batch = batches[j];
                c.serving = &sv;
                c.kv_paged = 1;
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

/* One explore run in a child process, so its peak memory (ru_maxrss) is its own. The space is
 * the bundled one, with the batch grid (1, 9, 17, ...) extended `widen` times: 10x the points,
 * and memory must stay flat. */
static void bench_explore(const char *space, int threads, int widen)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        llm_model m;
        llm_gpu g;
        llm_workload w;
        llm_space_spec spec;
        space_t s;
        llm_err err;
        load("llama-3.1-70b", "h100-sxm5-80gb", &m, &g);
        if (configs_load_workload("chat", &w, &err) || configs_load_space(space, &spec, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            _exit(1);
        }
        if (widen > 1) {
            int n = spec.n[KNOB_BATCH] * widen;
            double *v = malloc(sizeof(double) * (size_t)n);
            for (int i = 0; i < n; i++)
                v[i] = 1 + 8 * i;
            free(spec.values[KNOB_BATCH]);
            spec.values[KNOB_BATCH] = v;
            spec.n[KNOB_BATCH] = n;
        }
        if (space_build(&spec, &m, &g, &s, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            _exit(1);
        }
        explore_args a;
        memset(&a, 0, sizeof a);
        llm_serving sv = default_serving();
        a.in = (search_inputs){&m, &g, &w, &s, &sv, 0, 1, NULL, 0};
        a.nobj = search_default_objectives(a.obj);
        a.end = s.size;
        a.threads = threads;
        explore_result r;
        if (search_explore(&a, &r, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            _exit(1);
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("bench explore %s%s, %d thread%s: %llu configs in %.3f s = %6.2f M configs/s "
               "(%5.2f M/s per thread; %llu evaluated = %5.2f M evaluations/s), front %zu, "
               "peak memory %ld MiB\n", space, widen > 1 ? " x10 batches" : "", r.threads,
               r.threads > 1 ? "s" : "", (unsigned long long)s.size, r.wall_s,
               s.size / r.wall_s / 1e6, s.size / r.wall_s / 1e6 / r.threads,
               (unsigned long long)r.evaluated, r.evaluated / r.wall_s / 1e6, r.front.n,
               ru.ru_maxrss / 1024);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
}

/* NLopt search against exhaustive on a bundled space: hypervolume and evaluations. */
static void bench_search(const char *model, const char *gpu, const char *space)
{
    llm_model m;
    llm_gpu g;
    llm_workload w;
    llm_space_spec spec;
    space_t s;
    llm_err err;
    load(model, gpu, &m, &g);
    if (configs_load_workload("chat", &w, &err) || configs_load_space(space, &spec, &err) ||
        space_build(&spec, &m, &g, &s, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
    configs_free_space(&spec);
    nlsearch_args a;
    memset(&a, 0, sizeof a);
    llm_serving sv = default_serving();
    a.in = (search_inputs){&m, &g, &w, &s, &sv, 0, 1, NULL, 0};
    a.nobj = search_default_objectives(a.obj);
    a.levels = 2;        /* llmdse search's defaults */
    a.starts = 1;
    a.maxeval = 40;
    a.polish_rounds = 50;
    double t0 = now();
    nlsearch_result r;
    if (search_nlopt(&a, &r, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
    double t = now() - t0;
    explore_args ea;
    memset(&ea, 0, sizeof ea);
    ea.in = a.in;
    ea.nobj = 3;
    memcpy(ea.obj, a.obj, sizeof a.obj);
    ea.end = s.size;
    explore_result ex;
    search_comparison c;
    if (search_explore(&ea, &ex, &err) || search_compare(&r.front, &ex.front, &c)) {
        fprintf(stderr, "bench: explore failed\n");
        exit(1);
    }
    printf("bench search %-15s %-15s %-21s %6.2f%% of the exhaustive hypervolume with "
           "%5.2f%% of its evaluations (%llu of %llu), %llu of %zu front points missed, "
           "%.2f s\n", model, gpu, space, 100 * c.ratio,
           100.0 * r.evaluations / (ex.evaluated ? ex.evaluated : 1),
           (unsigned long long)r.evaluations, (unsigned long long)ex.evaluated,
           (unsigned long long)c.missed, ex.front.n, t);
    explore_result_free(&ex);
    nlsearch_result_free(&r);
    space_free(&s);
}

/* recommend's candidates and plan (with its runner-ups) as the command line finds them: the
 * default space and serving profile, 0.8 headroom, 150 MHz clock bands; the time limit 30 s.
 * Prints seconds and whether the plan is proven optimal (or its gap). */
static void bench_recommend(const char *label, int nm, const char *const *models,
                            const double *rates, int ng, const char *const *gpus,
                            const double *counts, double cap, double band)
{
    llm_model m[REC_MAX_MODELS];
    llm_gpu g[REC_MAX_SKUS];
    llm_workload w[REC_MAX_MODELS];
    double price[REC_MAX_SKUS] = {0};
    llm_err err;
    rec_problem p;
    memset(&p, 0, sizeof p);
    p.nmodels = nm;
    p.nskus = ng;
    p.power_cap = cap;
    p.time_limit_s = 30;
    p.headroom = REC_HEADROOM_DEFAULT;
    p.clock_band_mhz = band;
    for (int i = 0; i < nm; i++) {
        p.rate[i] = rates[i];
        if (configs_load_model(models[i], &m[i], &err) ||
            configs_load_workload("chat", &w[i], &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
    }
    for (int k = 0; k < ng; k++) {
        p.count[k] = counts[k];
        if (configs_load_gpu(gpus[k], &g[k], &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
    }
    llm_serving sv = default_serving();
    search_inputs in = {0};
    in.serving = &sv;
    in.kv_paged = 1;
    double t0 = now();
    rec_candidate *cand;
    rec_plan pl;
    if (rec_candidates(m, g, price, w, NULL, &in, &p, &cand, &err) ||
        rec_plan_solve(&p, g, price, &pl, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
    double t = now() - t0;
    char st[64];
    if (pl.best.status == REC_OPTIMAL)
        snprintf(st, sizeof st, "optimal");
    else if (pl.best.status == REC_FEASIBLE)
        snprintf(st, sizeof st, "not proven optimal, gap %.3g%%", 100 * pl.best.gap);
    else
        snprintf(st, sizeof st, "no plan");
    printf("bench recommend %-44s %6.2f s (%zu candidates, %d runner-ups, %s, %.0f W)\n", label,
           t, p.n, pl.n_runners, st, pl.best.energy_w);
    rec_plan_free(&pl);
    free(cand);
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
    int all = omp_get_max_threads();
    bench_explore("llama-3.1-70b-8xh100", 1, 1);
    bench_explore("llama-3.1-70b-8xh100", all, 1);
    bench_explore("llama-3.1-70b-8xh100", all, 10);
    bench_search("llama-3.1-70b", "h100-sxm5-80gb", "llama-3.1-70b-8xh100");
    bench_search("mixtral-8x7b", "h100-sxm5-80gb", "moe-8gpu");
    bench_search("qwen3-30b-a3b", "h100-sxm5-80gb", "moe-8gpu");
    bench_search("qwen3-235b-a22b", "h200-sxm-141gb", "moe-8gpu");
    bench_search("llama-3.1-8b", "h100-sxm5-80gb", "small");
    {
        const char *m1[] = {"llama-3.2-1b"}, *g1[] = {"h100-sxm5-80gb"};
        const double r1[] = {10}, c1[] = {8};
        bench_recommend("llama-3.2-1b 10/s on 8 H100", 1, m1, r1, 1, g1, c1, 0, 0);
        const char *m2[] = {"llama-3.1-70b", "llama-3.1-8b"};
        const char *g2[] = {"h100-sxm5-80gb", "a100-sxm4-80gb"};
        const double r2[] = {20, 50}, c2[] = {8, 32};
        bench_recommend("70b 20/s + 8b 50/s, 8 H100 + 32 A100, 8 kW", 2, m2, r2, 2, g2, c2,
                        8000, 0);
        bench_recommend("the same, every clock (--clock-band 0)", 2, m2, r2, 2, g2, c2, 8000,
                        -1);
    }
    return 0;
}
