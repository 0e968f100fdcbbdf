/* test_quiz.c — Check suite for quiz mode (issue 13): RFC 9293's diagram as a table (sim/proto/tcp_arrows.c), `quiz` lines (lang/parse_quiz.c, quiz_find.c), and the quiz points with their choices (ui/quiz.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "dns.h"
#include "lang.h"
#include "narrate.h"
#include "quiz.h"
#include "sim.h"
#include "tcp.h"
#include "view.h"
#include "wire.h"
#include "suites.h"

#define HOSTS "host client 192.0.2.10\nhost server 192.0.2.80\nlink client server delay 20ms\n"
#define LESSON HOSTS \
    "tcp isn client 1000\ntcp isn server 5000\n" \
    "at 0ms server listen 80\nat 10ms client connect server 80\n" \
    "at 100ms client send \"hello\"\nat 200ms server recv 100\n" \
    "at 300ms client close\nat 400ms server close\n"

static struct scenario *parse(const char *text, struct scn_errors *e)
{
    memset(e, 0, sizeof *e);
    return scenario_parse("t.scn", text, strlen(text), e);
}

static struct scenario *parse_ok(const char *text)
{
    struct scn_errors e;
    struct scenario *s = parse(text, &e);
    ck_assert_msg(s != NULL, "expected a valid scenario, got: %s",
                  e.n ? e.msgs[0] : "(no message)");
    scn_errors_free(&e);
    return s;
}

static struct scenario *load(const char *path)
{
    struct scn_errors e = { 0 };
    int io = 0;
    struct scenario *s = scenario_load(path, &e, &io);
    ck_assert_msg(s != NULL, "%s does not load: %s", path, e.n ? e.msgs[0] : "I/O error");
    scn_errors_free(&e);
    return s;
}

/* Frees what scn_quiz_finder_misses appended. */
static void free_msgs(char **msgs, int n)
{
    for (int i = 0; i < n; i++)
        free(msgs[i]);
    free(msgs);
}

static void decode_rec(const struct trace *tr, size_t i, struct frame *f)
{
    size_t len;
    char err[64];
    const uint8_t *b = trace_blob_data(tr, tr->recs[i].u.pkt.pkt, &len);
    ck_assert_int_eq(frame_decode(b, len, f, err, sizeof err), 0);
}

static uint32_t num(const char *s)
{
    return (uint32_t)strtoul(s, NULL, 10);
}

/* ---- RFC 9293's diagram ---------------------------------------------------- */

START_TEST(test_arrows_are_figure_5)
{
    /* a few arrows every textbook draws, and some it does not */
    ck_assert(tcp_rfc_arrow(TCPS_SYN_SENT, TCPS_ESTABLISHED));
    ck_assert(tcp_rfc_arrow(TCPS_FIN_WAIT_2, TCPS_TIME_WAIT));
    ck_assert(tcp_rfc_arrow(TCPS_CLOSING, TCPS_TIME_WAIT));
    ck_assert(tcp_rfc_arrow(TCPS_SYN_RECEIVED, TCPS_LISTEN));
    ck_assert(!tcp_rfc_arrow(TCPS_LISTEN, TCPS_ESTABLISHED));
    ck_assert(!tcp_rfc_arrow(TCPS_CLOSE_WAIT, TCPS_TIME_WAIT));
    ck_assert(!tcp_rfc_arrow(TCPS_TIME_WAIT, TCPS_ESTABLISHED));
    int to[TCPS_NSTATES];
    ck_assert_int_eq(tcp_rfc_next(TCPS_ESTABLISHED, to, TCPS_NSTATES), 3);
    ck_assert_int_eq(tcp_rfc_next(TCPS_TIME_WAIT, to, TCPS_NSTATES), 1);
    ck_assert_int_eq(to[0], TCPS_CLOSED);
    size_t n;
    const struct tcp_arrow *a = tcp_arrows(&n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(a[i].rfc && strstr(a[i].rfc, "3.10"), "arrow %zu quotes no section", i);
        for (size_t j = i + 1; j < n; j++)
            ck_assert(!(a[i].from == a[j].from && a[i].to == a[j].to));
    }
}
END_TEST

/* The model's transitions in the RFC lessons are all arrows of the table
 * (the table is what the quiz's wrong states come from). */
START_TEST(test_model_follows_the_arrows)
{
    static const char *const lessons[] = {
        "scenarios/handshake.scn", "scenarios/teardown.scn", "scenarios/time-wait.scn",
        "scenarios/time-wait-reopen.scn", "scenarios/simultaneous-open.scn",
        "scenarios/simultaneous-close.scn", "scenarios/syn-loss.scn", "scenarios/rst.scn",
        "scenarios/half-close.scn", "scenarios/stale-syn.scn",
    };
    for (size_t k = 0; k < sizeof lessons / sizeof lessons[0]; k++) {
        struct scenario *scn = load(lessons[k]);
        struct sim s;
        sim_init(&s, scn, scn->seed);
        sim_run(&s);
        int seen = 0;
        for (size_t i = 0; i < s.tr.n; i++) {
            const struct trace_rec *r = &s.tr.recs[i];
            if (r->kind != TK_STATE || r->layer != TL_TCP)
                continue;
            seen++;
            ck_assert_msg(tcp_rfc_arrow(r->u.state.from, r->u.state.to),
                          "%s: %s -> %s is no arrow of RFC 9293's diagram", lessons[k],
                          tcp_state_name(r->u.state.from), tcp_state_name(r->u.state.to));
        }
        ck_assert_int_gt(seen, 2);
        sim_free(&s);
        scenario_free(scn);
    }
}
END_TEST

/* ---- quiz lines ------------------------------------------------------------ */

