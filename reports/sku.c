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
        fputs("<td colspan=6>nothing feasible: ", f);
        llm_html_text(f, r->why);
        fputs("</td></tr>\n", f);
    }
}

void report_sku_index(FILE *f, const report_sku_row *r, size_t n, const llm_gpu *g,
                      const char *version)
{
    const char *gpu = g->name;
    fprintf(f, "<!DOCTYPE html><html><head><meta charset=utf-8><title>llmdse sku-check</title>"
               "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{"
               "border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:"
               "right}</style></head><body><h1>sku-check: ");
    llm_html_text(f, gpu);
    char note[256];
    report_coverage_note(g, note, sizeof note);
    fputs("</h1><p>Calibration: ", f);
    llm_html_text(f, note);
    fputs(" (docs/calibration.md, \"Coverage\").</p>", f);
    report_coverage_html(f, g);
    fprintf(f, "<table><tr><th>model</th>"
               "<th>workload</th><th>feasible</th><th>front</th><th>best J/token</th>"
               "<th>best TPOT s</th><th>best tok/s per GPU</th><th>report</th></tr>\n");
    for (size_t i = 0; i < n; i++)
        index_row(f, &r[i]);
    fprintf(f, "</table><p>llmdse %s; fronts, recommendations and reports in the model "
               "folders.</p></body></html>\n", version);
}

const char *const report_sku_metric_names[] = {"energy_per_token", "tpot",
                                               "throughput_per_gpu", NULL};

int report_sku_verdict(int m, double old_v, double new_v, double tol, double *change)
{
    *change = old_v > 0 ? new_v / old_v - 1 : 0;
    double better = m == SKU_THR ? *change : -*change;
    return better < -tol ? 1 : better > tol ? -1 : 0;
}

static const char *rec_names[] = {"none", "planned", "one_node_cannot_serve", "failed"};

static const char *row_status(const report_sku_row *r)
{
    return r->failed ? "failed" : r->fits ? "ok" : "nothing_feasible";
}

