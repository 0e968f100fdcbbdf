/* parse_action.c — `at TIME HOST ACTION ...` lines and `fault` lines. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "wire.h"
#include "langint.h"

static const char PATTERN[] = "abcdefghijklmnopqrstuvwxyz";

/* `at` TIME: DUR, or +DUR after the previous `at` line. */
static int want_time(struct parser *P, int64_t *t_us)
{
    struct tok *t = lang_next(P);
    const char *like = N_("a time like 20ms or +1.5s");
    if (!t || t->type != T_WORD) { lang_dur_error(P, t, NUM_SYNTAX, like); return -1; }
    int rel = t->s[0] == '+';
    int64_t d = 0;
    int rc = lang_parse_dur(t->s + rel, &d);
    if (rc != NUM_OK) { lang_dur_error(P, t, rc, like); return -1; }
    if (rel) {
        if (d > DUR_MAX_US - P->prev_at) {
            struct show sh;
            ERR_AT(P, t, "time %s is too large: it ends after %s", lang_found(&sh, t),
                   DUR_MAX_TEXT);
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
    if (lang_want_uint(P, "a port number", 1, 65535, &v)) return -1;
    *port = (uint16_t)v;
    return 0;
}

/* 1500 bytes of IP packet less the 20-byte IP and 20-byte TCP headers */
#define INJECT_DATA_MAX 1460

static void action_inject(struct parser *P, struct scn_action *a)
{
    struct show sh;
    a->kind = ACT_INJECT;
    if (lang_want_arrow(P, &a->host, &a->peer)) return;
    struct tok *t = lang_next(P);
    if (!lang_is_word(t, "tcp")) {
        ERR_AT(P, t, "expected tcp (only TCP segments can be injected), found %s", lang_found(&sh, t));
        return;
    }
    t = lang_next(P);
    uint8_t fl = 0;
    if (!t || t->type != T_WORD || tcp_flags_parse(t->s, &fl) != 0) {
        ERR_AT(P, t, "expected TCP flags like SYN or SYN,ACK, found %s", lang_found(&sh, t));
        return;
    }
    lang_action_more(a)->seg.flags = fl;
    static const char *const keys[] = { "seq", "ack", "sport", "dport", "spoof", "data" };
    int seen[6] = { 0 };
    while ((t = lang_peek(P)) && t->type == T_WORD) {
        int k = -1;
        for (int i = 0; i < 6; i++)
            if (!strcmp(t->s, keys[i])) k = i;
        if (k < 0) {
            ERR_AT(P, t, "expected seq, ack, sport, dport, spoof, data or an explanation in "
                   "quotes, found %s", lang_found(&sh, t));
            return;
        }
        if (seen[k]) {
            ERR_AT(P, t, "\"%s\" is given twice", keys[k]);
            return;
        }
        seen[k] = 1;
        lang_next(P);
        uint64_t v;
        if (k == 5) {
            /* the segment's text: data arriving in a state that takes
             * none (RFC 9293 3.10.7.4 seventh) needs a segment that
             * carries some, at a sequence number the lesson chooses */
            struct tok *x = lang_next(P);
            if (!x || x->type != T_STRING) {
                ERR_AT(P, x, "expected the segment's data in double quotes after data, "
                       "like: data \"hello\", found %s", lang_found(&sh, x));
                return;
            }
            if (x->len == 0) {
                ERR_AT(P, x, "nothing to send: the string is empty");
                return;
            }
            if (x->len > INJECT_DATA_MAX) {
                ERR_AT(P, x, "an injected segment holds at most %d bytes of data (one "
                       "1500-byte IP packet; the simulator does not fragment), found %zu",
                       INJECT_DATA_MAX, x->len);
                return;
            }
            a->data = (uint8_t *)lang_dup_bytes(x->s, x->len);
            a->data_owned = 1;
            a->len = (uint32_t)x->len;
        } else if (k == 4) {
            /* a forged IP source: the SYN flood's half-open connections
             * wait for an ACK from an address that never sent the SYN */
            if (lang_want_addr(P, "a source address", &lang_action_more(a)->spoof)) return;
        } else if (k <= 1) {
            if (lang_want_uint(P, k == 0 ? "a sequence number" : "an acknowledgment number",
                          0, UINT32_MAX, &v))
                return;
            if (k == 0) lang_action_more(a)->seg.seq = (uint32_t)v;
            else lang_action_more(a)->seg.ack = (uint32_t)v;
        } else {
            struct scn_seg *seg = &lang_action_more(a)->seg;
            if (want_port(P, k == 2 ? &seg->sport : &seg->dport)) return;
        }
    }
    for (int k = 0; k < 4; k++) {
        if (k == 1 || seen[k]) continue;  /* ack and spoof are optional */
        ERR_AT(P, t, "expected \"%s N\" in the inject action, found %s", keys[k], lang_found(&sh, t));
        return;
    }
    if (t) {
        struct tok *x = lang_want_text(P, "an explanation in quotes");
        struct tok *zh = NULL;
        if (!x || lang_want_variant(P, &zh) || lang_want_end(P)) return;
        a->text = lang_pool_str(P, x->s, x->len);
        if (zh) lang_action_more(a)->text_zh = lang_pool_str(P, zh->s, zh->len);
    }
}

/* The data of send, send framed and udp send: "TEXT" (at least one byte) or
 * N bytes of the pattern; after names what precedes it, for messages. */
static int want_payload(struct parser *P, struct scn_action *a, const char *after)
{
    struct show sh;
    struct tok *x = lang_next(P);
    uint64_t n;
    if (x && x->type == T_STRING) {
        if (x->len == 0) {
            ERR_AT(P, x, "nothing to send: the string is empty");
            return -1;
        }
        /* a text without NUL bytes is pooled: a crowd's clients that send
         * the same request share one copy of it */
        if (memchr(x->s, 0, x->len)) {
            a->data = (uint8_t *)lang_dup_bytes(x->s, x->len);
            a->data_owned = 1;
        } else {
            a->data = (uint8_t *)lang_pool_str(P, x->s, x->len);
        }
        a->len = (uint32_t)x->len;       /* a file is at most SCN_FILE_MAX */
        return 0;
    }
    if (!x || x->type != T_WORD || lang_parse_u64(x->s, &n) == NUM_SYNTAX) {
        ERR_AT(P, x, "expected text in double quotes or N bytes after %s, found %s", after,
               lang_found(&sh, x));
        return -1;
    }
    P->ti--;
    if (lang_want_uint(P, "a byte count", 1, BYTES_MAX, &n)) return -1;
    struct tok *b = lang_next(P);
    if (!lang_is_word(b, "bytes") && !lang_is_word(b, "byte")) {
        ERR_AT(P, b, "expected \"bytes\" after the number, found %s", lang_found(&sh, b));
        return -1;
    }
    if (P->send_total + n > SEND_TOTAL_MAX) {
        ERR_AT(P, x, "the scenario sends more than 64 MiB of generated bytes in total");
        return -1;
    }
    P->send_total += n;
    a->data = xmalloc((size_t)n);
    a->data_owned = 1;
    for (uint64_t i = 0; i < n; i++) a->data[i] = (uint8_t)PATTERN[i % 26];
    a->len = (uint32_t)n;
    return 0;
}

/* `recv N [bytes]` (the count already due) and `udp recv N [bytes]`. */
static int want_recv_count(struct parser *P, uint32_t *out)
{
    uint64_t n;
    if (lang_want_uint(P, "a byte count", 1, BYTES_MAX, &n)) return -1;
    *out = (uint32_t)n;
    if (lang_is_word(lang_peek(P), "bytes") || lang_is_word(lang_peek(P), "byte")) lang_next(P);
    return 0;
}

/* The end of a TCP call's line: which connection, if it names one. */
static void want_conn_end(struct parser *P, struct scn_action *a)
{
    if (!lang_peek(P)) return;
    a->named = 1;
    lang_want_conn(P, &a->on_lport, &a->with_peer, &a->with_rport);
}

/* HOST udp bind PORT | udp send PEER PORT DATA [from PORT] | udp recv N */
static void act_udp(struct parser *P, struct scn_action *a, const struct tok *h)
{
    struct show sh;
    struct tok *v = lang_next(P);
    if (lang_is_word(v, "bind")) {
        a->kind = ACT_UDP_BIND;
        if (want_port(P, &a->port)) return;
        lang_want_end(P);
    } else if (lang_is_word(v, "send")) {
        a->kind = ACT_UDP_SEND;
        struct tok *pt = lang_peek(P);
        ip4_addr lit;
        if (pt && pt->type == T_WORD && ip4_parse(pt->s, &lit) == 0) {
            /* an address no host may have: the lesson of an ARP request
             * nobody answers */
            lang_next(P);
            a->peer = -1;
            lang_action_more(a)->peer_addr = lit;
            lang_action_more(a)->peer_col = lang_colof(P, pt);
        } else if ((a->peer = lang_want_ref(P, "the host to send to")) < 0) {
            return;
        }
        if (a->peer >= 0 && !strcmp(pt->s, h->s)) {
            ERR_AT(P, pt, "a host cannot send to itself in the simulator");
            return;
        }
        if (want_port(P, &a->port)) return;
        struct tok *x = lang_peek(P);
        if (want_payload(P, a, "the port")) return;
        if (a->len > UDP_DATA_MAX) {
            ERR_AT(P, x, "a UDP datagram holds at most %d bytes (the simulator does not "
                   "fragment IP packets), found %zu", UDP_DATA_MAX, (size_t)a->len);
            return;
        }
        if (lang_is_word(lang_peek(P), "from")) {
            lang_next(P);
            if (want_port(P, &a->lport)) return;
        }
        lang_want_end(P);
    } else if (lang_is_word(v, "recv")) {
        a->kind = ACT_UDP_RECV;
        if (!want_recv_count(P, &a->recv_max)) lang_want_end(P);
    } else if (v && v->type == T_WORD) {
        ERR_AT(P, v, "unknown udp action %s; expected one of: bind, send, recv", lang_found(&sh, v));
    } else {
        ERR_AT(P, v, "expected bind, send or recv after udp, found %s", lang_found(&sh, v));
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
            lang_perr_at(P, P->line, lang_col_in(P, t, i),
                    "a path holds printable ASCII only (write other bytes as %%XX)");
            return -1;
        }
    }
    return 0;
}

/* HOST http serve PORT ["BODY"] | http get NAME [PATH] [port N] */
static void act_http(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    struct show sh;
    struct tok *v = lang_next(P);
    if (lang_is_word(v, "serve")) {
        a->kind = ACT_HTTP_SERVE;
        if (want_port(P, &a->port)) return;
        if (!lang_peek(P)) return;
        struct tok *x = lang_want_text(P, "the page body in double quotes");
        if (!x || lang_want_end(P)) return;
        a->text = lang_pool_str(P, x->s, x->len);
    } else if (lang_is_word(v, "get")) {
        a->kind = ACT_HTTP_GET;
        a->port = 80;
        struct tok *d = lang_want_domain(P, "a domain name like www.example.com or an address like "
                                    "203.0.113.80", 0);
        if (!d) return;
        const struct tok *path = NULL;
        int seen_port = 0;
        struct tok *t;
        while ((t = lang_next(P))) {
            if (lang_is_word(t, "port")) {
                if (seen_port) {
                    ERR_AT(P, t, "\"port\" is given twice");
                    return;
                }
                seen_port = 1;
                if (want_port(P, &a->port)) return;
            } else if (path) {
                ERR_AT(P, t, "expected \"port N\" or end of line, found %s", lang_found(&sh, t));
                return;
            } else if (t->type == T_WORD && t->s[0] == '/') {
                if (path_check(P, t)) return;
                path = t;
            } else {
                ERR_AT(P, t, "expected a path starting with \"/\", like /index.html, found %s",
                       lang_found(&sh, t));
                return;
            }
        }
        a->text = lang_pool_str(P, d->s, d->len);
        if (path) lang_action_more(a)->path = lang_pool_str(P, path->s, path->len);
    } else if (v && v->type == T_WORD) {
        ERR_AT(P, v, "unknown http action %s; expected one of: serve, get", lang_found(&sh, v));
    } else {
        ERR_AT(P, v, "expected serve or get after http, found %s", lang_found(&sh, v));
    }
}

/* HOST nginx serve PORT pass UPSTREAM PORT [deny ADDRESS] */
static void act_nginx(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    struct show sh;
    struct tok *v = lang_next(P);
    if (!lang_is_word(v, "serve")) {
        ERR_AT(P, v, "expected serve after nginx, found %s", lang_found(&sh, v));
        return;
    }
    if (want_port(P, &a->port)) return;
    struct tok *p = lang_next(P);
    if (!lang_is_word(p, "pass")) {
        ERR_AT(P, p, "expected \"pass UPSTREAM PORT\" (the uWSGI server), found %s",
               lang_found(&sh, p));
        return;
    }
    if ((a->peer = lang_want_ref(P, "the uWSGI server's host")) < 0) return;
    if (want_port(P, &lang_action_more(a)->up_port)) return;
    if (lang_is_word(lang_peek(P), "deny")) {
        lang_next(P);
        ip4_addr *deny = &lang_action_more(a)->deny;
        if (lang_want_addr(P, "a client's address to refuse", deny)) return;
    }
    lang_want_end(P);
}

/* HOST uwsgi serve PORT ["BODY"] */
static void act_uwsgi(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    struct show sh;
    struct tok *v = lang_next(P);
    if (!lang_is_word(v, "serve")) {
        ERR_AT(P, v, "expected serve after uwsgi, found %s", lang_found(&sh, v));
        return;
    }
    if (want_port(P, &a->port)) return;
    if (!lang_peek(P)) return;
    struct tok *x = lang_want_text(P, "the page body in double quotes");
    if (!x || lang_want_end(P)) return;
    a->text = lang_pool_str(P, x->s, x->len);
}

/* The readers of the rest of an `at T HOST VERB` line, one per shape of
 * SCN_ACTIONS; the kind is already set to the verb's. */
static void act_listen(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    if (want_port(P, &a->port)) return;
    if (lang_is_word(lang_peek(P), "backlog")) {
        lang_next(P);
        uint64_t v;
        if (lang_want_uint(P, "a backlog", 1, 65535, &v)) return;
        lang_action_more(a)->backlog = (int)v;
    }
    lang_want_end(P);
}

static void act_port(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    if (want_port(P, &a->port)) return;
    lang_want_end(P);
}

static void act_connect(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    /* A host may connect to itself: frames to its own address are delivered
     * locally (RFC 1122 3.3.4.2 loopback), and a socket connecting to its own
     * port is a simultaneous open with itself (RFC 9293 3.10.7.3). */
    if ((a->peer = lang_want_ref(P, "the host to connect to")) < 0) return;
    if (want_port(P, &a->port)) return;
    if (lang_is_word(lang_peek(P), "from")) {
        lang_next(P);
        if (want_port(P, &a->lport)) return;
    }
    lang_want_end(P);
}

static void act_send(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    if (lang_is_word(lang_peek(P), "framed")) {
        lang_next(P);
        a->framed = 1;
    }
    if (want_payload(P, a, a->framed ? "send framed" : "send")) return;
    want_conn_end(P, a);
}

static void act_recv(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    if (lang_is_word(lang_peek(P), "framed")) {
        lang_next(P);
        a->kind = ACT_RECV_FRAMED;
        a->recv_max = RECV_FRAMED_DEFAULT;
        if (!lang_peek(P)) return;
        if (!want_recv_count(P, &a->recv_max)) lang_want_end(P);
        return;
    }
    if (!want_recv_count(P, &a->recv_max)) want_conn_end(P, a);
}

/* shutdown, close, abort */
static void act_none(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    want_conn_end(P, a);
}

/* socket [tcp|udp] */
static void act_socket(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    struct tok *t = lang_peek(P);
    if (lang_is_word(t, "udp") || lang_is_word(t, "tcp")) {
        lang_action_more(a)->sock_udp = lang_is_word(t, "udp");
        lang_next(P);
    } else if (t && t->type == T_WORD) {
        /* `socket icmp`: a socket of another kind, not a stray word */
        struct show sh;
        ERR_AT(P, t, "expected tcp, udp or end of line after socket, found %s",
               lang_found(&sh, t));
        return;
    }
    lang_want_end(P);
}

/* `... line N` at the end of a host's action ties the call to line N of
 * the host's program (the code pane); the two words are taken off the
 * line before the action reads it.  Returns -1 after an error. */
static int take_code_line(struct parser *P, struct scn_action *a)
{
    struct tok *last = P->ntok > 0 ? &P->toks[P->ntok - 1] : NULL;
    if (P->ntok - 1 >= P->ti + 2 && lang_is_word(last, "line")) {
        struct show sh;
        ERR_AT(P, NULL, "expected a code line number after \"line\", found %s",
               lang_found(&sh, NULL));
        return -1;
    }
    if (P->ntok - 2 < P->ti + 2 || !lang_is_word(&P->toks[P->ntok - 2], "line"))
        return 0;
    int save = P->ti;
    uint64_t v;
    P->ti = P->ntok - 1;
    lang_action_more(a)->code_col = P->toks[P->ti].col;
    int bad = lang_want_uint(P, "a code line number", 1, 65535, &v);
    P->ti = save;
    if (bad) return -1;
    lang_action_more(a)->code_line = (int)v;
    P->ntok -= 2;
    return 0;
}

static void act_resolve(struct parser *P, struct scn_action *a, const struct tok *h)
{
    (void)h;
    struct tok *d = lang_want_domain(P, "a domain name like www.example.com", 0);
    if (!d || lang_want_end(P)) return;
    a->text = lang_pool_str(P, d->s, d->len);
}

static const struct verb {
    const char *word;
    int kind;               /* enum scn_action_kind */
    void (*read)(struct parser *P, struct scn_action *a, const struct tok *h);
} verbs[] = {
#define VERB(id, word, shape) { word, ACT_##id, act_##shape },
#define KIND(id)
    SCN_ACTIONS(VERB, KIND)
#undef VERB
};

/* The verbs as the text of messages, each after ", " (skip the first two). */
#define VERB(id, word, shape) ", " word
static const char verb_list[] = SCN_ACTIONS(VERB, KIND);
#undef VERB
#undef KIND

void lang_kw_at(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    int64_t t_us;
    if (want_time(P, &t_us)) return;
    struct tok *h = lang_peek(P);
    if (!h || h->type != T_WORD) {
        ERR_AT(P, h, "expected a host name, note, chapter or inject, found %s", lang_found(&sh, h));
        return;
    }
    if (lang_is_word(h, "chapter")) {
        /* not an action: the model never sees it (ui/chapters.h reads it) */
        lang_next(P);
        struct tok *x = lang_want_text(P, "the chapter's title in double quotes");
        struct tok *zh = NULL;
        if (!x || lang_want_variant(P, &zh) || lang_want_end(P)) return;
        /* the card, the title bar and the --batch heading show it */
        if (x->len == 0 || (zh && zh->len == 0)) {
            ERR_AT(P, x->len == 0 ? x : zh, "a chapter needs a title: the text is empty");
            return;
        }
        struct scenario *s = P->s;
        s->chapters = lang_grow_arr(s->chapters, &P->capchapters, s->nchapters,
                                    sizeof *s->chapters);
        P->chapctx = lang_grow_arr(P->chapctx, &P->capchapctx, s->nchapters,
                                   sizeof *P->chapctx);
        P->chapctx[s->nchapters] = lang_ctx_id(P);
        struct scn_chapter *c = &s->chapters[s->nchapters++];
        c->t_us = t_us;
        c->text = lang_dup_bytes(x->s, x->len);
        c->text_zh = zh ? lang_dup_bytes(zh->s, zh->len) : NULL;
        c->line = P->line;
        c->col = h->col;
        return;
    }
    struct scn_action *a = lang_new_action(P);
    a->t_us = t_us;
    a->col = h->col;
    int ok = 0;
    /* The action is kept only when the whole line parsed: on error the
     * parser drops it again (and frees what it owns). */
    if (lang_is_word(h, "note")) {
        lang_next(P);
        a->kind = ACT_NOTE;
        struct tok *x = lang_want_text(P, "the note text in double quotes");
        struct tok *zh = NULL;
        if (x && !lang_want_variant(P, &zh) && !lang_want_end(P)) {
            a->text = lang_pool_str(P, x->s, x->len);
            if (zh) lang_action_more(a)->text_zh = lang_pool_str(P, zh->s, zh->len);
            ok = 1;
        }
    } else if (lang_is_word(h, "inject")) {
        lang_next(P);
        int before = P->nerr;
        action_inject(P, a);
        ok = P->nerr == before;
    } else {
        int before = P->nerr;
        if (take_code_line(P, a)) {
            scn_action_clear(a);
            P->s->nactions--;
            return;
        }
        a->host = lang_want_ref(P, "a host name");
        struct tok *v = lang_next(P);
        int k = -1;
        for (int i = 0; i < (int)(sizeof verbs / sizeof verbs[0]); i++)
            if (lang_is_word(v, verbs[i].word)) k = i;
        if (a->host < 0) {
            /* reported */
        } else if (k < 0) {
            ERR_AT(P, v, "unknown action %s; expected one of: %s", lang_found(&sh, v), verb_list + 2);
        } else {
            a->kind = verbs[k].kind;
            verbs[k].read(P, a, h);
        }
        ok = P->nerr == before;
    }
    if (!ok) {
        scn_action_clear(a);
        P->s->nactions--;
    }
}

void lang_kw_fault(struct parser *P, struct tok *kw)
{
    struct show sh;
    struct tok *k = lang_next(P);
    struct scn_fault F;
    memset(&F, 0, sizeof F);
    F.line = P->line;
    F.col = kw->col;
    if (lang_is_word(k, "drop"))           F.kind = FAULT_DROP;
    else if (lang_is_word(k, "delay"))     F.kind = FAULT_DELAY;
    else if (lang_is_word(k, "duplicate")) F.kind = FAULT_DUP;
    else {
        ERR_AT(P, k, "unknown fault %s; expected one of: drop, delay, duplicate", lang_found(&sh, k));
        return;
    }
    if (lang_want_arrow(P, &F.m.src, &F.m.dst)) return;
    if (lang_want_pattern(P, &F.m, 0)) return;
    struct tok *n = lang_next(P);
    uint64_t v = 0;
    if (!n || n->type != T_WORD || n->s[0] != '#' || lang_parse_u64(n->s + 1, &v) != NUM_OK ||
        v < 1 || v > INT_MAX) {
        ERR_AT(P, n, "expected a frame number like #1 (the Nth matching frame), found %s",
               lang_found(&sh, n));
        return;
    }
    F.nth = (int)v;
    struct tok *by = lang_peek(P);
    if (F.kind == FAULT_DELAY) {
        if (!lang_is_word(by, "by")) {
            ERR_AT(P, by, "expected \"by\" and a duration, like: by 5s, found %s", lang_found(&sh, by));
            return;
        }
        lang_next(P);
        if (lang_want_dur(P, &F.by_us)) return;
    } else if (lang_is_word(by, "by")) {
        ERR_AT(P, by, "\"by DURATION\" only applies to fault delay");
        return;
    }
    if (lang_want_end(P)) return;
    struct scenario *s = P->s;
    s->faults = lang_grow_arr(s->faults, &P->capfaults, s->nfaults, sizeof *s->faults);
    s->faults[s->nfaults++] = F;
}
