/* stats.c — --stats: counts instead of the timeline, gathered record by
 * record as a trace sink, so that a run of any length keeps no trace and
 * prints a few dozen lines. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "language.h"
#include "view.h"
#include "narrate.h"
#include "output.h"
#include "render.h"
#include "summary.h"
#include "tcp.h"

/* The kinds of TCP segment counted, in the order printed: a segment is
 * the first that fits (a SYN,ACK is not also counted as an ACK, a FIN
 * with data is a FIN). */
#define SEG_KINDS(X) \
    X(SYN,    "SYN")     \
    X(SYNACK, "SYN,ACK") \
    X(ACK,    "ACK")     \
    X(DATA,   "data")    \
    X(FIN,    "FIN")     \
    X(RST,    "RST")

enum seg_kind {
#define X(id, name) SEG_##id,
    SEG_KINDS(X)
#undef X
    SEG_COUNT
};

static const char *const seg_names[] = {
#define X(id, name) name,
    SEG_KINDS(X)
#undef X
};

static int seg_kind(uint8_t flags, size_t len)
{
    if (flags & TCP_RST)
        return SEG_RST;
    if ((flags & TCP_SYN) && (flags & TCP_ACK))
        return SEG_SYNACK;
    if (flags & TCP_SYN)
        return SEG_SYN;
    if (flags & TCP_FIN)
        return SEG_FIN;
    return len ? SEG_DATA : SEG_ACK;
}

enum { STATS_MAX_STATES = 16 };     /* more than any layer has */

struct stats_out {
    uint64_t records, sent, forwarded, copies, recv;
    uint64_t states[TL_COUNT][STATS_MAX_STATES];
    uint64_t segs[SEG_COUNT];
    uint64_t frames[TL_COUNT];        /* sent by their origin, by top protocol */
    uint64_t timers[TM_COUNT][3];     /* start, stop, expire */
    uint64_t drops[DR_COUNT];
    uint64_t lifecycles;
    int64_t  last_us;
};

void stats_begin(struct stats *st, FILE *fp, const struct sim *s)
{
    memset(st, 0, sizeof *st);
    st->fp = fp;
    st->s = s;
    st->c = xcalloc(1, sizeof *st->c);
}

void stats_sink(void *ctx, const struct trace *tr, size_t i,
                const struct trace_rec *r)
{
    struct stats_out *c = ((struct stats *)ctx)->c;
    (void)i;
    c->records++;
    c->last_us = r->t_us;
    switch (r->kind) {
    case TK_STATE:
        if (r->u.state.to < STATS_MAX_STATES)
            c->states[r->layer][r->u.state.to]++;
        /* a connection's life ends in TIME_WAIT, or in CLOSED from any
         * state but TIME_WAIT (counted already) and LISTEN (a listener) */
        if (r->layer == TL_TCP &&
            (r->u.state.to == TCPS_TIME_WAIT ||
             (r->u.state.to == TCPS_CLOSED && r->u.state.from != TCPS_TIME_WAIT &&
              r->u.state.from != TCPS_LISTEN)))
            c->lifecycles++;
        break;
    case TK_SEND: {
        if (r->u.pkt.dup) {
            c->copies++;
            break;
        }
        if (r->why.id == N_IP_FORWARD) {
            c->forwarded++;
            break;
        }
        c->sent++;
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        struct frame f;
        char err[8];
        if (frame_decode_fields(p, len, &f, err, sizeof err) != 0) {
            c->frames[TL_ETH]++;
            break;
        }
        c->frames[packet_top(&f)]++;
        if (f.l4 == IPPROTO_TCP_NUM)
            c->segs[seg_kind(f.tcp.flags, f.payload_len)]++;
        break;
    }
    case TK_RECV:
        c->recv++;
        break;
    case TK_DROP:
        if (r->u.pkt.reason < DR_COUNT)
            c->drops[r->u.pkt.reason]++;
        break;
    case TK_TIMER:
        if (r->u.timer.name < TM_COUNT && r->u.timer.action <= TA_EXPIRE)
            c->timers[r->u.timer.name][r->u.timer.action]++;
        break;
    default:
        break;
    }
}

/* A label after lead, padded to w columns of a terminal (a Chinese
 * character takes two); rrow right-aligns it. */
static void row(FILE *fp, const char *lead, const char *label, int w)
{
    int pad = w - view_text_width(label);
    fprintf(fp, "%s%s%*s", lead, label, pad > 0 ? pad : 0, "");
}

