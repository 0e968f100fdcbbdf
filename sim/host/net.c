/* net.c — the network between hosts: point-to-point links and Ethernet LANs
 * with their delay, jitter, loss, duplication and reordering; the scenario's
 * fault rules; IPv4 routing (on-link or via a gateway) with ARP for the next
 * hop; forwarding at routers; and delivery of frames to hosts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "simint.h"

/* The transmission properties links and LANs share. */
struct medium {
    int64_t  delay_us, jitter_us;
    uint32_t loss_ppm, dup_ppm, reorder_ppm;
    int      lan;              /* a LAN, not a point-to-point link: the
                                  narration names which one lost a frame */
    int      arp_bcast;        /* an ARP broadcast on LAN arp_bcast - 1;
                                  0 for any other frame */
};

#define MAX_FAULT_COPIES 8

/* What the scenario's fault rules do to one frame.  Each extra copy keeps
 * the line of the rule that made it, so its sentence names that rule. */
struct fault_effect {
    int      drop_line;
    int64_t  extra;
    int      ndelays;          /* delay rules that hit this frame */
    int      copies;           /* 1 + one per duplicate rule that hit */
    int      copy_line[MAX_FAULT_COPIES];
    struct why arrive;
};

/* Locally administered unicast addresses: 02:HH:HH:IF:HH:HH, the host's
 * number + 1 in the four H bytes (so 02:00:00:IF:HH:HH up to 65,535 hosts)
 * and the interface in IF: unique for every interface, and the frame's
 * destination says which interface it names without a search. */
static mac_addr host_mac(int h, int iface)
{
    uint32_t n = (uint32_t)h + 1;
    return (mac_addr){ { 0x02, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
                         (uint8_t)iface, (uint8_t)(n >> 8), (uint8_t)n } };
}

/* The interface of LAN lan whose MAC is mac: read from the address
 * (host_mac), then checked.  Returns the host, *k its interface; -1 if no
 * interface on that LAN has the address. */
static int lan_member_of(const struct sim *s, int lan, const uint8_t *mac,
                         int *k)
{
    uint32_t n = (uint32_t)mac[1] << 24 | (uint32_t)mac[2] << 16 |
                 (uint32_t)mac[4] << 8 | mac[5];
    if (mac[0] != 0x02 || n == 0 || n > (uint32_t)s->nhosts)
        return -1;
    int h = (int)(n - 1);
    *k = mac[3];
    const struct sim_host *hp = &s->hosts[h];
    if (*k >= hp->nifs || hp->ifs[*k].lan != lan ||
        memcmp(hp->ifs[*k].mac.b, mac, 6))
        return -1;
    return h;
}

static ip4_addr prefix_mask(int prefix)
{
    return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu
                       : ~((1u << (32 - prefix)) - 1u);
}

static void addr_put(struct sim *s, ip4_addr a, int h)
{
    size_t j = sim_addr_home(s, a);
    while (s->addrs[j].host && s->addrs[j].addr != a)
        j = (j + 1) & (s->naddrs - 1);
    if (!s->addrs[j].host)              /* unique (the parser checks) */
        s->addrs[j] = (struct sim_addr){ a, h + 1 };
}

/* Every address of every host, for sim_host_by_addr(): open addressing,
 * at most 4/5 full.  It was a sorted array searched in halves, a dozen
 * steps a frame in a crowd and 2% of a lifecycle even among 100 hosts. */
static void build_addr_index(struct sim *s)
{
    size_t n = 0;
    for (int h = 0; h < s->nhosts; h++)
        n += 1 + (size_t)s->hosts[h].nifs;
    s->naddrs = 16;
    while (5 * n > 4 * s->naddrs)
        s->naddrs *= 2;
    s->addrs = xcalloc(s->naddrs, sizeof *s->addrs);
    for (int h = 0; h < s->nhosts; h++) {
        addr_put(s, s->hosts[h].addr, h);
        for (int k = 0; k < s->hosts[h].nifs; k++)
            addr_put(s, s->hosts[h].ifs[k].addr, h);
    }
}

int net_is_local(const struct sim *s, int h, ip4_addr a)
{
    const struct sim_host *hp = &s->hosts[h];
    if (hp->addr == a)
        return 1;
    for (int i = 0; i < hp->nifs; i++)
        if (hp->ifs[i].addr == a)
            return 1;
    return 0;
}

/* ---- the medium ------------------------------------------------------- */

/* The fault rules of one source and destination: fault_groups[first ..
 * first + n).  A rule names both ends, so a frame is matched against its
 * pair's rules only: a crowd with a rule per client matched every frame
 * against all of them. */
struct fault_pair { int src, dst; uint32_t first, n; int used; };

/* The rules of a pair that match the same frames (the same protocol, flags
 * and data test): one count of the frames they matched serves them all,
 * and their rules, in fault_order[first .. first + n) by the Nth frame they
 * wait for, fire in turn as the count reaches it (next: the first not yet
 * fired).  Matching each rule of `repeat 8000 as i: fault delay a->b tcp
 * #{2 * i}` on every frame made a transfer quadratic. */
struct fault_group { uint32_t first, n, next, seen; };

