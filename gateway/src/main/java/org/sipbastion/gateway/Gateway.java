package org.sipbastion.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.sipbastion.gateway.forward.BranchCodec;
import org.sipbastion.gateway.forward.SelfAddress;
import org.sipbastion.gateway.pipeline.AlarmLog;
import org.sipbastion.gateway.pipeline.AnomalyFilter;
import org.sipbastion.gateway.pipeline.LocalRequestHandler;
import org.sipbastion.gateway.pipeline.PolicyFilter;
import org.sipbastion.gateway.forward.ServedDomains;
import org.sipbastion.gateway.pipeline.OpenRelayFilter;
import org.sipbastion.gateway.pipeline.InboundPool;
import org.sipbastion.gateway.pipeline.IngressScheduler;
import org.sipbastion.gateway.pipeline.ProxyFeedback;
import org.sipbastion.gateway.pipeline.RequestForwarder;
import org.sipbastion.gateway.pipeline.ResponseRouter;
import org.sipbastion.gateway.pipeline.ResponseVerifier;
import org.sipbastion.gateway.pipeline.TopologyRestorer;
import org.sipbastion.gateway.pipeline.CallProber;
import org.sipbastion.gateway.pipeline.ProxyProber;
import org.sipbastion.gateway.pipeline.FarmAlarms;
import org.sipbastion.gateway.transport.SourceSender;
import org.sipbastion.gateway.transport.TransparentSender;
import org.sipbastion.gateway.forward.TopologyHiding;
import org.sipbastion.crypto.seal.HeaderSeal;
import org.sipbastion.gateway.pipeline.RouteTokenCheck;
import org.sipbastion.gateway.pipeline.SipDatagramDecoder;
import org.sipbastion.gateway.pipeline.StatelessReplier;
import org.sipbastion.gateway.rules.DenyFeeds;
import org.sipbastion.gateway.control.WorkloadSubscriber;
import org.sipbastion.gateway.discovery.ProxyDiscovery;
import org.sipbastion.gateway.discovery.ProxyRoster;
import org.sipbastion.gateway.rules.RulesWatcher;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.state.BaselineStore;
import org.sipbastion.gateway.state.KeyFile;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.tier1.AnomalyHandler;
import java.nio.file.Path;
import org.sipbastion.tier2.dialog.DialogState;
import org.sipbastion.tier2.dialog.DialogTable;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.health.HealthJudge;
import org.sipbastion.tier2.pool.ProxyState;
import org.sipbastion.tier2.token.RouteToken;
import org.sipbastion.tier1.bloom.Baseline;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.EventAggregator;
import org.sipbastion.tier1.event.EventSink;
import org.sipbastion.tier1.event.SecurityEvent;
import org.sipbastion.gateway.capture.DropCapture;
import org.sipbastion.gateway.events.JsonLinesEventLog;
import org.sipbastion.gateway.firewall.NftSet;
import org.sipbastion.gateway.pipeline.DropRecorder;
import org.sipbastion.tier1.rules.Rules;

/**
 * One running gateway: a UDP listener whose pipeline is decode, tier 1 (policy, response check,
 * anomaly detectors), local requests, response routing, request forwarding. Routing is stateless:
 * everything it needs to route a message is in the message or in the config; tier 1 keeps only
 * its bounded detector tables, and its learned baseline in the state directory when there is one.
 */
