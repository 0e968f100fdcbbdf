/* export.c — --export's front: format names, the --from/--to range rule, escaping shared by the formats, and the dispatch to each writer. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"
#include "exportint.h"
#include "i18n.h"
#include "language.h"
#include "render.h"
#include "scenario.h"
#include "trace.h"
#include "utf8.h"

static const char *const format_names[EXPORT_NFORMATS] = {
#define X(id, name) name,
    EXPORT_FORMATS(X)
#undef X
};

int export_format_parse(const char *name)
{
    for (int f = 0; f < EXPORT_NFORMATS; f++)
        if (!strcmp(name, format_names[f]))
            return f;
    return -1;
}

const char *export_format_name(int format)
{
    return format >= 0 && format < EXPORT_NFORMATS ? format_names[format] : "?";
}

/* ======================================================================== */
/* The range                                                                */

/* A time: digits, an optional fraction, and a unit.  A time too large for
 * an int64_t of microseconds (some 292,000 years) is later than any run can
 * reach, so it is read as the latest time there is: --from such a time
 * names no event ("no event in that range", with the run's events), --to
 * it names the end, as they do for any time past the run's end. */
static int parse_time(const char *s, int64_t *out)
{
    static const struct { const char *u; int64_t us; } units[] = {
        { "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "m", 60000000 },
        { "h", 3600000000LL },
    };
    const char *p = s;
    uint64_t ip = 0, frac = 0, fden = 1;
    int big = 0;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (ip > UINT64_MAX / 10 / 4)
            big = 1;                         /* past any run: keep reading */
        else
            ip = ip * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++)
            if (fden < 1000000000ULL) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                fden *= 10;
            }
    }
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        if (strcmp(p, units[k].u))
            continue;
        uint64_t mul = (uint64_t)units[k].us;
        uint64_t fus = frac * mul / fden;    /* frac < fden <= 10^9: fits */
        if (big || ip > (uint64_t)INT64_MAX / mul
            || ip * mul > (uint64_t)INT64_MAX - fus)
            *out = INT64_MAX;
        else
            *out = (int64_t)(ip * mul + fus);
        return 0;
    }
    return -1;
}

int export_bound_parse(const char *s, struct export_bound *b)
{
    memset(b, 0, sizeof *b);
    if (!s || !*s)
        return -1;
    const char *p = s;
    while (*p >= '0' && *p <= '9')
        p++;
    if (!*p) {                               /* a bare number: an event */
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end || (v == 0 && !errno))
            return -1;
        /* Past UINT64_MAX is still an event number, only one no run has:
         * read it as the last there could be, so that it is told like any
         * number past the run's end (--from: "no event in that range (the
         * run has events #1 to #N ...)"; --to: the end). */
        b->set = 1;
        b->ev = errno ? UINT64_MAX : v;
        return 0;
    }
    if (parse_time(s, &b->t_us) < 0)
        return -1;
    b->set = b->is_time = 1;
    return 0;
}

int export_range(const struct trace *tr, const struct export_bound *from,
                 const struct export_bound *to, size_t *first, size_t *last)
{
    size_t n = tr->n;
    if (n == 0)
        return -1;
    size_t a = 0, b = n - 1;
    if (from && from->set) {
        if (from->is_time) {
            while (a < n && tr->recs[a].t_us < from->t_us)
                a++;
            if (a == n)
                return -1;
        } else {
            if (from->ev > n)
                return -1;
            a = (size_t)from->ev - 1;
        }
    }
    if (to && to->set) {
        if (to->is_time) {
            size_t k = n;
            while (k > 0 && tr->recs[k - 1].t_us > to->t_us)
                k--;
            if (k == 0)
                return -1;
            b = k - 1;
        } else if (to->ev < n) {
            b = (size_t)to->ev - 1;          /* past the end: the end */
        }
    }
    if (a > b)
        return -1;
    *first = a;
    *last = b;
    return 0;
}

/* ======================================================================== */
/* Shared text                                                              */

const char *export_title(const struct export_opts *o)
{
    return o->scn ? lesson_title(o->scn) : "";
}

const char *export_drop_short(int reason)
{
    switch (reason) {
    case DR_LOSS:    return _("lost");
    case DR_FAULT:   return _("dropped (fault)");
    case DR_NOROUTE: return _("no route");
    case DR_CSUM:    return _("bad checksum");
    default:         return _(drop_reason_str(reason));
    }
}

void export_xml_text(FILE *fp, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        switch (c) {
        case '&':  fputs("&amp;", fp); continue;
        case '<':  fputs("&lt;", fp); continue;
        case '>':  fputs("&gt;", fp); continue;
        case '"':  fputs("&quot;", fp); continue;
        case '\'': fputs("&#39;", fp); continue;
        case '\t': case '\n': fputc(c, fp); continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            fputs("\xEF\xBF\xBD", fp);      /* XML 1.0 cannot hold it */
            continue;
        }
        if (c < 0x80) {
            fputc(c, fp);
            continue;
        }
        uint32_t cp;
        int k = utf8_seq(p + i, n - i, &cp);
        if (k == 0 || (cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF) {
            fputs("\xEF\xBF\xBD", fp);
            if (k == 0)
                continue;
        } else {
            fwrite(p + i, 1, (size_t)k, fp);
        }
        i += (size_t)k - 1;
    }
}

void export_json_str(FILE *fp, const char *s)
{
    json_write_str(fp, (const uint8_t *)s, strlen(s), 1);
}

/* ======================================================================== */
/* The dispatch                                                             */

int export_write(FILE *fp, const struct view_index *ix, const struct export_opts *o)
{
    if (!ix->n || o->first > o->last || o->last >= ix->n) {
        errno = EINVAL;
        return -1;
    }
    switch (o->format) {
    case EXPORT_SVG:     export_svg(fp, ix, o, 0); break;
    case EXPORT_HTML:    export_html(fp, ix, o); break;
    case EXPORT_MERMAID: export_mermaid(fp, ix, o); break;
    case EXPORT_TXT:     export_txt(fp, ix, o); break;
    default:
        errno = EINVAL;
        return -1;
    }
    if (fflush(fp) != 0 || ferror(fp)) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return 0;
}
