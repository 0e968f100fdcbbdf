/* expect_frames.c — frame expectations: a pattern, with its ARP, DNS and
 * TCP fields, matched against the frames of a finished trace. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "lang.h"
#include "sim.h"
#include "langint.h"
#include "summary.h"
#include "arp.h"
#include "dns.h"
#include "tcp.h"

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

static int fview_decode(const struct trace *tr, const struct trace_rec *r,
                        struct fview *v, int want_dns)
{
    size_t n;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &n);
    char err[64];
    v->ip = v->arp_ok = v->dns_ok = 0;
    if (frame_decode(p, n, &v->f, err, sizeof err) != 0)
        return 0;
    v->ip = v->f.has_ip;
    if (v->f.eth.type == ETHERTYPE_ARP)
        v->arp_ok = arp_decode(v->f.payload, v->f.payload_len, &v->arp) == 0;
    if (want_dns && v->ip && v->f.l4 == IPPROTO_UDP_NUM &&
        (v->f.udp.sport == DNS_PORT || v->f.udp.dport == DNS_PORT))
        v->dns_ok = dns_decode(v->f.payload, v->f.payload_len, v->dns, err,
                               sizeof err) == 0;
    return 1;
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
 * for its relative sequence numbers. */
struct isn_ent { uint32_t src, dst, isn; uint16_t sport, dport; uint8_t used; };
struct isn_map { struct isn_ent *t; size_t cap, n; };

static size_t isn_slot(const struct isn_map *m, uint32_t s, uint16_t sp, uint32_t d,
                       uint16_t dp)
{
    uint64_t h = ((uint64_t)s * 0x9E3779B97F4A7C15u) ^ ((uint64_t)d * 0xC2B2AE3D27D4EB4Fu) ^
                 ((uint64_t)sp << 16 | dp);
    h ^= h >> 29;
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

struct xsend {
    size_t   k;                  /* index of the TK_SEND record */
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
    const char *suf = "th";
    if (n % 100 < 11 || n % 100 > 13)
        suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    snprintf(buf, sz, "%ld%s", n, suf);
    return buf;
}

/* "RST", "SYN,ACK", "TCP segment", "ARP request", "DNS response" ... */
static const char *pattern_noun(const struct scn_match *m, char *buf, size_t n)
{
    if (m->top == TL_ARP || m->top == TL_DNS) {
        const char *what = m->top == TL_ARP ? "ARP frame" : "DNS message";
        for (int i = 0; i < m->nfilters; i++) {
            if (m->filters[i].kind == SF_ARP_OP)
                what = m->filters[i].value == ARP_OP_REQUEST ? "ARP request" : "ARP reply";
            if (m->filters[i].kind == SF_DNS_QR)
                what = m->filters[i].value ? "DNS response" : "DNS query";
        }
        snprintf(buf, n, "%s", what);
    } else if (m->proto == IPPROTO_TCP_NUM) {
        if (m->data)
            snprintf(buf, n, "data segment");
        else if (m->any_flags)
            snprintf(buf, n, "TCP segment");
        else
            tcp_flags_str(m->flags, buf, n);
    } else {
        snprintf(buf, n, "%s", m->proto == IPPROTO_UDP_NUM ? "UDP datagram" : "frame");
    }
    return buf;
}

/* "from server to client", "from alice to everyone" */
static const char *pattern_way(const struct trace *tr, const struct scn_match *m,
                               char *buf, size_t n)
{
    snprintf(buf, n, "from %s to %s", trace_host_name(tr, m->src),
             m->dst == HOST_BROADCAST ? "everyone (broadcast)" : trace_host_name(tr, m->dst));
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
            snprintf(buf, n, "%s %" PRIu32 " (no SYN from the %s gave an ISN to count from)",
                     f->kind == SF_SEQ ? "seq" : "ack", x,
                     f->kind == SF_SEQ ? "sender" : "receiver");
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
            pos += (size_t)snprintf(why + pos, n - pos, "%s%s, not %s", ok ? "" : "; ", got, w);
        ok = 0;
    }
    return ok;
}

