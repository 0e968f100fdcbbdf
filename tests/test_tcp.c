/* test_tcp.c — Check suite for sim/proto/tcp.c: one test per arrow of RFC 9293 Figure 5 and 3.10, behaviour tests, and two-TCB walks. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <check.h>

#include "suites.h"
#include "tcp.h"
#include "tcp_fixture.h"

/* Absolute sequence numbers, as a student reads them off the timeline. */
#define ISS FX_ISS               /* 1000: ours */
#define IRS FX_PEER_ISS          /* 5000: the peer's */
#define SEC 1000000LL
#define MS  1000LL

static struct fx F;              /* the TCB under test, fresh for each test */

static void setup(void)    { fx_init(&F); }
static void teardown(void) { fx_free(&F); }

/* Deterministic, position-dependent bytes, so a shifted or repeated byte in
 * a stream is noticed. */
static const uint8_t *pattern(size_t n)
{
    static uint8_t buf[8192];
    ck_assert_uint_le(n, sizeof buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 7 + i / 251);
    return buf;
}

/* The segment's payload, asserted. */
static void seg_data_is(const struct fx_seg *s, const void *p, size_t n)
{
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->len, n);
    if (n)
        ck_assert_mem_eq(s->data, p, n);
}

static void timer_started(struct fx *f, int name, int64_t due)
{
    const struct trace_rec *r = FX_TIMER(f, name, TA_START);
    ck_assert_msg(r != NULL, "no %s start record", timer_name_str(name));
    ck_assert_int_eq(r->u.timer.due_us, due);
}

/* The last trace record of FX_CONN of this kind since the mark. */
static const struct trace_rec *last_rec(const struct fx *f, int kind)
{
    for (size_t i = f->tr.n; i-- > f->rmark;)
        if (f->tr.recs[i].kind == kind && f->tr.recs[i].conn == FX_CONN)
            return &f->tr.recs[i];
    return NULL;
}

/* ======================================================================== */
/* Fixtures                                                                 */

START_TEST(test_fixture_builds_every_state)
{
    /* fx_make asserts each segment and the state chain on the way */
    for (int st = 0; st < TCPS_NSTATES; st++) {
        struct fx f;
        fx_init(&f);
        fx_make(&f, (enum tcp_state)st);
        FX_STATE(&f, st);
        fx_free(&f);
    }
    struct fx f;
    fx_init(&f);
    fx_make_simopen(&f);
    FX_STATE(&f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(f.c.passive, 0);
    fx_free(&f);
}
END_TEST

START_TEST(test_fixture_sequence_variables)
{
    /* the RFC 9293 3.3.1 variables each fixture promises */
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    ck_assert_uint_eq(f->c.iss, ISS);
    ck_assert_uint_eq(f->c.irs, IRS);
    ck_assert_uint_eq(f->c.snd_una, ISS + 2);      /* SYN and FIN acked */
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 2);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 2);      /* SYN and FIN received */
    ck_assert_uint_eq(f->c.fin_seq, ISS + 1);
}
END_TEST

START_TEST(test_state_names_contract)
{
    static const char *const names[TCPS_NSTATES] = {
        "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
        "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
        "TIME_WAIT",
    };
    for (int i = 0; i < TCPS_NSTATES; i++) {
        ck_assert_str_eq(tcp_state_name(i), names[i]);
        ck_assert_int_eq(tcp_state_parse(names[i]), i);
    }
    ck_assert_int_eq(tcp_state_parse("SYN-SENT"), TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_state_parse("FIN-WAIT-2"), TCPS_FIN_WAIT_2);
    ck_assert_int_eq(tcp_state_parse("ESTAB"), -1);
    ck_assert_int_eq(tcp_state_parse(""), -1);
    ck_assert_str_eq(tcp_state_name(TCPS_NSTATES), "?");
}
END_TEST

/* ======================================================================== */
/* CLOSED (RFC 9293 3.10.1)                                                 */

START_TEST(test_closed_listen)
{
    struct fx *f = &F;
    fx_make(f, TCPS_CLOSED);
    ck_assert_int_eq(tcp_listen(&f->c, f->now), 0);
    FX_STATE(f, TCPS_LISTEN);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_CLOSED, TCPS_LISTEN);
    ck_assert_int_eq(f->c.passive, 1);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_closed_syn_sent)
{
    /* "select an ISS. Send a SYN segment of the form <SEQ=ISS><CTL=SYN>,
     * set SND.UNA to ISS, SND.NXT to ISS+1, enter SYN-SENT state" */
    struct fx *f = &F;
    f->cfg.mss = 1200;
    fx_make(f, TCPS_CLOSED);
    int64_t t0 = f->now;
    ck_assert_int_eq(tcp_connect(&f->c, t0), 0);
    FX_STATE(f, TCPS_SYN_SENT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN, ISS, 0);
    ck_assert_uint_eq(fx_segat(f, 0)->h.mss, 1200);    /* our MSS option */
    ck_assert_uint_eq(fx_segat(f, 0)->h.win, 65535);
    ck_assert_uint_eq(fx_segat(f, 0)->len, 0);
    ck_assert_uint_eq(f->c.snd_una, ISS);
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 1);
    FX_STATES(f, TCPS_CLOSED, TCPS_SYN_SENT);
    timer_started(f, TM_RTO, t0 + 1 * SEC);             /* RFC 6298 2.1 */
    ck_assert_int_eq(tcp_deadline(&f->c), t0 + 1 * SEC);
}
END_TEST

/* ======================================================================== */
/* LISTEN (3.10.7.2)                                                        */

START_TEST(test_listen_syn_to_syn_received)
{
    /* "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be
     * selected and a SYN segment sent of the form
     * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to ISS+1 and
     * SND.UNA to ISS. The connection state should be changed to
     * SYN-RECEIVED." */
    struct fx *f = &F;
    f->peer_mss = 1000;
    fx_make(f, TCPS_LISTEN);
    fx_input(f, TCP_SYN, IRS, 0, NULL, 0);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->h.mss, 1460);
    FX_STATES(f, TCPS_LISTEN, TCPS_SYN_RECEIVED);
    ck_assert_uint_eq(f->c.irs, IRS);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);
    ck_assert_uint_eq(f->c.snd_una, ISS);
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 1);
    ck_assert_uint_eq(f->c.snd_mss, 1000);              /* the peer's option */
    timer_started(f, TM_RTO, f->now + 1 * SEC);
}
END_TEST

START_TEST(test_listen_spawned_child_syn_to_syn_received)
{
    /* the simulator's way: the listener stays, a child takes the SYN */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(f->listener.state, TCPS_LISTEN);
    ck_assert_int_eq(f->c.passive, 1);
    ck_assert_uint_eq(f->c.lport, FX_SPORT);
    ck_assert_uint_eq(f->c.rport, FX_CPORT);
    ck_assert_uint_eq(f->c.raddr, FX_RADDR);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);
}
END_TEST

START_TEST(test_listen_ack_sends_rst)
{
    /* "Any acknowledgment is bad if it arrives on a connection still in the
     * LISTEN state. An acceptable reset segment should be formed for any
     * arriving ACK-bearing segment. The RST should be formatted as follows:
     * <SEQ=SEG.ACK><CTL=RST>" */
    struct fx *f = &F;
    fx_make(f, TCPS_LISTEN);
    fx_input(f, TCP_ACK, IRS, 777, NULL, 0);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, 777, 0);
    FX_STATE(f, TCPS_LISTEN);

    fx_mark(f);
    fx_input(f, TCP_SYN | TCP_ACK, IRS, 4242, NULL, 0);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, 4242, 0);

    fx_mark(f);
    fx_input(f, TCP_PSH | TCP_ACK, IRS, 90000, "data", 4);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, 90000, 0);
    FX_STATE(f, TCPS_LISTEN);
    FX_NO_STATES(f);
}
END_TEST

START_TEST(test_listen_rst_ignored)
{
    /* "An incoming RST segment could not be valid since it could not have
     * been sent in response to anything sent by this incarnation of the
     * connection. An incoming RST should be ignored. Return." */
    struct fx *f = &F;
    fx_make(f, TCPS_LISTEN);
    fx_input(f, TCP_RST, IRS, 0, NULL, 0);
    fx_input(f, TCP_RST | TCP_ACK, IRS, 1234, NULL, 0);
    fx_input(f, TCP_RST | TCP_SYN, IRS, 0, NULL, 0);
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_LISTEN);
    FX_NO_STATES(f);
}
END_TEST

START_TEST(test_listen_other_dropped)
{
    /* "Any other control or text-bearing segment (not containing SYN) must
     * have an ACK and thus would have been discarded by the ACK
     * processing" — fourth, "drop the segment and return" */
    struct fx *f = &F;
    fx_make(f, TCPS_LISTEN);
    fx_input(f, TCP_FIN, IRS, 0, NULL, 0);
    fx_input(f, TCP_PSH, IRS, 0, "abc", 3);
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_LISTEN);
}
END_TEST

START_TEST(test_listen_close_to_closed)
{
    /* 3.10.4 LISTEN: "Any outstanding RECEIVEs are returned ... delete TCB,
     * enter CLOSED state, and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_LISTEN);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_LISTEN, TCPS_CLOSED);
}
END_TEST

/* ======================================================================== */
/* SYN-SENT (3.10.7.3)                                                      */

START_TEST(test_syn_sent_synack_to_established)
{
    /* "If SND.UNA > ISS (our SYN has been ACKed), change the connection
     * state to ESTABLISHED, form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT>
     * <CTL=ACK> and send it." */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    f->peer_win = 30000;
    f->peer_mss = 1000;
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    FX_STATES(f, TCPS_SYN_SENT, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_una, ISS + 1);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);
    ck_assert_uint_eq(f->c.snd_wnd, 30000);
    ck_assert_uint_eq(f->c.snd_mss, 1000);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_RTO, TA_STOP));
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_syn_sent_syn_to_syn_received)
{
    /* "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS>
     * <ACK=RCV.NXT><CTL=SYN,ACK> and send it." (simultaneous open) */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    int64_t due = tcp_deadline(&f->c);
    fx_input(f, TCP_SYN, IRS, 0, NULL, 0);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->h.mss, 1460);
    FX_STATES(f, TCPS_SYN_SENT, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(f->c.passive, 0);
    ck_assert_uint_eq(f->c.irs, IRS);
    ck_assert_uint_eq(f->c.snd_una, ISS);               /* our SYN unacked */
    ck_assert_int_eq(tcp_deadline(&f->c), due);         /* RTO still running */
}
END_TEST

START_TEST(test_syn_sent_bad_ack_sends_rst)
{
    /* "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST
     * bit is set, if so drop the segment and return) <SEQ=SEG.ACK>
     * <CTL=RST> and discard the segment. Return." */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    int64_t due = tcp_deadline(&f->c);
    static const uint32_t bad[] = { ISS, ISS - 1, ISS + 2, ISS + 100000 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fx_mark(f);
        fx_input(f, TCP_SYN | TCP_ACK, IRS, bad[i], NULL, 0);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_RST, bad[i], 0);
        FX_STATE(f, TCPS_SYN_SENT);
        fx_mark(f);
        fx_input(f, TCP_ACK, IRS, bad[i], NULL, 0);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_RST, bad[i], 0);
        /* ... unless the RST bit is set */
        fx_mark(f);
        fx_input(f, TCP_RST | TCP_ACK, IRS, bad[i], NULL, 0);
        FX_NSEGS(f, 0);
        FX_STATE(f, TCPS_SYN_SENT);
    }
    ck_assert_uint_eq(f->c.snd_una, ISS);
    ck_assert_int_eq(tcp_deadline(&f->c), due);
    ck_assert_int_eq(f->c.syn_received, 0);
}
END_TEST

START_TEST(test_syn_sent_rst_with_good_ack_to_closed)
{
    /* "If the ACK was acceptable, then signal to the user 'error:
     * connection reset', drop the segment, enter CLOSED state, delete TCB" */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_RST | TCP_ACK, 0, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_SENT, TCPS_CLOSED);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_RTO, TA_STOP));
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_syn_sent_rst_without_ack_ignored)
{
    /* "Otherwise (no ACK), drop the segment and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    int64_t due = tcp_deadline(&f->c);
    fx_input(f, TCP_RST, IRS, 0, NULL, 0);
    fx_input(f, TCP_RST, 0, 0, NULL, 0);
    FX_STATE(f, TCPS_SYN_SENT);
    FX_NSEGS(f, 0);
    FX_NO_STATES(f);
    ck_assert_int_eq(tcp_deadline(&f->c), due);
}
END_TEST

START_TEST(test_syn_sent_ack_without_syn_dropped)
{
    /* fifth: "If neither of the SYN or RST bits is set, then drop the
     * segment and return." — even with an acceptable ACK */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_ACK, IRS, ISS + 1, NULL, 0);
    fx_input(f, TCP_FIN | TCP_ACK, IRS, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_SYN_SENT);
    FX_NSEGS(f, 0);
    ck_assert_uint_eq(f->c.snd_una, ISS);
}
END_TEST

START_TEST(test_syn_sent_close_to_closed)
{
    /* 3.10.4 SYN-SENT: "Delete the TCB and return 'error: closing'
     * responses to any queued SENDs, or RECEIVEs." — nothing is sent */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_SENT, TCPS_CLOSED);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_RTO, TA_STOP));
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_syn_sent_close_names_the_queued_bytes_it_discards)
{
    /* 3.10.4 SYN-SENT: "Delete the TCB and return 'error: closing'
     * responses to any queued SENDs": bytes send() queued while the
     * handshake was under way are never sent, and the state change says
     * how many -- not "nothing to send", which only LISTEN and an empty
     * queue may say.  shutdown() is CLOSE here too. */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"hello", 5), 5);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    const struct trace_rec *st = last_rec(f, TK_STATE);
    ck_assert_uint_eq(st->why.id, N_TCP_CLOSE_SYNSENT_DATA);
    ck_assert_int_eq(st->why.a[0], 5);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    ck_assert_uint_eq(last_rec(f, TK_STATE)->why.id, N_TCP_CLOSE_SYNSENT);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"hi", 2), 2);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"!", 1), 1);
    ck_assert_int_eq(tcp_shutdown(&f->c, f->now), 0);
    FX_NSEGS(f, 0);
    st = last_rec(f, TK_STATE);
    ck_assert_uint_eq(st->why.id, N_TCP_SHUTDOWN_SYNSENT_DATA);
    ck_assert_int_eq(st->why.a[0], 3);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_shutdown(&f->c, f->now), 0);
    ck_assert_uint_eq(last_rec(f, TK_STATE)->why.id, N_TCP_SHUTDOWN_SYNSENT);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_LISTEN);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    st = last_rec(f, TK_STATE);
    ck_assert_uint_eq(st->why.id, N_TCP_CLOSE_LISTEN);
    ck_assert_int_eq(st->why.a[0], TCPS_LISTEN);
}
END_TEST

START_TEST(test_syn_sent_send_queued_until_established)
{
    /* 3.10.2 SYN-SENT: "Queue the data for transmission after entering
     * ESTABLISHED state."  3.10.7.3: the ACK of the peer's SYN "Data or
     * controls that were queued for transmission MAY be included": the
     * third segment of the handshake carries the data, with no bare ACK
     * before it. */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"hello", 5), 5);
    FX_NSEGS(f, 0);
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    seg_data_is(fx_segat(f, 0), "hello", 5);
    ck_assert_int_eq(fx_segat(f, 0)->why.id, N_SEG_DATA_ACK_SYN);
}
END_TEST

START_TEST(test_syn_sent_synack_without_queued_data_sends_a_bare_ack)
{
    /* 3.10.7.3: nothing queued: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->len, 0);
    ck_assert_int_eq(fx_segat(f, 0)->why.id, N_SEG_ACK_SYN);
}
END_TEST

/* ======================================================================== */
/* SYN-RECEIVED (3.10.7.4)                                                  */

START_TEST(test_syn_received_ack_to_established)
{
    /* "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and
     * continue processing with the variables below set to: SND.WND <-
     * SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK" */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    f->peer_win = 20000;
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_una, ISS + 1);
    ck_assert_uint_eq(f->c.snd_wnd, 20000);
    ck_assert_uint_eq(f->c.snd_wl1, IRS + 1);
    ck_assert_uint_eq(f->c.snd_wl2, ISS + 1);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_RTO, TA_STOP));
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_syn_received_ack_with_data_continues_processing)
{
    /* "... enter ESTABLISHED state and continue processing": the text of
     * the completing ACK is delivered and acknowledged */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 1, "hi", 2);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 3);
    uint8_t buf[8];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 2);
    ck_assert_mem_eq(buf, "hi", 2);
}
END_TEST

START_TEST(test_syn_received_rst_passive_to_listen)
{
    /* "If this connection was initiated with a passive OPEN (i.e., came
     * from the LISTEN state), then return this connection to LISTEN state
     * and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    fx_input(f, TCP_RST, IRS + 1, 0, NULL, 0);
    FX_STATE(f, TCPS_LISTEN);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_RECEIVED, TCPS_LISTEN);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);          /* no SYN,ACK retries */
    ck_assert_int_eq(f->listener.state, TCPS_LISTEN);
}
END_TEST

START_TEST(test_syn_received_rst_active_to_closed)
{
    /* "If this connection was initiated with an active OPEN (i.e., came
     * from SYN-SENT state), then the connection was refused; signal the
     * user 'connection refused' ... enter the CLOSED state and delete the
     * TCB, and return." */
    struct fx *f = &F;
    fx_make_simopen(f);
    fx_input(f, TCP_RST, IRS + 1, 0, NULL, 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_RECEIVED, TCPS_CLOSED);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_syn_received_syn_passive_to_listen)
{
    /* fourth: "In SYN-RECEIVED state, if the connection was initiated with
     * a passive OPEN, then return this connection to the LISTEN state and
     * return." */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    fx_input(f, TCP_SYN, IRS + 1, 0, NULL, 0);
    FX_STATE(f, TCPS_LISTEN);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_RECEIVED, TCPS_LISTEN);
}
END_TEST

START_TEST(test_syn_received_close_to_fin_wait_1)
{
    /* 3.10.4 SYN-RECEIVED: "If no SENDs have been issued and there is no
     * pending data to send, then form a FIN segment and send it, and enter
     * FIN-WAIT-1 state" (Figure 5: SYN-RCVD --CLOSE / snd FIN--> FIN-WAIT-1) */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 1);
    FX_STATES(f, TCPS_SYN_RECEIVED, TCPS_FIN_WAIT_1);

    /* the peer's ACK covers our SYN and our FIN */
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_FIN_WAIT_2);
    FX_NSEGS(f, 0);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_syn_received_close_retransmits_synack_then_fin)
{
    /* after close in SYN_RECEIVED the RTO repeats the SYN,ACK until our
     * SYN is acknowledged, and then the FIN */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    f->now = tcp_deadline(&f->c);
    fx_mark(f);
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    f->now += 20 * MS;
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);    /* SYN only */
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    f->now = tcp_deadline(&f->c);
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 1);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_FIN_WAIT_2);
}
END_TEST

START_TEST(test_syn_received_close_with_queued_data_waits)
{
    /* "... otherwise, queue for processing after entering ESTABLISHED
     * state": queued data goes first, then the FIN after it */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"early", 5), 5);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_NSEGS(f, 0);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    seg_data_is(fx_segat(f, 0), "early", 5);
    FX_SEG(f, 1, TCP_FIN | TCP_ACK, ISS + 6, IRS + 1);
    FX_STATE(f, TCPS_FIN_WAIT_1);
}
END_TEST

START_TEST(test_syn_received_bad_ack_sends_rst)
{
    /* "If the segment acknowledgment is not acceptable, form a reset
     * segment <SEQ=SEG.ACK><CTL=RST> and send it." */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 5, NULL, 0);    /* > SND.NXT */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, ISS + 5, 0);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS, NULL, 0);        /* = SND.UNA */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, ISS, 0);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    FX_NO_STATES(f);
}
END_TEST

START_TEST(test_syn_received_synack_simultaneous_open_to_established)
{
    /* RFC 9293 Figure 7 line 6: in SYN-RECEIVED after a simultaneous open,
     * the peer's SYN,ACK acknowledges our SYN: ESTABLISHED, and (as in the
     * figure) nothing more to send — our SYN,ACK already acked theirs. */
    struct fx *f = &F;
    fx_make_simopen(f);
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_una, ISS + 1);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_syn_received_rto_retransmits_synack)
{
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    int64_t due = tcp_deadline(&f->c);
    f->now = due;
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(tcp_deadline(&f->c), due + 2 * SEC);
}
END_TEST

