/* view_diagram.c — the sequence diagram as rows of cells: packet labels and colour roles, lifelines, packet paths in flight, timer bars, row labels and the kernel column (--real). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "narrate.h"
#include "view.h"
#include "viewint.h"
#include "arp.h"
#include "dns.h"
#include "real.h"
#include "render.h"
#include "summary.h"
#include "tcp.h"
#include "wire.h"

/* ======================================================================== */
/* Labels and roles                                                         */

char *view_packet_label(const struct trace *tr, const struct trace_rec *r,
                        char *buf, size_t n)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (frame_decode(p, len, &f, err, sizeof err) != 0)
        snprintf(buf, n, _("malformed frame"));
    else
        packet_label(&f, buf, n);
    if (r->u.pkt.dup) {
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, _(" (copy)"));
    }
    return buf;
}

/* The short name of what arrived, for the receiving end: TCP flags, or the
 * first word of the summary. */
static char *recv_label(const struct trace *tr, const struct trace_rec *r,
                        char *buf, size_t n)
{
    view_packet_label(tr, r, buf, n);
    char *sp = strchr(buf, ' ');
    if (sp)
        *sp = '\0';
    return buf;
}

int vw_proto_role(int layer)
{
    static const int role[TL_COUNT] = {
#define PROTO_ROLE(A, id, name, colour, weight) [TL_##id] = R_PKT_##id,
        PROTOCOLS(PROTO_ROLE, _)
#undef PROTO_ROLE
    };
    return layer > TL_NONE && layer < TL_COUNT && role[layer] ? role[layer]
                                                              : R_PKT_OTHER;
}

int vw_state_role(int layer, int state)
{
    if (layer == TL_TCP) {
        switch (state) {
        case TCPS_SYN_SENT: case TCPS_SYN_RECEIVED: return R_ST_OPENING;
        case TCPS_ESTABLISHED:                     return R_ST_OPEN;
        case TCPS_FIN_WAIT_1: case TCPS_FIN_WAIT_2: case TCPS_CLOSE_WAIT:
        case TCPS_CLOSING: case TCPS_LAST_ACK:      return R_ST_CLOSING;
        case TCPS_TIME_WAIT:                       return R_ST_WAIT;
        default:                                  return R_ST_IDLE;
        }
    }
    if (layer == TL_ARP) {
        switch (state) {
        case ARP_INCOMPLETE: return R_ST_OPENING;
        case ARP_REACHABLE:  return R_ST_OPEN;
        case ARP_STALE: case ARP_DELAY: return R_ST_WAIT;
        case ARP_PROBE:      return R_ST_OPENING;
        case ARP_FAILED:     return R_DROP;
        default:             return R_ST_IDLE;
        }
    }
    if (layer == TL_DNS) {
        switch (state) {
        case DNS_CHECK_CACHE: case DNS_ASKING_ROOT: case DNS_ASKING_TLD:
        case DNS_ASKING_AUTH: case DNS_ASKING_RESOLVER: return R_ST_OPENING;
        case DNS_ANSWERED: case DNS_CACHED:              return R_ST_OPEN;
        case DNS_EXPIRED:                                return R_ST_WAIT;
        case DNS_FAILED: case DNS_ABSENT:                return R_DROP;
        default:                                         return R_ST_IDLE;
        }
    }
    return R_ST_IDLE;
}

static const char *drop_short(int reason)
{
    switch (reason) {
    case DR_LOSS:    return _("lost");
    case DR_FAULT:   return _("dropped (fault)");
    case DR_NOROUTE: return _("no route");
    case DR_CSUM:    return _("bad checksum");
    default:         return _(drop_reason_str(reason));
    }
}

/* ======================================================================== */
/* The diagram                                                              */

/* Lifelines a crowd's diagram has at most (the shared one included). */
#define DIAG_MAX_LANES 16
/* Columns a crowd's lifeline needs, so that labels fit between them. */
#define DIAG_LANE_W 10

/* Where things are in the diagram rect. */
struct dgeom {
    struct view_rect r;
    int body_y, body_h;     /* rows for events */
    int rh;                 /* screen rows per event (2 on a projector) */
    size_t top;             /* the first event of the first row shown */
    size_t top_row;         /* that row */
    size_t nvis;            /* rows shown: top_row .. cur's row */
    /* the crowd folded (view_fold.c): each event's row, NULL when every
     * event is a row of its own */
    const uint32_t *rowix;
    const uint8_t *incrowd;     /* per event: in the crowd (folded only) */
    int tw;                 /* time column width */
    int mark_x;             /* column of the selected-event mark */
    int band_x, band_w;     /* the lifelines' band */
    int nhosts;             /* in the trace */
    /* The lifelines ("lanes"): one per host, or in a crowd (more than
     * VIEW_CROWD_HOSTS hosts) one per host chosen by choose_lanes and a
     * last one shared by all the others (lane_host -1). */
    int nlanes;
    int crowd;
    int custom;                        /* lifelines hidden or moved (keys) */
    int lane_host[VIEW_CROWD_HOSTS];   /* a crowd's lanes' hosts, ascending;
                                          with custom, each lane's host */
    int host_lane[VIEW_CROWD_HOSTS];   /* custom: each host's lane, -1 none */
    int host_pos[VIEW_CROWD_HOSTS];    /* custom: each host's place in the
                                          order chosen, hidden ones too */
    int nothers;                       /* hosts on the shared lane */
    int *cols;              /* each lane's column */
    int *kx;                /* --real: each lane's kernel column, -1 none */
    int kmode;              /* enum view_kmode */
    struct view_rect clip;  /* the body */
};

/* What the packet paths left on a visible event row, for its own label. */
struct rowinfo {
    int has_path;
    int lo, hi;             /* columns the send row's own path segments use */
    int tlo, thi;           /* leftmost / rightmost target column */
    int cross_x, cross_dir; /* a drop row: where the cross is */
};

/* Arrow heads, tips and crosses, drawn again after every path so that no
 * other packet's line hides where one ends. */
struct endmark { int x, y, g, role; };
struct endmarks { struct endmark *v; int n, cap; };

static void add_mark(struct endmarks *m, int x, int y, int g, int role)
{
    if (m->n == m->cap) {
        int nc = m->cap ? m->cap * 2 : 32;
        m->v = xreallocarray(m->v, (size_t)nc, sizeof *m->v);
        m->cap = nc;
    }
    m->v[m->n++] = (struct endmark){ x, y, g, role };
}

/* Event i's row, counted from the run's first. */
static size_t drow(const struct dgeom *g, size_t i)
{
    return g->rowix ? g->rowix[i] : i;
}

static int row_of(const struct dgeom *g, size_t i)
{
    return g->body_y + (int)((long)drow(g, i) - (long)g->top_row) * g->rh;
}

