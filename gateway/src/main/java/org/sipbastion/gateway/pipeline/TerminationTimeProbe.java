package org.sipbastion.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.LongSupplier;
import org.sipbastion.tier2.lstt.TerminationMeter;

/**
 * Hands every verified response to tier 2's termination meter, which turns the final responses of
 * BYEs the forwarder sent into session-termination times per proxy. Passes every message on.
 */
public final class TerminationTimeProbe extends ChannelInboundHandlerAdapter {
    private final TerminationMeter meter;
    private final LongSupplier clock;

    public TerminationTimeProbe(TerminationMeter meter, LongSupplier clock) {
        this.meter = meter;
        this.clock = clock;
    }

    public TerminationMeter meter() {
        return meter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in && !in.message.isRequest()) {
            meter.response(in.message, in.sender, clock.getAsLong());
        }
        ctx.fireChannelRead(msg);
    }
}
