/* replay.c — runs a fuzz target's LLVMFuzzerTestOneInput over files without
 * libFuzzer, so a kept corpus and regressions replay in the ordinary
 * sanitizer build (make fuzz-replay).  Arguments are files or directories
 * (their regular files, in name order).  A sanitizer report aborts the
 * process, which fails the replay. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, k;

    if (!fp) {
        perror(path);
        return -1;
    }
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(fp);
                return -1;
            }
            buf = p;
        }
        k = fread(buf + len, 1, cap - len, fp);
        len += k;
    } while (k > 0);
    fclose(fp);
    /* an exact-size copy, so ASan sees a read past the input */
    uint8_t *in = malloc(len ? len : 1);
    if (!in) {
        free(buf);
        return -1;
    }
    memcpy(in, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(in, len);
    free(in);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int files = 0, bad = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i]) < 0;
            files++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char **p = realloc(names, (n + 1) * sizeof *names);
            size_t l = strlen(argv[i]) + strlen(de->d_name) + 2;
            if (!p || !(p[n] = malloc(l))) {
                names = p;
                bad = 1;
                break;
            }
            names = p;
            snprintf(names[n], l, "%s/%s", argv[i], de->d_name);
            n++;
        }
        closedir(d);
        if (n)
            qsort(names, n, sizeof *names, by_name);
        for (size_t k = 0; k < n; k++) {
            struct stat fs;
            if (stat(names[k], &fs) == 0 && S_ISREG(fs.st_mode)) {
                bad |= run_file(names[k]) < 0;
                files++;
            }
            free(names[k]);
        }
        free(names);
    }
    fprintf(stderr, "replay: %d file%s\n", files, files == 1 ? "" : "s");
    return bad ? 1 : 0;
}
