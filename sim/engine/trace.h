/* trace.h — the append-only record of everything that happened in a run.
 *
 * The trace is the single model that the text timeline, JSON Lines, pcap,
 * the ncurses UI, `expect` checks and the tests read.  Protocol code appends
 * to it through one state-change function per protocol; the network appends
 * packet records; nothing else writes it.
 *
 * Records are small fixed-size structs.  Packet bytes, interned strings and
 * application data live in side arenas addressed by index, so records stay
 * cheap to append and copy. */
#ifndef PROTOSIM_TRACE_H
#define PROTOSIM_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "i18n.h"
#include "why.h"

#define TRACE_KINDS(X) \
    X(STATE, "state") \
    X(SEND,  "send")  \
    X(RECV,  "recv")  \
    X(DROP,  "drop")  \
    X(TIMER, "timer") \
    X(NOTE,  "note")  \
    X(APP,   "app")   \
    X(EXT,   "ext")

enum trace_kind {
#define X(id, name) TK_##id,
    TRACE_KINDS(X)
#undef X
    TK_COUNT
};

/* The protocols, once: X(A, ID, name, colour, weight).  Everything that
 * lists protocols expands this table: the trace's layers (TL_ID, whose
 * names are the JSON's "layer" and "proto"), a frame's top protocol
 * (summary.h: packet_top), the arrows' colour roles (ui/view.h: R_PKT_ID,
 * drawn in `colour`, bold when `weight` is BOLD), and the names the scenario
 * language reads.  A is passed through, so that a table built from this one
 * can hand on its own X (see TRACE_LAYERS).  Order: outermost first, as the
 * inspector shows the layers. */
#define PROTOCOLS(X, A)                      \
    X(A, ETH,  "eth",  DEFAULT, NORMAL)      \
    X(A, ARP,  "arp",  MAGENTA, NORMAL)      \
    X(A, IP,   "ip",   DEFAULT, NORMAL)      \
    X(A, TCP,  "tcp",  GREEN,   NORMAL)      \
    X(A, UDP,  "udp",  BLUE,    BOLD)        \
    X(A, DNS,  "dns",  CYAN,    NORMAL)      \
    X(A, HTTP, "http", YELLOW,  BOLD)

/* The layers a record can belong to: none, each protocol, the application. */
#define TRACE_LAYER_ROW(X, id, name, colour, weight) X(id, name)
#define TRACE_LAYERS(X) \
    X(NONE, "none") \
    PROTOCOLS(TRACE_LAYER_ROW, X) \
    X(APP,  "app")

enum trace_layer {
#define X(id, name) TL_##id,
    TRACE_LAYERS(X)
#undef X
    TL_COUNT
};

#define TIMER_NAMES(X) \
    X(RTO,       "RTO")       \
    X(TIME_WAIT, "TIME_WAIT") \
    X(PERSIST,   "PERSIST")   \
    X(ARP,       "ARP")       \
    X(DNS,       "DNS")

enum timer_name {
#define X(id, name) TM_##id,
    TIMER_NAMES(X)
#undef X
    TM_COUNT
};

enum timer_action { TA_START, TA_STOP, TA_EXPIRE };

/* Application calls recorded as TK_APP; the socket calls first, which an
 * `expect HOST CALL` line can name. */
#define APP_SOCKET_CALLS(X) \
    X(LISTEN,   "listen")   \
    X(CONNECT,  "connect")  \
    X(SEND,     "send")     \
    X(RECV,     "recv")     \
    X(SHUTDOWN, "shutdown") \
    X(CLOSE,    "close")    \
    X(ABORT,    "abort")    \
    X(ACCEPT,   "accept")
#define APP_CALLS(X) \
    APP_SOCKET_CALLS(X)     \
    X(ERROR,    "error")    \
    X(MESSAGE,  "message")  \
    X(RESOLVE,  "resolve")  \
    X(WSGI,     "wsgi")     /* uWSGI calls the WSGI application */ \
    X(SOCKET,   "socket")   \
    X(BIND,     "bind")

enum app_call {
#define X(id, name) AC_##id,
    APP_CALLS(X)
#undef X
    AC_COUNT
};

#define HOST_BROADCAST (-1)

/* One event.  `why` is a narration id with parameters, rendered by narrate()
 * so that the sentence lives in one table (and later, one per language). */
