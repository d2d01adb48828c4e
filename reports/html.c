/* reports/html.c — `llmdse report`: one self-contained HTML page (or Markdown) from an explore
 * output directory: Pareto plots, the front, where the energy goes, clock and SM-split
 * sensitivity, the recommendation and the validation results when present (docs/report.md).
 * Plots are drawn by gnuplot (SVG, embedded); without gnuplot the page has the tables and says
 * what is missing. */
#include "reports.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int report_have_gnuplot(void)
{
    return report_find_program("gnuplot");
}

/* Runs a gnuplot script whose output is `svg` (a path); returns the SVG text (malloc'd) or
 * NULL. The script's data lives in files next to it, in a private temporary directory. */
static char *gnuplot_svg(const char *dir, const char *script)
{
    char sp[4096], svg[4096];
    snprintf(sp, sizeof sp, "%s/plot.gp", dir);
    snprintf(svg, sizeof svg, "%s/plot.svg", dir);
    FILE *f = fopen(sp, "w");
    if (!f)
        return NULL;
    /* noenhanced: op names such as mlp_up are text, not subscripts */
    fprintf(f, "set terminal svg size 640,420 mouse standalone noenhanced font "
               "'sans,11'\nset output '%s'\n%s\n", svg, script);
    fclose(f);
    /* fork/exec and waitpid, not system(): an interrupt stops the whole run (reports/outdir.c) */
    char *argv[] = {"gnuplot", sp, NULL};
    int rc = report_run_child(argv);
    unlink(sp);
    if (rc)
        return NULL;
    FILE *s = fopen(svg, "r");
    if (!s)
        return NULL;
    fseek(s, 0, SEEK_END);
    long n = ftell(s);
    fseek(s, 0, SEEK_SET);
    char *text = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (text && fread(text, 1, (size_t)n, s) == (size_t)n) {
        text[n] = '\0';
        /* drop the XML prolog: the SVG is inlined into HTML */
        char *start = strstr(text, "<svg");
        if (start && start != text)
            memmove(text, start, strlen(start) + 1);
    } else {
        free(text);
        text = NULL;
    }
    fclose(s);
    unlink(svg);
    return text;
}

static void esc(FILE *f, const char *s)
{
    llm_html_text(f, s);
}

/* A line of Markdown as our writers make it: **bold**, `code` and backslash escapes (as
 * llm_md_text writes them) become HTML; everything else is escaped text. */
static void md_inline(FILE *f, const char *s)
{
    char buf[8192];
    size_t n = 0;
    int bold = 0, code = 0;
    for (const char *p = s;; p++) {
        int flush = !*p || (p[0] == '*' && p[1] == '*') || *p == '`';
        if (flush || n + 2 >= sizeof buf) {
            buf[n] = 0;
            esc(f, buf);
            n = 0;
        }
        if (!*p)
            break;
        if (p[0] == '*' && p[1] == '*' && !code) {
            fputs(bold ? "</b>" : "<b>", f);
            bold = !bold;
            p++;
        } else if (*p == '`') {
            fputs(code ? "</code>" : "<code>", f);
            code = !code;
        } else if (*p == '\\' && p[1] && strchr("\\`*_[]|~#", p[1])) {
            buf[n++] = *++p;
        } else if (*p == '&' && (!strncmp(p, "&amp;", 5) || !strncmp(p, "&lt;", 4) ||
                                 !strncmp(p, "&gt;", 4))) {
            /* llm_md_text's entities, decoded here so that esc writes them once */
            buf[n++] = p[1] == 'a' ? '&' : p[1] == 'l' ? '<' : '>';
            p += p[1] == 'a' ? 4 : 3;
        } else {
            buf[n++] = *p;
        }
    }
    if (code)
        fputs("</code>", f);
    if (bold)
        fputs("</b>", f);
}

/* The value of an objective as people read it (maximised ones positive). */
static double shown(search_obj o, const cost_metrics *m)
{
    double v = search_obj_value(o, m);
    return o == OBJ_THROUGHPUT_PER_GPU ? -v : v;
}

static const char *obj_label(search_obj o)
{
    switch (o) {
    case OBJ_ENERGY: return "energy per token (J)";
    case OBJ_TPOT: return "TPOT (s)";
    case OBJ_TTFT: return "TTFT (s)";
    case OBJ_THROUGHPUT_PER_GPU: return "throughput per GPU (tok/s)";
    case OBJ_GPUS: return "GPUs";
    case OBJ_PEAK_POWER: return "peak power per GPU (W)";
    case OBJ_COST: return "cost per Mtok (USD)";
    case OBJ_COUNT: break;
    }
    return "";
}

static void embed(FILE *out, const char *title, char *svg, int *plots)
{
    fprintf(out, "<figure><figcaption>");
    esc(out, title);
    fprintf(out, "</figcaption>");
    if (svg) {
        fputs(svg, out);
        (*plots)++;
    } else {
        fputs("<p class=note>(plot not drawn: gnuplot failed)</p>", out);
    }
    fprintf(out, "</figure>\n");
    free(svg);
}

/* The '|' that ends a table cell: the next one not escaped as "\|". */
static char *cell_end(char *p)
{
    for (; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '|')
            return p;
    }
    return NULL;
}

/* A Markdown file (tables, headings, paragraphs) rendered as simple HTML. */
static void markdown_html(FILE *out, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[8192];
    int in_table = 0, header = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '|') {
            if (strstr(line, "|---")) {
                header = 0;
                continue;
            }
            if (!in_table) {
                fputs("<table>", out);
                in_table = header = 1;
            }
            fputs("<tr>", out);
            char *p = line + 1;
            for (char *c; (c = cell_end(p)); p = c + 1) {
                *c = 0;
                fputs(header ? "<th>" : "<td>", out);
                md_inline(out, p);
                fputs(header ? "</th>" : "</td>", out);
            }
            fputs("</tr>\n", out);
            continue;
        }
        if (in_table) {
            fputs("</table>\n", out);
            in_table = 0;
        }
        if (!line[0])
            continue;
        int h = 0;
        while (line[h] == '#')
            h++;
        if (h) {
            fprintf(out, "<h%d>", h + 2 > 6 ? 6 : h + 2);
            md_inline(out, line + h + (line[h] == ' '));
            fprintf(out, "</h%d>\n", h + 2 > 6 ? 6 : h + 2);
        } else {
            int item = (line[0] == '-' || line[0] == '*') && line[1] == ' ';
            fputs(item ? "<p>&bull; " : "<p>", out);
            md_inline(out, line + 2 * item);
            fputs("</p>\n", out);
        }
    }
    if (in_table)
        fputs("</table>\n", out);
    fclose(f);
}

