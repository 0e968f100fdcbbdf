/* real.c — the `--real` driver: replays a scenario's TCP calls on loopback
 * sockets at scaled times, watches the kernel's state of every endpoint, and
 * merges what it saw into the trace as its own records (realrec.h).
 *
 * The shape of a run:
 *   plan     list what has no real counterpart (faults, injected segments,
 *            links, options, simultaneous open, UDP/DNS/HTTP actions) and
 *            give each distinct call time a moment on the real clock;
 *   replay   at each moment run that time's calls; between moments look at
 *            every endpoint every poll_us (TCP_INFO, or NETLINK_SOCK_DIAG for
 *            a socket without a descriptor), accept what the listeners have
 *            and read the capture;
 *   settle   keep looking after the last call until nothing moves;
 *   clean    close every socket (an open connection with RST, so the
 *            clean-up leaves no FIN_WAIT or TIME_WAIT of its own);
 *   merge    put each record on the scenario's clock and merge it in.
 *
 * One socket per simulated endpoint, mirroring the model: a host's calls
 * act on its newest connection (a listen makes the listener current; a
 * connection accepted from it becomes current as soon as the kernel has it,
 * as the model's child does when its SYN arrives).  Only 127.0.0.1 or ::1
 * is ever bound or connected to. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include "alloc.h"
#include "real.h"
#include "realint.h"
#include "tcp.h"
#include "trace.h"

void real_default_opts(struct real_opts *o)
{
    memset(o, 0, sizeof *o);
    o->family = AF_INET;
    o->capture = REAL_CAPTURE_AUTO;
    o->scale = 10;
    o->min_gap_us = 60000;
    o->max_span_us = 3000000;
    o->poll_us = 2000;
    o->settle_min_us = 150000;
    o->settle_max_us = 1500000;
}

/* ---- the replay's state ------------------------------------------------ */

enum ep_kind { EP_LISTEN, EP_ACTIVE, EP_ACCEPTED };

/* One real socket standing for one simulated endpoint. */
struct ep {
    int      fd;            /* -1 once closed */
    int      host;
    int      kind;          /* enum ep_kind */
    uint32_t conn;          /* the model's connection id */
    struct real_addr local, remote;   /* remote.port 0 for a listener */
    uint16_t scn_port;      /* a listener's port in the scenario */
    int      state;         /* last state recorded, -1 none */
    int      final;         /* nothing more to watch */
    int      app_closed;    /* the scenario closed or aborted it */
    int      aborted, unread_at_close;
    int      connected;     /* connect() has been called */
    uint8_t *pend;          /* bytes send() could not take yet */
    size_t   npend;
};

/* A port the scenario connects to where nothing listens: a socket bound to
 * it and not listening holds it, so the kernel answers the SYN with RST. */
struct closed_port {
    int      host;
    uint16_t scn_port, port;
    int      fd;
};

/* A record on its way into the trace: its real time, or a fixed scenario
 * time for what does not happen on the real clock. */
struct rrec {
    struct trace_rec r;
    int64_t  real_us;       /* since the replay began; INT64_MIN if fixed */
    size_t   idx;           /* creation order, to break ties */
    int      fixed;
};

/* A distinct call time and when it ran on the real clock. */
struct anchor {
    int64_t  scn_us;        /* scenario time */
    int64_t  plan_us;       /* when it is due, since the replay began */
    int64_t  begin_us, end_us;  /* when its calls actually ran */
};

struct replay {
    struct sim *s;
    const struct scenario *scn;
    struct real_opts o;
    struct real_result *res;
    size_t   nsim;          /* the simulated records: s->tr.recs[0 .. nsim) */
    struct ep *eps;
    int      neps, capeps;
    struct closed_port *cps;
    int      ncps, capcps;
    int     *cur;           /* per host: current endpoint, -1 none, -2 not replayed */
    struct rrec *recs;
    size_t   nrecs, caprecs;
    struct real_diag diag;
    struct real_cap cap;
    int      capturing;
    struct real_cap_pkt *pkts;
    size_t   npkts, cappkts;
    int64_t  t0;            /* real_now_us() when the replay began */
    int64_t  hard_deadline; /* real_now_us() past which nothing waits */
    struct anchor *anc;
    int      nanc;
    uint8_t *skip;          /* per action: 1 = not replayed */
    int     *anc_of;        /* per action: its anchor, -1 if not replayed */
};

static int64_t rnow(const struct replay *R)
{
    return real_now_us() - R->t0;
}

static struct trace_rec *rec_add(struct replay *R, int host, uint32_t conn,
                                 int what, int state, int source,
                                 struct why why)
{
    if (R->nrecs == R->caprecs) {
        R->caprecs = R->caprecs ? R->caprecs * 2 : 64;
        R->recs = xrealloc(R->recs, R->caprecs * sizeof *R->recs);
    }
    struct rrec *x = &R->recs[R->nrecs++];
    memset(x, 0, sizeof *x);
    x->real_us = R->t0 ? rnow(R) : 0;
    x->idx = R->nrecs - 1;
    x->r.kind = TK_EXT;
    x->r.u.ext.owner = REAL_EXT_OWNER;
    x->r.host = host;
    x->r.layer = (what == RW_NOT_REPLAYED || what == RW_INFO) ? TL_NONE : TL_TCP;
    x->r.conn = conn;
    x->r.why = why;
    RR_WHAT(&x->r) = (uint8_t)what;
    RR_STATE(&x->r) = (uint8_t)state;
    RR_SOURCE(&x->r) = (uint8_t)source;
    RR_VAL(&x->r) = -1;
    if (what == RW_STATE)
        R->res->observations++;
    else if (what == RW_UNSEEN)
        R->res->unseen++;
    return &x->r;
}

/* A record at a fixed scenario time (plan notes, not-replayed features). */
static struct trace_rec *rec_fixed(struct replay *R, int64_t t, int host,
                                   int what, struct why why)
{
    struct trace_rec *r = rec_add(R, host, 0, what, 0, RS_REPLAY, why);
    struct rrec *x = &R->recs[R->nrecs - 1];
    x->fixed = 1;
    x->real_us = INT64_MIN;
    r->t_us = t;
    if (what == RW_NOT_REPLAYED)
        R->res->not_replayed++;
    return r;
}

static uint32_t str_id(struct replay *R, const char *text)
{
    return trace_intern(&R->s->tr, text);
}

/* ---- addresses ----------------------------------------------------------- */

static void loopback(const struct replay *R, struct real_addr *a, uint16_t port)
{
    memset(a, 0, sizeof *a);
    a->family = R->o.family;
    if (a->family == AF_INET6)
        a->addr[15] = 1;                        /* ::1 */
    else {
        a->addr[0] = 127;                       /* 127.0.0.1 */
        a->addr[3] = 1;
    }
    a->port = port;
}