/* ======================================================================== */
/* ESTABLISHED                                                              */

START_TEST(test_established_close_to_fin_wait_1)
{
    /* 3.10.4 ESTABLISHED: "Queue this until all preceding SENDs have been
     * segmentized, then form a FIN segment and send it. In any case, enter
     * FIN-WAIT-1 state." */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 1);
    FX_STATES(f, TCPS_ESTABLISHED, TCPS_FIN_WAIT_1);
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 2);           /* FIN takes a number */
    timer_started(f, TM_RTO, f->now + 1 * SEC);
}
END_TEST

START_TEST(test_established_close_sends_fin_after_queued_data)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_send(&f->c, f->now, pattern(100), 100), 100);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    FX_SEG(f, 1, TCP_FIN | TCP_ACK, ISS + 101, IRS + 1);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 102, NULL, 0);
    FX_STATE(f, TCPS_FIN_WAIT_2);
    ck_assert_uint_eq(f->c.sndq.len, 0);
}
END_TEST

START_TEST(test_established_fin_to_close_wait)
{
    /* eighth: "advance RCV.NXT over the FIN, and send an acknowledgment for
     * the FIN ... ESTABLISHED STATE: Enter the CLOSE-WAIT state." */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_CLOSE_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 2);
    FX_STATES(f, TCPS_ESTABLISHED, TCPS_CLOSE_WAIT);
    uint8_t buf[8];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 0); /* EOF */
}
END_TEST

START_TEST(test_established_data_and_fin_to_close_wait)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_FIN | TCP_PSH | TCP_ACK, IRS + 1, ISS + 1, "bye", 3);
    FX_STATE(f, TCPS_CLOSE_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 5);            /* 3 bytes + FIN */
    uint8_t buf[8];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 3);
    ck_assert_mem_eq(buf, "bye", 3);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 0);
}
END_TEST

START_TEST(test_established_rst_to_closed)
{
    /* RFC 9293 3.10.7.4 second (with RFC 5961 3.2): "If the RST bit is set
     * and the sequence number exactly matches the next expected sequence
     * number (RCV.NXT), then TCP endpoints MUST reset the connection" */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_RST, IRS + 1, 0, NULL, 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_ESTABLISHED, TCPS_CLOSED);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"x", 1),
                     -TCPE_RESET);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_established_rst_out_of_window_ignored_or_challenged)
{
    /* RFC 9293 3.10.7.4 first: an unacceptable segment with RST is dropped
     * silently.  Second: "If the RST bit is set and the sequence number does
     * not exactly match the next expected sequence value, yet is within the
     * current receive window, TCP endpoints MUST send an acknowledgment
     * (challenge ACK): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_RST, IRS + 100, 0, NULL, 0);         /* in window */
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);

    fx_mark(f);
    fx_input(f, TCP_RST, IRS + 1 + 65535, 0, NULL, 0);   /* just past it */
    fx_input(f, TCP_RST, IRS - 100, 0, NULL, 0);         /* old */
    fx_input(f, TCP_RST | TCP_ACK, IRS, ISS + 1, NULL, 0);
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NO_STATES(f);
}
END_TEST

START_TEST(test_established_syn_challenge_ack)
{
    /* fourth (RFC 5961 4.2): "If the SYN bit is set, irrespective of the
     * sequence number, TCP endpoints MUST send a 'challenge ACK' to the
     * remote peer: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" and drop it */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_SYN, IRS + 50, 0, NULL, 0);          /* in window */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    fx_mark(f);
    f->now += TCP_OOW_ACK_GAP_US;          /* past RFC 5961 7's throttle */
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, NULL, 0); /* an old one */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    fx_mark(f);
    f->now += TCP_OOW_ACK_GAP_US;
    fx_input(f, TCP_SYN, 123456789, 0, NULL, 0);         /* far away */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    FX_STATE(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);
}
END_TEST

START_TEST(test_established_ack_of_unsent_data_acked_and_dropped)
{
    /* fifth: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT),
     * then send an ACK, drop the segment, and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 500, "data", 4);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    ck_assert_uint_eq(f->c.snd_una, ISS + 1);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);            /* text dropped */
    FX_STATE(f, TCPS_ESTABLISHED);
}
END_TEST

START_TEST(test_rfc5961_5_2_ack_below_max_window_acked_and_dropped)
{
    /* RFC 5961 5.2: acceptable is (SND.UNA - MAX.SND.WND) =< SEG.ACK =<
     * SND.NXT; anything older "MUST be discarded and an ACK sent back". */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    uint32_t maxw = f->c.max_snd_wnd;
    ck_assert_uint_gt(maxw, 0);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 1 - maxw - 1, "data", 4);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_ACK_TOOOLD);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);            /* text dropped */
    /* an old ACK within MAX.SND.WND is a duplicate: its text is taken
     * (RFC 9293 3.10.7.4 fifth: "it can be ignored") */
    fx_mark(f);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 1 - maxw, "data", 4);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 5);
    FX_STATE(f, TCPS_ESTABLISHED);
}
END_TEST

/* ======================================================================== */
/* FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT          */

START_TEST(test_fin_wait_1_ack_to_fin_wait_2)
{
    /* "In addition to the processing for the ESTABLISHED state, if the FIN
     * segment is now acknowledged, then enter FIN-WAIT-2" */
    struct fx *f = &F;
    fx_make(f, TCPS_FIN_WAIT_1);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);    /* acks nothing new */
    FX_STATE(f, TCPS_FIN_WAIT_1);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_FIN_WAIT_2);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_FIN_WAIT_1, TCPS_FIN_WAIT_2);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_RTO, TA_STOP));
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_fin_wait_1_fin_to_closing)
{
    /* eighth, FIN-WAIT-1: "If our FIN has been ACKed (perhaps in this
     * segment), then enter TIME-WAIT ...; otherwise, enter the CLOSING
     * state." */
    struct fx *f = &F;
    fx_make(f, TCPS_FIN_WAIT_1);
    int64_t due = tcp_deadline(&f->c);
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_CLOSING);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 2);
    FX_STATES(f, TCPS_FIN_WAIT_1, TCPS_CLOSING);
    ck_assert_int_eq(tcp_deadline(&f->c), due);   /* our FIN still unacked */
}
END_TEST

START_TEST(test_fin_wait_1_finack_to_time_wait)
{
    /* A FIN that also acknowledges ours: RFC 9293 3.10.7.4, eighth step,
     * FIN-WAIT-1: "If our FIN has been ACKed (perhaps in this segment),
     * then enter TIME-WAIT".  The trace shows that one arrow, not a
     * FIN_WAIT_2 for no time in between. */
    struct fx *f = &F;
    fx_make(f, TCPS_FIN_WAIT_1);
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 2);
    FX_STATES(f, TCPS_FIN_WAIT_1, TCPS_TIME_WAIT);
    timer_started(f, TM_TIME_WAIT, f->now + 2 * f->cfg.msl_us);
    ck_assert_int_eq(tcp_deadline(&f->c), f->now + 2 * f->cfg.msl_us);
}
END_TEST

START_TEST(test_fin_wait_1_rto_retransmits_fin)
{
    struct fx *f = &F;
    fx_make(f, TCPS_FIN_WAIT_1);
    f->now = tcp_deadline(&f->c);
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 1);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 2);           /* not a new FIN */
}
END_TEST

/* CLOSE in SYN-RECEIVED (RFC 9293 3.10.4) sends the FIN and enters
 * FIN-WAIT-1 before the ACK of our SYN has come, so the SYN-RECEIVED step
 * of 3.10.7.4 fifth, which sets "SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ,
 * SND.WL2 <- SEG.ACK", never runs.  The first ACK of our SYN, in
 * FIN-WAIT-1, sets them instead.  The peer's ISN lies more than 2^31 after
 * 0, so a SND.WL1 left at 0 would fail the window-update test: the window
 * would stay zero and the lost FIN would go again as a probe that never
 * gives up, not as retransmission #1. */
START_TEST(test_close_in_syn_received_first_ack_sets_the_window)
{
    struct fx *f = &F;
    f->peer_iss = 3000000000u;
    fx_make(f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, f->peer_iss + 1);
    fx_mark(f);
    /* the peer's FIN acknowledges our SYN, not our FIN (it was lost) */
    f->now += 20 * MS;
    fx_input(f, TCP_FIN | TCP_ACK, f->peer_iss + 1, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_CLOSING);
    ck_assert_uint_eq(f->c.snd_wnd, 65535);
    ck_assert_uint_eq(f->c.snd_wl1, f->peer_iss + 1);
    ck_assert_uint_eq(f->c.snd_wl2, ISS + 1);
    fx_mark(f);
    f->now = tcp_deadline(&f->c);
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, f->peer_iss + 2);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_RETRANSMIT);
    ck_assert_int_eq(f->c.retrans_count, 1);
}
END_TEST

START_TEST(test_fin_wait_2_fin_to_time_wait)
{
    /* eighth, FIN-WAIT-2: "Enter the TIME-WAIT state. Start the time-wait
     * timer, turn off the other timers." */
    struct fx *f = &F;
    f->cfg.msl_us = 5 * SEC;
    fx_make(f, TCPS_FIN_WAIT_2);
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 2);
    FX_STATES(f, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT);
    timer_started(f, TM_TIME_WAIT, f->now + 10 * SEC);
    ck_assert_int_eq(tcp_deadline(&f->c), f->now + 10 * SEC);
}
END_TEST

START_TEST(test_fin_wait_2_half_close_still_receives)
{
    /* shutdown() closes our direction only: in FIN-WAIT-2 "the user's
     * CLOSE can be acknowledged" but segment text is still processed */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_shutdown(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 1);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_FIN_WAIT_2);
    fx_mark(f);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 2, "late data", 9);
    FX_STATE(f, TCPS_FIN_WAIT_2);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 10);
    uint8_t buf[16];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 9);
    ck_assert_mem_eq(buf, "late data", 9);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"x", 1),
                     -TCPE_CLOSING);
    fx_mark(f);
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 10, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 11);
}
END_TEST

START_TEST(test_close_wait_close_to_last_ack)
{
    /* 3.10.4 CLOSE-WAIT: "Queue this request until all preceding SENDs
     * have been segmentized; then send a FIN segment, enter LAST-ACK
     * state." */
    struct fx *f = &F;
    fx_make(f, TCPS_CLOSE_WAIT);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_LAST_ACK);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 2);
    FX_STATES(f, TCPS_CLOSE_WAIT, TCPS_LAST_ACK);
    timer_started(f, TM_RTO, f->now + 1 * SEC);
}
END_TEST

START_TEST(test_close_wait_can_still_send)
{
    /* 3.10.2 CLOSE-WAIT: "Segmentize the buffer and send it." */
    struct fx *f = &F;
    fx_make(f, TCPS_CLOSE_WAIT);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"reply", 5), 5);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 2);
    seg_data_is(fx_segat(f, 0), "reply", 5);
}
END_TEST

START_TEST(test_last_ack_ack_to_closed)
{
    /* fifth, LAST-ACK: "If our FIN is now acknowledged, delete the TCB,
     * enter the CLOSED state, and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_LAST_ACK);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 1, NULL, 0);    /* not our FIN yet */
    FX_STATE(f, TCPS_LAST_ACK);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_LAST_ACK, TCPS_CLOSED);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_closing_ack_to_time_wait)
{
    /* fifth, CLOSING: "if the ACK acknowledges our FIN, then enter the
     * TIME-WAIT state; otherwise, ignore the segment." */
    struct fx *f = &F;
    fx_make(f, TCPS_CLOSING);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_CLOSING, TCPS_TIME_WAIT);
    timer_started(f, TM_TIME_WAIT, f->now + 2 * f->cfg.msl_us);
    ck_assert_int_eq(tcp_deadline(&f->c), f->now + 2 * f->cfg.msl_us);
}
END_TEST

START_TEST(test_time_wait_timeout_to_closed)
{
    /* 3.10.8: "If the time-wait timeout expires on a connection, delete the
     * TCB, enter the CLOSED state, and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    int64_t entered = f->now - FX_STEP_US;       /* the fixture's last step */
    int64_t due = tcp_deadline(&f->c);
    ck_assert_int_eq(due, entered + 2 * f->cfg.msl_us);
    f->now = due - 1;
    tcp_timer(&f->c, f->now);
    FX_STATE(f, TCPS_TIME_WAIT);
    f->now = due;
    tcp_timer(&f->c, f->now);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_TIME_WAIT, TCPS_CLOSED);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_TIME_WAIT, TA_EXPIRE));
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
    ck_assert_int_eq(f->tr.recs[f->tr.n - 1].t_us, due);
}
END_TEST

START_TEST(test_time_wait_retransmitted_fin_reacked_and_2msl_restarted)
{
    /* eighth, TIME-WAIT: "Remain in the TIME-WAIT state. Restart the 2 MSL
     * time-wait timeout." (and it is acknowledged) */
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    int64_t old_due = tcp_deadline(&f->c);
    f->now += 10 * SEC;
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 2);
    FX_NO_STATES(f);
    int64_t new_due = f->now + 2 * f->cfg.msl_us;
    timer_started(f, TM_TIME_WAIT, new_due);
    ck_assert_int_eq(tcp_deadline(&f->c), new_due);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 2);
    f->now = old_due;
    tcp_timer(&f->c, f->now);
    FX_STATE(f, TCPS_TIME_WAIT);                  /* the old due is gone */
    f->now = new_due;
    tcp_timer(&f->c, f->now);
    FX_STATE(f, TCPS_CLOSED);
}
END_TEST

/* The segment text RFC 9293 3.10.7.4 (seventh) ignores after the peer's
 * FIN: nothing delivered, RCV.NXT unchanged, no segment in reply, and one
 * record saying so with the bytes' count and numbers and the state. */
static void text_ignored(struct fx *f, uint32_t rcv_nxt, int id, uint32_t n,
                         uint32_t first, int state)
{
    ck_assert_uint_eq(f->c.rcv_nxt, rcv_nxt);
    ck_assert_uint_eq(f->c.rcvq.len, 0);
    FX_NSEGS(f, 0);
    ck_assert_uint_eq(f->ndiscard, 1);
    ck_assert_int_eq(f->discard[0].id, id);
    ck_assert_int_eq(f->discard[0].a[0], n);
    ck_assert_int_eq(f->discard[0].a[1], first);
    ck_assert_int_eq(f->discard[0].a[2], first + n - 1);
    ck_assert_int_eq(f->discard[0].a[3], state);
}

START_TEST(test_text_after_fin_is_ignored_and_recorded)
{
    /* seventh: "CLOSE-WAIT STATE, CLOSING STATE, LAST-ACK STATE, TIME-WAIT
     * STATE: This should not occur since a FIN has been received from the
     * remote side.  Ignore the segment text."  Each state, with data at
     * RCV.NXT and with data beyond it; the ACK field still counts. */
    struct fx *f = &F;
    static const int states[] = { TCPS_CLOSE_WAIT, TCPS_CLOSING,
                                  TCPS_LAST_ACK, TCPS_TIME_WAIT };
    for (size_t i = 0; i < 4; i++) {
        for (uint32_t beyond = 0; beyond < 2; beyond++) {
            fx_make(f, states[i]);
            uint32_t nxt = f->c.rcv_nxt, seq = nxt + 10 * beyond;
            /* SND.UNA: not an ACK of our FIN, so the state stays */
            fx_input(f, TCP_ACK, seq, f->c.snd_una, "late", 4);
            FX_STATE(f, states[i]);
            text_ignored(f, nxt, N_SEG_TEXT_AFTER_FIN, 4, seq, states[i]);
            tcp_destroy(&f->c);
        }
    }
    /* LAST-ACK: an ACK of our FIN with text closes the connection (fifth),
     * and its text is still named as ignored */
    fx_make(f, TCPS_LAST_ACK);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 2, "late", 4);
    FX_STATE(f, TCPS_CLOSED);
    text_ignored(f, IRS + 2, N_SEG_TEXT_AFTER_FIN, 4, IRS + 2, TCPS_LAST_ACK);
    tcp_destroy(&f->c);
    /* CLOSING: the same ACK takes it to TIME-WAIT */
    fx_make(f, TCPS_CLOSING);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 2, "late", 4);
    FX_STATE(f, TCPS_TIME_WAIT);
    text_ignored(f, IRS + 2, N_SEG_TEXT_AFTER_FIN, 4, IRS + 2, TCPS_CLOSING);
    tcp_destroy(&f->c);
    /* bytes before RCV.NXT are old: only those from RCV.NXT on are named
     * (IRS+1 is the peer's FIN's own number) */
    fx_make(f, TCPS_CLOSE_WAIT);
    fx_input(f, TCP_ACK, IRS, ISS + 1, "late", 4);
    text_ignored(f, IRS + 2, N_SEG_TEXT_AFTER_FIN, 2, IRS + 2, TCPS_CLOSE_WAIT);
}
END_TEST

START_TEST(test_fin_behind_ignored_text_is_not_taken)
{
    /* Text and a FIN after the peer's FIN: the text is ignored (seventh),
     * so the FIN, whose number is SEG.SEQ+SEG.LEN, is not at RCV.NXT and
     * not in sequence.  Taking it at SEG.SEQ advanced RCV.NXT over the
     * first ignored byte and acknowledged it ("ACK of the peer's FIN"). */
    struct fx *f = &F;
    static const int states[] = { TCPS_CLOSE_WAIT, TCPS_TIME_WAIT };
    for (size_t i = 0; i < 2; i++) {
        fx_make(f, states[i]);
        int64_t due = tcp_deadline(&f->c);
        fx_input(f, TCP_FIN | TCP_ACK, IRS + 2, f->c.snd_nxt, "late", 4);
        FX_STATE(f, states[i]);
        text_ignored(f, IRS + 2, N_SEG_TEXT_AFTER_FIN_FIN, 4, IRS + 2, states[i]);
        ck_assert_int_eq(tcp_deadline(&f->c), due);
        tcp_destroy(&f->c);
    }
}
END_TEST

START_TEST(test_fin_behind_old_text_after_fin_is_taken_as_alone)
{
    /* CLOSE-WAIT (RCV.NXT IRS+2): old text IRS..IRS+1 and a FIN at IRS+2
     * = RCV.NXT.  The text is trimmed as old; the FIN is in sequence and
     * the eighth step takes it ("Remain in the CLOSE-WAIT state", an ACK
     * for it), as it takes the same FIN without the text.  It was dropped
     * silently: the old text was counted as length 0, which put the FIN
     * before RCV.NXT. */
    struct fx *f = &F;
    for (int with_text = 0; with_text < 2; with_text++) {
        fx_free(f);
        fx_init(f);
        fx_make(f, TCPS_CLOSE_WAIT);
        if (with_text)
            fx_input(f, TCP_FIN | TCP_ACK, IRS, ISS + 1, "ab", 2);
        else
            fx_input(f, TCP_FIN | TCP_ACK, IRS + 2, ISS + 1, NULL, 0);
        FX_STATE(f, TCPS_CLOSE_WAIT);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 3);
        ck_assert_uint_eq(f->ndiscard, 0);
        ck_assert_uint_eq(f->c.rcvq.len, 0);
    }
}
END_TEST

START_TEST(test_time_wait_fin_in_sequence_restarts_2msl)
{
    /* eighth, TIME-WAIT: "Remain in the TIME-WAIT state.  Restart the 2 MSL
     * time-wait timeout." -- also for a FIN at RCV.NXT, which passes the
     * sequence test (the resent one below RCV.NXT is the test above) */
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    f->now += 10 * SEC;
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 2, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 3);
    FX_NO_STATES(f);
    timer_started(f, TM_TIME_WAIT, f->now + 2 * f->cfg.msl_us);
    ck_assert_int_eq(tcp_deadline(&f->c), f->now + 2 * f->cfg.msl_us);
}
END_TEST

/* ---- the SEGMENT ARRIVES matrix (RFC 9293 3.10.7) ---------------------
 *
 * One row per (state x kind of arriving segment) an outside tester tries
 * with the RFC open: the segment in reply (flags, seq, ack exactly, or
 * none), the state after, and the rule named when it is dropped with no
 * reply.  Numbers are relative to the TCB as the segment finds it: R is
 * RCV.NXT, NXT is SND.NXT, UNA is SND.UNA. */
enum { SQ_R, SQ_IRS };                          /* SEG.SEQ from */
enum { AK_NONE, AK_NXT, AK_UNA, AK_FAR, AK_OLD, AK_ISS };   /* SEG.ACK */
enum { RS_NXT, RS_SEGACK, RS_ZERO };            /* reply seq */
enum { RA_NONE, RA_R, RA_R1, RA_R4 };           /* reply ack */
#define SIMOPEN (-2)                            /* SYN_RECEIVED, active */
#define SAME    (-1)

