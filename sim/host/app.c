/* app.c — the table of applications and the dispatch through it (app.h);
 * the applications themselves are in udpapp.c, framedapp.c, httpapp.c,
 * dnsapp.c and wsgiapp.c. */
#include "app.h"
#include "narrate.h"

/* DNS before the UDP sockets: a datagram for a DNS role's port is DNS's
 * (see app.h). */
static const struct app_ops *const app_table[] = {
    &dns_app, &udp_app, &framed_app, &http_app, &wsgi_app,
};
enum { NAPPS = (int)(sizeof app_table / sizeof app_table[0]) };

void app_init(struct sim *s)
{
    for (int i = 0; i < NAPPS; i++)
        if (app_table[i]->init)
            app_table[i]->init(s);
}

void app_free(struct sim *s)
{
    for (int i = 0; i < NAPPS; i++)
        if (app_table[i]->free)
            app_table[i]->free(s);
}

int app_action(struct sim *s, const struct scn_action *a)
{
    for (int i = 0; i < NAPPS; i++)
        if (app_table[i]->action && app_table[i]->action(s, a))
            return 1;
    return 0;
}

void sim_udp_arrive(struct sim *s, int h, const struct frame *f, uint32_t pkt)
{
    for (int i = 0; i < NAPPS; i++)
        if (app_table[i]->udp_arrive && app_table[i]->udp_arrive(s, h, f, pkt))
            return;
    net_drop_arrived(s, h, pkt, TL_UDP, DR_NOPORT,
                     WHY(N_NET_NOPORT, f->udp.dport));
}

void app_own(struct sim_conn *sc, const struct app_ops *app)
{
    int i = 0;
    while (app_table[i] != app)
        i++;
    sc->app = (uint8_t)(i + 1);
}

void app_poll(struct sim *s, struct sim_conn *sc)
{
    const struct app_ops *app = sc->app ? app_table[sc->app - 1] : NULL;
    if (app && app->poll)
        app->poll(s, sc);
}

/* The event carries the app's place in the table, so that sim.c needs to
 * know no app by name. */
event_id app_timer_at(struct sim *s, const struct app_ops *app, int64_t t,
                      void *who)
{
    int i = 0;
    while (app_table[i] != app)
        i++;
    return eq_schedule(&s->q, t < s->now ? s->now : t, EV_APP_TIMER, who, i);
}

void app_timer(struct sim *s, const struct event *e)
{
    app_table[e->arg]->timer(s, e->ptr);
}
