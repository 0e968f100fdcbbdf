/* tcp_input.c — SEGMENT ARRIVES (RFC 9293 3.10.7) for one TCB: the checks
 * and arrows of LISTEN, SYN-SENT and the other states, in the RFC's order,
 * and the answer to a new SYN in TIME-WAIT.  See the index in tcp.c. */
#include <stdlib.h>
#include <string.h>
#include "tcpint.h"
#include "alloc.h"

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

/* src: the IP source of the segment h (a parameter, not a TCB field:
 * it lives for one segment, and a crowd has hundreds of thousands of
 * TCBs). */
static void send_rst_for(struct tcp_conn *c, ip4_addr src,
                         const struct tcp_hdr *h, size_t len, struct why why)
{
    struct tcp_hdr r;
    if (tcp_reset_for(h, len, &r) < 0)
        return;
    /* RFC 9293 3.10.7.2/3.10.7.3/3.10.7.4: the reset answers the segment,
     * so it goes back to where the segment came from -- for a listener
     * the TCB's remote address is unspecified (0.0.0.0), never a
     * destination. */
    c->cfg->env->emit(c->cfg->env->ctx, c, src, &r, NULL, 0, why);
}

/* The options of the peer's SYN (or SYN,ACK). */
static void take_peer_options(struct tcp_conn *c, const struct tcp_hdr *h)
{
    /* RFC 9293 3.7.1: send no segment larger than the peer's MSS option
     * (536 if absent), and no larger than we could receive either. */
    uint16_t m = h->mss ? h->mss : 536;
    c->snd_mss = m < c->cfg->mss ? m : c->cfg->mss;
    /* RFC 7323 2.2-2.3: scaling is on only if both SYNs carry the option;
     * a shift above 14 is used as 14. */
    uint32_t ws;
    if (tcp_opt_get(h, TCPOPT_WSCALE, &ws)) {
        c->peer_ws = 1;
        c->ws_peer = (uint8_t)(ws > 14 ? 14 : ws);
    }
    if (c->peer_ws && c->cfg->wscale >= 0) {
        c->snd_shift = c->ws_peer;
        c->rcv_shift = (uint8_t)c->cfg->wscale;
    } else {
        c->snd_shift = c->rcv_shift = 0;
    }
}

static void update_window(struct tcp_conn *c, int64_t now,
                          const struct tcp_hdr *h)
{
    /* RFC 7323 2.3: SND.WND = SEG.WND << Snd.Wind.Shift, but a SYN's
     * window is never scaled */
    c->snd_wnd = (h->flags & TCP_SYN) ? h->win : (uint32_t)h->win << c->snd_shift;
    if (c->max_snd_wnd < c->snd_wnd)
        c->max_snd_wnd = c->snd_wnd;        /* RFC 5961 5.2 MAX.SND.WND */
    c->snd_wl1 = h->seq;
    c->snd_wl2 = h->ack;
    /* RFC 9293 3.8.6.1 probes a window that is zero; one that has opened
     * needs no probe, so a running persist timer stops, recorded, and the
     * next closed window is probed from the first interval again */
    if (c->snd_wnd) {
        tcp_persist_stop(c, now, WHY(N_TMR_PERSIST_STOP_OPEN,
                                     (int64_t)c->snd_wnd));
        c->persist_shift = 0;
    }
    /* RFC 9293 3.8.6.1: a receiver with a zero window refuses the probe
     * byte (3.10.7.4: it "must not accept" data it has no room for), and a
     * FIN, which takes a sequence number, too.  When the window opens and
     * what was sent into the zero window is still unacknowledged, it was
     * not taken: send again from SND.UNA, or every byte after it would
     * land beyond a gap and wait for the retransmission timer, which does
     * not run for a probe. */
    if (c->probe_out && c->snd_wnd && seq_lt(c->snd_una, c->snd_nxt)) {
        c->snd_nxt = c->snd_una;
        /* A FIN that followed the probe (the probe was the last byte and
         * close() was pending) lies past the gap too: it goes again after
         * the byte.  Left marked as sent, its sequence number would stay
         * above SND.NXT and tcp_output would send neither the byte nor
         * the FIN; the peer's ACK of them -- it may have taken both, when
         * this window update was sent before the probe arrived -- would
         * then be "SEG.ACK > SND.NXT", answered with an ACK and dropped
         * (3.10.7.4, fifth), and the two ends trade ACKs for ever. */
        if (c->fin_sent && seq_geq(c->fin_seq, c->snd_nxt))
            c->fin_sent = 0;
    }
    if (c->snd_wnd || c->snd_una == c->snd_nxt)
        c->probe_out = 0;
}

/* The segment is dropped and nothing else follows from it: the host
 * records the drop with the rule's sentence, so a silent discard is not a
 * silent record. */
