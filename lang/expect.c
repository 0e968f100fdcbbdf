/* expect.c — the scenario's expect lines, checked record by record as the
 * run appends them: a checker is a trace sink, so a run with --check keeps
 * no trace (frame expectations are in expect_frames.c).
 *
 * Each expectation keeps a small state that each record of its host
 * updates, and its verdict and message are read from that state at the
 * end: what a failure quotes is kept as it happens, bounded by what the
 * message shows (the first RECV_SHOWN bytes read, six timer times, four
 * call outcomes, eight connections).  What grows is what the run itself
 * has open or names: the connects whose handshake has not ended (`connect`
 * expectations), the ISN of each address-and-port pair that sent a SYN
 * (`rel` numbers, expect_frames.c), and a bit per connection name the
 * trace interned (`state at`: whether a connection of that name is open). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "alloc.h"
#include "i18n.h"
#include "lang.h"
#include "sim.h"
#include "langint.h"
#include "arp.h"
#include "dns.h"
#include "hashslot.h"
#include "tcp.h"

struct scn_checker {
    const struct scenario *scn;
    const struct trace *tr;
    struct xexp *x;
    int n;
    int nhosts;
    int *hoff, *hexp;            /* by host: x[hexp[hoff[h] .. hoff[h + 1])] */
    /* Lines that a host may have one of per client of a crowd are not
     * given every record of the host, which made the check grow with
     * clients x records:
     * - `states ... with PEER` are fed only the TCP state records of their
     *   host's connections to PEER, and `states ... on port P` (no peer)
     *   those of its connections on port P (chains CH_PEER, CH_PORT);
     * - `state STATE by T` and `never STATE` only the records of their
     *   host's moves into STATE (CH_STATE), and leave the chain once
     *   decided: the first such move decides them all;
     * - `CALL #N` lines share one count of their host's calls of that kind
     *   (CH_CALL, whose `first` is a struct call_group), which tells each
     *   line the outcome of its own call;
     * - `resolved NAME` lines only the answers for NAME (CH_NAME, by the
     *   name's dns_name_hash), `arp ADDRESS` lines only the moves of the
     *   host's entry for ADDRESS (CH_ARP, by the entry's name_hash);
     * - `state STATE at T` lines share their host's one at_track (CH_AT,
     *   whose `first` is an index into ats), and take its state when the
     *   run passes T (at_lines: the lines by T, at_next the first not
     *   passed yet);
     * - `received`, `messages`, `datagrams`, `reads` and `timer` lines
     *   that would keep the same state as an earlier line of their host
     *   (the same text, messages, timer and event) are its twins:
     *   only the first is fed, and each reads its verdict from that one's
     *   state (twin_of), so a line repeated for each client of a crowd
     *   is checked once per record, not once per client (and so are
     *   `CALL succeeded` and `CALL error "X"` lines of the same call and
     *   error, and `states` lines that select nothing, whatever states
     *   they name); a `timer ... at
     *   T` twin is told of an event at its T through tat (st_timer);
     * - `received`, `messages` and `datagrams` lines of a host that are
     *   no twin of an earlier one (a text per client) follow the host's
     *   first such line, their lead (xexp.lead), which keeps the count
     *   and the bytes a failure quotes: each is fed only while what was
     *   read still agrees with its text (CH_FOLLOW by kind), so the work
     *   is bounded by the lines' own text, not by lines x records.
     * By (host, class, value): the first of a chain through xexp.pnext
     * (host -1: an empty slot); by name: each host; by connection id: its
     * ends, parsed once (lport 0: not yet, -1: it does not parse). */
    struct peer_chain { int host, port, value, first; } *pc;
    size_t pccap;                /* a power of two; 0: no such lines */
    int peer_lines;              /* some CH_PEER or CH_PORT chain */
    struct call_group *groups;
    int ngroups;
    struct at_track *ats;
    int nats;
    int *at_lines;
    int nat_lines, at_next;
    struct name_host { uint32_t hash; int host; } *names;
    size_t namecap;
    struct conn_ends { int peer, lport; } *conn_ends;
    size_t nconn_ends;
    struct xframes *frames;
    int *tat;                    /* the `timer ... at T` twins, by first line and T */
    uint32_t follow_kinds;       /* bit EXP_x: some CH_FOLLOW chain of that kind */
    /* `state at`: the latest time of any record so far, and the TCP
     * connection ids seen so far (a bit per interned string) */
    int64_t tmax;
    /* a run cut short by a limit (scn_checker_cut): when, and whether the
     * records of that instant were all made */
    int64_t cut_us;
    int cut, cut_whole;
    /* by host: the `accept` actions the run made (a blocked one makes no
     * record until it returns), counted at the end; NULL until then */
    size_t *accepts;
    uint8_t *seen;
    size_t nseen;                /* bytes */
};

/* ---- state at a time --------------------------------------------------------
 *
 * HOST's most recently created connection, and its last state at or before
 * T: a connection is created where its id is seen in a TCP state record (of
 * any host) while no connection of that id is open -- the first time, or
 * again after that id's connection went to CLOSED (the TCB is deleted, RFC
 * 9293 3.3.2, so a connect from the same port to the same peer later, or a
 * SYN that reuses the four-tuple, is a new connection) -- and the records
 * after the first one later than T do not count. */
struct at_track { uint32_t latest; int state; };

/* Does the TCP state record r (connection id, and the state it enters)
 * create a connection?  The bits say which ids have a connection open
 * (set by a record, cleared by its move to CLOSED): a connection that
 * reused the id of a closed one was taken for the old one, and `state at`
 * read another connection's state (the newest was told apart only by the
 * first sight of its id). */
static int conn_created(uint8_t **seen, size_t *nseen, uint32_t id, int to)
{
    size_t byte = id / 8;
    if (byte >= *nseen) {
        size_t nn = *nseen ? *nseen : 64;
        while (nn <= byte)
            nn *= 2;
        *seen = xrealloc(*seen, nn);
        memset(*seen + *nseen, 0, nn - *nseen);
        *nseen = nn;
    }
    int first = !((*seen)[byte] & (1u << (id % 8)));
    if (to == TCPS_CLOSED)
        (*seen)[byte] &= (uint8_t)~(1u << (id % 8));
    else
        (*seen)[byte] |= (uint8_t)(1u << (id % 8));
    return first;
}

static void at_feed(struct at_track *a, const struct trace_rec *r, int first)
{
    if (r->conn != a->latest && !first)
        return;
    a->latest = r->conn;
    a->state = r->u.state.to;
}

int scn_tcp_state_at(const struct trace *tr, int host, int64_t t)
{
    struct at_track a = { 0, TCPS_CLOSED };
    uint8_t *seen = NULL;
    size_t nseen = 0;
    for (size_t i = tr->first; i < tr->n; i++) {
        const struct trace_rec *r = trace_rec(tr, i);
        if (r->t_us > t)
            break;
        if (r->kind != TK_STATE || r->layer != TL_TCP || r->conn >= tr->nstrs)
            continue;
        int first = conn_created(&seen, &nseen, r->conn, r->u.state.to);
        if (r->host == host)
            at_feed(&a, r, first);
    }
    free(seen);
    return a.state;
}

/* ---- the forms' states ------------------------------------------------------ */

/* The most bytes of `received` a failure quotes: each takes at least one
 * character of the message (which has room for 1024). */
#define RECV_SHOWN 1024

struct st_when { int64_t first; int state, reached; uint32_t id; char name[40]; };
struct st_recv {
    size_t total;
    int same;                    /* the bytes so far are a prefix of the text */
    int keep;                    /* a lead: keeps head for its followers */
    uint8_t *head;               /* once they are not (or keep): the first
                                    RECV_SHOWN; a follower's is its lead's */
    size_t nhead;
};
/* refused: the narration of a lookup the stub refused at once (no DNS
 * server, a bad name, too many lookups), 0 for an answer or a timeout */
struct st_resolved { int found, rcode, refused, trunc; ip4_addr addr; };
/* i counts every message or datagram read, past 2^31 in a long run */
struct st_msgs { long i; int ok; char last[320]; };
/* Up to 8 selected connections are told apart; most lines select one
 * (a crowd's `expect c{i} states ...`, one per client), so the first's
 * history is kept here and the other seven are made when a second
 * connection is selected: 628 bytes a line became 120. */
#define ST_CONNS 8
typedef uint8_t st_hist[SCN_MAX_STATES + 1];
struct st_states {
    uint32_t conns[ST_CONNS];    /* the selected connections */
    st_hist *more;               /* histories of conns[1..7], or NULL */
    uint8_t nh[ST_CONNS];        /* states in each history, at most 65 */
    uint8_t over;                /* bit c: connection c's history overflowed */
    uint8_t beyond;              /* a connection beyond the ST_CONNS was selected */
    int8_t nconns, listeners, listener_at;
    st_hist first;               /* conns[0]'s history */
};

static uint8_t *st_hist_of(struct st_states *s, int c)
{
    return c ? s->more[c - 1] : s->first;
}
/* A `timer` line's state.  Lines of a host that name the same timer and
 * event are twins whatever they ask (count, by T, at T): the first is fed
 * and keeps the count and the first time; `by T` reads that time, and
 * `at T` lines are told when an event falls at their T (at_hit, through
 * the first line's cursor over them, sorted by T: struct scn_checker's
 * tat).  Lines `by {i}ms`, one per client of a crowd, each fed every
 * timer record of their host, made the check clients x records. */
struct st_timer {
    long count, shown;
    int at_hit;
    int at_lo, at_hi;            /* the first line: its twins' `at` lines
                                    not passed yet, tat[at_lo .. at_hi) */
    int64_t first;               /* the first event's time, -1: none yet */
    char times[200];
    size_t pos;
};

/* A call's outcome beside the results: OUT_PENDING for a connect whose
 * handshake had not ended, OUT_CLOSED when it was closed before it was
 * established by no error. */
