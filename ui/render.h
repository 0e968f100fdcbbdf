/* render.h — the non-interactive views of a finished run: the plain-text
 * timeline, JSON Lines, and a pcap file of every frame sent. */
#ifndef PROTOSIM_RENDER_H
#define PROTOSIM_RENDER_H

#include <stdio.h>
#include "sim.h"

/* Each returns 0, or -1 on a write error. */
int render_text(FILE *fp, const struct sim *s);
int render_json(FILE *fp, const struct sim *s);
int render_pcap(FILE *fp, const struct trace *tr);

/* One line describing a trace record's event (without time, host or why):
 * "CLOSED -> LISTEN", "client -> server  SYN seq=1000 ...", "RTO start (due
 * 1.030s)".  Shared by the text timeline and, later, the UI. */
char *render_event(const struct trace *tr, const struct trace_rec *r,
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
