/* view.c — the interactive timeline as pure functions: trace index, layout, diagram rows, inspector and state panes, help, search and stepping. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "view.h"
#include "arp.h"
#include "dns.h"
#include "real/real.h"
#include "render.h"
#include "summary.h"
#include "tcp.h"
#include "wire.h"

/* ======================================================================== */
/* Glyphs and cells                                                         */

static const uint32_t glyph_utf8[G_COUNT] = {
#define X(id, u, a) u,
    VIEW_GLYPHS(X)
#undef X
};
static const char glyph_ascii[G_COUNT] = {
#define X(id, u, a) a,
    VIEW_GLYPHS(X)
#undef X
};

uint32_t view_glyph(int g, int utf8)
{
    if (g < 0 || g >= G_COUNT)
        return '?';
    return utf8 ? glyph_utf8[g] : (uint32_t)(unsigned char)glyph_ascii[g];
}

int view_screen_init(struct view_screen *s, int w, int h)
{
    s->w = w > 0 ? w : 0;
    s->h = h > 0 ? h : 0;
    s->cells = calloc((size_t)s->w * (size_t)s->h + 1, sizeof *s->cells);
    if (!s->cells) {
        s->w = s->h = 0;
        return -1;
    }
    view_screen_clear(s);
    return 0;
}

void view_screen_free(struct view_screen *s)
{
    free(s->cells);
    s->cells = NULL;
    s->w = s->h = 0;
}

void view_screen_clear(struct view_screen *s)
{
    size_t n = (size_t)s->w * (size_t)s->h;
    for (size_t i = 0; i < n; i++) {
        s->cells[i].ch = ' ';
        s->cells[i].role = R_NORMAL;
    }
}

/* Decodes one UTF-8 sequence; returns its length (>= 1) and the code point
 * (U+FFFD for a malformed byte). */
static int utf8_next(const char *p, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)p;
    int len;
    uint32_t c;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    } else if ((u[0] & 0xE0) == 0xC0) {
        len = 2; c = u[0] & 0x1F;
    } else if ((u[0] & 0xF0) == 0xE0) {
        len = 3; c = u[0] & 0x0F;
    } else if ((u[0] & 0xF8) == 0xF0) {
        len = 4; c = u[0] & 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    *cp = c;
    return len;
}

static size_t utf8_put(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    } else if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    } else if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Columns a code point takes: 2 for East Asian wide ones, 0 for combining
 * marks, else 1.  A small table, enough for narration in Chinese. */
static int cp_width(uint32_t c)
{
    if (c >= 0x300 && c <= 0x36F)
        return 0;
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

int view_text_width(const char *text)
{
    int w = 0;
    while (*text) {
        uint32_t c;
        text += utf8_next(text, &c);
        w += cp_width(c);
    }
    return w;
}

/* Sets one cell, keeping double-width characters whole: overwriting either
 * half of one blanks the other half. */
static void set_cell(struct view_screen *s, int x, int y, uint32_t ch, int role)
{
    if (x < 0 || y < 0 || x >= s->w || y >= s->h)
        return;
    struct view_cell *c = view_at(s, x, y);
    if (c->ch == VIEW_WIDE_CONT && x > 0)
        view_at(s, x - 1, y)->ch = ' ';
    if (c->ch != VIEW_WIDE_CONT && x + 1 < s->w &&
        view_at(s, x + 1, y)->ch == VIEW_WIDE_CONT)
        view_at(s, x + 1, y)->ch = ' ';
    c->ch = ch;
    c->role = (uint8_t)role;
}

static void set_glyph(struct view_screen *s, int x, int y, int g, int role, int utf8)
{
    set_cell(s, x, y, view_glyph(g, utf8), role);
}

int view_put(struct view_screen *s, int x, int y, int maxw, const char *text,
             int role, int utf8)
{
    int used = 0;
    if (y < 0 || y >= s->h)
        return 0;
    while (*text) {
        uint32_t c;
        text += utf8_next(text, &c);
        int w = cp_width(c);
        if (c < 32 || c == 127)
            c = ' ', w = 1;
        if (!utf8 && c >= 128)
            c = '?', w = 1;
        if (w == 0)
            continue;
        if (used + w > maxw)
            break;
        if (x + used + w > s->w)
            break;
        if (x + used >= 0) {
            set_cell(s, x + used, y, c, role);
            if (w == 2)
                set_cell(s, x + used + 1, y, VIEW_WIDE_CONT, role);
        }
        used += w;
    }
    return used;
}

/* Like view_put, but text wider than maxw ends in an ellipsis. */
static int put_fit(struct view_screen *s, int x, int y, int maxw, const char *text,
                   int role, int utf8)
{
    if (maxw <= 0)
        return 0;
    if (view_text_width(text) <= maxw)
        return view_put(s, x, y, maxw, text, role, utf8);
    int used = view_put(s, x, y, maxw - 1, text, role, utf8);
    set_glyph(s, x + used, y, G_ELLIPSIS, role, utf8);
    return used + 1;
}

static void fill(struct view_screen *s, struct view_rect r, uint32_t ch, int role)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            set_cell(s, x, y, ch, role);
}

char *view_screen_line(const struct view_screen *s, int y, char *buf, size_t n)
{
    size_t pos = 0, last = 0;
    if (!n)
        return buf;
    for (int x = 0; y >= 0 && y < s->h && x < s->w; x++) {
        uint32_t c = s->cells[(size_t)y * (size_t)s->w + (size_t)x].ch;
        if (c == VIEW_WIDE_CONT)
            continue;
        char tmp[4];
        size_t l = utf8_put(c, tmp);
        if (pos + l + 1 > n)
            break;
        memcpy(buf + pos, tmp, l);
        pos += l;
        if (c != ' ')
            last = pos;
    }
    buf[last] = '\0';
    return buf;
}

char *view_screen_text(const struct view_screen *s)
{
    size_t cap = (size_t)s->w * 4 + 2;
    size_t total = cap * (size_t)(s->h > 0 ? s->h : 1) + 1;
    char *out = malloc(total), *line = malloc(cap);
    if (!out || !line) {
        free(out);
        free(line);
        return NULL;
    }
    size_t pos = 0;
    out[0] = '\0';
    for (int y = 0; y < s->h; y++) {
        view_screen_line(s, y, line, cap);
        size_t l = strlen(line);
        memcpy(out + pos, line, l);
        pos += l;
        out[pos++] = '\n';
    }
    out[pos] = '\0';
    free(line);
    return out;
}

/* ======================================================================== */
/* Layout                                                                   */

void view_layout(int w, int h, int projector, int focus, struct view_layout *L)
{
    memset(L, 0, sizeof *L);
    if (w < VIEW_MIN_W || h < VIEW_MIN_H) {
        L->too_small = 1;
        return;
    }
    L->title = (struct view_rect){ 0, 0, w, 1 };
    L->hint = (struct view_rect){ 0, h - 1, w, 1 };
    int body = h - 2;
    if (projector) {
        int nh = 5;
        L->narration = (struct view_rect){ 0, h - 1 - nh, w, nh };
        L->diagram = (struct view_rect){ 0, 1, w, body - nh };
        return;
    }
    int ph = body * 2 / 5;
    if (ph < 8)
        ph = 8;
    if (ph > 16)
        ph = 16;
    L->diagram = (struct view_rect){ 0, 1, w, body - ph };
    int py = 1 + body - ph;
    if (w >= 110) {
        int iw = w * 3 / 5;
        L->side_by_side = 1;
        L->inspector = (struct view_rect){ 0, py, iw, ph };
        L->state = (struct view_rect){ iw + 1, py, w - iw - 1, ph };
    } else if (focus == PANE_STATE) {
        L->state = (struct view_rect){ 0, py, w, ph };
    } else {
        L->inspector = (struct view_rect){ 0, py, w, ph };
    }
}

void view_columns(int n, int x0, int w, int *cols)
{
    if (n <= 0)
        return;
    if (n == 1) {
        cols[0] = x0 + w / 2;
        return;
    }
    int m = w / (2 * n);
    if (m > 20)
        m = 20;
    if (m < 1)
        m = 1;
    int span = w - 1 - 2 * m;
    for (int i = 0; i < n; i++)
        cols[i] = x0 + m + (int)((long)span * i / (n - 1));
}

int view_kernel_columns(int n, const uint8_t *khost, int x0, int w, int *cols,
                        int *kx)
{
    int any = 0;
    for (int h = 0; h < n; h++) {
        kx[h] = -1;
        any |= khost && khost[h];
    }
    view_columns(n, x0, w, cols);
    if (!any || n <= 0)
        return VK_NONE;
    /* the last lifeline's column must end inside the band: narrow the band
     * the lifelines are spread over until it does */
    int need = 2 + VIEW_KCOL_W;              /* lifeline + 1 .. column end */
    int bw = w;
    while (khost[n - 1] && bw > w / 2 && x0 + w - cols[n - 1] < need + 1)
        view_columns(n, x0, --bw, cols);
    int ok = !khost[n - 1] || x0 + w - cols[n - 1] >= need + 1;
    for (int h = 0; ok && h + 1 < n; h++)
        if (khost[h] && cols[h + 1] - cols[h] < need + VIEW_KCOL_GAP)
            ok = 0;
    if (!ok) {
        view_columns(n, x0, w, cols);
        return VK_FOLDED;
    }
    for (int h = 0; h < n; h++)
        if (khost[h])
            kx[h] = cols[h] + 2;
    return VK_FULL;
}

/* ======================================================================== */
/* The index                                                                */

struct open_timer { int32_t host; uint32_t conn; uint8_t name; int32_t at; };

/* A frame's top protocol (summary.h) as a trace layer. */
static int top_layer(int top)
{
    switch (top) {
    case TOP_ARP:  return TL_ARP;
    case TOP_IP:   return TL_IP;
    case TOP_TCP:  return TL_TCP;
    case TOP_UDP:  return TL_UDP;
    case TOP_DNS:  return TL_DNS;
    case TOP_HTTP: return TL_HTTP;
    default:       return TL_ETH;
    }
}

/* --real: which hosts the kernel was observed for, and for every kernel
 * state record the model's state of the same connection at that moment and
 * just before it (the two differ only when the model changed at that very
 * instant).  The model's records come first at equal times, so a look at
 * the kernel made before the replay's own call at that instant (the CLOSED
 * socket before its connect()) is compared with both; one made after the
 * call, only with the model's state now.  A connection the model does not
 * have (yet) is CLOSED, the fictional state of no TCB (RFC 9293 3.3.2). */
static int index_kernel(struct view_index *ix)
{
    const struct trace *tr = ix->tr;
    size_t n = ix->n;
    size_t i;
    for (i = 0; i < n; i++)
        if (tr->recs[i].kind == TK_REAL)
            break;
    if (i == n)
        return 0;
    size_t nh = tr->nhosts > 0 ? (size_t)tr->nhosts : 1;
    size_t nstrs = tr->nstrs ? tr->nstrs : 1;
    struct mstate { int8_t now, before; int64_t t, call_t; } *ms =
        malloc(nstrs * sizeof *ms);
    ix->khost = calloc(nh, 1);
    ix->kmodel = malloc(n);
    ix->kbefore = malloc(n);
    ix->kmark = calloc(n, 1);
    if (!ms || !ix->khost || !ix->kmodel || !ix->kbefore || !ix->kmark) {
        free(ms);
        return -1;
    }
    for (size_t k = 0; k < nstrs; k++)
        ms[k] = (struct mstate){ TCP_CLOSED, TCP_CLOSED, -1, -1 };
    for (i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        ix->kmodel[i] = ix->kbefore[i] = -1;
        int have = r->conn && r->conn < nstrs;
        if (r->kind == TK_STATE && r->layer == TL_TCP && have) {
            struct mstate *m = &ms[r->conn];
            if (m->t != r->t_us) {
                m->before = m->now;
                m->t = r->t_us;
            }
            m->now = (int8_t)r->u.state.to;
            continue;
        }
        if (r->kind == TK_REAL && r->u.real.what == RW_CALL && have)
            ms[r->conn].call_t = r->t_us;
        if (r->kind != TK_REAL || r->host < 0 || r->host >= tr->nhosts ||
            (r->u.real.what != RW_STATE && r->u.real.what != RW_UNSEEN))
            continue;
        ix->khost[r->host] = 1;
        if (r->u.real.what == RW_UNSEEN)
            ix->kmark[i] |= KM_UNSEEN;
        if (!have)
            continue;
        const struct mstate *m = &ms[r->conn];
        ix->kmodel[i] = m->now;
        ix->kbefore[i] = m->t == r->t_us && m->call_t != r->t_us ? m->before : m->now;
        if (r->u.real.what == RW_STATE && r->u.real.state != ix->kmodel[i] &&
            r->u.real.state != ix->kbefore[i])
            ix->kmark[i] |= KM_DIFF;
    }
    free(ms);
    for (int h = 0; h < tr->nhosts; h++)
        ix->nkhosts += ix->khost[h];
    return 0;
}

void view_index_compare(struct view_index *ix, const struct scenario *scn)
{
    const struct trace *tr = ix->tr;
    if (!ix->kmark || !scn || ix->compared)
        return;
    ix->kwhy = calloc(ix->n ? ix->n : 1, sizeof *ix->kwhy);
    if (!ix->kwhy)
        return;
    ix->compared = 1;
    struct real_compare c;
    real_compare(tr, scn, &c);
    /* each kernel row of a connection's table is one observation, or a run
     * of the same one seen again (compare.c counts those once) */
    for (int k = 0; k < c.nconns; k++) {
        const struct real_conn_table *t = &c.conns[k];
        int j = 0, last_state = -1, last_what = -1;
        const struct real_row *row = NULL;
        for (size_t i = 0; i < ix->n; i++) {
            const struct trace_rec *r = &tr->recs[i];
            if (r->kind != TK_REAL || r->host != t->host || r->conn != t->conn ||
                (r->u.real.what != RW_STATE && r->u.real.what != RW_UNSEEN))
                continue;
            if (!row || r->u.real.state != last_state || r->u.real.what != last_what) {
                while (j < t->nrows && t->rows[j].ker_state < 0)
                    j++;
                if (j == t->nrows || t->rows[j].ker_state != r->u.real.state)
                    break;                  /* not the table's order: leave it */
                row = &t->rows[j++];
                last_state = r->u.real.state;
                last_what = r->u.real.what;
            }
            ix->kmark[i] |= row->mark == RM_SAME ? KM_SAME
                          : row->mark == RM_DETAIL ? KM_DETAIL : KM_ONLY;
            ix->kwhy[i] = row->why;
        }
    }
    real_compare_free(&c);
}

