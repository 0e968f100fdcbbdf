/* listenq.c — a listener's SYN queue and accept queue (`listen PORT backlog
 * N`) and its SYN cookies (RFC 4987 3.6): which SYN may make a half-open
 * child, which child waits for accept(), and the stateless answer when the
 * SYN queue is full.
 *
 * What is modelled is Linux's behaviour (tcp_conn_request, tcp_check_req):
 * one number, the backlog, bounds both queues -- the SYN queue to N
 * (inet_csk_reqsk_queue_is_full: full when it holds N) and the accept
 * queue to N + 1 (sk_acceptq_is_full: full when it holds more than N;
 * see accq_full).  With the SYN queue full and
 * cookies off a new SYN is dropped without a reply (the attack of RFC 4987
 * 2: the client retransmits, and gives up if the flood lasts); with the
 * accept queue full a SYN is dropped whatever the cookies say, and so is an
 * ACK that would complete a handshake (tcp_abort_on_overflow off).  Of RFC
 * 4987's defences, 3.2 (a larger backlog: `backlog N`), 3.3 (a shorter
 * SYN-RECEIVED timer: `tcp rto`, `tcp retries`) and 3.6 (SYN cookies: `tcp
 * syncookies on`) can be shown; 3.4 (recycling the oldest half-open TCB)
 * and 3.5 (a SYN cache) are not modelled.  Simplification: Linux checks an
 * arriving ACK against its cookies only within two minutes of an overflow;
 * here a listener with cookies on and a backlog always checks. */
#include "narrate.h"
#include "simint.h"

