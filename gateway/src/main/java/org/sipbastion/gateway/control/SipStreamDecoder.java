package org.sipbastion.gateway.control;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.StreamFramer;

/**
 * Cuts a control connection's byte stream (SIP over TLS between the gateway and an agent) into SIP
 * messages by Content-Length, and parses each; a message that does not parse, or a stream that
 * breaks the parser's limits, closes the connection (the peer reconnects; nothing is buffered
 * without bound). Emits {@link SipMessage}s owning a copy of their bytes (released with
 * {@code buffer().release()} by whoever handles them last).
 */
public final class SipStreamDecoder extends ByteToMessageDecoder {
    private final StreamFramer framer;
    private final Limits limits;
    private Reason failure = Reason.OK;

    public SipStreamDecoder(Limits limits) {
        this.limits = limits;
        this.framer = new StreamFramer(limits);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int r = framer.next(in);
            if (r == StreamFramer.NEED_MORE) {
                return;
            }
            if (r == StreamFramer.ERROR) {
                fail(ctx, in, framer.reason());
                return;
            }
            ByteBuf frame = ctx.alloc().heapBuffer(framer.frameLength());
            frame.writeBytes(in, framer.frameStart(), framer.frameLength());
            in.skipBytes(framer.frameStart() + framer.frameLength() - in.readerIndex());
            SipMessage m = new SipMessage(limits);
            Reason parsed = m.parse(frame, 0, frame.readableBytes(), SipMessage.Framing.STREAM);
            if (parsed != Reason.OK) {
                frame.release();
                fail(ctx, in, parsed);
                return;
            }
            out.add(m);
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, Reason reason) {
        failure = reason;
        in.skipBytes(in.readableBytes());
        ctx.close();
    }

    /** Why the stream was given up, or OK. */
    public Reason failure() {
        return failure;
    }
}
