/* tui.c — the ncurses front end, the only file that includes <curses.h>: it starts and always restores the terminal, reads keys, and copies view cells to the screen.
 *
 * Everything the user sees is computed by the ui/view*.c files from (trace, view
 * state, terminal size); this file maps semantic roles to colours (or to
 * plain attributes without colour), runs the one input loop, and dispatches
 * keys through the table in ui/keys.h.  KEY_RESIZE is handled in one place:
 * the next frame simply renders at the new size. */
#include <curses.h>
#include <term.h>
#include <langinfo.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "alloc.h"
#include "i18n.h"
#include "language.h"
#include "keys.h"
#include "real.h"
#include "lang.h"
#include "render.h"
#include "tui.h"
#include "view.h"
#include "whatif.h"
#include "read.h"
#include "chapters.h"
#include "view_code.h"
#include "view_quiz.h"

/* ---- always give the terminal back ---------------------------------------- */

static volatile sig_atomic_t tui_active;
static const int fatal_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
                                  SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NFATAL ((int)(sizeof fatal_sigs / sizeof fatal_sigs[0]))
static struct sigaction saved_act[NFATAL];

static void restore_terminal(void)
{
    if (tui_active) {
        tui_active = 0;
        endwin();
    }
}

/* Restores the terminal, puts back the handler that was there before the
 * UI started (the default, or a sanitizer's) and raises the signal again,
 * so the process ends the way it would have without us. */
static void on_fatal(int sig)
{
    restore_terminal();
    for (int i = 0; i < NFATAL; i++)
        if (fatal_sigs[i] == sig)
            sigaction(sig, &saved_act[i], NULL);
    raise(sig);
}

static void save_handlers(void)
{
    for (int i = 0; i < NFATAL; i++)
        sigaction(fatal_sigs[i], NULL, &saved_act[i]);
}

/* Signals the parent chose to ignore (nohup, a shell's background job)
 * stay ignored. */
static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NFATAL; i++)
        if (saved_act[i].sa_handler != SIG_IGN)
            sigaction(fatal_sigs[i], &sa, NULL);
}

static void put_back_handlers(void)
{
    for (int i = 0; i < NFATAL; i++)
        sigaction(fatal_sigs[i], &saved_act[i], NULL);
}

const char *tui_unusable(void)
{
    if (!isatty(STDOUT_FILENO))
        return _("stdout is not a terminal");
    if (!isatty(STDIN_FILENO))
        return _("stdin is not a terminal");
    const char *t = getenv("TERM");
    if (!t || !*t)
        return _("TERM is not set");
    if (!strcmp(t, "dumb"))
        return _("TERM=dumb cannot show the interactive timeline");
    return NULL;
}

/* ---- roles to attributes ---------------------------------------------------- */

struct palette {
    attr_t attr[R_COUNT];
    short  pair[R_COUNT];
};

static const short role_fg[R_COUNT] = {
#define X(id, fg, bg, attr, mono) fg,
    COLOR_ROLES(X)
#undef X
};
static const short role_bg[R_COUNT] = {
#define X(id, fg, bg, attr, mono) bg,
    COLOR_ROLES(X)
#undef X
};
static const attr_t role_attr[R_COUNT] = {
#define X(id, fg, bg, attr, mono) attr,
    COLOR_ROLES(X)
#undef X
};
static const attr_t role_mono[R_COUNT] = {
#define X(id, fg, bg, attr, mono) mono,
    COLOR_ROLES(X)
#undef X
};

/* The normal palette and the projector's: bold everywhere, nothing dim,
 * white on black where the normal scheme uses the terminal's defaults. */
