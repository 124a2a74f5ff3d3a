package org.sipbastion.gateway.control;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.sipbastion.crypto.smime.SignedBody;
import org.sipbastion.crypto.tls.TlsMaterial;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.workload.ReportGate;
import org.sipbastion.tier2.workload.WorkloadReport;

/**
 * The gateway's side of the workload reports: a subscription (RFC 6665, event {@code x-workload})
 * to the agent beside each proxy, at the proxy's address and the agents' port, over mutual TLS 1.3
 * (the agent's certificate must chain to our trust store and name the proxy's address). Each
 * NOTIFY's body is verified ({@link SignedBody}), parsed and let through the agent's
 * {@link ReportGate} before tier 2's pool takes it; every refusal is counted by reason and alarmed
 * (at most one alarm per agent and reason each {@link #ALARM_REPEAT_NANOS}). Subscriptions are
 * refreshed at half their expiry; a connection that fails or closes is tried again after 1 s,
 * doubling to 30 s. Runs on the data path's event loop, so the pool is updated where it is read.
 */
public final class WorkloadSubscriber implements AutoCloseable {
    /** Asked for; the agent may grant less. */
    static final int EXPIRES = 600;
    static final long ALARM_REPEAT_NANOS = 10_000_000_000L;
    /** How far a report's time may be from our clock (NTP keeps both within a second; the rest is delay). */
    static final long WINDOW_MILLIS = 30_000;
    private static final long FIRST_RETRY_MILLIS = 1_000;
    private static final long MAX_RETRY_MILLIS = 30_000;

    private final EventLoop loop;
    private final TlsMaterial tls;
    private final SslContext ssl;
    private final int agentPort;
    private final ProxyFarm farm;
    private final GatewayCounters counters;
    private final AlarmListener alarms;
    private final PrintStream log;
    private final String selfHost;
    private final Map<InetSocketAddress, Link> links = new HashMap<>();
    private boolean closed;

    public WorkloadSubscriber(EventLoop loop, TlsMaterial tls, int agentPort, ProxyFarm farm, GatewayCounters counters,
                              AlarmListener alarms, PrintStream log, String selfHost) throws SSLException {
        this.loop = loop;
        this.tls = tls;
        this.ssl = tls.client();
        this.agentPort = agentPort;
        this.farm = farm;
        this.counters = counters;
        this.alarms = alarms;
        this.log = log;
        this.selfHost = selfHost;
    }

