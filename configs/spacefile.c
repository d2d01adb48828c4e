/* configs/spacefile.c — reading a configuration-space file (docs/formats.md, "Space").
 * Each knob is a list of values, or a range {"min", "max", "step"} (linear) or
 * {"min", "max", "factor"} (geometric); "freq_mhz" may also be "all". Which values are
 * feasible for a model and GPU is space/'s business, not this file's. */
#include "schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const llm_knob_names[] = {"tp", "ep", "pp", "dtype", "kv_dtype", "batch",
                                      "chunk_tokens", "replicas_per_gpu", "sm_comm",
                                      "freq_mhz", "replicas", NULL};

/* A knob may hold at most this many values: it bounds the memory of a space file, while the
 * product of the knobs (the space size) may be far larger and is checked by space/. */
#define KNOB_MAX_VALUES (1 << 20)

/* Integer knobs and their ranges; freq_mhz is a number; dtypes are names. */
static const struct { double lo, hi; int integer; } knob_range[KNOB_COUNT] = {
    [KNOB_TP] = {1, 1024, 1},       [KNOB_EP] = {1, 4096, 1},
    [KNOB_PP] = {1, 1024, 1},       /* pipeline stages; at most the model's layers (space/) */
    [KNOB_DTYPE] = {0, 0, 0},       [KNOB_KV_DTYPE] = {0, 0, 0},
    [KNOB_BATCH] = {1, 1 << 20, 1}, [KNOB_SM_COMM] = {0, 4095, 1},
    [KNOB_FREQ] = {1, 1e5, 0},      [KNOB_REPLICAS] = {1, 1 << 20, 1},
    [KNOB_CHUNK_TOKENS] = {0, 1 << 22, 1}, /* 0 = the serving profile's budget */
    [KNOB_REPLICAS_PER_GPU] = {1, 64, 1},
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int llm_find_duplicate(const double *v, int n, double *dup)
{
    if (n < 2)
        return 0;
    double *c = malloc(sizeof(double) * (size_t)n);
    if (!c) { /* fall back to the quadratic check rather than fail */
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                if (v[a] == v[b]) {
                    *dup = v[a];
                    return 1;
                }
        return 0;
    }
    memcpy(c, v, sizeof(double) * (size_t)n);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    int found = 0;
    for (int i = 1; i < n && !found; i++)
        if (c[i] == c[i - 1]) {
            *dup = c[i];
            found = 1;
        }
    free(c);
    return found;
}

void configs_free_space(llm_space_spec *s)
{
    for (int k = 0; k < KNOB_COUNT; k++) {
        free(s->values[k]);
        s->values[k] = NULL;
        s->n[k] = 0;
    }
}

static int push(llm_space_spec *s, int k, double v, const char *file, const char *path,
                llm_err *err)
{
    if (s->n[k] >= KNOB_MAX_VALUES) {
        llm_err_set(err, "%s: %s: more than %d values; expected a smaller range", file, path,
                    KNOB_MAX_VALUES);
        return -1;
    }
    if ((s->n[k] & (s->n[k] - 1)) == 0) { /* grow at powers of two */
        double *nv = realloc(s->values[k], sizeof(double) * (size_t)(s->n[k] ? 2 * s->n[k] : 1));
        if (!nv) {
            llm_err_set(err, "%s: %s: out of memory", file, path);
            return -1;
        }
        s->values[k] = nv;
    }
    s->values[k][s->n[k]++] = v;
    return 0;
}

static int check_value(int k, double v, const char *file, const char *path, llm_err *err)
{
    if (!isfinite(v)) {
        llm_err_set(err, "%s: %s: expected a finite number", file, path);
        return -1;
    }
    if (knob_range[k].integer && v != floor(v)) {
        llm_err_set(err, "%s: %s: expected an integer, found %g", file, path, v);
        return -1;
    }
    if (v < knob_range[k].lo || v > knob_range[k].hi) {
        llm_err_set(err, "%s: %s: expected a value in [%g, %g], found %g", file, path,
                    knob_range[k].lo, knob_range[k].hi, v);
        return -1;
    }
    return 0;
}

static int read_number(const cJSON *o, const char *key, int required, double *out,
                       const char *file, const char *path, llm_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        if (required)
            llm_err_set(err, "%s: %s.%s: missing required field", file, path, key);
        return required ? -1 : 1;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        llm_err_set(err, "%s: %s.%s: expected a finite number", file, path, key);
        return -1;
    }
    *out = v->valuedouble;
    return 0;
}

