/* rmap.h — the --real driver's index: an open-addressing table from a
 * 64-bit hash to an int (an index into the caller's array), so that no
 * lookup of the replay or the comparison walks every endpoint, connection,
 * host or segment.  Keys may collide: a lookup gives each candidate to the
 * caller's test, which compares what the index points at. */
#ifndef PROTOSIM_RMAP_H
#define PROTOSIM_RMAP_H
#include <stddef.h>
#include <stdint.h>

struct rmap {
    uint64_t *h;            /* hash of the entry in each slot */
    int      *v;            /* its value + 1; 0 for an empty slot */
    size_t    cap, n;       /* cap a power of two (or 0), at most 3/4 full */
};

/* Is value v the entry the caller looks for? */
typedef int (*rmap_eq)(const void *ctx, int v);

/* The value of the first entry of hash h that eq accepts (every entry of
 * hash h when eq is NULL), or -1. */
int  rmap_get(const struct rmap *m, uint64_t h, rmap_eq eq, const void *ctx);
/* Adds value v (>= 0) under hash h.  Callers keep one entry per key:
 * they put a key only when rmap_get does not find it, or rmap_set it. */
void rmap_put(struct rmap *m, uint64_t h, int v);
/* The entry of hash h that eq accepts now has value v (added if none). */
void rmap_set(struct rmap *m, uint64_t h, rmap_eq eq, const void *ctx, int v);
void rmap_free(struct rmap *m);

/* A hash of a few numbers, and of a string with a number. */
uint64_t rmap_mix(uint64_t a, uint64_t b);
uint64_t rmap_str(const char *s, uint64_t salt);
#endif