struct cell {
    int state;
    uint8_t flags;
    int seqk; int32_t off; int ackk; size_t len;
    uint8_t rflags;                             /* 0: no reply */
    int rseq, rack;
    int after;
    int drop;                                   /* discard id, 0: none */
};

#define SYNC_ROWS(st, rst_to)                                                 \
    { st, TCP_RST, SQ_R, 0, AK_NONE, 0, 0, 0, 0, rst_to, 0 },                 \
    { st, TCP_RST, SQ_R, 100, AK_NONE, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },   \
    { st, TCP_RST, SQ_R, 100000, AK_NONE, 0, 0, 0, 0, SAME,                   \
      N_SEG_DISCARD_RST_WINDOW },                                             \
    { st, TCP_RST | TCP_ACK, SQ_R, 0, AK_FAR, 0, 0, 0, 0, rst_to, 0 },        \
    { st, TCP_ACK, SQ_R, 0, AK_FAR, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },      \
    { st, TCP_ACK, SQ_R, 0, AK_OLD, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },      \
    { st, TCP_ACK, SQ_R, -50, AK_NXT, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },    \
    { st, TCP_ACK, SQ_R, 100000, AK_NXT, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 }, \
    { st, TCP_ACK, SQ_R, -4, AK_NXT, 4, TCP_ACK, RS_NXT, RA_R, SAME, 0 },     \
    { st, TCP_PSH, SQ_R, 0, AK_NONE, 4, 0, 0, 0, SAME, N_SEG_DISCARD_NOACK }, \
    { st, TCP_FIN, SQ_R, 0, AK_NONE, 0, 0, 0, 0, SAME, N_SEG_DISCARD_NOACK }, \
    { st, TCP_ACK, SQ_R, 0, AK_FAR, 4, TCP_ACK, RS_NXT, RA_R, SAME, 0 }

/* a SYN in a synchronized state (not TIME-WAIT, whose SYNs the host
 * hands to tcp_time_wait_syn first): a challenge ACK, in the window or
 * not (RFC 5961 4; out of it the first check answers the same) */
#define SYN_ROWS(st)                                                          \
    { st, TCP_SYN, SQ_R, 0, AK_NONE, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },     \
    { st, TCP_SYN, SQ_R, 100000, AK_NONE, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },\
    { st, TCP_SYN | TCP_ACK, SQ_R, 0, AK_NXT, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 }

static const struct cell matrix[] = {
    /* 3.10.7.2 LISTEN: an RST is ignored, an ACK gets <SEQ=SEG.ACK><RST>,
     * anything without SYN is dropped */
    { TCPS_LISTEN, TCP_RST, SQ_IRS, 0, AK_NONE, 0, 0, 0, 0, SAME,
      N_SEG_DISCARD_LISTEN_RST },
    { TCPS_LISTEN, TCP_RST | TCP_ACK, SQ_IRS, 0, AK_FAR, 0, 0, 0, 0, SAME,
      N_SEG_DISCARD_LISTEN_RST },
    { TCPS_LISTEN, TCP_ACK, SQ_IRS, 0, AK_FAR, 0, TCP_RST, RS_SEGACK, RA_NONE, SAME, 0 },
    { TCPS_LISTEN, TCP_FIN | TCP_ACK, SQ_IRS, 0, AK_FAR, 4, TCP_RST, RS_SEGACK,
      RA_NONE, SAME, 0 },
    { TCPS_LISTEN, TCP_PSH, SQ_IRS, 0, AK_NONE, 4, 0, 0, 0, SAME,
      N_SEG_DISCARD_LISTEN_OTHER },
    { TCPS_LISTEN, TCP_FIN, SQ_IRS, 0, AK_NONE, 0, 0, 0, 0, SAME,
      N_SEG_DISCARD_LISTEN_OTHER },
    /* 3.10.7.3 SYN-SENT: an ACK outside ISS < SEG.ACK =< SND.NXT gets
     * <SEQ=SEG.ACK><RST> (dropped if it is an RST); an RST counts only
     * with an acceptable ACK; neither SYN nor RST: dropped */
    { TCPS_SYN_SENT, TCP_ACK, SQ_IRS, 0, AK_ISS, 0, TCP_RST, RS_SEGACK, RA_NONE, SAME, 0 },
    { TCPS_SYN_SENT, TCP_ACK, SQ_IRS, 0, AK_FAR, 4, TCP_RST, RS_SEGACK, RA_NONE, SAME, 0 },
    { TCPS_SYN_SENT, TCP_SYN | TCP_ACK, SQ_IRS, 0, AK_FAR, 0, TCP_RST, RS_SEGACK,
      RA_NONE, SAME, 0 },
    { TCPS_SYN_SENT, TCP_RST | TCP_ACK, SQ_IRS, 0, AK_FAR, 0, 0, 0, 0, SAME,
      N_SEG_DISCARD_SYNSENT_BADACK },
    { TCPS_SYN_SENT, TCP_RST, SQ_IRS, 0, AK_NONE, 0, 0, 0, 0, SAME,
      N_SEG_DISCARD_SYNSENT_RST },
    { TCPS_SYN_SENT, TCP_RST | TCP_ACK, SQ_IRS, 0, AK_NXT, 0, 0, 0, 0, TCPS_CLOSED, 0 },
    { TCPS_SYN_SENT, TCP_ACK, SQ_IRS, 0, AK_NXT, 0, 0, 0, 0, SAME,
      N_SEG_DISCARD_SYNSENT_OTHER },
    { TCPS_SYN_SENT, TCP_FIN | TCP_ACK, SQ_IRS, 0, AK_NXT, 4, 0, 0, 0, SAME,
      N_SEG_DISCARD_SYNSENT_OTHER },
    { TCPS_SYN_SENT, TCP_SYN, SQ_IRS, 0, AK_NONE, 0, TCP_SYN | TCP_ACK, RS_ZERO,
      RA_R1, TCPS_SYN_RECEIVED, 0 },
    /* 3.10.7.4 SYN-RECEIVED after a passive OPEN: an RST at RCV.NXT or a
     * SYN goes back to LISTEN; an unacceptable ACK gets <SEQ=SEG.ACK><RST> */
    { TCPS_SYN_RECEIVED, TCP_RST, SQ_R, 0, AK_NONE, 0, 0, 0, 0, TCPS_LISTEN, 0 },
    { TCPS_SYN_RECEIVED, TCP_RST, SQ_R, 100, AK_NONE, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },
    { TCPS_SYN_RECEIVED, TCP_RST, SQ_R, 100000, AK_NONE, 0, 0, 0, 0, SAME,
      N_SEG_DISCARD_RST_WINDOW },
    { TCPS_SYN_RECEIVED, TCP_SYN, SQ_R, 0, AK_NONE, 0, 0, 0, 0, TCPS_LISTEN, 0 },
    { TCPS_SYN_RECEIVED, TCP_SYN, SQ_R, 100000, AK_NONE, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },
    { TCPS_SYN_RECEIVED, TCP_ACK, SQ_R, 0, AK_FAR, 0, TCP_RST, RS_SEGACK, RA_NONE, SAME, 0 },
    { TCPS_SYN_RECEIVED, TCP_ACK, SQ_R, 0, AK_UNA, 0, TCP_RST, RS_SEGACK, RA_NONE, SAME, 0 },
    { TCPS_SYN_RECEIVED, TCP_ACK, SQ_R, 0, AK_OLD, 0, TCP_RST, RS_SEGACK, RA_NONE, SAME, 0 },
    { TCPS_SYN_RECEIVED, TCP_ACK, SQ_R, 0, AK_NXT, 0, 0, 0, 0, TCPS_ESTABLISHED, 0 },
    { TCPS_SYN_RECEIVED, TCP_ACK, SQ_R, 0, AK_NXT, 4, TCP_ACK, RS_NXT, RA_R4,
      TCPS_ESTABLISHED, 0 },
    { TCPS_SYN_RECEIVED, TCP_FIN | TCP_ACK, SQ_R, 0, AK_NXT, 0, TCP_ACK, RS_NXT, RA_R1,
      TCPS_CLOSE_WAIT, 0 },
    { TCPS_SYN_RECEIVED, TCP_PSH, SQ_R, 0, AK_NONE, 4, 0, 0, 0, SAME,
      N_SEG_DISCARD_NOACK },
    /* ... after an active OPEN (simultaneous open): an RST means refused,
     * a SYN is answered as in the synchronized states */
    { SIMOPEN, TCP_RST, SQ_R, 0, AK_NONE, 0, 0, 0, 0, TCPS_CLOSED, 0 },
    { SIMOPEN, TCP_RST, SQ_R, 100, AK_NONE, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },
    { SIMOPEN, TCP_SYN, SQ_R, 0, AK_NONE, 0, TCP_ACK, RS_NXT, RA_R, SAME, 0 },
    { SIMOPEN, TCP_ACK, SQ_R, 0, AK_FAR, 0, TCP_RST, RS_SEGACK, RA_NONE, SAME, 0 },
    { SIMOPEN, TCP_ACK, SQ_R, 0, AK_NXT, 0, 0, 0, 0, TCPS_ESTABLISHED, 0 },
    /* the synchronized states */
    SYNC_ROWS(TCPS_ESTABLISHED, TCPS_CLOSED), SYN_ROWS(TCPS_ESTABLISHED),
    SYNC_ROWS(TCPS_FIN_WAIT_1, TCPS_CLOSED), SYN_ROWS(TCPS_FIN_WAIT_1),
    SYNC_ROWS(TCPS_FIN_WAIT_2, TCPS_CLOSED), SYN_ROWS(TCPS_FIN_WAIT_2),
    SYNC_ROWS(TCPS_CLOSE_WAIT, TCPS_CLOSED), SYN_ROWS(TCPS_CLOSE_WAIT),
    SYNC_ROWS(TCPS_CLOSING, TCPS_CLOSED), SYN_ROWS(TCPS_CLOSING),
    SYNC_ROWS(TCPS_LAST_ACK, TCPS_CLOSED), SYN_ROWS(TCPS_LAST_ACK),
    SYNC_ROWS(TCPS_TIME_WAIT, TCPS_CLOSED),
    /* text and FIN: taken in ESTABLISHED; after close() (the fixture's
     * FIN-WAIT states) data gets <SEQ=SND.NXT><RST> (RFC 1122 4.2.2.13);
     * the FIN's arrows of the eighth step; the ACK arrows of the fifth */
    { TCPS_ESTABLISHED, TCP_ACK, SQ_R, 0, AK_NXT, 4, TCP_ACK, RS_NXT, RA_R4, SAME, 0 },
    { TCPS_ESTABLISHED, TCP_FIN | TCP_ACK, SQ_R, 0, AK_NXT, 0, TCP_ACK, RS_NXT, RA_R1,
      TCPS_CLOSE_WAIT, 0 },
    { TCPS_FIN_WAIT_1, TCP_ACK, SQ_R, 0, AK_NXT, 0, 0, 0, 0, TCPS_FIN_WAIT_2, 0 },
    { TCPS_FIN_WAIT_1, TCP_FIN | TCP_ACK, SQ_R, 0, AK_UNA, 0, TCP_ACK, RS_NXT, RA_R1,
      TCPS_CLOSING, 0 },
    { TCPS_FIN_WAIT_1, TCP_FIN | TCP_ACK, SQ_R, 0, AK_NXT, 0, TCP_ACK, RS_NXT, RA_R1,
      TCPS_TIME_WAIT, 0 },
    { TCPS_FIN_WAIT_1, TCP_ACK, SQ_R, 0, AK_UNA, 4, TCP_RST, RS_NXT, RA_NONE,
      TCPS_CLOSED, 0 },
    { TCPS_FIN_WAIT_2, TCP_ACK, SQ_R, 0, AK_NXT, 4, TCP_RST, RS_NXT, RA_NONE,
      TCPS_CLOSED, 0 },
    { TCPS_FIN_WAIT_2, TCP_FIN | TCP_ACK, SQ_R, 0, AK_NXT, 0, TCP_ACK, RS_NXT, RA_R1,
      TCPS_TIME_WAIT, 0 },
    { TCPS_CLOSING, TCP_ACK, SQ_R, 0, AK_NXT, 0, 0, 0, 0, TCPS_TIME_WAIT, 0 },
    { TCPS_CLOSING, TCP_ACK, SQ_R, 0, AK_UNA, 0, 0, 0, 0, SAME, 0 },
    { TCPS_LAST_ACK, TCP_ACK, SQ_R, 0, AK_NXT, 0, 0, 0, 0, TCPS_CLOSED, 0 },
    { TCPS_LAST_ACK, TCP_ACK, SQ_R, 0, AK_UNA, 0, 0, 0, 0, SAME, 0 },
    { TCPS_TIME_WAIT, TCP_ACK, SQ_R, 0, AK_NXT, 0, 0, 0, 0, SAME, 0 },
    { TCPS_CLOSE_WAIT, TCP_ACK, SQ_R, 0, AK_NXT, 0, 0, 0, 0, SAME, 0 },
};

static const char *cell_name(const struct cell *k, char *buf, size_t n)
{
    char fl[40];
    static const char *const ak[] = { "-", "NXT", "UNA", "NXT+100", "UNA-200000", "ISS" };
    snprintf(buf, n, "%s: %s seq %s%+d ack %s len %zu",
             k->state == SIMOPEN ? "SYN_RECEIVED (active)" : tcp_state_name(k->state),
             tcp_flags_str(k->flags, fl, sizeof fl), k->seqk == SQ_R ? "RCV.NXT" : "IRS",
             (int)k->off, ak[k->ackk], k->len);
    return buf;
}

START_TEST(test_segment_arrives_matrix)
{
    struct fx *f = &F;
    char name[160];
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        const struct cell *k = &matrix[i];
        fx_free(f);
        fx_init(f);
        if (k->state == SIMOPEN)
            fx_make_simopen(f);
        else
            fx_make(f, (enum tcp_state)k->state);
        int before = f->c.state;
        uint32_t r = f->c.rcv_nxt, nxt = f->c.snd_nxt, una = f->c.snd_una;
        uint32_t seq = (k->seqk == SQ_R ? r : IRS) + (uint32_t)k->off;
        uint32_t ack = k->ackk == AK_NXT ? nxt : k->ackk == AK_UNA ? una
                     : k->ackk == AK_FAR ? nxt + 100 : k->ackk == AK_OLD ? una - 200000
                     : k->ackk == AK_ISS ? ISS : 0;
        fx_input(f, k->flags, seq, ack, k->len ? "abcd" : NULL, k->len);
        cell_name(k, name, sizeof name);
        int want_state = k->after == SAME ? before : k->after;
        ck_assert_msg((int)f->c.state == want_state, "%s: state %s, want %s", name,
                      tcp_state_name(f->c.state), tcp_state_name(want_state));
        if (!k->rflags) {
            ck_assert_msg(fx_nsegs(f) == 0, "%s: sent %s, want nothing", name, fx_dump(f));
        } else {
            ck_assert_msg(fx_nsegs(f) == 1, "%s: sent %s, want one segment", name,
                          fx_dump(f));
            const struct fx_seg *g = fx_segat(f, 0);
            uint32_t wseq = k->rseq == RS_NXT ? nxt : k->rseq == RS_SEGACK ? ack
                          : k->state == TCPS_SYN_SENT ? ISS : 0;
            uint32_t wack = k->rack == RA_R ? r : k->rack == RA_R1
                          ? (k->state == TCPS_SYN_SENT ? IRS + 1 : r + 1)
                          : k->rack == RA_R4 ? r + 4 : 0;
            ck_assert_msg(g->h.flags == k->rflags && g->h.seq == wseq &&
                          (!(k->rflags & TCP_ACK) || g->h.ack == wack) && g->len == 0,
                          "%s: sent %s, want flags %#x seq %u ack %u", name, fx_dump(f),
                          k->rflags, wseq, wack);
        }
        ck_assert_msg(f->ndiscard == (k->drop ? 1u : 0u) &&
                      (!k->drop || f->discard[0].id == k->drop),
                      "%s: %zu drop records (first %d), want %s %d", name, f->ndiscard,
                      f->ndiscard ? f->discard[0].id : 0, k->drop ? "one," : "none", k->drop);
    }
}
END_TEST

START_TEST(test_closed_reset_matrix)
{
    /* 3.10.7.1 CLOSED: an RST is discarded; ACK off: <SEQ=0><ACK=SEG.SEQ+
     * SEG.LEN><CTL=RST,ACK> (SYN and FIN count in SEG.LEN); ACK on:
     * <SEQ=SEG.ACK><CTL=RST> */
    struct tcp_hdr in = { .sport = 40000, .dport = 81, .seq = 1001, .ack = 5001 }, out;
    in.flags = TCP_RST;
    ck_assert_int_eq(tcp_reset_for(&in, 0, &out), -1);
    in.flags = TCP_RST | TCP_ACK;
    ck_assert_int_eq(tcp_reset_for(&in, 0, &out), -1);
    static const struct { uint8_t fl; size_t len; uint8_t rfl; uint32_t seq, ack; } t[] = {
        { TCP_SYN, 0, TCP_RST | TCP_ACK, 0, 1002 },
        { TCP_PSH, 4, TCP_RST | TCP_ACK, 0, 1005 },
        { TCP_FIN, 4, TCP_RST | TCP_ACK, 0, 1006 },
        { 0, 0, TCP_RST | TCP_ACK, 0, 1001 },
        { TCP_ACK, 0, TCP_RST, 5001, 0 },
        { TCP_ACK | TCP_FIN, 4, TCP_RST, 5001, 0 },
        { TCP_SYN | TCP_ACK, 0, TCP_RST, 5001, 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        in.flags = t[i].fl;
        ck_assert_int_eq(tcp_reset_for(&in, t[i].len, &out), 0);
        ck_assert_uint_eq(out.flags, t[i].rfl);
        ck_assert_uint_eq(out.seq, t[i].seq);
        ck_assert_uint_eq(out.ack, t[i].ack);
        ck_assert_uint_eq(out.sport, 81);
        ck_assert_uint_eq(out.dport, 40000);
    }
}
END_TEST

START_TEST(test_syn_text_is_not_kept_and_says_so)
{
    /* Simplification (tcp.c): text on a SYN is not kept, where RFC 9293
     * 3.10.7.2 queues it and 3.10.7.3 goes on to the sixth step.  It must
     * not vanish silently: RCV.NXT stays SEG.SEQ+1, and a drop record
     * names the bytes. */
    struct fx *f = &F;
    /* LISTEN: the SYN,ACK acknowledges the SYN only */
    fx_make(f, TCPS_LISTEN);
    fx_input(f, TCP_SYN, IRS, 0, "abcd", 4);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    ck_assert_uint_eq(f->c.rcvq.len, 0);
    ck_assert_uint_eq(f->ndiscard, 1);
    ck_assert_int_eq(f->discard[0].id, N_SEG_SYN_TEXT_IGNORED);
    ck_assert_int_eq(f->discard[0].a[0], 4);
    ck_assert_int_eq(f->discard[0].a[1], IRS + 1);
    ck_assert_int_eq(f->discard[0].a[2], IRS + 4);
    fx_free(f);
    fx_init(f);
    /* SYN-SENT: a SYN,ACK with text; the third segment acks the SYN only */
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, "abc", 3);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    ck_assert_uint_eq(f->c.rcvq.len, 0);
    ck_assert_uint_eq(f->ndiscard, 1);
    ck_assert_int_eq(f->discard[0].id, N_SEG_SYN_TEXT_IGNORED);
    ck_assert_int_eq(f->discard[0].a[0], 3);
    fx_free(f);
    fx_init(f);
    /* SYN-SENT: a SYN alone with text (simultaneous open) */
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_SYN, IRS, 0, "ab", 2);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    ck_assert_uint_eq(f->ndiscard, 1);
    ck_assert_int_eq(f->discard[0].a[0], 2);
    fx_free(f);
    fx_init(f);
    /* a FIN on the SYN: not taken either (no CLOSE_WAIT, ACK IRS+1) */
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_SYN | TCP_ACK | TCP_FIN, IRS, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    ck_assert_uint_eq(f->ndiscard, 1);
    ck_assert_int_eq(f->discard[0].id, N_SEG_SYN_FIN_IGNORED);
    ck_assert_int_eq(f->discard[0].a[0], IRS + 1);
    fx_free(f);
    fx_init(f);
    fx_make(f, TCPS_LISTEN);
    fx_input(f, TCP_SYN | TCP_FIN, IRS, 0, "abcd", 4);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    ck_assert_uint_eq(f->ndiscard, 1);
    ck_assert_int_eq(f->discard[0].id, N_SEG_SYN_TEXT_FIN_IGNORED);
    ck_assert_int_eq(f->discard[0].a[0], 4);
    ck_assert_int_eq(f->discard[0].a[3], IRS + 5);
}
END_TEST

