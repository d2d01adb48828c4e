/* tests/test_e2e.c — the cost model end to end against the published serving sets in
 * ../shared/data/calibration (or $LLMDSE_SHARED/data/calibration): prints the table of
 * docs/calibration.md ("End to end") and asserts the bound of each set and metric, so that a
 * change cannot silently lose accuracy. Fails, never skips, when the data are missing. */
#include "testutil.h"
#include "../validate/validate.h"

/* Bounds on MAPE (percent) and on the refused share, set a little above what the model
 * achieves (docs/calibration.md). A metric a set does not measure has bound 0 and must have
 * nothing compared. */
static const struct {
    const char *set;
    double mape[E2E_NMETRIC];   /* in the order of e2e_metric (validate/validate.h) */
    double max_refused;         /* share of the set's rows the model may refuse */
} bounds[] = {
    /*                     thr   tpot  ttft  power energy ttft50 ttft99 tpot50 tpot99 */
    {"memgap-offline-fit", {0, 4.5, 32, 0, 0, 0, 0, 0, 0}, 0},
    {"memgap-offline", {0, 4.5, 36, 0, 0, 0, 0, 0, 0}, 0},
    {"memgap-online", {8.5, 7.5, 9.5, 11.5, 9, 9, 9, 7, 27}, 0},
    {"memgap-advisor", {7, 10, 9.5, 10.5, 12, 9.5, 8.5, 10, 14}, 0},
    {"memgap-replication", {0, 8.5, 0, 0, 0, 0, 0, 0, 0}, 0},
    {"mlenergy-a100", {21.5, 19, 0, 19.5, 23, 0, 0, 0, 0}, 0},
    {"mlenergy-h100", {23.5, 24, 0, 23.5, 29, 0, 0, 0, 0}, 0},
    {"trtllm-h100", {10.5, 0, 0, 0, 0, 0, 0, 0, 0}, 0},
    {"trtllm-h200", {12.5, 0, 0, 0, 0, 0, 0, 0, 0}, 0},
};

static void test_e2e_bounds(void **state)
{
    (void)state;
    char dir[1024];
    validate_data_dir(dir, sizeof dir);
    e2e_result r;
    llm_err err;
    if (validate_e2e(dir, NULL, &r, &err)) {
        fprintf(stderr, "validate_e2e: %s\n", err.msg);
        fail();
    }
    validate_e2e_report(stdout, &r);
    assert_int_equal(r.nsets, (int)(sizeof bounds / sizeof bounds[0]));
    for (int i = 0; i < r.nsets; i++) {
        const e2e_setres *o = &r.set[i];
        assert_string_equal(o->id, bounds[i].set);
        assert_true(o->rows > 0);
        double refused = (double)o->refused / o->rows;
        if (refused > bounds[i].max_refused) {
            fprintf(stderr, "%s: %.0f%% of rows refused, bound %.0f%%\n", o->id, 100 * refused,
                    100 * bounds[i].max_refused);
            fail();
        }
        for (int k = 0; k < E2E_NMETRIC; k++) {
            double b = bounds[i].mape[k];
            if (b == 0) {
                assert_int_equal(o->stat[k].n, 0);   /* the set does not measure it */
                continue;
            }
            assert_true(o->stat[k].n > 0);
            double e = e2e_mape(&o->stat[k]);
            if (e > b) {
                fprintf(stderr, "%s %s: MAPE %.1f%% above the bound %.1f%%\n", o->id,
                        e2e_metric_names[k], e, b);
                fail();
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_e2e_bounds)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
