/* wire.c — owns the bytes on the wire: Ethernet II, IPv4, TCP and UDP encode/decode, the Internet checksum, and their text forms. */
#include "wire.h"
#include "fmt.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const mac_addr MAC_BROADCAST = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

/* Notes and simplifications.
 *
 * - We always send IPv4 with IHL 5 (no options), DF set, never fragmented.
 *   A TTL of 0 in the caller's ip4_hdr means "default" and is sent as 64, so a
 *   zero-initialised header gives a sensible packet.
 * - Frames are Ethernet II without FCS, at most FRAME_MAX bytes; encoders
 *   refuse anything larger (returning 0, as for a too-small buffer).
 * - On decode, a fragmented datagram (MF set or offset != 0) is accepted but
 *   its L4 header is not parsed: l4 stays 0 and payload is the IP payload.
 * - A received UDP checksum of 0 means "no checksum" (RFC 768) and counts as
 *   l4_csum_ok.
 * - frame_decode reads only inside buf[0..len): every field read is preceded
 *   by a length check.  On failure the layers already decoded stay filled in. */

/* ---- byte order helpers ----------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- RFC 1071 checksum ------------------------------------------------- */

/* Adds the bytes as big-endian 16-bit words to a running one's-complement
 * sum.  An odd final byte is padded with a zero low byte (RFC 1071 4.1), so
 * when summing a message in pieces every piece but the last must have an
 * even length.  The result is kept below 2^32 by end-around carries, which
 * preserve the one's-complement sum (2^32 = 1 mod 0xffff). */
uint32_t inet_sum(uint32_t acc, const uint8_t *p, size_t n)
{
    /* Eight bytes at a time in the machine's own byte order, with the
     * carries added back in (RFC 1071 2(B) and 2(C)): the one's complement
     * sum does not depend on byte order except that it comes out with its
     * two bytes swapped, so a little-endian machine swaps the folded sum
     * once at the end.  Every frame is summed twice, when it is built and
     * when it arrives. */
    uint64_t s = 0, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        s += w;
        s += s < w;                     /* end-around carry */
    }
    if (i < n) {
        /* the last 1 to 7 bytes, zero-padded: they start at a multiple of
         * 8, so each keeps its place in its 16-bit word, and a lone last
         * byte is a word's first (high-order on the wire) padded with 0 */
        w = 0;
        memcpy(&w, p + i, n - i);
        s += w;
        s += s < w;
    }
    /* fold 64 -> 32 -> 16 bits; zero stays zero and nothing else becomes
     * zero */
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffffffu) + (s >> 32);
    s = inet_fold((uint32_t)s);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = (s >> 8 | s << 8) & 0xffffu;
#endif
    /* the caller's partial sum, in wire order: a sum of at most two 32-bit
     * values is folded by inet_fold without overflow */
    uint64_t t = (uint64_t)acc + s;
    return (uint32_t)((t & 0xffffffffu) + (t >> 32));
}

/* Folds the carries of a sum into 16 bits (no complement). */
uint16_t inet_fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffffu) + (acc >> 16);
    return (uint16_t)acc;
}

/* The Internet checksum of p[0..n): the complement of the folded sum.  Over
 * a header that already holds a correct checksum it returns 0. */
uint16_t inet_checksum(const uint8_t *p, size_t n)
{
    return (uint16_t)~inet_fold(inet_sum(0, p, n));
}

/* The IPv4 pseudo-header (RFC 9293 3.1, RFC 768) added to a sum. */
static uint32_t pseudo_sum(ip4_addr src, ip4_addr dst, uint8_t proto, size_t l4len)
{
    /* the 16-bit words src, dst, zero and protocol, length: at most six
     * words of 0xffff, far inside 32 bits */
    return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) +
           proto + (uint32_t)(uint16_t)l4len;
}

/* ---- encoders ---------------------------------------------------------- */

static void copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n)                               /* src may be NULL when n == 0 */
        memmove(dst, src, n);
}

/* Frame size after padding, or 0 when it does not fit in cap or FRAME_MAX. */
static size_t frame_size(size_t cap, size_t used)
{
    size_t total = used < ETH_MIN_FRAME ? ETH_MIN_FRAME : used;

    if (used > FRAME_MAX || total > cap)
        return 0;
    return total;
}

