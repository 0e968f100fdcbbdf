/* check.c — the checks that need the whole file: names resolved,
 * addresses on their LANs, records in served zones, options applied. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "dns.h"
#include "wire.h"
#include "langint.h"

/* ------------------------------------------------------------------------ */
/* End of file: resolve names, apply options, sort                          */

/* "a, b, c" from the first 10 of count names (then ", ..."); the names are
 * the char arrays at first, first + stride, ... (LANs) or, with first
 * NULL, the hosts' names */
struct namelist { char b[10 * (SCN_NAME_MAX + 2) + 8]; };

static const char *name_list(struct namelist *nl, const struct scenario *s,
                             const char *first, size_t stride, int count)
{
    size_t off = 0;
    nl->b[0] = '\0';
    for (int i = 0; i < count && i < 10; i++) {
        int k = snprintf(nl->b + off, sizeof nl->b - off, "%s%s", i ? ", " : "",
                         first ? first + (size_t)i * stride : s->hosts[i].name);
        if (k > 0) off += (size_t)k;
    }
    if (count > 10) snprintf(nl->b + off, sizeof nl->b - off, ", ...");
    return nl->b;
}

static void unknown_host(struct parser *P, const struct ref *r)
{
    const struct scenario *s = P->s;
    if (s->nhosts == 0) {
        lang_perr_ref(P, r, "unknown host \"%s\" (no hosts are declared)", r->name);
        return;
    }
    struct namelist nl;
    lang_perr_ref(P, r, "unknown host \"%s\" (declared hosts: %s)", r->name,
            name_list(&nl, s, NULL, 0, s->nhosts));
}

static void unknown_lan(struct parser *P, const struct ref *r)
{
    const struct scenario *s = P->s;
    if (s->nlans == 0) {
        lang_perr_ref(P, r, "unknown LAN \"%s\" (no LANs are declared; add one like: "
                "lan %s 192.0.2.0/24)", r->name, r->name);
        return;
    }
    struct namelist nl;
    lang_perr_ref(P, r, "unknown LAN \"%s\" (declared LANs: %s)", r->name,
            name_list(&nl, s, s->lans[0].name, sizeof s->lans[0], s->nlans));
}

/* Where an address lies relative to a LAN.  RFC 3021: a /31 has no network
 * or broadcast address, and a /32 is one address. */
enum { ON_LAN, OFF_LAN, LAN_NETWORK, LAN_BROADCAST };

static int lan_place(const struct scn_lan *L, ip4_addr addr)
{
    ip4_addr mask = lang_prefix_mask(L->prefix);
    if ((addr & mask) != L->net) return OFF_LAN;
    if (L->prefix < 31 && addr == L->net) return LAN_NETWORK;
    if (L->prefix < 31 && addr == (L->net | ~mask)) return LAN_BROADCAST;
    return ON_LAN;
}

static const char *const lan_place_what[] = {
    N_("on"), N_("outside"), N_("the network address of"), N_("the broadcast address of")
};

/* The LAN of an interface (its reference resolved), or -1 when the name is
 * unknown or the `lan` line had no valid network (both reported already). */
static int iface_lan(const struct parser *P, const struct scn_iface *ifc)
{
    int l = P->lanrefs[ifc->lan].host;
    return l >= 0 && P->s->lans[l].prefix >= 0 ? l : -1;
}

/* `udp send ADDR`: a datagram to an address goes to one host, or to
 * none (the ARP lesson).  The simulator sends no broadcast datagrams, so
 * the addresses that mean "everyone" -- 255.255.255.255 and, on a LAN of
 * the sender, its broadcast address (RFC 1122 3.2.1.3) -- are refused, as
 * are 0.0.0.0 and the LAN's network address, which name no host; and a
 * host cannot send to its own address, as it cannot name itself. */
