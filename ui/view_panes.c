/* view_panes.c — the text around the diagram: inspector and state pane lines, the key table as help and hint line, and the panes, overlays and projector narration drawn from them. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "narrate.h"
#include "uwsgi.h"
#include "view.h"
#include "viewint.h"
#include "arp.h"
#include "dns.h"
#include "real.h"
#include "render.h"
#include "summary.h"
#include "tcp.h"
#include "wire.h"

/* ======================================================================== */
/* Lines for the panes                                                      */

static const char *host_name(const struct trace *tr, int h)
{
    const char *n = trace_host_name(tr, h);
    return n ? n : "-";
}

void view_lines_free(struct view_lines *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static void add_line_n(struct view_lines *l, int role, int head_role, int head_len,
                       const char *text, size_t len)
{
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 32;
        l->v = xreallocarray(l->v, (size_t)nc, sizeof *l->v);
        l->cap = nc;
    }
    char *t = xmalloc(len + 1);
    memcpy(t, text, len);
    t[len] = '\0';
    l->v[l->n++] = (struct view_line){ t, (uint8_t)role, (uint8_t)head_role,
                                       head_len };
}

/* Adds text word-wrapped to width; continuation lines are indented by
 * `indent` columns.  The first head_len bytes use head_role. */
/* Chinese punctuation that may not start a line (closing marks, pauses,
 * stops) and that may not end one (opening marks). */
static int cjk_no_start(uint32_t c)
{
    switch (c) {
    case 0x3001: case 0x3002: case 0xFF0C: case 0xFF0E: case 0xFF1A: case 0xFF1B:
    case 0xFF01: case 0xFF1F: case 0xFF09: case 0x3009: case 0x300B: case 0x300D:
    case 0x300F: case 0x3011: case 0x3015: case 0x3017: case 0xFF3D: case 0xFF5D:
    case 0x201D: case 0x2019: case 0x2026: case 0x00B7: case 0x30FB:
        return 1;
    default:
        return 0;
    }
}

static int cjk_no_end(uint32_t c)
{
    switch (c) {
    case 0xFF08: case 0x3008: case 0x300A: case 0x300C: case 0x300E: case 0x3010:
    case 0x3014: case 0x3016: case 0xFF3B: case 0xFF5B: case 0x201C: case 0x2018:
        return 1;
    default:
        return 0;
    }
}

static void add_wrapped(struct view_lines *l, int width, int indent, int role,
                        int head_role, int head_len, const char *text)
{
    /* Any width: wrapped at 8 columns on a narrower screen (the "terminal
     * too small" one at 3 or 7 columns), each line was cut at the screen's
     * edge and the rest of it, the sizes too, never shown.  A continuation
     * keeps a column for text, or nothing would fit after its indent. */
    if (width < 1)
        width = 1;
    if (indent > width - 1)
        indent = width - 1;
    char line[1024];
    const char *p = text;
    int first = 1;
    do {
        int pre = first ? 0 : indent;
        size_t pos = 0;
        memset(line, ' ', (size_t)pre);
        pos = (size_t)pre;
        int w = pre;
        const char *brk = NULL, *q = p;
        size_t brkpos = 0;
        int brkskip = 0;           /* a space is dropped; a wide char is not */
        uint32_t prev = 0;
        int prevw = 0;
        while (*q && *q != '\n') {
            uint32_t c;
            int len = vw_utf8_next(q, &c);
            int cw = vw_cp_width(c);
            if (w + cw > width || pos + (size_t)len + 1 >= sizeof line)
                break;
            if (c == ' ') {
                brk = q;
                brkpos = pos;
                brkskip = 1;
            } else if (q > p && (cw == 2 || prevw == 2) && !cjk_no_start(c) &&
                       !cjk_no_end(prev)) {
                /* Chinese breaks between any two characters, and between
                 * one and a word of Latin letters, but a line never starts
                 * with closing punctuation (、，。：）...) nor ends with
                 * opening (（《「...): the rule of Chinese typesetting */
                brk = q;
                brkpos = pos;
                brkskip = 0;
            }
            prev = c;
            prevw = cw;
            memcpy(line + pos, q, (size_t)len);
            pos += (size_t)len;
            w += cw;
            q += len;
        }
        if (*q && *q != '\n' && brk && brk > p) {
            pos = brkpos;
            q = brk + brkskip;
        } else if (*q == ' ') {
            q++;                             /* full at a space: that is the break */
        }
        if (q == p && *q && *q != '\n') {    /* one glyph wider than width: */
            uint32_t c;                      /* on a line of its own (it was */
            int len = vw_utf8_next(q, &c);   /* dropped) */
            memcpy(line + pos, q, (size_t)len);
            pos += (size_t)len;
            q += len;
        }
        add_line_n(l, role, head_role, first ? head_len : 0, line, pos);
        if (*q == '\n')
            q++;
        p = q;
        first = 0;
    } while (*p);
}

/* A formatted line; its first head_len bytes (-1: its first word, a label
 * such as "Timer", whatever the language) in head_role. */
