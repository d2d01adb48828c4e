/* tools/fit_serving.c — fits the vllm-0.5 serving profile's per-step and per-sequence CPU
 * overhead (docs/cost-model.md eq. 40) to the memory-gap offline decode step times
 * (../shared/data/calibration/vllm_batching_memory_gap/offline_prefill_decode_times.csv):
 * measured step = decode_elapsed_s / num_decode_steps_logged at a fixed batch, minus the cost
 * model's own GPU time for that step (no profile), fitted as step_s + seq_step_s x batch by
 * least squares. Fitted on llama-2-7b and opt-1.3b; llama-2-13b (and opt-2.7b where bundled)
 * is held out. `ncu` rows
 * (kernel replay) are not timing and are skipped. Build: make build/fit_serving. */
#include "../configs/configs.h"
#include "../cost/cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The memory-gap GPU: an H100 SXM with 64 GB HBM2e (PROVENANCE.md): vLLM's total 63.43 GiB;
 * 64 GB is four 16 GB HBM2e stacks (the 80 GB part has five), 4 x 1024 bits at 1593 MHz DDR
 * = 1631 GB/s; the rest as the bundled H100 SXM5. */
int memgap_gpu(llm_gpu *g, llm_err *err);
int memgap_gpu(llm_gpu *g, llm_err *err)
{
    if (configs_load_gpu("h100-sxm5-80gb", g, err))
        return -1;
    g->mem_gib = 63.43;
    g->mem_bw_gbs = 4096.0 / 8 * 2 * 1593e6 / 1e9;
    return 0;
}

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

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1]
        : "../shared/data/calibration/vllm_batching_memory_gap/offline_prefill_decode_times.csv";
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "fit_serving: cannot read %s\n", path);
        return 2;
    }
    llm_gpu g;
    llm_err err;
    if (memgap_gpu(&g, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    char line[4096], *fl[32];
    fgets(line, sizeof line, f);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    struct { char model[32]; double batch, meas, gpu; int fit; } rows[256];
    int nr = 0;
    while (fgets(line, sizeof line, f) && nr < 256) {
        if (split(line, fl, 32) < 19)
            continue;
        if (!strcmp(fl[9], "ncu") || strncmp(fl[1], "0.5.", 4) || atof(fl[17]) <= 0 ||
            atof(fl[15]) <= 0)
            continue; /* kernel replay, another vLLM, or a run without logged decode steps */
        llm_model m;
        if (configs_load_model(fl[0], &m, &err))
            continue; /* a model not bundled */
        cost_config c;
        cost_config_default(&c);
        c.batch = atoi(fl[5]);
        c.prompt = atoi(fl[3]);
        c.output = atoi(fl[4]);
        cost_metrics r;
        cost_eval(&m, &g, &c, &r);
        double meas = atof(fl[15]) / atof(fl[17]);
        /* the fit set is fixed: any other model (llama-2-13b, opt-2.7b) is held out */
        int fit = !strcmp(fl[0], "llama-2-7b") || !strcmp(fl[0], "opt-1.3b");
        snprintf(rows[nr].model, sizeof rows[nr].model, "%s", fl[0]);
        rows[nr].batch = c.batch;
        rows[nr].meas = meas;
        rows[nr].gpu = r.tpot_s;
        rows[nr].fit = fit;
        nr++;
        if (fit) {
            double y = meas - r.tpot_s, x = c.batch;
            sx += x; sy += y; sxx += x * x; sxy += x * y; n++;
        }
    }
    fclose(f);
    double b = (n * sxy - sx * sy) / (n * sxx - sx * sx), a = (sy - b * sx) / n;
    printf("fit on %d rows: step_s = %.6g, seq_step_s = %.6g\n", n, a, b);
    double e[2] = {0}, s[2] = {0};
    int k[2] = {0};
    for (int i = 0; i < nr; i++) {
        double pred = rows[i].gpu + a + b * rows[i].batch;
        double err_ = (pred - rows[i].meas) / rows[i].meas;
        printf("%-12s batch %4.0f measured %7.3f ms gpu %7.3f ms predicted %7.3f ms %+6.1f%%%s\n",
               rows[i].model, rows[i].batch, rows[i].meas * 1e3, rows[i].gpu * 1e3, pred * 1e3,
               100 * err_, rows[i].fit ? "" : " (held out)");
        e[rows[i].fit] += fabs(err_);
        s[rows[i].fit] += err_;
        k[rows[i].fit]++;
    }
    for (int i = 1; i >= 0; i--)
        if (k[i])
            printf("%s: %d rows, MAPE %.1f%%, mean signed %+.1f%%\n", i ? "fitted" : "held out",
                   k[i], 100 * e[i] / k[i], 100 * s[i] / k[i]);
    return 0;
}