static void check_datagram_addresses(struct parser *P)
{
    const struct scenario *s = P->s;
    char a[16], nb[24];
    for (int i = 0; i < s->nactions; i++) {
        const struct scn_action *ac = &s->actions[i];
        if (ac->kind != ACT_UDP_SEND || ac->peer >= 0 || ac->host < 0)
            continue;
        ip4_addr to = ac->more->peer_addr;
        const struct scn_host *hp = &s->hosts[ac->host];
        ip4_str(to, a, sizeof a);
        if (to == 0) {
            lang_perr_in(P, P->actctx[i], ac->line, ac->more->peer_col,
                         "0.0.0.0 names no host (RFC 1122 3.2.1.3: only a source may be "
                         "0.0.0.0); send to a host's address");
            continue;
        }
        if (to == 0xffffffffu) {
            lang_perr_in(P, P->actctx[i], ac->line, ac->more->peer_col,
                         "255.255.255.255 is the broadcast to everyone on the LAN: the "
                         "simulator sends a datagram to one host's address, never to a "
                         "broadcast");
            continue;
        }
        int own = to == hp->addr;
        for (int k = 0; k < hp->nifaces && !own; k++)
            own = hp->ifaces[k].addr == to;
        if (own) {
            lang_perr_in(P, P->actctx[i], ac->line, ac->more->peer_col,
                         "a host cannot send to itself in the simulator (%s is %s's own address)",
                         a, hp->name);
            continue;
        }
        for (int k = 0; k < hp->nifaces; k++) {
            int l = hp->ifaces[k].lan;
            if (l < 0 || s->lans[l].prefix < 0)
                continue;
            int place = lan_place(&s->lans[l], to);
            if (place == LAN_NETWORK || place == LAN_BROADCAST) {
                const char *what = _(lan_place_what[place]), *ln = s->lans[l].name;
                lang_net_str(nb, sizeof nb, s->lans[l].net, s->lans[l].prefix);
                if (place == LAN_BROADCAST)
                    lang_perr_in(P, P->actctx[i], ac->line, ac->more->peer_col,
                                 "address \"%s\" is %s LAN \"%s\" (%s): the simulator sends a "
                                 "datagram to one host's address, never to a broadcast",
                                 a, what, ln, nb);
                else
                    lang_perr_in(P, P->actctx[i], ac->line, ac->more->peer_col,
                                 "address \"%s\" is %s LAN \"%s\" (%s), which names no host",
                                 a, what, ln, nb);
                break;
            }
        }
    }
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
                lang_perr_in(P, P->hostctx[h], ifc->line, ifc->col, "address \"%s\" is %s LAN \"%s\" (%s)",
                        ip4_str(ifc->addr, a, sizeof a), _(lan_place_what[place]), L->name,
                        lang_net_str(nb, sizeof nb, L->net, L->prefix));
        }
        if (!hp->gateway || !known) continue;
        int col = P->gwcols[h];
        ip4_str(hp->gateway, a, sizeof a);
        if (hp->nifaces == 0) {
            lang_perr_in(P, P->hostctx[h], hp->line, col, "gateway \"%s\" is not on any LAN of host \"%s\", which "
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
            lang_perr_in(P, P->hostctx[h], hp->line, col, "host \"%s\" cannot be its own gateway", hp->name);
        } else if (!on && odd >= 0) {
            const struct scn_lan *L = &s->lans[iface_lan(P, &hp->ifaces[odd])];
            lang_perr_in(P, P->hostctx[h], hp->line, col, "gateway \"%s\" is %s LAN \"%s\" (%s)", a,
                    _(lan_place_what[lan_place(L, hp->gateway)]), L->name,
                    lang_net_str(nb, sizeof nb, L->net, L->prefix));
        } else if (!on) {
            char list[SCN_MAX_IFACES * (SCN_NAME_MAX + 24)];
            size_t off = 0;
            list[0] = '\0';
            for (int k = 0; k < hp->nifaces; k++) {
                const struct scn_lan *L = &s->lans[iface_lan(P, &hp->ifaces[k])];
                int n = snprintf(list + off, sizeof list - off, "%s%s: %s", k ? ", " : "",
                                 L->name, lang_net_str(nb, sizeof nb, L->net, L->prefix));
                if (n > 0) off += (size_t)n;
            }
            lang_perr_in(P, P->hostctx[h], hp->line, col, "gateway \"%s\" is not on any LAN of host \"%s\" (%s)",
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
        lang_zone_key(key, sizeof key, host, p);
        if (lang_smap_get(&P->zonekeys, key) >= 0) return 1;
        const char *dot = strchr(p, '.');
        if (!dot) break;
        p = dot + 1;
    }
    lang_zone_key(key, sizeof key, host, ".");
    return lang_smap_get(&P->zonekeys, key) >= 0;
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
            lang_perr_ref(P, r, "host \"%s\" has no zone line; add one like: zone %s "
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
        lang_perr_in(P, P->rrctx[i], s->rrs[i].line, P->rrcols[i], "record %s is outside the zones host \"%s\" "
                "serves (%s)", lang_show_slice(&sh, name, strlen(name)), r->name, list);
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
#define SCN_TCP_APPLY(id, kw, field, type, kind, lo, hi, def, what) \
    case TO_##id: o->field = (type)ts->v; break;
    SCN_TCP_SETTINGS(SCN_TCP_APPLY)
#undef SCN_TCP_APPLY
    default: break;
    }
}

/* By time; at one instant the notes last (they narrate what happens then,
 * so the engine also runs them after every other event of that instant,
 * sim.c: next_event); else in file order. */
/* Actions and chapters run in time order; at one time a note comes after
 * the calls (it tells what they did), then line by line.  The lines a
 * repeat writes share their line number and often a time (`at 5ms c{i}
 * close`): those go in the order written, their index, which a plain
 * qsort does not promise (glibc's merge sort kept it; a libc with another
 * sort would run a crowd's calls in another order).  The sort carries
 * each item's repeat iteration (ctx) along, for the checks after it. */
struct order_key {
    int64_t t_us;
    int     late;           /* a note: after the calls of its time */
    int     line;
    int     idx;            /* the order written */
};

static int cmp_order(const void *x, const void *y)
{
    const struct order_key *a = x, *b = y;
    if (a->t_us != b->t_us) return a->t_us < b->t_us ? -1 : 1;
    if (a->late != b->late) return a->late - b->late;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Sorts the n items of sz bytes at base, and ctx[] with them, by time (an
 * int64_t at t_off), notes last (late, or NULL: none), line (an int at
 * line_off) and the order written: the items move in place, cycle by
 * cycle, with one item's bytes of room. */
static void sort_in_order(void *base, int n, size_t sz, int *ctx, size_t t_off,
                          size_t line_off, int (*late)(const void *item))
{
    if (n < 2) return;
    char *b = base, *tmp = xmalloc(sz);
    struct order_key *keys = xreallocarray(NULL, (size_t)n, sizeof *keys);
    for (int i = 0; i < n; i++) {
        const char *item = b + (size_t)i * sz;
        memcpy(&keys[i].t_us, item + t_off, sizeof keys[i].t_us);
        memcpy(&keys[i].line, item + line_off, sizeof keys[i].line);
        keys[i].late = late ? late(item) : 0;
        keys[i].idx = i;
    }
    qsort(keys, (size_t)n, sizeof *keys, cmp_order);
    for (int i = 0; i < n; i++) {
        if (keys[i].idx == i || keys[i].idx < 0) continue;
        memcpy(tmp, b + (size_t)i * sz, sz);
        int tctx = ctx[i], j = i;
        while (keys[j].idx != i) {
            int from = keys[j].idx;
            memcpy(b + (size_t)j * sz, b + (size_t)from * sz, sz);
            ctx[j] = ctx[from];
            keys[j].idx = -1;                    /* placed */
            j = from;
        }
        memcpy(b + (size_t)j * sz, tmp, sz);
        ctx[j] = tctx;
        keys[j].idx = -1;
    }
    free(keys);
    free(tmp);
}

static int is_note(const void *item)
{
    return ((const struct scn_action *)item)->kind == ACT_NOTE;
}

/* `bind PORT` gives the socket its local port, and the model opens the
 * endpoint at the call that follows it on that host: a `listen` must
 * then listen on that port and a `connect` leave from it (`from PORT`),
 * or the lesson would show one port bound and another used.  In time
 * order, per host; a bind holds until the listen or connect that uses
 * it.  Linear in hosts and actions. */
static void check_binds(struct parser *P)
{
    struct scenario *s = P->s;
    int *bound = NULL;                  /* per host: the bind's action + 1 */
    for (int i = 0; i < s->nactions; i++) {
        const struct scn_action *a = &s->actions[i];
        if (a->kind == ACT_BIND) {
            if (!bound)
                bound = xcalloc((size_t)s->nhosts, sizeof *bound);
            bound[a->host] = i + 1;
            continue;
        }
        /* (notes and chapters have no host: test the kind first) */
        if ((a->kind != ACT_LISTEN && a->kind != ACT_CONNECT) || !bound ||
            !bound[a->host])
            continue;
        const struct scn_action *b = &s->actions[bound[a->host] - 1];
        bound[a->host] = 0;
        if (a->kind == ACT_LISTEN && a->port != b->port)
            lang_perr_in(P, P->actctx[i], a->line, a->col,
                         "this socket was bound to port %u (line %d), so it listens on "
                         "port %u; write listen %u (or bind %u)",
                         b->port, b->line, b->port, b->port, a->port);
        else if (a->kind == ACT_CONNECT && a->lport != b->port)
            lang_perr_in(P, P->actctx[i], a->line, a->col,
                         "this socket was bound to port %u (line %d), so it connects "
                         "from that port; add from %u",
                         b->port, b->line, b->port);
    }
    free(bound);
}

void lang_finish(struct parser *P)
{
    struct scenario *s = P->s;
    P->finishing = 1;
    if (P->host_lines == 0) {
        /* one message says it all; no "unknown host" for every use */
        lang_perr_at(P, 1, 1, "no hosts declared; a scenario needs at least one line like: host client 192.0.2.10");
        return;
    }
    for (int i = 0; i < P->nrefs; i++) {
        struct ref *r = &P->refs[i];
        r->host = lang_smap_get(&P->hostnames, r->name);
        if (r->host < 0) unknown_host(P, r);
    }
    for (int i = 0; i < P->nlanrefs; i++) {
        struct ref *r = &P->lanrefs[i];
        r->host = lang_smap_get(&P->lannames, r->name);
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
        /* peer and with_peer are one field (scenario.h): mapped once */
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
    for (int i = 0; i < s->nquizzes; i++) {
        s->quizzes[i].host = map_ref(P, s->quizzes[i].host);
        s->quizzes[i].m.src = map_ref(P, s->quizzes[i].m.src);
        s->quizzes[i].m.dst = map_ref(P, s->quizzes[i].m.dst);
    }
    for (int i = 0; i < s->ncode; i++) s->code[i].host = map_ref(P, s->code[i].host);
    /* the programs' lengths once: a crowd's calls each counted the
     * lesson's every code line */
    int *code_at = NULL, *code_idx = NULL;
    if (s->ncode) {
        code_at = xcalloc((size_t)s->nhosts + 2, sizeof *code_at);
        code_idx = xcalloc((size_t)s->ncode, sizeof *code_idx);
        scn_code_programs(s, code_at, code_idx);
    }
    for (int i = 0; i < s->nactions; i++) {
        const struct scn_action *a = &s->actions[i];
        if (!a->more->code_line) continue;
        int n = 0;
        if (code_at) {
            /* its own program, or the shared one (scn_code_program) */
            if (a->host >= 0 && a->host < s->nhosts)
                n = code_at[a->host + 2] - code_at[a->host + 1];
            if (!n)
                n = code_at[1] - code_at[0];
        }
        if (!n)
            lang_perr_in(P, P->actctx[i], a->line, a->more->code_col,
                         "there is no code for host \"%s\" to tie this call to; "
                         "add lines like: code %s \"listen(s, 5);\" (or code \"...\" for every host)",
                         s->hosts[a->host].name, s->hosts[a->host].name);
        else if (a->more->code_line > n)
            lang_perr_in(P, P->actctx[i], a->line, a->more->code_col,
                         "expected a code line from 1 to %d (the lines of host \"%s\"'s program), found %d",
                         n, s->hosts[a->host].name, a->more->code_line);
    }
    free(code_at);
    free(code_idx);
    check_datagram_addresses(P);
    /* Defaults, then all-host lines, then per-host lines: the more specific
     * line wins whatever the order in the file. */
    /* A host without a line of its own shares the first block; one with
     * lines has its own, a copy of the first with its lines applied. */
    int *own = xcalloc((size_t)s->nhosts + 1, sizeof *own);
    s->ntcps = 1;
    for (int i = 0; i < P->ntsets; i++)
        if (P->tsets[i].ref >= 0 && !own[map_ref(P, P->tsets[i].ref)])
            own[map_ref(P, P->tsets[i].ref)] = s->ntcps++;
    s->tcps = xcalloc((size_t)s->ntcps, sizeof *s->tcps);
    scenario_tcp_defaults(&s->tcps[0]);
    for (int i = 0; i < P->ntsets; i++)
        if (P->tsets[i].ref < 0)
            apply_tcp(&P->tsets[i], &s->tcps[0]);
    for (int k = 1; k < s->ntcps; k++) s->tcps[k] = s->tcps[0];
    for (int i = 0; i < P->ntsets; i++)
        if (P->tsets[i].ref >= 0)
            apply_tcp(&P->tsets[i], &s->tcps[own[map_ref(P, P->tsets[i].ref)]]);
    for (int h = 0; h < s->nhosts; h++) s->hosts[h].tcp = &s->tcps[own[h]];
    free(own);

    sort_in_order(s->actions, s->nactions, sizeof *s->actions, P->actctx,
                  offsetof(struct scn_action, t_us), offsetof(struct scn_action, line), is_note);
    check_binds(P);
    sort_in_order(s->chapters, s->nchapters, sizeof *s->chapters, P->chapctx,
                  offsetof(struct scn_chapter, t_us), offsetof(struct scn_chapter, line), NULL);
    for (int i = 1; i < s->nchapters; i++)
        if (s->chapters[i].t_us == s->chapters[i - 1].t_us)
            lang_perr_in(P, P->chapctx[i], s->chapters[i].line, s->chapters[i].col,
                         "a chapter already starts at this time (line %d); give each chapter its own time",
                         s->chapters[i - 1].line);

    if (!s->title) {
        const char *p = s->path;
        const char *slash = strrchr(p, '/');
        if (slash) p = slash + 1;
        size_t n = strlen(p);
        if (n > 4 && !strcmp(p + n - 4, ".scn")) n -= 4;
        s->title = n ? lang_dup_bytes(p, n) : lang_dup_bytes("untitled", 8);
    }
}
