package org.sipbastion.gateway.forward;

import java.nio.charset.StandardCharsets;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.MessageEditor;
import org.sipbastion.parser.SipMessage;

/**
 * The headers a trust domain asserts about a caller (RFC 3325 section 5; RFC 3455, RFC 7315; RFC 5502
 * P-Served-User; the older Remote-Party-ID): a proxy believes them because they came from inside. The edge removes them
 * from requests of untrusted clients, who could otherwise choose the identity the network shows.
 * P-Preferred-Identity stays: it is the client's own wish, which the proxy checks.
 */
public final class TrustHeaders {
    private static final byte[][] NAMES = {
        bytes("P-Asserted-Identity"), bytes("Remote-Party-ID"), bytes("P-Asserted-Service"),
        bytes("P-Charging-Vector"), bytes("P-Charging-Function-Addresses"), bytes("P-Served-User"),
        bytes("P-Visited-Network-ID"),
    };
    /** More than this many is not a message any client sends: the rest stay, and the caller refuses it. */
    public static final int MAX = 8;

    private TrustHeaders() {
    }

    /**
     * Deletes every such header line of {@code m} through {@code editor}; returns how many, or -1
     * when there are more than {@link #MAX} (nothing is deleted then).
     */
    public static int strip(SipMessage m, MessageEditor editor) {
        int found = 0;
        for (int h = 0; h < m.headerCount(); h++) {
            if (m.headerName(h) == HeaderName.OTHER && named(m, h)) {
                found++;
            }
        }
        if (found == 0 || found > MAX) {
            return found > MAX ? -1 : 0;
        }
        for (int h = 0; h < m.headerCount(); h++) {
            if (m.headerName(h) == HeaderName.OTHER && named(m, h)) {
                long line = m.headerLine(h);
                editor.delete(org.sipbastion.parser.Range.start(line), org.sipbastion.parser.Range.length(line));
            }
        }
        return found;
    }

    private static boolean named(SipMessage m, int h) {
        for (byte[] n : NAMES) {
            if (m.contentEquals(m.headerNameRange(h), n, true)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
