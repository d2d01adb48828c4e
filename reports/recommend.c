/* reports/recommend.c — the recommendation as JSON and Markdown (docs/recommend.md). */
#include "reports.h"

#include <math.h>
#include <string.h>

static const char *status_name(rec_status s)
{
    switch (s) {
    case REC_OPTIMAL: return "optimal";
    case REC_FEASIBLE: return "feasible (not proven optimal)";
    case REC_INFEASIBLE: return "infeasible";
    case REC_ERROR: break;
    }
    return "error";
}

static double kwh_per_day(const rec_solution *s) { return s->energy_w * 86400 / 3.6e6; }

static int has_plan(const rec_solution *s)
{
    return s->status == REC_OPTIMAL || s->status == REC_FEASIBLE;
}

/* The plan's cost is known when every pool it uses has a price (--gpus GPU:COUNT:PRICE or
 * the GPU file's price_per_hour). */
static int cost_known(const report_rec *r, const rec_solution *s)
{
    if (!s->n) /* a sensitivity case: said by the case itself */
        return 0;
    for (size_t i = 0; i < r->p->n; i++)
        if (s->n[i] > 0.5 && !(r->p->c[i].cost_per_hour > 0))
            return 0;
    return 1;
}

/* eq. R10: USD per million output tokens = cost per hour / (3600 x output tokens/s) x 1e6,
 * the tokens/s being every model's rate x its workload's mean output tokens. */
static double cost_per_mtok(const report_rec *r, const rec_solution *s)
{
    double tok = 0;
    for (int m = 0; m < r->p->nmodels; m++)
        tok += r->p->rate[m] * r->w[m].output_mean;
    return tok > 0 ? s->cost_per_hour / (3600 * tok) * 1e6 : 0;
}

/* "optimal", or "feasible (not proven optimal; gap 0.12%)" (eq. R7). */
static void status_text(char *buf, size_t n, const rec_solution *s)
{
    if (s->status == REC_FEASIBLE && s->gap >= 0)
        snprintf(buf, n, "feasible (not proven optimal; gap %.3g%% to the best bound)",
                 100 * s->gap);
    else if (s->status == REC_FEASIBLE)
        snprintf(buf, n, "feasible (not proven optimal; gap not known)");
    else
        snprintf(buf, n, "%s", status_name(s->status));
}

/* A difference too small to print at the shown precision is shown as 0, not "-0.0". */
static double nz(double x, double shown) { return fabs(x) < shown / 2 ? 0 : x; }

/* One pool of a disaggregated unit (eq. R13). */
static void pool_json(json_out *j, const char *key, int replicas, const space_point *p,
                      double util)
{
    json_obj(j, key);
    json_int(j, "replicas_per_unit", replicas);
    json_int(j, "tp", p->tp);
    json_int(j, "ep", p->ep);
    json_int(j, "pp", p->pp > 1 ? p->pp : 1);
    json_int(j, "batch", p->batch);
    json_int(j, "sm_comm", p->sm_comm);
    json_num(j, "freq_mhz", p->freq_mhz);
    json_num(j, "utilisation_at_capacity", util);
    json_end_obj(j);
}