/* ---- the frame index: --check stays linear in the trace ------------------
 *
 * Every frame expectation used to decode every frame of the trace again, so
 * that a lesson with many expectations over a long trace took E x T decodes
 * (60000 expectations over 10000 frames: minutes).  Now each sent frame is
 * decoded once, with the ISNs known at that point (for `rel` numbers), and
 * the frames a pattern matches are listed once per distinct pattern: `count`
 * is the list's length and `#N` its Nth entry. */

static void xcache_build(const struct trace *tr, struct xcache *c)
{
    struct fview v;
    struct isn_map isns = { 0 };
    v.dns = NULL;
    c->built = 1;
    for (size_t k = 0; k < tr->n; k++)
        if (tr->recs[k].kind == TK_SEND && !tr->recs[k].u.pkt.dup)
            c->nsends++;
    c->sends = xcalloc(c->nsends ? c->nsends : 1, sizeof *c->sends);
    size_t j = 0;
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->kind != TK_SEND || r->u.pkt.dup)
            continue;
        struct xsend *x = &c->sends[j++];
        x->k = k;
        if (!fview_decode(tr, r, &v, 0))
            continue;
        x->ok = 1;
        x->ip = (uint8_t)v.ip;
        x->arp_ok = (uint8_t)v.arp_ok;
        x->l4 = (uint8_t)v.f.l4;
        x->flags = v.f.l4 == IPPROTO_TCP_NUM ? v.f.tcp.flags : 0;
        x->plen = (uint16_t)v.f.payload_len;
        x->seq = v.f.tcp.seq;
        x->ack = v.f.tcp.ack;
        x->win = v.f.tcp.win;
        if (!v.ip || v.f.l4 != IPPROTO_TCP_NUM)
            continue;
        if (v.f.tcp.flags & TCP_SYN)
            isn_put(&isns, v.f.ip.src, v.f.tcp.sport, v.f.ip.dst, v.f.tcp.dport,
                    v.f.tcp.seq);
        x->isn_s_ok = (uint8_t)isn_get(&isns, v.f.ip.src, v.f.tcp.sport, v.f.ip.dst,
                                       v.f.tcp.dport, &x->isn_s);
        x->isn_r_ok = (uint8_t)isn_get(&isns, v.f.ip.dst, v.f.tcp.dport, v.f.ip.src,
                                       v.f.tcp.sport, &x->isn_r);
    }
    free(isns.t);
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
    for (const char *q = m->top == TL_DNS ? m->qname : ""; *q; q++)
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
    return a->top != TL_DNS || strcmp(a->qname, b->qname) == 0;
}

/* The frames pattern m matches, in the order they were sent. */
const struct xpat *lang_xcache_match(const struct trace *tr, struct xcache *c,
                                const struct scn_match *m)
{
    if (!c->built)
        xcache_build(tr, c);
    if (2 * (c->npats + 1) > c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct xpat *t = xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < c->cap; i++)
            if (c->pats[i].m) {
                size_t s = (size_t)pat_hash(c->pats[i].m) & (cap - 1);
                while (t[s].m)
                    s = (s + 1) & (cap - 1);
                t[s] = c->pats[i];
            }
        free(c->pats);
        c->pats = t;
        c->cap = cap;
    }
    size_t s = (size_t)pat_hash(m) & (c->cap - 1);
    while (c->pats[s].m && !pat_eq(c->pats[s].m, m))
        s = (s + 1) & (c->cap - 1);
    struct xpat *p = &c->pats[s];
    if (p->m)
        return p;
    p->m = m;
    c->npats++;
    struct fview v;
    v.dns = m->top == TL_DNS ? xcalloc(1, sizeof *v.dns) : NULL;
    size_t cap = 0;
    for (size_t j = 0; j < c->nsends; j++) {
        const struct xsend *x = &c->sends[j];
        const struct trace_rec *r = &tr->recs[x->k];
        if (!x->ok || r->u.pkt.src != m->src)
            continue;
        /* the cheap tests first; the full decode only for a candidate */
        if (m->top == TL_ARP ? !x->arp_ok || r->u.pkt.dst != m->dst
            : !x->ip || !scn_match_frame(m, r->u.pkt.src, r->u.pkt.dst, x->l4,
                                          x->flags, x->plen))
            continue;
        if ((m->nfilters || m->top == TL_DNS) &&
            (!fview_decode(tr, r, &v, v.dns != NULL) || !xmatch(m, r, &v)))
            continue;
        if (p->n == cap) {
            cap = cap ? 2 * cap : 16;
            p->idx = xreallocarray(p->idx, cap, sizeof *p->idx);
        }
        p->idx[p->n++] = j;
    }
    free(v.dns);
    return p;
}

