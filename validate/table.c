/* validate/table.c — a small reader for the published data sets' CSV files (not our own
 * formats, which reports/ reads): the whole file split in place, quoted cells honoured. Used by
 * the end-to-end sets (e2e.c) and the uncertainty bands (bands.c). */
#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void table_free(table *t)
{
    free(t->text);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

/* Splits one line into at most `max` cells at commas, honouring double quotes ("" inside). */
static int split_line(char *s, char **out, int max)
{
    int n = 0;
    while (n < max) {
        char *w = s, *start = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s) break;
                if (*s == '"' && s[1] == '"') { *w++ = '"'; s += 2; continue; }
                if (*s == '"') { s++; break; }
                *w++ = *s++;
            }
            while (*s && *s != ',') s++;
        } else {
            while (*s && *s != ',') s++;
            w = s;
        }
        int more = *s == ',';
        *w = 0;
        out[n++] = start;
        if (!more) break;
        s++;
    }
    return n;
}

int table_load(const char *path, table *t, llm_err *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%.1000s", path);
    /* a regular file only (llm_open_input): a FIFO would block */
    FILE *f = llm_open_input(path, "rb", err);
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) || st.st_size < 0 || st.st_size > (1 << 30)) {
        llm_err_set(err, "%.1000s: expected a readable file of at most 1 GiB", path);
        fclose(f);
        return -1;
    }
    t->text = malloc((size_t)st.st_size + 1);
    size_t got = t->text ? fread(t->text, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!t->text || got != (size_t)st.st_size) {
        llm_err_set(err, "%.1000s: could not be read", path);
        table_free(t);
        return -1;
    }
    t->text[got] = 0;
    size_t lines = 1;
    for (size_t i = 0; i < got; i++)
        lines += t->text[i] == '\n';
    char *hdr[256];
    char *p = t->text, *nl = strchr(p, '\n');
    if (nl) *nl = 0;
    if (nl && nl > p && nl[-1] == '\r') nl[-1] = 0;
    t->cols = split_line(p, hdr, 256);
    t->cell = calloc((lines + 1) * (size_t)t->cols, sizeof *t->cell);
    if (!t->cell) {
        llm_err_set(err, "%s: out of memory", path);
        table_free(t);
        return -1;
    }
    for (int c = 0; c < t->cols; c++)
        t->cell[c] = hdr[c];
    int r = 1;
    for (p = nl ? nl + 1 : NULL; p && *p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl) *nl = 0;
        if (nl && nl > p && nl[-1] == '\r') nl[-1] = 0;
        if (!*p) continue;
        char **row = t->cell + (size_t)r * t->cols;
        int n = split_line(p, row, t->cols);
        for (int c = n; c < t->cols; c++)
            row[c] = "";
        r++;
    }
    t->rows = r - 1;
    return 0;
}

int table_col(const table *t, const char *name, llm_err *err)
{
    for (int c = 0; c < t->cols; c++)
        if (!strcmp(t->cell[c], name))
            return c;
    llm_err_set(err, "%s: expected a column \"%s\"", t->path, name);
    return -1;
}

const char *table_cell(const table *t, int r, int c)
{
    return t->cell[(size_t)(r + 1) * t->cols + c];
}
