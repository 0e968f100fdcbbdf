/* budget.c — a run's budgets: the limits' names, the model's memory as the
 * budget counts it, the check after each event, and the likely cause of a
 * run that reaches a limit, read from the end of its trace. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "simint.h"
#include "dns.h"

static const char *host_name(const struct sim *s, int h)
{
    return s->tr.host_names[h];
}

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

/* A size as a number that equals it exactly: MiB when it is whole MiB (the
 * defaults, 128M and the like), else KiB when whole KiB, else bytes, so the
 * sentence never quotes a number that is not the limit's (1K once read
 * "0 MiB"). */
static void fmt_size(uint64_t value, char *v, size_t n)
{
    if (value && value % (1u << 20) == 0)
        snprintf(v, n, "%" PRIu64 " MiB", value >> 20);
    else if (value && value % (1u << 10) == 0)
        snprintf(v, n, "%" PRIu64 " KiB", value >> 10);
    else
        snprintf(v, n, P_("%llu byte", "%llu bytes", value),
                 (unsigned long long)value);
}

char *sim_limit_text(int limit, uint64_t value, char *buf, size_t n)
{
    char v[40];
    if (limit == LIM_TIME)
        fmt_duration((int64_t)value, v, sizeof v);
    else if (limit == LIM_TRACE || limit == LIM_MEMORY)
        fmt_size(value, v, sizeof v);
    else
        snprintf(v, sizeof v, "%" PRIu64, value);
    snprintf(buf, n, _("%s limit of %s"),
             limit > LIM_NONE && limit < LIM_COUNT ? _(limit_whats[limit]) : "-", v);
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
            if (hp->conns[i])
                b += sim_conn_bytes(hp->conns[i]);
        b += sim_udp_bytes(hp);
    }
    return b + sim_peers_bytes(s);
}

/* Every part is counted on every check: the TCBs and UDP sockets by
 * mem_tcbs, which each change to them keeps up to date, so the check stays
 * O(1) however many hosts and connections there are. */
static uint64_t mem_estimate(const struct sim *s, size_t trace_bytes)
{
    return (uint64_t)trace_bytes + eq_bytes(&s->q) +
           s->frames_in_flight * sizeof(struct flight) + s->mem_tcbs + s->mem_lesson;
}

uint64_t sim_memory(const struct sim *s)
{
    return (uint64_t)trace_size(&s->tr) + eq_bytes(&s->q) +
           s->frames_in_flight * sizeof(struct flight) + tcb_bytes(s) + s->mem_lesson;
}

uint64_t sim_lesson_bytes(const struct scenario *scn)
{
    /* a host: its parsed line, its model (sim_init), its name's pointer,
     * address and at least two slots of the trace's table by address
     * (which also holds the name: text_bytes counts it once); an
     * interface: parsed, modelled, and its place in its LAN's member
     * lists; a record: parsed, and its copy in its server's zone; a zone:
     * parsed, and its apex's name */
    uint64_t host = sizeof(struct scn_host) + sizeof(struct sim_host) + sizeof(char *) +
                    sizeof(uint32_t) + 2 * sizeof(int32_t);
    uint64_t iface = sizeof(struct scn_iface) + sizeof(struct sim_iface) + 2 * sizeof(int);
    return (uint64_t)scn->nhosts * host + (uint64_t)scn->nifaces * iface +
           (uint64_t)scn->nlinks * sizeof(struct scn_link) +
           (uint64_t)scn->nlans * (sizeof(struct scn_lan) + sizeof(struct sim_lan)) +
           (uint64_t)scn->nactions * sizeof(struct scn_action) +
           (uint64_t)scn->nexpects * sizeof(struct scn_expect) +
           (uint64_t)scn->nfaults * sizeof(struct scn_fault) +
           (uint64_t)scn->nchapters * sizeof(struct scn_chapter) +
           (uint64_t)scn->nzones * (sizeof(struct scn_zone) + DNS_NAME_BUF) +
           (uint64_t)scn->nrrs * (sizeof(struct scn_rr) + sizeof(struct dns_rr)) +
           scn->text_bytes;
}