static void discard(struct tcp_conn *c, struct why why)
{
    if (c->cfg->env->discard)
        c->cfg->env->discard(c->cfg->env->ctx, c, why);
}

/* RFC 9293 3.10.7.4 answers an unacceptable segment (and a SYN or an RST
 * it will not take, and an ACK of nothing sent) with an ACK and drops it.
 * Two ends that disagree about the sequence numbers -- a LAND segment's
 * connection with itself, a peer that lost its state -- would answer each
 * other's ACKs for ever, so RFC 5961 7 throttles those ACKs ("ACK
 * Throttling"), and Linux keeps it per connection: after such an ACK, an
 * unacceptable segment without data (or with SYN) within
 * tcp_invalid_ratelimit, 500 ms, is dropped with no reply
 * (tcp_oow_rate_limited).  A segment with data or a FIN is always
 * answered: it is no part of an ACK loop, and a zero-window probe must be
 * (RFC 9293 3.8.6.1).  Returns 1 when the ACK was sent. */
static int oow_ack(struct tcp_conn *c, int64_t now, const struct tcp_hdr *h,
                   size_t len, struct why why)
{
    int pure = (len == 0 && !(h->flags & TCP_FIN)) || (h->flags & TCP_SYN);
    if (pure && c->oow_acked &&
        now - tcp_rare(c)->last_oow_ack < TCP_OOW_ACK_GAP_US) {
        /* the sentence for an ACK sent at this very instant (a loop
         * through the host itself) does not say "0 ms ago" */
        int64_t last = c->rare->last_oow_ack;
        discard(c, now == last
                   ? WHY(N_SEG_DISCARD_OOW_LIMIT_NOW, TCP_OOW_ACK_GAP_US)
                   : WHY(N_SEG_DISCARD_OOW_LIMIT, now - last,
                         TCP_OOW_ACK_GAP_US));
        return 0;
    }
    if (pure) {
        c->oow_acked = 1;
        tcp_rare(c)->last_oow_ack = now;
    }
    tcp_xmit(c, TCP_ACK, c->snd_nxt, NULL, 0, why);
    return 1;
}

/* Text on a SYN, and a FIN on it, are not kept (a simplification,
 * tcp.c): RFC 9293 3.10.7.2 queues "any other control or text" for
 * processing later, and 3.10.7.3 goes on to the sixth step with them, but
 * here they go nowhere and RCV.NXT stays at SEG.SEQ+1, so the peer must
 * send them again.  The host records that, so they do not vanish without
 * a word. */
static void syn_text_ignored(struct tcp_conn *c, const struct tcp_hdr *h,
                             size_t len)
{
    uint32_t n = (uint32_t)len;
    if (h->flags & TCP_FIN)
        discard(c, n ? WHY(N_SEG_SYN_TEXT_FIN_IGNORED, n, h->seq + 1,
                           h->seq + n, h->seq + n + 1)
                     : WHY(N_SEG_SYN_FIN_IGNORED, h->seq + 1));
    else if (n)
        discard(c, WHY(N_SEG_SYN_TEXT_IGNORED, n, h->seq + 1, h->seq + n));
}

/* ---- 3.10.7.2 LISTEN ---------------------------------------------------- */

static void listen_input(struct tcp_conn *c, int64_t now, ip4_addr src,
                         const struct tcp_hdr *h, size_t len)
{
    if (h->flags & TCP_RST) {          /* first: an RST is ignored */
        discard(c, WHY0(N_SEG_DISCARD_LISTEN_RST));
        return;
    }
    if (h->flags & TCP_ACK) {          /* second: an ACK gets an RST */
        send_rst_for(c, src, h, len, WHY0(N_SEG_RST_LISTEN_ACK));
        return;
    }
    if (!(h->flags & TCP_SYN)) {       /* fourth: anything else is dropped */
        discard(c, WHY0(N_SEG_DISCARD_LISTEN_OTHER));
        return;
    }
    /* third: a SYN.  RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ, choose ISS, send
     * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SND.NXT = ISS+1, SND.UNA = ISS,
     * enter SYN-RECEIVED. */
    if (!c->raddr && !c->rport) {
        /* RFC 9293 3.10.1: a passive OPEN may leave the foreign socket
         * unspecified; the SYN that arrives in LISTEN (3.10.7.2) names it */
        c->raddr = src;
        c->rport = h->sport;
    }
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->syn_received = 1;
    c->iss = c->cfg->env->choose_iss(c->cfg->env->ctx, c);
    /* tcp_reopen_from kept it in the rare parts; 0 for any other TCB */
    uint32_t reopen_snd_nxt = c->rare ? c->rare->reopen_snd_nxt : 0;
    if (c->reopen && !seq_gt(c->iss, reopen_snd_nxt)) {
        /* RFC 9293 3.6.1 (MAY-2) reopens from TIME-WAIT only if TCP
         * "assigns its initial sequence number for the new connection to
         * be larger than the largest sequence number it used on the
         * previous connection incarnation".  Linux takes the old SND.NXT
         * plus 65537 (tcp_timewait_state_process); so do we. */
        c->iss = reopen_snd_nxt + 65537;
    }
    c->snd_una = c->iss;
    c->snd_nxt = c->iss + 1;
    take_peer_options(c, h);
    if (c->cfg->two_way) {
        /* The lesson's wrong design: trust the SYN and open at once.  With
         * no third segment, an old duplicate SYN opens a connection that
         * nobody asked for. */
        update_window(c, now, h);
        tcp_set_state(c, now, TCPS_ESTABLISHED, WHY0(N_TCP_TWOWAY_SYN));
        tcp_xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0,
                 WHY(N_SEG_SYNACK, c->iss));
        tcp_rto_start(c, now);
        syn_text_ignored(c, h, len);
        return;
    }
    tcp_set_state(c, now, TCPS_SYN_RECEIVED,
                  WHY(c->reopen ? N_TCP_LISTEN_SYN_REOPEN : N_TCP_LISTEN_SYN,
                      h->seq, c->iss, reopen_snd_nxt));
    tcp_xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0, WHY(N_SEG_SYNACK, c->iss));
    tcp_rto_start(c, now);
    syn_text_ignored(c, h, len);
}

