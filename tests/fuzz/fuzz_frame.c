/* fuzz_frame.c — libFuzzer target: every decoder that reads bytes off the
 * wire (Ethernet/IPv4/TCP/UDP, ARP, DNS) and the one-line summaries. */
#include <stddef.h>
#include <stdint.h>
#include "arp.h"
#include "dns.h"
#include "summary.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dns_msg m;
    struct frame f;
    struct arp_pkt a;
    char err[128], buf[512];
    if (frame_decode(data, size, &f, err, sizeof err) == 0)
        packet_summary(&f, buf, sizeof buf);
    if (arp_decode(data, size, &a) == 0)
        arp_summary(&a, buf, sizeof buf);
    if (dns_decode(data, size, &m, err, sizeof err) == 0) {
        uint8_t out[4096];
        dns_summary(&m, buf, sizeof buf);
        dns_encode(&m, out, sizeof out);
    }
    return 0;
}
