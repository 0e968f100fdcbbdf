#!/usr/bin/env python3
"""Writes small captures, good and hostile, for the --read tests.

    python3 tests/hostile_pcaps.py DIR

Each file is built here from its fields (no binary blobs in the tree); the
shell tests (tests/run_shell_tests.sh) read each with --read and check that
it is either drawn or refused with a message that says where, and never
crashes or hangs.  Names say what each one is.
"""
import os
import struct
import sys

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
IP_A = bytes([192, 0, 2, 10])
IP_B = bytes([192, 0, 2, 80])


def csum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(proto, payload, src=IP_A, dst=IP_B, ihl=5, total=None, opts=b""):
    tot = 20 + len(opts) + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot & 0xFFFF, 1, 0x4000, 64,
                    proto, 0, src, dst) + opts
    c = csum(h[: max(20, ihl * 4)] if ihl >= 5 else h[:20])
    h = h[:10] + struct.pack("!H", c) + h[12:]
    return h + payload


def tcp(sport, dport, seq, ack, flags, opts=b"", data=b"", doff=None, win=65535,
        src=IP_A, dst=IP_B):
    d = (20 + len(opts)) // 4 if doff is None else doff
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, d << 4, flags, win, 0, 0)
    seg = h + opts + data
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(sport, dport, data, src=IP_A, dst=IP_B):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(seg))
    c = csum(pseudo + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def eth(payload, etype=0x0800, dst=MAC_B, src=MAC_A):
    f = dst + src + struct.pack("!H", etype) + payload
    return f + b"\0" * max(0, 60 - len(f))


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def tcp_frame(a_to_b, seq, ack, flags, opts=b"", data=b"", doff=None, win=65535):
    if a_to_b:
        seg = tcp(40000, 80, seq, ack, flags, opts, data, doff, win, IP_A, IP_B)
        return eth(ipv4(6, seg, IP_A, IP_B), dst=MAC_B, src=MAC_A)
    seg = tcp(80, 40000, seq, ack, flags, opts, data, doff, win, IP_B, IP_A)
    return eth(ipv4(6, seg, IP_B, IP_A), dst=MAC_A, src=MAC_B)


MSS = b"\x02\x04\x05\xb4"


def handshake():
    """A SYN, SYN,ACK, ACK: client 192.0.2.10:40000, ISS 1000; server
    192.0.2.80:80, ISS 5000."""
    return [tcp_frame(True, 1000, 0, SYN, MSS),
            tcp_frame(False, 5000, 1001, SYN | ACK, MSS),
            tcp_frame(True, 1001, 5001, ACK)]


def pcap(frames, magic=0xA1B2C3D4, endian="<", linktype=1, snaplen=65535,
         recs=None):
    """frames: byte strings (one record each), or recs: (incl, orig, bytes)."""
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    nano = magic == 0xA1B23C4D
    if recs is None:
        recs = [(len(f), len(f), f) for f in frames]
    for i, (incl, orig, data) in enumerate(recs):
        frac = i * 10000 * (1000 if nano else 1)
        out += struct.pack(endian + "IIII", 1700000000, frac, incl, orig) + data
    return out


def pcapng(frames, linktype=1, tsresol=None):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    opts = b""
    if tsresol is not None:
        opts = struct.pack("<HH", 9, 1) + bytes([tsresol]) + b"\0\0\0" + b"\0" * 4
    idb = block(1, struct.pack("<HHI", linktype, 0, 65535) + opts)
    out = shb + idb
    for i, f in enumerate(frames):
        ts = 1700000000000000 + i * 10000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF,
                                    len(f), len(f)) + f)
    return out


def dns_frame(msg):
    return eth(ipv4(17, udp(53, 40001, msg, IP_B, IP_A), IP_B, IP_A),
               dst=MAC_A, src=MAC_B)


