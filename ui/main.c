/* main.c — the protosim command line: choose a scenario, run it, and show
 * the trace as a timeline, JSON Lines, pcap, or a pass/fail check. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "output.h"
#include "export_cli.h"
#include "quiz_batch.h"
#include "alloc.h"
#include "i18n.h"
#include "lang.h"
#include "language.h"
#include "render.h"
#include "sim.h"
#include "read.h"
#include "real.h"
#include "tui.h"

#ifndef PROTOSIM_VERSION
#define PROTOSIM_VERSION "0.0.0"
#endif

/* sysexits.h values, as DESIGN.md's contract spells them */
enum { EXIT_FAILED = 1, EXIT_USAGE = 64, EXIT_DATAERR = 65, EXIT_NOINPUT = 66,
       EXIT_OSERR = 71, EXIT_CANTCREAT = 73, EXIT_IOERR = 74 };
/* A run stopped by one of its budgets (--max-time and friends): outside
 * 0/1 and sysexits' 64-78, so that scripts can tell it apart. */
enum { EXIT_LIMIT = 3 };

#define DEFAULT_SCENARIO_FALLBACK "handshake"
#define DEFAULT_SCENARIO "web-request"

static void usage(FILE *fp)
{
    fprintf(fp, _(
"usage: protosim [OPTIONS] [SCENARIO]\n"
"\n"
"Simulates the protocols behind a web request and shows every step.\n"
"SCENARIO is a .scn file or the name of a shipped scenario (see --list);\n"
"without one, protosim runs '%s' (or '%s' where that is not shipped).\n"
"\n"), DEFAULT_SCENARIO, DEFAULT_SCENARIO_FALLBACK);
    fputs(_(
"options:\n"
"  -b, --batch        print the timeline as plain text (the default when\n"
"                     stdout is not a terminal)\n"
"  -j, --json         print the trace as JSON Lines, one event per line\n"
"      --stats        print counts instead of the timeline: states entered,\n"
"                     frames and TCP segments sent, timers, drops, and\n"
"                     connection lifecycles per second of wall time\n"
"  -p, --pcap FILE    also write every simulated frame to FILE (pcap)\n"
"      --pcapng FILE  the same in pcapng, each frame's narration its comment\n"
"      --read FILE    draw a real capture (pcap or pcapng) instead of a\n"
"                     scenario, with TCP states inferred by the same machine\n"
"  -c, --check        check the scenario's expect lines: exit 0 if all hold,\n"
"                     1 if any fails (and that every quiz line's answer\n"
"                     happens)\n"
"      --quiz         ask before each quiz point and then show the answer;\n"
"                     with --batch, read one answer a line from standard\n"
"                     input and end with the line 'score N/M' (exit 0\n"
"                     whatever the score)\n"
"      --real         also replay the TCP calls on real 127.0.0.1 sockets and\n"
"                     show the kernel's states beside the model's (seconds\n"
"                     for a lesson's few connections, far longer for a\n"
"                     crowd; --check still checks the model only)\n"
"  -s, --seed N       seed all randomness (default: the scenario's seed, or 1)\n"
"      --lang zh|en   the language of every sentence (default: from the\n"
"                     locale: LANGUAGE, LC_ALL, LC_MESSAGES, LANG)\n"
"  -l, --list         list the shipped scenarios with their titles\n"
"  -h, --help         show this help\n"
"  -V, --version      show the version\n"
"\n"), fp);
    fputs(_(
"handouts and slides:\n"
"      --export FORMAT  write the diagram as svg (a picture), html (one page\n"
"                     that steps through the run, offline), mermaid (for\n"
"                     Markdown) or txt (the ladder), to standard output\n"
"  -o, --output FILE  --export's file instead (replaced only when complete)\n"
"      --from N|TIME  from event #N (as the view numbers them), or from the\n"
"                     first event at or after TIME (10ms, 1.5s)\n"
"      --to N|TIME    up to event #N, or the last event at or before TIME\n"
"      --chapter N    only chapter N (numbered as the lesson's card lists them)\n"
"      --width N      txt: the ladder's width in columns (default 100)\n"
"      --ascii        txt: pure ASCII, no line-drawing characters\n"
"      --fold         a crowd of forged addresses (a SYN flood's) folded: each\n"
"                     run of its events one row, as the timeline draws it\n"
"\n"), fp);
    fputs(_(
"limits (a lesson that runs away stops at the first it reaches, says which\n"
"on stderr, marks the end of every output, and exits with status 3):\n"
"      --max-time DURATION  simulated time (default: 1h after the lesson's\n"
"                           last timed line; e.g. 90s, 10m, 2h)\n"
"      --max-events N       events run (default 1000000)\n"
"      --max-frames N       frames in flight at once (default 250000)\n"
"      --max-trace SIZE     trace size (default 128M; K, M, G suffixes)\n"
"      --max-memory SIZE    the model's own memory: trace, frames in flight,\n"
"                           events, TCBs and their queues (default 512M)\n"
"\n"), fp);
    fputs(_(
"On a terminal protosim opens an interactive timeline (press ? there for its\n"
"keys); it needs 80x24, honours NO_COLOR, and falls back to --batch for\n"
"TERM=dumb or when stdout is not a terminal.\n"
"\n"
"exit status: 0 success, 1 failed expectations, 3 stopped by a limit,\n"
"64 usage error, 65 bad scenario, 66 scenario not found or unreadable,\n"
"71 out of memory, 73 an output file cannot be created, 74 an I/O error\n"
"while writing (a file or standard output).  A file is replaced only when\n"
"it is complete.\n"
"The scenario language is described in scenarios/README.md.\n"), fp);
}

/* --seed's value: plain decimal digits, as a lesson's `seed N` line reads
 * them (scenarios/README.md, "Numbers").  strtoull's base 0 read "010" as
 * 8 and refused "08", and it took a sign or leading spaces. */
