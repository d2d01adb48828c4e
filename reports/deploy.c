/* reports/deploy.c — llmdse deploy: one front point of an explore or search folder as files a
 * team can run (docs/deploy.md): per replica the engine's launch script, the GPU settings the
 * plan assumed (needing root, never run by llmdse), what the engine cannot express, a
 * machine-readable manifest, a Kubernetes Deployment, a benchmark recipe and the predictions
 * to hold it against; and `validate compare-serving`, the benchmark's result against them.
 *
 * Every engine argument is built once (deploy_argv) and written three ways: shell words
 * (single-quoted), YAML and JSON strings (JSON-escaped; a YAML double-quoted scalar reads a
 * JSON string the same). Names from inputs never become paths: the files have fixed names. */
#include "reports.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXARG 80 /* 32 command words (a 63-byte command) + every flag with its value */
#define ARGLEN 1100
#define MAXREP 256

typedef struct {
    char v[MAXARG][ARGLEN];
    int n;
} argv_t;

typedef struct {
    const char *dir, *out, *weights; /* the folder read, the folder written, the checkpoint */
    report_run *r;
    int pool;                    /* a fleet's pool (its index), or -1: front row `index` */
    char pool_dir[200];          /* the pool's folder (configs_pool_dir) */
    int gpu0;                    /* the first GPU (global index) of the pool's SKU it takes */
    long long space_index;       /* the front row's space index */
    cost_config c;               /* the plan, request lengths fixed (the benchmark's) */
    cost_metrics m;
    cost_metric_bands bd;
    int banded;
    llm_engine e;
    /* what the plan fixes, as the engine is told it */
    int per_replica, replicas, share, gpus, nodes, per_node, chunked, chunk, context;
    int max_seqs, bench_prompts;
    double mem_fraction, freq_mhz, power_w;
    int first_gpu[MAXREP];       /* replica K's first GPU (global index, from gpu0) */
    int node0;                   /* the node of gpu0; nodes: those from node0 it spans */
    char outpath[4400];          /* a pool's folder in the output (out points here) */
    int port_off;                /* a pool's first port past the engine's: the replicas of the
                                    pools before it (pools may share a node) */
    long long index;             /* the front row deployed */
    /* the knobs the engine's command line cannot carry: knob name and why */
    char nx_knob[24][32];
    char nx_why[24][700];
    int nx;
    char slo_miss[160];          /* a front point's SLO verdict when it misses ("" meets) */
} deploy_ctx;

static void add(argv_t *v, const char *s)
{
    if (v->n < MAXARG)
        snprintf(v->v[v->n++], ARGLEN, "%s", s);
}

static void addf(argv_t *v, const char *flag, const char *fmt, double x)
{
    char b[64];
    snprintf(b, sizeof b, fmt, x);
    add(v, flag);
    add(v, b);
}

static void not_expressed(deploy_ctx *d, const char *knob, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void not_expressed(deploy_ctx *d, const char *knob, const char *fmt, ...)
{
    if (d->nx >= 24)
        return;
    snprintf(d->nx_knob[d->nx], sizeof d->nx_knob[0], "%s", knob);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->nx_why[d->nx], sizeof d->nx_why[0], fmt, ap);
    va_end(ap);
    d->nx++;
}

static const llm_engine_flag *fl(const deploy_ctx *d, llm_engine_knob k)
{
    return d->e.flag[k].flag[0] ? &d->e.flag[k] : NULL;
}

/* A dtype knob: the value the engine file gives for dtype t ("" = the flag is left out). */
static const char *dval(const llm_engine_flag *f, llm_dtype t)
{
    return t == LLM_FP8 ? f->fp8 : f->bf16;
}

/* The command and its arguments for replica k (k-th of the plan), as one list. */
static void deploy_argv(const deploy_ctx *d, int k, argv_t *v)
{
    const llm_engine_flag *f;
    char cmd[LLM_NAME_MAX], *save = NULL;
    v->n = 0;
    snprintf(cmd, sizeof cmd, "%s", d->e.command);
    for (char *t = strtok_r(cmd, " ", &save); t; t = strtok_r(NULL, " ", &save))
        add(v, t);
    if (d->e.model_flag[0])
        add(v, d->e.model_flag);
    add(v, d->weights);
    const cost_config *c = &d->c;
    if ((f = fl(d, ENGINE_BACKEND)) && f->bf16[0]) {
        add(v, f->flag);
        add(v, f->bf16);
    }
    addf(v, d->e.flag[ENGINE_TP].flag, "%.0f", d->e.tp_counts_all ? c->tp * c->ep : c->tp);
    if (c->ep > 1) {
        f = fl(d, ENGINE_EP);
        if (f->format == ENGINE_FMT_SWITCH)
            add(v, f->flag);
        else
            addf(v, f->flag, "%.0f", c->ep);
        if ((f = fl(d, ENGINE_DP)))
            addf(v, f->flag, "%.0f", c->ep);
        if ((f = fl(d, ENGINE_DP_ATTENTION)))
            add(v, f->flag);
    }
    if (c->pp > 1) /* pipeline stages (docs/cost-model.md eq. 60-65); deploy_eval checked it */
        addf(v, fl(d, ENGINE_PP)->flag, "%.0f", c->pp);
    if ((f = fl(d, ENGINE_MAX_SEQS)))
        addf(v, f->flag, "%.0f", d->max_seqs);
    if ((f = fl(d, ENGINE_MAX_TOKENS)))
        addf(v, f->flag, "%.0f", d->chunk);
    if (d->chunked && (f = fl(d, ENGINE_CHUNKED)))
        add(v, f->flag);
    if ((f = fl(d, ENGINE_DTYPE)) && dval(f, c->wdtype)[0]) {
        add(v, f->flag);
        add(v, dval(f, c->wdtype));
    }
    if ((f = fl(d, ENGINE_QUANT)) && dval(f, c->wdtype)[0]) {
        add(v, f->flag);
        add(v, dval(f, c->wdtype));
    }
    if ((f = fl(d, ENGINE_KV_DTYPE)) && dval(f, c->kvdtype)[0]) {
        add(v, f->flag);
        add(v, dval(f, c->kvdtype));
    }
    if ((f = fl(d, ENGINE_MEM_FRACTION)))
        addf(v, f->flag, "%.4g", d->mem_fraction);
    if ((f = fl(d, ENGINE_CONTEXT)))
        addf(v, f->flag, "%.0f", d->context);
    if (!d->r->prof.cuda_graphs && (f = fl(d, ENGINE_EAGER)))
        add(v, f->flag);
    if ((f = fl(d, ENGINE_HOST))) {
        add(v, f->flag);
        add(v, "0.0.0.0");
    }
    addf(v, d->e.flag[ENGINE_PORT].flag, "%.0f", d->e.port + d->port_off + k);
}

/* GPUs of replica k: count and the local indices on its node. */
static int replica_gpus(const deploy_ctx *d, int k, int *node, int ids[64])
{
    int g0 = d->first_gpu[k];
    int n = d->share > 1 ? 1 : d->per_replica;
    *node = g0 / d->per_node;
    for (int i = 0; i < n && i < 64; i++)
        ids[i] = (g0 + i) % d->per_node;
    return n;
}

static void gpu_list(char *buf, size_t len, const int *ids, int n)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t u = strlen(buf);
        snprintf(buf + u, len - u, "%s%d", i ? "," : "", ids[i]);
    }
}

static const char *dtn(llm_dtype t)
{
    return llm_dtype_names[t];
}

/* ---- the files ------------------------------------------------------------------------------ */

static void sh_header(FILE *f, const deploy_ctx *d, const char *what)
{
    fputs("#!/bin/sh\n# ", f);
    llm_sh_comment(f, what);
    if (d->pool >= 0)
        fprintf(f, "\n# written by llmdse deploy from pool %d of the fleet in ", d->pool);
    else
        fprintf(f, "\n# written by llmdse deploy from front row %lld of ", d->index);
    llm_sh_comment(f, d->dir);
    fputs(": ", f);
    llm_sh_comment(f, d->r->m.name);
    fputs(" on ", f);
    llm_sh_comment(f, d->r->g.name);
    fprintf(f, ", engine %s %s\n", d->e.engine, d->e.version);
}

typedef struct {
    deploy_ctx *d;
    int k;
} rep_ctx;

