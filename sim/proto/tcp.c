/* tcp.c — the TCP connection state machine of RFC 9293, one TCB at a time:
 * its life, its state changes and the application calls.
 *
 * Shape: application calls (3.10.1-3.10.5) here; SEGMENT ARRIVES (3.10.7)
 * in tcp_input.c, split by state into LISTEN, SYN-SENT and "otherwise"
 * exactly as the RFC splits it; every segment sent in tcp_output.c; the
 * timers and their timeouts (3.10.8) in tcp_timer.c.  What the parts share
 * is in tcpint.h.  Every transition goes through tcp_set_state(), which
 * appends the trace record; every segment of the TCB's own leaves through
 * tcp_xmit() (an RST answering a segment, through send_rst_for()).
 *
 * Simplifications, stated honestly:
 *  - No delayed ACK: every data segment and FIN is acknowledged at once.
 *  - The RTO does not adapt to measured RTT (RFC 6298 SRTT/RTTVAR): it starts
 *    at the configured value, doubles on each expiry (RFC 6298 5.5) and
 *    returns to the configured value when new data is acknowledged.  This
 *    keeps lessons readable; real stacks measure.
 *  - On RTO expiry only the first unacknowledged segment is retransmitted.
 *  - A zero window is probed by the persist timer alone (RFC 9293 3.8.6.1):
 *    one byte, or a FIN, at intervals from one RTO doubling to the RTO's
 *    ceiling; no retransmission timer runs meanwhile.  The connection stays
 *    open while the peer answers, and gives up after `retries` probes with
 *    no ACK in between (as Linux does after tcp_retries2).
 *  - No congestion control (RFC 5681): no cwnd, no slow start or congestion
 *    avoidance, no fast retransmit or fast recovery.  tcp_output sends what
 *    the peer's window allows (in MSS-sized segments, Nagle permitting);
 *    duplicate ACKs move nothing, so a lost segment is resent only when the
 *    retransmission timer fires (tcp_timer.c).
 *  - No urgent data, no timestamps, no SACK; the options are MSS and, when
 *    the configuration offers it, window scale (RFC 7323).  Data or a FIN
 *    carried on a SYN is ignored (RFC 9293 3.10.7.2/3.10.7.3 would keep
 *    it for after the handshake): it is not acknowledged, and a drop
 *    record names it (syn_text_ignored in tcp_input.c).
 *  - The ACKs answering unacceptable segments (3.10.7.4, RFC 5961's
 *    challenge ACKs) are throttled per connection as on Linux: one per
 *    500 ms for segments without data (RFC 5961 7, oow_ack in
 *    tcp_input.c); Linux's host-wide challenge-ACK limit is not modelled.
 *  - close() and shutdown() are both RFC 9293's CLOSE ("I have no more to
 *    send"), except that close() also gives up reading: unread or later
 *    data makes it reset the connection (RFC 1122 4.2.2.13).
 *
 * Index: which function, in which file, handles each (state x event).  An
 * entry's functions are in the file named at its start (tcp.c where none
 * is); a function from another file has its file beside it.
 *
 *   OPEN, passive (3.10.1)  CLOSED: tcp_listen -> LISTEN; else EXISTS.
 *   OPEN, active (3.10.1)   CLOSED: tcp_connect -> SYN-SENT; else EXISTS.
 *   SEND (3.10.2)           tcp_send: SYN-SENT, SYN-RECEIVED, ESTABLISHED,
 *                           CLOSE-WAIT queue, tcp_output (tcp_output.c);
 *                           the others refuse (tcp_refusal).
 *   RECEIVE (3.10.3)        tcp_recv: any state but LISTEN (and CLOSED with
 *                           nothing queued): tcp_read, then tcp_read_done
 *                           (a window update if the window reopened).
 *   CLOSE (3.10.4)          tcp_close / tcp_shutdown -> do_close:
 *                           LISTEN, SYN-SENT -> tcp_enter_closed;
 *                           SYN-RECEIVED, ESTABLISHED -> FIN-WAIT-1;
 *                           CLOSE-WAIT -> LAST-ACK; FIN-WAIT-1/2 nothing;
 *                           CLOSING, LAST-ACK, TIME-WAIT -TCPE_CLOSING.
 *                           tcp_close first resets on unread data in
 *                           SYN-RECEIVED .. CLOSE-WAIT (RFC 1122 4.2.2.13).
 *   ABORT (3.10.5)          tcp_abort: RST + tcp_enter_closed in
 *                           SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2,
 *                           CLOSE-WAIT; else tcp_enter_closed silently.
 *   SEGMENT ARRIVES         tcp_input.c: tcp_input dispatches by state:
 *     CLOSED (3.10.7.1)       nothing: the host answers with tcp_reset_for
 *                             (tcp_input.c).
 *     LISTEN (3.10.7.2)       listen_input -> SYN-RECEIVED (ESTABLISHED
 *                             for two_way); the host clones the listener
 *                             first with tcp_spawn (tcp.c).
 *     SYN-SENT (3.10.7.3)     syn_sent_input -> ESTABLISHED, SYN-RECEIVED
 *                             (simultaneous open) or tcp_enter_closed
 *                             (tcp.c) on RST.
 *     the others (3.10.7.4)   other_input (after the simultaneous-open
 *                             SYN,ACK in SYN-RECEIVED), in the RFC's
 *                             order: first seq_acceptable; second RST
 *                             rst_in_synchronized; fourth SYN (SYN-RECEIVED
 *                             passive -> LISTEN, else challenge ACK); fifth
 *                             ACK (SYN-RECEIVED -> ESTABLISHED there, else
 *                             sync_ack: ack_advance, update_window,
 *                             FIN-WAIT-1 -> FIN-WAIT-2, CLOSING -> TIME-WAIT,
 *                             LAST-ACK -> tcp_enter_closed (tcp.c));
 *                             seventh text deliver; eighth FIN fin_arrived
 *                             (SYN-RECEIVED, ESTABLISHED -> CLOSE-WAIT;
 *                             FIN-WAIT-1 -> CLOSING or TIME-WAIT;
 *                             FIN-WAIT-2 -> TIME-WAIT).
 *     TIME-WAIT, new SYN      tcp_input.c: tcp_time_wait_syn, asked by the
 *                             host first (RFC 9293 3.6.1 MAY-2): a challenge
 *                             ACK, or tcp_enter_closed (tcp.c) and the host
 *                             opens a new TCB with tcp_spawn (tcp.c) +
 *                             tcp_reopen_from.
 *   Timeouts (3.10.8)       tcp_timer.c: tcp_timer, due at tcp_deadline():
 *     TIME-WAIT (2MSL)        tw_due -> tcp_enter_closed (tcp.c); armed by
 *                             tcp_time_wait_start.
 *     persist                 rare->persist_due -> a new probe byte with
 *                             tcp_output(probe) (tcp_output.c), or what
 *                             went into the zero window again
 *                             (retransmit_front); the interval doubles
 *                             (persist_arm, armed by
 *                             tcp_zero_window_timers at the end of
 *                             tcp_output); `retries` probes in a row with
 *                             no ACK give up with tcp_enter_closed.
 *     retransmission (RTO)    rto_due -> retransmit_front and back off, or
 *                             give up with tcp_enter_closed (tcp.c); armed
 *                             by tcp_rto_start.
 */
