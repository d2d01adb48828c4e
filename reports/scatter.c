/* reports/scatter.c — a scatter plot as inline SVG, drawn here rather than by gnuplot so that
 * every front point is one element the page can count and hover (its <title>), coloured by a
 * category, shaped by another, with its 80% band as error bars, on log axes where the values
 * span a decade or more (docs/report.md). */
#include "reports.h"

#include <math.h>
#include <string.h>

#define W 660
#define H 430
#define ML 70    /* margins: left, right (legend), top, bottom */
#define MR 150
#define MT 20
#define MB 50

static const char *const palette[] = {"#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
#define NPAL (int)(sizeof palette / sizeof palette[0])

typedef struct { double lo, hi; int log; } axis;

static void axis_fit(axis *a, const scatter_pt *p, size_t n, const scatter_pt *bg, size_t nbg,
                     int want_log, int x)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n + nbg; i++) {
        const scatter_pt *q = i < n ? &p[i] : &bg[i - n];
        double v = x ? q->x : q->y, l = x ? q->xlo : q->ylo, h = x ? q->xhi : q->yhi;
        if (!(v > 0) || !isfinite(v))
            continue;
        lo = fmin(lo, fmin(v, l > 0 ? l : v));
        hi = fmax(hi, fmax(v, h > 0 ? h : v));
    }
    if (!isfinite(lo)) {
        lo = 0.1;
        hi = 1;
    }
    if (hi <= lo)
        hi = lo * 1.1 + 1e-12;
    /* log where the values span a decade or more, unless the caller fixed it */
    a->log = want_log >= 0 ? want_log : hi / lo >= 10;
    if (a->log) {
        a->lo = pow(10, floor(log10(lo) * 10) / 10);
        a->hi = pow(10, ceil(log10(hi) * 10) / 10);
        if (a->hi <= a->lo)
            a->hi = a->lo * 10;
    } else {
        double pad = (hi - lo) * 0.05;
        a->lo = fmax(0, lo - pad);
        a->hi = hi + pad;
    }
}