/* The sentences that name a runaway's likely cause, one per pattern the
 * end of the trace shows (filled with host and LAN names). */
#define STOP_CAUSES(X) \
    X(C_ARP_BCAST, /* xgettext:no-c-format */ N_("ARP requests are broadcast on %s, each to all %s other hosts on it: %s% of the frames in flight are their copies")) \
    X(C_ARP_RECVS, /* xgettext:no-c-format */ N_("ARP requests are broadcast on %s, each to all %s other hosts on it: %s% of the last records are hosts receiving them")) \
    X(C_DUP_LOOP,  /* xgettext:no-c-format */ N_("frames multiply on %s: duplication with a routing loop?")) \
    X(C_DUP,       /* xgettext:no-c-format */ N_("frames multiply on %s: the medium duplicates frames faster than they are delivered")) \
    X(C_LOOP,      /* xgettext:no-c-format */ N_("packets circle between routers %s and %s: a routing loop (gateways that point at each other)?")) \
    X(C_ZERO_WIN,  /* xgettext:no-c-format */ N_("%s's receive window stays closed (its application reads no more) and %s keeps probing it (RFC 9293 3.8.6.1)")) \
    X(C_ACK_WAR,   /* xgettext:no-c-format */ N_("an endless ACK exchange between %s and %s")) \
    X(C_SEG_WAR,   /* xgettext:no-c-format */ N_("segments go back and forth between %s and %s without end")) \
    X(C_SEG_XFER,  /* xgettext:no-c-format */ N_("most of the last records are segments of a transfer from %s to %s, still under way when the run stopped (a large send, or a small MSS?)")) \
    X(C_TIMERS,    /* xgettext:no-c-format */ N_("timers re-arm without end (%s on %s)")) \
    X(C_TIMERS2,   /* xgettext:no-c-format */ N_("timers re-arm without end (%s on %s and %s)")) \
    X(C_BUSY,      /* xgettext:no-c-format */ N_("%s wrote most of the last records (%s): a lesson that never settles?")) \
    X(C_CROWD,     /* xgettext:no-c-format */ N_("the last %s records come from %s hosts, none of which wrote most of them: a crowd at work, not one runaway host")) \
    X(C_ACTIONS,   /* xgettext:no-c-format */ N_("the lesson's own timeline has %s actions (at lines)")) \
    X(C_PENDING,   /* xgettext:no-c-format */ N_("no single pattern dominates the last records; events were still pending when the run stopped"))

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

/* Fills a cause template, in the run's language: each "%s" takes the next
 * of v[0..3] (not printf: "%s%" is a number and a percent sign). */
