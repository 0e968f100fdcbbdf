/* scenario.h — a checked scenario: the parser turns a .scn file into this,
 * and the simulator runs it.  The language is documented in
 * scenarios/README.md; errors read `file:line:col: error: message`. */
#ifndef PROTOSIM_SCENARIO_H
#define PROTOSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include "dns.h"
#include "event.h"
#include "wire.h"

#define SCN_FILE_MAX ((size_t)64 << 20)   /* bytes; a larger lesson is refused */
#define SCN_NAME_MAX 32

/* Per-host TCP options (`tcp OPTION [HOST] VALUE`).  Unset fields take the
 * defaults in scenario_tcp_defaults(). */
/* The `tcp SETTING [HOST] VALUE` settings, once (besides `tcp isn`, which
 * takes a list):
 *   X(ID, keyword, field, C type, value kind, lowest, highest, default, what)
 * The table gives the parser its keywords, ranges and messages (lang/), the
 * defaults (scenario.c), the fields of scn_tcp_opts, and the copy into the
 * TCP's struct tcp_config (sim.c), whose fields have the same names.
 * Value kinds: SV_NUM a whole number from lowest to highest; SV_NUM_OFF the
 * same or `off` (stored as -1); SV_DUR a duration in microseconds from lowest
 * to highest; SV_ON_OFF `on` (1) or `off` (0); SV_HANDSHAKE `three-way` (0)
 * or `two-way` (1, the deliberately wrong handshake of the two-way lesson).
 *   mss        the MSS this host announces, bytes
 *   rto        the initial retransmission timeout
 *   retries    retransmissions before giving up
 *   msl        Maximum Segment Lifetime; TIME_WAIT lasts 2 x MSL
 *   nagle      Nagle's algorithm (RFC 9293 3.7.4)
 *   rcvbuf     receive buffer, which is the window advertised
 *   tw-reopen  a new SYN may reopen TIME_WAIT (RFC 9293 3.10.7.4, RFC 6191)
 *   wscale     the window scale shift offered in SYN (RFC 7323 2.2)
 *   syncookies answer SYNs with SYN cookies when a listener's SYN queue is
 *              full (RFC 4987 3.6); only a `listen PORT backlog N` fills */
#define SCN_TCP_SETTINGS(X)                                                                   \
    X(MSS,       "mss",       mss,       int,      SV_NUM,       64, 65495, 1460,              \
      "an MSS")                                                                               \
    X(RTO,       "rto",       rto_us,    int64_t,  SV_DUR,       US_PER_MS, 10 * US_PER_MIN,   \
      1 * US_PER_S, "the initial RTO")                                                        \
    X(RETRIES,   "retries",   retries,   int,      SV_NUM,       0, 20, 5, "a retry count")   \
    X(MSL,       "msl",       msl_us,    int64_t,  SV_DUR,       US_PER_MS, 10 * US_PER_MIN,   \
      30 * US_PER_S, "the MSL")                                                               \
    X(NAGLE,     "nagle",     nagle,     int,      SV_ON_OFF,    0, 1, 1, "on or off")        \
    X(HANDSHAKE, "handshake", two_way,   int,      SV_HANDSHAKE, 0, 1, 0,                     \
      "three-way or two-way")                                                                 \
    X(RCVBUF,    "rcvbuf",    rcvbuf,    uint32_t, SV_NUM,       1, 1073741824, 65535,         \
      "a receive buffer size in bytes")                                                       \
    X(TW_REOPEN, "tw-reopen", tw_reopen, int,      SV_ON_OFF,    0, 1, 1, "on or off")        \
    X(WSCALE,    "wscale",    wscale,    int,      SV_NUM_OFF,   0, 14, -1,                   \
      "a window scale shift")                                                                 \
    X(SYNCOOKIES, "syncookies", syncookies, int,  SV_ON_OFF,    0, 1, 0, "on or off")

enum scn_setting_kind { SV_NUM, SV_NUM_OFF, SV_DUR, SV_ON_OFF, SV_HANDSHAKE };

