/* test_synflood.c — Check suite `synflood`: SYN cookies (RFC 4987 3.6) as
 * numbers, and a listener's SYN queue and accept queue (`listen PORT
 * backlog N`) as the simulator runs them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include "testutil.h"
#include "lang.h"
#include "sim.h"
#include "simint.h"
#include "tcp.h"
#include "trace.h"
#include "suites.h"

#define MS(x) ((int64_t)(x) * 1000)
#define S(x)  ((int64_t)(x) * 1000000)

static const uint64_t KEY = 0x0123456789abcdefULL;
static const ip4_addr SRV = 0xC0000250, CLI = 0xC000020A;   /* .80, .10 */

/* ---- cookies ------------------------------------------------------------ */

START_TEST(test_cookie_valid_decodes_its_mss_and_age)
{
    uint16_t mss = 0, got = 0;
    int age = -1;
    uint32_t ck = tcp_cookie_make(KEY, S(10), SRV, 80, CLI, 40000, 1460, &mss);
    ck_assert_uint_eq(mss, 1460);
    ck_assert_uint_eq(ck >> 27, 0);                     /* period 0 */
    ck_assert_int_eq(tcp_cookie_check(KEY, S(20), SRV, 80, CLI, 40000, ck,
                                      &got, &age), COOKIE_OK);
    ck_assert_uint_eq(got, 1460);
    ck_assert_int_eq(age, 0);
    /* one period later it is still good (TCP_COOKIE_MAX_AGE) */
    ck_assert_int_eq(tcp_cookie_check(KEY, S(10) + TCP_COOKIE_PERIOD_US, SRV,
                                      80, CLI, 40000, ck, &got, &age), COOKIE_OK);
    ck_assert_int_eq(age, 1);
    /* the MSS is the largest of the 8 values not above what was wanted */
    tcp_cookie_make(KEY, 0, SRV, 80, CLI, 40000, 1000, &mss);
    ck_assert_uint_eq(mss, 536);
    tcp_cookie_make(KEY, 0, SRV, 80, CLI, 40000, 100, &mss);
    ck_assert_uint_eq(mss, 64);
}
END_TEST

START_TEST(test_cookie_wrong_four_tuple_is_forged)
{
    uint16_t mss, got;
    int age;
    uint32_t ck = tcp_cookie_make(KEY, S(1), SRV, 80, CLI, 40000, 1460, &mss);
    ck_assert_int_eq(tcp_cookie_check(KEY, S(1), SRV, 80, CLI, 40001, ck,
                                      &got, &age), COOKIE_FORGED);
    ck_assert_int_eq(tcp_cookie_check(KEY, S(1), SRV, 80, CLI + 1, 40000, ck,
                                      &got, &age), COOKIE_FORGED);
    ck_assert_int_eq(tcp_cookie_check(KEY, S(1), SRV, 81, CLI, 40000, ck,
                                      &got, &age), COOKIE_FORGED);
    ck_assert_int_eq(tcp_cookie_check(KEY, S(1), SRV + 1, 80, CLI, 40000, ck,
                                      &got, &age), COOKIE_FORGED);
}
END_TEST

START_TEST(test_cookie_stale_counter_is_refused)
{
    uint16_t mss, got;
    int age;
    uint32_t ck = tcp_cookie_make(KEY, S(1), SRV, 80, CLI, 40000, 1460, &mss);
    ck_assert_int_eq(tcp_cookie_check(KEY, S(1) + 2 * TCP_COOKIE_PERIOD_US,
                                      SRV, 80, CLI, 40000, ck, &got, &age),
                     COOKIE_STALE);
    ck_assert_int_eq(age, 2);
    /* the 5-bit counter wraps: made in period 31, checked in period 32 */
    int64_t t31 = 31 * TCP_COOKIE_PERIOD_US;
    ck = tcp_cookie_make(KEY, t31, SRV, 80, CLI, 40000, 1460, &mss);
    ck_assert_uint_eq(ck >> 27, 31);
    ck_assert_int_eq(tcp_cookie_check(KEY, t31 + TCP_COOKIE_PERIOD_US, SRV,
                                      80, CLI, 40000, ck, &got, &age), COOKIE_OK);
    ck_assert_int_eq(age, 1);
}
END_TEST

