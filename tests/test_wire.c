/* test_wire.c — Check suites for sim/wire/wire.c (frames, checksums, text forms) and ui/pcap.c (file bytes). */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "wire.h"
#include "summary.h"
#include "uwsgi.h"
#include "pcap.h"

/* ---- fixtures and independent reference code ---------------------------
 *
 * The byte vectors below were laid out by hand in the shape of a real
 * capture (client 192.0.2.10:49152, server 192.0.2.80:80) and checked with
 * tshark's own checksum verification.  ref_csum() is a deliberately naive
 * second implementation of RFC 1071 so the tests do not grade wire.c with
 * wire.c's own arithmetic. */

static const mac_addr CLIENT_MAC = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a } };
static const mac_addr SERVER_MAC = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x50 } };
#define CLIENT_IP 0xC000020Au            /* 192.0.2.10 */
#define SERVER_IP 0xC0000250u            /* 192.0.2.80 */

/* SYN seq=1000 win=65535 mss=1460, IP id 1, TTL 64; padded to 60. */
static const uint8_t SYN_FRAME[60] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0xb6, 0x70,
    0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x50,
    0xc0, 0x00, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
    0x60, 0x02, 0xff, 0xff, 0x4f, 0x93, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
    0x00, 0x00,
};

/* PSH,ACK seq=1001 ack=301 win=65535 "hello" (odd length), IP id 3. */
static const uint8_t DATA_FRAME[60] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x2d, 0x00, 0x03, 0x40, 0x00, 0x40, 0x06, 0xb6, 0x6d,
    0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x50,
    0xc0, 0x00, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe9, 0x00, 0x00, 0x01, 0x2d,
    0x50, 0x18, 0xff, 0xff, 0x22, 0x34, 0x00, 0x00,
    'h', 'e', 'l', 'l', 'o', 0x00,
};

/* A DNS query for example.com A over UDP 49152 > 53, IP id 6 (71 bytes). */
static const uint8_t DNS_QUERY[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
};
static const uint8_t UDP_FRAME[71] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x39, 0x00, 0x06, 0x40, 0x00, 0x40, 0x11, 0xb6, 0x53,
    0xc0, 0x00, 0x02, 0x0a, 0xc0, 0x00, 0x02, 0x50,
    0xc0, 0x00, 0x00, 0x35, 0x00, 0x25, 0xd9, 0x71,
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
};

/* Naive RFC 1071: sum big-endian words (odd byte padded), fold, complement. */
static uint16_t ref_csum(const uint8_t *p, size_t n)
{
    unsigned long long s = 0;
    for (size_t i = 0; i < n; i++)
        s += (i % 2 == 0) ? (unsigned long long)p[i] * 256 : p[i];
    while (s > 0xffff)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)(0xffff - s);
}

/* Reference L4 checksum over pseudo-header + segment (segment's own
 * checksum field included as found). */
static uint16_t ref_l4_csum(uint32_t src, uint32_t dst, uint8_t proto,
                            const uint8_t *seg, size_t n)
{
    uint8_t tmp[12 + FRAME_MAX];
    ck_assert_uint_le(n, FRAME_MAX);
    tmp[0] = (uint8_t)(src >> 24); tmp[1] = (uint8_t)(src >> 16);
    tmp[2] = (uint8_t)(src >> 8);  tmp[3] = (uint8_t)src;
    tmp[4] = (uint8_t)(dst >> 24); tmp[5] = (uint8_t)(dst >> 16);
    tmp[6] = (uint8_t)(dst >> 8);  tmp[7] = (uint8_t)dst;
    tmp[8] = 0; tmp[9] = proto;
    tmp[10] = (uint8_t)(n >> 8); tmp[11] = (uint8_t)n;
    memcpy(tmp + 12, seg, n);
    return ref_csum(tmp, 12 + n);
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static struct ip4_hdr client_ip(uint16_t id)
{
    struct ip4_hdr ip = { .src = CLIENT_IP, .dst = SERVER_IP, .ttl = 64, .id = id };
    return ip;
}

static struct ip4_hdr server_ip(uint16_t id)
{
    struct ip4_hdr ip = { .src = SERVER_IP, .dst = CLIENT_IP, .ttl = 64, .id = id };
    return ip;
}

/* Builds, without wire.c, an Ethernet+IPv4(IHL 5)+TCP frame with the given
 * raw option bytes (optlen a multiple of 4) and payload; checksums by
 * ref_csum.  Returns the frame length (padded to 60). */
static size_t build_tcp_raw(uint8_t *buf, size_t cap, uint8_t flags,
                            const uint8_t *opts, size_t optlen,
                            const uint8_t *payload, size_t plen)
{
    size_t thl = 20 + optlen, seg = thl + plen, tot = 20 + seg;
    size_t flen = 14 + tot < 60 ? 60 : 14 + tot;
    uint8_t *ip = buf + 14, *t = ip + 20;

    ck_assert_uint_eq(optlen % 4, 0);
    ck_assert_uint_le(flen, cap);
    memset(buf, 0, flen);
    memcpy(buf, SERVER_MAC.b, 6);
    memcpy(buf + 6, CLIENT_MAC.b, 6);
    buf[12] = 0x08; buf[13] = 0x00;
    ip[0] = 0x45; ip[2] = (uint8_t)(tot >> 8); ip[3] = (uint8_t)tot;
    ip[5] = 9; ip[6] = 0x40; ip[8] = 64; ip[9] = 6;
    memcpy(ip + 12, (const uint8_t[]){ 0xc0, 0, 2, 10, 0xc0, 0, 2, 80 }, 8);
    uint16_t c = ref_csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
    t[0] = 0xc0; t[1] = 0x00; t[2] = 0x00; t[3] = 0x50;     /* 49152 > 80 */
    t[7] = 0x64;                                            /* seq 100 */
    t[12] = (uint8_t)((thl / 4) << 4);
    t[13] = flags;
    t[14] = 0x20; t[15] = 0x00;                             /* win 8192 */
    if (optlen)
        memcpy(t + 20, opts, optlen);
    if (plen)
        memcpy(t + thl, payload, plen);
    c = ref_l4_csum(CLIENT_IP, SERVER_IP, 6, t, seg);
    t[16] = (uint8_t)(c >> 8); t[17] = (uint8_t)c;
    return flen;
}

/* Decodes a copy in a heap block of exactly len bytes, so ASan sees any
 * read past the end. */
static int decode_exact(const uint8_t *src, size_t len, struct frame *f,
                        char *err, size_t errlen)
{
    uint8_t *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, src, len);
    int rc = frame_decode(len ? copy : NULL, len, f, err, errlen);
    if (rc == 0 && f->payload_len) {
        ck_assert(f->payload >= copy);
        ck_assert(f->payload + f->payload_len <= copy + len);
    }
    f->payload = NULL;                   /* the copy goes away */
    free(copy);
    return rc;
}

/* ---- checksum ----------------------------------------------------------- */

START_TEST(test_checksum_rfc1071_example)
{
    /* RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
    static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    ck_assert_uint_eq(inet_fold(inet_sum(0, b, sizeof b)), 0xddf2);
    ck_assert_uint_eq(inet_checksum(b, sizeof b), 0x220d);
    ck_assert_uint_eq(ref_csum(b, sizeof b), 0x220d);
}
END_TEST

START_TEST(test_checksum_known_ipv4_header)
{
    /* A widely used worked example: 192.168.0.1 > 192.168.0.199, UDP. */
    uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    ck_assert_uint_eq(inet_checksum(h, sizeof h), 0xb861);
    h[10] = 0xb8; h[11] = 0x61;
    ck_assert_uint_eq(inet_checksum(h, sizeof h), 0);
}
END_TEST

START_TEST(test_checksum_odd_length_and_pieces)
{
    static const uint8_t b[] = { 0x01, 0x02, 0x03 };
    /* 0x0102 + 0x0300 (the odd byte padded on the right) = 0x0402. */
    ck_assert_uint_eq(inet_checksum(b, 3), 0xfbfd);
    /* Summing in even-length pieces equals summing at once. */
    ck_assert_uint_eq(inet_fold(inet_sum(inet_sum(0, SYN_FRAME, 14), SYN_FRAME + 14, 46)),
                      inet_fold(inet_sum(0, SYN_FRAME, 60)));
    ck_assert_uint_eq(inet_checksum(NULL, 0), 0xffff);
}
END_TEST

/* Against the byte-at-a-time reference: every length up to 300 bytes,
 * random bytes, summed whole and in two pieces cut at every even place,
 * from a nonzero starting sum too (as the pseudo-header gives). */
