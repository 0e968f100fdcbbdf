/* rmap.c — the --real driver's hash index (rmap.h). */
#include <stdlib.h>
#include "alloc.h"
#include "hashslot.h"
#include "rmap.h"

int rmap_get(const struct rmap *m, uint64_t h, rmap_eq eq, const void *ctx)
{
    if (!m->cap)
        return -1;
    for (size_t i = hash_home(h, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (!m->v[i])
            return -1;
        if (m->h[i] == h && (!eq || eq(ctx, m->v[i] - 1)))
            return m->v[i] - 1;
    }
}

static void place(uint64_t *hs, int *vs, size_t cap, uint64_t h, int v1)
{
    size_t i = hash_home(h, cap);
    while (vs[i])
        i = (i + 1) & (cap - 1);
    hs[i] = h;
    vs[i] = v1;
}

void rmap_put(struct rmap *m, uint64_t h, int v)
{
    if ((m->n + 1) * 4 > m->cap * 3) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint64_t *hs = xcalloc(cap, sizeof *hs);
        int *vs = xcalloc(cap, sizeof *vs);
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i])
                place(hs, vs, cap, m->h[i], m->v[i]);
        free(m->h);
        free(m->v);
        m->h = hs;
        m->v = vs;
        m->cap = cap;
    }
    place(m->h, m->v, m->cap, h, v + 1);
    m->n++;
}

void rmap_set(struct rmap *m, uint64_t h, rmap_eq eq, const void *ctx, int v)
{
    for (size_t i = m->cap ? hash_home(h, m->cap) : 0; m->cap && m->v[i];
         i = (i + 1) & (m->cap - 1))
        if (m->h[i] == h && (!eq || eq(ctx, m->v[i] - 1))) {
            m->v[i] = v + 1;
            return;
        }
    rmap_put(m, h, v);
}

void rmap_free(struct rmap *m)
{
    free(m->h);
    free(m->v);
    m->h = NULL;
    m->v = NULL;
    m->cap = m->n = 0;
}

uint64_t rmap_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ULL;
    return x ^ (x >> 32);
}

uint64_t rmap_str(const char *s, uint64_t salt)
{
    uint64_t x = 0xcbf29ce484222325ULL ^ salt;     /* FNV-1a */
    for (; *s; s++)
        x = (x ^ (uint8_t)*s) * 0x100000001b3ULL;
    return x;
}
