/* sim.c — runs a scenario: the event loop, demultiplexing to TCBs and
 * sockets, and the application calls.  The network is in net.c, the
 * expect checks in expect.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "simint.h"
#include "fmt.h"
#include "probe.h"
#include "app.h"
#include "alloc.h"
#include "ephemeral.h"

int sim_host_by_addr(const struct sim *s, ip4_addr a)
{
    /* the address index net_init builds */
    if (!s->naddrs)
        return -1;
    size_t j = sim_addr_home(s, a);
    while (s->addrs[j].host) {
        if (s->addrs[j].addr == a)
            return s->addrs[j].host - 1;
        j = (j + 1) & (s->naddrs - 1);
    }
    return -1;
}

/* The IPv4 header of a packet host h originates from src: TTL 64
 * (Linux's default), and the host's next identification number. */
static struct ip4_hdr ip_header_from(struct sim *s, int h, ip4_addr src,
                                     ip4_addr dst)
{
    struct ip4_hdr ip;
    memset(&ip, 0, sizeof ip);
    ip.src = src;
    ip.dst = dst;
    ip.ttl = 64;
    ip.id = s->hosts[h].ip_id++;
    return ip;
}

/* ... from the address IP picks for dst (net_src_addr) */
struct ip4_hdr sim_ip_header(struct sim *s, int h, ip4_addr dst)
{
    return ip_header_from(s, h, net_src_addr(s, h, dst), dst);
}

void sim_send_tcp_from(struct sim *s, int h, ip4_addr src, ip4_addr dst_addr,
                       uint32_t conn, const struct tcp_hdr *th,
                       const uint8_t *data, size_t len, struct why why)
{
    struct ip4_hdr ip = ip_header_from(s, h, src, dst_addr);
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
     * that segment's source (RFC 9293 3.10.7.2).  The source is the
     * connection's local address; a listener, bound to none, answers from
     * the address the segment was sent to (RFC 1122 4.2.3.7: a passive
     * OPEN binds the local address "that is used"), which is also what its
     * SYN,ACK carries when a cookie stands in for the TCB. */
    ip4_addr src = c->state == TCPS_LISTEN && s->arrival_dst ? s->arrival_dst
                                                              : c->laddr;
    sim_send_tcp_from(s, sc->tcb.host, src, dst, c->id, h, data, len, why);
}

static void tcp_discard_cb(void *ctx, struct tcp_conn *c, struct why why)
{
    struct sim *s = ctx;
    int h = c->host;
    net_drop_arrived(s, h, s->arrival_pkt, TL_TCP, DR_TCP, why);
}

static uint32_t choose_iss_cb(void *ctx, struct tcp_conn *c)
{
    struct sim *s = ctx;
    struct sim_host *hp = &s->hosts[c->host];
    /* Fixed ISNs from the scenario, in order; then the seeded PRNG (a real
     * stack uses RFC 6528's clock plus keyed hash). */
    if (hp->next_isn < hp->cfg->tcp->n_isn)
        return hp->cfg->tcp->isn[hp->next_isn++];
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
    /* at most 4/5 full, as the trace's tables: a server of 100,000
     * clients takes 2^17 slots, not 2^18 (1 MiB less) */
    if (5 * ((size_t)hp->ntuples + 1) > 4 * (size_t)hp->captuples) {
        struct sim_conn **old = hp->tuples;
        size_t oldcap = hp->captuples;
        /* most hosts have one: the host's own two slots */
        hp->captuples = oldcap ? (uint32_t)(oldcap * 2) : 2;
        hp->tuples = oldcap ? xcalloc(hp->captuples, sizeof *hp->tuples)
                            : hp->tuples_first;
        s->mem_tcbs += (hp->captuples - oldcap) * sizeof *hp->tuples;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                tuple_put(hp, old[i]);
        if (old != hp->tuples_first)
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
        if (!probe_stays(i, j, k)) {
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
        /* most hosts use one port: the host's own two slots */
        hp->capports = oldcap ? 2 * oldcap : 2;
        hp->ports = oldcap ? xcalloc(hp->capports, sizeof *hp->ports)
                           : hp->ports_first;
        s->mem_tcbs += (hp->capports - oldcap) * sizeof *hp->ports;
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].key)
                continue;
            size_t k = port_home(old[i].key, hp->capports);
            while (hp->ports[k].key)
                k = (k + 1) & (hp->capports - 1);
            hp->ports[k] = old[i];
        }
        if (old != hp->ports_first)
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
    int eph = eph_in_range(port);
    if (d > 0 && pr->refs++ == 0 && eph)
        hp->ephemeral_used++;
    else if (d < 0 && --pr->refs == 0 && eph)
        hp->ephemeral_used--;
    return pr;
}

