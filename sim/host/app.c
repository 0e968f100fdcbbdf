/* app.c — the applications on the hosts: UDP sockets, length-prefixed
 * framing over a TCP byte stream, and the HTTP/1.1 browser and server that
 * react to their connections' events.  (The DNS roles live in dnsapp.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "simint.h"
#include "alloc.h"
#include "udp.h"

enum app_role { ROLE_NONE, ROLE_HTTP_SERVER, ROLE_HTTP_CLIENT };

#define HTTP_DEFAULT_BODY \
    "<!doctype html><title>Example</title><p>Hello from protosim.</p>\n"

/* ---- UDP ------------------------------------------------------------------ */

/* A host may bind every port (a lesson of 65535 `udp send ... from PORT`):
 * past a few sockets a port index keeps each look-up O(1), where a scan
 * made the lesson quadratic (30 s under the sanitizers). */
enum { UDP_IX_FROM = 32 };

static struct sim_udp *udp_find(struct sim_host *hp, uint16_t port)
{
    if (hp->udp_ix)
        return hp->udp_ix[port] ? &hp->udp[hp->udp_ix[port] - 1] : NULL;
    for (int i = 0; i < hp->nudp; i++)
        if (hp->udp[i].port == port)
            return &hp->udp[i];
    return NULL;
}

static struct sim_udp *udp_bind(struct sim_host *hp, uint16_t port)
{
    if (hp->nudp == hp->capudp) {
        int cap = hp->capudp ? 2 * hp->capudp : 4;
        struct sim_udp *g = xreallocarray(hp->udp, (size_t)cap, sizeof *g);
        hp->udp = g;
        hp->capudp = cap;
    }
    if (!hp->udp_ix && hp->nudp >= UDP_IX_FROM) {
        hp->udp_ix = xcalloc(65536, sizeof *hp->udp_ix);
        for (int i = 0; i < hp->nudp; i++)
            hp->udp_ix[hp->udp[i].port] = i + 1;
    }
    if (hp->udp_ix)
        hp->udp_ix[port] = hp->nudp + 1;
    struct sim_udp *u = &hp->udp[hp->nudp++];
    memset(u, 0, sizeof *u);
    u->port = port;
    return u;
}

