/* why.h — the reason a record carries: a narration id and up to four
 * parameters.  The engine stores it; the ids and their sentences belong to
 * the protocols (sim/proto/narrate.h), and a driver outside the model may
 * keep a table of its own (real/realrec.h). */
#ifndef PROTOSIM_WHY_H
#define PROTOSIM_WHY_H

#include <stdint.h>

struct why {
    uint16_t id;
    int64_t  a[4];
};

#define WHY(id_, ...) ((struct why){ .id = (id_), .a = { __VA_ARGS__ } })
#define WHY0(id_)     ((struct why){ .id = (id_) })

#endif
