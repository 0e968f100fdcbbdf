/* trace.c — the append-only trace, its arenas, its sinks and its name
 * tables. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "trace.h"
#include "fmt.h"
#include "hashslot.h"
#include "probe.h"

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *np = xreallocarray(p, nc, elem);
    *cap = nc;
    return np;
}

/* A hash table's load limit: grow before an insert would fill more than
 * 4/5 of the slots.  Linear probing then takes about 3 probes to find a
 * key and 13 to miss one, on average; at 100,000 concurrent connections
 * the 1/2 limit it replaces doubled the blob, timer, string and address
 * tables (302,730 blobs held at once took 2^20 slots, 2^19 now; 200,000
 * running timers 2^19 slots, 2^18 now). */
static int table_full(size_t n, size_t cap)
{
    return 5 * (n + 1) > 4 * cap;
}

/* The interned strings and the host names, packed one after another in
 * chunks of 64 KiB (a longer string gets a chunk of its own), and freed
 * all at once.  A run with 100,000 client hosts keeps 300,000 such
 * strings: host names of up to 7 bytes with the NUL ("c99999") and
 * connection names of 23 on average ("c0:58471-server:80"); malloc gave
 * each a block of its own, 32 or 48 bytes with its header. */
struct str_chunk {
    struct str_chunk *next;
    char text[];
};

enum { STR_CHUNK = 65536 - sizeof(struct str_chunk *) };

static char *pool_strdup(struct trace *tr, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > tr->str_left) {
        size_t size = n > STR_CHUNK ? n : STR_CHUNK;
        struct str_chunk *c = xmalloc(sizeof *c + size);
        c->next = tr->chunks;
        tr->chunks = c;
        tr->str_at = c->text;
        tr->str_left = size;
    }
    char *p = memcpy(tr->str_at, s, n);
    tr->str_at += n;
    tr->str_left -= n;
    return p;
}

static void pool_free(struct trace *tr)
{
    while (tr->chunks) {
        struct str_chunk *c = tr->chunks;
        tr->chunks = c->next;
        free(c);
    }
    tr->str_at = NULL;
    tr->str_left = 0;
}

/* For the next run: the first chunk made (every chunk has at least
 * STR_CHUNK bytes) is kept and the rest freed.  Freeing 64 KiB had the
 * allocator consolidate its heap on every trace_reset. */
static void pool_reset(struct trace *tr)
{
    struct str_chunk *keep = tr->chunks;
    while (keep && keep->next) {
        struct str_chunk *c = keep;
        keep = c->next;
        free(c);
    }
    tr->chunks = keep;
    tr->str_at = keep ? keep->text : NULL;
    tr->str_left = keep ? STR_CHUNK : 0;
}

void trace_init(struct trace *tr)
{
    memset(tr, 0, sizeof *tr);
    /* room for a lesson's trace from the start: one allocation each
     * instead of a string of doublings on every run */
    tr->recs = grow(tr->recs, &tr->cap, 256, sizeof *tr->recs);
    tr->blobs = grow(tr->blobs, &tr->capblobs, 128, sizeof *tr->blobs);
    tr->bytes = grow(tr->bytes, &tr->capbytes, 16384, 1);
    trace_intern(tr, "");
    trace_blob(tr, NULL, 0);
}

/* A slot holds a blob's address with a few bits of its id's hash in the
 * low bits that malloc's alignment leaves zero, so that a probe passes
 * most other blobs without reading them: one cache miss per blob looked
 * at made half of a crowd's blob lookups.  0 is an empty slot. */
#define SB_TAG_MASK ((uintptr_t)_Alignof(max_align_t) - 1)

static uintptr_t sb_tag(uint32_t id)
{
    return (uintptr_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 58) & SB_TAG_MASK;
}

static struct trace_sblob *sb_blob(uintptr_t v)
{
    return (struct trace_sblob *)(v & ~SB_TAG_MASK);
}

static void sblobs_free(struct trace *tr)
{
    for (size_t i = 0; i < tr->scap; i++)
        free(sb_blob(tr->sblobs[i]));
    free(tr->sblobs);
    tr->sblobs = NULL;
    tr->scap = tr->nsblobs = tr->sbytes = tr->sfirst = 0;
}

