/* export.h — handouts and slides: a finished run's diagram written as SVG, a self-contained HTML page, Mermaid or the terminal ladder as text (--export).
 *
 * Every format draws the records [first, last] of the run (indices into
 * the trace, 0-based; the view numbers them from 1): the whole run by
 * default, or the range --from/--to name.  export_range() turns those
 * options into indices; any other way of choosing a range (a lesson's
 * chapter) only has to produce a [first, last] pair of indices. */
#ifndef PROTOSIM_EXPORT_H
#define PROTOSIM_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "view.h"

struct scenario;

#define EXPORT_FORMATS(X) \
    X(SVG,     "svg")     \
    X(HTML,    "html")    \
    X(MERMAID, "mermaid") \
    X(TXT,     "txt")

enum export_format {
#define X(id, name) EXPORT_##id,
    EXPORT_FORMATS(X)
#undef X
    EXPORT_NFORMATS
};

/* The format named (exactly, lower case), or -1. */
int export_format_parse(const char *name);
const char *export_format_name(int format);

/* One end of --from/--to.  The rule: a bare number is an event number as
 * the view shows it (#1 is the first record); a number with a unit (us,
 * ms, s, m, h; decimals allowed: 1.5s) is a simulated time.  --from TIME
 * starts at the first event at or after TIME, --to TIME ends at the last
 * event at or before it; both ends are included. */
struct export_bound {
    int     set;
    int     is_time;
    uint64_t ev;          /* event number, >= 1 */
    int64_t t_us;
};
/* 0, or -1 when s is neither an event number nor a time. */
int export_bound_parse(const char *s, struct export_bound *b);
/* The record indices [*first, *last] the bounds name in a trace of n
 * records (times looked up in tr); unset bounds are the run's ends.
 * 0, or -1 when the range holds no event (an event number past the end,
 * --from after --to, a time range with no event in it). */
int export_range(const struct trace *tr, const struct export_bound *from,
                 const struct export_bound *to, size_t *first, size_t *last);

/* Default width of the txt ladder, in columns. */
#define EXPORT_TXT_WIDTH 100

struct export_opts {
    int format;                   /* enum export_format */
    int ascii;                    /* txt: pure ASCII glyphs and text */
    int width;                    /* txt: columns (>= VIEW_MIN_W / 2) */
    size_t first, last;           /* the records drawn, inclusive */
    const struct scenario *scn;   /* its title and describe text */
    const char *stopped;          /* a run cut short by a limit: the sentence
                                     that says so, drawn after the last event
                                     when the range reaches it; else NULL */
    int fold;                     /* --fold: a crowd's runs of events are one
                                     row each, as the timeline draws them
                                     (ui/view_fold.c); no effect without one */
};

/* Writes the diagram of records [o->first, o->last] of ix's trace to fp.
 * The trace must be whole (not streamed) and hold at least one record.
 * 0, or -1 with errno set on a write error. */
int export_write(FILE *fp, const struct view_index *ix, const struct export_opts *o);

/* ---- the pure parts, for the tests ----------------------------------------- */

/* s with XML's five special characters as entities, controls other than
 * tab and newline (which XML 1.0 cannot hold) as U+FFFD, and bytes that
 * are not UTF-8 as U+FFFD.  Written to fp. */
void export_xml_text(FILE *fp, const char *s);
/* s as Mermaid message or alias text: one line, with the characters its
 * parser would take for syntax (# ; : < > and quotes... ) as #NNN; entity
 * codes.  Written into buf (NUL-terminated, cut at n - 1 bytes on a
 * character boundary); returns buf. */
char *export_mermaid_text(const char *s, char *buf, size_t n);
/* The Mermaid line for record i (without the newline) into buf, or "" when
 * the record has no line of its own (a reception, a timer); a broadcast
 * send is one line per host it reached, joined by '\n'. */
char *export_mermaid_line(const struct view_index *ix, size_t i, char *buf, size_t n);

/* The SVG's geometry: where lane k's lifeline is and where record i's row
 * is, in pixels, for the records [first, last]. */
struct export_geom {
    int nhosts;
    double *lane_x;               /* nhosts */
    double width, height;
    double time_w;                /* the time column */
    double head_h;                /* host names and addresses */
    double row_h;
    double body_y;                /* top of the first row */
    size_t first, last;
    /* export_geom_fold: each record's row (the crowd folded), and the row
     * of first; NULL: a row per record */
    const uint32_t *row;
    long row0;
};
void   export_geom_init(struct export_geom *g, const struct view_index *ix,
                        size_t first, size_t last);
void   export_geom_free(struct export_geom *g);
/* The crowd folded: a row per run of its events (ix must have a crowd). */
void   export_geom_fold(struct export_geom *g, const struct view_index *ix);
/* Is the crowd folded in this export (o->fold, and the run has one)? */
int    export_folded(const struct view_index *ix, const struct export_opts *o);
/* The centre line of record i's row; records before first are above the
 * body, after last below it (a path to them leaves the picture). */
double export_row_y(const struct export_geom *g, long i);
/* The text width the SVG assumes for s at its font size (CJK counts two
 * half-widths): what the geometry reserves room by. */
double export_text_px(const char *s);

#endif
