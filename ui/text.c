/* text.c — the plain-text timeline (--batch): one aligned line per event,
 * its narration indented beneath, written record by record as a trace
 * sink. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "alloc.h"
#include "i18n.h"
#include "language.h"
#include "narrate.h"
#include "output.h"
#include "render.h"
#include "summary.h"
#include "real.h"
#include "view.h"

static const char *hname(const struct trace *tr, int h)
{
    const char *n = trace_host_name(tr, h);
    return n ? n : "-";
}

const char *render_dst(const struct trace *tr, const struct trace_rec *r,
                       char *buf, size_t n)
{
    if (r->u.pkt.dst != HOST_BROADCAST)
        return hname(tr, r->u.pkt.dst);
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    if (!p || len < ETH_HDR_LEN + IP4_HDR_LEN ||
        !memcmp(p, MAC_BROADCAST.b, 6) ||
        ((p[12] << 8) | p[13]) != ETHERTYPE_IPV4)
        return "*";
    /* the IPv4 destination: bytes 16-19 of the header */
    const uint8_t *a = p + ETH_HDR_LEN + 16;
    return ip4_str((ip4_addr)a[0] << 24 | (ip4_addr)a[1] << 16 |
                   (ip4_addr)a[2] << 8 | a[3], buf, n);
}

/* stpcpy within [q, end): s copied as far as it fits before end - 1, and
 * a NUL after it; returns the NUL's place. */