static void make_palettes(int colour, struct palette *norm, struct palette *proj)
{
    int defaults = colour && use_default_colors() == OK;
    int two = colour && COLOR_PAIRS > 2 * R_COUNT + 1;
    for (int i = 0; i < R_COUNT; i++) {
        if (!colour) {
            norm->attr[i] = role_mono[i];
            norm->pair[i] = 0;
            proj->attr[i] = (role_mono[i] & ~A_DIM) | A_BOLD;
            proj->pair[i] = 0;
            continue;
        }
        short fg = role_fg[i], bg = role_bg[i];
        if (!defaults) {
            if (fg < 0) fg = COLOR_WHITE;
            if (bg < 0) bg = COLOR_BLACK;
        }
        init_pair((short)(i + 1), fg, bg);
        norm->attr[i] = role_attr[i];
        norm->pair[i] = (short)(i + 1);
        short pfg = role_fg[i] < 0 ? COLOR_WHITE : role_fg[i];
        short pbg = role_bg[i] < 0 ? COLOR_BLACK : role_bg[i];
        if (two) {
            init_pair((short)(R_COUNT + 1 + i), pfg, pbg);
            proj->pair[i] = (short)(R_COUNT + 1 + i);
        } else {
            proj->pair[i] = norm->pair[i];
        }
        proj->attr[i] = (role_attr[i] & ~A_DIM) | A_BOLD;
    }
}

static void blit(const struct view_screen *scr, const struct palette *p)
{
    for (int y = 0; y < scr->h; y++) {
        for (int x = 0; x < scr->w; x++) {
            const struct view_cell *c = &scr->cells[(size_t)y * (size_t)scr->w + (size_t)x];
            if (c->ch == VIEW_WIDE_CONT)
                continue;
            wchar_t wc[3] = { (wchar_t)c->ch, (wchar_t)c->mark, 0 };  /* mark 0: none */
            cchar_t cc;
            int r = c->role < R_COUNT ? c->role : R_NORMAL;
            setcchar(&cc, wc, p->attr[r], p->pair[r], NULL);
            mvadd_wch(y, x, &cc);
        }
    }
}

/* ---- keys ------------------------------------------------------------------- */

/* The key table's dispatch: a key bound twice does not compile. */
static int action_for(int ch)
{
    switch (ch) {
#define X(code, label, id) case code: return ACT_##id;
    KEY_BINDINGS(X)
#undef X
    default:
        return ACT_NONE;
    }
}