#define OUT_PENDING 1
#define OUT_CLOSED  2
/* an `accept` that blocked and no connection completed: it made no record */
#define OUT_WAITING 3
/* The connects still pending, by connection id (open addressing, id 0
 * empty; deleted by shifting back). */
struct pend { uint32_t id; size_t idx; };
struct st_call {
    size_t nouts;
    int head[4];                 /* the first four outcomes */
    int nth_out;                 /* #N's */
    size_t bad_idx;              /* the first call that did not succeed ... */
    int bad_out;                 /* ... and how it ended */
    int found;                   /* some call ended with e->err */
    struct pend *p;
    size_t pcap, pn;
};

/* The `CALL #N` lines of one host and call, when it has two or more (see
 * struct scn_checker): the host's calls of that kind counted once, and
 * the lines by N, to be told their call's outcome. */
struct call_group {
    const struct scn_expect *e;  /* its first line: the host and call */
    struct st_call st;
    struct gline { int nth, k; } *lines;
    size_t nlines;
};

static size_t pend_slot(const struct st_call *c, uint32_t id)
{
    size_t i = hash_home(id, c->pcap);
    while (c->p[i].id && c->p[i].id != id)
        i = (i + 1) & (c->pcap - 1);
    return i;
}

static void pend_del(struct st_call *c, size_t i)
{
    c->p[i].id = 0;
    c->pn--;
    for (size_t j = (i + 1) & (c->pcap - 1); c->p[j].id; j = (j + 1) & (c->pcap - 1)) {
        struct pend e = c->p[j];
        c->p[j].id = 0;
        c->p[pend_slot(c, e.id)] = e;
    }
}

/* Call idx of e's kind has outcome out; `final`: for good (a pending
 * connect that nothing can end any more is final too). */
static void call_outcome(struct st_call *c, const struct scn_expect *e, size_t idx, int out,
                         int final, const struct call_group *g, struct xexp *x)
{
    if (idx < 4)
        c->head[idx] = out;
    if (!g && e->nth && idx == (size_t)e->nth - 1)
        c->nth_out = out;
    if (g) {                     /* its lines #idx+1 (sorted by N) */
        size_t lo = 0, hi = g->nlines;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if ((size_t)g->lines[mid].nth < idx + 1)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < g->nlines && (size_t)g->lines[lo].nth == idx + 1; lo++)
            ((struct st_call *)x[g->lines[lo].k].st)->nth_out = out;
    }
    if (!final)
        return;
    if (out != 0 && idx < c->bad_idx) {
        c->bad_idx = idx;
        c->bad_out = out;
    }
    if (!g && e->err && out == e->err)
        c->found = 1;
}

/* How a connection that a connect() opened ended before ESTABLISHED, read
 * from the narration of its move to CLOSED: each id is one cause. */
static int connect_error(const struct trace_rec *r)
{
    switch (r->why.id) {
    case N_TCP_RST_SYNSENT: case N_TCP_RST_ACTIVE: return -TCPE_REFUSED;
    case N_TCP_RST_RESET:                          return -TCPE_RESET;
    case N_TCP_GIVE_UP: case N_TCP_GIVE_UP_STALE:  return -TCPE_TIMEOUT;
    default:                                       return OUT_CLOSED;
    }
}

/* Record r of e's host to a line's c, or to a group's (g: its own e and
 * c, telling the lines x). */
static void call_feed(struct st_call *c, const struct scn_expect *e, const struct trace *tr,
                      const struct trace_rec *r, const struct call_group *g, struct xexp *x)
{
    if (r->kind == TK_APP && r->u.app.call == e->call) {
        size_t idx = c->nouts++;
        int out = r->u.app.ret < 0 ? r->u.app.ret : 0;
        /* connect() only starts the handshake: its result comes later */
        if (e->call == AC_CONNECT && !out && r->conn && r->conn < tr->nstrs) {
            out = OUT_PENDING;
            if (2 * (c->pn + 1) > c->pcap) {
                struct st_call big = *c;
                big.pcap = c->pcap ? 2 * c->pcap : 16;
                big.p = xcalloc(big.pcap, sizeof *big.p);
                for (size_t i = 0; i < c->pcap; i++)
                    if (c->p[i].id)
                        big.p[pend_slot(&big, c->p[i].id)] = c->p[i];
                free(c->p);
                c->p = big.p;
                c->pcap = big.pcap;
            }
            size_t s = pend_slot(c, r->conn);
            if (c->p[s].id)      /* an older connect with this id: nothing ends it now */
                call_outcome(c, e, c->p[s].idx, OUT_PENDING, 1, g, x);
            else
                c->pn++;
            c->p[s] = (struct pend){ r->conn, idx };
        }
        call_outcome(c, e, idx, out, out != OUT_PENDING, g, x);
    } else if (c->pn && r->kind == TK_STATE && r->conn &&
               (r->u.state.to == TCPS_ESTABLISHED || r->u.state.to == TCPS_CLOSED)) {
        size_t s = pend_slot(c, r->conn);
        if (!c->p[s].id)
            return;
        size_t idx = c->p[s].idx;
        pend_del(c, s);
        call_outcome(c, e, idx, r->u.state.to == TCPS_ESTABLISHED ? 0 : connect_error(r), 1,
                     g, x);
    }
}

/* ---- feeding records ---------------------------------------------------------- */

/* A connection id as sim_conn_name writes it, "HOST:LPORT" for a listening
 * socket or "HOST:LPORT-PEER:RPORT"; host is known, so a '-' in a host name
 * does not confuse it.  Returns 0 with the parts, -1 if it does not parse. */
static int conn_parts(const char *id, const char *host, unsigned *lport,
                      const char **peer, size_t *peerlen, unsigned *rport)
{
    size_t hl = strlen(host);
    if (strncmp(id, host, hl) || id[hl] != ':')
        return -1;
    char *end;
    unsigned long lp = strtoul(id + hl + 1, &end, 10);
    *lport = (unsigned)lp;
    *peer = NULL;
    *peerlen = 0;
    *rport = 0;
    if (*end == '\0')
        return 0;
    if (*end != '-')
        return -1;
    const char *p = end + 1, *colon = strrchr(p, ':');
    if (!colon)
        return -1;
    *peer = p;
    *peerlen = (size_t)(colon - p);
    *rport = (unsigned)strtoul(colon + 1, NULL, 10);
    return 0;
}

/* Does connection id (of e->host) fit the expectation's `on port` and
 * `with PEER port`?  *listener says it has no peer. */
static int conn_selected(const struct trace *tr, const struct scn_expect *e, const char *id,
                         int *listener)
{
    unsigned lp, rp;
    const char *peer;
    size_t pl;
    if (conn_parts(id, trace_host_name(tr, e->host), &lp, &peer, &pl, &rp))
        return 0;
    *listener = peer == NULL;
    if (e->lport && lp != e->lport)
        return 0;
    if (e->peer >= 0) {
        const char *pn = trace_host_name(tr, e->peer);
        if (!peer || pl != strlen(pn) || strncmp(peer, pn, pl))
            return 0;
    }
    return !e->rport || rp == e->rport;
}

static void states_feed(struct st_states *s, const struct scn_expect *e,
                        const struct trace *tr, const struct trace_rec *r)
{
    int c = -1;
    for (int i = 0; i < s->nconns; i++)
        if (s->conns[i] == r->conn)
            c = i;
    /* a connection not listed yet is new (the list only grows); one past
     * the eighth is only noted (a failure said "8 such connections" of a
     * host that had hundreds) */
    int lis = 0;
    if (c < 0 && s->nconns == ST_CONNS) {
        /* one more is not kept, but the failure must not count only 8 */
        if (!s->beyond && conn_selected(tr, e, trace_str(tr, r->conn), &lis))
            s->beyond = 1;
        return;
    }
    if (c < 0 && conn_selected(tr, e, trace_str(tr, r->conn), &lis)) {
        if (lis) {
            s->listeners++;
            s->listener_at = s->nconns;
        }
        c = s->nconns;
        s->conns[s->nconns++] = r->conn;
        if (c == 1)
            s->more = xcalloc(ST_CONNS - 1, sizeof *s->more);
    }
    if (c < 0)
        return;
    uint8_t *h = st_hist_of(s, c);
    if (!s->nh[c] || h[s->nh[c] - 1] != r->u.state.from) {
        if (s->nh[c] <= SCN_MAX_STATES) h[s->nh[c]++] = (uint8_t)r->u.state.from;
        else s->over |= (uint8_t)(1u << c);
    }
    if (s->nh[c] <= SCN_MAX_STATES) h[s->nh[c]++] = (uint8_t)r->u.state.to;
    else s->over |= (uint8_t)(1u << c);
}

/* Returns whether r was an event of e's timer (counted). */
static int timer_feed(struct st_timer *s, const struct scn_expect *e,
                      const struct trace_rec *r)
{
    /* a start while the same timer ran is a restart: the trace links it
     * to the start it ends (trace_rec.of), a first start to none */
    int ev = r->u.timer.action == TA_START ? (trace_rec_of(r) ? TMX_RESTART : TMX_START)
           : r->u.timer.action == TA_STOP ? TMX_STOP : TMX_EXPIRE;
    /* `started` counts every start, restarts included */
    if (r->u.timer.name != e->timer ||
        !(ev == e->tevent || (e->tevent == TMX_START && ev == TMX_RESTART)))
        return 0;
    char d[32];
    s->count++;
    s->at_hit |= r->t_us == e->t_us;
    if (s->first < 0)            /* the trace is in time order */
        s->first = r->t_us;
    if (s->shown < 6 && s->pos < sizeof s->times)
        s->pos += (size_t)snprintf(s->times + s->pos, sizeof s->times - s->pos, "%s%s",
                                   s->shown ? ", " : "", fmt_duration(r->t_us, d, sizeof d));
    else if (s->shown == 6 && s->pos < sizeof s->times)
        s->pos += (size_t)snprintf(s->times + s->pos, sizeof s->times - s->pos, ", ...");
    s->shown++;
    return 1;
}

