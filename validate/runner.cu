// validate/runner.cu — llmdse's measurement runner (docs/validate.md). Reads a plan written by
// `llmdse validate plan`, runs each kernel on GPU 0 and writes a measurement file that
// `llmdse validate compare` and `llmdse calibrate` read. Built by `make validate` with nvcc
// alone: CUDA runtime and cuBLAS from the toolkit, NVML loaded with dlopen (time only when it
// is missing). The DRAM traffic of each kernel here is what validate/compare.c predicts.
//
// usage: llmdse-runner PLAN.csv OUT.csv [--energy-ms MS] [--no-lock]
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>
#include <dlfcn.h>

#include "planline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

// ---- plan rows (the columns of validate/plan.c's vplan_columns) ---------------------------

struct Row {
    int id;
    std::string kind, klass, dtype;
    double m, n, k, batch, heads, kv_heads, head_dim, seq, ctx, bytes;
    int sms, sm_comm;
    double freq_mhz;
    int repeats;
};

static const char *kPlanColumns = PLAN_COLUMNS;

static bool read_plan(const char *path, std::vector<Row> &rows)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "llmdse-runner: %s: cannot open\n", path);
        return false;
    }
    char line[4096], err[160];
    int lineno = 0;
    bool header = false;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || !line[0])
            continue;
        if (!header) {
            if (strcmp(line, kPlanColumns)) {
                fprintf(stderr, "llmdse-runner: %s:%d: expected the plan header\n", path, lineno);
                fclose(f);
                return false;
            }
            header = true;
            continue;
        }
        plan_line p;
        if (plan_parse_line(line, &p, err, sizeof err)) {
            fprintf(stderr, "llmdse-runner: %s:%d: %s\n", path, lineno, err);
            fclose(f);
            return false;
        }
        Row r;
        r.id = p.id;
        r.kind = p.kind;
        r.klass = p.klass;
        r.dtype = p.dtype;
        r.m = p.m; r.n = p.n; r.k = p.k; r.batch = p.batch; r.heads = p.heads;
        r.kv_heads = p.kv_heads; r.head_dim = p.head_dim; r.seq = p.seq; r.ctx = p.ctx;
        r.bytes = p.bytes; r.sms = p.sms; r.sm_comm = p.sm_comm; r.freq_mhz = p.freq_mhz;
        r.repeats = p.repeats;
        rows.push_back(r);
    }
    fclose(f);
    if (!header) {
        fprintf(stderr, "llmdse-runner: %s: no plan header\n", path);
        return false;
    }
    return true;
}

// ---- NVML, loaded at run time --------------------------------------------------------------

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;
static struct {
    void *lib;
    nvmlReturn_t (*init)(void);
    nvmlReturn_t (*shutdown)(void);
    nvmlReturn_t (*handle)(unsigned, nvmlDevice_t *);
    nvmlReturn_t (*energy)(nvmlDevice_t, unsigned long long *);
    nvmlReturn_t (*clock)(nvmlDevice_t, int, unsigned *);
    nvmlReturn_t (*lock)(nvmlDevice_t, unsigned, unsigned);
    nvmlReturn_t (*unlock)(nvmlDevice_t);
    nvmlReturn_t (*driver)(char *, unsigned);
    nvmlDevice_t dev;
    bool ok;
} nvml;
enum { NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2 };

static void nvml_open(void)
{
    nvml.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
    if (!nvml.lib)
        return;
#define SYM(field, name) *(void **)&nvml.field = dlsym(nvml.lib, name)
    SYM(init, "nvmlInit_v2");
    SYM(shutdown, "nvmlShutdown");
    SYM(handle, "nvmlDeviceGetHandleByIndex_v2");
    SYM(energy, "nvmlDeviceGetTotalEnergyConsumption");
    SYM(clock, "nvmlDeviceGetClockInfo");
    SYM(lock, "nvmlDeviceSetGpuLockedClocks");
    SYM(unlock, "nvmlDeviceResetGpuLockedClocks");
    SYM(driver, "nvmlSystemGetDriverVersion");
#undef SYM
    nvml.ok = nvml.init && nvml.handle && nvml.init() == 0 && nvml.handle(0, &nvml.dev) == 0;
}

static unsigned nvml_clock(int which)
{
    unsigned mhz = 0;
    if (nvml.ok && nvml.clock)
        nvml.clock(nvml.dev, which, &mhz);
    return mhz;
}

// ---- kernels -------------------------------------------------------------------------------

