/* dns_resolver.c — the caching iterative resolver (RFC 1034 5.3.3): pending questions walk root -> TLD -> authoritative. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dnsint.h"
#include "event.h"
#include "alloc.h"
#include "narrate.h"

/* ---- resolver: walks ------------------------------------------------ */

int dns_walk_get(const struct dns_walkstate *w, int n, uint32_t conn)
{
    for (int i = 0; i < n; i++)
        if (w[i].conn == conn)
            return w[i].state;
    return DNS_IDLE;
}

/* Remembers the last state of each recent walk id (a small ring), so a
 * second look-up of a name continues that id's story in the trace. */
void dns_walk_put(struct dns_walkstate *w, int *n, int *next, int cap,
                     uint32_t conn, int state)
{
    for (int i = 0; i < *n; i++)
        if (w[i].conn == conn) {
            w[i].state = (uint8_t)state;
            return;
        }
    int i = *n < cap ? (*n)++ : *next;
    *next = (i + 1) % cap;
    w[i].conn = conn;
    w[i].state = (uint8_t)state;
}

/* The one place a resolver walk changes state. */
static void walk_set(struct dns_resolver *r, int64_t now, uint32_t conn,
                     int to, struct why why)
{
    int from = dns_walk_get(r->walks, r->nwalks, conn);
    if (from == to)
        return;
    if (r->env.tr)
        trace_state(r->env.tr, now, r->env.host, TL_DNS, conn, from, to, why);
    dns_walk_put(r->walks, &r->nwalks, &r->walknext, NWALKS(r->walks), conn, to);
}

static int level_state(const char *zone)
{
    int k = dns_name_labels(zone);
    return k == 0 ? DNS_ASKING_ROOT : k == 1 ? DNS_ASKING_TLD : DNS_ASKING_AUTH;
}

static void timer_rec(struct dns_resolver *r, int64_t now, uint32_t conn,
                      int action, int64_t due, struct why why)
{
    if (r->env.tr)
        trace_timer(r->env.tr, now, r->env.host, TL_DNS, conn, TM_DNS, action,
                    due, why);
}

static void pend_free(struct dns_resolver *r, int i)
{
    struct dns_pending *p = r->pend[i];
    free(p->wait);
    /* a nested look-up still running for this question is orphaned: it
     * finishes on its own and caches what it learns */
    for (int k = 0; k < r->cfg.max_pending; k++)
        if (r->pend[k] && r->pend[k]->parent == i)
            r->pend[k]->parent = -1;
    free(p);
    r->pend[i] = NULL;
}

/* Zeroes a new question, all but its answer records (the last member,
 * ~13 KB): only the first nan of them are ever read. */
static void pend_clear(struct dns_pending *p)
{
    memset(p, 0, offsetof(struct dns_pending, an));
}

/* The walk in progress for the question (name, type), if any. */
static struct dns_pending *walk_of(struct dns_resolver *r, const char *qname,
                                   uint16_t qtype)
{
    for (int k = 0; k < r->cfg.max_pending; k++) {
        struct dns_pending *o = r->pend[k];
        if (o && o->qtype == qtype && dns_name_eq(o->qname, qname))
            return o;
    }
    return NULL;
}

static void an_add(struct dns_pending *p, const struct dns_rr *rr, uint32_t ttl)
{
    if (p->nan < DNS_MAX_RR) {
        p->an[p->nan] = *rr;
        p->an[p->nan].ttl = ttl;
        p->nan++;
    }
}

/* Is `target` already a name of p's chain of aliases -- the name asked, or
 * the owner of a CNAME followed -- so that following it would loop? */
static int cname_loops(const struct dns_pending *p, const char *target)
{
    if (dns_name_eq(target, p->qname))
        return 1;
    for (int k = 0; k < p->nan; k++)
        if (p->an[k].type == DNS_TYPE_CNAME && dns_name_eq(p->an[k].name, target))
            return 1;
    return 0;
}

static void finish(struct dns_resolver *r, int i, int64_t now, int rcode,
                   const struct dns_rr *soa);
static void run_waiters(struct dns_resolver *r, int i, int64_t now);
static int query_start(struct dns_resolver *r, int64_t now, ip4_addr client,
                       uint16_t cport, const struct dns_msg *q, int64_t since);
static void step1(struct dns_resolver *r, int i, int64_t now);

static void fail(struct dns_resolver *r, int i, int64_t now, struct why why)
{
    walk_set(r, now, r->pend[i]->conn, DNS_FAILED, why);
    finish(r, i, now, DNS_RCODE_SERVFAIL, NULL);
}

