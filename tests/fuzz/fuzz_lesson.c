/* fuzz_lesson.c — structure-aware libFuzzer target: the input bytes choose a
 * VALID lesson (lessongen.c), which is written out as text, parsed by
 * scenario_parse, run, checked and rendered as text, JSON and pcap.  Nearly
 * every input reaches the simulator, so the fuzzer spends its time in the
 * TCP state machine, ARP, DNS and the renderers rather than in parse errors.
 *
 * A lesson the parser refuses is a finding too (the generator and the
 * language disagree): the target aborts and prints the lesson and errors.
 *
 * FUZZ_PRINT_LESSON=1 prints each input's lesson on stdout, which turns a
 * finding into a regression lesson:
 *     FUZZ_PRINT_LESSON=1 build-fuzz/fuzz_lesson crash-123 > regress/x.scn
 *
 * Each run stops after LESSON_MAX_EVENTS events to keep the fuzzer fast;
 * fuzz_limits.c runs the same lessons with the program's own limits. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "lessongen.h"
#include "render.h"
#include "scenario.h"
#include "sim.h"

#define LESSON_MAX_EVENTS 200000

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
    if (!s) {
        fprintf(stderr, "fuzz_lesson: the generated lesson does not parse:\n%s\n", text);
        for (int i = 0; i < e.n; i++)
            fprintf(stderr, "%s\n", e.msgs[i]);
        abort();
    }
    struct sim sim;
    sim_init(&sim, s, s->seed);
    sim.max_events = LESSON_MAX_EVENTS;
    sim_run(&sim);
    char **msgs = NULL;
    int nmsgs = 0;
    sim_check(&sim, &msgs, &nmsgs);
    for (int i = 0; i < nmsgs; i++)
        free(msgs[i]);
    free(msgs);
    render_text(sink, &sim);
    render_json(sink, &sim);
    render_pcap(sink, &sim.tr);
    sim_free(&sim);
    scenario_free(s);
    scn_errors_free(&e);
    free(text);
    return 0;
}
