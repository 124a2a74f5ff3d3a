package org.sipbastion.gateway.capture;

import java.util.Set;

/**
 * Which captured payloads are SIP. A capture also holds RTP, STUN, DNS..., and judging those as
 * malformed SIP would be noise: a payload is SIP when its first line reads like a SIP start line,
 * or when it goes to or comes from a SIP port (so that garbage sent to a SIP server still counts,
 * as malformed). CRLF-only payloads are keep-alives (RFC 5626), counted apart.
 */
final class SipSniffer {
    private static final byte[] VERSION = "SIP/2.0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int FIRST_LINE_MAX = 1024;

    private final Set<Integer> sipPorts;

    SipSniffer(Set<Integer> sipPorts) {
        this.sipPorts = Set.copyOf(sipPorts);
    }

    boolean sipPort(Segment s) {
        return sipPorts.contains(s.source().getPort()) || sipPorts.contains(s.destination().getPort());
    }

    static boolean keepAlive(byte[] d, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (d[i] != '\r' && d[i] != '\n') {
                return false;
            }
        }
        return true;
    }

    /** A start line: "SIP/2.0 " first (a response), or "METHOD SP URI SP SIP/2.0" (a request). */
    static boolean looksLikeSip(byte[] d, int off, int len) {
        int p = off;
        int end = off + len;
        while (p < end && (d[p] == '\r' || d[p] == '\n')) {
            p++;
        }
        if (startsWith(d, p, end, VERSION) && p + VERSION.length < end && d[p + VERSION.length] == ' ') {
            return true;
        }
        int limit = Math.min(end, p + FIRST_LINE_MAX);
        int method = p;
        while (method < limit && d[method] >= 'A' && d[method] <= 'Z') {
            method++;
        }
        if (method == p || method >= limit || d[method] != ' ') {
            return false;
        }
        for (int i = method + 1; i < limit; i++) {
            if (d[i] == '\r' || d[i] == '\n') {
                return i - VERSION.length > method && startsWith(d, i - VERSION.length, end, VERSION)
                    && d[i - VERSION.length - 1] == ' ';
            }
        }
        return false;
    }

    private static boolean startsWith(byte[] d, int p, int end, byte[] prefix) {
        if (p + prefix.length > end) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (d[p + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
