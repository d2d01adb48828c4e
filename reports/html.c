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
    fprintf(f, "set terminal svg size 640,420 mouse standalone enhanced font "
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
            for (char *c; (c = strchr(p, '|')); p = c + 1) {
                *c = 0;
                fputs(header ? "<th>" : "<td>", out);
                esc(out, p);
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
            esc(out, line + h + (line[h] == ' '));
            fprintf(out, "</h%d>\n", h + 2 > 6 ? 6 : h + 2);
        } else {
            fputs("<p>", out);
            esc(out, line);
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

/* Up to 3 chosen configurations: the best in each objective (distinct). */
static int chosen(const report_page *pg, size_t *pick)
{
    int n = 0;
    for (int k = 0; k < pg->nobj && n < 3; k++) {
        size_t best = 0;
        for (size_t i = 1; i < pg->nrows; i++)
            if (search_obj_value(pg->obj[k], &pg->rows[i].m) <
                search_obj_value(pg->obj[k], &pg->rows[best].m))
                best = i;
        int dup = 0;
        for (int j = 0; j < n; j++)
            dup |= pick[j] == best;
        if (!dup)
            pick[n++] = best;
    }
    return n;
}

static void config_label(const search_row *r, char *buf, size_t len)
{
    snprintf(buf, len, "tp%d ep%d %s/%s b%d sm%d %.0fMHz", r->p.tp, r->p.ep,
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
    "details{margin:0.5em 0}";

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
    size_t pick[3];
    int np;
} html_page;

/* Pareto plots: each pair of objectives. */
static void html_pareto(html_page *h)
{
    FILE *out = h->out;
    const report_page *pg = h->pg;
    const search_inputs *in = pg->in;
    int gp = h->gp;
    const char *tmpd = h->tmpd;
    /* ---- Pareto plots: each pair of objectives ---- */
    fprintf(out, "<h2>Pareto fronts</h2>\n<p>Each point a deployment on the front; colour: tensor "
                 "x expert parallel degree; shape: clock band; faint: evaluated points off the "
                 "front (with --all). Hover a point for its configuration.</p>\n");
    for (int a = 0; gp && a < pg->nobj; a++)
        for (int b = a + 1; b < pg->nobj; b++) {
            char data[64];
            snprintf(data, sizeof data, "%s/front.dat", tmpd);
            FILE *d = fopen(data, "w");
            if (!d)
                continue;
            for (size_t i = 0; i < pg->nall; i++)
                fprintf(d, "%.9g %.9g\n", shown(pg->obj[a], &pg->all[i].m),
                        shown(pg->obj[b], &pg->all[i].m));
            fprintf(d, "\n\n");
            for (size_t i = 0; i < pg->nrows; i++) {
                const search_row *r = &pg->rows[i];
                char cfg[128], lab[320];
                config_label(r, cfg, sizeof cfg);
                /* the hover text: the configuration and its metrics */
                snprintf(lab, sizeof lab, "%s: %.4f J/token, TPOT %.4f s, TTFT %.3f s, %.0f "
                         "tok/s/GPU, %d GPUs, %.0f W peak", cfg, r->m.energy_per_token_j,
                         r->m.tpot_s, r->m.ttft_s, r->m.throughput_per_gpu, r->m.gpus,
                         r->m.peak_power_w);
                double band = (r->p.freq_mhz - in->g->min_mhz) /
                              (in->g->max_mhz - in->g->min_mhz + 1e-9);
                fprintf(d, "%.9g %.9g %d %d \"%s\"\n", shown(pg->obj[a], &r->m),
                        shown(pg->obj[b], &r->m), r->p.tp * r->p.ep, 5 + 2 * (int)(band * 3),
                        lab);
            }
            fclose(d);
            char script[8192];
            snprintf(script, sizeof script,
                     "set xlabel '%s'\nset ylabel '%s'\nset key outside right\nset grid\n"
                     "set logscale cb 2\nset cbrange [1:64]\nset cblabel 'tp x ep'\n"
                     "set palette defined (0 '#1f77b4', 2 '#2ca02c', 4 '#ff7f0e', 6 '#d62728')\n"
                     "plot '%s' index 0 using 1:2 with points pt 7 ps 0.3 lc rgb '#dddddd' "
                     "title 'evaluated', '%s' index 1 using 1:2:4:3 with points pt variable "
                     "ps 0.9 lc palette title 'front (shape: clock band)', '%s' index 1 using "
                     "1:2:5 with labels hypertext point pt 7 ps 1.2 lc rgb '#FF000000' notitle\n",
                     obj_label(pg->obj[a]), obj_label(pg->obj[b]), data, data, data);
            char title[160];
            snprintf(title, sizeof title, "%s vs %s", obj_label(pg->obj[a]), obj_label(pg->obj[b]));
            embed(out, title, gnuplot_svg(tmpd, script), &h->plots);
            unlink(data);
        }
}

/* The front as a table, sorted by the first objective. */
static void html_front(html_page *h)
{
    FILE *out = h->out;
    const report_page *pg = h->pg;
    /* ---- the front as a table, sorted by the first objective ---- */
    size_t *order = malloc((pg->nrows ? pg->nrows : 1) * sizeof *order);
    for (size_t i = 0; order && i < pg->nrows; i++)
        order[i] = i;
    for (size_t i = 1; order && i < pg->nrows; i++) /* insertion sort: fronts are small */
        for (size_t j = i; j > 0 && search_obj_value(pg->obj[0], &pg->rows[order[j]].m) <
                                        search_obj_value(pg->obj[0], &pg->rows[order[j - 1]].m);
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    fprintf(out, "<h2>The front</h2>\n<p>Sorted by %s; click a heading to sort.</p>\n"
                 "<table class=sortable><tr><th>tp</th><th>ep</th><th>weights/KV</th>"
                 "<th>batch</th><th>SM comm</th><th>clock MHz</th><th>replicas</th><th>GPUs</th>"
                 "<th>TTFT s</th><th>TPOT s</th><th>tok/s per GPU</th><th>J/token</th>"
                 "<th>avg W/GPU</th><th>peak W/GPU</th><th>GiB/GPU</th></tr>\n",
            obj_label(pg->obj[0]));
    for (size_t k = 0; order && k < pg->nrows; k++) {
        const search_row *r = &pg->rows[order[k]];
        fprintf(out, "<tr><td>%d</td><td>%d</td><td>%s/%s</td><td>%d</td><td>%d</td><td>%.0f</td>"
                     "<td>%d</td><td>%d</td><td>%.4f</td><td>%.5f</td><td>%.1f</td><td>%.4f</td>"
                     "<td>%.0f</td><td>%.0f</td><td>%.1f</td></tr>\n", r->p.tp, r->p.ep,
                llm_dtype_names[r->p.dtype], llm_dtype_names[r->p.kv_dtype], r->p.batch,
                r->p.sm_comm, r->p.freq_mhz, r->p.replicas, r->m.gpus, r->m.ttft_s, r->m.tpot_s,
                r->m.throughput_per_gpu, r->m.energy_per_token_j, r->m.avg_power_w,
                r->m.peak_power_w, r->m.memory_per_gpu_gib);
    }
    fprintf(out, "</table>\n");
    free(order);
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
                 "best configuration in each objective: one request's prefill and one decode "
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
    if (d) {
        fprintf(d, "config");
        for (int o = 0; o < OP_COUNT; o++)
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
                 OP_COUNT + 1, data);
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
        fprintf(out, "<tr><td>%s</td><td>%.0f</td><td>%.4f</td><td>%.4f</td></tr>\n", lab, best_f,
                best_e, emax);
    }
    fprintf(out, "</table>\n");
    if (d) {
        fclose(d);
        char script[4096];
        snprintf(script, sizeof script,
                 "set xlabel 'SM clock (MHz)'\nset ylabel 'energy per token (J)'\nset y2label "
                 "'TPOT (s)'\nset y2tics\nset ytics nomirror\nset grid\nset key below\n"
                 "plot for [i=0:%d] '%s' index i using 1:2 with lines lw 2 title sprintf('J/token "
                 "#%%d', i+1), for [i=0:%d] '%s' index i using 1:3 axes x1y2 with lines dt 2 "
                 "title sprintf('TPOT #%%d', i+1)\n", h->np - 1, data, h->np - 1, data);
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
    html_pareto(h);
    html_front(h);
    h->np = pg->nrows ? chosen(pg, h->pick) : 0;
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
    fprintf(out, "## The front\n\n| tp | ep | weights/KV | batch | SM comm | clock MHz | GPUs | "
                 "TTFT s | TPOT s | tok/s per GPU | J/token | peak W/GPU |\n"
                 "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < pg->nrows; i++) {
        const search_row *r = &pg->rows[i];
        fprintf(out, "| %d | %d | %s/%s | %d | %d | %.0f | %d | %.4f | %.5f | %.1f | %.4f | "
                     "%.0f |\n", r->p.tp, r->p.ep, llm_dtype_names[r->p.dtype],
                llm_dtype_names[r->p.kv_dtype], r->p.batch, r->p.sm_comm, r->p.freq_mhz,
                r->m.gpus, r->m.ttft_s, r->m.tpot_s, r->m.throughput_per_gpu,
                r->m.energy_per_token_j, r->m.peak_power_w);
    }
    size_t pick[3];
    int np = pg->nrows ? chosen(pg, pick) : 0;
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
