/* tests/test_search.c — the space, the Pareto archive and explore: the front equals a
 * brute-force non-dominated filter; the same for 1, 2 and 7 threads and for merged shards;
 * pruning counts add up; bad spaces are refused with a message naming the field. */
#include "testutil.h"
#include "../search/search.h"
#include "../space/space.h"

static int parse_space(const char *json, const llm_model *m, const llm_gpu *g, space_t *s,
                       llm_err *err)
{
    llm_space_spec spec;
    if (configs_parse_space(json, "test-space.json", &spec, err))
        return -1;
    int rc = space_build(&spec, m, g, s, err);
    configs_free_space(&spec);
    return rc;
}

static const char *SMALL =
    "{\"name\": \"t\", \"tp\": [1, 2, 4], \"batch\": [1, 8, 64, 512],"
    " \"freq_mhz\": {\"min\": 1005, \"max\": 1980, \"step\": 195}, \"sm_comm\": [0, 16],"
    " \"replicas\": [1, 2], \"dtype\": [\"bf16\", \"fp8\"], \"kv_dtype\": [\"bf16\", \"fp8\"],"
    " \"gpus\": {\"per_node\": 4}}";

typedef struct {
    llm_model m;
    llm_gpu g;
    llm_workload w;
    space_t s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    llm_err err;
    f->m = load_model("llama-3.1-70b");
    f->g = load_gpu("h100-sxm5-80gb");
    if (configs_load_workload("chat", &f->w, &err) || parse_space(SMALL, &f->m, &f->g, &f->s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    space_free(&f->s);
    free(f);
    return 0;
}

static explore_args args_for(fixture *f, int threads)
{
    explore_args a;
    memset(&a, 0, sizeof a);
    a.in = (search_inputs){&f->m, &f->g, &f->w, &f->s, NULL, 0, 0, NULL, 0};
    a.nobj = 3;
    a.obj[0] = OBJ_ENERGY;
    a.obj[1] = OBJ_TPOT;
    a.obj[2] = OBJ_THROUGHPUT_PER_GPU;
    a.begin = 0;
    a.end = f->s.size;
    a.threads = threads;
    return a;
}

static void test_space_indexing(void **state)
{
    fixture *f = *state;
    /* 3 tp x 1 ep x 2 x 2 dtypes x 4 batches x 2 sm_comm x 6 clocks x 2 replicas */
    assert_true(f->s.size == 3ull * 1 * 2 * 2 * 4 * 2 * 6 * 2);
    assert_true(f->s.stride[KNOB_REPLICAS] == 1);
    assert_true(f->s.stride[KNOB_FREQ] == 2);
    assert_true(f->s.inner == 12);
    int d[KNOB_COUNT];
    space_decode(&f->s, f->s.size - 1, d);
    for (int k = 0; k < KNOB_COUNT; k++)
        assert_int_equal(d[k], f->s.n[k] - 1);
    for (uint64_t i = 0; i < f->s.size; i += 37) {
        space_decode(&f->s, i, d);
        uint64_t back = 0;
        for (int k = 0; k < KNOB_COUNT; k++)
            back += (uint64_t)d[k] * f->s.stride[k];
        assert_true(back == i);
    }
    space_point p;
    space_decode(&f->s, 0, d);
    space_point_of(&f->s, d, &p);
    assert_int_equal(p.tp, 1);
    assert_true(p.freq_mhz == 1005);
}

/* O(n^2) reference: evaluate every point, keep those no other feasible point dominates (ties:
 * the lowest index). */
static void test_front_equals_bruteforce(void **state)
{
    fixture *f = *state;
    explore_args a = args_for(f, 2);
    uint64_t n = f->s.size;
    pareto_pt *pts = calloc(n, sizeof *pts);
    size_t m = 0;
    for (uint64_t i = 0; i < n; i++) {
        search_row r;
        search_row_eval(&a.in, i, &r);
        if (r.why != PRUNE_NONE)
            continue;
        pts[m].index = i;
        for (int k = 0; k < 3; k++)
            pts[m].o[k] = search_obj_value(a.obj[k], &r.m);
        m++;
    }
    assert_true(m > 50);
    size_t nref = 0;
    uint64_t *ref = calloc(m, sizeof *ref);
    for (size_t i = 0; i < m; i++) {
        int dominated = 0;
        for (size_t j = 0; j < m && !dominated; j++) {
            int le = 1, lt = 0, eq = 1;
            for (int k = 0; k < 3; k++) {
                le &= pts[j].o[k] <= pts[i].o[k];
                lt |= pts[j].o[k] < pts[i].o[k];
                eq &= pts[j].o[k] == pts[i].o[k];
            }
            dominated = (le && lt) || (eq && pts[j].index < pts[i].index);
        }
        if (!dominated)
            ref[nref++] = pts[i].index;
    }
    explore_result r;
    llm_err err;
    assert_int_equal(search_explore(&a, &r, &err), 0);
    assert_int_equal(r.front.n, nref);
    for (size_t i = 0; i < nref; i++)
        assert_true(r.front.pt[i].index == ref[i]);
    assert_int_equal(r.feasible, m);
    /* no front point is dominated by any evaluated point */
    for (size_t i = 0; i < r.front.n; i++)
        for (size_t j = 0; j < m; j++) {
            int le = 1, lt = 0;
            for (int k = 0; k < 3; k++) {
                le &= pts[j].o[k] <= r.front.pt[i].o[k];
                lt |= pts[j].o[k] < r.front.pt[i].o[k];
            }
            assert_false(le && lt);
        }
    explore_result_free(&r);
    free(ref);
    free(pts);
}

static void assert_same_front(const pareto *x, const pareto *y)
{
    assert_int_equal(x->n, y->n);
    for (size_t i = 0; i < x->n; i++) {
        assert_true(x->pt[i].index == y->pt[i].index);
        assert_memory_equal(x->pt[i].o, y->pt[i].o, sizeof(double) * (size_t)x->nobj);
    }
}

static void test_threads_and_shards(void **state)
{
    fixture *f = *state;
    llm_err err;
    explore_result r1, r2, r7;
    explore_args a = args_for(f, 1);
    assert_int_equal(search_explore(&a, &r1, &err), 0);
    a.threads = 2;
    assert_int_equal(search_explore(&a, &r2, &err), 0);
    a.threads = 7;
    assert_int_equal(search_explore(&a, &r7, &err), 0);
    assert_same_front(&r1.front, &r2.front);
    assert_same_front(&r1.front, &r7.front);
    assert_true(r1.evaluated == r7.evaluated);
    /* 5 uneven shards, merged in reverse order */
    pareto merged;
    pareto_init(&merged, 3);
    uint64_t evaluated = 0;
    for (int sh = 4; sh >= 0; sh--) {
        a.begin = f->s.size * (uint64_t)sh / 5;
        a.end = f->s.size * (uint64_t)(sh + 1) / 5;
        a.threads = 3;
        explore_result rs;
        assert_int_equal(search_explore(&a, &rs, &err), 0);
        for (size_t i = 0; i < rs.front.n; i++)
            assert_true(pareto_insert(&merged, &rs.front.pt[i]) >= 0);
        evaluated += rs.evaluated;
        explore_result_free(&rs);
    }
    pareto_sort(&merged);
    assert_same_front(&r1.front, &merged);
    assert_true(evaluated == r1.evaluated);
    pareto_free(&merged);
    explore_result_free(&r1);
    explore_result_free(&r2);
    explore_result_free(&r7);
}

static void test_counts_add_up(void **state)
{
    fixture *f = *state;
    llm_err err;
    for (int slo = 0; slo < 2; slo++) {
        f->s.slo_filter = slo;
        explore_args a = args_for(f, 2);
        explore_result r;
        assert_int_equal(search_explore(&a, &r, &err), 0);
        uint64_t total = r.feasible;
        for (int k = 1; k < PRUNE_COUNT; k++)
            total += r.pruned[k];
        assert_true(total == f->s.size);
        assert_true(r.processed == f->s.size);
        assert_true(r.evaluated == r.feasible + r.pruned[PRUNE_TTFT_SLO] + r.pruned[PRUNE_TPOT_SLO]);
        /* 70B in bf16 does not fit one 80 GB GPU; 4 GPUs allow tp x replicas <= 4 */
        assert_true(r.pruned[PRUNE_MEMORY] > 0);
        assert_true(r.pruned[PRUNE_GPUS] > 0);
        if (slo)
            assert_true(r.pruned[PRUNE_TPOT_SLO] + r.pruned[PRUNE_TTFT_SLO] > 0);
        /* each count agrees with evaluating every point on its own */
        uint64_t by[PRUNE_COUNT] = {0};
        for (uint64_t i = 0; i < f->s.size; i++) {
            search_row row;
            search_row_eval(&a.in, i, &row);
            by[row.why]++;
        }
        for (int k = 1; k < PRUNE_COUNT; k++)
            assert_true(by[k] == r.pruned[k]);
        assert_true(by[PRUNE_NONE] == r.feasible);
        explore_result_free(&r);
    }
    f->s.slo_filter = 0;
}

/* The archive's content does not depend on the insertion order (ties: lowest index). */
static void test_pareto_order_independent(void **state)
{
    (void)state;
    unsigned seed = 7;
    pareto_pt pts[400];
    for (int i = 0; i < 400; i++) {
        pts[i].index = (uint64_t)i;
        for (int k = 0; k < 3; k++)
            pts[i].o[k] = rand_r(&seed) % 12; /* coarse values: many ties and duplicates */
    }
    pareto ref;
    pareto_init(&ref, 3);
    for (int i = 0; i < 400; i++)
        pareto_insert(&ref, &pts[i]);
    pareto_sort(&ref);
    for (int trial = 0; trial < 20; trial++) {
        for (int i = 399; i > 0; i--) {
            int j = rand_r(&seed) % (i + 1);
            pareto_pt t = pts[i];
            pts[i] = pts[j];
            pts[j] = t;
        }
        pareto p;
        pareto_init(&p, 3);
        for (int i = 0; i < 400; i++)
            pareto_insert(&p, &pts[i]);
        pareto_sort(&p);
        assert_same_front(&ref, &p);
        pareto_free(&p);
    }
    /* two objectives: a staircase and a dominated point */
    pareto two;
    pareto_init(&two, 2);
    pareto_pt a = {0, {1, 3}}, b = {1, {2, 2}}, c = {2, {3, 1}}, d = {3, {3, 3}}, e = {4, {1, 3}};
    assert_int_equal(pareto_insert(&two, &a), 1);
    assert_int_equal(pareto_insert(&two, &b), 1);
    assert_int_equal(pareto_insert(&two, &c), 1);
    assert_int_equal(pareto_insert(&two, &d), 0);
    assert_int_equal(pareto_insert(&two, &e), 0); /* equal to a, higher index */
    assert_int_equal(pareto_insert(&two, &b), 0); /* already there: no duplicate */
    assert_int_equal(two.n, 3);
    pareto_free(&two);
    pareto_free(&ref);
}

static void expect_space_error(const char *json, const char *needle)
{
    llm_model m = load_model("llama-3.1-8b");
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    space_t s;
    llm_err err = {{0}, 0};
    assert_int_equal(parse_space(json, &m, &g, &s, &err), -1);
    if (!strstr(err.msg, needle)) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, needle);
        fail();
    }
}

