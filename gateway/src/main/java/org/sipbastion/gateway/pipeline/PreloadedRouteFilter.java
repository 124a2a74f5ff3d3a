package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.SelfAddress;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;

/**
 * Not an open relay: a client's initial request (no To tag) may name us as its outbound proxy in a
 * Route, but no hop beyond: our proxies would follow a pre-loaded Route to wherever it points,
 * carrying the attacker's traffic from inside the network. Such a request is answered 403.
 * In-dialog requests carry the route set the dialog recorded, which passes.
 */
public final class PreloadedRouteFilter extends ChannelInboundHandlerAdapter {
    private final SelfAddress self;
    private final Set<InetSocketAddress> proxies;
    private final GatewayCounters counters;
    private final StatelessReplier replier;

    public PreloadedRouteFilter(SelfAddress self, Set<InetSocketAddress> proxies, GatewayCounters counters,
                                StatelessReplier replier) {
        this.self = self;
        this.proxies = proxies;
        this.counters = counters;
        this.replier = replier;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in && in.message.isRequest() && !proxies.contains(in.sender)) {
            SipMessage m = in.message;
            boolean preloaded = !Range.present(m.toTag()) && m.routeCount() > 0
                && (m.routeCount() > 1 || !self.matches(m, m.firstRoute(), false));
            if (preloaded) {
                counters.preloadedRoutes.increment();
                ByteBuf out = replier.begin(ctx, in, 403, "Forbidden (pre-loaded Route)");
                if (out != null) {
                    replier.send(ctx, in, out);
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
