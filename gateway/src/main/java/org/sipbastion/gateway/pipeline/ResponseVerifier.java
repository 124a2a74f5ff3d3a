package org.sipbastion.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.BranchCodec;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;
import org.sipbastion.tier1.event.Detector;

/**
 * Tier 1's fake-response check, in front of everything that learns from responses: the top Via
 * must be ours, with a branch that verifies against the Via under it and, for a request we sent to
 * a proxy, the address it came from. Anything else is a response we never caused (the seed's fake
 * BUSY) and is dropped, so a forged 200 can neither reach a client nor confirm a dialog in tier 1.
 */
public final class ResponseVerifier extends ChannelInboundHandlerAdapter {
    private final BranchCodec branches;
    private final GatewayCounters counters;
    private final DropRecorder events;

    public ResponseVerifier(BranchCodec branches, GatewayCounters counters, DropRecorder events) {
        this.branches = branches;
        this.counters = counters;
        this.events = events;
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
        if (ours == null || next == null || !branches.verify(m, ours, next, in.sender.getAddress())) {
            counters.dropped.increment(Detector.FAKE_RESPONSE);
            events.drop(Detector.FAKE_RESPONSE, in, null);
            return;
        }
        ctx.fireChannelRead(in);
    }
}
