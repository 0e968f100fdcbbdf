/* sim.c — runs a scenario: the event loop, hosts and links, fault rules,
 * demultiplexing to TCBs, application calls, and the expect checks. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

enum ev_type { EV_ACTION, EV_DELIVER, EV_TCP_TIMER };

/* A frame in flight on a link. */
struct flight {
    uint32_t pkt;              /* trace blob with the frame bytes */
    int src, dst;
    struct why why;            /* narration for the arrival */
};

#define DEFAULT_END_US   (3600LL * 1000000)     /* one simulated hour */
#define DEFAULT_MAX_EVENTS 50000000ULL

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) {
        fputs("protosim: out of memory\n", stderr);
        abort();
    }
    return p;
}

static int host_by_addr(const struct sim *s, ip4_addr a)
{
    for (int i = 0; i < s->nhosts; i++)
        if (s->hosts[i].addr == a)
            return i;
    return -1;
}

/* ---- putting frames on links ------------------------------------------ */

static void schedule_delivery(struct sim *s, int64_t at, uint32_t pkt,
                              int src, int dst, struct why why)
{
    struct flight *f = xcalloc(1, sizeof *f);
    f->why = why;
    f->pkt = pkt;
    f->src = src;
    f->dst = dst;
    eq_schedule(&s->q, at, EV_DELIVER, f, 0);
}

/* Sends a frame from host src towards host dst (-1 if no host has the
 * destination address): records it, applies the scenario's fault rules,
 * then the link's loss, duplication, jitter and reordering. */
static void net_send(struct sim *s, int src, int dst, ip4_addr dst_addr,
                     const uint8_t *frame, size_t flen, int layer,
                     uint32_t conn, struct why why)
{
    uint32_t pkt = trace_blob(&s->tr, frame, flen);
    size_t at = trace_packet(&s->tr, s->now, TK_SEND, src, layer, src, dst, pkt,
                             0, 0, why);
    s->tr.recs[at].conn = conn;

    int li = dst >= 0 ? s->link_of[src * s->nhosts + dst] : -1;
    if (li < 0) {
        trace_packet(&s->tr, s->now, TK_DROP, src, layer, src, dst, pkt, 0,
                     DR_NOROUTE,
                     WHY(N_NET_NOROUTE,
                         trace_intern(&s->tr, s->tr.host_names[src]),
                         dst_addr));
        return;
    }
    const struct scn_link *l = &s->scn->links[li];

    struct frame f;
    char err[64];
    int proto = 0;
    uint8_t flags = 0;
    size_t plen = 0;
    if (frame_decode(frame, flen, &f, err, sizeof err) == 0 && f.has_ip) {
        proto = f.l4;
        flags = f.l4 == IPPROTO_TCP_NUM ? f.tcp.flags : 0;
        plen = f.payload_len;
    }

    int64_t extra = 0;
    int copies = 1;
    struct why arrive = WHY0(N_NET_RECV), copy_why = WHY0(N_NET_DUP);
    /* Every rule counts every frame it matches, whatever other rules do
     * to that frame; then the rules that hit their Nth frame apply. */
    int drop_line = 0;
    for (int i = 0; i < s->scn->nfaults; i++) {
        const struct scn_fault *fr = &s->scn->faults[i];
        if (!scn_match_frame(&fr->m, src, dst, proto, flags, plen))
            continue;
        if (++s->fault_seen[i] != (uint32_t)fr->nth)
            continue;
        switch (fr->kind) {
        case FAULT_DROP:
            if (!drop_line)
                drop_line = fr->line;
            break;
        case FAULT_DELAY:
            extra += fr->by_us;
            arrive = WHY(N_NET_FAULT_DELAY, fr->line, fr->by_us);
            break;
        case FAULT_DUP:
            copies++;
            copy_why = WHY(N_NET_FAULT_DUP, fr->line);
            break;
        }
    }
    if (drop_line) {
        trace_packet(&s->tr, s->now, TK_DROP, src, layer, src, dst, pkt, 0,
                     DR_FAULT, WHY(N_NET_FAULT_DROP, drop_line));
        return;
    }

    if (rng_chance_ppm(&s->rng, l->loss_ppm)) {
        trace_packet(&s->tr, s->now, TK_DROP, src, layer, src, dst, pkt, 0,
                     DR_LOSS, WHY(N_NET_LOSS, l->loss_ppm));
        return;
    }
    if (rng_chance_ppm(&s->rng, l->dup_ppm))
        copies++;
    for (int c = 0; c < copies; c++) {
        int64_t d = l->delay_us + extra;
        if (l->jitter_us > 0)
            d += (int64_t)rng_below(&s->rng, (uint64_t)l->jitter_us + 1);
        if (rng_chance_ppm(&s->rng, l->reorder_ppm))
            d += 2 * (l->delay_us + l->jitter_us);
        if (c > 0)
            trace_packet(&s->tr, s->now, TK_SEND, src, layer, src, dst, pkt,
                         1, 0, copy_why);
        schedule_delivery(s, s->now + d, pkt, src, dst, arrive);
    }
}

