/* validate/compare.c — what the model predicts for each measured kernel, and the error
 * (docs/validate.md, "Compare"). The byte and FLOP counts here are those of the runner's own
 * kernels (validate/runner.cu), which use bf16 tensors. */
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double validate_clock(const llm_gpu *g, const vmeas *m)
{
    if (m->sm_clock_mhz > 0)
        return m->sm_clock_mhz;
    if (m->r.freq_mhz > 0)
        return m->r.freq_mhz;
    return g->max_mhz;
}

static double dyn_energy(const llm_gpu *g, const cost_kernel *k, double mhz)
{
    return (cost_kernel_power(g, k, mhz) - cost_base_power(g, mhz)) * k->time_s;
}

void validate_predict(const llm_gpu *g, const vrow *r, double mhz, vpred *p)
{
    memset(p, 0, sizeof *p);
    double sms = r->sms > 0 && r->sms < g->sm_count ? r->sms : g->sm_count;
    double mn = r->m * r->n;
    cost_kernel k = {0};
    switch (r->kind) {
    case VK_GEMM: {
        int fp8 = r->dtype == LLM_FP8;
        double eb = fp8 ? 1 : 2;
        cost_gemm(g, &(cost_gemm_shape){r->m, r->n, r->k, r->batch > 0 ? r->batch : 1, eb, eb, 2,
                  fp8}, mhz, sms, &k);
        break;
    }
    case VK_COPY:     cost_elementwise(g, 2 * r->bytes, 0, 1, mhz, sms, &k); break;
    case VK_NORM:     cost_elementwise(g, 2 * mn * 2, 4 * mn, 1, mhz, sms, &k); break;
    case VK_ACT:      cost_elementwise(g, 3 * mn * 2, 8 * mn, 1, mhz, sms, &k); break;
    case VK_ROPE:     cost_elementwise(g, 2 * mn * 2, 6 * mn, 1, mhz, sms, &k); break;
    case VK_RESIDUAL: cost_elementwise(g, 3 * mn * 2, mn, 1, mhz, sms, &k); break;
    case VK_ATTN_DECODE:
    case VK_ATTN_PREFILL_UNFUSED: {
        int decode = r->kind == VK_ATTN_DECODE;
        cost_attn_shape s = {r->batch, r->heads, r->kv_heads, r->head_dim,
                             decode ? 1 : r->seq, decode ? r->ctx : r->seq, 2, 2, decode};
        cost_attention(g, &s, mhz, sms, &k);
        break;
    }
    case VK_OVERLAP: {
        /* a GEMM on S - N SMs and a copy on N SMs started together: each at its own pace,
         * both within the DRAM bandwidth (eq. 17 without the nano-batch pipeline term) */
        cost_kernel a, b, dram;
        cost_gemm(g, &(cost_gemm_shape){r->m, r->n, r->k, 1, 2, 2, 2, 0}, mhz, sms, &a);
        cost_elementwise(g, 2 * r->bytes, 0, 1, mhz, r->sm_comm > 0 ? r->sm_comm : 1, &b);
        cost_elementwise(g, a.bytes + b.bytes, 0, 0, mhz, g->sm_count, &dram);
        p->alone_a_s = a.time_s;
        p->alone_b_s = b.time_s;
        p->time_s = fmax(fmax(a.time_s, b.time_s), dram.time_s);
        p->power_w = cost_base_power(g, mhz) +
                     (dyn_energy(g, &a, mhz) + dyn_energy(g, &b, mhz)) / p->time_s;
        return;
    }
    case VK_COUNT:
        break;
    }
    p->time_s = k.time_s;
    p->power_w = cost_kernel_power(g, &k, mhz);
}

static double rel(double pred, double meas) { return fabs(pred - meas) / meas; }

void validate_compare(const llm_gpu *g, const vfile *f, vsummary *s)
{
    memset(s, 0, sizeof *s);
    double *err = calloc(f->n ? f->n : 1, sizeof *err);
    double sum_t = 0, sum_p = 0;
    int n_p = 0;
    double cls_t[64] = {0}, cls_p[64] = {0};
    for (size_t i = 0; i < f->n; i++) {
        const vmeas *m = &f->rows[i];
        if (!m->ok)
            continue;
        vpred p;
        validate_predict(g, &m->r, validate_clock(g, m), &p);
        double et = rel(p.time_s, m->time_s);
        if (err)
            err[i] = et;
        int c = 0;
        while (c < s->ncls && strcmp(s->cls[c].klass, m->r.klass))
            c++;
        if (c == s->ncls && s->ncls < 64)
            snprintf(s->cls[s->ncls++].klass, sizeof s->cls[0].klass, "%s", m->r.klass);
        if (c < 64) {
            s->cls[c].n++;
            cls_t[c] += et;
        }
        sum_t += et;
        s->n++;
        if (m->power_w > 0) {
            double ep = rel(p.power_w, m->power_w);
            sum_p += ep;
            n_p++;
            if (c < 64) {
                cls_p[c] += ep;
                s->cls[c].n_power++;
            }
        }
    }
    s->mape_time = s->n ? 100 * sum_t / s->n : 0;
    s->mape_power = n_p ? 100 * sum_p / n_p : 0;
    for (int c = 0; c < s->ncls; c++) {
        s->cls[c].mape_time = s->cls[c].n ? 100 * cls_t[c] / s->cls[c].n : 0;
        s->cls[c].mape_power = s->cls[c].n_power ? 100 * cls_p[c] / s->cls[c].n_power : 0;
    }
    /* worst cases: a partial selection of the ten largest time errors */
    for (int w = 0; w < 10 && err; w++) {
        size_t best = f->n;
        for (size_t i = 0; i < f->n; i++) {
            int taken = 0;
            for (int j = 0; j < s->nworst; j++)
                taken |= s->worst[j] == i;
            if (f->rows[i].ok && !taken && (best == f->n || err[i] > err[best]))
                best = i;
        }
        if (best == f->n)
            break;
        s->worst[s->nworst++] = best;
    }
    free(err);
}