static int is_enter(int ch)
{
    return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

/* ---- the terminal going away ---------------------------------------------- */

/* getch() returned ERR: a timeout while playing, or the end of input.  When
 * the terminal hangs up and SIGHUP is ignored (nohup, trap '' HUP), every
 * read fails at once; looping on that would spin a core forever.  The
 * input is gone when the descriptor reports hang-up or an error, or when
 * a blocking read returns ERR again and again without a key. */
static int input_gone(int blocking, int *errs)
{
    struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&pfd, 1, 0) < 0 || (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
        return 1;
    if (!blocking) {
        *errs = 0;
        return 0;
    }
    /* a blocking getch() ends with ERR only on EOF or an error (a signal
     * that interrupts it once is not a reason to leave) */
    return ++*errs >= 3;
}

/* ---- the session ------------------------------------------------------------ */

struct session {
    struct scenario **scn;
    struct sim *s;
    int have_seed;
    uint64_t seed;
    const struct real_opts *real;   /* --real: replay what `o` opens too */
    const char *argv0;
    struct view_index ix;
    struct view_state st;
    struct scn_entry *cat;
    struct view_choice *choices;
    int ncat;
    struct view_screen *vs;         /* for a frame drawn mid-key */
    const struct palette *norm, *proj;
    struct whatif wi;               /* x, d, u, w: the what-if runs (whatif.c) */
    struct view_state asked;        /* the view before d asked how long */
    struct chapters ch;             /* the lesson's, over the run's trace */
    struct quiz quiz;               /* the run's quiz points (Q, --quiz) */
    struct code_map code;           /* the lesson's code pane over the run */
};

/* The lesson's chapters over the indexed run, for the title bar, ( and )
 * and the card. */
static void lesson_chapters(struct session *se)
{
    chapters_free(&se->ch);
    chapters_build(&se->ch, &se->s->tr, *se->scn);
    se->st.chapters = &se->ch;
    se->st.lesson = *se->scn;
    code_map_free(&se->code);
    code_map_build(&se->code, *se->scn, &se->s->tr);
    se->st.code = &se->code;
}

static int quiz_at_start;

/* --read: the capture the timeline shows, and the lesson read_capture made
 * of it (NULL once another lesson takes its place) */
static const struct capture *capture_shown;
static const struct scenario *capture_scn;

void tui_set_capture(const struct capture *cap, const struct scenario *scn)
{
    capture_shown = cap;
    capture_scn = scn;
}

void tui_set_quiz(int on)
{
    quiz_at_start = on;
}

/* The seed the session's run used. */
static uint64_t run_seed(const struct session *se)
{
    return se->have_seed ? se->seed : (*se->scn)->seed;
}

/* The quiz of the session's (new) run, quiz mode as it was. */
static void make_quiz(struct session *se)
{
    int on = se->quiz.on;
    quiz_free(&se->quiz);
    quiz_build(&se->quiz, *se->scn, &se->s->tr, run_seed(se), se->ix.crowd);
    se->quiz.on = on;
    se->st.quiz = &se->quiz;
}

/* A what-if or its undo put another run on screen: its chapters and its
 * quiz points are that run's (a quiz starts again on it). */
static void run_shown(struct session *se)
{
    lesson_chapters(se);
    make_quiz(se);
}

/* Renders and shows one frame now. */
static void draw_frame(struct session *se)
{
    int h, w;
    getmaxyx(stdscr, h, w);
    if (se->vs->w != w || se->vs->h != h) {
        view_screen_free(se->vs);
        view_screen_init(se->vs, w, h);
    }
    view_render(&se->ix, &se->st, se->vs);
    blit(se->vs, se->st.projector ? se->proj : se->norm);
    refresh();
}

/* Indexes the session's run; with --real, adds the model-beside-kernel
 * verdicts.  Returns what to say about the replay ("" when all is well). */
static const char *index_run(struct session *se, char *buf, size_t n)
{
    const struct trace *tr = &se->s->tr;
    buf[0] = '\0';
    view_index_build(&se->ix, tr);
    view_index_stopped(&se->ix, se->s);
    if (se->ix.stopped[0]) {         /* a run cut short says so as it opens */
        snprintf(buf, n, "%s", se->ix.stopped);
        if (se->real)
            view_index_compare(&se->ix, *se->scn);
        return buf;
    }
    if (!se->real)
        return buf;
    view_index_compare(&se->ix, *se->scn);
    if (se->ix.nkhosts)
        return buf;
    /* no kernel state seen: the replay failed, or nothing here is TCP */
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_INFO &&
            r->why.id == N_REAL_FAILED) {
            char why[256];
            snprintf(buf, n, _("--real: %s; showing the model only"),
                     real_why(tr, r, why, sizeof why));
            return buf;
        }
    }
    snprintf(buf, n, "%s", _("--real: nothing in this lesson runs on real sockets "
             "(the not-replayed rows say why)"));
    return buf;
}

static void open_catalog(struct session *se)
{
    if (!se->cat) {
        se->ncat = scnpath_catalog(se->argv0, &se->cat);
        se->choices = xcalloc(se->ncat > 0 ? (size_t)se->ncat : 1, sizeof *se->choices);
        for (int i = 0; i < se->ncat; i++)
            se->choices[i] = (struct view_choice){ se->cat[i].name, se->cat[i].title };
    }
    se->st.choices = se->choices;
    se->st.nchoices = se->ncat;
    /* start on the scenario being shown */
    const char *title = lesson_title(*se->scn);
    for (int i = 0; i < se->ncat; i++)
        if (title && !strcmp(se->cat[i].title, title))
            se->st.choice = i;
    se->st.overlay = OV_OPEN;
}

