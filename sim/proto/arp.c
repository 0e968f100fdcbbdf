/* arp.c — ARP packets (RFC 826) and the neighbour cache of one interface.
 *
 * The cache follows Linux's neighbour table, which applies RFC 4861's
 * neighbour unreachability detection (7.3.2 states, 7.3.3 transitions) to
 * ARP.  What is modelled:
 *   - resolution (NONE/FAILED -> INCOMPLETE): up to max_requests (Linux
 *     mcast_solicit, 3) broadcast requests, retrans_us (1 s) apart; a reply
 *     to us gives REACHABLE, any other ARP packet naming the address STALE;
 *   - an ARP packet names its sender only if its sender hardware address
 *     is a unicast one (not zero, broadcast or multicast: RFC 1812 3.3.2)
 *     and its sender protocol address is not 0.0.0.0 (an RFC 5227 probe,
 *     answered when it asks for our address, never cached);
 *     no reply -> FAILED, and every packet that waited is dropped with
 *     "host unreachable" for its sender (RFC 4861 7.2.2);
 *   - REACHABLE -> STALE after reachable_us (30 s; Linux randomises
 *     base_reachable_time between 15 and 45 s, we do not);
 *   - the first packet sent on a STALE entry -> DELAY, sent at once to the
 *     cached MAC; after delay_us (Linux delay_first_probe_time, 5 s) without
 *     a confirmation -> PROBE: up to max_probes (Linux ucast_solicit, 3)
 *     requests unicast to the cached MAC, retrans_us apart; a reply to us
 *     -> REACHABLE; none -> FAILED.  Packets keep going to the cached MAC in
 *     DELAY and PROBE (RFC 4861 Appendix C), so nothing is queued then and
 *     nothing is dropped when the probes fail; the next packet starts a new
 *     broadcast resolution, whose failure does drop and report.
 * What is simplified:
 *   - the only reachability confirmation is an ARP reply addressed to this
 *     host that answers a request or probe of ours (an unsolicited one
 *     gives STALE, RFC 4861 7.2.5; Linux would take one to its own MAC
 *     as confirmation, and by default adds no entry for it).  Linux also takes upper-layer hints (RFC 4861 7.3.1: TCP
 *     acknowledging new data confirms the next hop, dst_confirm), which
 *     would turn many DELAY entries back to REACHABLE without a probe;
 *     here every STALE entry that is used gets probed after 5 s.
 *   - a FAILED entry stays FAILED (RFC 4861 7.3.3 says it SHOULD be
 *     deleted; Linux keeps it FAILED until garbage collection).
 *   - every ARP packet that names a known address with a new MAC
 *     overrides the entry (RFC 826's merge) and, unless it answers our
 *     request, makes it STALE (RFC 4861 7.2.5); Linux ignores a new MAC
 *     for locktime (1 s) after the entry was last updated.
 *   - "host unreachable" is reported to the sending application for every
 *     protocol.  Linux reports it through a local ICMP host unreachable:
 *     connect() fails, a connected socket sees it, an unconnected UDP
 *     socket only with IP_RECVERR; a TCP connection is not closed by it
 *     here.  Packets waiting at a router are dropped without an ICMP
 *     message (RFC 1812 5.2.7.1: a router MUST be able to send one, code
 *     1 Host Unreachable, for a host that "does not respond to ARP"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arp.h"
#include "alloc.h"
#include "iheap.h"
#include "narrate.h"

static const char *const arp_state_names[ARP_NSTATES] = {
#define X(s) #s,
    ARP_STATES(X)
#undef X
};

const char *arp_state_name(int s)
{
    return name_of(arp_state_names, ARP_NSTATES, s);
}

int arp_state_parse(const char *s)
{
    return name_index(arp_state_names, ARP_NSTATES, s);
}

void arp_config_default(struct arp_config *c)
{
    c->retrans_us = 1000000;
    c->max_requests = 3;
    c->max_probes = 3;
    c->delay_us = 5000000;
    c->reachable_us = 30000000;
    c->queue_max = 8;
}

/* ---- bytes ------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t arp_encode(uint8_t *buf, size_t cap, const struct arp_pkt *p)
{
    if (cap < ARP_PKT_LEN)
        return 0;
    put16(buf, 1);                 /* ar$hrd: Ethernet */
    put16(buf + 2, ETHERTYPE_IPV4);/* ar$pro: IPv4 */
    buf[4] = 6;                    /* ar$hln */
    buf[5] = 4;                    /* ar$pln */
    put16(buf + 6, p->op);
    memcpy(buf + 8, p->sha.b, 6);
    put32(buf + 14, p->spa);
    memcpy(buf + 18, p->tha.b, 6);
    put32(buf + 24, p->tpa);
    return ARP_PKT_LEN;
}

