/* whatif.c — "what if" in the interactive view: a packet's fault line, the lesson run again with it, where the two stories part, undo, and the changed lesson saved as a file.
 *
 * The fault line is the scenario language's own (scenarios/README.md,
 * "Faults"): the what-if run is the lesson's text with that line added,
 * parsed and run like any lesson, so what the class sees is exactly what
 * the saved file gives with --batch.  Counting #N the way the network's
 * fault rules count (sim/host/net.c, apply_faults): every frame SRC puts on
 * the wire towards DST, once per send record (a copy the network made is
 * no new frame), that scn_match_frame() matches.  The run before the
 * fault is the same run (faults draw no random numbers), so #N read from
 * the shown trace names the same frame in the new one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "alloc.h"
#include "i18n.h"
#include "language.h"
#include "render.h"
#include "whatif.h"

/* ---- the selector ---------------------------------------------------------- */

long whatif_packet_send(const struct trace *tr, size_t i, const char **why)
{
    *why = NULL;
    if (i >= tr->n) {
        *why = _("no event is selected");
        return -1;
    }
    const struct trace_rec *r = &tr->recs[i];
    long s;
    switch (r->kind) {
    case TK_SEND:
        s = (long)i;
        break;
    case TK_RECV:
    case TK_DROP:
        if (!r->of) {
            *why = _("this frame never reached the wire (it waited for ARP): "
                     "there is no frame to lose");
            return -1;
        }
        s = (long)r->of - 1;
        break;
    default:
        *why = _("select a packet first: a send, an arrival or a drop "
                 "(x drops it, d delays it)");
        return -1;
    }
    /* a copy the network made names the frame it copied */
    while (s >= 0 && (size_t)s < tr->n && tr->recs[s].kind == TK_SEND &&
           tr->recs[s].u.pkt.dup && tr->recs[s].of)
        s = (long)tr->recs[s].of - 1;
    if (s < 0 || (size_t)s >= tr->n || tr->recs[s].kind != TK_SEND) {
        *why = _("this event names no frame that was sent");
        return -1;
    }
    return s;
}

/* The protocol, flags and payload length a fault rule sees in the frame of
 * send record r; 0, or -1 for a frame that is not TCP or UDP over IPv4. */
static int frame_view(const struct trace *tr, const struct trace_rec *r,
                      int *proto, uint8_t *flags, size_t *plen)
{
    size_t len = 0;
    const uint8_t *b = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (!b || frame_decode(b, len, &f, err, sizeof err) != 0 || !f.has_ip ||
        (f.l4 != IPPROTO_TCP_NUM && f.l4 != IPPROTO_UDP_NUM))
        return -1;
    *proto = f.l4;
    *flags = f.l4 == IPPROTO_TCP_NUM ? f.tcp.flags : 0;
    *plen = f.payload_len;
    return 0;
}

int whatif_selector(const struct trace *tr, size_t i, int kind, const char *by,
                    char *line, size_t n, char *err, size_t en)
{
    const char *why;
    line[0] = '\0';
    long s = whatif_packet_send(tr, i, &why);
    if (s < 0) {
        snprintf(err, en, "%s", why);
        return -1;
    }
    const struct trace_rec *r = &tr->recs[s];
    int proto;
    uint8_t flags;
    size_t plen;
    if (frame_view(tr, r, &proto, &flags, &plen) < 0) {
        snprintf(err, en, "%s", r->layer == TL_ARP
                 ? _("fault lines lose or hold TCP segments and UDP datagrams, "
                     "and this is an ARP frame")
                 : _("fault lines lose or hold TCP segments and UDP datagrams, "
                     "and this frame is neither"));
        return -1;
    }
    if (r->u.pkt.dst < 0 || r->u.pkt.src < 0) {
        snprintf(err, en, "%s", _("this frame was sent to every host of its LAN; "
                 "a fault line names one receiver"));
        return -1;
    }
    /* the pattern the language makes of "SRC->DST tcp FLAGS" (FLAGS exact:
     * listing PSH when it is set makes it count) or "SRC->DST udp" */
    struct scn_match m;
    memset(&m, 0, sizeof m);
    m.src = r->u.pkt.src;
    m.dst = r->u.pkt.dst;
    m.proto = proto;
    m.flags = flags;
    size_t nth = 0;
    for (size_t j = 0; j <= (size_t)s; j++) {
        const struct trace_rec *q = &tr->recs[j];
        int qp;
        uint8_t qf;
        size_t ql;
        if (q->kind != TK_SEND || q->u.pkt.dup || q->u.pkt.src != m.src ||
            q->u.pkt.dst != m.dst || frame_view(tr, q, &qp, &qf, &ql) < 0)
            continue;
        if (scn_match_frame(&m, m.src, m.dst, qp, qf, ql))
            nth++;
    }
    char pat[48];
    if (proto == IPPROTO_TCP_NUM) {
        char fl[40];
        snprintf(pat, sizeof pat, "tcp %s", tcp_flags_str(flags, fl, sizeof fl));
    } else {
        snprintf(pat, sizeof pat, "udp");
    }
    int k = snprintf(line, n, "fault %s %s->%s %s #%zu",
                     kind == WI_DELAY ? "delay" : "drop", tr->host_names[m.src],
                     tr->host_names[m.dst], pat, nth);
    if (kind == WI_DELAY && k > 0 && (size_t)k < n)
        snprintf(line + k, n - (size_t)k, " by %s", by ? by : "1s");
    return 0;
}

