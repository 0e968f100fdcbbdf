/* json.c — the trace as JSON Lines (the contract in DESIGN.md), and the
 * trace's frames as a pcap file. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "narrate.h"
#include "utf8.h"
#include "output.h"
#include "alloc.h"
#include "fmt.h"
#include "probe.h"
#include "i18n.h"
#include "pcap.h"
#include "arp.h"
#include "dns.h"
#include "language.h"
#include "render.h"
#include "summary.h"
#include "real.h"
#include "hashslot.h"

/* Each record's line is built in a jb and written with one fwrite: a
 * streamed run writes tens of records per connection, and stdio's
 * per-call cost was most of the time of a crowd's --json.  A jb grows as
 * a line needs (a payload may be long); it is kept between lines. */
struct jb {
    char *p;
    size_t n, cap;
};

/* Hot and small: inlined, so a literal's strlen is folded away. */
#define JB_INLINE static inline __attribute__((always_inline))

static void jb_grow(struct jb *b, size_t more)
{
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->n + more)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

JB_INLINE void jb_room(struct jb *b, size_t more)
{
    if (b->n + more > b->cap)
        jb_grow(b, more);
}

JB_INLINE void jb_putn(struct jb *b, const void *s, size_t n)
{
    jb_room(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

JB_INLINE void jb_puts(struct jb *b, const char *s)
{
    jb_putn(b, s, strlen(s));
}

JB_INLINE void jb_putc(struct jb *b, char c)
{
    jb_room(b, 1);
    b->p[b->n++] = c;
}

/* s between quotes, as it is: text known to need no escaping */
JB_INLINE void jb_quoted(struct jb *b, const void *s, size_t n)
{
    jb_room(b, n + 2);
    char *o = b->p + b->n;
    o[0] = '"';
    memcpy(o + 1, s, n);
    o[n + 1] = '"';
    b->n += n + 2;
}

static void jb_printf(struct jb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void jb_printf(struct jb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k <= 0)
        return;
    jb_room(b, (size_t)k + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* Writes the line out and empties b; 0, or -1 when the write failed. */
static int jb_flush(struct jb *b, FILE *fp)
{
    size_t n = b->n;
    b->n = 0;
#ifdef __GLIBC__
    /* one thread writes the trace: stdio's lock per line is not needed */
    return n && fwrite_unlocked(b->p, 1, n, fp) != n ? -1 : 0;
#else
    return n && fwrite(b->p, 1, n, fp) != n ? -1 : 0;
#endif
}

/* lit, then the number in decimal: the records' numbers without
 * printf's parsing */
JB_INLINE void jnum(struct jb *b, const char *lit, int64_t v)
{
    jb_puts(b, lit);
    jb_room(b, FMT_INT_LEN);
    b->n += fmt_i64_put(v, b->p + b->n);
}

static void jnum_u(struct jb *b, const char *lit, uint64_t v)
{
    jb_puts(b, lit);
    jb_room(b, FMT_INT_LEN);
    b->n += fmt_u64_put(v, b->p + b->n);
}

/* lit, then s as it is (a name from one of our own tables) */
JB_INLINE void jlit(struct jb *b, const char *lit, const char *s)
{
    jb_puts(b, lit);
    jb_puts(b, s);
}

/* Bytes that go into a JSON string as they are: printable ASCII but the
 * quote and the backslash (bit 1), and in a script not < > & either
 * (bit 2).  A table: this test runs on every byte the run writes. */
static uint8_t jplain_tab[256];

static void jplain_init(void)
{
    for (int c = 0x20; c < 0x7f; c++)
        if (c != '"' && c != '\\')
            jplain_tab[c] = c == '<' || c == '>' || c == '&' ? 1 : 3;
}

/* Are all eight bytes of x plain (outside a script)?  No byte below
 * 0x20 or from 0x7f up, none a quote or a backslash.  Which byte is
 * which does not matter: all eight are tested. */
static inline int plain8x(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    /* a byte b has its high bit set in (b - k) & ~b when b < k (for b
     * < 0x80); in x itself when b >= 0x80; and b + 1 overflows into the
     * high bit when b == 0x7f */
    uint64_t low = (x - ones * 0x20) & ~x;
    uint64_t del = (x + ones) & ~x & highs & ~(x & highs);
    uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
    uint64_t quote = (q - ones) & ~q, bslash = (bs - ones) & ~bs;
    return !((low | x | del | quote | bslash) & highs);
}

static inline int plain8(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return plain8x(x);
}

#ifdef __SSE2__
/* plain8 for sixteen bytes with SSE2 (every x86-64 has it): as signed
 * bytes, everything from 0x80 up is below 0x20 too. */
static inline int plain16(const uint8_t *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                     _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
    return _mm_movemask_epi8(bad) == 0;
}
#endif

/* Is all of s[0..n) plain (outside a script)?  Most strings a run
 * writes are: host names, connections, summaries, sentences.  The last
 * window overlaps the ones before it, so a string of any length is
 * tested in whole words, with no loop over its last bytes. */
static inline int all_plain(const uint8_t *s, size_t n)
{
    if (n >= 16) {
        size_t j = 0;
#ifdef __SSE2__
        for (; j + 16 <= n; j += 16)
            if (!plain16(s + j))
                return 0;
        return j == n || plain16(s + n - 16);
#else
        for (; j + 8 <= n; j += 8)
            if (!plain8(s + j))
                return 0;
        return j == n || plain8(s + n - 8);
#endif
    }
    if (n >= 8)
        return plain8(s) && plain8(s + n - 8);
    uint64_t x;
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        x = lo | (uint64_t)hi << 32;
    } else if (n) {                     /* the rest of the word is 'a' */
        x = s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16 |
            0x6161616161000000u;
    } else
        return 1;
    return plain8x(x);
}

/* s as a JSON string (RFC 8259 section 7).  Text stays UTF-8 as
 * written; escaped are only what JSON requires -- the quote, the backslash
 * and the controls U+0000..U+001F -- plus DEL and the C1 controls, which
 * a terminal showing the output would act on, and U+2028/U+2029, which
 * end a line for JavaScript.  A byte that is not UTF-8 becomes U+FFFD, so
 * every line is valid JSON whatever the payload or the lesson holds.
 * in_script: the string goes inside an HTML <script> (--export html), so
 * < > & are escaped too and no text can close the script. */
static void jb_str(struct jb *b, const uint8_t *s, size_t n, int in_script)
{
    if (!in_script && all_plain(s, n)) {
        jb_quoted(b, s, n);
        return;
    }
    uint8_t want = in_script ? 2 : 1;
    if (!jplain_tab['a'])
        jplain_init();
    jb_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        size_t j = i;                   /* the plain run goes in at once */
        if (!in_script) {               /* sixteen, then eight at a time */
#ifdef __SSE2__
            while (j + 16 <= n && plain16(s + j))
                j += 16;
#endif
            while (j + 8 <= n && plain8(s + j))
                j += 8;
        }
        while (j < n && (jplain_tab[s[j]] & want))
            j++;
        jb_putn(b, s + i, j - i);
        if ((i = j) >= n)
            break;
        uint8_t c = s[i];
        switch (c) {
        case '"':  jb_puts(b, "\\\""); i++; continue;
        case '\\': jb_puts(b, "\\\\"); i++; continue;
        case '\n': jb_puts(b, "\\n"); i++; continue;
        case '\r': jb_puts(b, "\\r"); i++; continue;
        case '\t': jb_puts(b, "\\t"); i++; continue;
        default: break;
        }
        if (c < 0x80) {                 /* a control, DEL, or < > & */
            jb_printf(b, "\\u%04x", c);
            i++;
            continue;
        }
        uint32_t cp;
        int k = utf8_seq(s + i, n - i, &cp);
        if (k == 0)
            jb_puts(b, "\xEF\xBF\xBD");          /* U+FFFD */
        else if (cp <= 0x9F || cp == 0x2028 || cp == 0x2029)
            jb_printf(b, "\\u%04" PRIx32, cp);
        else
            jb_putn(b, s + i, (size_t)k);
        i += k > 0 ? (size_t)k : 1;
    }
    jb_putc(b, '"');
}

void json_write_str(FILE *fp, const uint8_t *s, size_t n, int in_script)
{
    struct jb b = { 0 };
    jb_str(&b, s, n, in_script);
    jb_flush(&b, fp);
    free(b.p);
}

static void jstr(struct jb *b, const char *s)
{
    jb_str(b, (const uint8_t *)s, strlen(s), 0);
}

static void jhost(struct jb *b, const struct trace *tr, int h)
{
    const char *n = trace_host_name(tr, h);
    if (n)
        jstr(b, n);
    else
        jb_puts(b, "null");
}

/* The names a record gives in fields of their own -- its host, the
 * packet's ends, its connection -- are written again and again: each
 * one's length, and that it needs no escaping, is found once and kept
 * in a byte per name (0 not yet, len + 1, or NAME_ESCAPED: escaped, or
 * too long for a byte, and written by jstr every time). */
#define NAME_ESCAPED 0xff

static void jname(struct jb *b, uint8_t *known, const char *n)
{
    uint8_t k = *known;
    if (k == 0) {
        size_t len = strlen(n);
        k = len < NAME_ESCAPED - 1 && all_plain((const uint8_t *)n, len)
                ? (uint8_t)(len + 1) : NAME_ESCAPED;
        *known = k;
    }
    if (k == NAME_ESCAPED)
        jstr(b, n);
    else
        jb_quoted(b, n, (size_t)k - 1);
}

/* jhost for the records */
static void jhost_rec(struct json_out *o, struct jb *b, const struct trace *tr, int h)
{
    if (h < 0 || h >= tr->nhosts) {
        jhost(b, tr, h);
        return;
    }
    if ((size_t)h >= o->nhostlen) {
        o->hostlen = xrealloc(o->hostlen, (size_t)tr->nhosts);
        memset(o->hostlen + o->nhostlen, 0, (size_t)tr->nhosts - o->nhostlen);
        o->nhostlen = (size_t)tr->nhosts;
    }
    jname(b, &o->hostlen[h], tr->host_names[h]);
}

/* trace_str(tr, id) as a JSON string, for a name: a trace's strings
 * are interned, never changed, and numbered from 0 (trace.c). */
static void jstr_id(struct json_out *o, struct jb *b, const struct trace *tr,
                    uint32_t id)
{
    if (id >= tr->nstrs) {
        jstr(b, trace_str(tr, id));
        return;
    }
    if (id >= o->nstrlen) {
        size_t n = o->nstrlen ? o->nstrlen : 256;
        while (n <= id)
            n *= 2;
        o->strlens = xrealloc(o->strlens, n);
        memset(o->strlens + o->nstrlen, 0, n - o->nstrlen);
        o->nstrlen = n;
    }
    jname(b, &o->strlens[id], tr->strs[id]);
}

static void json_rrs(struct jb *b, const char *key, const struct dns_rr *rr, int n)
{
    char t[600];
    jlit(b, ",\"", key);
    jb_puts(b, "\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            jb_putc(b, ',');
        jstr(b, dns_rr_str(&rr[i], t, sizeof t));
    }
    jb_putc(b, ']');
}

/* The decoded DNS message under "dns" (the contract's field names). */
static void json_dns(struct jb *b, const struct frame *f)
{
    static struct dns_msg m;
    char err[64], t[32];
    if (dns_decode(f->payload, f->payload_len, &m, err, sizeof err) < 0)
        return;
    jnum(b, ",\"dns\":{\"id\":", m.id);
    jnum(b, ",\"qr\":", m.qr);
    jb_puts(b, ",\"qname\":");
    jstr(b, m.qdcount ? m.qname : "");
    jb_puts(b, ",\"qtype\":");
    jstr(b, dns_type_name(m.qtype, t, sizeof t));
    jb_puts(b, ",\"rcode\":");
    jstr(b, dns_rcode_name(m.rcode, t, sizeof t));
    jnum(b, ",\"aa\":", m.aa);
    if (m.tc)                    /* cut to fit UDP (RFC 1035 4.2.1) */
        jnum(b, ",\"tc\":", m.tc);
    jnum(b, ",\"rd\":", m.rd);
    jnum(b, ",\"ra\":", m.ra);
    json_rrs(b, "an", m.an, m.nan);
    json_rrs(b, "ns", m.ns, m.nns);
    json_rrs(b, "ar", m.ar, m.nar);
    jb_putc(b, '}');
}

static void json_arp(struct jb *b, const struct frame *f)
{
    struct arp_pkt ap;
    char a[20], m[24];
    if (arp_decode(f->payload, f->payload_len, &ap) < 0)
        return;
    jlit(b, ",\"arp\":{\"op\":\"", ap.op == ARP_OP_REQUEST ? "request" : "reply");
    jlit(b, "\",\"sha\":\"", mac_str(ap.sha, m, sizeof m));
    jlit(b, "\",\"spa\":\"", ip4_str(ap.spa, a, sizeof a));
    jlit(b, "\",\"tha\":\"", mac_str(ap.tha, m, sizeof m));
    jlit(b, "\",\"tpa\":\"", ip4_str(ap.tpa, a, sizeof a));
    jb_puts(b, "\"}");
}

/* tcp_flags_str(flags) as a JSON string: a segment record's "flags".
 * There are 256 flag bytes, so each one's text is made once, the first
 * time it is written, and copied after that. */
static void jflags(struct jb *b, uint8_t flags)
{
    static struct { uint8_t len; char text[47]; } made[256];
    if (!made[flags].len) {
        char fl[40];
        struct jb t = { 0 };
        jstr(&t, tcp_flags_str(flags, fl, sizeof fl));
        if (t.n > sizeof made[flags].text) {     /* cannot be: 8 names */
            jb_putn(b, t.p, t.n);
            free(t.p);
            return;
        }
        memcpy(made[flags].text, t.p, t.n);
        made[flags].len = (uint8_t)t.n;
        free(t.p);
    }
    jb_putn(b, made[flags].text, made[flags].len);
}

/* The fixed fields of a TCP header, the first 20 bytes (RFC 9293 3.1),
 * which a header whose data offset is wrong still has whole. */
static void json_tcp_fixed(struct jb *b, const struct tcp_hdr *t)
{
    jnum(b, ",\"tcp\":{\"sport\":", t->sport);
    jnum(b, ",\"dport\":", t->dport);
    jnum(b, ",\"seq\":", t->seq);
    jnum(b, ",\"ack\":", t->ack);
    jb_puts(b, ",\"flags\":");
    jflags(b, t->flags);
}

/* What a packet record says of its frame ("proto" to the end of "tcp",
 * "udp", "dns" or "arp"), from the frame's bytes alone; 0, or -1 when
 * they do not decode (the record then says only "eth" and why, or, for a
 * TCP header whose data offset is below 5 or past the segment's end,
 * "tcp" with the fixed fields the header does have, its "doff" and no
 * "len": where its data starts is unknown).  given: what
 * frame_decode_fields made of p, or NULL to decode it here. */
static int json_frame(struct jb *b, const uint8_t *p, size_t len,
                      const struct frame *given)
{
    struct frame dec;
    const struct frame *fp = given ? given : &dec;
    char err[64], sum[256];
    if (!given && frame_decode_fields(p, len, &dec, err, sizeof err) != 0) {
        int tcp = dec.l4 == IPPROTO_TCP_NUM && dec.tcp_doff_bad;
        jlit(b, ",\"proto\":\"", tcp ? "tcp" : "eth");
        jb_puts(b, "\",\"summary\":");
        jstr(b, err);
        if (tcp) {
            /* RFC 9293 3.1: the ports, numbers, flags and window sit
             * before the data offset's reach; tshark shows them too */
            jnum(b, ",\"frame_len\":", (int64_t)len);
            json_tcp_fixed(b, &dec.tcp);
            jnum(b, ",\"win\":", dec.tcp.win);
            jnum(b, ",\"doff\":", dec.tcp.doff);
            jb_putc(b, '}');
        }
        return -1;
    }
    int top = packet_top(fp);
    jlit(b, ",\"proto\":\"", trace_layer_name(top));
    jb_puts(b, "\",\"summary\":");
    jstr(b, packet_summary(fp, sum, sizeof sum));
    jnum(b, ",\"frame_len\":", (int64_t)len);
    if (fp->l4 == IPPROTO_TCP_NUM) {
        json_tcp_fixed(b, &fp->tcp);
        jnum(b, ",\"len\":", (int64_t)(fp->payload_len + fp->cut));
        if (fp->cut)                    /* a capture's snapshot length cut it */
            jnum(b, ",\"cut\":", (int64_t)fp->cut);
        if (fp->tcp_hdr_cut)            /* and its options too */
            jnum(b, ",\"opts_cut\":", (int64_t)fp->tcp_hdr_cut);
        jnum(b, ",\"win\":", fp->tcp.win);
        for (int i = 0; i < TCPOPT_COUNT; i++) {
            uint32_t v;
            if (tcp_opt_get(&fp->tcp, i, &v)) {
                jlit(b, ",\"", tcp_opt_table[i].name);
                jnum(b, "\":", v);
            }
        }
        jb_putc(b, '}');
    } else if (fp->l4 == IPPROTO_UDP_NUM) {
        jnum(b, ",\"udp\":{\"sport\":", fp->udp.sport);
        jnum(b, ",\"dport\":", fp->udp.dport);
        jnum(b, ",\"len\":", (int64_t)(fp->payload_len + fp->cut));
        if (fp->cut)
            jnum(b, ",\"cut\":", (int64_t)fp->cut);
        jb_putc(b, '}');
    }
    if (top == TL_DNS)
        json_dns(b, fp);
    else if (top == TL_ARP)
        json_arp(b, fp);
    return 0;
}

/* A frame is written twice, as sent and as received, often with a few
 * records between: what json_frame wrote for a blob is kept, by blob id
 * (a trace never gives an id twice), in a small table that the next
 * record naming the blob copies. */
#define MEMO_SLOTS 64
#define MEMO_TEXT  480
struct json_memo {
    uint32_t id;                /* the blob's id + 1; 0 = empty slot */
    int16_t  rc;                /* json_frame's result */
    uint16_t len;
    char     text[MEMO_TEXT];
};

static int json_frame_memo(struct json_out *o, struct jb *b, uint32_t id,
                           const uint8_t *p, size_t len, const struct frame *given)
{
    if (!o->memo)
        o->memo = xcalloc(MEMO_SLOTS, sizeof *o->memo);
    struct json_memo *m = &o->memo[id % MEMO_SLOTS];
    if (m->id == id + 1) {
        jb_putn(b, m->text, m->len);
        return m->rc;
    }
    size_t at = b->n;
    int rc = json_frame(b, p, len, given);
    if (b->n - at <= MEMO_TEXT && id != UINT32_MAX) {
        m->id = id + 1;
        m->rc = (int16_t)rc;
        m->len = (uint16_t)(b->n - at);
        memcpy(m->text, b->p + at, b->n - at);
    }
    return rc;
}

static void json_packet(struct json_out *o, struct jb *b, const struct trace *tr,
                        const struct trace_rec *r, const struct frame *given)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    jb_puts(b, ",\"src\":");
    jhost_rec(o, b, tr, r->u.pkt.src);
    jb_puts(b, ",\"dst\":");
    if (r->u.pkt.dst == HOST_BROADCAST) {
        char d[16];
        jstr(b, render_dst(tr, r, d, sizeof d));
    } else {
        jhost_rec(o, b, tr, r->u.pkt.dst);
    }
    /* a frame that does not decode (--read) is still a drop with a
     * reason, as every drop is (DESIGN.md) */
    if (json_frame_memo(o, b, r->u.pkt.pkt, p, len, given) == 0 && r->u.pkt.dup)
        jb_puts(b, ",\"dup\":true");
    if (r->kind == TK_DROP) {
        jb_puts(b, ",\"reason\":");
        jstr(b, drop_reason_str(r->u.pkt.reason));
    }
}

/* A --real record: "state" (a contract name, or "not observed", "call",
 * "packet", "not replayed", "info") and "source", as DESIGN.md says, plus
 * "event" and what that kind of record knows. */
static void json_real(struct jb *b, const struct trace *tr, const struct trace_rec *r)
{
    char fl[64];
    jb_puts(b, ",\"state\":");
    jstr(b, real_state_label(r));
    jlit(b, ",\"source\":\"", real_source_name(RR_SOURCE(r)));
    jlit(b, "\",\"event\":\"", real_what_name(RR_WHAT(r)));
    jb_putc(b, '"');
    switch (RR_WHAT(r)) {
    case RW_STATE:
        if (RR_VAL(r) >= 0) {
            jlit(b, ",\"timer\":\"",
                 r->why.id == N_REAL_SEEN_DIAG_TMR || r->why.id == N_REAL_SEEN_TW_FD
                     ? trace_str(tr, (uint32_t)r->why.a[1]) : "?");
            jnum(b, "\",\"timer_ms\":", RR_VAL(r));
        }
        break;
    case RW_UNSEEN:
        jlit(b, ",\"missed\":\"", tcp_state_name(RR_STATE(r)));
        jb_putc(b, '"');
        break;
    case RW_CALL:
        jlit(b, ",\"call\":\"", real_call_name(RR_STATE(r)));
        jnum(b, "\",\"ret\":", RR_VAL(r));
        break;
    case RW_PACKET:
        jb_puts(b, ",\"src\":");
        jstr(b, trace_str(tr, (uint32_t)r->why.a[0]));
        jb_puts(b, ",\"dst\":");
        jstr(b, trace_str(tr, (uint32_t)r->why.a[1]));
        jnum(b, ",\"tcp\":{\"sport\":", r->why.a[2]);
        jnum(b, ",\"dport\":", r->why.a[3]);
        jnum(b, ",\"seq\":", RR_SEQ(r));
        jnum(b, ",\"ack\":", RR_ACK(r));
        jb_puts(b, ",\"flags\":");
        jstr(b, tcp_flags_str(RR_FLAGS(r), fl, sizeof fl));
        jnum(b, ",\"len\":", RR_VAL(r));
        jb_puts(b, ",\"relative\":true}");
        break;
    default:
        break;
    }
}

void json_begin(struct json_out *o, FILE *fp, const struct sim *s)
{
    o->fp = fp;
    o->s = s;
    o->err = 0;
    o->written = 0;
    o->line = NULL;
    o->memo = NULL;
    o->hostlen = NULL;
    o->nhostlen = 0;
    o->strlens = NULL;
    o->nstrlen = 0;
    /* to a terminal each line as it is made, as stdio's line buffering
     * would; else JSON_BATCH bytes of lines at a time */
    o->batch = !isatty(fileno(fp));
    chapters_begin(&o->ch, s->scn);
}

static struct jb *json_line(struct json_out *o)
{
    if (!o->line)
        o->line = xcalloc(1, sizeof(struct jb));
    return o->line;
}

/* Lines are kept in the jb, one after another, until this many bytes
 * have gathered, then written at once: a crowd writes a line of about
 * 280 bytes per record, and stdio's fwrite per line cost more than
 * building the line.  The batch goes to the file descriptor with
 * write(2), after stdio's buffer (empty unless something else wrote to
 * the stream); a stream without one (a memory stream) gets fwrite. */
#define JSON_BATCH (64 * 1024)

/* Writes b's bytes to o's stream and empties b; 0, or -1 with errno. */
static int json_write(struct json_out *o, struct jb *b)
{
    int fd = fileno(o->fp);
    if (fd < 0 || !o->batch)
        return jb_flush(b, o->fp);
    const char *p = b->p;
    size_t n = b->n;
    b->n = 0;
    if (n && fflush(o->fp) != 0)
        return -1;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes the lines gathered in b. */
static void json_flush(struct json_out *o, struct jb *b)
{
    /* the run goes on after a failed write: keep the reason it failed */
    if (json_write(o, b) != 0 && !o->err)
        o->err = errno ? errno : EIO;
}

/* Ends the line: the first line says in which language its and every
 * later line's "why" is (DESIGN.md); the identifiers never change with
 * it.  Then the lines so far are written when there are enough of them
 * (json_finish writes the rest). */
static void json_end_line(struct json_out *o, struct jb *b)
{
    if (o->written++ == 0) {
        jlit(b, ",\"lang\":\"", i18n_code(i18n_current()));
        jb_putc(b, '"');
    }
    jb_puts(b, "}\n");
    if (!o->batch || b->n >= JSON_BATCH)
        json_flush(o, b);
}

void json_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r)
{
    struct json_out *o = ctx;
    struct jb *b = json_line(o);
    char why[1024];
    /* a frame sent is decoded once, for its chapter and its fields */
    struct frame sent;
    const struct frame *given = NULL;
    if (r->kind == TK_SEND && !r->u.pkt.dup) {
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        char err[64];
        if (p && frame_decode_fields(p, len, &sent, err, sizeof err) == 0)
            given = &sent;
    }
    chapters_rec_frame(&o->ch, tr, i, r, given);
    /* a record's id is its line number from 0; "of" names the id of
     * the record it follows from (trace.h: trace_rec.of) */
    jnum(b, "{\"id\":", (int64_t)i);
    jnum(b, ",\"t_us\":", r->t_us);
    jlit(b, ",\"kind\":\"", real_kind_name(r));
    jb_puts(b, "\",\"host\":");
    jhost_rec(o, b, tr, r->host);
    if (trace_rec_of(r))
        jnum(b, ",\"of\":", (int64_t)trace_rec_of(r) - 1);
    switch (r->kind) {
    case TK_STATE:
        jlit(b, ",\"layer\":\"", trace_layer_name(r->layer));
        jlit(b, "\",\"from\":\"", trace_state_name(r->layer, r->u.state.from));
        jlit(b, "\",\"to\":\"", trace_state_name(r->layer, r->u.state.to));
        jb_putc(b, '"');
        break;
    case TK_SEND: case TK_RECV: case TK_DROP:
        json_packet(o, b, tr, r, given);
        break;
    case TK_TIMER:
        jlit(b, ",\"layer\":\"", trace_layer_name(r->layer));
        jlit(b, "\",\"name\":\"", timer_name_str(r->u.timer.name));
        jlit(b, "\",\"action\":\"", timer_action_str(r->u.timer.action));
        jb_putc(b, '"');
        if (r->u.timer.action == TA_START)
            jnum(b, ",\"due_us\":", r->u.timer.due_us);
        break;
    case TK_NOTE:
        jb_puts(b, ",\"text\":");
        jstr(b, trace_str(tr, r->u.note.text));
        break;
    case TK_APP: {
        jlit(b, ",\"layer\":\"", trace_layer_name(r->layer));
        jlit(b, "\",\"call\":\"", app_call_name(r->u.app.call));
        jnum(b, "\",\"ret\":", r->u.app.ret);
        if (r->u.app.data) {
            size_t n;
            const uint8_t *p = trace_blob_data(tr, r->u.app.data, &n);
            if (r->u.app.call == AC_RESOLVE && r->u.app.ret == 0 && n == 4) {
                /* a lookup's answer is an IPv4 address in 4 bytes (as the
                 * socket API gives it): written as an address, not as text
                 * ("\ufffd\u0000qP" for 203.0.113.80) */
                char a[20];
                ip4_addr v = (ip4_addr)p[0] << 24 | (ip4_addr)p[1] << 16 |
                             (ip4_addr)p[2] << 8 | p[3];
                jlit(b, ",\"addr\":\"", ip4_str(v, a, sizeof a));
                jb_putc(b, '"');
            } else {
                jb_puts(b, ",\"data\":");
                jb_str(b, p, n, 0);
            }
        }
        break;
    }
    case TK_EXT:
        if (real_is_rec(r))
            json_real(b, tr, r);
        break;
    default:
        break;
    }
    if (r->conn) {
        jb_puts(b, ",\"conn\":");
        jstr_id(o, b, tr, r->conn);
    }
    if (r->kind != TK_NOTE) {
        trace_why(tr, r, why, sizeof why);
        jb_puts(b, ",\"why\":");
        jstr(b, why);
    }
    json_end_line(o, b);
}

int json_finish(struct json_out *o)
{
    FILE *fp = o->fp;
    const struct sim *s = o->s;
    const struct trace *tr = &s->tr;
    struct jb *b = json_line(o);
    char why[1024];
    /* the chapters (ui/chapters.h), after the records they name: "first"
     * and "last" are record ids; "phase" is "lesson" for a chapter line
     * of the scenario, else the protocol phase that made it */
    chapters_end(&o->ch);
    for (size_t k = 0; k < o->ch.n; k++) {
        const struct chapter *ch = &o->ch.v[k];
        jnum(b, "{\"t_us\":", ch->t_us);
        jnum(b, ",\"kind\":\"chapter\",\"host\":null,\"n\":", (int64_t)k + 1);
        jnum(b, ",\"first\":", (int64_t)ch->first);
        jnum(b, ",\"last\":", (int64_t)ch->last);
        jlit(b, ",\"phase\":\"", chapter_phase_name(ch->phase));
        jb_puts(b, "\",\"title\":");
        jstr(b, chapter_title(&o->ch, ch));
        json_end_line(o, b);
    }
    chapters_free(&o->ch);
    if (s->truncated) {
        /* the last line says the trace is cut short, and by what */
        char lt[80];
        jnum(b, "{\"t_us\":", s->stop.t_us);
        jb_puts(b, ",\"kind\":\"limit\",\"host\":");
        jhost(b, tr, s->stop.host);
        jlit(b, ",\"layer\":\"", trace_layer_name(s->stop.layer));
        jlit(b, "\",\"limit\":\"", sim_limit_name(s->stop.limit));
        jb_putc(b, '"');
        jnum_u(b, ",\"value\":", s->stop.value);
        jlit(b, ",\"option\":\"", sim_limit_option(s->stop.limit));
        jb_puts(b, "\",\"cause\":");
        jstr(b, s->stop.cause);
        snprintf(why, sizeof why, _("the run stopped at its %s"),
                 sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt));
        jb_puts(b, ",\"why\":");
        jstr(b, why);
        json_end_line(o, b);
    }
    json_flush(o, b);
    free(b->p);
    free(b);
    o->line = NULL;
    free(o->memo);
    o->memo = NULL;
    free(o->hostlen);
    o->hostlen = NULL;
    o->nhostlen = 0;
    free(o->strlens);
    o->strlens = NULL;
    o->nstrlen = 0;
    if (o->err || ferror(fp)) {
        if (o->err)
            errno = o->err;
        return -1;
    }
    return 0;
}

