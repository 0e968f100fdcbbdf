/* export_cli.c — the command line's side of --export: the range the options name, the output file written whole or not at all, and the exit status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "export.h"
#include "export_cli.h"
#include "chapters.h"
#include "i18n.h"
#include "output.h"
#include "sim.h"

/* sysexits.h's values (DESIGN.md) */
enum { EX_OK_ = 0, EX_USAGE_ = 64, EX_CANTCREAT_ = 73, EX_IOERR_ = 74 };

/* -o must not destroy the lesson it draws. */
static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
           x.st_ino == y.st_ino;
}

int export_check_target(const char *out, const char *scn_path)
{
    size_t n = strlen(out);
    if (n >= 4 && !strcmp(out + n - 4, ".scn")) {
        fprintf(stderr, _("protosim: -o %s: refusing to write an export over a "
                ".scn lesson; choose another name\n"), arg_visible(out));
        return EX_USAGE_;
    }
    if (same_file(out, scn_path)) {
        /* the lesson itself, whatever its name (lesson.txt, a link) */
        fprintf(stderr, _("protosim: -o %s: refusing to write an export over the "
                "lesson it draws; choose another name\n"), arg_visible(out));
        return EX_USAGE_;
    }
    return 0;
}

int export_run(const struct export_cli *c, const struct sim *s,
               const struct scenario *scn, int *out_err)
{
    const struct trace *tr = &s->tr;
    struct export_opts o = {
        .format = c->format, .ascii = c->ascii, .fold = c->fold,
        .width = c->width ? c->width : EXPORT_TXT_WIDTH, .scn = scn,
    };
    if (tr->n == 0) {
        fputs(_("protosim: --export: the run recorded no events\n"), stderr);
        return EX_USAGE_;
    }
    if (c->chapter) {
        /* the chapter's records, as the card and the title bar number them */
        struct chapters ch;
        chapters_build(&ch, tr, scn);
        size_t nch = ch.n;
        if ((size_t)c->chapter <= nch) {
            o.first = ch.v[c->chapter - 1].first;
            o.last = ch.v[c->chapter - 1].last;
        }
        chapters_free(&ch);
        if ((size_t)c->chapter > nch) {
            if (nch == 0)
                fputs(_("protosim: --chapter: this lesson has no chapters\n"), stderr);
            else
                fprintf(stderr, P_("protosim: --chapter: this lesson has %zu chapter\n",
                                   "protosim: --chapter: this lesson has %zu chapters\n",
                                   nch), nch);
            return EX_USAGE_;
        }
    } else if (export_range(tr, &c->from, &c->to, &o.first, &o.last) < 0) {
        char t0[32], t1[32];
        fmt_time(tr->recs[0].t_us, t0, sizeof t0);
        fmt_time(tr->recs[tr->n - 1].t_us, t1, sizeof t1);
        fprintf(stderr, _("protosim: --from/--to: no event in that range (the run "
                "has events #1 to #%zu, from %s to %s)\n"), tr->n,
                t0 + strspn(t0, " "), t1 + strspn(t1, " "));
        return EX_USAGE_;
    }
    char stopped[256], lt[80], at[32];
    if (s->truncated) {
        snprintf(stopped, sizeof stopped, _("the run stopped at %s by its %s (%s): "
                 "the diagram ends there"), fmt_time(s->stop.t_us, at, sizeof at),
                 sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt),
                 sim_limit_option(s->stop.limit));
        o.stopped = stopped;
    }
    struct view_index ix;
    view_index_build(&ix, tr);
    int rc = 0;
    if (c->output) {
        struct outfile f;
        if (outfile_open(&f, c->output) < 0) {
            fprintf(stderr, _("protosim: cannot create %s: %s\n"), arg_visible(c->output),
                    strerror(errno));
            view_index_free(&ix);
            return EX_CANTCREAT_;
        }
        errno = 0;
        if (export_write(f.fp, &ix, &o) < 0) {
            int e = errno ? errno : EIO;
            outfile_abort(&f);
            fprintf(stderr, _("protosim: error writing %s: %s\n"), arg_visible(c->output),
                    strerror(e));
            rc = EX_IOERR_;
        } else {
            int r = outfile_commit(&f);
            if (r < 0) {
                fprintf(stderr, r == -2 ? _("protosim: cannot create %s: %s\n")
                                        : _("protosim: error writing %s: %s\n"),
                        arg_visible(c->output), strerror(errno));
                rc = r == -2 ? EX_CANTCREAT_ : EX_IOERR_;
            }
        }
    } else {
        errno = 0;
        if (export_write(stdout, &ix, &o) < 0)
            *out_err = errno ? errno : EIO;
    }
    view_index_free(&ix);
    return rc;
}