/* Sends the question to serv[cur] (RFC 1034 5.3.3 step 3). */
static void send_query(struct dns_resolver *r, int i, int64_t now,
                       struct why why)
{
    struct dns_pending *p = r->pend[i];
    if (p->queries >= r->cfg.max_queries) {
        fail(r, i, now, WHY(N_DNS_FAIL_LIMIT, p->queries));
        return;
    }
    if (p->tries == 0)
        p->id = r->env.next_id(r->env.ctx);
    p->tries++;
    p->queries++;
    r->queries_sent++;
    struct dns_msg *q = xrealloc(NULL, sizeof *q);
    /* RFC 1034 5.3.3: an iterative query, RD clear */
    dns_query_init(q, p->id, p->sname, p->qtype, 0);
    ip4_addr to = p->serv[p->cur].addr;
    p->serv[p->cur].asked = 1;
    r->env.emit(r->env.ctx, to, DNS_PORT, q, why);
    free(q);
    p->due = now + r->cfg.timeout_us;
    timer_rec(r, now, p->conn, TA_START, p->due,
              WHY(N_DNS_TMR_START, r->cfg.timeout_us, to));
}

static int start_child(struct dns_resolver *r, int parent, int64_t now,
                       const char *name);

/* Picks the next server to ask: one with an address, else looks up the
 * address of one without (a glueless delegation).  Returns 1 when a server
 * is ready in serv[cur], 0 when a nested look-up is running, -1 when no
 * server is left (and why names the reason). */
static int pick_server(struct dns_resolver *r, int i, int64_t now,
                       struct why *why)
{
    struct dns_pending *p = r->pend[i];
    for (int k = 0; k < p->nserv; k++)
        if (!p->serv[k].dead && p->serv[k].addr) {
            p->cur = k;
            p->tries = 0;
            return 1;
        }
    int noglue = 0, asked = 0;
    for (int k = 0; k < p->nserv; k++)
        asked |= p->serv[k].asked;
    for (int k = 0; k < p->nserv; k++) {
        struct dns_server_ref *s = &p->serv[k];
        if (s->dead || s->addr)
            continue;
        if (s->resolving)
            return 0;
        if (dns_name_in(s->name, p->zone)) {
            /* RFC 1034 4.2.1: a server named inside the zone it serves can
             * only be found through glue in the parent */
            s->dead = 1;
            noglue = 1;
            continue;
        }
        if (p->depth >= MAX_DEPTH)
            continue;
        s->resolving = 1;
        if (start_child(r, i, now, s->name) == 0)
            return 0;
        s->resolving = 0;
        s->dead = 1;
    }
    /* RFC 1034 5.3.3 step 4d: every server is gone; the sentence gives
     * the reason: servers asked in vain, in-zone servers without glue, or
     * servers whose addresses could not be found */
    uint32_t z = dns_intern(r->env.tr, p->zone);
    *why = asked ? WHY(N_DNS_FAIL_SERVERS, z)
         : noglue ? WHY(N_DNS_FAIL_NOGLUE, z)
         : WHY(N_DNS_FAIL_NOADDR, z);
    return -1;
}

/* The walk enters a new SLIST: say so, then send (or look up an address). */
static void enter_slist(struct dns_resolver *r, int i, int64_t now,
                        struct why state_why)
{
    struct dns_pending *p = r->pend[i];
    walk_set(r, now, p->conn, level_state(p->zone), state_why);
    struct why why;
    int k = pick_server(r, i, now, &why);
    if (k < 0) {
        fail(r, i, now, why);
    } else if (k > 0) {
        p = r->pend[i];
        send_query(r, i, now, WHY(N_DNS_Q_ITER, p->serv[p->cur].addr,
                                  dns_intern(r->env.tr, p->sname),
                                  dns_intern_type(r->env.tr, p->qtype)));
    }
}


static void slist_add(struct dns_pending *p, const char *name, ip4_addr addr)
{
    if (p->nserv >= MAX_SLIST)
        return;
    struct dns_server_ref *s = &p->serv[p->nserv++];
    memset(s, 0, sizeof *s);
    if (*name)
        dns_name_copy(s->name, name);
    s->addr = addr;
}

/* Builds the SLIST for `zone` from its NS records (RFC 1034 5.3.2): each
 * server's addresses from the glue in the referral `ref` — accepted only
 * for names inside `bailiwick`, the zone of the server that sent it — or
 * else from the cache; address 0 when none is known. */
static void slist_build(struct dns_resolver *r, int64_t now,
                        struct dns_pending *p, const char *zone,
                        const struct dns_rr *ns, int nns,
                        const struct dns_msg *ref, const char *bailiwick)
{
    dns_name_copy(p->zone, zone);
    p->nserv = p->cur = p->tries = 0;
    for (int k = 0; k < nns; k++) {
        if (ns[k].type != DNS_TYPE_NS || !dns_name_eq(ns[k].name, zone))
            continue;
        const char *t = ns[k].rd.target;
        int got = 0;
        if (ref && dns_name_in(t, bailiwick))
            for (int j = 0; j < ref->nar; j++)
                if (ref->ar[j].type == DNS_TYPE_A &&
                    dns_name_eq(ref->ar[j].name, t)) {
                    slist_add(p, t, ref->ar[j].rd.a);
                    got++;
                }
        if (!got) {
            struct dns_cache_entry *e = dns_cache_get(r, now, t, DNS_TYPE_A);
            for (int j = 0; e && j < e->nrr; j++, got++)
                slist_add(p, t, e->rr[j].rd.a);
        }
        if (!got)
            slist_add(p, t, 0);
    }
}