struct scn_tcp_opts {
    uint32_t isn[16];       /* fixed initial sequence numbers, used in order */
    int      n_isn;         /* 0: ISNs come from the seeded PRNG */
#define SCN_TCP_FIELD(id, kw, field, type, kind, lo, hi, def, what) type field;
    SCN_TCP_SETTINGS(SCN_TCP_FIELD)
#undef SCN_TCP_FIELD
};

#define SCN_MAX_IFACES 4

/* An interface on a LAN: `host NAME ADDR on LAN`, or each `ADDR on LAN` of
 * a `router`. */
struct scn_iface {
    ip4_addr addr;
    int      lan;           /* index into scenario.lans */
    int      line, col;
};

/* Text that lives as long as its scenario, packed end to end in blocks
 * that never move (the hosts' names: a crowd's short names cost their
 * bytes, not a 32-byte array or a malloc chunk each). */
struct scn_arena {
    struct scn_arena *next;
    size_t   used, cap;
    char     text[];
};

struct scn_host {
    const char *name;       /* in the scenario's arena, shorter than
                               SCN_NAME_MAX */
    ip4_addr addr;          /* the first (or only) address */
    int      line;
    /* its TCP settings: one of the scenario's tcps, the first (defaults and
     * all-host lines) shared by every host without a `tcp` line of its own */
    const struct scn_tcp_opts *tcp;
    /* Issue 3: LAN attachment and IPv4 configuration.  A host declared
     * without `on LAN` has no interfaces (ifaces NULL) and talks over
     * `link`s; one with them owns an array of nifaces (at most
     * SCN_MAX_IFACES), so a crowd of linked hosts pays 8 bytes each. */
    struct scn_iface *ifaces;
    int      nifaces;
    int      router;        /* declared with `router`: forwards between LANs */
    ip4_addr gateway;       /* `gateway ADDR`, 0 = none */
    ip4_addr dns;           /* `dns ADDR`: the recursive resolver, 0 = none */
};

/* `lan NAME NET/PREFIX [delay D] [jitter D] [loss P%] [duplicate P%]
 * [reorder P%]`: one Ethernet broadcast domain. */
struct scn_lan {
    char     name[SCN_NAME_MAX];
    ip4_addr net;
    int      prefix;        /* 0..32 */
    int64_t  delay_us, jitter_us;
    uint32_t loss_ppm, dup_ppm, reorder_ppm;
    int      line;
};

/* DNS data: `zone HOST APEX` makes HOST an authoritative server for APEX;
 * `record HOST NAME TTL [IN] TYPE DATA...` gives it a record, written as in
 * a master file (parsed with dns_rr_parse: A, NS, CNAME, SOA). */
struct scn_zone {
    int      host;
    char     apex[DNS_NAME_BUF];
    int      line;
};

struct scn_rr {
    int      host;
    struct dns_rr rr;
    int      line;
};

/* `resolver HOST hints ADDR [ADDR...]`: HOST answers recursive queries on
 * UDP port 53 by walking from the root servers at the hint addresses. */
struct scn_resolver {
    int      host;
    ip4_addr hints[8];
    int      nhints;
    int      line;
};

struct scn_link {
    int      a, b;          /* host indices */
    int64_t  delay_us;      /* one-way propagation delay */
    int64_t  jitter_us;     /* extra uniform random delay in [0, jitter] */
    uint32_t loss_ppm;      /* parts per million */
    uint32_t dup_ppm;
    uint32_t reorder_ppm;   /* held back by an extra delay of 2 x (delay + jitter) */
    int      line;
};

/* One field of a frame, named in an expectation: as a filter of a frame
 * pattern (`dns response aa`, `arp who-has 192.0.2.1`) or as a check on the
 * chosen frames (`#1 seq rel 1 ack rel 1`). */