START_TEST(test_parse_quiz_lines)
{
    struct scenario *s = parse_ok(LESSON
        "quiz \"Which state?\" zh \"哪个状态？\" answer server state CLOSE_WAIT\n"
        "quiz \"Again?\" answer client state TIME_WAIT #1 choices \"CLOSED\" zh \"关闭\" \"CLOSING\"\n"
        "quiz \"Its ack?\" answer server->client tcp ACK #2 ack\n"
        "quiz \"What goes?\" answer client->server tcp #1   # a comment\n"
        "quiz \"Where?\" answer client -> server any #3 to\n");
    ck_assert_int_eq(s->nquizzes, 5);
    const struct scn_quiz *q = s->quizzes;
    ck_assert_int_eq(q[0].kind, QZ_STATE);
    ck_assert_int_eq(q[0].host, 1);
    ck_assert_int_eq(q[0].state, TCPS_CLOSE_WAIT);
    ck_assert_int_eq(q[0].nth, 1);
    ck_assert_str_eq(q[0].text, "Which state?");
    ck_assert_str_eq(q[0].text_zh, "哪个状态？");
    ck_assert_int_eq(q[0].line, 12);
    ck_assert_int_eq(q[1].nwrong, 2);
    ck_assert_str_eq(q[1].wrong[0], "CLOSED");
    ck_assert_str_eq(q[1].wrong_zh[0], "关闭");
    ck_assert_ptr_null(q[1].wrong_zh[1]);
    ck_assert_int_eq(q[2].kind, QZ_FRAME);
    ck_assert_int_eq(q[2].m.src, 1);
    ck_assert_int_eq(q[2].m.dst, 0);
    ck_assert_int_eq(q[2].nth, 2);
    ck_assert_int_eq(q[2].field, QF_ACK);
    ck_assert_int_eq(q[3].field, QF_FLAGS);        /* a tcp pattern asks its flags */
    ck_assert(q[3].m.any_flags);
    ck_assert_str_eq(q[3].src_text, "client->server tcp #1");
    ck_assert_int_eq(q[4].field, QF_TO);
    ck_assert_int_eq(q[4].nth, 3);
    scenario_free(s);
}
END_TEST

