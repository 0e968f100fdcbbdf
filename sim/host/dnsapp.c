/* dnsapp.c — the DNS roles on the simulated hosts: authoritative servers
 * (`zone`/`record`), recursive resolvers (`resolver`) and each client's stub
 * resolver (`host ... dns ADDR`), carried over UDP port 53.  The protocol
 * logic is in sim/proto/dns_*.c; this file is transport, timers and the trace,
 * plugged in as dns_app (app.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "ephemeral.h"
#include "narrate.h"

enum dns_who { WHO_RESOLVER, WHO_STUB };

/* A timer owner: which host's resolver or stub wants waking. */
struct dns_waker {
    struct sim *s;
    int      host;
    int      who;
    event_id ev;
    int64_t  at;
};

struct dns_host {
    struct dns_zone *zone;          /* authoritative data, NULL if none */
    struct dns_resolver *res;       /* recursive resolver, NULL if none */
    struct dns_stub *stub;          /* stub resolver, NULL if no `dns` */
    uint16_t res_port, stub_port;   /* source ports of their queries */
    struct dns_waker res_wake, stub_wake;
    /* `http get NAME` waiting for the stub resolver */
    const struct scn_action *http_pending;
};

/* A dns_host only for a host with a DNS role, found by binary search in
 * the list of those hosts: a crowd of clients that never resolve a name
 * pays nothing. */
struct dns_sim {
    struct dns_role {
        int host;
        struct dns_host *d;
    } *roles;                       /* sorted by host */
    size_t nroles;
};

/* Host h's DNS roles, or NULL when it has none. */
static struct dns_host *dh_of(struct sim *s, int h)
{
    const struct dns_sim *ds = s->dns;
    size_t lo = 0, hi = ds->nroles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->roles[mid].host < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ds->nroles && ds->roles[lo].host == h ? ds->roles[lo].d : NULL;
}

/* Host h's DNS roles, made (with none yet) on first use, while the roles
 * are set up in by_host (one per host, for dnsapp_init only). */
static struct dns_host *dh_make(struct dns_host **by_host, int h)
{
    if (!by_host[h])
        by_host[h] = xcalloc(1, sizeof *by_host[h]);
    return by_host[h];
}

/* ---- transport ------------------------------------------------------------- */

/* A message leaves over UDP, so at most 512 octets (RFC 1035 4.2.1): a
 * longer one is cut to fit by dns_fit_udp, and its sentence says so and
 * by how much (it was dropped without a record before). */
static void emit_from(struct sim *s, int h, uint16_t sport, ip4_addr dst,
                      uint16_t dport, const struct dns_msg *m, struct why why)
{
    uint8_t buf[DNS_UDP_MAX];
    size_t n = dns_encode(m, buf, sizeof buf);
    if (n == 0) {
        struct dns_msg *t = xmalloc(sizeof *t);
        dns_msg_copy(t, m);
        int ar_out, rr_out;
        size_t whole = dns_fit_udp(t, &ar_out, &rr_out);
        n = whole ? dns_encode(t, buf, sizeof buf) : 0;
        free(t);
        if (n == 0)
            return;
        why = rr_out ? WHY(N_DNS_UDP_TC, (int64_t)whole, rr_out + ar_out)
                     : WHY(N_DNS_UDP_TRIM, (int64_t)whole, ar_out);
    }
    sim_udp_send(s, h, sport, dst, dport, buf, n, TL_DNS, why);
}

static void res_emit(void *ctx, ip4_addr dst, uint16_t dport,
                     const struct dns_msg *m, struct why why)
{
    struct dns_waker *w = ctx;
    struct dns_host *d = dh_of(w->s, w->host);
    /* queries leave from the resolver's port; answers to stubs from 53 */
    emit_from(w->s, w->host, m->qr ? DNS_PORT : d->res_port, dst, dport, m, why);
}

static void stub_emit(void *ctx, ip4_addr dst, uint16_t dport,
                      const struct dns_msg *m, struct why why)
{
    struct dns_waker *w = ctx;
    emit_from(w->s, w->host, dh_of(w->s, w->host)->stub_port, dst, dport, m,
              why);
}

static uint16_t next_id(void *ctx)
{
    struct dns_waker *w = ctx;
    return (uint16_t)rng_next(&w->s->rng);
}