/* Event i's row among the rows shown (an index into their rowinfo), or -1. */
static long shown_row(const struct dgeom *g, size_t i)
{
    size_t r = drow(g, i);
    return r >= g->top_row && r < g->top_row + g->nvis ? (long)(r - g->top_row) : -1;
}

/* Host h's lane, -1 for none (h is no host). */
static int lane_of(const struct dgeom *g, int h)
{
    if (h < 0 || h >= g->nhosts)
        return -1;
    if (g->custom)
        return g->host_lane[h];
    if (!g->crowd)
        return h;
    for (int k = 0; k < g->nlanes - 1; k++)
        if (g->lane_host[k] == h)
            return k;
    return g->nlanes - 1;
}

static int col_of(const struct dgeom *g, int h)
{
    int k = lane_of(g, h);
    return k >= 0 ? g->cols[k] : -1;
}

/* Is host h drawn on the crowd's shared lane? */
static int on_shared(const struct dgeom *g, int h)
{
    return g->crowd && lane_of(g, h) == g->nlanes - 1;
}

/* Path cell glyphs, by direction (0: rightwards, 1: leftwards). */
static const int g_tee[2]     = { G_TEE_R, G_TEE_L };
static const int g_head[2]    = { G_HEAD_R, G_HEAD_L };
static const int g_fly[2]     = { G_FLY_R, G_FLY_L };
static const int g_down[2]    = { G_ARC_DL, G_ARC_DR };   /* side -> down */
static const int g_from_up[2] = { G_ARC_UR, G_ARC_UL };   /* above -> side */

static int in_clip(struct view_rect c, int x, int y)
{
    return x >= c.x && x < c.x + c.w && y >= c.y && y < c.y + c.h;
}

/* Packet paths to draw (draw_flight's, for view_draw_paths). */
struct pathcmds { struct view_path *v; size_t n, cap; };

/* Which cells of the clip the paths drawn so far have painted, for
 * view_draw_paths: per column, each row points towards the first row at or
 * below it not yet painted (h: none), a union-find that jumps over the
 * painted ones. */
struct occl { struct view_rect clip; int *next; };

static int occ_find(const struct occl *o, int x, int y)
{
    int *n = o->next + (size_t)(x - o->clip.x) * (size_t)(o->clip.h + 1);
    int r = y - o->clip.y, c = r;
    while (n[r] != r)
        r = n[r];
    while (n[c] != r) {               /* every row passed now points at r */
        int t = n[c];
        n[c] = r;
        c = t;
    }
    return o->clip.y + r;
}

static void occ_take(const struct occl *o, int x, int y)
{
    o->next[(size_t)(x - o->clip.x) * (size_t)(o->clip.h + 1) + (size_t)(y - o->clip.y)] =
        y - o->clip.y + 1;
}

/* Paints cell (x, y) of the clip with glyph g, unless a path already took
 * it (oc NULL: always). */
static void path_cell(struct view_screen *scr, const struct occl *oc, struct view_rect clip,
                      int x, int y, int g, int role, int utf8)
{
    if (!in_clip(clip, x, y) || (oc && occ_find(oc, x, y) != y))
        return;
    vw_set_glyph(scr, x, y, g, g == G_CROSS ? R_DROP : role, utf8);
    if (oc)
        occ_take(oc, x, y);
}

/* The path's cells: a tee on xa; then row j of the k rows covers path
 * cells a(j) = (L - 1) j / k (rounded down) to a(j + 1), the last row to
 * L - 1.  Where a row covers one cell it is a vertical line, and such
 * rows come in runs, one column each: a run is painted from the first
 * row at or below that oc says is free to the next, skipping what later
 * paths took (oc NULL: every row). */
static void paint_path(struct view_screen *scr, struct view_rect clip, const struct occl *oc,
                       const struct view_path *p, int utf8)
{
    int dir = p->xe >= p->xa ? 1 : -1;
    int di = dir > 0 ? 0 : 1;
    int xs = p->xa + dir;                    /* first path cell */
    int L = (p->xe - xs) * dir + 1;          /* path cells, >= 1 */
    if (L < 1)
        L = 1;
    int k = p->yb - p->ya + 1;               /* rows */
    if (k < 1)
        k = 1;
    int hl = p->dashed ? G_HDASH : G_HLINE;
    path_cell(scr, oc, clip, p->xa, p->ya, g_tee[di], p->role, utf8);
    /* only the rows inside the clip: a path may span thousands of rows */
    int j0 = clip.y - p->ya > 0 ? clip.y - p->ya : 0;
    int j1 = clip.y + clip.h - 1 - p->ya < k - 1 ? clip.y + clip.h - 1 - p->ya : k - 1;
    long span = L - 1, step = span / k, extra = span % k;
    long a = span * j0 / k, rem = span * j0 % k;
    for (int j = j0; j <= j1;) {
        long next = a + step, nrem = rem + extra;
        if (nrem >= k)
            next++, nrem -= k;
        int last_row = j == k - 1;
        long b = last_row ? L - 1 : next;
        if (a == b && j > 0 && !last_row) {
            /* rows j..jr: jr is the last with a(jr + 1) = a, before the
             * last row (a < span there: a(j) reaches span only at j = k) */
            long jr = span ? ((a + 1) * k - 1) / span - 1 : k - 2;
            if (jr > j1)
                jr = j1;
            int x = xs + dir * (int)a, y1 = p->ya + (int)jr;
            if (x >= clip.x && x < clip.x + clip.w) {
                for (int y = p->ya + j; y <= y1; y++) {
                    if (oc && (y = occ_find(oc, x, y)) > y1)
                        break;
                    vw_set_glyph(scr, x, y, G_VLINE, p->role, utf8);
                    if (oc)
                        occ_take(oc, x, y);
                }
            }
            j = (int)jr + 1;
            a = span * j / k;
            rem = span * j % k;
            continue;
        }
        for (long o = a; o <= b; o++) {
            int g, first = o == a, last = o == b;
            if (last && last_row)
                g = p->end;
            else if (first && last)
                g = j == 0 ? g_down[di] : G_VLINE;
            else if (last)
                g = g_down[di];
            else if (first && j > 0)
                g = g_from_up[di];
            else
                g = hl;
            path_cell(scr, oc, clip, xs + dir * (int)o, p->ya + j, g, p->role, utf8);
        }
        a = next;
        rem = nrem;
        j++;
    }
}

/* The column where the path's first row's segment ends (its corner). */
static int path_corner(int xa, int ya, int xe, int yb)
{
    int dir = xe >= xa ? 1 : -1;
    int L = (xe - xa - dir) * dir + 1, k = yb - ya + 1;
    if (L < 1)
        L = 1;
    if (k < 1)
        k = 1;
    return xa + dir + dir * (k == 1 ? L - 1 : (int)((long)(L - 1) / k));
}