static void add_fmt(struct view_lines *l, int width, int role, int head_role,
                    int head_len, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void add_fmt(struct view_lines *l, int width, int role, int head_role,
                    int head_len, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int indent = head_len + 1;
    if (head_len < 0) {                      /* the label is the first word */
        char word[64];
        head_len = (int)strcspn(buf, " ");
        snprintf(word, sizeof word, "%.*s", head_len, buf);
        indent = view_text_width(word) + 1;
    }
    add_wrapped(l, width, head_len > 0 && indent < 13 ? indent : 4, role,
                head_role, head_len, buf);
}

static void hex_lines(struct view_lines *l, int width, const uint8_t *p, size_t n,
                      size_t max)
{
    int per = width >= 72 ? 16 : 8;
    size_t shown = n < max ? n : max;
    for (size_t off = 0; off < shown; off += (size_t)per) {
        char buf[160];
        int pos = snprintf(buf, sizeof buf, "%04zx  ", off);
        for (int j = 0; j < per; j++) {
            if (off + (size_t)j < n)
                pos += snprintf(buf + pos, sizeof buf - (size_t)pos, "%02x ",
                                p[off + (size_t)j]);
            else
                pos += snprintf(buf + pos, sizeof buf - (size_t)pos, "   ");
        }
        buf[pos++] = ' ';
        for (int j = 0; j < per && off + (size_t)j < n; j++) {
            uint8_t c = p[off + (size_t)j];
            buf[pos++] = c >= 32 && c < 127 ? (char)c : '.';
        }
        add_line_n(l, R_HEX, R_TIME, 4, buf, (size_t)pos);
    }
    if (n > shown)
        add_fmt(l, width, R_TIME, 0, 0, _("... %zu more bytes"), n - shown);
}

/* n bytes of a uwsgi variable as text: printable ASCII as is, others '.' */
static const char *uwsgi_text(const uint8_t *p, size_t n, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        buf[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
    buf[k] = '\0';
    return buf;
}

/* The uwsgi packet field by field: the header, then each variable. */
static void inspect_uwsgi(const uint8_t *p, size_t len, int width, struct view_lines *out)
{
    add_fmt(out, width, R_NORMAL, R_LAYER, 5,
            _("uwsgi modifier1 %u (a WSGI request)  datasize %zu (bytes 0x%02x 0x%02x, "
              "little-endian)  modifier2 %u"), p[0], uwsgi_datasize(p), p[1], p[2], p[3]);
    const uint8_t *vars = p + UWSGI_HDR;
    size_t n = len - UWSGI_HDR, at = 0;
    struct uwsgi_var v;
    while (uwsgi_next_var(vars, n, &at, &v) == 1) {
        char k[128], val[256];
        add_fmt(out, width, R_NORMAL, R_NORMAL, 0, "  [%zu] %s = [%zu] %s", v.klen,
                uwsgi_text(v.key, v.klen, k, sizeof k), v.vlen,
                uwsgi_text(v.val, v.vlen, val, sizeof val));
    }
    if (at != n)
        add_fmt(out, width, R_DROP, R_DROP, 0,
                P_("  %zu byte does not make a whole variable",
                   "  %zu bytes do not make a whole variable", n - at), n - at);
}

/* The DNS message in a UDP payload (RFC 1035 4.1), section by section. */
static void inspect_dns(const char *head, const uint8_t *p, size_t len, int width,
                        struct view_lines *out)
{
    struct dns_msg *m = xmalloc(sizeof *m);
    char err[128], ty[16], rc[16], rr[512];
    if (dns_decode(p, len, m, err, sizeof err) != 0) {
        add_fmt(out, width, R_DROP, R_LAYER, (int)strlen(head) + 3, "%sDNS malformed: %s",
                head, err);
        free(m);
        return;
    }
    add_fmt(out, width, R_NORMAL, R_LAYER, (int)strlen(head) + 3,
            "%sDNS id 0x%04x %s rcode %s%s%s%s%s", head, m->id, m->qr ? "response" : "query", dns_rcode_name(m->rcode, rc, sizeof rc),
            m->aa ? " AA" : "", m->tc ? " TC" : "", m->rd ? " RD" : "",
            m->ra ? " RA" : "");
    if (m->qdcount)
        add_fmt(out, width, R_NORMAL, R_TIME, 10, "  question %s %s", m->qname,
                dns_type_name(m->qtype, ty, sizeof ty));
    static const char *const sect[3] = { "  answer", "  authority", "  additional" };
    const struct dns_rr *rrs[3] = { m->an, m->ns, m->ar };
    int cnt[3] = { m->nan, m->nns, m->nar };
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < cnt[k] && i < DNS_MAX_RR; i++)
            add_fmt(out, width, R_NORMAL, R_TIME, (int)strlen(sect[k]), "%s %s", sect[k],
                    dns_rr_str(&rrs[k][i], rr, sizeof rr));
    free(m);
}

static void inspect_packet(const struct view_index *ix, const struct view_state *st,
                           size_t i, int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    const char *arrow = st->utf8 ? "\u2192" : "->";
    char d[32], t[32], a[32], b[32], fl[32];

    /* where the packet is, as far as event N knows */
    if (r->kind == TK_SEND) {
        int shown = 0;
        for (int32_t e = ix->first_end[i]; e >= 0 && (size_t)e <= st->cur;
             e = ix->next_end[e]) {
            const struct trace_rec *er = &tr->recs[e];
            fmt_duration(er->t_us - r->t_us, d, sizeof d);
            if (er->kind == TK_RECV)
                add_fmt(out, width, R_NORMAL, R_LAYER, -1,
                        _("Flight arrives at %s at %s (after %s, event #%d)"),
                        host_name(tr, er->host), fmt_time(er->t_us, t, sizeof t), d,
                        e + 1);
            else
                add_fmt(out, width, R_DROP, R_LAYER, -1,
                        _("Flight dropped at %s: %s (event #%d)"),
                        fmt_time(er->t_us, t, sizeof t),
                        _(drop_reason_str(er->u.pkt.reason)), e + 1);
            shown = 1;
        }
        if (!shown)
            add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("Flight %s %s %s: on its way"),
                    host_name(tr, r->u.pkt.src), arrow, host_name(tr, r->u.pkt.dst));
    } else if (ix->peer[i] >= 0) {
        const struct trace_rec *sr = &tr->recs[ix->peer[i]];
        fmt_duration(r->t_us - sr->t_us, d, sizeof d);
        add_fmt(out, width, r->kind == TK_DROP ? R_DROP : R_NORMAL, R_LAYER, -1,
                r->kind == TK_DROP ? _("Flight sent by %s at %s (event #%d), dropped after %s")
                                   : _("Flight sent by %s at %s (event #%d), took %s"),
                host_name(tr, sr->host), fmt_time(sr->t_us, t, sizeof t),
                ix->peer[i] + 1, d);
    }
    if (r->kind == TK_DROP)
        add_fmt(out, width, R_DROP, R_LAYER, -1, _("Why it was dropped: %s"),
                _(drop_reason_str(r->u.pkt.reason)));

    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (frame_decode(p, len, &f, err, sizeof err) != 0) {
        add_fmt(out, width, R_DROP, R_LAYER, 9, "Malformed %s (%zu bytes)", err, len);
        hex_lines(out, width, p, len, 4096);
        return;
    }
    /* each header's heading line starts with its layer (view_layers.c),
     * the labels padded so that the protocol names line up */
    int app = f.has_ip && f.l4 && f.payload_len;
    int vls[4] = { VL_LINK }, nvl = 1;
    if (f.has_ip)
        vls[nvl++] = VL_NETWORK;
    if (f.has_ip && f.l4)
        vls[nvl++] = VL_TRANSPORT;
    if (app)
        vls[nvl++] = VL_APPLICATION;
    if (f.eth.type == ETHERTYPE_ARP)
        vls[nvl++] = VL_ARP;
    int pad = vw_layer_pad(vls, nvl);
    char head[160];
    vw_layer_head(VL_LINK, "Ethernet", pad, head, sizeof head);
    add_fmt(out, width, R_NORMAL, R_LAYER, (int)strlen(head),
            "%s %s %s %s type 0x%04x%s, %zu bytes", head,
            mac_str(f.eth.src, a, sizeof a), arrow, mac_str(f.eth.dst, b, sizeof b),
            f.eth.type, f.eth.type == ETHERTYPE_IPV4 ? " (IPv4)"
                      : f.eth.type == ETHERTYPE_ARP ? " (ARP)" : "", len);
    if (f.has_ip) {
        vw_layer_head(VL_NETWORK, "IPv4", pad, head, sizeof head);
        add_fmt(out, width, R_NORMAL, R_LAYER, (int)strlen(head),
                "%s %s %s %s ttl %u id %u len %u proto %u checksum 0x%04x %s", head,
                ip4_str(f.ip.src, a, sizeof a), arrow, ip4_str(f.ip.dst, b, sizeof b),
                f.ip.ttl, f.ip.id, f.ip.total_len, f.ip.proto, f.ip.checksum,
                f.ip_csum_ok ? "ok" : "BAD");
        if (f.l4 == IPPROTO_TCP_NUM) {
            char opts[64];
            tcp_opts_str(&f.tcp, " ", opts, sizeof opts);
            vw_layer_head(VL_TRANSPORT, "TCP", pad, head, sizeof head);
            add_fmt(out, width, R_NORMAL, R_LAYER, (int)strlen(head),
                    "%s %u %s %u seq %" PRIu32 " ack %" PRIu32 " flags %s win %u%s"
                    " checksum 0x%04x %s", head,
                    f.tcp.sport, arrow, f.tcp.dport, f.tcp.seq, f.tcp.ack,
                    tcp_flags_str(f.tcp.flags, fl, sizeof fl), f.tcp.win, opts,
                    f.tcp.checksum, f.cut || f.tcp_hdr_cut ? _("not checked (cut)")
                                    : f.l4_csum_ok ? "ok" : "BAD");
        } else if (f.l4 == IPPROTO_UDP_NUM) {
            vw_layer_head(VL_TRANSPORT, "UDP", pad, head, sizeof head);
            add_fmt(out, width, R_NORMAL, R_LAYER, (int)strlen(head),
                    "%s %u %s %u len %u checksum 0x%04x %s", head, f.udp.sport, arrow,
                    f.udp.dport, f.udp.len, f.udp.checksum,
                    f.cut ? _("not checked (cut)") : f.l4_csum_ok ? "ok" : "BAD");
        }
    }
    struct arp_pkt ap;
    int is_arp = f.eth.type == ETHERTYPE_ARP &&
                 arp_decode(f.payload, f.payload_len, &ap) == 0;
    if (is_arp) {
        vw_layer_head(VL_ARP, "ARP", pad, head, sizeof head);
        add_fmt(out, width, R_NORMAL, R_LAYER, (int)strlen(head),
                "%s %s  sender %s %s  target %s %s", head, ap.op == ARP_OP_REQUEST ? "request" : ap.op == ARP_OP_REPLY ? "reply"
                                                                            : "op?",
                mac_str(ap.sha, a, sizeof a), ip4_str(ap.spa, b, sizeof b),
                mac_str(ap.tha, t, sizeof t), ip4_str(ap.tpa, d, sizeof d));
        add_wrapped(out, width, 3, R_TIME, R_TIME, 0,
                    _("  (ARP rides directly in the Ethernet frame, type 0x0806, with no "
                      "IPv4 header. It finds the link-layer (MAC) address for a network-"
                      "layer (IPv4) one, so it sits between OSI layers 2 and 3; the "
                      "TCP/IP model counts it in the link layer.)"));
    }
    if (f.has_ip && f.l4 == IPPROTO_UDP_NUM &&
        (f.udp.sport == DNS_PORT || f.udp.dport == DNS_PORT)) {
        vw_layer_head(VL_APPLICATION, "", pad, head, sizeof head);
        inspect_dns(head, f.payload, f.payload_len, width, out);
    }
    if (app) {
        /* the application's bytes, and where OSI's layers 5-7 went */
        struct view_encap e;
        char pl[256];
        view_encap_of(p, len, &e);
        vw_layer_head(VL_APPLICATION, "", pad, head, sizeof head);
        snprintf(pl, sizeof pl, P_("Payload %zu byte", "Payload %zu bytes", f.payload_len),
                 f.payload_len);
        add_fmt(out, width, R_NORMAL, R_LAYER, (int)(strlen(head) + strcspn(pl, " ")),
                "%s%s (%s)", head, pl, _(e.app_name));
        add_wrapped(out, width, 3, R_TIME, R_TIME, 0,
                    _("  (the TCP/IP model's application layer holds OSI layers 5-7: "
                      "session, presentation and application)"));
    }
    /* nginx's request to uWSGI (web-server-stack): the uwsgi header and its
     * variables, field by field */
    if (f.has_ip && f.l4 == IPPROTO_TCP_NUM && uwsgi_is_request(f.payload, f.payload_len))
        inspect_uwsgi(f.payload, f.payload_len, width, out);
    char sum[256];
    packet_summary(&f, sum, sizeof sum);
    add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("Summary %s"), sum);
    if (f.cut)        /* like tshark's "Packet size limited during capture" */
        add_fmt(out, width, R_DROP, R_LAYER, -1,
                P_("Cut: the capture's snapshot length kept %zu byte of the payload and "
                   "left out the other %zu; the checksum cannot be checked",
                   "Cut: the capture's snapshot length kept %zu bytes of the payload and "
                   "left out the other %zu; the checksum cannot be checked", f.payload_len),
                f.payload_len, f.cut);
    if (f.tcp_hdr_cut)
        add_fmt(out, width, R_DROP, R_LAYER, -1,
                P_("Cut: the capture's snapshot length ended the frame inside the TCP "
                   "options and left out %zu byte of them; the options it reached are "
                   "not read, and the checksum cannot be checked",
                   "Cut: the capture's snapshot length ended the frame inside the TCP "
                   "options and left out %zu bytes of them; the options it reached are "
                   "not read, and the checksum cannot be checked", f.tcp_hdr_cut),
                f.tcp_hdr_cut);
    if (is_arp) {
        /* RFC 826: the ARP message is the Ethernet frame's payload and
         * carries none of its own; the bytes after its 28 are Ethernet's
         * padding to 60 bytes, as past an IPv4 total length ("Payload 46
         * bytes" said an ARP message carried 46) */
        size_t padb = f.payload_len - ARP_PKT_LEN;
        if (padb)
            add_fmt(out, width, R_NORMAL, R_LAYER, -1,
                    P_("ARP message %d bytes, then %zu byte of Ethernet padding",
                       "ARP message %d bytes, then %zu bytes of Ethernet padding", padb),
                    ARP_PKT_LEN, padb);
        else
            add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("ARP message %d bytes"),
                    ARP_PKT_LEN);
        hex_lines(out, width, f.payload, ARP_PKT_LEN, 4096);
    } else {
        if (!app)
            add_fmt(out, width, R_NORMAL, R_LAYER, -1,
                    P_("Payload %zu byte", "Payload %zu bytes", f.payload_len),
                    f.payload_len);
        if (f.payload_len)
            hex_lines(out, width, f.payload, f.payload_len, 4096);
    }
}

