package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.BranchCodec;
import org.sipbastion.gateway.forward.Destinations;
import org.sipbastion.gateway.forward.SelfAddress;
import org.sipbastion.gateway.forward.TopologyHiding;
import org.sipbastion.gateway.transport.SourceSender;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.gateway.forward.TrustHeaders;
import org.sipbastion.parser.MessageEditor;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.ProxyRewrites;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.ResponseWriter;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;
import java.util.function.LongSupplier;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.token.RouteToken;

/**
 * Requests, forwarded statelessly (RFC 3261 sections 16.6 and 16.11). From a client: to the proxy
 * our route token names (an in-dialog request). From one of
 * our proxies (e.g. the callee's BYE): to the Request-URI. Else tier 2 chooses (a new call by the
 * balancing algorithm) and is told of every request sent to a proxy, to measure it. On the way: our Route entry is removed,
 * a Record-Route added to dialog-creating requests so the rest of the dialog crosses the edge (with
 * the route token naming the dialog's proxy), our Via pushed with a derived signed branch,
 * Max-Forwards decremented, and the sender's real address stamped into its Via. In transparent
 * forwarding, no Via and no stamp: the request leaves with its sender's own source address, and the
 * answers go straight back to it.
 */
public final class RequestForwarder extends ChannelInboundHandlerAdapter {
    private final ProxyFarm farm;
    private final Set<InetSocketAddress> proxySet;
    private final BranchCodec branches;
    private final SelfAddress selfUri;
    private final InetSocketAddress self;
    private final GatewayCounters counters;
    private final StatelessReplier replier;
    private final MessageEditor editor = new MessageEditor();
    private final UriParts uri = new UriParts();
    private final byte[] viaPrefix;
    private final byte[] recordRoute;
    private final RouteToken routeToken;
    private final LongSupplier clock;
    /** Null: topology hiding off. */
    private final TopologyHiding hiding;
    /** Null: stateless proxy; else transparent forwarding, sending with the sender's own address. */
    private final SourceSender transparent;