enum scn_field_kind {
    SF_SEQ, SF_ACK,         /* TCP: value absolute, or relative to an ISN (rel) */
    SF_LEN,                 /* payload bytes (TCP segment data, UDP datagram) */
    SF_WINDOW,              /* TCP window */
    SF_FLAGS,               /* TCP flags, PSH ignored unless listed */
    SF_ARP_OP,              /* ARP: value ARP_OP_REQUEST or ARP_OP_REPLY;
                               addr != 0: who-has ADDR (tpa) / ADDR is-at (spa) */
    SF_DNS_QR,              /* DNS: value 0 query, 1 response */
    SF_DNS_AA,              /* DNS: value 0 or 1 */
    SF_DNS_RCODE,           /* DNS: value the RCODE */
    SF_DNS_QNAME            /* DNS: the question's name (scn_match.qname) */
};

struct scn_field {
    uint8_t  kind;          /* enum scn_field_kind */
    uint8_t  rel;           /* SF_SEQ/SF_ACK: relative to the ISN */
    uint32_t value;
    ip4_addr addr;          /* SF_ARP_OP */
};

#define SCN_MAX_FIELDS 8
/* The destination of a broadcast frame (ARP requests): `SRC->*`.  The same
 * value as the trace's HOST_BROADCAST. */
#define SCN_BROADCAST  (-1)


/* What a fault rule or an expectation's frame pattern matches.  Faults use
 * proto/flags/data only; expectations may also name ARP and DNS frames and
 * filter them on fields. */
struct scn_match {
    int      src, dst;      /* host indices; dst SCN_BROADCAST for `SRC->*` */
    int      proto;         /* 0 any, IPPROTO_TCP_NUM, IPPROTO_UDP_NUM */
    int      any_flags;     /* 1: every TCP segment */
    uint8_t  flags;         /* exact flag set; PSH ignored unless in `flags` */
    int      data;          /* 1: only segments with payload */
    int      top;           /* TL_ARP or TL_DNS for `arp` or `dns`
                               patterns (trace.h), else TL_NONE */
    /* NULL, or SCN_MAX_FIELDS slots in the scenario's arena, made by the
     * first filter: most patterns have none, and a crowd's lesson may
     * have an expectation or a fault per client */
    struct scn_field *filters;
    int      nfilters;
    const char *qname;      /* SF_DNS_QNAME filter, in the scenario's arena;
                               NULL: none */
};

/* The actions of `at TIME ...` lines, in enum order, once for the enum, the
 * parser's dispatch and its "expected one of" list.  VERB(id, word, shape):
 * `at T HOST word ...` picks ACT_id, and the language reads the rest of the
 * line with its act_<shape> (a family such as udp or http names its first
 * kind; that reader then picks the exact one).  KIND(id): picked some other
 * way, by `note` or `inject` or inside a family. */
#define SCN_ACTIONS(VERB, KIND) \
    VERB(LISTEN,   "listen",   listen)   /* HOST listen PORT [backlog N] */ \
    VERB(CONNECT,  "connect",  connect)  /* HOST connect PEER PORT [from PORT] */ \
    VERB(SEND,     "send",     send)     /* HOST send [framed] "text"|N bytes */ \
    VERB(RECV,     "recv",     recv)     /* HOST recv [N] */ \
    VERB(SHUTDOWN, "shutdown", none) \
    VERB(CLOSE,    "close",    none) \
    VERB(ABORT,    "abort",    none) \
    VERB(ACCEPT,   "accept",   port)     /* HOST accept PORT: one accept() */ \
    KIND(NOTE)                           /* note "text" */ \
    KIND(INJECT)                         /* inject SRC->DST ... */ \
    VERB(UDP_BIND, "udp",      udp)      /* HOST udp bind PORT */ \
    KIND(UDP_SEND)           /* HOST udp send PEER PORT "text"|N bytes [from PORT] */ \
    KIND(UDP_RECV)           /* HOST udp recv N: one datagram, at most N bytes */ \
    VERB(RESOLVE,  "resolve",  resolve)  /* HOST resolve NAME: ask the stub resolver */ \
    KIND(HTTP_SERVE)         /* HOST http serve PORT ["body"] */ \
    VERB(HTTP_GET, "http",     http)     /* HOST http get NAME [PATH] [port N] */ \
    KIND(RECV_FRAMED)        /* HOST recv framed: read length-prefixed messages */ \
    VERB(NGINX,    "nginx",    nginx)    /* HOST nginx serve PORT pass UPSTREAM PORT [deny ADDR] */ \
    VERB(UWSGI,    "uwsgi",    uwsgi)    /* HOST uwsgi serve PORT ["body"] */ \
    VERB(SOCKET,   "socket",   socket)   /* HOST socket [tcp|udp]: socket(), no effect on the wire */ \
    VERB(BIND,     "bind",     port)     /* HOST bind PORT: bind(), no effect on the wire */

