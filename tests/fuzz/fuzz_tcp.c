/* fuzz_tcp.c — libFuzzer target: the bytes are a TCP segment (header,
 * options, payload) inside a valid IPv4 packet.  A segment that decodes is
 * encoded again with tcp_frame_encode and must decode to the same header
 * fields and payload, with correct checksums (RFC 9293 3.1). */
#include <stddef.h>
#include <stdint.h>
#include "fuzzwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    uint8_t *buf = fuzz_ip(IPPROTO_TCP_NUM, data, size, &len);
    struct frame f, g;
    char err[128];

    if (!buf)
        return 0;
    if (frame_decode(buf, len, &f, err, sizeof err) == 0) {
        FUZZ_REQUIRE(f.l4 == IPPROTO_TCP_NUM && f.ip_csum_ok);
        fuzz_summaries(buf, len, &f);
        static uint8_t out[FRAME_MAX + 64];
        struct ip4_hdr ip = { .src = FUZZ_SRC_IP, .dst = FUZZ_DST_IP, .ttl = 64 };
        mac_addr a = { { 2, 0, 0, 0, 0, 1 } }, b = { { 2, 0, 0, 0, 0, 2 } };
        size_t n = tcp_frame_encode(out, sizeof out, a, b, &ip, &f.tcp,
                                    f.payload, f.payload_len);
        if (n) {
            FUZZ_REQUIRE(frame_decode(out, n, &g, err, sizeof err) == 0);
            FUZZ_REQUIRE(g.l4 == IPPROTO_TCP_NUM && g.ip_csum_ok && g.l4_csum_ok);
            FUZZ_REQUIRE(g.tcp.sport == f.tcp.sport && g.tcp.dport == f.tcp.dport);
            FUZZ_REQUIRE(g.tcp.seq == f.tcp.seq && g.tcp.ack == f.tcp.ack);
            FUZZ_REQUIRE(g.tcp.flags == f.tcp.flags && g.tcp.win == f.tcp.win);
            FUZZ_REQUIRE(g.tcp.urg == f.tcp.urg && g.tcp.mss == f.tcp.mss);
            FUZZ_REQUIRE(g.payload_len == f.payload_len);
            FUZZ_REQUIRE(!f.payload_len || !memcmp(g.payload, f.payload, f.payload_len));
        } else {
            /* refused only when the frame would be longer than Ethernet
             * allows: each option the header carries takes a 4-byte word
             * (window scale with its NOP) */
            size_t olen = (f.tcp.mss ? 4 : 0) + (f.tcp.has_wscale ? 4 : 0);
            FUZZ_REQUIRE(ETH_HDR_LEN + IP4_HDR_LEN + TCP_HDR_LEN + olen + f.payload_len >
                         FRAME_MAX);
        }
    }
    free(buf);
    return 0;
}
