/* tcp.c — the TCP connection state machine of RFC 9293, one TCB at a time.
 *
 * Shape: application calls (3.10.1-3.10.5), SEGMENT ARRIVES (3.10.7) split by
 * state into LISTEN, SYN-SENT and "otherwise" exactly as the RFC splits it,
 * and the timeouts (3.10.8).  Every transition goes through set_state(),
 * which appends the trace record; every segment leaves through xmit().
 *
 * Simplifications, stated honestly:
 *  - No delayed ACK: every data segment and FIN is acknowledged at once.
 *  - The RTO does not adapt to measured RTT (RFC 6298 SRTT/RTTVAR): it starts
 *    at the configured value, doubles on each expiry (RFC 6298 5.5) and
 *    returns to the configured value when new data is acknowledged.  This
 *    keeps lessons readable; real stacks measure.
 *  - On RTO expiry only the first unacknowledged segment is retransmitted.
 *  - No urgent data, no window scaling, no timestamps, no SACK; the only
 *    option is MSS.  Data carried on a SYN is ignored.
 *  - close() and shutdown() are both RFC 9293's CLOSE ("I have no more to
 *    send"), except that close() also gives up reading: unread or later
 *    data makes it reset the connection (RFC 1122 4.2.2.13).
 *
 * Index: which function handles each (state x event).
 *
 *   OPEN, passive (3.10.1)  CLOSED: tcp_listen -> LISTEN; else EXISTS.
 *   OPEN, active (3.10.1)   CLOSED: tcp_connect -> SYN-SENT; else EXISTS.
 *   SEND (3.10.2)           tcp_send: SYN-SENT, SYN-RECEIVED, ESTABLISHED,
 *                           CLOSE-WAIT queue, output(); the others refuse.
 *   RECEIVE (3.10.3)        tcp_recv: any state but LISTEN (and CLOSED with
 *                           nothing queued); maybe_window_update().
 *   CLOSE (3.10.4)          tcp_close / tcp_shutdown -> do_close:
 *                           LISTEN, SYN-SENT -> enter_closed;
 *                           SYN-RECEIVED, ESTABLISHED -> FIN-WAIT-1;
 *                           CLOSE-WAIT -> LAST-ACK; FIN-WAIT-1/2 nothing;
 *                           CLOSING, LAST-ACK, TIME-WAIT -TCPE_CLOSING.
 *                           tcp_close first resets on unread data in
 *                           SYN-RECEIVED .. CLOSE-WAIT (RFC 1122 4.2.2.13).
 *   ABORT (3.10.5)          tcp_abort: RST + enter_closed in SYN-RECEIVED,
 *                           ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT; else
 *                           enter_closed silently.
 *   SEGMENT ARRIVES         tcp_input dispatches by state:
 *     CLOSED (3.10.7.1)       nothing: the host answers with tcp_reset_for.
 *     LISTEN (3.10.7.2)       listen_input -> SYN-RECEIVED (ESTABLISHED
 *                             for two_way); the host clones the listener
 *                             first with tcp_spawn.
 *     SYN-SENT (3.10.7.3)     syn_sent_input -> ESTABLISHED, SYN-RECEIVED
 *                             (simultaneous open) or enter_closed on RST.
 *     the others (3.10.7.4)   other_input (after the simultaneous-open
 *                             SYN,ACK in SYN-RECEIVED), in the RFC's
 *                             order: first seq_acceptable; second RST
 *                             rst_in_synchronized; fourth SYN (SYN-RECEIVED
 *                             passive -> LISTEN, else challenge ACK); fifth
 *                             ACK (SYN-RECEIVED -> ESTABLISHED there, else
 *                             sync_ack: ack_advance, update_window,
 *                             FIN-WAIT-1 -> FIN-WAIT-2, CLOSING -> TIME-WAIT,
 *                             LAST-ACK -> enter_closed); seventh text
 *                             deliver; eighth FIN fin_arrived (SYN-RECEIVED,
 *                             ESTABLISHED -> CLOSE-WAIT; FIN-WAIT-1 ->
 *                             CLOSING or TIME-WAIT; FIN-WAIT-2 -> TIME-WAIT).
 *     TIME-WAIT, new SYN      tcp_time_wait_syn, asked by the host first
 *                             (RFC 9293 3.6.1 MAY-2): a challenge ACK, or
 *                             enter_closed and the host opens a new TCB
 *                             with tcp_spawn + tcp_reopen_from.
 *   Timeouts (3.10.8)       tcp_timer, due at tcp_deadline():
 *     TIME-WAIT (2MSL)        tw_due -> enter_closed (time_wait_start arms).
 *     persist                 persist_due -> output(probe) (armed in output).
 *     retransmission (RTO)    rto_due -> retransmit_front and back off, or
 *                             give up with enter_closed (rto_start arms).
 */
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "tcp.h"
#include "alloc.h"

static const char *const state_names[TCPS_NSTATES] = {
#define X(s) #s,
    TCP_STATES(X)
#undef X
};

const char *tcp_state_name(int s)
{
    return name_of(state_names, TCPS_NSTATES, s);
}

int tcp_state_parse(const char *s)
{
    return name_index(state_names, TCPS_NSTATES, s);
}

static const char *const err_names[TCPE_COUNT] = {
#define X(id, text) text,
    TCP_ERRORS(X)
#undef X
};

const char *tcp_err_str(int err)
{
    if (err > 0)
        err = 0;
    return -err < TCPE_COUNT ? err_names[-err] : "?";
}

void tcp_config_default(struct tcp_config *c)
{
    c->mss = 1460;
    c->rto_us = 1000000;           /* RFC 6298 2.1: initial RTO of 1 second */
    c->rto_max_us = 60000000;      /* RFC 6298 2.5: a maximum of at least 60 s */
    c->retries = 5;
    c->msl_us = 30000000;
    c->nagle = 1;
    c->two_way = 0;
    c->tw_reopen = 1;
    c->rcvbuf = 65535;
    c->sndbuf = 16u << 20;
    c->wscale = -1;                /* no window scale unless asked */
}

/* ---- byte queues ---------------------------------------------------- */

static void bq_push(struct bytequeue *q, const uint8_t *p, size_t n)
{
    /* A FIN without data pushes nothing; memcpy with a NULL buffer is
     * undefined even for 0 bytes (C11 7.24.1p2), and UBSan stops on it. */
    if (n == 0)
        return;
    if (q->head + q->len + n > q->cap) {
        if (q->head) {
            memmove(q->buf, q->buf + q->head, q->len);
            q->head = 0;
        }
        if (q->len + n > q->cap) {
            size_t cap = q->cap ? q->cap : 1024;
            while (cap < q->len + n)
                cap *= 2;
            uint8_t *nb = xrealloc(q->buf, cap);
            q->buf = nb;
            q->cap = cap;
        }
    }
    memcpy(q->buf + q->head + q->len, p, n);
    q->len += n;
}

static void bq_pop(struct bytequeue *q, uint8_t *out, size_t n)
{
    if (n > q->len)
        n = q->len;
    if (out && n)          /* an empty queue may have no buffer at all */
        memcpy(out, q->buf + q->head, n);
    q->head += n;
    q->len -= n;
    if (q->len == 0)
        q->head = 0;
}

static const uint8_t *bq_at(const struct bytequeue *q, size_t off)
{
    return q->buf + q->head + off;
}

/* ---- TCB life ------------------------------------------------------- */

void tcp_init(struct tcp_conn *c, const struct tcp_config *cfg,
              const struct tcp_env *env, uint32_t id,
              ip4_addr laddr, uint16_t lport, ip4_addr raddr, uint16_t rport)
{
    memset(c, 0, sizeof *c);
    c->state = TCPS_CLOSED;
    c->cfg = *cfg;
    c->env = *env;
    c->id = id;
    c->laddr = laddr;
    c->lport = lport;
    c->raddr = raddr;
    c->rport = rport;
    c->rto_cur = cfg->rto_us;
    c->rcv_wnd = cfg->rcvbuf;
    c->snd_mss = 536;              /* RFC 9293 3.7.1: default send MSS */
}

