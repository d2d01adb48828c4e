/* configs/recommendation.c — reading a recommend output's recommendation.json back, for
 * `llmdse deploy -i REC_DIR` (a whole fleet). The format is written by reports/recommend.c;
 * docs/recommend.md. Only what deploy needs is read, each field by the table below (its key,
 * kind, where it goes and its range); every other key is allowed. Errors name the file, the
 * JSON path and what was expected. */
#include "schema.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { RF_INT, RF_NUM, RF_NAME, RF_DTYPE } rf_kind;

typedef struct {
    const char *key;
    rf_kind kind;
    size_t off;
    double min, max; /* RF_INT, RF_NUM: inclusive; RF_NAME: the buffer's size in max */
} rec_field;

static const char *kind_of(const cJSON *v)
{
    return !v ? "nothing" : cJSON_IsString(v) ? "a string" : cJSON_IsBool(v) ? "a boolean"
         : cJSON_IsNull(v) ? "null" : cJSON_IsArray(v) ? "an array"
         : cJSON_IsObject(v) ? "an object" : cJSON_IsNumber(v) ? "a number" : "an invalid value";
}

static int read_fields(const cJSON *o, const rec_field *t, void *target, const char *file,
                       const char *path, llm_err *err)
{
    char *base = target;
    for (; t->key; t++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, t->key);
        if (t->kind == RF_INT || t->kind == RF_NUM) {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < t->min ||
                v->valuedouble > t->max ||
                (t->kind == RF_INT && v->valuedouble != floor(v->valuedouble))) {
                llm_err_set(err, "%s: %s.%s: expected %s in [%g, %g], found %s", file, path,
                            t->key, t->kind == RF_INT ? "an integer" : "a number", t->min,
                            t->max, kind_of(v));
                return -1;
            }
            if (t->kind == RF_INT)
                *(int *)(base + t->off) = (int)v->valuedouble;
            else
                *(double *)(base + t->off) = v->valuedouble;
        } else if (t->kind == RF_NAME) {
            char why[160];
            if (!cJSON_IsString(v) || strlen(v->valuestring) >= (size_t)t->max) {
                llm_err_set(err, "%s: %s.%s: expected a string, found %s", file, path, t->key,
                            kind_of(v));
                return -1;
            }
            /* names become folder names (deploy's pool-P-MODEL-GPU): the bundled names' rule */
            if (t->max <= LLM_NAME_MAX && llm_name_check(v->valuestring, why, sizeof why)) {
                llm_err_set(err, "%s: %s.%s: %s", file, path, t->key, why);
                return -1;
            }
            strcpy(base + t->off, v->valuestring);
        } else {
            int k = -1;
            for (int i = 0; cJSON_IsString(v) && llm_dtype_names[i]; i++)
                if (!strcmp(v->valuestring, llm_dtype_names[i]))
                    k = i;
            if (k < 0) {
                llm_err_set(err, "%s: %s.%s: expected a dtype (bf16, fp8, fp16 or fp32)", file,
                            path, t->key);
                return -1;
            }
            *(llm_dtype *)(base + t->off) = (llm_dtype)k;
        }
    }
    return 0;
}

#define P(f) offsetof(llm_rec_pool, f)
static const rec_field pool_fields[] = {
    {"model", RF_NAME, P(model), 0, LLM_NAME_MAX},
    {"gpu", RF_NAME, P(gpu), 0, LLM_NAME_MAX},
    {"replicas", RF_INT, P(replicas), 1, 1e6},
    {"tp", RF_INT, P(tp), 1, 1024},
    {"ep", RF_INT, P(ep), 1, 1024},
    {"dtype", RF_DTYPE, P(dtype), 0, 0},
    {"kv_dtype", RF_DTYPE, P(kv_dtype), 0, 0},
    {"batch", RF_INT, P(batch), 1, 1 << 20},
    {"sm_comm", RF_INT, P(sm_comm), 0, 1024},
    {"freq_mhz", RF_NUM, P(freq_mhz), 1, 1e5},
    {"replicas_per_gpu", RF_INT, P(replicas_per_gpu), 1, 64},
    {"chunk_tokens", RF_INT, P(chunk_tokens), 0, 1 << 22},
    {"gpus_per_replica", RF_NUM, P(gpus_per_replica), 0, 1e6},
    {"load_rps", RF_NUM, P(load_rps), 0, 1e12},
    {NULL, 0, 0, 0, 0}};
