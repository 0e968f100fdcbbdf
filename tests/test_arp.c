/* test_arp.c — Check suite for sim/proto/arp.c: RFC 826 packet bytes and the
 * sans-I/O neighbour cache, driven directly with a recording environment.
 *
 * The cache under test is 192.0.2.10 (ME); its neighbour 192.0.2.1 (PEER)
 * answers when a test plays it by calling arp_input().  Every frame the
 * cache puts on the LAN is copied into f.tx, every packet it gives up on
 * into f.drop, and every state change lands in a real struct trace, so one
 * test per arrow can assert the state record (from, to), the frames and
 * the timers together. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "arp.h"
#include "narrate.h"
#include "trace.h"
#include "wire.h"
#include "suites.h"

#define MS(x) ((int64_t)(x) * 1000)
#define S(x)  ((int64_t)(x) * 1000000)

#define ME     0xC000020Au            /* 192.0.2.10 */
#define PEER   0xC0000201u            /* 192.0.2.1 */
#define OTHER  0xC000021Eu            /* 192.0.2.30 */
#define THIRD  0xC0000228u            /* 192.0.2.40 */
#define FAR    0xC6336450u            /* 198.51.100.80, behind PEER */

static const mac_addr ME_MAC    = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a } };
static const mac_addr PEER_MAC  = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
static const mac_addr PEER_MAC2 = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 } };
static const mac_addr OTHER_MAC = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x1e } };
static const mac_addr ZERO_MAC  = { { 0 } };

#define MAX_TX 64
#define MAX_DROP 16

struct tx {
    uint8_t b[FRAME_MAX];
    size_t len;
    uint32_t conn;
    int layer;
    struct why why;
};

struct dropped {
    ip4_addr ip;
    uint8_t b[FRAME_MAX];
    size_t len;
    uint32_t conn;
    struct why why;
    int failed;                  /* resolution failed: the sender is told */
};

/* The cache under test and everything it did. */
struct afx {
    struct trace tr;
    struct arp_config cfg;
    struct arp_cache c;
    struct tx tx[MAX_TX];
    int ntx;
    struct dropped drop[MAX_DROP];
    int ndrop;
};

static struct afx F;

static void rec_xmit(void *ctx, const uint8_t *frame, size_t len, uint32_t conn,
                     int layer, struct why why)
{
    struct afx *f = ctx;
    ck_assert_int_lt(f->ntx, MAX_TX);
    ck_assert_uint_le(len, FRAME_MAX);
    struct tx *t = &f->tx[f->ntx++];
    memcpy(t->b, frame, len);
    t->len = len;
    t->conn = conn;
    t->layer = layer;
    t->why = why;
}

static void rec_unreachable(void *ctx, ip4_addr ip, const struct arp_waiting *w,
                            struct why why, int failed)
{
    struct afx *f = ctx;
    ck_assert_int_lt(f->ndrop, MAX_DROP);
    struct dropped *d = &f->drop[f->ndrop++];
    d->ip = ip;
    memcpy(d->b, w->frame, w->len);
    d->len = w->len;
    d->conn = w->conn;
    d->why = why;
    d->failed = failed;
}

/* A fresh cache with the default configuration (or cfg). */
static struct afx *afx_init(const struct arp_config *cfg)
{
    struct afx *f = &F;
    memset(f, 0, sizeof *f);
    trace_init(&f->tr);
    trace_add_host(&f->tr, "me", ME);
    if (cfg)
        f->cfg = *cfg;
    else
        arp_config_default(&f->cfg);
    struct arp_env env = { &f->tr, 0, rec_xmit, rec_unreachable, f };
    arp_init(&f->c, &f->cfg, &env, ME, ME_MAC);
    return f;
}

static void afx_free(struct afx *f)
{
    arp_free(&f->c);
    trace_free(&f->tr);
}

/* An IPv4/UDP frame from ME towards FAR carrying `tag`, with ME's source
 * MAC and a zero destination MAC, as the IP layer hands it to ARP. */
static size_t ip_frame(uint8_t *buf, const char *tag)
{
    struct ip4_hdr ip;
    memset(&ip, 0, sizeof ip);
    ip.src = ME;
    ip.dst = FAR;
    ip.ttl = 64;
    struct udp_hdr uh = { .sport = 4000, .dport = 7 };
    size_t n = udp_frame_encode(buf, FRAME_MAX, ME_MAC, ZERO_MAC, &ip, &uh,
                                (const uint8_t *)tag, strlen(tag));
    ck_assert_uint_gt(n, 0);
    return n;
}

/* Hands a packet for next hop `ip` to the cache, tagged for later checks. */
static void output(struct afx *f, int64_t now, ip4_addr ip, const char *tag,
                   uint32_t conn)
{
    uint8_t buf[FRAME_MAX];
    size_t n = ip_frame(buf, tag);
    arp_output(&f->c, now, ip, buf, n, conn, TL_UDP, WHY(N_SEG_UDP, 1));
}

static struct arp_pkt pkt(uint16_t op, mac_addr sha, ip4_addr spa, mac_addr tha,
                          ip4_addr tpa)
{
    struct arp_pkt p = { .htype = 1, .ptype = ETHERTYPE_IPV4, .hlen = 6,
                         .plen = 4, .op = op, .sha = sha, .spa = spa,
                         .tha = tha, .tpa = tpa };
    return p;
}

/* Hands the cache an ARP packet it must take (not discard). */
static void input_ok(struct afx *f, int64_t now, const struct arp_pkt *p)
{
    struct why drop = { 0 };
    ck_assert_int_eq(arp_input(&f->c, now, p, &drop), 0);
}

/* PEER answers our request: "192.0.2.1 is-at PEER_MAC", to us. */
static void peer_replies(struct afx *f, int64_t now, mac_addr mac)
{
    struct arp_pkt p = pkt(ARP_OP_REPLY, mac, PEER, ME_MAC, ME);
    input_ok(f, now, &p);
}

/* Transmitted frame i decoded as ARP; asserts it is one. */
static struct arp_pkt tx_arp(const struct afx *f, int i, mac_addr *eth_dst)
{
    ck_assert_int_lt(i, f->ntx);
    const struct tx *t = &f->tx[i];
    struct frame fr;
    char err[64];
    ck_assert_int_eq(frame_decode(t->b, t->len, &fr, err, sizeof err), 0);
    ck_assert_uint_eq(fr.eth.type, ETHERTYPE_ARP);
    ck_assert(memcmp(fr.eth.src.b, ME_MAC.b, 6) == 0);
    ck_assert_int_eq(t->layer, TL_ARP);
    struct arp_pkt p;
    ck_assert_int_eq(arp_decode(fr.payload, fr.payload_len, &p), 0);
    if (eth_dst)
        *eth_dst = fr.eth.dst;
    return p;
}

/* Asserts the one frame sent is ME's reply to OTHER, unicast to its MAC,
 * target protocol address tpa, with sentence why. */
static void assert_one_reply_to_other(const struct afx *f, ip4_addr tpa, int why)
{
    ck_assert_int_eq(f->ntx, 1);
    mac_addr dst;
    struct arp_pkt rp = tx_arp(f, 0, &dst);
    ck_assert(memcmp(dst.b, OTHER_MAC.b, 6) == 0);
    ck_assert_uint_eq(rp.op, ARP_OP_REPLY);
    ck_assert(memcmp(rp.sha.b, ME_MAC.b, 6) == 0);
    ck_assert_uint_eq(rp.spa, ME);
    ck_assert(memcmp(rp.tha.b, OTHER_MAC.b, 6) == 0);
    ck_assert_uint_eq(rp.tpa, tpa);
    ck_assert_int_eq(f->tx[0].why.id, why);
}

/* Asserts transmitted frame i is the broadcast "who-has ip tell ME". */
static void assert_request(const struct afx *f, int i, ip4_addr ip)
{
    mac_addr dst;
    struct arp_pkt p = tx_arp(f, i, &dst);
    ck_assert(memcmp(dst.b, MAC_BROADCAST.b, 6) == 0);
    ck_assert_uint_eq(p.op, ARP_OP_REQUEST);
    ck_assert(memcmp(p.sha.b, ME_MAC.b, 6) == 0);
    ck_assert_uint_eq(p.spa, ME);
    ck_assert(memcmp(p.tha.b, ZERO_MAC.b, 6) == 0);
    ck_assert_uint_eq(p.tpa, ip);
}

/* Asserts transmitted frame i is the IPv4 packet tagged `tag`, sent to
 * Ethernet destination `mac` and otherwise exactly as it was handed in. */
static void assert_ip_frame(const struct afx *f, int i, const char *tag,
                            mac_addr mac)
{
    ck_assert_int_lt(i, f->ntx);
    uint8_t want[FRAME_MAX];
    size_t n = ip_frame(want, tag);
    memcpy(want, mac.b, 6);
    ck_assert_uint_eq(f->tx[i].len, n);
    ck_assert_msg(memcmp(f->tx[i].b, want, n) == 0,
                  "frame %d is not packet \"%s\" to the learned MAC", i, tag);
    ck_assert_int_eq(f->tx[i].layer, TL_UDP);
}

static uint32_t entry_id(const struct afx *f, ip4_addr ip)
{
    const struct arp_entry *e = arp_lookup(&f->c, ip);
    ck_assert_ptr_nonnull(e);
    return e->id;
}

static int entry_state(const struct afx *f, ip4_addr ip)
{
    const struct arp_entry *e = arp_lookup(&f->c, ip);
    return e ? (int)e->state : ARP_NONE;
}

