/* reports/tables.c — eval, ops and kernel results as text, JSON and CSV. Key names and units:
 * docs/formats.md, "Outputs". */
#include "reports.h"

#include <math.h>
#include <string.h>

int report_metrics_finite(const cost_metrics *m)
{
    const double v[] = {m->memory_per_gpu_gib, m->ttft_s, m->tpot_s, m->tpot_with_prefill_s,
                        m->throughput_tok_s, m->throughput_per_gpu, m->energy_per_token_j,
                        m->prefill_energy_j, m->decode_energy_per_token_j, m->avg_power_w,
                        m->peak_power_w, m->effective_freq_mhz, m->prefill_freq_mhz, m->cost_per_mtok,
                        m->mem.weights_gib, m->mem.kv_gib, m->mem.act_gib,
                        m->step_overhead_s, m->ttft_p50_s, m->ttft_p90_s, m->ttft_p99_s,
                        m->tpot_p50_s, m->tpot_p90_s, m->tpot_p99_s, m->utilisation,
                        m->capacity_rps, m->cycle_s, m->mem.kv_pool_gib,
                        m->advised_plateau_tok_s, m->advised_freed_gib};
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isfinite(v[i]) || v[i] < 0)
            return 0;
    return 1;
}

/* The per-GPU power the limiter holds: the cap given, else the TDP (eq. 22). */
#define POWER_CAP(in) ((in)->config->power_cap_w > 0 ? (in)->config->power_cap_w        \
                                                     : (in)->gpu->tdp_w)

/* X, and beside it X_lo and X_hi (docs/formats.md, "Bands") when there is a band. */
static void json_banded(json_out *j, const char *key, double v, const cost_interval *b)
{
    json_num(j, key, v);
    if (!b)
        return;
    char k[80];
    snprintf(k, sizeof k, "%s_lo", key);
    json_num(j, k, b->lo);
    snprintf(k, sizeof k, "%s_hi", key);
    json_num(j, k, b->hi);
}

/* " (lo-hi)" in the value's own format, or nothing. */
static const char *text_band(char *buf, size_t len, const char *fmt, const cost_interval *b,
                             double scale)
{
    if (!b) {
        buf[0] = 0;
        return buf;
    }
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, fmt, b->lo * scale);
    snprintf(hi, sizeof hi, fmt, b->hi * scale);
    snprintf(buf, len, " (%s-%s)", lo, hi);
    return buf;
}

/* Which calibration the bands rest on, per class (docs/calibration.md, "Coverage"). */
void report_coverage_text(FILE *f, const llm_gpu *g, const char *indent)
{
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        fprintf(f, "%s%-12s %s", indent, llm_cov_class_names[c],
                llm_cov_level_names[g->coverage[c]]);
        if (g->coverage[c] == LLM_COV_TRANSFERRED) {
            fputs(" from ", f);
            fputs(g->coverage_from[c], f);
        }
        fputc('\n', f);
    }
}

int report_coverage_note(const llm_gpu *g, char *buf, size_t len)
{
    int nd = 0;
    char ds[128] = "";
    for (int c = 0; c < LLM_COV_COUNT; c++)
        if (g->coverage[c] == LLM_COV_DATASHEET) {
            size_t l = strlen(ds);
            snprintf(ds + l, sizeof ds - l, "%s%s", nd++ ? ", " : "", llm_cov_class_names[c]);
        }
    llm_band_regime r = cost_band_regime(g, NULL);
    if (nd == LLM_COV_COUNT)
        snprintf(buf, len, "datasheet only: no part of the model is calibrated on this GPU; its "
                 "predictions carry the datasheet_gpu bands");
    else if (r == LLM_REGIME_DATASHEET_GPU)
        snprintf(buf, len, "partly datasheet (%s from the datasheet alone); its predictions "
                 "carry the datasheet_gpu bands", ds);
    else if (nd)
        snprintf(buf, len, "calibrated (%s from the datasheet alone)", ds);
    else
        snprintf(buf, len, "calibrated");
    return nd == LLM_COV_COUNT ? 2 : r == LLM_REGIME_DATASHEET_GPU;
}