static uint64_t tup_sig(const struct scn_expect *e)
{
    uint64_t sig = (uint64_t)e->nfields;
    for (int i = 0; i < e->nfields; i++) {
        const struct scn_field *f = &e->fields[i];
        unsigned b = (unsigned)f->kind << 2 | (unsigned)(f->rel != 0) << 1 |
                     (unsigned)(f->kind == SF_FLAGS && (f->value & TCP_PSH));
        sig = sig << 7 ^ b ^ sig >> 57;
        sig = sig * 31 + b;
    }
    return sig;
}

/* The tuple frame x gives e's fields; 0 when a relative number has no ISN
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

static size_t tup_slot(const struct xcache *c, const struct xpat *p, uint64_t sig,
                       const uint32_t *v, int n, int built)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15u ^ sig ^ (uint64_t)built;
    for (int i = 0; i < n; i++)
        h = (h ^ v[i]) * 1099511628211u;
    h ^= h >> 31;
    size_t s = (size_t)h & (c->tcap - 1);
    while (c->tups[s].used &&
           !(c->tups[s].p == p && c->tups[s].sig == sig && c->tups[s].built == built &&
             (built || (c->tups[s].nf == n &&
                        memcmp(c->tups[s].v, v, (size_t)n * sizeof *v) == 0))))
        s = (s + 1) & (c->tcap - 1);
    return s;
}

static void tup_put(struct xcache *c, const struct xpat *p, uint64_t sig,
                    const uint32_t *v, int n, int built)
{
    if (2 * (c->ntups + 1) > c->tcap) {
        struct xcache g = *c;
        g.tcap = c->tcap ? 2 * c->tcap : 256;
        g.tups = xcalloc(g.tcap, sizeof *g.tups);
        g.ntups = 0;
        for (size_t i = 0; i < c->tcap; i++)
            if (c->tups[i].used) {
                const struct xtup *t = &c->tups[i];
                g.tups[tup_slot(&g, t->p, t->sig, t->v, t->nf, t->built)] = *t;
                g.ntups++;
            }
        free(c->tups);
        c->tups = g.tups;
        c->tcap = g.tcap;
        c->ntups = g.ntups;
    }
    size_t s = tup_slot(c, p, sig, v, n, built);
    if (c->tups[s].used)
        return;
    struct xtup *t = &c->tups[s];
    memset(t, 0, sizeof *t);
    t->p = p;
    t->sig = sig;
    memcpy(t->v, v, (size_t)n * sizeof *v);
    t->used = 1;
    t->built = (uint8_t)built;
    t->nf = (uint8_t)n;
    c->ntups++;
}

/* Does some frame of p carry e's (quick) fields?  Each (pattern, fields)
 * set is built once, so N `some` lines cost O(N + frames), not O(N x frames). */
static int some_holds(struct xcache *c, const struct xpat *p, const struct scn_expect *e)
{
    uint64_t sig = tup_sig(e);
    uint32_t v[SCN_MAX_FIELDS] = { 0 };
    int n = e->nfields;
    if (!c->tcap || !c->tups[tup_slot(c, p, sig, v, 0, 1)].used) {
        for (size_t i = 0; i < p->n; i++)
            if (tup_of(e, &c->sends[p->idx[i]], v))
                tup_put(c, p, sig, v, n, 0);
        memset(v, 0, sizeof v);
        tup_put(c, p, sig, v, 0, 1);
    }
    for (int i = 0; i < n; i++)
        v[i] = e->fields[i].value;
    return c->tups[tup_slot(c, p, sig, v, n, 0)].used;
}