static void put_eth(uint8_t *buf, mac_addr dst, mac_addr src, uint16_t type)
{
    memcpy(buf, dst.b, 6);
    memcpy(buf + 6, src.b, 6);
    put16(buf + 12, type);
}

size_t eth_encode(uint8_t *buf, size_t cap, const struct eth_hdr *eth,
                  const uint8_t *payload, size_t len)
{
    size_t total;

    if (len > FRAME_MAX)
        return 0;
    total = frame_size(cap, ETH_HDR_LEN + len);
    if (!total)
        return 0;
    copy_bytes(buf + ETH_HDR_LEN, payload, len);
    put_eth(buf, eth->dst, eth->src, eth->type);
    memset(buf + ETH_HDR_LEN + len, 0, total - ETH_HDR_LEN - len);
    return total;
}

/* Writes the 20-byte IPv4 header (IHL 5, DF) with its checksum. */
static void put_ip4(uint8_t *p, const struct ip4_hdr *ip, uint8_t proto, size_t l4len)
{
    p[0] = 0x45;                             /* version 4, IHL 5 */
    p[1] = ip->tos;
    put16(p + 2, (uint16_t)(IP4_HDR_LEN + l4len));
    put16(p + 4, ip->id);
    put16(p + 6, 0x4000);                    /* DF, offset 0 */
    p[8] = ip->ttl ? ip->ttl : 64;
    p[9] = proto;
    put16(p + 10, 0);
    put32(p + 12, ip->src);
    put32(p + 16, ip->dst);
    put16(p + 10, inet_checksum(p, IP4_HDR_LEN));   /* RFC 791 3.1 */
}

const struct tcp_opt_info tcp_opt_table[TCPOPT_COUNT] = {
#define X(id, kind, len, name, label) { kind, len, name, label },
    TCP_OPTIONS(X)
#undef X
};

int tcp_opt_get(const struct tcp_hdr *h, int o, uint32_t *v)
{
    switch (o) {
    case TCPOPT_MSS:    *v = h->mss;    return h->mss != 0;
    case TCPOPT_WSCALE: *v = h->wscale; return h->has_wscale;
    default:            return 0;
    }
}

void tcp_opt_set(struct tcp_hdr *h, int o, uint32_t v)
{
    switch (o) {
    case TCPOPT_MSS:    h->mss = (uint16_t)v; break;
    case TCPOPT_WSCALE: h->has_wscale = 1; h->wscale = (uint8_t)v; break;
    default:            break;
    }
}

/* The options area: each present option in table order, preceded by
 * No-Operation octets that put it on a 4-byte boundary (RFC 9293 3.1:
 * the header is a whole number of 32-bit words; RFC 7323 2.2 sends window
 * scale as NOP, WS).  Returns its length, a multiple of 4. */
#define TCP_OPT_SPACE 40
static size_t tcp_options_encode(const struct tcp_hdr *h, uint8_t *o)
{
    size_t n = 0;
    for (int i = 0; i < TCPOPT_COUNT; i++) {
        const struct tcp_opt_info *oi = &tcp_opt_table[i];
        uint32_t v;
        if (!tcp_opt_get(h, i, &v))
            continue;
        while ((n + oi->len) % 4)
            o[n++] = 1;                      /* No-Operation */
        o[n] = oi->kind;
        o[n + 1] = oi->len;
        for (int k = oi->len - 1; k >= 2; k--, v >>= 8)
            o[n + k] = (uint8_t)v;           /* big-endian value */
        n += oi->len;
    }
    return n;
}

