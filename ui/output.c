/* output.c — files replaced only when complete, and lesson text made safe
 * for a terminal (see output.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "output.h"
#include "utf8.h"
#include "alloc.h"

/* ---- a file written whole or not at all ------------------------------------ */

static void outfile_reset(struct outfile *o)
{
    free(o->target);
    free(o->tmp);
    o->fp = NULL;
    o->target = o->tmp = NULL;
}

int outfile_open(struct outfile *o, const char *path)
{
    struct stat st, lst;
    memset(o, 0, sizeof *o);
    if (!path || !*path) {
        errno = ENOENT;
        return -1;
    }
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        /* a device or a pipe: there is nothing to replace, write to it */
        o->fp = fopen(path, "wb");
        return o->fp ? 0 : -1;
    }
    /* a link to a file: replace the file and keep the link */
    char *real = NULL;
    if (exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        real = realpath(path, NULL);
    o->target = real ? real : xstrdup(path);
    static const char suffix[] = ".protosim-XXXXXX";
    size_t n = strlen(o->target);
    o->tmp = xmalloc(n + sizeof suffix);
    memcpy(o->tmp, o->target, n);
    memcpy(o->tmp + n, suffix, sizeof suffix);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        outfile_reset(o);
        errno = e;
        return -1;
    }
    /* mkstemp makes 0600: give the file the mode fopen() would have
     * (0666 less the umask), or the mode of the file it replaces */
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) < 0 || !(o->fp = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        outfile_reset(o);
        errno = e;
        return -1;
    }
    return 0;
}

void outfile_abort(struct outfile *o)
{
    int e = errno;
    if (o->fp)
        fclose(o->fp);
    if (o->tmp)
        unlink(o->tmp);
    outfile_reset(o);
    errno = e;
}

int outfile_commit(struct outfile *o)
{
    int err = 0;
    /* a write error stdio saw earlier, then the data still buffered, then
     * what the file system reports only when the data reach the disk */
    if (ferror(o->fp))
        err = errno ? errno : EIO;
    if (!err && fflush(o->fp) != 0)
        err = errno ? errno : EIO;
    if (!err && o->tmp && fsync(fileno(o->fp)) != 0 && errno != EINVAL)
        err = errno;
    int rc = fclose(o->fp);
    o->fp = NULL;
    if (!err && rc != 0)
        err = errno ? errno : EIO;
    if (err) {
        if (o->tmp)
            unlink(o->tmp);
        outfile_reset(o);
        errno = err;
        return -1;
    }
    if (o->tmp && rename(o->tmp, o->target) != 0) {
        err = errno;
        unlink(o->tmp);
        outfile_reset(o);
        errno = err;
        return -2;
    }
    outfile_reset(o);
    return 0;
}

/* ---- lesson text on a terminal ------------------------------------------------ */

/* Writes the visible form of s to out (when not NULL); returns its length. */
static size_t visible(const char *s, char *out)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s), len = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        char esc = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : 0;
        if (esc) {
            if (out) { out[len] = '\\'; out[len + 1] = esc; }
            len += 2;
            i++;
            continue;
        }
        if (c >= 0x20 && c < 0x7F) {
            if (out) out[len] = (char)c;
            len++;
            i++;
            continue;
        }
        uint32_t cp = 0;
        int k = c >= 0x80 ? utf8_seq(p + i, n - i, &cp) : 0;
        if (k > 0 && cp > 0x9F) {
            if (out) memcpy(out + len, p + i, (size_t)k);
            len += (size_t)k;
            i += (size_t)k;
            continue;
        }
        /* a control (C0, DEL, or C1 as its UTF-8 bytes) or a stray byte */
        int nb = k > 0 ? k : 1;
        for (int j = 0; j < nb; j++, i++) {
            if (out) {
                out[len] = '\\';
                out[len + 1] = 'x';
                out[len + 2] = hex[p[i] >> 4];
                out[len + 3] = hex[p[i] & 15];
            }
            len += 4;
        }
    }
    if (out) out[len] = '\0';
    return len;
}

size_t text_visible_len(const char *s)
{
    return visible(s, NULL);
}

char *text_visible_dup(const char *s)
{
    size_t n = visible(s, NULL);
    char *d = xmalloc(n + 1);
    visible(s, d);
    return d;
}

const char *text_visible(const char *s, char **buf, size_t *cap)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (p[i] >= 0x20 && p[i] < 0x7F)
        i++;
    if (!p[i])
        return s;                      /* plain ASCII: nothing to show */
    size_t n = visible(s, NULL);
    if (n == strlen(s))
        return s;                      /* UTF-8 without controls */
    if (n + 1 > *cap) {
        *buf = xrealloc(*buf, n + 1);
        *cap = n + 1;
    }
    visible(s, *buf);
    return *buf;
}

const char *arg_visible(const char *s)
{
    static char *buf[4];
    static size_t cap[4];
    static unsigned next;
    unsigned k = next++ % 4;
    return text_visible(s ? s : "", &buf[k], &cap[k]);
}