static int parse_seed(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Everything printed to standard output has reached it: a write error seen
 * on the way, or when the last buffered bytes go out, is reported once and
 * turns rc into 74.  Called once, at the end; nothing is printed after. */
static int finish_stdout(int rc, int err)
{
    if (!err && ferror(stdout))
        err = errno ? errno : EIO;
    if (fflush(stdout) != 0 && !err)
        err = errno ? errno : EIO;
    if (fclose(stdout) != 0 && !err && errno != EBADF)
        err = errno ? errno : EIO;
    if (!err)
        return rc;
    fprintf(stderr, _("protosim: error writing standard output: %s\n"), strerror(err));
    return EXIT_IOERR;
}

/* --pcap must not destroy a lesson: refuse a .scn name, and the scenario
 * file itself under any name (a link, a hard link, another path).  Nor
 * may it share its file with --export's -o: each is written whole and
 * renamed into place, so the one finished last replaced the other (a run
 * with `--export txt -o x.pcap --pcap x.pcap` left the diagram, no
 * capture, and exit 0). */
static int pcap_target_ok(const char *pcap, const char *scn_path, int ng,
                          const char *export_out)
{
    const char *opt = ng ? "--pcapng" : "--pcap", *ext = ng ? ".pcapng" : ".pcap";
    struct stat a, b;
    if (export_out && (!strcmp(pcap, export_out) ||
                       (stat(pcap, &a) == 0 && stat(export_out, &b) == 0 &&
                        a.st_dev == b.st_dev && a.st_ino == b.st_ino))) {
        fprintf(stderr, _("protosim: %s %s and -o %s name the same file; each "
                "output needs its own\n"), opt, arg_visible(pcap), arg_visible(export_out));
        return 0;
    }
    size_t n = strlen(pcap);
    if (n >= 4 && !strcasecmp(pcap + n - 4, ".scn")) {
        fprintf(stderr, _("protosim: %s %s: refusing to write a capture to a "
                ".scn name, which is a lesson; choose a name ending in %s\n"),
                opt, arg_visible(pcap), ext);
        return 0;
    }
    if (stat(pcap, &a) == 0 && stat(scn_path, &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
        fprintf(stderr, _("protosim: %s %s: that is the scenario being run "
                "(%s); refusing to overwrite it\n"), opt, arg_visible(pcap),
                arg_visible(scn_path));
        return 0;
    }
    /* `--pcap out.txt > out.txt`: the rename would unlink the file the
     * timeline is being written to, and that output would be lost */
    if (stat(pcap, &a) == 0 && S_ISREG(a.st_mode) && fstat(STDOUT_FILENO, &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
        fprintf(stderr, _("protosim: %s %s: standard output goes to that file "
                "too; refusing to write both into it\n"), opt, arg_visible(pcap));
        return 0;
    }
    return 1;
}

/* The capture is written as the run goes, to a file replaced only when it
 * is complete (outfile.h).  Opens it; returns 0 or 73. */
static int open_pcap(const char *path, struct outfile *o)
{
    if (outfile_open(o, path) < 0) {
        fprintf(stderr, _("protosim: cannot create %s: %s\n"), arg_visible(path),
                strerror(errno));
        return EXIT_CANTCREAT;
    }
    return 0;
}

/* Ends the capture: the file whole or not at all; returns 0, 73 or 74. */
static int close_pcap(const char *path, struct outfile *o, struct pcap_out *w)
{
    errno = 0;
    if (pcap_finish(w) < 0) {
        int e = errno ? errno : EIO;
        outfile_abort(o);
        fprintf(stderr, _("protosim: error writing %s: %s\n"), arg_visible(path),
                strerror(e));
        return EXIT_IOERR;
    }
    int r = outfile_commit(o);
    if (r == 0)
        return 0;
    fprintf(stderr, r == -2 ? _("protosim: cannot create %s: %s\n")
                            : _("protosim: error writing %s: %s\n"), arg_visible(path),
            strerror(errno));
    return r == -2 ? EXIT_CANTCREAT : EXIT_IOERR;
}

static void add_sink(struct trace *tr,
                     void (*fn)(void *, const struct trace *, size_t,
                                const struct trace_rec *), void *ctx)
{
    struct trace_sink k = { fn, ctx };
    if (trace_add_sink(tr, &k) < 0)
        abort();                /* TRACE_MAX_SINKS is more than we add */
}

/* A limit's value: a count, a size with an optional K/M/G suffix (powers
 * of 1024), or a duration (us, ms, s, m, h; bare seconds).  0 < value.
 * Returns 0, -1 for a value that is none of these, -2 for one too large
 * (more than INT64_MAX microseconds, events, frames or bytes), -3 for
 * zero written as one of them (0s, 0M, 0). */
static int parse_limit(const char *s, int kind, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return -1;
    if (errno)
        return -2;                          /* past UINT64_MAX */
    uint64_t mul = 1;
    if (kind == 't') {
        /* a duration as the lessons write one, decimals allowed (1.5s,
         * 0.5m), in whole microseconds; a bare number is seconds */
        static const struct { const char *u; uint64_t us; } units[] = {
            { "", 1000000 }, { "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
            { "m", 60000000 }, { "h", 3600000000ULL },
        };
        uint64_t frac = 0, fden = 1;
        if (*end == '.') {
            const char *f = ++end;
            for (; *end >= '0' && *end <= '9'; end++) {
                if (fden > UINT64_MAX / 10 / 10) {
                    if (*end != '0')        /* far below a microsecond */
                        return -1;
                    continue;               /* a trailing zero changes nothing */
                }
                frac = frac * 10 + (uint64_t)(*end - '0');
                fden *= 10;
            }
            if (end == f)
                return -1;
        }
        mul = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (!strcmp(end, units[i].u))
                mul = units[i].us;
        if (!mul)
            return -1;
        if (v > (uint64_t)INT64_MAX / mul)
            return -2;
        /* frac / fden of a unit: whole microseconds only, as in a lesson */
        uint64_t fus = 0;
        while (frac && frac % 10 == 0) {    /* 1.500s is 1.5s */
            frac /= 10;
            fden /= 10;
        }
        if (frac) {
            if (frac > UINT64_MAX / mul || (frac * mul) % fden)
                return -1;
            fus = frac * mul / fden;
        }
        if (v * mul > (uint64_t)INT64_MAX - fus)
            return -2;
        if (v * mul + fus == 0)
            return -3;                      /* a duration, but no budget */
        *out = v * mul + fus;
        return 0;
    }
    if (kind == 'b') {
        if (!strcmp(end, "K") || !strcmp(end, "k"))
            mul = 1ULL << 10;
        else if (!strcmp(end, "M"))
            mul = 1ULL << 20;
        else if (!strcmp(end, "G"))
            mul = 1ULL << 30;
        else if (*end)
            return -1;
    } else if (*end) {
        return -1;
    }
    if (v == 0)
        return -3;                          /* a size or a count, but no budget */
    if (v > (uint64_t)INT64_MAX / mul)
        return -2;
    *out = v * mul;
    return 0;
}

/* alloc.h's policy, as the program reports it: say so, then abort. */
static void out_of_memory(size_t size)
{
    char msg[80];
    int n = snprintf(msg, sizeof msg, "protosim: out of memory (%zu bytes)\n", size);
    if (n > 0 && write(2, msg, (size_t)n) < 0)
        n = 0;
    /* exit(), not abort(): the terminal is restored (tui.c's atexit) and
     * the status says what happened, without a core dump */
    exit(EXIT_OSERR);
}

/* The command line's long options.  Short ones are OPTSTRING's. */
#define OPTSTRING ":bjp:cs:lhVo:"
static const struct option opts[] = {
    { "batch",   no_argument,       NULL, 'b' },
    { "json",    no_argument,       NULL, 'j' },
    { "pcap",    required_argument, NULL, 'p' },
    { "pcapng",  required_argument, NULL, 2007 },
    { "check",   no_argument,       NULL, 'c' },
    { "real",    no_argument,       NULL, 'R' },
    { "stats",   no_argument,       NULL, 'S' },
    { "seed",    required_argument, NULL, 's' },
    { "list",    no_argument,       NULL, 'l' },
    { "help",    no_argument,       NULL, 'h' },
    { "version", no_argument,       NULL, 'V' },
    { "max-time",   required_argument, NULL, 1000 + LIM_TIME },
    { "max-events", required_argument, NULL, 1000 + LIM_EVENTS },
    { "max-frames", required_argument, NULL, 1000 + LIM_FRAMES },
    { "max-trace",  required_argument, NULL, 1000 + LIM_TRACE },
    { "max-memory", required_argument, NULL, 1000 + LIM_MEMORY },
    { "lang",       required_argument, NULL, 'L' },
    { "export",     required_argument, NULL, 'E' },
    { "output",     required_argument, NULL, 'o' },
    { "from",       required_argument, NULL, 2001 },
    { "to",         required_argument, NULL, 2002 },
    { "width",      required_argument, NULL, 2003 },
    { "ascii",      no_argument,       NULL, 2004 },
    { "chapter",    required_argument, NULL, 2005 },
    { "fold",       no_argument,       NULL, 2006 },
    { "quiz",       no_argument,       NULL, 'Q' },
    { "read",       required_argument, NULL, 2008 },
    { NULL, 0, NULL, 0 },
};

/* --lang's value, looked for before anything else is parsed so that every
 * message, the command line's own errors included, is in that language:
 * I18N_AUTO when absent, -1 when it names no language protosim speaks.
 * getopt_long finds it, as the main pass does, so that an abbreviation
 * (`--la zh`, `--lan=zh`) counts and a value of another option (`--seed
 * --lang`) does not; the main pass starts again from the first argument. */
static int lang_option(int argc, char **argv, const char **bad)
{
    int lang = I18N_AUTO, c;
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, OPTSTRING, opts, NULL)) != -1) {
        if (c == 'L' && (lang = i18n_parse(optarg)) < 0) {
            *bad = optarg;
            break;
        }
    }
    optind = 0;
    return lang;
}

/* The message for an option getopt_long refused ('?'), true of why it
 * refused: ARG is the argument it stopped at when that is a long option
 * (`--batch=1` gives no value to --batch, `--ma` is the start of three
 * options), OPT the short option's letter otherwise.  (getopt_long reports
 * a value given to a long option without one by the option's code, which
 * is no letter for --fold or --quiz: printed as -%c it was "-Q" or a stray
 * byte.) */
static void bad_option(const char *arg, int opt)
{
    if (arg && arg[0] == '-' && arg[1] == '-') {
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const struct option *one = NULL;
        int matches = 0;
        for (const struct option *o = opts; o->name; o++) {
            if (strncmp(o->name, name, n))
                continue;
            if (strlen(o->name) == n) {     /* an exact name is never ambiguous */
                one = o;
                matches = 1;
                break;
            }
            one = o;
            matches++;
        }
        if (matches == 1 && (!opt || opt == one->val)) {
            if (eq && one->has_arg == no_argument) {
                char *v = text_visible_dup(eq + 1);
                fprintf(stderr, _("protosim: option --%s takes no value, found \"%s\"\n"),
                        one->name, v);
                free(v);
                return;
            }
        } else if (matches > 1 && !opt) {
            char *w = xstrdup(arg);
            w[2 + n] = '\0';                /* the name, without "=VALUE" */
            char *v = text_visible_dup(w);
            fprintf(stderr, _("protosim: option %s is ambiguous: it is the start of"), v);
            free(v);
            free(w);
            for (const struct option *o = opts; o->name; o++)
                if (!strncmp(o->name, name, n))
                    fprintf(stderr, " --%s", o->name);
            fputc('\n', stderr);
            return;
        }
        if (!opt || matches == 0) {
            char *v = text_visible_dup(arg);
            fprintf(stderr, _("protosim: unknown option %s\n"), v);
            free(v);
            return;
        }
    }
    if (opt > ' ' && opt < 0x7f)
        fprintf(stderr, _("protosim: unknown option -%c\n"), opt);
    else
        fprintf(stderr, _("protosim: unknown option -\\x%02X\n"), (unsigned)opt & 0xff);
}

/* --read FILE: the capture's frames and the TCP states inferred from them
 * (read.h), shown by the writers a run has, or in the timeline. */
static int run_read(const char *file, const struct export_cli *ex, int json,
                    int stats, int batch, const char *argv0)
{
    struct capture cap;
    char err[256] = "";
    int rc = capture_load(file, &cap, err, sizeof err);
    char *vf = text_visible_dup(file);
    if (rc == -1) {
        if (errno == EFBIG)
            fprintf(stderr, _("protosim: cannot read %s: --read takes a capture of "
                    "at most %zu bytes (256 MiB), and this file is larger\n"), vf,
                    CAPTURE_FILE_MAX);
        else
            fprintf(stderr, _("protosim: cannot read %s: %s\n"), vf, strerror(errno));
        free(vf);
        return EXIT_NOINPUT;
    }
    if (rc < 0) {
        fprintf(stderr, _("protosim: %s: %s\n"), vf, err);
        free(vf);
        return EXIT_DATAERR;
    }
    /* each reason in two forms, for one frame and for more (NP_ marks both
     * for xgettext; P_ chooses by the count) */
    static const char *const skip_what[CAP_SKIP_COUNT][2] = {
        [CAP_SKIP_IPV6]     = { NP_("it is IPv6 (protosim models IPv4)",
                                    "they are IPv6 (protosim models IPv4)") },
        [CAP_SKIP_OTHER]    = { NP_("it is of a network protocol other than IPv4 and ARP",
                                    "they are of a network protocol other than IPv4 and ARP") },
        [CAP_SKIP_LINK]     = { NP_("it is of a link type protosim does not read",
                                    "they are of a link type protosim does not read") },
        [CAP_SKIP_SHORT]    = { NP_("it is too short for its link-layer header",
                                    "they are too short for their link-layer header") },
        [CAP_SKIP_BAD_IPV4] = { NP_("its IPv4 header is malformed (its version, header "
                                    "length or total length does not fit the frame)",
                                    "their IPv4 header is malformed (its version, header "
                                    "length or total length does not fit the frame)") },
        [CAP_SKIP_BAD_ARP]  = { NP_("its ARP message is cut short or is not an Ethernet/IPv4 request or reply",
                                    "their ARP message is cut short or is not an Ethernet/IPv4 request or reply") },
        [CAP_SKIP_CUT]      = { NP_("the capture's snapshot length cut it inside its "
                                    "IPv4, TCP or UDP header or its ARP message",
                                    "the capture's snapshot length cut them inside their "
                                    "IPv4, TCP or UDP header or their ARP message") },
    };
    struct sim s;
    /* counts more frames skipped (those it cannot decode) */
    struct scenario *scn = read_capture(file, &cap, &s, err, sizeof err);
    /* the count agrees with its noun and verb: "1 of its 5 frames is",
     * "2 of its 5 frames are", and when every frame is one of them (a
     * capture of one frame above all) "its 1 frame is" or "none of its 3
     * frames is" */
    for (int k = 0; k < CAP_SKIP_COUNT; k++)
        if (cap.skipped[k] == cap.total && cap.total)
            fprintf(stderr, P_("protosim: %s: its %zu frame is not drawn: %s\n",
                               "protosim: %s: none of its %zu frames is drawn: %s\n",
                               cap.total),
                    vf, cap.total,
                    P_(skip_what[k][0], skip_what[k][1], cap.skipped[k]));
        else if (cap.skipped[k])
            fprintf(stderr, P_("protosim: %s: %zu of its %zu frames is not drawn: %s\n",
                               "protosim: %s: %zu of its %zu frames are not drawn: %s\n",
                               cap.skipped[k]),
                    vf, cap.skipped[k], cap.total,
                    P_(skip_what[k][0], skip_what[k][1], cap.skipped[k]));
    if (!scn) {
        capture_free(&cap);
        fprintf(stderr, _("protosim: %s: %s\n"), vf, err);
        free(vf);
        return EXIT_DATAERR;
    }
    free(vf);
    if (ex->output && export_check_target(ex->output, file) != 0) {
        sim_free(&s);
        scenario_free(scn);
        capture_free(&cap);
        return EXIT_USAGE;
    }
    int out_err = 0;
    rc = 0;
    errno = 0;
    if (ex->format >= 0) {
        rc = export_run(ex, &s, scn, &out_err);
    } else if (json) {
        struct json_out jw;
        json_begin(&jw, stdout, &s);
        add_sink(&s.tr, json_sink, &jw);
        if (json_finish(&jw) < 0)
            out_err = errno ? errno : EIO;
    } else if (stats) {
        struct stats sw;
        stats_begin(&sw, stdout, &s);
        sw.capture = 1;
        add_sink(&s.tr, stats_sink, &sw);
        if (stats_finish(&sw, 0) < 0)
            out_err = errno ? errno : EIO;
    } else {
        /* on a terminal, the timeline; else (or when curses cannot start)
         * the --batch text */
        char why[160] = "";
        const char *nope = batch ? NULL : tui_unusable();
        if (!batch && !nope) {
            tui_set_capture(&cap, scn);
            int shown = tui_run(&scn, &s, 0, 0, NULL, argv0, why, sizeof why) >= 0;
            tui_set_capture(NULL, NULL);
            if (shown)
                goto done;
        }
        if (!batch)
            fprintf(stderr, _("protosim: %s; showing the --batch text\n"),
                    nope ? nope : why);
        struct text_out tw;
        text_begin(&tw, stdout, &s);
        add_sink(&s.tr, text_sink, &tw);
        if (text_finish(&tw) < 0)
            out_err = errno ? errno : EIO;
    }
done:
    s.tr.nsinks = 0;
    if (!out_err && ferror(stdout))
        out_err = errno ? errno : EIO;
    sim_free(&s);
    scenario_free(scn);
    capture_free(&cap);
    int orc = finish_stdout(rc, out_err);
    return orc == EXIT_IOERR ? orc : rc;
}

int main(int argc, char **argv)
{
    alloc_set_failure_handler(out_of_memory);
    /* A crowd's --json or --batch is megabytes to gigabytes, and stdio's
     * buffer for a file or a pipe is one page: a write(2) per 4 KiB (373
     * of them for 100 lifecycles' 1.5 MB of JSON).  A terminal keeps its
     * line buffering, so a streamed run still shows each record as it
     * comes. */
    static char outbuf[1 << 16];        /* glibc ignores a size without one */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    const char *badlang = NULL;
    int lang = lang_option(argc, argv, &badlang);
    i18n_init(lang < 0 ? I18N_AUTO : (enum i18n_lang)lang);
    if (lang < 0) {
        fprintf(stderr, _("protosim: --lang needs zh or en, not \"%s\"\n"), arg_visible(badlang));
        return EXIT_USAGE;
    }
    int batch = 0, json = 0, check = 0, real = 0, list = 0, stats = 0, quiz = 0;
    const char *pcap_path = NULL, *read_path = NULL;
    int pcap_ng = 0;                  /* --pcapng rather than --pcap */
    uint64_t seed = 0;
    int have_seed = 0;
    uint64_t limits[LIM_COUNT] = { 0 };        /* 0: the default */
    const char *max_trace_arg = "";
    struct export_cli ex = { .format = -1 };
    int ex_opt = 0;                             /* an option only --export takes */
    const char *ex_optname = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, OPTSTRING, opts, NULL)) != -1) {
        switch (c) {
        case 'b': batch = 1; break;
        case 'j': json = 1; break;
        case 'p': case 2007:
            if (pcap_path) {
                fputs(_("protosim: --pcap and --pcapng write one capture: give one of "
                        "them once\n"), stderr);
                return EXIT_USAGE;
            }
            pcap_path = optarg;
            pcap_ng = c == 2007;
            break;
        case 'c': check = 1; break;
        case 'R': real = 1; break;
        case 'S': stats = 1; break;
        case 's':
            if (parse_seed(optarg, &seed) < 0) {
                fprintf(stderr, _("protosim: --seed needs a whole number from 0 to "
                        "18446744073709551615, not \"%s\"\n"), arg_visible(optarg));
                return EXIT_USAGE;
            }
            have_seed = 1;
            break;
        case 1000 + LIM_TIME: case 1000 + LIM_EVENTS: case 1000 + LIM_FRAMES:
        case 1000 + LIM_TRACE: case 1000 + LIM_MEMORY: {
            int lim = c - 1000;
            int kind = lim == LIM_TIME ? 't'
                     : lim == LIM_TRACE || lim == LIM_MEMORY ? 'b' : 'n';
            if (lim == LIM_TRACE)
                max_trace_arg = optarg;
            int pr = parse_limit(optarg, kind, &limits[lim]);
            if (pr == -2) {
                /* "needs a positive integer" was false of a number too large */
                fprintf(stderr, _("protosim: %s can be at most %s, not \"%s\"\n"),
                        sim_limit_option(lim),
                        kind == 't' ? _("9223372036854775807us (about 292,000 years)")
                        : kind == 'b' ? _("9223372036854775807 bytes (8 EiB)")
                        : "9223372036854775807", arg_visible(optarg));
                return EXIT_USAGE;
            }
            if (pr == -3 && kind != 'n') {
                /* "needs a duration like 90s" was false of 0s, a duration */
                fprintf(stderr, _("protosim: %s must be more than zero, not \"%s\"\n"),
                        sim_limit_option(lim), arg_visible(optarg));
                return EXIT_USAGE;
            }
            if (pr < 0) {
                fprintf(stderr, _("protosim: %s needs %s, not \"%s\"\n"),
                        sim_limit_option(lim),
                        kind == 't' ? _("a duration like 90s or 10m")
                        : kind == 'b' ? _("a size like 512M or 1G")
                        : _("a positive integer"), arg_visible(optarg));
                return EXIT_USAGE;
            }
            break;
        }
        case 'L': break;                     /* lang_option() took it */
        case 'E':
            if ((ex.format = export_format_parse(optarg)) < 0) {
                fprintf(stderr, _("protosim: --export needs svg, html, mermaid or txt, "
                        "not \"%s\"\n"), arg_visible(optarg));
                return EXIT_USAGE;
            }
            break;
        case 'o': ex.output = optarg; ex_opt = 1; ex_optname = "-o"; break;
        case 2001: case 2002: {
            struct export_bound *b = c == 2001 ? &ex.from : &ex.to;
            if (export_bound_parse(optarg, b) < 0) {
                fprintf(stderr, _("protosim: %s needs an event number (1, 2, ...) or "
                        "a time like 10ms or 1.5s, not \"%s\"\n"),
                        c == 2001 ? "--from" : "--to", arg_visible(optarg));
                return EXIT_USAGE;
            }
            ex_opt = 1;
            ex_optname = c == 2001 ? "--from" : "--to";
            break;
        }
        case 2003: {
            char *end;
            errno = 0;
            long w = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || w < 40 || w > 1000) {
                fprintf(stderr, _("protosim: --width needs a number of columns from "
                        "40 to 1000, not \"%s\"\n"), arg_visible(optarg));
                return EXIT_USAGE;
            }
            ex.width = (int)w;
            ex_opt = 1;
            ex_optname = "--width";
            break;
        }
        case 2004: ex.ascii = 1; ex_opt = 1; ex_optname = "--ascii"; break;
        case 2006: ex.fold = 1; ex_opt = 1; ex_optname = "--fold"; break;
        case 2005: {
            char *end;
            errno = 0;
            long n = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || n < 1 || n > 100000) {
                fprintf(stderr, _("protosim: --chapter needs a chapter number (1, 2, ...), "
                        "not \"%s\"\n"), arg_visible(optarg));
                return EXIT_USAGE;
            }
            ex.chapter = (int)n;
            ex_opt = 1;
            ex_optname = "--chapter";
            break;
        }
        case 'Q': quiz = 1; break;
        case 2008: read_path = optarg; break;
        case 'l': list = 1; break;
        case 'h': usage(stdout); return finish_stdout(0, 0);
        case 'V':
            printf("protosim %s\n", PROTOSIM_VERSION);
            return finish_stdout(0, 0);
        case ':': {
            /* the option is the last one of its argument: a long one as
             * written, a short one by its letter (of `-bs`, "-s") */
            const char *arg = argv[optind - 1];
            if (arg[0] == '-' && arg[1] == '-')
                fprintf(stderr, _("protosim: option %s needs a value\n"), arg);
            else {
                char o[3] = { '-', (char)optopt, '\0' };
                fprintf(stderr, _("protosim: option %s needs a value\n"), o);
            }
            fputs(_("Try 'protosim --help'.\n"), stderr);
            return EXIT_USAGE;
        }
        default:
            bad_option(optind > 0 && optind <= argc ? argv[optind - 1] : NULL, optopt);
            fputs(_("Try 'protosim --help'.\n"), stderr);
            return EXIT_USAGE;
        }
    }
    if (list) {
        if (scnpath_list(stdout, argv[0]) == 0) {
            fputs(_("protosim: no shipped scenarios found\n"), stderr);
            return EXIT_NOINPUT;
        }
        return finish_stdout(0, 0);
    }
    if (ex.chapter && (ex.from.set || ex.to.set)) {
        fputs(_("protosim: --chapter is a range of its own: not with --from or --to\n"),
              stderr);
        return EXIT_USAGE;
    }
    if (ex_opt && ex.format < 0) {
        fprintf(stderr, _("protosim: %s goes with --export FORMAT\n"), ex_optname);
        return EXIT_USAGE;
    }
    if (ex.format >= 0 && ex.format != EXPORT_TXT && (ex.ascii || ex.width)) {
        fprintf(stderr, _("protosim: %s is for --export txt only\n"),
                ex.ascii ? "--ascii" : "--width");
        return EXIT_USAGE;
    }
    if (ex.format >= 0 && (json || stats || check || batch || real || quiz)) {
        fprintf(stderr, _("protosim: --export writes the diagram on its own; it does "
                "not go with %s\n"), json ? "--json" : stats ? "--stats"
                : check ? "--check" : batch ? "--batch" : real ? "--real" : "--quiz");
        return EXIT_USAGE;
    }
    if (stats && json) {
        fputs(_("protosim: --stats and --json both print to standard output; "
              "choose one\n"), stderr);
        return EXIT_USAGE;
    }
    if (quiz && (json || stats || check)) {
        fputs(_("protosim: --quiz asks questions on the timeline; it cannot be combined "
              "with --json, --stats or --check\n"), stderr);
        return EXIT_USAGE;
    }
    if (argc - optind > 1) {
        fprintf(stderr, _("protosim: one scenario at a time (got \"%s\" and \"%s\")\n"),
                arg_visible(argv[optind]), arg_visible(argv[optind + 1]));
        return EXIT_USAGE;
    }
    if (read_path) {
        if (optind < argc) {
            fprintf(stderr, _("protosim: --read draws a capture instead of a scenario: "
                    "give one or the other (got \"%s\")\n"), arg_visible(argv[optind]));
            return EXIT_USAGE;
        }
        const char *with = real ? "--real"
                         : check ? "--check" : quiz ? "--quiz"
                         : pcap_path ? (pcap_ng ? "--pcapng" : "--pcap")
                         : have_seed ? "--seed" : NULL;
        for (int i = 0; !with && i < LIM_COUNT; i++)
            if (limits[i])
                with = sim_limit_option(i);
        if (with) {
            fprintf(stderr, _("protosim: --read draws a capture; it runs no "
                    "scenario, so it does not go with %s\n"), with);
            return EXIT_USAGE;
        }
        return run_read(read_path, &ex, json, stats, batch, argv[0]);
    }

    /* What the run shows decides what it keeps.  The interactive view
     * reads the whole trace, --real merges the kernel's records into it
     * after the run, --export lays the diagram out over all of it, and
     * --quiz (also --batch) picks its questions over the whole run before
     * it asks the first; otherwise the writers and the `expect` checker
     * take each record as it is made and the trace keeps only what is
     * still referenced (trace_stream), so memory stays flat however long
     * the run. */
    int exporting = ex.format >= 0;
    int text = !exporting && !json && !stats && (batch || !check);  /* the timeline, or the view */
    const char *nope = text && !batch ? tui_unusable() : NULL;
    int tui = text && !batch && !nope;
    int keep = tui || real || exporting || quiz;  /* the quiz reads the whole run */
    /* A kept trace's frame and data bytes are one arena addressed by
     * 32-bit offsets (trace.h, struct blob): past 4 GiB they wrapped and
     * a frame read back another's bytes.  Its budget stays under that
     * with room for one event's growth (at most a 16 MiB send and the
     * segments it makes); a streamed trace has no arena. */
    if (keep && limits[LIM_TRACE] > TRACE_KEPT_MAX) {
        fprintf(stderr, _("protosim: --max-trace can be at most 3G when the whole trace is "
                "kept (the interactive view, --export, --real, --quiz), not \"%s\"\n"),
                arg_visible(max_trace_arg));
        return EXIT_USAGE;
    }
    const char *arg = optind < argc ? argv[optind] : NULL;
    char *path = NULL;
    if (arg) {
        path = scnpath_resolve(arg, argv[0]);
        if (!path) {
            /* `protosim lesson.txt` beside a file lesson.txt: a name
             * without "/" or ".scn" is a shipped lesson's, and "no
             * scenario named" alone read as if the file were missing */
            struct stat st;
            if (stat(arg, &st) == 0)
                fprintf(stderr, _("protosim: no shipped scenario is named \"%s\" (try "
                        "--list); to run the file of that name, write ./%s\n"), arg_visible(arg),
                        arg_visible(arg));
            else
                fprintf(stderr, _("protosim: no scenario named \"%s\" (try --list)\n"),
                        arg_visible(arg));
            return EXIT_NOINPUT;
        }
    } else {
        path = scnpath_resolve(DEFAULT_SCENARIO, argv[0]);
        if (!path)
            path = scnpath_resolve(DEFAULT_SCENARIO_FALLBACK, argv[0]);
        if (!path) {
            fputs(_("protosim: the default scenario is not installed; name a "
                  ".scn file\n"), stderr);
            return EXIT_NOINPUT;
        }
    }

    struct scn_errors errs = { 0 };
    int ioerr = 0;
    /* the lesson's own model counts against --max-memory as it is read */
    errs.max_memory = limits[LIM_MEMORY] ? limits[LIM_MEMORY] : SIM_DEFAULT_MAX_MEMORY;
    struct scenario *scn = scenario_load(path, &errs, &ioerr);
    if (!scn) {
        int code;
        if (ioerr == EFBIG) {
            fprintf(stderr, _("protosim: cannot read %s: a lesson may have at most "
                    "%zu bytes (64 MiB) and this file is larger\n"), arg_visible(path),
                    (size_t)SCN_FILE_MAX);
            code = EXIT_NOINPUT;
        } else if (ioerr) {
            fprintf(stderr, _("protosim: cannot read %s: %s\n"), arg_visible(path),
                    strerror(ioerr));
            code = EXIT_NOINPUT;
        } else {
            for (int i = 0; i < errs.n; i++)
                fprintf(stderr, "%s\n", arg_visible(errs.msgs[i]));   /* a path as typed */
            code = errs.over_memory ? EXIT_LIMIT : EXIT_DATAERR;
        }
        scn_errors_free(&errs);
        free(path);
        return code;
    }
    scn_errors_free(&errs);
    if (ex.output && export_check_target(ex.output, path) != 0) {
        scenario_free(scn);
        free(path);
        return EXIT_USAGE;
    }
    if (pcap_path && !pcap_target_ok(pcap_path, path, pcap_ng,
                                     ex.format >= 0 ? ex.output : NULL)) {
        scenario_free(scn);
        free(path);
        return EXIT_USAGE;
    }


    struct sim s;
    i18n_lesson(scn);
    sim_init(&s, scn, have_seed ? seed : scn->seed);
    if (limits[LIM_TIME]) {
        s.end_us = (int64_t)limits[LIM_TIME];
        s.end_auto = 0;
    }
    if (limits[LIM_EVENTS])
        s.max_events = limits[LIM_EVENTS];
    if (limits[LIM_FRAMES])
        s.max_frames = limits[LIM_FRAMES];
    if (limits[LIM_TRACE])
        s.max_trace = limits[LIM_TRACE];
    if (limits[LIM_MEMORY])
        s.max_memory = limits[LIM_MEMORY];

    int rc = 0, out_err = 0;
    struct outfile po;
    struct pcap_out pw;
    struct json_out jw;
    struct text_out tw;
    struct stats sw;
    int have_pcap = 0;
    if (pcap_path && (rc = open_pcap(pcap_path, &po)) == 0) {
        have_pcap = 1;
        pcap_begin(&pw, po.fp, &s.tr, !real, pcap_ng);
    }
    /* the writers: now, to stream, or after the run over the whole trace */
    if (!keep) {
        trace_stream(&s.tr);
        if (have_pcap)
            add_sink(&s.tr, pcap_sink, &pw);
        if (json) {
            json_begin(&jw, stdout, &s);
            add_sink(&s.tr, json_sink, &jw);
        } else if (text) {
            text_begin(&tw, stdout, &s);
            add_sink(&s.tr, text_sink, &tw);
        }
    }
    if (stats) {
        stats_begin(&sw, stdout, &s);
        if (!keep)
            add_sink(&s.tr, stats_sink, &sw);
    }
    /* expectations are about the model: the checker sees the run's own
     * records, before --real merges the kernel's */
    struct scn_checker *checker = NULL;
    struct scn_quiz_finder *quizzes = NULL;
    if (check) {
        checker = scn_checker_new(scn, &s.tr);
        add_sink(&s.tr, scn_checker_rec, checker);
        if (scn->nquizzes) {              /* and that every quiz's answer happens */
            quizzes = scn_quiz_finder_new(scn);
            add_sink(&s.tr, scn_quiz_finder_rec, quizzes);
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sim_run(&s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct real_opts ro;
    real_default_opts(&ro);
    if (real) {
        /* the kernel's side, merged into the trace; expectations stay
         * about the model */
        struct real_result rr;
        if (real_run(&s, &ro, &rr) < 0)
            fprintf(stderr, _("protosim: --real: %s\n"), rr.err);
    }
    if (keep) {
        /* a sink added now is given every record of the finished trace */
        if (have_pcap)
            add_sink(&s.tr, pcap_sink, &pw);
        if (json) {
            json_begin(&jw, stdout, &s);
            add_sink(&s.tr, json_sink, &jw);
        }
        if (stats)
            add_sink(&s.tr, stats_sink, &sw);
    }
    if (have_pcap)
        rc = close_pcap(pcap_path, &po, &pw);
    errno = 0;
    if (json) {
        if (json_finish(&jw) < 0)
            out_err = errno ? errno : EIO;
    } else if (stats) {
        double wall = (double)(t1.tv_sec - t0.tv_sec) +
                      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (stats_finish(&sw, wall) < 0)
            out_err = errno ? errno : EIO;
    } else if (exporting) {
        int erc = export_run(&ex, &s, scn, &out_err);
        if (erc && rc == 0)
            rc = erc;
    } else if (text) {
        char why[160] = "";
        tui_set_quiz(quiz);
        int shown = tui && tui_run(&scn, &s, have_seed, seed, real ? &ro : NULL,
                                   argv[0], why, sizeof why) >= 0;
        if (!shown) {
            if (!batch)
                fprintf(stderr, _("protosim: %s; showing the --batch text\n"),
                        nope ? nope : why);
            if (quiz) {
                /* the answers come from standard input, one a line */
                if (quiz_batch(stdin, stdout, scn, &s, have_seed ? seed : scn->seed) < 0 &&
                    !out_err)
                    out_err = errno ? errno : EIO;
            } else {
                if (keep) {
                    s.tr.nsinks = 0;      /* the other writers are done */
                    text_begin(&tw, stdout, &s);
                    add_sink(&s.tr, text_sink, &tw);
                }
                if (text_finish(&tw) < 0 && !out_err)
                    out_err = errno ? errno : EIO;
            }
        }
    }
    s.tr.nsinks = 0;                      /* every writer is finished */
    if (s.truncated) {
        char lt[80], at[32];
        sim_limit_text(s.stop.limit, s.stop.value, lt, sizeof lt);
        fmt_duration(s.stop.t_us, at, sizeof at);
        if (s.stop.host >= 0)
            fprintf(stderr, _("protosim: the run stopped at its %s (%s) at %s "
                    "(host %s, protocol %s); likely cause: %s\n"), lt,
                    sim_limit_option(s.stop.limit), at,
                    s.tr.host_names[s.stop.host],
                    trace_layer_name(s.stop.layer), s.stop.cause);
        else    /* the last record was the lesson's own (a note): no host */
            fprintf(stderr, _("protosim: the run stopped at its %s (%s) at %s; "
                    "likely cause: %s\n"), lt, sim_limit_option(s.stop.limit),
                    at, s.stop.cause);
        if (pcap_path)
            fprintf(stderr, _("protosim: %s ends where the run stopped, at %s\n"),
                    pcap_path, at);
    }
    if (check) {
        char **msgs = NULL;
        int nmsgs = 0;
        if (s.truncated) {
            scn_checker_cut(checker, s.stop.t_us, s.stop.limit == LIM_TIME);
            if (quizzes)
                scn_quiz_finder_cut(quizzes, s.stop.t_us);
        }
        int unchecked = 0;
        int failed = scn_checker_finish_cut(checker, &msgs, &nmsgs, &unchecked);
        int qmiss = quizzes ? scn_quiz_finder_misses(quizzes, &s.tr, &msgs, &nmsgs) : 0;
        if (scn->nfaults) {             /* warnings: the exit status stays */
            uint32_t *seen = xcalloc((size_t)scn->nfaults, sizeof *seen);
            sim_fault_seen(&s, seen);
            scn_fault_misses(scn, &s.tr, seen, s.truncated, s.stop.t_us, &msgs, &nmsgs);
            free(seen);
        }
        scn_quiz_finder_free(quizzes);
        for (int i = 0; i < nmsgs; i++) {
            char *v = text_visible_dup(msgs[i]);
            printf("%s\n", v);
            free(v);
            free(msgs[i]);
        }
        free(msgs);
        char *vp = text_visible_dup(path);
        /* the noun agrees with the count of expectations, the verb with the
         * count that holds: "1 of 1 expectation holds", "1 of 3 expectations
         * holds", "2 of 3 expectations hold" */
        int held = scn->nexpects - failed;
        if (scn->nexpects == 0)
            printf(_("%s: it has no expect lines, so no expectation was checked\n"), vp);
        else if (scn->nexpects == 1 && unchecked)
            printf(_("%s: its one expectation was not checked\n"), vp);
        else if (scn->nexpects == 1 && held == 0)
            printf(_("%s: its one expectation does not hold\n"), vp);
        else if (scn->nexpects == 1)
            printf(_("%s: %d of %d expectation holds\n"), vp, held, scn->nexpects);
        else
            printf(P_("%s: %d of %d expectations holds\n", "%s: %d of %d expectations hold\n",
                      held), vp, held, scn->nexpects);
        /* a line the cut left open neither holds nor fails: say how many */
        if (scn->nexpects > 1 && unchecked)
            printf(P_("%s: %d of the %d expectations was not checked\n",
                      "%s: %d of the %d expectations were not checked\n", unchecked),
                   vp, unchecked, scn->nexpects);
        if (scn->nquizzes) {
            /* qmiss counts the questions the quiz would not ask: an answer
             * the run never reached, or a record another question took */
            int asked = scn->nquizzes - qmiss;
            if (scn->nquizzes == 1)
                printf(asked ? _("%s: its one quiz question is asked\n")
                             : _("%s: its one quiz question is not asked\n"), vp);
            else
                printf(P_("%s: %d of %d quiz questions is asked\n",
                          "%s: %d of %d quiz questions are asked\n", asked),
                       vp, asked, scn->nquizzes);
        }
        if (s.truncated) {
            char lt[80], at[32];
            printf(scn->nexpects
                   ? _("%s: the run was cut short at %s by its %s (%s): "
                       "expectations were checked against a truncated trace\n")
                   : scn->nquizzes
                   ? _("%s: the run was cut short at %s by its %s (%s): "
                       "quiz answers were looked for in a truncated trace\n")
                   : _("%s: the run was cut short at %s by its %s (%s)\n"),
                   vp, fmt_duration(s.stop.t_us, at, sizeof at),
                   sim_limit_text(s.stop.limit, s.stop.value, lt, sizeof lt),
                   sim_limit_option(s.stop.limit));
        }
        free(vp);
        if ((failed || qmiss) && rc == 0)
            rc = EXIT_FAILED;
    }
    if (s.truncated && (rc == 0 || rc == EXIT_FAILED))
        rc = EXIT_LIMIT;
    if (!out_err && ferror(stdout))
        out_err = errno ? errno : EIO;
    sim_free(&s);
    scenario_free(scn);
    free(path);
    /* output the user cannot trust is an error whatever else happened */
    int orc = finish_stdout(rc, out_err);
    return orc == EXIT_IOERR ? orc : rc;
}
