/* tests/test_disagg.c — disaggregated prefill/decode serving (docs/cost-model.md eq. 70-79,
 * docs/explore.md eq. 80-81): the combination by hand, the pools' roles against the aggregated
 * model's own steps, and the structured explore's front against the brute force over every
 * point of a reduced product space, for each kind of objective set and with the SLO filter. */
#include "testutil.h"
#include "../search/search.h"
#include "../space/space.h"

#include <math.h>

/* ---- eq. 73-79 by hand -------------------------------------------------------------------- */

static const llm_gpu *toy_gpu(void)
{
    static llm_gpu g;
    g = load_gpu("h100-sxm5-80gb");
    return &g;
}

static void toy_pools(cost_pool *p, cost_pool *d)
{
    memset(p, 0, sizeof *p);
    memset(d, 0, sizeof *d);
    p->g = d->g = toy_gpu();
    /* prefill: 2 GPUs, 10 req/s, 0.2 s a prompt, 50 J above idle a request, 200 W idle */
    p->gpus = 2; p->cap_rps = 10; p->latency_s = 0.2; p->dyn_j = 50; p->idle_w = 200;
    p->peak_w = 600; p->mem_gib = 40; p->price_per_hour = 4; p->kv_ranks = 2; p->slots = 4;
    /* decode: 4 GPUs, 4 req/s, 20 ms a token, 300 J a request, 400 W idle */
    d->gpus = 4; d->cap_rps = 4; d->latency_s = 0.02; d->dyn_j = 300; d->idle_w = 400;
    d->peak_w = 500; d->mem_gib = 70; d->price_per_hour = 8; d->kv_ranks = 4; d->slots = 64;
}

static void test_combination_by_hand(void **state)
{
    (void)state;
    cost_pool p, d;
    toy_pools(&p, &d);
    cost_kernel x = {0};
    x.time_s = 0.01; /* 100 transfers/s per replica: not the bound */
    cost_disagg o;
    /* 1 prefill : 2 decode: prefill 10 req/s, decode 8 -> 8 req/s, decode-bound */
    cost_disagg_eval(&p, &d, 1, 2, &x, 100, 0, &o);
    assert_int_equal(o.bound, DISAGG_BOUND_DECODE);
    assert_true(fabs(o.rps - 8) < 1e-12);
    assert_int_equal(o.gpus, 10);
    assert_true(fabs(o.throughput_tok_s - 800) < 1e-9);
    assert_true(fabs(o.throughput_per_gpu - 80) < 1e-9);
    assert_true(fabs(o.ttft_s - 0.21) < 1e-12);
    assert_true(fabs(o.tpot_s - 0.02) < 1e-15);
    assert_true(fabs(o.util_prefill - 0.8) < 1e-12);
    assert_true(fabs(o.util_decode - 1) < 1e-12);
    /* eq. 77: (50 + 300 + 0 J + (200 + 2 x 400) W / 8 req/s) / 100 tokens = 4.75 J; no bytes
     * moved, so no transfer energy */
    assert_true(fabs(o.energy_per_token_j - 4.75) < 1e-12);
    /* average power: (8 x 350 + 1000) W / 10 GPUs = 380 W */
    assert_true(fabs(o.avg_power_w - 380) < 1e-9);
    assert_true(fabs(o.peak_power_w - 600) < 1e-12);
    assert_true(fabs(o.memory_per_gpu_gib - 70) < 1e-12);
    /* eq. 79: (4 + 16) USD/h / 3600 / 800 tok/s x 1e6 */
    assert_true(fabs(o.cost_per_mtok - 20.0 / 3600 / 800 * 1e6) < 1e-9);
    /* 3:6 is 1:2: per-GPU and per-token numbers identical to the last bit, totals x 3 */
    cost_disagg o3;
    cost_disagg_eval(&p, &d, 3, 6, &x, 100, 0, &o3);
    assert_true(o3.throughput_per_gpu == o.throughput_per_gpu);
    assert_true(o3.energy_per_token_j == o.energy_per_token_j);
    assert_true(o3.cost_per_mtok == o.cost_per_mtok);
    assert_int_equal(o3.gpus, 30);
    assert_true(fabs(o3.rps - 24) < 1e-9);
    /* 1:1 is prefill-bound at 4 < 10? no: decode 4 req/s < prefill 10: decode-bound;
     * 1:3: decode 12 > prefill 10: prefill-bound */
    cost_disagg_eval(&p, &d, 1, 3, &x, 100, 0, &o);
    assert_int_equal(o.bound, DISAGG_BOUND_PREFILL);
    assert_true(fabs(o.rps - 10) < 1e-12);
    /* eq. 73: a transfer of 0.2 s allows 5 prompts/s per prefill replica: the link binds */
    x.time_s = 0.2;
    cost_disagg_eval(&p, &d, 1, 3, &x, 100, 0, &o);
    assert_int_equal(o.bound, DISAGG_BOUND_LINK);
    assert_true(fabs(o.rps - 5) < 1e-12);
    assert_true(fabs(o.ttft_s - 0.4) < 1e-12);
    /* eq. 75 at a rate: the queue adds at least half a prefill step; overloaded at capacity */
    cost_disagg_eval(&p, &d, 1, 3, &x, 100, 2, &o);
    assert_true(o.ttft_s >= 0.4 + 0.1 - 1e-12 && !o.overloaded);
    /* its quantiles (eq. 44's M/D/c): ordered, from half a step up; 4 slots at 2 req/s of a
     * 0.2 s step are 0.4 Erlang: the median arrival does not wait */
    assert_true(fabs(o.ttft_p50_s - 0.5) < 1e-12);
    assert_true(o.ttft_p90_s >= o.ttft_p50_s && o.ttft_p99_s >= o.ttft_p90_s);
    cost_disagg_eval(&p, &d, 1, 3, &x, 100, 5, &o);
    assert_true(o.overloaded);
    /* the queue is the prefill slots' (docs: it ignores a link or decode bound): with the
     * prefill pool the bound (10 req/s), 9.6 req/s offer 1.92 Erlang to its 4 slots, and the
     * tail waits */
    x.time_s = 0.01;
    cost_disagg_eval(&p, &d, 1, 3, &x, 100, 9.6, &o);
    assert_true(!o.overloaded && o.ttft_p99_s > o.ttft_p90_s && o.ttft_p90_s > o.ttft_p50_s);
}