static struct fault_pair *fault_pair_of(const struct sim *s, int src, int dst)
{
    size_t m = s->fault_paircap - 1;
    size_t j = hash_home((uint64_t)(uint32_t)src << 32 | (uint32_t)dst,
                         s->fault_paircap);
    while (s->fault_pairs[j].used &&
           (s->fault_pairs[j].src != src || s->fault_pairs[j].dst != dst))
        j = (j + 1) & m;
    return &s->fault_pairs[j];
}

/* A rule as the index sorts it: what decides whether it matches a frame
 * (scn_match_frame; rules with equal keys match the same frames), the Nth
 * frame it waits for, its place in the lesson. */
struct fault_key { int src, dst, proto, data, any_flags, flags, nth; uint32_t i; };

static int fault_key_cmp(const struct fault_key *a, const struct fault_key *b)
{
    int d = a->src != b->src ? (a->src < b->src ? -1 : 1)
          : a->dst != b->dst ? (a->dst < b->dst ? -1 : 1)
          : a->proto != b->proto ? (a->proto < b->proto ? -1 : 1)
          : a->data != b->data ? (a->data < b->data ? -1 : 1)
          : a->any_flags != b->any_flags ? (a->any_flags < b->any_flags ? -1 : 1)
          : 0;
    return d ? d : (a->flags > b->flags) - (a->flags < b->flags);
}

