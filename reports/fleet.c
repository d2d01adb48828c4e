/* reports/fleet.c — the fleet report of a recommendation (llmdse recommend -o DIR writes it as
 * DIR/fleet.md and DIR/fleet.html; llmdse report -i DIR gives it): the plan, why it won, each
 * pool's utilisation, headroom and tail latency, cost, GPU and facility power, and the plan's
 * sensitivity to the rates and the SLOs. One text, two formats: the small writer below emits
 * Markdown or HTML. docs/report.md. */
#include "reports.h"

#include <math.h>
#include <string.h>

typedef struct {
    FILE *f;
    int html, col;
} doc;

static void text(doc *d, const char *s)
{
    if (d->html)
        llm_html_text(d->f, s);
    else
        llm_md_text(d->f, s);
}

static void heading(doc *d, int level, const char *s)
{
    if (d->html)
        fprintf(d->f, "<h%d>%s</h%d>\n", level, s, level);
    else
        fprintf(d->f, "%.*s %s\n\n", level, "####", s);
}

static void para_begin(doc *d) { fputs(d->html ? "<p>" : "", d->f); }
static void para_end(doc *d) { fputs(d->html ? "</p>\n" : "\n\n", d->f); }

/* A table: head(d, "a|b|c"), then row_begin, cells, row_end, then table_end. */
static void table_head(doc *d, const char *cols)
{
    int n = 1;
    for (const char *c = cols; *c; c++)
        n += *c == '|';
    if (d->html) {
        fputs("<table>\n<tr><th>", d->f);
        for (const char *c = cols; *c; c++)
            if (*c == '|')
                fputs("</th><th>", d->f);
            else
                fputc(*c, d->f);
        fputs("</th></tr>\n", d->f);
    } else {
        fputs("| ", d->f);
        for (const char *c = cols; *c; c++)
            if (*c == '|')
                fputs(" | ", d->f);
            else
                fputc(*c, d->f);
        fputs(" |\n|", d->f);
        for (int i = 0; i < n; i++)
            fputs("---|", d->f);
        fputc('\n', d->f);
    }
}

static void row_begin(doc *d)
{
    d->col = 0;
    fputs(d->html ? "<tr>" : "|", d->f);
}

static void cell_begin(doc *d) { fputs(d->html ? "<td>" : " ", d->f); }
static void cell_end(doc *d) { fputs(d->html ? "</td>" : " |", d->f); }

static void cell(doc *d, const char *s)
{
    cell_begin(d);
    text(d, s);
    cell_end(d);
}

static void cellf(doc *d, const char *fmt, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    cell(d, buf);
}

/* A signed percentage, 0 when it would print as -0.0 */
static void cellpct(doc *d, double v)
{
    cellf(d, "%+.1f%%", fabs(v) < 0.05 ? 0 : v);
}

static void row_end(doc *d) { fputs(d->html ? "</tr>\n" : "\n", d->f); }
static void table_end(doc *d) { fputs(d->html ? "</table>\n" : "\n", d->f); }

static int has_plan(const rec_solution *s)
{
    return s->status == REC_OPTIMAL || s->status == REC_FEASIBLE;
}

static int priced(const report_rec *r, const rec_solution *s)
{
    for (size_t i = 0; i < r->p->n; i++)
        if (s->n[i] > 0.5 && !(r->p->c[i].cost_per_hour > 0))
            return 0;
    return 1;
}

/* eq. R10 (as in reports/recommend.c's totals) */
static double per_mtok(const report_rec *r, const rec_solution *s)
{
    double tok = 0;
    for (int m = 0; m < r->p->nmodels; m++)
        tok += r->p->rate[m] * r->w[m].output_mean;
    return tok > 0 ? s->cost_per_hour / (3600 * tok) * 1e6 : 0;
}