static socklen_t to_sockaddr(const struct real_addr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, a->addr, 16);
        s6->sin6_port = htons(a->port);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    memcpy(&s4->sin_addr, a->addr, 4);
    s4->sin_port = htons(a->port);
    return sizeof *s4;
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct real_addr *a)
{
    memset(a, 0, sizeof *a);
    a->family = ss->ss_family;
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        memcpy(a->addr, &s6->sin6_addr, 16);
        a->port = ntohs(s6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        memcpy(a->addr, &s4->sin_addr, 4);
        a->port = ntohs(s4->sin_port);
    }
}

static int local_of(int fd, struct real_addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    from_sockaddr(&ss, a);
    return 0;
}

/* A TCP socket bound to the loopback address on port (0: the kernel's
 * choice), non-blocking.  Returns the descriptor or -1 with errno. */
static int bound_socket(const struct replay *R, uint16_t port, int reuse)
{
    int fd = socket(R->o.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    if (reuse)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct real_addr a;
    struct sockaddr_storage ss;
    loopback(R, &a, port);
    socklen_t len = to_sockaddr(&a, &ss);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* ---- the model's side: which simulated connection an endpoint is ------- */

/* The connection id of the model's record for action a (its listen or
 * connect): the j-th record of that call by that host at that time. */
static uint32_t sim_conn_for_action(const struct replay *R, int ai, int call)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int j = 0;
    for (int k = 0; k < ai; k++) {
        const struct scn_action *b = &R->scn->actions[k];
        if (b->host == a->host && b->t_us == a->t_us && b->kind == a->kind)
            j++;
    }
    const struct trace *tr = &R->s->tr;
    for (size_t i = 0; i < R->nsim; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind == TK_APP && r->layer == TL_TCP && r->host == a->host &&
            r->t_us == a->t_us && r->u.app.call == call && j-- == 0)
            return r->conn;
    }
    return 0;
}

/* The model's connection on the listener's host that answers the model's
 * connection `client_conn` of host ch: its newest TCB with that remote
 * endpoint.  Falls back to a name built the same way. */
static uint32_t sim_child_conn(struct replay *R, int h, uint16_t scn_port,
                               int ch, uint32_t client_conn, uint16_t real_rport)
{
    struct sim *s = R->s;
    uint16_t clport = 0;
    if (ch >= 0 && client_conn) {
        for (int k = 0; k < s->hosts[ch].nconns; k++)
            if (s->hosts[ch].conns[k]->tcb.id == client_conn)
                clport = s->hosts[ch].conns[k]->tcb.lport;
        for (int k = s->hosts[h].nconns; clport && k-- > 0;) {
            const struct sim_conn *sc = s->hosts[h].conns[k];
            if (!sc->listener && sc->tcb.lport == scn_port &&
                sc->tcb.raddr == s->hosts[ch].addr && sc->tcb.rport == clport)
                return sc->tcb.id;
        }
    }
    char name[160];
    if (ch >= 0)
        snprintf(name, sizeof name, "%s:%u-%s:%u", s->tr.host_names[h],
                 scn_port, s->tr.host_names[ch], clport ? clport : real_rport);
    else
        snprintf(name, sizeof name, "%s:%u-?:%u", s->tr.host_names[h],
                 scn_port, real_rport);
    return str_id(R, name);
}

/* ---- endpoints ----------------------------------------------------------- */

static struct ep *ep_new(struct replay *R, int host, int kind, int fd)
{
    if (R->neps == R->capeps) {
        R->capeps = R->capeps ? R->capeps * 2 : 8;
        R->eps = xrealloc(R->eps, (size_t)R->capeps * sizeof *R->eps);
    }
    struct ep *e = &R->eps[R->neps++];
    memset(e, 0, sizeof *e);
    e->fd = fd;
    e->host = host;
    e->kind = kind;
    e->state = -1;
    loopback(R, &e->local, 0);
    loopback(R, &e->remote, 0);
    return e;
}

static struct ep *listener_for(struct replay *R, int host, uint16_t scn_port)
{
    for (int i = R->neps; i-- > 0;)
        if (R->eps[i].kind == EP_LISTEN && R->eps[i].host == host &&
            R->eps[i].scn_port == scn_port && R->eps[i].fd >= 0)
            return &R->eps[i];
    return NULL;
}

/* The capture lets through the ports of every socket the replay holds. */
static void capture_ports(struct replay *R)
{
    if (!R->capturing)
        return;
    uint16_t ports[100];
    int n = 0;
    for (int i = 0; i < R->neps && n < 100; i++)
        if (R->eps[i].local.port && R->eps[i].kind != EP_ACCEPTED)
            ports[n++] = R->eps[i].local.port;
    for (int i = 0; i < R->ncps && n < 100; i++)
        ports[n++] = R->cps[i].port;
    real_cap_ports(&R->cap, ports, n);
}

/* ---- observing ----------------------------------------------------------- */

static void unseen(struct replay *R, struct ep *e, int state, int narration)
{
    struct why w = narration == N_REAL_UNSEEN_FAST
                 ? WHY(N_REAL_UNSEEN_FAST, state, R->o.poll_us)
                 : WHY0(narration);
    rec_add(R, e->host, e->conn, RW_UNSEEN, state,
            e->fd >= 0 ? RS_TCP_INFO : RS_SOCK_DIAG, w);
}

/* Before recording state `to`, name the states the kernel must have gone
 * through since the last one seen and was not seen in.  Only what the
 * state diagram forces is named: ESTABLISHED -> TIME_WAIT must have passed
 * FIN_WAIT_1, but FIN_WAIT_1 -> TIME_WAIT need not have passed FIN_WAIT_2
 * (the peer's FIN may carry the ACK of ours). */
static void gaps(struct replay *R, struct ep *e, int to)
{
    int from = e->state;
    if (e->kind == EP_ACTIVE && e->connected && (from < 0 || from == TCPS_CLOSED) &&
        to != TCPS_SYN_SENT && to != TCPS_CLOSED)
        unseen(R, e, TCPS_SYN_SENT, N_REAL_UNSEEN_SYN_SENT);
    if (e->kind == EP_ACCEPTED && from < 0 && to != TCPS_SYN_RECEIVED)
        unseen(R, e, TCPS_SYN_RECEIVED, N_REAL_UNSEEN_SYN_RCVD);
    if (from == TCPS_ESTABLISHED &&
        (to == TCPS_FIN_WAIT_2 || to == TCPS_TIME_WAIT || to == TCPS_CLOSING))
        unseen(R, e, TCPS_FIN_WAIT_1, N_REAL_UNSEEN_FAST);
    if (from == TCPS_ESTABLISHED && to == TCPS_LAST_ACK)
        unseen(R, e, TCPS_CLOSE_WAIT, N_REAL_UNSEEN_FAST);
    if (from == TCPS_CLOSE_WAIT && to == TCPS_CLOSED && e->app_closed &&
        !e->aborted && !e->unread_at_close)
        unseen(R, e, TCPS_LAST_ACK, N_REAL_UNSEEN_LAST_ACK);
}

