/* ephemeral.c — picks the local port of an active open or of an unbound UDP
 * send: RFC 6056 port randomization over Linux's default range. */
#include "ephemeral.h"

/* RFC 6056 (BCP 156) asks hosts to obfuscate their ephemeral ports so that
 * an off-path attacker cannot guess a connection's five-tuple; its 3.2 would
 * have selection use the whole range 1024-65535, where Linux by default uses
 * the narrower range of ephemeral.h, which this model follows.  Of its
 * algorithms this is 3.3.2's "Another Simple Port Randomization Algorithm" (Algorithm
 * 2), bounded, with 3.3.1's "Simple Port Randomization Algorithm"
 * (Algorithm 1) as the fall-back:
 *
 *   Algorithm 2:  do {
 *                     next_ephemeral = min_ephemeral
 *                                      + (random() % num_ephemeral);
 *                     if (check_suitable_port(port))
 *                         return next_ephemeral;
 *                     count--;
 *                 } while (count > 0);
 *
 *   Algorithm 1:  next_ephemeral = min_ephemeral + (random() % num_ephemeral);
 *                 count = num_ephemeral;
 *                 do {
 *                     if (check_suitable_port(port))
 *                         return next_ephemeral;
 *                     if (next_ephemeral == max_ephemeral)
 *                         next_ephemeral = min_ephemeral;
 *                     else
 *                         next_ephemeral++;
 *                     count--;
 *                 } while (count > 0);
 *                 return ERROR;
 *
 * A fresh draw per try (Algorithm 2) keeps every free port equally likely
 * and costs 1 / (1 - load) draws on average, O(1) while the range is not
 * nearly full; after EPH_TRIES busy draws (load^EPH_TRIES of the picks: one in
 * 5 at 90 % load, one in 100 at 75 %) the walk of Algorithm 1 from the
 * last draw finds a free port in a bounded number of steps, since the caller
 * has already refused a full range.
 *
 * A Linux kernel's connect() draws from the same range but by a keyed hash
 * of the addresses (RFC 6056 3.3.4, "Double-Hash Port Selection"); this
 * model draws from the run's seeded generator instead, so that a lesson's
 * ports are the same on every run with one seed and differ with another. */
uint16_t eph_pick(struct rng *r, int (*busy)(const void *ctx, uint16_t port),
                  const void *ctx)
{
    unsigned port = EPH_FIRST;
    for (int i = 0; i < EPH_TRIES; i++) {
        port = EPH_FIRST + (unsigned)rng_below(r, EPH_COUNT);
        if (!busy(ctx, (uint16_t)port))
            return (uint16_t)port;
    }
    for (unsigned count = EPH_COUNT; count > 0; count--) {
        if (!busy(ctx, (uint16_t)port))
            return (uint16_t)port;
        port = port == EPH_LAST ? EPH_FIRST : port + 1;
    }
    return 0;
}
