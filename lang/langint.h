/* langint.h — what the files of the scenario language share: the parser's
 * state, tokens and helpers, and what the expectation checker's files share.
 * Only the files in lang/ include this; lang.h is the public API. */
#ifndef PROTOSIM_LANGINT_H
#define PROTOSIM_LANGINT_H

#include <stddef.h>
#include <stdint.h>

#include "lang.h"
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
/* ------------------------------------------------------------------------ */
/* Tokens and parser state                                                  */

/* The keywords that start a line (their lang_kw_* handlers are in parse.c,
 * parse_action.c and parse_expect.c), and the same list as the text of messages. */
#define KEYWORDS(X) \
    X(title) X(describe) X(seed) X(host) X(router) X(lan) X(link) X(tcp) \
    X(zone) X(record) X(resolver) X(at) X(fault) X(expect) X(quiz) X(code)

/* ... and `repeat`, which repeat.c reads before a line reaches them */
#define KEYWORD_LIST "title, describe, seed, host, router, lan, link, tcp, zone, record, " \
                     "resolver, at, fault, expect, quiz, code, repeat"

enum { T_WORD, T_STRING };

/* One token of the current line.  `s` is NUL-terminated: the word itself, or
 * the decoded bytes of a string (which may contain NULs from \x00; use len). */
struct tok {
    int         type;
    int         col;        /* 1-based byte column of the first character, as
                               written (see repeat.c for substituted lines) */
    size_t      off;        /* byte offset in the line that was lexed */
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
    int  ctx;               /* the repeat iteration it was written in
                               (lang_ctx_id), -1 none */
};

/* `tcp isn`, then scenario.h's SCN_TCP_SETTINGS in order */
enum tcp_opt {
    TO_ISN,
#define SCN_TCP_ENUM(id, kw, field, type, kind, lo, hi, def, what) TO_##id,
    SCN_TCP_SETTINGS(SCN_TCP_ENUM)
#undef SCN_TCP_ENUM
    TO_COUNT
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
    int  caphosts, caplinks, capactions, capfaults, capexpects, capdescribe, capchapters;
    int  caplans, capzones, caprrs, capresolvers, capquizzes, capcode;

    struct perr *errs;
    int  nerr, caperr;
    int  stopped;           /* too many errors: read no further */
    int  finishing;         /* end-of-file checks: collect every error */
    int  unclosed;          /* a repeat had no `end`: the lines after it
                               were never read as lines, so the whole
                               file's checks (hosts, names) are skipped */

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
    /* The repeat iteration (lang_ctx_id, -1 none) each host, record,
     * action and chapter was written in, so that the end-of-file checks
     * name it as the line-by-line ones do: "(in repeat iteration i=7)" */
    int *hostctx, *rrctx, *actctx, *chapctx;
    int  caphostctx, caprrctx, capactctx, capchapctx;
    struct smap lannames, lannets, lancover, zonekeys, resolverhosts;
    struct smap strpool;    /* the actions' texts: text -> index in s->strs */
    int  capstrs;
    int  title_line, seed_line;
    int  host_lines;        /* `host` lines seen, valid or not */
    int64_t  prev_at;       /* time of the previous `at` line */
    uint64_t send_total;

    /* issue 11: repeats (repeat.c) */
    struct rvar { char name[SCN_NAME_MAX]; int64_t v; } vars[8];
    int  nvars;             /* repeats running now, outermost first */
    const int *colmap;      /* the lexed line's byte -> column as written,
                               NULL: the line is as written */
    char  *xline;           /* a line after substitution ... */
    int   *xcol;            /* ... and the column of each of its bytes */
    size_t capxline;
    struct sline *blk;      /* a block repeat's lines, read once */
    int  nblk, capblk;
    uint64_t expanded, expand_max;              /* lines */
    uint64_t expanded_bytes, expand_bytes_max;
    uint64_t mem_max;       /* scn_errors.max_memory; 0: unchecked */
    int      over_memory;
    char  *ctxbuf;          /* "i=5, j=2" texts of iterations, see lang_ctx_id */
    size_t nctxbuf, capctxbuf;
    int  ctx_cur;           /* this iteration's text in ctxbuf, -1 not made */
};