int view_draw_path(struct view_screen *scr, struct view_rect clip, int xa,
                   int ya, int xe, int yb, int end, int dashed, int role,
                   int utf8)
{
    struct view_path p = { xa, ya, xe, yb, end, dashed, role };
    paint_path(scr, clip, NULL, &p, utf8);
    return path_corner(xa, ya, xe, yb);
}

/* A path of draw_flight's, kept to be painted by view_draw_paths; its
 * corner. */
static int queue_path(struct pathcmds *q, int xa, int ya, int xe, int yb, int end,
                      int dashed, int role)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 64;
        q->v = xreallocarray(q->v, q->cap, sizeof *q->v);
    }
    q->v[q->n++] = (struct view_path){ xa, ya, xe, yb, end, dashed, role };
    return path_corner(xa, ya, xe, yb);
}

/* From the last path: each cell keeps what the latest path through it
 * paints, and is written once.  A crowd's export has thousands of packets
 * in flight across thousands of rows, mostly down the same few columns;
 * painted in order, every row of every one was written, and the work
 * grew with their product. */
void view_draw_paths(struct view_screen *scr, struct view_rect clip,
                     const struct view_path *p, size_t n, int utf8)
{
    if (!n || clip.w <= 0 || clip.h <= 0)
        return;
    size_t col = (size_t)clip.h + 1;
    struct occl oc = { clip, xreallocarray(NULL, (size_t)clip.w * col, sizeof(int)) };
    for (size_t x = 0; x < (size_t)clip.w; x++)
        for (size_t y = 0; y < col; y++)
            oc.next[x * col + y] = (int)y;
    for (size_t i = n; i-- > 0;)
        paint_path(scr, clip, &oc, &p[i], utf8);
    free(oc.next);
}

static void note_path(struct rowinfo *ri, const struct dgeom *g, size_t s,
                      int xa, int corner, int xb)
{
    long k = shown_row(g, s);
    if (k < 0)
        return;
    struct rowinfo *p = &ri[k];
    int lo = xa < corner ? xa : corner, hi = xa < corner ? corner : xa;
    if (!p->has_path) {
        p->has_path = 1;
        p->lo = lo, p->hi = hi, p->tlo = p->thi = xb;
    } else {
        if (lo < p->lo) p->lo = lo;
        if (hi > p->hi) p->hi = hi;
        if (xb < p->tlo) p->tlo = xb;
        if (xb > p->thi) p->thi = xb;
    }
}

/* A stub target for a frame with no destination lifeline: a short way
 * towards the side the destination's lifeline would be on (a host whose
 * lifeline is hidden), in the order the lifelines are drawn: the lesson's,
 * or the one the user chose with < and >; for a destination that is no
 * host (a forged address) or the sender itself, towards the middle of the
 * band.  Kept within the band. */
static int stub_target(const struct dgeom *g, int xa, int src, int dst)
{
    int mid = g->band_x + g->band_w / 2;
    int len = g->band_w / 6 < 12 ? g->band_w / 6 : 12;
    if (len < 4)
        len = 4;
    if (g->custom && src >= 0 && dst >= 0 && src < g->nhosts && dst < g->nhosts) {
        src = g->host_pos[src];
        dst = g->host_pos[dst];
    }
    int right = dst >= 0 && src >= 0 && dst != src ? dst > src : xa <= mid;
    int lo = g->band_x, hi = g->band_x + g->band_w - 1;
    if (right && xa + len > hi && xa + 2 <= hi)
        return hi;
    if (!right && xa - len < lo && xa - 2 >= lo)
        return lo;
    if (right ? xa + len <= hi : xa - len >= lo)
        return right ? xa + len : xa - len;
    return right ? xa - len : xa + len;      /* no room that way */
}

static void draw_flight(const struct view_index *ix, const struct view_state *st,
                        const struct dgeom *g, struct pathcmds *paths,
                        struct rowinfo *ri, struct endmarks *marks, size_t s)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[s];
    int xa = col_of(g, r->u.pkt.src);
    if (xa < 0)
        return;
    int role = vw_proto_role(ix->proto[s]);
    int ya = row_of(g, s);
    int bcast = ix->flags[s] & VF_BCAST;
    /* within the crowd's shared lane: nothing to draw */
    if (!bcast && on_shared(g, r->u.pkt.src) &&
        (col_of(g, r->u.pkt.dst) < 0 || on_shared(g, r->u.pkt.dst)))
        return;
    int any = 0, dead = 0;
    for (int32_t e = ix->first_end[s]; e >= 0 && (size_t)e <= st->cur;
         e = ix->next_end[e]) {
        const struct trace_rec *er = &tr->recs[e];
        any = 1;
        int yb = row_of(g, (size_t)e);
        if (er->kind == TK_RECV) {
            int xb = col_of(g, er->host);
            if (xb < 0 && !bcast && er->host != r->u.pkt.src)
                /* its receiver's lifeline is hidden: the arrow still
                 * goes out, a short way towards that side */
                xb = stub_target(g, xa, r->u.pkt.src, er->host);
            if (xb < 0 || xb == xa)
                continue;
            int dir = xb > xa ? 1 : -1;
            int c = queue_path(paths, xa, ya, xb - dir, yb, g_head[dir > 0 ? 0 : 1], 0,
                               role);
            note_path(ri, g, s, xa, c, xb);
            add_mark(marks, xb - dir, yb, g_head[dir > 0 ? 0 : 1], role);
        } else {
            int xb = col_of(g, er->u.pkt.dst);
            if (bcast && er->u.pkt.dst < 0)
                dead = 1;                    /* dropped before it left */
            if (xb < 0 || xb == xa)
                xb = stub_target(g, xa, r->u.pkt.src, er->u.pkt.dst);
            int dir = xb > xa ? 1 : -1;
            int dist = (xb - xa) * dir;
            int go = dist * 2 / 3 < 2 ? 2 : dist * 2 / 3;
            int xc = xa + dir * go;
            int c = queue_path(paths, xa, ya, xc, yb, G_CROSS, 0, role);
            note_path(ri, g, s, xa, c, xb);
            add_mark(marks, xc, yb, G_CROSS, R_DROP);
            long k = shown_row(g, (size_t)e);
            if (k >= 0) {
                ri[k].cross_x = xc;
                ri[k].cross_dir = dir;
            }
        }
    }
    if ((any && !bcast) || dead)
        return;
    /* In flight at event cur: the tip has covered (cur - s + 1) / (cur - s
     * + 2) of the way, so it creeps towards the receiver as events pass. */
    long num = (long)(st->cur - s) + 1, den = num + 1;
    int yb = row_of(g, st->cur);
    int src = r->u.pkt.src, lan = 0, shared_lan = 0;
    uint8_t reached[VIEW_CROWD_HOSTS > DIAG_MAX_LANES ? VIEW_CROWD_HOSTS
                                                      : DIAG_MAX_LANES] = { 0 };
    if (bcast) {
        /* the lanes this broadcast has reached by event cur */
        lan = view_bcast_reached(ix, ix->bsrc[s], -1);
        for (int32_t e = ix->first_end[s]; e >= 0 && (size_t)e <= st->cur;
             e = ix->next_end[e]) {
            const struct trace_rec *er = &tr->recs[e];
            int k = lane_of(g, er->host);
            if (k >= 0)
                reached[k] = 1;
            if ((k = lane_of(g, er->u.pkt.dst)) >= 0)
                reached[k] = 1;
        }
        /* does it go to a host of the shared lane: its LAN has more hosts
         * than the lanes of their own show */
        if (g->crowd) {
            size_t shown = 0;
            for (int k = 0; k < g->nlanes - 1; k++)
                shown += g->lane_host[k] != src &&
                         view_bcast_reached(ix, ix->bsrc[s], g->lane_host[k]);
            shared_lan = !lan || view_bcast_peers(ix, ix->bsrc[s]) > shown;
        }
    }
    int src_lane = lane_of(g, src);
    for (int k = 0; k < g->nlanes; k++) {
        int xb;
        if (bcast) {
            /* towards every lane of a host on the sender's LAN (every
             * host, if no broadcast of its ever arrived) that this one
             * has not reached */
            int h = g->crowd && k == g->nlanes - 1 ? -1
                  : g->crowd || g->custom ? g->lane_host[k] : k;
            if (k == src_lane || reached[k] ||
                (h >= 0 && lan && !view_bcast_reached(ix, ix->bsrc[s], h)) ||
                (h < 0 && !shared_lan))
                continue;
            xb = g->cols[k];
        } else {
            if (k > 0)
                break;
            xb = col_of(g, r->u.pkt.dst);
            if (xb < 0 || xb == xa)
                xb = stub_target(g, xa, r->u.pkt.src, r->u.pkt.dst);
        }
        int dir = xb > xa ? 1 : -1;
        int full = (xb - xa) * dir - 2;      /* cells from xa+dir to xb-dir */
        if (full < 0)
            full = 0;
        int xe = xa + dir + dir * (int)((long)full * num / den);
        int c = queue_path(paths, xa, ya, xe, yb, g_fly[dir > 0 ? 0 : 1], 1, role);
        note_path(ri, g, s, xa, c, xb);
        add_mark(marks, xe, yb, g_fly[dir > 0 ? 0 : 1], role);
    }
}

