/* capture.c — pcap and pcapng files read into Ethernet frames (capture.h).
 *
 * The formats: pcap as libpcap writes it (a 24-byte file header, then a
 * 16-byte header per record); pcapng as draft-ietf-opsawg-pcapng describes
 * it (blocks of type, total length, body, total length again, each section
 * opened by a Section Header Block whose byte-order magic says the
 * section's byte order). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "capture.h"
#include "i18n.h"

enum {
    LT_NULL = 0, LT_ETHERNET = 1, LT_RAW = 101, LT_SLL = 113, LT_IPV4 = 228,
    LT_SLL2 = 276
};

enum { ETH_HLEN = 14, ET_IPV4 = 0x0800, ET_ARP = 0x0806, ET_VLAN = 0x8100,
       ET_IPV6 = 0x86DD };

static void fail(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

static uint32_t rd32(const uint8_t *p, int swap)
{
    uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                  (uint32_t)p[3] << 24;
    uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
                  (uint32_t)p[0] << 24;
    return swap ? be : le;
}

static uint16_t rd16(const uint8_t *p, int swap)
{
    return swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Appends an Ethernet frame: hdr (14 bytes) then body.  The frame is cut
 * to UINT32_MAX, which no capture record reaches. */
static void add_frame(struct capture *c, int64_t t_us, const uint8_t *hdr,
                      const uint8_t *body, size_t blen, size_t wire_extra,
                      uint32_t number)
{
    size_t len = (hdr ? ETH_HLEN : 0) + blen;
    if (c->nbytes + len > c->capbytes) {
        size_t cap = c->capbytes ? c->capbytes : 4096;
        while (cap < c->nbytes + len)
            cap *= 2;
        c->bytes = xrealloc(c->bytes, cap);
        c->capbytes = cap;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->frames = xreallocarray(c->frames, c->cap, sizeof *c->frames);
    }
    struct capture_frame *f = &c->frames[c->n++];
    f->t_us = t_us;
    f->off = (uint32_t)c->nbytes;
    f->len = (uint32_t)len;
    f->wire_len = (uint32_t)(len + wire_extra);
    f->number = number;
    if (hdr)
        memcpy(c->bytes + c->nbytes, hdr, ETH_HLEN);
    if (blen)
        memcpy(c->bytes + c->nbytes + (hdr ? ETH_HLEN : 0), body, blen);
    c->nbytes += len;
}

/* Counts a frame of network protocol `et` that is not read; 0 if it is. */
static int skip_proto(struct capture *c, unsigned et)
{
    if (et == ET_IPV4 || et == ET_ARP)
        return 0;
    c->skipped[et == ET_IPV6 ? CAP_SKIP_IPV6 : CAP_SKIP_OTHER]++;
    return 1;
}

/* One captured packet of link type lt: made an Ethernet frame and kept, or
 * counted as skipped.  wire: its original length. */
static void take(struct capture *c, int lt, int64_t t_us, const uint8_t *p,
                 size_t len, size_t wire, int swap, uint32_t number)
{
    uint8_t eth[ETH_HLEN] = { 0 };
    size_t extra = wire > len ? wire - len : 0;
    unsigned et;
    switch (lt) {
    case LT_ETHERNET:
        if (len < ETH_HLEN)
            break;
        et = be16(p + 12);
        if (et == ET_VLAN && len >= ETH_HLEN + 4) {
            /* one 802.1Q tag: the frame as it was before the tag */
            memcpy(eth, p, 12);
            eth[12] = p[16];
            eth[13] = p[17];
            if (!skip_proto(c, be16(p + 16)))
                add_frame(c, t_us, eth, p + 18, len - 18, extra, number);
            return;
        }
        if (!skip_proto(c, et))
            add_frame(c, t_us, NULL, p, len, extra, number);
        return;
    case LT_RAW: case LT_IPV4:
        if (len < 1)
            break;
        et = (p[0] >> 4) == 4 ? ET_IPV4 : (p[0] >> 4) == 6 ? ET_IPV6 : 0;
        if (lt == LT_IPV4 && et != ET_IPV4)
            et = 0;
        if (skip_proto(c, et))
            return;
        eth[12] = ET_IPV4 >> 8;
        eth[13] = ET_IPV4 & 0xff;
        add_frame(c, t_us, eth, p, len, extra, number);
        return;
    case LT_NULL: {
        if (len < 4)
            break;
        /* the family in the byte order of the machine that captured:
         * AF_INET is 2 everywhere */
        uint32_t fam = rd32(p, 0);
        et = fam == 2 || fam == 0x02000000 ? ET_IPV4 :
             fam == 24 || fam == 28 || fam == 30 || fam == 0x18000000 ||
             fam == 0x1c000000 || fam == 0x1e000000 ? ET_IPV6 : 0;
        if (skip_proto(c, et))
            return;
        eth[12] = ET_IPV4 >> 8;
        eth[13] = ET_IPV4 & 0xff;
        add_frame(c, t_us, eth, p + 4, len - 4, extra, number);
        return;
    }
    case LT_SLL: case LT_SLL2: {
        size_t hl = lt == LT_SLL ? 16 : 20;
        if (len < hl)
            break;
        et = be16(p + (lt == LT_SLL ? 14 : 0));
        unsigned halen = lt == LT_SLL ? be16(p + 4) : p[11];
        const uint8_t *addr = p + (lt == LT_SLL ? 6 : 12);
        if (skip_proto(c, et))
            return;
        if (halen == 6)
            memcpy(eth + 6, addr, 6);    /* the sender's MAC */
        eth[12] = (uint8_t)(et >> 8);
        eth[13] = (uint8_t)et;
        add_frame(c, t_us, eth, p + hl, len - hl, extra, number);
        return;
    }
    default:
        c->skipped[CAP_SKIP_LINK]++;
        return;
    }
    (void)swap;
    c->skipped[CAP_SKIP_SHORT]++;
}

