package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.TopologyHiding;
import org.sipbastion.parser.MessageEditor;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;

/**
 * Puts back what topology hiding sealed into a client's message ({@link TopologyHiding#restore}),
 * first thing after decoding, so that every later handler sees the message as if nothing had been
 * hidden: the response check verifies our branch against the proxy's Via under it, the forwarder
 * sends the proxy's Route entries on. The message is rewritten and parsed again (a rare path:
 * in-dialog requests and responses of hidden dialogs). A seal that does not open is a forged or
 * altered message: dropped and counted ({@code bad_seals}). Runs whether hiding is on or off, so
 * dialogs set up while it was on survive a restart with it off.
 */
public final class TopologyRestorer extends ChannelInboundHandlerAdapter {
    private final TopologyHiding hiding;
    private final Set<InetSocketAddress> proxies;
    private final GatewayCounters counters;
    private final MessageEditor editor = new MessageEditor();

    public TopologyRestorer(TopologyHiding hiding, Set<InetSocketAddress> proxies, GatewayCounters counters) {
        this.hiding = hiding;
        this.proxies = proxies;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundSip in) || proxies.contains(in.sender)) {
            ctx.fireChannelRead(msg);
            return;
        }
        SipMessage m = in.message;
        editor.reset();
        switch (hiding.restore(editor, m)) {
            case NOTHING:
                ctx.fireChannelRead(in);
                return;
            case REFUSED:
                counters.badSeals.increment();
                return;
            default:
                break;
        }
        int length = m.messageEnd() - m.messageStart();
        ByteBuf restored = ctx.alloc().directBuffer(length + editor.delta());
        editor.writeTo(m.buffer(), m.messageStart(), m.messageEnd(), restored);
        DatagramPacket old = in.packet;
        in.packet = new DatagramPacket(restored, old.recipient(), old.sender());
        old.release();
        Reason r = m.parse(restored);
        if (r != Reason.OK) {
            // Cannot happen for text we sealed from parsed messages; counted, never passed on half-made.
            counters.malformed.increment(r);
            return;
        }
        ctx.fireChannelRead(in);
    }
}