START_TEST(test_parse_quiz_errors)
{
    static const struct { const char *line, *want; } bad[] = {
        { "quiz \"Q?\"",
          "t.scn:12:10: error: expected \"answer\" and the record that answers the question" },
        { "quiz Q answer server state LISTEN",
          "t.scn:12:6: error: expected the question in double quotes" },
        { "quiz \"Q?\" zh answer server state LISTEN",
          "t.scn:12:14: error: expected the Chinese text in double quotes after zh" },
        { "quiz \"Q?\" answer",
          "t.scn:12:17: error: expected the record that answers the question" },
        { "quiz \"Q?\" answer client->server tcp SYN",
          "t.scn:12:40: error: expected the frame that answers, a frame number like #1" },
        { "quiz \"Q?\" answer client->server tcp SYN #0",
          "t.scn:12:41: error: expected a frame number like #1, found \"#0\"" },
        { "quiz \"Q?\" answer client->* arp #1 seq",
          "t.scn:12:35: error: seq is a TCP field" },
        { "quiz \"Q?\" answer client->server tcp SYN #1 window",
          "t.scn:12:44: error: expected what the question asks of the frame (flags, seq, ack, "
          "len or to), choices, or end of line, found \"window\"" },
        { "quiz \"Q?\" answer server estate LISTEN",
          "t.scn:12:25: error: expected \"state\" and the TCP state the host enters" },
        { "quiz \"Q?\" answer server state LISTENING",
          "t.scn:12:31: error: unknown TCP state \"LISTENING\"" },
        { "quiz \"Q?\" answer server state LISTEN #0",
          "t.scn:12:38: error: expected the entry into that state like #1, found \"#0\"" },
        { "quiz \"Q?\" answer server state LISTEN choices",
          "t.scn:12:45: error: expected at least one wrong choice in double quotes after choices" },
        { "quiz \"Q?\" answer server state LISTEN choices CLOSED",
          "t.scn:12:46: error: expected a wrong choice in double quotes, found \"CLOSED\"" },
        { "quiz \"Q?\" answer server state LISTEN wrong \"CLOSED\"",
          "t.scn:12:38: error: expected choices \"WRONG\" ... or end of line, found \"wrong\"" },
        { "quiz \"Q?\" answer nobody state LISTEN",
          "t.scn:12:18: error: unknown host \"nobody\"" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s\n", LESSON, bad[i].line);
        struct scn_errors e;
        struct scenario *s = parse(text, &e);
        ck_assert_msg(s == NULL, "accepted: %s", bad[i].line);
        ck_assert_msg(e.n >= 1 && !strncmp(e.msgs[0], bad[i].want, strlen(bad[i].want)),
                      "%s\n  gave: %s\n  want: %s", bad[i].line, e.n ? e.msgs[0] : "-",
                      bad[i].want);
        scn_errors_free(&e);
    }
}
END_TEST

/* Runs s (seed 1) with a quiz finder listening to every record, the trace
 * streamed or kept; the finder (scn_quiz_finder_free) and the sim
 * (sim_free) are the caller's. */
static struct scn_quiz_finder *run_finding(struct sim *sim, struct scenario *s,
                                           int stream)
{
    sim_init(sim, s, 1);
    if (stream)
        trace_stream(&sim->tr);
    struct scn_quiz_finder *f = scn_quiz_finder_new(s);
    struct trace_sink k = { scn_quiz_finder_rec, f };   /* copied in */
    ck_assert_int_eq(trace_add_sink(&sim->tr, &k), 0);
    sim_run(sim);
    return f;
}

/* --check: a quiz line whose record never happens is named. */
START_TEST(test_quiz_answer_never_happens)
{
    struct scenario *s = parse_ok(LESSON
        "quiz \"A fifth SYN?\" answer client->server tcp SYN #5\n"
        "quiz \"Fine\" answer client state ESTABLISHED\n");
    struct sim sim;
    struct scn_quiz_finder *f = run_finding(&sim, s, 1);
    ck_assert_int_lt(scn_quiz_finder_at(f, 0), 0);
    ck_assert_int_gt(scn_quiz_finder_at(f, 1), 0);
    char **msgs = NULL;
    int n = 0;
    ck_assert_int_eq(scn_quiz_finder_misses(f, &sim.tr, &msgs, &n), 1);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(msgs[0], "t.scn:12:1: quiz answer never happens: the 5th SYN from client "
                     "to server (the run has 1 such record)");
    free(msgs[0]);
    free(msgs);
    scn_quiz_finder_free(f);
    sim_free(&sim);
    scenario_free(s);
}
END_TEST

/* A run cut short by a limit: a quiz line whose record did not come is
 * "not reached" (it said "never happens" of an answer after the cut), and
 * every quiz message gives the line's column, as expect messages do. */
START_TEST(test_quiz_cut_is_not_reached)
{
    struct scenario *s = parse_ok(LESSON
        "  quiz \"A fifth SYN?\" answer client->server tcp SYN #5\n");
    struct sim sim;
    struct scn_quiz_finder *f = run_finding(&sim, s, 1);
    ck_assert_int_lt(scn_quiz_finder_at(f, 0), 0);
    char **msgs = NULL;
    int n = 0;
    ck_assert_int_eq(scn_quiz_finder_misses(f, &sim.tr, &msgs, &n), 1);
    ck_assert_str_eq(msgs[0], "t.scn:12:3: quiz answer never happens: the 5th SYN from client "
                     "to server (the run has 1 such record)");
    free_msgs(msgs, n);
    msgs = NULL;
    n = 0;
    scn_quiz_finder_cut(f, 5000000);
    ck_assert_int_eq(scn_quiz_finder_misses(f, &sim.tr, &msgs, &n), 1);
    ck_assert_str_eq(msgs[0], "t.scn:12:3: quiz answer not reached: the 5th SYN from client "
                     "to server (the run was cut short at 5s, when it had 1 such record)");
    free_msgs(msgs, n);
    scn_quiz_finder_free(f);
    sim_free(&sim);
    scenario_free(s);
}
END_TEST

/* A line answered by the run's very first record is not asked (nothing is
 * shown before it), and --check says so: `--quiz` sent the teacher to
 * --check, which said nothing about that line.  A second line on the same
 * first record is named for the same reason, not as a repeat of a line the
 * quiz never asks either; a later record is asked. */
START_TEST(test_quiz_first_record_is_named)
{
    struct scenario *s = parse_ok(
        "host a 192.0.2.1\nhost b 192.0.2.2\nlink a b\n"
        "at 0ms inject a->b tcp SYN seq 1 sport 5 dport 80\n"
        "quiz \"which flags?\" answer a->b tcp SYN #1\n"
        "quiz \"and to whom?\" answer a->b tcp SYN #1 to\n"
        "quiz \"the answer?\" answer b->a tcp RST,ACK #1\n");
    struct sim sim;
    struct scn_quiz_finder *f = run_finding(&sim, s, 0);
    ck_assert_int_eq(scn_quiz_finder_at(f, 0), 0);
    ck_assert_int_eq(scn_quiz_finder_at(f, 1), 0);
    ck_assert_int_gt(scn_quiz_finder_at(f, 2), 0);
    char **msgs = NULL;
    int n = 0;
    ck_assert_int_eq(scn_quiz_finder_misses(f, &sim.tr, &msgs, &n), 2);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(msgs[0], "t.scn:5:1: quiz answered by the run's first record: nothing "
                     "comes before it, so it is not asked");
    ck_assert_str_eq(msgs[1], "t.scn:6:1: quiz answered by the run's first record: nothing "
                     "comes before it, so it is not asked");
    free_msgs(msgs, n);
    scn_quiz_finder_free(f);
    /* the quiz leaves out the same lines it counts as missing */
    struct quiz q;
    ck_assert_int_eq(quiz_build(&q, s, &sim.tr, 1, NULL), 1);
    ck_assert_int_eq(q.missing, 2);
    ck_assert_int_eq(q.same, 0);
    ck_assert_int_eq(q.p[0].line, 7);
    quiz_free(&q);
    sim_free(&sim);
    scenario_free(s);
}
END_TEST

/* A crowd's quiz lines on one key, one per client: the server's Nth move
 * into ESTABLISHED answers line N (in the file's order of N, whatever the
 * order of the lines), the Nth SYN,ACK to the first client line N', and a
 * line past the last says how many there were.  Each record counts once
 * for the lines waiting on it (counting it for each line made 50,000
 * clients take seconds), so this runs well inside the test's time limit. */
START_TEST(test_quiz_lines_on_one_key_count_once)
{
    enum { C = 50000 };
    static char text[1024];
    snprintf(text, sizeof text,
             "host server 10.0.0.1\n"
             "host first 10.0.0.2\n"
             "link first server delay 1ms\n"
             "at 0ms server listen 80\n"
             "at 1ms first connect server 80\n"
             "repeat %d as i from 1\n"
             "  host c{i} {10.1.0.0 + i}\n"
             "  link c{i} server delay 1ms\n"
             "  at {1 + i}ms c{i} connect server 80\n"
             "  quiz \"q\" answer server state ESTABLISHED #{%d + 2 - i}\n"
             "end\n"
             "quiz \"q\" answer server state ESTABLISHED #%d\n"
             "quiz \"q\" answer server->first tcp SYN,ACK #1\n"
             "quiz \"q\" answer server->first tcp SYN,ACK #2\n", C, C, C + 2);
    struct scenario *s = parse_ok(text);
    struct sim sim;
    struct scn_quiz_finder *f = run_finding(&sim, s, 0);
    long prev = -1;
    for (int q = C - 1; q >= 0; q--) {          /* line q asks for move C + 1 - q */
        long at = scn_quiz_finder_at(f, q);
        ck_assert_int_gt(at, prev);
        const struct trace_rec *r = &sim.tr.recs[at];
        ck_assert_int_eq(r->kind, TK_STATE);
        ck_assert_int_eq(r->host, 0);
        ck_assert_int_eq(r->u.state.to, TCPS_ESTABLISHED);
        prev = at;
    }
    ck_assert_int_lt(scn_quiz_finder_at(f, C), 0);
    ck_assert_int_ge(scn_quiz_finder_at(f, C + 1), 0);
    ck_assert_int_lt(scn_quiz_finder_at(f, C + 2), 0);
    char **msgs = NULL;
    int n = 0;
    ck_assert_int_eq(scn_quiz_finder_misses(f, &sim.tr, &msgs, &n), 2);
    ck_assert_str_eq(msgs[0], "t.scn:12:1: quiz answer never happens: the 50002nd time server "
                     "entered ESTABLISHED (the run has 50001 such records)");
    ck_assert_str_eq(msgs[1], "t.scn:14:1: quiz answer never happens: the 2nd SYN,ACK from server "
                     "to first (the run has 1 such record)");
    free_msgs(msgs, n);
    scn_quiz_finder_free(f);
    sim_free(&sim);
    scenario_free(s);
}
END_TEST

/* A crowd's quiz lines (each record is compared with the lines of its own
 * host and state, or source and destination): every client's lines find
 * that client's records; three lines on one record name the first; a
 * line whose Nth frame never comes says so. */
START_TEST(test_quiz_lines_of_a_crowd)
{
    enum { C = 25 };
    static char text[16384];
    size_t len = (size_t)snprintf(text, sizeof text, "host server 10.0.0.1\n"
                                  "at 0ms server listen 80\n");
    for (int i = 1; i <= C; i++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "host c%d 10.0.1.%d\nlink c%d server delay 1ms\n"
                                "at %dms c%d connect server 80\n", i, i, i, i, i);
    for (int i = C; i >= 1; i--)       /* lines in another order than the hosts */
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "quiz \"q\" answer c%d state ESTABLISHED\n"
                                "quiz \"q\" answer server->c%d tcp SYN,ACK #1 ack\n", i, i);
    len += (size_t)snprintf(text + len, sizeof text - len,
                            "quiz \"q\" answer server->c7 tcp SYN,ACK #1\n"
                            "quiz \"q\" answer server->c7 tcp SYN,ACK #1 seq\n"
                            "quiz \"q\" answer c3->server tcp SYN #2\n");
    ck_assert_uint_lt(len, sizeof text - 1);
    struct scenario *s = parse_ok(text);
    struct sim sim;
    struct scn_quiz_finder *f = run_finding(&sim, s, 0);
    for (int q = 0; q < 2 * C; q++) {
        long at = scn_quiz_finder_at(f, q);
        ck_assert_int_ge(at, 0);
        const struct trace_rec *r = &sim.tr.recs[at];
        int c = C - q / 2;              /* host index of client c<C - q / 2> */
        if (q % 2 == 0) {
            ck_assert_int_eq(r->kind, TK_STATE);
            ck_assert_int_eq(r->host, c);
            ck_assert_int_eq(r->u.state.to, TCPS_ESTABLISHED);
        } else {
            ck_assert_int_eq(r->kind, TK_SEND);
            ck_assert_int_eq(r->u.pkt.src, 0);
            ck_assert_int_eq(r->u.pkt.dst, c);
        }
    }
    char **msgs = NULL;
    int n = 0;
    ck_assert_int_eq(scn_quiz_finder_misses(f, &sim.tr, &msgs, &n), 3);
    ck_assert_int_eq(n, 3);
    /* lines: 2 of the server, 3 per client, then 2 per client from c<C>
     * down, then the last three; c7's SYN,ACK line is the one asked */
    int asked = 4 + 3 * C + 2 * (C - 7), last = 3 + 5 * C;
    char want[160];
    for (int i = 0; i < 2; i++) {
        snprintf(want, sizeof want, "t.scn:%d:1: quiz answered by the same record as the quiz "
                 "on line %d: only that one is asked", last + i, asked);
        ck_assert_str_eq(msgs[i], want);
    }
    snprintf(want, sizeof want, "t.scn:%d:1: quiz answer never happens: the 2nd SYN from c3 to "
             "server (the run has 1 such record)", last + 2);
    ck_assert_str_eq(msgs[2], want);
    free_msgs(msgs, n);
    scn_quiz_finder_free(f);
    sim_free(&sim);
    scenario_free(s);
}
END_TEST

