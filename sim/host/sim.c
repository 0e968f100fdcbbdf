/* sim.c — runs a scenario: the event loop, demultiplexing to TCBs and
 * sockets, and the application calls.  The network is in net.c, the
 * expect checks in expect.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "simint.h"
#include "app.h"
#include "alloc.h"

/* RFC 6335 6: the dynamic (ephemeral) ports are 49152-65535. */
#define EPHEMERAL_FIRST 49152u
#define EPHEMERAL_COUNT (65536u - EPHEMERAL_FIRST)

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
    int64_t d = sc->tcb.state == TCPS_CLOSED ? -1 : tcp_deadline(&sc->tcb);
    if (d == sc->timer_at)
        return;
    eq_cancel(&s->q, sc->timer_ev);
    sc->timer_ev = 0;
    sc->timer_at = d;
    if (d >= 0)
        sc->timer_ev = eq_schedule(&s->q, d < s->now ? s->now : d,
                                   EV_TCP_TIMER, sc, 0);
}

/* ---- the demultiplexing table: (local port, remote address, remote port) */

static size_t tuple_hash(uint16_t lport, ip4_addr raddr, uint16_t rport)
{
    uint64_t k = (uint64_t)lport << 48 | (uint64_t)rport << 32 | raddr;
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

static size_t tuple_home(const struct sim_host *hp, const struct sim_conn *sc)
{
    return tuple_hash(sc->tcb.lport, sc->tcb.raddr, sc->tcb.rport) &
           (hp->captuples - 1);
}

static void tuple_put(struct sim_host *hp, struct sim_conn *sc)
{
    size_t j = tuple_home(hp, sc);
    while (hp->tuples[j])
        j = (j + 1) & (hp->captuples - 1);
    hp->tuples[j] = sc;
}

static void tuple_insert(struct sim *s, struct sim_host *hp,
                         struct sim_conn *sc)
{
    if (2 * (hp->ntuples + 1) > hp->captuples) {
        struct sim_conn **old = hp->tuples;
        size_t oldcap = hp->captuples;
        hp->captuples = oldcap ? oldcap * 2 : 16;
        hp->tuples = xcalloc(hp->captuples, sizeof *hp->tuples);
        s->mem_tcbs += (hp->captuples - oldcap) * sizeof *hp->tuples;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                tuple_put(hp, old[i]);
        free(old);
    }
    tuple_put(hp, sc);
    hp->ntuples++;
}

static struct sim_conn *tuple_find(const struct sim_host *hp, uint16_t lport,
                                   ip4_addr raddr, uint16_t rport)
{
    if (!hp->captuples)
        return NULL;
    size_t mask = hp->captuples - 1;
    for (size_t j = tuple_hash(lport, raddr, rport) & mask; hp->tuples[j];
         j = (j + 1) & mask) {
        const struct tcp_conn *c = &hp->tuples[j]->tcb;
        if (c->lport == lport && c->raddr == raddr && c->rport == rport)
            return hp->tuples[j];
    }
    return NULL;
}

/* Linear probing's deletion: entries after the hole that may not sit
 * before their home slot move back into it. */
static void tuple_remove(struct sim_host *hp, const struct sim_conn *sc)
{
    size_t mask = hp->captuples - 1, i = tuple_home(hp, sc);
    while (hp->tuples[i] != sc) {
        if (!hp->tuples[i])
            return;
        i = (i + 1) & mask;
    }
    for (size_t j = (i + 1) & mask; hp->tuples[j]; j = (j + 1) & mask) {
        size_t k = tuple_home(hp, hp->tuples[j]);
        /* move it unless its home lies cyclically in (i, j] */
        if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
            hp->tuples[i] = hp->tuples[j];
            i = j;
        }
    }
    hp->tuples[i] = NULL;
    hp->ntuples--;
}

static size_t port_home(uint32_t key, size_t cap)
{
    return (key * 2654435761u) & (cap - 1);
}

/* The counter of port on this host, or NULL if the host never used it. */
static const struct sim_port_refs *port_find(const struct sim_host *hp,
                                             uint16_t port)
{
    uint32_t key = (uint32_t)port + 1;
    for (size_t j = hp->capports ? port_home(key, hp->capports) : 0;
         hp->capports && hp->ports[j].key; j = (j + 1) & (hp->capports - 1))
        if (hp->ports[j].key == key)
            return &hp->ports[j];
    return NULL;
}

/* The counter of port on this host, added (count 0) if it is new. */
static struct sim_port_refs *port_slot(struct sim *s, struct sim_host *hp,
                                       uint16_t port)
{
    uint32_t key = (uint32_t)port + 1;
    if (2 * (hp->nports + 1) > hp->capports) {
        struct sim_port_refs *old = hp->ports;
        size_t oldcap = hp->capports;
        hp->capports = oldcap ? 2 * oldcap : 16;
        hp->ports = xcalloc(hp->capports, sizeof *hp->ports);
        s->mem_tcbs += (hp->capports - oldcap) * sizeof *hp->ports;
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].key)
                continue;
            size_t k = port_home(old[i].key, hp->capports);
            while (hp->ports[k].key)
                k = (k + 1) & (hp->capports - 1);
            hp->ports[k] = old[i];
        }
        free(old);
    }
    size_t j = port_home(key, hp->capports);
    while (hp->ports[j].key && hp->ports[j].key != key)
        j = (j + 1) & (hp->capports - 1);
    if (!hp->ports[j].key) {
        hp->ports[j].key = key;
        hp->nports++;
    }
    return &hp->ports[j];
}

