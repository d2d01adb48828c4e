/* validate/measure.c — reading the runner's measurement files (docs/validate.md,
 * "Measurements"): a header block of "# key: value" lines, the column header, one row per
 * kernel. Every error names the file, the line and what was expected. */
#include "validate.h"
#include "planline.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NCOLS 28
static const char *const result_columns =
    ",time_s,time_p10_s,time_p90_s,alone_a_s,alone_b_s,energy_j,power_w,sm_clock_mhz,"
    "mem_clock_mhz,status";

void validate_free(vfile *f)
{
    free(f->rows);
    f->rows = NULL;
    f->n = 0;
}

static int num(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static void header_value(vfile *f, const char *line)
{
    static const struct { const char *key; size_t off, len; } keys[] = {
        {"gpu_name", offsetof(vfile, gpu_name), sizeof(((vfile *)0)->gpu_name)},
        {"driver", offsetof(vfile, driver), sizeof(((vfile *)0)->driver)},
        {"cuda", offsetof(vfile, cuda), sizeof(((vfile *)0)->cuda)},
        {"date", offsetof(vfile, date), sizeof(((vfile *)0)->date)},
        {"clocks", offsetof(vfile, clocks), sizeof(((vfile *)0)->clocks)},
        {"command", offsetof(vfile, command), sizeof(((vfile *)0)->command)},
    };
    for (unsigned i = 0; i < sizeof keys / sizeof *keys; i++) {
        size_t l = strlen(keys[i].key);
        if (!strncmp(line + 2, keys[i].key, l) && line[2 + l] == ':') {
            const char *v = line + 3 + l;
            while (*v == ' ')
                v++;
            snprintf((char *)f + keys[i].off, keys[i].len, "%s", v);
        }
    }
}

/* One data row of a measurements file into m; -1 with err naming the line and column. */
static int parse_row(char *line, const char *path, int lineno, vmeas *m, llm_err *err)
{
    char *f[NCOLS + 1];
    int nf = 0;
    for (char *q = line; nf <= NCOLS;) {
        f[nf++] = q;
        char *c = strchr(q, ',');
        if (!c)
            break;
        *c = '\0';
        q = c + 1;
    }
    if (nf != NCOLS) {
        llm_err_set(err, "%s:%d: expected %d columns, found %s%d (truncated or malformed "
                    "row)", path, lineno, NCOLS, nf > NCOLS ? "more than " : "",
                    nf > NCOLS ? NCOLS : nf);
        return -1;
    }
    memset(m, 0, sizeof *m);
    vrow *r = &m->r;
    double v[NCOLS];
    /* every numeric column, with its largest sensible value: sizes as the plan bounds them
     * (validate/planline.h), times, energy, power and clocks far beyond any GPU; integer
     * columns must be whole (a huge value cast to int was found by the fuzzer) */
    static const struct { int col; const char *name; double max; int integer; } num_cols[] = {
        {0, "id", 1e9, 1}, {4, "m", 1099511627776.0, 0}, {5, "n", 1099511627776.0, 0},
        {6, "k", 1099511627776.0, 0}, {7, "batch", 1099511627776.0, 0},
        {8, "heads", 1099511627776.0, 0}, {9, "kv_heads", 1099511627776.0, 0},
        {10, "head_dim", 1099511627776.0, 0}, {11, "seq", 1099511627776.0, 0},
        {12, "ctx", 1099511627776.0, 0}, {13, "bytes", 17592186044416.0, 0},
        {14, "sms", 65536, 1}, {15, "sm_comm", 65536, 1}, {16, "freq_mhz", 1e5, 0},
        {17, "repeats", 1e6, 1}, {18, "time_s", 1e6, 0}, {19, "time_p10_s", 1e6, 0},
        {20, "time_p90_s", 1e6, 0}, {21, "alone_a_s", 1e6, 0}, {22, "alone_b_s", 1e6, 0},
        {23, "energy_j", 1e12, 0}, {24, "power_w", 1e6, 0}, {25, "sm_clock_mhz", 1e5, 0},
        {26, "mem_clock_mhz", 1e5, 0}};
    for (unsigned i = 0; i < sizeof num_cols / sizeof *num_cols; i++) {
        int c = num_cols[i].col;
        if (num(f[c], &v[c]) || v[c] < 0 || v[c] > num_cols[i].max ||
            (num_cols[i].integer && v[c] != floor(v[c]))) {
            llm_err_set(err, "%s:%d: column %s: expected a finite %snumber in [0, %g], "
                        "found \"%.32s\"", path, lineno, num_cols[i].name,
                        num_cols[i].integer ? "whole " : "", num_cols[i].max, f[c]);
            return -1;
        }
    }
    int kind = -1;
    for (int k = 0; vkind_names[k]; k++)
        if (!strcmp(f[1], vkind_names[k]))
            kind = k;
    llm_dtype dt;
    if (kind < 0) {
        llm_err_set(err, "%s:%d: column kind: unknown kernel \"%.32s\"", path, lineno, f[1]);
        return -1;
    }
    const char *shape = plan_shape_error(f[1], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
                                         v[11], v[12], v[13], (int)v[15]);
    if (shape) {
        llm_err_set(err, "%s:%d: %s", path, lineno, shape);
        return -1;
    }
    if (llm_dtype_parse(f[3], &dt) || (dt != LLM_BF16 && dt != LLM_FP8)) {
        llm_err_set(err, "%s:%d: column dtype: expected bf16 or fp8", path, lineno);
        return -1;
    }
    if (!f[2][0] || strlen(f[2]) >= sizeof r->klass) {
        llm_err_set(err, "%s:%d: column class: expected a name of 1 to %zu characters",
                    path, lineno, sizeof r->klass - 1);
        return -1;
    }
    r->id = (int)v[0];
    r->kind = (vkind)kind;
    strcpy(r->klass, f[2]);
    r->dtype = dt;
    r->m = v[4]; r->n = v[5]; r->k = v[6]; r->batch = v[7]; r->heads = v[8];
    r->kv_heads = v[9]; r->head_dim = v[10]; r->seq = v[11]; r->ctx = v[12];
    r->bytes = v[13]; r->sms = (int)v[14]; r->sm_comm = (int)v[15]; r->freq_mhz = v[16];
    r->repeats = (int)v[17];
    m->time_s = v[18]; m->time_p10_s = v[19]; m->time_p90_s = v[20];
    m->alone_a_s = v[21]; m->alone_b_s = v[22];
    m->energy_j = v[23]; m->power_w = v[24];
    m->sm_clock_mhz = v[25]; m->mem_clock_mhz = v[26];
    snprintf(m->status, sizeof m->status, "%s", f[27]);
    m->ok = !strcmp(f[27], "ok");
    if (!m->ok && strncmp(f[27], "skipped", 7) && strncmp(f[27], "error", 5)) {
        llm_err_set(err, "%s:%d: column status: expected ok, skipped:... or error:...",
                    path, lineno);
        return -1;
    }
    if (m->ok && !(m->time_s > 0)) {
        llm_err_set(err, "%s:%d: column time_s: expected a positive time for a row with "
                    "status ok", path, lineno);
        return -1;
    }
    return 0;
}

int validate_parse(const char *text, const char *path, vfile *out, llm_err *err)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    int lineno = 0, have_columns = 0;
    char expect[1024];
    snprintf(expect, sizeof expect, "%s%s", vplan_columns, result_columns);
    const char *p = text;
    char line[4096];
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if (len >= sizeof line) {
            llm_err_set(err, "%s:%d: line longer than %zu characters", path, lineno,
                        sizeof line - 1);
            goto fail;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        /* advance before trimming: a last line ending in '\r' without '\n' would otherwise be
         * read again forever (found by the fuzzer) */
        p = nl ? nl + 1 : p + len;
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (lineno == 1) {
            if (strcmp(line, "# llmdse measurements v1")) {
                llm_err_set(err, "%s:1: expected \"# llmdse measurements v1\" (a file written "
                            "by the llmdse runner)", path);
                goto fail;
            }
            continue;
        }
        if (line[0] == '#') {
            header_value(out, line);
            continue;
        }
        if (!len)
            continue;
        if (!have_columns) {
            if (strcmp(line, expect)) {
                llm_err_set(err, "%s:%d: expected the column header \"%s\"", path, lineno,
                            expect);
                goto fail;
            }
            have_columns = 1;
            continue;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 128;
            vmeas *nr = realloc(out->rows, cap * sizeof *nr);
            if (!nr) {
                llm_err_set(err, "%s: out of memory", path);
                goto fail;
            }
            out->rows = nr;
        }
        vmeas *m = &out->rows[out->n];
        if (parse_row(line, path, lineno, m, err))
            goto fail;
        out->n++;
    }
    if (!have_columns) {
        llm_err_set(err, "%s: no column header; the file is truncated", path);
        goto fail;
    }
    return 0;
fail:
    validate_free(out);
    return -1;
}

int validate_read(const char *path, vfile *out, llm_err *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = llm_open_input(path, "rb", err);
    if (!f)
        return -1;
    size_t len;
    int big;
    char *buf = llm_read_stream(f, (size_t)256 << 20, &len, &big);
    fclose(f);
    if (!buf) {
        if (big)
            llm_err_set(err, "%s: larger than 256 MiB; not a measurement file", path);
        else
            llm_err_set(err, "%s: out of memory", path);
        return -1;
    }
    if (strlen(buf) != len) {
        free(buf);
        llm_err_set(err, "%s: contains a NUL byte; expected a text file", path);
        return -1;
    }
    int rc = validate_parse(buf, path, out, err);
    free(buf);
    return rc;
}
