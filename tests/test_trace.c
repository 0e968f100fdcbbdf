/* test_trace.c — Check suite for the trace's sinks and its streaming mode
 * (sim/engine/trace.c), and for the writers fed as sinks (ui/text.c,
 * ui/json.c, ui/stats.c): records reach every sink once, in order, with
 * their indices and causal links, after the trace has let them go; what
 * is still named stays, the rest is freed; a streamed run writes exactly
 * what a run kept whole writes. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "render.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"

/* For hot loops: Check's ck_assert_* records a mark point on every
 * success, which makes many thousands of them slow. */
#define REQUIRE(cond) \
    do { if (!(cond)) ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond); } while (0)

/* A sink that writes down what it was given. */
struct seen {
    size_t n, next;            /* records seen; the index expected next */
    int out_of_order;
    size_t *of;                /* each record's `of`, by index (cap: big) */
    size_t cap;
};

static void seen_sink(void *ctx, const struct trace *tr, size_t i,
                      const struct trace_rec *r)
{
    struct seen *s = ctx;
    (void)tr;
    if (i != s->next)
        s->out_of_order = 1;
    s->next = i + 1;
    if (i < s->cap)
        s->of[i] = r->of;
    s->n++;
}

static struct seen *seen_new(size_t cap)
{
    struct seen *s = calloc(1, sizeof *s);
    s->cap = cap;
    s->of = calloc(cap, sizeof *s->of);
    return s;
}

static void seen_free(struct seen *s)
{
    free(s->of);
    free(s);
}

START_TEST(test_sinks_get_every_record_once_in_order_with_links)
{
    enum { N = 50000 };
    struct trace tr;
    trace_init(&tr);
    trace_add_host(&tr, "a", 1);
    trace_stream(&tr);
    struct seen *a = seen_new(N + 16), *b = seen_new(N + 16);
    struct trace_sink ka = { seen_sink, a }, kb = { seen_sink, b };
    ck_assert_int_eq(trace_add_sink(&tr, &ka), 0);
    ck_assert_int_eq(trace_add_sink(&tr, &kb), 0);
    /* a timer started first and stopped last: its start is long gone
     * from a streaming trace when the stop names it */
    size_t start = trace_timer(&tr, 0, 0, TL_TCP, 7, TM_TIME_WAIT, TA_START,
                               100, WHY0(0));
    uint8_t frame[64] = { 0 };
    for (size_t i = 1; i < N - 1; i++) {
        if (i % 2) {
            frame[0] = (uint8_t)i;
            uint32_t pk = trace_blob(&tr, frame, sizeof frame);
            struct trace_pkt p = { TK_SEND, 0, TL_TCP, 0, 0, pk, 0, 0, 0, 0, 0 };
            trace_packet(&tr, (int64_t)i, &p, WHY0(0));
        } else {
            trace_timer(&tr, (int64_t)i, 0, TL_TCP, 1, TM_RTO,
                        i % 4 ? TA_STOP : TA_START, 0, WHY0(0));
        }
    }
    size_t stop = trace_timer(&tr, N, 0, TL_TCP, 7, TM_TIME_WAIT, TA_STOP, 0,
                              WHY0(0));
    ck_assert_uint_eq(tr.n, N);
    ck_assert_uint_eq(a->n, N);
    ck_assert_uint_eq(b->n, N);
    ck_assert(!a->out_of_order && !b->out_of_order);
    ck_assert_uint_eq(a->of[stop], start + 1);
    /* an RTO stop names the start just before it (index - 2, + 1) */
    ck_assert_uint_eq(a->of[6], 4 + 1);
    /* the oldest records are gone, the newest kept */
    ck_assert_ptr_null(trace_rec(&tr, 0));
    ck_assert_ptr_nonnull(trace_rec(&tr, N - 1));
    ck_assert_ptr_nonnull(trace_rec(&tr, N - TRACE_STREAM_KEEP));
    ck_assert_uint_le(tr.n - tr.first, 2 * TRACE_STREAM_KEEP);
    ck_assert_uint_eq(trace_rec(&tr, stop)->of, start + 1);
    seen_free(a);
    seen_free(b);
    trace_free(&tr);
}
END_TEST

/* A stop or expiry names its timer's open start, whatever else starts and
 * stops around it: thousands of timers on few hosts and names, started,
 * restarted, stopped and expired in a shuffled order, against a plain
 * array of the open starts.  Stopped timers leave the table (so its
 * probing chains are cut and mended all the time) and it stays small. */