size_t tcp_frame_encode(uint8_t *buf, size_t cap,
                        mac_addr src_mac, mac_addr dst_mac,
                        const struct ip4_hdr *ip, const struct tcp_hdr *tcp,
                        const uint8_t *payload, size_t len)
{
    uint8_t opts[TCP_OPT_SPACE];
    size_t olen = tcp_options_encode(tcp, opts);
    size_t hlen = TCP_HDR_LEN + olen;
    size_t seglen, total;
    uint8_t *ipp, *t;

    if (len > FRAME_MAX)
        return 0;
    seglen = hlen + len;
    total = frame_size(cap, ETH_HDR_LEN + IP4_HDR_LEN + seglen);
    if (!total)
        return 0;

    ipp = buf + ETH_HDR_LEN;
    t = ipp + IP4_HDR_LEN;
    copy_bytes(t + hlen, payload, len);      /* first: payload may already sit in buf */
    put_eth(buf, dst_mac, src_mac, ETHERTYPE_IPV4);
    put_ip4(ipp, ip, IPPROTO_TCP_NUM, seglen);

    /* RFC 9293 3.1 header format. */
    put16(t, tcp->sport);
    put16(t + 2, tcp->dport);
    put32(t + 4, tcp->seq);
    put32(t + 8, tcp->ack);
    t[12] = (uint8_t)((hlen / 4) << 4);      /* data offset, reserved bits 0 */
    t[13] = tcp->flags;
    put16(t + 14, tcp->win);
    put16(t + 16, 0);
    put16(t + 18, tcp->urg);
    copy_bytes(t + TCP_HDR_LEN, opts, olen);
    put16(t + 16, (uint16_t)~inet_fold(inet_sum(
              pseudo_sum(ip->src, ip->dst, IPPROTO_TCP_NUM, seglen), t, seglen)));

    memset(t + seglen, 0, total - (size_t)(t + seglen - buf));
    return total;
}

size_t udp_frame_encode(uint8_t *buf, size_t cap,
                        mac_addr src_mac, mac_addr dst_mac,
                        const struct ip4_hdr *ip, const struct udp_hdr *udp,
                        const uint8_t *payload, size_t len)
{
    size_t ulen, total;
    uint16_t csum;
    uint8_t *ipp, *u;

    if (len > FRAME_MAX)
        return 0;
    ulen = UDP_HDR_LEN + len;
    total = frame_size(cap, ETH_HDR_LEN + IP4_HDR_LEN + ulen);
    if (!total)
        return 0;

    ipp = buf + ETH_HDR_LEN;
    u = ipp + IP4_HDR_LEN;
    copy_bytes(u + UDP_HDR_LEN, payload, len);
    put_eth(buf, dst_mac, src_mac, ETHERTYPE_IPV4);
    put_ip4(ipp, ip, IPPROTO_UDP_NUM, ulen);

    put16(u, udp->sport);
    put16(u + 2, udp->dport);
    put16(u + 4, (uint16_t)ulen);
    put16(u + 6, 0);
    csum = (uint16_t)~inet_fold(inet_sum(
               pseudo_sum(ip->src, ip->dst, IPPROTO_UDP_NUM, ulen), u, ulen));
    /* RFC 768: a computed checksum of zero is transmitted as all ones;
     * zero on the wire means "no checksum". */
    put16(u + 6, csum ? csum : 0xffff);

    memset(u + ulen, 0, total - (size_t)(u + ulen - buf));
    return total;
}

/* ---- decoder ----------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return -1;
}

/* Parses TCP options in o[0..n) into the header's option fields (any it
 * knows, by tcp_opt_table; unknown kinds are skipped).  Returns 0, or -1
 * when an option is malformed, with *at the offset in o of the first one
 * and *stop set when reading stopped there.  Only o[0..got) was captured
 * (got < n: a snapshot length cut the header): an option that runs past
 * got but not past n is not read, and reading stops there.
 * As Linux's tcp_parse_options() reads them: a known option of another
 * length than its own is passed over, and reading goes on behind it; a
 * length below 2 or past the end stops it there. */