static void recv_feed(struct st_recv *s, const struct scn_expect *e, const struct trace *tr,
                      const struct trace_rec *r)
{
    size_t n;
    const uint8_t *p = trace_blob_data(tr, r->u.app.data, &n);
    if (!n)
        return;
    if (s->same && (s->total + n > e->len || memcmp(e->data + s->total, p, n))) {
        /* from here on the text no longer tells what was read: keep it
         * (a lead has kept it from the start) */
        s->same = 0;
        if (!s->head) {
            s->head = xreallocarray(NULL, RECV_SHOWN, 1);
            s->nhead = s->total < RECV_SHOWN ? s->total : RECV_SHOWN;
            if (s->nhead)
                memcpy(s->head, e->data, s->nhead);
        }
    }
    if (s->keep && !s->head)
        s->head = xreallocarray(NULL, RECV_SHOWN, 1);
    if ((!s->same || s->keep) && s->nhead < RECV_SHOWN) {
        size_t k = n < RECV_SHOWN - s->nhead ? n : RECV_SHOWN - s->nhead;
        memcpy(s->head + s->nhead, p, k);
        s->nhead += k;
    }
    s->total += n;
}

/* The first MSG_SHOWN bytes a failure quotes of a message or datagram */
enum { MSG_SHOWN = 60 };

/* p[0 .. len) as the language writes a string's bytes: printable ASCII as
 * it is, the rest (and " and \\) as \\xNN, into out (NUL-terminated). */
static void escape_bytes(char *out, size_t n, const uint8_t *p, size_t len)
{
    size_t pos = 0;
    out[0] = 0;
    for (size_t k = 0; k < len && pos + 5 < n; k++) {
        uint8_t ch = p[k];
        if (ch >= 32 && ch < 127 && ch != '"' && ch != '\\')
            out[pos++] = (char)ch, out[pos] = 0;
        else
            pos += (size_t)snprintf(out + pos, n - pos, "\\x%02x", ch);
    }
}

static void msgs_feed(struct st_msgs *s, const struct scn_expect *e, const struct trace *tr,
                      const struct trace_rec *r)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.app.data, &len);
    if (s->i < e->nmsgs && (len != e->msg_lens[s->i] ||
                            (len && memcmp(p, e->msgs[s->i], len)))) {
        s->ok = 0;
        /* the bytes as they were (a NUL ended the quote, which then said
         * "" of "\x00\x01"), and only as many as were shown: a longer one
         * is said to begin with them.  A datagram is no message. */
        char q[4 * MSG_SHOWN + 1];
        escape_bytes(q, sizeof q, p, len < MSG_SHOWN ? len : MSG_SHOWN);
        int dg = e->kind == EXP_DATAGRAMS;
        if (len <= MSG_SHOWN)
            snprintf(s->last, sizeof s->last, dg ? _("datagram %d was \"%s\"")
                                                 : _("message %d was \"%s\""), (int)s->i + 1, q);     /* i < nmsgs, an int */
        else
            snprintf(s->last, sizeof s->last,
                     dg ? _("datagram %d was %zu bytes, beginning \"%s\"")
                        : _("message %d was %zu bytes, beginning \"%s\""), (int)s->i + 1, len, q);
    }
    s->i++;
}

/* Record r of e's host. */
static void feed(struct scn_checker *c, struct xexp *x, const struct trace *tr,
                 const struct trace_rec *r, int first)
{
    const struct scn_expect *e = x->e;
    int tcp_state = r->kind == TK_STATE && r->layer == TL_TCP;
    switch (e->kind) {
    case EXP_STATE_BY: {
        struct st_when *s = x->st;
        if (!tcp_state || r->u.state.to != e->state)
            break;
        if (r->t_us <= e->t_us)
            x->done = x->ok = 1;
        else if (s->first < 0) {   /* later moves are later still */
            s->first = r->t_us;
            x->done = 1;
        }
        break;
    }
    case EXP_STATE_AT:
        if (c->tmax > e->t_us)
            x->done = 1;
        else if (tcp_state && r->conn < tr->nstrs)
            at_feed(x->st, r, first);
        break;
    case EXP_NEVER:
        if (tcp_state && r->u.state.to == e->state) {
            x->done = 1;
            ((struct st_when *)x->st)->first = r->t_us;
        }
        break;
    case EXP_ARP: {
        struct st_when *s = x->st;
        if (r->kind != TK_STATE || r->layer != TL_ARP)
            break;
        /* the entry's id is one interned string: compare it once */
        if (s->id ? r->conn != s->id : strcmp(trace_str(tr, r->conn), s->name))
            break;
        s->id = r->conn;
        if (r->t_us <= e->t_us)
            s->state = r->u.state.to;
        if (r->u.state.to == e->state) {
            if (r->t_us <= e->t_us)
                s->reached = 1;
            else if (s->first < 0)
                s->first = r->t_us;
        }
        break;
    }
    case EXP_RECEIVED:
        if (r->kind == TK_APP && r->u.app.call == AC_RECV && r->u.app.data &&
            (r->layer == TL_TCP || r->layer == TL_HTTP)) {
            if (x->lead < 0) {
                recv_feed(x->st, e, tr, r);
                break;
            }
            /* a follower: does its text still agree?  Its lead keeps
             * the count and the head. */
            struct st_recv *s = x->st;
            size_t n;
            const uint8_t *p = trace_blob_data(tr, r->u.app.data, &n);
            if (n && (s->total + n > e->len || memcmp(e->data + s->total, p, n)))
                s->same = 0, x->done = 1;
            s->total += n;
        }
        break;
    case EXP_RESOLVED: {
        struct st_resolved *s = x->st;
        if (r->kind != TK_APP || r->u.app.call != AC_RESOLVE)
            break;
        if (r->why.id == N_APP_RESOLVED &&
            dns_name_eq(trace_str(tr, (uint32_t)r->why.a[0]), e->name)) {
            s->found = 1;
            s->rcode = 0;
            s->refused = 0;
            s->trunc = 0;
            s->addr = (ip4_addr)r->why.a[1];
        } else if (r->u.app.ret < 0 &&
                   dns_name_eq(trace_str(tr, (uint32_t)r->why.a[0]), e->name)) {
            s->found = 1;
            s->rcode = (int)r->why.a[2];   /* -1 no reply, 0 no address */
            s->addr = 0;
            s->trunc = r->why.id == N_APP_RESOLVE_TRUNC;
            /* `FAILED` is every try timed out: a lookup refused before any
             * try (its rcode -1 too) is not that */
            s->refused = r->why.id == N_APP_RESOLVE_NOSTUB || r->why.id == N_APP_RESOLVE_BADNAME ||
                         r->why.id == N_APP_RESOLVE_BUSY ? r->why.id : 0;
        }
        break;
    }
    case EXP_MESSAGES: case EXP_DATAGRAMS:
        if (r->kind != TK_APP)
            break;
        if (e->kind == EXP_DATAGRAMS ? r->u.app.call != AC_RECV || r->layer != TL_UDP ||
                                       r->u.app.ret < 0 || r->why.id == N_APP_UDP_NONE
                                     : r->u.app.call != AC_MESSAGE)
            break;
        msgs_feed(x->st, e, tr, r);
        /* a follower past its messages: its lead counts the rest */
        x->done = x->lead >= 0 && ((struct st_msgs *)x->st)->i >= e->nmsgs;
        break;
    case EXP_READS:
        if (r->kind == TK_APP && r->u.app.call == AC_RECV && r->u.app.ret > 0 &&
            (r->layer == TL_TCP || r->layer == TL_HTTP))
            ++*(long *)x->st;
        break;
    case EXP_STATES:
        if (tcp_state && r->conn < tr->nstrs)
            states_feed(x->st, e, tr, r);
        break;
    case EXP_TIMER:
        if (r->kind == TK_TIMER && r->conn < tr->nstrs && r->u.timer.name < TM_COUNT &&
            timer_feed(x->st, e, r)) {
            /* the twins' `at` lines this event passes: those at its time hit */
            struct st_timer *s = x->st;
            for (; s->at_lo < s->at_hi && c->x[c->tat[s->at_lo]].e->t_us <= r->t_us; s->at_lo++)
                if (c->x[c->tat[s->at_lo]].e->t_us == r->t_us)
                    ((struct st_timer *)c->x[c->tat[s->at_lo]].st)->at_hit = 1;
        }
        break;
    case EXP_CALL:
        if (r->layer == TL_TCP)
            call_feed(x->st, e, tr, r, NULL, NULL);
        break;
    default:
        break;
    }
}

static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The host named by the n bytes at s, or -1. */
static int host_named(const struct scn_checker *c, const char *s, size_t n)
{
    uint32_t h = name_hash(s, n);
    for (size_t j = h & (c->namecap - 1); c->names[j].host >= 0; j = (j + 1) & (c->namecap - 1)) {
        const char *hn = trace_host_name(c->tr, c->names[j].host);
        if (c->names[j].hash == h && strlen(hn) == n && !memcmp(hn, s, n))
            return c->names[j].host;
    }
    return -1;
}

/* The chain classes (see struct scn_checker). */
enum { CH_PEER, CH_PORT, CH_STATE, CH_CALL, CH_NAME, CH_ARP, CH_AT, CH_FOLLOW };

/* The chain of host's lines of class port keyed by value, or the empty
 * slot where it goes. */
static struct peer_chain *chain_of(const struct scn_checker *c, int host, int port, int value)
{
    size_t m = c->pccap - 1;
    size_t j = (size_t)(((uint64_t)(uint32_t)host << 32 | (uint32_t)value) *
                        0x9e3779b97f4a7c15ULL >> 32 ^ (uint64_t)port) & m;
    while (c->pc[j].host >= 0 &&
           (c->pc[j].host != host || c->pc[j].port != port || c->pc[j].value != value))
        j = (j + 1) & m;
    return &c->pc[j];
}

