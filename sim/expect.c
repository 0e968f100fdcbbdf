/* expect.c — the scenario's expect lines, checked against a finished
 * trace: the trace is the only thing they read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "simint.h"
#include "summary.h"

/* ---- expectations, read from the trace ----------------------------------- */

int trace_host_tcp_state_at(const struct trace *tr, int host, int64_t t)
{
    /* the connection that appeared last, and its last state at or before t;
     * connection ids are interned strings, so one flag per string says
     * whether a connection has been seen before */
    uint8_t *seen = sim_xcalloc(tr->nstrs, 1);
    uint32_t latest = 0;
    int state = TCP_CLOSED;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->t_us > t)
            break;
        if (r->kind != TK_STATE || r->layer != TL_TCP || r->conn >= tr->nstrs)
            continue;
        int first = !seen[r->conn];
        seen[r->conn] = 1;
        if (r->host != host || (r->conn != latest && !first))
            continue;
        latest = r->conn;
        state = r->u.state.to;
    }
    free(seen);
    return state;
}

static void add_msg(char ***out, int *nout, const char *msg)
{
    if (!out)
        return;
    char **n = realloc(*out, (size_t)(*nout + 1) * sizeof **out);
    if (!n)
        abort();
    *out = n;
    (*out)[(*nout)++] = strdup(msg);
}

/* HOST arp ADDR STATE by|at T: the entry "arp:ADDR" on HOST */
static int check_arp(const struct trace *tr, const struct scn_expect *e,
                     char *actual, size_t n)
{
    char name[40], a[20], d[32];
    snprintf(name, sizeof name, "arp:%s", ip4_str(e->addr, a, sizeof a));
    int state = ARP_NONE, reached = 0;
    int64_t first = -1;
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->kind != TK_STATE || r->layer != TL_ARP || r->host != e->host ||
            strcmp(trace_str(tr, r->conn), name))
            continue;
        if (r->t_us <= e->t_us)
            state = r->u.state.to;
        if (r->u.state.to == e->state) {
            if (r->t_us <= e->t_us)
                reached = 1;
            else if (first < 0)
                first = r->t_us;
        }
    }
    if (e->when == 0) {
        if (!reached)
            snprintf(actual, n, first >= 0 ? "it became %s only at %s"
                                           : "it never became %s%s",
                     arp_state_name(e->state),
                     first >= 0 ? fmt_duration(first, d, sizeof d) : "");
        return reached;
    }
    if (state != e->state)
        snprintf(actual, n, "it was %s at %s", arp_state_name(state),
                 fmt_duration(e->t_us, d, sizeof d));
    return state == e->state;
}

/* HOST resolved NAME ADDR|NXDOMAIN|...: the last answer HOST's stub gave
 * its application for NAME (the resolve records carry it). */
static int check_resolved(const struct trace *tr, const struct scn_expect *e,
                          char *actual, size_t n)
{
    int found = 0, rcode = 0;
    ip4_addr addr = 0;
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->kind != TK_APP || r->host != e->host ||
            r->u.app.call != AC_RESOLVE)
            continue;
        if (r->why.id == N_APP_RESOLVED &&
            dns_name_eq(trace_str(tr, (uint32_t)r->why.a[0]), e->name)) {
            found = 1;
            rcode = 0;
            addr = (ip4_addr)r->why.a[1];
        } else if (r->u.app.ret < 0 &&
                   dns_name_eq(trace_str(tr, (uint32_t)r->why.a[0]), e->name)) {
            found = 1;
            rcode = (int)r->why.a[2];      /* -1 no reply, 0 no address */
            addr = 0;
        }
    }
    char a[20];
    if (!found) {
        snprintf(actual, n, "it never got an answer for %s", e->name);
        return 0;
    }
    int ok = rcode == e->rcode && (e->rcode != 0 || addr == e->addr);
    if (!ok) {
        if (rcode == 0 && addr)
            snprintf(actual, n, "it got %s", ip4_str(addr, a, sizeof a));
        else
            snprintf(actual, n, "it got %s", rcode == 3 ? "NXDOMAIN"
                     : rcode == 2 ? "SERVFAIL" : rcode < 0 ? "no answer"
                     : "no address");
    }
    return ok;
}

/* messages: whole framed messages; datagrams: what UDP reads returned */
static int check_messages(const struct trace *tr, const struct scn_expect *e,
                          char *actual, size_t n)
{
    int i = 0, ok = 1, udp = e->kind == EXP_DATAGRAMS;
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->kind != TK_APP || r->host != e->host)
            continue;
        if (udp ? r->u.app.call != AC_RECV || r->layer != TL_UDP ||
                  r->u.app.ret < 0 || r->why.id == N_APP_UDP_NONE
                : r->u.app.call != AC_MESSAGE)
            continue;
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.app.data, &len);
        if (i < e->nmsgs && (len != e->msg_lens[i] ||
                             (len && memcmp(p, e->msgs[i], len)))) {
            ok = 0;
            snprintf(actual, n, "message %d was \"%.*s\"", i + 1,
                     (int)(len > 60 ? 60 : len), (const char *)p);
        }
        i++;
    }
    if (ok && i != e->nmsgs) {
        ok = 0;
        snprintf(actual, n, udp ? "it read %d datagrams" : "it recovered %d messages", i);
    }
    return ok;
}

static long count_dns_queries(const struct trace *tr, int host)
{
    long q = 0;
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->kind != TK_SEND || r->u.pkt.dup || r->host != host)
            continue;
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        struct frame f;
        char err[64];
        if (frame_decode(p, len, &f, err, sizeof err) == 0 &&
            f.l4 == IPPROTO_UDP_NUM && f.udp.dport == DNS_PORT &&
            packet_top(&f) == TOP_DNS)
            q++;
    }
    return q;
}

