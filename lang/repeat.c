/* repeat.c — crowds: the line loop of a file, `repeat N as VAR` blocks and
 * one-line repeats, and the {EXPR} substitutions in their lines. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "wire.h"
#include "langint.h"

/*
 * How a repeat is expanded
 * ------------------------
 * A line whose first word is `repeat` is a header: `repeat COUNT as VAR
 * [from START]`, then either `:` and one line on the same line (the one-line
 * form), or the lines up to a matching `end` (the block form; blocks nest).
 * The body is run COUNT times with VAR bound to START, START + 1, ...; each
 * run of each line is an ordinary line after its {EXPR} parts are replaced
 * by their values, so every keyword works in a repeat as it does outside.
 *
 * A block's lines are read once, with their kind (plain, block header, end,
 * one-line header) and, for a header, the index of its `end`; each iteration
 * then only substitutes and parses.  So expansion costs time linear in the
 * text it produces, and that text is bounded: at most expand_max lines (a
 * count that would pass it is refused at the count before anything runs)
 * and expand_bytes_max bytes, headers included; nesting is at most REPEAT_DEPTH_MAX deep and a
 * parenthesis at most EXPR_DEPTH_MAX deep.
 *
 * Columns: the substituted line carries a map from each of its bytes to the
 * column of the source byte it came from (a value's bytes map to its `{`),
 * which the lexer and lang_col_in read, so a message points at the text as
 * written.  While a repeat runs, every message also says the iteration
 * ("in repeat iteration i=5, j=2"); a host or LAN name used in a repeat
 * keeps that text for the checks at the end of the file.
 *
 * Outside a repeat nothing is substituted: a lesson without `repeat` reads
 * exactly as before.  Inside one, `{{` writes a `{`, and a `#` comment is
 * copied unchanged.
 */

#define REPEAT_DEPTH_MAX ((int)(sizeof ((struct parser *)0)->vars / sizeof ((struct parser *)0)->vars[0]))
#define EXPR_DEPTH_MAX   32

/* One line of the source: text, line number, column of its first byte. */
struct sline {
    const char *p;
    size_t n;
    int line, col;
    int kind;               /* enum line_kind */
    int end;                /* RL_BLOCK: lines from here to its matching `end` */
};

enum line_kind { RL_PLAIN, RL_BLOCK, RL_ONELINE, RL_END };

static size_t skip_space(const char *p, size_t n, size_t i)
{
    while (i < n && is_space((unsigned char)p[i])) i++;
    return i;
}

/* Is the word at p[i..] exactly w (followed by a space, `#` or the end)? */
static int word_at(const char *p, size_t n, size_t i, const char *w)
{
    size_t k = strlen(w);
    if (n - i < k || memcmp(p + i, w, k)) return 0;
    return i + k == n || is_space((unsigned char)p[i + k]) || p[i + k] == '#';
}

/* The kind of a line; for RL_ONELINE *colon is the offset of its `:`. */
static int line_kind(const char *p, size_t n, size_t *colon)
{
    size_t i = skip_space(p, n, 0);
    if (word_at(p, n, i, "end")) return RL_END;
    if (!word_at(p, n, i, "repeat")) return RL_PLAIN;
    for (i += 6; i < n && p[i] != '#' && p[i] != '"'; i++) {
        if (p[i] == ':') {
            *colon = i;
            return RL_ONELINE;
        }
    }
    return RL_BLOCK;
}

/* ------------------------------------------------------------------------ */
/* Iterations in messages                                                   */

/* Appends "i=5, j=2" for the repeats running now to buf. */
static void iter_text(const struct parser *P, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int k = 0; k < P->nvars && off < n; k++) {
        int w = snprintf(buf + off, n - off, "%s%s=%lld", k ? ", " : "", P->vars[k].name,
                         (long long)P->vars[k].v);
        if (w < 0) break;
        off += (size_t)w;
    }
}

/* The iteration running now as an offset into P->ctxbuf, made once per
 * iteration and only when a name is recorded in it; -1 outside a repeat. */
