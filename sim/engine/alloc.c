/* alloc.c — see alloc.h: allocate or stop, never return NULL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"

static void (*on_failure)(size_t);

void alloc_set_failure_handler(void (*fn)(size_t size))
{
    on_failure = fn;
}

_Noreturn void alloc_exhausted(size_t size)
{
    if (on_failure)
        on_failure(size);
    abort();
}

static void *fail(size_t n)
{
    alloc_exhausted(n);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    return p ? p : fail(n);
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : fail(n * size);
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    return q ? q : fail(n);
}

void *xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return fail(SIZE_MAX);
    return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
    return xmemdup(s, strlen(s) + 1);
}

char *xmemdup(const void *p, size_t n)
{
    char *q = xmalloc(n);
    if (n)
        memcpy(q, p, n);
    return q;
}
