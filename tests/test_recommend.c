/* tests/test_recommend.c — the integer program (GLPK) against brute-force enumeration on small
 * random instances, for every objective; infeasible instances reported and diagnosed. */
#include "testutil.h"
#include "../search/search.h"

#define NC 5
#define MAXN 6

/* For fixed replica counts, the least energy of serving the rates: per model, fill the
 * cheapest marginal power per request first (the inner LP is a fractional knapsack). */
static int inner(const rec_problem *p, const int *n, double *energy)
{
    double e = 0;
    for (size_t i = 0; i < p->n; i++)
        e += n[i] * p->c[i].p_idle;
    for (int m = 0; m < p->nmodels; m++) {
        double left = p->rate[m];
        int used[NC] = {0};
        while (left > 1e-12) {
            int best = -1;
            double bm = INFINITY;
            for (size_t i = 0; i < p->n; i++) {
                const rec_candidate *c = &p->c[i];
                double mg = (c->p_busy - c->p_idle) / c->cap_rps;
                if (c->model == m && !used[i] && n[i] > 0 && mg < bm) {
                    bm = mg;
                    best = (int)i;
                }
            }
            if (best < 0)
                return 0; /* not enough capacity */
            used[best] = 1;
            double take = fmin(left, n[best] * p->c[best].cap_rps);
            e += take * bm;
            left -= take;
        }
    }
    *energy = e;
    return 1;
}

/* Lexicographic brute force: (primary, energy) for gpus/cost, energy alone for energy. */
static int brute(const rec_problem *p, double *best_primary, double *best_energy)
{
    int n[NC] = {0}, found = 0;
    *best_primary = *best_energy = INFINITY;
    for (;;) {
        double gpus[REC_MAX_SKUS] = {0}, peak = 0, g = 0, cost = 0, e;
        for (size_t i = 0; i < p->n; i++) {
            gpus[p->c[i].sku] += n[i] * p->c[i].gpus;
            g += n[i] * p->c[i].gpus;
            cost += n[i] * p->c[i].cost_per_hour;
            peak += n[i] * p->c[i].p_peak;
        }
        int ok = p->power_cap <= 0 || peak <= p->power_cap;
        for (int k = 0; k < p->nskus; k++)
            ok &= gpus[k] <= p->count[k];
        if (ok && inner(p, n, &e)) {
            double prim = p->objective == REC_GPUS ? g : p->objective == REC_COST ? cost : e;
            double en = e; /* the tie-break: energy, whatever the objective */
            if (prim < *best_primary - 1e-9 ||
                (fabs(prim - *best_primary) <= 1e-9 && en < *best_energy)) {
                *best_primary = prim;
                *best_energy = en;
            }
            found = 1;
        }
        size_t i = 0;
        while (i < p->n && ++n[i] > MAXN)
            n[i++] = 0;
        if (i == p->n)
            break;
    }
    return found;
}

static void random_instance(unsigned *seed, rec_candidate *c, rec_problem *p)
{
    memset(p, 0, sizeof *p);
    memset(c, 0, sizeof(rec_candidate) * NC);
    p->nmodels = 1 + rand_r(seed) % 2;
    p->nskus = 1 + rand_r(seed) % 2;
    for (int i = 0; i < NC; i++) {
        c[i].model = i % p->nmodels;
        c[i].sku = rand_r(seed) % p->nskus;
        c[i].gpus = 1 << (rand_r(seed) % 3);
        c[i].cap_rps = 1 + rand_r(seed) % 10;
        c[i].p_idle = 50 + rand_r(seed) % 100;
        c[i].p_busy = c[i].p_idle + 100 + rand_r(seed) % 900;
        c[i].p_peak = c[i].p_busy + rand_r(seed) % 200;
        c[i].cost_per_hour = c[i].gpus * (1 + c[i].sku);
    }
    p->c = c;
    p->n = NC;
    for (int m = 0; m < p->nmodels; m++)
        p->rate[m] = 1 + rand_r(seed) % 20 + 0.5;
    for (int k = 0; k < p->nskus; k++)
        p->count[k] = 4 + rand_r(seed) % 16;
    p->power_cap = rand_r(seed) % 3 == 0 ? 2000 + rand_r(seed) % 8000 : 0;
    p->headroom = 1; /* full capacity: brute() plans at cap_rps */
}

