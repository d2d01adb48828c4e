/* configs/summary.c — reading an explore summary.json back (for `llmdse merge`). The format
 * is written by reports/explore.c; docs/explore.md. Keys a merge does not need (timings) are
 * read where useful and otherwise allowed. */
#include "schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int get_str(const cJSON *o, const char *key, char *dst, size_t len, const char *file,
                   llm_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= len) {
        llm_err_set(err, "%s: $.%s: expected a string", file, key);
        return -1;
    }
    strcpy(dst, v->valuestring);
    return 0;
}

static int get_count(const cJSON *o, const char *key, unsigned long long *dst,
                     const char *file, const char *path, llm_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    /* cJSON parses numbers into doubles, exact up to 2^53 (9e15 configurations: decades of
     * exploring at 10^7 per second); beyond that a count could not be read back exactly. */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != floor(v->valuedouble)) {
        llm_err_set(err, "%s: %s.%s: expected a non-negative integer of at most 2^53", file,
                    path, key);
        return -1;
    }
    *dst = (unsigned long long)v->valuedouble;
    return 0;
}

int configs_load_summary(const char *path, const char *const *prune_names, llm_summary *s,
                         llm_err *err)
{
    memset(s, 0, sizeof *s);
    char *text = schema_slurp(path, err);
    if (!text)
        return -1;
    int rc = configs_parse_summary(text, path, prune_names, s, err);
    free(text);
    return rc;
}

int configs_parse_summary(const char *text, const char *path, const char *const *prune_names,
                          llm_summary *s, llm_err *err)
{
    memset(s, 0, sizeof *s);
    cJSON *root = schema_parse(text, path, err);
    if (!root)
        return -1;
    int rc = -1;
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(root, "mode");
    if (cJSON_IsString(mode) && !strcmp(mode->valuestring, "disaggregated")) {
        /* explore --disaggregated's folder (docs/explore.md): another format, its own pages */
        llm_err_set(err, "%s: an explore --disaggregated folder (\"mode\": \"disaggregated\"): "
                    "its report is compare.md and report.html beside it; eval --from, report, "
                    "deploy and merge read aggregated explore folders only", path);
        cJSON_Delete(root);
        return -1;
    }
    const cJSON *shard = cJSON_GetObjectItemCaseSensitive(root, "shard");
    const cJSON *pruned = cJSON_GetObjectItemCaseSensitive(root, "pruned");
    const cJSON *objs = cJSON_GetObjectItemCaseSensitive(root, "objectives");
    const cJSON *partial = cJSON_GetObjectItemCaseSensitive(root, "partial");
    unsigned long long si, sc;
    if (get_str(root, "model", s->model, sizeof s->model, path, err) ||
        get_str(root, "gpu", s->gpu, sizeof s->gpu, path, err) ||
        get_str(root, "workload", s->workload, sizeof s->workload, path, err) ||
        get_str(root, "space", s->space, sizeof s->space, path, err) ||
        get_count(root, "space_size", &s->space_size, path, "$", err) ||
        get_count(root, "processed", &s->processed, path, "$", err) ||
        get_count(root, "evaluated", &s->evaluated, path, "$", err) ||
        get_count(root, "feasible", &s->feasible, path, "$", err))
        goto out;
    if (!cJSON_IsObject(shard) || get_count(shard, "index", &si, path, "$.shard", err) ||
        get_count(shard, "count", &sc, path, "$.shard", err) ||
        get_count(shard, "begin", &s->begin, path, "$.shard", err) ||
        get_count(shard, "end", &s->end, path, "$.shard", err)) {
        if (!cJSON_IsObject(shard))
            llm_err_set(err, "%s: $.shard: expected an object", path);
        goto out;
    }
    if (sc < 1 || si >= sc || sc > 1u << 30) {
        llm_err_set(err, "%s: $.shard: expected 0 <= index < count", path);
        goto out;
    }
    s->shard_index = (int)si;
    s->shard_count = (int)sc;
    if (!cJSON_IsBool(partial)) {
        llm_err_set(err, "%s: $.partial: expected true or false", path);
        goto out;
    }
    s->partial = cJSON_IsTrue(partial);
    const cJSON *slo = cJSON_GetObjectItemCaseSensitive(root, "slo_filter");
    if (!cJSON_IsBool(slo)) {
        llm_err_set(err, "%s: $.slo_filter: expected true or false", path);
        goto out;
    }
    s->slo_filter = cJSON_IsTrue(slo);
    if (!cJSON_IsObject(pruned)) {
        llm_err_set(err, "%s: $.pruned: expected an object", path);
        goto out;
    }
    for (int k = 1; prune_names[k] && k < 16; k++)
        if (get_count(pruned, prune_names[k], &s->pruned[k], path, "$.pruned", err))
            goto out;
    if (!cJSON_IsArray(objs)) {
        llm_err_set(err, "%s: $.objectives: expected a list of names", path);
        goto out;
    }
    for (const cJSON *o = objs->child; o; o = o->next) {
        size_t used = strlen(s->objectives);
        if (!cJSON_IsString(o) || used + strlen(o->valuestring) + 2 >= sizeof s->objectives) {
            llm_err_set(err, "%s: $.objectives: expected a list of names", path);
            goto out;
        }
        snprintf(s->objectives + used, sizeof s->objectives - used, "%s%s", used ? "," : "",
                 o->valuestring);
    }
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(root, "serving");
    if (sv) {
        const cJSON *kv = cJSON_GetObjectItemCaseSensitive(sv, "kv");
        unsigned long long ct;
        if (!cJSON_IsObject(sv) || get_str(sv, "profile", s->serving, sizeof s->serving, path, err) ||
            get_count(sv, "chunk_tokens", &ct, path, "$.serving", err))
            goto out;
        if (!cJSON_IsString(kv) || (strcmp(kv->valuestring, "paged") &&
                                    strcmp(kv->valuestring, "reserve")) || ct > 1u << 22) {
            llm_err_set(err, "%s: $.serving: expected kv \"paged\" or \"reserve\" and "
                        "chunk_tokens at most 4194304", path);
            goto out;
        }
        s->has_serving = 1;
        s->chunk_tokens = (int)ct;
        s->kv_paged = !strcmp(kv->valuestring, "paged");
    }
    s->thinned = cJSON_GetObjectItemCaseSensitive(root, "thinning") != NULL;
    const cJSON *knee = cJSON_GetObjectItemCaseSensitive(root, "knee");
    if (knee) {
        /* eq. 56's point, by its space index (deploy's default row) */
        if (!cJSON_IsObject(knee) || get_count(knee, "index", &s->knee_index, path, "$.knee", err))
            goto out;
        s->has_knee = 1;
    }
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(root, "threads");
    const cJSON *wall = cJSON_GetObjectItemCaseSensitive(root, "wall_s");
    /* range-checked before the conversion: (int)1e300 is undefined behaviour */
    if (th && (!cJSON_IsNumber(th) || !(th->valuedouble >= 0 && th->valuedouble <= 1 << 20) ||
               th->valuedouble != floor(th->valuedouble))) {
        llm_err_set(err, "%s: $.threads: expected an integer in [0, 1048576]", path);
        goto out;
    }
    s->threads = th ? (int)th->valuedouble : 0;
    s->wall_s = cJSON_IsNumber(wall) && isfinite(wall->valuedouble) ? wall->valuedouble : 0;
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}