static int write_launch(FILE *f, void *vp)
{
    rep_ctx *rc = vp;
    deploy_ctx *d = rc->d;
    int k = rc->k, node, ids[64];
    int n = replica_gpus(d, k, &node, ids);
    char what[128], gl[300];
    snprintf(what, sizeof what, "Replica %d of %d: starts the engine in the foreground.", k,
             d->replicas);
    sh_header(f, d, what);
    gpu_list(gl, sizeof gl, ids, n);
    fprintf(f, "# On node %d, GPUs %s. Run gpu-settings.sh (as root) first: the predictions "
               "assume its SM clock\n# and power limit.%s\nset -eu\n", node, gl,
            d->share > 1 ? " Run mps-setup.sh first: this replica shares its GPU under MPS."
                         : "");
    fputs("export CUDA_VISIBLE_DEVICES=", f);
    llm_sh_word(f, gl);
    fputc('\n', f);
    if (d->share > 1) {
        char b[64];
        snprintf(b, sizeof b, "/tmp/llmdse-mps-%d-%d", node, ids[0]);
        fputs("export CUDA_MPS_PIPE_DIRECTORY=", f);
        llm_sh_word(f, b);
        fputs("\nexport CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=", f);
        snprintf(b, sizeof b, "%d", 100 / d->share);
        llm_sh_word(f, b);
        fputc('\n', f);
    }
    argv_t v;
    deploy_argv(d, k, &v);
    fputs("exec", f);
    for (int i = 0; i < v.n; i++) {
        fputs(i && v.v[i][0] == '-' && v.v[i][1] == '-' ? " \\\n    " : " ", f);
        llm_sh_word(f, v.v[i]);
    }
    fputc('\n', f);
    return 0;
}

static int write_mps(FILE *f, void *vp)
{
    deploy_ctx *d = vp;
    sh_header(f, d, "MPS for the replicas that share a GPU: one control daemon per GPU.");
    fprintf(f, "# %d replicas per GPU (the plan's replicas_per_gpu). Run once per node as the "
               "user that runs the\n# engines, before the launch scripts; stop with: echo quit "
               "| nvidia-cuda-mps-control (same env).\nset -eu\n", d->share);
    int last = -1;
    for (int k = 0; k < d->replicas; k++) {
        int node, ids[64];
        replica_gpus(d, k, &node, ids);
        int g = node * d->per_node + ids[0];
        if (g == last)
            continue;
        last = g;
        char b[64], id[16];
        snprintf(b, sizeof b, "/tmp/llmdse-mps-%d-%d", node, ids[0]);
        snprintf(id, sizeof id, "%d", ids[0]);
        fprintf(f, "# node %d, GPU %d\n", node, ids[0]);
        fputs("CUDA_VISIBLE_DEVICES=", f);
        llm_sh_word(f, id);
        fputs(" CUDA_MPS_PIPE_DIRECTORY=", f);
        llm_sh_word(f, b);
        fputs(" CUDA_MPS_LOG_DIRECTORY=", f);
        llm_sh_word(f, b);
        fputs(" sh -c 'mkdir -p \"$CUDA_MPS_PIPE_DIRECTORY\" && nvidia-cuda-mps-control -d'\n",
              f);
    }
    return 0;
}

static int write_gpu_settings(FILE *f, void *vp)
{
    deploy_ctx *d = vp;
    sh_header(f, d, "GPU settings the plan assumed: SM clock and power limit.");
    fputs("#\n# NEEDS ROOT. CHANGES THE MACHINE: it locks the SM clock and sets the power "
          "limit of the GPUs\n# below until they are reset or the machine reboots. llmdse "
          "never runs this file; read it,\n# then run it yourself (sudo sh gpu-settings.sh) on "
          "each node it names.\n# Undo: nvidia-smi -i IDS -rgc (unlock the clock); nvidia-smi "
          "-i IDS -pl DEFAULT (the limit nvidia-smi -q -d POWER shows as Default Power "
          "Limit).\nset -eu\n", f);
    char clk[64], pw[32];
    snprintf(clk, sizeof clk, "%.0f,%.0f", d->freq_mhz, d->freq_mhz);
    snprintf(pw, sizeof pw, "%.0f", d->power_w);
    for (int node = d->node0; node < d->node0 + d->nodes; node++) {
        int ids[1024], n = 0;
        for (int g = node * d->per_node > d->gpu0 ? node * d->per_node : d->gpu0;
             g < (node + 1) * d->per_node && g < d->gpu0 + d->gpus && n < 1024; g++)
            ids[n++] = g % d->per_node;
        char gl[4096];
        gpu_list(gl, sizeof gl, ids, n);
        fprintf(f, "# node %d: SM clock locked at %.0f MHz, power limit %.0f W per GPU\n", node,
                d->freq_mhz, d->power_w);
        fputs("nvidia-smi -i ", f);
        llm_sh_word(f, gl);
        fputs(" -lgc ", f);
        llm_sh_word(f, clk);
        fputs("\nnvidia-smi -i ", f);
        llm_sh_word(f, gl);
        fputs(" -pl ", f);
        llm_sh_word(f, pw);
        fputc('\n', f);
    }
    return 0;
}

/* The benchmark client's arguments for replica 0 (the predictions are one replica's). */
static void bench_argv(const deploy_ctx *d, argv_t *v)
{
    char b[64];
    v->n = 0;
    add(v, "vllm");
    add(v, "bench");
    add(v, "serve");
    add(v, "--backend");
    add(v, "openai");
    add(v, "--base-url");
    snprintf(b, sizeof b, "http://127.0.0.1:%d", d->e.port + d->port_off);
    add(v, b);
    add(v, "--model");
    add(v, d->weights);
    add(v, "--dataset-name");
    add(v, "random");
    addf(v, "--random-input-len", "%.0f", d->c.prompt);
    addf(v, "--random-output-len", "%.0f", d->c.output);
    add(v, "--ignore-eos");
    addf(v, "--num-prompts", "%.0f", d->bench_prompts);
    add(v, "--request-rate");
    add(v, "inf");
    addf(v, "--max-concurrency", "%.0f", d->c.batch);
    add(v, "--percentile-metrics");
    add(v, "ttft,tpot,itl");
    add(v, "--metric-percentiles");
    add(v, "50,90,99");
    add(v, "--save-result");
    add(v, "--result-filename");
    add(v, "bench-replica-0.json");
}

static int write_bench(FILE *f, void *vp)
{
    deploy_ctx *d = vp;
    sh_header(f, d, "Benchmark recipe: replica 0 under the plan's load, to hold against "
                    "predicted.json.");
    int node, ids[64];
    int n = replica_gpus(d, 0, &node, ids);
    char gl[300];
    gpu_list(gl, sizeof gl, ids, n);
    fprintf(f, "# The workload's mean prompt and output lengths (%d and %d tokens), exactly "
               "(--ignore-eos); the plan's\n# batch of %d sequences kept running "
               "(--max-concurrency, requests sent as fast as they finish):\n# the saturated "
               "state the predictions describe. vLLM's client serves all three engines (they\n# "
               "all serve the OpenAI API) and writes the result compare-serving reads:\n#   "
               "llmdse validate compare-serving --measured bench-replica-0.json -i ",
            d->c.prompt, d->c.output, d->c.batch);
    llm_sh_comment(f, d->out);
    fprintf(f, "\n# GPU power is sampled beside it with nvidia-smi (no root needed) into "
               "power-replica-0.csv.\nset -eu\n");
    fprintf(f, "nvidia-smi -i ");
    llm_sh_word(f, gl);
    fputs(" --query-gpu=index,power.draw,clocks.sm --format=csv,noheader,nounits -lms 500 "
          ">power-replica-0.csv &\nsmi=$!\ntrap 'kill \"$smi\" 2>/dev/null || true' EXIT\n", f);
    argv_t v;
    bench_argv(d, &v);
    for (int i = 0; i < v.n; i++) {
        fputs(i && v.v[i][0] == '-' && v.v[i][1] == '-' ? " \\\n    " : i ? " " : "", f);
        llm_sh_word(f, v.v[i]);
    }
    fputc('\n', f);
    return 0;
}

/* A DNS-1123 label from the model's name (checked [A-Za-z0-9._-] where it was read). */
static void dns_name(const deploy_ctx *d, char *buf, size_t len)
{
    if (d->pool >= 0)
        snprintf(buf, len, "llmdse-%s-%s-pool%d", d->r->m.name, d->e.engine, d->pool);
    else
        snprintf(buf, len, "llmdse-%s-%s-row%lld", d->r->m.name, d->e.engine, d->index);
    for (char *p = buf; *p; p++)
        *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a')
           : ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) ? *p : '-';
    if (len > 63)
        buf[63] = '\0';
    for (size_t l = strlen(buf); l && buf[l - 1] == '-'; l--)
        buf[l - 1] = '\0';
}

