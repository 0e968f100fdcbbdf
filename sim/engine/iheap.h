/* iheap.h — a binary min-heap of item indexes that knows where each item
 * sits, so that an item whose key changes, or that goes, is found without
 * a search: the ARP cache's timers and the DNS cache's expiries share it.
 *
 * The caller owns the array and the items: before(ctx, a, b) says item a
 * comes first (ties broken by index, so the order is total and runs are
 * repeatable); place(ctx, at, i) stores heap[at] = i and remembers that
 * item i is at `at`.  The functions are inline, and the callbacks constant
 * where they are called, so the compiler makes them direct calls. */
#ifndef PROTOSIM_IHEAP_H
#define PROTOSIM_IHEAP_H

typedef int  (*iheap_before)(const void *ctx, int a, int b);
typedef void (*iheap_place)(void *ctx, int at, int i);

/* The item at heap[at] moves up while it comes before its parent. */
static inline void iheap_up(const int *heap, int at, iheap_before before,
                            iheap_place place, void *ctx)
{
    int i = heap[at];
    while (at > 0 && before(ctx, i, heap[(at - 1) / 2])) {
        place(ctx, at, heap[(at - 1) / 2]);
        at = (at - 1) / 2;
    }
    place(ctx, at, i);
}

/* The item at heap[at] moves down, in a heap of n items, while a child
 * comes before it. */
static inline void iheap_down(const int *heap, int n, int at,
                              iheap_before before, iheap_place place, void *ctx)
{
    int i = heap[at];
    for (;;) {
        int k = 2 * at + 1;
        if (k >= n)
            break;
        if (k + 1 < n && before(ctx, heap[k + 1], heap[k]))
            k++;
        if (!before(ctx, heap[k], i))
            break;
        place(ctx, at, heap[k]);
        at = k;
    }
    place(ctx, at, i);
}

#endif