public final class Gateway implements AutoCloseable {
    /** Socket buffers large enough to ride out a burst while the event loop is busy. */
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final long SAVE_EVERY_SECONDS = 60;
    /** Event log: rotated at 64 MiB, five old files kept, 65,536 events queued at most. */
    private static final long EVENT_LOG_BYTES = 64L << 20;
    private static final int EVENT_LOG_KEEP = 5;
    private static final int EVENT_QUEUE = 65_536;
    /** (detector, source) pairs that get an event of their own each second; the rest are counted lost. */
    private static final int EVENT_KEYS_PER_SECOND = 4096;
    /** Drop capture: rotated at 64 MiB (five old files kept), at most 100 samples a second. */
    private static final long DROP_CAPTURE_BYTES = 64L << 20;
    private static final int DROP_SAMPLES_PER_SECOND = 100;
    /** Transactions awaiting a proxy's final response that tier 2 remembers (for its measures). */
    private static final int PENDING_TRANSACTIONS = 1 << 16;
    /** Messages that may wait in tier 2's ingress queue (each pooled message holds ~3 KB plus its datagram). */
    private static final int INGRESS_QUEUE = 4096;
    /** Transparent forwarding: source sockets kept open at most (least recently used closed first). */
    private static final int TRANSPARENT_SOURCES = 4096;
    /** A new call expected to wait longer than this in the ingress queue is answered 503 at once. */
    private static final long SHED_WAIT_NANOS = 200_000_000L;
    /** Tier 2's dialog table in the state directory. */
    public static final String DIALOG_FILE = "dialogs.cm";
    /** The pipeline's proxy roster, for what changes the proxy set after the pipeline is built. */
    public static final io.netty.util.AttributeKey<ProxyRoster> ROSTER = io.netty.util.AttributeKey.valueOf("bastion.roster");
    /** Whatever signs or verifies with the HMAC keys, told of a reloaded key ring (on the loop). */
    public static final io.netty.util.AttributeKey<List<java.util.function.Consumer<MacKeyRing>>> KEY_USERS =
        io.netty.util.AttributeKey.valueOf("bastion.keyUsers");

    private final GatewayConfig config;
    private final GatewayCounters counters;
    private final EventLoopGroup group;
    private final Channel channel;
    private final ExecutorService background;
    private final RulesWatcher watcher;
    private final DenyFeeds feeds;
    private final JsonLinesEventLog eventLog;
    private final DropCapture dropCapture;
    private final NftSet nft;
    /** Tier 2, for closing its dialog table once the event loop has stopped (its file lock with it). */
    private final ProxyFarm farm;
    /** Keeps the proxies in step with DNS; null with static proxies. */
    private ProxyDiscovery discovery;
    /** The workload subscriptions to the proxies' agents; null without --agent-port. */
    private WorkloadSubscriber workload;