int view_index_build(struct view_index *ix, const struct trace *tr)
{
    memset(ix, 0, sizeof *ix);
    ix->tr = tr;
    size_t n = tr->n;
    ix->n = n;
    size_t m = n ? n : 1;
    ix->peer = malloc(m * sizeof *ix->peer);
    ix->end = malloc(m * sizeof *ix->end);
    ix->first_end = malloc(m * sizeof *ix->first_end);
    ix->next_end = malloc(m * sizeof *ix->next_end);
    ix->live = malloc(m * sizeof *ix->live);
    ix->tcp_nxt = calloc(m, sizeof *ix->tcp_nxt);
    ix->tcp_ack = calloc(m, sizeof *ix->tcp_ack);
    ix->flags = calloc(m, sizeof *ix->flags);
    ix->proto = calloc(m, sizeof *ix->proto);
    size_t nh = tr->nhosts > 0 ? (size_t)tr->nhosts : 1;
    ix->bsrc = malloc(m * sizeof *ix->bsrc);
    mac_addr *macs = NULL;                   /* distinct broadcast sources */
    int nmacs = 0;
    size_t nb = tr->nblobs ? tr->nblobs : 1;
    int32_t *blob_head = malloc(nb * sizeof *blob_head);
    int32_t *blob_tail = malloc(nb * sizeof *blob_tail);
    int32_t *next_same = malloc(m * sizeof *next_same);
    int32_t *last_end = malloc(m * sizeof *last_end);
    int32_t *skip = malloc((m + 1) * sizeof *skip);
    struct open_timer *open = NULL;
    size_t nopen = 0, capopen = 0;
    int ok = ix->peer && ix->end && ix->first_end && ix->next_end && ix->live &&
             ix->tcp_nxt && ix->tcp_ack && ix->flags && ix->proto && ix->bsrc &&
             blob_head && blob_tail &&
             next_same && last_end && skip;
    if (!ok)
        goto fail;
    for (size_t i = 0; i < nb; i++)
        blob_head[i] = blob_tail[i] = -1;
    for (size_t i = 0; i < n; i++) {
        ix->peer[i] = ix->end[i] = ix->first_end[i] = ix->next_end[i] = -1;
        next_same[i] = last_end[i] = ix->bsrc[i] = -1;
    }
    /* broadcast senders (interfaces, by MAC), for the LAN peer table */
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        size_t len;
        const uint8_t *p;
        if (r->kind != TK_SEND || r->u.pkt.dst != HOST_BROADCAST)
            continue;
        p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        if (len < 12 || memcmp(p, MAC_BROADCAST.b, 6))
            continue;
        int k;
        for (k = 0; k < nmacs; k++)
            if (!memcmp(macs[k].b, p + 6, 6))
                break;
        if (k == nmacs) {
            mac_addr *nm = realloc(macs, (size_t)(nmacs + 1) * sizeof *nm);
            if (!nm)
                goto fail;
            macs = nm;
            memcpy(macs[nmacs++].b, p + 6, 6);
        }
        ix->bsrc[i] = k;
    }
    ix->nifs = nmacs;
    ix->bpeer = calloc((size_t)(nmacs ? nmacs : 1) * nh, 1);
    if (!ix->bpeer)
        goto fail;

    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        int32_t si = (int32_t)i;
        ix->proto[i] = r->layer;
        switch (r->kind) {
        case TK_SEND: {
            uint32_t b = r->u.pkt.pkt;
            size_t len;
            const uint8_t *p = trace_blob_data(tr, b, &len);
            struct frame f;
            char err[64];
            int dec = frame_decode(p, len, &f, err, sizeof err) == 0;
            if (dec)
                ix->proto[i] = (uint8_t)top_layer(packet_top(&f));
            if (ix->bsrc[i] >= 0)
                ix->flags[i] |= VF_BCAST;
            if (dec && f.has_ip && f.l4 == IPPROTO_TCP_NUM) {
                uint32_t nxt = f.tcp.seq + (uint32_t)f.payload_len;
                if (f.tcp.flags & TCP_SYN)
                    nxt++;
                if (f.tcp.flags & TCP_FIN)
                    nxt++;
                ix->tcp_nxt[i] = nxt;
                ix->flags[i] |= VF_TCP;
                if (f.tcp.flags & TCP_ACK) {
                    ix->tcp_ack[i] = f.tcp.ack;
                    ix->flags[i] |= VF_ACK;
                }
            }
            if (b < nb) {
                if (blob_tail[b] >= 0)
                    next_same[blob_tail[b]] = si;
                else
                    blob_head[b] = si;
                blob_tail[b] = si;
            }
            break;
        }
        case TK_RECV: case TK_DROP: {
            uint32_t b = r->u.pkt.pkt;
            if (b >= nb)
                break;
            size_t len;
            const uint8_t *p = trace_blob_data(tr, b, &len);
            struct frame f;
            char err[64];
            if (frame_decode(p, len, &f, err, sizeof err) == 0)
                ix->proto[i] = (uint8_t)top_layer(packet_top(&f));
            /* The first earlier send of these bytes from the same host that
             * is still open: a unicast copy ends once, a broadcast once per
             * receiver. */
            for (int32_t s = blob_head[b]; s >= 0; s = next_same[s]) {
                const struct trace_rec *sr = &tr->recs[s];
                if (sr->u.pkt.src != r->u.pkt.src)
                    continue;
                if (!(ix->flags[s] & VF_BCAST) && ix->first_end[s] >= 0)
                    continue;
                if (ix->flags[s] & VF_BCAST) {
                    /* a broadcast reaches each host once; a second arrival
                     * there is a copy the network made (its own send) */
                    int seen = 0;
                    for (int32_t e = ix->first_end[s]; e >= 0; e = ix->next_end[e])
                        if (tr->recs[e].u.pkt.dst == r->u.pkt.dst &&
                            tr->recs[e].host == r->host)
                            seen = 1;
                    if (seen)
                        continue;
                }
                ix->peer[i] = s;
                if (ix->bsrc[s] >= 0 && r->kind == TK_RECV &&
                    r->host >= 0 && r->host < tr->nhosts)
                    ix->bpeer[(size_t)ix->bsrc[s] * nh + (size_t)r->host] = 1;
                if (last_end[s] >= 0)
                    ix->next_end[last_end[s]] = si;
                else
                    ix->first_end[s] = si;
                last_end[s] = si;
                ix->end[s] = si;
                break;
            }
            break;
        }
        case TK_TIMER: {
            size_t k;
            for (k = 0; k < nopen; k++)
                if (open[k].host == r->host && open[k].conn == r->conn &&
                    open[k].name == r->u.timer.name)
                    break;
            if (k < nopen) {
                ix->end[open[k].at] = si;
                ix->peer[i] = open[k].at;
                open[k] = open[--nopen];
            }
            if (r->u.timer.action == TA_START) {
                if (nopen == capopen) {
                    size_t nc = capopen ? capopen * 2 : 16;
                    struct open_timer *no = realloc(open, nc * sizeof *no);
                    if (!no)
                        goto fail;
                    open = no;
                    capopen = nc;
                }
                open[nopen++] = (struct open_timer){ r->host, r->conn,
                                                     r->u.timer.name, si };
            }
            break;
        }
        default:
            break;
        }
    }

    /* live[i]: the smallest span start covering row i.  Spans are visited
     * in start order; `skip` jumps over rows already claimed, so the whole
     * pass is near-linear however long the spans. */
    for (size_t i = 0; i <= n; i++)
        skip[i] = (int32_t)i;
    for (size_t i = 0; i < n; i++)
        ix->live[i] = -1;
    for (size_t s = 0; s < n; s++) {
        const struct trace_rec *r = &tr->recs[s];
        int span = r->kind == TK_SEND ||
                   (r->kind == TK_TIMER && r->u.timer.action == TA_START);
        if (!span)
            continue;
        size_t e = ix->end[s] >= 0 ? (size_t)ix->end[s] : n - 1;
        /* find(x): the first unclaimed row >= x, with path halving */
        size_t x = s;
        for (;;) {
            while ((size_t)skip[x] != x) {
                skip[x] = skip[skip[x]];
                x = (size_t)skip[x];
            }
            if (x > e)
                break;
            ix->live[x] = (int32_t)s;
            skip[x] = (int32_t)(x + 1);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (ix->live[i] < 0)
            ix->live[i] = (int32_t)i;

    /* the widest time: the last one's seconds, with microseconds when any
     * time has them (kernel observations under --real do) */
    char t[32];
    ix->time_w = 6;
    if (n) {
        int l = (int)strlen(fmt_time(tr->recs[n - 1].t_us, t, sizeof t));
        int us = 0;
        for (size_t i = 0; i < n && !us; i++)
            us = tr->recs[i].t_us % 1000 != 0;
        if (us && tr->recs[n - 1].t_us % 1000 == 0)
            l += 3;                          /* "60.420s" -> "60.420000s" */
        if (l > ix->time_w)
            ix->time_w = l;
    }
    if (index_kernel(ix) < 0)
        goto fail;
    free(blob_head);
    free(blob_tail);
    free(next_same);
    free(last_end);
    free(skip);
    free(open);
    free(macs);
    return 0;

fail:
    free(blob_head);
    free(blob_tail);
    free(next_same);
    free(last_end);
    free(skip);
    free(open);
    free(macs);
    view_index_free(ix);
    return -1;
}

void view_index_free(struct view_index *ix)
{
    free(ix->peer);
    free(ix->end);
    free(ix->first_end);
    free(ix->next_end);
    free(ix->live);
    free(ix->tcp_nxt);
    free(ix->tcp_ack);
    free(ix->flags);
    free(ix->proto);
    free(ix->bsrc);
    free(ix->bpeer);
    free(ix->khost);
    free(ix->kmodel);
    free(ix->kbefore);
    free(ix->kmark);
    free(ix->kwhy);
    memset(ix, 0, sizeof *ix);
}

/* ======================================================================== */
/* Labels and roles                                                         */

static const char *host_name(const struct trace *tr, int h)
{
    if (h == HOST_BROADCAST)
        return "*";
    return h >= 0 && h < tr->nhosts ? tr->host_names[h] : "-";
}

char *view_packet_label(const struct trace *tr, const struct trace_rec *r,
                        char *buf, size_t n)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64], fl[32];
    if (frame_decode(p, len, &f, err, sizeof err) != 0) {
        snprintf(buf, n, "malformed frame");
    } else if (f.has_ip && f.l4 == IPPROTO_TCP_NUM) {
        const struct tcp_hdr *h = &f.tcp;
        int pos = snprintf(buf, n, "%s seq=%" PRIu32,
                           tcp_flags_str(h->flags, fl, sizeof fl), h->seq);
        if (pos >= 0 && (size_t)pos < n && (h->flags & TCP_ACK))
            pos += snprintf(buf + pos, n - (size_t)pos, " ack=%" PRIu32, h->ack);
        if (pos >= 0 && (size_t)pos < n && f.payload_len)
            pos += snprintf(buf + pos, n - (size_t)pos, " len=%zu", f.payload_len);
        if (pos >= 0 && (size_t)pos < n && h->win == 0)
            pos += snprintf(buf + pos, n - (size_t)pos, " win=0");
        if (pos >= 0 && (size_t)pos < n && packet_top(&f) == TOP_HTTP) {
            char full[256];
            const char *http = strstr(packet_summary(&f, full, sizeof full), " HTTP");
            if (http)
                snprintf(buf + pos, n - (size_t)pos, "%s", http);
        }
    } else {
        packet_summary(&f, buf, n);
    }
    if (r->u.pkt.dup) {
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, " (copy)");
    }
    return buf;
}

/* The short name of what arrived, for the receiving end: TCP flags, or the
 * first word of the summary. */
static char *recv_label(const struct trace *tr, const struct trace_rec *r,
                        char *buf, size_t n)
{
    view_packet_label(tr, r, buf, n);
    char *sp = strchr(buf, ' ');
    if (sp)
        *sp = '\0';
    return buf;
}

static int proto_role(int layer)
{
    switch (layer) {
    case TL_TCP:  return R_PKT_TCP;
    case TL_UDP:  return R_PKT_UDP;
    case TL_ARP:  return R_PKT_ARP;
    case TL_DNS:  return R_PKT_DNS;
    case TL_HTTP: return R_PKT_HTTP;
    default:      return R_PKT_OTHER;
    }
}

