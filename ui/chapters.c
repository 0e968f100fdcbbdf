/* chapters.c — a lesson's chapters as record ranges: its `chapter` lines, or one per protocol phase (the rule is in chapters.h). */
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "chapters.h"
#include "i18n.h"
#include "scenario.h"
#include "summary.h"
#include "tcp.h"
#include "wire.h"

static const char *const phase_names[CH_COUNT] = {
#define X(id, name, title) name,
    CHAPTER_PHASES(X)
#undef X
};
static const char *const phase_titles[CH_COUNT] = {
#define X(id, name, title) title,
    CHAPTER_PHASES(X)
#undef X
};

#define QUIET_US INT64_C(1000000)      /* ARP opens a chapter after this */

enum { FAM_ARP = 1, FAM_DNS = 2, FAM_TCP = 4 };

void chapters_begin(struct chapters *c, const struct scenario *scn)
{
    memset(c, 0, sizeof *c);
    c->scn = scn;
}

void chapters_free(struct chapters *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}

static struct chapter *start(struct chapters *c, size_t i, int64_t t, int phase)
{
    if (c->n && c->v[c->n - 1].first == i)
        c->n--;                 /* the one before is empty: this one wins */
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
    }
    struct chapter *ch = &c->v[c->n++];
    memset(ch, 0, sizeof *ch);
    ch->first = i;
    ch->last = i;
    ch->t_us = t;
    ch->phase = phase;
    return ch;
}

/* A sent frame's phase (CH_LESSON: none) and protocol family; given:
 * the frame decoded, or NULL. */
static int send_phase(const struct trace *tr, const struct trace_rec *r, int *fam,
                      const struct frame *given)
{
    struct frame dec;
    const struct frame *f = given ? given : &dec;
    if (!given) {
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        char err[64];
        if (!p || frame_decode_fields(p, len, &dec, err, sizeof err) != 0)
            return CH_LESSON;
    }
    int top = packet_top(f);
    if (top == TL_ARP) {
        *fam = FAM_ARP;
        return CH_ARP;
    }
    if (f->has_ip && trace_host_by_addr(tr, f->ip.src) != r->host)
        return CH_LESSON;       /* a router passing a packet on */
    if (top == TL_DNS) {
        *fam = FAM_DNS;
        return CH_DNS;
    }
    if (!f->has_ip || f->l4 != IPPROTO_TCP_NUM)
        return CH_LESSON;
    if (trace_host_by_addr(tr, f->ip.src) != r->host)
        return CH_LESSON;       /* a router passing a segment on */
    *fam = FAM_TCP;
    if (f->tcp.flags & TCP_SYN)
        return CH_TCP_OPEN;
    if (f->tcp.flags & (TCP_FIN | TCP_RST))
        return CH_TCP_CLOSE;
    if (f->payload_len)
        return top == TL_HTTP ? CH_HTTP : CH_TCP_DATA;
    return CH_LESSON;
}

/* Record r's phase by the rule of chapters.h; CH_LESSON: none. */
static int rec_phase(const struct trace *tr, const struct trace_rec *r, int *fam,
                     const struct frame *f)
{
    *fam = 0;
    switch (r->kind) {
    case TK_SEND:
        return r->u.pkt.dup ? CH_LESSON : send_phase(tr, r, fam, f);
    case TK_STATE:
        if (r->layer == TL_ARP) {
            *fam = FAM_ARP;
            return CH_ARP;
        }
        if (r->layer != TL_TCP)
            return CH_LESSON;
        *fam = FAM_TCP;
        switch (r->u.state.to) {
        case TCPS_SYN_SENT: case TCPS_SYN_RECEIVED:
            return CH_TCP_OPEN;
        case TCPS_FIN_WAIT_1: case TCPS_FIN_WAIT_2: case TCPS_CLOSING:
        case TCPS_TIME_WAIT: case TCPS_CLOSE_WAIT: case TCPS_LAST_ACK:
            return CH_TCP_CLOSE;
        case TCPS_CLOSED:
            /* the end of a close (TIME_WAIT's 2 x MSL out, the last ACK
             * in): a minute later, after other phases, it is not theirs */
            switch (r->u.state.from) {
            case TCPS_TIME_WAIT: case TCPS_LAST_ACK: case TCPS_CLOSING:
            case TCPS_FIN_WAIT_1: case TCPS_FIN_WAIT_2: case TCPS_CLOSE_WAIT:
                return CH_TCP_CLOSE;
            default:
                return CH_LESSON;
            }
        default:
            return CH_LESSON;
        }
    case TK_APP:
        if (r->layer != TL_TCP && r->layer != TL_HTTP)
            return CH_LESSON;
        switch (r->u.app.call) {
        case AC_CONNECT:
            return r->layer == TL_TCP ? CH_TCP_OPEN : CH_LESSON;
        case AC_SEND:
            return r->u.app.ret > 0 ? (r->layer == TL_HTTP ? CH_HTTP : CH_TCP_DATA)
                                    : CH_LESSON;
        case AC_CLOSE: case AC_SHUTDOWN: case AC_ABORT:
            return CH_TCP_CLOSE;
        default:
            return CH_LESSON;
        }
    default:
        return CH_LESSON;
    }
}