static int parse_pcap(const uint8_t *p, size_t n, struct capture *c, char *err,
                      size_t errlen)
{
    uint32_t magic = rd32(p, 0);
    int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    int nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    if (n < 24) {
        fail(err, errlen, _("the pcap file header is cut short (%zu of 24 bytes)"), n);
        return -2;
    }
    int lt = (int)(rd32(p + 20, swap) & 0xffff);   /* the upper bits are FCS flags */
    size_t at = 24;
    int64_t t0 = 0;
    while (at < n) {
        if (n - at < 16) {
            fail(err, errlen, _("the record header at byte %zu is cut short "
                 "(%zu of 16 bytes)"), at, n - at);
            return -2;
        }
        uint32_t sec = rd32(p + at, swap), frac = rd32(p + at + 4, swap);
        uint32_t incl = rd32(p + at + 8, swap), orig = rd32(p + at + 12, swap);
        if (incl > n - at - 16) {
            fail(err, errlen, P_("the record at byte %zu says it holds %u byte; "
                 "the file has %zu more", "the record at byte %zu says it holds %u bytes; "
                 "the file has %zu more", incl), at, incl, n - at - 16);
            return -2;
        }
        int64_t us = (int64_t)sec * 1000000 + (nano ? frac / 1000 : frac);
        if (c->total == 0)
            t0 = us;
        c->total++;
        take(c, lt, us - t0, p + at + 16, incl, orig, swap, (uint32_t)c->total);
        at += 16 + (size_t)incl;
    }
    return 0;
}

/* A pcapng interface: its link type and how many of its timestamp units
 * make a second. */
struct ng_if { int lt; uint64_t per_sec; };

