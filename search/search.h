/* search/search.h — which configurations are best: the exhaustive parallel evaluator, Pareto
 * archives, and merging sharded fronts. The only front header of search/, and the only place
 * that uses OpenMP. docs/explore.md. */
#ifndef LLMDSE_SEARCH_H
#define LLMDSE_SEARCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../configs/configs.h"
#include "../cost/cost.h"
#include "../space/space.h"

/* ---- objectives --------------------------------------------------------------------------- */

typedef enum {
    OBJ_ENERGY = 0, OBJ_TPOT, OBJ_TTFT, OBJ_THROUGHPUT_PER_GPU, OBJ_GPUS, OBJ_PEAK_POWER,
    OBJ_COST, OBJ_COUNT
} search_obj;
extern const char *const search_obj_names[]; /* energy_per_token, tpot, ttft, ... */
#define SEARCH_MAX_OBJ 3

/* The default objectives of explore, search and sku-check. */
#define SEARCH_DEFAULT_OBJECTIVES "energy_per_token,tpot,throughput_per_gpu"
/* Writes the default objectives; returns how many. */
int search_default_objectives(search_obj *out);

/* Parses "a,b[,c]" into 2 or 3 distinct objectives; -1 with a message naming the bad one. */
int search_parse_objectives(const char *s, search_obj *out, int *n, llm_err *err);
/* The objective as a quantity to minimise (maximised ones negated). */
double search_obj_value(search_obj o, const cost_metrics *m);

/* ---- Pareto archive ----------------------------------------------------------------------- */

/* An archive's points have up to this many coordinates: the objectives (at most
 * SEARCH_MAX_OBJ), or a disaggregated pool's attributes (search/disagg.c). */
#define PARETO_MAX_DIM 5
typedef struct {
    uint64_t index;
    double o[PARETO_MAX_DIM];
} pareto_pt;

/* The non-dominated points seen so far. Among points with equal objective vectors only the
 * lowest index is kept, so the archive's final content does not depend on insertion order:
 * the same whatever the thread count or shard split. */
typedef struct {
    pareto_pt *pt;
    size_t n, cap;
    int nobj;
} pareto;

void pareto_init(pareto *a, int nobj);
void pareto_free(pareto *a);
/* Returns 1 if q joined the archive, 0 if dominated, tied with a lower index or already in
 * it, -1 out of memory. */
int pareto_insert(pareto *a, const pareto_pt *q);
void pareto_sort(pareto *a); /* by index */

/* ---- one point, from its index ------------------------------------------------------------ */

typedef struct {
    const llm_model *m;
    const llm_gpu *g;
    const llm_workload *w;
    const space_t *s;
    /* serving (docs/cost-model.md eq. 35-49); NULL / 0 = the ideal engine, KV reserved */
    const llm_serving *serving;
    int chunk_tokens, kv_paged;
    /* uncertainty bands (docs/cost-model.md eq. 52-55); NULL: no band columns, no robust front */
    const llm_bands *bands;
    /* cost_role: a disaggregated pool's replicas (eq. 70; search/disagg.c); 0 = aggregated */
    int role;
} search_inputs;

/* The cost_config of a space point under a workload (request shape: the workload's means). */
void search_config(const search_inputs *in, const space_point *p, cost_config *c);

typedef struct {
    uint64_t index;
    space_point p;
    cost_metrics m;
    space_prune why; /* PRUNE_NONE when evaluated and kept */
} search_row;

/* The TTFT and TPOT an SLO of the workload bounds: the statistic its ttft_percentile /
 * tpot_percentile names (the mean without a request rate, where all coincide). */
#define SEARCH_SLO_OVERLOADED 1e30   /* seconds: the latency of an overloaded replica */
double search_slo_ttft(const llm_workload *w, const cost_metrics *m);
double search_slo_tpot(const llm_workload *w, const cost_metrics *m);

/* Why the plan knobs of p (every knob but the clock and the replica count) are pruned: the
 * structural rule of cost_check_rule it breaks, as its reason, or PRUNE_NONE. */
space_prune search_check_plan(const search_inputs *in, const space_point *p);
/* A point needs more GPUs than the space has: tp x ep x pp per replica, k replicas sharing a
 * GPU (replicas / k whole GPUs, a count that does not fill them exceeds). */