static int state_role(int layer, int state)
{
    if (layer == TL_TCP) {
        switch (state) {
        case TCP_SYN_SENT: case TCP_SYN_RECEIVED: return R_ST_OPENING;
        case TCP_ESTABLISHED:                     return R_ST_OPEN;
        case TCP_FIN_WAIT_1: case TCP_FIN_WAIT_2: case TCP_CLOSE_WAIT:
        case TCP_CLOSING: case TCP_LAST_ACK:      return R_ST_CLOSING;
        case TCP_TIME_WAIT:                       return R_ST_WAIT;
        default:                                  return R_ST_IDLE;
        }
    }
    if (layer == TL_ARP) {
        switch (state) {
        case ARP_INCOMPLETE: return R_ST_OPENING;
        case ARP_REACHABLE:  return R_ST_OPEN;
        case ARP_STALE:      return R_ST_WAIT;
        case ARP_FAILED:     return R_DROP;
        default:             return R_ST_IDLE;
        }
    }
    if (layer == TL_DNS) {
        switch (state) {
        case DNS_CHECK_CACHE: case DNS_ASKING_ROOT: case DNS_ASKING_TLD:
        case DNS_ASKING_AUTH: case DNS_ASKING_RESOLVER: return R_ST_OPENING;
        case DNS_ANSWERED: case DNS_CACHED:              return R_ST_OPEN;
        case DNS_EXPIRED:                                return R_ST_WAIT;
        case DNS_FAILED: case DNS_ABSENT:                return R_DROP;
        default:                                         return R_ST_IDLE;
        }
    }
    return R_ST_IDLE;
}

static const char *drop_short(int reason)
{
    switch (reason) {
    case DR_LOSS:    return "lost";
    case DR_FAULT:   return "dropped (fault)";
    case DR_NOROUTE: return "no route";
    case DR_CSUM:    return "bad checksum";
    default:         return drop_reason_str(reason);
    }
}

/* Is the timer started at record s still running at event cur? */
static int timer_running(const struct view_index *ix, size_t s, size_t cur)
{
    return ix->end[s] < 0 || (size_t)ix->end[s] > cur;
}

/* ======================================================================== */
/* The diagram                                                              */

/* Where things are in the diagram rect. */
struct dgeom {
    struct view_rect r;
    int body_y, body_h;     /* rows for events */
    int rh;                 /* screen rows per event (2 on a projector) */
    size_t top;             /* first event shown */
    size_t nvis;            /* events shown: top .. cur */
    int tw;                 /* time column width */
    int mark_x;             /* column of the selected-event mark */
    int band_x, band_w;     /* the lifelines' band */
    int nhosts;
    int *cols;
    int *kx;                /* --real: each host's kernel column, -1 none */
    int kmode;              /* enum view_kmode */
    struct view_rect clip;  /* the body */
};

/* What the packet paths left on a visible event row, for its own label. */
struct rowinfo {
    int has_path;
    int lo, hi;             /* columns the send row's own path segments use */
    int tlo, thi;           /* leftmost / rightmost target column */
    int cross_x, cross_dir; /* a drop row: where the cross is */
};

/* Arrow heads, tips and crosses, drawn again after every path so that no
 * other packet's line hides where one ends. */
struct endmark { int x, y, g, role; };
struct endmarks { struct endmark *v; int n, cap; };

static void add_mark(struct endmarks *m, int x, int y, int g, int role)
{
    if (m->n == m->cap) {
        int nc = m->cap ? m->cap * 2 : 32;
        struct endmark *nv = realloc(m->v, (size_t)nc * sizeof *nv);
        if (!nv)
            return;
        m->v = nv;
        m->cap = nc;
    }
    m->v[m->n++] = (struct endmark){ x, y, g, role };
}

static int row_of(const struct dgeom *g, size_t i)
{
    return g->body_y + (int)((long)i - (long)g->top) * g->rh;
}

static int col_of(const struct dgeom *g, int h)
{
    return h >= 0 && h < g->nhosts ? g->cols[h] : -1;
}

/* Path cell glyphs, by direction (0: rightwards, 1: leftwards). */
static const int g_tee[2]     = { G_TEE_R, G_TEE_L };
static const int g_head[2]    = { G_HEAD_R, G_HEAD_L };
static const int g_fly[2]     = { G_FLY_R, G_FLY_L };
static const int g_down[2]    = { G_ARC_DL, G_ARC_DR };   /* side -> down */
static const int g_from_up[2] = { G_ARC_UR, G_ARC_UL };   /* above -> side */

static int in_clip(struct view_rect c, int x, int y)
{
    return x >= c.x && x < c.x + c.w && y >= c.y && y < c.y + c.h;
}

int view_draw_path(struct view_screen *scr, struct view_rect clip, int xa,
                   int ya, int xe, int yb, int end, int dashed, int role,
                   int utf8)
{
    int dir = xe >= xa ? 1 : -1;
    int di = dir > 0 ? 0 : 1;
    int xs = xa + dir;                       /* first path cell */
    int L = (xe - xs) * dir + 1;             /* path cells, >= 1 */
    if (L < 1)
        L = 1, xe = xs;
    int k = yb - ya + 1;                     /* rows */
    if (k < 1)
        k = 1;
    int hl = dashed ? G_HDASH : G_HLINE;
    int first_corner = xs + dir * (k == 1 ? L - 1 : (int)((long)(L - 1) / k));
    if (in_clip(clip, xa, ya))
        set_glyph(scr, xa, ya, g_tee[di], role, utf8);
    /* only the rows inside the clip: a path may span thousands of rows */
    int j0 = clip.y - ya > 0 ? clip.y - ya : 0;
    int j1 = clip.y + clip.h - 1 - ya < k - 1 ? clip.y + clip.h - 1 - ya : k - 1;
    for (int j = j0; j <= j1; j++) {
        int y = ya + j;
        int a = (int)((long)(L - 1) * j / k);
        int b = j == k - 1 ? L - 1 : (int)((long)(L - 1) * (j + 1) / k);
        int last_row = j == k - 1;
        for (int o = a; o <= b; o++) {
            int x = xs + dir * o, g;
            int first = o == a, last = o == b;
            if (last && last_row)
                g = end;
            else if (first && last)
                g = j == 0 ? g_down[di] : G_VLINE;
            else if (last)
                g = g_down[di];
            else if (first && j > 0)
                g = g_from_up[di];
            else
                g = hl;
            if (in_clip(clip, x, y))
                set_glyph(scr, x, y, g, g == G_CROSS ? R_DROP : role, utf8);
        }
    }
    return first_corner;
}

static void note_path(struct rowinfo *ri, const struct dgeom *g, size_t s,
                      int xa, int corner, int xb)
{
    if (s < g->top || s >= g->top + g->nvis)
        return;
    struct rowinfo *p = &ri[s - g->top];
    int lo = xa < corner ? xa : corner, hi = xa < corner ? corner : xa;
    if (!p->has_path) {
        p->has_path = 1;
        p->lo = lo, p->hi = hi, p->tlo = p->thi = xb;
    } else {
        if (lo < p->lo) p->lo = lo;
        if (hi > p->hi) p->hi = hi;
        if (xb < p->tlo) p->tlo = xb;
        if (xb > p->thi) p->thi = xb;
    }
}

/* A stub target for a frame with no destination lifeline: a short way
 * towards the middle of the band. */
static int stub_target(const struct dgeom *g, int xa)
{
    int mid = g->band_x + g->band_w / 2;
    int len = g->band_w / 6 < 12 ? g->band_w / 6 : 12;
    if (len < 4)
        len = 4;
    return xa <= mid ? xa + len : xa - len;
}

static void draw_flight(const struct view_index *ix, const struct view_state *st,
                        const struct dgeom *g, struct view_screen *scr,
                        struct rowinfo *ri, struct endmarks *marks, size_t s)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[s];
    int xa = col_of(g, r->u.pkt.src);
    if (xa < 0)
        return;
    int role = proto_role(ix->proto[s]);
    int ya = row_of(g, s);
    int bcast = ix->flags[s] & VF_BCAST;
    int any = 0, dead = 0;
    for (int32_t e = ix->first_end[s]; e >= 0 && (size_t)e <= st->cur;
         e = ix->next_end[e]) {
        const struct trace_rec *er = &tr->recs[e];
        any = 1;
        int yb = row_of(g, (size_t)e);
        if (er->kind == TK_RECV) {
            int xb = col_of(g, er->host);
            if (xb < 0 || xb == xa)
                continue;
            int dir = xb > xa ? 1 : -1;
            int c = view_draw_path(scr, g->clip, xa, ya, xb - dir, yb,
                                   g_head[dir > 0 ? 0 : 1], 0, role, st->utf8);
            note_path(ri, g, s, xa, c, xb);
            add_mark(marks, xb - dir, yb, g_head[dir > 0 ? 0 : 1], role);
        } else {
            int xb = col_of(g, er->u.pkt.dst);
            if (bcast && er->u.pkt.dst < 0)
                dead = 1;                    /* dropped before it left */
            if (xb < 0 || xb == xa)
                xb = stub_target(g, xa);
            int dir = xb > xa ? 1 : -1;
            int dist = (xb - xa) * dir;
            int go = dist * 2 / 3 < 2 ? 2 : dist * 2 / 3;
            int xc = xa + dir * go;
            int c = view_draw_path(scr, g->clip, xa, ya, xc, yb, G_CROSS, 0,
                                   role, st->utf8);
            note_path(ri, g, s, xa, c, xb);
            add_mark(marks, xc, yb, G_CROSS, R_DROP);
            if ((size_t)e >= g->top && (size_t)e < g->top + g->nvis) {
                ri[e - g->top].cross_x = xc;
                ri[e - g->top].cross_dir = dir;
            }
        }
    }
    if ((any && !bcast) || dead)
        return;
    /* In flight at event cur: the tip has covered (cur - s + 1) / (cur - s
     * + 2) of the way, so it creeps towards the receiver as events pass. */
    long num = (long)(st->cur - s) + 1, den = num + 1;
    int yb = row_of(g, st->cur);
    int src = r->u.pkt.src, lan = 0;
    const uint8_t *peers = bcast ? ix->bpeer + (size_t)ix->bsrc[s] * (size_t)g->nhosts
                                 : NULL;
    for (int h = 0; bcast && h < g->nhosts; h++)
        lan |= peers[h];
    for (int h = 0; h < g->nhosts; h++) {
        int xb;
        if (bcast) {
            /* towards every host on the sender's LAN (every host, if no
             * broadcast of its ever arrived) that this one has not reached */
            if (h == src || (lan && !peers[h]))
                continue;
            int reached = 0;
            for (int32_t e = ix->first_end[s]; e >= 0 && (size_t)e <= st->cur;
                 e = ix->next_end[e])
                if (tr->recs[e].host == h || tr->recs[e].u.pkt.dst == h)
                    reached = 1;
            if (reached)
                continue;
            xb = g->cols[h];
        } else {
            if (h > 0)
                break;
            xb = col_of(g, r->u.pkt.dst);
            if (xb < 0 || xb == xa)
                xb = stub_target(g, xa);
        }
        int dir = xb > xa ? 1 : -1;
        int full = (xb - xa) * dir - 2;      /* cells from xa+dir to xb-dir */
        if (full < 0)
            full = 0;
        int xe = xa + dir + dir * (int)((long)full * num / den);
        int c = view_draw_path(scr, g->clip, xa, ya, xe, yb,
                               g_fly[dir > 0 ? 0 : 1], 1, role, st->utf8);
        note_path(ri, g, s, xa, c, xb);
        add_mark(marks, xe, yb, g_fly[dir > 0 ? 0 : 1], role);
    }
}

static void draw_timer_bar(const struct view_index *ix, const struct view_state *st,
                           const struct dgeom *g, struct view_screen *scr, size_t s)
{
    const struct trace_rec *r = &ix->tr->recs[s];
    int x = col_of(g, r->host);
    if (x < 0)
        return;
    size_t last = timer_running(ix, s, st->cur) ? st->cur : (size_t)ix->end[s];
    int y0 = row_of(g, s), y1 = row_of(g, last);
    if (y0 < g->clip.y)
        y0 = g->clip.y;
    if (y1 > g->clip.y + g->clip.h - 1)
        y1 = g->clip.y + g->clip.h - 1;
    for (int y = y0; y <= y1; y++)
        if (in_clip(g->clip, x, y))
            set_glyph(scr, x, y, G_VBAR, R_TIMER, st->utf8);
}

/* Space beside lifeline x for a label: to the right (side > 0) up to the
 * next lifeline, or to the left (side < 0) down to the previous one. */
static void side_room(const struct dgeom *g, int x, int side, int *from, int *w)
{
    int lim_hi = g->band_x + g->band_w, lim_lo = g->r.x + g->tw + 1;
    for (int h = 0; h < g->nhosts; h++) {
        if (g->cols[h] > x && g->cols[h] < lim_hi)
            lim_hi = g->cols[h];
        if (g->cols[h] < x && g->cols[h] >= lim_lo)
            lim_lo = g->cols[h] + 1;
    }
    if (side > 0) {
        *from = x + 2;
        *w = lim_hi - 1 - *from;
    } else {
        *from = lim_lo + 1;
        *w = x - 1 - *from;
    }
    if (*w < 0)
        *w = 0;
}

/* Is the stretch free (a kernel column's guide counts as free: labels
 * may cover it on their own row)? */
static int row_blank(const struct view_screen *scr, int x, int y, int w)
{
    if (y < 0 || y >= scr->h)
        return 0;
    for (int i = x - 1; i <= x + w; i++) {
        if (i < 0 || i >= scr->w)
            continue;
        const struct view_cell *c = view_at((struct view_screen *)scr, i, y);
        if (c->ch != ' ' && !(c->role == R_KERNEL && (c->ch == 0x2506 || c->ch == ':')))
            return 0;
    }
    return 1;
}

/* Narrows the stretch [*from, *from + *w) so that it starts after (or
 * ends before) any kernel column: a packet's label there would read as
 * the kernel's. */
static void avoid_kcols(const struct dgeom *g, int *from, int *w)
{
    for (int h = 0; g->kmode == VK_FULL && h < g->nhosts; h++) {
        int a = g->kx[h], b = g->kx[h] + VIEW_KCOL_W;      /* [a, b) */
        if (a < 0 || *from >= b || *from + *w <= a)
            continue;
        if (*from >= a - 1) {
            *w -= b + 1 - *from;
            *from = b + 1;
        } else {
            *w = a - 1 - *from;
        }
    }
}

/* A label beside lifeline x, on side `pref` (+1 right, -1 left) when it fits
 * there without covering a packet path, else on the other side if that
 * does, else on the roomier side, cut short.  Right-aligned against the
 * lifeline on the left. */