int arp_decode(const uint8_t *buf, size_t len, struct arp_pkt *p)
{
    if (!buf || len < ARP_PKT_LEN)
        return -1;
    memset(p, 0, sizeof *p);
    p->htype = get16(buf);
    p->ptype = get16(buf + 2);
    p->hlen = buf[4];
    p->plen = buf[5];
    p->op = get16(buf + 6);
    /* RFC 826: "?Do I have the hardware type in ar$hrd? ... ?Do I speak the
     * protocol in ar$pro?" — only Ethernet/IPv4 with 6/4 lengths here */
    if (p->htype != 1 || p->ptype != ETHERTYPE_IPV4 || p->hlen != 6 ||
        p->plen != 4 || (p->op != ARP_OP_REQUEST && p->op != ARP_OP_REPLY))
        return -1;
    memcpy(p->sha.b, buf + 8, 6);
    p->spa = get32(buf + 14);
    memcpy(p->tha.b, buf + 18, 6);
    p->tpa = get32(buf + 24);
    return 0;
}

char *arp_summary(const struct arp_pkt *p, char *buf, size_t n)
{
    char a[20], b[20], m[24];
    if (p->op == ARP_OP_REQUEST)
        snprintf(buf, n, "ARP who-has %s tell %s", ip4_str(p->tpa, a, sizeof a),
                 ip4_str(p->spa, b, sizeof b));
    else
        snprintf(buf, n, "ARP %s is-at %s", ip4_str(p->spa, a, sizeof a),
                 mac_str(p->sha, m, sizeof m));
    return buf;
}

/* ---- the cache ---------------------------------------------------------- */

void arp_init(struct arp_cache *c, const struct arp_config *cfg,
              const struct arp_env *env, ip4_addr my_ip, mac_addr my_mac)
{
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->env = *env;
    c->my_ip = my_ip;
    c->my_mac = my_mac;
}

static void drop_queue(struct arp_entry *e)
{
    for (int i = 0; i < e->nq; i++)
        free(e->q[i].frame);
    free(e->q);
    e->q = NULL;
    e->nq = 0;
}

void arp_free(struct arp_cache *c)
{
    for (int i = 0; i < c->n; i++)
        drop_queue(&c->e[i]);
    free(c->e);
    free(c->ix);
    free(c->heap);
    memset(c, 0, sizeof *c);
}

/* ---- finding an entry: a scan of a few, then the address table ---------- */

enum { ARP_IX_FROM = 8 };            /* entries before the table is built */

static size_t ip_home(ip4_addr ip, size_t cap)
{
    return (size_t)((ip * 2654435761u) ^ (ip >> 16)) & (cap - 1);
}

static void ix_put(struct arp_cache *c, int i)
{
    size_t j = ip_home(c->e[i].ip, c->ixcap);
    while (c->ix[j])
        j = (j + 1) & (c->ixcap - 1);
    c->ix[j] = (uint32_t)i + 1;
}

