package org.sipbastion.parser;

/**
 * Why a message is not syntactically valid SIP (RFC 3261 section 25). Each value is a typed
 * rejection: the gateway counts drops by it and {@code bastion lint} prints it.
 *
 * <p>Policy questions (should an edge let a well-formed message in: missing mandatory header,
 * Max-Forwards 0, unknown URI scheme, ...) are not here: they belong to tier 1.
 */
public enum Reason {
    /** The message is syntactically valid. */
    OK,
    MESSAGE_TOO_LARGE,
    TOO_MANY_HEADERS,
    LINE_TOO_LONG,
    EMPTY_MESSAGE,
    /** No empty line ends the header section. */
    MISSING_HEADER_END,
    BAD_START_LINE,
    BAD_METHOD,
    BAD_REQUEST_URI,
    BAD_VERSION,
    BAD_STATUS_CODE,
    BAD_REASON_PHRASE,
    /** A header line without a colon, a bad header name or a continuation with nothing to continue. */
    BAD_HEADER_LINE,
    BAD_CONTENT_LENGTH,
    /** Content-Length promises more octets than the datagram or frame holds. */
    CONTENT_LENGTH_EXCEEDS_MESSAGE,
    BAD_CSEQ,
    CSEQ_OVERFLOW,
    CSEQ_METHOD_MISMATCH,
    BAD_CALL_ID,
    BAD_VIA,
    BAD_MAX_FORWARDS,
    /** A From, To, Contact, Route or Record-Route value that is not a valid name-addr or addr-spec. */
    BAD_NAME_ADDR,
    BAD_URI,
    BAD_ESCAPE,
    UNTERMINATED_QUOTE,
    BAD_PARAMETER,
    BAD_DATE;

    public boolean ok() {
        return this == OK;
    }
}
