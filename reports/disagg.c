/* reports/disagg.c — the outputs of `explore --disaggregated` (docs/explore.md,
 * "Disaggregated serving"): the disaggregated front as CSV and JSON from one column table,
 * summary.json, and the side-by-side comparison with the aggregated front of the same space
 * (compare.md and report.html). */
#include "reports.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the columns, once ------------------------------------------------------------------- */

typedef enum { DC_INT, DC_NUM, DC_STR } dcol_kind;
typedef struct {
    const char *name;
    dcol_kind kind;
} dcol;

enum {
    C_INDEX, C_DTYPE, C_KV,
    C_P_TP, C_P_EP, C_P_BATCH, C_P_SM, C_P_FREQ, C_P_REP,
    C_D_TP, C_D_EP, C_D_BATCH, C_D_SM, C_D_FREQ, C_D_REP,
    C_GPUS, C_TTFT, C_TTFT_LO, C_TTFT_HI, C_TPOT, C_TPOT_LO, C_TPOT_HI, C_XFER,
    C_TPUT, C_TPG, C_TPG_LO, C_TPG_HI, C_EPT, C_EPT_LO, C_EPT_HI, C_XFER_E,
    C_AVGW, C_PEAKW, C_PEAK_LO, C_PEAK_HI, C_MEM, C_COST, C_BOUND, C_UP, C_UD,
    C_PCLK, C_DCLK, C_P_PP, C_D_PP, C_NCOLS
};

static const dcol cols[C_NCOLS] = {
    {"index", DC_INT}, {"dtype", DC_STR}, {"kv_dtype", DC_STR},
    {"prefill_tp", DC_INT}, {"prefill_ep", DC_INT}, {"prefill_batch", DC_INT},
    {"prefill_sm_comm", DC_INT}, {"prefill_freq_mhz", DC_NUM}, {"prefill_replicas", DC_INT},
    {"decode_tp", DC_INT}, {"decode_ep", DC_INT}, {"decode_batch", DC_INT},
    {"decode_sm_comm", DC_INT}, {"decode_freq_mhz", DC_NUM}, {"decode_replicas", DC_INT},
    {"gpus", DC_INT}, {"ttft_s", DC_NUM}, {"ttft_s_lo", DC_NUM}, {"ttft_s_hi", DC_NUM},
    {"tpot_s", DC_NUM}, {"tpot_s_lo", DC_NUM}, {"tpot_s_hi", DC_NUM},
    {"kv_transfer_s", DC_NUM}, {"throughput_tok_s", DC_NUM},
    {"throughput_per_gpu_tok_s", DC_NUM}, {"throughput_per_gpu_tok_s_lo", DC_NUM},
    {"throughput_per_gpu_tok_s_hi", DC_NUM},
    {"energy_per_token_j", DC_NUM}, {"energy_per_token_j_lo", DC_NUM},
    {"energy_per_token_j_hi", DC_NUM}, {"kv_transfer_energy_j", DC_NUM},
    {"avg_power_w", DC_NUM}, {"peak_power_w", DC_NUM}, {"peak_power_w_lo", DC_NUM},
    {"peak_power_w_hi", DC_NUM}, {"memory_per_gpu_gib", DC_NUM}, {"cost_per_mtok_usd", DC_NUM},
    {"bound", DC_STR}, {"prefill_utilisation", DC_NUM}, {"decode_utilisation", DC_NUM},
    {"prefill_clock_mhz", DC_NUM}, {"decode_clock_mhz", DC_NUM},
    {"prefill_pp", DC_INT}, {"decode_pp", DC_INT},
};

static int band_col(int c)
{
    return c == C_TTFT_LO || c == C_TTFT_HI || c == C_TPOT_LO || c == C_TPOT_HI ||
           c == C_TPG_LO || c == C_TPG_HI || c == C_EPT_LO || c == C_EPT_HI ||
           c == C_PEAK_LO || c == C_PEAK_HI;
}

static const char *col_str(const disagg_row *r, int c)
{
    switch (c) {
    case C_DTYPE: return llm_dtype_names[r->pp.dtype];
    case C_KV: return llm_dtype_names[r->pp.kv_dtype];
    default: return cost_disagg_bound_names[r->d.bound];
    }
}