#include <stdlib.h>
#include <string.h>
#include "tcpint.h"
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
    c->syncookies = 0;
}

/* ---- byte queues ---------------------------------------------------- */

void tcp_bq_push(struct bytequeue *q, const uint8_t *p, size_t n)
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
            /* start at the first push's size, not a fixed kilobyte: a
             * crowd of short HTTP exchanges holds four queues per
             * connection at once; later pushes double it.  Rounded up to
             * what glibc's chunk holds anyway (request + 8, a multiple of
             * 16): rounding the request itself to 16 cost a 16-byte
             * larger chunk for half the sizes. */
            size_t cap = q->cap ? q->cap : ((n + 8 + 15) & ~(size_t)15) - 8;
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

void tcp_bq_pop(struct bytequeue *q, uint8_t *out, size_t n)
{
    if (n > q->len)
        n = q->len;
    if (out && n)          /* an empty queue may have no buffer at all */
        memcpy(out, q->buf + q->head, n);
    q->head += n;
    q->len -= n;
    if (q->len == 0) {
        /* drained: give the buffer back, so a connection that has
         * delivered (or had acknowledged) everything holds no bytes */
        free(q->buf);
        q->buf = NULL;
        q->head = q->cap = 0;
    }
}

const uint8_t *tcp_bq_at(const struct bytequeue *q, size_t off)
{
    return q->buf + q->head + off;
}

/* ---- TCB life ------------------------------------------------------- */

void tcp_init(struct tcp_conn *c, const struct tcp_config *cfg,
              int host, uint32_t id,
              ip4_addr laddr, uint16_t lport, ip4_addr raddr, uint16_t rport)
{
    memset(c, 0, sizeof *c);
    c->state = TCPS_CLOSED;
    c->host = host;
    c->cfg = cfg;
    c->id = id;
    c->laddr = laddr;
    c->lport = lport;
    c->raddr = raddr;
    c->rport = rport;
    c->rto_cur = cfg->rto_us;
    c->rcv_wnd = cfg->rcvbuf;
    c->snd_mss = 536;              /* RFC 9293 3.7.1: default send MSS */
}

