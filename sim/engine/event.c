/* event.c — the binary min-heap event queue with cancel-by-flag. */
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "event.h"

/* An id packs the slot index (low 32 bits) and its generation (high 32),
 * so cancelling an id whose slot was reused does not kill the new event. */
#define SLOT_MASK 0xffffffffu

void eq_init(struct event_queue *q)
{
    memset(q, 0, sizeof *q);
}

void eq_free(struct event_queue *q)
{
    free(q->slots);
    free(q->free);
    free(q->heap);
    memset(q, 0, sizeof *q);
}

/* The heap is 4-ary and keeps each event's key (time, sequence) beside
 * its slot index, so sifting compares without touching the slot pool:
 * about twice the speed of a binary heap of bare indices.  Every move
 * writes the slot's new place, which a cancel needs. */
#define ARITY 4

static inline int before(const struct heap_ent *x, const struct heap_ent *y)
{
    if (x->t != y->t)
        return x->t < y->t;
    return x->seq < y->seq;
}

static inline void place(struct event_queue *q, uint32_t i, struct heap_ent e)
{
    q->heap[i] = e;
    q->slots[e.slot].pos = i;
}

static void sift_up(struct event_queue *q, uint32_t i, struct heap_ent e)
{
    while (i > 0) {
        uint32_t p = (i - 1) / ARITY;
        if (!before(&e, &q->heap[p]))
            break;
        place(q, i, q->heap[p]);
        i = p;
    }
    place(q, i, e);
}

static void sift_down(struct event_queue *q, uint32_t i, struct heap_ent e)
{
    uint32_t n = q->nheap;
    for (;;) {
        uint32_t c = ARITY * i + 1, m, end;
        if (c >= n)
            break;
        m = c;
        end = c + ARITY < n ? c + ARITY : n;
        for (uint32_t k = c + 1; k < end; k++)
            if (before(&q->heap[k], &q->heap[m]))
                m = k;
        if (!before(&q->heap[m], &e))
            break;
        place(q, i, q->heap[m]);
        i = m;
    }
    place(q, i, e);
}

/* Takes the entry at heap index i out; the last entry fills its place and
 * moves up or down to where it belongs.  Returns the slot it held. */
static uint32_t heap_remove(struct event_queue *q, uint32_t i)
{
    uint32_t s = q->heap[i].slot;
    struct heap_ent last = q->heap[--q->nheap];
    if (i < q->nheap) {
        if (i > 0 && before(&last, &q->heap[(i - 1) / ARITY]))
            sift_up(q, i, last);
        else
            sift_down(q, i, last);
    }
    q->slots[s].pos = EQ_NOWHERE;
    q->free[q->nfree++] = s;
    return s;
}

static uint32_t alloc_slot(struct event_queue *q)
{
    if (q->nfree)
        return q->free[--q->nfree];
    if (q->nslots == 0)
        q->nslots = 1;                      /* slot 0 stays unused */
    if (q->nslots == SLOT_MASK)             /* 2^32 - 1 live events */
        alloc_exhausted((size_t)SLOT_MASK * sizeof *q->slots);
    if (q->nslots >= q->capslots) {
        uint32_t cap = q->capslots ? q->capslots * 2 : 64;
        if (cap < q->capslots)                  /* doubled past 2^32 */
            cap = SLOT_MASK;
        q->slots = xreallocarray(q->slots, cap, sizeof *q->slots);
        q->free = xreallocarray(q->free, cap, sizeof *q->free);
        q->capslots = cap;
    }
    q->slots[q->nslots].gen = 0;
    return q->nslots++;
}

event_id eq_schedule(struct event_queue *q, int64_t t_us, int type, void *ptr,
                     int64_t arg)
{
    uint32_t s = alloc_slot(q);
    if (q->nheap == q->capheap) {
        uint32_t cap = q->capheap ? q->capheap * 2 : 64;
        if (cap < q->capheap)
            cap = SLOT_MASK;
        q->heap = xreallocarray(q->heap, cap, sizeof *q->heap);
        q->capheap = cap;
    }
    struct eq_slot *e = &q->slots[s];
    e->type = type;
    e->ptr = ptr;
    e->arg = arg;
    e->gen++;
    sift_up(q, q->nheap++, (struct heap_ent){ t_us, q->next_seq++, s });
    q->live++;
    return (event_id)e->gen << 32 | s;
}

void eq_cancel(struct event_queue *q, event_id id)
{
    uint32_t s = (uint32_t)(id & SLOT_MASK);
    if (!id || s >= q->nslots)
        return;
    struct eq_slot *e = &q->slots[s];
    /* an id that already ran or was cancelled: its slot is out of the
     * heap (pos EQ_NOWHERE) or, reused, has another generation */
    if (e->gen != (uint32_t)(id >> 32) || e->pos == EQ_NOWHERE)
        return;
    heap_remove(q, e->pos);
    q->live--;
}

int eq_pop(struct event_queue *q, struct event *out)
{
    if (!q->nheap)
        return 0;
    struct heap_ent top = q->heap[0];
    const struct eq_slot *e = &q->slots[heap_remove(q, 0)];
    q->live--;
    out->t_us = top.t;
    out->seq = top.seq;
    out->type = e->type;
    out->ptr = e->ptr;
    out->arg = e->arg;
    out->gen = e->gen;
    out->dead = 0;
    return 1;
}

int64_t eq_peek_time(struct event_queue *q)
{
    return q->nheap ? q->heap[0].t : -1;
}

size_t eq_bytes(const struct event_queue *q)
{
    return (size_t)q->capslots * sizeof *q->slots +
           (size_t)q->capslots * sizeof *q->free +
           (size_t)q->capheap * sizeof *q->heap;
}

size_t eq_pending(const struct event_queue *q)
{
    return q->live;
}
