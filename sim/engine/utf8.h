/* utf8.h — UTF-8 as RFC 3629 defines it, for every layer that reads text
 * a person wrote: lessons (names, strings), the JSON writer, the view. */
#ifndef PROTOSIM_UTF8_H
#define PROTOSIM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (2 to 4) of the well-formed multibyte sequence at p, of the n
 * bytes there, with its code point in *cp; 0 when p[0] begins none (an
 * ASCII byte, a stray continuation byte, an overlong form, a surrogate, a
 * sequence cut short or past U+10FFFF: RFC 3629 section 4). */
int utf8_seq(const uint8_t *p, size_t n, uint32_t *cp);

/* The first byte of p[0 .. n) that is not well-formed UTF-8, or n. */
size_t utf8_invalid(const uint8_t *p, size_t n);

/* Characters (code points) in p[0 .. n), which must be well-formed. */
size_t utf8_chars(const uint8_t *p, size_t n);

#endif
