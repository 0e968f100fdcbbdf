/* dns.h — DNS (RFC 1034/1035/2308): message bytes, an authoritative server, a caching iterative resolver and a stub resolver, all sans-I/O.
 *
 * Three actors, each a small struct driven by the caller:
 *
 *   stub ──RD=1──> resolver ──RD=0──> root, TLD, authoritative servers
 *
 * None of them touches the scheduler, sockets or the screen.  Transport is
 * the caller's job (UDP port 53): the caller decodes the bytes it receives
 * with dns_decode(), hands the struct dns_msg in, and encodes whatever leaves
 * through env.emit with dns_encode().  Every call takes `now` (microseconds);
 * dns_*_deadline() says when to call dns_*_timer() next.
 *
 * Names are text ("www.example.com", the root is "."), compared
 * case-insensitively (RFC 1035 2.3.3) and written as given.  A trailing dot
 * is accepted everywhere and stripped when stored.  A lesson's labels hold
 * printable ASCII other than '.', '\\' and '"' ';' '(' ')' '@' '$'
 * (hostnames never need more); a decoded name may hold any octet (RFC 2181
 * 11), written with RFC 1035 5.1's escapes (dns_name_check below). */
#ifndef PROTOSIM_DNS_H
#define PROTOSIM_DNS_H

#include <stddef.h>
#include <stdint.h>
#include "trace.h"
#include "wire.h"

#define DNS_PORT        53
#define DNS_HDR_LEN     12
#define DNS_UDP_MAX     512     /* RFC 1035 4.2.1: UDP messages are <= 512 octets */
#define DNS_NAME_MAX    255     /* RFC 1035 2.3.4: octets of a name on the wire */
#define DNS_LABEL_MAX   63      /* RFC 1035 2.3.4 */
#define DNS_NAME_BUF    256     /* text form: at most 253 characters + NUL */
#define DNS_MAX_RR      16      /* records per section we carry; more is refused */
#define DNS_RAW_MAX     256     /* rdata of other types kept as raw octets */

/* RFC 1035 3.2.2 / 3.2.4 / 4.1.1 numbers. */
#define DNS_TYPES(X) \
    X(A,     1)  \
    X(NS,    2)  \
    X(CNAME, 5)  \
    X(SOA,   6)  \
    X(PTR,   12) \
    X(MX,    15) \
    X(TXT,   16) \
    X(AAAA,  28) \
    X(OPT,   41) \
    X(ANY,   255)

enum dns_type {
#define X(name, num) DNS_TYPE_##name = num,
    DNS_TYPES(X)
#undef X
};

#define DNS_CLASS_IN 1

#define DNS_RCODES(X) \
    X(NOERROR,  0) \
    X(FORMERR,  1) \
    X(SERVFAIL, 2) \
    X(NXDOMAIN, 3) \
    X(NOTIMP,   4) \
    X(REFUSED,  5)

enum dns_rcode {
#define X(name, num) DNS_RCODE_##name = num,
    DNS_RCODES(X)
#undef X
};

#define DNS_OPCODE_QUERY 0

/* "A", "NS", ... or "TYPE99" (RFC 3597); "IN" or "CLASS3"; "NXDOMAIN" or
 * "RCODE9".  The returned pointer is static or buf. */
const char *dns_type_name(uint16_t type, char *buf, size_t n);
int         dns_type_parse(const char *s);          /* -1 if unknown */
const char *dns_class_name(uint16_t cls, char *buf, size_t n);
const char *dns_rcode_name(int rcode, char *buf, size_t n);

/* ---- names ---------------------------------------------------------- */

/* 0 if `name` is a domain name we can put on the wire (labels 1..63 octets,
 * at most 255 octets encoded, printable ASCII other than '.', '\\' and
 * '"' ';' '(' ')' '@' '$', which master files give a meaning), else
 * -1 with a reason.  Scenario parsers use it to reject bad zone data early.
 * A lesson's names hold no escapes, so they are their own text form; a
 * decoded name (dns_decode) is written in RFC 1035 5.1's presentation
 * format, "\." "\\" "\;" (any of those special characters) and "\DDD"
 * inside a label, which dns_encode reads back.
 * The functions below split a name at every dot: they are for the model's
 * names, not for a captured name holding escapes. */