static int exists(const char *dir, const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    return access(path, R_OK) == 0;
}

/* The short list (docs/report.md): the knee (eq. 56), the least energy per token, the least
 * TPOT and the most throughput per GPU on the front, distinct, each with why it is there. */
#define SHORT_MAX 4
typedef struct {
    size_t pick[SHORT_MAX];
    const char *why[SHORT_MAX];
    int n;
} shortlist;

static void short_add(shortlist *sl, size_t i, const char *why)
{
    for (int j = 0; j < sl->n; j++)
        if (sl->pick[j] == i)
            return;   /* already listed for an earlier reason */
    sl->pick[sl->n] = i;
    sl->why[sl->n++] = why;
}

static void short_list(const report_page *pg, shortlist *sl)
{
    sl->n = 0;
    if (!pg->nrows)
        return;
    short_add(sl, search_knee(pg->obj, pg->nobj, pg->rows, pg->nrows),
              "the knee: nearest the ideal point of the objectives, eq. 56");
    static const search_obj best[3] = {OBJ_ENERGY, OBJ_TPOT, OBJ_THROUGHPUT_PER_GPU};
    static const char *const why[3] = {"the least energy per token",
                                       "the fastest: the least TPOT",
                                       "the highest throughput per GPU"};
    for (int k = 0; k < 3; k++) {
        size_t b = 0;
        for (size_t i = 1; i < pg->nrows; i++)
            if (search_obj_value(best[k], &pg->rows[i].m) <
                search_obj_value(best[k], &pg->rows[b].m))
                b = i;
        short_add(sl, b, why[k]);
    }
}

/* An objective's band as shown (maximised ones positive); {0, 0} for none. */
static cost_interval obj_band(search_obj o, const cost_metric_bands *b)
{
    switch (o) {
    case OBJ_ENERGY: return b->energy_per_token;
    case OBJ_TPOT: return b->tpot;
    case OBJ_TTFT: return b->ttft;
    case OBJ_THROUGHPUT_PER_GPU: return b->throughput_per_gpu;
    case OBJ_PEAK_POWER: return b->peak_power;
    case OBJ_COST: return b->cost_per_mtok;
    case OBJ_GPUS: case OBJ_COUNT: break;
    }
    return (cost_interval){0, 0};
}

/* "v (lo-hi)" into a table cell, or "v" without a band. */
static void cell_band(FILE *out, const char *fmt, double v, cost_interval b)
{
    fputs("<td>", out);
    fprintf(out, fmt, v);
    if (b.hi > b.lo) {
        fputs(" <span class=band>(", out);
        fprintf(out, fmt, b.lo);
        fputs("-", out);
        fprintf(out, fmt, b.hi);
        fputs(")</span>", out);
    }
    fputs("</td>", out);
}

static void config_label(const search_row *r, char *buf, size_t len)
{
    char pp[24] = "";
    if (r->p.pp > 1)
        snprintf(pp, sizeof pp, " pp%d", r->p.pp);
    snprintf(buf, len, "tp%d ep%d%s %s/%s b%d sm%d %.0fMHz", r->p.tp, r->p.ep, pp,
             llm_dtype_names[r->p.dtype], llm_dtype_names[r->p.kv_dtype], r->p.batch,
             r->p.sm_comm, r->p.freq_mhz);
}

/* Where a phase's energy goes by kind: idle and static power over the whole time, then the
 * dynamic energy of compute-bound, memory-bound (and latency-bound) and communication ops. */
enum { EK_BASE, EK_COMPUTE, EK_MEMORY, EK_COMM, EK_COUNT };
static const char *const ek_names[] = {"idle + static", "compute", "memory", "communication"};

/* Time and energy of every op of one GPU, for a phase of a configuration, summed over layers;
 * kinds (may be NULL) gets the split by kind. */
static void op_breakdown_kinds(const report_page *pg, const search_row *r, cost_phase ph,
                               double *energy, double *time, double *kinds);
static void op_breakdown(const report_page *pg, const search_row *r, cost_phase ph,
                         double *energy, double *time)
{
    op_breakdown_kinds(pg, r, ph, energy, time, NULL);
}

static void op_breakdown_kinds(const report_page *pg, const search_row *r, cost_phase ph,
                               double *energy, double *time, double *kinds)
{
    cost_config c;
    search_config(pg->in, &r->p, &c);
    cost_layer L;
    cost_build_layer(pg->in->m, pg->in->g, &c, ph, ph == PHASE_PREFILL ? 1 : c.batch, c.prompt,
                     c.prompt + c.output / 2.0, &L);
    double mhz = ph == PHASE_PREFILL ? r->m.prefill_freq_mhz : r->m.effective_freq_mhz;
    for (int i = 0; i < OP_COUNT; i++)
        energy[i] = time[i] = 0;
    for (int i = 0; i < L.n; i++) {
        cost_op_cost oc;
        int sms = L.op[i].kind == KIND_COLL || c.sm_comm == 0 ? pg->in->g->sm_count
                                                              : pg->in->g->sm_count - c.sm_comm;
        cost_op_eval(pg->in->g, &L.op[i], mhz, sms, &oc);
        int cnt = L.op[i].per_layer ? pg->in->m->n_layers : 1;
        energy[L.op[i].id] += cnt * oc.energy_j;
        time[L.op[i].id] += cnt * oc.time_s;
        if (kinds) {
            kinds[EK_BASE] += cnt * (oc.energy_j - oc.dyn_energy_j);
            int k = oc.k.bound == BOUND_COMM ? EK_COMM
                  : oc.k.bound == BOUND_COMPUTE ? EK_COMPUTE : EK_MEMORY;
            kinds[k] += cnt * oc.dyn_energy_j;
        }
    }
}

static const char *CSS =
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;font-size:12px;margin:1em 0}"
    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    "th{background:#eee;cursor:pointer}figure{display:inline-block;margin:0.5em}"
    "figcaption{font-weight:bold}.note{color:#a50}figure svg{width:640px;height:420px}"
    "details{margin:0.5em 0}.band{color:#777;font-size:11px}svg .grid{stroke:#eee}"
    "svg text{fill:#333}tr.robust td{background:#f3f8ff}.box{border:1px solid #ccd;"
    "background:#f8f9fc;padding:0.5em 1em;margin:1em 0}";

