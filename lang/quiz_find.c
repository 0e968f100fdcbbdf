/* quiz_find.c — which record of a run answers each `quiz` line, found record by record as a trace sink (so --check can report a quiz whose record never happens). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "tcp.h"
#include "langint.h"

struct scn_quiz_finder {
    const struct scenario *scn;
    long *at;               /* per quiz line: the record, -1 not yet */
    long *seen;             /* per quiz line: matching records so far */
};

struct scn_quiz_finder *scn_quiz_finder_new(const struct scenario *scn)
{
    struct scn_quiz_finder *f = xcalloc(1, sizeof *f);
    size_t n = scn->nquizzes > 0 ? (size_t)scn->nquizzes : 1;
    f->scn = scn;
    f->at = xcalloc(n, sizeof *f->at);
    f->seen = xcalloc(n, sizeof *f->seen);
    for (int k = 0; k < scn->nquizzes; k++)
        f->at[k] = -1;
    return f;
}

void scn_quiz_finder_rec(void *ctx, const struct trace *tr, size_t i,
                         const struct trace_rec *r)
{
    struct scn_quiz_finder *f = ctx;
    for (int k = 0; k < f->scn->nquizzes; k++) {
        const struct scn_quiz *q = &f->scn->quizzes[k];
        if (f->at[k] >= 0)
            continue;
        int hit;
        if (q->kind == QZ_STATE)
            hit = r->kind == TK_STATE && r->layer == TL_TCP && r->host == q->host &&
                  r->u.state.to == q->state;
        else
            hit = r->kind == TK_SEND && !r->u.pkt.dup && lang_frame_match(&q->m, tr, r);
        if (hit && ++f->seen[k] == q->nth)
            f->at[k] = (long)i;
    }
}

long scn_quiz_finder_at(const struct scn_quiz_finder *f, int k)
{
    return k >= 0 && k < f->scn->nquizzes ? f->at[k] : -1;
}

static void add_msg(char ***out, int *nout, const char *msg)
{
    *out = xreallocarray(*out, (size_t)*nout + 1, sizeof **out);
    (*out)[(*nout)++] = xstrdup(msg);
}

int scn_quiz_finder_misses(const struct scn_quiz_finder *f, const struct trace *tr,
                           char ***out, int *nout)
{
    int n = 0;
    char msg[512], what[256], ord[24];
    for (int k = 0; k < f->scn->nquizzes; k++) {
        const struct scn_quiz *q = &f->scn->quizzes[k];
        if (f->at[k] >= 0) {
            /* one question per record: a later line on the same one is not asked */
            int first = -1;
            for (int j = 0; j < f->scn->nquizzes && first < 0; j++)
                if (f->at[j] == f->at[k] && (f->scn->quizzes[j].line < q->line ||
                                             (f->scn->quizzes[j].line == q->line && j < k)))
                    first = j;
            if (first < 0)
                continue;
            n++;
            if (out) {
                snprintf(msg, sizeof msg, _("%s:%d: quiz answered by the same record as "
                         "the quiz on line %d: only that one is asked"), f->scn->path,
                         q->line, f->scn->quizzes[first].line);
                add_msg(out, nout, msg);
            }
            continue;
        }
        n++;
        if (!out)
            continue;
        if (q->kind == QZ_STATE)
            snprintf(what, sizeof what, _("the %s time %s entered %s"),
                     lang_ordinal(q->nth, ord, sizeof ord), trace_host_name(tr, q->host),
                     tcp_state_name(q->state));
        else
            lang_frame_nth_text(tr, &q->m, q->nth, what, sizeof what);
        snprintf(msg, sizeof msg, _("%s:%d: quiz answer never happens: %s (the run has %ld "
                 "such records)"), f->scn->path, q->line, what, f->seen[k]);
        add_msg(out, nout, msg);
    }
    return n;
}

void scn_quiz_finder_free(struct scn_quiz_finder *f)
{
    if (!f)
        return;
    free(f->at);
    free(f->seen);
    free(f);
}
