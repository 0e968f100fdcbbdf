/* quiz_find.c — which record of a run answers each `quiz` line, found record by record as a trace sink (so --check can report a quiz whose record never happens). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "fmt.h"
#include "i18n.h"
#include "tcp.h"
#include "langint.h"

/* The quiz lines by what answers them: a TCP state entered by a host, or
 * a frame from one host to another.  Each record is then compared with
 * the lines of its own key only: a crowd with a quiz line per client
 * compared every record with all of them.  Within a key, the lines that
 * match the same records (every state line of the key; frame lines with
 * the same pattern) are one group, with one count of those records and
 * its lines in order of the Nth record they wait for: a record advances
 * each group once and answers the lines whose N it reaches.  Counting
 * each line on its own made `quiz ... answer server state ESTABLISHED
 * #{i}` in a crowd quadratic (32,000 clients: 7.5 s). */
struct quiz_key { int frame, a, b, first; };   /* first: its first group,
                                                  -1 an empty slot */

struct quiz_group {
    int  rep;               /* a line of the group, whose pattern it matches */
    int  first, n;          /* its lines: order[first .. first + n), by N */
    int  next_line;         /* the first of them not answered yet */
    int  next;              /* the key's next group, -1 none */
    long seen;              /* matching records so far */
};

struct scn_quiz_finder {
    const struct scenario *scn;
    long *at;               /* per quiz line: the record, -1 not yet */
    int  *group;            /* per quiz line: its group */
    struct quiz_group *groups;
    int  *order;            /* the lines of each group, by N */
    struct quiz_key *keys;  /* open addressing, a power of two */
    size_t nkeys;
    int cut;                /* the run was cut short by a limit, at cut_us */
    int64_t cut_us;
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

/* Do two lines of one key match the same records?  State lines always;
 * frame lines when their patterns are the same. */
static int same_records(const struct scn_quiz *a, const struct scn_quiz *b)
{
    if (a->kind == QZ_STATE)
        return 1;
    const struct scn_match *x = &a->m, *y = &b->m;
    if (x->proto != y->proto || x->any_flags != y->any_flags || x->flags != y->flags ||
        x->data != y->data || x->top != y->top || x->nfilters != y->nfilters ||
        !x->qname != !y->qname || (x->qname && strcmp(x->qname, y->qname)))
        return 0;
    for (int i = 0; i < x->nfilters; i++)
        if (x->filters[i].kind != y->filters[i].kind || x->filters[i].rel != y->filters[i].rel ||
            x->filters[i].value != y->filters[i].value ||
            x->filters[i].addr != y->filters[i].addr)
            return 0;
    return 1;
}

static const struct scenario *by_nth_scn;      /* for qsort's comparator */

static int by_nth(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    long na = by_nth_scn->quizzes[a].nth, nb = by_nth_scn->quizzes[b].nth;
    return na != nb ? (na < nb ? -1 : 1) : (a > b) - (a < b);
}

struct scn_quiz_finder *scn_quiz_finder_new(const struct scenario *scn)
{
    struct scn_quiz_finder *f = xcalloc(1, sizeof *f);
    size_t n = scn->nquizzes > 0 ? (size_t)scn->nquizzes : 1;
    f->scn = scn;
    f->at = xcalloc(n, sizeof *f->at);
    f->group = xcalloc(n, sizeof *f->group);
    f->groups = xcalloc(n, sizeof *f->groups);
    f->order = xcalloc(n, sizeof *f->order);
    for (f->nkeys = 16; f->nkeys < 2 * n; f->nkeys *= 2)
        ;
    f->keys = xreallocarray(NULL, f->nkeys, sizeof *f->keys);
    for (size_t j = 0; j < f->nkeys; j++)
        f->keys[j].first = -1;
    int ng = 0;
    for (int k = 0; k < scn->nquizzes; k++) {      /* the groups, each key's in order */
        const struct scn_quiz *q = &scn->quizzes[k];
        struct quiz_key *key = quiz_slot(f, q);
        int g = key->first, last = -1;
        for (; g >= 0 && !same_records(&scn->quizzes[f->groups[g].rep], q);
             g = f->groups[g].next)
            last = g;
        if (g < 0) {
            g = ng++;
            f->groups[g] = (struct quiz_group){ k, 0, 0, 0, -1, 0 };
            if (last >= 0)
                f->groups[last].next = g;
            else
                *key = q->kind == QZ_STATE ? (struct quiz_key){ 0, q->host, q->state, g }
                                           : (struct quiz_key){ 1, q->m.src, q->m.dst, g };
        }
        f->group[k] = g;
        f->groups[g].n++;
        f->at[k] = -1;
    }
    int at = 0;
    for (int g = 0; g < ng; g++) {
        f->groups[g].first = at;
        at += f->groups[g].n;
        f->groups[g].n = 0;
    }
    for (int k = 0; k < scn->nquizzes; k++) {
        struct quiz_group *g = &f->groups[f->group[k]];
        f->order[g->first + g->n++] = k;
    }
    by_nth_scn = scn;
    for (int g = 0; g < ng; g++)
        qsort(f->order + f->groups[g].first, (size_t)f->groups[g].n, sizeof *f->order, by_nth);
    by_nth_scn = NULL;
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
    for (int g = key->first; g >= 0; g = f->groups[g].next) {
        struct quiz_group *gr = &f->groups[g];
        if (gr->next_line >= gr->n)
            continue;                   /* every line of it answered */
        if (frame && !lang_frame_match(&f->scn->quizzes[gr->rep].m, tr, r))
            continue;
        gr->seen++;
        const int *line = f->order + gr->first;
        while (gr->next_line < gr->n && f->scn->quizzes[line[gr->next_line]].nth < gr->seen)
            gr->next_line++;
        while (gr->next_line < gr->n && f->scn->quizzes[line[gr->next_line]].nth == gr->seen)
            f->at[line[gr->next_line++]] = (long)i;
    }
}

void scn_quiz_finder_cut(struct scn_quiz_finder *f, int64_t t_us)
{
    f->cut = 1;
    f->cut_us = t_us;
}

long scn_quiz_finder_at(const struct scn_quiz_finder *f, int k)
{
    return k >= 0 && k < f->scn->nquizzes ? f->at[k] : -1;
}

static void add_msg(char ***out, int *nout, const char *msg)
{
    /* the array doubles (16, 32, ...), as expect.c's: one more slot per
     * message copied it once per message */
    int k = *nout;
    if (k == 0 || (k >= 16 && (k & (k - 1)) == 0))
        *out = xreallocarray(*out, (size_t)(k ? 2 * k : 16), sizeof **out);
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
                snprintf(msg, sizeof msg, _("%s:%d:%d: quiz answered by the run's first "
                         "record: nothing comes before it, so it is not asked"),
                         f->scn->path, q->line, q->col);
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
                snprintf(msg, sizeof msg, _("%s:%d:%d: quiz answered by the same record as "
                         "the quiz on line %d: only that one is asked"), f->scn->path,
                         q->line, q->col, f->scn->quizzes[first].line);
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
        long seen = f->groups[f->group[k]].seen;
        if (f->cut) {
            /* a run cut short by a limit: the record may come after the
             * cut, so "never happens" is not known (as expect.c's lines
             * "not checked") */
            char at[32];
            snprintf(msg, sizeof msg, P_("%s:%d:%d: quiz answer not reached: %s (the run was cut "
                                         "short at %s, when it had %ld such record)",
                                         "%s:%d:%d: quiz answer not reached: %s (the run was cut "
                                         "short at %s, when it had %ld such records)",
                                         (unsigned long)seen),
                     f->scn->path, q->line, q->col, what, fmt_duration(f->cut_us, at, sizeof at),
                     seen);
        } else
            snprintf(msg, sizeof msg, P_("%s:%d:%d: quiz answer never happens: %s (the run has "
                                         "%ld such record)",
                                         "%s:%d:%d: quiz answer never happens: %s (the run has "
                                         "%ld such records)", (unsigned long)seen),
                     f->scn->path, q->line, q->col, what, seen);
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
    free(f->group);
    free(f->groups);
    free(f->order);
    free(f->keys);
    free(f);
}

/* A fault rule acts on the Nth frame that matches its pattern; a lesson
 * whose rule never meets its frame shows none of what it was written for,
 * and said nothing (`fault drop a->b tcp FIN #1` where every FIN is
 * FIN,ACK).  A warning, not a failure: a lesson may add rules for frames
 * that may or may not come ("everything the client sends is lost"). */
int scn_fault_misses(const struct scenario *scn, const struct trace *tr,
                     const uint32_t *seen, int cut, int64_t cut_us,
                     char ***out, int *nout)
{
    int n = 0;
    char msg[768], what[256], at[32], hint[160] = "";
    for (int i = 0; i < scn->nfaults; i++) {
        const struct scn_fault *fr = &scn->faults[i];
        if (seen[i] >= (uint32_t)fr->nth)
            continue;
        n++;
        if (!out)
            continue;
        lang_frame_nth_text(tr, &fr->m, fr->nth, what, sizeof what);
        hint[0] = '\0';
        if (fr->m.proto == IPPROTO_TCP_NUM && !fr->m.any_flags && !fr->m.data &&
            !(fr->m.flags & TCP_ACK) && !seen[i]) {
            /* the likeliest reason: every segment after the first SYN
             * carries ACK (RFC 9293 3.10.7.4) */
            char a[40], b[40];
            snprintf(hint, sizeof hint, _(" (a pattern's flags match exactly: %s is not %s)"),
                     tcp_flags_str((uint8_t)(fr->m.flags | TCP_ACK), a, sizeof a),
                     tcp_flags_str(fr->m.flags, b, sizeof b));
        }
        if (cut)
            snprintf(msg, sizeof msg,
                     P_("%s:%d:%d: warning: fault not reached: it waits for %s, and the run was cut "
                        "short at %s after %u such frame",
                        "%s:%d:%d: warning: fault not reached: it waits for %s, and the run was cut "
                        "short at %s after %u such frames", seen[i]),
                     scn->path, fr->line, fr->col, what,
                     fmt_duration(cut_us, at, sizeof at), seen[i]);
        else if (seen[i])
            snprintf(msg, sizeof msg,
                     _("%s:%d:%d: warning: fault not applied: it waits for %s, and the run sent only %u"),
                     scn->path, fr->line, fr->col, what, seen[i]);
        else
            snprintf(msg, sizeof msg,
                     _("%s:%d:%d: warning: fault not applied: it waits for %s, and the run sent none%s"),
                     scn->path, fr->line, fr->col, what, hint);
        add_msg(out, nout, msg);
    }
    return n;
}
