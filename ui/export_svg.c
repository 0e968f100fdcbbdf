/* export_svg.c — the sequence diagram as a vector picture: its geometry (lanes, rows) and the SVG of lifelines, arrows with their labels, drops, states, timers and notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "arp.h"
#include "dns.h"
#include "export.h"
#include "exportint.h"
#include "i18n.h"
#include "render.h"
#include "summary.h"
#include "tcp.h"
#include "trace.h"
#include "wire.h"

/* Pixels.  The font is 12 px; a column of the terminal is about 6.8 px of
 * it (a CJK character two columns, about its 12 px and a little room). */
#define FONT_PX   12
#define COL_PX    6.8
#define ROW_H     22.0
#define TITLE_H   30.0
#define HEAD_H    40.0
#define LANE_MIN  170.0
#define LANE_MAX  420.0
#define SIDE_MIN  90.0
#define SIDE_MAX  260.0

/* Fonts that have Chinese: the Noto and WenQuanYi families Debian ships,
 * then the platforms' own, then any sans-serif. */
#define FONT_FAMILY "'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei'," \
                    "'Microsoft YaHei','PingFang SC','DejaVu Sans',sans-serif"

double export_text_px(const char *s)
{
    return view_text_width(s) * COL_PX;
}

static double maxd(double a, double b)
{
    return a > b ? a : b;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

double export_row_y(const struct export_geom *g, long i)
{
    long k = g->row && i >= 0 ? (long)g->row[i] - g->row0 : i - (long)g->first;
    return g->body_y + ((double)k + 0.5) * g->row_h;
}

/* The rows of [first, last]: one per record, or per folded row. */
static double geom_rows(const struct export_geom *g)
{
    return g->row ? (double)((long)g->row[g->last] - g->row0 + 1)
                  : (double)(g->last - g->first + 1);
}

/* Below the last row: the body's bottom, and a margin. */
static void geom_height(struct export_geom *g)
{
    g->height = g->body_y + geom_rows(g) * g->row_h + 12;
}

int export_folded(const struct view_index *ix, const struct export_opts *o)
{
    return o->fold && ix->crowd;
}

void export_geom_fold(struct export_geom *g, const struct view_index *ix)
{
    g->row = ix->row;
    g->row0 = (long)ix->row[g->first];
    geom_height(g);
}

/* The label of a timer record as the diagram shows it. */
static void timer_label(const struct trace_rec *r, char *buf, size_t n)
{
    char d[32];
    const char *name = timer_name_str(r->u.timer.name);
    if (r->u.timer.action == TA_START)
        snprintf(buf, n, "%s %s", name, fmt_duration(r->u.timer.due_us - r->t_us, d,
                                                       sizeof d));
    else if (r->u.timer.action == TA_STOP)
        snprintf(buf, n, _("%s stopped"), name);
    else
        snprintf(buf, n, _("%s expired"), name);
}

/* The lane distance an arrow from src to record e's host spans (>= 1). */
static int span_of(const struct trace *tr, int src, int dst)
{
    if (dst < 0 || dst >= tr->nhosts || src < 0)
        return 1;
    int d = dst > src ? dst - src : src - dst;
    return d ? d : 1;
}

void export_geom_init(struct export_geom *g, const struct view_index *ix,
                      size_t first, size_t last)
{
    const struct trace *tr = ix->tr;
    memset(g, 0, sizeof *g);
    g->nhosts = tr->nhosts;
    g->first = first;
    g->last = last;
    g->row_h = ROW_H;
    g->head_h = TITLE_H + HEAD_H;
    g->body_y = g->head_h + 8;
    char buf[600], t[32];
    double lane = LANE_MIN, side = SIDE_MIN, tw = export_text_px(_("time")), note = 0;
    for (int h = 0; h < tr->nhosts; h++) {
        lane = maxd(lane, export_text_px(tr->host_names[h]) + 30);
        side = maxd(side, export_text_px(tr->host_names[h]) / 2 + 20);
    }
    for (size_t i = first; i <= last && i < ix->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        tw = maxd(tw, export_text_px(fmt_time(r->t_us, t, sizeof t)));
        switch (r->kind) {
        case TK_SEND:
            /* the label sits on the send's row, beside its first lane */
            view_packet_label(tr, r, buf, sizeof buf);
            lane = maxd(lane, export_text_px(buf) / span_of(tr, r->u.pkt.src,
                                                            r->u.pkt.dst) + 40);
            break;
        case TK_STATE:
            lane = maxd(lane, export_text_px(trace_state_name(r->layer,
                                                              r->u.state.to)) + 30);
            break;
        case TK_TIMER:
        case TK_DROP:
            if (r->kind == TK_TIMER)
                timer_label(r, buf, sizeof buf);
            else
                snprintf(buf, sizeof buf, "%s", export_drop_short(r->u.pkt.reason));
            side = maxd(side, export_text_px(buf) + 24);
            break;
        case TK_NOTE:
            note = maxd(note, export_text_px(trace_str(tr, r->u.note.text)) + 28);
            break;
        default:
            render_event(tr, r, buf, sizeof buf);
            side = maxd(side, export_text_px(buf) / 2 + 16);
            break;
        }
    }
    lane = clampd(lane, LANE_MIN, LANE_MAX);
    side = clampd(side, SIDE_MIN, SIDE_MAX);
    g->time_w = tw + 20;
    g->lane_x = xcalloc(g->nhosts > 0 ? (size_t)g->nhosts : 1, sizeof *g->lane_x);
    for (int h = 0; h < g->nhosts; h++)
        g->lane_x[h] = g->time_w + side + h * lane;
    double right = g->nhosts ? g->lane_x[g->nhosts - 1] + side : g->time_w + 2 * side;
    /* a note wider than the lanes widens the picture */
    double band = right - g->time_w;
    if (note > band - 16)
        right = g->time_w + note + 16;
    g->width = maxd(right, 320);
    geom_height(g);
}

void export_geom_free(struct export_geom *g)
{
    free(g->lane_x);
    g->lane_x = NULL;
}

/* ======================================================================== */
/* Colours                                                                  */

static const char *proto_colour(int layer)
{
    switch (layer) {
    case TL_TCP:  return "#1b7f3b";
    case TL_UDP:  return "#1f4fbf";
    case TL_ARP:  return "#9c2fa0";
    case TL_DNS:  return "#0b7f93";
    case TL_HTTP: return "#a86f00";
    default:      return "#333333";
    }
}

static const char *proto_id(int layer)
{
    return layer > TL_NONE && layer < TL_COUNT ? trace_layer_name(layer) : "other";
}

#define C_DROP  "#c62828"
#define C_TIMER "#0a8fa8"
#define C_NOTE  "#8a6d00"

/* A state's colour, by what it means: opening, open, closing, waiting. */
static const char *state_colour(int layer, int state)
{
    if (layer == TL_TCP) {
        switch (state) {
        case TCPS_SYN_SENT: case TCPS_SYN_RECEIVED: return "#b26b00";
        case TCPS_ESTABLISHED:                     return "#1b7f3b";
        case TCPS_FIN_WAIT_1: case TCPS_FIN_WAIT_2: case TCPS_CLOSE_WAIT:
        case TCPS_CLOSING: case TCPS_LAST_ACK:      return "#9c2fa0";
        case TCPS_TIME_WAIT:                       return "#1f4fbf";
        default:                                  return "#444444";
        }
    }
    if (layer == TL_ARP) {
        switch (state) {
        case ARP_INCOMPLETE: case ARP_PROBE: return "#b26b00";
        case ARP_REACHABLE:  return "#1b7f3b";
        case ARP_STALE: case ARP_DELAY: return "#1f4fbf";
        case ARP_FAILED:     return C_DROP;
        default:             return "#444444";
        }
    }
    if (layer == TL_DNS) {
        switch (state) {
        case DNS_CHECK_CACHE: case DNS_ASKING_ROOT: case DNS_ASKING_TLD:
        case DNS_ASKING_AUTH: case DNS_ASKING_RESOLVER: return "#b26b00";
        case DNS_ANSWERED: case DNS_CACHED:              return "#1b7f3b";
        case DNS_EXPIRED:                                return "#1f4fbf";
        case DNS_FAILED: case DNS_ABSENT:                return C_DROP;
        default:                                         return "#444444";
        }
    }
    return "#444444";
}

/* ======================================================================== */
/* Drawing                                                                  */

struct svg {
    FILE *fp;
    const struct view_index *ix;
    const struct trace *tr;
    struct export_geom g;
    int html;
    double bottom;          /* the body's last pixel row */
};

static void text_el(struct svg *v, double x, double y, const char *anchor,
                    const char *cls, const char *fill, const char *s)
{
    fprintf(v->fp, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor)
        fprintf(v->fp, " text-anchor=\"%s\"", anchor);
    if (cls)
        fprintf(v->fp, " class=\"%s\"", cls);
    if (fill)
        fprintf(v->fp, " fill=\"%s\"", fill);
    fputc('>', v->fp);
    export_xml_text(v->fp, s);
    fputs("</text>", v->fp);
}

static void group_open(struct svg *v, size_t i, const char *cls)
{
    fprintf(v->fp, "<g class=\"%s\" data-i=\"%zu\">", cls, i);
}

static double lane(const struct svg *v, int h)
{
    return h >= 0 && h < v->g.nhosts ? v->g.lane_x[h] : -1;
}

/* The outer side of lane h: away from the others at the ends, else right. */
static int outer(const struct svg *v, int h)
{
    return h == 0 && v->g.nhosts > 1 ? -1 : 1;
}

/* A short way from a lifeline for a frame with no lane to go to. */
static double stub(const struct svg *v, double xa)
{
    double mid = v->g.nhosts ? (v->g.lane_x[0] + v->g.lane_x[v->g.nhosts - 1]) / 2 : xa;
    return xa <= mid ? xa + 80 : xa - 80;
}

static void cross(struct svg *v, double x, double y)
{
    fprintf(v->fp, "<path class=\"drop\" d=\"M%.1f,%.1fl10,10m0,-10l-10,10\" "
            "stroke=\"" C_DROP "\" stroke-width=\"2.2\" fill=\"none\"/>", x - 5, y - 5);
}

/* Send s's paths: to every reception and drop of it (beyond the range they
 * leave the picture), or, with none in the run, on its way at the end. */
static void draw_paths(struct svg *v, size_t s)
{
    const struct trace *tr = v->tr;
    const struct trace_rec *r = &tr->recs[s];
    const struct view_index *ix = v->ix;
    double xa = lane(v, r->u.pkt.src);
    if (xa < 0)
        return;
    const char *col = proto_colour(ix->proto[s]);
    double ya = export_row_y(&v->g, (long)s);
    group_open(v, s, "msg");
    int any = 0;
    for (int32_t e = ix->first_end[s]; e >= 0; e = ix->next_end[e]) {
        const struct trace_rec *er = &tr->recs[e];
        double yb = export_row_y(&v->g, e);
        any = 1;
        if (er->kind == TK_RECV) {
            double xb = lane(v, er->host);
            if (xb < 0 || xb == xa)
                continue;
            double dir = xb > xa ? 1 : -1;
            fprintf(v->fp, "<line class=\"arrow\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.6\" "
                    "marker-end=\"url(#ah-%s)\"/>", xa, ya, xb - dir * 2, yb, col,
                    proto_id(ix->proto[s]));
        } else {
            double xb = lane(v, er->u.pkt.dst);
            if (xb < 0 || xb == xa)
                xb = stub(v, xa);
            double xc = xa + (xb - xa) * 2 / 3;
            fprintf(v->fp, "<line class=\"arrow lost\" x1=\"%.1f\" y1=\"%.1f\" "
                    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.6\"/>",
                    xa, ya, xc, yb, col);
            cross(v, xc, yb);
            text_el(v, xc + (xb > xa ? 9 : -9), yb + 4, xb > xa ? "start" : "end",
                    "dropwhy", C_DROP, export_drop_short(er->u.pkt.reason));
        }
    }
    if (!any) {
        /* never arrived in the run: on its way off the bottom */
        double xb = lane(v, r->u.pkt.dst);
        if (xb < 0 || xb == xa)
            xb = stub(v, xa);
        fprintf(v->fp, "<line class=\"arrow flying\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.6\" stroke-dasharray=\"5,4\"/>",
                xa, ya, xb, v->bottom + v->g.row_h, col);
    }
    fputs("</g>\n", v->fp);
}

/* The send's label on its own row, beside its first lane, towards where
 * it goes. */
static void send_label(struct svg *v, size_t s, double y)
{
    const struct trace *tr = v->tr;
    const struct trace_rec *r = &tr->recs[s];
    double xa = lane(v, r->u.pkt.src);
    if (xa < 0)
        return;
    double xb = lane(v, r->u.pkt.dst);
    if (r->u.pkt.dst == HOST_BROADCAST) {
        /* towards the middle of the lanes */
        double mid = (v->g.lane_x[0] + v->g.lane_x[v->g.nhosts - 1]) / 2;
        xb = xa <= mid ? xa + 1 : xa - 1;
    } else if (xb < 0 || xb == xa) {
        xb = stub(v, xa);
    }
    char lab[300];
    view_packet_label(tr, r, lab, sizeof lab);
    int right = xb > xa;
    text_el(v, xa + (right ? 8 : -8), y - 5, right ? "start" : "end", "lbl",
            proto_colour(v->ix->proto[s]), lab);
}

/* A box centred on lane h: a state, a call. */
static void box(struct svg *v, double x, double y, const char *s, const char *stroke,
                const char *fill, const char *cls, int dashed)
{
    double w = export_text_px(s) + 12;
    fprintf(v->fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" rx=\"4\" "
            "fill=\"%s\" stroke=\"%s\"%s/>", x - w / 2, y - 8, w, fill, stroke,
            dashed ? " stroke-dasharray=\"3,2\"" : "");
    text_el(v, x, y + 4, "middle", cls, stroke, s);
}

static void draw_row(struct svg *v, size_t i)
{
    const struct trace *tr = v->tr;
    const struct trace_rec *r = &tr->recs[i];
    const struct view_index *ix = v->ix;
    double y = export_row_y(&v->g, (long)i);
    double x = lane(v, r->host);
    char buf[800], lab[300], t[32];
    group_open(v, i, "row");
    if (i == v->g.first || tr->recs[i - 1].t_us != r->t_us ||
        (v->g.row && ix->crowd[i - 1]))        /* a folded row shows its first time */
        text_el(v, v->g.time_w - 10, y + 4, "end", "time", "#666666",
                fmt_time(r->t_us, t, sizeof t));
    switch (r->kind) {
    case TK_STATE:
        if (x >= 0)
            box(v, x, y, trace_state_name(r->layer, r->u.state.to),
                state_colour(r->layer, r->u.state.to), "#ffffff", "state", 0);
        break;
    case TK_SEND:
        send_label(v, i, y);
        break;
    case TK_RECV:
        break;                               /* the arrow's head says it */
    case TK_DROP:
        if (ix->peer[i] < 0 && x >= 0) {
            /* a frame that never left: a cross on the lifeline */
            cross(v, x, y);
            view_packet_label(tr, r, lab, sizeof lab);
            snprintf(buf, sizeof buf, "%s: %s", lab, export_drop_short(r->u.pkt.reason));
            int side = outer(v, r->host);
            text_el(v, x + side * 10, y + 4, side > 0 ? "start" : "end", "dropwhy",
                    C_DROP, buf);
        }
        break;
    case TK_TIMER:
        if (x >= 0) {
            timer_label(r, buf, sizeof buf);
            int side = outer(v, r->host);
            text_el(v, x + side * 12, y + 4, side > 0 ? "start" : "end", "timer",
                    r->u.timer.action == TA_EXPIRE ? C_DROP : C_TIMER, buf);
        }
        break;
    case TK_NOTE: {
        const char *s = trace_str(tr, r->u.note.text);
        double w = export_text_px(s) + 20;
        double mid = v->g.nhosts ? (v->g.lane_x[0] + v->g.lane_x[v->g.nhosts - 1]) / 2
                                 : v->g.width / 2;
        double x0 = mid - w / 2;
        if (x0 < v->g.time_w)
            x0 = v->g.time_w;
        fprintf(v->fp, "<rect class=\"note\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"18\" rx=\"3\" fill=\"#fff8d6\" fill-opacity=\"0.88\" stroke=\"#d9c25a\"/>",
                x0, y - 9, w);
        text_el(v, x0 + w / 2, y + 4, "middle", "note", C_NOTE, s);
        break;
    }
    default:
        render_event(tr, r, buf, sizeof buf);
        if (x >= 0)
            box(v, x, y, buf, r->kind == TK_APP && r->u.app.ret < 0 ? C_DROP : "#555555",
                "#f4f4f4", "call", 1);
        else
            text_el(v, v->g.time_w + 8, y + 4, "start", "call", "#555555", buf);
        break;
    }
    fputs("</g>\n", v->fp);
}

/* A folded row of the crowd: a band across the lanes that says what it
 * holds, up to the range's last event when the range ends inside it. */
static void draw_fold_row(struct svg *v, const struct view_fold *f, size_t shown,
                          size_t upto)
{
    char lab[400], t[32];
    double y = export_row_y(&v->g, (long)shown);
    group_open(v, shown, "row fold");
    text_el(v, v->g.time_w - 10, y + 4, "end", "time", "#666666",
            fmt_time(v->tr->recs[f->first].t_us, t, sizeof t));
    view_fold_text(v->ix, f, upto, lab, sizeof lab);
    double x0 = v->g.time_w, w = v->g.width - v->g.time_w - 10;
    fprintf(v->fp, "<rect class=\"fold\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"18\" rx=\"3\" fill=\"#eeeeee\" fill-opacity=\"0.9\" "
            "stroke=\"#bbbbbb\" stroke-dasharray=\"4,3\"/>", x0, y - 9, w);
    text_el(v, x0 + 10, y + 4, "start", "fold", "#555555", lab);
    fputs("</g>\n", v->fp);
}

/* Timer bars: beside the lifeline from the start's row to its end's. */
static void draw_timer(struct svg *v, size_t s)
{
    const struct trace_rec *r = &v->tr->recs[s];
    double x = lane(v, r->host);
    if (x < 0)
        return;
    double y0 = export_row_y(&v->g, (long)s);
    int32_t e = v->ix->end[s];
    double y1 = e >= 0 ? export_row_y(&v->g, e) : v->bottom + v->g.row_h;
    group_open(v, s, "tbar");
    fprintf(v->fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"5\" height=\"%.1f\" "
            "fill=\"" C_TIMER "\" fill-opacity=\"0.35\"/>", x + 2, y0, y1 - y0);
    fputs("</g>\n", v->fp);
}

static void defs(struct svg *v)
{
    FILE *fp = v->fp;
    fputs("<defs>\n<style>text.lbl,text.dropwhy,text.timer{paint-order:stroke;"
          "stroke:#ffffff;stroke-width:3px;stroke-linejoin:round}"
          "text.state{font-weight:bold}</style>\n", fp);
    for (int l = TL_NONE; l < TL_COUNT; l++) {
        fprintf(fp, "<marker id=\"ah-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                "<path d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>\n",
                proto_id(l), proto_colour(l));
    }
    fprintf(fp, "<clipPath id=\"ps-body\"><rect%s x=\"0\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"/></clipPath>\n", v->html ? " id=\"ps-clip\"" : "",
            v->g.body_y, v->g.width, v->bottom - v->g.body_y);
    fputs("</defs>\n", fp);
}

void export_svg(FILE *fp, const struct view_index *ix, const struct export_opts *o,
                int html)
{
    struct svg v = { .fp = fp, .ix = ix, .tr = ix->tr, .html = html };
    const struct trace *tr = ix->tr;
    export_geom_init(&v.g, ix, o->first, o->last);
    /* folded, the crowd's records are drawn only as their rows' bands */
    const uint8_t *crowd = export_folded(ix, o) ? ix->crowd : NULL;
    if (crowd)
        export_geom_fold(&v.g, ix);
    v.bottom = v.g.body_y + geom_rows(&v.g) * v.g.row_h;
    int stopped = o->stopped && o->last == ix->n - 1;
    if (stopped)
        v.g.height += v.g.row_h;
    const char *title = export_title(o);
    if (!html)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
    fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"" FONT_FAMILY "\" font-size=\"%d\"%s>\n",
            v.g.width, v.g.height, v.g.width, v.g.height, FONT_PX,
            html ? " id=\"ps-svg\"" : "");
    fputs("<title>", fp);
    export_xml_text(fp, *title ? title : "protosim");
    fputs("</title>\n", fp);
    defs(&v);
    fprintf(fp, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    if (*title) {
        fputs("<text x=\"10\" y=\"21\" font-size=\"16\" font-weight=\"bold\" "
              "class=\"title\">", fp);
        export_xml_text(fp, title);
        fputs("</text>\n", fp);
    }

    /* the header: the time column, each host's name over its address */
    double hy = TITLE_H;
    text_el(&v, v.g.time_w - 10, hy + 14, "end", "timehead", "#666666", _("time"));
    for (int h = 0; h < tr->nhosts; h++) {
        char addr[32];
        ip4_str(tr->host_addrs[h], addr, sizeof addr);
        fprintf(fp, "<g class=\"host\" data-host=\"%d\">", h);
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                "font-weight=\"bold\" class=\"hostname\">", v.g.lane_x[h], hy + 14);
        export_xml_text(fp, tr->host_names[h]);
        fputs("</text>", fp);
        text_el(&v, v.g.lane_x[h], hy + 30, "middle", "addr", "#666666", addr);
        fputs("</g>\n", fp);
    }
    fprintf(fp, "<line x1=\"0\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n",
            v.g.body_y - 4, v.g.width, v.g.body_y - 4);

    fputs("<g clip-path=\"url(#ps-body)\">\n", fp);
    if (html)
        fprintf(fp, "<rect id=\"ps-cur\" x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"#fff3b0\"/>\n", v.g.body_y, v.g.width, v.g.row_h);
    for (int h = 0; h < tr->nhosts; h++)
        fprintf(fp, "<line class=\"life\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\" stroke=\"#9e9e9e\" stroke-dasharray=\"4,3\"/>\n",
                v.g.lane_x[h], v.g.body_y, v.g.lane_x[h], v.bottom);
    /* timers and packets that began before the range and end inside it */
    size_t from = (size_t)ix->live[o->first];
    for (size_t s = 0; s < o->first; s++) {
        const struct trace_rec *r = &tr->recs[s];
        if (r->kind == TK_TIMER && r->u.timer.action == TA_START &&
            (ix->end[s] < 0 || (size_t)ix->end[s] >= o->first) && !(crowd && crowd[s]))
            draw_timer(&v, s);
    }
    for (size_t s = o->first; s <= o->last; s++)
        if (tr->recs[s].kind == TK_TIMER && tr->recs[s].u.timer.action == TA_START &&
            !(crowd && crowd[s]))
            draw_timer(&v, s);
    for (size_t s = from; s < o->first; s++)
        if (tr->recs[s].kind == TK_SEND &&
            (ix->end[s] < 0 || (size_t)ix->end[s] >= o->first) && !(crowd && crowd[s]))
            draw_paths(&v, s);
    for (size_t s = o->first; s <= o->last; s++)
        if (tr->recs[s].kind == TK_SEND && !(crowd && crowd[s]))
            draw_paths(&v, s);
    /* each row's own text, over the lines: a folded row once, at its first
     * event in the range */
    for (size_t i = o->first; i <= o->last; i++) {
        if (!crowd || !crowd[i])
            draw_row(&v, i);
        else if (i == o->first || !crowd[i - 1])
            draw_fold_row(&v, view_fold_of(ix, i), i, o->last);
    }
    fputs("</g>\n", fp);
    if (stopped) {
        /* a run cut short by a limit says so where it ends */
        if (html)
            fprintf(fp, "<g class=\"row\" data-i=\"%zu\">", o->last);
        text_el(&v, v.g.time_w, v.bottom + v.g.row_h * 0.7, "start", "stopped", C_DROP,
                o->stopped);
        if (html)
            fputs("</g>", fp);
        fputc('\n', fp);
    }
    fputs("</svg>\n", fp);
    export_geom_free(&v.g);
}
