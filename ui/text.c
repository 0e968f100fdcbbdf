/* text.c — the plain-text timeline (--batch): one aligned line per event,
 * its narration indented beneath. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "output.h"
#include "render.h"
#include "summary.h"
#include "real.h"

static const char *hname(const struct trace *tr, int h)
{
    const char *n = trace_host_name(tr, h);
    return n ? n : "-";
}

/* Data shown inline for app calls: printable ASCII, escapes otherwise,
 * cut at 40 bytes. */
static void quote_data(const uint8_t *p, size_t n, char *buf, size_t cap)
{
    size_t pos = 0;
    if (cap < 8)
        return;
    buf[pos++] = '"';
    for (size_t i = 0; i < n && pos + 8 < cap; i++) {
        if (i == 40) {
            pos += (size_t)snprintf(buf + pos, cap - pos, "...");
            break;
        }
        uint8_t c = p[i];
        if (c == '\n')
            pos += (size_t)snprintf(buf + pos, cap - pos, "\\n");
        else if (c == '\r')
            pos += (size_t)snprintf(buf + pos, cap - pos, "\\r");
        else if (c == '"' || c == '\\')
            pos += (size_t)snprintf(buf + pos, cap - pos, "\\%c", c);
        else if (c >= 32 && c < 127)
            buf[pos++] = (char)c;
        else
            pos += (size_t)snprintf(buf + pos, cap - pos, "\\x%02x", c);
    }
    if (pos + 2 < cap)
        buf[pos++] = '"';
    buf[pos] = '\0';
}

static const char *host_of_addr(const struct trace *tr, ip4_addr a, char *buf,
                                size_t n)
{
    int h = trace_host_by_addr(tr, a);
    return h >= 0 ? tr->host_names[h] : ip4_str(a, buf, n);
}

/* An application call, as a line of pseudo-code: listen(80),
 * connect(server:80), send() 5 bytes "hello", resolve(www.example.com) =
 * 203.0.113.80, http get www.example.com/ ... */
static void render_app(const struct trace *tr, const struct trace_rec *r,
                       char *buf, size_t n)
{
    char a[256], b[32];
    const int64_t *arg = r->why.a;
    size_t len = 0;
    const uint8_t *p = r->u.app.data ? trace_blob_data(tr, r->u.app.data, &len)
                                     : NULL;
    switch (r->why.id) {
    case N_APP_LISTEN: case N_APP_HTTP_SERVE:
        snprintf(buf, n, "listen(%" PRId64 ")%s", arg[0],
                 r->why.id == N_APP_HTTP_SERVE ? " as a web server" : "");
        return;
    case N_APP_UDP_BIND:
        snprintf(buf, n, "udp bind(%" PRId64 ")", arg[0]);
        return;
    case N_APP_CONNECT:
        snprintf(buf, n, "connect(%s:%" PRId64 ")",
                 host_of_addr(tr, (ip4_addr)arg[0], b, sizeof b), arg[1]);
        return;
    case N_APP_HTTP_GET:
        snprintf(buf, n, "http get %s%s", trace_str(tr, (uint32_t)arg[0]),
                 trace_str(tr, (uint32_t)arg[1]));
        return;
    case N_APP_HTTP_GET_PORT:
        snprintf(buf, n, "http get %s:%" PRId64 "%s", trace_str(tr, (uint32_t)arg[0]),
                 arg[2], trace_str(tr, (uint32_t)arg[1]));
        return;
    case N_APP_RESOLVING:
        snprintf(buf, n, "resolve(%s)", trace_str(tr, (uint32_t)arg[0]));
        return;
    case N_APP_RESOLVED:
        snprintf(buf, n, "resolve(%s) = %s", trace_str(tr, (uint32_t)arg[0]),
                 ip4_str((ip4_addr)arg[1], b, sizeof b));
        return;
    case N_APP_RESOLVE_FAIL:
        snprintf(buf, n, "resolve(%s) failed: %s", trace_str(tr, (uint32_t)arg[0]),
                 trace_str(tr, (uint32_t)arg[1]));
        return;
    case N_APP_RESOLVE_NOADDR: case N_APP_RESOLVE_TIMEOUT:
    case N_APP_RESOLVE_NOSTUB: case N_APP_RESOLVE_BADNAME:
    case N_APP_RESOLVE_BUSY:
        snprintf(buf, n, "resolve(%s) failed: %s", trace_str(tr, (uint32_t)arg[0]),
                 r->why.id == N_APP_RESOLVE_NOADDR ? "no address"
                 : r->why.id == N_APP_RESOLVE_TIMEOUT ? "no reply"
                 : r->why.id == N_APP_RESOLVE_NOSTUB ? "no DNS server"
                 : r->why.id == N_APP_RESOLVE_BADNAME ? "invalid name"
                 : "too many lookups");
        return;
    case N_APP_UDP_SEND:
        quote_data(p, len, a, sizeof a);
        snprintf(buf, n, "udp send(%s:%" PRId64 ") %zu bytes %s",
                 host_of_addr(tr, (ip4_addr)arg[1], b, sizeof b), arg[2], len, a);
        return;
    case N_APP_UDP_NONE:
        snprintf(buf, n, "udp recv() nothing waiting");
        return;
    default:
        break;
    }
    const char *call = app_call_name(r->u.app.call);
    if (r->layer == TL_UDP && r->u.app.call == AC_RECV)
        call = "udp recv";
    if (r->u.app.ret < 0 && r->u.app.call != AC_RESOLVE)
        snprintf(buf, n, "%s() failed", call);
    else if (p && len) {
        quote_data(p, len, a, sizeof a);
        snprintf(buf, n, "%s() %zu bytes %s", call, len, a);
    } else if (r->u.app.call == AC_RECV)
        snprintf(buf, n, "%s() 0 bytes", call);
    else
        snprintf(buf, n, "%s()", call);
}

