/* configs/update.c — writing a calibrated GPU file: the original JSON with fitted values
 * replaced and their groups' sources saying so (docs/validate.md, "Calibration"). */
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The coverage class a fitted coefficient calibrates (docs/calibration.md, "Coverage"); -1
 * for one that calibrates no class by itself (the launch overhead). */
static int path_class(const char *path)
{
    if (!strncmp(path, "efficiency.gemm", 15))
        return LLM_COV_GEMM;
    if (!strncmp(path, "efficiency.attention", 20))
        return LLM_COV_ATTENTION;
    if (!strncmp(path, "efficiency.memory", 17))
        return LLM_COV_MEMORY;
    if (!strncmp(path, "power.", 6))
        return LLM_COV_POWER;
    return -1;
}

/* Fitting a class's coefficients to this GPU's measurements makes it measured. */
static int upgrade_coverage(cJSON *root, const int *measured, const char *note)
{
    cJSON *cov = cJSON_GetObjectItemCaseSensitive(root, "coverage");
    if (!cov) {
        if (!(cov = cJSON_AddObjectToObject(root, "coverage")) ||
            !cJSON_AddStringToObject(cov, "source", "datasheet only before calibration"))
            return -1;
        for (int c = 0; c < LLM_COV_COUNT; c++)
            if (!cJSON_AddStringToObject(cov, llm_cov_class_names[c], "datasheet"))
                return -1;
    }
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        if (!measured[c])
            continue;
        char from[64];
        snprintf(from, sizeof from, "%s_from", llm_cov_class_names[c]);
        cJSON_DeleteItemFromObjectCaseSensitive(cov, from);
        cJSON *lv = cJSON_CreateString("measured");
        if (!lv)
            return -1;
        if (cJSON_GetObjectItemCaseSensitive(cov, llm_cov_class_names[c]))
            cJSON_ReplaceItemInObjectCaseSensitive(cov, llm_cov_class_names[c], lv);
        else
            cJSON_AddItemToObject(cov, llm_cov_class_names[c], lv);
    }
    cJSON *src = cJSON_GetObjectItemCaseSensitive(cov, "source");
    if (cJSON_IsString(src) && !strstr(src->valuestring, note)) {
        size_t len = strlen(src->valuestring) + strlen(note) + 3;
        char *s = malloc(len);
        if (!s)
            return -1;
        snprintf(s, len, "%s; %s", src->valuestring, note);
        cJSON_ReplaceItemInObjectCaseSensitive(cov, "source", cJSON_CreateString(s));
        free(s);
    }
    return 0;
}

int configs_write_gpu_update(const char *orig, const char *out, const char *const *paths,
                             const double *values, int n, const char *note, llm_err *err)
{
    char *text = schema_slurp(orig, err);
    if (!text)
        return -1;
    cJSON *root = schema_parse(text, orig, err);
    free(text);
    if (!root)
        return -1;
    int rc = -1;
    int measured[LLM_COV_COUNT] = {0};
    for (int i = 0; i < n; i++) {
        char group[64];
        if (path_class(paths[i]) >= 0)
            measured[path_class(paths[i])] = 1;
        const char *dot = strchr(paths[i], '.');
        if (!dot || (size_t)(dot - paths[i]) >= sizeof group) {
            llm_err_set(err, "internal: bad path %s", paths[i]);
            goto out;
        }
        memcpy(group, paths[i], (size_t)(dot - paths[i]));
        group[dot - paths[i]] = '\0';
        cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, group);
        cJSON *item = obj ? cJSON_GetObjectItemCaseSensitive(obj, dot + 1) : NULL;
        cJSON *num = cJSON_CreateNumber(values[i]);
        if (!obj || !num) {
            cJSON_Delete(num);
            llm_err_set(err, "%s: $.%s: missing; expected a GPU file", orig, group);
            goto out;
        }
        if (item)
            cJSON_ReplaceItemInObjectCaseSensitive(obj, dot + 1, num);
        else
            cJSON_AddItemToObject(obj, dot + 1, num);
        cJSON *src = cJSON_GetObjectItemCaseSensitive(obj, "source");
        if (cJSON_IsString(src) && !strstr(src->valuestring, note)) {
            size_t len = strlen(src->valuestring) + strlen(note) + 3;
            char *s = malloc(len);
            if (!s) {
                llm_err_set(err, "out of memory");
                goto out;
            }
            snprintf(s, len, "%s; %s", src->valuestring, note);
            cJSON_ReplaceItemInObjectCaseSensitive(obj, "source", cJSON_CreateString(s));
            free(s);
        }
    }
    if (upgrade_coverage(root, measured, note)) {
        llm_err_set(err, "out of memory");
        goto out;
    }
    char *printed = cJSON_Print(root);
    if (!printed) {
        llm_err_set(err, "out of memory");
        goto out;
    }
    /* the result must load like any GPU file */
    llm_gpu check;
    if (configs_parse_gpu(printed, out, &check, err)) {
        free(printed);
        goto out;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        llm_err_set(err, "%s: cannot write: %s", out, strerror(errno));
        free(printed);
        goto out;
    }
    int bad = fputs(printed, f) < 0 || fputc('\n', f) < 0;
    bad |= fclose(f) != 0;
    free(printed);
    if (bad || rename(tmp, out)) {
        llm_err_set(err, "%s: write failed: %s", out, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}
