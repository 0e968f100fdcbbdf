/* fuzz_frame.c — libFuzzer target: any bytes as a whole Ethernet frame, the
 * way the inspector, the pcap writer and JSON meet a frame: frame_decode
 * then every one-line summary, and the payload of a non-IP frame through
 * the ARP and DNS decoders.  fuzz_ipv4, fuzz_tcp, fuzz_udp, fuzz_arp and
 * fuzz_dns aim at one layer each. */
#include <stddef.h>
#include <stdint.h>
#include "arp.h"
#include "dns.h"
#include "fuzzwrap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dns_msg m;
    struct frame f;
    struct arp_pkt a;
    char err[128], buf[512];

    if (frame_decode(data, size, &f, err, sizeof err) == 0) {
        fuzz_summaries(data, size, &f);
        if (f.eth.type == ETHERTYPE_ARP && arp_decode(f.payload, f.payload_len, &a) == 0)
            arp_summary(&a, buf, sizeof buf);
        if (f.l4 == IPPROTO_UDP_NUM &&
            dns_decode(f.payload, f.payload_len, &m, err, sizeof err) == 0)
            dns_summary(&m, buf, sizeof buf);
    }
    return 0;
}
