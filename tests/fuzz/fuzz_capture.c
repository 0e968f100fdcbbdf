/* fuzz_capture.c — libFuzzer target: any bytes as the file --read is given.
 * capture_parse reads them as pcap or pcapng; when it takes them, the
 * capture is drawn (read_capture: lifelines, arrivals, the TCBs driven by
 * its segments) and its trace written as text and JSON Lines, as
 * `protosim --read` does. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "capture.h"
#include "read.h"
#include "render.h"
#include "scenario.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct capture cap;
    char err[256];
    if (capture_parse(data, size, &cap, err, sizeof err) != 0)
        return 0;
    struct sim s;
    struct scenario *scn = read_capture("fuzz.pcap", &cap, &s, err, sizeof err);
    capture_free(&cap);
    if (!scn)
        return 0;
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        render_text(null, &s);
        render_json(null, &s);
        fclose(null);
    }
    sim_free(&s);
    scenario_free(scn);
    return 0;
}
