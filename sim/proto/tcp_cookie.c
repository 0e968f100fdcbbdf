/* tcp_cookie.c — SYN cookies (RFC 4987 3.6): a listener with a full SYN
 * queue answers a SYN without keeping state, and a valid ACK re-creates the
 * connection.  The layout of the 32 bits is in tcp.h.
 *
 * Simplification, stated honestly: the 24-bit "secret function" is a keyed
 * 64-bit mixing function (splitmix64's finaliser), not a cryptographic MAC.
 * The key is a deterministic secret the host derives from the run's seed,
 * so a run is reproducible; a real stack keys SipHash (Linux) with random
 * bytes, so that nobody off the path can compute a valid cookie. */
#include <string.h>
#include "tcpint.h"

/* The 8 MSS values 3 bits can name, smallest first: 536 is RFC 9293
 * 3.7.1's default, 1460 Ethernet's; 64 is the smallest `tcp mss`. */
static const uint16_t cookie_mss[8] = {
    64, 256, 536, 1024, 1220, 1360, 1440, 1460
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* RFC 4987 3.6: the low 24 bits are a secret function, chosen by the
 * server, of both addresses and ports and of t. */
static uint32_t cookie_hash(uint64_t secret, int64_t t, ip4_addr laddr,
                            uint16_t lport, ip4_addr raddr, uint16_t rport)
{
    uint64_t h = mix(secret ^ ((uint64_t)laddr << 32 | raddr));
    h = mix(h ^ ((uint64_t)lport << 48 | (uint64_t)rport << 32 |
                 (uint32_t)t));
    return (uint32_t)h & 0xffffff;
}

static int64_t period(int64_t now)
{
    return now / TCP_COOKIE_PERIOD_US;
}

uint32_t tcp_cookie_make(uint64_t secret, int64_t now, ip4_addr laddr,
                         uint16_t lport, ip4_addr raddr, uint16_t rport,
                         uint16_t want, uint16_t *mss)
{
    int i = 7;
    while (i > 0 && cookie_mss[i] > want)
        i--;
    *mss = cookie_mss[i];
    int64_t t = period(now);
    return (uint32_t)(t & 31) << 27 | (uint32_t)i << 24 |
           cookie_hash(secret, t, laddr, lport, raddr, rport);
}

int tcp_cookie_check(uint64_t secret, int64_t now, ip4_addr laddr,
                     uint16_t lport, ip4_addr raddr, uint16_t rport,
                     uint32_t cookie, uint16_t *mss, int *age)
{
    int64_t t_now = period(now);
    /* the counter wraps every 32 periods: its age is taken modulo 32 */
    *age = (int)((t_now - (int64_t)(cookie >> 27)) & 31);
    if (*age > TCP_COOKIE_MAX_AGE)
        return COOKIE_STALE;
    if ((cookie & 0xffffff) !=
        cookie_hash(secret, t_now - *age, laddr, lport, raddr, rport))
        return COOKIE_FORGED;
    *mss = cookie_mss[(cookie >> 24) & 7];
    return COOKIE_OK;
}

void tcp_cookie_synack(struct tcp_conn *listener, int64_t now, ip4_addr src,
                       const struct tcp_hdr *syn, uint64_t secret)
{
    /* RFC 9293 3.7.1: we may send what the peer's MSS option allows (536
     * without one) and no more than we ourselves accept */
    uint16_t want = syn->mss ? syn->mss : 536;
    if (want > listener->cfg->mss)
        want = listener->cfg->mss;
    uint16_t mss;
    uint32_t cookie = tcp_cookie_make(secret, now, listener->laddr,
                                      listener->lport, src, syn->sport,
                                      want, &mss);
    /* RFC 9293 3.10.7.2's <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with the
     * cookie as ISS, built without touching the listener: no TCB holds
     * this connection.  RFC 4987 3.6: options other than the MSS (large
     * windows, selective acknowledgment) cannot be kept, since the queue
     * entry that would hold them is not made -- so no window scale is
     * offered, and a SYN's window is never scaled anyway. */
    struct tcp_hdr h;
    memset(&h, 0, sizeof h);
    h.sport = listener->lport;
    h.dport = syn->sport;
    h.seq = cookie;
    h.ack = syn->seq + 1;
    h.flags = TCP_SYN | TCP_ACK;
    h.win = listener->cfg->rcvbuf > 65535 ? 65535 : (uint16_t)listener->cfg->rcvbuf;
    h.mss = listener->cfg->mss;
    listener->cfg->env->emit(listener->cfg->env->ctx, listener, src, &h, NULL, 0,
                       WHY(syn->has_wscale ? N_SEG_SYNACK_COOKIE_WS
                                           : N_SEG_SYNACK_COOKIE,
                           cookie, cookie >> 27, mss));
}

int tcp_cookie_ack(struct tcp_conn *listener, int64_t now, ip4_addr src,
                   const struct tcp_hdr *h, size_t len, uint64_t secret,
                   uint16_t *mss)
{
    int age = 0;
    uint32_t cookie = h->ack - 1;
    int v = tcp_cookie_check(secret, now, listener->laddr, listener->lport,
                             src, h->sport, cookie, mss, &age);
    if (v == COOKIE_OK)
        return 1;
    /* RFC 9293 3.10.7.2, second: "Any acknowledgment is bad if it arrives
     * on a connection still in the LISTEN state.  An acceptable reset
     * segment should be formed for any arriving ACK-bearing segment":
     * <SEQ=SEG.ACK><CTL=RST>. */
    struct tcp_hdr r;
    tcp_reset_for(h, len, &r);
    listener->cfg->env->emit(listener->cfg->env->ctx, listener, src, &r, NULL, 0,
                       v == COOKIE_STALE
                           ? WHY(N_SEG_RST_COOKIE_STALE, cookie, age,
                                 TCP_COOKIE_MAX_AGE)
                           : WHY(N_SEG_RST_COOKIE_FORGED, cookie));
    return 0;
}

void tcp_cookie_open(struct tcp_conn *child, int64_t now,
                     const struct tcp_hdr *h, uint16_t mss)
{
    /* What the SYN-RECEIVED TCB would have held, recovered from the ACK:
     * IRS = SEG.SEQ - 1 (the ACK follows the SYN's one sequence number),
     * ISS = SEG.ACK - 1 (the cookie), and the ACK acknowledges our SYN. */
    child->irs = h->seq - 1;
    child->rcv_nxt = h->seq;
    child->syn_received = 1;
    child->iss = h->ack - 1;
    child->snd_una = h->ack;
    child->snd_nxt = h->ack;
    child->snd_mss = mss < child->cfg->mss ? mss : child->cfg->mss;
    /* no window scale was offered (see tcp_cookie_synack): the window
     * field of this ACK is unscaled */
    child->snd_wnd = child->max_snd_wnd = h->win;
    child->snd_wl1 = h->seq;
    child->snd_wl2 = h->ack;
    tcp_set_state(child, now, TCPS_ESTABLISHED,
                  WHY(N_TCP_COOKIE_EST, h->ack, child->iss, mss));
}
