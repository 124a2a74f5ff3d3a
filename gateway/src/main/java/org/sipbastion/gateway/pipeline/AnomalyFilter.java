package org.sipbastion.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.tier1.AnomalyHandler;
import org.sipbastion.tier1.event.Detector;

/**
 * Tier 1's detectors in the pipeline: a request they judge anomalous is dropped silently (an answer
 * would feed a flood) and counted under its detector; a verified response updates their state. A
 * once-a-second tick keeps the call-rate stage sampling when no traffic arrives.
 */
public final class AnomalyFilter extends ChannelInboundHandlerAdapter {
    private final AnomalyHandler handler;
    private final GatewayCounters counters;
    private final Set<InetSocketAddress> proxies;
    private final DropRecorder events;
    private final LongSupplier clock;
    private ScheduledFuture<?> ticker;

    /**
     * @param proxies requests from these are outbound (rules may scope to either direction)
     * @param events  where drops become events
     */
    public AnomalyFilter(AnomalyHandler handler, GatewayCounters counters, Set<InetSocketAddress> proxies,
                         DropRecorder events) {
        this(handler, counters, proxies, events, System::nanoTime);
    }

    /** @param clock nanoseconds, monotonic; tests drive it */
    public AnomalyFilter(AnomalyHandler handler, GatewayCounters counters, Set<InetSocketAddress> proxies,
                         DropRecorder events, LongSupplier clock) {
        this.handler = handler;
        this.counters = counters;
        this.proxies = proxies;
        this.events = events;
        this.clock = clock;
    }

    public AnomalyHandler handler() {
        return handler;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ticker = ctx.executor().scheduleAtFixedRate(() -> {
            handler.tick(clock.getAsLong());
            events.tick();
        }, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        // The channel is closing: the current second's aggregates are all there will be.
        events.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundSip in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        long now = clock.getAsLong();
        if (!in.message.isRequest()) {
            handler.response(in.message, in.sender.getAddress(), now);
            ctx.fireChannelRead(in);
            return;
        }
        Detector d = handler.request(in.message, in.sender.getAddress(), now, proxies.contains(in.sender), in.dialogProof);
        in.trustedSource = handler.lastRequestTrusted();
        if (d == Detector.NONE) {
            ctx.fireChannelRead(in);
        } else {
            counters.dropped.increment(d);
            events.drop(d, in, d == Detector.RULE ? handler.lastRule() : null);
        }
    }
}