int lang_ctx_id(struct parser *P)
{
    if (!P->nvars) return -1;
    if (P->ctx_cur >= 0) return P->ctx_cur;
    char b[REPEAT_DEPTH_MAX * (SCN_NAME_MAX + 24)];
    iter_text(P, b, sizeof b);
    size_t k = strlen(b) + 1;
    if (P->nctxbuf > (size_t)INT_MAX - k) return -1;   /* no room: say nothing */
    if (P->nctxbuf + k > P->capctxbuf) {
        size_t nc = P->capctxbuf ? P->capctxbuf * 2 : 4096;
        while (nc < P->nctxbuf + k) nc *= 2;
        P->ctxbuf = xrealloc(P->ctxbuf, nc);
        P->capctxbuf = nc;
    }
    memcpy(P->ctxbuf + P->nctxbuf, b, k);
    P->ctx_cur = (int)P->nctxbuf;
    P->nctxbuf += k;
    return P->ctx_cur;
}

/* The text lang_perr_at adds while a repeat runs: " (in repeat iteration
 * i=5)"; "" outside one. */
void lang_iter_suffix(const struct parser *P, int ctx, char *buf, size_t n)
{
    char b[REPEAT_DEPTH_MAX * (SCN_NAME_MAX + 24)];
    buf[0] = '\0';
    if (ctx >= 0 && P->ctxbuf)
        snprintf(buf, n, _(" (in repeat iteration %s)"), P->ctxbuf + ctx);
    else if (ctx == CTX_NOW && P->nvars) {
        iter_text(P, b, sizeof b);
        snprintf(buf, n, _(" (in repeat iteration %s)"), b);
    }
}

/* ------------------------------------------------------------------------ */
/* {EXPR}: integer arithmetic, and IPv4 addresses plus or minus a number    */

struct val {
    int64_t v;
    int     addr;           /* an IPv4 address, 0 .. 2^32-1 */
};

struct expr {
    struct parser *P;
    const char *p;          /* the text between the braces */
    size_t n, i;
    int col0;               /* column of p[0] */
    int depth;
    int failed;
};

static int expr_col(const struct expr *E, size_t i)
{
    return lang_col_add(E->col0, i);
}

