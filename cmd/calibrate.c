/* cmd/calibrate.c — llmdse calibrate: a GPU file's coefficients fitted to measurements, written
 * as a new GPU file (validate/, configs/). docs/calibration.md. */
#include "cmd.h"

#include "../validate/validate.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_calibrate(int argc, char **argv)
{
    const char *gpu = NULL, *out = NULL, *measured = NULL;
    int no_loo = 0;
    opt opts[] = {{"--gpu", "-g", O_STR, &gpu, 0, 0, 0},
                  {"--measured", NULL, O_STR, &measured, 0, 0, 0},
                  {"--out", "-o", O_STR, &out, 0, 0, 0},
                  {"--no-leave-one-out", NULL, O_FLAG, &no_loo, 0, 0, 0},
                  OPT_END};
    parse_opts(argc, argv, 2, opts, "calibrate");
    if (!gpu || !measured || !out)
        die_usage("calibrate: --measured FILE, -g GPU and -o NEW.json are required");
    if (!*out || out[strlen(out) - 1] == '/')
        die_usage("calibrate: -o: expected a file name, found \"%s\"", out);
    llm_gpu g, fitted;
    llm_err err;
    char path[4096];
    load_or_die(configs_resolve("gpus", gpu, path, sizeof path, &err), &err);
    load_or_die(configs_load_gpu(path, &g, &err), &err);
    vfile f;
    load_or_die(validate_read(measured, &f, &err), &err);
    vcalib c;
    if (validate_calibrate(&g, &f, &fitted, &c, !no_loo, &err)) {
        validate_free(&f);
        die_usage("%s", err.msg);
    }
    const char *paths[CP_COUNT];
    double values[CP_COUNT];
    int n = validate_calib_values(&c, paths, values);
    char note[1024];
    snprintf(note, sizeof note, "calibrated by llmdse calibrate to %.300s (%.100s, %.40s): time "
             "MAPE %.1f%% -> %.1f%%, power MAPE %.1f%% -> %.1f%%", measured,
             f.gpu_name[0] ? f.gpu_name : "unknown GPU", f.date[0] ? f.date : "undated",
             c.before_time, c.after_time, c.before_power, c.after_power);
    /* the temporary file configs_write_gpu_update renames into place, removed on Ctrl-C */
    char tmpname[4200];
    snprintf(tmpname, sizeof tmpname, "%s.tmp.%ld", out, (long)getpid());
    int slot = report_cleanup_add(tmpname, 0);
    int wrc = configs_write_gpu_update(path, out, paths, values, n, note, &err);
    report_cleanup_drop(slot);
    if (wrc) {
        fprintf(stderr, "llmdse: error: calibrate: %s\n", err.msg);
        validate_free(&f);
        return 1;
    }
    printf("calibrated %s to %zu measurements (%s):\n", g.name, f.n, measured);
    printf("  time MAPE  %.1f%% -> %.1f%% (NLopt code %d)\n", c.before_time, c.after_time,
           c.nlopt_code_time);
    if (c.before_power > 0)
        printf("  power MAPE %.1f%% -> %.1f%% (NLopt code %d)\n", c.before_power, c.after_power,
               c.nlopt_code_power);
    for (int p = 0; p < CP_COUNT; p++)
        if (c.fitted[p])
            printf("  %-42s %.6g\n", cparam_names[p], c.value[p]);
    for (int i = 0; i < c.nlo; i++)
        printf("  leave-one-class-out: %-24s time MAPE %.1f%%\n", c.lo_class[i], c.lo_mape[i]);
    printf("-> %s\n", out);
    validate_free(&f);
    return 0;
}
