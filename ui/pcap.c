/* pcap.c — owns the classic libpcap file format: the global header and one record per simulated frame. */
#include "pcap.h"

#include <errno.h>
#include <string.h>

/* Classic pcap files are written in the writer's byte order; readers detect
 * it from the magic number.  libpcap does the same, so the output is
 * byte-identical to what pcap_dump() would write on this machine.  Fields are
 * copied one by one into a byte buffer so struct padding cannot creep in. */

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_GLOBAL_LEN 24
#define PCAP_RECORD_LEN 16

static void put_host32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

static void put_host16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
}

static int write_all(FILE *fp, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, fp) != n)
        return -1;
    return 0;
}

int pcap_write_header(FILE *fp)
{
    uint8_t h[PCAP_GLOBAL_LEN];

    put_host32(h, PCAP_MAGIC_USEC);
    put_host16(h + 4, 2);                        /* version_major */
    put_host16(h + 6, 4);                        /* version_minor */
    put_host32(h + 8, 0);                        /* thiszone: UTC */
    put_host32(h + 12, 0);                       /* sigfigs */
    put_host32(h + 16, PCAP_SNAPLEN);
    put_host32(h + 20, PCAP_LINKTYPE_ETHERNET);
    return write_all(fp, h, sizeof h);
}

/* Simulated time starts at 0, so timestamps read as seconds after the
 * epoch; Wireshark shows 1970-01-01, and relative times are what matter.
 * A negative time cannot be represented and fails with EINVAL.  A frame
 * longer than the snap length is cut to it, as libpcap would (incl_len <
 * orig_len); our frames never come near. */
int pcap_write_frame(FILE *fp, int64_t t_us, const uint8_t *frame, size_t len)
{
    uint8_t r[PCAP_RECORD_LEN];
    size_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;

    if (t_us < 0 || len > UINT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    put_host32(r, (uint32_t)(t_us / 1000000));
    put_host32(r + 4, (uint32_t)(t_us % 1000000));
    put_host32(r + 8, (uint32_t)incl);
    put_host32(r + 12, (uint32_t)len);
    if (write_all(fp, r, sizeof r) < 0)
        return -1;
    return write_all(fp, frame, incl);
}