int search_gpus_exceeded(const space_t *s, const space_point *p, int replicas);

/* A point's metrics from its built plan: evaluated at its clock (power capped at the TDP) with
 * its replicas. explore's loop does the same in two steps (the clock's evaluation reused for
 * every replica count). */
void search_point_eval(const search_inputs *in, const cost_plan *plan, const space_point *p,
                       cost_metrics *m);

/* Evaluates one point exactly as explore does (the same arithmetic, so the same numbers). */
void search_row_eval(const search_inputs *in, uint64_t index, search_row *r);

/* ---- explore ------------------------------------------------------------------------------ */

/* Goodput per GPU under a grid of SLOs (docs/explore.md, "Disaggregated serving"): for each
 * TTFT limit x TPOT limit, the highest throughput per GPU of a point meeting both (judged as
 * the SLO filter judges, search_slo_ttft/tpot), and its index (the lowest among ties). */
#define GOODPUT_MAX 5
typedef struct {
    int na, nb;
    double ttft[GOODPUT_MAX], tpot[GOODPUT_MAX];  /* s */
    double best[GOODPUT_MAX][GOODPUT_MAX];        /* tokens/s per GPU; 0: no point meets them */
    uint64_t index[GOODPUT_MAX][GOODPUT_MAX];
} search_goodput;
/* The grid around the workload's SLOs: TTFT x 1/4, 1/2, 1, 2, 4 by TPOT x 1/2, 3/4, 1, 3/2, 2. */
void search_goodput_init(search_goodput *g, const llm_workload *w);
void search_goodput_add(search_goodput *g, const llm_workload *w, const cost_metrics *m,
                        uint64_t index);
void search_goodput_merge(search_goodput *into, const search_goodput *from);

typedef struct {
    search_inputs in;
    int nobj;
    search_obj obj[SEARCH_MAX_OBJ];
    search_goodput *grid;         /* NULL, or filled from every evaluated point */
    uint64_t begin, end;          /* the index range: the whole space or one shard */
    int threads;                  /* 0 = OpenMP's default */
    int progress;                 /* print a progress bar on stderr */
    volatile sig_atomic_t *stop;  /* set (by a signal handler) to stop early; may be NULL */
    int keep_all;                 /* collect the indices of every evaluated point */
} explore_args;

typedef struct {
    uint64_t processed;           /* points looked at (the range, unless stopped) */
    uint64_t evaluated;           /* points the cost model ran on */
    uint64_t feasible;            /* evaluated and not filtered by an SLO */
    uint64_t pruned[PRUNE_COUNT]; /* by reason; PRUNE_NONE unused */
    pareto front;                 /* sorted by index */
    uint64_t *all;                /* keep_all: evaluated indices, ascending */
    size_t n_all;
    int threads, partial;
    double wall_s;
} explore_result;

/* --shard I/N's index range [*begin, *end): contiguous, on plan-block boundaries, each shard
 * with an equal share of the points that will be evaluated (a block's structural rules,
 * memory and GPU count read up front, a few milliseconds for the bundled spaces), so that N
 * shards on N cores finish together; index-proportional (I x size / N) when the space has
 * fewer plan blocks than shards or more than SEARCH_SHARD_BLOCKS_MAX of them. Every shard
 * computes the same boundaries from the same inputs. docs/explore.md, "Shards". */
#define SEARCH_SHARD_BLOCKS_MAX (UINT64_C(1) << 22)
void search_shard_range(const search_inputs *in, int shard, int nshards, uint64_t *begin,
                        uint64_t *end);

/* Runs the evaluator over [begin, end). Memory does not grow with the range (only with the
 * front and, with keep_all, the evaluated points). Returns 0, or -1 (out of memory). */
int search_explore(const explore_args *a, explore_result *r, llm_err *err);
void explore_result_free(explore_result *r);

/* ---- disaggregated prefill/decode serving (search/disagg.c, docs/explore.md) ------------ */

/* The product space of a prefill pool's space and a decode pool's space: point
 * i_p * decode->size + i_d is i_p's prefill configuration (its batch: prompts per prefill
 * step; its replicas: prefill replicas) with i_d's decode configuration (decode replicas).
 * Both pools share the weight and KV types (points that differ are not deployments) and take
 * only the first chunk_tokens and replicas_per_gpu values (the pools run neither). */