/* The ARP state records of `conn` from record `from` on must be exactly the
 * pairs (exp[0] -> exp[1]), (exp[2] -> exp[3]), ...; exp ends with -1, and
 * {-1} means "no state change". */
static void check_states(const struct afx *f, uint32_t conn, size_t from,
                         const int *exp, int line)
{
    int k = 0;
    for (size_t i = from; i < f->tr.n; i++) {
        const struct trace_rec *r = &f->tr.recs[i];
        if (r->kind != TK_STATE || r->conn != conn)
            continue;
        ck_assert_int_eq(r->layer, TL_ARP);
        ck_assert_int_eq(r->host, 0);
        ck_assert_msg(exp[k] >= 0, "line %d: unexpected state record %s -> %s",
                      line, arp_state_name(r->u.state.from),
                      arp_state_name(r->u.state.to));
        ck_assert_msg(r->u.state.from == exp[k] && r->u.state.to == exp[k + 1],
                      "line %d: state record %s -> %s, want %s -> %s", line,
                      arp_state_name(r->u.state.from),
                      arp_state_name(r->u.state.to), arp_state_name(exp[k]),
                      arp_state_name(exp[k + 1]));
        k += 2;
    }
    ck_assert_msg(exp[k] < 0, "line %d: missing state record %s -> %s", line,
                  arp_state_name(exp[k]), arp_state_name(exp[k + 1]));
}
#define STATES(f, conn, from, ...) \
    check_states((f), (conn), (from), (const int[]){ __VA_ARGS__, -1 }, \
                 __LINE__)

/* The last state record of `conn`, or NULL. */
static const struct trace_rec *last_state(const struct afx *f, uint32_t conn)
{
    for (size_t i = f->tr.n; i-- > 0;)
        if (f->tr.recs[i].kind == TK_STATE && f->tr.recs[i].conn == conn)
            return &f->tr.recs[i];
    return NULL;
}

static size_t count_timers(const struct afx *f, uint32_t conn, int action)
{
    size_t n = 0;
    for (size_t i = 0; i < f->tr.n; i++) {
        const struct trace_rec *r = &f->tr.recs[i];
        n += r->kind == TK_TIMER && r->conn == conn &&
             r->u.timer.name == TM_ARP && r->u.timer.action == action;
    }
    return n;
}

/* Brings PEER to REACHABLE at time 0 through a real exchange: one packet
 * queued, one request, PEER's reply.  Leaves tx and the trace as they are. */
static void make_reachable(struct afx *f)
{
    output(f, 0, PEER, "first", 0);
    peer_replies(f, MS(1), PEER_MAC);
    ck_assert_int_eq(entry_state(f, PEER), ARP_REACHABLE);
    ck_assert_int_eq(f->ntx, 2);              /* request, "first" */
}

/* ------------------------------------------------------------------------ */
/* Packets (RFC 826 "Packet format")                                        */

/* who-has 192.0.2.1 tell 192.0.2.10, field by field in RFC 826 order. */
static const uint8_t REQUEST_VECTOR[ARP_PKT_LEN] = {
    0x00, 0x01,                               /* ar$hrd: Ethernet */
    0x08, 0x00,                               /* ar$pro: IPv4 */
    0x06,                                     /* ar$hln */
    0x04,                                     /* ar$pln */
    0x00, 0x01,                               /* ar$op: REQUEST */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,       /* ar$sha */
    0xc0, 0x00, 0x02, 0x0a,                   /* ar$spa: 192.0.2.10 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,       /* ar$tha: unknown */
    0xc0, 0x00, 0x02, 0x01,                   /* ar$tpa: 192.0.2.1 */
};

START_TEST(test_decode_hand_written_vector)
{
    struct arp_pkt p;
    ck_assert_int_eq(arp_decode(REQUEST_VECTOR, sizeof REQUEST_VECTOR, &p), 0);
    ck_assert_uint_eq(p.htype, 1);
    ck_assert_uint_eq(p.ptype, 0x0800);
    ck_assert_uint_eq(p.hlen, 6);
    ck_assert_uint_eq(p.plen, 4);
    ck_assert_uint_eq(p.op, ARP_OP_REQUEST);
    ck_assert(memcmp(p.sha.b, ME_MAC.b, 6) == 0);
    ck_assert_uint_eq(p.spa, ME);
    ck_assert(memcmp(p.tha.b, ZERO_MAC.b, 6) == 0);
    ck_assert_uint_eq(p.tpa, PEER);

    /* the encoder writes exactly these bytes for the same request */
    uint8_t buf[ARP_PKT_LEN];
    struct arp_pkt q = pkt(ARP_OP_REQUEST, ME_MAC, ME, ZERO_MAC, PEER);
    ck_assert_uint_eq(arp_encode(buf, sizeof buf, &q), ARP_PKT_LEN);
    ck_assert(memcmp(buf, REQUEST_VECTOR, ARP_PKT_LEN) == 0);

    /* an Ethernet payload is padded to 46 bytes: the padding is ignored */
    uint8_t padded[46];
    memset(padded, 0xee, sizeof padded);
    memcpy(padded, REQUEST_VECTOR, ARP_PKT_LEN);
    ck_assert_int_eq(arp_decode(padded, sizeof padded, &p), 0);
    ck_assert_uint_eq(p.tpa, PEER);
}
END_TEST

START_TEST(test_encode_decode_round_trip)
{
    struct arp_pkt in = pkt(ARP_OP_REPLY, PEER_MAC, PEER, ME_MAC, ME), out;
    uint8_t buf[64];
    memset(buf, 0xaa, sizeof buf);
    ck_assert_uint_eq(arp_encode(buf, sizeof buf, &in), ARP_PKT_LEN);
    ck_assert_uint_eq(buf[ARP_PKT_LEN], 0xaa);          /* wrote 28, no more */
    ck_assert_uint_eq(buf[6], 0x00);
    ck_assert_uint_eq(buf[7], 0x02);                    /* ar$op: REPLY */
    ck_assert_int_eq(arp_decode(buf, ARP_PKT_LEN, &out), 0);
    ck_assert_uint_eq(out.htype, 1);
    ck_assert_uint_eq(out.ptype, ETHERTYPE_IPV4);
    ck_assert_uint_eq(out.hlen, 6);
    ck_assert_uint_eq(out.plen, 4);
    ck_assert_uint_eq(out.op, ARP_OP_REPLY);
    ck_assert(memcmp(out.sha.b, PEER_MAC.b, 6) == 0);
    ck_assert_uint_eq(out.spa, PEER);
    ck_assert(memcmp(out.tha.b, ME_MAC.b, 6) == 0);
    ck_assert_uint_eq(out.tpa, ME);
    /* a buffer one byte short gets nothing */
    ck_assert_uint_eq(arp_encode(buf, ARP_PKT_LEN - 1, &in), 0);
}
END_TEST

