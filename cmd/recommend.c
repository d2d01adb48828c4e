/* cmd/recommend.c — llmdse recommend: the fleet under SLOs, load and a power cap, as an
 * integer program over each (model, SKU)'s front (search/fleet.c, reports/). docs/recommend.md. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits a comma-separated list in place; returns the count (at most max). */
static int split_list(char *s, char **out, int max, const char *what)
{
    int n = 0;
    for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
        if (n == max)
            die_usage("recommend: %s: at most %d entries", what, max);
        out[n++] = t;
    }
    if (!n)
        die_usage("recommend: %s: expected a comma-separated list", what);
    return n;
}

typedef struct {
    rec_problem prob;
    double price[REC_MAX_SKUS];
    llm_model models[REC_MAX_MODELS];
    llm_gpu gpus[REC_MAX_SKUS];
    llm_workload w[REC_MAX_MODELS];   /* one per model */
    report_rec_extra x;
} rec_inputs;

/* --gpus GPU:COUNT[:PRICE],...: each SKU loaded, its count and price. */
static void load_skus(char **gnames, int ng, rec_inputs *ri)
{
    llm_err err;
    for (int k = 0; k < ng; k++) {
        char *c1 = strchr(gnames[k], ':');
        if (!c1)
            die_usage("recommend: --gpus: expected GPU:COUNT[:PRICE], found \"%s\"", gnames[k]);
        *c1++ = '\0';
        char *c2 = strchr(c1, ':');
        if (c2)
            *c2++ = '\0';
        ri->prob.count[k] = (double)parse_int("--gpus COUNT", c1, 1, 1e9);
        load_or_die(configs_load_gpu(gnames[k], &ri->gpus[k], &err), &err);
        ri->price[k] = c2 ? parse_num("--gpus PRICE", c2, 0, 1e6) : ri->gpus[k].price_per_hour;
        if (ri->prob.objective == REC_COST && ri->price[k] <= 0)
            die_usage("recommend: --objective cost: no price for %s (give GPU:COUNT:PRICE)",
                      gnames[k]);
        for (int j = 0; j < k; j++)
            if (!strcmp(ri->gpus[j].name, ri->gpus[k].name))
                die_usage("recommend: --gpus: %s given twice", ri->gpus[k].name);
    }
}

/* The lists of -m, --rate and --gpus, and every input loaded. */
static void load_lists(const char *models_arg, const char *rates_arg, const char *gpus_arg,
                       const char *workload, rec_inputs *ri)
{
    char mbuf[1024], rbuf[1024], gbuf[2048];
    if (strlen(models_arg) >= sizeof mbuf || strlen(rates_arg) >= sizeof rbuf ||
        strlen(gpus_arg) >= sizeof gbuf)
        die_usage("recommend: an option's list is too long");
    strcpy(mbuf, models_arg);
    strcpy(rbuf, rates_arg);
    strcpy(gbuf, gpus_arg);
    char *mnames[REC_MAX_MODELS], *rnames[REC_MAX_MODELS], *gnames[REC_MAX_SKUS];
    char wbuf[2048];
    if (strlen(workload) >= sizeof wbuf)
        die_usage("recommend: an option's list is too long");
    strcpy(wbuf, workload);
    char *wnames[REC_MAX_MODELS];
    int nm = split_list(mbuf, mnames, REC_MAX_MODELS, "-m");
    int nr = split_list(rbuf, rnames, REC_MAX_MODELS, "--rate");
    int ng = split_list(gbuf, gnames, REC_MAX_SKUS, "--gpus");
    if (nm != nr)
        die_usage("recommend: --rate: expected one rate per model (%d), found %d", nm, nr);
    int nw = split_list(wbuf, wnames, REC_MAX_MODELS, "-w");
    if (nw != 1 && nw != nm)
        die_usage("recommend: -w: expected one workload for all models or one per model (%d), "
                  "found %d", nm, nw);
    ri->prob.nmodels = nm;
    ri->prob.nskus = ng;
    for (int i = 0; i < nr; i++)
        ri->prob.rate[i] = parse_num("--rate", rnames[i], 1e-9, 1e12);
    load_skus(gnames, ng, ri);
    llm_err err;
    for (int i = 0; i < nm; i++) {
        load_or_die(configs_load_model(mnames[i], &ri->models[i], &err), &err);
        for (int j = 0; j < i; j++)
            if (!strcmp(ri->models[j].name, ri->models[i].name))
                die_usage("recommend: -m: %s given twice (give its rates as one sum)",
                          ri->models[i].name);
    }
    for (int i = 0; i < nm; i++)
        if (i < nw)
            load_or_die(configs_load_workload(wnames[i], &ri->w[i], &err), &err);
        else
            ri->w[i] = ri->w[0];
}

