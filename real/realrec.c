/* realrec.c — the names and sentences of the --real driver's records. */
#include <stdint.h>
#include "narrate.h"
#include "realrec.h"
#include "tcp.h"
#include "trace.h"

/* ---- names --------------------------------------------------------------- */

const char *real_what_name(int what)
{
    static const char *const names[] = {
#define X(id, name) name,
        REAL_WHATS(X)
#undef X
    };
    return what >= 0 && what < RW_COUNT ? names[what] : "?";
}

const char *real_source_name(int source)
{
    static const char *const names[] = {
#define X(id, name) name,
        REAL_SOURCES(X)
#undef X
    };
    return source >= 0 && source < RS_COUNT ? names[source] : "?";
}

const char *real_kind_name(const struct trace_rec *r)
{
    return real_is_rec(r) ? REAL_KIND_NAME : trace_kind_name(r->kind);
}

const char *real_call_name(int call)
{
    return call == REAL_CALL_ACCEPT ? "accept" : app_call_name(call);
}

const char *real_state_label(const struct trace_rec *r)
{
    switch (RR_WHAT(r)) {
    case RW_STATE:        return tcp_state_name(RR_STATE(r));
    case RW_UNSEEN:       return "not observed";
    case RW_CALL:         return "call";
    case RW_PACKET:       return "packet";
    case RW_NOT_REPLAYED: return "not replayed";
    default:              return "info";
    }
}

const char *real_timer_name(int t)
{
    switch (t) {
    case 0:  return "none";
    case 1:  return "retransmit";
    case 2:  return "keepalive";
    case 3:  return "TIME_WAIT";
    case 4:  return "zero-window probe";
    default: return "unknown";
    }
}

int real_in_trace(const struct trace *tr)
{
    for (size_t i = tr->first; i < tr->n; i++)
        if (real_is_rec(trace_rec(tr, i)))
            return 1;
    return 0;
}

static const char *const templates_en[N_REAL_COUNT] = {
#define X(id, text) [id] = text,
    REAL_NARRATIONS(X)
#undef X
};

const char *real_narration_template(int id)
{
    if (id < 0 || id >= N_REAL_COUNT)
        return "";
    return templates_en[id];
}

static const char *str_cb(const void *ctx, uint32_t id)
{
    return trace_str(ctx, id);
}

char *real_narrate(const struct trace *tr, const struct why *w,
                   char *buf, size_t n)
{
    struct narrate_ctx nc = { str_cb, tr };
    return narrate_template(real_narration_template(w->id), w, &nc, buf, n);
}

char *real_why(const struct trace *tr, const struct trace_rec *r,
               char *buf, size_t n)
{
    return real_narrate(tr, &r->why, buf, n);
}