static void expr_err(struct expr *E, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void expr_err(struct expr *E, size_t i, const char *fmt, ...)
{
    if (E->failed) return;
    E->failed = 1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lang_perr_at(E->P, E->P->line, expr_col(E, i), "%s", msg);
}

static void expr_space(struct expr *E)
{
    E->i = skip_space(E->p, E->n, E->i);
}

static int expr_sum(struct expr *E, struct val *out);

static int is_name_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

/* A number, an IPv4 address, a repeat variable, (EXPR) or -PRIMARY. */
static int expr_primary(struct expr *E, struct val *out)
{
    struct show sh;
    expr_space(E);
    size_t st = E->i;
    if (st >= E->n) {
        expr_err(E, st, "expected a number, a repeat variable or \"(\" in {...}, found "
                 "end of expression");
        return -1;
    }
    unsigned char c = (unsigned char)E->p[st];
    if (c == '(' || c == '-') {
        if (++E->depth > EXPR_DEPTH_MAX) {
            expr_err(E, st, "expression nests too deeply (at most %d levels)", EXPR_DEPTH_MAX);
            return -1;
        }
        E->i++;
        int rc = c == '(' ? expr_sum(E, out) : expr_primary(E, out);
        E->depth--;
        if (rc) return -1;
        if (c == '-') {
            if (out->addr) {
                expr_err(E, st, "an address cannot be negated");
                return -1;
            }
            if (out->v == INT64_MIN) {
                expr_err(E, st, "arithmetic overflow in {...}");
                return -1;
            }
            out->v = -out->v;
            return 0;
        }
        expr_space(E);
        if (E->i >= E->n || E->p[E->i] != ')') {
            expr_err(E, E->i, "expected \")\" in {...}, found %s",
                     E->i < E->n ? lang_show_slice(&sh, E->p + E->i, 1) : "end of expression");
            return -1;
        }
        E->i++;
        return 0;
    }
    if (is_digit(c)) {
        size_t j = st;
        while (j < E->n && (is_digit((unsigned char)E->p[j]) || E->p[j] == '.')) j++;
        char buf[32];
        if (j - st >= sizeof buf) {
            expr_err(E, st, "number %s is too large", lang_show_slice(&sh, E->p + st, j - st));
            return -1;
        }
        memcpy(buf, E->p + st, j - st);
        buf[j - st] = '\0';
        E->i = j;
        if (memchr(buf, '.', j - st)) {
            ip4_addr a;
            if (ip4_parse(buf, &a) != 0) {
                expr_err(E, st, "expected a number or an IPv4 address like 10.0.0.1, found %s",
                         lang_show_slice(&sh, buf, j - st));
                return -1;
            }
            *out = (struct val){ (int64_t)a, 1 };
            return 0;
        }
        uint64_t v;
        if (lang_parse_u64(buf, &v) != NUM_OK || v > INT64_MAX) {
            expr_err(E, st, "number %s is too large", lang_show_slice(&sh, buf, j - st));
            return -1;
        }
        *out = (struct val){ (int64_t)v, 0 };
        return 0;
    }
    if (is_alpha(c) || c == '_') {
        size_t j = st;
        while (j < E->n && is_name_char((unsigned char)E->p[j])) j++;
        E->i = j;
        for (int k = E->P->nvars - 1; k >= 0; k--) {
            if (strlen(E->P->vars[k].name) == j - st &&
                !memcmp(E->P->vars[k].name, E->p + st, j - st)) {
                *out = (struct val){ E->P->vars[k].v, 0 };
                return 0;
            }
        }
        expr_err(E, st, "unknown name %s in {...}: only the variables of the repeats "
                 "around this line can be used", lang_show_slice(&sh, E->p + st, j - st));
        return -1;
    }
    expr_err(E, st, "expected a number, a repeat variable or \"(\" in {...}, found %s",
             lang_show_slice(&sh, E->p + st, 1));
    return -1;
}

/* a op b for one of + - * / %, checked; 0 or -1 after an error at column i. */
static int expr_apply(struct expr *E, size_t i, char op, struct val *a, struct val b)
{
    int64_t r = 0;
    int addr = 0;
    if (a->addr || b.addr) {
        if (op == '+' && !(a->addr && b.addr)) {
            addr = 1;
        } else if (op == '-' && a->addr) {
            addr = !b.addr;        /* address - address is a distance */
        } else {
            expr_err(E, i, "only a number can be added to or taken from an address, "
                     "found %s", op == '+' ? "address + address"
                                 : op == '-' ? "number - address" : "* / or % with an address");
            return -1;
        }
    }
    switch (op) {
    case '+': if (__builtin_add_overflow(a->v, b.v, &r)) goto overflow; break;
    case '-': if (__builtin_sub_overflow(a->v, b.v, &r)) goto overflow; break;
    case '*': if (__builtin_mul_overflow(a->v, b.v, &r)) goto overflow; break;
    default:
        if (b.v == 0) {
            expr_err(E, i, "%s by zero in {...}", op == '/' ? "division" : "remainder");
            return -1;
        }
        if (a->v == INT64_MIN && b.v == -1) goto overflow;
        r = op == '/' ? a->v / b.v : a->v % b.v;
        break;
    }
    if (addr && (r < 0 || r > (int64_t)UINT32_MAX)) {
        expr_err(E, i, "the address is out of range (past %s)",
                 r < 0 ? "0.0.0.0" : "255.255.255.255");
        return -1;
    }
    *a = (struct val){ r, addr };
    return 0;
overflow:
    expr_err(E, i, "arithmetic overflow in {...}");
    return -1;
}

/* A run of operands joined by the operators of one precedence level:
 * level 0 is + and - between products, level 1 is * / % between primaries. */
static int expr_level(struct expr *E, struct val *out, int level)
{
    static const char *const ops[] = { "+-", "*/%" };
    if (level ? expr_primary(E, out) : expr_level(E, out, 1)) return -1;
    for (;;) {
        expr_space(E);
        if (E->i >= E->n || !E->p[E->i] || !strchr(ops[level], E->p[E->i])) return 0;
        char op = E->p[E->i];
        size_t at = E->i++;
        struct val b;
        if ((level ? expr_primary(E, &b) : expr_level(E, &b, 1)) ||
            expr_apply(E, at, op, out, b))
            return -1;
    }
}

static int expr_sum(struct expr *E, struct val *out)
{
    return expr_level(E, out, 0);
}

/* Evaluates p[0..n) (the text inside the braces, starting at column col0)
 * into text; returns its length, or -1 after reporting an error. */
static int expr_eval(struct parser *P, const char *p, size_t n, int col0, char *text, size_t tn)
{
    struct show sh;
    struct expr E = { P, p, n, 0, col0, 0, 0 };
    struct val v;
    if (expr_sum(&E, &v)) return -1;
    expr_space(&E);
    if (E.i < n) {
        expr_err(&E, E.i, "expected an operator (+ - * / %%) or \"}\", found %s",
                 lang_show_slice(&sh, p + E.i, 1));
        return -1;
    }
    if (v.addr) {
        char a[16];
        return snprintf(text, tn, "%s", ip4_str((ip4_addr)v.v, a, sizeof a));
    }
    return snprintf(text, tn, "%lld", (long long)v.v);
}

/* ------------------------------------------------------------------------ */
/* Substitution                                                             */

static void xput(struct parser *P, size_t *o, char c, int col)
{
    if (*o + 2 > P->capxline) {
        size_t nc = P->capxline ? P->capxline * 2 : 256;
        P->xline = xrealloc(P->xline, nc);
        P->xcol = xreallocarray(P->xcol, nc, sizeof *P->xcol);
        P->capxline = nc;
    }
    P->xline[*o] = c;
    P->xcol[*o] = col;
    (*o)++;
}

/* Copies L's text into P->xline with every {EXPR} replaced by its value,
 * and the column of each byte into P->xcol (one more entry: the column
 * just past the line).  Returns the length, or -1 after an error. */
static long substitute(struct parser *P, const struct sline *L)
{
    const char *p = L->p;
    size_t n = L->n, o = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        int col = lang_col_add(L->col, i);
        char c = p[i];
        if (in_str) {
            if (c == '\\' && i + 1 < n) {
                xput(P, &o, c, col);
                i++;
                xput(P, &o, p[i], lang_col_add(L->col, i));
                continue;
            }
            if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '#' && !(i + 1 < n && (is_digit((unsigned char)p[i + 1]) || p[i + 1] == '{'))) {
            for (; i < n; i++) xput(P, &o, p[i], lang_col_add(L->col, i));   /* a comment */
            break;
        }
        if (c != '{') {
            xput(P, &o, c, col);
            continue;
        }
        if (i + 1 < n && p[i + 1] == '{') {
            xput(P, &o, '{', col);
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && p[j] != '}' && p[j] != '{' && p[j] != '"') j++;
        if (j >= n || p[j] != '}') {
            lang_perr_at(P, P->line, col, "expected \"}\" to end the {...} begun here "
                         "(write {{ for a brace)");
            return -1;
        }
        char v[32];
        int k = expr_eval(P, p + i + 1, j - i - 1, lang_col_add(col, 1), v, sizeof v);
        if (k < 0) return -1;
        for (int q = 0; q < k; q++) xput(P, &o, v[q], col);
        i = j;
    }
    xput(P, &o, '\0', lang_col_add(L->col, n));
    P->expanded_bytes += o;
    if (P->expanded_bytes > P->expand_bytes_max) {
        lang_perr_at(P, P->line, L->col, "repeats expand to more than %llu bytes of text",
                     (unsigned long long)P->expand_bytes_max);
        P->stopped = 1;
        return -1;
    }
    return (long)o - 1;
}