__global__ void init_bf16(__nv_bfloat16 *p, size_t n, unsigned seed)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        unsigned h = (unsigned)i * 2654435761u ^ seed;
        h ^= h >> 15;
        h *= 2246822519u;
        h ^= h >> 13;
        p[i] = __float2bfloat16(((h & 0xffff) / 32768.0f - 1.0f) * 0.5f);
    }
}

// grid-stride copy; launched with exactly `blocks` blocks to occupy at most that many SMs
__global__ void copy_kernel(const uint4 *src, uint4 *dst, size_t n16)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n16;
         i += (size_t)gridDim.x * blockDim.x)
        dst[i] = src[i];
}

// RMSNorm of one row per block, the row kept in shared memory: reads and writes it once
__global__ void rmsnorm_kernel(const __nv_bfloat16 *x, __nv_bfloat16 *y, int d)
{
    extern __shared__ float row[];
    __shared__ float part[32];
    const __nv_bfloat16 *xr = x + (size_t)blockIdx.x * d;
    float s = 0;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float v = __bfloat162float(xr[i]);
        row[i] = v;
        s += v * v;
    }
    for (int o = 16; o; o >>= 1)
        s += __shfl_xor_sync(0xffffffff, s, o);
    if ((threadIdx.x & 31) == 0)
        part[threadIdx.x >> 5] = s;
    __syncthreads();
    if (threadIdx.x < 32) {
        s = threadIdx.x < (blockDim.x >> 5) ? part[threadIdx.x] : 0;
        for (int o = 16; o; o >>= 1)
            s += __shfl_xor_sync(0xffffffff, s, o);
        if (threadIdx.x == 0)
            part[0] = rsqrtf(s / d + 1e-6f);
    }
    __syncthreads();
    float r = part[0];
    for (int i = threadIdx.x; i < d; i += blockDim.x)
        y[(size_t)blockIdx.x * d + i] = __float2bfloat16(row[i] * r);
}

__global__ void silu_mul_kernel(const __nv_bfloat16 *g, const __nv_bfloat16 *u,
                                __nv_bfloat16 *o, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        float a = __bfloat162float(g[i]);
        o[i] = __float2bfloat16(a / (1.0f + __expf(-a)) * __bfloat162float(u[i]));
    }
}

// rotary embedding in place over rows of `cols` values (pairs rotated by a position angle)
__global__ void rope_kernel(__nv_bfloat16 *x, size_t rows, int cols)
{
    size_t pairs = rows * (size_t)(cols / 2);
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < pairs;
         i += (size_t)gridDim.x * blockDim.x) {
        size_t r = i / (cols / 2);
        int c = (int)(i % (cols / 2));
        float ang = r * __powf(10000.0f, -2.0f * (c % 64) / 128.0f);
        float sn, cs;
        __sincosf(ang, &sn, &cs);
        __nv_bfloat16 *p = x + r * cols + 2 * c;
        float a = __bfloat162float(p[0]), b = __bfloat162float(p[1]);
        p[0] = __float2bfloat16(a * cs - b * sn);
        p[1] = __float2bfloat16(a * sn + b * cs);
    }
}

__global__ void residual_kernel(const __nv_bfloat16 *a, const __nv_bfloat16 *b,
                                __nv_bfloat16 *c, size_t n)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        c[i] = __float2bfloat16(__bfloat162float(a[i]) + __bfloat162float(b[i]));
}

// causal softmax over each row of a [rows, seq] score matrix (row r = query r % seq)
__global__ void softmax_kernel(__nv_bfloat16 *s, int seq)
{
    __nv_bfloat16 *row = s + (size_t)blockIdx.x * seq;
    int q = blockIdx.x % seq;
    __shared__ float red[32];
    float mx = -1e30f;
    for (int i = threadIdx.x; i <= q; i += blockDim.x)
        mx = fmaxf(mx, __bfloat162float(row[i]));
    for (int o = 16; o; o >>= 1)
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, o));
    if ((threadIdx.x & 31) == 0)
        red[threadIdx.x >> 5] = mx;
    __syncthreads();
    mx = red[0];
    for (int w = 1; w < (int)(blockDim.x >> 5); w++)
        mx = fmaxf(mx, red[w]);
    __syncthreads();
    float sum = 0;
    for (int i = threadIdx.x; i <= q; i += blockDim.x)
        sum += __expf(__bfloat162float(row[i]) - mx);
    for (int o = 16; o; o >>= 1)
        sum += __shfl_xor_sync(0xffffffff, sum, o);
    if ((threadIdx.x & 31) == 0)
        red[threadIdx.x >> 5] = sum;
    __syncthreads();
    sum = 0;
    for (int w = 0; w < (int)(blockDim.x >> 5); w++)
        sum += red[w];
    for (int i = threadIdx.x; i < seq; i += blockDim.x)
        row[i] = __float2bfloat16(i <= q ? __expf(__bfloat162float(row[i]) - mx) / sum : 0.0f);
}