START_TEST(test_time_wait_rst_to_closed)
{
    /* second, CLOSING/LAST-ACK/TIME-WAIT: "If the RST bit is set, then
     * enter the CLOSED state, delete the TCB, and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    fx_input(f, TCP_RST, IRS + 2, 0, NULL, 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_TIME_WAIT, TA_STOP));
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

/* ======================================================================== */
/* ABORT (3.10.5) and tcp_reset_for (3.10.7.1)                              */

START_TEST(test_abort_established_sends_rst)
{
    /* "Send a reset segment: <SEQ=SND.NXT><CTL=RST> ... delete the TCB,
     * enter CLOSED state" — SND.NXT, past the unacknowledged data */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_send(&f->c, f->now, pattern(100), 100), 100);
    fx_mark(f);
    ck_assert_int_eq(tcp_abort(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, ISS + 101, 0);
    ck_assert_uint_eq(fx_segat(f, 0)->len, 0);
    FX_STATES(f, TCPS_ESTABLISHED, TCPS_CLOSED);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_abort_listen_sends_nothing)
{
    struct fx *f = &F;
    fx_make(f, TCPS_LISTEN);
    ck_assert_int_eq(tcp_abort(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
}
END_TEST

START_TEST(test_abort_syn_sent_sends_nothing)
{
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_abort(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_abort_time_wait_sends_nothing)
{
    /* "CLOSING STATE, LAST-ACK STATE, TIME-WAIT STATE: Respond with 'ok'
     * and delete the TCB, enter CLOSED state, and return." */
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    ck_assert_int_eq(tcp_abort(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

static struct tcp_hdr mkhdr(uint8_t flags, uint32_t seq, uint32_t ack)
{
    struct tcp_hdr h;
    memset(&h, 0, sizeof h);
    h.sport = 49152;
    h.dport = 81;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.win = 65535;
    return h;
}

START_TEST(test_reset_for_segment_without_ack)
{
    /* "If the ACK bit is off, sequence number zero is used,
     * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>" — SYN and FIN count */
    struct tcp_hdr in, out;
    in = mkhdr(TCP_SYN, 5000, 0);
    ck_assert_int_eq(tcp_reset_for(&in, 0, &out), 0);
    ck_assert_uint_eq(out.flags, TCP_RST | TCP_ACK);
    ck_assert_uint_eq(out.seq, 0);
    ck_assert_uint_eq(out.ack, 5001);
    ck_assert_uint_eq(out.sport, 81);
    ck_assert_uint_eq(out.dport, 49152);

    in = mkhdr(TCP_FIN, 7000, 0);
    ck_assert_int_eq(tcp_reset_for(&in, 10, &out), 0);
    ck_assert_uint_eq(out.ack, 7011);

    in = mkhdr(TCP_SYN | TCP_FIN, 0xFFFFFFFEu, 0);
    ck_assert_int_eq(tcp_reset_for(&in, 3, &out), 0);
    ck_assert_uint_eq(out.ack, 3);                    /* wraps */

    in = mkhdr(TCP_PSH, 100, 0);
    ck_assert_int_eq(tcp_reset_for(&in, 20, &out), 0);
    ck_assert_uint_eq(out.seq, 0);
    ck_assert_uint_eq(out.ack, 120);
    ck_assert_uint_eq(out.flags, TCP_RST | TCP_ACK);
}
END_TEST

START_TEST(test_reset_for_segment_with_ack)
{
    /* "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>" */
    struct tcp_hdr in = mkhdr(TCP_ACK, 5000, 777), out;
    ck_assert_int_eq(tcp_reset_for(&in, 0, &out), 0);
    ck_assert_uint_eq(out.flags, TCP_RST);
    ck_assert_uint_eq(out.seq, 777);
    ck_assert_uint_eq(out.ack, 0);
    ck_assert_uint_eq(out.sport, 81);
    ck_assert_uint_eq(out.dport, 49152);

    in = mkhdr(TCP_SYN | TCP_ACK, 5000, 1001);
    ck_assert_int_eq(tcp_reset_for(&in, 0, &out), 0);
    ck_assert_uint_eq(out.flags, TCP_RST);
    ck_assert_uint_eq(out.seq, 1001);

    in = mkhdr(TCP_FIN | TCP_PSH | TCP_ACK, 5000, 0xDEADBEEFu);
    ck_assert_int_eq(tcp_reset_for(&in, 50, &out), 0);
    ck_assert_uint_eq(out.seq, 0xDEADBEEFu);
}
END_TEST

START_TEST(test_reset_for_rst_gets_nothing)
{
    /* "If the state is CLOSED ... An incoming segment containing a RST is
     * discarded." */
    struct tcp_hdr in = mkhdr(TCP_RST, 5000, 0), out;
    ck_assert_int_eq(tcp_reset_for(&in, 0, &out), -1);
    in = mkhdr(TCP_RST | TCP_ACK, 5000, 1001);
    ck_assert_int_eq(tcp_reset_for(&in, 0, &out), -1);
}
END_TEST

/* ======================================================================== */
/* Retransmission (RFC 6298 as simplified in tcp.c)                         */

START_TEST(test_rto_backoff_syn_then_give_up)
{
    /* RTO 1 s doubling (RFC 6298 5.5): SYN at 0, again at 1, 3, 7, 15, 31 s
     * with the same sequence number, and after cfg.retries (5)
     * retransmissions the connection is given up at 63 s. */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    int64_t t0 = f->log.v[0].t_us;
    static const int64_t at[] = { 1, 3, 7, 15, 31 };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        int64_t due = t0 + at[k] * SEC;
        ck_assert_int_eq(tcp_deadline(&f->c), due);
        fx_mark(f);
        tcp_timer(&f->c, due - 1);                 /* not yet */
        FX_NSEGS(f, 0);
        f->now = due;
        tcp_timer(&f->c, f->now);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_SYN, ISS, 0);
        ck_assert_uint_eq(fx_segat(f, 0)->h.mss, 1460);
        FX_STATE(f, TCPS_SYN_SENT);
    }
    ck_assert_int_eq(tcp_deadline(&f->c), t0 + 63 * SEC);
    fx_mark(f);
    f->now = t0 + 63 * SEC;
    tcp_timer(&f->c, f->now);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_SYN_SENT, TCPS_CLOSED);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
    ck_assert_uint_eq(fx_timer_count(&f->tr, FX_CONN, 0, TM_RTO, TA_EXPIRE), 6);
}
END_TEST

START_TEST(test_rto_backoff_capped_at_rto_max)
{
    struct fx *f = &F;
    f->cfg.rto_max_us = 4 * SEC;
    f->cfg.retries = 6;
    fx_make(f, TCPS_SYN_SENT);
    int64_t t0 = f->log.v[0].t_us;
    /* intervals 1, 2, 4, 4, 4, 4 s: the doubling stops at rto_max */
    static const int64_t at[] = { 1, 3, 7, 11, 15, 19 };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        ck_assert_int_eq(tcp_deadline(&f->c), t0 + at[k] * SEC);
        f->now = t0 + at[k] * SEC;
        fx_mark(f);
        tcp_timer(&f->c, f->now);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_SYN, ISS, 0);
    }
    ck_assert_int_eq(tcp_deadline(&f->c), t0 + 23 * SEC);
    f->now = t0 + 23 * SEC;
    tcp_timer(&f->c, f->now);
    FX_STATE(f, TCPS_CLOSED);
}
END_TEST

/* RFC 6298 2.5: the ceiling is at least 60 s; an initial RTO above it
 * (tcp rto 10m) is its own ceiling: backing off keeps 10 minutes, it
 * never shortens the wait to the default ceiling. */
START_TEST(test_rto_longer_than_the_ceiling_is_its_own_ceiling)
{
    struct fx *f = &F;
    f->cfg.rto_us = 600 * SEC;
    f->cfg.retries = 3;
    fx_make(f, TCPS_SYN_SENT);
    int64_t t0 = f->log.v[0].t_us;
    for (int k = 1; k <= 3; k++) {
        ck_assert_int_eq(tcp_deadline(&f->c), t0 + k * 600 * SEC);
        f->now = t0 + k * 600 * SEC;
        fx_mark(f);
        tcp_timer(&f->c, f->now);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_SYN, ISS, 0);
    }
    ck_assert_int_eq(tcp_deadline(&f->c), t0 + 4 * 600 * SEC);
}
END_TEST

START_TEST(test_rto_data_retransmitted_and_reset_on_ack)
{
    /* RFC 6298 5.4: retransmit the earliest unacknowledged segment;
     * tcp.c returns the RTO to its initial value on new acknowledgment */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(100);
    ck_assert_int_eq(tcp_send(&f->c, f->now, d, 100), 100);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    int64_t due = f->now + 1 * SEC;
    ck_assert_int_eq(tcp_deadline(&f->c), due);
    f->now = due;
    fx_mark(f);
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    seg_data_is(fx_segat(f, 0), pattern(100), 100);
    ck_assert_int_eq(tcp_deadline(&f->c), due + 2 * SEC);
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 101);

    f->now += 20 * MS;
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 101, NULL, 0);
    FX_NSEGS(f, 0);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
    ck_assert_uint_eq(f->c.sndq.len, 0);
    f->now += 20 * MS;
    ck_assert_int_eq(tcp_send(&f->c, f->now, d, 10), 10);
    ck_assert_int_eq(tcp_deadline(&f->c), f->now + 1 * SEC);
}
END_TEST

START_TEST(test_rto_data_gives_up_to_closed)
{
    struct fx *f = &F;
    f->cfg.retries = 2;
    fx_make(f, TCPS_ESTABLISHED);
    int64_t t0 = f->now;
    ck_assert_int_eq(tcp_send(&f->c, t0, pattern(10), 10), 10);
    static const int64_t at[] = { 1, 3 };
    for (size_t k = 0; k < 2; k++) {
        f->now = t0 + at[k] * SEC;
        ck_assert_int_eq(tcp_deadline(&f->c), f->now);
        fx_mark(f);
        tcp_timer(&f->c, f->now);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    }
    f->now = t0 + 7 * SEC;
    ck_assert_int_eq(tcp_deadline(&f->c), f->now);
    fx_mark(f);
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_STATES(f, TCPS_ESTABLISHED, TCPS_CLOSED);
}
END_TEST

/* ======================================================================== */
/* Sending: MSS, Nagle, windows                                             */

START_TEST(test_send_segments_by_peer_mss)
{
    /* RFC 9293 3.7.1: segments no larger than the peer's MSS; PSH on the
     * last segment of the write */
    struct fx *f = &F;
    f->peer_mss = 1000;
    fx_make(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(4000);
    ck_assert_int_eq(tcp_send(&f->c, f->now, d, 4000), 4000);
    FX_NSEGS(f, 4);
    for (size_t i = 0; i < 4; i++) {
        FX_SEG(f, i, TCP_ACK | (i == 3 ? TCP_PSH : 0), ISS + 1 + 1000 * i,
               IRS + 1);
        seg_data_is(fx_segat(f, i), d + 1000 * i, 1000);
    }
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 4001);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2001, NULL, 0);
    ck_assert_uint_eq(f->c.snd_una, ISS + 2001);
    ck_assert_uint_eq(f->c.sndq.len, 2000);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 4001, NULL, 0);
    FX_NSEGS(f, 0);
    ck_assert_uint_eq(f->c.sndq.len, 0);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_send_mss_is_ours_when_smaller)
{
    /* "no larger than we could receive either" and 536 without an option */
    struct fx *f = &F;
    f->peer_mss = 0;
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_mss, 536);
    struct fx g;
    fx_init(&g);
    g.cfg.mss = 800;
    g.peer_mss = 1460;
    fx_make(&g, TCPS_ESTABLISHED);
    ck_assert_uint_eq(g.c.snd_mss, 800);
    fx_free(&g);
}
END_TEST

START_TEST(test_nagle_on_holds_small_writes_while_unacked)
{
    /* RFC 9293 3.7.4: with data unacknowledged, a short segment waits */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    tcp_send(&f->c, f->now, (const uint8_t *)"a", 1);
    FX_NSEGS(f, 1);                                /* nothing in flight: goes */
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    fx_mark(f);
    tcp_send(&f->c, f->now, (const uint8_t *)"b", 1);
    tcp_send(&f->c, f->now, (const uint8_t *)"c", 1);
    FX_NSEGS(f, 0);                                /* held */
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_NSEGS(f, 1);                                /* coalesced */
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 2, IRS + 1);
    seg_data_is(fx_segat(f, 0), "bc", 2);
}
END_TEST

START_TEST(test_nagle_off_sends_small_writes_at_once)
{
    struct fx *f = &F;
    f->cfg.nagle = 0;
    fx_make(f, TCPS_ESTABLISHED);
    tcp_send(&f->c, f->now, (const uint8_t *)"a", 1);
    tcp_send(&f->c, f->now, (const uint8_t *)"b", 1);
    tcp_send(&f->c, f->now, (const uint8_t *)"c", 1);
    FX_NSEGS(f, 3);
    for (size_t i = 0; i < 3; i++) {
        FX_SEG(f, i, TCP_PSH | TCP_ACK, ISS + 1 + i, IRS + 1);
        seg_data_is(fx_segat(f, i), &"abc"[i], 1);
    }
}
END_TEST

START_TEST(test_nagle_holds_short_tail_of_large_write)
{
    struct fx *f = &F;
    f->peer_mss = 1000;
    fx_make(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(2500);
    tcp_send(&f->c, f->now, d, 2500);
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    FX_SEG(f, 1, TCP_ACK, ISS + 1001, IRS + 1);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2001, NULL, 0);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 2001, IRS + 1);
    seg_data_is(fx_segat(f, 0), d + 2000, 500);
}
END_TEST

START_TEST(test_send_limited_by_peer_window)
{
    /* RFC 9293 3.8.6: send no more than SND.UNA + SND.WND allows */
    struct fx *f = &F;
    f->cfg.nagle = 0;              /* the window alone decides here */
    f->peer_win = 1500;
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_wnd, 1500);
    tcp_send(&f->c, f->now, pattern(3000), 3000);
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->len, 1460);
    FX_SEG(f, 1, TCP_ACK, ISS + 1461, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 1)->len, 40);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1501, NULL, 0); /* window slides */
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_ACK, ISS + 1501, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->len, 1460);
    ck_assert_uint_eq(fx_segat(f, 1)->h.seq, ISS + 2961);
    ck_assert_uint_eq(fx_segat(f, 1)->len, 40);
}
END_TEST

START_TEST(test_zero_window_persist_probe)
{
    /* RFC 9293 3.8.6.1: "The sending TCP must be prepared to accept from
     * the user and send at least one octet of new data even if the send
     * window is zero", the interval between probes SHOULD grow
     * exponentially (SHLD-30), and "As long as the receiving TCP peer
     * continues to send acknowledgments in response to the probe segments,
     * the sending TCP peer MUST allow the connection to stay open"
     * (MUST-36).  The probes are the persist timer's: no retransmission
     * timer runs for them, and no "no acknowledgement" sentence is said. */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    f->peer_win = 0;
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    ck_assert_uint_eq(f->c.snd_wnd, 0);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"0123456789", 10), 10);
    FX_NSEGS(f, 0);
    int64_t due = f->now + 1 * SEC;
    timer_started(f, TM_PERSIST, due);
    ck_assert_int_eq(tcp_deadline(&f->c), due);

    f->now = due;
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    seg_data_is(fx_segat(f, 0), "0", 1);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_PERSIST, TA_EXPIRE));
    ck_assert_int_eq(f->c.rto_due, 0);
    timer_started(f, TM_PERSIST, f->now + 2 * SEC);

    /* the peer refuses each probe with an ACK: the probe goes again on
     * the persist timer, whose interval doubles up to the ceiling, and
     * the connection never gives up, far past `retries` probes */
    int64_t wait = 2 * SEC;
    for (int k = 0; k < 3 * f->cfg.retries; k++) {
        f->now += 10 * MS;
        fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);   /* refused */
        ck_assert_int_eq(f->c.rto_due, 0);
        ck_assert_int_eq(tcp_deadline(&f->c), tcp_persist_due(&f->c));
        f->now = tcp_deadline(&f->c);
        fx_mark(f);
        tcp_timer(&f->c, f->now);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
        ck_assert_uint_eq(fx_segat(f, 0)->len, 1);
        ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_PROBE_AGAIN);
        FX_STATE(f, TCPS_ESTABLISHED);
        ck_assert_ptr_null(FX_TIMER(f, TM_RTO, TA_EXPIRE));
        ck_assert_ptr_null(FX_TIMER(f, TM_RTO, TA_START));
        wait = 2 * wait < f->cfg.rto_max_us ? 2 * wait : f->cfg.rto_max_us;
        timer_started(f, TM_PERSIST, f->now + wait);
    }
    ck_assert_int_eq(wait, f->cfg.rto_max_us);
    /* the window opens and takes the probe byte: the rest follows */
    f->peer_win = 65535;
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 2, IRS + 1);
    seg_data_is(fx_segat(f, 0), "123456789", 9);
    ck_assert_ptr_nonnull(FX_TIMER(f, TM_PERSIST, TA_STOP));
    ck_assert_int_eq(f->c.persist_shift, 0);
}
END_TEST

/* RFC 9293 3.8.6.1 MUST-36 keeps the connection open only while the
 * probes are acknowledged: `retries` probes in a row with no answer at all
 * give the connection up, and the sentences name that count. */
START_TEST(test_rfc9293_3_8_6_1_unanswered_probes_give_up)
{
    struct fx *f = &F;
    f->cfg.retries = 3;
    fx_make(f, TCPS_ESTABLISHED);
    f->peer_win = 0;
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"abc", 3), 3);
    for (int k = 0; k < 3; k++) {
        f->now = tcp_deadline(&f->c);
        fx_mark(f);
        tcp_timer(&f->c, f->now);
        FX_NSEGS(f, 1);
        FX_STATE(f, TCPS_ESTABLISHED);
        ck_assert_int_eq(f->c.probes, k + 1);
    }
    f->now = tcp_deadline(&f->c);
    fx_mark(f);
    tcp_timer(&f->c, f->now);
    FX_NSEGS(f, 0);
    FX_STATES(f, TCPS_ESTABLISHED, TCPS_CLOSED);
    const struct trace_rec *e = FX_TIMER(f, TM_PERSIST, TA_EXPIRE);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->why.id, N_TMR_PERSIST_EXPIRE_LAST);
    ck_assert_int_eq(e->why.a[0], 3);
    const struct trace_rec *st = last_rec(f, TK_STATE);
    ck_assert_int_eq(st->why.id, N_TCP_GIVE_UP_PROBES);
    ck_assert_int_eq(st->why.a[0], 3);
    ck_assert_int_eq(tcp_refusal(&f->c, AC_SEND, 1), -TCPE_TIMEOUT);

    /* one answer in between starts the count again */
    struct fx *g = &F;
    fx_free(g);
    fx_init(g);
    g->cfg.retries = 2;
    fx_make(g, TCPS_ESTABLISHED);
    g->peer_win = 0;
    fx_input(g, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    tcp_send(&g->c, g->now, (const uint8_t *)"abc", 3);
    for (int k = 0; k < 6; k++) {
        g->now = tcp_deadline(&g->c);
        tcp_timer(&g->c, g->now);
        if (k % 2)
            fx_input(g, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    }
    ck_assert_int_eq(g->c.state, TCPS_ESTABLISHED);
}
END_TEST

/* RFC 9293 3.8.6.1: the probe is the last byte and close() is pending, so
 * the FIN follows it at once.  A window update the peer sent before the
 * probe arrived opens the window with SND.UNA still at the probe byte:
 * the sender goes back to SND.UNA, and the FIN behind the byte goes again
 * with it.  The peer's ACK of both then acknowledges what was sent (3.10.7.4
 * fifth), not "something not yet sent". */
START_TEST(test_rfc9293_3_8_6_1_probe_taken_back_with_its_fin)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    f->peer_win = 0;
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"Z", 1), 1);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    f->now = tcp_deadline(&f->c);
    fx_mark(f);
    tcp_timer(&f->c, f->now);                       /* persist: probe, FIN */
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    seg_data_is(fx_segat(f, 0), "Z", 1);
    FX_SEG(f, 1, TCP_FIN | TCP_ACK, ISS + 2, IRS + 1);

    f->peer_win = 2;                                /* the crossing update */
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, ISS + 1, IRS + 1);
    seg_data_is(fx_segat(f, 0), "Z", 1);
    FX_SEG(f, 1, TCP_FIN | TCP_ACK, ISS + 2, IRS + 1);
    ck_assert_uint_eq(f->c.snd_nxt, ISS + 3);

    fx_mark(f);                                     /* the peer took both */
    fx_input(f, TCP_ACK, IRS + 1, ISS + 3, NULL, 0);
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_FIN_WAIT_2);
}
END_TEST