/* Runs the session's scenario (in the language chosen for it), with
 * --real's replay, and indexes the run; failed and note say what to tell
 * about the replay ("" when nothing). */
static void run_lesson(struct session *se, char *failed, size_t fn, char *note, size_t nn)
{
    struct scenario *scn = *se->scn;
    failed[0] = '\0';
    if (capture_scn && scn == capture_scn) {
        /* a capture is read again, not run */
        read_capture_again(scn, capture_shown, se->s);
        index_run(se, note, nn);
        return;
    }
    i18n_lesson(scn);
    sim_init(se->s, scn, se->have_seed ? se->seed : scn->seed);
    run_limits_apply(&se->wi.limits, se->s);    /* the command line's budgets */
    sim_run(se->s);
    if (se->real) {
        struct real_result rr;
        if (real_run(se->s, se->real, &rr) < 0)
            snprintf(failed, fn, _("--real: %s; showing the model only"), rr.err);
    }
    index_run(se, note, nn);
}

/* L: the other language, live.  The lesson runs again, for its notes and
 * texts in that language (the same events: the run is deterministic), and
 * the view stays where it was. */
static void switch_language(struct session *se)
{
    struct view_state *st = &se->st;
    i18n_switch(i18n_current() == I18N_ZH ? I18N_EN : I18N_ZH);
    view_index_free(&se->ix);
    sim_free(se->s);
    char failed[300], note[300];
    run_lesson(se, failed, sizeof failed, note, sizeof note);
    whatif_relang(&se->wi);         /* the runs undo goes back to, too */
    if (st->cur >= se->ix.n)
        st->cur = se->ix.n ? se->ix.n - 1 : 0;
    st->title = lesson_title(*se->scn);
    lesson_chapters(se);
    struct quiz old = se->quiz;       /* the same points, asked in the other language */
    quiz_rebuild(&se->quiz, &old, *se->scn, &se->s->tr, run_seed(se), se->ix.crowd);
    snprintf(st->msg, sizeof st->msg, "%.150s",
             failed[0] ? failed : _("language: English (L switches)"));
}

/* Loads the lesson file at path and runs it in place of the current one
 * (and of its what-ifs); `name` is what the messages call it.  A file
 * that cannot be read or does not parse is said on the bottom line
 * (file:line:col for a parse error) and the run shown stays.  `reload`
 * (r): the same file again, the view kept at the same event number where
 * the new run has it. */