static double col_num(const disagg_row *r, const cost_metric_bands *b, int c)
{
    const cost_disagg *d = &r->d;
    switch (c) {
    case C_INDEX: return (double)r->index;
    case C_P_TP: return r->pp.tp;
    case C_P_EP: return r->pp.ep;
    case C_P_BATCH: return r->pp.batch;
    case C_P_SM: return r->pp.sm_comm;
    case C_P_FREQ: return r->pp.freq_mhz;
    case C_P_REP: return r->pp.replicas;
    case C_D_TP: return r->dp.tp;
    case C_D_EP: return r->dp.ep;
    case C_D_BATCH: return r->dp.batch;
    case C_D_SM: return r->dp.sm_comm;
    case C_D_FREQ: return r->dp.freq_mhz;
    case C_D_REP: return r->dp.replicas;
    case C_GPUS: return d->gpus;
    case C_TTFT: return d->ttft_s;
    case C_TTFT_LO: return b->ttft.lo;
    case C_TTFT_HI: return b->ttft.hi;
    case C_TPOT: return d->tpot_s;
    case C_TPOT_LO: return b->tpot.lo;
    case C_TPOT_HI: return b->tpot.hi;
    case C_XFER: return d->transfer_s;
    case C_TPUT: return d->throughput_tok_s;
    case C_TPG: return d->throughput_per_gpu;
    case C_TPG_LO: return b->throughput_per_gpu.lo;
    case C_TPG_HI: return b->throughput_per_gpu.hi;
    case C_EPT: return d->energy_per_token_j;
    case C_EPT_LO: return b->energy_per_token.lo;
    case C_EPT_HI: return b->energy_per_token.hi;
    case C_XFER_E: return d->transfer_energy_j;
    case C_AVGW: return d->avg_power_w;
    case C_PEAKW: return d->peak_power_w;
    case C_PEAK_LO: return b->peak_power.lo;
    case C_PEAK_HI: return b->peak_power.hi;
    case C_MEM: return d->memory_per_gpu_gib;
    case C_COST: return d->cost_per_mtok;
    case C_UP: return d->util_prefill;
    case C_UD: return d->util_decode;
    case C_PCLK: return r->pf.clock_mhz;
    case C_DCLK: return r->dc.clock_mhz;
    case C_P_PP: return r->pp.pp > 1 ? r->pp.pp : 1;
    case C_D_PP: return r->dp.pp > 1 ? r->dp.pp : 1;
    }
    return 0;
}

void report_disagg_csv(FILE *f, const disagg_args *a, const disagg_row *rows, size_t n)
{
    int bands = a->in.bands != NULL;
    for (int c = 0, first = 1; c < C_NCOLS; c++) {
        if (band_col(c) && !bands)
            continue;
        fprintf(f, "%s%s", first ? "" : ",", cols[c].name);
        first = 0;
    }
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        cost_metric_bands b;
        search_disagg_bands(&a->in, &rows[i].m, &b);
        for (int c = 0, first = 1; c < C_NCOLS; c++) {
            if (band_col(c) && !bands)
                continue;
            if (!first)
                fputc(',', f);
            first = 0;
            if (cols[c].kind == DC_STR)
                fputs(col_str(&rows[i], c), f);
            else if (c == C_INDEX)
                fprintf(f, "%llu", (unsigned long long)rows[i].index);
            else
                fprintf(f, "%.17g", col_num(&rows[i], &b, c));
        }
        fputc('\n', f);
    }
}

void report_disagg_points_json(json_out *j, const disagg_args *a, const disagg_row *rows,
                               size_t n)
{
    json_arr(j, "points");
    for (size_t i = 0; i < n; i++) {
        cost_metric_bands b;
        search_disagg_bands(&a->in, &rows[i].m, &b);
        json_obj(j, NULL);
        for (int c = 0; c < C_NCOLS; c++) {
            if (band_col(c) && !a->in.bands)
                continue;
            if (cols[c].kind == DC_STR)
                json_str(j, cols[c].name, col_str(&rows[i], c));
            else if (c == C_INDEX)
                json_int(j, cols[c].name, (long long)rows[i].index);
            else
                json_num17(j, cols[c].name, col_num(&rows[i], &b, c));
        }
        json_end_obj(j);
    }
    json_end_arr(j);
}

/* ---- the output folder -------------------------------------------------------------------- */

typedef struct {
    const report_disagg *d;
    const disagg_row *rows;
    size_t n;
} dout;

static int w_front_csv(FILE *f, void *ctx)
{
    const dout *o = ctx;
    report_disagg_csv(f, o->d->a, o->rows, o->n);
    return 0;
}

