/* view.h — the interactive timeline without a terminal: the trace index, layout, and the rows of cells (text + role) the screen shows.
 *
 * model -> rows -> draw.  view_index_build() reads a finished trace once;
 * view_render() turns (index, view_state, screen size) into a grid of cells,
 * each a character and a semantic role; ui/tui.c only maps roles to curses
 * attributes and copies the cells out.  Nothing here includes <curses.h>, so
 * the whole picture is unit-tested (tests/test_view.c).
 *
 * The view at event N is a pure function of the trace prefix [0, N] and the
 * screen: stepping back shows exactly what was shown when N was first
 * reached.  The index is built from the whole trace, but render only follows
 * a link (a send's arrival, a timer's stop) when its far end is <= N; the
 * whole-run facts it uses are which hosts share a LAN (see bpeer), which
 * hosts have kernel observations (--real: khost, so the kernel columns are
 * there from the first event), and the inspector's verdict of the --batch
 * comparison for a kernel observation (view_index_compare). */
#ifndef PROTOSIM_VIEW_H
#define PROTOSIM_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include "trace.h"
#include "keys.h"

struct scenario;

#define VIEW_MIN_W 80
#define VIEW_MIN_H 24

/* Semantic colour roles: X(ID, fg, bg, attrs, mono).  fg/bg/attrs are the
 * colour scheme, mono the attributes used without colour (NO_COLOR, or a
 * terminal without colours).  Only ui/tui.c expands those columns, so the
 * curses names in them are never seen by the curses-free files. */
/* A protocol's arrow role from its row in trace.h's PROTOCOLS: its colour
 * and weight there, plain without colour. */