int whatif_duration_ok(const char *s)
{
    const char *p = s;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return !strcmp(p, "us") || !strcmp(p, "ms") || !strcmp(p, "s") || !strcmp(p, "m");
}

/* ---- where the stories part ------------------------------------------------------ */

long whatif_departure(const struct trace *a, const struct trace *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    char ea[512], eb[512];
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *x = &a->recs[i], *y = &b->recs[i];
        if (x->kind != y->kind || x->host != y->host || x->t_us != y->t_us)
            return (long)i;
        render_event(a, x, ea, sizeof ea);
        render_event(b, y, eb, sizeof eb);
        if (strcmp(ea, eb))
            return (long)i;
    }
    return a->n == b->n ? -1 : (long)n;
}

/* ---- the lesson's text --------------------------------------------------------------- */

char *whatif_text(const char *text, size_t len, const char *comment,
                  const char *line, size_t *outlen)
{
    size_t cl = strlen(comment), ll = strlen(line);
    char *out = xmalloc(len + cl + ll + 8);
    size_t k = 0;
    if (len)
        memcpy(out, text, len);
    k = len;
    if (k && out[k - 1] != '\n')
        out[k++] = '\n';
    out[k++] = '\n';
    out[k++] = '#';
    out[k++] = ' ';
    memcpy(out + k, comment, cl);
    k += cl;
    out[k++] = '\n';
    memcpy(out + k, line, ll);
    k += ll;
    out[k++] = '\n';
    out[k] = '\0';
    *outlen = k;
    return out;
}

char *whatif_save_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t l = strlen(base);
    if (l > 4 && !strcmp(base + l - 4, ".scn"))
        l -= 4;
    if (!l) {
        base = "lesson";
        l = strlen(base);
    }
    size_t n = l + sizeof "-whatif.scn";
    char *out = xmalloc(n);
    snprintf(out, n, "%.*s-whatif.scn", (int)l, base);
    return out;
}

char *whatif_read_file(const char *path, size_t *len, int *err)
{
    *len = 0;
    *err = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno ? errno : EIO;
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap && cap >= SCN_FILE_MAX) {
            if (getc(f) != EOF)
                *err = EFBIG;
            else if (ferror(f))
                *err = errno ? errno : EIO;
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > SCN_FILE_MAX)
                cap = SCN_FILE_MAX;
            buf = xrealloc(buf, cap + 1);
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) {
            if (ferror(f))
                *err = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    if (*err) {
        free(buf);
        return NULL;
    }
    if (!buf)
        buf = xmalloc(1);
    buf[n] = '\0';
    *len = n;
    return buf;
}

int whatif_write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return errno ? errno : EIO;
    int e = 0;
    if (fwrite(text, 1, len, f) != len)
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    return e;
}

/* ---- the stack of runs ---------------------------------------------------------------- */

void run_limits_apply(const struct run_limits *l, struct sim *s)
{
    if (!l->end_auto) {
        s->end_us = l->end_us;
        s->end_auto = 0;
    }
    s->max_events = l->events;
    s->max_frames = l->frames;
    s->max_trace = l->trace;
    s->max_memory = l->memory;
}