/* Can any server in the SLIST be reached, now or after a look-up? */
static int slist_usable(const struct dns_pending *p)
{
    for (int k = 0; k < p->nserv; k++)
        if (p->serv[k].addr || !dns_name_in(p->serv[k].name, p->zone))
            return 1;
    return 0;
}

static const struct dns_server_ref *slist_first(const struct dns_pending *p)
{
    for (int k = 0; k < p->nserv; k++)
        if (p->serv[k].addr)
            return &p->serv[k];
    return &p->serv[0];
}

/* RFC 1034 5.3.3 step 2: "Find the best servers to ask." — the closest
 * ancestor of SNAME whose NS records are cached, else the root hints. */
static void step2(struct dns_resolver *r, int i, int64_t now)
{
    struct dns_pending *p = r->pend[i];
    char zone[DNS_NAME_BUF], skipped[DNS_NAME_BUF] = "";
    for (const char *z = p->sname;; z = dns_name_parent(z)) {
        struct dns_cache_entry *e = dns_cache_get(r, now, z, DNS_TYPE_NS);
        if (e) {
            dns_name_copy(zone, e->name);
            if (!*skipped)
                dns_name_copy(skipped, e->name);
            slist_build(r, now, p, zone, e->rr, e->nrr, NULL, NULL);
            if (slist_usable(p)) {
                const struct dns_server_ref *s = slist_first(p);
                enter_slist(r, i, now, s->addr
                            ? WHY(N_DNS_ASK_CACHED, dns_intern(r->env.tr, zone),
                                  dns_intern(r->env.tr, s->name), s->addr)
                            : WHY(N_DNS_ASK_CACHED_NOADDR,
                                  dns_intern(r->env.tr, zone)));
                return;
            }
        }
        if (dns_core_len(z) == 0)
            break;
    }
    strcpy(p->zone, ".");
    p->nserv = p->cur = p->tries = 0;
    for (int k = 0; k < r->cfg.nroots; k++)
        slist_add(p, "", r->cfg.roots[k]);
    if (p->nserv == 0) {
        fail(r, i, now, WHY0(N_DNS_FAIL_NOHINTS));
        return;
    }
    /* "nothing closer is cached" only when it is so: a cached delegation
     * whose servers cannot be reached is another reason to start over */
    enter_slist(r, i, now, *skipped
                ? WHY(N_DNS_ASK_ROOT_UNUSABLE, dns_intern(r->env.tr, skipped),
                      p->serv[0].addr)
                : WHY(N_DNS_ASK_ROOT, p->serv[0].addr));
}

/* RFC 1034 5.3.3 step 1: "See if the answer is in local information, and
 * if so return it to the client." — following cached CNAMEs. */
static void step1(struct dns_resolver *r, int i, int64_t now)
{
    struct dns_pending *p = r->pend[i];
    struct trace *tr = r->env.tr;
    for (;;) {
        struct dns_cache_entry *e = dns_cache_get(r, now, p->sname, 0);
        if (e && e->neg == NEG_NX) {
            struct dns_rr soa = e->rr[0];
            soa.ttl = dns_ttl_left(e, now);
            walk_set(r, now, p->conn, DNS_ANSWERED,
                     WHY(N_DNS_CACHE_HIT_NX, dns_intern(tr, p->sname), soa.ttl));
            finish(r, i, now, DNS_RCODE_NXDOMAIN, &soa);
            return;
        }
        e = dns_cache_get(r, now, p->sname, p->qtype);
        /* RFC 2181 5.4.1: data from the additional section "should not be
         * cached in such a way that they would ever be returned as answers
         * to a received query": glue serves the walk (a look-up of a
         * server's address may use it), never a stub */
        if (e && e->glue && !p->internal)
            e = NULL;
        if (e && e->neg == NEG_NODATA) {
            struct dns_rr soa = e->rr[0];
            soa.ttl = dns_ttl_left(e, now);
            walk_set(r, now, p->conn, DNS_ANSWERED,
                     WHY(N_DNS_CACHE_HIT_NODATA, dns_intern(tr, p->sname),
                         dns_intern_type(tr, p->qtype), soa.ttl));
            finish(r, i, now, DNS_RCODE_NOERROR, &soa);
            return;
        }
        if (e) {
            for (int k = 0; k < e->nrr; k++)
                an_add(p, &e->rr[k], dns_ttl_left(e, now));
            r->cache_hits++;
            walk_set(r, now, p->conn, DNS_ANSWERED,
                     WHY(N_DNS_CACHE_HIT, dns_intern(tr, p->sname),
                         dns_intern_type(tr, p->qtype), dns_ttl_left(e, now)));
            finish(r, i, now, DNS_RCODE_NOERROR, NULL);
            return;
        }
        if (p->qtype == DNS_TYPE_CNAME ||
            !(e = dns_cache_get(r, now, p->sname, DNS_TYPE_CNAME)))
            break;
        /* RFC 1034 3.6.2: "CNAME chains should be followed and CNAME
         * loops signalled as an error" -- a loop is named as such, not
         * counted out as a long chain */
        if (cname_loops(p, e->rr[0].rd.target)) {
            fail(r, i, now, WHY(N_DNS_FAIL_CNAME_LOOP, dns_intern(tr, p->sname),
                                dns_intern(tr, e->rr[0].rd.target)));
            return;
        }
        if (++p->cnames > MAX_CNAMES) {
            fail(r, i, now, WHY(N_DNS_FAIL_CNAME, MAX_CNAMES));
            return;
        }
        an_add(p, &e->rr[0], dns_ttl_left(e, now));
        dns_name_copy(p->sname, e->rr[0].rd.target);
    }
    step2(r, i, now);
}