static void test_kv_transfer(void **state)
{
    (void)state;
    llm_model m = load_model("llama-3.1-70b");
    /* eq. 71: 1024 tokens x 80 layers x 2 (K, V) x 8 KV heads x 128 x 2 bytes (bf16) */
    assert_true(cost_kv_transfer_bytes(&m, LLM_BF16, 1024) == 1024.0 * 80 * 2 * 8 * 128 * 2);
    assert_true(cost_kv_transfer_bytes(&m, LLM_FP8, 1024) == 1024.0 * 80 * 2 * 8 * 128);
    const llm_gpu *g = toy_gpu();
    double bytes = cost_kv_transfer_bytes(&m, LLM_BF16, 1024);
    /* eq. 72: the side with fewer KV ranks sets the bytes per link: 4 -> 2 ranks is 2 links */
    cost_kernel a, b, c, so;
    cost_kv_transfer(g, bytes, 4, 2, 0, &a);
    cost_collective(g, LLM_SENDRECV, 2, bytes / 2, g->comm_sms_saturate, 0, &b);
    assert_true(a.time_s == b.time_s);
    assert_true(fabs(a.link_bytes - 2 * b.link_bytes) < 1);
    /* more ranks on both sides never slow it; the scale-out network is slower than NVLink */
    cost_kv_transfer(g, bytes, 8, 8, 0, &c);
    assert_true(c.time_s <= a.time_s);
    cost_kv_transfer(g, bytes, 4, 2, 1, &so);
    assert_true(so.time_s > a.time_s);
}

/* ---- the roles against the aggregated model's steps --------------------------------------- */