static void side_label(struct view_screen *scr, const struct dgeom *g, int x,
                       int y, int pref, const char *text, int role, int utf8)
{
    int tw = view_text_width(text);
    int best_side = pref, best_w = -1;
    for (int k = 0; k < 2; k++) {
        int side = k == 0 ? pref : -pref, from, w;
        side_room(g, x, side, &from, &w);
        int at = side > 0 ? from : x - 1 - tw;
        if (w >= tw && row_blank(scr, at, y, tw)) {
            view_put(scr, at, y, tw, text, role, utf8);
            return;
        }
        if (w > best_w)
            best_w = w, best_side = side;
    }
    int from, w;
    side_room(g, x, best_side, &from, &w);
    int used = tw < w ? tw : w;
    if (best_side < 0)
        from = x - 1 - used;
    put_fit(scr, from, y, w, text, role, utf8);
}

/* The side of lifeline x away from the others: outwards for the first and
 * last hosts, towards the middle of the band for the rest. */
static int outer_side(const struct dgeom *g, int x)
{
    int lo = 1, hi = 1;
    for (int h = 0; h < g->nhosts; h++) {
        if (g->cols[h] < x) lo = 0;
        if (g->cols[h] > x) hi = 0;
    }
    if (lo && !hi)
        return -1;
    if (hi && !lo)
        return 1;
    return x <= g->band_x + g->band_w / 2 ? 1 : -1;
}

/* A label centred on lifeline x: a box on the lifeline. */
static void centre_label(struct view_screen *scr, const struct dgeom *g, int x,
                         int y, const char *text, int role, int utf8)
{
    int gap = g->band_w;
    for (int h = 0; h + 1 < g->nhosts; h++)
        if (g->cols[h + 1] - g->cols[h] < gap)
            gap = g->cols[h + 1] - g->cols[h];
    int maxw = gap - 2 > 16 ? gap - 2 : 16;
    char buf[256];
    snprintf(buf, sizeof buf, " %s ", text);
    int w = view_text_width(buf);
    if (w > maxw)
        w = maxw;
    int x0 = x - w / 2;
    if (x0 + w > g->band_x + g->band_w)
        x0 = g->band_x + g->band_w - w;
    if (x0 < g->band_x)
        x0 = g->band_x;
    put_fit(scr, x0, y, maxw, buf, role, utf8);
}

static void timer_text(const struct view_index *ix, const struct view_state *st,
                       size_t i, char *buf, size_t n)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    char d[32], left[32];
    const char *name = timer_name_str(r->u.timer.name);
    switch (r->u.timer.action) {
    case TA_START:
        fmt_duration(r->u.timer.due_us - r->t_us, d, sizeof d);
        if (timer_running(ix, i, st->cur)) {
            int64_t rem = r->u.timer.due_us - tr->recs[st->cur].t_us;
            fmt_duration(rem > 0 ? rem : 0, left, sizeof left);
            snprintf(buf, n, "%s %s, %s left", name, d, left);
        } else {
            snprintf(buf, n, "%s %s", name, d);
        }
        break;
    case TA_STOP:
        snprintf(buf, n, "%s stopped", name);
        break;
    default:
        snprintf(buf, n, "%s expired", name);
        break;
    }
}

/* ---- the kernel beside the model (--real) ---- */

/* The mark of a kernel state record: ? not observed, ≠ the model is in
 * another state at that moment, ~ the same state with another detail
 * (TIME_WAIT's length), else none (-1). */
static int kernel_mark(const struct view_index *ix, size_t i)
{
    uint8_t m = ix->kmark ? ix->kmark[i] : 0;
    if (m & KM_UNSEEN)
        return G_KQUERY;
    if (m & KM_DIFF)
        return G_KDIFF;
    if (m & KM_DETAIL)
        return G_KDETAIL;
    return -1;
}

static int kernel_role(const struct trace_rec *r)
{
    if (r->u.real.what == RW_UNSEEN)
        return R_KUNSEEN;
    return state_role(TL_TCP, r->u.real.state);
}

/* The short text of a kernel record that is not a state, for its host's
 * kernel column: "close()", "lo FIN,ACK"; "" for the rest. */
static char *kernel_short(const struct trace_rec *r, char *buf, size_t n)
{
    char fl[32];
    buf[0] = '\0';
    if (r->u.real.what == RW_CALL)
        snprintf(buf, n, "%s()", real_call_name(r->u.real.state));
    else if (r->u.real.what == RW_PACKET)
        snprintf(buf, n, "lo %s", tcp_flags_str(r->u.real.flags, fl, sizeof fl));
    return buf;
}

/* A kernel record's row.  States go in the host's kernel column (the mark
 * cell, then the name), calls and captured segments there too, dimmed;
 * folded, a marker on the lifeline and a label beside it.  What belongs to
 * no column (not replayed, how the replay ran) is a dim narration row. */
static void draw_real(const struct view_index *ix, const struct view_state *st,
                      const struct dgeom *g, struct view_screen *scr, size_t i)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    int y = row_of(g, i), utf8 = st->utf8, sel = i == st->cur;
    int x = col_of(g, r->host);
    int kx = r->host >= 0 && r->host < g->nhosts ? g->kx[r->host] : -1;
    int what = r->u.real.what;
    char buf[1024], txt[64];
    if (what == RW_STATE || what == RW_UNSEEN) {
        const char *name = tcp_state_name(r->u.real.state);
        int role = sel ? R_SELECTED : kernel_role(r);
        int mark = kernel_mark(ix, i);
        if (kx >= 0) {
            set_glyph(scr, kx, y, G_KGUIDE, R_KERNEL, utf8);
            set_cell(scr, kx + 1, y, ' ', R_NORMAL);
            if (mark >= 0)
                set_glyph(scr, kx + 1, y, mark,
                          sel ? R_SELECTED : mark == G_KDIFF ? R_ALERT : R_KUNSEEN,
                          utf8);
            put_fit(scr, kx + 2, y, VIEW_KCOL_W - 2, name, role, utf8);
        } else if (x >= 0) {
            set_glyph(scr, x, y, what == RW_UNSEEN ? G_KUNSEEN : G_KOBS, role, utf8);
            uint32_t mc = mark >= 0 ? view_glyph(mark, utf8) : 0;
            char m8[8] = "";
            if (mc)
                m8[utf8_put(mc, m8)] = '\0';
            snprintf(buf, sizeof buf, "kernel %s%s", m8, name);
            side_label(scr, g, x, y, outer_side(g, x), buf, role, utf8);
        }
        return;
    }
    if ((what == RW_CALL || what == RW_PACKET) && x >= 0) {
        kernel_short(r, txt, sizeof txt);
        int fail = what == RW_CALL && r->u.real.val < 0;
        int role = sel ? R_SELECTED : fail ? R_ALERT : R_KERNEL;
        if (kx >= 0) {
            set_glyph(scr, kx, y, G_KGUIDE, R_KERNEL, utf8);
            set_cell(scr, kx + 1, y, ' ', R_NORMAL);
            if (fail)
                set_glyph(scr, kx + 1, y, G_CROSS, sel ? R_SELECTED : R_ALERT, utf8);
            put_fit(scr, kx + 2, y, VIEW_KCOL_W - 2, txt, role, utf8);
        } else {
            snprintf(buf, sizeof buf, "%s%s%s", what == RW_CALL ? "real " : "", txt,
                     fail ? " failed" : "");
            side_label(scr, g, x, y, outer_side(g, x), buf, role, utf8);
        }
        return;
    }
    /* not replayed, how the replay ran: the sentence, as a dim narration */
    trace_why(tr, r, buf, sizeof buf);
    if (!buf[0])
        render_event(tr, r, buf, sizeof buf);
    int x0 = g->band_x, x1 = g->r.x + g->r.w;
    put_fit(scr, x0, y, x1 - x0, buf, sel ? R_SELECTED : R_KERNEL, utf8);
}

/* The row's own content, drawn over whatever crosses it. */
static void draw_own(const struct view_index *ix, const struct view_state *st,
                     const struct dgeom *g, struct view_screen *scr,
                     const struct rowinfo *ri, size_t i)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    int y = row_of(g, i), utf8 = st->utf8, sel = i == st->cur;
    int x = col_of(g, r->host);
    char buf[512], lab[256];

    /* time, when it moves on (and at the top, for context) */
    if (i == g->top || tr->recs[i - 1].t_us != r->t_us || sel) {
        char t[32];
        fmt_time(r->t_us, t, sizeof t);
        int tl = (int)strlen(t);
        view_put(scr, g->r.x + g->tw - tl, y, tl, t, sel ? R_CURSOR : R_TIME, utf8);
    }
    if (sel)
        set_glyph(scr, g->mark_x, y, G_MARK, R_CURSOR, utf8);

    switch (r->kind) {
    case TK_STATE:
        if (x >= 0)
            centre_label(scr, g, x, y, trace_state_name(r->layer, r->u.state.to),
                         sel ? R_SELECTED : state_role(r->layer, r->u.state.to),
                         utf8);
        break;
    case TK_TIMER:
        if (x >= 0) {
            timer_text(ix, st, i, buf, sizeof buf);
            side_label(scr, g, x, y, outer_side(g, x), buf,
                       sel ? R_SELECTED : R_TIMER, utf8);
        }
        break;
    case TK_SEND: {
        const struct rowinfo *p = &ri[i - g->top];
        if (!p->has_path)
            break;
        view_packet_label(tr, r, lab, sizeof lab);
        /* the wider free stretch beside the first segment, towards targets */
        int rl = p->thi - 2 - (p->hi + 2) + 1, ll = (p->lo - 2) - (p->tlo + 2) + 1;
        int from, w;
        if (p->thi > p->hi && (rl >= ll || p->tlo >= p->lo)) {
            from = p->hi + 2;
            w = rl;
        } else {
            from = p->tlo + 2;
            w = ll;
        }
        avoid_kcols(g, &from, &w);
        if (w < 3)
            break;
        int tw = view_text_width(lab);
        if (tw < w)
            from += (w - tw) / 2;
        put_fit(scr, from, y, w, lab,
                sel ? R_SELECTED : proto_role(ix->proto[i]), utf8);
        break;
    }
    case TK_RECV:
        if (x >= 0) {
            recv_label(tr, r, lab, sizeof lab);
            int xs = col_of(g, r->u.pkt.src);
            side_label(scr, g, x, y, xs >= 0 && xs > x ? -1 : 1, lab,
                       sel ? R_SELECTED : proto_role(ix->proto[i]), utf8);
        }
        break;
    case TK_DROP: {
        const struct rowinfo *p = &ri[i - g->top];
        if (ix->peer[i] >= 0 && p->cross_dir) {
            int from, w;
            side_room(g, p->cross_x, p->cross_dir, &from, &w);
            const char *why = drop_short(r->u.pkt.reason);
            if (p->cross_dir < 0) {
                int tw = view_text_width(why);
                from = p->cross_x - 1 - (tw < w ? tw : w);
            }
            put_fit(scr, from, y, w, why, sel ? R_SELECTED : R_DROP, utf8);
        } else if (x >= 0) {
            /* a frame that never left (no send record): a cross on the
             * lifeline and what was lost */
            set_glyph(scr, x, y, G_CROSS, R_DROP, utf8);
            view_packet_label(tr, r, lab, sizeof lab);
            snprintf(buf, sizeof buf, "%s: %s", lab, drop_short(r->u.pkt.reason));
            side_label(scr, g, x, y, outer_side(g, x), buf,
                       sel ? R_SELECTED : R_DROP, utf8);
        }
        break;
    }
    case TK_NOTE: {
        int x0 = g->mark_x + 1, x1 = g->r.x + g->r.w;
        int role = sel ? R_SELECTED : R_NOTE;
        for (int xx = x0; xx < x1; xx++)
            set_glyph(scr, xx, y, G_NOTEFILL, role, utf8);
        snprintf(buf, sizeof buf, " %s ", trace_str(tr, r->u.note.text));
        put_fit(scr, x0 + 2, y, x1 - x0 - 4, buf, role, utf8);
        break;
    }
    case TK_APP:
        if (x >= 0) {
            render_event(tr, r, buf, sizeof buf);
            centre_label(scr, g, x, y, buf,
                         sel ? R_SELECTED : r->u.app.ret < 0 ? R_ALERT : R_APP, utf8);
        }
        break;
    case TK_REAL:
        draw_real(ix, st, g, scr, i);
        break;
    default:
        render_event(tr, r, buf, sizeof buf);
        if (x >= 0)
            centre_label(scr, g, x, y, buf, sel ? R_SELECTED : R_APP, utf8);
        else
            put_fit(scr, g->band_x, y, g->band_w, buf, sel ? R_SELECTED : R_APP, utf8);
        break;
    }
}

void view_render_diagram(const struct view_index *ix, const struct view_state *st,
                         struct view_screen *scr, struct view_rect r)
{
    const struct trace *tr = ix->tr;
    fill(scr, r, ' ', R_NORMAL);
    if (r.h < 3 || r.w < 20)
        return;
    struct dgeom g;
    memset(&g, 0, sizeof g);
    g.r = r;
    g.rh = st->projector ? 2 : 1;
    g.body_y = r.y + 2;
    g.body_h = r.h - 2;
    g.tw = ix->time_w;
    g.mark_x = r.x + g.tw + 1;
    g.band_x = r.x + g.tw + 3;
    g.band_w = r.x + r.w - g.band_x;
    g.nhosts = tr->nhosts;
    int colbuf[128];
    g.cols = g.nhosts <= 64 ? colbuf : malloc((size_t)g.nhosts * 2 * sizeof *g.cols);
    if (!g.cols)
        return;
    g.kx = g.cols + (g.nhosts <= 64 ? 64 : g.nhosts);
    g.kmode = view_kernel_columns(g.nhosts, ix->khost, g.band_x, g.band_w, g.cols,
                                  g.kx);
    if (g.kmode == VK_FULL && r.h >= 6) {
        g.body_y++;                          /* a third header row: "kernel" */
        g.body_h--;
    } else if (g.kmode == VK_FULL) {
        g.kmode = VK_FOLDED;
        for (int h = 0; h < g.nhosts; h++)
            g.kx[h] = -1;
        view_columns(g.nhosts, g.band_x, g.band_w, g.cols);
    }
    g.clip = (struct view_rect){ r.x, g.body_y, r.w, g.body_h };

