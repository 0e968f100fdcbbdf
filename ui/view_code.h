/* view_code.h — the code pane: a lesson's source lines (`code` lines) beside the diagram, and which line each socket call of the run is.
 *
 * A lesson ties a call to a line of its host's program with `... line N`
 * at the end of an `at` line (scenarios/README.md, "Code beside the
 * diagram").  The model knows nothing of code: the tie is found here,
 * over the finished trace, by the rule that an action's call is the first
 * application record of the same host and the same call (socket, bind,
 * listen, accept, connect, send, recv, close, ...), on the same side of
 * UDP/TCP, at or after the action's time, that no earlier action took.
 * Every action makes its call's record at its own time, in file order,
 * except a blocking accept(), whose record comes when a connection
 * completes: the rule finds both.
 *
 * Everything here is pure (no curses): tests/test_view.c checks which
 * line is marked at each event, and view.c draws the pane. */
#ifndef PROTOSIM_VIEW_CODE_H
#define PROTOSIM_VIEW_CODE_H

#include <stddef.h>
#include <stdint.h>
#include "trace.h"

struct scenario;
struct view_lines;

/* One program: a host's own `code HOST` lines, or the shared `code`
 * lines (host -1) that every host without its own runs. */
struct code_prog {
    int  host;              /* -1: shared */
    int *idx;               /* indices into scn->code, in order */
    int  n;
    size_t *ties;           /* its ties: indices into code_map.tie, in order */
    size_t  nties;
};

/* A call of the run tied to a code line. */
struct code_tie {
    size_t rec;             /* the record of the call */
    int    host;
    int    prog;            /* index into code_map.prog */
    int    line;            /* 1-based, in that program */
};

struct code_map {
    const struct scenario *scn;
    struct code_prog *prog;
    int    nprog;
    struct code_tie *tie;   /* in record order */
    size_t ntie;
    size_t steps;           /* records looked at to find the actions'
                               calls (tests/test_code.c bounds it) */
};

/* The lesson's programs and its calls' ties over a finished (kept)
 * trace of its run.  A lesson without `code` lines has no programs. */
void code_map_build(struct code_map *m, const struct scenario *scn,
                    const struct trace *tr);
void code_map_free(struct code_map *m);
/* The tie of the newest tied call at or before event cur, or -1. */
long code_map_at(const struct code_map *m, size_t cur);
/* Program p's newest tied call at or before cur: its line, or 0. */
int code_map_prog_line(const struct code_map *m, int p, size_t cur);

/* The pane's text at event cur, width columns: each program under a
 * heading (its host's name), its lines numbered; the line of the newest
 * call (code_map_at) marked ▸ and highlighted, each other program's
 * last call marked.  *sel: the index in out of the highlighted line, -1
 * when no call has run yet. */
void view_code_lines(const struct code_map *m, size_t cur, int width, int utf8,
                     struct view_lines *out, int *sel);
/* The first line shown in a pane of height rows holding n lines so that
 * line sel stays visible (a third from the top when it must scroll);
 * a function of the event alone, so stepping back shows the same. */
int view_code_top(int n, int height, int sel);

#endif