static void test_roles(void **state)
{
    (void)state;
    llm_model m = load_model("llama-3.1-8b");
    const llm_gpu *g = toy_gpu();
    cost_config c;
    cost_config_default(&c);
    c.batch = 32;
    c.prompt = 1000;
    c.output = 200;
    /* the decode pool's step is the aggregated plan's decode step: the same TPOT to the bit */
    cost_metrics agg, dec;
    cost_eval(&m, g, &c, &agg);
    cost_config cd = c;
    cd.role = COST_ROLE_DECODE;
    cost_eval(&m, g, &cd, &dec);
    assert_true(dec.tpot_s == agg.tpot_s);
    assert_true(dec.ttft_s == 0);
    /* its cycle is O decode steps: capacity B / (O TPOT) */
    assert_true(fabs(dec.capacity_rps - 32 / (200 * dec.tpot_s)) < 1e-9 * dec.capacity_rps);
    /* the ideal engine prefills one prompt alone (eq. 24): a prefill pool of one prompt a step
     * has the aggregated TTFT, and capacity 1 / TTFT */
    cost_config cp = c;
    cp.role = COST_ROLE_PREFILL;
    cp.batch = 1;
    cp.output = 1;
    cost_metrics pre;
    cost_eval(&m, g, &cp, &pre);
    assert_true(pre.ttft_s == agg.ttft_s);
    assert_true(fabs(pre.capacity_rps - 1 / pre.ttft_s) < 1e-9 * pre.capacity_rps);
    /* four prompts a step: more capacity, a longer TTFT */
    cp.batch = 4;
    cost_metrics pre4;
    cost_eval(&m, g, &cp, &pre4);
    assert_true(pre4.capacity_rps > pre.capacity_rps && pre4.ttft_s > pre.ttft_s);
    /* eq. 77's split: busy energy = idle + dynamic, so dynamic >= 0 and idle at the clock */
    cost_plan plan;
    cost_plan_build(&m, g, &cp, &plan);
    cost_metrics mt;
    cost_plan_eval(&plan, g->max_mhz, g->tdp_w, &mt);
    cost_pool q;
    cost_pool_of(&m, &cp, &plan, &mt, &q);
    assert_true(q.dyn_j > 0);
    assert_true(fabs(q.idle_w - cost_host_wait_power(g, mt.effective_freq_mhz)) < 1e-9);
    assert_int_equal(q.kv_ranks, 1);
    assert_int_equal(q.slots, 4);
    assert_true(fabs((q.dyn_j * q.cap_rps + q.idle_w) - mt.avg_power_w) < 1e-6);
}

/* ---- eq. 80-81: the structured front is the brute-force front ----------------------------- */

static const char *REDUCED =
    "{\"name\": \"r\", \"tp\": [1, 2, 4], \"batch\": [1, 16, 96, 256], \"sm_comm\": [0, 16],"
    " \"freq_mhz\": [1005, 1260, 1500, 1755, 1980], \"replicas\": [1, 2, 3],"
    " \"dtype\": [\"bf16\", \"fp8\"], \"kv_dtype\": [\"bf16\", \"fp8\"],"
    " \"gpus\": {\"per_node\": 8}}";

