/* drive.c — the replay's sockets: loopback addresses, one endpoint per
 * simulated connection, watching the kernel's state of each (TCP_INFO or
 * NETLINK_SOCK_DIAG) and the scenario's calls made on them.  real.c plans
 * the run and says when; the shape of a run is described at its top. */
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
#include "i18n.h"
#include "real.h"
#include "realint.h"
#include "tcp.h"
#include "trace.h"

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
int real_bound_socket(const struct replay *R, uint16_t port, int reuse)
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

/* The model's TCP call records (listen, connect and the calls a scenario
 * may make on a named connection), indexed once by host, time and call,
 * and each action's place among the actions of its key. */
struct appkey_q { const struct appkey *v; struct appkey k; };

static uint64_t appkey_hash(struct appkey k)
{
    return rmap_mix(rmap_mix((uint32_t)k.host, (uint32_t)k.call), (uint64_t)k.t);
}

static int appkey_eq(const void *ctx, int v)
{
    const struct appkey_q *q = ctx;
    const struct appkey *a = &q->v[v];
    return a->host == q->k.host && a->call == q->k.call && a->t == q->k.t;
}

static int keytab_find(const struct keytab *t, struct appkey k)
{
    struct appkey_q q = { t->k, k };
    return rmap_get(&t->map, appkey_hash(k), appkey_eq, &q);
}

/* k's number in t, given the next one when k is new */
static int keytab_id(struct keytab *t, struct appkey k)
{
    int i = keytab_find(t, k);
    if (i >= 0)
        return i;
    t->k = xreallocarray(t->k, (size_t)t->n + 1, sizeof *t->k);
    t->k[t->n] = k;
    rmap_put(&t->map, appkey_hash(k), t->n);
    return t->n++;
}

static void keytab_free(struct keytab *t)
{
    rmap_free(&t->map);
    free(t->k);
}

static int indexed_call(int call)
{
    switch (call) {
    case AC_LISTEN: case AC_CONNECT: case AC_SEND: case AC_RECV:
    case AC_SHUTDOWN: case AC_CLOSE: case AC_ABORT:
        return 1;
    default:
        return 0;
    }
}

static void index_app_records(struct replay *R)
{
    const struct trace *tr = &R->s->tr;
    int *count = NULL;
    for (int pass = 0; pass < 2; pass++) {
        int *fill = pass ? xcalloc((size_t)R->app.n + 1, sizeof *fill) : NULL;
        for (size_t i = 0; i < R->nsim; i++) {
            const struct trace_rec *r = &tr->recs[i];
            if (r->kind != TK_APP || r->layer != TL_TCP || !indexed_call(r->u.app.call))
                continue;
            struct appkey k = { r->host, r->u.app.call, r->t_us };
            if (!pass) {
                int had = R->app.n, id = keytab_id(&R->app, k);
                if (R->app.n > had) {           /* a new key */
                    count = xreallocarray(count, (size_t)R->app.n, sizeof *count);
                    count[id] = 0;
                }
                count[id]++;
            } else {
                int id = keytab_find(&R->app, k);
                R->appconn[R->appoff[id] + fill[id]++] = r->conn;
            }
        }
        if (!pass) {
            R->appoff = xcalloc((size_t)R->app.n + 1, sizeof *R->appoff);
            for (int k = 0; k < R->app.n; k++)
                R->appoff[k + 1] = R->appoff[k] + count[k];
            R->appconn = xreallocarray(NULL, (size_t)R->appoff[R->app.n] + 1,
                                       sizeof *R->appconn);
        }
        free(fill);
    }
    free(count);
    /* each action's place among the actions of the same host, time and
     * kind, and how many there are */
    struct keytab seen = { 0 };
    int *cnt = NULL, nseen = 0;
    R->actj = xcalloc((size_t)R->scn->nactions + 1, sizeof *R->actj);
    R->actn = xcalloc((size_t)R->scn->nactions + 1, sizeof *R->actn);
    for (int i = 0; i < R->scn->nactions; i++) {
        const struct scn_action *a = &R->scn->actions[i];
        int id = keytab_id(&seen, (struct appkey){ a->host, a->kind, a->t_us });
        if (id == nseen) {
            cnt = xreallocarray(cnt, (size_t)++nseen, sizeof *cnt);
            cnt[id] = 0;
        }
        R->actj[i] = cnt[id]++;
        R->actn[i] = id;            /* the key for now, its count below */
    }
    for (int i = 0; i < R->scn->nactions; i++)
        R->actn[i] = cnt[R->actn[i]];
    keytab_free(&seen);
    free(cnt);
    R->appbuilt = 1;
}