static void yaml_str(FILE *f, const char *s)
{
    llm_json_string(f, s);
}

static int write_k8s(FILE *f, void *vp)
{
    deploy_ctx *d = vp;
    char name[200];
    dns_name(d, name, sizeof name);
    int pods = d->share > 1 ? (d->replicas + d->share - 1) / d->share : d->replicas;
    int per_pod = d->share > 1 ? d->share : 1;
    fputs("# The plan's replicas as one Kubernetes Deployment (written by llmdse deploy; no "
          "cluster needed to\n# generate it). ", f);
    if (d->share > 1)
        fprintf(f, "%d replicas share each GPU: one pod per GPU with %d containers; the GPU "
                   "must be shared\n# under MPS by the NVIDIA device plugin (sharing.mps) for "
                   "this to run.\n", d->share, d->share);
    else
        fprintf(f, "One pod per replica, %d GPU%s each.\n", d->per_replica,
                d->per_replica > 1 ? "s" : "");
    fputs("# The SM clock and power limit (gpu-settings.sh) are node settings: apply them on "
          "the nodes first.\n", f);
    fprintf(f, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  labels:\n"
               "    app: %s\nspec:\n  replicas: %d\n  selector:\n    matchLabels:\n      app: "
               "%s\n  template:\n    metadata:\n      labels:\n        app: %s\n    spec:\n"
               "      containers:\n", name, name, pods, name, name);
    for (int j = 0; j < per_pod; j++) {
        argv_t v;
        /* the launch arguments of the pod's j-th replica: ports differ within a pod */
        deploy_argv(d, j, &v);
        fprintf(f, "        - name: engine-%d\n          image: ", j);
        yaml_str(f, d->e.image);
        fputs("\n          command: [", f);
        for (int i = 0; i < v.n; i++) {
            fputs(i ? ", " : "", f);
            yaml_str(f, v.v[i]);
        }
        fprintf(f, "]\n          ports:\n            - containerPort: %d\n", d->e.port + d->port_off + j);
        if (d->share > 1)
            fprintf(f, "          env:\n            - name: CUDA_MPS_ACTIVE_THREAD_PERCENTAGE\n"
                       "              value: \"%d\"\n", 100 / d->share);
        if (j == 0)
            fprintf(f, "          resources:\n            limits:\n              nvidia.com/gpu: "
                       "%d\n", d->share > 1 ? 1 : d->per_replica);
        fputs("          volumeMounts:\n            - name: dshm\n              mountPath: "
              "/dev/shm\n", f);
    }
    fputs("      volumes:\n        - name: dshm\n          emptyDir:\n            medium: "
          "Memory\n", f);
    return 0;
}

static void json_argv(json_out *j, const char *key, const argv_t *v)
{
    json_arr(j, key);
    for (int i = 0; i < v->n; i++)
        json_str(j, NULL, v->v[i]);
    json_end_arr(j);
}

