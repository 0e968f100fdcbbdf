/* keys.h — the one key table of the interactive timeline: every action with its help text, and every key bound to it.
 *
 * Dispatch (ui/tui.c), the `?` help overlay and the one-line hint (ui/view_panes.c)
 * are all generated from these two lists, so a key cannot be bound without
 * being documented, nor documented without being bound.
 *
 * UI_ACTIONS(X): X(ID, hint, help).  `hint` is the word shown in the bottom
 * line beside the action's first key ("" = not in the hint line); both
 * texts are marked N_() and shown through _().
 *
 * KEY_BINDINGS(X): X(code, label, ID).  `code` is a curses key code or a
 * character; only ui/tui.c expands that column (this header stays free of
 * <curses.h>: the curses-free files ignore the column, so its KEY_xxx names
 * are never expanded there).  `label` is what the help overlay shows. */
#ifndef PROTOSIM_KEYS_H
#define PROTOSIM_KEYS_H

#include "i18n.h"             /* N_(): the texts are translated where shown */

#define UI_ACTIONS(X) \
    X(NEXT,        N_("next"), N_("next event / scroll pane down")) \
    X(PREV,        N_("back"), N_("previous event / scroll up")) \
    X(PAGE_DOWN,   "", N_("10 events on / page down")) \
    X(PAGE_UP,     "", N_("10 events back / page up")) \
    X(START,       "", N_("first event")) \
    X(END,         "", N_("last event (the whole run)")) \
    X(PLAY,        N_("play"), N_("play / pause")) \
    X(FASTER,      "", N_("play faster")) \
    X(SLOWER,      "", N_("play slower")) \
    X(HOST_NEXT,   N_("host"), N_("select the next host")) \
    X(HOST_PREV,   "", N_("select the previous host")) \
    X(HOST_JUMP,   "", N_("next event of that host")) \
    X(HOST_BACK,   "", N_("previous event of that host")) \
    X(PROTO_JUMP,  "", N_("next event, same protocol")) \
    X(PROTO_BACK,  "", N_("previous, same protocol")) \
    X(FOCUS,       N_("pane"), N_("focus the next pane")) \
    X(FOCUS_BACK,  "", N_("focus the previous pane")) \
    X(SEARCH,      N_("search"), N_("search event summaries")) \
    X(SEARCH_NEXT, "", N_("next search match")) \
    X(SEARCH_PREV, "", N_("previous search match")) \
    X(OPEN,        N_("open"), N_("open a shipped scenario")) \
    X(OPEN_PATH,   "", N_("open a file by its path")) \
    X(RELOAD,      "", N_("reload the lesson's file")) \
    X(DROP,        "", N_("what if: drop this packet")) \
    X(DELAY,       "", N_("what if: delay this packet")) \
    X(UNDO,        "", N_("undo the last what-if")) \
    X(SAVE,        "", N_("save the what-if lesson")) \
    X(CARD,        "", N_("show the lesson's card again (title and description)")) \
    X(CHAPTER_NEXT, "", N_("first event of the next chapter")) \
    X(CHAPTER_PREV, "", N_("first event of this or the previous chapter")) \
    X(LANE_HIDE,   "", N_("hide the selected host's lifeline")) \
    X(LANE_SHOW,   "", N_("show every lifeline again, in the lesson's order")) \
    X(LANE_LEFT,   "", N_("move the selected host's lifeline left")) \
    X(LANE_RIGHT,  "", N_("move the selected host's lifeline right")) \
    X(ENCAP,       N_("layers"), N_("encapsulation: each layer's header and size")) \
    X(CODE,        "", N_("show or hide the lesson's code pane")) \
    X(FOLD,        "", N_("fold or unfold the crowd (forged addresses)")) \
    X(PROJECTOR,   N_("projector"), N_("big high-contrast view")) \
    X(LANG,        N_("中文"), N_("switch the language (English, 中文)")) \
    X(QUIZ,        N_("quiz"), N_("quiz mode: ask before each quiz point")) \
    X(REDRAW,      "", N_("redraw the screen")) \
    X(HELP,        N_("help"), N_("this help")) \
    X(QUIT,        N_("quit"), N_("quit"))

enum ui_action {
    ACT_NONE,
#define X(id, hint, help) ACT_##id,
    UI_ACTIONS(X)
#undef X
    ACT_COUNT
};

#define KEY_BINDINGS(X) \
    X('j',          "j",      NEXT)        \
    X(KEY_DOWN,     "Down",   NEXT)        \
    X('k',          "k",      PREV)        \
    X(KEY_UP,       "Up",     PREV)        \
    X(KEY_NPAGE,    "PgDn",   PAGE_DOWN)   \
    X(4,            "C-d",    PAGE_DOWN)   \
    X(KEY_PPAGE,    "PgUp",   PAGE_UP)     \
    X(21,           "C-u",    PAGE_UP)     \
    X(KEY_HOME,     "Home",   START)       \
    X('g',          "g",      START)       \
    X(KEY_END,      "End",    END)         \
    X('G',          "G",      END)         \
    X(' ',          "Space",  PLAY)        \
    X('+',          "+",      FASTER)      \
    X('=',          "=",      FASTER)      \
    X('-',          "-",      SLOWER)      \
    X('l',          "l",      HOST_NEXT)   \
    X(KEY_RIGHT,    "Right",  HOST_NEXT)   \
    X('h',          "h",      HOST_PREV)   \
    X(KEY_LEFT,     "Left",   HOST_PREV)   \
    X(']',          "]",      HOST_JUMP)   \
    X('[',          "[",      HOST_BACK)   \
    X('}',          "}",      PROTO_JUMP)  \
    X('{',          "{",      PROTO_BACK)  \
    X('\t',         "Tab",    FOCUS)       \
    X(KEY_BTAB,     "S-Tab",  FOCUS_BACK)  \
    X('/',          "/",      SEARCH)      \
    X('n',          "n",      SEARCH_NEXT) \
    X('N',          "N",      SEARCH_PREV) \
    X('o',          "o",      OPEN)        \
    X('O',          "O",      OPEN_PATH)   \
    X('r',          "r",      RELOAD)      \
    X('x',          "x",      DROP)        \
    X('d',          "d",      DELAY)       \
    X('u',          "u",      UNDO)        \
    X('w',          "w",      SAVE)        \
    X('i',          "i",      CARD)        \
    X(')',          ")",      CHAPTER_NEXT) \
    X('(',          "(",      CHAPTER_PREV) \
    X('H',          "H",      LANE_HIDE)   \
    X('A',          "A",      LANE_SHOW)   \
    X('<',          "<",      LANE_LEFT)   \
    X('>',          ">",      LANE_RIGHT)  \
    X('e',          "e",      ENCAP)       \
    X('c',          "c",      CODE)        \
    X('z',          "z",      FOLD)        \
    X('P',          "P",      PROJECTOR)   \
    X('L',          "L",      LANG)        \
    X('Q',          "Q",      QUIZ)        \
    X(12,           "C-l",    REDRAW)      \
    X('?',          "?",      HELP)        \
    X('q',          "q",      QUIT)

#endif
