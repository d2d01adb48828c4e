/* configs/schema.c — table-driven JSON reader (see schema.h). */
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void llm_err_set(llm_err *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->status = LLM_ERR_INPUT;
}

void llm_err_kind(llm_err *e, int status)
{
    if (e)
        e->status = status;
}

void llm_err_prefix(llm_err *e, const char *prefix, int status)
{
    char msg[LLM_ERR_MAX];
    snprintf(msg, sizeof msg, "%s", e->msg);
    size_t n = (size_t)snprintf(e->msg, sizeof e->msg, "%s: ", prefix);
    if (n < sizeof e->msg) {
        size_t len = strnlen(msg, sizeof e->msg - n - 1);
        memcpy(e->msg + n, msg, len);
        e->msg[n + len] = '\0';
    }
    if (status)
        e->status = status;
}

/* Files larger than this are not configuration files; refusing them keeps a hostile input
 * from exhausting memory. */
#define SCHEMA_MAX_FILE_BYTES (16 * 1024 * 1024)

char *schema_slurp(const char *path, llm_err *err)
{
    FILE *f = llm_open_input(path, "rb", err);
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > SCHEMA_MAX_FILE_BYTES + 8192) {
                llm_err_set(err, "%s: file larger than %d bytes; not a configuration file", path,
                            SCHEMA_MAX_FILE_BYTES);
                free(buf);
                fclose(f);
                return NULL;
            }
            char *nb = realloc(buf, cap);
            if (!nb) {
                llm_err_set(err, "%s: out of memory reading file", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n < 4096) {
            if (ferror(f)) {
                llm_err_set(err, "%s: read error: %s", path, strerror(errno));
                free(buf);
                fclose(f);
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (strlen(buf) != len) {
        llm_err_set(err, "%s: contains a NUL byte; expected a JSON text", path);
        free(buf);
        return NULL;
    }
    return buf;
}

cJSON *schema_parse(const char *text, const char *file, llm_err *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        long off = end ? (long)(end - text) : -1;
        int line = 1;
        for (long i = 0; i < off && text[i]; i++)
            line += text[i] == '\n';
        /* NaN and Infinity are not JSON: name the field and say what was expected */
        const char *lit = NULL;
        if (off >= 0) {
            const char *p = text + off;
            static const char *const lits[] = {"NaN", "-NaN", "Infinity", "-Infinity", "inf",
                                               "-inf", "nan", "-nan", "Inf", "-Inf", NULL};
            for (int i = 0; lits[i] && !lit; i++)
                if (!strncmp(p, lits[i], strlen(lits[i])))
                    lit = lits[i];
            if (!lit && off > 0 && (p[-1] == '-' || p[-1] == '+'))
                for (int i = 0; lits[i] && !lit; i++)
                    if (lits[i][0] != '-' && !strncmp(p, lits[i], strlen(lits[i])))
                        lit = lits[i];
        }
        if (lit) {
            /* the key before the value: "key" : <here> */
            long k = off - 1;
            while (k >= 0 && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' ||
                              text[k] == '\r' || text[k] == '-' || text[k] == '+'))
                k--;
            char keyname[80] = "";
            if (k >= 0 && text[k] == ':') {
                k--;
                while (k >= 0 && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' ||
                                  text[k] == '\r'))
                    k--;
                if (k > 0 && text[k] == '"') {
                    long e = k--;
                    while (k >= 0 && text[k] != '"' && e - k < 70)
                        k--;
                    if (k >= 0 && text[k] == '"')
                        snprintf(keyname, sizeof keyname, "%.*s", (int)(e - k - 1), text + k + 1);
                }
            }
            llm_err_set(err, "%s: line %d: %s%s%sexpected a finite number, found %s (JSON has "
                        "no NaN or Infinity)", file, line, keyname[0] ? "\"" : "", keyname,
                        keyname[0] ? "\": " : "", lit);
            return NULL;
        }
        llm_err_set(err, "%s: malformed JSON near line %d (byte %ld); expected a JSON object", file,
                    line, off);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        llm_err_set(err, "%s: $: expected a JSON object at the top level", file);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

static void join_enums(const char *const *names, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; names[i]; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s\"%s\"", i ? ", " : "", names[i]);
    }
}

