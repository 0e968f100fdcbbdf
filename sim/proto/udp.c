/* udp.c — a UDP socket's receive queue of whole datagrams. */
#include <stdlib.h>
#include <string.h>
#include "udp.h"
#include "alloc.h"

void udp_queue_push(struct udp_queue *q, ip4_addr src, uint16_t sport,
                    const uint8_t *data, size_t len)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 8;
        struct sim_dgram *nd = xreallocarray(q->d, (size_t)q->cap, sizeof *nd);
        q->d = nd;
    }
    struct sim_dgram *d = &q->d[q->n++];
    d->src = src;
    d->sport = sport;
    d->len = len;
    d->data = xmalloc(len);
    if (len)
        memcpy(d->data, data, len);
}

int udp_queue_pop(struct udp_queue *q, struct sim_dgram *out)
{
    if (q->n == 0)
        return -1;
    *out = q->d[0];
    memmove(q->d, q->d + 1, (size_t)(q->n - 1) * sizeof *q->d);
    q->n--;
    return 0;
}

void udp_queue_free(struct udp_queue *q)
{
    for (int i = 0; i < q->n; i++)
        free(q->d[i].data);
    free(q->d);
    memset(q, 0, sizeof *q);
}
