/* configs/serving.c — the serving profile schema (configs/serving/<name>.json), in the same
 * table-driven style and with the same messages as the model, GPU and workload files. The
 * format is in docs/formats.md; how the cost model uses each value, docs/cost-model.md
 * (eq. 35-49); where each value comes from, docs/calibration.md. */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#define REQ 1
#define OPT 0
#define INT(k, f, req, lo, hi, d) {k, SF_INT, offsetof(llm_serving, f), req, lo, hi, d, NULL, NULL, 0}
#define NUM(k, f, req, lo, hi, d) {k, SF_NUM, offsetof(llm_serving, f), req, lo, hi, d, NULL, NULL, 0}
#define BOOL(k, f, d) {k, SF_BOOL, offsetof(llm_serving, f), REQ, 0, 1, d, NULL, NULL, 0}
#define TEXT(k, req) {k, SF_TEXT, 0, req, 0, 0, 0, NULL, NULL, 0}
#define OBJ(k, req, sub) {k, SF_OBJ, 0, req, 0, 0, 0, NULL, sub, 0}
#define END {NULL, SF_INT, 0, 0, 0, 0, 0, NULL, NULL, 0}

static const schema_field serving_engine[] = {
    TEXT("source", REQ),
    BOOL("chunked_prefill", chunked_prefill, 0),
    INT("max_num_batched_tokens", max_num_batched_tokens, REQ, 16, 1 << 22, 0),
    NUM("gpu_memory_utilization", gpu_memory_utilization, REQ, 0.05, 1, 0),
    INT("block_size", block_size, REQ, 1, 4096, 0),
    BOOL("cuda_graphs", cuda_graphs, 1),
    {"guaranteed_no_evict", SF_BOOL, offsetof(llm_serving, kv_no_evict), OPT, 0, 1, 0, NULL, NULL,
     0},
    END};
static const schema_field serving_overhead[] = {
    TEXT("source", REQ),
    NUM("step_s", step_s, REQ, 0, 1, 0),
    NUM("seq_step_s", seq_step_s, REQ, 0, 0.1, 0),
    NUM("request_s", request_s, REQ, 0, 10, 0),
    NUM("eager_launch_us", eager_launch_us, REQ, 0, 1000, 0),
    END};
static const schema_field serving_schema[] = {
    {"name", SF_STR, offsetof(llm_serving, name), REQ, 0, 0, 0, NULL, NULL, LLM_NAME_MAX},
    TEXT("description", OPT),
    TEXT("source", REQ),
    /* the GPU the overhead was fitted on (absent: an estimate); docs/calibration.md "Bands" */
    {"fitted_on_gpu", SF_STR, offsetof(llm_serving, fitted_on_gpu), OPT, 0, 0, 0, NULL, NULL,
     LLM_NAME_MAX},
    OBJ("engine", REQ, serving_engine),
    OBJ("overhead", REQ, serving_overhead),
    END};

int configs_parse_serving(const char *json, const char *file, llm_serving *s, llm_err *err)
{
    memset(s, 0, sizeof *s);
    cJSON *root = schema_parse(json, file, err);
    if (!root)
        return -1;
    int rc = schema_read(root, serving_schema, s, file, "$", err);
    cJSON_Delete(root);
    return rc;
}

int configs_load_serving(const char *name, llm_serving *s, llm_err *err)
{
    return schema_load_with("serving", name, LLM_PATH_MAX, (parse_fn)configs_parse_serving, s,
                            err);
}
