/* wsgiapp.c — the server side of a web request: nginx (`nginx serve`) in front, uWSGI and its WSGI application (`uwsgi serve`) behind, and the uwsgi protocol between them.
 *
 * nginx reads a browser's HTTP request.  A client on its deny list gets
 * 403 Forbidden; a path under /static/ is a file nginx sends itself; any
 * other request goes to uWSGI over a second TCP connection, in the uwsgi
 * protocol (uWSGI's documentation, "The uwsgi protocol"): a 4-byte header
 * -- modifier1 (0: a WSGI request), the size of what follows as a 16-bit
 * little-endian number, modifier2 (0) -- then the request's variables,
 * each a 16-bit little-endian key length, the key, a 16-bit little-endian
 * value length and the value.  uWSGI turns the variables into the WSGI
 * environ, calls the application (PEP 3333: application(environ,
 * start_response)), writes the response as HTTP and closes; nginx passes
 * the response on to the browser and closes that connection too.
 *
 * Simplifications, said where they show: the application is the lesson's
 * body (no Django runs; the sentence says what would), nginx passes the
 * response on as uWSGI wrote it (a real nginx rewrites some headers), one
 * request per connection (Connection: close), and the variables are the
 * eight a WSGI application needs most. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "alloc.h"
#include "i18n.h"
#include "narrate.h"
#include "uwsgi.h"
#include <strings.h>

/* sc->role for a TCB that wsgi_app owns (app_own) */
enum wsgi_role {
    ROLE_NGINX = 1,         /* nginx's listener and the browsers' connections */
    ROLE_NGINX_UP,          /* nginx's connection to uWSGI */
    ROLE_UWSGI              /* uWSGI's listener and nginx's connections to it */
};

/* ROLE_NGINX steps */
enum { NG_READING, NG_WAITING, NG_DONE };
/* ROLE_NGINX_UP steps */
enum { UP_CONNECTING, UP_READING, UP_DONE };

#define STATIC_PREFIX "/static/"
#define UWSGI_DEFAULT_BODY \
    "<!doctype html><title>Hello</title><p>Hello from the WSGI application.</p>\n"

/* ---- the request line and the uwsgi packet ------------------------------ */

struct http_req {
    char method[16], uri[256], path[256], query[256], host[128];
};

/* The request line and the Host header of an HTTP/1.1 request (text up to
 * its blank line).  Returns 0, or -1 when there is no request line. */
static int parse_request(const uint8_t *p, size_t n, struct http_req *r)
{
    memset(r, 0, sizeof *r);
    size_t i = 0, k = 0;
    while (i < n && p[i] != ' ' && k + 1 < sizeof r->method)
        r->method[k++] = (char)p[i++];
    if (i >= n || p[i] != ' ' || k == 0)
        return -1;
    i++;
    k = 0;
    while (i < n && p[i] != ' ' && p[i] != '\r' && k + 1 < sizeof r->uri)
        r->uri[k++] = (char)p[i++];
    if (k == 0 || r->uri[0] != '/')
        return -1;
    const char *q = strchr(r->uri, '?');
    size_t plen = q ? (size_t)(q - r->uri) : strlen(r->uri);
    memcpy(r->path, r->uri, plen);
    if (q)
        snprintf(r->query, sizeof r->query, "%s", q + 1);
    /* Host: the first header of that name (case-insensitive, RFC 9110 5.1) */
    for (size_t j = 0; j + 6 < n; j++) {
        if (p[j] != '\n' || strncasecmp((const char *)p + j + 1, "Host:", 5))
            continue;
        size_t a = j + 6;
        while (a < n && p[a] == ' ')
            a++;
        k = 0;
        while (a < n && p[a] != '\r' && p[a] != '\n' && k + 1 < sizeof r->host)
            r->host[k++] = (char)p[a++];
        break;
    }
    return 0;
}

/* The uwsgi packet for request r from client addr to nginx's port; returns
 * its length (the header's 4 bytes included). */