/* ---- 3.10.7.3 SYN-SENT -------------------------------------------------- */

static void ack_advance(struct tcp_conn *c, int64_t now, uint32_t ack);

static void syn_sent_input(struct tcp_conn *c, int64_t now, ip4_addr src,
                           const struct tcp_hdr *h, size_t len)
{
    int ack_ok = 0;
    /* first: an ACK must acknowledge our SYN: ISS < SEG.ACK =< SND.NXT */
    if (h->flags & TCP_ACK) {
        if (seq_leq(h->ack, c->iss) || seq_gt(h->ack, c->snd_nxt)) {
            if (!(h->flags & TCP_RST))
                send_rst_for(c, src, h, len,
                             WHY(N_SEG_RST_BADACK, h->ack, c->iss + 1,
                                 c->snd_nxt));
            else            /* "unless the RST bit is set, if so drop" */
                discard(c, WHY(N_SEG_DISCARD_SYNSENT_BADACK, h->ack,
                               c->iss + 1, c->snd_nxt));
            return;
        }
        ack_ok = seq_lt(c->snd_una, h->ack) && seq_leq(h->ack, c->snd_nxt);
    }
    /* second: an RST counts only if its ACK was acceptable */
    if (h->flags & TCP_RST) {
        if (ack_ok) {
            c->err = TCPE_REFUSED;
            tcp_enter_closed(c, now, CC_RST, WHY0(N_TCP_RST_SYNSENT));
        } else {
            discard(c, WHY0(N_SEG_DISCARD_SYNSENT_RST));
        }
        return;
    }
    /* fifth: neither SYN nor RST: drop */
    if (!(h->flags & TCP_SYN)) {
        discard(c, WHY0(N_SEG_DISCARD_SYNSENT_OTHER));
        return;
    }
    /* fourth: the SYN */
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->syn_received = 1;
    take_peer_options(c, h);
    if (ack_ok) {
        ack_advance(c, now, h->ack);
        update_window(c, now, h);
    }
    if (tcp_syn_acked(c)) {
        if (c->cfg->two_way) {
            tcp_set_state(c, now, TCPS_ESTABLISHED, WHY0(N_TCP_TWOWAY_SYNACK));
            tcp_output(c, now, 0);
            syn_text_ignored(c, h, len);
            return;
        }
        tcp_set_state(c, now, TCPS_ESTABLISHED, WHY(N_TCP_SYNACK_EST, h->ack));
        /* "form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send
         * it.  Data or controls that were queued for transmission MAY be
         * included."  Data the application wrote in SYN-SENT goes in that
         * segment, so the third step of the handshake carries it; with
         * nothing queued (or nothing the window lets out) it is a bare ACK. */
        uint32_t before = c->snd_nxt;
        if (c->sndq.len) {
            c->ack_syn_in_data = 1;
            tcp_output(c, now, 0);
            c->ack_syn_in_data = 0;
        }
        if (c->snd_nxt == before) {
            tcp_xmit(c, TCP_ACK, c->snd_nxt, NULL, 0, WHY0(N_SEG_ACK_SYN));
            tcp_output(c, now, 0);
        }
        syn_text_ignored(c, h, len);
        return;
    }
    /* Simultaneous open: send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, set the
     * window variables and enter SYN-RECEIVED. */
    update_window(c, now, h);
    tcp_set_state(c, now, TCPS_SYN_RECEIVED, WHY0(N_TCP_SIMOPEN));
    tcp_xmit(c, TCP_SYN | TCP_ACK, c->iss, NULL, 0, WHY(N_SEG_SYNACK, c->iss));
    syn_text_ignored(c, h, len);
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
    uint32_t first = tcp_syn_acked(c) ? c->snd_una : c->iss + 1;
    if (seq_gt(ack, first)) {
        uint32_t n = ack - first;
        if (c->fin_sent && seq_gt(ack, c->fin_seq))
            n--;
        if (n > c->sndq.len)
            n = (uint32_t)c->sndq.len;
        tcp_bq_pop(&c->sndq, NULL, n);
    }
    c->snd_una = ack;
    c->retrans_count = 0;
    c->rto_cur = c->cfg->rto_us;
    if (c->snd_una == c->snd_nxt)
        tcp_rto_stop(c, now, WHY0(N_TMR_RTO_STOP));
    else if (!tcp_zero_window(c))
        tcp_rto_start(c, now);
    /* else what is left went into a zero window: the persist timer, not
     * the RTO, watches it (RFC 9293 3.8.6.1), unless this very segment
     * opens the window, which update_window then sees to */
}