int render_json(FILE *fp, const struct sim *s)
{
    struct json_out o;
    json_begin(&o, fp, s);
    for (size_t i = s->tr.first; i < s->tr.n; i++)
        json_sink(&o, &s->tr, i, trace_rec(&s->tr, i));
    return json_finish(&o);
}

/* The capture shows what the receiving hosts saw: each frame once, when it
 * reached the host it was meant for — the IP destination, or for ARP and
 * other non-IP frames its first receiver — and a frame the network lost at
 * the moment it would have arrived, so the lesson's losses stay visible.
 * Hops through a router are not repeated (Wireshark would read the second
 * copy as a retransmission), and a copy made by the network appears twice.
 * Captured at the senders instead, a frame a fault delays would sit out of
 * order with the conversation it belongs to; captured at every hop, every
 * routed packet would appear once per link. */
struct pcap_cap { int64_t t; size_t rec; uint32_t pkt; char *why; };
/* per counted blob (pcap: broadcasts; pcapng: every frame -- counted()
 * says why): its sends (copies the network made count again) and the
 * frames of it written; key = blob id + 1, 0 = empty.  pcapng only: the
 * first send's sentence, each frame's comment, is o->seen_why[] at the
 * same slot (malloc'd); pcap has no such array.  pcapng's table holds
 * every frame still in the trace's window or on its way: a few hundred
 * thousand at 100,000 concurrent connections. */
