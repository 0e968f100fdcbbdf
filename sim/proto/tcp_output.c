/* tcp_output.c — every segment a TCB sends leaves through tcp_xmit() here;
 * tcp_output() decides what the window, Nagle and the state allow now. */
#include <string.h>
#include "tcpint.h"

/* RCV.WND is the free receive buffer; the field carries it shifted right by
 * Rcv.Wind.Shift, except in a SYN (RFC 7323 2.2: "The window field in a
 * segment where the SYN bit is set ... MUST NOT be scaled"). */
uint16_t tcp_window_to_advertise(struct tcp_conn *c, int syn)
{
    uint32_t space = c->cfg->rcvbuf > c->rcvq.len
                   ? c->cfg->rcvbuf - (uint32_t)c->rcvq.len : 0;
    c->rcv_wnd = space;
    uint32_t field = syn ? space : space >> c->rcv_shift;
    return field > 65535 ? 65535 : (uint16_t)field;
}

/* Offer window scale in our SYN, and in a SYN,ACK only when the peer's SYN
 * offered it (RFC 7323 2.2: "may be sent in a <SYN,ACK> segment only if a
 * Window Scale option was received in the initial <SYN> segment"). */
static int offer_wscale(const struct tcp_conn *c, uint8_t flags)
{
    return c->cfg->wscale >= 0 && (!(flags & TCP_ACK) || c->peer_ws);
}

/* Transmit one segment.  ACK carries RCV.NXT whenever the ACK bit is set. */
void tcp_xmit(struct tcp_conn *c, uint8_t flags, uint32_t seq,
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
    h.win = (flags & TCP_RST) ? 0
          : tcp_window_to_advertise(c, flags & TCP_SYN);
    if (!(flags & TCP_RST))
        c->rcv_wnd_advertised = (flags & TCP_SYN) ? h.win
                              : (uint32_t)h.win << c->rcv_shift;
    if (flags & TCP_SYN) {
        h.mss = c->cfg->mss;
        if (offer_wscale(c, flags))
            tcp_opt_set(&h, TCPOPT_WSCALE, (uint32_t)c->cfg->wscale);
    }
    c->cfg->env->emit(c->cfg->env->ctx, c, c->raddr, &h, data, len, why);
}

void tcp_send_syn(struct tcp_conn *c, struct why why)
{
    tcp_xmit(c, TCP_SYN, c->iss, NULL, 0, why);
}

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

int tcp_syn_acked(const struct tcp_conn *c)
{
    return seq_gt(c->snd_una, c->iss);
}

int tcp_fin_acked(const struct tcp_conn *c)
{
    return c->fin_sent && seq_gt(c->snd_una, c->fin_seq);
}

size_t tcp_sent_unacked_data(const struct tcp_conn *c)
{
    /* bytes of sndq already transmitted: from its first byte (sequence
     * snd_una once the SYN is acknowledged) up to SND.NXT, less a FIN */
    uint32_t first = tcp_syn_acked(c) ? c->snd_una : c->iss + 1;
    uint32_t end = c->fin_sent ? c->fin_seq : c->snd_nxt;
    return seq_gt(end, first) ? (size_t)(end - first) : 0;
}

/* Sends what the window, Nagle and the state allow: data, then our FIN once
 * everything before it has been sent, then any ACK still owed. */
void tcp_output(struct tcp_conn *c, int64_t now, int probe)
{
    if (c->state == TCPS_CLOSED || c->state == TCPS_LISTEN)
        return;
    if (can_send_data(c) && tcp_syn_acked(c) && !c->fin_sent) {
        for (;;) {
            size_t off = tcp_sent_unacked_data(c);
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
                /* RFC 9293 3.8.6.1: probe a zero window with one byte.  No
                 * retransmission timer: the persist timer sends the next
                 * probe (tcp_zero_window_timers below). */
                tcp_xmit(c, TCP_ACK, c->snd_nxt, tcp_bq_at(&c->sndq, off), 1,
                         WHY0(N_SEG_PROBE));
                c->probe_out = 1;
                c->snd_nxt += 1;
                probe = 0;
                continue;
            }
            if (n == 0)
                break;      /* a zero window arms the persist timer below */
            /* RFC 9293 3.7.4 (Nagle): while data is unacknowledged, hold
             * back a segment smaller than the MSS.  A pending close flushes. */
            if (c->cfg->nagle && n < c->snd_mss && c->snd_una != c->snd_nxt &&
                !c->close_pending)
                break;
            uint8_t flags = TCP_ACK | (n == unsent ? TCP_PSH : 0);
            tcp_xmit(c, flags, c->snd_nxt, tcp_bq_at(&c->sndq, off), n,
                     WHY(c->ack_syn_in_data ? N_SEG_DATA_ACK_SYN : N_SEG_DATA,
                         (int64_t)n, c->snd_nxt));
            c->ack_syn_in_data = 0;
            c->snd_nxt += (uint32_t)n;
            if (!c->rto_due)
                tcp_rto_start(c, now);
        }
    }
    /* RFC 9293 3.10.4, SYN-RECEIVED: "If no SENDs have been issued and
     * there is no pending data to send, then form a FIN segment and send
     * it, and enter FIN-WAIT-1 state" -- so the FIN need not wait for our
     * SYN to be acknowledged when nothing is queued before it. */
    if (c->close_pending && !c->fin_sent &&
        (tcp_syn_acked(c) || c->sndq.len == 0) &&
        tcp_sent_unacked_data(c) == c->sndq.len) {
        c->fin_seq = c->snd_nxt;
        c->fin_sent = 1;
        tcp_xmit(c, TCP_FIN | TCP_ACK, c->fin_seq, NULL, 0, WHY0(N_SEG_FIN));
        c->snd_nxt += 1;
        /* RFC 9293 3.3.2: the FIN takes a sequence number, so a zero window
         * cannot take it: it is a probe, and the persist timer, not the
         * retransmission timer, watches it (tcp_zero_window_timers) */
        if (!c->rto_due && !tcp_zero_window(c))
            tcp_rto_start(c, now);
    }
    tcp_zero_window_timers(c, now);
    if (c->ack_now) {
        /* RFC 9293 3.3.1: the acknowledgment number is the next sequence
         * number the receiver expects, RCV.NXT. */
        struct why w = c->ack_now == OWE_ACK_FIN ? WHY(N_SEG_ACK_FIN, c->rcv_nxt)
                     : c->ack_now == OWE_ACK_OOO
                       ? WHY(N_SEG_ACK_OOO, tcp_rare(c)->ooo_seq, c->rcv_nxt)
                     : WHY(N_SEG_ACK, c->rcv_nxt);
        tcp_xmit(c, TCP_ACK, c->snd_nxt, NULL, 0, w);
    }
}
