package org.sipbastion.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.LongSupplier;
import org.sipbastion.tier2.farm.ProxyFarm;

/**
 * Hands every verified response to tier 2, which closes the transaction it answers and so measures
 * the proxy (outstanding work, response time, and from BYEs the session-termination time). Also
 * gives up on transactions left unanswered and sweeps the dialog table, once a second, as traffic
 * passes. Passes every message on; owns the farm's dialog table, closed with the pipeline.
 */
public final class ProxyFeedback extends ChannelInboundHandlerAdapter {
    private static final long EXPIRE_EVERY_NANOS = 1_000_000_000L;
    private final ProxyFarm farm;
    private final LongSupplier clock;
    private long lastExpiry;

    public ProxyFeedback(ProxyFarm farm, LongSupplier clock) {
        this.farm = farm;
        this.clock = clock;
        this.lastExpiry = clock.getAsLong();
    }

    public ProxyFarm farm() {
        return farm;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in) {
            long now = clock.getAsLong();
            if (!in.message.isRequest()) {
                farm.responded(in.message, in.sender, now);
            }
            if (now - lastExpiry >= EXPIRE_EVERY_NANOS) {
                lastExpiry = now;
                farm.expire(now);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The pipeline is going away (the channel closed): the dialog table's file is closed with it. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        farm.close();
    }
}
