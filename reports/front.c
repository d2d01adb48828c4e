/* reports/front.c — front.csv read back by column name (validate plan --front): K
 * configurations spread evenly along a front's energy per token, the lowest and the highest
 * included. The columns are the ones reports/explore.c writes (docs/formats.md). */
#include "reports.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double energy; cost_config c; } front_cfg;

static int by_energy(const void *a, const void *b)
{
    double x = ((const front_cfg *)a)->energy, y = ((const front_cfg *)b)->energy;
    return (x > y) - (x < y);
}

/* the columns read, in this order */
#define NWANT 8
static const char *const want[NWANT] = {"tp", "ep", "dtype", "kv_dtype", "batch", "sm_comm",
                                        "freq_mhz", "energy_per_token_j"};

/* Where the optional column `name` is in the header line (-1: absent). */
static int optional_column(const char *line, const char *name)
{
    int c = 0;
    for (const char *t = line, *e; t; t = e ? e + 1 : NULL, c++) {
        e = strchr(t, ',');
        size_t l = e ? (size_t)(e - t) : strlen(t);
        if (l == strlen(name) && !strncmp(t, name, l))
            return c;
    }
    return -1;
}

/* Where each wanted column is in the header line; col[NWANT]: pp's, optional (a front.csv
 * from before pipeline stages has none: pp 1). */
static int header_columns(char *line, int *col, const char *path, llm_err *err)
{
    line[strcspn(line, "\r\n")] = 0;
    col[NWANT] = optional_column(line, "pp");
    for (int w8 = 0; w8 < NWANT; w8++) {
        col[w8] = -1;
        int c = 0;
        for (char *t = line, *e; t; t = e ? e + 1 : NULL, c++) {
            e = strchr(t, ',');
            size_t l = e ? (size_t)(e - t) : strlen(t);
            if (l == strlen(want[w8]) && !strncmp(t, want[w8], l))
                col[w8] = c;
        }
        if (col[w8] < 0) {
            llm_err_set(err, "%s:1: no column \"%s\"; expected a front.csv from explore", path,
                        want[w8]);
            return -1;
        }
    }
    return 0;
}

/* One row: every field range-checked, the error naming the CSV column (no atoi wraparound). */
static int front_row(char *line, const int *col, const llm_workload *w, front_cfg *fc,
                     const char *path, int lineno, llm_err *err)
{
    line[strcspn(line, "\r\n")] = 0;
    char *fld[64];
    int nf = 0;
    for (char *t = line; t && nf < 64;) {
        fld[nf++] = t;
        char *e = strchr(t, ',');
        if (e)
            *e++ = 0;
        t = e;
    }
    cost_config_default(&fc->c);
    int bad = 0;
    for (int w8 = 0; w8 < NWANT; w8++)
        bad |= col[w8] >= nf;
    llm_dtype d1, d2;
    if (bad || llm_dtype_parse(fld[col[2]], &d1) || llm_dtype_parse(fld[col[3]], &d2)) {
        llm_err_set(err, "%s:%d: malformed row", path, lineno);
        return -1;
    }
    int *ints[NWANT] = {&fc->c.tp, &fc->c.ep, NULL, NULL, &fc->c.batch, &fc->c.sm_comm, NULL,
                        NULL};
    double nums[NWANT];
    for (int w8 = 0; w8 < NWANT; w8++) {
        if (w8 == 2 || w8 == 3)
            continue;
        char *e;
        errno = 0;
        double x = ints[w8] ? (double)strtoll(fld[col[w8]], &e, 10) : strtod(fld[col[w8]], &e);
        double hi = ints[w8] ? (w8 == 5 ? 1024 : 1 << 20) : 1e15;
        if (errno || e == fld[col[w8]] || *e || !isfinite(x) || x < 0 || x > hi ||
            (ints[w8] && w8 != 5 && x < 1)) {
            llm_err_set(err, "%s:%d: column %s: expected %s in [%d, %.0f], found \"%.40s\"",
                        path, lineno, want[w8], ints[w8] ? "an integer" : "a finite number",
                        ints[w8] && w8 != 5 ? 1 : 0, hi, fld[col[w8]]);
            return -1;
        }
        nums[w8] = x;
        if (ints[w8])
            *ints[w8] = (int)x;
    }
    if (col[NWANT] >= 0) {
        char *e;
        const char *v = col[NWANT] < nf ? fld[col[NWANT]] : "";
        errno = 0;
        long long pp = strtoll(v, &e, 10);
        if (errno || e == v || *e || pp < 1 || pp > 1024) {
            llm_err_set(err, "%s:%d: column pp: expected an integer in [1, 1024], found "
                        "\"%.40s\"", path, lineno, v);
            return -1;
        }
        fc->c.pp = (int)pp;
    }
    fc->c.wdtype = d1;
    fc->c.kvdtype = d2;
    fc->c.freq_mhz = nums[6];
    fc->c.prompt = (int)lround(w->prompt_mean);
    fc->c.output = (int)lround(w->output_mean);
    fc->energy = nums[7];
    return 0;
}

/* Every row of the open file after the header. */
static int front_rows(FILE *f, const int *col, const llm_workload *w, const char *path,
                      front_cfg **v, size_t *nv, llm_err *err)
{
    char line[8192];
    size_t cap = 0;
    int lineno = 1;
    *v = NULL;
    *nv = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        front_cfg fc;
        if (front_row(line, col, w, &fc, path, lineno, err))
            return -1;
        if (*nv == cap) {
            cap = cap ? 2 * cap : 64;
            front_cfg *nvp = realloc(*v, cap * sizeof **v);
            if (!nvp) {
                llm_err_set(err, "out of memory");
                return -1;
            }
            *v = nvp;
        }
        (*v)[(*nv)++] = fc;
    }
    return 0;
}

int report_front_configs(const char *dir, int top, const llm_workload *w, cost_config *out,
                         int *n, llm_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/front.csv", dir);
    FILE *f = llm_open_input(path, "r", err);
    if (!f) {
        llm_err_set(err, "%s: cannot open (an explore output directory?)", path);
        return -1;
    }
    char line[8192];
    int col[NWANT + 1];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        llm_err_set(err, "%s: empty; expected a front.csv header", path);
        return -1;
    }
    front_cfg *v = NULL;
    size_t nv = 0;
    int rc = header_columns(line, col, path, err) || front_rows(f, col, w, path, &v, &nv, err);
    fclose(f);
    if (rc) {
        free(v);
        return -1;
    }
    if (!nv) {
        free(v);
        llm_err_set(err, "%s: the front is empty", path);
        return -1;
    }
    qsort(v, nv, sizeof *v, by_energy);
    int k = top < (int)nv ? top : (int)nv;
    for (int i = 0; i < k; i++)
        out[i] = v[k > 1 ? (size_t)i * (nv - 1) / (size_t)(k - 1) : 0].c;
    *n = k;
    free(v);
    return 0;
}
