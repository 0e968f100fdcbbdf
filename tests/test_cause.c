/* test_cause.c — Check suite for causality in the trace (trace_rec.of):
 * every arrival and drop names the send it came from, a copy the network
 * made names the original send, and a timer's stop or expiry names the
 * start it ends.  Whole runs of small scenarios, read from the trace. */
#include <stdint.h>
#include <stdlib.h>
#include <check.h>
#include "testutil.h"

#include "lang.h"
#include "sim.h"
#include "trace.h"
#include "suites.h"

struct run {
    struct scenario *scn;
    struct sim sim;
};

static struct run *run(const char *text)
{
    struct run *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->scn = tu_parse(text);
    sim_init(&r->sim, r->scn, 1);
    sim_run(&r->sim);
    ck_assert_int_eq(r->sim.truncated, 0);
    return r;
}

static void done(struct run *r)
{
    sim_free(&r->sim);
    scenario_free(r->scn);
    free(r);
}

/* The record rec names, checked to be an earlier one; NULL for none. */
static const struct trace_rec *cause(const struct trace *tr,
                                     const struct trace_rec *rec)
{
    if (!rec->of)
        return NULL;
    ck_assert_uint_lt(rec->of - 1, (size_t)(rec - tr->recs));
    return &tr->recs[rec->of - 1];
}

/* A recv or drop names a send of the same frame from the same sender. */
static void assert_names_its_send(const struct trace *tr,
                                  const struct trace_rec *rec)
{
    const struct trace_rec *s = cause(tr, rec);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->kind, TK_SEND);
    ck_assert_uint_eq(s->u.pkt.pkt, rec->u.pkt.pkt);
    ck_assert_int_eq(s->u.pkt.src, rec->u.pkt.src);
}

/* The latest start of the timer before record i. */
static size_t latest_start(const struct trace *tr, size_t i)
{
    const struct trace_rec *t = &tr->recs[i];
    for (size_t k = i; k-- > 0;) {
        const struct trace_rec *s = &tr->recs[k];
        if (s->kind == TK_TIMER && s->u.timer.action == TA_START &&
            s->host == t->host && s->conn == t->conn &&
            s->u.timer.name == t->u.timer.name)
            return k;
    }
    ck_abort_msg("no start before timer record %zu", i);
    return 0;
}

/* Every stop and expiry of timer `name` names its latest start; returns
 * how many there were of action `action`. */
static int assert_timer_ends(const struct trace *tr, int name, int action)
{
    int n = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *t = &tr->recs[i];
        if (t->kind != TK_TIMER || t->u.timer.name != name ||
            t->u.timer.action == TA_START)
            continue;
        ck_assert_uint_eq(t->of, latest_start(tr, i) + 1);
        n += t->u.timer.action == action;
    }
    return n;
}

#define TCP_LINK \
    "host client 192.0.2.10\n" \
    "host server 192.0.2.80\n" \
    "link client server delay 10ms\n" \
    "at 0ms server listen 80\n" \
    "at 10ms client connect server 80\n"

START_TEST(test_recv_names_its_send)
{
    struct run *r = run(TCP_LINK "at 100ms client send \"hi\"\n");
    const struct trace *tr = &r->sim.tr;
    int recvs = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *rec = &tr->recs[i];
        if (rec->kind == TK_SEND)
            ck_assert_uint_eq(rec->of, 0);        /* an original send */
        if (rec->kind != TK_RECV)
            continue;
        assert_names_its_send(tr, rec);
        recvs++;
    }
    ck_assert_int_ge(recvs, 4);    /* SYN, SYN-ACK, ACK, data, its ACK */
    done(r);
}
END_TEST

START_TEST(test_duplicate_names_the_original_send)
{
    struct run *r = run(TCP_LINK
                        "fault duplicate client->server tcp SYN #1\n");
    const struct trace *tr = &r->sim.tr;
    const struct trace_rec *orig = NULL, *copy = NULL;
    for (size_t i = 0; i < tr->n; i++)
        if (tr->recs[i].kind == TK_SEND && tr->recs[i].u.pkt.dup)
            copy = &tr->recs[i];
    ck_assert_ptr_nonnull(copy);
    orig = cause(tr, copy);
    ck_assert_ptr_nonnull(orig);
    ck_assert_int_eq(orig->kind, TK_SEND);
    ck_assert_int_eq(orig->u.pkt.dup, 0);
    ck_assert_uint_eq(orig->u.pkt.pkt, copy->u.pkt.pkt);
    /* two arrivals of the SYN: one names the original, the other the copy,
     * whose own link leads back to the original */
    int from_orig = 0, from_copy = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *rec = &tr->recs[i];
        if (rec->kind != TK_RECV || rec->u.pkt.pkt != orig->u.pkt.pkt)
            continue;
        assert_names_its_send(tr, rec);
        from_orig += cause(tr, rec) == orig;
        from_copy += cause(tr, rec) == copy;
        const struct trace_rec *s = cause(tr, rec);
        ck_assert_ptr_eq(s->u.pkt.dup ? cause(tr, s) : s, orig);
    }
    ck_assert_int_eq(from_orig, 1);
    ck_assert_int_eq(from_copy, 1);
    done(r);
}
END_TEST