START_TEST(test_timer_links_survive_removal)
{
    struct trace tr;
    trace_init(&tr);
    enum { NT = 3000 };
    static uint32_t open_at[NT];             /* start's index + 1, 0 none */
    uint32_t x = 99;
    size_t maxn = 0;
    for (int step = 0; step < 60000; step++) {
        x = x * 1103515245u + 12345u;
        int k = (int)((x >> 8) % NT);
        x = x * 1103515245u + 12345u;
        int act = (int)((x >> 8) % 3);       /* TA_START, TA_STOP, TA_EXPIRE */
        int host = k % 5, name = k % 3 ? TM_RTO : TM_TIME_WAIT;
        uint32_t conn = (uint32_t)k / 5 + 1;
        size_t i = trace_timer(&tr, step, host, TL_TCP, conn, name, act, 0, WHY0(0));
        ck_assert_uint_eq(tr.recs[i].of, open_at[k]);
        open_at[k] = act == TA_START ? (uint32_t)i + 1 : 0;
        size_t open = 0;
        if (step % 1000 == 0) {
            for (int j = 0; j < NT; j++)
                open += open_at[j] != 0;
            ck_assert_uint_eq(tr.ntimers, open);
        }
        if (tr.ntimers > maxn)
            maxn = tr.ntimers;
    }
    /* the table holds the running timers, never more than NT, and its
     * size follows them: the smallest power of two at most 4/5 full */
    ck_assert_uint_le(maxn, NT);
    ck_assert_uint_le(5 * maxn, 4 * tr.timercap);
    ck_assert_uint_gt(5 * (maxn + 1), 4 * (tr.timercap / 2));
    trace_free(&tr);
}
END_TEST

START_TEST(test_stream_frees_blobs_nothing_names)
{
    struct trace tr;
    trace_init(&tr);
    trace_add_host(&tr, "a", 1);
    trace_stream(&tr);
    uint8_t frame[200];
    memset(frame, 0x5a, sizeof frame);
    uint32_t held = 0, last = 0;
    size_t most = 0;
    for (int i = 0; i < 200000; i++) {
        frame[0] = (uint8_t)i;
        uint32_t pk = trace_blob(&tr, frame, sizeof frame);
        /* ids only grow, freed or not: the JSON writer keeps a frame's
         * text by its blob's id */
        ck_assert_uint_gt(pk, last);
        last = pk;
        struct trace_pkt p = { TK_SEND, 0, TL_TCP, 0, 0, pk, 0, 0, 0, 0, 0 };
        trace_packet(&tr, i, &p, WHY0(0));
        if (i == 10) {
            held = pk;                  /* as a frame in flight does */
            trace_blob_hold(&tr, pk);
        }
        if (trace_size(&tr) > most)
            most = trace_size(&tr);
    }
    /* bounded by the window, not by the 200000 records (~50 MB kept) */
    ck_assert_uint_lt(most, 2 * TRACE_STREAM_KEEP *
                                (sizeof(struct trace_rec) + sizeof frame + 64) +
                            65536);
    ck_assert_uint_le(tr.nsblobs, 2 * TRACE_STREAM_KEEP + 1);
    /* the held one outlives its record, bytes intact */
    ck_assert_ptr_null(trace_rec(&tr, 10));
    ck_assert(trace_blob_live(&tr, held));
    size_t len;
    const uint8_t *b = trace_blob_data(&tr, held, &len);
    ck_assert_uint_eq(len, sizeof frame);
    ck_assert_uint_eq(b[0], 10);
    ck_assert_uint_eq(b[199], 0x5a);
    trace_blob_release(&tr, held);
    ck_assert(!trace_blob_live(&tr, held));
    ck_assert(!trace_blob_live(&tr, 11));
    ck_assert(trace_blob_live(&tr, (uint32_t)tr.nblobs - 1));
    trace_free(&tr);
}
END_TEST

/* The table of a streaming trace's blobs against a plain array of
 * reference counts: blobs made, held and released in a random order (so
 * that the table grows, fills to its load limit and closes gaps all the
 * time); every blob is found with its bytes while held, and is gone once
 * the last hold is released. */
START_TEST(test_held_blobs_match_a_plain_array)
{
    enum { NB = 40000 };
    static uint8_t refs[NB];
    static uint16_t lens[NB];
    struct trace tr;
    trace_init(&tr);
    trace_stream(&tr);
    uint32_t first = (uint32_t)tr.nblobs, x = 7;
    size_t made = 0, live = 0, most = 0;
    uint8_t buf[300];
    for (int step = 0; step < 200000; step++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = x >> 8;
        if (made < NB && (r % 3 == 0 || live == 0)) {
            size_t len = r % sizeof buf;
            memset(buf, (int)(made * 7 % 251), len);
            uint32_t id = trace_blob(&tr, buf, len);
            ck_assert_uint_eq(id, first + made);
            lens[made] = (uint16_t)len;
            trace_blob_hold(&tr, id);
            refs[made++] = 1;
            live++;
        } else if (made) {
            size_t k = (r >> 2) % made;
            if (!refs[k])
                continue;
            if (r % 3 == 1 && refs[k] < 3) {
                trace_blob_hold(&tr, first + (uint32_t)k);
                refs[k]++;
            } else {
                trace_blob_release(&tr, first + (uint32_t)k);
                live -= !--refs[k];
            }
        }
        if (live > most)
            most = live;
        REQUIRE(tr.nsblobs == live);
        if (step % 97 == 0 && made) {
            size_t k = (r >> 4) % made, len;
            REQUIRE(trace_blob_live(&tr, first + (uint32_t)k) == (refs[k] > 0));
            if (refs[k]) {
                const uint8_t *d = trace_blob_data(&tr, first + (uint32_t)k, &len);
                REQUIRE(len == lens[k]);
                for (size_t i = 0; i < len; i++)
                    REQUIRE(d[i] == (uint8_t)(k * 7 % 251));
            }
        }
    }
    for (size_t k = 0; k < made; k++)
        REQUIRE(trace_blob_live(&tr, first + (uint32_t)k) == (refs[k] > 0));
    ck_assert_uint_gt(most, 1000);
    /* the table stays within its load limit: at most 4/5 full */
    ck_assert_uint_le(5 * most, 4 * tr.scap);
    trace_free(&tr);
}
END_TEST