/* Entries are never removed, so the table only grows. */
static void ix_add(struct arp_cache *c, int i)
{
    if (c->n < ARP_IX_FROM)
        return;
    if (2 * (size_t)c->n > c->ixcap) {
        free(c->ix);
        c->ixcap = c->ixcap ? 2 * c->ixcap : 4 * ARP_IX_FROM;
        c->ix = xcalloc(c->ixcap, sizeof *c->ix);
        for (int k = 0; k < c->n; k++)
            ix_put(c, k);
        return;
    }
    ix_put(c, i);
}

static struct arp_entry *find(const struct arp_cache *c, ip4_addr ip)
{
    if (c->ix) {
        for (size_t j = ip_home(ip, c->ixcap); c->ix[j];
             j = (j + 1) & (c->ixcap - 1))
            if (c->e[c->ix[j] - 1].ip == ip)
                return &c->e[c->ix[j] - 1];
        return NULL;
    }
    for (int i = 0; i < c->n; i++)
        if (c->e[i].ip == ip)
            return &c->e[i];
    return NULL;
}

/* ---- the entries' timers: a min-heap by (due, index) ------------------- */

static int due_before(const void *ctx, int a, int b)
{
    const struct arp_cache *c = ctx;
    const struct arp_entry *x = &c->e[a], *y = &c->e[b];
    return x->due != y->due ? x->due < y->due : a < b;
}

static void heap_place(void *ctx, int at, int i)
{
    struct arp_cache *c = ctx;
    c->heap[at] = i;
    c->e[i].heap_at = at + 1;
}

static void heap_up(struct arp_cache *c, int at)
{
    iheap_up(c->heap, at, due_before, heap_place, c);
}

static void heap_down(struct arp_cache *c, int at)
{
    iheap_down(c->heap, c->nheap, at, due_before, heap_place, c);
}

/* The one place an entry's timer changes: due 0 stops it. */
static void set_due(struct arp_cache *c, struct arp_entry *e, int64_t due)
{
    int i = (int)(e - c->e);
    e->due = due;
    if (e->heap_at) {
        int at = e->heap_at - 1;
        if (!due) {
            e->heap_at = 0;
            if (at < --c->nheap) {
                heap_place(c, at, c->heap[c->nheap]);
                heap_up(c, at);
                heap_down(c, c->e[c->heap[at]].heap_at - 1);
            }
            return;
        }
        heap_up(c, at);
        heap_down(c, e->heap_at - 1);
        return;
    }
    if (!due)
        return;
    /* the heap has room for every entry (add grows it with them) */
    heap_place(c, c->nheap, i);
    heap_up(c, c->nheap++);
}

const struct arp_entry *arp_lookup(const struct arp_cache *c, ip4_addr ip)
{
    return find(c, ip);
}

static struct arp_entry *add(struct arp_cache *c, ip4_addr ip)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        struct arp_entry *ne = xreallocarray(c->e, (size_t)c->cap, sizeof *ne);
        c->e = ne;
        c->heap = xreallocarray(c->heap, (size_t)c->cap, sizeof *c->heap);
    }
    struct arp_entry *e = &c->e[c->n++];
    memset(e, 0, sizeof *e);
    e->ip = ip;
    ix_add(c, c->n - 1);
    e->state = ARP_NONE;
    char name[40], a[20];
    snprintf(name, sizeof name, "arp:%s", ip4_str(ip, a, sizeof a));
    e->id = trace_intern(c->env.tr, name);
    return e;
}

/* The one place an entry changes state. */
static void set_state(struct arp_cache *c, struct arp_entry *e, int64_t now,
                      enum arp_state to, struct why why)
{
    if (e->state == to)
        return;
    trace_state(c->env.tr, now, c->env.host, TL_ARP, e->id, e->state, to, why);
    e->state = to;
}

