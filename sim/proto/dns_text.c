/* dns_text.c — DNS text forms: records as zone-file lines (RFC 1035 5.1) both ways, and one-line message summaries. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dnsint.h"
#include "event.h"
#include "alloc.h"
#include "i18n.h"

/* ---- text forms ----------------------------------------------------- */

/* Appends printf-style text at *pos, always NUL-terminated within n. */
static void app(char *buf, size_t n, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void app(char *buf, size_t n, size_t *pos, const char *fmt, ...)
{
    if (*pos + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *pos, n - *pos, fmt, ap);
    va_end(ap);
    if (k > 0)
        *pos += (size_t)k < n - *pos ? (size_t)k : n - *pos - 1;
}

static void rdata_str(const struct dns_rr *rr, char *buf, size_t n,
                      size_t *pos)
{
    char a[DNS_NAME_BUF + 1], b[DNS_NAME_BUF + 1];
    if (rr->type == DNS_TYPE_A) {
        app(buf, n, pos, "%s", ip4_str(rr->rd.a, a, sizeof a));
    } else if (dns_type_has_name(rr->type)) {
        app(buf, n, pos, "%s", dns_fqdn(rr->rd.target, a, sizeof a));
    } else if (rr->type == DNS_TYPE_SOA) {
        const struct dns_soa *s = &rr->rd.soa;
        app(buf, n, pos, "%s %s %" PRIu32 " %" PRIu32 " %" PRIu32 " %"
            PRIu32 " %" PRIu32, dns_fqdn(s->mname, a, sizeof a),
            dns_fqdn(s->rname, b, sizeof b), s->serial, s->refresh, s->retry,
            s->expire, s->minimum);
    } else {
        /* RFC 3597 5: the generic form for a type we do not know */
        app(buf, n, pos, "\\# %u", rr->rd.raw.len);
        if (rr->rd.raw.len)
            app(buf, n, pos, " ");
        for (unsigned i = 0; i < rr->rd.raw.len && i < DNS_RAW_MAX; i++)
            app(buf, n, pos, "%02x", rr->rd.raw.b[i]);
    }
}

char *dns_rr_str(const struct dns_rr *rr, char *buf, size_t n)
{
    char name[DNS_NAME_BUF + 1], t[16], c[16];
    size_t pos = 0;
    if (n == 0)
        return buf;
    buf[0] = '\0';
    app(buf, n, &pos, "%s %" PRIu32 " %s %s ", dns_fqdn(rr->name, name, sizeof name),
        rr->ttl, dns_class_name(rr->cls, c, sizeof c),
        dns_type_name(rr->type, t, sizeof t));
    rdata_str(rr, buf, n, &pos);
    return buf;
}

static int parse_u32(const char *s, uint32_t *v)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || x > 0xffffffffull)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

/* The reason a record is refused names the token at fault and, where a
 * scenario shows it, the parser points at that token: *bad is its byte
 * offset in text (0 when no one token is at fault). */
int dns_rr_parse_at(const char *text, struct dns_rr *rr, char *err, size_t n,
                    size_t *bad)
{
    char copy[1024], *tok[12], *save = NULL;
    int k = 0, ti;
    const char *why = NULL, *at = NULL;     /* at: the token at fault */
    char nerr[96];
    if (bad)
        *bad = 0;
    if (strlen(text) >= sizeof copy) {
        why = N_("record text too long");
        goto bad;
    }
    strcpy(copy, text);
    for (char *t = strtok_r(copy, " \t", &save); t && k < 12;
         t = strtok_r(NULL, " \t", &save))
        tok[k++] = t;
    memset(rr, 0, sizeof *rr);
    if (k < 4) {
        why = N_("expected NAME TTL [IN] TYPE DATA");
        goto bad;
    }
    if (dns_name_check(tok[0], nerr, sizeof nerr) < 0) {
        why = nerr;
        at = tok[0];
        goto bad;
    }
    dns_name_copy(rr->name, tok[0]);
    if (parse_u32(tok[1], &rr->ttl) < 0) {
        /* RFC 2181 8: a TTL is an unsigned 32-bit number of seconds */
        why = N_("expected a TTL in seconds (0 to 4294967295) after the name");
        at = tok[1];
        goto bad;
    }
    ti = 2;
    rr->cls = DNS_CLASS_IN;
    if (!strcasecmp(tok[2], "IN"))
        ti = 3;
    int type = dns_type_parse(tok[ti]);
    if (type != DNS_TYPE_A && type != DNS_TYPE_NS && type != DNS_TYPE_CNAME &&
        type != DNS_TYPE_SOA) {
        why = N_("expected a record type: A, NS, CNAME or SOA");
        at = tok[ti];
        goto bad;
    }
    rr->type = (uint16_t)type;
    int nd = k - ti - 1;
    char **d = tok + ti + 1;
    if (type == DNS_TYPE_A) {
        if (nd != 1 || ip4_parse(d[0], &rr->rd.a) < 0) {
            why = N_("an A record needs one IPv4 address");
            at = nd >= 1 && ip4_parse(d[0], &rr->rd.a) < 0 ? d[0]
               : nd > 1 ? d[1] : NULL;
            goto bad;
        }
    } else if (type == DNS_TYPE_SOA) {
        if (nd != 7) {
            why = N_("SOA needs MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM");
            at = nd > 7 ? d[7] : NULL;
            goto bad;
        }
        uint32_t v[5];
        for (int i = 0; i < 5; i++)
            if (parse_u32(d[2 + i], &v[i]) < 0) {
                why = N_("SOA numbers must be unsigned 32-bit integers");
                at = d[2 + i];
                goto bad;
            }
        for (int i = 0; i < 2; i++)
            if (dns_name_check(d[i], nerr, sizeof nerr) < 0) {
                why = nerr;
                at = d[i];
                goto bad;
            }
        char owner[DNS_NAME_BUF];
        uint32_t ttl = rr->ttl;
        memcpy(owner, rr->name, sizeof owner);   /* dns_rr_soa clears rr */
        dns_rr_soa(rr, owner, ttl, d[0], d[1], v[0], v[1], v[2], v[3], v[4]);
    } else {
        if (nd != 1) {
            why = N_("NS and CNAME need one domain name");
            at = nd > 1 ? d[1] : NULL;
            goto bad;
        }
        if (dns_name_check(d[0], nerr, sizeof nerr) < 0) {
            why = nerr;
            at = d[0];
            goto bad;
        }
        dns_name_copy(rr->rd.target, d[0]);
    }
    return 0;
bad:
    if (bad && at)
        *bad = (size_t)(at - copy);
    if (err && n) {
        /* in the chosen language, as the scenario parser shows it (a name's
         * reason, nerr, is already: dns_name_check translates it) */
        if (why != nerr)
            why = _(why);
        if (at && strlen(at) > 40)
            snprintf(err, n, _("%s, found \"%.40s\"..."), why, at);
        else if (at)
            snprintf(err, n, _("%s, found \"%s\""), why, at);
        else
            snprintf(err, n, "%s", why);
    }
    return -1;
}

