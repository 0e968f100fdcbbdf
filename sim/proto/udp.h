/* udp.h — UDP (RFC 768) as the simulator's hosts use it: a socket's queue
 * of whole datagrams.  Each datagram keeps its boundaries; a read takes one
 * datagram or nothing; nothing is acknowledged or retransmitted. */
#ifndef PROTOSIM_UDP_H
#define PROTOSIM_UDP_H

#include <stddef.h>
#include <stdint.h>
#include "wire.h"

struct sim_dgram {
    ip4_addr src;
    uint16_t sport;
    uint8_t *data;
    size_t   len;
};

/* A ring of cap slots: the n datagrams waiting start at d[head]. */
struct udp_queue {
    struct sim_dgram *d;
    size_t head, n, cap;
};

void udp_queue_push(struct udp_queue *q, ip4_addr src, uint16_t sport,
                    const uint8_t *data, size_t len);
/* Takes the oldest datagram (the caller frees out->data); -1 if empty. */
int  udp_queue_pop(struct udp_queue *q, struct sim_dgram *out);
/* The k-th datagram waiting, oldest first (NULL past the last). */
const struct sim_dgram *udp_queue_at(const struct udp_queue *q, size_t k);
void udp_queue_free(struct udp_queue *q);

#endif
