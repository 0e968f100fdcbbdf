/* testutil.c — shared helpers for the simulator-level suites. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

struct scenario *tu_parse(const char *text)
{
    struct scn_errors e = { 0 };
    struct scenario *scn = scenario_parse("t.scn", text, strlen(text), &e);
    if (!scn) {
        char first[512];
        snprintf(first, sizeof first, "%s", e.n ? e.msgs[0] : "(no message)");
        scn_errors_free(&e);
        ck_abort_msg("scenario does not parse: %s", first);
    }
    scn_errors_free(&e);
    return scn;
}

static void put(struct tu_bytes *s, const void *p, size_t n)
{
    if (s->n + n > s->cap) {
        while (s->n + n > s->cap)
            s->cap = s->cap ? s->cap * 2 : 4096;
        s->p = realloc(s->p, s->cap);
        ck_assert_ptr_nonnull(s->p);
    }
    memcpy(s->p + s->n, p, n);
    s->n += n;
}

struct tu_bytes tu_trace_bytes(const struct trace *tr)
{
    struct tu_bytes s = { 0 };
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        char why[1024];
        put(&s, &r->t_us, sizeof r->t_us);
        put(&s, &r->host, sizeof r->host);
        put(&s, &r->kind, 1);
        put(&s, &r->layer, 1);
        put(&s, &r->of, sizeof r->of);
        const char *conn = trace_str(tr, r->conn);
        put(&s, conn, strlen(conn) + 1);
        put(&s, &r->why.id, sizeof r->why.id);
        put(&s, r->why.a, sizeof r->why.a);
        trace_why(tr, r, why, sizeof why);
        put(&s, why, strlen(why) + 1);
        size_t n = 0;
        const uint8_t *b = NULL;
        switch (r->kind) {
        case TK_STATE:
            put(&s, &r->u.state, sizeof r->u.state);
            break;
        case TK_SEND: case TK_RECV: case TK_DROP:
            put(&s, &r->u.pkt.src, sizeof r->u.pkt.src);
            put(&s, &r->u.pkt.dst, sizeof r->u.pkt.dst);
            put(&s, &r->u.pkt.dup, 1);
            put(&s, &r->u.pkt.reason, 1);
            put(&s, &r->u.pkt.lost_at, sizeof r->u.pkt.lost_at);
            b = trace_blob_data(tr, r->u.pkt.pkt, &n);
            break;
        case TK_TIMER:
            put(&s, &r->u.timer.name, 1);
            put(&s, &r->u.timer.action, 1);
            put(&s, &r->u.timer.due_us, sizeof r->u.timer.due_us);
            break;
        case TK_APP:
            put(&s, &r->u.app.call, 1);
            put(&s, &r->u.app.ret, sizeof r->u.app.ret);
            b = trace_blob_data(tr, r->u.app.data, &n);
            break;
        case TK_NOTE:
            b = (const uint8_t *)trace_str(tr, r->u.note.text);
            n = strlen((const char *)b);
            break;
        default:
            break;
        }
        put(&s, &n, sizeof n);
        if (n)
            put(&s, b, n);
    }
    return s;
}