// Split-KV decode attention, head dim 128: block (b*hkv, split) of 4 warps; a warp takes one
// key at a time (32 lanes x 4 values), for every query head of the KV head's group (<= 8),
// with an online softmax. Partials (max, sum, 128 values per head) go to a workspace and a
// second kernel combines the splits. K and V are each read once.
#define DH 128
#define SPLIT 512
#define MAXG 8
__global__ void decode_partial(const __nv_bfloat16 *q, const __nv_bfloat16 *k,
                               const __nv_bfloat16 *v, float *part, int hq, int hkv, int ctx)
{
    int bh = blockIdx.x, split = blockIdx.y, nsplit = gridDim.y;
    int b = bh / hkv, kvh = bh % hkv, grp = hq / hkv;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    float qv[MAXG][4], m[MAXG], l[MAXG], acc[MAXG][4];
    for (int gi = 0; gi < grp; gi++) {
        const __nv_bfloat16 *qp = q + ((size_t)b * hq + kvh * grp + gi) * DH + lane * 4;
        for (int j = 0; j < 4; j++) {
            qv[gi][j] = __bfloat162float(qp[j]) * 0.08838834764f; // 1/sqrt(128)
            acc[gi][j] = 0;
        }
        m[gi] = -1e30f;
        l[gi] = 0;
    }
    const size_t base = ((size_t)b * hkv + kvh) * (size_t)ctx * DH;
    int t0 = split * SPLIT, t1 = min(ctx, t0 + SPLIT);
    for (int t = t0 + warp; t < t1; t += 4) {
        const __nv_bfloat16 *kp = k + base + (size_t)t * DH + lane * 4;
        const __nv_bfloat16 *vp = v + base + (size_t)t * DH + lane * 4;
        float kk[4], vv[4];
        for (int j = 0; j < 4; j++) {
            kk[j] = __bfloat162float(kp[j]);
            vv[j] = __bfloat162float(vp[j]);
        }
        for (int gi = 0; gi < grp; gi++) {
            float s = qv[gi][0] * kk[0] + qv[gi][1] * kk[1] + qv[gi][2] * kk[2] + qv[gi][3] * kk[3];
            for (int o = 16; o; o >>= 1)
                s += __shfl_xor_sync(0xffffffff, s, o);
            float mn = fmaxf(m[gi], s), sc = __expf(m[gi] - mn), p = __expf(s - mn);
            l[gi] = l[gi] * sc + p;
            for (int j = 0; j < 4; j++)
                acc[gi][j] = acc[gi][j] * sc + p * vv[j];
            m[gi] = mn;
        }
    }
    // combine the 4 warps through shared memory
    __shared__ float sm_m[4][MAXG], sm_l[4][MAXG], sm_acc[4][MAXG][DH];
    for (int gi = 0; gi < grp; gi++) {
        if (lane == 0) {
            sm_m[warp][gi] = m[gi];
            sm_l[warp][gi] = l[gi];
        }
        for (int j = 0; j < 4; j++)
            sm_acc[warp][gi][lane * 4 + j] = acc[gi][j];
    }
    __syncthreads();
    for (int idx = threadIdx.x; idx < grp * DH; idx += blockDim.x) {
        int gi = idx / DH, d = idx % DH;
        float mm = fmaxf(fmaxf(sm_m[0][gi], sm_m[1][gi]), fmaxf(sm_m[2][gi], sm_m[3][gi]));
        float ll = 0, a = 0;
        for (int w = 0; w < 4; w++) {
            float sc = __expf(sm_m[w][gi] - mm);
            ll += sm_l[w][gi] * sc;
            a += sm_acc[w][gi][d] * sc;
        }
        size_t h = (size_t)b * hq + kvh * grp + gi;
        float *pp = part + (h * nsplit + split) * (DH + 2);
        pp[2 + d] = a;
        if (d == 0) {
            pp[0] = mm;
            pp[1] = ll;
        }
    }
}