/* A lane's timer bars: the rows of the window during which a timer of
 * host h runs (its merged intervals, found by binary search). */
static void draw_timer_bars(const struct view_index *ix, const struct view_state *st,
                            const struct dgeom *g, struct view_screen *scr, int h,
                            size_t cur)
{
    const struct view_span *v = ix->tcov + ix->tcoff[h];
    size_t lo = 0, hi = ix->tcoff[h + 1] - ix->tcoff[h];
    while (lo < hi) {                        /* the first ending at or after top */
        size_t mid = lo + (hi - lo) / 2;
        if ((size_t)v[mid].to < g->top)
            lo = mid + 1;
        else
            hi = mid;
    }
    int x = col_of(g, h);
    for (size_t k = lo; k < ix->tcoff[h + 1] - ix->tcoff[h] &&
                        (size_t)v[k].from <= cur; k++) {
        size_t last = (size_t)v[k].to < cur ? (size_t)v[k].to : cur;
        int y0 = row_of(g, (size_t)v[k].from), y1 = row_of(g, last);
        if (y0 < g->clip.y)
            y0 = g->clip.y;
        if (y1 > g->clip.y + g->clip.h - 1)
            y1 = g->clip.y + g->clip.h - 1;
        for (int y = y0; y <= y1; y++)
            if (in_clip(g->clip, x, y))
                vw_set_glyph(scr, x, y, G_VBAR, R_TIMER, st->utf8);
    }
}

/* Space beside lifeline x for a label: to the right (side > 0) up to the
 * next lifeline, or to the left (side < 0) down to the previous one. */
static void side_room(const struct dgeom *g, int x, int side, int *from, int *w)
{
    int lim_hi = g->band_x + g->band_w, lim_lo = g->r.x + g->tw + 1;
    for (int h = 0; h < g->nlanes; h++) {
        if (g->cols[h] > x && g->cols[h] < lim_hi)
            lim_hi = g->cols[h];
        if (g->cols[h] < x && g->cols[h] >= lim_lo)
            lim_lo = g->cols[h] + 1;
    }
    if (side > 0) {
        *from = x + 2;
        *w = lim_hi - 1 - *from;
    } else {
        *from = lim_lo + 1;
        *w = x - 1 - *from;
    }
    if (*w < 0)
        *w = 0;
}

/* Is the stretch free (a kernel column's guide counts as free: labels
 * may cover it on their own row)? */
static int row_blank(const struct view_screen *scr, int x, int y, int w)
{
    if (y < 0 || y >= scr->h)
        return 0;
    for (int i = x - 1; i <= x + w; i++) {
        if (i < 0 || i >= scr->w)
            continue;
        const struct view_cell *c = view_at((struct view_screen *)scr, i, y);
        if (c->ch != ' ' && !(c->role == R_KERNEL && (c->ch == 0x2506 || c->ch == ':')))
            return 0;
    }
    return 1;
}

/* Narrows the stretch [*from, *from + *w) so that it starts after (or
 * ends before) any kernel column: a packet's label there would read as
 * the kernel's. */
static void avoid_kcols(const struct dgeom *g, int *from, int *w)
{
    for (int h = 0; g->kmode == VK_FULL && h < g->nlanes; h++) {
        int a = g->kx[h], b = g->kx[h] + VIEW_KCOL_W;      /* [a, b) */
        if (a < 0 || *from >= b || *from + *w <= a)
            continue;
        if (*from >= a - 1) {
            *w -= b + 1 - *from;
            *from = b + 1;
        } else {
            *w = a - 1 - *from;
        }
    }
}

/* A label beside lifeline x, on side `pref` (+1 right, -1 left) when it fits
 * there without covering a packet path, else on the other side if that
 * does, else on the roomier side, cut short.  Right-aligned against the
 * lifeline on the left. */
