package org.sipbastion.parser;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The edits a proxy makes to a message it forwards (RFC 3261 section 16.6 and 16.7), expressed as
 * splices on a {@link MessageEditor} over a parsed {@link SipMessage}.
 */
public final class ProxyRewrites {
    private static final byte[] VIA = "Via: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD_ROUTE = "Record-Route: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAX_FORWARDS_70 = "Max-Forwards: 70\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECEIVED = ";received=".getBytes(StandardCharsets.US_ASCII);

    private ProxyRewrites() {
    }

    /** Starts a new top Via: write its value to the returned buffer, then call {@link #endHeader}. */
    public static ByteBuf beginVia(MessageEditor ed, SipMessage m) {
        return ed.begin(m.startLineEnd(), 0).writeBytes(VIA);
    }

    /** Starts a new top Record-Route: write its value, then call {@link #endHeader}. */
    public static ByteBuf beginRecordRoute(MessageEditor ed, SipMessage m) {
        return ed.begin(m.startLineEnd(), 0).writeBytes(RECORD_ROUTE);
    }

    public static void endHeader(MessageEditor ed) {
        ed.out().writeByte('\r').writeByte('\n');
        ed.end();
    }

    /**
     * Removes the top Via value (ours, on a response): the whole line when it is the only value on
     * it, else the value and the comma after it. Returns false when there is no Via.
     */
    public static boolean popVia(MessageEditor ed, SipMessage m) {
        Via top = m.via(0);
        if (top == null) {
            return false;
        }
        removeListValue(ed, m, top.header(), top.start(), top.next());
        return true;
    }

    /** Removes the first Route value (our own, on an in-dialog request that loose-routes through us). */
    public static boolean popRoute(MessageEditor ed, SipMessage m) {
        if (m.routeCount() == 0) {
            return false;
        }
        removeListValue(ed, m, m.firstRouteHeader(), Range.start(m.firstRouteValue()), m.firstRouteNext());
        return true;
    }

    private static void removeListValue(MessageEditor ed, SipMessage m, int header, int valueStart, int next) {
        if (next < 0) {
            long line = m.headerLine(header);
            ed.delete(Range.start(line), Range.length(line));
        } else {
            ed.delete(valueStart, next - valueStart);
        }
    }

    /**
     * Max-Forwards is decremented, or added with 70 when absent (section 16.6 step 3). The caller
     * has already answered 483 to a value of zero.
     */
    public static void decrementMaxForwards(MessageEditor ed, SipMessage m) {
        int mf = m.maxForwards();
        if (mf < 0) {
            ed.insert(m.startLineEnd(), MAX_FORWARDS_70);
            return;
        }
        long value = m.headerValue(m.first(HeaderName.MAX_FORWARDS));
        ByteBuf out = ed.begin(Range.start(value), Range.length(value));
        writeInt(out, mf - 1);
        ed.end();
    }

    /**
     * Records where the request really came from in the sender's Via (RFC 3261 section 18.2.1,
     * RFC 3581): received when the sent-by host differs from the source address, and the source
     * port into an empty rport. Responses then find their way back through NAT.
     */
    public static void markSource(MessageEditor ed, SipMessage m, byte[] sourceIp, int sourcePort) {
        Via v = m.via(0);
        if (v == null) {
            return;
        }
        // rport first: when it is the last parameter both edits share a position, and order is kept.
        if (v.rport() == 0) {
            ByteBuf out = ed.begin(v.rportEnd(), 0).writeByte('=');
            writeInt(out, sourcePort);
            ed.end();
        }
        if (!Range.present(v.received()) && (v.rport() == 0 || !m.contentEquals(v.host(), sourceIp, true))) {
            ByteBuf out = ed.begin(v.end(), 0).writeBytes(RECEIVED);
            out.writeBytes(sourceIp);
            ed.end();
        }
    }

    /** Writes a non-negative decimal without allocating. */
    public static void writeInt(ByteBuf out, int value) {
        if (value >= 10) {
            writeInt(out, value / 10);
        }
        out.writeByte('0' + value % 10);
    }
}
