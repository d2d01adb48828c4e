/* cmd/list.c — llmdse list: the bundled library's names of one kind (configs/). */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

int cmd_list(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "models") && strcmp(argv[2], "gpus") &&
                      strcmp(argv[2], "workloads") && strcmp(argv[2], "spaces") &&
                      strcmp(argv[2], "serving") && strcmp(argv[2], "engines")))
        die_usage("list: expected models, gpus, workloads, spaces, serving or engines");
    char buf[4096];
    configs_list(argv[2], buf, sizeof buf);
    for (char *p = strtok(buf, ", "); p; p = strtok(NULL, ", "))
        puts(p);
    return 0;
}