/* A kernel observation, real call or captured segment (--real). */
static void render_real_event(const struct trace *tr, const struct trace_rec *r,
                              char *buf, size_t n)
{
    char fl[64], d[32];
    const char *src = real_source_name(RR_SOURCE(r));
    switch (RR_WHAT(r)) {
    case RW_STATE:
        if (RR_VAL(r) >= 0)
            snprintf(buf, n, "kernel %s  [%s, timer %s]",
                     tcp_state_name(RR_STATE(r)), src,
                     fmt_duration((int64_t)RR_VAL(r) * 1000, d, sizeof d));
        else
            snprintf(buf, n, "kernel %s  [%s]", tcp_state_name(RR_STATE(r)),
                     src);
        break;
    case RW_UNSEEN:
        snprintf(buf, n, "kernel %s not observed", tcp_state_name(RR_STATE(r)));
        break;
    case RW_CALL:
        snprintf(buf, n, "real %s()%s", real_call_name(RR_STATE(r)),
                 RR_VAL(r) < 0 ? " failed" : "");
        break;
    case RW_PACKET:
        tcp_flags_str(RR_FLAGS(r), fl, sizeof fl);
        if (RR_FLAGS(r) & TCP_ACK)
            snprintf(buf, n, "lo: %s -> %s  %s seq=%u ack=%u len=%d",
                     trace_str(tr, (uint32_t)r->why.a[0]),
                     trace_str(tr, (uint32_t)r->why.a[1]), fl, RR_SEQ(r),
                     RR_ACK(r), RR_VAL(r));
        else
            snprintf(buf, n, "lo: %s -> %s  %s seq=%u len=%d",
                     trace_str(tr, (uint32_t)r->why.a[0]),
                     trace_str(tr, (uint32_t)r->why.a[1]), fl, RR_SEQ(r),
                     RR_VAL(r));
        break;
    case RW_NOT_REPLAYED:
        snprintf(buf, n, "not replayed");
        break;
    default:
        snprintf(buf, n, "replay");
        break;
    }
}

char *render_event(const struct trace *tr, const struct trace_rec *r,
                   char *buf, size_t n)
{
    char a[256], d[32];
    switch (r->kind) {
    case TK_STATE:
        snprintf(buf, n, "%s -> %s", trace_state_name(r->layer, r->u.state.from),
                 trace_state_name(r->layer, r->u.state.to));
        break;
    case TK_SEND: case TK_RECV: case TK_DROP: {
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        struct frame f;
        char err[64];
        if (frame_decode(p, len, &f, err, sizeof err) == 0)
            packet_summary(&f, a, sizeof a);
        else
            snprintf(a, sizeof a, "malformed frame (%s)", err);
        snprintf(buf, n, "%s -> %s  %s%s", hname(tr, r->u.pkt.src),
                 hname(tr, r->u.pkt.dst), a, r->u.pkt.dup ? "  (copy)" : "");
        break;
    }
    case TK_TIMER:
        if (r->u.timer.action == TA_START)
            snprintf(buf, n, "%s start (due %s)", timer_name_str(r->u.timer.name),
                     fmt_time(r->u.timer.due_us, d, sizeof d));
        else
            snprintf(buf, n, "%s %s", timer_name_str(r->u.timer.name),
                     timer_action_str(r->u.timer.action));
        break;
    case TK_NOTE:
        snprintf(buf, n, "%s", trace_str(tr, r->u.note.text));
        break;
    case TK_APP:
        render_app(tr, r, buf, n);
        break;
    case TK_EXT:
        if (real_is_rec(r))
            render_real_event(tr, r, buf, n);
        else
            snprintf(buf, n, "%s", trace_kind_name(r->kind));
        break;
    default:
        snprintf(buf, n, "%s", trace_kind_name(r->kind));
        break;
    }
    return buf;
}