    /** Subscribes to the agent of each of {@code proxies} not yet subscribed to, and drops the others. On the loop. */
    public void follow(List<InetSocketAddress> proxies) {
        if (closed) {
            return;
        }
        java.util.Set<InetSocketAddress> wanted = new java.util.HashSet<>(proxies);
        links.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getKey())) {
                e.getValue().stop();
                return true;
            }
            return false;
        });
        for (InetSocketAddress p : proxies) {
            links.computeIfAbsent(p, Link::new).connect();
        }
    }

    /** Subscriptions with an agent that answered, now. */
    public int active() {
        int n = 0;
        for (Link l : links.values()) {
            n += l.toTag != null ? 1 : 0;
        }
        return n;
    }

    @Override
    public void close() {
        loop.execute(() -> {
            closed = true;
            links.values().forEach(Link::stop);
            links.clear();
        });
    }

    private void alarm(Link l, Object reason, String text) {
        long now = System.nanoTime();
        Long last = l.alarmedAt.get(reason);
        log.println("bastion: workload of " + ProxyFarm.name(l.proxy) + ": " + text);
        if (last == null || now - last >= ALARM_REPEAT_NANOS) {
            l.alarmedAt.put(reason, now);
            alarms.alarm(new Alarm(now, Detector.WORKLOAD, "proxy " + ProxyFarm.name(l.proxy) + ": " + text, List.of()));
        }
    }

    /** One proxy's subscription and its connection. */
    private final class Link {
        final InetSocketAddress proxy;
        final InetSocketAddress agent;
        final String host;
        final ReportGate gate = new ReportGate(WINDOW_MILLIS);
        final Map<Object, Long> alarmedAt = new HashMap<>();
        Channel channel;
        String callId;
        String fromTag;
        String toTag;
        long cseq;
        long retryMillis = FIRST_RETRY_MILLIS;
        ScheduledFuture<?> timer;
        boolean stopped;
        boolean connecting;

        Link(InetSocketAddress proxy) {
            this.proxy = proxy;
            this.agent = new InetSocketAddress(proxy.getAddress(), agentPort);
            this.host = proxy.getAddress().getHostAddress();
        }

        void connect() {
            if (stopped || connecting || channel != null && channel.isActive()) {
                return;
            }
            connecting = true;
            ChannelFuture f = new Bootstrap().group(loop).channel(EventLoops.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler h = ssl.newHandler(ch.alloc(), host, agentPort);
                        ch.pipeline().addLast("tls", h);
                        ch.pipeline().addLast("sip-decoder", new SipStreamDecoder(Limits.DEFAULT));
                        ch.pipeline().addLast("subscription", new Handler(Link.this));
                        h.handshakeFuture().addListener(done -> {
                            if (done.isSuccess()) {
                                subscribe(ch);
                            }
                        });
                    }
                })
                .connect(agent);
            channel = f.channel();
            f.addListener(done -> {
                connecting = false;
                if (!done.isSuccess() && channel == f.channel()) {
                    failed("cannot connect to its agent at " + ProxyFarm.name(agent) + ": " + ControlMessages.rootMessage(done.cause()));
                }
            });
        }

        void subscribe(Channel ch) {
            callId = ControlMessages.token() + "@" + selfHost;
            fromTag = ControlMessages.token();
            toTag = null;
            cseq = 0;
            send(ch, EXPIRES);
        }

        void send(Channel ch, int expires) {
            InetSocketAddress local = (InetSocketAddress) ch.localAddress();
            String me = ControlMessages.hostPort(local);
            String head = "SUBSCRIBE sip:agent@" + ControlMessages.hostPort(agent) + ";transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + me + ";branch=z9hG4bK" + ControlMessages.token() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:gateway@" + me + ">;tag=" + fromTag + "\r\n"
                + "To: <sip:agent@" + ControlMessages.hostPort(agent) + ">" + (toTag != null ? ";tag=" + toTag : "") + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + (++cseq) + " SUBSCRIBE\r\n"
                + "Contact: <sip:gateway@" + me + ";transport=tls>\r\n"
                + "Event: " + ControlMessages.EVENT + "\r\n"
                + "Accept: application/pkcs7-mime\r\n"
                + "Expires: " + expires + "\r\n";
            ch.writeAndFlush(ControlMessages.message(head, new byte[0]));
        }

        void answered(SipMessage m) {
            if (m.cseqMethod() != Method.SUBSCRIBE || m.statusCode() < 200) {
                return;
            }
            if (m.statusCode() >= 300) {
                failed("its agent refused the subscription: " + m.statusCode() + " " + m.string(m.reasonPhrase()));
                return;
            }
            toTag = Range.present(m.toTag()) ? m.string(m.toTag()) : toTag;
            int granted = EXPIRES;
            try {
                String e = ControlMessages.header(m, "Expires");
                granted = e == null ? EXPIRES : Math.max(2, Integer.parseInt(e));
            } catch (NumberFormatException ignored) {
                // keep what we asked for
            }
            retryMillis = FIRST_RETRY_MILLIS;
            cancelTimer();
            Channel ch = channel;
            timer = loop.schedule(() -> send(ch, EXPIRES), granted * 500L, TimeUnit.MILLISECONDS);
        }

        void notified(ChannelHandlerContext ctx, SipMessage m) {
            if (callId == null || !callId.equals(m.string(m.callId()))) {
                ctx.writeAndFlush(ControlMessages.response(m, 481, "Subscription Does Not Exist", null, null));
                return;
            }
            ctx.writeAndFlush(ControlMessages.response(m, 200, "OK", null, null));
            String state = ControlMessages.value(ControlMessages.header(m, "Subscription-State"));
            if (m.bodyLength() > 0) {
                take(ControlMessages.body(m));
            }
            if ("terminated".equalsIgnoreCase(state)) {
                failed("its agent ended the subscription (" + ControlMessages.header(m, "Subscription-State") + ")");
            }
        }

        void take(byte[] body) {
            WorkloadReport report;
            try {
                SignedBody.Verified v = SignedBody.verify(body, tls.trust(), host, Instant.now());
                report = WorkloadReport.parse(v.content());
            } catch (SignedBody.Rejected e) {
                reject(WorkloadRejection.valueOf(e.reason().name()), e.getMessage());
                return;
            } catch (IllegalArgumentException e) {
                reject(WorkloadRejection.MALFORMED, e.getMessage());
                return;
            }
            ReportGate.Verdict v = gate.admit(report, System.currentTimeMillis());
            if (v != ReportGate.Verdict.ACCEPTED) {
                reject(WorkloadRejection.valueOf(v.name()), "report " + report.seq() + " of boot " + report.bootMillis()
                    + " made at " + Instant.ofEpochMilli(report.timeMillis()));
                return;
            }
            int i = farm.indexOf(proxy);
            if (i >= 0) {
                farm.pool().reported(i, report, System.nanoTime());
                counters.workloadReports.increment();
            }
        }

        void reject(WorkloadRejection why, String detail) {
            counters.workloadRejected.increment(why);
            alarm(this, why, "report refused, " + why.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + detail);
        }

        /** The subscription is lost: count it, alarm, and try again later. */
        void failed(String why) {
            counters.subscriptionFailures.increment();
            alarm(this, "link", why);
            toTag = null;
            callId = null;
            cancelTimer();
            Channel ch = channel;
            channel = null; // its close, and any error after, are this failure's, not new ones
            connecting = false;
            if (ch != null) {
                ch.close();
            }
            if (!stopped) {
                long wait = retryMillis;
                retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
                timer = loop.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
            }
        }

        void stop() {
            stopped = true;
            cancelTimer();
            if (channel != null && channel.isActive() && toTag != null) {
                send(channel, 0); // unsubscribe; the agent's final NOTIFY is not waited for
            }
            if (channel != null) {
                channel.close();
            }
        }

        void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /** A connection's messages, to its link. */
    private final class Handler extends SimpleChannelInboundHandler<SipMessage> {
        private final Link link;

        Handler(Link link) {
            this.link = link;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, SipMessage m) {
            try {
                if (!m.isRequest()) {
                    link.answered(m);
                } else if (m.method() == Method.NOTIFY) {
                    link.notified(ctx, m);
                } else {
                    ctx.writeAndFlush(ControlMessages.response(m, 405, "Method Not Allowed", ControlMessages.token(),
                        "Allow: NOTIFY\r\n"));
                }
            } finally {
                m.buffer().release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == link.channel && !link.stopped && !closed) {
                link.failed("the connection to its agent closed");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A refused handshake (an agent certificate from another CA, or naming another host), a broken stream.
            if (ctx.channel() == link.channel && !link.stopped) {
                link.failed("TLS with its agent failed: " + ControlMessages.rootMessage(cause));
            } else {
                ctx.close();
            }
        }
    }
}
