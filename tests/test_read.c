/* test_read.c — --read: pcap and pcapng files read into Ethernet frames
 * (ui/capture.c), and a capture drawn with its TCP states inferred
 * (ui/read.c). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arp.h"
#include "capture.h"
#include "narrate.h"
#include "read.h"
#include "sim.h"
#include "tcp.h"
#include "trace.h"
#include "view.h"
#include "wire.h"
#include "suites.h"

/* ---- building capture files in memory -------------------------------- */

struct buf { uint8_t b[8192]; size_t n; int be; };

static void put8(struct buf *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }

static void put16(struct buf *w, unsigned v)
{
    if (w->be) { put8(w, v >> 8); put8(w, v & 0xff); }
    else { put8(w, v & 0xff); put8(w, v >> 8); }
}

static void put32(struct buf *w, uint32_t v)
{
    if (w->be) { put16(w, v >> 16); put16(w, v & 0xffff); }
    else { put16(w, v & 0xffff); put16(w, v >> 16); }
}

static void putn(struct buf *w, const uint8_t *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void pcap_header(struct buf *w, uint32_t magic, uint32_t linktype)
{
    put32(w, magic);
    put16(w, 2);
    put16(w, 4);
    put32(w, 0);
    put32(w, 0);
    put32(w, 65535);
    put32(w, linktype);
}

static void pcap_record(struct buf *w, uint32_t sec, uint32_t frac,
                        const uint8_t *p, size_t n, size_t orig)
{
    put32(w, sec);
    put32(w, frac);
    put32(w, (uint32_t)n);
    put32(w, (uint32_t)orig);
    putn(w, p, n);
}

/* A TCP segment from src:sport to dst:dport as an Ethernet frame, with an
 * MSS option (4 bytes of options) when mss is not 0. */
static size_t tcp_frame_mss(uint8_t *out, size_t cap, uint8_t flags, uint32_t seq,
                            uint32_t ack, const char *data, ip4_addr src, ip4_addr dst,
                            uint16_t sport, uint16_t dport, uint16_t mss)
{
    struct ip4_hdr ip = { 0 };
    ip.src = src;
    ip.dst = dst;
    ip.ttl = 64;
    struct tcp_hdr t = { 0 };
    t.sport = sport;
    t.dport = dport;
    t.seq = seq;
    t.ack = ack;
    t.flags = flags;
    t.win = 65535;
    t.mss = mss;
    mac_addr a = { { 2, 0, 0, 0, 0, 1 } }, b = { { 2, 0, 0, 0, 0, 2 } };
    size_t len = data ? strlen(data) : 0;
    return tcp_frame_encode(out, cap, a, b, &ip, &t, (const uint8_t *)data, len);
}

/* The same without options. */
static size_t tcp_frame(uint8_t *out, size_t cap, uint8_t flags, uint32_t seq,
                        uint32_t ack, const char *data, ip4_addr src, ip4_addr dst,
                        uint16_t sport, uint16_t dport)
{
    return tcp_frame_mss(out, cap, flags, seq, ack, data, src, dst, sport, dport, 0);
}

#define A1 0x0a000001u
#define A2 0x0a000002u

static size_t syn_frame(uint8_t *out, size_t cap)
{
    return tcp_frame(out, cap, TCP_SYN, 100, 0, NULL, A1, A2, 1000, 80);
}

/* ---- pcap ---------------------------------------------------------- */

START_TEST(test_pcap_both_byte_orders_and_resolutions)
{
    uint8_t f[128];
    size_t n = syn_frame(f, sizeof f);
    /* little-endian microseconds, then big-endian nanoseconds */
    for (int k = 0; k < 2; k++) {
        struct buf w = { .be = k };
        pcap_header(&w, k ? 0xa1b23c4d : 0xa1b2c3d4, 1);
        pcap_record(&w, 10, k ? 500000000 : 500000, f, n, n);
        pcap_record(&w, 11, k ? 250000 : 250, f, n, n);
        struct capture c;
        char err[200];
        ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
        ck_assert_uint_eq(c.n, 2);
        ck_assert_uint_eq(c.total, 2);
        ck_assert_int_eq(c.frames[0].t_us, 0);
        /* 11.000250 s - 10.5 s */
        ck_assert_int_eq(c.frames[1].t_us, 500250);
        ck_assert_uint_eq(c.frames[1].len, n);
        ck_assert_uint_eq(c.frames[1].number, 2);
        ck_assert(!memcmp(c.bytes + c.frames[1].off, f, n));
        capture_free(&c);
    }
}
END_TEST

START_TEST(test_pcap_link_types_become_ethernet)
{
    uint8_t f[128];
    size_t n = syn_frame(f, sizeof f);
    const uint8_t *ipp = f + 14;
    size_t ipn = n - 14;
    uint8_t v6[40] = { 0x60 };
    struct { uint32_t lt; uint8_t pre[24]; size_t npre; int ipv6; } cases[] = {
        { 101, { 0 }, 0, 0 },                                   /* raw IP */
        { 228, { 0 }, 0, 0 },                                   /* IPv4 */
        { 0, { 2, 0, 0, 0 }, 4, 0 },                            /* BSD loopback, LE */
        { 0, { 0, 0, 0, 2 }, 4, 0 },                            /* BSD loopback, BE */
        { 113, { 0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9, 0, 0, 0x08, 0x00 }, 16, 0 },
        { 276, { 0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 2, 0, 0, 0, 0, 9, 0, 0 }, 20, 0 },
        { 101, { 0 }, 0, 1 },                                   /* raw IPv6: skipped */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf w = { 0 };
        uint8_t rec[256];
        memcpy(rec, cases[i].pre, cases[i].npre);
        const uint8_t *body = cases[i].ipv6 ? v6 : ipp;
        size_t bn = cases[i].ipv6 ? sizeof v6 : ipn;
        memcpy(rec + cases[i].npre, body, bn);
        pcap_header(&w, 0xa1b2c3d4, cases[i].lt);
        pcap_record(&w, 1, 0, rec, cases[i].npre + bn, cases[i].npre + bn);
        struct capture c;
        char err[200];
        ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
        if (cases[i].ipv6) {
            ck_assert_uint_eq(c.n, 0);
            ck_assert_uint_eq(c.skipped[CAP_SKIP_IPV6], 1);
            capture_free(&c);
            continue;
        }
        ck_assert_msg(c.n == 1, "link type %u: %zu frames", cases[i].lt, c.n);
        const uint8_t *e = c.bytes + c.frames[0].off;
        ck_assert_uint_eq(c.frames[0].len, 14 + ipn);
        ck_assert_uint_eq(e[12], 0x08);
        ck_assert_uint_eq(e[13], 0x00);
        ck_assert(!memcmp(e + 14, ipp, ipn));
        if (cases[i].lt == 113 || cases[i].lt == 276)  /* the sender's MAC kept */
            ck_assert_uint_eq(e[6 + 5], 9);
        struct frame fr;
        ck_assert_int_eq(frame_decode(e, c.frames[0].len, &fr, err, sizeof err), 0);
        ck_assert_uint_eq(fr.tcp.flags, TCP_SYN);
        capture_free(&c);
    }
}
END_TEST

START_TEST(test_pcap_vlan_tag_and_unknown_link_type)
{
    uint8_t f[128], t[160];
    size_t n = syn_frame(f, sizeof f);
    memcpy(t, f, 12);
    t[12] = 0x81; t[13] = 0x00; t[14] = 0x00; t[15] = 0x05;
    memcpy(t + 16, f + 12, n - 12);
    struct buf w = { 0 };
    pcap_header(&w, 0xa1b2c3d4, 1);
    pcap_record(&w, 1, 0, t, n + 4, n + 4);
    struct capture c;
    char err[200];
    ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_uint_eq(c.frames[0].len, n);
    ck_assert(!memcmp(c.bytes + c.frames[0].off, f, n));
    capture_free(&c);

    struct buf v = { 0 };
    pcap_header(&v, 0xa1b2c3d4, 105);                  /* 802.11 */
    pcap_record(&v, 1, 0, f, n, n);
    ck_assert_int_eq(capture_parse(v.b, v.n, &c, err, sizeof err), 0);
    ck_assert_uint_eq(c.n, 0);
    ck_assert_uint_eq(c.skipped[CAP_SKIP_LINK], 1);
    capture_free(&c);
}
END_TEST

START_TEST(test_pcap_errors_say_where)
{
    uint8_t f[128];
    size_t n = syn_frame(f, sizeof f);
    struct buf w = { 0 };
    pcap_header(&w, 0xa1b2c3d4, 1);
    pcap_record(&w, 1, 0, f, n, n);
    struct capture c;
    char err[200];
    /* a record cut in its data */
    ck_assert_int_eq(capture_parse(w.b, w.n - 1, &c, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "byte 24") && strstr(err, "59"), "%s", err);
    /* a record header cut short */
    ck_assert_int_eq(capture_parse(w.b, 24 + 10, &c, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "byte 24") && strstr(err, "10 of 16"), "%s", err);
    /* a file header cut short */
    ck_assert_int_eq(capture_parse(w.b, 20, &c, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "20 of 24"), "%s", err);
    /* not a capture */
    const uint8_t text[] = "host a 10.0.0.1\n";
    ck_assert_int_eq(capture_parse(text, sizeof text - 1, &c, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "68 6f 73 74"), "%s", err);
    ck_assert_int_eq(capture_parse(text, 2, &c, err, sizeof err), -2);
    /* the snapshot length: a frame cut short keeps its length on the wire */
    struct buf s = { 0 };
    pcap_header(&s, 0xa1b2c3d4, 1);
    pcap_record(&s, 1, 0, f, 40, n);
    ck_assert_int_eq(capture_parse(s.b, s.n, &c, err, sizeof err), 0);
    ck_assert_uint_eq(c.frames[0].len, 40);
    ck_assert_uint_eq(c.frames[0].wire_len, n);
    capture_free(&c);
}
END_TEST

/* ---- pcapng -------------------------------------------------------- */

static void ng_shb(struct buf *w)
{
    put32(w, 0x0A0D0D0A);
    put32(w, 28);
    put32(w, 0x1A2B3C4D);
    put16(w, 1);
    put16(w, 0);
    put32(w, 0xffffffff);
    put32(w, 0xffffffff);
    put32(w, 28);
}

static void ng_idb(struct buf *w, unsigned lt, int tsresol)
{
    uint32_t len = 20 + (tsresol >= 0 ? 8 + 4 : 0);
    put32(w, 1);
    put32(w, len);
    put16(w, lt);
    put16(w, 0);
    put32(w, 65535);
    if (tsresol >= 0) {
        put16(w, 9);
        put16(w, 1);
        put8(w, (unsigned)tsresol);
        put8(w, 0); put8(w, 0); put8(w, 0);
        put32(w, 0);                      /* opt_endofopt */
    }
    put32(w, len);
}

static void ng_epb(struct buf *w, uint32_t ifid, uint64_t ts, const uint8_t *p,
                   size_t n)
{
    size_t pad = (4 - n % 4) % 4;
    uint32_t len = (uint32_t)(32 + n + pad);
    put32(w, 6);
    put32(w, len);
    put32(w, ifid);
    put32(w, (uint32_t)(ts >> 32));
    put32(w, (uint32_t)ts);
    put32(w, (uint32_t)n);
    put32(w, (uint32_t)n);
    putn(w, p, n);
    for (size_t i = 0; i < pad; i++)
        put8(w, 0);
    put32(w, len);
}

START_TEST(test_pcapng_sections_interfaces_and_resolution)
{
    uint8_t f[128];
    size_t n = syn_frame(f, sizeof f);
    struct buf w = { 0 };
    ng_shb(&w);
    ng_idb(&w, 1, -1);                    /* microseconds */
    ng_idb(&w, 101, 9);                   /* raw IP, nanoseconds */
    ng_epb(&w, 0, 2000000, f, n);         /* 2 s */
    ng_epb(&w, 1, 2500000000ull, f + 14, n - 14);   /* 2.5 s in ns */
    /* a second section, big-endian, with its own interfaces */
    w.be = 1;
    ng_shb(&w);
    ng_idb(&w, 1, 3);                     /* milliseconds */
    ng_epb(&w, 0, 3000, f, n);            /* 3 s */
    struct capture c;
    char err[200];
    ck_assert_msg(capture_parse(w.b, w.n, &c, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(c.format, 1);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_int_eq(c.frames[0].t_us, 0);
    ck_assert_int_eq(c.frames[1].t_us, 500000);
    ck_assert_int_eq(c.frames[2].t_us, 1000000);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(c.frames[i].len, n);
        ck_assert(!memcmp(c.bytes + c.frames[i].off + 14, f + 14, n - 14));
    }
    capture_free(&c);
}
END_TEST

START_TEST(test_pcapng_errors_say_where)
{
    uint8_t f[128];
    size_t n = syn_frame(f, sizeof f);
    struct buf w = { 0 };
    ng_shb(&w);
    ng_epb(&w, 0, 0, f, n);               /* no interface yet */
    struct capture c;
    char err[200];
    ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "byte 28") && strstr(err, "interface 0"), "%s", err);
    struct buf v = { 0 };
    ng_shb(&v);
    ng_idb(&v, 1, -1);
    size_t at = v.n;
    ng_epb(&v, 0, 0, f, n);
    v.b[at + 4] = 33;                     /* a length that is no multiple of 4 */
    ck_assert_int_eq(capture_parse(v.b, v.n, &c, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "byte 48") && strstr(err, "33 bytes"), "%s", err);
    /* cut inside a block */
    ck_assert_int_eq(capture_parse(v.b, 40, &c, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "byte 28"), "%s", err);
}
END_TEST

