package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.crypto.mac.TokenSigner;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * The call-through probe: each interval, a whole call through every proxy to a test
 * address-of-record (INVITE, its 200, ACK, BYE and the BYE's 200), because a proxy answers OPTIONS
 * by itself while its registrar or database may be broken and every real call failing. A probe
 * passes when the INVITE is answered 2xx and its BYE 2xx within the interval; any other final
 * answer, or no answer by the next round, fails it. Outcomes go to a {@link Listener} (health).
 *
 * <p>The answers are ours, not a client's: recognised by their branch ({@code z9hG4bKsc} + an HMAC
 * over the proxy's address and the CSeq number) from the proxy probed, and consumed here before
 * the response check. The ACK and BYE follow the dialog's route set (the Record-Route of the 2xx,
 * reversed) to its remote target (the 2xx's Contact), sent to the proxy. The SDP offers a held
 * audio stream: no media flows.
 */
public final class CallProber extends ChannelInboundHandlerAdapter {
    /** Told of each probe's outcome, on the event loop. */
    public interface Listener {
        void passed(int proxy, long nanos, long now);

        void failed(int proxy, String why, long now);
    }

    private static final byte[] PREFIX = "z9hG4bKsc".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOMAIN = "call-probe".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ROUTES = 16;

    private enum Phase { IDLE, INVITING, ENDING }

    private final String target;
    private final String selfHostPort;
    private final String selfHost;
    private final long intervalNanos;
    private final TokenSigner signer;
    private final LongSupplier clock;
    private final GatewayCounters counters;
    private final Listener listener;
    private final String fromTag = Long.toHexString(new java.security.SecureRandom().nextLong() >>> 1);
    private final byte[] token = new byte[TokenSigner.TOKEN_CHARS];
    private final long[] values = new long[MAX_ROUTES];
    private final long[] uris = new long[MAX_ROUTES];
    private List<InetSocketAddress> proxies = List.of();
    private Phase[] phase = new Phase[0];
    private long[] startedAt = new long[0];
    private long[] cseq = new long[0];
    private String[] toTag = new String[0];
    private long round;
    private ScheduledFuture<?> timer;

    /**
     * @param target       the test address-of-record the calls go to (a SIP URI the proxies route)
     * @param selfHostPort our advertised host:port, for Via, From and Contact
     */
    public CallProber(List<InetSocketAddress> proxies, String target, String selfHostPort, long intervalNanos,
                      MacKeyRing keys, LongSupplier clock, GatewayCounters counters, Listener listener) {
        if (!target.startsWith("sip:") || target.contains(" ") || target.contains(">")) {
            throw new IllegalArgumentException("the call-through probe's target is a SIP URI (sip:user@domain), not " + target);
        }
        this.target = target;
        this.selfHostPort = selfHostPort;
        this.selfHost = selfHostPort.substring(0, selfHostPort.lastIndexOf(':')).replace("[", "").replace("]", "");
        this.intervalNanos = intervalNanos;
        this.signer = new TokenSigner(keys);
        this.clock = clock;
        this.counters = counters;
        this.listener = listener;
        know(proxies);
    }

    /** Swaps in a rotated key ring (the admin's key reload); the previous key still verifies. */
    public void ring(org.sipbastion.crypto.mac.MacKeyRing next) {
        signer.ring(next);
    }

    /** The proxies to probe, by tier 2's index (discovery changed the set); a changed index starts afresh. */
    public void know(List<InetSocketAddress> all) {
        List<InetSocketAddress> next = List.copyOf(all);
        int n = next.size();
        Phase[] p = new Phase[n];
        long[] at = new long[n];
        long[] cs = new long[n];
        String[] tags = new String[n];
        for (int i = 0; i < n; i++) {
            boolean same = i < proxies.size() && proxies.get(i).equals(next.get(i));
            p[i] = same ? phase[i] : Phase.IDLE;
            at[i] = same ? startedAt[i] : 0;
            cs[i] = same ? cseq[i] : 0;
            tags[i] = same ? toTag[i] : null;
        }
        proxies = next;
        phase = p;
        startedAt = at;
        cseq = cs;
        toTag = tags;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isRegistered() && timer == null) {
            timer = ctx.executor().scheduleAtFixedRate(() -> probe(ctx), intervalNanos / 4, intervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** One round: the calls of the last one that did not finish failed; a new call to every proxy. */
    void probe(ChannelHandlerContext ctx) {
        long now = clock.getAsLong();
        round++;
        for (int i = 0; i < proxies.size(); i++) {
            if (phase[i] != Phase.IDLE) {
                fail(i, phase[i] == Phase.INVITING ? "no final answer to the INVITE within the interval"
                    : "no answer to the BYE within the interval", now);
            }
            phase[i] = Phase.INVITING;
            startedAt[i] = now;
            cseq[i] = 2 * round;
            toTag[i] = null;
            String sdp = "v=0\r\no=bastion 0 0 IN IP4 " + selfHost + "\r\ns=probe\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                + "m=audio 9 RTP/AVP 0\r\na=sendonly\r\n";
            String invite = "INVITE " + target + " SIP/2.0\r\n"
                + via(i, cseq[i])
                + "Max-Forwards: 70\r\n"
                + "From: <sip:bastion-probe@" + selfHostPort + ">;tag=" + fromTag + "\r\n"
                + "To: <" + target + ">\r\n"
                + "Call-ID: " + callId(i) + "\r\n"
                + "CSeq: " + cseq[i] + " INVITE\r\n"
                + "Contact: <sip:bastion-probe@" + selfHostPort + ">\r\n"
                + "User-Agent: SIP Bastion call probe\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
            send(ctx, invite, proxies.get(i));
            counters.callProbesSent.increment();
        }
    }

    private String callId(int i) {
        return "callprobe-" + fromTag + "-" + i + "-" + round + "@" + selfHostPort;
    }

    private String via(int i, long number) {
        input(i, number);
        signer.sign(token, 0);
        return "Via: SIP/2.0/UDP " + selfHostPort + ";branch=" + new String(PREFIX, StandardCharsets.US_ASCII)
            + new String(token, StandardCharsets.US_ASCII) + ";rport\r\n";
    }

    private static void send(ChannelHandlerContext ctx, String text, InetSocketAddress to) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuf out = ctx.alloc().directBuffer(b.length).writeBytes(b);
        ctx.writeAndFlush(new DatagramPacket(out, to));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in && !in.message.isRequest() && ours(in.message)) {
            answered(ctx, in);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean ours(SipMessage m) {
        Via top = m.via(0);
        return top != null && m.viaCount() == 1 && m.startsWith(top.branch(), PREFIX);
    }

    private void answered(ChannelHandlerContext ctx, InboundSip in) {
        SipMessage m = in.message;
        int i = proxies.indexOf(in.sender);
        long number = m.cseqNumber();
        long b = m.via(0).branch();
        if (i < 0 || Range.length(b) != PREFIX.length + TokenSigner.TOKEN_CHARS) {
            counters.callProbesRefused.increment();
            return;
        }
        input(i, number);
        m.copy(Range.of(Range.start(b) + PREFIX.length, TokenSigner.TOKEN_CHARS), token, 0);
        if (!signer.verify(token, 0, token.length)) {
            counters.callProbesRefused.increment();
            return;
        }
        int status = m.statusCode();
        if (status < 200) {
            return;
        }
        long now = clock.getAsLong();
        if (m.cseqMethod() == Method.INVITE && phase[i] == Phase.INVITING && number == cseq[i]) {
            toTag[i] = Range.present(m.toTag()) ? m.string(m.toTag()) : "";
            if (status >= 300) {
                // The ACK of a failed INVITE is hop by hop: same branch, to the proxy.
                send(ctx, ack(i, m, via(i, cseq[i]), target, ""), proxies.get(i));
                fail(i, "INVITE answered " + status + " " + m.string(m.reasonPhrase()), now);
                return;
            }
            String routes = routeSet(m);
            String remote = contact(m);
            send(ctx, ack(i, m, "Via: SIP/2.0/UDP " + selfHostPort + ";branch=z9hG4bK" + Long.toHexString(now) + fromTag
                + "\r\n", remote, routes), proxies.get(i));
            phase[i] = Phase.ENDING;
            String bye = "BYE " + remote + " SIP/2.0\r\n"
                + via(i, cseq[i] + 1)
                + "Max-Forwards: 70\r\n"
                + routes
                + "From: <sip:bastion-probe@" + selfHostPort + ">;tag=" + fromTag + "\r\n"
                + "To: <" + target + ">" + (toTag[i].isEmpty() ? "" : ";tag=" + toTag[i]) + "\r\n"
                + "Call-ID: " + m.string(m.callId()) + "\r\n"
                + "CSeq: " + (cseq[i] + 1) + " BYE\r\n"
                + "Content-Length: 0\r\n\r\n";
            send(ctx, bye, proxies.get(i));
        } else if (m.cseqMethod() == Method.BYE && phase[i] == Phase.ENDING && number == cseq[i] + 1) {
            phase[i] = Phase.IDLE;
            if (status < 300) {
                counters.callProbesPassed.increment();
                listener.passed(i, now - startedAt[i], now);
            } else {
                fail(i, "BYE answered " + status, now);
            }
        }
        // Anything else: a retransmitted final answer of a round already judged.
    }

    private String ack(int i, SipMessage answer, String via, String requestUri, String routes) {
        return "ACK " + requestUri + " SIP/2.0\r\n"
            + via
            + "Max-Forwards: 70\r\n"
            + routes
            + "From: <sip:bastion-probe@" + selfHostPort + ">;tag=" + fromTag + "\r\n"
            + "To: <" + target + ">" + (toTag[i].isEmpty() ? "" : ";tag=" + toTag[i]) + "\r\n"
            + "Call-ID: " + answer.string(answer.callId()) + "\r\n"
            + "CSeq: " + cseq[i] + " ACK\r\n"
            + "Content-Length: 0\r\n\r\n";
    }

    /** The dialog's route set as Route header lines: the 2xx's Record-Route values, reversed (RFC 3261 12.1.2). */
    private String routeSet(SipMessage m) {
        List<String> rr = new ArrayList<>();
        for (int h = 0; h < m.headerCount(); h++) {
            if (m.headerName(h) == HeaderName.RECORD_ROUTE) {
                int n = m.addressValues(h, values, uris);
                for (int k = 0; k < n; k++) {
                    rr.add(m.string(values[k]).trim());
                }
            }
        }
        StringBuilder s = new StringBuilder();
        for (int k = rr.size() - 1; k >= 0; k--) {
            s.append("Route: ").append(rr.get(k)).append("\r\n");
        }
        return s.toString();
    }

    /** The 2xx's Contact URI (the remote target), or the AOR when it has none. */
    private String contact(SipMessage m) {
        for (int h = 0; h < m.headerCount(); h++) {
            if (m.headerName(h) == HeaderName.CONTACT && m.addressValues(h, values, uris) > 0) {
                return m.string(uris[0]).trim();
            }
        }
        return target;
    }

    private void fail(int i, String why, long now) {
        phase[i] = Phase.IDLE;
        counters.callProbesFailed.increment();
        listener.failed(i, why, now);
    }

    private void input(int proxy, long number) {
        InetSocketAddress p = proxies.get(proxy);
        byte[] a = p.getAddress().getAddress();
        signer.reset();
        signer.field(DOMAIN, 0, DOMAIN.length);
        signer.field(a, 0, a.length);
        signer.field(p.getPort());
        signer.field(number);
    }
}