void trace_free(struct trace *tr)
{
    sblobs_free(tr);
    pool_free(tr);
    free(tr->strs);
    free(tr->strhash);
    free(tr->host_names);
    free(tr->host_addrs);
    free(tr->addrhash);
    free(tr->recs);
    free(tr->bytes);
    free(tr->blobs);
    free(tr->timers);
    memset(tr, 0, sizeof *tr);
}

void trace_reset(struct trace *tr)
{
    pool_reset(tr);
    sblobs_free(tr);
    tr->nstrs = 0;
    tr->nhosts = 0;
    if (tr->addrhash)
        memset(tr->addrhash, 0, tr->addrcap * sizeof *tr->addrhash);
    tr->n = 0;
    tr->first = 0;
    tr->streaming = 0;
    tr->nsinks = 0;
    tr->nbytes = 0;
    tr->nblobs = 0;
    tr->strbytes = 0;
    if (tr->strhash)
        memset(tr->strhash, 0, tr->hashcap * sizeof *tr->strhash);
    if (tr->timers)
        memset(tr->timers, 0, tr->timercap * sizeof *tr->timers);
    tr->ntimers = 0;
    trace_intern(tr, "");
    trace_blob(tr, NULL, 0);
}

/* The capacity grow() gave the host arrays for n hosts (16, 32, 64, ...):
 * passing n itself as the capacity made every host a realloc of both
 * arrays, quadratic in the hosts (tens of seconds for 50,000 under
 * AddressSanitizer, whose realloc always copies). */
static size_t host_cap(int n)
{
    size_t c = 0;
    if (n > 0)
        for (c = 16; c < (size_t)n; c *= 2)
            ;
    return c;
}

static size_t addr_slot(const struct trace *tr, uint32_t a)
{
    return hash_home(a, tr->addrcap);
}

/* Host h into the address table, unless an earlier host has its address. */
static void addr_insert(struct trace *tr, int h)
{
    size_t i = addr_slot(tr, tr->host_addrs[h]);
    while (tr->addrhash[i]) {
        if (tr->host_addrs[tr->addrhash[i] - 1] == tr->host_addrs[h])
            return;
        i = (i + 1) & (tr->addrcap - 1);
    }
    tr->addrhash[i] = h + 1;
}

int trace_add_host(struct trace *tr, const char *name, uint32_t addr)
{
    size_t cap = host_cap(tr->nhosts), cap2 = cap;
    tr->host_names = grow(tr->host_names, &cap, (size_t)tr->nhosts + 1,
                          sizeof *tr->host_names);
    tr->host_addrs = grow(tr->host_addrs, &cap2, (size_t)tr->nhosts + 1,
                          sizeof *tr->host_addrs);
    tr->host_names[tr->nhosts] = pool_strdup(tr, name);
    tr->host_addrs[tr->nhosts] = addr;
    if (table_full((size_t)tr->nhosts, tr->addrcap)) {     /* grow and rehash */
        size_t nc = tr->addrcap ? tr->addrcap * 2 : 64;
        free(tr->addrhash);
        tr->addrhash = xcalloc(nc, sizeof *tr->addrhash);
        tr->addrcap = nc;
        for (int h = 0; h < tr->nhosts; h++)
            addr_insert(tr, h);
    }
    addr_insert(tr, tr->nhosts);
    return tr->nhosts++;
}

const char *trace_host_name(const struct trace *tr, int h)
{
    if (h == HOST_BROADCAST)
        return "*";
    return h >= 0 && h < tr->nhosts ? tr->host_names[h] : NULL;
}

int trace_host_by_addr(const struct trace *tr, uint32_t a)
{
    if (!tr->addrcap)
        return -1;
    for (size_t i = addr_slot(tr, a); tr->addrhash[i]; i = (i + 1) & (tr->addrcap - 1))
        if (tr->host_addrs[tr->addrhash[i] - 1] == a)
            return tr->addrhash[i] - 1;
    return -1;
}

