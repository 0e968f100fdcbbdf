/* peers.c — each host's TCBs by what a raw call names them by (`close with
 * PEER`, `send ... on port P`, `close with PEER port Q`): such a call acts
 * on the host's newest TCB that matches (scenarios/README.md), and finding
 * it by walking the host's TCBs from the newest made a crowd's calls
 * quadratic (a server of 50,000 clients, each sent to by name: 2.1 s, four
 * times 20,000's; one client of 40,000 connections, each closed by its
 * port: 4.2 s, six times 20,000's).
 *
 * Three tables, each made on the first call that needs it, from every
 * host's TCBs, and kept from then on; a run that names no connection pays
 * nothing.  Each keeps, under (host, key), that host's TCBs with the key
 * in the order the host made them:
 *
 *   PK_PEER        the remote address            `with PEER`
 *   PK_LPORT       the local port                `on port P`
 *   PK_PEER_RPORT  remote address and port       `with PEER port Q`
 *
 * A call that names a peer and a local port walks the shorter of its two
 * lists.  What it still walks are the TCBs that share the key it looks
 * up by and differ in what else it names: on one host, to one peer and
 * port, from many local ports (not a crowd a lesson makes).
 *
 * A freed TCB is not looked for in its lists: each list counts its live
 * entries, and is closed up when at least half of it is spent, so that a
 * free costs one lookup however long the list.  An entry is live while it
 * is the TCB in its host's list at the slot it records (sim.c keeps slots
 * right when it closes up that list) and still has the list's key: a
 * freed TCB's memory stays the sim's (sim.c's spare list) until a new TCB
 * takes it, so an old entry is never a dangling pointer, and one whose
 * memory came back as a TCB with the same key is kept once, at the newer
 * place, when its list is closed up.
 *
 * Every TCB the sim makes has its remote address from the start, so
 * sim_new_conn adds each one as the newest: a listener's child is made for
 * the SYN that names it (sim.c, sim_spawn), and a listener never takes a
 * SYN itself, so tcp_input's naming of an open passive OPEN (RFC 9293
 * 3.10.7.2) never happens to a TCB of the sim. */
#include <stdlib.h>
#include <string.h>
#include "probe.h"
#include "simint.h"

enum { PK_PEER, PK_LPORT, PK_PEER_RPORT, PK_N };

struct peer_bucket {
    uint64_t key;              /* kind << 48 | value; 0: an empty slot */
    int      host;
    uint32_t n, cap;           /* entries, spent ones included */
    uint32_t live;
    union {
        struct sim_conn **v;   /* cap > 1: oldest first */
        struct sim_conn  *one; /* cap 1: the only entry, in place */
    } u;
};

struct peer_table {
    struct peer_bucket *b;
    size_t n, cap;             /* buckets in use; a power of two */
    int made;
};

struct peer_index {
    struct peer_table t[PK_N];
};

/* The TCB's key in table k, 0 when it has none there (a listener has no
 * remote address). */
static uint64_t key_of(int k, const struct tcp_conn *c)
{
    switch (k) {
    case PK_PEER:
        return c->raddr ? (uint64_t)1 << 48 | c->raddr : 0;
    case PK_LPORT:
        return (uint64_t)2 << 48 | c->lport;
    default:
        return c->raddr ? (uint64_t)3 << 48 | (uint64_t)c->raddr << 16 | c->rport : 0;
    }
}

static size_t bucket_home(int host, uint64_t key, size_t cap)
{
    uint64_t k = (key ^ (uint64_t)(uint32_t)host << 20) * 0x9e3779b97f4a7c15ULL;
    return (size_t)(k >> 32) & (cap - 1);
}

static size_t bucket_slot(const struct peer_table *t, int host, uint64_t key)
{
    size_t j = bucket_home(host, key, t->cap);
    while (t->b[j].key && (t->b[j].key != key || t->b[j].host != host))
        j = (j + 1) & (t->cap - 1);
    return j;
}

