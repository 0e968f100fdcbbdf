/* dns.c — DNS message bytes (RFC 1035 4.1), an authoritative server (RFC 1034 4.3.2), a caching iterative resolver (RFC 1034 5.3.3, RFC 2308) and a stub resolver.
 *
 * Shape: names and text forms; the encoder and the strict decoder; the
 * server, a pure function from zone data and a query to a response; the
 * resolver, whose pending questions walk root -> TLD -> authoritative and
 * whose cache holds RRsets with absolute expiry times; the stub.  Every
 * state change goes through walk_set() or cache_set_state(), which append
 * the trace record; every message leaves through env.emit.
 *
 * Simplifications, stated honestly:
 *  - Labels hold printable ASCII other than '.' (no "\." or "\DDD"
 *    escapes); other octets are refused by the decoder.  Hostnames
 *    (RFC 1123 2.1) never need them.
 *  - One question per message (every real query has one); at most
 *    DNS_MAX_RR records per section.  The encoder fails rather than
 *    truncating with TC=1; a reply with TC=1 is treated as a failed server
 *    (no retry over TCP).
 *  - The server has no wildcards (RFC 1034 4.3.3) and does not add its own
 *    NS records to the authority section of positive answers.
 *  - The resolver ignores RD=0 from a stub (it always recurses), asks one
 *    server at a time, never queries in parallel, and does not rank data
 *    by credibility (RFC 2181 5.4.1): a valid cached RRset is kept until it
 *    expires and newer copies are ignored.  Glue is accepted only for names
 *    inside the zone of the server that sent it (its "bailiwick").
 *  - Glueless delegations are handled: when no address is known for any of
 *    a zone's servers, the resolver looks up the address of one name server
 *    first (a nested walk with its own trace id), then goes on.  A server
 *    named inside the zone it serves can only be reached through glue
 *    (RFC 1034 4.2.1); if none came, the question fails with SERVFAIL.
 *  - The last state of each walk id is remembered in a ring of 64 (32 for
 *    a stub): after that many other names, a name's next walk starts its
 *    trace story again from IDLE.
 *  - Cache expiry is lazy: an entry is marked EXPIRED when a lookup
 *    touches it (or when the caller runs dns_resolver_expire()), so the
 *    resolver never asks to be woken for a TTL.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dns.h"
#include "event.h"
#include "alloc.h"

/* ---- names ---------------------------------------------------------- */