static void inputs_json(json_out *j, const report_disagg *d)
{
    json_str(j, "model", d->model);
    json_str(j, "gpu", d->gpu);
    json_str(j, "workload", d->workload);
    json_str(j, "space", d->space);
    json_str(j, "mode", "disaggregated");
    json_arr(j, "objectives");
    for (int k = 0; k < d->a->nobj; k++)
        json_str(j, NULL, search_obj_names[d->a->obj[k]]);
    json_end_arr(j);
}

static int w_front_json(FILE *f, void *ctx)
{
    const dout *o = ctx;
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    inputs_json(&j, o->d);
    json_bool(&j, "partial", o->d->r->partial);
    report_disagg_points_json(&j, o->d->a, o->rows, o->n);
    json_end_obj(&j);
    json_finish(&j);
    return 0;
}

static void goodput_json(json_out *j, const char *key, const search_goodput *g)
{
    json_arr(j, key);
    for (int i = 0; i < g->na; i++)
        for (int k = 0; k < g->nb; k++) {
            json_obj(j, NULL);
            json_num(j, "ttft_slo_s", g->ttft[i]);
            json_num(j, "tpot_slo_s", g->tpot[k]);
            json_num(j, "throughput_per_gpu_tok_s", g->best[i][k]);
            if (g->best[i][k] > 0)
                json_int(j, "index", (long long)g->index[i][k]);
            json_end_obj(j);
        }
    json_end_arr(j);
}

static int w_summary(FILE *f, void *ctx)
{
    const dout *o = ctx;
    const report_disagg *d = o->d;
    const disagg_result *r = d->r;
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    json_str(&j, "llmdse_version", d->version);
    inputs_json(&j, d);
    json_str(&j, "serving", d->serving ? d->serving : "ideal");
    json_arr(&j, "prefill_batch");
    for (int i = 0; i < d->a->prefill->n[KNOB_BATCH]; i++)
        json_num(&j, NULL, d->a->prefill->v[KNOB_BATCH][i]);
    json_end_arr(&j);
    json_int(&j, "space_size", (long long)r->size);
    json_int(&j, "prefill_space_size", (long long)d->a->prefill->size);
    json_int(&j, "decode_space_size", (long long)d->a->in.s->size);
    json_int(&j, "prefill_points_evaluated", (long long)r->pool_evaluated[0]);
    json_int(&j, "decode_points_evaluated", (long long)r->pool_evaluated[1]);
    json_int(&j, "prefill_points_kept", (long long)r->pool_kept[0]);
    json_int(&j, "decode_points_kept", (long long)r->pool_kept[1]);
    json_int(&j, "combinations_evaluated", (long long)r->combined);
    json_int(&j, "front_size", (long long)o->n);
    if (d->gp_agg)
        json_int(&j, "aggregated_front_size", (long long)d->nagg);
    json_bool(&j, "slo_filter", d->a->in.s->slo_filter);
    json_bool(&j, "partial", r->partial);
    json_int(&j, "threads", r->threads);
    json_num(&j, "wall_s", r->wall_s);
    if (d->gp_agg && d->gp_dis) {
        goodput_json(&j, "goodput_aggregated", d->gp_agg);
        goodput_json(&j, "goodput_disaggregated", d->gp_dis);
    }
    if (d->nlopt) {
        const report_nlopt *nl = d->nlopt;
        json_obj(&j, "search");
        json_int(&j, "evaluations", (long long)nl->evaluations);
        json_int(&j, "levels", nl->levels);
        json_int(&j, "starts", nl->starts);
        json_int(&j, "maxeval", nl->maxeval);
        if (nl->compared) {
            json_obj(&j, "compared_with_exact");
            json_num(&j, "hypervolume", nl->hv);
            json_num(&j, "hypervolume_exact", nl->hv_exhaustive);
            json_num(&j, "ratio", nl->hv_ratio);
            json_arr(&j, "reference");
            for (int k = 0; k < d->a->nobj; k++)
                json_num(&j, NULL, nl->ref[k]);
            json_end_arr(&j);
            json_int(&j, "exact_front", (long long)nl->exhaustive_front);
            json_int(&j, "missed", (long long)nl->missed);
            json_int(&j, "exact_pool_evaluations", (long long)nl->exhaustive_evaluated);
            json_num(&j, "evaluations_fraction", nl->evaluations_fraction);
            json_end_obj(&j);
        }
        json_end_obj(&j);
    }
    json_end_obj(&j);
    json_finish(&j);
    return 0;
}