START_TEST(test_decode_rejects_short_and_foreign)
{
    struct arp_pkt p;
    uint8_t b[ARP_PKT_LEN];
    ck_assert_int_eq(arp_decode(REQUEST_VECTOR, ARP_PKT_LEN - 1, &p), -1);
    ck_assert_int_eq(arp_decode(REQUEST_VECTOR, 0, &p), -1);
    ck_assert_int_eq(arp_decode(NULL, ARP_PKT_LEN, &p), -1);
    /* { byte offset, value }: each makes it not IPv4 over Ethernet */
    static const struct { int off; uint8_t v; } bad[] = {
        { 1, 0x06 },           /* ar$hrd 6: IEEE 802 */
        { 0, 0x01 },           /* ar$hrd 0x0101 */
        { 2, 0x86 },           /* ar$pro 0x8600 */
        { 3, 0x06 },           /* ar$pro 0x0806 */
        { 4, 0x08 },           /* ar$hln 8 */
        { 5, 0x10 },           /* ar$pln 16 */
        { 7, 0x00 },           /* ar$op 0 */
        { 7, 0x03 },           /* ar$op 3: RARP request */
        { 6, 0x01 },           /* ar$op 0x0101 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(b, REQUEST_VECTOR, sizeof b);
        b[bad[i].off] = bad[i].v;
        ck_assert_msg(arp_decode(b, sizeof b, &p) == -1,
                      "byte %d = 0x%02x was accepted", bad[i].off, bad[i].v);
    }
    /* and the untouched vector still decodes */
    ck_assert_int_eq(arp_decode(REQUEST_VECTOR, ARP_PKT_LEN, &p), 0);
}
END_TEST

START_TEST(test_summary_text)
{
    char buf[96];
    struct arp_pkt rq = pkt(ARP_OP_REQUEST, ME_MAC, ME, ZERO_MAC, PEER);
    ck_assert_str_eq(arp_summary(&rq, buf, sizeof buf),
                     "ARP who-has 192.0.2.1 tell 192.0.2.10");
    struct arp_pkt rp = pkt(ARP_OP_REPLY, PEER_MAC, PEER, ME_MAC, ME);
    ck_assert_str_eq(arp_summary(&rp, buf, sizeof buf),
                     "ARP 192.0.2.1 is-at 02:00:00:00:00:01");
    /* a small buffer is cut, never overrun */
    char small[8];
    memset(small, 'x', sizeof small);
    arp_summary(&rq, small, sizeof small);
    ck_assert_str_eq(small, "ARP who");
}
END_TEST

START_TEST(test_state_names)
{
    /* DESIGN.md: NONE INCOMPLETE REACHABLE STALE DELAY PROBE FAILED */
    static const char *const names[] = { "NONE", "INCOMPLETE", "REACHABLE",
                                         "STALE", "DELAY", "PROBE", "FAILED" };
    ck_assert_int_eq(ARP_NSTATES, 7);
    for (int i = 0; i < ARP_NSTATES; i++) {
        ck_assert_str_eq(arp_state_name(i), names[i]);
        ck_assert_int_eq(arp_state_parse(names[i]), i);
    }
    ck_assert_int_eq(arp_state_parse("stale"), -1);
    ck_assert_int_eq(arp_state_parse("DONE"), -1);
    ck_assert_str_eq(arp_state_name(ARP_NSTATES), "?");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The cache, one test per arrow                                            */

START_TEST(test_none_to_incomplete_on_output)
{
    struct afx *f = afx_init(NULL);
    output(f, MS(5), PEER, "p1", 7);
    const struct arp_entry *e = arp_lookup(&f->c, PEER);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->state, ARP_INCOMPLETE);
    STATES(f, e->id, 0, ARP_NONE, ARP_INCOMPLETE);
    ck_assert_int_eq(last_state(f, e->id)->t_us, MS(5));
    ck_assert_int_eq(last_state(f, e->id)->why.id, N_ARP_INCOMPLETE);
    ck_assert_str_eq(trace_str(&f->tr, e->id), "arp:192.0.2.1");
    /* one frame: the broadcast request; the packet itself waits */
    ck_assert_int_eq(f->ntx, 1);
    assert_request(f, 0, PEER);
    ck_assert_int_eq(f->tx[0].why.id, N_ARP_REQUEST);
    ck_assert_int_eq(e->nq, 1);
    ck_assert_uint_eq(e->q[0].conn, 7);
    ck_assert_int_eq(e->requests, 1);
    /* the retry timer is armed one retrans_us later */
    ck_assert_int_eq(count_timers(f, e->id, TA_START), 1);
    ck_assert_int_eq(arp_deadline(&f->c), MS(5) + f->cfg.retrans_us);
    ck_assert_int_eq(f->ndrop, 0);
    afx_free(f);
}
END_TEST

START_TEST(test_incomplete_output_queues_without_new_request)
{
    struct afx *f = afx_init(NULL);
    output(f, 0, PEER, "p1", 0);
    output(f, MS(100), PEER, "p2", 0);
    output(f, MS(200), PEER, "p3", 0);
    const struct arp_entry *e = arp_lookup(&f->c, PEER);
    ck_assert_int_eq(f->ntx, 1);                   /* still only one request */
    ck_assert_int_eq(e->nq, 3);
    ck_assert_int_eq(e->requests, 1);
    STATES(f, e->id, 0, ARP_NONE, ARP_INCOMPLETE);
    ck_assert_int_eq(arp_deadline(&f->c), f->cfg.retrans_us); /* not pushed back */
    afx_free(f);
}
END_TEST

START_TEST(test_incomplete_to_reachable_on_reply_sends_queue_in_order)
{
    struct afx *f = afx_init(NULL);
    output(f, 0, PEER, "p1", 3);
    output(f, MS(1), PEER, "p2", 4);
    output(f, MS(2), PEER, "p3", 5);
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    peer_replies(f, MS(3), PEER_MAC);
    const struct arp_entry *e = arp_lookup(&f->c, PEER);
    ck_assert_int_eq(e->state, ARP_REACHABLE);
    ck_assert(memcmp(e->mac.b, PEER_MAC.b, 6) == 0);
    STATES(f, id, mark, ARP_INCOMPLETE, ARP_REACHABLE);
    ck_assert_int_eq(last_state(f, id)->t_us, MS(3));
    ck_assert_int_eq(last_state(f, id)->why.id, N_ARP_RESOLVED);
    /* the three waiting packets, in order, to the learned MAC; no reply to
     * a reply */
    ck_assert_int_eq(f->ntx, 4);
    assert_ip_frame(f, 1, "p1", PEER_MAC);
    assert_ip_frame(f, 2, "p2", PEER_MAC);
    assert_ip_frame(f, 3, "p3", PEER_MAC);
    ck_assert_uint_eq(f->tx[1].conn, 3);
    ck_assert_uint_eq(f->tx[3].conn, 5);
    ck_assert_int_eq(e->nq, 0);
    /* the retry timer stops; the REACHABLE timer runs reachable_us */
    ck_assert_int_eq(count_timers(f, id, TA_STOP), 1);
    ck_assert_int_eq(arp_deadline(&f->c), MS(3) + f->cfg.reachable_us);
    ck_assert_int_eq(f->ndrop, 0);
    afx_free(f);
}
END_TEST

START_TEST(test_incomplete_retries_then_failed_drops_queue)
{
    struct arp_config cfg;
    arp_config_default(&cfg);
    cfg.retrans_us = MS(500);
    cfg.max_requests = 4;
    struct afx *f = afx_init(&cfg);
    output(f, MS(10), PEER, "p1", 21);
    output(f, MS(20), PEER, "p2", 22);
    uint32_t id = entry_id(f, PEER);
    /* a request every retrans_us, up to max_requests in all */
    for (int k = 1; k < cfg.max_requests; k++) {
        int64_t due = MS(10) + k * cfg.retrans_us;
        ck_assert_int_eq(arp_deadline(&f->c), due);
        arp_timer(&f->c, due - 1);                /* early: nothing */
        ck_assert_int_eq(f->ntx, k);
        arp_timer(&f->c, due);
        ck_assert_int_eq(f->ntx, k + 1);
        assert_request(f, k, PEER);
        ck_assert_int_eq(f->tx[k].why.id, N_ARP_RETRY);
        ck_assert_int_eq(f->tx[k].why.a[0], k + 1);   /* "request k+1 of 4" */
        ck_assert_int_eq(f->tx[k].why.a[1], cfg.max_requests);
        ck_assert_int_eq(entry_state(f, PEER), ARP_INCOMPLETE);
        ck_assert_int_eq(f->ndrop, 0);
    }
    STATES(f, id, 0, ARP_NONE, ARP_INCOMPLETE);
    /* the last request goes unanswered too: FAILED */
    int64_t last = MS(10) + cfg.max_requests * cfg.retrans_us;
    ck_assert_int_eq(arp_deadline(&f->c), last);
    arp_timer(&f->c, last);
    ck_assert_int_eq(f->ntx, cfg.max_requests);   /* no fifth request */
    ck_assert_int_eq(entry_state(f, PEER), ARP_FAILED);
    STATES(f, id, 0, ARP_NONE, ARP_INCOMPLETE, ARP_INCOMPLETE, ARP_FAILED);
    const struct trace_rec *fr = last_state(f, id);
    ck_assert_int_eq(fr->t_us, last);
    ck_assert_int_eq(fr->why.id, N_ARP_FAILED);
    ck_assert_int_eq(fr->why.a[0], cfg.max_requests);
    ck_assert_int_eq(fr->why.a[2], 2);           /* two packets dropped */
    /* every waiting packet is reported unreachable, in order */
    ck_assert_int_eq(f->ndrop, 2);
    ck_assert_uint_eq(f->drop[0].ip, PEER);
    ck_assert_uint_eq(f->drop[0].conn, 21);
    ck_assert_uint_eq(f->drop[1].conn, 22);
    /* RFC 4861 7.2.2: failed resolution -- each sender is to be told */
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(f->drop[k].failed, 1);
        ck_assert_int_eq(f->drop[k].why.id, N_ARP_UNREACHABLE);
        ck_assert_uint_eq(f->drop[k].why.a[0], PEER);
        ck_assert_int_eq(f->drop[k].why.a[1], cfg.max_requests);
    }
    uint8_t want[FRAME_MAX];
    size_t n = ip_frame(want, "p2");
    ck_assert_uint_eq(f->drop[1].len, n);
    ck_assert(memcmp(f->drop[1].b, want, n) == 0);
    ck_assert_int_eq(arp_lookup(&f->c, PEER)->nq, 0);
    ck_assert_int_eq(count_timers(f, id, TA_START), cfg.max_requests);
    ck_assert_int_eq(count_timers(f, id, TA_EXPIRE), cfg.max_requests);
    ck_assert_int_eq(arp_deadline(&f->c), -1);    /* nothing more to do */
    afx_free(f);
}
END_TEST

START_TEST(test_failed_to_incomplete_on_new_output)
{
    struct afx *f = afx_init(NULL);
    output(f, 0, PEER, "p1", 0);
    for (int k = 1; k <= f->cfg.max_requests; k++)
        arp_timer(&f->c, k * f->cfg.retrans_us);
    ck_assert_int_eq(entry_state(f, PEER), ARP_FAILED);
    uint32_t id = entry_id(f, PEER);
    int ntx = f->ntx;
    size_t mark = f->tr.n;
    output(f, S(10), PEER, "p2", 0);
    STATES(f, id, mark, ARP_FAILED, ARP_INCOMPLETE);
    ck_assert_int_eq(f->ntx, ntx + 1);           /* a new request */
    assert_request(f, ntx, PEER);
    const struct arp_entry *e = arp_lookup(&f->c, PEER);
    ck_assert_int_eq(e->requests, 1);            /* a fresh count of tries */
    ck_assert_int_eq(e->nq, 1);
    ck_assert_int_eq(arp_deadline(&f->c), S(10) + f->cfg.retrans_us);
    /* and this time the answer comes: the new packet goes out */
    peer_replies(f, S(10) + MS(1), PEER_MAC);
    ck_assert_int_eq(entry_state(f, PEER), ARP_REACHABLE);
    assert_ip_frame(f, ntx + 1, "p2", PEER_MAC);
    ck_assert_int_eq(f->ndrop, 1);               /* only p1, earlier */
    afx_free(f);
}
END_TEST