void report_coverage_html(FILE *f, const llm_gpu *g)
{
    fputs("<table><tr><th>part</th><th>coverage</th></tr>\n", f);
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        fprintf(f, "<tr><td>%s</td><td>%s", llm_cov_class_names[c],
                llm_cov_level_names[g->coverage[c]]);
        if (g->coverage[c] == LLM_COV_TRANSFERRED) {
            fputs(" from ", f);
            llm_html_text(f, g->coverage_from[c]);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>", f);
}

void report_coverage_json(json_out *j, const llm_gpu *g)
{
    json_obj(j, "coverage");
    for (int c = 0; c < LLM_COV_COUNT; c++) {
        json_obj(j, llm_cov_class_names[c]);
        json_str(j, "level", llm_cov_level_names[g->coverage[c]]);
        if (g->coverage[c] == LLM_COV_TRANSFERRED)
            json_str(j, "from", g->coverage_from[c]);
        json_end_obj(j);
    }
    json_end_obj(j);
}

static void uncertainty_json(json_out *j, const report_inputs *in)
{
    json_obj(j, "uncertainty");
    json_str(j, "band", "80% interval from out-of-fit residuals (docs/calibration.md)");
    json_str(j, "regime", llm_band_regime_names[cost_band_regime(in->gpu, in->config->serving)]);
    report_coverage_json(j, in->gpu);
    json_end_obj(j);
}

static void config_json(json_out *j, const report_inputs *in)
{
    const cost_config *c = in->config;
    json_str(j, "model", in->model->name);
    json_str(j, "gpu", in->gpu->name);
    if (in->workload)
        json_str(j, "workload", in->workload->name);
    json_obj(j, "config");
    json_int(j, "tp", c->tp);
    json_int(j, "ep", c->ep);
    json_int(j, "pp", c->pp);
    json_int(j, "batch", c->batch);
    json_int(j, "replicas", c->replicas);
    json_int(j, "sm_comm", c->sm_comm);
    json_num(j, "freq_mhz", c->freq_mhz > 0 ? c->freq_mhz : in->gpu->max_mhz);
    json_int(j, "prompt_tokens", c->prompt);
    json_int(j, "output_tokens", c->output);
    json_str(j, "dtype", llm_dtype_names[c->wdtype]);
    json_str(j, "kv_dtype", llm_dtype_names[c->kvdtype]);
    json_num(j, "power_cap_w", c->power_cap_w > 0 ? c->power_cap_w : in->gpu->tdp_w);
    json_bool(j, "fused_attention", !c->unfused_attention);
    json_bool(j, "fused_gate_up", !c->unfused_gate_up);
    if (c->serving) {
        json_str(j, "serving", c->serving->name);
        json_bool(j, "chunked_prefill", c->chunk_tokens > 0 || c->serving->chunked_prefill);
        json_int(j, "chunk_tokens", c->chunk_tokens > 0 ? c->chunk_tokens
                                                        : c->serving->max_num_batched_tokens);
    }
    json_str(j, "kv", c->kv_paged ? "paged" : "reserve");
    json_int(j, "replicas_per_gpu", c->replicas_per_gpu > 1 ? c->replicas_per_gpu : 1);
    if (c->rate_rps > 0)
        json_num(j, "rate_rps", c->rate_rps);
    json_end_obj(j);
}

/* The SLO verdict on the latency each SLO is judged on (search_slo_ttft/tpot: the workload's
 * percentile, under load when there is a rate; an overloaded replica misses both). */
static void slo_verdict(FILE *f, const llm_workload *w, const cost_metrics *m)
{
    const char *src = m->overloaded ? "overloaded" : m->utilisation < 1 ? "under load"
                                                                          : "saturated";
    double t = search_slo_ttft(w, m), p = search_slo_tpot(w, m);
    char tv[32], pv[32];
    if (m->overloaded) {
        snprintf(tv, sizeof tv, "unbounded");
        snprintf(pv, sizeof pv, "unbounded");
    } else {
        snprintf(tv, sizeof tv, "%.4f s", t);
        snprintf(pv, sizeof pv, "%.5f s", p);
    }
    fprintf(f, "  %-28s TTFT %s %s %s vs %.3g s: %s; TPOT %s %s vs %.3g s: %s\n", "SLO",
            llm_slo_pct_names[w->ttft_slo_pct], src, tv, w->ttft_slo_s,
            t <= w->ttft_slo_s ? "meets" : "misses", llm_slo_pct_names[w->tpot_slo_pct], pv,
            w->tpot_slo_s, p <= w->tpot_slo_s ? "meets" : "misses");
}

/* eval's JSON object. */
static void eval_json(FILE *f, const report_inputs *in, const cost_metrics *m)
{
    const llm_workload *w = in->workload;
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    config_json(&j, in);
    cost_metric_bands bd;
    if (in->bands)
        cost_metrics_bands(in->bands, cost_band_regime(in->gpu, in->config->serving), m,
                           POWER_CAP(in), &bd);
#define B(x) (in->bands ? &bd.x : NULL)
    if (in->bands)
        uncertainty_json(&j, in);
    json_bool(&j, "fits", m->fits);
    json_int(&j, "gpus", m->gpus);
    json_num(&j, "memory_per_gpu_gib", m->memory_per_gpu_gib);
    json_obj(&j, "memory");
    json_num(&j, "weights_gib", m->mem.weights_gib);
    json_num(&j, "kv_cache_gib", m->mem.kv_gib);
    json_num(&j, "activations_gib", m->mem.act_gib);
    json_num(&j, "reserved_gib", m->mem.reserved_gib);
    json_num(&j, "capacity_gib", in->gpu->mem_gib);
    json_end_obj(&j);
    json_int(&j, "max_batch", m->max_batch);
    json_banded(&j, "ttft_s", m->ttft_s, B(ttft));
    json_banded(&j, "tpot_s", m->tpot_s, B(tpot));
    json_banded(&j, "tpot_with_prefill_s", m->tpot_with_prefill_s, B(tpot_with_prefill));
    json_banded(&j, "throughput_tok_s", m->throughput_tok_s, B(throughput));
    json_banded(&j, "throughput_per_gpu_tok_s", m->throughput_per_gpu, B(throughput_per_gpu));
    json_banded(&j, "energy_per_token_j", m->energy_per_token_j, B(energy_per_token));
    json_banded(&j, "prefill_energy_j", m->prefill_energy_j, B(prefill_energy));
    json_banded(&j, "decode_energy_per_token_j", m->decode_energy_per_token_j, B(decode_energy));
    json_banded(&j, "avg_power_w", m->avg_power_w, B(avg_power));
    json_banded(&j, "peak_power_w", m->peak_power_w, B(peak_power));
    json_num(&j, "effective_freq_mhz", m->effective_freq_mhz);
    json_num(&j, "prefill_freq_mhz", m->prefill_freq_mhz);
    json_bool(&j, "power_cap_met", m->power_cap_met);
    if (in->gpu->price_per_hour > 0)
        json_banded(&j, "cost_per_mtok_usd", m->cost_per_mtok, B(cost_per_mtok));
    json_obj(&j, "serving");
    json_int(&j, "running_batch", m->running_batch);
    json_num(&j, "kv_pool_gib", m->mem.kv_pool_gib);
    json_num(&j, "step_overhead_s", m->step_overhead_s);
    json_num(&j, "prefill_tokens_per_step", m->prefill_tokens_per_step);
    json_num(&j, "ttft_steps", m->ttft_steps);
    json_num(&j, "cycle_s", m->cycle_s);
    json_num(&j, "capacity_rps", m->capacity_rps);
    json_num(&j, "utilisation", m->utilisation);
    json_bool(&j, "overloaded", m->overloaded);
    if (!m->overloaded) {
        json_banded(&j, "ttft_p50_s", m->ttft_p50_s, B(ttft_p50));
        json_banded(&j, "ttft_p90_s", m->ttft_p90_s, B(ttft_p90));
        json_banded(&j, "ttft_p99_s", m->ttft_p99_s, B(ttft_p99));
        json_banded(&j, "tpot_p50_s", m->tpot_p50_s, B(tpot_p50));
        json_banded(&j, "tpot_p90_s", m->tpot_p90_s, B(tpot_p90));
        json_banded(&j, "tpot_p99_s", m->tpot_p99_s, B(tpot_p99));
    }
    json_end_obj(&j);
    if (m->advised_batch > 0) {
        json_obj(&j, "batch_advice");
        json_int(&j, "batch", m->advised_batch);
        json_num(&j, "plateau_throughput_per_gpu_tok_s", m->advised_plateau_tok_s);
        json_num(&j, "memory_freed_gib", m->advised_freed_gib);
        json_end_obj(&j);
    }
    if (w) {
        json_obj(&j, "slo");
        json_num(&j, "ttft_s", w->ttft_slo_s);
        json_num(&j, "tpot_s", w->tpot_slo_s);
        json_str(&j, "ttft_percentile", llm_slo_pct_names[w->ttft_slo_pct]);
        json_str(&j, "tpot_percentile", llm_slo_pct_names[w->tpot_slo_pct]);
        json_bool(&j, "ttft_met", search_slo_ttft(w, m) <= w->ttft_slo_s);
        json_bool(&j, "tpot_met", search_slo_tpot(w, m) <= w->tpot_slo_s);
        json_end_obj(&j);
    }
    json_end_obj(&j);
    json_finish(&j);
#undef B
}

/* eval's text. */
static void eval_text(FILE *f, const report_inputs *in, const cost_metrics *m)
{
    const llm_workload *w = in->workload;
    const cost_config *c = in->config;
    cost_metric_bands bd;
    char tb[96];
    if (in->bands)
        cost_metrics_bands(in->bands, cost_band_regime(in->gpu, c->serving), m, POWER_CAP(in),
                           &bd);
#define TB(fmt, x, sc) text_band(tb, sizeof tb, fmt, in->bands ? &bd.x : NULL, sc)
    char ppb[32] = "";
    if (c->pp > 1)
        snprintf(ppb, sizeof ppb, ", pp %d", c->pp);
    fprintf(f, "%s on %s: tp %d, ep %d%s, batch %d, replicas %d, sm-comm %d, %s weights, %s "
            "KV\n", in->model->name, in->gpu->name, c->tp, c->ep, ppb, c->batch, c->replicas,
            c->sm_comm, llm_dtype_names[c->wdtype], llm_dtype_names[c->kvdtype]);
    fprintf(f, "request: %d prompt + %d output tokens%s%s\n", c->prompt, c->output,
            w ? ", workload " : "", w ? w->name : "");
    fprintf(f, "  %-28s %s\n", "fits in memory", m->fits ? "yes" :
            "NO: the numbers below are what it would do if it fit, not a deployment (more GPUs "
            "per replica with --tp or --pp, a smaller batch or fp8 may fit it)");
    fprintf(f, "  %-28s %d\n", "GPUs", m->gpus);
    fprintf(f, "  %-28s %.2f GiB of %.2f (%sweights %.2f, KV %.2f, activations %.2f, "
            "reserved %.2f)\n", "memory per GPU", m->memory_per_gpu_gib, in->gpu->mem_gib,
            c->replicas_per_gpu > 1 ? "each of its replicas: " : "", m->mem.weights_gib,
            m->mem.kv_gib, m->mem.act_gib, m->mem.reserved_gib);
    fprintf(f, "  %-28s %d\n", "largest batch that fits", m->max_batch);
    fprintf(f, "  %-28s %.4f s%s\n", "TTFT", m->ttft_s, TB("%.4f", ttft, 1));
    fprintf(f, "  %-28s %.5f s%s\n", "TPOT", m->tpot_s, TB("%.5f", tpot, 1));
    fprintf(f, "  %-28s %.5f s%s\n", "TPOT with prefill stalls", m->tpot_with_prefill_s,
            TB("%.5f", tpot_with_prefill, 1));
    if (w)
        slo_verdict(f, w, m);
    fprintf(f, "  %-28s %.1f tok/s%s (%.1f per GPU)\n", "throughput", m->throughput_tok_s,
            TB("%.1f", throughput, 1), m->throughput_per_gpu);
    fprintf(f, "  %-28s %.4f J%s (prefill %.2f J/request, decode %.4f J/token)\n",
            "energy per output token", m->energy_per_token_j, TB("%.4f", energy_per_token, 1),
            m->prefill_energy_j, m->decode_energy_per_token_j);
    fprintf(f, "  %-28s %.1f W%s average, %.1f W in the more demanding phase\n",
            "power per GPU", m->avg_power_w, TB("%.1f", avg_power, 1), m->peak_power_w);
    fprintf(f, "  %-28s %.0f MHz decode, %.0f MHz prefill%s\n", "SM clock",
            m->effective_freq_mhz, m->prefill_freq_mhz,
            m->power_cap_met ? "" : "  (power cap not met even at the lowest clock)");
    if (in->gpu->price_per_hour > 0)
        fprintf(f, "  %-28s %.3f USD%s\n", "cost per million tokens", m->cost_per_mtok,
                TB("%.3f", cost_per_mtok, 1));
    if (c->serving)
        fprintf(f, "  %-28s %s, %s prefill (budget %d tokens), %s KV, %d replica%s per GPU\n",
                "serving", c->serving->name,
                c->chunk_tokens > 0 || c->serving->chunked_prefill ? "chunked" : "batched",
                c->chunk_tokens > 0 ? c->chunk_tokens : c->serving->max_num_batched_tokens,
                c->kv_paged ? "paged" : "reserved", m->gpus && c->replicas_per_gpu > 1
                ? c->replicas_per_gpu : 1, c->replicas_per_gpu > 1 ? "s" : "");
    fprintf(f, "  %-28s %d of %d (KV pool %.2f GiB)\n", "running batch", m->running_batch,
            c->batch, m->mem.kv_pool_gib);
    fprintf(f, "  %-28s %.5f s per decode step; TTFT over %.0f step%s\n", "CPU overhead",
            m->step_overhead_s, m->ttft_steps, m->ttft_steps == 1 ? "" : "s");
    if (c->rate_rps > 0) {
        if (m->overloaded)
            fprintf(f, "  %-28s %.3f req/s offered, capacity %.3f req/s: OVERLOADED (the "
                    "queue grows without bound)\n", "load", c->rate_rps, m->capacity_rps);
        else {
            fprintf(f, "  %-28s %.3f req/s offered, capacity %.3f req/s, utilisation %.3f\n",
                    "load", c->rate_rps, m->capacity_rps, m->utilisation);
            fprintf(f, "  %-28s p50 %.4f s, p90 %.4f s, p99 %.4f s%s\n", "TTFT under load",
                    m->ttft_p50_s, m->ttft_p90_s, m->ttft_p99_s, TB("%.4f", ttft_p99, 1));
            fprintf(f, "  %-28s p50 %.5f s, p90 %.5f s, p99 %.5f s%s\n", "TPOT under load",
                    m->tpot_p50_s, m->tpot_p90_s, m->tpot_p99_s, TB("%.5f", tpot_p99, 1));
        }
    } else {
        fprintf(f, "  %-28s %.3f req/s per replica when saturated\n", "capacity",
                m->capacity_rps);
    }
    if (m->advised_batch > 0)
        fprintf(f, "  %-28s batch %d reaches 95%% of the plateau (%.1f tok/s per GPU), "
                "freeing %.2f GiB per GPU\n", "batch advice", m->advised_batch,
                m->advised_plateau_tok_s, m->advised_freed_gib);
    if (in->bands) {
        llm_band_regime rg = cost_band_regime(in->gpu, c->serving);
        const llm_band *e = in->bands->e2e[rg];
        fprintf(f, "  %-28s in parentheses, the 80%% band: a measurement falls inside 8 times in "
                "10 (the model's out-of-fit errors, regime %s; for the load lines, of the p99). "
                "Here that is x%.2f-x%.2f of the value for energy, x%.2f-x%.2f for power (at "
                "most the %.0f W limit), x%.2f-x%.2f for TPOT, x%.2f-x%.2f for TTFT, "
                "x%.2f-x%.2f for throughput: a band above its value means the model reads low "
                "there. Calibration of %s:\n", "uncertainty", llm_band_regime_names[rg],
                exp(e[LLM_BAND_ENERGY].q10), exp(e[LLM_BAND_ENERGY].q90),
                exp(e[LLM_BAND_POWER].q10), exp(e[LLM_BAND_POWER].q90), POWER_CAP(in),
                exp(e[LLM_BAND_TPOT].q10), exp(e[LLM_BAND_TPOT].q90),
                exp(e[LLM_BAND_TTFT].q10), exp(e[LLM_BAND_TTFT].q90),
                exp(e[LLM_BAND_THROUGHPUT].q10), exp(e[LLM_BAND_THROUGHPUT].q90), in->gpu->name);
        report_coverage_text(f, in->gpu, "    ");
    }
#undef TB
}

void report_eval(FILE *f, report_format fmt, const report_inputs *in, const cost_metrics *m)
{
    if (fmt == FMT_JSON)
        eval_json(f, in, m);
    else
        eval_text(f, in, m);
}

/* Index sizes an op's einsum uses, for display. */
static void op_dims(const cost_op *op, char *buf, size_t len)
{
    switch (op->kind) {
    case KIND_GEMM:
        snprintf(buf, len, "m=%.0f n=%.0f k=%.0f%s", op->m, op->n, op->k,
                 op->groups > 1 ? " x2" : "");
        break;
    case KIND_EXPERTS:
        snprintf(buf, len, "experts=%.1f m=%.1f d=%.0f f=%.0f", op->groups, op->m, op->k,
                 op->n2);
        break;
    case KIND_ATTN:
        snprintf(buf, len, "b=%.0f h=%.0f g=%.0f x=%.0f s=%.0f c=%.0f", op->attn.b, op->attn.hq,
                 op->attn.hkv, op->attn.dh, op->attn.sq, op->attn.skv);
        break;
    case KIND_ELEM:
        snprintf(buf, len, "bytes=%.0f", op->elem_bytes);
        break;
    case KIND_COLL:
        snprintf(buf, len, "%s ranks=%d bytes=%.0f", llm_coll_names[op->coll], op->ranks,
                 op->coll_bytes);
        break;
    }
}

void report_ops(FILE *f, report_format fmt, const report_inputs *in, cost_phase ph,
                const cost_layer *L, double mhz)
{
    const llm_gpu *g = in->gpu;
    int layers = cost_stage_layers(in->model, in->config->pp); /* one stage's (eq. 60) */
    cost_op_cost oc[OP_COUNT];
    double lt = 0, le = 0, lf = 0, lb = 0, mt = 0, me = 0, mf = 0, mb = 0;
    for (int i = 0; i < L->n; i++) {
        cost_op_eval(g, &L->op[i], mhz, cost_op_sms(g, &L->op[i], in->config->sm_comm), &oc[i]);
        int cnt = L->op[i].per_layer ? layers : 1;
        if (L->op[i].per_layer) {
            lt += oc[i].time_s; le += oc[i].energy_j;
            lf += oc[i].k.flops; lb += oc[i].k.bytes;
        }
        mt += cnt * oc[i].time_s; me += cnt * oc[i].energy_j;
        mf += cnt * oc[i].k.flops; mb += cnt * oc[i].k.bytes;
    }
    char dims[128];
    const llm_bands *bands = in->bands;
    cost_interval bt[OP_COUNT], bp[OP_COUNT], be[OP_COUNT];
    for (int i = 0; bands && i < L->n; i++) {
        llm_cov_class c = cost_kernel_class(L->op[i].kind, oc[i].k.bound);
        bt[i] = cost_kernel_band(bands, g, c, oc[i].time_s);
        bp[i] = cost_kernel_band(bands, g, LLM_COV_POWER, oc[i].power_w);
        be[i] = cost_kernel_energy_band(bands, g, c, oc[i].energy_j);
    }
    if (fmt == FMT_JSON) {
        json_out j;
        json_begin(&j, f, 1);
        json_obj(&j, NULL);
        config_json(&j, in);
        json_str(&j, "phase", ph == PHASE_PREFILL ? "prefill" : "decode");
        json_num(&j, "freq_mhz", mhz);
        json_arr(&j, "ops");
        for (int i = 0; i < L->n; i++) {
            const cost_op *op = &L->op[i];
            op_dims(op, dims, sizeof dims);
            json_obj(&j, NULL);
            json_str(&j, "name", cost_op_names[op->id]);
            json_str(&j, "einsum", op->einsum);
            json_str(&j, "dims", dims);
            json_int(&j, "count", op->per_layer ? layers : 1);
            json_num(&j, "flops", oc[i].k.flops);
            json_num(&j, "bytes", oc[i].k.bytes);
            json_banded(&j, "time_s", oc[i].time_s, bands ? &bt[i] : NULL);
            json_banded(&j, "energy_j", oc[i].energy_j, bands ? &be[i] : NULL);
            json_banded(&j, "power_w", oc[i].power_w, bands ? &bp[i] : NULL);
            json_str(&j, "bound", cost_bound_names[oc[i].k.bound]);
            if (bands)
                json_str(&j, "band_class",
                         llm_cov_class_names[cost_kernel_class(op->kind, oc[i].k.bound)]);
            json_end_obj(&j);
        }
        json_end_arr(&j);
        json_obj(&j, "layer_total");
        json_num(&j, "flops", lf); json_num(&j, "bytes", lb);
        json_num(&j, "time_s", lt); json_num(&j, "energy_j", le);
        json_end_obj(&j);
        if (bands)
            report_coverage_json(&j, g);
        json_obj(&j, "model_total");
        json_num(&j, "flops", mf); json_num(&j, "bytes", mb);
        json_num(&j, "time_s", mt); json_num(&j, "energy_j", me);
        json_end_obj(&j);
        json_end_obj(&j);
        json_finish(&j);
        return;
    }
    if (fmt == FMT_CSV) {
        fprintf(f, "name,count,einsum,dims,flops,bytes,time_s,energy_j,power_w,bound%s\n",
                bands ? ",time_s_lo,time_s_hi,energy_j_lo,energy_j_hi,power_w_lo,power_w_hi"
                      : "");
        for (int i = 0; i < L->n; i++) {
            const cost_op *op = &L->op[i];
            op_dims(op, dims, sizeof dims);
            fprintf(f, "%s,%d,\"%s\",\"%s\",%.9g,%.9g,%.9g,%.9g,%.9g,%s",
                    cost_op_names[op->id], op->per_layer ? layers : 1, op->einsum, dims,
                    oc[i].k.flops, oc[i].k.bytes, oc[i].time_s, oc[i].energy_j, oc[i].power_w,
                    cost_bound_names[oc[i].k.bound]);
            if (bands)
                fprintf(f, ",%.9g,%.9g,%.9g,%.9g,%.9g,%.9g", bt[i].lo, bt[i].hi, be[i].lo,
                        be[i].hi, bp[i].lo, bp[i].hi);
            fputc('\n', f);
        }
        fprintf(f, "layer_total,1,,,%.9g,%.9g,%.9g,%.9g,,%s\n", lf, lb, lt, le,
                bands ? ",,,,,," : "");
        fprintf(f, "model_total,1,,,%.9g,%.9g,%.9g,%.9g,,%s\n", mf, mb, mt, me,
                bands ? ",,,,,," : "");
        return;
    }
    fprintf(f, "%s on %s, %s, one GPU of tp %d x ep %d, %.0f MHz", in->model->name, g->name,
            ph == PHASE_PREFILL ? "prefill" : "decode", L->tp, L->ep, mhz);
    if (L->pp > 1)
        fprintf(f, ", one micro-batch on one of %d pipeline stages (%d layers)", L->pp, layers);
    if (in->config->sm_comm > 0)
        fprintf(f, ", %d of %d SMs for communication", in->config->sm_comm, g->sm_count);
    fputc('\n', f);
    fprintf(f, "%-15s %5s %-38s %11s %11s %11s %10s %7s %-8s%s\n", "op", "count", "einsum",
            "GFLOP", "MB", "time us", "energy mJ", "power W", "bound",
            bands ? " time us, 80% band" : "");
    for (int i = 0; i < L->n; i++) {
        const cost_op *op = &L->op[i];
        fprintf(f, "%-15s %5d %-38.38s %11.3f %11.3f %11.2f %10.3f %7.1f %-8s",
                cost_op_names[op->id], op->per_layer ? layers : 1, op->einsum,
                oc[i].k.flops / 1e9, oc[i].k.bytes / 1e6, oc[i].time_s * 1e6,
                oc[i].energy_j * 1e3, oc[i].power_w, cost_bound_names[oc[i].k.bound]);
        if (bands)
            fprintf(f, " %.2f-%.2f (%s)", bt[i].lo * 1e6, bt[i].hi * 1e6,
                    llm_cov_class_names[cost_kernel_class(op->kind, oc[i].k.bound)]);
        fputc('\n', f);
    }
    fprintf(f, "%-15s %5s %-38s %11.3f %11.3f %11.2f %10.3f\n", "layer total", "", "", lf / 1e9,
            lb / 1e6, lt * 1e6, le * 1e3);
    fprintf(f, "%-15s %5s %-38s %11.3f %11.3f %11.2f %10.3f\n", "model total", "", "",
            mf / 1e9, mb / 1e6, mt * 1e6, me * 1e3);
    if (bands) {
        fprintf(f, "80%% bands by kernel class (eq. 54; power is the demand at this clock, "
                "before any power limit); calibration of %s:\n", g->name);
        report_coverage_text(f, g, "  ");
    }
}

void report_kernel(FILE *f, report_format fmt, const char *what, const llm_gpu *g,
                   const cost_kernel *k, cost_kind kind, double mhz, double sms,
                   const llm_bands *b)
{
    double p = cost_kernel_power(g, k, mhz);
    double t = k->time_s;
    llm_cov_class cls = cost_kernel_class(kind, k->bound);
    cost_interval bt = {t, t}, bp = {p, p}, be = {p * t, p * t};
    if (b) {
        bt = cost_kernel_band(b, g, cls, t);
        bp = cost_kernel_band(b, g, LLM_COV_POWER, p);   /* at this clock, uncapped as p */
        be = cost_kernel_energy_band(b, g, cls, p * t);
    }
    const cost_interval *Bt = b ? &bt : NULL, *Bp = b ? &bp : NULL, *Be = b ? &be : NULL;
    char tb[96], pb[96], eb[96];
    double tflops = t > 0 ? k->flops / t / 1e12 : 0;
    double gbs = t > 0 ? (k->link_bytes > 0 ? k->link_bytes : k->bytes) / t / 1e9 : 0;
    if (fmt == FMT_JSON) {
        json_out j;
        json_begin(&j, f, 1);
        json_obj(&j, NULL);
        json_str(&j, "kernel", what);
        json_str(&j, "gpu", g->name);
        json_num(&j, "freq_mhz", mhz);
        json_num(&j, "sms", sms);
        json_banded(&j, "time_s", t, Bt);
        json_banded(&j, "energy_j", p * t, Be);
        json_banded(&j, "power_w", p, Bp);
        if (b) {
            json_obj(&j, "uncertainty");
            json_str(&j, "band", "80% interval from out-of-fit residuals (docs/calibration.md)");
            json_str(&j, "class", llm_cov_class_names[cls]);
            json_str(&j, "coverage", llm_cov_level_names[g->coverage[cls]]);
            json_str(&j, "power_coverage", llm_cov_level_names[g->coverage[LLM_COV_POWER]]);
            json_end_obj(&j);
        }
        json_num(&j, "flops", k->flops);
        json_num(&j, "bytes", k->bytes);
        json_num(&j, "tflops", tflops);
        json_num(&j, k->link_bytes > 0 ? "busbw_gbs" : "dram_gbs", gbs);
        json_str(&j, "bound", cost_bound_names[k->bound]);
        json_end_obj(&j);
        json_finish(&j);
        return;
    }
    fprintf(f, "%s on %s (%.0f SMs at %.0f MHz)\n", what, g->name, sms, mhz);
    fprintf(f, "  time        %.3f us%s\n", t * 1e6, text_band(tb, sizeof tb, "%.3f", Bt, 1e6));
    fprintf(f, "  energy      %.6f J%s at %.1f W%s\n", p * t,
            text_band(eb, sizeof eb, "%.6f", Be, 1), p, text_band(pb, sizeof pb, "%.1f", Bp, 1));
    if (k->flops > 0)
        fprintf(f, "  achieved    %.1f TFLOP/s\n", tflops);
    fprintf(f, "  %-11s %.1f GB/s\n", k->link_bytes > 0 ? "bus bw" : "DRAM bw", gbs);
    fprintf(f, "  bound       %s\n", cost_bound_names[k->bound]);
    if (p > g->tdp_w)
        fprintf(f, "  note        %.0f W is the demand at %.0f MHz, over the %.0f W TDP: the "
                "power limiter would lower the clock (eval applies it)\n", p, mhz, g->tdp_w);
    if (b) {
        fprintf(f, "  uncertainty 80%% bands in parentheses: %s %s", llm_cov_class_names[cls],
                llm_cov_level_names[g->coverage[cls]]);
        if (g->coverage[cls] == LLM_COV_TRANSFERRED)
            fprintf(f, " from %s", g->coverage_from[cls]);
        fprintf(f, ", power %s", llm_cov_level_names[g->coverage[LLM_COV_POWER]]);
        if (g->coverage[LLM_COV_POWER] == LLM_COV_TRANSFERRED)
            fprintf(f, " from %s", g->coverage_from[LLM_COV_POWER]);
        fprintf(f, " (%s)\n", g->name);
    }
}