/* Sorts a table by a clicked header; marks the page as loaded (the render test checks it). */
static const char *JS =
    "document.querySelectorAll('table.sortable th').forEach(function(th,i){"
    "th.addEventListener('click',function(){var t=th.closest('table'),"
    "rows=Array.from(t.querySelectorAll('tr')).slice(1),asc=th.dataset.asc!=='1';"
    "rows.sort(function(a,b){var x=a.children[i].textContent,y=b.children[i].textContent,"
    "u=parseFloat(x),v=parseFloat(y);return (isNaN(u)||isNaN(v)?x.localeCompare(y):u-v)*"
    "(asc?1:-1);});th.dataset.asc=asc?'1':'0';rows.forEach(function(r){t.appendChild(r);});"
    "});});document.body.dataset.ok='1';";

/* The page being written: its stream, the plots' scratch folder (gp: gnuplot is there), the
 * plots drawn, and the configurations chosen for the breakdowns (the best in each objective). */
typedef struct {
    FILE *out;
    const report_page *pg;
    int gp, plots;
    char tmpd[40];
    size_t pick[SHORT_MAX];       /* the short list's points (the breakdowns are of these) */
    int np;
    shortlist sl;
    unsigned char *robust;        /* per front row: on the robust front (eq. 55); NULL: none */
    int nrobust;
} html_page;

/* Pareto plots: each pair of objectives, drawn as SVG here (reports/scatter.c). */
static void html_pareto(html_page *h)
{
    FILE *out = h->out;
    const report_page *pg = h->pg;
    const search_inputs *in = pg->in;
    fprintf(out, "<h2>Pareto fronts</h2>\n<p>Each point a deployment on the front; colour: "
                 "tensor x expert parallel degree; shape: SM clock band; outlined, with error "
                 "bars: the robust front (the front thinned to the model's 80%% bands, eq. "
                 "55); faint: evaluated points off the front (with --all). Hover a "
                 "point for its configuration and metrics.</p>\n");
    if (!pg->nrows)
        return;
    /* colours: the tp x ep values present, in increasing order */
    int deg[16], nd = 0;
    for (size_t i = 0; i < pg->nrows; i++) {
        int d = pg->rows[i].p.tp * pg->rows[i].p.ep * (pg->rows[i].p.pp > 1 ? pg->rows[i].p.pp : 1),
            seen = 0;
        for (int k = 0; k < nd; k++)
            seen |= deg[k] == d;
        if (!seen && nd < 16)
            deg[nd++] = d;
    }
    for (int a = 1; a < nd; a++)
        for (int b = a; b > 0 && deg[b] < deg[b - 1]; b--) {
            int t = deg[b];
            deg[b] = deg[b - 1];
            deg[b - 1] = t;
        }
    char cname[16][24];
    const char *cnames[16];
    for (int k = 0; k < nd; k++) {
        snprintf(cname[k], sizeof cname[k], "%d GPU%s", deg[k], deg[k] > 1 ? "s" : "");
        cnames[k] = cname[k];
    }
    /* shapes: four equal bands of the GPU's clock range */
    char sname[4][40];
    const char *snames[4];
    double span = in->g->max_mhz - in->g->min_mhz;
    for (int k = 0; k < 4; k++) {
        snprintf(sname[k], sizeof sname[k], "%.0f-%.0f MHz", in->g->min_mhz + span * k / 4,
                 in->g->min_mhz + span * (k + 1) / 4);
        snames[k] = sname[k];
    }
    scatter_pt *pt = calloc(pg->nrows, sizeof *pt);
    scatter_pt *bg = calloc(pg->nall ? pg->nall : 1, sizeof *bg);
    char (*tip)[400] = calloc(pg->nrows, sizeof *tip);
    if (!pt || !bg || !tip) {
        free(pt);
        free(bg);
        free(tip);
        return;
    }
    for (int a = 0; a < pg->nobj; a++)
        for (int b = a + 1; b < pg->nobj; b++) {
            for (size_t i = 0; i < pg->nall; i++)
                bg[i] = (scatter_pt){.x = shown(pg->obj[a], &pg->all[i].m),
                                     .y = shown(pg->obj[b], &pg->all[i].m)};
            for (size_t i = 0; i < pg->nrows; i++) {
                const search_row *r = &pg->rows[i];
                cost_metric_bands bd;
                search_row_bands(pg->in, r, &bd);
                cost_interval ba = obj_band(pg->obj[a], &bd), bb = obj_band(pg->obj[b], &bd);
                char cfg[128];
                config_label(r, cfg, sizeof cfg);
                snprintf(tip[i], sizeof tip[i], "%s%s: %.4f J/token (%.4f-%.4f), TPOT %.4f s, "
                         "TTFT %.3f s, %.0f tok/s/GPU (%.0f-%.0f), %d GPUs, %.0f W peak", cfg,
                         h->robust && h->robust[i] ? " [robust]" : "", r->m.energy_per_token_j,
                         bd.energy_per_token.lo, bd.energy_per_token.hi, r->m.tpot_s,
                         r->m.ttft_s, r->m.throughput_per_gpu, bd.throughput_per_gpu.lo,
                         bd.throughput_per_gpu.hi, r->m.gpus, r->m.peak_power_w);
                int c = 0;
                for (int k = 0; k < nd; k++)
                    if (deg[k] == r->p.tp * r->p.ep * (r->p.pp > 1 ? r->p.pp : 1))
                        c = k;
                int band = span > 0 ? (int)((r->p.freq_mhz - in->g->min_mhz) / span * 4) : 3;
                pt[i] = (scatter_pt){shown(pg->obj[a], &r->m), shown(pg->obj[b], &r->m),
                                     ba.lo, ba.hi, bb.lo, bb.hi, c, band > 3 ? 3 : band,
                                     h->robust ? h->robust[i] : 0, tip[i]};
            }
            char title[160];
            snprintf(title, sizeof title, "%s vs %s", obj_label(pg->obj[a]),
                     obj_label(pg->obj[b]));
            fprintf(out, "<figure><figcaption>");
            esc(out, title);
            fprintf(out, "</figcaption>");
            scatter_plot sp = {obj_label(pg->obj[a]), obj_label(pg->obj[b]), -1, -1, pt, bg,
                               pg->nrows, pg->nall, "GPUs (tp x ep)", "SM clock", cnames, snames,
                               nd, 4};
            report_svg_scatter(out, &sp);
            fprintf(out, "</figure>\n");
            h->plots++;
        }
    free(pt);
    free(bg);
    free(tip);
}