static int tcp_options(const uint8_t *o, size_t n, size_t got, struct tcp_hdr *t,
                       size_t *at, int *stop)
{
    size_t i = 0;
    int rc = 0;

    while (i < got) {
        uint8_t kind = o[i], olen;

        if (kind == 0)                       /* End of Option List */
            break;
        if (kind == 1) {                     /* No-Operation */
            i++;
            continue;
        }
        if (got - i < 2 && n - i >= 2)
            break;                           /* its length was not captured */
        if (n - i < 2 || (olen = o[i + 1]) < 2 || olen > n - i) {
            if (!rc) {                       /* no length byte, or one */
                *at = i;                     /* below 2 or past the end */
                *stop = 1;
            }
            return -1;
        }
        if (olen > got - i)
            break;                           /* not all of it was captured */
        for (int k = 0; k < TCPOPT_COUNT; k++) {
            const struct tcp_opt_info *oi = &tcp_opt_table[k];
            if (kind != oi->kind)
                continue;
            if (olen != oi->len) {           /* not the option's length */
                if (!rc)
                    *at = i;
                rc = -1;
                break;
            }
            uint32_t v = 0;
            for (size_t b = 2; b < olen; b++)
                v = v << 8 | o[i + b];
            tcp_opt_set(t, k, v);
        }
        i += olen;
    }
    return rc;
}

static int decode_tcp(const uint8_t *s, size_t n, struct frame *f,
                      char *err, size_t errlen, int csum)
{
    struct tcp_hdr *t = &f->tcp;
    size_t hlen;

    if (n < TCP_HDR_LEN)
        return fail(err, errlen, f->cut ? "TCP header cut by the snapshot length"
                                        : "truncated TCP header");
    t->sport = get16(s);
    t->dport = get16(s + 2);
    t->seq = get32(s + 4);
    t->ack = get32(s + 8);
    t->doff = s[12] >> 4;
    t->flags = s[13];
    t->win = get16(s + 14);
    t->checksum = get16(s + 16);
    t->urg = get16(s + 18);
    t->mss = 0;
    t->has_wscale = t->wscale = 0;
    f->l4 = IPPROTO_TCP_NUM;

    hlen = (size_t)t->doff * 4;
    if (hlen < TCP_HDR_LEN) {
        f->tcp_doff_bad = 1;
        return fail(err, errlen, "TCP data offset below 5");
    }
    if (hlen > n + f->cut) {
        f->tcp_doff_bad = 2;
        return fail(err, errlen, "TCP data offset beyond the segment");
    }
    size_t got = hlen;
    if (hlen > n) {
        /* a capture's snapshot length cut the header inside its options
         * (tcpdump -s 54 does, for every segment with options): what was
         * captured is read, as tshark reads it ("Packet size limited
         * during capture"); the data is all missing */
        got = n;
        f->tcp_hdr_cut = hlen - n;
        f->cut -= hlen - n;
    }
    /* RFC 9293 3.1: "TCP implementations MUST be prepared to handle an
     * illegal option length (e.g., zero)" (MUST-7); the reset it suggests
     * is a suggestion.  Linux (tcp_parse_options) stops reading the
     * options at such an option and takes the segment; so does this
     * decoder, and it says where the options went wrong, so that a
     * capture's segment is still a segment (--read). */
    size_t bad = 0;
    if (tcp_options(s + TCP_HDR_LEN, hlen - TCP_HDR_LEN, got - TCP_HDR_LEN, t, &bad,
                    &f->tcp_opt_stop) < 0)
        f->tcp_opt_bad = (unsigned)(TCP_HDR_LEN + bad);

    if (csum && !f->cut && !f->tcp_hdr_cut)
        f->l4_csum_ok = inet_fold(inet_sum(
            pseudo_sum(f->ip.src, f->ip.dst, IPPROTO_TCP_NUM, n), s, n)) == 0xffff;
    f->payload = s + got;
    f->payload_len = n - got;
    return 0;
}

static int decode_udp(const uint8_t *s, size_t n, struct frame *f,
                      char *err, size_t errlen, int csum)
{
    struct udp_hdr *u = &f->udp;

    if (n < UDP_HDR_LEN)
        return fail(err, errlen, f->cut ? "UDP header cut by the snapshot length"
                                        : "truncated UDP header");
    u->sport = get16(s);
    u->dport = get16(s + 2);
    u->len = get16(s + 4);
    u->checksum = get16(s + 6);
    f->l4 = IPPROTO_UDP_NUM;

    if (u->len < UDP_HDR_LEN || u->len > n + f->cut)
        return fail(err, errlen, "UDP length out of range");
    if (u->len > n) {                        /* cut: what is there */
        f->cut = u->len - n;
        f->payload = s + UDP_HDR_LEN;
        f->payload_len = n - UDP_HDR_LEN;
        return 0;
    }
    f->cut = 0;                              /* the rest was not UDP's */
    if (!csum)
        ;
    else if (u->checksum == 0)               /* RFC 768: not computed */
        f->l4_csum_ok = 1;
    else
        f->l4_csum_ok = inet_fold(inet_sum(
            pseudo_sum(f->ip.src, f->ip.dst, IPPROTO_UDP_NUM, u->len), s, u->len)) == 0xffff;
    f->payload = s + UDP_HDR_LEN;
    f->payload_len = (size_t)u->len - UDP_HDR_LEN;
    return 0;
}