static void shape(const vrow *r, char *buf, size_t len)
{
    switch (r->kind) {
    case VK_GEMM:
        snprintf(buf, len, "%.0fx%.0fx%.0f%s %s%s", r->m, r->n, r->k,
                 r->batch > 1 ? " batched" : "", llm_dtype_names[r->dtype],
                 r->sms ? " (SM-limited)" : "");
        break;
    case VK_COPY: snprintf(buf, len, "%.0f bytes on %d SMs", r->bytes, r->sms); break;
    case VK_ATTN_DECODE:
        snprintf(buf, len, "b %.0f h %.0f/%.0f ctx %.0f", r->batch, r->heads, r->kv_heads, r->ctx);
        break;
    case VK_ATTN_PREFILL_UNFUSED:
        snprintf(buf, len, "b %.0f h %.0f/%.0f seq %.0f", r->batch, r->heads, r->kv_heads, r->seq);
        break;
    case VK_OVERLAP:
        snprintf(buf, len, "gemm %.0f^3 + copy %.0f B, %d comm SMs", r->m, r->bytes, r->sm_comm);
        break;
    default: snprintf(buf, len, "%.0f x %.0f", r->m, r->n); break;
    }
}

void validate_report_md(FILE *out, const llm_gpu *g, const vfile *f, const vsummary *s)
{
    fprintf(out, "# Model vs measured: %s\n\nMeasured on %s (driver %s, CUDA %s) on %s; clocks: "
                 "%s.\n\n", g->name, f->gpu_name[0] ? f->gpu_name : "?", f->driver, f->cuda,
            f->date, f->clocks[0] ? f->clocks : "not recorded");
    fprintf(out, "%zu kernels compared: time MAPE %.1f%%", s->n, s->mape_time);
    if (s->mape_power > 0)
        fprintf(out, ", power MAPE %.1f%%", s->mape_power);
    fprintf(out, ".\n\n| class | kernels | time MAPE | power MAPE |\n|---|---|---|---|\n");
    for (int c = 0; c < s->ncls; c++) {
        fprintf(out, "| %s | %d | %.1f%% | ", s->cls[c].klass, s->cls[c].n,
                s->cls[c].mape_time);
        if (s->cls[c].n_power)
            fprintf(out, "%.1f%% (%d) |\n", s->cls[c].mape_power, s->cls[c].n_power);
        else
            fputs("- |\n", out);
    }
    fprintf(out, "\n## Worst cases\n\n| id | kind | shape | clock MHz | measured us | predicted "
                 "us | error |\n|---|---|---|---|---|---|---|\n");
    for (int w = 0; w < s->nworst; w++) {
        const vmeas *m = &f->rows[s->worst[w]];
        vpred p;
        double mhz = validate_clock(g, m);
        validate_predict(g, &m->r, mhz, &p);
        char sh[96];
        shape(&m->r, sh, sizeof sh);
        fprintf(out, "| %d | %s | %s | %.0f | %.2f | %.2f | %+.1f%% |\n", m->r.id,
                vkind_names[m->r.kind], sh, mhz, m->time_s * 1e6, p.time_s * 1e6,
                100 * (p.time_s - m->time_s) / m->time_s);
    }
}

void validate_report_json(FILE *out, const llm_gpu *g, const vfile *f, const vsummary *s)
{
    json_out j;
    json_begin(&j, out, 1);
    json_obj(&j, NULL);
    json_str(&j, "gpu", g->name);
    json_str(&j, "measured_on", f->gpu_name);
    json_str(&j, "driver", f->driver);
    json_str(&j, "cuda", f->cuda);
    json_str(&j, "date", f->date);
    json_str(&j, "clocks", f->clocks);
    json_int(&j, "kernels", (long long)s->n);
    json_num(&j, "mape_time_pct", s->mape_time);
    json_num(&j, "mape_power_pct", s->mape_power);
    json_arr(&j, "classes");
    for (int c = 0; c < s->ncls; c++) {
        json_obj(&j, NULL);
        json_str(&j, "class", s->cls[c].klass);
        json_int(&j, "kernels", s->cls[c].n);
        json_num(&j, "mape_time_pct", s->cls[c].mape_time);
        json_int(&j, "kernels_with_power", s->cls[c].n_power);
        json_num(&j, "mape_power_pct", s->cls[c].mape_power);
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_arr(&j, "rows");
    for (size_t i = 0; i < f->n; i++) {
        const vmeas *m = &f->rows[i];
        json_obj(&j, NULL);
        json_int(&j, "id", m->r.id);
        json_str(&j, "kind", vkind_names[m->r.kind]);
        json_str(&j, "class", m->r.klass);
        json_str(&j, "status", m->status);
        if (m->ok) {
            vpred p;
            double mhz = validate_clock(g, m);
            validate_predict(g, &m->r, mhz, &p);
            json_num(&j, "clock_mhz", mhz);
            json_num(&j, "measured_s", m->time_s);
            json_num(&j, "predicted_s", p.time_s);
            json_num(&j, "error_pct", 100 * (p.time_s - m->time_s) / m->time_s);
            if (m->power_w > 0) {
                json_num(&j, "measured_w", m->power_w);
                json_num(&j, "predicted_w", p.power_w);
            }
        }
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_end_obj(&j);
    json_finish(&j);
}