/* The eighth step: our peer's FIN has arrived in sequence. */
static void fin_arrived(struct tcp_conn *c, int64_t now)
{
    c->fin_received = 1;
    c->rcv_nxt += 1;
    c->ack_now = OWE_ACK_FIN;
    switch (c->state) {
    case TCPS_SYN_RECEIVED: case TCPS_ESTABLISHED:
        tcp_set_state(c, now, TCPS_CLOSE_WAIT, WHY0(N_TCP_FIN_CLOSEWAIT));
        break;
    case TCPS_FIN_WAIT_1:
        if (tcp_fin_acked(c)) {
            tcp_set_state(c, now, TCPS_TIME_WAIT, WHY0(N_TCP_FINWAIT1_FINACK));
            tcp_time_wait_start(c, now);
        } else {
            tcp_set_state(c, now, TCPS_CLOSING, WHY0(N_TCP_FINWAIT1_FIN));
        }
        break;
    case TCPS_FIN_WAIT_2:
        tcp_set_state(c, now, TCPS_TIME_WAIT,
                      WHY(N_TCP_FINWAIT2_FIN, 2 * c->cfg->msl_us));
        tcp_time_wait_start(c, now);
        break;
    case TCPS_TIME_WAIT:
        /* RFC 9293 3.10.7.4 eighth: "TIME-WAIT STATE: Remain in the
         * TIME-WAIT state.  Restart the 2 MSL time-wait timeout." -- for a
         * FIN that passed the sequence test here as for the resent one
         * other_input recognises before it (N_TCP_TW_REFIN) */
        tcp_time_wait_start(c, now);
        break;
    default:
        /* CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state" */
        break;
    }
}

/* Accepts in-order bytes at RCV.NXT, then anything queued that now fits.
 * Returns 1 when a FIN has come into sequence. */
static int deliver(struct tcp_conn *c, uint32_t seq, const uint8_t *p,
                   size_t len, int fin)
{
    if (seq != c->rcv_nxt) {
        if (seq_gt(seq, c->rcv_nxt))
            tcp_ooo_insert(c, seq, p, len, fin);
        return 0;
    }
    tcp_bq_push(&c->rcvq, p, len);
    c->rcv_nxt += (uint32_t)len;
    if (fin)
        return 1;
    struct tcp_ooo *o;
    while ((o = tcp_ooo_take(c, c->rcv_nxt))) {
        uint32_t skip = c->rcv_nxt - o->seq;
        int done = 0;
        if (skip <= o->len) {
            if (o->len > skip)
                tcp_bq_push(&c->rcvq, o->data + skip, o->len - skip);
            c->rcv_nxt += (uint32_t)(o->len - skip);
            done = o->fin;
        }
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
            tcp_rto_stop(c, now, WHY0(N_TMR_RTO_STOP_LISTEN_RST));
            tcp_set_state(c, now, TCPS_LISTEN, WHY0(N_TCP_RST_PASSIVE));
        } else {
            c->err = TCPE_REFUSED;
            tcp_enter_closed(c, now, CC_RST, WHY0(N_TCP_RST_ACTIVE));
        }
        break;
    case TCPS_ESTABLISHED: case TCPS_FIN_WAIT_1: case TCPS_FIN_WAIT_2:
    case TCPS_CLOSE_WAIT:
        c->err = TCPE_RESET;
        tcp_enter_closed(c, now, CC_RST, WHY(N_TCP_RST_RESET, c->state));
        break;
    default:               /* CLOSING, LAST-ACK, TIME-WAIT */
        tcp_enter_closed(c, now, CC_RST, WHY(N_TCP_RST_CLOSE, c->state));
        break;
    }
}

