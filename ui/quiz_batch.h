/* quiz_batch.h — `--quiz --batch`: the quiz of a finished run as plain text, answered from a stream. */
#ifndef PROTOSIM_QUIZ_BATCH_H
#define PROTOSIM_QUIZ_BATCH_H

#include <stdio.h>
#include <stdint.h>
#include "scenario.h"
#include "sim.h"

/* Prints the run (trace kept whole) record by record as the timeline does,
 * and before each quiz point its question and numbered choices; reads one
 * answer a line from in (quiz_parse_answer: number, letter or text; a line
 * that names no choice counts as wrong); after each answer says right or
 * wrong, the right choice, and the answering record with its narration.
 * At the end of in, the remaining questions are shown with their answers
 * and count as wrong, and the output says so.  A run a limit stopped
 * ends its records with the `limit` line and cause the --batch timeline
 * gives it, so the output says it is cut short.  Ends with the line
 * `score N/M` (untranslated: scripts read it).  Returns 0, or -1 when
 * writing out failed. */
int quiz_batch(FILE *in, FILE *out, const struct scenario *scn, const struct sim *s,
               uint64_t seed);

#endif