static uint16_t udp_ephemeral(struct sim_host *hp)
{
    if (!hp->next_udp_port)
        hp->next_udp_port = 49152;
    while (udp_find(hp, hp->next_udp_port))
        hp->next_udp_port++;
    return hp->next_udp_port++;
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

void sim_udp_arrive(struct sim *s, int h, const struct frame *f, uint32_t pkt)
{
    struct sim_host *hp = &s->hosts[h];
    if (dnsapp_udp_arrive(s, h, f, pkt))
        return;
    struct sim_udp *u = udp_find(hp, f->udp.dport);
    if (!u) {
        net_drop_arrived(s, h, pkt, TL_UDP, DR_NOPORT,
                         WHY(N_NET_NOPORT, f->udp.dport));
        return;
    }
    udp_queue_push(&u->q, f->ip.src, f->udp.sport, f->payload, f->payload_len);
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
        udp_bind(hp, a->port);
        trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_LISTEN, 0, NULL, 0,
                  WHY(N_APP_UDP_BIND, a->port));
        return 1;
    case ACT_UDP_SEND: {
        uint16_t sport = a->lport;
        if (sport && !udp_find(hp, sport))
            udp_bind(hp, sport);
        if (!sport)
            sport = hp->nudp ? hp->udp[0].port : udp_bind(hp, udp_ephemeral(hp))->port;
        ip4_addr dst = a->peer >= 0 ? s->hosts[a->peer].addr : a->peer_addr;
        trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_SEND, (int)a->len, a->data,
                  a->len, WHY(N_APP_UDP_SEND, (int64_t)a->len, dst, a->port));
        sim_udp_send(s, h, sport, dst, a->port, a->data, a->len, TL_UDP,
                     WHY(N_SEG_UDP, (int64_t)a->len));
        return 1;
    }
    case ACT_UDP_RECV: {
        struct sim_dgram d;
        u = NULL;
        for (int i = 0; i < hp->nudp && !u; i++)
            if (hp->udp[i].q.n)
                u = &hp->udp[i];
        if (!u || udp_queue_pop(&u->q, &d) < 0) {
            trace_app(&s->tr, s->now, h, TL_UDP, 0, AC_RECV, 0, NULL, 0,
                      WHY0(N_APP_UDP_NONE));
            return 1;
        }
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

/* ---- framing: a 4-byte big-endian length before each message ---------- */

static void frame_push(struct sim_conn *hp, const uint8_t *p, size_t n)
{
    if (hp->frame_len + n > hp->frame_cap) {
        size_t cap = hp->frame_cap ? hp->frame_cap : 256;
        while (cap < hp->frame_len + n)
            cap *= 2;
        uint8_t *nb = xrealloc(hp->frame_buf, cap);
        hp->frame_buf = nb;
        hp->frame_cap = cap;
    }
    memcpy(hp->frame_buf + hp->frame_len, p, n);
    hp->frame_len += n;
}

/* Reads what the connection has, then records every message that is now
 * whole.  Partial messages wait in the connection's buffer for the next
 * read. */
static void recv_framed(struct sim *s, const struct scn_action *a)
{
    int h = a->host;
    struct sim_conn *sc = sim_current_conn(s, h);
    if (!sc) {
        trace_app(&s->tr, s->now, h, TL_TCP, 0, AC_RECV, -TCPE_NOTCONN, NULL, 0,
                  WHY(N_APP_ERR_NOCONN,
                      trace_intern(&s->tr, tcp_err_str(-TCPE_NOTCONN))));
        return;
    }
    size_t max = a->recv_max ? a->recv_max : 4096;
    uint8_t *buf = xcalloc(max, 1);
    long n = sim_app_recv(s, sc, buf, max);
    if (n > 0)
        frame_push(sc, buf, (size_t)n);
    free(buf);
    size_t off = 0;
    while (sc->frame_len - off >= 4) {
        const uint8_t *p = sc->frame_buf + off;
        uint32_t mlen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                        (uint32_t)p[2] << 8 | p[3];
        if (sc->frame_len - off - 4 < mlen)
            break;
        trace_app(&s->tr, s->now, h, TL_TCP, sc->tcb.id, AC_MESSAGE, (int)mlen,
                  p + 4, mlen, WHY(N_APP_MESSAGE, (int64_t)mlen));
        off += 4 + (size_t)mlen;
    }
    /* Nothing read yet leaves frame_buf NULL, and memmove on a NULL
     * pointer is undefined even for 0 bytes (C11 7.24.1p2). */
    if (off) {
        memmove(sc->frame_buf, sc->frame_buf + off, sc->frame_len - off);
        sc->frame_len -= off;
    }
    sim_after_tcb(s, sc);
}

/* ---- HTTP/1.1 over TCP ------------------------------------------------------ */

static int is_ip_literal(const char *name, ip4_addr *out)
{
    return ip4_parse(name, out) == 0;
}

/* Opens the browser's connection once the server's address is known. */
void app_http_connect(struct sim *s, int h, const struct scn_action *a,
                      ip4_addr addr)
{
    struct sim_conn *sc = sim_connect(s, h, addr, a->port ? a->port : 80, 0);
    if (!sc)
        return;
    sc->role = ROLE_HTTP_CLIENT;
    sc->act = a;
    sim_after_tcb(s, sc);
}

static void http_action(struct sim *s, const struct scn_action *a)
{
    int h = a->host;
    struct sim_host *hp = &s->hosts[h];
    if (a->kind == ACT_HTTP_SERVE) {
        struct sim_conn *sc = sim_listen(s, h, a->port, TL_HTTP,
                                         WHY(N_APP_HTTP_SERVE, a->port));
        if (sc) {
            sc->role = ROLE_HTTP_SERVER;
            sc->act = a;
            sim_after_tcb(s, sc);
        }
        return;
    }
    /* ACT_HTTP_GET: the URL as the browser has it, with the port when it
     * is not the default (RFC 9110 4.2.1) */
    int port = a->port && a->port != 80;
    trace_app(&s->tr, s->now, h, TL_HTTP, 0, AC_CONNECT, 0, NULL, 0,
              WHY(port ? N_APP_HTTP_GET_PORT : N_APP_HTTP_GET,
                  trace_intern(&s->tr, a->text),
                  trace_intern(&s->tr, a->path ? a->path : "/"), a->port));
    ip4_addr addr;
    if (is_ip_literal(a->text, &addr)) {
        app_http_connect(s, h, a, addr);
        return;
    }
    hp->http_pending = a;
    dnsapp_resolve(s, h, a->text);
}

static void http_server_poll(struct sim *s, struct sim_conn *sc)
{
    struct tcp_conn *c = &sc->tcb;
    int h = sc->host;
    if (sc->step != 0 ||
        (c->state != TCPS_ESTABLISHED && c->state != TCPS_CLOSE_WAIT))
        return;
    /* the request is complete at the blank line after the headers; a
     * client that has sent nothing leaves rcvq without a buffer, and
     * arithmetic on a NULL pointer is undefined (C11 6.5.6p8) */
    size_t n = c->rcvq.len, end = 0;
    if (n < 4)
        return;
    const uint8_t *p = c->rcvq.buf + c->rcvq.head;
    for (size_t i = 0; i + 3 < n && !end; i++)
        if (!memcmp(p + i, "\r\n\r\n", 4))
            end = i + 4;
    if (!end)
        return;
    sc->step = 1;
    uint8_t *req = xcalloc(end, 1);
    tcp_recv(c, s->now, req, end);
    trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)end, req, end,
              WHY(N_APP_HTTP_READREQ, (int64_t)end));
    free(req);
    const char *body = sc->act && sc->act->text ? sc->act->text : HTTP_DEFAULT_BODY;
    size_t blen = strlen(body);
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n", blen);
    size_t total = (size_t)hl + blen;
    uint8_t *resp = xcalloc(total, 1);
    memcpy(resp, head, (size_t)hl);
    memcpy(resp + hl, body, blen);
    trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_SEND, (int)total, resp,
              total, WHY(N_APP_HTTP_RESP, (int64_t)total));
    tcp_send(c, s->now, resp, total);
    free(resp);
    trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_CLOSE, 0, NULL, 0,
              WHY0(N_APP_CLOSE));
    tcp_close(c, s->now);
}