/* The kernel's timer by what it is for: Linux keeps an orphaned
 * FIN_WAIT_2 in a TIME_WAIT-style socket whose timer is tcp_fin_timeout. */
static uint32_t timer_label(struct replay *R, int timer, int state)
{
    if (timer == 3 && state == TCPS_FIN_WAIT_2)
        return str_id(R, "tcp_fin_timeout");
    return str_id(R, real_timer_name(timer));
}

static void observe(struct replay *R, struct ep *e, int force)
{
    if (e->final)
        return;
    if (e->fd >= 0) {
        int raw = 0, st = real_tcp_info_state(e->fd, &raw);
        if (st < 0 || (st == e->state && !force))
            return;
        struct real_diag_answer a;
        if (st == TCPS_CLOSED && e->connected && e->kind != EP_LISTEN &&
            R->diag.fd >= 0 &&
            real_diag_lookup(&R->diag, &e->local, &e->remote, &a) == 1 &&
            a.state == TCPS_TIME_WAIT) {
            /* after shutdown() the descriptor outlives the connection:
             * the peer's FIN moved it to a TIME_WAIT socket of its own */
            gaps(R, e, a.state);
            struct trace_rec *r = rec_add(R, e->host, e->conn, RW_STATE,
                a.state, RS_SOCK_DIAG,
                WHY(N_REAL_SEEN_TW_FD, a.state, timer_label(R, a.timer, a.state),
                    a.expires_ms * 1000));
            RR_VAL(r) = a.timer ? (int32_t)a.expires_ms : -1;
            e->state = a.state;
            e->final = 1;
            return;
        }
        gaps(R, e, st);
        struct why w = WHY(N_REAL_SEEN_INFO, st, raw);
        if (st == TCPS_CLOSED && e->connected) {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
                w = WHY(N_REAL_SEEN_INFO_ERR, st, str_id(R, strerror(err)));
        }
        rec_add(R, e->host, e->conn, RW_STATE, st, RS_TCP_INFO, w);
        e->state = st;
        return;
    }
    if (R->diag.fd < 0)
        return;
    struct real_diag_answer a;
    int k = real_diag_lookup(&R->diag, &e->local, &e->remote, &a);
    if (k < 0) {
        if (errno == ETIMEDOUT) {
            /* a kernel that does not answer is not asked again */
            rec_add(R, -1, 0, RW_INFO, 0, RS_SOCK_DIAG,
                    WHY(N_REAL_NO_DIAG, str_id(R, strerror(errno))));
            real_diag_close(&R->diag);
        }
        return;
    }
    int st = k ? a.state : TCPS_CLOSED;
    if (st < 0)
        return;
    if (st != e->state) {
        gaps(R, e, st);
        struct why w = !k ? WHY0(N_REAL_SEEN_GONE)
                     : a.timer ? WHY(N_REAL_SEEN_DIAG_TMR, st,
                                     timer_label(R, a.timer, st),
                                     a.expires_ms * 1000)
                     : WHY(N_REAL_SEEN_DIAG, st);
        struct trace_rec *r = rec_add(R, e->host, e->conn, RW_STATE, st,
                                      RS_SOCK_DIAG, w);
        RR_VAL(r) = k && a.timer ? (int32_t)a.expires_ms : -1;
        e->state = st;
    }
    if (st == TCPS_TIME_WAIT || st == TCPS_CLOSED)
        e->final = 1;       /* TIME_WAIT lasts 60 s: it is not waited out */
}

static void observe_all(struct replay *R)
{
    for (int i = 0; i < R->neps; i++)
        observe(R, &R->eps[i], 0);
}

