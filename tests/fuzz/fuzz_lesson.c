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
#include "lang.h"
#include "sim.h"

#define LESSON_MAX_EVENTS 200000

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
    sim_init(&sim, s, s->seed);
    sim.max_events = LESSON_MAX_EVENTS;
    sim_run(&sim);
    char **msgs = NULL;
    int nmsgs = 0;
    scn_check(&sim, &msgs, &nmsgs);
    for (int i = 0; i < nmsgs; i++)
        free(msgs[i]);
    free(msgs);
    render_text(sink, &sim);
    render_json(sink, &sim);
    render_pcap(sink, &sim.tr);
    sim_free(&sim);
    scenario_free(s);
    return 0;
}
