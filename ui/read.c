/* read.c — a real capture as a run's trace (read.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "arp.h"
#include "i18n.h"
#include "narrate.h"
#include "read.h"
#include "summary.h"
#include "tcp.h"
#include "hashslot.h"
#include "trace.h"
#include "wire.h"

/* ---- lifelines: an address, or an address and port ------------------- */

struct endpoint_map {
    uint64_t *keys;        /* addr << 17 | port << 1 | 1; 0 = empty */
    int      *hosts;
    size_t    cap, n;
};

static uint64_t ep_key(ip4_addr a, uint16_t port)
{
    return (uint64_t)a << 17 | (uint64_t)port << 1 | 1;
}

static size_t ep_home(uint64_t k, size_t cap)
{
    return hash_home(k, cap);
}

static int *ep_slot(struct endpoint_map *m, uint64_t k, int add)
{
    if (add && 2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint64_t *keys = xcalloc(cap, sizeof *keys);
        int *hosts = xcalloc(cap, sizeof *hosts);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            size_t j = ep_home(m->keys[i], cap);
            while (keys[j])
                j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            hosts[j] = m->hosts[i];
        }
        free(m->keys);
        free(m->hosts);
        m->keys = keys;
        m->hosts = hosts;
        m->cap = cap;
    }
    if (!m->cap)
        return NULL;
    size_t j = ep_home(k, m->cap);
    while (m->keys[j] && m->keys[j] != k)
        j = (j + 1) & (m->cap - 1);
    if (m->keys[j])
        return &m->hosts[j];
    if (!add)
        return NULL;
    m->keys[j] = k;
    m->hosts[j] = -1;
    m->n++;
    return &m->hosts[j];
}

static void ep_free(struct endpoint_map *m)
{
    free(m->keys);
    free(m->hosts);
}

/* ---- what the frames are ------------------------------------------- */

struct rd_frame {
    int      src, dst;       /* hosts (dst HOST_BROADCAST), or src -1: not drawn */
    int      layer;
    int      tcp;            /* a TCP segment the machine is given */
};

/* The frame's addresses: IPv4 source and destination with the TCP or UDP
 * ports (0 for other protocols), or ARP's sender and target.  Returns 0
 * when the frame has none of these.  A frame the snapshot length cut
 * (wire > len) is drawn, as tshark decodes it, when the headers it needs
 * are there: the IPv4 header and, of a TCP segment or UDP datagram, its
 * header; an IPv4 total length beyond what the frame had on the wire is
 * not a cut but a malformed header. */
static int frame_ends(const uint8_t *p, size_t len, size_t wire, struct frame *f,
                      ip4_addr *sa, uint16_t *sp, ip4_addr *da, uint16_t *dp,
                      int *bcast)
{
    *sp = *dp = 0;
    *bcast = 0;
    int rc = frame_decode_fields(p, len, f, NULL, 0);
    if (rc < 0 && !f->has_ip)
        return 0;
    if (f->has_ip && f->cut) {
        if (len >= wire || ETH_HDR_LEN + (size_t)f->ip.total_len > wire)
            return 0;                    /* it claims more than there was */
        if (rc < 0 && !(f->ip.frag & 0x3fff) &&
            (f->ip.proto == IPPROTO_TCP_NUM || f->ip.proto == IPPROTO_UDP_NUM))
            return 0;                    /* its TCP or UDP header is cut */
    }
    if (f->eth.type == ETHERTYPE_ARP) {
        struct arp_pkt a;
        if (arp_decode(f->payload, f->payload_len, &a) < 0)
            return 0;
        *sa = a.spa;
        *da = a.tpa;
        *bcast = !memcmp(f->eth.dst.b, MAC_BROADCAST.b, 6);
        return 1;
    }
    if (!f->has_ip)
        return 0;
    *sa = f->ip.src;
    *da = f->ip.dst;
    if (f->l4 == IPPROTO_TCP_NUM) {
        *sp = f->tcp.sport;
        *dp = f->tcp.dport;
    } else if (f->l4 == IPPROTO_UDP_NUM) {
        *sp = f->udp.sport;
        *dp = f->udp.dport;
    }
    return 1;
}

/* Why frame_ends found no ends in frame cf (its bytes p): a reason of
 * capture.h's, for the count on standard error.  A frame that decodes once
 * the bytes beyond the snapshot length are put back (as zeros) was whole on
 * the wire, and is said to be cut (inside the headers it needs: one cut
 * after them is drawn), not malformed. */
static enum capture_skip undrawn_reason(const uint8_t *p,
                                        const struct capture_frame *cf)
{
    struct frame f;
    size_t wire = cf->wire_len;
    if (wire > ETH_HDR_LEN + 65535)         /* IPv4's total length is 16 bits */
        wire = ETH_HDR_LEN + 65535;
    frame_decode_fields(p, cf->len, &f, NULL, 0);
    if (f.eth.type == ETHERTYPE_ARP)
        return f.payload_len < ARP_PKT_LEN && wire >= ETH_HDR_LEN + ARP_PKT_LEN
               ? CAP_SKIP_CUT : CAP_SKIP_BAD_ARP;
    if (wire > cf->len) {
        uint8_t *padded = xcalloc(1, wire);
        memcpy(padded, p, cf->len);
        struct frame g;
        int rc = frame_decode_fields(padded, wire, &g, NULL, 0);
        int whole = (rc == 0 || g.has_ip) && !g.cut;   /* whole on the wire */
        free(padded);
        if (whole)
            return CAP_SKIP_CUT;
    }
    return CAP_SKIP_BAD_IPV4;
}