int  dns_name_check(const char *name, char *err, size_t errlen);
/* Equal ignoring ASCII case and one trailing dot (RFC 1035 2.3.3). */
int  dns_name_eq(const char *a, const char *b);
/* A hash of a name as dns_name_eq compares it: case-folded, without one
 * trailing dot; for the zones', the cache's and the checker's indexes. */
uint32_t dns_name_hash(const char *name);
/* `name` is `zone` or below it ("www.example.com" is in "com" and "."). */
int  dns_name_in(const char *name, const char *zone);
/* Number of labels: "." 0, "com" 1, "www.example.com" 3. */
int  dns_name_labels(const char *name);

/* ---- messages (RFC 1035 4.1) ----------------------------------------- */

struct dns_soa {
    char     mname[DNS_NAME_BUF];    /* primary server */
    char     rname[DNS_NAME_BUF];    /* mailbox, "hostmaster.example.com" */
    uint32_t serial, refresh, retry, expire;
    uint32_t minimum;                /* RFC 2308 4: the negative-caching TTL */
};

/* A resource record (RFC 1035 3.2.1, 4.1.3).  Which member of rd is
 * meaningful depends on type: A -> a; NS, CNAME, PTR -> target; SOA -> soa;
 * any other type -> raw (RFC 3597 "unknown type" octets). */
struct dns_rr {
    char     name[DNS_NAME_BUF];
    uint16_t type, cls;
    uint32_t ttl;                    /* seconds */
    union {
        ip4_addr a;
        char     target[DNS_NAME_BUF];
        struct dns_soa soa;
        struct { uint16_t len; uint8_t b[DNS_RAW_MAX]; } raw;
    } rd;
};

/* One message with at most one question (what every real query carries). */
struct dns_msg {
    uint16_t id;
    uint8_t  qr, opcode, aa, tc, rd, ra, z, rcode;   /* RFC 1035 4.1.1 */
    uint8_t  qdcount;                /* 0 or 1 */
    char     qname[DNS_NAME_BUF];
    uint16_t qtype, qclass;
    int      nan, nns, nar;          /* answer, authority, additional */
    struct dns_rr an[DNS_MAX_RR], ns[DNS_MAX_RR], ar[DNS_MAX_RR];
};

/* Empties m: the header, the question and the three counts are zeroed;
 * the records (an, ns, ar) are not touched, as only the first nan, nns
 * and nar of them mean anything.  The cost is the same for every message,
 * not the ~38 KB of the whole struct (dns_decode, dns_query_init and the
 * server ran a memset of it per message: 14% of a run of many lookups). */
void dns_msg_clear(struct dns_msg *m);
/* Copies what src holds (header, question, the records its counts cover). */
void dns_msg_copy(struct dns_msg *dst, const struct dns_msg *src);

/* An empty query (dns_msg_clear): id, RD, one question of class IN. */
void dns_query_init(struct dns_msg *m, uint16_t id, const char *qname,
                    uint16_t qtype, int rd);

/* Record builders (name and target are copied; trailing dots stripped). */
void dns_rr_a(struct dns_rr *rr, const char *name, uint32_t ttl, ip4_addr a);
void dns_rr_ns(struct dns_rr *rr, const char *name, uint32_t ttl,
               const char *target);
void dns_rr_cname(struct dns_rr *rr, const char *name, uint32_t ttl,
                  const char *target);
void dns_rr_soa(struct dns_rr *rr, const char *name, uint32_t ttl,
                const char *mname, const char *rname, uint32_t serial,
                uint32_t refresh, uint32_t retry, uint32_t expire,
                uint32_t minimum);

/* RFC 1035 4.1 bytes, with name compression (4.1.4) on every name written
 * (owners, and the names inside NS, CNAME, PTR and SOA rdata).  Returns the
 * length written, or 0 if cap is too small or a name is invalid. */
size_t dns_encode(const struct dns_msg *m, uint8_t *buf, size_t cap);
/* RFC 1035 4.2.1: a message carried by UDP is at most DNS_UDP_MAX (512)
 * octets.  Makes m fit: first leaves out records of the additional section,
 * last first, which needs no TC bit (RFC 2181 9); if that is not enough,
 * leaves out authority then answer records, last first, and sets TC=1.
 * Returns the size m had whole, 0 when it fitted as it was (or cannot be
 * encoded at all); *ar_out and *rr_out count the records left out. */