    /* header: name above address, centred on each lifeline */
    int gap = g.band_w;
    for (int h = 0; h + 1 < g.nhosts; h++)
        if (g.cols[h + 1] - g.cols[h] < gap)
            gap = g.cols[h + 1] - g.cols[h];
    view_put(scr, r.x + g.tw - 4, r.y, 4, "time", R_TIME, st->utf8);
    for (int h = 0; h < g.nhosts; h++) {
        char addr[20];
        const char *nm = tr->host_names[h];
        ip4_str(tr->host_addrs[h], addr, sizeof addr);
        int maxw = gap - 1 < 24 ? gap - 1 : 24;
        int w = view_text_width(nm);
        if (w > maxw)
            w = maxw;
        put_fit(scr, g.cols[h] - w / 2, r.y, maxw, nm,
                h == st->host ? R_HOST_SEL : R_HOST, st->utf8);
        w = (int)strlen(addr) < maxw ? (int)strlen(addr) : maxw;
        put_fit(scr, g.cols[h] - w / 2, r.y + 1, maxw, addr, R_ADDR, st->utf8);
        if (g.kx[h] >= 0)
            view_put(scr, g.kx[h], r.y + 2, VIEW_KCOL_W, "kernel", R_KHEAD,
                     st->utf8);
    }
    if (ix->n == 0) {
        view_put(scr, g.band_x, g.body_y, g.band_w, "(the run recorded no events)",
                 R_TIME, st->utf8);
        if (g.cols != colbuf)
            free(g.cols);
        return;
    }

    size_t cur = st->cur < ix->n ? st->cur : ix->n - 1;
    struct view_state s2 = *st;
    s2.cur = cur;
    size_t vis = (size_t)(g.body_h / g.rh);
    if (vis < 1)
        vis = 1;
    g.top = cur + 1 > vis ? cur + 1 - vis : 0;
    g.nvis = cur - g.top + 1;

    /* lifelines, and the kernel columns' guides: under everything else */
    for (int y = g.body_y; y < g.body_y + g.body_h && y <= row_of(&g, cur) + g.rh - 1; y++)
        for (int h = 0; h < g.nhosts; h++) {
            set_glyph(scr, g.cols[h], y, G_VLINE, R_LIFELINE, st->utf8);
            if (g.kx[h] >= 0)
                set_glyph(scr, g.kx[h], y, G_KGUIDE, R_KERNEL, st->utf8);
        }

    struct rowinfo *ri = calloc(g.nvis, sizeof *ri);
    if (!ri) {
        if (g.cols != colbuf)
            free(g.cols);
        return;
    }
    /* everything that crosses the window: timers under packets */
    size_t from = (size_t)ix->live[g.top];
    for (size_t s = from; s <= cur; s++) {
        const struct trace_rec *rr = &tr->recs[s];
        if (rr->kind == TK_TIMER && rr->u.timer.action == TA_START &&
            (timer_running(ix, s, cur) || (size_t)ix->end[s] >= g.top))
            draw_timer_bar(ix, &s2, &g, scr, s);
    }
    struct endmarks marks = { NULL, 0, 0 };
    for (size_t s = from; s <= cur; s++) {
        const struct trace_rec *rr = &tr->recs[s];
        if (rr->kind == TK_SEND && (ix->end[s] < 0 || (size_t)ix->end[s] >= g.top ||
                                    s >= g.top))
            draw_flight(ix, &s2, &g, scr, ri, &marks, s);
    }
    for (int k = 0; k < marks.n; k++)
        if (in_clip(g.clip, marks.v[k].x, marks.v[k].y))
            set_glyph(scr, marks.v[k].x, marks.v[k].y, marks.v[k].g, marks.v[k].role,
                      st->utf8);
    free(marks.v);
    for (size_t i = g.top; i <= cur; i++)
        draw_own(ix, &s2, &g, scr, ri, i);
    free(ri);
    if (g.cols != colbuf)
        free(g.cols);
}

/* ======================================================================== */
/* Lines for the panes                                                      */

void view_lines_free(struct view_lines *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static void add_line_n(struct view_lines *l, int role, int head_role, int head_len,
                       const char *text, size_t len)
{
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 32;
        struct view_line *nv = realloc(l->v, (size_t)nc * sizeof *nv);
        if (!nv)
            return;
        l->v = nv;
        l->cap = nc;
    }
    char *t = malloc(len + 1);
    if (!t)
        return;
    memcpy(t, text, len);
    t[len] = '\0';
    l->v[l->n++] = (struct view_line){ t, (uint8_t)role, (uint8_t)head_role,
                                       head_len };
}

/* Adds text word-wrapped to width; continuation lines are indented by
 * `indent` columns.  The first head_len bytes use head_role. */
static void add_wrapped(struct view_lines *l, int width, int indent, int role,
                        int head_role, int head_len, const char *text)
{
    if (width < 8)
        width = 8;
    char line[1024];
    const char *p = text;
    int first = 1;
    do {
        int pre = first ? 0 : indent;
        size_t pos = 0;
        memset(line, ' ', (size_t)pre);
        pos = (size_t)pre;
        int w = pre;
        const char *brk = NULL, *q = p;
        size_t brkpos = 0;
        while (*q && *q != '\n') {
            uint32_t c;
            int len = utf8_next(q, &c);
            int cw = cp_width(c);
            if (w + cw > width || pos + (size_t)len + 1 >= sizeof line)
                break;
            if (c == ' ') {
                brk = q;
                brkpos = pos;
            }
            memcpy(line + pos, q, (size_t)len);
            pos += (size_t)len;
            w += cw;
            q += len;
        }
        if (*q && *q != '\n' && brk && brk > p) {
            pos = brkpos;
            q = brk + 1;
        }
        if (q == p && *q && *q != '\n') {    /* one glyph wider than width */
            uint32_t c;
            q += utf8_next(q, &c);
        }
        add_line_n(l, role, head_role, first ? head_len : 0, line, pos);
        if (*q == '\n')
            q++;
        p = q;
        first = 0;
    } while (*p);
}

static void add_fmt(struct view_lines *l, int width, int role, int head_role,
                    int head_len, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void add_fmt(struct view_lines *l, int width, int role, int head_role,
                    int head_len, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add_wrapped(l, width, head_len > 0 && head_len < 12 ? head_len + 1 : 4, role,
                head_role, head_len, buf);
}

static void hex_lines(struct view_lines *l, int width, const uint8_t *p, size_t n,
                      size_t max)
{
    int per = width >= 72 ? 16 : 8;
    size_t shown = n < max ? n : max;
    for (size_t off = 0; off < shown; off += (size_t)per) {
        char buf[160];
        int pos = snprintf(buf, sizeof buf, "%04zx  ", off);
        for (int j = 0; j < per; j++) {
            if (off + (size_t)j < n)
                pos += snprintf(buf + pos, sizeof buf - (size_t)pos, "%02x ",
                                p[off + (size_t)j]);
            else
                pos += snprintf(buf + pos, sizeof buf - (size_t)pos, "   ");
        }
        buf[pos++] = ' ';
        for (int j = 0; j < per && off + (size_t)j < n; j++) {
            uint8_t c = p[off + (size_t)j];
            buf[pos++] = c >= 32 && c < 127 ? (char)c : '.';
        }
        add_line_n(l, R_HEX, R_TIME, 4, buf, (size_t)pos);
    }
    if (n > shown)
        add_fmt(l, width, R_TIME, 0, 0, "... %zu more bytes", n - shown);
}

/* The DNS message in a UDP payload (RFC 1035 4.1), section by section. */
static void inspect_dns(const uint8_t *p, size_t len, int width, struct view_lines *out)
{
    struct dns_msg *m = malloc(sizeof *m);
    char err[128], ty[16], rc[16], rr[512];
    if (!m)
        return;
    if (dns_decode(p, len, m, err, sizeof err) != 0) {
        add_fmt(out, width, R_DROP, R_LAYER, 3, "DNS malformed: %s", err);
        free(m);
        return;
    }
    add_fmt(out, width, R_NORMAL, R_LAYER, 3, "DNS id 0x%04x %s rcode %s%s%s%s%s",
            m->id, m->qr ? "response" : "query", dns_rcode_name(m->rcode, rc, sizeof rc),
            m->aa ? " AA" : "", m->tc ? " TC" : "", m->rd ? " RD" : "",
            m->ra ? " RA" : "");
    if (m->qdcount)
        add_fmt(out, width, R_NORMAL, R_TIME, 10, "  question %s %s", m->qname,
                dns_type_name(m->qtype, ty, sizeof ty));
    static const char *const sect[3] = { "  answer", "  authority", "  additional" };
    const struct dns_rr *rrs[3] = { m->an, m->ns, m->ar };
    int cnt[3] = { m->nan, m->nns, m->nar };
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < cnt[k] && i < DNS_MAX_RR; i++)
            add_fmt(out, width, R_NORMAL, R_TIME, (int)strlen(sect[k]), "%s %s", sect[k],
                    dns_rr_str(&rrs[k][i], rr, sizeof rr));
    free(m);
}

static void inspect_packet(const struct view_index *ix, const struct view_state *st,
                           size_t i, int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    const char *arrow = st->utf8 ? "\u2192" : "->";
    char d[32], t[32], a[32], b[32], fl[32];

    /* where the packet is, as far as event N knows */
    if (r->kind == TK_SEND) {
        int shown = 0;
        for (int32_t e = ix->first_end[i]; e >= 0 && (size_t)e <= st->cur;
             e = ix->next_end[e]) {
            const struct trace_rec *er = &tr->recs[e];
            fmt_duration(er->t_us - r->t_us, d, sizeof d);
            if (er->kind == TK_RECV)
                add_fmt(out, width, R_NORMAL, R_LAYER, 7,
                        "Flight arrives at %s at %s (after %s, event #%d)",
                        host_name(tr, er->host), fmt_time(er->t_us, t, sizeof t), d,
                        e + 1);
            else
                add_fmt(out, width, R_DROP, R_LAYER, 7,
                        "Flight dropped at %s: %s (event #%d)",
                        fmt_time(er->t_us, t, sizeof t),
                        drop_reason_str(er->u.pkt.reason), e + 1);
            shown = 1;
        }
        if (!shown)
            add_fmt(out, width, R_NORMAL, R_LAYER, 7, "Flight %s %s %s: on its way",
                    host_name(tr, r->u.pkt.src), arrow, host_name(tr, r->u.pkt.dst));
    } else if (ix->peer[i] >= 0) {
        const struct trace_rec *sr = &tr->recs[ix->peer[i]];
        fmt_duration(r->t_us - sr->t_us, d, sizeof d);
        add_fmt(out, width, r->kind == TK_DROP ? R_DROP : R_NORMAL, R_LAYER, 7,
                "Flight sent by %s at %s (event #%d), %s %s",
                host_name(tr, sr->host), fmt_time(sr->t_us, t, sizeof t),
                ix->peer[i] + 1, r->kind == TK_DROP ? "dropped after" : "took", d);
    }
    if (r->kind == TK_DROP)
        add_fmt(out, width, R_DROP, R_LAYER, 7, "Dropped %s",
                drop_reason_str(r->u.pkt.reason));

    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (frame_decode(p, len, &f, err, sizeof err) != 0) {
        add_fmt(out, width, R_DROP, R_LAYER, 9, "Malformed %s (%zu bytes)", err, len);
        hex_lines(out, width, p, len, 4096);
        return;
    }
    add_fmt(out, width, R_NORMAL, R_LAYER, 8, "Ethernet %s %s %s type 0x%04x%s, %zu bytes",
            mac_str(f.eth.src, a, sizeof a), arrow, mac_str(f.eth.dst, b, sizeof b),
            f.eth.type, f.eth.type == ETHERTYPE_IPV4 ? " (IPv4)"
                      : f.eth.type == ETHERTYPE_ARP ? " (ARP)" : "", len);
    if (f.has_ip) {
        add_fmt(out, width, R_NORMAL, R_LAYER, 4,
                "IPv4 %s %s %s ttl %u id %u len %u proto %u checksum 0x%04x %s",
                ip4_str(f.ip.src, a, sizeof a), arrow, ip4_str(f.ip.dst, b, sizeof b),
                f.ip.ttl, f.ip.id, f.ip.total_len, f.ip.proto, f.ip.checksum,
                f.ip_csum_ok ? "ok" : "BAD");
        if (f.l4 == IPPROTO_TCP_NUM) {
            char mss[24] = "";
            if (f.tcp.mss)
                snprintf(mss, sizeof mss, " mss %u", f.tcp.mss);
            add_fmt(out, width, R_NORMAL, R_LAYER, 3,
                    "TCP %u %s %u seq %" PRIu32 " ack %" PRIu32 " flags %s win %u%s"
                    " checksum 0x%04x %s",
                    f.tcp.sport, arrow, f.tcp.dport, f.tcp.seq, f.tcp.ack,
                    tcp_flags_str(f.tcp.flags, fl, sizeof fl), f.tcp.win, mss,
                    f.tcp.checksum, f.l4_csum_ok ? "ok" : "BAD");
        } else if (f.l4 == IPPROTO_UDP_NUM) {
            add_fmt(out, width, R_NORMAL, R_LAYER, 3,
                    "UDP %u %s %u len %u checksum 0x%04x %s", f.udp.sport, arrow,
                    f.udp.dport, f.udp.len, f.udp.checksum,
                    f.l4_csum_ok ? "ok" : "BAD");
        }
    }
    struct arp_pkt ap;
    if (f.eth.type == ETHERTYPE_ARP &&
        arp_decode(f.payload, f.payload_len, &ap) == 0) {
        add_fmt(out, width, R_NORMAL, R_LAYER, 3, "ARP %s  sender %s %s  target %s %s",
                ap.op == ARP_OP_REQUEST ? "request" : ap.op == ARP_OP_REPLY ? "reply"
                                                                            : "op?",
                mac_str(ap.sha, a, sizeof a), ip4_str(ap.spa, b, sizeof b),
                mac_str(ap.tha, t, sizeof t), ip4_str(ap.tpa, d, sizeof d));
    }
    if (f.has_ip && f.l4 == IPPROTO_UDP_NUM &&
        (f.udp.sport == DNS_PORT || f.udp.dport == DNS_PORT))
        inspect_dns(f.payload, f.payload_len, width, out);
    char sum[256];
    packet_summary(&f, sum, sizeof sum);
    add_fmt(out, width, R_NORMAL, R_LAYER, 7, "Summary %s", sum);
    add_fmt(out, width, R_NORMAL, R_LAYER, 7, "Payload %zu bytes", f.payload_len);
    if (f.payload_len)
        hex_lines(out, width, f.payload, f.payload_len, 4096);
}

