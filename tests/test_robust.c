/* test_robust.c — Check suite for ui/output.c (files written whole or not at
 * all, lesson text made safe for a terminal), JSON strings as UTF-8, and the
 * loader's edges: byte-order mark, CR and CRLF line ends, the size limit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <check.h>
#include "output.h"
#include "utf8.h"
#include "render.h"
#include "lang.h"
#include "sim.h"
#include "suites.h"

/* ---- files written whole or not at all ------------------------------------------- */

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/protosim-out-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static int entries(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_outfile_commit_replaces_only_when_complete)
{
    char path[128];
    make_dir();
    snprintf(path, sizeof path, "%s/out.pcap", dir);
    write_file(path, "old");
    chmod(path, 0640);
    struct outfile o;
    ck_assert_int_eq(outfile_open(&o, path), 0);
    fputs("new", o.fp);
    ck_assert_int_eq(fflush(o.fp), 0);
    /* until the commit, the old file is what is there, beside the temp */
    ck_assert_str_eq(read_file(path), "old");
    ck_assert_int_eq(entries(), 2);
    ck_assert_int_eq(outfile_commit(&o), 0);
    ck_assert_str_eq(read_file(path), "new");
    ck_assert_int_eq(entries(), 1);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0640);     /* the replaced file's mode */
    remove_dir();
}
END_TEST

START_TEST(test_outfile_abort_leaves_the_old_file)
{
    char path[128];
    make_dir();
    snprintf(path, sizeof path, "%s/out.pcap", dir);
    write_file(path, "old");
    struct outfile o;
    ck_assert_int_eq(outfile_open(&o, path), 0);
    fputs("half", o.fp);
    outfile_abort(&o);
    ck_assert_str_eq(read_file(path), "old");
    ck_assert_int_eq(entries(), 1);
    /* a new name: nothing at all is left */
    snprintf(path, sizeof path, "%s/new.pcap", dir);
    ck_assert_int_eq(outfile_open(&o, path), 0);
    fputs("half", o.fp);
    outfile_abort(&o);
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(entries(), 1);
    remove_dir();
}
END_TEST

START_TEST(test_outfile_errors_name_the_cause)
{
    struct outfile o;
    char path[128];
    make_dir();
    snprintf(path, sizeof path, "%s/missing/x.pcap", dir);
    ck_assert_int_eq(outfile_open(&o, path), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(outfile_open(&o, dir), -1);
    ck_assert_int_eq(errno, EISDIR);
    remove_dir();
    /* a device is written directly, and its error comes back at commit */
    ck_assert_int_eq(outfile_open(&o, "/dev/full"), 0);
    ck_assert_ptr_null(o.tmp);
    fputs("x", o.fp);
    ck_assert_int_eq(outfile_commit(&o), -1);
    ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

/* ---- UTF-8 and terminal-safe text ------------------------------------------------- */

START_TEST(test_rfc3629_4_utf8_seq_rejects_ill_formed)
{
    uint32_t cp;
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xC3\xA9", 2, &cp), 2);
    ck_assert_uint_eq(cp, 0xE9);
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xE4\xB8\xAD", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x4E2D);
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x1F600);
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xC0\x9B", 2, &cp), 0);     /* overlong ESC */
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xE0\x80\x9B", 3, &cp), 0); /* overlong */
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xED\xA0\x80", 3, &cp), 0); /* surrogate */
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xF4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xE4\xB8", 2, &cp), 0);     /* cut short */
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\xFF", 1, &cp), 0);
    ck_assert_int_eq(utf8_seq((const uint8_t *)"\x80", 1, &cp), 0);
}
END_TEST

START_TEST(test_text_visible_shows_controls)
{
    char *buf = NULL;
    size_t cap = 0;
    const char *plain = "Three-way handshake";
    ck_assert_ptr_eq(text_visible(plain, &buf, &cap), plain);
    const char *utf8 = "三次握手 café";
    ck_assert_ptr_eq(text_visible(utf8, &buf, &cap), utf8);
    ck_assert_str_eq(text_visible("a\x1b]0;pwned\x07z", &buf, &cap), "a\\x1b]0;pwned\\x07z");
    ck_assert_str_eq(text_visible("x\x1b[2Jy", &buf, &cap), "x\\x1b[2Jy");
    ck_assert_str_eq(text_visible("t\tn\nr\r", &buf, &cap), "t\\tn\\nr\\r");
    ck_assert_str_eq(text_visible("del\x7f", &buf, &cap), "del\\x7f");
    /* C1 CSI as UTF-8, a raw 8-bit CSI, an overlong ESC */
    ck_assert_str_eq(text_visible("\xC2\x9B" "1m", &buf, &cap), "\\xc2\\x9b1m");
    ck_assert_str_eq(text_visible("\x9b" "1m", &buf, &cap), "\\x9b1m");
    ck_assert_str_eq(text_visible("\xC0\x9B", &buf, &cap), "\\xc0\\x9b");
    ck_assert_str_eq(text_visible("中\xff文", &buf, &cap), "中\\xff文");
    free(buf);
    char *d = text_visible_dup("\x1b");
    ck_assert_str_eq(d, "\\x1b");
    ck_assert_uint_eq(text_visible_len("\x1b"), 4);
    free(d);
}
END_TEST

/* Runs a lesson and returns its --json output (malloc'd). */
static char *json_of(const char *text)
{
    struct scn_errors e = { 0 };
    struct scenario *scn = scenario_parse("t.scn", text, strlen(text), &e);
    ck_assert_msg(scn != NULL, "%s", e.n ? e.msgs[0] : "?");
    struct sim s;
    sim_init(&s, scn, 1);
    sim_run(&s);
    char *out = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&out, &n);
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(render_json(fp, &s), 0);
    fclose(fp);
    sim_free(&s);
    scenario_free(scn);
    return out;
}