/* A `state at` line takes its host's state as it is now. */
static void at_take(struct scn_checker *c, struct xexp *x)
{
    struct at_track *a = x->st;
    a->state = c->ats[chain_of(c, x->e->host, CH_AT, 0)->first].state;
    x->done = 1;
}

/* Record r to the lines of a chain that are not decided yet; those it
 * decides leave the chain. */
static void feed_chain(struct scn_checker *c, struct peer_chain *p, const struct trace *tr,
                       const struct trace_rec *r, int first)
{
    for (int *link = &p->first; *link >= 0;) {
        struct xexp *x = &c->x[*link];
        if (!x->done)
            feed(c, x, tr, r, first);
        if (x->done)
            *link = x->pnext;
        else
            link = &x->pnext;
    }
}

/* The ends of TCP state record r's connection: its peer host (-1: none)
 * and local port (-1: the id does not parse), its id parsed once
 * (conn_parts, as conn_selected reads it). */
static struct conn_ends conn_ends(struct scn_checker *c, const struct trace *tr,
                                  const struct trace_rec *r)
{
    if (r->conn >= c->nconn_ends) {
        size_t n = c->nconn_ends ? c->nconn_ends : 64;
        while (n <= r->conn)
            n *= 2;
        c->conn_ends = xreallocarray(c->conn_ends, n, sizeof *c->conn_ends);
        memset(c->conn_ends + c->nconn_ends, 0, (n - c->nconn_ends) * sizeof *c->conn_ends);
        c->nconn_ends = n;
    }
    struct conn_ends *v = &c->conn_ends[r->conn];
    if (!v->lport) {
        unsigned lp, rp;
        const char *peer;
        size_t pl;
        *v = (struct conn_ends){ -1, -1 };
        if (!conn_parts(trace_str(tr, r->conn), trace_host_name(tr, r->host), &lp, &peer,
                        &pl, &rp)) {
            v->lport = (int)lp;
            v->peer = peer ? host_named(c, peer, pl) : -1;
        }
    }
    return *v;
}

void scn_checker_rec(void *ctx, const struct trace *tr, size_t i, const struct trace_rec *r)
{
    struct scn_checker *c = ctx;
    (void)i;
    if (r->t_us > c->tmax)
        c->tmax = r->t_us;
    /* `state at` lines whose time has passed take their host's state as
     * it was (this record is later) */
    for (; c->at_next < c->nat_lines &&
           c->tmax > c->x[c->at_lines[c->at_next]].e->t_us; c->at_next++)
        at_take(c, &c->x[c->at_lines[c->at_next]]);
    int first = 0;
    if (c->seen && r->kind == TK_STATE && r->layer == TL_TCP && r->conn < tr->nstrs)
        first = conn_created(&c->seen, &c->nseen, r->conn, r->u.state.to);
    if (c->frames && r->kind == TK_SEND && !r->u.pkt.dup)
        lang_frames_rec(c->frames, c->x, tr, r);
    if (r->host < 0 || r->host >= c->nhosts)
        return;
    for (int k = c->hoff[r->host]; k < c->hoff[r->host + 1]; k++) {
        struct xexp *x = &c->x[c->hexp[k]];
        if (!x->done)
            feed(c, x, tr, r, first);
    }
    if (!c->pccap)
        return;
    if (r->kind == TK_APP && r->u.app.call == AC_RESOLVE &&
        (r->why.id == N_APP_RESOLVED || r->u.app.ret < 0)) {
        uint32_t h = dns_name_hash(trace_str(tr, (uint32_t)r->why.a[0]));
        feed_chain(c, chain_of(c, r->host, CH_NAME, (int)h), tr, r, first);
    }
    if (c->follow_kinds && r->kind == TK_APP) {
        /* only what moves each follower on: a byte or a message of its
         * text (so it is fed no more often than its text is long) */
        int kind = -1;
        size_t n = 0;
        if (r->u.app.call == AC_MESSAGE)
            kind = EXP_MESSAGES;
        else if (r->u.app.call == AC_RECV && r->layer == TL_UDP && r->u.app.ret >= 0 &&
                 r->why.id != N_APP_UDP_NONE)
            kind = EXP_DATAGRAMS;
        else if (r->u.app.call == AC_RECV && r->u.app.data &&
                 (r->layer == TL_TCP || r->layer == TL_HTTP) &&
                 (trace_blob_data(tr, r->u.app.data, &n), n))
            kind = EXP_RECEIVED;
        if (kind >= 0 && c->follow_kinds >> kind & 1)
            feed_chain(c, chain_of(c, r->host, CH_FOLLOW, kind), tr, r, first);
    }
    if (r->kind == TK_STATE && r->layer == TL_ARP) {
        const char *id = trace_str(tr, r->conn);
        feed_chain(c, chain_of(c, r->host, CH_ARP, (int)name_hash(id, strlen(id))), tr, r,
                   first);
    }
    if (r->layer != TL_TCP)
        return;
    if (c->ngroups && (r->kind == TK_APP ||
                       (r->kind == TK_STATE && r->conn && r->conn < tr->nstrs))) {
        /* a call, or how a pending connect ended */
        struct peer_chain *p = chain_of(c, r->host, CH_CALL,
                                        r->kind == TK_APP ? r->u.app.call : AC_CONNECT);
        if (p->host >= 0 && p->first >= 0) {
            struct call_group *g = &c->groups[p->first];
            call_feed(&g->st, g->e, tr, r, g, c->x);
        }
    }
    if (r->kind != TK_STATE)
        return;
    feed_chain(c, chain_of(c, r->host, CH_STATE, r->u.state.to), tr, r, first);
    if (c->nats && r->conn < tr->nstrs) {
        struct peer_chain *p = chain_of(c, r->host, CH_AT, 0);
        if (p->host >= 0)
            at_feed(&c->ats[p->first], r, first);
    }
    if (c->peer_lines && r->conn < tr->nstrs) {
        struct conn_ends ce = conn_ends(c, tr, r);
        if (ce.peer >= 0)
            feed_chain(c, chain_of(c, r->host, CH_PEER, ce.peer), tr, r, first);
        if (ce.lport >= 0)
            feed_chain(c, chain_of(c, r->host, CH_PORT, ce.lport), tr, r, first);
    }
}

/* Does expectation e go in a chain (see struct scn_checker)?  0: no;
 * else its chain's class and key. */
static int chain_key(const struct scn_expect *e, int nhosts, int *port, int *value)
{
    if (e->host < 0 || e->host >= nhosts)
        return 0;
    if (e->kind == EXP_STATE_BY || e->kind == EXP_NEVER)
        *port = CH_STATE, *value = e->state;
    else if (e->kind == EXP_CALL && e->nth > 0)
        *port = CH_CALL, *value = e->call;
    else if (e->kind == EXP_RESOLVED)
        *port = CH_NAME, *value = (int)dns_name_hash(e->name);
    else if (e->kind == EXP_ARP) {
        char a[20], id[24];
        snprintf(id, sizeof id, "arp:%s", ip4_str(e->addr, a, sizeof a));
        *port = CH_ARP, *value = (int)name_hash(id, strlen(id));
    } else if (e->kind == EXP_STATE_AT)
        *port = CH_AT, *value = 0;
    else if (e->kind != EXP_STATES)
        return 0;
    else if (e->peer >= 0 && e->peer < nhosts)
        *port = CH_PEER, *value = e->peer;
    else if (e->peer < 0 && e->lport)
        *port = CH_PORT, *value = e->lport;
    else
        return 0;
    return 1;
}

/* `state at` lines by time, then in the lines' order (qsort has no
 * context argument in C11: the lines it sorts are here meanwhile). */
static const struct xexp *at_sort_x;

static int cmp_at_line(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    int64_t ti = at_sort_x[i].e->t_us, tj = at_sort_x[j].e->t_us;
    return ti != tj ? (ti > tj) - (ti < tj) : (i > j) - (i < j);
}

static int cmp_gline(const void *a, const void *b)
{
    const struct gline *x = a, *y = b;
    return x->nth != y->nth ? (x->nth > y->nth) - (x->nth < y->nth) : (x->k > y->k) - (x->k < y->k);
}

/* ---- a checker ---------------------------------------------------------------- */

static size_t state_size(int kind)
{
    switch (kind) {
    case EXP_STATE_BY: case EXP_NEVER: case EXP_ARP: return sizeof(struct st_when);
    case EXP_STATE_AT:                               return sizeof(struct at_track);
    case EXP_RECEIVED:                               return sizeof(struct st_recv);
    case EXP_RESOLVED:                               return sizeof(struct st_resolved);
    case EXP_MESSAGES: case EXP_DATAGRAMS:           return sizeof(struct st_msgs);
    case EXP_READS:                                  return sizeof(long);
    case EXP_STATES:                                 return sizeof(struct st_states);
    case EXP_TIMER:                                  return sizeof(struct st_timer);
    case EXP_CALL:                                   return sizeof(struct st_call);
    default:                                         return 0;    /* expect_frames.c */
    }
}

/* The chains of c's lines (c->pccap of them, counted) in the lines'
 * order, marking those in one in chained; a `CALL #N` line alone with its
 * host and call is left to its host's list. */