/* By key, then by the Nth frame, then in the lesson's order. */
static int fault_cmp(const void *pa, const void *pb)
{
    const struct fault_key *a = pa, *b = pb;
    int d = fault_key_cmp(a, b);
    if (d)
        return d;
    if (a->nth != b->nth)
        return a->nth < b->nth ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int u32_cmp(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return (a > b) - (a < b);
}

static void build_fault_index(struct sim *s)
{
    const struct scenario *scn = s->scn;
    if (!scn->nfaults)
        return;
    size_t nf = (size_t)scn->nfaults;
    for (s->fault_paircap = 16; s->fault_paircap < 2 * nf;)
        s->fault_paircap *= 2;
    s->fault_pairs = xcalloc(s->fault_paircap, sizeof *s->fault_pairs);
    s->fault_order = xreallocarray(NULL, nf, sizeof *s->fault_order);
    s->fault_fired = xreallocarray(NULL, nf, sizeof *s->fault_fired);
    s->fault_groups = xcalloc(nf, sizeof *s->fault_groups);
    struct fault_key *k = xreallocarray(NULL, nf, sizeof *k);
    for (size_t i = 0; i < nf; i++) {
        const struct scn_match *m = &scn->faults[i].m;
        k[i] = (struct fault_key){ m->src, m->dst, m->proto, m->data, m->any_flags,
                                   m->any_flags ? 0 : m->flags, scn->faults[i].nth,
                                   (uint32_t)i };
    }
    qsort(k, nf, sizeof *k, fault_cmp);
    /* runs of equal keys are the groups; the groups of equal ends, a pair */
    uint32_t ng = 0;
    for (size_t j = 0; j < nf; j++) {
        s->fault_order[j] = k[j].i;
        if (j == 0 || fault_key_cmp(&k[j - 1], &k[j])) {
            s->fault_groups[ng++] = (struct fault_group){ (uint32_t)j, 0, 0, 0 };
            struct fault_pair *p = fault_pair_of(s, k[j].src, k[j].dst);
            if (!p->used)
                *p = (struct fault_pair){ k[j].src, k[j].dst, ng - 1, 0, 1 };
            p->n++;
        }
        s->fault_groups[ng - 1].n++;
    }
    free(k);
}

/* The groups lie one after another in fault_order (build_fault_index), so
 * the group at j covers fault_order[j .. j + n). */
void sim_fault_seen(const struct sim *s, uint32_t *seen)
{
    size_t nf = (size_t)s->scn->nfaults;
    for (size_t j = 0, g = 0; j < nf; g++) {
        const struct fault_group *gr = &s->fault_groups[g];
        for (uint32_t k = 0; k < gr->n; k++)
            seen[s->fault_order[gr->first + k]] = gr->seen;
        j += gr->n;
    }
}

static void apply_faults(struct sim *s, int src, int dst, const uint8_t *frame,
                         size_t flen, struct fault_effect *fe)
{
    memset(fe, 0, sizeof *fe);
    fe->copies = 1;
    fe->arrive = WHY0(N_NET_RECV);
    if (!s->scn->nfaults)
        return;
    const struct fault_pair *pair = fault_pair_of(s, src, dst);
    if (!pair->used)
        return;
    struct frame f;
    char err[64];
    int proto = 0;
    uint8_t flags = 0;
    size_t plen = 0;
    if (frame_decode(frame, flen, &f, err, sizeof err) == 0 && f.has_ip) {
        proto = f.l4;
        flags = f.l4 == IPPROTO_TCP_NUM ? f.tcp.flags : 0;
        plen = f.payload_len;
    } else {
        return;                /* fault rules match TCP and UDP only */
    }
    /* Every rule counts every frame it matches, whatever other rules do to
     * that frame; then the rules that hit their Nth frame apply, in the
     * lesson's order. */
    size_t nfired = 0;
    for (uint32_t g = pair->first; g < pair->first + pair->n; g++) {
        struct fault_group *gr = &s->fault_groups[g];
        const uint32_t *rule = s->fault_order + gr->first;
        if (!scn_match_frame(&s->scn->faults[rule[0]].m, src, dst, proto, flags, plen))
            continue;
        gr->seen++;
        while (gr->next < gr->n &&
               (uint32_t)s->scn->faults[rule[gr->next]].nth < gr->seen)
            gr->next++;
        while (gr->next < gr->n &&
               (uint32_t)s->scn->faults[rule[gr->next]].nth == gr->seen)
            s->fault_fired[nfired++] = rule[gr->next++];
    }
    if (nfired > 1)
        qsort(s->fault_fired, nfired, sizeof *s->fault_fired, u32_cmp);
    for (size_t j = 0; j < nfired; j++) {
        const struct scn_fault *fr = &s->scn->faults[s->fault_fired[j]];
        switch (fr->kind) {
        case FAULT_DROP:
            if (!fe->drop_line)
                fe->drop_line = fr->line;
            break;
        case FAULT_DELAY:
            /* the sentence quotes the delay the frame really gets: one
             * rule's, or the sum of several */
            fe->extra += fr->by_us;
            fe->ndelays++;
            fe->arrive = fe->ndelays == 1
                ? WHY(N_NET_FAULT_DELAY, fr->line, fr->by_us)
                : WHY(N_NET_FAULT_DELAYS, fe->ndelays, fe->extra);
            break;
        case FAULT_DUP:
            if (fe->copies <= MAX_FAULT_COPIES)
                fe->copy_line[fe->copies++ - 1] = fr->line;
            break;
        }
    }
}

enum { FLIGHT_BLOCK = 1024 };
struct flight_block {
    struct flight_block *next;
    struct flight f[FLIGHT_BLOCK];
};

static void schedule_delivery(struct sim *s, int64_t at, uint32_t pkt,
                              uint64_t of, int src, int dst, int dst_if,
                              int arp_bcast, struct why why)
{
    /* a recycled flight, else the newest block's next unused one: a block
     * is not threaded onto the free list when it is made, which wrote all
     * of its 1,024 flights for a run that may use a dozen */
    struct flight *f = s->free_flights;
    if (f) {
        s->free_flights = (struct flight *)f->ev.next;
    } else {
        if (!s->flight_fresh) {
            /* an earlier run's block first (sim_reset): freeing 48 KiB
             * had the allocator consolidate its heap on every reset */
            struct flight_block *b = s->spare_flight_blocks;
            if (b)
                s->spare_flight_blocks = b->next;
            else
                b = xmalloc(sizeof *b);
            b->next = s->flight_blocks;
            s->flight_blocks = b;
            s->flight_fresh = FLIGHT_BLOCK;
        }
        f = &s->flight_blocks->f[FLIGHT_BLOCK - s->flight_fresh--];
    }
    f->why_ix = 0;
    if (why.id != N_NET_RECV) {
        /* a fault rule's delay: its sentence waits beside the flight */
        uint32_t ix = s->free_fault_why;
        if (ix) {
            s->free_fault_why = s->fault_whys[ix - 1].next_free;
        } else {
            if (s->nfault_whys == s->capfault_whys) {
                if (s->capfault_whys >= UINT32_C(1) << 31)
                    alloc_exhausted(sizeof *s->fault_whys << 32);
                s->capfault_whys = s->capfault_whys ? 2 * s->capfault_whys : 16;
                s->fault_whys = xreallocarray(s->fault_whys, s->capfault_whys,
                                              sizeof *s->fault_whys);
            }
            ix = ++s->nfault_whys;
        }
        s->fault_whys[ix - 1].why = why;
        f->why_ix = ix;
    }
    f->pkt = pkt;
    f->of = (uint32_t)of;
    f->of_hi = (uint16_t)(of >> 32);
    f->src = src;
    f->dst = dst;
    f->dst_if = (int8_t)dst_if;
    f->arp_bcast = arp_bcast != 0;
    if (arp_bcast)
        s->lans[arp_bcast - 1].arp_bcast_in_flight++;
    eq_post(&s->q, &f->ev, at, EV_DELIVER);
    s->frames_in_flight++;
    trace_blob_hold(&s->tr, pkt);      /* a streaming trace keeps its bytes */
}

/* One frame towards one receiver across a medium: random loss, copies,
 * jitter and reordering, all from the seeded generator.  `sent` is the
 * index of the frame's TK_SEND. */
static void transmit(struct sim *s, int src, int dst, int dst_if, uint32_t pkt,
                     size_t sent, int layer, const struct medium *m,
                     const struct fault_effect *fe)
{
    if (rng_chance_ppm(&s->rng, m->loss_ppm)) {
        struct trace_pkt d = { TK_DROP, src, layer, src, dst, pkt, 0,
                               (uint64_t)sent + 1, 0, DR_LOSS,
                               s->now + m->delay_us };
        trace_packet(&s->tr, s->now, &d,
                     WHY(m->lan ? N_NET_LOSS_LAN : N_NET_LOSS, m->loss_ppm));
        return;
    }
    int copies = fe->copies;
    if (rng_chance_ppm(&s->rng, m->dup_ppm))
        copies++;
    for (int c = 0; c < copies; c++) {
        int64_t d = m->delay_us + fe->extra;
        if (m->jitter_us > 0)
            d += (int64_t)rng_below(&s->rng, (uint64_t)m->jitter_us + 1);
        if (rng_chance_ppm(&s->rng, m->reorder_ppm))
            d += 2 * (m->delay_us + m->jitter_us);
        /* copies 1..fe->copies-1 come from fault rules, a last one from
         * the medium's random duplication; each copy is its own send,
         * naming the original, and its arrival names that copy */
        size_t copy = sent;
        if (c > 0) {
            struct trace_pkt cp = { TK_SEND, src, layer, src, dst, pkt, 0,
                                    (uint64_t)sent + 1, 1, 0, 0 };
            copy = trace_packet(&s->tr, s->now, &cp, c < fe->copies
                         ? WHY(N_NET_FAULT_DUP, fe->copy_line[c - 1])
                         : WHY(m->lan ? N_NET_DUP_LAN : N_NET_DUP, m->dup_ppm));
        }
        schedule_delivery(s, s->now + d, pkt, (uint64_t)copy + 1, src, dst,
                          dst_if, m->arp_bcast, fe->arrive);
    }
}

static void fault_drop(struct sim *s, int src, int dst, uint32_t pkt,
                       size_t sent, int layer, const struct fault_effect *fe,
                       const struct medium *m)
{
    struct trace_pkt d = { TK_DROP, src, layer, src, dst, pkt, 0,
                           (uint64_t)sent + 1, 0, DR_FAULT,
                           s->now + m->delay_us };
    trace_packet(&s->tr, s->now, &d, WHY(N_NET_FAULT_DROP, fe->drop_line));
}

/* Records the frame as sent; returns the record's index, the packet id in
 * *pkt. */
static size_t record_send(struct sim *s, int src, int dst, const uint8_t *frame,
                          size_t len, uint32_t conn, int layer, struct why why,
                          uint32_t *pkt)
{
    *pkt = trace_blob(&s->tr, frame, len);
    struct trace_pkt p = { TK_SEND, src, layer, src, dst, *pkt, conn, 0, 0, 0, 0 };
    return trace_packet(&s->tr, s->now, &p, why);
}

/* A frame that was sent but goes nowhere. */
static void drop_sent(struct sim *s, int src, int dst, uint32_t pkt,
                      size_t sent, int layer, int reason, struct why why)
{
    struct trace_pkt d = { TK_DROP, src, layer, src, dst, pkt, 0,
                           (uint64_t)sent + 1, 0, reason, 0 };
    trace_packet(&s->tr, s->now, &d, why);
}

/* A frame enters the network from src towards dst (HOST_BROADCAST for
 * every other interface on a LAN): it is recorded as sent, then the fault
 * rules see it.  Returns 0 when a rule dropped it; else the frame's packet
 * id, its send record and what the rules do to it are in *pkt, *sent and
 * *fe, for transmit(). */
static int enter_wire(struct sim *s, int src, int dst, const uint8_t *frame,
                      size_t len, uint32_t conn, int layer, struct why why,
                      const struct medium *m, struct fault_effect *fe,
                      uint32_t *pkt, size_t *sent)
{
    *sent = record_send(s, src, dst, frame, len, conn, layer, why, pkt);
    apply_faults(s, src, dst, frame, len, fe);
    if (fe->drop_line) {
        fault_drop(s, src, dst, *pkt, *sent, layer, fe, m);
        return 0;
    }
    return 1;
}

/* Over link index link (net_link(s, src, dst), which the caller found). */
static void link_send(struct sim *s, int src, int dst, int link,
                      const uint8_t *frame, size_t len, uint32_t conn,
                      int layer, struct why why)
{
    const struct scn_link *l = &s->scn->links[link];
    struct medium m = { l->delay_us, l->jitter_us, l->loss_ppm, l->dup_ppm,
                        l->reorder_ppm, 0, 0 };
    struct fault_effect fe;
    uint32_t pkt;
    size_t sent;
    if (enter_wire(s, src, dst, frame, len, conn, layer, why, &m, &fe, &pkt,
                   &sent))
        transmit(s, src, dst, -1, pkt, sent, layer, &m, &fe);
}

/* An Ethernet frame leaves interface ifc onto its LAN: to every other
 * interface for a broadcast, else to the one whose MAC it names. */
static void lan_xmit(struct sim *s, struct sim_iface *ifc, const uint8_t *frame,
                     size_t len, uint32_t conn, int layer, struct why why)
{
    const struct sim_lan *lan = &s->lans[ifc->lan];
    const struct scn_lan *c = lan->cfg;
    struct medium m = { c->delay_us, c->jitter_us, c->loss_ppm, c->dup_ppm,
                        c->reorder_ppm, 1, 0 };
    struct fault_effect fe;
    uint32_t pkt;
    size_t sent;
    int broadcast = !memcmp(frame, MAC_BROADCAST.b, 6);
    if (broadcast && layer == TL_ARP)
        m.arp_bcast = ifc->lan + 1;
    int to_if = -1;                            /* the member it names */
    int to = broadcast ? -1 : lan_member_of(s, ifc->lan, frame, &to_if);
    if (!broadcast && to < 0) {
        /* no interface has that address: the frame goes nowhere */
        sent = record_send(s, ifc->host, HOST_BROADCAST, frame, len, conn,
                           layer, why, &pkt);
        drop_sent(s, ifc->host, HOST_BROADCAST, pkt, sent, layer, DR_NOROUTE,
                  WHY0(N_NET_NOMAC));
        return;
    }
    int dst = broadcast ? HOST_BROADCAST : to;
    if (!enter_wire(s, ifc->host, dst, frame, len, conn, layer, why, &m, &fe,
                    &pkt, &sent))
        return;
    if (!broadcast) {
        if (to != ifc->host || to_if != ifc->idx)  /* not to itself */
            transmit(s, ifc->host, to, to_if, pkt, sent, layer, &m, &fe);
        return;
    }
    for (int i = 0; i < lan->nmembers; i++) {
        int h = lan->member_host[i], k = lan->member_if[i];
        if (h == ifc->host && k == ifc->idx)
            continue;                          /* a broadcast skips its sender */
        /* past the frames-in-flight budget the run stops after this event
         * and nothing in flight is delivered: one broadcast on a LAN of
         * millions made a copy for each member first, memory far past the
         * budget (4,000,000 copies at --max-frames 250000) */
        if (s->frames_in_flight > s->max_frames)
            break;
        transmit(s, ifc->host, h, k, pkt, sent, layer, &m, &fe);
    }
}

/* ---- ARP glue -------------------------------------------------------------- */

static void arp_xmit_cb(void *ctx, const uint8_t *frame, size_t len,
                        uint32_t conn, int layer, struct why why)
{
    struct sim_iface *ifc = ctx;
    lan_xmit(ifc->sim, ifc, frame, len, conn, layer, why);
}

/* A packet that waited for ARP is dropped: because resolution failed
 * (failed = 1) or because newer packets filled the queue. */
static void arp_unreachable_cb(void *ctx, ip4_addr ip,
                               const struct arp_waiting *w, struct why why,
                               int failed)
{
    struct sim_iface *ifc = ctx;
    struct sim *s = ifc->sim;
    /* never on the wire, so no send to name */
    struct trace_pkt d = { TK_DROP, ifc->host, w->layer, ifc->host,
                           HOST_BROADCAST, trace_blob(&s->tr, w->frame, w->len),
                           w->conn, 0, 0, failed ? DR_ARP : DR_ARPQUEUE, 0 };
    trace_packet(&s->tr, s->now, &d, why);
    /* RFC 4861 7.2.2: the sender is told, "for each packet queued awaiting
     * address resolution".  Only a packet this host originated has a
     * sender here; a router's forwarded packet is just dropped (its ICMP
     * host unreachable, RFC 1812 5.2.7.1, is not modelled), and so is a
     * segment TCP sent for no connection (RFC 9293 3.10.7.1's RST). */
    ip4_addr src = w->len >= ETH_HDR_LEN + 20
        ? (ip4_addr)w->frame[ETH_HDR_LEN + 12] << 24 |
          (ip4_addr)w->frame[ETH_HDR_LEN + 13] << 16 |
          (ip4_addr)w->frame[ETH_HDR_LEN + 14] << 8 | w->frame[ETH_HDR_LEN + 15]
        : 0;
    if (failed && net_is_local(s, ifc->host, src) &&
        !(w->layer == TL_TCP && !w->conn))   /* an RST for no connection */
        sim_unreachable(s, ifc->host, ip, w->conn, w->layer);
}

static void sync_arp(struct sim *s, struct sim_iface *ifc)
{
    int64_t d = arp_deadline(&ifc->arp);
    if (d == ifc->arp_at)
        return;
    eq_cancel(&s->q, ifc->arp_ev);
    ifc->arp_ev = 0;
    ifc->arp_at = d;
    if (d >= 0)
        ifc->arp_ev = eq_schedule(&s->q, d < s->now ? s->now : d, EV_ARP_TIMER,
                                  ifc, 0);
}

void net_arp_timer(struct sim *s, struct sim_iface *ifc)
{
    ifc->arp_ev = 0;
    ifc->arp_at = -1;
    arp_timer(&ifc->arp, s->now);
    sync_arp(s, ifc);
}

/* ---- IPv4 routing ---------------------------------------------------------- */

/* RFC 1122 3.3.1.1: on-link destinations directly, others via the
 * gateway.  The interface a datagram to dst leaves by, and its next hop;
 * -1 when no interface reaches dst. */
static int route_iface(const struct sim_host *hp, ip4_addr dst, ip4_addr *next)
{
    *next = dst;
    for (int k = 0; k < hp->nifs; k++)
        if ((dst & hp->ifs[k].mask) == (hp->ifs[k].addr & hp->ifs[k].mask))
            return k;
    if (hp->cfg->gateway) {
        *next = hp->cfg->gateway;
        for (int k = 0; k < hp->nifs; k++)
            if ((hp->cfg->gateway & hp->ifs[k].mask) ==
                (hp->ifs[k].addr & hp->ifs[k].mask))
                return k;
    }
    return -1;
}

/* The source address of a datagram host h sends to dst when nothing has
 * bound one: RFC 1122 3.3.4.3, the address of the interface the route to
 * dst goes out by (a router on two LANs answers a client from the
 * address on the client's side).  A host with one address, or with links
 * only, has only that one; a datagram to one of the host's own addresses
 * goes from that address. */
ip4_addr net_src_addr(const struct sim *s, int h, ip4_addr dst)
{
    const struct sim_host *hp = &s->hosts[h];
    if (hp->nifs < 2)
        return hp->addr;
    for (int k = 0; k < hp->nifs; k++)
        if (hp->ifs[k].addr == dst)
            return dst;
    ip4_addr next;
    int out = route_iface(hp, dst, &next);
    return out >= 0 ? hp->ifs[out].addr : hp->addr;
}

void net_ip_output(struct sim *s, int h, uint8_t *frame, size_t len,
                   ip4_addr dst, uint32_t conn, int layer, struct why why)
{
    struct sim_host *hp = &s->hosts[h];
    int dh = sim_host_by_addr(s, dst);
    if (dh == h) {
        /* RFC 1122 3.3.4.2: a datagram to one of the host's own addresses
         * is looped back inside the host, on no link.  The frame names the
         * host's own MAC twice so the capture stays valid Ethernet; it is
         * recorded and meets the fault rules like any other. */
        static const struct medium loop = { .delay_us = 0 };
        struct fault_effect fe;
        uint32_t pkt;
        size_t sent;
        memcpy(frame, hp->mac.b, 6);
        memcpy(frame + 6, hp->mac.b, 6);
        if (enter_wire(s, h, h, frame, len, conn, layer, why, &loop, &fe, &pkt,
                       &sent))
            transmit(s, h, h, -1, pkt, sent, layer, &loop, &fe);
        return;
    }
    /* a point-to-point link to the destination's host: no ARP on a link */
    int link = dh >= 0 ? net_link(s, h, dh) : -1;
    if (link >= 0) {
        mac_addr sm = hp->mac, dm = s->hosts[dh].mac;
        memcpy(frame, dm.b, 6);
        memcpy(frame + 6, sm.b, 6);
        link_send(s, h, dh, link, frame, len, conn, layer, why);
        return;
    }
    ip4_addr next;
    int out = route_iface(hp, dst, &next);
    if (out < 0) {
        /* RFC 1122 3.3.1.1: "If not [on a connected network], then the
         * destination is accessible only through a gateway" -- and this
         * host has none.  A host on LANs says so; a host with only links
         * has no link to that destination. */
        uint32_t name = trace_intern(&s->tr, s->tr.host_names[h]);
        struct why nr = hp->nifs ? WHY(N_IP_NOROUTE, dst, name)
                                 : WHY(N_NET_NOROUTE, name, dst);
        uint32_t pkt;
        size_t sent = record_send(s, h, dh, frame, len, conn, layer, why, &pkt);
        drop_sent(s, h, dh, pkt, sent, layer, DR_NOROUTE, nr);
        return;
    }
    struct sim_iface *ifc = &hp->ifs[out];
    memcpy(frame + 6, ifc->mac.b, 6);
    arp_output(&ifc->arp, s->now, next, frame, len, conn, layer, why);
    sync_arp(s, ifc);
}

/* A router passes on a packet that is not its own.  RFC 1812 5.3.1: "If the
 * TTL is reduced to zero (or less), the packet MUST be discarded" (4.2.2.9:
 * "A router MUST NOT originate or forward a datagram with a Time-to-Live
 * (TTL) value of zero"); RFC 791 3.1: the header checksum "is recomputed if
 * the internet header is changed". */
static void forward(struct sim *s, const struct flight *fl,
                    const uint8_t *bytes, size_t len, const struct frame *f,
                    int layer)
{
    int h = fl->dst;
    if (f->ip.ttl <= 1) {
        /* the drop names the frame that arrived and who sent it */
        struct trace_pkt d = { TK_DROP, h, layer, fl->src, h, fl->pkt, 0,
                               flight_of(fl), 0, DR_TTL, 0 };
        trace_packet(&s->tr, s->now, &d, WHY(N_IP_TTL, f->ip.ttl));
        return;
    }
    uint8_t copy[FRAME_MAX];
    if (len > sizeof copy)
        return;
    memcpy(copy, bytes, len);
    uint8_t *ip = copy + ETH_HDR_LEN;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    ip[8] = (uint8_t)(f->ip.ttl - 1);
    ip[10] = ip[11] = 0;
    uint16_t c = inet_checksum(ip, ihl);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    net_ip_output(s, h, copy, len, f->ip.dst, 0, layer,
                  WHY(N_IP_FORWARD, f->ip.dst, f->ip.ttl, f->ip.ttl - 1));
}

void net_drop_arrived(struct sim *s, int h, uint32_t pkt, int layer,
                      int reason, struct why why)
{
    /* the drop names the sender of the frame and its send, as its arrival
     * did */
    int arrived = pkt == s->arrival_pkt;
    struct trace_pkt d = { TK_DROP, h, layer, arrived ? s->arrival_src : h, h,
                           pkt, 0, arrived ? s->arrival_of : 0, 0, reason, 0 };
    trace_packet(&s->tr, s->now, &d, why);
}

void net_deliver(struct sim *s, struct flight *fl)
{
    size_t len;
    const uint8_t *bytes = trace_blob_data(&s->tr, fl->pkt, &len);
    struct frame f;
    char err[64];
    /* a packet longer than its frame is malformed here: only a capture's
     * snapshot length (--read) cuts one, and decode takes it for that */
    int ok = frame_decode(bytes, len, &f, err, sizeof err) == 0 && !f.cut;
    int layer = !ok ? TL_ETH
              : f.eth.type == ETHERTYPE_ARP ? TL_ARP
              : f.l4 == IPPROTO_TCP_NUM ? TL_TCP
              : f.l4 == IPPROTO_UDP_NUM ? TL_UDP : TL_IP;
    struct sim_iface *ifc = fl->dst_if >= 0 ? &s->hosts[fl->dst].ifs[fl->dst_if]
                                            : NULL;
    if (!ok || (f.has_ip && (!f.ip_csum_ok || (f.l4 && !f.l4_csum_ok)))) {
        /* RFC 791 3.1 (header checksum), RFC 9293 3.1 and RFC 768 (the
         * checksum over the pseudo-header and data): a receiver discards
         * what fails; the sentence names the check that failed */
        int why = !ok ? N_NET_MALFORMED
                : !f.ip_csum_ok ? N_NET_CSUM_IP
                : f.l4 == IPPROTO_TCP_NUM ? N_NET_CSUM_TCP : N_NET_CSUM_UDP;
        struct trace_pkt d = { TK_DROP, fl->dst, layer, fl->src, fl->dst,
                               fl->pkt, 0, flight_of(fl), 0, DR_CSUM, 0 };
        trace_packet(&s->tr, s->now, &d, WHY0(why));
        return;
    }
    struct trace_pkt rv = { TK_RECV, fl->dst, layer, fl->src, fl->dst, fl->pkt,
                            0, flight_of(fl), 0, 0, 0 };
    trace_packet(&s->tr, s->now, &rv, fl->why_ix
                 ? s->fault_whys[fl->why_ix - 1].why : WHY0(N_NET_RECV));
    s->arrival_pkt = fl->pkt;
    s->arrival_src = fl->src;
    s->arrival_of = flight_of(fl);
    if (f.eth.type == ETHERTYPE_ARP) {
        struct arp_pkt ap;
        if (ifc && arp_decode(f.payload, f.payload_len, &ap) == 0) {
            struct why drop;
            if (arp_input(&ifc->arp, s->now, &ap, &drop))
                net_drop_arrived(s, fl->dst, fl->pkt, TL_ARP, DR_ARPBAD, drop);
            sync_arp(s, ifc);
        }
        return;
    }
    if (!f.has_ip)
        return;
    if (net_is_local(s, fl->dst, f.ip.dst)) {
        if (f.l4 == IPPROTO_TCP_NUM)
            sim_tcp_arrive(s, fl->dst, &f);
        else if (f.l4 == IPPROTO_UDP_NUM)
            sim_udp_arrive(s, fl->dst, &f, fl->pkt);
        return;
    }
    if (s->hosts[fl->dst].cfg->router) {
        forward(s, fl, bytes, len, &f, layer);
        return;
    }
    struct trace_pkt d = { TK_DROP, fl->dst, layer, fl->src, fl->dst, fl->pkt,
                           0, flight_of(fl), 0, DR_NOTFORME, 0 };
    trace_packet(&s->tr, s->now, &d, WHY(N_IP_NOTFORME, f.ip.dst));
}

/* ---- set-up --------------------------------------------------------------- */

static int adj_cmp(const void *x, const void *y)
{
    const struct sim_adj *a = x, *b = y;
    if (a->peer != b->peer)
        return a->peer < b->peer ? -1 : 1;
    return (a->link > b->link) - (a->link < b->link);
}

/* Each host's links sorted by the host at the other end, in one array
 * indexed by host (counting sort by host, then a sort within each host):
 * memory linear in the links, where a hosts x hosts table took 40 GB at
 * 100,000 hosts.  Both directions of a link are listed; a link from a host
 * to itself once. */
static void build_link_index(struct sim *s)
{
    const struct scenario *scn = s->scn;
    size_t n = (size_t)scn->nhosts;
    s->adj_at = xcalloc(n + 1, sizeof *s->adj_at);
    s->adj = xcalloc(2 * (size_t)scn->nlinks + 1, sizeof *s->adj);
    for (int i = 0; i < scn->nlinks; i++) {
        s->adj_at[scn->links[i].a + 1]++;
        if (scn->links[i].b != scn->links[i].a)
            s->adj_at[scn->links[i].b + 1]++;
    }
    for (size_t h = 0; h < n; h++)
        s->adj_at[h + 1] += s->adj_at[h];
    uint32_t *fill = xcalloc(n + 1, sizeof *fill);
    memcpy(fill, s->adj_at, n * sizeof *fill);
    for (int i = 0; i < scn->nlinks; i++) {
        const struct scn_link *l = &scn->links[i];
        s->adj[fill[l->a]++] = (struct sim_adj){ l->b, i };
        if (l->b != l->a)
            s->adj[fill[l->b]++] = (struct sim_adj){ l->a, i };
    }
    free(fill);
    for (size_t h = 0; h < n; h++)
        if (s->adj_at[h + 1] - s->adj_at[h] > 1)
            qsort(s->adj + s->adj_at[h], s->adj_at[h + 1] - s->adj_at[h],
                  sizeof *s->adj, adj_cmp);
}

int net_link(const struct sim *s, int a, int b)
{
    if (a < 0 || a >= s->nhosts)
        return -1;
    /* the last of the entries for b, as the later of two links between the
     * same hosts (which the parser refuses) would have won */
    size_t lo = s->adj_at[a], hi = s->adj_at[a + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->adj[mid].peer <= b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > s->adj_at[a] && s->adj[lo - 1].peer == b ? s->adj[lo - 1].link
                                                          : -1;
}

void net_init(struct sim *s)
{
    const struct scenario *scn = s->scn;
    build_link_index(s);
    build_fault_index(s);
    s->nlans = scn->nlans;
    s->lans = xcalloc((size_t)scn->nlans, sizeof *s->lans);
    for (int i = 0; i < scn->nlans; i++) {
        s->lans[i].cfg = &scn->lans[i];
    }
    /* each LAN's members in arrays of their own size: hosts x LANs slots
     * would grow with the product */
    size_t *members = xcalloc((size_t)scn->nlans + 1, sizeof *members);
    for (int h = 0; h < scn->nhosts; h++)
        for (int k = 0; k < scn->hosts[h].nifaces; k++)
            members[scn->hosts[h].ifaces[k].lan]++;
    for (int i = 0; i < scn->nlans; i++) {
        s->lans[i].member_host = xcalloc(members[i] + 1, sizeof(int));
        s->lans[i].member_if = xcalloc(members[i] + 1, sizeof(int));
    }
    free(members);
    struct arp_config acfg;
    arp_config_default(&acfg);
    for (int h = 0; h < scn->nhosts; h++) {
        struct sim_host *hp = &s->hosts[h];
        hp->mac = host_mac(h, 0);
        hp->nifs = scn->hosts[h].nifaces;
        /* a host on links alone has no interfaces and gets no array: a
         * crowd of link-attached clients would otherwise pay one
         * interface's bytes each (xcalloc never returns NULL for 0) */
        hp->ifs = hp->nifs ? xcalloc((size_t)hp->nifs, sizeof *hp->ifs) : NULL;
        for (int k = 0; k < hp->nifs; k++) {
            const struct scn_iface *si = &scn->hosts[h].ifaces[k];
            struct sim_iface *ifc = &hp->ifs[k];
            struct sim_lan *lan = &s->lans[si->lan];
            ifc->sim = s;
            ifc->host = h;
            ifc->idx = k;
            ifc->addr = si->addr;
            ifc->mask = prefix_mask(lan->cfg->prefix);
            ifc->lan = si->lan;
            ifc->mac = host_mac(h, k);
            ifc->arp_at = -1;
            struct arp_env env = { &s->tr, h, arp_xmit_cb, arp_unreachable_cb,
                                   ifc };
            arp_init(&ifc->arp, &acfg, &env, ifc->addr, ifc->mac);
            lan->member_host[lan->nmembers] = h;
            lan->member_if[lan->nmembers] = k;
            lan->nmembers++;
        }
    }
    build_addr_index(s);
}

void net_flight_done(struct sim *s, struct flight *fl)
{
    trace_blob_release(&s->tr, fl->pkt);
    if (fl->why_ix) {
        s->fault_whys[fl->why_ix - 1].next_free = s->free_fault_why;
        s->free_fault_why = fl->why_ix;
        fl->why_ix = 0;
    }
    if (fl->arp_bcast)
        s->lans[s->hosts[fl->dst].ifs[fl->dst_if].lan].arp_bcast_in_flight--;
    fl->ev.next = (struct eq_node *)s->free_flights;
    s->free_flights = fl;
}

/* Before sim_reset: this run's flight blocks become spares for the next
 * run (their flights are forgotten with the run's event queue). */
size_t net_flight_slots(const struct sim *s)
{
    size_t n = 0;
    for (const struct flight_block *b = s->flight_blocks; b; b = b->next)
        n += FLIGHT_BLOCK;
    return n;
}

void net_keep_flights(struct sim *s)
{
    while (s->flight_blocks) {
        struct flight_block *n = s->flight_blocks->next;
        s->flight_blocks->next = s->spare_flight_blocks;
        s->spare_flight_blocks = s->flight_blocks;
        s->flight_blocks = n;
    }
    s->free_flights = NULL;
    s->flight_fresh = 0;
}

void net_free(struct sim *s)
{
    net_keep_flights(s);
    while (s->spare_flight_blocks) {
        struct flight_block *n = s->spare_flight_blocks->next;
        free(s->spare_flight_blocks);
        s->spare_flight_blocks = n;
    }
    free(s->fault_whys);
    s->fault_whys = NULL;
    s->nfault_whys = s->capfault_whys = s->free_fault_why = 0;
    free(s->fault_pairs);
    free(s->fault_groups);
    free(s->fault_order);
    free(s->fault_fired);
    s->fault_pairs = NULL;
    s->fault_groups = NULL;
    s->fault_order = NULL;
    s->fault_fired = NULL;
    s->fault_paircap = 0;
    for (int h = 0; h < s->nhosts; h++) {
        for (int k = 0; k < s->hosts[h].nifs; k++)
            arp_free(&s->hosts[h].ifs[k].arp);
        free(s->hosts[h].ifs);
    }
    for (int i = 0; i < s->nlans; i++) {
        free(s->lans[i].member_host);
        free(s->lans[i].member_if);
    }
    free(s->lans);
    free(s->adj_at);
    free(s->adj);
    free(s->addrs);
}