static int lc(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Length of a name's text without one trailing dot ("." -> 0). */
static size_t core_len(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

static int eqn(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
            return 0;
    return 1;
}

int dns_name_eq(const char *a, const char *b)
{
    size_t la = core_len(a), lb = core_len(b);
    return la == lb && eqn(a, b, la);
}

int dns_name_in(const char *name, const char *zone)
{
    size_t ln = core_len(name), lz = core_len(zone);
    if (lz == 0)
        return 1;
    if (ln < lz || !eqn(name + ln - lz, zone, lz))
        return 0;
    return ln == lz || name[ln - lz - 1] == '.';
}

int dns_name_labels(const char *name)
{
    size_t n = core_len(name);
    int k = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        k += name[i] == '.';
    return k;
}

/* The parent of a name ("www.example.com" -> "example.com" -> "com" -> "."),
 * as a pointer into it (or to a static "."). */
static const char *name_parent(const char *name)
{
    size_t n = core_len(name);
    for (size_t i = 0; i < n; i++)
        if (name[i] == '.')
            return name + i + 1;
    return ".";
}

/* Stores a name as protosim keeps it: no trailing dot, the root as ".". */
static void name_copy(char *dst, const char *src)
{
    size_t n = core_len(src);
    if (n >= DNS_NAME_BUF)
        n = DNS_NAME_BUF - 1;
    if (n == 0) {
        strcpy(dst, ".");
        return;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* "www.example.com." for master-file text; the root stays ".". */
static const char *fqdn(const char *name, char *buf, size_t n)
{
    size_t l = core_len(name);
    if (l == 0)
        snprintf(buf, n, ".");
    else
        snprintf(buf, n, "%.*s.", (int)l, name);
    return buf;
}

static int label_octet_ok(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '.';
}

struct lab { const char *p; uint8_t len; };
#define MAX_LABELS 128

/* Splits a text name into labels, checking RFC 1035 2.3.4's limits.
 * Returns the number of labels, or -1 with a reason. */
static int split_labels(const char *name, struct lab *l, const char **why)
{
    size_t n = core_len(name), i = 0, wire = 1;
    int k = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && name[j] != '.') {
            if (!label_octet_ok((unsigned char)name[j])) {
                *why = "a label holds a character other than printable ASCII";
                return -1;
            }
            j++;
        }
        if (j == i) {
            *why = "empty label (two dots in a row, or a leading dot)";
            return -1;
        }
        if (j - i > DNS_LABEL_MAX) {
            *why = "a label is longer than 63 octets (RFC 1035 2.3.4)";
            return -1;
        }
        wire += 1 + (j - i);
        if (wire > DNS_NAME_MAX) {
            *why = "the name is longer than 255 octets (RFC 1035 2.3.4)";
            return -1;
        }
        l[k].p = name + i;
        l[k].len = (uint8_t)(j - i);
        k++;
        i = j + 1;
        if (j + 1 == n) {       /* "a..": core ends in a dot */
            *why = "empty label (two dots in a row, or a leading dot)";
            return -1;
        }
    }
    return k;
}

int dns_name_check(const char *name, char *err, size_t errlen)
{
    struct lab l[MAX_LABELS];
    const char *why = "";
    if (strlen(name) >= DNS_NAME_BUF || split_labels(name, l, &why) < 0) {
        if (strlen(name) >= DNS_NAME_BUF)
            why = "the name is longer than 255 octets (RFC 1035 2.3.4)";
        if (err && errlen)
            snprintf(err, errlen, "%s", why);
        return -1;
    }
    return 0;
}

/* ---- number <-> text tables ----------------------------------------- */

const char *dns_type_name(uint16_t type, char *buf, size_t n)
{
    switch (type) {
#define X(name, num) case num: return #name;
    DNS_TYPES(X)
#undef X
    default:
        snprintf(buf, n, "TYPE%u", type);      /* RFC 3597 5 */
        return buf;
    }
}

int dns_type_parse(const char *s)
{
    char up[16];
    size_t i;
    for (i = 0; s[i] && i < sizeof up - 1; i++)
        up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    up[i] = '\0';
#define X(name, num) if (!strcmp(up, #name)) return num;
    DNS_TYPES(X)
#undef X
    if (!strncmp(up, "TYPE", 4) && up[4]) {
        char *end;
        unsigned long v = strtoul(up + 4, &end, 10);
        if (!*end && v <= 65535)
            return (int)v;
    }
    return -1;
}

const char *dns_class_name(uint16_t cls, char *buf, size_t n)
{
    switch (cls) {
    case 1:   return "IN";
    case 3:   return "CH";
    case 4:   return "HS";
    case 255: return "ANY";
    default:
        snprintf(buf, n, "CLASS%u", cls);
        return buf;
    }
}

const char *dns_rcode_name(int rcode, char *buf, size_t n)
{
    switch (rcode) {
#define X(name, num) case num: return #name;
    DNS_RCODES(X)
#undef X
    default:
        snprintf(buf, n, "RCODE%d", rcode);
        return buf;
    }
}

static const char *const state_names[DNS_NSTATES] = {
#define X(s) #s,
    DNS_STATES(X)
#undef X
};

const char *dns_state_name(int s)
{
    return name_of(state_names, DNS_NSTATES, s);
}

int dns_state_parse(const char *s)
{
    return name_index(state_names, DNS_NSTATES, s);
}

/* ---- building messages ---------------------------------------------- */

void dns_query_init(struct dns_msg *m, uint16_t id, const char *qname,
                    uint16_t qtype, int rd)
{
    memset(m, 0, sizeof *m);
    m->id = id;
    m->rd = rd ? 1 : 0;
    m->qdcount = 1;
    name_copy(m->qname, qname);
    m->qtype = qtype;
    m->qclass = DNS_CLASS_IN;
}

static void rr_head(struct dns_rr *rr, const char *name, uint16_t type,
                    uint32_t ttl)
{
    memset(rr, 0, sizeof *rr);
    name_copy(rr->name, name);
    rr->type = type;
    rr->cls = DNS_CLASS_IN;
    rr->ttl = ttl;
}

void dns_rr_a(struct dns_rr *rr, const char *name, uint32_t ttl, ip4_addr a)
{
    rr_head(rr, name, DNS_TYPE_A, ttl);
    rr->rd.a = a;
}

void dns_rr_ns(struct dns_rr *rr, const char *name, uint32_t ttl,
               const char *target)
{
    rr_head(rr, name, DNS_TYPE_NS, ttl);
    name_copy(rr->rd.target, target);
}

void dns_rr_cname(struct dns_rr *rr, const char *name, uint32_t ttl,
                  const char *target)
{
    rr_head(rr, name, DNS_TYPE_CNAME, ttl);
    name_copy(rr->rd.target, target);
}

void dns_rr_soa(struct dns_rr *rr, const char *name, uint32_t ttl,
                const char *mname, const char *rname, uint32_t serial,
                uint32_t refresh, uint32_t retry, uint32_t expire,
                uint32_t minimum)
{
    rr_head(rr, name, DNS_TYPE_SOA, ttl);
    name_copy(rr->rd.soa.mname, mname);
    name_copy(rr->rd.soa.rname, rname);
    rr->rd.soa.serial = serial;
    rr->rd.soa.refresh = refresh;
    rr->rd.soa.retry = retry;
    rr->rd.soa.expire = expire;
    rr->rd.soa.minimum = minimum;
}

static int type_has_name(uint16_t type)
{
    return type == DNS_TYPE_NS || type == DNS_TYPE_CNAME ||
           type == DNS_TYPE_PTR;
}

/* ---- encoder (RFC 1035 4.1) ----------------------------------------- */

#define MAX_COMP 128

struct wbuf {
    uint8_t *p;
    size_t   cap, len;
    int      bad;
    uint16_t comp[MAX_COMP];      /* offsets where a written name suffix starts */
    int      ncomp;
};

static void put8(struct wbuf *w, unsigned v)
{
    if (w->bad || w->len + 1 > w->cap) {
        w->bad = 1;
        return;
    }
    w->p[w->len++] = (uint8_t)v;
}

static void put16(struct wbuf *w, unsigned v)
{
    put8(w, (v >> 8) & 0xff);
    put8(w, v & 0xff);
}

static void put32(struct wbuf *w, uint32_t v)
{
    put16(w, v >> 16);
    put16(w, v & 0xffff);
}

static void putn(struct wbuf *w, const void *p, size_t n)
{
    if (w->bad || w->len + n > w->cap) {
        w->bad = 1;
        return;
    }
    memcpy(w->p + w->len, p, n);
    w->len += n;
}

/* Does the name written at offset o equal labels l[i..n) exactly?  Reads
 * only bytes already written (below w->len), following our own pointers. */
static int suffix_eq(const struct wbuf *w, size_t o, const struct lab *l,
                     int i, int n)
{
    int hops = 0;
    for (;;) {
        if (o >= w->len)
            return 0;
        uint8_t c = w->p[o];
        if ((c & 0xC0) == 0xC0) {
            if (o + 1 >= w->len || ++hops > MAX_LABELS)
                return 0;
            o = ((size_t)(c & 0x3F) << 8) | w->p[o + 1];
            continue;
        }
        if (c == 0)
            return i == n;
        if (i == n || c != l[i].len || o + 1 + c > w->len ||
            memcmp(w->p + o + 1, l[i].p, c) != 0)
            return 0;
        o += 1 + (size_t)c;
        i++;
    }
}

/* RFC 1035 4.1.4: "a domain name in a message can be represented as either
 * a sequence of labels ending in a zero octet, a pointer, or a sequence of
 * labels ending with a pointer."  Each suffix is matched exactly as written
 * (case included), so names go out as given. */
static void put_name(struct wbuf *w, const char *name)
{
    struct lab l[MAX_LABELS];
    const char *why;
    int n = split_labels(name, l, &why);
    if (n < 0) {
        w->bad = 1;
        return;
    }
    for (int i = 0; i < n && !w->bad; i++) {
        for (int k = 0; k < w->ncomp; k++)
            if (suffix_eq(w, w->comp[k], l, i, n)) {
                put16(w, 0xC000u | w->comp[k]);
                return;
            }
        /* a pointer holds a 14-bit offset */
        if (w->len < 0x4000 && w->ncomp < MAX_COMP)
            w->comp[w->ncomp++] = (uint16_t)w->len;
        put8(w, l[i].len);
        putn(w, l[i].p, l[i].len);
    }
    put8(w, 0);
}

static void put_rr(struct wbuf *w, const struct dns_rr *rr)
{
    put_name(w, rr->name);
    put16(w, rr->type);
    put16(w, rr->cls);
    put32(w, rr->ttl);
    size_t at = w->len;
    put16(w, 0);                          /* RDLENGTH, patched below */
    size_t start = w->len;
    if (rr->type == DNS_TYPE_A) {
        put32(w, rr->rd.a);
    } else if (type_has_name(rr->type)) {
        put_name(w, rr->rd.target);
    } else if (rr->type == DNS_TYPE_SOA) {   /* RFC 1035 3.3.13 */
        put_name(w, rr->rd.soa.mname);
        put_name(w, rr->rd.soa.rname);
        put32(w, rr->rd.soa.serial);
        put32(w, rr->rd.soa.refresh);
        put32(w, rr->rd.soa.retry);
        put32(w, rr->rd.soa.expire);
        put32(w, rr->rd.soa.minimum);
    } else {
        if (rr->rd.raw.len > DNS_RAW_MAX)
            w->bad = 1;
        else
            putn(w, rr->rd.raw.b, rr->rd.raw.len);
    }
    if (!w->bad) {
        size_t rdlen = w->len - start;
        w->p[at] = (uint8_t)(rdlen >> 8);
        w->p[at + 1] = (uint8_t)rdlen;
    }
}

size_t dns_encode(const struct dns_msg *m, uint8_t *buf, size_t cap)
{
    struct wbuf w;
    w.p = buf;
    w.cap = cap;
    w.len = 0;
    w.bad = 0;
    w.ncomp = 0;
    if (m->nan < 0 || m->nan > DNS_MAX_RR || m->nns < 0 ||
        m->nns > DNS_MAX_RR || m->nar < 0 || m->nar > DNS_MAX_RR ||
        m->qdcount > 1)
        return 0;
    /* RFC 1035 4.1.1: ID, QR|Opcode|AA|TC|RD, RA|Z|RCODE, four counts */
    put16(&w, m->id);
    put8(&w, (unsigned)((m->qr & 1) << 7 | (m->opcode & 0xF) << 3 |
                        (m->aa & 1) << 2 | (m->tc & 1) << 1 | (m->rd & 1)));
    put8(&w, (unsigned)((m->ra & 1) << 7 | (m->z & 7) << 4 | (m->rcode & 0xF)));
    put16(&w, m->qdcount);
    put16(&w, (unsigned)m->nan);
    put16(&w, (unsigned)m->nns);
    put16(&w, (unsigned)m->nar);
    if (m->qdcount) {                     /* RFC 1035 4.1.2 */
        put_name(&w, m->qname);
        put16(&w, m->qtype);
        put16(&w, m->qclass);
    }
    for (int i = 0; i < m->nan; i++)      /* RFC 1035 4.1.3 */
        put_rr(&w, &m->an[i]);
    for (int i = 0; i < m->nns; i++)
        put_rr(&w, &m->ns[i]);
    for (int i = 0; i < m->nar; i++)
        put_rr(&w, &m->ar[i]);
    return w.bad ? 0 : w.len;
}

/* ---- decoder -------------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

/* Reads a name at *off from b[0..lim).  RFC 1035 4.1.4 pointers are
 * accepted only into the message after the header and only to an offset
 * before every octet of this name read so far: each jump goes strictly
 * backwards, so a loop is impossible and the walk ends. */
static int get_name(const uint8_t *b, size_t lim, size_t *off, char *out,
                    const char **why)
{
    size_t pos = *off, lowest = *off, olen = 0, wire = 0;
    int jumped = 0;
    for (;;) {
        if (pos >= lim) {
            *why = "a name runs past the end of its data";
            return -1;
        }
        uint8_t c = b[pos];
        if ((c & 0xC0) == 0xC0) {
            if (pos + 1 >= lim) {
                *why = "a compression pointer is cut off";
                return -1;
            }
            size_t ptr = ((size_t)(c & 0x3F) << 8) | b[pos + 1];
            if (ptr >= lowest) {
                *why = "a compression pointer does not point backwards (RFC 1035 4.1.4)";
                return -1;
            }
            if (ptr < DNS_HDR_LEN) {
                *why = "a compression pointer points into the header";
                return -1;
            }
            if (!jumped)
                *off = pos + 2;
            jumped = 1;
            lowest = pos = ptr;
            continue;
        }
        if (c & 0xC0) {
            *why = "a label length above 63 (label types 01 and 10 are reserved, RFC 1035 4.1.4)";
            return -1;
        }
        if (c == 0) {
            if (!jumped)
                *off = pos + 1;
            break;
        }
        if (pos + 1 + c > lim) {
            *why = "a label runs past the end of its data";
            return -1;
        }
        wire += 1 + (size_t)c;
        if (wire + 1 > DNS_NAME_MAX) {
            *why = "a name is longer than 255 octets (RFC 1035 2.3.4)";
            return -1;
        }
        for (size_t i = 0; i < c; i++)
            if (!label_octet_ok(b[pos + 1 + i])) {
                *why = "a label holds an octet other than printable ASCII (not supported)";
                return -1;
            }
        if (olen)
            out[olen++] = '.';
        memcpy(out + olen, b + pos + 1, c);      /* olen + c <= 253 */
        olen += c;
        pos += 1 + (size_t)c;
    }
    if (olen == 0)
        out[olen++] = '.';
    out[olen] = '\0';
    return 0;
}

static int get_rr(const uint8_t *b, size_t len, size_t *off,
                  struct dns_rr *rr, const char **why)
{
    if (get_name(b, len, off, rr->name, why) < 0)
        return -1;
    if (*off + 10 > len) {
        *why = "a record's TYPE/CLASS/TTL/RDLENGTH run past the end";
        return -1;
    }
    const uint8_t *p = b + *off;
    rr->type = get16(p);
    rr->cls = get16(p + 2);
    rr->ttl = get32(p + 4);
    /* RFC 2181 8: a TTL with the most significant bit set is treated as 0 */
    if (rr->ttl & 0x80000000u)
        rr->ttl = 0;
    size_t rdlen = get16(p + 8);
    size_t start = *off + 10, end = start + rdlen;
    if (end > len) {
        *why = "RDATA runs past the end (RDLENGTH too large)";
        return -1;
    }
    size_t q = start;
    if (rr->type == DNS_TYPE_A) {
        if (rdlen != 4) {
            *why = "an A record's RDLENGTH is not 4 (RFC 1035 3.4.1)";
            return -1;
        }
        rr->rd.a = get32(b + start);
        q = end;
    } else if (type_has_name(rr->type)) {
        if (get_name(b, end, &q, rr->rd.target, why) < 0)
            return -1;
    } else if (rr->type == DNS_TYPE_SOA) {
        if (get_name(b, end, &q, rr->rd.soa.mname, why) < 0 ||
            get_name(b, end, &q, rr->rd.soa.rname, why) < 0)
            return -1;
        if (q + 20 > end) {
            *why = "SOA RDATA is too short for its five numbers (RFC 1035 3.3.13)";
            return -1;
        }
        rr->rd.soa.serial = get32(b + q);
        rr->rd.soa.refresh = get32(b + q + 4);
        rr->rd.soa.retry = get32(b + q + 8);
        rr->rd.soa.expire = get32(b + q + 12);
        rr->rd.soa.minimum = get32(b + q + 16);
        q += 20;
    } else {
        if (rdlen > DNS_RAW_MAX) {
            *why = "RDATA of an unknown type is longer than 256 octets (not supported)";
            return -1;
        }
        rr->rd.raw.len = (uint16_t)rdlen;
        memcpy(rr->rd.raw.b, b + start, rdlen);
        q = end;
    }
    if (q != end) {
        *why = "RDATA is longer than its contents (RDLENGTH does not match)";
        return -1;
    }
    *off = end;
    return 0;
}

int dns_decode(const uint8_t *buf, size_t len, struct dns_msg *m,
               char *err, size_t errlen)
{
    const char *why = NULL;
    char tmp[96];
    size_t off = DNS_HDR_LEN;
    memset(m, 0, sizeof *m);
    if (len < DNS_HDR_LEN) {
        why = "shorter than the 12-octet header (RFC 1035 4.1.1)";
        goto bad;
    }
    m->id = get16(buf);
    m->qr = buf[2] >> 7;
    m->opcode = (buf[2] >> 3) & 0xF;
    m->aa = (buf[2] >> 2) & 1;
    m->tc = (buf[2] >> 1) & 1;
    m->rd = buf[2] & 1;
    m->ra = buf[3] >> 7;
    m->z = (buf[3] >> 4) & 7;
    m->rcode = buf[3] & 0xF;
    unsigned qd = get16(buf + 4), an = get16(buf + 6), ns = get16(buf + 8),
             ar = get16(buf + 10);
    if (qd > 1) {
        why = "more than one question (not supported)";
        goto bad;
    }
    if (an > DNS_MAX_RR || ns > DNS_MAX_RR || ar > DNS_MAX_RR) {
        snprintf(tmp, sizeof tmp,
                 "more than %d records in a section (not supported)",
                 DNS_MAX_RR);
        why = tmp;
        goto bad;
    }
    m->qdcount = (uint8_t)qd;
    if (qd) {
        if (get_name(buf, len, &off, m->qname, &why) < 0)
            goto bad;
        if (off + 4 > len) {
            why = "the question's QTYPE/QCLASS run past the end";
            goto bad;
        }
        m->qtype = get16(buf + off);
        m->qclass = get16(buf + off + 2);
        off += 4;
    }
    for (unsigned i = 0; i < an; i++, m->nan++)
        if (get_rr(buf, len, &off, &m->an[i], &why) < 0)
            goto bad;
    for (unsigned i = 0; i < ns; i++, m->nns++)
        if (get_rr(buf, len, &off, &m->ns[i], &why) < 0)
            goto bad;
    for (unsigned i = 0; i < ar; i++, m->nar++)
        if (get_rr(buf, len, &off, &m->ar[i], &why) < 0)
            goto bad;
    if (off != len) {
        snprintf(tmp, sizeof tmp, "%zu octets after the last record",
                 len - off);
        why = tmp;
        goto bad;
    }
    return 0;
bad:
    if (err && errlen)
        snprintf(err, errlen, "%s", why);
    return -1;
}

/* ---- text forms ----------------------------------------------------- */

/* Appends printf-style text at *pos, always NUL-terminated within n. */
static void app(char *buf, size_t n, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void app(char *buf, size_t n, size_t *pos, const char *fmt, ...)
{
    if (*pos + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *pos, n - *pos, fmt, ap);
    va_end(ap);
    if (k > 0)
        *pos += (size_t)k < n - *pos ? (size_t)k : n - *pos - 1;
}

static void rdata_str(const struct dns_rr *rr, char *buf, size_t n,
                      size_t *pos)
{
    char a[DNS_NAME_BUF + 1], b[DNS_NAME_BUF + 1];
    if (rr->type == DNS_TYPE_A) {
        app(buf, n, pos, "%s", ip4_str(rr->rd.a, a, sizeof a));
    } else if (type_has_name(rr->type)) {
        app(buf, n, pos, "%s", fqdn(rr->rd.target, a, sizeof a));
    } else if (rr->type == DNS_TYPE_SOA) {
        const struct dns_soa *s = &rr->rd.soa;
        app(buf, n, pos, "%s %s %" PRIu32 " %" PRIu32 " %" PRIu32 " %"
            PRIu32 " %" PRIu32, fqdn(s->mname, a, sizeof a),
            fqdn(s->rname, b, sizeof b), s->serial, s->refresh, s->retry,
            s->expire, s->minimum);
    } else {
        /* RFC 3597 5: the generic form for a type we do not know */
        app(buf, n, pos, "\\# %u", rr->rd.raw.len);
        if (rr->rd.raw.len)
            app(buf, n, pos, " ");
        for (unsigned i = 0; i < rr->rd.raw.len && i < DNS_RAW_MAX; i++)
            app(buf, n, pos, "%02x", rr->rd.raw.b[i]);
    }
}

char *dns_rr_str(const struct dns_rr *rr, char *buf, size_t n)
{
    char name[DNS_NAME_BUF + 1], t[16], c[16];
    size_t pos = 0;
    if (n == 0)
        return buf;
    buf[0] = '\0';
    app(buf, n, &pos, "%s %" PRIu32 " %s %s ", fqdn(rr->name, name, sizeof name),
        rr->ttl, dns_class_name(rr->cls, c, sizeof c),
        dns_type_name(rr->type, t, sizeof t));
    rdata_str(rr, buf, n, &pos);
    return buf;
}

static int parse_u32(const char *s, uint32_t *v)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || x > 0xffffffffull)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

int dns_rr_parse(const char *text, struct dns_rr *rr, char *err, size_t n)
{
    char copy[1024], *tok[12], *save = NULL;
    int k = 0, ti;
    const char *why = NULL;
    if (strlen(text) >= sizeof copy) {
        why = "record text too long";
        goto bad;
    }
    strcpy(copy, text);
    for (char *t = strtok_r(copy, " \t", &save); t && k < 12;
         t = strtok_r(NULL, " \t", &save))
        tok[k++] = t;
    memset(rr, 0, sizeof *rr);
    if (k < 4) {
        why = "expected NAME TTL [IN] TYPE DATA";
        goto bad;
    }
    char nerr[96];
    if (dns_name_check(tok[0], nerr, sizeof nerr) < 0) {
        why = nerr;
        goto bad;
    }
    name_copy(rr->name, tok[0]);
    if (parse_u32(tok[1], &rr->ttl) < 0) {
        why = "expected a TTL in seconds after the name";
        goto bad;
    }
    ti = 2;
    rr->cls = DNS_CLASS_IN;
    if (!strcasecmp(tok[2], "IN"))
        ti = 3;
    int type = dns_type_parse(tok[ti]);
    if (type != DNS_TYPE_A && type != DNS_TYPE_NS && type != DNS_TYPE_CNAME &&
        type != DNS_TYPE_SOA) {
        why = "expected a record type: A, NS, CNAME or SOA";
        goto bad;
    }
    rr->type = (uint16_t)type;
    int nd = k - ti - 1;
    char **d = tok + ti + 1;
    if (type == DNS_TYPE_A) {
        if (nd != 1 || ip4_parse(d[0], &rr->rd.a) < 0) {
            why = "an A record needs one IPv4 address";
            goto bad;
        }
    } else if (type == DNS_TYPE_SOA) {
        if (nd != 7) {
            why = "SOA needs MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM";
            goto bad;
        }
        uint32_t v[5];
        for (int i = 0; i < 5; i++)
            if (parse_u32(d[2 + i], &v[i]) < 0) {
                why = "SOA numbers must be unsigned 32-bit integers";
                goto bad;
            }
        if (dns_name_check(d[0], nerr, sizeof nerr) < 0 ||
            dns_name_check(d[1], nerr, sizeof nerr) < 0) {
            why = nerr;
            goto bad;
        }
        char owner[DNS_NAME_BUF];
        uint32_t ttl = rr->ttl;
        memcpy(owner, rr->name, sizeof owner);   /* dns_rr_soa clears rr */
        dns_rr_soa(rr, owner, ttl, d[0], d[1], v[0], v[1], v[2], v[3], v[4]);
    } else {
        if (nd != 1) {
            why = "NS and CNAME need one domain name";
            goto bad;
        }
        if (dns_name_check(d[0], nerr, sizeof nerr) < 0) {
            why = nerr;
            goto bad;
        }
        name_copy(rr->rd.target, d[0]);
    }
    return 0;
bad:
    if (err && n)
        snprintf(err, n, "%s", why);
    return -1;
}

static int is_referral(const struct dns_msg *m)
{
    if (!m->qr || m->rcode != DNS_RCODE_NOERROR || m->nan || m->aa)
        return 0;
    for (int i = 0; i < m->nns; i++)
        if (m->ns[i].type == DNS_TYPE_NS)
            return 1;
    return 0;
}

char *dns_summary(const struct dns_msg *m, char *buf, size_t n)
{
    char t[16], r[16], a[DNS_NAME_BUF];
    size_t pos = 0;
    const char *qn = m->qdcount ? m->qname : "(no question)";
    const char *tn = dns_type_name(m->qtype, t, sizeof t);
    if (n == 0)
        return buf;
    buf[0] = '\0';
    if (!m->qr) {
        app(buf, n, &pos, "%s? %s", tn, qn);
    } else if (m->rcode == DNS_RCODE_NXDOMAIN) {
        app(buf, n, &pos, "NXDOMAIN %s", qn);
    } else if (m->rcode != DNS_RCODE_NOERROR) {
        app(buf, n, &pos, "%s %s", dns_rcode_name(m->rcode, r, sizeof r), qn);
    } else if (m->nan) {
        app(buf, n, &pos, "%s %s =", tn, qn);
        for (int i = 0; i < m->nan; i++) {
            const struct dns_rr *rr = &m->an[i];
            app(buf, n, &pos, i ? ", " : " ");
            if (rr->type != m->qtype)        /* "CNAME web.example.com" */
                app(buf, n, &pos, "%s ", dns_type_name(rr->type, t, sizeof t));
            if (rr->type == DNS_TYPE_A)
                app(buf, n, &pos, "%s", ip4_str(rr->rd.a, a, sizeof a));
            else if (type_has_name(rr->type))
                app(buf, n, &pos, "%s", rr->rd.target);
            else if (rr->type == DNS_TYPE_SOA)
                app(buf, n, &pos, "%s", rr->rd.soa.mname);
            else
                rdata_str(rr, buf, n, &pos);
        }
    } else if (is_referral(m)) {
        int first = 1, glue = 0;
        for (int i = 0; i < m->nns; i++) {
            if (m->ns[i].type != DNS_TYPE_NS)
                continue;
            if (first)
                app(buf, n, &pos, "referral %s NS %s", m->ns[i].name,
                    m->ns[i].rd.target);
            else
                app(buf, n, &pos, ", %s", m->ns[i].rd.target);
            first = 0;
        }
        for (int i = 0; i < m->nar; i++) {
            if (m->ar[i].type != DNS_TYPE_A)
                continue;
            app(buf, n, &pos, glue ? ", %s" : " + glue %s",
                ip4_str(m->ar[i].rd.a, a, sizeof a));
            glue = 1;
        }
    } else {
        app(buf, n, &pos, "NODATA %s %s", tn, qn);
    }
    if (m->tc)
        app(buf, n, &pos, " (truncated)");
    return buf;
}

/* ---- authoritative server (RFC 1034 4.3.2) -------------------------- */

void dns_zone_init(struct dns_zone *z)
{
    memset(z, 0, sizeof *z);
}

void dns_zone_free(struct dns_zone *z)
{
    free(z->apex);
    free(z->rr);
    memset(z, 0, sizeof *z);
}

int dns_zone_add_apex(struct dns_zone *z, const char *apex)
{
    if (dns_name_check(apex, NULL, 0) < 0)
        return -1;
    for (int i = 0; i < z->napex; i++)
        if (dns_name_eq(z->apex[i], apex))
            return 0;
    if (z->napex == z->capapex) {
        z->capapex = z->capapex ? 2 * z->capapex : 4;
        z->apex = xrealloc(z->apex, (size_t)z->capapex * sizeof *z->apex);
    }
    name_copy(z->apex[z->napex++], apex);
    return 0;
}

int dns_zone_add(struct dns_zone *z, const struct dns_rr *rr)
{
    if (dns_name_check(rr->name, NULL, 0) < 0)
        return -1;
    if (z->nrr == z->caprr) {
        z->caprr = z->caprr ? 2 * z->caprr : 16;
        z->rr = xrealloc(z->rr, (size_t)z->caprr * sizeof *z->rr);
    }
    z->rr[z->nrr] = *rr;
    name_copy(z->rr[z->nrr].name, rr->name);
    z->nrr++;
    return 0;
}

/* The apex of the zone this server holds that is closest to name, or NULL. */
static const char *best_apex(const struct dns_zone *z, const char *name)
{
    const char *best = NULL;
    for (int i = 0; i < z->napex; i++)
        if (dns_name_in(name, z->apex[i]) &&
            (!best || dns_name_labels(z->apex[i]) > dns_name_labels(best)))
            best = z->apex[i];
    return best;
}

static int zone_has(const struct dns_zone *z, const char *name, uint16_t type)
{
    for (int i = 0; i < z->nrr; i++)
        if (z->rr[i].type == type && dns_name_eq(z->rr[i].name, name))
            return 1;
    return 0;
}

/* The suffix of `name` with `labels` labels. */
static const char *name_suffix(const char *name, int labels)
{
    int skip = dns_name_labels(name) - labels;
    const char *p = name;
    while (skip-- > 0)
        p = name_parent(p);
    return p;
}

/* RFC 1034 4.3.2 step 3b: walking down from the apex towards name, the
 * first node below the apex that owns NS records is a zone cut. */
static const char *find_cut(const struct dns_zone *z, const char *apex,
                            const char *name)
{
    int la = dns_name_labels(apex), ln = dns_name_labels(name);
    for (int k = la + 1; k <= ln; k++) {
        const char *s = name_suffix(name, k);
        if (zone_has(z, s, DNS_TYPE_NS))
            return s;
    }
    return NULL;
}

static void add_rr(struct dns_rr *sec, int *n, const struct dns_rr *rr)
{
    if (*n < DNS_MAX_RR)
        sec[(*n)++] = *rr;
}

/* RFC 2308 3: the SOA in a negative answer carries a TTL of the minimum of
 * the SOA's own TTL and its MINIMUM field. */
static void add_soa(const struct dns_zone *z, const char *apex,
                    struct dns_msg *r)
{
    for (int i = 0; i < z->nrr; i++)
        if (z->rr[i].type == DNS_TYPE_SOA && dns_name_eq(z->rr[i].name, apex)) {
            struct dns_rr soa = z->rr[i];
            if (soa.rd.soa.minimum < soa.ttl)
                soa.ttl = soa.rd.soa.minimum;
            add_rr(r->ns, &r->nns, &soa);
            return;
        }
}

int dns_server_answer(const struct dns_zone *z, const struct dns_msg *q,
                      struct dns_msg *r)
{
    memset(r, 0, sizeof *r);
    /* RFC 1035 4.1.1: the ID and RD are copied into the response */
    r->id = q->id;
    r->qr = 1;
    r->opcode = q->opcode;
    r->rd = q->rd;
    r->qdcount = q->qdcount;
    memcpy(r->qname, q->qname, sizeof r->qname);
    r->qtype = q->qtype;
    r->qclass = q->qclass;
    if (q->opcode != DNS_OPCODE_QUERY) {
        r->rcode = DNS_RCODE_NOTIMP;
        return DNS_SRV_NOTIMP;
    }
    if (q->qr || q->qdcount != 1) {
        r->rcode = DNS_RCODE_FORMERR;
        return DNS_SRV_FORMERR;
    }
    const char *apex = best_apex(z, q->qname);
    if (!apex || (q->qclass != DNS_CLASS_IN && q->qclass != 255)) {
        /* RFC 1035 4.1.1 rcode 5: refused, "for policy reasons" — here,
         * because the name is in no zone this server serves */
        r->rcode = DNS_RCODE_REFUSED;
        return DNS_SRV_REFUSED;
    }
    const char *sname = q->qname;
    for (int chain = 0; chain < 8; chain++) {
        const char *cut = find_cut(z, apex, sname);
        if (cut) {
            /* RFC 1034 4.3.2 step 3b: "copy the NS RRs for the subzone
             * into the authority section ... put whatever addresses are
             * available into the additional section, using glue RRs" */
            for (int i = 0; i < z->nrr; i++)
                if (z->rr[i].type == DNS_TYPE_NS && dns_name_eq(z->rr[i].name, cut))
                    add_rr(r->ns, &r->nns, &z->rr[i]);
            for (int k = 0; k < r->nns; k++)
                for (int i = 0; i < z->nrr; i++)
                    if (z->rr[i].type == DNS_TYPE_A &&
                        dns_name_eq(z->rr[i].name, r->ns[k].rd.target))
                        add_rr(r->ar, &r->nar, &z->rr[i]);
            return chain ? DNS_SRV_ANSWER : DNS_SRV_REFERRAL;
        }
        int exists = 0, found = 0;
        const struct dns_rr *cname = NULL;
        for (int i = 0; i < z->nrr; i++) {
            const struct dns_rr *rr = &z->rr[i];
            if (!dns_name_in(rr->name, sname))
                continue;
            exists = 1;                  /* the node, or an empty non-terminal */
            if (!dns_name_eq(rr->name, sname))
                continue;
            if (rr->type == q->qtype || q->qtype == DNS_TYPE_ANY) {
                add_rr(r->an, &r->nan, rr);
                found = 1;
            } else if (rr->type == DNS_TYPE_CNAME) {
                cname = rr;
            }
        }
        /* RFC 1034 4.3.2 step 3a: the whole of QNAME is matched */
        r->aa = 1;
        if (found)
            return DNS_SRV_ANSWER;
        if (cname) {
            /* "If the data at the node is a CNAME, and QTYPE doesn't match
             * CNAME, copy the CNAME RR into the answer section of the
             * response, change QNAME to the canonical name in the CNAME RR,
             * and go back to step 1." */
            add_rr(r->an, &r->nan, cname);
            sname = cname->rd.target;
            apex = best_apex(z, sname);
            if (!apex)
                return DNS_SRV_ANSWER;    /* the resolver follows it */
            continue;
        }
        if (exists) {
            /* RFC 2308 2.2: NODATA — NOERROR, no answer, the SOA */
            add_soa(z, apex, r);
            return chain ? DNS_SRV_ANSWER : DNS_SRV_NODATA;
        }
        /* RFC 1034 4.3.2 step 3c ("If at some label, a match is
         * impossible ... a name error"), RFC 2308 2.1: NXDOMAIN with the
         * SOA in the authority section */
        r->rcode = DNS_RCODE_NXDOMAIN;
        add_soa(z, apex, r);
        return DNS_SRV_NXDOMAIN;
    }
    return DNS_SRV_ANSWER;
}

static uint32_t intern(struct trace *tr, const char *s)
{
    return tr ? trace_intern(tr, s) : 0;
}

static uint32_t intern_type(struct trace *tr, uint16_t type)
{
    char t[16];
    return intern(tr, dns_type_name(type, t, sizeof t));
}

struct why dns_server_why(struct trace *tr, const struct dns_msg *q,
                          const struct dns_msg *r, int outcome)
{
    uint32_t qn = intern(tr, q->qname), qt = intern_type(tr, q->qtype);
    /* The sentence says what the reply holds: a CNAME answer is not the
     * data asked for, a referral without glue names no addresses, and a
     * negative answer carries the SOA only when the zone has one. */
    int cname = r->nan > 0 && r->an[0].type == DNS_TYPE_CNAME &&
                q->qtype != DNS_TYPE_CNAME && q->qtype != DNS_TYPE_ANY;
    int soa = r->nns > 0 && r->ns[0].type == DNS_TYPE_SOA;
    switch (outcome) {
    case DNS_SRV_ANSWER:
        /* RFC 1034 4.3.2 step 3a: the CNAME, then the canonical name's data */
        if (cname)
            return WHY(N_DNS_SRV_CNAME, qn, intern(tr, r->an[0].rd.target));
        return WHY(N_DNS_SRV_ANSWER, qn, qt);
    case DNS_SRV_REFERRAL:
        return WHY(r->nar ? N_DNS_SRV_REFERRAL : N_DNS_SRV_REFERRAL_NOGLUE, qn,
                   intern(tr, r->nns ? r->ns[0].name : "?"));
    case DNS_SRV_NXDOMAIN:
        /* RFC 2308 2.1: after a CNAME the name error is the target's */
        if (cname)
            return WHY(N_DNS_SRV_NXDOMAIN_CNAME, qn,
                       intern(tr, r->an[r->nan - 1].rd.target));
        if (!soa)
            return WHY(N_DNS_SRV_NXDOMAIN_NOSOA, qn);
        return WHY(N_DNS_SRV_NXDOMAIN, qn, intern(tr, r->ns[0].name));
    case DNS_SRV_NODATA:
        return WHY(soa ? N_DNS_SRV_NODATA : N_DNS_SRV_NODATA_NOSOA, qn, qt);
    case DNS_SRV_REFUSED:
        if (q->qclass != DNS_CLASS_IN && q->qclass != 255)
            return WHY(N_DNS_REFUSED_CLASS, q->qclass);
        return WHY(N_DNS_SRV_REFUSED, qn);
    case DNS_SRV_NOTIMP:
        return WHY0(N_DNS_SRV_NOTIMP);
    default:
        return WHY0(N_DNS_SRV_FORMERR);
    }
}

/* ---- resolver: the cache -------------------------------------------- */

#define NEG_NONE   0
#define NEG_NX     1     /* RFC 2308 5: the name does not exist (any type) */
#define NEG_NODATA 2     /* RFC 2308 5: the name has no record of this type */
#define MAX_SLIST  16
#define MAX_CNAMES 8
#define MAX_DEPTH  3     /* glueless look-ups inside glueless look-ups */

/* One cached RRset, or one negative answer (then rr[0] is the SOA). */
struct dns_cache_entry {
    char     name[DNS_NAME_BUF];
    uint16_t type;           /* 0 for a NEG_NX entry: it covers every type */
    uint8_t  state;          /* DNS_CACHED or DNS_EXPIRED */
    uint8_t  neg;
    uint32_t conn;           /* "dns-cache:www.example.com/A" */
    uint32_t ttl;            /* seconds, as stored */
    int64_t  stored, expires;
    int      nrr;
    struct dns_rr *rr;
};

/* One server in a question's SLIST (RFC 1034 5.3.2). */
struct dns_server_ref {
    char     name[DNS_NAME_BUF];     /* "" for a root hint */
    ip4_addr addr;                   /* 0: not known yet (glueless) */
    uint8_t  dead;                   /* timed out or replied uselessly */
    uint8_t  asked;                  /* a query went to it */
    uint8_t  resolving;              /* a nested walk looks up its address */
};

/* A question in progress: the stub's, or a nested look-up of a name
 * server's address (internal, with parent >= 0). */
struct dns_pending {
    int      internal, parent, depth;
    ip4_addr client;
    uint16_t cport, cid;
    uint8_t  crd;
    char     qname[DNS_NAME_BUF];    /* as the stub asked */
    uint16_t qtype, qclass;
    char     sname[DNS_NAME_BUF];    /* SNAME: qname after CNAMEs so far */
    uint32_t conn;                   /* "dns:www.example.com/A" */
    char     zone[DNS_NAME_BUF];     /* whose servers the SLIST holds */
    struct dns_server_ref serv[MAX_SLIST];
    int      nserv, cur, tries;
    uint16_t id;
    int64_t  due;                    /* timer of the query in flight, 0: none */
    int      queries, cnames;
    int      from_cache;             /* the answer came wholly from the cache */
    int      nan;
    struct dns_rr an[DNS_MAX_RR];    /* CNAMEs and data gathered for the reply */
};

void dns_resolver_config_default(struct dns_resolver_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout_us = 2 * US_PER_S;
    c->retries = 2;
    c->max_pending = 64;
    c->max_cache = 512;
    c->max_queries = 32;
}

void dns_resolver_init(struct dns_resolver *r,
                       const struct dns_resolver_config *cfg,
                       const struct dns_env *env)
{
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    if (r->cfg.max_pending < 1)
        r->cfg.max_pending = 1;
    if (r->cfg.max_cache < 1)
        r->cfg.max_cache = 1;
    if (r->cfg.nroots > DNS_MAX_HINTS)
        r->cfg.nroots = DNS_MAX_HINTS;
    r->env = *env;
    r->cache = xrealloc(NULL, (size_t)r->cfg.max_cache * sizeof *r->cache);
    r->pend = xrealloc(NULL, (size_t)r->cfg.max_pending * sizeof *r->pend);
    memset(r->pend, 0, (size_t)r->cfg.max_pending * sizeof *r->pend);
}

void dns_resolver_free(struct dns_resolver *r)
{
    for (int i = 0; i < r->ncache; i++)
        free(r->cache[i].rr);
    for (int i = 0; i < r->cfg.max_pending; i++)
        free(r->pend[i]);
    free(r->cache);
    free(r->pend);
    memset(r, 0, sizeof *r);
}

/* "prefix:name/TYPE", the name lower-cased so the id is stable. */
static uint32_t make_id(struct trace *tr, const char *prefix, const char *name,
                        const char *suffix)
{
    char buf[DNS_NAME_BUF + 64];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s:", prefix);
    for (const char *p = name; *p && n < sizeof buf - 1; p++)
        buf[n++] = (char)lc((unsigned char)*p);
    buf[n] = '\0';
    snprintf(buf + n, sizeof buf - n, "/%s", suffix);
    return intern(tr, buf);
}

static uint32_t make_id_type(struct trace *tr, const char *prefix,
                             const char *name, uint16_t type)
{
    char t[16];
    return make_id(tr, prefix, name, dns_type_name(type, t, sizeof t));
}

/* The one place a cache entry changes state. */
static void cache_set_state(struct dns_resolver *r, int64_t now,
                            struct dns_cache_entry *e, int from, int to,
                            struct why why)
{
    if (from == to)
        return;
    if (r->env.tr)
        trace_state(r->env.tr, now, r->env.host, TL_DNS, e->conn, from, to,
                    why);
    e->state = (uint8_t)to;
}

static int cache_find(const struct dns_resolver *r, const char *name,
                      uint16_t type)
{
    for (int i = 0; i < r->ncache; i++)
        if (r->cache[i].type == type && dns_name_eq(r->cache[i].name, name))
            return i;
    return -1;
}

static uint32_t intern_entry_type(struct dns_resolver *r,
                                  const struct dns_cache_entry *e)
{
    return e->neg == NEG_NX ? intern(r->env.tr, "(any type)")
                            : intern_type(r->env.tr, e->type);
}

/* RFC 1035 3.2.1: TTL is "the time interval that the resource record may
 * be cached before the source of the information should again be
 * consulted".  An entry past its expiry is marked EXPIRED and not used. */
static struct dns_cache_entry *cache_get(struct dns_resolver *r, int64_t now,
                                         const char *name, uint16_t type)
{
    int i = cache_find(r, name, type);
    if (i < 0)
        return NULL;
    struct dns_cache_entry *e = &r->cache[i];
    if (e->state == DNS_CACHED && now >= e->expires)
        cache_set_state(r, now, e, DNS_CACHED, DNS_EXPIRED,
                        WHY(N_DNS_CACHE_EXPIRED, intern(r->env.tr, e->name),
                            intern_entry_type(r, e), now - e->expires));
    return e->state == DNS_CACHED ? e : NULL;
}

/* Seconds of TTL left now, as served to a stub (RFC 1035 3.2.1: the TTL
 * counts down while a record sits in a cache). */
static uint32_t ttl_left(const struct dns_cache_entry *e, int64_t now)
{
    int64_t left = e->expires - now;
    return left > 0 ? (uint32_t)(left / US_PER_S) : 0;
}

static void cache_remove(struct dns_resolver *r, int64_t now, int i,
                         struct why why)
{
    struct dns_cache_entry *e = &r->cache[i];
    cache_set_state(r, now, e, e->state, DNS_ABSENT, why);
    free(e->rr);
    r->cache[i] = r->cache[--r->ncache];
}

/* Room for one more entry: an expired entry goes first, else the one
 * closest to expiry. */
static void cache_make_room(struct dns_resolver *r, int64_t now)
{
    if (r->ncache < r->cfg.max_cache)
        return;
    int victim = 0;
    for (int i = 0; i < r->ncache; i++) {
        const struct dns_cache_entry *e = &r->cache[i];
        if (e->state == DNS_EXPIRED || now >= e->expires) {
            victim = i;
            break;
        }
        if (e->expires < r->cache[victim].expires)
            victim = i;
    }
    struct dns_cache_entry *v = &r->cache[victim];
    cache_remove(r, now, victim,
                 WHY(N_DNS_CACHE_EVICT, intern(r->env.tr, v->name),
                     intern_entry_type(r, v)));
}

/* Stores an RRset (or a negative answer) for ttl seconds.  A valid entry
 * already there is kept as it is (see the notes at the top). */
static void cache_put(struct dns_resolver *r, int64_t now, const char *name,
                      uint16_t type, int neg, const struct dns_rr *rrs, int n,
                      uint32_t ttl, struct why why)
{
    /* RFC 1035 3.2.1: "Zero values are interpreted to mean that the RR can
     * only be used for the transaction in progress, and should not be
     * cached." */
    if (ttl == 0 || n <= 0)
        return;
    if (cache_get(r, now, name, type))
        return;
    int i = cache_find(r, name, type);
    struct dns_cache_entry *e;
    int from = DNS_ABSENT;
    if (i >= 0) {
        e = &r->cache[i];
        from = e->state;
        free(e->rr);
    } else {
        cache_make_room(r, now);
        e = &r->cache[r->ncache++];
        memset(e, 0, sizeof *e);
        e->state = DNS_ABSENT;
        name_copy(e->name, name);
        e->type = type;
        e->conn = neg == NEG_NX ? make_id(r->env.tr, "dns-cache", name, "NXDOMAIN")
                                : make_id_type(r->env.tr, "dns-cache", name, type);
    }
    e->neg = (uint8_t)neg;
    e->ttl = ttl;
    e->stored = now;
    e->expires = now + (int64_t)ttl * US_PER_S;
    e->nrr = n;
    e->rr = xrealloc(NULL, (size_t)n * sizeof *e->rr);
    memcpy(e->rr, rrs, (size_t)n * sizeof *e->rr);
    cache_set_state(r, now, e, from, DNS_CACHED, why);
}

/* Caches the records of one section that have this owner and type, as one
 * RRset.  RFC 2181 5.2: TTLs in an RRset should agree; use the smallest. */
static void cache_rrset(struct dns_resolver *r, int64_t now,
                        const struct dns_rr *sec, int nsec, const char *name,
                        uint16_t type, int glue)
{
    struct dns_rr set[DNS_MAX_RR];
    int n = 0;
    uint32_t ttl = 0;
    for (int i = 0; i < nsec; i++)
        if (sec[i].type == type && dns_name_eq(sec[i].name, name)) {
            set[n] = sec[i];
            if (n == 0 || sec[i].ttl < ttl)
                ttl = sec[i].ttl;
            n++;
        }
    for (int i = 0; i < n; i++)
        set[i].ttl = ttl;
    struct why why = glue
        ? WHY(N_DNS_CACHE_GLUE, intern(r->env.tr, name), (int64_t)ttl * US_PER_S)
        : WHY(N_DNS_CACHE_ADD, intern(r->env.tr, name),
              intern_type(r->env.tr, type), (int64_t)ttl * US_PER_S);
    cache_put(r, now, name, type, NEG_NONE, set, n, ttl, why);
}

void dns_resolver_expire(struct dns_resolver *r, int64_t now)
{
    for (int i = 0; i < r->ncache; i++)
        cache_get(r, now, r->cache[i].name, r->cache[i].type);
}

int dns_resolver_cached(const struct dns_resolver *r, int64_t now,
                        const char *name, uint16_t type, struct dns_rr *out,
                        int max, int *rcode)
{
    int i = cache_find(r, name, 0);
    if (i < 0 || r->cache[i].neg != NEG_NX || now >= r->cache[i].expires)
        i = cache_find(r, name, type);
    if (i < 0 || r->cache[i].state != DNS_CACHED || now >= r->cache[i].expires)
        return 0;
    const struct dns_cache_entry *e = &r->cache[i];
    if (e->neg) {
        if (rcode)
            *rcode = e->neg == NEG_NX ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
        return -1;
    }
    int n = 0;
    for (; n < e->nrr && n < max; n++) {
        out[n] = e->rr[n];
        out[n].ttl = ttl_left(e, now);
    }
    return n;
}

/* ---- resolver: walks ------------------------------------------------ */

static int walk_get(const struct dns_walkstate *w, int n, uint32_t conn)
{
    for (int i = 0; i < n; i++)
        if (w[i].conn == conn)
            return w[i].state;
    return DNS_IDLE;
}

/* Remembers the last state of each recent walk id (a small ring), so a
 * second look-up of a name continues that id's story in the trace. */
static void walk_put(struct dns_walkstate *w, int *n, int *next, int cap,
                     uint32_t conn, int state)
{
    for (int i = 0; i < *n; i++)
        if (w[i].conn == conn) {
            w[i].state = (uint8_t)state;
            return;
        }
    int i = *n < cap ? (*n)++ : *next;
    *next = (i + 1) % cap;
    w[i].conn = conn;
    w[i].state = (uint8_t)state;
}

#define NWALKS(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* The one place a resolver walk changes state. */
static void walk_set(struct dns_resolver *r, int64_t now, uint32_t conn,
                     int to, struct why why)
{
    int from = walk_get(r->walks, r->nwalks, conn);
    if (from == to)
        return;
    if (r->env.tr)
        trace_state(r->env.tr, now, r->env.host, TL_DNS, conn, from, to, why);
    walk_put(r->walks, &r->nwalks, &r->walknext, NWALKS(r->walks), conn, to);
}

static int level_state(const char *zone)
{
    int k = dns_name_labels(zone);
    return k == 0 ? DNS_ASKING_ROOT : k == 1 ? DNS_ASKING_TLD : DNS_ASKING_AUTH;
}

static void timer_rec(struct dns_resolver *r, int64_t now, uint32_t conn,
                      int action, int64_t due, struct why why)
{
    if (r->env.tr)
        trace_timer(r->env.tr, now, r->env.host, TL_DNS, conn, TM_DNS, action,
                    due, why);
}

static void pend_free(struct dns_resolver *r, int i)
{
    struct dns_pending *p = r->pend[i];
    /* a nested look-up still running for this question is orphaned: it
     * finishes on its own and caches what it learns */
    for (int k = 0; k < r->cfg.max_pending; k++)
        if (r->pend[k] && r->pend[k]->parent == i)
            r->pend[k]->parent = -1;
    free(p);
    r->pend[i] = NULL;
}

static void an_add(struct dns_pending *p, const struct dns_rr *rr, uint32_t ttl)
{
    if (p->nan < DNS_MAX_RR) {
        p->an[p->nan] = *rr;
        p->an[p->nan].ttl = ttl;
        p->nan++;
    }
}

static void finish(struct dns_resolver *r, int i, int64_t now, int rcode,
                   const struct dns_rr *soa);
static void step1(struct dns_resolver *r, int i, int64_t now);

static void fail(struct dns_resolver *r, int i, int64_t now, struct why why)
{
    walk_set(r, now, r->pend[i]->conn, DNS_FAILED, why);
    finish(r, i, now, DNS_RCODE_SERVFAIL, NULL);
}

/* Sends the question to serv[cur] (RFC 1034 5.3.3 step 3). */
static void send_query(struct dns_resolver *r, int i, int64_t now,
                       struct why why)
{
    struct dns_pending *p = r->pend[i];
    if (p->queries >= r->cfg.max_queries) {
        fail(r, i, now, WHY(N_DNS_FAIL_LIMIT, p->queries));
        return;
    }
    if (p->tries == 0)
        p->id = r->env.next_id(r->env.ctx);
    p->tries++;
    p->queries++;
    r->queries_sent++;
    struct dns_msg *q = xrealloc(NULL, sizeof *q);
    /* RFC 1034 5.3.3: an iterative query, RD clear */
    dns_query_init(q, p->id, p->sname, p->qtype, 0);
    ip4_addr to = p->serv[p->cur].addr;
    p->serv[p->cur].asked = 1;
    r->env.emit(r->env.ctx, to, DNS_PORT, q, why);
    free(q);
    p->due = now + r->cfg.timeout_us;
    timer_rec(r, now, p->conn, TA_START, p->due,
              WHY(N_DNS_TMR_START, r->cfg.timeout_us, to));
}

static int start_child(struct dns_resolver *r, int parent, int64_t now,
                       const char *name);

/* Picks the next server to ask: one with an address, else looks up the
 * address of one without (a glueless delegation).  Returns 1 when a server
 * is ready in serv[cur], 0 when a nested look-up is running, -1 when no
 * server is left (and why names the reason). */
static int pick_server(struct dns_resolver *r, int i, int64_t now,
                       struct why *why)
{
    struct dns_pending *p = r->pend[i];
    for (int k = 0; k < p->nserv; k++)
        if (!p->serv[k].dead && p->serv[k].addr) {
            p->cur = k;
            p->tries = 0;
            return 1;
        }
    int noglue = 0, asked = 0;
    for (int k = 0; k < p->nserv; k++)
        asked |= p->serv[k].asked;
    for (int k = 0; k < p->nserv; k++) {
        struct dns_server_ref *s = &p->serv[k];
        if (s->dead || s->addr)
            continue;
        if (s->resolving)
            return 0;
        if (dns_name_in(s->name, p->zone)) {
            /* RFC 1034 4.2.1: a server named inside the zone it serves can
             * only be found through glue in the parent */
            s->dead = 1;
            noglue = 1;
            continue;
        }
        if (p->depth >= MAX_DEPTH)
            continue;
        s->resolving = 1;
        if (start_child(r, i, now, s->name) == 0)
            return 0;
        s->resolving = 0;
        s->dead = 1;
    }
    /* RFC 1034 5.3.3 step 4d: every server is gone; the sentence gives
     * the reason: servers asked in vain, in-zone servers without glue, or
     * servers whose addresses could not be found */
    uint32_t z = intern(r->env.tr, p->zone);
    *why = asked ? WHY(N_DNS_FAIL_SERVERS, z)
         : noglue ? WHY(N_DNS_FAIL_NOGLUE, z)
         : WHY(N_DNS_FAIL_NOADDR, z);
    return -1;
}

/* The walk enters a new SLIST: say so, then send (or look up an address). */
static void enter_slist(struct dns_resolver *r, int i, int64_t now,
                        struct why state_why)
{
    struct dns_pending *p = r->pend[i];
    walk_set(r, now, p->conn, level_state(p->zone), state_why);
    struct why why;
    int k = pick_server(r, i, now, &why);
    if (k < 0) {
        fail(r, i, now, why);
    } else if (k > 0) {
        p = r->pend[i];
        send_query(r, i, now, WHY(N_DNS_Q_ITER, p->serv[p->cur].addr,
                                  intern(r->env.tr, p->sname),
                                  intern_type(r->env.tr, p->qtype)));
    }
}


static void slist_add(struct dns_pending *p, const char *name, ip4_addr addr)
{
    if (p->nserv >= MAX_SLIST)
        return;
    struct dns_server_ref *s = &p->serv[p->nserv++];
    memset(s, 0, sizeof *s);
    if (*name)
        name_copy(s->name, name);
    s->addr = addr;
}

/* Builds the SLIST for `zone` from its NS records (RFC 1034 5.3.2): each
 * server's addresses from the glue in the referral `ref` — accepted only
 * for names inside `bailiwick`, the zone of the server that sent it — or
 * else from the cache; address 0 when none is known. */
static void slist_build(struct dns_resolver *r, int64_t now,
                        struct dns_pending *p, const char *zone,
                        const struct dns_rr *ns, int nns,
                        const struct dns_msg *ref, const char *bailiwick)
{
    name_copy(p->zone, zone);
    p->nserv = p->cur = p->tries = 0;
    for (int k = 0; k < nns; k++) {
        if (ns[k].type != DNS_TYPE_NS || !dns_name_eq(ns[k].name, zone))
            continue;
        const char *t = ns[k].rd.target;
        int got = 0;
        if (ref && dns_name_in(t, bailiwick))
            for (int j = 0; j < ref->nar; j++)
                if (ref->ar[j].type == DNS_TYPE_A &&
                    dns_name_eq(ref->ar[j].name, t)) {
                    slist_add(p, t, ref->ar[j].rd.a);
                    got++;
                }
        if (!got) {
            struct dns_cache_entry *e = cache_get(r, now, t, DNS_TYPE_A);
            for (int j = 0; e && j < e->nrr; j++, got++)
                slist_add(p, t, e->rr[j].rd.a);
        }
        if (!got)
            slist_add(p, t, 0);
    }
}

/* Can any server in the SLIST be reached, now or after a look-up? */
static int slist_usable(const struct dns_pending *p)
{
    for (int k = 0; k < p->nserv; k++)
        if (p->serv[k].addr || !dns_name_in(p->serv[k].name, p->zone))
            return 1;
    return 0;
}

static const struct dns_server_ref *slist_first(const struct dns_pending *p)
{
    for (int k = 0; k < p->nserv; k++)
        if (p->serv[k].addr)
            return &p->serv[k];
    return &p->serv[0];
}

/* RFC 1034 5.3.3 step 2: "Find the best servers to ask." — the closest
 * ancestor of SNAME whose NS records are cached, else the root hints. */
static void step2(struct dns_resolver *r, int i, int64_t now)
{
    struct dns_pending *p = r->pend[i];
    char zone[DNS_NAME_BUF], skipped[DNS_NAME_BUF] = "";
    for (const char *z = p->sname;; z = name_parent(z)) {
        struct dns_cache_entry *e = cache_get(r, now, z, DNS_TYPE_NS);
        if (e) {
            name_copy(zone, e->name);
            if (!*skipped)
                name_copy(skipped, e->name);
            slist_build(r, now, p, zone, e->rr, e->nrr, NULL, NULL);
            if (slist_usable(p)) {
                const struct dns_server_ref *s = slist_first(p);
                enter_slist(r, i, now, s->addr
                            ? WHY(N_DNS_ASK_CACHED, intern(r->env.tr, zone),
                                  intern(r->env.tr, s->name), s->addr)
                            : WHY(N_DNS_ASK_CACHED_NOADDR,
                                  intern(r->env.tr, zone)));
                return;
            }
        }
        if (core_len(z) == 0)
            break;
    }
    strcpy(p->zone, ".");
    p->nserv = p->cur = p->tries = 0;
    for (int k = 0; k < r->cfg.nroots; k++)
        slist_add(p, "", r->cfg.roots[k]);
    if (p->nserv == 0) {
        fail(r, i, now, WHY0(N_DNS_FAIL_NOHINTS));
        return;
    }
    /* "nothing closer is cached" only when it is so: a cached delegation
     * whose servers cannot be reached is another reason to start over */
    enter_slist(r, i, now, *skipped
                ? WHY(N_DNS_ASK_ROOT_UNUSABLE, intern(r->env.tr, skipped),
                      p->serv[0].addr)
                : WHY(N_DNS_ASK_ROOT, p->serv[0].addr));
}

/* RFC 1034 5.3.3 step 1: "See if the answer is in local information, and
 * if so return it to the client." — following cached CNAMEs. */
static void step1(struct dns_resolver *r, int i, int64_t now)
{
    struct dns_pending *p = r->pend[i];
    struct trace *tr = r->env.tr;
    for (;;) {
        struct dns_cache_entry *e = cache_get(r, now, p->sname, 0);
        p->from_cache = p->queries == 0;
        if (e && e->neg == NEG_NX) {
            struct dns_rr soa = e->rr[0];
            soa.ttl = ttl_left(e, now);
            walk_set(r, now, p->conn, DNS_ANSWERED,
                     WHY(N_DNS_CACHE_HIT_NX, intern(tr, p->sname), soa.ttl));
            finish(r, i, now, DNS_RCODE_NXDOMAIN, &soa);
            return;
        }
        e = cache_get(r, now, p->sname, p->qtype);
        if (e && e->neg == NEG_NODATA) {
            struct dns_rr soa = e->rr[0];
            soa.ttl = ttl_left(e, now);
            walk_set(r, now, p->conn, DNS_ANSWERED,
                     WHY(N_DNS_CACHE_HIT_NODATA, intern(tr, p->sname),
                         intern_type(tr, p->qtype), soa.ttl));
            finish(r, i, now, DNS_RCODE_NOERROR, &soa);
            return;
        }
        if (e) {
            for (int k = 0; k < e->nrr; k++)
                an_add(p, &e->rr[k], ttl_left(e, now));
            r->cache_hits++;
            walk_set(r, now, p->conn, DNS_ANSWERED,
                     WHY(N_DNS_CACHE_HIT, intern(tr, p->sname),
                         intern_type(tr, p->qtype), ttl_left(e, now)));
            finish(r, i, now, DNS_RCODE_NOERROR, NULL);
            return;
        }
        if (p->qtype == DNS_TYPE_CNAME ||
            !(e = cache_get(r, now, p->sname, DNS_TYPE_CNAME)))
            break;
        if (++p->cnames > MAX_CNAMES) {
            fail(r, i, now, WHY(N_DNS_FAIL_CNAME, MAX_CNAMES));
            return;
        }
        an_add(p, &e->rr[0], ttl_left(e, now));
        name_copy(p->sname, e->rr[0].rd.target);
    }
    step2(r, i, now);
}

/* The stub's question ends: reply to it (RFC 1035 4.1.1: ID and RD copied,
 * RA set), or hand a nested look-up's addresses to the question that
 * waits for them. */
static void resume_parent(struct dns_resolver *r, int pi, int64_t now,
                          const char *ns, const ip4_addr *addr, int n);

static void finish(struct dns_resolver *r, int i, int64_t now, int rcode,
                   const struct dns_rr *soa)
{
    struct dns_pending *p = r->pend[i];
    if (p->internal) {
        ip4_addr addr[DNS_MAX_RR];
        int n = 0, parent = p->parent;
        char ns[DNS_NAME_BUF];
        for (int k = 0; k < p->nan; k++)
            if (p->an[k].type == DNS_TYPE_A && rcode == DNS_RCODE_NOERROR)
                addr[n++] = p->an[k].rd.a;
        name_copy(ns, p->qname);
        pend_free(r, i);
        if (parent >= 0 && r->pend[parent])
            resume_parent(r, parent, now, ns, addr, n);
        return;
    }
    struct dns_msg *m = xrealloc(NULL, sizeof *m);
    dns_query_init(m, p->cid, p->qname, p->qtype, p->crd);
    m->qclass = p->qclass;
    m->qr = 1;
    m->ra = 1;             /* RFC 1035 4.1.1: recursion available */
    m->rcode = (uint8_t)rcode;
    m->nan = p->nan;
    memcpy(m->an, p->an, (size_t)p->nan * sizeof *p->an);
    if (soa) {
        /* RFC 2308 3: the SOA goes in the authority section of a negative
         * answer, so the stub can cache it too */
        m->ns[0] = *soa;
        m->nns = 1;
    }
    /* a SERVFAIL is no answer from the cache, whatever the walk cost */
    r->env.emit(r->env.ctx, p->client, p->cport, m,
                WHY(rcode == DNS_RCODE_SERVFAIL ? N_DNS_R_STUB_FAIL
                    : p->from_cache ? N_DNS_R_STUB_CACHE : N_DNS_R_STUB,
                    p->client));
    free(m);
    pend_free(r, i);
}

static void resume_parent(struct dns_resolver *r, int pi, int64_t now,
                          const char *ns, const ip4_addr *addr, int n)
{
    struct dns_pending *p = r->pend[pi];
    for (int k = 0; k < p->nserv; k++) {
        struct dns_server_ref *s = &p->serv[k];
        if (!s->resolving || !dns_name_eq(s->name, ns))
            continue;
        s->resolving = 0;
        if (n == 0)
            s->dead = 1;
        else
            s->addr = addr[0];
        for (int j = 1; j < n; j++)
            slist_add(p, ns, addr[j]);
        break;
    }
    if (p->due)
        return;
    struct why why;
    int k = pick_server(r, pi, now, &why);
    if (k < 0) {
        fail(r, pi, now, why);
    } else if (k > 0) {
        p = r->pend[pi];
        const struct dns_server_ref *s = &p->serv[p->cur];
        send_query(r, pi, now,
                   WHY(N_DNS_Q_NSADDR, intern(r->env.tr, s->name), s->addr,
                       intern(r->env.tr, p->sname),
                       intern_type(r->env.tr, p->qtype)));
    }
}

static int free_slot(const struct dns_resolver *r)
{
    for (int i = 0; i < r->cfg.max_pending; i++)
        if (!r->pend[i])
            return i;
    return -1;
}

/* A nested walk for the address of name server `name`. */
static int start_child(struct dns_resolver *r, int parent, int64_t now,
                       const char *name)
{
    int i = free_slot(r);
    if (i < 0)
        return -1;
    struct dns_pending *pp = r->pend[parent];
    struct dns_pending *p = xrealloc(NULL, sizeof *p);
    memset(p, 0, sizeof *p);
    p->internal = 1;
    p->parent = parent;
    p->depth = pp->depth + 1;
    name_copy(p->qname, name);
    name_copy(p->sname, name);
    p->qtype = DNS_TYPE_A;
    p->qclass = DNS_CLASS_IN;
    p->conn = make_id_type(r->env.tr, "dns", name, DNS_TYPE_A);
    r->pend[i] = p;
    walk_set(r, now, p->conn, DNS_CHECK_CACHE,
             WHY(N_DNS_LOOKUP_NS, intern(r->env.tr, name),
                 intern(r->env.tr, pp->zone)));
    step1(r, i, now);
    return 0;
}

/* RFC 1034 5.3.3 step 4d: "If the response shows a server failure or
 * other bizarre contents, delete the server from the SLIST and go back to
 * step 3." `what` is the interned reason, 0 for a timeout. */
static void try_next(struct dns_resolver *r, int i, int64_t now, ip4_addr old,
                     uint32_t what)
{
    struct dns_pending *p = r->pend[i];
    struct why why;
    p->serv[p->cur].dead = 1;
    int k = pick_server(r, i, now, &why);
    if (k < 0) {
        fail(r, i, now, why);
    } else if (k > 0) {
        p = r->pend[i];
        ip4_addr to = p->serv[p->cur].addr;
        send_query(r, i, now, what ? WHY(N_DNS_Q_BAD, old, what, to)
                                   : WHY(N_DNS_Q_NEXT, old, to));
    }
}

static const struct dns_rr *find_rr(const struct dns_rr *sec, int n,
                                    const char *name, uint16_t type)
{
    for (int k = 0; k < n; k++)
        if (sec[k].type == type && dns_name_eq(sec[k].name, name))
            return &sec[k];
    return NULL;
}

/* The SOA of a negative answer, if it is for a zone holding `name`, with
 * its TTL cut to the SOA MINIMUM (RFC 2308 5). */
static int neg_soa(const struct dns_msg *m, const char *name,
                   struct dns_rr *out)
{
    for (int k = 0; k < m->nns; k++)
        if (m->ns[k].type == DNS_TYPE_SOA && dns_name_in(name, m->ns[k].name)) {
            *out = m->ns[k];
            if (out->rd.soa.minimum < out->ttl)
                out->ttl = out->rd.soa.minimum;
            return 1;
        }
    return 0;
}

/* RFC 1034 5.3.3 step 4: "Analyze the response". */
static void analyze(struct dns_resolver *r, int i, int64_t now,
                    ip4_addr server, const struct dns_msg *m)
{
    struct dns_pending *p = r->pend[i];
    struct trace *tr = r->env.tr;
    char rc[16], cur[DNS_NAME_BUF];
    if (m->tc) {
        try_next(r, i, now, server, intern(tr, "a truncated reply (TC=1)"));
        return;
    }
    if (m->rcode != DNS_RCODE_NOERROR && m->rcode != DNS_RCODE_NXDOMAIN) {
        try_next(r, i, now, server,
                 intern(tr, dns_rcode_name(m->rcode, rc, sizeof rc)));
        return;
    }
    /* 4a/4c: follow the answer from SNAME through any CNAMEs */
    name_copy(cur, p->sname);
    int data = 0;
    for (;;) {
        for (int k = 0; k < m->nan; k++)
            if (dns_name_eq(m->an[k].name, cur) &&
                (m->an[k].type == p->qtype || p->qtype == DNS_TYPE_ANY)) {
                an_add(p, &m->an[k], m->an[k].ttl);
                data = 1;
            }
        if (data) {
            if (p->qtype != DNS_TYPE_ANY)
                cache_rrset(r, now, m->an, m->nan, cur, p->qtype, 0);
            break;
        }
        const struct dns_rr *cn = p->qtype == DNS_TYPE_CNAME ? NULL
            : find_rr(m->an, m->nan, cur, DNS_TYPE_CNAME);
        if (!cn)
            break;
        if (++p->cnames > MAX_CNAMES) {
            fail(r, i, now, WHY(N_DNS_FAIL_CNAME, MAX_CNAMES));
            return;
        }
        an_add(p, cn, cn->ttl);
        cache_rrset(r, now, m->an, m->nan, cur, DNS_TYPE_CNAME, 0);
        name_copy(cur, cn->rd.target);
    }
    int moved = !dns_name_eq(cur, p->sname);
    struct dns_rr soa;
    int has_soa = neg_soa(m, cur, &soa);
    if (m->rcode == DNS_RCODE_NXDOMAIN) {
        /* RFC 2308 5: "Name errors (NXDOMAIN) ... should be cached" for
         * the SOA's negative TTL; without an SOA, not at all */
        if (has_soa)
            cache_put(r, now, cur, 0, NEG_NX, &soa, 1, soa.ttl,
                      WHY(N_DNS_CACHE_NX, intern(tr, cur),
                          (int64_t)soa.ttl * US_PER_S));
        walk_set(r, now, p->conn, DNS_ANSWERED,
                 WHY(N_DNS_NXDOMAIN, server, intern(tr, cur)));
        finish(r, i, now, DNS_RCODE_NXDOMAIN, has_soa ? &soa : NULL);
        return;
    }
    if (data) {
        walk_set(r, now, p->conn, DNS_ANSWERED,
                 WHY(N_DNS_ANSWER, server, intern(tr, p->sname),
                     intern_type(tr, p->qtype)));
        finish(r, i, now, DNS_RCODE_NOERROR, NULL);
        return;
    }
    if (moved && !(m->aa && has_soa)) {
        /* 4c: "If the response shows a CNAME and that is not the answer
         * itself, cache the CNAME, change the SNAME to the canonical name
         * in the CNAME RR and go to step 1." */
        uint32_t from = intern(tr, p->sname);
        name_copy(p->sname, cur);
        walk_set(r, now, p->conn, DNS_CHECK_CACHE,
                 WHY(N_DNS_LOOKUP_CNAME, from, intern(tr, cur),
                     intern_type(tr, p->qtype)));
        step1(r, i, now);
        return;
    }
    const struct dns_rr *ns = NULL;
    for (int k = 0; k < m->nns && !ns; k++)
        if (m->ns[k].type == DNS_TYPE_NS)
            ns = &m->ns[k];
    if (!moved && !m->aa && ns) {
        if (!dns_name_in(p->sname, ns->name) || !dns_name_in(ns->name, p->zone) ||
            dns_name_eq(ns->name, p->zone)) {
            try_next(r, i, now, server,
                     intern(tr, "a referral that leads no closer"));
            return;
        }
        /* 4b: "If the response contains a better delegation to other
         * servers, cache the delegation information, and go to step 2." */
        char zone[DNS_NAME_BUF], old[DNS_NAME_BUF];
        name_copy(zone, ns->name);
        name_copy(old, p->zone);
        cache_rrset(r, now, m->ns, m->nns, zone, DNS_TYPE_NS, 0);
        for (int k = 0; k < m->nns; k++)
            if (m->ns[k].type == DNS_TYPE_NS && dns_name_eq(m->ns[k].name, zone) &&
                dns_name_in(m->ns[k].rd.target, old))
                cache_rrset(r, now, m->ar, m->nar, m->ns[k].rd.target,
                            DNS_TYPE_A, 1);
        slist_build(r, now, p, zone, m->ns, m->nns, m, old);
        enter_slist(r, i, now,
                    WHY(N_DNS_REFERRAL, server, intern(tr, zone),
                        intern(tr, slist_first(p)->name)));
        return;
    }
    if (has_soa || m->aa) {
        /* RFC 2308 2.2: NODATA, "the name exists but there is no data of
         * the requested type"; cached like a name error (RFC 2308 5) */
        if (has_soa)
            cache_put(r, now, cur, p->qtype, NEG_NODATA, &soa, 1, soa.ttl,
                      WHY(N_DNS_CACHE_NODATA, intern(tr, cur),
                          intern_type(tr, p->qtype),
                          (int64_t)soa.ttl * US_PER_S));
        walk_set(r, now, p->conn, DNS_ANSWERED,
                 WHY(N_DNS_NODATA, server, intern(tr, cur),
                     intern_type(tr, p->qtype)));
        finish(r, i, now, DNS_RCODE_NOERROR, has_soa ? &soa : NULL);
        return;
    }
    try_next(r, i, now, server, intern(tr, "an empty reply"));
}

/* A reply with no walk behind it (a malformed or unsupported query). */
static void reply_error(struct dns_resolver *r, ip4_addr client, uint16_t cport,
                        const struct dns_msg *q, int rcode, struct why why)
{
    struct dns_msg *m = xrealloc(NULL, sizeof *m);
    memset(m, 0, sizeof *m);
    m->id = q->id;
    m->qr = 1;
    m->opcode = q->opcode;
    m->rd = q->rd;
    m->ra = 1;
    m->rcode = (uint8_t)rcode;
    if (q->qdcount == 1) {
        m->qdcount = 1;
        memcpy(m->qname, q->qname, sizeof m->qname);
        m->qtype = q->qtype;
        m->qclass = q->qclass;
    }
    r->env.emit(r->env.ctx, client, cport, m, why);
    free(m);
}

int dns_resolver_query(struct dns_resolver *r, int64_t now, ip4_addr client,
                       uint16_t cport, const struct dns_msg *q)
{
    struct trace *tr = r->env.tr;
    if (q->qr)
        return -1;
    if (q->opcode != DNS_OPCODE_QUERY) {
        reply_error(r, client, cport, q, DNS_RCODE_NOTIMP, WHY0(N_DNS_SRV_NOTIMP));
        return 0;
    }
    if (q->qdcount != 1) {
        reply_error(r, client, cport, q, DNS_RCODE_FORMERR, WHY0(N_DNS_SRV_FORMERR));
        return 0;
    }
    if (q->qclass != DNS_CLASS_IN) {              /* this resolver knows only IN */
        reply_error(r, client, cport, q, DNS_RCODE_REFUSED,
                    WHY(N_DNS_REFUSED_CLASS, q->qclass));
        return 0;
    }
    /* a retransmission from the stub while we are still walking: the walk
     * already in progress will answer it */
    for (int k = 0; k < r->cfg.max_pending; k++) {
        const struct dns_pending *o = r->pend[k];
        if (o && !o->internal && o->client == client && o->cport == cport &&
            o->cid == q->id && o->qtype == q->qtype &&
            dns_name_eq(o->qname, q->qname))
            return -1;
    }
    uint32_t conn = make_id_type(tr, "dns", q->qname, q->qtype);
    int i = free_slot(r);
    if (i < 0) {
        walk_set(r, now, conn, DNS_FAILED,
                 WHY(N_DNS_FAIL_BUSY, r->cfg.max_pending));
        reply_error(r, client, cport, q, DNS_RCODE_SERVFAIL,
                    WHY(N_DNS_R_STUB_FAIL, client));
        return 0;
    }
    struct dns_pending *p = xrealloc(NULL, sizeof *p);
    memset(p, 0, sizeof *p);
    p->parent = -1;
    p->client = client;
    p->cport = cport;
    p->cid = q->id;
    p->crd = q->rd;
    memcpy(p->qname, q->qname, sizeof p->qname);
    name_copy(p->sname, q->qname);
    p->qtype = q->qtype;
    p->qclass = q->qclass;
    p->conn = conn;
    r->pend[i] = p;
    walk_set(r, now, p->conn, DNS_CHECK_CACHE,
             WHY(N_DNS_LOOKUP, client, intern(tr, p->sname),
                 intern_type(tr, p->qtype)));
    step1(r, i, now);
    return 0;
}

int dns_resolver_response(struct dns_resolver *r, int64_t now, ip4_addr server,
                          const struct dns_msg *m)
{
    if (!m->qr || m->qdcount != 1)
        return -1;
    for (int i = 0; i < r->cfg.max_pending; i++) {
        struct dns_pending *p = r->pend[i];
        /* RFC 5452 9.1: a reply is accepted only if it comes from the
         * server asked, with the query's ID and the same question */
        if (!p || !p->due || p->serv[p->cur].addr != server || p->id != m->id ||
            p->qtype != m->qtype || !dns_name_eq(p->sname, m->qname))
            continue;
        p->due = 0;
        timer_rec(r, now, p->conn, TA_STOP, 0, WHY(N_DNS_TMR_STOP, server));
        analyze(r, i, now, server, m);
        return 0;
    }
    return -1;
}

int64_t dns_resolver_deadline(const struct dns_resolver *r)
{
    int64_t d = -1;
    for (int i = 0; i < r->cfg.max_pending; i++) {
        const struct dns_pending *p = r->pend[i];
        if (p && p->due && (d < 0 || p->due < d))
            d = p->due;
    }
    return d;
}

void dns_resolver_timer(struct dns_resolver *r, int64_t now)
{
    for (int i = 0; i < r->cfg.max_pending; i++) {
        struct dns_pending *p = r->pend[i];
        if (!p || !p->due || p->due > now)
            continue;
        ip4_addr to = p->serv[p->cur].addr;
        p->due = 0;
        timer_rec(r, now, p->conn, TA_EXPIRE, 0,
                  WHY(N_DNS_TMR_EXPIRE, r->cfg.timeout_us, to));
        /* RFC 1034 5.3.3 step 3 leaves the retransmission policy open:
         * resend to the same server `retries` times, then the next one */
        if (p->tries <= r->cfg.retries)
            send_query(r, i, now, WHY(N_DNS_Q_RETRY, to, r->cfg.timeout_us,
                                      p->tries + 1));
        else
            try_next(r, i, now, to, 0);
    }
}

/* ---- stub resolver (RFC 1034 5.3.1) --------------------------------- */

void dns_stub_config_default(struct dns_stub_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout_us = 5 * US_PER_S;
    c->retries = 1;
}

void dns_stub_init(struct dns_stub *s, const struct dns_stub_config *cfg,
                   const struct dns_stub_env *env)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->env = *env;
}

void dns_stub_free(struct dns_stub *s)
{
    memset(s->q, 0, sizeof s->q);     /* nothing is heap-allocated */
}

/* The one place a stub lookup changes state. */
static void stub_set(struct dns_stub *s, int64_t now, uint32_t conn, int to,
                     struct why why)
{
    int from = walk_get(s->walks, s->nwalks, conn);
    if (from == to)
        return;
    if (s->env.tr)
        trace_state(s->env.tr, now, s->env.host, TL_DNS, conn, from, to, why);
    walk_put(s->walks, &s->nwalks, &s->walknext, NWALKS(s->walks), conn, to);
}

static void stub_send(struct dns_stub *s, int h, int64_t now, struct why why)
{
    struct dns_stub_lookup *l = &s->q[h];
    struct dns_msg *q = xrealloc(NULL, sizeof *q);
    /* RFC 1034 5.3.1: a stub "depends on a recursive server" — RD=1 */
    dns_query_init(q, l->id, l->name, l->type, 1);
    s->env.emit(s->env.ctx, s->cfg.server, DNS_PORT, q, why);
    free(q);
    l->tries++;
    l->due = now + s->cfg.timeout_us;
    if (s->env.tr)
        trace_timer(s->env.tr, now, s->env.host, TL_DNS, l->conn, TM_DNS,
                    TA_START, l->due,
                    WHY(N_DNS_TMR_START, s->cfg.timeout_us, s->cfg.server));
}

int dns_stub_resolve(struct dns_stub *s, int64_t now, const char *name,
                     uint16_t type)
{
    struct trace *tr = s->env.tr;
    if (dns_name_check(name, NULL, 0) < 0)
        return -1;
    int h;
    for (h = 0; h < DNS_STUB_MAX && s->q[h].used; h++)
        ;
    if (h == DNS_STUB_MAX)
        return -1;
    struct dns_stub_lookup *l = &s->q[h];
    memset(l, 0, sizeof *l);
    l->used = 1;
    name_copy(l->name, name);
    l->type = type;
    l->id = s->env.next_id(s->env.ctx);
    l->conn = make_id_type(tr, "dns-stub", name, type);
    stub_set(s, now, l->conn, DNS_ASKING_RESOLVER,
             WHY(N_DNS_STUB_ASK, intern(tr, l->name), intern_type(tr, type),
                 s->cfg.server));
    stub_send(s, h, now, WHY(N_DNS_STUB_Q, intern(tr, l->name),
                             intern_type(tr, type), s->cfg.server));
    return h;
}

static void stub_done(struct dns_stub *s, int h, const struct dns_msg *m)
{
    struct dns_stub_lookup *l = &s->q[h];
    struct dns_stub_result res;
    char name[DNS_NAME_BUF], cur[DNS_NAME_BUF];
    memset(&res, 0, sizeof res);
    memcpy(name, l->name, sizeof name);
    res.name = name;
    res.type = l->type;
    res.rcode = m ? m->rcode : -1;
    res.msg = m;
    if (m && m->rcode == DNS_RCODE_NOERROR) {
        /* the addresses at the end of the CNAME chain */
        name_copy(cur, name);
        for (int hop = 0; hop <= MAX_CNAMES; hop++) {
            const struct dns_rr *cn = NULL;
            for (int k = 0; k < m->nan; k++) {
                const struct dns_rr *rr = &m->an[k];
                if (!dns_name_eq(rr->name, cur))
                    continue;
                if (rr->type == DNS_TYPE_A && res.naddr < DNS_MAX_RR) {
                    if (res.naddr == 0 || rr->ttl < res.ttl)
                        res.ttl = rr->ttl;
                    res.addr[res.naddr++] = rr->rd.a;
                } else if (rr->type == DNS_TYPE_CNAME) {
                    cn = rr;
                }
            }
            if (res.naddr || !cn)
                break;
            name_copy(cur, cn->rd.target);
        }
    }
    l->used = 0;                  /* free before the callback: it may resolve again */
    s->env.done(s->env.ctx, s, h, &res);
}

int dns_stub_response(struct dns_stub *s, int64_t now, ip4_addr from,
                      const struct dns_msg *m)
{
    struct trace *tr = s->env.tr;
    char text[160], rc[16];
    if (!m->qr || m->qdcount != 1 || from != s->cfg.server)
        return -1;
    for (int h = 0; h < DNS_STUB_MAX; h++) {
        struct dns_stub_lookup *l = &s->q[h];
        if (!l->used || !l->due || l->id != m->id || l->type != m->qtype ||
            !dns_name_eq(l->name, m->qname))
            continue;
        l->due = 0;
        if (tr)
            trace_timer(tr, now, s->env.host, TL_DNS, l->conn, TM_DNS, TA_STOP,
                        0, WHY(N_DNS_TMR_STOP, from));
        if (m->rcode == DNS_RCODE_NOERROR)
            stub_set(s, now, l->conn, DNS_ANSWERED,
                     WHY(N_DNS_STUB_ANSWER,
                         intern(tr, dns_summary(m, text, sizeof text))));
        else if (m->rcode == DNS_RCODE_NXDOMAIN)
            /* RFC 1035 4.1.1: name error, an answer that the name does
             * not exist */
            stub_set(s, now, l->conn, DNS_ANSWERED,
                     WHY(N_DNS_STUB_NXDOMAIN,
                         intern(tr, dns_rcode_name(m->rcode, rc, sizeof rc)),
                         intern(tr, l->name)));
        else
            stub_set(s, now, l->conn, DNS_FAILED,
                     WHY(N_DNS_STUB_FAIL,
                         intern(tr, dns_rcode_name(m->rcode, rc, sizeof rc)),
                         intern(tr, l->name)));
        stub_done(s, h, m);
        return 0;
    }
    return -1;
}

int64_t dns_stub_deadline(const struct dns_stub *s)
{
    int64_t d = -1;
    for (int h = 0; h < DNS_STUB_MAX; h++)
        if (s->q[h].used && s->q[h].due && (d < 0 || s->q[h].due < d))
            d = s->q[h].due;
    return d;
}

void dns_stub_timer(struct dns_stub *s, int64_t now)
{
    struct trace *tr = s->env.tr;
    for (int h = 0; h < DNS_STUB_MAX; h++) {
        struct dns_stub_lookup *l = &s->q[h];
        if (!l->used || !l->due || l->due > now)
            continue;
        l->due = 0;
        if (tr)
            trace_timer(tr, now, s->env.host, TL_DNS, l->conn, TM_DNS,
                        TA_EXPIRE, 0,
                        WHY(N_DNS_TMR_EXPIRE, s->cfg.timeout_us, s->cfg.server));
        if (l->tries <= s->cfg.retries) {
            /* the same ID again, so a late reply to either copy matches */
            stub_send(s, h, now, WHY(N_DNS_STUB_RETRY, s->cfg.server,
                                     s->cfg.timeout_us, l->tries + 1));
        } else {
            stub_set(s, now, l->conn, DNS_FAILED,
                     WHY(N_DNS_STUB_TIMEOUT, l->tries, intern(tr, l->name)));
            stub_done(s, h, NULL);
        }
    }
}