static int decode(const uint8_t *buf, size_t len, struct frame *f,
                  char *err, size_t errlen, int csum)
{
    const uint8_t *p;
    size_t avail, hlen, tot;
    struct ip4_hdr *ip = &f->ip;

    memset(f, 0, sizeof *f);
    if (err && errlen)
        err[0] = '\0';
    if (!buf || len < ETH_HDR_LEN)
        return fail(err, errlen, "truncated Ethernet header");
    memcpy(f->eth.dst.b, buf, 6);
    memcpy(f->eth.src.b, buf + 6, 6);
    f->eth.type = get16(buf + 12);

    p = buf + ETH_HDR_LEN;
    avail = len - ETH_HDR_LEN;
    if (f->eth.type != ETHERTYPE_IPV4) {
        f->payload = p;
        f->payload_len = avail;
        return 0;
    }

    /* RFC 791 3.1 */
    if (avail < IP4_HDR_LEN)
        return fail(err, errlen, "truncated IPv4 header");
    if (p[0] >> 4 != 4)
        return fail(err, errlen, "IPv4 version is not 4");
    ip->ihl = p[0] & 0x0f;
    ip->tos = p[1];
    ip->total_len = get16(p + 2);
    ip->id = get16(p + 4);
    ip->frag = get16(p + 6);
    ip->ttl = p[8];
    ip->proto = p[9];
    ip->checksum = get16(p + 10);
    ip->src = get32(p + 12);
    ip->dst = get32(p + 16);

    hlen = (size_t)ip->ihl * 4;
    tot = ip->total_len;
    if (hlen < IP4_HDR_LEN)
        return fail(err, errlen, "IPv4 header length below 5");
    if (hlen > avail)
        return fail(err, errlen, "truncated IPv4 options");
    if (tot < hlen)
        return fail(err, errlen, "IPv4 total length shorter than its header");
    if (tot > avail) {
        /* cut by a capture's snapshot length (--read): decode the headers
         * that are there, as tshark does ("Packet size limited during
         * capture"), and say how many bytes are missing */
        f->cut = tot - avail;
        tot = avail;
    }
    f->has_ip = 1;
    if (csum)
        f->ip_csum_ok = inet_checksum(p, hlen) == 0;

    /* From here on only the IP total length counts: bytes past it are
     * Ethernet padding, not payload. */
    f->payload = p + hlen;
    f->payload_len = tot - hlen;
    if (ip->frag & 0x3fff)                   /* MF or a non-zero offset */
        return 0;
    if (ip->proto == IPPROTO_TCP_NUM)
        return decode_tcp(p + hlen, tot - hlen, f, err, errlen, csum);
    if (ip->proto == IPPROTO_UDP_NUM)
        return decode_udp(p + hlen, tot - hlen, f, err, errlen, csum);
    return 0;
}

int frame_decode(const uint8_t *buf, size_t len, struct frame *f,
                 char *err, size_t errlen)
{
    return decode(buf, len, f, err, errlen, 1);
}

int frame_decode_fields(const uint8_t *buf, size_t len, struct frame *f,
                        char *err, size_t errlen)
{
    return decode(buf, len, f, err, errlen, 0);
}

/* ---- text forms -------------------------------------------------------- */

/* TCP control bits in contract order (JSON "flags"), then the two ECN bits
 * of RFC 3168, which the contract does not name but a frame may carry;
 * three letters each, as put_flags copies them. */