static void side_label(struct view_screen *scr, const struct dgeom *g, int x,
                       int y, int pref, const char *text, int role, int utf8)
{
    int tw = view_text_width(text);
    int best_side = pref, best_w = -1;
    for (int k = 0; k < 2; k++) {
        int side = k == 0 ? pref : -pref, from, w;
        side_room(g, x, side, &from, &w);
        int at = side > 0 ? from : x - 1 - tw;
        if (w >= tw && row_blank(scr, at, y, tw)) {
            view_put(scr, at, y, tw, text, role, utf8);
            return;
        }
        if (w > best_w)
            best_w = w, best_side = side;
    }
    int from, w;
    side_room(g, x, best_side, &from, &w);
    int used = tw < w ? tw : w;
    if (best_side < 0)
        from = x - 1 - used;
    vw_put_fit(scr, from, y, w, text, role, utf8);
}

/* The side of lifeline x away from the others: outwards for the first and
 * last hosts, towards the middle of the band for the rest. */
static int outer_side(const struct dgeom *g, int x)
{
    int lo = 1, hi = 1;
    for (int h = 0; h < g->nlanes; h++) {
        if (g->cols[h] < x) lo = 0;
        if (g->cols[h] > x) hi = 0;
    }
    if (lo && !hi)
        return -1;
    if (hi && !lo)
        return 1;
    return x <= g->band_x + g->band_w / 2 ? 1 : -1;
}

/* The widest box centre_label draws (its text has two columns less): half
 * as wide again as the lifelines are apart, so that a row's one label
 * stays clear of the next lifelines on both sides. */
static int centre_maxw(const struct dgeom *g)
{
    int gap = g->band_w;
    for (int h = 0; h + 1 < g->nlanes; h++)
        if (g->cols[h + 1] - g->cols[h] < gap)
            gap = g->cols[h + 1] - g->cols[h];
    int w = gap + gap / 2 - 2;
    return w > 16 ? w : 16;
}

/* A label centred on lifeline x: a box on the lifeline. */
static void centre_label(struct view_screen *scr, const struct dgeom *g, int x,
                         int y, const char *text, int role, int utf8)
{
    int maxw = centre_maxw(g);
    char buf[256];
    snprintf(buf, sizeof buf, " %s ", text);
    int w = view_text_width(buf);
    if (w > maxw)
        w = maxw;
    int x0 = x - w / 2;
    if (x0 + w > g->band_x + g->band_w)
        x0 = g->band_x + g->band_w - w;
    if (x0 < g->band_x)
        x0 = g->band_x;
    vw_put_fit(scr, x0, y, maxw, buf, role, utf8);
}

/* ---- the kernel beside the model (--real) ---- */

/* The mark of a kernel state record: ? not observed, ≠ the model is in
 * another state at that moment, ~ the same state with another detail
 * (TIME_WAIT's length), else none (-1). */
static int kernel_mark(const struct view_index *ix, size_t i)
{
    uint8_t m = ix->kmark ? ix->kmark[i] : 0;
    if (m & KM_UNSEEN)
        return G_KQUERY;
    if (m & KM_DIFF)
        return G_KDIFF;
    if (m & KM_DETAIL)
        return G_KDETAIL;
    return -1;
}

int vw_kernel_role(const struct trace_rec *r)
{
    if (RR_WHAT(r) == RW_UNSEEN)
        return R_KUNSEEN;
    return vw_state_role(TL_TCP, RR_STATE(r));
}

/* The short text of a kernel record that is not a state, for its host's
 * kernel column: "close()", "lo FIN,ACK"; "" for the rest. */
static char *kernel_short(const struct trace_rec *r, char *buf, size_t n)
{
    char fl[32];
    buf[0] = '\0';
    if (RR_WHAT(r) == RW_CALL)
        snprintf(buf, n, "%s()", real_call_name(RR_STATE(r)));
    else if (RR_WHAT(r) == RW_PACKET)
        snprintf(buf, n, "lo %s", tcp_flags_str(RR_FLAGS(r), fl, sizeof fl));
    return buf;
}

/* A kernel record's row.  States go in the host's kernel column (the mark
 * cell, then the name), calls and captured segments there too, dimmed;
 * folded, a marker on the lifeline and a label beside it.  What belongs to
 * no column (not replayed, how the replay ran) is a dim narration row. */
static void draw_real(const struct view_index *ix, const struct view_state *st,
                      const struct dgeom *g, struct view_screen *scr, size_t i)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    int y = row_of(g, i), utf8 = st->utf8, sel = i == st->cur;
    int x = col_of(g, r->host);
    int kx = lane_of(g, r->host) >= 0 && !on_shared(g, r->host)
             ? g->kx[lane_of(g, r->host)] : -1;
    int what = RR_WHAT(r);
    char buf[1024], txt[64];
    if (what == RW_STATE || what == RW_UNSEEN) {
        const char *name = tcp_state_name(RR_STATE(r));
        int role = sel ? R_SELECTED : vw_kernel_role(r);
        int mark = kernel_mark(ix, i);
        if (kx >= 0) {
            vw_set_glyph(scr, kx, y, G_KGUIDE, R_KERNEL, utf8);
            vw_set_cell(scr, kx + 1, y, ' ', R_NORMAL);
            if (mark >= 0)
                vw_set_glyph(scr, kx + 1, y, mark,
                          sel ? R_SELECTED : mark == G_KDIFF ? R_ALERT : R_KUNSEEN,
                          utf8);
            vw_put_fit(scr, kx + 2, y, VIEW_KCOL_W - 2, name, role, utf8);
        } else if (x >= 0) {
            vw_set_glyph(scr, x, y, what == RW_UNSEEN ? G_KUNSEEN : G_KOBS, role, utf8);
            uint32_t mc = mark >= 0 ? view_glyph(mark, utf8) : 0;
            char m8[8] = "";
            if (mc)
                m8[vw_utf8_put(mc, m8)] = '\0';
            snprintf(buf, sizeof buf, _("kernel %s%s"), m8, name);
            side_label(scr, g, x, y, outer_side(g, x), buf, role, utf8);
        }
        return;
    }
    if ((what == RW_CALL || what == RW_PACKET) && x >= 0) {
        kernel_short(r, txt, sizeof txt);
        int fail = what == RW_CALL && RR_VAL(r) < 0;
        int role = sel ? R_SELECTED : fail ? R_ALERT : R_KERNEL;
        if (kx >= 0) {
            vw_set_glyph(scr, kx, y, G_KGUIDE, R_KERNEL, utf8);
            vw_set_cell(scr, kx + 1, y, ' ', R_NORMAL);
            if (fail)
                vw_set_glyph(scr, kx + 1, y, G_CROSS, sel ? R_SELECTED : R_ALERT, utf8);
            vw_put_fit(scr, kx + 2, y, VIEW_KCOL_W - 2, txt, role, utf8);
        } else {
            if (what == RW_CALL)
                snprintf(buf, sizeof buf, fail ? _("real %s failed") : _("real %s"), txt);
            else
                snprintf(buf, sizeof buf, "%s", txt);
            side_label(scr, g, x, y, outer_side(g, x), buf, role, utf8);
        }
        return;
    }
    /* not replayed, how the replay ran: the sentence, as a dim narration */
    trace_why(tr, r, buf, sizeof buf);
    if (!buf[0])
        render_event(tr, r, buf, sizeof buf);
    int x0 = g->band_x, x1 = g->r.x + g->r.w;
    vw_put_fit(scr, x0, y, x1 - x0, buf, sel ? R_SELECTED : R_KERNEL, utf8);
}

