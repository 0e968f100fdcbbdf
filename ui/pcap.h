/* pcap.h — classic libpcap file output (magic 0xa1b2c3d4, v2.4,
 * LINKTYPE_ETHERNET) and pcapng, microsecond timestamps taken from simulated
 * time. */
#ifndef PROTOSIM_PCAP_H
#define PROTOSIM_PCAP_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_SNAPLEN 65535

/* Each returns 0 on success, -1 on a write error (errno set by stdio). */
int pcap_write_header(FILE *fp);
int pcap_write_frame(FILE *fp, int64_t t_us, const uint8_t *frame, size_t len);

/* pcapng (--pcapng): a Section Header Block naming protosim, one Interface
 * Description Block (LINKTYPE_ETHERNET, microseconds), then an Enhanced
 * Packet Block per frame whose opt_comment is `comment` (UTF-8; NULL or
 * "" for none), as Wireshark shows a packet comment. */
int pcapng_write_header(FILE *fp);
int pcapng_write_frame(FILE *fp, int64_t t_us, const uint8_t *frame, size_t len,
                       const char *comment);

#endif
