/* cmd/report.c — llmdse report: the HTML or Markdown page of an output folder (reports/page.c).
 * docs/report.md. */
#include "cmd.h"

#include <stdio.h>

int cmd_report(int argc, char **argv)
{
    report_page_args a = {.version = LLMDSE_VERSION};
    opt opts[] = {{"--in", "-i", O_STR, &a.dir, 0, 0, 0},
                  {"--out", "-o", O_STR, &a.out, 0, 0, 0},
                  {"--model", "-m", O_STR, &a.given.model, 0, 0, 0},
                  {"--gpu", "-g", O_STR, &a.given.gpu, 0, 0, 0},
                  {"--workload", "-w", O_STR, &a.given.workload, 0, 0, 0},
                  {"--space", "-s", O_STR, &a.given.space, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 2, opts, "report");
    if (!a.dir || !a.out)
        die_usage("report: -i DIR (an explore, search or recommend output) and -o FILE.html|FILE.md are "
                  "required");
    if (!*a.out)
        die_usage("report: -o: expected a file name ending in .html or .md, found \"\"");
    report_page_result r;
    llm_err err;
    if (report_page_write(&a, &r, &err))
        return report_error(&err);
    if (r.fleet) {
        printf("report: %s (the fleet report of %s)\n", a.out, a.dir);
        return 0;
    }
    printf("report: %s (%zu front points%s, %d plots%s)\n", a.out, r.nrows,
           r.nall ? ", evaluated points faint" : "", r.plots, r.partial ? ", PARTIAL run" : "");
    return 0;
}