/* A label on host h's lane: on the crowd's shared lane, it says whose. */
static const char *lane_text(const struct dgeom *g, const struct trace *tr, int h,
                             const char *text, char *buf, size_t n)
{
    if (!on_shared(g, h))
        return text;
    snprintf(buf, n, "%s: %s", tr->host_names[h], text);
    return buf;
}

/* A row's gutter: its time (when it moves on, and always when selected or
 * where a what-if departs, flagged), and the selected row's mark. */
static void row_gutter(const struct dgeom *g, struct view_screen *scr, int y, int64_t t_us,
                       int show_time, int sel, int dep, int utf8)
{
    if (show_time || sel || dep) {
        char t[32];
        fmt_time(t_us, t, sizeof t);
        int tl = (int)strlen(t);
        view_put(scr, g->r.x + g->tw - tl, y, tl, t,
                 sel ? R_CURSOR : dep ? R_ALERT : R_TIME, utf8);
    }
    if (dep)
        vw_set_glyph(scr, g->r.x + g->tw, y, G_DEPART, R_ALERT, utf8);
    if (sel)
        vw_set_glyph(scr, g->mark_x, y, G_MARK, R_CURSOR, utf8);
}

/* The row's own content, drawn over whatever crosses it. */
static void draw_own(const struct view_index *ix, const struct view_state *st,
                     const struct dgeom *g, struct view_screen *scr,
                     const struct rowinfo *ri, size_t i)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    int y = row_of(g, i), utf8 = st->utf8, sel = i == st->cur;
    int x = col_of(g, r->host);
    char buf[512], lab[256], wb[800];

    /* time, when it moves on (and at the top, for context); a what-if's
     * departure always shows its time, flagged */
    int dep = st->depart && i + 1 == st->depart;
    row_gutter(g, scr, y, r->t_us,
               i == g->top || tr->recs[i - 1].t_us != r->t_us ||
               (g->incrowd && g->incrowd[i - 1]),   /* a folded row shows its first time */
               sel, dep, utf8);

    switch (r->kind) {
    case TK_STATE:
        if (x >= 0)
            centre_label(scr, g, x, y,
                         lane_text(g, tr, r->host,
                                   vw_state_label(r->layer, r->u.state.to,
                                                  centre_maxw(g) - 2, lab, sizeof lab),
                                   wb, sizeof wb),
                         sel ? R_SELECTED : vw_state_role(r->layer, r->u.state.to),
                         utf8);
        break;
    case TK_TIMER:
        if (x >= 0) {
            int f1, w1, f2, w2;
            side_room(g, x, 1, &f1, &w1);
            side_room(g, x, -1, &f2, &w2);
            vw_timer_label(ix, st, i, w1 > w2 ? w1 : w2, buf, sizeof buf);
            side_label(scr, g, x, y, outer_side(g, x),
                       lane_text(g, tr, r->host, buf, wb, sizeof wb),
                       sel ? R_SELECTED : R_TIMER, utf8);
        }
        break;
    case TK_SEND: {
        const struct rowinfo *p = &ri[shown_row(g, i)];
        if (!p->has_path)
            break;
        /* the wider free stretch beside the first segment, towards targets */
        int rl = p->thi - 2 - (p->hi + 2) + 1, ll = (p->lo - 2) - (p->tlo + 2) + 1;
        int from, w;
        if (p->thi > p->hi && (rl >= ll || p->tlo >= p->lo)) {
            from = p->hi + 2;
            w = rl;
        } else {
            from = p->tlo + 2;
            w = ll;
        }
        avoid_kcols(g, &from, &w);
        if (w < 3)
            break;
        vw_packet_label_fit(tr, r, w, lab, sizeof lab);
        int tw = view_text_width(lab);
        if (tw < w)
            from += (w - tw) / 2;
        vw_put_fit(scr, from, y, w, lab,
                sel ? R_SELECTED : vw_proto_role(ix->proto[i]), utf8);
        break;
    }
    case TK_RECV:
        if (x >= 0) {
            recv_label(tr, r, lab, sizeof lab);
            int xs = col_of(g, r->u.pkt.src);
            side_label(scr, g, x, y, xs >= 0 && xs > x ? -1 : 1,
                       lane_text(g, tr, r->host, lab, wb, sizeof wb),
                       sel ? R_SELECTED : vw_proto_role(ix->proto[i]), utf8);
        }
        break;
    case TK_DROP: {
        const struct rowinfo *p = &ri[shown_row(g, i)];
        if (ix->peer[i] >= 0 && p->cross_dir) {
            int from, w;
            side_room(g, p->cross_x, p->cross_dir, &from, &w);
            const char *why = drop_short(r->u.pkt.reason);
            if (p->cross_dir < 0) {
                int tw = view_text_width(why);
                from = p->cross_x - 1 - (tw < w ? tw : w);
            }
            vw_put_fit(scr, from, y, w, why, sel ? R_SELECTED : R_DROP, utf8);
        } else if (x >= 0) {
            /* a frame that never left (no send record): a cross on the
             * lifeline and what was lost */
            vw_set_glyph(scr, x, y, G_CROSS, R_DROP, utf8);
            const char *why = drop_short(r->u.pkt.reason);
            int f1, w1, f2, w2;
            side_room(g, x, 1, &f1, &w1);
            side_room(g, x, -1, &f2, &w2);
            /* the reason whole, the frame's label in the form that fits */
            vw_packet_label_fit(tr, r, (w1 > w2 ? w1 : w2) - view_text_width(why) - 2,
                                lab, sizeof lab);
            snprintf(buf, sizeof buf, "%s: %s", lab, why);
            side_label(scr, g, x, y, outer_side(g, x),
                       lane_text(g, tr, r->host, buf, wb, sizeof wb),
                       sel ? R_SELECTED : R_DROP, utf8);
        }
        break;
    }
    case TK_NOTE: {
        int x0 = g->mark_x + 1, x1 = g->r.x + g->r.w;
        int role = sel ? R_SELECTED : R_NOTE;
        for (int xx = x0; xx < x1; xx++)
            vw_set_glyph(scr, xx, y, G_NOTEFILL, role, utf8);
        snprintf(buf, sizeof buf, " %s ", trace_str(tr, r->u.note.text));
        vw_put_fit(scr, x0 + 2, y, x1 - x0 - 4, buf, role, utf8);
        break;
    }
    case TK_APP:
        if (x >= 0) {
            render_event(tr, r, buf, sizeof buf);
            vw_call_label_fit(buf, centre_maxw(g) - 2);
            centre_label(scr, g, x, y, lane_text(g, tr, r->host, buf, wb, sizeof wb),
                         sel ? R_SELECTED : r->u.app.ret < 0 ? R_ALERT : R_APP, utf8);
        }
        break;
    case TK_EXT:
        if (real_is_rec(r))
            draw_real(ix, st, g, scr, i);
        break;
    default:
        render_event(tr, r, buf, sizeof buf);
        if (x >= 0)
            centre_label(scr, g, x, y, lane_text(g, tr, r->host, buf, wb, sizeof wb),
                         sel ? R_SELECTED : R_APP, utf8);
        else
            vw_put_fit(scr, g->band_x, y, g->band_w, buf, sel ? R_SELECTED : R_APP, utf8);
        break;
    }
}