/* ---- the TCBs' lives: their bytes, and freeing them --------------------- */

uint32_t sim_live_conns(const struct sim_host *hp)
{
    uint32_t live = 0;
    for (uint32_t j = 0; j < hp->nconns; j++)
        live += hp->conns[j] != NULL;
    return live;
}

/* A TCB's bytes as the memory budget counts them. */
uint64_t sim_conn_bytes(const struct sim_conn *sc)
{
    uint64_t b = sizeof *sc + sc->tcb.sndq.cap + sc->tcb.rcvq.cap;
    if (sc->more)
        b += sizeof *sc->more + sc->more->frame_cap;
    if (sc->tcb.rare)
        b += sizeof *sc->tcb.rare + tcp_ooo_bytes(&sc->tcb);
    return b;
}

struct sim_conn_more *sim_more(struct sim_conn *sc)
{
    if (!sc->more)
        sc->more = xcalloc(1, sizeof *sc->more);
    return sc->more;
}

/* Brings sc's share of mem_tcbs up to date (after any call into it). */
static void recount(struct sim *s, struct sim_conn *sc)
{
    uint64_t b = sim_conn_bytes(sc);
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
 * its children, and is kept while queued children name it (lq_busy). */
static int unreferenced(const struct sim *s, const struct sim_conn *sc)
{
    return sc->detached && sc->timer_ev == 0 && !lq_busy(sc) &&
           !(sc->more && sc->more->proxy_peer) &&
           s->hosts[sc->tcb.host].current != sc &&
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

/* A crowd of concurrent lifecycles holds two TCBs per connection at its
 * peak: every 8 bytes here is 1.6 MB at 100,000 connections (README.md,
 * "Issue 11's targets, as measured").  272 bytes until the TCB's env
 * pointer went to its config and the segment's source became a
 * parameter; 256, then 240, until the fields few TCBs use went to
 * struct tcp_rare. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct sim_conn) <= 224,
               "struct sim_conn grew past 224 bytes");

/* TCBs are carved from blocks, each twice the one before up to
 * CONN_BLOCK_MAX, so a TCB costs its own bytes and no allocator header
 * (malloc gave a 304-byte TCB a 320-byte chunk).  The blocks go back to
 * the system at sim_free. */
#define CONN_BLOCK_MIN 8
#define CONN_BLOCK_MAX 1024
struct sim_conn_block {
    struct sim_conn_block *next;
    size_t n;
    struct sim_conn conns[];
};

/* Memory for a TCB: a freed one's, or the next of the newest block. */
static struct sim_conn *conn_memory(struct sim *s)
{
    struct sim_conn *sc = s->spare_conns;
    if (sc) {
        s->spare_conns = sc->next_spare;
        return sc;
    }
    struct sim_conn_block *b = s->conn_blocks;
    if (!b || s->conn_block_used == b->n) {
        size_t n = !b ? CONN_BLOCK_MIN
                 : b->n < CONN_BLOCK_MAX ? 2 * b->n : b->n;
        b = xmalloc(sizeof *b + n * sizeof b->conns[0]);
        b->next = s->conn_blocks;
        b->n = n;
        s->conn_blocks = b;
        s->conn_block_used = 0;
    }
    return &b->conns[s->conn_block_used++];
}

/* A TCB's queues go back to the allocator; its own memory to the spare
 * list, where the next TCB takes it (it is part of a block), so a run that
 * opens one connection after another reuses one TCB's memory. */
static void release_conn(struct sim *s, struct sim_conn *sc)
{
    tcp_destroy(&sc->tcb);
    if (sc->more) {
        free(sc->more->frame_buf);
        free(sc->more);
    }
    sc->next_spare = s->spare_conns;
    s->spare_conns = sc;
}

static void free_conn(struct sim *s, struct sim_conn *sc)
{
    struct sim_host *hp = &s->hosts[sc->tcb.host];
    /* a hole, so that the list stays in the order the TCBs were made
     * (named_conn looks for the newest that matches); trailing holes go
     * at once, the rest when the list is next full (sim_new_conn) */
    hp->conns[sc->slot] = NULL;
    sim_peers_remove(s, sc);
    while (hp->nconns && !hp->conns[hp->nconns - 1])
        hp->nconns--;
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
    struct sim_conn *let_go = sc->more && sc->more->parent ? lq_update(s, sc)
                                                            : NULL;
    if (!sc->detached && (sc->tcb.state == TCPS_CLOSED ||
        (!sc->listener && sc->tcb.state == TCPS_LISTEN && sc->tcb.passive))) {
        sc->detached = 1;
        struct sim_port_refs *pr = port_ref(s, &s->hosts[sc->tcb.host],
                                            sc->tcb.lport, -1);
        if (pr->listener == sc)
            pr->listener = NULL;
        if (sc->tcb.raddr && !sc->listener)
            tuple_remove(&s->hosts[sc->tcb.host], sc);
    }
    app_poll(s, sc);
    sync_timer(s, sc);
    recount(s, sc);
    maybe_reap(s, sc);
    if (let_go)
        maybe_reap(s, let_go);
}

struct sim_conn *sim_new_conn(struct sim *s, int h, const char *idtext,
                              ip4_addr laddr, uint16_t lport,
                              ip4_addr raddr, uint16_t rport)
{
    struct sim_host *hp = &s->hosts[h];
    struct sim_conn *sc = conn_memory(s);
    memset(sc, 0, sizeof *sc);
    /* its host's settings: the one of s->tcp_cfgs made from its block */
    const struct tcp_config *cfg = &s->tcp_cfgs[hp->cfg->tcp - s->scn->tcps];
    tcp_init(&sc->tcb, cfg, h, trace_intern(&s->tr, idtext),
             laddr, lport, raddr, rport);
    sc->timer_at = -1;
    if (hp->nconns == hp->capconns && hp->capconns) {
        /* full: if at least half the slots are holes, close them up, in
         * order; else grow.  Either way the scan costs what the slots
         * given back (or the doubling's copy) pay for. */
        if (sim_live_conns(hp) <= hp->capconns / 2) {
            uint32_t k = 0;
            for (uint32_t j = 0; j < hp->nconns; j++)
                if (hp->conns[j]) {
                    hp->conns[j]->slot = k;
                    hp->conns[k++] = hp->conns[j];
                }
            hp->nconns = k;
        }
    }
    if (hp->nconns == hp->capconns) {
        /* most hosts have one: the host's own slot.  The counts are 32
         * bits (a crowd has a host per connection); 2^31 TCBs on one host
         * would be 560 GB of them, so this is a limit no run reaches, but
         * it is a clean stop, not a wrap. */
        if (hp->capconns >= UINT32_C(1) << 31)
            alloc_exhausted((size_t)hp->capconns * 2 * sizeof *hp->conns);
        size_t cap = hp->capconns ? (size_t)hp->capconns * 2 : 1;
        if (!hp->capconns) {
            hp->conns = hp->conns_first;
        } else if (hp->conns == hp->conns_first) {
            hp->conns = xreallocarray(NULL, cap, sizeof *hp->conns);
            memcpy(hp->conns, hp->conns_first, sizeof hp->conns_first);
        } else {
            hp->conns = xreallocarray(hp->conns, cap, sizeof *hp->conns);
        }
        s->mem_tcbs += (cap - hp->capconns) * sizeof *hp->conns;
        hp->capconns = (uint32_t)cap;
    }
    sc->slot = hp->nconns;
    hp->conns[hp->nconns++] = sc;
    sim_peers_add(s, sc);
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

/* Host h's name at q (a lesson's name, shorter than SCN_NAME_MAX);
 * returns its end. */
static char *put_host_name(char *q, const struct sim *s, int h)
{
    const char *name = host_name(s, h);
    size_t k = strnlen(name, SCN_NAME_MAX - 1);
    memcpy(q, name, k);
    return q + k;
}

void sim_conn_name(const struct sim *s, int h, uint16_t lport, ip4_addr raddr,
                      uint16_t rport, char *buf, size_t n)
{
    /* "client:36615-server:80", or the address where no host has it */
    char t[2 * SCN_NAME_MAX + 16], *q;
    int r = sim_host_by_addr(s, raddr);
    q = fmt_put_u64(put_host_name(t, s, h), ":", lport);
    *q++ = '-';
    if (r >= 0)
        q = put_host_name(q, s, r);
    else
        q += strlen(ip4_str(raddr, q, 16));
    q = fmt_put_u64(q, ":", rport);
    fmt_cut_copy(buf, n, t, q);
}

int sim_port_in_use(const struct sim_host *hp, uint16_t port)
{
    const struct sim_port_refs *pr = port_find(hp, port);
    return pr && pr->refs;
}

static int tcp_port_busy(const void *hp, uint16_t port)
{
    return sim_port_in_use(hp, port);
}

static void port_taken(struct sim *s, int h, int layer, int call,
                       uint16_t port)
{
    trace_app(&s->tr, s->now, h, layer, 0, call, -TCPE_EXISTS, NULL, 0,
              WHY(N_APP_ERR_PORT, port,
                  trace_intern(&s->tr, _(tcp_err_str(-TCPE_EXISTS)))));
}

struct sim_conn *sim_listen(struct sim *s, int h, uint16_t port, int layer,
                            struct why why)
{
    char name[128];
    if (sim_port_in_use(&s->hosts[h], port)) {
        port_taken(s, h, layer, AC_LISTEN, port);
        return NULL;
    }
    /* "server:80" (a host name is shorter than SCN_NAME_MAX) */
    fmt_put_u64(put_host_name(name, s, h), ":", port);
    /* bound to the host's every address: its first stands for them */
    struct sim_conn *sc = sim_new_conn(s, h, name, s->hosts[h].addr, port, 0,
                                       0);
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
    int drawn = !lport;
    /* RFC 1122 4.2.3.7: an active OPEN without a local address takes the
     * one IP would send from (the interface toward raddr) */
    ip4_addr laddr = net_src_addr(s, h, raddr);
    if (!lport) {
        if (hp->ephemeral_used >= (int)EPH_COUNT) {
            /* Every ephemeral port has a TCB: as a kernel's connect()
             * fails with EADDRNOTAVAIL, so does this one, at once. */
            trace_app(&s->tr, s->now, h, TL_TCP, 0, AC_CONNECT, -TCPE_ADDRNOTAVAIL,
                      NULL, 0, WHY(N_APP_ERR_NOPORT, (int64_t)EPH_COUNT,
                                   (int64_t)EPH_FIRST, (int64_t)EPH_LAST));
            return NULL;
        }
        /* RFC 6056 3.3.3: a secret offset for this peer, then the host's
         * next free port (ephemeral.c); one is free, so the walk ends */
        lport = eph_connect_port(s->port_secret, &hp->eph_next, laddr,
                                 raddr, rport, tcp_port_busy, hp);
    } else if (sim_port_in_use(hp, lport)) {
        port_taken(s, h, TL_TCP, AC_CONNECT, lport);
        return NULL;
    }
    sim_conn_name(s, h, lport, raddr, rport, name, sizeof name);
    struct sim_conn *sc = sim_new_conn(s, h, name, laddr, lport, raddr, rport);
    trace_app(&s->tr, s->now, h, TL_TCP, sc->tcb.id, AC_CONNECT, 0, NULL, 0,
              drawn ? WHY(N_APP_CONNECT_EPH, raddr, rport, lport)
                    : WHY(N_APP_CONNECT, raddr, rport));
    tcp_connect(&sc->tcb, s->now);
    return sc;
}

/* ---- arrival ----------------------------------------------------------- */

/* The listening socket on port, or NULL: the one attached there, if it
 * is still in LISTEN. */
struct sim_conn *sim_listener_on(struct sim_host *hp, uint16_t port)
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
    *listener = sim_listener_on(hp, f->tcp.dport);
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

struct sim_conn *sim_spawn(struct sim *s, int h, struct sim_conn *listener,
                           const struct frame *f)
{
    const struct tcp_hdr *th = &f->tcp;
    char name[128];
    sim_conn_name(s, h, th->dport, f->ip.src, th->sport, name, sizeof name);
    /* RFC 1122 4.2.3.7: the passive OPEN's local address becomes the one
     * the SYN was sent to */
    struct sim_conn *sc = sim_new_conn(s, h, name, f->ip.dst, th->dport,
                                       f->ip.src, th->sport);
    tcp_spawn(&sc->tcb, &listener->tcb, sc->tcb.id, f->ip.dst, f->ip.src,
              th->sport);
    sc->app = listener->app;
    sc->role = listener->role;
    sc->act = listener->act;
    return sc;
}

static void tcp_arrive(struct sim *s, int h, const struct frame *f);

void sim_tcp_arrive(struct sim *s, int h, const struct frame *f)
{
    s->arrival_dst = f->ip.dst;
    tcp_arrive(s, h, f);
    s->arrival_dst = 0;
}

static void tcp_arrive(struct sim *s, int h, const struct frame *f)
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
         * and takes the SYN (RFC 9293 3.10.7.2), leaving the listener --
         * if its queues have room (RFC 4987). */
        if (lq_syn(s, h, listener, f))
            return;
        sc = sim_spawn(s, h, listener, f);
        if (old)
            tcp_reopen_from(&sc->tcb, &old->tcb);
        lq_adopt(listener, sc);
    } else if (!sc && listener) {
        if (lq_listener_seg(s, h, listener, f))
            return;
        sc = listener;
    }
    if (sc && sc->queue == Q_SYN && lq_hold_ack(s, h, sc, f))
        return;
    if (sc) {
        tcp_input(&sc->tcb, s->now, f->ip.src, th, f->payload, f->payload_len);
        sim_after_tcb(s, sc);
        return;
    }
    /* RFC 9293 3.10.7.1: no TCB ("CLOSED"): answer with a reset */
    struct tcp_hdr rst;
    if (tcp_reset_for(th, f->payload_len, &rst) == 0)
        /* from the address the segment was sent to: the RST answers it */
        sim_send_tcp_from(s, h, f->ip.dst, f->ip.src, 0, &rst, NULL, 0,
                          WHY0(N_SEG_RST_CLOSED));
    else        /* an RST: "An incoming segment containing a RST is discarded" */
        net_drop_arrived(s, h, s->arrival_pkt, TL_TCP, DR_TCP,
                         WHY0(N_SEG_DISCARD_RST_NOTCB));
}

/* ---- application calls --------------------------------------------------- */

static void app_error(struct sim *s, int h, int call, const struct sim_conn *sc,
                      int err)
{
    uint32_t msg = trace_intern(&s->tr, _(tcp_err_str(err)));
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
                  trace_intern(&s->tr, _(tcp_err_str((int)n))));
    else if (sc->tcb.fin_received)
        /* 0 after the peer's FIN is the end of the stream (RFC 9293
         * 3.10.3: "connection closing"), not an empty buffer */
        why = WHY0(N_APP_RECV_EOF);
    trace_app(&s->tr, s->now, sc->tcb.host, TL_TCP, sc->tcb.id, AC_RECV, (int)n,
              buf, n > 0 ? (size_t)n : 0, why);
    if (n > 0)
        tcp_read_done(&sc->tcb);
    return n;
}

