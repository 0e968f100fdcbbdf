/* udp.c — a UDP socket's receive queue of whole datagrams. */
#include <stdlib.h>
#include <string.h>
#include "udp.h"
#include "alloc.h"

/* The queue is a ring: a read takes the oldest datagram from the head in
 * O(1), so a socket that collects N datagrams and then reads them all
 * costs O(N), not the O(N^2) of moving the rest down on each read. */
static struct sim_dgram *slot(const struct udp_queue *q, size_t k)
{
    size_t i = q->head + k;
    return &q->d[i < q->cap ? i : i - q->cap];
}

void udp_queue_push(struct udp_queue *q, ip4_addr src, uint16_t sport,
                    const uint8_t *data, size_t len)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        struct sim_dgram *nd = xreallocarray(NULL, cap, sizeof *nd);
        for (size_t k = 0; k < q->n; k++)
            nd[k] = *slot(q, k);
        free(q->d);
        q->d = nd;
        q->cap = cap;
        q->head = 0;
    }
    struct sim_dgram *d = slot(q, q->n++);
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
    *out = q->d[q->head];
    q->head = q->head + 1 < q->cap ? q->head + 1 : 0;
    q->n--;
    return 0;
}

const struct sim_dgram *udp_queue_at(const struct udp_queue *q, size_t k)
{
    return k < q->n ? slot(q, k) : NULL;
}

void udp_queue_free(struct udp_queue *q)
{
    for (size_t k = 0; k < q->n; k++)
        free(slot(q, k)->data);
    free(q->d);
    memset(q, 0, sizeof *q);
}
