/* fuzzwrap.h — helpers for the decoder targets: wrap fuzzer bytes in the
 * layers below the one under test, so each target's bytes land in its own
 * decoder instead of being refused by the layer underneath, and abort on a
 * broken round trip (a finding the sanitizers cannot see). */
#ifndef PROTOSIM_FUZZ_FUZZWRAP_H
#define PROTOSIM_FUZZ_FUZZWRAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "summary.h"
#include "wire.h"

#define FUZZ_SRC_IP 0xC000020Au    /* 192.0.2.10 */
#define FUZZ_DST_IP 0xC0000250u    /* 192.0.2.80 */

#define FUZZ_REQUIRE(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: round trip broken: %s\n", __FILE__, __LINE__, #cond); \
    abort(); } } while (0)

/* Ethernet header of the given type, then data; returns the malloc'd frame
 * (exact size, so ASan catches a read past its end) and its length. */
static inline uint8_t *fuzz_eth(uint16_t type, const uint8_t *data, size_t size,
                                size_t *len)
{
    uint8_t *f = malloc(ETH_HDR_LEN + size);
    if (!f)
        abort();
    static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
    memcpy(f, macs, 12);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    if (size)
        memcpy(f + ETH_HDR_LEN, data, size);
    *len = ETH_HDR_LEN + size;
    return f;
}

/* Ethernet + a valid 20-byte IPv4 header (its checksum right) carrying the
 * data as protocol proto.  NULL when the data does not fit an IP packet. */
static inline uint8_t *fuzz_ip(uint8_t proto, const uint8_t *data, size_t size,
                               size_t *len)
{
    if (size > 65535 - IP4_HDR_LEN)
        return NULL;
    uint8_t *f = malloc(ETH_HDR_LEN + IP4_HDR_LEN + size);
    if (!f)
        abort();
    uint8_t *p = f + ETH_HDR_LEN;
    size_t tot = IP4_HDR_LEN + size;
    memset(f, 0, ETH_HDR_LEN + IP4_HDR_LEN);
    f[0] = 2; f[5] = 2; f[6] = 2; f[11] = 1;
    f[12] = 0x08;
    p[0] = 0x45;
    p[2] = (uint8_t)(tot >> 8);
    p[3] = (uint8_t)tot;
    p[6] = 0x40;
    p[8] = 64;
    p[9] = proto;
    p[12] = 192; p[13] = 0; p[14] = 2; p[15] = 10;
    p[16] = 192; p[17] = 0; p[18] = 2; p[19] = 80;
    uint16_t c = inet_checksum(p, IP4_HDR_LEN);
    p[10] = (uint8_t)(c >> 8);
    p[11] = (uint8_t)c;
    if (size)
        memcpy(p + IP4_HDR_LEN, data, size);
    *len = ETH_HDR_LEN + tot;
    return f;
}

/* Every one-line form of a decoded frame, and the payload inside the frame. */
static inline void fuzz_summaries(const uint8_t *buf, size_t len, const struct frame *f)
{
    char s[512];
    FUZZ_REQUIRE(!f->payload_len ||
                 (f->payload >= buf && f->payload + f->payload_len <= buf + len));
    packet_summary(f, s, sizeof s);
    FUZZ_REQUIRE(strlen(s) < sizeof s);
    packet_label(f, s, sizeof s);
    frame_summary(f, s, sizeof s);
    packet_top(f);
}

#endif