START_TEST(test_checksum_matches_the_reference_at_every_length)
{
    uint8_t b[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof b; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 16);
    }
    for (size_t n = 0; n <= sizeof b; n++) {
        ck_assert_uint_eq(inet_checksum(b, n), ref_csum(b, n));
        for (size_t cut = 0; cut <= n; cut += 2)
            ck_assert_uint_eq(inet_fold(inet_sum(inet_sum(0, b, cut), b + cut, n - cut)),
                              (uint16_t)(0xffff - ref_csum(b, n)));
        uint8_t t[302];
        t[0] = 0xbe;
        t[1] = 0xef;
        memcpy(t + 2, b, n);
        ck_assert_uint_eq((uint16_t)~inet_fold(inet_sum(0xbeef, b, n)), ref_csum(t, n + 2));
    }
}
END_TEST

START_TEST(test_checksum_carries_do_not_overflow)
{
    size_t n = 1u << 20;                 /* 512 Ki words of 0xffff */
    uint8_t *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memset(b, 0xff, n);
    ck_assert_uint_eq(inet_fold(inet_sum(0, b, n)), 0xffff);
    ck_assert_uint_eq(inet_checksum(b, n), 0);
    b[0] = 0xfe;                         /* one less: sum ffff - 0100 */
    ck_assert_uint_eq(inet_checksum(b, n), ref_csum(b, n));
    free(b);
}
END_TEST

/* ---- encode ------------------------------------------------------------- */

START_TEST(test_rfc7323_2_2_wscale_option_bytes)
{
    /* RFC 7323 2.2: Kind 3, Length 3, shift.cnt; sent after a NOP so the
     * header stays a whole number of 32-bit words. */
    uint8_t buf[FRAME_MAX];
    struct ip4_hdr ip = client_ip(1);
    struct tcp_hdr t = { .sport = 49152, .dport = 80, .seq = 1000, .flags = TCP_SYN,
                         .win = 65535, .mss = 1460 };
    tcp_opt_set(&t, TCPOPT_WSCALE, 7);
    size_t n = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t, NULL, 0);
    ck_assert_uint_gt(n, 0);
    const uint8_t *o = buf + ETH_HDR_LEN + IP4_HDR_LEN + TCP_HDR_LEN;
    static const uint8_t want[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
    ck_assert_mem_eq(o, want, 8);
    struct frame f;
    char err[64];
    ck_assert_int_eq(decode_exact(buf, n, &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.tcp.doff, 7);
    ck_assert_int_eq(f.l4_csum_ok, 1);
    uint32_t v = 0;
    ck_assert(tcp_opt_get(&f.tcp, TCPOPT_WSCALE, &v));
    ck_assert_uint_eq(v, 7);
    ck_assert(tcp_opt_get(&f.tcp, TCPOPT_MSS, &v));
    ck_assert_uint_eq(v, 1460);
    char line[128];
    ck_assert_str_eq(frame_summary(&f, line, sizeof line),
                     "SYN seq=1000 win=65535 mss=1460 wscale=7");
    /* a smaller buffer gets the summary's first n - 1 bytes, whole or not */
    for (size_t k = 1; k < 42; k++) {
        char cut[64];
        memset(cut, 'x', sizeof cut);
        frame_summary(&f, cut, k);
        ck_assert_uint_eq(strlen(cut), k - 1);
        ck_assert_int_eq(strncmp(cut, line, k - 1), 0);
        ck_assert_int_eq(cut[k], 'x');               /* nothing past n */
    }
    ck_assert_str_eq(tcp_opts_str(&f.tcp, " ", line, sizeof line), " mss 1460 wscale 7");

    /* a window scale option of the wrong length is malformed: the
     * segment decodes without it and says where it is */
    uint8_t *w = (uint8_t *)o + 6;
    *w = 4;                                  /* length 4 overruns into nothing */
    ck_assert_int_eq(frame_decode(buf, n, &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.tcp_opt_bad, 25);
    ck_assert_int_eq(f.tcp_opt_stop, 1);
    ck_assert_int_eq(f.tcp.has_wscale, 0);
    o = buf + ETH_HDR_LEN + IP4_HDR_LEN + TCP_HDR_LEN;
    ((uint8_t *)o)[4] = 3;                   /* NOP becomes a WS of length 3 ... */
    ((uint8_t *)o)[5] = 2;                   /* ... that says length 2 */
    ck_assert_int_eq(frame_decode(buf, n, &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.tcp_opt_bad, 24);
    ck_assert_int_eq(f.tcp_opt_stop, 0);
}
END_TEST

START_TEST(test_tcp_syn_mss_roundtrip)
{
    uint8_t buf[FRAME_MAX];
    struct ip4_hdr ip = client_ip(1);
    struct tcp_hdr t = { .sport = 49152, .dport = 80, .seq = 1000, .flags = TCP_SYN,
                         .win = 65535, .mss = 1460 };
    size_t n = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t, NULL, 0);
    ck_assert_uint_eq(n, ETH_MIN_FRAME);

    struct frame f;
    char err[64];
    ck_assert_int_eq(decode_exact(buf, n, &f, err, sizeof err), 0);
    ck_assert_mem_eq(f.eth.dst.b, SERVER_MAC.b, 6);
    ck_assert_mem_eq(f.eth.src.b, CLIENT_MAC.b, 6);
    ck_assert_uint_eq(f.eth.type, ETHERTYPE_IPV4);
    ck_assert_int_eq(f.has_ip, 1);
    ck_assert_uint_eq(f.ip.ihl, 5);
    ck_assert_uint_eq(f.ip.tos, 0);
    ck_assert_uint_eq(f.ip.total_len, 20 + 24);
    ck_assert_uint_eq(f.ip.id, 1);
    ck_assert_uint_eq(f.ip.frag, 0x4000);
    ck_assert_uint_eq(f.ip.ttl, 64);
    ck_assert_uint_eq(f.ip.proto, IPPROTO_TCP_NUM);
    ck_assert_uint_eq(f.ip.src, CLIENT_IP);
    ck_assert_uint_eq(f.ip.dst, SERVER_IP);
    ck_assert_int_eq(f.ip_csum_ok, 1);
    ck_assert_int_eq(f.l4, IPPROTO_TCP_NUM);
    ck_assert_uint_eq(f.tcp.sport, 49152);
    ck_assert_uint_eq(f.tcp.dport, 80);
    ck_assert_uint_eq(f.tcp.seq, 1000);
    ck_assert_uint_eq(f.tcp.ack, 0);
    ck_assert_uint_eq(f.tcp.doff, 6);
    ck_assert_uint_eq(f.tcp.flags, TCP_SYN);
    ck_assert_uint_eq(f.tcp.win, 65535);
    ck_assert_uint_eq(f.tcp.urg, 0);
    ck_assert_uint_eq(f.tcp.mss, 1460);
    ck_assert_int_eq(f.l4_csum_ok, 1);
    ck_assert_uint_eq(f.payload_len, 0);
    /* The checksum fields agree with the reference implementation. */
    ck_assert_uint_eq(ref_csum(buf + 14, 20), 0);
    ck_assert_uint_eq(ref_l4_csum(CLIENT_IP, SERVER_IP, 6, buf + 34, 24), 0);
}
END_TEST

START_TEST(test_encode_matches_known_vectors)
{
    uint8_t buf[FRAME_MAX];
    size_t n;

    /* The hand-laid vectors are self-consistent by the reference sum ... */
    ck_assert_uint_eq(ref_csum(SYN_FRAME + 14, 20), 0);
    ck_assert_uint_eq(ref_l4_csum(CLIENT_IP, SERVER_IP, 6, SYN_FRAME + 34, 24), 0);
    ck_assert_uint_eq(ref_csum(DATA_FRAME + 14, 20), 0);
    ck_assert_uint_eq(ref_l4_csum(CLIENT_IP, SERVER_IP, 6, DATA_FRAME + 34, 25), 0);
    ck_assert_uint_eq(ref_csum(UDP_FRAME + 14, 20), 0);
    ck_assert_uint_eq(ref_l4_csum(CLIENT_IP, SERVER_IP, 17, UDP_FRAME + 34, 37), 0);
    /* ... and the IPv4 header checksum of the SYN, recomputed from a copy
     * with the field zeroed, is the one written in the vector. */
    uint8_t h[20];
    memcpy(h, SYN_FRAME + 14, 20);
    h[10] = h[11] = 0;
    ck_assert_uint_eq(ref_csum(h, 20), 0xb670);

    /* ... and the encoders produce exactly those bytes. */
    struct ip4_hdr ip = client_ip(1);
    struct tcp_hdr syn = { .sport = 49152, .dport = 80, .seq = 1000, .flags = TCP_SYN,
                           .win = 65535, .mss = 1460 };
    n = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &syn, NULL, 0);
    ck_assert_uint_eq(n, sizeof SYN_FRAME);
    ck_assert_mem_eq(buf, SYN_FRAME, n);

    ip = client_ip(3);
    struct tcp_hdr data = { .sport = 49152, .dport = 80, .seq = 1001, .ack = 301,
                            .flags = TCP_PSH | TCP_ACK, .win = 65535 };
    n = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &data,
                         (const uint8_t *)"hello", 5);
    ck_assert_uint_eq(n, sizeof DATA_FRAME);
    ck_assert_mem_eq(buf, DATA_FRAME, n);

    ip = client_ip(6);
    struct udp_hdr u = { .sport = 49152, .dport = 53 };
    n = udp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &u,
                         DNS_QUERY, sizeof DNS_QUERY);
    ck_assert_uint_eq(n, sizeof UDP_FRAME);
    ck_assert_mem_eq(buf, UDP_FRAME, n);
}
END_TEST