    private Gateway(GatewayConfig config, GatewayCounters counters, EventLoopGroup group, Channel channel,
                    AlarmListener alarms, JsonLinesEventLog eventLog, DropCapture dropCapture, NftSet nft, ProxyFarm farm) {
        this.farm = farm;
        this.nft = nft;
        this.config = config;
        this.eventLog = eventLog;
        this.dropCapture = dropCapture;
        this.counters = counters;
        this.group = group;
        this.channel = channel;
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bastion-state");
            t.setDaemon(true);
            return t;
        });
        if (config.stateDir() != null) {
            channel.eventLoop().scheduleAtFixedRate(this::saveBaseline, SAVE_EVERY_SECONDS, SAVE_EVERY_SECONDS, TimeUnit.SECONDS);
        }
        this.feeds = new DenyFeeds(set -> channel.eventLoop().execute(() -> tier1().deny(set)), alarms, System.err);
        feeds.follow(config.rules().denyFeeds);
        this.watcher = config.rulePaths().isEmpty() ? null
            : new RulesWatcher(config.rulePaths(), config.rules(), this::applyRules, alarms, System.err).start(2);
    }

    /** Binds the listener, with tier 1's alarms on standard error; fails fast if it cannot bind. */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        return start(config, null);
    }

    /**
     * Binds the listener; fails fast (the exception says which address) if it cannot. Alarms go to
     * {@code alarms}, or to standard error (rate-limited) when null.
     */
    public static Gateway start(GatewayConfig config, AlarmListener alarms) throws InterruptedException {
        EventLoopGroup group = EventLoops.group(1);
        JsonLinesEventLog eventLog = null;
        DropCapture dropCapture = null;
        NftSet nft = null;
        try {
            Channel ch = new Bootstrap()
                .group(group)
                .channel(EventLoops.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .option(ChannelOption.RCVBUF_ALLOCATOR, EventLoops.wholeDatagrams())
                .handler(new ChannelInboundHandlerAdapter())
                .bind(config.listen()).sync().channel();
            // The pipeline is built once the address is bound, so an ephemeral port (tests) is the
            // one we advertise. It runs on the channel's loop before any read is handled.
            GatewayConfig bound = config.withListen((InetSocketAddress) ch.localAddress());
            GatewayCounters counters = new GatewayCounters();
            eventLog = openEventLog(bound.eventLog());
            dropCapture = openDropCapture(bound.dropCapture());
            DropCapture samples = dropCapture;
            EventSink events = eventLog != null ? eventLog : EventSink.NONE;
            AlarmListener shown = alarms != null ? alarms : new AlarmLog(System.err, 20);
            NftSet firewall = bound.nftSet() == null ? null : new NftSet("nft", bound.nftSet(), System.err);
            nft = firewall;
            AlarmListener sink = a -> {
                counters.alarms.increment();
                if (!events.offer(SecurityEvent.of(a, System.currentTimeMillis()))) {
                    counters.eventsLost.increment();
                }
                if (firewall != null) {
                    firewall.alarm(a);
                }
                shown.alarm(a);
            };
            if (bound.forwarding().transparent()) {
                TransparentSender.check(ch.eventLoop());
            }
            Baseline restored = BaselineStore.restore(bound.stateDir(), bound.rules(), System.err);
            ch.eventLoop().submit(() -> {
                ch.pipeline().remove(ChannelInboundHandlerAdapter.class);
                pipeline(ch.pipeline(), bound, counters, bound.listen(), sink, restored, events, samples);
                addProber(ch.pipeline(), bound, counters, System::nanoTime);
            }).sync();
            ProxyFarm farm = ch.pipeline().get(ProxyFeedback.class).farm();
            Gateway gateway = new Gateway(bound, counters, group, ch, sink, eventLog, dropCapture, firewall, farm);
            GatewayConfig.Workload reports = bound.balancing().workload();
            if (reports != null) {
                WorkloadSubscriber subscriber;
                try {
                    subscriber = new WorkloadSubscriber(ch.eventLoop(), reports.tls(), reports.agentPort(), farm, counters,
                        sink, System.err, bound.advertised());
                } catch (javax.net.ssl.SSLException e) {
                    throw new IllegalStateException("cannot make the TLS context for the agents: " + e.getMessage(), e);
                }
                gateway.workload = subscriber;
                // Certificates about to expire: an alarm at start and each day after, until renewed.
                Runnable expiry = () -> reports.tls().expiryWarnings(java.time.Instant.now()).forEach(w ->
                    sink.alarm(new org.sipbastion.tier1.event.Alarm(System.nanoTime(), org.sipbastion.tier1.event.Detector.WORKLOAD,
                        "certificate: " + w + "; renew it before the agents' subscriptions fail", List.of())));
                expiry.run();
                ch.eventLoop().scheduleAtFixedRate(expiry, 1, 1, TimeUnit.DAYS);
                ch.eventLoop().submit(() -> {
                    subscriber.follow(farm.addresses());
                    ch.attr(ROSTER).get().follow(subscriber::follow);
                }).sync();
            }
            GatewayConfig.Discovery dns = bound.balancing().discovery();
            if (dns != null) {
                gateway.discovery = new ProxyDiscovery(dns, ProxyDiscovery.sendableFrom(bound.listen()), ch.eventLoop(),
                    farm, ch.attr(ROSTER).get(), counters, System.err, System::nanoTime);
                // The proxies were looked up just before the start: the next lookup honours TTLs from there.
                gateway.discovery.start(0);
            }
            return gateway;
        } catch (Exception e) {
            // Netty rethrows a failed bind (BindException) undeclared: catch it too, so that no
            // event loop is left running behind a gateway that never started.
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            closeAll(eventLog, dropCapture, nft);
            throw e;
        }
    }

    private static JsonLinesEventLog openEventLog(java.nio.file.Path file) {
        if (file == null) {
            return null;
        }
        try {
            return new JsonLinesEventLog(file, EVENT_LOG_BYTES, EVENT_LOG_KEEP, EVENT_QUEUE, System.err);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot open the event log " + file + ": " + e, e);
        }
    }

    private static DropCapture openDropCapture(java.nio.file.Path file) {
        if (file == null) {
            return null;
        }
        try {
            return new DropCapture(file, DROP_CAPTURE_BYTES, EVENT_LOG_KEEP, DROP_SAMPLES_PER_SECOND, System.err);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Builds the data path on a channel pipeline, tier 1 learning from scratch; used by tests on an EmbeddedChannel. */
    public static void pipeline(ChannelPipeline p, GatewayConfig config, GatewayCounters counters, InetSocketAddress local,
                                AlarmListener alarms) {
        pipeline(p, config, counters, local, alarms, null, EventSink.NONE, null);
    }

    /**
     * Builds the data path. Tier 1's tables are keyed with a fresh random seed, so nobody outside
     * can aim keys at chosen slots; {@code baseline} is its restored call-rate baseline, or null.
     * Drops become events, aggregated per detector and source each second, handed to {@code events};
     * the first of each detector and source each second is sampled into {@code samples} (or null).
     */
    public static void pipeline(ChannelPipeline p, GatewayConfig config, GatewayCounters counters, InetSocketAddress local,
                                AlarmListener alarms, Baseline baseline, EventSink events, DropCapture samples) {
        pipeline(p, config, counters, local, alarms, baseline, events, samples, System::nanoTime,
            new SecureRandom().nextLong());
    }

    /**
     * The data path in simulated time, for the detection-quality harness: tier 1 reads {@code clock}
     * instead of the system's, and its table keys come from {@code seed}, so a run repeats exactly.
     * The caller ticks tier 1 ({@link AnomalyFilter#handler()}) as the gateway's timer would.
     */
    public static void simulated(ChannelPipeline p, GatewayConfig config, GatewayCounters counters,
                                 InetSocketAddress local, AlarmListener alarms, LongSupplier clock, long seed) {
        pipeline(p, config, counters, local, alarms, null, EventSink.NONE, null, clock, seed);
    }

    private static void pipeline(ChannelPipeline p, GatewayConfig config, GatewayCounters counters,
                                 InetSocketAddress local, AlarmListener alarms, Baseline baseline, EventSink events,
                                 DropCapture samples, LongSupplier clock, long seed) {
        DropRecorder drops = new DropRecorder(new EventAggregator(events, EVENT_KEYS_PER_SECOND, counters.eventsLost), samples,
            local);
        SelfAddress self = new SelfAddress(config.advertised(), local);
        StatelessReplier replier = new StatelessReplier(counters);
        BranchCodec branches = new BranchCodec(config.keys());
        List<java.util.function.Consumer<MacKeyRing>> keyUsers = new java.util.ArrayList<>();
        p.channel().attr(KEY_USERS).set(keyUsers);
        keyUsers.add(branches::ring);
        AnomalyHandler tier1 = new AnomalyHandler(config.rules(), baseline, alarms, seed);
        tier1.responsesUnseen(config.forwarding().transparent());
        InboundPool inbound = new InboundPool(config.limits(), INGRESS_QUEUE + 1);
        p.addLast("sip-decoder", new SipDatagramDecoder(inbound, counters, drops, clock));
        ProxyRoster roster = new ProxyRoster(config.proxies());
        p.channel().attr(ROSTER).set(roster);
        Set<InetSocketAddress> proxySet = roster.members();
        byte[] selfHostPort = (config.advertised() + ":" + local.getPort()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        HeaderSeal seal = new HeaderSeal(config.keys());
        keyUsers.add(seal::ring);
        TopologyHiding topology = new TopologyHiding(seal, self, selfHostPort, config.proxies());
        TopologyHiding hiding = config.forwarding().hideTopology() ? topology : null;
        roster.follow(topology::know);
        p.addLast("topology-restorer", new TopologyRestorer(topology, proxySet, counters));
        p.addLast("tier1-policy", new PolicyFilter(counters, replier, drops));
        p.addLast("tier1-response-check", new ResponseVerifier(branches, counters, drops));
        RouteToken routeToken = new RouteToken(config.keys(), config.proxies());
        roster.follow(routeToken::know);
        keyUsers.add(routeToken::ring);
        p.addLast("route-token-check", new RouteTokenCheck(routeToken, self));
        p.addLast("tier1-detectors", new AnomalyFilter(tier1, counters, proxySet, drops, clock));
        GatewayConfig.Balancing b = config.balancing();
        Path dialogFile = config.stateDir() == null ? null : config.stateDir().resolve(DIALOG_FILE);
        ProxyFarm farm = new ProxyFarm(config.proxies(), b.specs(), b.proxySlots(), b.algorithm().create(seed),
            PENDING_TRANSACTIONS,
            (proxies, listener) -> {
                DialogTable table = new DialogTable(dialogFile, b.maxDialogs(), b.dialogTtlSeconds() * 1000, proxies,
                    listener);
                if (table.notice() != null) {
                    System.err.println("bastion: " + table.notice());
                }
                return table;
            },
            b.deadProxyDialogs(), seed ^ 0x7432L, clock.getAsLong());
        farm.responsesUnseen(config.forwarding().transparent());
        p.addLast("tier2-proxy-feedback", new ProxyFeedback(farm, clock));
        p.addLast("tier2-farm-alarms", new FarmAlarms(farm.pool(), counters, alarms, clock));
        p.addLast("ingress-scheduler", new IngressScheduler(inbound, INGRESS_QUEUE, SHED_WAIT_NANOS, counters, replier,
            clock, m -> farm.dialogs().proxyOf(m) != null));
        p.addLast("local-requests", new LocalRequestHandler(self, replier));
        p.addLast("open-relay-check", new OpenRelayFilter(self, proxySet,
            new ServedDomains(config.domains()), counters, replier));
        p.addLast("response-router", new ResponseRouter(counters, local, proxySet, hiding));
        p.addLast("request-forwarder", new RequestForwarder(farm, branches, routeToken, clock, self, local, counters,
            replier, hiding, config.forwarding().transparent() ? sourceSender(p, counters) : null));
    }

    /**
     * Adds the OPTIONS prober (when the configuration asks for probes) after tier 1's policy and
     * before the response check, its round trips going to tier 2's pool (LSTT's last fallback). Separate from
     * {@link #pipeline} so that tests on an EmbeddedChannel see no probes unless they add it.
     */
    public static void addProber(ChannelPipeline p, GatewayConfig config, GatewayCounters counters, LongSupplier clock) {
        long interval = config.balancing().probeIntervalMillis();
        if (interval <= 0) {
            return;
        }
        ProxyFarm farm = p.get(ProxyFeedback.class).farm();
        InetSocketAddress local = config.listen();
        HealthJudge health = new HealthJudge(farm.pool(), HealthJudge.DEFAULT_MISSES_TO_DOWN,
            HealthJudge.DEFAULT_ANSWERS_TO_UP, (i, to, why) -> {
                (to == ProxyState.DOWN ? counters.proxiesDown : counters.proxiesUp).increment();
                System.err.println("bastion: proxy " + ProxyFarm.name(farm.address(i)) + " "
                    + to.name().toLowerCase(java.util.Locale.ROOT) + ": " + why);
            });
        ProxyProber prober = new ProxyProber(config.proxies(), config.advertised() + ":" + local.getPort(),
            interval * 1_000_000, config.keys(), clock, counters, new ProxyProber.Listener() {
                @Override
                public void answered(int proxy, long rtt, int status, long now) {
                    farm.pool().probed(proxy, rtt, now);
                    health.answered(proxy, status, now);
                }

                @Override
                public void missed(int proxy, long now) {
                    health.missed(proxy, now);
                }

                @Override
                public void replaced(int proxy) {
                    health.forget(proxy, clock.getAsLong());
                }
            });
        if (config.balancing().workload() != null) {
            health.expectReports(clock.getAsLong()); // NOTIFY freshness: a proxy whose agent falls silent is down
        }
        GatewayConfig.CallProbe calls = config.balancing().callProbe();
        if (calls != null) {
            CallProber callProber = new CallProber(config.proxies(), calls.target(), config.advertised() + ":" + local.getPort(),
                calls.intervalMillis() * 1_000_000, config.keys(), clock, counters, new CallProber.Listener() {
                    @Override
                    public void passed(int proxy, long nanos, long now) {
                        health.callProbed(proxy, true, null, now);
                    }

                    @Override
                    public void failed(int proxy, String why, long now) {
                        System.err.println("bastion: call-through probe of " + ProxyFarm.name(farm.address(proxy)) + " failed: " + why);
                        health.callProbed(proxy, false, why, now);
                    }
                });
            ProxyRoster calledRoster = p.channel().attr(ROSTER).get();
            if (calledRoster != null) {
                calledRoster.follow(callProber::know);
            }
            if (p.channel().attr(KEY_USERS).get() != null) {
                p.channel().attr(KEY_USERS).get().add(callProber::ring);
            }
            p.addAfter("tier1-policy", "call-prober", callProber);
        }
        ProxyRoster roster = p.channel().attr(ROSTER).get();
        if (roster != null) {
            roster.follow(prober::know);
        }
        if (p.channel().attr(KEY_USERS).get() != null) {
            p.channel().attr(KEY_USERS).get().add(prober::ring);
        }
        p.addAfter("tier1-policy", "proxy-prober", prober);
    }

    /**
     * Transparent forwarding's sender: IP_TRANSPARENT sockets on the channel's loop. On any other
     * channel than native epoll (an EmbeddedChannel in tests) the datagram is written to the pipeline
     * with its intended source in {@link DatagramPacket#sender()}; {@link #start} refuses transparent
     * forwarding where the real sender cannot work.
     */
    private static SourceSender sourceSender(ChannelPipeline p, GatewayCounters counters) {
        if (p.channel() instanceof io.netty.channel.epoll.EpollDatagramChannel) {
            return new TransparentSender(p.channel().eventLoop(), TRANSPARENT_SOURCES, counters.transparentSendFailures);
        }
        return (content, source, target) -> p.channel().write(new DatagramPacket(content, target, source));
    }

    /** Hands a validated rule set to tier 1, on its event loop; its tables and learned state stay. */
    public void applyRules(Rules rules) {
        channel.eventLoop().execute(() -> {
            tier1().apply(rules);
            counters.rulesApplied.increment();
        });
        feeds.follow(rules.denyFeeds);
    }

    /** Waits until the deny feeds read so far are in force (tests, and tools that need them now). */
    public void settleFeeds() throws InterruptedException {
        feeds.settle();
        onLoop(() -> null);
    }

    /** The rule set tier 1 runs now (read on the event loop). */
    public Rules rules() throws InterruptedException {
        return onLoop(() -> tier1().rules());
    }

    /**
     * Each proxy as tier 2 sees it (read on the event loop), in configuration order:
     * "ADDRESS state=S priority=P weight=W stt=MEAN ms (N) calls=C active=A", state up, draining or
     * down (draining also when DNS no longer lists it), stt "unknown" before a BYE was measured; calls
     * counts the new transactions sent to it, active its dialogs now; then, while its agent's last
     * report is fresh, "cpu=C memory=M sessions=S tps=T".
     */
    public List<String> proxySummaries() throws InterruptedException {
        return onLoop(() -> {
            ProxyFarm farm = channel.pipeline().get(ProxyFeedback.class).farm();
            long now = System.nanoTime();
            List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < farm.addresses().size(); i++) {
                double mean = farm.pool().stt().mean(i, now);
                org.sipbastion.tier2.pool.ProxySpec spec = farm.pool().spec(i);
                out.add(ProxyFarm.name(farm.address(i)) + " state="
                    + farm.pool().state(i).name().toLowerCase(java.util.Locale.ROOT) + " priority=" + spec.priority()
                    + " weight=" + spec.weight() + " stt="
                    + (Double.isNaN(mean) ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f ms (%d)", mean / 1e6,
                    farm.pool().stt().samples(i, now)))
                    + " calls=" + farm.pool().sentTotal(i) + " active=" + farm.pool().activeDialogs(i)
                    + workload(farm.pool().workload(i, now)));
            }
            return out;
        });
    }

    private static String workload(org.sipbastion.tier2.workload.WorkloadReport r) {
        return r == null ? "" : String.format(java.util.Locale.ROOT, " cpu=%.2f memory=%.2f sessions=%d tps=%.1f", r.cpu(),
            r.memory(), r.sessions(), r.tps());
    }

    /**
     * An operator's command from the admin socket ({@code bastion proxies}), as {@code user}:
     * {@code proxies}, {@code drain ADDR:PORT}, {@code undrain ADDR:PORT}. Returns the answer's lines;
     * a refusal starts with "error:". Each change is logged with who made it.
     */
    public String admin(String line, String user) {
        String[] w = line.trim().split("\\s+");
        try {
            return switch (w[0]) {
                case "proxies", "list" -> String.join("\n", proxySummaries()) + "\n";
                case "drain", "undrain" -> w.length == 2 ? onLoop(() -> drain(w[1], w[0].equals("drain"), user))
                    : "error: " + w[0] + " ADDR:PORT\n";
                case "keys" -> reloadKeys(user);
                case "help", "" -> "commands: proxies | drain ADDR:PORT | undrain ADDR:PORT | keys\n";
                default -> "error: unknown command " + w[0] + " (proxies, drain, undrain)\n";
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "error: interrupted\n";
        }
    }

    /**
     * Reads the key file again (after {@code bastion keys rotate}, or a copy from the HA peer) and
     * hands the ring to everything that signs or verifies: new branches, route tokens, seals and
     * probes are signed with the new key, and what the previous key signed still verifies.
     */
    private String reloadKeys(String user) throws InterruptedException {
        if (config.stateDir() == null) {
            return "error: this gateway keeps no key file (started without --state-dir)\n";
        }
        MacKeyRing ring;
        try {
            ring = KeyFile.read(config.stateDir().resolve(KeyFile.NAME));
        } catch (java.io.IOException e) {
            return "error: " + e.getMessage() + "\n";
        }
        onLoop(() -> {
            channel.attr(KEY_USERS).get().forEach(u -> u.accept(ring));
            return null;
        });
        String what = "signing with key " + ring.currentId() + (ring.previousId() != 0 ? ", key " + ring.previousId()
            + " still verifies" : "");
        System.err.println("bastion: HMAC keys reloaded by " + user + " (admin socket): " + what);
        return "ok: " + what + "\n";
    }

    /** Drains or undrains the proxy named {@code name} (as the proxy lines name it); on the loop. */
    private String drain(String name, boolean drain, String user) {
        ProxyFarm farm = channel.pipeline().get(ProxyFeedback.class).farm();
        for (int i = 0; i < farm.addresses().size(); i++) {
            if (!ProxyFarm.name(farm.address(i)).equals(name)) {
                continue;
            }
            org.sipbastion.tier2.pool.ProxyPool pool = farm.pool();
            org.sipbastion.tier2.pool.ProxyState state = pool.state(i);
            if (pool.removed(i)) {
                return "error: " + name + " is no longer in DNS: it drains until its dialogs end\n";
            }
            if (drain) {
                if (state == org.sipbastion.tier2.pool.ProxyState.DRAINING) {
                    return "ok: " + name + " is already draining\n";
                }
                pool.setState(i, org.sipbastion.tier2.pool.ProxyState.DRAINING, System.nanoTime());
                System.err.println("bastion: proxy " + name + " drained by " + user + " (admin socket; was "
                    + state.name().toLowerCase(java.util.Locale.ROOT) + "): no new calls, its " + pool.activeDialogs(i)
                    + " active dialogs finish there");
                return "ok: " + name + " draining: no new calls; its " + pool.activeDialogs(i) + " active dialogs finish there\n";
            }
            if (state == org.sipbastion.tier2.pool.ProxyState.UP) {
                return "ok: " + name + " is already up\n";
            }
            if (state == org.sipbastion.tier2.pool.ProxyState.DOWN) {
                return "error: " + name + " is down: health brings it back once it answers\n";
            }
            pool.setState(i, org.sipbastion.tier2.pool.ProxyState.UP, System.nanoTime());
            System.err.println("bastion: proxy " + name + " undrained by " + user + " (admin socket): takes new calls, ramping up");
            return "ok: " + name + " up: takes new calls again, ramping up\n";
        }
        return "error: no proxy " + name + " (proxies: " + String.join(", ", farm.addresses().stream().map(ProxyFarm::name).toList())
            + ")\n";
    }

    /** Rows of tier 2's dialog table in state {@code s} (read on the event loop). */
    public long dialogCount(DialogState s) throws InterruptedException {
        return onLoop(() -> channel.pipeline().get(ProxyFeedback.class).farm().dialogs().count(s));
    }

    /** The mean of tier 1's call-rate baseline (read on the event loop): learned, restored or fixed. */
    public double baselineMean() throws InterruptedException {
        return onLoop(() -> tier1().callRate().baseline().mean());
    }

    /** Reloads the rule files now (as SIGHUP does); false when the gateway watches none. */
    public boolean reloadRules() {
        if (watcher == null) {
            return false;
        }
        watcher.reload("requested");
        return true;
    }

    private AnomalyHandler tier1() {
        return channel.pipeline().get(AnomalyFilter.class).handler();
    }

    /** On the event loop: snapshot the baseline there, write it on the background thread. */
    private void saveBaseline() {
        String snapshot = tier1().callRate().baseline().snapshot();
        background.execute(() -> BaselineStore.save(config.stateDir(), snapshot, System.err));
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public GatewayConfig config() {
        return config;
    }

    public GatewayCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        if (discovery != null) {
            discovery.close();
        }
        if (workload != null) {
            workload.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        feeds.close();
        if (config.stateDir() != null && channel.isOpen()) {
            try {
                String snapshot = onLoop(() -> tier1().callRate().baseline().snapshot());
                BaselineStore.save(config.stateDir(), snapshot, System.err);
            } catch (Exception e) {
                System.err.println("bastion: could not save the call-rate baseline on stop: " + e);
            }
        }
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        // Closed with the pipeline normally; this makes sure the file and its lock are let go before
        // close() returns, so that a gateway started next on the same state directory can open it.
        farm.close();
        background.shutdown();
        closeAll(eventLog, dropCapture, nft);
    }

    /** Closes the writers a gateway may have (event log, drop capture, nftables); absent ones are null. */
    private static void closeAll(AutoCloseable... writers) {
        for (AutoCloseable w : writers) {
            if (w == null) {
                continue;
            }
            try {
                w.close();
            } catch (Exception e) {
                System.err.println("bastion: closing " + w.getClass().getSimpleName() + " failed: " + e);
            }
        }
    }

    /** Runs {@code task} on the event loop that owns tier 1 and waits (2 s at most) for its answer. */
    private <T> T onLoop(java.util.concurrent.Callable<T> task) throws InterruptedException {
        try {
            return channel.eventLoop().submit(task).get(2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("the gateway is closed", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the event loop did not answer", e);
        }
    }
}