static void load_file(struct session *se, const char *path, const char *name,
                      int reload)
{
    struct view_state *st = &se->st;
    size_t len = 0;
    int ioerr = 0;
    char *text = whatif_read_file(path, &len, &ioerr);
    if (!text) {
        snprintf(st->msg, sizeof st->msg, _("cannot open %s: %s"), name,
                 ioerr == EFBIG ? _("a lesson may have at most 64 MiB")
                                : strerror(ioerr));
        return;
    }
    struct scn_errors errs = { 0 };
    /* the lesson's own model counts against --max-memory as it is read,
     * as when main.c reads the first one */
    errs.max_memory = se->wi.limits.memory;
    struct scenario *ns = scenario_parse(path, text, len, &errs);
    if (!ns) {
        if (errs.n > 1)
            snprintf(st->msg, sizeof st->msg,
                     P_("%s (and %d more error; the run shown is unchanged)",
                        "%s (and %d more errors; the run shown is unchanged)",
                        errs.n - 1), errs.msgs[0], errs.n - 1);
        else
            snprintf(st->msg, sizeof st->msg, _("%s (the run shown is unchanged)"),
                     errs.n ? errs.msgs[0] : _("error"));
        scn_errors_free(&errs);
        free(text);
        return;
    }
    scn_errors_free(&errs);
    if (se->real) {
        /* the replay takes up to a few seconds: say so first */
        snprintf(st->msg, sizeof st->msg,
                 _("opening %s: replaying its TCP calls on 127.0.0.1 (--real)..."),
                 name);
        draw_frame(se);
    }
    struct view_state was = *st;
    whatif_clear(&se->wi);
    view_index_free(&se->ix);
    sim_free(se->s);
    if (*se->scn == capture_scn) {
        capture_scn = NULL;             /* a lesson takes the capture's place */
        se->wi.real = se->real != NULL;
    }
    scenario_free(*se->scn);
    *se->scn = ns;
    char failed[300], note[300];
    run_lesson(se, failed, sizeof failed, note, sizeof note);
    whatif_set_text(&se->wi, text, len);
    int utf8 = st->utf8, projector = st->projector, speed = st->speed;
    int fold = st->fold;
    view_state_init(st, utf8);
    st->projector = projector;
    st->speed = speed;
    st->fold = fold;
    st->title = lesson_title(ns);
    st->choices = se->choices;
    st->nchoices = se->ncat;
    lesson_chapters(se);
    if (reload) {
        /* the same event number, host and pane where the new run has them */
        st->cur = se->ix.n == 0 ? 0 : was.cur < se->ix.n ? was.cur : se->ix.n - 1;
        st->host = was.host < ns->nhosts ? was.host : 0;
        st->focus = was.focus;
    } else {
        st->overlay = OV_CARD;      /* a lesson opens on its card */
    }
    make_quiz(se);
    if (failed[0] || note[0])
        snprintf(st->msg, sizeof st->msg, reload ? _("reloaded %s: %.140s")
                 : _("opened %s: %.140s"), name, failed[0] ? failed : note);
    else if (reload)
        snprintf(st->msg, sizeof st->msg, P_("reloaded %s: %zu event, at event %zu",
                 "reloaded %s: %zu events, at event %zu", se->ix.n),
                 name, se->ix.n, se->ix.n ? st->cur + 1 : 0);
    else
        snprintf(st->msg, sizeof st->msg, se->real
                 ? P_("opened %s: %zu event, the kernel beside the model",
                      "opened %s: %zu events, the kernel beside the model", se->ix.n)
                 : P_("opened %s: %zu event", "opened %s: %zu events", se->ix.n),
                 name, se->ix.n);
}

/* Loads and runs the chosen shipped scenario in place of the current one. */
static void load_choice(struct session *se)
{
    struct view_state *st = &se->st;
    st->overlay = OV_NONE;
    if (st->choice < 0 || st->choice >= se->ncat)
        return;
    const struct scn_entry *e = &se->cat[st->choice];
    load_file(se, e->path, e->name, 0);
}

/* The path typed at `o`'s prompt: a file, or a shipped lesson's name. */
static void load_typed(struct session *se, const char *typed)
{
    struct view_state *st = &se->st;
    if (!typed[0]) {
        snprintf(st->msg, sizeof st->msg, "%s", _("no path given: nothing opened"));
        return;
    }
    char *path = scnpath_resolve(typed, se->argv0);
    if (!path) {
        snprintf(st->msg, sizeof st->msg,
                 _("no file or shipped lesson named \"%s\" (a path needs a / or .scn)"),
                 typed);
        return;
    }
    load_file(se, path, typed, 0);
    free(path);
}