/* Interned strings and host names against a plain array: every id names
 * its text, interning it again gives the same id, and the address a
 * string was first given stays valid while more are added (they are
 * packed in chunks, and some are longer than a chunk); after a reset the
 * trace starts over. */
START_TEST(test_interned_strings_stay_put)
{
    enum { NS = 30000 };
    static const char *at[NS];
    static uint32_t ids[NS];
    static char big[100000];
    char buf[64];
    struct trace tr;
    trace_init(&tr);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < NS; i++) {
            if (i % 10000 == 5000) {
                memset(big, 'a' + i % 26, sizeof big - 1);
                big[sizeof big - 1] = 0;
                ids[i] = trace_intern(&tr, big);
            } else {
                snprintf(buf, sizeof buf, "%d:%.*s", i, i % 40,
                         "0123456789012345678901234567890123456789");
                ids[i] = trace_intern(&tr, buf);
            }
            at[i] = trace_str(&tr, ids[i]);
            if (i % 3 == 0) {
                snprintf(buf, sizeof buf, "h%d", i);
                ck_assert_int_eq(trace_add_host(&tr, buf, (uint32_t)i + 1),
                                 i / 3);
            }
        }
        for (int i = 0; i < NS; i++) {
            REQUIRE(trace_str(&tr, ids[i]) == at[i]);
            if (i % 10000 == 5000) {
                REQUIRE(strlen(at[i]) == sizeof big - 1);
                REQUIRE(at[i][0] == 'a' + i % 26 && at[i][sizeof big - 2] == at[i][0]);
                continue;
            }
            snprintf(buf, sizeof buf, "%d:%.*s", i, i % 40,
                     "0123456789012345678901234567890123456789");
            REQUIRE(!strcmp(at[i], buf));
            REQUIRE(trace_intern(&tr, buf) == ids[i]);
            if (i % 3 == 0) {
                snprintf(buf, sizeof buf, "h%d", i);
                REQUIRE(!strcmp(trace_host_name(&tr, i / 3), buf));
                REQUIRE(trace_host_by_addr(&tr, (uint32_t)i + 1) == i / 3);
            }
        }
        ck_assert_uint_eq(tr.nstrs, NS + 1);            /* and "" */
        ck_assert_str_eq(trace_str(&tr, 0), "");
        trace_reset(&tr);
        ck_assert_uint_eq(tr.nstrs, 1);
        ck_assert_int_eq(tr.nhosts, 0);
    }
    trace_free(&tr);
}
END_TEST

START_TEST(test_sink_added_late_and_replay_see_the_kept_records)
{
    struct trace tr;
    trace_init(&tr);
    trace_add_host(&tr, "a", 1);
    for (int i = 0; i < 10; i++)
        trace_note(&tr, i, 0, "x", 0);
    struct seen *a = seen_new(64);
    struct trace_sink k = { seen_sink, a };
    ck_assert_int_eq(trace_add_sink(&tr, &k), 0);
    ck_assert_uint_eq(a->n, 10);
    trace_note(&tr, 11, 0, "y", 0);
    ck_assert_uint_eq(a->n, 11);
    a->next = 0;
    trace_replay(&tr);
    ck_assert_uint_eq(a->n, 22);
    ck_assert(!a->out_of_order);
    /* reset: every record kept again, no sinks */
    trace_reset(&tr);
    ck_assert_int_eq(tr.nsinks, 0);
    ck_assert_int_eq(tr.streaming, 0);
    seen_free(a);
    trace_free(&tr);
}
END_TEST

/* Runs text (streamed or kept) and returns what the writers wrote:
 * --batch, --json, --pcap and --stats (without its wall line). */
/* --pcapng's blocks: a Section Header with its byte-order magic, one
 * Ethernet interface, then an Enhanced Packet per frame whose comment is
 * the sentence of the frame's send; every block is whole (its length at
 * both ends, a multiple of 4).  The frames are the pcap's, at its times. */
static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static unsigned rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* The pcapng (ng) against the pcap (pc) of the same run: every block
 * whole, the frames the same at the same times, each with a comment;
 * returns how many frames, and in *saw_syn whether a SYN's comment names
 * ISS 1000. */
