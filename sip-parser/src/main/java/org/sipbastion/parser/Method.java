package org.sipbastion.parser;

import java.nio.charset.StandardCharsets;

/** SIP request methods the gateway tells apart; any other token is {@link #EXTENSION}. */
public enum Method {
    INVITE, ACK, BYE, CANCEL, REGISTER, OPTIONS, INFO, PRACK, UPDATE, SUBSCRIBE, NOTIFY, MESSAGE, REFER,
    PUBLISH,
    /** A syntactically valid method this enum does not name; compare its bytes where it matters. */
    EXTENSION;

    private static final Method[] KNOWN = {
        INVITE, ACK, BYE, CANCEL, REGISTER, OPTIONS, INFO, PRACK, UPDATE, SUBSCRIBE, NOTIFY, MESSAGE, REFER, PUBLISH
    };
    private static final byte[][] NAMES = new byte[KNOWN.length][];

    static {
        for (int i = 0; i < KNOWN.length; i++) {
            NAMES[i] = KNOWN[i].name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private byte[] bytes;

    /** The method name as it goes on the wire (null for {@link #EXTENSION}). */
    public byte[] wireName() {
        if (this == EXTENSION) {
            return null;
        }
        if (bytes == null) {
            bytes = name().getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }

    /** Methods are case-sensitive (RFC 3261 section 7.1): "invite" is an extension method. */
    static Method lookup(SipMessage m, int start, int len) {
        for (int i = 0; i < KNOWN.length; i++) {
            byte[] n = NAMES[i];
            if (n.length == len && m.regionEquals(start, n, false)) {
                return KNOWN[i];
            }
        }
        return EXTENSION;
    }
}
