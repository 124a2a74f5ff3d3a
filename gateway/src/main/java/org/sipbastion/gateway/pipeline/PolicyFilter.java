package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.ResponseWriter;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.sanity.PolicyViolation;
import org.sipbastion.tier1.sanity.SanityPolicy;

/** Tier 1's sanity stage in the pipeline: refused messages are counted, and requests answered. */
public final class PolicyFilter extends ChannelInboundHandlerAdapter {
    private final SanityPolicy policy = new SanityPolicy();
    private final GatewayCounters counters;
    private final StatelessReplier replier;
    private final DropRecorder events;

    public PolicyFilter(GatewayCounters counters, StatelessReplier replier, DropRecorder events) {
        this.counters = counters;
        this.replier = replier;
        this.events = events;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundSip in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        PolicyViolation v = policy.check(in.message);
        if (v == PolicyViolation.NONE) {
            ctx.fireChannelRead(in);
            return;
        }
        counters.refused.increment(v);
        events.drop(Detector.POLICY, in, v.name());
        if (in.message.isRequest() && v.status() > 0) {
            ByteBuf out = replier.begin(ctx, in, v.status(), v.reasonPhrase());
            if (out != null) {
                if (v == PolicyViolation.BAD_EXTENSION) {
                    ResponseWriter.header(out, "Unsupported", in.message, in.message.first(HeaderName.PROXY_REQUIRE));
                }
                replier.send(ctx, in, out);
            }
        }
    }
}
