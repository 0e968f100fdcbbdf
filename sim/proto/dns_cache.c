/* dns_cache.c — the resolver's cache: RRsets and negative answers (RFC 2308 5) with absolute expiry times. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dnsint.h"
#include "event.h"
#include "alloc.h"
#include "iheap.h"
#include "narrate.h"
#include "probe.h"

/* ---- resolver: the cache -------------------------------------------- */

void dns_resolver_config_default(struct dns_resolver_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout_us = 2 * US_PER_S;
    c->retries = 2;
    c->max_pending = 64;
    c->max_cache = 512;
    c->max_queries = 32;
}

void dns_resolver_init(struct dns_resolver *r,
                       const struct dns_resolver_config *cfg,
                       const struct dns_env *env)
{
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    if (r->cfg.max_pending < 1)
        r->cfg.max_pending = 1;
    if (r->cfg.max_cache < 1)
        r->cfg.max_cache = 1;
    if (r->cfg.nroots > DNS_MAX_HINTS)
        r->cfg.nroots = DNS_MAX_HINTS;
    r->env = *env;
    r->cache = xrealloc(NULL, (size_t)r->cfg.max_cache * sizeof *r->cache);
    r->cache_ixcap = 16;
    while (r->cache_ixcap < 2 * (size_t)r->cfg.max_cache)
        r->cache_ixcap *= 2;
    r->cache_ix = xcalloc(r->cache_ixcap, sizeof *r->cache_ix);
    r->cache_heap = xrealloc(NULL, (size_t)r->cfg.max_cache * sizeof *r->cache_heap);
    r->pend = xrealloc(NULL, (size_t)r->cfg.max_pending * sizeof *r->pend);
    memset(r->pend, 0, (size_t)r->cfg.max_pending * sizeof *r->pend);
}

void dns_resolver_free(struct dns_resolver *r)
{
    for (int i = 0; i < r->ncache; i++)
        free(r->cache[i].rr);
    for (int i = 0; i < r->cfg.max_pending; i++)
        if (r->pend[i]) {
            free(r->pend[i]->wait);
            free(r->pend[i]);
        }
    free(r->cache);
    free(r->cache_ix);
    free(r->cache_heap);
    free(r->pend);
    memset(r, 0, sizeof *r);
}

/* "prefix:name/TYPE", the name lower-cased so the id is stable. */
uint32_t dns_make_id(struct trace *tr, const char *prefix, const char *name,
                        const char *suffix)
{
    char buf[DNS_NAME_BUF + 64];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s:", prefix);
    for (const char *p = name; *p && n < sizeof buf - 1; p++)
        buf[n++] = (char)dns_lc((unsigned char)*p);
    buf[n] = '\0';
    snprintf(buf + n, sizeof buf - n, "/%s", suffix);
    return dns_intern(tr, buf);
}

uint32_t dns_make_id_type(struct trace *tr, const char *prefix,
                             const char *name, uint16_t type)
{
    char t[16];
    return dns_make_id(tr, prefix, name, dns_type_name(type, t, sizeof t));
}

/* The one place a cache entry changes state. */
static void cache_set_state(struct dns_resolver *r, int64_t now,
                            struct dns_cache_entry *e, int from, int to,
                            struct why why)
{
    if (from == to)
        return;
    if (r->env.tr)
        trace_state(r->env.tr, now, r->env.host, TL_DNS, e->conn, from, to,
                    why);
    e->state = (uint8_t)to;
}

/* Where (name, type) is in the cache's index, or the empty slot where it
 * would go: names compare without regard to case or a trailing dot (RFC
 * 1035 2.3.3), so they hash that way. */
static size_t ix_home(const struct dns_resolver *r, const char *name, uint16_t type)
{
    return (size_t)((dns_name_hash(name) ^ type) * 16777619u) & (r->cache_ixcap - 1);
}

static size_t ix_slot(const struct dns_resolver *r, const char *name, uint16_t type)
{
    size_t j = ix_home(r, name, type);
    for (int k; (k = r->cache_ix[j]) != 0; j = (j + 1) & (r->cache_ixcap - 1))
        if (r->cache[k - 1].type == type && dns_name_eq(r->cache[k - 1].name, name))
            break;
    return j;
}

static int cache_find(const struct dns_resolver *r, const char *name,
                      uint16_t type)
{
    return r->cache_ix[ix_slot(r, name, type)] - 1;
}


/* RFC 1035 3.2.1: TTL is "the time interval that the resource record may
 * be cached before the source of the information should again be
 * consulted".  An entry past its expiry is marked EXPIRED and not used. */
