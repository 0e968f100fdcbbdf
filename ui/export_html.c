/* export_html.c — one self-contained offline page: the SVG diagram inline, step buttons and arrow keys, the inspector and the narration of each event, with its CSS and script inline (no network, no other file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"
#include "exportint.h"
#include "i18n.h"
#include "language.h"
#include "narrate.h"
#include "render.h"
#include "scenario.h"
#include "trace.h"

/* The inspector's width in columns: the page wraps longer lines itself. */
#define HTML_INSPECTOR_W 100

static const char CSS[] =
    "*{box-sizing:border-box}\n"
    "html,body{height:100%}\n"
    "body{margin:0;display:flex;flex-direction:column;font-family:'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei',"
    "'Microsoft YaHei','PingFang SC','DejaVu Sans',sans-serif;color:#222;background:#f3f4f7}\n"
    "header{padding:10px 16px;background:#1f3b73;color:#fff}\n"
    "header h1{font-size:20px;margin:0}\n"
    "header p{font-size:14px;margin:4px 0 0;color:#dfe6f5;max-width:70em}\n"
    ".bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;padding:6px 16px;"
    "background:#e3e8f2;border-bottom:1px solid #c8cfdd}\n"
    ".bar button{font-size:15px;padding:3px 12px;cursor:pointer}\n"
    "#ps-pos{font-family:'DejaVu Sans Mono',monospace;margin-left:10px;font-weight:bold}\n"
    ".keys{margin-left:auto;color:#555;font-size:13px}\n"
    "main{flex:1;min-height:360px;display:flex;gap:10px;padding:10px}\n"
    "#ps-diagram{flex:3;overflow:auto;background:#fff;border:1px solid #c8cfdd}\n"
    "aside{flex:2;display:flex;flex-direction:column;gap:10px;min-width:320px}\n"
    "aside h2{font-size:13px;margin:0 0 4px;color:#555;text-transform:uppercase}\n"
    "#ps-narration-box{background:#fff;border:1px solid #c8cfdd;padding:8px 10px}\n"
    "#ps-event{font-weight:bold;margin:0 0 6px;font-size:15px}\n"
    "#ps-narration{margin:0;font-size:16px;line-height:1.45}\n"
    "#ps-inspector-box{flex:1;display:flex;flex-direction:column;min-height:0;"
    "background:#fff;border:1px solid #c8cfdd;padding:8px 10px}\n"
    "#ps-inspector{flex:1;overflow:auto;margin:0;font-size:12.5px;white-space:pre-wrap;"
    "font-family:'DejaVu Sans Mono','Noto Sans Mono CJK SC',monospace}\n"
    "#ps-svg .hidden{display:none}\n"
    "@media print{body{display:block}main{display:block}.bar,aside{display:none}"
    "#ps-diagram{overflow:visible;border:0}}\n";

/* The page's behaviour: show the diagram up to event `cur` (the body's
 * clip and which groups are displayed), that event's narration and
 * inspector; step with the buttons, the arrow keys, Home and End, or a
 * click on a row; the address's #N opens at event N.  With --fold the data
 * has each event's row (row) and each row's last event (rl), and a step
 * is a row: it lands on the row's last event. */