/* Where a kernel record came from, in words. */
static const char *real_source_text(int source)
{
    switch (source) {
    case RS_TCP_INFO:  return "tcp_info: getsockopt(TCP_INFO) on the socket's descriptor";
    case RS_SOCK_DIAG: return "sock_diag: NETLINK_SOCK_DIAG (inet_diag), by the "
                              "connection's 4-tuple";
    case RS_CAPTURE:   return "capture: an AF_PACKET socket on lo";
    default:           return "replay: the replay of the scenario's calls";
    }
}

/* A kernel record (--real): where it came from, its timer, and for a
 * state the model's state at that moment and the --batch table's verdict. */
static void inspect_real(const struct view_index *ix, const struct view_state *st,
                         size_t i, int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    int what = RR_WHAT(r);
    char d[32], why[1024];
    add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("Source %s"),
            real_source_text(RR_SOURCE(r)));
    if (what != RW_STATE && what != RW_UNSEEN)
        return;
    const char *name = tcp_state_name(RR_STATE(r));
    if (what == RW_STATE) {
        const char *tname = "";
        if (r->why.id == N_REAL_SEEN_DIAG_TMR || r->why.id == N_REAL_SEEN_TW_FD)
            tname = trace_str(tr, (uint32_t)r->why.a[1]);
        if (RR_VAL(r) >= 0)
            add_fmt(out, width, R_NORMAL, R_LAYER, -1,
                    _("Timer %s%s%s left when seen (the kernel's own clock; the "
                    "replay never waits it out)"), tname, tname[0] ? " " : "",
                    fmt_duration((int64_t)RR_VAL(r) * 1000, d, sizeof d));
        else
            add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("Timer none reported"));
    }
    uint8_t m = ix->kmark ? ix->kmark[i] : 0;
    if (ix->kmodel && ix->kmodel[i] >= 0) {
        const char *now = tcp_state_name(ix->kmodel[i]);
        if (what == RW_UNSEEN)
            add_fmt(out, width, R_KUNSEEN, R_LAYER, -1,
                    _("Model %s at this moment; the kernel was not seen in %s"),
                    now, name);
        else if (m & KM_DIFF)
            add_fmt(out, width, R_ALERT, R_LAYER, -1,
                    _("Model %s at this moment %s the kernel's %s"), now,
                    st->utf8 ? "\u2260" : "!=", name);
        else
            add_fmt(out, width, R_NORMAL, R_LAYER, -1,
                    _("Model %s at this moment: the same"), name);
    }
    if (m & (KM_SAME | KM_DETAIL | KM_ONLY)) {
        char v[1200];
        if (m & KM_SAME)
            snprintf(v, sizeof v, _("= the model goes through %s too"), name);
        else if (what == RW_UNSEEN)
            snprintf(v, sizeof v, _("x only the model shows %s"), name);
        else
            snprintf(v, sizeof v, "%c %s", m & KM_DETAIL ? '~' : 'x',
                     real_narrate(tr, &ix->kwhy[i], why, sizeof why));
        add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("Compared %s"), v);
    }
    if ((m & KM_DIFF) && !(m & (KM_DETAIL | KM_ONLY))) {
        struct why tw = WHY0(N_REAL_DIFF_TIMING);
        add_wrapped(out, width, 2, R_WHY, R_WHY, 0,
                    real_narrate(tr, &tw, why, sizeof why));
    }
}