struct dns_cache_entry *dns_cache_get(struct dns_resolver *r, int64_t now,
                                         const char *name, uint16_t type)
{
    int i = cache_find(r, name, type);
    if (i < 0)
        return NULL;
    struct dns_cache_entry *e = &r->cache[i];
    /* a name error covers every type (RFC 2308 5): its sentence says so
     * whole, rather than put a type name in the type's place */
    if (e->state == DNS_CACHED && now >= e->expires)
        cache_set_state(r, now, e, DNS_CACHED, DNS_EXPIRED,
                        e->neg == NEG_NX
                        ? WHY(N_DNS_CACHE_EXPIRED_NX, dns_intern(r->env.tr, e->name),
                              now - e->expires)
                        : WHY(N_DNS_CACHE_EXPIRED, dns_intern(r->env.tr, e->name),
                              dns_intern_type(r->env.tr, e->type), now - e->expires));
    return e->state == DNS_CACHED ? e : NULL;
}

/* Seconds of TTL left now, as served to a stub (RFC 1035 3.2.1: the TTL
 * counts down while a record sits in a cache). */
uint32_t dns_ttl_left(const struct dns_cache_entry *e, int64_t now)
{
    int64_t left = e->expires - now;
    return left > 0 ? (uint32_t)(left / US_PER_S) : 0;
}

/* The expiry heap: cache entries ordered by (expires, index), so that a
 * full cache finds the entry closest to expiry, the first of them in the
 * cache's order, without reading all 512 (that scan, on every insert into
 * a full cache, was 8.5% of the instructions of a run of 10,000 lookups). */
static int expires_before(const void *ctx, int a, int b)
{
    const struct dns_resolver *r = ctx;
    int64_t x = r->cache[a].expires, y = r->cache[b].expires;
    return x < y || (x == y && a < b);
}

static void heap_place(void *ctx, int pos, int i)
{
    struct dns_resolver *r = ctx;
    r->cache_heap[pos] = i;
    r->cache[i].heap_at = pos;
}

static void heap_up(struct dns_resolver *r, int pos)
{
    iheap_up(r->cache_heap, pos, expires_before, heap_place, r);
}

/* n: the heap's size */
static void heap_down(struct dns_resolver *r, int pos, int n)
{
    iheap_down(r->cache_heap, n, pos, expires_before, heap_place, r);
}

static void cache_remove(struct dns_resolver *r, int64_t now, int i,
                         struct why why)
{
    struct dns_cache_entry *e = &r->cache[i];
    cache_set_state(r, now, e, e->state, DNS_ABSENT, why);
    free(e->rr);
    /* out of the index (linear probing's backward shift); the last entry
     * moves into its place, and its slot says so */
    size_t m = r->cache_ixcap - 1, j = ix_slot(r, e->name, e->type);
    r->cache_ix[j] = 0;
    for (size_t k = (j + 1) & m; r->cache_ix[k]; k = (k + 1) & m) {
        const struct dns_cache_entry *o = &r->cache[r->cache_ix[k] - 1];
        if (probe_stays(j, k, ix_home(r, o->name, o->type)))
            continue;
        r->cache_ix[j] = r->cache_ix[k];
        r->cache_ix[k] = 0;
        j = k;
    }
    /* out of the heap: its last element takes the place */
    int n = r->ncache - 1, at = e->heap_at;
    if (at != n) {
        heap_place(r, at, r->cache_heap[n]);
        int moved = r->cache_heap[at];
        heap_up(r, at);
        heap_down(r, r->cache[moved].heap_at, n);
    }
    if (i != --r->ncache) {
        const struct dns_cache_entry *last = &r->cache[r->ncache];
        r->cache_ix[ix_slot(r, last->name, last->type)] = i + 1;
        r->cache[i] = *last;
        /* its index, the tie-break, is smaller now: it can only rise */
        heap_place(r, r->cache[i].heap_at, i);
        heap_up(r, r->cache[i].heap_at);
    }
}

/* Room for one more entry: an expired entry goes first, else the one
 * closest to expiry. */
static void cache_make_room(struct dns_resolver *r, int64_t now)
{
    if (r->ncache < r->cfg.max_cache)
        return;
    /* the heap's top: the earliest expiry, the first in the cache's order
     * among equals.  If it has run out, others may have too (an EXPIRED
     * entry's expiry is past: dns_cache_get marks it so only then), and
     * the first of those in the cache's order goes, as always */
    int victim = r->cache_heap[0];
    if (now >= r->cache[victim].expires)
        for (int i = 0; i < r->ncache; i++) {
            const struct dns_cache_entry *e = &r->cache[i];
            if (e->state == DNS_EXPIRED || now >= e->expires) {
                victim = i;
                break;
            }
        }
    struct dns_cache_entry *v = &r->cache[victim];
    cache_remove(r, now, victim,
                 v->neg == NEG_NX
                 ? WHY(N_DNS_CACHE_EVICT_NX, dns_intern(r->env.tr, v->name))
                 : WHY(N_DNS_CACHE_EVICT, dns_intern(r->env.tr, v->name),
                       dns_intern_type(r->env.tr, v->type)));
}

/* Stores an RRset (or a negative answer) for ttl seconds; glue marks
 * additional-section data.  A valid entry already there is kept as it is
 * (see the notes in dnsint.h), except glue, which an answer replaces. */