/* Progress on stderr, once a run has taken a second: short runs stay quiet. */
static double run_t0;

static void progress(const char *label)
{
    if (rec_clock_s() - run_t0 >= 1)
        fprintf(stderr, "llmdse: recommend: sensitivity: %s\n", label);
}

/* The candidates, the plan, its files in dir (may be NULL) and on stdout: 0, 2 (nothing meets
 * the request), or minus the exit status of an error (said on stderr). With dir, the plan's
 * pool latencies and its sensitivity are found too, for the fleet report. */
static int recommend(rec_inputs *ri, const char *space, const char *dir, const char *format,
                     const serving_args *sv)
{
    llm_err err;
    llm_space_spec base;
    if (space)
        load_or_die(configs_load_space(space, &base, &err), &err);
    search_inputs serving = {0};
    serving_inputs(sv, &serving);
    rec_candidate *cand = NULL;
    rec_plan pl;
    memset(&pl, 0, sizeof pl);
    cost_metrics *pool = NULL;
    rec_sens_case sens[REC_SENS_CASES];
    double t0 = run_t0 = rec_clock_s();
    int rc = rec_recommend(ri->models, ri->gpus, ri->price, ri->w, space ? &base : NULL,
                           &serving, &ri->prob, &cand, &pl, &err);
    if (!rc && rec_clock_s() - t0 >= 1)
        fprintf(stderr, "llmdse: recommend: %zu candidates, planned in %.1f s\n", ri->prob.n,
                rec_clock_s() - t0);
    if (!rc && dir && !pl.infeasible) {
        pool = calloc(ri->prob.n ? ri->prob.n : 1, sizeof *pool);
        if (!pool) {
            llm_err_fail(&err, "out of memory");
            rc = -1;
        }
        for (size_t i = 0; !rc && i < ri->prob.n; i++)
            if (pl.best.n[i] > 0.5) {
                const rec_candidate *c = &ri->prob.c[i];
                rec_pool_metrics(&ri->models[c->model], &ri->gpus[c->sku], &ri->w[c->model],
                                 &serving, c, pl.best.y[i] / pl.best.n[i], &pool[i]);
            }
        ri->x.pool = pool;
        if (!rc && !rec_sensitivity(ri->models, ri->gpus, ri->price, ri->w,
                                    space ? &base : NULL, &serving, &ri->prob, t0, progress,
                                    sens, &err))
            ri->x.sens = sens;
        else
            rc = -1;
    }
    if (rc || report_recommend_out_x(dir, format, ri->models, ri->gpus, ri->w, &ri->prob, &pl,
                                     dir ? &ri->x : NULL, &err)) {
        llm_err_prefix(&err, "recommend", 0);
        rec_plan_free(&pl);
        free(cand);
        free(pool);
        return -report_error(&err);
    }
    if (space)
        configs_free_space(&base);
    rec_plan_free(&pl);
    free(cand);
    free(pool);
    if (pl.infeasible) {
        if (format)
            fprintf(stderr, "llmdse: recommend: no plan meets the request; the report says "
                    "which constraint to relax\n");
        return 2;
    }
    return 0;
}

