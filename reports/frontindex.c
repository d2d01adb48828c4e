/* reports/frontindex.c — reading a front.csv's index column back, for `llmdse merge` and
 * `llmdse report` (docs/explore.md, "Shards"). Only the index column is read: every other number is recomputed from the index
 * by the same code that explore ran, so a merged front is the front a single run gives. */
#include "reports.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int report_read_front_indices(const char *path, uint64_t **out, size_t *n, llm_err *err)
{
    *out = NULL;
    *n = 0;
    FILE *f = llm_open_input(path, "r", err);
    if (!f)
        return -1;
    int rc = report_parse_front_indices(f, path, out, n, err);
    fclose(f);
    return rc;
}

int report_parse_front_indices(FILE *f, const char *path, uint64_t **out, size_t *n,
                               llm_err *err)
{
    *out = NULL;
    *n = 0;
    char line[8192];
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            llm_err_set(err, "%s:%ld: line longer than %zu characters", path, lineno,
                        sizeof line);
            rc = -1;
            break;
        }
        if (lineno == 1) {
            if (strncmp(line, "index,", 6)) {
                llm_err_set(err, "%s:1: expected a front.csv header starting with \"index,\"",
                            path);
                rc = -1;
                break;
            }
            continue;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(line, &end, 10);
        if (errno || end == line || *end != ',' || line[0] == '-') {
            llm_err_set(err, "%s:%ld: expected an index (a non-negative integer) in the first "
                        "column", path, lineno);
            rc = -1;
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            uint64_t *nv = realloc(*out, cap * sizeof *nv);
            if (!nv) {
                llm_err_set(err, "%s: out of memory", path);
                rc = -1;
                break;
            }
            *out = nv;
        }
        (*out)[(*n)++] = v;
    }
    if (!rc && lineno == 0) {
        llm_err_set(err, "%s: empty file; expected a front.csv header", path);
        rc = -1;
    }
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