size_t dns_fit_udp(struct dns_msg *m, int *ar_out, int *rr_out);
/* Strict decoder (m is emptied first with dns_msg_clear, and each record
 * it reads is zeroed before it is filled): every length checked, compression pointers must point
 * before every octet of the name read so far (so no loops), names <= 255
 * octets, labels <= 63, no octets after the last record.  Returns 0, or -1
 * with a reason in err.  Never reads outside buf[0..len). */
int    dns_decode(const uint8_t *buf, size_t len, struct dns_msg *m,
                  char *err, size_t errlen);

/* Master-file-like text (RFC 1035 5.1):
 * "www.example.com. 300 IN A 203.0.113.80". */
char *dns_rr_str(const struct dns_rr *rr, char *buf, size_t n);
/* The inverse of dns_rr_str for A, NS, CNAME and SOA ("IN" optional):
 * 0, or -1 with a reason.  For zone data written in scenario files. */
int   dns_rr_parse(const char *text, struct dns_rr *rr, char *err, size_t n);
/* The same; *bad is the byte offset in text of the token at fault (0 when
 * the record as a whole is wrong), so a parser can point at it. */
int   dns_rr_parse_at(const char *text, struct dns_rr *rr, char *err, size_t n,
                      size_t *bad);
/* One line for a sequence-diagram arrow:
 *   "A? www.example.com"                       a query
 *   "A www.example.com = 203.0.113.80"         an answer
 *   "referral example.com NS ns1.example.com + glue 203.0.113.53"
 *   "NXDOMAIN www.nope.example", "NODATA AAAA www.example.com",
 *   "SERVFAIL www.example.com"                 failures */
char *dns_summary(const struct dns_msg *m, char *buf, size_t n);
/* What a reply holds, the one reading dns_summary and the quiz share:
 * an error RCODE (NXDOMAIN apart), NXDOMAIN, an answer, a referral (RFC
 * 1034 4.3.2: no answer, not authoritative, NS records of a zone closer
 * to the name) or, with none of these, no data (RFC 2308 2.2).  -1 for a
 * query. */
enum dns_reply_kind { DNS_REPLY_ERROR, DNS_REPLY_NXDOMAIN, DNS_REPLY_ANSWER,
                      DNS_REPLY_REFERRAL, DNS_REPLY_NODATA };
int   dns_reply_kind(const struct dns_msg *m);

/* ---- states (trace layer TL_DNS) -------------------------------------
 *
 * Three kinds of trace "connection" share this list, told apart by the
 * prefix of their interned id:
 *   "dns:NAME/TYPE"          a resolver's walk for one question:
 *                            IDLE -> CHECK_CACHE -> ASKING_ROOT ->
 *                            ASKING_TLD -> ASKING_AUTH -> ANSWERED | FAILED
 *                            (a later lookup starts again at CHECK_CACHE)
 *   "dns-cache:NAME/TYPE"    one cached RRset, or a negative answer
 *   "dns-cache:NAME/NXDOMAIN"  (RFC 2308): ABSENT -> CACHED -> EXPIRED,
 *                            EXPIRED -> CACHED when refreshed, -> ABSENT
 *                            when evicted
 *   "dns-stub:NAME/TYPE"     a stub lookup: IDLE -> ASKING_RESOLVER ->
 *                            ANSWERED | FAILED ("...#2", "#3" for a lookup
 *                            made while others of the same question are
 *                            in flight on that stub)
 * ASKING_ROOT/TLD/AUTH say whose servers the resolver is asking: the root
 * zone, a one-label zone ("com"), or anything deeper. */
#define DNS_STATES(X) \
    X(IDLE)            \
    X(CHECK_CACHE)     \
    X(ASKING_ROOT)     \
    X(ASKING_TLD)      \
    X(ASKING_AUTH)     \
    X(ASKING_RESOLVER) \
    X(ANSWERED)        \
    X(FAILED)          \
    X(ABSENT)          \
    X(CACHED)          \
    X(EXPIRED)

enum dns_state {
#define X(s) DNS_##s,
    DNS_STATES(X)
#undef X
    DNS_NSTATES
};

const char *dns_state_name(int s);          /* "ASKING_TLD" */
int         dns_state_parse(const char *s); /* -1 if unknown; '-' for '_' ok */

/* ---- authoritative server (RFC 1034 4.3.2) --------------------------- */

/* The data one name server holds: records of one or more zones, and the
 * apexes of the zones it is authoritative for.  A root server is a zone with
 * apex "." holding "com. NS ..." delegations and their glue. */
