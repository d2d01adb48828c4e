/* configs/bench.c — what `llmdse validate compare-serving` reads (docs/deploy.md): a serving
 * benchmark's result, vLLM's `vllm bench serve --save-result` JSON (the keys of its result
 * dictionary: mean_/median_/pNN_ttft_ms and _tpot_ms, output_throughput, request_throughput,
 * duration, completed; the others, such as the per-request lists, are not read), and the
 * predicted.json that deploy writes beside it (reports/deploy.c). */
#include "schema.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const llm_bench_keys[] = {
    "mean_ttft_ms", "median_ttft_ms", "p90_ttft_ms", "p99_ttft_ms",
    "mean_tpot_ms", "median_tpot_ms", "p90_tpot_ms", "p99_tpot_ms",
    "output_throughput", "request_throughput", "duration", "completed", NULL};
/* vLLM always writes these (mean and median for each metric it reports percentiles of) */
static const int bench_required[BENCH_NKEYS] = {
    [BENCH_TTFT_MEAN] = 1, [BENCH_TTFT_P50] = 1, [BENCH_TPOT_MEAN] = 1, [BENCH_TPOT_P50] = 1,
    [BENCH_OUTPUT_THROUGHPUT] = 1, [BENCH_COMPLETED] = 1};

const char *const llm_pred_keys[] = {"ttft_p50_s", "ttft_p90_s", "ttft_p99_s", "tpot_p50_s",
                                     "tpot_p90_s", "tpot_p99_s", "throughput_tok_s",
                                     "avg_power_w", NULL};

static const char *kind_of(const cJSON *v)
{
    return cJSON_IsString(v) ? "a string" : cJSON_IsBool(v) ? "a boolean"
         : cJSON_IsNull(v) ? "null" : cJSON_IsArray(v) ? "an array"
         : cJSON_IsObject(v) ? "an object" : "an invalid value";
}

/* A finite number in [0, 1e15] at obj.key; -1 with a message naming file and path. */
static int read_num(const cJSON *obj, const char *key, const char *file, const char *path,
                    double *out, int *has, int required, llm_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *has = 0;
    if (!v || (cJSON_IsNull(v) && !required)) {
        if (!required)
            return 0;
        llm_err_set(err, "%s: %s.%s: missing required field", file, path, key);
        return -1;
    }
    if (!cJSON_IsNumber(v)) {
        llm_err_set(err, "%s: %s.%s: expected a number, found %s", file, path, key, kind_of(v));
        return -1;
    }
    double x = v->valuedouble;
    if (!isfinite(x) || x < 0 || x > 1e15) {
        llm_err_set(err, "%s: %s.%s: expected a finite number in [0, 1e15], found %g", file,
                    path, key, x);
        return -1;
    }
    *out = x;
    *has = 1;
    return 0;
}

static int no_duplicates(const cJSON *obj, const char *file, const char *path, llm_err *err)
{
    for (const cJSON *c = obj->child; c; c = c->next)
        for (const cJSON *d = c->next; d; d = d->next)
            if (c->string && d->string && !strcmp(c->string, d->string)) {
                llm_err_set(err, "%s: %s.%.64s: key appears twice", file, path, c->string);
                return -1;
            }
    return 0;
}

int configs_parse_bench(const char *json, const char *file, llm_bench *b, llm_err *err)
{
    memset(b, 0, sizeof *b);
    cJSON *root = schema_parse(json, file, err);
    if (!root)
        return -1;
    /* only the keys read are checked for duplicates: the per-request lists are large */
    int rc = 0;
    for (int k = 0; k < BENCH_NKEYS && !rc; k++) {
        int n = 0;
        for (const cJSON *c = root->child; c; c = c->next)
            n += c->string && !strcmp(c->string, llm_bench_keys[k]);
        if (n > 1) {
            llm_err_set(err, "%s: $.%s: key appears twice", file, llm_bench_keys[k]);
            rc = -1;
        }
    }
    for (int k = 0; k < BENCH_NKEYS && !rc; k++)
        rc = read_num(root, llm_bench_keys[k], file, "$", &b->v[k], &b->has[k],
                      bench_required[k], err);
    if (!rc && b->v[BENCH_COMPLETED] != floor(b->v[BENCH_COMPLETED])) {
        llm_err_set(err, "%s: $.completed: expected a whole number of requests, found %g", file,
                    b->v[BENCH_COMPLETED]);
        rc = -1;
    }
    if (!rc && b->v[BENCH_COMPLETED] < 1) {
        llm_err_set(err, "%s: $.completed: no request completed: nothing to compare", file);
        rc = -1;
    }
    cJSON_Delete(root);
    return rc;
}

int configs_load_bench(const char *path, llm_bench *b, llm_err *err)
{
    char *text = schema_slurp(path, err);
    if (!text)
        return -1;
    int rc = configs_parse_bench(text, path, b, err);
    free(text);
    return rc;
}

int configs_load_predicted(const char *path, llm_predicted *p, llm_err *err)
{
    memset(p, 0, sizeof *p);
    char *text = schema_slurp(path, err);
    if (!text)
        return -1;
    cJSON *root = schema_parse(text, path, err);
    free(text);
    if (!root)
        return -1;
    int rc = -1;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root, "predicted");
    const cJSON *bd = cJSON_GetObjectItemCaseSensitive(root, "banded");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "llmdse predicted"))
        llm_err_set(err, "%s: $.format: expected \"llmdse predicted\" (a deploy folder's "
                    "predicted.json)", path);
    else if (!cJSON_IsObject(pr))
        llm_err_set(err, "%s: $.predicted: expected an object", path);
    else if (!cJSON_IsBool(bd))
        llm_err_set(err, "%s: $.banded: expected true or false", path);
    else if (!no_duplicates(pr, path, "$.predicted", err)) {
        p->banded = cJSON_IsTrue(bd);
        rc = 0;
        for (int k = 0; k < PRED_NMETRICS && !rc; k++) {
            char key[80];
            int has;
            rc = read_num(pr, llm_pred_keys[k], path, "$.predicted", &p->v[k], &has, 1, err);
            p->lo[k] = p->hi[k] = p->v[k];
            if (!rc && p->banded) {
                snprintf(key, sizeof key, "%s_lo", llm_pred_keys[k]);
                rc = read_num(pr, key, path, "$.predicted", &p->lo[k], &has, 1, err);
                snprintf(key, sizeof key, "%s_hi", llm_pred_keys[k]);
                if (!rc)
                    rc = read_num(pr, key, path, "$.predicted", &p->hi[k], &has, 1, err);
                /* a band need not hold its prediction (a biased metric's band is shifted) */
                if (!rc && !(p->lo[k] <= p->hi[k])) {
                    llm_err_set(err, "%s: $.predicted.%s: expected %s_lo <= %s_hi", path,
                                llm_pred_keys[k], llm_pred_keys[k], llm_pred_keys[k]);
                    rc = -1;
                }
            }
        }
    }
    cJSON_Delete(root);
    return rc;
}
