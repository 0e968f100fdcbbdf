/* app.h — the one way applications plug into the simulated hosts.
 *
 * An application is a struct app_ops with only the hooks it needs (the
 * others NULL).  app.c lists every application in app_table[] and is the
 * only place sim.c and net.c reach them through:
 *
 *   app_init / app_free      every app's init / free, in table order
 *   app_action               a scenario action: the first app whose action
 *                            hook returns 1 took it
 *   sim_udp_arrive           a datagram: the first app whose udp_arrive
 *                            returns 1 took it, else a drop (no port)
 *   app_poll                 after any event on a TCB: the poll of the app
 *                            that owns it (app_own), if any
 *   app_timer_at / EV_APP_TIMER   an app's own wake-up, back to its timer
 *
 * To add an application FOO:
 *   1. write sim/host/fooapp.c defining `const struct app_ops foo_app`;
 *   2. declare it below and add &foo_app to app_table[] in app.c (order
 *      matters only where two apps could take the same datagram: DNS sits
 *      before the UDP sockets so that port 53 reaches the DNS roles);
 *   3. new scenario actions need their ACT_ kind in scenario.h and their
 *      syntax in lang/parse_action.c; state kept per run goes in struct sim (as
 *      `dns` for dnsapp.c), state per connection in struct sim_conn. */
#ifndef PROTOSIM_APP_H
#define PROTOSIM_APP_H

#include "simint.h"

struct app_ops {
    const char *name;
    /* once the hosts exist, before the first event / when the run ends */
    void (*init)(struct sim *s);
    void (*free)(struct sim *s);
    /* a scenario action; returns 1 if it was this app's */
    int  (*action)(struct sim *s, const struct scn_action *a);
    /* a UDP datagram for host h; returns 1 if this app took it (and
     * recorded any drop itself) */
    int  (*udp_arrive)(struct sim *s, int h, const struct frame *f,
                       uint32_t pkt);
    /* after any event on a TCB whose sc->app is this app: read, write,
     * close as the app's script says */
    void (*poll)(struct sim *s, struct sim_conn *sc);
    /* the wake-up this app asked for with app_timer_at(), for `who` */
    void (*timer)(struct sim *s, void *who);
};

extern const struct app_ops udp_app, framed_app, http_app, dns_app, wsgi_app;

/* HTTP over a TCB, shared by httpapp.c and wsgiapp.c.  The length of the
 * request head waiting in c's receive queue, through its blank line
 * ("\r\n\r\n"), or 0 while it is incomplete. */
size_t app_http_head_len(const struct tcp_conn *c);
/* Writes head + body on sc's connection (recorded as one send, narrated
 * by why) and closes it. */
void app_send_close(struct sim *s, struct sim_conn *sc, const char *head,
                    const char *body, struct why why);

/* app owns sc from now on: its poll runs after every event on sc. */
void app_own(struct sim_conn *sc, const struct app_ops *app);
/* Schedules app's timer hook for `who` at time t (never in the past). */
event_id app_timer_at(struct sim *s, const struct app_ops *app, int64_t t,
                      void *who);
/* Runs the timer of an EV_APP_TIMER event (sim.c). */
void app_timer(struct sim *s, const struct event *e);

#endif
