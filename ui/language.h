/* language.h — choosing the language of what protosim says (GNU gettext).
 *
 * The language is --lang's (zh or en) or, without it, the usual rules:
 * LANGUAGE, then LC_ALL, LC_MESSAGES, LANG.  A Chinese choice works even
 * where the zh_CN locale is not generated: the messages then come from
 * the C.UTF-8 locale with LANGUAGE=zh_CN.  Only LC_CTYPE (for the
 * terminal's characters) and LC_MESSAGES are set; numbers and times keep
 * the C locale's form, so outputs do not change with the locale. */
#ifndef PROTOSIM_UI_LANGUAGE_H
#define PROTOSIM_UI_LANGUAGE_H

/* Languages protosim speaks; I18N_AUTO: the environment's. */
enum i18n_lang { I18N_AUTO, I18N_EN, I18N_ZH };

/* "zh", "zh_CN", "zh-CN", "zh_CN.UTF-8" -> I18N_ZH; "en", "en_US"... ->
 * I18N_EN; anything else -1. */
int i18n_parse(const char *name);

/* Chooses lang (I18N_AUTO: the environment's).  Call once, before
 * anything is said.  Chinese sets the locale's character type and messages
 * up and finds the catalogues at once; English leaves that to i18n_ready. */
void i18n_init(enum i18n_lang lang);
/* Sets the locale's character type and messages up and finds the
 * catalogues, once: the timeline calls it before it starts (curses needs
 * the terminal's character set), and a switch of language does. */
void i18n_ready(void);

/* Switches the language of every later _() (the view's live switch). */
void i18n_switch(enum i18n_lang lang);

/* The language _() speaks now: I18N_EN or I18N_ZH. */
enum i18n_lang i18n_current(void);

/* Its short code for --lang and JSON's "lang": "en" or "zh". */
const char *i18n_code(enum i18n_lang lang);

struct scenario;
/* Makes the lesson show its texts (title, describe, notes) in the current
 * language where it has them: call before running it. */
void i18n_lesson(struct scenario *scn);
/* Its title in that language, or its path when it has none. */
const char *lesson_title(const struct scenario *scn);

/* Where the catalogues were looked for (for --version and the tests). */
const char *i18n_localedir(void);

#endif
