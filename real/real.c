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
 *            and read the capture (the sockets and calls: drive.c);
 *   settle   keep looking after the last call until nothing moves;
 *   clean    close every socket (an open connection with RST, so the
 *            clean-up leaves no FIN_WAIT or TIME_WAIT of its own);
 *   merge    put each record on the scenario's clock and merge it in
 *            (merge.c).
 * This file plans the run, drives it through those steps and keeps its
 * records; realint.h has the state the parts share.
 *
 * One socket per simulated endpoint, mirroring the model: a host's calls
 * act on its newest connection (a listen makes the listener current; a
 * connection accepted from it becomes current as soon as the kernel has it,
 * as the model's child does when its SYN arrives).  Only 127.0.0.1 or ::1
 * is ever bound or connected to. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "alloc.h"
#include "i18n.h"
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

/* ---- the replay's records ----------------------------------------------- */

static int64_t rnow(const struct replay *R)
{
    return real_now_us() - R->t0;
}

struct trace_rec *real_rec_add(struct replay *R, int host, uint32_t conn,
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
    struct trace_rec *r = real_rec_add(R, host, 0, what, 0, RS_REPLAY, why);
    struct rrec *x = &R->recs[R->nrecs - 1];
    x->fixed = 1;
    x->real_us = INT64_MIN;
    r->t_us = t;
    if (what == RW_NOT_REPLAYED)
        R->res->not_replayed++;
    return r;
}

uint32_t real_str_id(struct replay *R, const char *text)
{
    return trace_intern(&R->s->tr, text);
}

/* ---- the plan ------------------------------------------------------------ */

static const char *const app_words[] = {
    [ACT_UDP_BIND] = "udp bind", [ACT_UDP_SEND] = "udp send",
    [ACT_UDP_RECV] = "udp recv", [ACT_RESOLVE] = "resolve",
    [ACT_HTTP_SERVE] = "http serve", [ACT_HTTP_GET] = "http get",
    [ACT_RECV_FRAMED] = "recv framed", [ACT_ACCEPT] = "accept",
    [ACT_SOCKET] = "socket", [ACT_BIND] = "bind",
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

/* The scenario's connects and servers by hash, so that planning a crowd
 * looks up each call instead of reading every other one. */
struct plan_index {
    const struct scenario *scn;
    struct rmap connects;           /* connect actions, by their four numbers */
    struct rmap ports;              /* (host, port): its entry in srv */
    struct srv { int host, port, listen, http_line; } *srv;
    int      nsrv;
};

struct plan_key { const struct plan_index *x; int host, peer, port, lport, self; };

static uint64_t connect_hash(int host, int peer, int port, int lport)
{
    return rmap_mix(rmap_mix((uint32_t)host, (uint32_t)peer),
                    (uint64_t)(uint16_t)port << 16 | (uint16_t)lport);
}

static int connect_eq(const void *ctx, int v)
{
    const struct plan_key *k = ctx;
    const struct scn_action *b = &k->x->scn->actions[v];
    return v != k->self && b->host == k->host && b->peer == k->peer &&
           b->port == k->port && b->lport == k->lport;
}

static int srv_eq(const void *ctx, int v)
{
    const struct plan_key *k = ctx;
    return k->x->srv[v].host == k->host && k->x->srv[v].port == k->port;
}

static void plan_index(struct plan_index *x, const struct scenario *scn)
{
    memset(x, 0, sizeof *x);
    x->scn = scn;
    for (int k = 0; k < scn->nactions; k++) {
        const struct scn_action *b = &scn->actions[k];
        if (b->kind == ACT_CONNECT && b->lport) {
            rmap_put(&x->connects, connect_hash(b->host, b->peer, b->port, b->lport), k);
            continue;
        }
        if (b->kind != ACT_LISTEN && b->kind != ACT_HTTP_SERVE)
            continue;
        struct plan_key q = { x, b->host, 0, b->port, 0, -1 };
        uint64_t h = rmap_mix((uint32_t)b->host, (uint32_t)b->port);
        int i = rmap_get(&x->ports, h, srv_eq, &q);
        if (i < 0) {
            x->srv = xreallocarray(x->srv, (size_t)x->nsrv + 1, sizeof *x->srv);
            x->srv[x->nsrv] = (struct srv){ b->host, b->port, 0, 0 };
            rmap_put(&x->ports, h, x->nsrv);
            i = x->nsrv++;
        }
        if (b->kind == ACT_LISTEN)
            x->srv[i].listen = 1;
        else if (!x->srv[i].http_line)
            x->srv[i].http_line = b->line;
    }
}

static void plan_index_free(struct plan_index *x)
{
    rmap_free(&x->connects);
    rmap_free(&x->ports);
    free(x->srv);
}

/* Is connect action i one half of a simultaneous open: its peer connects
 * back from the port it connects to, to the port it connects from? */
static int simultaneous_open(const struct plan_index *x, int i)
{
    const struct scn_action *a = &x->scn->actions[i];
    if (a->kind != ACT_CONNECT || !a->lport)
        return 0;
    struct plan_key q = { x, a->peer, a->host, a->lport, a->port, i };
    return rmap_get(&x->connects, connect_hash(a->peer, a->host, a->lport, a->port),
                    connect_eq, &q) >= 0;
}

/* A connect to a port where the scenario's server is an application that
 * is not replayed (`http serve`): the line of that server, else 0. */
static int unreplayed_server(const struct plan_index *x, int i)
{
    const struct scn_action *a = &x->scn->actions[i];
    struct plan_key q = { x, a->peer, 0, a->port, 0, -1 };
    int k = rmap_get(&x->ports, rmap_mix((uint32_t)a->peer, (uint32_t)a->port),
                     srv_eq, &q);
    return k < 0 || x->srv[k].listen ? 0 : x->srv[k].http_line;
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
                  WHY(N_REAL_NR_LINK, real_str_id(R, name), l->delay_us,
                      l->jitter_us, (int64_t)l->loss_ppm));
    }
    for (int i = 0; i < scn->nlans; i++)
        rec_fixed(R, 0, -1, RW_NOT_REPLAYED,
                  WHY(N_REAL_NR_LAN, real_str_id(R, scn->lans[i].name)));
    if (scn->nzones || scn->nrrs || scn->nresolvers)
        rec_fixed(R, 0, -1, RW_NOT_REPLAYED, WHY0(N_REAL_NR_DNSDATA));
    for (int i = 0; i < scn->nfaults; i++)
        rec_fixed(R, 0, -1, RW_NOT_REPLAYED,
                  WHY(N_REAL_NR_FAULT, scn->faults[i].line));

    /* per-host TCP options the kernel does not take */
    for (int h = 0; h < scn->nhosts; h++) {
        const struct scn_tcp_opts *t = scn->hosts[h].tcp;
        uint32_t name = real_str_id(R, scn->hosts[h].name);
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
    struct plan_index px;
    plan_index(&px, scn);
    R->skip = xrealloc(NULL, (size_t)scn->nactions + 1);
    R->anc_of = xrealloc(NULL, ((size_t)scn->nactions + 1) *
                                    sizeof *R->anc_of);
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
            int sock = a->kind == ACT_SOCKET || a->kind == ACT_BIND;
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(sock ? N_REAL_NR_SOCKET : N_REAL_NR_APP, real_str_id(R, w),
                          a->line));
            continue;
        }
        if (a->named && !real_named_call_known(R, i, app_call_of(a->kind))) {
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_NAMED, a->line));
            continue;
        }
        if (simultaneous_open(&px, i)) {
            rec_fixed(R, a->t_us, a->host, RW_NOT_REPLAYED,
                      WHY(N_REAL_NR_SIMOPEN, a->line));
            R->skip[i] = 2;             /* its host has no connection */
            continue;
        }
        int srv = a->kind == ACT_CONNECT ? unreplayed_server(&px, i) : 0;
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

    plan_index_free(&px);

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
              WHY(N_REAL_PLAN, real_str_id(R, where), R->o.scale,
                  R->o.min_gap_us));
    if (squeezed)
        rec_fixed(R, 0, -1, RW_INFO, WHY(N_REAL_SQUEEZED, R->o.max_span_us));
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
    int probe = real_bound_socket(R, 0, 0);
    if (probe < 0) {
        snprintf(res->err, sizeof res->err,
                 _("cannot bind a TCP socket to %s: %s"),
                 R->o.family == AF_INET6 ? "::1" : "127.0.0.1", strerror(errno));
        rec_fixed(R, 0, -1, RW_INFO,
                  WHY(N_REAL_FAILED, real_str_id(R, res->err)));
        rc = -1;
        goto merge;
    }
    close(probe);

    if (real_diag_open(&R->diag) < 0)
        rec_fixed(R, 0, -1, RW_INFO,
                  WHY(N_REAL_NO_DIAG, real_str_id(R, strerror(errno))));
    R->diag.flicker = R->o.diag_flicker;
    if (R->o.capture == REAL_CAPTURE_OFF)
        rec_fixed(R, 0, -1, RW_INFO, WHY0(N_REAL_CAPTURE_OFF));
    else if (real_cap_open(&R->cap, R->o.family) < 0) {
        if (errno == EPERM || errno == EACCES)
            rec_fixed(R, 0, -1, RW_INFO, WHY0(N_REAL_CAPTURE_OFF));
        else
            rec_fixed(R, 0, -1, RW_INFO,
                      WHY(N_REAL_CAPTURE_ERR,
                          real_str_id(R, strerror(errno))));
    } else {
        R->capturing = 1;
        res->capture = 1;
        rec_fixed(R, 0, -1, RW_INFO, WHY0(N_REAL_CAPTURE_ON));
    }

    R->t0 = real_now_us();
    R->hard_deadline = R->t0 + R->o.max_span_us + R->o.settle_max_us + 2000000;
    /* anc_of never falls from one action to the next: one pass */
    for (int i = 0, k = 0; i < R->nanc; i++) {
        real_wait_until(R, R->anc[i].plan_us);
        R->anc[i].begin_us = rnow(R);
        real_step(R, 0);
        for (; k < R->scn->nactions && R->anc_of[k] <= i; k++) {
            if (R->anc_of[k] != i)
                continue;
            R->touched = -1;
            switch (R->scn->actions[k].kind) {
            case ACT_LISTEN:  real_do_listen(R, k); break;
            case ACT_CONNECT: real_do_connect(R, k); break;
            case ACT_SEND:    real_do_send(R, k); break;
            case ACT_RECV:    real_do_recv(R, k); break;
            default:          real_do_end(R, k); break;
            }
            real_touch_host(R, R->scn->actions[k].host);
            real_accept_all(R);
            real_observe_all(R);
            real_read_capture(R);   /* a crowd's segments come in bursts */
        }
        R->anc[i].end_us = rnow(R);
    }

    /* settle: watch until nothing moves, within bounds */
    int64_t last = R->nanc ? R->anc[R->nanc - 1].end_us : 0;
    for (; R->neps;) {
        int64_t now = rnow(R);
        if (now - last >= R->o.settle_max_us || R->t0 + now >= R->hard_deadline)
            break;
        if (now - last >= R->o.settle_min_us && real_quiet(R))
            break;
        real_step(R, R->o.poll_us);
    }
    real_observe_every(R);          /* what the comparison says it ended in */
    real_read_capture(R);
    if (R->capturing) {
        long lost = real_cap_drops(&R->cap);
        if (lost > 0)
            real_rec_add(R, -1, 0, RW_INFO, 0, RS_CAPTURE,
                         WHY(N_REAL_CAPTURE_LOST, lost));
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
            real_call_rec(R, R->eps[i].host, R->eps[i].conn, AC_SEND, -EAGAIN,
                          WHY(N_REAL_SEND_REST, (int64_t)R->eps[i].npend,
                              (int64_t)R->eps[i].npend));
    real_rec_add(R, -1, 0, RW_INFO, 0, RS_REPLAY,
                 WHY(N_REAL_END, rnow(R) - last, open));
    res->forced_rst = open;
    fill_result(R);
    cleanup(R);
    real_packet_records(R);
    res->real_us = rnow(R);

merge:
    real_merge(R);
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
    real_watch_free(R);
    return rc;
}