/* ---- the capture drawn ---------------------------------------------- */

/* The records of a little exchange, read back from its pcap bytes. */
static struct scenario *read_frames(uint8_t frames[][128], const size_t *lens,
                                    size_t k, struct sim *s)
{
    struct buf w = { 0 };
    pcap_header(&w, 0xa1b2c3d4, 1);
    for (size_t i = 0; i < k; i++)
        pcap_record(&w, 1, (uint32_t)(i * 1000), frames[i], lens[i], lens[i]);
    struct capture c;
    char err[200];
    ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
    struct scenario *scn = read_capture("t.pcap", &c, s, err, sizeof err);
    capture_free(&c);
    ck_assert_msg(scn != NULL, "%s", err);
    return scn;
}

/* The TCP states host h entered, in order, as "A>B A>B". */
static void states_of(const struct trace *tr, int h, char *out, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind != TK_STATE || r->host != h)
            continue;
        size_t l = strlen(out);
        snprintf(out + l, n - l, "%s%s>%s", l ? " " : "",
                 tcp_state_name(r->u.state.from), tcp_state_name(r->u.state.to));
    }
}

/* The first two frames of a handshake from A1:1000 to A2:80 (ISS 100 and
 * 500) into fr and len; returns 2. */
static size_t syn_and_synack(uint8_t fr[][128], size_t *len)
{
    len[0] = tcp_frame(fr[0], 128, TCP_SYN, 100, 0, NULL, A1, A2, 1000, 80);
    len[1] = tcp_frame(fr[1], 128, TCP_SYN | TCP_ACK, 500, 101, NULL, A2, A1, 80, 1000);
    return 2;
}

