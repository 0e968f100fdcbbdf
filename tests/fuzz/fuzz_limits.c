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
#include "scenario.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    static int print = -1;
    size_t len;
    char *text;

    if (print < 0)
        print = getenv("FUZZ_PRINT_LESSON") != NULL;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    text = lesson_generate(data, size, &len);
    if (!text)
        return 0;
    if (print) {                       /* before the run, which may crash */
        fwrite(text, 1, len, stdout);
        fflush(stdout);
    }
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("lesson.scn", text, len, &e);
    if (s) {
        struct sim sim;
        sim_init(&sim, s, s->seed);        /* the program's limits */
        sim_run(&sim);
        render_text(sink, &sim);
        sim_check(&sim, NULL, NULL);
        sim_free(&sim);
        scenario_free(s);
    }
    scn_errors_free(&e);
    free(text);
    return 0;
}
