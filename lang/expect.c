/* expect.c — the scenario's expect lines, checked against a finished
 * trace: the trace is the only thing they read (frame patterns in
 * expect_frames.c).
 *
 * They read it whole (indices from 0 to n, blobs of any record), so a run
 * with --check keeps its whole trace (ui/main.c does not stream it; issue
 * 11 asks for expectations checked record by record, as a trace sink, so
 * that --check too runs in bounded memory: not done yet). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "alloc.h"
#include "lang.h"
#include "sim.h"
#include "langint.h"
#include "summary.h"
#include "arp.h"
#include "dns.h"
#include "tcp.h"

/* ---- expectations, read from the trace ----------------------------------- */

int scn_tcp_state_at(const struct trace *tr, int host, int64_t t)
{
    /* the connection that appeared last, and its last state at or before t;
     * connection ids are interned strings, so one flag per string says
     * whether a connection has been seen before */
    uint8_t *seen = xcalloc(tr->nstrs, 1);
    uint32_t latest = 0;
    int state = TCPS_CLOSED;
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
    /* the array doubles (16, 32, 64, ...): growing it by one for each of
     * 40000 failures copied it 40000 times (1.5 GB under AddressSanitizer) */
    int k = *nout;
    if (k == 0 || (k >= 16 && (k & (k - 1)) == 0)) {
        *out = xreallocarray(*out, (size_t)(k ? 2 * k : 16), sizeof **out);
    }
    (*out)[(*nout)++] = xstrdup(msg);
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
            packet_top(&f) == TL_DNS)
            q++;
    }
    return q;
}

/* ---- state histories ------------------------------------------------------ */

/* A connection id as sim_conn_name writes it, "HOST:LPORT" for a listening
 * socket or "HOST:LPORT-PEER:RPORT"; host is known, so a '-' in a host name
 * does not confuse it.  Returns 0 with the parts, -1 if it does not parse. */
static int conn_parts(const char *id, const char *host, unsigned *lport,
                      const char **peer, size_t *peerlen, unsigned *rport)
{
    size_t hl = strlen(host);
    if (strncmp(id, host, hl) || id[hl] != ':')
        return -1;
    char *end;
    unsigned long lp = strtoul(id + hl + 1, &end, 10);
    *lport = (unsigned)lp;
    *peer = NULL;
    *peerlen = 0;
    *rport = 0;
    if (*end == '\0')
        return 0;
    if (*end != '-')
        return -1;
    const char *p = end + 1, *colon = strrchr(p, ':');
    if (!colon)
        return -1;
    *peer = p;
    *peerlen = (size_t)(colon - p);
    *rport = (unsigned)strtoul(colon + 1, NULL, 10);
    return 0;
}

/* Does connection id (of e->host) fit the expectation's `on port` and
 * `with PEER port`?  *listener says it has no peer. */
static int conn_selected(const struct trace *tr, const struct scn_expect *e, const char *id,
                         int *listener)
{
    unsigned lp, rp;
    const char *peer;
    size_t pl;
    if (conn_parts(id, trace_host_name(tr, e->host), &lp, &peer, &pl, &rp))
        return 0;
    *listener = peer == NULL;
    if (e->lport && lp != e->lport)
        return 0;
    if (e->peer >= 0) {
        const char *pn = trace_host_name(tr, e->peer);
        if (!peer || pl != strlen(pn) || strncmp(peer, pn, pl))
            return 0;
    }
    return !e->rport || rp == e->rport;
}

static int check_states(const struct trace *tr, const struct scn_expect *e,
                        char *actual, size_t n)
{
    /* per interned id: 0 not seen, 1 selected, 2 not selected */
    uint8_t *cls = xcalloc(tr->nstrs ? tr->nstrs : 1, 1);
    uint32_t conns[8];
    int nconns = 0, listeners = 0, listener_at = -1;
    /* the history of every selected connection (at most 8 tell apart) */
    uint8_t hist[8][SCN_MAX_STATES + 1];
    int nh[8] = { 0 }, over[8] = { 0 };
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->kind != TK_STATE || r->layer != TL_TCP || r->host != e->host ||
            r->conn >= tr->nstrs)
            continue;
        if (!cls[r->conn]) {
            int lis = 0;
            cls[r->conn] = conn_selected(tr, e, trace_str(tr, r->conn), &lis) ? 1 : 2;
            if (cls[r->conn] == 1 && nconns < 8) {
                if (lis) {
                    listeners++;
                    listener_at = nconns;
                }
                conns[nconns++] = r->conn;
            }
        }
        int c = -1;
        for (int i = 0; i < nconns; i++)
            if (conns[i] == r->conn)
                c = i;
        if (c < 0)
            continue;
        if (!nh[c] || hist[c][nh[c] - 1] != r->u.state.from) {
            if (nh[c] <= SCN_MAX_STATES) hist[c][nh[c]++] = r->u.state.from;
            else over[c] = 1;
        }
        if (nh[c] <= SCN_MAX_STATES) hist[c][nh[c]++] = r->u.state.to;
        else over[c] = 1;
    }
    free(cls);
    const char *hn = trace_host_name(tr, e->host);
    int pick = 0;
    if (nconns > 1 && listeners == 1 && e->peer < 0)
        pick = listener_at;           /* `on port 80`: the listening socket */
    else if (nconns != 1) {
        if (!nconns) {
            snprintf(actual, n, "%s had no such connection", hn);
            return 0;
        }
        size_t pos = (size_t)snprintf(actual, n, "%s had %d such connections (", hn, nconns);
        for (int i = 0; i < nconns && pos < n; i++)
            pos += (size_t)snprintf(actual + pos, n - pos, "%s%s", i ? ", " : "",
                                    trace_str(tr, conns[i]));
        if (pos < n)
            snprintf(actual + pos, n - pos, "); name one with on port N or with PEER port N");
        return 0;
    }
    int ok = !over[pick] && nh[pick] == e->nstates &&
             !memcmp(hist[pick], e->states, (size_t)e->nstates);
    if (!ok) {
        size_t pos = (size_t)snprintf(actual, n, "%s went", trace_str(tr, conns[pick]));
        for (int i = 0; i < nh[pick] && pos < n; i++)
            pos += (size_t)snprintf(actual + pos, n - pos, " %s", tcp_state_name(hist[pick][i]));
        if (over[pick] && pos < n)
            snprintf(actual + pos, n - pos, " ...");
    }
    return ok;
}