static void ooo_free(struct tcp_conn *c)
{
    while (c->ooo) {
        struct tcp_ooo *n = c->ooo->next;
        free(c->ooo->data);
        free(c->ooo);
        c->ooo = n;
    }
}

void tcp_destroy(struct tcp_conn *c)
{
    free(c->sndq.buf);
    free(c->rcvq.buf);
    ooo_free(c);
    memset(&c->sndq, 0, sizeof c->sndq);
    memset(&c->rcvq, 0, sizeof c->rcvq);
}

void tcp_spawn(struct tcp_conn *child, const struct tcp_conn *listener,
               uint32_t id, ip4_addr raddr, uint16_t rport)
{
    tcp_init(child, &listener->cfg, &listener->env, id,
             listener->laddr, listener->lport, raddr, rport);
    child->state = TCPS_LISTEN;
    child->passive = 1;
}

/* ---- the trace-writing helpers -------------------------------------- */

/* The one place a TCB changes state. */
static void set_state(struct tcp_conn *c, int64_t now, enum tcp_state to,
                      struct why why)
{
    if (c->state == to)
        return;
    trace_state(c->env.tr, now, c->env.host, TL_TCP, c->id, c->state, to, why);
    c->state = to;
}

static void timer_rec(struct tcp_conn *c, int64_t now, int name, int action,
                      int64_t due, struct why why)
{
    trace_timer(c->env.tr, now, c->env.host, TL_TCP, c->id, name, action, due,
                why);
}

static void rto_start(struct tcp_conn *c, int64_t now)
{
    c->rto_due = now + c->rto_cur;
    timer_rec(c, now, TM_RTO, TA_START, c->rto_due,
              WHY(N_TMR_RTO_START, c->rto_cur));
}

/* Stops the retransmission timer; why says which of its causes it was
 * (everything acknowledged, an RST, close(), abort(), ...). */
static void rto_stop(struct tcp_conn *c, int64_t now, struct why why)
{
    if (!c->rto_due)
        return;
    c->rto_due = 0;
    timer_rec(c, now, TM_RTO, TA_STOP, 0, why);
}

static void persist_stop(struct tcp_conn *c)
{
    c->persist_due = 0;
}

static void time_wait_start(struct tcp_conn *c, int64_t now)
{
    int64_t two_msl = 2 * c->cfg.msl_us;
    rto_stop(c, now, WHY0(N_TMR_RTO_STOP_TW));
    persist_stop(c);
    c->tw_due = now + two_msl;
    timer_rec(c, now, TM_TIME_WAIT, TA_START, c->tw_due,
              WHY(N_TMR_TW_START, two_msl));
}

/* Why a TCB is deleted, for the sentences of the timers that stop with it. */
enum close_cause {
    CC_NORMAL,     /* LAST-ACK acknowledged, TIME-WAIT over, gave up */
    CC_RST,        /* an acceptable RST arrived */
    CC_CLOSE,      /* close() in LISTEN or SYN-SENT */
    CC_ABORT,      /* abort() */
    CC_UNREAD,     /* close() with unread data: RST sent */
    CC_REOPEN,     /* a new SYN reopens the connection from TIME-WAIT */
    CC_AFTER_CLOSE,/* data arrived after close(): RST sent */
    CC_SHUTDOWN    /* shutdown() in LISTEN or SYN-SENT */
};

/* Enter CLOSED: the TCB is deleted (RFC 9293 3.10.7.4), so every timer
 * stops with it, each stop narrated with the cause. */
static void enter_closed(struct tcp_conn *c, int64_t now, int cause,
                         struct why why)
{
    static const uint16_t rto_why[] = {
        [CC_NORMAL] = N_TMR_RTO_STOP_DELETED, [CC_RST] = N_TMR_RTO_STOP_RST,
        [CC_CLOSE] = N_TMR_RTO_STOP_CLOSE, [CC_ABORT] = N_TMR_RTO_STOP_ABORT,
        [CC_UNREAD] = N_TMR_RTO_STOP_UNREAD, [CC_REOPEN] = N_TMR_RTO_STOP_DELETED,
        [CC_AFTER_CLOSE] = N_TMR_RTO_STOP_AFTER_CLOSE,
        [CC_SHUTDOWN] = N_TMR_RTO_STOP_SHUTDOWN,
    };
    static const uint16_t tw_why[] = {
        [CC_NORMAL] = N_TMR_TW_STOP, [CC_RST] = N_TMR_TW_STOP_RST,
        [CC_CLOSE] = N_TMR_TW_STOP, [CC_ABORT] = N_TMR_TW_STOP_ABORT,
        [CC_UNREAD] = N_TMR_TW_STOP, [CC_REOPEN] = N_TMR_TW_STOP_REOPEN,
        [CC_AFTER_CLOSE] = N_TMR_TW_STOP, [CC_SHUTDOWN] = N_TMR_TW_STOP,
    };
    rto_stop(c, now, WHY(rto_why[cause], c->state));
    persist_stop(c);
    if (c->tw_due) {
        c->tw_due = 0;
        timer_rec(c, now, TM_TIME_WAIT, TA_STOP, 0, WHY0(tw_why[cause]));
    }
    c->ack_now = 0;
    set_state(c, now, TCPS_CLOSED, why);
}

/* The largest window our 16-bit field can say: 65535 << Rcv.Wind.Shift. */
static uint32_t max_window(const struct tcp_conn *c)
{
    return (uint32_t)65535 << c->rcv_shift;
}

/* RCV.WND is the free receive buffer; the field carries it shifted right by
 * Rcv.Wind.Shift, except in a SYN (RFC 7323 2.2: "The window field in a
 * segment where the SYN bit is set ... MUST NOT be scaled"). */
static uint16_t window_to_advertise(struct tcp_conn *c, int syn)
{
    uint32_t space = c->cfg.rcvbuf > c->rcvq.len
                   ? c->cfg.rcvbuf - (uint32_t)c->rcvq.len : 0;
    c->rcv_wnd = space;
    uint32_t field = syn ? space : space >> c->rcv_shift;
    return field > 65535 ? 65535 : (uint16_t)field;
}

/* Offer window scale in our SYN, and in a SYN,ACK only when the peer's SYN
 * offered it (RFC 7323 2.2: "may be sent in a <SYN,ACK> segment only if a
 * Window Scale option was received in the initial <SYN> segment"). */
static int offer_wscale(const struct tcp_conn *c, uint8_t flags)
{
    return c->cfg.wscale >= 0 && (!(flags & TCP_ACK) || c->peer_ws);
}

/* Transmit one segment.  ACK carries RCV.NXT whenever the ACK bit is set. */
static void xmit(struct tcp_conn *c, uint8_t flags, uint32_t seq,
                 const uint8_t *data, size_t len, struct why why)
{
    struct tcp_hdr h;
    memset(&h, 0, sizeof h);
    h.sport = c->lport;
    h.dport = c->rport;
    h.seq = seq;
    h.flags = flags;
    if (flags & TCP_ACK) {
        h.ack = c->rcv_nxt;
        c->ack_now = 0;
    }
    h.win = (flags & TCP_RST) ? 0 : window_to_advertise(c, flags & TCP_SYN);
    if (!(flags & TCP_RST))
        c->rcv_wnd_advertised = (flags & TCP_SYN) ? h.win
                              : (uint32_t)h.win << c->rcv_shift;
    if (flags & TCP_SYN) {
        h.mss = c->cfg.mss;
        if (offer_wscale(c, flags))
            tcp_opt_set(&h, TCPOPT_WSCALE, (uint32_t)c->cfg.wscale);
    }
    c->env.emit(c->env.ctx, c, c->raddr, &h, data, len, why);
}

/* ack_now values say why the ACK is owed, for its narration */
#define OWE_ACK       1     /* new data arrived in order */
#define OWE_ACK_FIN   2     /* the peer's FIN arrived */
#define OWE_ACK_OOO   3     /* a segment beyond a gap: ask again for RCV.NXT */

/* ---- output: what may be sent now ----------------------------------- */