#define PKT_ROLE_ROW(X, id, name, colour, weight) \
    X(PKT_##id, PKT_FG_##colour, -1, A_##weight, A_NORMAL)
#define PKT_FG_DEFAULT  -1
#define PKT_FG_GREEN    COLOR_GREEN
#define PKT_FG_BLUE     COLOR_BLUE
#define PKT_FG_MAGENTA  COLOR_MAGENTA
#define PKT_FG_CYAN     COLOR_CYAN
#define PKT_FG_YELLOW   COLOR_YELLOW
#define PKT_FG_RED      COLOR_RED
#define PKT_FG_WHITE    COLOR_WHITE

#define COLOR_ROLES(X) \
    X(NORMAL,     -1,            -1,          A_NORMAL,          A_NORMAL)           \
    X(TITLE,      COLOR_WHITE,   COLOR_BLUE,  A_BOLD,            A_REVERSE | A_BOLD) \
    X(HINT,       COLOR_BLACK,   COLOR_CYAN,  A_NORMAL,          A_REVERSE)          \
    X(HINT_KEY,   COLOR_BLACK,   COLOR_CYAN,  A_BOLD,            A_REVERSE | A_BOLD) \
    X(MSG,        COLOR_BLACK,   COLOR_YELLOW, A_BOLD,           A_REVERSE | A_BOLD) \
    X(HOST,       -1,            -1,          A_BOLD,            A_BOLD)             \
    X(HOST_SEL,   COLOR_BLACK,   COLOR_YELLOW, A_BOLD,           A_REVERSE | A_BOLD) \
    X(ADDR,       -1,            -1,          A_DIM,             A_DIM)              \
    X(TIME,       -1,            -1,          A_DIM,             A_DIM)              \
    X(CURSOR,     COLOR_YELLOW,  -1,          A_BOLD,            A_BOLD)             \
    X(LIFELINE,   -1,            -1,          A_DIM,             A_DIM)              \
    X(TIMER,      COLOR_CYAN,    -1,          A_BOLD,            A_BOLD)             \
    X(APP,        -1,            -1,          A_NORMAL,          A_NORMAL)           \
    X(NOTE,       COLOR_YELLOW,  -1,          A_NORMAL,          A_NORMAL)           \
    PROTOCOLS(PKT_ROLE_ROW, X)  /* R_PKT_ETH .. R_PKT_HTTP, from trace.h */  \
    X(PKT_OTHER,  -1,            -1,          A_NORMAL,          A_NORMAL)           \
    X(DROP,       COLOR_RED,     -1,          A_BOLD,            A_BOLD)             \
    X(ST_IDLE,    -1,            -1,          A_BOLD,            A_BOLD)             \
    X(ST_OPENING, COLOR_YELLOW,  -1,          A_BOLD,            A_BOLD)             \
    X(ST_OPEN,    COLOR_GREEN,   -1,          A_BOLD,            A_BOLD)             \
    X(ST_CLOSING, COLOR_MAGENTA, -1,          A_BOLD,            A_BOLD)             \
    X(ST_WAIT,    COLOR_BLUE,    -1,          A_BOLD,            A_BOLD)             \
    X(SELECTED,   COLOR_BLACK,   COLOR_YELLOW, A_BOLD,           A_REVERSE | A_BOLD) \
    X(PANE,       COLOR_CYAN,    -1,          A_BOLD,            A_UNDERLINE)        \
    X(PANE_FOCUS, COLOR_BLACK,   COLOR_CYAN,  A_BOLD,            A_REVERSE | A_BOLD) \
    X(BORDER,     -1,            -1,          A_DIM,             A_DIM)              \
    X(LAYER,      COLOR_YELLOW,  -1,          A_BOLD,            A_BOLD)             \
    X(WHY,        -1,            -1,          A_BOLD,            A_BOLD)             \
    X(HEX,        -1,            -1,          A_NORMAL,          A_NORMAL)           \
    X(ALERT,      COLOR_RED,     -1,          A_BOLD,            A_BOLD)             \
    X(OVERLAY,    COLOR_WHITE,   COLOR_BLUE,  A_NORMAL,          A_NORMAL)           \
    X(OVL_KEY,    COLOR_YELLOW,  COLOR_BLUE,  A_BOLD,            A_BOLD)             \
    X(OVL_SEL,    COLOR_BLACK,   COLOR_CYAN,  A_BOLD,            A_REVERSE)          \
    X(KERNEL,     -1,            -1,          A_DIM,             A_DIM)              \
    X(KHEAD,      COLOR_CYAN,    -1,          A_BOLD,            A_BOLD | A_UNDERLINE) \
    X(KUNSEEN,    -1,            -1,          A_DIM,             A_DIM)

enum view_role {
#define X(id, fg, bg, attr, mono) R_##id,
    COLOR_ROLES(X)
#undef X
    R_COUNT
};

/* Line-drawing glyphs with their ASCII fallbacks (locale not UTF-8). */
#define VIEW_GLYPHS(X) \
    X(VLINE,    0x2502, '|')  /* │ lifeline */                          \
    X(VBAR,     0x2503, '#')  /* ┃ lifeline while a timer runs */       \
    X(HLINE,    0x2500, '-')  /* ─ packet path */                       \
    X(HDASH,    0x2504, '.')  /* ┄ packet still in flight */            \
    X(TEE_R,    0x251C, '+')  /* ├ a packet leaves rightwards */        \
    X(TEE_L,    0x2524, '+')  /* ┤ a packet leaves leftwards */         \
    X(HEAD_R,   0x25B6, '>')  /* ▶ arrived */                           \
    X(HEAD_L,   0x25C0, '<')  /* ◀ */                                   \
    X(FLY_R,    0x25B7, '>')  /* ▷ on its way */                        \
    X(FLY_L,    0x25C1, '<')  /* ◁ */                                   \
    X(CROSS,    0x2715, 'X')  /* ✕ dropped */                           \
    X(ARC_DL,   0x256E, '.')  /* ╮ from the left, down */               \
    X(ARC_DR,   0x256D, '.')  /* ╭ from the right, down */              \
    X(ARC_UR,   0x2570, '\'') /* ╰ from above, right */                 \
    X(ARC_UL,   0x256F, '\'') /* ╯ from above, left */                  \
    X(ELLIPSIS, 0x2026, '~')  /* … text cut short */                    \
    X(MARK,     0x25B8, '>')  /* ▸ the selected event */                \
    X(NOTEFILL, 0x2504, '-')  /* ┄ around a narration note */           \
    X(BOX_H,    0x2500, '-')                                            \
    X(BOX_V,    0x2502, '|')                                            \
    X(BOX_TL,   0x250C, '+')                                            \
    X(BOX_TR,   0x2510, '+')                                            \
    X(BOX_BL,   0x2514, '+')                                            \
    X(BOX_BR,   0x2518, '+')                                            \
    X(KGUIDE,   0x2506, ':')  /* ┆ a kernel column (--real) */            \
    X(KOBS,     0x25C6, '*')  /* ◆ folded: the kernel's state seen here */ \
    X(KUNSEEN,  0x25C7, '?')  /* ◇ folded: a state it did not show */    \
    X(KDIFF,    0x2260, '!')  /* ≠ the kernel differs from the model */  \
    X(KDETAIL,  0x007E, '~')  /* ~ the same state, a detail differs */ \
    X(KQUERY,   0x003F, '?')  /* ? a state the kernel was not seen in */ \
    X(KSAME,    0x003D, '=')  /* = the kernel agrees with the model */ \
    X(DEPART,   0x2691, '!')  /* ⚑ what-if: the story departs here */ \
    X(JUMP,     0x2248, '~')  /* ≈ time jumps before this row */

enum view_glyph {
#define X(id, u, a) G_##id,
    VIEW_GLYPHS(X)
#undef X
    G_COUNT
};

uint32_t view_glyph(int g, int utf8);

/* ---- cells -------------------------------------------------------------- */

/* The right half of a double-width character: draw nothing there. */
#define VIEW_WIDE_CONT 0xFFFFFFFFu

struct view_cell {
    uint32_t ch;        /* a Unicode code point (ASCII only when !utf8) */
    uint8_t  role;      /* enum view_role */
    /* a combining mark drawn over ch, 0 none: "se\u0301rveur" keeps its
     * accent (dropped, the student read another name than the lesson's).
     * One mark a cell; a second on one character is not drawn. */
    uint32_t mark;
};
/* The most bytes of UTF-8 one cell writes: a character and its mark. */
#define VIEW_CELL_BYTES 8

/* The whole screen as rows of cells, row-major. */
struct view_screen {
    int w, h;
    struct view_cell *cells;
};

void view_screen_init(struct view_screen *s, int w, int h);
void view_screen_free(struct view_screen *s);
void view_screen_clear(struct view_screen *s);
static inline struct view_cell *view_at(struct view_screen *s, int x, int y)
{
    return &s->cells[(size_t)y * (size_t)s->w + (size_t)x];
}
/* Row y as UTF-8 with trailing blanks removed; returns buf. */
char *view_screen_line(const struct view_screen *s, int y, char *buf, size_t n);
/* The whole screen, rows joined by '\n' (malloc'd). */
char *view_screen_text(const struct view_screen *s);

/* Writes UTF-8 text at (x, y), at most maxw columns, clipped to the screen;
 * non-ASCII becomes '?' when !utf8.  Returns the columns used. */
int view_put(struct view_screen *s, int x, int y, int maxw, const char *text,
             int role, int utf8);
/* Display width of UTF-8 text (CJK counts two). */
int view_text_width(const char *text);

/* ---- layout ------------------------------------------------------------- */

struct view_rect { int x, y, w, h; };

enum view_pane { PANE_DIAGRAM, PANE_INSPECTOR, PANE_STATE, PANE_COUNT };

struct view_layout {
    int too_small;                 /* below VIEW_MIN_W x VIEW_MIN_H */
    struct view_rect title, diagram, inspector, state, narration, hint;
    int side_by_side;              /* inspector and state both shown */
};

/* The layout for a w x h terminal.  Without side_by_side only the focused
 * one of inspector/state is shown (the inspector unless state has focus);
 * the other's rect is empty.  In projector mode the diagram and a narration
 * box fill the screen. */
void view_layout(int w, int h, int projector, int focus, struct view_layout *L);
/* The code pane's rect, taken from the right of the diagram's (which
 * shrinks by it and a border column): 2/5 of the width, at most 48
 * columns, leaving the diagram at least 44.  An empty rect when the
 * layout is too small or in projector mode. */
struct view_rect view_layout_code(struct view_layout *L, int projector);

/* Lifeline columns for n hosts in the band [x0, x0 + w): evenly spaced with
 * a margin for labels centred on the outer lifelines. */
void view_columns(int n, int x0, int w, int *cols);

/* --real: a narrow "kernel" column just right of each lifeline whose host
 * the kernel was observed for: a guide (┆), a mark cell and the state name,
 * VIEW_KCOL_W columns from lifeline + 2.  VIEW_KCOL_GAP is the least room
 * left between a kernel column and the next lifeline for the packets. */
#define VIEW_KCOL_W   14
#define VIEW_KCOL_GAP 6

enum view_kmode {
    VK_NONE,        /* no kernel observations: the plain diagram */
    VK_FULL,        /* a kernel column beside each observed host */
    VK_FOLDED       /* too narrow: a marker on the lifeline instead */
};

/* Lifelines and kernel columns for n hosts in the band [x0, x0 + w); khost
 * (n flags, NULL = none) says which hosts have kernel observations.  Fills
 * cols[n] and kx[n] (a kernel column's first cell, -1 none) and returns the
 * enum view_kmode.  VK_FULL when every column fits; the lifelines then
 * move left just enough for the last one's column.  A pure function. */
int view_kernel_columns(int n, const uint8_t *khost, int x0, int w, int *cols,
                        int *kx);

/* A crowd: more hosts than this.  The state pane then lists the selected
 * host and the hosts of the current event; the diagram gives lifelines to
 * the hosts of the rows on screen, as many as fit, and one shared
 * lifeline to all the others. */
#define VIEW_CROWD_HOSTS 24

/* ---- the trace, indexed once -------------------------------------------- */

#define VF_BCAST 0x01      /* send: an Ethernet broadcast */
#define VF_TCP   0x02      /* send: a TCP segment (tcp_nxt valid) */
#define VF_ACK   0x04      /* send: ACK flag set (tcp_ack valid) */

/* One connection (or cache entry) as the state pane shows it, after some
 * record of it. */
struct view_conn {
    uint32_t conn;
    int      host, layer, state, have_state;
    int      have_snd, have_rcv;
    uint32_t snd_nxt, rcv_nxt;
    int64_t  due[TM_COUNT];
    long     kernel;           /* --real: the last kernel state record, -1 */
};

struct view_index {
    const struct trace *tr;
    size_t   n;
    int32_t *peer;         /* recv/drop: the send it ends; timer stop/expire/
                              restart: the start it ends; else -1 */
    int32_t *end;          /* send: the last record ending it; timer start:
                              the record ending it; else -1 (never) */
    int32_t *first_end;    /* send: first recv/drop ending it, -1 none */
    int32_t *next_end;     /* recv/drop: the next end of the same send */
    int32_t *live;         /* the smallest send whose flight covers row i
                              (i itself when none) */
    uint32_t *tcp_nxt;     /* send: seq + len + SYN + FIN */
    uint32_t *tcp_ack;
    uint8_t  *flags;       /* VF_xxx */
    uint8_t  *proto;       /* the protocol, as a trace layer (TL_xxx): a
                              packet's top protocol (DNS over UDP is dns),
                              else the record's layer */
    int32_t  *bsrc;        /* broadcast send: its sending interface (an
                              index of distinct source MACs), else -1 */
    uint64_t *bpeer;       /* sorted, distinct: (i << 32 | h) when a
                              broadcast from interface i reached host h
                              somewhere in the run — the LANs, a static
                              fact like the host list, used to aim
                              broadcasts still in flight; linear in the
                              arrivals, not interfaces x hosts */
    size_t   nbpeer;
    int      nifs;
    /* Each host's timers as intervals of rows during which at least one
     * runs (overlapping timers merged; a timer that never stops runs to
     * row n): host h's are tcov[tcoff[h] .. tcoff[h + 1]), in order, so a
     * lifeline's timer bars cost a binary search, not a scan from the
     * oldest timer still running. */
    size_t  *tcoff;
    struct view_span { int32_t from, to; } *tcov;
    int      time_w;       /* width of the widest fmt_time() */
    int64_t  jump_us;      /* a gap this long is a time jump (view_time_jump) */
    /* --real (all NULL / 0 when the trace has no --real record) */
    int      nkhosts;      /* hosts with kernel state observations */
    uint8_t *khost;        /* nhosts: 1 when the kernel was observed for h */
    int8_t  *kmodel;       /* a kernel state record: the model's state of the
                              same connection at that moment (CLOSED while
                              the model has no such connection), else -1 */
    int8_t  *kbefore;      /* ... or, for a look taken before the replay's
                              own call at that instant, the model's state
                              just before it (the model's records come
                              first at equal times) */
    uint8_t *kmark;        /* KM_xxx */
    struct why *kwhy;      /* compare.c's sentence for an observation */
    int      compared;     /* view_index_compare() ran */
    /* A run a limit stopped (view_index_stopped): the sentence that says
     * where and by which limit, for the bottom line when the run opens and
     * when stepping reaches its end, and the limit's option for the title
     * bar; "" and NULL for a run that ran out of events. */
    char     stopped[200];
    const char *stop_option;
    /* The state pane, precomputed so that a step costs the same at any
     * event: the connections in order of first appearance; for each, its
     * state after each of its records (cstate[coff[k] .. coff[k + 1]),
     * those records' indices in crec, increasing); and each host's
     * connections in that order (hconn[hoff[h] .. hoff[h + 1])). */
    size_t   nconns;
    size_t  *coff;
    struct view_conn *cstate;
    uint32_t *crec;
    size_t  *hoff;
    uint32_t *hconn;
    /* The crowd, and its rows when folded (ui/view_fold.c).  The crowd is
     * the packets from or to an IPv4 address that is no host's (forged
     * sources, and the replies that go to them) and ARP messages about one,
     * their arrivals and drops, every record of the TCP connections those
     * packets belong to and of ARP cache entries for those addresses --
     * when at least VIEW_CROWD_ADDRS distinct such addresses appear (fewer
     * are a lesson's own, a connect to an address nobody has, say).
     * Folded, each run of consecutive crowd records is one row of the
     * diagram.  All NULL / 0 when the run has no crowd. */
    uint8_t  *crowd;         /* per record: 1 in the crowd */
    size_t    crowd_addrs;   /* distinct addresses of no host */
    size_t    nrows;         /* the diagram's rows, folded */
    uint32_t *row;           /* per record: its row, folded */
    uint32_t *row_last;      /* per row: its last record */
    int32_t  *row_fold;      /* per row: its index in folds, -1 for a
                                record of its own */
    struct view_fold *folds;
    size_t    nfolds;
};

/* At least this many distinct addresses of no host make a crowd. */
#define VIEW_CROWD_ADDRS 8

/* What a folded row holds, counted by kind. */
enum view_fold_kind { FOLD_SENT, FOLD_RECEIVED, FOLD_DROPPED, FOLD_STATE,
                      FOLD_TIMER, FOLD_OTHER, FOLD_KINDS };
struct view_fold {
    uint32_t first, last;    /* its records */
    uint32_t n[FOLD_KINDS];
};

/* Did a broadcast from interface iface reach host h somewhere in the run
 * (h < 0: any host)? */
int view_bcast_reached(const struct view_index *ix, int iface, int h);
/* How many hosts broadcasts from interface iface reached in the run. */
size_t view_bcast_peers(const struct view_index *ix, int iface);

/* Connection k's state at event cur (after its last record at or before
 * cur), or NULL when it has none yet. */
const struct view_conn *view_conn_at(const struct view_index *ix, size_t k, size_t cur);

/* kmark bits of a kernel state record. */
#define KM_UNSEEN  0x01    /* RW_UNSEEN: a state the kernel was not seen in */
#define KM_DIFF    0x02    /* the model is in another state at that moment */
#define KM_SAME    0x04    /* compare.c: the model goes through it too */
#define KM_DETAIL  0x08    /* compare.c: the same state, a detail differs */
#define KM_ONLY    0x10    /* compare.c: only one side has it */

void view_index_build(struct view_index *ix, const struct trace *tr);
/* --real: adds the model-beside-kernel verdicts of real/compare.c (the
 * --batch table) for the inspector; needs the run's scenario.  A
 * no-op without kernel observations. */
void view_index_compare(struct view_index *ix, const struct scenario *scn);
void view_index_free(struct view_index *ix);
struct sim;
/* Marks the index of a run that a limit stopped (s->truncated), as every
 * other output of such a run is marked; call it after view_index_build.
 * A no-op for a run that finished. */
void view_index_stopped(struct view_index *ix, const struct sim *s);

/* ---- what the user is looking at ---------------------------------------- */

enum view_overlay { OV_NONE, OV_HELP, OV_SEARCH, OV_OPEN, OV_PROMPT, OV_CARD, OV_QUIZ };

/* What a line typed at the bottom (OV_PROMPT) is for (ui/view_prompt.c). */
enum view_prompt { PR_NONE, PR_DELAY, PR_SAVE, PR_PATH };

struct quiz;                   /* quiz.h */
struct code_map;               /* view_code.h */

/* One shipped scenario, for the `o` list. */
struct view_choice { const char *name, *title; };

struct view_state {
    size_t cur;            /* the selected event N: the diagram shows [0, N] */
    int    host;           /* the selected host (for ] and [) */
    int    focus;          /* enum view_pane */
    int    scroll[PANE_COUNT];
    int    projector;
    int    utf8;
    int    playing;
    int    speed;          /* index into view_speed_ms() */
    int    overlay;        /* enum view_overlay */
    char   query[64];      /* the search being typed, then the last one */
    char   msg[256];       /* one-shot message for the bottom line */
    const char *title;     /* the scenario's title */
    const struct view_choice *choices;   /* the `o` list */
    int    nchoices, choice;
    /* what-if (ui/whatif.c): 1 + the event where this run departs from
     * the one it was made from, marked in the diagram; 0 none */
    size_t depart;
    int    whatifs;        /* what-ifs stacked under this run, shown in the title */
    int    prompt;         /* enum view_prompt, while overlay is OV_PROMPT */
    char   input[256];     /* the line typed at that prompt */
    /* issue 13 (ui/view_lesson.c): the lesson's card (OV_CARD) shows its
     * title and describe text; its chapters (NULL: none) name the title
     * bar's chapter and are what ( and ) jump between; the lifelines can
     * be hidden and reordered (lanes_set: lane_order and lane_hidden are
     * in use; without a crowd only) */
    const struct scenario *lesson;
    const struct chapters *chapters;
    int    lanes_set;
    int8_t lane_order[VIEW_CROWD_HOSTS];  /* the host at each position */
    uint8_t lane_hidden[VIEW_CROWD_HOSTS];/* by host */
    struct quiz *quiz;     /* quiz mode (view_quiz.h), NULL none */
    /* issue 14 (ui/view_layers.c): the encapsulation view is open over the
     * diagram; it follows the selected event and stays open while moving
     * (search, help and the card cover it for a while); e, Esc or Enter
     * close it */
    int    encap;
    /* issue 14 (ui/view_code.c): the lesson's code pane, beside the
     * diagram when the lesson has `code` lines and code_hidden is 0 */
    const struct code_map *code;
    int    code_hidden;
    /* issue 11 (ui/view_fold.c): the crowd's records folded into rows
     * (z); on by default, and only in effect when the run has a crowd */
    int    fold;
    int    help_top;       /* the first line of the help shown, when it scrolls */
    int    help_back;      /* the overlay the help goes back to (a question) */
};

void view_state_init(struct view_state *st, int utf8);
/* The bottom line's message at the last event: the end of the run, or
 * where a limit stopped it (ix->stopped, view_index_stopped). */
void view_end_message(const struct view_index *ix, struct view_state *st);

/* Milliseconds per event when playing at speed level `speed`; the number of
 * levels is view_nspeeds(). */
int view_speed_ms(int speed);
int view_nspeeds(void);

/* Renders everything into scr (its size is the terminal size). */
void view_render(const struct view_index *ix, const struct view_state *st,
                 struct view_screen *scr);

/* The diagram alone into rect r of scr (view_render calls it). */
void view_render_diagram(const struct view_index *ix, const struct view_state *st,
                         struct view_screen *scr, struct view_rect r);

/* Draws one packet path: leaving lifeline column xa on row ya, reaching xe
 * on row yb (yb >= ya), where the path ends with `end` (G_HEAD_x, G_FLY_x or
 * G_CROSS).  Rows and columns outside clip are not drawn.  Returns the
 * column where the first row's segment ends (its corner). */
int view_draw_path(struct view_screen *scr, struct view_rect clip, int xa,
                   int ya, int xe, int yb, int end, int dashed, int role,
                   int utf8);

/* Paths as n calls of view_draw_path in order would leave them (a later
 * path over an earlier one), each cell written once: how the diagram
 * draws the packets in flight. */
struct view_path { int xa, ya, xe, yb, end, dashed, role; };
void view_draw_paths(struct view_screen *scr, struct view_rect clip,
                     const struct view_path *p, size_t n, int utf8);

/* ---- text lines for the panes ------------------------------------------- */

struct view_line {
    char   *text;          /* UTF-8 */
    uint8_t role;
    uint8_t head_role;     /* role of the first head_len bytes */
    int     head_len;
};

struct view_lines {
    struct view_line *v;
    int n, cap;
};

void view_lines_free(struct view_lines *l);
/* The inspector for the selected event, wrapped to width. */
void view_inspector_lines(const struct view_index *ix, const struct view_state *st,
                          int width, struct view_lines *out);
/* Every host's connections (and other protocol state) at the selected event. */
void view_state_lines(const struct view_index *ix, const struct view_state *st,
                      int width, struct view_lines *out);
/* The help overlay, from the key table (keys.h). */
void view_help_lines(struct view_lines *out);
/* A key pressed while the help is open on a w x h screen: 1 when it
 * scrolled the help (the help is taller than the screen and the action is
 * a move: next, previous, page, first, last); 0 means the key closes it. */
int view_help_key(struct view_state *st, int action, int w, int h);

/* ---- issue 14: the layers (ui/view_layers.c) ----------------------------- */

/* Where a header sits: the TCP/IP model's four layers with their OSI
 * numbers, and ARP, which has no exact place in either model (it rides
 * directly in an Ethernet frame and maps layer-3 addresses to layer-2
 * ones: a link-layer protocol "between OSI 2 and 3"). */
enum view_net_layer { VL_LINK, VL_ARP, VL_NETWORK, VL_TRANSPORT, VL_APPLICATION,
                      VL_COUNT };

/* The layer's label as the inspector shows it before a header: "link (OSI
 * 2)", "network (OSI 3)", ..., translated. */
const char *view_layer_label(int vl);
/* The layer's name alone ("link", "transport"), translated. */
const char *view_layer_name(int vl);

/* A frame's sizes, layer by layer, read from its real bytes.  Every number
 * is a count of bytes in the captured frame (the trace's, the pcap's): the
 * 4-byte Ethernet FCS is not in it, and not counted. */
struct view_encap {
    size_t frame;        /* the frame: header + packet + padding (of a frame
                            a capture's snapshot length cut, as its headers
                            give it, without padding) */
    size_t cut;          /* the bytes of it the capture lacks (--read), else 0 */
    size_t eth_hdr;      /* 14 */
    size_t eth_payload;  /* what the Ethernet header carries, without padding:
                            the IPv4 total length, or the ARP message */
    size_t pad;          /* zero bytes after it, up to ETH_MIN_FRAME */
    int    arp;          /* an ARP message (arp_len) rather than IPv4 */
    size_t arp_len;      /* 28 for Ethernet and IPv4 */
    int    ip;           /* an IPv4 packet was decoded */
    size_t ip_hdr;       /* IHL x 4 */
    size_t ip_total;     /* the IPv4 total length */
    int    l4;           /* 0, IPPROTO_TCP_NUM or IPPROTO_UDP_NUM */
    size_t l4_hdr;       /* TCP: data offset x 4, options included; UDP: 8 */
    size_t l4_opts;      /* TCP options (and their padding): l4_hdr - 20 */
    size_t l4_total;     /* the segment or datagram: header + data */
    size_t app;          /* the application's bytes */
    int    top;          /* packet_top(): TL_HTTP, TL_DNS, TL_TCP, ... */
    const char *app_name;/* "HTTP request", "DNS query", "data", "no data"
                            (untranslated: shown through _()) */
};

/* Fills e from a frame's bytes; 0, or -1 when the frame does not decode. */
int view_encap_of(const uint8_t *p, size_t len, struct view_encap *e);
/* The encapsulation view of the selected event at width: the message going
 * down the sender's stack (each layer adding its header, with its size)
 * and up the receiver's (each removing it), and what is counted.  For an
 * event that is not a packet, one line that says so. */
void view_encap_lines(const struct view_index *ix, const struct view_state *st,
                      int width, struct view_lines *out);

/* ---- moving around ------------------------------------------------------ */

/* The next (dir > 0) or previous event after `from` whose summary contains
 * query (case-insensitive), wrapping around; -1 when none does. */
long view_search(const struct view_index *ix, const char *query, size_t from,
                 int dir);
/* The next/previous event of host h after/before `from`, or -1. */
long view_find_host(const struct view_index *ix, size_t from, int h, int dir);
/* The next/previous event with the protocol (layer) of event `from`; from a
 * note or app call, the next/previous packet. -1 if none. */
long view_find_proto(const struct view_index *ix, size_t from, int dir);

/* ---- issue 11: the crowd, folded (ui/view_fold.c) ------------------------ */

/* Is the crowd folded in this view: st->fold, and the run has a crowd? */
int view_folded(const struct view_index *ix, const struct view_state *st);
/* The diagram's rows, the row of event i, and a row's first and last
 * events: one row per event unless the crowd is folded. */
size_t view_nrows(const struct view_index *ix, const struct view_state *st);
size_t view_row(const struct view_index *ix, const struct view_state *st, size_t i);
size_t view_row_first(const struct view_index *ix, const struct view_state *st,
                      size_t row);
size_t view_row_last(const struct view_index *ix, const struct view_state *st,
                     size_t row);
/* The run of the crowd that event i is in, folded or not; NULL when i is
 * not the crowd's (or the run has no crowd). */
const struct view_fold *view_fold_of(const struct view_index *ix, size_t i);
/* The same, only while the crowd is folded in this view. */
const struct view_fold *view_fold_at(const struct view_index *ix,
                                     const struct view_state *st, size_t i);
/* A folded row's counts as "sent 8, received 8, ..." (kinds with none
 * left out), translated. */
char *view_fold_counts(const struct view_fold *f, char *buf, size_t n);
/* What a folded row says: "201 events of the crowd, 0.000s to 8.000s:
 * sent 59, ...", or while only its events up to `upto` have happened
 * (upto inside it), "2 of 201 events of the crowd, from 0.000s";
 * translated. */
char *view_fold_text(const struct view_index *ix, const struct view_fold *f,
                     size_t upto, char *buf, size_t n);

/* What view_apply leaves for the terminal side to do. */
enum view_effect { VE_NONE, VE_QUIT, VE_OPEN, VE_REDRAW, VE_LANG };

/* Applies a key-table action to the state (the screen size matters for
 * paging and pane scrolling).  Pure: no terminal, no I/O. */
int view_apply(const struct view_index *ix, struct view_state *st, int action,
               int w, int h);
/* A key typed while the search prompt is open: printable characters edit
 * the query, '\n' searches, 27 (Esc) cancels, 127/8 delete. */
void view_search_key(const struct view_index *ix, struct view_state *st, int ch);

/* A key typed at the OV_PROMPT line: printable bytes edit st->input,
 * 127/8 delete a character.  Returns 1 on '\n' (the line is given), -1 on
 * 27 (Esc: the prompt closes), else 0. */
int view_prompt_key(struct view_state *st, int ch);
/* Opens the prompt `prompt` with `text` already typed. */
void view_prompt_open(struct view_state *st, int prompt, const char *text);
/* ---- issue 13: the lesson card, chapters, lifelines, time jumps ---------- */

struct chapters;

/* The hosts that have a lifeline, in the order drawn: fills lane_host
 * (nhosts entries at most) and returns how many.  Everything in host
 * order unless the user hid or moved lifelines (st->lanes_set). */
int view_lanes(const struct view_state *st, int nhosts, int *lane_host);
/* Does time jump between event i - 1 and event i?  The rule: the gap is at
 * least a second and at least VIEW_JUMP_FACTOR times the median gap
 * between the run's consecutive distinct times (ix->jump_us). */
#define VIEW_JUMP_FACTOR 20
int view_time_jump(const struct view_index *ix, size_t i);
/* The threshold of view_time_jump for a trace (view_index_build sets it). */
int64_t view_jump_threshold(const struct trace *tr);
/* The first event of the next chapter after event cur (dir > 0), or of the
 * chapter cur is in when cur is past its first event, else of the previous
 * one (dir < 0); -1 when none. */
long view_chapter_jump(const struct chapters *c, size_t cur, int dir);
/* The card's lines at width: the title, a blank line, the describe text
 * wrapped, and the chapters (when the lesson has some). */
void view_card_lines(const struct view_state *st, int width, struct view_lines *out);
/* The state pane's host order: the selected host first, so that its
 * connections stay in view however short the pane; then the others in
 * host order.  Fills order (nhosts entries). */
void view_state_host_order(const struct view_state *st, int nhosts, int *order);

/* The one-line summary used for an arrow ("SYN seq=1000", "ARP ..."). */
char *view_packet_label(const struct trace *tr, const struct trace_rec *r,
                        char *buf, size_t n);

#endif
