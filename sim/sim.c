/* sim.c — runs a scenario: the event loop, demultiplexing to TCBs and
 * sockets, and the application calls.  The network is in net.c, the
 * expect checks in expect.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "simint.h"

#define DEFAULT_END_US   (3600LL * 1000000)     /* one simulated hour */
#define DEFAULT_MAX_EVENTS 50000000ULL

void *sim_xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) {
        fputs("protosim: out of memory\n", stderr);
        abort();
    }
    return p;
}

int sim_host_by_addr(const struct sim *s, ip4_addr a)
{
    /* binary search in the address index net_init builds */
    size_t lo = 0, hi = s->naddrs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->addrs[mid].addr < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->naddrs && s->addrs[lo].addr == a ? s->addrs[lo].host : -1;
}

/* The IPv4 header of a packet host h originates: its own address, TTL 64
 * (Linux's default), and the host's next identification number. */
struct ip4_hdr sim_ip_header(struct sim *s, int h, ip4_addr dst)
{
    struct sim_host *hp = &s->hosts[h];
    struct ip4_hdr ip;
    memset(&ip, 0, sizeof ip);
    ip.src = hp->addr;
    ip.dst = dst;
    ip.ttl = 64;
    ip.id = hp->ip_id++;
    return ip;
}

/* Wraps a TCP segment in IPv4 and Ethernet and sends it from host h. */
void sim_send_tcp(struct sim *s, int h, ip4_addr dst_addr, uint32_t conn,
                     const struct tcp_hdr *th, const uint8_t *data, size_t len,
                     struct why why)
{
    struct ip4_hdr ip = sim_ip_header(s, h, dst_addr);
    uint8_t frame[FRAME_MAX];
    static const mac_addr zero = { { 0 } };
    size_t n = tcp_frame_encode(frame, sizeof frame, zero, zero, &ip, th,
                                data, len);
    if (n == 0)
        return;                /* larger than a frame: cannot happen, MSS-bound */
    net_ip_output(s, h, frame, n, dst_addr, conn, TL_TCP, why);
}

/* ---- TCBs and their wake-ups ------------------------------------------- */

static void tcp_emit_cb(void *ctx, struct tcp_conn *c, ip4_addr dst,
                        const struct tcp_hdr *h, const uint8_t *data,
                        size_t len, struct why why)
{
    struct sim *s = ctx;
    struct sim_conn *sc = (struct sim_conn *)c;
    /* dst, not c->raddr: an RST a listener builds from a segment goes to
     * that segment's source (RFC 9293 3.10.7.2) */
    sim_send_tcp(s, sc->host, dst, c->id, h, data, len, why);
}

static uint32_t choose_iss_cb(void *ctx, struct tcp_conn *c)
{
    struct sim *s = ctx;
    struct sim_host *hp = &s->hosts[((struct sim_conn *)c)->host];
    /* Fixed ISNs from the scenario, in order; then the seeded PRNG (a real
     * stack uses RFC 6528's clock plus keyed hash). */
    if (hp->next_isn < hp->cfg->tcp.n_isn)
        return hp->cfg->tcp.isn[hp->next_isn++];
    return (uint32_t)rng_next(&s->rng);
}

static void sync_timer(struct sim *s, struct sim_conn *sc)
{
    int64_t d = sc->tcb.state == TCP_CLOSED ? -1 : tcp_deadline(&sc->tcb);
    if (d == sc->timer_at)
        return;
    eq_cancel(&s->q, sc->timer_ev);
    sc->timer_ev = 0;
    sc->timer_at = d;
    if (d >= 0)
        sc->timer_ev = eq_schedule(&s->q, d < s->now ? s->now : d,
                                   EV_TCP_TIMER, sc, 0);
}

/* After any call into a TCB: reschedule its wake-up, and take it out of the
 * demultiplexing table once it is CLOSED or (a child) back in LISTEN. */