static void sync_wake(struct dns_waker *w)
{
    struct sim *s = w->s;
    struct dns_host *d = dh_of(s, w->host);
    int64_t t = w->who == WHO_RESOLVER ? dns_resolver_deadline(d->res)
                                       : dns_stub_deadline(d->stub);
    if (t == w->at)
        return;
    eq_cancel(&s->q, w->ev);
    w->ev = 0;
    w->at = t;
    if (t >= 0)
        w->ev = app_timer_at(s, &dns_app, t, w);
}

static void dnsapp_timer(struct sim *s, void *who)
{
    struct dns_waker *w = who;
    struct dns_host *d = dh_of(s, w->host);
    w->ev = 0;
    w->at = -1;
    if (w->who == WHO_RESOLVER)
        dns_resolver_timer(d->res, s->now);
    else
        dns_stub_timer(d->stub, s->now);
    sync_wake(w);
}

/* ---- the stub's answer reaches the application ------------------------------- */

static void stub_done(void *ctx, struct dns_stub *stub, int handle,
                      const struct dns_stub_result *res)
{
    (void)stub;
    (void)handle;
    struct dns_waker *w = ctx;
    struct sim *s = w->s;
    int h = w->host;
    struct dns_host *d = dh_of(s, h);
    uint32_t name = trace_intern(&s->tr, res->name);
    if (res->rcode == DNS_RCODE_NOERROR && res->naddr > 0) {
        uint8_t a[4] = { (uint8_t)(res->addr[0] >> 24), (uint8_t)(res->addr[0] >> 16),
                         (uint8_t)(res->addr[0] >> 8), (uint8_t)res->addr[0] };
        trace_app(&s->tr, s->now, h, TL_DNS, 0, AC_RESOLVE, 0, a, 4,
                  WHY(N_APP_RESOLVED, name, res->addr[0]));
    } else {
        char rc[16];
        /* one sentence per way a lookup fails; the rcode travels in the
         * narration's third parameter: -1 no reply at all, 0 an answer
         * without addresses, else the rcode */
        struct why why =
            res->rcode < 0
                ? WHY(N_APP_RESOLVE_TIMEOUT, name, d->stub->cfg.server, -1)
            : res->msg && res->msg->tc
                ? WHY(N_APP_RESOLVE_TRUNC, name, 0, res->rcode)
            : res->rcode == DNS_RCODE_NOERROR
                ? WHY(N_APP_RESOLVE_NOADDR, name, 0, 0)
                : WHY(N_APP_RESOLVE_FAIL, name,
                      trace_intern(&s->tr, dns_rcode_name(res->rcode, rc,
                                                          sizeof rc)),
                      res->rcode);
        trace_app(&s->tr, s->now, h, TL_DNS, 0, AC_RESOLVE, -1,
                  (const uint8_t *)res->name, strlen(res->name), why);
    }
    const struct scn_action *pending = d->http_pending;
    if (pending && dns_name_eq(pending->text, res->name)) {
        d->http_pending = NULL;
        if (res->rcode == DNS_RCODE_NOERROR && res->naddr > 0)
            app_http_connect(s, h, pending, res->addr[0]);
    }
}

void dnsapp_resolve(struct sim *s, int h, const char *name,
                    const struct scn_action *http)
{
    struct dns_host *d = dh_of(s, h);
    if (!d || !d->stub) {
        trace_app(&s->tr, s->now, h, TL_DNS, 0, AC_RESOLVE, -1, NULL, 0,
                  WHY(N_APP_RESOLVE_NOSTUB, trace_intern(&s->tr, name), 0, -1));
        return;
    }
    if (http)
        d->http_pending = http;
    /* dns_stub_resolve refuses a name that is not a valid domain name
     * (RFC 1035 2.3.1) and a lookup beyond its DNS_STUB_MAX at once: two
     * causes, two sentences */
    int bad = dns_name_check(name, NULL, 0) < 0;
    if (dns_stub_resolve(d->stub, s->now, name, DNS_TYPE_A) < 0) {
        trace_app(&s->tr, s->now, h, TL_DNS, 0, AC_RESOLVE, -1, NULL, 0,
                  bad ? WHY(N_APP_RESOLVE_BADNAME, trace_intern(&s->tr, name),
                            0, -1)
                      : WHY(N_APP_RESOLVE_BUSY, trace_intern(&s->tr, name), 0,
                            -1, DNS_STUB_MAX));
    }
    sync_wake(&d->stub_wake);
}

