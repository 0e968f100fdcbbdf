/* view_labels.c — the diagram's labels in the longest form that fits: states with their protocol ("TCP ESTABLISHED", "TCP ESTAB"), arrows and calls by whole words (a segment last as tcpdump writes its flags, "[S.]"), timers with RFC 9293's short name for the TIME_WAIT timer (2MSL). */
#include <stdio.h>
#include <string.h>
#include "i18n.h"
#include "event.h"
#include "arp.h"
#include "dns.h"
#include "summary.h"
#include "tcp.h"
#include "view.h"
#include "wire.h"
#include "viewint.h"

/* ---- states ---------------------------------------------------------------- */

/* A shorter name where the full one is long: the abbreviations BSD's
 * netstat (SYN_RCVD) and ss (ESTAB) print, and the resolver's steps
 * shortened; NULL where the full name is short enough already. */
static const char *state_short(int layer, int state)
{
    if (layer == TL_TCP) {
        switch (state) {
        case TCPS_SYN_RECEIVED: return "SYN_RCVD";
        case TCPS_ESTABLISHED:  return "ESTAB";
        case TCPS_FIN_WAIT_1:   return "FIN_WAIT1";
        case TCPS_FIN_WAIT_2:   return "FIN_WAIT2";
        default:                return NULL;
        }
    }
    if (layer == TL_DNS) {
        switch (state) {
        case DNS_CHECK_CACHE:     return "CHK_CACHE";
        case DNS_ASKING_ROOT:     return "ASK_ROOT";
        case DNS_ASKING_TLD:      return "ASK_TLD";
        case DNS_ASKING_AUTH:     return "ASK_AUTH";
        case DNS_ASKING_RESOLVER: return "ASK_RSLVR";
        default:                  return NULL;
        }
    }
    if (layer == TL_ARP && state == ARP_INCOMPLETE)
        return "INCOMPL";
    return NULL;
}

static const char *layer_tag(int layer)
{
    switch (layer) {
    case TL_TCP: return "TCP";
    case TL_ARP: return "ARP";
    case TL_DNS: return "DNS";
    default:     return NULL;
    }
}

const char *vw_state_label(int layer, int state, int width, char *buf, size_t n)
{
    const char *tag = layer_tag(layer), *name = trace_state_name(layer, state);
    if (!tag) {
        snprintf(buf, n, "%s", name);
        return buf;
    }
    snprintf(buf, n, "%s %s", tag, name);
    const char *sh = state_short(layer, state);
    if (view_text_width(buf) > width && sh)
        snprintf(buf, n, "%s %s", tag, sh);
    return buf;
}

/* ---- arrows ---------------------------------------------------------------- */

/* Words that say nothing once what follows them is gone. */
static int dangling(const char *w, size_t len)
{
    static const char *const words[] = { "tell", "is-at", "=", "+", "glue", "as",
                                         "a", "an", "the", "to", "from", "with" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == len && !memcmp(w, words[i], len))
            return 1;
    return 0;
}

/* Drops the last word of buf, and any dangling word before it; returns 0
 * when buf is down to one word. */
static int drop_word(char *buf)
{
    char *sp = strrchr(buf, ' ');
    if (!sp)
        return 0;
    *sp = '\0';
    while ((sp = strrchr(buf, ' ')) && dangling(sp + 1, strlen(sp + 1)))
        *sp = '\0';
    return 1;
}

/* The longest of buf's word-prefixes that fits width (buf itself when it
 * fits; the first word when nothing does). */
static void fit_words(char *buf, int width)
{
    while (view_text_width(buf) > width && drop_word(buf))
        ;
}

/* A TCP segment's flags in tcpdump's notation, the shortest there is:
 * "[S.]" for SYN,ACK, "[F.]", "[P.]", "[.]" for a bare ACK.  buf is left as
 * it is for anything else. */
static void tcp_flags_short(const struct trace *tr, const struct trace_rec *r,
                            char *buf, size_t n)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (!p || frame_decode(p, len, &f, err, sizeof err) != 0 || !f.has_ip ||
        f.l4 != IPPROTO_TCP_NUM)
        return;
    static const struct { uint8_t flag; char c; } marks[] = {
        { TCP_SYN, 'S' }, { TCP_FIN, 'F' }, { TCP_PSH, 'P' }, { TCP_RST, 'R' },
        { TCP_URG, 'U' }, { TCP_ACK, '.' },
    };
    char t[16];
    size_t k = 0;
    t[k++] = '[';
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (f.tcp.flags & marks[i].flag)
            t[k++] = marks[i].c;
    t[k++] = ']';
    t[k] = '\0';
    snprintf(buf, n, "%s", t);
}