/* ======================================================================== */
/* Receiving                                                                */

START_TEST(test_recv_is_a_byte_stream)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 1, "hello", 5);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 6, ISS + 1, " world", 6);
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 6);
    FX_SEG(f, 1, TCP_ACK, ISS + 1, IRS + 12);
    char buf[64];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, (uint8_t *)buf, sizeof buf), 11);
    ck_assert_mem_eq(buf, "hello world", 11);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 12, ISS + 1, "abcdef", 6);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, (uint8_t *)buf, 3), 3);
    ck_assert_mem_eq(buf, "abc", 3);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, (uint8_t *)buf, sizeof buf), 3);
    ck_assert_mem_eq(buf, "def", 3);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, (uint8_t *)buf, sizeof buf), 0);
}
END_TEST

START_TEST(test_recv_window_shrinks_and_update_after_read)
{
    /* the window offered is the free receive buffer; a read that opens
     * it by the threshold (min(buffer/2, Eff.snd.MSS), RFC 9293 3.8.6.2.2:
     * "RCV.BUFF - RCV.USER - RCV.WND >= min(Fr * RCV.BUFF, Eff.snd.MSS)")
     * past the window last advertised sends a window update */
    struct fx *f = &F;
    f->cfg.rcvbuf = 4000;
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->log.v[0].h.win, 4000);       /* our SYN */
    ck_assert_uint_eq(f->log.v[1].h.win, 4000);       /* our ACK */
    const uint8_t *d = pattern(3500);
    static const uint32_t sizes[] = { 1000, 1000, 1000, 500 };
    static const uint16_t wins[] = { 3000, 2000, 1000, 500 };
    uint32_t seq = IRS + 1;
    for (size_t i = 0; i < 4; i++) {
        fx_mark(f);
        fx_input(f, TCP_ACK, seq, ISS + 1, d + (seq - IRS - 1), sizes[i]);
        seq += sizes[i];
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_ACK, ISS + 1, seq);
        ck_assert_uint_eq(fx_segat(f, 0)->h.win, wins[i]);
    }
    uint8_t buf[4000];
    fx_mark(f);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, 100), 100);
    FX_NSEGS(f, 0);                      /* 600 free: below the threshold */
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf + 100, 1000), 1000);
    FX_NSEGS(f, 0);                      /* 1600 free: 1100 more than 500 */
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf + 1100, 400), 400);
    FX_NSEGS(f, 1);                      /* 2000: 1500 more, >= 1460 */
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 3501);
    ck_assert_uint_eq(fx_segat(f, 0)->h.win, 2000);
    ck_assert_mem_eq(buf, d, 1500);
}
END_TEST

START_TEST(test_recv_zero_window_refuses_then_reopens)
{
    /* "If the RCV.WND is zero, no segments will be acceptable" — they are
     * answered with an ACK; reading reopens the window with an update */
    struct fx *f = &F;
    f->cfg.rcvbuf = 4000;
    fx_make(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(4000);
    for (uint32_t off = 0; off < 4000; off += 1000)
        fx_input(f, TCP_ACK, IRS + 1 + off, ISS + 1, d + off, 1000);
    FX_NSEGS(f, 4);
    FX_SEG(f, 3, TCP_ACK, ISS + 1, IRS + 4001);
    ck_assert_uint_eq(fx_segat(f, 3)->h.win, 0);

    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 4001, ISS + 1, "X", 1);       /* a probe */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 4001);
    ck_assert_uint_eq(fx_segat(f, 0)->h.win, 0);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 4001);

    fx_mark(f);
    uint8_t buf[4000];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 4000);
    ck_assert_mem_eq(buf, d, 4000);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 4001);
    ck_assert_uint_eq(fx_segat(f, 0)->h.win, 4000);
}
END_TEST

START_TEST(test_recv_out_of_order_queued_until_gap_fills)
{
    /* 3.10.7.4: segments beyond RCV.NXT are held; each is answered with
     * <ACK=RCV.NXT> (a duplicate ACK) until the gap is filled */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 11, ISS + 1, "third", 5);
    fx_input(f, TCP_ACK, IRS + 6, ISS + 1, "world", 5);
    FX_NSEGS(f, 2);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    FX_SEG(f, 1, TCP_ACK, ISS + 1, IRS + 1);
    uint8_t buf[32];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 0);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, "hello", 5);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 16);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 15);
    ck_assert_mem_eq(buf, "helloworldthird", 15);
    ck_assert(!f->c.rare || !f->c.rare->ooo);
}
END_TEST

START_TEST(test_recv_out_of_order_fin_processed_when_gap_fills)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 6, ISS + 1, "world", 5);
    FX_STATE(f, TCPS_ESTABLISHED);                 /* FIN not in sequence */
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, "hello", 5);
    FX_STATE(f, TCPS_CLOSE_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 12);
}
END_TEST

/* The out-of-order queue's height (tcp.h, struct tcp_ooo), checking on the
 * way that it is a search tree in delivery order and a heap by prio;
 * *n counts its segments. */
static size_t ooo_height(const struct tcp_ooo *t, size_t *n)
{
    if (!t)
        return 0;
    ++*n;
    if (t->left) {
        ck_assert(seq_lt(t->left->seq, t->seq) ||
                  (t->left->seq == t->seq && t->left->arrival > t->arrival));
        ck_assert_uint_le(t->left->prio, t->prio);
    }
    if (t->right) {
        ck_assert(seq_gt(t->right->seq, t->seq) ||
                  (t->right->seq == t->seq && t->right->arrival < t->arrival));
        ck_assert_uint_le(t->right->prio, t->prio);
    }
    size_t l = ooo_height(t->left, n), r = ooo_height(t->right, n);
    return 1 + (l > r ? l : r);
}

/* 3.10.7.4: a window's worth of segments beyond one gap are held, whatever
 * the order they come in (ascending, as a sender sends them; descending;
 * shuffled, as reordering on a link shuffles them), and delivered in order
 * once the gap fills.  The queue stays O(log n) deep: a list sorted by seq,
 * walked on each arrival, made holding n segments cost n * n / 2 steps (a
 * chain n long), and the memory count walked it again on every event. */
START_TEST(test_recv_out_of_order_queue_stays_shallow_in_any_order)
{
    enum { N = 20000, STRIDE = 7919 };     /* STRIDE is prime to N */
    static uint8_t want[N + 1];
    for (int order = 0; order < 3; order++) {
        struct fx *f = &F;
        if (order) {
            fx_free(f);
            fx_init(f);
        }
        fx_make(f, TCPS_ESTABLISHED);
        for (size_t i = 0; i <= N; i++)
            want[i] = (uint8_t)('a' + i % 26);
        for (size_t k = 0; k < N; k++) {
            size_t i = order == 0 ? k : order == 1 ? N - 1 - k
                                                   : k * STRIDE % N;
            /* byte i + 1 of the stream; byte 0 is the gap */
            fx_input(f, TCP_ACK, IRS + 2 + (uint32_t)i, ISS + 1, &want[i + 1], 1);
        }
        size_t n = 0, h = ooo_height(f->c.rare->ooo, &n);
        ck_assert_uint_eq(n, N);
        ck_assert_msg(h <= 64, "order %d: the queue of %d segments is %zu deep",
                      order, N, h);
        ck_assert_uint_eq(tcp_ooo_bytes(&f->c),
                          (uint64_t)N * (sizeof(struct tcp_ooo) + 1));
        ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);
        fx_input(f, TCP_ACK, IRS + 1, ISS + 1, &want[0], 1);
        ck_assert_uint_eq(f->c.rcv_nxt, IRS + 2 + N);
        ck_assert_ptr_null(f->c.rare->ooo);
        ck_assert_uint_eq(tcp_ooo_bytes(&f->c), 0);
        static uint8_t got[N + 1];
        ck_assert_int_eq(tcp_recv(&f->c, f->now, got, sizeof got), N + 1);
        ck_assert_mem_eq(got, want, N + 1);
    }
}
END_TEST

/* Segments held at the same seq: the newest is delivered first, and one
 * that the newest held there already covers (as long, no FIN it lacks) is
 * not held again.  "ab" is held; "cdef" is longer, so it is held too, in
 * front; "ghi" is covered by "cdef" and dropped.  The gap filled, the
 * stream reads "X" "cdef", and "ab", wholly before RCV.NXT, adds nothing. */
START_TEST(test_recv_out_of_order_same_seq_newest_first)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 1, "ab", 2);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 1, "cdef", 4);
    ck_assert_uint_eq(tcp_ooo_bytes(&f->c), 2 * sizeof(struct tcp_ooo) + 6);
    fx_input(f, TCP_ACK, IRS + 2, ISS + 1, "ghi", 3);
    ck_assert_uint_eq(tcp_ooo_bytes(&f->c), 2 * sizeof(struct tcp_ooo) + 6);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, "X", 1);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 6);
    ck_assert_uint_eq(tcp_ooo_bytes(&f->c), 0);
    uint8_t buf[16];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 5);
    ck_assert_mem_eq(buf, "Xcdef", 5);
}
END_TEST

START_TEST(test_recv_out_of_order_beyond_window_trimmed)
{
    /* 3.10.7.4: segments are trimmed to the window RCV.NXT..RCV.NXT+RCV.WND-1
     * ("trimming off any portions that lie outside the window"), also when
     * they arrive out of order: the buffer never holds more than it offered */
    struct fx *f = &F;
    f->cfg.rcvbuf = 4000;
    fx_make(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(4500);
    fx_input(f, TCP_ACK, IRS + 3501, ISS + 1, d + 3500, 1000); /* 500 too far */
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    for (uint32_t off = 0; off < 3500; off += 500)
        fx_input(f, TCP_ACK, IRS + 1 + off, ISS + 1, d + off, 500);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 4001);
    ck_assert_uint_eq(f->c.rcvq.len, 4000);
    const struct fx_seg *last = fx_segat(f, fx_nsegs(f) - 1);
    FX_SEG(f, fx_nsegs(f) - 1, TCP_ACK, ISS + 1, IRS + 4001);
    ck_assert_uint_eq(last->h.win, 0);
    uint8_t buf[4500];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 4000);
    ck_assert_mem_eq(buf, d, 4000);
}
END_TEST

START_TEST(test_recv_old_duplicate_acked_and_dropped)
{
    /* first: "If an incoming segment is not acceptable, an acknowledgment
     * should be sent in reply ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> ...
     * After sending the acknowledgment, drop the unacceptable segment" */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 1, "hello", 5);
    fx_mark(f);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 1, "hello", 5);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 6);
    /* straddling old and new: only the new part is taken */
    fx_mark(f);
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 3, ISS + 1, "lloXY", 5);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 8);
    uint8_t buf[32];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 7);
    ck_assert_mem_eq(buf, "helloXY", 7);
}
END_TEST

START_TEST(test_syn_data_ignored)
{
    /* tcp.c's stated simplification: "Data carried on a SYN is ignored"
     * (RFC 9293 would queue it for after ESTABLISHED) — so it must not be
     * acknowledged either */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, "abc", 3);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    uint8_t buf[8];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 0);

    struct fx g;
    fx_init(&g);
    fx_make(&g, TCPS_LISTEN);
    fx_input(&g, TCP_SYN, IRS, 0, "abc", 3);
    FX_SEG(&g, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    ck_assert_uint_eq(g.c.rcv_nxt, IRS + 1);
    fx_free(&g);
}
END_TEST

START_TEST(test_sequence_wraparound_send)
{
    /* RFC 9293 3.4: sequence numbers are modulo 2^32 */
    struct fx *f = &F;
    f->iss = 0xFFFFFF00u;
    f->peer_mss = 536;
    fx_make(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(1000);
    ck_assert_int_eq(tcp_send(&f->c, f->now, d, 1000), 1000);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, 0xFFFFFF01u, IRS + 1);
    seg_data_is(fx_segat(f, 0), d, 536);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, 0x00000119u, NULL, 0);   /* across 2^32 */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_PSH | TCP_ACK, 0x00000119u, IRS + 1);
    seg_data_is(fx_segat(f, 0), d + 536, 464);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, 0x000002E9u, NULL, 0);
    FX_NSEGS(f, 0);
    ck_assert_uint_eq(f->c.snd_una, 0x000002E9u);
    ck_assert_uint_eq(f->c.snd_nxt, 0x000002E9u);
    ck_assert_uint_eq(f->c.sndq.len, 0);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
    /* and the FIN takes the next number */
    tcp_close(&f->c, f->now);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, 0x000002E9u, IRS + 1);
}
END_TEST

START_TEST(test_sequence_wraparound_receive)
{
    struct fx *f = &F;
    f->peer_iss = 0xFFFFFFF0u;
    fx_make(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(100);
    fx_input(f, TCP_PSH | TCP_ACK, 0xFFFFFFF1u, ISS + 1, d, 100);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, 0x00000055u);
    /* an old copy from before the wrap is a duplicate */
    fx_mark(f);
    fx_input(f, TCP_PSH | TCP_ACK, 0xFFFFFFF1u, ISS + 1, d, 50);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, 0x00000055u);
    uint8_t buf[200];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 100);
    ck_assert_mem_eq(buf, d, 100);
}
END_TEST

/* ======================================================================== */
/* Application-call errors (RFC 9293 3.10.1-3.10.5)                         */

START_TEST(test_app_errors)
{
    static const uint8_t x[1] = { 'x' };
    uint8_t buf[4];
    struct fx g;

    fx_init(&g);
    fx_make(&g, TCPS_CLOSED);
    ck_assert_int_eq(tcp_send(&g.c, g.now, x, 1), -TCPE_NOTCONN);
    ck_assert_int_eq(tcp_recv(&g.c, g.now, buf, 4), -TCPE_NOTCONN);
    ck_assert_int_eq(tcp_close(&g.c, g.now), -TCPE_NOTCONN);
    ck_assert_int_eq(tcp_abort(&g.c, g.now), -TCPE_NOTCONN);
    FX_NSEGS(&g, 0);
    fx_free(&g);

    fx_init(&g);
    fx_make(&g, TCPS_LISTEN);
    ck_assert_int_eq(tcp_listen(&g.c, g.now), -TCPE_EXISTS);
    ck_assert_int_eq(tcp_connect(&g.c, g.now), -TCPE_EXISTS);
    ck_assert_int_eq(tcp_send(&g.c, g.now, x, 1), -TCPE_ILLEGAL);
    ck_assert_int_eq(tcp_recv(&g.c, g.now, buf, 4), -TCPE_ILLEGAL);
    FX_STATE(&g, TCPS_LISTEN);
    FX_NSEGS(&g, 0);
    fx_free(&g);

    fx_init(&g);
    fx_make(&g, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_connect(&g.c, g.now), -TCPE_EXISTS);
    ck_assert_int_eq(tcp_listen(&g.c, g.now), -TCPE_EXISTS);
    ck_assert_int_eq(tcp_close(&g.c, g.now), 0);
    ck_assert_int_eq(tcp_send(&g.c, g.now, x, 1), -TCPE_CLOSING);
    FX_NSEGS(&g, 1);                                /* only the FIN */
    fx_free(&g);

    fx_init(&g);
    fx_make(&g, TCPS_LAST_ACK);
    ck_assert_int_eq(tcp_send(&g.c, g.now, x, 1), -TCPE_CLOSING);
    ck_assert_int_eq(tcp_close(&g.c, g.now), -TCPE_CLOSING);
    FX_NSEGS(&g, 0);
    fx_free(&g);

    fx_init(&g);
    fx_make(&g, TCPS_TIME_WAIT);
    ck_assert_int_eq(tcp_send(&g.c, g.now, x, 1), -TCPE_CLOSING);
    ck_assert_int_eq(tcp_close(&g.c, g.now), -TCPE_CLOSING);
    FX_STATE(&g, TCPS_TIME_WAIT);
    fx_free(&g);

    ck_assert_str_eq(tcp_err_str(-TCPE_CLOSING), "connection closing");
    ck_assert_str_eq(tcp_err_str(-TCPE_NOTCONN), "connection does not exist");
    ck_assert_str_eq(tcp_err_str(0), "ok");
}
END_TEST

START_TEST(test_closed_tcb_ignores_segments)
{
    /* a deleted TCB takes nothing; the host answers (tcp_reset_for) */
    struct fx *f = &F;
    fx_make(f, TCPS_CLOSED);
    fx_input(f, TCP_SYN, IRS, 0, NULL, 0);
    fx_input(f, TCP_ACK, IRS, 1, NULL, 0);
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_CLOSED);
}
END_TEST

/* ======================================================================== */
/* Walks: two TCBs on a wire                                                */

static struct fx_pair P;
static void walk_setup(void)    { fxp_init(&P, NULL); }
static void walk_teardown(void) { fxp_free(&P); }

#define A (&P.end[0].c)
#define B (&P.end[1].c)

static void sent_is(int side, size_t i, uint8_t flags, uint32_t seq,
                    uint32_t ack, int64_t t)
{
    const struct fx_seg *s = fxp_sent(&P, side, i);
    ck_assert_msg(s != NULL, "side %d sent no segment [%zu]", side, i);
    char got[40], want[40];
    ck_assert_msg(s->h.flags == flags && s->h.seq == seq && s->h.ack == ack &&
                  s->t_us == t,
                  "side %d [%zu]: %s seq=%u ack=%u at %lld, want %s seq=%u "
                  "ack=%u at %lld", side, i,
                  tcp_flags_str(s->h.flags, got, sizeof got),
                  (unsigned)s->h.seq, (unsigned)s->h.ack, (long long)s->t_us,
                  tcp_flags_str(flags, want, sizeof want), (unsigned)seq,
                  (unsigned)ack, (long long)t);
}

/* The time of the last state record of `conn`. */
static int64_t last_state_time(uint32_t conn)
{
    for (size_t i = P.tr.n; i-- > 0;)
        if (P.tr.recs[i].kind == TK_STATE && P.tr.recs[i].conn == conn)
            return P.tr.recs[i].t_us;
    return -1;
}

static void walk_handshake(void)
{
    fxp_listen(&P);
    ck_assert_int_eq(tcp_connect(A, P.now), 0);
    fxp_run(&P, 100 * MS);
}

START_TEST(test_walk_handshake)
{
    walk_handshake();
    ck_assert_int_eq(A->state, TCPS_ESTABLISHED);
    ck_assert_int_eq(B->state, TCPS_ESTABLISHED);
    ck_assert_uint_eq(fxp_nsent(&P, 0), 2);
    ck_assert_uint_eq(fxp_nsent(&P, 1), 1);
    sent_is(0, 0, TCP_SYN, ISS, 0, 0);
    sent_is(1, 0, TCP_SYN | TCP_ACK, IRS, ISS + 1, 10 * MS);
    sent_is(0, 1, TCP_ACK, ISS + 1, IRS + 1, 20 * MS);
    FXP_STATES(&P, FXP_A_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED);
    FXP_STATES(&P, FXP_B_CONN, TCPS_LISTEN, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED);
    FXP_STATES(&P, FXP_B_LCONN, TCPS_CLOSED, TCPS_LISTEN);
    ck_assert_int_eq(P.end[1].listener.state, TCPS_LISTEN);
    ck_assert_int_eq(tcp_deadline(A), -1);
    ck_assert_int_eq(tcp_deadline(B), -1);

    /* a is what the ESTABLISHED fixture builds */
    struct fx g;
    fx_init(&g);
    fx_make(&g, TCPS_ESTABLISHED);
    FX_SAME_TCB(A, &g.c);
    fx_free(&g);
    /* b is the passive fixture plus the ACK, seen from the server */
    fx_init(&g);
    g.iss = FX_PEER_ISS;
    g.peer_iss = FX_ISS;
    fx_make(&g, TCPS_SYN_RECEIVED);
    fx_input(&g, TCP_ACK, FX_ISS + 1, FX_PEER_ISS + 1, NULL, 0);
    FX_SAME_TCB(B, &g.c);
    fx_free(&g);
}
END_TEST