static int read_range(const cJSON *o, int k, llm_space_spec *s, const char *file,
                      const char *path, llm_err *err)
{
    for (const cJSON *c = o->child; c; c = c->next)
        if (strcmp(c->string, "min") && strcmp(c->string, "max") && strcmp(c->string, "step") &&
            strcmp(c->string, "factor")) {
            llm_err_set(err, "%s: %s: unknown key \"%.64s\"; expected min, max and step or "
                        "factor", file, path, c->string);
            return -1;
        }
    double lo, hi, step = 0, factor = 0;
    if (read_number(o, "min", 1, &lo, file, path, err) || read_number(o, "max", 1, &hi, file,
                                                                       path, err))
        return -1;
    int has_step = read_number(o, "step", 0, &step, file, path, err);
    int has_factor = read_number(o, "factor", 0, &factor, file, path, err);
    if (has_step < 0 || has_factor < 0)
        return -1;
    if ((has_step == 0) == (has_factor == 0)) {
        llm_err_set(err, "%s: %s: expected exactly one of \"step\" (linear) or \"factor\" "
                    "(geometric)", file, path);
        return -1;
    }
    char sub[256];
    snprintf(sub, sizeof sub, "%s.min", path);
    if (check_value(k, lo, file, sub, err))
        return -1;
    snprintf(sub, sizeof sub, "%s.max", path);
    if (check_value(k, hi, file, sub, err))
        return -1;
    if (lo > hi) {
        llm_err_set(err, "%s: %s: empty range: min %g is above max %g", file, path, lo, hi);
        return -1;
    }
    if (has_step == 0 && !(step > 0)) {
        llm_err_set(err, "%s: %s.step: expected a positive step, found %g", file, path, step);
        return -1;
    }
    if (has_factor == 0 && !(factor > 1)) {
        llm_err_set(err, "%s: %s.factor: expected a factor above 1, found %g", file, path,
                    factor);
        return -1;
    }
    /* How many values the range has, before making them: a tiny step or a factor just above 1
     * must be refused, not looped over (found by the fuzzer: step 1e-308). */
    double count = has_step == 0 ? floor((hi - lo) / step) + 1
                                 : floor(log(hi / lo) / log(factor) + 1e-9) + 1;
    if (!(count <= KNOB_MAX_VALUES)) {
        llm_err_set(err, "%s: %s: more than %d values; expected a smaller range", file, path,
                    KNOB_MAX_VALUES);
        return -1;
    }
    /* Values are generated from the index (min + i*step, min * factor^i), not accumulated, so
     * rounding does not drift; integer knobs round to the nearest integer, duplicates skipped. */
    for (long i = 0; i < (long)count + 1; i++) {
        double v = has_step == 0 ? lo + (double)i * step : lo * pow(factor, (double)i);
        if (v > hi * (1 + 1e-12))
            break;
        if (knob_range[k].integer)
            v = floor(v + 0.5);
        if (s->n[k] && s->values[k][s->n[k] - 1] == v)
            continue;
        if (push(s, k, v, file, path, err))
            return -1;
    }
    return 0;
}

static int read_knob(const cJSON *v, int k, llm_space_spec *s, const char *file, llm_err *err)
{
    char path[128], sub[160];
    snprintf(path, sizeof path, "$.%s", llm_knob_names[k]);
    int is_dtype = k == KNOB_DTYPE || k == KNOB_KV_DTYPE;
    if (k == KNOB_FREQ && cJSON_IsString(v) && !strcmp(v->valuestring, "all"))
        return 0; /* every supported clock step: the default */
    s->given[k] = 1;
    if (cJSON_IsArray(v)) {
        int i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
            if (is_dtype) {
                llm_dtype t;
                if (!cJSON_IsString(e) || llm_dtype_parse(e->valuestring, &t) ||
                    (t != LLM_BF16 && t != LLM_FP8)) {
                    llm_err_set(err, "%s: %s: expected \"bf16\" or \"fp8\"", file, sub);
                    return -1;
                }
                if (push(s, k, t, file, sub, err))
                    return -1;
                continue;
            }
            if (!cJSON_IsNumber(e)) {
                llm_err_set(err, "%s: %s: expected a number", file, sub);
                return -1;
            }
            if (check_value(k, e->valuedouble, file, sub, err) ||
                push(s, k, e->valuedouble, file, sub, err))
                return -1;
        }
        if (!i) {
            llm_err_set(err, "%s: %s: empty list; expected at least one value", file, path);
            return -1;
        }
        /* a repeated value would count configurations twice */
        double dup;
        if (llm_find_duplicate(s->values[k], s->n[k], &dup)) {
            llm_err_set(err, "%s: %s: value %g appears twice", file, path, dup);
            return -1;
        }
        return 0;
    }
    if (cJSON_IsObject(v) && !is_dtype)
        return read_range(v, k, s, file, path, err);
    llm_err_set(err, "%s: %s: expected a list of values%s%s", file, path,
                is_dtype ? "" : " or a range {\"min\", \"max\", \"step\" | \"factor\"}",
                k == KNOB_FREQ ? " or \"all\"" : "");
    return -1;
}

