/* scenario.c — the .scn language: lexer, parser, name resolution, checks, and the frame-pattern matcher. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "arp.h"
#include "dns.h"
#include "lang.h"
#include "tcp.h"
#include "wire.h"

/*
 * How a scenario is read
 * ----------------------
 * A UTF-8 byte-order mark at the start is skipped (editors on Windows write
 * one).  The text is cut into lines at "\n", "\r\n" or a lone "\r" (old Mac
 * files), so a lesson reads the same whichever editor saved it.  Each line
 * is lexed on its own into words and strings; `#` starts a comment outside
 * strings, except the one `#N` frame number of a `fault` line.  The first word
 * picks a keyword handler, which walks the tokens with a cursor and reports
 * the first problem on the line as `file:line:col: error: ...`, pointing at the
 * offending token (or just past the last one when something is missing).
 * Parsing then goes on with the next line, so a teacher sees many mistakes at
 * once; after MAX_ERRORS it stops with a final "too many errors".
 *
 * Host names may be used before they are declared, so a name in a link, an
 * action, a fault or an expectation is recorded as a *reference* (name, line,
 * column) and the record holds the reference's index.  When the whole file is
 * read, references are resolved to host indices (or reported at the place
 * where they were written), `tcp` options are applied (defaults, then the
 * all-host lines, then the per-host lines, so the more specific line wins
 * whatever the order), and actions are sorted by time.  Errors found at the end
 * are merged with the others in (line, column) order.
 *
 * LAN names work the same way, in their own namespace (a LAN may share a
 * host's name): `host ... on LAN` and each `ADDR on LAN` of a `router` record
 * a LAN reference, so every check that needs the LAN's prefix -- the address
 * lies in the subnet and is neither its network nor its broadcast address,
 * the gateway is on one of the host's LANs -- runs at the end, as do the DNS
 * checks that need every `zone` line (a record's host serves a zone, and the
 * record lies inside one).  Those checks run even when other lines had
 * errors, wherever the names they need were resolved, so a teacher sees them
 * in the same pass.
 *
 * Honest limits: columns count bytes, not characters (as gcc does by
 * default); files larger than FILE_MAX are refused by scenario_load; all
 * durations are capped at DUR_MAX_US so that the engine can add them without
 * overflow; `send N bytes` payloads count against SEND_TOTAL_MAX so a hostile
 * file cannot make the parser allocate gigabytes.
 */

#define MAX_ERRORS     20
#define STRING_MAX     ((size_t)1 << 20)            /* 1 MiB */
#define BYTES_MAX      ((uint64_t)16 << 20)         /* send N bytes / recv N */
#define SEND_TOTAL_MAX ((uint64_t)64 << 20)
#define FILE_MAX       SCN_FILE_MAX
#define DUR_MAX_US     INT64_C(1000000000000)       /* 1000000s, about 11.6 days */
#define DUR_MAX_TEXT   "1000000s"
#define ISN_MAX        16
#define SHOW_MAX       40                           /* bytes of a token quoted in messages */
#define HINTS_MAX      8                            /* resolver hints */
#define PATH_MAX_LEN   128                          /* http get PATH */
#define RECV_FRAMED_DEFAULT 4096
/* The largest UDP payload one Ethernet frame carries: the simulator does not
 * fragment IP packets. */
#define UDP_DATA_MAX   (FRAME_MAX - ETH_HDR_LEN - IP4_HDR_LEN - UDP_HDR_LEN)


static const char PATTERN[] = "abcdefghijklmnopqrstuvwxyz";

/* ------------------------------------------------------------------------ */
/* Tokens and parser state                                                  */

/* The keywords that start a line (their handlers are at the end of the
 * keyword section), and the same list as the text of messages. */
#define KEYWORDS(X) \
    X(title) X(describe) X(seed) X(host) X(router) X(lan) X(link) X(tcp) \
    X(zone) X(record) X(resolver) X(at) X(fault) X(expect)

#define KEYWORD_LIST "title, describe, seed, host, router, lan, link, tcp, zone, record, " \
                     "resolver, at, fault, expect"

enum { T_WORD, T_STRING };

/* One token of the current line.  `s` is NUL-terminated: the word itself, or
 * the decoded bytes of a string (which may contain NULs from \x00; use len). */
struct tok {
    int         type;
    int         col;        /* 1-based byte column of the first character */
    const char *raw;        /* the token as written, in the input text */
    size_t      rawlen;
    char       *s;
    size_t      len;
};

struct perr {
    int   line, col, seq;
    char *msg;              /* the message after "error: " */
};

/* A host name as written somewhere other than its declaration. */
struct ref {
    char name[SCN_NAME_MAX];
    int  line, col;
    int  host;              /* resolved index, -1 unknown */
};

enum tcp_opt {
    TO_ISN, TO_MSS, TO_RTO, TO_RETRIES, TO_MSL, TO_NAGLE, TO_HANDSHAKE, TO_RCVBUF,
    TO_TW_REOPEN, TO_COUNT
};

static const char *const tcp_opt_names[TO_COUNT] = {
    "isn", "mss", "rto", "retries", "msl", "nagle", "handshake", "rcvbuf",
    "tw-reopen"
};

/* A `tcp OPTION [HOST] VALUE` line, applied once all hosts are known. */
struct tcpset {
    int      opt;           /* enum tcp_opt */
    int      ref;           /* -1: every host */
    int64_t  v;
    uint32_t isn[ISN_MAX];
    int      n_isn;
};

/* A small open-addressing string -> int map (host names, addresses, link
 * pairs, tcp option keys), so that huge generated files stay linear. */
struct smap {
    char  **keys;
    int    *vals;
    size_t  cap, n;
};

struct parser {
    const char      *path;
    struct scenario *s;
    int  caphosts, caplinks, capactions, capfaults, capexpects, capdescribe;
    int  caplans, capzones, caprrs, capresolvers;

    struct perr *errs;
    int  nerr, caperr;
    int  stopped;           /* too many errors: read no further */
    int  finishing;         /* end-of-file checks: collect every error */

    int  line;              /* current line number */
    struct tok *toks;
    int  ntok, captok, ti;  /* tokens of the line, cursor */
    char  *buf;             /* storage for token text */
    size_t capbuf;
    int  eol_col;           /* column just past the last token */

    struct ref *refs;
    int  nrefs, caprefs;
    struct tcpset *tsets;
    int  ntsets, captsets;

    struct smap hostnames, addrs, linkpairs, tcpkeys;

    /* issue 3: LANs, routers, DNS data */
    struct ref *lanrefs;    /* `on LAN`; ref.host holds the LAN index */
    int  nlanrefs, caplanrefs;
    int *gwcols;            /* per host: column of its gateway address, 0 none */
    int  capgwcols;
    int *rrcols;            /* per record: column of the record text */
    int  caprrcols;
    struct smap lannames, lannets, lancover, zonekeys, resolverhosts;
    int  title_line, seed_line;
    int  host_lines;        /* `host` lines seen, valid or not */
    int64_t  prev_at;       /* time of the previous `at` line */
    uint64_t send_total;
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static int col_add(int col, size_t off)
{
    if (off > (size_t)(INT_MAX - col)) return INT_MAX;
    return col + (int)off;
}

/* Returns p, or a larger copy when n elements no longer fit.  A count past
 * INT_MAX is out of memory as far as the int-indexed records go. */
static void *grow_arr(void *p, int *cap, int n, size_t elsz)
{
    if (n < *cap) return p;
    if (*cap > INT_MAX / 2) alloc_exhausted(SIZE_MAX);
    int nc = *cap ? *cap * 2 : 8;
    void *q = xreallocarray(p, (size_t)nc, elsz);
    *cap = nc;
    return q;
}

/* A NUL-terminated copy of n bytes (which may hold NULs of their own). */
static char *dup_bytes(const char *p, size_t n)
{
    char *d = xmalloc(n + 1);
    if (n) memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* A token or slice quoted for a message: printable ASCII as is, anything else
 * as \xHH, at most SHOW_MAX bytes then "...". */
struct show { char b[SHOW_MAX * 4 + 8]; };

static const char *show_slice(struct show *sh, const char *p, size_t n)
{
    char *o = sh->b;
    size_t lim = n > SHOW_MAX ? SHOW_MAX : n;
    *o++ = '"';
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; }
        else if (c >= 0x20 && c < 0x7f) *o++ = (char)c;
        else { snprintf(o, 5, "\\x%02X", c); o += 4; }
    }
    *o++ = '"';
    if (n > lim) { memcpy(o, "...", 3); o += 3; }
    *o = '\0';
    return sh->b;
}

static const char *found(struct show *sh, const struct tok *t)
{
    if (!t) return "end of line";
    if (t->type == T_STRING) return "a string";
    return show_slice(sh, t->s, t->len);
}

/* ------------------------------------------------------------------------ */
/* String map                                                               */

static uint64_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++) { h ^= (unsigned char)*s; h *= UINT64_C(1099511628211); }
    return h;
}

static int smap_get(const struct smap *m, const char *k)
{
    if (!m->cap) return -1;
    for (size_t i = hash_str(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return -1;
        if (!strcmp(m->keys[i], k)) return m->vals[i];
    }
}

/* Inserts a key that is not present. */
static void smap_put(struct smap *m, const char *k, int v)
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
    char *d = dup_bytes(k, strlen(k));
    size_t i = hash_str(k) & (m->cap - 1);
    while (m->keys[i]) i = (i + 1) & (m->cap - 1);
    m->keys[i] = d;
    m->vals[i] = v;
    m->n++;
}

static void smap_free(struct smap *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

static void perr_at(struct parser *P, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void perr_at(struct parser *P, int line, int col, const char *fmt, ...)
{
    if (P->stopped && !P->finishing) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) k = 0;
    char *msg = xmalloc((size_t)k + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)k + 1, fmt, ap);
    va_end(ap);
    P->errs = grow_arr(P->errs, &P->caperr, P->nerr, sizeof *P->errs);
    P->errs[P->nerr] = (struct perr){ line, col, P->nerr, msg };
    P->nerr++;
    if (P->nerr > MAX_ERRORS) P->stopped = 1;
}

#define ERR_AT(P, t, ...) perr_at((P), (P)->line, colof((P), (t)), __VA_ARGS__)

/* ------------------------------------------------------------------------ */
/* Lexer                                                                    */

