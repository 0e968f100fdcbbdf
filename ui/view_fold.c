/* view_fold.c — the crowd, folded (issue 11: "drawn with the crowd
 * aggregated so the diagram stays readable").
 *
 * A SYN flood's forged SYNs come from addresses that belong to no host, and
 * the server's SYN,ACKs go back to them; around each one the server keeps a
 * half-open connection that retransmits and gives up.  Those records are
 * the crowd (view.h says exactly which).  Folded, each run of consecutive
 * crowd records is one row of the diagram that counts what it holds, so
 * the lesson's own hosts -- the client refused or answered, the notes --
 * stay on the screen between them.  Everything here is computed once per
 * run, in time linear in the records (and n log n in the forged addresses,
 * which are sorted to count them); a step costs nothing more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "fmt.h"
#include "i18n.h"
#include "arp.h"
#include "tcp.h"
#include "wire.h"
#include "view.h"
#include "viewint.h"

/* An address of the crowd: unicast, and no host's.  0.0.0.0, the limited
 * broadcast and multicast are nobody's by nature. */
static int foreign_addr(const struct trace *tr, uint32_t a)
{
    return a != 0 && a != 0xffffffffu && (a >> 28) != 0xe && (a >> 28) != 0xf &&
           trace_host_by_addr(tr, a) < 0;
}

void vw_crowd_frame(struct vw_crowd_scan *c, const struct trace *tr,
                    const struct frame *f, size_t i)
{
    struct arp_pkt ap;
    int arp = !f->has_ip && f->eth.type == ETHERTYPE_ARP &&
              arp_decode(f->payload, f->payload_len, &ap) == 0;
    if (!f->has_ip && !arp)
        return;
    for (int k = 0; k < 2; k++) {
        uint32_t a = arp ? (k ? ap.tpa : ap.spa) : k ? f->ip.dst : f->ip.src;
        if (!foreign_addr(tr, a))
            continue;
        if (!c->crowd)
            c->crowd = xcalloc(c->n, 1);
        c->crowd[i] = 1;
        if (c->naddr == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 64;
            c->addr = xreallocarray(c->addr, c->cap, sizeof *c->addr);
        }
        c->addr[c->naddr++] = a;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static size_t distinct(uint32_t *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_u32);
    size_t u = 1;
    for (size_t i = 1; i < n; i++)
        u += v[i] != v[i - 1];
    return u;
}

static int fold_kind(const struct trace_rec *r)
{
    switch (r->kind) {
    case TK_SEND:  return FOLD_SENT;
    case TK_RECV:  return FOLD_RECEIVED;
    case TK_DROP:  return FOLD_DROPPED;
    case TK_STATE: return FOLD_STATE;
    case TK_TIMER: return FOLD_TIMER;
    default:       return FOLD_OTHER;
    }
}

void vw_index_fold(struct view_index *ix, struct vw_crowd_scan *c)
{
    const struct trace *tr = ix->tr;
    size_t n = ix->n;
    uint8_t *crowd = c->crowd;
    ix->crowd_addrs = distinct(c->addr, c->naddr);
    free(c->addr);
    if (!crowd || ix->crowd_addrs < VIEW_CROWD_ADDRS) {
        free(crowd);
        ix->crowd_addrs = 0;
        return;
    }
    /* the connections of the crowd's packets, by interned name (1); not a
     * listening socket (2: it went from CLOSED to LISTEN), which is the
     * server's own even when it answers the crowd with SYN cookies */
    uint8_t *conn = xcalloc(tr->nstrs ? tr->nstrs : 1, 1);
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind == TK_STATE && r->layer == TL_TCP && r->conn < tr->nstrs &&
            r->u.state.from == TCPS_CLOSED && r->u.state.to == TCPS_LISTEN)
            conn[r->conn] = 2;
    }
    for (size_t i = 0; i < n; i++)
        if (crowd[i] && tr->recs[i].conn < tr->nstrs && !conn[tr->recs[i].conn])
            conn[tr->recs[i].conn] = 1;
    /* a host's ARP cache entry for an address of no host ("arp:ADDR", as
     * arp.c names it): its states and timers are the crowd's */
    for (size_t k = 1; k < tr->nstrs; k++) {
        ip4_addr a;
        const char *name = tr->strs[k];
        if (!strncmp(name, "arp:", 4) && ip4_parse(name + 4, &a) == 0 && !conn[k] &&
            foreign_addr(tr, a))
            conn[k] = 1;
    }
    /* their arrivals and drops (a copy the network made is a send of its
     * own, marked from its own bytes), and every record of a crowd
     * connection; in order, so a record's send is decided before it */
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if ((r->kind == TK_RECV || r->kind == TK_DROP) && r->of && r->of - 1 < i &&
            crowd[r->of - 1])
            crowd[i] = 1;
        if (r->conn && r->conn < tr->nstrs && conn[r->conn] == 1)
            crowd[i] = 1;
    }
    free(conn);

    ix->crowd = crowd;
    ix->row = xreallocarray(NULL, n, sizeof *ix->row);
    size_t nrows = 0, nfolds = 0;
    for (size_t i = 0; i < n; i++) {
        if (crowd[i] && i > 0 && crowd[i - 1]) {
            ix->row[i] = ix->row[i - 1];
            continue;
        }
        ix->row[i] = (uint32_t)nrows++;
        nfolds += crowd[i];
    }
    ix->nrows = nrows;
    ix->row_last = xreallocarray(NULL, nrows, sizeof *ix->row_last);
    ix->row_fold = xreallocarray(NULL, nrows, sizeof *ix->row_fold);
    ix->folds = xcalloc(nfolds ? nfolds : 1, sizeof *ix->folds);
    nfolds = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = ix->row[i];
        ix->row_last[k] = (uint32_t)i;
        if (!crowd[i]) {
            ix->row_fold[k] = -1;
            continue;
        }
        if (i == 0 || !crowd[i - 1]) {
            ix->row_fold[k] = (int32_t)nfolds;
            ix->folds[nfolds++].first = (uint32_t)i;
        }
        struct view_fold *f = &ix->folds[ix->row_fold[k]];
        f->last = (uint32_t)i;
        f->n[fold_kind(&tr->recs[i])]++;
    }
    ix->nfolds = nfolds;
}