typedef struct {
    search_inputs in;          /* in.s: the decode pool's space */
    const space_t *prefill;    /* the prefill pool's space: in.s with other batch values */
    int nobj;
    search_obj obj[SEARCH_MAX_OBJ];
    int threads;               /* 0 = OpenMP's default */
    volatile sig_atomic_t *stop; /* may be NULL */
} disagg_args;

typedef struct {
    uint64_t index;
    space_point pp, dp;        /* the prefill and decode pools' knobs */
    cost_pool pf, dc;
    cost_disagg d;
    cost_metrics m;            /* d as the objectives and SLO checks read it */
    space_prune why;           /* PRUNE_NONE: evaluated and kept */
    int mismatch;              /* the pools' weight or KV types differ: not a deployment */
} disagg_row;

typedef struct {
    pareto front;              /* indices of the product space, sorted */
    uint64_t size;             /* of the product space */
    uint64_t pool_evaluated[2];/* prefill, decode: pool points (plan x clock) evaluated */
    uint64_t pool_kept[2];     /* of those, on their class fronts (eq. 80) */
    uint64_t combined;         /* combinations evaluated */
    int threads, partial;
    double wall_s;
} disagg_result;

/* The prefill batch values (prompts per step) when a run gives none: 1, 2, 4, ... 64. */
int search_disagg_default_prefill_batch(double *v);
/* The decode space s with the prefill pool's batch values; -1 (err) if the product with s
 * reaches 2^63 points. */
int search_disagg_prefill_space(const space_t *s, const double *batch, int n, space_t *out,
                                llm_err *err);
/* d's metrics in the fields the objectives, SLO checks and reports read (eq. 73-79). */
void search_disagg_metrics(const cost_disagg *d, cost_metrics *m);
/* The 80% band of a disaggregated row's metrics: eq. 53 on its combined metrics, in the
 * inputs' regime (all zero without bands). */
void search_disagg_bands(const search_inputs *in, const cost_metrics *m, cost_metric_bands *b);
/* The KV transfer of a row's pair of pools (eq. 72), as the combination used it. */
void search_disagg_transfer(const disagg_args *a, const disagg_row *r, cost_kernel *x);
/* One point of the product space, evaluated by the same arithmetic as the explorers. */
void search_disagg_row(const disagg_args *a, uint64_t index, disagg_row *r);
/* The exact front without enumerating the product (eq. 80). 0, or -1 (out of memory). */
int search_disagg_explore(const disagg_args *a, disagg_result *r, llm_err *err);
/* The same front by brute force over every point of the product (small spaces: the tests). */
int search_disagg_brute(const disagg_args *a, disagg_result *r, llm_err *err);
void disagg_result_free(disagg_result *r);

/* ---- the robust front (search/robust.c, docs/cost-model.md eq. 55) ------------------------ */

/* The 80% band of a row's metrics (eq. 53) in the inputs' regime, power at most the point's cap
 * (the TDP without one); all zero without bands. */
void search_row_bands(const search_inputs *in, const search_row *r, cost_metric_bands *b);
/* An objective's tolerance: the half-width in ln space of its band in the inputs' regime (0
 * without bands, and for the GPU count, which is exact). */
double search_obj_tolerance(const search_inputs *in, search_obj o);
/* Marks robust[i] for the front points no kept point covers within the tolerances (eq. 55);
 * returns how many, or -1 out of memory. */
int search_robust_front(const search_inputs *in, const search_obj *obj, int nobj,
                        const search_row *rows, size_t n, unsigned char *robust);
/* The same cover with given tolerances h[k] (ln): the robust front with the bands' widths,
 * front thinning (--min-gain F) with ln(1 + F) for every objective. */
int search_thin(const search_obj *obj, int nobj, const double *h, const search_row *rows,
                size_t n, unsigned char *keep);

/* The knee of a front (eq. 56): the point nearest the ideal point with each objective's ln
 * scaled to [0, 1] over the front. n >= 1. */
size_t search_knee(const search_obj *obj, int nobj, const search_row *rows, size_t n);

/* ---- hypervolume and the NLopt search (docs/search.md) ------------------------------------ */

