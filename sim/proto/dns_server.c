/* dns_server.c — the authoritative server (RFC 1034 4.3.2): a pure function from zone data and a query to a response. */
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

/* ---- authoritative server (RFC 1034 4.3.2) -------------------------- */

/* One name of a zone's tree: a record's owner name, or a name above one
 * (an empty non-terminal unless it owns records itself).  The name is the
 * text at rr[ref].name + off; its records are first, next_rr[first], ...
 * in the order they were added (-1: none). */
struct dns_node {
    uint32_t hash;
    int      ref;              /* -1: an empty slot */
    uint32_t off;
    int      first, last;
};

void dns_zone_init(struct dns_zone *z)
{
    memset(z, 0, sizeof *z);
}

void dns_zone_free(struct dns_zone *z)
{
    free(z->apex);
    free(z->apexix);
    free(z->rr);
    free(z->node);
    free(z->next_rr);
    memset(z, 0, sizeof *z);
}

static size_t node_slot(const struct dns_zone *z, const char *name, uint32_t h)
{
    size_t m = z->capnode - 1, j = h & m;
    while (z->node[j].ref >= 0 &&
           (z->node[j].hash != h ||
            !dns_name_eq(z->rr[z->node[j].ref].name + z->node[j].off, name)))
        j = (j + 1) & m;
    return j;
}

/* The node of name, or NULL when the zone has no record at or below it. */
static const struct dns_node *node_of(const struct dns_zone *z, const char *name)
{
    if (!z->capnode)
        return NULL;
    const struct dns_node *n = &z->node[node_slot(z, name, dns_name_hash(name))];
    return n->ref >= 0 ? n : NULL;
}

static void node_grow(struct dns_zone *z)
{
    size_t oldcap = z->capnode, cap = oldcap ? 2 * oldcap : 64;
    struct dns_node *old = z->node;
    z->node = xreallocarray(NULL, cap, sizeof *z->node);
    for (size_t i = 0; i < cap; i++)
        z->node[i].ref = -1;
    z->capnode = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].ref >= 0) {
            size_t j = old[i].hash & (cap - 1);
            while (z->node[j].ref >= 0)
                j = (j + 1) & (cap - 1);
            z->node[j] = old[i];
        }
    free(old);
}

/* Record k's owner name and every name above it, up to the root, as
 * nodes; k goes last on its owner's list. */
static void index_rr(struct dns_zone *z, int k)
{
    const char *name = z->rr[k].name;
    for (const char *p = name;; p = dns_name_parent(p)) {
        if (2 * (z->nnode + 1) > z->capnode)
            node_grow(z);
        uint32_t h = dns_name_hash(p);
        struct dns_node *n = &z->node[node_slot(z, p, h)];
        if (n->ref < 0) {
            /* dns_name_parent gives a static "." for the root: the root's
             * node names it by the empty end of this record's name */
            size_t off = dns_core_len(p) ? (size_t)(p - name) : strlen(name);
            *n = (struct dns_node){ h, k, (uint32_t)off, -1, -1 };
            z->nnode++;
        }
        if (p == name) {
            if (n->first < 0)
                n->first = k;
            else
                z->next_rr[n->last] = k;
            n->last = k;
        }
        if (!dns_core_len(p))
            break;
    }
}

/* The slot of apex name in the apex index, or the empty one where it goes. */
static size_t apex_slot(const struct dns_zone *z, const char *name)
{
    size_t m = z->capapexix - 1, j = dns_name_hash(name) & m;
    while (z->apexix[j] && !dns_name_eq(z->apex[z->apexix[j] - 1], name))
        j = (j + 1) & m;
    return j;
}