/* eq. R11: facility power = PUE x (GPU average power + host power per GPU x GPUs). */
static double facility_w(const report_rec *r, const rec_solution *s)
{
    double pue = r->x && r->x->pue > 0 ? r->x->pue : 1;
    double host = r->x ? r->x->host_power_w : 0;
    return pue * (s->energy_w + host * s->gpus);
}

static void status_line(doc *d, const rec_solution *s)
{
    char buf[160];
    if (s->status == REC_OPTIMAL)
        snprintf(buf, sizeof buf, "optimal (proven by GLPK's branch and bound)");
    else if (s->status == REC_FEASIBLE && s->gap >= 0)
        snprintf(buf, sizeof buf, "not proven optimal: within %.3g%% of the best bound",
                 100 * s->gap);
    else if (s->status == REC_FEASIBLE)
        snprintf(buf, sizeof buf, "not proven optimal (no bound known)");
    else
        snprintf(buf, sizeof buf, "%s", s->status == REC_INFEASIBLE ? "infeasible" : "error");
    text(d, buf);
}

static void totals(doc *d, const report_rec *r, const rec_solution *b)
{
    table_head(d, "quantity|value");
    row_begin(d); cell(d, "energy per day (GPUs)"); cellf(d, "%.1f kWh", b->energy_w * 24 / 1000); row_end(d);
    row_begin(d); cell(d, "GPU power, average"); cellf(d, "%.0f W", b->energy_w); row_end(d);
    row_begin(d); cell(d, "GPU power, fleet peak"); cellf(d, "%.0f W", b->peak_w); row_end(d);
    if (r->x && (r->x->host_power_w > 0 || r->x->pue > 0)) {
        row_begin(d); cell(d, "facility power, average (eq. R11)"); cellf(d, "%.0f W", facility_w(r, b)); row_end(d);
        row_begin(d); cell(d, "facility energy per day"); cellf(d, "%.1f kWh", facility_w(r, b) * 24 / 1000); row_end(d);
    }
    for (int k = 0; k < r->p->nskus; k++) {
        char name[160];
        snprintf(name, sizeof name, "GPUs used: %.100s", r->skus[k]);
        row_begin(d); cell(d, name);
        char v[64];
        snprintf(v, sizeof v, "%.0f of %.0f", b->gpus_by_sku[k], r->p->count[k]);
        cell(d, v); row_end(d);
    }
    row_begin(d); cell(d, "cost per day");
    if (priced(r, b)) cellf(d, "%.2f USD", 24 * b->cost_per_hour); else cell(d, "unknown (no price)");
    row_end(d);
    row_begin(d); cell(d, "cost per million output tokens");
    if (priced(r, b)) cellf(d, "%.3f USD", per_mtok(r, b)); else cell(d, "unknown (no price)");
    row_end(d);
    table_end(d);
}