static void fill_n(char *buf, size_t n, int cause, const char *const v4[4])
{
    const char *t = _(cause_texts[cause]);
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

/* A LAN hosts a and b are both on (the first of a's), or -1. */
static int shared_lan(const struct sim *s, int a, int b)
{
    for (int i = 0; a >= 0 && i < s->hosts[a].nifs; i++) {
        int lan = s->hosts[a].ifs[i].lan;
        for (int k = 0; b >= 0 && k < s->hosts[b].nifs; k++)
            if (s->hosts[b].ifs[k].lan == lan)
                return lan;
    }
    return -1;
}

/* The medium two hosts share: "lan NAME" or "the link A-B". */
static void medium_name(const struct sim *s, int a, int b, char *buf, size_t n)
{
    if (a >= 0 && b >= 0 && net_link(s, a, b) >= 0) {
        snprintf(buf, n, "the link %s-%s", host_name(s, a), host_name(s, b));
        return;
    }
    int lan = shared_lan(s, a, b);
    if (lan >= 0)
        snprintf(buf, n, "lan %s", s->lans[lan].cfg->name);
    else
        snprintf(buf, n, "the network");
}

/* The LAN on which at least half of the records from `from` on are hosts
 * receiving a broadcast ARP frame, or -1; *pct: that share in percent.
 * Each request reaches every other member of its LAN, so on a big LAN
 * that resolves addresses the arrivals alone fill the event and trace
 * budgets.  The frame's bytes say it was broadcast (Ethernet destination
 * ff:ff:ff:ff:ff:ff): a window record still holds its frame. */
static int arp_arrivals(const struct sim *s, size_t from, uint64_t *pct)
{
    const struct trace *tr = &s->tr;
    size_t w = tr->n - from, *per_lan;
    if (!s->nlans || !w)
        return -1;
    per_lan = xcalloc((size_t)s->nlans, sizeof *per_lan);
    for (size_t i = from; i < tr->n; i++) {
        const struct trace_rec *r = trace_rec(tr, i);
        size_t len;
        if (r->kind != TK_RECV || r->layer != TL_ARP)
            continue;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        if (len < 6 || memcmp(p, MAC_BROADCAST.b, 6))
            continue;
        int lan = shared_lan(s, r->host, r->u.pkt.src);
        if (lan >= 0)
            per_lan[lan]++;
    }
    int best = -1;
    for (int i = 0; i < s->nlans; i++)
        if (per_lan[i] && (best < 0 || per_lan[i] > per_lan[best]))
            best = i;
    if (best >= 0 && 2 * per_lan[best] >= w)
        *pct = (uint64_t)per_lan[best] * 100 / w;
    else
        best = -1;
    free(per_lan);
    return best;
}

/* C_ARP_BCAST or C_ARP_RECVS: the LAN, its other members, a percent. */
static void fill_arp_cause(const struct sim *s, char *buf, size_t n, int cause,
                           int lan, uint64_t pct)
{
    char name[80], others[24], share[24];
    snprintf(name, sizeof name, "lan %s", s->lans[lan].cfg->name);
    snprintf(others, sizeof others, "%d", s->lans[lan].nmembers - 1);
    snprintf(share, sizeof share, "%" PRIu64, pct);
    const char *const v[4] = { name, others, share, NULL };
    fill_n(buf, n, cause, v);
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

/* Two hosts as a pair, either way round. */
static uint64_t pair_key(int a, int b)
{
    uint32_t lo = (uint32_t)(a < b ? a : b), hi = (uint32_t)(a < b ? b : a);
    return (uint64_t)lo << 32 | hi;
}

/* The two ends of a TCP segment a record sends, by their IP addresses (a
 * router that forwards the segments is not one of them); 0 when r is no
 * TCP segment to a host.  *ack: a bare ACK, *zw: one with window 0, *data:
 * one that carries data. */
static int seg_ends(const struct sim *s, const struct trace_rec *r, int *a, int *b,
                    int *ack, int *zw, int *data)
{
    if (r->kind != TK_SEND || r->layer != TL_TCP || r->u.pkt.dst < 0)
        return 0;
    size_t len;
    const uint8_t *p = trace_blob_data(&s->tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[8];
    if (frame_decode(p, len, &f, err, sizeof err) || f.l4 != IPPROTO_TCP_NUM)
        return 0;
    *ack = f.tcp.flags == TCP_ACK && f.payload_len == 0;
    *zw = *ack && f.tcp.win == 0;
    *data = f.payload_len > 0;
    *a = sim_host_by_addr(s, f.ip.src);
    *b = sim_host_by_addr(s, f.ip.dst);
    if (*a < 0 || *b < 0) {
        *a = r->u.pkt.src;
        *b = r->u.pkt.dst;
    }
    return 1;
}

/* How many of the window's records show what a cause would name: the
 * duplicates on the medium of dup_a and dup_b, the segments, bare ACKs
 * and zero windows between pa and pb (zero windows: zw_rcv and zw_snd),
 * the segments with data between them, each way (data_ab: from pa to pb),
 * and the two hosts that (re)start the timer tm_name most, with their
 * counts.  A cause names a pair or a host only when it accounts for most
 * of its pattern: in a crowd the last one seen is one of hundreds. */
struct named_share { size_t dup, seg, ack, zw, data_ab, data_ba, tm[2]; int tm_host[2]; };

static struct named_share named_share(const struct sim *s, size_t from, int dup_a,
                                      int dup_b, int pa, int pb, int zw_rcv, int zw_snd,
                                      int tm_name)
{
    const struct trace *tr = &s->tr;
    struct named_share n = { 0, 0, 0, 0, 0, 0, { 0, 0 }, { -1, -1 } };
    size_t *tc = xcalloc((size_t)s->nhosts + 1, sizeof *tc);
    uint64_t dupk = pair_key(dup_a, dup_b), segk = pair_key(pa, pb),
             zwk = pair_key(zw_rcv, zw_snd);
    for (size_t i = from; i < tr->n; i++) {
        const struct trace_rec *r = trace_rec(tr, i);
        if (r->kind == TK_TIMER && r->u.timer.action != TA_STOP &&
            r->u.timer.name == tm_name && r->host >= 0 && r->host < s->nhosts)
            tc[r->host]++;
        if (r->kind != TK_SEND)
            continue;
        n.dup += r->u.pkt.dup && pair_key(r->u.pkt.src, r->u.pkt.dst) == dupk;
        int a, b, ack, zw, data;
        if (!seg_ends(s, r, &a, &b, &ack, &zw, &data))
            continue;
        uint64_t k = pair_key(a, b);
        n.seg += k == segk;
        n.ack += ack && k == segk;
        n.data_ab += data && a == pa && b == pb;
        n.data_ba += data && a == pb && b == pa;
        n.zw += zw && k == zwk;
    }
    for (int h = 0; h < s->nhosts; h++)
        if (tc[h] > n.tm[0]) {
            n.tm[1] = n.tm[0], n.tm_host[1] = n.tm_host[0];
            n.tm[0] = tc[h], n.tm_host[0] = h;
        } else if (tc[h] > n.tm[1]) {
            n.tm[1] = tc[h], n.tm_host[1] = h;
        }
    free(tc);
    return n;
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
        int a, b, ack, z, data;
        if (seg_ends(s, r, &a, &b, &ack, &z, &data)) {
            acks += ack;
            if (z) {
                zw++;
                zw_rcv = a;
                zw_snd = b;
            }
            pa = a;
            pb = b;
        }
    }
    struct named_share sh = named_share(s, from, dup_a, dup_b, pa, pb, zw_rcv, zw_snd,
                                        tm_name);
    /* the timer's one host, or its two (a, b in host order), with most of
     * the timers; 0: neither */
    int tm_by = 2 * sh.tm[0] > timers ? 1
              : sh.tm_host[1] >= 0 && 2 * (sh.tm[0] + sh.tm[1]) > timers ? 2 : 0;
    char m[80];
    int lh = -1;
    size_t most = 0, writers = 0;
    for (int h = 0; h < s->nhosts; h++) {
        writers += per_host[h] > 0;
        if (per_host[h] > most) {
            most = per_host[h];
            lh = h;
        }
    }
    free(per_host);
    /* "most": more than half; then the layer is that of its last record */
    int lh_layer = -1;
    if (lh >= 0 && 2 * most > w)
        for (size_t i = tr->n; i-- > from && lh_layer < 0;)
            if (trace_rec(tr, i)->host == lh)
                lh_layer = trace_rec(tr, i)->layer;
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
    int storm = limit == LIM_FRAMES ? arp_storm(s) : -1, arrivals;
    uint64_t arrivals_pct = 0;
    /* the timeline is the cause when the actions that have run (not those
     * still to come: a crowd of 65,536 clients stopped by the ARP copies
     * of its first hundred connects) are a quarter of the budget */
    if (limit != LIM_TIME && s->scn &&
        (uint64_t)s->next_action * 4 >= (limit == LIM_FRAMES ? s->max_frames
                                           : limit == LIM_EVENTS ? s->max_events
                                           : UINT64_MAX)) {
        fill(buf, n, C_ACTIONS, na, NULL);
    } else if (storm >= 0) {
        /* a share, not a count: the run stops after the event that went
         * over the limit, so the count may pass it */
        fill_arp_cause(s, buf, n, C_ARP_BCAST, storm,
                       s->lans[storm].arp_bcast_in_flight * 100 /
                       s->frames_in_flight);
    } else if (limit != LIM_FRAMES &&
               (arrivals = arp_arrivals(s, from, &arrivals_pct)) >= 0) {
        fill_arp_cause(s, buf, n, C_ARP_RECVS, arrivals, arrivals_pct);
    } else if (piles && dup * 8 >= w && dup > 0 && loop && fwd * 8 >= w &&
               2 * sh.dup > dup) {
        medium_name(s, dup_a, dup_b, m, sizeof m);
        fill(buf, n, C_DUP_LOOP, m, NULL);
    } else if (piles && dup * 4 >= w && dup > 0 && 2 * sh.dup > dup) {
        medium_name(s, dup_a, dup_b, m, sizeof m);
        fill(buf, n, C_DUP, m, NULL);
    } else if (fwd * 4 >= w && loop && fwd_b >= 0) {
        fill(buf, n, C_LOOP, host_name(s, fwd_a),
                 host_name(s, fwd_b));
    } else if (acks * 4 >= w && zw * 2 >= acks && zw_rcv >= 0 && zw_snd >= 0 &&
               2 * sh.zw > zw) {
        fill(buf, n, C_ZERO_WIN, host_name(s, zw_rcv), host_name(s, zw_snd));
    } else if (acks * 4 >= w && acks > 0 && pa >= 0 && 2 * sh.ack > acks) {
        fill(buf, n, C_ACK_WAR, host_name(s, pa < pb ? pa : pb),
                 host_name(s, pa < pb ? pb : pa));
    } else if (sends * 2 >= w && pa >= 0 && sends > 0 && 2 * sh.seg > sends &&
               4 * (sh.data_ab + sh.data_ba) >= sh.seg &&
               (sh.data_ab >= 8 * sh.data_ba || sh.data_ba >= 8 * sh.data_ab)) {
        /* the data goes one way (the other sends at most one data segment
         * in nine): a transfer, not an exchange without end */
        int from_a = sh.data_ab >= sh.data_ba;
        fill(buf, n, C_SEG_XFER, host_name(s, from_a ? pa : pb),
                 host_name(s, from_a ? pb : pa));
    } else if (sends * 2 >= w && pa >= 0 && sends > 0 && 2 * sh.seg > sends) {
        fill(buf, n, C_SEG_WAR, host_name(s, pa < pb ? pa : pb),
                 host_name(s, pa < pb ? pb : pa));
    } else if (timers * 4 >= w && timers > 0 && tm_host >= 0 && tm_by &&
               /* still re-arming in the later half of the window's time,
                * not a retransmission that gave up long before the limit */
               2 * tm_last >= (w ? trace_rec(tr, from)->t_us : 0) +
                              (limit == LIM_TIME ? s->end_us : s->now)) {
        int a = sh.tm_host[0], b = sh.tm_host[1];
        if (tm_by == 1) {
            fill(buf, n, C_TIMERS, timer_name_str(tm_name), host_name(s, a));
        } else {
            const char *const v[4] = { timer_name_str(tm_name), host_name(s, a < b ? a : b),
                                       host_name(s, a < b ? b : a), NULL };
            fill_n(buf, n, C_TIMERS2, v);
        }
    } else if (lh_layer >= 0 && w >= 64) {
        fill(buf, n, C_BUSY, host_name(s, lh), trace_layer_name(lh_layer));
    } else if (w >= 64 && writers >= 16) {
        char nw[24], nh[24];
        snprintf(nw, sizeof nw, "%zu", w);
        snprintf(nh, sizeof nh, "%zu", writers);
        fill(buf, n, C_CROWD, nw, nh);
    } else {
        fill(buf, n, C_PENDING, NULL, NULL);
    }
}

void sim_stop_at(struct sim *s, int limit, uint64_t value)
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
int sim_over_budget(struct sim *s)
{
    if (s->frames_in_flight > s->max_frames) {
        sim_stop_at(s, LIM_FRAMES, s->max_frames);
        return 1;
    }
    size_t trace_bytes = trace_size(&s->tr);    /* once: every event */
    if (trace_bytes > s->max_trace) {
        sim_stop_at(s, LIM_TRACE, s->max_trace);
        return 1;
    }
    if (mem_estimate(s, trace_bytes) > s->max_memory) {
        sim_stop_at(s, LIM_MEMORY, s->max_memory);
        return 1;
    }
    return 0;
}