void chapters_rec(struct chapters *c, const struct trace *tr, size_t i,
                  const struct trace_rec *r)
{
    chapters_rec_frame(c, tr, i, r, NULL);
}

void chapters_rec_frame(struct chapters *c, const struct trace *tr, size_t i,
                        const struct trace_rec *r, const struct frame *f)
{
    const struct scenario *scn = c->scn;
    if (c->nrecs == 0 || r->t_us - c->last_t >= QUIET_US) {
        c->busy = 0;            /* a quiet second: nothing under way */
        c->pause_at = i;
        c->pause_t = r->t_us;
    }
    if (c->nrecs == 0)
        c->t0 = r->t_us;
    c->nrecs = i + 1;
    c->last_t = r->t_us;
    if (scn && scn->nchapters) {
        /* the lesson's own: each at the first record at or after its time */
        while (c->next < scn->nchapters && scn->chapters[c->next].t_us <= r->t_us) {
            const struct scn_chapter *sc = &scn->chapters[c->next++];
            struct chapter *ch = start(c, i, r->t_us, CH_LESSON);
            ch->text = sc->text;
            ch->text_zh = sc->text_zh;
        }
        return;
    }
    int fam, ph = rec_phase(tr, r, &fam, f);
    c->families |= fam;
    if (ph == CH_LESSON)
        return;
    int cur = c->n ? c->v[c->n - 1].phase : -1, busy = c->busy;
    c->busy = 1;
    if (ph == cur)
        return;
    if (ph == CH_ARP && c->n && busy)
        return;                 /* a next hop found for the phase under way */
    if (c->n >= CHAPTERS_MAX_DEFAULT) {
        c->crowd = 1;           /* phases by the thousand: no chapters */
        return;
    }
    /* after a quiet second, the chapter starts with the first record after
     * it (a timer that went off, say), not with the first that says its
     * phase */
    if (!busy && c->n)
        start(c, c->pause_at, c->pause_t, ph);
    else
        start(c, i, r->t_us, ph);
}

void chapters_end(struct chapters *c)
{
    if (c->ended)
        return;
    c->ended = 1;
    int lesson = c->scn && c->scn->nchapters;
    int fams = (c->families & 1) + !!(c->families & 2) + !!(c->families & 4);
    if (!lesson && (fams < 2 || c->crowd))
        c->n = 0;               /* one protocol: its phases are the lesson */
    if (!lesson && c->n) {
        c->v[0].first = 0;
        c->v[0].t_us = c->t0;
    }
    for (size_t k = 0; k < c->n; k++)
        c->v[k].last = k + 1 < c->n ? c->v[k + 1].first - 1
                                    : (c->nrecs ? c->nrecs - 1 : 0);
}

void chapters_build(struct chapters *c, const struct trace *tr,
                    const struct scenario *scn)
{
    chapters_begin(c, scn);
    for (size_t i = tr->first; i < tr->n; i++) {
        const struct trace_rec *r = trace_rec(tr, i);
        if (r)
            chapters_rec(c, tr, i, r);
    }
    chapters_end(c);
}

long chapter_of(const struct chapters *c, size_t i)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {           /* the last chapter with first <= i */
        size_t mid = lo + (hi - lo) / 2;
        if (c->v[mid].first <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || i > c->v[lo - 1].last)
        return -1;
    return (long)lo - 1;
}

const char *chapter_title(const struct chapters *c, const struct chapter *ch)
{
    if (ch->phase == CH_LESSON)
        return c->scn ? scn_text(c->scn, ch->text, ch->text_zh)
                      : ch->text ? ch->text : "";
    return _(phase_titles[ch->phase < CH_COUNT ? ch->phase : 0]);
}

const char *chapter_phase_name(int phase)
{
    return phase >= 0 && phase < CH_COUNT ? phase_names[phase] : "?";
}