static const char SCRIPT[] =
    "(function(){\n"
    "var P=PS,cur=P.first;\n"
    "var svg=document.getElementById('ps-svg');\n"
    "var clip=document.getElementById('ps-clip'),hl=document.getElementById('ps-cur');\n"
    "var els=svg.querySelectorAll('[data-i]');\n"
    "var pos=document.getElementById('ps-pos'),evt=document.getElementById('ps-event');\n"
    "var nar=document.getElementById('ps-narration'),ins=document.getElementById('ps-inspector');\n"
    "var box=document.getElementById('ps-diagram');\n"
    "function row(i){return P.row?P.row[i-P.first]:i-P.first;}\n"
    "function y(i){return P.bodyY+row(i)*P.rowH;}\n"
    "function go(d){if(!P.rl){show(cur+d);return;}\n"
    " show(P.first+P.rl[Math.max(0,Math.min(P.rl.length-1,row(cur)+d))]);}\n"
    "function scale(){var r=svg.getBoundingClientRect();return r.height/svg.viewBox.baseVal.height;}\n"
    "function show(i){\n"
    " cur=Math.max(P.first,Math.min(P.last,i));\n"
    " clip.setAttribute('height',((row(cur)+1)*P.rowH).toFixed(1));\n"
    " hl.setAttribute('y',y(cur).toFixed(1));\n"
    " for(var k=0;k<els.length;k++){var e=els[k];\n"
    "  if(+e.getAttribute('data-i')<=cur)e.classList.remove('hidden');else e.classList.add('hidden');}\n"
    " var v=P.ev[cur-P.first];\n"
    " pos.textContent='#'+(cur+1)+'/'+P.total+'  '+v[0]+'  '+v[1];\n"
    " evt.textContent=v[2];nar.textContent=v[3];ins.textContent=v[4].join('\\n');\n"
    " document.body.setAttribute('data-cur',String(cur+1));\n"
    " var k=scale(),t=y(cur)*k;\n"
    " if(t<box.scrollTop+P.bodyY*k||t+P.rowH*2*k>box.scrollTop+box.clientHeight)\n"
    "  box.scrollTop=Math.max(0,t-box.clientHeight/2);\n"
    " var hx=v[5]>=0?P.lanes[v[5]]*k:-1;\n"
    " if(hx>=0&&(hx<box.scrollLeft+60||hx>box.scrollLeft+box.clientWidth-60))\n"
    "  box.scrollLeft=Math.max(0,hx-box.clientWidth/2);\n"
    "}\n"
    "document.addEventListener('keydown',function(e){\n"
    " var k=e.key;\n"
    " if(k==='ArrowRight'||k==='ArrowDown'||k===' '){go(1);}\n"
    " else if(k==='ArrowLeft'||k==='ArrowUp'){go(-1);}\n"
    " else if(k==='Home'){go(-P.total);}\n"
    " else if(k==='End'){show(P.last);}\n"
    " else if(k==='PageDown'){go(10);}\n"
    " else if(k==='PageUp'){go(-10);}\n"
    " else return;\n"
    " e.preventDefault();\n"
    "});\n"
    "function on(id,f){document.getElementById(id).addEventListener('click',f);}\n"
    "on('ps-first',function(){go(-P.total);});\n"
    "on('ps-prev',function(){go(-1);});\n"
    "on('ps-next',function(){go(1);});\n"
    "on('ps-last',function(){show(P.last);});\n"
    "var fit=false;\n"
    "on('ps-fit',function(){fit=!fit;svg.style.width=fit?'100%':'';svg.style.height=fit?'auto':'';show(cur);});\n"
    "svg.addEventListener('click',function(e){\n"
    " var r=svg.getBoundingClientRect(),s=svg.viewBox.baseVal.height/r.height;\n"
    " var yy=(e.clientY-r.top)*s;\n"
    " var r=Math.floor((yy-P.bodyY)/P.rowH);\n"
    " if(yy>=P.bodyY)show(P.first+(P.rl?P.rl[Math.min(r,P.rl.length-1)]:r));\n"
    "});\n"
    "var h=parseInt((location.hash||'').slice(1),10);\n"
    "show(h>0?h-1:P.first);\n"
    "})();\n";

/* One event's data for the page: [time, host, event, narration, inspector
 * lines, host index or -1]. */
static void event_json(FILE *fp, const struct view_index *ix, size_t i, int fold)
{
    const struct trace *tr = ix->tr;
    const struct trace_rec *r = &tr->recs[i];
    char t[32], ev[600], why[1200];
    fmt_time(r->t_us, t, sizeof t);
    render_event(tr, r, ev, sizeof ev);
    if (r->kind == TK_NOTE)
        snprintf(why, sizeof why, "%s", trace_str(tr, r->u.note.text));
    else
        trace_why(tr, r, why, sizeof why);
    fputc('[', fp);
    export_json_str(fp, t);
    fputc(',', fp);
    const char *host = trace_host_name(tr, r->host);
    export_json_str(fp, host && r->host >= 0 ? host : _("everyone"));
    fputc(',', fp);
    export_json_str(fp, ev);
    fputc(',', fp);
    export_json_str(fp, why);
    fputs(",[", fp);
    struct view_state st;
    view_state_init(&st, 1);
    st.cur = i;
    st.fold = fold;       /* a folded row's inspector only when the page folds */
    struct view_lines l = { 0 };
    view_inspector_lines(ix, &st, HTML_INSPECTOR_W, &l);
    for (int k = 0; k < l.n; k++) {
        if (k)
            fputc(',', fp);
        export_json_str(fp, l.v[k].text);
    }
    view_lines_free(&l);
    fprintf(fp, "],%d]", r->host >= 0 && r->host < tr->nhosts ? r->host : -1);
}

