package org.sipbastion.perf.detection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * One kind of message (say, a 486 to an INVITE) as one byte buffer and one parsed flyweight. The
 * per-call fields have a fixed width, so a call's values are written over the previous call's in
 * place and the bytes parsed again: millions of simulated messages cost a parse each and allocate
 * nothing, and the stage still reads real parser output, not hand-made values.
 *
 * <p>The text marks each field with a run of one letter as wide as the field; a kind without a field
 * (an initial INVITE has no To tag) simply lacks its run.
 */
final class MessageTemplate {
    private static final String CALL_ID = "QQQQQQQQQQQQQQQQ";
    private static final String FROM_TAG = "XXXXXXXX";
    private static final String TO_TAG = "YYYYYYYY";
    private static final String BRANCH = "ZZZZZZZZZZZZZZZZ";
    private static final String CSEQ = "CSeq: ";
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final byte[] bytes;
    private final ByteBuf buffer;
    private final SipMessage message = new SipMessage();
    private final int callId;
    private final int fromTag;
    private final int toTag;
    private final int branch;
    private final int cseq;
    private final int kind;

    private MessageTemplate(String text, int kind) {
        this.bytes = text.getBytes(StandardCharsets.US_ASCII);
        this.buffer = Unpooled.wrappedBuffer(bytes);
        this.callId = field(text, CALL_ID);
        this.fromTag = field(text, FROM_TAG);
        this.toTag = field(text, TO_TAG);
        this.branch = field(text, BRANCH);
        // CSeq numbers stay below 10 in every simulated flow: one digit.
        this.cseq = text.indexOf(CSEQ) + CSEQ.length();
        this.kind = kind;
    }

    /** A request from the caller; {@code dialog} when it is sent inside the dialog (has a To tag). */
    static MessageTemplate request(String method, boolean dialog, int kind) {
        return new MessageTemplate(method + " sip:bob@biloxi.example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK" + BRANCH + ";rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: Alice <sip:alice@atlanta.example.com>;tag=" + FROM_TAG + "\r\n"
            + "To: Bob <sip:bob@biloxi.example.com>" + (dialog ? ";tag=" + TO_TAG : "") + "\r\n"
            + "Call-ID: " + CALL_ID + "@atlanta.example.com\r\n"
            + CSEQ + "1 " + method + "\r\n"
            + "Contact: <sip:alice@client.atlanta.example.com:5060>\r\n"
            + "Content-Length: 0\r\n\r\n", kind);
    }

    /** A final response to the caller's {@code method} request, with the callee's To tag. */
    static MessageTemplate response(int code, String phrase, String method, int kind) {
        return new MessageTemplate("SIP/2.0 " + code + " " + phrase + "\r\n"
            + "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK" + BRANCH
            + ";rport=5060;received=192.0.2.101\r\n"
            + "From: Alice <sip:alice@atlanta.example.com>;tag=" + FROM_TAG + "\r\n"
            + "To: Bob <sip:bob@biloxi.example.com>;tag=" + TO_TAG + "\r\n"
            + "Call-ID: " + CALL_ID + "@atlanta.example.com\r\n"
            + CSEQ + "1 " + method + "\r\n"
            + "Content-Length: 0\r\n\r\n", kind);
    }

    /**
     * This kind of message of call {@code call} with CSeq {@code cseqNumber}, parsed. The tags and the
     * branch are functions of the call, so every message of one call agrees on them without the
     * simulation storing them. The result is valid until this template is filled again.
     */
    SipMessage fill(long call, int cseqNumber) {
        if (cseqNumber < 1 || cseqNumber > 9) {
            throw new IllegalArgumentException("one-digit CSeq numbers only, not " + cseqNumber);
        }
        hex(callId, call, 16);
        hex(fromTag, Fingerprints.mix(call, 1), 8);
        hex(toTag, Fingerprints.mix(call, 2), 8);
        hex(branch, Fingerprints.mix(call, cseqNumber << 8 | kind), 16);
        bytes[cseq] = (byte) ('0' + cseqNumber);
        Reason r = message.parse(buffer);
        if (r != Reason.OK) {
            throw new IllegalStateException(r + ":\n" + new String(bytes, StandardCharsets.US_ASCII));
        }
        return message;
    }

    private void hex(int at, long value, int digits) {
        if (at < 0) {
            return;
        }
        for (int i = digits - 1; i >= 0; i--) {
            bytes[at + i] = HEX[(int) value & 0xF];
            value >>>= 4;
        }
    }

    private static int field(String text, String marker) {
        int at = text.indexOf(marker);
        if (at >= 0 && text.indexOf(marker, at + 1) >= 0) {
            throw new IllegalArgumentException("marker " + marker + " twice in a template");
        }
        return at;
    }
}