/* A cache of thousands of entries (a host on a LAN of a crowd): each is
 * found by its address, an address never learnt is not, and the timers
 * expire in order of their deadlines -- entries with equal deadlines in
 * the order they were learnt, whatever their addresses. */
START_TEST(test_thousands_of_entries_found_and_expired_in_order)
{
    struct afx *f = afx_init(NULL);
    enum { N = 3000 };
    const ip4_addr base = 0x0A000000u;            /* 10.0.0.0 */
    for (int i = 0; i < N; i++) {
        /* resolved two at a time, in an order unlike the addresses': a
         * packet asks, the reply answers (REACHABLE) and releases it */
        ip4_addr ip = base + 1 + (ip4_addr)((i * 7919) % N);
        mac_addr m = { { 0x02, 0x00, 0x00, 0x01, (uint8_t)(i >> 8),
                         (uint8_t)i } };
        output(f, MS(i / 2), ip, "x", 0);
        struct arp_pkt p = pkt(ARP_OP_REPLY, m, ip, ME_MAC, ME);
        input_ok(f, MS(i / 2), &p);
        ck_assert_int_eq(f->ntx, 2);             /* the request, the packet */
        f->ntx = 0;
    }
    for (int i = 0; i < N; i++) {
        ip4_addr ip = base + 1 + (ip4_addr)((i * 7919) % N);
        const struct arp_entry *e = arp_lookup(&f->c, ip);
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->ip, ip);
        ck_assert_int_eq(e->mac.b[4], (uint8_t)(i >> 8));
        ck_assert_int_eq(e->mac.b[5], (uint8_t)i);
        ck_assert_int_eq(e->state, ARP_REACHABLE);
    }
    ck_assert_ptr_null(arp_lookup(&f->c, base + N + 1));
    ck_assert_ptr_null(arp_lookup(&f->c, base));
    size_t mark = f->tr.n;
    for (int k = 0; k < N / 2; k++) {
        int64_t due = MS(k) + f->cfg.reachable_us;
        ck_assert_int_eq(arp_deadline(&f->c), due);
        arp_timer(&f->c, due);
    }
    ck_assert_int_eq(arp_deadline(&f->c), -1);
    /* N state records, in the order the entries were learnt */
    int seen = 0;
    for (size_t r = mark; r < f->tr.n; r++) {
        const struct trace_rec *rec = &f->tr.recs[r];
        if (rec->kind != TK_STATE)
            continue;
        ip4_addr ip = base + 1 + (ip4_addr)((seen * 7919) % N);
        ck_assert_uint_eq(rec->conn, entry_id(f, ip));
        ck_assert_int_eq(rec->u.state.to, ARP_STALE);
        ck_assert_int_eq(rec->t_us, MS(seen / 2) + f->cfg.reachable_us);
        seen++;
    }
    ck_assert_int_eq(seen, N);
    afx_free(f);
}
END_TEST

START_TEST(test_reachable_to_stale_after_reachable_us)
{
    struct afx *f = afx_init(NULL);
    make_reachable(f);
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    int64_t due = MS(1) + f->cfg.reachable_us;
    ck_assert_int_eq(arp_deadline(&f->c), due);
    arp_timer(&f->c, due - 1);
    ck_assert_int_eq(entry_state(f, PEER), ARP_REACHABLE);
    arp_timer(&f->c, due);
    ck_assert_int_eq(entry_state(f, PEER), ARP_STALE);
    STATES(f, id, mark, ARP_REACHABLE, ARP_STALE);
    ck_assert_int_eq(last_state(f, id)->t_us, due);
    ck_assert_int_eq(last_state(f, id)->why.id, N_ARP_STALE);
    ck_assert_int_eq(f->ntx, 2);                 /* going stale sends nothing */
    ck_assert_int_eq(arp_deadline(&f->c), -1);
    afx_free(f);
}
END_TEST

/* Brings PEER to STALE: REACHABLE at 1 ms, STALE at 1 ms + reachable_us. */
static int64_t make_stale(struct afx *f)
{
    make_reachable(f);
    int64_t t = MS(1) + f->cfg.reachable_us;
    arp_timer(&f->c, t);
    ck_assert_int_eq(entry_state(f, PEER), ARP_STALE);
    return t;
}

/* Brings PEER to DELAY by sending "used" at `at` on the STALE entry. */
static void make_delay(struct afx *f, int64_t at)
{
    make_stale(f);
    output(f, at, PEER, "used", 9);
    ck_assert_int_eq(entry_state(f, PEER), ARP_DELAY);
}

/* Brings PEER to PROBE: DELAY at `at`, PROBE at `at` + delay_us. */
static void make_probe(struct afx *f, int64_t at)
{
    make_delay(f, at);
    arp_timer(&f->c, at + f->cfg.delay_us);
    ck_assert_int_eq(entry_state(f, PEER), ARP_PROBE);
}

/* Asserts transmitted frame i is a unicast probe "who-has PEER" sent to
 * the Ethernet address `mac` (RFC 4861 7.3.3). */
static void assert_probe(const struct afx *f, int i, mac_addr mac)
{
    mac_addr dst;
    struct arp_pkt p = tx_arp(f, i, &dst);
    ck_assert_msg(memcmp(dst.b, mac.b, 6) == 0, "frame %d is not unicast to "
                  "the cached MAC", i);
    ck_assert_uint_eq(p.op, ARP_OP_REQUEST);
    ck_assert(memcmp(p.sha.b, ME_MAC.b, 6) == 0);
    ck_assert_uint_eq(p.spa, ME);
    ck_assert_uint_eq(p.tpa, PEER);
    ck_assert_int_eq(f->tx[i].why.id, N_ARP_PROBE_SEND);
}

/* RFC 4861 7.3.3: "The first time a node sends a packet to a neighbor whose
 * entry is STALE, the sender changes the state to DELAY and sets a timer to
 * expire in DELAY_FIRST_PROBE_TIME seconds" -- and the packet still goes at
 * once, to the cached address, with no request. */
START_TEST(test_rfc4861_7_3_3_stale_to_delay_on_use)
{
    struct afx *f = afx_init(NULL);
    make_stale(f);
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    output(f, S(60), PEER, "later", 9);
    STATES(f, id, mark, ARP_STALE, ARP_DELAY);
    const struct trace_rec *r = last_state(f, id);
    ck_assert_int_eq(r->t_us, S(60));
    ck_assert_int_eq(r->why.id, N_ARP_DELAY);
    ck_assert_int_eq(r->why.a[1], f->cfg.delay_us);
    ck_assert_int_eq(f->ntx, 3);                 /* the packet, at once */
    assert_ip_frame(f, 2, "later", PEER_MAC);
    ck_assert_uint_eq(f->tx[2].conn, 9);
    ck_assert_int_eq(arp_lookup(&f->c, PEER)->nq, 0);
    /* Linux delay_first_probe_time: 5 s */
    ck_assert_int_eq(f->cfg.delay_us, S(5));
    ck_assert_int_eq(arp_deadline(&f->c), S(65));
    ck_assert_int_eq(count_timers(f, id, TA_START), 2);   /* request, delay */
    /* a second packet in DELAY goes out too, and changes nothing */
    mark = f->tr.n;
    output(f, S(61), PEER, "again", 0);
    STATES(f, id, mark, -1);
    assert_ip_frame(f, 3, "again", PEER_MAC);
    ck_assert_int_eq(arp_deadline(&f->c), S(65));
    afx_free(f);
}
END_TEST

/* RFC 4861 7.3.3: "If the entry is still in the DELAY state when the timer
 * expires, the entry's state changes to PROBE." */
START_TEST(test_rfc4861_7_3_3_delay_to_probe_after_delay_first_probe_time)
{
    struct afx *f = afx_init(NULL);
    make_delay(f, S(60));
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    int ntx = f->ntx;
    arp_timer(&f->c, S(65) - 1);
    ck_assert_int_eq(entry_state(f, PEER), ARP_DELAY);
    ck_assert_int_eq(f->ntx, ntx);
    arp_timer(&f->c, S(65));
    STATES(f, id, mark, ARP_DELAY, ARP_PROBE);
    ck_assert_int_eq(last_state(f, id)->t_us, S(65));
    ck_assert_int_eq(last_state(f, id)->why.id, N_ARP_PROBE);
    ck_assert_int_eq(f->ntx, ntx + 1);           /* the first probe */
    ck_assert_int_eq(f->tx[ntx].why.a[0], 1);    /* "probe 1 of 3" */
    ck_assert_int_eq(f->tx[ntx].why.a[1], 3);
    ck_assert_int_eq(arp_deadline(&f->c), S(65) + f->cfg.retrans_us);
    afx_free(f);
}
END_TEST

/* RFC 4861 7.3.3, DELAY: "If reachability confirmation is received, the
 * state changes to REACHABLE" -- and no probe is ever sent. */