void view_inspector_lines(const struct view_index *ix, const struct view_state *st,
                          int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    if (ix->n == 0) {
        add_fmt(out, width, R_TIME, 0, 0, "%s", _("no events"));
        return;
    }
    size_t i = st->cur < ix->n ? st->cur : ix->n - 1;
    const struct trace_rec *r = &tr->recs[i];
    char t[32], ev[512], why[1024];
    const struct view_fold *f = view_fold_at(ix, st, i);
    if (f) {
        /* a folded row (view_fold.c): what it holds, then its event */
        size_t n = (size_t)f->last - f->first + 1;
        char t1[32], counts[200];
        fmt_time(tr->recs[f->first].t_us, t, sizeof t);
        fmt_time(tr->recs[f->last].t_us, t1, sizeof t1);
        add_fmt(out, width, R_WHY, R_LAYER, 0,
                P_("Folded row: %zu event of the crowd, %s to %s",
                   "Folded row: %zu events of the crowd, %s to %s", n),
                n, t, t1);
        add_wrapped(out, width, 2, R_NORMAL, R_NORMAL, 0,
                    view_fold_counts(f, counts, sizeof counts));
        snprintf(why, sizeof why,
                 P_("The crowd: the %zu address that belongs to no host, the packets from, to or asking for it, and their connections.",
                    "The crowd: the %zu addresses that belong to no host, the packets from, to or asking for them, and their connections.",
                    ix->crowd_addrs), ix->crowd_addrs);
        add_wrapped(out, width, 2, R_WHY, R_WHY, 0, why);
        if (i == f->last)
            snprintf(why, sizeof why, "%s", _("Its last event:"));
        else
            snprintf(why, sizeof why, _("Its event %zu, where the selection is:"),
                     i - f->first + 1);
        add_wrapped(out, width, 2, R_NORMAL, R_NORMAL, 0, why);
    }
    add_fmt(out, width, R_WHY, R_LAYER, 0, "#%zu/%zu  %s  %s  %s", i + 1, ix->n,
            fmt_time(r->t_us, t, sizeof t),
            r->host >= 0 ? host_name(tr, r->host) : _("everyone"),
            r->kind == TK_STATE ? trace_layer_name(r->layer) : real_kind_name(r));
    render_event(tr, r, ev, sizeof ev);
    int role = r->kind == TK_STATE ? vw_state_role(r->layer, r->u.state.to)
             : r->kind == TK_DROP ? R_DROP
             : r->kind == TK_TIMER ? R_TIMER
             : r->kind == TK_NOTE ? R_NOTE
             : (r->kind == TK_SEND || r->kind == TK_RECV) ? vw_proto_role(ix->proto[i]) : R_APP;
    add_wrapped(out, width, 2, role, role, 0, ev);
    trace_why(tr, r, why, sizeof why);
    if (why[0] && r->kind != TK_NOTE)
        add_wrapped(out, width, 2, R_WHY, R_WHY, 0, why);
    if (r->conn)
        add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("Connection %s"), trace_str(tr, r->conn));
    switch (r->kind) {
    case TK_SEND: case TK_RECV: case TK_DROP:
        inspect_packet(ix, st, i, width, out);
        break;
    case TK_TIMER:
        if (r->u.timer.action == TA_START) {
            char d[32];
            int64_t rem = r->u.timer.due_us - r->t_us;
            add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("Timer %s due at %s (in %s)"),
                    timer_name_str(r->u.timer.name),
                    fmt_time(r->u.timer.due_us, t, sizeof t),
                    fmt_duration(rem, d, sizeof d));
        }
        break;
    case TK_STATE:
        add_fmt(out, width, R_NORMAL, R_LAYER, -1, _("State %s %s %s"),
                trace_state_name(r->layer, r->u.state.from), st->utf8 ? "\u2192" : "->",
                trace_state_name(r->layer, r->u.state.to));
        break;
    case TK_APP:
        if (r->u.app.data) {
            size_t len;
            const uint8_t *p = trace_blob_data(tr, r->u.app.data, &len);
            add_fmt(out, width, R_NORMAL, R_LAYER, -1,
                    P_("Data %zu byte", "Data %zu bytes", len), len);
            hex_lines(out, width, p, len, 4096);
        }
        break;
    case TK_EXT:
        if (real_is_rec(r))
            inspect_real(ix, st, i, width, out);
        break;
    default:
        break;
    }
}

/* --real: the kernel's last observed state of a connection, under the
 * model's state at the selected moment: "    kernel ≠ ESTABLISHED  tcp_info
 * at 0.010s" (= the same as the model's now, ≠ another, ? the last news is
 * a state the kernel was not seen in). */
static void kernel_state_line(const struct view_index *ix, const struct view_state *st,
                              size_t i, int model, int width, struct view_lines *out)
{
    const struct trace_rec *r = &ix->tr->recs[i];
    char buf[256], m8[8] = "", d[32], t[32], extra[96] = "";
    int mark = RR_WHAT(r) == RW_UNSEEN ? G_KQUERY
             : RR_STATE(r) == model ? G_KSAME : G_KDIFF;
    m8[vw_utf8_put(view_glyph(mark, st->utf8), m8)] = '\0';
    fmt_time(r->t_us, t, sizeof t);
    if (RR_WHAT(r) == RW_UNSEEN)
        snprintf(extra, sizeof extra, _(" not observed (%s)"), t);
    else if (RR_VAL(r) >= 0)
        snprintf(extra, sizeof extra, _("  %s at %s, timer %s"),
                 real_source_name(RR_SOURCE(r)), t,
                 fmt_duration((int64_t)RR_VAL(r) * 1000, d, sizeof d));
    else
        snprintf(extra, sizeof extra, "  %s at %s", real_source_name(RR_SOURCE(r)),
                 t);
    int pre = snprintf(buf, sizeof buf, _("    kernel %s "), m8);
    snprintf(buf + pre, sizeof buf - (size_t)pre, "%s%s",
             tcp_state_name(RR_STATE(r)), extra);
    add_wrapped(out, width, 6, vw_kernel_role(r), mark == G_KDIFF ? R_ALERT : R_KERNEL,
                pre, buf);
}

/* How many connections of one host it lists; the rest are counted by state. */
#define STATE_HOST_CONNS 8

/* One connection's lines: its state, the kernel's (--real), its sequence
 * numbers and running timers. */