/* The connection id of the model's record for action a (its listen or
 * connect): the j-th record of that call by that host at that time, where
 * j counts the earlier actions of that kind by that host at that time. */
static uint32_t sim_conn_for_action(struct replay *R, int ai, int call)
{
    const struct scn_action *a = &R->scn->actions[ai];
    if (!R->appbuilt)
        index_app_records(R);
    int id = keytab_find(&R->app, (struct appkey){ a->host, call, a->t_us });
    int j = R->actj[ai];
    if (id < 0 || j >= R->appoff[id + 1] - R->appoff[id])
        return 0;
    return R->appconn[R->appoff[id] + j];
}

/* Do the model's records of action ai's call at its time on its host tell
 * which connection the call acted on: one record for each such action
 * (another program's calls at the same instant would share the key)? */
int real_named_call_known(struct replay *R, int ai, int call)
{
    const struct scn_action *a = &R->scn->actions[ai];
    if (!R->appbuilt)
        index_app_records(R);
    int id = keytab_find(&R->app, (struct appkey){ a->host, call, a->t_us });
    return id >= 0 && R->appoff[id + 1] - R->appoff[id] == R->actn[ai];
}

/* The local port of host ch's model connection conn, read from its id
 * "CH:LPORT-PEER:PORT" (sim_conn_name): the model frees a TCB once it is
 * closed, but its id stays in the trace.  0 if the id is not of that form. */
uint16_t real_sim_lport(const struct sim *s, int ch, uint32_t conn)
{
    const char *id = trace_str(&s->tr, conn), *name = s->tr.host_names[ch];
    size_t n = strlen(name);
    if (!id || strncmp(id, name, n) || id[n] != ':')
        return 0;
    char *end;
    unsigned long p = strtoul(id + n + 1, &end, 10);
    return *end == '-' && p > 0 && p <= 65535 ? (uint16_t)p : 0;
}

/* The model's connection on the listener's host that answers the model's
 * connection `client_conn` of host ch: the one named, as sim_conn_name
 * names the TCB a SYN spawns, by the listener's port and the client's
 * host and port (every TCB with that remote endpoint has that id). */
static uint32_t sim_child_conn(struct replay *R, int h, uint16_t scn_port,
                               int ch, uint32_t client_conn, uint16_t real_rport)
{
    struct sim *s = R->s;
    uint16_t clport = ch >= 0 && client_conn
                    ? real_sim_lport(s, ch, client_conn) : 0;
    char name[160];
    if (ch >= 0)
        snprintf(name, sizeof name, "%s:%u-%s:%u", s->tr.host_names[h],
                 scn_port, s->tr.host_names[ch], clport ? clport : real_rport);
    else
        snprintf(name, sizeof name, "%s:%u-?:%u", s->tr.host_names[h],
                 scn_port, real_rport);
    return real_str_id(R, name);
}

/* ---- endpoints ----------------------------------------------------------- */

/* ---- what is watched ------------------------------------------------------ */

/* An endpoint is looked at while a call or a change concerned it in the
 * last REAL_HOT_US of real time (on lo a peer's segment arrives within
 * microseconds of the call that sends it; 50 ms is past Linux's shortest
 * delayed ACK), for as long as its state moves without a call (a
 * handshake or a close under way, bytes waiting to go), and while its
 * peer's does.  The others wait for a call on them or on their peer, so a
 * crowd costs its calls, not its calls times its endpoints; once at the
 * end every endpoint is looked at again (real_observe_every). */
#define REAL_HOT_US 50000

/* A state that changes without another call, or bytes waiting to go. */
static int moving(const struct ep *e)
{
    if (e->npend)
        return 1;
    switch (e->state) {
    case TCPS_ESTABLISHED: case TCPS_CLOSE_WAIT: case TCPS_LISTEN:
    case TCPS_CLOSED: case TCPS_FIN_WAIT_2: case TCPS_TIME_WAIT:
        return 0;
    default:
        return 1;
    }
}

