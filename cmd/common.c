/* cmd/common.c — what the commands share beyond the option parser: loading the model, GPU and
 * serving options, the inputs of a run over a space, output folders, errors. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void load_or_die(int rc, const llm_err *err)
{
    if (rc)
        die_usage("%s", err->msg);
}

int report_error(const llm_err *err)
{
    fprintf(stderr, "llmdse: error: %s\n", err->msg);
    return err->status ? err->status : LLM_ERR_RUNTIME;
}

void outdir_begin(report_outdir *od, const char *cmd, const char *out, int mode)
{
    llm_err err;
    int status;
    if (report_outdir_begin(od, out, cmd, mode, &err, &status)) {
        if (status == 2)
            die_usage("%s: %s", cmd, err.msg);
        fprintf(stderr, "llmdse: error: %s: %s\n", cmd, err.msg);
        exit(1);
    }
}

void need_out_dir(const char *cmd, const char *out)
{
    if (!out)
        die_usage("%s: -o DIR is required", cmd);
    if (!*out)
        die_usage("%s: -o: expected a folder name, found an empty string", cmd);
}

void load_common(common_args *a, const char *cmd, llm_model *m, llm_gpu *g)
{
    llm_err err;
    if (!a->model)
        die_usage("%s: -m MODEL is required (a bundled name or a path)", cmd);
    if (!a->gpu)
        die_usage("%s: -g GPU is required (a bundled name or a path)", cmd);
    load_or_die(configs_load_model(a->model, m, &err), &err);
    load_or_die(configs_load_gpu(a->gpu, g, &err), &err);
    a->c.wdtype = parse_dtype("--dtype", a->dtype);
    a->c.kvdtype = parse_dtype("--kv-dtype", a->kv_dtype);
    if (!a->dtype)
        a->c.wdtype = m->weight_dtype == LLM_FP8 ? LLM_FP8 : LLM_BF16;
    if (!a->kv_dtype)
        a->c.kvdtype = m->kv_dtype == LLM_FP8 ? LLM_FP8 : LLM_BF16;
    a->c.unfused_attention = a->unfused_attn;
    a->c.unfused_gate_up = a->unfused_gate_up;
}

void load_bands(const char *cmd, llm_bands *b)
{
    llm_err err;
    if (configs_load_bands(NULL, b, &err))
        die_usage("%s: the uncertainty bands: %s (regenerate with make bands)", cmd, err.msg);
}

void load_serving(serving_args *s, const char *cmd)
{
    llm_err err;
    if (!s->name)
        s->name = LLM_SERVING_DEFAULT;
    if (configs_load_serving(s->name, &s->prof, &err))
        die_usage("%s: --serving: %s", cmd, err.msg);
    if (!s->kv || !strcmp(s->kv, "paged"))
        s->kv_paged = 1;
    else if (!strcmp(s->kv, "reserve"))
        s->kv_paged = 0;
    else
        die_usage("%s: --kv: expected reserve or paged, found \"%s\"", cmd, s->kv);
    load_bands(cmd, &s->bands);
    s->loaded = 1;
}

void serving_inputs(const serving_args *s, search_inputs *in)
{
    in->serving = s->loaded ? &s->prof : NULL;
    in->chunk_tokens = s->chunk_tokens;
    in->kv_paged = s->kv_paged;
    in->bands = s->loaded ? &s->bands : NULL;
}

void serving_summary(const serving_args *s, report_summary *sum)
{
    sum->serving = s->loaded ? s->name : NULL;
    sum->chunk_tokens = s->chunk_tokens;
    sum->kv_paged = s->kv_paged;
}

void start_run(const char *cmd, int argc, char **argv, opt *opts, const run_args *ra,
               serving_args *sv, run_inputs *r)
{
    parse_opts(argc, argv, 2, opts, cmd);
    need_out_dir(cmd, ra->out);
    load_run(cmd, ra, r);
    load_serving(sv, cmd);
}


void load_gpu_opt(const char *cmd, const char *gpu, llm_gpu *g)
{
    llm_err err;
    if (!gpu)
        die_usage("%s: -g GPU is required", cmd);
    load_or_die(configs_load_gpu(gpu, g, &err), &err);
}

void load_run(const char *cmd, const run_args *ra, run_inputs *r)
{
    llm_err err;
    if (!ra->model || !ra->gpu || !ra->workload)
        die_usage("%s: -m MODEL, -g GPU and -w WORKLOAD are required", cmd);
    load_or_die(search_load_inputs(ra->model, ra->gpu, ra->workload, ra->space, &r->m, &r->g,
                                   &r->w, &r->s, &err), &err);
    if (ra->slo)
        r->s.slo_filter = 1;
    if (search_parse_objectives(ra->objectives, r->obj, &r->nobj, &err))
        die_usage("%s: %s", cmd, err.msg);
    for (int k = 0; k < r->nobj; k++)
        if (r->obj[k] == OBJ_COST && r->g.price_per_hour <= 0)
            die_usage("%s: --objectives cost_per_mtok: %s has no price "
                      "(price.usd_per_gpu_hour in its JSON)", cmd, r->g.name);
}
