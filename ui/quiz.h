/* quiz.h — quiz mode (issue 13): the questions asked before records of a finished run, their choices, the answers given and the score.  No terminal and no I/O: quiz_batch.c reads and prints, view_quiz.c draws.
 *
 * A quiz point is a record of the run and a question that the record
 * answers; it is asked before the record is shown.  The points are the
 * lesson's `quiz` lines when it has any, otherwise the model's own
 * (quiz_build): the next TCP state of a host at a state record, the seq or
 * ack number of a TCP segment as it is sent, where an ARP frame goes, and
 * what a DNS reply holds.  Each protocol the run has questions about (TCP,
 * DNS, ARP) gets an equal share of the QUIZ_MODEL_MAX questions (one with
 * fewer candidates leaves the rest to the others), so that a lesson whose
 * subject is DNS asks about DNS and not only about the ARP under it.
 * The right answer is always read from the record; the wrong choices are
 * the teacher's (`choices`) or plausible ones: other states RFC 9293's
 * diagram reaches from the same state (sim/proto/tcp_arrows.c), off-by-one
 * numbers, the other way a frame could go.  The choices are shuffled by a
 * generator seeded from the run's seed and the point's number, so the same
 * lesson and seed always give the same quiz. */
#ifndef PROTOSIM_QUIZ_H
#define PROTOSIM_QUIZ_H

#include <stddef.h>
#include <stdint.h>
#include "scenario.h"
#include "trace.h"

enum quiz_kind {
    QK_LESSON,         /* a `quiz` line of the lesson */
    QK_STATE,          /* model: the state a TCP connection enters next */
    QK_SEQ,            /* model: a segment's sequence number */
    QK_ACK,            /* model: a segment's acknowledgement number */
    QK_BCAST,          /* model: an ARP frame to everyone, or to one host */
    QK_DNS             /* model: what a DNS reply holds (answer, referral,
                        * NXDOMAIN, no data, SERVFAIL) */
};

#define QUIZ_MAX_CHOICES 6
/* At most this many model questions; a run with more candidates asks
 * ones spread evenly over it. */
#define QUIZ_MODEL_MAX 12

/* answer: not asked yet, or no answer (standard input ended) */
enum { QUIZ_UNASKED = -2, QUIZ_NOANSWER = -1 };

struct quiz_point {
    size_t rec;                    /* the record that answers: asked before it */
    int    kind;                   /* enum quiz_kind */
    int    line;                   /* QK_LESSON: the quiz line */
    char  *question;               /* in the language of the build */
    char  *choice[QUIZ_MAX_CHOICES];
    int    nchoices;
    int    right;                  /* the right choice's index */
    int    answer;                 /* the choice given, or QUIZ_UNASKED/NOANSWER */
};

struct quiz {
    struct quiz_point *p;          /* in record order, one per record */
    int    n;
    int    from_lesson;            /* the points are the lesson's lines */
    int    missing;                /* quiz lines whose record the run lacks, or is
                                    * its first (nothing to show before it) */
    int    same;                   /* quiz lines answered by an earlier
                                      line's record: not asked */
    /* the interactive view's session */
    int    on;                     /* quiz mode: stepping forward asks */
    int    asking;                 /* the point asked or revealed, -1 none */
    int    revealed;               /* asking's answer is shown */
};

/* Builds the quiz of a finished run whose trace was kept whole, in the
 * language chosen now.  crowd (per record, NULL: none) marks a crowd's
 * records (view.h: a SYN flood's forged sources and their half-open
 * connections): the model's own questions leave them out, unless nothing
 * else could be asked, so that they are about the lesson's hosts -- the
 * records the timeline shows one by one.  Returns the number of points. */
int  quiz_build(struct quiz *q, const struct scenario *scn, const struct trace *tr,
                uint64_t seed, const uint8_t *crowd);
void quiz_free(struct quiz *q);
/* The same run's quiz again (after a language switch): the answers and the
 * session carried over from old, which is freed. */
void quiz_rebuild(struct quiz *q, struct quiz *old, const struct scenario *scn,
                  const struct trace *tr, uint64_t seed, const uint8_t *crowd);

/* Right answers so far; *asked (if not NULL) the points answered or
 * passed by. */
int  quiz_score(const struct quiz *q, int *asked);
/* An answer as typed, spaces around ignored: the choice's number (1, 2,
 * ...), else its letter (a, b, ... either case), else its exact text (case
 * ignored, `-` for `_`): a choice whose text is a number from 1 to the
 * number of choices is named by its number.  The choice's index, or -1
 * when it names none. */
int  quiz_parse_answer(const struct quiz_point *p, const char *text);
/* The first point not yet answered whose record is in (from, to], or -1. */
int  quiz_gate(const struct quiz *q, size_t from, size_t to);

#endif
