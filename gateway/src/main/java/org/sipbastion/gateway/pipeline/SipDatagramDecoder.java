package org.sipbastion.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Reason;
import org.sipbastion.tier1.event.Detector;

/**
 * Datagram in, parsed {@link InboundSip} out. Malformed datagrams stop here, counted by reason.
 * Writes made further down while handling a batch of reads are flushed once at read-complete.
 */
public final class SipDatagramDecoder extends ChannelInboundHandlerAdapter {
    private final InboundSip inbound;
    private final GatewayCounters counters;
    private final DropRecorder events;

    public SipDatagramDecoder(Limits limits, GatewayCounters counters, DropRecorder events) {
        this.inbound = new InboundSip(limits);
        this.counters = counters;
        this.events = events;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            counters.received.increment();
            Reason r = inbound.message.parse(packet.content());
            if (r == Reason.EMPTY_MESSAGE) {
                // CRLF keep-alives from NAT'd clients (RFC 5626): expected traffic, not malformed.
                counters.keepAlives.increment();
                return;
            }
            if (r != Reason.OK) {
                counters.malformed.increment(r);
                events.unparsed(Detector.MALFORMED, packet.sender(), packet.content(), r.name());
                return;
            }
            inbound.sender(packet.sender());
            ctx.fireChannelRead(inbound);
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }
}
