package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.BranchCodec;
import org.sipbastion.gateway.forward.Destinations;
import org.sipbastion.parser.MessageEditor;
import org.sipbastion.parser.ProxyRewrites;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * Responses: the top Via must be ours, with a branch that verifies against the Via under it;
 * anything else is a response we never caused and is dropped. Ours is popped and the response goes
 * where the next Via says (RFC 3261 section 16.7 step 3, statelessly).
 */
public final class ResponseRouter extends ChannelInboundHandlerAdapter {
    private final BranchCodec branches;
    private final GatewayCounters counters;
    private final InetSocketAddress self;
    private final MessageEditor editor = new MessageEditor();

    public ResponseRouter(BranchCodec branches, GatewayCounters counters, InetSocketAddress self) {
        this.branches = branches;
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
        Via ours = m.via(0);
        Via next = m.via(1);
        if (ours == null || next == null || !branches.verify(m, ours, next)) {
            counters.forgedResponses.increment();
            return;
        }
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