START_TEST(test_decode_known_vectors)
{
    struct frame f;
    char err[64];

    ck_assert_int_eq(decode_exact(DATA_FRAME, sizeof DATA_FRAME, &f, err, sizeof err), 0);
    ck_assert_int_eq(f.ip_csum_ok, 1);
    ck_assert_int_eq(f.l4_csum_ok, 1);
    ck_assert_uint_eq(f.tcp.seq, 1001);
    ck_assert_uint_eq(f.tcp.ack, 301);
    ck_assert_uint_eq(f.tcp.flags, TCP_PSH | TCP_ACK);
    ck_assert_uint_eq(f.tcp.doff, 5);
    ck_assert_uint_eq(f.tcp.mss, 0);
    ck_assert_uint_eq(f.tcp.checksum, 0x2234);
    ck_assert_uint_eq(f.ip.checksum, 0xb66d);
    ck_assert_uint_eq(f.payload_len, 5);         /* not 6: the last byte is padding */

    ck_assert_int_eq(frame_decode(UDP_FRAME, sizeof UDP_FRAME, &f, err, sizeof err), 0);
    ck_assert_int_eq(f.l4, IPPROTO_UDP_NUM);
    ck_assert_int_eq(f.ip_csum_ok, 1);
    ck_assert_int_eq(f.l4_csum_ok, 1);
    ck_assert_uint_eq(f.udp.sport, 49152);
    ck_assert_uint_eq(f.udp.dport, 53);
    ck_assert_uint_eq(f.udp.len, 8 + sizeof DNS_QUERY);
    ck_assert_uint_eq(f.udp.checksum, 0xd971);
    ck_assert_uint_eq(f.payload_len, sizeof DNS_QUERY);
    ck_assert_ptr_eq(f.payload, UDP_FRAME + 42);
    ck_assert_mem_eq(f.payload, DNS_QUERY, sizeof DNS_QUERY);
}
END_TEST

START_TEST(test_encode_defaults_and_limits)
{
    uint8_t buf[FRAME_MAX + 8];
    static uint8_t big[FRAME_MAX];
    struct ip4_hdr ip = { .src = CLIENT_IP, .dst = SERVER_IP };      /* ttl 0 */
    struct tcp_hdr t = { .sport = 1, .dport = 2, .flags = TCP_ACK, .win = 100 };
    struct udp_hdr u = { .sport = 1, .dport = 2 };

    size_t n = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t, NULL, 0);
    ck_assert_uint_eq(n, 60);
    ck_assert_uint_eq(buf[22], 64);                   /* TTL 0 means the default 64 */
    ck_assert_uint_eq(buf[20], 0x40);                 /* DF */
    ck_assert_uint_eq(buf[46] >> 4, 5);               /* no MSS: doff 5 */

    ck_assert_uint_eq(tcp_frame_encode(buf, 59, CLIENT_MAC, SERVER_MAC, &ip, &t, NULL, 0), 0);
    ck_assert_uint_eq(udp_frame_encode(buf, 59, CLIENT_MAC, SERVER_MAC, &ip, &u, NULL, 0), 0);
    /* A full-size segment: 14 + 20 + 20 + 1460 = FRAME_MAX. */
    ck_assert_uint_eq(tcp_frame_encode(buf, FRAME_MAX, CLIENT_MAC, SERVER_MAC, &ip, &t, big, 1460),
                      FRAME_MAX);
    ck_assert_uint_eq(tcp_frame_encode(buf, FRAME_MAX - 1, CLIENT_MAC, SERVER_MAC, &ip, &t, big, 1460),
                      0);
    /* Larger than an Ethernet frame: refused however big the buffer. */
    ck_assert_uint_eq(tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t, big, 1461),
                      0);
    t.mss = 1460;
    ck_assert_uint_eq(tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t, big, 1460),
                      0);
    ck_assert_uint_eq(udp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &u, big, 1472),
                      FRAME_MAX);
    ck_assert_uint_eq(udp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &u, big, 1473),
                      0);
    struct eth_hdr e = { .dst = MAC_BROADCAST, .src = CLIENT_MAC, .type = ETHERTYPE_ARP };
    ck_assert_uint_eq(eth_encode(buf, 59, &e, big, 28), 0);
    ck_assert_uint_eq(eth_encode(buf, sizeof buf, &e, big, 1501), 0);
}
END_TEST

START_TEST(test_eth_encode_arp_is_padded_and_passed_through)
{
    uint8_t buf[FRAME_MAX], arp[28];
    for (size_t i = 0; i < sizeof arp; i++)
        arp[i] = (uint8_t)(i + 1);
    memset(buf, 0xee, sizeof buf);
    struct eth_hdr e = { .dst = MAC_BROADCAST, .src = CLIENT_MAC, .type = ETHERTYPE_ARP };
    size_t n = eth_encode(buf, sizeof buf, &e, arp, sizeof arp);
    ck_assert_uint_eq(n, ETH_MIN_FRAME);
    ck_assert_mem_eq(buf, MAC_BROADCAST.b, 6);
    ck_assert_mem_eq(buf + 6, CLIENT_MAC.b, 6);
    ck_assert_uint_eq(be16(buf + 12), ETHERTYPE_ARP);
    ck_assert_mem_eq(buf + 14, arp, sizeof arp);
    for (size_t i = 14 + sizeof arp; i < n; i++)
        ck_assert_uint_eq(buf[i], 0);

    struct frame f;
    ck_assert_int_eq(frame_decode(buf, n, &f, NULL, 0), 0);
    ck_assert_int_eq(f.has_ip, 0);
    ck_assert_int_eq(f.l4, 0);
    ck_assert_uint_eq(f.eth.type, ETHERTYPE_ARP);
    ck_assert_ptr_eq(f.payload, buf + 14);
    ck_assert_uint_eq(f.payload_len, n - 14);
}
END_TEST

START_TEST(test_udp_zero_checksum_is_sent_as_ffff)
{
    uint8_t buf[FRAME_MAX], pl[2] = { 0, 0 };
    struct ip4_hdr ip = client_ip(7);
    struct udp_hdr u = { .sport = 40000, .dport = 9 };
    size_t n = udp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &u, pl, 2);
    uint16_t c = be16(buf + 40);
    ck_assert_uint_ne(c, 0xffff);
    /* With payload word w = 0 the checksum is ~S.  Putting w = ~S makes the
     * one's-complement sum 0xffff, i.e. a computed checksum of 0. */
    pl[0] = (uint8_t)(c >> 8);
    pl[1] = (uint8_t)c;
    n = udp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &u, pl, 2);
    ck_assert_uint_eq(be16(buf + 40), 0xffff);
    ck_assert_uint_eq(ref_l4_csum(CLIENT_IP, SERVER_IP, 17, buf + 34, 10), 0);

    struct frame f;
    ck_assert_int_eq(decode_exact(buf, n, &f, NULL, 0), 0);
    ck_assert_uint_eq(f.udp.checksum, 0xffff);
    ck_assert_int_eq(f.l4_csum_ok, 1);

    /* Zero on the wire means "no checksum" (RFC 768): accepted unverified. */
    buf[40] = buf[41] = 0;
    buf[42] ^= 0x01;
    ck_assert_int_eq(decode_exact(buf, n, &f, NULL, 0), 0);
    ck_assert_int_eq(f.l4_csum_ok, 1);
}
END_TEST