    public RequestForwarder(ProxyFarm farm, BranchCodec branches, RouteToken routeToken, LongSupplier clock,
                            SelfAddress selfUri, InetSocketAddress self, GatewayCounters counters, StatelessReplier replier,
                            TopologyHiding hiding, SourceSender transparent) {
        this.hiding = hiding;
        this.transparent = transparent;
        this.routeToken = routeToken;
        this.clock = clock;
        this.farm = farm;
        this.proxySet = Set.copyOf(farm.addresses());
        this.branches = branches;
        this.selfUri = selfUri;
        this.self = self;
        this.counters = counters;
        this.replier = replier;
        String hostPort = new String(selfUri.advertised(), StandardCharsets.US_ASCII) + ":" + selfUri.port();
        this.viaPrefix = ("SIP/2.0/UDP " + hostPort + ";branch=").getBytes(StandardCharsets.US_ASCII);
        this.recordRoute = ("<sip:" + hostPort + ";lr").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundSip in) || !in.message.isRequest()) {
            ctx.fireChannelRead(msg);
            return;
        }
        SipMessage m = in.message;
        boolean fromProxy = proxySet.contains(in.sender);
        InetSocketAddress target;
        if (fromProxy) {
            target = Destinations.ofUri(m, m.requestUri(), uri);
            if (target == null || !Destinations.deliverable(target, self)) {
                counters.unroutable.increment();
                return;
            }
        } else {
            // In-dialog (route token, dialog table) or new work (the balancer): tier 2 decides.
            target = farm.route(m, in.dialogProxy, clock.getAsLong());
            if (target == null) {
                counters.noProxyAvailable.increment();
                ByteBuf out = replier.begin(ctx, in, 503, "Service Unavailable");
                if (out != null) {
                    ResponseWriter.header(out, "Retry-After", "5");
                    replier.send(ctx, in, out);
                }
                return;
            }
            if (target == ProxyFarm.NO_DIALOG) {
                counters.unknownDialogs.increment();
                ByteBuf out = replier.begin(ctx, in, 481, "Call/Transaction Does Not Exist");
                if (out != null) {
                    replier.send(ctx, in, out);
                }
                return;
            }
            if (target == ProxyFarm.DIALOG_GONE) {
                counters.dialogProxyDown.increment();
                ByteBuf out = replier.begin(ctx, in, 481, "Call/Transaction Does Not Exist");
                if (out != null) {
                    replier.send(ctx, in, out);
                }
                return;
            }
        }
        editor.reset();
        if (!fromProxy && !in.trustedSource) {
            int stripped = TrustHeaders.strip(m, editor);
            if (stripped < 0) {
                counters.trustHeadersRefused.increment();
                ByteBuf out = replier.begin(ctx, in, 403, "Forbidden (identity headers)");
                if (out != null) {
                    replier.send(ctx, in, out);
                }
                return;
            }
            if (stripped > 0) {
                counters.trustHeadersStripped.add(stripped);
            }
        }
        if (m.routeCount() > 0 && selfUri.matches(m, m.firstRoute(), false)) {
            ProxyRewrites.popRoute(editor, m);
        }
        Method method = m.method();
        // Towards a client, the proxies' entries are sealed into ours (topology hiding).
        boolean hide = fromProxy && hiding != null;
        boolean hidable = hide && hiding.begin(m);
        boolean viasHidden = hidable && hiding.sealVias(m);
        boolean routesHidden = hidable && m.recordRouteCount() > 0 && hiding.sealRecordRoutes(m);
        if (!Range.present(m.toTag()) && method != Method.ACK && method != Method.CANCEL || routesHidden) {
            ByteBuf rr = ProxyRewrites.beginRecordRoute(editor, m).writeBytes(recordRoute);
            // The route token names the dialog's proxy: the one we send to, or the one it came from.
            routeToken.write(m, fromProxy ? in.sender : target, rr);
            if (routesHidden) {
                hiding.writeRouteSeal(rr);
            }
            rr.writeByte('>');
            ProxyRewrites.endHeader(editor);
        }
        if (transparent == null) {
            ByteBuf via = ProxyRewrites.beginVia(editor, m).writeBytes(viaPrefix);
            // Bound to the proxy: its answers must come from it. Towards a client, unbound (NAT).
            branches.write(m, m.via(0), fromProxy ? null : target.getAddress(), via);
            if (viasHidden) {
                hiding.writeViaSeal(via);
            }
            ProxyRewrites.endHeader(editor);
        }
        ProxyRewrites.decrementMaxForwards(editor, m);
        if (viasHidden) {
            TopologyHiding.deleteLines(editor, m, HeaderName.VIA);
        } else if (transparent == null) {
            // Transparent: the next hop sees the sender's own address and stamps its Via itself.
            ProxyRewrites.markSource(editor, m, in.senderIp(), in.sender.getPort());
        }
        if (routesHidden) {
            TopologyHiding.deleteLines(editor, m, HeaderName.RECORD_ROUTE);
        }
        if (hidable) {
            hiding.hideContact(editor, m);
        }
        if (hide) {
            boolean complete = viasHidden && (routesHidden || m.recordRouteCount() == 0);
            (complete ? counters.topologyHidden : counters.topologyUnhidden).increment();
        }
        int length = m.messageEnd() - m.messageStart();
        ByteBuf out = ctx.alloc().directBuffer(length + editor.delta());
        editor.writeTo(m.buffer(), m.messageStart(), m.messageEnd(), out);
        if (transparent != null) {
            transparent.send(out, in.sender, target);
        } else {
            ctx.write(new DatagramPacket(out, target));
        }
        counters.requestsForwarded.increment();
        if (fromProxy) {
            farm.forwardedFromProxy(m, clock.getAsLong());
        } else {
            farm.forwarded(m, target, clock.getAsLong());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A bug must cost one message, never the listener: count it and keep serving.
        counters.internalErrors.increment();
        ErrorLog.report(cause);
    }
}
