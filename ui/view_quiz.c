/* view_quiz.c — quiz mode in the interactive timeline: stepping stops before each quiz point, the question box with its numbered choices, the answer keys, and the reveal (right or wrong, the right choice, the answering record and its narration). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "i18n.h"
#include "keys.h"
#include "narrate.h"
#include "render.h"
#include "view_quiz.h"
#include "viewint.h"

static struct quiz *quiz_of(const struct view_state *st)
{
    return st->quiz;
}

static void say_score(struct view_state *st, const struct quiz *q)
{
    int asked, right = quiz_score(q, &asked);
    if (asked == q->n)
        snprintf(st->msg, sizeof st->msg, _("quiz over: score %d/%d"), right, q->n);
    else
        snprintf(st->msg, sizeof st->msg, _("quiz: %d right of %d answered, %d to go"),
                 right, asked, q->n - asked);
}

int view_quiz_gate(const struct view_index *ix, struct view_state *st, size_t from)
{
    struct quiz *q = quiz_of(st);
    if (!q || !q->on || st->cur <= from)
        return 0;
    int k = quiz_gate(q, from, st->cur);
    if (k < 0) {
        if (ix->n && st->cur + 1 >= ix->n && q->n)
            say_score(st, q);
        return 0;
    }
    st->cur = q->p[k].rec - 1;           /* the record itself stays hidden */
    st->playing = 0;
    st->overlay = OV_QUIZ;
    st->scroll[PANE_INSPECTOR] = 0;
    q->asking = k;
    q->revealed = 0;
    return 1;
}

void view_quiz_toggle(const struct view_index *ix, struct view_state *st)
{
    struct quiz *q = quiz_of(st);
    if (!q) {
        snprintf(st->msg, sizeof st->msg, "%s", _("no quiz in this view"));
        return;
    }
    q->on = !q->on;
    if (!q->on) {
        if (st->overlay == OV_QUIZ)       /* off in the middle of a question */
            st->overlay = OV_NONE;
        q->asking = -1;
        q->revealed = 0;
        snprintf(st->msg, sizeof st->msg, "%s", _("quiz mode off"));
        return;
    }
    if (!q->n) {
        snprintf(st->msg, sizeof st->msg, "%s", _("quiz mode on, but this lesson has no "
                 "quiz points"));
        return;
    }
    snprintf(st->msg, sizeof st->msg, P_("quiz mode on: %d question; stepping forward "
             "asks before each answer is shown", "quiz mode on: %d questions; stepping "
             "forward asks before each answer is shown", q->n), q->n);
    (void)ix;                            /* the same signature as the other keys' */
}

/* Which choice a key names: 1-9, or a-i; -1 none. */
static int choice_of_key(const struct quiz_point *p, int ch)
{
    int c = -1;
    if (ch >= '1' && ch <= '9')
        c = ch - '1';
    else if (ch >= 'a' && ch <= 'i')
        c = ch - 'a';
    return c >= 0 && c < p->nchoices ? c : -1;
}

int view_quiz_key(const struct view_index *ix, struct view_state *st, int ch)
{
    struct quiz *q = quiz_of(st);
    if (!q || q->asking < 0 || q->asking >= q->n) {
        st->overlay = OV_NONE;
        return 0;
    }
    struct quiz_point *p = &q->p[q->asking];
    if (q->revealed) {                   /* any key goes on */
        st->overlay = OV_NONE;
        q->asking = -1;
        q->revealed = 0;
        if (ix->n && st->cur + 1 >= ix->n)
            say_score(st, q);
        return 1;
    }
    int c = choice_of_key(p, ch);
    if (c >= 0) {
        p->answer = c;
        q->revealed = 1;
        st->cur = p->rec;                /* the answer: its record */
        st->scroll[PANE_INSPECTOR] = 0;
        say_score(st, q);
        return 1;
    }
    if (ch == 27) {
        st->overlay = OV_NONE;
        q->asking = -1;
        snprintf(st->msg, sizeof st->msg, "%s", _("question put off: the next step asks it "
                 "again"));
        return 1;
    }
    if (ch == 'q' || ch == 'Q')
        return 0;                        /* quit, or quiz mode off */
    snprintf(st->msg, sizeof st->msg, _("answer with a choice's number (1-%d) or letter"),
             p->nchoices);
    return 1;
}

int view_quiz_title(const struct view_state *st, char *buf, size_t n, const char *dot)
{
    const struct quiz *q = quiz_of(st);
    if (!q || !q->on || !n) {
        if (n)
            buf[0] = '\0';
        return 0;
    }
    int asked, right = quiz_score(q, &asked);
    int w = snprintf(buf, n, _("%squiz %d/%d"), dot, right, asked);
    return w < 0 ? 0 : (size_t)w >= n ? (int)n - 1 : w;
}