START_TEST(test_udp_checksum_valid_for_many_payloads)
{
    uint8_t buf[FRAME_MAX], pl[64];
    struct ip4_hdr ip = client_ip(0x4242);
    struct udp_hdr u = { .sport = 49152, .dport = 53 };
    struct frame f;

    for (size_t len = 0; len <= sizeof pl; len++) {
        for (size_t i = 0; i < len; i++)
            pl[i] = (uint8_t)(len * 31 + i * 7);
        size_t n = udp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &u, pl, len);
        ck_assert_uint_ge(n, 60);
        ck_assert_uint_ne(be16(buf + 40), 0);
        ck_assert_uint_eq(ref_l4_csum(CLIENT_IP, SERVER_IP, 17, buf + 34, 8 + len), 0);
        ck_assert_uint_eq(ref_csum(buf + 14, 20), 0);
        ck_assert_int_eq(decode_exact(buf, n, &f, NULL, 0), 0);
        ck_assert_int_eq(f.l4_csum_ok, 1);
        ck_assert_uint_eq(f.payload_len, len);
    }
}
END_TEST

/* ---- decode ------------------------------------------------------------- */

START_TEST(test_flipped_byte_breaks_checksums)
{
    uint8_t b[sizeof DATA_FRAME];
    struct frame f;

    memcpy(b, DATA_FRAME, sizeof b);
    b[54] ^= 0x20;                                   /* 'h' -> 'H' */
    ck_assert_int_eq(decode_exact(b, sizeof b, &f, NULL, 0), 0);
    ck_assert_int_eq(f.ip_csum_ok, 1);
    ck_assert_int_eq(f.l4_csum_ok, 0);

    memcpy(b, DATA_FRAME, sizeof b);
    b[48] ^= 0x01;                                   /* TCP window */
    ck_assert_int_eq(decode_exact(b, sizeof b, &f, NULL, 0), 0);
    ck_assert_int_eq(f.l4_csum_ok, 0);

    memcpy(b, DATA_FRAME, sizeof b);
    b[29] ^= 0x01;                                   /* IP source: in the pseudo-header too */
    ck_assert_int_eq(decode_exact(b, sizeof b, &f, NULL, 0), 0);
    ck_assert_int_eq(f.ip_csum_ok, 0);
    ck_assert_int_eq(f.l4_csum_ok, 0);

    memcpy(b, DATA_FRAME, sizeof b);
    b[22] = 63;                                      /* TTL: IP header only */
    ck_assert_int_eq(decode_exact(b, sizeof b, &f, NULL, 0), 0);
    ck_assert_int_eq(f.ip_csum_ok, 0);
    ck_assert_int_eq(f.l4_csum_ok, 1);

    memcpy(b, DATA_FRAME, sizeof b);
    b[59] = 0x5a;                                    /* padding is not covered */
    ck_assert_int_eq(decode_exact(b, sizeof b, &f, NULL, 0), 0);
    ck_assert_int_eq(f.ip_csum_ok, 1);
    ck_assert_int_eq(f.l4_csum_ok, 1);

    uint8_t u[sizeof UDP_FRAME];
    memcpy(u, UDP_FRAME, sizeof u);
    u[sizeof u - 1] ^= 0x80;
    ck_assert_int_eq(decode_exact(u, sizeof u, &f, NULL, 0), 0);
    ck_assert_int_eq(f.l4_csum_ok, 0);
}
END_TEST

/* Every prefix of a frame decodes without reading past it, and fails
 * exactly when its headers (Ethernet, IPv4, the fixed 20 bytes of TCP or
 * UDP's 8) do not fit; a prefix that holds them but not the whole IP
 * packet is a frame cut by a capture's snapshot length, as tshark reads
 * it: it decodes, f.cut gives the data bytes missing (and tcp_hdr_cut the
 * TCP option bytes) and the checksum is not claimed good. */
static void check_truncations(const uint8_t *frame, size_t len)
{
    size_t need = 14 + be16(frame + 16);             /* Ethernet + IP total length */
    size_t ihl = (size_t)(frame[14] & 0x0f) * 4;
    int tcp = frame[23] == IPPROTO_TCP_NUM;
    size_t hdrs = 14 + ihl + (tcp ? (size_t)(frame[14 + ihl + 12] >> 4) * 4 : 8);
    size_t fixed = 14 + ihl + (tcp ? 20 : 8);
    struct frame f;
    char err[80];

    for (size_t l = 0; l <= len; l++) {
        err[0] = '\0';
        int rc = decode_exact(frame, l, &f, err, sizeof err);
        ck_assert_msg(rc == (l >= fixed ? 0 : -1), "len %zu: rc %d", l, rc);
        if (rc < 0) {
            ck_assert_msg(err[0] != '\0', "len %zu: no reason given", l);
        } else if (l >= need) {
            ck_assert_uint_eq(f.cut, 0);
            ck_assert_uint_eq(f.tcp_hdr_cut, 0);
            ck_assert_int_eq(f.l4_csum_ok, 1);
        } else if (l < hdrs) {
            ck_assert_uint_eq(f.tcp_hdr_cut, hdrs - l);
            ck_assert_msg(f.cut == need - hdrs, "len %zu: cut %zu", l, f.cut);
            ck_assert_uint_eq(f.payload_len, 0);
            ck_assert_int_eq(f.l4_csum_ok, 0);
        } else {
            ck_assert_msg(f.cut == need - l, "len %zu: cut %zu", l, f.cut);
            ck_assert_uint_eq(f.tcp_hdr_cut, 0);
            ck_assert_uint_eq(f.payload_len, l - hdrs);
            ck_assert_int_eq(f.l4_csum_ok, 0);
            ck_assert_int_eq(f.has_ip, 1);
        }
    }
}

START_TEST(test_truncated_frames_fail_cleanly)
{
    uint8_t buf[FRAME_MAX], pl[1460];
    struct ip4_hdr ip = client_ip(1);
    struct tcp_hdr t = { .sport = 49152, .dport = 80, .seq = 5, .ack = 6,
                         .flags = TCP_ACK, .win = 1000, .mss = 1400 };

    check_truncations(SYN_FRAME, sizeof SYN_FRAME);
    check_truncations(DATA_FRAME, sizeof DATA_FRAME);
    check_truncations(UDP_FRAME, sizeof UDP_FRAME);
    for (size_t i = 0; i < sizeof pl; i++)
        pl[i] = (uint8_t)i;
    size_t n = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t, pl, 1456);
    ck_assert_uint_eq(n, FRAME_MAX);
    check_truncations(buf, n);

    /* A frame cut inside the Ethernet header has no IP to speak of. */
    struct frame f;
    ck_assert_int_eq(frame_decode(NULL, 0, &f, NULL, 0), -1);
    ck_assert_int_eq(decode_exact(SYN_FRAME, 13, &f, NULL, 0), -1);
    ck_assert_int_eq(f.has_ip, 0);
}
END_TEST

START_TEST(test_padding_is_not_payload)
{
    uint8_t buf[FRAME_MAX];
    struct ip4_hdr ip = server_ip(2);
    struct tcp_hdr t = { .sport = 80, .dport = 49152, .seq = 301, .ack = 1006,
                         .flags = TCP_ACK, .win = 65535 };
    struct frame f;

    size_t n = tcp_frame_encode(buf, sizeof buf, SERVER_MAC, CLIENT_MAC, &ip, &t, NULL, 0);
    ck_assert_uint_eq(n, 60);
    for (size_t i = 54; i < n; i++) {
        ck_assert_uint_eq(buf[i], 0);            /* the encoder pads with zeros */
        buf[i] = 0xaa;                           /* some NICs pad with junk */
    }
    ck_assert_int_eq(decode_exact(buf, n, &f, NULL, 0), 0);
    ck_assert_uint_eq(f.payload_len, 0);
    ck_assert_int_eq(f.l4_csum_ok, 1);

    struct udp_hdr u = { .sport = 40000, .dport = 9 };
    n = udp_frame_encode(buf, sizeof buf, SERVER_MAC, CLIENT_MAC, &ip, &u,
                         (const uint8_t *)"hi", 2);
    ck_assert_uint_eq(n, 60);
    memset(buf + 44, 0xbb, n - 44);
    ck_assert_int_eq(frame_decode(buf, n, &f, NULL, 0), 0);
    ck_assert_uint_eq(f.payload_len, 2);
    ck_assert_mem_eq(f.payload, "hi", 2);
    ck_assert_int_eq(f.l4_csum_ok, 1);
}
END_TEST