/* The fifth step for the synchronized states after SYN-RECEIVED: advance
 * SND.UNA, update the send window, and take the state arrows an ACK can
 * cause.  Returns -1 when the segment was dropped (its ACK field is not
 * acceptable), 1 when the ACK was taken and processing ends there
 * (CLOSING, LAST-ACK), 0 to go on to the segment text. */
static int sync_ack(struct tcp_conn *c, int64_t now, const struct tcp_hdr *h,
                    size_t len, uint32_t seq)
{
    if (seq_gt(h->ack, c->snd_nxt)) {
        /* RFC 9293 3.10.7.4 fifth: "If the ACK acks something not yet
         * sent (SEG.ACK > SND.NXT), then send an ACK, drop the segment,
         * and return." */
        oow_ack(c, now, h, len,
                WHY(N_SEG_ACK_TOOFAR, h->ack, c->snd_nxt, c->rcv_nxt));
        return -1;
    }
    uint32_t maxw = c->max_snd_wnd > c->snd_wnd ? c->max_snd_wnd : c->snd_wnd;
    if (seq_lt(h->ack, c->snd_una - maxw)) {
        /* RFC 5961 5.2 (RFC 9293 MAY-12, as Linux does): an ACK is
         * acceptable only in (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT;
         * "All incoming segments whose ACK value doesn't satisfy the above
         * condition MUST be discarded and an ACK sent back." */
        oow_ack(c, now, h, len,
                WHY(N_SEG_ACK_TOOOLD, h->ack, c->snd_una, maxw, c->rcv_nxt));
        return -1;
    }
    /* A passive TCB that close() took from SYN-RECEIVED to FIN-WAIT-1
     * (RFC 9293 3.10.4) before its SYN was acknowledged never passed the
     * SYN-RECEIVED step of 3.10.7.4 fifth, where the ACK of our SYN sets
     * "SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK" (the
     * SYN in LISTEN sets none of them, 3.10.7.2).  Without that, SND.WL1
     * is no segment's and the test below compares SEG.SEQ with a number
     * the peer never sent: the peer's window would stay zero for ever.  So
     * the first ACK of our SYN sets the window here, as it would have. */
    /* the peer has answered: whatever probes went before it were not
     * lost (RFC 9293 3.8.6.1, MUST-36) */
    c->probes = 0;
    int first_syn_ack = !tcp_syn_acked(c) && seq_lt(c->snd_una, h->ack);
    /* In that SYN-RECEIVED step the window is set before ESTABLISHED's
     * "SND.UNA <- SEG.ACK".  Set after it, ack_advance saw the window of
     * no segment (zero), left the retransmission timer to the persist
     * timer, and the timer ran on, armed with the backed-off RTO, while the
     * RTO went back to its first value: its expiry then said "within 1s"
     * of a timer started 32s before. */
    if (first_syn_ack)
        update_window(c, now, h);
    if (seq_lt(c->snd_una, h->ack))
        ack_advance(c, now, h->ack);
    /* window update: SND.UNA =< SEG.ACK =< SND.NXT and the segment is
     * newer than the one that last set the window */
    if (!first_syn_ack &&
        seq_leq(c->snd_una, h->ack) &&
        (seq_lt(c->snd_wl1, seq) ||
         (c->snd_wl1 == seq && seq_leq(c->snd_wl2, h->ack))))
        update_window(c, now, h);
    switch (c->state) {
    case TCPS_FIN_WAIT_1:
        /* A segment that acknowledges our FIN and carries the peer's FIN
         * takes the eighth step's arrow straight to TIME-WAIT ("If our FIN
         * has been ACKed (perhaps in this segment), then enter TIME-WAIT");
         * otherwise the ACK alone means FIN-WAIT-2. */
        if (tcp_fin_acked(c) && !(h->flags & TCP_FIN))
            tcp_set_state(c, now, TCPS_FIN_WAIT_2, WHY0(N_TCP_FINWAIT1_ACK));
        return 0;
    case TCPS_CLOSING:
        if (tcp_fin_acked(c)) {
            tcp_set_state(c, now, TCPS_TIME_WAIT,
                          WHY(N_TCP_CLOSING_ACK, 2 * c->cfg->msl_us));
            tcp_time_wait_start(c, now);
        }
        return 1;
    case TCPS_LAST_ACK:
        if (tcp_fin_acked(c))
            tcp_enter_closed(c, now, CC_NORMAL, WHY0(N_TCP_LASTACK_ACK));
        return 1;
    default:
        return 0;
    }
}