int dns_zone_add_apex(struct dns_zone *z, const char *apex)
{
    if (dns_name_check(apex, NULL, 0) < 0)
        return -1;
    if (2 * ((size_t)z->napex + 1) > z->capapexix) {
        size_t cap = z->capapexix ? 2 * z->capapexix : 8;
        free(z->apexix);
        z->apexix = xcalloc(cap, sizeof *z->apexix);
        z->capapexix = cap;
        for (int i = 0; i < z->napex; i++)
            z->apexix[apex_slot(z, z->apex[i])] = i + 1;
    }
    size_t j = apex_slot(z, apex);
    if (z->apexix[j])
        return 0;
    if (z->napex == z->capapex) {
        z->capapex = z->capapex ? 2 * z->capapex : 4;
        z->apex = xrealloc(z->apex, (size_t)z->capapex * sizeof *z->apex);
    }
    dns_name_copy(z->apex[z->napex++], apex);
    z->apexix[j] = z->napex;
    return 0;
}

int dns_zone_add(struct dns_zone *z, const struct dns_rr *rr)
{
    if (dns_name_check(rr->name, NULL, 0) < 0)
        return -1;
    if (z->nrr == z->caprr) {
        z->caprr = z->caprr ? 2 * z->caprr : 16;
        z->rr = xrealloc(z->rr, (size_t)z->caprr * sizeof *z->rr);
        z->next_rr = xreallocarray(z->next_rr, (size_t)z->caprr, sizeof *z->next_rr);
    }
    z->rr[z->nrr] = *rr;
    dns_name_copy(z->rr[z->nrr].name, rr->name);
    z->next_rr[z->nrr] = -1;
    index_rr(z, z->nrr);
    z->nrr++;
    return 0;
}

/* The first record name owns (-1: none); z->next_rr[k] is the one after
 * record k, in the order they were added. */
static int zone_first(const struct dns_zone *z, const char *name)
{
    const struct dns_node *n = node_of(z, name);
    return n ? n->first : -1;
}

/* The apex of the zone this server holds that is closest to name (the
 * one with the most labels that name is in), or NULL: name and the names
 * above it, nearest first, looked up in the index. */
static const char *best_apex(const struct dns_zone *z, const char *name)
{
    if (!z->napex)
        return NULL;
    for (const char *p = name;; p = dns_name_parent(p)) {
        size_t j = apex_slot(z, p);
        if (z->apexix[j])
            return z->apex[z->apexix[j] - 1];
        if (!dns_core_len(p))
            return NULL;
    }
}

static int zone_has(const struct dns_zone *z, const char *name, uint16_t type)
{
    for (int k = zone_first(z, name); k >= 0; k = z->next_rr[k])
        if (z->rr[k].type == type)
            return 1;
    return 0;
}

/* The suffix of `name` with `labels` labels. */
static const char *name_suffix(const char *name, int labels)
{
    int skip = dns_name_labels(name) - labels;
    const char *p = name;
    while (skip-- > 0)
        p = dns_name_parent(p);
    return p;
}

/* RFC 1034 4.3.2 step 3b: walking down from the apex towards name, the
 * first node below the apex that owns NS records is a zone cut. */
static const char *find_cut(const struct dns_zone *z, const char *apex,
                            const char *name)
{
    int la = dns_name_labels(apex), ln = dns_name_labels(name);
    for (int k = la + 1; k <= ln; k++) {
        const char *s = name_suffix(name, k);
        if (zone_has(z, s, DNS_TYPE_NS))
            return s;
    }
    return NULL;
}

static void add_rr(struct dns_rr *sec, int *n, const struct dns_rr *rr)
{
    if (*n < DNS_MAX_RR)
        sec[(*n)++] = *rr;
}

/* RFC 2308 3: the SOA in a negative answer carries a TTL of the minimum of
 * the SOA's own TTL and its MINIMUM field. */
static void add_soa(const struct dns_zone *z, const char *apex,
                    struct dns_msg *r)
{
    for (int i = zone_first(z, apex); i >= 0; i = z->next_rr[i])
        if (z->rr[i].type == DNS_TYPE_SOA) {
            struct dns_rr soa = z->rr[i];
            if (soa.rd.soa.minimum < soa.ttl)
                soa.ttl = soa.rd.soa.minimum;
            add_rr(r->ns, &r->nns, &soa);
            return;
        }
}

