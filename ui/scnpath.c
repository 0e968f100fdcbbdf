/* scnpath.c — finding shipped scenarios by name, in the source tree or
 * where `make install` put them, and listing them with their titles. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "output.h"
#include "alloc.h"
#include "i18n.h"
#include "language.h"
#include "lang.h"
#include "render.h"

#ifndef PROTOSIM_DATADIR
#define PROTOSIM_DATADIR "/usr/local/share/protosim"
#endif

/* The directories searched, in order: $PROTOSIM_SCENARIOS, beside the
 * executable (the build tree), the install prefix relative to the
 * executable, the configured DATADIR, and ./scenarios. */
static int scenario_dirs(char dirs[][PATH_MAX], int max)
{
    int n = 0;
    const char *env = getenv("PROTOSIM_SCENARIOS");
    if (env && *env && n < max)
        snprintf(dirs[n++], PATH_MAX, "%s", env);
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l > 0) {
        exe[l] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (n < max)
                snprintf(dirs[n++], PATH_MAX, "%.*s/scenarios", PATH_MAX - 16, exe);
            if (n < max)
                snprintf(dirs[n++], PATH_MAX, "%.*s/../share/protosim/scenarios",
                         PATH_MAX - 40, exe);
        }
    }
    if (n < max)
        snprintf(dirs[n++], PATH_MAX, "%s/scenarios", PROTOSIM_DATADIR);
    if (n < max)
        snprintf(dirs[n++], PATH_MAX, "scenarios");
    return n;
}

/* A lesson found by name is a regular file (or a link to one): --list
 * opens and reads each, and a FIFO named x.scn in a scenario folder hung
 * it for good waiting for a writer (a folder named x.scn was listed as
 * "(does not parse)"). */
static int regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "dir/name.scn", malloc'd */
static char *scn_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 6;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s.scn", dir, name);
    return p;
}

char *scnpath_resolve(const char *arg, const char *argv0)
{
    (void)argv0;
    size_t len = strlen(arg);
    if (strchr(arg, '/') || (len > 4 && !strcmp(arg + len - 4, ".scn")))
        return xstrdup(arg);
    char dirs[5][PATH_MAX];
    int n = scenario_dirs(dirs, 5);
    for (int i = 0; i < n; i++) {
        char *path = scn_path(dirs[i], arg);
        if (access(path, R_OK) == 0 && regular(path))
            return path;
        free(path);
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int scnpath_catalog(const char *argv0, struct scn_entry **out)
{
    (void)argv0;
    *out = NULL;
    char dirs[5][PATH_MAX];
    int nd = scenario_dirs(dirs, 5);
    for (int i = 0; i < nd; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        char **names = NULL;
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            size_t l = strlen(de->d_name);
            if (l <= 4 || strcmp(de->d_name + l - 4, ".scn"))
                continue;
            size_t pn = strlen(dirs[i]) + l + 2;
            char *path = xmalloc(pn);
            snprintf(path, pn, "%s/%s", dirs[i], de->d_name);
            int reg = regular(path);
            free(path);
            if (!reg)
                continue;
            names = xreallocarray(names, (size_t)n + 1, sizeof *names);
            names[n] = xstrdup(de->d_name);
            names[n++][l - 4] = '\0';          /* the name without ".scn" */
        }
        closedir(d);
        if (n == 0) {
            free(names);
            continue;
        }
        qsort(names, (size_t)n, sizeof *names, cmp_str);
        struct scn_entry *e = xcalloc((size_t)n, sizeof *e);
        for (int j = 0; j < n; j++) {
            char *path = scn_path(dirs[i], names[j]);
            struct scn_errors errs = { 0 };
            int ioerr = 0;
            struct scenario *s = scenario_load(path, &errs, &ioerr);
            e[j].name = names[j];
            i18n_lesson(s);
            e[j].title = xstrdup(s && s->title ? lesson_title(s) : _("(does not parse)"));
            e[j].path = path;
            scenario_free(s);
            scn_errors_free(&errs);
        }
        free(names);
        *out = e;
        return n;
    }
    return 0;
}

void scnpath_catalog_free(struct scn_entry *e, int n)
{
    for (int i = 0; e && i < n; i++) {
        free(e[i].name);
        free(e[i].title);
        free(e[i].path);
    }
    free(e);
}

int scnpath_list(FILE *fp, const char *argv0)
{
    struct scn_entry *e;
    int n = scnpath_catalog(argv0, &e);
    int w = 0;
    for (int j = 0; j < n; j++)
        if ((int)strlen(e[j].name) > w)
            w = (int)strlen(e[j].name);
    /* file names and titles are anyone's text: controls are shown, not sent */
    char *vb = NULL;
    size_t vcap = 0;
    for (int j = 0; j < n; j++) {
        fprintf(fp, "%-*s  ", w, text_visible(e[j].name, &vb, &vcap));
        fprintf(fp, "%s\n", text_visible(e[j].title, &vb, &vcap));
    }
    free(vb);
    scnpath_catalog_free(e, n);
    return n;
}
