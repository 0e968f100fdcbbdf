/* httpapp.c — the HTTP/1.1 browser (`http get`) and server (`http serve`)
 * that react to their connections' events.  A name that is not an address
 * goes to the host's stub resolver first (dnsapp.c), which calls
 * app_http_connect back with the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "alloc.h"
#include "narrate.h"

/* sc->role for a TCB that http_app owns (app_own) */
enum http_role { ROLE_HTTP_SERVER = 1, ROLE_HTTP_CLIENT };

#define HTTP_DEFAULT_BODY \
    "<!doctype html><title>Example</title><p>Hello from protosim.</p>\n"


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
    app_own(sc, &http_app);
    sc->role = ROLE_HTTP_CLIENT;
    sc->act = a;
    sim_after_tcb(s, sc);
}

static int http_action(struct sim *s, const struct scn_action *a)
{
    if (a->kind != ACT_HTTP_SERVE && a->kind != ACT_HTTP_GET)
        return 0;
    int h = a->host;
    if (a->kind == ACT_HTTP_SERVE) {
        struct sim_conn *sc = sim_listen(s, h, a->port, TL_HTTP,
                                         WHY(N_APP_HTTP_SERVE, a->port));
        if (sc) {
            app_own(sc, &http_app);
            sc->role = ROLE_HTTP_SERVER;
            sc->act = a;
            sim_after_tcb(s, sc);
        }
        return 1;
    }
    /* ACT_HTTP_GET: the URL as the browser has it, with the port when it
     * is not the default (RFC 9110 4.2.1) */
    int port = a->port && a->port != 80;
    trace_app(&s->tr, s->now, h, TL_HTTP, 0, AC_CONNECT, 0, NULL, 0,
              WHY(port ? N_APP_HTTP_GET_PORT : N_APP_HTTP_GET,
                  trace_intern(&s->tr, a->text),
                  trace_intern(&s->tr, a->more->path ? a->more->path : "/"), a->port));
    ip4_addr addr;
    if (is_ip_literal(a->text, &addr)) {
        app_http_connect(s, h, a, addr);
        return 1;
    }
    dnsapp_resolve(s, h, a->text, a);
    return 1;
}

size_t app_http_head_len(const struct tcp_conn *c)
{
    /* a client that has sent nothing leaves rcvq without a buffer, and
     * arithmetic on a NULL pointer is undefined (C11 6.5.6p8) */
    size_t n = c->rcvq.len;
    if (n < 4)
        return 0;
    const uint8_t *p = c->rcvq.buf + c->rcvq.head;
    for (size_t i = 0; i + 3 < n; i++)
        if (!memcmp(p + i, "\r\n\r\n", 4))
            return i + 4;
    return 0;
}

void app_send_close(struct sim *s, struct sim_conn *sc, const char *head,
                    const char *body, struct why why)
{
    struct tcp_conn *c = &sc->tcb;
    size_t hl = strlen(head), bl = strlen(body);
    uint8_t small[SIM_SMALL], *out = sim_buf(small, hl + bl);
    memcpy(out, head, hl);
    memcpy(out + hl, body, bl);
    trace_app(&s->tr, s->now, sc->tcb.host, TL_HTTP, c->id, AC_SEND, (int)(hl + bl),
              out, hl + bl, why);
    tcp_send(c, s->now, out, hl + bl);
    sim_buf_done(out, small);
    trace_app(&s->tr, s->now, sc->tcb.host, TL_HTTP, c->id, AC_CLOSE, 0, NULL, 0,
              WHY0(N_APP_CLOSE));
    tcp_close(c, s->now);
}

static void http_server_poll(struct sim *s, struct sim_conn *sc)
{
    struct tcp_conn *c = &sc->tcb;
    int h = sc->tcb.host;
    if (sc->step != 0 ||
        (c->state != TCPS_ESTABLISHED && c->state != TCPS_CLOSE_WAIT))
        return;
    /* the request is complete at the blank line after the headers */
    size_t end = app_http_head_len(c);
    if (!end)
        return;
    sc->step = 1;
    uint8_t small[SIM_SMALL], *req = sim_buf(small, end);
    tcp_recv(c, s->now, req, end);
    trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)end, req, end,
              WHY(N_APP_HTTP_READREQ, (int64_t)end));
    sim_buf_done(req, small);
    const char *body = sc->act && sc->act->text ? sc->act->text : HTTP_DEFAULT_BODY;
    size_t blen = strlen(body);
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n", blen);
    app_send_close(s, sc, head, body,
                   WHY(N_APP_HTTP_RESP, (int64_t)((size_t)hl + blen)));
}

static void http_client_poll(struct sim *s, struct sim_conn *sc)
{
    struct tcp_conn *c = &sc->tcb;
    int h = sc->tcb.host;
    if (sc->step == 0 && c->state == TCPS_ESTABLISHED) {
        const struct scn_action *a = sc->act;
        char req[512], port[8] = "";
        /* RFC 9110 7.2: Host carries the port when it is not the default */
        if (a->port && a->port != 80)
            snprintf(port, sizeof port, ":%u", a->port);
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: %s%s\r\nUser-Agent: protosim\r\n"
                         "Accept: */*\r\nConnection: close\r\n\r\n",
                         a->more->path ? a->more->path : "/", a->text, port);
        if (n < 0 || (size_t)n >= sizeof req)
            n = (int)sizeof req - 1;
        sc->step = 1;
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_SEND, n,
                  (const uint8_t *)req, (size_t)n, WHY(N_APP_HTTP_REQ, n));
        tcp_send(c, s->now, (const uint8_t *)req, (size_t)n);
    }
    if (sc->step == 1 && c->rcvq.len) {
        size_t n = c->rcvq.len;
        uint8_t small[SIM_SMALL], *buf = sim_buf(small, n);
        tcp_recv(c, s->now, buf, n);
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)n, buf, n,
                  WHY(N_APP_HTTP_READ, (int64_t)n));
        sim_buf_done(buf, small);
    }
    if (sc->step == 1 && c->state == TCPS_CLOSE_WAIT && c->rcvq.len == 0) {
        sc->step = 2;
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_CLOSE, 0, NULL, 0,
                  WHY0(N_APP_HTTP_DONE));
        tcp_close(c, s->now);
    }
}

static void http_poll(struct sim *s, struct sim_conn *sc)
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

const struct app_ops http_app = {
    .name = "http",
    .action = http_action,
    .poll = http_poll,
};
