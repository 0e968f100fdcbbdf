/* expect_frames.c — frame expectations (count, #N / every / some fields,
 * queries): each frame a host sends is decoded once, as it is sent, and
 * handed to the patterns its sender's expectations name. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "lang.h"
#include "narrate.h"
#include "sim.h"
#include "langint.h"
#include "summary.h"
#include "arp.h"
#include "dns.h"
#include "tcp.h"
#include "hashslot.h"

/* ---- frames: patterns with ARP and DNS, and their fields ------------------ */

_Static_assert(SCN_BROADCAST == HOST_BROADCAST,
               "a pattern's `SRC->*` is the trace's broadcast destination");

/* One sent frame, decoded as far as the expectation needs. */
struct fview {
    struct frame f;
    int ip;                  /* IPv4 (TCP or UDP, or other) */
    int arp_ok;
    struct arp_pkt arp;
    int dns_ok;
    struct dns_msg *dns;     /* heap: the struct is large */
};

static int fview_decode(const uint8_t *p, size_t n, struct fview *v)
{
    char err[64];
    v->ip = v->arp_ok = v->dns_ok = 0;
    if (frame_decode_fields(p, n, &v->f, err, sizeof err) != 0)
        return 0;
    v->ip = v->f.has_ip;
    if (v->f.eth.type == ETHERTYPE_ARP)
        v->arp_ok = arp_decode(v->f.payload, v->f.payload_len, &v->arp) == 0;
    return 1;
}

/* The DNS message of a decoded frame, into v->dns (only DNS patterns ask). */
static void fview_dns(struct fview *v)
{
    char err[64];
    if (v->ip && v->f.l4 == IPPROTO_UDP_NUM &&
        (v->f.udp.sport == DNS_PORT || v->f.udp.dport == DNS_PORT))
        v->dns_ok = dns_decode(v->f.payload, v->f.payload_len, v->dns, err,
                               sizeof err) == 0;
}

/* The value of field k in frame v (SF_SEQ/SF_ACK absolute). */
static uint32_t field_value(const struct fview *v, int k)
{
    switch (k) {
    case SF_SEQ:       return v->f.tcp.seq;
    case SF_ACK:       return v->f.tcp.ack;
    case SF_LEN:       return (uint32_t)v->f.payload_len;
    case SF_WINDOW:    return v->f.tcp.win;
    case SF_FLAGS:     return v->f.tcp.flags;
    case SF_ARP_OP:    return v->arp.op;
    case SF_DNS_QR:    return v->dns->qr;
    case SF_DNS_AA:    return v->dns->aa;
    case SF_DNS_RCODE: return v->dns->rcode;
    default:           return 0;
    }
}

/* Does frame v have field f (absolute comparison; qname for SF_DNS_QNAME)? */
static int field_is(const struct fview *v, const struct scn_field *f, const char *qname)
{
    switch (f->kind) {
    case SF_FLAGS: {
        uint8_t mask = (f->value & TCP_PSH) ? 0xFF : (uint8_t)~TCP_PSH;
        return (uint8_t)(v->f.tcp.flags & mask) == f->value;
    }
    case SF_ARP_OP:
        /* who-has ADDR names the target; ADDR is-at names the sender */
        return v->arp.op == f->value &&
               (!f->addr || f->addr == (v->arp.op == ARP_OP_REQUEST ? v->arp.tpa
                                                                     : v->arp.spa));
    case SF_DNS_QNAME:
        return v->dns->qdcount && dns_name_eq(v->dns->qname, qname);
    default:
        return field_value(v, f->kind) == f->value;
    }
}

/* Does the sent frame r (decoded in v) match the expectation's pattern? */
static int xmatch(const struct scn_match *m, const struct trace_rec *r,
                  const struct fview *v)
{
    if (m->top == TL_ARP) {
        if (!v->arp_ok || r->u.pkt.src != m->src || r->u.pkt.dst != m->dst)
            return 0;
    } else {
        if (!v->ip || !scn_match_frame(m, r->u.pkt.src, r->u.pkt.dst, v->f.l4,
                                       v->f.l4 == IPPROTO_TCP_NUM ? v->f.tcp.flags : 0,
                                       v->f.payload_len))
            return 0;
        if (m->top == TL_DNS && !v->dns_ok)
            return 0;
    }
    for (int i = 0; i < m->nfilters; i++)
        if (!field_is(v, &m->filters[i], m->qname))
            return 0;
    return 1;
}

/* ISNs by connection direction, taken from the SYN and SYN,ACK each side
 * sent (the latest one before the frame in question), as Wireshark does
 * for its relative sequence numbers.  Kept only when an expectation says
 * `rel`, one entry per address-and-port pair that sent a SYN: a later frame
 * may count from any of them, so none can be let go, but a pair used again
 * takes its old entry (the ports bound them, not the length of the run). */
struct isn_ent { uint32_t src, dst, isn; uint16_t sport, dport; uint8_t used; };
struct isn_map { struct isn_ent *t; size_t cap, n; };

