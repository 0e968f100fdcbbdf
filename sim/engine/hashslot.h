/* hashslot.h — where a key's probe starts in an open-addressing table of
 * cap slots (a power of two): Fibonacci hashing, the key times 2^64 / phi,
 * bits 32 and up.  The tables of addresses, blobs, fault pairs, pending
 * connects and capture endpoints share it. */
#ifndef PROTOSIM_HASHSLOT_H
#define PROTOSIM_HASHSLOT_H

#include <stddef.h>
#include <stdint.h>

static inline size_t hash_home(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

#endif
