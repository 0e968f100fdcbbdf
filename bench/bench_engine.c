/* bench_engine.c — the event queue (sim/engine/event.c) under the classic "hold"
 * model: N events pending; each step pops the earliest and schedules a new
 * one at its time plus a random increment, so the queue size stays N.
 *
 * One figure per size is pure hold (one pop + one schedule = one event).
 * The "+ cancel" row adds what TCP timers do: on every fourth step a random
 * pending event is cancelled and rescheduled (eq_cancel marks it dead; it is
 * skipped when it reaches the top), so the heap also carries dead entries.
 * Increments are uniform in [1 us, 2.048 ms] and all times come from the
 * seeded PRNG; they are drawn with a mask rather than rng_below() so that the
 * figure measures the queue, not the PRNG's two 64-bit divisions. */
#include <stdio.h>
#include <stdlib.h>
#include "alloc.h"
#include "event.h"
#include "rng.h"
#include "benches.h"

#define SEED      20240601u
#define INCR_MASK 2047u                 /* increments 1 .. 2048 us */

static int64_t incr(struct rng *r)
{
    return 1 + (int64_t)(rng_next(r) & INCR_MASK);
}

/* Uniform in [0, n) by multiply-shift (n < 2^32): cheap, and bias is
 * irrelevant for picking which event to cancel. */
static uint32_t pick(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

struct hold_result {
    uint64_t events;
    double   secs;
};

static struct hold_result hold(uint32_t npending, uint64_t steps, int cancel_every)
{
    struct event_queue q;
    struct rng r;
    struct event e;
    event_id *ids = xreallocarray(NULL, npending, sizeof *ids);
    eq_init(&q);
    rng_seed(&r, SEED);
    for (uint32_t i = 0; i < npending; i++)
        ids[i] = eq_schedule(&q, incr(&r) - 1, 0, NULL, i);

    int64_t last = 0;
    uint64_t events = 0;
    double t0 = bench_now();
    for (uint64_t k = 0; k < steps; k++) {
        if (!eq_pop(&q, &e) || e.t_us < last) {
            fputs("bench_engine: queue out of order or empty\n", stderr);
            exit(1);
        }
        last = e.t_us;
        events++;
        int64_t t = e.t_us + incr(&r);
        ids[e.arg] = eq_schedule(&q, t, 0, NULL, e.arg);
        if (cancel_every && k % (uint64_t)cancel_every == 0) {
            uint32_t j = pick(&r, npending);
            eq_cancel(&q, ids[j]);
            t = last + incr(&r);
            ids[j] = eq_schedule(&q, t, 0, NULL, j);
        }
    }
    double secs = bench_now() - t0;
    if (eq_pending(&q) != npending) {
        fputs("bench_engine: lost events\n", stderr);
        exit(1);
    }
    eq_free(&q);
    free(ids);
    return (struct hold_result){ events, secs };
}

void bench_engine(struct bench *b)
{
    /* Step counts sized for roughly 0.5-1 s each on the reference machine
     * (2 cores, Debian 12); fixed so that every run does the same work. */
    struct hold_result h;
    h = hold(1000, 10000000, 0);
    bench_report(b, "engine.1k", "engine hold, 1,000 pending", (double)h.events,
                 h.secs, "events/s", 10e6);
    h = hold(1000, 7000000, 4);
    bench_report(b, "engine.1k.cancel", "engine hold + cancel, 1,000 pending",
                 (double)h.events, h.secs, "events/s", 0);
    h = hold(1000000, 1200000, 0);
    bench_report(b, "engine.1m", "engine hold, 1,000,000 pending",
                 (double)h.events, h.secs, "events/s", 0);
}
