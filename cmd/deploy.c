/* cmd/deploy.c — llmdse deploy: a front point as launch commands, GPU settings and manifests
 * for a serving engine (reports/deploy.c). docs/deploy.md. */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

int cmd_deploy(int argc, char **argv)
{
    report_deploy_args a = {0};
    int index = 0;
    opt opts[] = {{"--in", "-i", O_STR, &a.dir, 0, 0, 0},
                  {"--index", NULL, O_INT, &index, 0, IMAX, 0},
                  {"--engine", NULL, O_STR, &a.engine, 0, 0, 0},
                  {"--engine-version", NULL, O_STR, &a.version, 0, 0, 0},
                  {"--weights", NULL, O_STR, &a.weights, 0, 0, 0},
                  {"--out", "-o", O_STR, &a.out, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 2, opts, "deploy");
    if (!a.dir)
        die_usage("deploy: -i DIR is required (an explore or search output folder, or a "
                  "recommend output for its whole fleet)");
    need_out_dir("deploy", a.out);
    if (!a.weights)
        die_usage("deploy: --weights W is required: the checkpoint the engine loads (a Hugging "
                  "Face repository such as meta-llama/Llama-3.1-8B-Instruct, or a path; for a "
                  "fleet MODEL=W[,MODEL=W...], one per model)");
    for (const unsigned char *p = (const unsigned char *)a.weights; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            die_usage("deploy: --weights: expected a repository name or a path without control "
                      "characters");
    if (!a.weights[0] || strlen(a.weights) > 1000)
        die_usage("deploy: --weights: expected 1 to 1000 characters");
    if (a.version && !a.engine)
        die_usage("deploy: --engine-version V needs --engine E");
    a.index = opt_seen(opts, "--index") ? index : -1; /* the knee's row */
    llm_err err;
    report_deploy_result res;
    if (report_deploy(&a, &res, &err))
        return report_error(&err);
    if (res.pools) {
        printf("%s: %d pools, %d launch scripts for %s on %d GPUs (the fleet of %s); each "
               "pool's gpu-settings.sh needs root and is not run\n", a.out, res.pools,
               res.replicas, res.engine, res.gpus, a.dir);
        return 0;
    }
    if (res.slo_miss[0])
        fprintf(stderr, "llmdse: deploy: warning: row %d: %s (NOTES.md says so)\n",
                (int)res.index, res.slo_miss);
    printf("%s: %d launch script%s for %s on %d GPU%s (row %d of %s%s); gpu-settings.sh needs "
           "root and is not run\n", a.out, res.replicas, res.replicas > 1 ? "s" : "", res.engine,
           res.gpus, res.gpus > 1 ? "s" : "", (int)res.index, a.dir,
           opt_seen(opts, "--index") ? "" : ", its knee");
    return 0;
}
