package org.sipbastion.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.sipbastion.gateway.forward.SelfAddress;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;
import org.sipbastion.tier2.token.RouteToken;

/**
 * Reads the route token tier 2 put in our Record-Route back from the top Route of an in-dialog
 * request and, when it is valid, marks the request with the proxy it names: tier 1 takes it as
 * proof of a dialog it does not remember (set up before a restart, or through the HA peer), and
 * the forwarder sends the request to that proxy. Passes every message on.
 */
public final class RouteTokenCheck extends ChannelInboundHandlerAdapter {
    private final RouteToken token;
    private final SelfAddress self;
    private final UriParts uri = new UriParts();

    public RouteTokenCheck(RouteToken token, SelfAddress self) {
        this.token = token;
        this.self = self;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in && in.message.isRequest()) {
            SipMessage m = in.message;
            if (Range.present(m.toTag()) && m.routeCount() > 0 && m.sipUri(m.firstRoute(), uri)
                && self.matches(m, uri, false)) {
                in.dialogProxy = token.verify(m, uri.params());
                in.dialogProof = in.dialogProxy != null;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
