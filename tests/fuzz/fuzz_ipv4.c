/* fuzz_ipv4.c — libFuzzer target: the bytes are an IPv4 packet inside an
 * Ethernet frame of type 0x0800 (RFC 791 3.1 header checks: version, IHL,
 * total length, fragments), then whatever TCP or UDP decoding follows. */
#include <stddef.h>
#include <stdint.h>
#include "fuzzwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    uint8_t *buf = fuzz_eth(ETHERTYPE_IPV4, data, size, &len);
    struct frame f;
    char err[128];

    if (frame_decode(buf, len, &f, err, sizeof err) == 0) {
        FUZZ_REQUIRE(f.has_ip);
        FUZZ_REQUIRE(f.ip.ihl >= 5 && (size_t)f.ip.ihl * 4 <= f.ip.total_len);
        FUZZ_REQUIRE(f.ip.total_len <= size);
        fuzz_summaries(buf, len, &f);
    } else {
        FUZZ_REQUIRE(err[0] != '\0');
    }
    free(buf);
    return 0;
}