enum scn_action_kind {
#define VERB(id, word, shape) ACT_##id,
#define KIND(id) ACT_##id,
    SCN_ACTIONS(VERB, KIND)
#undef VERB
#undef KIND
};

/* The TCP header fields an `inject` line gives (the rest are zero, the
 * window 65535). */
struct scn_seg {
    uint32_t seq, ack;
    uint16_t sport, dport;
    uint8_t  flags;
};

/* The fields few actions use: an action without any of them points at
 * scn_action_none (all zero), so a crowd's actions carry one pointer
 * instead of these fields each. */
struct scn_action_more {
    char    *text_zh;       /* note, inject: its Chinese, NULL none */
    char    *path;          /* http get PATH (in strs), default "/" */
    int      backlog;       /* listen `backlog N`; 0 = none (no queue limits) */
    /* `... line N` at the end of the line: the call is line N of the
     * acting host's program (its `code HOST` lines, else the shared
     * `code` lines); 0 none.  code_col: the number's column, for errors */
    int      code_line, code_col;
    /* nginx serve (wsgiapp.c): the uWSGI server it passes dynamic
     * requests to is `peer` at up_port; deny: a client address it refuses
     * (`deny ADDR`, 0 none) */
    ip4_addr deny;
    uint16_t up_port;
    uint8_t  sock_udp;      /* ACT_SOCKET `socket udp` */
    ip4_addr spoof;         /* inject `spoof ADDR`: the IP source, 0 = SRC's */
    struct scn_seg seg;     /* inject: sport, dport, seq, ack, flags */
    ip4_addr peer_addr;     /* ACT_UDP_SEND to an address (peer = -1) */
    int      peer_col;      /* that address's column, for errors */
};
extern const struct scn_action_more scn_action_none;

/* Wide fields first, flags as bytes, the rare ones in scn_action_more: a
 * crowd has one per connection. */
struct scn_action {
    int64_t  t_us;          /* absolute simulated time */
    uint8_t *data;          /* send payload: owned when data_owned, else
                               one of the scenario's strs (shared by every
                               action that sends the same text) */
    char    *text;          /* note text, inject explanation, resolve/http
                               name, http serve body (in the scenario's strs) */
    /* never NULL: owned, or &scn_action_none (lang_action_more makes one) */
    const struct scn_action_more *more;
    /* at most BYTES_MAX (lang/langint.h, 16 MiB) each: 32 bits hold them.
     * The pairs below share their bytes: no action has both (a crowd's
     * lesson holds an action per call, so each byte counts per call). */
    union {
        uint32_t len;       /* send, udp send: the data's length */
        uint32_t recv_max;  /* recv N, udp recv N, recv framed N */
    };
    int      host;          /* acting host; for ACT_INJECT the source */
    int      line, col;
    union {
        int  peer;          /* connect / inject / udp send destination;
                               nginx's uWSGI host */
        /* send, recv, shutdown, close, abort: `on port P` and `with PEER
         * [port Q]` name the connection, the host's newest that matches;
         * without them (named 0) the call acts on the host's newest
         * connection */
        int  with_peer;     /* host index, -1: any */
    };
    uint16_t on_lport, with_rport;      /* 0: any */
    uint8_t  kind;          /* enum scn_action_kind */
    uint8_t  named;
    uint8_t  framed;        /* ACT_SEND `send framed ...`: a 4-byte
                               big-endian length goes before the data */
    uint8_t  data_owned;    /* data is the action's own (freed with it) */
    uint16_t port;          /* listen port; connect remote port */
    uint16_t lport;         /* connect `from PORT`; 0 = ephemeral */
};