/* Interning the same text twice returns the same id; a hash table keeps
 * that cheap when a run makes thousands of connections. */
static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;        /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

static void rehash(struct trace *tr, size_t cap)
{
    uint32_t *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < tr->nstrs; i++) {
        size_t j = (size_t)str_hash(tr->strs[i]) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = (uint32_t)i + 1;
    }
    free(tr->strhash);
    tr->strhash = t;
    tr->hashcap = cap;
}

uint32_t trace_intern(struct trace *tr, const char *s)
{
    if (table_full(tr->nstrs, tr->hashcap))
        rehash(tr, tr->hashcap ? tr->hashcap * 2 : 64);
    size_t j = (size_t)str_hash(s) & (tr->hashcap - 1);
    for (; tr->strhash[j]; j = (j + 1) & (tr->hashcap - 1))
        if (!strcmp(tr->strs[tr->strhash[j] - 1], s))
            return tr->strhash[j] - 1;
    tr->strs = grow(tr->strs, &tr->capstrs, tr->nstrs + 1, sizeof *tr->strs);
    char *copy = pool_strdup(tr, s);
    tr->strs[tr->nstrs] = copy;
    tr->strbytes += strlen(copy) + 1;
    tr->strhash[j] = (uint32_t)tr->nstrs + 1;
    return (uint32_t)tr->nstrs++;
}

size_t trace_size(const struct trace *tr)
{
    size_t arena = tr->streaming ? tr->sfirst : tr->nblobs;
    return (tr->n - tr->first) * sizeof *tr->recs + tr->nbytes +
           arena * sizeof *tr->blobs +
           tr->sbytes + tr->nsblobs * sizeof *tr->sblobs +
           tr->nstrs * (sizeof *tr->strs + 2 * sizeof *tr->strhash) +
           tr->strbytes;
}

const char *trace_str(const struct trace *tr, uint32_t id)
{
    return id < tr->nstrs ? tr->strs[id] : "";
}

/* ---- a streaming trace's blobs ------------------------------------------- */

static size_t sb_home(const struct trace *tr, uint32_t id)
{
    return hash_home(id, tr->scap);
}

/* The slot of blob id, or the empty slot where it would go. */
static size_t sb_slot(const struct trace *tr, uint32_t id)
{
    size_t j = sb_home(tr, id);
    uintptr_t tag = sb_tag(id), v;
    while ((v = tr->sblobs[j]) && ((v & SB_TAG_MASK) != tag || sb_blob(v)->id != id))
        j = (j + 1) & (tr->scap - 1);
    return j;
}

static void sb_put(struct trace *tr, struct trace_sblob *b)
{
    if ((uintptr_t)b & SB_TAG_MASK)
        abort();           /* malloc gives max_align_t's alignment */
    tr->sblobs[sb_slot(tr, b->id)] = (uintptr_t)b | sb_tag(b->id);
}

static void sb_insert(struct trace *tr, struct trace_sblob *b)
{
    if (table_full(tr->nsblobs, tr->scap)) {
        size_t oldcap = tr->scap;
        uintptr_t *old = tr->sblobs;
        tr->scap = oldcap ? oldcap * 2 : 256;
        tr->sblobs = xcalloc(tr->scap, sizeof *tr->sblobs);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                sb_put(tr, sb_blob(old[i]));
        free(old);
    }
    sb_put(tr, b);
    tr->nsblobs++;
    tr->sbytes += sizeof *b + b->len;
}

/* Frees the blob in slot j and closes the gap (linear probing's backward
 * shift: an entry moves back unless its home lies between the gap and it). */
static void sb_remove(struct trace *tr, size_t j)
{
    size_t m = tr->scap - 1;
    struct trace_sblob *b = sb_blob(tr->sblobs[j]);
    tr->sbytes -= sizeof *b + b->len;
    free(b);
    tr->sblobs[j] = 0;
    tr->nsblobs--;
    for (size_t k = (j + 1) & m; tr->sblobs[k]; k = (k + 1) & m) {
        size_t h = sb_home(tr, sb_blob(tr->sblobs[k])->id);
        if (probe_stays(j, k, h))
            continue;
        tr->sblobs[j] = tr->sblobs[k];
        tr->sblobs[k] = 0;
        j = k;
    }
}

