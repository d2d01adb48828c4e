/* cmd/skucheck.c — llmdse sku-check: the CI job for a new GPU SKU (skucheck/).
 * docs/sku-check.md. */
#include "cmd.h"

#include "../skucheck/skucheck.h"

#include <stdio.h>

int cmd_sku_check(int argc, char **argv)
{
    if (argc < 3 || argv[2][0] == '-')
        die_usage("sku-check: expected the GPU file: llmdse sku-check GPU.json [options]");
    skucheck_args a = {.gpu_path = argv[2], .tolerance = 0.05, .rate = 10,
                       .tol = {-1, -1, -1}, .version = LLMDSE_VERSION};
    serving_args sv = {0};
    opt opts[] = {SERVING_OPTS(sv),
                  {"--out", "-o", O_STR, &a.out, 0, 0, 0},
                  {"--measured", NULL, O_STR, &a.measured, 0, 0, 0},
                  {"--baseline", NULL, O_STR, &a.baseline, 0, 0, 0},
                  {"--tolerance", NULL, O_NUM, &a.tolerance, 0, 10, 0},
                  {"--tolerance-energy", NULL, O_NUM, &a.tol[0], 0, 10, 0},
                  {"--tolerance-tpot", NULL, O_NUM, &a.tol[1], 0, 10, 0},
                  {"--tolerance-throughput", NULL, O_NUM, &a.tol[2], 0, 10, 0},
                  {"--junit", NULL, O_STR, &a.junit, 0, 0, 0},
                  {"--no-recommend", NULL, O_FLAG, &a.no_recommend, 0, 0, 0},
                  {"--rate", NULL, O_NUM, &a.rate, 1e-6, 1e9, 0},
                  {"--models", NULL, O_STR, &a.models, 0, 0, 0},
                  {"--workloads", NULL, O_STR, &a.workloads, 0, 0, 0},
                  {"--space", "-s", O_STR, &a.space, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 3, opts, "sku-check");
    load_serving(&sv, "sku-check");
    serving_inputs(&sv, &a.serving);
    a.serving_name = sv.name;
    llm_err err;
    int rc = skucheck_run(&a, &err);
    return rc < 0 ? report_error(&err) : rc;
}