START_TEST(test_walk_data_both_ways)
{
    walk_handshake();
    const uint8_t *d = pattern(3000);
    uint8_t copy[3000];
    memcpy(copy, d, sizeof copy);
    ck_assert_int_eq(tcp_send(A, P.now, copy, 3000), 3000);
    ck_assert_int_eq(tcp_send(B, P.now, (const uint8_t *)"200 OK", 6), 6);
    fxp_run(&P, 1 * SEC);
    uint8_t buf[4000];
    ck_assert_int_eq(tcp_recv(B, P.now, buf, sizeof buf), 3000);
    ck_assert_mem_eq(buf, copy, 3000);
    ck_assert_int_eq(tcp_recv(A, P.now, buf, sizeof buf), 6);
    ck_assert_mem_eq(buf, "200 OK", 6);
    ck_assert_uint_eq(A->snd_una, ISS + 3001);
    ck_assert_uint_eq(A->snd_nxt, ISS + 3001);
    ck_assert_uint_eq(B->rcv_nxt, ISS + 3001);
    ck_assert_uint_eq(B->snd_una, IRS + 7);
    ck_assert_uint_eq(A->rcv_nxt, IRS + 7);
    ck_assert_uint_eq(tcp_retransmits(A) + tcp_retransmits(B), 0);
    /* a's data segments: contiguous, MSS-sized, in order */
    uint32_t next = ISS + 1;
    size_t total = 0;
    for (size_t i = 0; i < fxp_nsent(&P, 0); i++) {
        const struct fx_seg *s = fxp_sent(&P, 0, i);
        if (!s->len)
            continue;
        ck_assert_uint_eq(s->h.seq, next);
        ck_assert_uint_le(s->len, 1460);
        next += (uint32_t)s->len;
        total += s->len;
    }
    ck_assert_uint_eq(total, 3000);
    FXP_STATES(&P, FXP_A_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED);
    FXP_STATES(&P, FXP_B_CONN, TCPS_LISTEN, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_deadline(A), -1);
    ck_assert_int_eq(tcp_deadline(B), -1);
}
END_TEST

START_TEST(test_walk_active_close_time_wait_closed)
{
    walk_handshake();
    P.now = 100 * MS;
    ck_assert_int_eq(tcp_close(A, P.now), 0);
    fxp_run(&P, 200 * MS);
    ck_assert_int_eq(A->state, TCPS_FIN_WAIT_2);
    ck_assert_int_eq(B->state, TCPS_CLOSE_WAIT);
    struct fx g;
    fx_init(&g);
    fx_make(&g, TCPS_FIN_WAIT_2);
    FX_SAME_TCB(A, &g.c);
    fx_free(&g);
    uint8_t buf[4];
    ck_assert_int_eq(tcp_recv(B, P.now, buf, sizeof buf), 0);   /* EOF */

    P.now = 300 * MS;
    ck_assert_int_eq(tcp_close(B, P.now), 0);
    fxp_run(&P, 400 * MS);
    ck_assert_int_eq(A->state, TCPS_TIME_WAIT);
    ck_assert_int_eq(B->state, TCPS_CLOSED);
    ck_assert_int_eq(last_state_time(FXP_B_CONN), 320 * MS);
    fx_init(&g);
    fx_make(&g, TCPS_TIME_WAIT);
    FX_SAME_TCB(A, &g.c);
    fx_free(&g);

    /* TIME_WAIT lasts 2 MSL from the FIN's arrival at 310 ms */
    int64_t tw_end = 310 * MS + 2 * A->cfg->msl_us;
    ck_assert_int_eq(tcp_deadline(A), tw_end);
    fxp_run(&P, tw_end - 1);
    ck_assert_int_eq(A->state, TCPS_TIME_WAIT);
    fxp_run(&P, tw_end + 1 * SEC);
    ck_assert_int_eq(A->state, TCPS_CLOSED);
    ck_assert_int_eq(last_state_time(FXP_A_CONN), tw_end);

    FXP_STATES(&P, FXP_A_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
               TCPS_FIN_WAIT_1, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT, TCPS_CLOSED);
    FXP_STATES(&P, FXP_B_CONN, TCPS_LISTEN, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED,
               TCPS_CLOSE_WAIT, TCPS_LAST_ACK, TCPS_CLOSED);
    /* the wire: FIN, ACK, FIN, ACK */
    sent_is(0, 2, TCP_FIN | TCP_ACK, ISS + 1, IRS + 1, 100 * MS);
    sent_is(1, 1, TCP_ACK, IRS + 1, ISS + 2, 110 * MS);
    sent_is(1, 2, TCP_FIN | TCP_ACK, IRS + 1, ISS + 2, 300 * MS);
    sent_is(0, 3, TCP_ACK, ISS + 2, IRS + 2, 310 * MS);
    ck_assert_uint_eq(fxp_nsent(&P, 0), 4);
    ck_assert_uint_eq(fxp_nsent(&P, 1), 3);
}
END_TEST

START_TEST(test_walk_simultaneous_close)
{
    walk_handshake();
    P.now = 100 * MS;
    ck_assert_int_eq(tcp_close(A, P.now), 0);
    ck_assert_int_eq(tcp_close(B, P.now), 0);
    fxp_run(&P, 110 * MS);                 /* the FINs have crossed */
    ck_assert_int_eq(A->state, TCPS_CLOSING);
    ck_assert_int_eq(B->state, TCPS_CLOSING);
    struct fx g;
    fx_init(&g);
    fx_make(&g, TCPS_CLOSING);
    FX_SAME_TCB(A, &g.c);
    fx_free(&g);

    fxp_run(&P, 120 * MS);
    ck_assert_int_eq(A->state, TCPS_TIME_WAIT);
    ck_assert_int_eq(B->state, TCPS_TIME_WAIT);
    int64_t tw_end = 120 * MS + 2 * A->cfg->msl_us;
    ck_assert_int_eq(tcp_deadline(A), tw_end);
    ck_assert_int_eq(tcp_deadline(B), tw_end);
    fxp_run(&P, tw_end);
    ck_assert_int_eq(A->state, TCPS_CLOSED);
    ck_assert_int_eq(B->state, TCPS_CLOSED);
    FXP_STATES(&P, FXP_A_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
               TCPS_FIN_WAIT_1, TCPS_CLOSING, TCPS_TIME_WAIT, TCPS_CLOSED);
    FXP_STATES(&P, FXP_B_CONN, TCPS_LISTEN, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED,
               TCPS_FIN_WAIT_1, TCPS_CLOSING, TCPS_TIME_WAIT, TCPS_CLOSED);
    sent_is(0, 2, TCP_FIN | TCP_ACK, ISS + 1, IRS + 1, 100 * MS);
    sent_is(1, 1, TCP_FIN | TCP_ACK, IRS + 1, ISS + 1, 100 * MS);
    sent_is(0, 3, TCP_ACK, ISS + 2, IRS + 2, 110 * MS);
    sent_is(1, 2, TCP_ACK, IRS + 2, ISS + 2, 110 * MS);
}
END_TEST

START_TEST(test_walk_simultaneous_open)
{
    /* RFC 9293 Figure 7: both SYNs cross; both pass SYN_RECEIVED */
    ck_assert_int_eq(tcp_connect(A, 0), 0);
    ck_assert_int_eq(tcp_connect(B, 0), 0);
    fxp_run(&P, 100 * MS);
    ck_assert_int_eq(A->state, TCPS_ESTABLISHED);
    ck_assert_int_eq(B->state, TCPS_ESTABLISHED);
    FXP_STATES(&P, FXP_A_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_SYN_RECEIVED,
               TCPS_ESTABLISHED);
    FXP_STATES(&P, FXP_B_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_SYN_RECEIVED,
               TCPS_ESTABLISHED);
    sent_is(0, 0, TCP_SYN, ISS, 0, 0);
    sent_is(1, 0, TCP_SYN, IRS, 0, 0);
    sent_is(0, 1, TCP_SYN | TCP_ACK, ISS, IRS + 1, 10 * MS);
    sent_is(1, 1, TCP_SYN | TCP_ACK, IRS, ISS + 1, 10 * MS);
    ck_assert_uint_eq(fxp_nsent(&P, 0), 2);
    ck_assert_uint_eq(fxp_nsent(&P, 1), 2);
    ck_assert_uint_eq(A->snd_una, ISS + 1);
    ck_assert_uint_eq(A->rcv_nxt, IRS + 1);
    ck_assert_uint_eq(B->snd_una, IRS + 1);
    ck_assert_uint_eq(B->rcv_nxt, ISS + 1);
    ck_assert_int_eq(tcp_deadline(A), -1);
    ck_assert_int_eq(tcp_deadline(B), -1);
    /* and data flows */
    tcp_send(A, P.now, (const uint8_t *)"ping", 4);
    fxp_run(&P, 200 * MS);
    uint8_t buf[8];
    ck_assert_int_eq(tcp_recv(B, P.now, buf, sizeof buf), 4);
    ck_assert_mem_eq(buf, "ping", 4);
}
END_TEST

START_TEST(test_walk_syn_lost_and_retransmitted)
{
    fxp_drop(&P, 0, 1);
    walk_handshake();
    ck_assert_int_eq(A->state, TCPS_SYN_SENT);
    ck_assert_int_eq(B->state, TCPS_LISTEN);
    fxp_run(&P, 2 * SEC);
    ck_assert_int_eq(A->state, TCPS_ESTABLISHED);
    ck_assert_int_eq(B->state, TCPS_ESTABLISHED);
    ck_assert_int_eq(fxp_sent(&P, 0, 0)->dropped, 1);
    sent_is(0, 1, TCP_SYN, ISS, 0, 1 * SEC);           /* the same ISS */
    sent_is(1, 0, TCP_SYN | TCP_ACK, IRS, ISS + 1, 1 * SEC + 10 * MS);
    sent_is(0, 2, TCP_ACK, ISS + 1, IRS + 1, 1 * SEC + 20 * MS);
    ck_assert_int_eq(last_state_time(FXP_A_CONN), 1 * SEC + 20 * MS);
}
END_TEST

START_TEST(test_walk_time_wait_answers_retransmitted_fin)
{
    /* the time-wait lesson: the last ACK is lost; the peer's FIN comes
     * again; TIME_WAIT re-acknowledges it and starts 2 MSL over */
    fxp_drop(&P, 0, 4);                  /* SYN, ACK, FIN, [ACK of FIN] */
    walk_handshake();
    P.now = 100 * MS;
    tcp_close(A, P.now);
    fxp_run(&P, 200 * MS);
    tcp_close(B, P.now);
    fxp_run(&P, 300 * MS);
    ck_assert_int_eq(A->state, TCPS_TIME_WAIT);
    ck_assert_int_eq(B->state, TCPS_LAST_ACK);
    ck_assert_int_eq(fxp_sent(&P, 0, 3)->dropped, 1);
    fxp_run(&P, 2 * SEC);
    ck_assert_int_eq(B->state, TCPS_CLOSED);
    ck_assert_int_eq(A->state, TCPS_TIME_WAIT);
    sent_is(1, 3, TCP_FIN | TCP_ACK, IRS + 1, ISS + 2, 1200 * MS);
    sent_is(0, 4, TCP_ACK, ISS + 2, IRS + 2, 1210 * MS);
    ck_assert_int_eq(last_state_time(FXP_B_CONN), 1220 * MS);
    int64_t tw_end = 1210 * MS + 2 * A->cfg->msl_us;
    ck_assert_int_eq(tcp_deadline(A), tw_end);
    ck_assert_uint_eq(fx_timer_count(&P.tr, FXP_A_CONN, 0, TM_TIME_WAIT,
                                     TA_START), 2);
    fxp_run(&P, tw_end);
    ck_assert_int_eq(A->state, TCPS_CLOSED);
    ck_assert_int_eq(last_state_time(FXP_A_CONN), tw_end);
    FXP_STATES(&P, FXP_A_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
               TCPS_FIN_WAIT_1, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT, TCPS_CLOSED);
    FXP_STATES(&P, FXP_B_CONN, TCPS_LISTEN, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED,
               TCPS_CLOSE_WAIT, TCPS_LAST_ACK, TCPS_CLOSED);
}
END_TEST

START_TEST(test_walk_wraparound_both_ways)
{
    P.end[0].iss = 0xFFFFFF00u;
    P.end[1].iss = 0xFFFFFFF0u;
    walk_handshake();
    ck_assert_int_eq(A->state, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(3000);
    uint8_t copy[3000];
    memcpy(copy, d, sizeof copy);
    tcp_send(A, P.now, copy, 1000);
    tcp_send(B, P.now, copy + 1000, 2000);
    fxp_run(&P, 1 * SEC);
    uint8_t buf[3000];
    ck_assert_int_eq(tcp_recv(B, P.now, buf, sizeof buf), 1000);
    ck_assert_mem_eq(buf, copy, 1000);
    ck_assert_int_eq(tcp_recv(A, P.now, buf, sizeof buf), 2000);
    ck_assert_mem_eq(buf, copy + 1000, 2000);
    ck_assert_uint_eq(A->snd_una, 0x000002E9u);
    ck_assert_uint_eq(B->rcv_nxt, 0x000002E9u);
    ck_assert_uint_eq(B->snd_una, 0x000007C1u);       /* 0xFFFFFFF1 + 2000 */
    ck_assert_uint_eq(A->rcv_nxt, 0x000007C1u);
    ck_assert_uint_eq(tcp_retransmits(A) + tcp_retransmits(B), 0);
}
END_TEST

START_TEST(test_walk_connect_to_closed_port_refused)
{
    /* no listener: b's host answers the SYN with <SEQ=0><ACK=ISS+1>
     * <CTL=RST,ACK>, which a's SYN_SENT accepts: CLOSED */
    tcp_connect(A, 0);
    fxp_run(&P, 100 * MS);
    ck_assert_int_eq(A->state, TCPS_CLOSED);
    sent_is(1, 0, TCP_RST | TCP_ACK, 0, ISS + 1, 10 * MS);
    FXP_STATES(&P, FXP_A_CONN, TCPS_CLOSED, TCPS_SYN_SENT, TCPS_CLOSED);
}
END_TEST

/* ======================================================================== */
/* Written first against a tcp.c that failed them, then fixed there.        */

/* ESTABLISHED with our receive window closed (rcvbuf 1000, the peer's
 * 1000 bytes unread, RCV.NXT = IRS+1001) and our 100 bytes unacknowledged;
 * the history hidden. */
static void closed_window_unacked(struct fx *f)
{
    f->cfg.rcvbuf = 1000;
    fx_make(f, TCPS_ESTABLISHED);
    tcp_send(&f->c, f->now, pattern(100), 100);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, pattern(1000), 1000);
    ck_assert_uint_eq(f->c.rcv_wnd, 0);
    fx_mark(f);
}

START_TEST(test_zero_window_still_takes_valid_ack)
{
    /* RFC 9293 3.10.7.4 first: "If the RCV.WND is zero, no segments will be
     * acceptable, but special allowance should be made to accept valid
     * ACKs, URGs, and RSTs."  tcp.c drops the whole segment, its ACK field
     * included, so our data is acknowledged only by a later pure ACK. */
    struct fx *f = &F;
    closed_window_unacked(f);
    fx_input(f, TCP_ACK, IRS + 1001, ISS + 101, "more", 4);
    FX_SEG(f, 0, TCP_ACK, ISS + 101, IRS + 1001);
    ck_assert_uint_eq(f->c.snd_una, ISS + 101);
}
END_TEST

/* The same allowance for a segment that reaches RCV.NXT from before it (a
 * retransmission of bytes partly taken): it is refused for the closed
 * window, its ACK field counts, and the sentence names the window, not
 * old bytes (the sentence for old segments said "starts before RCV.NXT
 * ... and is not acceptable", a reason an open window would not share). */
START_TEST(test_zero_window_overlap_takes_valid_ack)
{
    struct fx *f = &F;
    closed_window_unacked(f);
    fx_input(f, TCP_ACK, IRS + 997, ISS + 101, "abcdefgh", 8);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 101, IRS + 1001);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_ZWND_REFUSE);
    ck_assert_uint_eq(f->c.snd_una, ISS + 101);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1001);
}
END_TEST

/* RFC 9293 3.10.7.4 first: a segment that starts before RCV.NXT and ends
 * past RCV.NXT+RCV.WND-1 fails "RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND or
 * RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND" because neither end lies
 * in the window: it gets the ACK, and a sentence that says so, not the one
 * for a segment wholly before RCV.NXT. */
START_TEST(test_segment_spanning_the_window_sentence)
{
    struct fx *f = &F;
    f->cfg.rcvbuf = 8;
    fx_make(f, TCPS_ESTABLISHED);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS - 9, ISS + 1, pattern(20), 20);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    const struct fx_seg *s = fx_segat(f, 0);
    ck_assert_uint_eq(s->why.id, N_SEG_DUPACK_SPAN);
    ck_assert_int_eq(s->why.a[0], IRS - 9);
    ck_assert_int_eq(s->why.a[1], IRS + 1);
    ck_assert_int_eq(s->why.a[2], IRS + 10);
    ck_assert_int_eq(s->why.a[3], IRS + 8);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 1);
    /* wholly before RCV.NXT: the sentence for old segments */
    fx_mark(f);
    f->now += TCP_OOW_ACK_GAP_US;
    fx_input(f, TCP_ACK, IRS - 9, ISS + 1, pattern(10), 10);
    FX_NSEGS(f, 1);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_DUPACK_OLD);
}
END_TEST

START_TEST(test_calls_after_rst_say_reset)
{
    /* RFC 9293 3.10.7.4 second, ESTABLISHED: "any outstanding RECEIVEs and
     * SEND should receive 'reset' responses"; 3.10.7.3: "signal to the user
     * 'error: connection reset'".  tcp.c answers later calls with
     * -TCPE_NOTCONN; TCPE_RESET and TCPE_REFUSED are never returned. */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_RST, IRS + 1, 0, NULL, 0);
    uint8_t buf[4];
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), -TCPE_RESET);
    ck_assert_int_eq(tcp_send(&f->c, f->now, buf, 1), -TCPE_RESET);
}
END_TEST

/* ======================================================================== */

/* ======================================================================== */
/* RFC details: where resets go, TIME-WAIT reopening, close() losing data,  */
/* and which sentence each record carries                                   */

#define OTHER_ADDR 0xC6336407u   /* 198.51.100.7: a sender other than the fixture's peer */

START_TEST(test_rfc9293_3_10_7_2_listen_rst_goes_to_sender)
{
    /* "<SEQ=SEG.ACK><CTL=RST>" answers the segment: it goes to the
     * segment's source, never to the listener's unspecified remote
     * address 0.0.0.0. */
    struct fx *f = &F;
    tcp_init(&f->listener, fx_cfg(f), 0, FX_LCONN, FX_LADDR, FX_SPORT, 0, 0);
    ck_assert_int_eq(tcp_listen(&f->listener, f->now), 0);
    ck_assert_uint_eq(f->listener.raddr, 0);
    fx_mark(f);
    struct tcp_hdr h = fx_hdr(f, TCP_ACK, IRS, 777);
    h.sport = 40000;
    h.dport = FX_SPORT;
    tcp_input(&f->listener, f->now, OTHER_ADDR, &h, NULL, 0);
    FX_NSEGS(f, 1);
    ck_assert_uint_eq(fx_segat(f, 0)->h.flags, TCP_RST);
    ck_assert_uint_eq(fx_segat(f, 0)->h.seq, 777);
    ck_assert_uint_eq(fx_segat(f, 0)->dst, OTHER_ADDR);
    ck_assert_uint_eq(fx_segat(f, 0)->h.dport, 40000);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_RST_LISTEN_ACK);

    /* a SYN,ACK at a listener (RFC 9293 Figure 11's stray segment) */
    fx_mark(f);
    h = fx_hdr(f, TCP_SYN | TCP_ACK, IRS, 4242);
    h.sport = 40001;
    h.dport = FX_SPORT;
    tcp_input(&f->listener, f->now, FX_RADDR, &h, NULL, 0);
    FX_NSEGS(f, 1);
    ck_assert_uint_eq(fx_segat(f, 0)->h.flags, TCP_RST);
    ck_assert_uint_eq(fx_segat(f, 0)->h.seq, 4242);
    ck_assert_uint_eq(fx_segat(f, 0)->h.dport, 40001);
    ck_assert_uint_eq(fx_segat(f, 0)->dst, FX_RADDR);
    ck_assert_int_eq(f->listener.state, TCPS_LISTEN);

    /* a SYN names the unspecified remote socket (3.10.1): the SYN,ACK goes
     * to its sender too */
    fx_mark(f);
    h = fx_hdr(f, TCP_SYN, IRS, 0);
    h.sport = 40002;
    h.dport = FX_SPORT;
    tcp_input(&f->listener, f->now, OTHER_ADDR, &h, NULL, 0);
    ck_assert_int_eq(f->listener.state, TCPS_SYN_RECEIVED);
    ck_assert_uint_eq(fx_segat(f, 0)->h.flags, TCP_SYN | TCP_ACK);
    ck_assert_uint_eq(fx_segat(f, 0)->dst, OTHER_ADDR);
    ck_assert_uint_eq(fx_segat(f, 0)->h.dport, 40002);
}
END_TEST

