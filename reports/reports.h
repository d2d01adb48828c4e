/* reports/reports.h — how results are shown: JSON objects, CSV and text tables.
 * The only front header of reports/. Numbers are written with enough digits to round-trip
 * (%.9g); a non-finite number is never written (see report_all_finite). */
#ifndef LLMDSE_REPORTS_H
#define LLMDSE_REPORTS_H

#include <stdio.h>
#include "../configs/configs.h"
#include "../cost/cost.h"

typedef enum { FMT_TEXT = 0, FMT_JSON = 1, FMT_CSV = 2 } report_format;

/* A minimal streaming JSON writer: objects, arrays, keys and scalars with commas handled. */
typedef struct {
    FILE *f;
    int depth;
    int first[32];
    int pretty;
} json_out;
void json_begin(json_out *j, FILE *f, int pretty);
void json_obj(json_out *j, const char *key);     /* key NULL inside arrays / at top */
void json_arr(json_out *j, const char *key);
void json_end_obj(json_out *j);
void json_end_arr(json_out *j);
void json_num(json_out *j, const char *key, double v);
void json_int(json_out *j, const char *key, long long v);
void json_str(json_out *j, const char *key, const char *s);
void json_bool(json_out *j, const char *key, int v);
void json_finish(json_out *j); /* newline at the end of the document */

/* The inputs of an evaluation, echoed in every output. */
typedef struct {
    const llm_model *model;
    const llm_gpu *gpu;
    const llm_workload *workload; /* may be NULL */
    const cost_config *config;
} report_inputs;

/* 1 when every number that would be written is finite. */
int report_metrics_finite(const cost_metrics *m);

void report_eval(FILE *f, report_format fmt, const report_inputs *in, const cost_metrics *m);

/* One layer's ops; phase and shape as given to cost_build_layer. */
void report_ops(FILE *f, report_format fmt, const report_inputs *in, cost_phase ph,
                const cost_layer *L, double mhz);

/* One primitive: what it is (a short label such as "gemm 4096x4096x4096 bf16"). */
void report_kernel(FILE *f, report_format fmt, const char *what, const llm_gpu *g,
                   const cost_kernel *k, double mhz, double sms);

#endif