/* The connection a TCP call names with `on port` / `with PEER [port]`: by
 * its four-tuple when all three are given, else the host's newest that
 * matches (peers.c keeps them by what they are named by). */
static struct sim_conn *named_conn(struct sim *s, int h, const struct scn_action *a)
{
    ip4_addr raddr = a->with_peer >= 0 ? s->hosts[a->with_peer].addr : 0;
    if (a->on_lport && raddr && a->with_rport) {
        struct sim_conn *sc = tuple_find(&s->hosts[h], a->on_lport, raddr, a->with_rport);
        if (sc)
            return sc;
    }
    return sim_peers_newest(s, h, raddr, a->on_lport, a->with_rport);
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
                   a->text ? scn_text(s->scn, a->text, a->more->text_zh) : "", N_NOTE);
        return;
    case ACT_INJECT: {
        const struct scn_action_more *m = a->more;
        struct tcp_hdr th;
        memset(&th, 0, sizeof th);
        th.sport = m->seg.sport;
        th.dport = m->seg.dport;
        th.seq = m->seg.seq;
        th.ack = m->seg.ack;
        th.flags = m->seg.flags;
        th.win = 65535;
        uint32_t why = trace_intern(&s->tr, a->text ? scn_text(s->scn, a->text, m->text_zh)
                                             : _("a segment from nowhere"));
        ip4_addr to = s->hosts[a->peer].addr;
        sim_send_tcp_from(s, h, m->spoof ? m->spoof : net_src_addr(s, h, to),
                          to, 0, &th, a->data, a->len,
                          WHY(N_SEG_INJECT, why));
        return;
    }
    case ACT_LISTEN:
        sc = sim_listen(s, h, a->port, TL_TCP,
                        a->more->backlog
                            ? WHY(N_APP_LISTEN_BACKLOG, a->port, a->more->backlog,
                                  a->more->backlog + 1)
                                   : WHY(N_APP_LISTEN, a->port));
        if (sc) {
            if (a->more->backlog)
                sim_more(sc)->backlog = a->more->backlog;
            sim_after_tcb(s, sc);
        }
        return;
    case ACT_SOCKET:
        /* socket() and bind() touch no protocol here: the model's listen,
         * connect and udp bind make the endpoint they need; these records
         * show the calls a program makes first, honestly without effect */
        trace_app(&s->tr, s->now, h, a->more->sock_udp ? TL_UDP : TL_TCP, 0, AC_SOCKET, 0,
                  NULL, 0, WHY0(a->more->sock_udp ? N_APP_SOCKET_UDP : N_APP_SOCKET));
        return;
    case ACT_BIND:
        trace_app(&s->tr, s->now, h, TL_TCP, 0, AC_BIND, 0, NULL, 0,
                  WHY(N_APP_BIND, a->port));
        return;
    case ACT_ACCEPT:
        sc = lq_accept(s, h, a->port);
        if (sc)
            maybe_reap(s, sc);
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
    if (!sc && a->named) {
        /* "this host has no TCP connection" was false of a host with
         * connections, none of them the one named: say what was named, in
         * the lesson's own words (keywords and names, never translated) */
        char named[SCN_NAME_MAX + 40];
        int n = 0;
        if (a->on_lport)
            n = snprintf(named, sizeof named, "on port %u", (unsigned)a->on_lport);
        if (a->with_peer >= 0)
            n += snprintf(named + n, sizeof named - (size_t)n, "%swith %s", n ? " " : "",
                          host_name(s, a->with_peer));
        if (a->with_rport)
            snprintf(named + n, sizeof named - (size_t)n, " port %u", (unsigned)a->with_rport);
        trace_app(&s->tr, s->now, h, TL_TCP, 0, call, -TCPE_NOTCONN, NULL, 0,
                  WHY(N_APP_ERR_NONAMED, trace_intern(&s->tr, named),
                      trace_intern(&s->tr, _(tcp_err_str(-TCPE_NOTCONN)))));
        return;
    }
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
                      trace_intern(&s->tr, _(tcp_err_str(e))));
        trace_app(&s->tr, s->now, h, TL_TCP, id, AC_SEND, e ? e : (int)len,
                  data, len, why);
        if (!e)
            tcp_send(&sc->tcb, s->now, data, len);
        free(framed);
        break;
    }
    case ACT_RECV: {
        uint8_t small[SIM_SMALL], *buf = sim_buf(small, a->recv_max);
        sim_app_recv(s, sc, buf, a->recv_max);
        sim_buf_done(buf, small);
        break;
    }
    case ACT_SHUTDOWN: case ACT_CLOSE: case ACT_ABORT: {
        int st = sc->tcb.state;
        /* shutdown() is RFC 9293's CLOSE (3.10.4): only once the connection
         * is open does it leave a half that can still receive */
        int why = a->kind == ACT_CLOSE ? N_APP_CLOSE
                : a->kind == ACT_ABORT ? N_APP_ABORT
                : st == TCPS_LISTEN || st == TCPS_SYN_SENT ? N_APP_SHUTDOWN_UNOPENED
                : st == TCPS_CLOSE_WAIT ? N_APP_SHUTDOWN_PEER_DONE
                : N_APP_SHUTDOWN;
        r = tcp_refusal(&sc->tcb, call, 0);
        trace_app(&s->tr, s->now, h, TL_TCP, id, call, r, NULL, 0,
                  r ? WHY(N_APP_ERR_STATE, sc->tcb.state,
                          trace_intern(&s->tr, _(tcp_err_str(r))))
                    : why == N_APP_SHUTDOWN_UNOPENED ? WHY(why, st) : WHY0(why));
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
    s->seed = seed;
    s->mem_lesson = sim_lesson_bytes(scn);
    s->tcp_env = (struct tcp_env){ &s->tr, tcp_emit_cb, choose_iss_cb, s,
                                   tcp_discard_cb };
    fwd_watch(s);
    eq_init(&s->q);
    rng_seed(&s->rng, seed);
    /* the ports' own stream of the same seed: a connect() drawing a port
     * must not move which later frame the links lose or delay */
    rng_seed(&s->port_rng, seed ^ EPH_STREAM);
    s->port_secret = rng_next(&s->port_rng);
    s->nhosts = scn->nhosts;
    s->hosts = xcalloc((size_t)scn->nhosts, sizeof *s->hosts);
    s->tcp_cfgs = xcalloc((size_t)scn->ntcps, sizeof *s->tcp_cfgs);
    for (int k = 0; k < scn->ntcps; k++) {
        tcp_config_default(&s->tcp_cfgs[k]);
        s->tcp_cfgs[k].env = &s->tcp_env;
        /* every `tcp` setting has a field of the same name in tcp_config;
         * the parser kept each value within the range the table gives */
#define SCN_TCP_COPY(id, kw, field, type, kind, lo, hi, def, what) \
        s->tcp_cfgs[k].field = scn->tcps[k].field;
        SCN_TCP_SETTINGS(SCN_TCP_COPY)
#undef SCN_TCP_COPY
    }
    for (int i = 0; i < scn->nhosts; i++) {
        struct sim_host *hp = &s->hosts[i];
        hp->cfg = &scn->hosts[i];
        hp->addr = scn->hosts[i].addr;
        trace_add_host(&s->tr, scn->hosts[i].name, hp->addr);
    }
    net_init(s);
    app_init(s);
    s->next_action = 0;
}

