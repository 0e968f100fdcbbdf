/* forwards.c — the flows each router forwarded lately and at which TTLs,
 * gathered record by record (a trace sink), for the routing-loop test of
 * a run's limit report (sim.c: find_cause): the test looks further back
 * than a streaming trace keeps, and must say the same whether the trace
 * is kept or not. */
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "simint.h"

/* A set of distinct keys with the index of the last record that had each:
 * the test needs only which (router, flow, TTL) occurred in its window,
 * not how often.  Open addressing; `last` = record index + 1, 0 = empty. */
struct fwd_seen {
    struct fwd_slot { struct fwd_key k; size_t last; } *t;
    size_t n, cap;
    size_t newest;             /* the newest record seen, + 1 */
};

static size_t fwd_hash(const struct fwd_key *k, size_t cap)
{
    uint64_t h = ((uint64_t)(uint32_t)k->host << 32 ^ k->src) * 0x9e3779b97f4a7c15ULL;
    h ^= ((uint64_t)k->dst << 16 ^ (uint64_t)k->proto << 8 ^ k->ttl) *
         0xc2b2ae3d27d4eb4fULL;
    return (size_t)(h >> 29) & (cap - 1);
}

static int fwd_eq(const struct fwd_key *a, const struct fwd_key *b)
{
    return a->host == b->host && a->src == b->src && a->dst == b->dst &&
           a->proto == b->proto && a->ttl == b->ttl;
}

static struct fwd_slot *fwd_slot(struct fwd_slot *t, size_t cap,
                                 const struct fwd_key *k)
{
    size_t j = fwd_hash(k, cap);
    while (t[j].last && !fwd_eq(&t[j].k, k))
        j = (j + 1) & (cap - 1);
    return &t[j];
}

/* Rebuilt at cap slots, without the keys that left the window. */
static void fwd_rebuild(struct fwd_seen *f, size_t cap)
{
    struct fwd_slot *t = xcalloc(cap, sizeof *t);
    size_t n = 0;
    for (size_t i = 0; i < f->cap; i++)
        if (f->t[i].last && f->t[i].last + FWD_WINDOW > f->newest) {
            *fwd_slot(t, cap, &f->t[i].k) = f->t[i];
            n++;
        }
    free(f->t);
    f->t = t;
    f->cap = cap;
    f->n = n;
}

static void fwd_sink(void *ctx, const struct trace *tr, size_t i,
                     const struct trace_rec *r)
{
    struct fwd_seen *f = ctx;
    f->newest = i + 1;
    if (r->kind != TK_SEND || r->why.id != N_IP_FORWARD)
        return;
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame fr;
    char err[8];
    if (frame_decode_fields(p, len, &fr, err, sizeof err) != 0 || !fr.has_ip)
        return;
    struct fwd_key k = { r->host, fr.ip.src, fr.ip.dst, fr.ip.proto, fr.ip.ttl };
    if (2 * (f->n + 1) >= f->cap) {
        if (f->cap)
            fwd_rebuild(f, f->cap);
        if (4 * (f->n + 1) >= f->cap)
            fwd_rebuild(f, f->cap ? f->cap * 2 : 64);
    }
    struct fwd_slot *sl = fwd_slot(f->t, f->cap, &k);
    if (!sl->last)
        f->n++;
    sl->k = k;
    sl->last = i + 1;
}

void fwd_watch(struct sim *s)
{
    struct fwd_seen *f = xcalloc(1, sizeof *f);
    struct trace_sink k = { fwd_sink, f };
    s->fwd = f;
    /* only a `router` forwards (net.c): without one there is nothing to
     * watch, and no call per record to find that out */
    int routers = 0;
    for (int h = 0; h < s->scn->nhosts && !routers; h++)
        routers = s->scn->hosts[h].router;
    if (routers && trace_add_sink(&s->tr, &k) < 0)
        abort();                /* the trace has room for a few */
}

void fwd_free(struct sim *s)
{
    struct fwd_seen *f = s->fwd;
    if (f)
        free(f->t);
    free(f);
    s->fwd = NULL;
}

size_t fwd_recent(const struct sim *s, size_t from, struct fwd_key **out)
{
    const struct fwd_seen *f = s->fwd;
    size_t n = 0;
    *out = xcalloc(f && f->n ? f->n : 1, sizeof **out);
    for (size_t i = 0; f && i < f->cap; i++)
        if (f->t[i].last > from)
            (*out)[n++] = f->t[i].k;
    return n;
}
