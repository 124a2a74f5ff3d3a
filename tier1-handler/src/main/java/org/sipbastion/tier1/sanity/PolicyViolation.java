package org.sipbastion.tier1.sanity;

/**
 * Why a syntactically valid message must not pass the edge, with the response a request gets
 * (0: dropped without an answer, as for responses, ACKs and anything that could be a reflection).
 */
public enum PolicyViolation {
    NONE(0, null),
    /**
     * Octets after the body that Content-Length announces, in a datagram. RFC 3261 says ignore them
     * (RFC 4475 3.1.1.8); an edge refuses them, as Kamailio does, because a proxy that frames
     * differently would see another message than the one we checked.
     */
    TRAILING_OCTETS(400, "Content-Length Mismatch"),
    /**
     * A folded header line. Valid RFC 3261 syntax that no current user agent sends, and Kamailio's
     * own parser gets wrong (a folded CSeq): passing it on hands the proxies a parser differential.
     */
    FOLDED_HEADER(400, "Folded Header Not Accepted"),
    /** A header name outside letters, digits, '-', '_' and '.': legal tokens, but only tools send them. */
    UNUSUAL_HEADER_NAME(400, "Unusual Header Name"),
    /** Authorization or Proxy-Authorization with a scheme other than Digest or Bearer (RFC 8898). */
    UNSUPPORTED_AUTH_SCHEME(400, "Unsupported Authorization Scheme"),
    /** Via, From, To, Call-ID or CSeq missing (RFC 3261 section 8.1.1). */
    MISSING_MANDATORY_HEADER(400, "Missing Mandatory Header"),
    /** From, To, Call-ID, CSeq, Max-Forwards or Content-Length given twice (RFC 4475 3.3.8, 3.3.9). */
    DUPLICATE_SINGLE_VALUE_HEADER(400, "Duplicate Header"),
    /** A Via branch that is only the magic cookie: no transaction id (RFC 4475 3.2.1). */
    EMPTY_BRANCH(400, "Empty Branch"),
    /** Expires that is not delta-seconds (Kamailio sanity checks this too). */
    BAD_EXPIRES(400, "Bad Expires"),
    /** Request-URI scheme we do not route: only sip, sips and tel pass (RFC 4475 3.3.2, 3.3.3). */
    UNSUPPORTED_URI_SCHEME(416, "Unsupported URI Scheme"),
    /** Proxy-Require names an extension: the edge supports none (RFC 3261 section 16.3 step 5). */
    BAD_EXTENSION(420, "Bad Extension"),
    /** Max-Forwards 0 on a request we would forward (RFC 3261 section 16.3 step 3). */
    TOO_MANY_HOPS(483, "Too Many Hops"),
    /** A Via that would send a response to a broadcast or multicast address (RFC 4475 3.3.10). */
    BROADCAST_VIA(0, null);

    private final int status;
    private final String reasonPhrase;

    PolicyViolation(int status, String reasonPhrase) {
        this.status = status;
        this.reasonPhrase = reasonPhrase;
    }

    /** Status code to answer a request with, or 0 to drop silently. */
    public int status() {
        return status;
    }

    public String reasonPhrase() {
        return reasonPhrase;
    }
}