START_TEST(test_tcp_options_unknown_skipped)
{
    /* NOP NOP Timestamps(8,10) SACK-permitted(4,2) MSS(2,4) WScale(3,3) NOP. */
    static const uint8_t opts[24] = {
        1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
        4, 2, 2, 4, 0x05, 0xb4, 3, 3, 7, 1, 1, 1,
    };
    uint8_t buf[FRAME_MAX];
    struct frame f;
    char err[64];
    size_t n = build_tcp_raw(buf, sizeof buf, TCP_SYN, opts, sizeof opts, NULL, 0);

    ck_assert_int_eq(decode_exact(buf, n, &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.tcp.doff, 11);
    ck_assert_uint_eq(f.tcp.mss, 1460);
    ck_assert_int_eq(f.ip_csum_ok, 1);
    ck_assert_int_eq(f.l4_csum_ok, 1);
    ck_assert_uint_eq(f.payload_len, 0);
}
END_TEST

START_TEST(test_tcp_option_eol_stops_parsing)
{
    /* EOL, then bytes that would be a bad option if they were parsed. */
    static const uint8_t opts[8] = { 1, 0, 2, 0xff, 0, 0, 0, 0 };
    uint8_t buf[FRAME_MAX];
    struct frame f;
    size_t n = build_tcp_raw(buf, sizeof buf, TCP_SYN, opts, sizeof opts,
                             (const uint8_t *)"xyz", 3);

    ck_assert_int_eq(decode_exact(buf, n, &f, NULL, 0), 0);
    ck_assert_int_eq(frame_decode(buf, n, &f, NULL, 0), 0);
    ck_assert_uint_eq(f.tcp.mss, 0);
    ck_assert_int_eq(f.l4_csum_ok, 1);
    ck_assert_uint_eq(f.payload_len, 3);
    ck_assert_ptr_eq(f.payload, buf + 14 + 20 + 28);
    ck_assert_mem_eq(f.payload, "xyz", 3);
}
END_TEST

/* A malformed option does not make the segment malformed (RFC 9293 3.1,
 * MUST-7: be prepared for it; Linux's tcp_parse_options() stops at a bad
 * length and passes over a known option of the wrong length): the
 * segment decodes, and says where its options went wrong.  They were
 * "malformed frames" before, which --read gave to no TCB. */
START_TEST(test_tcp_option_malformed_lengths_marked)
{
    static const struct {
        uint8_t opt[8];
        unsigned at;             /* tcp_opt_bad */
        int stop;                /* tcp_opt_stop */
    } bad[] = {
        { { 3, 0, 1, 1, 0, 0, 0, 0 }, 20, 1 },   /* length 0 */
        { { 3, 1, 1, 1, 0, 0, 0, 0 }, 20, 1 },   /* length 1 */
        { { 8, 10, 0, 0, 0, 0, 0, 0 }, 20, 1 },  /* runs past the header */
        { { 1, 1, 1, 1, 1, 1, 1, 3 }, 27, 1 },   /* kind in the last byte, no length */
        { { 2, 5, 5, 0xb4, 1, 1, 1, 1 }, 20, 0 }, /* MSS with length 5: passed over */
        { { 1, 1, 1, 1, 1, 1, 4, 3 }, 26, 1 },   /* length 3 from byte 26: one over */
        { { 2, 3, 5, 3, 3, 7, 1, 1 }, 20, 0 },   /* MSS of length 3, then WS 7 */
    };
    uint8_t buf[FRAME_MAX];
    struct frame f;
    char err[80], line[160];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = build_tcp_raw(buf, sizeof buf, TCP_ACK, bad[i].opt, 8,
                                 (const uint8_t *)"xyz", 3);
        ck_assert_msg(decode_exact(buf, n, &f, err, sizeof err) == 0,
                      "case %zu: %s", i, err);
        ck_assert_uint_eq(f.tcp_opt_bad, bad[i].at);
        ck_assert_int_eq(f.tcp_opt_stop, bad[i].stop);
        ck_assert_int_eq(f.l4_csum_ok, 1);
        ck_assert_uint_eq(f.tcp.mss, 0);          /* no MSS is taken from it */
        ck_assert_int_eq(frame_decode(buf, n, &f, NULL, 0), 0);
        ck_assert_uint_eq(f.payload_len, 3);
        ck_assert_mem_eq(f.payload, "xyz", 3);
        snprintf(err, sizeof err, " badopt=%u len=3", bad[i].at);
        frame_summary(&f, line, sizeof line);
        ck_assert_msg(strstr(line, err) != NULL, "case %zu: %s", i, line);
    }
    ck_assert_int_eq(f.tcp.has_wscale, 1);         /* read behind the bad MSS */
    ck_assert_uint_eq(f.tcp.wscale, 7);
    /* Same lengths done right are not marked. */
    static const uint8_t good[4] = { 1, 1, 4, 2 };
    size_t n = build_tcp_raw(buf, sizeof buf, TCP_SYN, good, 4, NULL, 0);
    ck_assert_int_eq(decode_exact(buf, n, &f, NULL, 0), 0);
    ck_assert_uint_eq(f.tcp_opt_bad, 0);
    frame_summary(&f, line, sizeof line);
    ck_assert_ptr_null(strstr(line, "badopt"));
}
END_TEST

/* A capture's snapshot length that ends a TCP header inside its options
 * (tcpdump -s 54 does for every segment with options): the fixed header
 * and the options wholly captured are read, the one the cut reaches is
 * not, and nothing is malformed.  Such a frame was "TCP header cut by the
 * snapshot length", and --read drew none of them. */
