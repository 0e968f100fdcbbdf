/* chapters.h — a lesson's chapters as ranges of trace records: the scenario's `chapter` lines, or by default one per protocol phase.
 *
 * Every output reads the same chapters (the view's title bar and its
 * chapter keys, the --batch headings, the --json "chapter" lines, the
 * exports), so they are computed in one place, record by record: the
 * writers that stream a run feed each record as it is made and learn the
 * chapters at the end, the view builds them over its finished trace.
 *
 * A chapter is [first, last], record indices, in order and disjoint; the
 * records before the first chapter (if any) belong to none.
 *
 * The lesson's own chapters (`at TIME chapter "..."`): each starts at the
 * first record of its instant or later (before the events of that
 * instant, where a note comes after them), and runs to the next one; one
 * with no record at or after its time is left out.
 *
 * Without chapter lines, a lesson that uses at least two of ARP, DNS and
 * TCP gets one chapter per protocol phase.  The phases, and the records
 * that say a phase is under way (every other record, such as a timer, an
 * arrival, a bare ACK or a note, stays in the chapter it falls in):
 *   ARP        an ARP frame sent, an ARP cache state change;
 *   DNS        a DNS message sent;
 *   TCP open   a SYN sent, the states SYN_SENT and SYN_RECEIVED, connect();
 *   HTTP/data  a segment with data sent (HTTP when it carries HTTP), send();
 *   TCP close  a FIN or RST sent, the states FIN_WAIT_1, FIN_WAIT_2,
 *              CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSED from
 *              one of those (TIME_WAIT running out), close(),
 *              shutdown(), abort().
 * A record of another phase than the chapter's starts a new chapter,
 * except ARP: it starts one only as the first phase of the run or as the
 * first phase after a quiet second (a second or more with no record);
 * elsewhere it is a next hop being found for the phase under way.  A
 * chapter whose phase starts after a quiet second begins with the first
 * record after that second (a timer's expiry, say).  A router passing a
 * packet on starts nothing: the sender's record did.  The first chapter
 * also takes the records before it (the servers getting ready).  A run
 * whose phases change more than CHAPTERS_MAX_DEFAULT times (a crowd of
 * connections) gets no default chapters: a list that long guides nobody,
 * and the detector's memory stays small however long the run. */
#ifndef PROTOSIM_CHAPTERS_H
#define PROTOSIM_CHAPTERS_H

#include <stddef.h>
#include <stdint.h>
#include "trace.h"

struct scenario;

#define CHAPTERS_MAX_DEFAULT 64

/* X(ID, json name, default title) */
#define CHAPTER_PHASES(X) \
    X(LESSON,    "lesson",    "") \
    X(ARP,       "arp",       N_("ARP: MAC addresses on the LAN")) \
    X(DNS,       "dns",       N_("DNS: resolving the name")) \
    X(TCP_OPEN,  "tcp-open",  N_("TCP: the three-way handshake")) \
    X(HTTP,      "http",      N_("HTTP: the request and the response")) \
    X(TCP_DATA,  "tcp-data",  N_("TCP: data")) \
    X(TCP_CLOSE, "tcp-close", N_("TCP: the connection closes"))

enum chapter_phase {
#define X(id, name, title) CH_##id,
    CHAPTER_PHASES(X)
#undef X
    CH_COUNT
};

struct chapter {
    size_t  first, last;       /* record indices, inclusive */
    int64_t t_us;              /* the first record's time */
    int     phase;             /* enum chapter_phase; CH_LESSON: a chapter line */
    const char *text, *text_zh;/* CH_LESSON: the scenario's texts */
};

struct chapters {
    struct chapter *v;
    size_t n, cap;
    /* the detector, while records come */
    const struct scenario *scn;
    int     next;              /* the scenario's next chapter line */
    int     families;          /* 1 ARP, 2 DNS, 4 TCP: seen in the run */
    int64_t last_t;            /* the previous record's time */
    int64_t t0;                /* the first record's time */
    int     busy;              /* a phase's record since the last quiet second */
    size_t  pause_at;          /* the first record after that second */
    int64_t pause_t;
    size_t  nrecs;             /* records seen */
    int     ended;
    int     crowd;             /* more default chapters than the maximum */
};

/* scn may be NULL (no chapter lines). */
void chapters_begin(struct chapters *c, const struct scenario *scn);
/* Record i (records come in order, each once). */
void chapters_rec(struct chapters *c, const struct trace *tr, size_t i,
                  const struct trace_rec *r);
/* chapters_rec for a writer that has decoded a sent frame already: f is
 * what frame_decode_fields made of r's frame, or NULL (then it is
 * decoded here, as chapters_rec does). */
struct frame;
void chapters_rec_frame(struct chapters *c, const struct trace *tr, size_t i,
                        const struct trace_rec *r, const struct frame *f);
/* After the last record: closes the last chapter, gives the first default
 * chapter the records before it, and drops the default chapters of a
 * lesson of one protocol family. */
void chapters_end(struct chapters *c);
/* All three over a finished trace (every record kept). */
void chapters_build(struct chapters *c, const struct trace *tr,
                    const struct scenario *scn);
void chapters_free(struct chapters *c);

/* The chapter holding record i, or -1. */
long chapter_of(const struct chapters *c, size_t i);
/* The chapter's title in the current language. */
const char *chapter_title(const struct chapters *c, const struct chapter *ch);
/* The phase's name in --json ("arp", "tcp-open", ...; "lesson"). */
const char *chapter_phase_name(int phase);

#endif