static void accept_all(struct replay *R)
{
    for (int i = 0; i < R->neps; i++) {
        if (R->eps[i].kind != EP_LISTEN || R->eps[i].fd < 0)
            continue;
        for (;;) {
            struct sockaddr_storage ss;
            socklen_t len = sizeof ss;
            int fd = accept4(R->eps[i].fd, (struct sockaddr *)&ss, &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                break;
            /* eps may move when it grows: copy what is needed first */
            struct ep l = R->eps[i];
            struct ep *e = ep_new(R, l.host, EP_ACCEPTED, fd);
            from_sockaddr(&ss, &e->remote);
            if (local_of(fd, &e->local) < 0)
                e->local = l.local;
            e->connected = 1;
            int ch = -1;
            uint32_t cconn = 0;
            for (int k = 0; k < R->neps; k++)
                if (R->eps[k].kind == EP_ACTIVE &&
                    R->eps[k].local.port == e->remote.port) {
                    ch = R->eps[k].host;
                    cconn = R->eps[k].conn;
                }
            e->conn = sim_child_conn(R, l.host, l.scn_port, ch, cconn,
                                     e->remote.port);
            R->cur[l.host] = (int)(e - R->eps);
            struct trace_rec *r = rec_add(R, l.host, e->conn, RW_CALL,
                                          REAL_CALL_ACCEPT, RS_REPLAY,
                                          WHY(N_REAL_ACCEPT, e->remote.port));
            RR_VAL(r) = 0;
            R->res->calls++;
            observe(R, e, 0);
        }
    }
}

static void flush_pending(struct replay *R)
{
    for (int i = 0; i < R->neps; i++) {
        struct ep *e = &R->eps[i];
        if (!e->npend || e->fd < 0)
            continue;
        ssize_t n = send(e->fd, e->pend, e->npend, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            memmove(e->pend, e->pend + n, e->npend - (size_t)n);
            e->npend -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                   errno != EINTR) {
            e->npend = 0;           /* the connection is gone */
        }
    }
}

static void read_capture(struct replay *R)
{
    if (!R->capturing)
        return;
    struct real_cap_pkt p;
    while (real_cap_read(&R->cap, &p) == 1) {
        if (R->npkts == R->cappkts) {
            R->cappkts = R->cappkts ? R->cappkts * 2 : 32;
            R->pkts = xrealloc(R->pkts, R->cappkts * sizeof *R->pkts);
        }
        R->pkts[R->npkts++] = p;
    }
}

/* One look at everything, after waiting at most wait_us for a listener,
 * the capture or a blocked send to have something. */
static void step(struct replay *R, int64_t wait_us)
{
    struct pollfd pf[REAL_MAX_ENDS + 2];
    nfds_t n = 0;
    for (int i = 0; i < R->neps && n < REAL_MAX_ENDS; i++) {
        const struct ep *e = &R->eps[i];
        if (e->fd < 0)
            continue;
        if (e->kind == EP_LISTEN)
            pf[n++] = (struct pollfd){ .fd = e->fd, .events = POLLIN };
        else if (e->npend)
            pf[n++] = (struct pollfd){ .fd = e->fd, .events = POLLOUT };
    }
    if (R->capturing)
        pf[n++] = (struct pollfd){ .fd = R->cap.fd, .events = POLLIN };
    if (wait_us > 0) {
        struct timespec ts = { wait_us / 1000000, (wait_us % 1000000) * 1000 };
        ppoll(pf, n, &ts, NULL);
    }
    accept_all(R);
    flush_pending(R);
    read_capture(R);
    observe_all(R);
}

static void wait_until(struct replay *R, int64_t target_rel)
{
    for (;;) {
        int64_t now = real_now_us();
        int64_t left = R->t0 + target_rel - now;
        if (left <= 0 || now >= R->hard_deadline)
            return;
        step(R, left < R->o.poll_us ? left : R->o.poll_us);
    }
}

/* Nothing will move without another call: no handshake or close under
 * way, nothing waiting to be accepted or sent. */
static int quiet(const struct replay *R)
{
    for (int i = 0; i < R->neps; i++) {
        const struct ep *e = &R->eps[i];
        if (e->final || (e->fd < 0 && e->kind == EP_LISTEN))
            continue;
        if (e->npend)
            return 0;
        switch (e->state) {
        case TCPS_ESTABLISHED: case TCPS_CLOSE_WAIT: case TCPS_LISTEN:
        case TCPS_CLOSED: case TCPS_FIN_WAIT_2: case TCPS_TIME_WAIT:
            break;
        default:
            return 0;
        }
    }
    return 1;
}

/* ---- the calls ----------------------------------------------------------- */

static struct trace_rec *call_rec(struct replay *R, int host, uint32_t conn,
                                  int call, int32_t val, struct why why)
{
    struct trace_rec *r = rec_add(R, host, conn, RW_CALL, call, RS_REPLAY, why);
    RR_VAL(r) = val;
    R->res->calls++;
    if (val < 0)
        R->res->failed_calls++;
    return r;
}

static void call_failed(struct replay *R, int host, uint32_t conn, int call,
                        int err)
{
    call_rec(R, host, conn, call, -err,
             WHY(N_REAL_CALL_FAIL, call, str_id(R, strerror(err))));
}

/* The host's current endpoint for a call, or NULL after recording why the
 * call cannot be made. */
static struct ep *current(struct replay *R, int h, int call)
{
    int c = R->cur[h];
    const char *why = c == -2 ? "its connection was not replayed"
                    : c < 0 ? "this host has no connection"
                    : R->eps[c].fd < 0 ? "its socket was closed by an earlier call"
                    : NULL;
    if (why) {
        call_rec(R, h, c >= 0 ? R->eps[c].conn : 0, call, -EBADF,
                 WHY(N_REAL_CALL_FAIL, call, str_id(R, why)));
        return NULL;
    }
    return &R->eps[c];
}

static void tune(const struct replay *R, int fd, int h)
{
    const struct scn_tcp_opts *t = &R->scn->hosts[h].tcp;
    int v = t->mss;
    /* the model's MSS (1460 unless the scenario says otherwise), so the
     * kernel cuts data into the same segments, not lo's 65483 bytes */
    if (v > 0)
        setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof v);
    if (!t->nagle) {
        v = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
    }
}

static void do_listen(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int h = a->host;
    uint32_t conn = sim_conn_for_action(R, ai, AC_LISTEN);
    struct ep *old = listener_for(R, h, a->port);
    if (old) {
        /* the model says "port already in use": so does the kernel when
         * asked for the port the first listen got */
        uint16_t port = old->local.port;
        int fd = bound_socket(R, port, 0);
        if (fd >= 0) {
            close(fd);
            errno = EADDRINUSE;     /* cannot happen: the listener holds it */
        }
        call_failed(R, h, conn, AC_LISTEN, errno);
        return;
    }
    /* a port held closed for an earlier refused connect is not needed now */
    for (int i = 0; i < R->ncps; i++)
        if (R->cps[i].host == h && R->cps[i].scn_port == a->port && R->cps[i].fd >= 0) {
            close(R->cps[i].fd);
            R->cps[i].fd = -1;
            R->cps[i].scn_port = 0;
        }
    int fd = socket(R->o.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        call_failed(R, h, conn, AC_LISTEN, errno);
        return;
    }
    struct ep *e = ep_new(R, h, EP_LISTEN, fd);
    e->conn = conn;
    e->scn_port = a->port;
    e->remote.port = 0;
    memset(e->remote.addr, 0, sizeof e->remote.addr);
    observe(R, e, 0);                           /* a fresh socket: CLOSED */
    tune(R, fd, h);
    struct real_addr la;
    struct sockaddr_storage ss;
    loopback(R, &la, 0);
    socklen_t len = to_sockaddr(&la, &ss);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0 ||
        local_of(fd, &e->local) < 0) {
        call_failed(R, h, conn, AC_LISTEN, errno);
        close(fd);
        e->fd = -1;
        e->final = 1;
        return;
    }
    R->cur[h] = (int)(e - R->eps);
    capture_ports(R);
    call_rec(R, h, conn, AC_LISTEN, 0, WHY(N_REAL_LISTEN, e->local.port, a->port));
}

