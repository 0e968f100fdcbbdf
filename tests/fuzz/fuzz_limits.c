/* fuzz_limits.c — libFuzzer target: the lessons of fuzz_lesson.c run with
 * the program's own limits, exactly as `protosim --batch LESSON` would run
 * them (ui/main.c: sim_init's defaults, nothing capped here), then checked
 * and rendered as text.  Run it with a time and memory budget:
 *     build-fuzz/fuzz_limits -timeout=10 -rss_limit_mb=1024 CORPUS
 * A lesson that takes longer or needs more is a finding: a student can write
 * it, and the program would hang or swallow the machine.
 *
 * The run budgets (time, events, frames in flight, trace, memory) have
 * their defaults in sim_init(), so this target sets nothing: it sees what
 * the program does by default, and a lesson stopped by a budget is not a
 * finding, one that escapes them is. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "lessongen.h"
#include "render.h"
#include "lang.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    struct scenario *s = lesson_parse(data, size);
    if (!s)
        return 0;
    struct sim sim;
    sim_init(&sim, s, s->seed);            /* the program's limits */
    sim_run(&sim);
    render_text(sink, &sim);
    scn_check(&sim, NULL, NULL);
    sim_free(&sim);
    scenario_free(s);
    return 0;
}
