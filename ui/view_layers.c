/* view_layers.c — the layers of a packet: the inspector's layer labels (TCP/IP layer and OSI number) and the encapsulation view of each header's size, down the sender's stack and up the receiver's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "i18n.h"
#include "view.h"
#include "viewint.h"
#include "arp.h"
#include "summary.h"
#include "trace.h"
#include "wire.h"

/* ======================================================================== */
/* Layer labels                                                             */

/* The TCP/IP model's four layers with the OSI layer each matches; ARP
 * honestly: it is carried by Ethernet itself (no IPv4 header) and maps
 * network addresses to link addresses, so it sits between OSI 2 and 3 and
 * the TCP/IP model counts it in the link layer.  OSI 5-7 fold into TCP/IP's
 * application layer (the inspector says so in a note). */
static const char *const layer_labels[VL_COUNT] = {
    [VL_LINK]        = N_("link (OSI 2)"),
    [VL_ARP]         = N_("link (between OSI 2 and 3)"),
    [VL_NETWORK]     = N_("network (OSI 3)"),
    [VL_TRANSPORT]   = N_("transport (OSI 4)"),
    [VL_APPLICATION] = N_("application (OSI 7)"),
};
static const char *const layer_names[VL_COUNT] = {
    [VL_LINK]        = N_("link"),
    [VL_ARP]         = N_("link (ARP)"),
    [VL_NETWORK]     = N_("network"),
    [VL_TRANSPORT]   = N_("transport"),
    [VL_APPLICATION] = N_("application"),
};

const char *view_layer_label(int vl)
{
    return vl >= 0 && vl < VL_COUNT ? _(layer_labels[vl]) : "?";
}

const char *view_layer_name(int vl)
{
    return vl >= 0 && vl < VL_COUNT ? _(layer_names[vl]) : "?";
}

int vw_layer_pad(const int *vls, int n)
{
    int w = 0;
    for (int i = 0; i < n; i++) {
        int lw = view_text_width(view_layer_label(vls[i]));
        if (lw > w)
            w = lw;
    }
    return w;
}

void vw_layer_head(int vl, const char *proto, int pad, char *buf, size_t n)
{
    const char *label = view_layer_label(vl);
    int sp = pad - view_text_width(label) + 2;
    if (sp < 1)
        sp = 1;
    snprintf(buf, n, "%s%*s%s", label, sp, "", proto);
}

/* ======================================================================== */
/* Sizes, from the frame's bytes                                            */

int view_encap_of(const uint8_t *p, size_t len, struct view_encap *e)
{
    struct frame f;
    char err[64];
    memset(e, 0, sizeof *e);
    e->app_name = N_("no data");
    if (frame_decode(p, len, &f, err, sizeof err) != 0)
        return -1;
    e->frame = len;
    e->eth_hdr = ETH_HDR_LEN;
    e->top = packet_top(&f);
    if (f.eth.type == ETHERTYPE_ARP) {
        /* RFC 826: 8 fixed bytes, then two hardware and two protocol
         * addresses of the lengths the message gives (6 and 4: 28) */
        if (len < ETH_HDR_LEN + 8)
            return -1;
        size_t al = 8 + 2 * ((size_t)p[ETH_HDR_LEN + 4] + p[ETH_HDR_LEN + 5]);
        if (al > len - ETH_HDR_LEN)
            return -1;
        e->arp = 1;
        e->arp_len = e->eth_payload = al;
        e->pad = len - ETH_HDR_LEN - al;
        return 0;
    }
    if (!f.has_ip) {
        e->eth_payload = len - ETH_HDR_LEN;
        return 0;
    }
    e->ip = 1;
    e->ip_hdr = (size_t)f.ip.ihl * 4;
    e->ip_total = e->eth_payload = f.ip.total_len;
    if (f.cut) {
        /* a capture's snapshot length cut it (--read): the sizes are the
         * headers' own; no padding follows a packet that was cut */
        e->frame = ETH_HDR_LEN + e->ip_total;
        e->cut = e->frame - len;
    } else {
        e->pad = len - ETH_HDR_LEN - e->ip_total;
    }
    e->l4 = f.l4;
    if (f.l4 == IPPROTO_TCP_NUM) {
        e->l4_hdr = (size_t)f.tcp.doff * 4;
        e->l4_opts = e->l4_hdr - TCP_HDR_LEN;
    } else if (f.l4 == IPPROTO_UDP_NUM) {
        e->l4_hdr = UDP_HDR_LEN;
    } else {
        return 0;                 /* another protocol, or a fragment */
    }
    e->app = f.payload_len + f.cut;
    e->l4_total = e->l4_hdr + e->app;
    if (e->top == TL_DNS)
        e->app_name = f.payload_len > 2 && (f.payload[2] & 0x80)
                    ? N_("DNS response") : N_("DNS query");
    else if (e->top == TL_HTTP)
        e->app_name = f.payload_len >= 5 && memcmp(f.payload, "HTTP/", 5) == 0
                    ? N_("HTTP response") : N_("HTTP request");
    else if (e->app)
        e->app_name = N_("data");
    return 0;
}