static int w_agg_csv(FILE *f, void *ctx)
{
    const dout *o = ctx;
    report_front_csv(f, &o->d->a->in, o->d->agg, o->d->nagg, NULL);
    return 0;
}

/* The best row of a goodput cell: the disaggregated or aggregated point it names. */
typedef struct {
    int have_a, have_d;
    search_row a;
    disagg_row d;
} cell_rows;

static void cell_of(const report_disagg *d, int i, int k, cell_rows *c)
{
    memset(c, 0, sizeof *c);
    if (d->gp_agg->best[i][k] > 0) {
        search_row_eval(&d->a->in, d->gp_agg->index[i][k], &c->a);
        c->have_a = 1;
    }
    if (d->gp_dis->best[i][k] > 0) {
        search_disagg_row(d->a, d->gp_dis->index[i][k], &c->d);
        c->have_d = 1;
    }
}

static void agg_label(const search_row *r, char *buf, size_t len)
{
    snprintf(buf, len, "TP%d%s batch %d, %.0f MHz, %d replica%s (%d GPUs), weights %s, KV %s", r->p.tp,
             r->p.ep > 1 ? " EP" : "", r->p.batch, r->p.freq_mhz, r->p.replicas,
             r->p.replicas > 1 ? "s" : "", r->m.gpus, llm_dtype_names[r->p.dtype],
             llm_dtype_names[r->p.kv_dtype]);
}

static void dis_label(const disagg_row *r, char *buf, size_t len)
{
    snprintf(buf, len, "prefill %d x TP%d, %d prompt%s/step, %.0f MHz; decode %d x TP%d batch "
             "%d, %.0f MHz (%d GPUs), weights %s, KV %s", r->pp.replicas, r->pp.tp, r->pp.batch,
             r->pp.batch > 1 ? "s" : "", r->pp.freq_mhz, r->dp.replicas, r->dp.tp, r->dp.batch,
             r->dp.freq_mhz, r->d.gpus, llm_dtype_names[r->pp.dtype],
             llm_dtype_names[r->pp.kv_dtype]);
}

/* Why one wins at a cell, in words a team lead can check (docs/explore.md): the facts of
 * both deployments against the SLOs, the prefill stalls only where there are any. */
static void verdict(FILE *f, const report_disagg *d, const cell_rows *c, int html)
{
    const llm_workload *w = d->a->in.w;
    const char *p0 = html ? "<p>" : "", *p1 = html ? "</p>\n" : "\n\n";
    if (!c->have_a && !c->have_d) {
        fprintf(f, "%sNeither mode has a deployment meeting both SLOs in this space.%s", p0, p1);
        return;
    }
    if (!c->have_a || !c->have_d) {
        fprintf(f, "%sOnly %s deployment meets both SLOs here%s.%s", p0,
                c->have_d ? "a disaggregated" : "an aggregated",
                c->have_d ? "" : " (a prefill and a decode replica together do not fit the "
                                 "space's GPUs while meeting them)", p1);
        return;
    }
    const disagg_row *r = &c->d;
    const search_row *a = &c->a;
    double gain = r->d.throughput_per_gpu / a->m.throughput_per_gpu - 1;
    double a_ttft = search_slo_ttft(w, &a->m), a_tpot = search_slo_tpot(w, &a->m);
    double idle = 1 - (r->d.bound == DISAGG_BOUND_DECODE ? r->d.util_prefill : r->d.util_decode);
    fprintf(f, "%s%s by %.0f%% in throughput per GPU. The aggregated deployment (TP%d, batch "
            "%d) runs at %.0f%% of the TTFT limit and %.0f%% of the TPOT limit", p0,
            gain > 0 ? "Disaggregation wins" : gain < 0 ? "Aggregated serving wins" : "A tie",
            fabs(gain) * 100, a->p.tp, a->p.batch, 100 * a_ttft / w->ttft_slo_s,
            100 * a_tpot / w->tpot_slo_s);
    if (a_tpot > 1.05 * a->m.tpot_s)
        fprintf(f, "; its TPOT of %.1f ms includes the prefill steps that stall its decoding "
                "(%.1f ms without them)", a_tpot * 1e3, a->m.tpot_s * 1e3);
    fprintf(f, ". The disaggregated one decodes at batch %d on TP%d in %.1f ms steps with no "
            "prefill in them and prefills %d prompt%s a step on TP%d; it pays %.1f ms of KV "
            "transfer per request (%.0f%% of its TTFT of %.0f ms) and leaves %.0f%% of the %s "
            "pool idle (the %d:%d replica ratio cannot match the pools' rates exactly).%s",
            r->dp.batch, r->dp.tp, r->d.tpot_s * 1e3, r->pp.batch, r->pp.batch > 1 ? "s" : "",
            r->pp.tp, r->d.transfer_s * 1e3,
            r->d.ttft_s > 0 ? 100 * r->d.transfer_s / r->d.ttft_s : 0, r->d.ttft_s * 1e3,
            idle * 100, r->d.bound == DISAGG_BOUND_DECODE ? "prefill" : "decode",
            r->pp.replicas, r->dp.replicas, p1);
    if (d->a->in.bands) {
        /* eq. 53: the regime's throughput band as factors of a prediction */
        cost_interval b = cost_band(d->a->in.bands, cost_band_regime(d->a->in.g,
                                                                    d->a->in.serving),
                                    LLM_BAND_THROUGHPUT, 1.0);
        if (fabs(gain) < fmax(1 - b.lo, b.hi - 1))
            fprintf(f, "%sBoth numbers are the model's: its 80%% band on throughput here is "
                    "x%.2f-x%.2f of a prediction, wider than this %.0f%% difference, so on "
                    "hardware the two modes may well swap; only differences beyond the band "
                    "are robust.%s", p0, b.lo, b.hi, fabs(gain) * 100, p1);
    }
}

