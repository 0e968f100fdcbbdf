/* capture.h — reading a real capture (--read): pcap and pcapng files, their
 * frames made Ethernet frames whatever link layer they were captured on.
 *
 * Read: pcap with microsecond or nanosecond timestamps in either byte
 * order; pcapng sections in either byte order, their Interface Description
 * Blocks (link type, if_tsresol) and Enhanced, Simple and obsolete Packet
 * Blocks (other blocks are skipped).  Link types: Ethernet (1, one 802.1Q
 * tag removed), raw IP (101, 228), Linux cooked v1 and v2 (113, 276) and BSD
 * loopback (0).  A frame of another link layer, or whose network layer is
 * not IPv4 or ARP, is skipped and counted; so, when it is drawn
 * (read_capture), is one whose IPv4 header or ARP message does not decode. */
#ifndef PROTOSIM_CAPTURE_H
#define PROTOSIM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* the largest capture --read loads (it is read whole) */
#define CAPTURE_FILE_MAX ((size_t)256 << 20)

struct capture_frame {
    int64_t  t_us;       /* since the capture's first frame */
    uint32_t off, len;   /* the Ethernet frame: bytes[off .. off + len) */
    uint32_t wire_len;   /* its length on the wire (> len: cut by the snapshot length) */
    uint32_t number;     /* its number in the file, from 1, as Wireshark counts */
};

enum capture_skip {
    CAP_SKIP_IPV6,       /* IPv6: protosim models IPv4 */
    CAP_SKIP_OTHER,      /* a network layer that is neither IPv4 nor ARP */
    CAP_SKIP_LINK,       /* a link type protosim does not read */
    CAP_SKIP_SHORT,      /* too short for its link-layer header */
    /* counted by read_capture (ui/read.h), which decodes what is kept: */
    CAP_SKIP_BAD_IPV4,   /* an IPv4 header that does not decode */
    CAP_SKIP_BAD_ARP,    /* an ARP message cut short or not Ethernet/IPv4 */
    CAP_SKIP_CUT,        /* whole on the wire, cut by the snapshot length
                          * inside its IPv4, TCP or UDP header or its ARP
                          * message (one cut after them is drawn) */
    CAP_SKIP_COUNT
};

struct capture {
    uint8_t *bytes;                 /* the frames, as Ethernet */
    size_t   nbytes, capbytes;
    struct capture_frame *frames;   /* in file order */
    size_t   n, cap;
    size_t   total;                 /* packets in the file */
    size_t   skipped[CAP_SKIP_COUNT];
    int      format;                /* 0 pcap, 1 pcapng */
};

/* Loads path.  Returns 0; or -1 with errno set when the file cannot be
 * read (EFBIG: larger than CAPTURE_FILE_MAX), or -2 with err saying what
 * is wrong with it and at which byte. */
int  capture_load(const char *path, struct capture *c, char *err, size_t errlen);
/* The same from bytes in memory (what capture_load calls). */
int  capture_parse(const uint8_t *p, size_t n, struct capture *c, char *err,
                   size_t errlen);
void capture_free(struct capture *c);

#endif
