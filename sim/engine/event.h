/* event.h — the discrete-event queue: a 4-ary min-heap keyed by
 * (time, sequence number), so events at equal times run in the order they
 * were scheduled.  Cancelling takes the event out of the heap at once (each
 * slot knows its place in the heap), so the heap holds the live events only.
 *
 * Events live in a slot pool addressed by an id that stays valid until the
 * event runs or is cancelled; the heap orders (time, sequence, slot).
 *
 * An event that is never cancelled can instead be posted in storage of
 * the caller's (struct eq_node): it joins a FIFO lane whose events are
 * already in (time, sequence) order, and only each lane's first event is
 * in the heap.  Frames crossing links of equal delay come in that order,
 * so a crowd's hundreds of thousands of frames in flight take a few heap
 * entries, not one slot and one heap entry each.  The pop order is the
 * same either way: every event has its own (time, sequence). */
#ifndef PROTOSIM_EVENT_H
#define PROTOSIM_EVENT_H

#include <stddef.h>
#include <stdint.h>

/* Simulated time is int64_t microseconds. */
#define US_PER_MS      INT64_C(1000)
#define US_PER_S       INT64_C(1000000)
#define US_PER_MIN     INT64_C(60000000)

typedef uint64_t event_id;          /* 0 is never a valid id */

/* An event as eq_pop gives it back. */
struct event {
    int64_t  t_us;
    uint64_t seq;
    int      type;                  /* caller's tag */
    void    *ptr;                   /* caller's data */
    int64_t  arg;
    uint32_t gen;                   /* bumped when the slot is reused */
    uint8_t  dead;                  /* always 0 from eq_pop */
};

/* A slot of the pool: what the heap entry does not hold (24 bytes). */
struct eq_slot {
    void    *ptr;
    int32_t  arg;
    int32_t  type;
    uint32_t gen;                   /* bumped when the event runs or is
                                       cancelled, so its id goes stale */
    uint32_t pos;                   /* live: its index in the heap; free: the
                                       next free slot (0 = none) */
};

/* 16 bytes: the sequence number is 32 bits, renumbered (order kept) when it
 * would wrap (event.c: renumber). */
struct heap_ent {
    int64_t  t;
    uint32_t seq;
    uint32_t slot;
};

/* A posted event, in the caller's struct (its first member, so that the
 * popped event's ptr, which is the node, is the caller's struct too). */
struct eq_node {
    int64_t  t;
    struct eq_node *next;           /* the next in its lane; the caller's
                                       to use once the event popped */
    uint32_t seq;
    int32_t  type;
};

/* A FIFO lane of posted events, in (time, sequence) order.  While it is
 * not empty, its slot is in the heap with the key of its head. */
struct eq_lane {
    struct eq_node *head, *tail;
    uint32_t slot;
};
enum { EQ_LANES = 8 };

struct event_queue {
    struct eq_slot *slots;          /* slot 0 unused */
    uint32_t nslots, capslots;
    uint32_t free;                  /* first free slot, 0 = none */
    struct heap_ent *heap;          /* the live events' keys and slots */
    uint32_t nheap, capheap;
    uint32_t next_seq;
    uint64_t seq_base;              /* added to seq in struct event: 2^32
                                       for each renumbering */
    struct eq_lane lanes[EQ_LANES];
    uint32_t nlanes;
    size_t   live;                  /* events scheduled or posted, not yet
                                       popped or cancelled */
};

void     eq_init(struct event_queue *q);
void     eq_free(struct event_queue *q);
/* Returns an id for eq_cancel, never 0: running out of memory or of the
 * 2^32 - 1 live slots stops the process (alloc.h). */
event_id eq_schedule(struct event_queue *q, int64_t t_us, int type, void *ptr,
                     int32_t arg);
/* Posts an event that will not be cancelled, in n (which stays the
 * caller's, untouched by the caller until the event pops): it pops as
 * (t_us, type, ptr = n, arg = 0) in the same order as had it been
 * scheduled.  It joins a lane whose last event is not later, else a new
 * lane (at most EQ_LANES), else it is scheduled as any other. */
void     eq_post(struct event_queue *q, struct eq_node *n, int64_t t_us,
                 int type);
/* Cancels a pending event; a no-op for 0 or an id that already ran. */
void     eq_cancel(struct event_queue *q, event_id id);
/* Pops the earliest event into *out; returns 0 when the queue is empty. */
int      eq_pop(struct event_queue *q, struct event *out);
/* The time of the earliest event, or -1. */
int64_t  eq_peek_time(const struct event_queue *q);
size_t   eq_pending(const struct event_queue *q);
/* The queue's arrays in bytes (for the run's memory budget). */
size_t   eq_bytes(const struct event_queue *q);

#endif