/* ---- TCP: a TCB per end, driven by the capture ---------------------- */

struct rd_side {
    int      host;
    ip4_addr addr;
    uint16_t port;
    struct tcp_conn *tcb;
    uint32_t hi;             /* the sequence number after the last byte it sent */
    uint8_t  sent_data;      /* hi is set */
    uint8_t  fin;            /* it sent a FIN: its shutdown() is done */
    /* a SYN that reached this end while it had no TCB: a listener's, if
     * the end answers it with a SYN,ACK */
    uint8_t  has_syn;
    struct tcp_hdr syn;
    uint32_t syn_frame;
    uint32_t rst_owed;       /* RSTs its TCB sent in reply to what arrived */
    uint32_t acked;          /* the highest ACK it sent (has_acked: any) */
    uint8_t  has_acked;
    /* the TCB of the incarnation before, left in TIME_WAIT when the peer
     * sent a new SYN: this end's SYN,ACK shows whether that SYN reopened
     * it (RFC 9293 3.6.1 MAY-2) */
    struct tcp_conn *tw;
    /* segments sent to this end that nothing yet shows it received */
    struct pending *q;
    size_t qhead, qn, qcap;
};

/* A segment on its way to an end: given to the end's TCB when the end
 * shows it arrived (it acknowledges it), until then only sent. */
struct pending {
    struct tcp_hdr h;
    uint8_t *data;
    size_t   len;
    uint32_t end;            /* SEG.SEQ + SEG.LEN (SYN and FIN count) */
    uint8_t  seqspace;       /* it occupies sequence space: it is acknowledged */
    int      src, dst, layer;
    uint32_t pkt, frame;
    size_t   sent;           /* its send record */
    int64_t  t_us;           /* when the capture saw it */
};

struct rd_flow {
    struct rd_side e[2];     /* e[0] sent the flow's first segment */
};

struct listener {
    int      host;
    uint16_t port;
    struct tcp_conn *tcb;
};

struct reader {
    struct sim *s;
    struct trace priv;           /* the TCBs' own records (not shown) */
    struct tcp_env env;
    struct endpoint_map flowmap;  /* flow key hash -> flow index (chained by key check) */
    struct rd_flow *flows;
    uint64_t *flowkeys[2];       /* per flow: its two ends' keys */
    size_t nflows, capflows;
    struct endpoint_map lmap;    /* host << 16 | port -> listener index */
    struct listener *ls;
    size_t nls, capls;
    struct tcp_conn **tcbs;      /* every TCB made, to free */
    size_t ntcbs, captcbs;
    /* set for the call being made */
    uint32_t next_iss;
    uint32_t frame;              /* the capture's frame number */
    uint8_t  flags;
    struct rd_side *cur;         /* the end whose TCB is given a segment */
    enum { RD_SENT, RD_RECEIVED, RD_LISTEN } mode;   /* what the frame is to the end */
    uint16_t port;               /* RD_LISTEN: the port, and the SYN's frame */
    uint32_t syn_frame;
    int64_t  now;
};

/* A TCB's state change, as the main trace shows it. */
static void priv_rec(void *ctx, const struct trace *tr, size_t i,
                     const struct trace_rec *r)
{
    (void)tr;
    (void)i;
    struct reader *rd = ctx;
    if (r->kind != TK_STATE || r->layer != TL_TCP)
        return;
    trace_state(&rd->s->tr, rd->now, r->host, TL_TCP, r->conn,
                r->u.state.from, r->u.state.to,
                rd->mode == RD_LISTEN
                ? WHY(N_READ_LISTEN, rd->frame, rd->port, rd->syn_frame)
                : WHY(rd->mode == RD_SENT ? N_READ_STATE_SENT : N_READ_STATE_RECV,
                      rd->frame, rd->flags, r->u.state.from, r->u.state.to));
}

static void no_emit(void *ctx, struct tcp_conn *c, ip4_addr dst,
                    const struct tcp_hdr *h, const uint8_t *data, size_t len,
                    struct why why)
{
    (void)c; (void)dst; (void)data; (void)len; (void)why;
    struct reader *rd = ctx;
    /* an RST the TCB owes is one the capture need not read as an abort */
    if ((h->flags & TCP_RST) && rd->cur)
        rd->cur->rst_owed++;
}

static uint32_t capture_iss(void *ctx, struct tcp_conn *c)
{
    (void)c;
    return ((struct reader *)ctx)->next_iss;
}

/* A TCB with the settings it keeps a pointer to (tcp_init). */
struct rd_tcb {
    struct tcp_conn c;           /* first: the TCB is the allocation */
    struct tcp_config cfg;
};