static struct trace_sblob *sb_find(const struct trace *tr, uint32_t id,
                                   size_t *slot)
{
    if (!tr->scap)
        return NULL;
    size_t j = sb_slot(tr, id);
    *slot = j;
    return sb_blob(tr->sblobs[j]);
}

void trace_blob_hold(struct trace *tr, uint32_t id)
{
    size_t j;
    struct trace_sblob *b;
    if (tr->streaming && id >= tr->sfirst && (b = sb_find(tr, id, &j)))
        b->refs++;
}

void trace_blob_release(struct trace *tr, uint32_t id)
{
    size_t j;
    struct trace_sblob *b;
    if (tr->streaming && id >= tr->sfirst && (b = sb_find(tr, id, &j)) &&
        b->refs && !--b->refs)
        sb_remove(tr, j);
}

int trace_blob_live(const struct trace *tr, uint32_t id)
{
    size_t j;
    if (tr->streaming && id >= tr->sfirst)
        return sb_find(tr, id, &j) != NULL;
    return id < tr->nblobs;
}

uint32_t trace_blob(struct trace *tr, const uint8_t *p, size_t len)
{
    if (tr->streaming) {
        /* held by the record that names it, as soon as it is appended */
        struct trace_sblob *b = xmalloc(sizeof *b + len);
        /* Ids are 32 bits (records, frames in flight and the writers'
         * tables hold them); a streamed run goes on past 2^32 blobs.
         * Then an id is given again, but never one a blob still has nor
         * one of the arena's (below sfirst, blob 0 the empty one): the
         * 2^32nd blob was id 0, whose bytes read as the empty blob's.
         * Nor UINT32_MAX, which the writers' tables key as id + 1 = 0, an
         * empty slot (the pcapng left that frame out).  A writer that
         * remembers an id after its blob is gone (ui/json.c: the JSON's
         * last 64 frames, the pcap's counts until a sweep) could meet it
         * again only 2^32 blobs later. */
        uint32_t id = (uint32_t)tr->nblobs;
        if (tr->nblobs >= UINT32_MAX) {
            size_t j;
            while (id == UINT32_MAX || id < tr->sfirst || sb_find(tr, id, &j)) {
                id++;
                tr->nblobs++;
            }
        }
        tr->nblobs++;
        b->id = id;
        b->refs = 0;
        b->len = (uint32_t)len;
        if (len)
            memcpy(b->data, p, len);
        sb_insert(tr, b);
        return b->id;
    }
    tr->bytes = grow(tr->bytes, &tr->capbytes, tr->nbytes + len + 1, 1);
    tr->blobs = grow(tr->blobs, &tr->capblobs, tr->nblobs + 1, sizeof *tr->blobs);
    if (len)
        memcpy(tr->bytes + tr->nbytes, p, len);
    tr->blobs[tr->nblobs].off = (uint32_t)tr->nbytes;
    tr->blobs[tr->nblobs].len = (uint32_t)len;
    tr->nbytes += len;
    return (uint32_t)tr->nblobs++;
}

const uint8_t *trace_blob_data(const struct trace *tr, uint32_t id, size_t *len)
{
    if (tr->streaming && id >= tr->sfirst) {
        size_t j;
        const struct trace_sblob *b = sb_find(tr, id, &j);
        *len = b ? b->len : 0;
        return b ? b->data : tr->bytes;
    }
    if (id >= tr->nblobs) {
        *len = 0;
        return tr->bytes;
    }
    *len = tr->blobs[id].len;
    return tr->bytes + tr->blobs[id].off;
}

/* ---- records, sinks and streaming ------------------------------------------ */

void trace_stream(struct trace *tr)
{
    if (tr->streaming)
        return;
    tr->streaming = 1;
    tr->sfirst = tr->nblobs;
    /* The records' array never holds more than 2 * TRACE_STREAM_KEEP now:
     * take it whole, once.  Its pages are touched only as records fill
     * them, where doubling its way up touched (and copied into) a new
     * array at every step: 70 of a 100-lifecycle run's 280 page faults. */
    tr->recs = grow(tr->recs, &tr->cap, 2 * TRACE_STREAM_KEEP, sizeof *tr->recs);
}