/* Host h's TCP states (as states_of) in the capture of these frames. */
static void states_read(uint8_t frames[][128], const size_t *lens, size_t k, int h,
                        char *out, size_t n)
{
    struct sim s;
    struct scenario *scn = read_frames(frames, lens, k, &s);
    states_of(&s.tr, h, out, n);
    sim_free(&s);
    scenario_free(scn);
}

START_TEST(test_read_infers_a_simultaneous_close)
{
    /* both ends send a FIN before either sees the other's: each FIN's
     * ACK field does not cover the other FIN (RFC 9293 3.6, figure 13) */
    uint8_t fr[8][128];
    size_t len[8], k = 0;
    len[k] = tcp_frame(fr[k], 128, TCP_SYN, 100, 0, NULL, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_SYN | TCP_ACK, 500, 101, NULL, A2, A1, 80, 1000); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_ACK, 101, 501, NULL, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_FIN | TCP_ACK, 101, 501, NULL, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_FIN | TCP_ACK, 501, 101, NULL, A2, A1, 80, 1000); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_ACK, 102, 502, NULL, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_ACK, 502, 102, NULL, A2, A1, 80, 1000); k++;
    struct sim s;
    struct scenario *scn = read_frames(fr, len, k, &s);
    ck_assert_int_eq(scn->nhosts, 2);
    ck_assert_str_eq(scn->hosts[0].name, "10.0.0.1");
    char a[512], b[512];
    states_of(&s.tr, 0, a, sizeof a);
    states_of(&s.tr, 1, b, sizeof b);
    ck_assert_str_eq(a, "CLOSED>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT_1 "
                     "FIN_WAIT_1>CLOSING CLOSING>TIME_WAIT");
    ck_assert_str_eq(b, "CLOSED>LISTEN LISTEN>SYN_RECEIVED SYN_RECEIVED>ESTABLISHED "
                     "ESTABLISHED>FIN_WAIT_1 FIN_WAIT_1>CLOSING CLOSING>TIME_WAIT");
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