static void free_state(struct sim *s)
{
    for (int i = 0; i < s->nhosts; i++) {
        for (size_t j = 0; j < s->hosts[i].nconns; j++)
            if (s->hosts[i].conns[j])
                release_conn(s, s->hosts[i].conns[j]);
        struct sim_host *hp = &s->hosts[i];
        if (hp->conns != hp->conns_first)
            free(hp->conns);
        if (hp->ports != hp->ports_first)
            free(hp->ports);
        if (hp->tuples != hp->tuples_first)
            free(hp->tuples);
    }
    free(s->reap);
    sim_peers_free(s);
    app_free(s);
    net_free(s);
    free(s->hosts);
    free(s->tcp_cfgs);
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
    net_keep_flights(s);
    struct flight_block *flight_blocks = s->spare_flight_blocks;
    s->spare_flight_blocks = NULL;
    free_state(s);
    struct trace tr = s->tr;
    struct sim lim = *s;               /* the budgets carry over */
    memset(s, 0, sizeof *s);
    s->spare_conns = lim.spare_conns;
    s->conn_blocks = lim.conn_blocks;
    s->conn_block_used = lim.conn_block_used;
    s->spare_flight_blocks = flight_blocks;
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
 * without a heap of thousands of actions to sift.
 *
 * A note is the exception: it narrates what happens at its instant, so it
 * waits until nothing else is left at that instant (the heap's earliest
 * event is later), including what the events of that instant schedule for
 * the same instant.  The parser sorts the notes after the other actions of
 * their instant (lang/check.c), so a note never holds a call back, and
 * a note is never shown before the packet it talks about. */
static int next_event(struct sim *s, struct event *e)
{
    const struct scenario *scn = s->scn;
    if (s->next_action < scn->nactions) {
        const struct scn_action *a = &scn->actions[s->next_action];
        int64_t t = a->t_us;
        int64_t h = eq_peek_time(&s->q);
        if (h < 0 || t < h || (t == h && a->kind != ACT_NOTE)) {
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
        int lim = e.t_us > s->end_us ? LIM_TIME
                : s->events_run >= s->max_events ? LIM_EVENTS : LIM_NONE;
        if (lim) {
            sim_stop_at(s, lim, lim == LIM_TIME ? (uint64_t)s->end_us
                                            : s->max_events);
            break;                   /* its flight is in a block net_free frees */
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
        if (sim_over_budget(s))
            break;
    }
    /* what is still in flight after a truncated run is never delivered
     * (its flights are in blocks that net_free frees) */
    while (eq_pop(&s->q, &e))
        ;
    s->frames_in_flight = 0;
}

void sim_free(struct sim *s)
{
    free_state(s);
    while (s->conn_blocks) {
        struct sim_conn_block *n = s->conn_blocks->next;
        free(s->conn_blocks);
        s->conn_blocks = n;
    }
    trace_free(&s->tr);
    memset(s, 0, sizeof *s);
}