START_TEST(test_rfc9293_3_10_7_3_syn_sent_rst_goes_to_sender)
{
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    struct tcp_hdr h = fx_hdr(f, TCP_SYN | TCP_ACK, IRS, ISS + 50);
    tcp_input(&f->c, f->now, OTHER_ADDR, &h, NULL, 0);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, ISS + 50, 0);
    ck_assert_uint_eq(fx_segat(f, 0)->dst, OTHER_ADDR);
    /* the sentence quotes this segment's numbers */
    const struct why *w = &fx_segat(f, 0)->why;
    ck_assert_uint_eq(w->id, N_SEG_RST_BADACK);
    ck_assert_int_eq(w->a[0], ISS + 50);
    ck_assert_int_eq(w->a[1], ISS + 1);
    ck_assert_int_eq(w->a[2], ISS + 1);
}
END_TEST

START_TEST(test_rfc9293_3_10_7_4_syn_received_rst_goes_to_sender)
{
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_RECEIVED);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 99, NULL, 0);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, ISS + 99, 0);
    ck_assert_uint_eq(fx_segat(f, 0)->dst, FX_RADDR);
    /* ordinary segments go to the connection's remote address */
    tcp_destroy(&f->c);
    fx_make(f, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"x", 1), 1);
    ck_assert_uint_eq(fx_segat(f, 0)->dst, FX_RADDR);
}
END_TEST

/* A SYN from the peer, as a new incarnation of the TIME-WAIT connection
 * would send it. */
static int tw_syn(struct fx *f, uint32_t seq, int have_listener)
{
    struct tcp_hdr h = fx_hdr(f, TCP_SYN, seq, 0);
    return tcp_time_wait_syn(&f->c, f->now, &h, have_listener);
}

START_TEST(test_rfc9293_3_6_1_time_wait_new_syn_reopens)
{
    /* MAY-2 / RFC 6191 / RFC 1122 4.2.2.13: a SYN above RCV.NXT deletes the
     * TIME-WAIT TCB; the new connection's ISS exceeds the old SND.NXT. */
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    ck_assert_uint_eq(f->c.rcv_nxt, IRS + 2);
    ck_assert_int_eq(tw_syn(f, IRS + 100000, 1), TW_SYN_REOPEN);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 0);
    const struct trace_rec *st = last_rec(f, TK_STATE);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->why.id, N_TCP_TW_REOPEN);
    ck_assert_int_eq(st->why.a[0], IRS + 100000);
    ck_assert_int_eq(st->why.a[1], IRS + 2);
    const struct trace_rec *stop = FX_TIMER(f, TM_TIME_WAIT, TA_STOP);
    ck_assert_ptr_nonnull(stop);
    ck_assert_uint_eq(stop->why.id, N_TMR_TW_STOP_REOPEN);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);

    /* the listener's child opens the new connection as from LISTEN */
    struct tcp_conn child;
    tcp_init(&f->listener, fx_cfg(f), 0, FX_LCONN, FX_LADDR, FX_CPORT, 0, 0);
    ck_assert_int_eq(tcp_listen(&f->listener, f->now), 0);
    tcp_spawn(&child, &f->listener, 99, f->listener.laddr, FX_RADDR, FX_SPORT);
    tcp_reopen_from(&child, &f->c);
    fx_mark(f);
    struct tcp_hdr h = fx_hdr(f, TCP_SYN, IRS + 100000, 0);
    tcp_input(&child, f->now, FX_RADDR, &h, NULL, 0);
    ck_assert_int_eq(child.state, TCPS_SYN_RECEIVED);
    FX_NSEGS(f, 1);
    /* f->iss (1000) is not above the old SND.NXT (1002): Linux's choice */
    ck_assert_uint_eq(child.iss, ISS + 2 + 65537);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS + 2 + 65537, IRS + 100001);
    tcp_destroy(&child);
}
END_TEST

START_TEST(test_rfc9293_3_10_7_4_time_wait_old_syn_challenged)
{
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    int64_t due = tcp_deadline(&f->c);
    static const uint32_t old[] = { IRS + 2, IRS + 1, IRS - 500 };
    for (size_t i = 0; i < 3; i++) {
        fx_mark(f);
        f->now += TCP_OOW_ACK_GAP_US;      /* past RFC 5961 7's throttle */
        ck_assert_int_eq(tw_syn(f, old[i], 1), TW_SYN_HANDLED);
        FX_STATE(f, TCPS_TIME_WAIT);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 2);   /* <SEQ=SND.NXT><ACK=RCV.NXT> */
        ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_CHALLENGE_TW_OLD);
        ck_assert_int_eq(fx_segat(f, 0)->why.a[0], old[i]);
        FX_NO_STATES(f);
    }
    ck_assert_int_eq(tcp_deadline(&f->c), due);        /* TIME-WAIT goes on */
    /* not a bare SYN: the ordinary path */
    struct tcp_hdr h = fx_hdr(f, TCP_SYN | TCP_ACK, IRS + 9, ISS + 2);
    ck_assert_int_eq(tcp_time_wait_syn(&f->c, f->now, &h, 1), TW_SYN_NONE);
}
END_TEST

START_TEST(test_rfc9293_3_6_1_time_wait_new_syn_without_listener_challenged)
{
    struct fx *f = &F;
    fx_make(f, TCPS_TIME_WAIT);
    ck_assert_int_eq(tw_syn(f, IRS + 100000, 0), TW_SYN_HANDLED);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 2);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_CHALLENGE_TW_NOLISTEN);
    ck_assert_int_eq(fx_segat(f, 0)->why.a[2], FX_CPORT);
}
END_TEST

START_TEST(test_rfc9293_3_6_1_time_wait_reopen_switched_off)
{
    struct fx *f = &F;
    f->cfg.tw_reopen = 0;
    fx_make(f, TCPS_TIME_WAIT);
    ck_assert_int_eq(tw_syn(f, IRS + 100000, 1), TW_SYN_HANDLED);
    FX_STATE(f, TCPS_TIME_WAIT);
    FX_SEG(f, 0, TCP_ACK, ISS + 2, IRS + 2);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_CHALLENGE_TW_OFF);
}
END_TEST

START_TEST(test_rfc1122_4_2_2_13_close_with_unread_data_sends_rst)
{
    /* close() with 5 unread bytes: RST <SEQ=SND.NXT><CTL=RST> as ABORT
     * (RFC 9293 3.10.5), CLOSED, and the sentence names the lost bytes. */
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_ACK | TCP_PSH, IRS + 1, ISS + 1, "hello", 5);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"abc", 3), 3);
    fx_mark(f);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, ISS + 4, 0);          /* SND.NXT, past the data */
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_RST_UNREAD);
    const struct trace_rec *st = last_rec(f, TK_STATE);
    ck_assert_uint_eq(st->why.id, N_TCP_CLOSE_UNREAD);
    ck_assert_int_eq(st->why.a[0], 5);
    ck_assert_int_eq(st->why.a[1], IRS + 1);
    ck_assert_int_eq(st->why.a[2], IRS + 5);
    const struct trace_rec *stop = FX_TIMER(f, TM_RTO, TA_STOP);
    ck_assert_ptr_nonnull(stop);
    ck_assert_uint_eq(stop->why.id, N_TMR_RTO_STOP_UNREAD);
    ck_assert_int_eq(tcp_deadline(&f->c), -1);
}
END_TEST

START_TEST(test_rfc1122_4_2_2_13_close_wait_unread_range_excludes_fin)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_ACK | TCP_FIN, IRS + 1, ISS + 1, "bye", 3);
    FX_STATE(f, TCPS_CLOSE_WAIT);
    fx_mark(f);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_CLOSED);
    FX_SEG(f, 0, TCP_RST, ISS + 1, 0);
    const struct trace_rec *st = last_rec(f, TK_STATE);
    ck_assert_int_eq(st->why.a[0], 3);
    ck_assert_int_eq(st->why.a[1], IRS + 1);
    ck_assert_int_eq(st->why.a[2], IRS + 3);
}
END_TEST

START_TEST(test_rfc1122_4_2_2_13_read_all_or_shutdown_still_sends_fin)
{
    struct fx *f = &F;
    uint8_t buf[8];
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_ACK | TCP_PSH, IRS + 1, ISS + 1, "hello", 5);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 5);
    fx_mark(f);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 6);

    /* shutdown() is not close(): unread data stays readable */
    tcp_destroy(&f->c);
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_ACK | TCP_PSH, IRS + 1, ISS + 1, "hello", 5);
    fx_mark(f);
    ck_assert_int_eq(tcp_shutdown(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, ISS + 1, IRS + 6);
    ck_assert_uint_eq(last_rec(f, TK_STATE)->why.id, N_TCP_SHUTDOWN_FINWAIT1);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 5);
}
END_TEST

START_TEST(test_rfc1122_4_2_2_13_data_after_close_sends_rst)
{
    /* "or if new data is received after CLOSE is called, its TCP SHOULD
     * send a RST to show that data was lost" */
    struct fx *f = &F;
    fx_make(f, TCPS_FIN_WAIT_2);                  /* reached by close() */
    fx_input(f, TCP_PSH | TCP_ACK, IRS + 1, ISS + 2, "late", 4);
    FX_STATE(f, TCPS_CLOSED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_RST, ISS + 2, 0);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_RST_AFTER_CLOSE);
    const struct trace_rec *st = last_rec(f, TK_STATE);
    ck_assert_uint_eq(st->why.id, N_TCP_DATA_AFTER_CLOSE);
    ck_assert_int_eq(st->why.a[0], 4);
    ck_assert_int_eq(st->why.a[1], IRS + 1);
    ck_assert_int_eq(st->why.a[2], IRS + 4);

    /* a bare FIN after close() loses nothing: the orderly path */
    tcp_destroy(&f->c);
    fx_make(f, TCPS_FIN_WAIT_2);
    fx_input(f, TCP_FIN | TCP_ACK, IRS + 1, ISS + 2, NULL, 0);
    FX_STATE(f, TCPS_TIME_WAIT);
}
END_TEST

/* A zero window shuts the fixture's sender with 10 bytes waiting: the
 * persist timer runs; returns the index of its start record. */
static size_t persist_running(struct fx *f)
{
    fx_make(f, TCPS_ESTABLISHED);
    f->peer_win = 0;
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"0123456789", 10), 10);
    FX_NSEGS(f, 0);
    ck_assert_int_gt(tcp_persist_due(&f->c), 0);
    fx_mark(f);
    size_t st = f->tr.n;
    for (size_t i = 0; i < f->tr.n; i++)
        if (f->tr.recs[i].kind == TK_TIMER && f->tr.recs[i].conn == FX_CONN &&
            f->tr.recs[i].u.timer.name == TM_PERSIST &&
            f->tr.recs[i].u.timer.action == TA_START)
            st = i;
    ck_assert_uint_lt(st, f->tr.n);
    return st;
}

/* The persist timer's one stop since the mark: it names its start (DESIGN:
 * "a timer stop names its start") and gives this cause. */
static const struct trace_rec *persist_stopped(struct fx *f, size_t start,
                                               int why)
{
    ck_assert_uint_eq(FX_TIMERS(f, TM_PERSIST, TA_STOP), 1);
    const struct trace_rec *stop = FX_TIMER(f, TM_PERSIST, TA_STOP);
    ck_assert_uint_eq(stop->of, (uint32_t)start + 1);
    ck_assert_uint_eq(stop->why.id, why);
    ck_assert_int_eq(tcp_persist_due(&f->c), 0);
    return stop;
}

START_TEST(test_rfc9293_3_8_6_1_persist_stop_is_recorded_with_its_cause)
{
    /* The persist timer runs only while the peer's window is zero: when a
     * segment opens it, or the TCB goes, the timer is cancelled, and the
     * trace must say so -- else `expect HOST timer PERSIST stopped` can
     * never hold and the timeline shows a cancelled timer still running. */
    struct fx *f = &F;
    size_t st = persist_running(f);
    f->peer_win = 700;
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    const struct trace_rec *stop = persist_stopped(f, st, N_TMR_PERSIST_STOP_OPEN);
    ck_assert_int_eq(stop->why.a[0], 700);            /* SND.WND, as opened */
    FX_NSEGS(f, 1);                                   /* the data goes */
    ck_assert_uint_eq(fx_segat(f, 0)->len, 10);
    /* a timer that is not running is not stopped again */
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 11, NULL, 0);
    ck_assert_uint_eq(FX_TIMERS(f, TM_PERSIST, TA_STOP), 0);

    /* a window scaled by RFC 7323 2.3 is quoted as SND.WND, not the field */
    fx_free(f);
    fx_init(f);
    f->cfg.wscale = 2;
    fx_make(f, TCPS_LISTEN);
    struct tcp_hdr syn = fx_hdr(f, TCP_SYN, IRS, 0);
    tcp_opt_set(&syn, TCPOPT_WSCALE, 3);
    fx_input_hdr(f, &syn, NULL, 0);
    struct tcp_hdr ack = fx_hdr(f, TCP_ACK, IRS + 1, ISS + 1);
    ack.win = 0;
    fx_input_hdr(f, &ack, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    ck_assert_int_eq(tcp_send(&f->c, f->now, (const uint8_t *)"abc", 3), 3);
    fx_mark(f);
    ck_assert_int_gt(tcp_persist_due(&f->c), 0);
    ack.win = 100;
    fx_input_hdr(f, &ack, NULL, 0);
    ck_assert_uint_eq(FX_TIMERS(f, TM_PERSIST, TA_STOP), 1);
    ck_assert_int_eq(FX_TIMER(f, TM_PERSIST, TA_STOP)->why.a[0], 800);

    /* the TCB deleted while the timer runs: abort(), an RST */
    fx_free(f);
    fx_init(f);
    st = persist_running(f);
    ck_assert_int_eq(tcp_abort(&f->c, f->now), 0);
    stop = persist_stopped(f, st, N_TMR_PERSIST_STOP_ABORT);
    ck_assert_int_eq(stop->why.a[0], TCPS_ESTABLISHED);

    fx_free(f);
    fx_init(f);
    st = persist_running(f);
    fx_input(f, TCP_RST, IRS + 1, 0, NULL, 0);
    FX_STATE(f, TCPS_CLOSED);
    persist_stopped(f, st, N_TMR_PERSIST_STOP_RST);
}
END_TEST

START_TEST(test_rfc6298_5_2_rto_stop_names_its_cause)
{
    /* "When all outstanding data has been acknowledged, turn off the
     * retransmission timer" is one cause; the others get their own. */
    struct fx *f = &F;
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_SYN | TCP_ACK, IRS, ISS + 1, NULL, 0);
    ck_assert_uint_eq(FX_TIMER(f, TM_RTO, TA_STOP)->why.id, N_TMR_RTO_STOP);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_SYN_SENT);
    fx_input(f, TCP_RST | TCP_ACK, 0, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_CLOSED);
    ck_assert_uint_eq(FX_TIMER(f, TM_RTO, TA_STOP)->why.id, N_TMR_RTO_STOP_RST);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    ck_assert_uint_eq(FX_TIMER(f, TM_RTO, TA_STOP)->why.id, N_TMR_RTO_STOP_CLOSE);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_SYN_SENT);
    ck_assert_int_eq(tcp_abort(&f->c, f->now), 0);
    ck_assert_uint_eq(FX_TIMER(f, TM_RTO, TA_STOP)->why.id, N_TMR_RTO_STOP_ABORT);
    ck_assert_uint_eq(last_rec(f, TK_STATE)->why.id, N_TCP_ABORT_SILENT);
    FX_NSEGS(f, 0);

    tcp_destroy(&f->c);
    fx_make(f, TCPS_SYN_RECEIVED);
    fx_input(f, TCP_RST, IRS + 1, 0, NULL, 0);
    ck_assert_uint_eq(FX_TIMER(f, TM_RTO, TA_STOP)->why.id,
                      N_TMR_RTO_STOP_LISTEN_RST);
}
END_TEST

/* RFC 9293 3.10.7.4 answers an unacceptable segment with an ACK; RFC 5961
 * 7 throttles those ACKs, and Linux does it per connection: within
 * tcp_invalid_ratelimit (500 ms) of such an ACK, an unacceptable segment
 * without data, or a SYN, gets none.  Data is always answered. */
START_TEST(test_rfc5961_7_out_of_window_acks_are_throttled)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_ACK, IRS + 100000, ISS + 1, NULL, 0);   /* past the window */
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_DUPACK);
    int64_t t0 = f->now;

    fx_mark(f);                                   /* the same, 499 ms later */
    f->now = t0 + TCP_OOW_ACK_GAP_US - 1000;
    fx_input(f, TCP_ACK, IRS + 100000, ISS + 1, NULL, 0);
    fx_input(f, TCP_SYN, IRS + 7, 0, NULL, 0);            /* a SYN: challenge */
    fx_input(f, TCP_RST, IRS + 7, 0, NULL, 0);            /* an RST: challenge */
    fx_input(f, TCP_ACK, IRS + 1, ISS + 77, NULL, 0);     /* ACK of unsent data */
    FX_NSEGS(f, 0);
    FX_STATE(f, TCPS_ESTABLISHED);

    /* data beyond the window is answered all the same */
    fx_input(f, TCP_ACK | TCP_PSH, IRS + 100000, ISS + 1, "x", 1);
    FX_NSEGS(f, 1);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_DUPACK);

    fx_mark(f);                                   /* 500 ms after the first */
    f->now = t0 + TCP_OOW_ACK_GAP_US;
    fx_input(f, TCP_SYN, IRS + 7, 0, NULL, 0);
    FX_NSEGS(f, 1);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_CHALLENGE);
    fx_mark(f);                                   /* and that restarts it */
    f->now += 1000;
    fx_input(f, TCP_ACK, IRS + 100000, ISS + 1, NULL, 0);
    FX_NSEGS(f, 0);
}
END_TEST

START_TEST(test_rfc9293_3_3_1_ack_sentence_quotes_next_byte_expected)
{
    struct fx *f = &F;
    fx_make(f, TCPS_ESTABLISHED);
    fx_input(f, TCP_ACK | TCP_PSH, IRS + 1, ISS + 1, "abcd", 4);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 5);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_ACK);
    ck_assert_int_eq(fx_segat(f, 0)->why.a[0], fx_segat(f, 0)->h.ack);

    /* beyond a gap: a duplicate ACK, and its own sentence */
    fx_mark(f);
    fx_input(f, TCP_ACK | TCP_PSH, IRS + 9, ISS + 1, "ijkl", 4);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 5);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_ACK_OOO);
    ck_assert_int_eq(fx_segat(f, 0)->why.a[0], IRS + 9);
    ck_assert_int_eq(fx_segat(f, 0)->why.a[1], IRS + 5);

    /* an RST in the window but not at RCV.NXT is not "a SYN" */
    fx_mark(f);
    fx_input(f, TCP_RST, IRS + 7, 0, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_CHALLENGE_RST);

    /* an ACK of unsent data is not "an unacceptable segment" */
    fx_mark(f);
    f->now += TCP_OOW_ACK_GAP_US;          /* past RFC 5961 7's throttle */
    fx_input(f, TCP_ACK, IRS + 5, ISS + 500, NULL, 0);
    ck_assert_uint_eq(fx_segat(f, 0)->why.id, N_SEG_ACK_TOOFAR);
    ck_assert_int_eq(fx_segat(f, 0)->why.a[0], ISS + 500);
}
END_TEST