/* ======================================================================== */
/* The encapsulation view                                                   */

struct erow { int vl; char desc[160]; long total; };     /* total -1: none */

struct esect {
    struct erow v[6];
    int n;
};

static void erow(struct esect *s, int vl, long total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void erow(struct esect *s, int vl, long total, const char *fmt, ...)
{
    if (s->n >= (int)(sizeof s->v / sizeof s->v[0]))
        return;
    struct erow *r = &s->v[s->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->desc, sizeof r->desc, fmt, ap);
    va_end(ap);
    r->vl = vl;
    r->total = total;
}

static const char *host_or(const struct trace *tr, int h)
{
    const char *n = h >= 0 ? trace_host_name(tr, h) : NULL;
    return n ? n : "?";
}

/* The rows going down: from the application's bytes to the frame.  A host
 * that forwards (a router: the IPv4 source is another host's) only wraps
 * the packet it received in a new Ethernet header. */
static void rows_down(const struct view_encap *e, int forwards, struct esect *s)
{
    if (e->arp) {
        erow(s, VL_ARP, (long)e->arp_len, "%s",
             _("ARP message (no IPv4 header, no transport header)"));
    } else if (e->ip) {
        if (e->l4 && !forwards) {
            if (e->app)
                erow(s, VL_APPLICATION, (long)e->app, "%s", _(e->app_name));
            else
                erow(s, VL_APPLICATION, 0, "%s", _("no data"));
            if (e->l4 == IPPROTO_TCP_NUM && e->l4_opts)
                erow(s, VL_TRANSPORT, (long)e->l4_total,
                     _("TCP header %zu (20 + %zu of options) + %zu"), e->l4_hdr,
                     e->l4_opts, e->app);
            else
                erow(s, VL_TRANSPORT, (long)e->l4_total,
                     e->l4 == IPPROTO_TCP_NUM ? _("TCP header %zu + %zu")
                                              : _("UDP header %zu + %zu"),
                     e->l4_hdr, e->app);
        }
        erow(s, VL_NETWORK, (long)e->ip_total, _("IPv4 header %zu + %zu"), e->ip_hdr,
             e->ip_total - e->ip_hdr);
    }
    if (e->pad)
        erow(s, VL_LINK, (long)e->frame, _("Ethernet header %zu + %zu + padding %zu"),
             e->eth_hdr, e->eth_payload, e->pad);
    else
        erow(s, VL_LINK, (long)e->frame, _("Ethernet header %zu + %zu"), e->eth_hdr,
             e->eth_payload);
}

/* The rows going up: from the frame to what the application reads.  A
 * router stops at the network layer (the caller says why). */
static void rows_up(const struct view_encap *e, int router, struct esect *s)
{
    if (e->pad)
        erow(s, VL_LINK, (long)e->eth_payload, _("%zu - Ethernet header %zu - padding %zu"),
             e->frame, e->eth_hdr, e->pad);
    else
        erow(s, VL_LINK, (long)e->eth_payload, _("%zu - Ethernet header %zu"), e->frame,
             e->eth_hdr);
    if (e->arp) {
        erow(s, VL_ARP, -1, "%s", _("ARP reads the message: nothing goes further up"));
        return;
    }
    if (!e->ip)
        return;
    erow(s, VL_NETWORK, (long)(e->ip_total - e->ip_hdr), _("%zu - IPv4 header %zu"),
         e->ip_total, e->ip_hdr);
    if (router || !e->l4)
        return;
    erow(s, VL_TRANSPORT, (long)e->app,
         e->l4 == IPPROTO_TCP_NUM ? _("%zu - TCP header %zu") : _("%zu - UDP header %zu"),
         e->l4_total, e->l4_hdr);
    if (e->app)
        erow(s, VL_APPLICATION, (long)e->app, _("%s for the application"),
             _(e->app_name));
    else
        erow(s, VL_APPLICATION, 0, "%s", _("nothing for the application"));
}

/* The rows of both sections aligned: layer name, description, "= total". */
static void emit_rows(const struct esect *s, int nw, int dw, int width,
                      struct view_lines *out)
{
    for (int i = 0; i < s->n; i++) {
        const struct erow *r = &s->v[i];
        char line[400];
        const char *name = view_layer_name(r->vl);
        int pos = snprintf(line, sizeof line, "  %s%*s  %s", name,
                           nw - view_text_width(name), "", r->desc);
        if (r->total >= 0 && pos > 0 && (size_t)pos < sizeof line)
            snprintf(line + pos, sizeof line - (size_t)pos, "%*s = %5ld",
                     dw - view_text_width(r->desc), "", r->total);
        vw_add_wrapped(out, width, 4, R_OVERLAY, line);
    }
}

void view_encap_lines(const struct view_index *ix, const struct view_state *st,
                      int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    char buf[600], a[32];
    if (ix->n == 0) {
        vw_add_wrapped(out, width, 2, R_OVERLAY, _("no events"));
        return;
    }
    size_t i = st->cur < ix->n ? st->cur : ix->n - 1;
    const struct trace_rec *r = &tr->recs[i];
    if (r->kind != TK_SEND && r->kind != TK_RECV && r->kind != TK_DROP) {
        snprintf(buf, sizeof buf, _("Event #%zu is not a packet. Step to a packet (j, k, "
                 "or } for the next of a protocol) to see its headers."), i + 1);
        vw_add_wrapped(out, width, 2, R_OVERLAY, buf);
        return;
    }
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct view_encap e;
    if (view_encap_of(p, len, &e) != 0) {
        snprintf(buf, sizeof buf, _("Event #%zu: the %zu-byte frame does not decode: no "
                 "layers to show."), i + 1, len);
        vw_add_wrapped(out, width, 2, R_OVERLAY, buf);
        return;
    }
    struct frame f;
    char err[64];
    frame_decode(p, len, &f, err, sizeof err);       /* decoded once above */
    int src = r->u.pkt.src, dst = r->u.pkt.dst;
    /* a router forwards: the IPv4 source (or destination) is another host */
    int hs = e.ip ? trace_host_by_addr(tr, f.ip.src) : -1;
    int hd = e.ip ? trace_host_by_addr(tr, f.ip.dst) : -1;
    int forwards = hs >= 0 && src >= 0 && hs != src;
    int router = hd >= 0 && dst >= 0 && hd != dst;

    snprintf(buf, sizeof buf, _("Event #%zu: a %zu-byte frame from %s to %s"), i + 1,
             len, host_or(tr, src), dst >= 0 ? host_or(tr, dst) : _("every host on the LAN"));
    vw_add_wrapped(out, width, 2, R_OVL_KEY, buf);
    if (e.cut) {
        snprintf(buf, sizeof buf, _("The capture's snapshot length cut it: %zu of "
                 "the frame's %zu bytes were captured, and the sizes below are the "
                 "ones its headers give."), len, e.frame);
        vw_add_wrapped(out, width, 2, R_OVERLAY, buf);
    }

    struct esect down = { .n = 0 }, up = { .n = 0 };
    rows_down(&e, forwards, &down);
    if (r->kind != TK_DROP)
        rows_up(&e, router, &up);
    int nw = 0, dw = 0;
    for (int k = 0; k < 2; k++) {
        const struct esect *s = k ? &up : &down;
        for (int j = 0; j < s->n; j++) {
            int w = view_text_width(view_layer_name(s->v[j].vl));
            if (w > nw)
                nw = w;
            w = view_text_width(s->v[j].desc);
            if (s->v[j].total >= 0 && w > dw)
                dw = w;
        }
    }
    const char *down_arrow = st->utf8 ? "\u2193" : "v";
    const char *up_arrow = st->utf8 ? "\u2191" : "^";
    if (forwards)
        snprintf(buf, sizeof buf, _("%s %s forwards the IPv4 packet it received (TTL "
                 "lowered, checksum redone) in a new Ethernet frame:"), down_arrow,
                 host_or(tr, src));
    else
        snprintf(buf, sizeof buf, _("%s down %s's stack, sending: each layer adds its "
                 "header"), down_arrow, host_or(tr, src));
    vw_add_wrapped(out, width, 4, R_OVL_KEY, buf);
    emit_rows(&down, nw, dw, width, out);

    if (r->kind == TK_DROP) {
        snprintf(buf, sizeof buf, _("%s dropped on the way (%s): it goes up no "
                 "receiver's stack"), st->utf8 ? "\u2715" : "X",
                 _(drop_reason_str(r->u.pkt.reason)));
        vw_add_wrapped(out, width, 4, R_OVL_KEY, buf);
    } else {
        if (dst >= 0)
            snprintf(buf, sizeof buf, _("%s up %s's stack, receiving: each layer removes "
                     "its header"), up_arrow, host_or(tr, dst));
        else
            snprintf(buf, sizeof buf, _("%s up the stack of each host on the LAN, "
                     "receiving: each layer removes its header"), up_arrow);
        vw_add_wrapped(out, width, 4, R_OVL_KEY, buf);
        emit_rows(&up, nw, dw, width, out);
        if (router) {
            snprintf(buf, sizeof buf, _("  %s is not %s's address: %s forwards the packet "
                     "and passes nothing up"), ip4_str(f.ip.dst, a, sizeof a),
                     host_or(tr, dst), host_or(tr, dst));
            vw_add_wrapped(out, width, 4, R_OVERLAY, buf);
        }
    }

    /* what is counted, and why a size is not the plain sum */
    if (e.l4 == IPPROTO_TCP_NUM && e.l4_opts && !forwards) {
        char opts[64];
        tcp_opts_str(&f.tcp, " ", opts, sizeof opts);
        size_t used = 0;               /* the options' own bytes (tcp_opt_table) */
        for (int o = 0; o < TCPOPT_COUNT; o++) {
            uint32_t v;
            if (tcp_opt_get(&f.tcp, o, &v))
                used += tcp_opt_table[o].len;
        }
        if (f.tcp_opt_bad)             /* a capture's (--read): not padding */
            snprintf(buf, sizeof buf, _("The TCP header is longer than 20 bytes: %zu "
                     "bytes of options follow its fixed 20, and the option that starts "
                     "%u bytes into the header is malformed (options read: %s)."),
                     e.l4_opts, f.tcp_opt_bad, opts[0] ? opts + 1 : _("none"));
        else if (used < e.l4_opts)
            snprintf(buf, sizeof buf, _("The TCP header is longer than 20 bytes: %zu "
                     "bytes of options (%s, padded to a multiple of 4) follow its fixed "
                     "20."), e.l4_opts, opts[0] ? opts + 1 : "?");
        else
            snprintf(buf, sizeof buf, _("The TCP header is longer than 20 bytes: %zu "
                     "bytes of options (%s) follow its fixed 20."), e.l4_opts,
                     opts[0] ? opts + 1 : "?");
        vw_add_wrapped(out, width, 2, R_OVERLAY, buf);
    }
    if (e.pad) {
        snprintf(buf, sizeof buf, e.arp
                 ? P_("An Ethernet frame is at least 60 bytes before its FCS: %zu zero byte "
                      "of padding follows the ARP message (its own fields give its length).",
                      "An Ethernet frame is at least 60 bytes before its FCS: %zu zero bytes "
                      "of padding follow the ARP message (its own fields give its length).",
                      e.pad)
                 : P_("An Ethernet frame is at least 60 bytes before its FCS: %zu zero byte "
                      "of padding follows the IPv4 packet (the receiver finds its end from "
                      "the IPv4 total length).",
                      "An Ethernet frame is at least 60 bytes before its FCS: %zu zero bytes "
                      "of padding follow the IPv4 packet (the receiver finds its end from "
                      "the IPv4 total length).", e.pad), e.pad);
        vw_add_wrapped(out, width, 2, R_OVERLAY, buf);
    }
    if (e.cut)
        snprintf(buf, sizeof buf, _("Counted: the %zu bytes of the frame as its headers "
                 "give them (the capture holds %zu). Not counted: the 4-byte FCS the "
                 "network card appends and the 8-byte preamble before it."), e.frame, len);
    else
        snprintf(buf, sizeof buf, _("Counted: the %zu bytes of the captured frame (the "
                 "trace, the pcap). Not counted: the 4-byte FCS the network card appends "
                 "(%zu bytes on the wire) and the 8-byte preamble before it."), e.frame,
                 e.frame + 4);
    vw_add_wrapped(out, width, 2, R_OVERLAY, buf);
}

/* ======================================================================== */
/* On the screen                                                            */

void vw_draw_encap(const struct view_index *ix, const struct view_state *st,
                   struct view_screen *scr, struct view_rect area)
{
    int bw = scr->w - 4 < 100 ? scr->w - 4 : 100;
    struct view_lines l = { 0 };
    view_encap_lines(ix, st, bw - 4, &l);
    int lw = 0;
    for (int i = 0; i < l.n; i++)
        if (view_text_width(l.v[i].text) > lw)
            lw = view_text_width(l.v[i].text);
    if (lw + 4 < bw)
        bw = lw + 4 > 40 ? lw + 4 : 40;
    /* over the diagram when it fits there, else over everything between
     * the title and the hint line */
    if (l.n + 2 > area.h) {
        area.y = 1;
        area.h = scr->h - 2;
    }
    int bh = l.n + 2 < area.h ? l.n + 2 : area.h;
    struct view_rect b = { (scr->w - bw) / 2, area.y + (area.h - bh) / 2, bw, bh };
    vw_draw_box(scr, b, _("encapsulation"), st->utf8);
    vw_draw_lines(scr, (struct view_rect){ b.x + 2, b.y + 1, b.w - 4, b.h - 2 }, &l, 0,
                  st->utf8);
    view_lines_free(&l);
}

void vw_draw_encap_hint(const struct view_state *st, struct view_screen *scr,
                        struct view_rect r)
{
    const char *dot = st->utf8 ? " \u00b7 " : " - ";
    char buf[192];
    snprintf(buf, sizeof buf, _(" j/k step to another event%se or Esc closes the "
             "encapsulation view"), dot);
    view_put(scr, r.x, r.y, r.w, buf, R_HINT, st->utf8);
}
