package org.sipbastion.gateway.agent;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sipbastion.crypto.pki.TrustAnchors;
import org.sipbastion.crypto.smime.SignedBody;
import org.sipbastion.crypto.tls.TlsMaterial;
import org.sipbastion.gateway.control.ControlMessages;
import org.sipbastion.gateway.control.SipStreamDecoder;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.workload.WorkloadReport;

/**
 * The agent beside a proxy ({@code bastion agent --config FILE}): measures the proxy's own load
 * every period and NOTIFYs each gateway subscribed to our {@code x-workload} event (RFC 6665) with a
 * signed report, over the TLS connection the SUBSCRIBE came on (mutual TLS: the gateway's
 * certificate must chain to our trust store, and name one of {@code subscribers} when given). A
 * NOTIFY also goes out at once when the CPU or memory share crosses its alarm threshold, either
 * way (the seed's asynchronous alarms), and when a subscription is made or refreshed.
 *
 * <p>One event loop does everything: connections, the period's sample, the NOTIFYs.
 */
public final class WorkloadAgent implements AutoCloseable {
    /** A subscription lasts at most an hour without a refresh (RFC 6665 leaves the range to the package). */
    static final int MAX_EXPIRES = 3600;
    /** A SUBSCRIBE without Expires: ten minutes. */
    static final int DEFAULT_EXPIRES = 600;

    private final AgentConfig config;
    private final TlsMaterial tls;
    private final ProxyLoad load;
    /** Kamailio's own statistics (tps, sessions); null when not configured. */
    private final KamailioStats stats;
    private KamailioStats.Reading lastStats = new KamailioStats.Reading(0, 0);
    private String statsProblem;
    private final PrintStream log;
    private final EventLoopGroup group;
    private final Channel server;
    private final long boot = System.currentTimeMillis();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private ScheduledFuture<?> timer;
    private long seq;
    private byte[] lastBody;
    private ProxyLoad.Sample last;
    private boolean cpuHigh;
    private boolean memoryHigh;
    private long notifies;