int sim_check(const struct sim *s, char ***out, int *nout)
{
    const struct trace *tr = &s->tr;
    const struct scenario *scn = s->scn;
    int failures = 0;
    char msg[1024], d[32];

    for (int i = 0; i < scn->nexpects; i++) {
        const struct scn_expect *e = &scn->expects[i];
        int ok = 1;
        char actual[512] = "";
        switch (e->kind) {
        case EXP_STATE_BY: {
            ok = 0;
            int64_t first = -1;
            for (size_t k = 0; k < tr->n && !ok; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind == TK_STATE && r->layer == TL_TCP &&
                    r->host == e->host && r->u.state.to == e->state) {
                    if (r->t_us <= e->t_us)
                        ok = 1;
                    else if (first < 0)
                        first = r->t_us;
                }
            }
            if (!ok && first >= 0)
                snprintf(actual, sizeof actual, "it entered %s only at %s",
                         tcp_state_name(e->state), fmt_duration(first, d, sizeof d));
            else if (!ok)
                snprintf(actual, sizeof actual, "it never entered %s",
                         tcp_state_name(e->state));
            break;
        }
        case EXP_STATE_AT: {
            int st = trace_host_tcp_state_at(tr, e->host, e->t_us);
            ok = st == e->state;
            if (!ok)
                snprintf(actual, sizeof actual, "it was %s at %s",
                         tcp_state_name(st), fmt_duration(e->t_us, d, sizeof d));
            break;
        }
        case EXP_NEVER:
            for (size_t k = 0; k < tr->n && ok; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind == TK_STATE && r->layer == TL_TCP &&
                    r->host == e->host && r->u.state.to == e->state) {
                    ok = 0;
                    snprintf(actual, sizeof actual, "it entered %s at %s",
                             tcp_state_name(e->state),
                             fmt_duration(r->t_us, d, sizeof d));
                }
            }
            break;
        case EXP_RECEIVED: {
            size_t total = 0, cap = 64, pos = 0;
            uint8_t *all = sim_xcalloc(cap, 1);
            for (size_t k = 0; k < tr->n; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind != TK_APP || r->host != e->host ||
                    r->u.app.call != AC_RECV || !r->u.app.data ||
                    (r->layer != TL_TCP && r->layer != TL_HTTP))
                    continue;
                size_t n;
                const uint8_t *p = trace_blob_data(tr, r->u.app.data, &n);
                if (total + n > cap) {
                    while (cap < total + n)
                        cap *= 2;
                    all = realloc(all, cap);
                    if (!all)
                        abort();
                }
                memcpy(all + total, p, n);
                total += n;
            }
            ok = total == e->len && (total == 0 || !memcmp(all, e->data, total));
            if (!ok) {
                pos = (size_t)snprintf(actual, sizeof actual,
                                       "it read %zu bytes: \"", total);
                for (size_t k = 0; k < total && pos + 8 < sizeof actual; k++) {
                    uint8_t ch = all[k];
                    if (ch >= 32 && ch < 127 && ch != '"' && ch != '\\')
                        actual[pos++] = (char)ch;
                    else
                        pos += (size_t)snprintf(actual + pos, sizeof actual - pos,
                                                "\\x%02x", ch);
                }
                snprintf(actual + pos, sizeof actual - pos, "\"");
            }
            free(all);
            break;
        }
        case EXP_COUNT: {
            long count = 0;
            for (size_t k = 0; k < tr->n; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind != TK_SEND || r->u.pkt.dup)
                    continue;
                size_t n;
                const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &n);
                struct frame f;
                char err[64];
                if (frame_decode(p, n, &f, err, sizeof err) != 0 || !f.has_ip)
                    continue;
                if (scn_match_frame(&e->m, r->u.pkt.src, r->u.pkt.dst, f.l4,
                                    f.l4 == IPPROTO_TCP_NUM ? f.tcp.flags : 0,
                                    f.payload_len))
                    count++;
            }
            ok = count == e->count;
            if (!ok)
                snprintf(actual, sizeof actual, "counted %ld", count);
            break;
        }
        case EXP_ARP:
            ok = check_arp(tr, e, actual, sizeof actual);
            break;
        case EXP_RESOLVED:
            ok = check_resolved(tr, e, actual, sizeof actual);
            break;
        case EXP_MESSAGES: case EXP_DATAGRAMS:
            ok = check_messages(tr, e, actual, sizeof actual);
            break;
        case EXP_READS: {
            long reads = 0;
            for (size_t k = 0; k < tr->n; k++) {
                const struct trace_rec *r = &tr->recs[k];
                if (r->kind == TK_APP && r->host == e->host &&
                    r->u.app.call == AC_RECV && r->u.app.ret > 0 &&
                    (r->layer == TL_TCP || r->layer == TL_HTTP))
                    reads++;
            }
            ok = reads == e->count;
            if (!ok)
                snprintf(actual, sizeof actual, "%ld reads returned data", reads);
            break;
        }
        case EXP_QUERIES: {
            long q = count_dns_queries(tr, e->host);
            ok = q == e->count;
            if (!ok)
                snprintf(actual, sizeof actual, "it sent %ld DNS queries", q);
            break;
        }
        }
        if (!ok) {
            failures++;
            snprintf(msg, sizeof msg, "%s:%d: expectation failed: %s (%s)",
                     scn->path, e->line, e->src_text ? e->src_text : "?", actual);
            add_msg(out, nout, msg);
        }
    }
    return failures;
}