static size_t uwsgi_packet(const struct http_req *r, ip4_addr client,
                           uint16_t port, uint8_t *out, size_t cap)
{
    char addr[20], ports[8];
    ip4_str(client, addr, sizeof addr);
    snprintf(ports, sizeof ports, "%u", port);
    const char *vars[][2] = {
        { "REQUEST_METHOD", r->method }, { "REQUEST_URI", r->uri },
        { "PATH_INFO", r->path },        { "QUERY_STRING", r->query },
        { "SERVER_PROTOCOL", "HTTP/1.1" }, { "HTTP_HOST", r->host },
        { "REMOTE_ADDR", addr },         { "SERVER_PORT", ports },
    };
    size_t at = UWSGI_HDR;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        at = uwsgi_put_var(out, at, cap, vars[i][0], vars[i][1]);
    uwsgi_put_header(out, at - UWSGI_HDR);
    return at;
}

/* The value of key in a uwsgi packet's variables (p, n: after the header),
 * copied to out; the number of variables in *count.  Returns 0, -1 when
 * a length runs past the end. */
static int uwsgi_var(const uint8_t *p, size_t n, const char *key, char *out,
                     size_t cap, int *count)
{
    size_t at = 0;
    int c = 0, r;
    struct uwsgi_var v;
    out[0] = '\0';
    while ((r = uwsgi_next_var(p, n, &at, &v)) == 1) {
        if (v.klen == strlen(key) && !memcmp(v.key, key, v.klen)) {
            size_t m = v.vlen < cap - 1 ? v.vlen : cap - 1;
            memcpy(out, v.val, m);
            out[m] = '\0';
        }
        c++;
    }
    if (r < 0)
        return -1;
    *count = c;
    return 0;
}

/* ---- the apps' script ---------------------------------------------------- */

/* An nginx answer of its own: the status line, the body, Connection: close. */
static void nginx_answer(struct sim *s, struct sim_conn *sc, const char *status,
                         const char *type, const char *body, int nid, int64_t a0)
{
    char head[256];
    snprintf(head, sizeof head, "HTTP/1.1 %s\r\nServer: nginx\r\nContent-Type: %s\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, type,
             strlen(body));
    int64_t total = (int64_t)(strlen(head) + strlen(body));
    app_send_close(s, sc, head, body, WHY(nid, a0, total));
    sc->step = NG_DONE;
}

static void unlink_pair(struct sim *s, struct sim_conn *a)
{
    struct sim_conn *b = a->more ? a->more->proxy_peer : NULL;
    if (a->more)
        a->more->proxy_peer = NULL;
    if (b) {
        b->more->proxy_peer = NULL;
        sim_after_tcb(s, b);
    }
}

static void nginx_request(struct sim *s, struct sim_conn *sc)
{
    struct tcp_conn *c = &sc->tcb;
    int h = sc->tcb.host;
    const struct scn_action *a = sc->act;
    size_t end = app_http_head_len(c);
    if (!end)
        return;
    uint8_t *req = xcalloc(end, 1);
    tcp_recv(c, s->now, req, end);
    struct http_req r;
    int bad = parse_request(req, end, &r);
    trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)end, req, end,
              bad ? WHY(N_APP_NGINX_READBAD, (int64_t)end)
                  : WHY(N_APP_NGINX_READREQ, (int64_t)end,
                        trace_intern(&s->tr, r.method), trace_intern(&s->tr, r.uri)));
    free(req);
    if (bad) {
        nginx_answer(s, sc, "400 Bad Request", "text/html",
                     "<html><body><h1>400 Bad Request</h1></body></html>\n",
                     N_APP_NGINX_400, 0);
        return;
    }
    /* nginx's access module: `deny ADDRESS;` answers 403 before anything
     * else looks at the request */
    if (a->more->deny && c->raddr == a->more->deny) {
        nginx_answer(s, sc, "403 Forbidden", "text/html",
                     "<html><body><h1>403 Forbidden</h1></body></html>\n",
                     N_APP_NGINX_DENY, c->raddr);
        return;
    }
    if (!strncmp(r.path, STATIC_PREFIX, strlen(STATIC_PREFIX))) {
        char body[320];
        snprintf(body, sizeof body, "/* %s: a file nginx sends from disk */\n", r.path);
        nginx_answer(s, sc, "200 OK", "text/css", body, N_APP_NGINX_STATIC,
                     trace_intern(&s->tr, r.path));
        return;
    }
    /* a dynamic request: a second connection, to uWSGI */
    sc->step = NG_WAITING;
    struct sim_conn *up = sim_connect(s, h, s->hosts[a->peer].addr, a->more->up_port, 0);
    if (!up) {
        nginx_answer(s, sc, "502 Bad Gateway", "text/html",
                     "<html><body><h1>502 Bad Gateway</h1></body></html>\n",
                     N_APP_NGINX_502, trace_intern(&s->tr, _("no local port")));
        return;
    }
    app_own(up, &wsgi_app);
    up->role = ROLE_NGINX_UP;
    up->act = a;
    up->step = UP_CONNECTING;
    struct sim_conn_more *um = sim_more(up);
    um->proxy_peer = sc;
    sim_more(sc)->proxy_peer = up;
    uint8_t pkt[2048];
    size_t len = uwsgi_packet(&r, c->raddr, c->lport, pkt, sizeof pkt);
    um->frame_buf = xcalloc(len, 1);
    memcpy(um->frame_buf, pkt, len);
    um->frame_len = um->frame_cap = len;
    sim_after_tcb(s, up);
}