/* A TCB enters (d = 1) or leaves (d = -1) the demultiplexing table. */
static struct sim_port_refs *port_ref(struct sim *s, struct sim_host *hp,
                                      uint16_t port, int d)
{
    struct sim_port_refs *pr = port_slot(s, hp, port);
    int eph = port >= EPHEMERAL_FIRST;
    if (d > 0 && pr->refs++ == 0 && eph)
        hp->ephemeral_used++;
    else if (d < 0 && --pr->refs == 0 && eph)
        hp->ephemeral_used--;
    return pr;
}

/* ---- the TCBs' lives: their bytes, and freeing them --------------------- */

/* A TCB's bytes as the memory budget counts them. */
static uint64_t conn_bytes(const struct sim_conn *sc)
{
    uint64_t b = sizeof *sc + sc->tcb.sndq.cap + sc->tcb.rcvq.cap +
                 sc->frame_cap;
    for (const struct tcp_ooo *o = sc->tcb.ooo; o; o = o->next)
        b += sizeof *o + o->len;
    return b;
}

/* Brings sc's share of mem_tcbs up to date (after any call into it). */
static void recount(struct sim *s, struct sim_conn *sc)
{
    uint64_t b = conn_bytes(sc);
    s->mem_tcbs = s->mem_tcbs - sc->counted + b;
    sc->counted = b;
}

/* Nothing refers to sc any more, so it can be freed: it is out of the
 * demultiplexing table and can take no segment (CLOSED, or a child back in
 * LISTEN, which only its listener's port could reach); no wake-up of its
 * own is pending; and no application call can name it, since a raw call
 * acts on the host's newest TCB and this one is not that.  The trace names
 * connections by interned id, never by pointer; applications keep no
 * pointer to a TCB outside their own events; a listener holds no list of
 * its children. */
static int unreferenced(const struct sim *s, const struct sim_conn *sc)
{
    return sc->detached && sc->timer_ev == 0 &&
           s->hosts[sc->host].current != sc &&
           (sc->tcb.state == TCPS_CLOSED ||
            (!sc->listener && sc->tcb.state == TCPS_LISTEN && sc->tcb.passive));
}

/* sc goes on the list of TCBs to free when the event ends: callers in the
 * middle of an event may still hold it (a TIME-WAIT TCB that a SYN
 * reopens hands its numbers on after it closed). */
static void maybe_reap(struct sim *s, struct sim_conn *sc)
{
    if (sc->reaping || !unreferenced(s, sc))
        return;
    if (s->nreap == s->capreap) {
        s->capreap = s->capreap ? 2 * s->capreap : 16;
        s->reap = xreallocarray(s->reap, s->capreap, sizeof *s->reap);
    }
    s->reap[s->nreap++] = sc;
    sc->reaping = 1;
}

/* A TCB's queues go back to the allocator; its own memory to the spare
 * list, since a run that opens one connection after another would
 * otherwise allocate and free one per connection. */
static void release_conn(struct sim *s, struct sim_conn *sc)
{
    tcp_destroy(&sc->tcb);
    free(sc->frame_buf);
    sc->next_spare = s->spare_conns;
    s->spare_conns = sc;
}

static void free_conn(struct sim *s, struct sim_conn *sc)
{
    struct sim_host *hp = &s->hosts[sc->host];
    hp->conns[sc->slot] = hp->conns[--hp->nconns];
    hp->conns[sc->slot]->slot = sc->slot;
    s->mem_tcbs -= sc->counted;
    release_conn(s, sc);
}

/* At the end of an event: frees the TCBs that nothing refers to. */
static void reap(struct sim *s)
{
    for (size_t i = 0; i < s->nreap; i++) {
        struct sim_conn *sc = s->reap[i];
        sc->reaping = 0;
        if (unreferenced(s, sc))
            free_conn(s, sc);
    }
    s->nreap = 0;
}

/* After any call into a TCB: reschedule its wake-up, and take it out of the
 * demultiplexing table once it is CLOSED or (a child) back in LISTEN. */
void sim_after_tcb(struct sim *s, struct sim_conn *sc)
{
    if (!sc->detached && (sc->tcb.state == TCPS_CLOSED ||
        (!sc->listener && sc->tcb.state == TCPS_LISTEN && sc->tcb.passive))) {
        sc->detached = 1;
        struct sim_port_refs *pr = port_ref(s, &s->hosts[sc->host],
                                            sc->tcb.lport, -1);
        if (pr->listener == sc)
            pr->listener = NULL;
        if (sc->tcb.raddr && !sc->listener)
            tuple_remove(&s->hosts[sc->host], sc);
    }
    app_poll(s, sc);
    sync_timer(s, sc);
    recount(s, sc);
    maybe_reap(s, sc);
}

