/* cmd/kernel.c — llmdse kernel: one primitive (cost/, reports/). docs/cli.md. */
#include "cmd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cmd_kernel(int argc, char **argv)
{
    if (argc < 3 || argv[2][0] == '-')
        die_usage("kernel: expected a kernel: gemm, attention, allreduce, allgather, "
                  "reducescatter, alltoall or sendrecv");
    const char *kind = argv[2];
    const char *gpu = NULL, *dtype = NULL, *format = NULL;
    double M = 0, N = 0, K = 0, freq = 0, sms = 0, bytes = 0;
    int ranks = 0, batch = 1, heads = 0, kv_heads = 0, head_dim = 128, seq = 0, ctx = 0;
    int unfused = 0, scaleout = 0;
    opt opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--m", NULL, O_NUM, &M, 1, 1e9, 0},
                  {"--n", NULL, O_NUM, &N, 1, 1e9, 0},
                  {"--k", NULL, O_NUM, &K, 1, 1e9, 0},
                  {"--dtype", NULL, O_STR, &dtype, 0, 0, 0},
                  {"--freq", NULL, O_NUM, &freq, 1, 1e5, 0},
                  {"--sms", NULL, O_NUM, &sms, 1, 4096, 0},
                  {"--ranks", NULL, O_INT, &ranks, 2, 65536, 0},
                  {"--bytes", NULL, O_NUM, &bytes, 1, 1e15, 0},
                  {"--scaleout", NULL, O_FLAG, &scaleout, 0, 0, 0},
                  {"--batch", NULL, O_INT, &batch, 1, 1 << 20, 0},
                  {"--heads", NULL, O_INT, &heads, 1, 4096, 0},
                  {"--kv-heads", NULL, O_INT, &kv_heads, 1, 4096, 0},
                  {"--head-dim", NULL, O_INT, &head_dim, 1, 4096, 0},
                  {"--seq", NULL, O_INT, &seq, 1, 1 << 24, 0},
                  {"--ctx", NULL, O_INT, &ctx, 1, 1 << 24, 0},
                  {"--unfused", NULL, O_FLAG, &unfused, 0, 0, 0},
                  {"--format", NULL, O_STR, &format, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 3, opts, "kernel");
    report_format fmt = parse_format(format, 0);
    if (!gpu)
        die_usage("kernel: -g GPU is required");
    llm_gpu g;
    llm_err err;
    load_or_die(configs_load_gpu(gpu, &g, &err), &err);
    double mhz = g.max_mhz;
    if (freq > 0 && (mhz = llm_gpu_snap_clock(&g, freq)) < 0)
        die_usage("kernel: --freq: expected an SM clock in [%g, %g] MHz for %s, found %g",
                  g.min_mhz, g.max_mhz, g.name, freq);
    if (sms > g.sm_count)
        die_usage("kernel: --sms: expected at most %d for %s, found %g", g.sm_count, g.name, sms);
    if (sms == 0)
        sms = g.sm_count;
    llm_dtype dt = parse_dtype("--dtype", dtype);
    if (dt == LLM_FP8 && g.fp8_flop_per_clk_sm <= 0)
        die_usage("kernel: --dtype fp8: %s has no fp8 tensor cores; use bf16", g.name);
    cost_kernel k;
    char what[160];
    if (!strcmp(kind, "gemm")) {
        if (!M || !N || !K)
            die_usage("kernel gemm: --m, --n and --k are required");
        double eb = llm_dtype_bytes(dt);
        cost_gemm(&g, &(cost_gemm_shape){M, N, K, 1, eb, eb, 2, dt == LLM_FP8}, mhz, sms, &k);
        snprintf(what, sizeof what, "gemm %.0fx%.0fx%.0f %s", M, N, K, llm_dtype_names[dt]);
    } else if (!strcmp(kind, "attention")) {
        if (!heads || !seq)
            die_usage("kernel attention: --heads and --seq are required (--ctx for keys, "
                      "default --seq; --seq 1 is a decode step)");
        if (!kv_heads)
            kv_heads = heads;
        if (heads % kv_heads)
            die_usage("kernel attention: --kv-heads: expected a divisor of --heads (%d), "
                      "found %d", heads, kv_heads);
        if (!ctx)
            ctx = seq;
        if (ctx < seq)
            die_usage("kernel attention: --ctx: expected at least --seq (%d), found %d", seq,
                      ctx);
        double eb = llm_dtype_bytes(dt);
        cost_attn_shape s = {batch, heads, kv_heads, head_dim, seq, ctx, 2, eb, !unfused};
        cost_attention(&g, &s, mhz, sms, &k);
        snprintf(what, sizeof what, "attention %s b=%d h=%d g=%d x=%d s=%d c=%d",
                 unfused ? "unfused" : "fused", batch, heads, kv_heads, head_dim, seq, ctx);
    } else {
        int c = -1;
        for (int i = 0; llm_coll_names[i]; i++)
            if (!strcmp(kind, llm_coll_names[i]))
                c = i;
        if (c < 0)
            die_usage("kernel: unknown kernel \"%s\"; expected gemm, attention, allreduce, "
                      "allgather, reducescatter, alltoall or sendrecv", kind);
        if (!ranks || !bytes)
            die_usage("kernel %s: --ranks and --bytes are required", kind);
        if (c == LLM_SENDRECV && ranks != 2)
            die_usage("kernel sendrecv: --ranks: expected 2, found %d", ranks);
        cost_collective(&g, (llm_coll)c, ranks, bytes, sms, scaleout, &k);
        snprintf(what, sizeof what, "%s %d ranks %.0f bytes%s", kind, ranks, bytes,
                 scaleout ? " across nodes" : "");
    }
    llm_bands bands;
    load_bands("kernel", &bands);
    report_kernel(stdout, fmt, what, &g, &k, !strcmp(kind, "gemm") ? KIND_GEMM
                                             : !strcmp(kind, "attention") ? KIND_ATTN
                                                                          : KIND_COLL,
                  mhz, sms, &bands);
    return 0;
}