/* Where a kernel record came from, in words. */
static const char *real_source_text(int source)
{
    switch (source) {
    case RS_TCP_INFO:  return "tcp_info: getsockopt(TCP_INFO) on the socket's descriptor";
    case RS_SOCK_DIAG: return "sock_diag: NETLINK_SOCK_DIAG (inet_diag), by the "
                              "connection's 4-tuple";
    case RS_CAPTURE:   return "capture: an AF_PACKET socket on lo";
    default:           return "replay: the replay of the scenario's calls";
    }
}

/* A kernel record (--real): where it came from, its timer, and for a
 * state the model's state at that moment and the --batch table's verdict. */
static void inspect_real(const struct view_index *ix, const struct view_state *st,
                         size_t i, int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    int what = r->u.real.what;
    char d[32], why[1024];
    add_fmt(out, width, R_NORMAL, R_LAYER, 6, "Source %s",
            real_source_text(r->u.real.source));
    if (what != RW_STATE && what != RW_UNSEEN)
        return;
    const char *name = tcp_state_name(r->u.real.state);
    if (what == RW_STATE) {
        const char *tname = "";
        if (r->why.id == N_REAL_SEEN_DIAG_TMR || r->why.id == N_REAL_SEEN_TW_FD)
            tname = trace_str(tr, (uint32_t)r->why.a[1]);
        if (r->u.real.val >= 0)
            add_fmt(out, width, R_NORMAL, R_LAYER, 5,
                    "Timer %s%s%s left when seen (the kernel's own clock; the "
                    "replay never waits it out)", tname, tname[0] ? " " : "",
                    fmt_duration((int64_t)r->u.real.val * 1000, d, sizeof d));
        else
            add_fmt(out, width, R_NORMAL, R_LAYER, 5, "Timer none reported");
    }
    uint8_t m = ix->kmark ? ix->kmark[i] : 0;
    if (ix->kmodel && ix->kmodel[i] >= 0) {
        const char *now = tcp_state_name(ix->kmodel[i]);
        if (what == RW_UNSEEN)
            add_fmt(out, width, R_KUNSEEN, R_LAYER, 5,
                    "Model %s at this moment; the kernel was not seen in %s",
                    now, name);
        else if (m & KM_DIFF)
            add_fmt(out, width, R_ALERT, R_LAYER, 5,
                    "Model %s at this moment %s the kernel's %s", now,
                    st->utf8 ? "\u2260" : "!=", name);
        else
            add_fmt(out, width, R_NORMAL, R_LAYER, 5,
                    "Model %s at this moment: the same", name);
    }
    if (m & (KM_SAME | KM_DETAIL | KM_ONLY)) {
        char v[1200];
        if (m & KM_SAME)
            snprintf(v, sizeof v, "= the model goes through %s too", name);
        else if (what == RW_UNSEEN)
            snprintf(v, sizeof v, "x only the model shows %s", name);
        else
            snprintf(v, sizeof v, "%c %s", m & KM_DETAIL ? '~' : 'x',
                     trace_why(tr, &(struct trace_rec){ .why = ix->kwhy[i] }, why,
                               sizeof why));
        add_fmt(out, width, R_NORMAL, R_LAYER, 8, "Compared %s", v);
    }
    if ((m & KM_DIFF) && !(m & (KM_DETAIL | KM_ONLY))) {
        struct why tw = WHY0(N_REAL_DIFF_TIMING);
        add_wrapped(out, width, 2, R_WHY, R_WHY, 0,
                    narrate(&tw, NULL, why, sizeof why));
    }
}

void view_inspector_lines(const struct view_index *ix, const struct view_state *st,
                          int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    if (ix->n == 0) {
        add_fmt(out, width, R_TIME, 0, 0, "no events");
        return;
    }
    size_t i = st->cur < ix->n ? st->cur : ix->n - 1;
    const struct trace_rec *r = &tr->recs[i];
    char t[32], ev[512], why[1024];
    add_fmt(out, width, R_WHY, R_LAYER, 0, "#%zu/%zu  %s  %s  %s", i + 1, ix->n,
            fmt_time(r->t_us, t, sizeof t),
            r->host >= 0 ? host_name(tr, r->host) : "everyone",
            r->kind == TK_STATE ? trace_layer_name(r->layer) : trace_kind_name(r->kind));
    render_event(tr, r, ev, sizeof ev);
    int role = r->kind == TK_STATE ? state_role(r->layer, r->u.state.to)
             : r->kind == TK_DROP ? R_DROP
             : r->kind == TK_TIMER ? R_TIMER
             : r->kind == TK_NOTE ? R_NOTE
             : (r->kind == TK_SEND || r->kind == TK_RECV) ? proto_role(ix->proto[i]) : R_APP;
    add_wrapped(out, width, 2, role, role, 0, ev);
    trace_why(tr, r, why, sizeof why);
    if (why[0] && r->kind != TK_NOTE)
        add_wrapped(out, width, 2, R_WHY, R_WHY, 0, why);
    if (r->conn)
        add_fmt(out, width, R_NORMAL, R_LAYER, 10, "Connection %s", trace_str(tr, r->conn));
    switch (r->kind) {
    case TK_SEND: case TK_RECV: case TK_DROP:
        inspect_packet(ix, st, i, width, out);
        break;
    case TK_TIMER:
        if (r->u.timer.action == TA_START) {
            char d[32];
            int64_t rem = r->u.timer.due_us - r->t_us;
            add_fmt(out, width, R_NORMAL, R_LAYER, 5, "Timer %s due at %s (in %s)",
                    timer_name_str(r->u.timer.name),
                    fmt_time(r->u.timer.due_us, t, sizeof t),
                    fmt_duration(rem, d, sizeof d));
        }
        break;
    case TK_STATE:
        add_fmt(out, width, R_NORMAL, R_LAYER, 5, "State %s %s %s",
                trace_state_name(r->layer, r->u.state.from), st->utf8 ? "\u2192" : "->",
                trace_state_name(r->layer, r->u.state.to));
        break;
    case TK_APP:
        if (r->u.app.data) {
            size_t len;
            const uint8_t *p = trace_blob_data(tr, r->u.app.data, &len);
            add_fmt(out, width, R_NORMAL, R_LAYER, 4, "Data %zu bytes", len);
            hex_lines(out, width, p, len, 4096);
        }
        break;
    case TK_REAL:
        inspect_real(ix, st, i, width, out);
        break;
    default:
        break;
    }
}

/* --real: the kernel's last observed state of a connection, under the
 * model's state at the selected moment: "    kernel ≠ ESTABLISHED  tcp_info
 * at 0.010s" (= the same as the model's now, ≠ another, ? the last news is
 * a state the kernel was not seen in). */
static void kernel_state_line(const struct view_index *ix, const struct view_state *st,
                              size_t i, int model, int width, struct view_lines *out)
{
    const struct trace_rec *r = &ix->tr->recs[i];
    char buf[256], m8[8] = "", d[32], t[32], extra[96] = "";
    int mark = r->u.real.what == RW_UNSEEN ? G_KQUERY
             : r->u.real.state == model ? G_KSAME : G_KDIFF;
    m8[utf8_put(view_glyph(mark, st->utf8), m8)] = '\0';
    fmt_time(r->t_us, t, sizeof t);
    if (r->u.real.what == RW_UNSEEN)
        snprintf(extra, sizeof extra, " not observed (%s)", t);
    else if (r->u.real.val >= 0)
        snprintf(extra, sizeof extra, "  %s at %s, timer %s",
                 real_source_name(r->u.real.source), t,
                 fmt_duration((int64_t)r->u.real.val * 1000, d, sizeof d));
    else
        snprintf(extra, sizeof extra, "  %s at %s", real_source_name(r->u.real.source),
                 t);
    int pre = snprintf(buf, sizeof buf, "    kernel %s ", m8);
    snprintf(buf + pre, sizeof buf - (size_t)pre, "%s%s",
             tcp_state_name(r->u.real.state), extra);
    add_wrapped(out, width, 6, kernel_role(r), mark == G_KDIFF ? R_ALERT : R_KERNEL,
                pre, buf);
}

/* Connection and cache state at event N, rebuilt from the prefix. */
struct conn_view {
    uint32_t conn;
    int      host, layer, state, have_state;
    int      have_snd, have_rcv;
    uint32_t snd_nxt, rcv_nxt;
    int64_t  due[TM_COUNT];
    long     kernel;           /* --real: the last kernel state record, -1 */
};

void view_state_lines(const struct view_index *ix, const struct view_state *st,
                      int width, struct view_lines *out)
{
    const struct trace *tr = ix->tr;
    if (ix->n == 0) {
        add_fmt(out, width, R_TIME, 0, 0, "no events");
        return;
    }
    size_t cur = st->cur < ix->n ? st->cur : ix->n - 1;
    int64_t now = tr->recs[cur].t_us;
    size_t nstrs = tr->nstrs ? tr->nstrs : 1;
    int32_t *slot = malloc(nstrs * sizeof *slot);
    struct conn_view *cv = NULL;
    int ncv = 0, capcv = 0;
    if (!slot)
        return;
    for (size_t i = 0; i < nstrs; i++)
        slot[i] = -1;
    for (size_t i = 0; i <= cur; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (!r->conn || r->conn >= nstrs)
            continue;
        int kstate = r->kind == TK_REAL && (r->u.real.what == RW_STATE ||
                                            r->u.real.what == RW_UNSEEN);
        if (r->kind != TK_STATE && r->kind != TK_SEND && r->kind != TK_TIMER &&
            !kstate)
            continue;
        int k = slot[r->conn];
        if (k < 0) {
            if (ncv == capcv) {
                int nc = capcv ? capcv * 2 : 16;
                struct conn_view *nv = realloc(cv, (size_t)nc * sizeof *nv);
                if (!nv)
                    break;
                cv = nv;
                capcv = nc;
            }
            k = slot[r->conn] = ncv++;
            memset(&cv[k], 0, sizeof cv[k]);
            cv[k].conn = r->conn;
            cv[k].host = r->host;
            cv[k].layer = kstate ? TL_TCP : r->layer;
            cv[k].kernel = -1;
            for (int j = 0; j < TM_COUNT; j++)
                cv[k].due[j] = -1;
        }
        struct conn_view *c = &cv[k];
        switch (r->kind) {
        case TK_STATE:
            c->state = r->u.state.to;
            c->layer = r->layer;
            c->have_state = 1;
            break;
        case TK_SEND:
            if (r->u.pkt.dup || !(ix->flags[i] & VF_TCP))
                break;
            if (!c->have_snd || seq_gt(ix->tcp_nxt[i], c->snd_nxt))
                c->snd_nxt = ix->tcp_nxt[i];
            c->have_snd = 1;
            if (ix->flags[i] & VF_ACK) {
                c->rcv_nxt = ix->tcp_ack[i];
                c->have_rcv = 1;
            }
            break;
        case TK_TIMER:
            if (r->u.timer.name < TM_COUNT)
                c->due[r->u.timer.name] =
                    r->u.timer.action == TA_START ? r->u.timer.due_us : -1;
            break;
        case TK_REAL:
            c->kernel = (long)i;
            break;
        }
    }
    free(slot);

    for (int h = 0; h < tr->nhosts; h++) {
        char addr[20], buf[512], d[32];
        ip4_str(tr->host_addrs[h], addr, sizeof addr);
        int nm = (int)strlen(tr->host_names[h]);
        add_fmt(out, width, R_ADDR, h == st->host ? R_HOST_SEL : R_HOST, nm,
                "%s %s", tr->host_names[h], addr);
        /* closed connections pile up in long runs: keep the last few */
        int nclosed = 0, skip_closed;
        for (int k = 0; k < ncv; k++)
            if (cv[k].host == h && cv[k].have_state && cv[k].layer == TL_TCP &&
                cv[k].state == TCP_CLOSED)
                nclosed++;
        skip_closed = nclosed > 3 ? nclosed - 3 : 0;
        if (skip_closed)
            add_fmt(out, width, R_TIME, 0, 0, "  (%d earlier connections closed)",
                    skip_closed);
        int any = skip_closed > 0;
        for (int k = 0; k < ncv; k++) {
            const struct conn_view *c = &cv[k];
            if (c->host != h || (!c->have_state && c->kernel < 0))
                continue;
            if (skip_closed && c->layer == TL_TCP && c->state == TCP_CLOSED) {
                skip_closed--;
                continue;
            }
            any = 1;
            const char *id = trace_str(tr, c->conn);
            size_t hl = strlen(tr->host_names[h]);
            if (!strncmp(id, tr->host_names[h], hl) && id[hl] == ':')
                id += hl + 1;              /* "client:49152-server:80" */
            const char *sn = c->have_state ? trace_state_name(c->layer, c->state)
                                           : "-";
            const char *lay = c->layer == TL_TCP ? "" : trace_layer_name(c->layer);
            int pre = (int)strlen(lay) + (lay[0] ? 1 : 0);
            snprintf(buf, sizeof buf, "  %s%s%-*s %s", lay, lay[0] ? " " : "",
                     width > 40 ? 24 - pre : 0, id, sn);
            int idw = (int)strlen(buf) - (int)strlen(sn);
            add_line_n(out, c->have_state ? state_role(c->layer, c->state) : R_TIME,
                       R_NORMAL, idw, buf, strlen(buf));
            if (c->kernel >= 0)
                kernel_state_line(ix, st, (size_t)c->kernel,
                                  c->have_state && c->layer == TL_TCP ? c->state
                                                                       : TCP_CLOSED,
                                  width, out);
            int pos = snprintf(buf, sizeof buf, "   ");
            if (c->have_snd)
                pos += snprintf(buf + pos, sizeof buf - (size_t)pos, " SND.NXT=%" PRIu32,
                                c->snd_nxt);
            if (c->have_rcv)
                pos += snprintf(buf + pos, sizeof buf - (size_t)pos, " RCV.NXT=%" PRIu32,
                                c->rcv_nxt);
            for (int j = 0; j < TM_COUNT; j++)
                if (c->due[j] >= 0 && pos > 0 && (size_t)pos < sizeof buf)
                    pos += snprintf(buf + pos, sizeof buf - (size_t)pos, " %s %s left",
                                    timer_name_str(j),
                                    fmt_duration(c->due[j] > now ? c->due[j] - now : 0,
                                                 d, sizeof d));
            if (pos > 3)
                add_wrapped(out, width, 5, R_NORMAL, R_NORMAL, 0, buf);
        }
        if (!any)
            add_fmt(out, width, R_TIME, 0, 0, "  (nothing yet)");
    }
    free(cv);
}