static char *put(char *q, char *end, const char *s)
{
    while (*s && q < end - 1)
        *q++ = *s++;
    *q = '\0';
    return q;
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
    case N_APP_LISTEN: case N_APP_HTTP_SERVE: case N_APP_NGINX_SERVE:
    case N_APP_UWSGI_SERVE: case N_APP_LISTEN_BACKLOG:
        snprintf(buf, n, "listen(%" PRId64 ")%s", arg[0],
                 r->why.id == N_APP_HTTP_SERVE ? " as a web server"
                 : r->why.id == N_APP_NGINX_SERVE ? " as nginx"
                 : r->why.id == N_APP_UWSGI_SERVE ? " as uWSGI" : "");
        return;
    case N_APP_WSGI_CALL:
        snprintf(buf, n, "application(environ, start_response) %s %s",
                 trace_str(tr, (uint32_t)arg[0]), trace_str(tr, (uint32_t)arg[1]));
        return;
    case N_APP_UDP_BIND:
        snprintf(buf, n, "udp bind(%" PRId64 ")", arg[0]);
        return;
    case N_APP_BIND:
        snprintf(buf, n, "bind(%" PRId64 ")", arg[0]);
        return;
    case N_APP_SOCKET_UDP:
        snprintf(buf, n, "socket(udp)");
        return;
    case N_APP_CONNECT: case N_APP_CONNECT_EPH:
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
    case N_APP_RESOLVE_TRUNC:
        snprintf(buf, n, "resolve(%s) failed: truncated (TC=1)",
                 trace_str(tr, (uint32_t)arg[0]));
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
        snprintf(buf, n, "udp send(%s:%" PRId64 ") %zu byte%s %s",
                 host_of_addr(tr, (ip4_addr)arg[1], b, sizeof b), arg[2], len,
                 len == 1 ? "" : "s", a);
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
        snprintf(buf, n, "%s() %zu byte%s %s", call, len, len == 1 ? "" : "s", a);
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
    case TK_STATE: {
        char *q = put(buf, buf + n, trace_state_name(r->layer, r->u.state.from));
        q = put(q, buf + n, " -> ");
        put(q, buf + n, trace_state_name(r->layer, r->u.state.to));
        break;
    }
    case TK_SEND: case TK_RECV: case TK_DROP: {
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        struct frame f;
        char err[64];
        if (frame_decode_fields(p, len, &f, err, sizeof err) == 0)
            packet_summary(&f, a, sizeof a);
        else
            snprintf(a, sizeof a, "malformed frame (%s)", err);
        char to[16];
        char *q = put(buf, buf + n, hname(tr, r->u.pkt.src));
        q = put(q, buf + n, " -> ");
        q = put(q, buf + n, render_dst(tr, r, to, sizeof to));
        q = put(q, buf + n, "  ");
        q = put(q, buf + n, a);
        put(q, buf + n, r->u.pkt.dup ? "  (copy)" : "");
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
    if (frame_decode_fields(p, len, &f, err, sizeof err) != 0)
        return strcpy(buf, "?");
    tcp_flags_str(f.tcp.flags, fl, sizeof fl);
    /* signed: a segment before the connection's SYN (an old duplicate)
     * reads as a small negative number, not as 4294967287 */
    char d[16];
    snprintf(buf, n, "%s -> %s  %s seq=%d ack=%d len=%zu",
             hname(tr, r->u.pkt.src), render_dst(tr, r, d, sizeof d), fl, (int32_t)seq,
             (int32_t)ack, f.payload_len + f.cut);
    return buf;
}

/* A name padded with spaces to w columns of a terminal (a Chinese
 * character takes two), so that the columns after it line up. */
static const char *pad_name(char *buf, size_t n, const char *name, int w)
{
    int pad = w - view_text_width(name);
    size_t k = strlen(name), all = k + (size_t)(pad > 0 ? pad : 0);
    if (!n)
        return buf;
    if (all > n - 1)
        all = n - 1;                   /* cut, as snprintf would */
    if (k > all)
        k = all;
    memcpy(buf, name, k);
    memset(buf + k, ' ', all - k);
    buf[all] = '\0';
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
    char head[64];
    real_compare(tr, s->scn, &c);
    fprintf(fp, "\n%s\n", _("The model beside the kernel (--real)"));
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_INFO)
            fprintf(fp, "  %s\n", VIS(real_why(tr, r, why, sizeof why)));
    }
    for (int g = 0; g < c.ngeneral; g++)
        fprintf(fp, "  %s\n", VIS(real_narrate(tr, &c.general[g], why, sizeof why)));
    fprintf(fp, "  %s\n", _("marks: = the same, ~ the same state but a detail differs, "
                           "x only one side has it"));
    for (int k = 0; k < c.nconns; k++) {
        const struct real_conn_table *t = &c.conns[k];
        fprintf(fp, "\n%s  %s%s\n", hname(tr, t->host), VIS(trace_str(tr, t->conn)),
                t->replayed ? "" : _("  (no real counterpart)"));
        fprintf(fp, "     %s %s\n", pad_name(head, sizeof head, _("model"), 32), _("kernel"));
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
            fprintf(fp, "\n%s\n", _("Not replayed on loopback:"));
        fprintf(fp, "  - %s\n", VIS(real_why(tr, r, why, sizeof why)));
    }
    if (c.captured) {
        fprintf(fp, "\n%s\n", _("Segments: the model's (seq/ack relative) beside lo's"));
        fprintf(fp, "     %s %s\n", pad_name(head, sizeof head, _("model"), 46), "lo");
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

/* ---- the timeline, record by record ------------------------------------------ */

/* The time column is as wide as the widest time of the whole run, known
 * only at its end: the lines wait in a spool (memory, then a temporary
 * file once they pass SPOOL_MEM) with their time apart, and text_finish
 * pads and writes them.  A spooled line is "e<time> <rest>" for an event
 * (rest starts at the host column) or "w<text>" for its narration;
 * neither holds a newline (text_visible shows it as \n). */
enum { SPOOL_MEM = 4 << 20 };
/* A spool in a file keeps this much memory as the buffer of its writes
 * and of its reading back: the rest goes back before a crowd's run
 * reaches its peak. */
enum { SPOOL_BUF = 64 << 10 };

/* Writes the spool's buffer to its file and empties it. */
static void spool_flush(struct text_out *o)
{
    if (o->nmem && fwrite(o->mem, 1, o->nmem, o->tmp) != o->nmem && !o->err)
        o->err = errno ? errno : EIO;
    o->nmem = 0;
}

/* Moves the spool from memory to a temporary file; 0, or -1 when none
 * can be made (the lines then stay in memory).  SPOOL_BUF of the memory
 * stays, as the buffer of the file's writes. */
static int spool_to_file(struct text_out *o)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    int l = snprintf(path, sizeof path, "%s/protosim-spool-XXXXXX",
                     dir && *dir ? dir : "/tmp");
    if (l < 0 || (size_t)l >= sizeof path)
        return -1;
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);      /* gone when closed, whatever happens */
    if (fd < 0 || !(o->tmp = fdopen(fd, "w+"))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    spool_flush(o);
    o->mem = xrealloc(o->mem, SPOOL_BUF);
    o->capmem = SPOOL_BUF;
    return 0;
}

/* One spooled line: the strings of p[0..n) (n <= SPOOL_PARTS) and a
 * newline, copied into the buffer; a spool in a file writes the buffer
 * out when the line would pass SPOOL_BUF. */
enum { SPOOL_PARTS = 8 };