/* TTFT, TPOT, throughput per GPU, energy per token and average power, each with its band: the
 * columns the robust front, the whole front and the short list share. */
static void metric_cells(FILE *out, const search_row *r, const cost_metric_bands *b)
{
    cell_band(out, "%.4f", r->m.ttft_s, b->ttft);
    cell_band(out, "%.5f", r->m.tpot_s, b->tpot);
    cell_band(out, "%.1f", r->m.throughput_per_gpu, b->throughput_per_gpu);
    cell_band(out, "%.4f", r->m.energy_per_token_j, b->energy_per_token);
    cell_band(out, "%.0f", r->m.avg_power_w, b->avg_power);
}

/* Whether a row meets the workload's SLOs, as explore's filter judges them (search/slo.c). */
static const char *slo_word(const report_page *pg, const search_row *r)
{
    const llm_workload *w = pg->in->w;
    int t = search_slo_ttft(w, &r->m) <= w->ttft_slo_s;
    int p = search_slo_tpot(w, &r->m) <= w->tpot_slo_s;
    return t && p ? "meets" : !t && !p ? "misses both" : !t ? "misses TTFT" : "misses TPOT";
}

/* Whether a front has pipelined points: its tables then have a pp column (eq. 60-65). */
static int page_has_pp(const report_page *pg)
{
    for (size_t i = 0; i < pg->nrows; i++)
        if (pg->rows[i].p.pp > 1)
            return 1;
    return 0;
}

/* One front row as a table row, with the bands of its metrics. */
static void front_row_html(FILE *out, const report_page *pg, const search_row *r, int robust)
{
    cost_metric_bands b;
    search_row_bands(pg->in, r, &b);
    char pp[32] = "";
    if (page_has_pp(pg))
        snprintf(pp, sizeof pp, "<td>%d</td>", r->p.pp > 1 ? r->p.pp : 1);
    fprintf(out, "<tr%s><td>%d</td><td>%d</td>%s<td>%s/%s</td><td>%d</td><td>%d</td>"
                 "<td>%.0f</td><td>%d</td><td>%d</td>", robust ? " class=robust" : "", r->p.tp,
            r->p.ep, pp, llm_dtype_names[r->p.dtype], llm_dtype_names[r->p.kv_dtype],
            r->p.batch, r->p.sm_comm, r->p.freq_mhz, r->p.replicas, r->m.gpus);
    metric_cells(out, r, &b);
    fprintf(out, "<td>%.0f</td><td>%.1f</td><td>%s</td><td>%s</td></tr>\n", r->m.peak_power_w,
            r->m.memory_per_gpu_gib, robust ? "yes" : "", slo_word(pg, r));
}

static const char *FRONT_HEAD =
    "<tr><th>tp</th><th>ep</th><th>weights/KV</th><th>batch</th><th>SM comm</th>"
    "<th>clock MHz</th><th>replicas</th><th>GPUs</th><th>TTFT s</th><th>TPOT s</th>"
    "<th>tok/s per GPU</th><th>J/token</th><th>avg W/GPU</th><th>peak W/GPU</th>"
    "<th>GiB/GPU</th><th>robust</th><th>SLOs</th></tr>\n";

/* The robust front first (the differences the model can resolve), then the whole front folded;
 * both sorted by the first objective. */