static size_t ck_pcapng_is_pcap(const char *ng, size_t nng, const char *pc,
                                size_t npc, int *saw_syn)
{
    const uint8_t *p = (const uint8_t *)ng, *q = (const uint8_t *)pc + 24;
    size_t off = 0, frames = 0;
    *saw_syn = 0;
    while (off < nng) {
        ck_assert_uint_ge(nng - off, 12);
        uint32_t type = rd32(p + off), len = rd32(p + off + 4);
        ck_assert_uint_eq(len % 4, 0);
        ck_assert_uint_le(len, nng - off);
        ck_assert_uint_eq(rd32(p + off + len - 4), len);
        if (off == 0) {
            ck_assert_uint_eq(type, 0x0A0D0D0Au);
            ck_assert_uint_eq(rd32(p + 8), 0x1A2B3C4Du);
        } else if (type == 1) {
            ck_assert_uint_eq(rd16(p + off + 8), 1);             /* Ethernet */
        } else {
            ck_assert_uint_eq(type, 6);
            uint32_t cap = rd32(p + off + 20);
            /* the pcap's record: the same time and the same bytes */
            uint64_t ts = (uint64_t)rd32(p + off + 12) << 32 | rd32(p + off + 16);
            ck_assert_uint_eq(ts, (uint64_t)rd32(q) * 1000000 + rd32(q + 4));
            ck_assert_uint_eq(cap, rd32(q + 8));
            ck_assert_int_eq(memcmp(p + off + 28, q + 16, cap), 0);
            q += 16 + cap;
            /* then the comment option */
            const uint8_t *opt = p + off + 28 + ((cap + 3) & ~3u);
            ck_assert_uint_eq(rd16(opt), 1);
            size_t clen = rd16(opt + 2);
            ck_assert_uint_gt(clen, 0);
            if (clen >= 4 && !memcmp(opt + 4, "SYN:", 4) &&
                memmem(opt + 4, clen, "ISS=1000", 8))
                *saw_syn = 1;
            frames++;
        }
        off += len;
    }
    ck_assert_uint_eq(off, nng);
    ck_assert_ptr_eq(q, (const uint8_t *)pc + npc);
    return frames;
}

/* Runs text and writes its pcapng and pcap into *ng and *pc. */
static void both_captures(const char *text, char **ng, size_t *nng, char **pc,
                          size_t *npc, struct sim *s, struct scenario **scn)
{
    *scn = tu_parse(text);
    sim_init(s, *scn, 1);
    sim_run(s);
    FILE *f1 = open_memstream(ng, nng), *f2 = open_memstream(pc, npc);
    struct pcap_out o1, o2;
    ck_assert_int_eq(pcap_begin(&o1, f1, &s->tr, 0, 1), 0);
    ck_assert_int_eq(pcap_begin(&o2, f2, &s->tr, 0, 0), 0);
    struct trace_sink k1 = { pcap_sink, &o1 }, k2 = { pcap_sink, &o2 };
    ck_assert_int_eq(trace_add_sink(&s->tr, &k1), 0);
    ck_assert_int_eq(trace_add_sink(&s->tr, &k2), 0);
    ck_assert_int_eq(pcap_finish(&o1), 0);
    ck_assert_int_eq(pcap_finish(&o2), 0);
    fclose(f1);
    fclose(f2);
}