/* ------------------------------------------------------------------------ */
/* Running lines                                                            */

static void run_lines(struct parser *P, struct sline *ls, int n);

/* Parses one line as written (plain, or the body of a one-line repeat):
 * substituted inside a repeat, as is outside one. */
static void run_plain(struct parser *P, const struct sline *L)
{
    if (!P->nvars) {
        lang_parse_line(P, L->p, L->n);
        return;
    }
    long k = substitute(P, L);
    if (k < 0) return;
    P->colmap = P->xcol;
    lang_parse_line(P, P->xline, (size_t)k);
    P->colmap = NULL;
}

/* A header `repeat COUNT as VAR [from START]` (the text before any `:`),
 * read into h.  0, or -1 after an error. */
struct header {
    uint64_t count;
    int64_t  start;
    char     var[SCN_NAME_MAX];
    int      col;           /* of the `repeat` keyword */
    int      count_col;
};

static int want_int64(struct parser *P, const char *what, int64_t *out)
{
    struct show sh;
    struct tok *t = lang_next(P);
    uint64_t v;
    int neg = t && t->type == T_WORD && t->s[0] == '-';
    if (t && t->type == T_WORD && lang_parse_u64(t->s + neg, &v) == NUM_OK &&
        v <= (uint64_t)INT64_MAX) {
        *out = neg ? -(int64_t)v : (int64_t)v;
        return 0;
    }
    ERR_AT(P, t, "expected %s, found %s", _(what), lang_found(&sh, t));
    return -1;
}

