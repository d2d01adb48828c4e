/* cmd/eval.c — llmdse eval: one configuration (cost/, reports/). docs/cli.md. */
#include "cmd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* eval --from DIR --index N: row N of an explore or search folder's front, evaluated again
 * with the inputs its summary.json records, shown with the breakdown of eval. */
static int eval_from(const char *dir, int index, const opt *opts, report_format fmt)
{
    for (const opt *o = opts; o->name; o++)
        if (o->seen && strcmp(o->name, "--from") && strcmp(o->name, "--index") &&
            strcmp(o->name, "--format"))
            die_usage("eval: --from DIR takes the configuration and its inputs from DIR; %s "
                      "is not allowed with it", o->name);
    if (!opt_seen(opts, "--index"))
        die_usage("eval: --from DIR needs --index N (a row of DIR/front.csv, from 0)");
    static report_run r;
    search_row row;
    cost_config c;
    llm_err err;
    if (report_front_point(dir, index, "eval", &r, &row, &c, &err))
        return report_error(&err);
    cost_metrics m;
    cost_eval(&r.m, &r.g, &c, &m);
    int rc = 0;
    if (!report_metrics_finite(&m)) {
        fprintf(stderr, "llmdse: error: eval: the cost model produced a non-finite or negative "
                        "result for this configuration; this is a bug, please report it\n");
        rc = 1;
    } else {
        report_inputs in = {&r.m, &r.g, &r.w, &c, &r.bands};
        if (fmt == FMT_TEXT) /* which point this is; JSON stays eval's document */
            printf("front.csv row %d of %s (space index %llu), evaluated again\n", index, dir,
                   (unsigned long long)row.index);
        cost_batch_advice(&r.m, &r.g, &c, 0.95, &m.advised_batch, &m.advised_plateau_tok_s,
                          &m.advised_freed_gib);
        report_eval(stdout, fmt, &in, &m);
    }
    report_run_free(&r);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    common_args a = {0};
    cost_config_default(&a.c);
    int prompt = 0, output = 0, index = 0;
    const char *from = NULL;
    serving_args sv = {0};
    opt opts[] = {COMMON_OPTS(a),
                  {"--from", NULL, O_STR, &from, 0, 0, 0},
                  {"--index", NULL, O_INT, &index, 0, IMAX, 0},
                  {"--workload", "-w", O_STR, &a.workload, 0, 0, 0},
                  {"--replicas", NULL, O_INT, &a.c.replicas, 1, 1 << 20, 0},
                  {"--sm-comm", NULL, O_INT, &a.c.sm_comm, 0, 4095, 0},
                  {"--prompt", NULL, O_INT, &prompt, 1, IMAX, 0},
                  {"--output", NULL, O_INT, &output, 1, IMAX, 0},
                  {"--power-cap", NULL, O_NUM, &a.c.power_cap_w, 1, 1e6, 0},
                  SERVING_OPTS(sv),
                  {"--replicas-per-gpu", NULL, O_INT, &a.c.replicas_per_gpu, 1, 64, 0},
                  {"--rate", NULL, O_NUM, &a.c.rate_rps, 1e-9, 1e9, 0},
                  OPT_END};
    parse_opts(argc, argv, 2, opts, "eval");
    if (from)
        return eval_from(from, index, opts, parse_format(a.format, 0));
    if (opt_seen(opts, "--index"))
        die_usage("eval: --index N needs --from DIR");
    load_serving(&sv, "eval");
    a.c.serving = &sv.prof;
    a.c.chunk_tokens = sv.chunk_tokens;
    a.c.kv_paged = sv.kv_paged;
    report_format fmt = parse_format(a.format, 0);
    llm_model m;
    llm_gpu g;
    llm_workload w;
    llm_err err;
    load_common(&a, "eval", &m, &g);
    /* Without -w, the request shape comes from the bundled chat workload (SLOs not judged). */
    int have_w = a.workload != NULL;
    load_or_die(configs_load_workload(have_w ? a.workload : "chat", &w, &err), &err);
    a.c.prompt = opt_seen(opts, "--prompt") ? prompt : (int)lround(w.prompt_mean);
    a.c.output = opt_seen(opts, "--output") ? output : (int)lround(w.output_mean);
    /* the workload's output spread (eq. 42), unless the output length is given exactly */
    a.c.output_cv2 = opt_seen(opts, "--output") ? 0 : cost_workload_output_cv2(&w);
    /* K replicas per GPU without --replicas: one GPU's worth (eq. 47 models full GPUs) */
    if (a.c.replicas_per_gpu > 1 && !opt_seen(opts, "--replicas"))
        a.c.replicas = a.c.replicas_per_gpu;
    if (cost_check(&m, &g, &a.c, &err))
        die_usage("eval: %s", err.msg);
    cost_metrics r;
    cost_eval(&m, &g, &a.c, &r);
    if (!report_metrics_finite(&r)) {
        fprintf(stderr, "llmdse: error: eval: the cost model produced a non-finite or negative "
                        "result for this configuration; this is a bug, please report it\n");
        return 1;
    }
    llm_bands bands;
    load_bands("eval", &bands);
    report_inputs in = {&m, &g, have_w ? &w : NULL, &a.c, &bands};
    cost_batch_advice(&m, &g, &a.c, 0.95, &r.advised_batch, &r.advised_plateau_tok_s,
                      &r.advised_freed_gib);
    report_eval(stdout, fmt, &in, &r);
    return 0;
}