struct tcp_rare *tcp_rare(struct tcp_conn *c)
{
    if (!c->rare)
        c->rare = xcalloc(1, sizeof *c->rare);
    return c->rare;
}

/* ---- The out-of-order queue ------------------------------------------------
 *
 * A treap: a binary search tree in the order the segments are delivered
 * -- by seq (modulo 2^32: everything held lies within one window, less
 * than 2^31 wide), and at one seq the newest first -- and a heap by prio,
 * a hash of the arrival number.  Keys and priorities are independent, so
 * the tree is O(log n) deep on average whether the segments come in order,
 * in reverse or shuffled.  It was a list sorted by seq, walked from its
 * head on each arrival, and the memory budget walked all of it on each
 * event of the TCB: a window of thousands of segments beyond one gap made
 * a transfer quadratic. */

/* splitmix64's output function (sim/engine/rng.c): the arrival number
 * mixed into a priority.  No random number is drawn, so the run's stream
 * of them is the same as before. */
static uint32_t ooo_prio(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return (uint32_t)(x ^ (x >> 31));
}

void tcp_ooo_insert(struct tcp_conn *c, uint32_t seq, const uint8_t *p,
                    size_t len, int fin)
{
    struct tcp_rare *r = tcp_rare(c);
    /* the first segment at or after seq: the newest held at seq, if any */
    const struct tcp_ooo *first = NULL;
    for (const struct tcp_ooo *t = r->ooo; t;)
        if (seq_lt(t->seq, seq)) {
            t = t->right;
        } else {
            first = t;
            t = t->left;
        }
    if (first && first->seq == seq && first->len >= len && first->fin >= fin)
        return;                                 /* already have it */
    struct tcp_ooo *o = xmalloc(sizeof *o + len);
    if (len)
        memcpy(o->data, p, len);
    o->arrival = r->ooo_arrivals++;
    o->prio = ooo_prio(o->arrival);
    o->seq = seq;
    o->len = len;
    o->fin = fin;
    r->ooo_bytes += sizeof *o + len;
    /* down to where its priority puts it, then the subtree there split in
     * two: what comes before it (seq lower), and what after it (seq
     * higher, and the older segments at its own seq) */
    struct tcp_ooo **at = &r->ooo;
    while (*at && (*at)->prio > o->prio)
        at = seq_lt((*at)->seq, seq) ? &(*at)->right : &(*at)->left;
    struct tcp_ooo *t = *at, **l = &o->left, **g = &o->right;
    while (t)
        if (seq_lt(t->seq, seq)) {
            *l = t;
            l = &t->right;
            t = t->right;
        } else {
            *g = t;
            g = &t->left;
            t = t->left;
        }
    *l = *g = NULL;
    *at = o;
}

struct tcp_ooo *tcp_ooo_take(struct tcp_conn *c, uint32_t upto)
{
    if (!c->rare || !c->rare->ooo)
        return NULL;
    struct tcp_ooo **at = &c->rare->ooo;
    while ((*at)->left)
        at = &(*at)->left;
    struct tcp_ooo *o = *at;
    if (!seq_leq(o->seq, upto))
        return NULL;
    *at = o->right;             /* its right subtree's priorities are lower */
    c->rare->ooo_bytes -= sizeof *o + o->len;
    return o;
}

static void ooo_free(struct tcp_conn *c)
{
    if (!c->rare)
        return;
    /* rotate left children up until there is none, freeing as it goes:
     * no recursion, however deep the tree */
    struct tcp_ooo *t = c->rare->ooo;
    while (t) {
        struct tcp_ooo *n;
        if (t->left) {
            n = t->left;
            t->left = n->right;
            n->right = t;
        } else {
            n = t->right;
            free(t);
        }
        t = n;
    }
    c->rare->ooo = NULL;
    c->rare->ooo_bytes = 0;
}

void tcp_destroy(struct tcp_conn *c)
{
    free(c->sndq.buf);
    free(c->rcvq.buf);
    ooo_free(c);
    free(c->rare);
    c->rare = NULL;
    memset(&c->sndq, 0, sizeof c->sndq);
    memset(&c->rcvq, 0, sizeof c->rcvq);
}