START_TEST(test_rfc4861_7_3_3_delay_to_reachable_on_confirmation)
{
    struct afx *f = afx_init(NULL);
    /* our request for PEER is answered first by PEER's own request (STALE,
     * the packet goes), and the entry is used at once (DELAY): the reply
     * to our request is still to come */
    output(f, S(60), PEER, "p1", 0);
    struct arp_pkt first = pkt(ARP_OP_REQUEST, PEER_MAC, PEER, ZERO_MAC, THIRD);
    input_ok(f, S(60) + MS(1), &first);
    output(f, S(60) + MS(2), PEER, "p2", 0);
    ck_assert_int_eq(entry_state(f, PEER), ARP_DELAY);
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    int ntx = f->ntx;
    /* a request from PEER confirms nothing: still DELAY */
    struct arp_pkt rq = pkt(ARP_OP_REQUEST, PEER_MAC, PEER, ZERO_MAC, THIRD);
    input_ok(f, S(61), &rq);
    STATES(f, id, mark, -1);
    /* the reply to our request does */
    peer_replies(f, S(62), PEER_MAC);
    STATES(f, id, mark, ARP_DELAY, ARP_REACHABLE);
    ck_assert_int_eq(last_state(f, id)->why.id, N_ARP_CONFIRM);
    ck_assert_int_eq(count_timers(f, id, TA_STOP), 2);     /* resolved, delay */
    ck_assert_int_eq(arp_deadline(&f->c), S(62) + f->cfg.reachable_us);
    arp_timer(&f->c, S(65));                     /* the old delay time */
    ck_assert_int_eq(entry_state(f, PEER), ARP_REACHABLE);
    ck_assert_int_eq(f->ntx, ntx);               /* no probe */
    afx_free(f);
}
END_TEST

/* RFC 4861 7.3.3: "Upon entering the PROBE state, a node sends a unicast
 * Neighbor Solicitation message to the neighbor using the cached
 * link-layer address" -- an ARP request to PEER's MAC, not a broadcast;
 * so are the retransmissions. */
START_TEST(test_rfc4861_7_3_3_probe_is_unicast_to_cached_mac)
{
    struct afx *f = afx_init(NULL);
    make_probe(f, S(60));
    int first = f->ntx - 1;
    assert_probe(f, first, PEER_MAC);
    arp_timer(&f->c, S(66));
    assert_probe(f, first + 1, PEER_MAC);
    ck_assert_int_eq(f->tx[first + 1].why.a[0], 2);
    /* packets sent during PROBE still go to the cached MAC at once */
    output(f, S(66) + 1, PEER, "meanwhile", 0);
    assert_ip_frame(f, first + 2, "meanwhile", PEER_MAC);
    ck_assert_int_eq(arp_lookup(&f->c, PEER)->nq, 0);
    ck_assert_int_eq(entry_state(f, PEER), ARP_PROBE);
    afx_free(f);
}
END_TEST

/* RFC 4861 7.3.3: probes go on "until a reachability confirmation is
 * obtained": a reply to us ends them with REACHABLE. */
START_TEST(test_rfc4861_7_3_3_probe_to_reachable_on_reply)
{
    struct afx *f = afx_init(NULL);
    make_probe(f, S(60));
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    arp_timer(&f->c, S(66));                     /* probe 2 */
    int ntx = f->ntx;
    peer_replies(f, S(66) + MS(1), PEER_MAC);
    STATES(f, id, mark, ARP_PROBE, ARP_REACHABLE);
    const struct trace_rec *r = last_state(f, id);
    ck_assert_int_eq(r->why.id, N_ARP_PROBE_OK);
    ck_assert_int_eq(r->why.a[1], 2);            /* "after 2 probe(s)" */
    ck_assert_int_eq(r->why.a[2], f->cfg.reachable_us);
    ck_assert_int_eq(arp_deadline(&f->c), S(66) + MS(1) + f->cfg.reachable_us);
    arp_timer(&f->c, S(67));                     /* the probe timer is gone */
    ck_assert_int_eq(f->ntx, ntx);
    ck_assert_int_eq(entry_state(f, PEER), ARP_REACHABLE);
    afx_free(f);
}
END_TEST

/* RFC 4861 7.3.3: "If no response is received after waiting RetransTimer
 * milliseconds after sending the MAX_UNICAST_SOLICIT solicitations,
 * retransmissions cease"; Linux marks the entry FAILED.  Nothing waited
 * (packets went to the cached MAC), so nothing is dropped and nobody told;
 * the next packet starts a broadcast resolution, and only if that fails
 * too are its packets dropped and their senders told. */
START_TEST(test_rfc4861_7_3_3_probe_to_failed_after_max_unicast_solicit)
{
    struct afx *f = afx_init(NULL);
    make_probe(f, S(60));
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    int first = f->ntx - 1;
    ck_assert_int_eq(f->cfg.max_probes, 3);      /* Linux ucast_solicit */
    arp_timer(&f->c, S(66));
    arp_timer(&f->c, S(67));
    ck_assert_int_eq(f->ntx, first + 3);         /* probes 1, 2, 3 */
    for (int k = 0; k < 3; k++) {
        assert_probe(f, first + k, PEER_MAC);
        ck_assert_int_eq(f->tx[first + k].why.a[0], k + 1);
    }
    ck_assert_int_eq(entry_state(f, PEER), ARP_PROBE);
    arp_timer(&f->c, S(68) - 1);
    ck_assert_int_eq(entry_state(f, PEER), ARP_PROBE);
    arp_timer(&f->c, S(68));
    STATES(f, id, mark, ARP_PROBE, ARP_FAILED);
    const struct trace_rec *r = last_state(f, id);
    ck_assert_int_eq(r->why.id, N_ARP_PROBE_FAILED);
    ck_assert_int_eq(r->why.a[0], 3);
    ck_assert_int_eq(f->ntx, first + 3);         /* no fourth probe */
    ck_assert_int_eq(f->ndrop, 0);
    ck_assert_int_eq(arp_deadline(&f->c), -1);
    /* the last expiry quotes probe 3 of 3, never 4 */
    const struct trace_rec *ex = NULL;
    for (size_t i = 0; i < f->tr.n; i++)
        if (f->tr.recs[i].kind == TK_TIMER && f->tr.recs[i].u.timer.action == TA_EXPIRE)
            ex = &f->tr.recs[i];
    ck_assert_int_eq(ex->why.id, N_TMR_ARP_PROBE_EXPIRE);
    ck_assert_int_eq(ex->why.a[1], 3);
    ck_assert_int_eq(ex->why.a[2], 3);
    /* the next packet: a new broadcast resolution, and it waits */
    mark = f->tr.n;
    output(f, S(70), PEER, "after", 5);
    STATES(f, id, mark, ARP_FAILED, ARP_INCOMPLETE);
    ck_assert_int_eq(last_state(f, id)->why.id, N_ARP_INCOMPLETE_AGAIN);
    assert_request(f, first + 3, PEER);
    ck_assert_int_eq(arp_lookup(&f->c, PEER)->nq, 1);
    for (int k = 1; k <= f->cfg.max_requests; k++)
        arp_timer(&f->c, S(70) + k * f->cfg.retrans_us);
    ck_assert_int_eq(entry_state(f, PEER), ARP_FAILED);
    ck_assert_int_eq(f->ndrop, 1);
    ck_assert_uint_eq(f->drop[0].conn, 5);
    ck_assert_int_eq(f->drop[0].failed, 1);
    afx_free(f);
}
END_TEST

/* Item of RFC 826's retry loop (RFC 1122 2.3.2.1 limits it to one request a
 * second): every number quoted is the number of a request actually sent,
 * and none passes the limit -- on the sends, the timer starts and the
 * expiries, rendered as text too ("request 4 of 3" was the old bug). */
START_TEST(test_rfc826_retry_numbers_never_pass_the_limit)
{
    struct afx *f = afx_init(NULL);
    output(f, 0, PEER, "p1", 0);
    for (int k = 1; k <= f->cfg.max_requests; k++)
        arp_timer(&f->c, k * f->cfg.retrans_us);
    ck_assert_int_eq(entry_state(f, PEER), ARP_FAILED);
    int max = f->cfg.max_requests, started = 0, expired = 0;
    for (size_t i = 0; i < f->tr.n; i++) {
        const struct trace_rec *r = &f->tr.recs[i];
        char text[512];
        trace_why(&f->tr, r, text, sizeof text);
        ck_assert_msg(!strstr(text, "4 of 3"), "narration: %s", text);
        if (r->kind != TK_TIMER)
            continue;
        if (r->u.timer.action == TA_START) {
            started++;                           /* after request `started` */
            ck_assert_int_eq(r->why.id, N_TMR_ARP_START);
            ck_assert_int_eq(r->why.a[1], started);
            ck_assert_int_eq(r->why.a[2], max);
        } else if (r->u.timer.action == TA_EXPIRE) {
            expired++;                           /* the wait for that one */
            ck_assert_int_eq(r->why.id, N_TMR_ARP_EXPIRE);
            ck_assert_int_eq(r->why.a[1], expired);
            ck_assert_int_eq(r->why.a[1], started);
            ck_assert_int_le(r->why.a[1], max);
        }
    }
    ck_assert_int_eq(started, max);
    /* the sends: "request 1 of 3", then retries 2 and 3 */
    ck_assert_int_eq(f->ntx, max);
    ck_assert_int_eq(f->tx[0].why.id, N_ARP_REQUEST);
    ck_assert_int_eq(f->tx[0].why.a[1], max);
    for (int k = 1; k < max; k++) {
        ck_assert_int_eq(f->tx[k].why.id, N_ARP_RETRY);
        ck_assert_int_eq(f->tx[k].why.a[0], k + 1);
        ck_assert_int_le(f->tx[k].why.a[0], max);
    }
    ck_assert_int_eq(expired, max);
    afx_free(f);
}
END_TEST