/* A segment like tcp_frame's whose 4-byte options area holds opt. */
static size_t tcp_frame_opts(uint8_t *out, size_t cap, uint8_t flags, uint32_t seq,
                             uint32_t ack, const uint8_t opt[4], ip4_addr src,
                             ip4_addr dst, uint16_t sport, uint16_t dport)
{
    /* 4 bytes of options, then overwritten */
    size_t n = tcp_frame_mss(out, cap, flags, seq, ack, NULL, src, dst, sport, dport, 1460);
    ck_assert_uint_eq(out[14 + 20 + 12] >> 4, 6);
    memcpy(out + 14 + 20 + 20, opt, 4);   /* --read does not check checksums */
    return n;
}

/* A segment whose TCP options go wrong is still a segment: it was given to
 * no TCB (the SYN: no connection at all, and the FIN: no CLOSE_WAIT) and
 * drawn as a "malformed frame" arriving when seen, with no word why. */
START_TEST(test_read_takes_a_segment_whose_options_go_wrong)
{
    static const uint8_t mss3[4] = { 2, 3, 5, 0 };      /* MSS of length 3 */
    static const uint8_t past[4] = { 1, 1, 2, 8 };      /* runs past the header */
    static const uint8_t zero[4] = { 8, 0, 0, 0 };      /* length 0 */
    uint8_t fr[6][128];
    size_t len[6], k = 0;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_SYN, 100, 0, mss3, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_SYN | TCP_ACK, 500, 101, NULL, A2, A1, 80, 1000); k++;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_ACK, 101, 501, zero, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_FIN | TCP_ACK, 101, 501, past, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_ACK, 501, 102, NULL, A2, A1, 80, 1000); k++;
    struct sim s;
    struct scenario *scn = read_frames(fr, len, k, &s);
    char a[512], b[512];
    states_of(&s.tr, 0, a, sizeof a);
    states_of(&s.tr, 1, b, sizeof b);
    ck_assert_str_eq(a, "CLOSED>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT_1 "
                     "FIN_WAIT_1>FIN_WAIT_2");
    ck_assert_str_eq(b, "CLOSED>LISTEN LISTEN>SYN_RECEIVED SYN_RECEIVED>ESTABLISHED "
                     "ESTABLISHED>CLOSE_WAIT");
    /* each send says where its options went wrong */
    static const struct { int id; int64_t a[4]; } want[] = {
        { N_READ_FRAME_OPT_SKIP, { 1, 20, 2, 3 } },
        { N_READ_FRAME, { 2, 0, 0, 0 } },
        { N_READ_FRAME_OPT_STOP, { 3, 20, 0, 0 } },
        { N_READ_FRAME_OPT_STOP, { 4, 22, 0, 0 } },
        { N_READ_FRAME, { 5, 0, 0, 0 } },
    };
    size_t j = 0;
    for (size_t i = 0; i < s.tr.n; i++) {
        const struct trace_rec *r = &s.tr.recs[i];
        if (r->kind != TK_SEND)
            continue;
        ck_assert_uint_lt(j, 5);
        ck_assert_int_eq(r->why.id, want[j].id);
        ck_assert_int_eq(r->why.a[0], want[j].a[0]);
        if (want[j].id != N_READ_FRAME)
            for (int q = 1; q < 4; q++)
                ck_assert_int_eq(r->why.a[q], want[j].a[q]);
        j++;
    }
    ck_assert_uint_eq(j, 5);
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

/* RFC 9293 3.1: a TCP header is at least 5 words.  A segment whose data
 * offset is below that is malformed: its send says so, with the offset,
 * and its receiver discards it (Linux's tcp_v4_rcv does), so it is no
 * receive and moves no TCB (the FIN leaves the server ESTABLISHED). */