#undef P
#define M(f) offsetof(llm_rec_model, f)
static const rec_field model_fields[] = {
    {"model", RF_NAME, M(model), 0, LLM_NAME_MAX},
    {"workload", RF_NAME, M(workload), 0, LLM_PATH_MAX},
    {"rate_rps", RF_NUM, M(rate_rps), 0, 1e12},
    {NULL, 0, 0, 0, 0}};
#undef M
#define G(f) offsetof(llm_rec_gpu, f)
static const rec_field gpu_fields[] = {
    {"gpu", RF_NAME, G(gpu), 0, LLM_NAME_MAX},
    {"count", RF_NUM, G(count), 0, 1e9},
    {NULL, 0, 0, 0, 0}};
#undef G
#define S(f) offsetof(llm_recommendation, f)
static const rec_field serving_fields[] = {
    {"profile", RF_NAME, S(serving), 0, LLM_PATH_MAX},
    {"chunk_tokens", RF_INT, S(chunk_tokens), 0, 1 << 22},
    {NULL, 0, 0, 0, 0}};
#undef S

static const cJSON *member(const cJSON *o, const char *key, int want_array, const char *file,
                           const char *path, llm_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (want_array ? !cJSON_IsArray(v) : !cJSON_IsObject(v)) {
        llm_err_set(err, "%s: %s.%s: expected %s, found %s", file, path, key,
                    want_array ? "an array" : "an object", kind_of(v));
        return NULL;
    }
    return v;
}

