/* uwsgi.h — the uwsgi protocol's packet, as nginx sends it to uWSGI
 * (uWSGI's documentation, "The uwsgi protocol"): a 4-byte header --
 * modifier1 (0: a WSGI request), the size of what follows as a 16-bit
 * little-endian number, modifier2 (0) -- then, for a WSGI request, the
 * variables: each a 16-bit little-endian key length, the key, a 16-bit
 * little-endian value length, the value.  One codec for the model
 * (sim/host/wsgiapp.c) and the inspector (ui/view_panes.c). */
#ifndef PROTOSIM_UWSGI_H
#define PROTOSIM_UWSGI_H

#include <stddef.h>
#include <stdint.h>

#define UWSGI_HDR 4

/* Writes the header for size bytes of variables at out[0..4). */
void   uwsgi_put_header(uint8_t *out, size_t size);
/* The header's size field. */
size_t uwsgi_datasize(const uint8_t *p);
/* Is p[0..len) exactly one WSGI request packet: modifier1 0, modifier2
 * 0, and a size that is the rest of it? */
int    uwsgi_is_request(const uint8_t *p, size_t len);

/* Appends the variable k = v at out[at..); returns the new end, or at
 * unchanged when it does not fit in cap. */
size_t uwsgi_put_var(uint8_t *out, size_t at, size_t cap, const char *k,
                     const char *v);

/* The variable at *at of the variables p[0..n): returns 1 with v filled
 * and *at moved past it, 0 at the end, -1 when a length runs past n
 * (*at unchanged). */
struct uwsgi_var {
    const uint8_t *key, *val;
    size_t klen, vlen;
};
int    uwsgi_next_var(const uint8_t *p, size_t n, size_t *at,
                      struct uwsgi_var *v);

#endif