/* The line typed at the prompt is given (Enter). */
static void prompt_done(struct session *se)
{
    struct view_state *st = &se->st;
    char in[sizeof st->input];
    snprintf(in, sizeof in, "%s", st->input);
    int prompt = st->prompt;
    st->overlay = OV_NONE;
    st->prompt = PR_NONE;
    st->msg[0] = '\0';
    switch (prompt) {
    case PR_DELAY: {
        struct view_state before = se->asked;     /* undo goes back before d */
        if (!whatif_duration_ok(in)) {
            snprintf(st->msg, sizeof st->msg,
                     _("\"%s\" is not a duration like 1s, 500ms or 1.5s: nothing changed"),
                     in);
            return;
        }
        whatif_apply(&se->wi, WI_DELAY, in, &before);
        run_shown(se);              /* chapters and quiz over the run now shown */
        break;
    }
    case PR_SAVE:
        whatif_save(&se->wi, in);
        break;
    case PR_PATH:
        load_typed(se, in);
        break;
    default:
        break;
    }
}

/* The what-if and file keys (x d u w r O); 1 when ch was one of them. */
static int whatif_key(struct session *se, int a)
{
    struct view_state *st = &se->st;
    struct view_state before = *st;
    switch (a) {
    case ACT_DROP:
        st->msg[0] = '\0';
        whatif_apply(&se->wi, WI_DROP, NULL, &before);
        run_shown(se);              /* chapters and quiz over the run now shown */
        return 1;
    case ACT_DELAY: {
        /* a frame no fault line can name is said before asking how long */
        char line[200];
        st->msg[0] = '\0';
        if (whatif_selector(se->ix.tr, st->cur, WI_DELAY, "1s", line, sizeof line,
                            st->msg, sizeof st->msg) < 0)
            return 1;
        se->asked = before;
        view_prompt_open(st, PR_DELAY, "1s");
        return 1;
    }
    case ACT_UNDO:
        whatif_undo(&se->wi);
        run_shown(se);
        return 1;
    case ACT_SAVE: {
        st->msg[0] = '\0';
        if (!se->wi.depth) {
            whatif_save(&se->wi, "");      /* says there is nothing to save */
            return 1;
        }
        char *def = whatif_save_name((*se->scn)->path);
        view_prompt_open(st, PR_SAVE, def);
        free(def);
        return 1;
    }
    case ACT_RELOAD: {
        if (capture_scn && *se->scn == capture_scn) {
            snprintf(st->msg, sizeof st->msg, "%s",
                     _("a capture is read once, from the command line; r reloads "
                       "a lesson"));
            return 1;
        }
        /* a copy: loading frees the scenario that holds the path */
        char *path = xstrdup((*se->scn)->path);
        st->msg[0] = '\0';
        load_file(se, path, path, 1);
        free(path);
        return 1;
    }
    case ACT_OPEN_PATH:
        st->msg[0] = '\0';
        view_prompt_open(st, PR_PATH, "");
        return 1;
    default:
        return 0;
    }
}