void report_sku_json(FILE *f, const report_sku_run *run)
{
    const llm_gpu *g = run->g;
    llm_gpu_derived d;
    llm_gpu_derive(g, &d);
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    json_str(&j, "llmdse", run->version);
    json_str(&j, "gpu", g->name);
    json_str(&j, "gpu_file", run->gpu_file);
    json_str(&j, "result", run->result);
    char note[256];
    int ds = report_coverage_note(g, note, sizeof note);
    json_bool(&j, "datasheet_only", ds == 2);
    json_str(&j, "calibration", note);
    json_str(&j, "band_regime", llm_band_regime_names[cost_band_regime(g, NULL)]);
    report_coverage_json(&j, g);
    json_obj(&j, "derived");
    json_num(&j, "bf16_peak_tflops_at_max_clock", d.bf16_tflops);
    if (g->bf16_peak_tflops > 0) {
        json_num(&j, "bf16_datasheet_tflops", g->bf16_peak_tflops);
        json_num(&j, "bf16_datasheet_clock_mhz", d.bf16_peak_mhz);
    }
    if (g->fp8_flop_per_clk_sm > 0)
        json_num(&j, "fp8_peak_tflops_at_max_clock", d.fp8_tflops);
    if (d.fp8_ratio > 0) {
        json_num(&j, "fp8_datasheet_tflops", g->fp8_peak_tflops);
        json_num(&j, "fp8_datasheet_clock_mhz", d.fp8_peak_mhz);
    }
    json_num(&j, "memory_bandwidth_gbs", g->mem_bw_gbs);
    if (d.bus_gbs > 0)
        json_num(&j, "memory_bus_bandwidth_gbs", d.bus_gbs);
    json_num(&j, "bf16_flop_per_byte", d.flop_per_byte);
    json_num(&j, "link_bw_gbs_per_direction", g->link_bw_gbs);
    json_str(&j, "link_generation", d.link_gen_name);
    json_num(&j, "link_generation_gbs_per_direction", d.link_gen_gbs);
    json_end_obj(&j);
    json_arr(&j, "failed_checks");
    for (int i = 0; i < run->nchecks; i++)
        json_str(&j, NULL, run->checks[i]);
    json_end_arr(&j);
    json_obj(&j, "tolerance");
    for (int m = 0; m < SKU_METRICS; m++)
        json_num(&j, report_sku_metric_names[m], run->tol[m]);
    json_end_obj(&j);
    if (run->baseline)
        json_str(&j, "baseline", run->baseline);
    json_int(&j, "regressions", run->regressions);
    json_int(&j, "improvements", run->improvements);
    json_int(&j, "errors", run->errors);
    json_arr(&j, "rows");
    for (size_t i = 0; i < run->n; i++) {
        const report_sku_row *r = &run->rows[i];
        json_obj(&j, NULL);
        json_str(&j, "model", r->model);
        json_str(&j, "workload", r->workload);
        json_str(&j, "status", row_status(r));
        json_int(&j, "feasible", (long long)r->feasible);
        json_int(&j, "front", (long long)r->front);
        if (r->fits) {
            json_num(&j, "best_energy_per_token_j", r->energy);
            json_num(&j, "best_tpot_s", r->tpot);
            json_num(&j, "best_throughput_per_gpu_tok_s", r->thr);
        } else if (!r->failed) {
            json_str(&j, "nothing_feasible", r->why);
        }
        if (r->rec) {
            json_obj(&j, "recommendation");
            json_num(&j, "rate_per_s", run->rate);
            json_int(&j, "gpus", g->gpus_per_node);
            json_str(&j, "status", rec_names[r->rec]);
            json_end_obj(&j);
        }
        const report_sku_cmp *c = run->cmp ? &run->cmp[i] : NULL;
        if (c && c->has_base) {
            json_obj(&j, "baseline");
            json_str(&j, "fits", c->fit_verdict > 0 ? "regression: feasible -> nothing"
                                 : c->fit_verdict < 0 ? "improvement: nothing -> feasible"
                                                      : "unchanged");
            if (!c->fit_verdict && r->fits)
                for (int m = 0; m < SKU_METRICS; m++) {
                    json_obj(&j, report_sku_metric_names[m]);
                    json_num(&j, "baseline", c->base[m]);
                    json_num(&j, "change", c->change[m]);
                    json_str(&j, "verdict", c->verdict[m] > 0 ? "regression"
                                            : c->verdict[m] < 0 ? "improvement" : "within");
                    json_end_obj(&j);
                }
            json_end_obj(&j);
        }
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_end_obj(&j);
    json_finish(&j);
}

/* <tag message="text">text</tag>, the text XML-escaped. */
static void junit_elem(FILE *f, const char *tag, const char *text)
{
    fprintf(f, "<%s message=\"", tag);
    llm_xml_text(f, text);
    fputs("\">", f);
    llm_xml_text(f, text);
    fprintf(f, "</%s>", tag);
}

static void junit_case_open(FILE *f, const char *gpu, const char *cls, const char *name)
{
    fputs("    <testcase classname=\"sku-check.", f);
    llm_xml_text(f, gpu);
    if (cls) {
        fputc('.', f);
        llm_xml_text(f, cls);
    }
    fputs("\" name=\"", f);
    llm_xml_text(f, name);
    fputs("\">", f);
}

/* A row's comparison as one line of text ("energy_per_token -3.1% improvement; ..."); the
 * number of regressions in it. */
static int cmp_text(const report_sku_cmp *c, const report_sku_row *r, const double *tol,
                    char *buf, size_t len)
{
    int bad = 0;
    buf[0] = '\0';
    if (!c || !c->has_base)
        return 0;
    if (c->fit_verdict) {
        snprintf(buf, len, "%s", c->fit_verdict > 0 ? "REGRESSION: feasible in the baseline, "
                 "nothing feasible now" : "IMPROVEMENT: nothing feasible in the baseline, "
                 "feasible now");
        return c->fit_verdict > 0;
    }
    if (!r->fits)
        return 0;
    for (int m = 0; m < SKU_METRICS; m++) {
        size_t u = strlen(buf);
        if (!c->verdict[m])
            continue;
        bad += c->verdict[m] > 0;
        snprintf(buf + u, len - u, "%s%s best %s %+.1f%% (tolerance %.1f%%)", u ? "; " : "",
                 c->verdict[m] > 0 ? "REGRESSION" : "IMPROVEMENT", report_sku_metric_names[m],
                 100 * c->change[m], 100 * tol[m]);
    }
    return bad;
}

void report_sku_junit(FILE *f, const report_sku_run *run)
{
    size_t tests = 1, failures = run->nchecks > 0, errors = 0, skipped = 0;
    char text[2048];
    for (size_t i = 0; i < run->n; i++) {
        const report_sku_row *r = &run->rows[i];
        tests += 1 + (r->rec != 0);
        errors += r->failed + (r->rec == 3);
        int bad = cmp_text(run->cmp ? &run->cmp[i] : NULL, r, run->tol, text, sizeof text);
        failures += bad > 0;
        skipped += !r->fits && !r->failed && !bad;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"llmdse sku-check\" tests=\"%zu\" failures=\"%zu\" "
               "errors=\"%zu\" skipped=\"%zu\">\n", tests, failures, errors, skipped);
    fputs("  <testsuite name=\"sku-check ", f);
    llm_xml_text(f, run->g->name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
            tests, failures, errors, skipped);
    /* what calibrates the model on this GPU (docs/calibration.md, "Coverage") */
    char note[256];
    int ds = report_coverage_note(run->g, note, sizeof note);
    fprintf(f, "    <properties>\n      <property name=\"datasheet_only\" value=\"%s\"/>\n",
            ds == 2 ? "true" : "false");
    fputs("      <property name=\"calibration\" value=\"", f);
    llm_xml_text(f, note);
    fputs("\"/>\n", f);
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        fprintf(f, "      <property name=\"coverage.%s\" value=\"%s", llm_cov_class_names[c],
                llm_cov_level_names[run->g->coverage[c]]);
        if (run->g->coverage[c] == LLM_COV_TRANSFERRED) {
            fputs(" from ", f);
            llm_xml_text(f, run->g->coverage_from[c]);
        }
        fputs("\"/>\n", f);
    }
    fputs("    </properties>\n", f);
    junit_case_open(f, run->g->name, NULL, "plausibility");
    if (run->nchecks) {
        fprintf(f, "<failure message=\"%d plausibility checks failed\">", run->nchecks);
        for (int i = 0; i < run->nchecks; i++) {
            llm_xml_text(f, run->gpu_file);
            fputs(": ", f);
            llm_xml_text(f, run->checks[i]);
            fputc('\n', f);
        }
        fputs("</failure>", f);
    }
    fputs("</testcase>\n", f);
    for (size_t i = 0; i < run->n; i++) {
        const report_sku_row *r = &run->rows[i];
        junit_case_open(f, run->g->name, r->model, r->workload);
        int bad = cmp_text(run->cmp ? &run->cmp[i] : NULL, r, run->tol, text, sizeof text);
        if (r->failed)
            junit_elem(f, "error", "the exploration or its files failed (see the log)");
        else if (bad)
            junit_elem(f, "failure", text);
        else if (!r->fits) {
            char why[300];
            snprintf(why, sizeof why, "nothing feasible: %s", r->why);
            junit_elem(f, "skipped", why);
        }
        if (r->fits || (text[0] && !bad)) {
            fputs("<system-out>", f);
            if (r->fits)
                fprintf(f, "best %.9g J/token, %.9g s TPOT, %.9g tok/s per GPU; front %llu of "
                           "%llu feasible", r->energy, r->tpot, r->thr, r->front, r->feasible);
            if (text[0] && !bad) {
                fputs(r->fits ? "\n" : "", f);
                llm_xml_text(f, text);
            }
            fputs("</system-out>", f);
        }
        fputs("</testcase>\n", f);
        if (r->rec) {
            junit_case_open(f, run->g->name, r->model, "recommendation");
            snprintf(text, sizeof text, "%.3g req/s of %s on %d GPUs: %s", run->rate,
                     r->workload, run->g->gpus_per_node, rec_names[r->rec]);
            if (r->rec == 3)
                junit_elem(f, "error", text);
            else {
                fputs("<system-out>", f);
                llm_xml_text(f, text);
                fputs("</system-out>", f);
            }
            fputs("</testcase>\n", f);
        }
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
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