/* `code [HOST] "TEXT" [zh "TEXT"]`: one source line of the program the
 * code pane shows beside the diagram (ui/view_code.c).  A host's program
 * is its own `code HOST` lines in file order, or, when it has none, the
 * shared `code` lines; lines are numbered from 1 within their program.
 * The model ignores them. */
struct scn_code {
    int      host;                  /* host index, -1: shared */
    char    *text, *text_zh;        /* owned; text_zh NULL when none */
    int      line;                  /* the file's line */
};

enum scn_fault_kind { FAULT_DROP, FAULT_DELAY, FAULT_DUP };

struct scn_fault {
    int      kind;          /* enum scn_fault_kind */
    struct scn_match m;
    int      nth;           /* 1-based: the Nth frame that matches */
    int64_t  by_us;         /* FAULT_DELAY: extra delay */
    int      line, col;     /* where its `fault` stands */
};

/* The words after HOST in `expect HOST WORD ...`, in the order of the
 * parser's "expected one of" list (the application calls of the trace's
 * APP_SOCKET_CALLS follow them there).  FORM(word, id, shape): the word
 * makes an EXP_id read by the language's exp_<shape>, which may pick a
 * sibling kind (state: EXP_STATE_AT). */
#define SCN_EXPECT_FORMS(FORM) \
    FORM("state",     STATE_BY,  state)    \
    FORM("states",    STATES,    states)   \
    FORM("never",     NEVER,     never)    \
    FORM("received",  RECEIVED,  received) \
    FORM("arp",       ARP,       arp)      \
    FORM("resolved",  RESOLVED,  resolved) \
    FORM("messages",  MESSAGES,  messages) \
    FORM("datagrams", DATAGRAMS, messages) \
    FORM("reads",     READS,     count)    \
    FORM("queries",   QUERIES,   count)    \
    FORM("timer",     TIMER,     timer)

enum scn_expect_kind {
    EXP_STATE_BY,           /* HOST state S by T: reached S at some time <= T */
    EXP_STATE_AT,           /* HOST state S at T: in S at time T */
    EXP_NEVER,              /* HOST never S */
    EXP_RECEIVED,           /* HOST received "text": all bytes it read, in order */
    EXP_COUNT,              /* SRC->DST PROTO FLAGS count N: frames sent */
    /* issue 3 */
    EXP_ARP,                /* HOST arp ADDR STATE by|at T */
    EXP_RESOLVED,           /* HOST resolved NAME ADDR|NXDOMAIN|SERVFAIL */
    EXP_MESSAGES,           /* HOST messages "a" "b" ...: framed messages read */
    EXP_DATAGRAMS,          /* HOST datagrams "a" "b" ...: UDP datagrams read */
    EXP_READS,              /* HOST reads N: number of recv calls that returned data */
    EXP_QUERIES,            /* HOST queries N: DNS queries HOST sent */
    /* what the RFCs state */
    EXP_FIELDS,             /* SRC->DST PATTERN #N|every|some FIELD VALUE ... */
    EXP_STATES,             /* HOST states S S S ... [on port P] [with PEER [port P]] */
    EXP_TIMER,              /* HOST timer NAME started|restarted|stopped|expired [...] */
    EXP_CALL                /* HOST CALL [#N] succeeded | error "TEXT" */
};

/* Which of the matching frames a field expectation looks at. */
enum scn_pick { PICK_NTH, PICK_EVERY, PICK_SOME };
/* What a timer expectation counts; TMX_RESTART is a start while the same
 * timer of the same connection was running. */
