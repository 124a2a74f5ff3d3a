package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.Destinations;
import org.sipbastion.gateway.forward.TopologyHiding;
import org.sipbastion.parser.MessageEditor;
import org.sipbastion.parser.ProxyRewrites;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * Responses that {@link ResponseVerifier} found ours: our Via is popped and the response goes where
 * the next Via says (RFC 3261 section 16.7 step 3, statelessly). On the way from a proxy to a
 * client, with topology hiding, the Record-Route entries above ours and a proxy's Contact are sealed.
 */
public final class ResponseRouter extends ChannelInboundHandlerAdapter {
    private final GatewayCounters counters;
    private final InetSocketAddress self;
    private final MessageEditor editor = new MessageEditor();
    private final Set<InetSocketAddress> proxies;
    /** Null: topology hiding off. */
    private final TopologyHiding hiding;

    public ResponseRouter(GatewayCounters counters, InetSocketAddress self, Set<InetSocketAddress> proxies,
                          TopologyHiding hiding) {
        this.counters = counters;
        this.self = self;
        this.proxies = proxies;
        this.hiding = hiding;
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
        if (hiding != null && proxies.contains(in.sender)) {
            if (!hiding.begin(m)) {
                counters.topologyUnhidden.increment();
            } else if (hiding.hideResponseRoutes(editor, m) | hiding.hideContact(editor, m)) {
                counters.topologyHidden.increment();
            }
        }
        int length = m.messageEnd() - m.messageStart();
        ByteBuf out = ctx.alloc().directBuffer(length + editor.delta());
        editor.writeTo(m.buffer(), m.messageStart(), m.messageEnd(), out);
        ctx.write(new DatagramPacket(out, target));
        counters.responsesForwarded.increment();
    }
}