/* Volume dominated by the points up to ref (minimisation), 2 or 3 objectives; -1 out of
 * memory. Points outside the reference box contribute nothing. */
double search_hypervolume(const pareto_pt *pts, size_t n, int nobj, const double *ref);

typedef struct {
    search_inputs in;
    int nobj;
    search_obj obj[SEARCH_MAX_OBJ];
    int levels;     /* epsilon levels per constrained objective */
    int starts;     /* starting points per subproblem */
    int maxeval;    /* objective calls per subproblem */
    int polish_rounds; /* rounds of Pareto local search after the sweep; 0 = none */
} nlsearch_args;

typedef struct {
    pareto front;             /* sorted by index; every point an exact evaluation */
    uint64_t evaluations;     /* distinct grid points the cost model ran on */
    uint64_t combos, subproblems, calls;
    uint64_t converged;       /* NLopt stopped on a tolerance (a local optimum) */
    uint64_t stopped_early;   /* NLopt hit maxeval or maxtime: not an optimum, points kept */
    uint64_t failed;          /* NLopt returned an error code: logged, points kept */
    char first_failure[128];
} nlsearch_result;

/* Compares a front with the exhaustive one: the same reference point for both (1% of the
 * range beyond the worse of the two fronts in each objective), both hypervolumes, and how many
 * exhaustive front points no point of `front` weakly dominates (missed). */
typedef struct {
    double ref[SEARCH_MAX_OBJ], hv, hv_exhaustive, ratio;
    uint64_t missed;
} search_comparison;
int search_compare(const pareto *front, const pareto *exhaustive, search_comparison *c);
/* 1 when some point of `by` is at least as good as p in every objective. */
int search_weakly_dominated(const pareto_pt *p, const pareto *by);

/* search --compare-exhaustive: the whole space explored and the NLopt front compared with
 * its front; the first exhaustive front points it missed (at most 5) evaluated. */
typedef struct {
    search_comparison cmp;
    uint64_t evaluated;       /* by the exhaustive run */
    size_t front;             /* the exhaustive front's size */
    int nmissed;
    search_row missed[5];
} search_exhaustive;
/* 0, or -1 with err (kind LLM_ERR_RUNTIME). */
int search_compare_exhaustive(const nlsearch_args *a, const pareto *front, int progress,
                              search_exhaustive *x, llm_err *err);

/* Runs on the calling thread only (NLopt is not used from OpenMP). */
int search_nlopt(const nlsearch_args *a, nlsearch_result *r, llm_err *err);
void nlsearch_result_free(nlsearch_result *r);

/* search --disaggregated: each pool's front searched by NLopt (search_nlopt on its space, its
 * replicas in role: energy, latency, throughput per GPU) instead of enumerated, then reduced
 * and combined as search_disagg_explore does. tmpl: the NLopt settings; evaluations: both
 * pools' NLopt evaluations. */
int search_disagg_nlopt(const disagg_args *a, const nlsearch_args *tmpl, disagg_result *r,
                        uint64_t *evaluations, llm_err *err);

/* ---- recommend: the fleet as an integer program (GLPK; docs/recommend.md) ---------------- */

#define REC_MAX_MODELS 8
#define REC_MAX_SKUS 8
typedef enum { REC_ENERGY = 0, REC_GPUS, REC_COST } rec_objective;
extern const char *const rec_objective_names[]; /* "energy", "gpus", "cost" */

/* One replica of one configuration of one model on one SKU, meeting the SLOs (eq. R1). */
typedef struct {
    int model, sku;
    search_row row;          /* knobs and metrics (of one replica) */
    double cap_rps;          /* requests/s at full load */
    double gpus;
    double p_busy, p_idle;   /* W: at full load (average), idle */
    double p_peak;           /* W: the more demanding phase, all its GPUs */
    double cost_per_hour;    /* USD, 0 without a price */
    int has_bands;           /* bands: the 80% band of row's metrics (eq. 53), for the output */
    cost_metric_bands bands;
    /* a disaggregated unit (eq. 70-79, recommend --disaggregated): n_prefill replicas of `pre`
     * and n_decode of row.p (its replicas: n_decode), the ratio in lowest terms; row.m holds
     * the unit's combined metrics (search_disagg_metrics); 0 for an aggregated replica */
    int disagg;
    space_point pre;
    int n_prefill, n_decode;
    cost_pool pf, dc;
    cost_kernel xfer;
    cost_disagg dis;
} rec_candidate;

