/* view_code.c — the code pane's model: a lesson's programs, each socket call of its run tied to its code line, and the pane's lines at an event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "scenario.h"
#include "view.h"
#include "viewint.h"
#include "view_code.h"

/* The call record an action makes (its first one), and the layer it
 * makes it on; -1: an action that makes no call record of its own. */
static int action_call(const struct scn_action *a, int *layer)
{
    *layer = TL_TCP;
    switch (a->kind) {
    case ACT_LISTEN:      return AC_LISTEN;
    case ACT_CONNECT:     return AC_CONNECT;
    case ACT_SEND:        return AC_SEND;
    case ACT_RECV:        return AC_RECV;
    case ACT_RECV_FRAMED: return AC_RECV;
    case ACT_SHUTDOWN:    return AC_SHUTDOWN;
    case ACT_CLOSE:       return AC_CLOSE;
    case ACT_ABORT:       return AC_ABORT;
    case ACT_ACCEPT:      return AC_ACCEPT;
    case ACT_BIND:        return AC_BIND;
    case ACT_SOCKET:
        *layer = a->more->sock_udp ? TL_UDP : TL_TCP;
        return AC_SOCKET;
    case ACT_UDP_BIND:    *layer = TL_UDP; return AC_LISTEN;
    case ACT_UDP_SEND:    *layer = TL_UDP; return AC_SEND;
    case ACT_UDP_RECV:    *layer = TL_UDP; return AC_RECV;
    case ACT_RESOLVE:     *layer = TL_DNS; return AC_RESOLVE;
    case ACT_HTTP_SERVE:  *layer = TL_HTTP; return AC_LISTEN;
    case ACT_HTTP_GET:    *layer = TL_HTTP; return AC_CONNECT;
    default:              return -1;
    }
}

static int cmp_tie(const void *x, const void *y)
{
    const struct code_tie *a = x, *b = y;
    return (a->rec > b->rec) - (a->rec < b->rec);
}

void code_map_build(struct code_map *m, const struct scenario *scn,
                    const struct trace *tr)
{
    memset(m, 0, sizeof *m);
    m->scn = scn;
    if (!scn || !scn->ncode)
        return;
    /* the programs: the shared one first, then each host's own */
    int *progof = xcalloc((size_t)scn->nhosts + 1, sizeof *progof);
    m->prog = xcalloc((size_t)scn->nhosts + 1, sizeof *m->prog);
    int *buf = xcalloc((size_t)scn->ncode, sizeof *buf);
    for (int h = -1; h < scn->nhosts; h++) {
        int n = 0;
        for (int i = 0; i < scn->ncode; i++)
            if (scn->code[i].host == h)
                buf[n++] = i;
        if (!n)
            continue;
        struct code_prog *p = &m->prog[m->nprog];
        p->host = h;
        p->n = n;
        p->idx = xcalloc((size_t)n, sizeof *p->idx);
        memcpy(p->idx, buf, (size_t)n * sizeof *buf);
        m->nprog++;
    }
    free(buf);
    for (int h = 0; h < scn->nhosts; h++) {
        progof[h] = -1;
        for (int p = 0; p < m->nprog; p++)
            if (m->prog[p].host == h || (m->prog[p].host < 0 && progof[h] < 0))
                progof[h] = p;
    }
    /* the ties: each action in run order takes the first record of its
     * call that no earlier action took (view_code.h) */
    size_t n = tr ? tr->n : 0;
    uint8_t *taken = xcalloc(n ? n : 1, 1);
    m->tie = xcalloc((size_t)scn->nactions + 1, sizeof *m->tie);
    size_t from = 0;            /* the first record at or after the action's time */
    for (int k = 0; k < scn->nactions; k++) {
        const struct scn_action *a = &scn->actions[k];
        int layer, call = action_call(a, &layer);
        while (from < n) {
            const struct trace_rec *r = trace_rec(tr, from);
            if (!r || r->t_us >= a->t_us)
                break;
            from++;
        }
        if (!a->more->code_line || call < 0 || a->host < 0 || progof[a->host] < 0)
            continue;
        for (size_t i = from; i < n; i++) {
            const struct trace_rec *r = trace_rec(tr, i);
            if (!r || taken[i] || r->kind != TK_APP || r->host != a->host ||
                r->layer != layer)
                continue;
            int c = r->u.app.call;
            /* a udp bind on a port in use fails with an error record */
            if (c != call && !(a->kind == ACT_UDP_BIND && c == AC_ERROR &&
                               r->t_us == a->t_us))
                continue;
            taken[i] = 1;
            m->tie[m->ntie++] = (struct code_tie){ i, a->host, progof[a->host],
                                                   a->more->code_line };
            break;
        }
    }
    free(taken);
    free(progof);
    if (m->ntie > 1)
        qsort(m->tie, m->ntie, sizeof *m->tie, cmp_tie);
}

