/* export_text.c — the two text exports: the terminal ladder (the view's own diagram renderer, drawn into tall screens) and a Mermaid sequenceDiagram. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"
#include "exportint.h"
#include "i18n.h"
#include "render.h"
#include "summary.h"
#include "trace.h"
#include "utf8.h"
#include "wire.h"

/* ======================================================================== */
/* txt: the ladder                                                          */

/* Rows of the diagram above its first event: the host names and their
 * addresses (view_diagram.c: body_y = r.y + 2 when there is no kernel
 * column; an export has no --real run, so no kernel column). */
#define TXT_HEAD 2
/* Events per screen: a long run is drawn a page of screens at a time, so
 * memory stays a page whatever the run (a packet in flight across a page
 * boundary is drawn on its way at the end of one page and arriving at the
 * top of the next, as the view shows it when scrolled). */
#define TXT_PAGE 2000

/* s with every non-ASCII character as '?' (in *buf, grown as needed). */
static const char *ascii_only(const char *s, char **buf, size_t *cap)
{
    size_t n = strlen(s) + 1;
    if (*cap < n) {
        free(*buf);
        *buf = malloc(n);
        if (!*buf)
            abort();
        *cap = n;
    }
    char *o = *buf;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80)
            *o++ = (char)*p;
        else if ((*p & 0xC0) != 0x80)
            *o++ = '?';
    }
    *o = '\0';
    return *buf;
}

void export_txt(FILE *fp, const struct view_index *ix, const struct export_opts *o)
{
    int utf8 = !o->ascii;
    int w = o->width > 0 ? o->width : EXPORT_TXT_WIDTH;
    struct view_state st;
    view_state_init(&st, utf8);
    st.title = export_title(o);
    st.fold = export_folded(ix, o);   /* pages are ranges of the view's rows */
    uint32_t mark = view_glyph(G_MARK, utf8);
    /* a crowd's lifelines are chosen by the rows on screen: every page
     * then has its own header */
    int crowd = ix->tr->nhosts > VIEW_CROWD_HOSTS;
    char *line = NULL;
    size_t cap = 0;
    size_t r_first = view_row(ix, &st, o->first), r_last = view_row(ix, &st, o->last);
    for (size_t p = r_first; p <= r_last; p += TXT_PAGE) {
        size_t e = r_last - p < TXT_PAGE ? r_last : p + TXT_PAGE - 1;
        int rows = (int)(e - p + 1);
        struct view_screen scr;
        view_screen_init(&scr, w, rows + TXT_HEAD);
        /* the page's last row's last event, not past the range's */
        st.cur = e == r_last ? o->last : view_row_last(ix, &st, e);
        /* rows + TXT_HEAD high: the view then shows exactly the rows [p, e] */
        view_render_diagram(ix, &st, &scr,
                            (struct view_rect){ 0, 0, w, rows + TXT_HEAD });
        /* the view's mark of the selected event: a handout has none */
        for (int x = 0; x < w; x++) {
            struct view_cell *c = view_at(&scr, x, scr.h - 1);
            if (c->role == R_CURSOR && c->ch == mark)
                c->ch = ' ';
        }
        size_t need = (size_t)w * VIEW_CELL_BYTES + 1;
        if (cap < need) {
            free(line);
            line = malloc(need);
            if (!line)
                abort();
            cap = need;
        }
        for (int y = p == r_first || crowd ? 0 : TXT_HEAD; y < scr.h; y++) {
            view_screen_line(&scr, y, line, cap);
            fputs(line, fp);
            fputc('\n', fp);
        }
        view_screen_free(&scr);
        if (e == r_last)
            break;
    }
    free(line);
    if (o->stopped && o->last == ix->n - 1) {
        char *vb = NULL;
        size_t vcap = 0;
        fprintf(fp, "%s\n", o->ascii ? ascii_only(o->stopped, &vb, &vcap) : o->stopped);
        free(vb);
    }
}

/* ======================================================================== */
/* mermaid                                                                  */