static void pools(doc *d, const report_rec *r, const rec_solution *b)
{
    const rec_problem *p = r->p;
    int lat = r->x && r->x->pool;
    table_head(d, lat ? "pool folder|model|GPU|replicas|tp x ep|batch|clock MHz|load req/s|"
                        "capacity req/s|utilisation|headroom|TTFT p90 / p99 s|TPOT p90 / p99 s|"
                        "SLOs TTFT / TPOT s"
                      : "pool folder|model|GPU|replicas|tp x ep|batch|clock MHz|load req/s|"
                        "capacity req/s|utilisation|headroom|SLOs TTFT / TPOT s");
    int pool = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (b->n[i] < 0.5)
            continue;
        const rec_candidate *c = &p->c[i];
        double cap = b->n[i] * c->cap_rps, u = b->y[i] / cap;
        char buf[200];
        row_begin(d);
        if (configs_pool_dir(buf, sizeof buf, pool++, r->models[c->model], r->skus[c->sku]))
            snprintf(buf, sizeof buf, "- (a name that is not a folder name)");
        cell(d, buf);
        cell(d, r->models[c->model]);
        cell(d, r->skus[c->sku]);
        cellf(d, "%.0f", b->n[i]);
        if (c->disagg) {
            /* a unit of prefill (P) and decode (D) replicas (eq. R13); no folder of deploy */
            snprintf(buf, sizeof buf, "P %dxTP%d + D %dxTP%d", c->n_prefill, c->pre.tp,
                     c->n_decode, c->row.p.tp);
            cell(d, buf);
            snprintf(buf, sizeof buf, "P %d / D %d", c->pre.batch, c->row.p.batch);
            cell(d, buf);
            snprintf(buf, sizeof buf, "%.0f / %.0f", c->pre.freq_mhz, c->row.p.freq_mhz);
            cell(d, buf);
        } else {
            snprintf(buf, sizeof buf, "%d x %d", c->row.p.tp, c->row.p.ep);
            cell(d, buf);
            cellf(d, "%.0f", (double)c->row.p.batch);
            cellf(d, "%.0f", c->row.p.freq_mhz);
        }
        cellf(d, "%.2f", b->y[i]);
        cellf(d, "%.2f", cap);
        cellf(d, "%.0f%%", 100 * u);
        cellf(d, "%.0f%%", 100 * (1 - u));
        if (lat) {
            const cost_metrics *q = &r->x->pool[i];
            if (q->overloaded) {
                cell(d, "overloaded");
                cell(d, "overloaded");
            } else {
                snprintf(buf, sizeof buf, "%.3f / %.3f", q->ttft_p90_s, q->ttft_p99_s);
                cell(d, buf);
                snprintf(buf, sizeof buf, "%.4f / %.4f", q->tpot_p90_s, q->tpot_p99_s);
                cell(d, buf);
            }
        }
        snprintf(buf, sizeof buf, "%.3g / %.3g", r->w[c->model].ttft_slo_s,
                 r->w[c->model].tpot_slo_s);
        cell(d, buf);
        row_end(d);
    }
    table_end(d);
}

static void why(doc *d, const report_rec *r, const rec_solution *b)
{
    const rec_problem *p = r->p;
    char buf[512];
    int any = 0;
    para_begin(d);
    text(d, "Binding constraints: ");
    for (int k = 0; k < p->nskus; k++)
        if (b->binding_sku[k]) {
            snprintf(buf, sizeof buf, "%sall %.100s GPUs in use", any++ ? ", " : "", r->skus[k]);
            text(d, buf);
        }
    if (b->binding_power) {
        snprintf(buf, sizeof buf, "%sthe power cap (%.0f of %.0f W peak)", any++ ? ", " : "",
                 b->peak_w, p->power_cap);
        text(d, buf);
    }
    if (!any)
        text(d, "none: the load alone sizes the fleet, and the objective chooses among the "
                "configurations that meet the SLOs");
    text(d, ".");
    para_end(d);
    if (!r->n_runners)
        return;
    /* the closest alternative that is another plan: what choosing it would cost */
    int near = -1;
    for (int i = 0; i < r->n_runners; i++)
        if (has_plan(r->runner[i]) && !(r->plan && r->plan->runner_same[i]) &&
            (near < 0 || r->runner[i]->energy_w < r->runner[near]->energy_w))
            near = i;
    if (near >= 0) {
        const rec_solution *s = r->runner[near];
        para_begin(d);
        text(d, "The closest alternative in energy, ");
        text(d, r->runner_label[near]);
        snprintf(buf, sizeof buf, ", draws %+.0f W on average (%+.2f%%, %+.1f kWh/day) with "
                 "%+.0f GPUs and %+.0f W of peak power.", s->energy_w - b->energy_w,
                 100 * (s->energy_w - b->energy_w) / b->energy_w,
                 (s->energy_w - b->energy_w) * 24 / 1000, s->gpus - b->gpus,
                 s->peak_w - b->peak_w);
        text(d, buf);
        para_end(d);
    }
    table_head(d, "alternative|energy kWh/day|energy vs the plan|GPUs|peak W|cost USD/day");
    for (int i = 0; i < r->n_runners; i++) {
        const rec_solution *s = r->runner[i];
        row_begin(d);
        cell(d, r->runner_label[i]);
        if (!has_plan(s)) {
            cell(d, s->status == REC_INFEASIBLE ? "infeasible"
                    : strstr(s->message, "time limit") ? "not solved (time limit)"
                                                       : "not solved");
            cell(d, ""); cell(d, ""); cell(d, ""); cell(d, "");
            row_end(d);
            continue;
        }
        cellf(d, "%.2f", s->energy_w * 24 / 1000);
        if (r->plan && r->plan->runner_same[i])
            cell(d, "the same plan");
        else
            cellpct(d, 100 * (s->energy_w - b->energy_w) / b->energy_w);
        cellf(d, "%.0f", s->gpus);
        cellf(d, "%.0f", s->peak_w);
        if (priced(r, s)) cellf(d, "%.2f", 24 * s->cost_per_hour); else cell(d, "unknown");
        row_end(d);
    }
    table_end(d);
}

