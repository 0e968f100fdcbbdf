/* simint.h — what the parts of the simulator (sim.c, net.c, expect.c) share
 * and nothing outside sim/ needs. */
#ifndef PROTOSIM_SIMINT_H
#define PROTOSIM_SIMINT_H

#include "sim.h"

enum ev_type { EV_ACTION, EV_DELIVER, EV_TCP_TIMER, EV_ARP_TIMER };

/* A frame in flight towards one receiver. */
struct flight {
    uint32_t pkt;              /* trace blob with the frame bytes */
    int src, dst;              /* hosts */
    int dst_if;                /* receiver's LAN interface, -1 on a link */
    struct why why;            /* narration for the arrival */
};

void *sim_xcalloc(size_t n, size_t sz);
int   sim_host_by_addr(const struct sim *s, ip4_addr a);

/* net.c */
void net_init(struct sim *s);
void net_free(struct sim *s);
/* Sends an IPv4 frame from host h towards dst: over a point-to-point link
 * when one joins h to dst's host, else by the routing table (on-link or via
 * the gateway) through ARP.  The Ethernet addresses in frame are filled in
 * here; the frame is not kept. */
void net_ip_output(struct sim *s, int h, uint8_t *frame, size_t len,
                   ip4_addr dst, uint32_t conn, int layer, struct why why);
void net_deliver(struct sim *s, struct flight *fl);
void net_arp_timer(struct sim *s, struct sim_iface *ifc);
/* Does host h own address a? */
int  net_is_local(const struct sim *s, int h, ip4_addr a);

/* sim.c: local delivery once net.c has accepted an IPv4 packet */
void sim_tcp_arrive(struct sim *s, int h, const struct frame *f);
void sim_udp_arrive(struct sim *s, int h, const struct frame *f);
/* A packet could not be delivered because ARP failed: tell its sender. */
void sim_unreachable(struct sim *s, int h, ip4_addr next_hop, uint32_t conn,
                     int layer);

#endif
