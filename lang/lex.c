/* lex.c — the scenario language's lexer and the helpers every parser part
 * uses: errors, the token cursor, numbers, durations, host and LAN names,
 * addresses, domain names and frame patterns. */
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "dns.h"
#include "utf8.h"
#include "wire.h"
#include "langint.h"

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

int lang_col_add(int col, size_t off)
{
    if (off > (size_t)(INT_MAX - col)) return INT_MAX;
    return col + (int)off;
}

/* Returns p, or a larger copy when n elements no longer fit.  A count past
 * INT_MAX is out of memory as far as the int-indexed records go. */
void *lang_grow_arr(void *p, int *cap, int n, size_t elsz)
{
    if (n < *cap) return p;
    if (*cap > INT_MAX / 2) alloc_exhausted(SIZE_MAX);
    int nc = *cap ? *cap * 2 : 8;
    void *q = xreallocarray(p, (size_t)nc, elsz);
    *cap = nc;
    return q;
}

/* Returns p cut to exactly n elements (cap becomes n): the doubling of
 * lang_grow_arr leaves up to half an array unused, and a crowd's hosts,
 * links and actions live as long as the run.  Nothing changes when the
 * array is full or empty. */
void *lang_fit_arr(void *p, int *cap, int n, size_t elsz)
{
    if (n <= 0 || n >= *cap) return p;
    *cap = n;
    return xreallocarray(p, (size_t)n, elsz);
}

/* A NUL-terminated copy of n bytes (which may hold NULs of their own). */
char *lang_dup_bytes(const char *p, size_t n)
{
    char *d = xmalloc(n + 1);
    if (n) memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* Format characters with no glyph: soft hyphen, zero-width space and
 * joiners, the direction marks, word joiner, byte-order mark. */
static int invisible(uint32_t cp)
{
    return cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || cp == 0x2060 ||
           cp == 0xFEFF;
}

const char *lang_show_slice(struct show *sh, const char *p, size_t n)
{
    char *o = sh->b;
    size_t lim = n > SHOW_MAX ? SHOW_MAX : n;
    const uint8_t *u = (const uint8_t *)p;
    *o++ = '"';
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = u[i];
        uint32_t cp;
        int k = c >= 0x80 ? utf8_seq(u + i, n - i, &cp) : 0;
        if (k > 0 && i + (size_t)k <= lim && invisible(cp)) {
            /* a character that prints as nothing (a byte-order mark in
             * mid-file, a zero-width space): named, or the message would
             * quote a word that looks right */
            snprintf(o, 7, "\\u%04X", (unsigned)cp);
            o += 6;
            i += (size_t)k - 1;
        } else if (k > 0 && i + (size_t)k <= lim) {  /* a character, as written */
            memcpy(o, p + i, (size_t)k);
            o += k;
            i += (size_t)k - 1;
        } else if (k > 0) {
            lim = i;                             /* no room for all of it */
            break;
        } else if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; }
        else if (c >= 0x20 && c < 0x7f) *o++ = (char)c;
        else { snprintf(o, 5, "\\x%02X", c); o += 4; }
    }
    *o++ = '"';
    if (n > lim) { memcpy(o, "...", 3); o += 3; }
    *o = '\0';
    return sh->b;
}

const char *lang_found(struct show *sh, const struct tok *t)
{
    if (!t) return _("end of line");
    if (t->type == T_STRING) return _("a string");
    return lang_show_slice(sh, t->s, t->len);
}

/* ------------------------------------------------------------------------ */
/* String map                                                               */

static uint64_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++) { h ^= (unsigned char)*s; h *= UINT64_C(1099511628211); }
    return h;
}

int lang_smap_get(const struct smap *m, const char *k)
{
    if (!m->cap) return -1;
    for (size_t i = hash_str(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return -1;
        if (!strcmp(m->keys[i], k)) return m->vals[i];
    }
}

/* Inserts a key that is not present. */
void lang_smap_put(struct smap *m, const char *k, int v)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 16;
        char **nk = xcalloc(nc, sizeof *nk);
        int *nv = xcalloc(nc, sizeof *nv);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = hash_str(m->keys[i]) & (nc - 1);
            while (nk[j]) j = (j + 1) & (nc - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = nc;
    }
    char *d = lang_dup_bytes(k, strlen(k));
    size_t i = hash_str(k) & (m->cap - 1);
    while (m->keys[i]) i = (i + 1) & (m->cap - 1);
    m->keys[i] = d;
    m->vals[i] = v;
    m->n++;
}

