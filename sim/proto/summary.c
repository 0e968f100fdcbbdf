/* summary.c — top protocol and one-line label of a frame. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "arp.h"
#include "dns.h"
#include "summary.h"
#include "fmt.h"
#include "tcp.h"

/* A datagram to or from port 53 is DNS if it decodes; err (NULL: not
 * wanted) gets the decoder's reason when it does not. */
static int dns_of(const struct frame *f, struct dns_msg *m, char *err, size_t n)
{
    if (err && n)
        err[0] = '\0';
    return f->l4 == IPPROTO_UDP_NUM &&
           (f->udp.sport == DNS_PORT || f->udp.dport == DNS_PORT) &&
           dns_decode(f->payload, f->payload_len, m, err, n) == 0;
}

static int is_dns(const struct frame *f, struct dns_msg *m)
{
    char err[128];
    return dns_of(f, m, err, sizeof err);
}

/* The first line of an HTTP/1.x request or status line, if the payload
 * starts one. */
static size_t http_first_line(const struct frame *f)
{
    static const char *const starts[] = {
        "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "HTTP/1."
    };
    if (f->l4 != IPPROTO_TCP_NUM || !f->payload_len)
        return 0;
    for (size_t i = 0; i < sizeof starts / sizeof *starts; i++) {
        size_t l = strlen(starts[i]);
        if (f->payload_len >= l && !memcmp(f->payload, starts[i], l)) {
            size_t e = 0;
            while (e < f->payload_len && e < 80 && f->payload[e] != '\r' &&
                   f->payload[e] != '\n')
                e++;
            return e;
        }
    }
    return 0;
}

int packet_top(const struct frame *f)
{
    static struct dns_msg m;       /* large: keep it off the stack */
    if (f->eth.type == ETHERTYPE_ARP)
        return TL_ARP;
    if (!f->has_ip)
        return TL_ETH;
    if (is_dns(f, &m))
        return TL_DNS;
    if (http_first_line(f))
        return TL_HTTP;
    if (f->l4 == IPPROTO_TCP_NUM)
        return TL_TCP;
    if (f->l4 == IPPROTO_UDP_NUM)
        return TL_UDP;
    return TL_IP;
}

/* " HTTP " and the first line, hl bytes long (80 at most), put at
 * buf + pos, cut to n - 1 bytes in all.  A NUL in the line ends the
 * string there, as it would have with snprintf's "%.*s". */
static void put_http_line(char *buf, size_t n, size_t pos, const struct frame *f,
                          size_t hl)
{
    char t[sizeof " HTTP " + 80], *q = stpcpy(t, " HTTP ");
    memcpy(q, f->payload, hl);
    if (pos < n)
        fmt_cut_copy(buf + pos, n - pos, t, q + hl);
}

char *packet_summary(const struct frame *f, char *buf, size_t n)
{
    static struct dns_msg m;
    struct arp_pkt ap;
    if (!f->has_ip && f->eth.type == ETHERTYPE_ARP &&
        arp_decode(f->payload, f->payload_len, &ap) == 0)
        return arp_summary(&ap, buf, n);
    char err[128];
    if (dns_of(f, &m, err, sizeof err)) {
        char d[256];
        snprintf(buf, n, "DNS %s", dns_summary(&m, d, sizeof d));
        return buf;
    }
    frame_summary(f, buf, n);
    if (*err && n) {
        /* on port 53 but no DNS message the decoder reads (RFC 1035 4.1):
         * the label says why, or a capture's broken message (a compression
         * pointer that loops or points forward, RFC 1035 4.1.4) would read
         * as a plain datagram */
        size_t k = strlen(buf);
        snprintf(buf + k, n - k, " (not a DNS message protosim reads: %s)", err);
    }
    size_t hl = http_first_line(f);
    if (hl && n)                        /* a buffer of 0 bytes holds no string */
        put_http_line(buf, n, strlen(buf), f, hl);
    return buf;
}

char *packet_label(const struct frame *f, char *buf, size_t n)
{
    if (!f->has_ip || f->l4 != IPPROTO_TCP_NUM)
        return packet_summary(f, buf, n);
    const struct tcp_hdr *h = &f->tcp;
    char fl[32];
    size_t pos = 0;
    int k = snprintf(buf, n, "%s seq=%" PRIu32, tcp_flags_str(h->flags, fl, sizeof fl),
                     h->seq);
#define ADVANCE() do { if (k > 0) pos += (size_t)k; if (pos >= n) return buf; } while (0)
    ADVANCE();
    if (h->flags & TCP_ACK) {
        k = snprintf(buf + pos, n - pos, " ack=%" PRIu32, h->ack);
        ADVANCE();
    }
    if (f->payload_len || f->cut) {
        /* the segment's length, as its IPv4 header counts it; of a frame
         * a capture's snapshot length cut (--read), also what is there */
        if (f->cut)
            k = snprintf(buf + pos, n - pos, " len=%zu (%zu captured)",
                         f->payload_len + f->cut, f->payload_len);
        else
            k = snprintf(buf + pos, n - pos, " len=%zu", f->payload_len);
        ADVANCE();
    }
    if (h->win == 0) {
        k = snprintf(buf + pos, n - pos, " win=0");
        ADVANCE();
    }
#undef ADVANCE
    size_t hl = http_first_line(f);
    if (hl)
        put_http_line(buf, n, pos, f, hl);
    return buf;
}

const char *trace_state_name(int layer, int state)
{
    switch (layer) {
    case TL_TCP: return tcp_state_name(state);
    case TL_ARP: return arp_state_name(state);
    case TL_DNS: return dns_state_name(state);
    default:     return "?";
    }
}