void sim_after_tcb(struct sim *s, struct sim_conn *sc)
{
    if (sc->tcb.state == TCP_CLOSED ||
        (!sc->listener && sc->tcb.state == TCP_LISTEN && sc->tcb.passive))
        sc->detached = 1;
    app_poll(s, sc);
    sync_timer(s, sc);
}

struct sim_conn *sim_new_conn(struct sim *s, int h, const char *idtext,
                                 ip4_addr raddr, uint16_t lport, uint16_t rport)
{
    struct sim_host *hp = &s->hosts[h];
    struct sim_conn *sc = sim_xcalloc(1, sizeof *sc);
    struct tcp_config cfg;
    tcp_config_default(&cfg);
    cfg.mss = (uint16_t)hp->cfg->tcp.mss;
    cfg.rto_us = hp->cfg->tcp.rto_us;
    cfg.retries = hp->cfg->tcp.retries;
    cfg.msl_us = hp->cfg->tcp.msl_us;
    cfg.nagle = hp->cfg->tcp.nagle;
    cfg.two_way = hp->cfg->tcp.two_way;
    cfg.tw_reopen = hp->cfg->tcp.tw_reopen;
    cfg.rcvbuf = hp->cfg->tcp.rcvbuf;
    struct tcp_env env = { &s->tr, h, tcp_emit_cb, choose_iss_cb, s };
    tcp_init(&sc->tcb, &cfg, &env, trace_intern(&s->tr, idtext),
             hp->addr, lport, raddr, rport);
    sc->host = h;
    sc->timer_at = -1;
    if (hp->nconns == hp->capconns) {
        hp->capconns = hp->capconns ? hp->capconns * 2 : 4;
        hp->conns = realloc(hp->conns, (size_t)hp->capconns * sizeof *hp->conns);
        if (!hp->conns)
            abort();
    }
    hp->conns[hp->nconns] = sc;
    hp->current = hp->nconns++;
    return sc;
}

static const char *host_name(const struct sim *s, int h)
{
    return s->tr.host_names[h];
}

void sim_conn_name(const struct sim *s, int h, uint16_t lport, ip4_addr raddr,
                      uint16_t rport, char *buf, size_t n)
{
    int r = sim_host_by_addr(s, raddr);
    char rname[40];
    if (r >= 0)
        snprintf(rname, sizeof rname, "%s", host_name(s, r));
    else
        ip4_str(raddr, rname, sizeof rname);
    snprintf(buf, n, "%s:%u-%s:%u", host_name(s, h), lport, rname, rport);
}

int sim_port_in_use(const struct sim_host *hp, uint16_t port)
{
    for (int i = 0; i < hp->nconns; i++)
        if (!hp->conns[i]->detached && hp->conns[i]->tcb.lport == port)
            return 1;
    return 0;
}

static void port_taken(struct sim *s, int h, int layer, int call,
                       uint16_t port)
{
    trace_app(&s->tr, s->now, h, layer, 0, call, -TCPE_EXISTS, NULL, 0,
              WHY(N_APP_ERR_PORT, port,
                  trace_intern(&s->tr, "address already in use")));
}

struct sim_conn *sim_listen(struct sim *s, int h, uint16_t port, int layer,
                            struct why why)
{
    char name[128];
    if (sim_port_in_use(&s->hosts[h], port)) {
        port_taken(s, h, layer, AC_LISTEN, port);
        return NULL;
    }
    snprintf(name, sizeof name, "%s:%u", host_name(s, h), port);
    struct sim_conn *sc = sim_new_conn(s, h, name, 0, port, 0);
    sc->listener = 1;
    trace_app(&s->tr, s->now, h, layer, sc->tcb.id, AC_LISTEN, 0, NULL, 0, why);
    tcp_listen(&sc->tcb, s->now);
    return sc;
}

