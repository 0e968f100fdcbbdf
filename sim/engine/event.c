/* event.c — the 4-ary min-heap event queue; a cancel takes its event out;
 * FIFO lanes for posted events. */
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "event.h"

/* An id packs the slot index (low 32 bits) and its generation (high 32),
 * so cancelling an id whose event already ran or was cancelled, or whose
 * slot was reused since, does not touch the slot's event. */
#define SLOT_MASK 0xffffffffu

/* The type of a lane's slot (its arg is the lane's index): never the
 * caller's, whose types are small tags. */
#define LANE_TYPE INT32_MIN

void eq_init(struct event_queue *q)
{
    memset(q, 0, sizeof *q);
}

void eq_free(struct event_queue *q)
{
    free(q->slots);
    free(q->heap);
    memset(q, 0, sizeof *q);
}

/* The heap is 4-ary and keeps each event's key (time, sequence) beside
 * its slot index, so sifting compares without touching the slot pool; a
 * move writes the moved event's heap index into its slot, which is what
 * lets a cancel find it. */
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

/* Takes heap entry i out: the last entry fills the hole and moves up or
 * down to where its key belongs. */
static void heap_remove(struct event_queue *q, uint32_t i)
{
    struct heap_ent last = q->heap[--q->nheap];
    if (i == q->nheap)
        return;
    if (i > 0 && before(&last, &q->heap[(i - 1) / ARITY]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

static void free_slot(struct event_queue *q, uint32_t s)
{
    q->slots[s].gen++;                  /* its id is stale from now on */
    q->slots[s].pos = q->free;
    q->free = s;
}

/* The sequence numbers are 32 bits: when they run out, the pending
 * events, in the heap and in the lanes, are numbered again 0, 1, ... in
 * their (time, sequence) order, which keeps every comparison's answer.
 * The heap is rebuilt in that order, and a sorted array is a heap.  Once
 * per 2^32 events scheduled or posted. */
struct pending {
    int64_t  t;
    uint32_t seq, slot;             /* a lane's slot for a posted event */
    struct eq_node *node;           /* NULL: an event of the heap's own */
};

static int by_key(const void *x, const void *y)
{
    const struct pending *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void renumber(struct event_queue *q)
{
    struct pending *v = xreallocarray(NULL, q->live ? q->live : 1, sizeof *v);
    size_t n = 0;
    for (uint32_t i = 0; i < q->nheap; i++)
        if (q->slots[q->heap[i].slot].type != LANE_TYPE)
            v[n++] = (struct pending){ q->heap[i].t, q->heap[i].seq,
                                       q->heap[i].slot, NULL };
    for (uint32_t l = 0; l < q->nlanes; l++)
        for (struct eq_node *x = q->lanes[l].head; x; x = x->next)
            v[n++] = (struct pending){ x->t, x->seq, q->lanes[l].slot, x };
    qsort(v, n, sizeof *v, by_key);
    q->nheap = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].node) {
            v[i].node->seq = (uint32_t)i;
            if (v[i].node != q->lanes[q->slots[v[i].slot].arg].head)
                continue;
        }
        q->heap[q->nheap] = (struct heap_ent){ v[i].t, (uint32_t)i, v[i].slot };
        q->slots[v[i].slot].pos = q->nheap++;
    }
    free(v);
    q->next_seq = (uint32_t)n;
    q->seq_base += (uint64_t)1 << 32;
}

/* The next capacity of the slot and heap arrays: an eighth more, not
 * twice.  A crowd's queue holds hundreds of thousands of events at its
 * peak (100,000 concurrent lifecycles: 200,000 TCP timers, besides the
 * frames posted to lanes), and the arrays never shrink, so the spare
 * capacity at the high-water mark is what the factor costs: at most an
 * eighth (208,621 slots for 200,002).  The copies still cost O(1) an
 * event, amortized.  Never past 2^32 - 1. */
static uint32_t grow_cap(uint32_t cap)
{
    if (cap == 0)
        return 64;
    if (cap >= SLOT_MASK / 9 * 8)
        return SLOT_MASK;
    return cap + cap / 8;
}

static uint32_t alloc_slot(struct event_queue *q)
{
    if (q->free) {
        uint32_t s = q->free;
        q->free = q->slots[s].pos;
        return s;
    }
    if (q->nslots == 0)
        q->nslots = 1;                      /* slot 0 stays unused */
    if (q->nslots == SLOT_MASK)             /* 2^32 - 1 live events */
        alloc_exhausted((size_t)SLOT_MASK * sizeof *q->slots);
    if (q->nslots >= q->capslots) {
        uint32_t cap = grow_cap(q->capslots);
        q->slots = xreallocarray(q->slots, cap, sizeof *q->slots);
        q->capslots = cap;
    }
    q->slots[q->nslots].gen = 0;
    return q->nslots++;
}

static void heap_reserve(struct event_queue *q)
{
    if (q->nheap == q->capheap) {
        uint32_t cap = grow_cap(q->capheap);
        q->heap = xreallocarray(q->heap, cap, sizeof *q->heap);
        q->capheap = cap;
    }
}

event_id eq_schedule(struct event_queue *q, int64_t t_us, int type, void *ptr,
                     int32_t arg)
{
    if (q->next_seq == UINT32_MAX)
        renumber(q);
    uint32_t s = alloc_slot(q);
    heap_reserve(q);
    struct eq_slot *e = &q->slots[s];
    e->type = type;
    e->ptr = ptr;
    e->arg = arg;
    sift_up(q, q->nheap++, (struct heap_ent){ t_us, q->next_seq++, s });
    q->live++;
    return (event_id)e->gen << 32 | s;
}

/* The lane for an event at t: of the lanes whose last event is not later
 * than t, the one whose last event is latest (so that lanes stay apart
 * by delay), else an empty one, else a new one; NULL when all EQ_LANES
 * are taken by later events. */
static struct eq_lane *lane_for(struct event_queue *q, int64_t t)
{
    struct eq_lane *best = NULL, *empty = NULL;
    for (uint32_t i = 0; i < q->nlanes; i++) {
        struct eq_lane *l = &q->lanes[i];
        if (!l->tail)
            empty = empty ? empty : l;
        else if (l->tail->t <= t && (!best || l->tail->t > best->tail->t))
            best = l;
    }
    if (best || empty)
        return best ? best : empty;
    if (q->nlanes == EQ_LANES)
        return NULL;
    struct eq_lane *l = &q->lanes[q->nlanes];
    l->slot = alloc_slot(q);
    q->slots[l->slot].type = LANE_TYPE;
    q->slots[l->slot].arg = (int32_t)q->nlanes++;
    q->slots[l->slot].ptr = NULL;
    return l;
}

void eq_post(struct event_queue *q, struct eq_node *n, int64_t t_us, int type)
{
    struct eq_lane *l = lane_for(q, t_us);
    if (!l) {
        eq_schedule(q, t_us, type, n, 0);
        return;
    }
    if (q->next_seq == UINT32_MAX)
        renumber(q);
    n->t = t_us;
    n->seq = q->next_seq++;
    n->type = type;
    n->next = NULL;
    if (l->tail) {
        l->tail->next = n;
        l->tail = n;
    } else {
        l->head = l->tail = n;
        heap_reserve(q);
        sift_up(q, q->nheap++, (struct heap_ent){ t_us, n->seq, l->slot });
    }
    q->live++;
}

void eq_cancel(struct event_queue *q, event_id id)
{
    uint32_t s = (uint32_t)(id & SLOT_MASK);
    if (!id || s >= q->nslots)
        return;
    /* an id that already ran or was cancelled has an older generation;
     * a lane's slot was never given out as an id */
    if (q->slots[s].gen != (uint32_t)(id >> 32) ||
        q->slots[s].type == LANE_TYPE)
        return;
    heap_remove(q, q->slots[s].pos);
    free_slot(q, s);
    q->live--;
}

int eq_pop(struct event_queue *q, struct event *out)
{
    if (!q->nheap)
        return 0;
    struct heap_ent top = q->heap[0];
    const struct eq_slot *e = &q->slots[top.slot];
    q->live--;
    if (e->type == LANE_TYPE) {
        /* the lane's head pops; its next, if any, takes its place */
        struct eq_lane *l = &q->lanes[e->arg];
        struct eq_node *n = l->head;
        out->t_us = top.t;
        out->seq = q->seq_base + top.seq;
        out->type = n->type;
        out->ptr = n;
        out->arg = 0;
        out->gen = 0;
        out->dead = 0;
        l->head = n->next;
        if (l->head)
            sift_down(q, 0, (struct heap_ent){ l->head->t, l->head->seq,
                                               top.slot });
        else {
            l->tail = NULL;
            heap_remove(q, 0);
        }
        return 1;
    }
    out->t_us = top.t;
    out->seq = q->seq_base + top.seq;
    out->type = e->type;
    out->ptr = e->ptr;
    out->arg = e->arg;
    out->gen = e->gen;
    out->dead = 0;
    heap_remove(q, 0);
    free_slot(q, top.slot);
    return 1;
}

int64_t eq_peek_time(const struct event_queue *q)
{
    return q->nheap ? q->heap[0].t : -1;
}

size_t eq_bytes(const struct event_queue *q)
{
    return (size_t)q->capslots * sizeof *q->slots +
           (size_t)q->capheap * sizeof *q->heap;
}

size_t eq_pending(const struct event_queue *q)
{
    return q->live;
}