START_TEST(test_loss_drop_names_its_send)
{
    struct run *r = run("host client 192.0.2.10\n"
                        "host server 192.0.2.80\n"
                        "link client server delay 10ms loss 100%\n"
                        "at 0ms server listen 80\n"
                        "at 10ms client connect server 80\n");
    const struct trace *tr = &r->sim.tr;
    int losses = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *rec = &tr->recs[i];
        if (rec->kind != TK_DROP && rec->kind != TK_RECV)
            continue;
        assert_names_its_send(tr, rec);
        if (rec->kind == TK_DROP && rec->u.pkt.reason == DR_LOSS) {
            /* lost on its way: decided when it was sent */
            ck_assert_int_eq(cause(tr, rec)->t_us, rec->t_us);
            losses++;
        }
    }
    ck_assert_int_ge(losses, 1);
    done(r);
}
END_TEST

START_TEST(test_frame_never_sent_has_no_cause)
{
    /* nobody holds the address: the datagram waits for ARP and is
     * dropped without ever reaching the wire */
    struct run *r = run("lan office 192.0.2.0/24 delay 1ms\n"
                        "host alice 192.0.2.10 on office\n"
                        "at 0ms alice udp send 192.0.2.99 7 \"anyone?\"\n");
    const struct trace *tr = &r->sim.tr;
    int arp_drops = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *rec = &tr->recs[i];
        if (rec->kind == TK_DROP && rec->u.pkt.reason == DR_ARP) {
            ck_assert_uint_eq(rec->of, 0);
            arp_drops++;
        } else if (rec->kind == TK_DROP || rec->kind == TK_RECV) {
            assert_names_its_send(tr, rec);
        }
    }
    ck_assert_int_ge(arp_drops, 1);
    done(r);
}
END_TEST

START_TEST(test_rto_expiry_names_its_start)
{
    struct run *r = run(TCP_LINK
                        "fault drop client->server tcp SYN #1\n"
                        "fault drop client->server tcp SYN #2\n");
    const struct trace *tr = &r->sim.tr;
    ck_assert_int_eq(assert_timer_ends(tr, TM_RTO, TA_EXPIRE), 2);
    ck_assert_int_ge(assert_timer_ends(tr, TM_RTO, TA_STOP), 1);
    done(r);
}
END_TEST

START_TEST(test_time_wait_stop_and_expiry_name_their_start)
{
    static const char lesson[] =
        "host client 192.0.2.10\n"
        "host server 192.0.2.80\n"
        "link client server delay 20ms\n"
        "tcp isn client 1000 900000\n"
        "tcp msl 1s\n"
        "at 0ms    server listen 80\n"
        "at 10ms   client connect server 80 from 40000\n"
        "at 100ms  server close\n"
        "at 200ms  client close\n"
        "at 1s     client connect server 80 from 40000\n"
        "at 1.5s   client close\n"
        "at 1.6s   server close\n";
    struct run *r = run(lesson);
    const struct trace *tr = &r->sim.tr;
    /* the server's TIME_WAIT ends by the new SYN; the client's runs out */
    ck_assert_int_eq(assert_timer_ends(tr, TM_TIME_WAIT, TA_STOP), 1);
    ck_assert_int_ge(assert_timer_ends(tr, TM_TIME_WAIT, TA_EXPIRE), 1);
    done(r);
}
END_TEST

Suite *cause_suite(void)
{
    Suite *s = suite_create("cause");
    TCase *pkt = tcase_create("packets");
    tcase_add_test(pkt, test_recv_names_its_send);
    tcase_add_test(pkt, test_duplicate_names_the_original_send);
    tcase_add_test(pkt, test_loss_drop_names_its_send);
    tcase_add_test(pkt, test_frame_never_sent_has_no_cause);
    suite_add_tcase(s, pkt);
    TCase *tm = tcase_create("timers");
    tcase_add_test(tm, test_rto_expiry_names_its_start);
    tcase_add_test(tm, test_time_wait_stop_and_expiry_name_their_start);
    suite_add_tcase(s, tm);
    return s;
}