/* ---- timers ----------------------------------------------------------------- */

static const char *const tevent_words[] = { "started", "restarted", "stopped", "expired" };

static int check_timer(const struct trace *tr, const struct scn_expect *e,
                       char *actual, size_t n)
{
    /* per (interned id, timer): running since its last start */
    uint8_t *running = xcalloc((tr->nstrs ? tr->nstrs : 1) * TM_COUNT, 1);
    long count = 0, shown = 0;
    int at_hit = 0, by_hit = 0;
    char times[200] = "", d[32];
    size_t pos = 0;
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->kind != TK_TIMER || r->host != e->host || r->conn >= tr->nstrs ||
            r->u.timer.name >= TM_COUNT)
            continue;
        uint8_t *run = &running[(size_t)r->conn * TM_COUNT + r->u.timer.name];
        int ev = r->u.timer.action == TA_START ? (*run ? TMX_RESTART : TMX_START)
               : r->u.timer.action == TA_STOP ? TMX_STOP : TMX_EXPIRE;
        *run = r->u.timer.action == TA_START;
        /* `started` counts every start, restarts included */
        if (r->u.timer.name != e->timer ||
            !(ev == e->tevent || (e->tevent == TMX_START && ev == TMX_RESTART)))
            continue;
        count++;
        at_hit |= r->t_us == e->t_us;
        by_hit |= r->t_us <= e->t_us;
        if (shown < 6 && pos < sizeof times)
            pos += (size_t)snprintf(times + pos, sizeof times - pos, "%s%s", shown ? ", " : "",
                                    fmt_duration(r->t_us, d, sizeof d));
        else if (shown == 6 && pos < sizeof times)
            pos += (size_t)snprintf(times + pos, sizeof times - pos, ", ...");
        shown++;
    }
    free(running);
    int ok = e->twhen == WHEN_COUNT ? count == e->count
           : e->twhen == WHEN_BY ? by_hit
           : e->twhen == WHEN_AT ? at_hit : count > 0;
    if (!ok) {
        const char *hn = trace_host_name(tr, e->host), *tn = timer_name_str(e->timer);
        if (!count)
            snprintf(actual, n, "%s's %s timer never %s", hn, tn, tevent_words[e->tevent]);
        else
            snprintf(actual, n, "%s's %s timer %s %ld time%s, at %s", hn, tn,
                     tevent_words[e->tevent], count, count == 1 ? "" : "s", times);
    }
    return ok;
}

/* ---- application calls ------------------------------------------------------ */

#define OUT_PENDING 1        /* a connect whose handshake had not ended */
#define OUT_CLOSED  2        /* closed before it was established, by no error */

/* How a connection that a connect() opened ended before ESTABLISHED, read
 * from the narration of its move to CLOSED: each id is one cause. */
static int connect_error(const struct trace_rec *r)
{
    switch (r->why.id) {
    case N_TCP_RST_SYNSENT: case N_TCP_RST_ACTIVE: return -TCPE_REFUSED;
    case N_TCP_RST_RESET:                          return -TCPE_RESET;
    case N_TCP_GIVE_UP:                            return -TCPE_TIMEOUT;
    default:                                       return OUT_CLOSED;
    }
}

static const char *outcome_text(int out, char *buf, size_t n)
{
    if (out == 0)
        snprintf(buf, n, "succeeded");
    else if (out == OUT_PENDING)
        snprintf(buf, n, "was still connecting at the end of the run");
    else if (out == OUT_CLOSED)
        snprintf(buf, n, "was closed before the connection was established");
    else
        snprintf(buf, n, "failed with \"%s\"", tcp_err_str(out));
    return buf;
}