static size_t isn_slot(const struct isn_map *m, uint32_t s, uint16_t sp, uint32_t d,
                       uint16_t dp)
{
    /* every bit of the key reaches the low bits: the ports went in
     * unmixed and only their top bits came down (h >> 29), so one
     * client's connections from ports a few apart, to one server port,
     * shared a home, and each lookup probed past all of them (16,000
     * lines `some ack rel {i}` on a crowd of one pair: 2.1 s, 84% here) */
    uint64_t h = ((uint64_t)s << 32 | d) * 0x9E3779B97F4A7C15u ^
                 ((uint64_t)sp << 16 | dp) * 0xC2B2AE3D27D4EB4Fu;
    h ^= h >> 32;
    size_t i = (size_t)h & (m->cap - 1);
    while (m->t[i].used && !(m->t[i].src == s && m->t[i].dst == d &&
                             m->t[i].sport == sp && m->t[i].dport == dp))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void isn_put(struct isn_map *m, uint32_t s, uint16_t sp, uint32_t d, uint16_t dp,
                    uint32_t isn)
{
    if (2 * (m->n + 1) > m->cap) {
        struct isn_map g = { xcalloc(m->cap ? 2 * m->cap : 16, sizeof *g.t),
                             m->cap ? 2 * m->cap : 16, 0 };
        for (size_t i = 0; i < m->cap; i++)
            if (m->t[i].used) {
                g.t[isn_slot(&g, m->t[i].src, m->t[i].sport, m->t[i].dst, m->t[i].dport)] = m->t[i];
                g.n++;
            }
        free(m->t);
        *m = g;
    }
    size_t i = isn_slot(m, s, sp, d, dp);
    if (!m->t[i].used)
        m->n++;
    m->t[i] = (struct isn_ent){ s, d, isn, sp, dp, 1 };
}

/* 1 and *isn when known, else 0. */
static int isn_get(const struct isn_map *m, uint32_t s, uint16_t sp, uint32_t d,
                   uint16_t dp, uint32_t *isn)
{
    if (!m->cap)
        return 0;
    size_t i = isn_slot(m, s, sp, d, dp);
    if (!m->t[i].used)
        return 0;
    *isn = m->t[i].isn;
    return 1;
}

/* What a sent frame carried, as far as TCP and UDP fields go. */
struct xsend {
    uint8_t  ok, ip, arp_ok, l4, flags, isn_s_ok, isn_r_ok;
    uint16_t plen;
    uint32_t isn_s, isn_r;       /* the sender's and the receiver's ISN */
    uint32_t seq, ack;           /* as decoded, for the fields of TCP patterns */
    uint16_t win;
};

/* The sender's (seq) or the receiver's ISN of frame x: 1 and *isn when known. */
static int xsend_isn(const struct xsend *x, int sender, uint32_t *isn)
{
    *isn = sender ? x->isn_s : x->isn_r;
    return sender ? x->isn_s_ok : x->isn_r_ok;
}

const char *lang_ordinal(long n, char *buf, size_t sz)
{
    /* one format per English suffix, so that a language without them
     * translates all four the same way */
    int d = n % 100 >= 11 && n % 100 <= 13 ? 0 : (int)(n % 10);
    if (d == 1)
        snprintf(buf, sz, _("%ldst"), n);
    else if (d == 2)
        snprintf(buf, sz, _("%ldnd"), n);
    else if (d == 3)
        snprintf(buf, sz, _("%ldrd"), n);
    else
        snprintf(buf, sz, _("%ldth"), n);
    return buf;
}

/* "RST", "SYN,ACK", "TCP segment", "ARP request", "DNS response" ..., or
 * for `count` of them "RSTs", "DNS queries" (the messages added an "s",
 * which made "DNS querys").  The singular and the plural are two texts, as
 * the singulars are also the layer view's; flags are identifiers, never
 * translated, and take an English "s" only in English (the catalogues'
 * language has one form, as their messages had). */
static const char *pattern_noun(const struct scn_match *m, long count, char *buf, size_t n)
{
    int one = count == 1;
    if (m->top == TL_ARP || m->top == TL_DNS) {
        const char *what = m->top == TL_ARP ? (one ? _("ARP frame") : _("ARP frames"))
                                            : (one ? _("DNS message") : _("DNS messages"));
        for (int i = 0; i < m->nfilters; i++) {
            if (m->filters[i].kind == SF_ARP_OP && m->filters[i].value == ARP_OP_REQUEST)
                what = one ? _("ARP request") : _("ARP requests");
            else if (m->filters[i].kind == SF_ARP_OP)
                what = one ? _("ARP reply") : _("ARP replies");
            if (m->filters[i].kind == SF_DNS_QR)
                what = m->filters[i].value ? (one ? _("DNS response") : _("DNS responses"))
                                           : (one ? _("DNS query") : _("DNS queries"));
        }
        snprintf(buf, n, "%s", what);
    } else if (m->proto == IPPROTO_TCP_NUM) {
        if (m->data)
            snprintf(buf, n, "%s", one ? _("data segment") : _("data segments"));
        else if (m->any_flags)
            snprintf(buf, n, "%s", one ? _("TCP segment") : _("TCP segments"));
        else {
            char f[40];
            snprintf(buf, n, one || i18n_translating ? "%s" : "%ss",
                     tcp_flags_str(m->flags, f, sizeof f));
        }
    } else {
        snprintf(buf, n, "%s", m->proto != IPPROTO_UDP_NUM ? (one ? _("frame") : _("frames"))
                               : one ? _("UDP datagram") : _("UDP datagrams"));
    }
    return buf;
}

/* "from server to client", "from alice to everyone".  `*` is a broadcast
 * for ARP; an IP frame is never broadcast here (udp send refuses the
 * broadcast addresses), so for TCP, UDP and DNS `*` is a frame to an
 * address no host has, such as a SYN,ACK to a forged source. */
static const char *pattern_way(const struct trace *tr, const struct scn_match *m,
                               char *buf, size_t n)
{
    snprintf(buf, n, _("from %s to %s"), trace_host_name(tr, m->src),
             m->dst != HOST_BROADCAST ? trace_host_name(tr, m->dst)
             : m->top == TL_ARP ? _("everyone (broadcast)") : _("an address no host has"));
    return buf;
}

/* "seq 777", "seq rel 1", "flags RST,ACK", "who-has 192.0.2.1", "not aa" */
static void field_text(const struct scn_field *f, const char *qname, char *buf, size_t n)
{
    char a[32], b[32];
    switch (f->kind) {
    case SF_SEQ: case SF_ACK: case SF_LEN: case SF_WINDOW:
        snprintf(buf, n, "%s%s %" PRIu32, f->kind == SF_SEQ ? "seq" : f->kind == SF_ACK ? "ack"
                 : f->kind == SF_LEN ? "len" : "window", f->rel ? " rel" : "", f->value);
        break;
    case SF_FLAGS:
        snprintf(buf, n, "flags %s", tcp_flags_str((uint8_t)f->value, a, sizeof a));
        break;
    case SF_ARP_OP:
        if (f->value == ARP_OP_REQUEST)
            snprintf(buf, n, "who-has%s%s", f->addr ? " " : "",
                     f->addr ? ip4_str(f->addr, a, sizeof a) : "");
        else if (f->addr)
            snprintf(buf, n, "%s is-at", ip4_str(f->addr, a, sizeof a));
        else
            snprintf(buf, n, "is-at");
        break;
    case SF_DNS_QR:
        snprintf(buf, n, "%s", f->value ? "response" : "query");
        break;
    case SF_DNS_AA:
        snprintf(buf, n, "aa %" PRIu32, f->value);
        break;
    case SF_DNS_RCODE:
        snprintf(buf, n, "rcode %s", dns_rcode_name((int)f->value, b, sizeof b));
        break;
    default:
        snprintf(buf, n, "qname %s", qname);
        break;
    }
}

/* What frame v carried in field f, in the form f was written. */
static void frame_field_text(const struct fview *v, const struct scn_field *f, int known,
                             uint32_t isn, char *buf, size_t n)
{
    char a[32], b[32];
    uint32_t x = field_value(v, f->kind);
    switch (f->kind) {
    case SF_SEQ: case SF_ACK:
        if (!f->rel)
            snprintf(buf, n, "%s %" PRIu32, f->kind == SF_SEQ ? "seq" : "ack", x);
        else if (known)
            snprintf(buf, n, "%s rel %" PRIu32 " (%" PRIu32 ")", f->kind == SF_SEQ ? "seq" : "ack",
                     x - isn, x);
        else
            snprintf(buf, n, f->kind == SF_SEQ
                     ? _("%s %" PRIu32 " (no SYN from the sender gave an ISN to count from)")
                     : _("%s %" PRIu32 " (no SYN from the receiver gave an ISN to count from)"),
                     f->kind == SF_SEQ ? "seq" : "ack", x);
        break;
    case SF_LEN: case SF_WINDOW:
        snprintf(buf, n, "%s %" PRIu32, f->kind == SF_LEN ? "len" : "window", x);
        break;
    case SF_FLAGS:
        snprintf(buf, n, "flags %s", tcp_flags_str((uint8_t)x, a, sizeof a));
        break;
    case SF_ARP_OP:
        if (v->arp.op == ARP_OP_REQUEST)
            snprintf(buf, n, "who-has %s", ip4_str(v->arp.tpa, a, sizeof a));
        else
            snprintf(buf, n, "%s is-at", ip4_str(v->arp.spa, a, sizeof a));
        break;
    case SF_DNS_QR:
        snprintf(buf, n, "%s", x ? "response" : "query");
        break;
    case SF_DNS_AA:
        snprintf(buf, n, "aa %" PRIu32, x);
        break;
    case SF_DNS_RCODE:
        snprintf(buf, n, "rcode %s", dns_rcode_name((int)x, b, sizeof b));
        break;
    default:
        snprintf(buf, n, "qname %s", v->dns->qdcount ? v->dns->qname : "(none)");
        break;
    }
}

/* Checks every field of e on frame v; on a mismatch writes what the frame
 * carried ("seq 0, not 777; ...") into why and returns 0. */
static int fields_hold(const struct scn_expect *e, const struct fview *v,
                       const struct xsend *x, char *why, size_t n)
{
    size_t pos = 0;
    int ok = 1;
    why[0] = '\0';
    for (int i = 0; i < e->nfields; i++) {
        const struct scn_field *f = &e->fields[i];
        uint32_t isn = 0;
        int known = 1, good;
        if (f->rel)
            known = xsend_isn(x, f->kind == SF_SEQ, &isn);
        if (f->rel)
            good = known && field_value(v, f->kind) - isn == f->value;
        else
            good = field_is(v, f, e->qname);
        if (good)
            continue;
        char got[300], want[300];
        frame_field_text(v, f, known, isn, got, sizeof got);
        field_text(f, e->qname, want, sizeof want);
        /* "seq rel 5 (1005), not rel 1": the field name once */
        const char *w = want;
        if (f->kind != SF_ARP_OP && f->kind != SF_DNS_QR) {
            const char *sp = strchr(want, ' ');
            if (sp)
                w = sp + 1;
        }
        if (pos < n)
            pos += (size_t)snprintf(why + pos, n - pos, _("%s%s, not %s"), ok ? "" : "; ", got, w);
        ok = 0;
    }
    return ok;
}

/* ---- patterns, fed frame by frame ----------------------------------------
 *
 * The expectations that name the same pattern share it (one test per
 * frame, however many lines name it), and a frame is offered only to the
 * patterns of its sender.  A pattern counts its frames (`count` is the
 * number at the end) and hands each to the expectations still waiting:
 * `#N` ones in the order of N, so that only those of the frame's own
 * number look at it; `every` ones until one fails; `some` ones until one
 * holds -- and when their fields are TCP or UDP numbers (quick), grouped by
 * which fields they name and looked up by the frame's values, so that N
 * such lines cost O(frames + N), not O(frames x N).  What a failure
 * quotes is written when it is decided, or, for `some`, read at the end
 * from the pattern's first frame, which it keeps. */

/* The quick `some` expectations of a pattern that name the same fields
 * (kinds, `rel`, PSH), waiting by the values they want: an open-addressing
 * table of value tuples, each with the first of its expectations (chained
 * through xexp.next), -1 once a frame carried it. */
struct xwait { uint32_t v[SCN_MAX_FIELDS]; int head; uint8_t used; };
struct xgroup {
    const struct scn_expect *e;  /* the fields' kinds: its first member's */
    struct xwait *t;
    size_t cap, n;
};

struct xnth { int nth, k; };     /* expectation k looks at frame #nth */
struct xpat {
    const struct scn_match *m;
    long n;                      /* frames matched so far */
    struct xnth *nth;            /* the #N expectations, by N ... */
    size_t nnth, inth;           /* ... and the first not yet reached */
    int *live;                   /* every, and `some` that are not quick */
    size_t nlive;
    struct xgroup *groups;
    int ngroups;
    int keep_first;              /* some `some` names it */
    uint8_t *first;              /* the first frame's bytes and numbers */
    size_t first_len;
    struct xsend firstx;
};

struct xframes {
    struct xpat *pats;
    int npats;
    /* The patterns by (sender, receiver), the only frames they can match
     * (scn_match_frame, and an ARP pattern's dst): spat[off .. off + n)
     * of the pair's slot, in the patterns' order, in an open-addressing
     * table of paircap slots (a power of two, at most half full; off -1:
     * empty).  By sender alone, a server with a line per client of a
     * crowd (`expect server->c{i} ...`) offered each of its frames to
     * every line. */
    struct pat_pair { int src, dst, off, n; } *pairs;
    size_t paircap;
    int *spat;
    int nhosts;
    long *queries;               /* by host: DNS queries sent, -1 not asked */
    int want_isns;
    struct isn_map isns;
    struct fview v;              /* the frame being offered */
};

/* A `some` whose fields are all TCP/UDP numbers is looked up by value. */
static int quick_some(const struct scn_expect *e)
{
    if (e->pick != PICK_SOME || e->m.top != TL_NONE || e->nfields == 0)
        return 0;
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].kind != SF_SEQ && e->fields[i].kind != SF_ACK &&
            e->fields[i].kind != SF_LEN && e->fields[i].kind != SF_WINDOW &&
            e->fields[i].kind != SF_FLAGS)
            return 0;
    return 1;
}