START_TEST(test_read_discards_a_data_offset_below_5)
{
    uint8_t fr[4][128];
    size_t len[4], k = syn_and_synack(fr, len);
    len[k] = tcp_frame(fr[k], 128, TCP_ACK, 101, 501, NULL, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_FIN | TCP_ACK, 101, 501, NULL, A1, A2, 1000, 80);
    fr[k][14 + 20 + 12] = 4 << 4;
    k++;
    struct sim s;
    struct scenario *scn = read_frames(fr, len, k, &s);
    char b[512];
    states_of(&s.tr, 1, b, sizeof b);
    ck_assert_str_eq(b, "CLOSED>LISTEN LISTEN>SYN_RECEIVED SYN_RECEIVED>ESTABLISHED");
    int sends = 0, drops = 0, recvs = 0;
    for (size_t i = 0; i < s.tr.n; i++) {
        const struct trace_rec *r = &s.tr.recs[i];
        if (r->kind == TK_SEND && r->why.a[0] == 4) {
            ck_assert_int_eq(r->why.id, N_READ_FRAME_DOFF);
            ck_assert_int_eq(r->why.a[1], 4);
            sends++;
        } else if (r->kind == TK_DROP) {
            ck_assert_int_eq(r->why.id, N_READ_DROP_DOFF);
            ck_assert_int_eq(r->why.a[0], 4);
            ck_assert_int_eq(r->why.a[1], 4);
            ck_assert_int_eq(r->u.pkt.reason, DR_TCP);
            ck_assert_int_eq(r->host, 1);
            drops++;
        } else if (r->kind == TK_RECV && r->why.a[0] == 4) {
            recvs++;
        }
    }
    ck_assert_int_eq(sends, 1);
    ck_assert_int_eq(drops, 1);
    ck_assert_int_eq(recvs, 0);
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

/* RFC 9293 3.10.4 and 3.10.7.1: an end that closed in SYN_SENT has no TCB
 * when the SYN,ACK comes, and answers it with an RST at its ACK number
 * instead of the ACK a SYN_SENT TCB sends (3.10.7.3).  The capture shows
 * that end SYN_SENT -> CLOSED, not ESTABLISHED and then an abort(). */
START_TEST(test_read_close_in_syn_sent)
{
    uint8_t fr[3][128];
    size_t len[3], k = syn_and_synack(fr, len);
    len[k] = tcp_frame(fr[k], 128, TCP_RST, 101, 0, NULL, A1, A2, 1000, 80); k++;
    char a[512];
    states_read(fr, len, k, 0, a, sizeof a);
    ck_assert_str_eq(a, "CLOSED>SYN_SENT SYN_SENT>CLOSED");
}
END_TEST

/* RFC 9293 3.6.1 MAY-2 (RFC 6191): a new SYN above RCV.NXT reaching a
 * TIME_WAIT TCB ends it for a new incarnation.  The end's SYN,ACK to it
 * shows that it did: TIME_WAIT -> CLOSED, then the listener's child. */
START_TEST(test_read_time_wait_reopened_by_a_syn)
{
    static const struct { uint8_t flags; uint32_t seq, ack; int a_to_b; } f[] = {
        { TCP_SYN, 100, 0, 1 }, { TCP_SYN | TCP_ACK, 500, 101, 0 },
        { TCP_ACK, 101, 501, 1 }, { TCP_FIN | TCP_ACK, 501, 101, 0 },
        { TCP_ACK, 101, 502, 1 }, { TCP_FIN | TCP_ACK, 101, 502, 1 },
        { TCP_ACK, 502, 102, 0 }, { TCP_SYN, 5000, 0, 1 },
        { TCP_SYN | TCP_ACK, 9000, 5001, 0 }, { TCP_ACK, 5001, 9001, 1 },
    };
    uint8_t fr[10][128];
    size_t len[10];
    for (size_t i = 0; i < 10; i++)
        len[i] = f[i].a_to_b
                 ? tcp_frame(fr[i], 128, f[i].flags, f[i].seq, f[i].ack, NULL, A1, A2, 1000, 80)
                 : tcp_frame(fr[i], 128, f[i].flags, f[i].seq, f[i].ack, NULL, A2, A1, 80, 1000);
    char b[512];
    states_read(fr, len, 10, 1, b, sizeof b);
    ck_assert_str_eq(b, "CLOSED>LISTEN LISTEN>SYN_RECEIVED SYN_RECEIVED>ESTABLISHED "
                     "ESTABLISHED>FIN_WAIT_1 FIN_WAIT_1>FIN_WAIT_2 FIN_WAIT_2>TIME_WAIT "
                     "TIME_WAIT>CLOSED LISTEN>SYN_RECEIVED SYN_RECEIVED>ESTABLISHED");
}
END_TEST

/* The layers view of a frame the snapshot length cut: a frame shorter than
 * its IPv4 total length has no padding (it said "18446744073709551611 zero
 * bytes of padding": the frame's length less the total length, wrapped). */
/* A capture whose snapshot length ends each TCP header inside its options
 * (tcpdump -s 54): every frame is drawn and the states are the ones the
 * whole frames give.  None was drawn: "none of its 5 frames is drawn: the
 * capture's snapshot length cut them inside their ... TCP ... header". */
START_TEST(test_read_headers_cut_inside_their_options)
{
    static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
    uint8_t fr[5][128];
    size_t len[5], k = 0;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_SYN, 100, 0, mss, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_SYN | TCP_ACK, 500, 101, mss, A2, A1, 80, 1000); k++;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_ACK, 101, 501, mss, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_FIN | TCP_ACK, 101, 501, mss, A1, A2, 1000, 80); k++;
    len[k] = tcp_frame_opts(fr[k], 128, TCP_ACK, 501, 102, mss, A2, A1, 80, 1000); k++;
    for (size_t cut = 54; cut <= 57; cut++) {
        struct buf w = { 0 };
        pcap_header(&w, 0xa1b2c3d4, 1);
        for (size_t i = 0; i < k; i++)
            pcap_record(&w, 1, (uint32_t)(i * 1000), fr[i], cut, len[i]);
        struct capture c;
        char err[200];
        ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
        struct sim s;
        struct scenario *scn = read_capture("t.pcap", &c, &s, err, sizeof err);
        ck_assert_msg(scn != NULL, "cut at %zu: %s", cut, err);
        for (int r = 0; r < CAP_SKIP_COUNT; r++)
            ck_assert_uint_eq(c.skipped[r], 0);
        char a[512], b[512];
        states_of(&s.tr, 0, a, sizeof a);
        states_of(&s.tr, 1, b, sizeof b);
        ck_assert_str_eq(a, "CLOSED>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT_1 "
                         "FIN_WAIT_1>FIN_WAIT_2");
        ck_assert_str_eq(b, "CLOSED>LISTEN LISTEN>SYN_RECEIVED SYN_RECEIVED>ESTABLISHED "
                         "ESTABLISHED>CLOSE_WAIT");
        size_t sends = 0;
        for (size_t i = 0; i < s.tr.n; i++)
            if (s.tr.recs[i].kind == TK_SEND) {
                sends++;
                ck_assert_int_eq(s.tr.recs[i].why.id, N_READ_FRAME_CUT);
            }
        ck_assert_uint_eq(sends, 5);
        if (cut == 55) {
            /* the inspector says what the cut left out, and checks no checksum */
            struct view_index ix;
            view_index_build(&ix, &s.tr);
            struct view_state st;
            view_state_init(&st, 1);
            st.cur = 1;                                  /* the SYN's send */
            ck_assert_int_eq(s.tr.recs[1].kind, TK_SEND);
            struct view_lines l = { 0 };
            view_inspector_lines(&ix, &st, 400, &l);
            int said = 0, unchecked = 0;
            for (int i = 0; i < l.n; i++) {
                said |= strstr(l.v[i].text, "ended the frame inside the TCP options and "
                                "left out 3 bytes of them") != NULL;
                unchecked |= strstr(l.v[i].text, "not checked (cut)") != NULL;
                ck_assert_msg(!strstr(l.v[i].text, "BAD"), "%s", l.v[i].text);
            }
            ck_assert(said && unchecked);
            view_lines_free(&l);
            view_index_free(&ix);
        }
        sim_free(&s);
        scenario_free(scn);
        capture_free(&c);
    }
}
END_TEST