/* ---- the box --------------------------------------------------------------- */

struct qline { char text[512]; int role; };

/* Adds text wrapped at width columns, continuation lines indented: the
 * panes' wrapping (at spaces, and between Chinese characters but never
 * before closing punctuation).  It broke at spaces only, so a Chinese
 * sentence with one space in it broke there, half a line early ("第 1
 * 个请求（共 3" / "个）"). */
static int wrap(struct qline *out, int n, int max, const char *text, int width, int role,
                const char *indent)
{
    struct view_lines l = { 0 };
    vw_add_wrapped(&l, width, (int)strlen(indent), role, text);
    for (int i = 0; i < l.n && n < max; i++) {
        snprintf(out[n].text, sizeof out[n].text, "%s", l.v[i].text);
        out[n++].role = role;
    }
    view_lines_free(&l);
    return n;
}

void view_quiz_draw(const struct view_index *ix, const struct view_state *st,
                    struct view_screen *scr)
{
    const struct quiz *q = quiz_of(st);
    if (st->overlay != OV_QUIZ || !q || q->asking < 0 || q->asking >= q->n)
        return;
    const struct quiz_point *p = &q->p[q->asking];
    enum { MAXL = 40 };
    struct qline L[MAXL];
    int n = 0;
    int bw = scr->w - 6 < 84 ? scr->w - 6 : 84;
    int tw = bw - 4;
    n = wrap(L, n, MAXL, p->question, tw, R_OVERLAY, "");
    if (n < MAXL)
        L[n++] = (struct qline){ "", R_OVERLAY };
    for (int c = 0; c < p->nchoices && n < MAXL; c++) {
        char buf[512];
        int role = R_OVERLAY;
        const char *mark = "  ";
        if (q->revealed && c == p->right) {
            role = R_OVL_SEL;
            mark = st->utf8 ? "\u2713 " : "* ";
        } else if (q->revealed && c == p->answer) {
            mark = st->utf8 ? "\u2717 " : "x ";
        }
        snprintf(buf, sizeof buf, "%s%d) %s", mark, c + 1, p->choice[c]);
        n = wrap(L, n, MAXL, buf, tw, role, "      ");
    }
    if (n < MAXL)
        L[n++] = (struct qline){ "", R_OVERLAY };
    char buf[1400];
    if (!q->revealed) {
        snprintf(buf, sizeof buf, _("press 1-%d (or a-%c) to answer; Esc: later"),
                 p->nchoices, 'a' + p->nchoices - 1);
        n = wrap(L, n, MAXL, buf, tw, R_OVL_KEY, "");
    } else {
        if (p->answer == p->right)
            snprintf(buf, sizeof buf, "%s", _("Right!"));
        else
            snprintf(buf, sizeof buf, _("Wrong: the answer is %d) %s."), p->right + 1,
                     p->choice[p->right]);
        n = wrap(L, n, MAXL, buf, tw, R_OVL_KEY, "");
        const struct trace_rec *r = &ix->tr->recs[p->rec];
        char ev[600], why[1200], t[32];
        /* a send's or an arrival's event names its host already */
        const char *h = r->host >= 0 && r->kind != TK_SEND && r->kind != TK_RECV
                        ? trace_host_name(ix->tr, r->host) : NULL;
        render_event(ix->tr, r, ev, sizeof ev);
        snprintf(buf, sizeof buf, "%s %s%s%s", fmt_time(r->t_us, t, sizeof t), h ? h : "",
                 h ? "  " : "", ev);
        n = wrap(L, n, MAXL, buf, tw, R_OVERLAY, "  ");
        trace_why(ix->tr, r, why, sizeof why);
        if (why[0] && r->kind != TK_NOTE) {
            snprintf(buf, sizeof buf, "  %s", why);
            n = wrap(L, n, MAXL, buf, tw, R_OVERLAY, "  ");
        }
        if (n < MAXL)
            L[n++] = (struct qline){ "", R_OVERLAY };
        n = wrap(L, n, MAXL, _("any key goes on"), tw, R_OVL_KEY, "");
    }
    int avail = scr->h - 4;
    if (n > avail - 2)
        n = avail - 2 > 0 ? avail - 2 : 0;
    /* at the bottom, over the panes: the diagram above keeps the story */
    struct view_rect b = { (scr->w - bw) / 2, scr->h - 1 - (n + 2), bw, n + 2 };
    if (b.y < 1)
        b.y = 1;
    char title[96];
    snprintf(title, sizeof title, _("quiz: question %d of %d"), q->asking + 1, q->n);
    vw_draw_box(scr, b, title, st->utf8);
    for (int i = 0; i < n; i++)
        vw_put_fit(scr, b.x + 2, b.y + 1 + i, tw, L[i].text, L[i].role, st->utf8);
}