/* Two lines answered by one record: the quiz asks the first, --check says so. */
START_TEST(test_quiz_same_record)
{
    struct scenario *s = parse_ok(LESSON
        "quiz \"Flags?\" answer server->client tcp SYN,ACK #1\n"
        "quiz \"Its ack?\" answer server->client tcp SYN,ACK #1 ack\n");
    struct sim sim;
    sim_init(&sim, s, 1);
    sim_run(&sim);
    struct scn_quiz_finder *f = scn_quiz_finder_new(s);
    for (size_t i = 0; i < sim.tr.n; i++)
        scn_quiz_finder_rec(f, &sim.tr, i, &sim.tr.recs[i]);
    char **msgs = NULL;
    int n = 0;
    ck_assert_int_eq(scn_quiz_finder_misses(f, &sim.tr, &msgs, &n), 1);
    ck_assert_str_eq(msgs[0], "t.scn:13:1: quiz answered by the same record as the quiz on "
                     "line 12: only that one is asked");
    free(msgs[0]);
    free(msgs);
    scn_quiz_finder_free(f);
    struct quiz q;
    ck_assert_int_eq(quiz_build(&q, s, &sim.tr, 1, NULL), 1);
    ck_assert_int_eq(q.same, 1);
    ck_assert_int_eq(q.missing, 0);
    ck_assert_int_eq(q.p[0].line, 12);
    ck_assert_str_eq(q.p[0].choice[q.p[0].right], "SYN,ACK");
    quiz_free(&q);
    sim_free(&sim);
    scenario_free(s);
}
END_TEST