__global__ void decode_combine(const float *part, __nv_bfloat16 *o, int nsplit)
{
    size_t h = blockIdx.x;
    int d = threadIdx.x;
    float mm = -1e30f;
    for (int s = 0; s < nsplit; s++)
        mm = fmaxf(mm, part[(h * nsplit + s) * (DH + 2)]);
    float ll = 0, a = 0;
    for (int s = 0; s < nsplit; s++) {
        const float *pp = part + (h * nsplit + s) * (DH + 2);
        float sc = __expf(pp[0] - mm);
        ll += pp[1] * sc;
        a += pp[2 + d] * sc;
    }
    o[h * DH + d] = __float2bfloat16(ll > 0 ? a / ll : 0.0f);
}

// ---- running one row -----------------------------------------------------------------------

#define CK(x)                                                                                  \
    do {                                                                                       \
        cudaError_t e_ = (x);                                                                  \
        if (e_ != cudaSuccess) {                                                               \
            snprintf(status, sizeof status, "error:%s", cudaGetErrorName(e_));                 \
            return false;                                                                      \
        }                                                                                      \
    } while (0)

struct Ctx {
    cublasHandle_t blas;
    cublasLtHandle_t lt;
    cudaStream_t s0, s1, s2;
    int sms;
    void *ws;
    size_t ws_size;
};

static char status[96];

// A launch of the row's work on stream st (overlap: the two parts are separate functions).
struct Work {
    const Row *r;
    Ctx *c;
    std::vector<void *> bufs;
    float *part = nullptr;
    int nsplit = 0;
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
    cublasLtMatmulHeuristicResult_t heur;
};

static void *alloc(Work &w, size_t bytes)
{
    void *p = nullptr;
    if (cudaMalloc(&p, bytes ? bytes : 16) != cudaSuccess)
        return nullptr;
    w.bufs.push_back(p);
    return p;
}

static void *alloc_bf16(Work &w, size_t n)
{
    void *p = alloc(w, n * 2);
    if (p)
        init_bf16<<<1024, 256>>>((__nv_bfloat16 *)p, n, (unsigned)w.bufs.size() * 7919u);
    return p;
}

