/* dns_msg.c — DNS names, number<->text tables and message bytes: the encoder with name compression and the strict decoder (RFC 1035 3.1, 4.1). */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dnsint.h"
#include "event.h"
#include "alloc.h"
#include "i18n.h"

/* ---- names ---------------------------------------------------------- */

int dns_lc(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Length of a name's text without one trailing dot ("." -> 0). */
size_t dns_core_len(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

static int eqn(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (dns_lc((unsigned char)a[i]) != dns_lc((unsigned char)b[i]))
            return 0;
    return 1;
}

uint32_t dns_name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0, n = dns_core_len(name); i < n; i++)
        h = (h ^ (uint32_t)dns_lc((unsigned char)name[i])) * 16777619u;
    return h;
}

int dns_name_eq(const char *a, const char *b)
{
    size_t la = dns_core_len(a), lb = dns_core_len(b);
    return la == lb && eqn(a, b, la);
}

int dns_name_in(const char *name, const char *zone)
{
    size_t ln = dns_core_len(name), lz = dns_core_len(zone);
    if (lz == 0)
        return 1;
    if (ln < lz || !eqn(name + ln - lz, zone, lz))
        return 0;
    return ln == lz || name[ln - lz - 1] == '.';
}

int dns_name_labels(const char *name)
{
    size_t n = dns_core_len(name);
    int k = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        k += name[i] == '.';
    return k;
}

/* The parent of a name ("www.example.com" -> "example.com" -> "com" -> "."),
 * as a pointer into it (or to a static "."). */
const char *dns_name_parent(const char *name)
{
    size_t n = dns_core_len(name);
    for (size_t i = 0; i < n; i++)
        if (name[i] == '.')
            return name + i + 1;
    return ".";
}

