/* lang.h — the scenario language: text in, a checked scenario out
 * (lexer and helpers in lex.c, lines and repeats in repeat.c, keywords in
 * parse.c, parse_action.c and parse_expect.c, whole-file checks in
 * check.c), and the `expect` lines checked record by record as the run
 * goes (expect.c, expect_frames.c).  The model (sim/) never includes this;
 * the language depends on the model, not the other way round. */
#ifndef PROTOSIM_LANG_H
#define PROTOSIM_LANG_H

#include <stddef.h>
#include <stdint.h>
#include "scenario.h"
#include "sim.h"

/* Errors collected while parsing, each "file:line:col: error: message". */
struct scn_errors {
    char **msgs;
    int    n;
    /* in: the run's --max-memory, which the lesson's own model counts
     * against as it is read (sim_lesson_bytes; 0: not checked); out: set
     * when the lesson passed it (a limit, not a mistake: exit status 3) */
    uint64_t max_memory;
    int    over_memory;
};

/* Parses text (not NUL-terminated necessarily; len bytes) read from `path`.
 * Returns a scenario, or NULL with at least one message in errs. */
struct scenario *scenario_parse(const char *path, const char *text, size_t len,
                                struct scn_errors *errs);
/* The most lines the `repeat`s of one file may expand to: a count that
 * would pass it is an error at the count. */
#define SCN_REPEAT_LINES_MAX UINT64_C(10000000)
/* scenario_parse with another expansion limit (a fuzzer's, say), and text
 * bounded at 100 bytes a line of it (at most 1 GiB). */
struct scenario *scenario_parse_max(const char *path, const char *text, size_t len,
                                    struct scn_errors *errs, uint64_t max_lines);
/* Reads and parses a file.  Returns NULL with *io_error = errno when the file
 * cannot be read (errs untouched), or NULL with messages in errs. */
struct scenario *scenario_load(const char *path, struct scn_errors *errs,
                               int *io_error);
void scn_errors_free(struct scn_errors *e);

/* A checker of a scenario's expect lines, fed the run's records one by one
 * as a trace sink (scn_checker_rec), so that it needs no trace kept: each
 * expectation keeps a small state, not the records.  Make it once the
 * trace has its hosts (after sim_init) and add it before the run. */
struct scn_checker;
struct scn_checker *scn_checker_new(const struct scenario *scn, const struct trace *tr);
/* The sink's function (struct trace_sink.rec), ctx the checker. */
void scn_checker_rec(void *ctx, const struct trace *tr, size_t i, const struct trace_rec *r);
/* The run was cut short by a limit at t_us (instant_done: every record of
 * that instant was made, as when --max-time stops it): a line about a
 * later time that the records so far do not decide is reported as "file:
 * line: expectation not checked: ..." and does not hold.  Call before
 * scn_checker_finish. */
void scn_checker_cut(struct scn_checker *c, int64_t t_us, int instant_done);
/* The verdicts once the run is over: one "file:line: expectation failed:
 * ..." line per failure, in the order of the lines, into out (if not NULL);
 * returns the number of failures and frees the checker. */
int scn_checker_finish(struct scn_checker *c, char ***out, int *nout);
/* The same, and *unchecked (if not NULL) the failures that are "not
 * checked" lines of a run cut short. */
int scn_checker_finish_cut(struct scn_checker *c, char ***out, int *nout,
                           int *unchecked);

/* The same over a finished run whose trace was kept whole: its records fed
 * to a checker in order. */
int scn_check(const struct sim *s, char ***out, int *nout);

/* Quiz lines (issue 13): the record of the run that answers each, found
 * record by record as a trace sink (scn_quiz_finder_rec, ctx the finder),
 * like the checker.  Make it before the run, or feed it a kept trace. */
struct scn_quiz_finder;
struct scn_quiz_finder *scn_quiz_finder_new(const struct scenario *scn);
void scn_quiz_finder_rec(void *ctx, const struct trace *tr, size_t i,
                         const struct trace_rec *r);
/* The run was cut short by a limit at t_us: a quiz line whose record did
 * not come is "not reached", not "never happens". */
void scn_quiz_finder_cut(struct scn_quiz_finder *f, int64_t t_us);
/* The index of the record that answers quiz line k, or -1 (none yet). */
long scn_quiz_finder_at(const struct scn_quiz_finder *f, int k);
/* One "file:line:col: quiz answer never happens: ..." per quiz line the
 * run made no record for ("quiz answer not reached: ..." when the run was
 * cut short), one "file:line:col: quiz answered by the run's first
 * record: ..." per line answered by record 0 (nothing is shown before it,
 * so it is not asked), and one "file:line:col: quiz answered by the same
 * record as ..." per line whose record an earlier line already asks about
 * (only one question is asked before a record), appended to *out (if out
 * is not NULL); returns how many there are: the lines the quiz leaves out. */
int scn_quiz_finder_misses(const struct scn_quiz_finder *f, const struct trace *tr,
                           char ***out, int *nout);
void scn_quiz_finder_free(struct scn_quiz_finder *f);

/* One "file:line:col: warning: fault not applied: ..." per fault rule whose
 * #N never came (seen[i]: the frames that matched rule i, sim_fault_seen),
 * or "... fault not reached: ..." when the run was cut short (cut, at cut_us),
 * appended to *out (if out is not NULL); returns how many there are. */
int scn_fault_misses(const struct scenario *scn, const struct trace *tr,
                     const uint32_t *seen, int cut, int64_t cut_us,
                     char ***out, int *nout);

/* The TCP state of host h's most recently created connection at time t, as
 * read from a kept trace (CLOSED when it has none). */
int scn_tcp_state_at(const struct trace *tr, int host, int64_t t);

#endif