static inline int is_digit(int c) { return c >= '0' && c <= '9'; }
static inline int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* A token or slice quoted for a message: printable ASCII and whole UTF-8
 * characters as written, anything else as \xHH, at most SHOW_MAX bytes
 * then "...". */
struct show { char b[SHOW_MAX * 4 + 8]; };

#define ERR_AT(P, t, ...) lang_perr_at((P), (P)->line, lang_colof((P), (t)), __VA_ARGS__)

enum { NUM_OK, NUM_SYNTAX, NUM_NEG, NUM_PRECISE, NUM_BIG };

#define DUR_LIKE N_("a duration like 20ms or 1.5s")

/* Every function shared between the files of lang/ is named lang_*: liblang
 * links into one program with the model, the driver and the front end, and
 * names like next() or found() would clash with theirs (or a libc's). */

/* The iteration context lang_perr_at gives: the repeats running now */
#define CTX_NOW (-2)

/* lex.c: helpers, string map, errors, lexer, token cursor, numbers, names,
 * addresses, patterns */
int lang_col_add(int col, size_t off);
void *lang_grow_arr(void *p, int *cap, int n, size_t elsz);
void *lang_fit_arr(void *p, int *cap, int n, size_t elsz);
char *lang_dup_bytes(const char *p, size_t n);
const char *lang_show_slice(struct show *sh, const char *p, size_t n);
const char *lang_found(struct show *sh, const struct tok *t);
int lang_smap_get(const struct smap *m, const char *k);
void lang_smap_put(struct smap *m, const char *k, int v);
void lang_smap_free(struct smap *m);
/* The scenario's copy of the n bytes at p (NUL-terminated) in its arena,
 * which never moves nor frees one alone (the hosts' names). */
const char *lang_arena_str(struct parser *P, const char *p, size_t n);
void *lang_arena_zalloc(struct parser *P, size_t n);
/* The scenario's copy of the n bytes at p (NUL-terminated), owned by its
 * strs: one copy per distinct text, however many actions use it. */