int trace_add_sink(struct trace *tr, const struct trace_sink *k)
{
    if (tr->nsinks >= TRACE_MAX_SINKS)
        return -1;
    tr->sinks[tr->nsinks++] = *k;
    for (size_t i = tr->first; i < tr->n; i++)
        k->rec(k->ctx, tr, i, &tr->recs[i - tr->first]);
    return 0;
}

void trace_replay(struct trace *tr)
{
    for (size_t i = tr->first; i < tr->n; i++)
        for (int k = 0; k < tr->nsinks; k++)
            tr->sinks[k].rec(tr->sinks[k].ctx, tr, i, &tr->recs[i - tr->first]);
}

const struct trace_rec *trace_rec(const struct trace *tr, size_t i)
{
    return i >= tr->first && i < tr->n ? &tr->recs[i - tr->first] : NULL;
}

/* The blob a record names (0, the empty blob, when none). */
static uint32_t rec_blob(const struct trace_rec *r)
{
    switch (r->kind) {
    case TK_SEND: case TK_RECV: case TK_DROP: return r->u.pkt.pkt;
    case TK_APP:                              return r->u.app.data;
    default:                                  return 0;
    }
}

/* The newest record is complete: the sinks have it, and a streaming trace
 * lets the oldest go once it keeps twice TRACE_STREAM_KEEP.  Returns the
 * record's index. */
static size_t commit(struct trace *tr)
{
    size_t i = tr->n - 1;
    const struct trace_rec *r = &tr->recs[i - tr->first];
    if (tr->streaming)
        trace_blob_hold(tr, rec_blob(r));
    for (int k = 0; k < tr->nsinks; k++)
        tr->sinks[k].rec(tr->sinks[k].ctx, tr, i, r);
    if (tr->streaming && tr->n - tr->first >= 2 * TRACE_STREAM_KEEP) {
        size_t drop = tr->n - tr->first - TRACE_STREAM_KEEP;
        for (size_t j = 0; j < drop; j++)
            trace_blob_release(tr, rec_blob(&tr->recs[j]));
        memmove(tr->recs, tr->recs + drop,
                TRACE_STREAM_KEEP * sizeof *tr->recs);
        tr->first += drop;
    }
    return i;
}

/* Inlined into each recorder: it runs for every record (55 in a TCP
 * lifecycle), and a call copies its 40-byte struct why through the
 * stack. */
static inline __attribute__((always_inline))
struct trace_rec *append(struct trace *tr, int64_t t, int host,
                         int kind, int layer, uint32_t conn,
                         struct why why)
{
    tr->recs = grow(tr->recs, &tr->cap, tr->n - tr->first + 1, sizeof *tr->recs);
    struct trace_rec *r = &tr->recs[tr->n++ - tr->first];
    memset(r, 0, sizeof *r);
    r->t_us = t;
    r->host = host;
    r->kind = (uint8_t)kind;
    r->layer = (uint8_t)layer;
    r->conn = conn;
    r->why = why;
    return r;
}

size_t trace_state(struct trace *tr, int64_t t, int host, int layer,
                   uint32_t conn, int from, int to, struct why why)
{
    struct trace_rec *r = append(tr, t, host, TK_STATE, layer, conn, why);
    r->u.state.from = (uint8_t)from;
    r->u.state.to = (uint8_t)to;
    return commit(tr);
}

size_t trace_packet(struct trace *tr, int64_t t, const struct trace_pkt *p,
                    struct why why)
{
    struct trace_rec *r = append(tr, t, p->host, p->kind, p->layer, p->conn, why);
    trace_rec_set_of(r, p->of);
    r->u.pkt.pkt = p->pkt;
    r->u.pkt.src = p->src;
    r->u.pkt.dst = p->dst;
    r->u.pkt.dup = (uint8_t)p->dup;
    r->u.pkt.reason = (uint8_t)p->reason;
    r->u.pkt.lost_at = p->lost_at;
    return commit(tr);
}