int dns_rr_parse(const char *text, struct dns_rr *rr, char *err, size_t n)
{
    return dns_rr_parse_at(text, rr, err, n, NULL);
}

int dns_reply_kind(const struct dns_msg *m)
{
    if (!m->qr)
        return -1;
    if (m->rcode == DNS_RCODE_NXDOMAIN)
        return DNS_REPLY_NXDOMAIN;
    if (m->rcode != DNS_RCODE_NOERROR)
        return DNS_REPLY_ERROR;
    if (m->nan)
        return DNS_REPLY_ANSWER;
    if (!m->aa)
        for (int i = 0; i < m->nns; i++)
            if (m->ns[i].type == DNS_TYPE_NS)
                return DNS_REPLY_REFERRAL;
    return DNS_REPLY_NODATA;
}

char *dns_summary(const struct dns_msg *m, char *buf, size_t n)
{
    char t[16], r[16], a[DNS_NAME_BUF];
    size_t pos = 0;
    const char *qn = m->qdcount ? m->qname : "(no question)";
    const char *tn = dns_type_name(m->qtype, t, sizeof t);
    if (n == 0)
        return buf;
    buf[0] = '\0';
    int kind = dns_reply_kind(m);
    if (kind < 0) {
        app(buf, n, &pos, "%s? %s", tn, qn);
    } else if (kind == DNS_REPLY_NXDOMAIN) {
        app(buf, n, &pos, "NXDOMAIN %s", qn);
    } else if (kind == DNS_REPLY_ERROR) {
        app(buf, n, &pos, "%s %s", dns_rcode_name(m->rcode, r, sizeof r), qn);
    } else if (kind == DNS_REPLY_ANSWER) {
        app(buf, n, &pos, "%s %s =", tn, qn);
        for (int i = 0; i < m->nan; i++) {
            const struct dns_rr *rr = &m->an[i];
            app(buf, n, &pos, i ? ", " : " ");
            if (rr->type != m->qtype)        /* "CNAME web.example.com" */
                app(buf, n, &pos, "%s ", dns_type_name(rr->type, t, sizeof t));
            if (rr->type == DNS_TYPE_A)
                app(buf, n, &pos, "%s", ip4_str(rr->rd.a, a, sizeof a));
            else if (dns_type_has_name(rr->type))
                app(buf, n, &pos, "%s", rr->rd.target);
            else if (rr->type == DNS_TYPE_SOA)
                app(buf, n, &pos, "%s", rr->rd.soa.mname);
            else
                rdata_str(rr, buf, n, &pos);
        }
    } else if (kind == DNS_REPLY_REFERRAL) {
        int first = 1, glue = 0;
        for (int i = 0; i < m->nns; i++) {
            if (m->ns[i].type != DNS_TYPE_NS)
                continue;
            if (first)
                app(buf, n, &pos, "referral %s NS %s", m->ns[i].name,
                    m->ns[i].rd.target);
            else
                app(buf, n, &pos, ", %s", m->ns[i].rd.target);
            first = 0;
        }
        for (int i = 0; i < m->nar; i++) {
            if (m->ar[i].type != DNS_TYPE_A)
                continue;
            app(buf, n, &pos, glue ? ", %s" : " + glue %s",
                ip4_str(m->ar[i].rd.a, a, sizeof a));
            glue = 1;
        }
    } else {
        app(buf, n, &pos, "NODATA %s %s", tn, qn);
    }
    if (m->tc)
        app(buf, n, &pos, " (truncated)");
    return buf;
}