static void send_arp(struct arp_cache *c, uint16_t op, mac_addr eth_dst,
                     mac_addr tha, ip4_addr tpa, struct why why)
{
    struct arp_pkt p = {
        .htype = 1, .ptype = ETHERTYPE_IPV4, .hlen = 6, .plen = 4, .op = op,
        .sha = c->my_mac, .spa = c->my_ip, .tha = tha, .tpa = tpa,
    };
    uint8_t body[ARP_PKT_LEN], frame[ETH_MIN_FRAME];
    struct eth_hdr eh = { .dst = eth_dst, .src = c->my_mac, .type = ETHERTYPE_ARP };
    arp_encode(body, sizeof body, &p);
    size_t n = eth_encode(frame, sizeof frame, &eh, body, sizeof body);
    if (n)
        c->env.xmit(c->env.ctx, frame, n, 0, TL_ARP, why);
}

static void timer(struct arp_cache *c, struct arp_entry *e, int64_t now,
                  int action, int64_t due, struct why why)
{
    trace_timer(c->env.tr, now, c->env.host, TL_ARP, e->id, TM_ARP, action,
                due, why);
}

/* One broadcast request of a resolution, and the wait for its reply. */
static void send_request(struct arp_cache *c, struct arp_entry *e, int64_t now,
                         struct why why)
{
    static const mac_addr zero = { { 0 } };
    e->requests++;
    e->asked = 1;
    send_arp(c, ARP_OP_REQUEST, MAC_BROADCAST, zero, e->ip, why);
    set_due(c, e, now + c->cfg.retrans_us);
    timer(c, e, now, TA_START, e->due,
          WHY(N_TMR_ARP_START, c->cfg.retrans_us, e->requests,
              c->cfg.max_requests));
}

/* One unicast probe and the wait for its reply.  RFC 4861 7.3.3: "Upon
 * entering the PROBE state, a node sends a unicast Neighbor Solicitation
 * message to the neighbor using the cached link-layer address"; Linux's
 * arp_solicit() sends it as an ARP request to that MAC with ar$tha zero. */
static void send_probe(struct arp_cache *c, struct arp_entry *e, int64_t now)
{
    static const mac_addr zero = { { 0 } };
    e->probes++;
    e->asked = 1;
    send_arp(c, ARP_OP_REQUEST, e->mac, zero, e->ip,
             WHY(N_ARP_PROBE_SEND, e->probes, c->cfg.max_probes, e->ip));
    set_due(c, e, now + c->cfg.retrans_us);
    timer(c, e, now, TA_START, e->due,
          WHY(N_TMR_ARP_PROBE_START, c->cfg.retrans_us, e->probes,
              c->cfg.max_probes));
}

static void transmit_to(struct arp_cache *c, const struct arp_entry *e,
                        uint8_t *frame, size_t len, uint32_t conn, int layer,
                        struct why why)
{
    memcpy(frame, e->mac.b, 6);            /* Ethernet destination */
    c->env.xmit(c->env.ctx, frame, len, conn, layer, why);
}