enum scn_timer_event { TMX_START, TMX_RESTART, TMX_STOP, TMX_EXPIRE };
/* How a timer expectation is bounded. */
enum scn_when { WHEN_ANY, WHEN_COUNT, WHEN_BY, WHEN_AT };

#define SCN_MAX_STATES 64

struct scn_expect {
    int      kind;          /* enum scn_expect_kind */
    int      host;
    int      state;         /* enum tcp_state; enum arp_state for EXP_ARP */
    int64_t  t_us;
    uint8_t *data;          /* EXP_RECEIVED (owned) */
    size_t   len;
    struct scn_match m;     /* EXP_COUNT */
    long     count;
    int      line, col;     /* where the line's `expect` is, for messages */
    const char *src_text;   /* the expectation as written, for messages (in
                               the scenario's arena) */
    /* issue 3 */
    int      when;          /* EXP_ARP: 0 = by, 1 = at */
    ip4_addr addr;          /* EXP_ARP address; EXP_RESOLVED answer */
    int      rcode;         /* EXP_RESOLVED: 0 an address, 3 NXDOMAIN, 2 SERVFAIL */
    char    *name;          /* EXP_RESOLVED name (owned, absolute with dot) */
    uint8_t **msgs;         /* EXP_MESSAGES (owned) */
    size_t  *msg_lens;
    int      nmsgs;
    /* EXP_FIELDS; EXP_CALL uses nth (0: any call) */
    int      pick;          /* enum scn_pick */
    int      nth;           /* PICK_NTH: 1-based */
    struct scn_field *fields;   /* as scn_match's filters */
    int      nfields;
    const char *qname;      /* SF_DNS_QNAME check, in the scenario's arena */
    /* EXP_STATES: the exact history; the connection by its ports and peer */
    uint8_t *states;        /* nstates of them, in the scenario's arena */
    int      nstates;
    uint16_t lport, rport;  /* 0: not given */
    int      peer;          /* host index, -1: not given */
    /* EXP_TIMER */
    int      timer;         /* enum timer_name (trace.h) */
    int      tevent;        /* enum scn_timer_event */
    int      twhen;         /* enum scn_when; count in `count`, time in t_us */
    /* EXP_CALL */
    int      call;          /* enum app_call (trace.h) */
    int      err;           /* 0 succeeded, or -TCPE_xxx (tcp.h) */
};

/* `at TIME chapter "text" [zh "..."]`: a chapter of the lesson starts at
 * TIME (at the first record of that instant: before its events, unlike a
 * note).  The model ignores chapters; the views and outputs read them
 * through ui/chapters.h. */
struct scn_chapter {
    int64_t  t_us;
    char    *text, *text_zh;        /* owned; text_zh NULL when none */
    int      line, col;
};

/* `quiz "QUESTION" [zh "..."] answer WHAT [choices "WRONG" [zh "..."] ...]`
 * (issue 13): a question asked before the record that answers it.  The
 * right answer is read from that record, never written by the teacher, so
 * it is true of the run; `choices` gives the wrong ones (else the quiz
 * makes plausible ones, ui/quiz.c). */
enum scn_quiz_kind {
    QZ_FRAME,               /* SRC->DST PATTERN #N [FIELD]: the Nth frame */
    QZ_STATE                /* HOST state STATE [#N]: HOST's Nth entry into STATE */
};
/* What a frame quiz asks about the frame. */
#define SCN_QUIZ_FIELDS(X) \
    X(FLAGS, "flags")       /* TCP flags, e.g. SYN,ACK */ \
    X(SEQ,   "seq")         /* the sequence number */ \
    X(ACK,   "ack")         /* the acknowledgement number */ \
    X(LEN,   "len")         /* payload bytes */ \
    X(TO,    "to")          /* who receives it: a host, or everyone */
enum scn_quiz_field {
#define X(id, word) QF_##id,
    SCN_QUIZ_FIELDS(X)
#undef X
    QF_COUNT
};
#define SCN_QUIZ_CHOICES 5      /* wrong choices a line may give */

