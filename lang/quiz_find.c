/* quiz_find.c — which record of a run answers each `quiz` line, found record by record as a trace sink (so --check can report a quiz whose record never happens). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "tcp.h"
#include "langint.h"

/* The quiz lines by what answers them: a TCP state entered by a host, or
 * a frame from one host to another.  Each record is then compared with
 * the lines of its own key only: a crowd with a quiz line per client
 * compared every record with all of them. */
struct quiz_key { int frame, a, b, first; };   /* first: -1 an empty slot */

struct scn_quiz_finder {
    const struct scenario *scn;
    long *at;               /* per quiz line: the record, -1 not yet */
    long *seen;             /* per quiz line: matching records so far */
    struct quiz_key *keys;  /* open addressing, a power of two */
    size_t nkeys;
    int *next;              /* per quiz line: the next of its key, -1 none */
};

static struct quiz_key *key_slot(const struct scn_quiz_finder *f, int frame, int a, int b)
{
    uint64_t k = ((uint64_t)(uint32_t)a << 32 | (uint32_t)b) * 0x9e3779b97f4a7c15ULL;
    size_t m = f->nkeys - 1, j = (size_t)((k >> 32) ^ (uint64_t)frame) & m;
    while (f->keys[j].first >= 0 &&
           (f->keys[j].frame != frame || f->keys[j].a != a || f->keys[j].b != b))
        j = (j + 1) & m;
    return &f->keys[j];
}

static struct quiz_key *quiz_slot(const struct scn_quiz_finder *f, const struct scn_quiz *q)
{
    return q->kind == QZ_STATE ? key_slot(f, 0, q->host, q->state)
                               : key_slot(f, 1, q->m.src, q->m.dst);
}

struct scn_quiz_finder *scn_quiz_finder_new(const struct scenario *scn)
{
    struct scn_quiz_finder *f = xcalloc(1, sizeof *f);
    size_t n = scn->nquizzes > 0 ? (size_t)scn->nquizzes : 1;
    f->scn = scn;
    f->at = xcalloc(n, sizeof *f->at);
    f->seen = xcalloc(n, sizeof *f->seen);
    f->next = xcalloc(n, sizeof *f->next);
    for (f->nkeys = 16; f->nkeys < 2 * n; f->nkeys *= 2)
        ;
    f->keys = xreallocarray(NULL, f->nkeys, sizeof *f->keys);
    for (size_t j = 0; j < f->nkeys; j++)
        f->keys[j].first = -1;
    for (int k = scn->nquizzes; k-- > 0;) {     /* each key's lines in order */
        const struct scn_quiz *q = &scn->quizzes[k];
        struct quiz_key *key = quiz_slot(f, q);
        f->next[k] = key->first;
        *key = q->kind == QZ_STATE ? (struct quiz_key){ 0, q->host, q->state, k }
                                   : (struct quiz_key){ 1, q->m.src, q->m.dst, k };
        f->at[k] = -1;
    }
    return f;
}

void scn_quiz_finder_rec(void *ctx, const struct trace *tr, size_t i,
                         const struct trace_rec *r)
{
    struct scn_quiz_finder *f = ctx;
    int frame = r->kind == TK_SEND && !r->u.pkt.dup;
    if (!frame && !(r->kind == TK_STATE && r->layer == TL_TCP))
        return;
    const struct quiz_key *key = frame ? key_slot(f, 1, r->u.pkt.src, r->u.pkt.dst)
                                       : key_slot(f, 0, r->host, r->u.state.to);
    for (int k = key->first; k >= 0; k = f->next[k]) {
        if (f->at[k] >= 0)
            continue;
        if (frame && !lang_frame_match(&f->scn->quizzes[k].m, tr, r))
            continue;
        if (++f->seen[k] == f->scn->quizzes[k].nth)
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

/* Sorts answered lines by record, then line, then order in the file. */
static const struct scn_quiz_finder *sort_f;

static int by_record(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    const struct scn_quiz_finder *f = sort_f;
    if (f->at[a] != f->at[b])
        return f->at[a] < f->at[b] ? -1 : 1;
    if (f->scn->quizzes[a].line != f->scn->quizzes[b].line)
        return f->scn->quizzes[a].line < f->scn->quizzes[b].line ? -1 : 1;
    return (a > b) - (a < b);
}

/* Per quiz line answered by a record an earlier line (by line, then order)
 * is answered by too: that first line; else -1. */
static int *asked_first(const struct scn_quiz_finder *f)
{
    size_t n = f->scn->nquizzes > 0 ? (size_t)f->scn->nquizzes : 1, m = 0;
    int *first = xreallocarray(NULL, n, sizeof *first);
    int *order = xreallocarray(NULL, n, sizeof *order);
    for (int k = 0; k < f->scn->nquizzes; k++) {
        first[k] = -1;
        if (f->at[k] >= 0)
            order[m++] = k;
    }
    sort_f = f;
    qsort(order, m, sizeof *order, by_record);
    for (size_t i = 1; i < m; i++)
        if (f->at[order[i]] == f->at[order[i - 1]])
            first[order[i]] = first[order[i - 1]] >= 0 ? first[order[i - 1]] : order[i - 1];
    free(order);
    return first;
}

int scn_quiz_finder_misses(const struct scn_quiz_finder *f, const struct trace *tr,
                           char ***out, int *nout)
{
    int n = 0;
    char msg[512], what[256], ord[24];
    int *first_of = asked_first(f);
    for (int k = 0; k < f->scn->nquizzes; k++) {
        const struct scn_quiz *q = &f->scn->quizzes[k];
        if (f->at[k] == 0) {
            /* the quiz stops before its record and shows what came
             * before: before the run's first record there is nothing, and
             * the quiz does not ask it (ui/quiz.c lesson_points) */
            n++;
            if (out) {
                snprintf(msg, sizeof msg, _("%s:%d: quiz answered by the run's first "
                         "record: nothing comes before it, so it is not asked"),
                         f->scn->path, q->line);
                add_msg(out, nout, msg);
            }
            continue;
        }
        if (f->at[k] >= 0) {
            /* one question per record: a later line on the same one is not asked */
            int first = first_of[k];
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
    free(first_of);
    return n;
}

void scn_quiz_finder_free(struct scn_quiz_finder *f)
{
    if (!f)
        return;
    free(f->at);
    free(f->seen);
    free(f->next);
    free(f->keys);
    free(f);
}