struct pcap_seen { uint32_t key, allowed, taken; };

static int cap_before(const struct pcap_cap *x, const struct pcap_cap *y)
{
    return x->t != y->t ? x->t < y->t : x->rec < y->rec;
}

static void cap_push(struct pcap_out *o, struct pcap_cap c)
{
    if (o->ncaps == o->capcaps) {
        o->capcaps = o->capcaps ? o->capcaps * 2 : 64;
        o->caps = xreallocarray(o->caps, o->capcaps, sizeof *o->caps);
    }
    size_t i = o->ncaps++;
    while (i && cap_before(&c, &o->caps[(i - 1) / 2])) {
        o->caps[i] = o->caps[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    o->caps[i] = c;
}

static struct pcap_cap cap_pop(struct pcap_out *o)
{
    struct pcap_cap top = o->caps[0], last = o->caps[--o->ncaps];
    size_t i = 0;
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= o->ncaps)
            break;
        if (k + 1 < o->ncaps && cap_before(&o->caps[k + 1], &o->caps[k]))
            k++;
        if (!cap_before(&o->caps[k], &last))
            break;
        o->caps[i] = o->caps[k];
        i = k;
    }
    if (o->ncaps)
        o->caps[i] = last;
    return top;
}

static size_t seen_home(size_t cap, uint32_t id)
{
    return hash_home(id, cap);
}