static const struct { uint8_t bit; char name[4]; } tcp_flag_names[] = {
    { TCP_SYN, "SYN" }, { TCP_FIN, "FIN" }, { TCP_RST, "RST" },
    { TCP_PSH, "PSH" }, { TCP_ACK, "ACK" }, { TCP_URG, "URG" },
    { 0x40, "ECE" }, { 0x80, "CWR" },
};
#define N_TCP_FLAG_NAMES (sizeof tcp_flag_names / sizeof tcp_flag_names[0])

/* The summaries are built whole in a local buffer with stpcpy (each
 * piece is short and bounded: flag names, 10-digit numbers, the options)
 * and then copied out cut to n - 1 bytes (fmt_cut_copy); no vsnprintf:
 * they are written for every record of a streamed run.
 *
 * " mss=1460 wscale=7" at q: at most OPTS_TEXT_MAX bytes, as every
 * option's name is short (checked here) and its value 32-bit */
#define X(id, kind, len, name, label) \
    _Static_assert(sizeof name <= 16, "TCP option name too long for the summaries");
TCP_OPTIONS(X)
#undef X
#define OPTS_TEXT_MAX (TCPOPT_COUNT * (1 + 15 + 2 + 10))

static char *put_opts(char *q, const struct tcp_hdr *h, const char *sep)
{
    for (int i = 0; i < TCPOPT_COUNT; i++) {
        uint32_t v;
        if (tcp_opt_get(h, i, &v)) {
            q = stpcpy(stpcpy(q, " "), tcp_opt_table[i].name);
            for (int k = 0; k < 2 && sep[k]; k++)       /* "=" or " " */
                *q++ = sep[k];
            q = fmt_put_u64(q, "", v);
        }
    }
    return q;
}

char *tcp_opts_str(const struct tcp_hdr *h, const char *sep, char *buf, size_t n)
{
    char t[OPTS_TEXT_MAX + 1];
    return fmt_cut_copy(buf, n, t, put_opts(t, h, sep));
}

/* "SYN,ACK" at q (all eight names: 31 bytes) */
static char *put_flags(char *q, uint8_t flags)
{
    if (!flags)
        return stpcpy(q, "none");
    for (size_t i = 0; i < N_TCP_FLAG_NAMES; i++)
        if (flags & tcp_flag_names[i].bit) {
            memcpy(q, tcp_flag_names[i].name, 3);
            q[3] = ',';
            q += 4;
        }
    *--q = '\0';                        /* the last comma */
    return q;
}