static int read_header(struct parser *P, const struct sline *L, size_t n, struct header *h)
{
    struct show sh;
    struct sline H = *L;
    H.n = n;
    long k = substitute(P, &H);
    if (k < 0) return -1;
    P->colmap = P->xcol;
    int rc = -1;
    if (lang_lex_line(P, P->xline, (size_t)k)) goto out;
    struct tok *kw = lang_next(P);              /* `repeat` */
    h->col = kw->col;
    struct tok *c = lang_peek(P);
    h->count_col = lang_colof(P, c);
    if (!c || c->type != T_WORD || lang_parse_u64(c->s, &h->count) != NUM_OK) {
        ERR_AT(P, c, "expected a repeat count like 100 (or {EXPR}), found %s", lang_found(&sh, c));
        goto out;
    }
    lang_next(P);
    struct tok *as = lang_next(P);
    if (!lang_is_word(as, "as")) {
        ERR_AT(P, as, "expected \"as\" and a variable name, like: repeat 100 as i, found %s",
               lang_found(&sh, as));
        goto out;
    }
    struct tok *v = lang_next(P);
    int ok = v && v->type == T_WORD && v->len < SCN_NAME_MAX &&
             (is_alpha((unsigned char)v->s[0]) || v->s[0] == '_');
    for (size_t i = 0; ok && i < v->len; i++) ok = is_name_char((unsigned char)v->s[i]);
    if (!ok) {
        ERR_AT(P, v, "expected a variable name (letters, digits and _), found %s", lang_found(&sh, v));
        goto out;
    }
    for (int q = 0; q < P->nvars; q++) {
        if (!strcmp(P->vars[q].name, v->s)) {
            ERR_AT(P, v, "variable %s is already the variable of an enclosing repeat",
                   lang_found(&sh, v));
            goto out;
        }
    }
    memcpy(h->var, v->s, v->len + 1);
    h->start = 0;
    if (lang_is_word(lang_peek(P), "from")) {
        lang_next(P);
        if (want_int64(P, "the first value, like: from 1", &h->start)) goto out;
    }
    if (lang_want_end(P)) goto out;
    if (P->nvars >= REPEAT_DEPTH_MAX) {
        lang_perr_at(P, P->line, h->col, "repeats nest at most %d deep", REPEAT_DEPTH_MAX);
        goto out;
    }
    if (h->count && h->count - 1 > (uint64_t)INT64_MAX - (uint64_t)h->start) {
        lang_perr_at(P, P->line, h->count_col, "arithmetic overflow: the variable would pass %lld",
                     (long long)INT64_MAX);
        goto out;
    }
    rc = 0;
out:
    P->colmap = NULL;
    return rc;
}

/* The fewest bytes substitute() can write for the n bytes at p (its NUL
 * included): every byte as it is, but `{{` one byte and an {EXPR} at
 * least one digit.  0 for a line with a `{` that does not close (its
 * first iteration says so, and writes nothing more). */
static uint64_t substitute_min(const char *p, size_t n)
{
    uint64_t o = 1;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\' && i + 1 < n) {
                o += 2;
                i++;
                continue;
            }
            if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '#' && !(i + 1 < n && (is_digit((unsigned char)p[i + 1]) || p[i + 1] == '{'))) {
            return o + (n - i);                  /* a comment, copied */
        }
        if (c != '{') {
            o++;
            continue;
        }
        if (i + 1 < n && p[i + 1] == '{') {
            o++;
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && p[j] != '}' && p[j] != '{' && p[j] != '"') j++;
        if (j >= n || p[j] != '}') return 0;
        o++;
        i = j;
    }
    return o;
}

