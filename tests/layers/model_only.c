/* model_only.c — the model and the scenario language linked alone, with no
 * curses, no Check and no front end (Makefile: layer_model).  If the model
 * or the language called into the front end or curses, this would not link.
 * It runs one lesson and prints what tests/layers.sh compares with the
 * full program: the number of trace records and of failed expectations. */
#include <stdio.h>
#include <stdlib.h>
#include "lang.h"
#include "sim.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s LESSON.scn\n", argv[0]);
        return 64;
    }
    struct scn_errors errs = { 0 };
    int io = 0;
    struct scenario *scn = scenario_load(argv[1], &errs, &io);
    if (!scn) {
        for (int i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        scn_errors_free(&errs);
        return io ? 66 : 65;
    }
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        return 71;
    sim_init(s, scn, scn->seed);
    sim_run(s);
    char **fails = NULL;
    int nfails = 0;
    int bad = scn_check(s, &fails, &nfails);
    printf("records %zu failed %d\n", s->tr.n, bad);
    for (int i = 0; i < nfails; i++)
        free(fails[i]);
    free(fails);
    sim_free(s);
    free(s);
    scenario_free(scn);
    return bad ? 1 : 0;
}