static struct tok *new_tok(struct parser *P)
{
    P->toks = grow_arr(P->toks, &P->captok, P->ntok, sizeof *P->toks);
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

/* Splits one line into tokens.  Returns 0, or -1 after reporting an error
 * (the line is then skipped). */
static int lex_line(struct parser *P, const char *l, size_t n)
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
        int col = col_add(1, i);
        if (is_space(c)) { i++; continue; }
        if (c == '\0') {
            perr_at(P, P->line, col, "unexpected NUL byte");
            return -1;
        }
        if (c == '#') {
            /* In a fault or expect line, the first `#` followed by a digit
             * is the frame (or call) number `#N`; everywhere else `#` starts
             * a comment. */
            int nth_line = P->ntok > 0 && P->toks[0].type == T_WORD &&
                           (!strcmp(P->toks[0].s, "fault") ||
                            !strcmp(P->toks[0].s, "expect"));
            if (!(nth_line && !nth_seen && i + 1 < n && is_digit(l[i + 1])))
                break;
            nth_seen = 1;
        }
        struct tok *t = new_tok(P);
        t->col = col;
        t->raw = l + i;
        t->s = o;
        if (c == '"') {
            size_t j = i + 1;
            t->type = T_STRING;
            for (;;) {
                if (j >= n) {
                    perr_at(P, P->line, col, "unterminated string");
                    return -1;
                }
                unsigned char d = (unsigned char)l[j];
                if (d == '"') { j++; break; }
                if (d == '\0') {
                    perr_at(P, P->line, col_add(1, j),
                            "unexpected NUL byte in a string; write \\x00 instead");
                    return -1;
                }
                if (d != '\\') { *o++ = (char)d; j++; continue; }
                if (j + 1 >= n) {
                    perr_at(P, P->line, col, "unterminated string");
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
                        perr_at(P, P->line, col_add(1, j),
                                "invalid escape in string: \\x needs two hex digits, like \\x0A");
                        return -1;
                    }
                    *o++ = (char)(h1 * 16 + h2);
                    j += 4;
                    break;
                }
                default:
                    if (e >= 0x21 && e < 0x7f)
                        perr_at(P, P->line, col_add(1, j),
                                "unknown escape \\%c in string; use \\n, \\r, \\t, \\\\, \\\" or \\xHH", e);
                    else
                        perr_at(P, P->line, col_add(1, j),
                                "unknown escape in string; use \\n, \\r, \\t, \\\\, \\\" or \\xHH");
                    return -1;
                }
            }
            t->len = (size_t)(o - t->s);
            t->rawlen = j - i;
            *o++ = '\0';
            if (t->len > STRING_MAX) {
                perr_at(P, P->line, col, "string is longer than 1 MiB");
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
        P->eol_col = col_add(last->col, last->rawlen);
    } else {
        P->eol_col = 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Token cursor                                                             */

static struct tok *peek(struct parser *P)
{
    return P->ti < P->ntok ? &P->toks[P->ti] : NULL;
}

static struct tok *next(struct parser *P)
{
    struct tok *t = peek(P);
    if (t) P->ti++;
    return t;
}

static int colof(const struct parser *P, const struct tok *t)
{
    return t ? t->col : P->eol_col;
}

static int is_word(const struct tok *t, const char *w)
{
    return t && t->type == T_WORD && !strcmp(t->s, w);
}

static int want_end(struct parser *P)
{
    struct tok *t = peek(P);
    if (!t) return 0;
    struct show sh;
    ERR_AT(P, t, "expected end of line, found %s", found(&sh, t));
    return -1;
}

/* A quoted text that becomes a C string (title, describe, note, inject). */
static struct tok *want_text(struct parser *P, const char *what)
{
    struct tok *t = next(P);
    struct show sh;
    if (!t || t->type != T_STRING) {
        ERR_AT(P, t, "expected %s, found %s", what, found(&sh, t));
        return NULL;
    }
    if (memchr(t->s, '\0', t->len)) {
        ERR_AT(P, t, "this text cannot contain \\x00");
        return NULL;
    }
    return t;
}

/* ------------------------------------------------------------------------ */
/* Numbers, durations, percentages                                          */

enum { NUM_OK, NUM_SYNTAX, NUM_NEG, NUM_PRECISE, NUM_BIG };

/* Unsigned decimal digits only.  NUM_BIG on overflow. */
static int parse_u64(const char *s, uint64_t *out)
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
static int parse_dur(const char *s, int64_t *out)
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

static int want_uint(struct parser *P, const char *what, uint64_t lo, uint64_t hi,
                     uint64_t *out)
{
    struct tok *t = next(P);
    uint64_t v = 0;
    if (t && t->type == T_WORD && parse_u64(t->s, &v) == NUM_OK && v >= lo && v <= hi) {
        *out = v;
        return 0;
    }
    struct show sh;
    ERR_AT(P, t, "expected %s from %llu to %llu, found %s", what,
           (unsigned long long)lo, (unsigned long long)hi, found(&sh, t));
    return -1;
}

#define DUR_LIKE "a duration like 20ms or 1.5s"

/* Reports why token t (text s, maybe after a '+') is not a duration. */
static void dur_error(struct parser *P, const struct tok *t, int rc, const char *like)
{
    struct show sh;
    const char *f = found(&sh, t);
    switch (rc) {
    case NUM_NEG:     ERR_AT(P, t, "a duration cannot be negative, found %s", f); break;
    case NUM_PRECISE: ERR_AT(P, t, "duration %s is more precise than 1us", f); break;
    case NUM_BIG:     ERR_AT(P, t, "duration %s is too large (at most " DUR_MAX_TEXT ")", f); break;
    default:          ERR_AT(P, t, "expected %s, found %s", like, f); break;
    }
}

static int want_dur(struct parser *P, int64_t *out)
{
    struct tok *t = next(P);
    int rc = t && t->type == T_WORD ? parse_dur(t->s, out) : NUM_SYNTAX;
    if (rc == NUM_OK) return 0;
    dur_error(P, t, rc, DUR_LIKE);
    return -1;
}

static int want_pct(struct parser *P, uint32_t *out)
{
    struct tok *t = next(P);
    int rc = t && t->type == T_WORD ? parse_pct(t->s, out) : NUM_SYNTAX;
    struct show sh;
    switch (rc) {
    case NUM_OK: return 0;
    case NUM_PRECISE: ERR_AT(P, t, "percentage %s has more than 4 decimals", found(&sh, t)); break;
    case NUM_NEG:
    case NUM_BIG: ERR_AT(P, t, "a percentage must be from 0%% to 100%%, found %s", found(&sh, t)); break;
    default: ERR_AT(P, t, "expected a percentage like 10%% or 0.5%%, found %s", found(&sh, t)); break;
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Host names and references                                                */

/* 0 valid, -1 bad characters, -2 too long. */
static int name_check(const char *p, size_t n)
{
    if (n == 0 || !is_alpha((unsigned char)p[0])) return -1;
    for (size_t i = 1; i < n; i++) {
        int c = (unsigned char)p[i];
        if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-') return -1;
    }
    return n >= SCN_NAME_MAX ? -2 : 0;
}

/* Reports a bad host or LAN name (what: "host", "LAN"). */
static int name_error(struct parser *P, const char *p, size_t n, int col, const char *what)
{
    struct show sh;
    int rc = name_check(p, n);
    if (rc == -1)
        perr_at(P, P->line, col, "expected a %s name, found %s", what, show_slice(&sh, p, n));
    else if (rc == -2)
        perr_at(P, P->line, col, "%s name %s is longer than %d characters", what,
                show_slice(&sh, p, n), SCN_NAME_MAX - 1);
    return rc;
}

/* Records a use of a host name; returns the reference index or -1. */
static int ref_add(struct parser *P, const char *p, size_t n, int col)
{
    if (name_error(P, p, n, col, "host")) return -1;
    P->refs = grow_arr(P->refs, &P->caprefs, P->nrefs, sizeof *P->refs);
    struct ref *r = &P->refs[P->nrefs];
    memcpy(r->name, p, n);
    r->name[n] = '\0';
    r->line = P->line;
    r->col = col;
    r->host = -1;
    return P->nrefs++;
}

/* A host name token; what names the role in the message when it is missing. */
static int want_ref(struct parser *P, const char *what)
{
    struct tok *t = next(P);
    if (!t || t->type != T_WORD) {
        struct show sh;
        ERR_AT(P, t, "expected %s, found %s", what, found(&sh, t));
        return -1;
    }
    return ref_add(P, t->s, t->len, t->col);
}

/* SRC->DST: one token, or with spaces around the arrow.  Where bcast is
 * set (expectations), DST may be `*`: frames sent to every host on a LAN. */
static int want_arrow_to(struct parser *P, int *src, int *dst, int bcast)
{
    struct show sh, sh2;
    struct tok *t = next(P);
    if (!t || t->type != T_WORD) {
        ERR_AT(P, t, "expected SRC->DST like client->server, found %s", found(&sh, t));
        return -1;
    }
    const char *sp = t->s, *dp = NULL;
    size_t sn, dn = 0;
    int dcol = 0;
    const char *a = strstr(t->s, "->");
    if (a) {
        sn = (size_t)(a - t->s);
        if (sn == 0) {
            ERR_AT(P, t, "expected SRC->DST like client->server, found %s", found(&sh, t));
            return -1;
        }
        if (a[2]) {
            dp = a + 2;
            dn = t->len - sn - 2;
            dcol = col_add(t->col, sn + 2);
        }
    } else {
        sn = t->len;
        struct tok *u = peek(P);
        if (!u || u->type != T_WORD || strncmp(u->s, "->", 2)) {
            ERR_AT(P, u, "expected \"->\" after %s (write SRC->DST like client->server), found %s",
                   found(&sh, t), found(&sh2, u));
            return -1;
        }
        next(P);
        if (u->s[2]) {
            dp = u->s + 2;
            dn = u->len - 2;
            dcol = col_add(u->col, 2);
        }
    }
    if (!dp) {
        struct tok *u = next(P);
        if (!u || u->type != T_WORD) {
            ERR_AT(P, u, "expected a destination host after \"->\", found %s", found(&sh, u));
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
        perr_at(P, P->line, dcol, "source and destination are the same host %s",
                show_slice(&sh, dp, dn));
        return -1;
    }
    return 0;
}

static int want_arrow(struct parser *P, int *src, int *dst)
{
    return want_arrow_to(P, src, dst, 0);
}

/* ------------------------------------------------------------------------ */
/* LANs, addresses and domain names                                         */

/* Words a LAN cannot be called: they start lines or are host options, and
 * a LAN name is read where one of them could be meant. */
static int lan_reserved(const char *w)
{
    static const char *const words[] = {
#define X(k) #k,
        KEYWORDS(X)
#undef X
        "on", "gateway", "dns"
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(w, words[i])) return 1;
    return 0;
}

/* The LAN name after `on`; returns the LAN reference index or -1. */
static int want_lanref(struct parser *P)
{
    struct show sh;
    struct tok *t = next(P);
    if (!t || t->type != T_WORD || lan_reserved(t->s)) {
        ERR_AT(P, t, "expected a LAN name after \"on\", found %s", found(&sh, t));
        return -1;
    }
    if (name_error(P, t->s, t->len, t->col, "LAN")) return -1;
    P->lanrefs = grow_arr(P->lanrefs, &P->caplanrefs, P->nlanrefs, sizeof *P->lanrefs);
    struct ref *r = &P->lanrefs[P->nlanrefs];
    memcpy(r->name, t->s, t->len + 1);
    r->line = P->line;
    r->col = t->col;
    r->host = -1;
    return P->nlanrefs++;
}

static ip4_addr prefix_mask(int prefix)
{
    return prefix <= 0 ? 0 : (ip4_addr)(UINT32_C(0xFFFFFFFF) << (32 - prefix));
}

static const char *net_str(char *buf, size_t n, ip4_addr net, int prefix)
{
    char a[16];
    snprintf(buf, n, "%s/%d", ip4_str(net, a, sizeof a), prefix);
    return buf;
}

/* An IPv4 address.  role ("a host's address", ...) refuses 0.0.0.0 and
 * 255.255.255.255, which can never be one; NULL accepts every address. */
static int want_addr(struct parser *P, const char *role, ip4_addr *out)
{
    struct show sh;
    struct tok *a = next(P);
    ip4_addr v = 0;
    if (!a || a->type != T_WORD || ip4_parse(a->s, &v) != 0) {
        ERR_AT(P, a, "expected an IPv4 address like 192.0.2.10, found %s", found(&sh, a));
        return -1;
    }
    if (role && (v == 0 || v == 0xFFFFFFFFu)) {
        ERR_AT(P, a, "%s cannot be %s", found(&sh, a), role);
        return -1;
    }
    *out = v;
    return 0;
}

/* Claims addr, written at token a, for host h: each address (router
 * interfaces included) belongs to one host, once. */
static int claim_addr(struct parser *P, const struct tok *a, ip4_addr addr, int h)
{
    struct show sh;
    const struct scenario *s = P->s;
    char key[16];
    snprintf(key, sizeof key, "%08lx", (unsigned long)addr);
    int other = smap_get(&P->addrs, key);
    if (other == h) {
        ERR_AT(P, a, "address %s is already an interface of router \"%s\"", found(&sh, a),
               s->hosts[h].name);
        return -1;
    }
    if (other >= 0) {
        ERR_AT(P, a, "address %s is already used by host \"%s\" (line %d)", found(&sh, a),
               s->hosts[other].name, s->hosts[other].line);
        return -1;
    }
    smap_put(&P->addrs, key, h);
    return 0;
}

/* A domain name, checked with dns_name_check; like says what is expected.
 * The root "." only where allow_root.  Returns the token or NULL. */
static struct tok *want_domain(struct parser *P, const char *like, int allow_root)
{
    struct show sh;
    struct tok *t = next(P);
    char why[128];
    if (!t || t->type != T_WORD || (!allow_root && !strcmp(t->s, "."))) {
        ERR_AT(P, t, "expected %s, found %s", like, found(&sh, t));
        return NULL;
    }
    if (dns_name_check(t->s, why, sizeof why) < 0) {
        ERR_AT(P, t, "expected %s, found %s: %s", like, found(&sh, t), why);
        return NULL;
    }
    return t;
}

/* A checked domain name as protosim stores it: no trailing dot, the root
 * as "."; dst holds DNS_NAME_BUF bytes (dns_name_check bounds the length). */
static void domain_copy(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n >= DNS_NAME_BUF) n = DNS_NAME_BUF - 1;
    if (n > 1 && src[n - 1] == '.') n--;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* "HOST apex" with the apex lower-cased: the key of a zone (names compare
 * without regard to case, RFC 1035 2.3.3). */
static void zone_key(char *key, size_t n, const char *host, const char *apex)
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

static int pattern_end(const struct tok *t);

/* Reads PROTO and optional FLAGS.  In a fault the pattern ends at `#N`; in
 * an expectation at `count`, `#N`, `every` or `some` (pattern_end). */
static int want_pattern(struct parser *P, struct scn_match *m, int in_expect)
{
    struct show sh;
    struct tok *t = next(P);
    m->any_flags = 1;
    m->flags = 0;
    m->data = 0;
    if (is_word(t, "tcp"))      m->proto = IPPROTO_TCP_NUM;
    else if (is_word(t, "udp")) m->proto = IPPROTO_UDP_NUM;
    else if (is_word(t, "any")) m->proto = 0;
    else {
        ERR_AT(P, t, "expected a protocol (tcp, udp or any), found %s", found(&sh, t));
        return -1;
    }
    struct tok *f = peek(P);
    if (!f || f->type != T_WORD) return 0;
    if (in_expect ? pattern_end(f) : f->s[0] == '#') return 0;
    next(P);
    if (m->proto != IPPROTO_TCP_NUM) {
        ERR_AT(P, f, "TCP flags only apply to tcp patterns, found %s after %s",
               found(&sh, f), t->s);
        return -1;
    }
    if (!strcmp(f->s, "any")) return 0;
    if (!strcmp(f->s, "data")) { m->data = 1; return 0; }
    uint8_t fl = 0;
    if (tcp_flags_parse(f->s, &fl) != 0) {
        ERR_AT(P, f, "expected TCP flags like SYN or SYN,ACK (or any, or data), found %s",
               found(&sh, f));
        return -1;
    }
    m->any_flags = 0;
    m->flags = fl;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Scenario building                                                        */

static struct scn_action *new_action(struct parser *P)
{
    struct scenario *s = P->s;
    s->actions = grow_arr(s->actions, &P->capactions, s->nactions, sizeof *s->actions);
    struct scn_action *a = &s->actions[s->nactions++];
    memset(a, 0, sizeof *a);
    a->host = -1;
    a->peer = -1;
    a->line = P->line;
    return a;
}

static struct scn_expect *new_expect(struct parser *P)
{
    struct scenario *s = P->s;
    s->expects = grow_arr(s->expects, &P->capexpects, s->nexpects, sizeof *s->expects);
    struct scn_expect *e = &s->expects[s->nexpects++];
    memset(e, 0, sizeof *e);
    e->host = -1;
    e->m.src = e->m.dst = -1;
    e->peer = -1;
    e->line = P->line;
    return e;
}

/* ------------------------------------------------------------------------ */
/* Keywords                                                                 */

static void kw_title(struct parser *P, struct tok *kw)
{
    struct tok *t = want_text(P, "the title in double quotes, like \"Three-way handshake\"");
    if (!t || want_end(P)) return;
    if (P->title_line) {
        ERR_AT(P, kw, "the title is already set on line %d", P->title_line);
        return;
    }
    P->title_line = P->line;
    P->s->title = dup_bytes(t->s, t->len);
}

static void kw_describe(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct tok *t = want_text(P, "narration in double quotes");
    if (!t || want_end(P)) return;
    struct scenario *s = P->s;
    s->describe = grow_arr(s->describe, &P->capdescribe, s->ndescribe, sizeof *s->describe);
    char *d = dup_bytes(t->s, t->len);
    if (d) s->describe[s->ndescribe++] = d;
}

static void kw_seed(struct parser *P, struct tok *kw)
{
    uint64_t v;
    if (want_uint(P, "a seed", 0, UINT64_MAX, &v) || want_end(P)) return;
    if (P->seed_line) {
        ERR_AT(P, kw, "the seed is already set on line %d", P->seed_line);
        return;
    }
    P->seed_line = P->line;
    P->s->seed = v;
    P->s->has_seed = 1;
}

/* The NAME of a `host` or `router` line, checked and declared -- even if the
 * rest of the line is wrong, so that later lines do not each report an
 * unknown host.  Returns the host's index, or -1 after an error. */
static int declare_host(struct parser *P)
{
    struct show sh;
    struct tok *n = next(P);
    P->host_lines++;
    if (!n || n->type != T_WORD) {
        ERR_AT(P, n, "expected a host name, found %s", found(&sh, n));
        return -1;
    }
    if (name_error(P, n->s, n->len, n->col, "host")) return -1;
    if (!strcmp(n->s, "note") || !strcmp(n->s, "inject")) {
        ERR_AT(P, n, "%s cannot be a host name: it is an action keyword", found(&sh, n));
        return -1;
    }
    int prev = smap_get(&P->hostnames, n->s);
    if (prev >= 0) {
        ERR_AT(P, n, "host %s is already declared on line %d", found(&sh, n),
               P->s->hosts[prev].line);
        return -1;
    }
    struct scenario *s = P->s;
    s->hosts = grow_arr(s->hosts, &P->caphosts, s->nhosts, sizeof *s->hosts);
    P->gwcols = grow_arr(P->gwcols, &P->capgwcols, s->nhosts, sizeof *P->gwcols);
    smap_put(&P->hostnames, n->s, s->nhosts);
    struct scn_host *h = &s->hosts[s->nhosts];
    memset(h, 0, sizeof *h);
    memcpy(h->name, n->s, n->len + 1);
    h->line = P->line;
    P->gwcols[s->nhosts] = 0;
    return s->nhosts++;
}

/* `gateway ADDR` and `dns ADDR`, the options `host` and `router` share. */
struct hostopts {
    ip4_addr gw, dns;
    int      gwcol;
    int      seen_gw, seen_dns;
};

/* Reads the address after t (the option word, already read).  kind names
 * the line ("host", "router") in messages.  0, or -1 after an error. */
static int host_opt(struct parser *P, const struct tok *t, struct hostopts *o, const char *kind)
{
    int gw = is_word(t, "gateway");
    int *seen = gw ? &o->seen_gw : &o->seen_dns;
    if (*seen) {
        ERR_AT(P, t, "%s option \"%s\" is given twice", kind, t->s);
        return -1;
    }
    *seen = 1;
    struct tok *a = peek(P);
    if (gw) {
        if (want_addr(P, "a gateway's address", &o->gw)) return -1;
        o->gwcol = a->col;
    } else if (want_addr(P, "a DNS server's address", &o->dns)) {
        return -1;
    }
    return 0;
}

/* `host NAME ADDR [on LAN] [gateway ADDR] [dns ADDR]`.  What the line sets
 * beyond the name and address is kept only when the whole line parsed. */
static void kw_host(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    int hi = declare_host(P);
    if (hi < 0) return;
    struct scenario *s = P->s;
    struct tok *a = peek(P);
    ip4_addr addr = 0;
    if (want_addr(P, "a host's address", &addr) || claim_addr(P, a, addr, hi)) return;
    s->hosts[hi].addr = addr;

    struct hostopts o;
    memset(&o, 0, sizeof o);
    int lan = -1;
    struct tok *t;
    while ((t = next(P))) {
        if (is_word(t, "on")) {
            if (lan >= 0) {
                ERR_AT(P, t, "host option \"on\" is given twice (a host on several LANs is a router)");
                return;
            }
            if ((lan = want_lanref(P)) < 0) return;
        } else if (is_word(t, "gateway") || is_word(t, "dns")) {
            if (host_opt(P, t, &o, "host")) return;
        } else {
            ERR_AT(P, t, "unknown host option %s; expected one of: on, gateway, dns", found(&sh, t));
            return;
        }
    }
    struct scn_host *h = &s->hosts[hi];
    if (lan >= 0) {
        h->ifaces[0] = (struct scn_iface){ addr, lan, P->line, a->col };
        h->nifaces = 1;
    }
    h->gateway = o.gw;
    h->dns = o.dns;
    P->gwcols[hi] = o.gwcol;
}

/* `router NAME ADDR on LAN ADDR on LAN [ADDR on LAN ...]`, also with
 * `gateway ADDR` and `dns ADDR` anywhere between the interfaces. */
static void kw_router(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    int hi = declare_host(P);
    if (hi < 0) return;
    struct scenario *s = P->s;
    struct scn_iface ifs[SCN_MAX_IFACES];
    int n = 0;
    struct hostopts o;
    memset(&o, 0, sizeof o);
    struct tok *t;
    while ((t = peek(P))) {
        if (is_word(t, "gateway") || is_word(t, "dns")) {
            next(P);
            if (host_opt(P, t, &o, "router")) return;
            continue;
        }
        if (n == SCN_MAX_IFACES) {
            ERR_AT(P, t, "a router has at most %d interfaces", SCN_MAX_IFACES);
            return;
        }
        ip4_addr addr = 0;
        if (want_addr(P, "a router's address", &addr) || claim_addr(P, t, addr, hi)) return;
        struct tok *on = next(P);
        if (!is_word(on, "on")) {
            ERR_AT(P, on, "expected \"on LAN\" after the address, found %s", found(&sh, on));
            return;
        }
        struct tok *lt = peek(P);
        int lan = want_lanref(P);
        if (lan < 0) return;
        for (int k = 0; k < n; k++) {
            if (!strcmp(P->lanrefs[ifs[k].lan].name, lt->s)) {
                ERR_AT(P, lt, "router \"%s\" already has an interface on LAN %s",
                       s->hosts[hi].name, found(&sh, lt));
                return;
            }
        }
        ifs[n++] = (struct scn_iface){ addr, lan, P->line, t->col };
    }
    if (n < 2) {
        ERR_AT(P, t, "expected %s interface like 198.51.100.1 on LAN (a router joins at least "
               "two LANs), found end of line", n ? "another" : "an");
        return;
    }
    struct scn_host *h = &s->hosts[hi];
    memcpy(h->ifaces, ifs, (size_t)n * sizeof *ifs);
    h->nifaces = n;
    h->addr = ifs[0].addr;
    h->router = 1;
    h->gateway = o.gw;
    h->dns = o.dns;
    P->gwcols[hi] = o.gwcol;
}

/* NET/PREFIX, with no host bits set beyond the prefix. */
static int want_net(struct parser *P, ip4_addr *net, int *prefix)
{
    struct show sh;
    struct tok *t = next(P);
    const char *slash = t && t->type == T_WORD ? strchr(t->s, '/') : NULL;
    size_t alen = slash ? (size_t)(slash - t->s) : 0;
    char a[16];
    ip4_addr v = 0;
    if (slash && alen < sizeof a) {
        memcpy(a, t->s, alen);
        a[alen] = '\0';
    }
    if (!slash || alen >= sizeof a || ip4_parse(a, &v) != 0) {
        ERR_AT(P, t, "expected a network like 192.0.2.0/24, found %s", found(&sh, t));
        return -1;
    }
    uint64_t p = 0;
    if (parse_u64(slash + 1, &p) != NUM_OK || p > 32) {
        perr_at(P, P->line, col_add(t->col, alen + 1),
                "expected a prefix length from 0 to 32 after \"/\", found %s",
                show_slice(&sh, slash + 1, strlen(slash + 1)));
        return -1;
    }
    ip4_addr mask = prefix_mask((int)p);
    if (v & ~mask) {
        char nb[24];
        ERR_AT(P, t, "%s has host bits set; the network is %s", found(&sh, t),
               net_str(nb, sizeof nb, v & mask, (int)p));
        return -1;
    }
    *net = v;
    *prefix = (int)p;
    return 0;
}

/* Two LANs may not share addresses.  lannets maps every LAN's "net/prefix"
 * to the LAN; lancover maps each shorter prefix of every LAN's network to a
 * LAN inside it.  So both questions -- does an earlier LAN contain this one,
 * does this one contain an earlier LAN -- take at most 33 lookups, and a
 * file with very many LANs stays linear. */
static int lan_overlap(struct parser *P, const struct tok *t, int li, ip4_addr net, int prefix)
{
    const struct scenario *s = P->s;
    char key[24], nb[24], ob[24];
    int other = -1;
    for (int q = 0; q <= prefix && other < 0; q++) {
        snprintf(key, sizeof key, "%08lx/%d", (unsigned long)(net & prefix_mask(q)), q);
        other = smap_get(&P->lannets, key);
    }
    snprintf(key, sizeof key, "%08lx/%d", (unsigned long)net, prefix);
    if (other < 0) other = smap_get(&P->lancover, key);
    if (other >= 0) {
        const struct scn_lan *O = &s->lans[other];
        ERR_AT(P, t, "LAN \"%s\" (%s) overlaps LAN \"%s\" (%s, line %d)", s->lans[li].name,
               net_str(nb, sizeof nb, net, prefix), O->name,
               net_str(ob, sizeof ob, O->net, O->prefix), O->line);
        return -1;
    }
    smap_put(&P->lannets, key, li);
    for (int q = 0; q < prefix; q++) {
        snprintf(key, sizeof key, "%08lx/%d", (unsigned long)(net & prefix_mask(q)), q);
        if (smap_get(&P->lancover, key) < 0) smap_put(&P->lancover, key, li);
    }
    return 0;
}

/* The options a link and a LAN share, in any order, each at most once, up
 * to the end of the line; what ("link", "LAN") names the line in messages. */
static int want_medium(struct parser *P, const char *what, int64_t *delay, int64_t *jitter,
                       uint32_t *loss, uint32_t *dup, uint32_t *reorder)
{
    struct show sh;
    static const char *const opts[] = { "delay", "jitter", "loss", "duplicate", "reorder" };
    int seen[5] = { 0 };
    struct tok *t;
    while ((t = next(P))) {
        int k = -1;
        for (int i = 0; i < 5; i++)
            if (is_word(t, opts[i])) k = i;
        if (k < 0) {
            ERR_AT(P, t, "unknown %s option %s; expected one of: delay, jitter, loss, duplicate, reorder",
                   what, found(&sh, t));
            return -1;
        }
        if (seen[k]) {
            ERR_AT(P, t, "%s option \"%s\" is given twice", what, opts[k]);
            return -1;
        }
        seen[k] = 1;
        int rc;
        switch (k) {
        case 0:  rc = want_dur(P, delay); break;
        case 1:  rc = want_dur(P, jitter); break;
        case 2:  rc = want_pct(P, loss); break;
        case 3:  rc = want_pct(P, dup); break;
        default: rc = want_pct(P, reorder); break;
        }
        if (rc) return -1;
    }
    return 0;
}

/* `lan NAME NET/PREFIX [OPTIONS]`.  The name is declared even if the rest
 * is wrong (as with hosts); prefix stays -1 until the network is valid,
 * which keeps such a LAN out of the address checks at the end. */
static void kw_lan(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct scenario *s = P->s;
    struct tok *n = next(P);
    if (!n || n->type != T_WORD) {
        ERR_AT(P, n, "expected a LAN name, found %s", found(&sh, n));
        return;
    }
    if (name_error(P, n->s, n->len, n->col, "LAN")) return;
    if (lan_reserved(n->s)) {
        ERR_AT(P, n, "%s cannot be a LAN name: it is a keyword", found(&sh, n));
        return;
    }
    int prev = smap_get(&P->lannames, n->s);
    if (prev >= 0) {
        ERR_AT(P, n, "LAN %s is already declared on line %d", found(&sh, n), s->lans[prev].line);
        return;
    }
    s->lans = grow_arr(s->lans, &P->caplans, s->nlans, sizeof *s->lans);
    smap_put(&P->lannames, n->s, s->nlans);
    int li = s->nlans++;
    struct scn_lan *L = &s->lans[li];
    memset(L, 0, sizeof *L);
    memcpy(L->name, n->s, n->len + 1);
    L->line = P->line;
    L->prefix = -1;
    L->delay_us = 1 * US_PER_MS;

    struct tok *t = peek(P);
    ip4_addr net = 0;
    int prefix = 0;
    if (want_net(P, &net, &prefix) || lan_overlap(P, t, li, net, prefix)) return;
    L->net = net;
    L->prefix = prefix;
    want_medium(P, "LAN", &L->delay_us, &L->jitter_us, &L->loss_ppm, &L->dup_ppm,
                &L->reorder_ppm);
}

static void kw_link(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *ta = peek(P);
    int a = want_ref(P, "the first host of the link");
    if (a < 0) return;
    struct tok *tb = peek(P);
    int b = want_ref(P, "the second host of the link");
    if (b < 0) return;
    if (!strcmp(ta->s, tb->s)) {
        ERR_AT(P, tb, "a link joins two different hosts, found %s twice", found(&sh, tb));
        return;
    }
    char key[2 * SCN_NAME_MAX + 2];
    if (strcmp(ta->s, tb->s) < 0) snprintf(key, sizeof key, "%s %s", ta->s, tb->s);
    else snprintf(key, sizeof key, "%s %s", tb->s, ta->s);
    int prev = smap_get(&P->linkpairs, key);
    if (prev >= 0) {
        ERR_AT(P, ta, "a link between %s and %s already exists (line %d)", ta->s, tb->s,
               P->s->links[prev].line);
        return;
    }

    struct scn_link L;
    memset(&L, 0, sizeof L);
    L.a = a;
    L.b = b;
    L.delay_us = 10 * US_PER_MS;
    L.line = P->line;
    if (want_medium(P, "link", &L.delay_us, &L.jitter_us, &L.loss_ppm, &L.dup_ppm,
                    &L.reorder_ppm))
        return;
    struct scenario *s = P->s;
    s->links = grow_arr(s->links, &P->caplinks, s->nlinks, sizeof *s->links);
    smap_put(&P->linkpairs, key, s->nlinks);
    s->links[s->nlinks++] = L;
}

/* `zone HOST APEX`: HOST is an authoritative server for APEX. */
static void kw_zone(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *ht = peek(P);
    int h = want_ref(P, "the host that serves the zone");
    if (h < 0) return;
    struct tok *at = want_domain(P, "a zone apex like example.com, or . for the root", 1);
    if (!at || want_end(P)) return;
    struct scn_zone Z;
    memset(&Z, 0, sizeof Z);
    Z.host = h;
    Z.line = P->line;
    domain_copy(Z.apex, at->s);
    char key[SCN_NAME_MAX + DNS_NAME_BUF + 2];
    zone_key(key, sizeof key, ht->s, Z.apex);
    struct scenario *s = P->s;
    int prev = smap_get(&P->zonekeys, key);
    if (prev >= 0) {
        ERR_AT(P, at, "host \"%s\" already serves zone %s (line %d)", ht->s,
               show_slice(&sh, Z.apex, strlen(Z.apex)), s->zones[prev].line);
        return;
    }
    s->zones = grow_arr(s->zones, &P->capzones, s->nzones, sizeof *s->zones);
    smap_put(&P->zonekeys, key, s->nzones);
    s->zones[s->nzones++] = Z;
}

/* `record HOST NAME TTL [IN] TYPE DATA...`: the text after HOST, as written,
 * goes to dns_rr_parse. */
static void kw_record(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    int h = want_ref(P, "the host that serves the record");
    if (h < 0) return;
    struct tok *first = peek(P);
    if (!first) {
        ERR_AT(P, first, "expected a record like: www.example.com. 300 IN A 203.0.113.80, "
               "found end of line");
        return;
    }
    for (int i = P->ti; i < P->ntok; i++) {
        if (P->toks[i].type == T_STRING) {
            ERR_AT(P, &P->toks[i], "expected record data (NAME TTL [IN] TYPE DATA), found %s",
                   found(&sh, &P->toks[i]));
            return;
        }
    }
    const struct tok *last = &P->toks[P->ntok - 1];
    P->ti = P->ntok;
    size_t n = (size_t)(last->raw + last->rawlen - first->raw);
    char *text = dup_bytes(first->raw, n);
    for (size_t i = 0; i < n; i++)
        if (is_space((unsigned char)text[i])) text[i] = ' ';
    struct scn_rr R;
    memset(&R, 0, sizeof R);
    char why[128];
    int rc = dns_rr_parse(text, &R.rr, why, sizeof why);
    free(text);
    if (rc) {
        ERR_AT(P, first, "bad record: %s", why);
        return;
    }
    R.host = h;
    R.line = P->line;
    struct scenario *s = P->s;
    P->rrcols = grow_arr(P->rrcols, &P->caprrcols, s->nrrs, sizeof *P->rrcols);
    s->rrs = grow_arr(s->rrs, &P->caprrs, s->nrrs, sizeof *s->rrs);
    P->rrcols[s->nrrs] = first->col;
    s->rrs[s->nrrs++] = R;
}

_Static_assert(HINTS_MAX == sizeof ((struct scn_resolver *)0)->hints / sizeof(ip4_addr),
               "HINTS_MAX is the size of scn_resolver.hints");

/* `resolver HOST hints ADDR [ADDR ...]`. */
static void kw_resolver(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *ht = peek(P);
    int h = want_ref(P, "the resolver's host name");
    if (h < 0) return;
    struct tok *k = next(P);
    if (!is_word(k, "hints")) {
        ERR_AT(P, k, "expected \"hints\" and the root servers' addresses, like: hints 198.51.100.1, "
               "found %s", found(&sh, k));
        return;
    }
    struct scn_resolver R;
    memset(&R, 0, sizeof R);
    R.host = h;
    R.line = P->line;
    do {
        struct tok *t = peek(P);
        if (R.nhints == HINTS_MAX) {
            ERR_AT(P, t, "at most %d hints per resolver", HINTS_MAX);
            return;
        }
        if (want_addr(P, "a root server's address", &R.hints[R.nhints])) return;
        R.nhints++;
    } while (peek(P));
    struct scenario *s = P->s;
    int prev = smap_get(&P->resolverhosts, ht->s);
    if (prev >= 0) {
        ERR_AT(P, ht, "host \"%s\" is already a resolver (line %d)", ht->s,
               s->resolvers[prev].line);
        return;
    }
    s->resolvers = grow_arr(s->resolvers, &P->capresolvers, s->nresolvers, sizeof *s->resolvers);
    smap_put(&P->resolverhosts, ht->s, s->nresolvers);
    s->resolvers[s->nresolvers++] = R;
}

/* Checks the option was not set before for the same host (or for all hosts)
 * and remembers this line.  name NULL: all hosts. */
static int tcp_once(struct parser *P, int opt, const char *name, const struct tok *at)
{
    char key[SCN_NAME_MAX + 16];
    snprintf(key, sizeof key, "%s %s", tcp_opt_names[opt], name ? name : "*");
    int prev = smap_get(&P->tcpkeys, key);
    if (prev >= 0) {
        if (name)
            ERR_AT(P, at, "tcp %s for host \"%s\" is already set on line %d",
                   tcp_opt_names[opt], name, prev);
        else
            ERR_AT(P, at, "tcp %s for all hosts is already set on line %d",
                   tcp_opt_names[opt], prev);
        return -1;
    }
    smap_put(&P->tcpkeys, key, P->line);
    return 0;
}

static void kw_tcp(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *o = next(P);
    int opt = -1;
    for (int i = 0; i < TO_COUNT; i++)
        if (is_word(o, tcp_opt_names[i])) opt = i;
    if (opt < 0) {
        ERR_AT(P, o, "unknown tcp option %s; expected one of: isn, mss, rto, retries, msl, nagle, handshake, rcvbuf, tw-reopen",
               found(&sh, o));
        return;
    }
    struct tcpset ts;
    memset(&ts, 0, sizeof ts);
    ts.opt = opt;
    ts.ref = -1;
    struct tok *ht = NULL;
    if (opt == TO_ISN) {
        ht = peek(P);
        if ((ts.ref = want_ref(P, "a host name after \"tcp isn\"")) < 0) return;
        struct tok *t;
        while ((t = peek(P))) {
            if (ts.n_isn == ISN_MAX) {
                ERR_AT(P, t, "at most %d ISNs per host", ISN_MAX);
                return;
            }
            uint64_t v;
            if (want_uint(P, "an initial sequence number", 0, UINT32_MAX, &v)) return;
            ts.isn[ts.n_isn++] = (uint32_t)v;
        }
        if (ts.n_isn == 0) {
            ERR_AT(P, t, "expected an initial sequence number from 0 to 4294967295, found end of line");
            return;
        }
    } else {
        int left = P->ntok - P->ti;
        if (left == 0) {
            ERR_AT(P, (struct tok *)NULL, "expected a value for tcp %s (or a host name and a value), found end of line",
                   tcp_opt_names[opt]);
            return;
        }
        /* `tcp OPT HOST VALUE` or `tcp OPT VALUE`; host names start with a letter */
        if (left >= 2 && P->toks[P->ti].type == T_WORD && is_alpha((unsigned char)P->toks[P->ti].s[0])) {
            ht = peek(P);
            if ((ts.ref = want_ref(P, "a host name")) < 0) return;
        }
        uint64_t v = 0;
        int64_t d = 0;
        struct tok *vt = peek(P);
        int rc = 0;
        switch (opt) {
        case TO_MSS:     rc = want_uint(P, "an MSS", 64, 65495, &v); ts.v = (int64_t)v; break;
        case TO_RETRIES: rc = want_uint(P, "a retry count", 0, 20, &v); ts.v = (int64_t)v; break;
        case TO_RCVBUF:  rc = want_uint(P, "a receive buffer size in bytes", 1, 1073741824, &v);
                         ts.v = (int64_t)v; break;
        case TO_RTO:
        case TO_MSL:
            if ((rc = want_dur(P, &d)) != 0) break;
            if (d < US_PER_MS || d > 10 * US_PER_MIN) {
                ERR_AT(P, vt, "%s must be from 1ms to 10m, found %s",
                       opt == TO_RTO ? "the initial RTO" : "the MSL", found(&sh, vt));
                rc = -1;
            }
            ts.v = d;
            break;
        case TO_NAGLE:
        case TO_TW_REOPEN:
            if (is_word(vt, "on")) ts.v = 1;
            else if (is_word(vt, "off")) ts.v = 0;
            else { ERR_AT(P, vt, "expected on or off, found %s", found(&sh, vt)); rc = -1; }
            next(P);
            break;
        default: /* TO_HANDSHAKE */
            if (is_word(vt, "three-way")) ts.v = 0;
            else if (is_word(vt, "two-way")) ts.v = 1;
            else { ERR_AT(P, vt, "expected three-way or two-way, found %s", found(&sh, vt)); rc = -1; }
            next(P);
            break;
        }
        if (rc || want_end(P)) return;
    }
    if (tcp_once(P, opt, ts.ref >= 0 ? P->refs[ts.ref].name : NULL, ht ? ht : o)) return;
    P->tsets = grow_arr(P->tsets, &P->captsets, P->ntsets, sizeof *P->tsets);
    P->tsets[P->ntsets++] = ts;
}

/* `at` TIME: DUR, or +DUR after the previous `at` line. */
static int want_time(struct parser *P, int64_t *t_us)
{
    struct tok *t = next(P);
    const char *like = "a time like 20ms or +1.5s";
    if (!t || t->type != T_WORD) { dur_error(P, t, NUM_SYNTAX, like); return -1; }
    int rel = t->s[0] == '+';
    int64_t d = 0;
    int rc = parse_dur(t->s + rel, &d);
    if (rc != NUM_OK) { dur_error(P, t, rc, like); return -1; }
    if (rel) {
        if (d > DUR_MAX_US - P->prev_at) {
            struct show sh;
            ERR_AT(P, t, "time %s is too large: it ends after " DUR_MAX_TEXT, found(&sh, t));
            return -1;
        }
        d += P->prev_at;
    }
    *t_us = d;
    P->prev_at = d;
    return 0;
}

static int want_port(struct parser *P, uint16_t *port)
{
    uint64_t v;
    if (want_uint(P, "a port number", 1, 65535, &v)) return -1;
    *port = (uint16_t)v;
    return 0;
}

static void action_inject(struct parser *P, struct scn_action *a)
{
    struct show sh;
    a->kind = ACT_INJECT;
    if (want_arrow(P, &a->host, &a->peer)) return;
    struct tok *t = next(P);
    if (!is_word(t, "tcp")) {
        ERR_AT(P, t, "expected tcp (only TCP segments can be injected), found %s", found(&sh, t));
        return;
    }
    t = next(P);
    uint8_t fl = 0;
    if (!t || t->type != T_WORD || tcp_flags_parse(t->s, &fl) != 0) {
        ERR_AT(P, t, "expected TCP flags like SYN or SYN,ACK, found %s", found(&sh, t));
        return;
    }
    a->seg.flags = fl;
    a->seg.win = 65535;
    static const char *const keys[] = { "seq", "ack", "sport", "dport" };
    int seen[4] = { 0 };
    while ((t = peek(P)) && t->type == T_WORD) {
        int k = -1;
        for (int i = 0; i < 4; i++)
            if (!strcmp(t->s, keys[i])) k = i;
        if (k < 0) {
            ERR_AT(P, t, "expected seq, ack, sport, dport or an explanation in quotes, found %s",
                   found(&sh, t));
            return;
        }
        if (seen[k]) {
            ERR_AT(P, t, "\"%s\" is given twice", keys[k]);
            return;
        }
        seen[k] = 1;
        next(P);
        uint64_t v;
        if (k <= 1) {
            if (want_uint(P, k == 0 ? "a sequence number" : "an acknowledgment number",
                          0, UINT32_MAX, &v))
                return;
            if (k == 0) a->seg.seq = (uint32_t)v;
            else a->seg.ack = (uint32_t)v;
        } else {
            if (want_port(P, k == 2 ? &a->seg.sport : &a->seg.dport)) return;
        }
    }
    for (int k = 0; k < 4; k++) {
        if (k == 1 || seen[k]) continue;
        ERR_AT(P, t, "expected \"%s N\" in the inject action, found %s", keys[k], found(&sh, t));
        return;
    }
    if (t) {
        struct tok *x = want_text(P, "an explanation in quotes");
        if (!x || want_end(P)) return;
        a->text = dup_bytes(x->s, x->len);
    }
}

/* The data of send, send framed and udp send: "TEXT" (at least one byte) or
 * N bytes of the pattern; after names what precedes it, for messages. */
static int want_payload(struct parser *P, struct scn_action *a, const char *after)
{
    struct show sh;
    struct tok *x = next(P);
    uint64_t n;
    if (x && x->type == T_STRING) {
        if (x->len == 0) {
            ERR_AT(P, x, "nothing to send: the string is empty");
            return -1;
        }
        a->data = (uint8_t *)dup_bytes(x->s, x->len);
        a->len = x->len;
        return 0;
    }
    if (!x || x->type != T_WORD || parse_u64(x->s, &n) == NUM_SYNTAX) {
        ERR_AT(P, x, "expected text in double quotes or N bytes after %s, found %s", after,
               found(&sh, x));
        return -1;
    }
    P->ti--;
    if (want_uint(P, "a byte count", 1, BYTES_MAX, &n)) return -1;
    struct tok *b = next(P);
    if (!is_word(b, "bytes") && !is_word(b, "byte")) {
        ERR_AT(P, b, "expected \"bytes\" after the number, found %s", found(&sh, b));
        return -1;
    }
    if (P->send_total + n > SEND_TOTAL_MAX) {
        ERR_AT(P, x, "the scenario sends more than 64 MiB of generated bytes in total");
        return -1;
    }
    P->send_total += n;
    a->data = xmalloc((size_t)n);
    for (uint64_t i = 0; i < n; i++) a->data[i] = (uint8_t)PATTERN[i % 26];
    a->len = (size_t)n;
    return 0;
}

/* `recv N [bytes]` (the count already due) and `udp recv N [bytes]`. */
static int want_recv_count(struct parser *P, size_t *out)
{
    uint64_t n;
    if (want_uint(P, "a byte count", 1, BYTES_MAX, &n)) return -1;
    *out = (size_t)n;
    if (is_word(peek(P), "bytes") || is_word(peek(P), "byte")) next(P);
    return want_end(P);
}

/* HOST udp bind PORT | udp send PEER PORT DATA [from PORT] | udp recv N */
static void action_udp(struct parser *P, struct scn_action *a, const struct tok *h)
{
    struct show sh;
    struct tok *v = next(P);
    if (is_word(v, "bind")) {
        a->kind = ACT_UDP_BIND;
        if (want_port(P, &a->port)) return;
        want_end(P);
    } else if (is_word(v, "send")) {
        a->kind = ACT_UDP_SEND;
        struct tok *pt = peek(P);
        ip4_addr lit;
        if (pt && pt->type == T_WORD && ip4_parse(pt->s, &lit) == 0) {
            /* an address no host may have: the lesson of an ARP request
             * nobody answers */
            next(P);
            a->peer = -1;
            a->peer_addr = lit;
        } else if ((a->peer = want_ref(P, "the host to send to")) < 0) {
            return;
        }
        if (a->peer >= 0 && !strcmp(pt->s, h->s)) {
            ERR_AT(P, pt, "a host cannot send to itself in the simulator");
            return;
        }
        if (want_port(P, &a->port)) return;
        struct tok *x = peek(P);
        if (want_payload(P, a, "the port")) return;
        if (a->len > UDP_DATA_MAX) {
            ERR_AT(P, x, "a UDP datagram holds at most %d bytes (the simulator does not "
                   "fragment IP packets), found %zu", UDP_DATA_MAX, a->len);
            return;
        }
        if (is_word(peek(P), "from")) {
            next(P);
            if (want_port(P, &a->lport)) return;
        }
        want_end(P);
    } else if (is_word(v, "recv")) {
        a->kind = ACT_UDP_RECV;
        want_recv_count(P, &a->recv_max);
    } else if (v && v->type == T_WORD) {
        ERR_AT(P, v, "unknown udp action %s; expected one of: bind, send, recv", found(&sh, v));
    } else {
        ERR_AT(P, v, "expected bind, send or recv after udp, found %s", found(&sh, v));
    }
}

/* A path for `http get`: "/" then printable ASCII, as it goes on the
 * request line. */
static int path_check(struct parser *P, const struct tok *t)
{
    if (t->len > PATH_MAX_LEN) {
        ERR_AT(P, t, "a path holds at most %d characters", PATH_MAX_LEN);
        return -1;
    }
    for (size_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->s[i];
        if (c < 0x21 || c > 0x7e) {
            perr_at(P, P->line, col_add(t->col, i),
                    "a path holds printable ASCII only (write other bytes as %%XX)");
            return -1;
        }
    }
    return 0;
}

/* HOST http serve PORT ["BODY"] | http get NAME [PATH] [port N] */
static void action_http(struct parser *P, struct scn_action *a)
{
    struct show sh;
    struct tok *v = next(P);
    if (is_word(v, "serve")) {
        a->kind = ACT_HTTP_SERVE;
        if (want_port(P, &a->port)) return;
        if (!peek(P)) return;
        struct tok *x = want_text(P, "the page body in double quotes");
        if (!x || want_end(P)) return;
        a->text = dup_bytes(x->s, x->len);
    } else if (is_word(v, "get")) {
        a->kind = ACT_HTTP_GET;
        a->port = 80;
        struct tok *d = want_domain(P, "a domain name like www.example.com or an address like "
                                    "203.0.113.80", 0);
        if (!d) return;
        const struct tok *path = NULL;
        int seen_port = 0;
        struct tok *t;
        while ((t = next(P))) {
            if (is_word(t, "port")) {
                if (seen_port) {
                    ERR_AT(P, t, "\"port\" is given twice");
                    return;
                }
                seen_port = 1;
                if (want_port(P, &a->port)) return;
            } else if (path) {
                ERR_AT(P, t, "expected \"port N\" or end of line, found %s", found(&sh, t));
                return;
            } else if (t->type == T_WORD && t->s[0] == '/') {
                if (path_check(P, t)) return;
                path = t;
            } else {
                ERR_AT(P, t, "expected a path starting with \"/\", like /index.html, found %s",
                       found(&sh, t));
                return;
            }
        }
        a->text = dup_bytes(d->s, d->len);
        if (path) a->path = dup_bytes(path->s, path->len);
    } else if (v && v->type == T_WORD) {
        ERR_AT(P, v, "unknown http action %s; expected one of: serve, get", found(&sh, v));
    } else {
        ERR_AT(P, v, "expected serve or get after http, found %s", found(&sh, v));
    }
}


#define ACTION_LIST "listen, connect, send, recv, shutdown, close, abort, udp, resolve, http"

static void kw_at(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    int64_t t_us;
    if (want_time(P, &t_us)) return;
    struct tok *h = peek(P);
    if (!h || h->type != T_WORD) {
        ERR_AT(P, h, "expected a host name, note or inject, found %s", found(&sh, h));
        return;
    }
    struct scn_action *a = new_action(P);
    a->t_us = t_us;
    a->col = h->col;
    int ok = 0;
    /* The action is kept only when the whole line parsed: on error the
     * parser drops it again (and frees what it owns). */
    if (is_word(h, "note")) {
        next(P);
        a->kind = ACT_NOTE;
        struct tok *x = want_text(P, "the note text in double quotes");
        if (x && !want_end(P)) {
            a->text = dup_bytes(x->s, x->len);
            ok = 1;
        }
    } else if (is_word(h, "inject")) {
        next(P);
        int before = P->nerr;
        action_inject(P, a);
        ok = P->nerr == before;
    } else {
        int before = P->nerr;
        a->host = want_ref(P, "a host name");
        struct tok *v = next(P);
        /* udp and http are families: their handlers set the exact kind */
        static const char *const verbs[] = {
            "listen", "connect", "send", "recv", "shutdown", "close", "abort",
            "udp", "resolve", "http"
        };
        static const int kinds[] = {
            ACT_LISTEN, ACT_CONNECT, ACT_SEND, ACT_RECV, ACT_SHUTDOWN, ACT_CLOSE, ACT_ABORT,
            ACT_UDP_BIND, ACT_RESOLVE, ACT_HTTP_GET
        };
        int k = -1;
        for (int i = 0; i < (int)(sizeof verbs / sizeof verbs[0]); i++)
            if (is_word(v, verbs[i])) k = i;
        if (a->host < 0) {
            /* reported */
        } else if (k < 0) {
            ERR_AT(P, v, "unknown action %s; expected one of: " ACTION_LIST, found(&sh, v));
        } else {
            a->kind = kinds[k];
            switch (a->kind) {
            case ACT_LISTEN:
                if (want_port(P, &a->port)) break;
                want_end(P);
                break;
            case ACT_CONNECT: {
                /* A host may connect to itself: frames to its own address
                 * are delivered locally (RFC 1122 3.3.4.2 loopback), and a
                 * socket connecting to its own port is a simultaneous open
                 * with itself (RFC 9293 3.10.7.3). */
                if ((a->peer = want_ref(P, "the host to connect to")) < 0) break;
                if (want_port(P, &a->port)) break;
                if (is_word(peek(P), "from")) {
                    next(P);
                    if (want_port(P, &a->lport)) break;
                }
                want_end(P);
                break;
            }
            case ACT_SEND:
                if (is_word(peek(P), "framed")) {
                    next(P);
                    a->framed = 1;
                }
                if (want_payload(P, a, a->framed ? "send framed" : "send")) break;
                want_end(P);
                break;
            case ACT_RECV:
                if (is_word(peek(P), "framed")) {
                    next(P);
                    a->kind = ACT_RECV_FRAMED;
                    a->recv_max = RECV_FRAMED_DEFAULT;
                    if (!peek(P)) break;
                }
                want_recv_count(P, &a->recv_max);
                break;
            case ACT_UDP_BIND:
                action_udp(P, a, h);
                break;
            case ACT_HTTP_GET:
                action_http(P, a);
                break;
            case ACT_RESOLVE: {
                struct tok *d = want_domain(P, "a domain name like www.example.com", 0);
                if (!d || want_end(P)) break;
                a->text = dup_bytes(d->s, d->len);
                break;
            }
            default:
                want_end(P);
                break;
            }
        }
        ok = P->nerr == before;
    }
    if (!ok) {
        scn_action_clear(a);
        P->s->nactions--;
    }
}

static void kw_fault(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *k = next(P);
    struct scn_fault F;
    memset(&F, 0, sizeof F);
    F.line = P->line;
    if (is_word(k, "drop"))           F.kind = FAULT_DROP;
    else if (is_word(k, "delay"))     F.kind = FAULT_DELAY;
    else if (is_word(k, "duplicate")) F.kind = FAULT_DUP;
    else {
        ERR_AT(P, k, "unknown fault %s; expected one of: drop, delay, duplicate", found(&sh, k));
        return;
    }
    if (want_arrow(P, &F.m.src, &F.m.dst)) return;
    if (want_pattern(P, &F.m, 0)) return;
    struct tok *n = next(P);
    uint64_t v = 0;
    if (!n || n->type != T_WORD || n->s[0] != '#' || parse_u64(n->s + 1, &v) != NUM_OK ||
        v < 1 || v > INT_MAX) {
        ERR_AT(P, n, "expected a frame number like #1 (the Nth matching frame), found %s",
               found(&sh, n));
        return;
    }
    F.nth = (int)v;
    struct tok *by = peek(P);
    if (F.kind == FAULT_DELAY) {
        if (!is_word(by, "by")) {
            ERR_AT(P, by, "expected \"by\" and a duration, like: by 5s, found %s", found(&sh, by));
            return;
        }
        next(P);
        if (want_dur(P, &F.by_us)) return;
    } else if (is_word(by, "by")) {
        ERR_AT(P, by, "\"by DURATION\" only applies to fault delay");
        return;
    }
    if (want_end(P)) return;
    struct scenario *s = P->s;
    s->faults = grow_arr(s->faults, &P->capfaults, s->nfaults, sizeof *s->faults);
    s->faults[s->nfaults++] = F;
}

/* A state name from one layer's table: TCP's or ARP's. */
static int want_state_of(struct parser *P, int *state, const char *layer,
                         const char *an, int nstates,
                         int (*parse)(const char *), const char *(*name)(int))
{
    struct tok *t = next(P);
    int st = t && t->type == T_WORD ? parse(t->s) : -1;
    if (st >= 0 && st < nstates) {
        *state = st;
        return 0;
    }
    char list[256];
    size_t off = 0;
    list[0] = '\0';
    for (int i = 0; i < nstates && off < sizeof list; i++) {
        int k = snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", name(i));
        if (k < 0) break;
        off += (size_t)k;
    }
    struct show sh;
    if (t && t->type == T_WORD)
        ERR_AT(P, t, "unknown %s state %s; expected one of: %s", layer, found(&sh, t), list);
    else
        ERR_AT(P, t, "expected %s %s state (one of: %s), found %s", an, layer, list,
               found(&sh, t));
    return -1;
}

static int want_state(struct parser *P, int *state)
{
    return want_state_of(P, state, "TCP", "a", TCPS_NSTATES, tcp_state_parse,
                         tcp_state_name);
}

static int want_arp_state(struct parser *P, int *state)
{
    return want_state_of(P, state, "ARP", "an", ARP_NSTATES, arp_state_parse,
                         arp_state_name);
}

/* What an expectation owns; the expectation itself stays in the array. */

/* `messages "a" "b" ...`: every remaining token, each a string. */
static int want_messages(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    int n = P->ntok - P->ti;
    for (int i = P->ti; i <= P->ntok; i++) {
        const struct tok *t = i < P->ntok ? &P->toks[i] : NULL;
        if ((t && t->type != T_STRING) || (!t && n == 0)) {
            ERR_AT(P, t, "expected the messages in double quotes, like: messages \"one\" \"two\", "
                   "found %s", found(&sh, t));
            return -1;
        }
    }
    e->msgs = xcalloc((size_t)n, sizeof *e->msgs);
    e->msg_lens = xcalloc((size_t)n, sizeof *e->msg_lens);
    struct tok *t;
    while ((t = next(P))) {
        e->msgs[e->nmsgs] = (uint8_t *)dup_bytes(t->s, t->len);
        e->msg_lens[e->nmsgs++] = t->len;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Expectations that state what the RFCs state: frame fields, state
 * histories, timers and call results                                       */

/* Ends a frame pattern in an expectation: `count`, or the frames to check. */
static int pattern_end(const struct tok *t)
{
    return !t || t->type != T_WORD || !strcmp(t->s, "count") || !strcmp(t->s, "every") ||
           !strcmp(t->s, "some") || t->s[0] == '#';
}

static const char *const field_words[] = {
    [SF_SEQ] = "seq", [SF_ACK] = "ack", [SF_LEN] = "len", [SF_WINDOW] = "window",
    [SF_FLAGS] = "flags", [SF_ARP_OP] = "who-has", [SF_DNS_QR] = "query",
    [SF_DNS_AA] = "aa", [SF_DNS_RCODE] = "rcode", [SF_DNS_QNAME] = "qname"
};

/* The field a word names, or -1; *v gets the value a bare word implies. */
static int field_of(const char *w, uint32_t *v)
{
    *v = 0;
    if (!strcmp(w, "request") || !strcmp(w, "who-has")) { *v = ARP_OP_REQUEST; return SF_ARP_OP; }
    if (!strcmp(w, "reply") || !strcmp(w, "is-at"))     { *v = ARP_OP_REPLY; return SF_ARP_OP; }
    if (!strcmp(w, "query"))    { *v = 0; return SF_DNS_QR; }
    if (!strcmp(w, "response")) { *v = 1; return SF_DNS_QR; }
    if (!strcmp(w, "aa"))       { *v = 1; return SF_DNS_AA; }
    if (!strcmp(w, "not"))      { *v = 0; return SF_DNS_AA; }
    for (int k = SF_SEQ; k <= SF_DNS_QNAME; k++)
        if (field_words[k] && k != SF_ARP_OP && k != SF_DNS_QR && !strcmp(w, field_words[k]))
            return k;
    return -1;
}

/* What the fields of a pattern's protocol are, for messages. */
static const char *fields_of(const struct scn_match *m)
{
    if (m->top == SCN_TOP_ARP) return "who-has, is-at, request or reply";
    if (m->top == SCN_TOP_DNS) return "query, response, aa, not aa, rcode, qname or len";
    if (m->proto == IPPROTO_TCP_NUM) return "seq, ack, len, window or flags";
    return "len";
}

static const char *pattern_proto(const struct scn_match *m)
{
    if (m->top == SCN_TOP_ARP) return "arp";
    if (m->top == SCN_TOP_DNS) return "dns";
    return m->proto == IPPROTO_TCP_NUM ? "tcp" : m->proto == IPPROTO_UDP_NUM ? "udp" : "any";
}

static int field_applies(const struct scn_match *m, int k)
{
    switch (k) {
    case SF_SEQ: case SF_ACK: case SF_WINDOW: case SF_FLAGS:
        return m->top == SCN_TOP_NONE && m->proto == IPPROTO_TCP_NUM;
    case SF_LEN:
        return m->top != SCN_TOP_ARP;
    case SF_ARP_OP:
        return m->top == SCN_TOP_ARP;
    default:
        return m->top == SCN_TOP_DNS;
    }
}

/* One FIELD [VALUE] at the cursor, for pattern m.  Returns 1 when read into
 * *f (qname into qname), 0 when the word is not a field (nothing consumed),
 * -1 after an error.  `what` says what else could come, for messages. */
static int want_field(struct parser *P, const struct scn_match *m, struct scn_field *f,
                      char *qname, const char *what)
{
    struct show sh;
    struct tok *t = peek(P);
    uint32_t v;
    int k = t && t->type == T_WORD ? field_of(t->s, &v) : -1;
    if (k < 0) return 0;
    next(P);
    if (!field_applies(m, k)) {
        ERR_AT(P, t, "%s is not a field of %s frames; expected %s%s", found(&sh, t),
               pattern_proto(m), fields_of(m), what);
        return -1;
    }
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)k;
    f->value = v;
    uint64_t n;
    switch (k) {
    case SF_SEQ: case SF_ACK:
        if (is_word(peek(P), "rel")) { next(P); f->rel = 1; }
        if (want_uint(P, f->rel ? "a relative sequence number" : "a sequence number",
                      0, UINT32_MAX, &n)) return -1;
        f->value = (uint32_t)n;
        break;
    case SF_LEN: case SF_WINDOW:
        if (want_uint(P, k == SF_LEN ? "a length" : "a window", 0, 65535, &n)) return -1;
        f->value = (uint32_t)n;
        break;
    case SF_FLAGS: {
        struct tok *x = next(P);
        uint8_t fl;
        if (!x || x->type != T_WORD || tcp_flags_parse(x->s, &fl)) {
            ERR_AT(P, x, "expected TCP flags like SYN or SYN,ACK, found %s", found(&sh, x));
            return -1;
        }
        f->value = fl;
        break;
    }
    case SF_ARP_OP: {
        /* who-has ADDR: the address asked about; ADDR is-at: the one answered */
        struct tok *x = peek(P);
        ip4_addr a;
        if (x && x->type == T_WORD && ip4_parse(x->s, &a) == 0) {
            next(P);
            f->addr = a;
        }
        break;
    }
    case SF_DNS_AA:
        if (!v && !is_word(next(P), "aa")) {
            ERR_AT(P, t, "expected \"not aa\" (not authoritative)");
            return -1;
        }
        break;
    case SF_DNS_RCODE: {
        struct tok *x = next(P);
        static const struct { const char *name; int num; } rc[] = {
#define X(name, num) { #name, num },
            DNS_RCODES(X)
#undef X
        };
        for (size_t i = 0; x && x->type == T_WORD && i < sizeof rc / sizeof rc[0]; i++)
            if (!strcmp(x->s, rc[i].name)) {
                f->value = (uint32_t)rc[i].num;
                return 1;
            }
        ERR_AT(P, x, "expected an RCODE (NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP or "
               "REFUSED), found %s", found(&sh, x));
        return -1;
    }
    case SF_DNS_QNAME: {
        struct tok *d = want_domain(P, "a domain name like www.example.com", 1);
        if (!d) return -1;
        domain_copy(qname, d->s);
        break;
    }
    }
    return 1;
}

/* Appends field f to list (n entries), refusing a field given twice. */
static int add_field(struct parser *P, const struct tok *at, struct scn_field *list, int *n,
                     const struct scn_field *f)
{
    for (int i = 0; i < *n; i++)
        if (list[i].kind == f->kind) {
            struct show sh;
            ERR_AT(P, at, "%s is given twice", found(&sh, at));
            return -1;
        }
    if (*n >= SCN_MAX_FIELDS) {
        ERR_AT(P, at, "at most %d fields per expectation", SCN_MAX_FIELDS);
        return -1;
    }
    list[(*n)++] = *f;
    return 0;
}

/* An expectation's frame pattern: PROTO [FLAGS], or arp/dns with filters. */
static int want_xpattern(struct parser *P, struct scn_match *m)
{
    struct show sh;
    struct tok *t = peek(P);
    if (is_word(t, "arp") || is_word(t, "dns")) {
        next(P);
        m->any_flags = 1;
        m->top = is_word(t, "arp") ? SCN_TOP_ARP : SCN_TOP_DNS;
        m->proto = m->top == SCN_TOP_DNS ? IPPROTO_UDP_NUM : 0;
        while (!pattern_end(peek(P))) {
            struct tok *w = peek(P);
            struct scn_field f;
            int rc = want_field(P, m, &f, m->qname, ", count N, or a frame number like #1");
            if (rc < 0) return -1;
            if (rc == 0) {
                ERR_AT(P, w, "expected %s, count N, or a frame number like #1, found %s",
                       fields_of(m), found(&sh, w));
                return -1;
            }
            if (add_field(P, w, m->filters, &m->nfilters, &f)) return -1;
        }
        return 0;
    }
    if (!is_word(t, "tcp") && !is_word(t, "udp") && !is_word(t, "any")) {
        next(P);
        ERR_AT(P, t, "expected a protocol (tcp, udp, any, arp or dns), found %s", found(&sh, t));
        return -1;
    }
    return want_pattern(P, m, 1);
}

static const char *const call_words[] = {
    "listen", "connect", "send", "recv", "shutdown", "close", "abort"
};
static const int call_ids[] = {
    AC_LISTEN, AC_CONNECT, AC_SEND, AC_RECV, AC_SHUTDOWN, AC_CLOSE, AC_ABORT
};

static int call_of(const char *w)
{
    for (size_t i = 0; i < sizeof call_words / sizeof call_words[0]; i++)
        if (!strcmp(w, call_words[i])) return call_ids[i];
    return -1;
}

/* `#N` at the cursor: 1 read into *nth, 0 absent, -1 bad. */
static int want_nth(struct parser *P, int *nth, const char *what)
{
    struct tok *n = peek(P);
    if (!n || n->type != T_WORD || n->s[0] != '#') return 0;
    next(P);
    uint64_t v = 0;
    if (parse_u64(n->s + 1, &v) != NUM_OK || v < 1 || v > INT_MAX) {
        struct show sh;
        ERR_AT(P, n, "expected %s like #1, found %s", what, found(&sh, n));
        return -1;
    }
    *nth = (int)v;
    return 1;
}

/* SRC->DST PATTERN then `count N`, or `#N|every|some FIELD VALUE ...`. */
static void expect_frames(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    if (want_arrow_to(P, &e->m.src, &e->m.dst, 1)) return;
    e->host = e->m.src;
    if (want_xpattern(P, &e->m)) return;
    struct tok *c = peek(P);
    if (is_word(c, "count")) {
        uint64_t n;
        next(P);
        e->kind = EXP_COUNT;
        if (want_uint(P, "a frame count", 0, 1000000000, &n) || want_end(P)) return;
        e->count = (long)n;
        return;
    }
    e->kind = EXP_FIELDS;
    int rc = want_nth(P, &e->nth, "a frame number");
    if (rc < 0) return;
    if (rc) e->pick = PICK_NTH;
    else if (is_word(c, "every")) { next(P); e->pick = PICK_EVERY; }
    else if (is_word(c, "some"))  { next(P); e->pick = PICK_SOME; }
    else {
        ERR_AT(P, c, "expected \"count N\" or the frames to check (#N, every or some) after "
               "the frame pattern, found %s", found(&sh, c));
        return;
    }
    for (;;) {
        struct tok *w = peek(P);
        if (!w && e->nfields) return;
        struct scn_field f;
        int r = want_field(P, &e->m, &f, e->qname, "");
        if (r < 0) return;
        if (r == 0) {
            ERR_AT(P, w, "expected a field to check (%s), found %s", fields_of(&e->m),
                   found(&sh, w));
            return;
        }
        if (add_field(P, w, e->fields, &e->nfields, &f)) return;
    }
}

/* HOST states S S ... [on port P] [with PEER [port P]] */
static void expect_states(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    e->kind = EXP_STATES;
    while (peek(P) && !is_word(peek(P), "on") && !is_word(peek(P), "with")) {
        struct tok *t = peek(P);
        int st;
        if (want_state(P, &st)) return;
        if (e->nstates >= SCN_MAX_STATES) {
            ERR_AT(P, t, "at most %d states in a history", SCN_MAX_STATES);
            return;
        }
        e->states[e->nstates++] = (uint8_t)st;
    }
    if (!e->nstates) {
        ERR_AT(P, peek(P), "expected the states in order, like: states LISTEN SYN_RECEIVED "
               "ESTABLISHED, found %s", found(&sh, peek(P)));
        return;
    }
    int on = 0, with = 0;
    struct tok *w;
    while ((w = next(P))) {
        uint64_t n;
        if (is_word(w, "on") && !on) {
            on = 1;
            struct tok *pw = next(P);
            if (!is_word(pw, "port")) {
                ERR_AT(P, pw, "expected \"port N\" after on, found %s", found(&sh, pw));
                return;
            }
            if (want_uint(P, "a port number", 1, 65535, &n)) return;
            e->lport = (uint16_t)n;
        } else if (is_word(w, "with") && !with) {
            with = 1;
            if ((e->peer = want_ref(P, "the peer's host name")) < 0) return;
            if (is_word(peek(P), "port")) {
                next(P);
                if (want_uint(P, "a port number", 1, 65535, &n)) return;
                e->rport = (uint16_t)n;
            }
        } else if (is_word(w, "on") || is_word(w, "with")) {
            ERR_AT(P, w, "%s is given twice", found(&sh, w));
            return;
        } else {
            ERR_AT(P, w, "expected \"on port N\", \"with PEER\" or end of line, found %s",
                   found(&sh, w));
            return;
        }
    }
}

/* HOST timer NAME started|restarted|stopped|expired [count N | by T | at T] */
static void expect_timer(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    static const char *const events[] = { "started", "restarted", "stopped", "expired" };
    e->kind = EXP_TIMER;
    struct tok *t = next(P);
    e->timer = -1;
    for (int i = 0; t && t->type == T_WORD && i < TM_COUNT; i++)
        if (!strcasecmp(t->s, timer_name_str(i))) e->timer = i;
    if (e->timer < 0) {
        char list[128] = "";
        for (int i = 0; i < TM_COUNT; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     timer_name_str(i));
        ERR_AT(P, t, "expected a timer (one of: %s), found %s", list, found(&sh, t));
        return;
    }
    struct tok *v = next(P);
    e->tevent = -1;
    for (int i = 0; v && i < 4; i++)
        if (is_word(v, events[i])) e->tevent = i;
    if (e->tevent < 0) {
        ERR_AT(P, v, "expected started, restarted, stopped or expired, found %s", found(&sh, v));
        return;
    }
    struct tok *w = next(P);
    uint64_t n;
    if (!w) { e->twhen = WHEN_ANY; return; }
    if (is_word(w, "count")) {
        e->twhen = WHEN_COUNT;
        if (want_uint(P, "a count", 0, 1000000000, &n)) return;
        e->count = (long)n;
    } else if (is_word(w, "by") || is_word(w, "at")) {
        e->twhen = is_word(w, "by") ? WHEN_BY : WHEN_AT;
        if (want_dur(P, &e->t_us)) return;
    } else {
        ERR_AT(P, w, "expected \"count N\", \"by TIME\", \"at TIME\" or end of line, found %s",
               found(&sh, w));
        return;
    }
    want_end(P);
}

/* HOST CALL [#N] succeeded | error "TEXT" */
static void expect_call(struct parser *P, struct scn_expect *e, int call)
{
    struct show sh;
    e->kind = EXP_CALL;
    e->call = call;
    if (want_nth(P, &e->nth, "a call number") < 0) return;
    struct tok *v = next(P);
    if (is_word(v, "succeeded")) {
        e->err = 0;
        want_end(P);
        return;
    }
    if (!is_word(v, "error")) {
        ERR_AT(P, v, "expected succeeded or error \"TEXT\" after the call, found %s",
               found(&sh, v));
        return;
    }
    struct tok *x = next(P);
    char list[256] = "";
    for (int i = 1; i < TCPE_COUNT; i++) {
        if (x && x->type == T_STRING && !strcmp(x->s, tcp_err_str(-i))) {
            e->err = -i;
            want_end(P);
            return;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i > 1 ? ", " : "",
                 tcp_err_str(-i));
    }
    if (x && x->type == T_STRING)
        ERR_AT(P, x, "unknown error %s; expected one of: %s", show_slice(&sh, x->s, x->len),
               list);
    else
        ERR_AT(P, x, "expected the error in double quotes (one of: %s), found %s", list,
               found(&sh, x));
}

#define EXPECT_LIST "state, states, never, received, arp, resolved, messages, datagrams, reads, queries, timer, listen, connect, send, recv, shutdown, close, abort"

static void kw_expect(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *t1 = peek(P);
    if (!t1) {
        ERR_AT(P, t1, "expected a host name or SRC->DST after expect, found end of line");
        return;
    }
    struct tok *t2 = P->ti + 1 < P->ntok ? &P->toks[P->ti + 1] : NULL;
    struct scn_expect *e = new_expect(P);
    int before = P->nerr;
    if (t1->type == T_WORD &&
        (strstr(t1->s, "->") || (t2 && t2->type == T_WORD && !strncmp(t2->s, "->", 2)))) {
        expect_frames(P, e);
        goto out;
    }
    if ((e->host = want_ref(P, "a host name or SRC->DST")) < 0) goto out;
    struct tok *v = next(P);
    if (is_word(v, "state")) {
        if (want_state(P, &e->state)) goto out;
        struct tok *w = next(P);
        if (is_word(w, "by")) e->kind = EXP_STATE_BY;
        else if (is_word(w, "at")) e->kind = EXP_STATE_AT;
        else {
            ERR_AT(P, w, "expected \"by TIME\" or \"at TIME\" after the state, found %s",
                   found(&sh, w));
            goto out;
        }
        if (want_dur(P, &e->t_us)) goto out;
        want_end(P);
    } else if (is_word(v, "states")) {
        expect_states(P, e);
    } else if (is_word(v, "timer")) {
        expect_timer(P, e);
    } else if (v && v->type == T_WORD && call_of(v->s) >= 0) {
        expect_call(P, e, call_of(v->s));
    } else if (is_word(v, "never")) {
        e->kind = EXP_NEVER;
        if (want_state(P, &e->state)) goto out;
        want_end(P);
    } else if (is_word(v, "received")) {
        e->kind = EXP_RECEIVED;
        struct tok *x = next(P);
        if (!x || x->type != T_STRING) {
            ERR_AT(P, x, "expected the received text in double quotes, found %s", found(&sh, x));
            goto out;
        }
        if (want_end(P)) goto out;
        e->data = (uint8_t *)dup_bytes(x->s, x->len);
        e->len = x->len;
    } else if (is_word(v, "arp")) {
        e->kind = EXP_ARP;
        if (want_addr(P, NULL, &e->addr) || want_arp_state(P, &e->state)) goto out;
        struct tok *w = next(P);
        if (is_word(w, "by")) e->when = 0;
        else if (is_word(w, "at")) e->when = 1;
        else {
            ERR_AT(P, w, "expected \"by TIME\" or \"at TIME\" after the state, found %s",
                   found(&sh, w));
            goto out;
        }
        if (want_dur(P, &e->t_us)) goto out;
        want_end(P);
    } else if (is_word(v, "resolved")) {
        e->kind = EXP_RESOLVED;
        struct tok *d = want_domain(P, "a domain name like www.example.com", 0);
        if (!d) goto out;
        struct tok *x = next(P);
        if (is_word(x, "NXDOMAIN")) e->rcode = DNS_RCODE_NXDOMAIN;
        else if (is_word(x, "SERVFAIL")) e->rcode = DNS_RCODE_SERVFAIL;
        else if (is_word(x, "FAILED")) e->rcode = -1;
        else if (x && x->type == T_WORD && ip4_parse(x->s, &e->addr) == 0) e->rcode = DNS_RCODE_NOERROR;
        else {
            ERR_AT(P, x, "expected an IPv4 address, NXDOMAIN, SERVFAIL or FAILED after the name, "
                   "found %s", found(&sh, x));
            goto out;
        }
        if (want_end(P)) goto out;
        /* stored absolute: "www.example.com." */
        char abs[DNS_NAME_BUF + 1];
        domain_copy(abs, d->s);
        size_t n = strlen(abs);
        abs[n] = '.';
        e->name = dup_bytes(abs, n + 1);
    } else if (is_word(v, "messages")) {
        e->kind = EXP_MESSAGES;
        want_messages(P, e);
    } else if (is_word(v, "datagrams")) {
        e->kind = EXP_DATAGRAMS;
        want_messages(P, e);
    } else if (is_word(v, "reads") || is_word(v, "queries")) {
        int reads = is_word(v, "reads");
        uint64_t n;
        e->kind = reads ? EXP_READS : EXP_QUERIES;
        if (want_uint(P, reads ? "a read count" : "a query count", 0, 1000000000, &n) ||
            want_end(P))
            goto out;
        e->count = (long)n;
    } else {
        ERR_AT(P, v, "unknown expectation %s; expected one of: " EXPECT_LIST
               " (or SRC->DST PATTERN count N, or SRC->DST PATTERN #N FIELD VALUE)",
               found(&sh, v));
    }
out:
    if (P->nerr == before) {
        /* the expectation as written, without `expect` and the comment */
        const struct tok *last = &P->toks[P->ntok - 1];
        e->src_text = dup_bytes(t1->raw, (size_t)(last->raw + last->rawlen - t1->raw));
    } else {
        scn_expect_clear(e);
        P->s->nexpects--;
    }
}

/* The keywords that start a line, with their handlers. */
static const struct keyword {
    const char *name;
    void (*fn)(struct parser *P, struct tok *kw);
} keywords[] = {
#define X(k) { #k, kw_##k },
    KEYWORDS(X)
#undef X
};


static void parse_line(struct parser *P, const char *l, size_t n)
{
    if (lex_line(P, l, n) || P->ntok == 0) return;
    struct tok *kw = next(P);
    struct show sh;
    if (kw->type != T_WORD) {
        ERR_AT(P, kw, "expected a keyword (one of: " KEYWORD_LIST "), found a string");
        return;
    }
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        if (!strcmp(kw->s, keywords[i].name)) {
            keywords[i].fn(P, kw);
            return;
        }
    }
    ERR_AT(P, kw, "unknown keyword %s; expected one of: " KEYWORD_LIST, found(&sh, kw));
}

/* ------------------------------------------------------------------------ */
/* End of file: resolve names, apply options, sort                          */

/* "a, b, c" from the first 10 of count names (then ", ..."); the names are
 * the char arrays at first, first + stride, ... */
struct namelist { char b[10 * (SCN_NAME_MAX + 2) + 8]; };

static const char *name_list(struct namelist *nl, const char *first, size_t stride, int count)
{
    size_t off = 0;
    nl->b[0] = '\0';
    for (int i = 0; i < count && i < 10; i++) {
        int k = snprintf(nl->b + off, sizeof nl->b - off, "%s%s", i ? ", " : "",
                         first + (size_t)i * stride);
        if (k > 0) off += (size_t)k;
    }
    if (count > 10) snprintf(nl->b + off, sizeof nl->b - off, ", ...");
    return nl->b;
}

static void unknown_host(struct parser *P, const struct ref *r)
{
    const struct scenario *s = P->s;
    if (s->nhosts == 0) {
        perr_at(P, r->line, r->col, "unknown host \"%s\" (no hosts are declared)", r->name);
        return;
    }
    struct namelist nl;
    perr_at(P, r->line, r->col, "unknown host \"%s\" (declared hosts: %s)", r->name,
            name_list(&nl, s->hosts[0].name, sizeof s->hosts[0], s->nhosts));
}

static void unknown_lan(struct parser *P, const struct ref *r)
{
    const struct scenario *s = P->s;
    if (s->nlans == 0) {
        perr_at(P, r->line, r->col, "unknown LAN \"%s\" (no LANs are declared; add one like: "
                "lan %s 192.0.2.0/24)", r->name, r->name);
        return;
    }
    struct namelist nl;
    perr_at(P, r->line, r->col, "unknown LAN \"%s\" (declared LANs: %s)", r->name,
            name_list(&nl, s->lans[0].name, sizeof s->lans[0], s->nlans));
}

/* Where an address lies relative to a LAN.  RFC 3021: a /31 has no network
 * or broadcast address, and a /32 is one address. */
enum { ON_LAN, OFF_LAN, LAN_NETWORK, LAN_BROADCAST };

static int lan_place(const struct scn_lan *L, ip4_addr addr)
{
    ip4_addr mask = prefix_mask(L->prefix);
    if ((addr & mask) != L->net) return OFF_LAN;
    if (L->prefix < 31 && addr == L->net) return LAN_NETWORK;
    if (L->prefix < 31 && addr == (L->net | ~mask)) return LAN_BROADCAST;
    return ON_LAN;
}

static const char *const lan_place_what[] = {
    "on", "outside", "the network address of", "the broadcast address of"
};

/* The LAN of an interface (its reference resolved), or -1 when the name is
 * unknown or the `lan` line had no valid network (both reported already). */
static int iface_lan(const struct parser *P, const struct scn_iface *ifc)
{
    int l = P->lanrefs[ifc->lan].host;
    return l >= 0 && P->s->lans[l].prefix >= 0 ? l : -1;
}

/* Every interface address lies on its LAN as a host address; a gateway is
 * a host address on one of its host's LANs. */
static void check_addresses(struct parser *P)
{
    const struct scenario *s = P->s;
    char a[16], nb[24];
    for (int h = 0; h < s->nhosts; h++) {
        const struct scn_host *hp = &s->hosts[h];
        int known = 1;
        for (int k = 0; k < hp->nifaces; k++) {
            const struct scn_iface *ifc = &hp->ifaces[k];
            int l = iface_lan(P, ifc);
            if (l < 0) { known = 0; continue; }
            const struct scn_lan *L = &s->lans[l];
            int place = lan_place(L, ifc->addr);
            if (place != ON_LAN)
                perr_at(P, ifc->line, ifc->col, "address \"%s\" is %s LAN \"%s\" (%s)",
                        ip4_str(ifc->addr, a, sizeof a), lan_place_what[place], L->name,
                        net_str(nb, sizeof nb, L->net, L->prefix));
        }
        if (!hp->gateway || !known) continue;
        int col = P->gwcols[h];
        ip4_str(hp->gateway, a, sizeof a);
        if (hp->nifaces == 0) {
            perr_at(P, hp->line, col, "gateway \"%s\" is not on any LAN of host \"%s\", which "
                    "has no \"on LAN\"", a, hp->name);
            continue;
        }
        int on = 0, odd = -1;
        for (int k = 0; k < hp->nifaces; k++) {
            if (hp->ifaces[k].addr == hp->gateway) {
                on = -1;
                break;
            }
            int place = lan_place(&s->lans[iface_lan(P, &hp->ifaces[k])], hp->gateway);
            if (place == ON_LAN) on = 1;
            else if (place != OFF_LAN && odd < 0) odd = k;
        }
        if (on < 0) {
            perr_at(P, hp->line, col, "host \"%s\" cannot be its own gateway", hp->name);
        } else if (!on && odd >= 0) {
            const struct scn_lan *L = &s->lans[iface_lan(P, &hp->ifaces[odd])];
            perr_at(P, hp->line, col, "gateway \"%s\" is %s LAN \"%s\" (%s)", a,
                    lan_place_what[lan_place(L, hp->gateway)], L->name,
                    net_str(nb, sizeof nb, L->net, L->prefix));
        } else if (!on) {
            char list[SCN_MAX_IFACES * (SCN_NAME_MAX + 24)];
            size_t off = 0;
            list[0] = '\0';
            for (int k = 0; k < hp->nifaces; k++) {
                const struct scn_lan *L = &s->lans[iface_lan(P, &hp->ifaces[k])];
                int n = snprintf(list + off, sizeof list - off, "%s%s: %s", k ? ", " : "",
                                 L->name, net_str(nb, sizeof nb, L->net, L->prefix));
                if (n > 0) off += (size_t)n;
            }
            perr_at(P, hp->line, col, "gateway \"%s\" is not on any LAN of host \"%s\" (%s)",
                    a, hp->name, list);
        }
    }
}

/* Is name (as stored: no trailing dot) at or below a zone that host serves?
 * Looks up each of its suffixes, so it costs the number of labels. */
static int in_served_zone(const struct parser *P, const char *host, const char *name)
{
    char key[SCN_NAME_MAX + DNS_NAME_BUF + 2];
    for (const char *p = name; *p;) {
        zone_key(key, sizeof key, host, p);
        if (smap_get(&P->zonekeys, key) >= 0) return 1;
        const char *dot = strchr(p, '.');
        if (!dot) break;
        p = dot + 1;
    }
    zone_key(key, sizeof key, host, ".");
    return smap_get(&P->zonekeys, key) >= 0;
}

/* A record's host serves a zone, and the record lies inside one of them. */
static void check_records(struct parser *P)
{
    const struct scenario *s = P->s;
    if (!s->nrrs) return;
    int *zfirst = xreallocarray(NULL, (size_t)s->nhosts, sizeof *zfirst);
    int *znext = xreallocarray(NULL, (size_t)s->nzones + 1, sizeof *znext);
    for (int h = 0; h < s->nhosts; h++) zfirst[h] = -1;
    for (int i = s->nzones - 1; i >= 0; i--) {
        int h = P->refs[s->zones[i].host].host;
        if (h < 0) continue;
        znext[i] = zfirst[h];
        zfirst[h] = i;
    }
    for (int i = 0; i < s->nrrs; i++) {
        const struct ref *r = &P->refs[s->rrs[i].host];
        if (r->host < 0) continue;
        if (zfirst[r->host] < 0) {
            perr_at(P, r->line, r->col, "host \"%s\" has no zone line; add one like: zone %s "
                    "example.com", r->name, r->name);
            continue;
        }
        const char *name = s->rrs[i].rr.name;
        if (in_served_zone(P, r->name, name)) continue;
        char list[4 * (DNS_NAME_BUF + 2) + 8];
        size_t off = 0;
        int n = 0;
        for (int z = zfirst[r->host]; z >= 0 && off < sizeof list; z = znext[z], n++) {
            int k = n < 4 ? snprintf(list + off, sizeof list - off, "%s%s", n ? ", " : "",
                                     s->zones[z].apex)
                          : snprintf(list + off, sizeof list - off, ", ...");
            if (k > 0) off += (size_t)k;
            if (n >= 4) break;
        }
        struct show sh;
        perr_at(P, s->rrs[i].line, P->rrcols[i], "record %s is outside the zones host \"%s\" "
                "serves (%s)", show_slice(&sh, name, strlen(name)), r->name, list);
    }
    free(zfirst);
    free(znext);
}

static int map_ref(const struct parser *P, int r)
{
    return r >= 0 ? P->refs[r].host : r;
}

static void apply_tcp(const struct tcpset *ts, struct scn_tcp_opts *o)
{
    switch (ts->opt) {
    case TO_ISN:
        memcpy(o->isn, ts->isn, sizeof o->isn);
        o->n_isn = ts->n_isn;
        break;
    case TO_MSS:       o->mss = (int)ts->v; break;
    case TO_RTO:       o->rto_us = ts->v; break;
    case TO_RETRIES:   o->retries = (int)ts->v; break;
    case TO_MSL:       o->msl_us = ts->v; break;
    case TO_NAGLE:     o->nagle = (int)ts->v; break;
    case TO_TW_REOPEN: o->tw_reopen = (int)ts->v; break;
    case TO_HANDSHAKE: o->two_way = (int)ts->v; break;
    default:           o->rcvbuf = (uint32_t)ts->v; break;
    }
}

static int cmp_action(const void *x, const void *y)
{
    const struct scn_action *a = x, *b = y;
    if (a->t_us != b->t_us) return a->t_us < b->t_us ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);   /* one action per line: stable */
}

static void finish(struct parser *P)
{
    struct scenario *s = P->s;
    P->finishing = 1;
    if (P->host_lines == 0) {
        /* one message says it all; no "unknown host" for every use */
        perr_at(P, 1, 1, "no hosts declared; a scenario needs at least one line like: host client 192.0.2.10");
        return;
    }
    for (int i = 0; i < P->nrefs; i++) {
        struct ref *r = &P->refs[i];
        r->host = smap_get(&P->hostnames, r->name);
        if (r->host < 0) unknown_host(P, r);
    }
    for (int i = 0; i < P->nlanrefs; i++) {
        struct ref *r = &P->lanrefs[i];
        r->host = smap_get(&P->lannames, r->name);
        if (r->host < 0) unknown_lan(P, r);
    }
    check_addresses(P);
    check_records(P);
    if (P->nerr) return;

    for (int h = 0; h < s->nhosts; h++)
        for (int k = 0; k < s->hosts[h].nifaces; k++)
            s->hosts[h].ifaces[k].lan = P->lanrefs[s->hosts[h].ifaces[k].lan].host;
    for (int i = 0; i < s->nzones; i++) s->zones[i].host = map_ref(P, s->zones[i].host);
    for (int i = 0; i < s->nrrs; i++) s->rrs[i].host = map_ref(P, s->rrs[i].host);
    for (int i = 0; i < s->nresolvers; i++)
        s->resolvers[i].host = map_ref(P, s->resolvers[i].host);

    for (int i = 0; i < s->nlinks; i++) {
        s->links[i].a = map_ref(P, s->links[i].a);
        s->links[i].b = map_ref(P, s->links[i].b);
    }
    for (int i = 0; i < s->nactions; i++) {
        s->actions[i].host = map_ref(P, s->actions[i].host);
        s->actions[i].peer = map_ref(P, s->actions[i].peer);
    }
    for (int i = 0; i < s->nfaults; i++) {
        s->faults[i].m.src = map_ref(P, s->faults[i].m.src);
        s->faults[i].m.dst = map_ref(P, s->faults[i].m.dst);
    }
    for (int i = 0; i < s->nexpects; i++) {
        s->expects[i].host = map_ref(P, s->expects[i].host);
        s->expects[i].m.src = map_ref(P, s->expects[i].m.src);
        s->expects[i].m.dst = map_ref(P, s->expects[i].m.dst);
        s->expects[i].peer = map_ref(P, s->expects[i].peer);
    }
    /* Defaults, then all-host lines, then per-host lines: the more specific
     * line wins whatever the order in the file. */
    for (int h = 0; h < s->nhosts; h++) scenario_tcp_defaults(&s->hosts[h].tcp);
    for (int i = 0; i < P->ntsets; i++)
        if (P->tsets[i].ref < 0)
            for (int h = 0; h < s->nhosts; h++) apply_tcp(&P->tsets[i], &s->hosts[h].tcp);
    for (int i = 0; i < P->ntsets; i++)
        if (P->tsets[i].ref >= 0)
            apply_tcp(&P->tsets[i], &s->hosts[map_ref(P, P->tsets[i].ref)].tcp);

    if (s->nactions > 1) qsort(s->actions, (size_t)s->nactions, sizeof *s->actions, cmp_action);

    if (!s->title) {
        const char *p = s->path;
        const char *slash = strrchr(p, '/');
        if (slash) p = slash + 1;
        size_t n = strlen(p);
        if (n > 4 && !strcmp(p + n - 4, ".scn")) n -= 4;
        s->title = n ? dup_bytes(p, n) : dup_bytes("untitled", 8);
    }
}

static int cmp_err(const void *x, const void *y)
{
    const struct perr *a = x, *b = y;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Moves the collected errors into errs as "file:line:col: error: ...", in
 * source order, at most MAX_ERRORS of them then "too many errors". */
static void emit_errors(struct parser *P, struct scn_errors *errs)
{
    if (P->nerr > 1) qsort(P->errs, (size_t)P->nerr, sizeof *P->errs, cmp_err);
    if (!errs) return;
    int n = P->nerr > MAX_ERRORS ? MAX_ERRORS + 1 : P->nerr;
    if (errs->n < 0) errs->n = 0;
    errs->msgs = xreallocarray(errs->msgs, (size_t)errs->n + (size_t)n + 1, sizeof *errs->msgs);
    for (int i = 0; i < n; i++) {
        const struct perr *e = &P->errs[i];
        const char *msg = i < MAX_ERRORS ? e->msg : "too many errors; stopping after 20";
        int k = snprintf(NULL, 0, "%s:%d:%d: error: %s", P->path, e->line, e->col, msg);
        if (k < 0) continue;
        char *m = xmalloc((size_t)k + 1);
        snprintf(m, (size_t)k + 1, "%s:%d:%d: error: %s", P->path, e->line, e->col, msg);
        errs->msgs[errs->n++] = m;
    }
    errs->msgs[errs->n] = NULL;
}

static void parser_free(struct parser *P)
{
    for (int i = 0; i < P->nerr; i++) free(P->errs[i].msg);
    free(P->errs);
    free(P->toks);
    free(P->buf);
    free(P->refs);
    free(P->tsets);
    smap_free(&P->hostnames);
    smap_free(&P->addrs);
    smap_free(&P->linkpairs);
    smap_free(&P->tcpkeys);
    free(P->lanrefs);
    free(P->gwcols);
    free(P->rrcols);
    smap_free(&P->lannames);
    smap_free(&P->lannets);
    smap_free(&P->lancover);
    smap_free(&P->zonekeys);
    smap_free(&P->resolverhosts);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */


struct scenario *scenario_parse(const char *path, const char *text, size_t len,
                                struct scn_errors *errs)
{
    struct parser P;
    memset(&P, 0, sizeof P);
    P.path = path ? path : "<input>";
    if (!text) len = 0;
    struct scenario *s = xcalloc(1, sizeof *s);
    P.s = s;
    s->seed = 1;
    s->path = dup_bytes(P.path, strlen(P.path));

    size_t pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        pos = 3;                       /* the byte-order mark: columns start after it */
    while (pos < len && !P.stopped) {
        if (P.line < INT_MAX) P.line++;
        const char *l = text + pos;
        size_t n = 0;
        while (pos + n < len && l[n] != '\n' && l[n] != '\r')
            n++;
        pos += n;
        if (pos < len)
            pos += text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n' ? 2 : 1;
        parse_line(&P, l, n);
    }
    if (!P.stopped) finish(&P);
    if (P.nerr) {
        emit_errors(&P, errs);
        parser_free(&P);
        scenario_free(s);
        return NULL;
    }
    parser_free(&P);
    return s;
}

struct scenario *scenario_load(const char *path, struct scn_errors *errs, int *io_error)
{
    int dummy;
    if (!io_error) io_error = &dummy;
    *io_error = 0;
    if (!path) { *io_error = EINVAL; return NULL; }
    FILE *f = fopen(path, "rb");
    if (!f) { *io_error = errno ? errno : EIO; return NULL; }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap && cap >= FILE_MAX) {
            /* exactly FILE_MAX bytes is allowed; one more is not */
            if (getc(f) != EOF) *io_error = EFBIG;
            else if (ferror(f)) *io_error = errno ? errno : EIO;
            break;
        }
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, nc);
            cap = nc;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0) {
            if (ferror(f)) *io_error = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    if (*io_error) { free(buf); return NULL; }
    struct scenario *s = scenario_parse(path, buf ? buf : "", len, errs);
    free(buf);
    return s;
}


void scn_errors_free(struct scn_errors *e)
{
    if (!e) return;
    for (int i = 0; i < e->n; i++) free(e->msgs[i]);
    free(e->msgs);
    e->msgs = NULL;
    e->n = 0;
}