def files():
    hs = handshake()
    good = hs + [tcp_frame(True, 1001, 5001, PSH | ACK, data=b"hello"),
                 tcp_frame(False, 5001, 1006, ACK)]
    f = {}
    # the file formats
    f["empty.pcap"] = b""
    f["short-header.pcap"] = pcap(good)[:10]
    f["good-le-usec.pcap"] = pcap(good)
    f["good-be-usec.pcap"] = pcap(good, endian=">")
    f["good-le-nsec.pcap"] = pcap(good, magic=0xA1B23C4D)
    f["good-be-nsec.pcap"] = pcap(good, magic=0xA1B23C4D, endian=">")
    f["good.pcapng"] = pcapng(good)
    f["good-tsresol-ns.pcapng"] = pcapng(good, tsresol=9)
    f["tsresol-huge.pcapng"] = pcapng(good, tsresol=127)
    f["tsresol-pow2-huge.pcapng"] = pcapng(good, tsresol=0x80 | 63)
    f["not-a-capture.pcap"] = b"hello, this is not a capture file at all\n" * 3
    f["record-header-cut.pcap"] = pcap(good) + b"\x01\x02\x03\x04\x05"
    f["record-data-cut.pcap"] = pcap(good)[:-7]
    f["caplen-huge.pcap"] = pcap(None, recs=[(len(g), len(g), g) for g in hs] +
                                 [(0xFFFFFFFF, 0xFFFFFFFF, good[3])])
    f["caplen-over-len.pcap"] = pcap(None, recs=[(len(g), len(g) - 10, g) for g in good])
    f["frame-zero-bytes.pcap"] = pcap(None, recs=[(0, 0, b"")] +
                                      [(len(g), len(g), g) for g in good])
    f["only-zero-byte-frames.pcap"] = pcap(None, recs=[(0, 0, b""), (0, 60, b"")])
    f["linktype-80211.pcap"] = pcap(good, linktype=105)
    f["linktype-user0.pcapng"] = pcapng(good, linktype=147)
    f["snaplen-40.pcap"] = pcap(None, recs=[(min(40, len(g)), len(g), g[:40]) for g in good])
    f["snaplen-54.pcap"] = pcap(None, recs=[(min(54, len(g)), len(g), g[:54]) for g in good])
    f["snaplen-58.pcap"] = pcap(None, recs=[(min(58, len(g)), len(g), g[:58]) for g in good])
    # pcapng blocks that lie about their length
    ng = pcapng(good)
    f["pcapng-block-len-small.pcapng"] = ng[:28 + 4] + struct.pack("<I", 8) + ng[28 + 8:]
    f["pcapng-block-len-huge.pcapng"] = ng[:28 + 4] + struct.pack("<I", 0x7FFFFFF0) + ng[28 + 8:]
    f["pcapng-block-len-odd.pcapng"] = ng[:28 + 4] + struct.pack("<I", 29) + ng[28 + 8:]
    f["pcapng-cut.pcapng"] = ng[:-9]
    # IPv4 that lies
    ip_ihl4 = eth(ipv4(6, tcp(40000, 80, 1000, 0, SYN, MSS), ihl=4))
    ip_ihl0 = eth(ipv4(6, tcp(40000, 80, 1000, 0, SYN, MSS), ihl=0))
    ip_ihl15 = eth(ipv4(6, tcp(40000, 80, 1000, 0, SYN, MSS), ihl=15))
    ip_total_long = eth(ipv4(6, tcp(40000, 80, 1000, 0, SYN, MSS), total=1400))
    ip_total_short = eth(ipv4(6, tcp(40000, 80, 1000, 0, SYN, MSS), total=30))
    for name, bad in (("ip-ihl-4", ip_ihl4), ("ip-ihl-0", ip_ihl0),
                      ("ip-ihl-15", ip_ihl15), ("ip-total-past-frame", ip_total_long),
                      ("ip-total-short", ip_total_short)):
        f[name + ".pcap"] = pcap([bad] + good)
    # TCP headers that lie
    f["tcp-doff-0.pcap"] = pcap(good + [tcp_frame(True, 1006, 5001, ACK, doff=0)])
    f["tcp-doff-4.pcap"] = pcap(good + [tcp_frame(True, 1006, 5001, ACK, doff=4)])
    f["tcp-doff-15.pcap"] = pcap(good + [tcp_frame(True, 1006, 5001, ACK, doff=15)])
    # TCP options cut short: the header ends inside an option
    f["tcp-opt-mss-len-past-header.pcap"] = pcap(
        hs + [tcp_frame(True, 1001, 5001, PSH | ACK, b"\x01\x01\x02\x08", b"hello"),
              tcp_frame(False, 5001, 1006, ACK)])
    f["tcp-fin-opt-past-header.pcap"] = pcap(
        hs + [tcp_frame(True, 1001, 5001, FIN | ACK, b"\x01\x01\x02\x08"),
              tcp_frame(False, 5001, 1002, ACK),
              tcp_frame(False, 5001, 1002, FIN | ACK),
              tcp_frame(True, 1002, 5002, ACK)])
    f["tcp-opt-no-length-byte.pcap"] = pcap(
        hs + [tcp_frame(True, 1001, 5001, PSH | ACK, b"\x01\x01\x01\x03", b"hello"),
              tcp_frame(False, 5001, 1006, ACK)])
    f["tcp-opt-len-0.pcap"] = pcap(
        hs + [tcp_frame(True, 1001, 5001, PSH | ACK, b"\x08\x00\x00\x00", b"hello"),
              tcp_frame(False, 5001, 1006, ACK)])
    f["tcp-opt-len-1.pcap"] = pcap(
        hs + [tcp_frame(True, 1001, 5001, PSH | ACK, b"\x08\x01\x00\x00", b"hello"),
              tcp_frame(False, 5001, 1006, ACK)])
    f["tcp-opt-mss-wrong-len.pcap"] = pcap(
        [tcp_frame(True, 1000, 0, SYN, b"\x02\x03\x05\x00")] + hs[1:])
    f["tcp-syn-opt-cut.pcap"] = pcap(
        [tcp_frame(True, 1000, 0, SYN, b"\x01\x01\x02\x04")] + hs[1:])
    # DNS messages with compression pointers that loop
    hdr = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0)
    q = b"\x03www\x07example\x03com\x00" + struct.pack("!HH", 1, 1)
    loop_self = hdr + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    loop_two = hdr + q + b"\xc0\x23" + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"
    fwd = hdr + b"\xc0\x40" + struct.pack("!HH", 1, 1)
    ptr_past = hdr + q + b"\xc0\xff" + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"
    long_label = hdr + b"\x3f" + b"a" * 10
    f["dns-pointer-self.pcap"] = pcap([dns_frame(loop_self)] + good)
    f["dns-pointer-loop.pcap"] = pcap([dns_frame(loop_two)] + good)
    f["dns-pointer-forward.pcap"] = pcap([dns_frame(fwd)] + good)
    f["dns-pointer-past-end.pcap"] = pcap([dns_frame(ptr_past)] + good)
    f["dns-label-past-end.pcap"] = pcap([dns_frame(long_label)] + good)
    f["dns-empty.pcap"] = pcap([dns_frame(b"")] + good)
    f["udp-empty.pcap"] = pcap([eth(ipv4(17, udp(40001, 9, b"")))] + good)
    # ARP that lies about its lengths
    arp_bad = struct.pack("!HHBBH", 1, 0x0800, 6, 200, 1) + MAC_A + IP_A
    f["arp-bad-plen.pcap"] = pcap([eth(arp_bad, 0x0806, dst=b"\xff" * 6)] + good)
    f["arp-cut.pcap"] = pcap([eth(b"\x00\x01\x08\x00", 0x0806)[:18]] + good)
    # other network protocols
    v6 = bytes.fromhex("6000000000083a40") + b"\0" * 15 + b"\1" + b"\0" * 15 + b"\1"
    f["ipv6.pcap"] = pcap([eth(v6 + b"\x80\0\0\0\0\0\0\0", 0x86DD)] + good)
    return f


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: hostile_pcaps.py DIR")
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(files().items()):
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    main()