/* ---- quiz points ----------------------------------------------------------- */

struct run { struct scenario *scn; struct sim s; struct quiz q; };

static void run_quiz(struct run *R, struct scenario *scn, uint64_t seed)
{
    R->scn = scn;
    sim_init(&R->s, scn, seed);
    sim_run(&R->s);
    quiz_build(&R->q, scn, &R->s.tr, seed, NULL);
}

static void run_free(struct run *R)
{
    quiz_free(&R->q);
    sim_free(&R->s);
    scenario_free(R->scn);
}

static int right_is(const struct quiz_point *p, const char *text)
{
    return !strcmp(p->choice[p->right], text);
}

/* Every point: the right answer once, the others different, in range. */
static void well_formed(const struct quiz *q, const struct trace *tr)
{
    for (int k = 0; k < q->n; k++) {
        const struct quiz_point *p = &q->p[k];
        ck_assert_int_ge(p->nchoices, 2);
        ck_assert_int_lt(p->right, p->nchoices);
        ck_assert_uint_lt(p->rec, tr->n);
        ck_assert_uint_gt(p->rec, 0);
        ck_assert_int_eq(p->answer, QUIZ_UNASKED);
        for (int a = 0; a < p->nchoices; a++)
            for (int b = a + 1; b < p->nchoices; b++)
                ck_assert_str_ne(p->choice[a], p->choice[b]);
        if (k)
            ck_assert_uint_gt(p->rec, q->p[k - 1].rec);
    }
}

START_TEST(test_model_points_are_the_truth)
{
    struct run R;
    run_quiz(&R, parse_ok(LESSON), 1);
    const struct trace *tr = &R.s.tr;
    ck_assert(!R.q.from_lesson);
    ck_assert_int_gt(R.q.n, 5);
    ck_assert_int_le(R.q.n, QUIZ_MODEL_MAX);
    well_formed(&R.q, tr);
    int kinds[8] = { 0 };
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        const struct trace_rec *r = &tr->recs[p->rec];
        kinds[p->kind]++;
        if (p->kind == QK_STATE) {
            ck_assert_int_eq(r->kind, TK_STATE);
            ck_assert(right_is(p, tcp_state_name(r->u.state.to)));
            int reach[TCPS_NSTATES];
            int nreach = tcp_rfc_next(r->u.state.from, reach, TCPS_NSTATES);
            for (int c = 0; c < p->nchoices; c++) {
                if (c == p->right)
                    continue;
                int st = tcp_state_parse(p->choice[c]);
                ck_assert_int_ge(st, 0);
                /* reachable from the state it is in; only where the diagram
                 * leaves one way: staying, or another way into the truth */
                ck_assert_msg(tcp_rfc_arrow(r->u.state.from, st) ||
                              (nreach < 3 && (st == (int)r->u.state.from ||
                                              tcp_rfc_arrow(st, r->u.state.to))),
                              "%s -> %s: %s is no plausible wrong state",
                              tcp_state_name(r->u.state.from),
                              tcp_state_name(r->u.state.to), p->choice[c]);
            }
        } else if (p->kind == QK_ACK || p->kind == QK_SEQ) {
            struct frame f;
            ck_assert_int_eq(r->kind, TK_SEND);
            decode_rec(tr, p->rec, &f);
            uint32_t truth = p->kind == QK_ACK ? f.tcp.ack : f.tcp.seq;
            ck_assert_uint_eq(num(p->choice[p->right]), truth);
            for (int c = 0; c < p->nchoices; c++) {
                uint32_t v = num(p->choice[c]);
                if (c == p->right)
                    continue;
                ck_assert_uint_ne(v, truth);
                /* off by one or two, or the number of a segment before:
                 * never further than the data of this lesson (5 bytes) */
                uint32_t d = v > truth ? v - truth : truth - v;
                ck_assert_msg(d <= 5, "%" PRIu32 " for %" PRIu32, v, truth);
            }
        }
    }
    ck_assert_int_gt(kinds[QK_STATE], 0);
    ck_assert_int_gt(kinds[QK_ACK], 0);
    run_free(&R);
}
END_TEST

/* A FIN's sequence number is not asked when close()'s state change, shown
 * just before it, has already said it ("our FIN (seq=1006)"). */
START_TEST(test_no_seq_question_the_narration_answered)
{
    struct run R;
    run_quiz(&R, parse_ok(LESSON), 1);
    const struct trace *tr = &R.s.tr;
    int seqs = 0;
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        struct frame f;
        if (p->kind != QK_SEQ)
            continue;
        decode_rec(tr, p->rec, &f);
        ck_assert_msg(!(f.tcp.flags & TCP_FIN), "asked the seq of a FIN at record %zu",
                      (size_t)p->rec);
        seqs++;
    }
    ck_assert_int_ge(seqs, 1);          /* the data's seq is still asked */
    run_free(&R);
}
END_TEST

/* The ACK of data: "ack = the data's seq" is among the wrong choices.
 * The lesson without its closes has fewer candidates than a quiz asks,
 * so every one is asked whatever the spread picks. */
START_TEST(test_ack_of_data_offers_the_seq)
{
    struct run R;
    run_quiz(&R, parse_ok(HOSTS "tcp isn client 1000\ntcp isn server 5000\n"
                          "at 0ms server listen 80\nat 10ms client connect server 80\n"
                          "at 100ms client send \"hello\"\nat 200ms server recv 100\n"), 1);
    const struct trace *tr = &R.s.tr;
    int found = 0;
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        struct frame f;
        if (p->kind != QK_ACK)
            continue;
        decode_rec(tr, p->rec, &f);
        if (f.tcp.ack != 1006)           /* the ACK of "hello", seq 1001 */
            continue;
        found = 1;
        int seq = 0, minus = 0, plus = 0;
        for (int c = 0; c < p->nchoices; c++) {
            seq |= num(p->choice[c]) == 1001;
            minus |= num(p->choice[c]) == 1005;
            plus |= num(p->choice[c]) == 1007;
        }
        ck_assert(seq && minus && plus);
    }
    ck_assert_msg(found, "no question about the ACK of the data");
    run_free(&R);
}
END_TEST