/* The stub's question ends: reply to it (RFC 1035 4.1.1: ID and RD copied,
 * RA set), or hand a nested look-up's addresses to the question that
 * waits for them. */
static void resume_parent(struct dns_resolver *r, int pi, int64_t now,
                          const char *ns, const ip4_addr *addr, int n);

static void finish(struct dns_resolver *r, int i, int64_t now, int rcode,
                   const struct dns_rr *soa)
{
    struct dns_pending *p = r->pend[i];
    if (p->internal) {
        ip4_addr addr[DNS_MAX_RR];
        int n = 0, parent = p->parent;
        char ns[DNS_NAME_BUF];
        for (int k = 0; k < p->nan; k++)
            if (p->an[k].type == DNS_TYPE_A && rcode == DNS_RCODE_NOERROR)
                addr[n++] = p->an[k].rd.a;
        dns_name_copy(ns, p->qname);
        run_waiters(r, i, now);
        if (parent >= 0 && r->pend[parent])
            resume_parent(r, parent, now, ns, addr, n);
        return;
    }
    struct dns_msg *m = xrealloc(NULL, sizeof *m);
    dns_query_init(m, p->cid, p->qname, p->qtype, p->crd);
    m->qclass = p->qclass;
    m->qr = 1;
    m->ra = 1;             /* RFC 1035 4.1.1: recursion available */
    m->rcode = (uint8_t)rcode;
    m->nan = p->nan;
    memcpy(m->an, p->an, (size_t)p->nan * sizeof *p->an);
    if (soa) {
        /* RFC 2308 3: the SOA goes in the authority section of a negative
         * answer, so the stub can cache it too */
        m->ns[0] = *soa;
        m->nns = 1;
    }
    /* a SERVFAIL is no answer from the cache, whatever the walk cost; an
     * answer is the cache's only when this question sent no query at all
     * (step 1 answered it, perhaps after following cached CNAMEs): once a
     * query went out, the reply holds what the servers said */
    r->env.emit(r->env.ctx, p->client, p->cport, m,
                WHY(rcode == DNS_RCODE_SERVFAIL ? N_DNS_R_STUB_FAIL
                    : p->queries == 0 ? N_DNS_R_STUB_CACHE : N_DNS_R_STUB,
                    p->client));
    free(m);
    run_waiters(r, i, now);
}

/* The walk of slot i is over: free it, then take the questions that
 * waited for it, in the order they came (each is looked up in the cache
 * now, and walks again only if the cache cannot answer). */
static void run_waiters(struct dns_resolver *r, int i, int64_t now)
{
    struct dns_pending *p = r->pend[i];
    struct dns_waiter *w = p->wait;
    int n = p->nwait;
    uint16_t qtype = p->qtype, qclass = p->qclass;
    p->wait = NULL;
    pend_free(r, i);
    if (!n)
        return;
    struct dns_msg *q = xrealloc(NULL, sizeof *q);
    for (int k = 0; k < n; k++) {
        dns_query_init(q, w[k].cid, w[k].qname, qtype, w[k].crd);
        memcpy(q->qname, w[k].qname, sizeof q->qname);
        q->qclass = qclass;
        query_start(r, now, w[k].client, w[k].cport, q, w[k].since);
        /* the cache could not answer it and it walks: the others wait
         * for that walk in turn */
        struct dns_pending *o = walk_of(r, w[k].qname, qtype);
        if (o && k + 1 < n) {
            o->wait = xreallocarray(o->wait, (size_t)(o->nwait + n - k - 1),
                                    sizeof *o->wait);
            memcpy(o->wait + o->nwait, w + k + 1,
                   (size_t)(n - k - 1) * sizeof *w);
            o->nwait += n - k - 1;
            break;
        }
    }
    free(q);
    free(w);
}