START_TEST(test_tcp_header_cut_inside_options)
{
    static const uint8_t opts[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
    uint8_t buf[FRAME_MAX];
    size_t n = build_tcp_raw(buf, sizeof buf, TCP_SYN | TCP_ACK, opts, 8,
                             (const uint8_t *)"hello", 5);
    const size_t hdrs = 14 + 20 + 20;
    static const struct { size_t got; uint16_t mss; int ws; } cut[] = {
        { 0, 0, 0 }, { 3, 0, 0 }, { 4, 1460, 0 }, { 5, 1460, 0 }, { 6, 1460, 0 },
        { 7, 1460, 0 },
    };
    struct frame f;
    char err[80], line[160], want[64];
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        ck_assert_msg(frame_decode(buf, hdrs + cut[i].got, &f, err, sizeof err) == 0,
                      "%zu bytes of options: %s", cut[i].got, err);
        ck_assert_uint_eq(f.tcp.doff, 7);
        ck_assert_uint_eq(f.tcp.seq, 100);
        ck_assert_uint_eq(f.tcp_hdr_cut, 8 - cut[i].got);
        ck_assert_uint_eq(f.tcp_opt_bad, 0);
        ck_assert_uint_eq(f.tcp.mss, cut[i].mss);
        ck_assert_int_eq(f.tcp.has_wscale, cut[i].ws);
        ck_assert_uint_eq(f.payload_len, 0);
        ck_assert_uint_eq(f.cut, 5);                 /* the data, all missing */
        ck_assert_int_eq(f.l4_csum_ok, 0);           /* not checked */
        frame_summary(&f, line, sizeof line);
        snprintf(want, sizeof want, " opts=8 (%zu captured) len=5 (0 captured)",
                 cut[i].got);
        ck_assert_msg(strstr(line, want) != NULL, "%s", line);
    }
    /* the whole header: nothing cut */
    ck_assert_int_eq(frame_decode(buf, hdrs + 8, &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.tcp_hdr_cut, 0);
    ck_assert_int_eq(f.tcp.has_wscale, 1);
    ck_assert_uint_eq(f.cut, 5);
    /* an IPv4 total length too short for the data offset is malformed */
    buf[14 + 3] = 20 + 24;                           /* total length 44 < 20 + 28 */
    ck_assert_int_eq(frame_decode(buf, hdrs + 4, &f, err, sizeof err), -1);
    ck_assert_str_eq(err, "TCP data offset beyond the segment");
    (void)n;
}
END_TEST

START_TEST(test_bad_headers_rejected)
{
    uint8_t b[sizeof DATA_FRAME];
    struct frame f;
    char err[80];
    struct { size_t off; uint8_t val; } cases[] = {
        { 14, 0x65 },            /* IP version 6 */
        { 14, 0x44 },            /* IHL 4 */
        { 14, 0x4f },            /* IHL 15: options beyond the frame */
        { 17, 19 },              /* total length 19 < header */
        { 46, 0x40 },            /* TCP doff 4 */
        { 46, 0x70 },            /* TCP doff 7: 28 > 25-byte segment */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(b, DATA_FRAME, sizeof b);
        b[cases[i].off] = cases[i].val;
        err[0] = '\0';
        ck_assert_msg(decode_exact(b, sizeof b, &f, err, sizeof err) == -1, "case %zu", i);
        ck_assert(err[0] != '\0');
    }
    /* A total length past the frame is read as a cut frame (the caller,
     * which knows the length on the wire, tells it from a lie): the
     * headers decode and f.cut counts what is missing. */
    memcpy(b, DATA_FRAME, sizeof b);
    b[17] = (uint8_t)(sizeof b - 14 + 2);
    ck_assert_int_eq(decode_exact(b, sizeof b, &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.cut, 2);
    /* IP total length 24: only 4 bytes of TCP remain. */
    memcpy(b, DATA_FRAME, sizeof b);
    b[17] = 24;
    ck_assert_int_eq(decode_exact(b, sizeof b, &f, err, sizeof err), -1);

    /* UDP length below 8, and beyond the IP payload. */
    uint8_t u[sizeof UDP_FRAME];
    memcpy(u, UDP_FRAME, sizeof u);
    u[39] = 7;
    ck_assert_int_eq(decode_exact(u, sizeof u, &f, err, sizeof err), -1);
    memcpy(u, UDP_FRAME, sizeof u);
    u[39] = 0x26;
    ck_assert_int_eq(decode_exact(u, sizeof u, &f, err, sizeof err), -1);
    /* UDP length reaching into the Ethernet padding, past the IP payload. */
    uint8_t pad[FRAME_MAX];
    struct ip4_hdr ip = client_ip(1);
    struct udp_hdr uh = { .sport = 40000, .dport = 9 };
    size_t n = udp_frame_encode(pad, sizeof pad, CLIENT_MAC, SERVER_MAC, &ip, &uh,
                                (const uint8_t *)"hi", 2);
    ck_assert_uint_eq(n, 60);
    ck_assert_int_eq(decode_exact(pad, n, &f, err, sizeof err), 0);
    pad[39] = 12;
    ck_assert_int_eq(decode_exact(pad, n, &f, err, sizeof err), -1);
    /* UDP length shorter than the IP payload: the UDP length wins. */
    memcpy(u, UDP_FRAME, sizeof u);
    u[39] = 0x24;
    ck_assert_int_eq(decode_exact(u, sizeof u, &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.payload_len, sizeof DNS_QUERY - 1);

    /* A short buffer is never an error message overflow either. */
    char tiny[4];
    ck_assert_int_eq(decode_exact(SYN_FRAME, 20, &f, tiny, sizeof tiny), -1);
    ck_assert_uint_eq(strlen(tiny), 3);
}
END_TEST

START_TEST(test_ip_options_and_fragments)
{
    /* IHL 6 with four NOP option bytes, carrying a UDP datagram. */
    uint8_t b[14 + 24 + 8 + 4];
    struct frame f;
    memcpy(b, UDP_FRAME, 14);
    uint8_t *ip = b + 14, *u = ip + 24;
    memset(ip, 0, 24);
    ip[0] = 0x46; ip[3] = 24 + 12; ip[6] = 0x40; ip[8] = 64; ip[9] = 17;
    memcpy(ip + 12, UDP_FRAME + 26, 8);
    ip[20] = ip[21] = ip[22] = ip[23] = 1;
    uint16_t c = ref_csum(ip, 24);
    ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
    memset(u, 0, 12);
    u[0] = 0x9c; u[1] = 0x40; u[3] = 9; u[5] = 12;
    memcpy(u + 8, "ping", 4);
    c = ref_l4_csum(CLIENT_IP, SERVER_IP, 17, u, 12);
    u[6] = (uint8_t)(c >> 8); u[7] = (uint8_t)c;

    ck_assert_int_eq(decode_exact(b, sizeof b, &f, NULL, 0), 0);
    ck_assert_uint_eq(f.ip.ihl, 6);
    ck_assert_int_eq(f.ip_csum_ok, 1);
    ck_assert_int_eq(f.l4, IPPROTO_UDP_NUM);
    ck_assert_int_eq(f.l4_csum_ok, 1);
    ck_assert_uint_eq(f.udp.sport, 40000);
    ck_assert_uint_eq(f.payload_len, 4);

    /* More-fragments set: the L4 header is not interpreted. */
    uint8_t d[sizeof DATA_FRAME];
    memcpy(d, DATA_FRAME, sizeof d);
    d[20] = 0x20;
    ck_assert_int_eq(decode_exact(d, sizeof d, &f, NULL, 0), 0);
    ck_assert_int_eq(f.has_ip, 1);
    ck_assert_int_eq(f.l4, 0);
    ck_assert_uint_eq(f.payload_len, 25);

    /* Another protocol (ICMP) is IP payload, not an error. */
    memcpy(d, DATA_FRAME, sizeof d);
    d[23] = 1;
    ck_assert_int_eq(decode_exact(d, sizeof d, &f, NULL, 0), 0);
    ck_assert_int_eq(f.l4, 0);
    ck_assert_uint_eq(f.payload_len, 25);
    char s[80];
    ck_assert_str_eq(frame_summary(&f, s, sizeof s), "IPv4 proto=1 len=25");
}
END_TEST

/* A small deterministic fuzz: mutate bytes and lengths of valid frames. */
START_TEST(test_mutated_frames_do_not_crash)
{
    const uint8_t *seeds[] = { SYN_FRAME, DATA_FRAME, UDP_FRAME };
    const size_t lens[] = { sizeof SYN_FRAME, sizeof DATA_FRAME, sizeof UDP_FRAME };
    uint8_t b[128];
    uint32_t x = 12345;
    struct frame f;
    char err[64], s[128];

    for (int it = 0; it < 30000; it++) {
        size_t k = (size_t)it % 3, len = lens[k];
        memcpy(b, seeds[k], len);
        x = x * 1103515245u + 12345u;
        int muts = 1 + (int)(x >> 28) % 4;
        for (int m = 0; m < muts; m++) {
            x = x * 1103515245u + 12345u;
            b[(x >> 8) % len] = (uint8_t)(x >> 20);
        }
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 4 == 0)
            len = (x >> 20) % (len + 1);
        if (decode_exact(b, len, &f, err, sizeof err) == 0)
            frame_summary(&f, s, sizeof s);
    }
}
END_TEST

/* ---- text --------------------------------------------------------------- */

START_TEST(test_flags_str_order)
{
    char b[40];
    ck_assert_str_eq(tcp_flags_str(TCP_SYN, b, sizeof b), "SYN");
    ck_assert_str_eq(tcp_flags_str(TCP_ACK | TCP_SYN, b, sizeof b), "SYN,ACK");
    ck_assert_str_eq(tcp_flags_str(TCP_ACK | TCP_PSH | TCP_FIN, b, sizeof b), "FIN,PSH,ACK");
    ck_assert_str_eq(tcp_flags_str(TCP_RST | TCP_ACK, b, sizeof b), "RST,ACK");
    ck_assert_str_eq(tcp_flags_str(0x3f, b, sizeof b), "SYN,FIN,RST,PSH,ACK,URG");
    ck_assert_str_eq(tcp_flags_str(0, b, sizeof b), "none");
    ck_assert_str_eq(tcp_flags_str(0xff, b, sizeof b), "SYN,FIN,RST,PSH,ACK,URG,ECE,CWR");
    /* Truncates but stays terminated. */
    char small[5];
    ck_assert_str_eq(tcp_flags_str(TCP_SYN | TCP_ACK, small, sizeof small), "SYN,");
}
END_TEST

START_TEST(test_flags_parse)
{
    uint8_t fl;
    ck_assert_int_eq(tcp_flags_parse("SYN,ACK", &fl), 0);
    ck_assert_uint_eq(fl, TCP_SYN | TCP_ACK);
    ck_assert_int_eq(tcp_flags_parse("ack|syn", &fl), 0);
    ck_assert_uint_eq(fl, TCP_SYN | TCP_ACK);
    ck_assert_int_eq(tcp_flags_parse("Fin+Psh+Ack", &fl), 0);
    ck_assert_uint_eq(fl, TCP_FIN | TCP_PSH | TCP_ACK);
    ck_assert_int_eq(tcp_flags_parse("rst", &fl), 0);
    ck_assert_uint_eq(fl, TCP_RST);
    ck_assert_int_eq(tcp_flags_parse("URG, ACK", &fl), 0);
    ck_assert_uint_eq(fl, TCP_URG | TCP_ACK);
    ck_assert_int_eq(tcp_flags_parse("none", &fl), 0);
    ck_assert_uint_eq(fl, 0);

    static const char *bad[] = { "", "SYN,", ",SYN", "SYN,,ACK", "SYNACK", "SYN ACK",
                                 "FOO", "SY", "SYNN", "none,SYN", "SYN;ACK", " " };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fl = 0xaa;
        ck_assert_msg(tcp_flags_parse(bad[i], &fl) == -1, "accepted '%s'", bad[i]);
        ck_assert_uint_eq(fl, 0xaa);             /* untouched on failure */
    }
    ck_assert_int_eq(tcp_flags_parse(NULL, &fl), -1);

    /* Round trip through the string form, every value. */
    char b[40];
    for (unsigned v = 0; v < 256; v++) {
        ck_assert_int_eq(tcp_flags_parse(tcp_flags_str((uint8_t)v, b, sizeof b), &fl), 0);
        ck_assert_uint_eq(fl, v);
    }
}
END_TEST

/* Encodes a TCP frame and returns its summary. */
static const char *tcp_summary(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                               uint16_t mss, const char *data, char *out, size_t n)
{
    uint8_t buf[FRAME_MAX];
    struct ip4_hdr ip = client_ip(1);
    struct tcp_hdr t = { .sport = 49152, .dport = 80, .seq = seq, .ack = ack,
                         .flags = flags, .win = win, .mss = mss };
    size_t dl = data ? strlen(data) : 0;
    size_t len = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t,
                                  (const uint8_t *)data, dl);
    struct frame f;
    ck_assert_int_eq(frame_decode(buf, len, &f, NULL, 0), 0);
    return frame_summary(&f, out, n);
}

