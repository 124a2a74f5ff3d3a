package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.Destinations;
import org.sipbastion.parser.MessageEditor;
import org.sipbastion.parser.ProxyRewrites;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * Responses that {@link ResponseVerifier} found ours: our Via is popped and the response goes where
 * the next Via says (RFC 3261 section 16.7 step 3, statelessly).
 */
public final class ResponseRouter extends ChannelInboundHandlerAdapter {
    private final GatewayCounters counters;
    private final InetSocketAddress self;
    private final MessageEditor editor = new MessageEditor();

    public ResponseRouter(GatewayCounters counters, InetSocketAddress self) {
        this.counters = counters;
        this.self = self;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundSip in) || in.message.isRequest()) {
            ctx.fireChannelRead(msg);
            return;
        }
        SipMessage m = in.message;
        Via next = m.via(1);
        InetSocketAddress target = Destinations.ofVia(m, next);
        if (target == null || !Destinations.deliverable(target, self)) {
            counters.unroutable.increment();
            return;
        }
        editor.reset();
        ProxyRewrites.popVia(editor, m);
        int length = m.messageEnd() - m.messageStart();
        ByteBuf out = ctx.alloc().directBuffer(length + editor.delta());
        editor.writeTo(m.buffer(), m.messageStart(), m.messageEnd(), out);
        ctx.write(new DatagramPacket(out, target));
        counters.responsesForwarded.increment();
    }
}
