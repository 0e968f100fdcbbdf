/* tui.h — the interactive ncurses timeline's entry points, for main.c (no curses here). */
#ifndef PROTOSIM_TUI_H
#define PROTOSIM_TUI_H

#include <stddef.h>
#include <stdint.h>
#include "lang.h"
#include "sim.h"
#include "view.h"

/* Why the interactive UI cannot run here (stdin or stdout not a terminal,
 * TERM unset or "dumb"), or NULL when it can be tried. */
const char *tui_unusable(void);

struct real_opts;

/* Shows the finished run *s of *scn until the user quits.  `o` may load
 * another shipped scenario or a typed path, `r` the same file again: then
 * *scn and *s are replaced (the old ones freed) and the caller frees
 * whatever is there at the end.  What-if runs (x, d; whatif.c) live in
 * memory of their own and are gone by the time this returns.  The new run
 * uses `seed` when have_seed, else the scenario's own seed — the choice the
 * command line makes.  `real` is NULL, or the --real options the first run
 * was replayed with: a scenario opened with `o` is then replayed on
 * loopback too (real_run, bounded as ever), and a replay that cannot run
 * is said on the bottom line while the model is shown alone.  Returns 0,
 * or -1 without touching the terminal when curses cannot start on it
 * (reason in why). */
int tui_run(struct scenario **scn, struct sim *s, int have_seed, uint64_t seed,
            const struct real_opts *real, const char *argv0, char *why,
            size_t whylen);

/* --read: the next tui_run shows the lesson read_capture made of cap (a
 * language switch reads it again; what-if and R are off for it).  cap and
 * scn must outlive the tui_run. */
struct capture;
struct scenario;
void tui_set_capture(const struct capture *cap, const struct scenario *scn);

/* --quiz: the next tui_run starts with quiz mode on (Q turns it on and off
 * there). */
void tui_set_quiz(int on);

/* For `make bench`: draws `frames` frames of the timeline (render, every
 * cell through curses, refresh) into a w x h newterm() screen that writes to
 * /dev/null, stepping st->cur one event per frame (wrapping at the end).
 * Returns the frames drawn, or -1 when curses cannot start there. */
long tui_bench_frames(const struct view_index *ix, struct view_state *st, int w,
                      int h, long frames);

#endif
