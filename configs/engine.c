/* configs/engine.c — the engine files (configs/engines/ENGINE-VERSION.json): a serving engine's
 * command-line flags per llmdse knob, each with the documentation page it comes from, read by
 * the same table-driven schema as the other files (docs/formats.md, "Engine files"). What is
 * written into a shell script (flags, values, the command, the image) is checked here to be
 * plain words, so a file cannot smuggle shell code into a launch script; the writer quotes
 * them all the same (reports/deploy.c). */
#include "schema.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KNOB_NAME(a, b) b,
const char *const llm_engine_knob_names[] = {LLM_ENGINE_KNOBS(KNOB_NAME) NULL};
static const char *const format_names[] = {"value", "switch", NULL};

#define REQ 1
#define OPT 0
#define END {NULL, SF_INT, 0, 0, 0, 0, 0, NULL, NULL, 0}
#define STR(k, f, req, len) {k, SF_STR, offsetof(llm_engine, f), req, 0, 0, 0, NULL, NULL, len}
#define FLAG_FIELDS(K)                                                                        \
    static const schema_field flag_##K[] = {                                                  \
        STR("flag", flag[K].flag, REQ, LLM_NAME_MAX),                                         \
        {"format", SF_ENUM, offsetof(llm_engine, flag[K].format), REQ, 0, 0, 0, format_names, \
         NULL, 0},                                                                            \
        STR("bf16", flag[K].bf16, OPT, LLM_NAME_MAX),                                         \
        STR("fp8", flag[K].fp8, OPT, LLM_NAME_MAX),                                           \
        {"per_dp_rank", SF_BOOL, offsetof(llm_engine, flag[K].per_dp_rank), OPT, 0, 1, 0,     \
         NULL, NULL, 0},                                                                      \
        STR("doc", flag[K].doc, REQ, LLM_TEXT_MAX),                                           \
        END}
#define KNOB_FIELDS(a, b) FLAG_FIELDS(ENGINE_##a);
LLM_ENGINE_KNOBS(KNOB_FIELDS)
#define KNOB_OBJ(a, b) {b, SF_OBJ, 0, OPT, 0, 0, 0, NULL, flag_ENGINE_##a, 0},
static const schema_field engine_flags[] = {LLM_ENGINE_KNOBS(KNOB_OBJ) END};
static const schema_field engine_schema[] = {
    STR("name", name, REQ, LLM_NAME_MAX),
    STR("engine", engine, REQ, LLM_NAME_MAX),
    STR("version", version, REQ, LLM_NAME_MAX),
    {"description", SF_TEXT, 0, OPT, 0, 0, 0, NULL, NULL, 0},
    {"source", SF_TEXT, 0, REQ, 0, 0, 0, NULL, NULL, 0},
    STR("serving", serving, OPT, LLM_NAME_MAX),
    STR("command", command, REQ, LLM_NAME_MAX),
    {"model_flag", SF_TEXT, 0, OPT, 0, 0, 0, NULL, NULL, 0}, /* read below: may be "" */
    STR("image", image, REQ, LLM_TEXT_MAX),
    STR("image_doc", image_doc, REQ, LLM_TEXT_MAX),
    {"port", SF_INT, offsetof(llm_engine, port), REQ, 1024, 65000, 0, NULL, NULL, 0},
    {"mps", SF_BOOL, offsetof(llm_engine, mps), REQ, 0, 1, 0, NULL, NULL, 0},
    STR("mps_source", mps_source, REQ, LLM_ERR_MAX),
    {"tp_counts_all", SF_BOOL, offsetof(llm_engine, tp_counts_all), OPT, 0, 1, 0, NULL, NULL,
     0},
    {"flags", SF_OBJ, 0, REQ, 0, 0, 0, NULL, engine_flags, 0},
    END};