/* Do a and b name the same fields, read the same way (tup_of)? */
static int same_fields(const struct scn_expect *a, const struct scn_expect *b)
{
    if (a->nfields != b->nfields)
        return 0;
    for (int i = 0; i < a->nfields; i++) {
        const struct scn_field *f = &a->fields[i], *g = &b->fields[i];
        if (f->kind != g->kind || f->rel != g->rel ||
            (f->kind == SF_FLAGS && (f->value & TCP_PSH) != (g->value & TCP_PSH)))
            return 0;
    }
    return 1;
}

/* The values frame x gives e's fields; 0 when a relative number has no ISN
 * (such a frame cannot hold). */
static int tup_of(const struct scn_expect *e, const struct xsend *x, uint32_t *v)
{
    for (int i = 0; i < e->nfields; i++) {
        const struct scn_field *f = &e->fields[i];
        uint32_t isn = 0;
        if (f->rel && !xsend_isn(x, f->kind == SF_SEQ, &isn))
            return 0;
        switch (f->kind) {
        case SF_SEQ:    v[i] = x->seq - isn; break;
        case SF_ACK:    v[i] = x->ack - isn; break;
        case SF_LEN:    v[i] = x->plen; break;
        case SF_WINDOW: v[i] = x->win; break;
        default:        v[i] = x->flags & ((f->value & TCP_PSH) ? 0xFFu : (uint8_t)~TCP_PSH);
        }
    }
    return 1;
}