void export_html(FILE *fp, const struct view_index *ix, const struct export_opts *o)
{
    const char *title = export_title(o);
    fprintf(fp, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"protosim\">\n<title>",
            i18n_current() == I18N_ZH ? "zh-CN" : "en");
    export_xml_text(fp, *title ? title : "protosim");
    fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", CSS);
    export_xml_text(fp, *title ? title : "protosim");
    fputs("</h1>\n", fp);
    if (o->scn && o->scn->ndescribe > 0) {
        fputs("<p class=\"describe\">", fp);
        for (int k = 0; k < o->scn->ndescribe; k++) {
            const char *d = scn_text(o->scn, o->scn->describe[k],
                                     o->scn->describe_zh ? o->scn->describe_zh[k] : NULL);
            if (k && i18n_current() != I18N_ZH)  /* Chinese runs on unspaced */
                fputc(' ', fp);
            export_xml_text(fp, d ? d : "");
        }
        fputs("</p>\n", fp);
    }
    fputs("</header>\n<div class=\"bar\">\n", fp);
    static const struct { const char *id, *label, *tip; } buttons[] = {
        { "ps-first", N_("◀◀ first"), N_("the first event (Home)") },
        { "ps-prev",  N_("◀ back"),  N_("the previous event (left arrow)") },
        { "ps-next",  N_("next ▶"),  N_("the next event (right arrow)") },
        { "ps-last",  N_("last ▶▶"),  N_("the last event (End)") },
        { "ps-fit",   N_("fit width"), N_("the whole diagram's width in the window, or "
                                          "back to its own size") },
    };
    for (size_t k = 0; k < sizeof buttons / sizeof buttons[0]; k++) {
        fprintf(fp, "<button id=\"%s\" type=\"button\" title=\"", buttons[k].id);
        export_xml_text(fp, _(buttons[k].tip));
        fputs("\">", fp);
        export_xml_text(fp, _(buttons[k].label));
        fputs("</button>\n", fp);
    }
    fputs("<span id=\"ps-pos\"></span>\n<span class=\"keys\">", fp);
    export_xml_text(fp, _("← → step through the events; Home and End jump to "
                          "the ends; click a row to select it"));
    fputs("</span>\n</div>\n<main>\n<div id=\"ps-diagram\">\n", fp);
    export_svg(fp, ix, o, 1);
    fputs("</div>\n<aside>\n<div id=\"ps-narration-box\"><h2>", fp);
    export_xml_text(fp, _("Narration"));
    fputs("</h2><p id=\"ps-event\"></p><p id=\"ps-narration\"></p></div>\n"
          "<div id=\"ps-inspector-box\"><h2>", fp);
    export_xml_text(fp, _("Inspector"));
    fputs("</h2><pre id=\"ps-inspector\"></pre></div>\n</aside>\n</main>\n", fp);

    struct export_geom g;
    export_geom_init(&g, ix, o->first, o->last);
    fprintf(fp, "<script>\nvar PS={first:%zu,last:%zu,total:%zu,bodyY:%.1f,rowH:%.1f,lanes:[",
            o->first, o->last, ix->n, g.body_y, g.row_h);
    for (int h = 0; h < g.nhosts; h++)
        fprintf(fp, "%s%.1f", h ? "," : "", g.lane_x[h]);
    fputs("],ev:[\n", fp);
    export_geom_free(&g);
    int fold = export_folded(ix, o);
    for (size_t i = o->first; i <= o->last; i++) {
        event_json(fp, ix, i, fold);
        fputs(i < o->last ? ",\n" : "\n", fp);
    }
    fputc(']', fp);
    if (fold) {
        /* each event's row and each row's last event, from the range's
         * first: the script steps by rows */
        size_t r0 = ix->row[o->first];
        fputs(",\nrow:[", fp);
        for (size_t i = o->first; i <= o->last; i++)
            fprintf(fp, "%s%zu", i > o->first ? "," : "", (size_t)ix->row[i] - r0);
        fputs("],\nrl:[", fp);
        for (size_t r = r0; r <= ix->row[o->last]; r++) {
            size_t e = ix->row_last[r] < o->last ? ix->row_last[r] : o->last;
            fprintf(fp, "%s%zu", r > r0 ? "," : "", e - o->first);
        }
        fputc(']', fp);
    }
    fprintf(fp, "};\n%s</script>\n</body>\n</html>\n", SCRIPT);
}
