/* udpapp.c — UDP sockets on the hosts: `udp bind`, `udp send`, `udp recv`,
 * and sim_udp_send, which every UDP sender (DNS too) goes out through. */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "alloc.h"
#include "narrate.h"
#include "udp.h"
#include "ephemeral.h"

/* A host may bind every port (a lesson of 65535 `udp send ... from PORT`):
 * past a few sockets a port index keeps each look-up O(1), where a scan
 * made the lesson quadratic (30 s under the sanitizers). */
enum { UDP_IX_FROM = 32 };

static struct sim_udp *udp_find(struct sim_host *hp, uint16_t port)
{
    struct sim_udps *us = hp->udps;
    if (!us)
        return NULL;
    if (us->udp_ix)
        return us->udp_ix[port] ? &us->udp[us->udp_ix[port] - 1] : NULL;
    for (int i = 0; i < us->nudp; i++)
        if (us->udp[i].port == port)
            return &us->udp[i];
    return NULL;
}

/* Keeps socket i's bit in the ready bitmap (if the host has one) equal to
 * whether a datagram waits in it. */
static void udp_mark(struct sim_udps *us, int i)
{
    if (!us->ready)
        return;
    unsigned w = (unsigned)i >> 6;
    uint64_t bit = UINT64_C(1) << (i & 63);
    if (us->udp[i].q.n)
        us->ready[w] |= bit;
    else
        us->ready[w] &= ~bit;
    if (us->ready[w])
        us->ready_sum[w >> 6] |= UINT64_C(1) << (w & 63);
    else
        us->ready_sum[w >> 6] &= ~(UINT64_C(1) << (w & 63));
}

/* The first socket, in the order they were bound, with a datagram waiting,
 * or NULL: the bitmap past a few sockets, a scan of those few before. */
static struct sim_udp *udp_first_ready(struct sim_udps *us)
{
    if (!us)
        return NULL;
    if (!us->ready) {
        for (int i = 0; i < us->nudp; i++)
            if (us->udp[i].q.n)
                return &us->udp[i];
        return NULL;
    }
    for (unsigned t = 0; t < 16; t++)
        if (us->ready_sum[t]) {
            unsigned w = t * 64 + (unsigned)__builtin_ctzll(us->ready_sum[t]);
            return &us->udp[w * 64 + (unsigned)__builtin_ctzll(us->ready[w])];
        }
    return NULL;
}

/* u's bytes as the memory budget counts them */
static uint64_t udp_bytes(const struct sim_udp *u)
{
    return sizeof *u + (uint64_t)u->q.cap * sizeof *u->q.d + u->waiting;
}

/* Brings u's share of the sim's mem_tcbs up to date after a change. */
static void udp_recount(struct sim *s, struct sim_udp *u)
{
    uint64_t b = udp_bytes(u);
    s->mem_tcbs = s->mem_tcbs - u->counted + b;
    u->counted = b;
}

uint64_t sim_udp_bytes(const struct sim_host *hp)
{
    const struct sim_udps *us = hp->udps;
    uint64_t b = us ? sizeof *us : 0;
    for (int i = 0; us && i < us->nudp; i++) {
        const struct udp_queue *q = &us->udp[i].q;
        b += sizeof us->udp[i] + (uint64_t)q->cap * sizeof *q->d;
        for (size_t k = 0; k < q->n; k++)
            b += udp_queue_at(q, k)->len;
    }
    return b;
}

static struct sim_udp *udp_bind(struct sim *s, struct sim_host *hp,
                                uint16_t port)
{
    if (!hp->udps) {
        hp->udps = xcalloc(1, sizeof *hp->udps);
        s->mem_tcbs += sizeof *hp->udps;
    }
    struct sim_udps *us = hp->udps;
    if (us->nudp == us->capudp) {
        int cap = us->capudp ? 2 * us->capudp : 4;
        struct sim_udp *g = xreallocarray(us->udp, (size_t)cap, sizeof *g);
        us->udp = g;
        us->capudp = cap;
    }
    if (!us->udp_ix && us->nudp >= UDP_IX_FROM) {
        us->udp_ix = xcalloc(65536, sizeof *us->udp_ix);
        us->ready = xcalloc(65536 / 64, sizeof *us->ready);
        for (int i = 0; i < us->nudp; i++) {
            us->udp_ix[us->udp[i].port] = i + 1;
            udp_mark(us, i);
        }
    }
    if (us->udp_ix)
        us->udp_ix[port] = us->nudp + 1;
    struct sim_udp *u = &us->udp[us->nudp++];
    memset(u, 0, sizeof *u);
    u->port = port;
    udp_recount(s, u);
    return u;
}