START_TEST(test_walk_rfc1122_4_2_2_13_unread_close_resets_both_ends)
{
    struct fx_pair *p = &P;
    fxp_listen(p);
    ck_assert_int_eq(tcp_connect(&p->end[0].c, p->now), 0);
    fxp_run(p, 100 * MS);
    ck_assert_int_eq(tcp_send(&p->end[0].c, p->now, (const uint8_t *)"data", 4), 4);
    fxp_run(p, 200 * MS);
    ck_assert_int_eq(tcp_close(&p->end[1].c, p->now), 0);
    fxp_run(p, 300 * MS);
    ck_assert_int_eq(p->end[1].c.state, TCPS_CLOSED);
    ck_assert_int_eq(p->end[0].c.state, TCPS_CLOSED);
    ck_assert_int_eq(p->end[0].c.err, TCPE_RESET);
    uint8_t buf[4];
    ck_assert_int_eq(tcp_recv(&p->end[0].c, p->now, buf, 4), -TCPE_RESET);
}
END_TEST


/* ======================================================================== */
/* Window scale (RFC 7323 section 2)                                        */

static int seg_wscale(const struct fx *f, size_t i, uint32_t *shift)
{
    return tcp_opt_get(&fx_segat(f, i)->h, TCPOPT_WSCALE, shift);
}

START_TEST(test_rfc7323_2_2_syn_offers_wscale)
{
    /* "This option MAY be sent in an initial <SYN> segment"; and without a
     * `tcp wscale` setting, protosim offers none, as before. */
    struct fx *f = &F;
    f->cfg.wscale = 7;
    fx_make(f, TCPS_CLOSED);
    ck_assert_int_eq(tcp_connect(&f->c, f->now), 0);
    FX_SEG(f, 0, TCP_SYN, ISS, 0);
    uint32_t sh = 99;
    ck_assert(seg_wscale(f, 0, &sh));
    ck_assert_uint_eq(sh, 7);
    ck_assert_uint_eq(fx_segat(f, 0)->h.win, 65535);   /* a SYN is never scaled */

    struct fx g;
    fx_init(&g);
    fx_make(&g, TCPS_CLOSED);
    ck_assert_int_eq(tcp_connect(&g.c, g.now), 0);
    ck_assert(!seg_wscale(&g, 0, &sh));
    fx_free(&g);
}
END_TEST

START_TEST(test_rfc7323_2_2_synack_only_if_syn_offered)
{
    /* "may be sent in a <SYN,ACK> segment only if a Window Scale option was
     * received in the initial <SYN> segment": no scaling either way. */
    struct fx *f = &F;
    f->cfg.wscale = 7;
    f->cfg.rcvbuf = 1u << 20;
    fx_make(f, TCPS_LISTEN);
    fx_input(f, TCP_SYN, IRS, 0, NULL, 0);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    uint32_t sh;
    ck_assert(!seg_wscale(f, 0, &sh));
    ck_assert_uint_eq(f->c.snd_shift, 0);
    ck_assert_uint_eq(f->c.rcv_shift, 0);
    fx_mark(f);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_wnd, f->peer_win);        /* taken as is */
}
END_TEST

START_TEST(test_rfc7323_2_3_windows_shift_both_ways)
{
    /* Both SYNs carried the option: SND.WND = SEG.WND << Snd.Wind.Shift
     * for every segment after the SYNs, and our window field is RCV.WND
     * >> Rcv.Wind.Shift; a shift above 14 is used as 14 (2.3). */
    struct fx *f = &F;
    f->cfg.wscale = 2;
    f->cfg.rcvbuf = 262144;
    fx_make(f, TCPS_LISTEN);
    struct tcp_hdr syn = fx_hdr(f, TCP_SYN, IRS, 0);
    tcp_opt_set(&syn, TCPOPT_WSCALE, 3);
    fx_input_hdr(f, &syn, NULL, 0);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, ISS, IRS + 1);
    uint32_t sh = 99;
    ck_assert(seg_wscale(f, 0, &sh));
    ck_assert_uint_eq(sh, 2);
    ck_assert_uint_eq(fx_segat(f, 0)->h.win, 65535);     /* SYN: unscaled, capped */
    fx_mark(f);
    struct tcp_hdr ack = fx_hdr(f, TCP_ACK, IRS + 1, ISS + 1);
    ack.win = 1000;
    fx_input_hdr(f, &ack, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_wnd, 8000);               /* 1000 << 3 */
    fx_mark(f);
    struct tcp_hdr data = fx_hdr(f, TCP_ACK | TCP_PSH, IRS + 1, ISS + 1);
    data.win = 1000;
    fx_input_hdr(f, &data, "0123456789", 10);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 11);
    ck_assert_uint_eq(fx_segat(f, 0)->h.win, (262144 - 10) >> 2);
    ck_assert(!seg_wscale(f, 0, &sh));                   /* only on SYNs */

    struct fx g;
    fx_init(&g);
    g.cfg.wscale = 0;
    fx_make(&g, TCPS_LISTEN);
    struct tcp_hdr big = fx_hdr(&g, TCP_SYN, IRS, 0);
    tcp_opt_set(&big, TCPOPT_WSCALE, 15);
    fx_input_hdr(&g, &big, NULL, 0);
    ck_assert_uint_eq(g.c.snd_shift, 14);
    fx_free(&g);
}
END_TEST

START_TEST(test_rfc7323_2_3_window_update_quotes_the_scaled_field)
{
    /* A window update says the window the segment tells the peer of:
     * SEG.WND << shift, not the free buffer, whose low bits the shifted
     * field cannot carry (4002 free, field 1000, shift 2: 4000). */
    struct fx *f = &F;
    f->cfg.wscale = 2;
    f->cfg.rcvbuf = 4002;
    fx_make(f, TCPS_LISTEN);
    struct tcp_hdr syn = fx_hdr(f, TCP_SYN, IRS, 0);
    tcp_opt_set(&syn, TCPOPT_WSCALE, 2);
    fx_input_hdr(f, &syn, NULL, 0);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    const uint8_t *d = pattern(4000);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, d, 1460);
    fx_input(f, TCP_ACK, IRS + 1461, ISS + 1, d + 1460, 1460);
    fx_input(f, TCP_ACK, IRS + 2921, ISS + 1, d + 2920, 1080);
    ck_assert_uint_eq(f->c.rcv_wnd_advertised, 0);
    uint8_t buf[4000];
    fx_mark(f);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, sizeof buf), 4000);
    FX_NSEGS(f, 1);
    const struct fx_seg *u = fx_segat(f, 0);
    FX_SEG(f, 0, TCP_ACK, ISS + 1, IRS + 4001);
    ck_assert_uint_eq(u->why.id, N_SEG_WINUPDATE);
    ck_assert_uint_eq(u->h.win, 1000);
    ck_assert_int_eq(u->why.a[0], (int64_t)u->h.win << 2);
}
END_TEST

/* RFC 9293 3.8.6.2.2 (receiver SWS avoidance) with RFC 7323 2.3: a read
 * sends a window update only when the window the peer is told -- the free
 * space shifted right and back -- has grown by min(RCV.BUFF/2,
 * Eff.snd.MSS).  Free space below one unit of the shift is no window to
 * the peer: an "update" then would repeat a zero window. */
START_TEST(test_rfc9293_3_8_6_2_2_window_update_threshold_is_scaled)
{
    struct fx *f = &F;
    f->cfg.wscale = 12;                       /* units of 4096 bytes */
    f->cfg.rcvbuf = 20480;
    fx_make(f, TCPS_LISTEN);
    struct tcp_hdr syn = fx_hdr(f, TCP_SYN, IRS, 0);
    tcp_opt_set(&syn, TCPOPT_WSCALE, 0);
    syn.mss = 1000;                           /* Eff.snd.MSS = 1000 */
    fx_input_hdr(f, &syn, NULL, 0);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    FX_STATE(f, TCPS_ESTABLISHED);
    ck_assert_uint_eq(f->c.snd_mss, 1000);
    const uint8_t *d = pattern(1024);
    for (uint32_t off = 0; off < 20480; off += 1024)
        fx_input(f, TCP_ACK, IRS + 1 + off, ISS + 1, d, 1024);
    ck_assert_uint_eq(f->c.rcv_wnd_advertised, 0);
    uint8_t buf[20480];
    /* 3000 bytes free: 3000 >> 12 = 0, the peer would be told 0 */
    fx_mark(f);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, 3000), 3000);
    FX_NSEGS(f, 0);
    /* 4096 free: the peer is told 4096, above min(10240, 1000) */
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, 1096), 1096);
    FX_NSEGS(f, 1);
    const struct fx_seg *u = fx_segat(f, 0);
    ck_assert_uint_eq(u->why.id, N_SEG_WINUPDATE);
    ck_assert_uint_eq(u->h.win, 1);
    ck_assert_int_eq(u->why.a[0], 4096);
    /* the peer now knows of 4096 >= the threshold: no more updates */
    fx_mark(f);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, 8192), 8192);
    FX_NSEGS(f, 0);

    /* unscaled, the threshold is Eff.snd.MSS (the peer's 536 here), not
     * our own MSS of 1460: reading 600 bytes of a full buffer opens it */
    fx_free(f);
    fx_init(f);
    f->cfg.rcvbuf = 4000;
    fx_make(f, TCPS_LISTEN);
    syn = fx_hdr(f, TCP_SYN, IRS, 0);
    syn.mss = 536;
    fx_input_hdr(f, &syn, NULL, 0);
    fx_input(f, TCP_ACK, IRS + 1, ISS + 1, NULL, 0);
    for (uint32_t off = 0; off < 4000; off += 500)
        fx_input(f, TCP_ACK, IRS + 1 + off, ISS + 1, d, 500);
    ck_assert_uint_eq(f->c.rcv_wnd_advertised, 0);
    fx_mark(f);
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, 500), 500);
    FX_NSEGS(f, 0);                           /* 500 < 536 */
    ck_assert_int_eq(tcp_recv(&f->c, f->now, buf, 100), 100);
    FX_NSEGS(f, 1);
    ck_assert_int_eq(fx_segat(f, 0)->why.a[0], 600);
}
END_TEST

Suite *tcp_suite(void)
{
    Suite *s = suite_create("tcp");

    TCase *tc = tcase_create("fixtures");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fixture_builds_every_state);
    tcase_add_test(tc, test_fixture_sequence_variables);
    tcase_add_test(tc, test_state_names_contract);
    suite_add_tcase(s, tc);

    tc = tcase_create("arrows");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_closed_listen);
    tcase_add_test(tc, test_closed_syn_sent);
    tcase_add_test(tc, test_closed_tcb_ignores_segments);
    tcase_add_test(tc, test_listen_syn_to_syn_received);
    tcase_add_test(tc, test_listen_spawned_child_syn_to_syn_received);
    tcase_add_test(tc, test_listen_ack_sends_rst);
    tcase_add_test(tc, test_listen_rst_ignored);
    tcase_add_test(tc, test_listen_other_dropped);
    tcase_add_test(tc, test_listen_close_to_closed);
    tcase_add_test(tc, test_syn_sent_synack_to_established);
    tcase_add_test(tc, test_syn_sent_syn_to_syn_received);
    tcase_add_test(tc, test_syn_sent_bad_ack_sends_rst);
    tcase_add_test(tc, test_syn_sent_rst_with_good_ack_to_closed);
    tcase_add_test(tc, test_syn_sent_rst_without_ack_ignored);
    tcase_add_test(tc, test_syn_sent_ack_without_syn_dropped);
    tcase_add_test(tc, test_syn_sent_close_to_closed);
    tcase_add_test(tc, test_syn_sent_close_names_the_queued_bytes_it_discards);
    tcase_add_test(tc, test_text_after_fin_is_ignored_and_recorded);
    tcase_add_test(tc, test_fin_behind_ignored_text_is_not_taken);
    tcase_add_test(tc, test_time_wait_fin_in_sequence_restarts_2msl);
    tcase_add_test(tc, test_fin_behind_old_text_after_fin_is_taken_as_alone);
    tcase_add_test(tc, test_segment_arrives_matrix);
    tcase_add_test(tc, test_closed_reset_matrix);
    tcase_add_test(tc, test_syn_text_is_not_kept_and_says_so);
    tcase_add_test(tc, test_syn_sent_send_queued_until_established);
    tcase_add_test(tc, test_syn_sent_synack_without_queued_data_sends_a_bare_ack);
    tcase_add_test(tc, test_syn_received_ack_to_established);
    tcase_add_test(tc, test_syn_received_ack_with_data_continues_processing);
    tcase_add_test(tc, test_syn_received_rst_passive_to_listen);
    tcase_add_test(tc, test_syn_received_rst_active_to_closed);
    tcase_add_test(tc, test_syn_received_syn_passive_to_listen);
    tcase_add_test(tc, test_syn_received_close_to_fin_wait_1);
    tcase_add_test(tc, test_syn_received_close_retransmits_synack_then_fin);
    tcase_add_test(tc, test_syn_received_close_with_queued_data_waits);
    tcase_add_test(tc, test_syn_received_bad_ack_sends_rst);
    tcase_add_test(tc, test_syn_received_synack_simultaneous_open_to_established);
    tcase_add_test(tc, test_syn_received_rto_retransmits_synack);
    tcase_add_test(tc, test_established_close_to_fin_wait_1);
    tcase_add_test(tc, test_established_close_sends_fin_after_queued_data);
    tcase_add_test(tc, test_established_fin_to_close_wait);
    tcase_add_test(tc, test_established_data_and_fin_to_close_wait);
    tcase_add_test(tc, test_established_rst_to_closed);
    tcase_add_test(tc, test_established_rst_out_of_window_ignored_or_challenged);
    tcase_add_test(tc, test_established_syn_challenge_ack);
    tcase_add_test(tc, test_established_ack_of_unsent_data_acked_and_dropped);
    tcase_add_test(tc, test_fin_wait_1_ack_to_fin_wait_2);
    tcase_add_test(tc, test_fin_wait_1_fin_to_closing);
    tcase_add_test(tc, test_fin_wait_1_finack_to_time_wait);
    tcase_add_test(tc, test_fin_wait_1_rto_retransmits_fin);
    tcase_add_test(tc, test_close_in_syn_received_first_ack_sets_the_window);
    tcase_add_test(tc, test_fin_wait_2_fin_to_time_wait);
    tcase_add_test(tc, test_fin_wait_2_half_close_still_receives);
    tcase_add_test(tc, test_close_wait_close_to_last_ack);
    tcase_add_test(tc, test_close_wait_can_still_send);
    tcase_add_test(tc, test_last_ack_ack_to_closed);
    tcase_add_test(tc, test_closing_ack_to_time_wait);
    tcase_add_test(tc, test_time_wait_timeout_to_closed);
    tcase_add_test(tc, test_time_wait_retransmitted_fin_reacked_and_2msl_restarted);
    tcase_add_test(tc, test_time_wait_rst_to_closed);
    tcase_add_test(tc, test_abort_established_sends_rst);
    tcase_add_test(tc, test_abort_listen_sends_nothing);
    tcase_add_test(tc, test_abort_syn_sent_sends_nothing);
    tcase_add_test(tc, test_abort_time_wait_sends_nothing);
    tcase_add_test(tc, test_reset_for_segment_without_ack);
    tcase_add_test(tc, test_reset_for_segment_with_ack);
    tcase_add_test(tc, test_reset_for_rst_gets_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("behaviour");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_rto_backoff_syn_then_give_up);
    tcase_add_test(tc, test_rto_backoff_capped_at_rto_max);
    tcase_add_test(tc, test_rto_longer_than_the_ceiling_is_its_own_ceiling);
    tcase_add_test(tc, test_rto_data_retransmitted_and_reset_on_ack);
    tcase_add_test(tc, test_rto_data_gives_up_to_closed);
    tcase_add_test(tc, test_send_segments_by_peer_mss);
    tcase_add_test(tc, test_send_mss_is_ours_when_smaller);
    tcase_add_test(tc, test_nagle_on_holds_small_writes_while_unacked);
    tcase_add_test(tc, test_nagle_off_sends_small_writes_at_once);
    tcase_add_test(tc, test_nagle_holds_short_tail_of_large_write);
    tcase_add_test(tc, test_send_limited_by_peer_window);
    tcase_add_test(tc, test_zero_window_persist_probe);
    tcase_add_test(tc, test_rfc9293_3_8_6_1_unanswered_probes_give_up);
    tcase_add_test(tc, test_rfc9293_3_8_6_1_probe_taken_back_with_its_fin);
    tcase_add_test(tc, test_recv_is_a_byte_stream);
    tcase_add_test(tc, test_recv_window_shrinks_and_update_after_read);
    tcase_add_test(tc, test_recv_zero_window_refuses_then_reopens);
    tcase_add_test(tc, test_recv_out_of_order_queued_until_gap_fills);
    tcase_add_test(tc, test_recv_out_of_order_fin_processed_when_gap_fills);
    tcase_add_test(tc, test_recv_out_of_order_beyond_window_trimmed);
    tcase_add_test(tc, test_recv_out_of_order_queue_stays_shallow_in_any_order);
    tcase_add_test(tc, test_recv_out_of_order_same_seq_newest_first);
    tcase_add_test(tc, test_recv_old_duplicate_acked_and_dropped);
    tcase_add_test(tc, test_syn_data_ignored);
    tcase_add_test(tc, test_sequence_wraparound_send);
    tcase_add_test(tc, test_sequence_wraparound_receive);
    tcase_add_test(tc, test_app_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("walks");
    tcase_add_checked_fixture(tc, walk_setup, walk_teardown);
    tcase_add_test(tc, test_walk_handshake);
    tcase_add_test(tc, test_walk_data_both_ways);
    tcase_add_test(tc, test_walk_active_close_time_wait_closed);
    tcase_add_test(tc, test_walk_simultaneous_close);
    tcase_add_test(tc, test_walk_simultaneous_open);
    tcase_add_test(tc, test_walk_syn_lost_and_retransmitted);
    tcase_add_test(tc, test_walk_time_wait_answers_retransmitted_fin);
    tcase_add_test(tc, test_walk_wraparound_both_ways);
    tcase_add_test(tc, test_walk_connect_to_closed_port_refused);
    tcase_add_test(tc, test_walk_rfc1122_4_2_2_13_unread_close_resets_both_ends);
    suite_add_tcase(s, tc);

    tc = tcase_create("rfc-details");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_zero_window_still_takes_valid_ack);
    tcase_add_test(tc, test_zero_window_overlap_takes_valid_ack);
    tcase_add_test(tc, test_segment_spanning_the_window_sentence);
    tcase_add_test(tc, test_calls_after_rst_say_reset);
    tcase_add_test(tc, test_rfc9293_3_10_7_2_listen_rst_goes_to_sender);
    tcase_add_test(tc, test_rfc9293_3_10_7_3_syn_sent_rst_goes_to_sender);
    tcase_add_test(tc, test_rfc9293_3_10_7_4_syn_received_rst_goes_to_sender);
    tcase_add_test(tc, test_rfc9293_3_6_1_time_wait_new_syn_reopens);
    tcase_add_test(tc, test_rfc9293_3_10_7_4_time_wait_old_syn_challenged);
    tcase_add_test(tc, test_rfc5961_5_2_ack_below_max_window_acked_and_dropped);
    tcase_add_test(tc, test_rfc9293_3_6_1_time_wait_new_syn_without_listener_challenged);
    tcase_add_test(tc, test_rfc9293_3_6_1_time_wait_reopen_switched_off);
    tcase_add_test(tc, test_rfc1122_4_2_2_13_close_with_unread_data_sends_rst);
    tcase_add_test(tc, test_rfc1122_4_2_2_13_close_wait_unread_range_excludes_fin);
    tcase_add_test(tc, test_rfc1122_4_2_2_13_read_all_or_shutdown_still_sends_fin);
    tcase_add_test(tc, test_rfc1122_4_2_2_13_data_after_close_sends_rst);
    tcase_add_test(tc, test_rfc6298_5_2_rto_stop_names_its_cause);
    tcase_add_test(tc, test_rfc9293_3_8_6_1_persist_stop_is_recorded_with_its_cause);
    tcase_add_test(tc, test_rfc9293_3_3_1_ack_sentence_quotes_next_byte_expected);
    tcase_add_test(tc, test_rfc9293_3_8_6_2_2_window_update_threshold_is_scaled);
    tcase_add_test(tc, test_rfc5961_7_out_of_window_acks_are_throttled);
    tcase_add_test(tc, test_rfc7323_2_2_syn_offers_wscale);
    tcase_add_test(tc, test_rfc7323_2_2_synack_only_if_syn_offered);
    tcase_add_test(tc, test_rfc7323_2_3_windows_shift_both_ways);
    tcase_add_test(tc, test_rfc7323_2_3_window_update_quotes_the_scaled_field);
    suite_add_tcase(s, tc);

    return s;
}