char *export_mermaid_text(const char *s, char *buf, size_t n)
{
    size_t o = 0;
    if (!n)
        return buf;
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        char tmp[16];
        const char *piece;
        size_t plen;
        uint8_t c = p[i];
        uint32_t cp;
        int k = 1;
        if (c == '#' || c == ';' || c == '<' || c == '>' || c == '"' || c == '%' ||
            c == '{' || c == '}' || c == '\\' || c == '`') {
            /* Mermaid's entity codes: #35; is '#' */
            snprintf(tmp, sizeof tmp, "#%u;", c);
            piece = tmp;
        } else if (c < 0x20 || c == 0x7f) {
            piece = " ";                     /* one line */
        } else if (c < 0x80) {
            tmp[0] = (char)c;
            tmp[1] = '\0';
            piece = tmp;
        } else if ((k = utf8_seq(p + i, len - i, &cp)) == 0) {
            k = 1;
            piece = "\xEF\xBF\xBD";           /* not UTF-8: U+FFFD */
        } else if (cp <= 0x9F || cp == 0x2028 || cp == 0x2029) {
            piece = " ";                     /* C1 controls, line breaks */
        } else {
            memcpy(tmp, p + i, (size_t)k);
            tmp[k] = '\0';
            piece = tmp;
        }
        plen = strlen(piece);
        if (o + plen >= n)
            break;
        memcpy(buf + o, piece, plen);
        o += plen;
        i += (size_t)k;
    }
    buf[o] = '\0';
    return buf;
}

/* Participant ids: P0, P1 ... (host names may hold anything). */
static void pid(int h, char *buf, size_t n)
{
    snprintf(buf, n, "P%d", h);
}

/* Appends "A->>B: text" (or -x for a lost message) to buf. */
static void add_msg(char *buf, size_t n, int src, int dst, int lost, const char *text)
{
    char a[16], b[16], t[600];
    size_t l = strlen(buf);
    pid(src, a, sizeof a);
    pid(dst, b, sizeof b);
    snprintf(buf + l, n - l, "%s%s%s%s: %s", l ? "\n" : "", a, lost ? "-x" : "->>", b,
             export_mermaid_text(text, t, sizeof t));
}

char *export_mermaid_line(const struct view_index *ix, size_t i, char *buf, size_t n)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    int nh = tr->nhosts;
    char text[600], lab[300], t[700], a[16], b[16];
    buf[0] = '\0';
    int h = r->host >= 0 && r->host < nh ? r->host : -1;
    switch (r->kind) {
    case TK_SEND: {
        int src = r->u.pkt.src;
        if (src < 0 || src >= nh)
            break;
        view_packet_label(tr, r, lab, sizeof lab);
        if (r->u.pkt.dst == HOST_BROADCAST) {
            /* a message to every host it reached (Mermaid has no
             * broadcast); reached by none: a lost message to itself */
            int any = 0;
            snprintf(text, sizeof text, _("%s (broadcast)"), lab);
            for (int32_t e = ix->first_end[i]; e >= 0; e = ix->next_end[e]) {
                const struct trace_rec *er = &tr->recs[e];
                if (er->kind == TK_RECV && er->host >= 0 && er->host < nh) {
                    add_msg(buf, n, src, er->host, 0, text);
                    any = 1;
                }
            }
            if (!any)
                add_msg(buf, n, src, src, 1, text);
            break;
        }
        int dst = r->u.pkt.dst >= 0 && r->u.pkt.dst < nh ? r->u.pkt.dst : src;
        int recv = 0, drop = -1;
        for (int32_t e = ix->first_end[i]; e >= 0; e = ix->next_end[e]) {
            if (tr->recs[e].kind == TK_RECV)
                recv = 1;
            else if (drop < 0)
                drop = tr->recs[e].u.pkt.reason;
        }
        if (!recv && drop >= 0) {
            snprintf(text, sizeof text, "%s (%s)", lab, export_drop_short(drop));
            add_msg(buf, n, src, dst, 1, text);
        } else {
            add_msg(buf, n, src, dst, 0, lab);
        }
        break;
    }
    case TK_DROP:
        if (ix->peer[i] >= 0 || h < 0)
            break;                           /* the send's line says it */
        view_packet_label(tr, r, lab, sizeof lab);
        snprintf(text, sizeof text, "%s: %s", lab, export_drop_short(r->u.pkt.reason));
        pid(h, a, sizeof a);
        snprintf(buf, n, "Note over %s: %s", a, export_mermaid_text(text, t, sizeof t));
        break;
    case TK_STATE:
        if (h < 0)
            break;
        pid(h, a, sizeof a);
        snprintf(buf, n, "Note over %s: %s", a,
                 export_mermaid_text(trace_state_name(r->layer, r->u.state.to), t,
                                     sizeof t));
        break;
    case TK_TIMER:
        if (h < 0 || r->u.timer.action != TA_EXPIRE)
            break;
        snprintf(text, sizeof text, _("%s expired"), timer_name_str(r->u.timer.name));
        pid(h, a, sizeof a);
        snprintf(buf, n, "Note over %s: %s", a, export_mermaid_text(text, t, sizeof t));
        break;
    case TK_APP:
        if (h < 0)
            break;
        render_event(tr, r, text, sizeof text);
        pid(h, a, sizeof a);
        snprintf(buf, n, "Note over %s: %s", a, export_mermaid_text(text, t, sizeof t));
        break;
    case TK_NOTE:
        if (nh <= 0)
            break;
        pid(0, a, sizeof a);
        pid(nh - 1, b, sizeof b);
        if (nh > 1)
            snprintf(buf, n, "Note over %s,%s: %s", a, b,
                     export_mermaid_text(trace_str(tr, r->u.note.text), t, sizeof t));
        else
            snprintf(buf, n, "Note over %s: %s", a,
                     export_mermaid_text(trace_str(tr, r->u.note.text), t, sizeof t));
        break;
    default:
        break;
    }
    return buf;
}

