/* rng.h — the one seeded pseudo-random generator (xoshiro256**, seeded by
 * splitmix64).  All randomness in a run comes from here, so the same
 * scenario and seed always give the same run. */
#ifndef PROTOSIM_RNG_H
#define PROTOSIM_RNG_H

#include <stdint.h>

struct rng { uint64_t s[4]; };

void     rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* True with probability ppm / 1,000,000. */
int      rng_chance_ppm(struct rng *r, uint32_t ppm);

#endif
