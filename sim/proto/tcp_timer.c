/* tcp_timer.c — a TCB's three timers (retransmission, persist, TIME-WAIT):
 * starting and stopping them with their trace records, and their expiry
 * (RFC 9293 3.10.8, RFC 6298). */
#include "tcpint.h"

/* ---- starting and stopping the timers ------------------------------- */

void tcp_timer_rec(struct tcp_conn *c, int64_t now, int name, int action,
                   int64_t due, struct why why)
{
    trace_timer(c->cfg->env->tr, now, c->host, TL_TCP, c->id, name, action, due,
                why);
}

void tcp_rto_start(struct tcp_conn *c, int64_t now)
{
    c->ack_dropped = 0;
    c->stale_acks = 0;
    c->rto_due = now + c->rto_cur;
    tcp_timer_rec(c, now, TM_RTO, TA_START, c->rto_due,
                  WHY(N_TMR_RTO_START, c->rto_cur));
}

/* Stops the retransmission timer; why says which of its causes it was
 * (everything acknowledged, an RST, close(), abort(), ...). */
void tcp_rto_stop(struct tcp_conn *c, int64_t now, struct why why)
{
    if (!c->rto_due)
        return;
    c->rto_due = 0;
    tcp_timer_rec(c, now, TM_RTO, TA_STOP, 0, why);
}

/* Stops the persist timer if it runs, as tcp_rto_stop does the
 * retransmission timer: a cancelled timer gets a stop record naming its
 * start, so no view goes on showing it as running; why says which cause
 * it was (the peer's window opened, TIME-WAIT, the TCB deleted ...). */
void tcp_persist_stop(struct tcp_conn *c, int64_t now, struct why why)
{
    if (!tcp_persist_due(c))
        return;
    c->rare->persist_due = 0;
    tcp_timer_rec(c, now, TM_PERSIST, TA_STOP, 0, why);
}

/* RFC 6298 2.5 allows a ceiling on the RTO "provided it is at least 60
 * seconds": a lesson whose initial RTO is longer (tcp rto 10m) has its
 * ceiling there, so backing off never shortens the timer. */
static int64_t rto_ceiling(const struct tcp_conn *c)
{
    return c->cfg->rto_max_us < c->cfg->rto_us ? c->cfg->rto_us
                                               : c->cfg->rto_max_us;
}

/* The persist timer's interval after `shift` doublings: the initial RTO,
 * doubled, bounded by the RTO's ceiling. */
static int64_t persist_interval(const struct tcp_conn *c, int shift)
{
    int64_t t = c->cfg->rto_us, ceiling = rto_ceiling(c);
    for (int i = 0; i < shift && t < ceiling; i++)
        t *= 2;
    return t < ceiling ? t : ceiling;
}

/* RFC 9293 3.8.6.1: "The transmitting host SHOULD send the first
 * zero-window probe when a zero window has existed for the retransmission
 * timeout period (SHLD-29), and SHOULD increase exponentially the interval
 * between successive probes (SHLD-30)."  The first arming waits one RTO;
 * after each probe (persist_shift > 0) the interval doubles, up to the
 * RTO's ceiling, and the sentence says whether it doubled, rose to the
 * ceiling, or was already there. */
static void persist_arm(struct tcp_conn *c, int64_t now)
{
    int64_t t = persist_interval(c, c->persist_shift);
    struct why w = WHY(N_TMR_PERSIST_START, t);
    if (c->persist_shift) {
        int64_t last = persist_interval(c, c->persist_shift - 1);
        w = t == 2 * last ? WHY(N_TMR_PERSIST_BACKOFF, t, last)
          : t > last ? WHY(N_TMR_PERSIST_BACKOFF_UP, t, last)
          : WHY(N_TMR_PERSIST_BACKOFF_MAX, t);
    }
    tcp_rare(c)->persist_due = now + t;
    tcp_timer_rec(c, now, TM_PERSIST, TA_START, now + t, w);
}

int tcp_zero_window(const struct tcp_conn *c)
{
    return tcp_syn_acked(c) && c->snd_wnd == 0;
}

