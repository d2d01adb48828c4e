/* tests/testutil.h — shared helpers for the cmocka tests. */
#ifndef LLMDSE_TESTUTIL_H
#define LLMDSE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../configs/configs.h"
#include "../cost/cost.h"
#include "../reports/reports.h"

static inline llm_gpu load_gpu(const char *name)
{
    llm_gpu g;
    llm_err err;
    if (configs_load_gpu(name, &g, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        fail();
    }
    return g;
}

static inline llm_serving load_serving(const char *name)
{
    llm_serving s;
    llm_err err;
    if (configs_load_serving(name, &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        fail();
    }
    return s;
}

static inline llm_model load_model(const char *name)
{
    llm_model m;
    llm_err err;
    if (configs_load_model(name, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        fail();
    }
    return m;
}

/* |a - b| <= rel * |b| */
#define assert_close(a, b, rel)                                                              \
    do {                                                                                     \
        double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (rel) * fabs(b_))) {                                          \
            fprintf(stderr, "%s:%d: %s = %.12g, expected %.12g (rel %g)\n", __FILE__,        \
                    __LINE__, #a, a_, b_, (double)(rel));                                    \
            fail();                                                                          \
        }                                                                                    \
    } while (0)

/* A 2-layer toy model whose FLOPs, bytes and memory are derived by hand in test_cost.c:
 * d 64, 4 query heads, 2 KV heads, head dim 16, SwiGLU FFN 128, vocab 1000, bf16. */
static inline llm_model toy_model(void)
{
    llm_model m;
    memset(&m, 0, sizeof m);
    strcpy(m.name, "toy");
    m.d_model = 64;
    m.n_layers = 2;
    m.n_heads = 4;
    m.n_kv_heads = 2;
    m.head_dim = 16;
    m.ffn_dim = 128;
    m.vocab = 1000;
    m.max_context_tokens = 4096;
    m.norm = LLM_NORM_RMS;
    m.pos = LLM_POS_ROPE;
    m.act = LLM_ACT_SWIGLU;
    return m;
}

#endif
