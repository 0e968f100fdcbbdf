/* dnsint.h — internals shared by the DNS files: message bytes (RFC 1035 4.1)
 * in dns_msg.c and dns_text.c, an authoritative server (RFC 1034 4.3.2) in
 * dns_server.c, a caching iterative resolver (RFC 1034 5.3.3, RFC 2308) in
 * dns_cache.c and dns_resolver.c, and a stub resolver in dns_stub.c.
 *
 * Shape: names and text forms; the encoder and the strict decoder; the
 * server, a pure function from zone data and a query to a response; the
 * resolver, whose pending questions walk root -> TLD -> authoritative and
 * whose cache holds RRsets with absolute expiry times; the stub.  Every
 * state change goes through walk_set() or cache_set_state(), which append
 * the trace record; every message leaves through env.emit.
 *
 * Simplifications, stated honestly:
 *  - A lesson's labels hold printable ASCII other than '.', '\\' and the
 *    characters master files quote ('"' ';' '(' ')' '@' '$'); hostnames
 *    (RFC 1123 2.1) never need them.  A decoded label may hold any octet,
 *    shown with RFC 1035 5.1's escapes ("\.", "\;", "\032"), which the
 *    encoder reads back.
 *  - One question per message (every real query has one); at most
 *    DNS_MAX_RR records per section.  A reply longer than UDP's 512
 *    octets (RFC 1035 4.2.1) is cut by dns_fit_udp when it leaves (glue
 *    first, without TC; then records, with TC=1); there is no EDNS(0).
 *    A reply with TC=1 is treated as a failed server (no retry over TCP);
 *    the stub, which has one server, fails the lookup (RFC 2181 9: a
 *    truncated reply is ignored, never read as the answer).
 *  - The server has no wildcards (RFC 1034 4.3.3) and does not add its own
 *    NS records to the authority section of positive answers.
 *  - The resolver ignores RD=0 from a stub (it always recurses), asks one
 *    server at a time, never queries in parallel, and ranks data by
 *    credibility (RFC 2181 5.4.1) in two steps only: glue (the additional
 *    section of a referral) is used to reach servers but never answers a
 *    stub, and an answer's RRset replaces glue for the same name; any
 *    other valid cached RRset is kept until it expires and newer copies
 *    are ignored.  Glue is accepted only for names
 *    inside the zone of the server that sent it (its "bailiwick").
 *  - Glueless delegations are handled: when no address is known for any of
 *    a zone's servers, the resolver looks up the address of one name server
 *    first (a nested walk with its own trace id), then goes on.  A server
 *    named inside the zone it serves can only be reached through glue
 *    (RFC 1034 4.2.1); if none came, the question fails with SERVFAIL.
 *  - One walk per question: a stub's question that arrives while the
 *    same name and type are being walked (for another stub, or for a
 *    server's address) waits for that walk to end, then is answered
 *    from the cache like any later question (RFC 1034 5.3.3 leaves this
 *    open; real resolvers merge such queries too).  Each walk id
 *    ("dns:NAME/TYPE") thus has one walk at a time, and its states read
 *    as one story.
 *  - The last state of each walk id is remembered in a ring of 64 (32 for
 *    a stub): after that many other names, a name's next walk starts its
 *    trace story again from IDLE.
 *  - Cache expiry is lazy: an entry is marked EXPIRED when a lookup
 *    touches it (or when the caller runs dns_resolver_expire()), so the
 *    resolver never asks to be woken for a TTL.
 */
#ifndef PROTOSIM_DNSINT_H
#define PROTOSIM_DNSINT_H

#include "dns.h"

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
    uint8_t  glue;           /* from a referral's additional section */
    uint32_t conn;           /* "dns-cache:www.example.com/A" */
    uint32_t ttl;            /* seconds, as stored */
    int64_t  stored, expires;
    int      heap_at;        /* where its index is in resolver.cache_heap */
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

/* A stub's question that arrived while the same question (name, type)
 * was being walked: it waits for that walk, then is looked up in the
 * cache, so one walk, with its one trace id, tells one story. */
struct dns_waiter {
    ip4_addr client;
    uint16_t cport, cid;
    uint8_t  crd;
    int64_t  since;                  /* when it arrived */
    char     qname[DNS_NAME_BUF];    /* as that stub asked */
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
    struct dns_waiter *wait;         /* the same question from other stubs */
    int      nwait;
    int      nan;
    /* last, so that a new question zeroes everything before it alone */
    struct dns_rr an[DNS_MAX_RR];    /* CNAMEs and data gathered for the reply */
};

/* Entries in a walk-state ring (struct dns_walkstate[]). */
#define NWALKS(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* Trace string ids; a NULL trace (tests, --real) interns nothing. */
static inline uint32_t dns_intern(struct trace *tr, const char *s)
{
    return tr ? trace_intern(tr, s) : 0;
}

static inline uint32_t dns_intern_type(struct trace *tr, uint16_t type)
{
    char t[16];
    return dns_intern(tr, dns_type_name(type, t, sizeof t));
}

/* dns_msg.c: names and the message codec */
int dns_lc(int c);
size_t dns_core_len(const char *s);
void dns_name_copy(char *dst, const char *src);
const char *dns_name_parent(const char *name);
const char *dns_fqdn(const char *name, char *buf, size_t n);
int dns_type_has_name(uint16_t type);

/* dns_cache.c: the resolver's cache and trace ids */
uint32_t dns_make_id(struct trace *tr, const char *prefix, const char *name, const char *suffix);
uint32_t dns_make_id_type(struct trace *tr, const char *prefix, const char *name, uint16_t type);
struct dns_cache_entry *dns_cache_get(struct dns_resolver *r, int64_t now, const char *name, uint16_t type);
uint32_t dns_ttl_left(const struct dns_cache_entry *e, int64_t now);
void dns_cache_rrset(struct dns_resolver *r, int64_t now, const struct dns_rr *sec, int nsec, const char *name, uint16_t type, int glue);
void dns_cache_put(struct dns_resolver *r, int64_t now, const char *name, uint16_t type, int neg, const struct dns_rr *rrs, int n, uint32_t ttl, struct why why);

/* dns_resolver.c: walk states, shared with the stub */
int dns_walk_get(const struct dns_walkstate *w, int n, uint32_t conn);
void dns_walk_put(struct dns_walkstate *w, int *n, int *next, int cap, uint32_t conn, int state);

#endif