static int can_send_data(const struct tcp_conn *c)
{
    switch (c->state) {
    case TCPS_ESTABLISHED: case TCPS_CLOSE_WAIT:
    case TCPS_FIN_WAIT_1: case TCPS_LAST_ACK: case TCPS_CLOSING:
        return 1;
    default:
        return 0;
    }
}

static int syn_acked(const struct tcp_conn *c)
{
    return seq_gt(c->snd_una, c->iss);
}

static int fin_acked(const struct tcp_conn *c)
{
    return c->fin_sent && seq_gt(c->snd_una, c->fin_seq);
}

static size_t sent_unacked_data(const struct tcp_conn *c)
{
    /* bytes of sndq already transmitted: from its first byte (sequence
     * snd_una once the SYN is acknowledged) up to SND.NXT, less a FIN */
    uint32_t first = syn_acked(c) ? c->snd_una : c->iss + 1;
    uint32_t end = c->fin_sent ? c->fin_seq : c->snd_nxt;
    return seq_gt(end, first) ? (size_t)(end - first) : 0;
}

/* Sends what the window, Nagle and the state allow: data, then our FIN once
 * everything before it has been sent, then any ACK still owed. */
static void output(struct tcp_conn *c, int64_t now, int probe)
{
    if (c->state == TCPS_CLOSED || c->state == TCPS_LISTEN)
        return;
    if (can_send_data(c) && syn_acked(c) && !c->fin_sent) {
        for (;;) {
            size_t off = sent_unacked_data(c);
            size_t unsent = c->sndq.len - off;
            if (unsent == 0)
                break;
            uint32_t wnd_end = c->snd_una + c->snd_wnd;
            size_t usable = seq_gt(wnd_end, c->snd_nxt)
                          ? (size_t)(wnd_end - c->snd_nxt) : 0;
            size_t n = unsent;
            if (n > c->snd_mss)
                n = c->snd_mss;
            if (n > usable)
                n = usable;
            if (n == 0 && probe && c->snd_una == c->snd_nxt) {
                /* RFC 9293 3.8.6.1: probe a zero window with one byte */
                xmit(c, TCP_ACK, c->snd_nxt, bq_at(&c->sndq, off), 1,
                     WHY0(N_SEG_PROBE));
                c->probe_out = 1;
                c->probe_seq = c->snd_nxt;
                c->snd_nxt += 1;
                if (!c->rto_due)
                    rto_start(c, now);
                probe = 0;
                continue;
            }
            if (n == 0) {
                if (c->snd_wnd == 0 && c->snd_una == c->snd_nxt &&
                    !c->persist_due) {
                    c->persist_due = now + c->rto_cur;
                    timer_rec(c, now, TM_PERSIST, TA_START, c->persist_due,
                              WHY(N_TMR_PERSIST_START, c->rto_cur));
                }
                break;
            }
            /* RFC 9293 3.7.4 (Nagle): while data is unacknowledged, hold
             * back a segment smaller than the MSS.  A pending close flushes. */
            if (c->cfg.nagle && n < c->snd_mss && c->snd_una != c->snd_nxt &&
                !c->close_pending)
                break;
            uint8_t flags = TCP_ACK | (n == unsent ? TCP_PSH : 0);
            xmit(c, flags, c->snd_nxt, bq_at(&c->sndq, off), n,
                 WHY(N_SEG_DATA, (int64_t)n, c->snd_nxt));
            c->snd_nxt += (uint32_t)n;
            if (!c->rto_due)
                rto_start(c, now);
        }
    }
    /* RFC 9293 3.10.4, SYN-RECEIVED: "If no SENDs have been issued and
     * there is no pending data to send, then form a FIN segment and send
     * it, and enter FIN-WAIT-1 state" -- so the FIN need not wait for our
     * SYN to be acknowledged when nothing is queued before it. */
    if (c->close_pending && !c->fin_sent &&
        (syn_acked(c) || c->sndq.len == 0) &&
        sent_unacked_data(c) == c->sndq.len) {
        c->fin_seq = c->snd_nxt;
        c->fin_sent = 1;
        xmit(c, TCP_FIN | TCP_ACK, c->fin_seq, NULL, 0, WHY0(N_SEG_FIN));
        c->snd_nxt += 1;
        if (!c->rto_due)
            rto_start(c, now);
    }
    if (c->ack_now) {
        /* RFC 9293 3.3.1: the acknowledgment number is the next sequence
         * number the receiver expects, RCV.NXT. */
        struct why w = c->ack_now == OWE_ACK_FIN ? WHY(N_SEG_ACK_FIN, c->rcv_nxt)
                     : c->ack_now == OWE_ACK_OOO
                       ? WHY(N_SEG_ACK_OOO, c->ooo_seq, c->rcv_nxt)
                     : WHY(N_SEG_ACK, c->rcv_nxt);
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0, w);
    }
}

/* ---- application calls (RFC 9293 3.10.1-3.10.5) ---------------------- */

/* What a call on a CLOSED TCB answers: the reason it closed, if it was
 * reset, refused or timed out (RFC 9293 3.10.7.3 "connection reset",
 * 3.10.7.4 "'reset' responses"), else "connection does not exist". */
static int closed_err(const struct tcp_conn *c)
{
    return c->err ? -c->err : -TCPE_NOTCONN;
}

int tcp_listen(struct tcp_conn *c, int64_t now)
{
    if (c->state != TCPS_CLOSED)
        return -TCPE_EXISTS;
    c->passive = 1;
    set_state(c, now, TCPS_LISTEN, WHY0(N_TCP_LISTEN));
    return 0;
}

static void send_syn(struct tcp_conn *c, struct why why)
{
    xmit(c, TCP_SYN, c->iss, NULL, 0, why);
}

int tcp_connect(struct tcp_conn *c, int64_t now)
{
    if (c->state != TCPS_CLOSED)
        return -TCPE_EXISTS;
    /* RFC 9293 3.10.1: select an ISS, send <SEQ=ISS><CTL=SYN>, set
     * SND.UNA to ISS and SND.NXT to ISS+1, enter SYN-SENT. */
    c->iss = c->env.choose_iss(c->env.ctx, c);
    c->snd_una = c->iss;
    c->snd_nxt = c->iss + 1;
    set_state(c, now, TCPS_SYN_SENT, WHY(N_TCP_SYN_SENT, c->iss));
    send_syn(c, WHY(N_SEG_SYN, c->iss));
    rto_start(c, now);
    return 0;
}

int tcp_refusal(const struct tcp_conn *c, int call, size_t len)
{
    switch (call) {
    case AC_SEND:
        switch (c->state) {
        case TCPS_CLOSED:
            return closed_err(c);
        case TCPS_LISTEN:
            /* RFC 9293 3.10.2 lets SEND turn a passive TCB active; our
             * sockets API (like BSD's) does not. */
            return -TCPE_ILLEGAL;
        case TCPS_SYN_SENT: case TCPS_SYN_RECEIVED:
        case TCPS_ESTABLISHED: case TCPS_CLOSE_WAIT:
            if (c->close_pending)
                return -TCPE_CLOSING;
            return c->sndq.len + len > c->cfg.sndbuf ? -TCPE_NOSPACE : 0;
        default:
            return -TCPE_CLOSING;  /* FIN-WAIT-1 .. TIME-WAIT */
        }
    case AC_RECV:
        if (c->state == TCPS_CLOSED && c->rcvq.len == 0)
            return closed_err(c);
        return c->state == TCPS_LISTEN ? -TCPE_ILLEGAL : 0;
    case AC_SHUTDOWN: case AC_CLOSE:
        if (c->state == TCPS_CLOSED)
            return closed_err(c);
        /* CLOSING, LAST-ACK, TIME-WAIT: RFC 9293 3.10.4 "connection
         * closing" */
        return c->state == TCPS_CLOSING || c->state == TCPS_LAST_ACK ||
               c->state == TCPS_TIME_WAIT ? -TCPE_CLOSING : 0;
    case AC_ABORT:
        return c->state == TCPS_CLOSED ? -TCPE_NOTCONN : 0;
    default:
        return 0;
    }
}

