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

void dns_zone_init(struct dns_zone *z)
{
    memset(z, 0, sizeof *z);
}

void dns_zone_free(struct dns_zone *z)
{
    free(z->apex);
    free(z->rr);
    memset(z, 0, sizeof *z);
}

int dns_zone_add_apex(struct dns_zone *z, const char *apex)
{
    if (dns_name_check(apex, NULL, 0) < 0)
        return -1;
    for (int i = 0; i < z->napex; i++)
        if (dns_name_eq(z->apex[i], apex))
            return 0;
    if (z->napex == z->capapex) {
        z->capapex = z->capapex ? 2 * z->capapex : 4;
        z->apex = xrealloc(z->apex, (size_t)z->capapex * sizeof *z->apex);
    }
    dns_name_copy(z->apex[z->napex++], apex);
    return 0;
}

int dns_zone_add(struct dns_zone *z, const struct dns_rr *rr)
{
    if (dns_name_check(rr->name, NULL, 0) < 0)
        return -1;
    if (z->nrr == z->caprr) {
        z->caprr = z->caprr ? 2 * z->caprr : 16;
        z->rr = xrealloc(z->rr, (size_t)z->caprr * sizeof *z->rr);
    }
    z->rr[z->nrr] = *rr;
    dns_name_copy(z->rr[z->nrr].name, rr->name);
    z->nrr++;
    return 0;
}

/* The apex of the zone this server holds that is closest to name, or NULL. */
static const char *best_apex(const struct dns_zone *z, const char *name)
{
    const char *best = NULL;
    for (int i = 0; i < z->napex; i++)
        if (dns_name_in(name, z->apex[i]) &&
            (!best || dns_name_labels(z->apex[i]) > dns_name_labels(best)))
            best = z->apex[i];
    return best;
}

static int zone_has(const struct dns_zone *z, const char *name, uint16_t type)
{
    for (int i = 0; i < z->nrr; i++)
        if (z->rr[i].type == type && dns_name_eq(z->rr[i].name, name))
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
    for (int i = 0; i < z->nrr; i++)
        if (z->rr[i].type == DNS_TYPE_SOA && dns_name_eq(z->rr[i].name, apex)) {
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
    memset(r, 0, sizeof *r);
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
            for (int i = 0; i < z->nrr; i++)
                if (z->rr[i].type == DNS_TYPE_NS && dns_name_eq(z->rr[i].name, cut))
                    add_rr(r->ns, &r->nns, &z->rr[i]);
            for (int k = 0; k < r->nns; k++)
                for (int i = 0; i < z->nrr; i++)
                    if (z->rr[i].type == DNS_TYPE_A &&
                        dns_name_eq(z->rr[i].name, r->ns[k].rd.target))
                        add_rr(r->ar, &r->nar, &z->rr[i]);
            return chain ? DNS_SRV_ANSWER : DNS_SRV_REFERRAL;
        }
        int exists = 0, found = 0;
        const struct dns_rr *cname = NULL;
        for (int i = 0; i < z->nrr; i++) {
            const struct dns_rr *rr = &z->rr[i];
            if (!dns_name_in(rr->name, sname))
                continue;
            exists = 1;                  /* the node, or an empty non-terminal */
            if (!dns_name_eq(rr->name, sname))
                continue;
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
            add_rr(r->an, &r->nan, cname);
            sname = cname->rd.target;
            apex = best_apex(z, sname);
            if (!apex)
                return DNS_SRV_ANSWER;    /* the resolver follows it */
            continue;
        }
        if (exists) {
            /* RFC 2308 2.2: NODATA — NOERROR, no answer, the SOA */
            add_soa(z, apex, r);
            return chain ? DNS_SRV_ANSWER : DNS_SRV_NODATA;
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