START_TEST(test_cookie_forged_bits_or_key_are_refused)
{
    uint16_t mss, got;
    int age;
    uint32_t ck = tcp_cookie_make(KEY, S(1), SRV, 80, CLI, 40000, 1460, &mss);
    for (int bit = 0; bit < 24; bit++)
        ck_assert_int_eq(tcp_cookie_check(KEY, S(1), SRV, 80, CLI, 40000,
                                          ck ^ (1u << bit), &got, &age),
                         COOKIE_FORGED);
    ck_assert_int_eq(tcp_cookie_check(KEY ^ 1, S(1), SRV, 80, CLI, 40000, ck,
                                      &got, &age), COOKIE_FORGED);
    /* a guess: of 4096 arbitrary numbers of the right period, none passes
     * (a 24-bit hash lets one in 16.7 million through) */
    int passed = 0;
    for (uint32_t g = 0; g < 4096; g++)
        passed += tcp_cookie_check(KEY, S(1), SRV, 80, CLI, 40000,
                                   (ck & 0xff000000u) | (g * 2654435761u >> 8),
                                   &got, &age) == COOKIE_OK;
    ck_assert_int_eq(passed, 0);
}
END_TEST

/* ---- the queues, in a run ------------------------------------------------ */

#define HOSTS \
    "host server 192.0.2.80\n" \
    "host attacker 203.0.113.66\n" \
    "host c1 192.0.2.11\nhost c2 192.0.2.12\nhost c3 192.0.2.13\n" \
    "link attacker server delay 5ms\n" \
    "link c1 server delay 10ms\nlink c2 server delay 10ms\nlink c3 server delay 10ms\n"

/* forged SYN number i at time T ms */
#define FORGED(T, i) "at " #T "ms inject attacker->server tcp SYN seq 1 sport " \
    #i " dport 80 spoof 198.51.100." #i "\n"

struct run {
    struct scenario *scn;
    struct sim sim;
};

/* Runs text up to end_us (0: to the end). */
static struct run *run_until(const char *text, int64_t end_us)
{
    struct run *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->scn = tu_parse(text);
    sim_init(&r->sim, r->scn, 1);
    if (end_us) {
        r->sim.end_us = end_us;
        r->sim.end_auto = 0;
    }
    sim_run(&r->sim);
    return r;
}

static void done(struct run *r)
{
    sim_free(&r->sim);
    scenario_free(r->scn);
    free(r);
}

static int H(const struct run *r, const char *name)
{
    return scenario_host_index(r->scn, name);
}

static struct sim_conn *listener(struct run *r)
{
    struct sim_conn *l = sim_listener_on(&r->sim.hosts[H(r, "server")], 80);
    ck_assert_ptr_nonnull(l);
    return l;
}

static int drops(const struct run *r, int reason)
{
    int n = 0;
    for (size_t i = 0; i < r->sim.tr.n; i++)
        n += r->sim.tr.recs[i].kind == TK_DROP &&
             r->sim.tr.recs[i].u.pkt.reason == reason;
    return n;
}

static int entered(const struct run *r, int host, int to, int why)
{
    int n = 0;
    for (size_t i = 0; i < r->sim.tr.n; i++) {
        const struct trace_rec *q = &r->sim.tr.recs[i];
        n += q->kind == TK_STATE && q->host == host && q->u.state.to == to &&
             (!why || q->why.id == why);
    }
    return n;
}