long tcp_send(struct tcp_conn *c, int64_t now, const uint8_t *p, size_t len)
{
    int e = tcp_refusal(c, AC_SEND, len);
    if (e)
        return e;
    bq_push(&c->sndq, p, len);
    output(c, now, 0);
    return (long)len;
}

/* Sends a window update when reading opened a window the peer may think is
 * (nearly) shut: RFC 9293 3.8.6.2.2's receiver-side threshold. */
void tcp_read_done(struct tcp_conn *c)
{
    uint32_t thresh = c->cfg.rcvbuf / 2 < c->cfg.mss ? c->cfg.rcvbuf / 2
                                                     : c->cfg.mss;
    uint32_t space = c->cfg.rcvbuf - (uint32_t)c->rcvq.len;
    if (space > max_window(c))
        space = max_window(c);
    if (c->rcv_wnd_advertised < thresh && space >= thresh &&
        (c->state == TCPS_ESTABLISHED || c->state == TCPS_FIN_WAIT_1 ||
         c->state == TCPS_FIN_WAIT_2))
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(N_SEG_WINUPDATE, (int64_t)space));
}

long tcp_read(struct tcp_conn *c, uint8_t *p, size_t max)
{
    int e = tcp_refusal(c, AC_RECV, 0);
    if (e)
        return e;
    size_t n = c->rcvq.len < max ? c->rcvq.len : max;
    bq_pop(&c->rcvq, p, n);
    return (long)n;                /* 0: nothing yet, or end of stream */
}

long tcp_recv(struct tcp_conn *c, int64_t now, uint8_t *p, size_t max)
{
    (void)now;     /* part of the uniform call shape; nothing here is timed */
    long n = tcp_read(c, p, max);
    if (n > 0)
        tcp_read_done(c);
    return n;
}

/* The sequence number our FIN will take: after every queued byte. */
static uint32_t planned_fin_seq(const struct tcp_conn *c)
{
    return (syn_acked(c) ? c->snd_una : c->iss + 1) + (uint32_t)c->sndq.len;
}

/* CLOSE (RFC 9293 3.10.4) means "I have no more to send", so close()
 * and shutdown(SHUT_WR) are the same event for TCP; `shut` picks the
 * sentences that name the call the application made. */
static int do_close(struct tcp_conn *c, int64_t now, int shut)
{
    int e = tcp_refusal(c, shut ? AC_SHUTDOWN : AC_CLOSE, 0);
    if (e)
        return e;
    switch (c->state) {
    case TCPS_LISTEN: case TCPS_SYN_SENT:
        /* RFC 9293 3.10.4: delete the TCB, nothing was promised yet */
        enter_closed(c, now, shut ? CC_SHUTDOWN : CC_CLOSE,
                     WHY(shut ? N_TCP_SHUTDOWN_LISTEN : N_TCP_CLOSE_LISTEN,
                         c->state));
        return 0;
    case TCPS_SYN_RECEIVED: case TCPS_ESTABLISHED:
        /* RFC 9293 3.10.4: queue until all preceding SENDs have been
         * segmentized, then form a FIN; in any case enter FIN-WAIT-1. */
        c->close_pending = 1;
        set_state(c, now, TCPS_FIN_WAIT_1,
                  WHY(shut ? N_TCP_SHUTDOWN_FINWAIT1 : N_TCP_CLOSE_FINWAIT1,
                      planned_fin_seq(c)));
        output(c, now, 0);
        return 0;
    case TCPS_CLOSE_WAIT:
        /* RFC 9293 3.10.4: queue until the SENDs are segmentized, then send
         * a FIN and enter LAST-ACK. */
        c->close_pending = 1;
        set_state(c, now, TCPS_LAST_ACK,
                  WHY(shut ? N_TCP_SHUTDOWN_LASTACK : N_TCP_CLOSE_LASTACK,
                      planned_fin_seq(c)));
        output(c, now, 0);
        return 0;
    default:
        /* FIN-WAIT-1, FIN-WAIT-2: already closed for sending: closing
         * the socket after shutdown() is fine; TCP has nothing more to
         * do. */
        return 0;
    }
}

int tcp_shutdown(struct tcp_conn *c, int64_t now)
{
    return do_close(c, now, 1);
}

/* close() leaves no application to read: from now on data that arrives is
 * lost (RFC 1122 4.2.2.13, second case; see other_input). */
static int close_for_good(struct tcp_conn *c, int r)
{
    if (r == 0 && c->state != TCPS_CLOSED)
        c->app_closed = 1;
    return r;
}

int tcp_close(struct tcp_conn *c, int64_t now)
{
    /* RFC 1122 4.2.2.13: "If such a host issues a CLOSE call while
     * received data is still pending in TCP ... its TCP SHOULD send a RST
     * to show that data was lost" (RFC 2525 2.17; Linux does).  Bytes
     * still out of order were never readable and do not count.
     * The RST is the one ABORT sends, so only in the states where RFC
     * 9293 3.10.5 sends one; in CLOSING, LAST-ACK and TIME-WAIT the peer
     * has finished and close() takes its ordinary path. */
    int rst_state = c->state == TCPS_SYN_RECEIVED ||
                    c->state == TCPS_ESTABLISHED || c->state == TCPS_FIN_WAIT_1 ||
                    c->state == TCPS_FIN_WAIT_2 || c->state == TCPS_CLOSE_WAIT;
    if (c->rcvq.len && rst_state) {
        uint32_t n = (uint32_t)c->rcvq.len;
        /* the unread bytes end at RCV.NXT, less the peer's FIN if any */
        uint32_t first = c->rcv_nxt - (uint32_t)c->fin_received - n;
        bq_pop(&c->rcvq, NULL, n);
        /* RFC 9293 3.10.5 ABORT, as for abort(): send <SEQ=SND.NXT>
         * <CTL=RST> -- no ACK bit, so no acknowledgment number. */
        xmit(c, TCP_RST, c->snd_nxt, NULL, 0,
             WHY(N_SEG_RST_UNREAD, n, first, first + n - 1));
        enter_closed(c, now, CC_UNREAD,
                     WHY(N_TCP_CLOSE_UNREAD, n, first, first + n - 1));
        return 0;
    }
    return close_for_good(c, do_close(c, now, 0));
}

int tcp_abort(struct tcp_conn *c, int64_t now)
{
    int e = tcp_refusal(c, AC_ABORT, 0);
    if (e)
        return e;
    switch (c->state) {
    case TCPS_SYN_RECEIVED: case TCPS_ESTABLISHED: case TCPS_FIN_WAIT_1:
    case TCPS_FIN_WAIT_2: case TCPS_CLOSE_WAIT:
        /* RFC 9293 3.10.5: send <SEQ=SND.NXT><CTL=RST>, delete the TCB */
        xmit(c, TCP_RST, c->snd_nxt, NULL, 0, WHY0(N_SEG_RST_ABORT));
        enter_closed(c, now, CC_ABORT, WHY0(N_TCP_ABORT));
        return 0;
    default:
        /* LISTEN, SYN-SENT, CLOSING, LAST-ACK, TIME-WAIT: just delete */
        enter_closed(c, now, CC_ABORT, WHY(N_TCP_ABORT_SILENT, c->state));
        return 0;
    }
}

/* ---- segment arrival helpers ----------------------------------------- */

static uint32_t seg_len(const struct tcp_hdr *h, size_t len)
{
    return (uint32_t)len + !!(h->flags & TCP_SYN) + !!(h->flags & TCP_FIN);
}

int tcp_reset_for(const struct tcp_hdr *in, size_t len, struct tcp_hdr *out)
{
    /* RFC 9293 3.10.7.1: an incoming RST is discarded.  Otherwise, if the
     * ACK bit is off, send <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; if it
     * is on, send <SEQ=SEG.ACK><CTL=RST>. */
    if (in->flags & TCP_RST)
        return -1;
    memset(out, 0, sizeof *out);
    out->sport = in->dport;
    out->dport = in->sport;
    if (in->flags & TCP_ACK) {
        out->seq = in->ack;
        out->flags = TCP_RST;
    } else {
        out->seq = 0;
        out->ack = in->seq + seg_len(in, len);
        out->flags = TCP_RST | TCP_ACK;
    }
    return 0;
}

