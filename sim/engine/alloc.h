/* alloc.h — the one allocation policy of the model and the language.
 *
 * Memory is the only resource the model cannot do without: a partial trace
 * or a half-built TCB is worse than no answer, so every allocation goes
 * through these and none returns NULL.  On failure the front end's handler
 * (if it set one) reports, and then the process aborts.  The model itself
 * prints nothing. */
#ifndef PROTOSIM_ALLOC_H
#define PROTOSIM_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc to n * size bytes, refusing a product that overflows size_t */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n);

/* Out of a resource that has no more to give (the size it needed): the
 * same policy as a failed allocation.  Does not return. */
_Noreturn void alloc_exhausted(size_t size);

/* Called with the size that could not be had, before abort(). */
void alloc_set_failure_handler(void (*fn)(size_t size));

#endif