static void plan_json(json_out *j, const report_rec *r, const rec_solution *s)
{
    const rec_problem *p = r->p;
    json_str(j, "status", status_name(s->status));
    if (s->message[0])
        json_str(j, "message", s->message);
    if (s->status != REC_OPTIMAL && s->status != REC_FEASIBLE)
        return;
    json_num(j, "energy_per_day_kwh", kwh_per_day(s));
    json_num(j, "average_power_w", s->energy_w);
    json_num(j, "peak_power_w", s->peak_w);
    json_num(j, "gpus", s->gpus);
    if (s->status == REC_FEASIBLE && s->gap >= 0)
        json_num(j, "mip_gap", s->gap);
    json_bool(j, "cost_known", cost_known(r, s));
    if (cost_known(r, s)) {
        json_num(j, "cost_per_day_usd", s->cost_per_hour * 24);
        json_num(j, "cost_per_mtok_usd", cost_per_mtok(r, s));
    }
    json_obj(j, "gpus_by_sku");
    for (int k = 0; k < p->nskus; k++)
        json_num(j, r->skus[k], s->gpus_by_sku[k]);
    json_end_obj(j);
    if (!s->n)
        return;
    json_arr(j, "fleet");
    for (size_t i = 0; i < p->n; i++) {
        if (s->n[i] < 0.5)
            continue;
        const rec_candidate *c = &p->c[i];
        const search_row *row = &c->row;
        json_obj(j, NULL);
        json_str(j, "model", r->models[c->model]);
        json_str(j, "gpu", r->skus[c->sku]);
        json_num(j, "replicas", s->n[i]);
        if (c->disagg) {
            /* eq. R13: replicas are units of n_prefill prefill and n_decode decode replicas */
            json_str(j, "mode", "disaggregated");
            pool_json(j, "prefill", c->n_prefill, &c->pre, c->dis.util_prefill);
            pool_json(j, "decode", c->n_decode, &row->p, c->dis.util_decode);
            json_num(j, "kv_transfer_s", c->dis.transfer_s);
            json_str(j, "bound", cost_disagg_bound_names[c->dis.bound]);
        } else {
            json_str(j, "mode", "aggregated");
        }
        json_int(j, "tp", row->p.tp);
        json_int(j, "ep", row->p.ep);
        json_int(j, "pp", row->p.pp > 1 ? row->p.pp : 1);
        json_str(j, "dtype", llm_dtype_names[row->p.dtype]);
        json_str(j, "kv_dtype", llm_dtype_names[row->p.kv_dtype]);
        json_int(j, "batch", row->p.batch);
        json_int(j, "sm_comm", row->p.sm_comm);
        json_num(j, "freq_mhz", row->p.freq_mhz);
        json_int(j, "replicas_per_gpu", row->p.replicas_per_gpu > 1 ? row->p.replicas_per_gpu : 1);
        json_int(j, "chunk_tokens", row->p.chunk_tokens);
        json_num(j, "gpus_per_replica", c->gpus);
        json_num(j, "load_rps", s->y[i]);
        json_num(j, "capacity_rps", s->n[i] * c->cap_rps);
        json_num(j, "utilisation", s->y[i] / (s->n[i] * c->cap_rps));
        json_num(j, "ttft_s", row->m.ttft_s);
        if (c->has_bands) {   /* eq. 53: the 80% band of each */
            json_num(j, "ttft_s_lo", c->bands.ttft.lo);
            json_num(j, "ttft_s_hi", c->bands.ttft.hi);
        }
        json_num(j, "tpot_s", row->m.tpot_s);
        if (c->has_bands) {
            json_num(j, "tpot_s_lo", c->bands.tpot.lo);
            json_num(j, "tpot_s_hi", c->bands.tpot.hi);
        }
        const llm_workload *w = &r->w[c->model];
        json_num(j, "ttft_margin", (w->ttft_slo_s - row->m.ttft_s) / w->ttft_slo_s);
        json_num(j, "tpot_margin", (w->tpot_slo_s - row->m.tpot_s) / w->tpot_slo_s);
        json_num(j, "energy_per_token_j", row->m.energy_per_token_j);
        if (c->has_bands) {
            json_num(j, "energy_per_token_j_lo", c->bands.energy_per_token.lo);
            json_num(j, "energy_per_token_j_hi", c->bands.energy_per_token.hi);
            json_num(j, "avg_power_w_lo", c->bands.avg_power.lo);
            json_num(j, "avg_power_w_hi", c->bands.avg_power.hi);
        }
        json_end_obj(j);
    }
    json_end_arr(j);
}

/* An array of n objects {name_key: names[i], value_key: v[i]}. */
static void named_values(json_out *j, const char *arr, const char *name_key,
                         const char *const *names, const char *value_key, const double *v,
                         int n)
{
    json_arr(j, arr);
    for (int i = 0; i < n; i++) {
        json_obj(j, NULL);
        json_str(j, name_key, names[i]);
        json_num(j, value_key, v[i]);
        json_end_obj(j);
    }
    json_end_arr(j);
}

static void confidence_json(json_out *j, const report_rec *r)
{
    const rec_plan *pl = r->plan;
    if (!pl || !pl->has_point)
        return;
    const rec_solution *q = &pl->point;
    json_obj(j, "confidence");
    json_num(j, "probability", pl->confidence);
    json_obj(j, "point_estimate_plan");
    json_str(j, "status", status_name(q->status));
    if (has_plan(q)) {
        json_num(j, "gpus", q->gpus);
        json_num(j, "average_power_w", q->energy_w);
        json_num(j, "peak_power_w", q->peak_w);
        if (has_plan(r->best)) {
            json_num(j, "extra_gpus", r->best->gpus - q->gpus);
            json_num(j, "extra_average_power_w", r->best->energy_w - q->energy_w);
        }
    }
    json_end_obj(j);
    json_end_obj(j);
}

