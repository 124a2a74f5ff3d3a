package org.sipbastion.parser;

import io.netty.buffer.ByteBuf;

/**
 * Cuts a TCP or TLS byte stream into SIP messages by Content-Length (RFC 3261 section 18.3).
 * CRLF keep-alives between messages (RFC 5626 section 3.5.1) are skipped and counted.
 *
 * <p>One instance per connection. It remembers how far it has searched for the end of the headers,
 * so a peer that trickles bytes costs linear, not quadratic, work; and it gives up with a typed
 * reason as soon as a limit is passed instead of buffering without bound.
 */
public final class StreamFramer {
    /** {@link #next} found a complete message at {@link #frameStart()} of {@link #frameLength()} bytes. */
    public static final int FRAME = 1;
    /** More bytes are needed; nothing was consumed. */
    public static final int NEED_MORE = 0;
    /** The stream is broken ({@link #reason()}); the connection should be closed. */
    public static final int ERROR = -1;

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Limits limits;
    private int searched;
    private int frameStart;
    private int frameLength;
    private long keepAlives;
    private Reason reason = Reason.OK;

    public StreamFramer(Limits limits) {
        this.limits = limits;
    }

    /**
     * Looks for the next message in the readable bytes of {@code in}. Leading CRLFs are consumed
     * (the reader index moves past them); a found frame is not: the caller reads it and then skips
     * {@link #frameLength()} bytes.
     */
    public int next(ByteBuf in) {
        int p = in.readerIndex();
        int w = in.writerIndex();
        while (p < w && (in.getByte(p) == '\r' || in.getByte(p) == '\n')) {
            p++;
        }
        if (p > in.readerIndex()) {
            keepAlives++;
            in.readerIndex(p);
            searched = 0;
        }
        int from = p + Math.max(0, searched - 3);
        int limit = Math.min(w, p + limits.maxMessageBytes());
        int headerEnd = -1;
        int lineStart = from;
        for (int i = from; i < limit; i++) {
            if (in.getByte(i) != '\n') {
                continue;
            }
            if (i - lineStart > limits.maxLineBytes()) {
                return fail(Reason.LINE_TOO_LONG);
            }
            lineStart = i + 1;
            if (i + 1 < w && in.getByte(i + 1) == '\n') {
                headerEnd = i + 2;
                break;
            }
            if (i + 2 < w && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                headerEnd = i + 3;
                break;
            }
        }
        if (headerEnd < 0) {
            if (w - p >= limits.maxMessageBytes()) {
                return fail(Reason.MESSAGE_TOO_LARGE);
            }
            if (limit - lineStart > limits.maxLineBytes()) {
                return fail(Reason.LINE_TOO_LONG);
            }
            searched = limit - p;
            return NEED_MORE;
        }
        long cl = contentLength(in, p, headerEnd);
        if (cl < 0) {
            return fail(Reason.BAD_CONTENT_LENGTH);
        }
        long total = headerEnd - p + cl;
        if (total > limits.maxMessageBytes()) {
            return fail(Reason.MESSAGE_TOO_LARGE);
        }
        if (w - p < total) {
            searched = headerEnd - p;
            return NEED_MORE;
        }
        frameStart = p;
        frameLength = (int) total;
        searched = 0;
        return FRAME;
    }

    /** Value of the first Content-Length (or "l") header in [p, e), or -1 when absent or malformed. */
    private static long contentLength(ByteBuf in, int p, int e) {
        int line = p;
        while (line < e) {
            int lf = in.indexOf(line, e, (byte) '\n');
            if (lf < 0) {
                return -1;
            }
            int nameEnd = line;
            while (nameEnd < lf && CharClass.is(in.getByte(nameEnd), CharClass.TOKEN)) {
                nameEnd++;
            }
            int c = nameEnd;
            while (c < lf && (in.getByte(c) == ' ' || in.getByte(c) == '\t')) {
                c++;
            }
            if (c < lf && in.getByte(c) == ':' && isContentLength(in, line, nameEnd)) {
                int d = c + 1;
                while (d < lf && (in.getByte(d) == ' ' || in.getByte(d) == '\t')) {
                    d++;
                }
                long v = 0;
                int digits = 0;
                while (d < lf && in.getByte(d) >= '0' && in.getByte(d) <= '9' && digits < 10) {
                    v = v * 10 + (in.getByte(d++) - '0');
                    digits++;
                }
                while (d < lf && (in.getByte(d) == ' ' || in.getByte(d) == '\t' || in.getByte(d) == '\r')) {
                    d++;
                }
                return digits > 0 && d == lf ? v : -1;
            }
            line = lf + 1;
        }
        return -1;
    }

    private static boolean isContentLength(ByteBuf in, int s, int e) {
        if (e - s == 1) {
            return (in.getByte(s) | 0x20) == 'l';
        }
        if (e - s != CONTENT_LENGTH.length) {
            return false;
        }
        for (int i = 0; i < CONTENT_LENGTH.length; i++) {
            byte b = in.getByte(s + i);
            if ((b >= 'A' && b <= 'Z' ? b | 0x20 : b) != CONTENT_LENGTH[i]) {
                return false;
            }
        }
        return true;
    }

    private int fail(Reason r) {
        reason = r;
        return ERROR;
    }

    public int frameStart() {
        return frameStart;
    }

    public int frameLength() {
        return frameLength;
    }

    /** Runs of CRLF keep-alive bytes skipped so far on this connection. */
    public long keepAlives() {
        return keepAlives;
    }

    public Reason reason() {
        return reason;
    }
}