struct sim_conn *sim_connect(struct sim *s, int h, ip4_addr raddr,
                             uint16_t rport, uint16_t lport)
{
    struct sim_host *hp = &s->hosts[h];
    char name[128];
    if (!lport) {
        do
            lport = hp->next_port++;
        while (sim_port_in_use(hp, lport) && hp->next_port != 0);
        if (hp->next_port == 0)
            hp->next_port = 49152;
    } else if (sim_port_in_use(hp, lport)) {
        port_taken(s, h, TL_TCP, AC_CONNECT, lport);
        return NULL;
    }
    sim_conn_name(s, h, lport, raddr, rport, name, sizeof name);
    struct sim_conn *sc = sim_new_conn(s, h, name, raddr, lport, rport);
    trace_app(&s->tr, s->now, h, TL_TCP, sc->tcb.id, AC_CONNECT, 0, NULL, 0,
              WHY(N_APP_CONNECT, raddr, rport));
    tcp_connect(&sc->tcb, s->now);
    return sc;
}

/* ---- arrival ----------------------------------------------------------- */

static struct sim_conn *demux(struct sim_host *hp, const struct frame *f,
                              struct sim_conn **listener)
{
    *listener = NULL;
    for (int i = hp->nconns; i-- > 0;) {
        struct sim_conn *sc = hp->conns[i];
        if (sc->detached || sc->tcb.lport != f->tcp.dport)
            continue;
        if (sc->listener) {
            if (sc->tcb.state == TCP_LISTEN && !*listener)
                *listener = sc;
            continue;
        }
        if (sc->tcb.rport == f->tcp.sport && sc->tcb.raddr == f->ip.src)
            return sc;
    }
    return NULL;
}

/* The listening socket on port, for a SYN that demux() matched to a
 * TIME-WAIT connection before it reached the listener (which is older). */
static struct sim_conn *listener_on(struct sim_host *hp, uint16_t port)
{
    for (int i = hp->nconns; i-- > 0;) {
        struct sim_conn *sc = hp->conns[i];
        if (!sc->detached && sc->listener && sc->tcb.lport == port &&
            sc->tcb.state == TCP_LISTEN)
            return sc;
    }
    return NULL;
}

/* A host could not reach a next hop by ARP.  TCP treats it as a soft error
 * (RFC 1122 4.2.3.9): the segment is lost and retransmission carries on;
 * the record tells the application why. */
void sim_unreachable(struct sim *s, int h, ip4_addr next_hop, uint32_t conn,
                     int layer)
{
    trace_app(&s->tr, s->now, h, layer, conn, AC_ERROR, -1, NULL, 0,
              WHY(layer == TL_TCP ? N_APP_ERR_UNREACH : N_APP_ERR_UNREACH_DGRAM,
                  next_hop));
}