/* nginx's connection to uWSGI: send the packet, gather the response, pass
 * it on when uWSGI closes. */
static void nginx_upstream(struct sim *s, struct sim_conn *up)
{
    struct tcp_conn *c = &up->tcb;
    int h = up->tcb.host;
    /* made with its sim_conn_more (nginx_request), which it keeps */
    struct sim_conn_more *um = sim_more(up);
    struct sim_conn *down = um->proxy_peer;
    if (up->step == UP_CONNECTING && c->state == TCPS_ESTABLISHED) {
        size_t len = um->frame_len;
        size_t size = uwsgi_datasize(um->frame_buf);
        int nvars = 0;
        char none[2];
        uwsgi_var(um->frame_buf + 4, size, "", none, sizeof none, &nvars);
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_SEND, (int)len,
                  um->frame_buf, len,
                  WHY(N_APP_UWSGI_SEND, (int64_t)len, (int64_t)size,
                      (int64_t)nvars));
        tcp_send(c, s->now, um->frame_buf, len);
        free(um->frame_buf);
        um->frame_buf = NULL;
        um->frame_len = um->frame_cap = 0;
        up->step = UP_READING;
    }
    if (up->step == UP_READING && c->rcvq.len) {
        size_t n = c->rcvq.len;
        if (um->frame_len + n > um->frame_cap) {
            um->frame_cap = um->frame_len + n;
            um->frame_buf = xrealloc(um->frame_buf, um->frame_cap);
        }
        tcp_recv(c, s->now, um->frame_buf + um->frame_len, n);
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)n,
                  um->frame_buf + um->frame_len, n, WHY(N_APP_NGINX_UPREAD, (int64_t)n));
        um->frame_len += n;
    }
    int ended = c->state == TCPS_CLOSE_WAIT || c->state == TCPS_CLOSED ||
                c->state == TCPS_LAST_ACK;
    if (up->step != UP_DONE && ended && c->rcvq.len == 0) {
        int got = up->step == UP_READING && um->frame_len > 0 &&
                  c->state == TCPS_CLOSE_WAIT;
        up->step = UP_DONE;
        if (c->state == TCPS_CLOSE_WAIT) {
            trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_CLOSE, 0, NULL, 0,
                      WHY0(N_APP_CLOSE));
            tcp_close(c, s->now);
        }
        if (down && down->step == NG_WAITING &&
            (down->tcb.state == TCPS_ESTABLISHED || down->tcb.state == TCPS_CLOSE_WAIT)) {
            if (got) {
                struct tcp_conn *dc = &down->tcb;
                trace_app(&s->tr, s->now, down->tcb.host, TL_HTTP, dc->id, AC_SEND,
                          (int)um->frame_len, um->frame_buf, um->frame_len,
                          WHY(N_APP_NGINX_RELAY, (int64_t)um->frame_len));
                tcp_send(dc, s->now, um->frame_buf, um->frame_len);
                trace_app(&s->tr, s->now, down->tcb.host, TL_HTTP, dc->id, AC_CLOSE, 0,
                          NULL, 0, WHY0(N_APP_CLOSE));
                tcp_close(dc, s->now);
                down->step = NG_DONE;
            } else {
                nginx_answer(s, down, "502 Bad Gateway", "text/html",
                             "<html><body><h1>502 Bad Gateway</h1></body></html>\n",
                             N_APP_NGINX_502, trace_intern(&s->tr, c->err
                                 ? _(tcp_err_str(-c->err))
                                 : _("uWSGI closed the connection without a response")));
            }
        }
        free(um->frame_buf);
        um->frame_buf = NULL;
        um->frame_len = um->frame_cap = 0;
        unlink_pair(s, up);
    }
}