int dns_server_answer(const struct dns_zone *z, const struct dns_msg *q,
                      struct dns_msg *r)
{
    dns_msg_clear(r);
    /* RFC 1035 4.1.1: the ID and RD are copied into the response */
    r->id = q->id;
    r->qr = 1;
    r->opcode = q->opcode;
    r->rd = q->rd;
    r->qdcount = q->qdcount;
    memcpy(r->qname, q->qname, sizeof r->qname);
    r->qtype = q->qtype;
    r->qclass = q->qclass;
    if (q->opcode != DNS_OPCODE_QUERY) {
        r->rcode = DNS_RCODE_NOTIMP;
        return DNS_SRV_NOTIMP;
    }
    if (q->qr || q->qdcount != 1) {
        r->rcode = DNS_RCODE_FORMERR;
        return DNS_SRV_FORMERR;
    }
    const char *apex = best_apex(z, q->qname);
    if (!apex || (q->qclass != DNS_CLASS_IN && q->qclass != 255)) {
        /* RFC 1035 4.1.1 rcode 5: refused, "for policy reasons" — here,
         * because the name is in no zone this server serves */
        r->rcode = DNS_RCODE_REFUSED;
        return DNS_SRV_REFUSED;
    }
    const char *sname = q->qname;
    for (int chain = 0; chain < 8; chain++) {
        const char *cut = find_cut(z, apex, sname);
        if (cut) {
            /* RFC 1034 4.3.2 step 3b: "copy the NS RRs for the subzone
             * into the authority section ... put whatever addresses are
             * available into the additional section, using glue RRs" */
            for (int i = zone_first(z, cut); i >= 0; i = z->next_rr[i])
                if (z->rr[i].type == DNS_TYPE_NS)
                    add_rr(r->ns, &r->nns, &z->rr[i]);
            for (int k = 0; k < r->nns; k++)
                for (int i = zone_first(z, r->ns[k].rd.target); i >= 0; i = z->next_rr[i])
                    if (z->rr[i].type == DNS_TYPE_A)
                        add_rr(r->ar, &r->nar, &z->rr[i]);
            return chain ? DNS_SRV_CNAME_REFERRAL : DNS_SRV_REFERRAL;
        }
        /* the node, or an empty non-terminal: some record at or below it */
        int exists = node_of(z, sname) != NULL, found = 0;
        const struct dns_rr *cname = NULL;
        for (int i = zone_first(z, sname); i >= 0; i = z->next_rr[i]) {
            const struct dns_rr *rr = &z->rr[i];
            if (rr->type == q->qtype || q->qtype == DNS_TYPE_ANY) {
                add_rr(r->an, &r->nan, rr);
                found = 1;
            } else if (rr->type == DNS_TYPE_CNAME) {
                cname = rr;
            }
        }
        /* RFC 1034 4.3.2 step 3a: the whole of QNAME is matched */
        r->aa = 1;
        if (found)
            return DNS_SRV_ANSWER;
        if (cname) {
            /* "If the data at the node is a CNAME, and QTYPE doesn't match
             * CNAME, copy the CNAME RR into the answer section of the
             * response, change QNAME to the canonical name in the CNAME RR,
             * and go back to step 1." */
            /* RFC 1034 3.6.2: "CNAME loops [are] signalled as an error",
             * and RFC 2181 5: a response holds no duplicate RRs.  A CNAME
             * already in the answer closes a loop: stop with the chain as
             * it stands; the resolver that follows it finds the loop. */
            for (int k = 0; k < r->nan; k++)
                if (r->an[k].type == DNS_TYPE_CNAME &&
                    dns_name_eq(r->an[k].name, cname->name))
                    return DNS_SRV_ANSWER;
            add_rr(r->an, &r->nan, cname);
            sname = cname->rd.target;
            apex = best_apex(z, sname);
            if (!apex)                    /* the resolver follows it */
                return DNS_SRV_CNAME_OUT;
            continue;
        }
        if (exists) {
            /* RFC 2308 2.2: NODATA — NOERROR, no answer, the SOA */
            add_soa(z, apex, r);
            return chain ? DNS_SRV_CNAME_NODATA : DNS_SRV_NODATA;
        }
        /* RFC 1034 4.3.2 step 3c ("If at some label, a match is
         * impossible ... a name error"), RFC 2308 2.1: NXDOMAIN with the
         * SOA in the authority section */
        r->rcode = DNS_RCODE_NXDOMAIN;
        add_soa(z, apex, r);
        return DNS_SRV_NXDOMAIN;
    }
    return DNS_SRV_ANSWER;
}