static uint16_t target_port(struct replay *R, int peer, uint16_t scn_port)
{
    struct ep *l = listener_for(R, peer, scn_port);
    if (l)
        return l->local.port;
    for (int i = 0; i < R->ncps; i++)
        if (R->cps[i].host == peer && R->cps[i].scn_port == scn_port &&
            R->cps[i].fd >= 0)
            return R->cps[i].port;
    /* nothing listens there in the scenario: hold a port closed */
    int fd = bound_socket(R, 0, 1);
    struct real_addr a;
    if (fd < 0 || local_of(fd, &a) < 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (R->ncps == R->capcps) {
        R->capcps = R->capcps ? R->capcps * 2 : 4;
        R->cps = xrealloc(R->cps, (size_t)R->capcps * sizeof *R->cps);
    }
    R->cps[R->ncps++] = (struct closed_port){ peer, scn_port, a.port, fd };
    capture_ports(R);
    return a.port;
}

static void do_connect(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int h = a->host;
    uint32_t conn = sim_conn_for_action(R, ai, AC_CONNECT);
    uint16_t port = target_port(R, a->peer, a->port);
    if (!port) {
        call_failed(R, h, conn, AC_CONNECT, errno ? errno : EADDRNOTAVAIL);
        return;
    }
    int fd = bound_socket(R, 0, 0);
    if (fd < 0) {
        call_failed(R, h, conn, AC_CONNECT, errno);
        return;
    }
    struct ep *e = ep_new(R, h, EP_ACTIVE, fd);
    e->conn = conn;
    local_of(fd, &e->local);
    e->remote.port = port;
    R->cur[h] = (int)(e - R->eps);
    tune(R, fd, h);
    capture_ports(R);
    observe(R, e, 0);                           /* a fresh socket: CLOSED */
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(&e->remote, &ss);
    e->connected = 1;
    struct trace_rec *r = call_rec(R, h, conn, AC_CONNECT, 0, WHY0(N_REAL_NONE));
    int rc = connect(fd, (struct sockaddr *)&ss, len);
    int err = rc < 0 ? errno : 0;
    const char *res = !err ? "connected at once"
                    : err == EINPROGRESS ? "in progress (EINPROGRESS)"
                    : strerror(err);
    r->why = WHY(N_REAL_CONNECT, e->local.port, port, a->port, str_id(R, res));
    if (err && err != EINPROGRESS) {
        RR_VAL(r) = -err;
        R->res->failed_calls++;
    }
    int raw, st = real_tcp_info_state(fd, &raw);
    if (st == TCPS_CLOSED) {
        /* refused: the SYN went out and the RST came back before we
         * looked; say so rather than pretend nothing happened */
        unseen(R, e, TCPS_SYN_SENT, N_REAL_UNSEEN_SYN_SENT);
        observe(R, e, 1);
        e->final = 1;
    } else
        observe(R, e, 0);
}

static void do_send(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    struct ep *e = current(R, a->host, AC_SEND);
    if (!e)
        return;
    size_t len = a->len + (a->framed ? 4 : 0);
    uint8_t *buf = xrealloc(NULL, len);
    if (a->framed) {
        buf[0] = (uint8_t)(a->len >> 24);
        buf[1] = (uint8_t)(a->len >> 16);
        buf[2] = (uint8_t)(a->len >> 8);
        buf[3] = (uint8_t)a->len;
    }
    if (a->len)
        memcpy(buf + (a->framed ? 4 : 0), a->data, a->len);
    ssize_t n = 0;
    if (!e->npend) {
        n = send(e->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            call_failed(R, a->host, e->conn, AC_SEND, errno);
            free(buf);
            return;
        }
        if (n < 0)
            n = 0;
    }
    if ((size_t)n < len) {
        e->pend = xrealloc(e->pend, e->npend + len - (size_t)n);
        memcpy(e->pend + e->npend, buf + n, len - (size_t)n);
        e->npend += len - (size_t)n;
    }
    free(buf);
    call_rec(R, a->host, e->conn, AC_SEND, (int32_t)n,
             WHY(N_REAL_SEND, (int64_t)len, (int64_t)n));
}

static void do_recv(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    struct ep *e = current(R, a->host, AC_RECV);
    if (!e)
        return;
    size_t max = a->recv_max ? a->recv_max : 1;
    uint8_t *buf = xrealloc(NULL, max);
    ssize_t n = recv(e->fd, buf, max, MSG_DONTWAIT);
    free(buf);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        call_rec(R, a->host, e->conn, AC_RECV, 0, WHY0(N_REAL_RECV_NONE));
    else if (n < 0)
        call_failed(R, a->host, e->conn, AC_RECV, errno);
    else if (n == 0)
        call_rec(R, a->host, e->conn, AC_RECV, 0, WHY0(N_REAL_RECV_EOF));
    else
        call_rec(R, a->host, e->conn, AC_RECV, (int32_t)n,
                 WHY(N_REAL_RECV, (int64_t)max, (int64_t)n));
}

static void do_end(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int call = a->kind == ACT_SHUTDOWN ? AC_SHUTDOWN
             : a->kind == ACT_CLOSE ? AC_CLOSE : AC_ABORT;
    struct ep *e = current(R, a->host, call);
    if (!e)
        return;
    flush_pending(R);
    if (a->kind == ACT_SHUTDOWN) {
        if (shutdown(e->fd, SHUT_WR) < 0)
            call_failed(R, a->host, e->conn, call, errno);
        else
            call_rec(R, a->host, e->conn, call, 0, WHY0(N_REAL_SHUTDOWN));
        return;
    }
    struct why w = WHY0(N_REAL_CLOSE);
    if (a->kind == ACT_ABORT) {
        struct linger lg = { 1, 0 };
        setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        e->aborted = 1;
        w = WHY0(N_REAL_ABORT);
    } else if (e->kind != EP_LISTEN) {
        int unread = 0;
        if (ioctl(e->fd, FIONREAD, &unread) == 0 && unread > 0) {
            e->unread_at_close = unread;
            w = WHY(N_REAL_CLOSE_UNREAD, unread);
        }
    }
    if (e->npend)
        call_rec(R, a->host, e->conn, AC_SEND, -EAGAIN,
                 WHY(N_REAL_SEND_REST, (int64_t)e->npend, (int64_t)e->npend));
    e->npend = 0;
    call_rec(R, a->host, e->conn, call, 0, w);
    close(e->fd);
    e->fd = -1;
    e->app_closed = 1;
}

/* ---- the plan ------------------------------------------------------------ */

static const char *const app_words[] = {
    [ACT_UDP_BIND] = "udp bind", [ACT_UDP_SEND] = "udp send",
    [ACT_UDP_RECV] = "udp recv", [ACT_RESOLVE] = "resolve",
    [ACT_HTTP_SERVE] = "http serve", [ACT_HTTP_GET] = "http get",
    [ACT_RECV_FRAMED] = "recv framed",
};

static int replayable(int kind)
{
    switch (kind) {
    case ACT_LISTEN: case ACT_CONNECT: case ACT_SEND: case ACT_RECV:
    case ACT_SHUTDOWN: case ACT_CLOSE: case ACT_ABORT:
        return 1;
    default:
        return 0;
    }
}

/* Is connect action i one half of a simultaneous open: its peer connects
 * back from the port it connects to, to the port it connects from? */
static int simultaneous_open(const struct scenario *scn, int i)
{
    const struct scn_action *a = &scn->actions[i];
    if (a->kind != ACT_CONNECT || !a->lport)
        return 0;
    for (int k = 0; k < scn->nactions; k++) {
        const struct scn_action *b = &scn->actions[k];
        if (k != i && b->kind == ACT_CONNECT && b->host == a->peer &&
            b->peer == a->host && b->port == a->lport && b->lport == a->port)
            return 1;
    }
    return 0;
}

/* A connect to a port where the scenario's server is an application that
 * is not replayed (`http serve`): the line of that server, else 0. */
static int unreplayed_server(const struct scenario *scn, int i)
{
    const struct scn_action *a = &scn->actions[i];
    int line = 0;
    for (int k = 0; k < scn->nactions; k++) {
        const struct scn_action *b = &scn->actions[k];
        if (b->host != a->peer || b->port != a->port)
            continue;
        if (b->kind == ACT_LISTEN)
            return 0;
        if (b->kind == ACT_HTTP_SERVE && !line)
            line = b->line;
    }
    return line;
}

static void plan(struct replay *R)
{
    const struct scenario *scn = R->scn;
    struct scn_tcp_opts def;
    scenario_tcp_defaults(&def);

    /* what the scenario does to the network */
    for (int i = 0; i < scn->nlinks; i++) {
        const struct scn_link *l = &scn->links[i];
        if (!l->delay_us && !l->jitter_us && !l->loss_ppm && !l->dup_ppm &&
            !l->reorder_ppm)
            continue;
        char name[2 * SCN_NAME_MAX + 8];
        snprintf(name, sizeof name, "%s <-> %s", scn->hosts[l->a].name,
                 scn->hosts[l->b].name);
        rec_fixed(R, 0, -1, RW_NOT_REPLAYED,
                  WHY(N_REAL_NR_LINK, str_id(R, name), l->delay_us, l->jitter_us,
                      (int64_t)l->loss_ppm));
    }
    for (int i = 0; i < scn->nlans; i++)
        rec_fixed(R, 0, -1, RW_NOT_REPLAYED,
                  WHY(N_REAL_NR_LAN, str_id(R, scn->lans[i].name)));
    if (scn->nzones || scn->nrrs || scn->nresolvers)
        rec_fixed(R, 0, -1, RW_NOT_REPLAYED, WHY0(N_REAL_NR_DNSDATA));
    for (int i = 0; i < scn->nfaults; i++)
        rec_fixed(R, 0, -1, RW_NOT_REPLAYED,
                  WHY(N_REAL_NR_FAULT, scn->faults[i].line));

    /* per-host TCP options the kernel does not take */
    for (int h = 0; h < scn->nhosts; h++) {
        const struct scn_tcp_opts *t = &scn->hosts[h].tcp;
        uint32_t name = str_id(R, scn->hosts[h].name);
        if (t->two_way)
            rec_fixed(R, 0, h, RW_NOT_REPLAYED, WHY(N_REAL_NR_TWOWAY, name));
        if (t->n_isn)
            rec_fixed(R, 0, h, RW_NOT_REPLAYED, WHY(N_REAL_NR_ISN, name));
        if (t->msl_us != def.msl_us)
            rec_fixed(R, 0, h, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_MSL, name, t->msl_us));
        if (t->rto_us != def.rto_us || t->retries != def.retries)
            rec_fixed(R, 0, h, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_RTO, name, t->rto_us, t->retries));
        if (t->rcvbuf != def.rcvbuf)
            rec_fixed(R, 0, h, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_RCVBUF, name, (int64_t)t->rcvbuf));
    }

    /* the actions, and the distinct times of those replayed */
    R->skip = xrealloc(NULL, (size_t)scn->nactions + 1);
    R->anc_of = xrealloc(NULL, ((size_t)scn->nactions + 1) * sizeof *R->anc_of);
    R->anc = xrealloc(NULL, ((size_t)scn->nactions + 1) * sizeof *R->anc);
    R->nanc = 0;
    for (int i = 0; i < scn->nactions; i++) {
        const struct scn_action *a = &scn->actions[i];
        R->skip[i] = 1;
        R->anc_of[i] = -1;
        if (a->kind == ACT_NOTE)
            continue;                   /* narration, not a call */
        if (a->kind == ACT_INJECT) {
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_INJECT, a->line));
            continue;
        }
        if (!replayable(a->kind)) {
            const char *w = a->kind < (int)(sizeof app_words / sizeof *app_words) &&
                            app_words[a->kind] ? app_words[a->kind] : "action";
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_APP, str_id(R, w), a->line));
            continue;
        }
        if (simultaneous_open(scn, i)) {
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_SIMOPEN, a->line));
            R->skip[i] = 2;             /* its host has no connection */
            continue;
        }
        int srv = a->kind == ACT_CONNECT ? unreplayed_server(scn, i) : 0;
        if (srv) {
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_NOSERVER, a->line, a->port, srv));
            R->skip[i] = 2;
            continue;
        }
        if (a->kind == ACT_CONNECT && a->lport)
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_FROMPORT, a->line, a->lport));
        R->skip[i] = 0;
        if (!R->nanc || R->anc[R->nanc - 1].scn_us != a->t_us) {
            R->anc[R->nanc].scn_us = a->t_us;
            R->nanc++;
        }
        R->anc_of[i] = R->nanc - 1;
    }

    /* the real clock: a tenth of the scenario's, at least min_gap between
     * two call times, all of it within max_span */
    int64_t total = 0;
    for (int i = 1; i < R->nanc; i++) {
        int64_t g = (R->anc[i].scn_us - R->anc[i - 1].scn_us) / R->o.scale;
        if (g < R->o.min_gap_us)
            g = R->o.min_gap_us;
        R->anc[i].plan_us = g;              /* the gap, for now */
        total += g;
    }
    int squeezed = total > R->o.max_span_us;
    int64_t t = 0;
    for (int i = 0; i < R->nanc; i++) {
        if (i) {
            int64_t g = R->anc[i].plan_us;
            if (squeezed)
                g = g * R->o.max_span_us / total;
            t += g;
        }
        R->anc[i].plan_us = t;
    }
    char where[48];
    snprintf(where, sizeof where, "%s loopback",
             R->o.family == AF_INET6 ? "::1" : "127.0.0.1");
    rec_fixed(R, 0, -1, RW_INFO,
              WHY(N_REAL_PLAN, str_id(R, where), R->o.scale, R->o.min_gap_us));
    if (squeezed)
        rec_fixed(R, 0, -1, RW_INFO, WHY(N_REAL_SQUEEZED, R->o.max_span_us));
}

