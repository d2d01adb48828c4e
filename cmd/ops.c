/* cmd/ops.c — llmdse ops: one layer's ops on one GPU (cost/, reports/). docs/cli.md. */
#include "cmd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cmd_ops(int argc, char **argv)
{
    common_args a = {0};
    cost_config_default(&a.c);
    opt opts[] = {COMMON_OPTS(a),
                  {"--workload", "-w", O_STR, &a.workload, 0, 0, 0},
                  {"--sm-comm", NULL, O_INT, &a.c.sm_comm, 0, 4095, 0},
                  {"--phase", NULL, O_STR, &a.phase, 0, 0, 0},
                  {"--seq", NULL, O_INT, &a.seq, 1, 1 << 24, 0},
                  {"--ctx", NULL, O_INT, &a.ctx, 1, 1 << 24, 0},
                  OPT_END};
    parse_opts(argc, argv, 2, opts, "ops");
    report_format fmt = parse_format(a.format, 1);
    llm_model m;
    llm_gpu g;
    llm_err err;
    load_common(&a, "ops", &m, &g);
    if (!a.phase)
        die_usage("ops: --phase prefill|decode is required");
    cost_phase ph;
    if (!strcmp(a.phase, "prefill"))
        ph = PHASE_PREFILL;
    else if (!strcmp(a.phase, "decode"))
        ph = PHASE_DECODE;
    else
        die_usage("ops: --phase: expected prefill or decode, found \"%s\"", a.phase);
    if (!opt_seen(opts, "--batch"))
        die_usage("ops: --batch N is required");
    llm_workload w;
    if (a.workload) {
        /* the request shape of explore's points: the prompt's mean as --seq, and as --ctx the
         * mean context of the running batch's decode steps (eq. 42) */
        load_or_die(configs_load_workload(a.workload, &w, &err), &err);
        cost_config k = a.c;
        k.prompt = (int)lround(w.prompt_mean);
        k.output = (int)lround(w.output_mean);
        k.output_cv2 = cost_workload_output_cv2(&w);
        if (!a.seq)
            a.seq = k.prompt;
        if (!a.ctx)
            a.ctx = (int)lround(cost_running_context(&k));
    }
    if (ph == PHASE_PREFILL && !a.seq)
        die_usage("ops: --seq N (prompt length) is required for --phase prefill");
    if (ph == PHASE_DECODE && !a.ctx)
        die_usage("ops: --ctx N (context length) is required for --phase decode");
    /* The request shape only matters to cost_check's context limit: a prefill has no
     * output token, so its prompt may fill the context (the check wants one output token;
     * the prompt is checked one short of the context and the phase builds the full one). */
    a.c.prompt = ph == PHASE_PREFILL ? a.seq : a.ctx;
    a.c.output = 1;
    if (ph == PHASE_PREFILL && a.seq == m.max_context_tokens && a.seq > 1)
        a.c.prompt = a.seq - 1;
    if (cost_check(&m, &g, &a.c, &err))
        die_usage("ops: %s", err.msg);
    double mhz = a.c.freq_mhz > 0 ? llm_gpu_snap_clock(&g, a.c.freq_mhz) : g.max_mhz;
    cost_layer L;
    cost_build_layer(&m, &g, &a.c, ph, a.c.batch, a.seq, a.ctx, &L);
    llm_bands bands;
    load_bands("ops", &bands);
    report_inputs in = {&m, &g, a.workload ? &w : NULL, &a.c, &bands};
    report_ops(stdout, fmt, &in, ph, &L, mhz);
    return 0;
}