void report_recommend_json(FILE *f, const report_rec *r)
{
    const rec_problem *p = r->p;
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    json_obj(&j, "request");
    json_str(&j, "workload", r->w[0].name);
    json_num(&j, "ttft_slo_s", r->w[0].ttft_slo_s);
    json_num(&j, "tpot_slo_s", r->w[0].tpot_slo_s);
    json_arr(&j, "models");
    for (int m = 0; m < p->nmodels; m++) {
        json_obj(&j, NULL);
        json_str(&j, "model", r->models[m]);
        json_num(&j, "rate_rps", p->rate[m]);
        json_str(&j, "workload", r->w[m].name);
        json_num(&j, "ttft_slo_s", r->w[m].ttft_slo_s);
        json_num(&j, "tpot_slo_s", r->w[m].tpot_slo_s);
        json_end_obj(&j);
    }
    json_end_arr(&j);
    named_values(&j, "gpus", "gpu", r->skus, "count", p->count, p->nskus);
    if (p->power_cap > 0)
        json_num(&j, "power_cap_w", p->power_cap);
    if (p->serving) { /* as summary.json records it (reports/explore.c) */
        json_obj(&j, "serving");
        json_str(&j, "profile", p->serving);
        json_int(&j, "chunk_tokens", p->chunk_tokens);
        json_str(&j, "kv", p->kv_paged ? "paged" : "reserve");
        json_end_obj(&j);
    }
    json_str(&j, "objective", rec_objective_names[p->objective]);
    json_num(&j, "headroom", rec_headroom(p));
    if (r->plan && r->plan->has_point)
        json_num(&j, "confidence", r->plan->confidence);
    json_int(&j, "candidates", (long long)p->n);
    json_end_obj(&j);
    json_obj(&j, "recommendation");
    plan_json(&j, r, r->best);
    confidence_json(&j, r);
    if (r->best->status == REC_OPTIMAL || r->best->status == REC_FEASIBLE) {
        json_arr(&j, "binding");
        for (int k = 0; k < p->nskus; k++)
            if (r->best->binding_sku[k])
                json_str(&j, NULL, r->skus[k]);
        if (r->best->binding_power)
            json_str(&j, NULL, "power_cap");
        json_end_arr(&j);
    }
    json_end_obj(&j);
    json_arr(&j, "runner_ups");
    for (int i = 0; i < r->n_runners; i++) {
        json_obj(&j, NULL);
        json_str(&j, "plan", r->runner_label[i]);
        json_bool(&j, "same_as_recommendation", r->plan && r->plan->runner_same[i]);
        plan_json(&j, r, r->runner[i]);
        json_end_obj(&j);
    }
    json_end_arr(&j);
    if (r->diag) {
        const rec_diagnosis *d = r->diag;
        json_obj(&j, "infeasible");
        json_arr(&j, "models_without_candidates");
        for (int m = 0; m < p->nmodels; m++)
            if (d->no_candidates[m])
                json_str(&j, NULL, r->models[m]);
        json_end_arr(&j);
        if (d->gpus_relaxed_feasible) {
            json_obj(&j, "gpus_needed");
            for (int k = 0; k < p->nskus; k++)
                json_num(&j, r->skus[k], d->gpus_needed[k]);
            json_end_obj(&j);
        }
        if (d->power_relaxed_feasible)
            json_num(&j, "power_cap_needed_w", d->power_needed);
        json_end_obj(&j);
    }
    json_end_obj(&j);
    json_finish(&j);
}