void arp_output(struct arp_cache *c, int64_t now, ip4_addr ip,
                const uint8_t *frame, size_t len, uint32_t conn, int layer,
                struct why why)
{
    struct arp_entry *e = find(c, ip);
    if (e && (e->state == ARP_REACHABLE || e->state == ARP_STALE ||
              e->state == ARP_DELAY || e->state == ARP_PROBE)) {
        uint8_t buf[FRAME_MAX];
        if (len > sizeof buf)
            return;
        if (e->state == ARP_STALE) {
            /* RFC 4861 7.3.3: "The first time a node sends a packet to a
             * neighbor whose entry is STALE, the sender changes the state
             * to DELAY and sets a timer to expire in DELAY_FIRST_PROBE_TIME
             * seconds." */
            set_state(c, e, now, ARP_DELAY,
                      WHY(N_ARP_DELAY, ip, c->cfg.delay_us));
            set_due(c, e, now + c->cfg.delay_us);
            timer(c, e, now, TA_START, e->due,
                  WHY(N_TMR_ARP_DELAY_START, c->cfg.delay_us, ip));
        }
        /* RFC 4861 Appendix C: in STALE, DELAY and PROBE a packet to send
         * is sent with the cached address; only INCOMPLETE queues. */
        memcpy(buf, frame, len);
        transmit_to(c, e, buf, len, conn, layer, why);
        return;
    }
    if (!e)
        e = add(c, ip);
    if (e->state != ARP_INCOMPLETE) {
        /* RFC 4861 7.3.3: after a failure "Subsequent traffic to that
         * neighbor will recreate the entry and perform address resolution
         * again" -- with a fresh count of requests. */
        int again = e->state == ARP_FAILED;
        e->requests = 0;
        e->probes = 0;
        set_state(c, e, now, ARP_INCOMPLETE,
                  again ? WHY(N_ARP_INCOMPLETE_AGAIN, ip)
                        : WHY(N_ARP_INCOMPLETE, ip));
        send_request(c, e, now, WHY(N_ARP_REQUEST, ip, c->cfg.max_requests));
    }
    if (e->nq >= c->cfg.queue_max) {
        /* like Linux's unres_qlen: the oldest waiting packet gives way,
         * and nobody is told (the resolution has not failed) */
        c->env.unreachable(c->env.ctx, ip, &e->q[0],
                           WHY(N_ARP_QUEUE_FULL, ip, e->nq), 0);
        free(e->q[0].frame);
        memmove(e->q, e->q + 1, (size_t)(e->nq - 1) * sizeof *e->q);
        e->nq--;
    }
    struct arp_waiting *nq = xreallocarray(e->q, (size_t)e->nq + 1, sizeof *nq);
    e->q = nq;
    struct arp_waiting *w = &e->q[e->nq++];
    w->frame = xmalloc(len);
    memcpy(w->frame, frame, len);
    w->len = len;
    w->conn = conn;
    w->layer = layer;
    w->why = why;
}

/* Sends everything queued for e, in order. */
static void flush(struct arp_cache *c, struct arp_entry *e)
{
    struct arp_waiting *q = e->q;
    int nq = e->nq;
    e->q = NULL;
    e->nq = 0;
    for (int i = 0; i < nq; i++) {
        transmit_to(c, e, q[i].frame, q[i].len, q[i].conn, q[i].layer, q[i].why);
        free(q[i].frame);
    }
    free(q);
}

/* e goes to `to` (REACHABLE or STALE) with its timer to match. */
static void settle(struct arp_cache *c, struct arp_entry *e, int64_t now,
                   enum arp_state to, struct why why)
{
    set_state(c, e, now, to, why);
    set_due(c, e, to == ARP_REACHABLE ? now + c->cfg.reachable_us : 0);
}

