/* view_lesson.c — the lesson around the diagram: its card (title and describe text), its chapters in the title bar and on ( and ), lifelines hidden and reordered, time jumps, and the state pane's host order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "chapters.h"
#include "i18n.h"
#include "scenario.h"
#include "language.h"
#include "view.h"
#include "viewint.h"

/* ======================================================================== */
/* Lifelines                                                                */

int view_lanes(const struct view_state *st, int nhosts, int *lane_host)
{
    int n = 0;
    if (nhosts > VIEW_CROWD_HOSTS)
        nhosts = VIEW_CROWD_HOSTS;
    for (int k = 0; k < nhosts; k++) {
        int h = st->lanes_set ? st->lane_order[k] : k;
        if (h < 0 || h >= nhosts || (st->lanes_set && st->lane_hidden[h]))
            continue;
        lane_host[n++] = h;
    }
    return n;
}

static void lanes_start(struct view_state *st)
{
    if (st->lanes_set)
        return;
    for (int k = 0; k < VIEW_CROWD_HOSTS; k++) {
        st->lane_order[k] = (int8_t)k;
        st->lane_hidden[k] = 0;
    }
    st->lanes_set = 1;
}

/* The position of host h in lane_order, -1 if not there. */
static int lane_pos(const struct view_state *st, int nhosts, int h)
{
    for (int k = 0; k < nhosts; k++)
        if (st->lane_order[k] == h)
            return k;
    return -1;
}

static void lane_hide(const struct trace *tr, struct view_state *st)
{
    int lanes[VIEW_CROWD_HOSTS];
    int h = st->host;
    lanes_start(st);
    if (st->lane_hidden[h]) {
        snprintf(st->msg, sizeof st->msg, _("%s's lifeline is hidden already (A shows every lifeline)"),
                 tr->host_names[h]);
        return;
    }
    if (view_lanes(st, tr->nhosts, lanes) <= 1) {
        snprintf(st->msg, sizeof st->msg, "%s", _("the last lifeline stays"));
        return;
    }
    st->lane_hidden[h] = 1;
    snprintf(st->msg, sizeof st->msg, _("%s's lifeline hidden (A shows every lifeline)"),
             tr->host_names[h]);
}

/* Moves the selected host's lifeline past its next visible neighbour. */
static void lane_move(const struct trace *tr, struct view_state *st, int dir)
{
    int n = tr->nhosts, h = st->host;
    lanes_start(st);
    if (st->lane_hidden[h]) {
        snprintf(st->msg, sizeof st->msg, _("%s's lifeline is hidden (A shows every lifeline)"),
                 tr->host_names[h]);
        return;
    }
    int p = lane_pos(st, n, h), q = p + dir;
    while (q >= 0 && q < n && st->lane_hidden[st->lane_order[q]])
        q += dir;
    if (p < 0 || q < 0 || q >= n) {
        snprintf(st->msg, sizeof st->msg, dir < 0 ? _("%s's lifeline is the leftmost")
                                                 : _("%s's lifeline is the rightmost"),
                 tr->host_names[h]);
        return;
    }
    /* h takes q's place; the lifelines between (hidden ones) keep theirs */
    int8_t other = st->lane_order[q];
    st->lane_order[q] = (int8_t)h;
    st->lane_order[p] = other;
    snprintf(st->msg, sizeof st->msg, dir < 0 ? _("%s's lifeline moved left")
                                             : _("%s's lifeline moved right"),
             tr->host_names[h]);
}

/* ======================================================================== */
/* Time jumps                                                               */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t view_jump_threshold(const struct trace *tr)
{
    size_t n = 0;
    int64_t *gap = xreallocarray(NULL, tr->n ? tr->n : 1, sizeof *gap);
    for (size_t i = tr->first + 1; i < tr->n; i++) {
        const struct trace_rec *a = trace_rec(tr, i - 1), *b = trace_rec(tr, i);
        if (a && b && b->t_us > a->t_us)
            gap[n++] = b->t_us - a->t_us;
    }
    int64_t th = INT64_MAX;
    if (n) {
        qsort(gap, n, sizeof *gap, cmp_i64);
        int64_t med = gap[(n - 1) / 2];
        th = med * VIEW_JUMP_FACTOR;
        if (th < INT64_C(1000000))
            th = INT64_C(1000000);
    }
    free(gap);
    return th;
}

int view_time_jump(const struct view_index *ix, size_t i)
{
    if (i == 0 || i >= ix->n)
        return 0;
    return ix->tr->recs[i].t_us - ix->tr->recs[i - 1].t_us >= ix->jump_us;
}

/* ======================================================================== */
/* Chapters                                                                 */

long view_chapter_jump(const struct chapters *c, size_t cur, int dir)
{
    if (!c || !c->n)
        return -1;
    if (dir > 0) {
        for (size_t k = 0; k < c->n; k++)
            if (c->v[k].first > cur)
                return (long)c->v[k].first;
        return -1;
    }
    long k = -1;
    for (size_t j = 0; j < c->n && c->v[j].first <= cur; j++)
        k = (long)j;
    if (k < 0)
        return -1;
    if (cur > c->v[k].first)
        return (long)c->v[k].first;
    return k > 0 ? (long)c->v[k - 1].first : -1;
}

void vw_chapter_text(const struct view_state *st, size_t cur, char *buf, size_t n)
{
    buf[0] = '\0';
    const struct chapters *c = st->chapters;
    long k = c ? chapter_of(c, cur) : -1;
    if (k >= 0)
        snprintf(buf, n, _("chapter %ld/%zu: %s"), k + 1, c->n,
                 chapter_title(c, &c->v[k]));
}

/* ======================================================================== */
/* The card                                                                 */