/* The fewest bytes one iteration of body writes: its lines and the
 * headers of the repeats in it (whose own bodies may write nothing). */
static uint64_t body_min(const struct sline *body, int nbody)
{
    uint64_t sum = 0;
    for (int k = 0; k < nbody; k++) {
        const struct sline *L = &body[k];
        size_t colon = 0;
        switch (L->kind) {
        case RL_BLOCK:
            sum += substitute_min(L->p, L->n);
            k += L->end;
            break;
        case RL_ONELINE:
            line_kind(L->p, L->n, &colon);
            sum += substitute_min(L->p, colon);
            break;
        case RL_END:
            break;
        default:
            sum += substitute_min(L->p, L->n);
            break;
        }
    }
    return sum;
}

/* Runs body (nbody lines; a one-line repeat passes its one line) h.count
 * times.  The count is refused when it would pass the expansion limit, of
 * lines or of bytes: a count whose iterations write more bytes than are
 * left even at their fewest is refused before the first (a thousand lines
 * of 1 MiB were expanded and parsed for ten seconds, 953 of them, before
 * the bound stopped them). */
static void run_repeat(struct parser *P, const struct header *h, struct sline *body, int nbody)
{
    /* an empty block writes nothing whatever its count: there is nothing
     * to run, and "N times 0 lines would expand to more than ..." was false */
    if (nbody <= 0)
        return;
    uint64_t per = (uint64_t)nbody;
    uint64_t left = P->expand_max > P->expanded ? P->expand_max - P->expanded : 0;
    if (h->count > left / per) {
        lang_perr_at(P, P->line, h->count_col,
                     "repeat %llu times %d line%s would expand to more than %llu lines",
                     (unsigned long long)h->count, nbody, nbody == 1 ? "" : "s",
                     (unsigned long long)P->expand_max);
        return;
    }
    uint64_t least = body_min(body, nbody);
    uint64_t room = P->expand_bytes_max > P->expanded_bytes
                  ? P->expand_bytes_max - P->expanded_bytes : 0;
    if (least && h->count > room / least) {
        lang_perr_at(P, P->line, h->count_col,
                     "repeat %llu times at least %llu bytes would expand to more than %llu "
                     "bytes of text", (unsigned long long)h->count, (unsigned long long)least,
                     (unsigned long long)P->expand_bytes_max);
        P->stopped = 1;
        return;
    }
    P->expanded += h->count * per;             /* reserved: nested repeats see what is left */
    int slot = P->nvars++;
    memcpy(P->vars[slot].name, h->var, sizeof h->var);
    for (uint64_t it = 0; it < h->count && !P->stopped; it++) {
        P->vars[slot].v = h->start + (int64_t)it;
        P->ctx_cur = -1;
        int before = P->nerr;
        run_lines(P, body, nbody);
        if (P->nerr != before) break;           /* one iteration's errors are enough */
    }
    P->nvars--;
    P->ctx_cur = -1;
}

/* A one-line repeat `repeat ... : LINE`: LINE is its body. */
static void run_oneline(struct parser *P, const struct sline *L, size_t colon)
{
    struct header h;
    if (read_header(P, L, colon, &h)) return;
    struct sline B = { L->p + colon + 1, L->n - colon - 1, L->line,
                       lang_col_add(L->col, colon + 1), RL_PLAIN, 0 };
    size_t c2 = 0;
    B.kind = line_kind(B.p, B.n, &c2);
    size_t lead = skip_space(B.p, B.n, 0);
    if (B.kind == RL_BLOCK || B.kind == RL_END) {
        lang_perr_at(P, P->line, lang_col_add(B.col, lead), B.kind == RL_END
                     ? "\"end\" closes a block repeat; a one-line repeat has none"
                     : "a one-line repeat cannot open a block; write its line after \":\"");
        return;
    }
    if (lead == B.n) {
        lang_perr_at(P, P->line, lang_col_add(B.col, lead),
                     "expected a line to repeat after \":\", found end of line");
        return;
    }
    run_repeat(P, &h, &B, 1);
}

/* Runs the lines of a block (or of a file's repeat): each in turn, a nested
 * block from its header to its `end`. */