/* A folded row of the crowd (view_fold.c), across the band: how many of
 * its events, from when to when, and of what kinds; while the selected
 * event is inside it, only how far into it (the rest has not happened). */
static void draw_fold(const struct view_index *ix, const struct view_state *st,
                      const struct dgeom *g, struct view_screen *scr,
                      const struct view_fold *f)
{
    const struct trace *tr = ix->tr;
    int y = row_of(g, f->first), utf8 = st->utf8;
    int sel = st->cur >= f->first && st->cur <= f->last;
    int dep = st->depart && st->depart - 1 >= f->first && st->depart - 1 <= f->last;
    char buf[400], lab[360];
    row_gutter(g, scr, y, tr->recs[f->first].t_us, 1, sel, dep, utf8);
    snprintf(buf, sizeof buf, " %s ",
             view_fold_text(ix, f, sel ? st->cur : f->last, lab, sizeof lab));
    int x0 = g->mark_x + 1, x1 = g->r.x + g->r.w;
    int role = sel ? R_SELECTED : R_TIME;
    for (int xx = x0; xx < x1; xx++)
        vw_set_glyph(scr, xx, y, G_NOTEFILL, role, utf8);
    vw_put_fit(scr, x0 + 2, y, x1 - x0 - 4, buf, role, utf8);
}

/* Adds host h to the n lanes chosen so far, unless it is there already,
 * is no host, or the max lanes are taken. */
static void add_lane(struct dgeom *g, int *n, int max, int h)
{
    if (h < 0 || h >= g->nhosts || *n >= max)
        return;
    for (int k = 0; k < *n; k++)
        if (g->lane_host[k] == h)
            return;
    g->lane_host[(*n)++] = h;
}

/* A crowd's lanes: the selected host's, then those of the hosts the rows
 * on screen are about, from the current event upwards, as many as the
 * band has room for; in host order, so that a host keeps its side of the
 * screen as the window moves.  All the other hosts share the last lane.
 * Costs the rows on screen, not the hosts. */
static void choose_lanes(const struct view_index *ix, const struct view_state *st,
                         struct dgeom *g, size_t cur, size_t vis)
{
    int max = g->band_w / DIAG_LANE_W;
    if (max > DIAG_MAX_LANES)
        max = DIAG_MAX_LANES;
    if (max < 2)
        max = 2;
    int n = 0;
    add_lane(g, &n, max - 1, st->host);
    size_t top = cur + 1 > vis ? cur + 1 - vis : 0;
    for (size_t i = cur + 1; ix->n && i-- > top && n < max - 1;) {
        const struct trace_rec *r = &ix->tr->recs[i];
        add_lane(g, &n, max - 1, r->host);
        if (r->kind == TK_SEND || r->kind == TK_RECV || r->kind == TK_DROP) {
            add_lane(g, &n, max - 1, r->u.pkt.src);
            add_lane(g, &n, max - 1, r->u.pkt.dst);
        }
    }
    for (int k = 1; k < n; k++)              /* insertion sort: n is small */
        for (int j = k; j > 0 && g->lane_host[j - 1] > g->lane_host[j]; j--) {
            int t = g->lane_host[j];
            g->lane_host[j] = g->lane_host[j - 1];
            g->lane_host[j - 1] = t;
        }
    g->nlanes = n + 1;
    g->nothers = g->nhosts - n;
}

_Static_assert(DIAG_MAX_LANES <= VIEW_CROWD_HOSTS,
               "a crowd's lanes fit the arrays sized for the hosts of a non-crowd");

void view_render_diagram(const struct view_index *ix, const struct view_state *st,
                         struct view_screen *scr, struct view_rect r)
{
    const struct trace *tr = ix->tr;
    vw_fill(scr, r, ' ', R_NORMAL);
    if (r.h < 3 || r.w < 20)
        return;
    struct dgeom g;
    memset(&g, 0, sizeof g);
    g.r = r;
    g.rh = st->projector ? 2 : 1;
    g.body_y = r.y + 2;
    g.body_h = r.h - 2;
    g.tw = ix->time_w;
    g.mark_x = r.x + g.tw + 1;
    g.band_x = r.x + g.tw + 3;
    g.band_w = r.x + r.w - g.band_x;
    g.nhosts = tr->nhosts;
    size_t cur = ix->n == 0 ? 0 : st->cur < ix->n ? st->cur : ix->n - 1;
    int colbuf[2 * VIEW_CROWD_HOSTS];
    uint8_t kbuf[VIEW_CROWD_HOSTS];
    const uint8_t *klanes = ix->khost;
    g.cols = colbuf;
    g.kx = colbuf + VIEW_CROWD_HOSTS;
    g.crowd = g.nhosts > VIEW_CROWD_HOSTS;
    g.nlanes = g.nhosts;
    if (!g.crowd && st->lanes_set) {
        /* the lifelines the user kept, in the order chosen (view_lanes) */
        g.custom = 1;
        g.nlanes = view_lanes(st, g.nhosts, g.lane_host);
        for (int h = 0; h < g.nhosts; h++)
            g.host_lane[h] = -1;
        for (int k = 0; k < g.nlanes; k++)
            g.host_lane[g.lane_host[k]] = k;
        for (int h = 0; h < g.nhosts; h++)
            g.host_pos[h] = h;
        for (int k = 0; k < g.nhosts; k++)
            if (st->lane_order[k] >= 0 && st->lane_order[k] < g.nhosts)
                g.host_pos[st->lane_order[k]] = k;
        for (int k = 0; klanes && k < g.nlanes; k++)
            kbuf[k] = ix->khost[g.lane_host[k]];
        if (klanes)
            klanes = kbuf;
    }
    if (g.crowd) {
        choose_lanes(ix, st, &g, cur, (size_t)(g.body_h / g.rh));
        for (int k = 0; klanes && k < g.nlanes; k++)
            kbuf[k] = k < g.nlanes - 1 && ix->khost[g.lane_host[k]];
        if (klanes)
            klanes = kbuf;
    }
    g.kmode = view_kernel_columns(g.nlanes, klanes, g.band_x, g.band_w, g.cols, g.kx);
    if (g.kmode == VK_FULL && r.h >= 6) {
        g.body_y++;                          /* a third header row: "kernel" */
        g.body_h--;
    } else if (g.kmode == VK_FULL) {
        g.kmode = VK_FOLDED;
        for (int k = 0; k < g.nlanes; k++)
            g.kx[k] = -1;
        view_columns(g.nlanes, g.band_x, g.band_w, g.cols);
    }
    g.clip = (struct view_rect){ r.x, g.body_y, r.w, g.body_h };