struct dns_zone {
    char (*apex)[DNS_NAME_BUF];
    int    napex, capapex;
    /* the apexes by name (dns_server.c): apex i + 1, 0 an empty slot; a
     * power of two, at most half full */
    int   *apexix;
    size_t capapexix;
    struct dns_rr *rr;
    int    nrr, caprr;
    /* Its names (dns_server.c): every owner name and every name above one,
     * each with the records it owns, so that an answer looks up the names
     * it needs instead of reading the whole zone. */
    struct dns_node *node;
    size_t nnode, capnode;      /* a power of two, at most half full */
    int   *next_rr;             /* per record: the next one of its owner */
};

void dns_zone_init(struct dns_zone *z);
void dns_zone_free(struct dns_zone *z);
int  dns_zone_add_apex(struct dns_zone *z, const char *apex);  /* 0 / -1 */
int  dns_zone_add(struct dns_zone *z, const struct dns_rr *rr); /* 0 / -1 */

/* What dns_server_answer() did. */
#define DNS_SRV_OUTCOMES(X) \
    X(ANSWER)   \
    X(REFERRAL) \
    X(NXDOMAIN) \
    X(NODATA)   \
    X(REFUSED)  \
    X(FORMERR)  \
    X(NOTIMP)   \
    X(CNAME_OUT)      /* the CNAME chain leaves every zone served here */ \
    X(CNAME_NODATA)   /* it ends at a name with no data of the type */ \
    X(CNAME_REFERRAL) /* it ends in a zone delegated away */

enum dns_srv_outcome {
#define X(o) DNS_SRV_##o,
    DNS_SRV_OUTCOMES(X)
#undef X
};

/* Builds the response to `q` from zone data alone (no recursion, RA=0):
 * AA answer (following CNAMEs inside the data), referral with glue,
 * NXDOMAIN or NODATA with the SOA, or REFUSED outside every apex.  Returns
 * the outcome. */
int dns_server_answer(const struct dns_zone *z, const struct dns_msg *q,
                      struct dns_msg *r);
/* The narration for sending that response (interns names in tr). */
struct why dns_server_why(struct trace *tr, const struct dns_msg *q,
                          const struct dns_msg *r, int outcome);

/* ---- caching iterative resolver (RFC 1034 5.3.3) ----------------------- */

#define DNS_MAX_HINTS   13

struct dns_resolver_config {
    ip4_addr roots[DNS_MAX_HINTS];   /* root hints: the root servers' addresses */
    int      nroots;
    int64_t  timeout_us;     /* per query sent; default 2 s */
    int      retries;        /* resends to the same server before the next; default 2 */
    int      max_pending;    /* questions in progress; default 64 */
    int      max_cache;      /* cached RRsets; default 512 */
    int      max_queries;    /* queries one question may cost; default 32 */
};

void dns_resolver_config_default(struct dns_resolver_config *c);

/* What the resolver may reach outside itself. */
struct dns_env {
    struct trace *tr;        /* may be NULL: no trace */
    int           host;
    /* Send m to dst:dport.  Queries to servers (qr=0) go to port 53 from a
     * port of the caller's choosing; responses to a stub (qr=1) go to the
     * stub's address and port, from port 53.  emit must not call back into
     * the resolver (deliver through the event queue, as the network does). */
    void (*emit)(void *ctx, ip4_addr dst, uint16_t dport,
                 const struct dns_msg *m, struct why why);
    /* A 16-bit query id (the simulator draws it from its seeded PRNG). */
    uint16_t (*next_id)(void *ctx);
    void *ctx;
};

struct dns_cache_entry;
struct dns_pending;
struct dns_walkstate { uint32_t conn; uint8_t state; };

struct dns_resolver {
    struct dns_resolver_config cfg;
    struct dns_env env;
    struct dns_cache_entry *cache;   /* cfg.max_cache slots */
    int    ncache;
    int   *cache_ix;                 /* by name and type: index + 1 into
                                        cache, 0 empty (open addressing) */
    size_t cache_ixcap;              /* a power of two, >= 2 max_cache */
    int   *cache_heap;               /* the ncache entries' indexes, a binary
                                        min-heap on (expires, index): the
                                        victim of a full cache at its top */
    struct dns_pending **pend;       /* cfg.max_pending slots, NULL = free */
    struct dns_walkstate walks[64];  /* last state of each recent walk id */
    int    nwalks, walknext;
    uint64_t queries_sent, cache_hits;
};

void dns_resolver_init(struct dns_resolver *r,
                       const struct dns_resolver_config *cfg,
                       const struct dns_env *env);