START_TEST(test_arp_broadcast_points)
{
    struct run R;
    run_quiz(&R, load("scenarios/arp.scn"), 1);
    const struct trace *tr = &R.s.tr;
    well_formed(&R.q, tr);
    int req = 0, rep = 0;
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        if (p->kind != QK_BCAST)
            continue;
        ck_assert_int_eq(p->nchoices, 2);
        const struct trace_rec *r = &tr->recs[p->rec];
        if (r->u.pkt.dst == HOST_BROADCAST) {
            req++;
            ck_assert(right_is(p, "every host on the LAN (broadcast)"));
        } else {
            rep++;
            ck_assert(!strncmp(p->choice[p->right], "only the host that has ", 23));
            /* the question names the reply's target field, and does not say
             * where the frame goes ("an ARP reply to 192.0.2.10" did) */
            ck_assert_msg(!strstr(p->question, " reply to "), "%s", p->question);
            ck_assert_msg(strstr(p->question, "target protocol address 192.0.2.10"), "%s",
                          p->question);
        }
    }
    ck_assert_int_gt(req, 0);
    ck_assert_int_gt(rep, 0);
    run_free(&R);
}
END_TEST

/* The first of the records shown just before record i at its instant,
 * after its host's last send: the ones a question at i must not echo. */
static size_t shown_from(const struct trace *tr, size_t i)
{
    const struct trace_rec *r = &tr->recs[i];
    size_t j = i;
    while (j > 0 && tr->recs[j - 1].t_us == r->t_us &&
           !(tr->recs[j - 1].kind == TK_SEND && tr->recs[j - 1].host == r->host))
        j--;
    return j;
}

/* An ARP request is not asked about when the state change of the same
 * entry, shown just before it at its instant, has said how it goes: "hold
 * the packet and ask the LAN who has it" (INCOMPLETE) before a broadcast,
 * "check it with requests sent by unicast to its cached MAC address"
 * (PROBE) before a probe.  The lesson's retried requests, after a timer's
 * expiry that says neither, are still asked. */
START_TEST(test_no_arp_question_the_state_change_answered)
{
    struct run R;
    run_quiz(&R, load("scenarios/arp.scn"), 1);
    const struct trace *tr = &R.s.tr;
    well_formed(&R.q, tr);
    int req = 0;
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        if (p->kind != QK_BCAST || !strstr(p->question, " asks who has "))
            continue;
        req++;
        const struct trace_rec *r = &tr->recs[p->rec];
        for (size_t j = shown_from(tr, p->rec); j < p->rec; j++) {
            const struct trace_rec *b = &tr->recs[j];
            ck_assert_msg(!(b->host == r->host && b->layer == TL_ARP && b->kind == TK_STATE),
                          "\"%s\" at %.3fs, just after the ARP entry's change said how",
                          p->question, r->t_us / 1e6);
        }
    }
    ck_assert_int_eq(req, 2);           /* requests 2 and 3 for 192.0.2.99 */
    run_free(&R);
}
END_TEST

/* A state is not asked about when a record shown just before it, at its
 * instant, names it: in stale-syn the RST's stop of the RTO says "an RST
 * sends the connection in SYN_RECEIVED back to LISTEN" before the server's
 * connection goes back to LISTEN. */
START_TEST(test_no_state_question_the_narration_answered)
{
    struct run R;
    run_quiz(&R, load("scenarios/stale-syn.scn"), 1);
    const struct trace *tr = &R.s.tr;
    well_formed(&R.q, tr);
    int states = 0;
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        if (p->kind != QK_STATE)
            continue;
        states++;
        const struct trace_rec *r = &tr->recs[p->rec];
        char why[1024], word[64];
        snprintf(word, sizeof word, " %s", p->choice[p->right]);
        for (size_t j = shown_from(tr, p->rec); j < p->rec; j++) {
            const struct trace_rec *b = &tr->recs[j];
            if (b->host != r->host || !b->why.id)
                continue;
            trace_why(tr, b, why, sizeof why);
            ck_assert_msg(!strstr(why, word), "\"%s\" at %.3fs after \"%s\"", p->question,
                          r->t_us / 1e6, why);
        }
    }
    ck_assert_int_ge(states, 5);        /* the other state changes are still asked */
    run_free(&R);
}
END_TEST

/* The DNS lesson's model quiz asks about DNS, its subject, and not only
 * about the ARP frames under it: what each server's reply holds, read from
 * the reply (a referral from root and com, the answer and NXDOMAIN from
 * example.com's server), never a reply the resolver's narration has just
 * announced; and the ARP questions do not take every place. */