    /* header: name above address, centred on each lifeline */
    int gap = g.band_w;
    for (int k = 0; k + 1 < g.nlanes; k++)
        if (g.cols[k + 1] - g.cols[k] < gap)
            gap = g.cols[k + 1] - g.cols[k];
    const char *time_head = _("time");
    int thw = view_text_width(time_head);
    view_put(scr, r.x + g.tw - thw, r.y, thw, time_head, R_TIME, st->utf8);
    for (int k = 0; k < g.nlanes; k++) {
        char addr[32];
        int h = g.crowd ? (k < g.nlanes - 1 ? g.lane_host[k] : -1)
              : g.custom ? g.lane_host[k] : k;
        const char *nm = h >= 0 ? tr->host_names[h] : _("others");
        if (h >= 0)
            ip4_str(tr->host_addrs[h], addr, sizeof addr);
        else
            snprintf(addr, sizeof addr, P_("%d host", "%d hosts", g.nothers), g.nothers);
        int maxw = gap - 1 < 24 ? gap - 1 : 24;
        int w = view_text_width(nm);
        if (w > maxw)
            w = maxw;
        vw_put_fit(scr, g.cols[k] - w / 2, r.y, maxw, nm,
                h >= 0 && h == st->host ? R_HOST_SEL : R_HOST, st->utf8);
        w = (int)strlen(addr) < maxw ? (int)strlen(addr) : maxw;
        vw_put_fit(scr, g.cols[k] - w / 2, r.y + 1, maxw, addr, R_ADDR, st->utf8);
        if (g.kx[k] >= 0)
            view_put(scr, g.kx[k], r.y + 2, VIEW_KCOL_W, _("kernel"), R_KHEAD,
                     st->utf8);
    }
    if (ix->n == 0) {
        view_put(scr, g.band_x, g.body_y, g.band_w, _("(the run recorded no events)"),
                 R_TIME, st->utf8);
        return;
    }

    struct view_state s2 = *st;
    s2.cur = cur;
    size_t vis = (size_t)(g.body_h / g.rh);
    if (vis < 1)
        vis = 1;
    if (view_folded(ix, st)) {
        g.rowix = ix->row;
        g.incrowd = ix->crowd;
    }
    size_t cur_row = drow(&g, cur);
    g.top_row = cur_row + 1 > vis ? cur_row + 1 - vis : 0;
    g.top = view_row_first(ix, st, g.top_row);
    g.nvis = cur_row - g.top_row + 1;

    /* lifelines, and the kernel columns' guides: under everything else */
    for (int y = g.body_y; y < g.body_y + g.body_h && y <= row_of(&g, cur) + g.rh - 1; y++)
        for (int k = 0; k < g.nlanes; k++) {
            vw_set_glyph(scr, g.cols[k], y, G_VLINE, R_LIFELINE, st->utf8);
            if (g.kx[k] >= 0)
                vw_set_glyph(scr, g.kx[k], y, G_KGUIDE, R_KERNEL, st->utf8);
        }

    struct rowinfo *ri = xcalloc(g.nvis, sizeof *ri);
    /* everything that crosses the window: timers under packets (the shared
     * lane has no bars: one of its hosts' timers is nearly always running) */
    for (int k = 0; k < g.nlanes - g.crowd; k++)
        draw_timer_bars(ix, &s2, &g, scr, g.crowd || g.custom ? g.lane_host[k] : k, cur);
    size_t from = (size_t)ix->live[g.top];
    struct endmarks marks = { NULL, 0, 0 };
    struct pathcmds paths = { NULL, 0, 0 };
    for (size_t s = from; s <= cur; s++) {
        const struct trace_rec *rr = &tr->recs[s];
        if (g.incrowd && g.incrowd[s])
            continue;                        /* folded: counted on its row */
        if (rr->kind == TK_SEND && (ix->end[s] < 0 || (size_t)ix->end[s] >= g.top ||
                                    s >= g.top))
            draw_flight(ix, &s2, &g, &paths, ri, &marks, s);
    }
    view_draw_paths(scr, g.clip, paths.v, paths.n, st->utf8);
    free(paths.v);
    for (int k = 0; k < marks.n; k++)
        if (in_clip(g.clip, marks.v[k].x, marks.v[k].y))
            vw_set_glyph(scr, marks.v[k].x, marks.v[k].y, marks.v[k].g, marks.v[k].role,
                      st->utf8);
    free(marks.v);
    for (size_t k = g.top_row; k <= cur_row; k++) {
        size_t i = view_row_last(ix, st, k);
        const struct view_fold *f = view_fold_at(ix, st, i);
        if (f)
            draw_fold(ix, &s2, &g, scr, f);
        else
            draw_own(ix, &s2, &g, scr, ri, i);
    }
    free(ri);
    /* where time jumps (view_time_jump): a mark in the gutter and on the
     * lifelines of the first row after the gap (a folded row's first
     * event is where its row starts) */
    for (size_t row = g.top_row + 1; row <= cur_row; row++) {
        size_t i = view_row_first(ix, st, row);
        if (!view_time_jump(ix, i))
            continue;
        int y = row_of(&g, i);
        vw_set_glyph(scr, g.mark_x + 1, y, G_JUMP, R_CURSOR, st->utf8);
        for (int k = 0; k < g.nlanes; k++) {
            const struct view_cell *c = view_at(scr, g.cols[k], y);
            if (c->ch == view_glyph(G_VLINE, st->utf8) ||
                c->ch == view_glyph(G_VBAR, st->utf8))
                vw_set_glyph(scr, g.cols[k], y, G_JUMP, R_CURSOR, st->utf8);
        }
    }
}