static void sensitivity(doc *d, const report_rec *r, const rec_solution *b)
{
    if (!r->x || !r->x->sens)
        return;
    heading(d, 2, "Sensitivity");
    para_begin(d);
    text(d, "The plan solved again with every rate scaled, and with each SLO of every workload "
            "loosened or tightened by 20% (the candidates found again under it) (eq. R9). "
            "Each case's candidates are its own fronts (one clock kept per band, eq. R1b), so a "
            "case can come out a little better than the plan, even under a tighter SLO: the "
            "plan is optimal over its candidates, not over every configuration.");
    para_end(d);
    table_head(d, "case|status|energy kWh/day|vs the plan|GPUs|peak W|cost USD/day");
    for (int k = 0; k < REC_SENS_CASES; k++) {
        const rec_sens_case *c = &r->x->sens[k];
        const rec_solution *s = &c->s;
        row_begin(d);
        cell(d, c->label);
        cell(d, s->status == REC_OPTIMAL ? "optimal" : s->status == REC_FEASIBLE
                ? "not proven optimal" : s->status == REC_INFEASIBLE ? "infeasible"
                : strstr(s->message, "time limit") ? "not solved (time limit)" : "not solved");
        if (!has_plan(s)) {
            cell(d, ""); cell(d, ""); cell(d, ""); cell(d, ""); cell(d, "");
            row_end(d);
            continue;
        }
        cellf(d, "%.2f", s->energy_w * 24 / 1000);
        cellpct(d, 100 * (s->energy_w - b->energy_w) / b->energy_w);
        cellf(d, "%.0f", s->gpus);
        cellf(d, "%.0f", s->peak_w);
        if (c->cost_known) cellf(d, "%.2f", 24 * s->cost_per_hour); else cell(d, "unknown");
        row_end(d);
    }
    table_end(d);
}