/* Wraps a TCP segment in IPv4 and Ethernet and sends it from host h. */
static void send_tcp(struct sim *s, int h, ip4_addr dst_addr, uint32_t conn,
                     const struct tcp_hdr *th, const uint8_t *data, size_t len,
                     struct why why)
{
    struct sim_host *hp = &s->hosts[h];
    int dst = host_by_addr(s, dst_addr);
    struct ip4_hdr ip;
    memset(&ip, 0, sizeof ip);
    ip.src = hp->addr;
    ip.dst = dst_addr;
    ip.ttl = 64;
    ip.id = hp->ip_id++;
    uint8_t frame[FRAME_MAX];
    mac_addr dmac = dst >= 0 ? s->hosts[dst].mac : MAC_BROADCAST;
    size_t n = tcp_frame_encode(frame, sizeof frame, hp->mac, dmac, &ip, th,
                                data, len);
    if (n == 0)
        return;                /* larger than a frame: cannot happen, MSS-bound */
    net_send(s, h, dst, dst_addr, frame, n, TL_TCP, conn, why);
}

/* ---- TCBs and their wake-ups ------------------------------------------- */

static void tcp_emit_cb(void *ctx, struct tcp_conn *c, const struct tcp_hdr *h,
                        const uint8_t *data, size_t len, struct why why)
{
    struct sim *s = ctx;
    struct sim_conn *sc = (struct sim_conn *)c;
    send_tcp(s, sc->host, c->raddr, c->id, h, data, len, why);
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
static void after_tcb(struct sim *s, struct sim_conn *sc)
{
    if (sc->tcb.state == TCP_CLOSED ||
        (!sc->listener && sc->tcb.state == TCP_LISTEN && sc->tcb.passive))
        sc->detached = 1;
    sync_timer(s, sc);
}

static struct sim_conn *new_conn(struct sim *s, int h, const char *idtext,
                                 ip4_addr raddr, uint16_t lport, uint16_t rport)
{
    struct sim_host *hp = &s->hosts[h];
    struct sim_conn *sc = xcalloc(1, sizeof *sc);
    struct tcp_config cfg;
    tcp_config_default(&cfg);
    cfg.mss = (uint16_t)hp->cfg->tcp.mss;
    cfg.rto_us = hp->cfg->tcp.rto_us;
    cfg.retries = hp->cfg->tcp.retries;
    cfg.msl_us = hp->cfg->tcp.msl_us;
    cfg.nagle = hp->cfg->tcp.nagle;
    cfg.two_way = hp->cfg->tcp.two_way;
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

static void conn_name(const struct sim *s, int h, uint16_t lport, ip4_addr raddr,
                      uint16_t rport, char *buf, size_t n)
{
    int r = host_by_addr(s, raddr);
    char rname[40];
    if (r >= 0)
        snprintf(rname, sizeof rname, "%s", host_name(s, r));
    else
        ip4_str(raddr, rname, sizeof rname);
    snprintf(buf, n, "%s:%u-%s:%u", host_name(s, h), lport, rname, rport);
}

static int port_in_use(const struct sim_host *hp, uint16_t port)
{
    for (int i = 0; i < hp->nconns; i++)
        if (!hp->conns[i]->detached && hp->conns[i]->tcb.lport == port)
            return 1;
    return 0;
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

static void tcp_arrive(struct sim *s, int h, const struct frame *f)
{
    struct sim_host *hp = &s->hosts[h];
    struct sim_conn *listener, *sc = demux(hp, f, &listener);
    const struct tcp_hdr *th = &f->tcp;
    if (!sc && listener && (th->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
        /* A SYN for a listening socket: a new TCB that starts in LISTEN
         * and takes the SYN (RFC 9293 3.10.7.2), leaving the listener. */
        char name[128];
        conn_name(s, h, th->dport, f->ip.src, th->sport, name, sizeof name);
        sc = new_conn(s, h, name, f->ip.src, th->dport, th->sport);
        tcp_spawn(&sc->tcb, &listener->tcb, sc->tcb.id, f->ip.src, th->sport);
    } else if (!sc && listener) {
        sc = listener;
    }
    if (sc) {
        tcp_input(&sc->tcb, s->now, th, f->payload, f->payload_len);
        after_tcb(s, sc);
        return;
    }
    /* RFC 9293 3.10.7.1: no TCB ("CLOSED"): answer with a reset */
    struct tcp_hdr rst;
    if (tcp_reset_for(th, f->payload_len, &rst) == 0) {
        send_tcp(s, h, f->ip.src, 0, &rst, NULL, 0, WHY0(N_SEG_RST_CLOSED));
    }
}

static void deliver(struct sim *s, struct flight *fl)
{
    size_t len;
    const uint8_t *bytes = trace_blob_data(&s->tr, fl->pkt, &len);
    struct frame f;
    char err[64];
    int ok = frame_decode(bytes, len, &f, err, sizeof err) == 0;
    int layer = ok && f.l4 == IPPROTO_TCP_NUM ? TL_TCP
              : ok && f.l4 == IPPROTO_UDP_NUM ? TL_UDP : TL_ETH;
    if (!ok || (f.has_ip && (!f.ip_csum_ok || (f.l4 && !f.l4_csum_ok)))) {
        trace_packet(&s->tr, s->now, TK_DROP, fl->dst, layer, fl->src, fl->dst,
                     fl->pkt, 0, DR_CSUM, WHY0(N_NET_CSUM));
        return;
    }
    trace_packet(&s->tr, s->now, TK_RECV, fl->dst, layer, fl->src, fl->dst,
                 fl->pkt, 0, 0, fl->why);
    if (f.has_ip && f.ip.dst == s->hosts[fl->dst].addr &&
        f.l4 == IPPROTO_TCP_NUM)
        tcp_arrive(s, fl->dst, &f);
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

static struct sim_conn *current_conn(struct sim *s, int h)
{
    struct sim_host *hp = &s->hosts[h];
    return hp->current >= 0 ? hp->conns[hp->current] : NULL;
}

static void run_action(struct sim *s, const struct scn_action *a)
{
    int h = a->host;
    struct sim_host *hp = h >= 0 ? &s->hosts[h] : NULL;
    struct sim_conn *sc;
    char name[128];
    int r;

    switch (a->kind) {
    case ACT_NOTE:
        trace_note(&s->tr, s->now, -1, a->text ? a->text : "");
        return;
    case ACT_INJECT: {
        struct tcp_hdr th = a->seg;
        uint32_t why = trace_intern(&s->tr, a->text ? a->text
                                             : "a segment from nowhere");
        send_tcp(s, h, s->hosts[a->peer].addr, 0, &th, NULL, 0,
                 WHY(N_SEG_INJECT, why));
        return;
    }
    case ACT_LISTEN:
        if (port_in_use(hp, a->port)) {
            trace_app(&s->tr, s->now, h, TL_TCP, 0, AC_LISTEN, -TCPE_EXISTS,
                      NULL, 0, WHY(N_APP_ERR_NOCONN,
                                   trace_intern(&s->tr, "port already in use")));
            return;
        }
        snprintf(name, sizeof name, "%s:%u", host_name(s, h), a->port);
        sc = new_conn(s, h, name, 0, a->port, 0);
        sc->listener = 1;
        trace_app(&s->tr, s->now, h, TL_TCP, sc->tcb.id, AC_LISTEN, 0, NULL, 0,
                  WHY(N_APP_LISTEN, a->port));
        tcp_listen(&sc->tcb, s->now);
        after_tcb(s, sc);
        return;
    case ACT_CONNECT: {
        uint16_t lport = a->lport;
        if (!lport) {
            do
                lport = hp->next_port++;
            while (port_in_use(hp, lport) && hp->next_port != 0);
            if (hp->next_port == 0)
                hp->next_port = 49152;
        } else if (port_in_use(hp, lport)) {
            trace_app(&s->tr, s->now, h, TL_TCP, 0, AC_CONNECT, -TCPE_EXISTS,
                      NULL, 0, WHY(N_APP_ERR_NOCONN,
                                   trace_intern(&s->tr, "port already in use")));
            return;
        }
        ip4_addr raddr = s->hosts[a->peer].addr;
        conn_name(s, h, lport, raddr, a->port, name, sizeof name);
        sc = new_conn(s, h, name, raddr, lport, a->port);
        trace_app(&s->tr, s->now, h, TL_TCP, sc->tcb.id, AC_CONNECT, 0, NULL, 0,
                  WHY(N_APP_CONNECT, raddr, a->port));
        tcp_connect(&sc->tcb, s->now);
        after_tcb(s, sc);
        return;
    }
    default:
        break;
    }

    static const int calls[] = {
        [ACT_SEND] = AC_SEND, [ACT_RECV] = AC_RECV, [ACT_SHUTDOWN] = AC_SHUTDOWN,
        [ACT_CLOSE] = AC_CLOSE, [ACT_ABORT] = AC_ABORT,
    };
    int call = calls[a->kind];
    sc = current_conn(s, h);
    if (!sc) {
        app_error(s, h, call, NULL, -TCPE_NOTCONN);
        return;
    }
    uint32_t id = sc->tcb.id;
    switch (a->kind) {
    case ACT_SEND: {
        /* The record goes first so that the segments it causes follow it. */
        size_t at = trace_app(&s->tr, s->now, h, TL_TCP, id, AC_SEND,
                              (int)a->len, a->data, a->len,
                              WHY(N_APP_SEND, (int64_t)a->len));
        long n = tcp_send(&sc->tcb, s->now, a->data, a->len);
        if (n < 0) {
            s->tr.recs[at].u.app.ret = (int32_t)n;
            s->tr.recs[at].why = WHY(N_APP_ERR_STATE, sc->tcb.state,
                                     trace_intern(&s->tr, tcp_err_str((int)n)));
        }
        break;
    }
    case ACT_RECV: {
        uint8_t *buf = xcalloc(a->recv_max, 1);
        size_t at = trace_app(&s->tr, s->now, h, TL_TCP, id, AC_RECV, 0, NULL,
                              0, WHY0(N_APP_RECV_NONE));
        long n = tcp_recv(&sc->tcb, s->now, buf, a->recv_max);
        struct trace_rec *rec = &s->tr.recs[at];
        rec->u.app.ret = (int32_t)n;
        if (n > 0) {
            rec->u.app.data = trace_blob(&s->tr, buf, (size_t)n);
            rec->why = WHY(N_APP_RECV, n, (int64_t)a->recv_max);
        } else if (n < 0) {
            rec->why = WHY(N_APP_ERR_STATE, sc->tcb.state,
                           trace_intern(&s->tr, tcp_err_str((int)n)));
        }
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
    after_tcb(s, sc);
}

/* ---- the run -------------------------------------------------------------- */

void sim_init(struct sim *s, const struct scenario *scn, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->scn = scn;
    trace_init(&s->tr);
    eq_init(&s->q);
    rng_seed(&s->rng, seed);
    s->end_us = DEFAULT_END_US;
    s->max_events = DEFAULT_MAX_EVENTS;
    s->nhosts = scn->nhosts;
    s->hosts = xcalloc((size_t)scn->nhosts, sizeof *s->hosts);
    for (int i = 0; i < scn->nhosts; i++) {
        struct sim_host *hp = &s->hosts[i];
        hp->cfg = &scn->hosts[i];
        hp->addr = scn->hosts[i].addr;
        /* locally administered unicast MACs, one per host */
        hp->mac = (mac_addr){ { 0x02, 0x00, 0x00, 0x00, (uint8_t)(i >> 8),
                                (uint8_t)(i + 1) } };
        hp->next_port = 49152;
        hp->current = -1;
        trace_add_host(&s->tr, scn->hosts[i].name, hp->addr);
    }
    s->link_of = xcalloc((size_t)scn->nhosts * (size_t)scn->nhosts,
                         sizeof *s->link_of);
    for (int i = 0; i < scn->nhosts * scn->nhosts; i++)
        s->link_of[i] = -1;
    for (int i = 0; i < scn->nlinks; i++) {
        const struct scn_link *l = &scn->links[i];
        s->link_of[l->a * scn->nhosts + l->b] = i;
        s->link_of[l->b * scn->nhosts + l->a] = i;
    }
    s->fault_seen = xcalloc((size_t)scn->nfaults, sizeof *s->fault_seen);
    for (int i = 0; i < scn->nactions; i++)
        eq_schedule(&s->q, scn->actions[i].t_us, EV_ACTION, NULL, i);
}

void sim_run(struct sim *s)
{
    struct event e;
    while (eq_pop(&s->q, &e)) {
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
            deliver(s, e.ptr);
            free(e.ptr);
            break;
        case EV_TCP_TIMER: {
            struct sim_conn *sc = e.ptr;
            sc->timer_ev = 0;
            sc->timer_at = -1;
            tcp_timer(&sc->tcb, s->now);
            after_tcb(s, sc);
            break;
        }
        }
    }
    /* free whatever is still in flight after a truncated run */
    while (eq_pop(&s->q, &e))
        if (e.type == EV_DELIVER)
            free(e.ptr);
}

void sim_free(struct sim *s)
{
    for (int i = 0; i < s->nhosts; i++) {
        for (int j = 0; j < s->hosts[i].nconns; j++) {
            tcp_destroy(&s->hosts[i].conns[j]->tcb);
            free(s->hosts[i].conns[j]);
        }
        free(s->hosts[i].conns);
    }
    free(s->hosts);
    free(s->link_of);
    free(s->fault_seen);
    eq_free(&s->q);
    trace_free(&s->tr);
    memset(s, 0, sizeof *s);
}

/* ---- expectations, read from the trace ----------------------------------- */

int trace_host_tcp_state_at(const struct trace *tr, int host, int64_t t)
{
    /* the connection that appeared last, and its last state at or before t */
    uint32_t latest = 0;
    int state = TCP_CLOSED;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->t_us > t)
            break;
        if (r->kind != TK_STATE || r->layer != TL_TCP || r->host != host)
            continue;
        if (r->conn != latest) {
            /* is this a connection seen before? then it is not newer */
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++)
                seen = tr->recs[j].kind == TK_STATE &&
                       tr->recs[j].layer == TL_TCP &&
                       tr->recs[j].conn == r->conn;
            if (seen)
                continue;
            latest = r->conn;
        }
        state = r->u.state.to;
    }
    return state;
}

static void add_msg(char ***out, int *nout, const char *msg)
{
    if (!out)
        return;
    char **n = realloc(*out, (size_t)(*nout + 1) * sizeof **out);
    if (!n)
        abort();
    *out = n;
    (*out)[(*nout)++] = strdup(msg);
}

int sim_check(const struct sim *s, char ***out, int *nout)
{
    const struct trace *tr = &s->tr;
    const struct scenario *scn = s->scn;
    int failures = 0;
    char msg[1024], d[32];

    for (int i = 0; i < scn->nexpects; i++) {
        const struct scn_expect *e = &scn->expects[i];
        int ok = 1;
        char actual[512] = "";
        switch (e->kind) {
        case EXP_STATE_BY: {
            ok = 0;
            int64_t first = -1;
            for (size_t k = 0; k < tr->n && !ok; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind == TK_STATE && r->layer == TL_TCP &&
                    r->host == e->host && r->u.state.to == e->state) {
                    if (r->t_us <= e->t_us)
                        ok = 1;
                    else if (first < 0)
                        first = r->t_us;
                }
            }
            if (!ok && first >= 0)
                snprintf(actual, sizeof actual, "it entered %s only at %s",
                         tcp_state_name(e->state), fmt_duration(first, d, sizeof d));
            else if (!ok)
                snprintf(actual, sizeof actual, "it never entered %s",
                         tcp_state_name(e->state));
            break;
        }
        case EXP_STATE_AT: {
            int st = trace_host_tcp_state_at(tr, e->host, e->t_us);
            ok = st == e->state;
            if (!ok)
                snprintf(actual, sizeof actual, "it was %s at %s",
                         tcp_state_name(st), fmt_duration(e->t_us, d, sizeof d));
            break;
        }
        case EXP_NEVER:
            for (size_t k = 0; k < tr->n && ok; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind == TK_STATE && r->layer == TL_TCP &&
                    r->host == e->host && r->u.state.to == e->state) {
                    ok = 0;
                    snprintf(actual, sizeof actual, "it entered %s at %s",
                             tcp_state_name(e->state),
                             fmt_duration(r->t_us, d, sizeof d));
                }
            }
            break;
        case EXP_RECEIVED: {
            size_t total = 0, cap = 64, pos = 0;
            uint8_t *all = xcalloc(cap, 1);
            for (size_t k = 0; k < tr->n; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind != TK_APP || r->host != e->host ||
                    r->u.app.call != AC_RECV || !r->u.app.data)
                    continue;
                size_t n;
                const uint8_t *p = trace_blob_data(tr, r->u.app.data, &n);
                if (total + n > cap) {
                    while (cap < total + n)
                        cap *= 2;
                    all = realloc(all, cap);
                    if (!all)
                        abort();
                }
                memcpy(all + total, p, n);
                total += n;
            }
            ok = total == e->len && (total == 0 || !memcmp(all, e->data, total));
            if (!ok) {
                pos = (size_t)snprintf(actual, sizeof actual,
                                       "it read %zu bytes: \"", total);
                for (size_t k = 0; k < total && pos + 8 < sizeof actual; k++) {
                    uint8_t ch = all[k];
                    if (ch >= 32 && ch < 127 && ch != '"' && ch != '\\')
                        actual[pos++] = (char)ch;
                    else
                        pos += (size_t)snprintf(actual + pos, sizeof actual - pos,
                                                "\\x%02x", ch);
                }
                snprintf(actual + pos, sizeof actual - pos, "\"");
            }
            free(all);
            break;
        }
        case EXP_COUNT: {
            long count = 0;
            for (size_t k = 0; k < tr->n; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind != TK_SEND || r->u.pkt.dup)
                    continue;
                size_t n;
                const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &n);
                struct frame f;
                char err[64];
                if (frame_decode(p, n, &f, err, sizeof err) != 0 || !f.has_ip)
                    continue;
                if (scn_match_frame(&e->m, r->u.pkt.src, r->u.pkt.dst, f.l4,
                                    f.l4 == IPPROTO_TCP_NUM ? f.tcp.flags : 0,
                                    f.payload_len))
                    count++;
            }
            ok = count == e->count;
            if (!ok)
                snprintf(actual, sizeof actual, "counted %ld", count);
            break;
        }
        }
        if (!ok) {
            failures++;
            snprintf(msg, sizeof msg, "%s:%d: expectation failed: %s (%s)",
                     scn->path, e->line, e->src_text ? e->src_text : "?", actual);
            add_msg(out, nout, msg);
        }
    }
    return failures;
}
