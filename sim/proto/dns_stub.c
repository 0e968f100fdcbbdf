/* dns_stub.c — the stub resolver (RFC 1034 5.3.1): one upstream resolver, retries, then failure. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dnsint.h"
#include "event.h"
#include "alloc.h"
#include "narrate.h"

/* ---- stub resolver (RFC 1034 5.3.1) --------------------------------- */

void dns_stub_config_default(struct dns_stub_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout_us = 5 * US_PER_S;
    c->retries = 1;
}

void dns_stub_init(struct dns_stub *s, const struct dns_stub_config *cfg,
                   const struct dns_stub_env *env)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->env = *env;
}

void dns_stub_free(struct dns_stub *s)
{
    memset(s->q, 0, sizeof s->q);     /* nothing is heap-allocated */
}

/* The one place a stub lookup changes state. */
static void stub_set(struct dns_stub *s, int64_t now, uint32_t conn, int to,
                     struct why why)
{
    int from = dns_walk_get(s->walks, s->nwalks, conn);
    if (from == to)
        return;
    if (s->env.tr)
        trace_state(s->env.tr, now, s->env.host, TL_DNS, conn, from, to, why);
    dns_walk_put(s->walks, &s->nwalks, &s->walknext, NWALKS(s->walks), conn, to);
}

static void stub_send(struct dns_stub *s, int h, int64_t now, struct why why)
{
    struct dns_stub_lookup *l = &s->q[h];
    struct dns_msg *q = xrealloc(NULL, sizeof *q);
    /* RFC 1034 5.3.1: a stub "depends on a recursive server" — RD=1 */
    dns_query_init(q, l->id, l->name, l->type, 1);
    s->env.emit(s->env.ctx, s->cfg.server, DNS_PORT, q, why);
    free(q);
    l->tries++;
    l->due = now + s->cfg.timeout_us;
    if (s->env.tr)
        trace_timer(s->env.tr, now, s->env.host, TL_DNS, l->conn, TM_DNS,
                    TA_START, l->due,
                    WHY(N_DNS_TMR_START, s->cfg.timeout_us, s->cfg.server));
}

/* The trace id of lookup h of (name, type): "dns-stub:NAME/TYPE", or,
 * while other lookups of the same question are in flight on this stub
 * (an application may ask twice before the first answer; RFC 1034 5.3.1
 * gives each its own query), "dns-stub:NAME/TYPE#N", the smallest N >= 2
 * none of them has.  Each lookup is then a story of its own: one id would
 * give the second no IDLE -> ASKING_RESOLVER record, and its answer none
 * either, the first having moved the shared id already. */
static uint32_t stub_conn(struct dns_stub *s, int h, const char *name,
                          uint16_t type)
{
    struct trace *tr = s->env.tr;
    char t[16], suffix[32];
    const char *tn = dns_type_name(type, t, sizeof t);
    int taken = 0;                  /* bit k: "#k" in use (bit 1: no suffix) */
    for (int k = 0; k < DNS_STUB_MAX; k++) {
        const struct dns_stub_lookup *o = &s->q[k];
        if (k != h && o->used && o->type == type && dns_name_eq(o->name, name))
            taken |= 1 << o->nth;
    }
    int nth = 1;
    while (taken & (1 << nth))
        nth++;
    s->q[h].nth = (uint8_t)nth;     /* nth <= DNS_STUB_MAX: the bits fit */
    if (nth == 1)
        return dns_make_id(tr, "dns-stub", name, tn);
    snprintf(suffix, sizeof suffix, "%s#%d", tn, nth);
    return dns_make_id(tr, "dns-stub", name, suffix);
}

int dns_stub_resolve(struct dns_stub *s, int64_t now, const char *name,
                     uint16_t type)
{
    struct trace *tr = s->env.tr;
    if (dns_name_check(name, NULL, 0) < 0)
        return -1;
    int h;
    for (h = 0; h < DNS_STUB_MAX && s->q[h].used; h++)
        ;
    if (h == DNS_STUB_MAX)
        return -1;
    struct dns_stub_lookup *l = &s->q[h];
    memset(l, 0, sizeof *l);
    l->used = 1;
    dns_name_copy(l->name, name);
    l->type = type;
    l->id = s->env.next_id(s->env.ctx);
    l->conn = stub_conn(s, h, name, type);
    stub_set(s, now, l->conn, DNS_ASKING_RESOLVER,
             WHY(N_DNS_STUB_ASK, dns_intern(tr, l->name), dns_intern_type(tr, type),
                 s->cfg.server));
    stub_send(s, h, now, WHY(N_DNS_STUB_Q, dns_intern(tr, l->name),
                             dns_intern_type(tr, type), s->cfg.server));
    return h;
}

/* The name at the end of the CNAME chain from `name` in m's answer
 * section (name itself when there is none) into out. */
static void chain_end(const struct dns_msg *m, const char *name, char *out)
{
    dns_name_copy(out, name);
    for (int hop = 0; hop <= MAX_CNAMES; hop++) {
        const struct dns_rr *cn = NULL;
        for (int k = 0; k < m->nan && !cn; k++)
            if (m->an[k].type == DNS_TYPE_CNAME && dns_name_eq(m->an[k].name, out))
                cn = &m->an[k];
        if (!cn)
            return;
        dns_name_copy(out, cn->rd.target);
    }
}

