/* configs/bands.c — the uncertainty bands file (configs/calibration/bands.json): quantiles of
 * ln(measured / predicted) from out-of-fit residuals, written by `llmdse validate bands`
 * (validate/bands.c) and read here. The format is in docs/formats.md ("Bands"); what the
 * numbers are and where they come from, docs/calibration.md ("Bands"). */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

const char *const llm_band_metric_names[] = {"throughput", "ttft", "tpot", "power",
                                             "energy_per_token", NULL};
const char *const llm_band_regime_names[] = {"serving_fitted", "calibrated_gpu", "datasheet_gpu",
                                             NULL};

#define REQ 1
#define OPT 0
#define NUM(k, f, lo, hi) {k, SF_NUM, offsetof(llm_bands, f), REQ, lo, hi, 0, NULL, NULL, 0}
#define INT(k, f, lo, hi) {k, SF_INT, offsetof(llm_bands, f), REQ, lo, hi, 0, NULL, NULL, 0}
#define TEXT(k, req) {k, SF_TEXT, 0, req, 0, 0, 0, NULL, NULL, 0}
#define OBJ(k, sub) {k, SF_OBJ, 0, REQ, 0, 0, 0, NULL, sub, 0}
#define END {NULL, SF_INT, 0, 0, 0, 0, 0, NULL, NULL, 0}

/* One band: ln ratios within +-3 (a factor of 20), n rows, and its sources as text. */
#define BAND(name, b)                                                                          \
    static const schema_field name[] = {                                                      \
        NUM("q10", b.q10, -3, 3), NUM("q50", b.q50, -3, 3), NUM("q90", b.q90, -3, 3),          \
        INT("n", b.n, 0, 1 << 30), NUM("mape_pct", b.mape_pct, 0, 1e4), TEXT("sets", REQ),     \
        TEXT("basis", OPT), END}

#define E2E(r, nm)                                                                             \
    BAND(nm##_tp, e2e[r][LLM_BAND_THROUGHPUT]); BAND(nm##_ttft, e2e[r][LLM_BAND_TTFT]);        \
    BAND(nm##_tpot, e2e[r][LLM_BAND_TPOT]); BAND(nm##_pw, e2e[r][LLM_BAND_POWER]);             \
    BAND(nm##_en, e2e[r][LLM_BAND_ENERGY]);                                                    \
    static const schema_field nm[] = {OBJ("throughput", nm##_tp), OBJ("ttft", nm##_ttft),      \
                                      OBJ("tpot", nm##_tpot), OBJ("power", nm##_pw),           \
                                      OBJ("energy_per_token", nm##_en), END}
E2E(LLM_REGIME_SERVING_FITTED, e_fit);
E2E(LLM_REGIME_CALIBRATED_GPU, e_cal);
E2E(LLM_REGIME_DATASHEET_GPU, e_ds);

#define KER(c, nm)                                                                             \
    BAND(nm##_d, kernel[c][LLM_COV_DATASHEET]); BAND(nm##_t, kernel[c][LLM_COV_TRANSFERRED]);  \
    BAND(nm##_m, kernel[c][LLM_COV_MEASURED]);                                                 \
    static const schema_field nm[] = {OBJ("datasheet", nm##_d), OBJ("transferred", nm##_t),    \
                                      OBJ("measured", nm##_m), END}
KER(LLM_COV_GEMM, k_gemm);
KER(LLM_COV_ATTENTION, k_attn);
KER(LLM_COV_MEMORY, k_mem);
KER(LLM_COV_COLLECTIVES, k_coll);
KER(LLM_COV_POWER, k_pow);

static const schema_field e2e_schema[] = {OBJ("serving_fitted", e_fit),
                                          OBJ("calibrated_gpu", e_cal),
                                          OBJ("datasheet_gpu", e_ds), END};
static const schema_field kernel_schema[] = {OBJ("gemm", k_gemm), OBJ("attention", k_attn),
                                             OBJ("memory", k_mem), OBJ("collectives", k_coll),
                                             OBJ("power", k_pow), END};
static const schema_field bands_schema[] = {TEXT("source", REQ), TEXT("method", REQ),
                                            OBJ("e2e", e2e_schema), OBJ("kernel", kernel_schema),
                                            END};

static int check_band(const llm_band *b, const char *file, const char *path, llm_err *err)
{
    if (b->q10 <= b->q50 && b->q50 <= b->q90)
        return 0;
    llm_err_set(err, "%s: %s: expected q10 <= q50 <= q90, found %g, %g, %g", file, path, b->q10,
                b->q50, b->q90);
    return -1;
}

int configs_parse_bands(const char *json, const char *file, llm_bands *b, llm_err *err)
{
    memset(b, 0, sizeof *b);
    cJSON *root = schema_parse(json, file, err);
    if (!root)
        return -1;
    int rc = schema_read(root, bands_schema, b, file, "$", err);
    cJSON_Delete(root);
    char path[128];
    for (int r = 0; !rc && r < LLM_REGIME_COUNT; r++)
        for (int m = 0; !rc && m < LLM_BAND_NMETRIC; m++) {
            snprintf(path, sizeof path, "$.e2e.%s.%s", llm_band_regime_names[r],
                     llm_band_metric_names[m]);
            rc = check_band(&b->e2e[r][m], file, path, err);
        }
    for (int c = 0; !rc && c < LLM_COV_COUNT; c++)
        for (int l = 0; !rc && l < 3; l++) {
            snprintf(path, sizeof path, "$.kernel.%s.%s", llm_cov_class_names[c],
                     llm_cov_level_names[l]);
            rc = check_band(&b->kernel[c][l], file, path, err);
        }
    return rc;
}

int configs_load_bands(const char *path, llm_bands *b, llm_err *err)
{
    return schema_load_with("calibration", path ? path : "bands", LLM_PATH_MAX,
                            (parse_fn)configs_parse_bands, b, err);
}