struct trace_rec {
    int64_t  t_us;
    int32_t  host;            /* index into trace.hosts */
    uint8_t  kind;            /* enum trace_kind */
    uint8_t  layer;           /* enum trace_layer */
    uint16_t of_hi;           /* bits 32-47 of `of` (below) */
    uint32_t conn;            /* interned connection id, 0 = none */
    /* The record this one follows from, as its index + 1 (0 = none), so
     * that nobody has to guess it back from bytes or times:
     * - TK_RECV, TK_DROP: the TK_SEND that put the frame on the wire (for a
     *   copy the network made, that copy's own TK_SEND).  A frame dropped
     *   before it was ever sent (waiting for ARP) has none.
     * - TK_SEND of a copy made by the network: the original TK_SEND.
     * - TK_TIMER: the TA_START of the same timer (host, connection, name)
     *   that this stop, expiry or restart ends; none for a first start.
     * A streamed run counts past 2^32 records: the whole value is 48 bits,
     * of_hi:of (trace_rec_of), 2^48 records, months of CPU at the fastest;
     * the record's 88 bytes stay (of_hi fills padding).  A kept trace (at
     * most TRACE_KEPT_MAX bytes, 36 million records) never needs of_hi,
     * so what reads one only may read `of`. */
    uint32_t of;
    struct why why;
    union {
        struct { uint8_t from, to; } state;
        struct {
            uint32_t pkt;     /* index into the packet store */
            int32_t  src, dst;/* host indices; dst HOST_BROADCAST for broadcast */
            uint8_t  dup;     /* a copy made by the network (its `of` is
                                 the original's send) */
            uint8_t  reason;  /* enum drop_reason, for TK_DROP */
            int64_t  lost_at; /* TK_DROP on a link or LAN: when the frame
                                 would have arrived (0 otherwise) */
        } pkt;
        struct { uint8_t name, action; int64_t due_us; } timer;
        struct { uint32_t text; } note;            /* interned */
        struct {
            uint8_t  call;                         /* enum app_call */
            int32_t  ret;                          /* bytes, or -errno-like code */
            uint32_t data;                         /* blob index, 0 = none */
        } app;
        /* TK_EXT: a record of a driver outside the model (the --real
         * replay), so that its vocabulary stays in the driver.  The
         * fields mean what the owner says; the model only stores them. */
        struct {
            uint8_t  owner;                        /* the owner's tag, 0 = none */
            uint8_t  b[4];
            int32_t  i;
            uint32_t w[2];
            uint16_t h[2];                         /* (fills the union's
                                                      padding) */
        } ext;
    } u;
};

/* Why a frame was dropped: sentences, translated where they are shown
 * (the JSON "reason" keeps the English). */
#define DROP_REASONS(X) \
    X(NONE,    N_("none"))                               \
    X(LOSS,    N_("lost on the link (random loss)"))     \
    X(FAULT,   N_("dropped by a scenario fault rule"))   \
    X(NOROUTE, N_("no route to the destination"))         \
    X(CSUM,    N_("bad checksum"))                        \
    X(NOSOCK,  N_("no socket and no reply possible"))     \
    X(TTL,     N_("TTL expired at a router"))             \
    X(ARP,     N_("next hop did not answer ARP"))          \
    X(NOTFORME,N_("not addressed to this host"))          \
    X(NOPORT,  N_("no socket bound to that UDP port"))   \
    X(ARPQUEUE,N_("too many packets waiting for ARP"))  \
    X(SYNQ,    N_("SYN queue full"))                     \
    X(ACCEPTQ, N_("accept queue full"))                   \
    X(TCP,     N_("discarded by TCP"))                   \
    X(ARPBAD,  N_("discarded by ARP"))                   \
    X(DNSBAD,  N_("not a DNS message this host can read")) \
    X(DNSDUP,  N_("a copy of a DNS question already being answered"))

enum drop_reason {
#define X(id, text) DR_##id,
    DROP_REASONS(X)
#undef X
    DR_COUNT
};

/* A record's `of` (index + 1, 0 = none), and setting it. */
static inline uint64_t trace_rec_of(const struct trace_rec *r)
{
    return (uint64_t)r->of_hi << 32 | r->of;
}
static inline void trace_rec_set_of(struct trace_rec *r, uint64_t of)
{
    r->of = (uint32_t)of;
    r->of_hi = (uint16_t)(of >> 32);
}

