/* reports/page.c — the report page of an output folder (llmdse report, and sku-check's pages):
 * the folder checked against its manifest, the run's inputs loaded again from its summary.json,
 * the front (and all.csv's points, if any) evaluated again, and the page written as one file,
 * or into the folder itself as one change under its lock. docs/report.md. */
#include "reports.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const report_page *pg;
    int html, plots;
    char notice[256];
    const char *run;     /* the input folder's run (manifest.json), "" when it has none */
    char changed[700];   /* set when the input folder was replaced while it was read */
} page_out;

static int write_page(FILE *f, void *ctx)
{
    page_out *o = ctx;
    if (o->html)
        o->plots = report_page_html(f, o->pg, o->notice, sizeof o->notice);
    else
        report_page_md(f, o->pg);
    /* every input has been read now (the page reads recommendation.md and compare.md): the
     * folder must still be the run it was when checked, or the page mixes two runs */
    if (o->run && report_outdir_same_run(o->pg->dir, o->run, o->changed, sizeof o->changed))
        return -1;
    return 0;
}

/* Evaluates the points listed in DIR/NAME (front.csv, all.csv): at most `cap`, evenly spread. */
static int rows_of(const char *dir, const char *name, const search_inputs *in, size_t cap,
                   search_row **out, size_t *n, int required, llm_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *n = 0;
    *out = NULL;
    if (!required && access(path, R_OK))
        return 0;
    uint64_t *idx;
    size_t m;
    if (report_read_front_indices(path, &idx, &m, err))
        return -1;
    size_t k = m < cap ? m : cap;
    search_row *rows = calloc(k ? k : 1, sizeof *rows);
    if (!rows) {
        free(idx);
        llm_err_set(err, "report: out of memory");
        return -1;
    }
    for (size_t i = 0; i < k; i++) {
        uint64_t index = idx[k < m ? i * (m - 1) / (k > 1 ? k - 1 : 1) : i];
        if (index >= in->s->size) {
            llm_err_set(err, "report: %s: index %llu is outside the space", path,
                        (unsigned long long)index);
            free(idx);
            free(rows);
            return -1;
        }
        search_row_eval(in, index, &rows[i]);
    }
    free(idx);
    *out = rows;
    *n = k;
    return 0;
}

/* A page written into an llmdse output folder (report -i DIR -o DIR/report.html) joins it as
 * one change: under its lock, with a new manifest (docs/limits.md). 1 when begun. */
static int join_outdir(const char *out, report_outdir *od, char *oname, size_t olen,
                       llm_err *err)
{
    char odir[4096];
    snprintf(odir, sizeof odir, "%s", out);
    char *slash = strrchr(odir, '/');
    snprintf(oname, olen, "%s", slash ? slash + 1 : out);
    if (slash)
        *slash = '\0';
    else
        strcpy(odir, ".");
    if (!odir[0])
        strcpy(odir, "/");
    char mf[4200];
    struct stat mst;
    snprintf(mf, sizeof mf, "%s/manifest.json", odir);
    if (lstat(mf, &mst) || !strcmp(odir, "/") || !strcmp(odir, "."))
        return 0;
    int status;
    if (report_outdir_begin(od, odir, "report", OUTDIR_UPDATE, err, &status)) {
        llm_err_prefix(err, "report", status);
        return -1;
    }
    return 1;
}

/* The page's contents from the summary and the evaluated rows. */
static int fill_page(const report_page_args *a, const llm_summary *sum, const char *path,
                     report_run *run, report_page *pg, llm_err *err)
{
    memset(pg, 0, sizeof *pg);
    pg->in = &run->in;
    pg->dir = a->dir;
    pg->model_arg = sum->model;
    pg->gpu_arg = sum->gpu;
    pg->workload_arg = sum->workload;
    pg->space_name = sum->space;
    pg->version = a->version;
    pg->partial = sum->partial;
    if (search_parse_objectives(sum->objectives, pg->obj, &pg->nobj, err)) {
        llm_err_prefix(err, path, LLM_ERR_INPUT);
        llm_err_prefix(err, "report", 0);
        return -1;
    }
    pg->space_size = sum->space_size;
    pg->evaluated = sum->evaluated;
    pg->feasible = sum->feasible;
    search_row *front, *all;
    if (rows_of(a->dir, "front.csv", &run->in, 100000, &front, &pg->nrows, 1, err))
        return -1;
    if (rows_of(a->dir, "all.csv", &run->in, 20000, &all, &pg->nall, 0, err)) {
        free(front);
        return -1;
    }
    pg->rows = front;
    pg->all = all;
    return 0;
}

/* A recommend output (recommendation.json, no summary.json): its fleet report, written by
 * recommend with everything it needs (it alone has the inputs to solve the sensitivity
 * cases), is the page: fleet.md or fleet.html copied as it is. */
typedef struct {
    const char *path;
    char changed[700];
    const char *dir, *run;
} fleet_copy;