static size_t timer_home(int32_t key, uint32_t conn, int name)
{
    uint64_t h = ((uint64_t)(uint32_t)(key - 2) << 40 ^ (uint64_t)conn << 8 ^
                  (uint64_t)name) * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 32);
}

/* A timer that stopped or expired leaves the table, so that it holds the
 * running timers only (it held a slot for every timer a run ever started,
 * one per connection and timer name: a crowd's worth).  Linear probing's
 * backward shift closes the gap: an entry moves back unless its home lies
 * cyclically between the gap and it.  The next start of the same timer
 * makes a new slot with at = 0, as the stopped slot had. */
static void timer_remove(struct trace *tr, struct open_timer *o)
{
    size_t m = tr->timercap - 1, j = (size_t)(o - tr->timers);
    tr->timers[j].key = 0;
    tr->ntimers--;
    for (size_t k = (j + 1) & m; tr->timers[k].key; k = (k + 1) & m) {
        size_t h = timer_home(tr->timers[k].key, tr->timers[k].conn,
                              tr->timers[k].name) & m;
        if (probe_stays(j, k, h))
            continue;
        tr->timers[j] = tr->timers[k];
        tr->timers[k].key = 0;
        j = k;
    }
}

/* The slot of timer (host, conn, name), made if new. */
static struct open_timer *timer_slot(struct trace *tr, int host, uint32_t conn,
                                     int name)
{
    if (table_full(tr->ntimers, tr->timercap)) {
        size_t oldcap = tr->timercap, cap = oldcap ? oldcap * 2 : 64;
        struct open_timer *old = tr->timers;
        tr->timers = xcalloc(cap, sizeof *tr->timers);
        tr->timercap = cap;
        tr->ntimers = 0;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].key)
                *timer_slot(tr, old[i].key - 2, old[i].conn, old[i].name) = old[i];
        free(old);
    }
    for (size_t j = timer_home(host + 2, conn, name);; j++) {
        struct open_timer *o = &tr->timers[j & (tr->timercap - 1)];
        if (!o->key) {
            *o = (struct open_timer){ host + 2, conn, (uint8_t)name, 0, 0 };
            tr->ntimers++;
            return o;
        }
        if (o->key == host + 2 && o->conn == conn && o->name == name)
            return o;
    }
}

size_t trace_timer(struct trace *tr, int64_t t, int host, int layer,
                   uint32_t conn, int name, int action, int64_t due,
                   struct why why)
{
    struct open_timer *o = timer_slot(tr, host, conn, name);
    uint64_t of = (uint64_t)o->at_hi << 32 | o->at;
    if (action == TA_START) {
        o->at = (uint32_t)(tr->n + 1);
        o->at_hi = (uint16_t)((uint64_t)(tr->n + 1) >> 32);
    } else {
        timer_remove(tr, o);
    }
    struct trace_rec *r = append(tr, t, host, TK_TIMER, layer, conn, why);
    trace_rec_set_of(r, of);
    r->u.timer.name = (uint8_t)name;
    r->u.timer.action = (uint8_t)action;
    r->u.timer.due_us = due;
    return commit(tr);
}

size_t trace_note(struct trace *tr, int64_t t, int host, const char *text,
                  uint16_t why_id)
{
    uint32_t id = trace_intern(tr, text);
    struct trace_rec *r = append(tr, t, host, TK_NOTE, TL_NONE, 0,
                                 WHY(why_id, id));
    r->u.note.text = id;
    return commit(tr);
}

size_t trace_app(struct trace *tr, int64_t t, int host, int layer, uint32_t conn,
                 int call, int ret, const uint8_t *data, size_t len,
                 struct why why)
{
    uint32_t blob = len ? trace_blob(tr, data, len) : 0;
    struct trace_rec *r = append(tr, t, host, TK_APP, layer, conn, why);
    r->u.app.call = (uint8_t)call;
    r->u.app.ret = ret;
    r->u.app.data = blob;
    return commit(tr);
}

