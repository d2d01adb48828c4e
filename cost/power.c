/* cost/power.c — the one definition of a kernel's power and of its time at an SM clock
 * (layer 4). The direct path (cost/primitives.c, cost_op_eval), the evaluation plan
 * (cost_pass_plan_eval) and validate/ all call these. Equations: docs/cost-model.md
 * section 4 (eq. 19-21, 29-30) and section 5 (eq. 25-26).
 *
 * Equations implemented here (numbers and derivations: docs/cost-model.md):
 *   (2)   Streaming DRAM bandwidth
 *   (19)  Voltage-frequency curve
 *   (20)  Power of a GPU running a kernel
 *   (21)  Energy
 *   (25)  With (6), (2), (26) and (20), a kernel evaluated once at ...
 *   (26)  Time at a clock, one definition
 *   (29)  Executed tensor work
 *   (30)  Power parameters, physically
 *   (40)  Serving-stack overhead
 *   (41)  A step's wall time and energy
 */
#include "cost.h"

/* eq. 19: V(f)/V(max). */
double cost_voltage_ratio(const llm_gpu *g, double mhz)
{
    if (g->v_knee_mhz >= g->max_mhz || mhz <= g->v_knee_mhz)
        return mhz >= g->max_mhz ? 1.0 : g->v_min_ratio;
    double x = (mhz - g->v_knee_mhz) / (g->max_mhz - g->v_knee_mhz);
    if (x > 1) x = 1;
    return g->v_min_ratio + (1 - g->v_min_ratio) * x;
}

void cost_clock_at(const llm_gpu *g, double mhz, cost_clock *c)
{
    double v = cost_voltage_ratio(g, mhz);
    c->mhz = mhz;
    c->r = g->max_mhz / mhz;
    /* eq. 2: below the knee too few loads are in flight to keep DRAM busy */
    c->knee = mhz < g->mem_clk_knee_mhz ? g->mem_clk_knee_mhz / mhz : 1;
    c->v2 = v * v;
    c->fv2 = mhz / g->max_mhz * c->v2;
    /* eq. 20: idle, leakage (v^2) and the SMs' activity floor while kernels run (f v^2) */
    c->base_w = g->idle_w + g->static_w * c->v2 + g->active_w * c->fv2;
}

double cost_base_power(const llm_gpu *g, double mhz)
{
    cost_clock c;
    cost_clock_at(g, mhz, &c);
    return c.base_w;
}

/* eq. 41: a GPU waiting for its host (the serving stack's CPU time between steps, eq. 40):
 * no kernel occupies the SMs, so the activity floor active_w is not drawn; the clock stays
 * where the governor left it, so idle + leakage at that clock is. */
double cost_host_wait_power(const llm_gpu *g, double mhz)
{
    double v = cost_voltage_ratio(g, mhz);
    return g->idle_w + g->static_w * v * v;
}

/* eq. 20 times time, written as eq. 25's coefficients: the math term is
 * math_w FLOP / peak(f) (f/fmax) v^2 = math_w FLOP / peak(fmax) v^2 (peak is proportional to
 * f); the SM side of streaming sm_mem_w bytes/BW (f/fmax) v^2; DRAM and links do not follow
 * the SM clock. BW, link bw: datasheet. */
void cost_energy_coef_of(const llm_gpu *g, double flops, int fp8, double bytes,
                         double link_bytes, cost_energy_coef *e)
{
    double per_clk = fp8 ? g->fp8_flop_per_clk_sm : g->bf16_flop_per_clk_sm;
    double bw = g->mem_bw_gbs * 1e9, lbw = g->link_bw_gbs * 1e9;
    e->ea = per_clk > 0 ? g->math_w * flops / (per_clk * g->sm_count * g->max_mhz * 1e6) : 0;
    e->eb = g->sm_mem_w * bytes / bw;
    e->ec = g->dram_w * bytes / bw + g->link_w * link_bytes / lbw;
}

void cost_kernel_energy_coef(const llm_gpu *g, const cost_kernel *k, cost_energy_coef *e)
{
    /* eq. 29: tensor power follows the executed (tile-padded) tensor work */
    cost_energy_coef_of(g, k->flops_exec, k->fp8, k->bytes, k->link_bytes, e);
}

double cost_kernel_power(const llm_gpu *g, const cost_kernel *k, double mhz)
{
    cost_clock c;
    cost_clock_at(g, mhz, &c);
    cost_energy_coef e;
    cost_kernel_energy_coef(g, k, &e);
    return c.base_w + (k->time_s > 0 ? cost_dyn_energy(&c, &e) / k->time_s : 0);
}

/* Utilisations are work per second: one second at u_math of peak(f) is u_math peak(fmax)
 * f/fmax FLOP, at u_mem of the datasheet bandwidth u_mem BW bytes. */
double cost_power(const llm_gpu *g, double mhz, double u_math, double u_mem, double u_link)
{
    cost_clock c;
    cost_clock_at(g, mhz, &c);
    double per_clk = g->bf16_flop_per_clk_sm;
    cost_energy_coef e;
    cost_energy_coef_of(g, u_math * per_clk * g->sm_count * mhz * 1e6, 0,
                        u_mem * g->mem_bw_gbs * 1e9, u_link * g->link_bw_gbs * 1e9, &e);
    return c.base_w + cost_dyn_energy(&c, &e);
}