/* The winner of a cell: 'a', 'd', '=' (a tie) or ' ' (neither deploys). */
static char cell_winner(const report_disagg *d, int i, int k)
{
    double a = d->gp_agg->best[i][k], b = d->gp_dis->best[i][k];
    return a <= 0 && b <= 0 ? ' ' : b > a ? 'd' : a > b ? 'a' : '=';
}

/* 1 when, in every row (by_tpot) or column, the cells one mode wins all come before (tighter
 * limits) those the other wins: the grid is split along that axis; first is the mode of the
 * tighter side. */
static int split_along(const report_disagg *d, int by_tpot, char *first)
{
    const search_goodput *g = d->gp_agg;
    int outer = by_tpot ? g->na : g->nb, inner = by_tpot ? g->nb : g->na;
    char tight = 0;
    for (int o = 0; o < outer; o++) {
        char seen = 0;
        int switched = 0;
        for (int j = 0; j < inner; j++) {
            char wv = by_tpot ? cell_winner(d, o, j) : cell_winner(d, j, o);
            if (wv != 'a' && wv != 'd')
                continue;
            if (!seen) {
                seen = wv;
                if (tight && tight != wv)
                    return 0;
                tight = wv;
            } else if (wv != seen) {
                if (switched)
                    return 0;
                switched = 1;
                seen = wv;
            }
        }
    }
    *first = tight;
    return tight != 0;
}

/* Which mode wins where on the grid, from the grid: the counts, and the axis that separates
 * the winners when one does; the mechanism named only where the pattern shows it. */
static void grid_summary(FILE *f, const report_disagg *d)
{
    const search_goodput *g = d->gp_agg;
    int nd = 0, na = 0, none = 0;
    for (int i = 0; i < g->na; i++)
        for (int k = 0; k < g->nb; k++) {
            char wv = cell_winner(d, i, k);
            nd += wv == 'd';
            na += wv == 'a';
            none += wv == ' ';
        }
    int cells = g->na * g->nb;
    if (!nd && !na) {
        fprintf(f, "%s", none == cells ? "Neither mode deploys under any of these limits."
                                       : "The two modes tie wherever either deploys.");
        return;
    }
    fprintf(f, "Disaggregated serving wins %d of the %d cells, aggregated %d", nd, cells, na);
    if (none)
        fprintf(f, "; neither deploys in %d", none);
    fprintf(f, ". ");
    char first;
    if (!na || !nd) {
        fprintf(f, "%s wins wherever either deploys", nd ? "Disaggregation" : "Aggregated serving");
        fprintf(f, nd ? ": its decode pool never stalls for prefill and each pool has its own "
                        "TP, batch and clock, which outweighs the KV transfer and the idle "
                        "capacity here.\n"
                      : ": the KV transfer and the idle capacity of a pool the other bounds "
                        "cost disaggregation more than the unstalled decode steps give it "
                        "here.\n");
    } else if (split_along(d, 1, &first)) {
        fprintf(f, "At every TTFT limit the TPOT limit decides: %s wins the tighter TPOT "
                "limits, %s the looser%s\n", first == 'd' ? "disaggregation" : "aggregated",
                first == 'd' ? "aggregated" : "disaggregation",
                first == 'd' ? ". A tight TPOT makes an aggregated replica shrink its batch "
                               "to keep its prefill stalls under the limit, while a "
                               "disaggregated decode pool never stalls; with a loose TPOT "
                               "the stalls are affordable, and disaggregation's costs "
                               "remain: the KV transfer and idle capacity in the pool the "
                               "other bounds at an integer replica ratio."
                             : ".");
    } else if (split_along(d, 0, &first)) {
        fprintf(f, "At every TPOT limit the TTFT limit decides: %s wins the tighter TTFT "
                "limits, %s the looser.\n", first == 'd' ? "disaggregation" : "aggregated",
                first == 'd' ? "aggregated" : "disaggregation");
    } else {
        fprintf(f, "The winner changes with both limits (the table shows where).\n");
    }
}