static size_t wait_slot(const struct xgroup *g, const uint32_t *v)
{
    uint64_t h = 1469598103934665603u;
    for (int i = 0; i < g->e->nfields; i++)
        h = (h ^ v[i]) * 1099511628211u;
    h ^= h >> 31;
    size_t s = (size_t)h & (g->cap - 1);
    while (g->t[s].used &&
           memcmp(g->t[s].v, v, (size_t)g->e->nfields * sizeof *v))
        s = (s + 1) & (g->cap - 1);
    return s;
}

/* Expectation k waits in g for its own values. */
static void wait_add(struct xgroup *g, struct xexp *x, int k)
{
    if (2 * (g->n + 1) > g->cap) {
        struct xgroup b = { g->e, xcalloc(g->cap ? 2 * g->cap : 16, sizeof *b.t),
                            g->cap ? 2 * g->cap : 16, g->n };
        for (size_t i = 0; i < g->cap; i++)
            if (g->t[i].used)
                b.t[wait_slot(&b, g->t[i].v)] = g->t[i];
        free(g->t);
        *g = b;
    }
    uint32_t v[SCN_MAX_FIELDS] = { 0 };
    for (int i = 0; i < x[k].e->nfields; i++)
        v[i] = x[k].e->fields[i].value;
    struct xwait *w = &g->t[wait_slot(g, v)];
    if (!w->used) {
        memcpy(w->v, v, sizeof v);
        w->used = 1;
        w->head = -1;
        g->n++;
    }
    x[k].next = w->head;
    w->head = k;
}