static void run_lines(struct parser *P, struct sline *ls, int n)
{
    for (int k = 0; k < n && !P->stopped; k++) {
        struct sline *L = &ls[k];
        P->line = L->line;
        size_t colon = 0;
        switch (L->kind) {
        case RL_BLOCK: {
            struct header h;
            int e = k + L->end;
            if (!read_header(P, L, L->n, &h))
                run_repeat(P, &h, ls + k + 1, e - k - 1);
            k = e;
            break;
        }
        case RL_ONELINE:
            line_kind(L->p, L->n, &colon);
            run_oneline(P, L, colon);
            break;
        default:                                 /* RL_END: matched already */
            run_plain(P, L);
            break;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The file                                                                 */

/* The next line of text from *pos: "\n", "\r\n" or a lone "\r" end it. */
static void next_line(const char *text, size_t len, size_t *pos, struct sline *L)
{
    const char *l = text + *pos;
    size_t n = 0;
    while (*pos + n < len && l[n] != '\n' && l[n] != '\r') n++;
    *pos += n;
    if (*pos < len)
        *pos += text[*pos] == '\r' && *pos + 1 < len && text[*pos + 1] == '\n' ? 2 : 1;
    L->p = l;
    L->n = n;
    L->col = 1;
    L->end = 0;
}

/* Reads the lines of a block repeat whose header is *hdr, up to its `end`,
 * into P->blk (the header first).  0, or -1 (reported) if the file ends. */
static int read_block(struct parser *P, const char *text, size_t len, size_t *pos)
{
    int *open = NULL, nopen = 0, capopen = 0;
    open = lang_grow_arr(open, &capopen, nopen, sizeof *open);
    open[nopen++] = 0;
    while (*pos < len && nopen) {
        struct sline L;
        if (P->line < INT_MAX) P->line++;
        next_line(text, len, pos, &L);
        L.line = P->line;
        size_t colon;
        L.kind = line_kind(L.p, L.n, &colon);
        P->blk = lang_grow_arr(P->blk, &P->capblk, P->nblk, sizeof *P->blk);
        int me = P->nblk++;
        P->blk[me] = L;
        if (L.kind == RL_BLOCK) {
            open = lang_grow_arr(open, &capopen, nopen, sizeof *open);
            open[nopen++] = me;
        } else if (L.kind == RL_END) {
            nopen--;
            P->blk[open[nopen]].end = me - open[nopen];
            size_t i = skip_space(L.p, L.n, 0) + 3;
            i = skip_space(L.p, L.n, i);
            if (i < L.n && L.p[i] != '#') {
                struct show sh;
                lang_perr_at(P, P->line, lang_col_add(1, i), "expected end of line after \"end\", "
                             "found %s", lang_show_slice(&sh, L.p + i, L.n - i));
            }
        }
    }
    int rc = 0;
    while (nopen) {                              /* the file ended first */
        const struct sline *H = &P->blk[open[--nopen]];
        lang_perr_at(P, H->line, lang_col_add(1, skip_space(H->p, H->n, 0)),
                     "this repeat has no \"end\" (the file ends first)");
        P->unclosed = 1;
        rc = -1;
    }
    free(open);
    return rc;
}

void lang_parse_text(struct parser *P, const char *text, size_t len, size_t pos)
{
    while (pos < len && !P->stopped) {
        if (P->line < INT_MAX) P->line++;
        struct sline L;
        next_line(text, len, &pos, &L);
        L.line = P->line;
        size_t colon = 0;
        L.kind = line_kind(L.p, L.n, &colon);
        switch (L.kind) {
        case RL_END:
            lang_perr_at(P, P->line, lang_col_add(1, skip_space(L.p, L.n, 0)),
                         "\"end\" without a repeat");
            break;
        case RL_ONELINE:
            run_oneline(P, &L, colon);
            break;
        case RL_BLOCK: {
            int errs = P->nerr;
            P->nblk = 0;
            P->blk = lang_grow_arr(P->blk, &P->capblk, P->nblk, sizeof *P->blk);
            P->blk[P->nblk++] = L;
            if (read_block(P, text, len, &pos) == 0 && P->nerr == errs) {
                int last = P->line;
                run_lines(P, P->blk, P->nblk);
                P->line = last;
            }
            break;
        }
        default:
            lang_parse_line(P, L.p, L.n);
            break;
        }
    }
}