void tcp_zero_window_timers(struct tcp_conn *c, int64_t now)
{
    switch (c->state) {
    case TCPS_ESTABLISHED: case TCPS_CLOSE_WAIT: case TCPS_FIN_WAIT_1:
    case TCPS_LAST_ACK: case TCPS_CLOSING:
        break;
    default:
        return;                 /* nothing of ours can wait for the window */
    }
    if (!tcp_zero_window(c))
        return;
    uint32_t out = c->snd_nxt - c->snd_una;
    if (out) {
        /* RFC 9293 3.8.6.1: what lies beyond a zero window is not lost;
         * the probes' lack of an answer is no loss either ("As long as
         * the receiving TCP peer continues to send acknowledgments in
         * response to the probe segments, the sending TCP peer MUST allow
         * the connection to stay open", MUST-36): the retransmission timer
         * gives way to the persist timer, and what went out goes again
         * when the window opens. */
        c->probe_out = 1;
        tcp_rto_stop(c, now, WHY(N_TMR_RTO_STOP_ZWND, (int64_t)out, c->snd_una));
    }
    int waiting = out || c->sndq.len > tcp_sent_unacked_data(c) ||
                  (c->close_pending && !c->fin_sent);
    if (waiting && !tcp_persist_due(c))
        persist_arm(c, now);
}

void tcp_time_wait_start(struct tcp_conn *c, int64_t now)
{
    int64_t two_msl = 2 * c->cfg->msl_us;
    tcp_rto_stop(c, now, WHY0(N_TMR_RTO_STOP_TW));
    tcp_persist_stop(c, now, WHY0(N_TMR_PERSIST_STOP_TW));
    c->tw_due = now + two_msl;
    tcp_timer_rec(c, now, TM_TIME_WAIT, TA_START, c->tw_due,
                  WHY(N_TMR_TW_START, two_msl));
}

/* ---- 3.10.8 timeouts ------------------------------------------------------ */

int64_t tcp_deadline(const struct tcp_conn *c)
{
    int64_t d = -1;
    const int64_t t[3] = { c->rto_due, c->tw_due, tcp_persist_due(c) };
    for (int i = 0; i < 3; i++)
        if (t[i] && (d < 0 || t[i] < d))
            d = t[i];
    return d;
}

/* Retransmits the first unacknowledged thing: our SYN (or SYN,ACK), the
 * first segment of data, or our FIN. */
static void retransmit_front(struct tcp_conn *c, struct why why)
{
    if (!tcp_syn_acked(c)) {
        if (c->syn_received)
            tcp_xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0, why);
        else
            tcp_send_syn(c, why);
        return;
    }
    size_t inflight = tcp_sent_unacked_data(c);
    if (inflight) {
        size_t n = inflight < c->snd_mss ? inflight : c->snd_mss;
        uint8_t flags = TCP_ACK | (n == c->sndq.len ? TCP_PSH : 0);
        tcp_xmit(c, flags, c->snd_una, tcp_bq_at(&c->sndq, 0), n, why);
        return;
    }
    if (c->fin_sent && !tcp_fin_acked(c))
        tcp_xmit(c, TCP_FIN | TCP_ACK, c->fin_seq, NULL, 0, why);
}