static uint64_t pat_hash(const struct scn_match *m)
{
    uint64_t h = 1469598103934665603u;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211u)
    MIX(m->src); MIX(m->dst); MIX(m->proto); MIX(m->any_flags); MIX(m->flags);
    MIX(m->data); MIX(m->top); MIX(m->nfilters);
    for (int i = 0; i < m->nfilters; i++) {
        MIX(m->filters[i].kind); MIX(m->filters[i].value); MIX(m->filters[i].addr);
    }
    for (const char *q = m->top == TL_DNS && m->qname ? m->qname : ""; *q; q++)
        MIX((unsigned char)(*q | 0x20));
#undef MIX
    return h;
}

static int pat_eq(const struct scn_match *a, const struct scn_match *b)
{
    if (a->src != b->src || a->dst != b->dst || a->proto != b->proto ||
        a->any_flags != b->any_flags || a->flags != b->flags || a->data != b->data ||
        a->top != b->top || a->nfilters != b->nfilters)
        return 0;
    for (int i = 0; i < a->nfilters; i++)
        if (a->filters[i].kind != b->filters[i].kind ||
            a->filters[i].rel != b->filters[i].rel ||
            a->filters[i].value != b->filters[i].value ||
            a->filters[i].addr != b->filters[i].addr)
            return 0;
    return a->top != TL_DNS ||
           strcmp(a->qname ? a->qname : "", b->qname ? b->qname : "") == 0;
}

/* Room for element n of an array that holds n: capacities double (1, 2,
 * 4, ...), so that 20000 lines on one pattern are not 20000 copies. */
static void *room_for(void *a, size_t n, size_t el)
{
    return n && (n & (n - 1)) ? a : xreallocarray(a, n ? 2 * n : 1, el);
}

static int cmp_nth(const void *a, const void *b)
{
    const struct xnth *p = a, *q = b;
    if (p->nth != q->nth)
        return (p->nth > q->nth) - (p->nth < q->nth);
    return (p->k > q->k) - (p->k < q->k);
}

/* The pattern of each frame expectation (one per distinct pattern), its
 * expectations sorted into it, and the patterns indexed by sender. */
/* The slot of pair (src, dst): its own, or the empty one where it goes. */
static struct pat_pair *pair_slot(const struct xframes *F, int src, int dst)
{
    size_t m = F->paircap - 1;
    size_t j = hash_home((uint64_t)(uint32_t)src << 32 | (uint32_t)dst, F->paircap);
    while (F->pairs[j].off != -1 && (F->pairs[j].src != src || F->pairs[j].dst != dst))
        j = (j + 1) & m;
    return &F->pairs[j];
}

/* `every` and `some` lines (not quick) of one pattern that ask the same
 * of its frames: equal fields and values. */
static uint64_t live_hash(int pat, const struct scn_expect *e)
{
    uint64_t h = ((uint64_t)(uint32_t)pat << 8 | (uint64_t)e->pick) * 0x9E3779B97F4A7C15u;
    for (int i = 0; i < e->nfields; i++) {
        const struct scn_field *f = &e->fields[i];
        h = (h ^ ((uint64_t)f->kind << 40 | (uint64_t)f->rel << 32 | f->value)) *
            0xC2B2AE3D27D4EB4Fu;
        h = (h ^ f->addr) * 0x9E3779B97F4A7C15u;
    }
    return h ^ h >> 32;
}

static int live_eq(const struct scn_expect *a, const struct scn_expect *b)
{
    if (a->pick != b->pick || a->nfields != b->nfields)
        return 0;
    for (int i = 0; i < a->nfields; i++) {
        const struct scn_field *f = &a->fields[i], *g = &b->fields[i];
        if (f->kind != g->kind || f->rel != g->rel || f->value != g->value ||
            f->addr != g->addr)
            return 0;
    }
    return 1;
}

