/* cmd/validate.c — llmdse validate plan|compare|e2e: the kernels for the CUDA runner, the
 * model against their measurements, and against published serving sets (validate/, reports/).
 * docs/validate.md. */
#include "cmd.h"

#include "../validate/validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const llm_gpu *g;
    const vfile *f;
    const vsummary *s;
    const char *gpu_name, *source;
    const vrow *rows;
    size_t n;
} vout;

static int write_plan(FILE *f, void *ctx)
{
    const vout *o = ctx;
    validate_write_plan(f, o->gpu_name, o->source, o->rows, o->n);
    return 0;
}

static int write_cmp_md(FILE *f, void *ctx)
{
    const vout *o = ctx;
    validate_report_md(f, o->g, o->f, o->s);
    return 0;
}

static int write_cmp_json(FILE *f, void *ctx)
{
    const vout *o = ctx;
    validate_report_json(f, o->g, o->f, o->s);
    return 0;
}

/* --data DIR, else the shared folder's calibration data (validate_data_dir). */
static void data_dir(const char *data, char *dir, size_t len)
{
    if (data)
        snprintf(dir, len, "%s", data);
    else
        validate_data_dir(dir, len);
}

/* llmdse validate e2e: the model against the published end-to-end serving sets. */
static int validate_e2e_cmd(int argc, char **argv)
{
    const char *data = NULL, *rows = NULL, *fit_set = NULL;
    opt opts[] = {{"--data", NULL, O_STR, &data, 0, 0, 0},
                  {"--rows", NULL, O_STR, &rows, 0, 0, 0},
                  {"--fit-overhead", NULL, O_STR, &fit_set, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 3, opts, "validate e2e");
    char dir[1024];
    data_dir(data, dir, sizeof dir);
    llm_err err;
    if (fit_set) {
        if (rows)
            die_usage("validate e2e: --rows and --fit-overhead are separate runs");
        e2e_fit fit;
        if (validate_e2e_fit_overhead(dir, fit_set, &fit, &err))
            die_usage("validate e2e: %s", err.msg);
        printf("%s fitted to %s (%d rows with a measured TPOT): step_s %.4g, seq_step_s "
               "%.4g; TPOT MAPE %.1f%% with the profile as it is, %.1f%% fitted\n",
               fit.serving, fit_set, fit.n, fit.step_s, fit.seq_step_s, fit.mape_before,
               fit.mape_after);
        return 0;
    }
    FILE *rf = NULL;
    if (rows && !(rf = fopen(rows, "w")))
        die_usage("validate e2e: --rows: cannot write %s: %s", rows, strerror(errno));
    e2e_result r;
    int rc = validate_e2e(dir, rf, &r, &err);
    if (rf && fclose(rf) && !rc) {
        fprintf(stderr, "llmdse: error: validate e2e: %s: write failed\n", rows);
        return 1;
    }
    if (rc) {
        if (rows)
            remove(rows);
        die_usage("validate e2e: %s (--data DIR or LLMDSE_SHARED names the shared folder)",
                  err.msg);
    }
    validate_e2e_report(stdout, &r);
    return 0;
}

static int write_bands(FILE *f, void *ctx)
{
    const void **c = ctx;
    validate_bands_json(f, c[0], c[1]);
    return 0;
}

/* llmdse validate bands: the uncertainty bands from out-of-fit residuals (make bands). */
static int validate_bands_cmd(int argc, char **argv)
{
    const char *data = NULL, *out = NULL;
    opt opts[] = {{"--data", NULL, O_STR, &data, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 3, opts, "validate bands");
    char dir[1024];
    data_dir(data, dir, sizeof dir);
    llm_err err;
    static validate_bands_out o;
    if (validate_bands(dir, &o, &err))
        die_usage("validate bands: %s (--data DIR or LLMDSE_SHARED names the shared folder)",
                  err.msg);
    validate_bands_check(stdout, dir, &o.b);
    if (!out) {
        validate_bands_json(stdout, &o, dir);
        return 0;
    }
    const void *ctx[2] = {&o, dir};
    if (report_write_file(out, write_bands, (void *)ctx, &err)) {
        fprintf(stderr, "llmdse: error: validate bands: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/* --clocks MHZ,...: each snapped to the GPU's steps. */
static int parse_clocks(const char *clocks, const llm_gpu *g, double *cl)
{
    int nc = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", clocks);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        if (nc == 64)
            die_usage("validate plan: --clocks: at most 64");
        double f = parse_num("--clocks", t, 1, 1e5);
        if ((cl[nc++] = llm_gpu_snap_clock(g, f)) < 0)
            die_usage("validate plan: --clocks: %g MHz is outside %s's range [%g, %g]", f,
                      g->name, g->min_mhz, g->max_mhz);
    }
    return nc;
}

static int validate_plan_cmd(int argc, char **argv)
{
    const char *gpu = NULL, *out = NULL, *clocks = NULL, *front = NULL, *model = NULL;
    const char *workload = NULL;
    int top = 5;
    opt opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--clocks", NULL, O_STR, &clocks, 0, 0, 0},
                  {"--front", NULL, O_STR, &front, 0, 0, 0},
                  {"--top", NULL, O_INT, &top, 1, 1000, 0},
                  {"--model", "-m", O_STR, &model, 0, 0, 0},
                  {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 3, opts, "validate plan");
    llm_gpu g;
    llm_err err;
    load_gpu_opt("validate plan", gpu, &g);
    vrow *rows = NULL;
    size_t n = 0;
    char source[512];
    if (front) {
        if (!model || !workload)
            die_usage("validate plan --front: -m MODEL and -w WORKLOAD are required");
        llm_model m;
        llm_workload w;
        int k;
        load_or_die(configs_load_model(model, &m, &err), &err);
        load_or_die(configs_load_workload(workload, &w, &err), &err);
        cost_config *cf = calloc((size_t)top, sizeof *cf);
        if (!cf || report_front_configs(front, top, &w, cf, &k, &err) ||
            validate_plan_configs(front, cf, k, &m, &g, &rows, &n, &err))
            die_usage("validate plan: %s", cf ? err.msg : "out of memory");
        free(cf);
        snprintf(source, sizeof source, "front %.400s, %d configurations of %s", front, k,
                 m.name);
    } else {
        double cl[64];
        int nc = clocks ? parse_clocks(clocks, &g, cl) : 0;
        n = validate_plan_sweep(&g, cl, nc, &rows);
        snprintf(source, sizeof source, "standard sweep%s%s", clocks ? ", clocks " : "",
                 clocks ? clocks : "");
    }
    vout o = {&g, NULL, NULL, g.name, source, rows, n};
    int rc = out ? report_write_file(out, write_plan, &o, &err) : write_plan(stdout, &o);
    free(rows);
    if (rc) {
        fprintf(stderr, "llmdse: error: validate plan: %s\n", err.msg);
        return 1;
    }
    if (out)
        fprintf(stderr, "llmdse: validate plan: %zu kernels -> %s\n", n, out);
    return 0;
}

static int validate_compare_cmd(int argc, char **argv)
{
    const char *gpu = NULL, *out = NULL, *measured = NULL, *format = NULL;
    opt opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--measured", NULL, O_STR, &measured, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--format", NULL, O_STR, &format, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 3, opts, "validate compare");
    llm_gpu g;
    llm_err err;
    load_gpu_opt("validate compare", gpu, &g);
    if (!measured)
        die_usage("validate compare: --measured FILE is required");
    if (format && strcmp(format, "text") && strcmp(format, "json"))
        die_usage("validate compare: --format: expected text or json, found \"%s\"", format);
    vfile f;
    load_or_die(validate_read(measured, &f, &err), &err);
    vsummary s;
    validate_compare(&g, &f, &s);
    vout o = {&g, &f, &s, g.name, NULL, NULL, 0};
    if (out) {
        /* into an explore output (report shows compare.md): its files kept, one change */
        report_outdir od;
        outdir_begin(&od, "validate compare", out, OUTDIR_UPDATE);
        if (report_write_atomic(od.tmp, "compare.json", write_cmp_json, &o, &err) ||
            report_write_atomic(od.tmp, "compare.md", write_cmp_md, &o, &err) ||
            report_outdir_commit(&od, 0, &err)) {
            fprintf(stderr, "llmdse: error: validate compare: %s\n", err.msg);
            validate_free(&f);
            return 1;
        }
    }
    if (format && !strcmp(format, "json"))
        validate_report_json(stdout, &g, &f, &s);
    else
        validate_report_md(stdout, &g, &f, &s);
    validate_free(&f);
    return 0;
}

/* llmdse validate compare-serving: a serving benchmark's result (vLLM's bench serve JSON)
 * against the predicted.json of a deploy folder (reports/deploy.c, docs/deploy.md). */
static int validate_serving_cmd(int argc, char **argv)
{
    const char *measured = NULL, *dir = NULL, *format = NULL;
    opt opts[] = {{"--measured", NULL, O_STR, &measured, 0, 0, 0},
                  {"--in", "-i", O_STR, &dir, 0, 0, 0},
                  {"--format", NULL, O_STR, &format, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 3, opts, "validate compare-serving");
    if (!measured || !dir)
        die_usage("validate compare-serving: --measured BENCH.json and -i DEPLOY_DIR are "
                  "required");
    report_format fmt = parse_format(format, 0);
    llm_err err;
    if (report_compare_serving(stdout, fmt, dir, measured, NULL, &err))
        return report_error(&err);
    return 0;
}

int cmd_validate(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[2], "compare-serving"))
        return validate_serving_cmd(argc, argv);
    if (argc >= 3 && !strcmp(argv[2], "e2e"))
        return validate_e2e_cmd(argc, argv);
    if (argc >= 3 && !strcmp(argv[2], "bands"))
        return validate_bands_cmd(argc, argv);
    if (argc >= 3 && !strcmp(argv[2], "plan"))
        return validate_plan_cmd(argc, argv);
    if (argc >= 3 && !strcmp(argv[2], "compare"))
        return validate_compare_cmd(argc, argv);
    die_usage("validate: expected \"plan\", \"compare\", \"compare-serving\", \"e2e\" or "
              "\"bands\" (and "
              "\"llmdse calibrate\")");
}