struct blob { uint32_t off, len; };
/* The most a kept trace may be budgeted (--max-trace): its arena, which
 * blob offsets address, then stays below 4 GiB. */
#define TRACE_KEPT_MAX ((uint64_t)3 << 30)

struct trace;
/* A writer fed record by record (the text timeline, JSON Lines, pcap,
 * --stats): `rec` is called once per record, in order, right after the
 * record is appended (records are complete then: none is changed once
 * appended).  `i` is the record's index, which causal links (`of`) name.
 * A sink reads the record, its strings and its bytes; one that needs a
 * blob later holds it (trace_blob_hold). */
struct trace_sink {
    void (*rec)(void *ctx, const struct trace *tr, size_t i,
                const struct trace_rec *r);
    void *ctx;
};
enum { TRACE_MAX_SINKS = 8 };
/* A streaming trace keeps at least this many of the newest records (the
 * look-back of a run's limit report, sim.c: find_cause) and at most twice
 * as many. */
enum { TRACE_STREAM_KEEP = 4096 };

/* A packet or data blob of a streaming trace: allocated on its own and
 * freed when the last record or frame in flight that names it lets go.
 * It carries its id, the key of the table that finds it. */
struct trace_sblob { uint32_t id, refs, len; uint8_t data[]; };

struct trace {
    /* the records [first, n) in recs[0 .. n - first); first is 0 unless
     * the trace streams (trace_stream) */
    struct trace_rec *recs;
    size_t n, cap;
    size_t first;
    int    streaming;
    struct trace_sink sinks[TRACE_MAX_SINKS];
    int    nsinks;
    /* host names, in scenario order */
    char   **host_names;
    uint32_t *host_addrs;
    int      nhosts;
    /* host by address: open addressing, host + 1 (0 empty), the first host
     * with each address; a power of two, at most 4/5 full, or 0 */
    int32_t *addrhash;
    size_t   addrcap;
    /* byte arena for packets and app data; blob 0 is the empty blob */
    uint8_t *bytes;
    size_t   nbytes, capbytes;
    struct blob *blobs;
    size_t   nblobs, capblobs;   /* nblobs: every blob id ever made */
    /* A streaming trace's blobs from id `sfirst` on (those before are in
     * the arena): open addressing on the blob's id, NULL = empty; a power
     * of two, at most 4/5 full, or 0. */
    uintptr_t *sblobs;        /* trace.c: a blob's address, tagged */
    size_t   sfirst, nsblobs, scap, sbytes;
    /* interned strings; string 0 is "" */
    char   **strs;
    size_t   nstrs, capstrs;
    uint32_t *strhash;        /* open addressing: string id + 1, 0 empty */
    size_t   hashcap;         /* a power of two, at most 4/5 full */
    size_t   strbytes;        /* the interned strings' characters */
    /* where the interned strings and the host names are kept: chunks that
     * never move, so a string's address stays valid until trace_reset or
     * trace_free (trace.c: pool_strdup) */
    struct str_chunk *chunks;
    char    *str_at;          /* the first chunk's free room */
    size_t   str_left;
    /* The sentence of a TK_EXT record, from the owner of the records (set
     * when it appends them): the model has no sentences of its own for
     * them.  NULL: such records have an empty sentence. */
    char   *(*ext_why)(const struct trace *tr, const struct trace_rec *r,
                       char *buf, size_t n);
    /* the running timers, so that a stop names its start without the
     * protocols keeping record indices: open addressing on (host,
     * connection, name), key = host + 2 (0 = empty slot), `at` = the open
     * start's index + 1; a stop or expiry removes its slot, so the table
     * holds the timers running now, not every timer the run started;
     * a power of two, at most 4/5 full */
    struct open_timer { int32_t key; uint32_t conn; uint8_t name; uint16_t at_hi; uint32_t at; }
            *timers;              /* at_hi: bits 32-47 of at (trace_rec.of) */
    size_t   ntimers, timercap;   /* keys in use; a power of two, or 0 */
};

void     trace_init(struct trace *tr);
void     trace_free(struct trace *tr);
/* Empties the trace (records, hosts, strings, blobs) but keeps its arrays'
 * capacity for the next run.  It keeps every record again, with no sinks. */