void lang_xcache_free(struct xcache *c)
{
    free(c->tups);
    for (size_t i = 0; i < c->cap; i++)
        free(c->pats[i].idx);
    free(c->pats);
    free(c->sends);
}

int lang_check_fields(const struct trace *tr, struct xcache *c,
                 const struct scn_expect *e, char *actual, size_t n)
{
    const struct xpat *p = lang_xcache_match(tr, c, &e->m);
    struct fview v;
    v.dns = e->m.top == TL_DNS ? xcalloc(1, sizeof *v.dns) : NULL;
    long seen = 0, bad_at = 0;
    char bad[400] = "", ord[24], noun[48], way[96];
    int ok = e->pick != PICK_SOME, decided = 0;
    size_t from = 0;
    /* the fields of TCP and UDP patterns are in the index: no decoding */
    int quick = e->m.top == TL_NONE;
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].kind != SF_SEQ && e->fields[i].kind != SF_ACK &&
            e->fields[i].kind != SF_LEN && e->fields[i].kind != SF_WINDOW &&
            e->fields[i].kind != SF_FLAGS)
            quick = 0;
    size_t to = p->n;
    if (e->pick == PICK_NTH) {      /* straight to the Nth: the others don't count */
        from = (uint64_t)e->nth - 1 < p->n ? (size_t)e->nth - 1 : p->n;
        seen = (long)from;
    }
    if (e->pick == PICK_SOME && quick && e->nfields > 0) {
        if (some_holds(c, p, e)) {
            free(v.dns);
            return 1;
        }
        to = p->n ? 1 : 0;          /* none holds: the 1st says what they carried */
    }
    for (size_t i = from; i < to && !decided; i++) {
        const struct xsend *x = &c->sends[p->idx[i]];
        const struct trace_rec *r = &tr->recs[x->k];
        if (quick) {
            v.ip = x->ip;
            v.f.l4 = x->l4;
            v.f.tcp.flags = x->flags;
            v.f.tcp.seq = x->seq;
            v.f.tcp.ack = x->ack;
            v.f.tcp.win = x->win;
            v.f.payload_len = x->plen;
        } else if (!fview_decode(tr, r, &v, v.dns != NULL)) {
            continue;
        }
        seen++;
        char why[400];
        int holds = fields_hold(e, &v, x, why, sizeof why);
        if (e->pick == PICK_SOME && holds) {
            ok = decided = 1;
        } else if (!holds && !bad_at) {
            bad_at = seen;
            snprintf(bad, sizeof bad, "%s", why);
            if (e->pick != PICK_SOME) {
                ok = 0;
                decided = 1;
            }
        } else if (e->pick == PICK_NTH) {
            decided = 1;
        }
    }
    if (to < p->n && e->pick == PICK_SOME)
        seen = (long)p->n;
    free(v.dns);
    pattern_noun(&e->m, noun, sizeof noun);
    pattern_way(tr, &e->m, way, sizeof way);
    if (e->pick == PICK_NTH && seen < e->nth && !bad_at) {
        if (seen)
            snprintf(actual, n, "only %ld %s%s went %s", seen, noun, seen == 1 ? "" : "s", way);
        else
            snprintf(actual, n, "no %s went %s", noun, way);
        return 0;
    }
    if (e->pick == PICK_EVERY && !seen) {
        snprintf(actual, n, "no %s went %s", noun, way);
        return 0;
    }
    if (ok)
        return 1;
    if (e->pick == PICK_SOME && !seen)
        snprintf(actual, n, "no %s went %s", noun, way);
    else if (e->pick == PICK_SOME)
        snprintf(actual, n, "none of the %ld %s%s %s carried that: the 1st carried %s", seen, noun,
                 seen == 1 ? "" : "s", way, bad);
    else
        snprintf(actual, n, "the %s %s %s carried %s", lang_ordinal(bad_at, ord, sizeof ord), noun,
                 way, bad);
    return 0;
}