START_TEST(test_full_syn_queue_drops_the_next_syn)
{
    struct run *r = run_until(HOSTS "at 0ms server listen 80 backlog 2\n"
                              FORGED(0, 1) FORGED(10, 2) FORGED(20, 3),
                              MS(500));
    ck_assert_int_eq(listener(r)->more->syn_n, 2);
    ck_assert_int_eq(drops(r, DR_SYNQ), 1);
    ck_assert_int_eq(entered(r, H(r, "server"), TCPS_SYN_RECEIVED, 0), 2);
    done(r);
}
END_TEST

START_TEST(test_half_open_expiry_frees_a_slot)
{
    /* retries 0: a half-open child gives up at its first RTO, 1 s */
    struct run *r = run_until(HOSTS "tcp retries server 0\n"
                              "at 0ms server listen 80 backlog 1\n"
                              FORGED(0, 1) FORGED(500, 2) FORGED(1500, 3),
                              MS(1600));
    ck_assert_int_eq(drops(r, DR_SYNQ), 1);                 /* the one at 0.5 s */
    ck_assert_int_eq(entered(r, H(r, "server"), TCPS_CLOSED,
                             N_TCP_GIVE_UP_HALFOPEN), 1);
    ck_assert_int_eq(entered(r, H(r, "server"), TCPS_SYN_RECEIVED, 0), 2);
    ck_assert_int_eq(listener(r)->more->syn_n, 1);
    done(r);
}
END_TEST

START_TEST(test_accept_frees_a_slot)
{
    /* Linux's accept queue is full only when it holds more than the
     * backlog (sk_acceptq_is_full): with backlog 1, c1 and c2 both wait */
    struct run *r = run_until(HOSTS "at 0ms server listen 80 backlog 1\n"
                              "at 0ms c1 connect server 80\n"
                              "at 50ms c2 connect server 80\n"
                              "at 100ms c3 connect server 80\n"
                              "at 500ms server accept 80\n", S(3));
    /* c3's first SYN found the accept queue full (2 > 1); its
     * retransmission at 1.1 s came after accept() had taken c1 */
    ck_assert_int_eq(drops(r, DR_ACCEPTQ), 1);
    ck_assert_int_eq(scn_tcp_state_at(&r->sim.tr, H(r, "c2"), MS(100)),
                     TCPS_ESTABLISHED);
    ck_assert_int_eq(scn_tcp_state_at(&r->sim.tr, H(r, "c3"), MS(1000)),
                     TCPS_SYN_SENT);
    ck_assert_int_eq(scn_tcp_state_at(&r->sim.tr, H(r, "c3"), MS(1200)),
                     TCPS_ESTABLISHED);
    ck_assert_int_eq(listener(r)->more->acc_n, 2);          /* c2, c3 wait */
    done(r);
}
END_TEST

START_TEST(test_full_accept_queue_drops_the_completing_ack)
{
    /* backlog 1: c1 and c2 fill the accept queue (Linux takes one more
     * than the backlog) while c3 is half-open: c3's ACK is dropped, and
     * taken when the SYN,ACK comes again after accept() */
    struct run *r = run_until(HOSTS "at 0ms server listen 80 backlog 1\n"
                              "at 0ms c1 connect server 80\n"
                              "at 25ms c2 connect server 80\n"
                              "at 50ms c3 connect server 80\n"
                              "at 100ms server accept 80\n", S(2));
    const struct trace *tr = &r->sim.tr;
    ck_assert_int_eq(drops(r, DR_ACCEPTQ), 1);
    int acked_late = 0;
    for (size_t i = 0; i < tr->n; i++)
        acked_late |= tr->recs[i].kind == TK_STATE &&
                      tr->recs[i].host == H(r, "server") &&
                      tr->recs[i].u.state.to == TCPS_ESTABLISHED &&
                      tr->recs[i].t_us > S(1);
    ck_assert(acked_late);
    ck_assert_int_eq(listener(r)->more->acc_n, 2);
    ck_assert_int_eq(listener(r)->more->syn_n, 0);
    done(r);
}
END_TEST

