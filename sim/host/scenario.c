/* scenario.c — the checked scenario's own operations: defaults, freeing,
 * host lookup and the fault-pattern matcher the network calls.  The
 * language front end (lang/) builds a scenario; the model only reads it. */
#include <stdlib.h>
#include <string.h>
#include "scenario.h"
#include "event.h"
#include "sim.h"
#include "tcp.h"

const struct scn_action_more scn_action_none;

/* A crowd's lesson holds one action per call it makes (seven per client
 * for a raw request and reply): an action is one cache line on LP64. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct scn_action) <= 64,
               "struct scn_action grew past 64 bytes");

/* What an action owns; the action itself stays in the array, and its
 * texts in the scenario's strs. */
void scn_action_clear(struct scn_action *a)
{
    if (a->data_owned)
        free(a->data);
    a->data_owned = 0;
    if (a->more != &scn_action_none)
        free((struct scn_action_more *)a->more);
    a->more = &scn_action_none;
    a->data = NULL;
    a->text = NULL;
}

const char *scn_text(const struct scenario *scn, const char *en, const char *zh)
{
    return scn && scn->zh && zh ? zh : en;
}

void scn_expect_clear(struct scn_expect *e)
{
    free(e->data);
    free(e->name);
    for (int i = 0; i < e->nmsgs; i++) free(e->msgs[i]);
    free(e->msgs);
    free(e->msg_lens);
    e->data = NULL;
    e->src_text = NULL;
    e->name = NULL;
    e->msgs = NULL;
    e->msg_lens = NULL;
    e->nmsgs = 0;
}

void scn_quiz_clear(struct scn_quiz *q)
{
    free(q->text);
    free(q->text_zh);
    free(q->src_text);
    for (int i = 0; i < q->nwrong; i++) {
        free(q->wrong[i]);
        free(q->wrong_zh[i]);
    }
    memset(q, 0, sizeof *q);
}

void scenario_tcp_defaults(struct scn_tcp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_isn = 0;
#define SCN_TCP_DEFAULT(id, kw, field, type, kind, lo, hi, def, what) o->field = (def);
    SCN_TCP_SETTINGS(SCN_TCP_DEFAULT)
#undef SCN_TCP_DEFAULT
}

void scenario_free(struct scenario *s)
{
    if (!s) return;
    free(s->path);
    free(s->title);
    free(s->title_zh);
    for (int i = 0; i < s->ndescribe; i++) {
        free(s->describe[i]);
        if (s->describe_zh) free(s->describe_zh[i]);
    }
    free(s->describe);
    free(s->describe_zh);
    for (int i = 0; i < s->nhosts; i++) free(s->hosts[i].ifaces);
    while (s->arena) {
        struct scn_arena *n = s->arena->next;
        free(s->arena);
        s->arena = n;
    }
    free(s->hosts);
    free(s->tcps);
    for (int i = 0; i < s->nstrs; i++) free(s->strs[i]);
    free(s->strs);
    free(s->links);
    for (int i = 0; i < s->nactions; i++) scn_action_clear(&s->actions[i]);
    free(s->actions);
    free(s->faults);
    for (int i = 0; i < s->nexpects; i++) scn_expect_clear(&s->expects[i]);
    free(s->expects);
    for (int i = 0; i < s->nchapters; i++) {
        free(s->chapters[i].text);
        free(s->chapters[i].text_zh);
    }
    free(s->chapters);
    for (int i = 0; i < s->nquizzes; i++) scn_quiz_clear(&s->quizzes[i]);
    free(s->quizzes);
    for (int i = 0; i < s->ncode; i++) {
        free(s->code[i].text);
        free(s->code[i].text_zh);
    }
    free(s->code);
    free(s->lans);
    free(s->zones);
    free(s->rrs);
    free(s->resolvers);
    free(s);
}

int scenario_host_index(const struct scenario *s, const char *name)
{
    if (!s || !name) return -1;
    for (int i = 0; i < s->nhosts; i++)
        if (!strcmp(s->hosts[i].name, name)) return i;
    return -1;
}

int scn_code_program(const struct scenario *s, int h, int *out)
{
    int own = 0, n = 0;
    for (int i = 0; i < s->ncode; i++)
        if (s->code[i].host == h && h >= 0) own = 1;
    for (int i = 0; i < s->ncode; i++)
        if (s->code[i].host == (own ? h : -1)) {
            if (out) out[n] = i;
            n++;
        }
    return n;
}

void scn_code_programs(const struct scenario *s, int *at, int *idx)
{
    /* a counting sort by host + 1 (0: shared), stable */
    memset(at, 0, ((size_t)s->nhosts + 2) * sizeof *at);
    for (int i = 0; i < s->ncode; i++)
        if (s->code[i].host >= -1 && s->code[i].host < s->nhosts)
            at[s->code[i].host + 2]++;
    for (int h = 0; h <= s->nhosts; h++)
        at[h + 1] += at[h];
    for (int i = 0; i < s->ncode; i++)
        if (s->code[i].host >= -1 && s->code[i].host < s->nhosts)
            idx[at[s->code[i].host + 1]++] = i;
    /* each at[h + 1] now ends its program: shift back to the starts */
    for (int h = s->nhosts; h >= 0; h--)
        at[h + 1] = at[h];
    at[0] = 0;
}

/* A pattern matches TCP or UDP frames from src to dst.  For TCP, the flag set
 * must be exactly the pattern's, except that PSH is ignored unless the
 * pattern lists it (senders set PSH on data at will); any_flags matches every
 * segment; data requires a payload. */
int scn_match_frame(const struct scn_match *m, int src, int dst, int proto,
                    uint8_t tcp_flags, size_t payload_len)
{
    if (!m || m->src != src || m->dst != dst) return 0;
    if (proto != IPPROTO_TCP_NUM && proto != IPPROTO_UDP_NUM) return 0;
    if (m->proto != 0 && m->proto != proto) return 0;
    if (m->data && payload_len == 0) return 0;
    if (proto == IPPROTO_TCP_NUM && !m->any_flags) {
        uint8_t mask = (m->flags & TCP_PSH) ? 0xFF : (uint8_t)~TCP_PSH;
        if ((uint8_t)(tcp_flags & mask) != m->flags) return 0;
    }
    return 1;
}
