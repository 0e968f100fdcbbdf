/* fuzz_arp.c — libFuzzer target: the bytes are an ARP packet (RFC 826).  One
 * that decodes must encode to the same 28 bytes, and the Ethernet frame
 * carrying it (type 0x0806) must summarise without trouble. */
#include <stddef.h>
#include <stdint.h>
#include "arp.h"
#include "fuzzwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arp_pkt p;
    char s[256], err[128];
    uint8_t out[ARP_PKT_LEN];

    if (arp_decode(data, size, &p) == 0) {
        arp_summary(&p, s, sizeof s);
        FUZZ_REQUIRE(arp_encode(out, sizeof out, &p) == ARP_PKT_LEN);
        FUZZ_REQUIRE(memcmp(out, data, ARP_PKT_LEN) == 0);
    }
    size_t len;
    uint8_t *buf = fuzz_eth(ETHERTYPE_ARP, data, size, &len);
    struct frame f;
    if (frame_decode(buf, len, &f, err, sizeof err) == 0)
        fuzz_summaries(buf, len, &f);
    free(buf);
    return 0;
}