/* s is 1+ characters of `set`, or (flag) "--" then 1+ of [a-z0-9_-] starting alphanumeric. */
static int all_of(const char *s, const char *set)
{
    return s[0] && strspn(s, set) == strlen(s);
}
#define LOWER "abcdefghijklmnopqrstuvwxyz0123456789"
static int is_flag(const char *s)
{
    return !strncmp(s, "--", 2) && s[2] && strchr(LOWER, s[2]) && all_of(s + 2, LOWER "_-");
}

static int check_engine(const cJSON *root, const char *file, llm_engine *e, llm_err *err)
{
    const cJSON *mf = cJSON_GetObjectItemCaseSensitive(root, "model_flag");
    e->model_flag[0] = '\0';
    if (mf && cJSON_IsString(mf) && mf->valuestring[0]) {
        if (!is_flag(mf->valuestring) || strlen(mf->valuestring) >= sizeof e->model_flag) {
            llm_err_set(err, "%s: $.model_flag: expected \"\" or a flag (--name of [a-z0-9_-])",
                        file);
            return -1;
        }
        strcpy(e->model_flag, mf->valuestring);
    }
    char want[2 * LLM_NAME_MAX + 2];
    snprintf(want, sizeof want, "%s-%s", e->engine, e->version);
    if (!all_of(e->engine, "abcdefghijklmnopqrstuvwxyz") || !all_of(e->version, "0123456789.")) {
        llm_err_set(err, "%s: $.engine, $.version: expected a lowercase word and a version of "
                    "digits and dots, found \"%s\" \"%s\"", file, e->engine, e->version);
        return -1;
    }
    if (strcmp(e->name, want)) {
        llm_err_set(err, "%s: $.name: expected \"%s\" (ENGINE-VERSION), found \"%s\"", file,
                    want, e->name);
        return -1;
    }
    /* words of [a-z0-9._-] separated by single spaces */
    const char *c = e->command;
    int ok = c[0] && c[0] != ' ' && c[strlen(c) - 1] != ' ' && !strstr(c, "  ") &&
             all_of(c, LOWER "._- ");
    if (!ok) {
        llm_err_set(err, "%s: $.command: expected words of [a-z0-9._-] separated by spaces, "
                    "found \"%s\"", file, c);
        return -1;
    }
    if (!all_of(e->image, LOWER "./:_-")) {
        llm_err_set(err, "%s: $.image: expected an image reference of [a-z0-9./:_-], found "
                    "\"%s\"", file, e->image);
        return -1;
    }
    if (strncmp(e->image_doc, "https://", 8)) {
        llm_err_set(err, "%s: $.image_doc: expected an https:// URL", file);
        return -1;
    }
    for (int k = 0; k < ENGINE_NFLAGS; k++) {
        const llm_engine_flag *f = &e->flag[k];
        if (!f->flag[0])
            continue;
        const char *kn = llm_engine_knob_names[k];
        if (!is_flag(f->flag)) {
            llm_err_set(err, "%s: $.flags.%s.flag: expected a command-line flag (--name of "
                        "[a-z0-9_-]), found \"%s\"", file, kn, f->flag);
            return -1;
        }
        const char *vals[2] = {f->bf16, f->fp8};
        for (int i = 0; i < 2; i++)
            if (vals[i][0] && !all_of(vals[i], LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ._-")) {
                llm_err_set(err, "%s: $.flags.%s.%s: expected a value of [A-Za-z0-9._-], "
                            "found \"%s\"", file, kn, i ? "fp8" : "bf16", vals[i]);
                return -1;
            }
        if (strncmp(f->doc, "https://", 8)) {
            llm_err_set(err, "%s: $.flags.%s.doc: expected the https:// URL of the page the "
                        "flag is documented on", file, kn);
            return -1;
        }
    }
    if (!e->flag[ENGINE_TP].flag[0] || !e->flag[ENGINE_PORT].flag[0]) {
        llm_err_set(err, "%s: $.flags: expected at least \"tp\" and \"port\"", file);
        return -1;
    }
    return 0;
}

int configs_parse_engine(const char *json, const char *file, llm_engine *e, llm_err *err)
{
    memset(e, 0, sizeof *e);
    cJSON *root = schema_parse(json, file, err);
    if (!root)
        return -1;
    int rc = schema_read(root, engine_schema, e, file, "$", err);
    if (!rc)
        rc = check_engine(root, file, e, err);
    cJSON_Delete(root);
    return rc;
}

int configs_load_engine(const char *name, llm_engine *e, llm_err *err)
{
    return schema_load_with("engines", name, LLM_PATH_MAX, (parse_fn)configs_parse_engine, e,
                            err);
}

/* The bundled ENGINE-VERSION names, sorted, comma separated. */
static void known_engines(char *buf, size_t len)
{
    configs_list("engines", buf, len);
}

int configs_find_engine(const char *engine, const char *version, const char *serving,
                        llm_engine *e, llm_err *err)
{
    char known[1024];
    known_engines(known, sizeof known);
    /* names are data: checked before they become part of a path */
    if ((engine[0] && !all_of(engine, "abcdefghijklmnopqrstuvwxyz")) ||
        (version[0] && !all_of(version, "0123456789."))) {
        llm_err_set(err, "--engine %.40s --engine-version %.40s: expected an engine name and a "
                    "version of digits and dots; known: %s", engine, version, known);
        return -1;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/engines", configs_dir());
    if (engine[0] && version[0]) {
        /* both given: that file, and its own errors when it does not load */
        char nm[2 * LLM_NAME_MAX + 2], path[4400];
        snprintf(nm, sizeof nm, "%.63s-%.63s", engine, version);
        snprintf(path, sizeof path, "%s/%s.json", dir, nm);
        if (access(path, R_OK)) {
            llm_err_set(err, "unknown engine \"%s\" version \"%s\"; known: %s", engine,
                        version, known);
            return -1;
        }
        return configs_load_engine(nm, e, err);
    }
    DIR *d = opendir(dir);
    if (!d) {
        llm_err_set(err, "%s: cannot list the engine files", dir);
        return -1;
    }
    /* the candidates: engine and version as given, or the serving profile's engine */
    char cand[16][LLM_NAME_MAX];
    int served[16], n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 16) {
        size_t l = strlen(de->d_name);
        if (l < 6 || l >= LLM_NAME_MAX || strcmp(de->d_name + l - 5, ".json"))
            continue;
        snprintf(cand[n], sizeof cand[n], "%.*s", (int)(l - 5), de->d_name);
        llm_engine t;
        llm_err e2;
        if (configs_load_engine(cand[n], &t, &e2))
            continue; /* a broken file is reported when it is asked for by name */
        int ok = engine[0] ? !strcmp(t.engine, engine) : !strcmp(t.serving, serving);
        if (ok && version[0])
            ok = !strcmp(t.version, version);
        if (ok)
            served[n++] = !strcmp(t.serving, serving);
    }
    closedir(d);
    if (!n) {
        if (!engine[0])
            llm_err_set(err, "the run's serving profile \"%s\" is no bundled engine's; give "
                        "--engine E [--engine-version V] (known: %s)", serving, known);
        else
            llm_err_set(err, "unknown engine \"%s\"%s%s%s; known: %s", engine,
                        version[0] ? " version \"" : "", version, version[0] ? "\"" : "", known);
        return -1;
    }
    int pick = 0;
    if (n > 1) {
        /* several versions of the engine: the one the serving profile is, else ask */
        int k = 0;
        for (int i = 0; i < n; i++)
            if (served[i])
                pick = i, k++;
        if (k != 1) {
            llm_err_set(err, "--engine %s: several versions are bundled; give "
                        "--engine-version (known: %s)", engine, known);
            return -1;
        }
    }
    return configs_load_engine(cand[pick], e, err);
}
