/* text.c — the plain-text timeline (--batch): one aligned line per event,
 * its narration indented beneath. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "render.h"
#include "summary.h"

static const char *hname(const struct trace *tr, int h)
{
    if (h == HOST_BROADCAST)
        return "*";
    return h >= 0 && h < tr->nhosts ? tr->host_names[h] : "-";
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
    for (int i = 0; i < tr->nhosts; i++)
        if (tr->host_addrs[i] == a)
            return tr->host_names[i];
    return ip4_str(a, buf, n);
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
    default:       return trace_kind_name(r->kind);
    }
}

int render_text(FILE *fp, const struct sim *s)
{
    const struct trace *tr = &s->tr;
    const struct scenario *scn = s->scn;
    char ev[512], why[1024], t[32], addr[20];
    int hw = 4;
    for (int i = 0; i < tr->nhosts; i++) {
        int l = (int)strlen(tr->host_names[i]);
        if (l > hw)
            hw = l;
    }
    fprintf(fp, "%s\n", scn->title ? scn->title : scn->path);
    for (int i = 0; i < scn->ndescribe; i++)
        fprintf(fp, "  %s\n", scn->describe[i]);
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
                r->host >= 0 ? tr->host_names[r->host] : "", kind_label(r), ev);
        trace_why(tr, r, why, sizeof why);
        if (why[0] && r->kind != TK_NOTE)
            fprintf(fp, "%*s  %s\n", tw + hw + 12, "", why);
    }
    if (s->truncated)
        fprintf(fp, "\n(stopped at %s: the run reached its time or event limit)\n",
                fmt_time(s->now, t, sizeof t));
    return ferror(fp) ? -1 : 0;
}
