/* fuzz_dns.c — libFuzzer target: the bytes are a DNS message (RFC 1035 4.1,
 * name compression 4.1.4).  A message that decodes is summarised, each
 * record printed in master-file form, and encoded again: if the encoder
 * accepts it, the encoding must decode to a message with the same summary.
 * The same bytes are also delivered as the payload of a UDP datagram to
 * port 53, the way the timeline meets them. */
#include <stddef.h>
#include <stdint.h>
#include "dns.h"
#include "fuzzwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dns_msg m, m2;
    static uint8_t out[65536];
    char s[1024], s2[1024], err[128];

    if (dns_decode(data, size, &m, err, sizeof err) == 0) {
        FUZZ_REQUIRE(m.nan <= DNS_MAX_RR && m.nns <= DNS_MAX_RR && m.nar <= DNS_MAX_RR);
        dns_summary(&m, s, sizeof s);
        for (int i = 0; i < m.nan; i++)
            dns_rr_str(&m.an[i], s2, sizeof s2);
        for (int i = 0; i < m.nns; i++)
            dns_rr_str(&m.ns[i], s2, sizeof s2);
        for (int i = 0; i < m.nar; i++)
            dns_rr_str(&m.ar[i], s2, sizeof s2);
        size_t n = dns_encode(&m, out, sizeof out);
        if (n) {
            FUZZ_REQUIRE(dns_decode(out, n, &m2, err, sizeof err) == 0);
            dns_summary(&m2, s2, sizeof s2);
            FUZZ_REQUIRE(strcmp(s, s2) == 0);
        }
    }
    if (size <= 65535 - 28) {
        uint8_t *udp = malloc(UDP_HDR_LEN + size);
        if (!udp)
            abort();
        size_t ul = UDP_HDR_LEN + size, len;
        udp[0] = 0xc0; udp[1] = 0x00;          /* 49152 -> 53 */
        udp[2] = 0; udp[3] = 53;
        udp[4] = (uint8_t)(ul >> 8); udp[5] = (uint8_t)ul;
        udp[6] = 0; udp[7] = 0;                /* no checksum */
        if (size)
            memcpy(udp + UDP_HDR_LEN, data, size);
        uint8_t *buf = fuzz_ip(IPPROTO_UDP_NUM, udp, ul, &len);
        struct frame f;
        if (buf && frame_decode(buf, len, &f, err, sizeof err) == 0)
            fuzz_summaries(buf, len, &f);
        free(buf);
        free(udp);
    }
    return 0;
}
