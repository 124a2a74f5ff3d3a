package org.sipbastion.perf;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.text.ParseException;

/** How the benchmark drives the NIST JAIN-SIP parser, shared with the tests. */
public final class JainSip {
    /**
     * StringMsgParser silently drops a header whose parse fails when no listener is given (the
     * message then just lacks it). This listener rethrows, so a message that is not entirely valid
     * makes {@link #parse} throw, like a non-OK {@code Reason} on our side.
     */
    public static final ParseExceptionListener RETHROW = (ex, message, headerClass, headerText, messageText) -> {
        throw ex;
    };

    /** readBody: the body is copied into the message, as a proxy needs it to forward. */
    public static final boolean READ_BODY = true;
    /** strict: Content-Length is checked against the body. */
    public static final boolean STRICT = true;

    private JainSip() {
    }

    /** Parses a whole datagram; throws rather than return null or a message missing a header. */
    public static SIPMessage parse(StringMsgParser parser, byte[] bytes) throws ParseException {
        SIPMessage m = parser.parseSIPMessage(bytes, READ_BODY, STRICT, RETHROW);
        if (m == null) {
            throw new ParseException("JAIN-SIP returned no message", 0);
        }
        return m;
    }
}