/* ---- capture records ----------------------------------------------------- */

/* Which host (and connection) a real port pair belongs to: the endpoint
 * sending from sport to dport. */
static void who(const struct replay *R, uint16_t sport, uint16_t dport,
                int *host, uint32_t *conn)
{
    *host = -1;
    *conn = 0;
    for (int i = 0; i < R->neps; i++) {
        const struct ep *e = &R->eps[i];
        if (e->kind != EP_LISTEN && e->local.port == sport &&
            e->remote.port == dport) {
            *host = e->host;
            *conn = e->conn;
            return;
        }
    }
    for (int i = 0; i < R->neps; i++)
        if (R->eps[i].kind == EP_LISTEN && R->eps[i].local.port == sport) {
            *host = R->eps[i].host;
            return;
        }
    for (int i = 0; i < R->ncps; i++)
        if (R->cps[i].port == sport) {
            *host = R->cps[i].host;
            return;
        }
}

static void packet_records(struct replay *R)
{
    /* each direction's ISN: the seq of its SYN, else its first seq */
    struct dir { uint16_t s, d; uint32_t isn; int syn; } dirs[2 * REAL_MAX_ENDS];
    int ndirs = 0;
    for (size_t i = 0; i < R->npkts; i++) {
        const struct real_cap_pkt *p = &R->pkts[i];
        int k;
        for (k = 0; k < ndirs; k++)
            if (dirs[k].s == p->sport && dirs[k].d == p->dport)
                break;
        if (k == ndirs) {
            if (ndirs == (int)(sizeof dirs / sizeof *dirs))
                continue;
            dirs[ndirs++] = (struct dir){ p->sport, p->dport, p->seq, 0 };
        }
        if ((p->flags & 0x02) && !dirs[k].syn) {
            dirs[k].isn = p->seq;
            dirs[k].syn = 1;
        }
    }
    /* The order the segments were read in is the order they crossed lo;
     * the kernel's timestamps of a FIN and the ACK it provokes can be a few
     * µs the wrong way round, so time only moves forward here. */
    int64_t last_t = INT64_MIN;
    for (size_t i = 0; i < R->npkts; i++) {
        const struct real_cap_pkt *p = &R->pkts[i];
        int sh, dh;
        uint32_t sc, dc;
        who(R, p->sport, p->dport, &sh, &sc);
        who(R, p->dport, p->sport, &dh, &dc);
        uint32_t sisn = p->seq, disn = 0;
        int have_d = 0;
        for (int k = 0; k < ndirs; k++) {
            if (dirs[k].s == p->sport && dirs[k].d == p->dport)
                sisn = dirs[k].isn;
            if (dirs[k].s == p->dport && dirs[k].d == p->sport) {
                disn = dirs[k].isn;
                have_d = 1;
            }
        }
        const struct trace *tr = &R->s->tr;
        struct trace_rec *r = rec_add(R, sh, sc, RW_PACKET, 0, RS_CAPTURE,
            WHY(N_REAL_PACKET,
                str_id(R, sh >= 0 ? tr->host_names[sh] : "?"),
                str_id(R, dh >= 0 ? tr->host_names[dh] : "?"), p->sport, p->dport));
        last_t = p->t_us - R->t0 > last_t ? p->t_us - R->t0 : last_t;
        R->recs[R->nrecs - 1].real_us = last_t;
        RR_FLAGS(r) = p->flags;
        RR_VAL(r) = (int32_t)p->len;
        RR_SEQ(r) = p->seq - sisn;
        RR_ACK(r) = (p->flags & 0x10) && have_d ? p->ack - disn : 0;
        R->res->packets++;
    }
}