void tcp_spawn(struct tcp_conn *child, const struct tcp_conn *listener,
               uint32_t id, ip4_addr laddr, ip4_addr raddr, uint16_t rport)
{
    tcp_init(child, listener->cfg, listener->host, id,
             laddr, listener->lport, raddr, rport);
    child->state = TCPS_LISTEN;
    child->passive = 1;
}

/* ---- the trace-writing helpers -------------------------------------- */

/* The one place a TCB changes state. */
void tcp_set_state(struct tcp_conn *c, int64_t now, enum tcp_state to,
                   struct why why)
{
    if (c->state == to)
        return;
    trace_state(c->cfg->env->tr, now, c->host, TL_TCP, c->id, c->state, to, why);
    c->state = to;
}

/* Enter CLOSED: the TCB is deleted (RFC 9293 3.10.7.4), so every timer
 * stops with it, each stop narrated with the cause. */
void tcp_enter_closed(struct tcp_conn *c, int64_t now, int cause,
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
    static const uint16_t persist_why[] = {
        [CC_NORMAL] = N_TMR_PERSIST_STOP_DELETED,
        [CC_RST] = N_TMR_PERSIST_STOP_RST,
        [CC_CLOSE] = N_TMR_PERSIST_STOP_DELETED,
        [CC_ABORT] = N_TMR_PERSIST_STOP_ABORT,
        [CC_UNREAD] = N_TMR_PERSIST_STOP_UNREAD,
        [CC_REOPEN] = N_TMR_PERSIST_STOP_DELETED,
        [CC_AFTER_CLOSE] = N_TMR_PERSIST_STOP_AFTER_CLOSE,
        [CC_SHUTDOWN] = N_TMR_PERSIST_STOP_DELETED,
    };
    tcp_rto_stop(c, now, WHY(rto_why[cause], c->state));
    tcp_persist_stop(c, now, WHY(persist_why[cause], c->state));
    if (c->tw_due) {
        c->tw_due = 0;
        tcp_timer_rec(c, now, TM_TIME_WAIT, TA_STOP, 0, WHY0(tw_why[cause]));
    }
    c->ack_now = 0;
    tcp_set_state(c, now, TCPS_CLOSED, why);
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
    tcp_set_state(c, now, TCPS_LISTEN, WHY0(N_TCP_LISTEN));
    return 0;
}

int tcp_connect(struct tcp_conn *c, int64_t now)
{
    if (c->state != TCPS_CLOSED)
        return -TCPE_EXISTS;
    /* RFC 9293 3.10.1: select an ISS, send <SEQ=ISS><CTL=SYN>, set
     * SND.UNA to ISS and SND.NXT to ISS+1, enter SYN-SENT. */
    c->iss = c->cfg->env->choose_iss(c->cfg->env->ctx, c);
    c->snd_una = c->iss;
    c->snd_nxt = c->iss + 1;
    tcp_set_state(c, now, TCPS_SYN_SENT, WHY(N_TCP_SYN_SENT, c->iss));
    tcp_send_syn(c, WHY(N_SEG_SYN, c->iss));
    tcp_rto_start(c, now);
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
            return c->sndq.len + len > c->cfg->sndbuf ? -TCPE_NOSPACE : 0;
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
    tcp_bq_push(&c->sndq, p, len);
    tcp_output(c, now, 0);
    return (long)len;
}

/* The largest window our 16-bit field can say: 65535 << Rcv.Wind.Shift. */
static uint32_t max_window(const struct tcp_conn *c)
{
    return (uint32_t)65535 << c->rcv_shift;
}

/* Sends a window update when reading opened a window the peer may think is
 * (nearly) shut: RFC 9293 3.8.6.2.2's receiver-side threshold. */
void tcp_read_done(struct tcp_conn *c)
{
    /* RFC 9293 3.8.6.2.2 (RFC 1122 4.2.3.3), receiver SWS avoidance: the
     * window grows only when it can grow by min(Fr * RCV.BUFF, Eff.snd.MSS),
     * Fr = 1/2 ("RCV.BUFF - RCV.USER - RCV.WND >= min(Fr * RCV.BUFF,
     * Eff.snd.MSS)").  Both sides of that test are what the peer is told:
     * RFC 7323 2.3 sends RCV.WND >> Rcv.Wind.Shift and the peer reads back
     * SEG.WND << Snd.Wind.Shift, so free space below one unit of the shift
     * is no window at all to the peer.  Comparing the free space itself
     * sent "updates" that told a peer stuck at zero that the window was
     * still zero. */
    uint32_t thresh = c->cfg->rcvbuf / 2 < c->snd_mss ? c->cfg->rcvbuf / 2
                                                      : c->snd_mss;
    uint32_t space = c->cfg->rcvbuf - (uint32_t)c->rcvq.len;
    if (space > max_window(c))
        space = max_window(c);
    uint32_t told = space >> c->rcv_shift << c->rcv_shift;
    /* only a window the peer may think (nearly) shut needs a segment of
     * its own; a wider one is carried by the next ACK */
    if (c->rcv_wnd_advertised < thresh &&
        told >= c->rcv_wnd_advertised + thresh &&
        (c->state == TCPS_ESTABLISHED || c->state == TCPS_FIN_WAIT_1 ||
         c->state == TCPS_FIN_WAIT_2)) {
        /* the sentence quotes the window the peer is told: the field
         * shifted back, without the low bits of the free space */
        tcp_xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
                 WHY(N_SEG_WINUPDATE, (int64_t)told));
    }
}

