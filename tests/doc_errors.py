#!/usr/bin/env python3
"""doc_errors.py — scenarios/README.md's "Error messages" table against the
program.  Every message the table quotes has a case here: a lesson that
makes protosim print it.  The test fails when the table quotes a message no
case covers (a message the parser may no longer have), when a case's message
is not in the table, or when the program does not print it (exit 65).  In
the table, "..." stands for any text and "line N" for any line number.

    python3 tests/doc_errors.py ./protosim
"""
import os, re, subprocess, sys, tempfile

H = 'host client 192.0.2.10\nhost server 192.0.2.80\nlink client server\n'
AB = 'host a 192.0.2.1\nhost b 192.0.2.2\n'
L = 'lan office 192.0.2.0/24\n'
NS = 'host ns1 192.0.2.1\nzone ns1 example.com\n'
ULAN = 'lan l 192.0.2.0/24\nhost a 192.0.2.1 on l\nhost b 192.0.2.2 on l\n'

# (message as the table quotes it, the lesson that makes protosim print it)
CASES = [
    ('unknown keyword "conect"; expected one of: title, describe, seed, host, router, lan, link, tcp, zone, record, resolver, at, fault, expect, quiz, code, repeat', 'conect x\n' + H),
    ('expected a keyword (one of: ...), found a string', '"x"\n' + H),
    ('expected end of line, found "now"', H + 'at 0ms server listen 80 now\n'),
    ('unterminated string', H + 'title "abc\n'),
    ('unknown escape \\q in string; use \\n, \\r, \\t, \\\\, \\" or \\xHH', H + 'title "a\\qb"\n'),
    ('invalid escape in string: \\x needs two hex digits, like \\x0A', H + 'title "a\\xa"\n'),
    ('string is longer than 1 MiB', H + 'at 0ms client send "' + 'x' * (1 << 20) + 'x"\n'),
    ('unexpected NUL byte; expected text (a lesson is UTF-8 text: is this a binary file?)', H + '\x00\n'),
    ('unexpected NUL byte in a string; write \\x00 instead', H + 'title "a\x00"\n'),
    ('this text cannot contain \\x00', H + 'title "a\\x00"\n'),
    ('unknown keyword "\\uFEFFhost"', H + '\ufeffhost x 192.0.2.3\n'),
    ('expected the title in double quotes, ...', H + 'title x\n'),
    ('expected narration in double quotes, ...', H + 'describe x\n'),
    ('expected the note text in double quotes, ...', H + 'at 0ms note x\n'),
    ('the title is already set on line 1', 'title "a"\ntitle "b"\n' + H),
    ('the seed is already set on line 3', 'host a 192.0.2.1\n\nseed 1\nseed 2\n'),
    ('expected a host name, found "9lives"', 'host 9lives 192.0.2.1\n'),
    ('host name "..." is longer than 31 bytes of UTF-8', 'host ' + 'a' * 32 + ' 192.0.2.1\n'),
    ('"note" cannot be a host name: it is an action keyword', 'host note 192.0.2.1\n'),
    ('host "client" is already declared on line 1', 'host client 192.0.2.1\nhost client 192.0.2.2\n'),
    ('expected an IPv4 address like 192.0.2.10, found "192.0.2"', 'host client 192.0.2\n'),
    ('"0.0.0.0" cannot be a host\'s address', 'host a 0.0.0.0\n'),
    ('address "192.0.2.10" is already used by host "client" (line 1)', 'host client 192.0.2.10\nhost x 192.0.2.10\n'),
    ('unknown host "sever" (declared hosts: client, server)', H + 'at 0ms sever listen 80\n'),
    ('no hosts declared; a scenario needs at least one line like: host client 192.0.2.10', 'title "x"\n'),
    ('a link joins two different hosts, found "a" twice', 'host a 192.0.2.1\nlink a a\n'),
    ('a link between client and server already exists (line 3)', H + 'link client server\n'),
    ('unknown link option "latency"; expected one of: delay, jitter, loss, duplicate, reorder', AB + 'link a b latency 1ms\n'),
    ('link option "delay" is given twice', AB + 'link a b delay 1ms delay 2ms\n'),
    ('expected a duration like 20ms or 1.5s, found "20"', AB + 'link a b delay 20\n'),
    ('expected a time like 20ms or +1.5s, found "1.5"', H + 'at 1.5 note "x"\n'),
    ('a duration cannot be negative, found "-1ms"', AB + 'link a b delay -1ms\n'),
    ('duration "1.0000001s" is more precise than 1us', AB + 'link a b delay 1.0000001s\n'),
    ('duration "99999999999999999999s" is too large (at most 1000000s)', AB + 'link a b delay 99999999999999999999s\n'),
    ('time "+1000000s" is too large: it ends after 1000000s', H + 'at 1s note "a"\nat +1000000s note "b"\n'),
    ('expected a percentage like 10% or 0.5%, found "10"', AB + 'link a b loss 10\n'),
    ('a percentage must be from 0% to 100%, found "150%"', AB + 'link a b loss 150%\n'),
    ('percentage "0.00001%" has more than 4 decimals', AB + 'link a b loss 0.00001%\n'),
    ('expected a port number from 1 to 65535, found "http"', H + 'at 0ms server listen http\n'),
    ('unknown tcp option "window"; expected one of: isn, mss, rto, retries, msl, nagle, handshake, rcvbuf, tw-reopen, wscale, syncookies', H + 'tcp window 5\n'),
    ('expected a value for tcp mss (or a host name and a value), found end of line', H + 'tcp mss\n'),
    ('the initial RTO must be from 1ms to 10m, found "0ms"', H + 'tcp rto 0ms\n'),
    ('the MSL must be from 1ms to 10m, ...', H + 'tcp msl 0ms\n'),
    ('expected on or off, found "yes"', H + 'tcp nagle yes\n'),
    ('expected three-way or two-way, found "one-way"', H + 'tcp handshake one-way\n'),
    ('at most 16 ISNs per host', H + 'tcp isn client' + ' 1' * 17 + '\n'),
    ('tcp mss for host "client" is already set on line 4', H + 'tcp mss client 100\ntcp mss client 200\n'),
    ('tcp mss for all hosts is already set on line 3', 'host a 192.0.2.1\n\ntcp mss 100\ntcp mss 200\n'),
    ('expected a host name, note, chapter or inject, found end of line', H + 'at 0ms\n'),
    ('expected a line of source code in double quotes, like "int s = socket(AF_INET, SOCK_STREAM, 0);", found end of line', H + 'code\n'),
    ('expected a code line number after "line", found end of line', H + 'code client "x"\nat 0ms client socket line\n'),
    ('expected a code line number from 1 to 65535, found "four"', H + 'code client "x"\nat 0ms client socket line four\n'),
    ('expected a code line from 1 to 8 (the lines of host "client"\'s program), found 9', H + 'code client "x"\n' * 8 + 'at 0ms client socket line 9\n'),
    ('there is no code for host "client" to tie this call to; add lines like: code client "listen(s, 5);" (or code "..." for every host)', H + 'at 0ms client socket line 1\n'),
    ('expected the chapter\'s title in double quotes, found ...', H + 'at 0ms chapter x\n'),
    ('a chapter already starts at this time (line N); give each chapter its own time', H + 'at 0ms chapter "a"\nat 0ms chapter "b"\n'),
    ('unknown action "conect"; expected one of: listen, connect, send, recv, shutdown, close, abort, accept, udp, resolve, http, nginx, uwsgi, socket, bind', H + 'at 0ms client conect server 80\n'),
    ('nothing to send: the string is empty', H + 'at 0ms client send ""\n'),
    ('expected text in double quotes or N bytes after send, found "hello"', H + 'at 0ms client send hello\n'),
    ('expected "bytes" after the number, found end of line', H + 'at 0ms client send 100\n'),
    ('the scenario sends more than 64 MiB of generated bytes in total', H + 'at 0ms client send 16777216 bytes\n' * 4 + 'at 0ms client send 1 byte\n'),
    ('expected tcp (only TCP segments can be injected), found "udp"', H + 'at 0ms inject client->server udp\n'),
    ('expected TCP flags like SYN or SYN,ACK, found "SYNACK"', H + 'at 0ms inject client->server tcp SYNACK seq 1 sport 1 dport 2\n'),
    ('expected seq, ack, sport, dport, spoof, data or an explanation in quotes, found "port"', H + 'at 0ms inject client->server tcp SYN port 1\n'),
    ('expected the segment\'s data in double quotes after data, like: data "hello", found "5"', H + 'at 0ms inject client->server tcp ACK seq 1 sport 1 dport 80 data 5\n'),
    ('an injected segment holds at most 1460 bytes of data (one 1500-byte IP packet; the simulator does not fragment), found 2000', H + 'at 0ms inject client->server tcp ACK seq 1 sport 1 dport 80 data "' + 'x' * 2000 + '"\n'),
    ('"seq" is given twice', H + 'at 0ms inject client->server tcp SYN seq 1 seq 2\n'),
    ('expected "sport N" in the inject action, found end of line', H + 'at 0ms inject client->server tcp SYN seq 1 dport 2\n'),
    ('expected SRC->DST like client->server, found "->server"', H + 'fault drop ->server tcp #1\n'),
    ('expected "->" after "client" (write SRC->DST like client->server), found "server"', H + 'fault drop client server tcp #1\n'),
    ('expected a destination host after "->", found end of line', H + 'fault drop client->\n'),
    ('source and destination are the same host "client"', H + 'fault drop client->client tcp #1\n'),
    ('expected a protocol (tcp, udp or any), found "icmp"', H + 'fault drop client->server icmp #1\n'),
    ('TCP flags only apply to tcp patterns, found "SYN" after udp', H + 'fault drop client->server udp SYN #1\n'),
    ('expected TCP flags like SYN or SYN,ACK (or any, or data), found "SYNACK"', H + 'fault drop client->server tcp SYNACK #1\n'),
    ('unknown fault "lose"; expected one of: drop, delay, duplicate', H + 'fault lose client->server tcp #1\n'),
    ('expected a frame number like #1 (the Nth matching frame), found "1"', H + 'fault drop client->server tcp 1\n'),
    ('expected "by" and a duration, like: by 5s, found end of line', H + 'fault delay client->server tcp #1\n'),
    ('"by DURATION" only applies to fault delay', H + 'fault drop client->server tcp #1 by 5s\n'),
    ('expected a host name or SRC->DST after expect, found end of line', H + 'expect\n'),
    ('unknown expectation "reached"; expected one of: state, states, never, received, arp, resolved, messages, datagrams, reads, queries, timer, listen, connect, send, recv, shutdown, close, abort, accept (or ...)', H + 'expect client reached\n'),
    ('expected "count N" or the frames to check (#N, every or some) after the frame pattern, found "first"', H + 'expect client->server tcp SYN first\n'),
    ('expected a field to check (seq, ack, len, window or flags), found end of line', H + 'expect client->server tcp #1\n'),
    ('"rcode" is not a field of tcp frames; expected seq, ack, len, window or flags', H + 'expect client->server tcp #1 rcode NOERROR\n'),
    ('expected an RCODE (NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP or REFUSED), found "nxdomain"', H + 'expect client->server dns #1 rcode nxdomain\n'),
    ('expected a protocol (tcp, udp, any, arp or dns), found "icmp"', H + 'expect client->server icmp count 1\n'),
    ('expected the states in order, like: states LISTEN SYN_RECEIVED ESTABLISHED, found end of line', H + 'expect client states\n'),
    ('expected "port N" after on, found "80"', H + 'expect client states CLOSED on 80\n'),
    ('expected a timer (one of: RTO, TIME_WAIT, PERSIST, ARP, DNS), found "RETRANSMIT"', H + 'expect client timer RETRANSMIT started\n'),
    ('expected started, restarted, stopped or expired, found "fired"', H + 'expect client timer RTO fired\n'),
    ('unknown error "refused"; expected one of: "connection already exists", ...', H + 'expect client connect error "refused"\n'),
    ('expected succeeded or error "TEXT" after the call, found "worked"', H + 'expect client connect worked\n'),
    ('unknown TCP state "ESTABLISH"; expected one of: CLOSED, LISTEN, ...', H + 'expect client state ESTABLISH by 1s\n'),
    ('expected "by TIME" or "at TIME" after the state, found "after"', H + 'expect client state ESTABLISHED after 1s\n'),
    ('expected the received text in double quotes, found "hello"', H + 'expect client received hello\n'),
    ('expected a network like 192.0.2.0/24, found "192.0.2.0"', 'lan a 192.0.2.0\nhost x 192.0.2.1 on a\n'),
    ('expected a prefix length from 0 to 32 after "/", found "33"', 'lan a 192.0.2.0/33\nhost x 192.0.2.1 on a\n'),
    ('"192.0.2.1/24" has host bits set; the network is 192.0.2.0/24', 'host x 192.0.2.1\nlan x 192.0.2.1/24\n'),
    ('LAN "b" (192.0.2.0/25) overlaps LAN "a" (192.0.2.0/24, line 3)', 'host x 192.0.2.1 on a\n\nlan a 192.0.2.0/24\nlan b 192.0.2.0/25\n'),
    ('LAN "office" is already declared on line 2', 'host x 192.0.2.1 on office\nlan office 192.0.2.0/24\nlan office 198.51.100.0/24\n'),
    ('expected a LAN name, found "9lan"', 'lan 9lan 192.0.2.0/24\nhost x 192.0.2.1\n'),
    ('"on" cannot be a LAN name: it is a keyword', 'lan on 192.0.2.0/24\nhost x 192.0.2.1\n'),
    ('unknown LAN option "latency"; expected one of: delay, jitter, loss, duplicate, reorder', 'lan office 192.0.2.0/24 latency 1ms\nhost x 192.0.2.1 on office\n'),
    ('LAN option "delay" is given twice', 'lan office 192.0.2.0/24 delay 1ms delay 2ms\nhost x 192.0.2.1 on office\n'),
    ('unknown LAN "ofice" (declared LANs: office, dc)', 'lan office 192.0.2.0/24\nlan dc 203.0.113.0/24\nhost x 192.0.2.1 on ofice\n'),
    ('address "203.0.113.5" is outside LAN "office" (192.0.2.0/24)', L + 'host x 203.0.113.5 on office\n'),
    ('address "192.0.2.0" is the network address of LAN "office" (192.0.2.0/24)', L + 'host x 192.0.2.0 on office\n'),
    ('... the broadcast address of ...', L + 'host x 192.0.2.255 on office\n'),
    ('unknown host option "via"; expected one of: on, gateway, dns', L + 'host x 192.0.2.5 via office\n'),
    ('host option "dns" is given twice', L + 'host x 192.0.2.5 dns 192.0.2.1 dns 192.0.2.2\n'),
    ('host option "on" is given twice (a host on several LANs is a router)', L + 'lan b 198.51.100.0/24\nhost x 192.0.2.5 on office on b\n'),
    ('expected a LAN name after "on", found end of line', L + 'host x 192.0.2.5 on\n'),
    ('"0.0.0.0" cannot be a gateway\'s address', L + 'host x 192.0.2.5 on office gateway 0.0.0.0\n'),
    ('a DNS server\'s address', L + 'host x 192.0.2.5 on office dns 0.0.0.0\n'),
    ('a router\'s address', L + 'lan dc 203.0.113.0/24\nrouter gw 0.0.0.0 on office 203.0.113.1 on dc\n'),
    ('a root server\'s address', 'host r 192.0.2.1\nresolver r hints 0.0.0.0\n'),
    ('gateway "203.0.113.1" is not on any LAN of host "laptop" (office: 192.0.2.0/24)', L + 'host laptop 192.0.2.5 on office gateway 203.0.113.1\n'),
    ('gateway "192.0.2.1" is not on any LAN of host "laptop", which has no "on LAN"', 'host laptop 192.0.2.5 gateway 192.0.2.1\n'),
    ('host "laptop" cannot be its own gateway', L + 'host laptop 192.0.2.5 on office gateway 192.0.2.5\n'),
    ('expected another interface like 198.51.100.1 on LAN (a router joins at least two LANs), found end of line', L + 'router gw 192.0.2.1 on office\n'),
    ('a router has at most 4 interfaces', ''.join('lan %s 10.0.%d.0/24\n' % (n, i) for i, n in enumerate('abcde')) + 'router gw 10.0.0.1 on a 10.0.1.1 on b 10.0.2.1 on c 10.0.3.1 on d 10.0.4.1 on e\n'),
    ('expected "on LAN" after the address, found "office"', L + 'lan dc 203.0.113.0/24\nrouter gw 192.0.2.1 office 203.0.113.1 on dc\n'),
    ('router "gw" already has an interface on LAN "office"', L + 'router gw 192.0.2.1 on office 192.0.2.2 on office\n'),
    ('address "192.0.2.1" is already an interface of router "gw"', L + 'lan dc 203.0.113.0/24\nrouter gw 192.0.2.1 on office 192.0.2.1 on dc\n'),
    ('expected a zone apex like example.com, or . for the root, found "a..b": empty label (two dots in a row, or a leading dot)', H + 'zone server a..b\n'),
    ('host "tld" already serves zone "com" (line 4)', 'host tld 192.0.2.1\n\n\nzone tld com\nzone tld com\n'),
    ('host "ns1" has no zone line; add one like: zone ns1 example.com', 'host ns1 192.0.2.1\nrecord ns1 www.example.com. 300 IN A 192.0.2.5\n'),
    ('record "www.example.org" is outside the zones host "ns1" serves (example.com)', NS + 'record ns1 www.example.org 300 IN A 192.0.2.5\n'),
    ('bad record: an A record needs one IPv4 address', NS + 'record ns1 www.example.com 300 IN A\n'),
    ('expected a TTL in seconds (0 to 4294967295) after the name', NS + 'record ns1 www.example.com IN A 192.0.2.5\n'),
    ('expected a record type: A, NS, CNAME or SOA', NS + 'record ns1 www.example.com 300 IN MX 10 mail.example.com\n'),
    ('SOA needs MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM', NS + 'record ns1 example.com 300 SOA ns1.example.com.\n'),
    ('NS and CNAME need one domain name', NS + 'record ns1 www.example.com 300 CNAME a.example.com b.example.com\n'),
    ('expected a record like: www.example.com. 300 IN A 203.0.113.80, found end of line', NS + 'record ns1\n'),
    ('expected "hints" and the root servers\' addresses, like: hints 198.51.100.1, found "root"', 'host r 192.0.2.1\nresolver r root\n'),
    ('at most 8 hints per resolver', 'host r 192.0.2.1\nresolver r hints' + ''.join(' 192.0.2.%d' % i for i in range(10, 19)) + '\n'),
    ('host "resolver" is already a resolver (line 9)', 'host resolver 192.0.2.1\n' + '\n' * 7 + 'resolver resolver hints 192.0.2.9\nresolver resolver hints 192.0.2.9\n'),
    ('unknown udp action "bond"; expected one of: bind, send, recv', H + 'at 0ms client udp bond 5\n'),
    ('unknown http action "fetch"; expected one of: serve, get', H + 'at 0ms client http fetch x\n'),
    ('a UDP datagram holds at most 1472 bytes (the simulator does not fragment IP packets), found 2000', H + 'at 0ms client udp send server 5 2000 bytes\n'),
    ('a host cannot send to itself in the simulator', H + 'at 0ms client udp send client 5 "x"\n'),
    ('(192.0.2.1 is a\'s own address)', ULAN + 'at 0ms a udp send 192.0.2.1 5 "x"\n'),
    ('address "192.0.2.255" is the broadcast address of LAN "l" (192.0.2.0/24): the simulator sends a datagram to one host\'s address, never to a broadcast', ULAN + 'at 0ms a udp send 192.0.2.255 5 "x"\n'),
    ('255.255.255.255 is the broadcast to everyone on the LAN: ...', ULAN + 'at 0ms a udp send 255.255.255.255 5 "x"\n'),
    ('address "192.0.2.0" is the network address of LAN "l" (192.0.2.0/24), which names no host', ULAN + 'at 0ms a udp send 192.0.2.0 5 "x"\n'),
    ('0.0.0.0 names no host (RFC 1122 3.2.1.3: only a source may be 0.0.0.0); send to a host\'s address', ULAN + 'at 0ms a udp send 0.0.0.0 5 "x"\n'),
    ('expected a path starting with "/", like /index.html, found "index.html"', H + 'at 0ms client http get www.example.com index.html\n'),
    ('a path holds at most 128 characters', H + 'at 0ms client http get www.example.com /' + 'a' * 128 + '\n'),
    ('a path holds printable ASCII only (write other bytes as %XX)', H + 'at 0ms client http get www.example.com /caf\u00e9\n'),
    ('expected "port N" or end of line, found "/b"', H + 'at 0ms client http get www.example.com /a /b\n'),
    ('"port" is given twice', H + 'at 0ms client http get www.example.com port 80 port 81\n'),
    ('expected a domain name like www.example.com, found "."', H + 'at 0ms client resolve .\n'),
    ('unknown ARP state "DONE"; expected one of: NONE, INCOMPLETE, REACHABLE, STALE, DELAY, PROBE, FAILED', ULAN + 'expect a arp 192.0.2.2 DONE by 1s\n'),
    ('expected an IPv4 address, NXDOMAIN, SERVFAIL or FAILED after the name, found "maybe"', H + 'expect client resolved www.example.com maybe\n'),
    ('expected the messages in double quotes, like: messages "one" "two", found end of line', H + 'expect client messages\n'),
    ('division by zero in {...} (in repeat iteration i=0)', H + 'repeat 2 as i\n  at {1 / i}ms note "x"\nend\n'),
    ('this repeat has no "end" (the file ends first)', H + 'repeat 2 as i\n'),
    ('"end" without a repeat', H + 'end\n'),
    ('repeat 20000000 times 1 line would expand to more than 10000000 lines', H + 'repeat 20000000 as i: at 0ms note "x"\n'),
    ('repeat 1100 times at least 1048593 bytes would expand to more than 1000000000 bytes of text', H + 'repeat 1100 as i\n  at {i}ms note "' + 'x' * (1 << 20) + '"\nend\n'),
    ('too many errors; stopping after 20', H + 'tcp window 5\n' * 21),
]