START_TEST(test_rfc8259_7_json_keeps_utf8_and_escapes_controls)
{
    char *j = json_of("title \"U\"\nhost a 192.0.2.1\n"
                      "at 0ms note \"中文 café \\\"q\\\" \\\\ \\x1b[2J \\x7f \\xc2\\x85 end\"\n");
    ck_assert_msg(strstr(j, "\"text\":\"中文 café \\\"q\\\" \\\\ \\u001b[2J \\u007f \\u0085 end\"")
                  != NULL, "%s", j);
    free(j);
    /* bytes that are not UTF-8: one U+FFFD each, so the line stays valid */
    j = json_of("title \"U\"\nhost a 192.0.2.1\n"
                "at 0ms note \"bad\\xff \\xe4\\xb8 cut \\xc0\\x9b over\"\n");
    ck_assert_msg(strstr(j, "\"text\":\"bad\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD cut "
                            "\xEF\xBF\xBD\xEF\xBF\xBD over\"") != NULL, "%s", j);
    free(j);
}
END_TEST

/* ---- the loader's edges ----------------------------------------------------------- */

static const char LESSON[] =
    "title \"Edges\"\n"
    "host a 192.0.2.1\n"
    "host b 192.0.2.2\n"
    "link a b delay 5ms\n"
    "expect a->b tcp SYN count 0\n";

