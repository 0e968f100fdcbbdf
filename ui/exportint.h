/* exportint.h — what the ui/export*.c files share with each other and no one else (export.h is the public interface). */
#ifndef PROTOSIM_EXPORTINT_H
#define PROTOSIM_EXPORTINT_H

#include <stdio.h>
#include "export.h"

/* export_svg.c: the picture.  For the HTML page (`html`) it has no XML
 * prolog, every drawn event carries data-i="INDEX", and the body's clip
 * rectangle and the current row's highlight have ids the page's script
 * moves (#ps-clip, #ps-cur). */
void export_svg(FILE *fp, const struct view_index *ix, const struct export_opts *o,
                int html);
/* export_html.c: the page */
void export_html(FILE *fp, const struct view_index *ix, const struct export_opts *o);
/* export_text.c: the ladder and the Mermaid diagram */
void export_txt(FILE *fp, const struct view_index *ix, const struct export_opts *o);
void export_mermaid(FILE *fp, const struct view_index *ix, const struct export_opts *o);

/* The lesson's title in the current language ("" when there is no lesson). */
const char *export_title(const struct export_opts *o);
/* s as a JSON string for a <script> block: also "<" as \u003c, so that
 * no text can close the script. */
void export_json_str(FILE *fp, const char *s);
/* The short reason of a drop, as the diagram prints it ("lost"). */
const char *export_drop_short(int reason);

#endif