const char *vw_packet_label_fit(const struct trace *tr, const struct trace_rec *r,
                                int width, char *buf, size_t n)
{
    view_packet_label(tr, r, buf, n);
    if (view_text_width(buf) <= width)
        return buf;
    char alt[256];
    const char *p;
    if (!strncmp(buf, "ARP ", 4) && (p = strstr(buf, " is-at "))) {
        /* "ARP 192.0.2.1 is-at 02:...": the answer first, then the word */
        snprintf(alt, sizeof alt, "ARP%s", p);
        if (view_text_width(alt) > width)
            snprintf(alt, sizeof alt, "ARP is-at");
        if (view_text_width(alt) > width)
            snprintf(alt, sizeof alt, "ARP");
        snprintf(buf, n, "%s", alt);
        return buf;
    }
    if ((p = strstr(buf, " HTTP "))) {
        /* a segment carrying HTTP: what it says, not its numbers */
        snprintf(alt, sizeof alt, "%s", p + 1);
        fit_words(alt, width);
        snprintf(buf, n, "%s", alt);
        return buf;
    }
    fit_words(buf, width);
    if (view_text_width(buf) > width)
        tcp_flags_short(tr, r, buf, n);
    return buf;
}

void vw_call_label_fit(char *buf, int width)
{
    if (view_text_width(buf) <= width)
        return;
    /* the data a call carries goes first ("send() 95 bytes" is the call) */
    char *q = strstr(buf, " \"");
    if (q)
        *q = '\0';
    if (view_text_width(buf) <= width)
        return;
    /* then the call alone: "listen(80)", "resolve(www.example.com)"; then
     * without its arguments: "resolve()" */
    char *paren = strchr(buf, ')'), *open = strchr(buf, '(');
    if (paren && open && open < paren) {
        paren[1] = '\0';
        if (view_text_width(buf) > width) {
            open[1] = ')';
            open[2] = '\0';
        }
        return;
    }
    fit_words(buf, width);
}

/* ---- timers ---------------------------------------------------------------- */

/* RFC 9293 3.10.8 calls the TIME_WAIT timer the 2MSL timer. */
static const char *timer_short(int name)
{
    return name == TM_TIME_WAIT ? "2MSL" : timer_name_str(name);
}

const char *vw_timer_label(const struct view_index *ix, const struct view_state *st,
                           size_t i, int width, char *buf, size_t n)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    char d[32], left[32];
    for (int form = 0; form < 5; form++) {
        const char *name = form ? timer_short(r->u.timer.name)
                                : timer_name_str(r->u.timer.name);
        switch (r->u.timer.action) {
        case TA_START:
            fmt_duration(r->u.timer.due_us - r->t_us, d, sizeof d);
            if (ix->end[i] < 0 || (size_t)ix->end[i] > st->cur) {
                int64_t rem = r->u.timer.due_us - tr->recs[st->cur].t_us;
                fmt_duration(rem > 0 ? rem : 0, left, sizeof left);
                if (form < 2) {
                    snprintf(buf, n, _("%s %s, %s left"), name, d, left);
                } else if (form == 2) {
                    snprintf(buf, n, _("%s, %s left"), name, left);
                } else {
                    /* about as long: whole seconds from half a second
                     * on, else whole milliseconds */
                    int64_t u = rem >= US_PER_S / 2 ? US_PER_S : 1000;
                    fmt_duration(rem > 0 ? (rem + u / 2) / u * u : 0, left,
                                 sizeof left);
                    if (form == 3)
                        snprintf(buf, n, _("%s ~%s left"), name, left);
                    else
                        snprintf(buf, n, _("%s ~%s"), name, left);
                }
            } else {
                snprintf(buf, n, "%s %s", name, d);
            }
            break;
        case TA_STOP:
            snprintf(buf, n, _("%s stopped"), name);
            break;
        default:
            snprintf(buf, n, _("%s expired"), name);
            break;
        }
        if (view_text_width(buf) <= width)
            break;
    }
    return buf;
}