void lang_smap_free(struct smap *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* n bytes at the end of the scenario's newest arena block, at an offset
 * that is a multiple of align (a power of two, at most 8), in a new block
 * when they do not fit. */
static char *arena_take(struct parser *P, size_t n, size_t align)
{
    struct scenario *s = P->s;
    struct scn_arena *b = s->arena;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || at > b->cap || b->cap - at < n) {
        size_t cap = n > 4096 ? n : 4096;
        b = xmalloc(sizeof *b + cap);
        b->next = s->arena;
        b->used = 0;
        b->cap = cap;
        s->arena = b;
        at = 0;
    }
    b->used = at + n;
    s->text_bytes += n;
    return b->text + at;
}

const char *lang_arena_str(struct parser *P, const char *p, size_t n)
{
    char *d = arena_take(P, n + 1, 1);
    memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* A block's text follows three 8-byte members, and malloc's blocks are
 * aligned for anything: an offset that is a multiple of 8 is 8-aligned. */
_Static_assert(offsetof(struct scn_arena, text) % 8 == 0,
               "scn_arena's text is not 8-aligned");

void *lang_arena_zalloc(struct parser *P, size_t n)
{
    return memset(arena_take(P, n, 8), 0, n);
}

char *lang_pool_str(struct parser *P, const char *p, size_t n)
{
    struct scenario *s = P->s;
    /* a text with a NUL byte in it would be equal to its prefix as a key */
    int shared = !memchr(p, 0, n);
    char *d = lang_dup_bytes(p, n);
    if (shared) {
        int k = lang_smap_get(&P->strpool, d);
        if (k >= 0) {
            free(d);
            return s->strs[k];
        }
        lang_smap_put(&P->strpool, d, s->nstrs);
    }
    s->strs = lang_grow_arr(s->strs, &P->capstrs, s->nstrs, sizeof *s->strs);
    s->strs[s->nstrs] = d;
    s->text_bytes += n + 1 + sizeof *s->strs;
    return s->strs[s->nstrs++];
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

/* ctx: the repeat iteration to name (lang_iter_suffix) */
static void vperr(struct parser *P, int line, int col, int ctx, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void vperr(struct parser *P, int line, int col, int ctx, const char *fmt, va_list ap)
{
    if (P->stopped && !P->finishing) return;
    char iter[400];
    lang_iter_suffix(P, ctx, iter, sizeof iter);
    fmt = _(fmt);                  /* every message in the chosen language */
    va_list aq;
    va_copy(aq, ap);
    int k = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (k < 0) k = 0;
    size_t ni = strlen(iter);
    char *msg = xmalloc((size_t)k + ni + 1);
    vsnprintf(msg, (size_t)k + 1, fmt, ap);
    memcpy(msg + k, iter, ni + 1);
    P->errs = lang_grow_arr(P->errs, &P->caperr, P->nerr, sizeof *P->errs);
    P->errs[P->nerr] = (struct perr){ line, col, P->nerr, msg };
    P->nerr++;
    if (P->nerr > MAX_ERRORS) P->stopped = 1;
}

void lang_perr_at(struct parser *P, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vperr(P, line, col, P->finishing ? -1 : CTX_NOW, fmt, ap);
    va_end(ap);
}

void lang_perr_ref(struct parser *P, const struct ref *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vperr(P, r->line, r->col, r->ctx, fmt, ap);
    va_end(ap);
}

void lang_perr_in(struct parser *P, int ctx, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vperr(P, line, col, ctx, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* Lexer                                                                    */

static struct tok *new_tok(struct parser *P)
{
    P->toks = lang_grow_arr(P->toks, &P->captok, P->ntok, sizeof *P->toks);
    struct tok *t = &P->toks[P->ntok++];
    memset(t, 0, sizeof *t);
    return t;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The column, as written, of byte i of the line being lexed. */
static int lex_col(const struct parser *P, size_t i)
{
    return P->colmap ? P->colmap[i] : lang_col_add(1, i);
}

int lang_col_in(const struct parser *P, const struct tok *t, size_t off)
{
    return P->colmap ? P->colmap[t->off + off] : lang_col_add(t->col, off);
}

/* Splits one line into tokens.  Returns 0, or -1 after reporting an error
 * (the line is then skipped). */
int lang_lex_line(struct parser *P, const char *l, size_t n)
{
    P->ntok = 0;
    P->ti = 0;
    if (n > (SIZE_MAX - 2) / 2) alloc_exhausted(SIZE_MAX);
    if (2 * n + 2 > P->capbuf) {
        P->buf = xrealloc(P->buf, 2 * n + 2);
        P->capbuf = 2 * n + 2;
    }
    char *o = P->buf;
    int nth_seen = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)l[i];
        int col = lex_col(P, i);
        if (is_space(c)) { i++; continue; }
        if (c == '\0') {
            /* what was expected, as every message says: text */
            lang_perr_at(P, P->line, col, "unexpected NUL byte; expected text (a lesson "
                         "is UTF-8 text: is this a binary file?)");
            return -1;
        }
        if (c == '#') {
            /* In a fault, expect or quiz line, the first `#` followed by a
             * digit is the frame (or call, or state entry) number `#N`;
             * everywhere else `#` starts a comment. */
            int nth_line = P->ntok > 0 && P->toks[0].type == T_WORD &&
                           (!strcmp(P->toks[0].s, "fault") ||
                            !strcmp(P->toks[0].s, "expect") ||
                            !strcmp(P->toks[0].s, "quiz"));
            if (!(nth_line && !nth_seen && i + 1 < n && is_digit(l[i + 1])))
                break;
            nth_seen = 1;
        }
        struct tok *t = new_tok(P);
        t->col = col;
        t->off = i;
        t->raw = l + i;
        t->s = o;
        if (c == '"') {
            size_t j = i + 1;
            t->type = T_STRING;
            for (;;) {
                if (j >= n) {
                    lang_perr_at(P, P->line, col, "unterminated string");
                    return -1;
                }
                unsigned char d = (unsigned char)l[j];
                if (d == '"') { j++; break; }
                if (d == '\0') {
                    lang_perr_at(P, P->line, lex_col(P, j),
                            "unexpected NUL byte in a string; write \\x00 instead");
                    return -1;
                }
                if (d != '\\') { *o++ = (char)d; j++; continue; }
                if (j + 1 >= n) {
                    lang_perr_at(P, P->line, col, "unterminated string");
                    return -1;
                }
                unsigned char e = (unsigned char)l[j + 1];
                switch (e) {
                case 'n':  *o++ = '\n'; j += 2; break;
                case 'r':  *o++ = '\r'; j += 2; break;
                case 't':  *o++ = '\t'; j += 2; break;
                case '\\': *o++ = '\\'; j += 2; break;
                case '"':  *o++ = '"';  j += 2; break;
                case 'x': {
                    int h1 = j + 2 < n ? hexval((unsigned char)l[j + 2]) : -1;
                    int h2 = j + 3 < n ? hexval((unsigned char)l[j + 3]) : -1;
                    if (h1 < 0 || h2 < 0) {
                        lang_perr_at(P, P->line, lex_col(P, j),
                                "invalid escape in string: \\x needs two hex digits, like \\x0A");
                        return -1;
                    }
                    *o++ = (char)(h1 * 16 + h2);
                    j += 4;
                    break;
                }
                default:
                    if (e >= 0x21 && e < 0x7f)
                        lang_perr_at(P, P->line, lex_col(P, j),
                                "unknown escape \\%c in string; use \\n, \\r, \\t, \\\\, \\\" or \\xHH", e);
                    else
                        lang_perr_at(P, P->line, lex_col(P, j),
                                "unknown escape in string; use \\n, \\r, \\t, \\\\, \\\" or \\xHH");
                    return -1;
                }
            }
            t->len = (size_t)(o - t->s);
            t->rawlen = j - i;
            *o++ = '\0';
            if (t->len > STRING_MAX) {
                lang_perr_at(P, P->line, col, "string is longer than 1 MiB");
                return -1;
            }
            i = j;
        } else {
            size_t j = i;
            do {
                *o++ = l[j++];
            } while (j < n && !is_space((unsigned char)l[j]) && l[j] != '\0' &&
                     l[j] != '"' && l[j] != '#');
            t->type = T_WORD;
            t->len = (size_t)(o - t->s);
            t->rawlen = j - i;
            *o++ = '\0';
            i = j;
        }
    }
    if (P->ntok) {
        const struct tok *last = &P->toks[P->ntok - 1];
        P->eol_col = lang_col_in(P, last, last->rawlen);
    } else {
        P->eol_col = 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Token cursor                                                             */

struct tok *lang_peek(struct parser *P)
{
    return P->ti < P->ntok ? &P->toks[P->ti] : NULL;
}

struct tok *lang_next(struct parser *P)
{
    struct tok *t = lang_peek(P);
    if (t) P->ti++;
    return t;
}

int lang_colof(const struct parser *P, const struct tok *t)
{
    return t ? t->col : P->eol_col;
}

int lang_is_word(const struct tok *t, const char *w)
{
    return t && t->type == T_WORD && !strcmp(t->s, w);
}

int lang_want_end(struct parser *P)
{
    struct tok *t = lang_peek(P);
    if (!t) return 0;
    struct show sh;
    ERR_AT(P, t, "expected end of line, found %s", lang_found(&sh, t));
    return -1;
}

/* A quoted text that becomes a C string (title, describe, note, inject). */
struct tok *lang_want_text(struct parser *P, const char *what)
{
    struct tok *t = lang_next(P);
    struct show sh;
    if (!t || t->type != T_STRING) {
        ERR_AT(P, t, "expected %s, found %s", _(what), lang_found(&sh, t));
        return NULL;
    }
    if (memchr(t->s, '\0', t->len)) {
        ERR_AT(P, t, "this text cannot contain \\x00");
        return NULL;
    }
    return t;
}

int lang_want_variant(struct parser *P, struct tok **zh)
{
    *zh = NULL;
    struct tok *t = lang_peek(P);
    if (!lang_is_word(t, "zh")) return 0;
    lang_next(P);
    *zh = lang_want_text(P, "the Chinese text in double quotes after zh");
    return *zh ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* Numbers, durations, percentages                                          */

/* Unsigned decimal digits only.  NUM_BIG on overflow. */
int lang_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!is_digit(*s)) return NUM_SYNTAX;
    for (; is_digit(*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) {
            while (is_digit(*s)) s++;
            return *s ? NUM_SYNTAX : NUM_BIG;
        }
        v = v * 10 + d;
    }
    if (*s) return NUM_SYNTAX;
    *out = v;
    return NUM_OK;
}

/* DIGITS[.DIGITS]: the integer part (saturated just above `cap`) and the
 * fraction with trailing zeros dropped.  Returns the character after it, or
 * NULL on bad syntax; *fd = -1 when the fraction has more than 9 digits. */
static const char *parse_decimal(const char *p, uint64_t cap, uint64_t *ip,
                                 uint64_t *frac, int *fd)
{
    *ip = 0; *frac = 0; *fd = 0;
    if (!is_digit(*p)) return NULL;
    for (; is_digit(*p); p++)
        if (*ip <= cap) *ip = *ip * 10 + (uint64_t)(*p - '0');
    if (*p != '.') return p;
    p++;
    if (!is_digit(*p)) return NULL;
    const char *fs = p;
    while (is_digit(*p)) p++;
    const char *fe = p;
    while (fe > fs && fe[-1] == '0') fe--;
    if (fe - fs > 9) { *fd = -1; return p; }
    for (const char *q = fs; q < fe; q++) { *frac = *frac * 10 + (uint64_t)(*q - '0'); (*fd)++; }
    return p;
}

/* "250us", "20ms", "1.5s", "2m" -> microseconds, exactly. */
int lang_parse_dur(const char *s, int64_t *out)
{
    if (s[0] == '-') return is_digit(s[1]) ? NUM_NEG : NUM_SYNTAX;
    uint64_t ip, frac;
    int fd;
    const char *p = parse_decimal(s, (uint64_t)DUR_MAX_US, &ip, &frac, &fd);
    if (!p) return NUM_SYNTAX;
    uint64_t mult;
    if (!strcmp(p, "us"))      mult = 1;
    else if (!strcmp(p, "ms")) mult = US_PER_MS;
    else if (!strcmp(p, "s"))  mult = US_PER_S;
    else if (!strcmp(p, "m"))  mult = US_PER_MIN;
    else return NUM_SYNTAX;
    if (fd < 0) return NUM_PRECISE;
    uint64_t pow10 = 1;
    for (int i = 0; i < fd; i++) pow10 *= 10;
    if ((frac * mult) % pow10) return NUM_PRECISE;
    if (ip > (uint64_t)DUR_MAX_US / mult) return NUM_BIG;
    uint64_t us = ip * mult + frac * mult / pow10;
    if (us > (uint64_t)DUR_MAX_US) return NUM_BIG;
    *out = (int64_t)us;
    return NUM_OK;
}

/* "10%", "0.5%", "12.3456%" -> parts per million. */
static int parse_pct(const char *s, uint32_t *ppm)
{
    if (s[0] == '-') return is_digit(s[1]) ? NUM_NEG : NUM_SYNTAX;
    uint64_t ip, frac;
    int fd;
    const char *p = parse_decimal(s, 1000, &ip, &frac, &fd);
    if (!p || strcmp(p, "%")) return NUM_SYNTAX;
    if (fd < 0 || fd > 4) return NUM_PRECISE;
    for (int i = fd; i < 4; i++) frac *= 10;
    uint64_t v = ip * 10000 + frac;         /* ip <= 10000 here: no overflow */
    if (ip > 100 || v > 1000000) return NUM_BIG;
    *ppm = (uint32_t)v;
    return NUM_OK;
}

int lang_want_uint(struct parser *P, const char *what, uint64_t lo, uint64_t hi,
                     uint64_t *out)
{
    struct tok *t = lang_next(P);
    uint64_t v = 0;
    if (t && t->type == T_WORD && lang_parse_u64(t->s, &v) == NUM_OK && v >= lo && v <= hi) {
        *out = v;
        return 0;
    }
    struct show sh;
    ERR_AT(P, t, "expected %s from %llu to %llu, found %s", _(what),
           (unsigned long long)lo, (unsigned long long)hi, lang_found(&sh, t));
    return -1;
}

/* Reports why token t (text s, maybe after a '+') is not a duration. */
void lang_dur_error(struct parser *P, const struct tok *t, int rc, const char *like)
{
    struct show sh;
    const char *f = lang_found(&sh, t);
    switch (rc) {
    case NUM_NEG:     ERR_AT(P, t, "a duration cannot be negative, found %s", f); break;
    case NUM_PRECISE: ERR_AT(P, t, "duration %s is more precise than 1us", f); break;
    case NUM_BIG:     ERR_AT(P, t, "duration %s is too large (at most %s)", f, DUR_MAX_TEXT); break;
    default:          ERR_AT(P, t, "expected %s, found %s", _(like), f); break;
    }
}

int lang_want_dur(struct parser *P, int64_t *out)
{
    struct tok *t = lang_next(P);
    int rc = t && t->type == T_WORD ? lang_parse_dur(t->s, out) : NUM_SYNTAX;
    if (rc == NUM_OK) return 0;
    lang_dur_error(P, t, rc, DUR_LIKE);
    return -1;
}

int lang_want_pct(struct parser *P, uint32_t *out)
{
    struct tok *t = lang_next(P);
    int rc = t && t->type == T_WORD ? parse_pct(t->s, out) : NUM_SYNTAX;
    struct show sh;
    switch (rc) {
    case NUM_OK: return 0;
    case NUM_PRECISE: ERR_AT(P, t, "percentage %s has more than 4 decimals", lang_found(&sh, t)); break;
    case NUM_NEG:
    case NUM_BIG: ERR_AT(P, t, "a percentage must be from 0%% to 100%%, found %s", lang_found(&sh, t)); break;
    default: ERR_AT(P, t, "expected a percentage like 10%% or 0.5%%, found %s", lang_found(&sh, t)); break;
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Host names and references                                                */

/* The length of a letter at p: an ASCII letter, or any character beyond
 * ASCII (客户端 is as good a name as client); 0 for anything else. */
static size_t letter_len(const char *p, size_t n)
{
    uint32_t cp;
    if (is_alpha((unsigned char)p[0])) return 1;
    int k = (unsigned char)p[0] >= 0x80 ? utf8_seq((const uint8_t *)p, n, &cp) : 0;
    return k > 0 ? (size_t)k : 0;
}

/* 0 valid, -1 bad characters, -2 too long. */
static int name_check(const char *p, size_t n)
{
    if (n == 0 || !letter_len(p, n)) return -1;
    for (size_t i = 0; i < n;) {
        int c = (unsigned char)p[i];
        size_t k = letter_len(p + i, n - i);
        if (k) { i += k; continue; }
        if (!is_digit(c) && c != '_' && c != '-') return -1;
        i++;
    }
    return n >= SCN_NAME_MAX ? -2 : 0;
}

/* Reports a bad host or LAN name (what: "host", "LAN"). */
int lang_name_error(struct parser *P, const char *p, size_t n, int col, const char *what)
{
    struct show sh;
    int rc = name_check(p, n);
    if (rc == -1)
        lang_perr_at(P, P->line, col, "expected a %s name, found %s", what, lang_show_slice(&sh, p, n));
    else if (rc == -2)
        lang_perr_at(P, P->line, col, "%s name %s is longer than %d bytes of UTF-8", what,
                lang_show_slice(&sh, p, n), SCN_NAME_MAX - 1);
    return rc;
}

/* Records a use of a host name; returns the reference index or -1. */
static int ref_add(struct parser *P, const char *p, size_t n, int col)
{
    if (lang_name_error(P, p, n, col, "host")) return -1;
    P->refs = lang_grow_arr(P->refs, &P->caprefs, P->nrefs, sizeof *P->refs);
    struct ref *r = &P->refs[P->nrefs];
    memcpy(r->name, p, n);
    r->name[n] = '\0';
    r->line = P->line;
    r->col = col;
    r->host = -1;
    r->ctx = lang_ctx_id(P);
    return P->nrefs++;
}

/* A host name token; what names the role in the message when it is missing. */
int lang_want_ref(struct parser *P, const char *what)
{
    struct tok *t = lang_next(P);
    if (!t || t->type != T_WORD) {
        struct show sh;
        ERR_AT(P, t, "expected %s, found %s", _(what), lang_found(&sh, t));
        return -1;
    }
    return ref_add(P, t->s, t->len, t->col);
}

/* SRC->DST: one token, or with spaces around the arrow.  Where bcast is
 * set (expectations), DST may be `*`: frames sent to every host on a LAN. */
int lang_want_arrow_to(struct parser *P, int *src, int *dst, int bcast)
{
    struct show sh, sh2;
    struct tok *t = lang_next(P);
    if (!t || t->type != T_WORD) {
        ERR_AT(P, t, "expected SRC->DST like client->server, found %s", lang_found(&sh, t));
        return -1;
    }
    const char *sp = t->s, *dp = NULL;
    size_t sn, dn = 0;
    int dcol = 0;
    const char *a = strstr(t->s, "->");
    if (a) {
        sn = (size_t)(a - t->s);
        if (sn == 0) {
            ERR_AT(P, t, "expected SRC->DST like client->server, found %s", lang_found(&sh, t));
            return -1;
        }
        if (a[2]) {
            dp = a + 2;
            dn = t->len - sn - 2;
            dcol = lang_col_in(P, t, sn + 2);
        }
    } else {
        sn = t->len;
        struct tok *u = lang_peek(P);
        if (!u || u->type != T_WORD || strncmp(u->s, "->", 2)) {
            ERR_AT(P, u, "expected \"->\" after %s (write SRC->DST like client->server), found %s",
                   lang_found(&sh, t), lang_found(&sh2, u));
            return -1;
        }
        lang_next(P);
        if (u->s[2]) {
            dp = u->s + 2;
            dn = u->len - 2;
            dcol = lang_col_in(P, u, 2);
        }
    }
    if (!dp) {
        struct tok *u = lang_next(P);
        if (!u || u->type != T_WORD) {
            ERR_AT(P, u, "expected a destination host after \"->\", found %s", lang_found(&sh, u));
            return -1;
        }
        dp = u->s;
        dn = u->len;
        dcol = u->col;
    }
    if ((*src = ref_add(P, sp, sn, t->col)) < 0) return -1;
    if (bcast && dn == 1 && dp[0] == '*') {
        *dst = SCN_BROADCAST;
        return 0;
    }
    if ((*dst = ref_add(P, dp, dn, dcol)) < 0) return -1;
    if (sn == dn && !memcmp(sp, dp, sn)) {
        lang_perr_at(P, P->line, dcol, "source and destination are the same host %s",
                lang_show_slice(&sh, dp, dn));
        return -1;
    }
    return 0;
}

int lang_want_arrow(struct parser *P, int *src, int *dst)
{
    return lang_want_arrow_to(P, src, dst, 0);
}

/* The rest of a line that names one connection of a host: `[on port P]
 * [with PEER [port Q]]`, each at most once, in either order.  0 (with 0 or
 * -1 for what was not given), or -1 after an error. */
int lang_want_conn(struct parser *P, uint16_t *lport, int *peer, uint16_t *rport)
{
    struct show sh;
    int on = 0, with = 0;
    struct tok *w;
    while ((w = lang_next(P))) {
        uint64_t n;
        if (lang_is_word(w, "on") && !on) {
            on = 1;
            struct tok *pw = lang_next(P);
            if (!lang_is_word(pw, "port")) {
                ERR_AT(P, pw, "expected \"port N\" after on, found %s", lang_found(&sh, pw));
                return -1;
            }
            if (lang_want_uint(P, "a port number", 1, 65535, &n)) return -1;
            *lport = (uint16_t)n;
        } else if (lang_is_word(w, "with") && !with) {
            with = 1;
            if ((*peer = lang_want_ref(P, "the peer's host name")) < 0) return -1;
            if (lang_is_word(lang_peek(P), "port")) {
                lang_next(P);
                if (lang_want_uint(P, "a port number", 1, 65535, &n)) return -1;
                *rport = (uint16_t)n;
            }
        } else if (lang_is_word(w, "on") || lang_is_word(w, "with")) {
            ERR_AT(P, w, "%s is given twice", lang_found(&sh, w));
            return -1;
        } else {
            ERR_AT(P, w, "expected \"on port N\", \"with PEER\" or end of line, found %s",
                   lang_found(&sh, w));
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* LANs, addresses and domain names                                         */

/* Words a LAN cannot be called: they start lines or are host options, and
 * a LAN name is read where one of them could be meant.  `repeat` and `end`
 * start lines too (repeat.c reads them before KEYWORDS are looked up). */
int lang_lan_reserved(const char *w)
{
    static const char *const words[] = {
#define X(k) #k,
        KEYWORDS(X)
#undef X
        "repeat", "end", "on", "gateway", "dns"
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(w, words[i])) return 1;
    return 0;
}

/* The LAN name after `on`; returns the LAN reference index or -1. */
int lang_want_lanref(struct parser *P)
{
    struct show sh;
    struct tok *t = lang_next(P);
    if (!t || t->type != T_WORD || lang_lan_reserved(t->s)) {
        ERR_AT(P, t, "expected a LAN name after \"on\", found %s", lang_found(&sh, t));
        return -1;
    }
    if (lang_name_error(P, t->s, t->len, t->col, "LAN")) return -1;
    P->lanrefs = lang_grow_arr(P->lanrefs, &P->caplanrefs, P->nlanrefs, sizeof *P->lanrefs);
    struct ref *r = &P->lanrefs[P->nlanrefs];
    memcpy(r->name, t->s, t->len + 1);
    r->line = P->line;
    r->col = t->col;
    r->host = -1;
    r->ctx = lang_ctx_id(P);
    return P->nlanrefs++;
}

ip4_addr lang_prefix_mask(int prefix)
{
    return prefix <= 0 ? 0 : (ip4_addr)(UINT32_C(0xFFFFFFFF) << (32 - prefix));
}

const char *lang_net_str(char *buf, size_t n, ip4_addr net, int prefix)
{
    char a[16];
    snprintf(buf, n, "%s/%d", ip4_str(net, a, sizeof a), prefix);
    return buf;
}

/* An IPv4 address.  role ("a host's address", ...) refuses 0.0.0.0 and
 * 255.255.255.255, which can never be one; NULL accepts every address. */
int lang_want_addr(struct parser *P, const char *role, ip4_addr *out)
{
    struct show sh;
    struct tok *a = lang_next(P);
    ip4_addr v = 0;
    if (!a || a->type != T_WORD || ip4_parse(a->s, &v) != 0) {
        ERR_AT(P, a, "expected an IPv4 address like 192.0.2.10, found %s", lang_found(&sh, a));
        return -1;
    }
    if (role && (v == 0 || v == 0xFFFFFFFFu)) {
        ERR_AT(P, a, "%s cannot be %s", lang_found(&sh, a), _(role));
        return -1;
    }
    *out = v;
    return 0;
}

/* Claims addr, written at token a, for host h: each address (router
 * interfaces included) belongs to one host, once. */
int lang_claim_addr(struct parser *P, const struct tok *a, ip4_addr addr, int h)
{
    struct show sh;
    const struct scenario *s = P->s;
    char key[16];
    snprintf(key, sizeof key, "%08lx", (unsigned long)addr);
    int other = lang_smap_get(&P->addrs, key);
    if (other == h) {
        ERR_AT(P, a, "address %s is already an interface of router \"%s\"", lang_found(&sh, a),
               s->hosts[h].name);
        return -1;
    }
    if (other >= 0) {
        ERR_AT(P, a, "address %s is already used by host \"%s\" (line %d)", lang_found(&sh, a),
               s->hosts[other].name, s->hosts[other].line);
        return -1;
    }
    lang_smap_put(&P->addrs, key, h);
    return 0;
}

/* A domain name, checked with dns_name_check; like says what is expected.
 * The root "." only where allow_root.  Returns the token or NULL. */
struct tok *lang_want_domain(struct parser *P, const char *like, int allow_root)
{
    struct show sh;
    struct tok *t = lang_next(P);
    char why[128];
    if (!t || t->type != T_WORD || (!allow_root && !strcmp(t->s, "."))) {
        ERR_AT(P, t, "expected %s, found %s", like, lang_found(&sh, t));
        return NULL;
    }
    if (dns_name_check(t->s, why, sizeof why) < 0) {
        ERR_AT(P, t, "expected %s, found %s: %s", like, lang_found(&sh, t), why);
        return NULL;
    }
    return t;
}

/* A checked domain name as protosim stores it: no trailing dot, the root
 * as "."; dst holds DNS_NAME_BUF bytes (dns_name_check bounds the length). */
void lang_domain_copy(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n >= DNS_NAME_BUF) n = DNS_NAME_BUF - 1;
    if (n > 1 && src[n - 1] == '.') n--;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* "HOST apex" with the apex lower-cased: the key of a zone (names compare
 * without regard to case, RFC 1035 2.3.3). */
void lang_zone_key(char *key, size_t n, const char *host, const char *apex)
{
    int k = snprintf(key, n, "%s ", host);
    if (k < 0 || (size_t)k >= n) return;
    size_t i = (size_t)k;
    for (; *apex && i + 1 < n; apex++)
        key[i++] = (char)(*apex >= 'A' && *apex <= 'Z' ? *apex + 32 : *apex);
    key[i] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Frame patterns: PROTO [FLAGS]                                            */

/* Reads PROTO and optional FLAGS.  In a fault the pattern ends at `#N`; in
 * an expectation at `count`, `#N`, `every` or `some` (lang_pattern_end). */
int lang_want_pattern(struct parser *P, struct scn_match *m, int in_expect)
{
    struct show sh;
    struct tok *t = lang_next(P);
    m->any_flags = 1;
    m->flags = 0;
    m->data = 0;
    if (lang_is_word(t, "tcp"))      m->proto = IPPROTO_TCP_NUM;
    else if (lang_is_word(t, "udp")) m->proto = IPPROTO_UDP_NUM;
    else if (lang_is_word(t, "any")) m->proto = 0;
    else {
        ERR_AT(P, t, "expected a protocol (tcp, udp or any), found %s", lang_found(&sh, t));
        return -1;
    }
    struct tok *f = lang_peek(P);
    if (!f || f->type != T_WORD) return 0;
    if (in_expect ? lang_pattern_end(f) : f->s[0] == '#') return 0;
    lang_next(P);
    size_t d = 0;
    while (f->s[d] >= '0' && f->s[d] <= '9') d++;
    if (d && !f->s[d]) {
        /* `udp 1` for `udp #1`: the number is meant, its # forgotten */
        ERR_AT(P, f, "expected a frame number like #1 (the Nth matching frame), found %s",
               lang_found(&sh, f));
        return -1;
    }
    if (m->proto != IPPROTO_TCP_NUM) {
        ERR_AT(P, f, "TCP flags only apply to tcp patterns, found %s after %s",
               lang_found(&sh, f), t->s);
        return -1;
    }
    if (!strcmp(f->s, "any")) return 0;
    if (!strcmp(f->s, "data")) { m->data = 1; return 0; }
    uint8_t fl = 0;
    if (tcp_flags_parse(f->s, &fl) != 0) {
        ERR_AT(P, f, "expected TCP flags like SYN or SYN,ACK (or any, or data), found %s",
               lang_found(&sh, f));
        return -1;
    }
    m->any_flags = 0;
    m->flags = fl;
    return 0;
}