/* Handles one key; returns 1 to quit. */
static int handle_key(struct session *se, int ch, int w, int h)
{
    struct view_state *st = &se->st;
    if (w < VIEW_MIN_W || h < VIEW_MIN_H)
        return ch == 'q';
    switch (st->overlay) {
    case OV_PROMPT:
        if (ch == KEY_BACKSPACE)
            ch = 127;
        else if (is_enter(ch))
            ch = '\n';
        if (view_prompt_key(st, ch) > 0)
            prompt_done(se);
        return 0;
    case OV_SEARCH:
        if (ch == KEY_BACKSPACE)
            ch = 127;
        else if (is_enter(ch))
            ch = '\n';
        view_search_key(&se->ix, st, ch);
        return 0;
    case OV_HELP:
        if (!view_help_key(st, action_for(ch), w, h)) {
            st->overlay = st->help_back;  /* the question it was opened over */
            st->help_back = OV_NONE;
        }
        return 0;
    case OV_CARD:
        /* any key continues; one that means "go on" does only that, the
         * others also do what they do */
        st->overlay = OV_NONE;
        if (is_enter(ch) || ch == ' ' || ch == 27 || action_for(ch) == ACT_CARD)
            return 0;
        break;
    case OV_QUIZ: {
        /* the keys that move no event do what the help says over a
         * question too (they said "answer with a choice's number"): the
         * projector, a redraw, and the help, after which the question
         * is back */
        int qa = action_for(ch);
        if (qa == ACT_PROJECTOR || qa == ACT_REDRAW) {
            if (view_apply(&se->ix, st, qa, w, h) == VE_REDRAW)
                clearok(curscr, TRUE);
            return 0;
        }
        if (qa == ACT_HELP) {
            st->overlay = OV_HELP;
            st->help_top = 0;
            st->help_back = OV_QUIZ;
            return 0;
        }
        if (view_quiz_key(&se->ix, st, ch))
            return 0;
        break;                         /* q quits, Q ends quiz mode */
    }
    case OV_OPEN: {
        int a = action_for(ch);
        if (is_enter(ch))
            load_choice(se);
        else if (ch == 'p')
            view_prompt_open(st, PR_PATH, "");
        else if (ch == 27 || ch == 'q')
            st->overlay = OV_NONE;
        else if (a == ACT_NEXT && st->choice + 1 < st->nchoices)
            st->choice++;
        else if (a == ACT_PREV && st->choice > 0)
            st->choice--;
        else if (a == ACT_START)
            st->choice = 0;
        else if (a == ACT_END && st->nchoices > 0)
            st->choice = st->nchoices - 1;
        else if (a == ACT_PAGE_DOWN && st->nchoices > 0)  /* as the help says: a page */
            st->choice = st->choice + 10 < st->nchoices ? st->choice + 10
                                                         : st->nchoices - 1;
        else if (a == ACT_PAGE_UP)
            st->choice = st->choice > 10 ? st->choice - 10 : 0;
        return 0;
    }
    default:
        break;
    }
    /* the encapsulation view: Esc or Enter closes it; every other key does
     * what it does and the view stays open (stepping shows the next
     * packet's layers; its own key closes it in view_apply) */
    if (st->encap && st->overlay == OV_NONE && (is_enter(ch) || ch == 27)) {
        st->encap = 0;
        return 0;
    }
    int a = action_for(ch);
    if (a == ACT_NONE) {
        if (ch != 27)
            snprintf(st->msg, sizeof st->msg, "%s",
                     _("that key does nothing here: ? lists the keys"));
        return 0;
    }
    if (whatif_key(se, a))
        return 0;
    switch (view_apply(&se->ix, st, a, w, h)) {
    case VE_QUIT:
        return 1;
    case VE_OPEN:
        open_catalog(se);
        break;
    case VE_REDRAW:
        clearok(curscr, TRUE);
        break;
    case VE_LANG:
        switch_language(se);
        break;
    default:
        break;
    }
    return 0;
}