static void other_input(struct tcp_conn *c, int64_t now, ip4_addr src,
                        const struct tcp_hdr *h, const uint8_t *data,
                        size_t len)
{
    uint32_t slen = seg_len(h, len);
    uint32_t seq = h->seq;
    int fin = !!(h->flags & TCP_FIN);

    tcp_window_to_advertise(c, 0);
    if (c->state == TCPS_SYN_RECEIVED && !c->passive &&
        (h->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
        seq == c->irs && seq_lt(c->snd_una, h->ack) &&
        seq_leq(h->ack, c->snd_nxt)) {
        /* Simultaneous open, RFC 9293 Figure 7 line 6: the peer's SYN,ACK
         * repeats the SYN we already hold (SEG.SEQ = IRS, so the literal
         * window test would reject it) and acknowledges ours: the
         * connection is established.  Linux makes the same exception. */
        ack_advance(c, now, h->ack);
        update_window(c, now, h);
        tcp_set_state(c, now, TCPS_ESTABLISHED,
                      WHY(N_TCP_SYNRCVD_EST, h->ack));
        return;
    }
    /* first: check the sequence number */
    if (!seq_acceptable(c, seq, slen)) {
        if (h->flags & TCP_RST) {
            discard(c, WHY(N_SEG_DISCARD_RST_WINDOW, seq, c->rcv_nxt,
                           c->rcv_wnd));
            return;
        }
        if (c->state == TCPS_TIME_WAIT && fin && seq + slen == c->rcv_nxt) {
            /* RFC 9293 3.10.7.4, eighth, TIME-WAIT: "Remain in the TIME-WAIT
             * state.  Restart the 2 MSL time-wait timeout."  The FIN came
             * again -- resent by a peer that did not get our ACK in time,
             * or a copy the network made; nothing here tells which -- so
             * it lies wholly before RCV.NXT and fails the window test; it
             * is recognised here, as real stacks do, so that it is
             * answered and the timer restarted rather than merely
             * acknowledged. */
            tcp_xmit(c, TCP_ACK, c->snd_nxt, NULL, 0, WHY0(N_TCP_TW_REFIN));
            tcp_time_wait_start(c, now);
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
                sync_ack(c, now, h, len, seq);
            return;
        }
        /* The segment covers RCV.NXT: its first number is at or before it
         * and its last at or after it.  With an open window that would be
         * acceptable (its old front trimmed below); it is refused only because
         * the window is zero, as a probe at RCV.NXT is. */
        int covers = seq_leq(seq, c->rcv_nxt) && seq_lt(c->rcv_nxt, seq + slen);
        /* A SYN covering RCV.NXT fails the test only because the window is
         * closed (the SYN takes a sequence number), and the allowance for
         * "valid ACKs" below is not for it: RFC 9293 3.10.7.4 fourth, "RFC
         * 5961 recommends that in these synchronized states, if the SYN bit
         * is set, irrespective of the sequence number, TCP endpoints MUST
         * send a 'challenge ACK' ... After sending the acknowledgment, TCP
         * implementations MUST drop the unacceptable segment and stop
         * processing further."  Its ACK field is never looked at: a SYN,ACK
         * that reached the fifth step would move SND.UNA (Linux, too,
         * checks SYN before the ACK field, tcp_validate_incoming). */
        if (c->rcv_wnd == 0 && covers && (h->flags & TCP_SYN)) {
            oow_ack(c, now, h, len, WHY(N_SEG_CHALLENGE, c->state, c->rcv_nxt));
            return;
        }
        /* A segment with data at RCV.NXT (a probe) is refused, but its ACK
         * field still counts -- also when old bytes come before RCV.NXT in
         * it (a retransmission that reaches past what was taken): it is
         * refused for the closed window, not for the old bytes, and its
         * sentence says so. */
        if (c->rcv_wnd == 0 && covers) {
            if ((h->flags & TCP_ACK) && c->state != TCPS_SYN_RECEIVED &&
                sync_ack(c, now, h, len, seq) != 0)
                return;
            tcp_xmit(c, TCP_ACK, c->snd_nxt, NULL, 0,
                     WHY(N_SEG_ZWND_REFUSE, seq));
            return;
        }
        /* "send an acknowledgment ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
         * After sending the acknowledgment, drop the unacceptable segment" */
        /* the sentence quotes how far SEG.SEQ lies from RCV.NXT, on the
         * side it lies (before: already received; past: beyond RCV.WND) */
        /* Past RCV.NXT, the test failed because SEG.SEQ lies at or beyond
         * RCV.NXT + RCV.WND (a segment at RCV.NXT into a zero window was
         * refused above), so that sentence quotes RCV.WND. */
        int old_seg = seq_lt(seq, c->rcv_nxt);
        if (covers)
            /* Starting before RCV.NXT and ending past the window (a
             * zero window was handled above): "RCV.NXT =< SEG.SEQ <
             * RCV.NXT+RCV.WND or RCV.NXT =< SEG.SEQ+SEG.LEN-1 <
             * RCV.NXT+RCV.WND" fails because neither end lies in the
             * window -- not because it is old, which the sentence for
             * old segments would say. */
            oow_ack(c, now, h, len,
                    WHY(N_SEG_DUPACK_SPAN, seq, c->rcv_nxt, seq + slen - 1,
                        c->rcv_nxt + c->rcv_wnd - 1));
        else if (old_seg)
            oow_ack(c, now, h, len,
                    WHY(N_SEG_DUPACK_OLD, seq, slen, c->rcv_nxt,
                        c->rcv_nxt - seq));
        else
            oow_ack(c, now, h, len,
                    WHY(N_SEG_DUPACK, seq, slen, c->rcv_wnd, seq - c->rcv_nxt));
        return;
    }
    /* second: the RST bit (with RFC 5961's exact-match refinement, which
     * RFC 9293 3.10.7.4 adopts): reset only if SEG.SEQ = RCV.NXT, else send
     * a challenge ACK. */
    if (h->flags & TCP_RST) {
        if (seq_lt(seq, c->rcv_nxt)) {
            /* An RST with text may pass the first check by its last bytes
             * while SEG.SEQ lies before RCV.NXT.  RFC 9293 3.10.7.4 second
             * (RFC 5961 3.2) judges the RST by its sequence number: "1) If
             * the RST bit is set and the sequence number is outside the
             * current receive window, silently drop the segment."  Only
             * one in the window (RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND) but
             * not at RCV.NXT earns the challenge ACK of "3)". */
            discard(c, WHY(N_SEG_DISCARD_RST_WINDOW, seq, c->rcv_nxt,
                           c->rcv_wnd));
            return;
        }
        if (seq != c->rcv_nxt) {
            oow_ack(c, now, h, len, WHY(N_SEG_CHALLENGE_RST, seq, c->rcv_nxt));
            return;
        }
        rst_in_synchronized(c, now);
        return;
    }
    /* fourth: the SYN bit */
    if (h->flags & TCP_SYN) {
        if (c->state == TCPS_SYN_RECEIVED && c->passive) {
            tcp_rto_stop(c, now, WHY0(N_TMR_RTO_STOP_LISTEN_SYN));
            tcp_set_state(c, now, TCPS_LISTEN, WHY0(N_TCP_SYN_PASSIVE));
            return;
        }
        /* synchronized states: challenge ACK, drop (RFC 5961 4) */
        oow_ack(c, now, h, len, WHY(N_SEG_CHALLENGE, c->state, c->rcv_nxt));
        return;
    }
    /* fifth: the ACK field; a segment without ACK is dropped */
    if (!(h->flags & TCP_ACK)) {
        discard(c, WHY(N_SEG_DISCARD_NOACK, c->state));
        return;
    }
    /* the state the segment found: CLOSING may leave for TIME-WAIT and
     * LAST-ACK for CLOSED on its ACK before its text is looked at */
    int arrived_in = c->state;
    int r = 0;
    if (c->state == TCPS_SYN_RECEIVED) {
        if (seq_lt(c->snd_una, h->ack) && seq_leq(h->ack, c->snd_nxt)) {
            ack_advance(c, now, h->ack);
            update_window(c, now, h);
            tcp_set_state(c, now, TCPS_ESTABLISHED,
                          WHY(N_TCP_SYNRCVD_EST, h->ack));
        } else {
            send_rst_for(c, src, h, len, WHY0(N_SEG_RST_SYNRCVD_ACK));
            return;
        }
    } else if ((r = sync_ack(c, now, h, len, seq)) < 0) {
        return;
    }
    /* seventh: segment text.  RFC 9293 3.10.7.4: "CLOSE-WAIT STATE,
     * CLOSING STATE, LAST-ACK STATE, TIME-WAIT STATE: This should not
     * occur since a FIN has been received from the remote side.  Ignore
     * the segment text."  The text is ignored -- not delivered, and RCV.NXT
     * does not move, so no ACK covers it -- and the host records that, so
     * the bytes do not vanish without a word.  A FIN behind that text
     * takes the sequence number after the text's last byte, which is not
     * RCV.NXT since the text before it was not taken: it is not in
     * sequence and the eighth step does not see it (taking it at SEG.SEQ
     * would acknowledge a byte of the ignored text).  CLOSING and LAST-ACK
     * end at the fifth step (r > 0) and look at no text either.  Bytes
     * before RCV.NXT are old (received before the FIN, or on the FIN's own
     * number) and are not what the record names; with none after it, the
     * segment goes on as before and its text is trimmed away below. */
    uint32_t old_n = seq_lt(seq, c->rcv_nxt) ? c->rcv_nxt - seq : 0;
    if (len > old_n &&
        (arrived_in == TCPS_CLOSE_WAIT || arrived_in == TCPS_CLOSING ||
         arrived_in == TCPS_LAST_ACK || arrived_in == TCPS_TIME_WAIT)) {
        uint32_t n = (uint32_t)len - old_n, first = seq + old_n;
        discard(c, WHY(fin ? N_SEG_TEXT_AFTER_FIN_FIN : N_SEG_TEXT_AFTER_FIN,
                       n, first, first + n - 1, arrived_in));
        return;
    }
    if (r > 0)
        return;
    /* seventh: segment text, in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2.
     * Trim what lies before RCV.NXT or beyond the window first. */
    int text_ok = c->state == TCPS_ESTABLISHED || c->state == TCPS_FIN_WAIT_1 ||
                  c->state == TCPS_FIN_WAIT_2;
    /* In CLOSE-WAIT and TIME-WAIT any text left here lies before RCV.NXT
     * (newer text was ignored above), and the trimming below removes it
     * by its own length: so a FIN right behind old text -- at RCV.NXT --
     * is seen as in sequence, as the same FIN alone is, and not dropped
     * because the text before it was counted as length 0. */
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
        tcp_xmit(c, TCP_RST, c->snd_nxt, NULL, 0,
                 WHY(N_SEG_RST_AFTER_CLOSE, n, seq, seq + n - 1));
        tcp_enter_closed(c, now, CC_AFTER_CLOSE,
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
            tcp_rare(c)->ooo_seq = seq;
        } else if (!c->ack_now) {
            c->ack_now = OWE_ACK;
        }
    }
    /* eighth: the FIN bit, once it is in sequence */
    if (fin_in_order)
        fin_arrived(c, now);
    else if (c->state == TCPS_FIN_WAIT_1 && tcp_fin_acked(c))
        tcp_set_state(c, now, TCPS_FIN_WAIT_2, WHY0(N_TCP_FINWAIT1_ACK));
}