static void send_rst_for(struct tcp_conn *c, const struct tcp_hdr *h,
                         size_t len, struct why why)
{
    struct tcp_hdr r;
    if (tcp_reset_for(h, len, &r) < 0)
        return;
    /* RFC 9293 3.10.7.2/3.10.7.3/3.10.7.4: the reset answers the segment,
     * so it goes back to where the segment came from -- for a listener
     * the TCB's remote address is unspecified (0.0.0.0), never a
     * destination. */
    c->env.emit(c->env.ctx, c, c->seg_src, &r, NULL, 0, why);
}

/* The options of the peer's SYN (or SYN,ACK). */
static void take_peer_options(struct tcp_conn *c, const struct tcp_hdr *h)
{
    /* RFC 9293 3.7.1: send no segment larger than the peer's MSS option
     * (536 if absent), and no larger than we could receive either. */
    uint16_t m = h->mss ? h->mss : 536;
    c->snd_mss = m < c->cfg.mss ? m : c->cfg.mss;
    /* RFC 7323 2.2-2.3: scaling is on only if both SYNs carry the option;
     * a shift above 14 is used as 14. */
    uint32_t ws;
    if (tcp_opt_get(h, TCPOPT_WSCALE, &ws)) {
        c->peer_ws = 1;
        c->ws_peer = (uint8_t)(ws > 14 ? 14 : ws);
    }
    if (c->peer_ws && c->cfg.wscale >= 0) {
        c->snd_shift = c->ws_peer;
        c->rcv_shift = (uint8_t)c->cfg.wscale;
    } else {
        c->snd_shift = c->rcv_shift = 0;
    }
}

static void update_window(struct tcp_conn *c, const struct tcp_hdr *h)
{
    /* RFC 7323 2.3: SND.WND = SEG.WND << Snd.Wind.Shift, but a SYN's
     * window is never scaled */
    c->snd_wnd = (h->flags & TCP_SYN) ? h->win : (uint32_t)h->win << c->snd_shift;
    if (c->max_snd_wnd < c->snd_wnd)
        c->max_snd_wnd = c->snd_wnd;        /* RFC 5961 5.2 MAX.SND.WND */
    c->snd_wl1 = h->seq;
    c->snd_wl2 = h->ack;
    if (c->snd_wnd)
        persist_stop(c);
    /* RFC 9293 3.8.6.1: a receiver with a zero window refuses the probe
     * byte (3.10.7.4: it "must not accept" data it has no room for).  When
     * the window opens and SND.UNA is still the probe's byte, that byte was
     * never taken: send again from SND.UNA, or every byte after it would
     * land beyond a gap and wait for the retransmission timer. */
    if (c->probe_out && c->snd_wnd && seq_lt(c->snd_una, c->snd_nxt) &&
        c->snd_una == c->probe_seq)
        c->snd_nxt = c->snd_una;
    if (c->snd_wnd || c->snd_una != c->probe_seq)
        c->probe_out = 0;
}

/* ---- 3.10.7.2 LISTEN ---------------------------------------------------- */

static void listen_input(struct tcp_conn *c, int64_t now,
                         const struct tcp_hdr *h, size_t len)
{
    if (h->flags & TCP_RST)            /* first: an RST is ignored */
        return;
    if (h->flags & TCP_ACK) {          /* second: an ACK gets an RST */
        send_rst_for(c, h, len, WHY0(N_SEG_RST_LISTEN_ACK));
        return;
    }
    if (!(h->flags & TCP_SYN))         /* fourth: anything else is dropped */
        return;
    /* third: a SYN.  RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ, choose ISS, send
     * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SND.NXT = ISS+1, SND.UNA = ISS,
     * enter SYN-RECEIVED. */
    if (!c->raddr && !c->rport) {
        /* RFC 9293 3.10.1: a passive OPEN may leave the foreign socket
         * unspecified; the SYN that arrives in LISTEN (3.10.7.2) names it */
        c->raddr = c->seg_src;
        c->rport = h->sport;
    }
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->syn_received = 1;
    c->iss = c->env.choose_iss(c->env.ctx, c);
    if (c->reopen && !seq_gt(c->iss, c->reopen_snd_nxt)) {
        /* RFC 9293 3.6.1 (MAY-2) reopens from TIME-WAIT only if TCP
         * "assigns its initial sequence number for the new connection to
         * be larger than the largest sequence number it used on the
         * previous connection incarnation".  Linux takes the old SND.NXT
         * plus 65537 (tcp_timewait_state_process); so do we. */
        c->iss = c->reopen_snd_nxt + 65537;
    }
    c->snd_una = c->iss;
    c->snd_nxt = c->iss + 1;
    take_peer_options(c, h);
    if (c->cfg.two_way) {
        /* The lesson's wrong design: trust the SYN and open at once.  With
         * no third segment, an old duplicate SYN opens a connection that
         * nobody asked for. */
        update_window(c, h);
        set_state(c, now, TCPS_ESTABLISHED, WHY0(N_TCP_TWOWAY_SYN));
        xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0, WHY(N_SEG_SYNACK, c->iss));
        rto_start(c, now);
        return;
    }
    set_state(c, now, TCPS_SYN_RECEIVED,
              WHY(c->reopen ? N_TCP_LISTEN_SYN_REOPEN : N_TCP_LISTEN_SYN,
                  h->seq, c->iss, c->reopen_snd_nxt));
    xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0, WHY(N_SEG_SYNACK, c->iss));
    rto_start(c, now);
}

/* ---- 3.10.7.3 SYN-SENT -------------------------------------------------- */

static void ack_advance(struct tcp_conn *c, int64_t now, uint32_t ack);

static void syn_sent_input(struct tcp_conn *c, int64_t now,
                           const struct tcp_hdr *h, size_t len)
{
    int ack_ok = 0;
    /* first: an ACK must acknowledge our SYN: ISS < SEG.ACK =< SND.NXT */
    if (h->flags & TCP_ACK) {
        if (seq_leq(h->ack, c->iss) || seq_gt(h->ack, c->snd_nxt)) {
            if (!(h->flags & TCP_RST))
                send_rst_for(c, h, len,
                             WHY(N_SEG_RST_BADACK, h->ack, c->iss + 1,
                                 c->snd_nxt));
            return;
        }
        ack_ok = seq_lt(c->snd_una, h->ack) && seq_leq(h->ack, c->snd_nxt);
    }
    /* second: an RST counts only if its ACK was acceptable */
    if (h->flags & TCP_RST) {
        if (ack_ok) {
            c->err = TCPE_REFUSED;
            enter_closed(c, now, CC_RST, WHY0(N_TCP_RST_SYNSENT));
        }
        return;
    }
    /* fifth: neither SYN nor RST: drop */
    if (!(h->flags & TCP_SYN))
        return;
    /* fourth: the SYN */
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->syn_received = 1;
    take_peer_options(c, h);
    if (ack_ok) {
        ack_advance(c, now, h->ack);
        update_window(c, h);
    }
    if (syn_acked(c)) {
        if (c->cfg.two_way) {
            set_state(c, now, TCPS_ESTABLISHED, WHY0(N_TCP_TWOWAY_SYNACK));
            output(c, now, 0);
            return;
        }
        set_state(c, now, TCPS_ESTABLISHED, WHY(N_TCP_SYNACK_EST, h->ack));
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0, WHY0(N_SEG_ACK_SYN));
        output(c, now, 0);
        return;
    }
    /* Simultaneous open: send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, set the
     * window variables and enter SYN-RECEIVED. */
    update_window(c, h);
    set_state(c, now, TCPS_SYN_RECEIVED, WHY0(N_TCP_SIMOPEN));
    xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0, WHY(N_SEG_SYNACK, c->iss));
}

/* ---- 3.10.7.4 the other states ----------------------------------------- */

