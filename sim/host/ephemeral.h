/* ephemeral.h — the ephemeral port range and the random pick of a local port
 * for an active open or an unbound UDP send (RFC 6056). */
#ifndef PROTOSIM_EPHEMERAL_H
#define PROTOSIM_EPHEMERAL_H

#include <stdint.h>
#include "rng.h"

/* Linux's default net.ipv4.ip_local_port_range.  Documentation/networking/
 * ip-sysctl: "ip_local_port_range - 2 INTEGERS: Defines the local port range
 * that is used by TCP and UDP to choose the local port. ... The default
 * values are 32768 and 60999 respectively."  (Not RFC 6335 6's IANA dynamic
 * range 49152-65535: the hosts here behave as Linux hosts do.) */
#define EPH_FIRST 32768u
#define EPH_LAST  60999u
#define EPH_COUNT (EPH_LAST - EPH_FIRST + 1u)

/* Mixed into the run's seed for the ports' own generator ("ports"). */
#define EPH_STREAM 0x706f727473ULL

/* The random draws tried before the walk (see ephemeral.c). */
#define EPH_TRIES 16

static inline int eph_in_range(unsigned port)
{
    return port >= EPH_FIRST && port <= EPH_LAST;
}

/* A port in EPH_FIRST..EPH_LAST for which busy(ctx, port) is false, drawn
 * from r; 0 when every port of the range is busy.  The caller that keeps a
 * count of its busy ports in the range checks it first, so that a full
 * range fails at once. */
uint16_t eph_pick(struct rng *r, int (*busy)(const void *ctx, uint16_t port),
                  const void *ctx);

#endif