static void state_conn_lines(const struct view_index *ix, const struct view_state *st,
                             int h, const struct view_conn *c, int64_t now, int width,
                             struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    char buf[512], d[32];
    const char *id = trace_str(tr, c->conn);
    size_t hl = strlen(tr->host_names[h]);
    if (!strncmp(id, tr->host_names[h], hl) && id[hl] == ':')
        id += hl + 1;              /* "client:49152-server:80" */
    const char *sn = c->have_state ? trace_state_name(c->layer, c->state)
                                   : "-";
    const char *lay = c->layer == TL_TCP ? "" : trace_layer_name(c->layer);
    int pre = (int)strlen(lay) + (lay[0] ? 1 : 0);
    /* the state's column by display width: a host named 服务器 is 9 bytes
     * in 6 cells, and padding by bytes put its states 3 columns left */
    int padn = (width > 40 ? 24 - pre : 0) - view_text_width(id);
    snprintf(buf, sizeof buf, "  %s%s%s%*s %s", lay, lay[0] ? " " : "", id,
             padn > 0 ? padn : 0, "", sn);
    int idw = (int)strlen(buf) - (int)strlen(sn);
    int srole = c->have_state ? vw_state_role(c->layer, c->state) : R_TIME;
    if (width > 0 && view_text_width(buf) > width) {
        /* a long name (a DNS query's) and its state do not fit on one
         * line: the state goes under it, in the state column, whole (it
         * was cut, "ASKING_RESOL…") */
        add_line_n(out, R_NORMAL, R_NORMAL, 0, buf, (size_t)idw - 1);
        int col = 26 + view_text_width(sn) <= width ? 26 : width - view_text_width(sn);
        snprintf(buf, sizeof buf, "%*s%s", col > 4 ? col : 4, "", sn);
        idw = (int)strlen(buf) - (int)strlen(sn);
    }
    add_line_n(out, srole, R_NORMAL, idw, buf, strlen(buf));
    if (c->kernel >= 0)
        kernel_state_line(ix, st, (size_t)c->kernel,
                          c->have_state && c->layer == TL_TCP ? c->state
                                                               : TCPS_CLOSED,
                          width, out);
    int pos = snprintf(buf, sizeof buf, "   ");
    if (c->have_snd)
        pos += snprintf(buf + pos, sizeof buf - (size_t)pos, " SND.NXT=%" PRIu32,
                        c->snd_nxt);
    if (c->have_rcv)
        pos += snprintf(buf + pos, sizeof buf - (size_t)pos, " RCV.NXT=%" PRIu32,
                        c->rcv_nxt);
    for (int j = 0; j < TM_COUNT; j++)
        if (c->due[j] >= 0 && pos > 0 && (size_t)pos < sizeof buf)
            pos += snprintf(buf + pos, sizeof buf - (size_t)pos, _(" %s %s left"),
                            timer_name_str(j),
                            fmt_duration(c->due[j] > now ? c->due[j] - now : 0,
                                         d, sizeof d));
    if (pos > 3)
        add_wrapped(out, width, 5, R_NORMAL, R_NORMAL, 0, buf);
}

/* Host h's lines at event cur: its name and address, then its connections
 * (the last few closed ones; at most STATE_HOST_CONNS, the rest counted). */
static void state_host_lines(const struct view_index *ix, const struct view_state *st,
                             int h, size_t cur, int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    int64_t now = tr->recs[cur].t_us;
    char addr[20];
    ip4_str(tr->host_addrs[h], addr, sizeof addr);
    int nm = (int)strlen(tr->host_names[h]);
    add_fmt(out, width, R_ADDR, h == st->host ? R_HOST_SEL : R_HOST, nm,
            "%s %s", tr->host_names[h], addr);
    /* the host's connections that exist at cur: a prefix of its list */
    const uint32_t *hc = ix->hconn + ix->hoff[h];
    size_t nhc = ix->hoff[h + 1] - ix->hoff[h], ncv = 0;
    while (ncv < nhc && view_conn_at(ix, hc[ncv], cur))
        ncv++;
    /* closed connections pile up in long runs: keep the last few */
    size_t nclosed = 0, skip_closed, nshow = 0;
    for (size_t k = 0; k < ncv; k++) {
        const struct view_conn *c = view_conn_at(ix, hc[k], cur);
        if (c->have_state && c->layer == TL_TCP && c->state == TCPS_CLOSED)
            nclosed++;
        else if (c->have_state || c->kernel >= 0)
            nshow++;
    }
    skip_closed = nclosed > 3 ? nclosed - 3 : 0;
    nshow += nclosed - skip_closed;
    if (skip_closed)
        add_fmt(out, width, R_TIME, 0, 0,
                P_("  (%zu earlier connection closed)", "  (%zu earlier connections closed)",
                   skip_closed), skip_closed);
    /* a crowd: the connections beyond the last STATE_HOST_CONNS (and the
     * current event's) are counted by state in one line */
    size_t fold = nshow > STATE_HOST_CONNS ? nshow - STATE_HOST_CONNS : 0;
    uint32_t cur_conn = tr->recs[cur].host == h ? tr->recs[cur].conn : 0;
    size_t nstate[TL_COUNT][TCPS_NSTATES > 16 ? TCPS_NSTATES : 16];
    size_t folded = 0;
    memset(nstate, 0, sizeof nstate);
    int any = skip_closed > 0;
    for (size_t k = 0; k < ncv; k++) {
        const struct view_conn *c = view_conn_at(ix, hc[k], cur);
        if (!c->have_state && c->kernel < 0)
            continue;
        if (skip_closed && c->layer == TL_TCP && c->state == TCPS_CLOSED) {
            skip_closed--;
            continue;
        }
        any = 1;
        if (fold && c->conn != cur_conn) {
            fold--;
            folded++;
            if (c->have_state && c->layer < TL_COUNT && c->state >= 0 &&
                (size_t)c->state < sizeof nstate[0] / sizeof nstate[0][0])
                nstate[c->layer][c->state]++;
            continue;
        }
        state_conn_lines(ix, st, h, c, now, width, out);
    }
    if (folded) {
        char line[512];
        int pos = snprintf(line, sizeof line, _("  (%zu more:"), folded);
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t k = 0; k < sizeof nstate[0] / sizeof nstate[0][0]; k++)
                if (nstate[l][k] && pos > 0 && (size_t)pos < sizeof line)
                    pos += snprintf(line + pos, sizeof line - (size_t)pos, " %zu %s,",
                                    nstate[l][k], trace_state_name(l, (int)k));
        if (pos > 0 && (size_t)pos < sizeof line)
            line[pos - 1] = ')';
        add_wrapped(out, width, 3, R_TIME, R_TIME, 0, line);
    }
    if (!any)
        add_fmt(out, width, R_TIME, 0, 0, "%s", _("  (nothing yet)"));
}

/* Connection and cache state at event N, from the index's precomputed
 * states (view.h): each host's connections in order of first appearance,
 * each as it stood after its last record at or before N.  A crowd (more
 * than VIEW_CROWD_HOSTS hosts) shows the selected host and the hosts of
 * event N, so that a step costs the same with 10 hosts or 100,000. */
