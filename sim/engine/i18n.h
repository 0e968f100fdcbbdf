/* i18n.h — what a student reads goes through GNU gettext (the catalogues
 * are po/LANG.po; ui/language.c chooses the language and finds them).
 *
 *   _("text")   the text in the chosen language, "text" when there is no
 *               translation (or no catalogue, or the language is English)
 *   N_("text")  marks text for xgettext where it is only stored; it is
 *               translated with _() where it is shown
 *
 * Identifiers (state names, flags, JSON keys, keywords of the scenario
 * language) are never marked.  The model itself only ever looks text up;
 * it never sets the locale. */
#ifndef PROTOSIM_I18N_H
#define PROTOSIM_I18N_H

#include <libintl.h>

#define PROTOSIM_DOMAIN "protosim"

/* Nonzero when the chosen language is not English (ui/language.c sets it).
 * While it is 0 the English text is the answer and no catalogue is
 * consulted: a lookup per record costs a fifth of a 100,000-connection
 * run's time, for nothing. */
extern int i18n_translating;

/* gettext("") is the catalogue's header, not "": an empty text stays so. */
__attribute__((format_arg(1)))
static inline const char *i18n_text(const char *s)
{
    return i18n_translating && *s ? dgettext(PROTOSIM_DOMAIN, s) : s;
}

__attribute__((format_arg(1), format_arg(2)))
static inline const char *i18n_plural(const char *s, const char *p,
                                      unsigned long n)
{
    if (!i18n_translating)
        return n == 1 ? s : p;
    return dngettext(PROTOSIM_DOMAIN, s, p, n);
}

#define _(s)  i18n_text(s)
#define N_(s) s
/* The form for n things: the singular, or the plural (English); one form
 * in Chinese. */
#define P_(s, p, n) i18n_plural(s, p, (unsigned long)(n))
/* Marks a singular and its plural for xgettext where they are only stored
 * (as two initialisers); they are chosen with P_() where they are shown. */
#define NP_(s, p) s, p

#endif