/* The four cases of the acceptability test (RFC 9293 3.10.7.4, first). */
static int seq_acceptable(const struct tcp_conn *c, uint32_t seq, uint32_t slen)
{
    uint32_t wnd = c->rcv_wnd;
    if (slen == 0 && wnd == 0)
        return seq == c->rcv_nxt;
    if (slen == 0)
        return seq_leq(c->rcv_nxt, seq) && seq_lt(seq, c->rcv_nxt + wnd);
    if (wnd == 0)
        return 0;
    uint32_t last = seq + slen - 1;
    return (seq_leq(c->rcv_nxt, seq) && seq_lt(seq, c->rcv_nxt + wnd)) ||
           (seq_leq(c->rcv_nxt, last) && seq_lt(last, c->rcv_nxt + wnd));
}

/* SND.UNA advances: drop acknowledged bytes, manage the retransmission
 * timer (RFC 6298 5.2 and 5.3). */
static void ack_advance(struct tcp_conn *c, int64_t now, uint32_t ack)
{
    uint32_t first = syn_acked(c) ? c->snd_una : c->iss + 1;
    if (seq_gt(ack, first)) {
        uint32_t n = ack - first;
        if (c->fin_sent && seq_gt(ack, c->fin_seq))
            n--;
        if (n > c->sndq.len)
            n = (uint32_t)c->sndq.len;
        bq_pop(&c->sndq, NULL, n);
    }
    c->snd_una = ack;
    c->retrans_count = 0;
    c->rto_cur = c->cfg.rto_us;
    if (c->snd_una == c->snd_nxt)
        rto_stop(c, now, WHY0(N_TMR_RTO_STOP));
    else
        rto_start(c, now);
}

/* The eighth step: our peer's FIN has arrived in sequence. */
static void fin_arrived(struct tcp_conn *c, int64_t now)
{
    c->fin_received = 1;
    c->rcv_nxt += 1;
    c->ack_now = OWE_ACK_FIN;
    switch (c->state) {
    case TCPS_SYN_RECEIVED: case TCPS_ESTABLISHED:
        set_state(c, now, TCPS_CLOSE_WAIT, WHY0(N_TCP_FIN_CLOSEWAIT));
        break;
    case TCPS_FIN_WAIT_1:
        if (fin_acked(c)) {
            set_state(c, now, TCPS_TIME_WAIT, WHY0(N_TCP_FINWAIT1_FINACK));
            time_wait_start(c, now);
        } else {
            set_state(c, now, TCPS_CLOSING, WHY0(N_TCP_FINWAIT1_FIN));
        }
        break;
    case TCPS_FIN_WAIT_2:
        set_state(c, now, TCPS_TIME_WAIT,
                  WHY(N_TCP_FINWAIT2_FIN, 2 * c->cfg.msl_us));
        time_wait_start(c, now);
        break;
    default:
        /* CLOSE-WAIT, CLOSING, LAST-ACK: remain (a duplicate FIN) */
        break;
    }
}

/* Stores an out-of-order piece, keeping the list sorted by seq. */
static void ooo_insert(struct tcp_conn *c, uint32_t seq, const uint8_t *p,
                       size_t len, int fin)
{
    struct tcp_ooo **pp = &c->ooo;
    while (*pp && seq_lt((*pp)->seq, seq))
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= len && (*pp)->fin >= fin)
        return;                                 /* already have it */
    struct tcp_ooo *o = xcalloc(1, sizeof *o);
    o->data = len ? xmalloc(len) : NULL;
    if (len)
        memcpy(o->data, p, len);
    o->seq = seq;
    o->len = len;
    o->fin = fin;
    o->next = *pp;
    *pp = o;
}

/* Accepts in-order bytes at RCV.NXT, then anything queued that now fits.
 * Returns 1 when a FIN has come into sequence. */
static int deliver(struct tcp_conn *c, uint32_t seq, const uint8_t *p,
                   size_t len, int fin)
{
    if (seq != c->rcv_nxt) {
        if (seq_gt(seq, c->rcv_nxt))
            ooo_insert(c, seq, p, len, fin);
        return 0;
    }
    bq_push(&c->rcvq, p, len);
    c->rcv_nxt += (uint32_t)len;
    if (fin)
        return 1;
    while (c->ooo && seq_leq(c->ooo->seq, c->rcv_nxt)) {
        struct tcp_ooo *o = c->ooo;
        c->ooo = o->next;
        uint32_t skip = c->rcv_nxt - o->seq;
        int done = 0;
        if (skip <= o->len) {
            /* a FIN held out of order carries no bytes and no buffer:
             * NULL + 0 is undefined (C11 6.5.6p8), so add nothing */
            if (o->len > skip)
                bq_push(&c->rcvq, o->data + skip, o->len - skip);
            c->rcv_nxt += (uint32_t)(o->len - skip);
            done = o->fin;
        }
        free(o->data);
        free(o);
        if (done)
            return 1;
    }
    return 0;
}

static void rst_in_synchronized(struct tcp_conn *c, int64_t now)
{
    switch (c->state) {
    case TCPS_SYN_RECEIVED:
        if (c->passive) {
            /* The child TCB goes back to LISTEN; the host discards it and
             * the listening socket carries on (RFC 9293 Figure 8, line 5). */
            rto_stop(c, now, WHY0(N_TMR_RTO_STOP_LISTEN_RST));
            set_state(c, now, TCPS_LISTEN, WHY0(N_TCP_RST_PASSIVE));
        } else {
            c->err = TCPE_REFUSED;
            enter_closed(c, now, CC_RST, WHY0(N_TCP_RST_ACTIVE));
        }
        break;
    case TCPS_ESTABLISHED: case TCPS_FIN_WAIT_1: case TCPS_FIN_WAIT_2:
    case TCPS_CLOSE_WAIT:
        c->err = TCPE_RESET;
        enter_closed(c, now, CC_RST, WHY(N_TCP_RST_RESET, c->state));
        break;
    default:               /* CLOSING, LAST-ACK, TIME-WAIT */
        enter_closed(c, now, CC_RST, WHY(N_TCP_RST_CLOSE, c->state));
        break;
    }
}

/* The fifth step for the synchronized states after SYN-RECEIVED: advance
 * SND.UNA, update the send window, and take the state arrows an ACK can
 * cause.  Returns -1 when processing of the segment ends here. */
static int sync_ack(struct tcp_conn *c, int64_t now, const struct tcp_hdr *h,
                    uint32_t seq)
{
    if (seq_gt(h->ack, c->snd_nxt)) {
        /* RFC 9293 3.10.7.4 fifth: "If the ACK acks something not yet
         * sent (SEG.ACK > SND.NXT), then send an ACK, drop the segment,
         * and return." */
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(N_SEG_ACK_TOOFAR, h->ack, c->snd_nxt, c->rcv_nxt));
        return -1;
    }
    uint32_t maxw = c->max_snd_wnd > c->snd_wnd ? c->max_snd_wnd : c->snd_wnd;
    if (seq_lt(h->ack, c->snd_una - maxw)) {
        /* RFC 5961 5.2 (RFC 9293 MAY-12, as Linux does): an ACK is
         * acceptable only in (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT;
         * "All incoming segments whose ACK value doesn't satisfy the above
         * condition MUST be discarded and an ACK sent back." */
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(N_SEG_ACK_TOOOLD, h->ack, c->snd_una, maxw, c->rcv_nxt));
        return -1;
    }
    if (seq_lt(c->snd_una, h->ack))
        ack_advance(c, now, h->ack);
    /* window update: SND.UNA =< SEG.ACK =< SND.NXT and the segment is
     * newer than the one that last set the window */
    if (seq_leq(c->snd_una, h->ack) &&
        (seq_lt(c->snd_wl1, seq) ||
         (c->snd_wl1 == seq && seq_leq(c->snd_wl2, h->ack))))
        update_window(c, h);
    switch (c->state) {
    case TCPS_FIN_WAIT_1:
        /* A segment that acknowledges our FIN and carries the peer's FIN
         * takes the eighth step's arrow straight to TIME-WAIT ("If our FIN
         * has been ACKed (perhaps in this segment), then enter TIME-WAIT");
         * otherwise the ACK alone means FIN-WAIT-2. */
        if (fin_acked(c) && !(h->flags & TCP_FIN))
            set_state(c, now, TCPS_FIN_WAIT_2, WHY0(N_TCP_FINWAIT1_ACK));
        return 0;
    case TCPS_CLOSING:
        if (fin_acked(c)) {
            set_state(c, now, TCPS_TIME_WAIT,
                      WHY(N_TCP_CLOSING_ACK, 2 * c->cfg.msl_us));
            time_wait_start(c, now);
        }
        return -1;
    case TCPS_LAST_ACK:
        if (fin_acked(c))
            enter_closed(c, now, CC_NORMAL, WHY0(N_TCP_LASTACK_ACK));
        return -1;
    default:
        return 0;
    }
}