void tcp_input(struct tcp_conn *c, int64_t now, ip4_addr src,
               const struct tcp_hdr *h, const uint8_t *data, size_t len)
{
    /* counted before it is processed: if it acknowledges something new,
     * the timer restarts (or stops) and the count starts again */
    if (c->rto_due && (h->flags & TCP_ACK))
        c->stale_acks++;
    switch (c->state) {
    case TCPS_CLOSED:
        /* a deleted TCB receives nothing; the host answers for it */
        return;
    case TCPS_LISTEN:
        listen_input(c, now, src, h, len);
        break;
    case TCPS_SYN_SENT:
        syn_sent_input(c, now, src, h, len);
        break;
    default:
        other_input(c, now, src, h, data, len);
        break;
    }
    tcp_output(c, now, 0);
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
        oow_ack(c, now, h, 0, WHY(N_SEG_CHALLENGE_TW_OLD, h->seq, c->rcv_nxt));
        return TW_SYN_HANDLED;
    }
    if (!c->cfg->tw_reopen) {
        oow_ack(c, now, h, 0, WHY(N_SEG_CHALLENGE_TW_OFF, h->seq, c->rcv_nxt));
        return TW_SYN_HANDLED;
    }
    if (!have_listener) {
        /* RFC 9293 3.6.1 (MAY-2) lets TCP "accept a new SYN from the remote
         * TCP endpoint to reopen the connection": with no passive OPEN on
         * this port there is nothing to open, so the SYN gets the ordinary
         * synchronized-state answer (3.10.7.4 fourth, a challenge ACK) and
         * TIME-WAIT goes on.  Linux does the same (it ACKs from the
         * TIME-WAIT socket when no listener is found). */
        oow_ack(c, now, h, 0, WHY(N_SEG_CHALLENGE_TW_NOLISTEN, h->seq, c->rcv_nxt, c->lport));
        return TW_SYN_HANDLED;
    }
    /* RFC 9293 3.6.1 (MAY-2), RFC 1122 4.2.2.13, RFC 6191 2 (without
     * timestamps): a SYN whose sequence number is above RCV.NXT cannot
     * belong to the old incarnation, so the TIME-WAIT TCB is deleted and
     * the SYN opens a new connection as from LISTEN.  Simplification: RFC
     * 1122 also asks to return to TIME-WAIT should the SYN turn out to be
     * an old duplicate; like Linux, the old TCB is gone by then. */
    tcp_enter_closed(c, now, CC_REOPEN,
                     WHY(N_TCP_TW_REOPEN, h->seq, c->rcv_nxt));
    return TW_SYN_REOPEN;
}

void tcp_reopen_from(struct tcp_conn *child, const struct tcp_conn *old)
{
    child->reopen = 1;
    tcp_rare(child)->reopen_snd_nxt = old->snd_nxt;
}