static int read_field(const cJSON *v, const schema_field *f, void *target, const char *file,
                      const char *path, llm_err *err)
{
    char *dst = (char *)target + f->off;
    switch (f->type) {
    case SF_INT:
    case SF_NUM: {
        if (!cJSON_IsNumber(v)) {
            llm_err_set(err, "%s: %s: expected a number, found %s", file, path, type_name(v));
            return -1;
        }
        double x = v->valuedouble;
        if (!isfinite(x)) {
            llm_err_set(err, "%s: %s: expected a finite number", file, path);
            return -1;
        }
        if (f->type == SF_INT && x != floor(x)) {
            llm_err_set(err, "%s: %s: expected an integer, found %g", file, path, x);
            return -1;
        }
        if (x < f->min || x > f->max) {
            llm_err_set(err, "%s: %s: expected a value in [%g, %g], found %g", file, path, f->min,
                        f->max, x);
            return -1;
        }
        if (f->type == SF_INT)
            *(int *)dst = (int)x;
        else
            *(double *)dst = x;
        return 0;
    }
    case SF_BOOL:
        if (!cJSON_IsBool(v)) {
            llm_err_set(err, "%s: %s: expected true or false, found %s", file, path, type_name(v));
            return -1;
        }
        *(int *)dst = cJSON_IsTrue(v);
        return 0;
    case SF_STR:
    case SF_TEXT:
        if (!cJSON_IsString(v) || !v->valuestring[0]) {
            llm_err_set(err, "%s: %s: expected a non-empty string, found %s", file, path,
                        cJSON_IsString(v) ? "an empty string" : type_name(v));
            return -1;
        }
        if (f->type == SF_STR) {
            if (strlen(v->valuestring) >= f->len) {
                llm_err_set(err, "%s: %s: expected a string shorter than %zu characters", file,
                            path, f->len);
                return -1;
            }
            memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
        }
        return 0;
    case SF_ENUM: {
        char names[256];
        join_enums(f->enums, names, sizeof names);
        if (cJSON_IsString(v))
            for (int i = 0; f->enums[i]; i++)
                if (!strcmp(f->enums[i], v->valuestring)) {
                    *(int *)dst = i;
                    return 0;
                }
        llm_err_set(err, "%s: %s: expected one of %s, found %s%s%s", file, path, names,
                    cJSON_IsString(v) ? "\"" : "",
                    cJSON_IsString(v) ? v->valuestring : type_name(v),
                    cJSON_IsString(v) ? "\"" : "");
        return -1;
    }
    case SF_OBJ:
        if (!cJSON_IsObject(v)) {
            llm_err_set(err, "%s: %s: expected an object, found %s", file, path, type_name(v));
            return -1;
        }
        return schema_read(v, f->sub, target, file, path, err);
    }
    return -1;
}

static void set_default(const schema_field *f, void *target)
{
    char *dst = (char *)target + f->off;
    switch (f->type) {
    case SF_INT: case SF_BOOL: case SF_ENUM: *(int *)dst = (int)f->def; break;
    case SF_NUM: *(double *)dst = f->def; break;
    case SF_STR: dst[0] = '\0'; break;
    case SF_OBJ: {
        for (const schema_field *s = f->sub; s->key; s++)
            set_default(s, target);
        break;
    }
    case SF_TEXT: break;
    }
}

int schema_read(const cJSON *obj, const schema_field *fields, void *target, const char *file,
                const char *path, llm_err *err)
{
    char sub[256];
    /* Unknown keys first: a typo in an optional key would otherwise be silently ignored. */
    for (const cJSON *c = obj->child; c; c = c->next) {
        const schema_field *f = fields;
        while (f->key && strcmp(f->key, c->string))
            f++;
        if (!f->key) {
            char known[512] = "";
            for (const schema_field *k = fields; k->key; k++) {
                size_t used = strlen(known);
                snprintf(known + used, sizeof known - used, "%s%s", k == fields ? "" : ", ",
                         k->key);
            }
            llm_err_set(err, "%s: %s: unknown key \"%.64s\"; expected one of: %s", file, path,
                        c->string, known);
            return -1;
        }
        /* A duplicate key is ambiguous; cJSON keeps both, so refuse. */
        for (const cJSON *d = c->next; d; d = d->next)
            if (!strcmp(d->string, c->string)) {
                llm_err_set(err, "%s: %s.%.64s: key appears twice", file, path, c->string);
                return -1;
            }
    }
    for (const schema_field *f = fields; f->key; f++) {
        snprintf(sub, sizeof sub, "%s.%s", path, f->key);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->key);
        if (!v) {
            if (f->required) {
                llm_err_set(err, "%s: %s: missing required field", file, sub);
                return -1;
            }
            set_default(f, target);
            continue;
        }
        if (read_field(v, f, target, file, sub, err))
            return -1;
    }
    return 0;
}

int schema_load_with(const char *kind, const char *name, size_t path_max, parse_fn parse,
                     void *out, llm_err *err)
{
    char path[4096];
    if (path_max > sizeof path)
        path_max = sizeof path;
    if (configs_resolve(kind, name, path, path_max, err))
        return -1;
    char *text = schema_slurp(path, err);
    if (!text)
        return -1;
    int rc = parse(text, path, out, err);
    free(text);
    return rc;
}