static struct tcp_conn *new_tcb(struct reader *rd, int host, ip4_addr laddr,
                                uint16_t lport, ip4_addr raddr, uint16_t rport,
                                const struct tcp_hdr *syn)
{
    struct rd_tcb *t = xcalloc(1, sizeof *t);
    struct tcp_config *cfg = &t->cfg;
    tcp_config_default(cfg);
    /* the TCB takes whatever the capture shows it was sent: no Nagle
     * holding bytes back, and buffers no capture fills */
    cfg->nagle = 0;
    cfg->sndbuf = cfg->rcvbuf = 1u << 30;
    if (syn) {                           /* what its own SYN offered */
        cfg->mss = syn->mss ? syn->mss : 536;
        cfg->wscale = syn->has_wscale ? (int8_t)(syn->wscale > 14 ? 14 : syn->wscale) : -1;
    }
    char id[96], a[16], b[16];
    snprintf(id, sizeof id, "%s:%u-%s:%u", ip4_str(laddr, a, sizeof a),
             (unsigned)lport, ip4_str(raddr, b, sizeof b), (unsigned)rport);
    if (!raddr)
        snprintf(id, sizeof id, "%s:%u", trace_host_name(&rd->s->tr, host),
                 (unsigned)lport);
    struct tcp_conn *c = &t->c;
    cfg->env = &rd->env;
    tcp_init(c, cfg, host, trace_intern(&rd->s->tr, id), laddr,
             lport, raddr, rport);
    if (rd->ntcbs == rd->captcbs) {
        rd->captcbs = rd->captcbs ? rd->captcbs * 2 : 64;
        rd->tcbs = xreallocarray(rd->tcbs, rd->captcbs, sizeof *rd->tcbs);
    }
    rd->tcbs[rd->ntcbs++] = c;
    return c;
}

/* The flow of a segment from (sa, sp) to (da, dp), made if new; *dir is the
 * sender's side in it. */
static struct rd_flow *flow_of(struct reader *rd, ip4_addr sa, uint16_t sp,
                               ip4_addr da, uint16_t dp, int *dir)
{
    /* one key for both directions: the two ends' keys, ordered */
    uint64_t k1 = ep_key(sa, sp), k2 = ep_key(da, dp);
    uint64_t lo = k1 < k2 ? k1 : k2, hi = k1 < k2 ? k2 : k1;
    uint64_t k = (lo * 0x100000001b3ULL ^ hi) | 1;
    for (;;) {
        int *slot = ep_slot(&rd->flowmap, k, 1);
        if (*slot < 0) {
            if (rd->nflows == rd->capflows) {
                rd->capflows = rd->capflows ? rd->capflows * 2 : 64;
                rd->flows = xreallocarray(rd->flows, rd->capflows, sizeof *rd->flows);
                rd->flowkeys[0] = xreallocarray(rd->flowkeys[0], rd->capflows,
                                                sizeof (uint64_t));
                rd->flowkeys[1] = xreallocarray(rd->flowkeys[1], rd->capflows,
                                                sizeof (uint64_t));
            }
            *slot = (int)rd->nflows;
            struct rd_flow *f = &rd->flows[rd->nflows];
            memset(f, 0, sizeof *f);
            f->e[0].addr = sa;
            f->e[0].port = sp;
            f->e[1].addr = da;
            f->e[1].port = dp;
            rd->flowkeys[0][rd->nflows] = k1;
            rd->flowkeys[1][rd->nflows] = k2;
            rd->nflows++;
        }
        size_t i = (size_t)*slot;
        if ((rd->flowkeys[0][i] == k1 && rd->flowkeys[1][i] == k2) ||
            (rd->flowkeys[0][i] == k2 && rd->flowkeys[1][i] == k1)) {
            *dir = rd->flowkeys[0][i] == k1 ? 0 : 1;
            return &rd->flows[i];
        }
        k = k * 0x9e3779b97f4a7c15ULL | 1;   /* another pair has this key: the next */
    }
}

static int closedish(const struct tcp_conn *c)
{
    return c->state == TCPS_CLOSED || c->state == TCPS_TIME_WAIT;
}

static struct tcp_conn *listener_for(struct reader *rd, int host,
                                     ip4_addr addr, uint16_t port)
{
    int *slot = ep_slot(&rd->lmap, ep_key((ip4_addr)host, port), 1);
    if (*slot >= 0)
        return rd->ls[*slot].tcb;
    if (rd->nls == rd->capls) {
        rd->capls = rd->capls ? rd->capls * 2 : 16;
        rd->ls = xreallocarray(rd->ls, rd->capls, sizeof *rd->ls);
    }
    *slot = (int)rd->nls;
    struct listener *l = &rd->ls[rd->nls++];
    l->host = host;
    l->port = port;
    l->tcb = new_tcb(rd, host, addr, port, 0, 0, NULL);
    return l->tcb;
}