static int copy_fleet(FILE *f, void *ctx)
{
    fleet_copy *c = ctx;
    FILE *in = fopen(c->path, "rb");
    if (!in)
        return -1;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, f) != n) {
            fclose(in);
            return -1;
        }
    int bad = ferror(in);
    fclose(in);
    if (!bad && c->run && report_outdir_same_run(c->dir, c->run, c->changed, sizeof c->changed))
        return -1;
    return bad ? -1 : 0;
}

static int fleet_page(const report_page_args *a, int html, report_outdir *od, int in_outdir,
                      const char *oname, const char *run, report_page_result *res,
                      llm_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", a->dir, html ? "fleet.html" : "fleet.md");
    if (access(path, R_OK)) {
        llm_err_set(err, "report: %s: a recommend output without its fleet report (%s): run "
                    "llmdse recommend ... -o DIR again", a->dir, html ? "fleet.html" : "fleet.md");
        return -1;
    }
    fleet_copy c = {path, "", a->dir, run[0] ? run : NULL};
    int rc = in_outdir ? report_write_atomic(od->tmp, oname, copy_fleet, &c, err) ||
                             report_outdir_commit(od, 0, err)
                       : report_write_file(a->out, copy_fleet, &c, err);
    if (rc && c.changed[0])
        llm_err_fail(err, "report: %s", c.changed);
    else if (rc)
        llm_err_prefix(err, "report", LLM_ERR_RUNTIME);
    res->fleet = 1;
    return rc ? -1 : 0;
}

/* Everything after the folder's checks; od is begun when in_outdir. */
static int page_of(const report_page_args *a, int html, report_outdir *od, int in_outdir,
                   const char *oname, report_page_result *res, llm_err *err)
{
    char path[4096], why[700], run[128] = "";
    llm_summary sum;
    int mpartial = 0, mc = 1;
    /* the folder must be one run's complete output (docs/formats.md, manifest.json) */
    if (!a->given.m && (mc = report_outdir_check(a->dir, &mpartial, run, sizeof run, why,
                                                 sizeof why)) < 0) {
        llm_err_set(err, "report: %s", why);
        return -1;
    }
    snprintf(path, sizeof path, "%s/summary.json", a->dir);
    char rec[4096];
    snprintf(rec, sizeof rec, "%s/recommendation.json", a->dir);
    if (!a->given.m && access(path, F_OK) && !access(rec, F_OK))
        return fleet_page(a, html, od, in_outdir, oname, run, res, err);
    if (configs_load_summary(path, space_prune_names, &sum, err))
        return -1;
    if (mc == 1 && !a->given.m && !a->quiet)
        fprintf(stderr, "llmdse: warning: report: %s\n", why);
    report_run r;
    if (report_run_load(&sum, &a->given, "report", "the run had", &r, err))
        return -1;
    report_page pg;
    int rc = fill_page(a, &sum, path, &r, &pg, err);
    if (rc == 0) {
        pg.partial |= mpartial;
        page_out o = {&pg, html, 0, "", a->given.m ? NULL : run, ""};
        rc = in_outdir ? report_write_atomic(od->tmp, oname, write_page, &o, err) ||
                             report_outdir_commit(od, 0, err)
                       : report_write_file(a->out, write_page, &o, err);
        if (rc && o.changed[0])
            llm_err_fail(err, "report: %s", o.changed);
        else if (rc)
            llm_err_prefix(err, "report", LLM_ERR_RUNTIME);
        free((void *)pg.rows);
        free((void *)pg.all);
        res->nrows = pg.nrows;
        res->nall = pg.nall;
        res->plots = o.plots;
        res->partial = pg.partial;
        if (!rc && o.notice[0] && !a->quiet)
            fprintf(stderr, "llmdse: report: %s\n", o.notice);
    }
    report_run_free(&r);
    return rc ? -1 : 0;
}

int report_page_write(const report_page_args *a, report_page_result *res, llm_err *err)
{
    memset(res, 0, sizeof *res);
    size_t ol = strlen(a->out);
    int html = ol > 5 && !strcmp(a->out + ol - 5, ".html");
    if (!html && !(ol > 3 && !strcmp(a->out + ol - 3, ".md"))) {
        llm_err_set(err, "report: -o: expected a file name ending in .html or .md, found "
                    "\"%s\"", a->out);
        return -1;
    }
    report_outdir od;
    char oname[1024];
    int in_outdir = a->given.m ? 0 : join_outdir(a->out, &od, oname, sizeof oname, err);
    if (in_outdir < 0)
        return -1;
    int rc = page_of(a, html, &od, in_outdir, oname, res, err);
    if (rc && in_outdir)
        report_outdir_abort(&od);
    if (!rc && res->partial && !a->quiet)
        fprintf(stderr, "llmdse: warning: report: %s is a PARTIAL run (interrupted): the "
                "front is of the points evaluated before it stopped; the page says so\n",
                a->dir);
    return rc;
}
