package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.crypto.mac.TokenSigner;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * Sends an OPTIONS to every proxy each interval and measures the round trip (the gateway's own
 * requests, from its own socket), for tier 2: a proxy that took no call yet, or whose calls have
 * not ended yet, still has a measure of how fast it answers. Its answers are ours, not a client's:
 * recognised by their branch ({@code z9hG4bKso} + an HMAC over the proxy's address and the CSeq
 * number, so a forged one does not count) and from the proxy probed, and consumed here, before the
 * response check that would take them for fake (no Via under ours). Each round trip goes to a
 * {@link Listener} (tier 2's response times); a probe not answered before the next one is counted
 * as missed ({@code probes_missed}).
 *
 * <p>Any final response counts as an answer (a proxy may refuse OPTIONS with 405 or 404 and still
 * route calls); provisional ones are ignored.
 */
public final class ProxyProber extends ChannelInboundHandlerAdapter {
    /** Told of each probe's outcome, on the event loop. */
    @FunctionalInterface
    public interface Listener {
        void answered(int proxy, long roundTripNanos, int status, long now);

        /** The last probe of {@code proxy} was not answered before the next round. */
        default void missed(int proxy, long now) {
        }

        /** Index {@code proxy} names a proxy new to the prober (at the start, or discovery added or reused the slot). */
        default void replaced(int proxy) {
        }
    }

    private static final byte[] PREFIX = "z9hG4bKso".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOMAIN = "proxy-probe".getBytes(StandardCharsets.US_ASCII);

    private List<InetSocketAddress> proxies;
    private byte[][] addresses;
    private final String selfHostPort;
    private final long intervalNanos;
    private final TokenSigner signer;
    private final LongSupplier clock;
    private final GatewayCounters counters;
    private final Listener listener;
    private final String fromTag;
    private long[] sentAt;
    private long[] sentSeq;
    private boolean[] pending;
    private final byte[] token = new byte[TokenSigner.TOKEN_CHARS];
    private long seq;
    private ScheduledFuture<?> timer;

    /**
     * @param intervalNanos time between probes of a proxy (a probe unanswered by then is a miss)
     */
    public ProxyProber(List<InetSocketAddress> proxies, String selfHostPort, long intervalNanos, MacKeyRing keys,
                       LongSupplier clock, GatewayCounters counters, Listener listener) {
        this.selfHostPort = selfHostPort;
        this.intervalNanos = intervalNanos;
        this.signer = new TokenSigner(keys);
        this.clock = clock;
        this.counters = counters;
        this.listener = listener;
        this.fromTag = Long.toHexString(new java.security.SecureRandom().nextLong() >>> 1);
        this.proxies = List.of();
        this.addresses = new byte[0][];
        this.sentAt = new long[0];
        this.sentSeq = new long[0];
        this.pending = new boolean[0];
        know(proxies);
    }

    /** Swaps in a rotated key ring (the admin's key reload); the previous key still verifies. */
    public void ring(org.sipbastion.crypto.mac.MacKeyRing next) {
        signer.ring(next);
    }

    /**
     * The proxies to probe, by tier 2's index, from now on (discovery changed the set): a proxy at
     * the same index as before keeps its probe in flight; a new one is probed at the next tick.
     */
    public void know(List<InetSocketAddress> proxies) {
        List<InetSocketAddress> all = List.copyOf(proxies);
        int n = all.size();
        byte[][] bytes = new byte[n][];
        long[] at = new long[n];
        long[] seqs = new long[n];
        boolean[] waiting = new boolean[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = all.get(i).getAddress().getAddress();
            if (i < this.proxies.size() && this.proxies.get(i).equals(all.get(i))) {
                at[i] = sentAt[i];
                seqs[i] = sentSeq[i];
                waiting[i] = pending[i];
            } else {
                listener.replaced(i);
            }
        }
        this.proxies = all;
        this.addresses = bytes;
        this.sentAt = at;
        this.sentSeq = seqs;
        this.pending = waiting;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelRegistered();
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor().scheduleAtFixedRate(() -> probe(ctx), 0, intervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** One round: the misses of the last one, then a new OPTIONS to every proxy. */
    void probe(ChannelHandlerContext ctx) {
        long now = clock.getAsLong();
        seq++;
        for (int i = 0; i < addresses.length; i++) {
            if (pending[i]) {
                pending[i] = false;
                counters.probesMissed.increment();
                listener.missed(i, now);
            }
            InetSocketAddress p = proxies.get(i);
            String target = host(p) + ":" + p.getPort();
            input(i, seq);
            signer.sign(token, 0);
            String options = "OPTIONS sip:" + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + selfHostPort + ";branch=" + new String(PREFIX, StandardCharsets.US_ASCII)
                + new String(token, StandardCharsets.US_ASCII) + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:bastion@" + selfHostPort + ">;tag=" + fromTag + "\r\n"
                + "To: <sip:" + target + ">\r\n"
                + "Call-ID: probe-" + fromTag + "-" + i + "@" + selfHostPort + "\r\n"
                + "CSeq: " + seq + " OPTIONS\r\n"
                + "User-Agent: SIP Bastion probe\r\n"
                + "Content-Length: 0\r\n\r\n";
            ByteBuf out = ctx.alloc().directBuffer(options.length()).writeBytes(options.getBytes(StandardCharsets.US_ASCII));
            sentAt[i] = now;
            sentSeq[i] = seq;
            pending[i] = true;
            ctx.writeAndFlush(new DatagramPacket(out, p));
            counters.probesSent.increment();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in && !in.message.isRequest() && ours(in.message)) {
            answered(in);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean ours(SipMessage m) {
        Via top = m.via(0);
        return top != null && m.viaCount() == 1 && m.startsWith(top.branch(), PREFIX);
    }

    private void answered(InboundSip in) {
        SipMessage m = in.message;
        int i = proxies.indexOf(in.sender);
        long number = m.cseqNumber();
        long b = m.via(0).branch();
        if (i < 0 || Range.length(b) != PREFIX.length + TokenSigner.TOKEN_CHARS || number != sentSeq[i]) {
            counters.probesRefused.increment();
            return;
        }
        input(i, number);
        m.copy(Range.of(Range.start(b) + PREFIX.length, TokenSigner.TOKEN_CHARS), token, 0);
        if (!signer.verify(token, 0, token.length)) {
            counters.probesRefused.increment();
            return;
        }
        if (m.statusCode() < 200 || !pending[i]) {
            return; // provisional, or a retransmitted final answer
        }
        pending[i] = false;
        long now = clock.getAsLong();
        counters.probesAnswered.increment();
        listener.answered(i, now - sentAt[i], m.statusCode(), now);
    }

    private void input(int proxy, long number) {
        signer.reset();
        signer.field(DOMAIN, 0, DOMAIN.length);
        signer.field(addresses[proxy], 0, addresses[proxy].length);
        signer.field(proxies.get(proxy).getPort());
        signer.field(number);
    }

    private static String host(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
    }
}
