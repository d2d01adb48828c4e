/* skucheck/skucheck.h — the CI job for a new GPU SKU (llmdse sku-check): the GPU file's
 * plausibility checks, an optional calibration to measurements, every model on every workload
 * explored, a recommendation and a report page per model, sku-check.csv and index.html, and
 * the regressions against a baseline run. The only front header of skucheck/; it orchestrates
 * the modules (configs, search, validate, reports) and sits beside the commands, above them
 * all. docs/sku-check.md. */
#ifndef LLMDSE_SKUCHECK_H
#define LLMDSE_SKUCHECK_H

#include "../configs/configs.h"
#include "../search/search.h"

typedef struct {
    const char *gpu_path;          /* the GPU file as given */
    const char *out;               /* NULL: sku-check-NAME */
    const char *measured, *baseline, *models, *workloads, *space; /* NULL when not given */
    const char *junit;             /* --junit FILE, NULL when not given */
    double tolerance, rate;        /* --tolerance: every metric's unless given alone */
    double tol[3];                 /* --tolerance-energy, -tpot, -throughput; < 0: not given */
    int no_recommend;              /* --no-recommend: explore and report only */
    const char *serving_name;      /* the serving profile as given (summary.json) */
    search_inputs serving;         /* its serving, chunk_tokens and kv_paged (others unused) */
    const char *version;
} skucheck_args;

/* Runs the check, printing its progress and result on stdout. Returns 0 healthy, 1 a
 * regression or a failed check (said on stdout), or -1 with err (its message what follows
 * "llmdse: error: ", its kind the exit status) when the inputs are bad or the run could not be
 * done. A model whose exploration or outputs fail is reported and the others still run; the
 * run then ends with that failure's status. */
int skucheck_run(const skucheck_args *a, llm_err *err);

#endif