static const char *const action_help[ACT_COUNT] = {
    [ACT_NONE] = "",
#define X(id, hint, help) [ACT_##id] = help,
    UI_ACTIONS(X)
#undef X
};
static const char *const action_hint[ACT_COUNT] = {
    [ACT_NONE] = "",
#define X(id, hint, help) [ACT_##id] = hint,
    UI_ACTIONS(X)
#undef X
};

struct binding { const char *label; int action; };
static const struct binding bindings[] = {
#define X(code, label, id) { label, ACT_##id },
    KEY_BINDINGS(X)
#undef X
};
#define NBINDINGS ((int)(sizeof bindings / sizeof bindings[0]))

/* "j Down" — every key bound to action a. */
static void keys_of(int a, char *buf, size_t n, const char *sep, int max)
{
    size_t pos = 0;
    int k = 0;
    buf[0] = '\0';
    for (int i = 0; i < NBINDINGS && (max <= 0 || k < max); i++) {
        if (bindings[i].action != a)
            continue;
        int l = snprintf(buf + pos, n - pos, "%s%s", k ? sep : "", bindings[i].label);
        if (l < 0 || (size_t)l >= n - pos)
            break;
        pos += (size_t)l;
        k++;
    }
}

void view_help_lines(struct view_lines *out)
{
    int kw = 0;
    char keys[64], buf[256];
    for (int a = 1; a < ACT_COUNT; a++) {
        keys_of(a, keys, sizeof keys, " ", 0);
        if ((int)strlen(keys) > kw)
            kw = (int)strlen(keys);
    }
    for (int a = 1; a < ACT_COUNT; a++) {
        keys_of(a, keys, sizeof keys, " ", 0);
        snprintf(buf, sizeof buf, "%-*s  %s", kw, keys, action_help[a]);
        add_line_n(out, R_OVERLAY, R_OVL_KEY, kw, buf, strlen(buf));
    }
}

/* ======================================================================== */
/* The whole screen                                                         */

static void draw_lines(struct view_screen *scr, struct view_rect r,
                       const struct view_lines *l, int first, int utf8)
{
    for (int i = 0; i < r.h && first + i < l->n; i++) {
        const struct view_line *ln = &l->v[first + i];
        int used = 0;
        if (ln->head_len > 0) {
            char head[256];
            int hl = ln->head_len < (int)sizeof head - 1 ? ln->head_len
                                                         : (int)sizeof head - 1;
            memcpy(head, ln->text, (size_t)hl);
            head[hl] = '\0';
            used = put_fit(scr, r.x, r.y + i, r.w, head, ln->head_role, utf8);
            if ((size_t)hl <= strlen(ln->text))
                put_fit(scr, r.x + used, r.y + i, r.w - used, ln->text + hl,
                        ln->role, utf8);
        } else {
            put_fit(scr, r.x, r.y + i, r.w, ln->text, ln->role, utf8);
        }
    }
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The pane's content lines at its width. */
static void pane_lines(const struct view_index *ix, const struct view_state *st,
                       int pane, int width, struct view_lines *l)
{
    if (pane == PANE_INSPECTOR)
        view_inspector_lines(ix, st, width, l);
    else
        view_state_lines(ix, st, width, l);
}

static void draw_pane(const struct view_index *ix, const struct view_state *st,
                      struct view_screen *scr, struct view_rect r, int pane,
                      int side_by_side)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    int focus = st->focus == pane;
    int utf8 = st->utf8;
    /* title row: a rule with the pane's name (both names as tabs when only
     * one pane fits) */
    for (int x = r.x; x < r.x + r.w; x++)
        set_glyph(scr, x, r.y, G_BOX_H, R_BORDER, utf8);
    int x = r.x + 1;
    static const char *const names[PANE_COUNT] = { "Diagram", "Inspector", "State" };
    for (int p = PANE_INSPECTOR; p < PANE_COUNT; p++) {
        if (side_by_side && p != pane)
            continue;
        char t[64];
        snprintf(t, sizeof t, " %s ", names[p]);
        int role = p == pane ? (focus ? R_PANE_FOCUS : R_PANE) : R_BORDER;
        x += view_put(scr, x, r.y, r.x + r.w - x, t, role, utf8) + 1;
    }
    struct view_lines l = { 0 };
    pane_lines(ix, st, pane, r.w - 1, &l);
    int body = r.h - 1;
    int first = clampi(st->scroll[pane], 0, l.n - body > 0 ? l.n - body : 0);
    if (l.n > body) {
        char more[48];
        snprintf(more, sizeof more, " %d-%d/%d ", first + 1,
                 first + body < l.n ? first + body : l.n, l.n);
        int mw = (int)strlen(more);
        view_put(scr, r.x + r.w - mw - 1, r.y, mw, more, R_BORDER, utf8);
    }
    draw_lines(scr, (struct view_rect){ r.x + 1, r.y + 1, r.w - 1, body }, &l, first,
               utf8);
    view_lines_free(&l);
}

static void draw_title(const struct view_index *ix, const struct view_state *st,
                       struct view_screen *scr, struct view_rect r)
{
    fill(scr, r, ' ', R_TITLE);
    const char *dot = st->utf8 ? " \u00b7 " : " - ";
    char left[256], right[256], t[32];
    snprintf(left, sizeof left, " protosim%s%s", dot, st->title ? st->title : "");
    int pos = 0;
    if (ix->n) {
        size_t cur = st->cur < ix->n ? st->cur : ix->n - 1;
        pos = snprintf(right, sizeof right, "event %zu/%zu%s%s", cur + 1, ix->n, dot,
                       fmt_time(ix->tr->recs[cur].t_us, t, sizeof t));
    } else {
        pos = snprintf(right, sizeof right, "no events");
    }
    if (st->playing && pos > 0)
        pos += snprintf(right + pos, sizeof right - (size_t)pos, "%splaying %d ms/event",
                        dot, view_speed_ms(st->speed));
    if (st->projector && pos > 0)
        pos += snprintf(right + pos, sizeof right - (size_t)pos, "%sprojector", dot);
    if (pos > 0 && (size_t)pos < sizeof right - 2)
        snprintf(right + pos, sizeof right - (size_t)pos, " ");
    int rw = view_text_width(right);
    int lw = r.w - rw - 1;
    put_fit(scr, r.x, r.y, lw > 10 ? lw : 10, left, R_TITLE, st->utf8);
    if (rw < r.w - 10)
        view_put(scr, r.x + r.w - rw, r.y, rw, right, R_TITLE, st->utf8);
}

static void draw_hint(const struct view_state *st, struct view_screen *scr,
                      struct view_rect r)
{
    const char *dot = st->utf8 ? " \u00b7 " : " - ";
    fill(scr, r, ' ', R_HINT);
    if (st->overlay == OV_SEARCH) {
        char buf[128];
        snprintf(buf, sizeof buf, " /%s_", st->query);
        int used = view_put(scr, r.x, r.y, r.w, buf, R_HINT_KEY, st->utf8);
        char tail[64];
        snprintf(tail, sizeof tail, "Enter search%sEsc cancel ", dot);
        int tw = view_text_width(tail);
        if (used + tw < r.w)
            view_put(scr, r.x + r.w - tw, r.y, tw, tail, R_HINT, st->utf8);
        return;
    }
    if (st->msg[0]) {
        fill(scr, r, ' ', R_MSG);
        char buf[200];
        snprintf(buf, sizeof buf, " %s", st->msg);
        put_fit(scr, r.x, r.y, r.w, buf, R_MSG, st->utf8);
        return;
    }
    if (st->overlay == OV_HELP) {
        view_put(scr, r.x, r.y, r.w, " any key closes the help", R_HINT, st->utf8);
        return;
    }
    if (st->overlay == OV_OPEN) {
        char buf[128];
        snprintf(buf, sizeof buf, " j/k choose%sEnter open%sEsc cancel", dot, dot);
        view_put(scr, r.x, r.y, r.w, buf, R_HINT, st->utf8);
        return;
    }
    /* "j next  k back  Space play ..." from the key table, as many as fit,
     * always keeping "? help" and "q quit" */
    int x = r.x + 1, end = r.x + r.w;
    int reserve = 0;
    char keys[32], item[64];
    for (int a = 1; a < ACT_COUNT; a++)
        if (a == ACT_HELP || a == ACT_QUIT) {
            keys_of(a, keys, sizeof keys, "/", 1);
            reserve += (int)strlen(keys) + 1 + (int)strlen(action_hint[a]) + 2;
        }
    for (int pass = 0; pass < 2; pass++) {
        for (int a = 1; a < ACT_COUNT; a++) {
            int is_tail = a == ACT_HELP || a == ACT_QUIT;
            if (!action_hint[a][0] || is_tail != (pass == 1))
                continue;
            keys_of(a, keys, sizeof keys, "/", 1);
            snprintf(item, sizeof item, "%s %s", keys, action_hint[a]);
            int iw = (int)strlen(item);
            if (x + iw + (pass == 0 ? reserve : 0) > end)
                continue;
            int kw = (int)strlen(keys);
            view_put(scr, x, r.y, kw, keys, R_HINT_KEY, st->utf8);
            view_put(scr, x + kw, r.y, iw - kw, item + kw, R_HINT, st->utf8);
            x += iw + 2;
        }
    }
}

static void draw_box(struct view_screen *scr, struct view_rect b, const char *title,
                     int utf8)
{
    fill(scr, b, ' ', R_OVERLAY);
    for (int x = b.x; x < b.x + b.w; x++) {
        set_glyph(scr, x, b.y, G_BOX_H, R_OVERLAY, utf8);
        set_glyph(scr, x, b.y + b.h - 1, G_BOX_H, R_OVERLAY, utf8);
    }
    for (int y = b.y; y < b.y + b.h; y++) {
        set_glyph(scr, b.x, y, G_BOX_V, R_OVERLAY, utf8);
        set_glyph(scr, b.x + b.w - 1, y, G_BOX_V, R_OVERLAY, utf8);
    }
    set_glyph(scr, b.x, b.y, G_BOX_TL, R_OVERLAY, utf8);
    set_glyph(scr, b.x + b.w - 1, b.y, G_BOX_TR, R_OVERLAY, utf8);
    set_glyph(scr, b.x, b.y + b.h - 1, G_BOX_BL, R_OVERLAY, utf8);
    set_glyph(scr, b.x + b.w - 1, b.y + b.h - 1, G_BOX_BR, R_OVERLAY, utf8);
    char t[128];
    snprintf(t, sizeof t, " %s ", title);
    view_put(scr, b.x + 2, b.y, b.w - 4, t, R_OVL_KEY, utf8);
}

static void draw_help(const struct view_state *st, struct view_screen *scr)
{
    struct view_lines l = { 0 };
    view_help_lines(&l);
    int avail = scr->h - 4;                  /* title, hint, two borders */
    int cols = l.n <= avail ? 1 : 2;
    int rows = (l.n + cols - 1) / cols;
    int lw = 0;
    for (int i = 0; i < l.n; i++)
        if (view_text_width(l.v[i].text) > lw)
            lw = view_text_width(l.v[i].text);
    int bw = cols * (lw + 2) + 2;
    if (bw > scr->w - 2)
        bw = scr->w - 2;
    int colw = (bw - 2) / cols;
    struct view_rect b = { (scr->w - bw) / 2, 1 + (avail - rows) / 2, bw, rows + 2 };
    if (b.y < 1)
        b.y = 1;
    draw_box(scr, b, "keys (? or any key closes)", st->utf8);
    for (int c = 0; c < cols; c++) {
        struct view_lines part = { l.v + c * rows, 0, 0 };
        part.n = l.n - c * rows < rows ? l.n - c * rows : rows;
        if (part.n < 0)
            part.n = 0;
        draw_lines(scr, (struct view_rect){ b.x + 2 + c * colw, b.y + 1, colw - 1, rows },
                   &part, 0, st->utf8);
    }
    view_lines_free(&l);
}