START_TEST(test_request_for_us_adds_sender_stale_and_replies)
{
    struct afx *f = afx_init(NULL);
    /* OTHER asks "who has 192.0.2.10? tell 192.0.2.30" by broadcast */
    struct arp_pkt rq = pkt(ARP_OP_REQUEST, OTHER_MAC, OTHER, ZERO_MAC, ME);
    input_ok(f, MS(7), &rq);
    /* RFC 826: "If Merge_flag is false, add the triplet" -- as STALE: the
     * request says OTHER exists, not that it hears us */
    const struct arp_entry *e = arp_lookup(&f->c, OTHER);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->state, ARP_STALE);
    ck_assert(memcmp(e->mac.b, OTHER_MAC.b, 6) == 0);
    STATES(f, e->id, 0, ARP_NONE, ARP_STALE);
    ck_assert_int_eq(last_state(f, e->id)->why.id, N_ARP_LEARN);
    /* the reply: fields swapped, op REPLY, unicast to the requester */
    assert_one_reply_to_other(f, OTHER, N_ARP_REPLY);
    /* a STALE entry has no timer, and is usable at once without asking */
    ck_assert_int_eq(arp_deadline(&f->c), -1);
    output(f, MS(8), OTHER, "back", 0);
    ck_assert_int_eq(f->ntx, 2);
    assert_ip_frame(f, 1, "back", OTHER_MAC);
    afx_free(f);
}
END_TEST

START_TEST(test_unsolicited_reply_for_us_adds_stale)
{
    struct afx *f = afx_init(NULL);
    /* RFC 826 adds the triplet whatever the opcode when we are the target;
     * but we asked PEER nothing, so its reply confirms nothing (RFC 4861
     * 7.3.1, 7.2.5): STALE, no timer, and the sentence says why */
    peer_replies(f, MS(2), PEER_MAC);
    const struct arp_entry *e = arp_lookup(&f->c, PEER);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->state, ARP_STALE);
    ck_assert(memcmp(e->mac.b, PEER_MAC.b, 6) == 0);
    STATES(f, e->id, 0, ARP_NONE, ARP_STALE);
    ck_assert_int_eq(last_state(f, e->id)->why.id, N_ARP_LEARN_REPLY);
    char buf[512];
    narrate(&last_state(f, e->id)->why, NULL, buf, sizeof buf);
    ck_assert_msg(strstr(buf, "192.0.2.1's MAC address: remember it") &&
                  strstr(buf, "STALE, as it answers no request of ours"), "%s", buf);
    ck_assert_int_eq(f->ntx, 0);                 /* a reply is not answered */
    ck_assert_int_eq(arp_deadline(&f->c), -1);
    /* a second unsolicited reply confirms nothing either */
    peer_replies(f, MS(3), PEER_MAC);
    ck_assert_int_eq(e->state, ARP_STALE);
    /* whereas the reply to a probe of ours does: the STALE entry is used
     * (DELAY), probed after 5 s, and PEER's answer gives REACHABLE */
    output(f, MS(4), PEER, "x", 0);
    ck_assert_int_eq(e->state, ARP_DELAY);
    arp_timer(&f->c, MS(4) + f->cfg.delay_us);
    ck_assert_int_eq(e->state, ARP_PROBE);
    peer_replies(f, MS(4) + f->cfg.delay_us + MS(1), PEER_MAC);
    ck_assert_int_eq(e->state, ARP_REACHABLE);
    afx_free(f);
}
END_TEST

START_TEST(test_request_for_other_updates_but_never_adds)
{
    struct afx *f = afx_init(NULL);
    /* an unknown sender asking for someone else: nothing learnt, no reply */
    struct arp_pkt rq = pkt(ARP_OP_REQUEST, OTHER_MAC, OTHER, ZERO_MAC, THIRD);
    input_ok(f, MS(1), &rq);
    ck_assert_ptr_null(arp_lookup(&f->c, OTHER));
    ck_assert_int_eq(f->ntx, 0);
    ck_assert_uint_eq(f->tr.n, 0);

    /* a known sender asking for someone else: its entry is updated (the
     * merge), with its new MAC, which nothing has confirmed: STALE (RFC
     * 4861 7.2.5), and the record says what changed */
    make_reachable(f);
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    struct arp_pkt moved = pkt(ARP_OP_REQUEST, PEER_MAC2, PEER, ZERO_MAC, THIRD);
    input_ok(f, MS(5), &moved);
    const struct arp_entry *e = arp_lookup(&f->c, PEER);
    ck_assert(memcmp(e->mac.b, PEER_MAC2.b, 6) == 0);
    ck_assert_int_eq(e->state, ARP_STALE);
    STATES(f, id, mark, ARP_REACHABLE, ARP_STALE);
    ck_assert_int_eq(last_state(f, id)->why.id, N_ARP_MAC_CHANGED);
    ck_assert_int_eq(f->ntx, 2);                 /* not for us: no reply */
    output(f, MS(6), PEER, "moved", 0);
    assert_ip_frame(f, 2, "moved", PEER_MAC2);
    ck_assert_ptr_null(arp_lookup(&f->c, THIRD));
    afx_free(f);
}
END_TEST

START_TEST(test_request_for_other_resolves_incomplete_entry)
{
    struct afx *f = afx_init(NULL);
    output(f, 0, PEER, "p1", 0);
    uint32_t id = entry_id(f, PEER);
    size_t mark = f->tr.n;
    /* PEER broadcasts its own question before it answers ours: the merge
     * gives its MAC, so the waiting packet goes; unconfirmed, so STALE */
    struct arp_pkt rq = pkt(ARP_OP_REQUEST, PEER_MAC, PEER, ZERO_MAC, THIRD);
    input_ok(f, MS(3), &rq);
    STATES(f, id, mark, ARP_INCOMPLETE, ARP_STALE);
    ck_assert_int_eq(f->ntx, 2);
    assert_ip_frame(f, 1, "p1", PEER_MAC);
    ck_assert_int_eq(arp_deadline(&f->c), -1);   /* no more retries */
    afx_free(f);
}
END_TEST

START_TEST(test_queue_overflow_drops_oldest)
{
    struct arp_config cfg;
    arp_config_default(&cfg);
    cfg.queue_max = 3;
    struct afx *f = afx_init(&cfg);
    static const char *const tags[] = { "q1", "q2", "q3", "q4", "q5" };
    for (int i = 0; i < 5; i++)
        output(f, MS(i), PEER, tags[i], (uint32_t)(100 + i));
    ck_assert_int_eq(f->ntx, 1);
    ck_assert_int_eq(arp_lookup(&f->c, PEER)->nq, 3);
    /* q1 then q2 gave way, reported as they went */
    ck_assert_int_eq(f->ndrop, 2);
    ck_assert_uint_eq(f->drop[0].conn, 100);
    ck_assert_uint_eq(f->drop[1].conn, 101);
    /* a full queue is not a failed resolution: nobody is told, and the
     * sentence says why this packet went (the 3 already waiting) */
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(f->drop[k].failed, 0);
        ck_assert_int_eq(f->drop[k].why.id, N_ARP_QUEUE_FULL);
        ck_assert_int_eq(f->drop[k].why.a[1], cfg.queue_max);
    }
    ck_assert_uint_eq(f->drop[0].ip, PEER);
    uint8_t want[FRAME_MAX];
    size_t n = ip_frame(want, "q1");
    ck_assert(memcmp(f->drop[0].b, want, n) == 0);
    peer_replies(f, MS(10), PEER_MAC);
    ck_assert_int_eq(f->ntx, 4);
    assert_ip_frame(f, 1, "q3", PEER_MAC);
    assert_ip_frame(f, 2, "q4", PEER_MAC);
    assert_ip_frame(f, 3, "q5", PEER_MAC);
    ck_assert_int_eq(entry_state(f, PEER), ARP_REACHABLE);
    afx_free(f);
}
END_TEST

START_TEST(test_ignores_own_address)
{
    struct afx *f = afx_init(NULL);
    /* our own request heard back */
    struct arp_pkt echo = pkt(ARP_OP_REQUEST, ME_MAC, ME, ZERO_MAC, PEER);
    input_ok(f, MS(1), &echo);
    ck_assert_int_eq(f->c.n, 0);
    ck_assert_int_eq(f->ntx, 0);
    ck_assert_uint_eq(f->tr.n, 0);
    /* another MAC claiming our address, asking or answering, a gratuitous
     * one too: discarded with a reason naming that MAC (it was ignored
     * without a word), nothing cached or answered */
    const struct arp_pkt claim[] = {
        pkt(ARP_OP_REQUEST, OTHER_MAC, ME, ZERO_MAC, PEER),
        pkt(ARP_OP_REQUEST, OTHER_MAC, ME, ZERO_MAC, ME),
        pkt(ARP_OP_REPLY, OTHER_MAC, ME, MAC_BROADCAST, ME),
    };
    for (size_t k = 0; k < sizeof claim / sizeof claim[0]; k++) {
        struct why w = { 0 };
        ck_assert_int_eq(arp_input(&f->c, MS(2), &claim[k], &w), 1);
        ck_assert_int_eq(w.id, N_ARP_DROP_OWN_ADDR);
        ck_assert_uint_eq((ip4_addr)w.a[0], ME);
        ck_assert(w.a[1] == mac_to_i64(OTHER_MAC));
    }
    ck_assert_int_eq(f->c.n, 0);
    ck_assert_int_eq(f->ntx, 0);
    ck_assert_uint_eq(f->tr.n, 0);
    afx_free(f);
}
END_TEST