static int write_manifest(FILE *f, void *vp)
{
    deploy_ctx *d = vp;
    const cost_config *c = &d->c;
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    json_str(&j, "format", "llmdse deploy");
    json_int(&j, "version", 1);
    json_obj(&j, "from");
    json_str(&j, "dir", d->dir);
    if (d->pool >= 0) {
        json_int(&j, "pool", d->pool);
        json_str(&j, "pool_dir", d->pool_dir);
    } else {
        json_int(&j, "row", d->index);
        json_int(&j, "space_index", d->space_index);
    }
    json_end_obj(&j);
    json_str(&j, "model", d->r->m.name);
    json_str(&j, "gpu", d->r->g.name);
    json_str(&j, "workload", d->r->w.name);
    json_str(&j, "serving", d->r->prof.name);
    json_str(&j, "weights", d->weights);
    json_obj(&j, "engine");
    json_str(&j, "name", d->e.name);
    json_str(&j, "engine", d->e.engine);
    json_str(&j, "version", d->e.version);
    json_str(&j, "image", d->e.image);
    json_end_obj(&j);
    json_obj(&j, "plan");
    json_int(&j, "tp", c->tp);
    json_int(&j, "ep", c->ep);
    json_int(&j, "pp", c->pp);
    json_int(&j, "batch", c->batch);
    json_int(&j, "max_seqs", d->max_seqs);
    json_bool(&j, "chunked_prefill", d->chunked);
    json_int(&j, "chunk_tokens", d->chunk);
    json_str(&j, "dtype", dtn(c->wdtype));
    json_str(&j, "kv_dtype", dtn(c->kvdtype));
    json_num(&j, "gpu_memory_fraction", d->mem_fraction);
    json_int(&j, "context_len", d->context);
    json_bool(&j, "cuda_graphs", d->r->prof.cuda_graphs);
    json_int(&j, "sm_comm", c->sm_comm);
    json_num(&j, "freq_mhz", d->freq_mhz);
    json_num(&j, "power_limit_w", d->power_w);
    json_int(&j, "replicas", d->replicas);
    json_int(&j, "replicas_per_gpu", d->share);
    json_int(&j, "gpus", d->gpus);
    json_end_obj(&j);
    if (d->pool >= 0) {
        json_obj(&j, "gpu_range");
        json_int(&j, "first", d->gpu0);
        json_int(&j, "last", d->gpu0 + d->gpus - 1);
        json_int(&j, "first_node", d->node0);
        json_int(&j, "last_node", d->node0 + d->nodes - 1);
        json_int(&j, "gpus_per_node", d->per_node);
        json_end_obj(&j);
    }
    json_arr(&j, "replicas");
    for (int k = 0; k < d->replicas; k++) {
        int node, ids[64];
        int n = replica_gpus(d, k, &node, ids);
        char s[64];
        snprintf(s, sizeof s, "launch-replica-%d.sh", k);
        json_obj(&j, NULL);
        json_int(&j, "index", k);
        json_int(&j, "node", node);
        json_arr(&j, "gpus");
        for (int i = 0; i < n; i++)
            json_int(&j, NULL, ids[i]);
        json_end_arr(&j);
        json_int(&j, "port", d->e.port + d->port_off + k);
        json_str(&j, "script", s);
        argv_t v;
        deploy_argv(d, k, &v);
        json_argv(&j, "argv", &v);
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_obj(&j, "gpu_settings");
    json_str(&j, "script", "gpu-settings.sh");
    json_bool(&j, "needs_root", 1);
    json_bool(&j, "run_by_llmdse", 0);
    json_num(&j, "sm_clock_mhz", d->freq_mhz);
    json_num(&j, "power_limit_w", d->power_w);
    json_end_obj(&j);
    if (d->share > 1)
        json_str(&j, "mps_setup", "mps-setup.sh");
    json_arr(&j, "not_expressed");
    for (int i = 0; i < d->nx; i++) {
        json_obj(&j, NULL);
        json_str(&j, "knob", d->nx_knob[i]);
        json_str(&j, "why", d->nx_why[i]);
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_obj(&j, "benchmark");
    json_str(&j, "script", "benchmark.sh");
    argv_t bv;
    bench_argv(d, &bv);
    json_argv(&j, "argv", &bv);
    json_str(&j, "result", "bench-replica-0.json");
    json_str(&j, "predicted", "predicted.json");
    json_end_obj(&j);
    json_str(&j, "kubernetes", "deployment.yaml");
    json_end_obj(&j);
    json_finish(&j);
    return 0;
}

static void pred(json_out *j, const deploy_ctx *d, llm_pred_metric k, double v,
                 const cost_interval *b, double scale)
{
    json_num(j, llm_pred_keys[k], v * scale);
    if (!d->banded)
        return;
    char key[80];
    snprintf(key, sizeof key, "%s_lo", llm_pred_keys[k]);
    json_num(j, key, b->lo * scale);
    snprintf(key, sizeof key, "%s_hi", llm_pred_keys[k]);
    json_num(j, key, b->hi * scale);
}

static int write_predicted(FILE *f, void *vp)
{
    deploy_ctx *d = vp;
    const cost_metrics *m = &d->m;
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    json_str(&j, "format", "llmdse predicted");
    json_int(&j, "version", 1);
    json_str(&j, "per", "replica");
    json_obj(&j, "recipe");
    json_int(&j, "prompt", d->c.prompt);
    json_int(&j, "output", d->c.output);
    json_str(&j, "request_rate", "inf");
    json_int(&j, "max_concurrency", d->c.batch);
    json_int(&j, "num_prompts", d->bench_prompts);
    json_end_obj(&j);
    json_bool(&j, "banded", d->banded);
    if (d->banded)
        json_str(&j, "regime",
                 llm_band_regime_names[cost_band_regime(&d->r->g, d->c.serving)]);
    json_obj(&j, "predicted");
    const cost_metric_bands *b = &d->bd;
    pred(&j, d, PRED_TTFT_P50, m->ttft_p50_s, &b->ttft_p50, 1);
    pred(&j, d, PRED_TTFT_P90, m->ttft_p90_s, &b->ttft_p90, 1);
    pred(&j, d, PRED_TTFT_P99, m->ttft_p99_s, &b->ttft_p99, 1);
    pred(&j, d, PRED_TPOT_P50, m->tpot_p50_s, &b->tpot_p50, 1);
    pred(&j, d, PRED_TPOT_P90, m->tpot_p90_s, &b->tpot_p90, 1);
    pred(&j, d, PRED_TPOT_P99, m->tpot_p99_s, &b->tpot_p99, 1);
    pred(&j, d, PRED_THROUGHPUT, m->throughput_tok_s, &b->throughput, 1.0 / d->replicas);
    pred(&j, d, PRED_POWER, m->avg_power_w, &b->avg_power, 1);
    json_num(&j, "energy_per_token_j", m->energy_per_token_j);
    json_end_obj(&j);
    json_end_obj(&j);
    json_finish(&j);
    return 0;
}

static int write_notes(FILE *f, void *vp)
{
    deploy_ctx *d = vp;
    const cost_config *c = &d->c;
    if (d->pool >= 0)
        fprintf(f, "# Deployment of pool %d of the fleet: ", d->pool);
    else
        fprintf(f, "# Deployment of front row %lld: ", d->index);
    llm_md_text(f, d->r->m.name);
    fputs(" on ", f);
    llm_md_text(f, d->r->g.name);
    fprintf(f, " with %s %s\n\n", d->e.engine, d->e.version);
    char ppb[32] = "";
    if (c->pp > 1)
        snprintf(ppb, sizeof ppb, ", pp %d", c->pp);
    fprintf(f, "The plan: tp %d, ep %d%s, batch %d, %s weights, %s KV cache, %s at %d tokens "
               "per step, SM clock %.0f MHz, power limit %.0f W, sm_comm %d, %d replica%s (%d "
               "per GPU), %d GPU%s.\n\n", c->tp, c->ep, ppb, c->batch, dtn(c->wdtype),
            dtn(c->kvdtype),
            d->chunked ? "chunked prefill" : "no chunked prefill", d->chunk, d->freq_mhz,
            d->power_w, c->sm_comm, d->replicas, d->replicas > 1 ? "s" : "", d->share,
            d->gpus, d->gpus > 1 ? "s" : "");
    if (d->slo_miss[0])
        fprintf(f, "**Warning:** %s (explore without --slo keeps such points on its front; "
                   "`llmdse explore --slo` leaves them out).\n\n", d->slo_miss);
    if (d->pool >= 0) {
        fprintf(f, "## The GPUs this pool assumes\n\nThe fleet's pools of one GPU type take "
                   "disjoint GPUs in the order of recommendation.json's fleet, %d GPUs per node "
                   "(the GPU file's gpus_per_node), numbered from 0 on node 0 across that type's "
                   "nodes. This pool assumes GPUs %d to %d of its type: ", d->per_node, d->gpu0,
                d->gpu0 + d->gpus - 1);
        for (int node = d->node0; node < d->node0 + d->nodes; node++) {
            int lo = node * d->per_node > d->gpu0 ? node * d->per_node : d->gpu0;
            int hi = (node + 1) * d->per_node < d->gpu0 + d->gpus ? (node + 1) * d->per_node
                                                                    : d->gpu0 + d->gpus;
            fprintf(f, "%snode %d GPUs %d-%d", node > d->node0 ? ", " : "", node,
                    lo % d->per_node, (hi - 1) % d->per_node);
        }
        fputs(" (local indices, as CUDA_VISIBLE_DEVICES gives them). The fleet's other pools "
              "are in the sibling folders; ../fleet.json lists them all.\n\n", f);
    }
    fputs("Files: `launch-replica-K.sh` (one per replica), `gpu-settings.sh` (needs root, "
          "changes the machine; llmdse never runs it), ", f);
    if (d->share > 1)
        fputs("`mps-setup.sh` (the MPS daemons), ", f);
    fputs("`deployment.yaml` (Kubernetes), `benchmark.sh` and `predicted.json` (the recipe "
          "and what to expect), `deploy.json` (all of it, machine-readable).\n\n", f);
    fputs("## What the engine's command line does not express\n\n", f);
    for (int i = 0; i < d->nx; i++) {
        fprintf(f, "- **%s**: ", d->nx_knob[i]);
        llm_md_text(f, d->nx_why[i]);
        fputc('\n', f);
    }
    fputs("\n## The engine file's flags, and where each is documented\n\n", f);
    for (int k = 0; k < ENGINE_NFLAGS; k++)
        if (d->e.flag[k].flag[0]) {
            fprintf(f, "- `%s` (%s): %s\n", d->e.flag[k].flag, llm_engine_knob_names[k],
                    d->e.flag[k].doc);
        }
    fprintf(f, "- image `%s`: %s\n", d->e.image, d->e.image_doc);
    return 0;
}

/* ---- the plan, checked against the engine ---------------------------------------------------- */

static int plan_deploy(deploy_ctx *d, llm_err *err)
{
    report_run *r = d->r;
    cost_config *c = &d->c;
    const llm_serving *sv = &r->prof;
    const llm_engine *e = &d->e;
    d->share = c->replicas_per_gpu > 1 ? c->replicas_per_gpu : 1;
    d->per_replica = c->tp * c->ep * c->pp;
    d->replicas = c->replicas;
    d->per_node = r->s.gpus_per_node > 0 ? r->s.gpus_per_node : r->g.gpus_per_node;
    if (d->per_node < 1)
        d->per_node = 8;
    if (d->share > 1 && !e->mps) {
        llm_err_set(err, "deploy: the plan puts %d replicas on each GPU; %s cannot share a GPU "
                    "(configs/engines/%s.json: \"mps\": false: %s)", d->share, e->name, e->name,
                    e->mps_source);
        return -1;
    }
    if (c->ep > 1 && !e->flag[ENGINE_EP].flag[0]) {
        llm_err_set(err, "deploy: the plan has expert parallel ep %d; %s has no expert-parallel "
                    "flag (configs/engines/%s.json)", c->ep, e->name, e->name);
        return -1;
    }
    if (c->pp > 1 && (!e->flag[ENGINE_PP].flag[0] || e->flag[ENGINE_PP].format != ENGINE_FMT_VALUE)) {
        llm_err_set(err, "deploy: the plan has %d pipeline stages; %s has no pipeline-parallel "
                    "flag taking a value (configs/engines/%s.json)", c->pp, e->name, e->name);
        return -1;
    }
    if (d->per_replica > d->per_node) {
        llm_err_set(err, "deploy: a replica of tp %d x ep %d x pp %d spans %d GPUs, more than a "
                    "node's %d: multi-node replicas are not written by deploy", c->tp, c->ep,
                    c->pp, d->per_replica, d->per_node);
        return -1;
    }
    if (d->replicas > MAXREP) {
        llm_err_set(err, "deploy: %d replicas; at most %d are written", d->replicas, MAXREP);
        return -1;
    }
    /* replica k's GPUs: whole replicas never straddle a node */
    int g = d->gpu0;
    for (int k = 0; k < d->replicas; k++) {
        if (d->share > 1) {
            d->first_gpu[k] = d->gpu0 + k / d->share;
            continue;
        }
        if (g % d->per_node + d->per_replica > d->per_node)
            g += d->per_node - g % d->per_node;
        d->first_gpu[k] = g;
        g += d->per_replica;
    }
    if (d->share == 1)
        d->gpu0 = d->first_gpu[0]; /* a pool starts on the node its first replica fits in */
    int end = d->share > 1 ? d->gpu0 + (d->replicas + d->share - 1) / d->share
                           : d->first_gpu[d->replicas - 1] + d->per_replica;
    d->gpus = end - d->gpu0;     /* with the GPUs a replica skipped to stay on one node */
    d->node0 = d->gpu0 / d->per_node;
    d->nodes = (end - 1) / d->per_node - d->node0 + 1;
    d->chunked = c->chunk_tokens > 0 || sv->chunked_prefill;
    d->chunk = c->chunk_tokens > 0 ? c->chunk_tokens : sv->max_num_batched_tokens;
    d->mem_fraction = sv->gpu_memory_utilization / d->share;
    double ctx = fmax(r->w.prompt_p99, r->w.prompt_mean) + fmax(r->w.output_p99,
                                                                 r->w.output_mean);
    d->context = (int)ceil(ctx);
    if (d->context > r->m.max_context_tokens)
        d->context = r->m.max_context_tokens;
    d->freq_mhz = c->freq_mhz > 0 ? c->freq_mhz : r->g.max_mhz;
    d->power_w = c->power_cap_w > 0 ? c->power_cap_w : r->g.tdp_w;
    const llm_engine_flag *ms = fl(d, ENGINE_MAX_SEQS);
    d->max_seqs = ms && ms->per_dp_rank ? (c->batch + c->ep - 1) / c->ep : c->batch;
    d->bench_prompts = c->batch * 4 > 200 ? c->batch * 4 : 200;
    /* what the command line does not carry */
    const char *en = e->engine;
    if (c->sm_comm > 0)
        not_expressed(d, "sm_comm", "the plan gives communication kernels %d SMs of their own "
                      "(compute and communication overlap on an SM split). Not settable in %s. "
                      "The closest knob is NCCL's NCCL_MAX_NCHANNELS (each channel runs on one "
                      "SM): it caps the SMs NCCL's collectives occupy but reserves none for "
                      "them, and the engine's own all-reduce kernels (custom all-reduce) ignore "
                      "it; the predictions assume the split", c->sm_comm, en);
    else
        not_expressed(d, "sm_comm", "0: the plan reserves no SMs for communication (compute "
                      "and communication take turns); nothing to set");
    not_expressed(d, "sm clock and power limit", "%.0f MHz and %.0f W: node settings, not "
                  "engine flags; gpu-settings.sh has the nvidia-smi commands (root)", d->freq_mhz,
                  d->power_w);
    static const struct { llm_engine_knob k; const char *hint; } hints[] = {
        {ENGINE_KV_DTYPE, "TensorRT-LLM: kv_cache_config.dtype in the YAML given by "
                          "--extra_llm_api_options"},
        {ENGINE_EAGER, "TensorRT-LLM: cuda_graph_config in the YAML given by "
                       "--extra_llm_api_options"},
        {ENGINE_MAX_SEQS, "the engine's default applies"},
        {ENGINE_MAX_TOKENS, "the engine's default applies"},
        {ENGINE_MEM_FRACTION, "the engine's default applies"},
        {ENGINE_CONTEXT, "the model's maximum applies"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (!e->flag[hints[i].k].flag[0]) {
            int on = hints[i].k != ENGINE_EAGER || !sv->cuda_graphs;
            int kv = hints[i].k != ENGINE_KV_DTYPE || c->kvdtype != LLM_BF16;
            if (on && kv)
                not_expressed(d, llm_engine_knob_names[hints[i].k], "%s has no command-line "
                              "flag for it (configs/engines/%s.json); %s", en, e->name,
                              hints[i].hint);
        }
    if (c->kvdtype == LLM_BF16 && !e->flag[ENGINE_KV_DTYPE].flag[0])
        not_expressed(d, "kv_dtype", "bf16, the model's own dtype: the engine's default");
    if (c->ep > 1 && !e->flag[ENGINE_DP].flag[0])
        not_expressed(d, "attention data parallel", "the plan runs attention data-parallel "
                      "over the %d expert-parallel groups (tp %d inside each); %s has no "
                      "command-line flag for it (TensorRT-LLM: enable_attention_dp: true in the "
                      "YAML given by --extra_llm_api_options)", c->ep, c->tp, en);
    if (c->ep > 1)
        not_expressed(d, "expert placement", "llmdse splits the experts over the %d groups and "
                      "tensor-parallelises each over its group's %d GPU%s; the engine places "
                      "them by its own rule for the sizes given", c->ep, c->tp,
                      c->tp > 1 ? "s" : "");
    if (d->chunked && !e->flag[ENGINE_CHUNKED].flag[0])
        not_expressed(d, "chunked_prefill", "on in the plan, with a budget of %d tokens per "
                      "step (%s); %s's command line has no chunked-prefill switch: whether it "
                      "chunks follows its own default and configuration file", d->chunk,
                      e->flag[ENGINE_MAX_TOKENS].flag[0] ? e->flag[ENGINE_MAX_TOKENS].flag
                                                         : "not settable", en);
    if (!d->chunked)
        not_expressed(d, "chunked_prefill", "off in the plan (serving profile %s); the "
                      "command sets the token budget only: an engine that always chunks (vLLM "
                      "V1) will chunk prompts longer than %d tokens", sv->name, d->chunk);
    if (!r->in.kv_paged)
        not_expressed(d, "kv", "the run reserved KV for prompt + output of every sequence "
                      "(--kv reserve); the engines page their KV cache");
    if (c->wdtype == LLM_FP8)
        not_expressed(d, "dtype", "fp8 weights: the weights given by --weights should be an "
                      "fp8 checkpoint, or the engine quantises them at load (%s)",
                      e->flag[ENGINE_QUANT].flag[0] ? e->flag[ENGINE_QUANT].flag
                                                    : "no quantization flag");
    not_expressed(d, "overhead", "the serving profile %s's CPU-side times are the model's, "
                  "not a setting", sv->name);
    return 0;
}

/* ---- llmdse deploy ----------------------------------------------------------------------- */

/* Without --index: the front's knee (eq. 56, recorded in summary.json) as its front.csv row. */
static int knee_row(const char *dir, long long *row, llm_err *err)
{
    char path[4096];
    llm_summary sum;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (configs_load_summary(path, space_prune_names, &sum, err)) {
        llm_err_prefix(err, "deploy", LLM_ERR_INPUT);
        return -1;
    }
    if (!sum.has_knee) {
        llm_err_set(err, "deploy: %s records no knee (an older run, or an empty front): give "
                    "--index N", path);
        return -1;
    }
    uint64_t *idx;
    size_t n;
    snprintf(path, sizeof path, "%s/front.csv", dir);
    if (report_read_front_indices(path, &idx, &n, err)) {
        llm_err_prefix(err, "deploy", LLM_ERR_INPUT);
        return -1;
    }
    *row = -1;
    for (size_t i = 0; i < n && *row < 0; i++)
        if (idx[i] == sum.knee_index)
            *row = (long long)i;
    free(idx);
    if (*row < 0) {
        llm_err_set(err, "deploy: %s: the knee (space index %llu) is not a row of the front: "
                    "give --index N", path, sum.knee_index);
        return -1;
    }
    return 0;
}

/* The engine, the plan checked against it, and the predictions under the benchmark's fixed
 * lengths (--ignore-eos: no output spread), for d->r and d->c. */
static int deploy_eval(deploy_ctx *d, const report_deploy_args *a, llm_err *err)
{
    report_run *run = d->r;
    if (configs_find_engine(a->engine ? a->engine : "", a->version ? a->version : "",
                            run->prof.name, &d->e, err)) {
        llm_err_prefix(err, "deploy", LLM_ERR_INPUT);
        return -1;
    }
    if (plan_deploy(d, err))
        return -1;
    d->c.output_cv2 = 0;
    if (cost_check(&run->m, &run->g, &d->c, err)) {
        llm_err_prefix(err, "deploy", LLM_ERR_INPUT);
        return -1;
    }
    cost_eval(&run->m, &run->g, &d->c, &d->m);
    if (!report_metrics_finite(&d->m)) {
        llm_err_fail(err, "deploy: the cost model produced a non-finite or negative result; "
                     "this is a bug, please report it");
        return -1;
    }
    /* a front point of an explore without --slo may miss the workload's SLOs: judged on the
     * row as explore evaluated it (search/slo.c), said in NOTES.md and on stderr */
    d->slo_miss[0] = 0;
    if (d->pool < 0 && d->space_index >= 0) {
        search_row row;
        search_row_eval(&run->in, (uint64_t)d->space_index, &row);
        double t = search_slo_ttft(&run->w, &row.m), p = search_slo_tpot(&run->w, &row.m);
        if (t > run->w.ttft_slo_s || p > run->w.tpot_slo_s)
            snprintf(d->slo_miss, sizeof d->slo_miss, "it misses the %s workload's SLO%s: "
                     "TTFT %.3g s vs %.3g s, TPOT %.3g s vs %.3g s", run->w.name,
                     (t > run->w.ttft_slo_s) && (p > run->w.tpot_slo_s) ? "s" : "", t,
                     run->w.ttft_slo_s, p, run->w.tpot_slo_s);
    }
    d->banded = run->in.bands != NULL;
    if (d->banded)
        cost_metrics_bands(run->in.bands, cost_band_regime(&run->g, d->c.serving), &d->m,
                           d->power_w, &d->bd);
    return 0;
}

/* Every file of one deployment (a front point, or a fleet's pool) into dir. */
static int deploy_files(deploy_ctx *d, const char *dir, llm_err *err)
{
    int w = 0;
    rep_ctx rcx = {d, 0};
    for (int k = 0; k < d->replicas && !w; k++) {
        char name[64];
        snprintf(name, sizeof name, "launch-replica-%d.sh", k);
        rcx.k = k;
        w = report_write_atomic(dir, name, write_launch, &rcx, err);
    }
    w = w || report_write_atomic(dir, "gpu-settings.sh", write_gpu_settings, d, err) ||
        (d->share > 1 && report_write_atomic(dir, "mps-setup.sh", write_mps, d, err)) ||
        report_write_atomic(dir, "benchmark.sh", write_bench, d, err) ||
        report_write_atomic(dir, "deployment.yaml", write_k8s, d, err) ||
        report_write_atomic(dir, "predicted.json", write_predicted, d, err) ||
        report_write_atomic(dir, "NOTES.md", write_notes, d, err) ||
        report_write_atomic(dir, "deploy.json", write_manifest, d, err);
    return w ? -1 : 0;
}

/* The output folder as one change: abandoned when writing failed, else swapped into place.
 * 0, or -1 with err (a run-time failure). */
static int finish_out(report_outdir *od, int failed, llm_err *err)
{
    if (failed)
        report_outdir_abort(od);
    if (failed || report_outdir_commit(od, 0, err)) {
        llm_err_prefix(err, "deploy", LLM_ERR_RUNTIME);
        return -1;
    }
    return 0;
}

/* ---- a whole fleet: a recommend output ------------------------------------------------------ */

typedef struct {
    const report_deploy_args *a;
    const llm_recommendation *rec;
    deploy_ctx **d;
    report_run **run;
    const char *weights[LLM_REC_MAX_MODELS];
    int nskus;                               /* the GPU types the pools use, in order */
    const char *skus[LLM_REC_MAX_POOLS];
    int gpu_next[LLM_REC_MAX_POOLS];         /* by type: the GPUs the pools take */
} fleet_ctx;

/* --weights MODEL=W[,MODEL=W...] (or one W for a fleet of one model): w[m] the checkpoint of
 * the request's model m, pointing into buf. */
static int fleet_weights(const char *arg, const llm_recommendation *rec, char *buf, size_t len,
                         const char **w, llm_err *err)
{
    char names[LLM_REC_MAX_MODELS * (LLM_NAME_MAX + 2)] = "";
    for (int m = 0; m < rec->nmodels; m++) {
        size_t u = strlen(names);
        snprintf(names + u, sizeof names - u, "%s%s", m ? ", " : "", rec->models[m].model);
    }
    if (strlen(arg) >= len) {
        llm_err_set(err, "deploy: --weights: too long");
        return -1;
    }
    strcpy(buf, arg);
    size_t n0 = strlen(rec->models[0].model);
    if (rec->nmodels == 1 && !(strncmp(buf, rec->models[0].model, n0) == 0 && buf[n0] == '=')) {
        w[0] = buf; /* one checkpoint, the whole argument (commas and '=' kept) */
        return 0;
    }
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq) {
            llm_err_set(err, "deploy: --weights: expected MODEL=CHECKPOINT for each of the "
                        "fleet's models (%s), found \"%.200s\"", names, t);
            return -1;
        }
        *eq = '\0';
        int m = -1;
        for (int i = 0; i < rec->nmodels; i++)
            if (!strcmp(t, rec->models[i].model))
                m = i;
        if (m < 0) {
            llm_err_set(err, "deploy: --weights: %.100s is not a model of the fleet (its "
                        "models: %s)", t, names);
            return -1;
        }
        if (w[m]) {
            llm_err_set(err, "deploy: --weights: %s given twice", t);
            return -1;
        }
        if (!eq[1]) {
            llm_err_set(err, "deploy: --weights: %s=: expected a checkpoint after '='", t);
            return -1;
        }
        w[m] = eq + 1;
    }
    for (int m = 0; m < rec->nmodels; m++)
        if (!w[m]) {
            llm_err_set(err, "deploy: --weights: no checkpoint for %s, a model of the fleet "
                        "(give %s=CHECKPOINT)", rec->models[m].model, rec->models[m].model);
            return -1;
        }
    return 0;
}

/* "deploy: X" as "deploy: pool P (MODEL on GPU): X". */
static void pool_err(llm_err *err, int p, const llm_rec_pool *q)
{
    char msg[LLM_ERR_MAX];
    const char *s = !strncmp(err->msg, "deploy: ", 8) ? err->msg + 8 : err->msg;
    snprintf(msg, sizeof msg, "%s", s);
    if (snprintf(err->msg, sizeof err->msg, "deploy: pool %d (%s on %s): %s", p, q->model,
                 q->gpu, msg) >= (int)sizeof err->msg)
        err->msg[sizeof err->msg - 1] = '\0'; /* cut, as every message is */
}

/* Pool p's inputs loaded by name, its configuration and GPUs; gpu_next: by GPU type, the
 * first GPU no earlier pool of that type took. */
static int fleet_pool(fleet_ctx *fc, int p, llm_err *err)
{
    const llm_recommendation *rec = fc->rec;
    const llm_rec_pool *q = &rec->pools[p];
    deploy_ctx *d = fc->d[p];
    report_run *run = fc->run[p];
    int m = 0;
    while (strcmp(rec->models[m].model, q->model))
        m++; /* the reader checked that it is one */
    d->dir = fc->a->dir;
    d->weights = fc->weights[m];
    d->r = run;
    d->pool = p;
    d->index = -1;
    if (configs_pool_dir(d->pool_dir, sizeof d->pool_dir, p, q->model, q->gpu)) {
        llm_err_set(err, "deploy: a name of the fleet is not a folder name");
        return -1;
    }
    snprintf(d->outpath, sizeof d->outpath, "%s/%s", fc->a->out, d->pool_dir);
    d->out = d->outpath;
    if (configs_load_model(q->model, &run->m, err) || configs_load_gpu(q->gpu, &run->g, err) ||
        configs_load_workload(rec->models[m].workload, &run->w, err) ||
        configs_load_serving(rec->serving, &run->prof, err) ||
        configs_load_bands(NULL, &run->bands, err)) {
        llm_err_prefix(err, "deploy", LLM_ERR_INPUT);
        return -1;
    }
    run->in = (search_inputs){&run->m, &run->g, &run->w, &run->s, &run->prof,
                              rec->chunk_tokens, rec->kv_paged, &run->bands, 0};
    run->in.kv_paged = rec->kv_paged;
    space_point pt = {q->tp, q->ep, q->batch, q->sm_comm, q->replicas, q->chunk_tokens,
                      q->replicas_per_gpu, q->dtype, q->kv_dtype, q->freq_mhz, q->pp};
    search_config(&run->in, &pt, &d->c);
    int k = 0;
    while (k < fc->nskus && strcmp(fc->skus[k], q->gpu))
        k++;
    d->gpu0 = fc->gpu_next[k];
    for (int i = 0; i < p; i++)
        d->port_off += fc->d[i]->replicas;
    if (deploy_eval(d, fc->a, err))
        return -1;
    fc->gpu_next[k] = d->gpu0 + d->gpus;
    return 0;
}

/* The GPUs of type k the request has (recommendation.json's request.gpus; 0: not listed). */
static double gpus_available(const fleet_ctx *fc, int k)
{
    for (int i = 0; i < fc->rec->ngpus; i++)
        if (!strcmp(fc->rec->gpus[i].gpu, fc->skus[k]))
            return fc->rec->gpus[i].count;
    return 0;
}

static int write_fleet_json(FILE *f, void *vp)
{
    fleet_ctx *fc = vp;
    const llm_recommendation *rec = fc->rec;
    json_out j;
    json_begin(&j, f, 1);
    json_obj(&j, NULL);
    json_str(&j, "format", "llmdse fleet deploy");
    json_int(&j, "version", 1);
    json_obj(&j, "from");
    json_str(&j, "dir", fc->a->dir);
    json_str(&j, "recommendation", "recommendation.json");
    json_str(&j, "status", rec->status);
    json_end_obj(&j);
    json_obj(&j, "engine");
    json_str(&j, "name", fc->d[0]->e.name);
    json_str(&j, "engine", fc->d[0]->e.engine);
    json_str(&j, "version", fc->d[0]->e.version);
    json_end_obj(&j);
    json_str(&j, "serving", rec->serving);
    json_arr(&j, "pools");
    for (int p = 0; p < rec->npools; p++) {
        const deploy_ctx *d = fc->d[p];
        const llm_rec_pool *q = &rec->pools[p];
        json_obj(&j, NULL);
        json_int(&j, "pool", p);
        json_str(&j, "dir", d->pool_dir);
        json_str(&j, "model", q->model);
        json_str(&j, "gpu", q->gpu);
        json_str(&j, "weights", d->weights);
        json_int(&j, "replicas", d->replicas);
        json_int(&j, "replicas_per_gpu", d->share);
        json_int(&j, "tp", d->c.tp);
        json_int(&j, "ep", d->c.ep);
        json_int(&j, "pp", d->c.pp);
        json_int(&j, "batch", d->c.batch);
        json_num(&j, "freq_mhz", d->freq_mhz);
        json_int(&j, "gpus", d->gpus);
        json_int(&j, "first_gpu", d->gpu0);
        json_int(&j, "last_gpu", d->gpu0 + d->gpus - 1);
        json_int(&j, "first_node", d->node0);
        json_int(&j, "last_node", d->node0 + d->nodes - 1);
        json_int(&j, "gpus_per_node", d->per_node);
        json_int(&j, "first_port", d->e.port + d->port_off);
        json_num(&j, "load_rps", q->load_rps);
        json_str(&j, "manifest", "deploy.json");
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_arr(&j, "gpu_types");
    for (int k = 0; k < fc->nskus; k++) {
        json_obj(&j, NULL);
        json_str(&j, "gpu", fc->skus[k]);
        json_int(&j, "taken", fc->gpu_next[k]);
        json_num(&j, "available", gpus_available(fc, k));
        json_end_obj(&j);
    }
    json_end_arr(&j);
    json_end_obj(&j);
    json_finish(&j);
    return 0;
}

/* A path as a Markdown link target (<...>), or 0 when it cannot be one. */
static int md_link_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '\\')
            return 0;
    return 1;
}

static int write_fleet_readme(FILE *f, void *vp)
{
    fleet_ctx *fc = vp;
    const llm_recommendation *rec = fc->rec;
    fputs("# Fleet deployment\n\nWritten by llmdse deploy from the recommendation in `", f);
    llm_md_text(f, fc->a->dir);
    fprintf(f, "` (plan %s, serving profile ", rec->status);
    llm_md_text(f, rec->serving);
    fprintf(f, ", engine %s %s). The recommendation's fleet report names these folders", 
            fc->d[0]->e.engine, fc->d[0]->e.version);
    if (md_link_ok(fc->a->dir)) {
        fputs(": [fleet.md](<", f);
        fputs(fc->a->dir, f);
        fputs("/fleet.md>) (the path as given to deploy)", f);
    }
    fputs(". Each pool's folder holds its launch scripts, `gpu-settings.sh` (needs root, never "
          "run by llmdse), manifests and benchmark recipe; its `NOTES.md` says which nodes and "
          "GPUs it assumes. `fleet.json` has all of it, machine-readable.\n\n", f);
    fputs("| pool | folder | model | GPU | replicas | tp x ep | batch | clock MHz | GPUs of "
          "its type | load req/s |\n|---|---|---|---|---|---|---|---|---|---|\n", f);
    for (int p = 0; p < rec->npools; p++) {
        const deploy_ctx *d = fc->d[p];
        const llm_rec_pool *q = &rec->pools[p];
        fprintf(f, "| %d | [%s](%s/NOTES.md) | ", p, d->pool_dir, d->pool_dir);
        llm_md_text(f, q->model);
        fputs(" | ", f);
        llm_md_text(f, q->gpu);
        fprintf(f, " | %d | %d x %d | %d | %.0f | %d-%d | %.2f |\n", d->replicas, d->c.tp,
                d->c.ep, d->c.batch, d->freq_mhz, d->gpu0, d->gpu0 + d->gpus - 1, q->load_rps);
    }
    fputs("\nA pool's load is its share of its model's rate: put a load balancer in front of "
          "each model's pools that splits requests in proportion to these loads.\n\n"
          "| GPU type | GPUs the pools span (indices 0 to N-1) | GPUs the request has |\n"
          "|---|---|---|\n", f);
    for (int k = 0; k < fc->nskus; k++) {
        fputs("| ", f);
        llm_md_text(f, fc->skus[k]);
        fprintf(f, " | %d | %.0f |\n", fc->gpu_next[k], gpus_available(fc, k));
    }
    for (int k = 0; k < fc->nskus; k++)
        if (fc->gpu_next[k] > gpus_available(fc, k) + 1e-9) {
            fputs("\n**More GPUs than the request has** for ", f);
            llm_md_text(f, fc->skus[k]);
            fprintf(f, ": the plan counts %.0f at most, but a replica never straddles a node, "
                       "so a pool starts on the next node when its replica does not fit in "
                       "what is left of one (the pools span %d).\n", gpus_available(fc, k),
                    fc->gpu_next[k]);
        }
    return 0;
}

static int deploy_fleet(const report_deploy_args *a, const char *path,
                        report_deploy_result *res, llm_err *err)
{
    char why[700];
    int partial = 0;
    if (report_outdir_check(a->dir, &partial, NULL, 0, why, sizeof why) < 0) {
        llm_err_set(err, "deploy: -i: %s", why);
        return -1;
    }
    if (a->index >= 0) {
        llm_err_set(err, "deploy: --index: %s is a recommend output: its whole fleet is "
                    "deployed (--index N is for explore and search folders)", a->dir);
        return -1;
    }
    fleet_ctx fc;
    memset(&fc, 0, sizeof fc);
    fc.a = a;
    llm_recommendation *rec = calloc(1, sizeof *rec);
    char *wbuf = malloc(4096);
    int rc = -1, np = 0;
    if (!rec || !wbuf) {
        llm_err_fail(err, "out of memory");
        goto out;
    }
    fc.rec = rec;
    if (configs_load_recommendation(path, rec, err)) {
        llm_err_prefix(err, "deploy", LLM_ERR_INPUT);
        goto out;
    }
    if (!rec->feasible) {
        llm_err_set(err, "deploy: %s: the plan is %s: there is no feasible fleet to deploy "
                    "(recommendation.md says which constraint to relax)", path, rec->status);
        goto out;
    }
    if (!rec->has_serving) {
        llm_err_set(err, "deploy: %s: $.request.serving: not recorded (a recommend run of an "
                    "older llmdse): the engine settings the plan assumed are not known; run "
                    "recommend again", path);
        goto out;
    }
    if (fleet_weights(a->weights, rec, wbuf, 4096, fc.weights, err))
        goto out;
    for (int m = 0; m < rec->nmodels; m++)
        if (!fc.weights[m][0] || strlen(fc.weights[m]) > 1000) {
            llm_err_set(err, "deploy: --weights: %s: expected 1 to 1000 characters",
                        rec->models[m].model);
            goto out;
        }
    np = rec->npools;
    fc.d = calloc((size_t)np, sizeof *fc.d);
    fc.run = calloc((size_t)np, sizeof *fc.run);
    if (!fc.d || !fc.run) {
        llm_err_fail(err, "out of memory");
        goto out;
    }
    for (int p = 0; p < np; p++) {
        int k = 0;
        while (k < fc.nskus && strcmp(fc.skus[k], rec->pools[p].gpu))
            k++;
        if (k == fc.nskus)
            fc.skus[fc.nskus++] = rec->pools[p].gpu;
        if (!(fc.d[p] = calloc(1, sizeof **fc.d)) || !(fc.run[p] = calloc(1, sizeof **fc.run))) {
            llm_err_fail(err, "out of memory");
            goto out;
        }
        if (fleet_pool(&fc, p, err)) {
            pool_err(err, p, &rec->pools[p]);
            goto out;
        }
    }
    report_outdir od;
    int status;
    if (report_outdir_begin(&od, a->out, "deploy", OUTDIR_REPLACE, err, &status)) {
        llm_err_prefix(err, "deploy", status);
        goto out;
    }
    int w = 0;
    for (int p = 0; p < np && !w; p++) {
        char dir[8600];
        if (snprintf(dir, sizeof dir, "%s/%s", od.tmp, fc.d[p]->pool_dir) >= (int)sizeof dir) {
            llm_err_set(err, "the output folder's name is too long");
            w = 1;
            break;
        }
        w = report_make_dir(dir, err) || deploy_files(fc.d[p], dir, err);
    }
    w = w || report_write_atomic(od.tmp, "fleet.json", write_fleet_json, &fc, err) ||
        report_write_atomic(od.tmp, "README.md", write_fleet_readme, &fc, err);
    if (finish_out(&od, w, err))
        goto out;
    if (res) {
        memset(res, 0, sizeof *res);
        res->pools = np;
        res->index = -1;
        for (int p = 0; p < np; p++) {
            res->replicas += fc.d[p]->replicas;
            res->gpus += fc.d[p]->gpus;
        }
        snprintf(res->engine, sizeof res->engine, "%s", fc.d[0]->e.name);
    }
    rc = 0;
out:
    for (int p = 0; fc.d && p < np; p++)
        free(fc.d[p]);
    for (int p = 0; fc.run && p < np; p++)
        free(fc.run[p]);
    free(fc.d);
    free(fc.run);
    free(rec);
    free(wbuf);
    return rc;
}

/* ---- llmdse deploy ----------------------------------------------------------------------- */

int report_deploy(const report_deploy_args *a, report_deploy_result *res, llm_err *err)
{
    char rec[4096];
    snprintf(rec, sizeof rec, "%s/recommendation.json", a->dir);
    if (!access(rec, F_OK))
        return deploy_fleet(a, rec, res, err);
    static report_run run;
    search_row row;
    deploy_ctx *d = calloc(1, sizeof *d);
    if (!d) {
        llm_err_fail(err, "out of memory");
        return -1;
    }
    d->dir = a->dir;
    d->out = a->out;
    d->weights = a->weights;
    d->r = &run;
    d->pool = -1;
    long long index = a->index;
    if (index < 0 && knee_row(a->dir, &index, err)) {
        free(d);
        return -1;
    }
    d->index = index;
    if (report_front_point(a->dir, index, "deploy", &run, &row, &d->c, err)) {
        free(d);
        return -1;
    }
    d->space_index = (long long)row.index;
    int rc = -1;
    if (!run.in.serving) {
        llm_err_set(err, "deploy: %s was explored with the ideal engine (no serving profile): "
                    "the engine settings the plan assumed are not recorded; explore with "
                    "--serving PROFILE", a->dir);
        goto out;
    }
    if (deploy_eval(d, a, err))
        goto out;
    report_outdir od;
    int status;
    if (report_outdir_begin(&od, a->out, "deploy", OUTDIR_REPLACE, err, &status)) {
        llm_err_prefix(err, "deploy", status);
        goto out;
    }
    if (finish_out(&od, deploy_files(d, od.tmp, err), err))
        goto out;
    if (res) {
        memset(res, 0, sizeof *res);
        res->replicas = d->replicas;
        res->index = d->index;
        res->gpus = d->gpus;
        snprintf(res->engine, sizeof res->engine, "%s", d->e.name);
        snprintf(res->slo_miss, sizeof res->slo_miss, "%s", d->slo_miss);
    }
    rc = 0;
out:
    report_run_free(&run);
    free(d);
    return rc;
}

/* ---- llmdse validate compare-serving ------------------------------------------------------ */

/* measured key (ms or tok/s), prediction, scale from the prediction's unit to the measured */
static const struct { llm_bench_key b; llm_pred_metric p; double scale; const char *name; }
    pairs[] = {
        {BENCH_TTFT_P50, PRED_TTFT_P50, 1e3, "ttft_p50_ms"},
        {BENCH_TTFT_P90, PRED_TTFT_P90, 1e3, "ttft_p90_ms"},
        {BENCH_TTFT_P99, PRED_TTFT_P99, 1e3, "ttft_p99_ms"},
        {BENCH_TPOT_P50, PRED_TPOT_P50, 1e3, "tpot_p50_ms"},
        {BENCH_TPOT_P90, PRED_TPOT_P90, 1e3, "tpot_p90_ms"},
        {BENCH_TPOT_P99, PRED_TPOT_P99, 1e3, "tpot_p99_ms"},
        {BENCH_OUTPUT_THROUGHPUT, PRED_THROUGHPUT, 1, "output_throughput_tok_s"},
};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

int report_compare_serving(FILE *f, report_format fmt, const char *dir, const char *measured,
                           report_compare_result *res, llm_err *err)
{
    char path[4096], why[700];
    int partial;
    if (report_outdir_check(dir, &partial, NULL, 0, why, sizeof why) < 0) {
        llm_err_set(err, "validate compare-serving: -i: %s", why);
        return -1;
    }
    snprintf(path, sizeof path, "%s/predicted.json", dir);
    llm_predicted p;
    llm_bench b;
    if (configs_load_predicted(path, &p, err) || configs_load_bench(measured, &b, err)) {
        llm_err_prefix(err, "validate compare-serving", LLM_ERR_INPUT);
        return -1;
    }
    int inside = 0, compared = 0;
    json_out j;
    if (fmt == FMT_JSON) {
        json_begin(&j, f, 1);
        json_obj(&j, NULL);
        json_str(&j, "predicted", path);
        json_str(&j, "measured", measured);
        json_int(&j, "completed", (long long)b.v[BENCH_COMPLETED]);
        json_bool(&j, "banded", p.banded);
        json_arr(&j, "metrics");
    } else {
        fprintf(f, "measured (%s, %.0f requests) against predicted (%s)%s\n", measured,
                b.v[BENCH_COMPLETED], path, p.banded ? ", 80% bands" : ", no bands");
        fprintf(f, "  %-24s %12s %12s %12s %12s %8s  %s\n", "metric", "measured", "predicted",
                "band_lo", "band_hi", "ratio", "inside");
    }
    for (size_t i = 0; i < NPAIRS; i++) {
        if (!b.has[pairs[i].b])
            continue;
        double m = b.v[pairs[i].b], s = pairs[i].scale;
        double pv = p.v[pairs[i].p] * s, lo = p.lo[pairs[i].p] * s, hi = p.hi[pairs[i].p] * s;
        int in = m >= lo && m <= hi;
        compared++;
        inside += in;
        double ratio = pv > 0 ? m / pv : 0;
        if (fmt == FMT_JSON) {
            json_obj(&j, NULL);
            json_str(&j, "metric", pairs[i].name);
            json_num(&j, "measured", m);
            json_num(&j, "predicted", pv);
            json_num(&j, "band_lo", lo);
            json_num(&j, "band_hi", hi);
            if (pv > 0)
                json_num(&j, "ratio", ratio);
            json_bool(&j, "inside", in);
            json_end_obj(&j);
        } else {
            char rs[16] = "-";
            if (pv > 0)
                snprintf(rs, sizeof rs, "%.3f", ratio);
            fprintf(f, "  %-24s %12.4g %12.4g %12.4g %12.4g %8s  %s\n", pairs[i].name, m, pv,
                    lo, hi, rs, in ? "yes" : "no");
        }
    }
    if (fmt == FMT_JSON) {
        json_end_arr(&j);
        json_int(&j, "compared", compared);
        json_int(&j, "inside", inside);
        json_end_obj(&j);
        json_finish(&j);
    } else {
        fprintf(f, "%d of %d metrics inside the band; power is predicted (%.4g W per GPU) but "
                   "not in the benchmark's result (see power-replica-0.csv)\n", inside,
                compared, p.v[PRED_POWER]);
    }
    if (res) {
        res->compared = compared;
        res->inside = inside;
    }
    return 0;
}
