/* cmd/merge.c — llmdse merge: the output folders of sharded explore runs combined into one,
 * byte-identical to a single run (reports/merge.c). docs/explore.md, "Shards". */
#include "cmd.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when path is dir or lies inside it (both resolved). */
static int path_within(const char *path, const char *dir)
{
    char a[4096], b[4096];
    if (!realpath(path, a) || !realpath(dir, b))
        return 0;
    size_t l = strlen(b);
    return !strncmp(a, b, l) && (a[l] == '\0' || a[l] == '/' || (l == 1 && b[0] == '/'));
}

int cmd_merge(int argc, char **argv)
{
    const char *out = NULL;
    report_given given = {0};
    int quiet = 0;
    /* options first, then the shard directories */
    int first = 2;
    opt opts[] = {{"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--model", "-m", O_STR, &given.model, 0, 0, 0},
                  {"--gpu", "-g", O_STR, &given.gpu, 0, 0, 0},
                  {"--workload", "-w", O_STR, &given.workload, 0, 0, 0},
                  {"--space", "-s", O_STR, &given.space, 0, 0, 0},
                  {"--quiet", "-q", O_FLAG, &quiet, 0, 0, 0},
                  {"--min-gain", NULL, O_NUM, &given.min_gain, 0, 10, 0},
                  OPT_END};
    while (first < argc && argv[first][0] == '-')
        first += (!strcmp(argv[first], "--quiet") || !strcmp(argv[first], "-q")) ? 1 : 2;
    if (first > argc)
        die_usage("merge: option %s needs a value", argv[argc - 1]);
    parse_opts(first, argv, 2, opts, "merge");
    int nshards = argc - first;
    need_out_dir("merge", out);
    if (nshards < 1)
        die_usage("merge: expected the output directories of the shards after the options");
    for (int i = first; i < argc; i++)
        if (argv[i][0] == '-')
            die_usage("merge: %s after the shard folders: options go before them "
                      "(llmdse merge -o DIR [options] SHARD_DIR...)", argv[i]);
    for (int i = first; i < argc; i++)
        if (path_within(argv[i], out))
            die_usage("merge: -o %s: is (or holds) the shard %s given as an input; expected a "
                      "new folder for the merged output", out, argv[i]);
    report_merge_result r;
    llm_err err;
    if (report_merge(out, (const char *const *)argv + first, nshards, &given, &r, &err))
        return report_error(&err);
    if (!quiet)
        printf("merged %d shards: %llu configurations, front of %zu -> %s/front.csv\n",
               nshards, (unsigned long long)r.processed, r.front, out);
    return 0;
}
