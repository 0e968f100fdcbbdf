/* pcap.c — owns the capture file formats: classic libpcap (the global header and one record per simulated frame) and pcapng (with each frame's narration as its comment). */
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

/* ---- pcapng (draft-ietf-opsawg-pcapng) ------------------------------------
 * Blocks are written in the writer's byte order, which the Section Header
 * Block's byte-order magic tells readers; every block and option is padded
 * to 32 bits, and a block's total length is at both its ends. */

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_COMMENT 1
#define PCAPNG_SHB_USERAPPL 4
#define PCAPNG_IF_TSRESOL 9

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* An option's size: code, length, value padded to 32 bits. */
static size_t opt_size(size_t len)
{
    return 4 + pad4(len);
}

/* An option: code, length, value, zeros to 32 bits. */
static int write_opt(FILE *fp, uint16_t code, const void *v, size_t len)
{
    static const uint8_t zero[4];
    uint8_t h[4];
    put_host16(h, code);
    put_host16(h + 2, (uint16_t)len);
    if (write_all(fp, h, 4) < 0 || write_all(fp, v, len) < 0)
        return -1;
    return write_all(fp, zero, pad4(len) - len);
}

/* A block's type and total length, written at its start; the length
 * again ends it. */
static int block_start(FILE *fp, uint32_t type, size_t total)
{
    uint8_t h[8];
    put_host32(h, type);
    put_host32(h + 4, (uint32_t)total);
    return write_all(fp, h, 8);
}

static int block_end(FILE *fp, size_t total)
{
    uint8_t t[4];
    put_host32(t, (uint32_t)total);
    return write_all(fp, t, 4);
}

int pcapng_write_header(FILE *fp)
{
    static const char app[] = "protosim (simulated frames)";
    /* Section Header Block: byte-order magic, version 1.0, section length
     * unknown, the application that wrote it */
    uint8_t b[16];
    size_t total = 8 + 16 + opt_size(sizeof app - 1) + opt_size(0) + 4;
    put_host32(b, PCAPNG_BYTE_ORDER_MAGIC);
    put_host16(b + 4, 1);
    put_host16(b + 6, 0);
    memset(b + 8, 0xff, 8);
    if (block_start(fp, PCAPNG_SHB, total) < 0 || write_all(fp, b, 16) < 0 ||
        write_opt(fp, PCAPNG_SHB_USERAPPL, app, sizeof app - 1) < 0 ||
        write_opt(fp, PCAPNG_OPT_END, NULL, 0) < 0 || block_end(fp, total) < 0)
        return -1;
    /* Interface Description Block: Ethernet, the snap length, and
     * if_tsresol 6 (microseconds, also the default) said outright */
    uint8_t res = 6;
    total = 8 + 8 + opt_size(1) + opt_size(0) + 4;
    put_host16(b, PCAP_LINKTYPE_ETHERNET);
    put_host16(b + 2, 0);
    put_host32(b + 4, PCAP_SNAPLEN);
    if (block_start(fp, PCAPNG_IDB, total) < 0 || write_all(fp, b, 8) < 0 ||
        write_opt(fp, PCAPNG_IF_TSRESOL, &res, 1) < 0 ||
        write_opt(fp, PCAPNG_OPT_END, NULL, 0) < 0)
        return -1;
    return block_end(fp, total);
}

int pcapng_write_frame(FILE *fp, int64_t t_us, const uint8_t *frame, size_t len,
                       const char *comment)
{
    static const uint8_t zero[4];
    size_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
    size_t clen = comment ? strlen(comment) : 0;
    if (clen > 60000) {                      /* an option's length is 16 bits */
        clen = 60000;
        while (clen && ((unsigned char)comment[clen] & 0xC0) == 0x80)
            clen--;                          /* on a character's boundary */
    }
    if (t_us < 0 || len > UINT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    size_t opts = clen ? opt_size(clen) + opt_size(0) : 0;
    size_t total = 8 + 20 + pad4(incl) + opts + 4;
    /* Enhanced Packet Block: interface 0, the time in microseconds, the
     * lengths, the frame, its comment */
    uint8_t h[20];
    uint64_t ts = (uint64_t)t_us;
    put_host32(h, 0);
    put_host32(h + 4, (uint32_t)(ts >> 32));
    put_host32(h + 8, (uint32_t)ts);
    put_host32(h + 12, (uint32_t)incl);
    put_host32(h + 16, (uint32_t)len);
    if (block_start(fp, PCAPNG_EPB, total) < 0 || write_all(fp, h, sizeof h) < 0 ||
        write_all(fp, frame, incl) < 0 || write_all(fp, zero, pad4(incl) - incl) < 0)
        return -1;
    if (clen && (write_opt(fp, PCAPNG_OPT_COMMENT, comment, clen) < 0 ||
                 write_opt(fp, PCAPNG_OPT_END, NULL, 0) < 0))
        return -1;
    return block_end(fp, total);
}