static void test_bad_spaces(void **state)
{
    (void)state;
    expect_space_error("{\"batch\": {\"min\": 64, \"max\": 8, \"step\": 1}}", "empty range");
    expect_space_error("{\"batch\": {\"min\": 1, \"max\": 8, \"step\": -1}}",
                       "$.batch.step: expected a positive step");
    expect_space_error("{\"batch\": {\"min\": 1, \"max\": 8, \"factor\": 1}}", "factor");
    expect_space_error("{\"batch\": {\"min\": 1, \"max\": 8}}", "exactly one of");
    expect_space_error("{\"colour\": [1]}", "unknown key \"colour\"");
    expect_space_error("{\"tp\": []}", "$.tp: empty list");
    expect_space_error("{\"tp\": [1, 2, 2]}", "appears twice");
    expect_space_error("{\"tp\": [1.5]}", "$.tp[0]: expected an integer");
    expect_space_error("{\"tp\": [\"8\"]}", "$.tp[0]: expected a number");
    expect_space_error("{\"dtype\": [\"int4\"]}", "$.dtype[0]");
    expect_space_error("{\"freq_mhz\": [100]}", "expected SM clocks in [210, 1980]");
    expect_space_error("{\"freq_mhz\": [1000, 1001]}", "snap to the same supported clock");
    expect_space_error("{\"freq_mhz\": {\"min\": 210, \"max\": 1980, \"step\": 0.001}}",
                       "more than 1048576 values");
    /* 2^63 points or more: 2^20 values in each of four knobs */
    expect_space_error("{\"batch\": {\"min\": 1, \"max\": 1048576, \"step\": 1},"
                       " \"replicas\": {\"min\": 1, \"max\": 1048576, \"step\": 1},"
                       " \"freq_mhz\": \"all\", \"tp\": {\"min\": 1, \"max\": 1024, \"step\": 1},"
                       " \"ep\": {\"min\": 1, \"max\": 4096, \"step\": 1},"
                       " \"sm_comm\": {\"min\": 0, \"max\": 4095, \"step\": 1}}", "2^63");
    expect_space_error("{\"tp\": [1], \"tp\": [2]}", "appears twice");
    /* fuzz findings: a step so small the range never ended; a factor just above 1 */
    expect_space_error("{\"batch\": {\"min\": 2, \"max\": 170, \"step\": 11e-308}}",
                       "more than 1048576 values");
    expect_space_error("{\"batch\": {\"min\": 1, \"max\": 1024, \"factor\": 1.0000000001}}",
                       "more than 1048576 values");
    expect_space_error("[1]", "expected a JSON object");
}

