/* export_cli.h — what ui/main.c hands --export: the options as parsed, and the call that writes the export of a finished run. */
#ifndef PROTOSIM_EXPORT_CLI_H
#define PROTOSIM_EXPORT_CLI_H

#include "export.h"

struct sim;
struct scenario;

struct export_cli {
    int format;                   /* enum export_format, -1: no --export */
    const char *output;           /* -o FILE, NULL: standard output */
    int ascii;                    /* --ascii */
    int width;                    /* --width N, 0: the default */
    struct export_bound from, to; /* --from, --to */
    int chapter;                  /* --chapter N (1-based), 0: none */
    int fold;                     /* --fold */
};

/* 0, or 64 when -o names a lesson (a .scn name, or scn_path itself). */
int export_check_target(const char *out, const char *scn_path);

/* Writes the export of the finished run s (its whole trace kept).
 * Returns 0, 64 (the range holds no event), 73 (the file cannot be
 * created) or 74 (writing it failed); a write error on standard output
 * is left in *out_err (errno) for main's one report of it. */
int export_run(const struct export_cli *c, const struct sim *s,
               const struct scenario *scn, int *out_err);

#endif