static struct sim_conn **entries(struct peer_bucket *b)
{
    return b->cap == 1 ? &b->u.one : b->u.v;
}

static size_t spilled(const struct peer_bucket *b)
{
    return b->cap > 1 ? b->cap * sizeof *b->u.v : 0;
}

static int entry_live(const struct sim *s, const struct peer_bucket *b, int k,
                      const struct sim_conn *sc)
{
    const struct sim_host *hp = &s->hosts[b->host];
    return sc->slot < hp->nconns && hp->conns[sc->slot] == sc &&
           key_of(k, &sc->tcb) == b->key;
}

static void table_grow(struct sim *s, struct peer_table *t)
{
    size_t oldcap = t->cap, cap = oldcap ? oldcap * 2 : 64;
    struct peer_bucket *old = t->b;
    t->b = xreallocarray(NULL, cap, sizeof *t->b);
    for (size_t i = 0; i < cap; i++)
        t->b[i].key = 0;
    t->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key)
            t->b[bucket_slot(t, old[i].host, old[i].key)] = old[i];
    free(old);
    s->mem_tcbs += (cap - oldcap) * sizeof *t->b;
}

/* Takes the bucket at j out; linear probing's backward shift. */
static void bucket_drop(struct sim *s, struct peer_table *t, size_t j)
{
    size_t m = t->cap - 1;
    s->mem_tcbs -= spilled(&t->b[j]);
    if (t->b[j].cap > 1)
        free(t->b[j].u.v);
    t->b[j].key = 0;
    t->n--;
    for (size_t k = (j + 1) & m; t->b[k].key; k = (k + 1) & m) {
        size_t h = bucket_home(t->b[k].host, t->b[k].key, t->cap);
        if (probe_stays(j, k, h))
            continue;
        t->b[j] = t->b[k];
        t->b[k].key = 0;
        j = k;
    }
}

/* Keeps only the live entries, each once, at its newest place, in order;
 * peer_mark tells a TCB already kept. */
static void bucket_close_up(const struct sim *s, struct peer_bucket *b, int k)
{
    struct sim_conn **v = entries(b);
    uint32_t w = b->n;
    for (uint32_t r = b->n; r-- > 0;) {
        struct sim_conn *sc = v[r];
        if (!sc->peer_mark && entry_live(s, b, k, sc)) {
            sc->peer_mark = 1;
            v[--w] = sc;
        }
    }
    b->n -= w;
    memmove(v, v + w, b->n * sizeof *v);
    for (uint32_t r = 0; r < b->n; r++)
        v[r]->peer_mark = 0;
}

static void add_to(struct sim *s, struct peer_table *t, int k, struct sim_conn *sc)
{
    uint64_t key = key_of(k, &sc->tcb);
    if (!key)
        return;
    if (5 * (t->n + 1) > 4 * t->cap)
        table_grow(s, t);
    struct peer_bucket *b = &t->b[bucket_slot(t, sc->tcb.host, key)];
    if (!b->key) {
        *b = (struct peer_bucket){ .key = key, .host = sc->tcb.host };
        t->n++;
    }
    if (b->n == b->cap && b->n > 2 * b->live)
        bucket_close_up(s, b, k);
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 1;
        if (cap > 1) {
            struct sim_conn **v = xreallocarray(NULL, cap, sizeof *v);
            memcpy(v, entries(b), b->n * sizeof *v);
            if (b->cap > 1)
                free(b->u.v);
            s->mem_tcbs -= spilled(b);
            b->u.v = v;
        }
        b->cap = cap;
        s->mem_tcbs += spilled(b);
    }
    entries(b)[b->n++] = sc;
    b->live++;
}