/* The earlier line of line k's pattern that asks what k asks, whose
 * verdict and message are k's (its twin: expect.c reads them); else -1,
 * and k is entered in tw (twcap slots, -1 empty; the pattern names the
 * same frames, DNS names included).  A line repeated for each client
 * of a crowd (`expect client->server tcp data every len 2`) was offered
 * every frame of the pattern once per line. */
static int live_twin(const struct xexp *x, int k, int *tw, size_t twcap)
{
    const struct scn_expect *e = x[k].e;
    size_t j = (size_t)live_hash(x[k].pat, e) & (twcap - 1);
    for (; tw[j] >= 0; j = (j + 1) & (twcap - 1))
        if (x[tw[j]].pat == x[k].pat && live_eq(x[tw[j]].e, e))
            return tw[j];
    tw[j] = k;
    return -1;
}

static void frames_build(struct xframes *F, struct xexp *x, int n)
{
    size_t cap = 64;
    while (cap < 2 * (size_t)n)
        cap *= 2;
    int *tw = xreallocarray(NULL, cap, sizeof *tw);       /* live_twin's, -1 empty */
    size_t twcap = cap;
    for (size_t i = 0; i < cap; i++)
        tw[i] = -1;
    int *slot = xreallocarray(NULL, cap, sizeof *slot);    /* pattern, -1 empty */
    for (size_t i = 0; i < cap; i++)
        slot[i] = -1;
    F->pats = xcalloc((size_t)n, sizeof *F->pats);
    for (int k = 0; k < n; k++) {
        const struct scn_expect *e = x[k].e;
        if (e->kind != EXP_COUNT && e->kind != EXP_FIELDS)
            continue;
        size_t s = (size_t)pat_hash(&e->m) & (cap - 1);
        while (slot[s] >= 0 && !pat_eq(F->pats[slot[s]].m, &e->m))
            s = (s + 1) & (cap - 1);
        if (slot[s] < 0) {
            slot[s] = F->npats;
            F->pats[F->npats++].m = &e->m;
        }
        struct xpat *p = &F->pats[slot[s]];
        x[k].pat = slot[s];
        if (e->kind != EXP_FIELDS)
            continue;
        for (int i = 0; i < e->nfields; i++)
            F->want_isns |= e->fields[i].rel;
        if (e->pick == PICK_NTH) {
            p->nth = room_for(p->nth, p->nnth, sizeof *p->nth);
            p->nth[p->nnth++] = (struct xnth){ e->nth, k };
        } else if (quick_some(e)) {
            int g = 0;
            while (g < p->ngroups && !same_fields(p->groups[g].e, e))
                g++;
            if (g == p->ngroups) {
                p->groups = room_for(p->groups, (size_t)g, sizeof *p->groups);
                p->groups[p->ngroups++] = (struct xgroup){ e, NULL, 0, 0 };
            }
            wait_add(&p->groups[g], x, k);
        } else if ((x[k].twin = live_twin(x, k, tw, twcap)) < 0) {
            p->live = room_for(p->live, p->nlive, sizeof *p->live);
            p->live[p->nlive++] = k;
        }
        p->keep_first |= e->pick == PICK_SOME;
    }
    free(slot);
    free(tw);
    for (int i = 0; i < F->npats; i++)
        if (F->pats[i].nnth > 1)
            qsort(F->pats[i].nth, F->pats[i].nnth, sizeof *F->pats[i].nth, cmp_nth);
    for (F->paircap = 16; F->paircap < 2 * (size_t)F->npats; F->paircap *= 2)
        ;
    F->pairs = xreallocarray(NULL, F->paircap, sizeof *F->pairs);
    for (size_t j = 0; j < F->paircap; j++)
        F->pairs[j] = (struct pat_pair){ 0, 0, -1, 0 };
    int npaired = 0;
    for (int i = 0; i < F->npats; i++) {
        const struct scn_match *m = F->pats[i].m;
        if (m->src >= 0 && m->src < F->nhosts) {
            struct pat_pair *q = pair_slot(F, m->src, m->dst);
            *q = (struct pat_pair){ m->src, m->dst, 0, q->n + 1 };
            npaired++;
        }
    }
    int off = 0;
    for (size_t j = 0; j < F->paircap; j++)
        if (F->pairs[j].n) {
            F->pairs[j].off = off;
            off += F->pairs[j].n;
            F->pairs[j].n = 0;          /* counted again as they are placed */
        }
    F->spat = xreallocarray(NULL, (size_t)npaired + 1, sizeof *F->spat);
    for (int i = 0; i < F->npats; i++) {
        const struct scn_match *m = F->pats[i].m;
        if (m->src >= 0 && m->src < F->nhosts) {
            struct pat_pair *q = pair_slot(F, m->src, m->dst);
            F->spat[q->off + q->n++] = i;
        }
    }
}

