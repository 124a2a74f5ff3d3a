#!/usr/bin/env python3
"""Checks that every packet of a capture written by record.sh is one complete, well-formed SIP message.

Reads a classic pcap (Ethernet or Linux "cooked" link type, IPv4, UDP; no fragments), and for each
UDP payload checks: a request line "METHOD URI SIP/2.0" or a status line "SIP/2.0 NNN Reason"; header
lines "Name: value" ended by an empty line (CRLF CRLF); Via, From, To, Call-ID and CSeq present
(full or compact names); the CSeq method equal to the request method (ACK and CANCEL included);
a Content-Length equal to the length of the body that follows the headers.

Prints the packet count, the byte size and the message kinds ("INVITE", "SIP/2.0 486 Busy Here", ...).
With --expect KIND[,KIND...] every kind must be one of those; with --min/--max the packet count must
lie in that range; with --max-bytes the file must not be bigger. Exit status 1 when a check fails.

Usage: check.py FILE.pcap [--expect KINDS] [--min N] [--max N] [--max-bytes N] [--quiet]
"""
import argparse
import collections
import os
import re
import struct
import sys

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "l": "content-length", "m": "contact",
           "c": "content-type", "e": "content-encoding", "k": "supported", "s": "subject"}
REQUEST_RE = re.compile(r"^([A-Z]+) (\S+) SIP/2\.0$")
STATUS_RE = re.compile(r"^SIP/2\.0 ([1-6]\d\d) (.+)$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+$")


def udp_payloads(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("not a pcap file (too short)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError("not a classic pcap file (magic %s)" % magic.hex())
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    n = 0
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("truncated record header at byte %d" % off)
        _, _, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        if incl != orig:
            raise ValueError("frame %d truncated by the snap length (%d of %d bytes)" % (n, incl, orig))
        if linktype == 1:  # Ethernet
            if struct.unpack("!H", frame[12:14])[0] != 0x0800:
                raise ValueError("frame %d is not IPv4" % n)
            ip = frame[14:]
        elif linktype == 113:  # Linux cooked
            ip = frame[16:]
        elif linktype == 101:  # raw IP
            ip = frame
        else:
            raise ValueError("unsupported link type %d" % linktype)
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        flags_frag = struct.unpack("!H", ip[6:8])[0]
        if ip[9] != 17:
            raise ValueError("frame %d is not UDP" % n)
        if flags_frag & 0x3FFF:
            raise ValueError("frame %d is an IP fragment" % n)
        udp = ip[ihl:total]
        ulen = struct.unpack("!H", udp[4:6])[0]
        yield n, udp[8:ulen]


def check_message(payload):
    """Returns (kind, None) or (kind or None, error text)."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8"
    end = text.find("\r\n\r\n")
    if end < 0:
        return None, "no empty line (CRLF CRLF) after the headers"
    lines = text[:end].split("\r\n")
    body = payload[len(text[:end + 4].encode("utf-8")):]
    start = lines[0]
    m = REQUEST_RE.match(start)
    if m:
        kind, method = m.group(1), m.group(1)
    else:
        m = STATUS_RE.match(start)
        if not m:
            return None, "bad start line %r" % start[:80]
        kind, method = start, None
    headers = collections.defaultdict(list)
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            if not headers:
                return kind, "folded line before any header"
            continue
        if ":" not in line:
            return kind, "header line without colon %r" % line[:80]
        name = line.split(":", 1)[0].strip()
        if not TOKEN_RE.match(name):
            return kind, "bad header name %r" % name[:80]
        value = line.split(":", 1)[1].strip()
        key = name.lower()
        headers[COMPACT.get(key, key) if len(key) == 1 else key].append(value)
    for need in ("via", "from", "to", "call-id", "cseq"):
        if not headers.get(need):
            return kind, "no %s header" % need
    cseq = headers["cseq"][0].split()
    if len(cseq) != 2 or not cseq[0].isdigit():
        return kind, "bad CSeq %r" % headers["cseq"][0]
    if method is not None and cseq[1] != method:
        return kind, "CSeq method %s differs from request method %s" % (cseq[1], method)
    if not headers.get("content-length"):
        return kind, "no Content-Length"
    if headers["content-length"][0] != str(len(body)):
        return kind, "Content-Length %s but body has %d bytes" % (headers["content-length"][0], len(body))
    return kind, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pcap")
    ap.add_argument("--expect", help="comma-separated list of the allowed message kinds")
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--max", type=int)
    ap.add_argument("--max-bytes", type=int)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    kinds = collections.Counter()
    errors = []
    count = 0
    try:
        for n, payload in udp_payloads(args.pcap):
            count += 1
            kind, error = check_message(payload)
            if error:
                errors.append("frame %d: %s" % (n, error))
            else:
                kinds[kind] += 1
    except ValueError as e:
        errors.append(str(e))
    size = os.path.getsize(args.pcap)
    if args.expect:
        allowed = set(args.expect.split(","))
        for kind in kinds:
            if kind not in allowed:
                errors.append("unexpected message kind %r (%d)" % (kind, kinds[kind]))
        for kind in allowed:
            if kind not in kinds:
                errors.append("no message of kind %r" % kind)
    if count < args.min:
        errors.append("%d packets, fewer than %d" % (count, args.min))
    if args.max is not None and count > args.max:
        errors.append("%d packets, more than %d" % (count, args.max))
    if args.max_bytes is not None and size > args.max_bytes:
        errors.append("%d bytes, more than %d" % (size, args.max_bytes))
    if not args.quiet:
        print("%s: %d packets, %d bytes; %s" % (os.path.basename(args.pcap), count, size,
              ", ".join("%s %d" % (k, v) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))))
    for e in errors[:20]:
        print("  ERROR " + e, file=sys.stderr)
    if len(errors) > 20:
        print("  ... and %d more errors" % (len(errors) - 20), file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