static void plan_md(FILE *f, const report_rec *r, const rec_solution *s)
{
    const rec_problem *p = r->p;
    int with_pp = 0; /* a pp column only for a plan with pipelined pools (eq. 60-65) */
    for (size_t i = 0; i < p->n; i++)
        with_pp |= s->n[i] >= 0.5 && p->c[i].row.p.pp > 1;
    fprintf(f, "| model | GPU | replicas | tp | ep | %sweights/KV | batch | SM comm | clock MHz | "
               "load req/s (capacity) | utilisation | TTFT s (margin) | TPOT s (margin) | J/token |\n"
               "|---|---|---|---|---|%s---|---|---|---|---|---|---|---|---|\n",
            with_pp ? "pp | " : "", with_pp ? "---|" : "");
    for (size_t i = 0; i < p->n; i++) {
        if (s->n[i] < 0.5)
            continue;
        const rec_candidate *c = &p->c[i];
        const search_row *row = &c->row;
        fputs("| ", f);
        llm_md_text(f, r->models[c->model]);
        fputs(" | ", f);
        llm_md_text(f, r->skus[c->sku]);
        const llm_workload *w = &r->w[c->model];
        char tp[64], batch[48], sm[32], clk[48];
        if (c->disagg) {
            /* eq. R13: a unit of prefill (P) and decode (D) replicas */
            snprintf(tp, sizeof tp, "P %dxTP%d + D %dxTP%d", c->n_prefill, c->pre.tp,
                     c->n_decode, row->p.tp);
            snprintf(batch, sizeof batch, "P %d / D %d", c->pre.batch, row->p.batch);
            snprintf(sm, sizeof sm, "%d / %d", c->pre.sm_comm, row->p.sm_comm);
            snprintf(clk, sizeof clk, "%.0f / %.0f", c->pre.freq_mhz, row->p.freq_mhz);
        } else {
            snprintf(tp, sizeof tp, "%d", row->p.tp);
            snprintf(batch, sizeof batch, "%d", row->p.batch);
            snprintf(sm, sizeof sm, "%d", row->p.sm_comm);
            snprintf(clk, sizeof clk, "%.0f", row->p.freq_mhz);
        }
        char ppc[24] = "";
        if (with_pp)
            snprintf(ppc, sizeof ppc, "%d | ", row->p.pp > 1 ? row->p.pp : 1);
        fprintf(f, " | %.0f%s | %s | %d | %s%s/%s | %s | %s | %s | %.2f (%.2f) | %.0f%% | "
                "%.3f (%+.0f%%) | %.4f (%+.0f%%) | %.3f", s->n[i], c->disagg ? " units" : "",
                tp, row->p.ep, ppc, llm_dtype_names[row->p.dtype],
                llm_dtype_names[row->p.kv_dtype], batch, sm, clk, s->y[i], s->n[i] * c->cap_rps,
                100 * s->y[i] / (s->n[i] * c->cap_rps), row->m.ttft_s,
                100 * (w->ttft_slo_s - row->m.ttft_s) / w->ttft_slo_s, row->m.tpot_s,
                100 * (w->tpot_slo_s - row->m.tpot_s) / w->tpot_slo_s,
                row->m.energy_per_token_j);
        if (c->has_bands)
            fprintf(f, " (%.3f-%.3f)", c->bands.energy_per_token.lo,
                    c->bands.energy_per_token.hi);
        fputs(" |\n", f);
    }
}

/* Below the plan's table when it has a disaggregated unit (eq. R13): how to read its cells. */
static void units_md(FILE *f, const report_rec *r, const rec_solution *s)
{
    for (size_t i = 0; i < r->p->n; i++)
        if (s->n[i] > 0.5 && r->p->c[i].disagg) {
            fprintf(f, "\nA **unit** is a disaggregated deployment: `P nxTPt + D mxTPu` is n "
                    "prefill replicas of TP t and m decode replicas of TP u, the KV cache sent "
                    "from one to the other; its batch, SM comm and clock cells are the prefill "
                    "pool's / the decode pool's (prefill batch: prompts per step); the plan "
                    "replicates whole units (docs/recommend.md R13).\n");
            return;
        }
}

static void totals_md(FILE *f, const report_rec *r, const rec_solution *s, int hint)
{
    fprintf(f, "%.1f kWh/day (%.0f W average), %.0f W peak, %.0f GPUs", kwh_per_day(s),
            s->energy_w, s->peak_w, s->gpus);
    if (cost_known(r, s))
        fprintf(f, ", %.2f USD/day, %.3f USD per million output tokens", s->cost_per_hour * 24,
                cost_per_mtok(r, s));
    else
        fprintf(f, ", cost unknown%s", hint ? " (no price for a GPU used: give --gpus "
                "GPU:COUNT:PRICE)" : "");
}

