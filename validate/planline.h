/* validate/planline.h — one line of a plan file (docs/validate.md, "Plans"), parsed the same way
 * by the CUDA runner (validate/runner.cu, compiled as C++ by nvcc) and by the tests and fuzz
 * harness on the CPU. Header-only, C and C++. */
#ifndef LLMDSE_PLANLINE_H
#define LLMDSE_PLANLINE_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PLAN_COLUMNS "id,kind,class,dtype,m,n,k,batch,heads,kv_heads,head_dim,seq,ctx,bytes," \
                     "sms,sm_comm,freq_mhz,repeats"

struct plan_line {
    int id;
    char kind[32], klass[32], dtype[8];
    double m, n, k, batch, heads, kv_heads, head_dim, seq, ctx, bytes;
    int sms, sm_comm;
    double freq_mhz;
    int repeats;
};

/* The sizes a kernel of this kind needs (attention: KV heads dividing the query heads, ...);
 * NULL when they are there, else what is missing. A zero there would divide by zero in the
 * model's prediction (found by the fuzzer: decode attention with no KV head). */
static inline const char *plan_shape_error(const char *kind, double m, double n, double k,
                                           double batch, double heads, double kv_heads,
                                           double head_dim, double seq, double ctx,
                                           double bytes, int sm_comm)
{
    if (!strcmp(kind, "gemm"))
        return m >= 1 && n >= 1 && k >= 1 ? NULL : "a gemm needs m, n and k of at least 1";
    if (!strcmp(kind, "copy"))
        return bytes >= 16 ? NULL : "a copy needs at least 16 bytes";
    if (!strcmp(kind, "norm") || !strcmp(kind, "act") || !strcmp(kind, "rope") ||
        !strcmp(kind, "residual"))
        return m >= 1 && n >= 2 ? NULL : "a memory-bound kernel needs m >= 1 rows, n >= 2 columns";
    if (!strcmp(kind, "attn_decode") || !strcmp(kind, "attn_prefill_unfused")) {
        if (!(batch >= 1 && heads >= 1 && kv_heads >= 1 && head_dim >= 1))
            return "attention needs batch, heads, kv_heads and head_dim of at least 1";
        if (fmod(heads, kv_heads) != 0)
            return "attention needs kv_heads dividing heads";
        if (!strcmp(kind, "attn_decode") ? !(ctx >= 1) : !(seq >= 1))
            return "attention needs ctx (decode) or seq (prefill) of at least 1";
        return NULL;
    }
    if (!strcmp(kind, "overlap"))
        return m >= 1 && n >= 1 && k >= 1 && bytes >= 16 && sm_comm >= 1
                   ? NULL : "an overlap needs a gemm (m, n, k), a copy (bytes) and sm_comm >= 1";
    return "unknown kernel kind";
}

/* Sizes are bounded so that a plan cannot ask the runner for absurd allocations or loops:
 * every element count at most 2^40, bytes at most 2^44, repeats 1..100000. Returns 0, or -1
 * with a message saying which column and what was expected. */
static inline int plan_parse_line(const char *line, struct plan_line *p, char *err, size_t len)
{
    char tail;
    int got = sscanf(line,
                     "%d,%31[^,],%31[^,],%7[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%d,%d,%lf,"
                     "%d%c",
                     &p->id, p->kind, p->klass, p->dtype, &p->m, &p->n, &p->k, &p->batch,
                     &p->heads, &p->kv_heads, &p->head_dim, &p->seq, &p->ctx, &p->bytes, &p->sms,
                     &p->sm_comm, &p->freq_mhz, &p->repeats, &tail);
    if (got != 18 && !(got == 19 && (tail == '\n' || tail == '\r'))) {
        snprintf(err, len, "expected the 18 columns %s", PLAN_COLUMNS);
        return -1;
    }
    const double v[] = {p->m, p->n, p->k, p->batch, p->heads, p->kv_heads, p->head_dim,
                        p->seq, p->ctx};
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!(v[i] >= 0 && v[i] <= 1099511627776.0) || v[i] != floor(v[i])) {
            snprintf(err, len, "column %u: expected a whole number in [0, 2^40]", i + 5);
            return -1;
        }
    if (!(p->bytes >= 0 && p->bytes <= 17592186044416.0)) {
        snprintf(err, len, "column bytes: expected 0 to 2^44");
        return -1;
    }
    if (p->sms < 0 || p->sm_comm < 0 || p->sms > 65536 || p->sm_comm > 65536 ||
        !(p->freq_mhz >= 0 && p->freq_mhz <= 100000) || p->repeats < 1 || p->repeats > 100000) {
        snprintf(err, len, "sms, sm_comm, freq_mhz or repeats out of range");
        return -1;
    }
    if (strcmp(p->dtype, "bf16") && strcmp(p->dtype, "fp8")) {
        snprintf(err, len, "column dtype: expected bf16 or fp8");
        return -1;
    }
    const char *shape = plan_shape_error(p->kind, p->m, p->n, p->k, p->batch, p->heads,
                                         p->kv_heads, p->head_dim, p->seq, p->ctx, p->bytes,
                                         p->sm_comm);
    if (shape) {
        snprintf(err, len, "%s", shape);
        return -1;
    }
    return 0;
}

#endif
