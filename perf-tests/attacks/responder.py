#!/usr/bin/env python3
"""A tiny UDP SIP registrar-like stub, the target of the attack tools in record.sh.

It exists only so that the attack tools see the answers they need to keep going (svwar needs a 404
for unknown extensions and a 401 for known ones, svcrack needs a 401 challenge before each guess);
record.sh captures the tool -> responder direction only.

Answers (responses are sent back to the packet's source address and port, as with rport):
  OPTIONS                                    -> 200 OK
  REGISTER without Authorization             -> 401 Unauthorized + WWW-Authenticate: Digest (fresh nonce)
  REGISTER or INVITE with Authorization      -> 403 Forbidden
  INVITE without Authorization, user 100-199 -> 401 Unauthorized + WWW-Authenticate: Digest
  INVITE without Authorization, other user   -> 404 Not Found
  ACK                                        -> nothing (RFC 3261: ACK is never answered)
  a response (SIP/2.0 ...)                   -> nothing
  anything else                              -> 200 OK
Every response copies all Via headers, From, To, Call-ID and CSeq (RFC 3261 8.2.6.2) and adds a To
tag when the request had none. Full and compact header names (v, f, t, i) are both understood.

Usage: responder.py [--host 127.0.0.1] [--port 7060] [--ready-file PATH]
Stops on SIGTERM / SIGINT and prints a one-line summary of what it answered to stderr.
"""
import argparse
import collections
import os
import re
import secrets
import signal
import socket
import sys

REALM = "sipbastion.test"
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id"}
REASONS = {200: "OK", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
USER_RE = re.compile(r"^sips?:([^@;>]+)@", re.I)


def parse(data):
    """Returns (start line, [(lower-case full name, raw name, value)]) or None if it is not SIP."""
    text = data.decode("utf-8", "replace")
    head = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
    lines = re.split(r"\r?\n", head)
    if not lines or not lines[0].strip():
        return None
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # header folding
            name, raw, value = headers[-1]
            headers[-1] = (name, raw, value + " " + line.strip())
            continue
        if ":" not in line:
            continue
        raw, value = line.split(":", 1)
        raw = raw.strip()
        name = COMPACT.get(raw.lower(), raw.lower()) if len(raw) == 1 else raw.lower()
        headers.append((name, raw, value.strip()))
    return lines[0].strip(), headers


def values(headers, name):
    return [v for n, _, v in headers if n == name]


def respond(start, headers):
    """The response text for a request, or None when nothing must be sent."""
    if start.startswith("SIP/"):
        return None, "response"
    parts = start.split()
    if len(parts) != 3 or not parts[2].upper().startswith("SIP/"):
        return None, "garbage"
    method, uri = parts[0].upper(), parts[1]
    if method == "ACK":
        return None, "ACK"
    authorized = bool(values(headers, "authorization") or values(headers, "proxy-authorization"))
    challenge = False
    if method == "OPTIONS":
        code = 200
    elif method == "REGISTER":
        code = 403 if authorized else 401
        challenge = not authorized
    elif method == "INVITE":
        if authorized:
            code = 403
        else:
            m = USER_RE.match(uri) or USER_RE.match((values(headers, "to") or [""])[0].strip("<\" "))
            user = m.group(1) if m else ""
            if user.isdigit() and 100 <= int(user) <= 199:
                code, challenge = 401, True
            else:
                code = 404
    else:
        code = 200
    out = ["SIP/2.0 %d %s" % (code, REASONS[code])]
    for via in values(headers, "via"):
        out.append("Via: " + via)
    for frm in values(headers, "from")[:1]:
        out.append("From: " + frm)
    for to in values(headers, "to")[:1]:
        if not re.search(r";\s*tag=", to, re.I):
            to += ";tag=" + secrets.token_hex(6)
        out.append("To: " + to)
    for cid in values(headers, "call-id")[:1]:
        out.append("Call-ID: " + cid)
    for cseq in values(headers, "cseq")[:1]:
        out.append("CSeq: " + cseq)
    if challenge:
        out.append('WWW-Authenticate: Digest realm="%s", nonce="%s", algorithm=MD5'
                   % (REALM, secrets.token_hex(16)))
    out.append("Server: sipbastion-attack-responder")
    out.append("Content-Length: 0")
    return ("\r\n".join(out) + "\r\n\r\n").encode("utf-8"), "%s->%d" % (method, code)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7060)
    ap.add_argument("--ready-file", help="written once the socket is bound")
    args = ap.parse_args()
    if not args.host.startswith("127."):
        sys.exit("responder.py: refusing to listen on a non-loopback address")

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((args.host, args.port))
    counts = collections.Counter()

    def stop(*_):
        print("responder.py: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())), file=sys.stderr)
        sys.stderr.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("%s:%d\n" % (args.host, args.port))
    while True:
        data, peer = sock.recvfrom(65535)
        parsed = parse(data)
        if parsed is None:
            counts["garbage"] += 1
            continue
        reply, kind = respond(*parsed)
        counts[kind] += 1
        if reply is not None:
            try:
                sock.sendto(reply, peer)
            except OSError:
                counts["send-error"] += 1


if __name__ == "__main__":
    main()