int configs_parse_space(const char *json, const char *file, llm_space_spec *s, llm_err *err)
{
    memset(s, 0, sizeof *s);
    cJSON *root = schema_parse(json, file, err);
    if (!root)
        return -1;
    int rc = 0;
    for (const cJSON *c = root->child; c && !rc; c = c->next) {
        for (const cJSON *d = c->next; d; d = d->next)
            if (!strcmp(d->string, c->string)) {
                llm_err_set(err, "%s: $.%.64s: key appears twice", file, c->string);
                rc = -1;
                break;
            }
        if (rc)
            break;
        int k = 0;
        while (k < KNOB_COUNT && strcmp(llm_knob_names[k], c->string))
            k++;
        if (k < KNOB_COUNT) {
            rc = read_knob(c, k, s, file, err);
        } else if (!strcmp(c->string, "name")) {
            if (!cJSON_IsString(c) || !c->valuestring[0] ||
                strlen(c->valuestring) >= sizeof s->name) {
                llm_err_set(err, "%s: $.name: expected a non-empty string of at most %zu "
                            "characters", file, sizeof s->name - 1);
                rc = -1;
            } else {
                char why[160];
                strcpy(s->name, c->valuestring);
                if (llm_text_check(s->name, why, sizeof why)) {
                    llm_err_set(err, "%s: $.name: %s", file, why);
                    rc = -1;
                }
            }
        } else if (!strcmp(c->string, "description") || !strcmp(c->string, "source")) {
            if (!cJSON_IsString(c)) {
                llm_err_set(err, "%s: $.%s: expected a string", file, c->string);
                rc = -1;
            }
        } else if (!strcmp(c->string, "slo_filter")) {
            if (!cJSON_IsBool(c)) {
                llm_err_set(err, "%s: $.slo_filter: expected true or false", file);
                rc = -1;
            }
            s->slo_filter = cJSON_IsTrue(c);
        } else if (!strcmp(c->string, "gpus")) {
            static const schema_field gpus[] = {
                {"per_node", SF_INT, offsetof(llm_space_spec, gpus_per_node), 0, 1, 4096, 0,
                 NULL, NULL, 0},
                {"nodes", SF_INT, offsetof(llm_space_spec, nodes), 0, 1, 65536, 0, NULL, NULL, 0},
                {NULL, SF_INT, 0, 0, 0, 0, 0, NULL, NULL, 0}};
            if (!cJSON_IsObject(c)) {
                llm_err_set(err, "%s: $.gpus: expected an object {\"per_node\", \"nodes\"}",
                            file);
                rc = -1;
            } else {
                rc = schema_read(c, gpus, s, file, "$.gpus", err);
            }
        } else {
            llm_err_set(err, "%s: $: unknown key \"%.64s\"; expected name, description, "
                        "source, tp, ep, dtype, kv_dtype, batch, sm_comm, freq_mhz, replicas, "
                        "gpus or slo_filter", file, c->string);
            rc = -1;
        }
    }
    cJSON_Delete(root);
    if (rc)
        configs_free_space(s);
    return rc;
}

int configs_load_space(const char *name, llm_space_spec *s, llm_err *err)
{
    memset(s, 0, sizeof *s);
    return schema_load_with("spaces", name, 4096, (parse_fn)configs_parse_space, s, err);
}