static void watch(struct replay *R, struct ep *e)
{
    e->touched_us = real_now_us();
    if (e->hot || e->final)
        return;
    R->hotv = xreallocarray(R->hotv, (size_t)R->nhot + 1, sizeof *R->hotv);
    R->hotv[R->nhot++] = (int)(e - R->eps);
    e->hot = 1;
}

struct port_key { const struct replay *R; uint16_t l, r; int kind; };

static int ports_eq(const void *ctx, int v)
{
    const struct port_key *k = ctx;
    const struct ep *e = &k->R->eps[v];
    return e->local.port == k->l && e->remote.port == k->r &&
           (k->kind < 0 || e->kind == k->kind);
}

/* The endpoint with these ports (of this kind, or any when kind < 0);
 * the newest when the kernel gave the ports again. */
static struct ep *by_ports(struct replay *R, uint16_t l, uint16_t r, int kind)
{
    struct port_key k = { R, l, r, kind };
    int i = rmap_get(&R->byports, rmap_mix(l, r), ports_eq, &k);
    return i >= 0 ? &R->eps[i] : NULL;
}

static void index_ports(struct replay *R, struct ep *e)
{
    struct port_key k = { R, e->local.port, e->remote.port, -1 };
    rmap_set(&R->byports, rmap_mix(e->local.port, e->remote.port), ports_eq, &k,
             (int)(e - R->eps));
}

static struct ep *peer_of(struct replay *R, const struct ep *e)
{
    if (e->kind == EP_LISTEN || !e->remote.port)
        return NULL;
    struct ep *p = by_ports(R, e->remote.port, e->local.port, -1);
    return p != e ? p : NULL;
}

void real_touch_host(struct replay *R, int h)
{
    int c = R->touched >= 0 ? R->touched
          : h >= 0 && h < R->s->nhosts ? R->cur[h] : -1;
    if (c < 0)
        return;
    struct ep *e = &R->eps[c], *p = peer_of(R, e);
    watch(R, e);
    if (p)
        watch(R, p);
}

void real_watch_free(struct replay *R)
{
    free(R->hotv);
    free(R->lis);
    rmap_free(&R->byports);
    rmap_free(&R->lis_by);
    rmap_free(&R->cps_by);
    keytab_free(&R->app);
    rmap_free(&R->byconn);
    free(R->appconn);
    free(R->appoff);
    free(R->actj);
    free(R->actn);
}

/* The endpoints by the model's connection they mirror, the newest of each:
 * a call that names its connection acts on the real socket of the
 * connection the model's call acted on. */
struct conn_key { const struct replay *R; int host; uint32_t conn; };

static uint64_t conn_hash(int host, uint32_t conn)
{
    return rmap_mix((uint32_t)host, conn);
}

static int conn_eq(const void *ctx, int v)
{
    const struct conn_key *k = ctx;
    const struct ep *e = &k->R->eps[v];
    return e->host == k->host && e->conn == k->conn;
}

static void index_conn(struct replay *R, struct ep *e)
{
    struct conn_key k = { R, e->host, e->conn };
    if (e->conn)
        rmap_set(&R->byconn, conn_hash(e->host, e->conn), conn_eq, &k,
                 (int)(e - R->eps));
}

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
    watch(R, e);
    if (kind == EP_LISTEN) {
        R->lis = xreallocarray(R->lis, (size_t)R->nlis + 1, sizeof *R->lis);
        R->lis[R->nlis++] = (int)(e - R->eps);
    }
    return e;
}

/* The open listener, or the open closed-port holder, of a host's scenario
 * port: at most one of each is open at a time (a second listen fails while
 * the first is open; a port is held closed only while none is). */
struct scnport_key { const struct replay *R; int host; uint16_t port; };

static int lis_eq(const void *ctx, int v)
{
    const struct scnport_key *k = ctx;
    const struct ep *e = &k->R->eps[v];
    return e->host == k->host && e->scn_port == k->port;
}

static int cps_eq(const void *ctx, int v)
{
    const struct scnport_key *k = ctx;
    const struct closed_port *c = &k->R->cps[v];
    return c->host == k->host && c->scn_port == k->port;
}

static uint64_t scnport_hash(int host, uint16_t port)
{
    return rmap_mix((uint32_t)host, port);
}

