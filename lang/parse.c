/* parse.c — the scenario language: the keywords that build hosts, LANs,
 * links, DNS data and TCP options, and the public scenario_parse/_load. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "utf8.h"
#include "dns.h"
#include "wire.h"
#include "langint.h"
#include "sim.h"

/* `tcp isn`, then scenario.h's settings table */
static const struct tcp_setting {
    const char *name;
    int         kind;       /* enum scn_setting_kind */
    int64_t     lo, hi;
    const char *what;
} tcp_settings[TO_COUNT] = {
    [TO_ISN] = { "isn", -1, 0, UINT32_MAX, "an initial sequence number" },
#define SCN_TCP_ROW(id, kw, field, type, kind, lo_, hi_, def, what_) \
    [TO_##id] = { kw, kind, lo_, hi_, what_ },
    SCN_TCP_SETTINGS(SCN_TCP_ROW)
#undef SCN_TCP_ROW
};

/* "isn, mss, rto, ...": the settings for an error message */
static const char *tcp_setting_list(void)
{
    static char list[256];
    if (!list[0])
        for (int i = 0; i < TO_COUNT; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     i ? ", " : "", tcp_settings[i].name);
    return list;
}

/* ------------------------------------------------------------------------ */
/* Scenario building                                                        */

struct scn_action *lang_new_action(struct parser *P)
{
    struct scenario *s = P->s;
    s->actions = lang_grow_arr(s->actions, &P->capactions, s->nactions, sizeof *s->actions);
    P->actctx = lang_grow_arr(P->actctx, &P->capactctx, s->nactions, sizeof *P->actctx);
    P->actctx[s->nactions] = lang_ctx_id(P);
    struct scn_action *a = &s->actions[s->nactions++];
    memset(a, 0, sizeof *a);
    a->more = &scn_action_none;
    a->host = -1;
    a->peer = -1;
    a->with_peer = -1;
    a->line = P->line;
    return a;
}

struct scn_action_more *lang_action_more(struct scn_action *a)
{
    if (a->more == &scn_action_none)
        a->more = xcalloc(1, sizeof *a->more);
    return (struct scn_action_more *)a->more;
}

struct scn_expect *lang_new_expect(struct parser *P)
{
    struct scenario *s = P->s;
    s->expects = lang_grow_arr(s->expects, &P->capexpects, s->nexpects, sizeof *s->expects);
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

static void lang_kw_title(struct parser *P, struct tok *kw)
{
    struct tok *t = lang_want_text(P, "the title in double quotes, like \"Three-way handshake\"");
    struct tok *zh = NULL;
    if (!t || lang_want_variant(P, &zh) || lang_want_end(P)) return;
    if (P->title_line) {
        ERR_AT(P, kw, "the title is already set on line %d", P->title_line);
        return;
    }
    P->title_line = P->line;
    P->s->title = lang_dup_bytes(t->s, t->len);
    if (zh) P->s->title_zh = lang_dup_bytes(zh->s, zh->len);
}

static void lang_kw_describe(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct tok *t = lang_want_text(P, "narration in double quotes");
    struct tok *zh = NULL;
    if (!t || lang_want_variant(P, &zh) || lang_want_end(P)) return;
    struct scenario *s = P->s;
    int cap = P->capdescribe;
    s->describe = lang_grow_arr(s->describe, &P->capdescribe, s->ndescribe, sizeof *s->describe);
    if (P->capdescribe != cap || !s->describe_zh) {
        s->describe_zh = xreallocarray(s->describe_zh, (size_t)P->capdescribe,
                                       sizeof *s->describe_zh);
    }
    s->describe_zh[s->ndescribe] = zh ? lang_dup_bytes(zh->s, zh->len) : NULL;
    s->describe[s->ndescribe++] = lang_dup_bytes(t->s, t->len);
}

/* `code [HOST] "TEXT" [zh "TEXT"]`: a source line of the program the code
 * pane shows (the host's own, or the shared one without HOST). */
static void lang_kw_code(struct parser *P, struct tok *kw)
{
    (void)kw;
    int host = -1;
    struct tok *h = lang_peek(P);
    if (h && h->type == T_WORD && (host = lang_want_ref(P, "a host name")) < 0) return;
    struct tok *t = lang_want_text(P, "a line of source code in double quotes, like "
                                      "\"int s = socket(AF_INET, SOCK_STREAM, 0);\"");
    struct tok *zh = NULL;
    if (!t || lang_want_variant(P, &zh) || lang_want_end(P)) return;
    struct scenario *s = P->s;
    s->code = lang_grow_arr(s->code, &P->capcode, s->ncode, sizeof *s->code);
    struct scn_code *c = &s->code[s->ncode++];
    c->host = host;
    c->text = lang_dup_bytes(t->s, t->len);
    c->text_zh = zh ? lang_dup_bytes(zh->s, zh->len) : NULL;
    c->line = P->line;
}

static void lang_kw_seed(struct parser *P, struct tok *kw)
{
    uint64_t v;
    if (lang_want_uint(P, "a seed", 0, UINT64_MAX, &v) || lang_want_end(P)) return;
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
    struct tok *n = lang_next(P);
    P->host_lines++;
    if (!n || n->type != T_WORD) {
        ERR_AT(P, n, "expected a host name, found %s", lang_found(&sh, n));
        return -1;
    }
    if (lang_name_error(P, n->s, n->len, n->col, "host")) return -1;
    /* the words an `at` line reads where a host name goes (lang_kw_at):
     * a host so named could be declared but never act */
    if (!strcmp(n->s, "note") || !strcmp(n->s, "inject") || !strcmp(n->s, "chapter")) {
        ERR_AT(P, n, "%s cannot be a host name: it is an action keyword", lang_found(&sh, n));
        return -1;
    }
    /* `line`: an action that ends in `line N` ties its call to line N of
     * the host's program (parse_action.c, take_code_line), so a host so
     * named could not end an action: `connect line 80` reads as a tie */
    if (!strcmp(n->s, "line")) {
        ERR_AT(P, n, "%s cannot be a host name: an action ending in \"line N\" ties its "
               "call to line N of the code, so \"connect line 80\" could not name this "
               "host; expected another name", lang_found(&sh, n));
        return -1;
    }
    int prev = lang_smap_get(&P->hostnames, n->s);
    if (prev >= 0) {
        ERR_AT(P, n, "host %s is already declared on line %d", lang_found(&sh, n),
               P->s->hosts[prev].line);
        return -1;
    }
    struct scenario *s = P->s;
    s->hosts = lang_grow_arr(s->hosts, &P->caphosts, s->nhosts, sizeof *s->hosts);
    P->gwcols = lang_grow_arr(P->gwcols, &P->capgwcols, s->nhosts, sizeof *P->gwcols);
    P->hostctx = lang_grow_arr(P->hostctx, &P->caphostctx, s->nhosts, sizeof *P->hostctx);
    P->hostctx[s->nhosts] = lang_ctx_id(P);
    lang_smap_put(&P->hostnames, n->s, s->nhosts);
    struct scn_host *h = &s->hosts[s->nhosts];
    memset(h, 0, sizeof *h);
    h->name = lang_arena_str(P, n->s, n->len);
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
    int gw = lang_is_word(t, "gateway");
    int *seen = gw ? &o->seen_gw : &o->seen_dns;
    if (*seen) {
        ERR_AT(P, t, "%s option \"%s\" is given twice", kind, t->s);
        return -1;
    }
    *seen = 1;
    struct tok *a = lang_peek(P);
    if (gw) {
        if (lang_want_addr(P, "a gateway's address", &o->gw)) return -1;
        o->gwcol = a->col;
    } else if (lang_want_addr(P, "a DNS server's address", &o->dns)) {
        return -1;
    }
    return 0;
}

/* `host NAME ADDR [on LAN] [gateway ADDR] [dns ADDR]`.  What the line sets
 * beyond the name and address is kept only when the whole line parsed. */
static void lang_kw_host(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    int hi = declare_host(P);
    if (hi < 0) return;
    struct scenario *s = P->s;
    struct tok *a = lang_peek(P);
    ip4_addr addr = 0;
    if (lang_want_addr(P, "a host's address", &addr) || lang_claim_addr(P, a, addr, hi)) return;
    s->hosts[hi].addr = addr;

    struct hostopts o;
    memset(&o, 0, sizeof o);
    int lan = -1;
    struct tok *t;
    while ((t = lang_next(P))) {
        if (lang_is_word(t, "on")) {
            if (lan >= 0) {
                ERR_AT(P, t, "host option \"on\" is given twice (a host on several LANs is a router)");
                return;
            }
            if ((lan = lang_want_lanref(P)) < 0) return;
        } else if (lang_is_word(t, "gateway") || lang_is_word(t, "dns")) {
            if (host_opt(P, t, &o, "host")) return;
        } else {
            ERR_AT(P, t, "unknown host option %s; expected one of: on, gateway, dns", lang_found(&sh, t));
            return;
        }
    }
    struct scn_host *h = &s->hosts[hi];
    if (lan >= 0) {
        h->ifaces = xmalloc(sizeof *h->ifaces);
        h->ifaces[0] = (struct scn_iface){ addr, lan, P->line, a->col };
        h->nifaces = 1;
        s->nifaces++;
    }
    h->gateway = o.gw;
    h->dns = o.dns;
    P->gwcols[hi] = o.gwcol;
}

/* `router NAME ADDR on LAN ADDR on LAN [ADDR on LAN ...]`, also with
 * `gateway ADDR` and `dns ADDR` anywhere between the interfaces. */
static void lang_kw_router(struct parser *P, struct tok *kw)
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
    while ((t = lang_peek(P))) {
        if (lang_is_word(t, "gateway") || lang_is_word(t, "dns")) {
            lang_next(P);
            if (host_opt(P, t, &o, "router")) return;
            continue;
        }
        if (n == SCN_MAX_IFACES) {
            ERR_AT(P, t, "a router has at most %d interfaces", SCN_MAX_IFACES);
            return;
        }
        ip4_addr addr = 0;
        if (lang_want_addr(P, "a router's address", &addr) || lang_claim_addr(P, t, addr, hi)) return;
        struct tok *on = lang_next(P);
        if (!lang_is_word(on, "on")) {
            ERR_AT(P, on, "expected \"on LAN\" after the address, found %s", lang_found(&sh, on));
            return;
        }
        struct tok *lt = lang_peek(P);
        int lan = lang_want_lanref(P);
        if (lan < 0) return;
        for (int k = 0; k < n; k++) {
            if (!strcmp(P->lanrefs[ifs[k].lan].name, lt->s)) {
                ERR_AT(P, lt, "router \"%s\" already has an interface on LAN %s",
                       s->hosts[hi].name, lang_found(&sh, lt));
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
    h->ifaces = xmalloc((size_t)n * sizeof *ifs);
    memcpy(h->ifaces, ifs, (size_t)n * sizeof *ifs);
    h->nifaces = n;
    s->nifaces += n;
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
    struct tok *t = lang_next(P);
    const char *slash = t && t->type == T_WORD ? strchr(t->s, '/') : NULL;
    size_t alen = slash ? (size_t)(slash - t->s) : 0;
    char a[16];
    ip4_addr v = 0;
    if (slash && alen < sizeof a) {
        memcpy(a, t->s, alen);
        a[alen] = '\0';
    }
    if (!slash || alen >= sizeof a || ip4_parse(a, &v) != 0) {
        ERR_AT(P, t, "expected a network like 192.0.2.0/24, found %s", lang_found(&sh, t));
        return -1;
    }
    uint64_t p = 0;
    if (lang_parse_u64(slash + 1, &p) != NUM_OK || p > 32) {
        lang_perr_at(P, P->line, lang_col_in(P, t, alen + 1),
                "expected a prefix length from 0 to 32 after \"/\", found %s",
                lang_show_slice(&sh, slash + 1, strlen(slash + 1)));
        return -1;
    }
    ip4_addr mask = lang_prefix_mask((int)p);
    if (v & ~mask) {
        char nb[24];
        ERR_AT(P, t, "%s has host bits set; the network is %s", lang_found(&sh, t),
               lang_net_str(nb, sizeof nb, v & mask, (int)p));
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
        snprintf(key, sizeof key, "%08lx/%d", (unsigned long)(net & lang_prefix_mask(q)), q);
        other = lang_smap_get(&P->lannets, key);
    }
    snprintf(key, sizeof key, "%08lx/%d", (unsigned long)net, prefix);
    if (other < 0) other = lang_smap_get(&P->lancover, key);
    if (other >= 0) {
        const struct scn_lan *O = &s->lans[other];
        ERR_AT(P, t, "LAN \"%s\" (%s) overlaps LAN \"%s\" (%s, line %d)", s->lans[li].name,
               lang_net_str(nb, sizeof nb, net, prefix), O->name,
               lang_net_str(ob, sizeof ob, O->net, O->prefix), O->line);
        return -1;
    }
    lang_smap_put(&P->lannets, key, li);
    for (int q = 0; q < prefix; q++) {
        snprintf(key, sizeof key, "%08lx/%d", (unsigned long)(net & lang_prefix_mask(q)), q);
        if (lang_smap_get(&P->lancover, key) < 0) lang_smap_put(&P->lancover, key, li);
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
    while ((t = lang_next(P))) {
        int k = -1;
        for (int i = 0; i < 5; i++)
            if (lang_is_word(t, opts[i])) k = i;
        if (k < 0) {
            ERR_AT(P, t, "unknown %s option %s; expected one of: delay, jitter, loss, duplicate, reorder",
                   what, lang_found(&sh, t));
            return -1;
        }
        if (seen[k]) {
            ERR_AT(P, t, "%s option \"%s\" is given twice", what, opts[k]);
            return -1;
        }
        seen[k] = 1;
        int rc;
        switch (k) {
        case 0:  rc = lang_want_dur(P, delay); break;
        case 1:  rc = lang_want_dur(P, jitter); break;
        case 2:  rc = lang_want_pct(P, loss); break;
        case 3:  rc = lang_want_pct(P, dup); break;
        default: rc = lang_want_pct(P, reorder); break;
        }
        if (rc) return -1;
    }
    return 0;
}

/* `lan NAME NET/PREFIX [OPTIONS]`.  The name is declared even if the rest
 * is wrong (as with hosts); prefix stays -1 until the network is valid,
 * which keeps such a LAN out of the address checks at the end. */
static void lang_kw_lan(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct scenario *s = P->s;
    struct tok *n = lang_next(P);
    if (!n || n->type != T_WORD) {
        ERR_AT(P, n, "expected a LAN name, found %s", lang_found(&sh, n));
        return;
    }
    if (lang_name_error(P, n->s, n->len, n->col, "LAN")) return;
    if (lang_lan_reserved(n->s)) {
        ERR_AT(P, n, "%s cannot be a LAN name: it is a keyword", lang_found(&sh, n));
        return;
    }
    int prev = lang_smap_get(&P->lannames, n->s);
    if (prev >= 0) {
        ERR_AT(P, n, "LAN %s is already declared on line %d", lang_found(&sh, n), s->lans[prev].line);
        return;
    }
    s->lans = lang_grow_arr(s->lans, &P->caplans, s->nlans, sizeof *s->lans);
    lang_smap_put(&P->lannames, n->s, s->nlans);
    int li = s->nlans++;
    struct scn_lan *L = &s->lans[li];
    memset(L, 0, sizeof *L);
    memcpy(L->name, n->s, n->len + 1);
    L->line = P->line;
    L->prefix = -1;
    L->delay_us = 1 * US_PER_MS;

    struct tok *t = lang_peek(P);
    ip4_addr net = 0;
    int prefix = 0;
    if (want_net(P, &net, &prefix) || lan_overlap(P, t, li, net, prefix)) return;
    L->net = net;
    L->prefix = prefix;
    want_medium(P, "LAN", &L->delay_us, &L->jitter_us, &L->loss_ppm, &L->dup_ppm,
                &L->reorder_ppm);
}

static void lang_kw_link(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *ta = lang_peek(P);
    int a = lang_want_ref(P, "the first host of the link");
    if (a < 0) return;
    struct tok *tb = lang_peek(P);
    int b = lang_want_ref(P, "the second host of the link");
    if (b < 0) return;
    if (!strcmp(ta->s, tb->s)) {
        ERR_AT(P, tb, "a link joins two different hosts, found %s twice", lang_found(&sh, tb));
        return;
    }
    char key[2 * SCN_NAME_MAX + 2];
    if (strcmp(ta->s, tb->s) < 0) snprintf(key, sizeof key, "%s %s", ta->s, tb->s);
    else snprintf(key, sizeof key, "%s %s", tb->s, ta->s);
    int prev = lang_smap_get(&P->linkpairs, key);
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
    s->links = lang_grow_arr(s->links, &P->caplinks, s->nlinks, sizeof *s->links);
    lang_smap_put(&P->linkpairs, key, s->nlinks);
    s->links[s->nlinks++] = L;
}

/* `zone HOST APEX`: HOST is an authoritative server for APEX. */
static void lang_kw_zone(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *ht = lang_peek(P);
    int h = lang_want_ref(P, "the host that serves the zone");
    if (h < 0) return;
    struct tok *at = lang_want_domain(P, "a zone apex like example.com, or . for the root", 1);
    if (!at || lang_want_end(P)) return;
    struct scn_zone Z;
    memset(&Z, 0, sizeof Z);
    Z.host = h;
    Z.line = P->line;
    lang_domain_copy(Z.apex, at->s);
    char key[SCN_NAME_MAX + DNS_NAME_BUF + 2];
    lang_zone_key(key, sizeof key, ht->s, Z.apex);
    struct scenario *s = P->s;
    int prev = lang_smap_get(&P->zonekeys, key);
    if (prev >= 0) {
        ERR_AT(P, at, "host \"%s\" already serves zone %s (line %d)", ht->s,
               lang_show_slice(&sh, Z.apex, strlen(Z.apex)), s->zones[prev].line);
        return;
    }
    s->zones = lang_grow_arr(s->zones, &P->capzones, s->nzones, sizeof *s->zones);
    lang_smap_put(&P->zonekeys, key, s->nzones);
    s->zones[s->nzones++] = Z;
}

/* `record HOST NAME TTL [IN] TYPE DATA...`: the text after HOST, as written,
 * goes to dns_rr_parse. */
static void lang_kw_record(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    int h = lang_want_ref(P, "the host that serves the record");
    if (h < 0) return;
    struct tok *first = lang_peek(P);
    if (!first) {
        ERR_AT(P, first, "expected a record like: www.example.com. 300 IN A 203.0.113.80, "
               "found end of line");
        return;
    }
    for (int i = P->ti; i < P->ntok; i++) {
        if (P->toks[i].type == T_STRING) {
            ERR_AT(P, &P->toks[i], "expected record data (NAME TTL [IN] TYPE DATA), found %s",
                   lang_found(&sh, &P->toks[i]));
            return;
        }
    }
    const struct tok *last = &P->toks[P->ntok - 1];
    P->ti = P->ntok;
    size_t n = (size_t)(last->raw + last->rawlen - first->raw);
    char *text = lang_dup_bytes(first->raw, n);
    for (size_t i = 0; i < n; i++)
        if (is_space((unsigned char)text[i])) text[i] = ' ';
    struct scn_rr R;
    memset(&R, 0, sizeof R);
    char why[192];
    size_t bad = 0;
    int rc = dns_rr_parse_at(text, &R.rr, why, sizeof why, &bad);
    free(text);
    if (rc) {
        /* point at the token at fault: text is a byte copy from first */
        const struct tok *at = first;
        for (int i = (int)(first - P->toks); i < P->ntok; i++)
            if ((size_t)(P->toks[i].raw - first->raw) == bad) {
                at = &P->toks[i];
                break;
            }
        ERR_AT(P, at, "bad record: %s", why);
        return;
    }
    R.host = h;
    R.line = P->line;
    struct scenario *s = P->s;
    P->rrcols = lang_grow_arr(P->rrcols, &P->caprrcols, s->nrrs, sizeof *P->rrcols);
    s->rrs = lang_grow_arr(s->rrs, &P->caprrs, s->nrrs, sizeof *s->rrs);
    P->rrcols[s->nrrs] = first->col;
    P->rrctx = lang_grow_arr(P->rrctx, &P->caprrctx, s->nrrs, sizeof *P->rrctx);
    P->rrctx[s->nrrs] = lang_ctx_id(P);
    s->rrs[s->nrrs++] = R;
}

_Static_assert(HINTS_MAX == sizeof ((struct scn_resolver *)0)->hints / sizeof(ip4_addr),
               "HINTS_MAX is the size of scn_resolver.hints");

/* `resolver HOST hints ADDR [ADDR ...]`. */
static void lang_kw_resolver(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *ht = lang_peek(P);
    int h = lang_want_ref(P, "the resolver's host name");
    if (h < 0) return;
    struct tok *k = lang_next(P);
    if (!lang_is_word(k, "hints")) {
        ERR_AT(P, k, "expected \"hints\" and the root servers' addresses, like: hints 198.51.100.1, "
               "found %s", lang_found(&sh, k));
        return;
    }
    struct scn_resolver R;
    memset(&R, 0, sizeof R);
    R.host = h;
    R.line = P->line;
    do {
        struct tok *t = lang_peek(P);
        if (R.nhints == HINTS_MAX) {
            ERR_AT(P, t, "at most %d hints per resolver", HINTS_MAX);
            return;
        }
        if (lang_want_addr(P, "a root server's address", &R.hints[R.nhints])) return;
        R.nhints++;
    } while (lang_peek(P));
    struct scenario *s = P->s;
    int prev = lang_smap_get(&P->resolverhosts, ht->s);
    if (prev >= 0) {
        ERR_AT(P, ht, "host \"%s\" is already a resolver (line %d)", ht->s,
               s->resolvers[prev].line);
        return;
    }
    s->resolvers = lang_grow_arr(s->resolvers, &P->capresolvers, s->nresolvers, sizeof *s->resolvers);
    lang_smap_put(&P->resolverhosts, ht->s, s->nresolvers);
    s->resolvers[s->nresolvers++] = R;
}

/* Checks the option was not set before for the same host (or for all hosts)
 * and remembers this line.  name NULL: all hosts. */
static int tcp_once(struct parser *P, int opt, const char *name, const struct tok *at)
{
    char key[SCN_NAME_MAX + 16];
    snprintf(key, sizeof key, "%s %s", tcp_settings[opt].name, name ? name : "*");
    int prev = lang_smap_get(&P->tcpkeys, key);
    if (prev >= 0) {
        if (name)
            ERR_AT(P, at, "tcp %s for host \"%s\" is already set on line %d",
                   tcp_settings[opt].name, name, prev);
        else
            ERR_AT(P, at, "tcp %s for all hosts is already set on line %d",
                   tcp_settings[opt].name, prev);
        return -1;
    }
    lang_smap_put(&P->tcpkeys, key, P->line);
    return 0;
}

static void lang_kw_tcp(struct parser *P, struct tok *kw)
{
    (void)kw;
    struct show sh;
    struct tok *o = lang_next(P);
    int opt = -1;
    for (int i = 0; i < TO_COUNT; i++)
        if (lang_is_word(o, tcp_settings[i].name)) opt = i;
    if (opt < 0) {
        ERR_AT(P, o, "unknown tcp option %s; expected one of: %s",
               lang_found(&sh, o), tcp_setting_list());
        return;
    }
    struct tcpset ts;
    memset(&ts, 0, sizeof ts);
    ts.opt = opt;
    ts.ref = -1;
    struct tok *ht = NULL;
    if (opt == TO_ISN) {
        ht = lang_peek(P);
        if ((ts.ref = lang_want_ref(P, "a host name after \"tcp isn\"")) < 0) return;
        struct tok *t;
        while ((t = lang_peek(P))) {
            if (ts.n_isn == ISN_MAX) {
                ERR_AT(P, t, "at most %d ISNs per host", ISN_MAX);
                return;
            }
            uint64_t v;
            if (lang_want_uint(P, "an initial sequence number", 0, UINT32_MAX, &v)) return;
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
                   tcp_settings[opt].name);
            return;
        }
        /* `tcp OPT HOST VALUE` or `tcp OPT VALUE`; host names start with a letter */
        if (left >= 2 && P->toks[P->ti].type == T_WORD && is_alpha((unsigned char)P->toks[P->ti].s[0])) {
            ht = lang_peek(P);
            if ((ts.ref = lang_want_ref(P, "a host name")) < 0) return;
        }
        uint64_t v = 0;
        int64_t d = 0;
        struct tok *vt = lang_peek(P);
        int rc = 0;
        const struct tcp_setting *st = &tcp_settings[opt];
        switch (st->kind) {
        case SV_NUM:
            rc = lang_want_uint(P, st->what, (uint64_t)st->lo, (uint64_t)st->hi, &v);
            ts.v = (int64_t)v;
            break;
        case SV_NUM_OFF:
            lang_next(P);
            if (lang_is_word(vt, "off")) {
                ts.v = -1;
            } else if (vt && vt->type == T_WORD && lang_parse_u64(vt->s, &v) == NUM_OK &&
                       v >= (uint64_t)st->lo && v <= (uint64_t)st->hi) {
                ts.v = (int64_t)v;
            } else {
                ERR_AT(P, vt, "expected %s from %lld to %lld or off, found %s", st->what,
                       (long long)st->lo, (long long)st->hi, lang_found(&sh, vt));
                rc = -1;
            }
            break;
        case SV_DUR: {
            char a[32], b[32];
            if ((rc = lang_want_dur(P, &d)) != 0) break;
            if (d < st->lo || d > st->hi) {
                ERR_AT(P, vt, "%s must be from %s to %s, found %s", st->what,
                       fmt_duration(st->lo, a, sizeof a), fmt_duration(st->hi, b, sizeof b),
                       lang_found(&sh, vt));
                rc = -1;
            }
            ts.v = d;
            break;
        }
        case SV_ON_OFF:
            if (lang_is_word(vt, "on")) ts.v = 1;
            else if (lang_is_word(vt, "off")) ts.v = 0;
            else { ERR_AT(P, vt, "expected on or off, found %s", lang_found(&sh, vt)); rc = -1; }
            lang_next(P);
            break;
        default: /* SV_HANDSHAKE */
            if (lang_is_word(vt, "three-way")) ts.v = 0;
            else if (lang_is_word(vt, "two-way")) ts.v = 1;
            else { ERR_AT(P, vt, "expected three-way or two-way, found %s", lang_found(&sh, vt)); rc = -1; }
            lang_next(P);
            break;
        }
        if (rc || lang_want_end(P)) return;
    }
    if (tcp_once(P, opt, ts.ref >= 0 ? P->refs[ts.ref].name : NULL, ht ? ht : o)) return;
    P->tsets = lang_grow_arr(P->tsets, &P->captsets, P->ntsets, sizeof *P->tsets);
    P->tsets[P->ntsets++] = ts;
}

/* The keywords that start a line, with their handlers. */
static const struct keyword {
    const char *name;
    void (*fn)(struct parser *P, struct tok *kw);
} keywords[] = {
#define X(k) { #k, lang_kw_##k },
    KEYWORDS(X)
#undef X
};

void lang_parse_line(struct parser *P, const char *l, size_t n)
{
    if (lang_lex_line(P, l, n) || P->ntok == 0) return;
    struct tok *kw = lang_next(P);
    struct show sh;
    if (kw->type != T_WORD) {
        ERR_AT(P, kw, "expected a keyword (one of: %s), found a string", KEYWORD_LIST);
        return;
    }
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        if (!strcmp(kw->s, keywords[i].name)) {
            keywords[i].fn(P, kw);
            /* the lesson's own model counts against --max-memory: a lesson
             * that passes it is refused at the line that does, as it is
             * read (10 million notes took 1.84 GB, a LAN of 4 million
             * hosts 2.37 GB, counted nowhere) */
            if (P->mem_max && !P->over_memory && sim_lesson_bytes(P->s) > P->mem_max) {
                char lim[80];
                sim_limit_text(LIM_MEMORY, P->mem_max, lim, sizeof lim);
                ERR_AT(P, kw, "the lesson alone passes the %s (--max-memory) here: its "
                       "hosts, links, actions, expectations and DNS data; give it a larger "
                       "--max-memory", lim);
                P->over_memory = 1;
                P->stopped = 1;
            }
            return;
        }
    }
    ERR_AT(P, kw, "unknown keyword %s; expected one of: %s", lang_found(&sh, kw), KEYWORD_LIST);
}

static int cmp_err(const void *x, const void *y)
{
    const struct perr *a = x, *b = y;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* The end of the line that starts at pos (at '\n', '\r' or len), and in
 * *next where the line after it starts: the lexer's own line breaks. */
static size_t line_end(const char *text, size_t len, size_t pos, size_t *next)
{
    size_t e = pos;
    while (e < len && text[e] != '\n' && text[e] != '\r') e++;
    *next = e < len ? e + (text[e] == '\r' && e + 1 < len && text[e + 1] == '\n' ? 2 : 1)
                    : len;
    return e;
}

/* A lesson is UTF-8 text: each line's first byte that is not is an error
 * at its column, and nothing is parsed (names and strings would be
 * garbled).  Returns the number of such lines. */
static int check_utf8(struct parser *P, const char *text, size_t len, size_t pos)
{
    int bad = 0, line = 1;
    while (pos < len) {
        size_t next, e = line_end(text, len, pos, &next);
        size_t at = utf8_invalid((const uint8_t *)text + pos, e - pos);
        if (at < e - pos) {
            lang_perr_at(P, line, lang_col_add(1, at),
                         "this byte (0x%02X) is not UTF-8; save the lesson as UTF-8 text",
                         (unsigned char)text[pos + at]);
            bad++;
        }
        pos = next;
        if (line < INT_MAX) line++;
    }
    return bad;
}

/* Errors are found with the column of a byte; a person counts characters
 * (客户端 is three columns of an editor, nine bytes), so each error's
 * column becomes the characters before that byte plus one.  The errors
 * are in source order: one walk over the text. */
static void char_columns(struct parser *P, const char *text, size_t len, size_t pos)
{
    if (P->nerr > 1) qsort(P->errs, (size_t)P->nerr, sizeof *P->errs, cmp_err);
    int line = 1;
    for (int i = 0; i < P->nerr; i++) {
        struct perr *e = &P->errs[i];
        size_t next, end = line_end(text, len, pos, &next);
        while (line < e->line && pos < len) {
            pos = next;
            line++;
            end = line_end(text, len, pos, &next);
        }
        if (line != e->line || e->col < 1) continue;
        size_t b = (size_t)e->col - 1, n = end - pos;
        size_t c = utf8_chars((const uint8_t *)text + pos, b < n ? b : n) + (b > n ? b - n : 0);
        e->col = lang_col_add(1, c);
    }
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
    lang_smap_free(&P->hostnames);
    lang_smap_free(&P->addrs);
    lang_smap_free(&P->linkpairs);
    lang_smap_free(&P->tcpkeys);
    free(P->lanrefs);
    free(P->gwcols);
    free(P->rrcols);
    free(P->hostctx);
    free(P->rrctx);
    free(P->actctx);
    free(P->chapctx);
    lang_smap_free(&P->lannames);
    lang_smap_free(&P->lannets);
    lang_smap_free(&P->lancover);
    lang_smap_free(&P->zonekeys);
    lang_smap_free(&P->resolverhosts);
    lang_smap_free(&P->strpool);
    free(P->xline);
    free(P->xcol);
    free(P->blk);
    free(P->ctxbuf);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

struct scenario *scenario_parse(const char *path, const char *text, size_t len,
                                struct scn_errors *errs)
{
    return scenario_parse_max(path, text, len, errs, SCN_REPEAT_LINES_MAX);
}

/* The checked scenario's arrays at their exact sizes: they outlive the
 * parse, for the whole run. */
static void fit_arrays(struct parser *P)
{
    struct scenario *s = P->s;
#define FIT(arr, n, cap) s->arr = lang_fit_arr(s->arr, &P->cap, s->n, sizeof *s->arr)
    FIT(hosts, nhosts, caphosts);
    FIT(links, nlinks, caplinks);
    FIT(actions, nactions, capactions);
    FIT(faults, nfaults, capfaults);
    FIT(expects, nexpects, capexpects);
    FIT(chapters, nchapters, capchapters);
    FIT(lans, nlans, caplans);
    FIT(zones, nzones, capzones);
    FIT(rrs, nrrs, caprrs);
    FIT(resolvers, nresolvers, capresolvers);
    FIT(quizzes, nquizzes, capquizzes);
    FIT(code, ncode, capcode);
#undef FIT
}

struct scenario *scenario_parse_max(const char *path, const char *text, size_t len,
                                    struct scn_errors *errs, uint64_t max_lines)
{
    struct parser P;
    memset(&P, 0, sizeof P);
    P.path = path ? path : "<input>";
    P.ctx_cur = -1;
    P.expand_max = max_lines;
    P.mem_max = errs ? errs->max_memory : 0;
    /* about 100 bytes a line: a long body cannot turn the line limit into
     * gigabytes of text */
    P.expand_bytes_max = max_lines < (UINT64_C(1) << 30) / 100 ? max_lines * 100
                                                              : UINT64_C(1) << 30;
    if (!text) len = 0;
    struct scenario *s = xcalloc(1, sizeof *s);
    P.s = s;
    s->seed = 1;
    s->path = lang_dup_bytes(P.path, strlen(P.path));

    size_t pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        pos = 3;                       /* the byte-order mark: columns start after it */
    if (check_utf8(&P, text, len, pos) == 0) {
        lang_parse_text(&P, text, len, pos);
        /* After a repeat with no `end` the rest of the file was its body,
         * never read: "no hosts declared" or "unknown host" would be said
         * of a file that is not the one written.  The one true error is
         * the missing `end`, at the repeat's line. */
        if (!P.stopped && !P.unclosed) lang_finish(&P);
    }
    if (P.nerr) {
        char_columns(&P, text, len, pos);
        emit_errors(&P, errs);
        if (errs)
            errs->over_memory = P.over_memory;
        parser_free(&P);
        scenario_free(s);
        return NULL;
    }
    fit_arrays(&P);
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
