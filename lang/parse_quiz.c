/* parse_quiz.c — `quiz` lines: a question, the record of the run that answers it, and the teacher's wrong choices.
 *
 *   quiz "QUESTION" [zh "QUESTION"] answer SRC->DST PATTERN #N [FIELD]
 *        [choices "WRONG" [zh "WRONG"] ...]
 *   quiz "QUESTION" [zh "QUESTION"] answer HOST state STATE [#N]
 *        [choices ...]
 *
 * The right answer is not written: it is read from the record when the
 * run is over (ui/quiz.c), so it is always true of the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "tcp.h"
#include "wire.h"
#include "langint.h"

static const char *const quiz_fields[QF_COUNT] = {
#define X(id, word) [QF_##id] = word,
    SCN_QUIZ_FIELDS(X)
#undef X
};

static int field_of(const struct tok *t)
{
    for (int i = 0; t && t->type == T_WORD && i < QF_COUNT; i++)
        if (!strcmp(t->s, quiz_fields[i]))
            return i;
    return -1;
}

/* SRC->DST PATTERN #N [FIELD] */
static int quiz_frame(struct parser *P, struct scn_quiz *q)
{
    struct show sh;
    q->kind = QZ_FRAME;
    if (lang_want_arrow_to(P, &q->m.src, &q->m.dst, 1)) return -1;
    if (lang_want_xpattern(P, &q->m)) return -1;
    struct tok *n = lang_peek(P);
    int rc = lang_want_nth(P, &q->nth, "a frame number");
    if (rc < 0) return -1;
    if (rc == 0) {
        ERR_AT(P, n, "expected the frame that answers, a frame number like #1, found %s",
               lang_found(&sh, n));
        return -1;
    }
    int tcp = q->m.proto == IPPROTO_TCP_NUM && q->m.top == TL_NONE;
    q->field = tcp ? QF_FLAGS : QF_TO;
    struct tok *f = lang_peek(P);
    if (!f || lang_is_word(f, "choices")) return 0;
    int k = field_of(f);
    if (k < 0) {
        ERR_AT(P, f, "expected what the question asks of the frame (flags, seq, ack, len or "
               "to), choices, or end of line, found %s", lang_found(&sh, f));
        return -1;
    }
    if ((k == QF_FLAGS || k == QF_SEQ || k == QF_ACK) && !tcp) {
        ERR_AT(P, f, "%s is a TCP field: the pattern must be tcp (like tcp ACK), not this one",
               quiz_fields[k]);
        return -1;
    }
    if (k == QF_LEN && q->m.top == TL_ARP) {
        ERR_AT(P, f, "len is the data of a TCP segment or UDP datagram; an ARP frame has none");
        return -1;
    }
    lang_next(P);
    q->field = k;
    return 0;
}

/* HOST state STATE [#N] */
static int quiz_state(struct parser *P, struct scn_quiz *q)
{
    struct show sh;
    q->kind = QZ_STATE;
    if ((q->host = lang_want_ref(P, "a host name or SRC->DST")) < 0) return -1;
    struct tok *w = lang_next(P);
    if (!lang_is_word(w, "state")) {
        ERR_AT(P, w, "expected \"state\" and the TCP state the host enters (like: server "
               "state SYN_RECEIVED), found %s", lang_found(&sh, w));
        return -1;
    }
    if (lang_want_tcp_state(P, &q->state)) return -1;
    q->nth = 1;
    return lang_want_nth(P, &q->nth, "the entry into that state") < 0 ? -1 : 0;
}

/* choices "WRONG" [zh "WRONG"] ... */
static int quiz_choices(struct parser *P, struct scn_quiz *q)
{
    struct show sh;
    struct tok *c = lang_next(P);
    if (!c) return 0;
    if (!lang_is_word(c, "choices")) {
        ERR_AT(P, c, "expected choices \"WRONG\" ... or end of line, found %s",
               lang_found(&sh, c));
        return -1;
    }
    if (!lang_peek(P)) {
        ERR_AT(P, NULL, "expected at least one wrong choice in double quotes after choices");
        return -1;
    }
    while (lang_peek(P)) {
        struct tok *t = lang_peek(P);
        if (q->nwrong == SCN_QUIZ_CHOICES) {
            ERR_AT(P, t, "at most %d wrong choices", SCN_QUIZ_CHOICES);
            return -1;
        }
        t = lang_want_text(P, "a wrong choice in double quotes");
        struct tok *zh = NULL;
        if (!t || lang_want_variant(P, &zh)) return -1;
        if (!t->len) {
            ERR_AT(P, t, "a choice cannot be empty");
            return -1;
        }
        q->wrong[q->nwrong] = lang_dup_bytes(t->s, t->len);
        q->wrong_zh[q->nwrong] = zh ? lang_dup_bytes(zh->s, zh->len) : NULL;
        q->nwrong++;
    }
    return 0;
}

void lang_kw_quiz(struct parser *P, struct tok *kw)
{
    struct show sh;
    struct scn_quiz q;
    memset(&q, 0, sizeof q);
    q.line = P->line;
    q.col = kw->col;            /* as an expect line's (parse_expect.c) */
    q.host = q.m.src = q.m.dst = -1;
    struct tok *t = lang_want_text(P, "the question in double quotes, like \"Which state "
                                      "does the server enter?\"");
    struct tok *zh = NULL;
    if (!t || lang_want_variant(P, &zh)) return;
    struct tok *a = lang_next(P);
    if (!lang_is_word(a, "answer")) {
        ERR_AT(P, a, "expected \"answer\" and the record that answers the question "
               "(SRC->DST PATTERN #N [FIELD], or HOST state STATE [#N]), found %s",
               lang_found(&sh, a));
        return;
    }
    struct tok *t1 = lang_peek(P);
    if (!t1) {
        ERR_AT(P, t1, "expected the record that answers the question (SRC->DST PATTERN #N "
               "[FIELD], or HOST state STATE [#N]), found end of line");
        return;
    }
    struct tok *t2 = P->ti + 1 < P->ntok ? &P->toks[P->ti + 1] : NULL;
    int frame = t1->type == T_WORD &&
                (strstr(t1->s, "->") || (t2 && t2->type == T_WORD && !strncmp(t2->s, "->", 2)));
    if (frame ? quiz_frame(P, &q) : quiz_state(P, &q)) {
        scn_quiz_clear(&q);
        return;
    }
    /* the answer as written, for messages */
    const struct tok *last = P->ti > 0 ? &P->toks[P->ti - 1] : t1;
    q.src_text = lang_dup_bytes(t1->raw, (size_t)(last->raw + last->rawlen - t1->raw));
    q.text = lang_dup_bytes(t->s, t->len);
    q.text_zh = zh ? lang_dup_bytes(zh->s, zh->len) : NULL;
    if (quiz_choices(P, &q)) {
        scn_quiz_clear(&q);
        return;
    }
    struct scenario *s = P->s;
    s->quizzes = lang_grow_arr(s->quizzes, &P->capquizzes, s->nquizzes, sizeof *s->quizzes);
    s->quizzes[s->nquizzes++] = q;
}
