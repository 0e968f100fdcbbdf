/* view_quiz.h — quiz mode in the interactive timeline: the question box, the answer keys, and stepping that stops before each quiz point (the quiz itself: quiz.h).  No curses. */
#ifndef PROTOSIM_VIEW_QUIZ_H
#define PROTOSIM_VIEW_QUIZ_H

#include <stddef.h>
#include "quiz.h"
#include "view.h"

/* After a move forward from event `from` (a step, a page, a jump, play):
 * with quiz mode on, the first unanswered quiz point passed over stops the
 * move just before its record and asks (OV_QUIZ).  At the last event with
 * every question answered, the bottom line gives the score.  Returns 1
 * when a question was opened. */
int  view_quiz_gate(const struct view_index *ix, struct view_state *st, size_t from);
/* The quiz key: quiz mode on or off, said on the bottom line. */
void view_quiz_toggle(const struct view_index *ix, struct view_state *st);
/* A key while the question box is open: a choice's number or letter
 * answers, and the box then reveals the truth with the answering record's
 * narration (the view steps onto that record); any key closes the
 * revealed box; Esc closes an unanswered question (asked again at the
 * next step).  Returns 0 for a key it leaves to the key table (q, the
 * quiz key, ...), 1 when it took the key. */
int  view_quiz_key(const struct view_index *ix, struct view_state *st, int ch);
/* The question box, over the diagram (view_render calls it). */
void view_quiz_draw(const struct view_index *ix, const struct view_state *st,
                    struct view_screen *scr);
/* " · quiz 2/3" for the title bar while quiz mode is on, else "". */
int  view_quiz_title(const struct view_state *st, char *buf, size_t n, const char *dot);

#endif