int cmd_recommend(int argc, char **argv)
{
    const char *models_arg = NULL, *workload = NULL, *rates_arg = NULL, *gpus_arg = NULL;
    const char *space = NULL, *out = NULL, *objective = "energy", *format = "md";
    static rec_inputs ri;
    serving_args sv = {0};
    double headroom = REC_HEADROOM_DEFAULT, band = REC_CLOCK_BAND_DEFAULT;
    const char *confidence = NULL;
    ri.prob.time_limit_s = 60;
    opt opts[] = {SERVING_OPTS(sv),
                  {"--model", "-m", O_STR, &models_arg, 0, 0, 0},
                  {"--workload", "-w", O_STR, &workload, 0, 0, 0},
                  {"--rate", NULL, O_STR, &rates_arg, 0, 0, 0},
                  {"--gpus", NULL, O_STR, &gpus_arg, 0, 0, 0},
                  {"--space", "-s", O_STR, &space, 0, 0, 0},
                  {"--objective", NULL, O_STR, &objective, 0, 0, 0},
                  {"--power-cap", NULL, O_NUM, &ri.prob.power_cap, 1, 1e12, 0},
                  {"--headroom", NULL, O_NUM, &headroom, -1e12, 1e12, 0},
                  {"--time-limit", NULL, O_NUM, &ri.prob.time_limit_s, 0.001, 86400, 0},
                  {"--clock-band", NULL, O_NUM, &band, 0, 10000, 0},
                  {"--confidence", NULL, O_STR, &confidence, 0, 0, 0},
                  {"--host-power", NULL, O_NUM, &ri.x.host_power_w, 0, 1e6, 0},
                  {"--pue", NULL, O_NUM, &ri.x.pue, 1, 10, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--format", NULL, O_STR, &format, 0, 0, 0},
                  {"--disaggregated", NULL, O_FLAG, &ri.prob.disaggregated, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 2, opts, "recommend");
    if (!(headroom > 0 && headroom <= 1))
        die_usage("recommend: --headroom: expected the share of capacity a pool may be planned "
                  "at, in (0, 1], found %g", headroom);
    ri.prob.headroom = headroom;
    ri.prob.clock_band_mhz = band > 0 ? band : -1; /* 0: every clock kept */
    /* eq. R12: --confidence P in [0.5, 0.999], or "none" for the point estimates */
    if (confidence && !strcmp(confidence, "none"))
        ri.prob.confidence = -1;
    else if (confidence)
        ri.prob.confidence = parse_num("--confidence", confidence, 0.5, 0.999);
    load_serving(&sv, "recommend");
    if (!models_arg || !workload || !rates_arg || !gpus_arg)
        die_usage("recommend: -m MODEL[,MODEL...], -w WORKLOAD, --rate R[,R...] and "
                  "--gpus GPU:COUNT[:PRICE][,...] are required");
    int obj = -1;
    for (int i = 0; rec_objective_names[i]; i++)
        if (!strcmp(objective, rec_objective_names[i]))
            obj = i;
    if (obj < 0)
        die_usage("recommend: --objective: expected energy, gpus or cost, found \"%s\"",
                  objective);
    ri.prob.objective = (rec_objective)obj;
    if (strcmp(format, "md") && strcmp(format, "json"))
        die_usage("recommend: --format: expected md or json, found \"%s\"", format);
    load_lists(models_arg, rates_arg, gpus_arg, workload, &ri);
    ri.prob.serving = sv.name; /* as given, as summary.json records it */
    ri.prob.chunk_tokens = sv.chunk_tokens;
    ri.prob.kv_paged = sv.kv_paged;
    if (out && !*out)
        die_usage("recommend: -o: expected a folder name, found an empty string");
    if (!out) {
        int rc = recommend(&ri, space, NULL, format, &sv);
        return rc < 0 ? -rc : rc;
    }
    /* into an explore output: its files are kept, the recommendation added, as one change */
    report_outdir od;
    llm_err err;
    outdir_begin(&od, "recommend", out, OUTDIR_UPDATE);
    int rc = recommend(&ri, space, od.tmp, format, &sv);
    if (rc < 0) {
        report_outdir_abort(&od);
        return -rc;
    }
    if (report_outdir_commit(&od, 0, &err)) {
        fprintf(stderr, "llmdse: error: recommend: %s\n", err.msg);
        return 1;
    }
    return rc;
}