static void other_input(struct tcp_conn *c, int64_t now,
                        const struct tcp_hdr *h, const uint8_t *data,
                        size_t len)
{
    uint32_t slen = seg_len(h, len);
    uint32_t seq = h->seq;
    int fin = !!(h->flags & TCP_FIN);

    window_to_advertise(c, 0);
    if (c->state == TCPS_SYN_RECEIVED && !c->passive &&
        (h->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
        seq == c->irs && seq_lt(c->snd_una, h->ack) &&
        seq_leq(h->ack, c->snd_nxt)) {
        /* Simultaneous open, RFC 9293 Figure 7 line 6: the peer's SYN,ACK
         * repeats the SYN we already hold (SEG.SEQ = IRS, so the literal
         * window test would reject it) and acknowledges ours: the
         * connection is established.  Linux makes the same exception. */
        ack_advance(c, now, h->ack);
        update_window(c, h);
        set_state(c, now, TCPS_ESTABLISHED, WHY(N_TCP_SYNRCVD_EST, h->ack));
        return;
    }
    /* first: check the sequence number */
    if (!seq_acceptable(c, seq, slen)) {
        if (h->flags & TCP_RST)
            return;
        if (c->state == TCPS_TIME_WAIT && fin && seq + slen == c->rcv_nxt) {
            /* RFC 9293 3.10.7.4, eighth, TIME-WAIT: "Remain in the TIME-WAIT
             * state.  Restart the 2 MSL time-wait timeout."  The FIN is a
             * retransmission (our ACK of it was lost), so it lies wholly
             * before RCV.NXT and fails the window test; it is recognised
             * here, as real stacks do, so that it is answered and the timer
             * restarted rather than merely acknowledged. */
            xmit(c, TCP_ACK, c->snd_nxt, NULL, 0, WHY0(N_TCP_TW_REFIN));
            time_wait_start(c, now);
            return;
        }
        /* "If the RCV.WND is zero, no segments will be acceptable, but
         * special allowance should be made to accept valid ACKs, URGs, and
         * RSTs".  A bare ACK (no data, SYN or FIN) whose SEG.SEQ is past
         * RCV.NXT comes from a peer that is ahead of us only by bytes we
         * refused -- its zero-window probe, acknowledged when it came --
         * so it is such a valid ACK: its ACK field counts, and it gets no
         * ACK in reply.  Replying would be answered in kind by a peer whose
         * window is closed too, and the two would trade ACKs for ever. */
        if (c->rcv_wnd == 0 && slen == 0 && seq_gt(seq, c->rcv_nxt) &&
            (h->flags & (TCP_ACK | TCP_SYN | TCP_FIN)) == TCP_ACK) {
            if (c->state != TCPS_SYN_RECEIVED)
                sync_ack(c, now, h, seq);
            return;
        }
        /* A segment with data at RCV.NXT (a probe) is refused, but its ACK
         * field still counts. */
        if (c->rcv_wnd == 0 && seq == c->rcv_nxt) {
            if ((h->flags & TCP_ACK) && c->state != TCPS_SYN_RECEIVED &&
                sync_ack(c, now, h, seq) < 0)
                return;
            xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
                 WHY(N_SEG_ZWND_REFUSE, seq));
            return;
        }
        /* "send an acknowledgment ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
         * After sending the acknowledgment, drop the unacceptable segment" */
        /* the sentence quotes how far SEG.SEQ lies from RCV.NXT, on the
         * side it lies (before: already received; past: beyond RCV.WND) */
        int old_seg = seq_lt(seq, c->rcv_nxt);
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(old_seg ? N_SEG_DUPACK_OLD : N_SEG_DUPACK, seq, slen,
                 c->rcv_nxt, old_seg ? c->rcv_nxt - seq : seq - c->rcv_nxt));
        return;
    }
    /* second: the RST bit (with RFC 5961's exact-match refinement, which
     * RFC 9293 3.10.7.4 adopts): reset only if SEG.SEQ = RCV.NXT, else send
     * a challenge ACK. */
    if (h->flags & TCP_RST) {
        if (seq != c->rcv_nxt) {
            xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
                 WHY(N_SEG_CHALLENGE_RST, seq, c->rcv_nxt));
            return;
        }
        rst_in_synchronized(c, now);
        return;
    }
    /* fourth: the SYN bit */
    if (h->flags & TCP_SYN) {
        if (c->state == TCPS_SYN_RECEIVED && c->passive) {
            rto_stop(c, now, WHY0(N_TMR_RTO_STOP_LISTEN_SYN));
            set_state(c, now, TCPS_LISTEN, WHY0(N_TCP_SYN_PASSIVE));
            return;
        }
        /* synchronized states: challenge ACK, drop (RFC 5961 4) */
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(N_SEG_CHALLENGE, c->state, c->rcv_nxt));
        return;
    }
    /* fifth: the ACK field; a segment without ACK is dropped */
    if (!(h->flags & TCP_ACK))
        return;
    if (c->state == TCPS_SYN_RECEIVED) {
        if (seq_lt(c->snd_una, h->ack) && seq_leq(h->ack, c->snd_nxt)) {
            ack_advance(c, now, h->ack);
            update_window(c, h);
            set_state(c, now, TCPS_ESTABLISHED, WHY(N_TCP_SYNRCVD_EST, h->ack));
        } else {
            send_rst_for(c, h, len, WHY0(N_SEG_RST_SYNRCVD_ACK));
            return;
        }
    } else if (sync_ack(c, now, h, seq) < 0) {
        return;
    }
    /* seventh: segment text, in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2.
     * Trim what lies before RCV.NXT or beyond the window first. */
    int text_ok = c->state == TCPS_ESTABLISHED || c->state == TCPS_FIN_WAIT_1 ||
                  c->state == TCPS_FIN_WAIT_2;
    if (!text_ok && c->state != TCPS_SYN_RECEIVED)
        len = 0;
    if (seq_lt(seq, c->rcv_nxt)) {
        uint32_t skip = c->rcv_nxt - seq;
        if (skip >= len) {
            if (fin && skip == len)
                ;                              /* only the FIN is new */
            else
                fin = 0;
            skip = (uint32_t)len;
        }
        data += skip;
        len -= skip;
        seq += skip;
    }
    /* RFC 9293 3.10.7.4: "trimming off any portions that lie outside the
     * window" -- the window ends at RCV.NXT+RCV.WND wherever the segment
     * starts, also for one queued out of order (seq > RCV.NXT here). */
    uint32_t room = c->rcv_nxt + c->rcv_wnd - seq;
    if (len > room) {
        len = room;                            /* beyond the window */
        fin = 0;
    }
    if (len && text_ok && c->app_closed) {
        /* RFC 1122 4.2.2.13: "or if new data is received after CLOSE is
         * called, its TCP SHOULD send a RST to show that data was lost"
         * (Linux does, in FIN-WAIT-1 and FIN-WAIT-2 after close()).  The
         * RST is ABORT's, RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST>. */
        uint32_t n = (uint32_t)len;
        xmit(c, TCP_RST, c->snd_nxt, NULL, 0,
             WHY(N_SEG_RST_AFTER_CLOSE, n, seq, seq + n - 1));
        enter_closed(c, now, CC_AFTER_CLOSE,
                     WHY(N_TCP_DATA_AFTER_CLOSE, n, seq, seq + n - 1));
        return;
    }
    int fin_in_order = 0;
    if (len || fin) {
        int beyond_gap = seq_gt(seq, c->rcv_nxt);
        if (text_ok || fin)
            fin_in_order = deliver(c, seq, data, text_ok ? len : 0, fin);
        /* RFC 9293 3.10.7.4 seventh: acknowledge what arrived; a segment
         * beyond a gap is acknowledged with RCV.NXT again (a duplicate ACK,
         * RFC 5681 4.2: "an immediate duplicate ACK SHOULD be sent"). */
        if (beyond_gap) {
            c->ack_now = OWE_ACK_OOO;
            c->ooo_seq = seq;
        } else if (!c->ack_now) {
            c->ack_now = OWE_ACK;
        }
    }
    /* eighth: the FIN bit, once it is in sequence */
    if (fin_in_order)
        fin_arrived(c, now);
    else if (c->state == TCPS_FIN_WAIT_1 && fin_acked(c))
        set_state(c, now, TCPS_FIN_WAIT_2, WHY0(N_TCP_FINWAIT1_ACK));
}