static int parse_pcapng(const uint8_t *p, size_t n, struct capture *c,
                        char *err, size_t errlen)
{
    struct ng_if *ifs = NULL;
    size_t nifs = 0, capifs = 0;
    int swap = 0, have_t0 = 0, rc = 0;
    int64_t t0 = 0, last = 0;
    size_t at = 0;
    while (at < n) {
        if (n - at < 12) {
            fail(err, errlen, P_("the block at byte %zu is cut short (%zu byte, "
                 "a block has at least 12)", "the block at byte %zu is cut short (%zu bytes, "
                 "a block has at least 12)", n - at), at, n - at);
            rc = -2;
            break;
        }
        uint32_t type = rd32(p + at, 0);
        if (type == 0x0A0D0D0A) {               /* Section Header Block */
            uint32_t bom = rd32(p + at + 8, 0);
            if (bom == 0x1A2B3C4D)
                swap = 0;
            else if (bom == 0x4D3C2B1A)
                swap = 1;
            else {
                fail(err, errlen, _("the section header at byte %zu has no "
                     "byte-order magic"), at);
                rc = -2;
                break;
            }
            nifs = 0;                           /* a section's interfaces are its own */
        } else {
            type = rd32(p + at, swap);
        }
        uint32_t blen = rd32(p + at + 4, swap);
        if (blen < 12 || blen % 4 || blen > n - at) {
            fail(err, errlen, P_("the block at byte %zu says it is %u byte long; "
                 "a block is a multiple of 4 bytes, at least 12, and at most what is "
                 "left of the file from there (%zu)", "the block at byte %zu says it is "
                 "%u bytes long; a block is a multiple of 4 bytes, at least 12, and at "
                 "most what is left of the file from there (%zu)", blen), at, blen, n - at);
            rc = -2;
            break;
        }
        const uint8_t *b = p + at + 8;          /* the body */
        size_t bn = blen - 12;
        if (type == 1) {                        /* Interface Description Block */
            if (bn < 8) {
                fail(err, errlen, _("the interface block at byte %zu is cut short"), at);
                rc = -2;
                break;
            }
            if (nifs == capifs) {
                capifs = capifs ? capifs * 2 : 4;
                ifs = xreallocarray(ifs, capifs, sizeof *ifs);
            }
            struct ng_if *f = &ifs[nifs++];
            f->lt = rd16(b, swap);
            f->per_sec = 1000000;
            for (size_t o = 8; o + 4 <= bn;) {  /* options: if_tsresol is 9 */
                unsigned code = rd16(b + o, swap), olen = rd16(b + o + 2, swap);
                if (code == 0 || o + 4 + olen > bn)
                    break;
                if (code == 9 && olen >= 1) {
                    unsigned v = b[o + 4];
                    unsigned e = v & 0x7f;
                    uint64_t per = 1;
                    if (v & 0x80)
                        per = e < 64 ? (uint64_t)1 << e : 0;
                    else
                        for (unsigned i = 0; i < e && per; i++)
                            per = per > UINT64_MAX / 10 ? 0 : per * 10;
                    if (!per) {
                        fail(err, errlen, _("interface %zu (block at byte %zu) has a "
                             "timestamp resolution protosim cannot use"), nifs - 1, at);
                        rc = -2;
                        goto out;
                    }
                    f->per_sec = per;
                }
                o += 4 + ((olen + 3u) & ~3u);
            }
        } else if (type == 6 || type == 3 || type == 2) {
            /* Enhanced, Simple, obsolete Packet Block */
            size_t hl = type == 6 ? 20 : type == 2 ? 20 : 4;
            if (bn < hl) {
                fail(err, errlen, _("the packet block at byte %zu is cut short"), at);
                rc = -2;
                break;
            }
            size_t ifid = type == 6 ? rd32(b, swap) : type == 2 ? rd16(b, swap) : 0;
            if (ifid >= nifs) {
                fail(err, errlen, _("the packet block at byte %zu names interface "
                     "%zu, and the section has %zu"), at, ifid, nifs);
                rc = -2;
                break;
            }
            size_t caplen, orig;
            int64_t us = last;
            if (type == 3) {
                orig = rd32(b, swap);
                caplen = orig < bn - 4 ? orig : bn - 4;
            } else {
                uint64_t ts = (uint64_t)rd32(b + 4, swap) << 32 | rd32(b + 8, swap);
                caplen = rd32(b + 12, swap);
                orig = rd32(b + 16, swap);
                uint64_t per = ifs[ifid].per_sec;
                /* seconds past 2^42 (139,000 years) are held there, so
                 * that a time and a difference of two stay in range */
                uint64_t sec = ts / per;
                if (sec > (uint64_t)1 << 42)
                    sec = (uint64_t)1 << 42;
                us = (int64_t)(sec * 1000000 +
                               (uint64_t)((unsigned __int128)(ts % per) * 1000000 / per));
                if (caplen > bn - hl) {
                    fail(err, errlen, P_("the packet block at byte %zu says it holds "
                         "%zu byte; the block has room for %zu", "the packet block at byte "
                         "%zu says it holds %zu bytes; the block has room for %zu", caplen),
                         at, caplen, bn - hl);
                    rc = -2;
                    break;
                }
            }
            if (!have_t0) {
                t0 = us;
                have_t0 = 1;
            }
            last = us;
            c->total++;
            take(c, ifs[ifid].lt, us - t0, b + hl, caplen, orig, swap,
                 (uint32_t)c->total);
        }
        at += blen;
    }
out:
    free(ifs);
    return rc;
}

int capture_parse(const uint8_t *p, size_t n, struct capture *c, char *err,
                  size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (n < 4) {
        fail(err, errlen, P_("it is %zu byte long: too short to be a pcap or "
             "pcapng file", "it is %zu bytes long: too short to be a pcap or "
             "pcapng file", n), n);
        return -2;
    }
    uint32_t magic = rd32(p, 0);
    int rc;
    if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d ||
        magic == 0x4d3cb2a1) {
        rc = parse_pcap(p, n, c, err, errlen);
    } else if (magic == 0x0A0D0D0A) {
        c->format = 1;
        rc = parse_pcapng(p, n, c, err, errlen);
    } else {
        fail(err, errlen, _("not a pcap or pcapng file (it begins with the bytes "
             "%02x %02x %02x %02x)"), p[0], p[1], p[2], p[3]);
        return -2;
    }
    if (rc)
        capture_free(c);
    return rc;
}

int capture_load(const char *path, struct capture *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= CAPTURE_FILE_MAX) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return -1;
            }
            cap = cap ? cap * 2 : 65536;
            if (cap > CAPTURE_FILE_MAX)
                cap = CAPTURE_FILE_MAX + 1;   /* room to see it is larger */
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        free(buf);
        errno = e ? e : EIO;
        return -1;
    }
    if (n > CAPTURE_FILE_MAX) {
        free(buf);
        errno = EFBIG;
        return -1;
    }
    int rc = capture_parse(buf, n, c, err, errlen);
    free(buf);
    return rc;
}

void capture_free(struct capture *c)
{
    free(c->bytes);
    free(c->frames);
    memset(c, 0, sizeof *c);
}
