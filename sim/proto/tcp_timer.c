/* tcp_timer.c — a TCB's three timers (retransmission, persist, TIME-WAIT):
 * starting and stopping them with their trace records, and their expiry
 * (RFC 9293 3.10.8, RFC 6298). */
#include "tcpint.h"

/* ---- starting and stopping the timers ------------------------------- */

void tcp_timer_rec(struct tcp_conn *c, int64_t now, int name, int action,
                   int64_t due, struct why why)
{
    trace_timer(c->env->tr, now, c->host, TL_TCP, c->id, name, action, due,
                why);
}

void tcp_rto_start(struct tcp_conn *c, int64_t now)
{
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
    if (!c->persist_due)
        return;
    c->persist_due = 0;
    tcp_timer_rec(c, now, TM_PERSIST, TA_STOP, 0, why);
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
    if (c->persist_due && now >= c->persist_due) {
        c->persist_due = 0;
        tcp_timer_rec(c, now, TM_PERSIST, TA_EXPIRE, 0,
                      WHY0(N_TMR_PERSIST_EXPIRE));
        tcp_output(c, now, 1);
    }
    if (c->rto_due && now >= c->rto_due) {
        int64_t waited = c->rto_cur;
        c->rto_due = 0;
        /* A closed peer window is probed for ever (RFC 9293 3.8.6.1: a zero
         * window must not make the sender give up); anything else gives up
         * after the configured number of retransmissions. */
        int probing = tcp_syn_acked(c) && c->snd_wnd == 0;
        if (!probing && c->retrans_count >= c->cfg->retries) {
            tcp_timer_rec(c, now, TM_RTO, TA_EXPIRE, 0,
                          WHY(N_TMR_RTO_EXPIRE_LAST, waited, c->retrans_count));
            c->err = TCPE_TIMEOUT;
            /* RFC 9293 3.8.3: R2 reached.  A half-open child of a
             * listener with a backlog gives its SYN queue place back. */
            int halfopen = c->in_synq && c->state == TCPS_SYN_RECEIVED;
            tcp_enter_closed(c, now, CC_NORMAL,
                             WHY(halfopen ? N_TCP_GIVE_UP_HALFOPEN
                                          : N_TCP_GIVE_UP, c->retrans_count));
            return;
        }
        /* RFC 6298 2.5 allows a ceiling on the RTO "provided it is at
         * least 60 seconds": a lesson whose initial RTO is longer (tcp rto
         * 10m) has its ceiling there, so backing off never shortens the
         * timer. */
        int64_t ceiling = c->cfg->rto_max_us < c->cfg->rto_us
                          ? c->cfg->rto_us : c->cfg->rto_max_us;
        int64_t next = c->rto_cur * 2;
        if (next > ceiling)
            next = ceiling;
        /* RFC 6298 5.5: back off the timer, bounded by 2.5's maximum; the
         * sentence says whether it doubled, rose to the ceiling, or was
         * already there */
        tcp_timer_rec(c, now, TM_RTO, TA_EXPIRE, 0,
                      next == c->rto_cur * 2 ? WHY(N_TMR_RTO_EXPIRE, waited)
                      : next > c->rto_cur ? WHY(N_TMR_RTO_EXPIRE_UP, waited, next)
                      : WHY(N_TMR_RTO_EXPIRE_MAX, waited, next));
        if (!probing)
            c->retrans_count++;
        c->retransmits++;
        c->rto_cur = next;
        /* a probe with no data left is the FIN alone: it says so */
        int fin_only = !tcp_sent_unacked_data(c) && c->fin_sent && !tcp_fin_acked(c);
        retransmit_front(c, probing ? WHY0(fin_only ? N_SEG_PROBE_AGAIN_FIN
                                                    : N_SEG_PROBE_AGAIN)
                                    : WHY(N_SEG_RETRANSMIT, c->retrans_count,
                                          c->cfg->retries));
        tcp_rto_start(c, now);
    }
}