static void stub_done(struct dns_stub *s, int h, const struct dns_msg *m)
{
    struct dns_stub_lookup *l = &s->q[h];
    struct dns_stub_result res;
    char name[DNS_NAME_BUF], cur[DNS_NAME_BUF];
    memset(&res, 0, sizeof res);
    memcpy(name, l->name, sizeof name);
    res.name = name;
    res.type = l->type;
    res.rcode = m ? m->rcode : -1;
    res.msg = m;
    if (m && m->rcode == DNS_RCODE_NOERROR && !m->tc) {
        /* the addresses at the end of the CNAME chain */
        dns_name_copy(cur, name);
        for (int hop = 0; hop <= MAX_CNAMES; hop++) {
            const struct dns_rr *cn = NULL;
            for (int k = 0; k < m->nan; k++) {
                const struct dns_rr *rr = &m->an[k];
                if (!dns_name_eq(rr->name, cur))
                    continue;
                if (rr->type == DNS_TYPE_A && res.naddr < DNS_MAX_RR) {
                    if (res.naddr == 0 || rr->ttl < res.ttl)
                        res.ttl = rr->ttl;
                    res.addr[res.naddr++] = rr->rd.a;
                } else if (rr->type == DNS_TYPE_CNAME) {
                    cn = rr;
                }
            }
            if (res.naddr || !cn)
                break;
            dns_name_copy(cur, cn->rd.target);
        }
    }
    l->used = 0;                  /* free before the callback: it may resolve again */
    s->env.done(s->env.ctx, s, h, &res);
}

int dns_stub_response(struct dns_stub *s, int64_t now, ip4_addr from,
                      const struct dns_msg *m)
{
    struct trace *tr = s->env.tr;
    char text[160], rc[16], end[DNS_NAME_BUF];
    if (!m->qr || m->qdcount != 1 || from != s->cfg.server)
        return -1;
    for (int h = 0; h < DNS_STUB_MAX; h++) {
        struct dns_stub_lookup *l = &s->q[h];
        /* RFC 5452 3, RFC 1035 7.3: the reply's ID and whole question
         * (name in any letter case, RFC 4343 3; type; class IN, the only
         * one a stub asks for) are the query's */
        if (!l->used || !l->due || l->id != m->id || l->type != m->qtype ||
            m->qclass != DNS_CLASS_IN || !dns_name_eq(l->name, m->qname))
            continue;
        l->due = 0;
        if (tr)
            trace_timer(tr, now, s->env.host, TL_DNS, l->conn, TM_DNS, TA_STOP,
                        0, WHY(N_DNS_TMR_STOP, from));
        if (m->tc)
            /* RFC 2181 9: "When a DNS client receives a reply with TC set,
             * it should ignore that response, and query again, using a
             * mechanism, such as a TCP connection, that will permit larger
             * replies."  There is no DNS over TCP here, so the lookup
             * fails; what the cut reply holds is not taken as the answer. */
            stub_set(s, now, l->conn, DNS_FAILED,
                     WHY(N_DNS_STUB_TC, dns_intern(tr, l->name)));
        else if (m->rcode == DNS_RCODE_NOERROR)
            stub_set(s, now, l->conn, DNS_ANSWERED,
                     WHY(N_DNS_STUB_ANSWER,
                         dns_intern(tr, dns_summary(m, text, sizeof text))));
        else if (m->rcode == DNS_RCODE_NXDOMAIN) {
            /* RFC 1035 4.1.1: name error, an answer that the name does
             * not exist -- the last name of any CNAME chain in the answer
             * (RFC 2308 2.1, RFC 6604 3: the RCODE is set "based on the
             * last query cycle", for the name the chain ends at); the name
             * asked for is an alias, which exists */
            chain_end(m, l->name, end);
            int moved = !dns_name_eq(end, l->name);
            stub_set(s, now, l->conn, DNS_ANSWERED,
                     moved ? WHY(N_DNS_STUB_NXDOMAIN_CNAME,
                                 dns_intern(tr, dns_rcode_name(m->rcode, rc, sizeof rc)),
                                 dns_intern(tr, l->name), dns_intern(tr, end))
                           : WHY(N_DNS_STUB_NXDOMAIN,
                                 dns_intern(tr, dns_rcode_name(m->rcode, rc, sizeof rc)),
                                 dns_intern(tr, l->name)));
        }
        else
            stub_set(s, now, l->conn, DNS_FAILED,
                     WHY(N_DNS_STUB_FAIL,
                         dns_intern(tr, dns_rcode_name(m->rcode, rc, sizeof rc)),
                         dns_intern(tr, l->name)));
        stub_done(s, h, m);
        return 0;
    }
    return -1;
}

int64_t dns_stub_deadline(const struct dns_stub *s)
{
    int64_t d = -1;
    for (int h = 0; h < DNS_STUB_MAX; h++)
        if (s->q[h].used && s->q[h].due && (d < 0 || s->q[h].due < d))
            d = s->q[h].due;
    return d;
}

void dns_stub_timer(struct dns_stub *s, int64_t now)
{
    struct trace *tr = s->env.tr;
    for (int h = 0; h < DNS_STUB_MAX; h++) {
        struct dns_stub_lookup *l = &s->q[h];
        if (!l->used || !l->due || l->due > now)
            continue;
        l->due = 0;
        if (tr)
            trace_timer(tr, now, s->env.host, TL_DNS, l->conn, TM_DNS,
                        TA_EXPIRE, 0,
                        WHY(N_DNS_TMR_EXPIRE, s->cfg.timeout_us, s->cfg.server));
        if (l->tries <= s->cfg.retries) {
            /* the same ID again, so a late reply to either copy matches */
            stub_send(s, h, now, WHY(N_DNS_STUB_RETRY, s->cfg.server,
                                     s->cfg.timeout_us, l->tries + 1));
        } else {
            stub_set(s, now, l->conn, DNS_FAILED,
                     WHY(N_DNS_STUB_TIMEOUT, l->tries, dns_intern(tr, l->name)));
            stub_done(s, h, NULL);
        }
    }
}