static const char *kind_label(const struct trace_rec *r)
{
    switch (r->kind) {
    case TK_STATE: return trace_layer_name(r->layer);
    default:       return real_kind_name(r);
    }
}

/* One side of a state row: "0.340s FIN_WAIT_2", "(not observed)", "". */
static const char *real_side(int state, int64_t t, int unseen, char *buf, size_t n)
{
    char tm[32];
    if (state < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%s %s%s", fmt_time(t, tm, sizeof tm),
                 tcp_state_name(state), unseen ? " (not observed)" : "");
    return buf;
}

/* A segment as "client -> server  FIN,ACK seq=6 ack=1 len=0". */
static const char *real_seg(const struct trace *tr, const struct trace_rec *r,
                            uint32_t seq, uint32_t ack, char *buf, size_t n)
{
    char fl[64];
    if (real_is_rec(r)) {
        tcp_flags_str(RR_FLAGS(r), fl, sizeof fl);
        snprintf(buf, n, "%s -> %s  %s seq=%u ack=%u len=%d",
                 trace_str(tr, (uint32_t)r->why.a[0]),
                 trace_str(tr, (uint32_t)r->why.a[1]), fl, RR_SEQ(r),
                 RR_ACK(r), RR_VAL(r));
        return buf;
    }
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (frame_decode(p, len, &f, err, sizeof err) != 0)
        return strcpy(buf, "?");
    tcp_flags_str(f.tcp.flags, fl, sizeof fl);
    /* signed: a segment before the connection's SYN (an old duplicate)
     * reads as a small negative number, not as 4294967287 */
    snprintf(buf, n, "%s -> %s  %s seq=%d ack=%d len=%zu",
             hname(tr, r->u.pkt.src), hname(tr, r->u.pkt.dst), fl, (int32_t)seq,
             (int32_t)ack, f.payload_len);
    return buf;
}

/* After the timeline of a --real run: per connection, the model's states
 * beside the kernel's, each difference explained in one sentence; then
 * what was not replayed, and the segments side by side when captured. */