/* LESSON with "\n" replaced by eol, after an optional prefix. */
static char *with_eol(const char *prefix, const char *eol)
{
    size_t cap = strlen(prefix) + sizeof LESSON * 2;
    char *out = malloc(cap), *o = out;
    ck_assert_ptr_nonnull(out);
    o += sprintf(o, "%s", prefix);
    for (const char *p = LESSON; *p; p++) {
        if (*p == '\n')
            o += sprintf(o, "%s", eol);
        else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

START_TEST(test_load_accepts_bom_cr_and_crlf)
{
    static const char *const prefixes[] = { "", "\xEF\xBB\xBF" };
    static const char *const eols[] = { "\n", "\r\n", "\r" };
    for (int p = 0; p < 2; p++) {
        for (int e = 0; e < 3; e++) {
            char *t = with_eol(prefixes[p], eols[e]);
            struct scn_errors errs = { 0 };
            struct scenario *s = scenario_parse("t.scn", t, strlen(t), &errs);
            ck_assert_msg(s != NULL, "bom %d eol %d: %s", p, e,
                          errs.n ? errs.msgs[0] : "?");
            ck_assert_str_eq(s->title, "Edges");
            ck_assert_int_eq(s->nhosts, 2);
            ck_assert_int_eq(s->nexpects, 1);
            scenario_free(s);
            scn_errors_free(&errs);
            free(t);
        }
    }
}
END_TEST

/* Whether one of the messages starts with want. */
static int has_msg(const struct scn_errors *e, const char *want)
{
    for (int i = 0; i < e->n; i++)
        if (!strncmp(e->msgs[i], want, strlen(want)))
            return 1;
    return 0;
}

START_TEST(test_load_positions_after_bom_and_cr)
{
    /* line 3 counted across lone CRs; column 8 counted after the mark */
    static const char cr[] = "\xEF\xBB\xBFtitle \"x\"\rhost a 192.0.2.1\r\nhost b 1.2.3\r";
    struct scn_errors e = { 0 };
    ck_assert_ptr_null(scenario_parse("t.scn", cr, sizeof cr - 1, &e));
    ck_assert_int_ge(e.n, 1);
    ck_assert_msg(has_msg(&e, "t.scn:3:8: error: expected an IPv4 address"), "%s",
                  e.msgs[0]);
    scn_errors_free(&e);
    static const char bom[] = "\xEF\xBB\xBFhost a 1.2.3\n";
    ck_assert_ptr_null(scenario_parse("t.scn", bom, sizeof bom - 1, &e));
    ck_assert_int_ge(e.n, 1);
    ck_assert_msg(has_msg(&e, "t.scn:1:8: error: expected an IPv4 address"), "%s",
                  e.msgs[0]);
    scn_errors_free(&e);
    /* a mark anywhere else is not skipped */
    static const char late[] = "title \"x\"\n\xEF\xBB\xBFhost a 192.0.2.1\n";
    ck_assert_ptr_null(scenario_parse("t.scn", late, sizeof late - 1, &e));
    ck_assert_int_ge(e.n, 1);
    ck_assert_msg(has_msg(&e, "t.scn:2:1: error: unknown keyword"), "%s", e.msgs[0]);
    scn_errors_free(&e);
}
END_TEST

START_TEST(test_load_size_limit_is_inclusive)
{
    char path[] = "/tmp/protosim-limit-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, LESSON, sizeof LESSON - 1), (int)(sizeof LESSON - 1));
    /* pad with comment lines to exactly SCN_FILE_MAX bytes */
    static char pad[65536];
    memset(pad, 'x', sizeof pad);
    pad[0] = '#';
    pad[sizeof pad - 1] = '\n';
    size_t left = SCN_FILE_MAX - (sizeof LESSON - 1);
    while (left) {
        size_t k = left < sizeof pad ? left : sizeof pad;
        ck_assert_int_eq(write(fd, pad, k), (int)k);
        left -= k;
    }
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_eq((size_t)st.st_size, SCN_FILE_MAX);
    struct scn_errors e = { 0 };
    int io = -1;
    struct scenario *s = scenario_load(path, &e, &io);
    ck_assert_int_eq(io, 0);
    ck_assert_msg(s != NULL, "%s", e.n ? e.msgs[0] : "?");
    ck_assert_str_eq(s->title, "Edges");
    scenario_free(s);
    scn_errors_free(&e);
    /* one byte more is refused before parsing */
    ck_assert_int_eq(write(fd, "#", 1), 1);
    close(fd);
    s = scenario_load(path, &e, &io);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(io, EFBIG);
    ck_assert_int_eq(e.n, 0);
    unlink(path);
}
END_TEST

Suite *robust_suite(void)
{
    Suite *s = suite_create("robust");
    TCase *tc = tcase_create("output");
    tcase_add_test(tc, test_outfile_commit_replaces_only_when_complete);
    tcase_add_test(tc, test_outfile_abort_leaves_the_old_file);
    tcase_add_test(tc, test_outfile_errors_name_the_cause);
    tcase_add_test(tc, test_rfc3629_4_utf8_seq_rejects_ill_formed);
    tcase_add_test(tc, test_text_visible_shows_controls);
    tcase_add_test(tc, test_rfc8259_7_json_keeps_utf8_and_escapes_controls);
    suite_add_tcase(s, tc);
    TCase *tl = tcase_create("load");
    tcase_set_timeout(tl, 20);
    tcase_add_test(tl, test_load_accepts_bom_cr_and_crlf);
    tcase_add_test(tl, test_load_positions_after_bom_and_cr);
    tcase_add_test(tl, test_load_size_limit_is_inclusive);
    suite_add_tcase(s, tl);
    return s;
}