START_TEST(test_pcapng_blocks_carry_the_narration)
{
    struct scenario *scn;
    struct sim s;
    char *ng = NULL, *pc = NULL;
    size_t nng = 0, npc = 0;
    both_captures("host a 192.0.2.10\nhost b 192.0.2.20\nlink a b delay 5ms\n"
                  "tcp isn a 1000\nat 0ms b listen 80\nat 1ms a connect b 80\n",
                  &ng, &nng, &pc, &npc, &s, &scn);
    int saw_syn;
    ck_assert_uint_eq(ck_pcapng_is_pcap(ng, nng, pc, npc, &saw_syn), 3);
    ck_assert(saw_syn);
    free(ng);
    free(pc);
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

/* The pcap writes a frame to one MAC address at each arrival without
 * counting sends, and counts only broadcasts (json.c, counted); the pcapng
 * counts every frame.  On LANs behind routers, with ARP broadcasts, lost,
 * duplicated and reordered frames, the two write the same frames, and an
 * ARP request is written once per send however many hosts hear it. */
START_TEST(test_pcap_writes_what_pcapng_counts)
{
    struct scenario *scn;
    struct sim s;
    char *ng = NULL, *pc = NULL;
    size_t nng = 0, npc = 0;
    both_captures(
        "lan a 192.0.2.0/24 delay 2ms loss 10% duplicate 20% reorder 20%\n"
        "lan b 198.51.100.0/24 duplicate 30%\n"
        "router gw 192.0.2.1 on a 198.51.100.1 on b\n"
        "host h1 192.0.2.10 on a gateway 192.0.2.1\n"
        "host h2 192.0.2.11 on a gateway 192.0.2.1\n"
        "host h3 192.0.2.12 on a gateway 192.0.2.1\n"
        "host s 198.51.100.20 on b gateway 198.51.100.1\n"
        "host t 198.51.100.21 on b gateway 198.51.100.1\n"
        "at 0ms s listen 80\nat 0ms t listen 80\n"
        "at 1ms h1 connect s 80\nat 2ms h2 connect t 80\nat 3ms h3 connect h1 80\n"
        "at 3ms h1 listen 80\nat 200ms h1 send 3000 bytes\nat 400ms h2 close\n",
        &ng, &nng, &pc, &npc, &s, &scn);
    int saw_syn;
    size_t frames = ck_pcapng_is_pcap(ng, nng, pc, npc, &saw_syn);
    ck_assert_uint_gt(frames, 40);
    /* ARP requests: one frame per send in the capture */
    size_t sends = 0, written = 0;
    for (size_t i = s.tr.first; i < s.tr.n; i++) {
        const struct trace_rec *r = trace_rec(&s.tr, i);
        size_t len;
        const uint8_t *p = trace_blob_data(&s.tr, r->u.pkt.pkt, &len);
        if (r->kind == TK_SEND && len >= 22 && p[0] == 0xff && p[12] == 0x08 &&
            p[13] == 0x06)
            sends++;
    }
    for (const uint8_t *q = (const uint8_t *)pc + 24; q < (const uint8_t *)pc + npc;
         q += 16 + rd32(q + 8))
        if (q[16] == 0xff && q[16 + 12] == 0x08 && q[16 + 13] == 0x06)
            written++;
    ck_assert_uint_gt(sends, 2);
    ck_assert_uint_eq(written, sends);
    free(ng);
    free(pc);
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

struct outs { char *text, *json, *pcap, *stats; size_t npcap; };
static int outs_ng;            /* run_outputs_at: the capture as pcapng */

/* A sink that, at record `at`, moves the trace's blob count on by 2^32 -
 * back: as if 2^32 blobs had been made since, so that the ids given next
 * are those of the blobs made `back` ago (their blobs freed by now, or
 * skipped), as past 2^32 they are. */
struct jump { size_t at, back; };

static void jump_sink(void *ctx, const struct trace *tr, size_t i, const struct trace_rec *r)
{
    const struct jump *j = ctx;
    (void)r;
    if (i == j->at)
        ((struct trace *)tr)->nblobs += ((size_t)1 << 32) - j->back;
}

/* base: a streamed run's first record index (0: from the start; else as
 * if that many records had gone before); blobs likewise, its first
 * streamed blob's id; jump (or NULL): a jump_sink's */
static struct outs run_outputs_at(const char *lesson, int stream, size_t base, size_t blobs,
                                  struct jump *jump)
{
    struct scenario *scn = tu_parse(lesson);
    struct outs o = { 0 };
    size_t nt, nj, ns;
    FILE *ft = open_memstream(&o.text, &nt), *fj = open_memstream(&o.json, &nj),
         *fp = open_memstream(&o.pcap, &o.npcap), *fs = open_memstream(&o.stats, &ns);
    struct sim s;
    sim_init(&s, scn, 1);
    struct text_out to;
    struct json_out jo;
    struct pcap_out po;
    struct stats so;
    if (stream)
        trace_stream(&s.tr);
    if (base) {
        ck_assert_uint_eq(s.tr.n, 0);
        s.tr.n = s.tr.first = base;
    }
    if (blobs) {
        ck_assert(s.tr.streaming);
        s.tr.nblobs = blobs;
    }
    if (jump) {
        struct trace_sink js = { jump_sink, jump };
        ck_assert_int_eq(trace_add_sink(&s.tr, &js), 0);
    }
    text_begin(&to, ft, &s);
    json_begin(&jo, fj, &s);
    ck_assert_int_eq(pcap_begin(&po, fp, &s.tr, 1, outs_ng), 0);
    stats_begin(&so, fs, &s);
    struct trace_sink k[] = { { text_sink, &to }, { json_sink, &jo },
                              { pcap_sink, &po }, { stats_sink, &so } };
    if (stream)
        for (int i = 0; i < 4; i++)
            ck_assert_int_eq(trace_add_sink(&s.tr, &k[i]), 0);
    sim_run(&s);
    if (!stream)
        for (int i = 0; i < 4; i++)
            ck_assert_int_eq(trace_add_sink(&s.tr, &k[i]), 0);
    ck_assert_int_eq(text_finish(&to), 0);
    ck_assert_int_eq(json_finish(&jo), 0);
    ck_assert_int_eq(pcap_finish(&po), 0);
    ck_assert_int_eq(stats_finish(&so, 1.0), 0);
    fclose(ft);
    fclose(fj);
    fclose(fp);
    fclose(fs);
    sim_free(&s);
    scenario_free(scn);
    return o;
}

static struct outs run_outputs_from(const char *lesson, int stream, size_t base)
{
    return run_outputs_at(lesson, stream, base, 0, NULL);
}

static struct outs run_outputs(const char *lesson, int stream)
{
    return run_outputs_from(lesson, stream, 0);
}

static void outs_free(struct outs *o)
{
    free(o->text);
    free(o->json);
    free(o->pcap);
    free(o->stats);
}

/* Many connections in sequence and lossy, duplicating links: more records
 * than a streaming trace keeps, lost frames that wait for pcap, copies. */
static char *crowd_lesson(int n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    fputs("host client 192.0.2.10\nhost server 192.0.2.80\n"
          "link client server delay 1ms loss 10% duplicate 5%\n"
          "tcp msl 1ms\nat 0ms server listen 80\n", fp);
    for (int i = 0; i < n; i++)
        fprintf(fp, "at %dms client connect server 80\nat %dms client close\n",
                10 + i * 20, 15 + i * 20);
    fclose(fp);
    return buf;
}

START_TEST(test_streamed_writers_write_what_kept_writers_write)
{
    char *lesson = crowd_lesson(600);
    struct outs a = run_outputs(lesson, 1), b = run_outputs(lesson, 0);
    ck_assert_str_eq(a.text, b.text);
    ck_assert_str_eq(a.json, b.json);
    ck_assert_str_eq(a.stats, b.stats);
    ck_assert_uint_eq(a.npcap, b.npcap);
    ck_assert(memcmp(a.pcap, b.pcap, a.npcap) == 0);
    /* the JSON ids count every record, and its "of" links point back */
    ck_assert_ptr_nonnull(strstr(a.json, "{\"id\":12000,"));
    ck_assert_ptr_nonnull(strstr(a.json, "\"reason\":\"lost on the link"));
    ck_assert_ptr_nonnull(strstr(a.json, "\"dup\":true"));
    outs_free(&a);
    outs_free(&b);
    free(lesson);
}
END_TEST

/* The JSON with every "id" and "of" less base (as unsigned 64-bit
 * numbers), malloc'd. */
static char *json_ids_less(const char *json, uint64_t base)
{
    char *out = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&out, &n);
    for (const char *p = json; *p;) {
        const char *id = strstr(p, "{\"id\":"), *of = strstr(p, ",\"of\":");
        const char *at = !id ? of : !of ? id : id < of ? id : of;
        if (!at) {
            fputs(p, fp);
            break;
        }
        size_t key = 6;                  /* {"id": and ,"of": alike */
        fwrite(p, 1, (size_t)(at - p) + key, fp);
        char *end;
        unsigned long long v = strtoull(at + key, &end, 10);
        fprintf(fp, "%llu", v - (unsigned long long)base);
        p = end;
    }
    fclose(fp);
    return out;
}

/* A streamed run counts its records past 2^32 (the budget allows it, the
 * run taking long enough): the JSON ids and the "of" links that name the
 * send a frame came from and the start a timer ends go on counting; `of`
 * was 32 bits and wrapped, naming a record 2^32 earlier.  The same run
 * from record 2^32 - 300 writes what it writes from 0, every id and link
 * moved by that much, and the same capture and counts. */
START_TEST(test_record_links_count_past_2_to_the_32)
{
    char *lesson = crowd_lesson(40);
    uint64_t base = (UINT64_C(1) << 32) - 300;
    struct outs a = run_outputs_from(lesson, 1, (size_t)base), b = run_outputs(lesson, 1);
    ck_assert_ptr_nonnull(strstr(a.json, "{\"id\":4294967296,"));
    ck_assert_ptr_nonnull(strstr(a.json, ",\"of\":42949673"));     /* 2^32 + ... */
    char *moved = json_ids_less(a.json, base);
    ck_assert_str_eq(moved, b.json);
    ck_assert_str_eq(a.stats, b.stats);
    ck_assert_uint_eq(a.npcap, b.npcap);
    ck_assert(memcmp(a.pcap, b.pcap, a.npcap) == 0);
    free(moved);
    outs_free(&a);
    outs_free(&b);
    free(lesson);
}
END_TEST

/* Frame bytes go on being found past 2^32 blobs: the ids are 32 bits and
 * are given again, skipping those a blob still has, the arena's and
 * UINT32_MAX (the 2^32nd blob was id 0, the arena's empty blob: its
 * frame read as no bytes, and the outputs said so).  The same lossy, duplicating
 * crowd, its blobs counted from 2^32 - 20, writes what it writes from the
 * start. */
START_TEST(test_frame_bytes_past_2_to_the_32_blobs)
{
    char *lesson = crowd_lesson(40);
    struct outs b = run_outputs(lesson, 1);
    struct outs a = run_outputs_at(lesson, 1, 0, ((size_t)1 << 32) - 20, NULL);
    ck_assert_str_eq(a.json, b.json);
    ck_assert_str_eq(a.text, b.text);
    ck_assert_str_eq(a.stats, b.stats);
    ck_assert_uint_eq(a.npcap, b.npcap);
    ck_assert(memcmp(a.pcap, b.pcap, a.npcap) == 0);
    outs_free(&a);
    outs_free(&b);
    free(lesson);
    /* and ids given again, mid-run: as if 2^32 blobs had gone by, the ids
     * of the blobs made 30 before (still named: skipped) or 6,000 before
     * (gone: given again), through UINT32_MAX, which the pcapng's table
     * of frames cannot key (it left that frame out) */
    lesson = crowd_lesson(1500);
    for (outs_ng = 0; outs_ng < 2; outs_ng++) {
        b = run_outputs(lesson, 1);
        for (size_t at = 200; at < 40000; at += 9000) {
            struct jump j = { at, at < 20000 ? 30 : 6000 };
            a = run_outputs_at(lesson, 1, 0, 0, &j);
            REQUIRE(!strcmp(a.json, b.json));
            REQUIRE(!strcmp(a.stats, b.stats));
            REQUIRE(a.npcap == b.npcap && !memcmp(a.pcap, b.pcap, a.npcap));
            outs_free(&a);
        }
        outs_free(&b);
    }
    outs_ng = 0;
    free(lesson);
}
END_TEST

START_TEST(test_stats_counts_the_handshake)
{
    struct outs o = run_outputs(
        "host client 192.0.2.10\nhost server 192.0.2.80\n"
        "link client server delay 20ms\n"
        "at 0ms server listen 80\nat 10ms client connect server 80\n"
        "at 300ms client close\nat 400ms server close\n", 1);
    /* the columns' widths aside: runs of spaces as one */
    char *t = o.stats;
    size_t k = 0;
    for (size_t i = 0; t[i]; i++)
        if (t[i] != ' ' || !k || t[k - 1] != ' ')
            t[k++] = t[i];
    t[k] = '\0';
    const char *want[] = {
        "\n SYN 1\n", "\n SYN,ACK 1\n", "\n ACK 3\n", "\n FIN 2\n",
        "\n TIME_WAIT 1\n", "\n tcp 7\n", "\n RTO 4 4 0\n",
        "\n TIME_WAIT 1 0 1\n", "\nlifecycles 2\n",
        "\nwall 1.000s, 2 lifecycles per second\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(t, want[i]), "no \"%s\" in:\n%s", want[i], t);
    outs_free(&o);
}
END_TEST

/* Host by address: the first host with an address, for 20,000 hosts
 * (a table, not a scan per record), none for an unknown address, and none
 * after a reset. */
START_TEST(test_host_by_addr_table)
{
    struct trace tr;
    trace_init(&tr);
    char name[32];
    for (int h = 0; h < 20000; h++) {
        snprintf(name, sizeof name, "h%d", h);
        ck_assert_int_eq(trace_add_host(&tr, name, 0x0a000000u + (uint32_t)h), h);
    }
    trace_add_host(&tr, "twin", 0x0a000007u);           /* same address as h7 */
    for (int h = 0; h < 20000; h += 997)
        ck_assert_int_eq(trace_host_by_addr(&tr, 0x0a000000u + (uint32_t)h), h);
    ck_assert_int_eq(trace_host_by_addr(&tr, 0x0a000007u), 7);
    ck_assert_int_eq(trace_host_by_addr(&tr, 0x0b000000u), -1);
    trace_reset(&tr);
    ck_assert_int_eq(trace_host_by_addr(&tr, 0x0a000005u), -1);
    ck_assert_int_eq(trace_add_host(&tr, "again", 0x0a000005u), 0);
    ck_assert_int_eq(trace_host_by_addr(&tr, 0x0a000005u), 0);
    trace_free(&tr);
}
END_TEST

/* Durations and numbers as the narration and the JSON print them, written
 * without printf: every unit, the fractions with their trailing zeros
 * trimmed, the sign, the extremes, and a buffer too small. */
START_TEST(test_durations_and_numbers_as_text)
{
    static const struct { int64_t us; const char *text; } d[] = {
        { 0, "0ms" }, { 1, "1us" }, { 999, "999us" }, { 1000, "1ms" },
        { 1500, "1.5ms" }, { 1050, "1.05ms" }, { 1001, "1.001ms" },
        { 200000, "200ms" }, { 999999, "999.999ms" }, { 1000000, "1s" },
        { 1250000, "1.25s" }, { 1000001, "1000.001ms" }, { 59000000, "59s" },
        { 60000000, "1m" }, { 61000000, "1m1s" }, { 61500000, "61.5s" },
        { 120000000, "2m" }, { 3600000000, "60m" }, { -1500, "-1.5ms" },
        { -60000000, "-1m" }, { INT64_MIN, "-9223372036854775.808ms" },
        { INT64_MAX, "9223372036854775.807ms" },
    };
    char buf[64];
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        ck_assert_str_eq(fmt_duration(d[i].us, buf, sizeof buf), d[i].text);
    char small[4];
    ck_assert_str_eq(fmt_duration(1250000, small, sizeof small), "1.2");
    ck_assert_str_eq(fmt_duration(5, buf, 1), "");

    /* the timeline's time column: milliseconds, or microseconds when a
     * time has them; before 0 is 0; cut like snprintf */
    static const struct { int64_t us; const char *text; } t[] = {
        { 0, "0.000s" }, { 1, "0.000001s" }, { 999, "0.000999s" },
        { 1000, "0.001s" }, { 1500, "0.001500s" }, { 999999, "0.999999s" },
        { 1000000, "1.000s" }, { 61000000, "61.000s" }, { 61000001, "61.000001s" },
        { -5, "0.000s" }, { INT64_MAX, "9223372036854.775807s" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        ck_assert_str_eq(fmt_time(t[i].us, buf, sizeof buf), t[i].text);
    ck_assert_str_eq(fmt_time(1500, small, sizeof small), "0.0");
    ck_assert_str_eq(fmt_time(1500, buf, 1), "");

    char n[FMT_INT_LEN];
    ck_assert_str_eq(fmt_i64(0, n), "0");
    ck_assert_str_eq(fmt_i64(-7, n), "-7");
    ck_assert_str_eq(fmt_i64(INT64_MIN, n), "-9223372036854775808");
    ck_assert_str_eq(fmt_i64(INT64_MAX, n), "9223372036854775807");
    ck_assert_str_eq(fmt_u64(UINT64_MAX, n), "18446744073709551615");
    static const uint64_t v[] = { 9, 10, 99, 100, 101, 999, 1000, 10001, 123456789 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char want[FMT_INT_LEN];
        snprintf(want, sizeof want, "%llu", (unsigned long long)v[i]);
        ck_assert_str_eq(fmt_u64(v[i], n), want);
    }
    /* the appending forms: every power of ten and its neighbours, both
     * signs, the ends of the range; nothing written past the digits */
    for (int neg = 0; neg < 2; neg++)
        for (uint64_t p = 1, k = 0; k < 19; p *= 10, k++)
            for (int e = -1; e <= 1; e++) {
                int64_t x = (int64_t)(p + (uint64_t)(p > 1 ? e : e + 1));
                if (neg)
                    x = -x;
                char want[FMT_INT_LEN], got[FMT_INT_LEN + 1];
                memset(got, '#', sizeof got);
                snprintf(want, sizeof want, "%lld", (long long)x);
                size_t len = fmt_i64_put(x, got);
                ck_assert_uint_eq(len, strlen(want));
                ck_assert_int_eq(memcmp(got, want, len), 0);
                ck_assert_int_eq(got[len], '#');
            }
    char got[FMT_INT_LEN];
    ck_assert_uint_eq(fmt_i64_put(INT64_MIN, got), 20);
    ck_assert_int_eq(memcmp(got, "-9223372036854775808", 20), 0);
    ck_assert_uint_eq(fmt_u64_put(UINT64_MAX, got), 20);
    ck_assert_int_eq(memcmp(got, "18446744073709551615", 20), 0);
    ck_assert_uint_eq(fmt_u64_put(0, got), 1);
    ck_assert_int_eq(got[0], '0');
}
END_TEST

/* JSON strings: plain text goes in as it is; the quote, the backslash,
 * controls, DEL, C1 controls, U+2028 and bytes that are not UTF-8 are
 * escaped or replaced; in a script < > & are escaped too. */
START_TEST(test_json_strings_escape_what_they_must)
{
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    static const uint8_t s[] = "a\"b\\c\n\t\x01\x7f<&>\xc2\x85\xe2\x80\xa8\xff\xe4\xb8\xad";
    json_write_str(fp, s, sizeof s - 1, 0);
    fputc('|', fp);
    json_write_str(fp, s, sizeof s - 1, 1);
    fclose(fp);
    ck_assert_str_eq(out,
        "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f<&>\\u0085\\u2028\xef\xbf\xbd\xe4\xb8\xad\"|"
        "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u003c\\u0026\\u003e\\u0085\\u2028\xef\xbf\xbd\xe4\xb8\xad\"");
    free(out);

    /* every byte value at every place of a longer string: the writer
     * skips plain text eight bytes at a time, and a byte to escape must
     * be found wherever it sits */
    /* ... and at every place of strings of every length the writer
     * tests in a different way: a few bytes, one or two words, sixteen
     * at a time with an overlapping last window */
    static const char as[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for (int c = 0; c < 256; c++)
        for (int n = 1; n <= 40; n++)
            for (int k = 0; k < n; k++) {
            uint8_t in[40];
            char want[128], esc[16];
            memset(in, 'a', sizeof in);
            in[k] = (uint8_t)c;
            if (c == '"' || c == '\\')
                snprintf(esc, sizeof esc, "\\%c", c);
            else if (c == '\n' || c == '\r' || c == '\t')
                snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
            else if (c < 0x20 || c == 0x7f)
                snprintf(esc, sizeof esc, "\\u%04x", c);
            else if (c >= 0x80)
                snprintf(esc, sizeof esc, "\xef\xbf\xbd");   /* alone: not UTF-8 */
            else
                snprintf(esc, sizeof esc, "%c", c);
            snprintf(want, sizeof want, "\"%.*s%s%.*s\"", k, as, esc,
                     n - 1 - k, as);
            fp = open_memstream(&out, &len);
            json_write_str(fp, in, (size_t)n, 0);
            fclose(fp);
            ck_assert_msg(strcmp(out, want) == 0, "byte 0x%02x at %d of %d: %s",
                          c, k, n, out);
            free(out);
            }
}
END_TEST

Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("sinks");
    tcase_add_test(tc, test_sinks_get_every_record_once_in_order_with_links);
    tcase_add_test(tc, test_host_by_addr_table);
    tcase_add_test(tc, test_pcapng_blocks_carry_the_narration);
    tcase_add_test(tc, test_pcap_writes_what_pcapng_counts);
    tcase_add_test(tc, test_timer_links_survive_removal);
    tcase_add_test(tc, test_stream_frees_blobs_nothing_names);
    tcase_add_test(tc, test_held_blobs_match_a_plain_array);
    tcase_add_test(tc, test_interned_strings_stay_put);
    tcase_add_test(tc, test_sink_added_late_and_replay_see_the_kept_records);
    tcase_add_test(tc, test_streamed_writers_write_what_kept_writers_write);
    tcase_add_test(tc, test_record_links_count_past_2_to_the_32);
    tcase_add_test(tc, test_frame_bytes_past_2_to_the_32_blobs);
    tcase_add_test(tc, test_stats_counts_the_handshake);
    tcase_add_test(tc, test_durations_and_numbers_as_text);
    tcase_add_test(tc, test_json_strings_escape_what_they_must);
    suite_add_tcase(s, tc);
    return s;
}