static int udp_port_busy(const void *ctx, uint16_t port)
{
    struct sim_host *hp = (struct sim_host *)ctx;
    return udp_find(hp, port) || port == hp->dns_ports[0] ||
           port == hp->dns_ports[1];
}

/* The source port of a send from a host with no UDP socket: a random free
 * one of the ephemeral range (ephemeral.c), as a kernel binds an unbound
 * socket on its first sendto().  UDP ports are their own space, apart
 * from TCP's.  Called only while the host has no UDP socket, so at most
 * the two DNS ports are taken and the pick cannot fail. */
static uint16_t udp_ephemeral(struct sim *s, struct sim_host *hp)
{
    return eph_pick(&s->port_rng, udp_port_busy, hp);
}

void sim_udp_send(struct sim *s, int h, uint16_t sport, ip4_addr dst,
                  uint16_t dport, const uint8_t *data, size_t len, int layer,
                  struct why why)
{
    struct ip4_hdr ip = sim_ip_header(s, h, dst);
    struct udp_hdr uh = { .sport = sport, .dport = dport };
    uint8_t frame[FRAME_MAX];
    static const mac_addr zero = { { 0 } };
    size_t n = udp_frame_encode(frame, sizeof frame, zero, zero, &ip, &uh,
                                data, len);
    if (n == 0)
        return;
    net_ip_output(s, h, frame, n, dst, 0, layer, why);
}

/* A datagram to a bound port waits in its queue for `udp recv`. */
static int udp_arrive(struct sim *s, int h, const struct frame *f, uint32_t pkt)
{
    (void)pkt;
    struct sim_udp *u = udp_find(&s->hosts[h], f->udp.dport);
    if (!u)
        return 0;
    udp_queue_push(&u->q, f->ip.src, f->udp.sport, f->payload, f->payload_len);
    udp_mark(s->hosts[h].udps, (int)(u - s->hosts[h].udps->udp));
    u->waiting += f->payload_len;
    udp_recount(s, u);
    return 1;
}

static int udp_action(struct sim *s, const struct scn_action *a)
{
    int h = a->host;
    struct sim_host *hp = &s->hosts[h];
    struct sim_udp *u;
    switch (a->kind) {
    case ACT_UDP_BIND:
        if (udp_find(hp, a->port)) {
            /* the failure is UDP's: the port has its socket already */
            trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_ERROR, -1, NULL, 0,
                      WHY(N_APP_UDP_INUSE, a->port));
            return 1;
        }
        udp_bind(s, hp, a->port);
        trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_LISTEN, 0, NULL, 0,
                  WHY(N_APP_UDP_BIND, a->port));
        return 1;
    case ACT_UDP_SEND: {
        uint16_t sport = a->lport;
        if (sport && !udp_find(hp, sport))
            udp_bind(s, hp, sport);
        if (!sport)
            sport = hp->udps && hp->udps->nudp
                    ? hp->udps->udp[0].port
                    : udp_bind(s, hp, udp_ephemeral(s, hp))->port;
        ip4_addr dst = a->peer >= 0 ? s->hosts[a->peer].addr : a->more->peer_addr;
        trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_SEND, (int)a->len, a->data,
                  a->len, WHY(N_APP_UDP_SEND, (int64_t)a->len, dst, a->port));
        sim_udp_send(s, h, sport, dst, a->port, a->data, a->len, TL_UDP,
                     WHY(N_SEG_UDP, (int64_t)a->len));
        return 1;
    }
    case ACT_UDP_RECV: {
        struct sim_dgram d;
        u = udp_first_ready(hp->udps);
        if (!u || udp_queue_pop(&u->q, &d) < 0) {
            trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_RECV, 0, NULL, 0,
                      WHY0(N_APP_UDP_NONE));
            return 1;
        }
        udp_mark(hp->udps, (int)(u - hp->udps->udp));
        u->waiting -= d.len;
        udp_recount(s, u);
        size_t n = d.len < a->recv_max ? d.len : a->recv_max;
        trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_RECV, (int)n, d.data, n,
                  n < d.len ? WHY(N_APP_UDP_TRUNC, (int64_t)d.len, (int64_t)n)
                            : WHY(N_APP_UDP_RECV, (int64_t)n, d.src, d.sport));
        free(d.data);
        return 1;
    }
    default:
        return 0;
    }
}

static void udp_free(struct sim *s)
{
    for (int h = 0; h < s->nhosts; h++) {
        struct sim_udps *us = s->hosts[h].udps;
        if (!us)
            continue;
        for (int i = 0; i < us->nudp; i++)
            udp_queue_free(&us->udp[i].q);
        free(us->udp);
        free(us->udp_ix);
        free(us->ready);
        free(us);
    }
}

const struct app_ops udp_app = {
    .name = "udp",
    .free = udp_free,
    .action = udp_action,
    .udp_arrive = udp_arrive,
};