void code_map_free(struct code_map *m)
{
    for (int p = 0; p < m->nprog; p++)
        free(m->prog[p].idx);
    free(m->prog);
    free(m->tie);
    memset(m, 0, sizeof *m);
}

long code_map_at(const struct code_map *m, size_t cur)
{
    /* the last tie whose record is <= cur: a binary search */
    size_t lo = 0, hi = m->ntie;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->tie[mid].rec <= cur)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? (long)lo - 1 : -1;
}

int code_map_prog_line(const struct code_map *m, int p, size_t cur)
{
    for (long k = code_map_at(m, cur); k >= 0; k--)
        if (m->tie[k].prog == p)
            return m->tie[k].line;
    return 0;
}

static void push(struct view_lines *l, int role, int head_role, int head_len,
                 const char *text)
{
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 32;
        l->v = xreallocarray(l->v, (size_t)nc, sizeof *l->v);
        l->cap = nc;
    }
    l->v[l->n++] = (struct view_line){ xstrdup(text), (uint8_t)role, (uint8_t)head_role,
                                       head_len };
}

void view_code_lines(const struct code_map *m, size_t cur, int width, int utf8,
                     struct view_lines *out, int *sel)
{
    *sel = -1;
    long now = code_map_at(m, cur);
    const struct scenario *scn = m->scn;
    for (int p = 0; p < m->nprog; p++) {
        const struct code_prog *pr = &m->prog[p];
        char head[96];
        if (pr->host >= 0)
            snprintf(head, sizeof head, "%s", scn->hosts[pr->host].name);
        else
            snprintf(head, sizeof head, "%s", _("every host"));
        push(out, R_HOST, R_HOST, 0, head);
        int last = code_map_prog_line(m, p, cur);
        for (int i = 0; i < pr->n; i++) {
            const struct scn_code *c = &scn->code[pr->idx[i]];
            int mark = last == i + 1;
            int current = mark && now >= 0 && m->tie[now].prog == p;
            char line[1024];
            const char *arrow = mark ? (utf8 ? "\u25b8" : ">") : " ";
            int n = snprintf(line, sizeof line, "%s%2d  %s", arrow, i + 1,
                             scn_text(scn, c->text, c->text_zh));
            /* a highlight runs the pane's width */
            int w = view_text_width(line);
            while (current && w < width && n + 1 < (int)sizeof line) {
                line[n++] = ' ';
                line[n] = '\0';
                w++;
            }
            if (current)
                *sel = out->n;
            push(out, current ? R_SELECTED : mark ? R_CURSOR : R_NORMAL,
                 current ? R_SELECTED : mark ? R_CURSOR : R_TIME,
                 (int)strlen(arrow) + 2, line);
        }
    }
}

int view_code_top(int n, int height, int sel)
{
    if (height <= 0 || n <= height || sel < 0)
        return 0;
    if (sel < height)
        return 0;
    return clampi(sel - height / 3, 0, n - height);
}

void vw_draw_code(const struct view_state *st, struct view_screen *scr,
                  struct view_rect r)
{
    if (r.w <= 0 || r.h <= 1 || !st->code)
        return;
    for (int x = r.x; x < r.x + r.w; x++)
        vw_set_glyph(scr, x, r.y, G_BOX_H, R_BORDER, st->utf8);
    char t[64];
    snprintf(t, sizeof t, " %s ", _("Code"));
    view_put(scr, r.x + 1, r.y, r.w - 1, t, R_PANE, st->utf8);
    struct view_lines l = { 0 };
    int sel;
    view_code_lines(st->code, st->cur, r.w - 1, st->utf8, &l, &sel);
    int body = r.h - 1;
    int top = view_code_top(l.n, body, sel);
    vw_draw_lines(scr, (struct view_rect){ r.x + 1, r.y + 1, r.w - 1, body }, &l, top,
                  st->utf8);
    view_lines_free(&l);
}