struct scn_quiz {
    int      kind;          /* enum scn_quiz_kind */
    char    *text, *text_zh;        /* the question (owned; zh may be NULL) */
    struct scn_match m;     /* QZ_FRAME */
    int      field;         /* QZ_FRAME: enum scn_quiz_field */
    int      host, state;   /* QZ_STATE: host index, enum tcp_state */
    int      nth;           /* 1-based */
    char    *wrong[SCN_QUIZ_CHOICES], *wrong_zh[SCN_QUIZ_CHOICES];   /* owned */
    int      nwrong;
    int      line, col;     /* where the line's `quiz` is, for messages */
    char    *src_text;      /* the answer as written, for messages (owned) */
};

struct scenario {
    char    *path;                  /* as given, for messages */
    char    *title;
    char   **describe;              /* narration lines shown before the run */
    int      ndescribe;
    /* the lesson's text in Chinese (`zh "..."` after a text): title_zh
     * and describe_zh[i] (NULL where a line has none), like each action's
     * text_zh; `zh` says which the run and its outputs show (scn_text) */
    char    *title_zh;
    char   **describe_zh;
    int      zh;
    uint64_t seed;                  /* `seed N`, default 1; --seed overrides */
    int      has_seed;
    struct scn_host   *hosts;   int nhosts;
    int64_t nifaces;                /* the hosts' LAN interfaces, all told */
    uint64_t text_bytes;            /* the lesson's own text as parsed: names,
                                       strings (sim_lesson_bytes) */
    struct scn_tcp_opts *tcps;  int ntcps;   /* what hosts[].tcp point at */
    struct scn_arena  *arena;   /* the hosts' names, newest block first */
    /* the actions' text, text_zh and path, each distinct text once */
    char **strs;                int nstrs;
    struct scn_link   *links;   int nlinks;
    struct scn_action *actions; int nactions;   /* sorted by time, stable */
    struct scn_fault  *faults;  int nfaults;
    struct scn_expect *expects; int nexpects;
    struct scn_chapter *chapters; int nchapters;  /* sorted by time, stable */
    /* issue 3 */
    struct scn_lan      *lans;      int nlans;
    struct scn_zone     *zones;     int nzones;
    struct scn_rr       *rrs;       int nrrs;
    struct scn_resolver *resolvers; int nresolvers;
    /* issue 13 */
    struct scn_quiz     *quizzes;   int nquizzes;
    /* issue 14 */
    struct scn_code     *code;      int ncode;
};

void scenario_free(struct scenario *s);
/* What one action or expectation owns (the element stays in its array). */
/* A text of the lesson in the language it was loaded for: zh when
 * scn->zh and the text has a Chinese variant, else en. */
const char *scn_text(const struct scenario *scn, const char *en, const char *zh);
void scn_action_clear(struct scn_action *a);
void scn_expect_clear(struct scn_expect *e);
void scn_quiz_clear(struct scn_quiz *q);

void scenario_tcp_defaults(struct scn_tcp_opts *o);
int  scenario_host_index(const struct scenario *s, const char *name);
/* Host h's program: its `code HOST` lines, or the shared ones when it has
 * none.  Returns how many lines it has; with out (room for s->ncode), the
 * indices into s->code of its lines, in order. */
int  scn_code_program(const struct scenario *s, int h, int *out);
/* Every program at once, in O(code lines + hosts): the lines of host h's
 * own `code HOST` lines (h >= 0), or of the shared ones (h = -1), are
 * idx[at[h + 1]] .. idx[at[h + 2] - 1], in order; at has s->nhosts + 2
 * entries, idx s->ncode.  Host h runs its own program when it has one,
 * else the shared one: scn_code_program's rule. */
void scn_code_programs(const struct scenario *s, int *at, int *idx);

/* Does a TCP/UDP frame from host src to host dst match m? */
int scn_match_frame(const struct scn_match *m, int src, int dst, int proto,
                    uint8_t tcp_flags, size_t payload_len);

#endif