START_TEST(test_read_cut_frame_layers_have_no_padding)
{
    uint8_t fr[1][128];
    size_t len = tcp_frame(fr[0], 128, TCP_ACK | TCP_PSH, 101, 501,
                           "twenty-one bytes long", A1, A2, 1000, 80);
    ck_assert_uint_eq(len, 14 + 20 + 20 + 21);
    struct buf w = { 0 };
    pcap_header(&w, 0xa1b2c3d4, 1);
    pcap_record(&w, 1, 0, fr[0], 64, len);          /* 11 bytes of data cut */
    struct capture c;
    char err[200];
    ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
    struct sim s;
    struct scenario *scn = read_capture("t.pcap", &c, &s, err, sizeof err);
    ck_assert_msg(scn != NULL, "%s", err);
    struct view_index ix;
    view_index_build(&ix, &s.tr);
    struct view_state st;
    view_state_init(&st, 1);
    st.cur = 0;
    ck_assert_int_eq(s.tr.recs[0].kind, TK_SEND);
    struct view_lines l = { 0 };
    view_encap_lines(&ix, &st, 200, &l);
    size_t n = 1;
    for (int i = 0; i < l.n; i++)
        n += strlen(l.v[i].text) + 1;
    char *t = calloc(1, n);
    for (int i = 0; i < l.n; i++)
        strcat(strcat(t, l.v[i].text), "\n");
    ck_assert_msg(!strstr(t, "padding"), "%s", t);
    /* the sizes its headers give, which add up, and what was captured */
    static const char *const want[] = {
        "a 64-byte frame", "64 of the frame's 75 bytes were captured",
        "TCP header 20 + 21", "IPv4 header 20 + 41", "Ethernet header 14 + 61",
        "=    75",
        ("Counted: the 75 bytes of the frame as its headers give them "
         "(the capture holds 64)"),
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(t, want[i]) != NULL, "no \"%s\" in:\n%s", want[i], t);
    free(t);
    view_lines_free(&l);
    view_index_free(&ix);
    sim_free(&s);
    scenario_free(scn);
    capture_free(&c);
}
END_TEST

START_TEST(test_read_mid_connection_and_refused_syn_have_no_states)
{
    /* a capture that starts after the handshake shows no SYN: no state
     * can be inferred; a SYN answered by an RST met no listener */
    uint8_t fr[4][128];
    size_t len[4], k = 0;
    len[k] = tcp_frame(fr[k], 128, TCP_ACK | TCP_PSH, 101, 501, "hi", A1, A2, 1000, 80); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_ACK, 501, 103, NULL, A2, A1, 80, 1000); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_SYN, 700, 0, NULL, A1, A2, 1001, 81); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_RST | TCP_ACK, 0, 701, NULL, A2, A1, 81, 1001); k++;
    struct sim s;
    struct scenario *scn = read_frames(fr, len, k, &s);
    char a[512], b[512];
    states_of(&s.tr, 0, a, sizeof a);
    states_of(&s.tr, 1, b, sizeof b);
    ck_assert_str_eq(a, "CLOSED>SYN_SENT SYN_SENT>CLOSED");
    ck_assert_str_eq(b, "");
    size_t sends = 0, recvs = 0;
    for (size_t i = 0; i < s.tr.n; i++) {
        sends += s.tr.recs[i].kind == TK_SEND;
        recvs += s.tr.recs[i].kind == TK_RECV;
    }
    ck_assert_uint_eq(sends, 4);
    ck_assert_uint_eq(recvs, 4);
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