static int check_call(const struct trace *tr, const struct scn_expect *e,
                      char *actual, size_t n)
{
    int *outs = NULL;
    size_t nouts = 0, cap = 0;
    /* per interned id: 1 + the index of the connect that opened it */
    size_t *opened = e->call == AC_CONNECT ? xcalloc(tr->nstrs ? tr->nstrs : 1,
                                                         sizeof *opened) : NULL;
    for (size_t k = 0; k < tr->n; k++) {
        const struct trace_rec *r = &tr->recs[k];
        if (r->host != e->host || r->layer != TL_TCP)
            continue;
        if (r->kind == TK_APP && r->u.app.call == e->call) {
            if (nouts == cap) {
                cap = cap ? 2 * cap : 8;
                outs = xreallocarray(outs, cap, sizeof *outs);
            }
            int out = r->u.app.ret < 0 ? r->u.app.ret : 0;
            /* connect() only starts the handshake: its result comes later */
            if (opened && !out && r->conn && r->conn < tr->nstrs) {
                out = OUT_PENDING;
                opened[r->conn] = nouts + 1;
            }
            outs[nouts++] = out;
        } else if (opened && r->kind == TK_STATE && r->conn < tr->nstrs && opened[r->conn]) {
            int *out = &outs[opened[r->conn] - 1];
            if (*out != OUT_PENDING)
                continue;
            if (r->u.state.to == TCPS_ESTABLISHED)
                *out = 0;
            else if (r->u.state.to == TCPS_CLOSED)
                *out = connect_error(r);
        }
    }
    free(opened);
    const char *hn = trace_host_name(tr, e->host), *cn = app_call_name(e->call);
    char ord[24], got[128], want[128];
    outcome_text(e->err, want, sizeof want);
    int ok;
    if (e->nth) {
        ok = (size_t)e->nth <= nouts && outs[e->nth - 1] == e->err;
        if ((size_t)e->nth > nouts)
            snprintf(actual, n, "%s made %zu %s call%s", hn, nouts, cn, nouts == 1 ? "" : "s");
        else if (!ok)
            snprintf(actual, n, "%s's %s %s %s", hn, lang_ordinal(e->nth, ord, sizeof ord), cn,
                     outcome_text(outs[e->nth - 1], got, sizeof got));
    } else {
        /* `succeeded`: every call; `error "X"`: some call */
        size_t i = 0, first_bad = nouts;
        for (; i < nouts; i++) {
            if (e->err && outs[i] == e->err)
                break;
            if (!e->err && outs[i] != 0 && first_bad == nouts)
                first_bad = i;
        }
        ok = nouts && (e->err ? i < nouts : first_bad == nouts);
        if (!nouts)
            snprintf(actual, n, "%s made no %s call", hn, cn);
        else if (!ok && !e->err)
            snprintf(actual, n, "%s's %s %s %s", hn, lang_ordinal((long)first_bad + 1, ord, sizeof ord),
                     cn, outcome_text(outs[first_bad], got, sizeof got));
        else if (!ok) {
            size_t pos = (size_t)snprintf(actual, n, "no %s by %s failed that way:", cn, hn);
            for (size_t j = 0; j < nouts && j < 4 && pos < n; j++)
                pos += (size_t)snprintf(actual + pos, n - pos, "%s the %s %s", j ? ";" : "",
                                        lang_ordinal((long)j + 1, ord, sizeof ord),
                                        outcome_text(outs[j], got, sizeof got));
        }
    }
    free(outs);
    return ok;
}

int scn_check(const struct sim *s, char ***out, int *nout)
{
    const struct trace *tr = &s->tr;
    const struct scenario *scn = s->scn;
    int failures = 0;
    char msg[2048], d[32];
    struct xcache xc = { 0 };

    for (int i = 0; i < scn->nexpects; i++) {
        const struct scn_expect *e = &scn->expects[i];
        int ok = 1;
        char actual[1024] = "";
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
            int st = scn_tcp_state_at(tr, e->host, e->t_us);
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
            uint8_t *all = xcalloc(cap, 1);
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
                    all = xrealloc(all, cap);
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
            long count = (long)lang_xcache_match(tr, &xc, &e->m)->n;
            ok = count == e->count;
            if (!ok)
                snprintf(actual, sizeof actual, "counted %ld", count);
            break;
        }
        case EXP_FIELDS:
            ok = lang_check_fields(tr, &xc, e, actual, sizeof actual);
            break;
        case EXP_STATES:
            ok = check_states(tr, e, actual, sizeof actual);
            break;
        case EXP_TIMER:
            ok = check_timer(tr, e, actual, sizeof actual);
            break;
        case EXP_CALL:
            ok = check_call(tr, e, actual, sizeof actual);
            break;
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
    lang_xcache_free(&xc);
    return failures;
}
