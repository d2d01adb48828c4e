/* reports/sku.c — sku-check's own files: sku-check.csv (one row per model and workload: the
 * front's best in each objective) written and read back as a baseline, and index.html.
 * docs/sku-check.md. */
#include "reports.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SKU_CSV_HEADER "model,workload,status,feasible,front,best_energy_per_token_j," \
                       "best_tpot_s,best_throughput_per_gpu_tok_s\n"

void report_sku_csv(FILE *f, const report_sku_row *r, size_t n)
{
    fputs(SKU_CSV_HEADER, f);
    for (size_t i = 0; i < n; i++) {
        /* names are checked where read; quoted per RFC 4180 all the same */
        llm_csv_field(f, r[i].model);
        fputc(',', f);
        llm_csv_field(f, r[i].workload);
        fprintf(f, ",%s,%llu,%llu,%.9g,%.9g,%.9g\n", r[i].fits ? "ok" : "nothing_feasible",
                r[i].feasible, r[i].front, r[i].energy, r[i].tpot, r[i].thr);
    }
}

static void index_row(FILE *f, const report_sku_row *r)
{
    fputs("<tr><td>", f);
    llm_html_text(f, r->model);
    fputs("</td><td>", f);
    llm_html_text(f, r->workload);
    fputs("</td>", f);
    if (r->fits) {
        fprintf(f, "<td>%llu</td><td>%llu</td><td>%.4f</td><td>%.5f</td><td>%.1f</td>"
                   "<td><a href=\"", r->feasible, r->front, r->energy, r->tpot, r->thr);
        /* the folder name is a checked name ([A-Za-z0-9._-]), safe in a URL */
        llm_html_text(f, r->model);
        fputs("/report.html\">", f);
        llm_html_text(f, r->model);
        fputs("</a></td></tr>\n", f);
    } else {
        fprintf(f, "<td colspan=6>nothing feasible (memory or context)</td></tr>\n");
    }
}

void report_sku_index(FILE *f, const report_sku_row *r, size_t n, const char *gpu,
                      const char *version)
{
    fprintf(f, "<!DOCTYPE html><html><head><meta charset=utf-8><title>llmdse sku-check</title>"
               "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{"
               "border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:"
               "right}</style></head><body><h1>sku-check: ");
    llm_html_text(f, gpu);
    fprintf(f, "</h1><table><tr><th>model</th>"
               "<th>workload</th><th>feasible</th><th>front</th><th>best J/token</th>"
               "<th>best TPOT s</th><th>best tok/s per GPU</th><th>report</th></tr>\n");
    for (size_t i = 0; i < n; i++)
        index_row(f, &r[i]);
    fprintf(f, "</table><p>llmdse %s; fronts, recommendations and reports in the model "
               "folders.</p></body></html>\n", version);
}

/* Splits one CSV line (RFC 4180 quoting, no line breaks inside fields) in place; returns the
 * number of fields, or -1 when a quote is not closed. */
static int csv_split(char *line, char **fld, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        char *w = p;
        fld[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            if (*p && *p != ',')
                return -1;
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        int more = *p == ',';
        if (*p)
            p++;
        *w = '\0';
        if (!more)
            return n;
    }
}

static int csv_u64(const char *s, unsigned long long *v)
{
    char *e;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    *v = strtoull(s, &e, 10);
    return errno || *e ? -1 : 0;
}

static int csv_num(const char *s, double *v)
{
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    return errno || e == s || *e || !isfinite(*v) ? -1 : 0;
}

/* One data line into r; -1 when it is not one. */
static int sku_line(char *line, report_sku_row *r)
{
    char *fld[9];
    memset(r, 0, sizeof *r);
    if (csv_split(line, fld, 9) != 8 || csv_u64(fld[3], &r->feasible) ||
        csv_u64(fld[4], &r->front) || csv_num(fld[5], &r->energy) ||
        csv_num(fld[6], &r->tpot) || csv_num(fld[7], &r->thr))
        return -1;
    snprintf(r->model, sizeof r->model, "%s", fld[0]);
    snprintf(r->workload, sizeof r->workload, "%s", fld[1]);
    r->fits = !strcmp(fld[2], "ok");
    return 0;
}

int report_sku_read(const char *path, report_sku_row **rows, size_t *n, llm_err *err)
{
    *rows = NULL;
    *n = 0;
    FILE *f = llm_open_input(path, "r", err);
    if (!f)
        return -1;
    char line[1024];
    int lineno = 0;
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        if (++lineno == 1)
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            report_sku_row *nr = realloc(*rows, cap * sizeof **rows);
            if (!nr) {
                fclose(f);
                llm_err_fail(err, "out of memory");
                return -1;
            }
            *rows = nr;
        }
        if (sku_line(line, &(*rows)[*n])) {
            fclose(f);
            llm_err_set(err, "%s:%d: expected model,workload,status,feasible,front and three "
                        "metrics", path, lineno);
            return -1;
        }
        ++*n;
    }
    fclose(f);
    return 0;
}