static void resume_parent(struct dns_resolver *r, int pi, int64_t now,
                          const char *ns, const ip4_addr *addr, int n)
{
    struct dns_pending *p = r->pend[pi];
    for (int k = 0; k < p->nserv; k++) {
        struct dns_server_ref *s = &p->serv[k];
        if (!s->resolving || !dns_name_eq(s->name, ns))
            continue;
        s->resolving = 0;
        if (n == 0)
            s->dead = 1;
        else
            s->addr = addr[0];
        for (int j = 1; j < n; j++)
            slist_add(p, ns, addr[j]);
        break;
    }
    if (p->due)
        return;
    struct why why;
    int k = pick_server(r, pi, now, &why);
    if (k < 0) {
        fail(r, pi, now, why);
    } else if (k > 0) {
        p = r->pend[pi];
        const struct dns_server_ref *s = &p->serv[p->cur];
        send_query(r, pi, now,
                   WHY(N_DNS_Q_NSADDR, dns_intern(r->env.tr, s->name), s->addr,
                       dns_intern(r->env.tr, p->sname),
                       dns_intern_type(r->env.tr, p->qtype)));
    }
}

static int free_slot(const struct dns_resolver *r)
{
    for (int i = 0; i < r->cfg.max_pending; i++)
        if (!r->pend[i])
            return i;
    return -1;
}

/* A nested walk for the address of name server `name`. */
static int start_child(struct dns_resolver *r, int parent, int64_t now,
                       const char *name)
{
    int i = free_slot(r);
    if (i < 0)
        return -1;
    struct dns_pending *pp = r->pend[parent];
    struct dns_pending *p = xrealloc(NULL, sizeof *p);
    pend_clear(p);
    p->internal = 1;
    p->parent = parent;
    p->depth = pp->depth + 1;
    dns_name_copy(p->qname, name);
    dns_name_copy(p->sname, name);
    p->qtype = DNS_TYPE_A;
    p->qclass = DNS_CLASS_IN;
    p->conn = dns_make_id_type(r->env.tr, "dns", name, DNS_TYPE_A);
    r->pend[i] = p;
    walk_set(r, now, p->conn, DNS_CHECK_CACHE,
             WHY(N_DNS_LOOKUP_NS, dns_intern(r->env.tr, name),
                 dns_intern(r->env.tr, pp->zone)));
    step1(r, i, now);
    return 0;
}

/* Why a server is left for the next (try_next): no reply, an error RCODE,
 * a truncated reply, a referral that leads no closer, or an empty reply;
 * one sentence each, every word of it translated. */
enum useless { U_TIMEOUT, U_RCODE, U_TC, U_NOCLOSER, U_EMPTY };

/* RFC 1034 5.3.3 step 4d: "If the response shows a server failure or
 * other bizarre contents, delete the server from the SLIST and go back to
 * step 3."  m is the reply (NULL for a timeout); ref, for U_NOCLOSER, is
 * the zone it referred to. */
static void try_next(struct dns_resolver *r, int i, int64_t now, ip4_addr old,
                     int what, const struct dns_msg *m, const char *ref)
{
    struct dns_pending *p = r->pend[i];
    struct trace *tr = r->env.tr;
    struct why why;
    char rc[16];
    p->serv[p->cur].dead = 1;
    int k = pick_server(r, i, now, &why);
    if (k < 0) {
        fail(r, i, now, why);
    } else if (k > 0) {
        p = r->pend[i];
        ip4_addr to = p->serv[p->cur].addr;
        switch (what) {
        case U_RCODE:
            why = WHY(N_DNS_Q_BAD, old,
                      dns_intern(tr, dns_rcode_name(m->rcode, rc, sizeof rc)), to);
            break;
        case U_TC:
            why = WHY(N_DNS_Q_BAD_TC, old, to);
            break;
        case U_NOCLOSER:
            why = WHY(N_DNS_Q_BAD_NOCLOSER, old, dns_intern(tr, ref),
                      dns_intern(tr, p->sname), to);
            break;
        case U_EMPTY:
            why = WHY(N_DNS_Q_BAD_EMPTY, old, dns_intern(tr, p->sname), to);
            break;
        default:
            why = WHY(N_DNS_Q_NEXT, old, to);
            break;
        }
        send_query(r, i, now, why);
    }
}

static const struct dns_rr *find_rr(const struct dns_rr *sec, int n,
                                    const char *name, uint16_t type)
{
    for (int k = 0; k < n; k++)
        if (sec[k].type == type && dns_name_eq(sec[k].name, name))
            return &sec[k];
    return NULL;
}