static struct peer_table *table(struct sim *s, int k)
{
    if (!s->peers) {
        s->peers = xcalloc(1, sizeof *s->peers);
        s->mem_tcbs += sizeof *s->peers;
    }
    struct peer_table *t = &s->peers->t[k];
    if (!t->made) {
        /* the first call that needs it: every host's TCBs, in order */
        t->made = 1;
        for (int i = 0; i < s->nhosts; i++)
            for (uint32_t j = 0; j < s->hosts[i].nconns; j++)
                if (s->hosts[i].conns[j])
                    add_to(s, t, k, s->hosts[i].conns[j]);
    }
    return t;
}

void sim_peers_add(struct sim *s, struct sim_conn *sc)
{
    for (int k = 0; s->peers && k < PK_N; k++)
        if (s->peers->t[k].made)
            add_to(s, &s->peers->t[k], k, sc);
}

/* Called once sc has left its host's list (so its entries are spent). */
void sim_peers_remove(struct sim *s, struct sim_conn *sc)
{
    for (int k = 0; s->peers && k < PK_N; k++) {
        struct peer_table *t = &s->peers->t[k];
        uint64_t key = key_of(k, &sc->tcb);
        if (!t->made || !key)
            continue;
        size_t j = bucket_slot(t, sc->tcb.host, key);
        struct peer_bucket *b = &t->b[j];
        if (!b->key || !b->live)
            continue;          /* not there: nothing to take out */
        if (!--b->live)
            bucket_drop(s, t, j);
        else if (b->n >= 8 && b->n > 2 * b->live)
            bucket_close_up(s, b, k);
    }
}

static struct peer_bucket *bucket_of(struct sim *s, int k, int h, uint64_t key)
{
    struct peer_table *t = table(s, k);
    if (!t->cap)
        return NULL;
    struct peer_bucket *b = &t->b[bucket_slot(t, h, key)];
    return b->key ? b : NULL;
}

struct sim_conn *sim_peers_newest(struct sim *s, int h, ip4_addr raddr,
                                  uint16_t lport, uint16_t rport)
{
    struct tcp_conn want = { .raddr = raddr, .lport = lport, .rport = rport };
    int k = raddr && rport ? PK_PEER_RPORT : raddr ? PK_PEER : PK_LPORT;
    struct peer_bucket *b = bucket_of(s, k, h, key_of(k, &want));
    if (k == PK_PEER && lport) {
        /* named by peer and local port: the shorter list of the two */
        struct peer_bucket *by_port = bucket_of(s, PK_LPORT, h, key_of(PK_LPORT, &want));
        if (!b || !by_port)
            return NULL;
        if (by_port->n < b->n) {
            b = by_port;
            k = PK_LPORT;
        }
    }
    if (!b)
        return NULL;
    struct sim_conn **v = entries(b);
    for (uint32_t j = b->n; j-- > 0;) {
        const struct tcp_conn *c = &v[j]->tcb;
        if (entry_live(s, b, k, v[j]) && (!raddr || c->raddr == raddr) &&
            (!lport || c->lport == lport) && (!rport || c->rport == rport))
            return v[j];
    }
    return NULL;
}

uint64_t sim_peers_bytes(const struct sim *s)
{
    if (!s->peers)
        return 0;
    uint64_t n = sizeof *s->peers;
    for (int k = 0; k < PK_N; k++) {
        const struct peer_table *t = &s->peers->t[k];
        n += t->cap * sizeof *t->b;
        for (size_t i = 0; i < t->cap; i++)
            if (t->b[i].key)
                n += spilled(&t->b[i]);
    }
    return n;
}

void sim_peers_free(struct sim *s)
{
    if (!s->peers)
        return;
    for (int k = 0; k < PK_N; k++) {
        struct peer_table *t = &s->peers->t[k];
        for (size_t i = 0; i < t->cap; i++)
            if (t->b[i].key && t->b[i].cap > 1)
                free(t->b[i].u.v);
        free(t->b);
    }
    free(s->peers);
    s->peers = NULL;
}