int view_folded(const struct view_index *ix, const struct view_state *st)
{
    return st->fold && ix->crowd;
}

size_t view_nrows(const struct view_index *ix, const struct view_state *st)
{
    return view_folded(ix, st) ? ix->nrows : ix->n;
}

size_t view_row(const struct view_index *ix, const struct view_state *st, size_t i)
{
    return view_folded(ix, st) && i < ix->n ? ix->row[i] : i;
}

size_t view_row_last(const struct view_index *ix, const struct view_state *st,
                     size_t row)
{
    return view_folded(ix, st) && row < ix->nrows ? ix->row_last[row] : row;
}

size_t view_row_first(const struct view_index *ix, const struct view_state *st,
                      size_t row)
{
    return row ? view_row_last(ix, st, row - 1) + 1 : 0;
}

const struct view_fold *view_fold_of(const struct view_index *ix, size_t i)
{
    if (!ix->crowd || i >= ix->n || !ix->crowd[i])
        return NULL;
    return &ix->folds[ix->row_fold[ix->row[i]]];
}

const struct view_fold *view_fold_at(const struct view_index *ix,
                                     const struct view_state *st, size_t i)
{
    return view_folded(ix, st) ? view_fold_of(ix, i) : NULL;
}

char *view_fold_counts(const struct view_fold *f, char *buf, size_t n)
{
    /* one label per kind: "sent 8" reads the same for 1 and for 8, so no
     * plural forms are needed */
    static const char *const label[FOLD_KINDS] = {
        [FOLD_SENT] = N_("sent"), [FOLD_RECEIVED] = N_("received"),
        [FOLD_DROPPED] = N_("dropped"), [FOLD_STATE] = N_("state changes"),
        [FOLD_TIMER] = N_("timer events"), [FOLD_OTHER] = N_("other"),
    };
    size_t o = 0;
    if (n)
        buf[0] = '\0';
    for (int k = 0; k < FOLD_KINDS && o < n; k++) {
        if (!f->n[k])
            continue;
        int w = snprintf(buf + o, n - o, "%s%s %u", o ? ", " : "", _(label[k]),
                         (unsigned)f->n[k]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    return buf;
}

static char *fold_label(const struct view_index *ix, const struct view_fold *f,
                        char *buf, size_t n)
{
    const struct trace *tr = ix->tr;
    size_t k = (size_t)f->last - f->first + 1;
    char t0[32], t1[32], counts[200];
    fmt_time(tr->recs[f->first].t_us, t0, sizeof t0);
    view_fold_counts(f, counts, sizeof counts);
    if (tr->recs[f->last].t_us == tr->recs[f->first].t_us)
        snprintf(buf, n, P_("%zu event of the crowd at %s: %s",
                            "%zu events of the crowd at %s: %s", k), k, t0, counts);
    else
        snprintf(buf, n, P_("%zu event of the crowd, %s to %s: %s",
                            "%zu events of the crowd, %s to %s: %s", k),
                 k, t0, fmt_time(tr->recs[f->last].t_us, t1, sizeof t1), counts);
    return buf;
}

char *view_fold_text(const struct view_index *ix, const struct view_fold *f,
                     size_t upto, char *buf, size_t n)
{
    if (upto >= f->last)
        return fold_label(ix, f, buf, n);
    size_t k = (size_t)f->last - f->first + 1;
    char t0[32];
    fmt_time(ix->tr->recs[f->first].t_us, t0, sizeof t0);
    snprintf(buf, n, P_("%zu of %zu event of the crowd, from %s",
                        "%zu of %zu events of the crowd, from %s", k),
             upto - f->first + 1, k, t0);
    return buf;
}