struct sim_conn *sim_new_conn(struct sim *s, int h, const char *idtext,
                                 ip4_addr raddr, uint16_t lport, uint16_t rport)
{
    struct sim_host *hp = &s->hosts[h];
    struct sim_conn *sc = s->spare_conns;
    if (sc) {
        s->spare_conns = sc->next_spare;
        memset(sc, 0, sizeof *sc);
    } else {
        sc = xcalloc(1, sizeof *sc);
    }
    struct tcp_config cfg;
    tcp_config_default(&cfg);
    /* every `tcp` setting has a field of the same name in tcp_config; the
     * parser kept each value within the range the table gives */
#define SCN_TCP_COPY(id, kw, field, type, kind, lo, hi, def, what) \
    cfg.field = hp->cfg->tcp.field;
    SCN_TCP_SETTINGS(SCN_TCP_COPY)
#undef SCN_TCP_COPY
    struct tcp_env env = { &s->tr, h, tcp_emit_cb, choose_iss_cb, s };
    tcp_init(&sc->tcb, &cfg, &env, trace_intern(&s->tr, idtext),
             hp->addr, lport, raddr, rport);
    sc->host = h;
    sc->timer_at = -1;
    if (hp->nconns == hp->capconns) {
        size_t cap = hp->capconns ? hp->capconns * 2 : 4;
        hp->conns = xreallocarray(hp->conns, cap, sizeof *hp->conns);
        s->mem_tcbs += (cap - hp->capconns) * sizeof *hp->conns;
        hp->capconns = cap;
    }
    sc->slot = hp->nconns;
    hp->conns[hp->nconns++] = sc;
    /* the newest TCB is the one raw calls act on; the one before may now
     * be unreferenced */
    struct sim_conn *was = hp->current;
    hp->current = sc;
    if (was)
        maybe_reap(s, was);
    port_ref(s, hp, lport, 1);
    if (raddr)                 /* a listener has no remote end */
        tuple_insert(s, hp, sc);
    recount(s, sc);
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
    const struct sim_port_refs *pr = port_find(hp, port);
    return pr && pr->refs;
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
    port_slot(s, &s->hosts[h], port)->listener = sc;
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
        if (hp->ephemeral_used >= (int)EPHEMERAL_COUNT) {
            /* Every ephemeral port has a TCB: as a kernel's connect()
             * fails with EADDRNOTAVAIL, so does this one. */
            trace_app(&s->tr, s->now, h, TL_TCP, 0, AC_CONNECT, -TCPE_NOSPACE,
                      NULL, 0, WHY(N_APP_ERR_NOPORT, (int64_t)EPHEMERAL_COUNT,
                                   (int64_t)EPHEMERAL_FIRST, 65535));
            return NULL;
        }
        /* the next free port in turn, wrapping from 65535 to 49152; one
         * is free, so the walk ends */
        while (sim_port_in_use(hp, hp->next_port))
            hp->next_port = hp->next_port == 65535 ? (uint16_t)EPHEMERAL_FIRST
                                                   : hp->next_port + 1;
        lport = hp->next_port;
        hp->next_port = hp->next_port == 65535 ? (uint16_t)EPHEMERAL_FIRST
                                               : hp->next_port + 1;
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

/* The listening socket on port, or NULL: the one attached there, if it
 * is still in LISTEN. */
static struct sim_conn *listener_on(struct sim_host *hp, uint16_t port)
{
    const struct sim_port_refs *pr = port_find(hp, port);
    struct sim_conn *sc = pr ? pr->listener : NULL;
    return sc && !sc->detached && sc->tcb.state == TCPS_LISTEN ? sc : NULL;
}

/* The TCB an arriving segment belongs to, and the listener on its port (for
 * a SYN that matches no connection, or one that meets TIME-WAIT). */
static struct sim_conn *demux(struct sim_host *hp, const struct frame *f,
                              struct sim_conn **listener)
{
    *listener = listener_on(hp, f->tcp.dport);
    /* at most one attached TCB has this remote end (a second would have
     * needed the port free) */
    return tuple_find(hp, f->tcp.dport, f->ip.src, f->tcp.sport);
}

/* A host could not reach a next hop by ARP.  TCP treats it as a soft error
 * (RFC 1122 4.2.3.9): the segment is lost and retransmission carries on;
 * the record tells the application why. */
void sim_unreachable(struct sim *s, int h, ip4_addr next_hop, uint32_t conn,
                     int layer)
{
    /* ARP failed for next_hop: the error names ARP and that address */
    trace_app(&s->tr, s->now, h, layer, conn, AC_ERROR, -1, NULL, 0,
              layer == TL_TCP ? WHY(N_ARP_ERR_TCP, next_hop)
                              : WHY(N_ARP_ERR_DGRAM, next_hop));
}

void sim_tcp_arrive(struct sim *s, int h, const struct frame *f)
{
    struct sim_host *hp = &s->hosts[h];
    struct sim_conn *listener, *sc = demux(hp, f, &listener);
    const struct tcp_hdr *th = &f->tcp;
    struct sim_conn *old = NULL;
    if (sc && sc->tcb.state == TCPS_TIME_WAIT) {
        /* RFC 9293 3.6.1 (MAY-2): a new SYN may reopen from TIME-WAIT; the
         * TCB decides, and says whether the listener takes the SYN. */
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
        sc->app = listener->app;
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
    return s->hosts[h].current;
}

long sim_app_recv(struct sim *s, struct sim_conn *sc, uint8_t *buf, size_t max)
{
    /* The bytes are taken first and the record made, so that a window
     * update the read causes follows it. */
    long n = tcp_read(&sc->tcb, buf, max);
    struct why why = WHY0(N_APP_RECV_NONE);
    if (n > 0)
        why = WHY(N_APP_RECV, n, (int64_t)max);
    else if (n < 0)
        why = WHY(N_APP_ERR_STATE, sc->tcb.state,
                  trace_intern(&s->tr, tcp_err_str((int)n)));
    else if (sc->tcb.fin_received)
        /* 0 after the peer's FIN is the end of the stream (RFC 9293
         * 3.10.3: "connection closing"), not an empty buffer */
        why = WHY0(N_APP_RECV_EOF);
    trace_app(&s->tr, s->now, sc->host, TL_TCP, sc->tcb.id, AC_RECV, (int)n,
              buf, n > 0 ? (size_t)n : 0, why);
    if (n > 0)
        tcp_read_done(&sc->tcb);
    return n;
}

/* The connection a TCP call names with `on port` / `with PEER [port]`: by
 * its four-tuple when all three are given, else the host's newest that
 * matches (a scan, for lessons that name a connection by less). */
static struct sim_conn *named_conn(struct sim *s, int h, const struct scn_action *a)
{
    struct sim_host *hp = &s->hosts[h];
    ip4_addr raddr = a->with_peer >= 0 ? s->hosts[a->with_peer].addr : 0;
    if (a->on_lport && raddr && a->with_rport) {
        struct sim_conn *sc = tuple_find(hp, a->on_lport, raddr, a->with_rport);
        if (sc)
            return sc;
    }
    for (int j = hp->nconns - 1; j >= 0; j--) {
        const struct tcp_conn *c = &hp->conns[j]->tcb;
        if ((!a->on_lport || c->lport == a->on_lport) && (!raddr || c->raddr == raddr) &&
            (!a->with_rport || c->rport == a->with_rport))
            return hp->conns[j];
    }
    return NULL;
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
        trace_note(&s->tr, s->now, -1,
                   a->text ? scn_text(s->scn, a->text, a->text_zh) : "", N_NOTE);
        return;
    case ACT_INJECT: {
        struct tcp_hdr th = a->seg;
        uint32_t why = trace_intern(&s->tr, a->text ? scn_text(s->scn, a->text, a->text_zh)
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
    sc = a->named ? named_conn(s, h, a) : sim_current_conn(s, h);
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
            framed = xcalloc(len + 4, 1);
            framed[0] = (uint8_t)(len >> 24);
            framed[1] = (uint8_t)(len >> 16);
            framed[2] = (uint8_t)(len >> 8);
            framed[3] = (uint8_t)len;
            memcpy(framed + 4, a->data, len);
            why = WHY(N_APP_FRAMED, (int64_t)len, (int64_t)len + 4);
            data = framed;
            len += 4;
        }
        /* The record goes first so that the segments it causes follow it;
         * TCP says beforehand whether it will take the bytes. */
        int e = tcp_refusal(&sc->tcb, AC_SEND, len);
        if (e)
            why = WHY(N_APP_ERR_STATE, sc->tcb.state,
                      trace_intern(&s->tr, tcp_err_str(e)));
        trace_app(&s->tr, s->now, h, TL_TCP, id, AC_SEND, e ? e : (int)len,
                  data, len, why);
        if (!e)
            tcp_send(&sc->tcb, s->now, data, len);
        free(framed);
        break;
    }
    case ACT_RECV: {
        uint8_t *buf = xcalloc(a->recv_max, 1);
        sim_app_recv(s, sc, buf, a->recv_max);
        free(buf);
        break;
    }
    case ACT_SHUTDOWN: case ACT_CLOSE: case ACT_ABORT: {
        int why = a->kind == ACT_SHUTDOWN ? N_APP_SHUTDOWN
                : a->kind == ACT_CLOSE ? N_APP_CLOSE : N_APP_ABORT;
        r = tcp_refusal(&sc->tcb, call, 0);
        trace_app(&s->tr, s->now, h, TL_TCP, id, call, r, NULL, 0,
                  r ? WHY(N_APP_ERR_STATE, sc->tcb.state,
                          trace_intern(&s->tr, tcp_err_str(r)))
                    : WHY0(why));
        if (r)
            break;
        if (a->kind == ACT_SHUTDOWN)
            tcp_shutdown(&sc->tcb, s->now);
        else if (a->kind == ACT_CLOSE)
            tcp_close(&sc->tcb, s->now);
        else
            tcp_abort(&sc->tcb, s->now);
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
    fwd_watch(s);
    eq_init(&s->q);
    rng_seed(&s->rng, seed);
    s->nhosts = scn->nhosts;
    s->hosts = xcalloc((size_t)scn->nhosts, sizeof *s->hosts);
    for (int i = 0; i < scn->nhosts; i++) {
        struct sim_host *hp = &s->hosts[i];
        hp->cfg = &scn->hosts[i];
        hp->addr = scn->hosts[i].addr;
        hp->next_port = (uint16_t)EPHEMERAL_FIRST;
        trace_add_host(&s->tr, scn->hosts[i].name, hp->addr);
    }
    net_init(s);
    app_init(s);
    s->fault_seen = xcalloc((size_t)scn->nfaults, sizeof *s->fault_seen);
    s->next_action = 0;
}

static void free_state(struct sim *s)
{
    for (int i = 0; i < s->nhosts; i++) {
        for (size_t j = 0; j < s->hosts[i].nconns; j++)
            release_conn(s, s->hosts[i].conns[j]);
        free(s->hosts[i].conns);
        free(s->hosts[i].ports);
        free(s->hosts[i].tuples);
    }
    free(s->reap);
    app_free(s);
    net_free(s);
    free(s->hosts);
    free(s->fault_seen);
    fwd_free(s);
    eq_free(&s->q);
}

static int64_t default_end(const struct scenario *scn)
{
    int64_t last = 0;
    for (int i = 0; i < scn->nactions; i++)
        if (scn->actions[i].t_us > last)
            last = scn->actions[i].t_us;
    for (int i = 0; i < scn->nexpects; i++)
        if (scn->expects[i].t_us > last)
            last = scn->expects[i].t_us;
    return last + SIM_DEFAULT_END_US;
}

void sim_init(struct sim *s, const struct scenario *scn, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->end_us = default_end(scn);
    s->end_auto = 1;
    s->max_events = SIM_DEFAULT_MAX_EVENTS;
    s->max_frames = SIM_DEFAULT_MAX_FRAMES;
    s->max_trace = SIM_DEFAULT_MAX_TRACE;
    s->max_memory = SIM_DEFAULT_MAX_MEMORY;
    trace_init(&s->tr);
    init_state(s, scn, seed);
}

void sim_reset(struct sim *s, const struct scenario *scn, uint64_t seed)
{
    free_state(s);
    struct trace tr = s->tr;
    struct sim lim = *s;               /* the budgets carry over */
    memset(s, 0, sizeof *s);
    s->spare_conns = lim.spare_conns;
    s->end_us = lim.end_auto ? default_end(scn) : lim.end_us;
    s->end_auto = lim.end_auto;
    s->max_events = lim.max_events;
    s->max_frames = lim.max_frames;
    s->max_trace = lim.max_trace;
    s->max_memory = lim.max_memory;
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

/* ---- budgets --------------------------------------------------------------- */

static const char *const limit_names[] = {
    "",
#define X(id, name, opt, what) name,
    SIM_LIMITS(X)
#undef X
};
static const char *const limit_options[] = {
    "",
#define X(id, name, opt, what) opt,
    SIM_LIMITS(X)
#undef X
};
static const char *const limit_whats[] = {
    "",
#define X(id, name, opt, what) what,
    SIM_LIMITS(X)
#undef X
};

const char *sim_limit_name(int limit)
{
    return limit > LIM_NONE && limit < LIM_COUNT ? limit_names[limit] : "";
}

const char *sim_limit_option(int limit)
{
    return limit > LIM_NONE && limit < LIM_COUNT ? limit_options[limit] : "";
}

char *sim_limit_text(int limit, uint64_t value, char *buf, size_t n)
{
    char v[40];
    if (limit == LIM_TIME)
        fmt_duration((int64_t)value, v, sizeof v);
    else if (limit == LIM_TRACE || limit == LIM_MEMORY)
        snprintf(v, sizeof v, "%" PRIu64 " MiB", value >> 20);
    else
        snprintf(v, sizeof v, "%" PRIu64, value);
    snprintf(buf, n, "%s limit of %s",
             limit > LIM_NONE && limit < LIM_COUNT ? limit_whats[limit] : "no",
             v);
    return buf;
}

static uint64_t tcb_bytes(const struct sim *s)
{
    uint64_t b = 0;
    for (int h = 0; h < s->nhosts; h++) {
        const struct sim_host *hp = &s->hosts[h];
        b += (uint64_t)hp->capconns * sizeof *hp->conns +
             hp->captuples * sizeof *hp->tuples;
        b += (uint64_t)hp->capports * sizeof *hp->ports;
        for (size_t i = 0; i < hp->nconns; i++)
            b += conn_bytes(hp->conns[i]);
        b += sim_udp_bytes(hp);
    }
    return b;
}

/* Every part is counted on every check: the TCBs and UDP sockets by
 * mem_tcbs, which each change to them keeps up to date, so the check stays
 * O(1) however many hosts and connections there are. */
static uint64_t mem_estimate(const struct sim *s)
{
    return (uint64_t)trace_size(&s->tr) + eq_bytes(&s->q) +
           s->frames_in_flight * sizeof(struct flight) + s->mem_tcbs;
}

uint64_t sim_memory(const struct sim *s)
{
    return (uint64_t)trace_size(&s->tr) + eq_bytes(&s->q) +
           s->frames_in_flight * sizeof(struct flight) + tcb_bytes(s);
}

/* The sentences that name a runaway's likely cause, one per pattern the
 * end of the trace shows (filled with host and LAN names). */
#define STOP_CAUSES(X) \
    X(C_ARP_BCAST, "ARP requests are broadcast on %s, each to all %s other hosts on it: %s% of the frames in flight are their copies") \
    X(C_DUP_LOOP,  "frames multiply on %s: duplication with a routing loop?") \
    X(C_DUP,       "frames multiply on %s: the medium duplicates frames faster than they are delivered") \
    X(C_LOOP,      "packets circle between routers %s and %s: a routing loop (gateways that point at each other)?") \
    X(C_ZERO_WIN,  "%s's receive window stays closed (its application reads no more) and %s keeps probing it (RFC 9293 3.8.6.1)") \
    X(C_ACK_WAR,   "an endless ACK exchange between %s and %s") \
    X(C_SEG_WAR,   "segments go back and forth between %s and %s without end") \
    X(C_TIMERS,    "timers re-arm without end (%s on %s)") \
    X(C_BUSY,      "%s wrote most of the last records (%s): a lesson that never settles?") \
    X(C_ACTIONS,   "the lesson's own timeline has %s actions (at lines)") \
    X(C_PENDING,   "no single pattern dominates the last records; events were still pending when the run stopped")

enum stop_cause {
#define X(id, text) id,
    STOP_CAUSES(X)
#undef X
};
static const char *const cause_texts[] = {
#define X(id, text) text,
    STOP_CAUSES(X)
#undef X
};

/* Fills a cause template: each "%s" takes the next of v[0..3]. */
static void fill_n(char *buf, size_t n, int cause, const char *const v4[4])
{
    const char *t = cause_texts[cause];
    size_t o = 0, k = 0;
    for (; *t && o + 1 < n; t++) {
        if (t[0] == '%' && t[1] == 's') {
            const char *v = k < 4 && v4[k] ? v4[k] : "";
            k++;
            while (*v && o + 1 < n)
                buf[o++] = *v++;
            t++;
        } else {
            buf[o++] = *t;
        }
    }
    buf[o] = 0;
}

static void fill(char *buf, size_t n, int cause, const char *a, const char *b)
{
    const char *const v[4] = { a, b, NULL, NULL };
    fill_n(buf, n, cause, v);
}

/* The LAN with the most copies of ARP broadcasts in flight, if they are
 * at least half of all frames in flight: at the frames-in-flight limit,
 * a crowd that resolves addresses at once on one LAN (each broadcast goes
 * to every member) is the cause, whatever the last records show. */
static int arp_storm(const struct sim *s)
{
    int best = -1;
    for (int i = 0; i < s->nlans; i++)
        if (s->lans[i].arp_bcast_in_flight &&
            (best < 0 || s->lans[i].arp_bcast_in_flight >
                         s->lans[best].arp_bcast_in_flight))
            best = i;
    return best >= 0 && 2 * s->lans[best].arp_bcast_in_flight >=
                        s->frames_in_flight ? best : -1;
}

/* The medium two hosts share: "lan NAME" or "the link A-B". */
static void medium_name(const struct sim *s, int a, int b, char *buf, size_t n)
{
    if (a >= 0 && b >= 0 && net_link(s, a, b) >= 0) {
        snprintf(buf, n, "the link %s-%s", host_name(s, a), host_name(s, b));
        return;
    }
    for (int i = 0; a >= 0 && i < s->hosts[a].nifs; i++) {
        int lan = s->hosts[a].ifs[i].lan;
        for (int k = 0; b >= 0 && k < s->hosts[b].nifs; k++)
            if (s->hosts[b].ifs[k].lan == lan) {
                snprintf(buf, n, "lan %s", s->lans[lan].cfg->name);
                return;
            }
    }
    snprintf(buf, n, "the network");
}

/* The likely cause of a runaway, from the last records of the trace:
 * which pattern dominates them. */
static int fwd_cmp(const void *pa, const void *pb)
{
    const struct fwd_key *a = pa, *b = pb;
    if (a->host != b->host) return a->host < b->host ? -1 : 1;
    if (a->src != b->src) return a->src < b->src ? -1 : 1;
    if (a->dst != b->dst) return a->dst < b->dst ? -1 : 1;
    if (a->proto != b->proto) return a->proto < b->proto ? -1 : 1;
    return (a->ttl > b->ttl) - (a->ttl < b->ttl);
}

/* A routing loop is there when one router forwards the same flow (IP
 * source, destination, protocol) at two different TTLs: on a loop-free
 * path every packet of a flow reaches a router after the same number of
 * hops (RFC 1812 5.3.1: each router takes one off the TTL).  Router
 * chains that merely forward a lot are not loops.  Sets *a and *b to two
 * routers on the loop (*b may stay -1). */
static int find_loop(const struct fwd_key *k, size_t nk, int *a, int *b)
{
    struct fwd_key *t = xcalloc(nk ? nk : 1, sizeof *t);
    memcpy(t, k, nk * sizeof *t);
    qsort(t, nk, sizeof *t, fwd_cmp);
    *a = *b = -1;
    for (size_t i = 1; i < nk; i++)
        if (t[i].host == t[i - 1].host && t[i].src == t[i - 1].src &&
            t[i].dst == t[i - 1].dst && t[i].proto == t[i - 1].proto &&
            t[i].ttl != t[i - 1].ttl) {
            if (*a < 0)
                *a = t[i].host;
            else if (t[i].host != *a && *b < 0)
                *b = t[i].host;
        }
    free(t);
    return *a >= 0;
}

static void find_cause(const struct sim *s, int limit, char *buf, size_t n)
{
    const struct trace *tr = &s->tr;
    enum { W = TRACE_STREAM_KEEP };    /* what a streaming trace keeps */
    size_t from = tr->n > W ? tr->n - W : 0, w = tr->n - from;
    size_t dup = 0, fwd = 0, sends = 0, acks = 0, timers = 0;
    int dup_a = -1, dup_b = -1, fwd_a = -1, fwd_b = -1, pa = -1, pb = -1;
    int tm_host = -1, tm_name = 0, zw_rcv = -1, zw_snd = -1;
    size_t zw = 0;
    int64_t tm_last = 0;
    size_t *per_host = xcalloc((size_t)s->nhosts + 1, sizeof *per_host);
    for (size_t i = from; i < tr->n; i++) {
        const struct trace_rec *r = trace_rec(tr, i);
        if (r->host >= 0 && r->host < s->nhosts)
            per_host[r->host]++;
        if (r->kind == TK_TIMER && r->u.timer.action != TA_STOP) {
            timers++;
            tm_last = r->t_us;
            tm_host = r->host;
            tm_name = r->u.timer.name;
        }
        if (r->kind != TK_SEND)
            continue;
        sends++;
        if (r->u.pkt.dup) {
            dup++;
            dup_a = r->u.pkt.src;
            dup_b = r->u.pkt.dst;
        }
        if (r->why.id == N_IP_FORWARD)
            fwd++;
        if (r->layer == TL_TCP && r->u.pkt.dst >= 0) {
            size_t len;
            const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
            struct frame f;
            char err[8];
            if (frame_decode(p, len, &f, err, sizeof err) == 0 &&
                f.l4 == IPPROTO_TCP_NUM) {
                if (f.tcp.flags == TCP_ACK && f.payload_len == 0) {
                    acks++;
                    if (f.tcp.win == 0) {
                        zw++;
                        zw_rcv = sim_host_by_addr(s, f.ip.src);
                        zw_snd = sim_host_by_addr(s, f.ip.dst);
                    }
                }
                /* the two ends by their IP addresses: a router that
                 * forwards the segments is not one of them */
                pa = sim_host_by_addr(s, f.ip.src);
                pb = sim_host_by_addr(s, f.ip.dst);
                if (pa < 0 || pb < 0) {
                    pa = r->u.pkt.src;
                    pb = r->u.pkt.dst;
                }
            }
        }
    }
    char m[80];
    int lh = -1;
    size_t most = 0;
    for (int h = 0; h < s->nhosts; h++)
        if (per_host[h] > most) {
            most = per_host[h];
            lh = h;
        }
    free(per_host);
    /* the loop test looks further back than the window: at the end of a
     * duplication storm the window may hold one generation of copies, all
     * at one TTL per router */
    int loop = 0;
    if (fwd) {
        struct fwd_key *fk;
        size_t nfk = fwd_recent(s, tr->n > FWD_WINDOW ? tr->n - FWD_WINDOW : 0,
                                &fk);
        loop = find_loop(fk, nfk, &fwd_a, &fwd_b);
        free(fk);
    }
    /* duplication makes frames pile up, never a run last for ever: at the
     * time or event limit it is no cause */
    int piles = limit != LIM_TIME && limit != LIM_EVENTS;
    char na[24];
    snprintf(na, sizeof na, "%d", s->scn ? s->scn->nactions : 0);
    int storm = limit == LIM_FRAMES ? arp_storm(s) : -1;
    if (limit != LIM_TIME && s->scn &&
        (uint64_t)s->scn->nactions * 4 >= (limit == LIM_FRAMES ? s->max_frames
                                           : limit == LIM_EVENTS ? s->max_events
                                           : UINT64_MAX)) {
        fill(buf, n, C_ACTIONS, na, NULL);
    } else if (storm >= 0) {
        char lan[80], others[24], share[24];
        snprintf(lan, sizeof lan, "lan %s", s->lans[storm].cfg->name);
        snprintf(others, sizeof others, "%d", s->lans[storm].nmembers - 1);
        /* a share, not a count: the run stops after the event that went
         * over the limit, so the count may pass it */
        snprintf(share, sizeof share, "%" PRIu64,
                 s->lans[storm].arp_bcast_in_flight * 100 /
                 s->frames_in_flight);
        const char *const v[4] = { lan, others, share, NULL };
        fill_n(buf, n, C_ARP_BCAST, v);
    } else if (piles && dup * 8 >= w && dup > 0 && loop && fwd * 8 >= w) {
        medium_name(s, dup_a, dup_b, m, sizeof m);
        fill(buf, n, C_DUP_LOOP, m, NULL);
    } else if (piles && dup * 4 >= w && dup > 0) {
        medium_name(s, dup_a, dup_b, m, sizeof m);
        fill(buf, n, C_DUP, m, NULL);
    } else if (fwd * 4 >= w && loop && fwd_b >= 0) {
        fill(buf, n, C_LOOP, host_name(s, fwd_a),
                 host_name(s, fwd_b));
    } else if (acks * 4 >= w && zw * 2 >= acks && zw_rcv >= 0 && zw_snd >= 0) {
        fill(buf, n, C_ZERO_WIN, host_name(s, zw_rcv), host_name(s, zw_snd));
    } else if (acks * 4 >= w && acks > 0 && pa >= 0) {
        fill(buf, n, C_ACK_WAR, host_name(s, pa < pb ? pa : pb),
                 host_name(s, pa < pb ? pb : pa));
    } else if (sends * 2 >= w && pa >= 0 && sends > 0) {
        fill(buf, n, C_SEG_WAR, host_name(s, pa < pb ? pa : pb),
                 host_name(s, pa < pb ? pb : pa));
    } else if (timers * 4 >= w && timers > 0 && tm_host >= 0 &&
               /* still re-arming in the later half of the window's time,
                * not a retransmission that gave up long before the limit */
               2 * tm_last >= (w ? trace_rec(tr, from)->t_us : 0) +
                              (limit == LIM_TIME ? s->end_us : s->now)) {
        fill(buf, n, C_TIMERS, timer_name_str(tm_name),
                 host_name(s, tm_host));
    } else if (lh >= 0 && w >= 64) {
        fill(buf, n, C_BUSY, host_name(s, lh),
                 trace_layer_name(trace_rec(tr, tr->n - 1)->layer));
    } else {
        fill(buf, n, C_PENDING, NULL, NULL);
    }
}

static void stop_at(struct sim *s, int limit, uint64_t value)
{
    s->truncated = 1;
    s->stop.limit = limit;
    s->stop.value = value;
    /* a run that reaches its time limit stops at that time; the others
     * stop after the event that went over */
    s->stop.t_us = limit == LIM_TIME ? s->end_us : s->now;
    s->stop.host = -1;
    s->stop.layer = TL_NONE;
    if (s->tr.n) {
        s->stop.host = trace_rec(&s->tr, s->tr.n - 1)->host;
        s->stop.layer = trace_rec(&s->tr, s->tr.n - 1)->layer;
    }
    find_cause(s, limit, s->stop.cause, sizeof s->stop.cause);
}

/* Checks the budgets after an event; returns the limit reached, if any. */
static int over_budget(struct sim *s)
{
    if (s->frames_in_flight > s->max_frames) {
        stop_at(s, LIM_FRAMES, s->max_frames);
        return 1;
    }
    if (trace_size(&s->tr) > s->max_trace) {
        stop_at(s, LIM_TRACE, s->max_trace);
        return 1;
    }
    if (mem_estimate(s) > s->max_memory) {
        stop_at(s, LIM_MEMORY, s->max_memory);
        return 1;
    }
    return 0;
}

void sim_run(struct sim *s)
{
    struct event e;
    while (next_event(s, &e)) {
        int lim = e.t_us > s->end_us ? LIM_TIME
                : s->events_run >= s->max_events ? LIM_EVENTS : LIM_NONE;
        if (lim) {
            stop_at(s, lim, lim == LIM_TIME ? (uint64_t)s->end_us
                                            : s->max_events);
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
            s->frames_in_flight--;
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
        case EV_APP_TIMER:
            app_timer(s, &e);
            break;
        }
        reap(s);
        if (over_budget(s))
            break;
    }
    /* free whatever is still in flight after a truncated run */
    while (eq_pop(&s->q, &e))
        if (e.type == EV_DELIVER)
            free(e.ptr);
    s->frames_in_flight = 0;
}

void sim_free(struct sim *s)
{
    free_state(s);
    while (s->spare_conns) {
        struct sim_conn *n = s->spare_conns->next_spare;
        free(s->spare_conns);
        s->spare_conns = n;
    }
    trace_free(&s->tr);
    memset(s, 0, sizeof *s);
}