/* The target of the last CNAME in the answer: where the chain stopped. */
static uint32_t last_target(struct trace *tr, const struct dns_msg *r)
{
    for (int k = r->nan - 1; k >= 0; k--)
        if (r->an[k].type == DNS_TYPE_CNAME)
            return dns_intern(tr, r->an[k].rd.target);
    return dns_intern(tr, "?");
}

struct why dns_server_why(struct trace *tr, const struct dns_msg *q,
                          const struct dns_msg *r, int outcome)
{
    uint32_t qn = dns_intern(tr, q->qname), qt = dns_intern_type(tr, q->qtype);
    /* The sentence says what the reply holds: a CNAME answer is not the
     * data asked for, a referral without glue names no addresses, and a
     * negative answer carries the SOA only when the zone has one. */
    int cname = r->nan > 0 && r->an[0].type == DNS_TYPE_CNAME &&
                q->qtype != DNS_TYPE_CNAME && q->qtype != DNS_TYPE_ANY;
    int soa = r->nns > 0 && r->ns[0].type == DNS_TYPE_SOA;
    switch (outcome) {
    case DNS_SRV_ANSWER:
        /* RFC 1034 4.3.2 step 3a: the CNAME, then the canonical name's data */
        if (cname)
            return WHY(N_DNS_SRV_CNAME, qn, dns_intern(tr, r->an[0].rd.target));
        return WHY(N_DNS_SRV_ANSWER, qn, qt);
    /* The three ways a chain stops short of the data: each sentence names
     * the last CNAME's target, where the search stopped (RFC 1034 4.3.2
     * step 3a "change QNAME to the canonical name ... and go back to step
     * 1"), and says what the reply holds for it. */
    case DNS_SRV_CNAME_OUT:
        return WHY(N_DNS_SRV_CNAME_OUT, qn, last_target(tr, r));
    case DNS_SRV_CNAME_NODATA:
        return WHY(N_DNS_SRV_CNAME_NODATA, qn, last_target(tr, r), qt);
    case DNS_SRV_CNAME_REFERRAL:
        return WHY(N_DNS_SRV_CNAME_REFERRAL, qn, last_target(tr, r),
                   dns_intern(tr, r->nns ? r->ns[0].name : "?"));
    case DNS_SRV_REFERRAL:
        return WHY(r->nar ? N_DNS_SRV_REFERRAL : N_DNS_SRV_REFERRAL_NOGLUE, qn,
                   dns_intern(tr, r->nns ? r->ns[0].name : "?"));
    case DNS_SRV_NXDOMAIN:
        /* RFC 2308 2.1: after a CNAME the name error is the target's */
        if (cname)
            return WHY(N_DNS_SRV_NXDOMAIN_CNAME, qn,
                       dns_intern(tr, r->an[r->nan - 1].rd.target));
        if (!soa)
            return WHY(N_DNS_SRV_NXDOMAIN_NOSOA, qn);
        return WHY(N_DNS_SRV_NXDOMAIN, qn, dns_intern(tr, r->ns[0].name));
    case DNS_SRV_NODATA:
        return WHY(soa ? N_DNS_SRV_NODATA : N_DNS_SRV_NODATA_NOSOA, qn, qt);
    case DNS_SRV_REFUSED:
        if (q->qclass != DNS_CLASS_IN && q->qclass != 255)
            return WHY(N_DNS_REFUSED_CLASS, q->qclass);
        return WHY(N_DNS_SRV_REFUSED, qn);
    case DNS_SRV_NOTIMP:
        return WHY0(N_DNS_SRV_NOTIMP);
    default:
        return WHY0(N_DNS_SRV_FORMERR);
    }
}
