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
    return 0;
}

#endif