START_TEST(test_read_splits_an_address_that_talks_to_itself)
{
    ip4_addr lo = 0x7f000001;
    uint8_t fr[4][128];
    size_t len[4], k = 0;
    len[k] = tcp_frame(fr[k], 128, TCP_SYN, 100, 0, NULL, lo, lo, 40000, 8080); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_SYN | TCP_ACK, 9, 101, NULL, lo, lo, 8080, 40000); k++;
    len[k] = tcp_frame(fr[k], 128, TCP_SYN, 100, 0, NULL, A1, A2, 1000, 80); k++;
    struct sim s;
    struct scenario *scn = read_frames(fr, len, k, &s);
    ck_assert_int_eq(scn->nhosts, 4);
    ck_assert_str_eq(scn->hosts[0].name, "127.0.0.1:40000");
    ck_assert_str_eq(scn->hosts[1].name, "127.0.0.1:8080");
    ck_assert_str_eq(scn->hosts[2].name, "10.0.0.1");
    char a[512];
    states_of(&s.tr, 1, a, sizeof a);
    ck_assert_str_eq(a, "CLOSED>LISTEN LISTEN>SYN_RECEIVED");
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

START_TEST(test_read_nothing_to_draw)
{
    struct buf w = { 0 };
    pcap_header(&w, 0xa1b2c3d4, 1);
    struct capture c;
    char err[200];
    ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
    struct sim s;
    ck_assert_ptr_null(read_capture("empty.pcap", &c, &s, err, sizeof err));
    ck_assert_str_eq(err, "it has no frame to draw: none holds an IPv4 packet or "
                     "an ARP message that protosim can decode");
    capture_free(&c);
}
END_TEST

/* Frames that reach the drawing but do not decode are counted, by reason,
 * where the skipped frames are (they were left out without a word, and a
 * capture of only such frames was said to have "no IPv4 or ARP frame").
 * Each case: one frame; drawn or which count. */
START_TEST(test_read_counts_frames_it_cannot_decode)
{
    uint8_t syn[128];
    size_t n = syn_frame(syn, sizeof syn);
    /* an ARP request, Ethernet/IPv4 */
    uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
                        0, 1, 0x08, 0x00, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1,
                        0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };
    struct {
        const char *what;
        size_t off; uint8_t val;   /* one byte changed (off 0: none) */
        int arp;                   /* the ARP frame, else the SYN */
        size_t caplen, wire;       /* 0: the frame's length */
        int reason;                /* -1: drawn */
    } cases[] = {
        { "whole SYN", 0, 0, 0, 0, 0, -1 },
        { "IHL 15 beyond the packet", 14, 0x4f, 0, 0, 0, CAP_SKIP_BAD_IPV4 },
        { "IHL 4", 14, 0x44, 0, 0, 0, CAP_SKIP_BAD_IPV4 },
        { "version 5", 14, 0x55, 0, 0, 0, CAP_SKIP_BAD_IPV4 },
        { "total length 65535 in a short frame", 16, 0xff, 0, 0, 0, CAP_SKIP_BAD_IPV4 },
        { "total length below its header", 16, 0x00, 0, 0, 0, CAP_SKIP_BAD_IPV4 },
        { "cut by the snapshot length", 0, 0, 0, 40, 0, CAP_SKIP_CUT },
        { "cut, and IHL 15 beyond the wire", 14, 0x4f, 0, 40, 0, CAP_SKIP_BAD_IPV4 },
        { "ARP request", 0, 0, 1, 0, 0, -1 },
        { "ARP of hardware type 6", 15, 6, 1, 0, 0, CAP_SKIP_BAD_ARP },
        { "ARP cut by the snapshot length", 0, 0, 1, 30, 0, CAP_SKIP_CUT },
        { "ARP short on the wire too", 0, 0, 1, 30, 30, CAP_SKIP_BAD_ARP },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t fr[128];
        size_t len = cases[i].arp ? sizeof arp : n;
        memcpy(fr, cases[i].arp ? arp : syn, len);
        if (cases[i].off)
            fr[cases[i].off] = cases[i].val;
        if (cases[i].off == 16)            /* the low byte of the total length */
            fr[17] = cases[i].val ? 0xff : 10;
        size_t wire = cases[i].wire ? cases[i].wire : len;
        size_t cut = cases[i].caplen ? cases[i].caplen : len;
        struct buf w = { 0 };
        pcap_header(&w, 0xa1b2c3d4, 1);
        pcap_record(&w, 1, 0, fr, cut, wire);
        struct capture c;
        char err[200] = "";
        ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
        ck_assert_uint_eq(c.n, 1);
        struct sim s;
        struct scenario *scn = read_capture("t.pcap", &c, &s, err, sizeof err);
        for (int k = 0; k < CAP_SKIP_COUNT; k++)
            ck_assert_msg(c.skipped[k] == (k == cases[i].reason),
                          "%s: skipped[%d] = %zu", cases[i].what, k, c.skipped[k]);
        if (cases[i].reason < 0) {
            ck_assert_msg(scn != NULL, "%s: %s", cases[i].what, err);
            sim_free(&s);
            scenario_free(scn);
        } else {
            ck_assert_msg(scn == NULL, "%s: drawn", cases[i].what);
            ck_assert_str_eq(err, "it has no frame to draw: none holds an IPv4 packet "
                             "or an ARP message that protosim can decode");
        }
        capture_free(&c);
    }
    /* beside a frame that is drawn: the capture is drawn, the bad frame
     * counted once, and drawing it again counts nothing more */
    uint8_t fr[2][128];
    size_t lens[2] = { n, n };
    memcpy(fr[0], syn, n);
    memcpy(fr[1], syn, n);
    fr[1][14] = 0x4f;
    struct buf w = { 0 };
    pcap_header(&w, 0xa1b2c3d4, 1);
    for (int i = 0; i < 2; i++)
        pcap_record(&w, 1, (uint32_t)i, fr[i], lens[i], lens[i]);
    struct capture c;
    char err[200];
    ck_assert_int_eq(capture_parse(w.b, w.n, &c, err, sizeof err), 0);
    struct sim s;
    struct scenario *scn = read_capture("t.pcap", &c, &s, err, sizeof err);
    ck_assert_ptr_nonnull(scn);
    ck_assert_uint_eq(c.skipped[CAP_SKIP_BAD_IPV4], 1);
    size_t sends = 0;
    for (size_t i = 0; i < s.tr.n; i++)
        sends += s.tr.recs[i].kind == TK_SEND;
    ck_assert_uint_eq(sends, 1);
    sim_free(&s);
    read_capture_again(scn, &c, &s);
    ck_assert_uint_eq(c.skipped[CAP_SKIP_BAD_IPV4], 1);
    sim_free(&s);
    scenario_free(scn);
    capture_free(&c);
}
END_TEST