static struct ep *listener_for(struct replay *R, int host, uint16_t scn_port)
{
    struct scnport_key k = { R, host, scn_port };
    int i = rmap_get(&R->lis_by, scnport_hash(host, scn_port), lis_eq, &k);
    return i >= 0 && R->eps[i].fd >= 0 ? &R->eps[i] : NULL;
}

static struct closed_port *closed_for(struct replay *R, int host, uint16_t scn_port)
{
    struct scnport_key k = { R, host, scn_port };
    int i = rmap_get(&R->cps_by, scnport_hash(host, scn_port), cps_eq, &k);
    return i >= 0 && R->cps[i].fd >= 0 ? &R->cps[i] : NULL;
}

/* The capture lets through the ports of every socket the replay holds. */
static void capture_port(struct replay *R, uint16_t port)
{
    if (R->capturing)
        real_cap_add_port(&R->cap, port);
}

/* ---- observing ----------------------------------------------------------- */

static void unseen(struct replay *R, struct ep *e, int state, int narration)
{
    struct why w = narration == N_REAL_UNSEEN_FAST
                 ? WHY(N_REAL_UNSEEN_FAST, state, R->o.poll_us)
                 : WHY0(narration);
    real_rec_add(R, e->host, e->conn, RW_UNSEEN, state,
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
        return real_str_id(R, "tcp_fin_timeout");
    return real_str_id(R, real_timer_name(timer));
}

/* NETLINK_SOCK_DIAG's answer for e's connection: 1 found, 0 none, -1
 * error.  When a socket is expected, a "none" is asked again: a socket
 * may only be changing hands.  When an orphaned FIN_WAIT_1 socket's FIN
 * is acknowledged, or a closing one reaches TIME_WAIT, Linux puts a
 * TIME_WAIT-style socket in its place and frees the full one; a lookup
 * that met the full one just as its last reference went finds neither
 * (__inet_lookup_established gives up when refcount_inc_not_zero fails).
 * Measured on Linux 6.18 with a thread asking without pause while 4,000
 * clients closed: 59 to 322 misses in a run, each of a socket that was
 * there before and after; asked once more, 5 of 110 missed again; asked
 * twice more, none of 796.  So "deleted" is said only of a socket missing
 * three times in a row, at the cost of two more round trips for each
 * connection that really is deleted. */
#define DIAG_ASKS 3

static int diag_ask(struct replay *R, const struct ep *e,
                    struct real_diag_answer *a, int expected)
{
    int k = real_diag_lookup(&R->diag, &e->local, &e->remote, a);
    for (int n = 1; k == 0 && expected && n < DIAG_ASKS; n++)
        k = real_diag_lookup(&R->diag, &e->local, &e->remote, a);
    return k;
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
            diag_ask(R, e, &a, 1) == 1 &&
            a.state == TCPS_TIME_WAIT) {
            /* after shutdown() the descriptor outlives the connection:
             * the peer's FIN moved it to a TIME_WAIT socket of its own */
            gaps(R, e, a.state);
            struct trace_rec *r = real_rec_add(R, e->host, e->conn, RW_STATE,
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
            if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || !err)
                err = e->connect_err;     /* read (and cleared) at connect */
            e->connect_err = 0;
            if (err)
                w = WHY(N_REAL_SEEN_INFO_ERR, st,
                        real_str_id(R, strerror(err)));
        }
        real_rec_add(R, e->host, e->conn, RW_STATE, st, RS_TCP_INFO, w);
        e->state = st;
        return;
    }
    if (R->diag.fd < 0)
        return;
    struct real_diag_answer a;
    int k = diag_ask(R, e, &a, e->state >= 0 && e->state != TCPS_CLOSED);
    if (k < 0) {
        if (errno == ETIMEDOUT) {
            /* a kernel that does not answer is not asked again */
            real_rec_add(R, -1, 0, RW_INFO, 0, RS_SOCK_DIAG,
                         WHY(N_REAL_NO_DIAG, real_str_id(R, strerror(errno))));
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
        struct trace_rec *r = real_rec_add(R, e->host, e->conn, RW_STATE, st,
                                           RS_SOCK_DIAG, w);
        RR_VAL(r) = k && a.timer ? (int32_t)a.expires_ms : -1;
        e->state = st;
    }
    if (st == TCPS_TIME_WAIT || st == TCPS_CLOSED)
        e->final = 1;       /* TIME_WAIT lasts 60 s: it is not waited out */
}