START_TEST(test_summary_strings)
{
    char s[128];
    ck_assert_str_eq(tcp_summary(TCP_SYN, 1000, 0, 65535, 1460, NULL, s, sizeof s),
                     "SYN seq=1000 win=65535 mss=1460");
    ck_assert_str_eq(tcp_summary(TCP_SYN | TCP_ACK, 300, 1001, 65535, 1460, NULL, s, sizeof s),
                     "SYN,ACK seq=300 ack=1001 win=65535 mss=1460");
    ck_assert_str_eq(tcp_summary(TCP_ACK, 1001, 301, 65535, 0, NULL, s, sizeof s),
                     "ACK seq=1001 ack=301 win=65535");
    ck_assert_str_eq(tcp_summary(TCP_PSH | TCP_ACK, 1001, 301, 65535, 0, "hello", s, sizeof s),
                     "PSH,ACK seq=1001 ack=301 win=65535 len=5");
    ck_assert_str_eq(tcp_summary(TCP_FIN | TCP_ACK, 1006, 301, 65535, 0, NULL, s, sizeof s),
                     "FIN,ACK seq=1006 ack=301 win=65535");
    /* ack= only with the ACK bit, even if the field holds a number. */
    ck_assert_str_eq(tcp_summary(TCP_RST, 91, 1234, 0, 0, NULL, s, sizeof s),
                     "RST seq=91 win=0");
    /* Absolute numbers near the top of the sequence space. */
    ck_assert_str_eq(tcp_summary(TCP_ACK, 4294967295u, 7, 512, 0, NULL, s, sizeof s),
                     "ACK seq=4294967295 ack=7 win=512");

    uint8_t buf[FRAME_MAX], q[28] = { 0 };
    struct ip4_hdr ip = client_ip(1);
    struct udp_hdr u = { .sport = 49152, .dport = 53 };
    size_t n = udp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &u, q, sizeof q);
    struct frame f;
    ck_assert_int_eq(frame_decode(buf, n, &f, NULL, 0), 0);
    ck_assert_str_eq(frame_summary(&f, s, sizeof s), "UDP 49152 > 53 len=28");

    /* Truncated output stays terminated. */
    char small[8];
    ck_assert_str_eq(frame_summary(&f, small, sizeof small), "UDP 491");

    /* An HTTP first line joins the summary and the label, cut where the
     * buffer ends, and ends at a NUL in the payload as a C string would. */
    static const char line0[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                      line1[] = "GET /a\0b HTTP/1.1\r\n\r\n";
    static const char *const lines[] = { line0, line1 };
    static const size_t lens[] = { sizeof line0 - 1, sizeof line1 - 1 };
    static const char *const want[] = {
        "PSH,ACK seq=1 ack=2 win=100 len=27 HTTP GET / HTTP/1.1",
        "PSH,ACK seq=1 ack=2 win=100 len=21 HTTP GET /a" };
    static const char *const want_label[] = { "PSH,ACK seq=1 ack=2 len=27 HTTP GET / HTTP/1.1",
                                              "PSH,ACK seq=1 ack=2 len=21 HTTP GET /a" };
    for (int i = 0; i < 2; i++) {
        struct tcp_hdr t = { .sport = 49152, .dport = 80, .seq = 1, .ack = 2,
                             .flags = TCP_PSH | TCP_ACK, .win = 100 };
        n = tcp_frame_encode(buf, sizeof buf, CLIENT_MAC, SERVER_MAC, &ip, &t,
                             (const uint8_t *)lines[i], lens[i]);
        ck_assert_int_eq(frame_decode(buf, n, &f, NULL, 0), 0);
        ck_assert_str_eq(packet_summary(&f, s, sizeof s), want[i]);
        ck_assert_str_eq(packet_label(&f, s, sizeof s), want_label[i]);
        for (size_t k = 0; k <= strlen(want[i]) + 1; k++) {
            char cut[128];
            memset(cut, '#', sizeof cut);
            packet_summary(&f, cut, k);
            if (k) {
                ck_assert_uint_eq(strlen(cut), k - 1 < strlen(want[i]) ? k - 1 : strlen(want[i]));
                ck_assert_int_eq(strncmp(cut, want[i], k - 1), 0);
            } else
                ck_assert_int_eq(cut[0], '#');
        }
    }
}
END_TEST

START_TEST(test_ip4_parse_and_str)
{
    ip4_addr a = 0;
    char b[16];
    ck_assert_int_eq(ip4_parse("192.0.2.10", &a), 0);
    ck_assert_uint_eq(a, 0xC000020Au);
    ck_assert_str_eq(ip4_str(a, b, sizeof b), "192.0.2.10");
    ck_assert_int_eq(ip4_parse("0.0.0.0", &a), 0);
    ck_assert_uint_eq(a, 0);
    ck_assert_int_eq(ip4_parse("255.255.255.255", &a), 0);
    ck_assert_uint_eq(a, 0xffffffffu);
    ck_assert_str_eq(ip4_str(a, b, sizeof b), "255.255.255.255");
    ck_assert_int_eq(ip4_parse("203.0.113.0", &a), 0);
    ck_assert_str_eq(ip4_str(a, b, sizeof b), "203.0.113.0");
    /* every digit count in every place, cut at every length */
    static const ip4_addr each[] = { 0, 0x0A000001, 0x01166385, 0xC0A86409, 0x09630AFF };
    for (size_t i = 0; i < sizeof each / sizeof each[0]; i++) {
        char want[20];
        snprintf(want, sizeof want, "%u.%u.%u.%u", (unsigned)(each[i] >> 24),
                 (unsigned)(each[i] >> 16 & 0xff), (unsigned)(each[i] >> 8 & 0xff),
                 (unsigned)(each[i] & 0xff));
        for (size_t k = 1; k <= sizeof b; k++) {
            char cut[sizeof b];
            ip4_str(each[i], cut, k);
            ck_assert_int_eq(strncmp(cut, want, k - 1), 0);
            ck_assert_uint_eq(strlen(cut), k - 1 < strlen(want) ? k - 1 : strlen(want));
        }
    }

    static const char *bad[] = {
        "1.2.3", "256.1.1.1", "1.2.3.4x", "", "1.2.3.4.", "1.2.3.4.5", ".1.2.3",
        "1..2.3", " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "1.2.3.-4", "1.2.3.0x4",
        "1000.1.1.1", "01.2.3.4", "1.2.3.256", "a.b.c.d", "1.2.3.99999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = 0x01020304;
        ck_assert_msg(ip4_parse(bad[i], &a) == -1, "accepted '%s'", bad[i]);
        ck_assert_uint_eq(a, 0x01020304);
    }
    ck_assert_int_eq(ip4_parse(NULL, &a), -1);
}
END_TEST

START_TEST(test_mac_str)
{
    char b[18];
    mac_addr m = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
    ck_assert_str_eq(mac_str(m, b, sizeof b), "02:00:00:00:00:01");
    ck_assert_str_eq(mac_str(MAC_BROADCAST, b, sizeof b), "ff:ff:ff:ff:ff:ff");
    mac_addr h = { { 0xAB, 0xCD, 0xEF, 0x0A, 0x1B, 0x2C } };
    ck_assert_str_eq(mac_str(h, b, sizeof b), "ab:cd:ef:0a:1b:2c");
}
END_TEST

