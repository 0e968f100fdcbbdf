/* view_prompt.c — the one-line prompt at the bottom of the timeline (OV_PROMPT): what-if's delay and save-as, and `o`'s file path; typing into it and drawing it. */
#include <stdio.h>
#include <string.h>
#include "i18n.h"
#include "viewint.h"

void view_prompt_open(struct view_state *st, int prompt, const char *text)
{
    st->overlay = OV_PROMPT;
    st->prompt = prompt;
    st->playing = 0;                /* the event asked about stays selected */
    snprintf(st->input, sizeof st->input, "%s", text ? text : "");
}

int view_prompt_key(struct view_state *st, int ch)
{
    size_t l = strlen(st->input);
    if (ch == 27) {
        st->overlay = OV_NONE;
        st->prompt = PR_NONE;
        return -1;
    }
    if (ch == '\n' || ch == '\r')
        return 1;
    if (ch == 127 || ch == 8) {
        /* a whole UTF-8 character */
        while (l > 0 && ((unsigned char)st->input[l - 1] & 0xC0) == 0x80)
            l--;
        if (l > 0)
            l--;
        st->input[l] = '\0';
    } else if (ch == 21) {          /* C-u: start again */
        st->input[0] = '\0';
    } else {
        vw_input_byte(st->input, sizeof st->input, ch);
    }
    return 0;
}

static const char *prompt_label(int prompt)
{
    switch (prompt) {
    case PR_DELAY: return _("delay the packet by (e.g. 1s, 500ms):");
    case PR_SAVE:  return _("save the what-if lesson as:");
    case PR_PATH:  return _("open the lesson file:");
    default:       return "";
    }
}

void vw_draw_prompt(const struct view_state *st, struct view_screen *scr,
                    struct view_rect r)
{
    const char *dot = st->utf8 ? " \u00b7 " : " - ";
    vw_fill(scr, r, ' ', R_HINT);
    char tail[96];
    snprintf(tail, sizeof tail, _("Enter ok%sEsc cancel "), dot);
    int tw = view_text_width(tail);
    char buf[400];
    snprintf(buf, sizeof buf, " %s ", prompt_label(st->prompt));
    int used = view_put(scr, r.x, r.y, r.w, buf, R_HINT, st->utf8);
    /* the end of a long input stays in sight */
    char in[300];
    snprintf(in, sizeof in, "%s_", st->input);
    int room = r.w - used - (tw + 1);
    if (room < 8)
        room = r.w - used;
    const char *p = in;
    while (view_text_width(p) > room && *p) {
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
    }
    used += view_put(scr, r.x + used, r.y, room, p, R_HINT_KEY, st->utf8);
    if (used + tw < r.w)
        view_put(scr, r.x + r.w - tw, r.y, tw, tail, R_HINT, st->utf8);
}