/* eq. R12: what holding the plan at a confidence costs against the point estimates. */
static void confidence_md(FILE *f, const report_rec *r)
{
    const rec_plan *pl = r->plan;
    if (!pl || !pl->has_point)
        return;
    const rec_solution *b = r->best, *q = &pl->point;
    fprintf(f, "\nHeld at %.0f%% confidence (docs/recommend.md, R12): every pool meets its SLOs "
               "with TTFT and TPOT at their %.0f%% quantile under the model's uncertainty bands, "
               "and serves its load with throughput at its %.0f%% quantile; ",
            100 * pl->confidence, 100 * pl->confidence, 100 * (1 - pl->confidence));
    if (!has_plan(q)) {
        fprintf(f, "on the point estimates there is no plan either (%s).\n",
                status_name(q->status));
    } else if (!has_plan(b)) {
        fprintf(f, "at this confidence nothing meets the request, but on the point estimates "
                   "a plan does: ");
        totals_md(f, r, q, 0);
        fprintf(f, " (`--confidence none` plans it; a lower `--confidence P` may too).\n");
    } else {
        fprintf(f, "on the point estimates the same request takes %.0f GPUs and %.0f W average "
                   "power: the confidence costs %+.0f GPUs and %+.0f W (%+.1f%% power)%s. "
                   "`--confidence none` plans on the point estimates.\n", q->gpus, q->energy_w,
                nz(b->gpus - q->gpus, 1), nz(b->energy_w - q->energy_w, 1),
                q->energy_w > 0 ? nz(100 * (b->energy_w - q->energy_w) / q->energy_w, 0.1) : 0,
                b->status == REC_FEASIBLE || q->status == REC_FEASIBLE
                    ? " (a plan not proven optimal: part of the difference may be the solver's)"
                    : "");
    }
}

/* eq. R13: which serving mode the plan uses, and what the other mode alone would cost. */
static void mode_md(FILE *f, const report_rec *r)
{
    const rec_problem *p = r->p;
    const rec_solution *b = r->best;
    int uses[2] = {0, 0};
    for (size_t i = 0; i < p->n; i++)
        if (b->n[i] > 0.5)
            uses[p->c[i].disagg] = 1;
    fprintf(f, "\nServing mode (`--disaggregated`): the plan uses %s. ",
            uses[0] && uses[1] ? "both aggregated and disaggregated pools"
            : uses[1] ? "disaggregated prefill/decode pools" : "aggregated pools only");
    for (int i = 0; i < r->n_runners; i++) {
        int agg = !strcmp(r->runner_label[i], "aggregated pools only");
        int dis = !strcmp(r->runner_label[i], "disaggregated pools only");
        if ((!agg && !dis) || (agg && !uses[1]) || (dis && !uses[0]))
            continue;
        const rec_solution *s = r->runner[i];
        if (!has_plan(s)) {
            fprintf(f, "With %s the request has no plan (%s). ", agg ? "aggregated pools only"
                    : "disaggregated pools only", status_name(s->status));
            continue;
        }
        fprintf(f, "With %s it would take %+.0f GPUs and %+.0f W average power (%+.1f%%)%s. ",
                agg ? "aggregated pools only" : "disaggregated pools only", s->gpus - b->gpus,
                s->energy_w - b->energy_w,
                b->energy_w > 0 ? 100 * (s->energy_w - b->energy_w) / b->energy_w : 0,
                agg ? ": a disaggregated decode pool runs its own batch and TP with no prefill "
                      "stalling its steps, and its prefill pool batches whole prompts, at the "
                      "cost of the KV transfer and of idle capacity in whichever pool the "
                      "other bounds"
                    : ": no KV transfer and no pool waiting on the other");
    }
    fputs("\n", f);
}

