package org.sipbastion.tier1.sanity;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * The policy half of input validation: the parser says whether a message is SIP; this says whether
 * the edge lets it in. It is at least as strict as Kamailio's {@code sanity} module with its
 * defaults (shown by a test that runs the same corpus through a real Kamailio), and stricter where
 * an edge should be (duplicate single-value headers, broadcast Vias, empty branches).
 *
 * <p>Left to the user agents on purpose: unknown Content-Type (415), unknown Authorization scheme
 * (401) and Accept without SDP (406) are answers a UAS gives, and an edge that made them would
 * break legitimate extensions.
 */
public final class SanityPolicy {
    private static final byte[] SIP = "sip".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIPS = "sips".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEL = "tel".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGEST = "Digest".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BEARER = "Bearer".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC_COOKIE = "z9hG4bK".getBytes(StandardCharsets.US_ASCII);
    private static final HeaderName[] MANDATORY = {
        HeaderName.VIA, HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ
    };
    private static final HeaderName[] SINGLE_VALUE = {
        HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ, HeaderName.MAX_FORWARDS,
        HeaderName.CONTENT_LENGTH
    };

    /** Headers whose parsing decides where a message goes or which transaction it is. */
    private static final Set<HeaderName> ROUTING_HEADERS = routingHeaders();

    private static Set<HeaderName> routingHeaders() {
        Set<HeaderName> s = EnumSet.of(HeaderName.VIA);
        s.addAll(java.util.List.of(SINGLE_VALUE));
        return s;
    }

    /** The first violation found, or {@link PolicyViolation#NONE}. The message must have parsed OK. */
    public PolicyViolation check(SipMessage m) {
        for (HeaderName h : MANDATORY) {
            if (m.count(h) == 0) {
                return PolicyViolation.MISSING_MANDATORY_HEADER;
            }
        }
        for (HeaderName h : SINGLE_VALUE) {
            if (m.count(h) > 1) {
                return PolicyViolation.DUPLICATE_SINGLE_VALUE_HEADER;
            }
        }
        if (m.trailingOctets() > 0) {
            return PolicyViolation.TRAILING_OCTETS;
        }
        if (m.foldedLines() > 0 && foldedRoutingHeader(m)) {
            return PolicyViolation.FOLDED_HEADER;
        }
        for (int h = 0; h < m.headerCount(); h++) {
            if (!plainName(m, m.headerNameRange(h))) {
                return PolicyViolation.UNUSUAL_HEADER_NAME;
            }
        }
        for (int i = 0; i < 2; i++) {
            Via v = m.via(i);
            if (v == null) {
                break;
            }
            if (Range.length(v.branch()) == MAGIC_COOKIE.length && m.contentEquals(v.branch(), MAGIC_COOKIE, true)) {
                return PolicyViolation.EMPTY_BRANCH;
            }
            if (broadcastOrMulticast(m, v.host()) || broadcastOrMulticast(m, v.received()) || broadcastOrMulticast(m, v.maddr())) {
                return PolicyViolation.BROADCAST_VIA;
            }
        }
        int expires = m.first(HeaderName.EXPIRES);
        if (expires >= 0 && m.number(m.headerValue(expires)) < 0) {
            return PolicyViolation.BAD_EXPIRES;
        }
        if (!m.isRequest()) {
            return PolicyViolation.NONE;
        }
        if (!knownAuthScheme(m, m.first(HeaderName.AUTHORIZATION))
            || !knownAuthScheme(m, m.first(HeaderName.PROXY_AUTHORIZATION))) {
            return PolicyViolation.UNSUPPORTED_AUTH_SCHEME;
        }
        if (!routableScheme(m, m.requestUri())) {
            return PolicyViolation.UNSUPPORTED_URI_SCHEME;
        }
        if (m.count(HeaderName.PROXY_REQUIRE) > 0 && m.method() != Method.ACK && m.method() != Method.CANCEL) {
            return PolicyViolation.BAD_EXTENSION;
        }
        if (m.maxForwards() == 0) {
            return PolicyViolation.TOO_MANY_HOPS;
        }
        return PolicyViolation.NONE;
    }

    /** A folded line in a header that decides routing or transaction matching (Via and the single-value ones). */
    private static boolean foldedRoutingHeader(SipMessage m) {
        for (int h = 0; h < m.headerCount(); h++) {
            HeaderName name = m.headerName(h);
            if (!ROUTING_HEADERS.contains(name)) {
                continue;
            }
            long line = m.headerLine(h);
            // The line ends with its own LF; any LF before that one is a continuation.
            if (m.buffer().indexOf(Range.start(line), Range.end(line) - 1, (byte) '\n') >= 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean plainName(SipMessage m, long name) {
        for (int i = Range.start(name); i < Range.end(name); i++) {
            byte b = m.buffer().getByte(i);
            boolean ok = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean knownAuthScheme(SipMessage m, int header) {
        if (header < 0) {
            return true;
        }
        long v = m.headerValue(header);
        int s = Range.start(v);
        int e = s;
        while (e < Range.end(v) && m.buffer().getByte(e) != ' ' && m.buffer().getByte(e) != '\t') {
            e++;
        }
        long scheme = Range.between(s, e);
        return m.contentEquals(scheme, DIGEST, true) || m.contentEquals(scheme, BEARER, true);
    }

    private static boolean routableScheme(SipMessage m, long uri) {
        int s = Range.start(uri);
        int e = Range.end(uri);
        int colon = s;
        while (colon < e && m.buffer().getByte(colon) != ':') {
            colon++;
        }
        long scheme = Range.between(s, colon);
        return m.contentEquals(scheme, SIP, true) || m.contentEquals(scheme, SIPS, true) || m.contentEquals(scheme, TEL, true);
    }

    /** 255.255.255.255, 0.0.0.0, 224.0.0.0/4 and IPv6 multicast (ff00::/8) as text in a Via. */
    static boolean broadcastOrMulticast(SipMessage m, long host) {
        if (!Range.present(host) || Range.length(host) == 0) {
            return false;
        }
        int s = Range.start(host);
        int e = Range.end(host);
        byte first = m.buffer().getByte(s);
        if (first == '[') {
            s++;
            first = m.buffer().getByte(s);
        }
        if ((first | 0x20) == 'f' && e - s > 2 && (m.buffer().getByte(s + 1) | 0x20) == 'f') {
            return true;
        }
        int octet = 0;
        int octets = 0;
        int firstOctet = -1;
        boolean allOnes = true;
        boolean allZero = true;
        for (int i = s; i <= e; i++) {
            byte b = i < e ? m.buffer().getByte(i) : (byte) '.';
            if (b == '.') {
                if (octets == 0) {
                    firstOctet = octet;
                }
                allOnes &= octet == 255;
                allZero &= octet == 0;
                octets++;
                octet = 0;
            } else if (b >= '0' && b <= '9') {
                octet = octet * 10 + (b - '0');
                if (octet > 255) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return octets == 4 && (allOnes || allZero || (firstOctet >= 224 && firstOctet <= 239));
    }
}