static void http_client_poll(struct sim *s, struct sim_conn *sc)
{
    struct tcp_conn *c = &sc->tcb;
    int h = sc->host;
    if (sc->step == 0 && c->state == TCPS_ESTABLISHED) {
        const struct scn_action *a = sc->act;
        char req[512], port[8] = "";
        /* RFC 9110 7.2: Host carries the port when it is not the default */
        if (a->port && a->port != 80)
            snprintf(port, sizeof port, ":%u", a->port);
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: %s%s\r\nUser-Agent: protosim\r\n"
                         "Accept: */*\r\nConnection: close\r\n\r\n",
                         a->path ? a->path : "/", a->text, port);
        if (n < 0 || (size_t)n >= sizeof req)
            n = (int)sizeof req - 1;
        sc->step = 1;
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_SEND, n,
                  (const uint8_t *)req, (size_t)n, WHY(N_APP_HTTP_REQ, n));
        tcp_send(c, s->now, (const uint8_t *)req, (size_t)n);
    }
    if (sc->step == 1 && c->rcvq.len) {
        size_t n = c->rcvq.len;
        uint8_t *buf = xcalloc(n, 1);
        tcp_recv(c, s->now, buf, n);
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)n, buf, n,
                  WHY(N_APP_HTTP_READ, (int64_t)n));
        free(buf);
    }
    if (sc->step == 1 && c->state == TCPS_CLOSE_WAIT && c->rcvq.len == 0) {
        sc->step = 2;
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_CLOSE, 0, NULL, 0,
                  WHY0(N_APP_HTTP_DONE));
        tcp_close(c, s->now);
    }
}

void app_poll(struct sim *s, struct sim_conn *sc)
{
    switch (sc->role) {
    case ROLE_HTTP_SERVER:
        if (!sc->listener)
            http_server_poll(s, sc);
        break;
    case ROLE_HTTP_CLIENT:
        http_client_poll(s, sc);
        break;
    default:
        break;
    }
}

int app_action(struct sim *s, const struct scn_action *a)
{
    switch (a->kind) {
    case ACT_UDP_BIND: case ACT_UDP_SEND: case ACT_UDP_RECV:
        return udp_action(s, a);
    case ACT_RECV_FRAMED:
        recv_framed(s, a);
        return 1;
    case ACT_HTTP_SERVE: case ACT_HTTP_GET:
        http_action(s, a);
        return 1;
    case ACT_RESOLVE:
        trace_app(&s->tr, s->now, a->host, TL_DNS, 0, AC_RESOLVE, 0, NULL, 0,
                  WHY(N_APP_RESOLVING, trace_intern(&s->tr, a->text)));
        dnsapp_resolve(s, a->host, a->text);
        return 1;
    default:
        return 0;
    }
}

void app_init(struct sim *s)
{
    dnsapp_init(s);
}

void app_free(struct sim *s)
{
    for (int h = 0; h < s->nhosts; h++) {
        struct sim_host *hp = &s->hosts[h];
        for (int i = 0; i < hp->nudp; i++)
            udp_queue_free(&hp->udp[i].q);
        free(hp->udp);
        free(hp->udp_ix);
    }
    dnsapp_free(s);
}
