package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.SelfAddress;
import org.sipbastion.gateway.forward.ServedDomains;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;

/**
 * Not an open relay. Our proxies would follow a pre-loaded Route to wherever it points, and route a
 * Request-URI of any domain onwards, carrying an outsider's traffic from inside the network. So a
 * client's request:
 *
 * <ul>
 *   <li>may name us as its outbound proxy in a Route, but no hop beyond, unless it is an in-dialog
 *       request proven by our route token (its route set is the one the dialog recorded through
 *       us); otherwise 403 ({@code preloaded_routes});
 *   <li>when it starts a dialog or stands alone (no To tag), must be for one of the served domains
 *       or for us by address; otherwise 403 ({@code foreign_domains}). With no domain configured this
 *       check is off (the gateway says so at start).
 * </ul>
 */
public final class OpenRelayFilter extends ChannelInboundHandlerAdapter {
    private final SelfAddress self;
    private final Set<InetSocketAddress> proxies;
    private final ServedDomains domains;
    private final GatewayCounters counters;
    private final StatelessReplier replier;
    private final UriParts uri = new UriParts();

    public OpenRelayFilter(SelfAddress self, Set<InetSocketAddress> proxies, ServedDomains domains,
                           GatewayCounters counters, StatelessReplier replier) {
        this.self = self;
        this.proxies = proxies;
        this.domains = domains;
        this.counters = counters;
        this.replier = replier;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in && in.message.isRequest() && !proxies.contains(in.sender)) {
            SipMessage m = in.message;
            boolean initial = !Range.present(m.toTag());
            boolean beyondUs = m.routeCount() > 1 || m.routeCount() == 1 && !self.matches(m, m.firstRoute(), false);
            if (beyondUs && (initial || !in.dialogProof)) {
                counters.preloadedRoutes.increment();
                refuse(ctx, in, "Forbidden (pre-loaded Route)");
                return;
            }
            if (initial && !domains.all() && !forUs(m)) {
                counters.foreignDomains.increment();
                refuse(ctx, in, "Forbidden (relaying denied)");
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The Request-URI names a served domain, or our own address. */
    private boolean forUs(SipMessage m) {
        if (!m.sipUri(m.requestUri(), uri)) {
            return false; // tel:, or not a URI we can route: not for a SIP edge to relay
        }
        return domains.serves(m, uri.host()) || self.matches(m, uri, false);
    }

    private void refuse(ChannelHandlerContext ctx, InboundSip in, String reason) {
        ByteBuf out = replier.begin(ctx, in, 403, reason);
        if (out != null) {
            replier.send(ctx, in, out);
        }
    }
}