char *lang_pool_str(struct parser *P, const char *p, size_t n);
void lang_perr_at(struct parser *P, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An error at a name's reference, with the repeat iteration it was written in. */
void lang_perr_ref(struct parser *P, const struct ref *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error at line:col of something written in repeat iteration ctx
 * (lang_ctx_id, -1 none): for checks made after the repeat has run. */
void lang_perr_in(struct parser *P, int ctx, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The column of byte off of token t, as written. */
int lang_col_in(const struct parser *P, const struct tok *t, size_t off);
int lang_lex_line(struct parser *P, const char *l, size_t n);
struct tok *lang_peek(struct parser *P);
struct tok *lang_next(struct parser *P);
int lang_is_word(const struct tok *t, const char *w);
int lang_want_end(struct parser *P);
struct tok *lang_want_text(struct parser *P, const char *what);
/* After a lesson text: its Chinese, `zh "TEXT"`, if the line gives one
 * (*zh NULL if not).  0, or -1 after reporting a bad one. */
int lang_want_variant(struct parser *P, struct tok **zh);
int lang_parse_u64(const char *s, uint64_t *out);
int lang_parse_dur(const char *s, int64_t *out);
int lang_want_uint(struct parser *P, const char *what, uint64_t lo, uint64_t hi,
              uint64_t *out);
void lang_dur_error(struct parser *P, const struct tok *t, int rc, const char *like);
int lang_want_dur(struct parser *P, int64_t *out);
int lang_want_pct(struct parser *P, uint32_t *out);
int lang_name_error(struct parser *P, const char *p, size_t n, int col, const char *what);
int lang_want_ref(struct parser *P, const char *what);
int lang_want_arrow_to(struct parser *P, int *src, int *dst, int bcast);
int lang_want_arrow(struct parser *P, int *src, int *dst);
int lang_want_conn(struct parser *P, uint16_t *lport, int *peer, uint16_t *rport);
int lang_lan_reserved(const char *w);
int lang_want_lanref(struct parser *P);
ip4_addr lang_prefix_mask(int prefix);
const char *lang_net_str(char *buf, size_t n, ip4_addr net, int prefix);
int lang_want_addr(struct parser *P, const char *role, ip4_addr *out);
int lang_claim_addr(struct parser *P, const struct tok *a, ip4_addr addr, int h);
struct tok *lang_want_domain(struct parser *P, const char *like, int allow_root);
void lang_domain_copy(char *dst, const char *src);
void lang_zone_key(char *key, size_t n, const char *host, const char *apex);
int lang_want_pattern(struct parser *P, struct scn_match *m, int in_expect);
int lang_colof(const struct parser *P, const struct tok *t);

/* repeat.c: the lines of a file, repeats and their substitutions */
void lang_parse_text(struct parser *P, const char *text, size_t len, size_t pos);
int lang_ctx_id(struct parser *P);
void lang_iter_suffix(const struct parser *P, int ctx, char *buf, size_t n);

/* parse.c: top-level keywords and the public API */
void lang_parse_line(struct parser *P, const char *l, size_t n);
/* a's rare fields, for writing: made (zeroed) the first time */
struct scn_action_more *lang_action_more(struct scn_action *a);
struct scn_action *lang_new_action(struct parser *P);
struct scn_expect *lang_new_expect(struct parser *P);

/* parse_action.c: `at` actions and `fault` */
void lang_kw_at(struct parser *P, struct tok *kw);
void lang_kw_fault(struct parser *P, struct tok *kw);

/* parse_expect.c: `expect` */
int lang_pattern_end(const struct tok *t);
void lang_kw_expect(struct parser *P, struct tok *kw);
/* ... and its readers, for quiz lines: a frame pattern after SRC->DST
 * (`tcp SYN`, `arp who-has ...`); an optional `#N` (0 when absent, 1 when
 * read, -1 after an error); a TCP state name */
int lang_want_xpattern(struct parser *P, struct scn_match *m);
int lang_want_nth(struct parser *P, int *nth, const char *what);
int lang_want_tcp_state(struct parser *P, int *state);

/* parse_quiz.c: `quiz` */
void lang_kw_quiz(struct parser *P, struct tok *kw);

/* check.c: end-of-file checks */
void lang_finish(struct parser *P);

/* expect.c and expect_frames.c: the expect lines, checked record by record
 * as the run appends them (expect.c says how).  One expectation being
 * checked: */
struct xexp {
    const struct scn_expect *e;
    void    *st;                 /* its form's state (expect.c), or NULL */
    char    *fail;               /* what the trace had, for a failure that
                                    was decided before the end */
    int      pat;                /* count, fields: its pattern, and ... */
    int      next;               /* ... a `some` waiting for the same
                                    values: the next one, -1 none
                                    (expect_frames.c) */
    int      pnext;              /* `states ... with PEER`: the next of the
                                    same host and peer (expect.c), -1 none */
    int      twin;               /* an earlier line whose state is this
                                    one's (expect.c), -1 none */
    int      lead;               /* `received`, `messages`, `datagrams`: the
                                    host's first such line, whose count and
                                    head this one reads (expect.c), -1 none */
    uint8_t  done;               /* decided: no later record changes it */
    uint8_t  ok;                 /* when done */
};

/* The frame expectations (count, fields, queries) of a checker. */
struct xframes;

const char *lang_ordinal(long n, char *buf, size_t sz);
/* The frame expectations among x[0..n), on a trace of nhosts hosts; NULL
 * when there are none. */
struct xframes *lang_frames_new(struct xexp *x, int n, int nhosts);
/* A frame a host sent (a TK_SEND that is no network copy). */
void lang_frames_rec(struct xframes *F, struct xexp *x, const struct trace *tr,
                     const struct trace_rec *r);
/* The verdict of frame expectation x at the end of the run, and what the
 * trace had when it fails. */
int lang_frames_result(const struct xframes *F, const struct trace *tr,
                       const struct xexp *x, char *actual, size_t n);
/* Could more frames (of a run cut short) still change x's verdict? */
int lang_frames_open(const struct xframes *F, const struct xexp *x);
void lang_frames_free(struct xframes *F);
/* Does the frame of TK_SEND record r match pattern m, as `count` and `#N`
 * count frames (the caller skips the network's copies)?  For quiz lines. */
int lang_frame_match(const struct scn_match *m, const struct trace *tr,
                     const struct trace_rec *r);
/* "the 2nd SYN,ACK from server to client" */
const char *lang_frame_nth_text(const struct trace *tr, const struct scn_match *m,
                                long nth, char *buf, size_t n);

#endif
