package org.sipbastion.gateway.discovery;

import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.tier2.discovery.SrvResolver;
import org.sipbastion.tier2.discovery.SrvResolver.DiscoveredProxy;
import org.sipbastion.tier2.discovery.SrvResolver.Discovery;
import org.sipbastion.tier2.discovery.SrvResolver.DiscoveryException;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.pool.ProxySpec;

/**
 * Keeps the proxy farm in step with DNS: looks the SRV records up on a thread of its own (DNS
 * blocks), when their TTL runs out and at least every refresh interval, and applies what it found
 * on the event loop that owns the farm ({@link ProxyFarm#update}: new proxies join with their
 * ramp-up, missing ones drain). A lookup that fails, or finds nothing usable, changes nothing: the
 * proxies known stay, and the lookup is tried again within {@link #RETRY_SECONDS}.
 */
public final class ProxyDiscovery implements AutoCloseable {
    /** The longest wait before asking again after a failed lookup (or the refresh interval, if shorter). */
    public static final long RETRY_SECONDS = 10;
    /** The shortest wait between lookups, whatever the TTL (dnsmasq answers with TTL 0). */
    public static final long MIN_REFRESH_SECONDS = 1;
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);

    private final GatewayConfig.Discovery settings;
    private final SrvResolver resolver;
    private final Predicate<InetAddress> usable;
    private final Executor loop;
    private final ProxyFarm farm;
    private final ProxyRoster roster;
    private final GatewayCounters counters;
    private final PrintStream log;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private String lastProblems = "";

    /**
     * @param usable the addresses the gateway's socket can send to (its address family)
     * @param loop   runs the changes where the farm is used (the channel's event loop)
     */
    public ProxyDiscovery(GatewayConfig.Discovery settings, Predicate<InetAddress> usable, Executor loop, ProxyFarm farm,
                          ProxyRoster roster, GatewayCounters counters, PrintStream log, LongSupplier clock) {
        this.settings = settings;
        this.resolver = resolver(settings);
        this.usable = usable;
        this.loop = loop;
        this.farm = farm;
        this.roster = roster;
        this.counters = counters;
        this.log = log;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bastion-dns");
            t.setDaemon(true);
            return t;
        });
    }

    private static SrvResolver resolver(GatewayConfig.Discovery settings) {
        return new SrvResolver(settings.server(), QUERY_TIMEOUT);
    }

    /**
     * The proxies DNS lists now, for the gateway's start: the farm is built from them.
     *
     * @throws DiscoveryException when DNS fails or lists no proxy the gateway can send to
     */
    public static Found lookUp(GatewayConfig.Discovery settings, Predicate<InetAddress> usable) throws DiscoveryException {
        Discovery d = resolver(settings).resolve(settings.domain(), settings.service());
        List<String> left = new ArrayList<>(d.problems());
        List<DiscoveredProxy> proxies = d.proxies(usable, left);
        if (proxies.isEmpty()) {
            throw new DiscoveryException(where(settings) + " lists no proxy this gateway can send to: " + String.join("; ", left));
        }
        return new Found(proxies, d.ttlSeconds(), left);
    }

    /** Which addresses a socket bound to {@code local} can send to: its own family (both for an IPv6 wildcard). */
    public static Predicate<InetAddress> sendableFrom(InetSocketAddress local) {
        InetAddress a = local.getAddress();
        if (a instanceof Inet4Address) {
            return x -> x instanceof Inet4Address;
        }
        return a.isAnyLocalAddress() ? x -> true : x -> x instanceof Inet6Address;
    }

    /** What {@link #lookUp} found: the proxies, the TTL of the answer, and what was left out. */
    public record Found(List<DiscoveredProxy> proxies, long ttlSeconds, List<String> problems) {
        public List<InetSocketAddress> addresses() {
            return proxies.stream().map(DiscoveredProxy::address).toList();
        }

        public List<ProxySpec> specs() {
            return proxies.stream().map(ProxyDiscovery::spec).toList();
        }
    }

    private static ProxySpec spec(DiscoveredProxy p) {
        return new ProxySpec(ProxyFarm.name(p.address()), p.priority(), p.weight(), 0);
    }

    private static String where(GatewayConfig.Discovery s) {
        return s.service() + "." + s.domain();
    }

    /** Starts refreshing, the first lookup after the TTL of the one made at start. */
    public void start(long ttlSeconds) {
        schedule(delay(ttlSeconds));
    }

    private long delay(long ttlSeconds) {
        return Math.max(MIN_REFRESH_SECONDS, Math.min(ttlSeconds, settings.refreshSeconds()));
    }

    private void schedule(long seconds) {
        if (!timer.isShutdown()) {
            timer.schedule(this::refresh, seconds, TimeUnit.SECONDS);
        }
    }

    private void refresh() {
        counters.dnsLookups.increment();
        Discovery d;
        try {
            d = resolver.resolve(settings.domain(), settings.service());
        } catch (DiscoveryException | RuntimeException e) {
            counters.dnsFailures.increment();
            long retry = Math.min(RETRY_SECONDS, settings.refreshSeconds());
            log.println("bastion: DNS lookup of " + where(settings) + " failed: " + e.getMessage() + "; keeping the "
                + farm.addresses().size() + " proxies known, trying again in " + retry + " s");
            schedule(retry);
            return;
        }
        loop.execute(() -> apply(d));
        schedule(delay(d.ttlSeconds()));
    }

    /** Applies a lookup's result; on the farm's event loop. */
    void apply(Discovery d) {
        List<String> left = new ArrayList<>(d.problems());
        List<DiscoveredProxy> found = d.proxies(usable, left);
        String problems = String.join("; ", left);
        if (!problems.equals(lastProblems) && !problems.isEmpty()) {
            log.println("bastion: DNS " + where(settings) + ": left out: " + problems);
        }
        lastProblems = problems;
        if (found.isEmpty()) {
            counters.dnsFailures.increment();
            log.println("bastion: DNS " + where(settings) + " lists no proxy this gateway can send to; keeping the "
                + farm.addresses().size() + " proxies known");
            return;
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        List<ProxySpec> specs = new ArrayList<>();
        for (DiscoveredProxy p : found) {
            addresses.add(p.address());
            specs.add(spec(p));
        }
        ProxyFarm.Update u = farm.update(addresses, specs, clock.getAsLong());
        if (u.changed()) {
            roster.changed(farm.addresses());
        }
        counters.proxiesAdded.add(u.added().size());
        counters.proxiesRemoved.add(u.removed().size());
        counters.proxiesRefused.add(u.refused().size());
        for (InetSocketAddress a : u.added()) {
            int i = farm.indexOf(a);
            ProxySpec s = farm.pool().spec(i);
            log.println("bastion: DNS " + where(settings) + ": proxy " + s.name() + " added (priority " + s.priority()
                + ", weight " + s.weight() + ")");
        }
        for (InetSocketAddress a : u.respecified()) {
            ProxySpec s = farm.pool().spec(farm.indexOf(a));
            log.println("bastion: DNS " + where(settings) + ": proxy " + s.name() + " now priority " + s.priority()
                + ", weight " + s.weight());
        }
        for (InetSocketAddress a : u.removed()) {
            int i = farm.indexOf(a);
            log.println("bastion: DNS " + where(settings) + ": proxy " + ProxyFarm.name(a) + " removed: draining (no new"
                + " calls; its " + farm.pool().activeDialogs(i) + " active dialogs finish there)");
        }
        if (!u.refused().isEmpty()) {
            log.println("bastion: DNS " + where(settings) + ": no room for " + u.refused().size() + " more proxies ("
                + settings.maxProxies() + " slots, each held by a proxy or a removed one still draining; raise --max-proxies)");
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