struct xframes *lang_frames_new(struct xexp *x, int n, int nhosts)
{
    int any = 0, queries = 0;
    for (int k = 0; k < n; k++) {
        any |= x[k].e->kind == EXP_COUNT || x[k].e->kind == EXP_FIELDS;
        queries |= x[k].e->kind == EXP_QUERIES;
    }
    if (!any && !queries)
        return NULL;
    struct xframes *F = xcalloc(1, sizeof *F);
    F->nhosts = nhosts;
    frames_build(F, x, n);
    if (queries) {
        F->queries = xreallocarray(NULL, (size_t)nhosts + 1, sizeof *F->queries);
        for (int h = 0; h < nhosts; h++)
            F->queries[h] = -1;
        for (int k = 0; k < n; k++)
            if (x[k].e->kind == EXP_QUERIES && x[k].e->host >= 0 && x[k].e->host < nhosts)
                F->queries[x[k].e->host] = 0;
    }
    F->v.dns = xcalloc(1, sizeof *F->v.dns);
    return F;
}

/* Frame number p->n of pattern p (decoded in v, numbers in xs) to the
 * expectations that wait for it. */
static void pat_frame(const struct trace *tr, struct xpat *p, struct xexp *x,
                      const struct fview *v, const struct xsend *xs,
                      const uint8_t *bytes, size_t len)
{
    char why[400], actual[1024], ord[24], noun[48], way[96];
    p->n++;
    if (p->n == 1 && p->keep_first) {
        p->first = (uint8_t *)lang_dup_bytes((const char *)bytes, len);
        p->first_len = len;
        p->firstx = *xs;
    }
    for (; p->inth < p->nnth && p->nth[p->inth].nth == p->n; p->inth++) {
        struct xexp *a = &x[p->nth[p->inth].k];
        a->done = 1;
        a->ok = (uint8_t)fields_hold(a->e, v, xs, why, sizeof why);
        if (!a->ok) {
            snprintf(actual, sizeof actual, _("the %s %s %s carried %s"),
                     lang_ordinal(p->n, ord, sizeof ord), pattern_noun(p->m, 1, noun, sizeof noun),
                     pattern_way(tr, p->m, way, sizeof way), why);
            a->fail = xstrdup(actual);
        }
    }
    for (size_t i = 0; i < p->nlive;) {
        struct xexp *a = &x[p->live[i]];
        int holds = fields_hold(a->e, v, xs, why, sizeof why);
        if (a->e->pick == PICK_SOME ? !holds : holds) {
            i++;
            continue;
        }
        a->done = 1;
        a->ok = (uint8_t)holds;
        if (!holds) {          /* `every`: the first frame that does not hold */
            snprintf(actual, sizeof actual, _("the %s %s %s carried %s"),
                     lang_ordinal(p->n, ord, sizeof ord), pattern_noun(p->m, 1, noun, sizeof noun),
                     pattern_way(tr, p->m, way, sizeof way), why);
            a->fail = xstrdup(actual);
        }
        p->live[i] = p->live[--p->nlive];
    }
    for (int g = 0; g < p->ngroups; g++) {
        struct xgroup *G = &p->groups[g];
        uint32_t tv[SCN_MAX_FIELDS] = { 0 };
        if (!tup_of(G->e, xs, tv))
            continue;
        struct xwait *w = &G->t[wait_slot(G, tv)];
        if (!w->used)
            continue;
        for (int k = w->head; k >= 0; k = x[k].next)
            x[k].done = x[k].ok = 1;
        w->head = -1;
    }
}

void lang_frames_rec(struct xframes *F, struct xexp *x, const struct trace *tr,
                     const struct trace_rec *r)
{
    int src = r->u.pkt.src;
    const struct pat_pair *pair = NULL;
    if (src >= 0 && src < F->nhosts) {
        pair = pair_slot(F, src, r->u.pkt.dst);
        if (pair->off < 0)
            pair = NULL;
    }
    int pats = pair != NULL;
    /* `queries` are the ones HOST sent: a router that forwards a query
     * sends none (it was counted as the router's, so `expect gw queries 0`
     * failed saying "it sent 5 DNS queries") */
    int query = F->queries && r->host >= 0 && r->host < F->nhosts &&
                F->queries[r->host] >= 0 && r->why.id != N_IP_FORWARD;
    if (!pats && !query && !F->want_isns)
        return;
    size_t len;
    const uint8_t *bytes = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct fview *v = &F->v;
    if (!fview_decode(bytes, len, v))
        return;
    struct xsend xs = { 0 };
    xs.flags = v->f.l4 == IPPROTO_TCP_NUM ? v->f.tcp.flags : 0;
    xs.plen = (uint16_t)v->f.payload_len;
    xs.seq = v->f.tcp.seq;
    xs.ack = v->f.tcp.ack;
    xs.win = v->f.tcp.win;
    if (F->want_isns && v->ip && v->f.l4 == IPPROTO_TCP_NUM) {
        const struct frame *f = &v->f;
        if (f->tcp.flags & TCP_SYN)
            isn_put(&F->isns, f->ip.src, f->tcp.sport, f->ip.dst, f->tcp.dport, f->tcp.seq);
        xs.isn_s_ok = (uint8_t)isn_get(&F->isns, f->ip.src, f->tcp.sport, f->ip.dst,
                                       f->tcp.dport, &xs.isn_s);
        xs.isn_r_ok = (uint8_t)isn_get(&F->isns, f->ip.dst, f->tcp.dport, f->ip.src,
                                       f->tcp.sport, &xs.isn_r);
    }
    if (query && v->f.l4 == IPPROTO_UDP_NUM && v->f.udp.dport == DNS_PORT &&
        packet_top(&v->f) == TL_DNS)
        F->queries[r->host]++;
    int dns = 0;                 /* decoded for this frame yet */
    for (int i = pats ? pair->off : 0; pats && i < pair->off + pair->n; i++) {
        struct xpat *p = &F->pats[F->spat[i]];
        const struct scn_match *m = p->m;
        /* the cheap tests first; the DNS decode only for a candidate */
        if (m->top == TL_ARP ? !v->arp_ok || r->u.pkt.dst != m->dst
            : !v->ip || !scn_match_frame(m, r->u.pkt.src, r->u.pkt.dst, v->f.l4,
                                          xs.flags, xs.plen))
            continue;
        if (m->top == TL_DNS && !dns) {
            fview_dns(v);
            dns = 1;
        }
        if ((m->nfilters || m->top == TL_DNS) && !xmatch(m, r, v))
            continue;
        pat_frame(tr, p, x, v, &xs, bytes, len);
    }
}