START_TEST(test_dns_lesson_asks_about_dns)
{
    struct run R;
    run_quiz(&R, load("scenarios/dns-iterative.scn"), 1);
    const struct trace *tr = &R.s.tr;
    well_formed(&R.q, tr);
    int dns = 0, arp = 0, seen[4] = { 0 };
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        arp += p->kind == QK_BCAST;
        if (p->kind != QK_DNS)
            continue;
        dns++;
        const struct trace_rec *r = &tr->recs[p->rec];
        ck_assert_int_eq(r->kind, TK_SEND);
        struct frame f;
        decode_rec(tr, p->rec, &f);
        struct dns_msg *m = malloc(sizeof *m);
        char err[64];
        ck_assert_int_eq(dns_decode(f.payload, f.payload_len, m, err, sizeof err), 0);
        ck_assert(m->qr);
        const char *truth = m->rcode == DNS_RCODE_NXDOMAIN ? "NXDOMAIN: the name does not exist"
                          : m->nan ? "the answer: records for the name asked"
                          : "a referral: the servers of a zone closer to the name (NS records), no answer";
        ck_assert_msg(right_is(p, truth), "%s: right is %s", p->question, p->choice[p->right]);
        seen[m->rcode == DNS_RCODE_NXDOMAIN ? 2 : m->nan ? 1 : 0]++;
        ck_assert_int_ge(p->nchoices, 3);
        /* the resolver's replies come after its narration says what they hold */
        ck_assert_str_ne(tr->host_names[r->host], "resolver");
        free(m);
    }
    ck_assert_int_ge(dns, 4);
    ck_assert_int_gt(seen[0], 0);          /* a referral */
    ck_assert_int_gt(seen[1], 0);          /* an answer */
    ck_assert_int_gt(seen[2], 0);          /* NXDOMAIN */
    ck_assert_int_lt(arp, R.q.n);
    run_free(&R);
}
END_TEST

/* Behind a router: a question is about a host's own segment (not one the
 * router forwards), and names the host it is for, not the next hop. */
START_TEST(test_model_points_own_segments)
{
    struct run R;
    run_quiz(&R, load("scenarios/web-request.scn"), 1);
    const struct trace *tr = &R.s.tr;
    well_formed(&R.q, tr);
    int tcp = 0;
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        if (p->kind != QK_SEQ && p->kind != QK_ACK)
            continue;
        tcp++;
        struct frame f;
        decode_rec(tr, p->rec, &f);
        ck_assert_int_eq(trace_host_by_addr(tr, f.ip.src), tr->recs[p->rec].host);
        char to[64];
        snprintf(to, sizeof to, " to %s.", trace_host_name(tr, trace_host_by_addr(tr, f.ip.dst)));
        ck_assert_msg(strstr(p->question, to), "%s: not \"%s\"", p->question, to);
        ck_assert(!strstr(p->question, " to gw."));
    }
    ck_assert_int_gt(tcp, 0);
    run_free(&R);
}
END_TEST

/* The same lesson and seed give the same quiz; the right answer moves. */
START_TEST(test_choices_deterministic_and_shuffled)
{
    struct run A, B;
    run_quiz(&A, parse_ok(LESSON), 1);
    run_quiz(&B, parse_ok(LESSON), 1);
    ck_assert_int_eq(A.q.n, B.q.n);
    int pos[QUIZ_MAX_CHOICES] = { 0 };
    for (int k = 0; k < A.q.n; k++) {
        ck_assert_int_eq(A.q.p[k].nchoices, B.q.p[k].nchoices);
        ck_assert_int_eq(A.q.p[k].right, B.q.p[k].right);
        for (int c = 0; c < A.q.p[k].nchoices; c++)
            ck_assert_str_eq(A.q.p[k].choice[c], B.q.p[k].choice[c]);
        pos[A.q.p[k].right]++;
    }
    int places = 0;
    for (int c = 0; c < QUIZ_MAX_CHOICES; c++)
        places += pos[c] > 0;
    ck_assert_int_ge(places, 2);
    run_free(&A);
    run_free(&B);
}
END_TEST

/* The shipped handshake's quiz lines: asked before their records, the
 * right answers read from them, the teacher's wrong choices used. */
START_TEST(test_lesson_points)
{
    struct run R;
    run_quiz(&R, load("scenarios/handshake.scn"), 1);
    const struct trace *tr = &R.s.tr;
    ck_assert(R.q.from_lesson);
    ck_assert_int_eq(R.q.missing, 0);
    ck_assert_int_eq(R.q.n, R.scn->nquizzes);
    well_formed(&R.q, tr);
    int flags = 0;
    for (int k = 0; k < R.q.n; k++) {
        const struct quiz_point *p = &R.q.p[k];
        const struct trace_rec *r = &tr->recs[p->rec];
        ck_assert_int_eq(p->kind, QK_LESSON);
        const struct scn_quiz *qz = NULL;
        for (int i = 0; i < R.scn->nquizzes; i++)
            if (R.scn->quizzes[i].line == p->line)
                qz = &R.scn->quizzes[i];
        ck_assert_ptr_nonnull(qz);
        ck_assert_str_eq(p->question, qz->text);
        if (qz->kind == QZ_STATE) {
            ck_assert_int_eq(r->kind, TK_STATE);
            ck_assert_int_eq(r->host, qz->host);
            ck_assert(right_is(p, tcp_state_name(qz->state)));
        } else if (qz->field == QF_FLAGS) {
            flags = 1;
            ck_assert(right_is(p, "ACK"));
            ck_assert_int_eq(p->nchoices, 1 + qz->nwrong);
            for (int w = 0; w < qz->nwrong; w++) {
                int there = 0;
                for (int c = 0; c < p->nchoices; c++)
                    there |= !strcmp(p->choice[c], qz->wrong[w]);
                ck_assert(there);
            }
        } else {
            ck_assert_int_eq(qz->field, QF_ACK);
            ck_assert(right_is(p, "1001"));
        }
    }
    ck_assert(flags);
    run_free(&R);
}
END_TEST

