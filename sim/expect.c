/* expect.c — the scenario's expect lines, checked against a finished
 * trace: the trace is the only thing they read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "simint.h"

/* ---- expectations, read from the trace ----------------------------------- */

int trace_host_tcp_state_at(const struct trace *tr, int host, int64_t t)
{
    /* the connection that appeared last, and its last state at or before t */
    uint32_t latest = 0;
    int state = TCP_CLOSED;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->t_us > t)
            break;
        if (r->kind != TK_STATE || r->layer != TL_TCP || r->host != host)
            continue;
        if (r->conn != latest) {
            /* is this a connection seen before? then it is not newer */
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++)
                seen = tr->recs[j].kind == TK_STATE &&
                       tr->recs[j].layer == TL_TCP &&
                       tr->recs[j].conn == r->conn;
            if (seen)
                continue;
            latest = r->conn;
        }
        state = r->u.state.to;
    }
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
                    r->u.app.call != AC_RECV || !r->u.app.data)
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
