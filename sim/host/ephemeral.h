/* ephemeral.h — the ephemeral port range and the pick of a local port for
 * an active open or an unbound UDP send (RFC 6056 port randomization). */
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

/* busy(ctx, port): the port is taken on the host picking. */
typedef int (*eph_busy_fn)(const void *ctx, uint16_t port);

/* UDP's pick: a port in EPH_FIRST..EPH_LAST that is not busy, drawn from r
 * (RFC 6056 3.3.2, then 3.3.1's walk); 0 when every port is busy. */
uint16_t eph_pick(struct rng *r, eph_busy_fn busy, const void *ctx);

/* TCP connect()'s pick (RFC 6056 3.3.3): a secret offset for the four-tuple
 * without its local port, plus the host's counter *next, walking on past
 * busy ports; 0 when every port is busy.  The caller that counts its busy
 * ports in the range refuses a full range first. */
uint16_t eph_connect_port(uint64_t secret, uint32_t *next, uint32_t laddr,
                          uint32_t raddr, uint16_t rport, eph_busy_fn busy,
                          const void *ctx);

#endif