/* Hypervolumes worked by hand. */
static void test_hypervolume(void **state)
{
    (void)state;
    /* staircase (1,3) (2,2) (3,1), reference (4,4): 1x1 + 1x2 + 1x3 = 6 */
    pareto_pt two[3] = {{0, {1, 3}}, {1, {2, 2}}, {2, {3, 1}}};
    double r2[2] = {4, 4};
    assert_true(search_hypervolume(two, 3, 2, r2) == 6);
    /* a point outside the reference box adds nothing */
    pareto_pt out[1] = {{3, {5, 0}}};
    assert_true(search_hypervolume(out, 1, 2, r2) == 0);
    /* one box 1x2x3 */
    pareto_pt one[1] = {{0, {1, 1, 1}}};
    double r3a[3] = {2, 3, 4};
    assert_true(search_hypervolume(one, 1, 3, r3a) == 6);
    /* (1,1,2) and (2,2,1) to (3,3,3): 2x2x1 + 1x1x2 - 1x1x1 overlap = 5 */
    pareto_pt p3[2] = {{0, {1, 1, 2}}, {1, {2, 2, 1}}};
    double r3b[3] = {3, 3, 3};
    assert_true(search_hypervolume(p3, 2, 3, r3b) == 5);
}

/* The NLopt front: every point re-evaluated exactly, feasible, none dominated by another;
 * on the fixture it finds the exhaustive front's hypervolume. With a tiny evaluation budget
 * NLopt stops early: counted as such, and the points are still exact. */