static void html_front(html_page *h)
{
    FILE *out = h->out;
    const report_page *pg = h->pg;
    char head[512];
    if (page_has_pp(pg)) /* the pp column after ep */
        snprintf(head, sizeof head, "<tr><th>tp</th><th>ep</th><th>pp</th>%s",
                 FRONT_HEAD + strlen("<tr><th>tp</th><th>ep</th>"));
    else
        snprintf(head, sizeof head, "%s", FRONT_HEAD);
    size_t *order = malloc((pg->nrows ? pg->nrows : 1) * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < pg->nrows; i++)
        order[i] = i;
    for (size_t i = 1; i < pg->nrows; i++) /* insertion sort: fronts are small */
        for (size_t j = i; j > 0 && search_obj_value(pg->obj[0], &pg->rows[order[j]].m) <
                                        search_obj_value(pg->obj[0], &pg->rows[order[j - 1]].m);
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    if (h->robust) {
        fprintf(out, "<h2>The robust front</h2>\n<p>The front thinned to the model's own error: "
                     "%d of its %zu points, such that every front point is within the 80%% bands "
                     "of one of these on every objective (docs/cost-model.md eq. 55); differences "
                     "smaller than that are not differences the model can resolve. Sorted by %s; "
                     "bands in parentheses.</p>\n"
                     "<table class=sortable>%s", h->nrobust, pg->nrows, obj_label(pg->obj[0]),
                head);
        for (size_t k = 0; k < pg->nrows; k++)
            if (h->robust[order[k]])
                front_row_html(out, pg, &pg->rows[order[k]], 1);
        fprintf(out, "</table>\n");
    }
    fprintf(out, "<details%s><summary>The whole front: %zu points (click to %s)</summary>\n"
                 "<p>Sorted by %s; click a heading to sort.</p>\n<table class=sortable>%s",
            h->robust ? "" : " open", pg->nrows, h->robust ? "open" : "fold",
            obj_label(pg->obj[0]), head);
    for (size_t k = 0; k < pg->nrows; k++)
        front_row_html(out, pg, &pg->rows[order[k]], h->robust && h->robust[order[k]]);
    fprintf(out, "</table></details>\n");
    free(order);
}

/* The two ops taking most of a phase's energy, as a phrase. */
static void dominant_ops(const report_page *pg, const search_row *r, cost_phase ph, char *buf,
                         size_t len)
{
    double e[OP_COUNT], t[OP_COUNT], kinds[EK_COUNT] = {0}, tot = 0, tt = 0;
    op_breakdown_kinds(pg, r, ph, e, t, kinds);
    int a = -1, b = -1;
    for (int o = 0; o < OP_COUNT; o++) {
        tot += e[o];
        tt += t[o];
        if (a < 0 || e[o] > e[a]) {
            b = a;
            a = o;
        } else if (b < 0 || e[o] > e[b]) {
            b = o;
        }
    }
    double ek = 0;
    for (int k = 0; k < EK_COUNT; k++)
        ek += kinds[k];
    if (!(tot > 0) || a < 0 || b < 0) {
        snprintf(buf, len, "-");
        return;
    }
    snprintf(buf, len, "%s %.0f%% and %s %.0f%% of the energy (%s %.0f%% of the time); idle "
             "and static power %.0f%%", cost_op_names[a], 100 * e[a] / tot, cost_op_names[b],
             100 * e[b] / tot, cost_op_names[a], tt > 0 ? 100 * t[a] / tt : 0,
             ek > 0 ? 100 * kinds[EK_BASE] / ek : 0);
}

/* What the model rests on for this GPU, and how sure it is (docs/calibration.md). */
static void html_uncertainty(html_page *h)
{
    FILE *out = h->out;
    const search_inputs *in = h->pg->in;
    if (!in->bands)
        return;
    llm_band_regime rg = cost_band_regime(in->g, in->serving);
    fprintf(out, "<div class=box><b>How sure these numbers are.</b> Every metric is shown with "
                 "its 80%% band, from the model's errors on published measurements it was not "
                 "fitted to (docs/calibration.md, \"Bands\"); regime <b>%s</b>", 
            llm_band_regime_names[rg]);
    static const char *const what[LLM_REGIME_COUNT] = {
        "(the serving profile was fitted on this GPU)",
        "(a calibrated GPU; the serving profile fitted elsewhere or estimated)",
        "(GEMM or power of this GPU from its datasheet alone: the widest bands)"};
    fprintf(out, " %s: energy per token x%.2f to x%.2f, TPOT x%.2f to x%.2f, throughput x%.2f "
                 "to x%.2f of the value shown. A band that does not contain its value says which "
                 "way the model errs out of fit. Calibration of ", what[rg],
            exp(in->bands->e2e[rg][LLM_BAND_ENERGY].q10),
            exp(in->bands->e2e[rg][LLM_BAND_ENERGY].q90),
            exp(in->bands->e2e[rg][LLM_BAND_TPOT].q10), exp(in->bands->e2e[rg][LLM_BAND_TPOT].q90),
            exp(in->bands->e2e[rg][LLM_BAND_THROUGHPUT].q10),
            exp(in->bands->e2e[rg][LLM_BAND_THROUGHPUT].q90));
    esc(out, in->g->name);
    fprintf(out, ":</p>");
    report_coverage_html(out, in->g);
    fprintf(out, "</div>\n");
}

/* The short list: a handful of points, each with why, its bands and what dominates it. */
static void html_shortlist(html_page *h)
{
    FILE *out = h->out;
    const report_page *pg = h->pg;
    if (!h->sl.n)
        return;
    fprintf(out, "<h2>Short list</h2>\n<table><tr><th>why</th><th>configuration</th>"
                 "<th>TTFT s</th><th>TPOT s</th><th>tok/s per GPU</th><th>J/token</th>"
                 "<th>avg W/GPU</th><th>GPUs</th><th>robust</th><th>SLOs</th></tr>\n");
    for (int k = 0; k < h->sl.n; k++) {
        size_t i = h->sl.pick[k];
        const search_row *r = &pg->rows[i];
        cost_metric_bands b;
        search_row_bands(pg->in, r, &b);
        char cfg[128];
        config_label(r, cfg, sizeof cfg);
        fprintf(out, "<tr><td style=text-align:left>%s</td><td>%s</td>", h->sl.why[k], cfg);
        metric_cells(out, r, &b);
        fprintf(out, "<td>%d</td><td>%s</td><td>%s</td></tr>\n", r->m.gpus,
                h->robust && h->robust[i] ? "yes" : "within the band of a robust point",
                slo_word(pg, r));
    }
    fprintf(out, "</table>\n<p>What dominates them, per GPU over all layers:</p><ul>\n");
    for (int k = 0; k < h->sl.n; k++) {
        const search_row *r = &pg->rows[h->sl.pick[k]];
        char cfg[128], dp[256], dd[256];
        config_label(r, cfg, sizeof cfg);
        dominant_ops(pg, r, PHASE_PREFILL, dp, sizeof dp);
        dominant_ops(pg, r, PHASE_DECODE, dd, sizeof dd);
        fprintf(out, "<li><b>%s</b> (%s): prefill: %s; decode step: %s.</li>\n", cfg,
                h->sl.why[k], dp, dd);
    }
    fprintf(out, "</ul>\n");
}

/* Where the energy goes: by op and phase (a chart and its table), and by kind. */
static void html_energy(html_page *h)
{
    FILE *out = h->out;
    const report_page *pg = h->pg;
    int gp = h->gp;
    const char *tmpd = h->tmpd;
    /* ---- where the energy goes ---- */
    const size_t *pick = h->pick;
    int np = h->np;
    fprintf(out, "<h2>Where the energy goes</h2>\n<p>Per GPU, summed over the layers, for the "
                 "short list's configurations: one request's prefill and one decode "
                 "step of the batch.</p>\n");
    /* the table is written aside and placed after the chart, folded */
    char *tbuf = NULL;
    size_t tlen = 0;
    FILE *tab = open_memstream(&tbuf, &tlen);
    FILE *main_out = out;
    if (tab)
        out = tab;
    fprintf(out, "<details><summary>the numbers</summary><table><tr><th>configuration</th>"
                 "<th>phase</th><th>op</th><th>time ms</th><th>energy J</th><th>share</th></tr>\n");
    char data[64];
    snprintf(data, sizeof data, "%s/ops.dat", tmpd);
    FILE *d = gp ? fopen(data, "w") : NULL;
    /* the ops this model has: those with energy in some chosen configuration's phase */
    int has[OP_COUNT] = {0}, nhas = 0;
    for (int c = 0; c < np; c++)
        for (int ph = 0; ph < 2; ph++) {
            double e[OP_COUNT], t[OP_COUNT];
            op_breakdown(pg, &pg->rows[pick[c]], (cost_phase)ph, e, t);
            for (int o = 0; o < OP_COUNT; o++)
                has[o] |= e[o] > 0;
        }
    for (int o = 0; o < OP_COUNT; o++)
        nhas += has[o];
    if (d) {
        fprintf(d, "config");
        for (int o = 0; o < OP_COUNT; o++)
            if (has[o])
                fprintf(d, " %s", cost_op_names[o]);
        fprintf(d, "\n");
    }
    for (int c = 0; c < np; c++) {
        const search_row *r = &pg->rows[pick[c]];
        char lab[128];
        config_label(r, lab, sizeof lab);
        for (int ph = 0; ph < 2; ph++) {
            double e[OP_COUNT], t[OP_COUNT], tot = 0;
            op_breakdown(pg, r, (cost_phase)ph, e, t);
            for (int o = 0; o < OP_COUNT; o++)
                tot += e[o];
            if (d) {
                fprintf(d, "\"%s %s\"", lab, ph ? "decode" : "prefill");
                for (int o = 0; o < OP_COUNT; o++)
                    if (has[o])
                        fprintf(d, " %.9g", tot > 0 ? e[o] / tot : 0);
                fprintf(d, "\n");
            }
            for (int o = 0; o < OP_COUNT; o++)
                if (e[o] > 0)
                    fprintf(out, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.4f</td>"
                                 "<td>%.4f</td><td>%.1f%%</td></tr>\n", lab,
                            ph ? "decode" : "prefill", cost_op_names[o], t[o] * 1e3, e[o],
                            100 * e[o] / tot);
        }
    }
    fprintf(out, "</table></details>\n");
    if (tab) {
        fclose(tab);
        out = main_out;
    }
    if (d) {
        fclose(d);
        char script[4096];
        snprintf(script, sizeof script,
                 "set style data histograms\nset style histogram rowstacked\nset style fill "
                 "solid 0.8 border -1\nset boxwidth 0.7\nset key outside right font ',8'\n"
                 "set ylabel 'share of the energy'\nset xtics rotate by -30 font ',7'\n"
                 "set yrange [0:1]\nplot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)\n",
                 nhas + 1, data);
        if (np)
            embed(out, "energy by op and phase", gnuplot_svg(tmpd, script), &h->plots);
        unlink(data);
    }
    if (tbuf) {
        fputs(tbuf, out);
        free(tbuf);
    }
    fprintf(out, "<p>By kind: idle and static power over the whole time, and the dynamic energy "
                 "of compute-bound, memory-bound (and launch-bound) and communication ops.</p>\n"
                 "<table><tr><th>configuration</th><th>phase</th>");
    for (int k = 0; k < EK_COUNT; k++)
        fprintf(out, "<th>%s</th>", ek_names[k]);
    fprintf(out, "</tr>\n");
    for (int c = 0; c < np; c++) {
        char lab[128];
        config_label(&pg->rows[pick[c]], lab, sizeof lab);
        for (int ph = 0; ph < 2; ph++) {
            double e[OP_COUNT], t[OP_COUNT], kinds[EK_COUNT] = {0}, tot = 0;
            op_breakdown_kinds(pg, &pg->rows[pick[c]], (cost_phase)ph, e, t, kinds);
            for (int k = 0; k < EK_COUNT; k++)
                tot += kinds[k];
            fprintf(out, "<tr><td>%s</td><td>%s</td>", lab, ph ? "decode" : "prefill");
            for (int k = 0; k < EK_COUNT; k++)
                fprintf(out, "<td>%.1f%%</td>", tot > 0 ? 100 * kinds[k] / tot : 0);
            fprintf(out, "</tr>\n");
        }
    }
    fprintf(out, "</table>\n");
}

/* Clock sensitivity of the chosen configurations. */
static void html_clock(html_page *h)
{
    FILE *out = h->out;
    const report_page *pg = h->pg;
    const search_inputs *in = pg->in;
    /* ---- clock and SM-split sensitivity ---- */
    fprintf(out, "<h2>Clock sensitivity</h2>\n<p>Energy per token and TPOT against the SM clock "
                 "for the chosen configurations (the power cap is the TDP).</p>\n");
    char data[64];
    snprintf(data, sizeof data, "%s/clock.dat", h->tmpd);
    FILE *d = h->gp ? fopen(data, "w") : NULL;
    fprintf(out, "<table><tr><th>configuration</th><th>clock of least energy MHz</th>"
                 "<th>J/token there</th><th>J/token at max clock</th></tr>\n");
    double elo = INFINITY, ehi = 0;   /* a log axis when the curves span a decade */
    for (int c = 0; c < h->np; c++) {
        const search_row *r = &pg->rows[h->pick[c]];
        cost_config cfg;
        search_config(in, &r->p, &cfg);
        cost_plan plan;
        cost_plan_build(in->m, in->g, &cfg, &plan);
        double best_f = 0, best_e = INFINITY, emax = 0;
        for (double f = in->g->min_mhz; f <= in->g->max_mhz + 1e-9; f += in->g->step_mhz) {
            cost_metrics m;
            cost_plan_eval(&plan, f, in->g->tdp_w, &m);
            cost_metrics_replicas(&plan, r->p.replicas, &m);
            if (d)
                fprintf(d, "%.9g %.9g %.9g\n", f, m.energy_per_token_j, m.tpot_s);
            elo = fmin(elo, m.energy_per_token_j);
            ehi = fmax(ehi, m.energy_per_token_j);
            if (m.energy_per_token_j < best_e) {
                best_e = m.energy_per_token_j;
                best_f = f;
            }
            emax = m.energy_per_token_j;
        }
        if (d)
            fprintf(d, "\n\n");
        char lab[128];
        config_label(r, lab, sizeof lab);
        fprintf(out, "<tr><td>#%d %s</td><td>%.0f</td><td>%.4f</td><td>%.4f</td></tr>\n", c + 1,
                lab, best_f, best_e, emax);
    }
    fprintf(out, "</table>\n");
    if (d) {
        fclose(d);
        char script[4096];
        snprintf(script, sizeof script,
                 "%sset xlabel 'SM clock (MHz)'\nset ylabel 'energy per token (J)'\nset y2label "
                 "'TPOT (s)'\nset y2tics\nset ytics nomirror\nset grid\nset key below\n"
                 "plot for [i=0:%d] '%s' index i using 1:2 with lines lw 2 title sprintf('J/token "
                 "#%%d', i+1), for [i=0:%d] '%s' index i using 1:3 axes x1y2 with lines dt 2 "
                 "title sprintf('TPOT #%%d', i+1)\n",
                 elo > 0 && ehi / elo >= 10 ? "set logscale y\nset logscale y2\n" : "",
                 h->np - 1, data, h->np - 1, data);
        if (h->np)
            embed(out, "energy per token and TPOT against the clock", gnuplot_svg(h->tmpd, script),
                  &h->plots);
        unlink(data);
    }
}

/* SM-split sensitivity of r, the chosen configuration with the most GPUs per replica
 * (communication); NULL when each runs on one GPU. */
static void html_sm_split(html_page *h, const search_row *r)
{
    FILE *out = h->out;
    const search_inputs *in = h->pg->in;
    int gp = h->gp;
    const char *tmpd = h->tmpd;
    fprintf(out, "<h2>SM-split sensitivity</h2>\n");
    if (!r) {
        fprintf(out, "<p>The chosen configurations run on one GPU: there is no communication to "
                     "overlap.</p>\n");
    } else {
        char lab[128];
        config_label(r, lab, sizeof lab);
        fprintf(out, "<p>For %s (the short list's configuration with the most GPUs per "
                     "replica), every other knob kept.</p>\n", lab);
        fprintf(out, "<table><tr><th>SMs for communication</th><th>TPOT s</th><th>TTFT s</th>"
                     "<th>J/token</th></tr>\n");
        char data[64];
        snprintf(data, sizeof data, "%s/sm.dat", tmpd);
        FILE *d = gp ? fopen(data, "w") : NULL;
        for (int sm = 0; sm <= 64 && sm < in->g->sm_count; sm += 4) {
            cost_config cfg;
            search_config(in, &r->p, &cfg);
            cfg.sm_comm = sm;
            cost_metrics m;
            cost_eval(in->m, in->g, &cfg, &m);
            fprintf(out, "<tr><td>%d</td><td>%.5f</td><td>%.4f</td><td>%.4f</td></tr>\n", sm,
                    m.tpot_s, m.ttft_s, m.energy_per_token_j);
            if (d)
                fprintf(d, "%d %.9g %.9g\n", sm, m.tpot_s, m.energy_per_token_j);
        }
        fprintf(out, "</table>\n");
        if (d) {
            fclose(d);
            char script[2048];
            snprintf(script, sizeof script,
                     "set xlabel 'SMs for communication'\nset ylabel 'TPOT (s)'\nset y2label "
                     "'J/token'\nset y2tics\nset ytics nomirror\nset grid\nset key below\n"
                     "plot '%s' using 1:2 with linespoints title 'TPOT', '' using 1:3 axes "
                     "x1y2 with linespoints title 'J/token'\n", data);
            embed(out, "TPOT and energy against the SM split", gnuplot_svg(tmpd, script), &h->plots);
            unlink(data);
        }
    }
}

int report_page_html(FILE *out, const report_page *pg, char *notice, size_t nlen)
{
    const search_inputs *in = pg->in;
    static html_page hp;
    html_page *h = &hp;
    memset(h, 0, sizeof *h);
    h->out = out;
    h->pg = pg;
    int gp = report_have_gnuplot();
    notice[0] = 0;
    /* the plots' scratch folder, named with the process id so that the next report removes
     * one a killed run left */
    char *tmpd = h->tmpd;
    snprintf(tmpd, sizeof h->tmpd, "/tmp/llmdse-report-%ld-XXXXXX", (long)getpid());
    int slot = -1;
    if (gp)
        report_remove_dead("/tmp", "llmdse-report-");
    if (gp && !mkdtemp(tmpd))
        gp = 0;
    if (gp)
        slot = report_cleanup_add(tmpd, 1); /* removed on an interrupt */
    fprintf(out, "<!DOCTYPE html><html><head><meta charset=utf-8><title>llmdse report: ");
    esc(out, in->m->name);
    fprintf(out, " on ");
    esc(out, in->g->name);
    fprintf(out, "</title><style>%s</style></head><body>\n<h1>", CSS);
    esc(out, in->m->name);
    fprintf(out, " on ");
    esc(out, in->g->name);
    fprintf(out, ", workload ");
    esc(out, in->w->name);
    fprintf(out, "</h1>\n<p>llmdse %s. Space ", pg->version);
    esc(out, pg->space_name);
    fprintf(out, ": %llu configurations, %llu evaluated, %llu feasible; front of %zu points.",
            (unsigned long long)pg->space_size, (unsigned long long)pg->evaluated,
            (unsigned long long)pg->feasible, pg->nrows);
    fprintf(out, " Request: %ld prompt + %ld output tokens; SLOs TTFT %.3g s, TPOT %.3g s.</p>\n",
            lround(in->w->prompt_mean), lround(in->w->output_mean), in->w->ttft_slo_s,
            in->w->tpot_slo_s);
    if (pg->partial)
        fprintf(out, "<p class=note><b>PARTIAL run:</b> the exploration was interrupted; the "
                     "front is of the points evaluated before it stopped, not of the whole "
                     "space.</p>\n");
    if (!gp) {
        snprintf(notice, nlen, "gnuplot is not installed: the report has tables but no plots "
                 "(apt-get install gnuplot-nox)");
        fprintf(out, "<p class=note>");
        esc(out, notice);
        fprintf(out, "</p>\n");
    }

    h->gp = gp;
    short_list(pg, &h->sl);
    h->np = h->sl.n;
    memcpy(h->pick, h->sl.pick, sizeof h->pick);
    if (in->bands && pg->nrows && (h->robust = calloc(pg->nrows, 1)))
        h->nrobust = search_robust_front(in, pg->obj, pg->nobj, pg->rows, pg->nrows, h->robust);
    if (h->nrobust < 0) {
        free(h->robust);
        h->robust = NULL;
    }
    html_uncertainty(h);
    html_shortlist(h);
    html_pareto(h);
    html_front(h);
    html_energy(h);
    html_clock(h);
    int with_comm = -1;
    for (int c = 0; c < h->np; c++)
        if (pg->rows[h->pick[c]].p.tp * pg->rows[h->pick[c]].p.ep > 1)
            with_comm = c;
    html_sm_split(h, with_comm < 0 ? NULL : &pg->rows[h->pick[with_comm]]);
    /* ---- recommendation and validation, when present ---- */
    char path[4200];
    if (exists(pg->dir, "recommendation.md", path, sizeof path)) {
        fprintf(out, "<h2>Recommendation</h2>\n");
        markdown_html(out, path);
    }
    if (exists(pg->dir, "compare.md", path, sizeof path)) {
        fprintf(out, "<h2>Model vs measured</h2>\n");
        markdown_html(out, path);
    }
    fprintf(out, "<h2>Inputs</h2>\n<p>model ");
    esc(out, pg->model_arg);
    fprintf(out, ", GPU ");
    esc(out, pg->gpu_arg);
    fprintf(out, ", workload ");
    esc(out, pg->workload_arg);
    fprintf(out, ", space ");
    esc(out, pg->space_name);
    fprintf(out, "; objectives");
    for (int k = 0; k < pg->nobj; k++)
        fprintf(out, " %s", search_obj_names[pg->obj[k]]);
    fprintf(out, "; from ");
    esc(out, pg->dir);
    fprintf(out, ". Cost model: docs/cost-model.md; its accuracy: docs/calibration.md.</p>\n");
    fprintf(out, "<script>%s</script>\n</body></html>\n", JS);
    free(h->robust);
    if (gp)
        rmdir(tmpd);
    report_cleanup_drop(slot);
    return h->plots;
}


void report_page_md(FILE *out, const report_page *pg)
{
    const search_inputs *in = pg->in;
    fputs("# ", out);
    llm_md_text(out, in->m->name);
    fputs(" on ", out);
    llm_md_text(out, in->g->name);
    fputs(", workload ", out);
    llm_md_text(out, in->w->name);
    fprintf(out, "\n\nllmdse %s. Space ", pg->version);
    llm_md_text(out, pg->space_name);
    fprintf(out, ": %llu configurations, %llu "
                 "evaluated, %llu feasible; front of %zu points. Plots: the HTML report.\n\n",
            (unsigned long long)pg->space_size, (unsigned long long)pg->evaluated,
            (unsigned long long)pg->feasible, pg->nrows);
    if (pg->partial)
        fprintf(out, "**PARTIAL run:** the exploration was interrupted; the front is of the "
                     "points evaluated before it stopped, not of the whole space.\n\n");
    const search_inputs *sin = pg->in;
    unsigned char *robust = sin->bands && pg->nrows ? calloc(pg->nrows, 1) : NULL;
    int nrobust = robust ? search_robust_front(sin, pg->obj, pg->nobj, pg->rows, pg->nrows,
                                               robust) : -1;
    if (sin->bands) {
        llm_band_regime rg = cost_band_regime(sin->g, sin->serving);
        fprintf(out, "Every metric has its 80%% band in brackets, from out-of-fit residuals "
                     "(docs/calibration.md, \"Bands\"); regime %s. Calibration of ",
                llm_band_regime_names[rg]);
        llm_md_text(out, sin->g->name);
        fputs(":", out);
        for (int c = 0; c < LLM_COV_COUNT; c++) {
            fprintf(out, " %s %s", llm_cov_class_names[c],
                    llm_cov_level_names[sin->g->coverage[c]]);
            if (sin->g->coverage[c] == LLM_COV_TRANSFERRED) {
                fputs(" from ", out);
                llm_md_text(out, sin->g->coverage_from[c]);
            }
            fputs(c + 1 < LLM_COV_COUNT ? ";" : ".\n\n", out);
        }
    }
    shortlist sl;
    short_list(pg, &sl);
    if (sl.n) {
        fprintf(out, "## Short list\n\n| why | configuration | TTFT s | TPOT s | tok/s per GPU | "
                     "J/token | GPUs |\n|---|---|---|---|---|---|---|\n");
        for (int k = 0; k < sl.n; k++) {
            const search_row *r = &pg->rows[sl.pick[k]];
            cost_metric_bands b;
            search_row_bands(pg->in, r, &b);
            char cfg[128];
            config_label(r, cfg, sizeof cfg);
            fprintf(out, "| %s | %s | %.4f (%.4f-%.4f) | %.5f (%.5f-%.5f) | %.1f (%.1f-%.1f) | "
                         "%.4f (%.4f-%.4f) | %d |\n", sl.why[k], cfg, r->m.ttft_s, b.ttft.lo,
                    b.ttft.hi, r->m.tpot_s, b.tpot.lo, b.tpot.hi, r->m.throughput_per_gpu,
                    b.throughput_per_gpu.lo, b.throughput_per_gpu.hi, r->m.energy_per_token_j,
                    b.energy_per_token.lo, b.energy_per_token.hi, r->m.gpus);
        }
        fputs("\n", out);
    }
    if (nrobust >= 0)
        fprintf(out, "Robust front (eq. 55): %d of %zu points, marked in the table.\n\n", nrobust,
                pg->nrows);
    int with_pp = page_has_pp(pg); /* a pp column only for a front with pipelined points */
    fprintf(out, "## The front\n\n| tp | ep | %sweights/KV | batch | SM comm | clock MHz | GPUs | "
                 "TTFT s | TPOT s | tok/s per GPU | J/token | peak W/GPU | robust |\n"
                 "|---|---|%s---|---|---|---|---|---|---|---|---|---|---|\n", with_pp ? "pp | " : "",
            with_pp ? "---|" : "");
    for (size_t i = 0; i < pg->nrows; i++) {
        const search_row *r = &pg->rows[i];
        char ppc[24] = "";
        if (with_pp)
            snprintf(ppc, sizeof ppc, "%d | ", r->p.pp > 1 ? r->p.pp : 1);
        fprintf(out, "| %d | %d | %s%s/%s | %d | %d | %.0f | %d | %.4f | %.5f | %.1f | %.4f | "
                     "%.0f | %s |\n", r->p.tp, r->p.ep, ppc, llm_dtype_names[r->p.dtype],
                llm_dtype_names[r->p.kv_dtype], r->p.batch, r->p.sm_comm, r->p.freq_mhz,
                r->m.gpus, r->m.ttft_s, r->m.tpot_s, r->m.throughput_per_gpu,
                r->m.energy_per_token_j, r->m.peak_power_w, robust && robust[i] ? "yes" : "");
    }
    free(robust);
    size_t pick[SHORT_MAX];
    memcpy(pick, sl.pick, sizeof pick);
    int np = sl.n;
    fprintf(out, "\n## Where the energy goes (per GPU, all layers)\n\n| configuration | phase | "
                 "op | time ms | energy J |\n|---|---|---|---|---|\n");
    for (int c = 0; c < np; c++) {
        char lab[128];
        config_label(&pg->rows[pick[c]], lab, sizeof lab);
        for (int ph = 0; ph < 2; ph++) {
            double e[OP_COUNT], t[OP_COUNT];
            op_breakdown(pg, &pg->rows[pick[c]], (cost_phase)ph, e, t);
            for (int o = 0; o < OP_COUNT; o++)
                if (e[o] > 0)
                    fprintf(out, "| %s | %s | %s | %.4f | %.4f |\n", lab,
                            ph ? "decode" : "prefill", cost_op_names[o], t[o] * 1e3, e[o]);
        }
    }
    fputs("\nInputs: model ", out);
    llm_md_text(out, pg->model_arg);
    fputs(", GPU ", out);
    llm_md_text(out, pg->gpu_arg);
    fputs(", workload ", out);
    llm_md_text(out, pg->workload_arg);
    fputs(", space ", out);
    llm_md_text(out, pg->space_name);
    fputs(".\n", out);
}
