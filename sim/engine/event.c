/* event.c — the 4-ary min-heap event queue with cancel-by-flag. */
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
 * about twice the speed of a binary heap of bare indices. */
#define ARITY 4

static inline int before(const struct heap_ent *x, const struct heap_ent *y)
{
    if (x->t != y->t)
        return x->t < y->t;
    return x->seq < y->seq;
}

static void sift_up(struct event_queue *q, uint32_t i, struct heap_ent e)
{
    while (i > 0) {
        uint32_t p = (i - 1) / ARITY;
        if (!before(&e, &q->heap[p]))
            break;
        q->heap[i] = q->heap[p];
        i = p;
    }
    q->heap[i] = e;
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
        q->heap[i] = q->heap[m];
        i = m;
    }
    q->heap[i] = e;
}

static void free_slot(struct event_queue *q, uint32_t s)
{
    q->slots[s].dead = 1;               /* a late cancel is now a no-op */
    q->free[q->nfree++] = s;
}

/* The dead outnumber the live: keep the live entries and heapify them
 * again (bottom-up, linear).  The pop order cannot change: every key
 * (time, sequence) is unique. */
static void purge(struct event_queue *q)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < q->nheap; i++) {
        struct heap_ent e = q->heap[i];
        if (q->slots[e.slot].dead)
            free_slot(q, e.slot);
        else
            q->heap[n++] = e;
    }
    q->nheap = n;
    q->ndead = 0;
    for (uint32_t i = n / ARITY + 1; i-- > 0;)
        if (i < n)
            sift_down(q, i, q->heap[i]);
}

/* The next capacity of the slot and heap arrays: half as much again, not
 * twice.  A crowd's queue holds hundreds of thousands of events at its
 * peak (100,000 concurrent lifecycles took the arrays past 2^19 slots), and
 * doubling could leave nearly half of 60 bytes an event unused; the copies
 * still cost O(1) an event, amortized.  Never past 2^32 - 1. */
static uint32_t grow_cap(uint32_t cap)
{
    if (cap == 0)
        return 64;
    if (cap >= SLOT_MASK / 3 * 2)
        return SLOT_MASK;
    return cap + cap / 2;
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
        uint32_t cap = grow_cap(q->capslots);
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
        uint32_t cap = grow_cap(q->capheap);
        q->heap = xreallocarray(q->heap, cap, sizeof *q->heap);
        q->capheap = cap;
    }
    struct eq_slot *e = &q->slots[s];
    e->type = type;
    e->ptr = ptr;
    e->arg = arg;
    e->dead = 0;
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
    /* an id that already ran or was cancelled: its slot is dead or,
     * reused, has another generation */
    if (e->gen != (uint32_t)(id >> 32) || e->dead)
        return;
    e->dead = 1;
    q->live--;
    if (++q->ndead > q->live / 4 && q->nheap > 64)
        purge(q);
}

static uint32_t pop_top(struct event_queue *q)
{
    uint32_t top = q->heap[0].slot;
    struct heap_ent last = q->heap[--q->nheap];
    if (q->nheap)
        sift_down(q, 0, last);
    return top;
}

int eq_pop(struct event_queue *q, struct event *out)
{
    while (q->nheap) {
        struct heap_ent top = q->heap[0];
        uint32_t s = pop_top(q);
        struct eq_slot *e = &q->slots[s];
        int was_dead = e->dead;
        free_slot(q, s);
        if (was_dead) {
            q->ndead--;
            continue;
        }
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
    return 0;
}

int64_t eq_peek_time(struct event_queue *q)
{
    while (q->nheap && q->slots[q->heap[0].slot].dead) {
        free_slot(q, pop_top(q));
        q->ndead--;
    }
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