int configs_parse_recommendation(const char *text, const char *file, llm_recommendation *r,
                                 llm_err *err)
{
    memset(r, 0, sizeof *r);
    cJSON *root = schema_parse(text, file, err);
    if (!root)
        return -1;
    int rc = -1;
    char path[64];
    const cJSON *req, *models, *gpus, *rec, *st, *sv, *fleet;
    if (!(req = member(root, "request", 0, file, "$", err)) ||
        !(models = member(req, "models", 1, file, "$.request", err)) ||
        !(gpus = member(req, "gpus", 1, file, "$.request", err)) ||
        !(rec = member(root, "recommendation", 0, file, "$", err)))
        goto out;
    for (const cJSON *m = models->child; m; m = m->next) {
        snprintf(path, sizeof path, "$.request.models[%d]", r->nmodels);
        if (r->nmodels == LLM_REC_MAX_MODELS) {
            llm_err_set(err, "%s: %s: expected at most %d models", file, path,
                        LLM_REC_MAX_MODELS);
            goto out;
        }
        if (!cJSON_IsObject(m)) {
            llm_err_set(err, "%s: %s: expected an object, found %s", file, path, kind_of(m));
            goto out;
        }
        if (read_fields(m, model_fields, &r->models[r->nmodels], file, path, err))
            goto out;
        for (int i = 0; i < r->nmodels; i++)
            if (!strcmp(r->models[i].model, r->models[r->nmodels].model)) {
                llm_err_set(err, "%s: %s.model: %s appears twice", file, path,
                            r->models[i].model);
                goto out;
            }
        r->nmodels++;
    }
    if (!r->nmodels) {
        llm_err_set(err, "%s: $.request.models: expected at least one model", file);
        goto out;
    }
    for (const cJSON *g = gpus->child; g; g = g->next) {
        snprintf(path, sizeof path, "$.request.gpus[%d]", r->ngpus);
        if (r->ngpus == LLM_REC_MAX_MODELS || !cJSON_IsObject(g)) {
            llm_err_set(err, "%s: %s: expected at most %d objects {gpu, count}", file, path,
                        LLM_REC_MAX_MODELS);
            goto out;
        }
        if (read_fields(g, gpu_fields, &r->gpus[r->ngpus], file, path, err))
            goto out;
        r->ngpus++;
    }
    sv = cJSON_GetObjectItemCaseSensitive(req, "serving");
    if (sv) {
        const cJSON *kv = cJSON_GetObjectItemCaseSensitive(sv, "kv");
        if (!(sv = member(req, "serving", 0, file, "$.request", err)) ||
            read_fields(sv, serving_fields, r, file, "$.request.serving", err))
            goto out;
        if (!cJSON_IsString(kv) ||
            (strcmp(kv->valuestring, "paged") && strcmp(kv->valuestring, "reserve"))) {
            llm_err_set(err, "%s: $.request.serving.kv: expected \"paged\" or \"reserve\"",
                        file);
            goto out;
        }
        r->has_serving = 1;
        r->kv_paged = !strcmp(kv->valuestring, "paged");
    }
    st = cJSON_GetObjectItemCaseSensitive(rec, "status");
    if (!cJSON_IsString(st) || strlen(st->valuestring) >= sizeof r->status) {
        llm_err_set(err, "%s: $.recommendation.status: expected a string, found %s", file,
                    kind_of(st));
        goto out;
    }
    strcpy(r->status, st->valuestring);
    r->feasible = !strcmp(r->status, "optimal") || !strncmp(r->status, "feasible", 8);
    if (!r->feasible) {
        rc = 0; /* no fleet to read: the caller names the status */
        goto out;
    }
    if (!(fleet = member(rec, "fleet", 1, file, "$.recommendation", err)))
        goto out;
    for (const cJSON *p = fleet->child; p; p = p->next) {
        snprintf(path, sizeof path, "$.recommendation.fleet[%d]", r->npools);
        if (r->npools == LLM_REC_MAX_POOLS) {
            llm_err_set(err, "%s: %s: expected at most %d pools", file, path,
                        LLM_REC_MAX_POOLS);
            goto out;
        }
        if (!cJSON_IsObject(p)) {
            llm_err_set(err, "%s: %s: expected an object, found %s", file, path, kind_of(p));
            goto out;
        }
        llm_rec_pool *q = &r->pools[r->npools];
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive(p, "mode");
        if (cJSON_IsString(mode) && !strcmp(mode->valuestring, "disaggregated")) {
            llm_err_set(err, "%s: %s: a disaggregated pool: deploy writes launch commands for "
                        "aggregated pools only (a prefill/decode pair needs the engine's KV "
                        "connector settings, which it does not write yet)", file, path);
            goto out;
        }
        if (read_fields(p, pool_fields, q, file, path, err))
            goto out;
        /* pp came later than the other knobs: a file without it has no pipeline stages */
        const cJSON *ppv = cJSON_GetObjectItemCaseSensitive(p, "pp");
        q->pp = 1;
        if (ppv) {
            static const rec_field pp_field[] = {{"pp", RF_INT, offsetof(llm_rec_pool, pp), 1,
                                                  1024}, {NULL, 0, 0, 0, 0}};
            if (read_fields(p, pp_field, q, file, path, err))
                goto out;
        }
        int known = 0;
        for (int i = 0; i < r->nmodels; i++)
            known |= !strcmp(r->models[i].model, q->model);
        if (!known) {
            llm_err_set(err, "%s: %s.model: %s is not a model of $.request.models", file, path,
                        q->model);
            goto out;
        }
        r->npools++;
    }
    if (!r->npools) {
        llm_err_set(err, "%s: $.recommendation.fleet: expected at least one pool (the plan is "
                    "%s)", file, r->status);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}

int configs_load_recommendation(const char *path, llm_recommendation *r, llm_err *err)
{
    memset(r, 0, sizeof *r);
    char *text = schema_slurp(path, err);
    if (!text)
        return -1;
    int rc = configs_parse_recommendation(text, path, r, err);
    free(text);
    return rc;
}

int configs_pool_dir(char *buf, size_t len, int pool, const char *model, const char *gpu)
{
    if (len)
        buf[0] = '\0';
    if (pool < 0 || llm_name_check(model, NULL, 0) || llm_name_check(gpu, NULL, 0))
        return -1;
    int n = snprintf(buf, len, "pool-%d-%s-%s", pool, model, gpu);
    if (n < 0 || (size_t)n >= len) {
        if (len)
            buf[0] = '\0';
        return -1;
    }
    return 0;
}