static void spool(struct text_out *o, const char *const *p, int n)
{
    size_t len[SPOOL_PARTS], all = 1;
    if (n > SPOOL_PARTS)
        abort();
    for (int k = 0; k < n; k++)
        all += len[k] = strlen(p[k]);
    if (!o->tmp && !o->nomore && o->nmem + all > SPOOL_MEM &&
        spool_to_file(o) < 0)
        o->nomore = 1;
    if (o->tmp && o->nmem + all > SPOOL_BUF)
        spool_flush(o);
    if (o->nmem + all > o->capmem) {
        size_t c = o->capmem ? o->capmem : 65536;
        while (c < o->nmem + all)
            c *= 2;
        o->mem = xrealloc(o->mem, c);
        o->capmem = c;
    }
    for (int k = 0; k < n; k++) {
        memcpy(o->mem + o->nmem, p[k], len[k]);
        o->nmem += len[k];
    }
    o->mem[o->nmem++] = '\n';
}

void text_begin(struct text_out *o, FILE *fp, const struct sim *s)
{
    const struct trace *tr = &s->tr;
    const struct scenario *scn = s->scn;
    char addr[20];
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->s = s;
    chapters_begin(&o->ch, scn);
    o->hw = 4;
    o->tw = 4;
    for (int i = 0; i < tr->nhosts; i++) {
        int l = view_text_width(tr->host_names[i]);
        if (l > o->hw)
            o->hw = l;
    }
    /* lesson text (title, describe, notes, strings) reaches a terminal
     * here: whatever a terminal would act on is shown, not sent */
    fprintf(fp, "%s\n", text_visible(lesson_title(scn), &o->vb, &o->vcap));
    for (int i = 0; i < scn->ndescribe; i++)
        fprintf(fp, "  %s\n", text_visible(scn_text(scn, scn->describe[i],
                                                     scn->describe_zh ? scn->describe_zh[i]
                                                                      : NULL),
                                            &o->vb, &o->vcap));
    fprintf(fp, "\n%s", _("hosts:"));
    for (int i = 0; i < tr->nhosts; i++) {
        /* a capture's host is named by its address (and, on loopback,
         * its port): said once */
        ip4_str(tr->host_addrs[i], addr, sizeof addr);
        size_t al = strlen(addr);
        const char *nm = tr->host_names[i];
        if (strncmp(nm, addr, al) || (nm[al] != '\0' && nm[al] != ':'))
            fprintf(fp, "  %s %s", tr->host_names[i], addr);
        else
            fprintf(fp, "  %s", nm);
    }
    fprintf(fp, "\n\n");
}

void text_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r)
{
    struct text_out *o = ctx;
    char ev[512], why[1024], t[32], mid[256];
    chapters_rec(&o->ch, tr, i, r);
    int l = (int)strlen(fmt_time(r->t_us, t, sizeof t));
    if (l > o->tw)
        o->tw = l;
    render_event(tr, r, ev, sizeof ev);
    /* "  HOST  KIND    ": each padded to its column's width on a terminal
     * (a kind is ASCII) */
    char hn[SCN_NAME_MAX + 64], kn[32], *end = mid + sizeof mid;
    char *q = put(mid, end, "  ");
    q = put(q, end, pad_name(hn, sizeof hn, r->host >= 0 ? tr->host_names[r->host] : "",
                             o->hw));
    q = put(q, end, "  ");
    q = put(q, end, pad_name(kn, sizeof kn, kind_label(r), 6));
    put(q, end, "  ");
    const char *line[] = { "e", t, " ", mid, text_visible(ev, &o->vb, &o->vcap) };
    spool(o, line, 5);
    trace_why(tr, r, why, sizeof why);
    if (why[0] && r->kind != TK_NOTE) {
        const char *w[] = { "w", text_visible(why, &o->vb, &o->vcap) };
        spool(o, w, 2);
    }
}

/* A line of output: pad spaces, a[0..na), b[0..nb) and a newline, built
 * whole in o->ob and written at once. */
static void write_line(struct text_out *o, size_t pad, const char *a, size_t na,
                       const char *b, size_t nb)
{
    size_t all = pad + na + nb + 1;
    if (o->obcap < all) {
        o->obcap = all + 256;
        o->ob = xrealloc(o->ob, o->obcap);
    }
    memset(o->ob, ' ', pad);
    memcpy(o->ob + pad, a, na);
    memcpy(o->ob + pad + na, b, nb);
    o->ob[all - 1] = '\n';
    fwrite(o->ob, 1, all, o->fp);
}