static size_t seen_slot(const struct pcap_seen *t, size_t cap, uint32_t id)
{
    size_t j = seen_home(cap, id);
    while (t[j].key && t[j].key != id + 1)
        j = (j + 1) & (cap - 1);
    return j;
}

/* The table again at cap slots (twice as many as now, or 256). */
static void seen_grow(struct pcap_out *o)
{
    size_t cap = o->capseen ? 2 * o->capseen : 256;
    struct pcap_seen *t = xcalloc(cap, sizeof *t);
    char **why = o->ng ? xcalloc(cap, sizeof *why) : NULL;
    for (size_t i = 0; i < o->capseen; i++) {
        if (!o->seen[i].key)
            continue;
        size_t j = seen_slot(t, cap, o->seen[i].key - 1);
        t[j] = o->seen[i];
        if (why)
            why[j] = o->seen_why[i];
    }
    free(o->seen);
    free(o->seen_why);
    o->seen = t;
    o->seen_why = why;
    o->capseen = cap;
}

/* Takes the entry at slot j out; linear probing's backward shift closes
 * the gap (an entry moves back unless its home lies cyclically between
 * the gap and it). */
static void seen_remove(struct pcap_out *o, size_t j)
{
    size_t m = o->capseen - 1;
    if (o->seen_why) {
        free(o->seen_why[j]);
        o->seen_why[j] = NULL;
    }
    o->seen[j].key = 0;
    o->nseen--;
    for (size_t k = (j + 1) & m; o->seen[k].key; k = (k + 1) & m) {
        size_t h = seen_home(o->capseen, o->seen[k].key - 1);
        if (probe_stays(j, k, h))
            continue;
        o->seen[j] = o->seen[k];
        o->seen[k].key = 0;
        if (o->seen_why) {
            o->seen_why[j] = o->seen_why[k];
            o->seen_why[k] = NULL;
        }
        j = k;
    }
}