void     trace_reset(struct trace *tr);
/* From now on the trace keeps only what is still needed: the newest
 * records (TRACE_STREAM_KEEP to twice that), and the blobs those records,
 * the frames in flight and the sinks hold.  Every record still reaches
 * the sinks, and indices go on counting every record (n); the older ones
 * are gone (trace_rec gives NULL).  Interned strings stay. */
void     trace_stream(struct trace *tr);
/* Adds a sink (at most TRACE_MAX_SINKS); it is first given the records
 * already kept.  Returns 0, or -1 when there is no room. */
int      trace_add_sink(struct trace *tr, const struct trace_sink *k);
/* Gives every kept record to the sinks again, in order (for a trace
 * finished before the sinks were added, or changed after the run). */
void     trace_replay(struct trace *tr);
/* Record i, or NULL when it is not kept (a streaming trace's older ones)
 * or does not exist. */
const struct trace_rec *trace_rec(const struct trace *tr, size_t i);
/* A blob held by something other than a record (a frame in flight, a
 * sink) stays until released; nothing happens unless the trace streams. */
void     trace_blob_hold(struct trace *tr, uint32_t id);
void     trace_blob_release(struct trace *tr, uint32_t id);
/* Does the trace still have blob id?  (Always, unless it streams.) */
int      trace_blob_live(const struct trace *tr, uint32_t id);
int      trace_add_host(struct trace *tr, const char *name, uint32_t addr);
/* A host's name; "*" for HOST_BROADCAST; NULL for any other index. */
const char *trace_host_name(const struct trace *tr, int h);
/* The host whose (first) address is a, or -1. */
int      trace_host_by_addr(const struct trace *tr, uint32_t a);
uint32_t trace_intern(struct trace *tr, const char *s);
/* The trace's size in bytes as the run's trace budget counts it: records,
 * packet and data bytes with their index, interned strings (what is in
 * use, not the arrays' spare capacity).  A streaming trace counts what it
 * still keeps. */
size_t   trace_size(const struct trace *tr);
const char *trace_str(const struct trace *tr, uint32_t id);
uint32_t trace_blob(struct trace *tr, const uint8_t *p, size_t len);
const uint8_t *trace_blob_data(const struct trace *tr, uint32_t id, size_t *len);

/* Appenders.  Each returns the index of the new record. */
size_t trace_state(struct trace *tr, int64_t t, int host, int layer,
                   uint32_t conn, int from, int to, struct why why);
/* A packet record's fields, all known before it is appended. */
struct trace_pkt {
    int      kind, host, layer;  /* TK_SEND, TK_RECV or TK_DROP */
    int      src, dst;
    uint32_t pkt, conn;
    uint64_t of;                 /* as in struct trace_rec */
    int      dup, reason;
    int64_t  lost_at;
};
size_t trace_packet(struct trace *tr, int64_t t, const struct trace_pkt *p,
                    struct why why);
/* Links the record to the start it ends (or restarts) by itself. */
size_t trace_timer(struct trace *tr, int64_t t, int host, int layer,
                   uint32_t conn, int name, int action, int64_t due,
                   struct why why);
/* A note: its text is interned, and why_id is the narration that says it
 * (N_NOTE; the sentences are the protocols', narrate.h). */
size_t trace_note(struct trace *tr, int64_t t, int host, const char *text,
                  uint16_t why_id);
size_t trace_app(struct trace *tr, int64_t t, int host, int layer, uint32_t conn,
                 int call, int ret, const uint8_t *data, size_t len,
                 struct why why);

const char *trace_kind_name(int kind);
const char *trace_layer_name(int layer);
const char *timer_name_str(int name);
const char *timer_action_str(int action);
const char *app_call_name(int call);
const char *drop_reason_str(int reason);

/* Name tables (state names and the like): the index of s in names[0..n),
 * where '-' in s may stand for '_' (SYN-SENT for SYN_SENT); -1 if absent.
 * name_of() returns names[i], or "?" out of range. */
int name_index(const char *const *names, int n, const char *s);
const char *name_of(const char *const *names, int n, int i);

/* Formats a duration for people: "0ms", "1.5ms", "20ms", "1s", "2m30s". */
char *fmt_duration(int64_t us, char *buf, size_t n);
/* A point in simulated time for the timeline: "12.345ms" style, fixed width. */
char *fmt_time(int64_t us, char *buf, size_t n);

#endif