void view_state_lines(const struct view_index *ix, const struct view_state *st,
                      int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    if (ix->n == 0) {
        add_fmt(out, width, R_TIME, 0, 0, "%s", _("no events"));
        return;
    }
    size_t cur = st->cur < ix->n ? st->cur : ix->n - 1;
    if (tr->nhosts <= VIEW_CROWD_HOSTS) {
        int order[VIEW_CROWD_HOSTS];
        view_state_host_order(st, tr->nhosts, order);
        for (int k = 0; k < tr->nhosts; k++)
            state_host_lines(ix, st, order[k], cur, width, out);
        return;
    }
    const struct trace_rec *r = &tr->recs[cur];
    int hs[4] = { st->host, r->host, -1, -1 }, nhs = 0;
    if (r->kind == TK_SEND || r->kind == TK_RECV || r->kind == TK_DROP) {
        hs[2] = r->u.pkt.src;
        hs[3] = r->u.pkt.dst;
    }
    add_fmt(out, width, R_TIME, 0, 0, P_("%d host: the selected one and this event's "
            "(h and l select)", "%d hosts: the selected one and this event's "
            "(h and l select)", tr->nhosts), tr->nhosts);
    /* the selected host first (view_state_host_order), then the event's in
     * host order, once each */
    for (int i = 1; i < 4; i++)
        if (hs[i] == st->host)
            hs[i] = -1;
    for (int i = 1; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            if (hs[j] < hs[i]) { int t = hs[i]; hs[i] = hs[j]; hs[j] = t; }
    for (int i = 0; i < 4; i++) {
        if (hs[i] < 0 || hs[i] >= tr->nhosts || (nhs && hs[i] == hs[i - 1]))
            continue;
        nhs++;
        state_host_lines(ix, st, hs[i], cur, width, out);
    }
}

static const char *const action_help[ACT_COUNT] = {
    [ACT_NONE] = "",
#define X(id, hint, help) [ACT_##id] = help,
    UI_ACTIONS(X)
#undef X
};
static const char *const action_hint[ACT_COUNT] = {
    [ACT_NONE] = "",
#define X(id, hint, help) [ACT_##id] = hint,
    UI_ACTIONS(X)
#undef X
};

struct binding { const char *label; int action; };
static const struct binding bindings[] = {
#define X(code, label, id) { label, ACT_##id },
    KEY_BINDINGS(X)
#undef X
};
#define NBINDINGS ((int)(sizeof bindings / sizeof bindings[0]))

/* "j Down" — every key bound to action a. */
static void keys_of(int a, char *buf, size_t n, const char *sep, int max)
{
    size_t pos = 0;
    int k = 0;
    buf[0] = '\0';
    for (int i = 0; i < NBINDINGS && (max <= 0 || k < max); i++) {
        if (bindings[i].action != a)
            continue;
        int l = snprintf(buf + pos, n - pos, "%s%s", k ? sep : "", bindings[i].label);
        if (l < 0 || (size_t)l >= n - pos)
            break;
        pos += (size_t)l;
        k++;
    }
}

/* The help overlay's lines for actions [from, to) of the key table, one
 * per action: its keys, then what it does.  width > 0 wraps each
 * description under its own first word (a hanging indent past the keys);
 * 0 keeps every entry on one line. */
static void help_lines(struct view_lines *out, int from, int to, int width)
{
    int kw = 0;
    char keys[64], buf[256];
    for (int a = 1; a < ACT_COUNT; a++) {
        keys_of(a, keys, sizeof keys, " ", 0);
        if ((int)strlen(keys) > kw)
            kw = (int)strlen(keys);
    }
    for (int a = 1 + from; a < 1 + to; a++) {
        keys_of(a, keys, sizeof keys, " ", 0);
        snprintf(buf, sizeof buf, "%-*s  %s", kw, keys, _(action_help[a]));
        if (width > 0)
            add_wrapped(out, width, kw + 2, R_OVERLAY, R_OVL_KEY, kw, buf);
        else
            add_line_n(out, R_OVERLAY, R_OVL_KEY, kw, buf, strlen(buf));
    }
}

void view_help_lines(struct view_lines *out)
{
    help_lines(out, 0, ACT_COUNT - 1, 0);
}

/* How the help fits a w x h screen, tried in this order, so that nothing
 * is ever cut:
 *   - one column, when every entry fits on one line and in the height;
 *   - two columns (the key table's first half, then the rest), each as
 *     wide as it needs or, when the two do not fit side by side, with the
 *     wider one's descriptions wrapped under themselves, when the taller
 *     column fits in the height;
 *   - one column wrapped to the screen, which scrolls (view_help_key). */
struct help_fit {
    struct view_lines col[2];
    int cols, rows;            /* rows shown at once */
    int colw[2];               /* each column's width */
    int bw;                    /* the box's width, borders included */
    int scroll;                /* 1: rows < col[0].n, the list scrolls */
};

static void help_fit_free(struct help_fit *f)
{
    view_lines_free(&f->col[0]);
    view_lines_free(&f->col[1]);
}

static int widest(const struct view_lines *l)
{
    int w = 0;
    for (int i = 0; i < l->n; i++)
        if (view_text_width(l->v[i].text) > w)
            w = view_text_width(l->v[i].text);
    return w;
}

static void help_fit(struct help_fit *f, int w, int h)
{
    memset(f, 0, sizeof *f);
    int avail = h - 4;                       /* title, hint, two borders */
    if (avail < 1)
        avail = 1;
    int n = ACT_COUNT - 1, half = (n + 1) / 2;
    int room = w - 2 - 4;                    /* inside a box: borders, 2 spaces */
    struct view_lines one = { 0 };
    help_lines(&one, 0, n, 0);
    int all = widest(&one);
    if (n <= avail && all <= room) {
        f->col[0] = one;
        f->cols = 1;
        f->rows = n;
        f->colw[0] = all;
        f->bw = all + 4;
        return;
    }
    view_lines_free(&one);

    /* two columns, 3 apart; the narrower keeps its width if it can */
    struct view_lines c0 = { 0 }, c1 = { 0 };
    help_lines(&c0, 0, half, 0);
    help_lines(&c1, half, n, 0);
    int w0 = widest(&c0), w1 = widest(&c1), inner = room - 3;
    view_lines_free(&c0);
    view_lines_free(&c1);
    if (w0 + w1 > inner) {
        if (w0 <= w1)
            w1 = inner - (w0 < inner / 2 ? w0 : inner / 2), w0 = inner - w1;
        else
            w0 = inner - (w1 < inner / 2 ? w1 : inner / 2), w1 = inner - w0;
    }
    if (w0 >= 20 && w1 >= 20) {
        help_lines(&f->col[0], 0, half, w0);
        help_lines(&f->col[1], half, n, w1);
        int rows = f->col[0].n > f->col[1].n ? f->col[0].n : f->col[1].n;
        if (rows <= avail) {
            f->cols = 2;
            f->rows = rows;
            f->colw[0] = w0;
            f->colw[1] = w1;
            f->bw = w0 + 3 + w1 + 4;
            return;
        }
        help_fit_free(f);
    }

    int cw = all < room ? all : room;
    if (cw < 8)
        cw = 8;
    help_lines(&f->col[0], 0, n, cw);
    f->cols = 1;
    f->colw[0] = cw;
    f->bw = cw + 4;
    f->rows = f->col[0].n < avail ? f->col[0].n : avail;
    f->scroll = f->rows < f->col[0].n;
}

/* The first line shown, kept in range for this screen. */
static int help_top(const struct view_state *st, const struct help_fit *f)
{
    int top = st->help_top, max = f->col[0].n - f->rows;
    if (top > max)
        top = max;
    return top < 0 ? 0 : top;
}

int view_help_key(struct view_state *st, int action, int w, int h)
{
    struct help_fit f;
    help_fit(&f, w, h);
    int top = help_top(st, &f), page = f.rows > 1 ? f.rows - 1 : 1;
    int scroll = f.scroll, last = f.col[0].n - f.rows;
    help_fit_free(&f);
    if (!scroll)
        return 0;
    switch (action) {
    case ACT_NEXT:      top += 1; break;
    case ACT_PREV:      top -= 1; break;
    case ACT_PAGE_DOWN: top += page; break;
    case ACT_PAGE_UP:   top -= page; break;
    case ACT_START:     top = 0; break;
    case ACT_END:       top = last; break;
    default:            return 0;
    }
    /* kept in range at once, so that a key past the end is not banked */
    st->help_top = top < 0 ? 0 : top > last ? last : top;
    return 1;
}

/* ======================================================================== */
/* Panes, overlays and narration on the screen                              */

static void draw_lines(struct view_screen *scr, struct view_rect r,
                       const struct view_lines *l, int first, int utf8)
{
    for (int i = 0; i < r.h && first + i < l->n; i++) {
        const struct view_line *ln = &l->v[first + i];
        int used = 0;
        if (ln->head_len > 0) {
            char head[256];
            int hl = ln->head_len < (int)sizeof head - 1 ? ln->head_len
                                                         : (int)sizeof head - 1;
            memcpy(head, ln->text, (size_t)hl);
            head[hl] = '\0';
            used = vw_put_fit(scr, r.x, r.y + i, r.w, head, ln->head_role, utf8);
            if ((size_t)hl <= strlen(ln->text))
                vw_put_fit(scr, r.x + used, r.y + i, r.w - used, ln->text + hl,
                        ln->role, utf8);
        } else {
            vw_put_fit(scr, r.x, r.y + i, r.w, ln->text, ln->role, utf8);
        }
    }
}

/* The pane's content lines at its width. */
void vw_pane_lines(const struct view_index *ix, const struct view_state *st,
                int pane, int width, struct view_lines *l)
{
    if (pane == PANE_INSPECTOR)
        view_inspector_lines(ix, st, width, l);
    else
        view_state_lines(ix, st, width, l);
}

void vw_draw_pane(const struct view_index *ix, const struct view_state *st,
               struct view_screen *scr, struct view_rect r, int pane,
               int side_by_side)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    int focus = st->focus == pane;
    int utf8 = st->utf8;
    /* title row: a rule with the pane's name (both names as tabs when only
     * one pane fits) */
    for (int x = r.x; x < r.x + r.w; x++)
        vw_set_glyph(scr, x, r.y, G_BOX_H, R_BORDER, utf8);
    int x = r.x + 1;
    static const char *const names[PANE_COUNT] = { N_("Diagram"), N_("Inspector"),
                                                    N_("State") };
    for (int p = PANE_INSPECTOR; p < PANE_COUNT; p++) {
        if (side_by_side && p != pane)
            continue;
        char t[64];
        snprintf(t, sizeof t, " %s ", _(names[p]));
        int role = p == pane ? (focus ? R_PANE_FOCUS : R_PANE) : R_BORDER;
        x += view_put(scr, x, r.y, r.x + r.w - x, t, role, utf8) + 1;
    }
    struct view_lines l = { 0 };
    vw_pane_lines(ix, st, pane, r.w - 1, &l);
    int body = r.h - 1;
    int first = clampi(st->scroll[pane], 0, l.n - body > 0 ? l.n - body : 0);
    if (l.n > body) {
        char more[48];
        snprintf(more, sizeof more, " %d-%d/%d ", first + 1,
                 first + body < l.n ? first + body : l.n, l.n);
        int mw = (int)strlen(more);
        view_put(scr, r.x + r.w - mw - 1, r.y, mw, more, R_BORDER, utf8);
    }
    draw_lines(scr, (struct view_rect){ r.x + 1, r.y + 1, r.w - 1, body }, &l, first,
               utf8);
    view_lines_free(&l);
}

