/* language.c — the language: --lang or the environment, and where the
 * catalogues are (beside the executable when it runs from the build tree,
 * else the share/locale beside its bin, else the install prefix's). */
#include <dirent.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include "i18n.h"
#include "language.h"
#include "scenario.h"

#ifndef PROTOSIM_LOCALEDIR
#define PROTOSIM_LOCALEDIR "/usr/local/share/locale"
#endif

static char localedir[PATH_MAX];

int i18n_parse(const char *name)
{
    if (!name)
        return -1;
    size_t n = strcspn(name, "_-.@");
    if (n == 2 && !strncasecmp(name, "zh", 2))
        return I18N_ZH;
    if (n == 2 && !strncasecmp(name, "en", 2))
        return I18N_EN;
    if (!strcmp(name, "C") || !strcmp(name, "POSIX") || !strncmp(name, "C.", 2))
        return I18N_EN;
    return -1;
}

const char *i18n_code(enum i18n_lang lang)
{
    return lang == I18N_ZH ? "zh" : "en";
}

/* The language the environment asks for, by gettext's order: LANGUAGE
 * (its first entry) when a locale other than C is set, then LC_ALL,
 * LC_MESSAGES, LANG.  Unknown languages are English (there is no catalogue for them). */
static enum i18n_lang env_lang(void)
{
    static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    const char *loc = NULL;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0] && !loc; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            loc = v;
    }
    const char *language = getenv("LANGUAGE");
    if (language && *language && loc && strcmp(loc, "C") && strcmp(loc, "POSIX")) {
        char first[64];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(language, ":"), language);
        int l = i18n_parse(first);
        return l == I18N_ZH ? I18N_ZH : I18N_EN;
    }
    return i18n_parse(loc) == I18N_ZH ? I18N_ZH : I18N_EN;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Does DIR hold a catalogue of ours, DIR/LANG/LC_MESSAGES/protosim.mo for
 * some LANG?  (A system's share/locale exists whether or not we are in it.) */
static int has_catalogue(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char mo[PATH_MAX];
        int n = snprintf(mo, sizeof mo, "%s/%s/LC_MESSAGES/" PROTOSIM_DOMAIN ".mo",
                         dir, e->d_name);
        struct stat st;
        found = n > 0 && (size_t)n < sizeof mo && stat(mo, &st) == 0 && S_ISREG(st.st_mode);
    }
    closedir(d);
    return found;
}

/* $PROTOSIM_LOCALEDIR, else `locale` beside the executable (the build tree
 * puts the compiled catalogues there), else `../share/locale` from the
 * executable's folder when it holds our catalogues (where `make install`
 * puts them, with whatever PREFIX and DESTDIR it was given: the program
 * may have been built before PREFIX was chosen, as scnpath.c finds the
 * lessons), else the configured one. */
static void find_localedir(void)
{
    const char *env = getenv("PROTOSIM_LOCALEDIR");
    if (env && *env) {
        snprintf(localedir, sizeof localedir, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l > 0) {
        exe[l] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            size_t room = sizeof exe - (size_t)(slash - exe);
            snprintf(slash, room, "/locale");
            if (is_dir(exe)) {
                snprintf(localedir, sizeof localedir, "%s", exe);
                return;
            }
            if (room > sizeof "/../share/locale") {
                snprintf(slash, room, "/../share/locale");
                if (has_catalogue(exe)) {
                    snprintf(localedir, sizeof localedir, "%s", exe);
                    return;
                }
            }
        }
    }
    snprintf(localedir, sizeof localedir, "%s", PROTOSIM_LOCALEDIR);
}

static enum i18n_lang current = I18N_EN;

/* gettext reads LANGUAGE at every call but caches what it found for a
 * message; bumping this counter (the GNU gettext manual's way for programs
 * that change language while running) makes it look again. */
extern int _nl_msg_cat_cntr;

/* Is the locale set up for the terminal and the catalogues (i18n_ready)? */
static int ready;

void i18n_ready(void)
{
    if (ready)
        return;
    ready = 1;
    /* the terminal's characters: the environment's, else C.UTF-8 when
     * the locale named UTF-8 but is not generated here */
    if (!setlocale(LC_CTYPE, "")) {
        const char *v = getenv("LC_ALL");
        if (!v || !*v) v = getenv("LC_CTYPE");
        if (!v || !*v) v = getenv("LANG");
        if (v && (strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8")))
            setlocale(LC_CTYPE, "C.UTF-8");
    }
    setlocale(LC_MESSAGES, "");
    find_localedir();
    bindtextdomain(PROTOSIM_DOMAIN, localedir);
    bind_textdomain_codeset(PROTOSIM_DOMAIN, "UTF-8");
}

void i18n_switch(enum i18n_lang lang)
{
    i18n_ready();
    /* LANGUAGE decides when the messages locale is not plain C (glibc
     * ignores it under "C"); C.UTF-8 is always there.  The catalogue cache
     * is keyed on it, so a change takes effect at the next _(). */
    const char *msgs = setlocale(LC_MESSAGES, NULL);
    if (!msgs || !strcmp(msgs, "C") || !strcmp(msgs, "POSIX"))
        setlocale(LC_MESSAGES, "C.UTF-8");
    setenv("LANGUAGE", lang == I18N_ZH ? "zh_CN" : "en", 1);
    current = lang;
    i18n_translating = lang != I18N_EN;
    ++_nl_msg_cat_cntr;
}

void i18n_init(enum i18n_lang lang)
{
    if (lang == I18N_AUTO)
        lang = env_lang();
    if (lang == I18N_EN) {
        /* English needs no catalogue, and text, JSON and pcap need no
         * locale (a byte is a byte): the locale and gettext wait for the
         * timeline (tui_run) or a switch to Chinese.  Starting without them
         * saves opening the locale archive, mapping the character tables
         * and gconv's cache on every batch run. */
        current = I18N_EN;
        i18n_translating = 0;
        return;
    }
    i18n_switch(lang);
    /* gettext("") is the catalogue's header entry when it found one, and ""
     * when it did not: then every sentence stays English while the lesson's
     * own `zh` text is Chinese, and nothing said why */
    if (lang == I18N_ZH && !*dgettext(PROTOSIM_DOMAIN, ""))
        fprintf(stderr, "protosim: no Chinese catalogue in %s (%s/zh_CN/LC_MESSAGES/"
                PROTOSIM_DOMAIN ".mo): the sentences are in English\n", localedir,
                localedir);
}

enum i18n_lang i18n_current(void)
{
    return current;
}

const char *i18n_localedir(void)
{
    if (!localedir[0])
        find_localedir();
    return localedir;
}

void i18n_lesson(struct scenario *scn)
{
    if (scn)
        scn->zh = current == I18N_ZH;
}

const char *lesson_title(const struct scenario *scn)
{
    const char *t = scn_text(scn, scn->title, scn->title_zh);
    return t ? t : scn->path;
}