START_TEST(test_probe_for_our_address_is_answered_not_cached)
{
    struct afx *f = afx_init(NULL);
    /* RFC 5227 2.1.1: OTHER probes for ME's address (sender 0.0.0.0).
     * RFC 826 answers a request for our address: a reply from ME, to
     * OTHER's MAC, target 0.0.0.0; nothing is cached for 0.0.0.0 */
    struct arp_pkt probe = pkt(ARP_OP_REQUEST, OTHER_MAC, 0, ZERO_MAC, ME);
    input_ok(f, MS(2), &probe);
    ck_assert_int_eq(f->c.n, 0);
    ck_assert_ptr_null(arp_lookup(&f->c, 0));
    ck_assert_uint_eq(f->tr.n, 0);               /* no state record */
    assert_one_reply_to_other(f, 0, N_ARP_PROBE_ANSWER);   /* spa: the address probed */
    char buf[512];
    narrate(&f->tx[0].why, NULL, buf, sizeof buf);
    ck_assert_msg(strstr(buf, "asks whether 192.0.2.10 is taken: it is this "
                              "host's address, so reply"), "%s", buf);
    /* a probe for another address: not ours to answer, nothing learnt */
    struct arp_pkt other = pkt(ARP_OP_REQUEST, OTHER_MAC, 0, ZERO_MAC, PEER);
    input_ok(f, MS(3), &other);
    ck_assert_int_eq(f->ntx, 1);
    ck_assert_int_eq(f->c.n, 0);
    afx_free(f);
}
END_TEST

/* RFC 1812 3.3.2: a sender hardware address that is broadcast, multicast
 * or zero is not believed: whatever the packet, nothing is merged, added or
 * answered, and arp_input says why it discarded it. */
START_TEST(test_group_or_zero_sender_mac_is_discarded)
{
    static const mac_addr MCAST = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
    const mac_addr bad[] = { MAC_BROADCAST, MCAST, ZERO_MAC };
    const int why[] = { N_ARP_DROP_SHA_GROUP, N_ARP_DROP_SHA_GROUP,
                        N_ARP_DROP_SHA_ZERO };
    for (int b = 0; b < 3; b++) {
        struct afx *f = afx_init(NULL);
        make_reachable(f);                       /* PEER known, PEER_MAC */
        int ntx = f->ntx;
        size_t nrec = f->tr.n;
        int64_t due = arp_deadline(&f->c);
        const struct arp_pkt in[] = {
            pkt(ARP_OP_REQUEST, bad[b], OTHER, ZERO_MAC, ME),  /* would add */
            pkt(ARP_OP_REPLY, bad[b], OTHER, ME_MAC, ME),
            pkt(ARP_OP_REQUEST, bad[b], PEER, ZERO_MAC, ME),   /* would merge */
            pkt(ARP_OP_REPLY, bad[b], PEER, MAC_BROADCAST, PEER),
        };
        for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
            struct why w = { 0 };
            ck_assert_int_eq(arp_input(&f->c, MS(50), &in[k], &w), 1);
            ck_assert_int_eq(w.id, why[b]);
            ck_assert_uint_eq((ip4_addr)w.a[0], in[k].spa);
        }
        ck_assert_ptr_null(arp_lookup(&f->c, OTHER));
        const struct arp_entry *e = arp_lookup(&f->c, PEER);
        ck_assert(memcmp(e->mac.b, PEER_MAC.b, 6) == 0);
        ck_assert_int_eq(e->state, ARP_REACHABLE);
        ck_assert_int_eq(arp_deadline(&f->c), due);
        ck_assert_int_eq(f->ntx, ntx);           /* no reply to a group */
        ck_assert_uint_eq(f->tr.n, nrec);
        afx_free(f);
    }
}
END_TEST

/* The matrix of RFC 826 "Packet Reception" against the cache states: for
 * each state PEER's entry can be in, and each ARP packet PEER can send
 * (always from a new MAC, PEER_MAC2), the state after, the frames sent
 * (the reply to a request for us; the packets that waited, released), and
 * the MAC kept.  The merge (an entry that exists takes the sender's MAC
 * whatever the packet) happens in every state; an entry is added only
 * when we are the target; only a reply to us that answers a request or
 * probe of ours confirms (REACHABLE): INCOMPLETE and PROBE wait for one,
 * and a FAILED entry has given up waiting; a
 * known address with a new MAC becomes STALE unless the packet confirms it
 * (RFC 4861 7.2.5), whatever check was running; a FAILED entry revives as
 * STALE. */
enum { AR_REQ_US, AR_REQ_OTHER, AR_REPLY_US, AR_GARP_REPLY, AR_GARP_REQ };

static void bring(struct afx *f, int state)
{
    switch (state) {
    case ARP_NONE:       break;
    case ARP_INCOMPLETE: output(f, 0, PEER, "waits", 0); break;
    case ARP_REACHABLE:  make_reachable(f); break;
    case ARP_STALE:      make_stale(f); break;
    case ARP_DELAY:      make_delay(f, S(40)); break;
    case ARP_PROBE:      make_probe(f, S(40)); break;
    case ARP_FAILED:
        output(f, 0, PEER, "lost", 0);
        for (int k = 1; k <= f->cfg.max_requests; k++)
            arp_timer(&f->c, S(k));
        ck_assert_int_eq(entry_state(f, PEER), ARP_FAILED);
        break;
    default:
        ck_abort_msg("no way to state %d", state);
    }
}

static struct arp_pkt arrival(int kind)
{
    switch (kind) {
    case AR_REQ_US:    return pkt(ARP_OP_REQUEST, PEER_MAC2, PEER, ZERO_MAC, ME);
    case AR_REQ_OTHER: return pkt(ARP_OP_REQUEST, PEER_MAC2, PEER, ZERO_MAC, THIRD);
    case AR_REPLY_US:  return pkt(ARP_OP_REPLY, PEER_MAC2, PEER, ME_MAC, ME);
    case AR_GARP_REPLY:return pkt(ARP_OP_REPLY, PEER_MAC2, PEER, MAC_BROADCAST, PEER);
    default:           return pkt(ARP_OP_REQUEST, PEER_MAC2, PEER, ZERO_MAC, PEER);
    }
}

