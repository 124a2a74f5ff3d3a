package org.sipbastion.parser;


/**
 * Header names the parser indexes, with their compact forms (RFC 3261 section 7.3.3 and later RFCs).
 * Names compare case-insensitively; anything else is {@link #OTHER} and stays unparsed.
 */
public enum HeaderName {
    VIA("Via", 'v'),
    FROM("From", 'f'),
    TO("To", 't'),
    CALL_ID("Call-ID", 'i'),
    CSEQ("CSeq", (char) 0),
    MAX_FORWARDS("Max-Forwards", (char) 0),
    CONTENT_LENGTH("Content-Length", 'l'),
    CONTENT_TYPE("Content-Type", 'c'),
    CONTENT_ENCODING("Content-Encoding", 'e'),
    ROUTE("Route", (char) 0),
    RECORD_ROUTE("Record-Route", (char) 0),
    CONTACT("Contact", 'm'),
    USER_AGENT("User-Agent", (char) 0),
    SERVER("Server", (char) 0),
    DATE("Date", (char) 0),
    EXPIRES("Expires", (char) 0),
    REQUIRE("Require", (char) 0),
    PROXY_REQUIRE("Proxy-Require", (char) 0),
    SUPPORTED("Supported", 'k'),
    SUBJECT("Subject", 's'),
    ACCEPT("Accept", (char) 0),
    ALLOW("Allow", (char) 0),
    EVENT("Event", 'o'),
    ALLOW_EVENTS("Allow-Events", 'u'),
    REFER_TO("Refer-To", 'r'),
    REFERRED_BY("Referred-By", 'b'),
    SESSION_EXPIRES("Session-Expires", 'x'),
    PATH("Path", (char) 0),
    AUTHORIZATION("Authorization", (char) 0),
    PROXY_AUTHORIZATION("Proxy-Authorization", (char) 0),
    WWW_AUTHENTICATE("WWW-Authenticate", (char) 0),
    PROXY_AUTHENTICATE("Proxy-Authenticate", (char) 0),
    OTHER("", (char) 0);

    public static final int COUNT = values().length;

    private static final HeaderName[] BY_COMPACT = new HeaderName[128];
    private static final HeaderName[][] BY_LENGTH = new HeaderName[32][];

    static {
        for (HeaderName h : values()) {
            if (h.compact != 0) {
                BY_COMPACT[h.compact] = h;
                BY_COMPACT[Character.toUpperCase(h.compact)] = h;
            }
            if (h != OTHER) {
                int n = h.token.lower.length;
                HeaderName[] old = BY_LENGTH[n] == null ? new HeaderName[0] : BY_LENGTH[n];
                HeaderName[] grown = java.util.Arrays.copyOf(old, old.length + 1);
                grown[old.length] = h;
                BY_LENGTH[n] = grown;
            }
        }
    }

    private final String canonical;
    private final char compact;
    private final TokenName token;

    HeaderName(String canonical, char compact) {
        this.canonical = canonical;
        this.compact = compact;
        this.token = new TokenName(canonical);
    }

    /** The name as RFC 3261 spells it. */
    public String canonical() {
        return canonical;
    }

    static HeaderName lookup(SipMessage m, int start, int len) {
        if (len == 1) {
            int c = m.byteAt(start) & 0xFF;
            HeaderName h = c < 128 ? BY_COMPACT[c] : null;
            return h == null ? OTHER : h;
        }
        HeaderName[] candidates = len < BY_LENGTH.length ? BY_LENGTH[len] : null;
        if (candidates != null) {
            for (HeaderName h : candidates) {
                if (h.token.matches(m, start, len)) {
                    return h;
                }
            }
        }
        return OTHER;
    }
}