/* An ARP packet in an Ethernet frame to eth_dst. */
static size_t arp_frame(uint8_t *out, uint16_t op, mac_addr sha, ip4_addr spa,
                        mac_addr tha, ip4_addr tpa, mac_addr eth_dst)
{
    struct arp_pkt p = { .htype = 1, .ptype = ETHERTYPE_IPV4, .hlen = 6, .plen = 4,
                         .op = op, .sha = sha, .spa = spa, .tha = tha, .tpa = tpa };
    uint8_t body[ARP_PKT_LEN];
    ck_assert_uint_eq(arp_encode(body, sizeof body, &p), ARP_PKT_LEN);
    struct eth_hdr eh = { .dst = eth_dst, .src = sha, .type = ETHERTYPE_ARP };
    size_t n = eth_encode(out, 128, &eh, body, sizeof body);
    ck_assert_uint_gt(n, 0);
    return n;
}

/* RFC 5227 2.1.1: a probe's sender address is 0.0.0.0, and so is the
 * target address of the owner's reply.  Both were drawn on a lifeline
 * called 0.0.0.0; the prober is now the host its MAC address sends from
 * elsewhere in the capture, else a lifeline named by that MAC address. */
START_TEST(test_read_arp_probe_is_drawn_on_its_sender)
{
    static const mac_addr X = { { 2, 0, 0, 0, 0, 0x1e } }, O = { { 2, 0, 0, 0, 0, 5 } },
                          Z = { { 0 } };
    const ip4_addr OWNER = 0x0a000005u, LATER = 0x0a000007u;
    for (int announced = 0; announced < 2; announced++) {
        uint8_t fr[3][128];
        size_t len[3], k = 0;
        len[k] = arp_frame(fr[k], ARP_OP_REQUEST, X, 0, Z, OWNER, MAC_BROADCAST); k++;
        len[k] = arp_frame(fr[k], ARP_OP_REPLY, O, OWNER, X, 0, X); k++;
        if (announced) {          /* later X announces the address it took */
            len[k] = arp_frame(fr[k], ARP_OP_REQUEST, X, LATER, Z, LATER, MAC_BROADCAST);
            k++;
        }
        struct sim s;
        struct scenario *scn = read_frames(fr, len, k, &s);
        ck_assert_int_eq(scn->nhosts, 2);
        ck_assert_str_eq(scn->hosts[0].name, announced ? "10.0.0.7" : "02:00:00:00:00:1e");
        ck_assert_str_eq(scn->hosts[1].name, "10.0.0.5");
        for (int h = 0; h < scn->nhosts; h++)
            ck_assert_str_ne(scn->hosts[h].name, "0.0.0.0");
        /* the probe from the prober, the reply back to it */
        int seen = 0;
        for (size_t i = 0; i < s.tr.n; i++) {
            const struct trace_rec *r = &s.tr.recs[i];
            if (r->kind != TK_SEND)
                continue;
            if (seen == 0)
                ck_assert(r->u.pkt.src == 0 && r->u.pkt.dst == HOST_BROADCAST);
            if (seen == 1)
                ck_assert(r->u.pkt.src == 1 && r->u.pkt.dst == 0);
            seen++;
        }
        ck_assert_int_eq(seen, (int)k);
        sim_free(&s);
        scenario_free(scn);
    }
}
END_TEST

Suite *read_suite(void)
{
    Suite *s = suite_create("read");
    TCase *t = tcase_create("capture");
    tcase_add_test(t, test_pcap_both_byte_orders_and_resolutions);
    tcase_add_test(t, test_pcap_link_types_become_ethernet);
    tcase_add_test(t, test_pcap_vlan_tag_and_unknown_link_type);
    tcase_add_test(t, test_pcap_errors_say_where);
    tcase_add_test(t, test_pcapng_sections_interfaces_and_resolution);
    tcase_add_test(t, test_pcapng_errors_say_where);
    suite_add_tcase(s, t);
    TCase *d = tcase_create("drawn");
    tcase_add_test(d, test_read_infers_a_simultaneous_close);
    tcase_add_test(d, test_read_mid_connection_and_refused_syn_have_no_states);
    tcase_add_test(d, test_read_takes_a_segment_whose_options_go_wrong);
    tcase_add_test(d, test_read_cut_frame_layers_have_no_padding);
    tcase_add_test(d, test_read_headers_cut_inside_their_options);
    tcase_add_test(d, test_read_discards_a_data_offset_below_5);
    tcase_add_test(d, test_read_close_in_syn_sent);
    tcase_add_test(d, test_read_time_wait_reopened_by_a_syn);
    tcase_add_test(d, test_read_splits_an_address_that_talks_to_itself);
    tcase_add_test(d, test_read_arp_probe_is_drawn_on_its_sender);
    tcase_add_test(d, test_read_nothing_to_draw);
    tcase_add_test(d, test_read_counts_frames_it_cannot_decode);
    suite_add_tcase(s, d);
    return s;
}