/* ---- pcap --------------------------------------------------------------- */

static void put_u32h(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u16h(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

static size_t read_back(FILE *fp, uint8_t *out, size_t cap)
{
    ck_assert_int_eq(fflush(fp), 0);
    rewind(fp);
    return fread(out, 1, cap, fp);
}

START_TEST(test_pcap_global_header_bytes)
{
    FILE *fp = tmpfile();
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(pcap_write_header(fp), 0);

    uint8_t got[64], want[24];
    ck_assert_uint_eq(read_back(fp, got, sizeof got), 24);
    put_u32h(want, 0xa1b2c3d4u);
    put_u16h(want + 4, 2);
    put_u16h(want + 6, 4);
    put_u32h(want + 8, 0);
    put_u32h(want + 12, 0);
    put_u32h(want + 16, 65535);
    put_u32h(want + 20, 1);
    ck_assert_mem_eq(got, want, 24);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    static const uint8_t le[24] = {
        0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    };
    ck_assert_mem_eq(got, le, 24);
#endif
    fclose(fp);
}
END_TEST

START_TEST(test_pcap_record_bytes)
{
    FILE *fp = tmpfile();
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(pcap_write_header(fp), 0);
    ck_assert_int_eq(pcap_write_frame(fp, 0, SYN_FRAME, sizeof SYN_FRAME), 0);
    ck_assert_int_eq(pcap_write_frame(fp, 2000001, UDP_FRAME, sizeof UDP_FRAME), 0);

    uint8_t got[512], want[16];
    size_t total = 24 + 16 + 60 + 16 + 71;
    ck_assert_uint_eq(read_back(fp, got, sizeof got), total);

    put_u32h(want, 0);                           /* t_us 0 */
    put_u32h(want + 4, 0);
    put_u32h(want + 8, 60);
    put_u32h(want + 12, 60);
    ck_assert_mem_eq(got + 24, want, 16);
    ck_assert_mem_eq(got + 40, SYN_FRAME, 60);

    put_u32h(want, 2);                           /* 2.000001 s */
    put_u32h(want + 4, 1);
    put_u32h(want + 8, 71);
    put_u32h(want + 12, 71);
    ck_assert_mem_eq(got + 100, want, 16);
    ck_assert_mem_eq(got + 116, UDP_FRAME, 71);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    static const uint8_t le[16] = { 2, 0, 0, 0, 1, 0, 0, 0, 71, 0, 0, 0, 71, 0, 0, 0 };
    ck_assert_mem_eq(got + 100, le, 16);
#endif
    fclose(fp);
}
END_TEST

START_TEST(test_pcap_errors)
{
    FILE *fp = tmpfile();
    ck_assert_ptr_nonnull(fp);
    errno = 0;
    ck_assert_int_eq(pcap_write_frame(fp, -1, SYN_FRAME, sizeof SYN_FRAME), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(ftell(fp), 0);              /* nothing half-written */
    fclose(fp);

    FILE *ro = fopen("/dev/null", "r");          /* writes fail on a read-only stream */
    ck_assert_ptr_nonnull(ro);
    ck_assert_int_eq(pcap_write_header(ro), -1);
    ck_assert_int_eq(pcap_write_frame(ro, 1, SYN_FRAME, sizeof SYN_FRAME), -1);
    fclose(ro);
}
END_TEST

/* ---- suites ------------------------------------------------------------- */

/* ---- uwsgi ---------------------------------------------------------------- */

/* The uwsgi codec both the model and the inspector use: variables as
 * 16-bit little-endian lengths, the header's size, and a packet cut short
 * anywhere stops at the last whole variable. */
START_TEST(test_uwsgi_packet_round_trip)
{
    uint8_t p[64];
    size_t at = UWSGI_HDR;
    at = uwsgi_put_var(p, at, sizeof p, "PATH_INFO", "/app");
    at = uwsgi_put_var(p, at, sizeof p, "K", "");
    ck_assert_uint_eq(uwsgi_put_var(p, at, sizeof p, "TOO_LONG_FOR_WHAT_IS_LEFT",
                                    "0123456789012345678901234567890"), at);
    uwsgi_put_header(p, at - UWSGI_HDR);
    static const uint8_t want[] = { 0, 22, 0, 0, 9, 0, 'P', 'A', 'T', 'H', '_',
                                    'I', 'N', 'F', 'O', 4, 0, '/', 'a', 'p', 'p',
                                    1, 0, 'K', 0, 0 };
    ck_assert_uint_eq(at, sizeof want);
    ck_assert_int_eq(memcmp(p, want, sizeof want), 0);
    ck_assert_int_eq(uwsgi_is_request(p, at), 1);
    ck_assert_int_eq(uwsgi_is_request(p, at - 1), 0);  /* size disagrees */
    ck_assert_uint_eq(uwsgi_datasize(p), 22);

    struct uwsgi_var v;
    size_t i = 0, n = at - UWSGI_HDR;
    ck_assert_int_eq(uwsgi_next_var(p + UWSGI_HDR, n, &i, &v), 1);
    ck_assert_uint_eq(v.klen, 9);
    ck_assert_int_eq(memcmp(v.val, "/app", 4), 0);
    ck_assert_int_eq(uwsgi_next_var(p + UWSGI_HDR, n, &i, &v), 1);
    ck_assert_uint_eq(v.vlen, 0);
    ck_assert_int_eq(uwsgi_next_var(p + UWSGI_HDR, n, &i, &v), 0);
    for (size_t cut = 1; cut < n; cut++) {    /* every shorter packet */
        size_t j = 0;
        int r;
        while ((r = uwsgi_next_var(p + UWSGI_HDR, cut, &j, &v)) == 1)
            ck_assert_uint_le(j, cut);
        ck_assert_int_eq(r, cut == 17 ? 0 : -1);  /* 17: after the first */
    }
}
END_TEST

Suite *wire_suite(void)
{
    Suite *s = suite_create("wire");
    TCase *tc;

    tc = tcase_create("uwsgi");
    tcase_add_test(tc, test_uwsgi_packet_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("checksum");
    tcase_add_test(tc, test_checksum_rfc1071_example);
    tcase_add_test(tc, test_checksum_known_ipv4_header);
    tcase_add_test(tc, test_checksum_odd_length_and_pieces);
    tcase_add_test(tc, test_checksum_matches_the_reference_at_every_length);
    tcase_add_test(tc, test_checksum_carries_do_not_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("encode");
    tcase_add_test(tc, test_tcp_syn_mss_roundtrip);
    tcase_add_test(tc, test_rfc7323_2_2_wscale_option_bytes);
    tcase_add_test(tc, test_encode_matches_known_vectors);
    tcase_add_test(tc, test_decode_known_vectors);
    tcase_add_test(tc, test_encode_defaults_and_limits);
    tcase_add_test(tc, test_eth_encode_arp_is_padded_and_passed_through);
    tcase_add_test(tc, test_udp_zero_checksum_is_sent_as_ffff);
    tcase_add_test(tc, test_udp_checksum_valid_for_many_payloads);
    suite_add_tcase(s, tc);

    tc = tcase_create("decode");
    tcase_add_test(tc, test_flipped_byte_breaks_checksums);
    tcase_add_test(tc, test_truncated_frames_fail_cleanly);
    tcase_add_test(tc, test_padding_is_not_payload);
    tcase_add_test(tc, test_tcp_options_unknown_skipped);
    tcase_add_test(tc, test_tcp_option_eol_stops_parsing);
    tcase_add_test(tc, test_tcp_option_malformed_lengths_marked);
    tcase_add_test(tc, test_tcp_header_cut_inside_options);
    tcase_add_test(tc, test_bad_headers_rejected);
    tcase_add_test(tc, test_ip_options_and_fragments);
    tcase_add_test(tc, test_mutated_frames_do_not_crash);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_test(tc, test_flags_str_order);
    tcase_add_test(tc, test_flags_parse);
    tcase_add_test(tc, test_summary_strings);
    tcase_add_test(tc, test_ip4_parse_and_str);
    tcase_add_test(tc, test_mac_str);
    suite_add_tcase(s, tc);

    return s;
}

Suite *pcap_suite(void)
{
    Suite *s = suite_create("pcap");
    TCase *tc = tcase_create("file");

    tcase_add_test(tc, test_pcap_global_header_bytes);
    tcase_add_test(tc, test_pcap_record_bytes);
    tcase_add_test(tc, test_pcap_errors);
    suite_add_tcase(s, tc);
    return s;
}