static void draw_open(const struct view_state *st, struct view_screen *scr)
{
    int n = st->nchoices;
    int nw = 4, lw = 0;
    for (int i = 0; i < n; i++) {
        int w = view_text_width(st->choices[i].name);
        if (w > nw)
            nw = w;
        w = view_text_width(st->choices[i].title ? st->choices[i].title : "");
        if (w > lw)
            lw = w;
    }
    int bw = nw + lw + 8;
    if (bw > scr->w - 4)
        bw = scr->w - 4;
    int avail = scr->h - 4;
    int rows = n < avail ? (n ? n : 1) : avail;
    struct view_rect b = { (scr->w - bw) / 2, 1 + (avail - rows) / 2, bw, rows + 2 };
    draw_box(scr, b, "open a shipped scenario", st->utf8);
    if (!n) {
        view_put(scr, b.x + 2, b.y + 1, bw - 4, "no shipped scenarios found",
                 R_OVERLAY, st->utf8);
        return;
    }
    int first = st->choice - rows + 1 > 0 ? st->choice - rows + 1 : 0;
    for (int i = 0; i < rows && first + i < n; i++) {
        const struct view_choice *c = &st->choices[first + i];
        int sel = first + i == st->choice;
        char buf[256];
        snprintf(buf, sizeof buf, " %-*s  %s", nw, c->name, c->title ? c->title : "");
        struct view_rect line = { b.x + 1, b.y + 1 + i, bw - 2, 1 };
        if (sel)
            fill(scr, line, ' ', R_OVL_SEL);
        put_fit(scr, line.x, line.y, line.w, buf, sel ? R_OVL_SEL : R_OVERLAY,
                st->utf8);
    }
}

static void draw_narration(const struct view_index *ix, const struct view_state *st,
                           struct view_screen *scr, struct view_rect r)
{
    fill(scr, r, ' ', R_NORMAL);
    for (int x = r.x; x < r.x + r.w; x++)
        set_glyph(scr, x, r.y, G_BOX_H, R_BORDER, st->utf8);
    if (!ix->n)
        return;
    size_t cur = st->cur < ix->n ? st->cur : ix->n - 1;
    const struct trace_rec *rec = &ix->tr->recs[cur];
    char ev[512], why[1024], buf[1600];
    render_event(ix->tr, rec, ev, sizeof ev);
    trace_why(ix->tr, rec, why, sizeof why);
    if (why[0] && rec->kind != TK_NOTE)
        snprintf(buf, sizeof buf, "%s %s: %s", rec->host >= 0 ?
                 host_name(ix->tr, rec->host) : "", ev, why);
    else
        snprintf(buf, sizeof buf, "%s %s", rec->host >= 0 ?
                 host_name(ix->tr, rec->host) : "", ev);
    struct view_lines l = { 0 };
    add_wrapped(&l, r.w - 4, 0, R_WHY, R_WHY, 0, buf[0] == ' ' ? buf + 1 : buf);
    draw_lines(scr, (struct view_rect){ r.x + 2, r.y + 1, r.w - 4, r.h - 1 }, &l, 0,
               st->utf8);
    view_lines_free(&l);
}

void view_render(const struct view_index *ix, const struct view_state *st,
                 struct view_screen *scr)
{
    view_screen_clear(scr);
    struct view_layout L;
    view_layout(scr->w, scr->h, st->projector, st->focus, &L);
    if (L.too_small) {
        char buf[128];
        snprintf(buf, sizeof buf, "terminal too small (need %dx%d, have %dx%d)",
                 VIEW_MIN_W, VIEW_MIN_H, scr->w, scr->h);
        int y = scr->h / 2 - 1;
        int w = (int)strlen(buf);
        view_put(scr, w < scr->w ? (scr->w - w) / 2 : 0, y > 0 ? y : 0, scr->w, buf,
                 R_ALERT, st->utf8);
        const char *sub = "enlarge the window, or press q to quit";
        w = (int)strlen(sub);
        view_put(scr, w < scr->w ? (scr->w - w) / 2 : 0, y + 1, scr->w, sub,
                 R_NORMAL, st->utf8);
        return;
    }
    draw_title(ix, st, scr, L.title);
    view_render_diagram(ix, st, scr, L.diagram);
    if (st->projector) {
        draw_narration(ix, st, scr, L.narration);
    } else {
        draw_pane(ix, st, scr, L.inspector, PANE_INSPECTOR, L.side_by_side);
        draw_pane(ix, st, scr, L.state, PANE_STATE, L.side_by_side);
        if (L.side_by_side)
            for (int y = L.state.y; y < L.state.y + L.state.h; y++)
                set_glyph(scr, L.state.x - 1, y, y == L.state.y ? G_BOX_H : G_BOX_V,
                          R_BORDER, st->utf8);
    }
    draw_hint(st, scr, L.hint);
    if (st->overlay == OV_HELP)
        draw_help(st, scr);
    else if (st->overlay == OV_OPEN)
        draw_open(st, scr);
}

/* ======================================================================== */
/* Moving around                                                            */

static const int speeds_ms[] = { 2000, 1000, 600, 300, 150, 60, 20 };
#define NSPEEDS ((int)(sizeof speeds_ms / sizeof speeds_ms[0]))

int view_speed_ms(int speed)
{
    return speeds_ms[clampi(speed, 0, NSPEEDS - 1)];
}

int view_nspeeds(void)
{
    return NSPEEDS;
}

void view_state_init(struct view_state *st, int utf8)
{
    memset(st, 0, sizeof *st);
    st->utf8 = utf8;
    st->speed = 2;
    st->focus = PANE_DIAGRAM;
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    if (!nl)
        return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nl && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == nl)
            return 1;
    }
    return 0;
}

long view_search(const struct view_index *ix, const char *query, size_t from, int dir)
{
    size_t n = ix->n;
    char buf[512];
    if (!n || !query[0])
        return -1;
    for (size_t k = 1; k <= n; k++) {
        size_t i = dir > 0 ? (from + k) % n : (from + n - k % n) % n;
        const struct trace_rec *r = &ix->tr->recs[i];
        render_event(ix->tr, r, buf, sizeof buf);
        if (ci_contains(buf, query))
            return (long)i;
        if (r->kind == TK_SEND || r->kind == TK_RECV || r->kind == TK_DROP) {
            view_packet_label(ix->tr, r, buf, sizeof buf);
            if (ci_contains(buf, query))
                return (long)i;
        }
    }
    return -1;
}

long view_find_host(const struct view_index *ix, size_t from, int h, int dir)
{
    for (long i = (long)from + dir; i >= 0 && (size_t)i < ix->n; i += dir)
        if (ix->tr->recs[i].host == h)
            return i;
    return -1;
}

static int is_packet(const struct trace_rec *r)
{
    return r->kind == TK_SEND || r->kind == TK_RECV || r->kind == TK_DROP;
}

long view_find_proto(const struct view_index *ix, size_t from, int dir)
{
    if (from >= ix->n)
        return -1;
    const struct trace_rec *f = &ix->tr->recs[from];
    int layer = f->kind == TK_NOTE || f->kind == TK_APP ? -1 : ix->proto[from];
    if (layer == TL_NONE || layer == TL_APP)
        layer = -1;
    for (long i = (long)from + dir; i >= 0 && (size_t)i < ix->n; i += dir) {
        const struct trace_rec *r = &ix->tr->recs[i];
        if (layer < 0 ? is_packet(r) : (ix->proto[i] == layer && r->kind != TK_APP))
            return i;
    }
    return -1;
}

static void step_to(struct view_state *st, size_t to)
{
    if (to != st->cur)
        st->scroll[PANE_INSPECTOR] = 0;
    st->cur = to;
}

static int pane_rows(int pane, int w, int h, const struct view_state *st, int *width)
{
    struct view_layout L;
    view_layout(w, h, st->projector, st->focus, &L);
    struct view_rect r = pane == PANE_INSPECTOR ? L.inspector : L.state;
    *width = r.w - 1;
    return r.h - 1;
}

static void scroll_pane(const struct view_index *ix, struct view_state *st, int by,
                        int w, int h)
{
    int width, rows = pane_rows(st->focus, w, h, st, &width);
    if (rows <= 0 || width <= 0)
        return;
    struct view_lines l = { 0 };
    pane_lines(ix, st, st->focus, width, &l);
    int max = l.n - rows > 0 ? l.n - rows : 0;
    view_lines_free(&l);
    st->scroll[st->focus] = clampi(st->scroll[st->focus] + by, 0, max);
}

static void step_by(const struct view_index *ix, struct view_state *st, long by)
{
    if (!ix->n)
        return;
    long to = (long)st->cur + by;
    if (to >= (long)ix->n) {
        to = (long)ix->n - 1;
        snprintf(st->msg, sizeof st->msg, "end of the run (event %zu)", ix->n);
        st->playing = 0;
    }
    if (to < 0) {
        to = 0;
        snprintf(st->msg, sizeof st->msg, "first event");
    }
    step_to(st, (size_t)to);
}

int view_apply(const struct view_index *ix, struct view_state *st, int action,
               int w, int h)
{
    const struct trace *tr = ix->tr;
    int nh = tr->nhosts;
    long to;
    st->msg[0] = '\0';
    switch (action) {
    case ACT_NEXT: case ACT_PREV: case ACT_PAGE_DOWN: case ACT_PAGE_UP: {
        int fwd = action == ACT_NEXT || action == ACT_PAGE_DOWN;
        int page = action == ACT_PAGE_DOWN || action == ACT_PAGE_UP;
        if (st->focus != PANE_DIAGRAM && !st->projector) {
            int width, rows = pane_rows(st->focus, w, h, st, &width);
            int by = page ? (rows > 2 ? rows - 1 : 1) : 1;
            scroll_pane(ix, st, fwd ? by : -by, w, h);
        } else {
            step_by(ix, st, (fwd ? 1 : -1) * (page ? 10 : 1));
        }
        break;
    }
    case ACT_START:
        step_to(st, 0);
        break;
    case ACT_END:
        if (ix->n)
            step_to(st, ix->n - 1);
        st->playing = 0;
        break;
    case ACT_PLAY:
        if (!st->playing && ix->n && st->cur + 1 >= ix->n)
            step_to(st, 0);
        st->playing = !st->playing;
        break;
    case ACT_FASTER: case ACT_SLOWER:
        st->speed = clampi(st->speed + (action == ACT_FASTER ? 1 : -1), 0, NSPEEDS - 1);
        snprintf(st->msg, sizeof st->msg, "speed: %d ms per event",
                 view_speed_ms(st->speed));
        break;
    case ACT_HOST_NEXT: case ACT_HOST_PREV:
        if (nh > 0) {
            st->host = (st->host + (action == ACT_HOST_NEXT ? 1 : nh - 1)) % nh;
            snprintf(st->msg, sizeof st->msg, "host %s selected (] and [ jump to its events)",
                     tr->host_names[st->host]);
        }
        break;
    case ACT_HOST_JUMP: case ACT_HOST_BACK:
        if (nh <= 0)
            break;
        to = view_find_host(ix, st->cur, st->host, action == ACT_HOST_JUMP ? 1 : -1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, "no %s event of %s",
                     action == ACT_HOST_JUMP ? "later" : "earlier",
                     tr->host_names[st->host]);
        else
            step_to(st, (size_t)to);
        break;
    case ACT_PROTO_JUMP: case ACT_PROTO_BACK:
        to = view_find_proto(ix, st->cur, action == ACT_PROTO_JUMP ? 1 : -1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, "no %s event of this protocol",
                     action == ACT_PROTO_JUMP ? "later" : "earlier");
        else
            step_to(st, (size_t)to);
        break;
    case ACT_FOCUS: case ACT_FOCUS_BACK:
        if (st->projector) {
            snprintf(st->msg, sizeof st->msg, "no panes in projector mode (P leaves it)");
            break;
        }
        st->focus = (st->focus + (action == ACT_FOCUS ? 1 : PANE_COUNT - 1)) % PANE_COUNT;
        break;
    case ACT_SEARCH:
        st->overlay = OV_SEARCH;
        st->query[0] = '\0';
        break;
    case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        if (!st->query[0]) {
            snprintf(st->msg, sizeof st->msg, "no search yet: press / first");
            break;
        }
        to = view_search(ix, st->query, st->cur, action == ACT_SEARCH_NEXT ? 1 : -1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, "not found: %.100s", st->query);
        else
            step_to(st, (size_t)to);
        break;
    case ACT_OPEN:
        return VE_OPEN;
    case ACT_PROJECTOR:
        st->projector = !st->projector;
        break;
    case ACT_REDRAW:
        return VE_REDRAW;
    case ACT_HELP:
        st->overlay = st->overlay == OV_HELP ? OV_NONE : OV_HELP;
        break;
    case ACT_QUIT:
        return VE_QUIT;
    default:
        break;
    }
    return VE_NONE;
}

void view_search_key(const struct view_index *ix, struct view_state *st, int ch)
{
    size_t l = strlen(st->query);
    if (ch == 27) {
        st->overlay = OV_NONE;
        st->query[0] = '\0';
    } else if (ch == '\n' || ch == '\r') {
        st->overlay = OV_NONE;
        if (!st->query[0])
            return;
        long to = view_search(ix, st->query, st->cur, 1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, "not found: %.100s", st->query);
        else
            step_to(st, (size_t)to);
    } else if (ch == 127 || ch == 8) {
        while (l > 0 && ((unsigned char)st->query[l - 1] & 0xC0) == 0x80)
            l--;                              /* a whole UTF-8 character */
        if (l > 0)
            l--;
        st->query[l] = '\0';
    } else if (ch >= 32 && ch < 256 && ch != 127 && l + 1 < sizeof st->query) {
        st->query[l] = (char)ch;
        st->query[l + 1] = '\0';
    }
}