/* Lets go, in place, of the entries of blobs the trace has let go of: no
 * record will name them again.  A removal shifts later entries back into
 * the slot just looked at, so that slot is looked at again. */
static void seen_sweep(struct pcap_out *o)
{
    for (size_t i = 0; i < o->capseen;) {
        if (o->seen[i].key && !trace_blob_live(o->tr, o->seen[i].key - 1))
            seen_remove(o, i);
        else
            i++;
    }
}

/* Entry id's slot, made if `make`; SIZE_MAX when there is none.  Full at
 * 4/5, the table first lets the dead blobs go, and doubles only if more
 * than 2/5 of it is still live: at most 5 slots per live blob, and a
 * sweep pays for itself with the 2/5 of the slots it frees. */
static size_t seen_get(struct pcap_out *o, uint32_t id, int make)
{
    if (make && 5 * (o->nseen + 1) > 4 * o->capseen) {
        seen_sweep(o);
        if (5 * (o->nseen + 1) > 2 * o->capseen)
            seen_grow(o);
    }
    if (!o->capseen)
        return SIZE_MAX;
    size_t j = seen_slot(o->seen, o->capseen, id);
    struct pcap_seen *e = &o->seen[j];
    if (!e->key) {
        if (!make)
            return SIZE_MAX;
        /* a slot emptied by seen_remove keeps its old counts */
        *e = (struct pcap_seen){ .key = id + 1 };
        o->nseen++;
    }
    return j;
}