int tui_run(struct scenario **scn, struct sim *s, int have_seed, uint64_t seed,
            const struct real_opts *real, const char *argv0, char *why,
            size_t whylen)
{
    /* the character set is the one language.c's i18n_ready() sets up
     * (only LC_CTYPE and LC_MESSAGES: the numbers keep the C locale's form) */
    i18n_ready();
    int utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    const char *nc = getenv("NO_COLOR");
    int no_color = nc && *nc;

    /* Ask terminfo first: a failed newterm() leaks its half-built screen,
     * setupterm() reports an unknown TERM cleanly. */
    int terr = 0;
    if (setupterm(NULL, STDOUT_FILENO, &terr) != OK) {
        const char *t = getenv("TERM");
        snprintf(why, whylen, "TERM=%s is not a terminal type this system knows",
                 t ? t : "");
        return -1;
    }
    del_curterm(cur_term);

    save_handlers();
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        const char *t = getenv("TERM");
        snprintf(why, whylen, "TERM=%s is not a terminal type this system knows",
                 t ? t : "");
        return -1;
    }
    set_term(scr);
    tui_active = 1;
    install_handlers();
    atexit(restore_terminal);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    int colour = !no_color && has_colors();
    if (colour)
        start_color();
    struct palette norm, proj;
    make_palettes(colour, &norm, &proj);

    struct view_screen vs = { 0, 0, NULL };
    struct session se;
    memset(&se, 0, sizeof se);
    se.scn = scn;
    se.s = s;
    se.have_seed = have_seed;
    se.seed = seed;
    se.real = real;
    se.argv0 = argv0;
    se.vs = &vs;
    se.norm = &norm;
    se.proj = &proj;
    char note[300];
    index_run(&se, note, sizeof note);
    whatif_init(&se.wi, scn, &se.s, &se.ix, &se.st, have_seed, seed,
                capture_scn && *scn == capture_scn ? WHATIF_OFF_CAPTURE
                : real ? WHATIF_OFF_REAL : 0);
    view_state_init(&se.st, utf8);
    se.st.title = lesson_title(*scn);
    se.quiz.asking = -1;
    make_quiz(&se);
    snprintf(se.st.msg, sizeof se.st.msg, "%.150s", note);
    lesson_chapters(&se);
    se.st.overlay = OV_CARD;        /* a lesson opens on its card */
    if (quiz_at_start && !note[0])
        view_quiz_toggle(&se.ix, &se.st);
    else
        se.quiz.on = quiz_at_start;

    int dirty = 1, errs = 0;
    for (;;) {
        int h, w;
        getmaxyx(stdscr, h, w);
        if (dirty) {
            if (vs.w != w || vs.h != h) {
                view_screen_free(&vs);
                view_screen_init(&vs, w, h);
            }
            view_render(&se.ix, &se.st, &vs);
            blit(&vs, se.st.projector ? &proj : &norm);
            refresh();
            dirty = 0;
        }
        int blocking = !(se.st.playing && w >= VIEW_MIN_W && h >= VIEW_MIN_H);
        timeout(blocking ? -1 : view_speed_ms(se.st.speed));
        int ch = getch();
        if (ch == ERR && input_gone(blocking, &errs))
            break;                     /* the terminal is gone: restore and end */
        if (ch == ERR) {
            if (se.st.playing) {
                if (se.st.cur + 1 < se.ix.n) {
                    se.st.cur++;
                    se.st.scroll[PANE_INSPECTOR] = 0;
                    view_quiz_gate(&se.ix, &se.st, se.st.cur - 1);
                } else {
                    se.st.playing = 0;
                    view_end_message(&se.ix, &se.st);
                }
                dirty = 1;
            }
            continue;
        }
        dirty = 1;
        errs = 0;
        if (ch == KEY_RESIZE)          /* the one place: re-render at the new size */
            continue;
        if (handle_key(&se, ch, w, h))
            break;
    }

    view_screen_free(&vs);
    whatif_free(&se.wi);            /* the caller's run is current again */
    view_index_free(&se.ix);
    chapters_free(&se.ch);
    code_map_free(&se.code);
    quiz_free(&se.quiz);
    free(se.choices);
    scnpath_catalog_free(se.cat, se.ncat);
    restore_terminal();
    delscreen(scr);
    put_back_handlers();
    return 0;
}

long tui_bench_frames(const struct view_index *ix, struct view_state *st, int w,
                      int h, long frames)
{
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    if (!out || !in) {
        if (out) fclose(out);
        if (in) fclose(in);
        return -1;
    }
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr) {
        fclose(out);
        fclose(in);
        return -1;
    }
    set_term(scr);
    resizeterm(h, w);
    start_color();
    struct palette norm, proj;
    make_palettes(has_colors(), &norm, &proj);
    struct view_screen vs;
    long done = 0;
    view_screen_init(&vs, w, h);
    for (; done < frames; done++) {
        view_render(ix, st, &vs);
        blit(&vs, &norm);
        refresh();
        st->cur = ix->n && st->cur + 1 < ix->n ? st->cur + 1 : 0;
    }
    view_screen_free(&vs);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    return done;
}