/* ---- arrival ------------------------------------------------------------------ */

static int dnsapp_udp_arrive(struct sim *s, int h, const struct frame *f,
                             uint32_t pkt)
{
    struct dns_host *d = dh_of(s, h);
    if (!d)
        return 0;              /* no DNS role here: not ours */
    int query = f->udp.dport == DNS_PORT && (d->zone || d->res);
    int reply = f->udp.sport == DNS_PORT &&
                ((d->res && f->udp.dport == d->res_port) ||
                 (d->stub && f->udp.dport == d->stub_port));
    if (!query && !reply)
        return 0;
    struct dns_msg m;
    char err[96];
    /* not a DNS message (or one this model cannot read) on a DNS role's
     * port: dropped, and the trace says so (it vanished without a record
     * before) */
    if (dns_decode(f->payload, f->payload_len, &m, err, sizeof err) < 0) {
        net_drop_arrived(s, h, pkt, TL_DNS, DR_DNSBAD,
                         WHY(N_DNS_MALFORMED, f->udp.dport));
        return 1;
    }
    if (query && !m.qr) {
        if (d->res) {
            char tn[16];
            if (dns_resolver_query(d->res, s->now, f->ip.src, f->udp.sport,
                                   &m) == DNS_QUERY_DUP)
                /* the stub asked again before the walk for its question
                 * ended: that walk answers it (the reply carries the same
                 * ID), so this copy goes no further, and the trace says so */
                net_drop_arrived(s, h, pkt, TL_DNS, DR_DNSDUP,
                                 WHY(N_DNS_R_DUP, f->ip.src,
                                     trace_intern(&s->tr, m.qname),
                                     trace_intern(&s->tr, dns_type_name(m.qtype, tn, sizeof tn)),
                                     m.id));
            sync_wake(&d->res_wake);
        } else {
            struct dns_msg r;
            int outcome = dns_server_answer(d->zone, &m, &r);
            emit_from(s, h, DNS_PORT, f->ip.src, f->udp.sport, &r,
                      dns_server_why(&s->tr, &m, &r, outcome));
        }
        return 1;
    }
    if (reply && m.qr) {
        int r = -1;
        if (d->res && f->udp.dport == d->res_port) {
            r = dns_resolver_response(d->res, s->now, f->ip.src, &m);
            sync_wake(&d->res_wake);
        } else if (d->stub) {
            r = dns_stub_response(d->stub, s->now, f->ip.src, &m);
            sync_wake(&d->stub_wake);
        }
        if (r < 0)
            net_drop_arrived(s, h, pkt, TL_DNS, DR_NOSOCK,
                             WHY(N_DNS_UNMATCHED, m.id));
        return 1;
    }
    /* a query to a client's port, or a reply to 53: nobody here waits for
     * it; the sentence says which of the two it was */
    net_drop_arrived(s, h, pkt, TL_DNS, DR_NOSOCK,
                     WHY(m.qr ? N_DNS_UNMATCHED : N_DNS_UNEXPECTED_QUERY, m.id));
    return 1;
}

/* ---- set-up ----------------------------------------------------------------------- */

static int dns_port_busy(const void *ctx, uint16_t port)
{
    const struct sim_host *hp = ctx;
    return port == hp->dns_ports[0] || port == hp->dns_ports[1];
}

/* The source port of a host's resolver or stub: a random one of the
 * ephemeral range (ephemeral.c), as an unbound socket gets on its first
 * sendto(), kept for the whole run (a real resolver draws one per query,
 * RFC 5452 10; one port per host keeps the lesson simpler). */
static uint16_t dns_port(struct sim *s, const struct sim_host *hp)
{
    return eph_pick(&s->port_rng, dns_port_busy, hp);
}

