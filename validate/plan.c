/* validate/plan.c — plan files: the standard micro-benchmark sweep and the kernels of one
 * layer of a configuration (docs/validate.md, "Plans"). */
#include "validate.h"
#include "planline.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const vkind_names[] = {"gemm", "copy", "norm", "act", "rope", "residual",
                                   "attn_decode", "attn_prefill_unfused", "overlap", NULL};

const char *const vplan_columns = PLAN_COLUMNS;

typedef struct {
    vrow *rows;
    size_t n, cap;
} vec;

static vrow *push(vec *v, vkind kind, const char *klass)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 256;
        vrow *r = realloc(v->rows, v->cap * sizeof *r);
        if (!r) {
            fprintf(stderr, "llmdse: error: out of memory building a plan\n");
            exit(1);
        }
        v->rows = r;
    }
    vrow *r = &v->rows[v->n++];
    memset(r, 0, sizeof *r);
    r->id = (int)v->n;
    r->kind = kind;
    snprintf(r->klass, sizeof r->klass, "%s", klass);
    r->dtype = LLM_BF16;
    r->repeats = 20;
    return r;
}

/* (N, K) of the GEMMs in Llama-3.1-8B and -70B layers, whole and split 8 ways (qkv, o,
 * gate+up, down). */
static const double gemm_nk[][2] = {
    {6144, 4096}, {4096, 4096}, {28672, 4096}, {4096, 14336},
    {1280, 8192}, {8192, 1024}, {7168, 8192}, {8192, 3584},
};
static const double gemm_m[] = {1, 8, 32, 128, 512, 2048, 8192};

size_t validate_plan_sweep(const llm_gpu *g, const double *clocks, int nclocks, vrow **out)
{
    vec v = {0};
    double none = 0;
    if (nclocks == 0) {
        clocks = &none;
        nclocks = 1;
    }
    for (int c = 0; c < nclocks; c++) {
        double f = clocks[c];
        size_t first = v.n;
        for (unsigned i = 0; i < sizeof gemm_nk / sizeof *gemm_nk; i++)
            for (unsigned j = 0; j < sizeof gemm_m / sizeof *gemm_m; j++) {
                double m = gemm_m[j];
                vrow *r = push(&v, VK_GEMM, m <= 32 ? "gemm_decode" : m <= 512 ? "gemm_mid"
                                                                              : "gemm_large");
                r->m = m;
                r->n = gemm_nk[i][0];
                r->k = gemm_nk[i][1];
            }
        static const double square[] = {4096, 8192};
        for (unsigned i = 0; i < 2; i++) {
            vrow *r = push(&v, VK_GEMM, "gemm_large");
            r->m = r->n = r->k = square[i];
            int limits[] = {g->sm_count / 4, g->sm_count / 2, 3 * g->sm_count / 4};
            for (int l = 0; l < 3; l++) {
                r = push(&v, VK_GEMM, "gemm_sm_limited");
                r->m = r->n = r->k = square[i];
                r->sms = limits[l];
            }
            if (g->fp8_flop_per_clk_sm > 0) {
                r = push(&v, VK_GEMM, "gemm_fp8");
                r->m = r->n = r->k = square[i];
                r->dtype = LLM_FP8;
            }
        }
        static const double tokens[] = {1, 64, 4096, 32768};
        static const double dims[] = {4096, 8192};
        for (unsigned t = 0; t < 4; t++)
            for (unsigned d = 0; d < 2; d++) {
                vkind kinds[] = {VK_NORM, VK_RESIDUAL, VK_ROPE, VK_ACT};
                for (unsigned k = 0; k < 4; k++) {
                    vrow *r = push(&v, kinds[k], "memory");
                    r->m = tokens[t];
                    r->n = kinds[k] == VK_ACT ? 3.5 * dims[d] : dims[d];
                }
            }
        static const double copies[] = {1 << 20, 64 << 20, 1024.0 * (1 << 20)};
        for (unsigned i = 0; i < 3; i++) {
            vrow *r = push(&v, VK_COPY, "memory");
            r->bytes = copies[i];
        }
        static const int copy_sms[] = {8, 16, 32, 64};
        for (unsigned i = 0; i < 4; i++) {
            if (copy_sms[i] >= g->sm_count)
                continue;
            vrow *r = push(&v, VK_COPY, "copy_sm_limited");
            r->bytes = 256 << 20;
            r->sms = copy_sms[i];
        }
        static const double batches[] = {1, 8, 64}, ctxs[] = {1024, 8192, 32768};
        for (unsigned b = 0; b < 3; b++)
            for (unsigned x = 0; x < 3; x++) {
                vrow *r = push(&v, VK_ATTN_DECODE, "attn_decode");
                r->batch = batches[b];
                r->heads = 32;
                r->kv_heads = 8;
                r->head_dim = 128;
                r->ctx = ctxs[x];
            }
        static const double seqs[] = {512, 2048};
        for (unsigned i = 0; i < 2; i++) {
            vrow *r = push(&v, VK_ATTN_PREFILL_UNFUSED, "attn_prefill_unfused");
            r->batch = 1;
            r->heads = 32;
            r->kv_heads = 8;
            r->head_dim = 128;
            r->seq = seqs[i];
        }
        static const int splits[] = {8, 16, 32};
        for (unsigned i = 0; i < 3; i++) {
            vrow *r = push(&v, VK_OVERLAP, "overlap");
            r->m = r->n = r->k = 8192;
            r->bytes = 256 << 20;
            r->sm_comm = splits[i];
            r->sms = g->sm_count - splits[i];
        }
        for (size_t i = first; i < v.n; i++)
            v.rows[i].freq_mhz = f;
    }
    *out = v.rows;
    return v.n;
}