#define NAME_FN(fn, LIST, COUNT)                                   \
    const char *fn(int v)                                          \
    {                                                              \
        static const char *const names[] = { LIST(X) };            \
        return v >= 0 && v < (COUNT) ? names[v] : "?";             \
    }

#define X(id, name) name,
NAME_FN(trace_kind_name, TRACE_KINDS, TK_COUNT)
NAME_FN(trace_layer_name, TRACE_LAYERS, TL_COUNT)
NAME_FN(timer_name_str, TIMER_NAMES, TM_COUNT)
NAME_FN(app_call_name, APP_CALLS, AC_COUNT)
NAME_FN(drop_reason_str, DROP_REASONS, DR_COUNT)
#undef X

const char *timer_action_str(int action)
{
    switch (action) {
    case TA_START:  return "start";
    case TA_STOP:   return "stop";
    case TA_EXPIRE: return "expire";
    default:        return "?";
    }
}

int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++) {
        const char *a = names[i], *b = s;
        while (*a && *b && (*a == *b || (*a == '_' && *b == '-')))
            a++, b++;
        if (!*a && !*b)
            return i;
    }
    return -1;
}

const char *name_of(const char *const *names, int n, int i)
{
    return i >= 0 && i < n ? names[i] : "?";
}

/* "." and the three digits of v (< 1000) without their trailing zeros */
static char *dur_frac(char *t, uint64_t v)
{
    char f[4] = { (char)('0' + v / 100), (char)('0' + v / 10 % 10),
                  (char)('0' + v % 10), '\0' };
    for (int i = 2; i > 0 && f[i] == '0'; i--)
        f[i] = '\0';
    return stpcpy(stpcpy(t, "."), f);
}

char *fmt_duration(int64_t us, char *buf, size_t n)
{
    char out[2 * FMT_INT_LEN + 8], d[FMT_INT_LEN], *t = out;
    uint64_t u = (uint64_t)us;
    if (us < 0) {
        t = stpcpy(t, "-");
        u = (uint64_t)0 - (uint64_t)us;
    }
    if (u >= 60000000 && u % 1000000 == 0 && u / 1000000 % 60 != 0) {
        t = stpcpy(stpcpy(t, fmt_u64(u / 60000000, d)), "m");
        t = stpcpy(stpcpy(t, fmt_u64(u / 1000000 % 60, d)), "s");
    } else if (u >= 60000000 && u % 60000000 == 0)
        t = stpcpy(stpcpy(t, fmt_u64(u / 60000000, d)), "m");
    else if (u >= 1000000 && u % 1000 == 0) {
        uint64_t ms = u / 1000;
        t = stpcpy(t, fmt_u64(ms / 1000, d));
        if (ms % 1000)
            t = dur_frac(t, ms % 1000);
        t = stpcpy(t, "s");
    } else if (u % 1000 == 0)
        t = stpcpy(stpcpy(t, fmt_u64(u / 1000, d)), "ms");
    else if (u >= 1000)
        t = stpcpy(dur_frac(stpcpy(t, fmt_u64(u / 1000, d)), u % 1000), "ms");
    else
        t = stpcpy(stpcpy(t, fmt_u64(u, d)), "us");
    return fmt_cut_copy(buf, n, out, t);
}

char *fmt_time(int64_t us, char *buf, size_t n)
{
    /* seconds.milliseconds with microseconds only when present keeps the
     * column narrow for the usual millisecond-grained lessons */
    uint64_t u = us < 0 ? 0 : (uint64_t)us;
    /* "%llu.%03llus" or "%llu.%06llus", without printf: every line of
     * --batch has one */
    char t[FMT_INT_LEN + 8];
    size_t k = fmt_u64_put(u / 1000000, t);
    int digits = u % 1000 == 0 ? 3 : 6;
    uint64_t frac = digits == 3 ? u / 1000 % 1000 : u % 1000000;
    t[k++] = '.';
    for (int d = digits - 1; d >= 0; d--, frac /= 10)
        t[k + (size_t)d] = (char)('0' + frac % 10);
    k += (size_t)digits;
    t[k++] = 's';
    t[k] = '\0';
    fmt_cut_copy(buf, n, t, t + k);
    return buf;
}