static void build_chains(struct scn_checker *c, uint8_t *chained)
{
    size_t n = c->pccap;
    for (c->pccap = 16; c->pccap < 2 * n; c->pccap *= 2)
        ;
    c->pc = xreallocarray(NULL, c->pccap, sizeof *c->pc);
    for (size_t j = 0; j < c->pccap; j++)
        c->pc[j] = (struct peer_chain){ -1, 0, 0, -1 };
    for (int k = c->n; k-- > 0;) {
        int port, value;
        if (!c->x[k].st || !chain_key(c->x[k].e, c->nhosts, &port, &value))
            continue;
        struct peer_chain *p = chain_of(c, c->x[k].e->host, port, value);
        if (p->host < 0)
            *p = (struct peer_chain){ c->x[k].e->host, port, value, -1 };
        c->x[k].pnext = p->first;
        p->first = k;
        chained[k] = 1;
        c->peer_lines |= port == CH_PEER || port == CH_PORT;
    }
    size_t cap = 0;
    for (size_t j = 0; j < c->pccap; j++) {
        struct peer_chain *p = &c->pc[j];
        if (p->host >= 0 && p->port == CH_AT) {
            for (int i = p->first; i >= 0; i = c->x[i].pnext)
                c->nat_lines++;
            c->nats++;
        }
        if (p->host < 0 || p->port != CH_CALL)
            continue;
        int k = p->first;
        if (c->x[k].pnext < 0) {         /* alone */
            chained[k] = 0;
            p->first = -1;
            continue;
        }
        if ((size_t)c->ngroups == cap) {
            cap = cap ? 2 * cap : 16;
            c->groups = xreallocarray(c->groups, cap, sizeof *c->groups);
        }
        struct call_group *g = &c->groups[c->ngroups];
        *g = (struct call_group){ .e = c->x[k].e };
        g->st.bad_idx = SIZE_MAX;
        for (int i = k; i >= 0; i = c->x[i].pnext)
            g->nlines++;
        g->lines = xreallocarray(NULL, g->nlines, sizeof *g->lines);
        g->nlines = 0;
        for (int i = k; i >= 0; i = c->x[i].pnext)
            g->lines[g->nlines++] = (struct gline){ c->x[i].e->nth, i };
        qsort(g->lines, g->nlines, sizeof *g->lines, cmp_gline);
        p->first = c->ngroups++;
    }
    if (c->nats) {
        c->ats = xcalloc((size_t)c->nats, sizeof *c->ats);
        c->at_lines = xreallocarray(NULL, (size_t)c->nat_lines, sizeof *c->at_lines);
        int a = 0, nl = 0;
        for (size_t j = 0; j < c->pccap; j++) {
            struct peer_chain *p = &c->pc[j];
            if (p->host < 0 || p->port != CH_AT)
                continue;
            for (int i = p->first; i >= 0; i = c->x[i].pnext)
                c->at_lines[nl++] = i;
            c->ats[a].state = TCPS_CLOSED;
            p->first = a++;
        }
        at_sort_x = c->x;
        qsort(c->at_lines, (size_t)nl, sizeof *c->at_lines, cmp_at_line);
        at_sort_x = NULL;
    }
    if (!c->peer_lines)
        return;
    for (c->namecap = 16; c->namecap < 2 * (size_t)c->nhosts; c->namecap *= 2)
        ;
    c->names = xreallocarray(NULL, c->namecap, sizeof *c->names);
    for (size_t j = 0; j < c->namecap; j++)
        c->names[j].host = -1;
    for (int h = 0; h < c->nhosts; h++) {
        const char *hn = trace_host_name(c->tr, h);
        uint32_t hh = name_hash(hn, strlen(hn));
        size_t j = hh & (c->namecap - 1);
        while (c->names[j].host >= 0)
            j = (j + 1) & (c->namecap - 1);
        c->names[j] = (struct name_host){ hh, h };
    }
}

/* The lines whose state depends on these fields alone (see feed): equal
 * fields, equal states.  0: a kind that has no twins. */
static int twin_kind(int kind)
{
    return kind == EXP_RECEIVED || kind == EXP_MESSAGES || kind == EXP_DATAGRAMS ||
           kind == EXP_READS || kind == EXP_TIMER || kind == EXP_CALL || kind == EXP_STATES;
}

static uint64_t twin_mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}

static uint64_t twin_hash(const struct scn_expect *e)
{
    uint64_t h = UINT64_C(1469598103934665603);
    h = twin_mix(h, &e->kind, sizeof e->kind);
    h = twin_mix(h, &e->host, sizeof e->host);
    switch (e->kind) {
    case EXP_RECEIVED:
        h = twin_mix(h, &e->len, sizeof e->len);
        return twin_mix(h, e->data, e->len);
    case EXP_MESSAGES: case EXP_DATAGRAMS:
        h = twin_mix(h, &e->nmsgs, sizeof e->nmsgs);
        for (int i = 0; i < e->nmsgs; i++)
            h = twin_mix(twin_mix(h, &e->msg_lens[i], sizeof e->msg_lens[i]), e->msgs[i],
                         e->msg_lens[i]);
        return h;
    case EXP_TIMER:              /* whatever it asks of them (see st_timer) */
        h = twin_mix(h, &e->timer, sizeof e->timer);
        return twin_mix(h, &e->tevent, sizeof e->tevent);
    case EXP_STATES:             /* what it selects, whatever states it names */
        h = twin_mix(h, &e->lport, sizeof e->lport);
        h = twin_mix(h, &e->peer, sizeof e->peer);
        return twin_mix(h, &e->rport, sizeof e->rport);
    case EXP_CALL:               /* `CALL succeeded`, `CALL error "X"` */
        h = twin_mix(h, &e->call, sizeof e->call);
        h = twin_mix(h, &e->nth, sizeof e->nth);
        return twin_mix(h, &e->err, sizeof e->err);
    default:
        return h;
    }
}

static int twin_eq(const struct scn_expect *a, const struct scn_expect *b)
{
    if (a->kind != b->kind || a->host != b->host)
        return 0;
    switch (a->kind) {
    case EXP_RECEIVED:
        return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
    case EXP_MESSAGES: case EXP_DATAGRAMS:
        if (a->nmsgs != b->nmsgs)
            return 0;
        for (int i = 0; i < a->nmsgs; i++)
            if (a->msg_lens[i] != b->msg_lens[i] ||
                (a->msg_lens[i] && memcmp(a->msgs[i], b->msgs[i], a->msg_lens[i])))
                return 0;
        return 1;
    case EXP_TIMER:
        return a->timer == b->timer && a->tevent == b->tevent;
    case EXP_CALL:
        return a->call == b->call && a->nth == b->nth && a->err == b->err;
    case EXP_STATES:
        return a->lport == b->lport && a->peer == b->peer && a->rport == b->rport;
    default:
        return 1;
    }
}

/* Finds each line's twin: an earlier line of a twin kind with the same
 * fields.  The twins are marked in chained (they are fed nothing). */
static void find_twins(struct scn_checker *c, uint8_t *chained)
{
    size_t cap = 16;
    while (cap < 2 * (size_t)c->n)
        cap *= 2;
    int *slot = xreallocarray(NULL, cap, sizeof *slot);
    for (size_t j = 0; j < cap; j++)
        slot[j] = -1;
    int *tail = c->pccap ? xreallocarray(NULL, c->pccap, sizeof *tail) : NULL;
    for (int k = 0; k < c->n; k++) {
        const struct scn_expect *e = c->x[k].e;
        if (!c->x[k].st || chained[k] || !twin_kind(e->kind) || e->host < 0 ||
            e->host >= c->nhosts)
            continue;
        size_t j = (size_t)twin_hash(e) & (cap - 1);
        while (slot[j] >= 0 && !twin_eq(c->x[slot[j]].e, e))
            j = (j + 1) & (cap - 1);
        if (slot[j] >= 0) {
            c->x[k].twin = slot[j];
            chained[k] = 1;
            continue;
        }
        slot[j] = k;
        if (e->kind != EXP_RECEIVED && e->kind != EXP_MESSAGES && e->kind != EXP_DATAGRAMS)
            continue;
        /* the host's first line of this kind leads the others */
        struct peer_chain *p = chain_of(c, e->host, CH_FOLLOW, e->kind);
        if (p->host < 0) {       /* its index, while it has no follower */
            *p = (struct peer_chain){ e->host, CH_FOLLOW, e->kind, -2 - k };
            continue;
        }
        size_t pj = (size_t)(p - c->pc);
        int l = p->first <= -2 ? -2 - p->first : c->x[p->first].lead;
        c->x[k].lead = l;
        if (e->kind == EXP_RECEIVED)
            ((struct st_recv *)c->x[l].st)->keep = 1;
        c->follow_kinds |= 1u << e->kind;
        chained[k] = 1;
        if (p->first <= -2)      /* the followers in the lines' order */
            p->first = k;
        else
            c->x[tail[pj]].pnext = k;
        tail[pj] = k;
    }
    free(slot);
    free(tail);
    /* chains with a lead and no follower are none */
    for (size_t j = 0; j < c->pccap; j++)
        if (c->pc[j].host >= 0 && c->pc[j].port == CH_FOLLOW && c->pc[j].first <= -2)
            c->pc[j].first = -1;
}

/* `timer ... at T` twins by their first line, then T, then line */
static const struct xexp *tat_sort_x;

static int cmp_tat(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    const struct xexp *x = tat_sort_x;
    int64_t ti = x[i].e->t_us, tj = x[j].e->t_us;
    return x[i].twin != x[j].twin ? (x[i].twin > x[j].twin) - (x[i].twin < x[j].twin)
         : ti != tj ? (ti > tj) - (ti < tj) : (i > j) - (i < j);
}

/* Lists the `timer ... at T` twins in c->tat, each first line's together
 * and by T, and gives each first line its range (st_timer.at_lo/at_hi). */
static void timer_at_twins(struct scn_checker *c)
{
    int n = 0;
    for (int k = 0; k < c->n; k++)
        n += c->x[k].twin >= 0 && c->x[k].e->kind == EXP_TIMER && c->x[k].e->twhen == WHEN_AT;
    if (!n)
        return;
    c->tat = xreallocarray(NULL, (size_t)n, sizeof *c->tat);
    n = 0;
    for (int k = 0; k < c->n; k++)
        if (c->x[k].twin >= 0 && c->x[k].e->kind == EXP_TIMER && c->x[k].e->twhen == WHEN_AT)
            c->tat[n++] = k;
    tat_sort_x = c->x;
    qsort(c->tat, (size_t)n, sizeof *c->tat, cmp_tat);
    tat_sort_x = NULL;
    for (int i = 0; i < n;) {
        struct st_timer *s = c->x[c->x[c->tat[i]].twin].st;
        s->at_lo = i;
        while (i < n && c->x[c->tat[i]].twin == c->x[c->tat[s->at_lo]].twin)
            i++;
        s->at_hi = i;
    }
}