/* ---- the clock ----------------------------------------------------------- */

/* A real moment (since the replay began) on the scenario's clock: the calls
 * of anchor i happened at its scenario time; between two anchors time is
 * interpolated; after the last, one real µs is `scale` scenario µs. */
static int64_t to_scenario(const struct replay *R, int64_t r)
{
    if (R->nanc == 0)
        return 0;
    for (int i = 0; i < R->nanc; i++) {
        const struct anchor *a = &R->anc[i];
        if (r < a->begin_us) {
            if (i == 0)
                return a->scn_us;
            const struct anchor *p = &R->anc[i - 1];
            int64_t span = a->begin_us - p->end_us;
            if (span <= 0)
                return a->scn_us;
            return p->scn_us + (int64_t)((double)(r - p->end_us) *
                                         (double)(a->scn_us - p->scn_us) /
                                         (double)span);
        }
        if (r <= a->end_us)
            return a->scn_us;
    }
    const struct anchor *l = &R->anc[R->nanc - 1];
    return l->scn_us + (r - l->end_us) * R->o.scale;
}

static int cmp_rrec(const void *x, const void *y)
{
    const struct rrec *a = x, *b = y;
    if (a->r.t_us != b->r.t_us)
        return a->r.t_us < b->r.t_us ? -1 : 1;
    if (a->real_us != b->real_us)
        return a->real_us < b->real_us ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Puts every record on the scenario's clock and merges them into the
 * trace by time, the simulated records first at equal times. */
static void merge(struct replay *R)
{
    /* by scenario time, then real time (fixed records first), then in
     * the order they were made (qsort alone is not stable) */
    for (size_t i = 0; i < R->nrecs; i++) {
        struct rrec *x = &R->recs[i];
        if (!x->fixed)
            x->r.t_us = to_scenario(R, x->real_us);
    }
    qsort(R->recs, R->nrecs, sizeof *R->recs, cmp_rrec);

    struct trace *tr = &R->s->tr;
    size_t n = tr->n + R->nrecs;
    struct trace_rec *out = xrealloc(NULL, n * sizeof *out);
    /* a simulated record's new place, so that the links between them
     * (trace_rec.of, always to an earlier record) follow the move */
    uint32_t *moved = xrealloc(NULL, (tr->n ? tr->n : 1) * sizeof *moved);
    size_t i = 0, j = 0, k = 0;
    while (i < tr->n || j < R->nrecs) {
        if (j == R->nrecs ||
            (i < tr->n && tr->recs[i].t_us <= R->recs[j].r.t_us)) {
            struct trace_rec r = tr->recs[i];
            if (r.of)
                r.of = moved[r.of - 1] + 1;
            moved[i++] = (uint32_t)k;
            out[k++] = r;
        } else {
            out[k++] = R->recs[j++].r;
        }
    }
    free(moved);
    free(tr->recs);
    tr->recs = out;
    tr->n = tr->cap = n;
}

/* ---- the run ------------------------------------------------------------- */

static void cleanup(struct replay *R)
{
    for (int i = 0; i < R->neps; i++) {
        struct ep *e = &R->eps[i];
        if (e->fd < 0)
            continue;
        if (e->kind != EP_LISTEN && real_tcp_info_state(e->fd, NULL) != TCPS_CLOSED) {
            /* RST, so the clean-up adds no FIN_WAIT or TIME_WAIT */
            struct linger lg = { 1, 0 };
            setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(e->fd);
        e->fd = -1;
    }
    for (int i = 0; i < R->ncps; i++)
        if (R->cps[i].fd >= 0) {
            close(R->cps[i].fd);
            R->cps[i].fd = -1;
        }
    if (R->capturing)
        real_cap_close(&R->cap);
    R->capturing = 0;
    real_diag_close(&R->diag);
}

static void fill_result(struct replay *R)
{
    R->res->nends = 0;
    for (int i = 0; i < R->neps && i < REAL_MAX_ENDS; i++) {
        const struct ep *e = &R->eps[i];
        struct real_end *o = &R->res->ends[R->res->nends++];
        o->host = e->host;
        o->conn = e->conn;
        o->listener = e->kind == EP_LISTEN;
        o->accepted = e->kind == EP_ACCEPTED;
        o->family = e->local.family;
        memcpy(o->laddr, e->local.addr, 16);
        memcpy(o->raddr, e->remote.addr, 16);
        o->lport = e->local.port;
        o->rport = e->remote.port;
        o->last_state = e->state;
        o->closed_by_app = e->app_closed;
    }
}

int real_run(struct sim *s, const struct real_opts *o, struct real_result *res)
{
    struct replay R0, *R = &R0;
    memset(R, 0, sizeof *R);
    memset(res, 0, sizeof *res);
    R->s = s;
    R->scn = s->scn;
    s->tr.ext_why = real_why;      /* the sentences of the records it adds */
    R->res = res;
    if (o)
        R->o = *o;
    else
        real_default_opts(&R->o);
    if (R->o.family != AF_INET6)
        R->o.family = AF_INET;
    if (R->o.scale < 1)
        R->o.scale = 1;
    if (R->o.poll_us < 100)
        R->o.poll_us = 100;
    R->nsim = s->tr.n;
    R->diag.fd = -1;
    R->cap.fd = -1;
    R->cur = xrealloc(NULL, ((size_t)s->nhosts + 1) * sizeof *R->cur);
    for (int h = 0; h < s->nhosts; h++)
        R->cur[h] = -1;

    plan(R);
    for (int i = 0; i < R->scn->nactions; i++)
        if (R->skip[i] == 2)
            R->cur[R->scn->actions[i].host] = -2;
    int rc = 0;

    /* can we have a loopback TCP socket at all? */
    int probe = bound_socket(R, 0, 0);
    if (probe < 0) {
        snprintf(res->err, sizeof res->err,
                 "cannot bind a TCP socket to %s: %s",
                 R->o.family == AF_INET6 ? "::1" : "127.0.0.1", strerror(errno));
        rec_fixed(R, 0, -1, RW_INFO, WHY(N_REAL_FAILED, str_id(R, res->err)));
        rc = -1;
        goto merge;
    }
    close(probe);

    if (real_diag_open(&R->diag) < 0)
        rec_fixed(R, 0, -1, RW_INFO,
                  WHY(N_REAL_NO_DIAG, str_id(R, strerror(errno))));
    if (R->o.capture == REAL_CAPTURE_OFF)
        rec_fixed(R, 0, -1, RW_INFO, WHY0(N_REAL_CAPTURE_OFF));
    else if (real_cap_open(&R->cap, R->o.family) < 0) {
        if (errno == EPERM || errno == EACCES)
            rec_fixed(R, 0, -1, RW_INFO, WHY0(N_REAL_CAPTURE_OFF));
        else
            rec_fixed(R, 0, -1, RW_INFO,
                      WHY(N_REAL_CAPTURE_ERR, str_id(R, strerror(errno))));
    } else {
        R->capturing = 1;
        res->capture = 1;
        rec_fixed(R, 0, -1, RW_INFO, WHY0(N_REAL_CAPTURE_ON));
    }

    R->t0 = real_now_us();
    R->hard_deadline = R->t0 + R->o.max_span_us + R->o.settle_max_us + 2000000;
    for (int i = 0; i < R->nanc; i++) {
        wait_until(R, R->anc[i].plan_us);
        R->anc[i].begin_us = rnow(R);
        step(R, 0);
        for (int k = 0; k < R->scn->nactions; k++) {
            if (R->anc_of[k] != i)
                continue;
            switch (R->scn->actions[k].kind) {
            case ACT_LISTEN:  do_listen(R, k); break;
            case ACT_CONNECT: do_connect(R, k); break;
            case ACT_SEND:    do_send(R, k); break;
            case ACT_RECV:    do_recv(R, k); break;
            default:          do_end(R, k); break;
            }
            accept_all(R);
            observe_all(R);
        }
        R->anc[i].end_us = rnow(R);
    }

    /* settle: watch until nothing moves, within bounds */
    int64_t last = R->nanc ? R->anc[R->nanc - 1].end_us : 0;
    for (; R->neps;) {
        int64_t now = rnow(R);
        if (now - last >= R->o.settle_max_us || R->t0 + now >= R->hard_deadline)
            break;
        if (now - last >= R->o.settle_min_us && quiet(R))
            break;
        step(R, R->o.poll_us);
    }
    read_capture(R);
    if (R->capturing) {
        real_cap_close(&R->cap);       /* the clean-up's RSTs are not the lesson */
        R->capturing = 0;
    }
    int open = 0;
    for (int i = 0; i < R->neps; i++)
        if (R->eps[i].fd >= 0 && R->eps[i].kind != EP_LISTEN &&
            real_tcp_info_state(R->eps[i].fd, NULL) != TCPS_CLOSED)
            open++;
    for (int i = 0; i < R->neps; i++)
        if (R->eps[i].npend)
            call_rec(R, R->eps[i].host, R->eps[i].conn, AC_SEND, -EAGAIN,
                     WHY(N_REAL_SEND_REST, (int64_t)R->eps[i].npend,
                         (int64_t)R->eps[i].npend));
    rec_add(R, -1, 0, RW_INFO, 0, RS_REPLAY,
            WHY(N_REAL_END, rnow(R) - last, open));
    res->forced_rst = open;
    fill_result(R);
    cleanup(R);
    packet_records(R);
    res->real_us = rnow(R);

merge:
    merge(R);
    cleanup(R);
    for (int i = 0; i < R->neps; i++)
        free(R->eps[i].pend);
    free(R->eps);
    free(R->cps);
    free(R->cur);
    free(R->recs);
    free(R->pkts);
    free(R->anc);
    free(R->skip);
    free(R->anc_of);
    return rc;
}
