package org.sipbastion.parser;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes a response to a parsed request (RFC 3261 section 8.2.6.2): the Via lines, From, To (with
 * a tag added when the request had none), Call-ID and CSeq are copied byte for byte; the caller
 * adds its own headers between {@link #begin} and {@link #end}.
 */
public final class ResponseWriter {
    private static final byte[] SIP_2_0 = "SIP/2.0 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAG = ";tag=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};

    private ResponseWriter() {
    }

    /**
     * Writes the status line and the copied headers. {@code toTag} is added to To when the request
     * had no tag (null: leave To as it is, e.g. for 100 Trying).
     */
    public static void begin(SipMessage req, int status, String reason, byte[] toTag, ByteBuf out) {
        begin(req, status, reason, toTag, false, out);
    }

    /**
     * As {@link #begin(SipMessage, int, String, byte[], ByteBuf)}; {@code recordRoute} also copies
     * the Record-Route lines, as a UAS must in a 1xx/2xx that creates a dialog (section 12.1.1).
     */
    public static void begin(SipMessage req, int status, String reason, byte[] toTag, boolean recordRoute, ByteBuf out) {
        out.writeBytes(SIP_2_0);
        ProxyRewrites.writeInt(out, status);
        out.writeByte(' ');
        out.writeCharSequence(reason, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
        ByteBuf src = req.buffer();
        for (int h = 0; h < req.headerCount(); h++) {
            HeaderName name = req.headerName(h);
            switch (name) {
                case VIA, FROM, CALL_ID, CSEQ -> copyLine(req, h, src, out);
                case RECORD_ROUTE -> {
                    if (recordRoute) {
                        copyLine(req, h, src, out);
                    }
                }
                case TO -> {
                    if (toTag != null && !Range.present(req.toTag()) && h == req.first(HeaderName.TO)) {
                        long value = req.headerValue(h);
                        long line = req.headerLine(h);
                        out.writeBytes(src, Range.start(line), Range.end(value) - Range.start(line));
                        out.writeBytes(TAG).writeBytes(toTag).writeBytes(CRLF);
                    } else {
                        copyLine(req, h, src, out);
                    }
                }
                default -> {
                }
            }
        }
    }

    private static void copyLine(SipMessage req, int h, ByteBuf src, ByteBuf out) {
        long line = req.headerLine(h);
        out.writeBytes(src, Range.start(line), Range.length(line));
    }

    /**
     * Writes {@code digits} hex digits of {@code hash} into {@code out} at {@code off}: a To tag
     * derived from the request, so a retransmission gets the same tag without any state.
     */
    public static void hexTag(long hash, byte[] out, int off, int digits) {
        for (int i = 0; i < digits; i++) {
            out[off + i] = HEX[(int) (hash >>> (i * 4)) & 15];
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Writes one header line. */
    public static void header(ByteBuf out, String name, String value) {
        out.writeCharSequence(name, StandardCharsets.US_ASCII);
        out.writeByte(':').writeByte(' ');
        out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    /** Writes a header whose value is copied from one of the request's (e.g. Proxy-Require into Unsupported). */
    public static void header(ByteBuf out, String name, SipMessage req, int header) {
        long v = req.headerValue(header);
        out.writeCharSequence(name, StandardCharsets.US_ASCII);
        out.writeByte(':').writeByte(' ');
        out.writeBytes(req.buffer(), Range.start(v), Range.length(v));
        out.writeBytes(CRLF);
    }

    /** Ends the headers with Content-Length and writes the body (may be null). */
    public static void end(ByteBuf out, byte[] body) {
        out.writeBytes(CONTENT_LENGTH);
        ProxyRewrites.writeInt(out, body == null ? 0 : body.length);
        out.writeBytes(CRLF).writeBytes(CRLF);
        if (body != null) {
            out.writeBytes(body);
        }
    }
}