void rec_candidate_from_row(const search_row *row, const llm_gpu *g, double output_tokens,
                            int model, int sku, double price_per_gpu_hour, rec_candidate *c);

typedef struct {
    const rec_candidate *c;
    size_t n;
    int nmodels, nskus;
    double rate[REC_MAX_MODELS];   /* requests/s each model must serve */
    double count[REC_MAX_SKUS];    /* GPUs available per SKU */
    double power_cap;              /* W for the whole fleet; 0 = none */
    rec_objective objective;
    double time_limit_s;           /* for glp_intopt, both stages together; 0 = 60 s */
    double headroom;               /* plan pools at most this share of capacity (eq. R2a);
                                      0 = REC_HEADROOM_DEFAULT */
    double clock_band_mhz;         /* eq. R1b, for rec_candidates: the clocks kept of one
                                      configuration at least this far apart (MHz);
                                      0 = REC_CLOCK_BAND_DEFAULT, < 0 = every clock */
    double confidence;             /* eq. R12, for rec_candidates: SLOs, capacity and peak
                                      power held at this probability under the bands;
                                      0 = REC_CONFIDENCE_DEFAULT, < 0 = the point estimates */
    const char *serving;           /* the serving profile's name, for the outputs (NULL: the
                                      ideal engine); with --chunk-tokens and --kv */
    int chunk_tokens, kv_paged;
    int disaggregated;             /* rec_candidates adds disaggregated units (eq. R13) */
} rec_problem;

#define REC_CLOCK_BAND_DEFAULT 100.0
#define REC_CONFIDENCE_DEFAULT 0.9   /* recommend's --confidence (docs/recommend.md, R12) */
/* The probability the candidates are held at (eq. R12): 0 when point estimates are used (no
 * bands, or p->confidence < 0). */
double rec_confidence(const rec_problem *p, const search_inputs *serving);
#define REC_HEADROOM_DEFAULT 0.8   /* the command line's --headroom (docs/recommend.md) */

/* The share of capacity a pool may be planned at (eq. R2a): p->headroom, or the default. */
double rec_headroom(const rec_problem *p);

typedef enum { REC_OPTIMAL = 0, REC_FEASIBLE, REC_INFEASIBLE, REC_ERROR } rec_status;

typedef struct {
    rec_status status;
    double *n, *y;                 /* replicas and load (requests/s) per candidate */
    double energy_w;               /* average fleet power at the given rates */
    double gpus, cost_per_hour, peak_w;
    double gpus_by_sku[REC_MAX_SKUS];
    double served[REC_MAX_MODELS];
    int binding_sku[REC_MAX_SKUS], binding_power;
    double gap;                    /* relative MIP gap when GLPK stopped early (eq. R7); 0 when
                                      optimal; -1 when not known (no bound yet) */
    char message[256];
} rec_solution;

/* eq. R7: the relative gap of a plan's objective to the best bound, (obj - bound) / |obj|;
 * 0 when the bound reaches it, -1 when no bound is known (bound not finite). */
double rec_gap(double obj, double bound);

/* Monotonic seconds (the time limit's clock). */
double rec_clock_s(void);

/* Solves on the calling thread. Returns 0 (see status) or -1 (out of memory). */
int rec_solve(const rec_problem *p, rec_solution *s, llm_err *err);
void rec_solution_free(rec_solution *s);

typedef struct {
    int any_model_without;                  /* some model has no candidate meeting the SLOs */
    int no_candidates[REC_MAX_MODELS];
    int gpus_relaxed_feasible;              /* feasible with unlimited GPUs ... */
    double gpus_needed[REC_MAX_SKUS];       /* ... using this many of each SKU */
    int power_relaxed_feasible;             /* feasible without the power cap ... */
    double power_needed;                    /* ... needing at least this fleet peak, W */
} rec_diagnosis;
int rec_diagnose(const rec_problem *p, rec_diagnosis *d, llm_err *err);