void sim_tcp_arrive(struct sim *s, int h, const struct frame *f)
{
    struct sim_host *hp = &s->hosts[h];
    struct sim_conn *listener, *sc = demux(hp, f, &listener);
    const struct tcp_hdr *th = &f->tcp;
    struct sim_conn *old = NULL;
    if (sc && sc->tcb.state == TCP_TIME_WAIT) {
        /* RFC 9293 3.6.1 (MAY-2): a new SYN may reopen from TIME-WAIT; the
         * TCB decides, and says whether the listener takes the SYN. */
        if (!listener)
            listener = listener_on(hp, th->dport);
        int r = tcp_time_wait_syn(&sc->tcb, s->now, th, listener != NULL);
        if (r == TW_SYN_HANDLED) {
            sim_after_tcb(s, sc);
            return;
        }
        if (r == TW_SYN_REOPEN) {
            sim_after_tcb(s, sc);          /* deleted: out of the table */
            old = sc;
            sc = NULL;
        }
    }
    if (!sc && listener && (th->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
        /* A SYN for a listening socket: a new TCB that starts in LISTEN
         * and takes the SYN (RFC 9293 3.10.7.2), leaving the listener. */
        char name[128];
        sim_conn_name(s, h, th->dport, f->ip.src, th->sport, name, sizeof name);
        sc = sim_new_conn(s, h, name, f->ip.src, th->dport, th->sport);
        tcp_spawn(&sc->tcb, &listener->tcb, sc->tcb.id, f->ip.src, th->sport);
        if (old)
            tcp_reopen_from(&sc->tcb, &old->tcb);
        sc->role = listener->role;
        sc->act = listener->act;
    } else if (!sc && listener) {
        sc = listener;
    }
    if (sc) {
        tcp_input(&sc->tcb, s->now, f->ip.src, th, f->payload, f->payload_len);
        sim_after_tcb(s, sc);
        return;
    }
    /* RFC 9293 3.10.7.1: no TCB ("CLOSED"): answer with a reset */
    struct tcp_hdr rst;
    if (tcp_reset_for(th, f->payload_len, &rst) == 0) {
        sim_send_tcp(s, h, f->ip.src, 0, &rst, NULL, 0, WHY0(N_SEG_RST_CLOSED));
    }
}

/* ---- application calls --------------------------------------------------- */

static void app_error(struct sim *s, int h, int call, const struct sim_conn *sc,
                      int err)
{
    uint32_t msg = trace_intern(&s->tr, tcp_err_str(err));
    if (sc)
        trace_app(&s->tr, s->now, h, TL_TCP, sc->tcb.id, call, err, NULL, 0,
                  WHY(N_APP_ERR_STATE, sc->tcb.state, msg));
    else
        trace_app(&s->tr, s->now, h, TL_TCP, 0, call, err, NULL, 0,
                  WHY(N_APP_ERR_NOCONN, msg));
}

struct sim_conn *sim_current_conn(struct sim *s, int h)
{
    struct sim_host *hp = &s->hosts[h];
    return hp->current >= 0 ? hp->conns[hp->current] : NULL;
}

long sim_app_recv(struct sim *s, struct sim_conn *sc, uint8_t *buf, size_t max)
{
    /* The record goes first so that a window update the read causes
     * follows it. */
    size_t at = trace_app(&s->tr, s->now, sc->host, TL_TCP, sc->tcb.id, AC_RECV,
                          0, NULL, 0, WHY0(N_APP_RECV_NONE));
    long n = tcp_recv(&sc->tcb, s->now, buf, max);
    struct trace_rec *rec = &s->tr.recs[at];
    rec->u.app.ret = (int32_t)n;
    if (n > 0) {
        rec->u.app.data = trace_blob(&s->tr, buf, (size_t)n);
        rec->why = WHY(N_APP_RECV, n, (int64_t)max);
    } else if (n < 0) {
        rec->why = WHY(N_APP_ERR_STATE, sc->tcb.state,
                       trace_intern(&s->tr, tcp_err_str((int)n)));
    } else if (sc->tcb.fin_received) {
        /* 0 after the peer's FIN is the end of the stream (RFC 9293
         * 3.10.3: "connection closing"), not an empty buffer */
        rec->why = WHY0(N_APP_RECV_EOF);
    }
    return n;
}

static void run_action(struct sim *s, const struct scn_action *a)
{
    int h = a->host;
    struct sim_conn *sc;
    int r;

    if (app_action(s, a))
        return;
    switch (a->kind) {
    case ACT_NOTE:
        trace_note(&s->tr, s->now, -1, a->text ? a->text : "");
        return;
    case ACT_INJECT: {
        struct tcp_hdr th = a->seg;
        uint32_t why = trace_intern(&s->tr, a->text ? a->text
                                             : "a segment from nowhere");
        sim_send_tcp(s, h, s->hosts[a->peer].addr, 0, &th, NULL, 0,
                 WHY(N_SEG_INJECT, why));
        return;
    }
    case ACT_LISTEN:
        sc = sim_listen(s, h, a->port, TL_TCP, WHY(N_APP_LISTEN, a->port));
        if (sc)
            sim_after_tcb(s, sc);
        return;
    case ACT_CONNECT:
        sc = sim_connect(s, h, s->hosts[a->peer].addr, a->port, a->lport);
        if (sc)
            sim_after_tcb(s, sc);
        return;
    default:
        break;
    }

    static const int calls[] = {
        [ACT_SEND] = AC_SEND, [ACT_RECV] = AC_RECV, [ACT_SHUTDOWN] = AC_SHUTDOWN,
        [ACT_CLOSE] = AC_CLOSE, [ACT_ABORT] = AC_ABORT,
    };
    int call = calls[a->kind];
    sc = sim_current_conn(s, h);
    if (!sc) {
        app_error(s, h, call, NULL, -TCPE_NOTCONN);
        return;
    }
    uint32_t id = sc->tcb.id;
    switch (a->kind) {
    case ACT_SEND: {
        const uint8_t *data = a->data;
        size_t len = a->len;
        uint8_t *framed = NULL;
        struct why why = WHY(N_APP_SEND, (int64_t)len);
        if (a->framed) {
            /* length-prefixed framing: 4 bytes of big-endian length first */
            framed = sim_xcalloc(len + 4, 1);
            framed[0] = (uint8_t)(len >> 24);
            framed[1] = (uint8_t)(len >> 16);
            framed[2] = (uint8_t)(len >> 8);
            framed[3] = (uint8_t)len;
            memcpy(framed + 4, a->data, len);
            why = WHY(N_APP_FRAMED, (int64_t)len, (int64_t)len + 4);
            data = framed;
            len += 4;
        }
        /* The record goes first so that the segments it causes follow it. */
        size_t at = trace_app(&s->tr, s->now, h, TL_TCP, id, AC_SEND,
                              (int)len, data, len, why);
        long n = tcp_send(&sc->tcb, s->now, data, len);
        free(framed);
        if (n < 0) {
            s->tr.recs[at].u.app.ret = (int32_t)n;
            s->tr.recs[at].why = WHY(N_APP_ERR_STATE, sc->tcb.state,
                                     trace_intern(&s->tr, tcp_err_str((int)n)));
        }
        break;
    }
    case ACT_RECV: {
        uint8_t *buf = sim_xcalloc(a->recv_max, 1);
        sim_app_recv(s, sc, buf, a->recv_max);
        free(buf);
        break;
    }
    case ACT_SHUTDOWN: case ACT_CLOSE: case ACT_ABORT: {
        int why = a->kind == ACT_SHUTDOWN ? N_APP_SHUTDOWN
                : a->kind == ACT_CLOSE ? N_APP_CLOSE : N_APP_ABORT;
        size_t at = trace_app(&s->tr, s->now, h, TL_TCP, id, call, 0, NULL, 0,
                              WHY0(why));
        int st = sc->tcb.state;
        r = a->kind == ACT_SHUTDOWN ? tcp_shutdown(&sc->tcb, s->now)
          : a->kind == ACT_CLOSE ? tcp_close(&sc->tcb, s->now)
          : tcp_abort(&sc->tcb, s->now);
        if (r < 0) {
            s->tr.recs[at].u.app.ret = r;
            s->tr.recs[at].why = WHY(N_APP_ERR_STATE, st,
                                     trace_intern(&s->tr, tcp_err_str(r)));
        }
        break;
    }
    default:
        break;
    }
    sim_after_tcb(s, sc);
}

/* ---- the run -------------------------------------------------------------- */

/* Everything of a run but the trace, which sim_init and sim_reset set up
 * differently. */
static void init_state(struct sim *s, const struct scenario *scn, uint64_t seed)
{
    s->scn = scn;
    eq_init(&s->q);
    rng_seed(&s->rng, seed);
    s->end_us = DEFAULT_END_US;
    s->max_events = DEFAULT_MAX_EVENTS;
    s->nhosts = scn->nhosts;
    s->hosts = sim_xcalloc((size_t)scn->nhosts, sizeof *s->hosts);
    for (int i = 0; i < scn->nhosts; i++) {
        struct sim_host *hp = &s->hosts[i];
        hp->cfg = &scn->hosts[i];
        hp->addr = scn->hosts[i].addr;
        hp->next_port = 49152;
        hp->current = -1;
        trace_add_host(&s->tr, scn->hosts[i].name, hp->addr);
    }
    net_init(s);
    app_init(s);
    s->fault_seen = sim_xcalloc((size_t)scn->nfaults, sizeof *s->fault_seen);
    s->next_action = 0;
}

static void free_state(struct sim *s)
{
    for (int i = 0; i < s->nhosts; i++) {
        for (int j = 0; j < s->hosts[i].nconns; j++) {
            tcp_destroy(&s->hosts[i].conns[j]->tcb);
            free(s->hosts[i].conns[j]->frame_buf);
            free(s->hosts[i].conns[j]);
        }
        free(s->hosts[i].conns);
    }
    app_free(s);
    net_free(s);
    free(s->hosts);
    free(s->fault_seen);
    eq_free(&s->q);
}

void sim_init(struct sim *s, const struct scenario *scn, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    trace_init(&s->tr);
    init_state(s, scn, seed);
}

void sim_reset(struct sim *s, const struct scenario *scn, uint64_t seed)
{
    free_state(s);
    struct trace tr = s->tr;
    memset(s, 0, sizeof *s);
    s->tr = tr;
    trace_reset(&s->tr);
    init_state(s, scn, seed);
}

/* The scenario's actions are not put in the heap: they are already sorted,
 * and running the next one whenever its time is not after the heap's
 * earliest event gives exactly the order of scheduling them all first
 * (they would hold the lowest sequence numbers, so they win every tie),
 * without a heap of thousands of actions to sift. */
static int next_event(struct sim *s, struct event *e)
{
    const struct scenario *scn = s->scn;
    if (s->next_action < scn->nactions) {
        int64_t t = scn->actions[s->next_action].t_us;
        int64_t h = eq_peek_time(&s->q);
        if (h < 0 || t <= h) {
            memset(e, 0, sizeof *e);
            e->t_us = t;
            e->type = EV_ACTION;
            e->arg = s->next_action++;
            return 1;
        }
    }
    return eq_pop(&s->q, e);
}

void sim_run(struct sim *s)
{
    struct event e;
    while (next_event(s, &e)) {
        if (e.t_us > s->end_us || s->events_run >= s->max_events) {
            s->truncated = 1;
            if (e.type == EV_DELIVER)
                free(e.ptr);
            break;
        }
        s->now = e.t_us;
        s->events_run++;
        switch (e.type) {
        case EV_ACTION:
            run_action(s, &s->scn->actions[e.arg]);
            break;
        case EV_DELIVER:
            net_deliver(s, e.ptr);
            net_flight_done(s, e.ptr);
            break;
        case EV_TCP_TIMER: {
            struct sim_conn *sc = e.ptr;
            sc->timer_ev = 0;
            sc->timer_at = -1;
            tcp_timer(&sc->tcb, s->now);
            sim_after_tcb(s, sc);
            break;
        }
        case EV_ARP_TIMER:
            net_arp_timer(s, e.ptr);
            break;
        case EV_DNS_TIMER:
            dnsapp_timer(s, e.ptr);
            break;
        }
    }
    /* free whatever is still in flight after a truncated run */
    while (eq_pop(&s->q, &e))
        if (e.type == EV_DELIVER)
            free(e.ptr);
}

void sim_free(struct sim *s)
{
    free_state(s);
    trace_free(&s->tr);
    memset(s, 0, sizeof *s);
}