long tcp_read(struct tcp_conn *c, uint8_t *p, size_t max)
{
    int e = tcp_refusal(c, AC_RECV, 0);
    if (e)
        return e;
    size_t n = c->rcvq.len < max ? c->rcvq.len : max;
    tcp_bq_pop(&c->rcvq, p, n);
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
    return (tcp_syn_acked(c) ? c->snd_una : c->iss + 1) +
           (uint32_t)c->sndq.len;
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
    case TCPS_LISTEN:
        /* RFC 9293 3.10.4 LISTEN: "Delete TCB, enter CLOSED state"; a
         * listener has nothing to send */
        tcp_enter_closed(c, now, shut ? CC_SHUTDOWN : CC_CLOSE,
                         WHY(shut ? N_TCP_SHUTDOWN_LISTEN : N_TCP_CLOSE_LISTEN,
                             c->state));
        return 0;
    case TCPS_SYN_SENT: {
        /* RFC 9293 3.10.4 SYN-SENT: "Delete the TCB and return 'error:
         * closing' responses to any queued SENDs": bytes the application
         * wrote while the handshake was under way are thrown away unsent,
         * and the sentence says how many */
        int64_t queued = (int64_t)c->sndq.len;
        int id = queued ? (shut ? N_TCP_SHUTDOWN_SYNSENT_DATA
                                : N_TCP_CLOSE_SYNSENT_DATA)
                        : (shut ? N_TCP_SHUTDOWN_SYNSENT : N_TCP_CLOSE_SYNSENT);
        tcp_enter_closed(c, now, shut ? CC_SHUTDOWN : CC_CLOSE, WHY(id, queued));
        return 0;
    }
    case TCPS_SYN_RECEIVED: case TCPS_ESTABLISHED:
        /* RFC 9293 3.10.4: queue until all preceding SENDs have been
         * segmentized, then form a FIN; in any case enter FIN-WAIT-1. */
        c->close_pending = 1;
        tcp_set_state(c, now, TCPS_FIN_WAIT_1,
                      WHY(shut ? N_TCP_SHUTDOWN_FINWAIT1 : N_TCP_CLOSE_FINWAIT1,
                          planned_fin_seq(c)));
        tcp_output(c, now, 0);
        return 0;
    case TCPS_CLOSE_WAIT:
        /* RFC 9293 3.10.4: queue until the SENDs are segmentized, then send
         * a FIN and enter LAST-ACK. */
        c->close_pending = 1;
        tcp_set_state(c, now, TCPS_LAST_ACK,
                      WHY(shut ? N_TCP_SHUTDOWN_LASTACK : N_TCP_CLOSE_LASTACK,
                          planned_fin_seq(c)));
        tcp_output(c, now, 0);
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
        tcp_bq_pop(&c->rcvq, NULL, n);
        /* RFC 9293 3.10.5 ABORT, as for abort(): send <SEQ=SND.NXT>
         * <CTL=RST> -- no ACK bit, so no acknowledgment number. */
        tcp_xmit(c, TCP_RST, c->snd_nxt, NULL, 0,
                 WHY(N_SEG_RST_UNREAD, n, first, first + n - 1));
        tcp_enter_closed(c, now, CC_UNREAD,
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
        tcp_xmit(c, TCP_RST, c->snd_nxt, NULL, 0, WHY0(N_SEG_RST_ABORT));
        tcp_enter_closed(c, now, CC_ABORT, WHY0(N_TCP_ABORT));
        return 0;
    default:
        /* LISTEN, SYN-SENT, CLOSING, LAST-ACK, TIME-WAIT: just delete */
        tcp_enter_closed(c, now, CC_ABORT, WHY(N_TCP_ABORT_SILENT, c->state));
        return 0;
    }
}