static void test_matches_brute_force(void **state)
{
    (void)state;
    unsigned seed = 2024;
    int feasible = 0, infeasible = 0;
    for (int it = 0; it < 60; it++) {
        rec_candidate c[NC];
        rec_problem p;
        random_instance(&seed, c, &p);
        p.objective = (rec_objective)(it % 3);
        double bp, be;
        int ok = brute(&p, &bp, &be);
        rec_solution s;
        llm_err err;
        assert_int_equal(rec_solve(&p, &s, &err), 0);
        if (!ok) {
            assert_int_equal(s.status, REC_INFEASIBLE);
            infeasible++;
        } else {
            assert_int_equal(s.status, REC_OPTIMAL);
            double prim = p.objective == REC_GPUS ? s.gpus
                        : p.objective == REC_COST ? s.cost_per_hour : s.energy_w;
            assert_close(prim, bp, 1e-6);
            assert_close(s.energy_w, be, 1e-6);
            /* the plan itself satisfies every constraint */
            for (int m = 0; m < p.nmodels; m++)
                assert_true(s.served[m] >= p.rate[m] * (1 - 1e-9));
            for (int k = 0; k < p.nskus; k++)
                assert_true(s.gpus_by_sku[k] <= p.count[k] + 1e-9);
            if (p.power_cap > 0)
                assert_true(s.peak_w <= p.power_cap * (1 + 1e-9));
            for (size_t i = 0; i < p.n; i++) {
                assert_true(s.n[i] == floor(s.n[i]));
                assert_true(s.y[i] <= s.n[i] * c[i].cap_rps * (1 + 1e-9) + 1e-9);
            }
            feasible++;
        }
        rec_solution_free(&s);
    }
    assert_true(feasible > 20);
    assert_true(infeasible > 0);
}

/* A hand-made instance: one model at 10 req/s; A serves 4 req/s on 2 GPUs (idle 200 W, busy
 * 800 W: 150 W per req/s), B 3 req/s on 1 GPU (idle 100 W, busy 700 W: 200 W per req/s).
 * Least GPUs is 4, by 4 B (12 req/s) or 1 A + 2 B (10 req/s); 3 A needs 6, 2 A + 1 B 5.
 * Among the 4-GPU plans the least energy: 4 B = 400 + 10 x 200 = 2400 W;
 * 1 A + 2 B = 400 + 4 x 150 + 6 x 200 = 2200 W. */
static void test_by_hand(void **state)
{
    (void)state;
    rec_candidate c[2];
    memset(c, 0, sizeof c);
    c[0] = (rec_candidate){.model = 0, .sku = 0, .cap_rps = 4, .gpus = 2, .p_busy = 800,
                           .p_idle = 200, .p_peak = 900};
    c[1] = (rec_candidate){.model = 0, .sku = 0, .cap_rps = 3, .gpus = 1, .p_busy = 700,
                           .p_idle = 100, .p_peak = 750};
    rec_problem p;
    memset(&p, 0, sizeof p);
    p.c = c;
    p.n = 2;
    p.nmodels = 1;
    p.nskus = 1;
    p.rate[0] = 10;
    p.count[0] = 8;
    p.objective = REC_GPUS;
    p.headroom = 1;
    rec_solution s;
    llm_err err;
    assert_int_equal(rec_solve(&p, &s, &err), 0);
    assert_int_equal(s.status, REC_OPTIMAL);
    assert_true(s.n[0] == 1 && s.n[1] == 2);
    assert_true(s.gpus == 4);
    assert_close(s.energy_w, 2200, 1e-9);
    rec_solution_free(&s);
    /* only 3 GPUs: infeasible; the diagnosis asks for 4 */
    p.count[0] = 3;
    assert_int_equal(rec_solve(&p, &s, &err), 0);
    assert_int_equal(s.status, REC_INFEASIBLE);
    rec_solution_free(&s);
    rec_diagnosis d;
    assert_int_equal(rec_diagnose(&p, &d, &err), 0);
    assert_true(d.gpus_relaxed_feasible);
    assert_true(d.gpus_needed[0] == 4);
    /* a power cap of 2000 W with 8 GPUs: the least peak power that serves 10 req/s is
     * 1 A + 2 B = 900 + 2 x 750 = 2400 W (4 B: 3000, 3 A: 2700, 2 A + 1 B: 2550) */
    p.count[0] = 8;
    p.power_cap = 2000;
    assert_int_equal(rec_solve(&p, &s, &err), 0);
    assert_int_equal(s.status, REC_INFEASIBLE);
    rec_solution_free(&s);
    assert_int_equal(rec_diagnose(&p, &d, &err), 0);
    assert_true(d.power_relaxed_feasible);
    assert_close(d.power_needed, 2400, 1e-9);
    /* no candidate at all */
    p.n = 0;
    assert_int_equal(rec_solve(&p, &s, &err), 0);
    assert_int_equal(s.status, REC_INFEASIBLE);
    rec_solution_free(&s);
}