/* The `o` list's box on a w x h screen: a row per lesson, name and title,
 * as many rows as fit.  A title wider than its row ends in "…" there and,
 * for the selected lesson, is given whole under the list, wrapped at the
 * title column (socket-api's, 76 characters, was cut at 80 columns and
 * never shown whole). */
struct open_fit {
    int nw;                 /* the name column's width */
    struct view_rect b;     /* the box */
    int rows, first;        /* list rows shown, and the first one's index */
    struct view_lines full; /* the selected title, wrapped, when cut */
};

static void open_fit(const struct view_state *st, int w, int h, struct open_fit *f)
{
    int n = st->nchoices;
    int nw = 4, lw = 0;
    for (int i = 0; i < n; i++) {
        int cw = view_text_width(st->choices[i].name);
        if (cw > nw)
            nw = cw;
        cw = view_text_width(st->choices[i].title ? st->choices[i].title : "");
        if (cw > lw)
            lw = cw;
    }
    int bw = nw + lw + 8;
    if (bw > w - 4)
        bw = w - 4;
    memset(f, 0, sizeof *f);
    f->nw = nw;
    int tx = 1 + nw + 2;                      /* the title column inside the box */
    const struct view_choice *sel = n && st->choice < n ? &st->choices[st->choice] : NULL;
    if (sel && sel->title && tx + view_text_width(sel->title) > bw - 2 && bw - 3 - tx >= 8)
        add_wrapped(&f->full, bw - 3 - tx, 0, R_OVERLAY, R_OVERLAY, 0, sel->title);
    int avail = h - 4;
    int extra = f->full.n ? f->full.n + 1 : 0;
    if (avail - extra < 3) {                  /* the list first */
        view_lines_free(&f->full);
        memset(&f->full, 0, sizeof f->full);
        extra = 0;
    }
    int rows = n < avail - extra ? (n ? n : 1) : avail - extra;
    f->rows = rows;
    f->first = st->choice - rows + 1 > 0 ? st->choice - rows + 1 : 0;
    f->b = (struct view_rect){ (w - bw) / 2, 1 + (avail - rows - extra) / 2, bw,
                               rows + extra + 2 };
}

void vw_draw_hint(const struct view_state *st, struct view_screen *scr,
               struct view_rect r)
{
    const char *dot = st->utf8 ? " \u00b7 " : " - ";
    vw_fill(scr, r, ' ', R_HINT);
    if (st->overlay == OV_PROMPT) {
        vw_draw_prompt(st, scr, r);
        return;
    }
    if (st->overlay == OV_SEARCH) {
        char buf[128];
        snprintf(buf, sizeof buf, " /%s_", st->query);
        int used = view_put(scr, r.x, r.y, r.w, buf, R_HINT_KEY, st->utf8);
        char tail[64];
        snprintf(tail, sizeof tail, _("Enter search%sEsc cancel "), dot);
        int tw = view_text_width(tail);
        if (used + tw < r.w)
            view_put(scr, r.x + r.w - tw, r.y, tw, tail, R_HINT, st->utf8);
        return;
    }
    if (st->msg[0]) {
        vw_fill(scr, r, ' ', R_MSG);
        char buf[300];
        snprintf(buf, sizeof buf, " %s", st->msg);
        vw_put_fit(scr, r.x, r.y, r.w, buf, R_MSG, st->utf8);
        return;
    }
    if (st->encap && st->overlay == OV_NONE) {
        vw_draw_encap_hint(st, scr, r);
        return;
    }
    if (st->overlay == OV_HELP) {
        struct help_fit f;
        help_fit(&f, scr->w, scr->h);
        char buf[192];
        if (f.scroll) {
            int top = help_top(st, &f);
            snprintf(buf, sizeof buf,
                     _(" j/k PgDn/PgUp scroll (lines %d-%d of %d)%sany other key closes the help"),
                     top + 1, top + f.rows, f.col[0].n, dot);
        } else {
            snprintf(buf, sizeof buf, "%s", _(" any key closes the help"));
        }
        help_fit_free(&f);
        view_put(scr, r.x, r.y, r.w, buf, R_HINT, st->utf8);
        return;
    }
    if (st->overlay == OV_OPEN) {
        char buf[192];
        struct open_fit f;
        open_fit(st, scr->w, scr->h, &f);
        view_lines_free(&f.full);
        if (f.rows < st->nchoices)         /* the list scrolls: say where it is */
            snprintf(buf, sizeof buf,
                     _(" j/k choose (%d of %d)%sEnter open%sp type a file path%sEsc cancel"),
                     st->choice + 1, st->nchoices, dot, dot, dot);
        else
            snprintf(buf, sizeof buf,
                     _(" j/k choose%sEnter open%sp type a file path%sEsc cancel"),
                     dot, dot, dot);
        view_put(scr, r.x, r.y, r.w, buf, R_HINT, st->utf8);
        return;
    }
    /* "j next  k back  Space play ..." from the key table, as many as fit,
     * always keeping "? help" and "q quit" */
    int x = r.x + 1, end = r.x + r.w;
    int reserve = 0;
    char keys[32], item[64];
    for (int a = 1; a < ACT_COUNT; a++)
        if (a == ACT_HELP || a == ACT_QUIT) {
            keys_of(a, keys, sizeof keys, "/", 1);
            reserve += view_text_width(keys) + 1 + view_text_width(_(action_hint[a])) + 2;
        }
    for (int pass = 0; pass < 2; pass++) {
        for (int a = 1; a < ACT_COUNT; a++) {
            int is_tail = a == ACT_HELP || a == ACT_QUIT;
            if (!action_hint[a][0] || is_tail != (pass == 1))
                continue;
            keys_of(a, keys, sizeof keys, "/", 1);
            snprintf(item, sizeof item, "%s %s", keys, _(action_hint[a]));
            int iw = view_text_width(item);
            if (x + iw + (pass == 0 ? reserve : 0) > end)
                continue;
            int kw = view_text_width(keys);
            view_put(scr, x, r.y, kw, keys, R_HINT_KEY, st->utf8);
            view_put(scr, x + kw, r.y, iw - kw, item + strlen(keys), R_HINT, st->utf8);
            x += iw + 2;
        }
    }
}

