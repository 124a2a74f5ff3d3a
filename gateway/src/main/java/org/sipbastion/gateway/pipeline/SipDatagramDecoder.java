package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.sipbastion.gateway.GatewayCounters;
import java.util.function.LongSupplier;
import org.sipbastion.parser.Reason;
import org.sipbastion.tier1.event.Detector;

/**
 * Datagram in, parsed {@link InboundSip} out. Malformed datagrams stop here, counted by reason.
 * Writes made further down while handling a batch of reads are flushed once at read-complete.
 */
public final class SipDatagramDecoder extends ChannelInboundHandlerAdapter {
    /** Unused room in a received buffer beyond which the datagram is moved to a buffer of its size. */
    private static final int SLACK = 4096;
    private final InboundPool pool;
    private final GatewayCounters counters;
    private final DropRecorder events;
    private final LongSupplier clock;

    public SipDatagramDecoder(InboundPool pool, GatewayCounters counters, DropRecorder events, LongSupplier clock) {
        this.pool = pool;
        this.counters = counters;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        counters.received.increment();
        InboundSip inbound = pool.take();
        if (inbound == null) {
            // Every message of the pool is queued: the ingress scheduler is full.
            counters.ingressOverflow.increment();
            packet.release();
            return;
        }
        ByteBuf content = packet.content();
        if (content.capacity() - content.readableBytes() > SLACK) {
            // Read into a 64 KB buffer so that no datagram is cut short; kept (queued) like that, a
            // backlog would hold 64 KB per message. A buffer of its own size instead.
            ByteBuf tight = ctx.alloc().directBuffer(content.readableBytes()).writeBytes(content);
            DatagramPacket copy = new DatagramPacket(tight, packet.recipient(), packet.sender());
            packet.release();
            packet = copy;
        }
        inbound.packet = packet;
        try {
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
            inbound.arrivedAt = clock.getAsLong();
            ctx.fireChannelRead(inbound);
        } finally {
            if (!inbound.queued) {
                pool.give(inbound);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }
}
