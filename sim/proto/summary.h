/* summary.h — what a frame is at its top layer (TCP, UDP, ARP, DNS, HTTP)
 * and the one line that names it on a diagram arrow.  Shared by the text
 * timeline, JSON and the UI so they never disagree. */
#ifndef PROTOSIM_SUMMARY_H
#define PROTOSIM_SUMMARY_H

#include <stddef.h>
#include "trace.h"
#include "wire.h"

/* The top protocol of a decoded frame, as a trace layer (TL_ETH .. TL_HTTP,
 * trace.h's PROTOCOLS): DNS for UDP port 53 that decodes as DNS, HTTP for a
 * TCP segment that starts an HTTP/1.x message. */
int   packet_top(const struct frame *f);
/* State names by layer: TCP's eleven, ARP's and DNS's; "?" for others. */
const char *trace_state_name(int layer, int state);
/* "SYN seq=1000 win=65535 mss=1460", "DNS A? www.example.com",
 * "ARP who-has 192.0.2.1 tell 192.0.2.10",
 * "PSH,ACK seq=1 ack=1 win=65535 len=78 HTTP GET / HTTP/1.1". */
char *packet_summary(const struct frame *f, char *buf, size_t n);
/* The shorter label for a diagram arrow: for TCP the flags, seq, ack and
 * length only (win only when it is zero), then any HTTP first line; other
 * frames as packet_summary. */
char *packet_label(const struct frame *f, char *buf, size_t n);

#endif
