/* view_cells.c — the screen as cells: line-drawing glyphs, UTF-8 decoding and display width, text written into cells, and the screen read back as text. */
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "view.h"
#include "viewint.h"
#include "utf8.h"

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

void view_screen_init(struct view_screen *s, int w, int h)
{
    s->w = w > 0 ? w : 0;
    s->h = h > 0 ? h : 0;
    s->cells = xcalloc((size_t)s->w * (size_t)s->h + 1, sizeof *s->cells);
    view_screen_clear(s);
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
        s->cells[i].mark = 0;
    }
}

/* Decodes one UTF-8 sequence; returns its length (>= 1) and the code point
 * (U+FFFD for a byte that begins no well-formed sequence). */
int vw_utf8_next(const char *p, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    int len = utf8_seq(u, strnlen(p, 4), cp);
    if (len == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return len;
}

size_t vw_utf8_put(uint32_t c, char *out)
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

/* Combining diacritical marks: drawn over the character before them. */
static int is_mark(uint32_t c)
{
    return (c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F);
}

/* Columns a code point takes: 2 for East Asian wide ones, 0 for combining
 * marks, else 1.  A small table, enough for narration in Chinese. */
int vw_cp_width(uint32_t c)
{
    /* combining marks (drawn over the cell before them, view_put),
     * variation selectors, and the invisible format characters (soft
     * hyphen, zero-width space and joiners, the direction marks,
     * embeddings and isolates, word joiner, BOM) take no cell on the
     * terminal: counted as one, each left a cell unwritten that showed
     * whatever was there before (a note with U+200B showed a piece of the
     * arrow under it); the format characters are not drawn */
    if (is_mark(c) || (c >= 0xFE00 && c <= 0xFE0F) ||
        c == 0xAD || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
        (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF)
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
        text += vw_utf8_next(text, &c);
        w += vw_cp_width(c);
    }
    return w;
}

/* Sets one cell, keeping double-width characters whole: overwriting either
 * half of one blanks the other half. */
void vw_set_cell(struct view_screen *s, int x, int y, uint32_t ch, int role)
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
    c->mark = 0;
}

void vw_set_glyph(struct view_screen *s, int x, int y, int g, int role, int utf8)
{
    vw_set_cell(s, x, y, view_glyph(g, utf8), role);
}

int view_put(struct view_screen *s, int x, int y, int maxw, const char *text,
             int role, int utf8)
{
    int used = 0, base = -1;           /* base: the cell of the last character */
    if (y < 0 || y >= s->h)
        return 0;
    while (*text) {
        uint32_t c;
        text += vw_utf8_next(text, &c);
        int w = vw_cp_width(c);
        if (c == '\t' || c == '\n')
            c = ' ', w = 1;
        else if (c < 32 || c == 127)   /* lesson text's controls are shown, never */
            c = 0x2400 + (c == 127 ? 0x21 : c), w = 1;  /* sent: ESC as U+241B */
        else if (c >= 0x80 && c <= 0x9F)
            c = 0xFFFD, w = 1;
        if (w == 0) {                  /* over the character drawn before it */
            if (is_mark(c) && base >= 0) {
                struct view_cell *bc = view_at(s, base, y);
                if (!utf8)             /* e + U+0301 is "?", as a precomposed é is */
                    bc->ch = '?';
                else if (!bc->mark)
                    bc->mark = c;
            }
            continue;
        }
        if (!utf8 && c >= 128)
            c = '?', w = 1;
        base = -1;
        if (used + w > maxw)
            break;
        if (x + used + w > s->w)
            break;
        if (x + used >= 0) {
            vw_set_cell(s, x + used, y, c, role);
            if (w == 2)
                vw_set_cell(s, x + used + 1, y, VIEW_WIDE_CONT, role);
            base = x + used;
        }
        used += w;
    }
    return used;
}

/* Like view_put, but text wider than maxw ends in an ellipsis. */
int vw_put_fit(struct view_screen *s, int x, int y, int maxw, const char *text,
            int role, int utf8)
{
    if (maxw <= 0)
        return 0;
    if (view_text_width(text) <= maxw)
        return view_put(s, x, y, maxw, text, role, utf8);
    int used = view_put(s, x, y, maxw - 1, text, role, utf8);
    vw_set_glyph(s, x + used, y, G_ELLIPSIS, role, utf8);
    return used + 1;
}

void vw_fill(struct view_screen *s, struct view_rect r, uint32_t ch, int role)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            vw_set_cell(s, x, y, ch, role);
}

char *view_screen_line(const struct view_screen *s, int y, char *buf, size_t n)
{
    size_t pos = 0, last = 0;
    if (!n)
        return buf;
    for (int x = 0; y >= 0 && y < s->h && x < s->w; x++) {
        const struct view_cell *cell = &s->cells[(size_t)y * (size_t)s->w + (size_t)x];
        uint32_t c = cell->ch;
        if (c == VIEW_WIDE_CONT)
            continue;
        char tmp[VIEW_CELL_BYTES];
        size_t l = vw_utf8_put(c, tmp);
        if (cell->mark)
            l += vw_utf8_put(cell->mark, tmp + l);
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
    size_t cap = (size_t)s->w * VIEW_CELL_BYTES + 2;
    size_t total = cap * (size_t)(s->h > 0 ? s->h : 1) + 1;
    char *out = xmalloc(total), *line = xmalloc(cap);
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

/* A typed byte appended to a prompt's buffer (cap bytes with its NUL),
 * keeping whole UTF-8 characters: a character's first byte only when all
 * of it fits, a continuation byte only to complete the one begun.  Bytes
 * taken one by one up to the size cut a Chinese character at the end of
 * a full search line in two (shown as U+FFFD, searched for as garbage). */
void vw_input_byte(char *buf, size_t cap, int ch)
{
    size_t l = strlen(buf);
    unsigned char c = (unsigned char)ch;
    if (ch < 32 || ch >= 256 || ch == 127)
        return;
    if (c >= 0x80 && c < 0xC0) {
        size_t i = l;
        while (i > 0 && ((unsigned char)buf[i - 1] & 0xC0) == 0x80)
            i--;
        if (i == 0 || (unsigned char)buf[i - 1] < 0xC0)
            return;                          /* nothing begun */
        unsigned char lead = (unsigned char)buf[i - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (l - (i - 1) >= need)
            return;                          /* that one is whole */
    } else {
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (l + need >= cap)
            return;
    }
    if (l + 1 < cap) {
        buf[l] = (char)c;
        buf[l + 1] = '\0';
    }
}