int arp_input(struct arp_cache *c, int64_t now, const struct arp_pkt *p,
              struct why *drop)
{
    /* RFC 826, Packet Reception:
     *   Set Merge_flag to false.
     *   If the pair <protocol type, sender protocol address> is already in
     *   my translation table, update the sender hardware address field of
     *   the entry with the new information in the packet and set Merge_flag
     *   to true.
     *   ?Am I the target protocol address?  Yes:
     *     If Merge_flag is false, add the triplet to the translation table.
     *     ?Is the opcode ares_op$REQUEST?  Yes: swap the hardware and
     *     protocol fields, put the local addresses in the sender fields, set
     *     the opcode to ares_op$REPLY, and send it to the requester. */
    static const mac_addr zero = { { 0 } };
    if (p->sha.b[0] & 1) {
        /* RFC 1812 3.3.2: "A router MUST not believe any ARP reply that
         * claims that the Link Layer address of another host or router is
         * a broadcast or multicast address."  (ff:ff:ff:ff:ff:ff has the
         * group bit too.)  A host that believed one would send unicast
         * traffic to a group, so hosts here hold to it as routers do, and
         * for requests as for replies: nothing is merged, added or
         * answered (a reply would go to that group too). */
        *drop = WHY(N_ARP_DROP_SHA_GROUP, p->spa);
        return 1;
    }
    if (!memcmp(p->sha.b, zero.b, sizeof zero.b)) {
        /* no interface has the all-zero address: a frame sent to it
         * reaches nobody, so it is no sender's address to learn */
        *drop = WHY(N_ARP_DROP_SHA_ZERO, p->spa);
        return 1;
    }
    if (p->spa == 0) {
        /* RFC 5227 2.1.1: an ARP probe is a request with "the 'sender IP
         * address' field ... set to all zeroes ... to avoid polluting ARP
         * caches in other hosts".  0.0.0.0 is nobody's address, so no
         * entry is merged or added for it; but RFC 826 answers every
         * request whose target protocol address is ours ("?Am I the target
         * protocol address? Yes: ... ?Is the opcode ares_op$REQUEST?
         * (NOW look at the opcode!!) Yes: ... send the packet to the (new)
         * target hardware address"), and that reply, whose sender address
         * is the one probed, is what tells the prober the address is in
         * use (RFC 5227 2.1.1: "any ARP packet (Request *or* Reply) ...
         * where the packet's 'sender IP address' is the address being
         * probed for").  Linux answers it the same way (arp_process, sip
         * == 0): to the prober's MAC, target address 0.0.0.0. */
        if (p->op == ARP_OP_REQUEST && p->tpa == c->my_ip)
            send_arp(c, ARP_OP_REPLY, p->sha, p->sha, 0,
                     WHY(N_ARP_PROBE_ANSWER, c->my_ip));
        return 0;
    }
    if (p->spa == c->my_ip) {
        if (!memcmp(p->sha.b, c->my_mac.b, sizeof p->sha.b))
            return 0; /* our own packet heard back: nothing to learn */
        /* another MAC address claims this host's address: an address
         * conflict, or ARP spoofing.  RFC 5227 2.4's conflict detection
         * (defend the address, or give it up) is not modelled; no entry is
         * made for our own address, and nothing is answered, but the drop
         * says what arrived (it vanished without a record before) */
        *drop = WHY(N_ARP_DROP_OWN_ADDR, p->spa, mac_to_i64(p->sha));
        return 1;
    }
    int merge = 0;
    struct arp_entry *e = find(c, p->spa);
    /* A reply to us that answers a request or probe of ours confirms
     * reachability (REACHABLE; RFC 4861 7.3.1: "receipt of a solicited
     * Neighbor Advertisement serves as reachability confirmation", the
     * only kind ARP has).  A request, a reply to someone else, or a reply
     * to us that answers nothing we asked (RFC 4861 7.2.5: an unsolicited
     * advertisement sets STALE at most) only says the sender exists and
     * where, so it gives STALE, as Linux records it. */
    int confirmed = p->op == ARP_OP_REPLY && p->tpa == c->my_ip && e &&
                    e->asked;
    if (confirmed)
        e->asked = 0;
    enum arp_state to = confirmed ? ARP_REACHABLE : ARP_STALE;
    if (e && e->state != ARP_NONE) {
        merge = 1;
        mac_addr old = e->mac;
        e->mac = p->sha;
        if ((e->state == ARP_REACHABLE || e->state == ARP_STALE ||
             e->state == ARP_DELAY || e->state == ARP_PROBE) &&
            memcmp(old.b, p->sha.b, sizeof old.b)) {
            /* RFC 826's merge: "update the sender hardware address field
             * of the entry with the new information in the packet" -- a
             * new address, whether the host's interface changed or another
             * host answers for it (ARP spoofing): said, with both MACs.
             * RFC 4861 7.2.5 (an advertisement with Override set, as every
             * ARP packet is here; Linux overrides once the entry is older
             * than locktime, 1 s): "If the Solicited flag is zero and the
             * link-layer address was updated with a different address, the
             * state MUST be set to STALE"; a solicited one sets REACHABLE.
             * A check in DELAY or PROBE is over: it was of the old address. */
            struct why w = confirmed
                ? WHY(N_ARP_MAC_CHANGED_CONFIRM, p->spa, mac_to_i64(old),
                      mac_to_i64(p->sha), c->cfg.reachable_us)
                : WHY(N_ARP_MAC_CHANGED, p->spa, mac_to_i64(old),
                      mac_to_i64(p->sha));
            if (e->state == ARP_DELAY || e->state == ARP_PROBE)
                timer(c, e, now, TA_STOP, 0, w);
            if (e->state == to)         /* the state stays; the address not */
                trace_state(c->env.tr, now, c->env.host, TL_ARP, e->id,
                            e->state, to, w);
            settle(c, e, now, to, w);
        } else
        switch (e->state) {
        case ARP_INCOMPLETE: {
            struct why w = confirmed ? WHY(N_ARP_RESOLVED, p->spa, e->nq)
                                     : WHY(N_ARP_RESOLVED_UNCONFIRMED, p->spa,
                                           e->nq);
            timer(c, e, now, TA_STOP, 0, w);
            settle(c, e, now, to, w);
            flush(c, e);
            break;
        }
        case ARP_DELAY:
        case ARP_PROBE:
            /* RFC 4861 7.3.3: DELAY -- "If reachability confirmation is
             * received, the state changes to REACHABLE"; PROBE -- probes
             * go on "until a reachability confirmation is obtained".  A
             * packet that confirms nothing leaves the check running (Linux
             * keeps the state when the address is unchanged). */
            if (!confirmed)
                break;
            timer(c, e, now, TA_STOP, 0,
                  e->state == ARP_DELAY ? WHY(N_TMR_ARP_STOP_DELAY, p->spa)
                                        : WHY(N_TMR_ARP_STOP_PROBE, p->spa));
            settle(c, e, now, ARP_REACHABLE,
                   e->state == ARP_DELAY
                       ? WHY(N_ARP_CONFIRM, p->spa, c->cfg.reachable_us)
                       : WHY(N_ARP_PROBE_OK, p->spa, e->probes,
                             c->cfg.reachable_us));
            break;
        case ARP_REACHABLE:
        case ARP_STALE:
            if (confirmed)
                settle(c, e, now, ARP_REACHABLE,
                       WHY(N_ARP_CONFIRM, p->spa, c->cfg.reachable_us));
            break;
        case ARP_FAILED:
            settle(c, e, now, to,
                   confirmed ? WHY(N_ARP_CONFIRM, p->spa, c->cfg.reachable_us)
                             : WHY(N_ARP_REVIVE, p->spa));
            break;
        default:
            break;
        }
    }
    if (p->tpa != c->my_ip)
        return 0;
    if (!merge) {
        /* RFC 826: "If Merge_flag is false, add the triplet" -- for a
         * request or a reply alike, as the RFC reads; a reply here is one
         * we did not ask for, so the entry starts STALE (see above).
         * Linux adds none for an unsolicited reply unless arp_accept is
         * set (README, "The model, and where it simplifies"). */
        if (!e)
            e = add(c, p->spa);
        e->mac = p->sha;
        settle(c, e, now, ARP_STALE, p->op == ARP_OP_REPLY
                                         ? WHY(N_ARP_LEARN_REPLY, p->spa)
                                         : WHY(N_ARP_LEARN, p->spa));
    }
    if (p->op == ARP_OP_REQUEST)
        send_arp(c, ARP_OP_REPLY, p->sha, p->sha, p->spa,
                 WHY(N_ARP_REPLY, c->my_ip, p->spa));
    return 0;
}