struct scn_checker *scn_checker_new(const struct scenario *scn, const struct trace *tr)
{
    struct scn_checker *c = xcalloc(1, sizeof *c);
    c->scn = scn;
    c->tr = tr;
    c->n = scn->nexpects;
    c->nhosts = tr->nhosts;
    c->tmax = INT64_MIN;
    c->x = xcalloc(c->n ? (size_t)c->n : 1, sizeof *c->x);
    c->hoff = xcalloc((size_t)c->nhosts + 1, sizeof *c->hoff);
    for (int k = 0; k < c->n; k++) {
        const struct scn_expect *e = &scn->expects[k];
        struct xexp *x = &c->x[k];
        x->e = e;
        x->pat = x->next = x->pnext = x->twin = x->lead = -1;
        size_t sz = state_size(e->kind);
        if (!sz)
            continue;
        x->st = xcalloc(1, sz);
        int port, value;
        c->pccap += (size_t)chain_key(e, c->nhosts, &port, &value);
        /* and room for a CH_FOLLOW chain (find_twins) */
        c->pccap += e->kind == EXP_RECEIVED || e->kind == EXP_MESSAGES ||
                    e->kind == EXP_DATAGRAMS;
        switch (e->kind) {
        case EXP_STATE_BY: case EXP_NEVER: case EXP_ARP: {
            struct st_when *s = x->st;
            char a[20];
            s->first = -1;
            s->state = ARP_NONE;
            snprintf(s->name, sizeof s->name, "arp:%s", ip4_str(e->addr, a, sizeof a));
            break;
        }
        case EXP_STATE_AT:
            ((struct at_track *)x->st)->state = TCPS_CLOSED;
            if (!c->seen) {
                c->nseen = 64;
                c->seen = xcalloc(c->nseen, 1);
            }
            break;
        case EXP_RECEIVED: ((struct st_recv *)x->st)->same = 1; break;
        case EXP_MESSAGES: case EXP_DATAGRAMS: ((struct st_msgs *)x->st)->ok = 1; break;
        case EXP_CALL: ((struct st_call *)x->st)->bad_idx = SIZE_MAX; break;
        case EXP_TIMER: ((struct st_timer *)x->st)->first = -1; break;
        default: break;
        }
    }
    uint8_t *chained = xcalloc(c->n ? (size_t)c->n : 1, 1);
    if (c->pccap)
        build_chains(c, chained);
    find_twins(c, chained);
    timer_at_twins(c);
    for (int k = 0; k < c->n; k++) {
        int h = c->x[k].e->host;
        if (c->x[k].st && h >= 0 && h < c->nhosts && !chained[k])
            c->hoff[h + 1]++;
    }
    for (int h = 0; h < c->nhosts; h++)
        c->hoff[h + 1] += c->hoff[h];
    c->hexp = xreallocarray(NULL, (size_t)c->hoff[c->nhosts] + 1, sizeof *c->hexp);
    int *fill = xreallocarray(NULL, (size_t)c->nhosts + 1, sizeof *fill);
    memcpy(fill, c->hoff, ((size_t)c->nhosts + 1) * sizeof *fill);
    for (int k = 0; k < c->n; k++) {
        int h = c->x[k].e->host;
        if (c->x[k].st && h >= 0 && h < c->nhosts && !chained[k])
            c->hexp[fill[h]++] = k;
    }
    free(fill);
    free(chained);
    c->frames = lang_frames_new(c->x, c->n, c->nhosts);
    return c;
}

/* ---- verdicts ------------------------------------------------------------------ */

static const char *const tevent_words[] = { N_("started"), N_("restarted"), N_("stopped"),
                                             N_("expired") };

static const char *outcome_text(int out, char *buf, size_t n)
{
    if (out == 0)
        snprintf(buf, n, "%s", _("succeeded"));
    else if (out == OUT_PENDING)
        snprintf(buf, n, "%s", _("was still connecting at the end of the run"));
    else if (out == OUT_CLOSED)
        snprintf(buf, n, "%s", _("was closed before the connection was established"));
    else if (out == OUT_WAITING)
        snprintf(buf, n, "%s", _("was still waiting for a connection at the end of the run"));
    else
        snprintf(buf, n, _("failed with \"%s\""), tcp_err_str(out));
    return buf;
}

/* cut: the run was cut short, so a connect still pending and an accept
 * still waiting are not final (a later record could end them): they do
 * not decide `succeeded` (see open_after_cut). */
static int call_result(struct st_call *c, const struct trace *tr, const struct scn_expect *e,
                       size_t calls, int cut, char *actual, size_t n)
{
    /* the connects still pending stay so; in a cut run the first call
     * not ended yet is soft_idx (bad_idx is then the first that failed
     * for good) */
    size_t soft_idx = SIZE_MAX;
    int soft_out = 0;
    for (size_t i = 0; i < c->pcap; i++)
        if (c->p[i].id) {
            call_outcome(c, e, c->p[i].idx, OUT_PENDING, !cut, NULL, NULL);
            if (cut && c->p[i].idx < soft_idx)
                soft_idx = c->p[i].idx, soft_out = OUT_PENDING;
        }
    /* the calls that made no record (accepts still blocked) come after the
     * rest: a waiting accept takes the first connection that completes, so
     * the records are in the order of the calls.  Counting records alone
     * said "server made 1 accept call" of two, and `accept succeeded` held
     * with one still waiting. */
    for (size_t i = c->nouts; i < calls; i++) {
        call_outcome(c, e, i, OUT_WAITING, !cut, NULL, NULL);
        if (cut && i < soft_idx)
            soft_idx = i, soft_out = OUT_WAITING;
    }
    if (calls > c->nouts)
        c->nouts = calls;
    const char *hn = trace_host_name(tr, e->host), *cn = app_call_name(e->call);
    char ord[24], got[128];
    int ok;
    if (e->nth) {
        ok = (size_t)e->nth <= c->nouts && c->nth_out == e->err;
        if ((size_t)e->nth > c->nouts)
            snprintf(actual, n, P_("%s made %zu %s call", "%s made %zu %s calls", c->nouts),
                     hn, c->nouts, cn);
        else if (!ok)
            snprintf(actual, n, _("%s's %s %s %s"), hn, lang_ordinal(e->nth, ord, sizeof ord), cn,
                     outcome_text(c->nth_out, got, sizeof got));
        return ok;
    }
    /* `succeeded`: every call; `error "X"`: some call */
    ok = c->nouts && (e->err ? c->found : c->bad_idx == SIZE_MAX && soft_idx == SIZE_MAX);
    /* the call that failed for good, else the first not ended yet */
    size_t bi = c->bad_idx != SIZE_MAX ? c->bad_idx : soft_idx;
    int bo = c->bad_idx != SIZE_MAX ? c->bad_out : soft_out;
    if (!c->nouts)
        snprintf(actual, n, _("%s made no %s call"), hn, cn);
    else if (!ok && !e->err)
        snprintf(actual, n, _("%s's %s %s %s"), hn, lang_ordinal((long)bi + 1, ord, sizeof ord),
                 cn, outcome_text(bo, got, sizeof got));
    else if (!ok) {
        size_t pos = (size_t)snprintf(actual, n, _("no %s by %s failed that way:"), cn, hn);
        for (size_t j = 0; j < c->nouts && j < 4 && pos < n; j++)
            pos += (size_t)snprintf(actual + pos, n - pos, _("%s the %s %s"), j ? ";" : "",
                                    lang_ordinal((long)j + 1, ord, sizeof ord),
                                    outcome_text(c->head[j], got, sizeof got));
    }
    return ok;
}

/* Which of a `states` line's connections it reads: `on port 80` alone
 * names the listening socket among several; with no `on port` and no peer
 * the host must have one connection (a listener and the connections it
 * accepted are two or more: picking the listener made `expect server
 * states CLOSED LISTEN` hold on a server that served).  -1: none, or more
 * than one such connection. */
static int states_pick(const struct st_states *s, const struct scn_expect *e)
{
    if (s->nconns > 1 && s->listeners == 1 && e->peer < 0 && e->lport)
        return s->listener_at;
    return s->nconns == 1 && !s->beyond ? 0 : -1;
}

static int states_result(struct st_states *s, const struct trace *tr,
                         const struct scn_expect *e, char *actual, size_t n)
{
    const char *hn = trace_host_name(tr, e->host);
    int pick = states_pick(s, e);
    if (pick < 0) {
        if (!s->nconns) {
            snprintf(actual, n, _("%s had no such connection"), hn);
            return 0;
        }
        size_t pos = s->beyond
            ? (size_t)snprintf(actual, n, _("%s had more than %d such connections ("), hn,
                               s->nconns)
            : (size_t)snprintf(actual, n, _("%s had %d such connections ("), hn, s->nconns);
        for (int i = 0; i < s->nconns && pos < n; i++)
            pos += (size_t)snprintf(actual + pos, n - pos, "%s%s", i ? ", " : "",
                                    trace_str(tr, s->conns[i]));
        if (s->beyond && pos < n)
            pos += (size_t)snprintf(actual + pos, n - pos, ", ...");
        if (pos < n)
            snprintf(actual + pos, n - pos, "%s", _("); name one with on port N or with PEER port N"));
        return 0;
    }
    const uint8_t *h = st_hist_of(s, pick);
    int over = s->over >> pick & 1;
    int ok = !over && s->nh[pick] == e->nstates &&
             !memcmp(h, e->states, (size_t)e->nstates);
    if (!ok) {
        size_t pos = (size_t)snprintf(actual, n, _("%s went"), trace_str(tr, s->conns[pick]));
        for (int i = 0; i < s->nh[pick] && pos < n; i++)
            pos += (size_t)snprintf(actual + pos, n - pos, " %s", tcp_state_name(h[i]));
        if (over && pos < n)
            snprintf(actual + pos, n - pos, " ...");
    }
    return ok;
}