def table_messages(readme):
    """The backquoted texts of the first column of the table under
    "## Error messages"."""
    sec = readme.split('\n## Error messages', 1)[1].split('\n## ', 1)[0]
    out = []
    for row in sec.split('\n'):
        if row.startswith('| `'):
            out += re.findall(r'`([^`]+)`', row.split(' | ', 1)[0][2:])
    return out


def pattern(msg):
    """The table's text as a regex: "..." any text ("{...}" is literal),
    "line N" any line."""
    parts = re.split(r'(\{\.\.\.\}|\.\.\.|line N\b)', msg)
    rx = ''
    for p in parts:
        rx += {'{...}': re.escape('{...}'), '...': '.*', 'line N': r'line \d+'}.get(p, re.escape(p))
    return re.compile(rx)


def main():
    prog = sys.argv[1] if len(sys.argv) > 1 else './protosim'
    here = os.path.dirname(os.path.abspath(__file__))
    readme = open(os.path.join(here, '..', 'scenarios', 'README.md'), encoding='utf-8').read()
    quoted = table_messages(readme)
    cased = [m for m, _ in CASES]
    bad = 0
    for m in quoted:
        if m not in cased:
            bad += 1
            print('doc-errors: the table quotes a message no case here prints: ' + m)
    for m in cased:
        if m not in quoted:
            bad += 1
            print('doc-errors: a case\'s message is not in the table: ' + m)
    env = dict(os.environ, LANGUAGE='', LC_ALL='C.UTF-8')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'lesson.scn')
        for m, src in CASES:
            with open(path, 'w', encoding='utf-8', newline='') as f:
                f.write(src)
            r = subprocess.run([prog, '--check', path], capture_output=True, env=env)
            err = r.stderr.decode('utf-8', 'replace')
            if r.returncode != 65 or not pattern(m).search(err):
                bad += 1
                print('doc-errors: wanted exit 65 and "%s"; got exit %d:\n    %s'
                      % (m, r.returncode, err.strip().replace('\n', '\n    ')[:600]))
    print('doc-errors: %d messages, %d problems' % (len(CASES), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