typedef struct {
    llm_model m;
    llm_gpu g;
    llm_workload w;
    llm_serving sv;
    space_t s, ps;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    llm_err err;
    llm_space_spec spec;
    f->m = load_model("llama-3.1-8b");
    f->g = load_gpu("h100-sxm5-80gb");
    double pb[] = {1, 4};
    if (configs_load_workload("chat", &f->w, &err) ||
        configs_load_serving(LLM_SERVING_DEFAULT, &f->sv, &err) ||
        configs_parse_space(REDUCED, "reduced.json", &spec, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    int rc = space_build(&spec, &f->m, &f->g, &f->s, &err);
    configs_free_space(&spec);
    if (rc || search_disagg_prefill_space(&f->s, pb, 2, &f->ps, &err)) {
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
    space_free(&f->ps);
    free(f);
    return 0;
}

static disagg_args args(fixture *f, const char *objectives, int threads)
{
    disagg_args a;
    memset(&a, 0, sizeof a);
    a.in = (search_inputs){&f->m, &f->g, &f->w, &f->s, &f->sv, 0, 1, NULL, 0};
    a.prefill = &f->ps;
    llm_err err;
    assert_int_equal(search_parse_objectives(objectives, a.obj, &a.nobj, &err), 0);
    a.threads = threads;
    return a;
}

static int by_objectives(const void *x, const void *y)
{
    const pareto_pt *a = x, *b = y;
    for (int k = 0; k < SEARCH_MAX_OBJ; k++)
        if (a->o[k] != b->o[k])
            return (a->o[k] > b->o[k]) - (a->o[k] < b->o[k]);
    return 0;
}

/* The two fronts hold the same objective vectors (exactly: the same arithmetic); where
 * several deployments tie exactly, either may stand for them (docs/explore.md). */
static void same_front(const disagg_args *a, const disagg_result *s, const disagg_result *b)
{
    assert_true(b->front.n > 0);
    assert_int_equal(s->front.n, b->front.n);
    pareto_pt *x = malloc(s->front.n * sizeof *x), *y = malloc(b->front.n * sizeof *y);
    memcpy(x, s->front.pt, s->front.n * sizeof *x);
    memcpy(y, b->front.pt, b->front.n * sizeof *y);
    for (size_t i = 0; i < s->front.n; i++)
        for (int k = a->nobj; k < SEARCH_MAX_OBJ; k++)
            x[i].o[k] = y[i].o[k] = 0;
    qsort(x, s->front.n, sizeof *x, by_objectives);
    qsort(y, b->front.n, sizeof *y, by_objectives);
    for (size_t i = 0; i < s->front.n; i++)
        for (int k = 0; k < a->nobj; k++)
            assert_true(x[i].o[k] == y[i].o[k]);
    free(x);
    free(y);
    /* every structured front point is a real deployment whose row gives its objectives */
    for (size_t i = 0; i < s->front.n; i++) {
        disagg_row r;
        search_disagg_row(a, s->front.pt[i].index, &r);
        assert_int_equal(r.why, PRUNE_NONE);
        assert_int_equal(r.mismatch, 0);
        for (int k = 0; k < a->nobj; k++)
            assert_true(search_obj_value(a->obj[k], &r.m) == s->front.pt[i].o[k]);
    }
}

static void check_objectives(fixture *f, const char *objectives, int slo)
{
    f->s.slo_filter = slo;
    f->ps.slo_filter = slo;
    /* SLOs that bind in this small space: some prefill points miss the TTFT (with the
     * transfer), some decode points the TPOT */
    f->w.ttft_slo_s = 0.05;
    f->w.tpot_slo_s = 0.012;
    disagg_args a = args(f, objectives, 2);
    disagg_result s, b;
    llm_err err;
    assert_int_equal(search_disagg_explore(&a, &s, &err), 0);
    assert_int_equal(search_disagg_brute(&a, &b, &err), 0);
    /* the brute force looked at every point of the product: every pair of pool points and
     * every pair of replica counts */
    assert_true(b.combined > 10 * s.combined);
    same_front(&a, &s, &b);
    disagg_result_free(&s);
    disagg_result_free(&b);
    f->s.slo_filter = f->ps.slo_filter = 0;
}

static void test_front_default(void **state)
{
    check_objectives(*state, SEARCH_DEFAULT_OBJECTIVES, 0);
}

static void test_front_goodput(void **state)
{
    check_objectives(*state, "ttft,tpot,throughput_per_gpu", 0);
}

static void test_front_gpus(void **state)
{
    /* the GPU count is an objective: every replica count matters (eq. 81, RATIOS_ALL) */
    check_objectives(*state, "energy_per_token,gpus,ttft", 0);
}

static void test_front_ratio_free(void **state)
{
    /* nothing depends on the ratio: one count per pair of pool points (RATIOS_FIRST) */
    check_objectives(*state, "ttft,tpot,peak_power", 0);
}

static void test_front_cost_slo(void **state)
{
    check_objectives(*state, "cost_per_mtok,energy_per_token", 1);
}

static void test_front_slo(void **state)
{
    /* latency is no objective here: only the SLO filter makes the pools keep it (eq. 80) */
    check_objectives(*state, "energy_per_token,throughput_per_gpu", 1);
}

static void test_threads_agree(void **state)
{
    fixture *f = *state;
    disagg_args a1 = args(f, SEARCH_DEFAULT_OBJECTIVES, 1), a3 = a1;
    a3.threads = 3;
    disagg_result r1, r3;
    llm_err err;
    assert_int_equal(search_disagg_explore(&a1, &r1, &err), 0);
    assert_int_equal(search_disagg_explore(&a3, &r3, &err), 0);
    assert_int_equal(r1.front.n, r3.front.n);
    for (size_t i = 0; i < r1.front.n; i++)
        assert_true(r1.front.pt[i].index == r3.front.pt[i].index);
    disagg_result_free(&r1);
    disagg_result_free(&r3);
}

static void test_mismatch(void **state)
{
    fixture *f = *state;
    disagg_args a = args(f, SEARCH_DEFAULT_OBJECTIVES, 1);
    /* prefill point 0 is bf16/bf16; the decode point with fp8 weights is not a deployment */
    int d[KNOB_COUNT] = {0};
    d[KNOB_DTYPE] = 1;
    uint64_t id = 0;
    for (int k = 0; k < KNOB_COUNT; k++)
        id += (uint64_t)d[k] * f->s.stride[k];
    disagg_row r;
    search_disagg_row(&a, id, &r);
    assert_int_equal(r.mismatch, 1);
    assert_int_not_equal(r.why, PRUNE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combination_by_hand),
        cmocka_unit_test(test_kv_transfer),
        cmocka_unit_test(test_roles),
        cmocka_unit_test_setup_teardown(test_front_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_front_goodput, setup, teardown),
        cmocka_unit_test_setup_teardown(test_front_gpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_front_ratio_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_front_cost_slo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_front_slo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mismatch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