/* Headroom F (eq. R2a) is the program with every capacity scaled by F: the same instances as
 * above, solved with F = 0.5 and 0.8 and compared with brute force over capacities x F. */
static void test_headroom_matches_scaled_brute_force(void **state)
{
    (void)state;
    unsigned seed = 77;
    int feasible = 0;
    for (int it = 0; it < 60; it++) {
        rec_candidate c[NC], scaled[NC];
        rec_problem p;
        random_instance(&seed, c, &p);
        p.objective = (rec_objective)(it % 3);
        p.headroom = it % 2 ? 0.8 : 0.5;
        rec_problem q = p;
        for (int i = 0; i < NC; i++) {
            scaled[i] = c[i];
            scaled[i].cap_rps *= p.headroom;
            /* the same power per request/s of load: busy power at the scaled capacity */
            scaled[i].p_busy = c[i].p_idle + (c[i].p_busy - c[i].p_idle) * p.headroom;
        }
        q.c = scaled;
        q.headroom = 1;
        double bp, be;
        int ok = brute(&q, &bp, &be);
        rec_solution s;
        llm_err err;
        assert_int_equal(rec_solve(&p, &s, &err), 0);
        if (!ok) {
            assert_int_equal(s.status, REC_INFEASIBLE);
        } else {
            assert_int_equal(s.status, REC_OPTIMAL);
            double prim = p.objective == REC_GPUS ? s.gpus
                        : p.objective == REC_COST ? s.cost_per_hour : s.energy_w;
            assert_close(prim, bp, 1e-6);
            assert_close(s.energy_w, be, 1e-6);
            for (size_t i = 0; i < p.n; i++)
                assert_true(s.y[i] <= s.n[i] * p.headroom * c[i].cap_rps * (1 + 1e-9) + 1e-9);
            feasible++;
        }
        rec_solution_free(&s);
    }
    assert_true(feasible > 20);
}

/* The hand-made instance above at 75% headroom: A plans 3 req/s on 2 GPUs, B 2.25 on 1.
 * 10 req/s in the fewest GPUs: 4 B = 9 and 1 A + 3 B = 9.75 fall short, 2 A + 1 B = 8.25
 * too; 5 B = 11.25 on 5 GPUs is the only 5-GPU plan: 500 W idle + 10 x 200 W = 2500 W. */
static void test_headroom_by_hand(void **state)
{
    (void)state;
    rec_candidate c[2];
    memset(c, 0, sizeof c);
    c[0] = (rec_candidate){.model = 0, .sku = 0, .cap_rps = 4, .gpus = 2, .p_busy = 800,
                           .p_idle = 200, .p_peak = 900};
    c[1] = (rec_candidate){.model = 0, .sku = 0, .cap_rps = 3, .gpus = 1, .p_busy = 700,
                           .p_idle = 100, .p_peak = 750};
    rec_problem p;
    memset(&p, 0, sizeof p);
    p.c = c;
    p.n = 2;
    p.nmodels = 1;
    p.nskus = 1;
    p.rate[0] = 10;
    p.count[0] = 8;
    p.objective = REC_GPUS;
    p.headroom = 0.75;
    rec_solution s;
    llm_err err;
    assert_int_equal(rec_solve(&p, &s, &err), 0);
    assert_int_equal(s.status, REC_OPTIMAL);
    assert_true(s.n[0] == 0 && s.n[1] == 5);
    assert_true(s.gpus == 5);
    assert_close(s.energy_w, 2500, 1e-9);
    rec_solution_free(&s);
    /* the default (0) is REC_HEADROOM_DEFAULT */
    p.headroom = 0;
    assert_close(rec_headroom(&p), REC_HEADROOM_DEFAULT, 1e-12);
}

/* The plan and its runner-ups on random instances: no runner-up (each a plan of the same or a
 * tighter program) beats the plan under its objective, and one marked the same has the same
 * replicas. */