/* cut: when the run was cut short by a limit, -1 if it was not: a line
 * decided before the cut (`by`, `at` a time before it) says what had not
 * happened by the cut, not that it never did (what came after is not known) */
static int timer_result(const struct st_timer *s, const struct trace *tr,
                        const struct scn_expect *e, int64_t cut, char *actual, size_t n)
{
    int ok = e->twhen == WHEN_COUNT ? s->count == e->count
           : e->twhen == WHEN_BY ? s->first >= 0 && s->first <= e->t_us
           : e->twhen == WHEN_AT ? s->at_hit : s->count > 0;
    if (!ok) {
        const char *hn = trace_host_name(tr, e->host), *tn = timer_name_str(e->timer);
        char d[32];
        if (!s->count && cut >= 0 && e->twhen != WHEN_COUNT && e->twhen != WHEN_ANY)
            snprintf(actual, n, _("%s's %s timer had not %s when the run was cut short at %s"),
                     hn, tn, _(tevent_words[e->tevent]), fmt_duration(cut, d, sizeof d));
        else if (!s->count)
            snprintf(actual, n, _("%s's %s timer never %s"), hn, tn, _(tevent_words[e->tevent]));
        else
            snprintf(actual, n, P_("%s's %s timer %s %ld time, at %s",
                                   "%s's %s timer %s %ld times, at %s", (unsigned long)s->count),
                     hn, tn, _(tevent_words[e->tevent]), s->count, s->times);
    }
    return ok;
}

static int recv_result(const struct st_recv *s, const struct scn_expect *e,
                       char *actual, size_t n)
{
    if (s->same && s->total == e->len)
        return 1;
    const uint8_t *all = s->same ? e->data : s->head;
    size_t have = s->same ? s->total : s->nhead;
    size_t pos = (size_t)snprintf(actual, n, P_("it read %zu byte: \"", "it read %zu bytes: \"",
                                                s->total), s->total);
    for (size_t k = 0; k < have && pos + 8 < n; k++) {
        uint8_t ch = all[k];
        if (ch >= 32 && ch < 127 && ch != '"' && ch != '\\')
            actual[pos++] = (char)ch;
        else
            pos += (size_t)snprintf(actual + pos, n - pos, "\\x%02x", ch);
    }
    snprintf(actual + pos, n - pos, "\"");
    return 0;
}

static int arp_result(const struct st_when *s, const struct scn_expect *e, int64_t cut,
                      char *actual, size_t n)
{
    char d[32];
    if (e->when == 0) {
        if (!s->reached && s->first < 0 && cut >= 0)   /* see timer_result */
            snprintf(actual, n, _("it had not become %s when the run was cut short at %s"),
                     arp_state_name(e->state), fmt_duration(cut, d, sizeof d));
        else if (!s->reached)
            snprintf(actual, n, s->first >= 0 ? _("it became %s only at %s")
                                              : _("it never became %s%s"),
                     arp_state_name(e->state),
                     s->first >= 0 ? fmt_duration(s->first, d, sizeof d) : "");
        return s->reached;
    }
    if (s->state != e->state)
        snprintf(actual, n, _("it was %s at %s"), arp_state_name(s->state),
                 fmt_duration(e->t_us, d, sizeof d));
    return s->state == e->state;
}

static int resolved_result(const struct st_resolved *s, const struct scn_expect *e,
                           char *actual, size_t n)
{
    char a[20];
    if (!s->found) {
        snprintf(actual, n, _("it never got an answer for %s"), e->name);
        return 0;
    }
    int ok = !s->refused && !s->trunc && s->rcode == e->rcode &&
             (e->rcode != 0 || s->addr == e->addr);
    if (!ok) {
        if (s->refused)
            snprintf(actual, n, "%s",
                     s->refused == N_APP_RESOLVE_NOSTUB
                         ? _("the lookup was refused at once: the host has no DNS server")
                     : s->refused == N_APP_RESOLVE_BADNAME
                         ? _("the lookup was refused at once: not a valid DNS name")
                         : _("the lookup was refused at once: too many lookups in progress"));
        else if (s->trunc)
            snprintf(actual, n, "%s", _("it got a truncated reply (TC=1), which the stub does not use"));
        else if (s->rcode == 0 && s->addr)
            snprintf(actual, n, _("it got %s"), ip4_str(s->addr, a, sizeof a));
        else
            snprintf(actual, n, _("it got %s"), s->rcode == 3 ? "NXDOMAIN"
                     : s->rcode == 2 ? "SERVFAIL" : s->rcode < 0 ? _("no answer")
                     : _("no address"));
    }
    return ok;
}

/* Did the run reach an action at t_us (all of them, unless cut short)? */
static int action_ran(const struct scn_checker *c, int64_t t_us)
{
    return !c->cut || t_us < c->cut_us || (t_us == c->cut_us && c->cut_whole);
}

/* The `accept` calls host h made: its accept actions the run reached
 * (counted once, at the end, over the lesson's actions). */
static size_t accepts_made(struct scn_checker *c, int h)
{
    if (!c->accepts) {
        c->accepts = xcalloc((size_t)c->nhosts + 1, sizeof *c->accepts);
        for (int i = 0; i < c->scn->nactions; i++) {
            const struct scn_action *a = &c->scn->actions[i];
            if (a->kind == ACT_ACCEPT && a->host >= 0 && a->host < c->nhosts &&
                action_ran(c, a->t_us))
                c->accepts[a->host]++;
        }
    }
    return h >= 0 && h < c->nhosts ? c->accepts[h] : 0;
}

/* Expectation x's verdict at the end of the run; what the trace had in
 * actual when it fails. */
static int result(struct scn_checker *c, struct xexp *x, char *actual, size_t n)
{
    const struct trace *tr = c->tr;
    const struct scn_expect *e = x->e;
    char d[32];
    switch (e->kind) {
    case EXP_STATE_BY: {
        const struct st_when *s = x->st;
        if (x->ok)
            return 1;
        if (s->first >= 0)
            snprintf(actual, n, _("it entered %s only at %s"), tcp_state_name(e->state),
                     fmt_duration(s->first, d, sizeof d));
        else
            /* see timer_result */
            snprintf(actual, n, c->cut ? _("it had not entered %s when the run was cut short at %s")
                                       : _("it never entered %s"),
                     tcp_state_name(e->state), fmt_duration(c->cut_us, d, sizeof d));
        return 0;
    }
    case EXP_STATE_AT: {
        int st = ((const struct at_track *)x->st)->state;
        if (st != e->state)
            snprintf(actual, n, _("it was %s at %s"), tcp_state_name(st),
                     fmt_duration(e->t_us, d, sizeof d));
        return st == e->state;
    }
    case EXP_NEVER:
        if (x->done)
            snprintf(actual, n, _("it entered %s at %s"), tcp_state_name(e->state),
                     fmt_duration(((const struct st_when *)x->st)->first, d, sizeof d));
        return !x->done;
    case EXP_RECEIVED: return recv_result(x->st, e, actual, n);
    case EXP_ARP:      return arp_result(x->st, e, c->cut ? c->cut_us : -1, actual, n);
    case EXP_RESOLVED: return resolved_result(x->st, e, actual, n);
    case EXP_MESSAGES: case EXP_DATAGRAMS: {
        const struct st_msgs *s = x->st;
        if (!s->ok)
            snprintf(actual, n, "%s", s->last);
        else if (s->i != e->nmsgs)
            snprintf(actual, n, e->kind == EXP_DATAGRAMS
                     ? P_("it read %ld datagram", "it read %ld datagrams", (unsigned long)s->i)
                     : P_("it recovered %ld message", "it recovered %ld messages",
                          (unsigned long)s->i), s->i);
        return s->ok && s->i == e->nmsgs;
    }
    case EXP_READS: {
        long reads = *(const long *)x->st;
        if (reads != e->count)
            snprintf(actual, n, P_("%ld read returned data", "%ld reads returned data",
                                   (unsigned long)reads), reads);
        return reads == e->count;
    }
    case EXP_STATES: return states_result(x->st, tr, e, actual, n);
    case EXP_TIMER:  return timer_result(x->st, tr, e, c->cut ? c->cut_us : -1, actual, n);
    case EXP_CALL:
        return call_result(x->st, tr, e, e->call == AC_ACCEPT ? accepts_made(c, e->host) : 0,
                           c->cut, actual, n);
    default:         return lang_frames_result(c->frames, tr, x, actual, n);
    }
}

void scn_checker_cut(struct scn_checker *c, int64_t t_us, int instant_done)
{
    c->cut = 1;
    c->cut_us = t_us;
    c->cut_whole = instant_done;
}

/* Was x's verdict left open by a run cut short before the time x names?
 * A line about a time the run never reached (`state at 20s`, `by 20s`
 * not met yet, timer and ARP alike) cannot be checked: its state would be
 * read as it was where the run stopped, and "it was TIME_WAIT at 1m40s"
 * said of a run that stopped at 5s. */
static int beyond_cut(const struct scn_checker *c, const struct xexp *x)
{
    const struct scn_expect *e = x->e;
    if (!c->cut || e->t_us < c->cut_us || (e->t_us == c->cut_us && c->cut_whole))
        return 0;
    switch (e->kind) {
    case EXP_STATE_BY: return !x->ok;
    case EXP_STATE_AT: return 1;
    case EXP_ARP:      return e->when != 0 || !((const struct st_when *)x->st)->reached;
    case EXP_TIMER: {
        const struct st_timer *t = x->st;
        return e->twhen == WHEN_BY ? !(t->first >= 0 && t->first <= e->t_us)
             : e->twhen == WHEN_AT ? !t->at_hit : 0;
    }
    default:           return 0;
    }
}