static void cache_put(struct dns_resolver *r, int64_t now, const char *name,
                      uint16_t type, int neg, const struct dns_rr *rrs, int n,
                      uint32_t ttl, int glue, struct why why)
{
    /* RFC 1035 3.2.1: "Zero values are interpreted to mean that the RR can
     * only be used for the transaction in progress, and should not be
     * cached." */
    if (ttl == 0 || n <= 0)
        return;
    const struct dns_cache_entry *old = dns_cache_get(r, now, name, type);
    if (old && (glue || !old->glue))
        return;
    if (old)
        /* RFC 2181 5.4.1: glue ranks below "the answer section of an
         * authoritative answer" (and below any answer); data of a higher
         * rank replaces it */
        cache_remove(r, now, (int)(old - r->cache),
                     WHY(N_DNS_CACHE_GLUE_REPLACED, dns_intern(r->env.tr, name),
                         dns_intern_type(r->env.tr, type)));
    int i = cache_find(r, name, type);
    struct dns_cache_entry *e;
    int from = DNS_ABSENT;
    if (i >= 0) {
        e = &r->cache[i];
        from = e->state;
        free(e->rr);
    } else {
        cache_make_room(r, now);
        e = &r->cache[r->ncache++];
        memset(e, 0, sizeof *e);
        e->state = DNS_ABSENT;
        dns_name_copy(e->name, name);
        e->type = type;
        r->cache_ix[ix_slot(r, name, type)] = r->ncache;
        e->conn = neg == NEG_NX ? dns_make_id(r->env.tr, "dns-cache", name, "NXDOMAIN")
                                : dns_make_id_type(r->env.tr, "dns-cache", name, type);
    }
    e->neg = (uint8_t)neg;
    e->glue = (uint8_t)(glue != 0);
    e->ttl = ttl;
    e->stored = now;
    e->expires = now + (int64_t)ttl * US_PER_S;
    e->nrr = n;
    e->rr = xrealloc(NULL, (size_t)n * sizeof *e->rr);
    memcpy(e->rr, rrs, (size_t)n * sizeof *e->rr);
    if (i < 0)                          /* new: into the heap, at the end */
        heap_place(r, r->ncache - 1, r->ncache - 1);
    heap_up(r, e->heap_at);             /* its expiry moved: up, or down */
    heap_down(r, e->heap_at, r->ncache);
    cache_set_state(r, now, e, from, DNS_CACHED, why);
}

void dns_cache_put(struct dns_resolver *r, int64_t now, const char *name,
                   uint16_t type, int neg, const struct dns_rr *rrs, int n,
                   uint32_t ttl, struct why why)
{
    cache_put(r, now, name, type, neg, rrs, n, ttl, 0, why);
}

/* Caches the records of one section that have this owner and type, as one
 * RRset.  RFC 2181 5.2: TTLs in an RRset should agree; use the smallest. */
void dns_cache_rrset(struct dns_resolver *r, int64_t now,
                        const struct dns_rr *sec, int nsec, const char *name,
                        uint16_t type, int glue)
{
    struct dns_rr set[DNS_MAX_RR];
    int n = 0;
    uint32_t ttl = 0;
    for (int i = 0; i < nsec; i++)
        if (sec[i].type == type && dns_name_eq(sec[i].name, name)) {
            set[n] = sec[i];
            if (n == 0 || sec[i].ttl < ttl)
                ttl = sec[i].ttl;
            n++;
        }
    for (int i = 0; i < n; i++)
        set[i].ttl = ttl;
    struct why why = glue
        ? WHY(N_DNS_CACHE_GLUE, dns_intern(r->env.tr, name), (int64_t)ttl * US_PER_S)
        : WHY(N_DNS_CACHE_ADD, dns_intern(r->env.tr, name),
              dns_intern_type(r->env.tr, type), (int64_t)ttl * US_PER_S);
    cache_put(r, now, name, type, NEG_NONE, set, n, ttl, glue, why);
}

void dns_resolver_expire(struct dns_resolver *r, int64_t now)
{
    for (int i = 0; i < r->ncache; i++)
        dns_cache_get(r, now, r->cache[i].name, r->cache[i].type);
}

int dns_resolver_cached(const struct dns_resolver *r, int64_t now,
                        const char *name, uint16_t type, struct dns_rr *out,
                        int max, int *rcode)
{
    int i = cache_find(r, name, 0);
    if (i < 0 || r->cache[i].neg != NEG_NX || now >= r->cache[i].expires)
        i = cache_find(r, name, type);
    if (i < 0 || r->cache[i].state != DNS_CACHED || now >= r->cache[i].expires)
        return 0;
    const struct dns_cache_entry *e = &r->cache[i];
    if (e->neg) {
        if (rcode)
            *rcode = e->neg == NEG_NX ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
        return -1;
    }
    int n = 0;
    for (; n < e->nrr && n < max; n++) {
        out[n] = e->rr[n];
        out[n].ttl = dns_ttl_left(e, now);
    }
    return n;
}