/* The SOA of a negative answer, if it is for a zone holding `name`, with
 * its TTL cut to the SOA MINIMUM (RFC 2308 5). */
static int neg_soa(const struct dns_msg *m, const char *name,
                   struct dns_rr *out)
{
    for (int k = 0; k < m->nns; k++)
        if (m->ns[k].type == DNS_TYPE_SOA && dns_name_in(name, m->ns[k].name)) {
            *out = m->ns[k];
            if (out->rd.soa.minimum < out->ttl)
                out->ttl = out->rd.soa.minimum;
            return 1;
        }
    return 0;
}

/* RFC 1034 5.3.3 step 4: "Analyze the response". */
static void analyze(struct dns_resolver *r, int i, int64_t now,
                    ip4_addr server, const struct dns_msg *m)
{
    struct dns_pending *p = r->pend[i];
    struct trace *tr = r->env.tr;
    char cur[DNS_NAME_BUF];
    if (m->tc) {
        /* RFC 2181 9: a truncated reply is ignored, never read as data */
        try_next(r, i, now, server, U_TC, m, NULL);
        return;
    }
    if (m->rcode != DNS_RCODE_NOERROR && m->rcode != DNS_RCODE_NXDOMAIN) {
        try_next(r, i, now, server, U_RCODE, m, NULL);
        return;
    }
    /* 4a/4c: follow the answer from SNAME through any CNAMEs */
    dns_name_copy(cur, p->sname);
    int data = 0;
    for (;;) {
        for (int k = 0; k < m->nan; k++)
            if (dns_name_eq(m->an[k].name, cur) &&
                (m->an[k].type == p->qtype || p->qtype == DNS_TYPE_ANY)) {
                an_add(p, &m->an[k], m->an[k].ttl);
                data = 1;
            }
        if (data) {
            if (p->qtype != DNS_TYPE_ANY)
                dns_cache_rrset(r, now, m->an, m->nan, cur, p->qtype, 0);
            break;
        }
        const struct dns_rr *cn = p->qtype == DNS_TYPE_CNAME ? NULL
            : find_rr(m->an, m->nan, cur, DNS_TYPE_CNAME);
        if (!cn)
            break;
        if (cname_loops(p, cn->rd.target)) {     /* RFC 1034 3.6.2 */
            dns_cache_rrset(r, now, m->an, m->nan, cur, DNS_TYPE_CNAME, 0);
            fail(r, i, now, WHY(N_DNS_FAIL_CNAME_LOOP, dns_intern(tr, cur),
                                dns_intern(tr, cn->rd.target)));
            return;
        }
        if (++p->cnames > MAX_CNAMES) {
            fail(r, i, now, WHY(N_DNS_FAIL_CNAME, MAX_CNAMES));
            return;
        }
        an_add(p, cn, cn->ttl);
        dns_cache_rrset(r, now, m->an, m->nan, cur, DNS_TYPE_CNAME, 0);
        dns_name_copy(cur, cn->rd.target);
    }
    int moved = !dns_name_eq(cur, p->sname);
    struct dns_rr soa;
    int has_soa = neg_soa(m, cur, &soa);
    if (m->rcode == DNS_RCODE_NXDOMAIN) {
        /* RFC 2308 5: "Name errors (NXDOMAIN) ... should be cached" for
         * the SOA's negative TTL; without an SOA, not at all */
        if (has_soa)
            dns_cache_put(r, now, cur, 0, NEG_NX, &soa, 1, soa.ttl,
                      WHY(N_DNS_CACHE_NX, dns_intern(tr, cur),
                          (int64_t)soa.ttl * US_PER_S));
        walk_set(r, now, p->conn, DNS_ANSWERED,
                 WHY(N_DNS_NXDOMAIN, server, dns_intern(tr, cur)));
        finish(r, i, now, DNS_RCODE_NXDOMAIN, has_soa ? &soa : NULL);
        return;
    }
    if (data) {
        walk_set(r, now, p->conn, DNS_ANSWERED,
                 WHY(N_DNS_ANSWER, server, dns_intern(tr, p->sname),
                     dns_intern_type(tr, p->qtype)));
        finish(r, i, now, DNS_RCODE_NOERROR, NULL);
        return;
    }
    if (moved && !(m->aa && has_soa)) {
        /* 4c: "If the response shows a CNAME and that is not the answer
         * itself, cache the CNAME, change the SNAME to the canonical name
         * in the CNAME RR and go to step 1." */
        uint32_t from = dns_intern(tr, p->sname);
        dns_name_copy(p->sname, cur);
        walk_set(r, now, p->conn, DNS_CHECK_CACHE,
                 WHY(N_DNS_LOOKUP_CNAME, from, dns_intern(tr, cur),
                     dns_intern_type(tr, p->qtype)));
        step1(r, i, now);
        return;
    }
    const struct dns_rr *ns = NULL;
    for (int k = 0; k < m->nns && !ns; k++)
        if (m->ns[k].type == DNS_TYPE_NS)
            ns = &m->ns[k];
    if (!moved && !m->aa && ns) {
        if (!dns_name_in(p->sname, ns->name) || !dns_name_in(ns->name, p->zone) ||
            dns_name_eq(ns->name, p->zone)) {
            try_next(r, i, now, server, U_NOCLOSER, m, ns->name);
            return;
        }
        /* 4b: "If the response contains a better delegation to other
         * servers, cache the delegation information, and go to step 2." */
        char zone[DNS_NAME_BUF], old[DNS_NAME_BUF];
        dns_name_copy(zone, ns->name);
        dns_name_copy(old, p->zone);
        dns_cache_rrset(r, now, m->ns, m->nns, zone, DNS_TYPE_NS, 0);
        for (int k = 0; k < m->nns; k++)
            if (m->ns[k].type == DNS_TYPE_NS && dns_name_eq(m->ns[k].name, zone) &&
                dns_name_in(m->ns[k].rd.target, old))
                dns_cache_rrset(r, now, m->ar, m->nar, m->ns[k].rd.target,
                            DNS_TYPE_A, 1);
        slist_build(r, now, p, zone, m->ns, m->nns, m, old);
        enter_slist(r, i, now,
                    WHY(N_DNS_REFERRAL, server, dns_intern(tr, zone),
                        dns_intern(tr, slist_first(p)->name)));
        return;
    }
    if (has_soa || m->aa) {
        /* RFC 2308 2.2: NODATA, "the name exists but there is no data of
         * the requested type"; cached like a name error (RFC 2308 5) */
        if (has_soa)
            dns_cache_put(r, now, cur, p->qtype, NEG_NODATA, &soa, 1, soa.ttl,
                      WHY(N_DNS_CACHE_NODATA, dns_intern(tr, cur),
                          dns_intern_type(tr, p->qtype),
                          (int64_t)soa.ttl * US_PER_S));
        walk_set(r, now, p->conn, DNS_ANSWERED,
                 WHY(N_DNS_NODATA, server, dns_intern(tr, cur),
                     dns_intern_type(tr, p->qtype)));
        finish(r, i, now, DNS_RCODE_NOERROR, has_soa ? &soa : NULL);
        return;
    }
    try_next(r, i, now, server, U_EMPTY, m, NULL);
}

