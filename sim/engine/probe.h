/* probe.h — linear probing's deletion, the one rule every open-addressing
 * table here closes its gaps by (trace.c's blobs and timers, sim.c's
 * four-tuples, peers.c's remote addresses, the pcap writer's counts). */
#ifndef PROTOSIM_PROBE_H
#define PROTOSIM_PROBE_H

#include <stddef.h>

/* Slot `gap` was just emptied; the entry at slot k, further along the same
 * run of full slots, has its home at slot `home`.  It stays where it is
 * when its home lies cyclically in (gap, k]: a lookup from its home still
 * reaches it without passing the gap.  Otherwise it moves back into the
 * gap, and k becomes the gap. */
static inline int probe_stays(size_t gap, size_t k, size_t home)
{
    return gap <= k ? gap < home && home <= k : gap < home || home <= k;
}

#endif
