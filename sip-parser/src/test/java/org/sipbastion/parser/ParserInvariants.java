package org.sipbastion.parser;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What must hold for ANY input: a typed verdict and no exception; for a valid message, accessors in
 * bounds and the proxy rewrite re-parsing as valid; the stream framer never over-reading.
 */
final class ParserInvariants {
    private final SipMessage message = new SipMessage(new Limits(4096, 32, 1024));
    private final SipMessage reparsed = new SipMessage(new Limits(8192, 40, 2048));
    private final MessageEditor editor = new MessageEditor();
    private final ByteBuf out = Unpooled.buffer(8192);

    void check(byte[] data) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        Reason r = message.parse(in);
        if (r == null) {
            throw new AssertionError("no verdict");
        }
        if (r == Reason.OK) {
            checkValid(data.length);
        }
        StreamFramer framer = new StreamFramer(message.limits());
        int before = in.readerIndex();
        int status = framer.next(in);
        if (status == StreamFramer.FRAME) {
            if (framer.frameStart() < before || framer.frameStart() + framer.frameLength() > in.writerIndex()) {
                throw new AssertionError("frame outside the buffer");
            }
            message.parse(in, framer.frameStart(), framer.frameLength(), SipMessage.Framing.STREAM);
        } else if (status == StreamFramer.ERROR && framer.reason() == Reason.OK) {
            throw new AssertionError("framing error without a reason");
        }
    }

    private void checkValid(int length) {
        SipMessage m = message;
        if (m.messageEnd() > length || m.messageStart() < 0 || m.bodyStart() > m.messageEnd()) {
            throw new AssertionError("message bounds out of range");
        }
        for (int h = 0; h < m.headerCount(); h++) {
            inBounds(m.headerValue(h), length);
            inBounds(m.headerLine(h), length);
        }
        inBounds(m.callId(), length);
        inBounds(m.fromTag(), length);
        inBounds(m.toTag(), length);
        inBounds(m.firstRoute(), length);
        inBounds(m.firstContact(), length);
        if (m.via(0) != null) {
            inBounds(m.via(0).branch(), length);
            inBounds(m.via(0).host(), length);
        }
        if (!m.isRequest() || m.viaCount() == 0) {
            return;
        }
        // The rewrite a forwarding proxy makes must keep a valid message valid.
        editor.reset();
        ProxyRewrites.markSource(editor, m, new byte[] {'1', '.', '2', '.', '3', '.', '4'}, 5060);
        ProxyRewrites.beginVia(editor, m).writeBytes("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKfz".getBytes());
        ProxyRewrites.endHeader(editor);
        if (m.maxForwards() != 0) {
            ProxyRewrites.decrementMaxForwards(editor, m);
        }
        out.clear();
        editor.writeTo(m.buffer(), m.messageStart(), m.messageEnd(), out);
        Reason again = reparsed.parse(out);
        if (again != Reason.OK) {
            throw new AssertionError("rewrite of a valid message is invalid: " + again);
        }
    }

    private static void inBounds(long range, int length) {
        if (Range.present(range) && (Range.start(range) < 0 || Range.end(range) > length || Range.length(range) < 0)) {
            throw new AssertionError("range out of bounds");
        }
    }
}