    private WorkloadAgent(AgentConfig config, TlsMaterial tls, ProxyLoad load, PrintStream log) throws InterruptedException, IOException {
        this.config = config;
        this.tls = tls;
        this.load = load;
        this.stats = config.kamailioCtl() == null ? null : new KamailioStats(config.kamcmd(), config.kamailioCtl());
        this.log = log;
        this.group = EventLoops.group(1);
        SslContext ssl = tls.server();
        try {
            this.server = new ServerBootstrap().group(group).channel(EventLoops.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        // A subscriber refreshes well within MAX_EXPIRES; a connection silent for longer is dead.
                        ch.pipeline().addLast("idle", new IdleStateHandler(MAX_EXPIRES + 60, 0, 0));
                        ch.pipeline().addLast("sip-decoder", new SipStreamDecoder(Limits.DEFAULT));
                        ch.pipeline().addLast("notifier", new Notifier());
                    }
                })
                .bind(config.listen()).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        sample(); // the first reading: the next one has a CPU figure
        timer = server.eventLoop().scheduleAtFixedRate(this::tick, config.periodMillis(), config.periodMillis(),
            TimeUnit.MILLISECONDS);
    }

    /** Starts an agent as {@code config} says; fails with the reason when a file or the address cannot be used. */
    public static WorkloadAgent start(AgentConfig config, PrintStream log) throws IOException, InterruptedException {
        TlsMaterial tls = TlsMaterial.load(config.certificate(), config.key(), config.trust());
        tls.expiryWarnings(java.time.Instant.now()).forEach(w -> log.println("bastion agent: warning: " + w));
        ProxyLoad load = config.cgroup() != null ? ProxyLoad.cgroup(config.cgroup())
            : config.process() != null ? ProxyLoad.processes(config.process()) : ProxyLoad.pid(config.pid());
        load.sample(System.nanoTime()); // fails now, with its reason, if the proxy cannot be read
        return new WorkloadAgent(config, tls, load, log);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** NOTIFYs sent so far. */
    public long notifies() {
        return notifies;
    }

    private void tick() {
        long now = System.nanoTime();
        subscriptions.removeIf(s -> {
            if (s.expiresAt - now <= 0) {
                sendNotify(s, "terminated;reason=timeout");
                return true;
            }
            return false;
        });
        if (!sample()) {
            for (Subscription s : subscriptions) {
                sendNotify(s, null);
            }
        }
    }

    /**
     * A new report: its signed body, kept for the NOTIFYs until the next. A threshold crossed is sent
     * at once; true when it was (the report must not go out twice: the second copy is a replay).
     */
    private boolean sample() {
        ProxyLoad.Sample s;
        try {
            s = load.sample(System.nanoTime());
        } catch (IOException e) {
            log.println("bastion agent: cannot read the proxy's load: " + e.getMessage());
            return false;
        }
        last = s;
        readStats();
        lastBody = signedReport();
        boolean cpu = s.cpu() >= config.cpuAlarm();
        boolean memory = s.memory() >= config.memoryAlarm();
        boolean crossed = cpu != cpuHigh || memory != memoryHigh;
        cpuHigh = cpu;
        memoryHigh = memory;
        if (crossed && timer != null) {
            log.println("bastion agent: load crossed a threshold (cpu " + String.format("%.2f", s.cpu()) + ", memory "
                + String.format("%.2f", s.memory()) + "): notifying now");
            for (Subscription sub : subscriptions) {
                sendNotify(sub, null);
            }
            return true;
        }
        return false;
    }

    /** Kamailio's tps and sessions, when configured; a failure is said once, and reported as zeros. */
    private void readStats() {
        if (stats == null) {
            return;
        }
        try {
            lastStats = stats.read(System.nanoTime());
            if (statsProblem != null) {
                log.println("bastion agent: Kamailio's statistics readable again");
                statsProblem = null;
            }
        } catch (IOException e) {
            lastStats = new KamailioStats.Reading(0, 0);
            if (!e.getMessage().equals(statsProblem)) {
                log.println("bastion agent: cannot read Kamailio's statistics: " + e.getMessage() + " (reporting tps and sessions as 0)");
                statsProblem = e.getMessage();
            }
        }
    }

    /**
     * The last sample as a new report (its own sequence number), signed. Each report goes once to
     * each subscriber: a subscription made or refreshed gets a report of its own, not a copy of
     * one it may have had (that copy would be refused as a replay).
     */
    private byte[] signedReport() {
        WorkloadReport r = new WorkloadReport(config.name(), boot, ++seq, System.currentTimeMillis(), last.cpu(),
            last.memory(), lastStats.sessions(), config.maxSessions(), lastStats.tps(), -1);
        return SignedBody.sign(r.encode(), tls.key(), tls.chain());
    }

    private void sendNotify(Subscription s, String terminated) {
        long left = Math.max(0, (s.expiresAt - System.nanoTime()) / 1_000_000_000L);
        InetSocketAddress local = (InetSocketAddress) s.channel.localAddress();
        String head = "NOTIFY " + s.remoteUri + " SIP/2.0\r\n"
            + "Via: SIP/2.0/TLS " + ControlMessages.hostPort(local) + ";branch=z9hG4bK" + ControlMessages.token() + "\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:agent@" + ControlMessages.hostPort(local) + ">;tag=" + s.localTag + "\r\n"
            + "To: " + s.remoteFrom + "\r\n"
            + "Call-ID: " + s.callId + "\r\n"
            + "CSeq: " + (++s.cseq) + " NOTIFY\r\n"
            + "Contact: <sip:agent@" + ControlMessages.hostPort(local) + ";transport=tls>\r\n"
            + "Event: " + ControlMessages.EVENT + "\r\n"
            + "Subscription-State: " + (terminated != null ? terminated : "active;expires=" + left) + "\r\n"
            + (lastBody != null && terminated == null ? "Content-Type: " + SignedBody.CONTENT_TYPE + "\r\n" : "");
        byte[] body = lastBody != null && terminated == null ? lastBody : new byte[0];
        s.channel.writeAndFlush(ControlMessages.message(head, body));
        notifies++;
    }


    @Override
    public void close() {
        if (timer != null) {
            timer.cancel(false);
        }
        try {
            server.eventLoop().submit(() -> {
                for (Subscription s : subscriptions) {
                    sendNotify(s, "terminated;reason=noresource");
                }
                subscriptions.clear();
            }).await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private static final class Subscription {
        final Channel channel;
        final String callId;
        final String remoteFrom;
        final String remoteUri;
        final String localTag;
        long cseq;
        long expiresAt;

        Subscription(Channel channel, String callId, String remoteFrom, String remoteUri, String localTag) {
            this.channel = channel;
            this.callId = callId;
            this.remoteFrom = remoteFrom;
            this.remoteUri = remoteUri;
            this.localTag = localTag;
        }
    }

    /** Answers SUBSCRIBEs on one connection, and the gateway's answers to our NOTIFYs. */
    private final class Notifier extends SimpleChannelInboundHandler<SipMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, SipMessage m) {
            try {
                if (!m.isRequest()) {
                    if (m.statusCode() == 481) {
                        String callId = m.string(m.callId());
                        subscriptions.removeIf(s -> s.channel == ctx.channel() && s.callId.equals(callId));
                    }
                    return;
                }
                if (m.method() == Method.SUBSCRIBE) {
                    subscribe(ctx, m);
                } else {
                    ctx.writeAndFlush(ControlMessages.response(m, 405, "Method Not Allowed", ControlMessages.token(),
                        "Allow: SUBSCRIBE\r\n"));
                }
            } finally {
                m.buffer().release();
            }
        }

        private void subscribe(ChannelHandlerContext ctx, SipMessage m) {
            String event = ControlMessages.value(ControlMessages.header(m, "Event"));
            if (!ControlMessages.EVENT.equalsIgnoreCase(event)) {
                ctx.writeAndFlush(ControlMessages.response(m, 489, "Bad Event", ControlMessages.token(),
                    "Allow-Events: " + ControlMessages.EVENT + "\r\n"));
                return;
            }
            if (!allowed(ctx)) {
                ctx.writeAndFlush(ControlMessages.response(m, 403, "Forbidden", ControlMessages.token(), null));
                return;
            }
            int expires = DEFAULT_EXPIRES;
            String e = ControlMessages.header(m, "Expires");
            if (e != null) {
                try {
                    expires = (int) Math.min(MAX_EXPIRES, Math.max(0, Long.parseLong(e)));
                } catch (NumberFormatException bad) {
                    ctx.writeAndFlush(ControlMessages.response(m, 400, "Bad Expires", ControlMessages.token(), null));
                    return;
                }
            }
            String callId = m.string(m.callId());
            Subscription s = null;
            for (Subscription x : subscriptions) {
                if (x.channel == ctx.channel() && x.callId.equals(callId)) {
                    s = x;
                }
            }
            if (s == null && Range.present(m.toTag())) {
                ctx.writeAndFlush(ControlMessages.response(m, 481, "Subscription Does Not Exist", null, null));
                return;
            }
            if (s == null) {
                String contact = Range.present(m.firstContact()) ? m.string(m.firstContact()) : m.string(m.fromUri());
                s = new Subscription(ctx.channel(), callId, ControlMessages.header(m, "From"), contact.replaceAll("^<|>$", ""),
                    ControlMessages.token());
                subscriptions.add(s);
            }
            s.expiresAt = System.nanoTime() + expires * 1_000_000_000L;
            ctx.writeAndFlush(ControlMessages.response(m, 200, "OK", s.localTag, "Expires: " + expires + "\r\n"
                + "Contact: <sip:agent@" + ControlMessages.hostPort((InetSocketAddress) ctx.channel().localAddress()) + ";transport=tls>\r\n"));
            if (expires == 0) {
                sendNotify(s, "terminated;reason=timeout");
                subscriptions.remove(s);
            } else {
                if (last != null) {
                    lastBody = signedReport();
                }
                sendNotify(s, null);
            }
        }

        /** The subscriber's certificate names one of the configured subscribers (any trusted one when none are). */
        private boolean allowed(ChannelHandlerContext ctx) {
            if (config.subscribers().isEmpty()) {
                return true;
            }
            try {
                X509Certificate peer = (X509Certificate) ctx.pipeline().get(SslHandler.class).engine().getSession()
                    .getPeerCertificates()[0];
                for (String name : config.subscribers()) {
                    if (TrustAnchors.names(peer, name)) {
                        return true;
                    }
                }
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                return false;
            }
            return false;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            subscriptions.removeIf(s -> s.channel == ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A failed handshake (wrong CA, plaintext on the TLS port) or a broken stream: that connection only.
            log.println("bastion agent: connection from " + ctx.channel().remoteAddress() + " closed: " + ControlMessages.rootMessage(cause));
            ctx.close();
        }
    }
}
