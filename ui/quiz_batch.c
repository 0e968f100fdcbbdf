/* quiz_batch.c — `--quiz --batch`: the run's story as plain text, each quiz point's question and choices before its record, one answer a line read from standard input, right or wrong with the record's narration, and `score N/M` at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "i18n.h"
#include "narrate.h"
#include "output.h"
#include "quiz.h"
#include "quiz_batch.h"
#include "render.h"
#include "view.h"

struct qb {
    FILE *out;
    const struct trace *tr;
    int hw;                        /* host column width */
    char *vb;                      /* text_visible's buffer */
    size_t vcap;
};

static const char *vis(struct qb *b, const char *s)
{
    return text_visible(s, &b->vb, &b->vcap);
}

/* One record as the --batch timeline shows it: time, host, event, and its
 * narration beneath. */
static void print_rec(struct qb *b, size_t i)
{
    const struct trace_rec *r = &b->tr->recs[i];
    char t[32], ev[600], why[1200];
    const char *h = r->host >= 0 ? trace_host_name(b->tr, r->host) : "";
    int pad = b->hw - view_text_width(h ? h : "");
    render_event(b->tr, r, ev, sizeof ev);
    /* the kind column of the --batch timeline: a state's protocol */
    const char *what = r->kind == TK_STATE ? trace_layer_name(r->layer)
                                           : trace_kind_name(r->kind);
    fprintf(b->out, "%10s  %s%*s  %-6s  %s\n", fmt_time(r->t_us, t, sizeof t), h ? h : "",
            pad > 0 ? pad : 0, "", what, vis(b, ev));
    trace_why(b->tr, r, why, sizeof why);
    if (why[0] && r->kind != TK_NOTE)
        fprintf(b->out, "%10s  %*s            %s\n", "", b->hw, "", vis(b, why));
}

static void print_choice(struct qb *b, const struct quiz_point *p, int c)
{
    fprintf(b->out, "%d) %s", c + 1, vis(b, p->choice[c]));
}

/* Reads one line of in into buf; 0 at the end of the input. */
static int read_answer(FILE *in, char *buf, size_t n)
{
    if (!in || !fgets(buf, (int)n, in))
        return 0;
    size_t len = strlen(buf);
    if (len && buf[len - 1] != '\n' && !feof(in)) {
        int ch;                      /* a line too long: the rest is not an answer */
        while ((ch = fgetc(in)) != EOF && ch != '\n')
            ;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return 1;
}

/* The end of a run a limit stopped, as the --batch timeline writes it
 * (ui/text.c, the same texts): which limit, and its likely cause. */
static void print_limit(struct qb *b, const struct sim *s)
{
    char t[32], lt[80];
    const char *h = s->stop.host >= 0 ? trace_host_name(b->tr, s->stop.host) : "";
    int pad = b->hw - view_text_width(h ? h : "");
    char hn[SCN_NAME_MAX + 64];
    snprintf(hn, sizeof hn, "%s%*s", h ? h : "", pad > 0 ? pad : 0, "");
    fprintf(b->out, _("%*s  %s  %-6s  run stopped by its %s (%s)\n"), 10,
            fmt_time(s->stop.t_us, t, sizeof t), hn, "limit",
            sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt),
            sim_limit_option(s->stop.limit));
    fprintf(b->out, _("%*s  likely cause: %s\n"), 10 + b->hw + 12, "",
            vis(b, s->stop.cause));
}

int quiz_batch(FILE *in, FILE *out, const struct scenario *scn, const struct sim *s,
               uint64_t seed)
{
    const struct trace *tr = &s->tr;
    struct quiz q;
    struct view_index ix;               /* for the crowd, as the timeline's quiz */
    view_index_build(&ix, tr);
    quiz_build(&q, scn, tr, seed, ix.crowd);
    view_index_free(&ix);
    struct qb b = { out, tr, 4, NULL, 0 };
    for (int h = 0; h < tr->nhosts; h++) {
        int w = view_text_width(tr->host_names[h]);
        if (w > b.hw)
            b.hw = w;
    }
    const char *title = scn_text(scn, scn->title, scn->title_zh);
    fprintf(out, _("Quiz: %s\n"), vis(&b, title ? title : ""));
    if (!q.n) {
        fputs(_("This lesson has no quiz points.\n"), out);
    } else {
        fprintf(out, q.from_lesson
                ? P_("%d question, from the lesson's quiz lines.\n",
                     "%d questions, from the lesson's quiz lines.\n", q.n)
                : P_("%d question, from the model (the lesson has no quiz lines).\n",
                     "%d questions, from the model (the lesson has no quiz lines).\n", q.n),
                q.n);
        fputs(_("Answer each with the choice's number, its letter or its text, one answer "
                "a line.\n"), out);
    }
    if (q.missing)
        fprintf(stderr, P_("protosim: %d quiz line names no record of this run (or the "
                           "first one); protosim --check says which\n",
                           "protosim: %d quiz lines name no record of this run (or the "
                           "first one); protosim --check says which\n", q.missing),
                q.missing);
    if (q.same)
        fprintf(stderr, P_("protosim: %d quiz line is answered by the same record as an "
                           "earlier one and is not asked; protosim --check says which\n",
                           "protosim: %d quiz lines are answered by the same record as an "
                           "earlier one and are not asked; protosim --check says which\n",
                           q.same), q.same);
    fputc('\n', out);
    size_t shown = 0;
    int eof = 0, unanswered = 0;
    char line[1024];
    for (int k = 0; k < q.n; k++) {
        struct quiz_point *p = &q.p[k];
        for (; shown < p->rec; shown++)
            print_rec(&b, shown);
        char t[32];
        fprintf(out, _("\nQuestion %d of %d (at %s): %s\n"), k + 1, q.n,
                fmt_time(tr->recs[p->rec].t_us, t, sizeof t), vis(&b, p->question));
        for (int c = 0; c < p->nchoices; c++) {
            fputs("    ", out);
            print_choice(&b, p, c);
            fputc('\n', out);
        }
        int got = -1;
        fflush(out);                     /* the question, before a student types */
        if (!eof && !read_answer(in, line, sizeof line))
            eof = 1;
        if (eof) {
            p->answer = QUIZ_NOANSWER;
            unanswered++;
            fputs(_("No answer: standard input ended. The answer is "), out);
        } else {
            fprintf(out, _("answer: %s\n"), vis(&b, line));
            got = quiz_parse_answer(p, line);
            p->answer = got >= 0 ? got : QUIZ_NOANSWER;
            if (got == p->right)
                fputs(_("Right: "), out);
            else if (got >= 0)
                fputs(_("Wrong. The answer is "), out);
            else
                fputs(_("That is none of the choices, so it counts as wrong. The answer "
                        "is "), out);
        }
        print_choice(&b, p, p->right);
        fputs(_(".\n"), out);          /* the full stop of that sentence */
        print_rec(&b, p->rec);
        shown = p->rec + 1;
    }
    for (; shown < tr->n; shown++)
        print_rec(&b, shown);
    if (s->truncated)
        print_limit(&b, s);
    if (unanswered)
        fprintf(out, P_("\n%d question was not answered (standard input ended): it counts "
                        "as wrong.\n",
                        "\n%d questions were not answered (standard input ended): they "
                        "count as wrong.\n", unanswered), unanswered);
    /* the line a teacher's script reads: the same in every language */
    fprintf(out, "\nscore %d/%d\n", quiz_score(&q, NULL), q.n);
    free(b.vb);
    quiz_free(&q);
    return ferror(out) ? -1 : 0;
}