/* position in [0, 1] along the axis */
static double frac(const axis *a, double v)
{
    if (a->log)
        return (log10(fmax(v, a->lo * 1e-3)) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    return (v - a->lo) / (a->hi - a->lo);
}

static double px(const axis *a, double v) { return ML + frac(a, v) * (W - ML - MR); }
static double py(const axis *a, double v) { return H - MB - frac(a, v) * (H - MT - MB); }

static void fmt_tick(char *buf, size_t n, double v)
{
    if (v != 0 && (fabs(v) >= 1e6 || fabs(v) < 1e-3))
        snprintf(buf, n, "%.0e", v);
    else
        snprintf(buf, n, "%.4g", v);
}

/* Ticks: decades (and 2, 5 between them when few) on a log axis, 1-2-5 steps on a linear one. */
static void ticks(FILE *f, const axis *a, int x)
{
    double vals[64];
    int n = 0;
    if (a->log) {
        int d0 = (int)floor(log10(a->lo)), d1 = (int)ceil(log10(a->hi));
        int sub = d1 - d0 <= 2;
        for (int d = d0; d <= d1 && n < 60; d++)
            for (int m = 1; m <= 5; m += sub ? (m == 1 ? 1 : 3) : 10) {
                double v = m * pow(10, d);
                if (v >= a->lo * 0.999 && v <= a->hi * 1.001)
                    vals[n++] = v;
            }
    } else {
        double span = a->hi - a->lo, step = pow(10, floor(log10(span / 5)));
        if (span / step > 10)
            step *= span / step > 25 ? 5 : 2;
        for (double v = ceil(a->lo / step) * step; v <= a->hi + 1e-12 && n < 60; v += step)
            vals[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    }
    char t[32];
    for (int i = 0; i < n; i++) {
        fmt_tick(t, sizeof t, vals[i]);
        if (x)
            fprintf(f, "<line x1=%.1f y1=%d x2=%.1f y2=%d class=grid />"
                       "<text x=%.1f y=%d text-anchor=middle>%s</text>\n",
                    px(a, vals[i]), MT, px(a, vals[i]), H - MB, px(a, vals[i]), H - MB + 15, t);
        else
            fprintf(f, "<line x1=%d y1=%.1f x2=%d y2=%.1f class=grid />"
                       "<text x=%d y=%.1f text-anchor=end>%s</text>\n",
                    ML, py(a, vals[i]), W - MR, py(a, vals[i]), ML - 5, py(a, vals[i]) + 4, t);
    }
}

/* Marker shapes: circle, square, triangle, diamond (as paths, so one element each). */
static void marker(FILE *f, int shape, double x, double y, double r)
{
    switch (shape % 4) {
    case 0:
        fprintf(f, "d=\"M%.1f %.1fa%.1f %.1f 0 1 0 %.1f 0a%.1f %.1f 0 1 0 %.1f 0z\"", x - r, y,
                r, r, 2 * r, r, r, -2 * r);
        break;
    case 1:
        fprintf(f, "d=\"M%.1f %.1fh%.1fv%.1fh%.1fz\"", x - r, y - r, 2 * r, 2 * r, -2 * r);
        break;
    case 2:
        fprintf(f, "d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fz\"", x, y - 1.2 * r, x + 1.1 * r,
                y + 0.8 * r, x - 1.1 * r, y + 0.8 * r);
        break;
    default:
        fprintf(f, "d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fz\"", x, y - 1.3 * r, x + 1.3 * r,
                y, x, y + 1.3 * r, x - 1.3 * r, y);
    }
}

static const char *colour(int c) { return palette[((c % NPAL) + NPAL) % NPAL]; }

void report_svg_scatter(FILE *f, const scatter_plot *s)
{
    axis ax, ay;
    axis_fit(&ax, s->pt, s->n, s->bg, s->nbg, s->logx, 1);
    axis_fit(&ay, s->pt, s->n, s->bg, s->nbg, s->logy, 0);
    fprintf(f, "<svg class=scatter xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
               "width=%d height=%d font-family=sans-serif font-size=11>\n", W, H, W, H);
    fprintf(f, "<rect x=%d y=%d width=%d height=%d fill=white stroke=#999 />\n", ML, MT,
            W - ML - MR, H - MT - MB);
    ticks(f, &ax, 1);
    ticks(f, &ay, 0);
    fprintf(f, "<text x=%d y=%d text-anchor=middle>", (ML + W - MR) / 2, H - 12);
    llm_html_text(f, s->xlabel);
    fprintf(f, "%s</text>\n<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=middle>",
            ax.log ? " (log)" : "", (MT + H - MB) / 2);
    llm_html_text(f, s->ylabel);
    fprintf(f, "%s</text>\n", ay.log ? " (log)" : "");
    /* the evaluated points off the front, faint */
    fputs("<g class=evaluated fill=#d8d8d8>\n", f);
    for (size_t i = 0; i < s->nbg; i++)
        if (s->bg[i].x > 0 && s->bg[i].y > 0)
            fprintf(f, "<circle cx=%.1f cy=%.1f r=1.2 />\n", px(&ax, s->bg[i].x),
                    py(&ay, s->bg[i].y));
    fputs("</g>\n<g class=bands stroke=#555 stroke-width=0.8>\n", f);
    for (size_t i = 0; i < s->n; i++) {
        const scatter_pt *p = &s->pt[i];
        if (!p->emph)
            continue;
        double x = px(&ax, p->x), y = py(&ay, p->y);
        if (p->xhi > p->xlo)
            fprintf(f, "<line x1=%.1f y1=%.1f x2=%.1f y2=%.1f />\n", px(&ax, p->xlo), y,
                    px(&ax, p->xhi), y);
        if (p->yhi > p->ylo)
            fprintf(f, "<line x1=%.1f y1=%.1f x2=%.1f y2=%.1f />\n", x, py(&ay, p->ylo), x,
                    py(&ay, p->yhi));
    }
    fputs("</g>\n<g class=front>\n", f);
    /* the emphasised points last, on top */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->n; i++) {
            const scatter_pt *p = &s->pt[i];
            if (p->emph != pass)
                continue;
            fprintf(f, "<path class=\"pt%s\" fill=\"%s\" %s", p->emph ? " robust" : "",
                    colour(p->colour), p->emph ? "stroke=#000 stroke-width=1.2 " : "");
            marker(f, p->shape, px(&ax, p->x), py(&ay, p->y), p->emph ? 4.5 : 3);
            fputs("><title>", f);
            llm_html_text(f, p->tip ? p->tip : "");
            fputs("</title></path>\n", f);
        }
    fputs("</g>\n<g class=legend>\n", f);
    int y = MT + 10;
    fprintf(f, "<text x=%d y=%d font-weight=bold>", W - MR + 10, y);
    llm_html_text(f, s->colour_title ? s->colour_title : "");
    fputs("</text>\n", f);
    for (int c = 0; c < s->ncolours; c++) {
        y += 15;
        fprintf(f, "<circle cx=%d cy=%d r=4 fill=\"%s\" /><text x=%d y=%d>", W - MR + 14, y - 4,
                colour(c), W - MR + 24, y);
        llm_html_text(f, s->colour_names[c]);
        fputs("</text>\n", f);
    }
    y += 22;
    fprintf(f, "<text x=%d y=%d font-weight=bold>", W - MR + 10, y);
    llm_html_text(f, s->shape_title ? s->shape_title : "");
    fputs("</text>\n", f);
    for (int k = 0; k < s->nshapes; k++) {
        y += 15;
        fprintf(f, "<path fill=#777 ");
        marker(f, k, W - MR + 14, y - 4, 3.5);
        fprintf(f, " /><text x=%d y=%d>", W - MR + 24, y);
        llm_html_text(f, s->shape_names[k]);
        fputs("</text>\n", f);
    }
    int emph = 0; /* the robust front's entry only where some point is on it */
    for (size_t i = 0; i < s->n && !emph; i++)
        emph = s->pt[i].emph;
    if (emph) {
        y += 22;
        fprintf(f, "<path fill=#fff stroke=#000 stroke-width=1.2 ");
        marker(f, 0, W - MR + 14, y - 4, 4.5);
        fprintf(f, " /><text x=%d y=%d>robust front,</text><text x=%d y=%d>with its 80%% band"
                   "</text>\n", W - MR + 24, y, W - MR + 24, y + 13);
    }
    fputs("</g>\n</svg>\n", f);
}