/* A Mermaid note across every participant (there is at least one). */
static void note_over_all(FILE *fp, const struct trace *tr, const char *text, char *t,
                          size_t n)
{
    if (tr->nhosts > 1)
        fprintf(fp, "    Note over P0,P%d: %s\n", tr->nhosts - 1,
                export_mermaid_text(text, t, n));
    else
        fprintf(fp, "    Note over P0: %s\n", export_mermaid_text(text, t, n));
}

void export_mermaid(FILE *fp, const struct view_index *ix, const struct export_opts *o)
{
    const struct trace *tr = ix->tr;
    char t[700], addr[32];
    /* the title as a comment: not every Markdown tool takes a title */
    const char *title = export_title(o);
    if (*title)
        fprintf(fp, "%%%% %s\n", export_mermaid_text(title, t, sizeof t));
    fputs("sequenceDiagram\n", fp);
    for (int h = 0; h < tr->nhosts; h++) {
        char name[600];
        ip4_str(tr->host_addrs[h], addr, sizeof addr);
        snprintf(name, sizeof name, "%s (%s)", tr->host_names[h], addr);
        fprintf(fp, "    participant P%d as %s\n", h,
                export_mermaid_text(name, t, sizeof t));
    }
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    const uint8_t *crowd = export_folded(ix, o) ? ix->crowd : NULL;
    for (size_t i = o->first; i <= o->last; i++) {
        if (crowd && crowd[i]) {
            /* folded: a run of the crowd is one note over every lane */
            if ((i == o->first || !crowd[i - 1]) && tr->nhosts > 0) {
                char lab[400];
                view_fold_text(ix, view_fold_of(ix, i), o->last, lab, sizeof lab);
                note_over_all(fp, tr, lab, t, sizeof t);
            }
            continue;
        }
        export_mermaid_line(ix, i, buf, cap);
        if (!buf[0])
            continue;
        /* indented, a line at a time (a broadcast may be several) */
        for (char *p = buf, *nl; p; p = nl ? nl + 1 : NULL) {
            nl = strchr(p, '\n');
            fprintf(fp, "    %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
        }
    }
    free(buf);
    if (o->stopped && o->last == ix->n - 1 && tr->nhosts > 0)
        note_over_all(fp, tr, o->stopped, t, sizeof t);
}