uint64_t lq_secret(uint64_t seed, int h)
{
    /* splitmix64 of the seed and the host: the run's generator is not
     * drawn from, so a lesson without cookies sees the numbers it saw
     * before cookies existed */
    uint64_t x = seed + 0x9e3779b97f4a7c15ULL * ((uint64_t)h + 1);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

int lq_busy(const struct sim_conn *listener)
{
    const struct sim_conn_more *lm = listener->more;
    return lm && (lm->syn_n || lm->acc_n);
}

/* listener's queues, NULL if it has no backlog */
static struct sim_conn_more *queues(const struct sim_conn *listener)
{
    return listener->more && listener->more->backlog ? listener->more : NULL;
}

/* Linux's sk_acceptq_is_full(): "sk_ack_backlog > sk_max_ack_backlog",
 * so the accept queue takes one connection more than the backlog before it
 * counts as full (`listen(fd, 2)` lets 3 established connections wait). */
static int accq_full(const struct sim_conn_more *lm)
{
    return lm->acc_n > lm->backlog;
}

/* The frame being delivered is dropped at host h for a full queue. */
static void drop(struct sim *s, int h, int reason, struct why why)
{
    net_drop_arrived(s, h, s->arrival_pkt, TL_TCP, reason, why);
}

int lq_syn(struct sim *s, int h, struct sim_conn *listener,
           const struct frame *f)
{
    const struct sim_conn_more *lm = queues(listener);
    if (!lm)
        return 0;
    uint16_t port = listener->tcb.lport;
    if (accq_full(lm)) {
        drop(s, h, DR_ACCEPTQ,
             WHY(N_TCP_ACCQ_FULL_SYN, port, lm->acc_n, lm->backlog));
        return 1;
    }
    if (lm->syn_n < lm->backlog)
        return 0;
    if (listener->tcb.cfg->syncookies) {
        tcp_cookie_synack(&listener->tcb, s->now, f->ip.src, &f->tcp,
                          lq_secret(s->seed, h));
        return 1;
    }
    drop(s, h, DR_SYNQ, WHY(N_TCP_SYNQ_FULL, port, lm->syn_n));
    return 1;
}

void lq_adopt(struct sim_conn *listener, struct sim_conn *child)
{
    struct sim_conn_more *lm = queues(listener);
    if (!lm)
        return;
    sim_more(child)->parent = listener;
    child->queue = Q_SYN;
    child->tcb.in_synq = 1;
    lm->syn_n++;
}

int lq_listener_seg(struct sim *s, int h, struct sim_conn *listener,
                    const struct frame *f)
{
    const struct tcp_hdr *th = &f->tcp;
    const struct sim_conn_more *lm = queues(listener);
    if (!lm || !listener->tcb.cfg->syncookies ||
        (th->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_ACK)
        return 0;
    uint16_t mss;
    if (!tcp_cookie_ack(&listener->tcb, s->now, f->ip.src, th,
                        f->payload_len, lq_secret(s->seed, h), &mss))
        return 1;                              /* reset by the listener */
    if (accq_full(lm)) {
        drop(s, h, DR_ACCEPTQ, WHY(N_TCP_ACCQ_FULL_COOKIE, listener->tcb.lport,
                                   lm->acc_n, lm->backlog));
        return 1;
    }
    /* the connection the cookie describes, never half-open: lq_update
     * puts it in the accept queue once it is ESTABLISHED */
    struct sim_conn *sc = sim_spawn(s, h, listener, f);
    sim_more(sc)->parent = listener;
    tcp_cookie_open(&sc->tcb, s->now, th, mss);
    tcp_input(&sc->tcb, s->now, f->ip.src, th, f->payload, f->payload_len);
    sim_after_tcb(s, sc);
    return 1;
}

int lq_hold_ack(struct sim *s, int h, struct sim_conn *sc,
                const struct frame *f)
{
    const struct sim_conn *l = sc->more->parent;   /* queued: it has one */
    const struct sim_conn_more *lm = l->more;
    const struct tcp_hdr *th = &f->tcp;
    const struct tcp_conn *c = &sc->tcb;
    if (!accq_full(lm) || c->state != TCPS_SYN_RECEIVED ||
        (th->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_ACK ||
        !seq_lt(c->snd_una, th->ack) || seq_gt(th->ack, c->snd_nxt))
        return 0;
    /* an acceptable ACK (RFC 9293 3.10.7.4, fifth) that would make the
     * child ESTABLISHED with nowhere to wait for accept() */
    drop(s, h, DR_ACCEPTQ, WHY(N_TCP_ACCQ_FULL_ACK, l->tcb.lport, lm->acc_n,
                               lm->backlog));
    /* the child's retransmission timer will expire: it must not say that
     * no acknowledgement came */
    sc->tcb.ack_dropped = 1;
    return 1;
}

/* accept() returns sc: the application's record of the call. */
static void hand_over(struct sim *s, const struct sim_conn *l,
                      struct sim_conn *sc, int waited)
{
    const struct tcp_conn *c = &sc->tcb;
    trace_app(&s->tr, s->now, sc->tcb.host, TL_TCP, c->id, AC_ACCEPT, 0, NULL, 0,
              waited ? WHY(N_APP_ACCEPT_WAITED, c->raddr, c->rport, c->lport)
                     : WHY(N_APP_ACCEPT, c->raddr, c->rport, c->lport,
                           l->more->acc_n));
    sc->more->parent = NULL;
    sc->queue = Q_NONE;
}

static void unlink_accept(struct sim_conn *l, struct sim_conn *sc)
{
    struct sim_conn_more *lm = l->more, *m = sc->more;
    if (m->acc_prev)
        m->acc_prev->more->acc_next = m->acc_next;
    else
        lm->acc_head = m->acc_next;
    if (m->acc_next)
        m->acc_next->more->acc_prev = m->acc_prev;
    else
        lm->acc_tail = m->acc_prev;
    m->acc_prev = m->acc_next = NULL;
    lm->acc_n--;
}

struct sim_conn *lq_update(struct sim *s, struct sim_conn *sc)
{
    struct sim_conn_more *m = sc->more;   /* it has a parent */
    struct sim_conn *l = m->parent;
    struct sim_conn_more *lm = l->more;
    int st = sc->tcb.state;
    if (sc->queue == Q_SYN && st != TCPS_SYN_RECEIVED) {
        lm->syn_n--;               /* established, reset or given up */
        sc->queue = Q_NONE;
        sc->tcb.in_synq = 0;
    }
    if (sc->queue == Q_NONE && st >= TCPS_ESTABLISHED) {
        /* synchronized: it waits for accept(), unless one waits for it */
        if (lm->accepts_waiting) {
            lm->accepts_waiting--;
            hand_over(s, l, sc, 1);
        } else {
            sc->queue = Q_ACCEPT;
            m->acc_prev = lm->acc_tail;
            if (lm->acc_tail)
                lm->acc_tail->more->acc_next = sc;
            else
                lm->acc_head = sc;
            lm->acc_tail = sc;
            lm->acc_n++;
        }
    } else if (sc->queue == Q_ACCEPT && st == TCPS_CLOSED) {
        /* reset or timed out before anyone accepted it */
        unlink_accept(l, sc);
        sc->queue = Q_NONE;
    }
    if (sc->queue != Q_NONE)
        return NULL;
    m->parent = NULL;
    return l;
}

struct sim_conn *lq_accept(struct sim *s, int h, uint16_t port)
{
    struct sim_conn *l = sim_listener_on(&s->hosts[h], port);
    struct sim_conn_more *lm = l ? queues(l) : NULL;
    if (!lm) {
        int err = l ? -TCPE_ILLEGAL : -TCPE_NOTCONN;
        trace_app(&s->tr, s->now, h, TL_TCP, l ? l->tcb.id : 0, AC_ACCEPT, err,
                  NULL, 0,
                  WHY(l ? N_APP_ERR_ACCEPT_NOBACKLOG : N_APP_ERR_ACCEPT_NOLISTEN,
                      port, trace_intern(&s->tr, _(tcp_err_str(err)))));
        return NULL;
    }
    struct sim_conn *sc = lm->acc_head;
    if (!sc) {
        /* a blocking accept(): it returns when a connection completes */
        lm->accepts_waiting++;
        return NULL;
    }
    unlink_accept(l, sc);
    hand_over(s, l, sc, 0);
    return lq_busy(l) ? NULL : l;
}