/* Stores a name as protosim keeps it: no trailing dot, the root as ".". */
void dns_name_copy(char *dst, const char *src)
{
    size_t n = dns_core_len(src);
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
const char *dns_fqdn(const char *name, char *buf, size_t n)
{
    size_t l = dns_core_len(name);
    if (l == 0)
        snprintf(buf, n, ".");
    else
        snprintf(buf, n, "%.*s.", (int)l, name);
    return buf;
}

/* Printable characters that mean something in RFC 1035 5.1's master files
 * besides '.' and '\\': '"' quotes a string, ';' starts a comment, '(' and
 * ')' group lines, '@' is the origin, '$' starts a control entry ($ORIGIN).
 * Inside a label they are written "\X" ("\X where X is any character
 * other than a digit (0-9), is used to quote that character so that its
 * special meaning does not apply"), as BIND's dns_name_totext writes them,
 * so that a name shown can be pasted into a zone file and read back. */
static int label_octet_special(unsigned char c)
{
    return c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' ||
           c == ')' || c == '@' || c == '$';
}

/* An octet a lesson's names may hold in a label: printable ASCII other
 * than those (and the space, written "\032").  So the model's names are
 * their own presentation format, and a name it decodes reads as it was
 * written. */
static int label_octet_ok(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && !label_octet_special(c);
}

struct lab { const char *p; uint8_t len; };
#define MAX_LABELS 128

/* Splits a text name into labels, checking RFC 1035 2.3.4's limits.
 * Returns the number of labels, or -1 with a reason.  With oct NULL (a
 * lesson's name), a label holds printable ASCII other than '.', '\\' and
 * the other characters special in master files (label_octet_special).
 * With oct (DNS_NAME_MAX octets; names being encoded), a label may also
 * hold RFC 1035 5.1's escapes, "\X" for the character X and "\DDD" for
 * the octet of decimal value DDD, as get_name writes a captured name's
 * octets; the labels' octets are written to oct and l[] points there. */
static int split_labels(const char *name, struct lab *l, uint8_t *oct,
                        const char **why)
{
    size_t n = strlen(name), i = 0, wire = 1, o = 0;
    int k = 0;
    if (n == 1 && name[0] == '.')           /* the root */
        return 0;
    while (i < n) {
        size_t start = o, len = 0;
        const char *p0 = name + i;
        while (i < n && name[i] != '.') {
            unsigned c = (unsigned char)name[i];
            if (c == '\\') {
                if (!oct) {
                    *why = N_("a label holds a backslash, which starts an escape "
                              "(RFC 1035 5.1)");
                    return -1;
                }
                const char *e = name + i + 1;
                if (e[0] >= '0' && e[0] <= '9' && e[1] >= '0' && e[1] <= '9' &&
                    e[2] >= '0' && e[2] <= '9') {
                    c = (unsigned)(e[0] - '0') * 100 + (unsigned)(e[1] - '0') * 10 +
                        (unsigned)(e[2] - '0');
                    i += 4;
                } else if (e[0] >= 0x20 && e[0] <= 0x7e) {
                    c = (unsigned char)e[0];
                    i += 2;
                } else {
                    c = 256;
                }
                if (c > 255) {
                    *why = N_("a backslash not followed by a character or a decimal "
                              "octet value up to 255 (RFC 1035 5.1)");
                    return -1;
                }
            } else if (label_octet_special(c)) {
                *why = N_("a label holds one of \" ; ( ) @ $, which a name "
                          "written as text escapes with a backslash (RFC 1035 5.1)");
                return -1;
            } else if (!label_octet_ok(c)) {
                *why = N_("a label holds a character other than printable ASCII");
                return -1;
            } else {
                i++;
            }
            if (++len > DNS_LABEL_MAX) {
                *why = N_("a label is longer than 63 octets (RFC 1035 2.3.4)");
                return -1;
            }
            if (wire + 1 + len > DNS_NAME_MAX) {
                *why = N_("the name is longer than 255 octets (RFC 1035 2.3.4)");
                return -1;
            }
            if (oct)
                oct[o++] = (uint8_t)c;          /* o < wire + len <= 255 */
        }
        if (len == 0) {
            *why = N_("empty label (two dots in a row, or a leading dot)");
            return -1;
        }
        wire += 1 + len;
        l[k].p = oct ? (const char *)oct + start : p0;
        l[k].len = (uint8_t)len;
        k++;
        if (i < n)
            i++;                                /* the dot; a last one is the root's */
    }
    return k;
}

int dns_name_check(const char *name, char *err, size_t errlen)
{
    struct lab l[MAX_LABELS];
    const char *why = "";
    if (strlen(name) >= DNS_NAME_BUF || split_labels(name, l, NULL, &why) < 0) {
        if (strlen(name) >= DNS_NAME_BUF)
            why = N_("the name is longer than 255 octets (RFC 1035 2.3.4)");
        /* shown to a teacher by the scenario parser, in the chosen
         * language (its messages are; ARCHITECTURE.md, "Languages") */
        if (err && errlen)
            snprintf(err, errlen, "%s", _(why));
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

/* The records come last, after the counts that say how many are used. */
_Static_assert(offsetof(struct dns_msg, an) > offsetof(struct dns_msg, nar) &&
               offsetof(struct dns_msg, ns) > offsetof(struct dns_msg, an) &&
               offsetof(struct dns_msg, ar) > offsetof(struct dns_msg, ns),
               "struct dns_msg: the record arrays follow the header");

void dns_msg_clear(struct dns_msg *m)
{
    memset(m, 0, offsetof(struct dns_msg, an));
}

static void copy_rrs(struct dns_rr *dst, const struct dns_rr *src, int n)
{
    if (n > DNS_MAX_RR)
        n = DNS_MAX_RR;
    if (n > 0)
        memcpy(dst, src, (size_t)n * sizeof *src);
}

void dns_msg_copy(struct dns_msg *dst, const struct dns_msg *src)
{
    memcpy(dst, src, offsetof(struct dns_msg, an));
    copy_rrs(dst->an, src->an, src->nan);
    copy_rrs(dst->ns, src->ns, src->nns);
    copy_rrs(dst->ar, src->ar, src->nar);
}

void dns_query_init(struct dns_msg *m, uint16_t id, const char *qname,
                    uint16_t qtype, int rd)
{
    dns_msg_clear(m);
    m->id = id;
    m->rd = rd ? 1 : 0;
    m->qdcount = 1;
    dns_name_copy(m->qname, qname);
    m->qtype = qtype;
    m->qclass = DNS_CLASS_IN;
}

static void rr_head(struct dns_rr *rr, const char *name, uint16_t type,
                    uint32_t ttl)
{
    memset(rr, 0, sizeof *rr);
    dns_name_copy(rr->name, name);
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
    dns_name_copy(rr->rd.target, target);
}

void dns_rr_cname(struct dns_rr *rr, const char *name, uint32_t ttl,
                  const char *target)
{
    rr_head(rr, name, DNS_TYPE_CNAME, ttl);
    dns_name_copy(rr->rd.target, target);
}

void dns_rr_soa(struct dns_rr *rr, const char *name, uint32_t ttl,
                const char *mname, const char *rname, uint32_t serial,
                uint32_t refresh, uint32_t retry, uint32_t expire,
                uint32_t minimum)
{
    rr_head(rr, name, DNS_TYPE_SOA, ttl);
    dns_name_copy(rr->rd.soa.mname, mname);
    dns_name_copy(rr->rd.soa.rname, rname);
    rr->rd.soa.serial = serial;
    rr->rd.soa.refresh = refresh;
    rr->rd.soa.retry = retry;
    rr->rd.soa.expire = expire;
    rr->rd.soa.minimum = minimum;
}

int dns_type_has_name(uint16_t type)
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
    uint8_t oct[DNS_NAME_MAX];
    const char *why;
    int n = split_labels(name, l, oct, &why);
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
    } else if (dns_type_has_name(rr->type)) {
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

size_t dns_fit_udp(struct dns_msg *m, int *ar_out, int *rr_out)
{
    uint8_t small[DNS_UDP_MAX];
    *ar_out = *rr_out = 0;
    if (dns_encode(m, small, sizeof small))
        return 0;
    size_t cap = (size_t)1 << 16;          /* a DNS message's 16-bit bound */
    uint8_t *big = xmalloc(cap);
    size_t whole = dns_encode(m, big, cap);
    free(big);
    if (!whole)
        return 0;                          /* not encodable: not a size matter */
    /* RFC 2181 9: the additional section is a courtesy; leaving some of it
     * out is not truncation */
    while (m->nar > 0 && !dns_encode(m, small, sizeof small)) {
        m->nar--;
        (*ar_out)++;
    }
    if (dns_encode(m, small, sizeof small))
        return whole;
    /* RFC 1035 4.2.1: "Longer messages are truncated and the TC bit is set
     * in the header." */
    m->tc = 1;
    while ((m->nns > 0 || m->nan > 0) && !dns_encode(m, small, sizeof small)) {
        if (m->nns > 0)
            m->nns--;
        else
            m->nan--;
        (*rr_out)++;
    }
    return whole;
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
        /* A label may hold any octet (RFC 2181 11).  The text form is the
         * presentation format of RFC 1035 5.1 and RFC 4343 2.1: a '.' or
         * '\\' in a label is written "\." or "\\" (so are '"' ';' '(' ')' '@'
         * '$', special in master files: "\X"), an octet that is not
         * printable ASCII (space included) as "\DDD", its decimal value;
         * so "a.b" as one label is not the two labels a and b. */
        if (olen)
            out[olen++] = '.';
        for (size_t i = 0; i < c; i++) {
            uint8_t o = b[pos + 1 + i];
            size_t w = label_octet_ok(o) ? 1 : label_octet_special(o) ? 2 : 4;
            if (olen + w > DNS_NAME_BUF - 1) {
                *why = "a name is longer than 255 characters with its octets escaped "
                       "as RFC 1035 5.1 writes them (not supported)";
                return -1;
            }
            if (w == 1)
                out[olen] = (char)o;
            else if (w == 2) {
                out[olen] = '\\';
                out[olen + 1] = (char)o;
            } else {
                out[olen] = '\\';
                out[olen + 1] = (char)('0' + o / 100);
                out[olen + 2] = (char)('0' + o / 10 % 10);
                out[olen + 3] = (char)('0' + o % 10);
            }
            olen += w;
        }
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
    memset(rr, 0, sizeof *rr);      /* one record's worth, as it is read */
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
    } else if (dns_type_has_name(rr->type)) {
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
    dns_msg_clear(m);
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