size_t validate_plan_layer(const llm_model *m, const llm_gpu *g, const cost_config *c,
                           int rank, vrow **rows, size_t n)
{
    vec v = {*rows, n, n};
    for (int ph = 0; ph < 2; ph++) {
        cost_layer L;
        cost_build_layer(m, g, c, (cost_phase)ph, ph == PHASE_PREFILL ? 1 : c->batch,
                         c->prompt, c->prompt + c->output / 2.0, &L);
        char klass[32];
        snprintf(klass, sizeof klass, "front_%d_%s", rank, ph ? "decode" : "prefill");
        const cost_indices *ix = &L.ix;
        for (int i = 0; i < L.n; i++) {
            const cost_op *op = &L.op[i];
            vrow *r;
            switch (op->kind) {
            case KIND_GEMM:
                r = push(&v, VK_GEMM, klass);
                r->m = op->m; r->n = op->n; r->k = op->k;
                r->batch = op->groups > 1 ? op->groups : 0;
                r->dtype = op->fp8 ? LLM_FP8 : LLM_BF16;
                break;
            case KIND_EXPERTS:
                /* grouped up- and down-projection as batched GEMMs of whole rows and experts
                 * (the model's expected values are fractional) */
                r = push(&v, VK_GEMM, klass);
                r->m = ceil(op->m); r->n = op->n; r->k = op->k;
                r->batch = fmax(1, round(op->groups));
                r->dtype = op->fp8 ? LLM_FP8 : LLM_BF16;
                r = push(&v, VK_GEMM, klass);
                r->m = ceil(op->m); r->n = op->k; r->k = op->n2;
                r->batch = fmax(1, round(op->groups));
                r->dtype = op->fp8 ? LLM_FP8 : LLM_BF16;
                break;
            case KIND_ATTN:
                r = push(&v, ph ? VK_ATTN_DECODE : VK_ATTN_PREFILL_UNFUSED, klass);
                r->batch = op->attn.b; r->heads = op->attn.hq; r->kv_heads = op->attn.hkv;
                r->head_dim = op->attn.dh; r->seq = op->attn.sq; r->ctx = op->attn.skv;
                break;
            case KIND_ELEM:
                if (op->id == OP_EMBED)
                    break; /* a gather: no runner kernel */
                r = push(&v, op->id == OP_ROPE ? VK_ROPE : op->id == OP_MLP_ACT ? VK_ACT
                            : op->id == OP_RESIDUAL_ADD ? VK_RESIDUAL : VK_NORM, klass);
                r->m = ix->t;
                r->n = op->id == OP_ROPE ? (ix->h + ix->g) * ix->x
                     : op->id == OP_MLP_ACT ? ix->f : ix->d;
                if (op->id == OP_RESIDUAL_ADD) { /* two adds a layer */
                    vrow copy = *r;
                    r = push(&v, VK_RESIDUAL, klass);
                    copy.id = r->id;
                    *r = copy;
                }
                break;
            case KIND_COLL:
                break; /* single-GPU runner: collectives are validated against NCCL data */
            }
        }
    }
    for (size_t i = n; i < v.n; i++)
        v.rows[i].freq_mhz = c->freq_mhz;
    *rows = v.rows;
    return v.n;
}

void validate_write_plan(FILE *f, const char *gpu, const char *source, const vrow *rows,
                         size_t n)
{
    fprintf(f, "# llmdse plan v1\n# gpu: %s\n# source: %s\n%s\n", gpu, source, vplan_columns);
    for (size_t i = 0; i < n; i++) {
        const vrow *r = &rows[i];
        fprintf(f, "%d,%s,%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%d,%d,"
                   "%.17g,%d\n", r->id, vkind_names[r->kind], r->klass,
                llm_dtype_names[r->dtype], r->m, r->n, r->k, r->batch, r->heads, r->kv_heads,
                r->head_dim, r->seq, r->ctx, r->bytes, r->sms, r->sm_comm, r->freq_mhz,
                r->repeats);
    }
}

int validate_plan_configs(const char *front, const cost_config *cf, int k, const llm_model *m,
                          const llm_gpu *g, vrow **rows, size_t *n, llm_err *err)
{
    for (int i = 0; i < k; i++) {
        if (cost_check(m, g, &cf[i], err)) {
            char row[LLM_ERR_MAX];
            snprintf(row, sizeof row, "%s row %d", front, i + 1);
            llm_err_prefix(err, row, LLM_ERR_INPUT);
            return -1;
        }
        *n = validate_plan_layer(m, g, &cf[i], i + 1, rows, *n);
    }
    return 0;
}