/* One spooled line (without its newline), padded to the time column. */
static void unspool(struct text_out *o, const char *p, size_t n)
{
    if (n && p[0] == 'e') {
        /* a chapter's heading before its first record (ui/chapters.h) */
        long k = chapter_of(&o->ch, o->nout);
        if (k >= 0 && o->ch.v[k].first == o->nout) {
            const struct chapter *ch = &o->ch.v[k];
            fprintf(o->fp, _("== chapter %ld of %zu: %s (events %zu-%zu) ==\n"),
                    k + 1, o->ch.n,
                    text_visible(chapter_title(&o->ch, ch), &o->vb, &o->vcap),
                    ch->first + 1, ch->last + 1);
        }
        o->nout++;
        const char *sp = memchr(p, ' ', n);
        if (!sp)
            return;
        /* "e<time> <rest>": the time right-aligned in its column, then rest */
        size_t tl = (size_t)(sp - p - 1);
        write_line(o, (size_t)o->tw > tl ? (size_t)o->tw - tl : 0, p + 1, tl,
                   sp + 1, n - (size_t)(sp + 1 - p));
    } else if (n) {              /* "w<text>": under the event column */
        write_line(o, (size_t)(o->tw + o->hw + 12) + 2, p + 1, n - 1, "", 0);
    } else {
        write_line(o, 0, "", 0, "", 0);
    }
}

int text_finish(struct text_out *o)
{
    FILE *fp = o->fp;
    const struct sim *s = o->s;
    const struct trace *tr = &s->tr;
    char t[32];
    int tw = o->tw, hw = o->hw, err = o->err;
    chapters_end(&o->ch);
    /* the header, by terminal width: its words may be Chinese */
    char h1[64], h2[64];
    const char *th = _("time");
    fprintf(fp, "%*s%s  %s  %s  %s\n", tw - view_text_width(th) > 0 ? tw - view_text_width(th) : 0,
            "", th, pad_name(h1, sizeof h1, _("host"), hw),
            pad_name(h2, sizeof h2, _("what"), 6), _("event"));
    if (o->tmp) {
        spool_flush(o);
        err = o->err;
        if (fflush(o->tmp) != 0 || fseek(o->tmp, 0, SEEK_SET) != 0) {
            if (!err)
                err = errno ? errno : EIO;
        } else {
            /* read back in the spool's buffer, a buffer's worth at a time;
             * a line cut at the end waits for the next read */
            size_t have = 0, got;
            if (o->capmem < SPOOL_BUF) {
                o->capmem = SPOOL_BUF;
                o->mem = xrealloc(o->mem, o->capmem);
            }
            do {
                got = fread(o->mem + have, 1, o->capmem - have, o->tmp);
                have += got;
                size_t at = 0;
                const char *nl;
                while (at < have && (nl = memchr(o->mem + at, '\n', have - at))) {
                    unspool(o, o->mem + at, (size_t)(nl - (o->mem + at)));
                    at = (size_t)(nl - o->mem) + 1;
                }
                memmove(o->mem, o->mem + at, have - at);
                have -= at;
                if (have == o->capmem) {       /* a line longer than it */
                    o->capmem *= 2;
                    o->mem = xrealloc(o->mem, o->capmem);
                }
            } while (got);
            if (ferror(o->tmp) && !err)
                err = errno ? errno : EIO;
        }
        fclose(o->tmp);
    } else {
        for (size_t at = 0; at < o->nmem;) {
            const char *nl = memchr(o->mem + at, '\n', o->nmem - at);
            size_t n = (size_t)(nl - (o->mem + at));
            unspool(o, o->mem + at, n);
            at += n + 1;
        }
    }
    free(o->mem);
    if (s->truncated) {
        char lt[80];
        char hn[SCN_NAME_MAX + 64];
        fprintf(fp, _("%*s  %s  %-6s  run stopped by its %s (%s)\n"), tw,
                fmt_time(s->stop.t_us, t, sizeof t),
                pad_name(hn, sizeof hn, s->stop.host >= 0 ? tr->host_names[s->stop.host] : "",
                         hw), "limit",
                sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt),
                sim_limit_option(s->stop.limit));
        fprintf(fp, _("%*s  likely cause: %s\n"), tw + hw + 12, "", s->stop.cause);
    }
    free(o->vb);
    free(o->ob);
    chapters_free(&o->ch);
    if (real_in_trace(tr))
        render_real_table(fp, s);
    memset(o, 0, sizeof *o);
    if (err) {
        errno = err;
        return -1;
    }
    return ferror(fp) ? -1 : 0;
}

int render_text(FILE *fp, const struct sim *s)
{
    struct text_out o;
    text_begin(&o, fp, s);
    for (size_t i = s->tr.first; i < s->tr.n; i++)
        text_sink(&o, &s->tr, i, trace_rec(&s->tr, i));
    return text_finish(&o);
}