START_TEST(test_parse_answer)
{
    struct quiz_point p;
    memset(&p, 0, sizeof p);
    char *c[] = { "ESTABLISHED", "SYN_SENT", "1001", "CLOSED" };
    for (int i = 0; i < 4; i++)
        p.choice[i] = c[i];
    p.nchoices = 4;
    ck_assert_int_eq(quiz_parse_answer(&p, "2"), 1);
    ck_assert_int_eq(quiz_parse_answer(&p, " 4 \n"), 3);
    ck_assert_int_eq(quiz_parse_answer(&p, "b"), 1);
    ck_assert_int_eq(quiz_parse_answer(&p, "D"), 3);
    ck_assert_int_eq(quiz_parse_answer(&p, "syn-sent"), 1);
    ck_assert_int_eq(quiz_parse_answer(&p, "1001"), 2);     /* no choice's number: text */
    ck_assert_int_eq(quiz_parse_answer(&p, "5"), -1);
    ck_assert_int_eq(quiz_parse_answer(&p, "e"), -1);
    ck_assert_int_eq(quiz_parse_answer(&p, "0"), -1);
    ck_assert_int_eq(quiz_parse_answer(&p, ""), -1);
    ck_assert_int_eq(quiz_parse_answer(&p, "LISTEN"), -1);
    /* numbers as choices (a `len` question): a choice's number first */
    char *d[] = { "2", "1", "0" };
    for (int i = 0; i < 3; i++)
        p.choice[i] = d[i];
    p.nchoices = 3;
    ck_assert_int_eq(quiz_parse_answer(&p, "2"), 1);
    ck_assert_int_eq(quiz_parse_answer(&p, "0"), 2);
    ck_assert_int_eq(quiz_parse_answer(&p, "c"), 2);
}
END_TEST

START_TEST(test_gate_and_score)
{
    struct run R;
    run_quiz(&R, load("scenarios/teardown.scn"), 1);
    struct quiz *q = &R.q;
    ck_assert_int_ge(q->n, 3);
    size_t r0 = q->p[0].rec, r1 = q->p[1].rec;
    ck_assert_int_eq(quiz_gate(q, 0, r0 - 1), -1);     /* not yet */
    ck_assert_int_eq(quiz_gate(q, 0, r0), 0);
    ck_assert_int_eq(quiz_gate(q, 0, R.s.tr.n - 1), 0); /* a jump stops at the first */
    q->p[0].answer = q->p[0].right;
    ck_assert_int_eq(quiz_gate(q, 0, R.s.tr.n - 1), 1);
    ck_assert_int_eq(quiz_gate(q, r1, R.s.tr.n - 1), 2);
    q->p[1].answer = (q->p[1].right + 1) % q->p[1].nchoices;
    int asked;
    ck_assert_int_eq(quiz_score(q, &asked), 1);
    ck_assert_int_eq(asked, 2);
    run_free(&R);
}
END_TEST

/* A SYN flood's model quiz asks about the lesson's hosts, not about the
 * forged crowd the timeline folds: with the crowd given, no point is one of
 * its records; without it, most would be (there are more of them). */
START_TEST(test_model_quiz_leaves_the_crowd_out)
{
    struct scenario *s = parse_ok(
        "host attacker 203.0.113.66\nhost server 192.0.2.80\nhost alice 192.0.2.10\n"
        "link attacker server delay 5ms\nlink alice server delay 10ms\n"
        "tcp syncookies server on\nat 0ms server listen 80 backlog 2\n"
        "at 0ms server accept 80\n"
        "repeat 40 as i: at {i * 100}ms inject attacker->server tcp SYN seq {i}"
        " sport {1024 + i} dport 80 spoof {198.51.100.1 + i}\n"
        "at 2s alice connect server 80\nat 3s alice send \"hello\"\n");
    struct sim sim;
    sim_init(&sim, s, 1);
    sim_run(&sim);
    struct view_index ix;
    view_index_build(&ix, &sim.tr);
    ck_assert_ptr_nonnull(ix.crowd);
    struct quiz q, all;
    quiz_build(&q, s, &sim.tr, 1, ix.crowd);
    quiz_build(&all, s, &sim.tr, 1, NULL);
    ck_assert_int_ge(q.n, 4);
    int in_crowd = 0;
    for (int k = 0; k < q.n; k++)
        ck_assert_msg(!ix.crowd[q.p[k].rec], "point %d (record %zu) is the crowd's", k,
                      q.p[k].rec);
    for (int k = 0; k < all.n; k++)
        in_crowd += ix.crowd[all.p[k].rec];
    ck_assert_int_gt(in_crowd, all.n / 2);
    quiz_free(&q);
    quiz_free(&all);
    view_index_free(&ix);
    sim_free(&sim);
    scenario_free(s);
}
END_TEST

Suite *quiz_suite(void)
{
    Suite *s = suite_create("quiz");
    TCase *tc = tcase_create("quiz");
    tcase_add_test(tc, test_arrows_are_figure_5);
    tcase_add_test(tc, test_model_follows_the_arrows);
    tcase_add_test(tc, test_parse_quiz_lines);
    tcase_add_test(tc, test_parse_quiz_errors);
    tcase_add_test(tc, test_quiz_answer_never_happens);
    tcase_add_test(tc, test_quiz_cut_is_not_reached);
    tcase_add_test(tc, test_quiz_same_record);
    tcase_add_test(tc, test_quiz_first_record_is_named);
    tcase_add_test(tc, test_quiz_lines_of_a_crowd);
    tcase_add_test(tc, test_quiz_lines_on_one_key_count_once);
    tcase_add_test(tc, test_model_points_are_the_truth);
    tcase_add_test(tc, test_no_seq_question_the_narration_answered);
    tcase_add_test(tc, test_ack_of_data_offers_the_seq);
    tcase_add_test(tc, test_arp_broadcast_points);
    tcase_add_test(tc, test_no_arp_question_the_state_change_answered);
    tcase_add_test(tc, test_no_state_question_the_narration_answered);
    tcase_add_test(tc, test_dns_lesson_asks_about_dns);
    tcase_add_test(tc, test_model_points_own_segments);
    tcase_add_test(tc, test_choices_deterministic_and_shuffled);
    tcase_add_test(tc, test_lesson_points);
    tcase_add_test(tc, test_parse_answer);
    tcase_add_test(tc, test_gate_and_score);
    tcase_add_test(tc, test_model_quiz_leaves_the_crowd_out);
    suite_add_tcase(s, tc);
    return s;
}