void dns_resolver_free(struct dns_resolver *r);

/* A stub's query arrived from client:cport.  Answers from the cache at once,
 * starts a walk, or waits for the walk of the same question.  Returns 0;
 * DNS_QUERY_DUP for a retransmission of a query in progress (the same
 * client, port and id), which its walk will answer, so the copy is set
 * aside and the caller records that; -1 if it is not a query. */
#define DNS_QUERY_DUP 1
int  dns_resolver_query(struct dns_resolver *r, int64_t now, ip4_addr client,
                        uint16_t cport, const struct dns_msg *q);
/* A server's response arrived from `server`.  Returns 0 if it matched a
 * query in progress (id, server and question), -1 if it was ignored. */
int  dns_resolver_response(struct dns_resolver *r, int64_t now,
                           ip4_addr server, const struct dns_msg *m);
int64_t dns_resolver_deadline(const struct dns_resolver *r);   /* -1: none */
void dns_resolver_timer(struct dns_resolver *r, int64_t now);
/* Marks every entry whose TTL has run out EXPIRED now (otherwise that is
 * noticed, and traced, when a lookup touches the entry). */
void dns_resolver_expire(struct dns_resolver *r, int64_t now);

/* Looks up a cached RRset without touching the trace: returns the number of
 * records copied into out (at most max) with TTLs as they would be served
 * now, 0 if absent or expired, -1 if a negative answer is cached
 * (*rcode = NXDOMAIN or NOERROR for NODATA). */
int  dns_resolver_cached(const struct dns_resolver *r, int64_t now,
                         const char *name, uint16_t type,
                         struct dns_rr *out, int max, int *rcode);

/* ---- stub resolver (RFC 1034 5.3.1) ----------------------------------- */

#define DNS_STUB_MAX 8               /* lookups in flight at once */

struct dns_stub_config {
    ip4_addr server;         /* the recursive resolver */
    int64_t  timeout_us;     /* default 5 s (glibc's resolv.conf default) */
    int      retries;        /* resends; default 1 (glibc: attempts 2) */
};

void dns_stub_config_default(struct dns_stub_config *c);

/* How a lookup ended. */
struct dns_stub_result {
    const char *name;
    uint16_t type;
    int      rcode;          /* DNS_RCODE_*, or -1: no reply at all */
    int      naddr;          /* A records at the end of any CNAME chain */
    ip4_addr addr[DNS_MAX_RR];
    uint32_t ttl;            /* smallest TTL of those records */
    const struct dns_msg *msg;   /* the reply; NULL when rcode is -1 */
};

struct dns_stub;
struct dns_stub_env {
    struct trace *tr;
    int           host;
    void (*emit)(void *ctx, ip4_addr dst, uint16_t dport,
                 const struct dns_msg *m, struct why why);
    uint16_t (*next_id)(void *ctx);
    void (*done)(void *ctx, struct dns_stub *s, int handle,
                 const struct dns_stub_result *res);
    void *ctx;
};

struct dns_stub_lookup {
    int      used;
    char     name[DNS_NAME_BUF];
    uint16_t type, id;
    int      tries;
    int64_t  due;
    uint32_t conn;
    uint8_t  nth;            /* 1, or N of the id "dns-stub:NAME/TYPE#N" */
};

struct dns_stub {
    struct dns_stub_config cfg;
    struct dns_stub_env env;
    struct dns_stub_lookup q[DNS_STUB_MAX];
    struct dns_walkstate walks[32];
    int    nwalks, walknext;
};

void dns_stub_init(struct dns_stub *s, const struct dns_stub_config *cfg,
                   const struct dns_stub_env *env);
void dns_stub_free(struct dns_stub *s);
/* Starts a lookup: sends a query with RD=1 to cfg.server.  Returns a handle
 * (0..DNS_STUB_MAX-1) passed back to env.done, or -1 if the name is invalid
 * or too many lookups are in flight. */
int  dns_stub_resolve(struct dns_stub *s, int64_t now, const char *name,
                      uint16_t type);
/* A reply arrived from `from`; 0 if it matched a lookup, -1 if ignored. */
int  dns_stub_response(struct dns_stub *s, int64_t now, ip4_addr from,
                       const struct dns_msg *m);
int64_t dns_stub_deadline(const struct dns_stub *s);
void dns_stub_timer(struct dns_stub *s, int64_t now);

#endif