/* A goodput cell's value: "-" where the mode has no deployment meeting the limits. */
static void gp_val(FILE *f, double v)
{
    if (v > 0)
        fprintf(f, "%.0f", v);
    else
        fputs("-", f);
}

static void grid_md(FILE *f, const report_disagg *d)
{
    const search_goodput *ga = d->gp_agg, *gd = d->gp_dis;
    fprintf(f, "| TTFT SLO \\ TPOT SLO |");
    for (int k = 0; k < ga->nb; k++)
        fprintf(f, " %.0f ms |", ga->tpot[k] * 1e3);
    fprintf(f, "\n|---|");
    for (int k = 0; k < ga->nb; k++)
        fprintf(f, "---|");
    fputc('\n', f);
    for (int i = 0; i < ga->na; i++) {
        fprintf(f, "| %.3g s |", ga->ttft[i]);
        for (int k = 0; k < ga->nb; k++) {
            char wv = cell_winner(d, i, k);
            if (wv == ' ') {
                fprintf(f, " neither |");
                continue;
            }
            fputc(' ', f);
            gp_val(f, ga->best[i][k]);
            fputs(" / ", f);
            gp_val(f, gd->best[i][k]);
            fprintf(f, " (%s) |", wv == 'd' ? "disagg" : wv == 'a' ? "agg" : "tie");
        }
        fputc('\n', f);
    }
}

static int w_compare_md(FILE *f, void *ctx)
{
    const dout *o = ctx;
    const report_disagg *d = o->d;
    const llm_workload *w = d->a->in.w;
    fprintf(f, "# Disaggregated vs aggregated serving: ");
    llm_md_text(f, d->model);
    fprintf(f, " on ");
    llm_md_text(f, d->gpu);
    fprintf(f, ", ");
    llm_md_text(f, d->workload);
    fprintf(f, "\n\nPrompts of %.0f tokens, outputs of %.0f; SLOs: TTFT %.2f s, TPOT %.0f ms. "
            "The disaggregated space has %llu points (prefill configurations x decode "
            "configurations x replica counts); it was not enumerated: %llu prefill and %llu "
            "decode pool points were evaluated, %llu and %llu kept on their fronts, %llu "
            "combinations evaluated (docs/explore.md, eq. 80-81).\n\n",
            w->prompt_mean, w->output_mean, w->ttft_slo_s, w->tpot_slo_s * 1e3,
            (unsigned long long)d->r->size, (unsigned long long)d->r->pool_evaluated[0],
            (unsigned long long)d->r->pool_evaluated[1], (unsigned long long)d->r->pool_kept[0],
            (unsigned long long)d->r->pool_kept[1], (unsigned long long)d->r->combined);
    fprintf(f, "## Goodput per GPU under SLOs\n\nOutput tokens/s per GPU of the best deployment "
            "meeting both SLOs (TPOT as its users see it: an aggregated deployment's includes "
            "its prefill stalls), aggregated / disaggregated, over the whole of each space:\n\n");
    grid_md(f, d);
    fputc('\n', f);
    grid_summary(f, d);
    fputc('\n', f);
    int mid = GOODPUT_MAX / 2;
    cell_rows c;
    cell_of(d, mid, mid, &c);
    fprintf(f, "\n## At the workload's SLOs\n\n");
    char buf[256];
    if (c.have_a) {
        agg_label(&c.a, buf, sizeof buf);
        fprintf(f, "- Aggregated: %s: %.0f tok/s/GPU, TTFT %.0f ms, TPOT %.1f ms, %.3f J/token\n",
                buf, c.a.m.throughput_per_gpu, search_slo_ttft(w, &c.a.m) * 1e3,
                search_slo_tpot(w, &c.a.m) * 1e3, c.a.m.energy_per_token_j);
    }
    if (c.have_d) {
        dis_label(&c.d, buf, sizeof buf);
        fprintf(f, "- Disaggregated: %s: %.0f tok/s/GPU, TTFT %.0f ms (KV transfer %.1f ms), "
                "TPOT %.1f ms, %.3f J/token; limited by %s\n", buf, c.d.d.throughput_per_gpu,
                c.d.d.ttft_s * 1e3, c.d.d.transfer_s * 1e3, c.d.d.tpot_s * 1e3,
                c.d.d.energy_per_token_j, cost_disagg_bound_names[c.d.d.bound]);
    }
    fputc('\n', f);
    verdict(f, d, &c, 0);
    fprintf(f, "## Fronts\n\n`front.csv`: the disaggregated front (%zu points) of %s; "
            "`aggregated-front.csv`: the aggregated front (%zu points) of the same space and "
            "objectives. The model's 80%% bands apply to both; the KV transfer has no "
            "measurement behind it (docs/cost-model.md eq. 72).\n", o->n,
            d->objectives_text, d->nagg);
    return 0;
}

