/* output.h — output you can trust: files replaced only when complete,
 * lesson text made safe for a terminal, and the UTF-8 rules both share. */
#ifndef PROTOSIM_OUTPUT_H
#define PROTOSIM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- a file written whole or not at all ------------------------------------ */

/* A regular file is written to a temporary name in its own directory
 * ("NAME.protosim-XXXXXX") and renamed over NAME by outfile_commit, so a
 * failure leaves any previous NAME untouched and no partial file behind.
 * A NAME that exists and is not a regular file (/dev/null, a pipe,
 * /dev/stdout) is written directly; a symbolic link is followed, so the
 * file it names is replaced and the link stays. */
struct outfile {
    FILE *fp;
    char *target;     /* the file renamed over (the link's target for a link) */
    char *tmp;        /* NULL when writing directly */
};

/* 0, or -1 with errno set: NAME cannot be created (EX_CANTCREAT). */
int  outfile_open(struct outfile *o, const char *path);
/* Flushes, syncs and closes, then renames into place.  0; -1 with errno
 * when writing failed (EX_IOERR); -2 with errno when the rename failed
 * (EX_CANTCREAT).  On failure the temporary file is removed. */
int  outfile_commit(struct outfile *o);
/* Closes and removes the temporary file; NAME is left as it was. */
void outfile_abort(struct outfile *o);

/* ---- UTF-8 ------------------------------------------------------------------ */


/* ---- lesson text on a terminal ------------------------------------------------ */

/* Bytes a terminal would act on, shown as text: C0 controls and DEL as
 * \n \r \t or \xHH (ESC is \x1b), C1 controls (U+0080..U+009F) and bytes
 * that are not UTF-8 as \xHH per byte; well-formed UTF-8 passes as written.
 * text_visible_dup returns a malloc'd copy. */
size_t text_visible_len(const char *s);
char  *text_visible_dup(const char *s);
/* s itself when nothing needs showing, else the visible form in *buf
 * (grown as needed; free it when done).  Never NULL. */
const char *text_visible(const char *s, char **buf, size_t *cap);
/* A command-line word or a path as a message quotes it: text_visible in
 * one of the four buffers this function keeps and reuses in turn (so one
 * message may show up to four), never NULL.  What a user typed is echoed
 * through it, so that `protosim $'x\e[2J'` cannot clear the screen. */
const char *arg_visible(const char *s);

#endif