/* A reply with no walk behind it (a malformed or unsupported query). */
static void reply_error(struct dns_resolver *r, ip4_addr client, uint16_t cport,
                        const struct dns_msg *q, int rcode, struct why why)
{
    struct dns_msg *m = xrealloc(NULL, sizeof *m);
    dns_msg_clear(m);
    m->id = q->id;
    m->qr = 1;
    m->opcode = q->opcode;
    m->rd = q->rd;
    m->ra = 1;
    m->rcode = (uint8_t)rcode;
    if (q->qdcount == 1) {
        m->qdcount = 1;
        memcpy(m->qname, q->qname, sizeof m->qname);
        m->qtype = q->qtype;
        m->qclass = q->qclass;
    }
    r->env.emit(r->env.ctx, client, cport, m, why);
    free(m);
}

int dns_resolver_query(struct dns_resolver *r, int64_t now, ip4_addr client,
                       uint16_t cport, const struct dns_msg *q)
{
    if (q->qr)
        return -1;
    if (q->opcode != DNS_OPCODE_QUERY) {
        reply_error(r, client, cport, q, DNS_RCODE_NOTIMP, WHY0(N_DNS_SRV_NOTIMP));
        return 0;
    }
    if (q->qdcount != 1) {
        reply_error(r, client, cport, q, DNS_RCODE_FORMERR, WHY0(N_DNS_SRV_FORMERR));
        return 0;
    }
    if (q->qclass != DNS_CLASS_IN) {              /* this resolver knows only IN */
        reply_error(r, client, cport, q, DNS_RCODE_REFUSED,
                    WHY(N_DNS_REFUSED_CLASS, q->qclass));
        return 0;
    }
    /* a retransmission from the stub while we are still walking (the same
     * client, port and ID): the walk already in progress will answer it --
     * RFC 1035 4.1.1: the ID "is copied the corresponding reply and can be
     * used by the requester to match up replies to outstanding queries",
     * so one reply serves both copies -- and this copy is set aside, which
     * the caller records; the same
     * question from another stub (or with another id) waits for that walk,
     * so that one walk id tells one walk's story */
    struct dns_pending *same = NULL;
    for (int k = 0; k < r->cfg.max_pending; k++) {
        struct dns_pending *o = r->pend[k];
        if (!o || o->qtype != q->qtype || !dns_name_eq(o->qname, q->qname))
            continue;
        if (!o->internal && o->client == client && o->cport == cport &&
            o->cid == q->id)
            return DNS_QUERY_DUP;
        for (int j = 0; j < o->nwait; j++)
            if (o->wait[j].client == client && o->wait[j].cport == cport &&
                o->wait[j].cid == q->id)
                return DNS_QUERY_DUP;
        same = o;
    }
    if (same && same->nwait < r->cfg.max_pending) {
        same->wait = xreallocarray(same->wait, (size_t)same->nwait + 1,
                                   sizeof *same->wait);
        struct dns_waiter *w = &same->wait[same->nwait++];
        w->client = client;
        w->cport = cport;
        w->cid = q->id;
        w->crd = q->rd;
        w->since = now;
        memcpy(w->qname, q->qname, sizeof w->qname);
        return 0;
    }
    return query_start(r, now, client, cport, q, -1);
}