void real_observe_every(struct replay *R)
{
    for (int i = 0; i < R->neps; i++)
        observe(R, &R->eps[i], 0);
}

void real_observe_all(struct replay *R)
{
    int64_t now = real_now_us();
    /* the list may grow while it is walked: a change watches the peer */
    for (int i = 0; i < R->nhot; i++) {
        struct ep *e = &R->eps[R->hotv[i]];
        int before = e->state;
        observe(R, e, 0);
        if (e->state != before) {
            struct ep *p = peer_of(R, e);
            e->touched_us = now;
            if (p)
                watch(R, p);
        }
    }
    int n = 0;
    for (int i = 0; i < R->nhot; i++) {
        struct ep *e = &R->eps[R->hotv[i]], *p = peer_of(R, e);
        int keep = !e->final && (moving(e) || now - e->touched_us < REAL_HOT_US ||
                                 (p && p->hot && moving(p)));
        if (keep)
            R->hotv[n++] = R->hotv[i];
        else
            e->hot = 0;
    }
    R->nhot = n;
}

void real_accept_all(struct replay *R)
{
    for (int li = 0; li < R->nlis; li++) {
        int i = R->lis[li];
        if (R->eps[i].fd < 0)
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
            struct ep *client = by_ports(R, e->remote.port, e->local.port,
                                         EP_ACTIVE);
            if (client) {
                ch = client->host;
                cconn = client->conn;
                watch(R, client);
            }
            index_ports(R, e);
            e->conn = sim_child_conn(R, l.host, l.scn_port, ch, cconn,
                                     e->remote.port);
            index_conn(R, e);
            R->cur[l.host] = (int)(e - R->eps);
            struct trace_rec *r = real_rec_add(R, l.host, e->conn, RW_CALL,
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
    for (int i = 0; i < R->nhot; i++) {      /* bytes waiting keep it watched */
        struct ep *e = &R->eps[R->hotv[i]];
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

void real_read_capture(struct replay *R)
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
void real_step(struct replay *R, int64_t wait_us)
{
    if (wait_us > 0) {
        struct pollfd *pf = xreallocarray(NULL, (size_t)R->nlis + (size_t)R->nhot + 1,
                                          sizeof *pf);
        nfds_t n = 0;
        for (int i = 0; i < R->nlis; i++)
            if (R->eps[R->lis[i]].fd >= 0)
                pf[n++] = (struct pollfd){ .fd = R->eps[R->lis[i]].fd,
                                           .events = POLLIN };
        for (int i = 0; i < R->nhot; i++) {
            const struct ep *e = &R->eps[R->hotv[i]];
            if (e->fd >= 0 && e->npend && e->kind != EP_LISTEN)
                pf[n++] = (struct pollfd){ .fd = e->fd, .events = POLLOUT };
        }
        if (R->capturing)
            pf[n++] = (struct pollfd){ .fd = R->cap.fd, .events = POLLIN };
        struct timespec ts = { wait_us / 1000000, (wait_us % 1000000) * 1000 };
        ppoll(pf, n, &ts, NULL);
        free(pf);
    }
    real_accept_all(R);
    flush_pending(R);
    real_read_capture(R);
    real_observe_all(R);
}

void real_wait_until(struct replay *R, int64_t target_rel)
{
    for (;;) {
        int64_t now = real_now_us();
        int64_t left = R->t0 + target_rel - now;
        if (left <= 0 || now >= R->hard_deadline)
            return;
        real_step(R, left < R->o.poll_us ? left : R->o.poll_us);
    }
}

/* Nothing will move without another call: no handshake or close under
 * way, nothing waiting to be accepted or sent. */
int real_quiet(const struct replay *R)
{
    /* an endpoint not watched is in a state that waits for a call */
    for (int i = 0; i < R->nhot; i++) {
        const struct ep *e = &R->eps[R->hotv[i]];
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

struct trace_rec *real_call_rec(struct replay *R, int host, uint32_t conn,
                                int call, int32_t val, struct why why)
{
    struct trace_rec *r = real_rec_add(R, host, conn, RW_CALL, call,
                                       RS_REPLAY, why);
    RR_VAL(r) = val;
    R->res->calls++;
    if (val < 0)
        R->res->failed_calls++;
    return r;
}

static void call_failed(struct replay *R, int host, uint32_t conn, int call,
                        int err)
{
    real_call_rec(R, host, conn, call, -err,
                  WHY(N_REAL_CALL_FAIL, call, real_str_id(R, strerror(err))));
}

int app_call_of(int kind)
{
    switch (kind) {
    case ACT_SEND:      return AC_SEND;
    case ACT_RECV:      return AC_RECV;
    case ACT_SHUTDOWN:  return AC_SHUTDOWN;
    case ACT_CLOSE:     return AC_CLOSE;
    default:            return AC_ABORT;
    }
}

/* The endpoint action ai's call acts on, or NULL after recording why the
 * call cannot be made: the host's newest endpoint or, for a call that
 * names its connection (on port, with), the real socket of the connection
 * the model's call acted on (the planner replays such a call only when the
 * model's records tell which that was). */
static struct ep *call_target(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int h = a->host, call = app_call_of(a->kind), c = R->cur[h];
    const char *why = NULL;
    if (a->named) {
        uint32_t conn = sim_conn_for_action(R, ai, call);
        struct conn_key k = { R, h, conn };
        c = conn ? rmap_get(&R->byconn, conn_hash(h, conn), conn_eq, &k) : -1;
        why = !conn ? _("the model found no connection that it names")
            : c < 0 ? _("its connection was not replayed") : NULL;
    } else if (c < 0)
        why = c == -2 ? _("its connection was not replayed")
            : _("this host has no connection");
    if (!why && R->eps[c].fd < 0)
        why = _("its socket was closed by an earlier call");
    if (why) {
        real_call_rec(R, h, c >= 0 ? R->eps[c].conn : 0, call, -EBADF,
                      WHY(N_REAL_CALL_FAIL, call, real_str_id(R, why)));
        return NULL;
    }
    R->touched = c;
    return &R->eps[c];
}

static void tune(const struct replay *R, int fd, int h)
{
    const struct scn_tcp_opts *t = R->scn->hosts[h].tcp;
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

void real_do_listen(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int h = a->host;
    uint32_t conn = sim_conn_for_action(R, ai, AC_LISTEN);
    struct ep *old = listener_for(R, h, a->port);
    if (old) {
        /* the model says "port already in use": so does the kernel when
         * asked for the port the first listen got */
        uint16_t port = old->local.port;
        int fd = real_bound_socket(R, port, 0);
        if (fd >= 0) {
            close(fd);
            errno = EADDRINUSE;     /* cannot happen: the listener holds it */
        }
        call_failed(R, h, conn, AC_LISTEN, errno);
        return;
    }
    /* a port held closed for an earlier refused connect is not needed now */
    struct closed_port *cp = closed_for(R, h, a->port);
    if (cp) {
        close(cp->fd);
        cp->fd = -1;
    }
    int fd = socket(R->o.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        call_failed(R, h, conn, AC_LISTEN, errno);
        return;
    }
    struct ep *e = ep_new(R, h, EP_LISTEN, fd);
    e->conn = conn;
    index_conn(R, e);
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
    struct scnport_key lk = { R, h, a->port };
    rmap_set(&R->lis_by, scnport_hash(h, a->port), lis_eq, &lk, (int)(e - R->eps));
    capture_port(R, e->local.port);
    real_call_rec(R, h, conn, AC_LISTEN, 0,
                  WHY(N_REAL_LISTEN, e->local.port, a->port));
}

static uint16_t target_port(struct replay *R, int peer, uint16_t scn_port)
{
    struct ep *l = listener_for(R, peer, scn_port);
    if (l)
        return l->local.port;
    struct closed_port *held = closed_for(R, peer, scn_port);
    if (held)
        return held->port;
    /* nothing listens there in the scenario: hold a port closed */
    int fd = real_bound_socket(R, 0, 1);
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
    struct scnport_key ck = { R, peer, scn_port };
    rmap_set(&R->cps_by, scnport_hash(peer, scn_port), cps_eq, &ck, R->ncps - 1);
    capture_port(R, a.port);
    return a.port;
}

void real_do_connect(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int h = a->host;
    uint32_t conn = sim_conn_for_action(R, ai, AC_CONNECT);
    uint16_t port = target_port(R, a->peer, a->port);
    if (!port) {
        call_failed(R, h, conn, AC_CONNECT, errno ? errno : EADDRNOTAVAIL);
        return;
    }
    int fd = real_bound_socket(R, 0, 0);
    if (fd < 0) {
        call_failed(R, h, conn, AC_CONNECT, errno);
        return;
    }
    struct ep *e = ep_new(R, h, EP_ACTIVE, fd);
    e->conn = conn;
    index_conn(R, e);
    local_of(fd, &e->local);
    e->remote.port = port;
    index_ports(R, e);
    R->cur[h] = (int)(e - R->eps);
    tune(R, fd, h);
    capture_port(R, e->local.port);
    observe(R, e, 0);                           /* a fresh socket: CLOSED */
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(&e->remote, &ss);
    e->connected = 1;
    struct trace_rec *r = real_call_rec(R, h, conn, AC_CONNECT, 0,
                                        WHY0(N_REAL_NONE));
    int rc = connect(fd, (struct sockaddr *)&ss, len);
    int err = rc < 0 ? errno : 0;
    const char *res = !err ? _("connected at once")
                    : err == EINPROGRESS ? _("in progress (EINPROGRESS)")
                    : strerror(err);
    r->why = WHY(N_REAL_CONNECT, e->local.port, port, a->port,
                 real_str_id(R, res));
    if (err && err != EINPROGRESS) {
        RR_VAL(r) = -err;
        R->res->failed_calls++;
    }
    int raw, st = real_tcp_info_state(fd, &raw);
    if (st == TCPS_CLOSED) {
        /* failed, refused as a rule: the SYN went out and the RST came
         * back before we looked.  Say so, with the socket's error, rather
         * than give the sentence of a connect() that succeeded at once;
         * reading SO_ERROR clears it, so observe() is handed it. */
        int soerr = err != EINPROGRESS ? err : 0;
        if (!soerr) {
            socklen_t sl = sizeof soerr;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
                soerr = 0;
        }
        e->connect_err = soerr;
        real_rec_add(R, e->host, e->conn, RW_UNSEEN, TCPS_SYN_SENT, RS_TCP_INFO,
                     WHY(N_REAL_UNSEEN_SYN_SENT_FAILED,
                         real_str_id(R, soerr ? strerror(soerr)
                                              : _("no error was reported"))));
        observe(R, e, 1);
        e->final = 1;
    } else
        observe(R, e, 0);
}

void real_do_send(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    struct ep *e = call_target(R, ai);
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
    real_call_rec(R, a->host, e->conn, AC_SEND, (int32_t)n,
                  WHY(N_REAL_SEND, (int64_t)len, (int64_t)n));
}

void real_do_recv(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    struct ep *e = call_target(R, ai);
    if (!e)
        return;
    size_t max = a->recv_max ? a->recv_max : 1;
    uint8_t *buf = xrealloc(NULL, max);
    ssize_t n = recv(e->fd, buf, max, MSG_DONTWAIT);
    free(buf);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        real_call_rec(R, a->host, e->conn, AC_RECV, 0, WHY0(N_REAL_RECV_NONE));
    else if (n < 0)
        call_failed(R, a->host, e->conn, AC_RECV, errno);
    else if (n == 0)
        real_call_rec(R, a->host, e->conn, AC_RECV, 0, WHY0(N_REAL_RECV_EOF));
    else
        real_call_rec(R, a->host, e->conn, AC_RECV, (int32_t)n,
                      WHY(N_REAL_RECV, (int64_t)max, (int64_t)n));
}

void real_do_end(struct replay *R, int ai)
{
    const struct scn_action *a = &R->scn->actions[ai];
    int call = app_call_of(a->kind);
    struct ep *e = call_target(R, ai);
    if (!e)
        return;
    flush_pending(R);
    if (a->kind == ACT_SHUTDOWN) {
        if (shutdown(e->fd, SHUT_WR) < 0)
            call_failed(R, a->host, e->conn, call, errno);
        else
            real_call_rec(R, a->host, e->conn, call, 0, WHY0(N_REAL_SHUTDOWN));
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
        real_call_rec(R, a->host, e->conn, AC_SEND, -EAGAIN,
                      WHY(N_REAL_SEND_REST, (int64_t)e->npend,
                          (int64_t)e->npend));
    e->npend = 0;
    real_call_rec(R, a->host, e->conn, call, 0, w);
    close(e->fd);
    e->fd = -1;
    e->app_closed = 1;
}
