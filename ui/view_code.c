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

/* An application record, for finding an action's call: the records by
 * host, layer and call, each group in record order. */
struct app_ref {
    int     host;
    uint8_t layer, call;
    size_t  rec;
};

static int cmp_app_ref(const void *x, const void *y)
{
    const struct app_ref *a = x, *b = y;
    if (a->host != b->host)
        return a->host < b->host ? -1 : 1;
    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    if (a->call != b->call)
        return a->call < b->call ? -1 : 1;
    return (a->rec > b->rec) - (a->rec < b->rec);
}

/* The first ref at or after (host, layer, call, rec) in order. */
static size_t app_ref_find(const struct app_ref *v, size_t n, int host,
                           int layer, int call, size_t rec)
{
    struct app_ref key = { host, (uint8_t)layer, (uint8_t)call, rec };
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_app_ref(&v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first ref at or after j that no action took: next[j] is j while
 * ref j is free, a ref further on once it is taken (halved as it is
 * read), so each action finds its call in near-constant steps however many
 * calls of its kind earlier actions took. */
static size_t app_ref_free(size_t *next, size_t j, size_t *steps)
{
    ++*steps;
    while (next[j] != j) {
        ++*steps;
        next[j] = next[next[j]];
        j = next[j];
    }
    return j;
}

/* The first free ref of (host, layer, call) at or after record from; n
 * when there is none. */
static size_t app_ref_first(const struct app_ref *v, size_t n, size_t *next,
                            int host, int layer, int call, size_t from,
                            size_t *steps)
{
    size_t j = app_ref_free(next, app_ref_find(v, n, host, layer, call, from),
                            steps);
    if (j < n && v[j].host == host && v[j].layer == layer && v[j].call == call)
        return j;
    return n;
}

void code_map_build(struct code_map *m, const struct scenario *scn,
                    const struct trace *tr)
{
    memset(m, 0, sizeof *m);
    m->scn = scn;
    if (!scn || !scn->ncode)
        return;
    /* the programs: the shared one first, then each host's own */
    size_t nh = (size_t)scn->nhosts;
    int *at = xcalloc(nh + 2, sizeof *at);
    int *idx = xcalloc((size_t)scn->ncode, sizeof *idx);
    scn_code_programs(scn, at, idx);
    int *progof = xcalloc(nh + 1, sizeof *progof);
    m->prog = xcalloc(nh + 1, sizeof *m->prog);
    for (int h = -1; h < scn->nhosts; h++) {
        int n = at[h + 2] - at[h + 1];
        if (!n)
            continue;
        struct code_prog *p = &m->prog[m->nprog];
        p->host = h;
        p->n = n;
        p->idx = xcalloc((size_t)n, sizeof *p->idx);
        memcpy(p->idx, idx + at[h + 1], (size_t)n * sizeof *idx);
        if (h >= 0)
            progof[h] = m->nprog;
        m->nprog++;
    }
    for (int h = 0; h < scn->nhosts; h++)
        if (at[h + 2] == at[h + 1])          /* none of its own: the shared one */
            progof[h] = at[1] > at[0] ? 0 : -1;
    free(at);
    free(idx);
    /* the ties: each action in run order takes the first record of its
     * call that no earlier action took (view_code.h), found among the
     * records of its host, layer and call: reading on from the action's
     * time through every record made a crowd's calls at one instant
     * quadratic */
    size_t n = tr ? tr->n : 0, nref = 0;
    struct app_ref *ref = xcalloc(n ? n : 1, sizeof *ref);
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = trace_rec(tr, i);
        if (r && r->kind == TK_APP)
            ref[nref++] = (struct app_ref){ r->host, r->layer, r->u.app.call, i };
    }
    if (nref > 1)
        qsort(ref, nref, sizeof *ref, cmp_app_ref);
    size_t *next = xcalloc(nref + 1, sizeof *next);
    for (size_t j = 0; j <= nref; j++)
        next[j] = j;
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
        size_t j = app_ref_first(ref, nref, next, a->host, layer, call, from,
                                 &m->steps);
        if (a->kind == ACT_UDP_BIND) {
            /* a udp bind on a port in use fails with an error record */
            size_t e = app_ref_first(ref, nref, next, a->host, layer, AC_ERROR,
                                     from, &m->steps);
            if (e < nref && trace_rec(tr, ref[e].rec)->t_us == a->t_us &&
                (j == nref || ref[e].rec < ref[j].rec))
                j = e;
        }
        if (j == nref)
            continue;
        next[j] = j + 1;
        m->tie[m->ntie++] = (struct code_tie){ ref[j].rec, a->host,
                                               progof[a->host],
                                               a->more->code_line };
    }
    free(next);
    free(ref);
    free(progof);
    if (m->ntie > 1)
        qsort(m->tie, m->ntie, sizeof *m->tie, cmp_tie);
    /* each program's ties, in order, for code_map_prog_line */
    for (size_t t = 0; t < m->ntie; t++)
        m->prog[m->tie[t].prog].nties++;
    for (int p = 0; p < m->nprog; p++) {
        m->prog[p].ties = xcalloc(m->prog[p].nties + 1, sizeof *m->prog[p].ties);
        m->prog[p].nties = 0;
    }
    for (size_t t = 0; t < m->ntie; t++) {
        struct code_prog *p = &m->prog[m->tie[t].prog];
        p->ties[p->nties++] = t;
    }
}

void code_map_free(struct code_map *m)
{
    for (int p = 0; p < m->nprog; p++) {
        free(m->prog[p].idx);
        free(m->prog[p].ties);
    }
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
    /* program p's last tie whose record is <= cur: a binary search in its
     * own ties (going back through every program's ties made the pane of
     * a crowd with a program per host quadratic at each step) */
    const struct code_prog *pr = &m->prog[p];
    size_t lo = 0, hi = pr->nties;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->tie[pr->ties[mid]].rec <= cur)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? m->tie[pr->ties[lo - 1]].line : 0;
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
