/* peers.c — each host's TCBs by remote address, for the raw calls that name
 * their connection by peer (`close with PEER`, `send ... on port P with
 * PEER`): such a call acts on the host's newest TCB that matches
 * (scenarios/README.md), and finding it by walking the host's TCBs from
 * the newest made a crowd's calls quadratic (a server of 50,000 clients,
 * each sent to by name: 2.1 s, four times 20,000's).
 *
 * The index is made on the first such call, from every host's TCBs, and
 * kept from then on; a run without one pays nothing for it.  It holds the
 * TCBs whose remote address is known, in the order their host made them,
 * under (host, remote address).  Every TCB the sim makes has its remote
 * address from the start, so sim_new_conn adds each one as the newest:
 * a listener's child is made for the SYN that names it (sim.c,
 * sim_spawn), and a listener never takes a SYN itself, so tcp_input's
 * naming of an open passive OPEN (RFC 9293 3.10.7.2) never happens to a
 * TCB of the sim. */
#include <stdlib.h>
#include <string.h>
#include "probe.h"
#include "simint.h"

struct peer_bucket {
    int      host;             /* -1: an empty slot */
    ip4_addr raddr;
    uint32_t n, cap;
    struct sim_conn **v;       /* oldest first, as in the host's list */
};

struct peer_index {
    struct peer_bucket *b;
    size_t n, cap;             /* buckets in use; a power of two */
};

static size_t peer_home(int host, ip4_addr raddr, size_t cap)
{
    uint64_t k = (uint64_t)(uint32_t)host << 32 | raddr;
    return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static size_t peer_slot(const struct peer_index *x, int host, ip4_addr raddr)
{
    size_t j = peer_home(host, raddr, x->cap);
    while (x->b[j].host >= 0 && (x->b[j].host != host || x->b[j].raddr != raddr))
        j = (j + 1) & (x->cap - 1);
    return j;
}

static void peer_grow(struct sim *s, struct peer_index *x)
{
    size_t oldcap = x->cap, cap = oldcap ? oldcap * 2 : 64;
    struct peer_bucket *old = x->b;
    x->b = xreallocarray(NULL, cap, sizeof *x->b);
    for (size_t i = 0; i < cap; i++)
        x->b[i].host = -1;
    x->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].host >= 0)
            x->b[peer_slot(x, old[i].host, old[i].raddr)] = old[i];
    free(old);
    s->mem_tcbs += (cap - oldcap) * sizeof *x->b;
}

/* Takes the empty bucket at j out; linear probing's backward shift. */
static void peer_drop(struct sim *s, struct peer_index *x, size_t j)
{
    size_t m = x->cap - 1;
    s->mem_tcbs -= x->b[j].cap * sizeof *x->b[j].v;
    free(x->b[j].v);
    x->b[j].host = -1;
    x->n--;
    for (size_t k = (j + 1) & m; x->b[k].host >= 0; k = (k + 1) & m) {
        size_t h = peer_home(x->b[k].host, x->b[k].raddr, x->cap);
        if (probe_stays(j, k, h))
            continue;
        x->b[j] = x->b[k];
        x->b[k].host = -1;
        j = k;
    }
}

static void index_conn(struct sim *s, struct peer_index *x, struct sim_conn *sc)
{
    if (5 * (x->n + 1) > 4 * x->cap)
        peer_grow(s, x);
    size_t j = peer_slot(x, sc->tcb.host, sc->tcb.raddr);
    struct peer_bucket *b = &x->b[j];
    if (b->host < 0) {
        *b = (struct peer_bucket){ .host = sc->tcb.host, .raddr = sc->tcb.raddr };
        x->n++;
    }
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 2;
        b->v = xreallocarray(b->v, cap, sizeof *b->v);
        s->mem_tcbs += (cap - b->cap) * sizeof *b->v;
        b->cap = cap;
    }
    b->v[b->n++] = sc;
    sc->peer_indexed = 1;
}

void sim_peers_add(struct sim *s, struct sim_conn *sc)
{
    if (s->peers && sc->tcb.raddr && !sc->peer_indexed)
        index_conn(s, s->peers, sc);
}

void sim_peers_remove(struct sim *s, struct sim_conn *sc)
{
    struct peer_index *x = s->peers;
    if (!x || !sc->peer_indexed)
        return;
    size_t j = peer_slot(x, sc->tcb.host, sc->tcb.raddr);
    struct peer_bucket *b = &x->b[j];
    uint32_t k = b->n;
    while (k > 0 && b->v[k - 1] != sc)
        k--;
    if (!k)
        return;                /* not there: nothing to take out */
    k--;
    memmove(b->v + k, b->v + k + 1, (b->n - k - 1) * sizeof *b->v);
    b->n--;
    sc->peer_indexed = 0;
    if (!b->n)
        peer_drop(s, x, j);
}

struct sim_conn *sim_peers_newest(struct sim *s, int h, ip4_addr raddr,
                                  uint16_t lport, uint16_t rport)
{
    if (!s->peers) {
        /* the first call that names a peer: every host's TCBs, in order */
        s->peers = xcalloc(1, sizeof *s->peers);
        s->mem_tcbs += sizeof *s->peers;
        for (int i = 0; i < s->nhosts; i++)
            for (uint32_t j = 0; j < s->hosts[i].nconns; j++)
                if (s->hosts[i].conns[j])
                    sim_peers_add(s, s->hosts[i].conns[j]);
    }
    struct peer_index *x = s->peers;
    if (!x->cap)
        return NULL;
    const struct peer_bucket *b = &x->b[peer_slot(x, h, raddr)];
    for (uint32_t k = b->host >= 0 ? b->n : 0; k-- > 0;) {
        const struct tcp_conn *c = &b->v[k]->tcb;
        if ((!lport || c->lport == lport) && (!rport || c->rport == rport))
            return b->v[k];
    }
    return NULL;
}

uint64_t sim_peers_bytes(const struct sim *s)
{
    const struct peer_index *x = s->peers;
    if (!x)
        return 0;
    uint64_t b = sizeof *x + x->cap * sizeof *x->b;
    for (size_t i = 0; i < x->cap; i++)
        if (x->b[i].host >= 0)
            b += x->b[i].cap * sizeof *x->b[i].v;
    return b;
}

void sim_peers_free(struct sim *s)
{
    struct peer_index *x = s->peers;
    if (!x)
        return;
    for (size_t i = 0; i < x->cap; i++)
        if (x->b[i].host >= 0)
            free(x->b[i].v);
    free(x->b);
    free(x);
    s->peers = NULL;
}