static int w_report_html(FILE *f, void *ctx)
{
    const dout *o = ctx;
    const report_disagg *d = o->d;
    const llm_workload *w = d->a->in.w;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
               "Disaggregated vs aggregated: ");
    llm_html_text(f, d->model);
    fprintf(f, "</title><style>body{font-family:sans-serif;max-width:70em;margin:auto;"
               "padding:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
               "padding:.2em .5em;text-align:right}.agg{color:#1f77b4}.dis{color:#2ca02c}td.l{text-align:left}"
               "</style></head><body>\n<h1>Disaggregated vs aggregated serving</h1>\n<p>");
    llm_html_text(f, d->model);
    fprintf(f, " on ");
    llm_html_text(f, d->gpu);
    fprintf(f, ", workload ");
    llm_html_text(f, d->workload);
    fprintf(f, ": prompts of %.0f tokens, outputs of %.0f; SLOs TTFT %.2f s, TPOT %.0f ms.</p>\n",
            w->prompt_mean, w->output_mean, w->ttft_slo_s, w->tpot_slo_s * 1e3);
    int mid = GOODPUT_MAX / 2;
    cell_rows c;
    cell_of(d, mid, mid, &c);
    fprintf(f, "<h2>At the workload's SLOs</h2>\n");
    verdict(f, d, &c, 1);
    char buf[256];
    fprintf(f, "<table><tr><th></th><th style=\"text-align:left\">deployment</th><th>tok/s/GPU"
               "</th><th>TTFT ms</th><th>TPOT ms (as users see it, prefill stalls included)"
               "</th><th>J/token</th><th>GPUs</th></tr>\n");
    if (c.have_a) {
        agg_label(&c.a, buf, sizeof buf);
        fprintf(f, "<tr><th class=\"agg\">aggregated</th><td class=l>%s</td><td>%.0f</td><td>%.0f</td>"
                   "<td>%.1f</td><td>%.3f</td><td>%d</td></tr>\n", buf,
                c.a.m.throughput_per_gpu, search_slo_ttft(w, &c.a.m) * 1e3,
                search_slo_tpot(w, &c.a.m) * 1e3, c.a.m.energy_per_token_j, c.a.m.gpus);
    }
    if (c.have_d) {
        dis_label(&c.d, buf, sizeof buf);
        fprintf(f, "<tr><th class=\"dis\">disaggregated</th><td class=l>%s</td><td>%.0f</td>"
                   "<td>%.0f</td><td>%.1f</td><td>%.3f</td><td>%d</td></tr>\n", buf,
                c.d.d.throughput_per_gpu, c.d.d.ttft_s * 1e3, c.d.d.tpot_s * 1e3,
                c.d.d.energy_per_token_j, c.d.d.gpus);
    }
    fprintf(f, "</table>\n<h2>Goodput per GPU under SLOs</h2>\n<p>Output tokens/s per GPU of "
               "the best deployment meeting both SLOs, <span class=\"agg\">aggregated</span> / "
               "<span class=\"dis\">disaggregated</span>; a cell's shade is the mode that wins it (green "
               "disaggregated, blue aggregated); \"-\": no deployment of that mode meets both "
               "limits.</p>\n<table><tr><th>TTFT \\ TPOT"
               "</th>");
    const search_goodput *ga = d->gp_agg, *gd = d->gp_dis;
    for (int k = 0; k < ga->nb; k++)
        fprintf(f, "<th>%.0f ms</th>", ga->tpot[k] * 1e3);
    fprintf(f, "</tr>\n");
    for (int i = 0; i < ga->na; i++) {
        fprintf(f, "<tr><th>%.3g s</th>", ga->ttft[i]);
        for (int k = 0; k < ga->nb; k++) {
            double a = ga->best[i][k], b = gd->best[i][k];
            fprintf(f, "<td%s>", b > a ? " style=\"background:#dfd\"" :
                    a > b ? " style=\"background:#def\"" : "");
            gp_val(f, a);
            fputs(" / ", f);
            gp_val(f, b);
            fputs("</td>", f);
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n<p>");
    grid_summary(f, d);
    fprintf(f, "</p>\n<h2>Both fronts</h2>\n");
    /* energy vs throughput per GPU, one point per front point, coloured by mode */
    size_t n = o->n + d->nagg;
    scatter_pt *pt = calloc(n ? n : 1, sizeof *pt);
    char (*tip)[300] = calloc(n ? n : 1, sizeof *tip);
    if (pt && tip) {
        for (size_t i = 0; i < d->nagg; i++) {
            agg_label(&d->agg[i], buf, sizeof buf);
            snprintf(tip[i], sizeof tip[i], "aggregated: %s", buf);
            pt[i] = (scatter_pt){d->agg[i].m.throughput_per_gpu, d->agg[i].m.energy_per_token_j,
                                 0, 0, 0, 0, 0, 0, 0, tip[i]};
        }
        for (size_t i = 0; i < o->n; i++) {
            size_t k = d->nagg + i;
            dis_label(&o->rows[i], buf, sizeof buf);
            snprintf(tip[k], sizeof tip[k], "disaggregated: %s", buf);
            pt[k] = (scatter_pt){o->rows[i].d.throughput_per_gpu,
                                 o->rows[i].d.energy_per_token_j, 0, 0, 0, 0, 1, 0, 0, tip[k]};
        }
        static const char *const cn[] = {"aggregated", "disaggregated"};
        scatter_plot sp = {"output tokens/s per GPU", "energy per output token (J)", -1, -1,
                           pt, NULL, n, 0, "serving", "", cn, NULL, 2, 0};
        fprintf(f, "<figure><figcaption>Energy per token vs throughput per GPU, both fronts "
                   "(TPOT, the fronts' third objective, is not drawn: a point that looks "
                   "dominated here may be faster)</figcaption>");
        report_svg_scatter(f, &sp);
        fprintf(f, "</figure>\n");
    }
    free(pt);
    free(tip);
    fprintf(f, "<p>front.csv: the disaggregated front (%zu points); aggregated-front.csv: the "
               "aggregated front (%zu points). 80%% bands: front.csv's _lo/_hi columns.</p>\n"
               "</body></html>\n", o->n, d->nagg);
    return 0;
}

int report_write_disagg(const char *dir, const report_disagg *d, llm_err *err)
{
    disagg_row *rows = calloc(d->r->front.n ? d->r->front.n : 1, sizeof *rows);
    if (!rows) {
        llm_err_fail(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->r->front.n; i++)
        search_disagg_row(d->a, d->r->front.pt[i].index, &rows[i]);
    dout o = {d, rows, d->r->front.n};
    int cmp = d->gp_agg && d->gp_dis;
    int rc = report_write_atomic(dir, "front.csv", w_front_csv, &o, err) ||
             report_write_atomic(dir, "front.json", w_front_json, &o, err) ||
             (cmp && report_write_atomic(dir, "aggregated-front.csv", w_agg_csv, &o, err)) ||
             (cmp && report_write_atomic(dir, "compare.md", w_compare_md, &o, err)) ||
             (cmp && report_write_atomic(dir, "report.html", w_report_html, &o, err)) ||
             report_write_atomic(dir, "summary.json", w_summary, &o, err);
    free(rows);
    return rc ? -1 : 0;
}
