/* whatif.h — "what if": a chosen packet dropped or delayed by a fault line of the scenario language, the lesson run again, where the new story departs from the old, undo, and saving the changed lesson (no curses here).
 *
 * A what-if is the same thing a teacher could write: the selected packet's
 * own selector (`fault drop client->server tcp SYN #2`), appended with a
 * comment to the lesson's text, parsed by the language and run like any
 * lesson.  The runs stack: each what-if keeps the run it was made from
 * (scenario, trace, index and the whole view state), so undo gives back
 * exactly what was on the screen.  The pure parts (the selector, the
 * departure point, the text) are unit-tested in tests/test_whatif.c. */
#ifndef PROTOSIM_WHATIF_H
#define PROTOSIM_WHATIF_H

#include <stddef.h>
#include <stdint.h>
#include "lang.h"
#include "sim.h"
#include "view.h"

enum whatif_kind { WI_DROP, WI_DELAY };

/* ---- pure functions ------------------------------------------------------ */

/* The TK_SEND a packet event is about: the event itself for a send, the
 * send it ends for an arrival or a drop, and for a copy the network made
 * the frame it copied (a fault counts that one).  -1 when event i is no
 * packet of the wire, with *why saying so (translated). */
long whatif_packet_send(const struct trace *tr, size_t i, const char **why);

/* The fault line that does `kind` to exactly the frame of event i, as the
 * scenario language reads it: `fault drop SRC->DST tcp FLAGS #N` (FLAGS
 * exactly the segment's, so PSH counts), `fault drop SRC->DST udp #N`, and
 * for WI_DELAY ` by BY` after it.  #N counts the frames SRC sent DST that
 * match the pattern, as the network's fault rules count them.  Returns 0,
 * or -1 with a translated reason in err (an ARP frame, a broadcast, no
 * packet). */
int whatif_selector(const struct trace *tr, size_t i, int kind, const char *by,
                    char *line, size_t n, char *err, size_t en);

/* Is s a duration the language accepts in `by`: digits, an optional
 * fraction, then us, ms, s or m ("1s", "500ms", "1.5s")? */
int whatif_duration_ok(const char *s);

/* The first record where trace b's story departs from trace a's: the
 * first index whose kind, host, time or one-line summary (render_event)
 * differs, or the shorter length when one is the other's beginning; -1
 * when the two runs tell the same story. */
long whatif_departure(const struct trace *a, const struct trace *b);

/* The lesson's text with one what-if added: text (a newline added if it
 * lacks one), a blank line, `# COMMENT` and LINE, each ending in a
 * newline.  malloc'd, length in *outlen. */
char *whatif_text(const char *text, size_t len, const char *comment,
                  const char *line, size_t *outlen);

/* Where a what-if of the lesson at `path` is saved by default:
 * "NAME-whatif.scn" in the current directory (NAME: the file's name
 * without its .scn).  malloc'd. */
char *whatif_save_name(const char *path);

/* A lesson file's bytes (at most SCN_FILE_MAX), malloc'd and NUL-ended,
 * length in *len; NULL with *err an errno when it cannot be read. */
char *whatif_read_file(const char *path, size_t *len, int *err);

/* Writes len bytes to path.  0, or an errno. */
int whatif_write_file(const char *path, const char *text, size_t len);

/* ---- the stack of runs ---------------------------------------------------- */

/* A run the what-ifs were made on, kept whole for undo. */
struct whatif_frame {
    struct scenario *scn;
    struct sim *sim;
    int own_sim;               /* a what-if's sim (ours to free); 0: the caller's */
    struct view_index ix;
    struct view_state st;      /* the screen as it was, byte for byte */
    char *text;                /* the lesson's text that ran */
    size_t len;
};

/* The session's current run, seen through the session's own variables
 * (the interactive view's): what-ifs replace them and undo puts them
 * back. */
struct whatif {
    struct scenario **scn;
    struct sim **s;
    struct view_index *ix;
    struct view_state *st;
    int have_seed;
    uint64_t seed;
    int real;                  /* WHATIF_OFF_REAL or _CAPTURE: what-if is off */
    char *text;                /* the current run's lesson text; NULL: unread */
    size_t len;
    int own_sim;
    struct sim_budgets budgets; /* the session's first run's: every re-run's */
    struct whatif_frame *stack;
    int depth, cap;
};

/* Why what-if may be off: --real (the kernel's side could not lose the
 * same frame), or --read (a capture is what happened). */
enum { WHATIF_OFF_REAL = 1, WHATIF_OFF_CAPTURE = 2 };

/* Starts on the session's run; reads the lesson's text from its path (a
 * lesson whose file cannot be read again has no what-if).  real: 0, or
 * why what-if is off. */
void whatif_init(struct whatif *w, struct scenario **scn, struct sim **s,
                 struct view_index *ix, struct view_state *st, int have_seed,
                 uint64_t seed, int real);
/* The text of a lesson just loaded in place of the current one (owned
 * from now on); call after whatif_clear. */
void whatif_set_text(struct whatif *w, char *text, size_t len);

/* Drops (WI_DROP) or delays by `by` (WI_DELAY) the packet of the selected
 * event: the lesson runs again with that fault line, and the view lands on
 * the first event that differs, marked (view_state.depart).  `before` is
 * the view state to give back on undo (the screen before the key that
 * asked).  Says what happened in st->msg.  Returns 0 when a new run is
 * shown. */
int whatif_apply(struct whatif *w, int kind, const char *by,
                 const struct view_state *before);
/* Back to the run the last what-if was made from, exactly as it was shown. */
int whatif_undo(struct whatif *w);
/* All what-ifs dropped: the first run is current again. */
void whatif_clear(struct whatif *w);
/* The language changed: the kept runs run again in it (the current one is
 * the caller's to run). */
void whatif_relang(struct whatif *w);
/* Saves the current run's lesson text (the what-ifs included) to path;
 * says so in st->msg.  0, or -1. */
int whatif_save(struct whatif *w, const char *path);
/* whatif_clear, and the text freed. */
void whatif_free(struct whatif *w);

#endif