/* Could the rest of a run cut short still change x's verdict ok (as
 * result() gave it)?  The records after the cut can only add to what each
 * form has seen: more moves, bytes, frames, calls and timer events, never
 * fewer.  So a verdict that more records cannot undo is given as it is (a
 * `never` whose state was entered, a count already past N, a `#N` frame
 * already sent, a call that failed for good), and one they could change is
 * not checked: "2 of 2 expectations hold" was said of a run cut at 5s whose
 * `client never CLOSED` is broken at 60.41s.  Lines about a time are
 * beyond_cut's. */
static int open_after_cut(const struct scn_checker *c, const struct xexp *x, int ok)
{
    const struct scn_expect *e = x->e;
    switch (e->kind) {
    case EXP_STATE_BY: case EXP_STATE_AT: case EXP_ARP:
        return 0;                /* decided by the time they name */
    case EXP_NEVER:
        return !x->done;         /* entered: broken for good */
    case EXP_RECEIVED: {
        /* more reads only append: bytes that are no prefix of the text
         * stay so */
        const struct st_recv *s = x->st;
        return ok || (s->same && s->total <= e->len);
    }
    case EXP_RESOLVED:
        return 1;                /* the last answer counts: a later lookup may change it */
    case EXP_MESSAGES: case EXP_DATAGRAMS: {
        const struct st_msgs *s = x->st;
        return s->ok && s->i <= e->nmsgs;
    }
    case EXP_READS:
        return *(const long *)x->st <= e->count;
    case EXP_STATES: {
        const struct st_states *s = x->st;
        if (ok || !s->nconns)
            return 1;
        /* `on port P` alone picks the listener among several connections:
         * one may still come */
        if (e->lport && e->peer < 0 && !s->listeners)
            return 1;
        int pick = states_pick(s, e);
        if (pick < 0)
            return 0;            /* more than one such connection: for good */
        /* its history only grows: open while it is a start of the text */
        int nh = s->nh[pick];
        return !(s->over >> pick & 1) && nh < e->nstates &&
               !memcmp(pick ? s->more[pick - 1] : s->first, e->states, (size_t)nh);
    }
    case EXP_TIMER: {
        const struct st_timer *t = x->st;
        return e->twhen == WHEN_COUNT ? t->count <= e->count
             : e->twhen == WHEN_ANY ? !t->count : 0;
    }
    case EXP_CALL: {
        const struct st_call *s = x->st;
        if (e->nth)
            return (size_t)e->nth > s->nouts || s->nth_out == OUT_PENDING ||
                   s->nth_out == OUT_WAITING;
        return e->err ? !s->found : s->bad_idx == SIZE_MAX;
    }
    default:
        return lang_frames_open(c->frames, x);
    }
}

/* Does x's failure (decided, in a run cut short) quote what the run had
 * gathered until then: a count, the bytes read, a history, the timer's
 * events?  The rest of the run could add to them ("stopped 5 times" of a
 * timer that stops a 6th time at 11.02s, in a run cut at 10.5s), so the
 * message says they are the cut's. */
static int quotes_so_far(const struct xexp *x)
{
    switch (x->e->kind) {
    case EXP_COUNT: case EXP_QUERIES: case EXP_READS: case EXP_RECEIVED: case EXP_STATES:
        return 1;
    case EXP_MESSAGES: case EXP_DATAGRAMS:   /* too many; else one that differed */
        return ((const struct st_msgs *)x->st)->ok;
    case EXP_TIMER:                          /* none: timer_result says so of the cut */
        return ((const struct st_timer *)x->st)->count > 0;
    default:
        return 0;
    }
}

static void add_msg(char ***out, int *nout, const char *msg)
{
    if (!out)
        return;
    /* the array doubles (16, 32, 64, ...): growing it by one for each of
     * 40000 failures copied it 40000 times (1.5 GB under AddressSanitizer) */
    int k = *nout;
    if (k == 0 || (k >= 16 && (k & (k - 1)) == 0)) {
        *out = xreallocarray(*out, (size_t)(k ? 2 * k : 16), sizeof **out);
    }
    (*out)[(*nout)++] = xstrdup(msg);
}

int scn_checker_finish(struct scn_checker *c, char ***out, int *nout)
{
    return scn_checker_finish_cut(c, out, nout, NULL);
}

int scn_checker_finish_cut(struct scn_checker *c, char ***out, int *nout,
                           int *unchecked)
{
    int failures = 0, nunchecked = 0;
    char msg[2048];
    for (int i = 0; i < c->ngroups; i++) {
        /* the connects still pending stay so; each line's count is the
         * group's */
        struct call_group *g = &c->groups[i];
        for (size_t j = 0; j < g->st.pcap; j++)
            if (g->st.p[j].id)
                call_outcome(&g->st, g->e, g->st.p[j].idx, OUT_PENDING, 1, g, c->x);
        for (size_t j = 0; j < g->nlines; j++)
            ((struct st_call *)c->x[g->lines[j].k].st)->nouts = g->st.nouts;
        free(g->st.p);
        free(g->lines);
    }
    free(c->groups);
    for (; c->at_next < c->nat_lines; c->at_next++)
        at_take(c, &c->x[c->at_lines[c->at_next]]);
    free(c->ats);
    free(c->at_lines);
    /* a follower's count and head are its lead's (its twins read them
     * from it: resolved first) */
    for (int k = 0; k < c->n; k++) {
        struct xexp *x = &c->x[k];
        if (x->lead < 0)
            continue;
        if (x->e->kind == EXP_RECEIVED) {
            struct st_recv *s = x->st, *l = c->x[x->lead].st;
            s->total = l->total;
            s->head = l->head;   /* borrowed: keep says so */
            s->nhead = l->nhead;
            s->keep = -1;
        } else {
            ((struct st_msgs *)x->st)->i = ((const struct st_msgs *)c->x[x->lead].st)->i;
        }
    }
    for (int k = 0; k < c->n; k++) {
        struct xexp *x = &c->x[k];
        char actual[1024] = "";
        /* a twin's verdict: its own line read from its twin's state */
        struct xexp tw;
        struct st_timer ts;
        if (x->twin >= 0) {
            tw = c->x[x->twin];
            tw.e = x->e;
            if (x->e->kind == EXP_TIMER) {     /* its own at_hit */
                ts = *(const struct st_timer *)tw.st;
                ts.at_hit = ((const struct st_timer *)x->st)->at_hit;
                tw.st = &ts;
            }
        }
        if (beyond_cut(c, x->twin >= 0 ? &tw : x)) {
            char at[32];
            failures++;
            nunchecked++;
            /* a limit other than --max-time stops in the middle of an
             * instant: a line about that instant is not "before" it */
            snprintf(msg, sizeof msg,
                     x->e->t_us > c->cut_us
                         ? _("%s:%d: expectation not checked: %s (the run was cut short at %s, "
                             "before the time it names)")
                         : _("%s:%d: expectation not checked: %s (the run was cut short at %s, "
                             "before that instant's events had all run)"),
                     c->scn->path, x->e->line, x->e->src_text ? x->e->src_text : "?",
                     fmt_duration(c->cut_us, at, sizeof at));
            add_msg(out, nout, msg);
            continue;
        }
        int ok = result(c, x->twin >= 0 ? &tw : x, actual, sizeof actual);
        if (c->cut && open_after_cut(c, x->twin >= 0 ? &tw : x, ok)) {
            char at[32];
            failures++;
            nunchecked++;
            fmt_duration(c->cut_us, at, sizeof at);
            if (ok)
                snprintf(msg, sizeof msg,
                         _("%s:%d: expectation not checked: %s (it held until the run was cut "
                           "short at %s, and the rest of the run could still break it)"),
                         c->scn->path, x->e->line,
                         x->e->src_text ? x->e->src_text : "?", at);
            else
                snprintf(msg, sizeof msg,
                         _("%s:%d: expectation not checked: %s (the run was cut short at %s, "
                           "and the rest of the run could still make it hold; until then, %s)"),
                         c->scn->path, x->e->line,
                         x->e->src_text ? x->e->src_text : "?", at, actual);
            add_msg(out, nout, msg);
        } else if (!ok && c->cut && quotes_so_far(x->twin >= 0 ? &tw : x)) {
            char at[32];
            failures++;
            snprintf(msg, sizeof msg,
                     _("%s:%d: expectation failed: %s (until the run was cut short at %s, %s)"),
                     c->scn->path, x->e->line, x->e->src_text ? x->e->src_text : "?",
                     fmt_duration(c->cut_us, at, sizeof at), actual);
            add_msg(out, nout, msg);
        } else if (!ok) {
            failures++;
            snprintf(msg, sizeof msg, _("%s:%d: expectation failed: %s (%s)"), c->scn->path,
                     x->e->line, x->e->src_text ? x->e->src_text : "?", actual);
            add_msg(out, nout, msg);
        }
    }
    for (int k = 0; k < c->n; k++) {
        struct xexp *x = &c->x[k];
        if (x->e->kind == EXP_RECEIVED && ((struct st_recv *)x->st)->keep >= 0)
            free(((struct st_recv *)x->st)->head);
        if (x->e->kind == EXP_CALL)
            free(((struct st_call *)x->st)->p);
        if (x->e->kind == EXP_STATES)
            free(((struct st_states *)x->st)->more);
        free(x->st);
        free(x->fail);
    }
    lang_frames_free(c->frames);
    free(c->x);
    free(c->hoff);
    free(c->hexp);
    free(c->pc);
    free(c->names);
    free(c->conn_ends);
    free(c->accepts);
    free(c->seen);
    free(c->tat);
    free(c);
    if (unchecked)
        *unchecked = nunchecked;
    return failures;
}

int scn_check(const struct sim *s, char ***out, int *nout)
{
    struct scn_checker *c = scn_checker_new(s->scn, &s->tr);
    for (size_t i = s->tr.first; i < s->tr.n; i++)
        scn_checker_rec(c, &s->tr, i, trace_rec(&s->tr, i));
    return scn_checker_finish(c, out, nout);
}
