/* fuzz_udp.c — libFuzzer target: the bytes are a UDP datagram inside a
 * valid IPv4 packet (RFC 768 length and checksum).  One that decodes is
 * encoded again with udp_frame_encode and must come back the same, with a
 * correct checksum, whatever a port-53 payload then decodes to. */
#include <stddef.h>
#include <stdint.h>
#include "fuzzwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    uint8_t *buf = fuzz_ip(IPPROTO_UDP_NUM, data, size, &len);
    struct frame f, g;
    char err[128];

    if (!buf)
        return 0;
    if (frame_decode(buf, len, &f, err, sizeof err) == 0) {
        FUZZ_REQUIRE(f.l4 == IPPROTO_UDP_NUM);
        FUZZ_REQUIRE(f.payload_len + UDP_HDR_LEN == f.udp.len);
        fuzz_summaries(buf, len, &f);
        static uint8_t out[FRAME_MAX + 64];
        struct ip4_hdr ip = { .src = FUZZ_SRC_IP, .dst = FUZZ_DST_IP, .ttl = 64 };
        mac_addr a = { { 2, 0, 0, 0, 0, 1 } }, b = { { 2, 0, 0, 0, 0, 2 } };
        size_t n = udp_frame_encode(out, sizeof out, a, b, &ip, &f.udp,
                                    f.payload, f.payload_len);
        if (n) {
            FUZZ_REQUIRE(frame_decode(out, n, &g, err, sizeof err) == 0);
            FUZZ_REQUIRE(g.l4 == IPPROTO_UDP_NUM && g.ip_csum_ok && g.l4_csum_ok);
            FUZZ_REQUIRE(g.udp.sport == f.udp.sport && g.udp.dport == f.udp.dport);
            FUZZ_REQUIRE(g.payload_len == f.payload_len);
            FUZZ_REQUIRE(!f.payload_len || !memcmp(g.payload, f.payload, f.payload_len));
            fuzz_summaries(out, n, &g);
        }
    }
    free(buf);
    return 0;
}