static void test_runner_ups_never_beat_the_plan(void **state)
{
    (void)state;
    unsigned seed = 99;
    llm_gpu g[2];
    memset(g, 0, sizeof g);
    snprintf(g[0].name, sizeof g[0].name, "a");
    snprintf(g[1].name, sizeof g[1].name, "b");
    double price[2] = {1, 2};
    for (int it = 0; it < 30; it++) {
        rec_candidate c[NC];
        rec_problem p;
        random_instance(&seed, c, &p);
        p.objective = (rec_objective)(it % 3);
        rec_plan pl;
        llm_err err;
        assert_int_equal(rec_plan_solve(&p, g, price, &pl, &err), 0);
        if (!pl.infeasible) {
            assert_true(pl.n_runners >= 1);
            const rec_solution *b = &pl.best;
            double pb = p.objective == REC_GPUS ? b->gpus
                      : p.objective == REC_COST ? b->cost_per_hour : b->energy_w;
            for (int i = 0; i < pl.n_runners; i++) {
                const rec_solution *r = &pl.runner[i];
                if (r->status != REC_OPTIMAL && r->status != REC_FEASIBLE)
                    continue;
                double pr = p.objective == REC_GPUS ? r->gpus
                          : p.objective == REC_COST ? r->cost_per_hour : r->energy_w;
                assert_true(pr >= pb * (1 - 1e-9) - 1e-9);
                if (fabs(pr - pb) <= 1e-9 * fmax(pb, 1))
                    assert_true(r->energy_w >= b->energy_w * (1 - 1e-9) - 1e-9);
                if (pl.runner_same[i])
                    for (size_t k = 0; k < p.n; k++)
                        assert_true(r->n[k] == b->n[k]);
            }
        }
        rec_plan_free(&pl);
    }
}

/* eq. R7 by hand: a plan of 100 W with a bound of 99 W is 1% from optimal; a bound at or
 * above the plan is 0; no bound yet (-inf, as before the first node) is -1, never NaN. */
static void test_gap_by_hand(void **state)
{
    (void)state;
    assert_close(rec_gap(100, 99), 0.01, 1e-12);
    assert_close(rec_gap(4, 3), 0.25, 1e-12);
    assert_true(rec_gap(100, 100) == 0);
    assert_true(rec_gap(100, 100.5) == 0);
    assert_true(rec_gap(100, -INFINITY) == -1);
}

static int same_knobs_but_clock(const space_point *x, const space_point *y)
{
    return x->tp == y->tp && x->ep == y->ep && x->batch == y->batch &&
           x->sm_comm == y->sm_comm && x->dtype == y->dtype && x->kv_dtype == y->kv_dtype &&
           x->replicas_per_gpu == y->replicas_per_gpu && x->chunk_tokens == y->chunk_tokens;
}

/* eq. R1b: the candidates of a real model, kept clocks at least 100 MHz apart: within a group
 * of the same knobs but the clock no two kept clocks are closer; each kept candidate is one of
 * the unbanded set; each group's least energy per request is kept; banding keeps fewer (the
 * clock step is 15 MHz). */
static void test_clock_bands(void **state)
{
    (void)state;
    llm_model m = load_model("llama-3.2-1b");
    llm_gpu g = load_gpu("h100-sxm5-80gb");
    llm_workload w;
    llm_err err;
    assert_int_equal(configs_load_workload("chat", &w, &err), 0);
    double price = 0;
    rec_problem all, band;
    memset(&all, 0, sizeof all);
    all.nmodels = all.nskus = 1;
    all.rate[0] = 10;
    all.count[0] = 8;
    band = all;
    all.clock_band_mhz = -1;
    band.clock_band_mhz = 100;
    rec_candidate *ca, *cb;
    assert_int_equal(rec_candidates(&m, &g, &price, &w, NULL, NULL, &all, &ca, &err), 0);
    assert_int_equal(rec_candidates(&m, &g, &price, &w, NULL, NULL, &band, &cb, &err), 0);
    assert_true(band.n > 0 && band.n < all.n);
    for (size_t i = 0; i < band.n; i++) {
        const space_point *x = &cb[i].row.p;
        int found = 0;
        for (size_t j = 0; j < all.n; j++)
            found |= ca[j].row.index == cb[i].row.index;
        assert_true(found);
        for (size_t j = i + 1; j < band.n; j++)
            if (same_knobs_but_clock(x, &cb[j].row.p))
                assert_true(fabs(x->freq_mhz - cb[j].row.p.freq_mhz) >= 100);
    }
    for (size_t i = 0; i < all.n; i++) {
        double e = ca[i].p_busy / ca[i].cap_rps;
        int least = 1, kept = 0;
        for (size_t j = 0; j < all.n; j++)
            least &= !(same_knobs_but_clock(&ca[i].row.p, &ca[j].row.p) &&
                       ca[j].p_busy / ca[j].cap_rps < e);
        for (size_t j = 0; j < band.n; j++)
            kept |= cb[j].row.index == ca[i].row.index;
        if (least)
            assert_true(kept);
    }
    free(ca);
    free(cb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_matches_brute_force),
        cmocka_unit_test(test_headroom_matches_scaled_brute_force),
        cmocka_unit_test(test_headroom_by_hand),
        cmocka_unit_test(test_runner_ups_never_beat_the_plan),
        cmocka_unit_test(test_clock_bands),
        cmocka_unit_test(test_gap_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