void report_fleet(FILE *f, const report_rec *r, int html)
{
    doc d = {f, html, 0};
    const rec_problem *p = r->p;
    const rec_solution *b = r->best;
    if (html)
        fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Fleet report</title>"
              "<style>body{font-family:sans-serif;max-width:72em;margin:2em auto}"
              "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;"
              "padding:.2em .5em;text-align:right}td:first-child{text-align:left}</style>"
              "</head><body>\n", f);
    heading(&d, 1, "Fleet report");
    para_begin(&d);
    char buf[512];
    for (int m = 0; m < p->nmodels; m++) {
        snprintf(buf, sizeof buf, "%s%.100s at %.3g requests/s (workload %.100s, SLOs TTFT %.3g s,"
                 " TPOT %.3g s)", m ? "; " : "", r->models[m], p->rate[m], r->w[m].name,
                 r->w[m].ttft_slo_s, r->w[m].tpot_slo_s);
        text(&d, buf);
    }
    snprintf(buf, sizeof buf, ". Objective: least %s; pools planned at most %.0f%% of capacity; ",
             rec_objective_names[p->objective], 100 * rec_headroom(p));
    text(&d, buf);
    if (p->power_cap > 0) {
        snprintf(buf, sizeof buf, "fleet power cap %.0f W; ", p->power_cap);
        text(&d, buf);
    }
    snprintf(buf, sizeof buf, "%zu candidate configurations.", p->n);
    text(&d, buf);
    if (p->serving) {
        snprintf(buf, sizeof buf, " Serving profile %.100s (KV cache %s%s", p->serving,
                 p->kv_paged ? "paged" : "reserved", p->chunk_tokens > 0 ? "" : ").");
        text(&d, buf);
        if (p->chunk_tokens > 0) {
            snprintf(buf, sizeof buf, ", --chunk-tokens %d).", p->chunk_tokens);
            text(&d, buf);
        }
    }
    const rec_plan *pl = r->plan;
    if (pl && pl->has_point) {
        /* eq. R12: the confidence the plan is held at, and the point-estimate plan beside it */
        snprintf(buf, sizeof buf, " Held at %.0f%% confidence under the model's uncertainty "
                 "bands (SLOs at the latencies' %.0f%% quantile, capacity at the throughput's "
                 "%.0f%% quantile; docs/recommend.md R12)", 100 * pl->confidence,
                 100 * pl->confidence, 100 * (1 - pl->confidence));
        text(&d, buf);
        if (has_plan(&pl->point))
            snprintf(buf, sizeof buf, "; on the point estimates the request takes %.0f GPUs "
                     "and %.0f W average power (--confidence none).", pl->point.gpus,
                     pl->point.energy_w);
        else
            snprintf(buf, sizeof buf, "; on the point estimates there is no plan either.");
        text(&d, buf);
    }
    para_end(&d);
    if (!has_plan(b)) {
        heading(&d, 2, "No plan");
        para_begin(&d);
        text(&d, "No fleet meets the request: recommendation.md says which constraint to relax.");
        para_end(&d);
    } else {
        heading(&d, 2, "The plan");
        para_begin(&d);
        status_line(&d, b);
        text(&d, ".");
        para_end(&d);
        totals(&d, r, b);
        heading(&d, 2, "Pools: utilisation, headroom and tail latency");
        pools(&d, r, b);
        para_begin(&d);
        text(&d, "Utilisation is the planned load over the pool's capacity at full load; "
                 "headroom what is left. Tail latencies are the cost model's at the pool's load "
                 "per replica, Poisson arrivals (eq. R8, docs/cost-model.md eq. 44-45).");
        para_end(&d);
        para_begin(&d);
        int disagg = 0;
        for (size_t i = 0; i < r->p->n; i++)
            disagg |= b->n[i] > 0.5 && r->p->c[i].disagg;
        if (disagg)
            text(&d, "llmdse deploy does not write launch commands for a plan with "
                     "disaggregated pools (a prefill/decode pair needs the engine's KV "
                     "connector settings): deploy refuses it; each pool's knobs are in "
                     "recommendation.json (mode, prefill, decode).");
        else
            text(&d, "To deploy the fleet, run llmdse deploy with -i naming this folder, "
                     "--weights MODEL=CHECKPOINT for each model (comma-separated) and -o OUT "
                     "(and --engine E to choose the engine): it writes each pool's launch "
                     "scripts, GPU settings, manifests and benchmark recipe into the pool "
                     "folder above inside OUT, with fleet.json and README.md beside them "
                     "(docs/deploy.md).");
        para_end(&d);
        heading(&d, 2, "Why it won");
        why(&d, r, b);
        sensitivity(&d, r, b);
    }
    para_begin(&d);
    text(&d, "Predictions from the llmdse cost model. Facility power (eq. R11) = PUE x (GPU "
             "average power + host power per GPU x GPUs), with --host-power W per GPU and --pue F "
             "(shown only when given).");
    para_end(&d);
    if (html)
        fputs("</body></html>\n", f);
}
