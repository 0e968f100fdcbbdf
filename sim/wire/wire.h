/* wire.h — the bytes on the wire: Ethernet II, IPv4, TCP and UDP headers,
 * their encoders and decoders, the Internet checksum and one-line summaries.
 *
 * Every packet protosim moves is a real frame: the inspector, the pcap writer,
 * the JSON output and the tests all decode the same bytes.  Multi-byte fields
 * in these structs are in host byte order; the encoders write network order. */
#ifndef PROTOSIM_WIRE_H
#define PROTOSIM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR_LEN      14
#define IP4_HDR_LEN      20      /* we always send IHL = 5 */
#define TCP_HDR_LEN      20      /* without options */
#define UDP_HDR_LEN      8
#define FRAME_MAX        1514    /* Ethernet II without FCS */
#define ETH_MIN_FRAME    60      /* short frames are zero-padded to this */

#define ETHERTYPE_IPV4   0x0800
#define ETHERTYPE_ARP    0x0806

#define IPPROTO_TCP_NUM  6
#define IPPROTO_UDP_NUM  17

/* TCP control bits (RFC 9293 3.1). */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

typedef struct { uint8_t b[6]; } mac_addr;
typedef uint32_t ip4_addr;               /* host order: 192.0.2.10 = 0xC000020A */

extern const mac_addr MAC_BROADCAST;

struct eth_hdr {
    mac_addr dst, src;
    uint16_t type;
};

struct ip4_hdr {
    uint8_t  ihl;            /* in 32-bit words; 5 when we encode */
    uint8_t  tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag;           /* flags + fragment offset; we send DF (0x4000) */
    uint8_t  ttl;
    uint8_t  proto;
    uint16_t checksum;       /* as found on decode; computed on encode */
    ip4_addr src, dst;
};

struct tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t  doff;           /* data offset in 32-bit words (decode); encode computes it */
    uint8_t  flags;          /* TCP_SYN | TCP_ACK ... */
    uint16_t win;
    uint16_t checksum;       /* as found on decode; computed on encode */
    uint16_t urg;
    /* options (TCP_OPTIONS below); read and written through tcp_opt_get
     * and tcp_opt_set, so that codecs and renderers loop over the table */
    uint16_t mss;            /* MSS option value, 0 = option absent */
    uint8_t  has_wscale;     /* a window scale option is present ... */
    uint8_t  wscale;         /* ... with this shift count */
};

/* The TCP options protosim speaks, one row each: id, kind, length in bytes
 * (kind and length octets included), the name in summaries, JSON and the
 * inspector, and a label for messages.  Encoder, decoder, arrow labels,
 * JSON and the inspector all loop over this table; an option is added here,
 * in tcp_opt_get/tcp_opt_set (wire.c), and where TCP uses it.
 *   MSS     RFC 9293 3.2: kind 2, length 4, the largest segment accepted
 *   WSCALE  RFC 7323 2.2: kind 3, length 3, the window field's shift count */
#define TCP_OPTIONS(X) \
    X(MSS,    2, 4, "mss",    "MSS")          \
    X(WSCALE, 3, 3, "wscale", "window scale")

enum tcp_hdr_opt {
#define X(id, kind, len, name, label) TCPOPT_##id,
    TCP_OPTIONS(X)
#undef X
    TCPOPT_COUNT
};

struct tcp_opt_info {
    uint8_t     kind, len;
    const char *name, *label;
};
extern const struct tcp_opt_info tcp_opt_table[TCPOPT_COUNT];

/* 1 and the value in *v when option o is present in h, else 0. */
int  tcp_opt_get(const struct tcp_hdr *h, int o, uint32_t *v);
void tcp_opt_set(struct tcp_hdr *h, int o, uint32_t v);
/* The present options as " mss=1460 wscale=7" (sep "=") or " mss 1460
 * wscale 7" (sep " "; at most its first two characters are used);
 * "" when none.  Returns buf. */
char *tcp_opts_str(const struct tcp_hdr *h, const char *sep, char *buf, size_t n);

struct udp_hdr {
    uint16_t sport, dport;
    uint16_t len;
    uint16_t checksum;
};