void whatif_init(struct whatif *w, struct scenario **scn, struct sim **s,
                 struct view_index *ix, struct view_state *st, int have_seed,
                 uint64_t seed, int real)
{
    memset(w, 0, sizeof *w);
    w->scn = scn;
    w->s = s;
    w->ix = ix;
    w->st = st;
    w->have_seed = have_seed;
    w->seed = seed;
    w->real = real;
    const struct sim *first = *s;
    w->limits = (struct run_limits){ first->end_us, first->end_auto, first->max_events,
                                     first->max_frames, first->max_trace,
                                     first->max_memory };
    int err;
    if (*scn && (*scn)->path && real != WHATIF_OFF_CAPTURE)
        w->text = whatif_read_file((*scn)->path, &w->len, &err);
}

void whatif_set_text(struct whatif *w, char *text, size_t len)
{
    free(w->text);
    w->text = text;
    w->len = len;
}

/* Frees the current run when it is a what-if's. */
static void drop_current(struct whatif *w)
{
    if (!w->own_sim)
        return;
    view_index_free(w->ix);
    sim_free(*w->s);
    free(*w->s);
    scenario_free(*w->scn);
    free(w->text);
    w->text = NULL;
}

int whatif_apply(struct whatif *w, int kind, const char *by,
                 const struct view_state *before)
{
    struct view_state *st = w->st;
    const struct trace *tr = &(*w->s)->tr;
    char line[200], err[200];
    if (w->real == WHATIF_OFF_CAPTURE) {
        snprintf(st->msg, sizeof st->msg, "%s",
                 _("what-if changes a lesson's run: a capture is what happened, "
                   "and it is not run again"));
        return -1;
    }
    if (w->real) {
        snprintf(st->msg, sizeof st->msg, "%s",
                 _("what-if changes the model only: it is off with --real, where "
                   "the kernel's side could not lose the same frame"));
        return -1;
    }
    if (!w->text) {
        snprintf(st->msg, sizeof st->msg, "%s",
                 _("what-if needs the lesson's file, and it cannot be read again"));
        return -1;
    }
    if (whatif_selector(tr, st->cur, kind, by, line, sizeof line, err, sizeof err) < 0) {
        snprintf(st->msg, sizeof st->msg, "%s", err);
        return -1;
    }
    /* the session's --seed, written into the lesson so that the saved
     * file runs the same (a lesson with its own seed line keeps it, and
     * the run then shows that seed) */
    char *base = w->text;
    size_t blen = w->len;
    char *seeded = NULL;
    if (w->have_seed && !(*w->scn)->has_seed) {
        char sl[64];
        snprintf(sl, sizeof sl, "seed %llu", (unsigned long long)w->seed);
        seeded = whatif_text(base, blen, _("what-if (protosim): the seed this "
                                           "session ran with (--seed)"), sl, &blen);
        base = seeded;
    }
    char comment[300];
    if (kind == WI_DELAY)
        snprintf(comment, sizeof comment,
                 _("what-if (protosim): the frame of event %zu, delayed by %s"),
                 st->cur + 1, by ? by : "1s");
    else
        snprintf(comment, sizeof comment,
                 _("what-if (protosim): the frame of event %zu, dropped"), st->cur + 1);
    size_t nlen;
    char *ntext = whatif_text(base, blen, comment, line, &nlen);
    free(seeded);
    struct scn_errors errs = { 0 };
    errs.max_memory = w->limits.memory;     /* as the first run's lesson */
    struct scenario *ns = scenario_parse((*w->scn)->path, ntext, nlen, &errs);
    if (!ns) {
        snprintf(st->msg, sizeof st->msg, _("the what-if line does not parse: %s"),
                 errs.n ? errs.msgs[0] : "?");
        scn_errors_free(&errs);
        free(ntext);
        return -1;
    }
    scn_errors_free(&errs);
    i18n_lesson(ns);
    struct sim *sim = xcalloc(1, sizeof *sim);
    sim_init(sim, ns, w->have_seed ? w->seed : ns->seed);
    run_limits_apply(&w->limits, sim);
    sim_run(sim);

    if (w->depth == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->stack = xreallocarray(w->stack, (size_t)w->cap, sizeof *w->stack);
    }
    struct whatif_frame *f = &w->stack[w->depth++];
    f->scn = *w->scn;
    f->sim = *w->s;
    f->own_sim = w->own_sim;
    f->ix = *w->ix;
    f->st = *before;
    f->text = w->text;
    f->len = w->len;

    long dep = whatif_departure(&f->sim->tr, &sim->tr);
    *w->scn = ns;
    *w->s = sim;
    w->own_sim = 1;
    w->text = ntext;
    w->len = nlen;
    view_index_build(w->ix, &sim->tr);
    view_index_stopped(w->ix, sim);
    *st = *before;
    st->overlay = OV_NONE;
    st->playing = 0;
    st->scroll[PANE_INSPECTOR] = 0;
    st->title = lesson_title(ns);
    st->depart = 0;
    st->whatifs = w->depth;
    size_t n = w->ix->n;
    if (dep < 0) {
        snprintf(st->msg, sizeof st->msg,
                 _("what if `%s`: the story does not change (u undoes)"), line);
    } else if ((size_t)dep >= n) {
        st->cur = n ? n - 1 : 0;
        snprintf(st->msg, sizeof st->msg,
                 _("what if `%s`: the new run ends after event %zu, where the old "
                   "one went on (u undoes)"), line, n);
    } else {
        st->cur = (size_t)dep;
        st->depart = (size_t)dep + 1;
        snprintf(st->msg, sizeof st->msg,
                 _("what if `%s`: the story departs at event %ld (marked); "
                   "u undoes, w saves"), line, dep + 1);
    }
    return 0;
}

