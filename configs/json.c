/* configs/json.c — a small streaming JSON writer (RFC 8259 strings, %.9g numbers). */
#include "configs.h"

#include <math.h>

void json_begin(json_out *j, FILE *f, int pretty)
{
    j->f = f;
    j->depth = 0;
    j->first[0] = 1;
    j->pretty = pretty;
}

static void indent(json_out *j)
{
    if (!j->pretty)
        return;
    fputc('\n', j->f);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->f);
}

/* RFC 8259 strings, valid UTF-8 (invalid bytes as U+FFFD): reports/escape.c */
static void put_string(FILE *f, const char *s)
{
    llm_json_string(f, s);
}

static void key(json_out *j, const char *k)
{
    if (j->depth > 0) {
        if (!j->first[j->depth])
            fputc(',', j->f);
        j->first[j->depth] = 0;
        indent(j);
    }
    if (k) {
        put_string(j->f, k);
        fputs(j->pretty ? ": " : ":", j->f);
    }
}

static void open_container(json_out *j, const char *k, char c)
{
    key(j, k);
    fputc(c, j->f);
    if (j->depth < 31)
        j->depth++;
    j->first[j->depth] = 1;
}

static void close_(json_out *j, char c)
{
    int empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty)
        indent(j);
    fputc(c, j->f);
}

void json_obj(json_out *j, const char *k) { open_container(j, k, '{'); }
void json_arr(json_out *j, const char *k) { open_container(j, k, '['); }
void json_end_obj(json_out *j) { close_(j, '}'); }
void json_end_arr(json_out *j) { close_(j, ']'); }

void json_num(json_out *j, const char *k, double v)
{
    key(j, k);
    if (isfinite(v))
        fprintf(j->f, "%.9g", v == 0 ? 0.0 : v); /* no "-0" */
    else
        fputs("null", j->f); /* callers check report_metrics_finite first; never "nan" */
}

void json_num17(json_out *j, const char *k, double v)
{
    key(j, k);
    if (isfinite(v))
        fprintf(j->f, "%.17g", v == 0 ? 0.0 : v);
    else
        fputs("null", j->f);
}

void json_int(json_out *j, const char *k, long long v)
{
    key(j, k);
    fprintf(j->f, "%lld", v);
}

void json_str(json_out *j, const char *k, const char *s)
{
    key(j, k);
    put_string(j->f, s);
}

void json_bool(json_out *j, const char *k, int v)
{
    key(j, k);
    fputs(v ? "true" : "false", j->f);
}

void json_finish(json_out *j)
{
    fputc('\n', j->f);
}