void tcp_input(struct tcp_conn *c, int64_t now, ip4_addr src,
               const struct tcp_hdr *h, const uint8_t *data, size_t len)
{
    c->seg_src = src;
    switch (c->state) {
    case TCPS_CLOSED:
        /* a deleted TCB receives nothing; the host answers for it */
        return;
    case TCPS_LISTEN:
        listen_input(c, now, h, len);
        break;
    case TCPS_SYN_SENT:
        syn_sent_input(c, now, h, len);
        break;
    default:
        other_input(c, now, h, data, len);
        break;
    }
    output(c, now, 0);
}

/* ---- a new SYN in TIME-WAIT ----------------------------------------------- */

int tcp_time_wait_syn(struct tcp_conn *c, int64_t now, const struct tcp_hdr *h,
                      int have_listener)
{
    if (c->state != TCPS_TIME_WAIT ||
        (h->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return TW_SYN_NONE;
    if (!seq_gt(h->seq, c->rcv_nxt)) {
        /* Not above RCV.NXT: it could be an old duplicate of this very
         * connection, so TIME-WAIT holds and the SYN is handled as in any
         * synchronized state (RFC 9293 3.10.7.4 fourth, RFC 5961 4): a
         * challenge ACK, and the segment is dropped. */
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(N_SEG_CHALLENGE_TW_OLD, h->seq, c->rcv_nxt));
        return TW_SYN_HANDLED;
    }
    if (!c->cfg.tw_reopen) {
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(N_SEG_CHALLENGE_TW_OFF, h->seq, c->rcv_nxt));
        return TW_SYN_HANDLED;
    }
    if (!have_listener) {
        /* RFC 9293 3.6.1 (MAY-2) lets TCP "accept a new SYN from the remote
         * TCP endpoint to reopen the connection": with no passive OPEN on
         * this port there is nothing to open, so the SYN gets the ordinary
         * synchronized-state answer (3.10.7.4 fourth, a challenge ACK) and
         * TIME-WAIT goes on.  Linux does the same (it ACKs from the
         * TIME-WAIT socket when no listener is found). */
        xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
             WHY(N_SEG_CHALLENGE_TW_NOLISTEN, h->seq, c->rcv_nxt, c->lport));
        return TW_SYN_HANDLED;
    }
    /* RFC 9293 3.6.1 (MAY-2), RFC 1122 4.2.2.13, RFC 6191 2 (without
     * timestamps): a SYN whose sequence number is above RCV.NXT cannot
     * belong to the old incarnation, so the TIME-WAIT TCB is deleted and
     * the SYN opens a new connection as from LISTEN.  Simplification: RFC
     * 1122 also asks to return to TIME-WAIT should the SYN turn out to be
     * an old duplicate; like Linux, the old TCB is gone by then. */
    enter_closed(c, now, CC_REOPEN, WHY(N_TCP_TW_REOPEN, h->seq, c->rcv_nxt));
    return TW_SYN_REOPEN;
}

void tcp_reopen_from(struct tcp_conn *child, const struct tcp_conn *old)
{
    child->reopen = 1;
    child->reopen_snd_nxt = old->snd_nxt;
}

/* ---- 3.10.8 timeouts ------------------------------------------------------ */

int64_t tcp_deadline(const struct tcp_conn *c)
{
    int64_t d = -1;
    const int64_t t[3] = { c->rto_due, c->tw_due, c->persist_due };
    for (int i = 0; i < 3; i++)
        if (t[i] && (d < 0 || t[i] < d))
            d = t[i];
    return d;
}

/* Retransmits the first unacknowledged thing: our SYN (or SYN,ACK), the
 * first segment of data, or our FIN. */
static void retransmit_front(struct tcp_conn *c, struct why why)
{
    if (!syn_acked(c)) {
        if (c->syn_received)
            xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0, why);
        else
            send_syn(c, why);
        return;
    }
    size_t inflight = sent_unacked_data(c);
    if (inflight) {
        size_t n = inflight < c->snd_mss ? inflight : c->snd_mss;
        uint8_t flags = TCP_ACK | (n == c->sndq.len ? TCP_PSH : 0);
        xmit(c, flags, c->snd_una, bq_at(&c->sndq, 0), n, why);
        return;
    }
    if (c->fin_sent && !fin_acked(c))
        xmit(c, TCP_FIN | TCP_ACK, c->fin_seq, NULL, 0, why);
}

void tcp_timer(struct tcp_conn *c, int64_t now)
{
    if (c->tw_due && now >= c->tw_due) {
        /* RFC 9293 3.10.8: "If the time-wait timeout expires on a
         * connection, delete the TCB, enter the CLOSED state, and return." */
        c->tw_due = 0;
        timer_rec(c, now, TM_TIME_WAIT, TA_EXPIRE, 0, WHY0(N_TMR_TW_EXPIRE));
        enter_closed(c, now, CC_NORMAL, WHY(N_TCP_TW_EXPIRE, 2 * c->cfg.msl_us));
        return;
    }
    if (c->persist_due && now >= c->persist_due) {
        c->persist_due = 0;
        timer_rec(c, now, TM_PERSIST, TA_EXPIRE, 0,
                  WHY0(N_TMR_PERSIST_EXPIRE));
        output(c, now, 1);
    }
    if (c->rto_due && now >= c->rto_due) {
        int64_t waited = c->rto_cur;
        c->rto_due = 0;
        /* A closed peer window is probed for ever (RFC 9293 3.8.6.1: a zero
         * window must not make the sender give up); anything else gives up
         * after the configured number of retransmissions. */
        int probing = syn_acked(c) && c->snd_wnd == 0;
        if (!probing && c->retrans_count >= c->cfg.retries) {
            timer_rec(c, now, TM_RTO, TA_EXPIRE, 0,
                      WHY(N_TMR_RTO_EXPIRE_LAST, waited, c->retrans_count));
            c->err = TCPE_TIMEOUT;
            enter_closed(c, now, CC_NORMAL, WHY(N_TCP_GIVE_UP, c->retrans_count));
            return;
        }
        int64_t next = c->rto_cur * 2;
        if (next > c->cfg.rto_max_us)
            next = c->cfg.rto_max_us;
        /* RFC 6298 5.5: back off the timer, bounded by 2.5's maximum; the
         * sentence says whether it doubled, rose to the ceiling, or was
         * already there */
        timer_rec(c, now, TM_RTO, TA_EXPIRE, 0,
                  next == c->rto_cur * 2 ? WHY(N_TMR_RTO_EXPIRE, waited)
                  : next > c->rto_cur ? WHY(N_TMR_RTO_EXPIRE_UP, waited, next)
                  : WHY(N_TMR_RTO_EXPIRE_MAX, waited, next));
        if (!probing)
            c->retrans_count++;
        c->retransmits++;
        c->rto_cur = next;
        retransmit_front(c, probing ? WHY0(N_SEG_PROBE_AGAIN)
                                    : WHY(N_SEG_RETRANSMIT, c->retrans_count,
                                          c->cfg.retries));
        rto_start(c, now);
    }
}