static void test_nlopt_front(void **state)
{
    fixture *f = *state;
    for (int budget = 0; budget < 2; budget++) {
        nlsearch_args a;
        memset(&a, 0, sizeof a);
        a.in = (search_inputs){&f->m, &f->g, &f->w, &f->s, NULL, 0, 0, NULL, 0};
        a.nobj = 3;
        a.obj[0] = OBJ_ENERGY;
        a.obj[1] = OBJ_TPOT;
        a.obj[2] = OBJ_THROUGHPUT_PER_GPU;
        a.levels = 2;
        a.starts = 1;
        a.maxeval = budget ? 5 : 40;
        a.polish_rounds = 50;
        nlsearch_result r;
        llm_err err;
        assert_int_equal(search_nlopt(&a, &r, &err), 0);
        assert_true(r.front.n > 0);
        assert_true(r.evaluations > 0 && r.combos > 0);
        assert_int_equal(r.failed, 0);
        assert_true(r.converged + r.stopped_early > 0);
        if (budget)
            assert_true(r.stopped_early > 0);
        for (size_t i = 0; i < r.front.n; i++) {
            search_row row;
            search_row_eval(&a.in, r.front.pt[i].index, &row);
            assert_int_equal(row.why, PRUNE_NONE);
            for (int k = 0; k < 3; k++)
                assert_true(search_obj_value(a.obj[k], &row.m) == r.front.pt[i].o[k]);
            for (size_t j = 0; j < r.front.n; j++) {
                int le = 1, lt = 0;
                for (int k = 0; k < 3; k++) {
                    le &= r.front.pt[j].o[k] <= r.front.pt[i].o[k];
                    lt |= r.front.pt[j].o[k] < r.front.pt[i].o[k];
                }
                assert_false(le && lt);
            }
        }
        explore_args ea = args_for(f, 2);
        explore_result ex;
        assert_int_equal(search_explore(&ea, &ex, &err), 0);
        double ref[3];
        for (int k = 0; k < 3; k++) {
            ref[k] = -INFINITY;
            for (size_t i = 0; i < ex.front.n; i++)
                ref[k] = fmax(ref[k], ex.front.pt[i].o[k]);
            for (size_t i = 0; i < r.front.n; i++)
                ref[k] = fmax(ref[k], r.front.pt[i].o[k]);
            ref[k] += 1e-3 * fabs(ref[k]) + 1e-12;
        }
        double hv = search_hypervolume(r.front.pt, r.front.n, 3, ref);
        double hx = search_hypervolume(ex.front.pt, ex.front.n, 3, ref);
        assert_true(hv <= hx * (1 + 1e-12)); /* a subset of the points cannot do better */
        if (!budget)
            assert_true(hv >= 0.99 * hx);
        explore_result_free(&ex);
        nlsearch_result_free(&r);
    }
}

static void test_bundled_spaces(void **state)
{
    (void)state;
    const char *names[] = {"llama-3.1-70b-8xh100", "moe-8gpu", "small"};
    llm_model m = load_model("llama-3.1-70b");
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    for (int i = 0; i < 3; i++) {
        llm_space_spec spec;
        llm_err err;
        assert_int_equal(configs_load_space(names[i], &spec, &err), 0);
        space_t s;
        assert_int_equal(space_build(&spec, &m, &g, &s, &err), 0);
        if (i == 0)
            assert_int_equal(s.size, 11698176ull); /* above 10 million: docs/explore.md */
        if (i == 1)
            assert_true(s.size == 4ull * 4 * 1 * 2 * 64 * 4 * 119 * 4);
        space_free(&s);
        configs_free_space(&spec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_space_indexing),
        cmocka_unit_test(test_front_equals_bruteforce),
        cmocka_unit_test(test_threads_and_shards),
        cmocka_unit_test(test_counts_add_up),
        cmocka_unit_test(test_pareto_order_independent),
        cmocka_unit_test(test_bad_spaces),
        cmocka_unit_test(test_bundled_spaces),
        cmocka_unit_test(test_hypervolume),
        cmocka_unit_test(test_nlopt_front),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