static bool gemm_bf16(Ctx &c, cudaStream_t st, int sms, const void *A, const void *B, void *C,
                      long m, long n, long k, long batch)
{
    float one = 1, zero = 0;
    cublasSetStream(c.blas, st);
    cublasSetSmCountTarget(c.blas, sms);
    cublasStatus_t s;
    // row-major C[m,n] = A[m,k] B[k,n] as column-major C^T = B^T A^T
    if (batch > 1)
        s = cublasGemmStridedBatchedEx(c.blas, CUBLAS_OP_N, CUBLAS_OP_N, (int)n, (int)m, (int)k,
                                       &one, B, CUDA_R_16BF, (int)n, k * n, A, CUDA_R_16BF,
                                       (int)k, m * k, &zero, C, CUDA_R_16BF, (int)n, m * n,
                                       (int)batch, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    else
        s = cublasGemmEx(c.blas, CUBLAS_OP_N, CUBLAS_OP_N, (int)n, (int)m, (int)k, &one, B,
                         CUDA_R_16BF, (int)n, A, CUDA_R_16BF, (int)k, &zero, C, CUDA_R_16BF,
                         (int)n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (s != CUBLAS_STATUS_SUCCESS) {
        snprintf(status, sizeof status, "error:cublas_status_%d", (int)s);
        return false;
    }
    return true;
}

static bool setup(Work &w)
{
    const Row &r = *w.r;
    Ctx &c = *w.c;
    size_t m = (size_t)r.m, n = (size_t)r.n, k = (size_t)r.k;
    size_t batch = r.batch > 1 ? (size_t)r.batch : 1;
    if (r.kind == "gemm" || r.kind == "overlap") {
        if (r.dtype == "fp8") {
            // fp8 e4m3 through cuBLASLt: D(n x m) = X^T Y with X (k x n), Y (k x m) column-major
            void *X = alloc(w, k * n), *Y = alloc(w, k * m);
            if (!X || !Y || !alloc_bf16(w, m * n))
                return snprintf(status, sizeof status, "error:out_of_memory"), false;
            cudaMemset(X, 0x38, k * n); // 0x38 = 1.0 in e4m3: non-zero data
            cudaMemset(Y, 0x30, k * m);
            cublasOperation_t T = CUBLAS_OP_T, N = CUBLAS_OP_N;
            if (cublasLtMatmulDescCreate(&w.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F) ||
                cublasLtMatmulDescSetAttribute(w.desc, CUBLASLT_MATMUL_DESC_TRANSA, &T, sizeof T) ||
                cublasLtMatmulDescSetAttribute(w.desc, CUBLASLT_MATMUL_DESC_TRANSB, &N, sizeof N) ||
                cublasLtMatrixLayoutCreate(&w.la, CUDA_R_8F_E4M3, k, n, k) ||
                cublasLtMatrixLayoutCreate(&w.lb, CUDA_R_8F_E4M3, k, m, k) ||
                cublasLtMatrixLayoutCreate(&w.lc, CUDA_R_16BF, n, m, n))
                return snprintf(status, sizeof status, "error:cublaslt_setup"), false;
            if (r.sms > 0) {
                int t = r.sms;
                cublasLtMatmulDescSetAttribute(w.desc, CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, &t,
                                               sizeof t);
            }
            cublasLtMatmulPreference_t pref;
            cublasLtMatmulPreferenceCreate(&pref);
            cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                 &c.ws_size, sizeof c.ws_size);
            int found = 0;
            cublasLtMatmulAlgoGetHeuristic(c.lt, w.desc, w.la, w.lb, w.lc, w.lc, pref, 1,
                                           &w.heur, &found);
            cublasLtMatmulPreferenceDestroy(pref);
            if (!found)
                return snprintf(status, sizeof status, "skipped:no_fp8_algorithm"), false;
        } else {
            if (!alloc_bf16(w, batch * m * k) || !alloc_bf16(w, batch * k * n) ||
                !alloc(w, batch * m * n * 2))
                return snprintf(status, sizeof status, "error:out_of_memory"), false;
        }
        if (r.kind == "overlap") {
            size_t n16 = (size_t)r.bytes / 16;
            if (!alloc(w, n16 * 16) || !alloc(w, n16 * 16))
                return snprintf(status, sizeof status, "error:out_of_memory"), false;
        }
        return true;
    }
    if (r.kind == "copy") {
        size_t n16 = (size_t)r.bytes / 16;
        return alloc(w, n16 * 16) && alloc(w, n16 * 16)
                   ? true : (snprintf(status, sizeof status, "error:out_of_memory"), false);
    }
    size_t mn = m * n;
    if (r.kind == "norm") {
        if (n > 16384)
            return snprintf(status, sizeof status, "skipped:row_too_long"), false;
        return alloc_bf16(w, mn) && alloc(w, mn * 2);
    }
    if (r.kind == "act" || r.kind == "residual")
        return alloc_bf16(w, mn) && alloc_bf16(w, mn) && alloc(w, mn * 2);
    if (r.kind == "rope")
        return alloc_bf16(w, mn) != nullptr;
    size_t b = (size_t)r.batch, hq = (size_t)r.heads, hkv = (size_t)r.kv_heads;
    if (r.kind == "attn_decode") {
        if (r.head_dim != DH || hq % hkv || hq / hkv > MAXG)
            return snprintf(status, sizeof status, "skipped:unsupported_shape"), false;
        size_t ctx = (size_t)r.ctx;
        w.nsplit = (int)((ctx + SPLIT - 1) / SPLIT);
        w.part = (float *)alloc(w, b * hq * w.nsplit * (DH + 2) * 4);
        return alloc_bf16(w, b * hq * DH) && alloc_bf16(w, b * hkv * ctx * DH) &&
               alloc_bf16(w, b * hkv * ctx * DH) && alloc(w, b * hq * DH * 2) && w.part;
    }
    if (r.kind == "attn_prefill_unfused") {
        size_t s = (size_t)r.seq, dh = (size_t)r.head_dim, bh = b * hq;
        // Q, K and V per query head (GQA expanded, as the model's unfused path counts), S, O
        return alloc_bf16(w, bh * s * dh) && alloc_bf16(w, bh * s * dh) &&
               alloc_bf16(w, bh * s * dh) && alloc(w, bh * s * s * 2) && alloc(w, bh * s * dh * 2);
    }
    snprintf(status, sizeof status, "skipped:unknown_kind");
    return false;
}

static int grid_for(size_t n) { return (int)std::min<size_t>((n + 255) / 256, 65535); }

// the GEMM part (also overlap's first stream)
static bool launch_gemm(Work &w, cudaStream_t st)
{
    const Row &r = *w.r;
    Ctx &c = *w.c;
    int sms = r.kind == "overlap" ? r.sms : r.sms;
    if (r.dtype == "fp8") {
        float one = 1, zero = 0;
        cublasStatus_t s = cublasLtMatmul(c.lt, w.desc, &one, w.bufs[0], w.la, w.bufs[1], w.lb,
                                          &zero, w.bufs[2], w.lc, w.bufs[2], w.lc, &w.heur.algo,
                                          c.ws, c.ws_size, st);
        if (s != CUBLAS_STATUS_SUCCESS)
            return snprintf(status, sizeof status, "error:cublaslt_status_%d", (int)s), false;
        return true;
    }
    return gemm_bf16(c, st, sms, w.bufs[0], w.bufs[1], w.bufs[2], (long)r.m, (long)r.n,
                     (long)r.k, r.batch > 1 ? (long)r.batch : 1);
}

static bool launch_copy(Work &w, cudaStream_t st, int first, int blocks)
{
    size_t n16 = (size_t)w.r->bytes / 16;
    copy_kernel<<<blocks, 1024, 0, st>>>((const uint4 *)w.bufs[first], (uint4 *)w.bufs[first + 1],
                                         n16);
    return true;
}

static bool launch(Work &w, cudaStream_t st)
{
    const Row &r = *w.r;
    Ctx &c = *w.c;
    size_t mn = (size_t)r.m * (size_t)r.n;
    if (r.kind == "gemm")
        return launch_gemm(w, st);
    if (r.kind == "copy")
        return launch_copy(w, st, 0, r.sms > 0 ? r.sms : c.sms * 4);
    if (r.kind == "norm") {
        rmsnorm_kernel<<<(int)r.m, 256, (size_t)r.n * 4, st>>>(
            (const __nv_bfloat16 *)w.bufs[0], (__nv_bfloat16 *)w.bufs[1], (int)r.n);
        return true;
    }
    if (r.kind == "act") {
        silu_mul_kernel<<<grid_for(mn), 256, 0, st>>>((const __nv_bfloat16 *)w.bufs[0],
                                                      (const __nv_bfloat16 *)w.bufs[1],
                                                      (__nv_bfloat16 *)w.bufs[2], mn);
        return true;
    }
    if (r.kind == "residual") {
        residual_kernel<<<grid_for(mn), 256, 0, st>>>((const __nv_bfloat16 *)w.bufs[0],
                                                      (const __nv_bfloat16 *)w.bufs[1],
                                                      (__nv_bfloat16 *)w.bufs[2], mn);
        return true;
    }
    if (r.kind == "rope") {
        rope_kernel<<<grid_for(mn / 2), 256, 0, st>>>((__nv_bfloat16 *)w.bufs[0], (size_t)r.m,
                                                      (int)r.n);
        return true;
    }
    if (r.kind == "attn_decode") {
        dim3 grid((unsigned)(r.batch * r.kv_heads), (unsigned)w.nsplit);
        decode_partial<<<grid, 128, 0, st>>>(
            (const __nv_bfloat16 *)w.bufs[0], (const __nv_bfloat16 *)w.bufs[1],
            (const __nv_bfloat16 *)w.bufs[2], w.part, (int)r.heads, (int)r.kv_heads, (int)r.ctx);
        decode_combine<<<(unsigned)(r.batch * r.heads), DH, 0, st>>>(
            w.part, (__nv_bfloat16 *)w.bufs[3], w.nsplit);
        return true;
    }
    if (r.kind == "attn_prefill_unfused") {
        long s = (long)r.seq, dh = (long)r.head_dim, bh = (long)(r.batch * r.heads);
        // S = Q K^T: per head [s, dh] x [dh, s] (K read transposed through the layout)
        float one = 1, zero = 0;
        cublasSetStream(c.blas, st);
        cublasSetSmCountTarget(c.blas, 0);
        if (cublasGemmStridedBatchedEx(c.blas, CUBLAS_OP_T, CUBLAS_OP_N, (int)s, (int)s, (int)dh,
                                       &one, w.bufs[1], CUDA_R_16BF, (int)dh, s * dh, w.bufs[0],
                                       CUDA_R_16BF, (int)dh, s * dh, &zero, w.bufs[3],
                                       CUDA_R_16BF, (int)s, s * s, (int)bh, CUBLAS_COMPUTE_32F,
                                       CUBLAS_GEMM_DEFAULT) != CUBLAS_STATUS_SUCCESS)
            return snprintf(status, sizeof status, "error:cublas_qk"), false;
        softmax_kernel<<<(unsigned)(bh * s), 256, 0, st>>>((__nv_bfloat16 *)w.bufs[3], (int)s);
        return gemm_bf16(c, st, 0, w.bufs[3], w.bufs[2], w.bufs[4], s, dh, s, bh);
    }
    return false;
}

static double median(std::vector<float> v, double q)
{
    std::sort(v.begin(), v.end());
    size_t i = (size_t)(q * (v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)] * 1e-3;
}

// times `reps` launches of fn on stream st, one event pair each; fills the quantiles
template <class F>
static bool time_it(F fn, cudaStream_t st, int reps, double *med, double *p10, double *p90)
{
    std::vector<cudaEvent_t> ev(2 * reps);
    for (auto &e : ev)
        cudaEventCreate(&e);
    std::vector<float> ms(reps);
    bool ok = true;
    for (int i = 0; i < 3 && ok; i++)
        ok = fn();
    for (int i = 0; i < reps && ok; i++) {
        cudaEventRecord(ev[2 * i], st);
        ok = fn();
        cudaEventRecord(ev[2 * i + 1], st);
    }
    if (ok && cudaStreamSynchronize(st) != cudaSuccess) {
        snprintf(status, sizeof status, "error:%s", cudaGetErrorName(cudaGetLastError()));
        ok = false;
    }
    for (int i = 0; i < reps && ok; i++)
        cudaEventElapsedTime(&ms[i], ev[2 * i], ev[2 * i + 1]);
    for (auto &e : ev)
        cudaEventDestroy(e);
    if (!ok)
        return false;
    *med = median(ms, 0.5);
    *p10 = median(ms, 0.1);
    *p90 = median(ms, 0.9);
    return true;
}

static double now_s(void)
{
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: llmdse-runner PLAN.csv OUT.csv [--energy-ms MS] [--no-lock]\n");
        return 2;
    }
    double energy_ms = 200;
    bool lock = true;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--energy-ms") && i + 1 < argc)
            energy_ms = atof(argv[++i]);
        else if (!strcmp(argv[i], "--no-lock"))
            lock = false;
        else {
            fprintf(stderr, "llmdse-runner: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    std::vector<Row> rows;
    if (!read_plan(argv[1], rows))
        return 2;
    cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
        fprintf(stderr, "llmdse-runner: no CUDA device\n");
        return 1;
    }
    nvml_open();
    Ctx c;
    c.sms = prop.multiProcessorCount;
    c.ws_size = 32 << 20;
    cudaMalloc(&c.ws, c.ws_size);
    cublasCreate(&c.blas);
    cublasLtCreate(&c.lt);
    cudaStreamCreate(&c.s0);
    cudaStreamCreate(&c.s1);
    cudaStreamCreate(&c.s2);
    cublasSetWorkspace(c.blas, c.ws, c.ws_size);
    char driver[80] = "unknown";
    if (nvml.ok && nvml.driver)
        nvml.driver(driver, sizeof driver);
    int rt = 0;
    cudaRuntimeGetVersion(&rt);
    char date[64];
    time_t tt = time(nullptr);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    std::string cmd;
    for (int i = 0; i < argc; i++)
        cmd += (i ? " " : "") + std::string(argv[i]);
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        fprintf(stderr, "llmdse-runner: %s: cannot write\n", argv[2]);
        return 1;
    }
    std::string clocks = !nvml.ok ? "not locked (NVML not available: time only, no energy)"
                         : !lock ? "not locked (--no-lock)" : "locked per row where asked";
    double locked = 0;
    std::vector<std::string> lines;
    for (const Row &r : rows) {
        status[0] = 0;
        double med = 0, p10 = 0, p90 = 0, alone_a = 0, alone_b = 0, energy = 0, power = 0;
        unsigned smc = 0, memc = 0;
        if (lock && nvml.ok && nvml.lock && r.freq_mhz != locked) {
            int e = r.freq_mhz > 0 ? nvml.lock(nvml.dev, (unsigned)r.freq_mhz, (unsigned)r.freq_mhz)
                                   : (nvml.unlock ? nvml.unlock(nvml.dev) : 0);
            if (e && r.freq_mhz > 0)
                clocks = "lock refused (NVML error " + std::to_string(e) +
                         "): rows ran at the governor's clock; sm_clock_mhz says which";
            locked = r.freq_mhz;
        }
        Work w;
        w.r = &r;
        w.c = &c;
        bool ok = setup(w) && cudaDeviceSynchronize() == cudaSuccess;
        int reps = r.repeats > 0 ? r.repeats : 20;
        if (ok && r.kind == "overlap") {
            int comm = std::max(1, r.sm_comm);
            double q1, q2;
            ok = time_it([&] { return launch_gemm(w, c.s1); }, c.s1, reps, &alone_a, &q1, &q2) &&
                 time_it([&] { return launch_copy(w, c.s2, 3, comm); }, c.s2, reps, &alone_b,
                         &q1, &q2);
            // together: both streams start on one event; the time runs to the later end
            cudaEvent_t start, e1, e2;
            cudaEventCreate(&start);
            cudaEventCreate(&e1);
            cudaEventCreate(&e2);
            std::vector<float> ms;
            for (int i = 0; i < reps + 3 && ok; i++) {
                cudaEventRecord(start, c.s0);
                cudaStreamWaitEvent(c.s1, start, 0);
                cudaStreamWaitEvent(c.s2, start, 0);
                ok = launch_gemm(w, c.s1) && launch_copy(w, c.s2, 3, comm);
                cudaEventRecord(e1, c.s1);
                cudaEventRecord(e2, c.s2);
                cudaEventSynchronize(e1);
                cudaEventSynchronize(e2);
                float a, b;
                cudaEventElapsedTime(&a, start, e1);
                cudaEventElapsedTime(&b, start, e2);
                if (i >= 3)
                    ms.push_back(std::max(a, b));
            }
            cudaEventDestroy(start);
            cudaEventDestroy(e1);
            cudaEventDestroy(e2);
            if (ok) {
                med = median(ms, 0.5);
                p10 = median(ms, 0.1);
                p90 = median(ms, 0.9);
            }
        } else if (ok) {
            ok = time_it([&] { return launch(w, c.s0); }, c.s0, reps, &med, &p10, &p90);
        }
        // energy: a loop long enough for NVML's counter (>= energy_ms), clocks read mid-loop
        if (ok && nvml.ok && nvml.energy && med > 0 && r.kind != "overlap") {
            long iters = std::max(1L, std::min(1000000L, (long)(energy_ms * 1e-3 / med)));
            unsigned long long e0 = 0, e1 = 0;
            cudaStreamSynchronize(c.s0);
            nvml.energy(nvml.dev, &e0);
            double t0 = now_s();
            for (long i = 0; i < iters && ok; i++) {
                ok = launch(w, c.s0);
                if (i == iters / 2) {
                    smc = nvml_clock(NVML_CLOCK_SM);
                    memc = nvml_clock(NVML_CLOCK_MEM);
                }
            }
            cudaStreamSynchronize(c.s0);
            double t1 = now_s();
            nvml.energy(nvml.dev, &e1);
            if (ok && e1 > e0) {
                energy = (e1 - e0) * 1e-3 / iters;
                power = (e1 - e0) * 1e-3 / (t1 - t0);
            }
        } else if (ok) {
            smc = nvml_clock(NVML_CLOCK_SM);
            memc = nvml_clock(NVML_CLOCK_MEM);
        }
        if (ok)
            snprintf(status, sizeof status, "ok");
        else if (!status[0])
            snprintf(status, sizeof status, "error:launch");
        for (void *p : w.bufs)
            cudaFree(p);
        if (w.desc) cublasLtMatmulDescDestroy(w.desc);
        if (w.la) cublasLtMatrixLayoutDestroy(w.la);
        if (w.lb) cublasLtMatrixLayoutDestroy(w.lb);
        if (w.lc) cublasLtMatrixLayoutDestroy(w.lc);
        cudaGetLastError(); // a failed row must not poison the next
        char line[1024];
        snprintf(line, sizeof line,
                 "%d,%s,%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%d,%d,"
                 "%.17g,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%u,%u,%s",
                 r.id, r.kind.c_str(), r.klass.c_str(), r.dtype.c_str(), r.m, r.n, r.k, r.batch,
                 r.heads, r.kv_heads, r.head_dim, r.seq, r.ctx, r.bytes, r.sms, r.sm_comm,
                 r.freq_mhz, reps, med, p10, p90, alone_a, alone_b, energy, power, smc, memc,
                 status);
        lines.push_back(line);
        fprintf(stderr, "llmdse-runner: %d/%zu %s %s: %s %.3f us\n", r.id, rows.size(),
                r.kind.c_str(), r.klass.c_str(), status, med * 1e6);
    }
    if (nvml.ok && nvml.unlock && locked > 0)
        nvml.unlock(nvml.dev);
    fprintf(out, "# llmdse measurements v1\n# gpu_name: %s\n# driver: %s\n# cuda: %d\n"
                 "# date: %s\n# clocks: %s\n# command: %s\n%s,time_s,time_p10_s,time_p90_s,"
                 "alone_a_s,alone_b_s,energy_j,power_w,sm_clock_mhz,mem_clock_mhz,status\n",
            prop.name, driver, rt, date, clocks.c_str(), cmd.c_str(), kPlanColumns);
    for (auto &l : lines)
        fprintf(out, "%s\n", l.c_str());
    fclose(out);
    if (nvml.ok && nvml.shutdown)
        nvml.shutdown();
    return 0;
}