static void dnsapp_init(struct sim *s)
{
    const struct scenario *scn = s->scn;
    struct dns_sim *ds = xcalloc(1, sizeof *ds);
    struct dns_host **by_host = xcalloc((size_t)s->nhosts, sizeof *by_host);
    s->dns = ds;
    for (int i = 0; i < scn->nzones; i++) {
        struct dns_host *d = dh_make(by_host, scn->zones[i].host);
        if (!d->zone) {
            d->zone = xcalloc(1, sizeof *d->zone);
            dns_zone_init(d->zone);
        }
        dns_zone_add_apex(d->zone, scn->zones[i].apex);
    }
    for (int i = 0; i < scn->nrrs; i++) {
        struct dns_host *d = dh_make(by_host, scn->rrs[i].host);
        if (!d->zone) {
            d->zone = xcalloc(1, sizeof *d->zone);
            dns_zone_init(d->zone);
        }
        dns_zone_add(d->zone, &scn->rrs[i].rr);
    }
    /* each host's first `resolver` line, found in one pass: a crowd of
     * hosts with many resolvers costs hosts + resolvers, not their product */
    int *first_res = xmalloc((size_t)s->nhosts * sizeof *first_res);
    for (int h = 0; h < s->nhosts; h++)
        first_res[h] = -1;
    for (int i = scn->nresolvers; i-- > 0;)
        first_res[scn->resolvers[i].host] = i;
    /* host by host, as the ports come from one generator in this order */
    for (int h = 0; h < s->nhosts; h++) {
        struct sim_host *hp = &s->hosts[h];
        if (first_res[h] >= 0) {
            const struct scn_resolver *sr = &scn->resolvers[first_res[h]];
            struct dns_host *d = dh_make(by_host, h);
            struct dns_resolver_config cfg;
            dns_resolver_config_default(&cfg);
            cfg.nroots = sr->nhints < DNS_MAX_HINTS ? sr->nhints : DNS_MAX_HINTS;
            memcpy(cfg.roots, sr->hints, (size_t)cfg.nroots * sizeof cfg.roots[0]);
            d->res_wake = (struct dns_waker){ s, h, WHO_RESOLVER, 0, -1 };
            struct dns_env env = { &s->tr, h, res_emit, next_id, &d->res_wake };
            d->res = xcalloc(1, sizeof *d->res);
            dns_resolver_init(d->res, &cfg, &env);
            d->res_port = hp->dns_ports[0] = dns_port(s, hp);
        }
        if (hp->cfg->dns) {
            struct dns_host *d = dh_make(by_host, h);
            struct dns_stub_config cfg;
            dns_stub_config_default(&cfg);
            cfg.server = hp->cfg->dns;
            d->stub_wake = (struct dns_waker){ s, h, WHO_STUB, 0, -1 };
            struct dns_stub_env env = { &s->tr, h, stub_emit, next_id, stub_done,
                                        &d->stub_wake };
            d->stub = xcalloc(1, sizeof *d->stub);
            dns_stub_init(d->stub, &cfg, &env);
            d->stub_port = hp->dns_ports[1] = dns_port(s, hp);
        }
    }
    free(first_res);
    for (int h = 0; h < s->nhosts; h++)
        ds->nroles += by_host[h] != NULL;
    ds->roles = xcalloc(ds->nroles ? ds->nroles : 1, sizeof *ds->roles);
    size_t k = 0;
    for (int h = 0; h < s->nhosts; h++)
        if (by_host[h])
            ds->roles[k++] = (struct dns_role){ h, by_host[h] };
    free(by_host);
}

static void dnsapp_free(struct sim *s)
{
    struct dns_sim *ds = s->dns;
    if (!ds)
        return;
    for (size_t k = 0; k < ds->nroles; k++) {
        struct dns_host *d = ds->roles[k].d;
        if (d->zone) {
            dns_zone_free(d->zone);
            free(d->zone);
        }
        if (d->res) {
            dns_resolver_free(d->res);
            free(d->res);
        }
        if (d->stub) {
            dns_stub_free(d->stub);
            free(d->stub);
        }
        free(d);
    }
    free(ds->roles);
    free(ds);
    s->dns = NULL;
}

/* `resolve NAME`: the application's own look-up, recorded before the stub
 * takes it. */
static int dnsapp_action(struct sim *s, const struct scn_action *a)
{
    if (a->kind != ACT_RESOLVE)
        return 0;
    trace_app(&s->tr, s->now, a->host, TL_DNS, 0, AC_RESOLVE, 0, NULL, 0,
              WHY(N_APP_RESOLVING, trace_intern(&s->tr, a->text)));
    dnsapp_resolve(s, a->host, a->text, NULL);
    return 1;
}

const struct app_ops dns_app = {
    .name = "dns",
    .init = dnsapp_init,
    .free = dnsapp_free,
    .action = dnsapp_action,
    .udp_arrive = dnsapp_udp_arrive,
    .timer = dnsapp_timer,
};
