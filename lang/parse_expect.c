/* parse_expect.c — `expect` lines: frames and their fields, states,
 * timers, call results, DNS answers and delivered data. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "alloc.h"
#include "arp.h"
#include "dns.h"
#include "tcp.h"
#include "wire.h"
#include "langint.h"

/* A state name from one layer's table: TCP's or ARP's. */
static int want_state_of(struct parser *P, int *state, const char *layer,
                         const char *an, int nstates,
                         int (*parse)(const char *), const char *(*name)(int))
{
    struct tok *t = lang_next(P);
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
        ERR_AT(P, t, "unknown %s state %s; expected one of: %s", layer, lang_found(&sh, t), list);
    else
        ERR_AT(P, t, "expected %s %s state (one of: %s), found %s", an, layer, list,
               lang_found(&sh, t));
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
                   "found %s", lang_found(&sh, t));
            return -1;
        }
    }
    e->msgs = xcalloc((size_t)n, sizeof *e->msgs);
    e->msg_lens = xcalloc((size_t)n, sizeof *e->msg_lens);
    struct tok *t;
    while ((t = lang_next(P))) {
        e->msgs[e->nmsgs] = (uint8_t *)lang_dup_bytes(t->s, t->len);
        e->msg_lens[e->nmsgs++] = t->len;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Expectations that state what the RFCs state: frame fields, state
 * histories, timers and call results                                       */

/* Ends a frame pattern in an expectation: `count`, or the frames to check. */
int lang_pattern_end(const struct tok *t)
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
    if (m->top == TL_ARP) return "who-has, is-at, request or reply";
    if (m->top == TL_DNS) return "query, response, aa, not aa, rcode, qname or len";
    if (m->proto == IPPROTO_TCP_NUM) return "seq, ack, len, window or flags";
    return "len";
}

static const char *pattern_proto(const struct scn_match *m)
{
    if (m->top != TL_NONE) return trace_layer_name(m->top);
    return m->proto == IPPROTO_TCP_NUM ? "tcp" : m->proto == IPPROTO_UDP_NUM ? "udp" : "any";
}

static int field_applies(const struct scn_match *m, int k)
{
    switch (k) {
    case SF_SEQ: case SF_ACK: case SF_WINDOW: case SF_FLAGS:
        return m->top == TL_NONE && m->proto == IPPROTO_TCP_NUM;
    case SF_LEN:
        return m->top != TL_ARP;
    case SF_ARP_OP:
        return m->top == TL_ARP;
    default:
        return m->top == TL_DNS;
    }
}

/* One FIELD [VALUE] at the cursor, for pattern m.  Returns 1 when read into
 * *f (a qname into *qname, in the scenario's arena), 0 when the word is not
 * a field (nothing consumed),
 * -1 after an error.  `what` says what else could come, for messages. */
static int want_field(struct parser *P, const struct scn_match *m, struct scn_field *f,
                      const char **qname, const char *what)
{
    struct show sh;
    struct tok *t = lang_peek(P);
    uint32_t v;
    int k = t && t->type == T_WORD ? field_of(t->s, &v) : -1;
    if (k < 0) return 0;
    lang_next(P);
    if (!field_applies(m, k)) {
        ERR_AT(P, t, "%s is not a field of %s frames; expected %s%s", lang_found(&sh, t),
               pattern_proto(m), fields_of(m), what);
        return -1;
    }
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)k;
    f->value = v;
    uint64_t n;
    switch (k) {
    case SF_SEQ: case SF_ACK:
        if (lang_is_word(lang_peek(P), "rel")) { lang_next(P); f->rel = 1; }
        if (lang_want_uint(P, f->rel ? "a relative sequence number" : "a sequence number",
                      0, UINT32_MAX, &n)) return -1;
        f->value = (uint32_t)n;
        break;
    case SF_LEN: case SF_WINDOW:
        if (lang_want_uint(P, k == SF_LEN ? "a length" : "a window", 0, 65535, &n)) return -1;
        f->value = (uint32_t)n;
        break;
    case SF_FLAGS: {
        struct tok *x = lang_next(P);
        uint8_t fl;
        if (!x || x->type != T_WORD || tcp_flags_parse(x->s, &fl)) {
            ERR_AT(P, x, "expected TCP flags like SYN or SYN,ACK, found %s", lang_found(&sh, x));
            return -1;
        }
        f->value = fl;
        break;
    }
    case SF_ARP_OP: {
        /* who-has ADDR: the address asked about; ADDR is-at: the one answered */
        struct tok *x = lang_peek(P);
        ip4_addr a;
        if (x && x->type == T_WORD && ip4_parse(x->s, &a) == 0) {
            lang_next(P);
            f->addr = a;
        }
        break;
    }
    case SF_DNS_AA:
        if (!v && !lang_is_word(lang_next(P), "aa")) {
            ERR_AT(P, t, "expected \"not aa\" (not authoritative)");
            return -1;
        }
        break;
    case SF_DNS_RCODE: {
        struct tok *x = lang_next(P);
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
               "REFUSED), found %s", lang_found(&sh, x));
        return -1;
    }
    case SF_DNS_QNAME: {
        struct tok *d = lang_want_domain(P, "a domain name like www.example.com", 1);
        if (!d) return -1;
        char name[DNS_NAME_BUF];
        lang_domain_copy(name, d->s);
        *qname = lang_arena_str(P, name, strlen(name));
        break;
    }
    }
    return 1;
}