/* The candidates (search/fleet.c): for each (model, SKU) pair, the front of its space (base,
 * NULL for the default, with one replica; the SLOs of model i's workload w[i] enforced) under
 * the serving settings of `serving` (its m, g, w and s unused; NULL: the ideal engine), one
 * clock kept per band (eq. R1b). Sets prob->c (= *cand, malloc'd) and prob->n. Returns 0, or
 * -1 with err (kind: a bad space 2, a failure 1). */
int rec_candidates(const llm_model *models, const llm_gpu *gpus, const double *price,
                   const llm_workload *w, const llm_space_spec *base,
                   const search_inputs *serving, rec_problem *prob, rec_candidate **cand,
                   llm_err *err);

/* One pool's latency at its planned load (eq. R8): the candidate's configuration evaluated
 * with Poisson arrivals at rate_per_replica (requests/s), under model's workload w. */
void rec_pool_metrics(const llm_model *m, const llm_gpu *g, const llm_workload *w,
                      const search_inputs *serving, const rec_candidate *c,
                      double rate_per_replica, cost_metrics *out);

/* The plan for a problem with its candidates: the best, then the runner-ups (the best under
 * each other objective, on each SKU alone, and without the largest pool's configuration) or,
 * when infeasible, the diagnosis. The time limit (prob->time_limit_s, 0 = 60 s) covers them
 * all: the best gets it whole, the runner-ups what is left (eq. R7). */
#define REC_MAX_RUNNERS 8
typedef struct {
    rec_solution best;
    int infeasible;                        /* best.status == REC_INFEASIBLE: see diag */
    rec_diagnosis diag;
    int n_runners;
    rec_solution runner[REC_MAX_RUNNERS];
    char runner_label[REC_MAX_RUNNERS][192];
    int runner_same[REC_MAX_RUNNERS];      /* the same replicas as the plan */
    int without;                           /* the runner-up without the largest pool; -1 */
    /* eq. R12: the same request planned on the point estimates, when the plan is held at a
     * confidence (rec_recommend): what the confidence costs */
    int has_point;
    double confidence;
    rec_solution point;                    /* its n and y freed: totals and status only */
} rec_plan;
/* Returns 0, or -1 with err (kind LLM_ERR_RUNTIME). */
int rec_plan_solve(const rec_problem *prob, const llm_gpu *gpus, const double *price,
                   rec_plan *pl, llm_err *err);
void rec_plan_free(rec_plan *pl);
/* recommend's and sku-check's one path: the candidates (rec_candidates), the plan
 * (rec_plan_solve) and, held at a confidence, the point-estimate plan for comparison (its
 * candidates found again). *cand is malloc'd (prob->c points into it). 0, or -1 with err. */
int rec_recommend(const llm_model *models, const llm_gpu *gpus, const double *price,
                  const llm_workload *w, const llm_space_spec *base,
                  const search_inputs *serving, rec_problem *prob, rec_candidate **cand,
                  rec_plan *pl, llm_err *err);

/* Sensitivity (search/fleet.c, eq. R9): the plan re-solved with every rate x0.8 and x1.25, and
 * with each SLO (TTFT, TPOT) of every workload loosened (x1.2) and tightened (x0.8), the
 * candidates found again for the SLO cases. Each solve gets what is left of the time limit
 * from t0. progress (may be NULL) is told each case's label before it runs. */
#define REC_SENS_CASES 6
typedef struct {
    char label[48];
    rec_solution s;         /* its n and y freed (NULL): only the totals and status are kept */
    size_t candidates;
    int cost_known;         /* every pool it uses has a price */
} rec_sens_case;
int rec_sensitivity(const llm_model *models, const llm_gpu *gpus, const double *price,
                    const llm_workload *w, const llm_space_spec *base,
                    const search_inputs *serving, const rec_problem *prob, double t0,
                    void (*progress)(const char *label), rec_sens_case out[REC_SENS_CASES],
                    llm_err *err);

/* ---- inputs by name (search/inputs.c) ----------------------------------------------------- */

/* Loads the model, GPU and workload (bundled names or paths) and builds the space (a space
 * file by name or path, NULL for the default). Returns 0, or -1 with err (kind 2). */
int search_load_inputs(const char *model, const char *gpu, const char *workload,
                       const char *space, llm_model *m, llm_gpu *g, llm_workload *w, space_t *s,
                       llm_err *err);

#endif
