/* fuzz_scenario.c — libFuzzer target: the scenario parser on any bytes,
 * and a parsed scenario run briefly through the simulator, checked, and
 * made into a quiz (its quiz lines, or the model's questions). */
#include <stddef.h>
#include <stdint.h>
#include "lang.h"
#include "quiz.h"
#include "view.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scn_errors e = { 0 };
    /* repeats expand to at most 5,000 lines here, so that one input cannot
     * declare more hosts or records than a quick run affords; the program's
     * limit of 10,000,000 is for lessons that mean it */
    struct scenario *s = scenario_parse_max("fuzz.scn", (const char *)data, size, &e, 5000);
    if (s) {
        struct sim sim;
        sim_init(&sim, s, 1);
        sim.end_us = 120LL * 1000000;      /* keep each input quick */
        sim.max_events = 20000;
        sim_run(&sim);
        scn_check(&sim, NULL, NULL);
        /* the view's index (and its crowd, folded) and the quiz built
         * on it, as the timeline does when it opens */
        struct view_index ix;
        view_index_build(&ix, &sim.tr);
        struct quiz q;
        quiz_build(&q, s, &sim.tr, 1, ix.crowd);
        quiz_free(&q);
        view_index_free(&ix);
        sim_free(&sim);
        scenario_free(s);
    }
    scn_errors_free(&e);
    return 0;
}