void tcp_timer(struct tcp_conn *c, int64_t now)
{
    if (c->tw_due && now >= c->tw_due) {
        /* RFC 9293 3.10.8: "If the time-wait timeout expires on a
         * connection, delete the TCB, enter the CLOSED state, and return." */
        c->tw_due = 0;
        tcp_timer_rec(c, now, TM_TIME_WAIT, TA_EXPIRE, 0,
                      WHY0(N_TMR_TW_EXPIRE));
        tcp_enter_closed(c, now, CC_NORMAL,
                         WHY(N_TCP_TW_EXPIRE, 2 * c->cfg->msl_us));
        return;
    }
    int64_t persist_due = tcp_persist_due(c);
    if (persist_due && now >= persist_due) {
        c->rare->persist_due = 0;
        if (c->probes >= c->cfg->retries) {
            /* RFC 9293 3.8.6.1 keeps the connection open while the probes
             * are acknowledged (MUST-36); these were not, `retries` of
             * them in a row (Linux gives up the same way, after
             * tcp_retries2 unanswered probes): R2 of 3.8.3 is reached. */
            tcp_timer_rec(c, now, TM_PERSIST, TA_EXPIRE, 0,
                          WHY(N_TMR_PERSIST_EXPIRE_LAST, c->probes));
            c->err = TCPE_TIMEOUT;
            tcp_enter_closed(c, now, CC_NORMAL,
                             WHY(N_TCP_GIVE_UP_PROBES, c->probes));
            return;
        }
        tcp_timer_rec(c, now, TM_PERSIST, TA_EXPIRE, 0,
                      WHY0(N_TMR_PERSIST_EXPIRE));
        /* one doubling more than reaching the ceiling takes, so that
         * persist_arm tells "rose to the ceiling" from "stays there" */
        if (c->persist_shift == 0 ||
            persist_interval(c, c->persist_shift - 1) < rto_ceiling(c))
            c->persist_shift++;
        c->probes++;
        if (c->snd_una != c->snd_nxt) {
            /* the last probe (or a FIN) is still unacknowledged: it goes
             * again; a probe with no data left is the FIN alone */
            int fin_only = !tcp_sent_unacked_data(c) && c->fin_sent &&
                           !tcp_fin_acked(c);
            /* retransmit_front sends at most one MSS of what is in
             * flight: the sentence gives that count */
            size_t inflight = tcp_sent_unacked_data(c);
            size_t n = inflight < c->snd_mss ? inflight : c->snd_mss;
            retransmit_front(c, fin_only ? WHY0(N_SEG_PROBE_AGAIN_FIN)
                                         : WHY(N_SEG_PROBE_AGAIN, (int64_t)n));
            tcp_output(c, now, 0);
        } else {
            tcp_output(c, now, 1);
        }
    }
    if (c->rto_due && now >= c->rto_due) {
        int64_t waited = c->rto_cur;
        c->rto_due = 0;
        /* The peer's ACK did come while the timer ran, but the host
         * dropped it before it reached this half-open child: the listener's
         * accept queue was full (as Linux does, tcp_abort_on_overflow
         * off).  The sentences say so, not "no acknowledgement". */
        int dropped = c->ack_dropped && c->state == TCPS_SYN_RECEIVED;
        /* segments did come, but they acknowledged nothing new: the
         * sentences say so, not "no acknowledgement" */
        int64_t stale = dropped ? 0 : c->stale_acks;
        if (c->retrans_count >= c->cfg->retries) {
            tcp_timer_rec(c, now, TM_RTO, TA_EXPIRE, 0,
                          dropped ? WHY(N_TMR_RTO_EXPIRE_LAST_ACCQ, waited,
                                        c->retrans_count)
                          : stale ? WHY(N_TMR_RTO_EXPIRE_LAST_STALE, waited,
                                        c->retrans_count, stale)
                          : WHY(N_TMR_RTO_EXPIRE_LAST, waited, c->retrans_count));
            c->err = TCPE_TIMEOUT;
            /* RFC 9293 3.8.3: R2 reached.  A half-open child of a
             * listener with a backlog gives its SYN queue place back. */
            int halfopen = c->in_synq && c->state == TCPS_SYN_RECEIVED;
            tcp_enter_closed(c, now, CC_NORMAL,
                             WHY(dropped ? N_TCP_GIVE_UP_ACCQ
                                 : halfopen ? N_TCP_GIVE_UP_HALFOPEN
                                 : stale ? N_TCP_GIVE_UP_STALE
                                 : N_TCP_GIVE_UP, c->retrans_count));
            return;
        }
        int64_t ceiling = rto_ceiling(c);
        int64_t next = c->rto_cur * 2;
        if (next > ceiling)
            next = ceiling;
        /* RFC 6298 5.5: back off the timer, bounded by 2.5's maximum; the
         * sentence says whether it doubled, rose to the ceiling, or was
         * already there */
        tcp_timer_rec(c, now, TM_RTO, TA_EXPIRE, 0,
                      dropped ? WHY(N_TMR_RTO_EXPIRE_ACCQ, waited, next)
                      : stale ? WHY(N_TMR_RTO_EXPIRE_STALE, waited, next, stale)
                      : next == c->rto_cur * 2 ? WHY(N_TMR_RTO_EXPIRE, waited)
                      : next > c->rto_cur ? WHY(N_TMR_RTO_EXPIRE_UP, waited, next)
                      : WHY(N_TMR_RTO_EXPIRE_MAX, waited, next));
        c->retrans_count++;
        tcp_rare(c)->retransmits++;
        c->rto_cur = next;
        retransmit_front(c, WHY(N_SEG_RETRANSMIT, c->retrans_count,
                                c->cfg->retries));
        tcp_rto_start(c, now);
    }
}