START_TEST(test_cookie_opens_without_syn_received)
{
    struct run *r = run_until(HOSTS "tcp syncookies server on\n"
                              "at 0ms server listen 80 backlog 1\n"
                              FORGED(0, 1)
                              "at 50ms c1 connect server 80\n"
                              "at 200ms c1 send \"hi\"\n"
                              "at 300ms server accept 80\n"
                              "at 300ms server recv 10 with c1\n", S(1));
    int srv = H(r, "server");
    ck_assert_int_eq(entered(r, srv, TCPS_ESTABLISHED, N_TCP_COOKIE_EST), 1);
    ck_assert_int_eq(entered(r, srv, TCPS_SYN_RECEIVED, 0), 1);  /* the forged one */
    ck_assert_int_eq(scn_tcp_state_at(&r->sim.tr, H(r, "c1"), MS(71)),
                     TCPS_ESTABLISHED);
    ck_assert_int_eq(listener(r)->more->acc_n, 0);
    int read = 0;
    for (size_t i = 0; i < r->sim.tr.n; i++)
        read |= r->sim.tr.recs[i].kind == TK_APP &&
                r->sim.tr.recs[i].u.app.call == AC_RECV &&
                r->sim.tr.recs[i].u.app.ret == 2;
    ck_assert(read);
    done(r);
}
END_TEST

START_TEST(test_forged_cookie_ack_is_reset)
{
    struct run *r = run_until(HOSTS "tcp syncookies server on\n"
                              "at 0ms server listen 80 backlog 1\n"
                              "at 10ms inject attacker->server tcp ACK seq 5 ack 12345 "
                              "sport 999 dport 80\n", S(1));
    int rst = 0;
    for (size_t i = 0; i < r->sim.tr.n; i++)
        rst += r->sim.tr.recs[i].kind == TK_SEND &&
               r->sim.tr.recs[i].why.id == N_SEG_RST_COOKIE_FORGED;
    ck_assert_int_eq(rst, 1);
    ck_assert_int_eq(entered(r, H(r, "server"), TCPS_ESTABLISHED, 0), 0);
    done(r);
}
END_TEST

START_TEST(test_no_backlog_no_limit)
{
    /* without a backlog, as before backlogs: every SYN makes a child */
    struct run *r = run_until(HOSTS "at 0ms server listen 80\n"
                              "repeat 100 as i: at {i}ms inject attacker->server tcp SYN "
                              "seq 1 sport {1000 + i} dport 80 spoof {198.51.100.0 + i}\n",
                              S(1));
    ck_assert_int_eq(entered(r, H(r, "server"), TCPS_SYN_RECEIVED, 0), 100);
    ck_assert_int_eq(drops(r, DR_SYNQ) + drops(r, DR_ACCEPTQ), 0);
    done(r);
}
END_TEST

START_TEST(test_language_backlog_accept_spoof)
{
    struct scenario *scn = tu_parse(HOSTS "tcp syncookies server on\n"
                                    "at 0ms server listen 80 backlog 7\n"
                                    "at 0ms server accept 80\n"
                                    FORGED(1, 9));
    ck_assert_int_eq(scn->hosts[0].tcp->syncookies, 1);
    ck_assert_int_eq(scn->hosts[1].tcp->syncookies, 0);
    ck_assert_int_eq(scn->actions[0].kind, ACT_LISTEN);
    ck_assert_int_eq(scn->actions[0].more->backlog, 7);
    ck_assert_int_eq(scn->actions[1].kind, ACT_ACCEPT);
    ck_assert_int_eq(scn->actions[1].port, 80);
    ck_assert_int_eq(scn->actions[2].kind, ACT_INJECT);
    ck_assert_uint_eq(scn->actions[2].more->spoof, 0xC6336409);     /* 198.51.100.9 */
    scenario_free(scn);
}
END_TEST

