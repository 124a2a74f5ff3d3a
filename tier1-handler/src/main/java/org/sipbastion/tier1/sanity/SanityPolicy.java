package org.sipbastion.tier1.sanity;

import java.nio.charset.StandardCharsets;
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
    private static final byte[] MAGIC_COOKIE = "z9hG4bK".getBytes(StandardCharsets.US_ASCII);
    private static final HeaderName[] MANDATORY = {
        HeaderName.VIA, HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ
    };
    private static final HeaderName[] SINGLE_VALUE = {
        HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ, HeaderName.MAX_FORWARDS,
        HeaderName.CONTENT_LENGTH
    };

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
        if (expires >= 0 && !allDigits(m, m.headerValue(expires))) {
            return PolicyViolation.BAD_EXPIRES;
        }
        if (!m.isRequest()) {
            return PolicyViolation.NONE;
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

    private static boolean allDigits(SipMessage m, long value) {
        int n = Range.length(value);
        if (n == 0 || n > 10) {
            return false;
        }
        for (int i = Range.start(value); i < Range.end(value); i++) {
            byte b = m.buffer().getByte(i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
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