/* What the end that sent segment h did to send it. */
static void infer_sent(struct reader *rd, struct rd_flow *fl, int dir,
                       const struct tcp_hdr *h, const uint8_t *data, size_t len)
{
    struct rd_side *me = &fl->e[dir], *peer = &fl->e[!dir];
    rd->mode = RD_SENT;
    if ((h->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && !(h->flags & TCP_RST)) {
        /* a new incarnation of the four-tuple starts from scratch */
        if ((me->tcb && closedish(me->tcb)) ||
            (!me->tcb && peer->tcb && peer->tcb->state != TCPS_SYN_SENT)) {
            for (int k = 0; k < 2; k++) {
                /* the ends stay, and so do segments still on their way */
                struct rd_side was = fl->e[k], *e = &fl->e[k];
                memset(e, 0, sizeof *e);
                e->host = was.host;
                e->addr = was.addr;
                e->port = was.port;
                e->q = was.q;
                e->qhead = was.qhead;
                e->qn = was.qn;
                e->qcap = was.qcap;
                e->tw = was.tcb && was.tcb->state == TCPS_TIME_WAIT ? was.tcb : NULL;
            }
        }
        if (!me->tcb) {
            /* RFC 9293 3.10.1: an active OPEN sends the SYN */
            me->tcb = new_tcb(rd, me->host, me->addr, me->port, peer->addr,
                              peer->port, h);
            rd->next_iss = h->seq;
            tcp_connect(me->tcb, rd->now);
        }
    } else if ((h->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
               !me->tcb && me->has_syn) {
        /* RFC 9293 3.6.1 MAY-2 (RFC 6191): a SYN reaching a TIME-WAIT
         * TCB may end it, for a new incarnation; this SYN,ACK shows the
         * end took the SYN, so its TIME_WAIT TCB is given it first */
        if (me->tw) {
            tcp_time_wait_syn(me->tw, rd->now, &me->syn, 1);
            me->tw = NULL;
        }
        /* RFC 9293 3.10.7.2: a SYN,ACK answers a SYN that reached a
         * listening socket; the capture shows the listener only now */
        struct tcp_conn *l = listener_for(rd, me->host, me->addr, me->port);
        if (l->state == TCPS_CLOSED) {
            rd->mode = RD_LISTEN;
            rd->port = me->port;
            rd->syn_frame = me->syn_frame;
            tcp_listen(l, rd->now);
            rd->mode = RD_SENT;
        }
        me->tcb = new_tcb(rd, me->host, me->addr, me->port, peer->addr,
                          peer->port, h);
        tcp_spawn(me->tcb, l, me->tcb->id, me->addr, peer->addr, peer->port);
        /* its settings are its own: what its SYN,ACK offered */
        me->tcb->cfg = &((struct rd_tcb *)me->tcb)->cfg;
        rd->next_iss = h->seq;
        tcp_input(me->tcb, rd->now, peer->addr, &me->syn, NULL, 0);
        me->has_syn = 0;
    }
    struct tcp_conn *c = me->tcb;
    if (!c)
        return;
    if (h->flags & TCP_RST) {
        /* an RST its TCB sent in reply to a segment (RFC 9293 3.10.7) is
         * that reply; one at SND.NXT is the application's abort() (3.10.5:
         * "<SEQ=SND.NXT><CTL=RST>"); any other is not this TCB's (forged,
         * or an earlier incarnation's) and changes nothing here */
        if (me->rst_owed)
            me->rst_owed--;
        else if (c->state != TCPS_CLOSED && c->state != TCPS_LISTEN &&
                 h->seq == c->snd_nxt)
            tcp_abort(c, rd->now);
        return;
    }
    /* bytes beyond any it sent before are bytes it wrote */
    uint32_t start = h->seq + ((h->flags & TCP_SYN) ? 1 : 0);
    if (!me->sent_data) {
        me->hi = c->iss + 1;
        me->sent_data = 1;
    }
    uint32_t end = start + (uint32_t)len;
    if (len && seq_gt(end, me->hi) && c->state != TCPS_SYN_SENT &&
        c->state != TCPS_LISTEN && c->state != TCPS_CLOSED) {
        uint32_t skip = seq_gt(me->hi, start) ? me->hi - start : 0;
        /* a gap the capture missed is written as zeros, up to what one
         * unscaled window holds; beyond that the bytes are not this TCB's
         * to guess, and its sequence numbers stop following the capture */
        uint32_t gap = seq_gt(start, me->hi) ? start - me->hi : 0;
        if (gap <= 65535) {
            /* the peer's window does not hold these bytes back: the
             * capture shows they were sent (the window is the peer's
             * again after) */
            uint32_t w = c->snd_wnd;
            c->snd_wnd = 1u << 30;
            if (gap) {
                uint8_t *z = xcalloc(1, gap);
                tcp_send(c, rd->now, z, gap);
                free(z);
            }
            tcp_send(c, rd->now, data + skip, len - skip);
            c->snd_wnd = w;
        }
        me->hi = end;
    }
    if ((h->flags & TCP_FIN) && !me->fin &&
        (c->state == TCPS_ESTABLISHED || c->state == TCPS_CLOSE_WAIT ||
         c->state == TCPS_SYN_RECEIVED)) {
        me->fin = 1;
        uint32_t w = c->snd_wnd;
        c->snd_wnd = 1u << 30;
        /* shutdown(), not close(): the end may still read, as a half-close
         * does (RFC 9293 3.6) */
        tcp_shutdown(c, rd->now);
        c->snd_wnd = w;
    }
}

/* What segment h does to the end it reached. */
static void infer_received(struct reader *rd, struct rd_flow *fl, int dir,
                           const struct tcp_hdr *h, const uint8_t *data,
                           size_t len)
{
    struct rd_side *me = &fl->e[!dir], *peer = &fl->e[dir];
    rd->mode = RD_RECEIVED;
    if (!me->tcb) {
        if ((h->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
            me->has_syn = 1;               /* a listener's, if it is answered */
            me->syn = *h;
            me->syn_frame = rd->frame;
        }
        return;
    }
    struct tcp_conn *c = me->tcb;
    if (c->state == TCPS_CLOSED)
        return;
    rd->cur = me;
    tcp_input(c, rd->now, peer->addr, h, data, len);
    rd->cur = NULL;
    /* what arrives is read at once */
    uint8_t buf[4096];
    while (c->state != TCPS_CLOSED && c->rcvq.len &&
           tcp_recv(c, rd->now, buf, sizeof buf) > 0)
        ;
}

static void enqueue(struct rd_side *e, const struct pending *pe)
{
    if (e->qhead && e->qhead == e->qn)
        e->qhead = e->qn = 0;
    if (e->qn == e->qcap) {
        e->qcap = e->qcap ? e->qcap * 2 : 8;
        e->q = xreallocarray(e->q, e->qcap, sizeof *e->q);
    }
    e->q[e->qn++] = *pe;
}

/* Segment pe reaches end `to` of the flow now: its receive record, then
 * what it does to the end's TCB. */
static void arrive(struct reader *rd, struct rd_flow *fl, int to,
                   struct pending *pe, struct why why)
{
    struct rd_side *me = &fl->e[to];
    uint32_t conn = me->tcb ? me->tcb->id : 0;
    struct trace_pkt q = { TK_RECV, pe->dst, pe->layer, pe->src, pe->dst,
                           pe->pkt, conn, (uint32_t)pe->sent + 1, 0, 0, 0 };
    trace_packet(&rd->s->tr, rd->now, &q, why);
    uint32_t frame = rd->frame;
    uint8_t flags = rd->flags;
    rd->frame = pe->frame;
    rd->flags = pe->h.flags;
    infer_received(rd, fl, !to, &pe->h, pe->data, pe->len);
    rd->frame = frame;
    rd->flags = flags;
    free(pe->data);
    pe->data = NULL;
}

/* The segment end `from` sends now (frame `by`) shows what reached it:
 * what it acknowledges (SEG.ACK covers it) and what came behind that; or,
 * for an RST (all = 1), everything on its way to it, which the RST may
 * answer. */
static void deliver(struct reader *rd, struct rd_flow *fl, int from,
                    uint32_t ack, int all, uint32_t by)
{
    struct rd_side *e = &fl->e[from];
    int any = 0;
    while (e->qhead < e->qn) {
        struct pending *pe = &e->q[e->qhead];
        struct why why;
        if (all)
            why = WHY(N_READ_ARRIVE_RST, pe->frame, pe->t_us, by);
        else if (pe->seqspace && seq_leq(pe->end, ack))
            why = WHY(N_READ_ARRIVE_ACKED, pe->frame, pe->t_us, by);
        else if (!pe->seqspace && any)
            why = WHY(N_READ_ARRIVE_BEHIND, pe->frame, pe->t_us, by);
        else
            break;
        any = 1;
        e->qhead++;
        arrive(rd, fl, from, pe, why);
    }
}

/* ---- the lesson and the run ----------------------------------------- */

static int cmp_time(const void *a, const void *b)
{
    const struct capture_frame *x = *(const struct capture_frame *const *)a;
    const struct capture_frame *y = *(const struct capture_frame *const *)b;
    if (x->t_us != y->t_us)
        return x->t_us < y->t_us ? -1 : 1;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* A host's name, kept in the scenario's arena (scenario_free frees it). */
static const char *arena_str(struct scenario *scn, const char *t)
{
    size_t n = strlen(t) + 1;
    struct scn_arena *b = scn->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 4096 ? n : 4096;
        b = xmalloc(sizeof *b + cap);
        b->next = scn->arena;
        b->used = 0;
        b->cap = cap;
        scn->arena = b;
    }
    char *d = b->text + b->used;
    memcpy(d, t, n);
    b->used += n;
    return d;
}

/* A MAC address's key in an endpoint_map: bit 63 set, which no ep_key has. */
static uint64_t mac_key(mac_addr m)
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m.b[i];
    return 1ULL << 63 | v << 1 | 1;
}

/* Passes 1 and 2: the lifelines, as a lesson's hosts, and each frame's
 * (rf[i] for order[i]).  NULL when no frame has an end to draw.  The frames
 * with none are counted in skipped[] by reason, unless skipped is NULL. */
static struct scenario *lifelines(const struct capture *cap,
                                  const struct capture_frame **order,
                                  struct rd_frame *rf, size_t *skipped)
{
    /* pass 1: addresses that talk to themselves split by port; and each
     * MAC address's first IPv4 source address (macip) */
    struct endpoint_map split = { 0 }, macs = { 0 };
    ip4_addr *macip = NULL;
    size_t nmacip = 0, capmacip = 0;
    struct frame f;
    for (size_t i = 0; i < cap->n; i++) {
        ip4_addr sa, da;
        uint16_t sp, dp;
        int bc;
        if (!frame_ends(cap->bytes + order[i]->off, order[i]->len, order[i]->wire_len,
                        &f, &sa, &sp, &da, &dp, &bc))
            continue;
        if (sa == da && (sp || dp))
            *ep_slot(&split, ep_key(sa, 0), 1) = 1;
        int *m = sa ? ep_slot(&macs, mac_key(f.eth.src), 1) : NULL;
        if (m && *m < 0) {
            if (nmacip == capmacip) {
                capmacip = capmacip ? 2 * capmacip : 16;
                macip = xreallocarray(macip, capmacip, sizeof *macip);
            }
            macip[nmacip] = sa;
            *m = (int)nmacip++;
        }
    }

    /* pass 2: the lifelines, in order of appearance */
    struct endpoint_map hostmap = { 0 };
    struct scenario *scn = xcalloc(1, sizeof *scn);
    int caphosts = 0;
    scn->tcps = xcalloc(1, sizeof *scn->tcps);   /* every host's: the defaults */
    scn->ntcps = 1;
    scenario_tcp_defaults(scn->tcps);
    for (size_t i = 0; i < cap->n; i++) {
        ip4_addr a[2];
        uint16_t pt[2];
        int bc;
        rf[i].src = -1;
        if (!frame_ends(cap->bytes + order[i]->off, order[i]->len, order[i]->wire_len,
                        &f, &a[0],
                        &pt[0], &a[1], &pt[1], &bc)) {
            if (skipped)
                skipped[undrawn_reason(cap->bytes + order[i]->off, order[i])]++;
            continue;
        }
        /* RFC 5227 2.1.1: an ARP probe's sender address is 0.0.0.0 (its
         * sender has none yet), and so is the target address of the reply
         * that defends the address.  That end is drawn on the host its MAC
         * address sends from elsewhere in the capture, else on a lifeline
         * named by the MAC address, not on one called 0.0.0.0. */
        uint64_t by_mac[2] = { 0, 0 };
        mac_addr end_mac[2] = { f.eth.src, f.eth.dst };
        for (int k = 0; k < 2 && f.eth.type == ETHERTYPE_ARP; k++) {
            if (a[k] || (k == 1 && bc))
                continue;
            int *m = ep_slot(&macs, mac_key(end_mac[k]), 0);
            if (m && *m >= 0)
                a[k] = macip[*m];
            else
                by_mac[k] = mac_key(end_mac[k]);
        }
        int h[2];
        for (int k = 0; k < 2; k++) {
            int by_port = pt[k] && ep_slot(&split, ep_key(a[k], 0), 0);
            uint64_t key = by_mac[k] ? by_mac[k] : ep_key(a[k], by_port ? pt[k] : 0);
            int *slot = ep_slot(&hostmap, key, 1);
            if (*slot < 0) {
                if (scn->nhosts == caphosts) {
                    caphosts = caphosts ? caphosts * 2 : 8;
                    scn->hosts = xreallocarray(scn->hosts, (size_t)caphosts,
                                               sizeof *scn->hosts);
                }
                struct scn_host *sh = &scn->hosts[scn->nhosts];
                memset(sh, 0, sizeof *sh);
                char as[16], name[32];
                ip4_str(a[k], as, sizeof as);
                if (by_mac[k])
                    mac_str(end_mac[k], name, sizeof name);
                else if (by_port)
                    snprintf(name, sizeof name, "%s:%u", as, (unsigned)pt[k]);
                else
                    snprintf(name, sizeof name, "%s", as);
                sh->name = arena_str(scn, name);
                sh->addr = a[k];
                sh->tcp = scn->tcps;
                *slot = scn->nhosts++;
            }
            h[k] = *slot;
        }
        rf[i].src = h[0];
        rf[i].dst = bc ? HOST_BROADCAST : h[1];
        rf[i].layer = packet_top(&f);
        rf[i].tcp = f.has_ip && f.l4 == IPPROTO_TCP_NUM;
    }
    ep_free(&split);
    ep_free(&macs);
    free(macip);
    ep_free(&hostmap);
    if (!scn->nhosts) {
        scenario_free(scn);
        return NULL;
    }
    return scn;
}

/* The sentence of capture frame cf's send record; f is its decoded TCP
 * segment (or one whose data offset is below 5), or NULL. */
static struct why frame_why(const struct capture_frame *cf, const struct frame *f)
{
    if (f && f->tcp_doff_bad == 1)
        return WHY(N_READ_FRAME_DOFF, cf->number, f->tcp.doff);
    if (f && f->tcp_doff_bad == 2)
        return WHY(N_READ_FRAME_DOFF_PAST, cf->number, f->tcp.doff, f->tcp.doff * 4,
                   f->payload_len + f->cut);
    if (cf->wire_len > cf->len)
        return WHY(N_READ_FRAME_CUT, cf->number, cf->len, cf->wire_len);
    if (f && f->tcp_opt_bad) {
        /* the option where the TCP header's options went wrong */
        const uint8_t *o = f->payload - (size_t)f->tcp.doff * 4 + f->tcp_opt_bad;
        if (f->tcp_opt_stop)
            return WHY(N_READ_FRAME_OPT_STOP, cf->number, f->tcp_opt_bad);
        return WHY(N_READ_FRAME_OPT_SKIP, cf->number, f->tcp_opt_bad, o[0], o[1]);
    }
    return WHY(N_READ_FRAME, cf->number, cf->len);
}

/* An RST that end dir of fl sends while its TCB is in SYN_SENT, with a
 * SYN,ACK that acknowledges its SYN on its way to it.  RFC 9293 3.10.7.3:
 * a SYN_SENT TCB that such a SYN,ACK reaches answers it with an ACK and is
 * ESTABLISHED; and an ABORT in SYN_SENT sends nothing (3.10.5).  An RST at
 * the SYN,ACK's ACK number is the answer of no TCB (3.10.7.1: "<SEQ=SEG.ACK>
 * <CTL=RST>"): the end had closed in SYN_SENT (3.10.4: delete the TCB)
 * before the SYN,ACK came.  Its TCB is closed now, so that the SYN,ACK
 * reaches no connection and the RST answers it. */
static void infer_closed_in_syn_sent(struct reader *rd, struct rd_flow *fl, int dir,
                                     const struct tcp_hdr *rst)
{
    struct rd_side *me = &fl->e[dir];
    struct tcp_conn *c = me->tcb;
    if (!c || c->state != TCPS_SYN_SENT || rst->seq != c->iss + 1)
        return;
    for (size_t j = me->qhead; j < me->qn; j++) {
        const struct tcp_hdr *h = &me->q[j].h;
        if ((h->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
            h->ack == rst->seq) {
            rd->mode = RD_SENT;
            tcp_close(c, rd->now);
            return;
        }
    }
}

/* Pass 3: the records of the run, into s (made for scn's hosts). */
static void records(struct sim *s, const struct capture *cap,
                    const struct capture_frame **order, const struct rd_frame *rf)
{
    int64_t t0 = cap->n ? order[0]->t_us : 0;
    struct frame f;
    struct reader rd = { 0 };
    rd.s = s;
    trace_init(&rd.priv);
    trace_stream(&rd.priv);
    struct trace_sink sink = { priv_rec, &rd };
    trace_add_sink(&rd.priv, &sink);
    rd.env.tr = &rd.priv;
    rd.env.emit = no_emit;
    rd.env.choose_iss = capture_iss;
    rd.env.ctx = &rd;
    int64_t last = 0;
    for (size_t i = 0; i < cap->n; i++) {
        const struct capture_frame *cf = order[i];
        if (rf[i].src < 0)
            continue;
        const uint8_t *bytes = cap->bytes + cf->off;
        rd.now = last = cf->t_us - t0;
        rd.frame = cf->number;
        struct rd_flow *fl = NULL;
        int dir = 0;
        struct tcp_hdr th;
        const uint8_t *data = NULL;
        size_t dlen = 0;
        uint8_t *padded = NULL;
        int bad_doff = 0;        /* a TCP header below 5 words: no TCB's */
        if (rf[i].tcp) {
            /* a frame cut by the snapshot length is given to TCP with the
             * bytes it lost as zeros */
            size_t want = cf->wire_len;
            if (want > ETH_HDR_LEN + 65535)    /* IPv4's total length is 16 bits */
                want = ETH_HDR_LEN + 65535;
            if (want > cf->len) {
                padded = xcalloc(1, want);
                memcpy(padded, bytes, cf->len);
            }
            int rc = frame_decode_fields(padded ? padded : bytes,
                                         padded ? want : cf->len, &f, NULL, 0);
            bad_doff = rc != 0 && f.tcp_doff_bad;
            if (rc == 0 && f.l4 == IPPROTO_TCP_NUM) {
                th = f.tcp;
                /* of a header the snapshot length cut inside its options,
                 * the options the capture holds, not the zeros standing in
                 * for the rest (an MSS of 0x0500 from "02 04 05" and a 0) */
                struct frame g;
                if (padded && frame_decode_fields(bytes, cf->len, &g, NULL, 0) == 0 &&
                    g.tcp_hdr_cut) {
                    th.mss = g.tcp.mss;
                    th.has_wscale = g.tcp.has_wscale;
                    th.wscale = g.tcp.wscale;
                }
                data = f.payload;
                dlen = f.payload_len;
                fl = flow_of(&rd, f.ip.src, th.sport, f.ip.dst, th.dport, &dir);
                fl->e[dir].host = rf[i].src;
                fl->e[!dir].host = rf[i].dst;
                /* what this segment shows its sender had received */
                struct rd_side *me = &fl->e[dir];
                if ((th.flags & TCP_ACK) && !(th.flags & TCP_RST) &&
                    (!me->has_acked || seq_gt(th.ack, me->acked))) {
                    me->acked = th.ack;
                    me->has_acked = 1;
                }
                rd.frame = cf->number;
                rd.flags = th.flags;
                if (th.flags & TCP_RST)
                    infer_closed_in_syn_sent(&rd, fl, dir, &th);
                if (th.flags & TCP_RST)
                    deliver(&rd, fl, dir, 0, 1, cf->number);
                else if (th.flags & TCP_ACK)
                    deliver(&rd, fl, dir, th.ack, 0, cf->number);
                rd.frame = cf->number;
                rd.flags = th.flags;
                infer_sent(&rd, fl, dir, &th, data, dlen);
            }
        }
        uint32_t conn = fl && fl->e[dir].tcb ? fl->e[dir].tcb->id : 0;
        uint32_t pkt = trace_blob(&s->tr, bytes, cf->len);
        struct trace_pkt p = { TK_SEND, rf[i].src, rf[i].layer, rf[i].src,
                               rf[i].dst, pkt, conn, 0, 0, 0, 0 };
        size_t sent = trace_packet(&s->tr, rd.now, &p,
                                   frame_why(cf, fl || bad_doff ? &f : NULL));
        if (fl) {
            struct pending pe = { th, NULL, dlen, 0, 0, rf[i].src, rf[i].dst,
                                  rf[i].layer, pkt, cf->number, sent, rd.now };
            pe.end = th.seq + (uint32_t)dlen + !!(th.flags & TCP_SYN) +
                     !!(th.flags & TCP_FIN);
            /* it waits for an acknowledgement only if it holds sequence
             * numbers the receiver has not acknowledged already */
            struct rd_side *to = &fl->e[!dir];
            pe.seqspace = !(th.flags & TCP_RST) &&
                          (dlen || (th.flags & (TCP_SYN | TCP_FIN))) &&
                          !(to->has_acked && seq_leq(pe.end, to->acked));
            if (dlen) {
                pe.data = xmalloc(dlen);
                memcpy(pe.data, data, dlen);
            }
            if (!pe.seqspace && to->qhead == to->qn)
                arrive(&rd, fl, !dir, &pe, WHY(N_READ_ARRIVE, cf->number));
            else
                enqueue(to, &pe);
        } else if (bad_doff) {
            /* RFC 9293 3.1: the data offset counts the header's 32-bit
             * words, at least the 5 of its fixed part, and the header is
             * inside the segment.  Linux's tcp_v4_rcv() discards a
             * segment whose offset is below that ("bad_packet") or past
             * its end (pskb_may_pull fails), without an RST */
            struct trace_pkt q = { TK_DROP, rf[i].dst, rf[i].layer, rf[i].src,
                                   rf[i].dst, pkt, 0, (uint32_t)sent + 1, 0, DR_TCP, 0 };
            trace_packet(&s->tr, rd.now, &q,
                         WHY(f.tcp_doff_bad == 1 ? N_READ_DROP_DOFF : N_READ_DROP_DOFF_PAST,
                             cf->number, f.tcp.doff));
        } else if (rf[i].dst != HOST_BROADCAST) {
            struct trace_pkt q = { TK_RECV, rf[i].dst, rf[i].layer, rf[i].src,
                                   rf[i].dst, pkt, 0, (uint32_t)sent + 1, 0, 0, 0 };
            trace_packet(&s->tr, rd.now, &q, WHY(N_READ_ARRIVE, cf->number));
        }
        free(padded);
    }
    /* what no segment shows arrived is drawn sent, not received */
    for (size_t i = 0; i < rd.nflows; i++)
        for (int k = 0; k < 2; k++) {
            struct rd_side *e = &rd.flows[i].e[k];
            for (size_t j = e->qhead; j < e->qn; j++)
                free(e->q[j].data);
            free(e->q);
        }
    s->now = last;
    s->end_us = last;
    for (size_t i = 0; i < rd.ntcbs; i++) {
        tcp_destroy(rd.tcbs[i]);
        free(rd.tcbs[i]);
    }
    free(rd.tcbs);
    free(rd.flows);
    free(rd.flowkeys[0]);
    free(rd.flowkeys[1]);
    free(rd.ls);
    ep_free(&rd.flowmap);
    ep_free(&rd.lmap);
    rd.priv.nsinks = 0;
    trace_free(&rd.priv);
}

/* The frames in time order (a capture of several interfaces need not be
 * in order), each with its lifelines: the lesson for them, or NULL. */
static struct scenario *prepare(const struct capture *cap,
                                const struct capture_frame ***order,
                                struct rd_frame **rf, size_t *skipped)
{
    *order = xcalloc(cap->n ? cap->n : 1, sizeof **order);
    for (size_t i = 0; i < cap->n; i++)
        (*order)[i] = &cap->frames[i];
    qsort(*order, cap->n, sizeof **order, cmp_time);
    *rf = xcalloc(cap->n ? cap->n : 1, sizeof **rf);
    return lifelines(cap, *order, *rf, skipped);
}

struct scenario *read_capture(const char *path, struct capture *cap,
                              struct sim *s, char *err, size_t errlen)
{
    const struct capture_frame **order;
    struct rd_frame *rf;
    struct scenario *scn = prepare(cap, &order, &rf, cap->skipped);
    if (!scn) {
        /* true also of a capture whose IPv4 frames all have a malformed
         * header (counted in cap->skipped): they are no packets to draw */
        snprintf(err, errlen, "%s", _("it has no frame to draw: none holds an IPv4 "
                 "packet or an ARP message that protosim can decode"));
    } else {
        scn->path = xstrdup(path);
        const char *base = strrchr(path, '/');
        char title[512];
        snprintf(title, sizeof title, _("capture %s"), base ? base + 1 : path);
        scn->title = xstrdup(title);
        scn->seed = 1;
        sim_init(s, scn, 1);
        records(s, cap, order, rf);
    }
    free(order);
    free(rf);
    return scn;
}

void read_capture_again(const struct scenario *scn, const struct capture *cap,
                        struct sim *s)
{
    const struct capture_frame **order;
    struct rd_frame *rf;
    /* the same frames give the same lifelines, in the same order */
    scenario_free(prepare(cap, &order, &rf, NULL));
    sim_init(s, scn, 1);
    records(s, cap, order, rf);
    free(order);
    free(rf);
}