/* Appends field f to list (n entries), refusing a field given twice. */
static int add_field(struct parser *P, const struct tok *at, struct scn_field **listp, int *n,
                     const struct scn_field *f)
{
    if (!*listp)
        *listp = lang_arena_zalloc(P, SCN_MAX_FIELDS * sizeof **listp);
    struct scn_field *list = *listp;
    for (int i = 0; i < *n; i++)
        if (list[i].kind == f->kind) {
            struct show sh;
            ERR_AT(P, at, "%s is given twice", lang_found(&sh, at));
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
    struct tok *t = lang_peek(P);
    if (lang_is_word(t, "arp") || lang_is_word(t, "dns")) {
        lang_next(P);
        m->any_flags = 1;
        m->top = lang_is_word(t, "arp") ? TL_ARP : TL_DNS;
        m->proto = m->top == TL_DNS ? IPPROTO_UDP_NUM : 0;
        while (!lang_pattern_end(lang_peek(P))) {
            struct tok *w = lang_peek(P);
            struct scn_field f;
            int rc = want_field(P, m, &f, &m->qname, ", count N, or a frame number like #1");
            if (rc < 0) return -1;
            if (rc == 0) {
                ERR_AT(P, w, "expected %s, count N, or a frame number like #1, found %s",
                       fields_of(m), lang_found(&sh, w));
                return -1;
            }
            if (add_field(P, w, &m->filters, &m->nfilters, &f)) return -1;
        }
        return 0;
    }
    if (!lang_is_word(t, "tcp") && !lang_is_word(t, "udp") && !lang_is_word(t, "any")) {
        lang_next(P);
        ERR_AT(P, t, "expected a protocol (tcp, udp, any, arp or dns), found %s", lang_found(&sh, t));
        return -1;
    }
    return lang_want_pattern(P, m, 1);
}

/* The application call an `expect HOST CALL` line names: one of the socket
 * calls of the trace's APP_CALLS, or -1. */
static int call_of(const char *w)
{
    static const struct { const char *name; int id; } calls[] = {
#define CALL(id, name) { name, AC_##id },
        APP_SOCKET_CALLS(CALL)
#undef CALL
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (!strcmp(w, calls[i].name)) return calls[i].id;
    return -1;
}

/* `#N` at the cursor: 1 read into *nth, 0 absent, -1 bad. */
static int want_nth(struct parser *P, int *nth, const char *what)
{
    struct tok *n = lang_peek(P);
    if (!n || n->type != T_WORD || n->s[0] != '#') return 0;
    lang_next(P);
    uint64_t v = 0;
    if (lang_parse_u64(n->s + 1, &v) != NUM_OK || v < 1 || v > INT_MAX) {
        struct show sh;
        ERR_AT(P, n, "expected %s like #1, found %s", what, lang_found(&sh, n));
        return -1;
    }
    *nth = (int)v;
    return 1;
}

/* The same readers for `quiz ... answer` (parse_quiz.c). */
int lang_want_xpattern(struct parser *P, struct scn_match *m)
{
    return want_xpattern(P, m);
}

int lang_want_nth(struct parser *P, int *nth, const char *what)
{
    return want_nth(P, nth, what);
}

int lang_want_tcp_state(struct parser *P, int *state)
{
    return want_state(P, state);
}

/* SRC->DST PATTERN then `count N`, or `#N|every|some FIELD VALUE ...`. */
static void expect_frames(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    if (lang_want_arrow_to(P, &e->m.src, &e->m.dst, 1)) return;
    e->host = e->m.src;
    if (want_xpattern(P, &e->m)) return;
    struct tok *c = lang_peek(P);
    if (lang_is_word(c, "count")) {
        uint64_t n;
        lang_next(P);
        e->kind = EXP_COUNT;
        if (lang_want_uint(P, "a frame count", 0, 1000000000, &n) || lang_want_end(P)) return;
        e->count = (long)n;
        return;
    }
    e->kind = EXP_FIELDS;
    int rc = want_nth(P, &e->nth, "a frame number");
    if (rc < 0) return;
    if (rc) e->pick = PICK_NTH;
    else if (lang_is_word(c, "every")) { lang_next(P); e->pick = PICK_EVERY; }
    else if (lang_is_word(c, "some"))  { lang_next(P); e->pick = PICK_SOME; }
    else {
        ERR_AT(P, c, "expected \"count N\" or the frames to check (#N, every or some) after "
               "the frame pattern, found %s", lang_found(&sh, c));
        return;
    }
    for (;;) {
        struct tok *w = lang_peek(P);
        if (!w && e->nfields) return;
        struct scn_field f;
        int r = want_field(P, &e->m, &f, &e->qname, "");
        if (r < 0) return;
        if (r == 0) {
            ERR_AT(P, w, "expected a field to check (%s), found %s", fields_of(&e->m),
                   lang_found(&sh, w));
            return;
        }
        if (add_field(P, w, &e->fields, &e->nfields, &f)) return;
    }
}

/* HOST states S S ... [on port P] [with PEER [port P]] */
static void exp_states(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    uint8_t states[SCN_MAX_STATES];
    int n = 0;
    e->kind = EXP_STATES;
    while (lang_peek(P) && !lang_is_word(lang_peek(P), "on") && !lang_is_word(lang_peek(P), "with")) {
        struct tok *t = lang_peek(P);
        int st;
        if (want_state(P, &st)) return;
        if (n >= SCN_MAX_STATES) {
            ERR_AT(P, t, "at most %d states in a history", SCN_MAX_STATES);
            return;
        }
        states[n++] = (uint8_t)st;
    }
    if (!n) {
        ERR_AT(P, lang_peek(P), "expected the states in order, like: states LISTEN SYN_RECEIVED "
               "ESTABLISHED, found %s", lang_found(&sh, lang_peek(P)));
        return;
    }
    /* the history's own length in the arena, not room for the longest:
     * a crowd may have a line per client */
    e->states = lang_arena_zalloc(P, (size_t)n);
    memcpy(e->states, states, (size_t)n);
    e->nstates = n;
    lang_want_conn(P, &e->lport, &e->peer, &e->rport);
}

/* HOST timer NAME started|restarted|stopped|expired [count N | by T | at T] */
static void exp_timer(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    static const char *const events[] = { "started", "restarted", "stopped", "expired" };
    e->kind = EXP_TIMER;
    struct tok *t = lang_next(P);
    e->timer = -1;
    for (int i = 0; t && t->type == T_WORD && i < TM_COUNT; i++)
        if (!strcasecmp(t->s, timer_name_str(i))) e->timer = i;
    if (e->timer < 0) {
        char list[128] = "";
        for (int i = 0; i < TM_COUNT; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     timer_name_str(i));
        ERR_AT(P, t, "expected a timer (one of: %s), found %s", list, lang_found(&sh, t));
        return;
    }
    struct tok *v = lang_next(P);
    e->tevent = -1;
    for (int i = 0; v && i < 4; i++)
        if (lang_is_word(v, events[i])) e->tevent = i;
    if (e->tevent < 0) {
        ERR_AT(P, v, "expected started, restarted, stopped or expired, found %s", lang_found(&sh, v));
        return;
    }
    struct tok *w = lang_next(P);
    uint64_t n;
    if (!w) { e->twhen = WHEN_ANY; return; }
    if (lang_is_word(w, "count")) {
        e->twhen = WHEN_COUNT;
        if (lang_want_uint(P, "a count", 0, 1000000000, &n)) return;
        e->count = (long)n;
    } else if (lang_is_word(w, "by") || lang_is_word(w, "at")) {
        e->twhen = lang_is_word(w, "by") ? WHEN_BY : WHEN_AT;
        if (lang_want_dur(P, &e->t_us)) return;
    } else {
        ERR_AT(P, w, "expected \"count N\", \"by TIME\", \"at TIME\" or end of line, found %s",
               lang_found(&sh, w));
        return;
    }
    lang_want_end(P);
}

/* HOST CALL [#N] succeeded | error "TEXT" */
static void expect_call(struct parser *P, struct scn_expect *e, int call)
{
    struct show sh;
    e->kind = EXP_CALL;
    e->call = call;
    if (want_nth(P, &e->nth, "a call number") < 0) return;
    struct tok *v = lang_next(P);
    if (lang_is_word(v, "succeeded")) {
        e->err = 0;
        lang_want_end(P);
        return;
    }
    if (!lang_is_word(v, "error")) {
        ERR_AT(P, v, "expected succeeded or error \"TEXT\" after the call, found %s",
               lang_found(&sh, v));
        return;
    }
    struct tok *x = lang_next(P);
    char list[512] = "";
    for (int i = 1; i < TCPE_COUNT; i++) {
        if (x && x->type == T_STRING && !strcmp(x->s, tcp_err_str(-i))) {
            e->err = -i;
            lang_want_end(P);
            return;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i > 1 ? ", " : "",
                 tcp_err_str(-i));
    }
    if (x && x->type == T_STRING)
        ERR_AT(P, x, "unknown error %s; expected one of: %s", lang_show_slice(&sh, x->s, x->len),
               list);
    else
        ERR_AT(P, x, "expected the error in double quotes (one of: %s), found %s", list,
               lang_found(&sh, x));
}

/* The end of a state expectation: `by TIME` (*at = 0) or `at TIME` (1),
 * into *t_us; 0, or -1 after an error. */
static int want_by_at(struct parser *P, int *at, int64_t *t_us)
{
    struct show sh;
    struct tok *w = lang_next(P);
    if (lang_is_word(w, "by")) *at = 0;
    else if (lang_is_word(w, "at")) *at = 1;
    else {
        ERR_AT(P, w, "expected \"by TIME\" or \"at TIME\" after the state, found %s",
               lang_found(&sh, w));
        return -1;
    }
    if (lang_want_dur(P, t_us)) return -1;
    return lang_want_end(P);
}

/* The readers of the rest of an `expect HOST WORD` line, one per shape of
 * SCN_EXPECT_FORMS; the kind is already set to the form's. */
static void exp_state(struct parser *P, struct scn_expect *e)
{
    int at;
    if (want_state(P, &e->state) || want_by_at(P, &at, &e->t_us)) return;
    e->kind = at ? EXP_STATE_AT : EXP_STATE_BY;
}

static void exp_never(struct parser *P, struct scn_expect *e)
{
    if (want_state(P, &e->state)) return;
    lang_want_end(P);
}

static void exp_received(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    struct tok *x = lang_next(P);
    if (!x || x->type != T_STRING) {
        ERR_AT(P, x, "expected the received text in double quotes, found %s", lang_found(&sh, x));
        return;
    }
    if (lang_want_end(P)) return;
    e->data = (uint8_t *)lang_dup_bytes(x->s, x->len);
    e->len = x->len;
}

static void exp_arp(struct parser *P, struct scn_expect *e)
{
    if (lang_want_addr(P, NULL, &e->addr) || want_arp_state(P, &e->state)) return;
    want_by_at(P, &e->when, &e->t_us);
}

static void exp_resolved(struct parser *P, struct scn_expect *e)
{
    struct show sh;
    struct tok *d = lang_want_domain(P, "a domain name like www.example.com", 0);
    if (!d) return;
    struct tok *x = lang_next(P);
    if (lang_is_word(x, "NXDOMAIN")) e->rcode = DNS_RCODE_NXDOMAIN;
    else if (lang_is_word(x, "SERVFAIL")) e->rcode = DNS_RCODE_SERVFAIL;
    else if (lang_is_word(x, "FAILED")) e->rcode = -1;
    else if (x && x->type == T_WORD && ip4_parse(x->s, &e->addr) == 0) e->rcode = DNS_RCODE_NOERROR;
    else {
        ERR_AT(P, x, "expected an IPv4 address, NXDOMAIN, SERVFAIL or FAILED after the name, "
               "found %s", lang_found(&sh, x));
        return;
    }
    if (lang_want_end(P)) return;
    /* stored absolute: "www.example.com." */
    char abs[DNS_NAME_BUF + 1];
    lang_domain_copy(abs, d->s);
    size_t n = strlen(abs);
    abs[n] = '.';
    e->name = lang_dup_bytes(abs, n + 1);
}

static void exp_messages(struct parser *P, struct scn_expect *e)
{
    want_messages(P, e);
}

static void exp_count(struct parser *P, struct scn_expect *e)
{
    int reads = e->kind == EXP_READS;
    uint64_t n;
    if (lang_want_uint(P, reads ? "a read count" : "a query count", 0, 1000000000, &n) ||
        lang_want_end(P))
        return;
    e->count = (long)n;
}

static const struct form {
    const char *word;
    int kind;               /* enum scn_expect_kind */
    void (*read)(struct parser *P, struct scn_expect *e);
} forms[] = {
#define FORM(word, id, shape) { word, EXP_##id, exp_##shape },
    SCN_EXPECT_FORMS(FORM)
#undef FORM
};

/* The forms and then the calls as the text of messages, each after ", "
 * (skip the first two). */
#define FORM(word, id, shape) ", " word
#define CALL(id, name) ", " name
static const char form_list[] = SCN_EXPECT_FORMS(FORM) APP_SOCKET_CALLS(CALL);
#undef FORM
#undef CALL

void lang_kw_expect(struct parser *P, struct tok *kw)
{
    struct show sh;
    struct tok *t1 = lang_peek(P);
    if (!t1) {
        ERR_AT(P, t1, "expected a host name or SRC->DST after expect, found end of line");
        return;
    }
    struct tok *t2 = P->ti + 1 < P->ntok ? &P->toks[P->ti + 1] : NULL;
    struct scn_expect *e = lang_new_expect(P);
    e->col = kw->col;
    int before = P->nerr;
    if (t1->type == T_WORD &&
        (strstr(t1->s, "->") || (t2 && t2->type == T_WORD && !strncmp(t2->s, "->", 2)))) {
        expect_frames(P, e);
        goto out;
    }
    if ((e->host = lang_want_ref(P, "a host name or SRC->DST")) < 0) goto out;
    struct tok *v = lang_next(P);
    int k = -1;
    for (int i = 0; i < (int)(sizeof forms / sizeof forms[0]); i++)
        if (lang_is_word(v, forms[i].word)) k = i;
    if (k >= 0) {
        e->kind = forms[k].kind;
        forms[k].read(P, e);
    } else if (v && v->type == T_WORD && call_of(v->s) >= 0) {
        expect_call(P, e, call_of(v->s));
    } else {
        ERR_AT(P, v, "unknown expectation %s; expected one of: %s"
               " (or SRC->DST PATTERN count N, or SRC->DST PATTERN #N FIELD VALUE)",
               lang_found(&sh, v), form_list + 2);
    }
out:
    if (P->nerr == before) {
        /* the expectation as written, without `expect` and the comment */
        const struct tok *last = &P->toks[P->ntok - 1];
        e->src_text = lang_arena_str(P, t1->raw, (size_t)(last->raw + last->rawlen - t1->raw));
    } else {
        scn_expect_clear(e);
        P->s->nexpects--;
    }
}