char *tcp_flags_str(uint8_t flags, char *buf, size_t n)
{
    char t[40];
    return fmt_cut_copy(buf, n, t, put_flags(t, flags));
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_sep(char c)
{
    return c == ',' || c == '|' || c == '+';
}

int tcp_flags_parse(const char *s, uint8_t *flags)
{
    uint8_t v = 0;
    int names = 0;

    if (!s)
        return -1;
    for (;;) {
        const char *w;
        size_t wl, i;
        int found = 0;

        while (is_blank(*s))
            s++;
        w = s;
        while (*s && !is_sep(*s) && !is_blank(*s))
            s++;
        wl = (size_t)(s - w);
        while (is_blank(*s))
            s++;
        if (!wl)
            return -1;                       /* empty name: ",", "SYN,,ACK", "" */
        if (wl == 4 && strncasecmp(w, "none", 4) == 0) {
            found = 1;
            names |= 2;
        } else {
            for (i = 0; i < N_TCP_FLAG_NAMES; i++) {
                const char *nm = tcp_flag_names[i].name;
                if (strlen(nm) == wl && strncasecmp(w, nm, wl) == 0) {
                    v |= tcp_flag_names[i].bit;
                    found = 1;
                    names |= 1;
                    break;
                }
            }
        }
        if (!found)
            return -1;
        if (!*s)
            break;
        if (!is_sep(*s))
            return -1;                       /* "SYN ACK": names need a separator */
        s++;
    }
    if (names == 3)
        return -1;                           /* "none" only on its own */
    *flags = v;
    return 0;
}

/* " len=N" at q, N the length the headers give; of a packet a capture's
 * snapshot length cut, also what is there: " len=18 (14 captured)" */
static char *put_len(char *q, const struct frame *f)
{
    q = fmt_put_u64(q, " len=", f->payload_len + f->cut);
    if (f->cut)
        q = stpcpy(fmt_put_u64(q, " (", f->payload_len), " captured)");
    return q;
}

char *frame_summary(const struct frame *f, char *buf, size_t n)
{
    /* the longest: flags 31, four numbers of 5 + 10, len 5 + 20, options,
     * badopt 8 + 2, opts 6 + 2 + 14 + 2 */
    char out[31 + 4 * 15 + 25 + 32 + OPTS_TEXT_MAX + 10 + 24 + 1], *q = out;
    if (!f->has_ip) {
        if (f->eth.type == ETHERTYPE_ARP)
            q = stpcpy(q, "ARP");
        else
            q += snprintf(q, 24, "ethertype 0x%04x", (unsigned)f->eth.type);
        q = fmt_put_u64(q, " len=", f->payload_len);
    } else if (f->l4 == IPPROTO_TCP_NUM) {
        const struct tcp_hdr *t = &f->tcp;
        q = put_flags(q, t->flags);
        q = fmt_put_u64(q, " seq=", t->seq);
        if (t->flags & TCP_ACK)
            q = fmt_put_u64(q, " ack=", t->ack);
        q = fmt_put_u64(q, " win=", t->win);
        if (t->flags & TCP_URG)
            q = fmt_put_u64(q, " urg=", t->urg);
        q = put_opts(q, t, "=");
        if (f->tcp_opt_bad)                  /* where the options went wrong */
            q = fmt_put_u64(q, " badopt=", f->tcp_opt_bad);
        if (f->tcp_hdr_cut) {                /* options a snapshot length cut */
            size_t all = (size_t)t->doff * 4 - TCP_HDR_LEN;
            q = fmt_put_u64(q, " opts=", all);
            q = stpcpy(fmt_put_u64(q, " (", all - f->tcp_hdr_cut), " captured)");
        }
        if (f->payload_len || f->cut)
            q = put_len(q, f);
    } else if (f->l4 == IPPROTO_UDP_NUM) {
        q = fmt_put_u64(q, "UDP ", f->udp.sport);
        q = fmt_put_u64(q, " > ", f->udp.dport);
        q = put_len(q, f);
    } else {
        int frag = (f->ip.frag & 0x3fff) != 0;    /* MF or a non-zero offset */
        q = fmt_put_u64(q, frag ? "IPv4 fragment proto=" : "IPv4 proto=", f->ip.proto);
        if (frag)
            q = fmt_put_u64(q, " offset=", (uint64_t)(f->ip.frag & 0x1fff) * 8u);
        q = put_len(q, f);
    }
    return fmt_cut_copy(buf, n, out, q);
}

char *ip4_str(ip4_addr a, char *buf, size_t n)
{
    char t[16], *q = t;
    for (int sh = 24; sh >= 0; sh -= 8) {
        unsigned b = (unsigned)(a >> sh) & 0xff;
        if (b >= 100)
            *q++ = (char)('0' + b / 100);
        if (b >= 10)
            *q++ = (char)('0' + b / 10 % 10);
        *q++ = (char)('0' + b % 10);
        *q++ = '.';
    }
    return fmt_cut_copy(buf, n, t, q - 1);     /* not the last dot */
}

/* Strict dotted quad: four decimal parts 0..255 separated by single dots,
 * nothing before or after.  A leading zero ("010") is refused, as
 * inet_pton() does, so nobody wonders whether it is octal. */
int ip4_parse(const char *s, ip4_addr *out)
{
    ip4_addr a = 0;
    int part;

    if (!s)
        return -1;
    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        int digits = 0;

        if (part > 0 && *s++ != '.')
            return -1;
        while (*s >= '0' && *s <= '9') {
            if (digits == 1 && v == 0)
                return -1;                   /* leading zero */
            v = v * 10 + (unsigned)(*s - '0');
            if (v > 255)
                return -1;
            digits++;
            s++;
        }
        if (!digits)
            return -1;
        a = a << 8 | v;
    }
    if (*s)
        return -1;
    *out = a;
    return 0;
}

char *mac_str(mac_addr m, char *buf, size_t n)
{
    if (n)
        snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x",
                 m.b[0], m.b[1], m.b[2], m.b[3], m.b[4], m.b[5]);
    return buf;
}