static void render_real_table(FILE *fp, const struct sim *s)
{
    const struct trace *tr = &s->tr;
    struct real_compare c;
    char a[160], b[160], why[1024];
    static const char marks[] = { [RM_SAME] = '=', [RM_DETAIL] = '~', [RM_DIFF] = 'x' };
    char *vb = NULL;
    size_t vcap = 0;
#define VIS(x) text_visible((x), &vb, &vcap)
    real_compare(tr, s->scn, &c);
    fprintf(fp, "\nThe model beside the kernel (--real)\n");
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_INFO)
            fprintf(fp, "  %s\n", VIS(real_why(tr, r, why, sizeof why)));
    }
    for (int g = 0; g < c.ngeneral; g++)
        fprintf(fp, "  %s\n", VIS(real_narrate(tr, &c.general[g], why, sizeof why)));
    fprintf(fp, "  marks: = the same, ~ the same state but a detail differs, "
            "x only one side has it\n");
    for (int k = 0; k < c.nconns; k++) {
        const struct real_conn_table *t = &c.conns[k];
        fprintf(fp, "\n%s  %s%s\n", hname(tr, t->host), VIS(trace_str(tr, t->conn)),
                t->replayed ? "" : "  (no real counterpart)");
        fprintf(fp, "     %-32s %s\n", "model", "kernel");
        for (int i = 0; i < t->nrows; i++) {
            const struct real_row *row = &t->rows[i];
            real_side(row->sim_state, row->sim_t, 0, a, sizeof a);
            real_side(row->ker_state, row->ker_t, row->ker_what == RW_UNSEEN,
                      b, sizeof b);
            fprintf(fp, "  %c  %-32s %s", marks[row->mark], a, b);
            if (row->ker_state >= 0 && row->ker_what == RW_STATE)
                fprintf(fp, "  [%s]", real_source_name(row->ker_source));
            fputc('\n', fp);
            if (row->why.id != N_REAL_NONE)
                fprintf(fp, "       %s\n",
                        VIS(real_narrate(tr, &row->why, why, sizeof why)));
        }
    }
    int nr = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (!real_is_rec(r) || RR_WHAT(r) != RW_NOT_REPLAYED)
            continue;
        if (!nr++)
            fprintf(fp, "\nNot replayed on loopback:\n");
        fprintf(fp, "  - %s\n", VIS(real_why(tr, r, why, sizeof why)));
    }
    if (c.captured) {
        fprintf(fp, "\nSegments: the model's (seq/ack relative) beside lo's\n");
        fprintf(fp, "     %-46s %s\n", "model", "lo");
        for (int i = 0; i < c.npkts; i++) {
            const struct real_pkt_row *p = &c.pkts[i];
            if (p->sim_rec >= 0)
                real_seg(tr, &tr->recs[p->sim_rec], p->sim_seq, p->sim_ack, a, sizeof a);
            else
                strcpy(a, "-");
            if (p->ker_rec >= 0)
                real_seg(tr, &tr->recs[p->ker_rec], 0, 0, b, sizeof b);
            else
                strcpy(b, "-");
            fprintf(fp, "  %c  %-46s %s\n", marks[p->mark], a, b);
            if (p->why.id != N_REAL_NONE)
                fprintf(fp, "       %s\n",
                        VIS(real_narrate(tr, &p->why, why, sizeof why)));
        }
    }
    real_compare_free(&c);
    free(vb);
#undef VIS
}

int render_text(FILE *fp, const struct sim *s)
{
    const struct trace *tr = &s->tr;
    const struct scenario *scn = s->scn;
    char ev[512], why[1024], t[32], addr[20];
    /* lesson text (title, describe, notes, strings) reaches a terminal
     * here: whatever a terminal would act on is shown, not sent */
    char *vb = NULL;
    size_t vcap = 0;
    int hw = 4;
    for (int i = 0; i < tr->nhosts; i++) {
        int l = (int)strlen(tr->host_names[i]);
        if (l > hw)
            hw = l;
    }
    fprintf(fp, "%s\n", text_visible(scn->title ? scn->title : scn->path, &vb,
                                     &vcap));
    for (int i = 0; i < scn->ndescribe; i++)
        fprintf(fp, "  %s\n", text_visible(scn->describe[i], &vb, &vcap));
    fprintf(fp, "\nhosts:");
    for (int i = 0; i < tr->nhosts; i++)
        fprintf(fp, "  %s %s", tr->host_names[i],
                ip4_str(tr->host_addrs[i], addr, sizeof addr));
    fprintf(fp, "\n\n");

    /* the time column is as wide as the widest time */
    int tw = 4;
    for (size_t i = 0; i < tr->n; i++) {
        int l = (int)strlen(fmt_time(tr->recs[i].t_us, t, sizeof t));
        if (l > tw)
            tw = l;
    }
    fprintf(fp, "%*s  %-*s  %-6s  %s\n", tw, "time", hw, "host", "what", "event");
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        render_event(tr, r, ev, sizeof ev);
        fprintf(fp, "%*s  %-*s  %-6s  %s\n", tw,
                fmt_time(r->t_us, t, sizeof t), hw,
                r->host >= 0 ? tr->host_names[r->host] : "", kind_label(r),
                text_visible(ev, &vb, &vcap));
        trace_why(tr, r, why, sizeof why);
        if (why[0] && r->kind != TK_NOTE)
            fprintf(fp, "%*s  %s\n", tw + hw + 12, "",
                    text_visible(why, &vb, &vcap));
    }
    free(vb);
    if (s->truncated) {
        char lt[80];
        fprintf(fp, "%*s  %-*s  %-6s  run stopped by its %s (%s)\n", tw,
                fmt_time(s->stop.t_us, t, sizeof t), hw,
                s->stop.host >= 0 ? tr->host_names[s->stop.host] : "", "limit",
                sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt),
                sim_limit_option(s->stop.limit));
        fprintf(fp, "%*s  likely cause: %s\n", tw + hw + 12, "", s->stop.cause);
    }
    if (real_in_trace(tr))
        render_real_table(fp, s);
    return ferror(fp) ? -1 : 0;
}
