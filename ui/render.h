/* render.h — the non-interactive views of a run: the plain-text
 * timeline, JSON Lines, and a pcap file of every frame sent. */
#ifndef PROTOSIM_RENDER_H
#define PROTOSIM_RENDER_H

#include <stdio.h>
#include "sim.h"
#include "chapters.h"

/* The writers, fed record by record as trace sinks (trace.h: struct
 * trace_sink), so that a run need not keep its trace: X_begin, then the
 * trace gives each record to X_sink (trace_add_sink with the X_out as
 * its context), then X_finish writes what only the end knows and returns
 * 0, or -1 with errno on a write error.  The sim must outlive the writer. */

/* The text timeline.  Its time column is as wide as the run's widest
 * time, so the lines wait for the end: in memory up to a few MiB, then
 * in an unlinked temporary file (in $TMPDIR, else /tmp). */
struct text_out {
    FILE *fp;
    struct chapters ch;        /* the headings, known when the spool is read */
    size_t nout;               /* records written from the spool */
    const struct sim *s;
    int hw, tw;                /* host and time column widths */
    char *mem;                 /* the spool, while in memory */
    size_t nmem, capmem;
    FILE *tmp;                 /* the spool, once in a file */
    int nomore;                /* no temporary file could be made */
    int err;                   /* errno of a spool write that failed */
    char *vb;                  /* text_visible's buffer */
    size_t vcap;
    char *ob;                  /* a line being written (unspool) */
    size_t obcap;
};
void text_begin(struct text_out *o, FILE *fp, const struct sim *s);
void text_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r);
int  text_finish(struct text_out *o);

/* JSON Lines: a line per record as it comes; the limit's line at the end. */
struct json_out {
    FILE *fp;
    struct chapters ch;        /* written at the end, one line each */
    const struct sim *s;
    int err;                   /* errno of the first write that failed */
    size_t written;            /* lines written (the first says "lang") */
    struct jb *line;           /* the line being built (json.c) */
    struct json_memo *memo;    /* frames' text by blob id (json.c) */
    uint8_t *hostlen;          /* per host: its name's length (json.c) */
    size_t nhostlen;
    uint8_t *strlens;          /* per trace string: the same (json.c) */
    size_t nstrlen;
    int batch;                 /* lines go out JSON_BATCH bytes at a time */
};
/* s (n bytes) as one JSON string; in_script also escapes < > & for text
 * inside an HTML <script> (json.c says what else it escapes). */
void json_write_str(FILE *fp, const uint8_t *s, size_t n, int in_script);
void json_begin(struct json_out *o, FILE *fp, const struct sim *s);
void json_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r);
int  json_finish(struct json_out *o);

/* pcap: each frame when it reached its receiver (json.c says which); a
 * frame the network lost is written at the time it would have arrived,
 * so it waits, holding its blob in tr, until the records pass that
 * time.  `live`: the
 * records come as the run makes them, in time order; else everything
 * waits for pcap_finish (a trace changed after the run, --real). */
struct pcap_cap;
struct pcap_seen;
struct pcap_out {
    FILE *fp;
    struct trace *tr;
    int live;
    struct pcap_cap *caps;     /* a min-heap on (time, record) */
    size_t ncaps, capcaps;
    struct pcap_seen *seen;    /* per counted blob: sends, frames written */
    char **seen_why;           /* pcapng: beside seen, its first sentence */
    size_t nseen, capseen;
    int err;
    int ng;                    /* pcapng, each frame's narration its comment */
};
int  pcap_begin(struct pcap_out *o, FILE *fp, struct trace *tr, int live, int ng);
void pcap_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r);
int  pcap_finish(struct pcap_out *o);

/* --stats: counts of states entered, frames and TCP segments sent, timers,
 * drops and connection lifecycles, printed by stats_finish with the wall
 * time the run took (the only line that differs between runs: last). */
struct stats_out;
struct stats {
    FILE *fp;
    const struct sim *s;
    struct stats_out *c;
    int err;
    int capture;     /* --read: times are the capture's, nothing was run */
};
void stats_begin(struct stats *st, FILE *fp, const struct sim *s);
void stats_sink(void *ctx, const struct trace *tr, size_t i,
                const struct trace_rec *r);
int  stats_finish(struct stats *st, double wall_s);

/* The same over a finished trace kept whole.  Each returns 0, or -1 on a
 * write error. */
int render_text(FILE *fp, const struct sim *s);
int render_json(FILE *fp, const struct sim *s);
int render_pcap(FILE *fp, const struct trace *tr);

/* One line describing a trace record's event (without time, host or why):
 * "CLOSED -> LISTEN", "client -> server  SYN seq=1000 ...", "RTO start (due
 * 1.030s)".  Shared by the text timeline and, later, the UI. */
char *render_event(const struct trace *tr, const struct trace_rec *r,
                   char *buf, size_t n);
/* A frame record's destination as the outputs name it: its host; "*" for
 * a broadcast (the frame's Ethernet destination is all ones); and for a
 * unicast frame to an address no host has (a SYN flood's forged source)
 * that IPv4 address, in buf (at least 16 bytes). */
const char *render_dst(const struct trace *tr, const struct trace_rec *r,
                       char *buf, size_t n);

/* Shipped scenarios (scnpath.c): resolve a name ("handshake") or a path to
 * a readable file path.  Returns a malloc'd path, or NULL when no shipped
 * scenario has that name. */
char *scnpath_resolve(const char *arg, const char *argv0);
/* Lists shipped scenarios as "name  title" lines; returns the count. */
int scnpath_list(FILE *fp, const char *argv0);
/* The shipped scenarios as an array sorted by name (title "(does not
 * parse)" for a broken file); returns the count, 0 when none are found.
 * Free with scnpath_catalog_free(). */
struct scn_entry { char *name, *title, *path; };
int  scnpath_catalog(const char *argv0, struct scn_entry **out);
void scnpath_catalog_free(struct scn_entry *e, int n);

#endif