int lang_frames_result(const struct xframes *F, const struct trace *tr,
                       const struct xexp *x, char *actual, size_t n)
{
    const struct scn_expect *e = x->e;
    if (e->kind == EXP_QUERIES) {
        long q = e->host >= 0 && e->host < F->nhosts ? F->queries[e->host] : 0;
        if (q != e->count)
            snprintf(actual, n, P_("it sent %ld DNS query", "it sent %ld DNS queries",
                                   (unsigned long)q), q);
        return q == e->count;
    }
    const struct xpat *p = &F->pats[x->pat];
    if (e->kind == EXP_COUNT) {
        if (p->n != e->count)
            snprintf(actual, n, _("counted %ld"), p->n);
        return p->n == e->count;
    }
    if (x->done) {
        if (!x->ok)
            snprintf(actual, n, "%s", x->fail);
        return x->ok;
    }
    char noun[48], way[96];
    pattern_noun(&e->m, p->n ? p->n : 1, noun, sizeof noun);   /* "no SYN went" */
    pattern_way(tr, &e->m, way, sizeof way);
    if (e->pick == PICK_EVERY && p->n)
        return 1;                /* every frame held */
    if (!p->n) {
        snprintf(actual, n, _("no %s went %s"), noun, way);
    } else if (e->pick == PICK_NTH) {
        /* TRANSLATORS: the noun (the second %s) is in the number's form */
        snprintf(actual, n, _("only %ld %s went %s"), p->n, noun, way);
    } else {
        /* `some`: none held, and the message quotes the first frame */
        struct fview v;
        char why[400];
        v.dns = e->m.top == TL_DNS ? xcalloc(1, sizeof *v.dns) : NULL;
        fview_decode(p->first, p->first_len, &v);
        if (v.dns)
            fview_dns(&v);
        fields_hold(e, &v, &p->firstx, why, sizeof why);
        free(v.dns);
        /* TRANSLATORS: the noun (the second %s) is in the number's form */
        snprintf(actual, n, _("none of the %ld %s %s carried that: the 1st carried %s"), p->n,
                 noun, way, why);
    }
    return 0;
}

int lang_frames_open(const struct xframes *F, const struct xexp *x)
{
    const struct scn_expect *e = x->e;
    if (e->kind == EXP_QUERIES)  /* counts only grow: past N is for good */
        return (e->host >= 0 && e->host < F->nhosts ? F->queries[e->host] : 0) <= e->count;
    if (e->kind == EXP_COUNT)
        return F->pats[x->pat].n <= e->count;
    /* `#N`: its frame was sent; `every`: one did not hold; `some`: one did */
    return !x->done;
}

void lang_frames_free(struct xframes *F)
{
    if (!F)
        return;
    for (int i = 0; i < F->npats; i++) {
        struct xpat *p = &F->pats[i];
        for (int g = 0; g < p->ngroups; g++)
            free(p->groups[g].t);
        free(p->groups);
        free(p->nth);
        free(p->live);
        free(p->first);
    }
    free(F->pats);
    free(F->pairs);
    free(F->spat);
    free(F->queries);
    free(F->isns.t);
    free(F->v.dns);
    free(F);
}

/* ---- for quiz lines ------------------------------------------------------- */

int lang_frame_match(const struct scn_match *m, const struct trace *tr,
                     const struct trace_rec *r)
{
    if (r->kind != TK_SEND || r->u.pkt.src != m->src || r->u.pkt.dst != m->dst)
        return 0;
    size_t len;
    const uint8_t *bytes = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct fview v;
    memset(&v, 0, sizeof v);
    if (!bytes || !fview_decode(bytes, len, &v))
        return 0;
    if (m->top == TL_DNS) {
        v.dns = xcalloc(1, sizeof *v.dns);
        fview_dns(&v);
    }
    int ok = xmatch(m, r, &v);
    free(v.dns);
    return ok;
}

const char *lang_frame_nth_text(const struct trace *tr, const struct scn_match *m,
                                long nth, char *buf, size_t n)
{
    char ord[24], noun[48], way[96];
    snprintf(buf, n, _("the %s %s %s"), lang_ordinal(nth, ord, sizeof ord),
             pattern_noun(m, 1, noun, sizeof noun), pattern_way(tr, m, way, sizeof way));
    return buf;
}