/* A stub's question starts its walk: now, as it arrives, or (since >= 0)
 * when the walk it waited for is over. */
static int query_start(struct dns_resolver *r, int64_t now, ip4_addr client,
                       uint16_t cport, const struct dns_msg *q, int64_t since)
{
    struct trace *tr = r->env.tr;
    uint32_t conn = dns_make_id_type(tr, "dns", q->qname, q->qtype);
    int i = free_slot(r);
    if (i < 0) {
        walk_set(r, now, conn, DNS_FAILED,
                 WHY(N_DNS_FAIL_BUSY, r->cfg.max_pending));
        reply_error(r, client, cport, q, DNS_RCODE_SERVFAIL,
                    WHY(N_DNS_R_STUB_FAIL, client));
        return 0;
    }
    struct dns_pending *p = xrealloc(NULL, sizeof *p);
    pend_clear(p);
    p->parent = -1;
    p->client = client;
    p->cport = cport;
    p->cid = q->id;
    p->crd = q->rd;
    memcpy(p->qname, q->qname, sizeof p->qname);
    dns_name_copy(p->sname, q->qname);
    p->qtype = q->qtype;
    p->qclass = q->qclass;
    p->conn = conn;
    r->pend[i] = p;
    walk_set(r, now, p->conn, DNS_CHECK_CACHE,
             since < 0 ? WHY(N_DNS_LOOKUP, client, dns_intern(tr, p->sname),
                             dns_intern_type(tr, p->qtype))
                       : WHY(N_DNS_LOOKUP_WAITED, client, dns_intern(tr, p->sname),
                             dns_intern_type(tr, p->qtype), now - since));
    step1(r, i, now);
    return 0;
}

int dns_resolver_response(struct dns_resolver *r, int64_t now, ip4_addr server,
                          const struct dns_msg *m)
{
    if (!m->qr || m->qdcount != 1)
        return -1;
    for (int i = 0; i < r->cfg.max_pending; i++) {
        struct dns_pending *p = r->pend[i];
        /* RFC 5452 3 (and RFC 1035 7.3): a reply is accepted only if it
         * comes from the server asked, with the query's ID and the same
         * question -- QNAME (in any letter case, RFC 4343 3), QTYPE and
         * QCLASS */
        if (!p || !p->due || p->serv[p->cur].addr != server || p->id != m->id ||
            p->qtype != m->qtype || p->qclass != m->qclass ||
            !dns_name_eq(p->sname, m->qname))
            continue;
        p->due = 0;
        timer_rec(r, now, p->conn, TA_STOP, 0, WHY(N_DNS_TMR_STOP, server));
        analyze(r, i, now, server, m);
        return 0;
    }
    return -1;
}

int64_t dns_resolver_deadline(const struct dns_resolver *r)
{
    int64_t d = -1;
    for (int i = 0; i < r->cfg.max_pending; i++) {
        const struct dns_pending *p = r->pend[i];
        if (p && p->due && (d < 0 || p->due < d))
            d = p->due;
    }
    return d;
}

void dns_resolver_timer(struct dns_resolver *r, int64_t now)
{
    for (int i = 0; i < r->cfg.max_pending; i++) {
        struct dns_pending *p = r->pend[i];
        if (!p || !p->due || p->due > now)
            continue;
        ip4_addr to = p->serv[p->cur].addr;
        p->due = 0;
        timer_rec(r, now, p->conn, TA_EXPIRE, 0,
                  WHY(N_DNS_TMR_EXPIRE, r->cfg.timeout_us, to));
        /* RFC 1034 5.3.3 step 3 leaves the retransmission policy open:
         * resend to the same server `retries` times, then the next one */
        if (p->tries <= r->cfg.retries)
            send_query(r, i, now, WHY(N_DNS_Q_RETRY, to, r->cfg.timeout_us,
                                      p->tries + 1));
        else
            try_next(r, i, now, to, U_TIMEOUT, NULL, NULL);
    }
}
