/* viewint.h — what the ui/view*.c files share with each other and no one else (view.h is the public interface).
 *
 * The timeline is split by concern: view.c (layout, the trace index, the
 * whole screen, stepping and search), view_cells.c (glyphs, UTF-8, writing
 * into cells), view_diagram.c (the sequence diagram and its kernel column),
 * view_panes.c (inspector, state, help, the hint line, overlays) and
 * view_layers.c (layer labels, the encapsulation view).  Only
 * those files include this header. */
#ifndef PROTOSIM_VIEWINT_H
#define PROTOSIM_VIEWINT_H

#include <stddef.h>
#include <stdint.h>
#include "view.h"

/* ---- view_cells.c: UTF-8 and writing cells ------------------------------ */

int    vw_utf8_next(const char *p, uint32_t *cp);  /* length >= 1, U+FFFD if bad */
size_t vw_utf8_put(uint32_t c, char *out);         /* bytes written, <= 4 */
int    vw_cp_width(uint32_t c);                    /* columns: 0, 1 or 2 */
void   vw_set_cell(struct view_screen *s, int x, int y, uint32_t ch, int role);
void   vw_set_glyph(struct view_screen *s, int x, int y, int g, int role, int utf8);
/* view_put, but text wider than maxw ends in an ellipsis */
int    vw_put_fit(struct view_screen *s, int x, int y, int maxw, const char *text,
               int role, int utf8);
void   vw_fill(struct view_screen *s, struct view_rect r, uint32_t ch, int role);

static inline int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- view_fold.c: finding the crowd while the index is built ------------ */

struct frame;
/* The crowd's frames as view_index_build meets them: crowd (per record,
 * allocated at the first) and the addresses of no host they carry. */
struct vw_crowd_scan {
    uint8_t  *crowd;
    size_t    n;                  /* records */
    uint32_t *addr;
    size_t    naddr, cap;
};
/* Record i's frame f: marks it when an address it carries (IPv4 source or
 * destination, or an ARP message's sender or target) belongs to no host. */
void vw_crowd_frame(struct vw_crowd_scan *c, const struct trace *tr,
                    const struct frame *f, size_t i);
/* Fills the crowd fields of ix from what the scan found (it takes the
 * crowd array, or frees it when there are too few addresses for a crowd,
 * and frees the addresses). */
void vw_index_fold(struct view_index *ix, struct vw_crowd_scan *c);

/* ---- view_diagram.c: colour roles, shared with the panes ---------------- */

int vw_proto_role(int layer);                      /* a packet's protocol */
int vw_state_role(int layer, int state);           /* a TCP/ARP/DNS state */
int vw_kernel_role(const struct trace_rec *r);     /* a kernel state record */

/* ---- view_panes.c: what view_render and view_apply draw or measure ------ */

/* The pane's (PANE_INSPECTOR or PANE_STATE) content lines at its width. */
void vw_pane_lines(const struct view_index *ix, const struct view_state *st,
                int pane, int width, struct view_lines *l);
void vw_draw_pane(const struct view_index *ix, const struct view_state *st,
               struct view_screen *scr, struct view_rect r, int pane,
               int side_by_side);
void vw_draw_hint(const struct view_state *st, struct view_screen *scr,
               struct view_rect r);
void vw_draw_help(const struct view_state *st, struct view_screen *scr);
void vw_draw_open(const struct view_state *st, struct view_screen *scr);
/* ---- view_prompt.c: the OV_PROMPT line, drawn in the hint line's place --- */
void vw_draw_prompt(const struct view_state *st, struct view_screen *scr,
                    struct view_rect r);

void vw_draw_narration(const struct view_index *ix, const struct view_state *st,
                    struct view_screen *scr, struct view_rect r);
/* The rows the projector's narration of the selected event takes at width
 * w (its rule and its wrapped lines). */
int  vw_narration_rows(const struct view_index *ix, const struct view_state *st, int w);
/* a byte typed at a prompt, appended keeping whole UTF-8 characters */
void vw_input_byte(char *buf, size_t cap, int ch);
/* word-wrapped text, continuation lines indented by indent columns */
void vw_add_wrapped(struct view_lines *l, int width, int indent, int role,
                    const char *text);
void vw_draw_box(struct view_screen *scr, struct view_rect b, const char *title,
                 int utf8);
void vw_draw_lines(struct view_screen *scr, struct view_rect r,
                   const struct view_lines *l, int first, int utf8);

/* ---- view_lesson.c: the card, chapters, lifelines ----------------------- */

/* The lesson's actions of the key table (ACT_CARD .. ACT_LANE_RIGHT);
 * returns 0 when the action is not one of them. */
int  vw_apply_lesson(const struct view_index *ix, struct view_state *st, int action);
/* The title bar's chapter text for event cur ("" when none). */
void vw_chapter_text(const struct view_state *st, size_t cur, char *buf, size_t n);
void vw_draw_card(const struct view_state *st, struct view_screen *scr);

/* ---- view_code.c: the code pane ------------------------------------------ */
void vw_draw_code(const struct view_state *st, struct view_screen *scr,
                  struct view_rect r);

/* ---- view_labels.c: labels in the forms that fit -------------------------- */

/* A state as the diagram says it: its protocol and its name ("TCP
 * ESTABLISHED"), or a shorter form ("TCP ESTAB") when that is wider than
 * width; the shortest when none fits. */
const char *vw_state_label(int layer, int state, int width, char *buf, size_t n);
/* An arrow's label: the whole summary, or the longest shorter form that
 * fits width (whole words, never a dangling "tell" or "="). */
const char *vw_packet_label_fit(const struct trace *tr, const struct trace_rec *r,
                                int width, char *buf, size_t n);
/* An application call's label (in buf) shortened in place to fit width:
 * without the data it carries, then by whole words. */
void vw_call_label_fit(char *buf, int width);
/* A timer row's label in the form that fits width. */
const char *vw_timer_label(const struct view_index *ix, const struct view_state *st,
                           size_t i, int width, char *buf, size_t n);

/* ---- view_layers.c: the layers and the encapsulation overlay ------------- */

/* "link (OSI 2)  Ethernet" padded so that the protocol names line up,
 * width the widest label of the frame (vw_layer_pad). */
void vw_layer_head(int vl, const char *proto, int pad, char *buf, size_t n);
int  vw_layer_pad(const int *vls, int n);
void vw_draw_encap(const struct view_index *ix, const struct view_state *st,
                   struct view_screen *scr, struct view_rect area);
/* The bottom line while the encapsulation view is open. */
void vw_draw_encap_hint(const struct view_state *st, struct view_screen *scr,
                        struct view_rect r);
#endif