static void uwsgi_request(struct sim *s, struct sim_conn *sc)
{
    struct tcp_conn *c = &sc->tcb;
    int h = sc->tcb.host;
    size_t n = c->rcvq.len;
    if (n < 4)
        return;
    const uint8_t *p = c->rcvq.buf + c->rcvq.head;
    size_t size = uwsgi_datasize(p);
    if (n < 4 + size)
        return;                         /* the rest is on its way */
    uint8_t *pkt = xcalloc(4 + size, 1);
    tcp_recv(c, s->now, pkt, 4 + size);
    char method[32], path[256];
    int nvars = 0;
    int badvar = uwsgi_var(pkt + 4, size, "REQUEST_METHOD", method, sizeof method, &nvars) ||
                 uwsgi_var(pkt + 4, size, "PATH_INFO", path, sizeof path, &nvars);
    sc->step = 1;
    if (pkt[0] != 0 || badvar) {
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)(4 + size), pkt,
                  4 + size, pkt[0] != 0
                  ? WHY(N_APP_UWSGI_BAD, (int64_t)(4 + size), (int64_t)pkt[0])
                  : WHY(N_APP_UWSGI_BADVAR, (int64_t)(4 + size)));
        free(pkt);
        trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_CLOSE, 0, NULL, 0,
                  WHY0(N_APP_CLOSE));
        tcp_close(c, s->now);
        return;
    }
    trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_RECV, (int)(4 + size), pkt,
              4 + size, WHY(N_APP_UWSGI_READ, (int64_t)(4 + size), (int64_t)size,
                            (int64_t)nvars));
    free(pkt);
    trace_app(&s->tr, s->now, h, TL_HTTP, c->id, AC_WSGI, 0, NULL, 0,
              WHY(N_APP_WSGI_CALL, trace_intern(&s->tr, method),
                  trace_intern(&s->tr, path)));
    const char *body = sc->act && sc->act->text ? sc->act->text : UWSGI_DEFAULT_BODY;
    char head[200];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
             "charset=utf-8\r\nContent-Length: %zu\r\n\r\n", strlen(body));
    app_send_close(s, sc, head, body,
               WHY(N_APP_UWSGI_RESP, (int64_t)(strlen(head) + strlen(body))));
}

static int wsgi_action(struct sim *s, const struct scn_action *a)
{
    if (a->kind != ACT_NGINX && a->kind != ACT_UWSGI)
        return 0;
    int nginx = a->kind == ACT_NGINX;
    struct sim_conn *sc = sim_listen(s, a->host, a->port, TL_HTTP,
                                     nginx ? WHY(N_APP_NGINX_SERVE, a->port,
                                                 s->hosts[a->peer].addr, a->more->up_port)
                                           : WHY(N_APP_UWSGI_SERVE, a->port));
    if (sc) {
        app_own(sc, &wsgi_app);
        sc->role = nginx ? ROLE_NGINX : ROLE_UWSGI;
        sc->act = a;
        sim_after_tcb(s, sc);
    }
    return 1;
}

static void wsgi_poll(struct sim *s, struct sim_conn *sc)
{
    if (sc->listener)
        return;
    switch (sc->role) {
    case ROLE_NGINX:
        if (sc->step == NG_READING && (sc->tcb.state == TCPS_ESTABLISHED ||
                                       sc->tcb.state == TCPS_CLOSE_WAIT))
            nginx_request(s, sc);
        break;
    case ROLE_NGINX_UP:
        nginx_upstream(s, sc);
        break;
    case ROLE_UWSGI:
        if (sc->step == 0 && (sc->tcb.state == TCPS_ESTABLISHED ||
                              sc->tcb.state == TCPS_CLOSE_WAIT))
            uwsgi_request(s, sc);
        break;
    default:
        break;
    }
}

const struct app_ops wsgi_app = {
    .name = "wsgi",
    .action = wsgi_action,
    .poll = wsgi_poll,
};