void report_recommend_md(FILE *f, const report_rec *r)
{
    const rec_problem *p = r->p;
    const rec_solution *b = r->best;
    fprintf(f, "# Deployment recommendation\n\n");
    for (int m = 0; m < p->nmodels; m++) {
        fprintf(f, "%s**", m ? ", " : "");
        llm_md_text(f, r->models[m]);
        fprintf(f, "** at %.3g requests/s (workload **", p->rate[m]);
        llm_md_text(f, r->w[m].name);
        fprintf(f, "**, SLOs: TTFT %.3g s, TPOT %.3g s)", r->w[m].ttft_slo_s,
                r->w[m].tpot_slo_s);
    }
    fprintf(f, "; GPUs available: ");
    for (int k = 0; k < p->nskus; k++) {
        fprintf(f, "%s%.0f x ", k ? ", " : "", p->count[k]);
        llm_md_text(f, r->skus[k]);
    }
    if (p->power_cap > 0)
        fprintf(f, "; fleet power cap %.0f W", p->power_cap);
    fprintf(f, ". Objective: least %s; pools planned at most %.0f%% of capacity. %zu candidate "
            "configurations meet the SLOs.\n\n", rec_objective_names[p->objective],
            100 * rec_headroom(p), p->n);
    if (b->status != REC_OPTIMAL && b->status != REC_FEASIBLE) {
        fprintf(f, "## No plan: %s\n\n", status_name(b->status));
        if (r->plan && r->plan->has_point) {
            confidence_md(f, r);   /* starts with its own blank line */
            fputs("\n", f);
        }
        if (b->message[0])
            fprintf(f, "%s\n\n", b->message);
        if (r->diag) {
            const rec_diagnosis *d = r->diag;
            for (int m = 0; m < p->nmodels; m++)
                if (d->no_candidates[m]) {
                    fputs("- No configuration of **", f);
                    llm_md_text(f, r->models[m]);
                    fprintf(f, "** meets the SLOs on these GPUs: "
                            "loosen the TTFT or TPOT objective (llmdse explore without --slo "
                            "shows the best reachable), or add a faster GPU.\n");
                }
            if (d->gpus_relaxed_feasible) {
                fprintf(f, "- **More GPUs** would fix it: the fewest that serve the load are");
                for (int k = 0; k < p->nskus; k++)
                    if (d->gpus_needed[k] > 0) {
                        fprintf(f, " %.0f x ", d->gpus_needed[k]);
                        llm_md_text(f, r->skus[k]);
                        fprintf(f, " (have %.0f)", p->count[k]);
                    }
                fprintf(f, ".\n");
            }
            if (d->power_relaxed_feasible && p->power_cap > 0)
                fprintf(f, "- **A higher power cap** would fix it: the least fleet peak power "
                        "that serves the load within the GPU counts is %.0f W (cap %.0f W).\n",
                        d->power_needed, p->power_cap);
            if (!d->any_model_without && !d->gpus_relaxed_feasible &&
                !d->power_relaxed_feasible)
                fprintf(f, "- Neither more GPUs nor a higher cap alone suffices; both are "
                        "needed.\n");
        }
        return;
    }
    char st[128];
    status_text(st, sizeof st, b);
    fprintf(f, "## Recommended plan (%s)\n\n", st);
    if (b->message[0] && b->status == REC_FEASIBLE)
        fprintf(f, "%s.\n\n", b->message);
    totals_md(f, r, b, 1);
    fprintf(f, ".\n\n");
    plan_md(f, r, b);
    units_md(f, r, b);
    fprintf(f, "\nBinding constraints: ");
    int any = 0;
    for (int k = 0; k < p->nskus; k++)
        if (b->binding_sku[k]) {
            fprintf(f, "%sall ", any++ ? ", " : "");
            llm_md_text(f, r->skus[k]);
            fputs(" GPUs in use", f);
        }
    if (b->binding_power)
        fprintf(f, "%sthe power cap", any++ ? ", " : "");
    fprintf(f, "%s.\n", any ? "" : "none (the load alone sizes the fleet)");
    if (p->disaggregated)
        mode_md(f, r);
    confidence_md(f, r);
    if (r->n_runners) {
        fprintf(f, "\n## Runner-up plans\n\n| plan | totals | trade against the recommendation "
                   "|\n|---|---|---|\n");
        for (int i = 0; i < r->n_runners; i++) {
            const rec_solution *s = r->runner[i];
            fputs("| ", f);
            llm_md_text(f, r->runner_label[i]);
            fputs(" | ", f);
            if (!has_plan(s)) {
                fprintf(f, "%s%s%s | |\n", status_name(s->status), s->message[0] ? ": " : "",
                        s->message);
                continue;
            }
            totals_md(f, r, s, 0);
            if (r->plan && r->plan->runner_same[i]) {
                fprintf(f, " | the same plan as the recommendation |\n");
                continue;
            }
            if (s->status == REC_FEASIBLE)
                fprintf(f, " (not proven optimal)");
            fprintf(f, " | %+.2f kWh/day (%+.2f%%), %+.0f GPUs, %+.0f W peak",
                    nz(kwh_per_day(s) - kwh_per_day(b), 0.01),
                    nz(100 * (s->energy_w - b->energy_w) / b->energy_w, 0.01),
                    nz(s->gpus - b->gpus, 1), nz(s->peak_w - b->peak_w, 1));
            if (cost_known(r, s) && cost_known(r, b))
                fprintf(f, ", %+.2f USD/day", nz(24 * (s->cost_per_hour - b->cost_per_hour), 0.01));
            fprintf(f, " |\n");
        }
    }
    fprintf(f, "\nPredictions from the llmdse cost model (docs/cost-model.md); each model's "
               "requests go to its pools from the least marginal power per request up (R6), "
               "each pool at most its headroom share of capacity.\n");
}