static int passes_through(const struct trace *tr, const struct trace_rec *r)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (frame_decode_fields(p, len, &f, err, sizeof err) != 0 || !f.has_ip)
        return 0;
    int owner = trace_host_by_addr(tr, f.ip.dst);
    /* meant for another host: just passing */
    return owner >= 0 && owner != r->host;
}

/* pcapng: a frame's comment, malloc'd -- for a send, its sentence (why it
 * was sent); for its arrival, that sentence again (sent = the first
 * send's); for a frame the network lost, that sentence and the loss's. */
static char *frame_comment(const struct trace *tr, const struct trace_rec *r,
                           const char *sent)
{
    char buf[1024];
    if (r->kind == TK_SEND)
        return xstrdup(trace_why(tr, r, buf, sizeof buf));
    if (r->kind != TK_DROP)
        return sent ? xstrdup(sent) : NULL;
    trace_why(tr, r, buf, sizeof buf);
    size_t a = sent ? strlen(sent) : 0, b = strlen(buf);
    char *c = xmalloc(a + b + 2);
    memcpy(c, sent ? sent : "", a);
    c[a] = a && b ? '\n' : '\0';
    memcpy(c + a + (a && b), buf, b + 1);
    return c;
}

int pcap_begin(struct pcap_out *o, FILE *fp, struct trace *tr, int live, int ng)
{
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->tr = tr;
    o->live = live;
    o->ng = ng;
    if ((ng ? pcapng_write_header(fp) : pcap_write_header(fp)) < 0) {
        o->err = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

/* Writes the waiting frames due by time t (all of them: INT64_MAX). */
static void pcap_flush(struct pcap_out *o, const struct trace *tr, int64_t t)
{
    while (o->ncaps && o->caps[0].t <= t) {
        struct pcap_cap c = cap_pop(o);
        size_t len;
        const uint8_t *p = trace_blob_data(tr, c.pkt, &len);
        if (!o->err && (o->ng ? pcapng_write_frame(o->fp, c.t, p, len, c.why)
                              : pcap_write_frame(o->fp, c.t, p, len)) < 0)
            o->err = errno ? errno : EIO;
        free(c.why);
        trace_blob_release(o->tr, c.pkt);
    }
}

/* Whether the sends and writes of frame pk are counted in o->seen.  In
 * pcap (not pcapng, which keeps each frame's first sentence there) a
 * frame to one MAC address reaches one receiver per send -- a link's other
 * end, or on a LAN the interface it names (sim/host/net.c) -- and each
 * copy the network makes is a send of its own, so every arrival that
 * passes the filters is written without counting.  Only a frame to a
 * group address (a broadcast) reaches several receivers for one send, and
 * only the first of them is written. */
static int counted(const struct pcap_out *o, const struct trace *tr, uint32_t pk)
{
    if (o->ng)
        return 1;
    size_t len;
    const uint8_t *p = trace_blob_data(tr, pk, &len);
    return len >= 6 && (p[0] & 1);
}

void pcap_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r)
{
    struct pcap_out *o = ctx;
    uint32_t pk = r->u.pkt.pkt;
    size_t j = SIZE_MAX;
    if (r->kind == TK_SEND) {
        if (counted(o, tr, pk) && (j = seen_get(o, pk, 1)) != SIZE_MAX) {
            o->seen[j].allowed++;
            if (o->ng && !o->seen_why[j])
                o->seen_why[j] = frame_comment(tr, r, NULL);
        }
    } else if ((r->kind == TK_RECV || r->kind == TK_DROP) &&
               /* dropped by a host, after it was received */
               (r->kind != TK_DROP || r->u.pkt.lost_at) &&
               (r->kind != TK_RECV || !passes_through(tr, r)) &&
               /* a broadcast's other receivers */
               (!counted(o, tr, pk) ||
                ((j = seen_get(o, pk, 0)) != SIZE_MAX &&
                 o->seen[j].taken < o->seen[j].allowed))) {
        cap_push(o, (struct pcap_cap){ r->kind == TK_DROP ? r->u.pkt.lost_at
                                                          : r->t_us, i, pk,
                                       o->ng ? frame_comment(tr, r, o->seen_why[j])
                                             : NULL });
        /* pcap: a broadcast whose sends have all been written goes now, as
         * if never counted -- what is written depends only on allowed -
         * taken -- so the table holds broadcasts on their way, not every
         * one still in the trace's window */
        if (j != SIZE_MAX && ++o->seen[j].taken == o->seen[j].allowed && !o->ng)
            seen_remove(o, j);
        trace_blob_hold(o->tr, pk);
    }
    /* the records come in time order: what is due by now can go */
    if (o->live)
        pcap_flush(o, tr, r->t_us);
}

int pcap_finish(struct pcap_out *o)
{
    pcap_flush(o, o->tr, INT64_MAX);
    free(o->caps);
    for (size_t i = 0; o->seen_why && i < o->capseen; i++)
        free(o->seen_why[i]);
    free(o->seen_why);
    free(o->seen);
    int err = o->err;
    if (!err && (fflush(o->fp) != 0 || ferror(o->fp)))
        err = errno ? errno : EIO;
    memset(o, 0, sizeof *o);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

int render_pcap(FILE *fp, const struct trace *tr)
{
    struct pcap_out o;
    /* a trace kept whole is not changed: holding a blob does nothing */
    struct trace *t = (struct trace *)tr;
    if (pcap_begin(&o, fp, t, 0, 0) < 0) {
        pcap_finish(&o);
        return -1;
    }
    for (size_t i = tr->first; i < tr->n; i++)
        pcap_sink(&o, tr, i, trace_rec(tr, i));
    return pcap_finish(&o);
}