static void draw_box(struct view_screen *scr, struct view_rect b, const char *title,
                     int utf8)
{
    vw_fill(scr, b, ' ', R_OVERLAY);
    for (int x = b.x; x < b.x + b.w; x++) {
        vw_set_glyph(scr, x, b.y, G_BOX_H, R_OVERLAY, utf8);
        vw_set_glyph(scr, x, b.y + b.h - 1, G_BOX_H, R_OVERLAY, utf8);
    }
    for (int y = b.y; y < b.y + b.h; y++) {
        vw_set_glyph(scr, b.x, y, G_BOX_V, R_OVERLAY, utf8);
        vw_set_glyph(scr, b.x + b.w - 1, y, G_BOX_V, R_OVERLAY, utf8);
    }
    vw_set_glyph(scr, b.x, b.y, G_BOX_TL, R_OVERLAY, utf8);
    vw_set_glyph(scr, b.x + b.w - 1, b.y, G_BOX_TR, R_OVERLAY, utf8);
    vw_set_glyph(scr, b.x, b.y + b.h - 1, G_BOX_BL, R_OVERLAY, utf8);
    vw_set_glyph(scr, b.x + b.w - 1, b.y + b.h - 1, G_BOX_BR, R_OVERLAY, utf8);
    char t[128];
    snprintf(t, sizeof t, " %s ", title);
    view_put(scr, b.x + 2, b.y, b.w - 4, t, R_OVL_KEY, utf8);
}

/* For the other view files (viewint.h). */
void vw_add_wrapped(struct view_lines *l, int width, int indent, int role,
                    const char *text)
{
    add_wrapped(l, width, indent, role, role, 0, text);
}

void vw_draw_box(struct view_screen *scr, struct view_rect b, const char *title,
                 int utf8)
{
    draw_box(scr, b, title, utf8);
}

void vw_draw_lines(struct view_screen *scr, struct view_rect r,
                   const struct view_lines *l, int first, int utf8)
{
    draw_lines(scr, r, l, first, utf8);
}

void vw_draw_help(const struct view_state *st, struct view_screen *scr)
{
    struct help_fit f;
    help_fit(&f, scr->w, scr->h);
    int avail = scr->h - 4;
    int top = help_top(st, &f);
    struct view_rect b = { (scr->w - f.bw) / 2, 1 + (avail - f.rows) / 2, f.bw,
                           f.rows + 2 };
    if (b.x < 0)
        b.x = 0;
    if (b.y < 1)
        b.y = 1;
    draw_box(scr, b, _("keys (? or any key closes)"), st->utf8);
    for (int c = 0, x = b.x + 2; c < f.cols; x += f.colw[c] + 3, c++) {
        int first = c ? 0 : top;
        struct view_lines part = { f.col[c].v + first, 0, 0 };
        part.n = f.col[c].n - first < f.rows ? f.col[c].n - first : f.rows;
        draw_lines(scr, (struct view_rect){ x, b.y + 1, f.colw[c], f.rows },
                   &part, 0, st->utf8);
    }
    help_fit_free(&f);
}

void vw_draw_open(const struct view_state *st, struct view_screen *scr)
{
    int n = st->nchoices;
    struct open_fit f;
    open_fit(st, scr->w, scr->h, &f);
    struct view_rect b = f.b;
    int bw = b.w, rows = f.rows, first = f.first;
    draw_box(scr, b, _("open a shipped scenario"), st->utf8);
    if (!n) {
        view_put(scr, b.x + 2, b.y + 1, bw - 4, _("no shipped scenarios found"),
                 R_OVERLAY, st->utf8);
        view_lines_free(&f.full);
        return;
    }
    for (int i = 0; i < rows && first + i < n; i++) {
        const struct view_choice *c = &st->choices[first + i];
        int sel = first + i == st->choice;
        char buf[256];
        int padn = f.nw - view_text_width(c->name);     /* by cells, as nw is */
        snprintf(buf, sizeof buf, " %s%*s  %s", c->name, padn > 0 ? padn : 0, "",
                 c->title ? c->title : "");
        struct view_rect line = { b.x + 1, b.y + 1 + i, bw - 2, 1 };
        if (sel)
            vw_fill(scr, line, ' ', R_OVL_SEL);
        vw_put_fit(scr, line.x, line.y, line.w, buf, sel ? R_OVL_SEL : R_OVERLAY,
                st->utf8);
    }
    if (f.full.n) {
        int y = b.y + 1 + rows;
        for (int x = b.x + 1; x < b.x + bw - 1; x++)
            vw_set_glyph(scr, x, y, G_BOX_H, R_OVERLAY, st->utf8);
        vw_set_glyph(scr, b.x, y, G_TEE_R, R_OVERLAY, st->utf8);
        vw_set_glyph(scr, b.x + bw - 1, y, G_TEE_L, R_OVERLAY, st->utf8);
        int tx = b.x + 1 + 1 + f.nw + 2;
        draw_lines(scr, (struct view_rect){ tx, y + 1, b.x + bw - 2 - tx, f.full.n },
                   &f.full, 0, st->utf8);
    }
    view_lines_free(&f.full);
}

/* The projector's narration of the selected event, wrapped to width. */
static void narration_lines(const struct view_index *ix, const struct view_state *st,
                            int width, struct view_lines *l)
{
    if (!ix->n)
        return;
    size_t cur = st->cur < ix->n ? st->cur : ix->n - 1;
    const struct trace_rec *rec = &ix->tr->recs[cur];
    char ev[512], why[1024], buf[1600];
    render_event(ix->tr, rec, ev, sizeof ev);
    trace_why(ix->tr, rec, why, sizeof why);
    /* a send's or an arrival's event names its host already ("client ->
     * server  SYN ..."): "client client -> server" said it twice */
    const char *who = rec->host < 0 || rec->kind == TK_SEND || rec->kind == TK_RECV
                      ? "" : host_name(ix->tr, rec->host);
    if (why[0] && rec->kind != TK_NOTE)
        snprintf(buf, sizeof buf, "%s %s: %s", who, ev, why);
    else
        snprintf(buf, sizeof buf, "%s %s", who, ev);
    add_wrapped(l, width, 0, R_WHY, R_WHY, 0, buf[0] == ' ' ? buf + 1 : buf);
}

int vw_narration_rows(const struct view_index *ix, const struct view_state *st, int w)
{
    struct view_lines l = { 0 };
    narration_lines(ix, st, w - 4, &l);
    int n = l.n + 1;                          /* and the rule above it */
    view_lines_free(&l);
    return n;
}

void vw_draw_narration(const struct view_index *ix, const struct view_state *st,
                    struct view_screen *scr, struct view_rect r)
{
    vw_fill(scr, r, ' ', R_NORMAL);
    for (int x = r.x; x < r.x + r.w; x++)
        vw_set_glyph(scr, x, r.y, G_BOX_H, R_BORDER, st->utf8);
    struct view_lines l = { 0 };
    narration_lines(ix, st, r.w - 4, &l);
    draw_lines(scr, (struct view_rect){ r.x + 2, r.y + 1, r.w - 4, r.h - 1 }, &l, 0,
               st->utf8);
    if (l.n > r.h - 1 && r.h > 1)             /* still more: say it goes on */
        vw_set_glyph(scr, r.x + r.w - 2, r.y + r.h - 1, G_ELLIPSIS, R_WHY, st->utf8);
    view_lines_free(&l);
}