void view_card_lines(const struct view_state *st, int width, struct view_lines *out)
{
    const struct scenario *scn = st->lesson;
    vw_add_wrapped(out, width, 0, R_OVL_KEY,
                   st->title ? st->title : scn ? lesson_title(scn) : "");
    if (scn && scn->ndescribe) {
        /* the describe lines are one paragraph, broken where the file
         * breaks them: joined again, and wrapped to the card */
        size_t len = 1;
        for (int i = 0; i < scn->ndescribe; i++)
            len += strlen(scn_text(scn, scn->describe[i], scn->describe_zh
                                   ? scn->describe_zh[i] : NULL)) + 1;
        char *para = xmalloc(len), *p = para;
        for (int i = 0; i < scn->ndescribe; i++) {
            const char *t = scn_text(scn, scn->describe[i],
                                     scn->describe_zh ? scn->describe_zh[i] : NULL);
            size_t l = strlen(t);
            /* Chinese runs on without a space; English words need one */
            if (p > para && (unsigned char)p[-1] < 0x80 && (unsigned char)t[0] < 0x80)
                *p++ = ' ';
            memcpy(p, t, l);
            p += l;
        }
        *p = '\0';
        vw_add_wrapped(out, width, 0, R_OVERLAY, "");
        vw_add_wrapped(out, width, 0, R_OVERLAY, para);
        free(para);
    }
    const struct chapters *c = st->chapters;
    if (c && c->n) {
        char buf[512];
        vw_add_wrapped(out, width, 0, R_OVERLAY, "");
        vw_add_wrapped(out, width, 0, R_OVL_KEY, _("Chapters (( and ) jump between them):"));
        for (size_t k = 0; k < c->n; k++) {
            snprintf(buf, sizeof buf, "%zu. %s", k + 1, chapter_title(c, &c->v[k]));
            vw_add_wrapped(out, width, 3, R_OVERLAY, buf);
        }
    }
}

void vw_draw_card(const struct view_state *st, struct view_screen *scr)
{
    int bw = scr->w - 8 < 86 ? scr->w - 8 : 86;
    if (bw < 30)
        bw = scr->w;
    struct view_lines l = { 0 };
    view_card_lines(st, bw - 4, &l);
    int avail = scr->h - 4;                  /* title, hint, two borders */
    int rows = l.n < avail ? l.n : avail;
    struct view_rect b = { (scr->w - bw) / 2, 1 + (avail - rows) / 2, bw, rows + 2 };
    if (b.y < 1)
        b.y = 1;
    vw_draw_box(scr, b, _("lesson: any key continues, i shows this again"), st->utf8);
    /* a card taller than the window (a long describe, many chapters) was
     * cut with nothing to say so: its last row says how much is left out
     * (keys go on, as the card promises, so it does not scroll) */
    int shown = rows < l.n && rows > 1 ? rows - 1 : rows;
    vw_draw_lines(scr, (struct view_rect){ b.x + 2, b.y + 1, bw - 4, shown }, &l, 0,
                  st->utf8);
    if (shown < l.n) {
        char more[200];
        snprintf(more, sizeof more,
                 P_("… %d more line: a taller window shows it",
                    "… %d more lines: a taller window shows them",
                    l.n - shown), l.n - shown);
        vw_put_fit(scr, b.x + 2, b.y + 1 + shown, bw - 4, more, R_OVL_KEY, st->utf8);
    }
    view_lines_free(&l);
}

/* ======================================================================== */
/* The state pane's order                                                   */

void view_state_host_order(const struct view_state *st, int nhosts, int *order)
{
    int n = 0, sel = st->host >= 0 && st->host < nhosts ? st->host : -1;
    if (sel >= 0)
        order[n++] = sel;
    for (int h = 0; h < nhosts; h++)
        if (h != sel)
            order[n++] = h;
}

/* ======================================================================== */
/* Keys                                                                     */

int vw_apply_lesson(const struct view_index *ix, struct view_state *st, int action)
{
    const struct trace *tr = ix->tr;
    long to;
    switch (action) {
    case ACT_CARD:
        st->overlay = OV_CARD;
        return 1;
    case ACT_CHAPTER_NEXT: case ACT_CHAPTER_PREV: {
        const struct chapters *c = st->chapters;
        if (!c || !c->n) {
            snprintf(st->msg, sizeof st->msg, "%s", _("this lesson has no chapters"));
            return 1;
        }
        to = view_chapter_jump(c, st->cur, action == ACT_CHAPTER_NEXT ? 1 : -1);
        if (to < 0) {
            snprintf(st->msg, sizeof st->msg, "%s", action == ACT_CHAPTER_NEXT
                     ? _("no later chapter") : _("no earlier chapter"));
            return 1;
        }
        if ((size_t)to != st->cur)
            st->scroll[PANE_INSPECTOR] = 0;
        st->cur = (size_t)to;
        vw_chapter_text(st, st->cur, st->msg, sizeof st->msg);
        return 1;
    }
    case ACT_LANE_HIDE: case ACT_LANE_LEFT: case ACT_LANE_RIGHT:
        if (tr->nhosts <= 0)
            return 1;
        if (tr->nhosts > VIEW_CROWD_HOSTS) {
            snprintf(st->msg, sizeof st->msg, "%s",
                     _("a crowd's lifelines follow the rows on screen; they cannot be hidden or moved"));
            return 1;
        }
        if (action == ACT_LANE_HIDE)
            lane_hide(tr, st);
        else
            lane_move(tr, st, action == ACT_LANE_LEFT ? -1 : 1);
        return 1;
    case ACT_LANE_SHOW:
        st->lanes_set = 0;
        snprintf(st->msg, sizeof st->msg, "%s", _("every lifeline shown, in the lesson's order"));
        return 1;
    default:
        return 0;
    }
}