/* The queues live in sim_conn_more, which only the TCBs that use them
 * get: accept() takes the children oldest first and leaves no child named
 * by the listener; a listener without a backlog and its connections have
 * none; every TCB's bytes as the budget counts them include it. */
START_TEST(test_accept_queue_oldest_first_only_queued_tcbs_have_more)
{
    struct run *r = run_until(HOSTS "at 0ms server listen 80 backlog 3\n"
                              "at 0ms server listen 81\n"
                              "at 5ms c2 connect server 80\n"
                              "at 10ms c1 connect server 80\n"
                              "at 0ms c3 connect server 81\n"
                              "at 100ms server accept 80\n"
                              "at 110ms server accept 80\n", S(1));
    const struct trace *tr = &r->sim.tr;
    const char *taken[2] = { NULL, NULL };
    int n = 0;
    for (size_t i = 0; i < tr->n; i++)
        if (tr->recs[i].kind == TK_APP && tr->recs[i].u.app.call == AC_ACCEPT &&
            tr->recs[i].u.app.ret == 0 && n < 2)
            taken[n++] = trace_str(tr, tr->recs[i].conn);
    ck_assert_int_eq(n, 2);
    ck_assert_ptr_nonnull(strstr(taken[0], "-c2:"));   /* connected first */
    ck_assert_ptr_nonnull(strstr(taken[1], "-c1:"));
    const struct sim_conn *l = listener(r);
    ck_assert_ptr_nonnull(l->more);
    ck_assert_int_eq(l->more->backlog, 3);
    ck_assert_int_eq(l->more->acc_n, 0);
    ck_assert_int_eq(l->more->syn_n, 0);
    ck_assert_ptr_null(l->more->acc_head);
    ck_assert_ptr_null(l->more->acc_tail);
    ck_assert_ptr_null(sim_listener_on(&r->sim.hosts[H(r, "server")], 81)->more);
    ck_assert_ptr_null(r->sim.hosts[H(r, "c3")].current->more);
    const struct sim_host *hp = &r->sim.hosts[H(r, "server")];
    int children = 0;
    for (size_t i = 0; i < hp->nconns; i++) {
        const struct sim_conn *sc = hp->conns[i];
        if (!sc)
            continue;                   /* a freed TCB's place */
        ck_assert_uint_eq(sc->counted, sim_conn_bytes(sc));
        if (sc->listener)
            continue;
        children++;
        ck_assert_int_eq(sc->queue, Q_NONE);
        if (sc->tcb.lport == 81)
            ck_assert_ptr_null(sc->more);
        else
            ck_assert_ptr_null(sc->more->parent);   /* accepted: let go */
    }
    ck_assert_int_eq(children, 3);
    done(r);
}
END_TEST

Suite *synflood_suite(void)
{
    Suite *s = suite_create("synflood");
    TCase *ck = tcase_create("cookie");
    tcase_add_test(ck, test_cookie_valid_decodes_its_mss_and_age);
    tcase_add_test(ck, test_cookie_wrong_four_tuple_is_forged);
    tcase_add_test(ck, test_cookie_stale_counter_is_refused);
    tcase_add_test(ck, test_cookie_forged_bits_or_key_are_refused);
    suite_add_tcase(s, ck);
    TCase *q = tcase_create("queues");
    tcase_add_test(q, test_full_syn_queue_drops_the_next_syn);
    tcase_add_test(q, test_half_open_expiry_frees_a_slot);
    tcase_add_test(q, test_accept_frees_a_slot);
    tcase_add_test(q, test_full_accept_queue_drops_the_completing_ack);
    tcase_add_test(q, test_cookie_opens_without_syn_received);
    tcase_add_test(q, test_forged_cookie_ack_is_reset);
    tcase_add_test(q, test_no_backlog_no_limit);
    tcase_add_test(q, test_language_backlog_accept_spoof);
    tcase_add_test(q, test_accept_queue_oldest_first_only_queued_tcbs_have_more);
    suite_add_tcase(s, q);
    return s;
}