int64_t arp_deadline(const struct arp_cache *c)
{
    return c->nheap ? c->e[c->heap[0]].due : -1;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void arp_timer(struct arp_cache *c, int64_t now)
{
    /* the entries due by now, taken off the heap and handled in the order
     * of the cache (what an entry's timer does touches no other entry) */
    int nd = 0, cap = 0, *due = NULL;
    while (c->nheap && c->e[c->heap[0]].due <= now) {
        int i = c->heap[0];
        if (nd == cap) {
            cap = cap ? 2 * cap : 4;
            due = xreallocarray(due, (size_t)cap, sizeof *due);
        }
        due[nd++] = i;
        set_due(c, &c->e[i], 0);
    }
    if (nd > 1)
        qsort(due, (size_t)nd, sizeof *due, int_cmp);
    for (int d = 0; d < nd; d++) {
        struct arp_entry *e = &c->e[due[d]];
        switch (e->state) {
        case ARP_INCOMPLETE:
            /* the wait for request number e->requests is over */
            timer(c, e, now, TA_EXPIRE, 0,
                  WHY(N_TMR_ARP_EXPIRE, c->cfg.retrans_us, e->requests,
                      c->cfg.max_requests));
            if (e->requests < c->cfg.max_requests) {
                /* RFC 1122 2.3.2.1: ARP flooding MUST be prevented; "The
                 * recommended maximum rate is 1 per second per
                 * destination" -- one request per retrans_us, up to
                 * max_requests in all (RFC 826 leaves retries open). */
                send_request(c, e, now, WHY(N_ARP_RETRY, e->requests + 1,
                                            c->cfg.max_requests));
                break;
            }
            /* RFC 4861 7.2.2: "If no Neighbor Advertisement is received
             * after MAX_MULTICAST_SOLICIT solicitations, address resolution
             * has failed.  The sender MUST return ICMP destination
             * unreachable indications ... for each packet queued awaiting
             * address resolution." */
            e->asked = 0;     /* given up: a later reply answers nothing */
            set_state(c, e, now, ARP_FAILED,
                      WHY(N_ARP_FAILED, e->requests, e->ip, e->nq));
            for (int k = 0; k < e->nq; k++)
                c->env.unreachable(c->env.ctx, e->ip, &e->q[k],
                                   WHY(N_ARP_UNREACHABLE, e->ip, e->requests), 1);
            drop_queue(e);
            break;
        case ARP_REACHABLE:
            /* RFC 4861 7.3.3: "When ReachableTime milliseconds have passed
             * since receipt of the last reachability confirmation for a
             * neighbor, the Neighbor Cache entry's state changes from
             * REACHABLE to STALE." */
            set_state(c, e, now, ARP_STALE,
                      WHY(N_ARP_STALE, c->cfg.reachable_us));
            break;
        case ARP_DELAY:
            /* RFC 4861 7.3.3: "If the entry is still in the DELAY state
             * when the timer expires, the entry's state changes to PROBE." */
            timer(c, e, now, TA_EXPIRE, 0,
                  WHY(N_TMR_ARP_DELAY_EXPIRE, c->cfg.delay_us, e->ip));
            e->probes = 0;
            set_state(c, e, now, ARP_PROBE,
                      WHY(N_ARP_PROBE, e->ip, c->cfg.delay_us));
            send_probe(c, e, now);
            break;
        case ARP_PROBE:
            timer(c, e, now, TA_EXPIRE, 0,
                  WHY(N_TMR_ARP_PROBE_EXPIRE, c->cfg.retrans_us, e->probes,
                      c->cfg.max_probes));
            /* RFC 4861 7.3.3: "a node retransmits Neighbor Solicitation
             * messages every RetransTimer milliseconds until reachability
             * confirmation is obtained. ... If no response is received
             * after waiting RetransTimer milliseconds after sending the
             * MAX_UNICAST_SOLICIT solicitations, retransmissions cease" */
            if (e->probes < c->cfg.max_probes) {
                send_probe(c, e, now);
                break;
            }
            /* ... "and the entry SHOULD be deleted": Linux marks it FAILED
             * (neigh_timer_handler), and so do we.  Nothing waits in
             * PROBE, so nothing is dropped or reported here. */
            e->asked = 0;
            set_state(c, e, now, ARP_FAILED,
                      WHY(N_ARP_PROBE_FAILED, e->probes, e->ip));
            break;
        default:
            break;
        }
    }
    free(due);
}