/* A frame decoded layer by layer.  Pointers point into the decoded buffer. */
struct frame {
    struct eth_hdr eth;
    int has_ip;                      /* ethertype IPv4 and header valid */
    struct ip4_hdr ip;
    int ip_csum_ok;
    int l4;                          /* 0, IPPROTO_TCP_NUM or IPPROTO_UDP_NUM */
    struct tcp_hdr tcp;
    struct udp_hdr udp;
    int l4_csum_ok;
    const uint8_t *payload;          /* L4 payload (or L3 payload for other protocols) */
    size_t payload_len;              /* its bytes present in the buffer */
    /* Bytes of the IPv4 packet that its total length counts but the buffer
     * does not hold: a capture's snapshot length cut it (--read).  0 for
     * every frame the model makes.  The segment or datagram held
     * payload_len + cut bytes of payload; its checksum is not verified. */
    size_t cut;
    /* A TCP header whose options area does not parse (an option without
     * its length byte, a length below 2 or past the header, a known
     * option of the wrong length): the byte of the TCP header where that
     * option starts (20 or more), else 0.  The options before it are
     * read, the rest ignored, and the segment is decoded as Linux's
     * tcp_parse_options() takes it.  The model never sends one; a
     * capture (--read) may hold one.  tcp_opt_stop: reading stopped
     * there (its length is missing, below 2 or past the header), else the
     * option, of a kind this decoder knows, is not its kind's length and
     * was passed over. */
    unsigned tcp_opt_bad;
    int tcp_opt_stop;
    /* Of a TCP header a capture's snapshot length cut inside its options
     * (--read): the option bytes the capture lacks.  The fixed 20 bytes
     * and the options wholly captured are read; cut counts the data
     * bytes missing then, and the checksum is not verified. */
    size_t tcp_hdr_cut;
    /* A TCP header whose data offset is below 5 (1; RFC 9293 3.1: the
     * header is at least the 5 words of its fixed part) or runs past the
     * end of the segment (2): the decode fails ("TCP data offset below
     * 5", "... beyond the segment"), with l4, tcp's fixed fields and
     * payload_len (the segment's bytes) read, so that a capture (--read)
     * can say which segment it was.  Linux's tcp_v4_rcv() discards such a
     * segment. */
    int tcp_doff_bad;
};

/* RFC 1071 one's-complement sum helpers.  inet_checksum() returns the final
 * complemented 16-bit value (network order semantics, returned as a number). */
uint32_t inet_sum(uint32_t acc, const uint8_t *p, size_t n);
uint16_t inet_fold(uint32_t acc);
uint16_t inet_checksum(const uint8_t *p, size_t n);

/* Encoders return the frame length written into buf (>= ETH_MIN_FRAME), or 0
 * when cap is too small.  They fill in lengths and checksums themselves. */
size_t eth_encode(uint8_t *buf, size_t cap, const struct eth_hdr *eth,
                  const uint8_t *payload, size_t len);
size_t tcp_frame_encode(uint8_t *buf, size_t cap,
                        mac_addr src_mac, mac_addr dst_mac,
                        const struct ip4_hdr *ip,      /* src, dst, ttl, id, tos used */
                        const struct tcp_hdr *tcp,     /* doff and checksum ignored */
                        const uint8_t *payload, size_t len);
size_t udp_frame_encode(uint8_t *buf, size_t cap,
                        mac_addr src_mac, mac_addr dst_mac,
                        const struct ip4_hdr *ip,
                        const struct udp_hdr *udp,     /* len and checksum ignored */
                        const uint8_t *payload, size_t len);

/* Decodes a whole frame.  Returns 0 on success, -1 on a malformed frame with a
 * reason in err.  Checksums are verified and reported, not enforced.
 * An IPv4 packet longer than the buffer is taken as cut by a capture's
 * snapshot length, as tshark takes it: what is there is decoded, f->cut
 * says how much is missing, and a TCP or UDP header that is itself cut is
 * an error (has_ip is set); the caller that knows the frame's length on the
 * wire tells a cut packet from one whose total length lies. */
int frame_decode(const uint8_t *buf, size_t len, struct frame *f,
                 char *err, size_t errlen);
/* The same without the checksums (ip_csum_ok and l4_csum_ok stay 0), for
 * the writers that read a recorded frame's fields again and never its
 * checksum verdict: the receiving host checked it once, on arrival. */
int frame_decode_fields(const uint8_t *buf, size_t len, struct frame *f,
                        char *err, size_t errlen);

/* "SYN,ACK" — names joined by commas in the order SYN,FIN,RST,PSH,ACK,URG
 * (the JSON contract).  Returns buf. */
char *tcp_flags_str(uint8_t flags, char *buf, size_t n);
/* Parses "SYN,ACK" (any order, case-insensitive, '|' or ',' or '+' between).
 * Returns 0 and sets *flags, or -1. */
int tcp_flags_parse(const char *s, uint8_t *flags);

/* One line for a sequence diagram arrow: "SYN seq=1000 win=65535 mss=1460",
 * "ACK seq=1001 ack=301 win=65535", "PSH,ACK seq=1001 ack=301 win=65535 len=5",
 * "UDP 49152 > 53 len=28" (len = payload bytes).  The headers only: an ARP
 * frame is "ARP len=28" here, and summary.h's packet_summary() decodes ARP,
 * DNS and HTTP above it.  Returns buf. */
char *frame_summary(const struct frame *f, char *buf, size_t n);

char *ip4_str(ip4_addr a, char *buf, size_t n);        /* "192.0.2.10" */
int   ip4_parse(const char *s, ip4_addr *out);         /* 0 ok, -1 bad */
char *mac_str(mac_addr m, char *buf, size_t n);        /* "02:00:00:00:00:01" */
/* A MAC address as one number (its 48 bits, first octet highest), so that
 * a record's reason can carry it ({N:mac} in a sentence), and back. */
static inline int64_t mac_to_i64(mac_addr m)
{
    int64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m.b[i];
    return v;
}
static inline mac_addr mac_from_i64(int64_t v)
{
    mac_addr m;
    for (int i = 5; i >= 0; i--, v >>= 8)
        m.b[i] = (uint8_t)(v & 0xff);
    return m;
}

#endif