int whatif_undo(struct whatif *w)
{
    if (!w->depth) {
        snprintf(w->st->msg, sizeof w->st->msg, "%s",
                 _("nothing to undo: x drops and d delays the selected packet"));
        return -1;
    }
    drop_current(w);
    struct whatif_frame *f = &w->stack[--w->depth];
    *w->scn = f->scn;
    *w->s = f->sim;
    w->own_sim = f->own_sim;
    *w->ix = f->ix;
    *w->st = f->st;
    w->text = f->text;
    w->len = f->len;
    return 0;
}

void whatif_clear(struct whatif *w)
{
    while (w->depth)
        whatif_undo(w);
}

void whatif_relang(struct whatif *w)
{
    for (int k = 0; k < w->depth; k++) {
        struct whatif_frame *f = &w->stack[k];
        view_index_free(&f->ix);
        sim_free(f->sim);
        i18n_lesson(f->scn);
        sim_init(f->sim, f->scn, w->have_seed ? w->seed : f->scn->seed);
        run_limits_apply(&w->limits, f->sim);
        sim_run(f->sim);
        view_index_build(&f->ix, &f->sim->tr);
        view_index_stopped(&f->ix, f->sim);
        f->st.title = lesson_title(f->scn);
        if (f->st.cur >= f->ix.n)
            f->st.cur = f->ix.n ? f->ix.n - 1 : 0;
    }
}

int whatif_save(struct whatif *w, const char *path)
{
    struct view_state *st = w->st;
    if (!w->depth || !w->text) {
        snprintf(st->msg, sizeof st->msg, "%s",
                 _("nothing to save yet: x drops or d delays the selected packet first"));
        return -1;
    }
    /* never over the lesson being shown: its text would be lost under
     * the what-if's (w offered LESSON-whatif.scn, but typing the lesson's
     * own name replaced the shipped handshake.scn) */
    struct stat a, b;
    const char *own = (*w->scn)->path;
    if (own && stat(path, &a) == 0 && stat(own, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino) {
        snprintf(st->msg, sizeof st->msg,
                 _("%s is the lesson itself: save the what-if under another name"), path);
        return -1;
    }
    int e = whatif_write_file(path, w->text, w->len);
    if (e) {
        snprintf(st->msg, sizeof st->msg, _("cannot write %s: %s"), path, strerror(e));
        return -1;
    }
    if (w->have_seed && (*w->scn)->has_seed && (*w->scn)->seed != w->seed)
        snprintf(st->msg, sizeof st->msg,
                 _("saved %s; its own seed line differs from this session's "
                   "--seed %llu: run it with that --seed"), path,
                 (unsigned long long)w->seed);
    else
        snprintf(st->msg, sizeof st->msg,
                 P_("saved %s: the lesson with %d what-if line",
                    "saved %s: the lesson with %d what-if lines", w->depth),
                 path, w->depth);
    return 0;
}

void whatif_free(struct whatif *w)
{
    whatif_clear(w);
    free(w->text);
    free(w->stack);
    w->text = NULL;
    w->stack = NULL;
    w->depth = w->cap = 0;
}