START_TEST(test_rfc826_reception_matrix)
{
    /* after: the state after the arrival (ARP_NONE: still no entry);
     * ntx: frames arp_input sends (a reply, and released packets) */
    static const struct { int state, kind, after, ntx; } cell[] = {
        { ARP_NONE,       AR_REQ_US,     ARP_STALE,     1 },
        { ARP_NONE,       AR_REQ_OTHER,  ARP_NONE,      0 },
        { ARP_NONE,       AR_REPLY_US,   ARP_STALE,     0 },
        { ARP_NONE,       AR_GARP_REPLY, ARP_NONE,      0 },
        { ARP_NONE,       AR_GARP_REQ,   ARP_NONE,      0 },
        { ARP_INCOMPLETE, AR_REQ_US,     ARP_STALE,     2 },
        { ARP_INCOMPLETE, AR_REQ_OTHER,  ARP_STALE,     1 },
        { ARP_INCOMPLETE, AR_REPLY_US,   ARP_REACHABLE, 1 },
        { ARP_INCOMPLETE, AR_GARP_REPLY, ARP_STALE,     1 },
        { ARP_INCOMPLETE, AR_GARP_REQ,   ARP_STALE,     1 },
        { ARP_REACHABLE,  AR_REQ_US,     ARP_STALE,     1 },
        { ARP_REACHABLE,  AR_REQ_OTHER,  ARP_STALE,     0 },
        { ARP_REACHABLE,  AR_REPLY_US,   ARP_STALE,     0 },
        { ARP_REACHABLE,  AR_GARP_REPLY, ARP_STALE,     0 },
        { ARP_REACHABLE,  AR_GARP_REQ,   ARP_STALE,     0 },
        { ARP_STALE,      AR_REQ_US,     ARP_STALE,     1 },
        { ARP_STALE,      AR_REQ_OTHER,  ARP_STALE,     0 },
        { ARP_STALE,      AR_REPLY_US,   ARP_STALE,     0 },
        { ARP_STALE,      AR_GARP_REPLY, ARP_STALE,     0 },
        { ARP_STALE,      AR_GARP_REQ,   ARP_STALE,     0 },
        { ARP_DELAY,      AR_REQ_US,     ARP_STALE,     1 },
        { ARP_DELAY,      AR_REQ_OTHER,  ARP_STALE,     0 },
        { ARP_DELAY,      AR_REPLY_US,   ARP_STALE,     0 },
        { ARP_DELAY,      AR_GARP_REPLY, ARP_STALE,     0 },
        { ARP_DELAY,      AR_GARP_REQ,   ARP_STALE,     0 },
        { ARP_PROBE,      AR_REQ_US,     ARP_STALE,     1 },
        { ARP_PROBE,      AR_REQ_OTHER,  ARP_STALE,     0 },
        { ARP_PROBE,      AR_REPLY_US,   ARP_REACHABLE, 0 },
        { ARP_PROBE,      AR_GARP_REPLY, ARP_STALE,     0 },
        { ARP_PROBE,      AR_GARP_REQ,   ARP_STALE,     0 },
        { ARP_FAILED,     AR_REQ_US,     ARP_STALE,     1 },
        { ARP_FAILED,     AR_REQ_OTHER,  ARP_STALE,     0 },
        { ARP_FAILED,     AR_REPLY_US,   ARP_STALE,     0 },
        { ARP_FAILED,     AR_GARP_REPLY, ARP_STALE,     0 },
        { ARP_FAILED,     AR_GARP_REQ,   ARP_STALE,     0 },
    };
    for (size_t i = 0; i < sizeof cell / sizeof cell[0]; i++) {
        struct afx *f = afx_init(NULL);
        bring(f, cell[i].state);
        int64_t now = S(60);
        int before = f->ntx;
        int had_mac = cell[i].state >= ARP_REACHABLE && cell[i].state <= ARP_PROBE;
        size_t stops = had_mac ? count_timers(f, entry_id(f, PEER), TA_STOP) : 0;
        struct arp_pkt p = arrival(cell[i].kind);
        input_ok(f, now, &p);
        const struct arp_entry *e = arp_lookup(&f->c, PEER);
        int got = e ? (int)e->state : ARP_NONE;
        ck_assert_msg(got == cell[i].after, "cell %zu (%s, arrival %d): %s, want %s",
                      i, arp_state_name(cell[i].state), cell[i].kind,
                      arp_state_name(got), arp_state_name(cell[i].after));
        ck_assert_msg(f->ntx - before == cell[i].ntx, "cell %zu: %d frames, want %d",
                      i, f->ntx - before, cell[i].ntx);
        if (e && e->state != ARP_NONE)     /* the merge: the new MAC is kept */
            ck_assert_msg(memcmp(e->mac.b, PEER_MAC2.b, 6) == 0, "cell %zu: old MAC", i);
        /* an entry that had a MAC says it changed, naming both, in a state
         * record of its own (STALE -> STALE too), and no check of the old
         * address runs on: no timer is left but REACHABLE's */
        if (had_mac) {
            const struct trace_rec *r = last_state(f, e->id);
            ck_assert_msg(r && r->t_us == now &&
                          r->why.id == (cell[i].after == ARP_REACHABLE
                                        ? N_ARP_MAC_CHANGED_CONFIRM : N_ARP_MAC_CHANGED),
                          "cell %zu: no record of the new MAC", i);
            ck_assert_int_eq(r->u.state.from, cell[i].state);
            ck_assert_int_eq(r->why.a[0], PEER);
            ck_assert(r->why.a[1] == mac_to_i64(PEER_MAC));
            ck_assert(r->why.a[2] == mac_to_i64(PEER_MAC2));
            ck_assert_int_eq(e->due >= 0 && e->due != 0, cell[i].after == ARP_REACHABLE);
            if (cell[i].state == ARP_DELAY || cell[i].state == ARP_PROBE)
                ck_assert_int_eq(count_timers(f, e->id, TA_STOP), stops + 1);
        }
        if (cell[i].state == ARP_INCOMPLETE) {     /* released, to the new MAC */
            assert_ip_frame(f, before, "waits", PEER_MAC2);
            ck_assert_int_eq(e->nq, 0);
        }
        if (cell[i].kind == AR_REQ_US) {
            /* RFC 826: swap, fill in our addresses, opcode REPLY, "send the
             * packet to the (new) target hardware address" */
            mac_addr dst;
            struct arp_pkt rp = tx_arp(f, f->ntx - 1, &dst);
            ck_assert(memcmp(dst.b, PEER_MAC2.b, 6) == 0);
            ck_assert_uint_eq(rp.op, ARP_OP_REPLY);
            ck_assert(memcmp(rp.sha.b, ME_MAC.b, 6) == 0);
            ck_assert_uint_eq(rp.spa, ME);
            ck_assert(memcmp(rp.tha.b, PEER_MAC2.b, 6) == 0);
            ck_assert_uint_eq(rp.tpa, PEER);
            ck_assert_int_eq(f->tx[f->ntx - 1].why.id, N_ARP_REPLY);
        }
        /* a REACHABLE entry after the arrival has its 30 s timer running
         * from now when the arrival confirmed it: a reply to us answering
         * a request or probe of ours (INCOMPLETE, PROBE); a reply we did
         * not ask for leaves a REACHABLE entry's timer where it was */
        if (cell[i].kind == AR_REPLY_US)
            ck_assert_int_eq(e->due == now + f->cfg.reachable_us,
                             cell[i].state == ARP_INCOMPLETE ||
                             cell[i].state == ARP_PROBE);
        afx_free(f);
    }
}
END_TEST

START_TEST(test_deadline_and_timer_agree)
{
    struct arp_config cfg;
    arp_config_default(&cfg);
    cfg.retrans_us = MS(300);
    cfg.reachable_us = S(2);
    cfg.max_requests = 2;
    struct afx *f = afx_init(&cfg);
    ck_assert_int_eq(arp_deadline(&f->c), -1);
    arp_timer(&f->c, S(100));                    /* nothing to do: harmless */
    ck_assert_uint_eq(f->tr.n, 0);
    /* three entries with different timers: the deadline is the earliest,
     * and firing the timer there handles exactly the entries due */
    make_reachable(f);                           /* PEER: due 1ms + 2s */
    output(f, MS(100), OTHER, "o1", 0);          /* OTHER: retry at 400ms */
    output(f, MS(200), THIRD, "t1", 0);          /* THIRD: retry at 500ms */
    int64_t expect[] = { MS(400), MS(500), MS(700), MS(800), MS(1) + S(2) };
    int states[][3] = {
        /* PEER, OTHER, THIRD after each firing */
        { ARP_REACHABLE, ARP_INCOMPLETE, ARP_INCOMPLETE },
        { ARP_REACHABLE, ARP_INCOMPLETE, ARP_INCOMPLETE },
        { ARP_REACHABLE, ARP_FAILED, ARP_INCOMPLETE },
        { ARP_REACHABLE, ARP_FAILED, ARP_FAILED },
        { ARP_STALE, ARP_FAILED, ARP_FAILED },
    };
    int ntx[] = { 5, 6, 6, 6, 6 };               /* 2 + 2 requests, 2 retries */
    for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
        int64_t d = arp_deadline(&f->c);
        ck_assert_msg(d == expect[k], "step %zu: deadline %lld, want %lld", k,
                      (long long)d, (long long)expect[k]);
        size_t before = f->tr.n;
        arp_timer(&f->c, d - 1);
        ck_assert_uint_eq(f->tr.n, before);      /* too early: nothing at all */
        arp_timer(&f->c, d);
        ck_assert_uint_gt(f->tr.n, before);
        ck_assert_int_eq(entry_state(f, PEER), states[k][0]);
        ck_assert_int_eq(entry_state(f, OTHER), states[k][1]);
        ck_assert_int_eq(entry_state(f, THIRD), states[k][2]);
        ck_assert_int_eq(f->ntx, ntx[k]);
        int64_t next = arp_deadline(&f->c);
        ck_assert(next < 0 || next > d);
    }
    ck_assert_int_eq(arp_deadline(&f->c), -1);
    ck_assert_int_eq(f->ndrop, 2);
    afx_free(f);
}
END_TEST

Suite *arp_suite(void)
{
    Suite *s = suite_create("arp");
    TCase *pk = tcase_create("packets");
    tcase_add_test(pk, test_decode_hand_written_vector);
    tcase_add_test(pk, test_encode_decode_round_trip);
    tcase_add_test(pk, test_decode_rejects_short_and_foreign);
    tcase_add_test(pk, test_summary_text);
    tcase_add_test(pk, test_state_names);
    suite_add_tcase(s, pk);

    TCase *c = tcase_create("cache");
    tcase_add_test(c, test_none_to_incomplete_on_output);
    tcase_add_test(c, test_incomplete_output_queues_without_new_request);
    tcase_add_test(c, test_incomplete_to_reachable_on_reply_sends_queue_in_order);
    tcase_add_test(c, test_incomplete_retries_then_failed_drops_queue);
    tcase_add_test(c, test_failed_to_incomplete_on_new_output);
    tcase_add_test(c, test_reachable_to_stale_after_reachable_us);
    tcase_add_test(c, test_rfc4861_7_3_3_stale_to_delay_on_use);
    tcase_add_test(c, test_rfc4861_7_3_3_delay_to_probe_after_delay_first_probe_time);
    tcase_add_test(c, test_rfc4861_7_3_3_delay_to_reachable_on_confirmation);
    tcase_add_test(c, test_rfc4861_7_3_3_probe_is_unicast_to_cached_mac);
    tcase_add_test(c, test_rfc4861_7_3_3_probe_to_reachable_on_reply);
    tcase_add_test(c, test_rfc4861_7_3_3_probe_to_failed_after_max_unicast_solicit);
    tcase_add_test(c, test_rfc826_retry_numbers_never_pass_the_limit);
    tcase_add_test(c, test_request_for_us_adds_sender_stale_and_replies);
    tcase_add_test(c, test_unsolicited_reply_for_us_adds_stale);
    tcase_add_test(c, test_request_for_other_updates_but_never_adds);
    tcase_add_test(c, test_request_for_other_resolves_incomplete_entry);
    tcase_add_test(c, test_queue_overflow_drops_oldest);
    tcase_add_test(c, test_ignores_own_address);
    tcase_add_test(c, test_probe_for_our_address_is_answered_not_cached);
    tcase_add_test(c, test_group_or_zero_sender_mac_is_discarded);
    tcase_add_test(c, test_deadline_and_timer_agree);
    tcase_add_test(c, test_rfc826_reception_matrix);
    tcase_add_test(c, test_thousands_of_entries_found_and_expired_in_order);
    suite_add_tcase(s, c);
    return s;
}
