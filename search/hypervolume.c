/* search/hypervolume.c — the volume of objective space a front dominates, up to a reference
 * point (all objectives minimised): docs/search.md, "Hypervolume". 2 objectives: a sweep;
 * 3 objectives: slices along the third, each a 2-D sweep (O(n^2 log n), n a few thousand). */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double x, y, z; } p3;

static int by_x(const void *a, const void *b)
{
    double u = ((const p3 *)a)->x, v = ((const p3 *)b)->x;
    return (u > v) - (u < v);
}

static int by_z(const void *a, const void *b)
{
    double u = ((const p3 *)a)->z, v = ((const p3 *)b)->z;
    return (u > v) - (u < v);
}

/* Area dominated by pts (sorted by x) within [.., rx] x [.., ry]. */
static double area2(const p3 *pts, size_t n, double rx, double ry)
{
    double a = 0, ymin = ry;
    for (size_t i = 0; i < n; i++) {
        if (pts[i].y < ymin)
            ymin = pts[i].y;
        double next = i + 1 < n ? pts[i + 1].x : rx;
        if (next > rx)
            next = rx;
        if (next > pts[i].x)
            a += (next - pts[i].x) * (ry - ymin);
    }
    return a;
}

double search_hypervolume(const pareto_pt *pts, size_t n, int nobj, const double *ref)
{
    p3 *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int inside = 1;
        for (int k = 0; k < nobj; k++)
            inside &= pts[i].o[k] < ref[k];
        if (!inside)
            continue; /* dominates nothing inside the reference box */
        v[m].x = pts[i].o[0];
        v[m].y = pts[i].o[1];
        v[m].z = nobj > 2 ? pts[i].o[2] : 0;
        m++;
    }
    double hv = 0;
    if (nobj == 2) {
        qsort(v, m, sizeof *v, by_x);
        hv = area2(v, m, ref[0], ref[1]);
    } else {
        qsort(v, m, sizeof *v, by_z);
        p3 *slice = malloc((m ? m : 1) * sizeof *slice);
        if (!slice) {
            free(v);
            return -1;
        }
        /* between consecutive z values, the dominated area is that of every point at or
         * below the slice */
        for (size_t i = 0; i < m; i++) {
            double z1 = i + 1 < m ? v[i + 1].z : ref[2];
            if (z1 <= v[i].z)
                continue;
            memcpy(slice, v, (i + 1) * sizeof *slice);
            qsort(slice, i + 1, sizeof *slice, by_x);
            hv += area2(slice, i + 1, ref[0], ref[1]) * (z1 - v[i].z);
        }
        free(slice);
    }
    free(v);
    return hv;
}

int search_weakly_dominated(const pareto_pt *p, const pareto *by)
{
    for (size_t i = 0; i < by->n; i++) {
        int le = 1;
        for (int k = 0; k < by->nobj; k++)
            le &= by->pt[i].o[k] <= p->o[k];
        if (le)
            return 1;
    }
    return 0;
}

int search_compare(const pareto *front, const pareto *ex, search_comparison *c)
{
    int nobj = ex->nobj;
    memset(c, 0, sizeof *c);
    for (int k = 0; k < nobj; k++) {
        double lo = INFINITY, hi = -INFINITY;
        const pareto *fs[2] = {ex, front};
        for (int f = 0; f < 2; f++)
            for (size_t i = 0; i < fs[f]->n; i++) {
                lo = fmin(lo, fs[f]->pt[i].o[k]);
                hi = fmax(hi, fs[f]->pt[i].o[k]);
            }
        c->ref[k] = hi + 0.01 * (hi > lo ? hi - lo : fabs(hi) > 0 ? fabs(hi) : 1);
    }
    c->hv = search_hypervolume(front->pt, front->n, nobj, c->ref);
    c->hv_exhaustive = search_hypervolume(ex->pt, ex->n, nobj, c->ref);
    if (c->hv < 0 || c->hv_exhaustive < 0)
        return -1;
    c->ratio = c->hv_exhaustive > 0 ? c->hv / c->hv_exhaustive : 1;
    for (size_t i = 0; i < ex->n; i++)
        c->missed += !search_weakly_dominated(&ex->pt[i], front);
    return 0;
}

int search_compare_exhaustive(const nlsearch_args *a, const pareto *front, int progress,
                              search_exhaustive *x, llm_err *err)
{
    explore_args ea;
    memset(&ea, 0, sizeof ea);
    memset(x, 0, sizeof *x);
    ea.in = a->in;
    ea.nobj = a->nobj;
    memcpy(ea.obj, a->obj, sizeof a->obj);
    ea.end = a->in.s->size;
    ea.progress = progress;
    explore_result ex;
    if (search_explore(&ea, &ex, err)) {
        err->status = LLM_ERR_RUNTIME;
        return -1;
    }
    if (search_compare(front, &ex.front, &x->cmp)) {
        explore_result_free(&ex);
        llm_err_fail(err, "out of memory");
        return -1;
    }
    x->evaluated = ex.evaluated;
    x->front = ex.front.n;
    for (size_t i = 0; i < ex.front.n && x->nmissed < 5; i++)
        if (!search_weakly_dominated(&ex.front.pt[i], front))
            search_row_eval(&a->in, ex.front.pt[i].index, &x->missed[x->nmissed++]);
    explore_result_free(&ex);
    return 0;
}