static void rrow(FILE *fp, const char *label, int w)
{
    int pad = w - view_text_width(label);
    fprintf(fp, "%*s%s", pad > 0 ? pad : 0, "", label);
}

int stats_finish(struct stats *st, double wall_s)
{
    FILE *fp = st->fp;
    const struct sim *s = st->s;
    const struct stats_out *c = st->c;
    const struct scenario *scn = s->scn;
    char t[32], *vb = NULL;
    size_t vcap = 0;
    fprintf(fp, "%s\n\n", text_visible(lesson_title(scn), &vb, &vcap));
    free(vb);
    row(fp, "", _("records"), 28);
    fprintf(fp, " %12" PRIu64 "\n", c->records);
    row(fp, "", st->capture ? _("time the capture spans") : _("simulated time"), 28);
    fprintf(fp, " %12s\n", fmt_time(s->truncated ? s->stop.t_us : c->last_us, t, sizeof t));
    if (!st->capture) {
        row(fp, "", _("events run"), 28);
        fprintf(fp, " %12" PRIu64 "\n", s->events_run);
    }
    for (int l = 0; l < TL_COUNT; l++) {
        int any = 0;
        for (int k = 0; k < STATS_MAX_STATES; k++) {
            if (!c->states[l][k])
                continue;
            if (!any++)
                fprintf(fp, _("\nstates entered (%s)\n"), trace_layer_name(l));
            fprintf(fp, "  %-26s %12" PRIu64 "\n", trace_state_name(l, k),
                    c->states[l][k]);
        }
    }
    fprintf(fp, "\n%s\n", _("frames sent"));
    for (int l = 0; l < TL_COUNT; l++)
        if (c->frames[l])
            fprintf(fp, "  %-26s %12" PRIu64 "\n", trace_layer_name(l),
                    c->frames[l]);
    row(fp, "  ", _("forwarded by a router"), 26);
    fprintf(fp, " %12" PRIu64 "\n", c->forwarded);
    row(fp, "  ", _("copies made by the network"), 26);
    fprintf(fp, " %12" PRIu64 "\n", c->copies);
    row(fp, "  ", _("received by a host"), 26);
    fprintf(fp, " %12" PRIu64 "\n", c->recv);
    fprintf(fp, "\n%s\n", _("TCP segments sent"));
    for (int k = 0; k < SEG_COUNT; k++)
        fprintf(fp, "  %-26s %12" PRIu64 "\n", seg_names[k], c->segs[k]);
    fputc('\n', fp);
    row(fp, "", _("timers"), 22);
    fputc(' ', fp);
    rrow(fp, _("start"), 12);
    fputc(' ', fp);
    rrow(fp, _("stop"), 8);
    fputc(' ', fp);
    rrow(fp, _("expire"), 8);
    fputc('\n', fp);
    for (int m = 0; m < TM_COUNT; m++)
        if (c->timers[m][0] || c->timers[m][1] || c->timers[m][2])
            fprintf(fp, "  %-20s %12" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
                    timer_name_str(m), c->timers[m][0], c->timers[m][1],
                    c->timers[m][2]);
    fprintf(fp, "\n%s\n", _("drops"));
    int nd = 0;
    for (int d = 0; d < DR_COUNT; d++)
        if (c->drops[d]) {
            row(fp, "  ", _(drop_reason_str(d)), 38);
            fprintf(fp, " %" PRIu64 "\n", c->drops[d]);
            nd++;
        }
    if (!nd)
        fprintf(fp, "  %s\n", _("none"));
    fputc('\n', fp);
    row(fp, "", _("lifecycles"), 28);
    fprintf(fp, " %12" PRIu64 "\n", c->lifecycles);
    fprintf(fp, "  %s\n", _("(TCP connections that reached TIME_WAIT, or CLOSED from "
                            "another state than LISTEN)"));
    if (s->truncated) {
        char lt[80];
        fprintf(fp, _("\nrun stopped by its %s (%s) at %s\n  likely cause: %s\n"),
                sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt),
                sim_limit_option(s->stop.limit), fmt_time(s->stop.t_us, t, sizeof t),
                s->stop.cause);
    }
    /* the one line that differs from run to run: keep it last (a capture
     * has no run to time) */
    if (!st->capture)
        fprintf(fp, _("\nwall %.3fs, %.0f lifecycles per second\n"), wall_s,
                wall_s > 0 ? (double)c->lifecycles / wall_s : 0.0);
    free(st->c);
    st->c = NULL;
    if (!st->err && ferror(fp))
        st->err = errno ? errno : EIO;
    if (st->err) {
        errno = st->err;
        return -1;
    }
    return 0;
}
