package org.sipbastion.gateway.cli;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.tier2.balance.Algorithm;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.pool.ProxySpec;

/**
 * Tier 2's command-line options: the proxies with their SRV priority, weight and capacity, the
 * algorithm, and the dialog table. Each error names the option and what it expected.
 */
final class BalancingOptions {
    private final List<InetSocketAddress> proxies = new ArrayList<>();
    private final List<ProxySpec> specs = new ArrayList<>();
    private Algorithm algorithm = Algorithm.LSTT;
    private boolean algorithmGiven;
    private long maxDialogs = GatewayConfig.Balancing.DEFAULT_MAX_DIALOGS;
    private long dialogTtlSeconds = ProxyFarm.DEFAULT_TTL_MILLIS / 1000;
    private ProxyFarm.DeadProxyDialogs deadProxyDialogs = ProxyFarm.DeadProxyDialogs.REJECT;
    private long probeIntervalMillis = GatewayConfig.Balancing.DEFAULT_PROBE_INTERVAL_MILLIS;
    private String srvDomain;
    private Integer agentPort;
    private String callProbeTarget;
    private Long callProbeInterval;
    private java.nio.file.Path tlsCert;
    private java.nio.file.Path tlsKey;
    private java.nio.file.Path trust;
    private InetSocketAddress dnsServer;
    private Long srvRefresh;
    private Integer maxProxies;

    /** Takes option {@code name} with {@code value}; false when it is not one of ours. Bad values are usage errors. */
    boolean take(String name, String value) {
        switch (name) {
            case "--proxy" -> proxy(value);
            case "--algorithm" -> {
                try {
                    algorithm = Algorithm.named(value);
                    algorithmGiven = true;
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageException("--algorithm: " + e.getMessage());
                }
            }
            case "--call-probe" -> callProbeTarget = value.trim();
            case "--call-probe-interval" -> callProbeInterval = positive("--call-probe-interval", value, 3600);
            case "--agent-port" -> agentPort = (int) positive("--agent-port", value, 65535);
            case "--tls-cert" -> tlsCert = java.nio.file.Path.of(value);
            case "--tls-key" -> tlsKey = java.nio.file.Path.of(value);
            case "--trust" -> trust = java.nio.file.Path.of(value);
            case "--srv" -> {
                if (value.isBlank()) {
                    throw new Main.UsageException("--srv needs a domain");
                }
                srvDomain = value.trim();
            }
            case "--dns" -> dnsServer = ServeCommand.hostPort(value.contains(":") ? value : value + ":53");
            case "--srv-refresh" -> srvRefresh = positive("--srv-refresh", value, 86_400);
            case "--max-proxies" -> maxProxies = (int) positive("--max-proxies", value, 1024);
            case "--max-dialogs" -> maxDialogs = positive("--max-dialogs", value, 100_000_000);
            case "--dialog-ttl" -> dialogTtlSeconds = positive("--dialog-ttl", value, 7 * 86_400);
            case "--probe-interval" -> {
                double seconds = number("--probe-interval", value, 0, 3600);
                if (seconds != 0 && seconds < 0.1) {
                    throw new Main.UsageException("--probe-interval: 0 (no probes) or at least 0.1 seconds, not " + value);
                }
                probeIntervalMillis = Math.round(seconds * 1000);
            }
            case "--dead-proxy-dialogs" -> {
                try {
                    deadProxyDialogs = ProxyFarm.DeadProxyDialogs.valueOf(value.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageException("--dead-proxy-dialogs: reject or reroute, not " + value);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The algorithm when none was given (transparent forwarding cannot use LSTT). */
    void defaultAlgorithm(Algorithm a) {
        if (!algorithmGiven) {
            algorithm = a;
        }
    }

    /** ADDRESS:PORT[,priority=P][,weight=W][,capacity=C]. */
    private void proxy(String value) {
        String[] parts = value.split(",");
        InetSocketAddress address = ServeCommand.hostPort(parts[0].trim());
        int priority = 0;
        int weight = 1;
        double capacity = 0;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            String key = kv[0].trim();
            if (kv.length != 2) {
                throw new Main.UsageException("--proxy " + value + ": expected KEY=VALUE after the address, got " + parts[i]);
            }
            switch (key) {
                case "priority" -> priority = (int) number("--proxy " + value + ": priority", kv[1], 0, 65535);
                case "weight" -> weight = (int) number("--proxy " + value + ": weight", kv[1], 1, 65535);
                case "capacity" -> capacity = number("--proxy " + value + ": capacity (calls/s)", kv[1], 0, 1_000_000);
                default -> throw new Main.UsageException("--proxy " + value + ": unknown key " + key
                    + " (priority, weight, capacity)");
            }
        }
        add(address, new ProxySpec(ProxyFarm.name(address), priority, weight, capacity));
    }

    /** A proxy not given by --proxy (the demo's own): priority 0, weight 1, capacity unknown. */
    void add(InetSocketAddress address) {
        add(address, ProxySpec.of(ProxyFarm.name(address)));
    }

    private void add(InetSocketAddress address, ProxySpec spec) {
        if (proxies.contains(address)) {
            throw new Main.UsageException("--proxy " + ProxyFarm.name(address) + " is given twice");
        }
        proxies.add(address);
        specs.add(spec);
    }

    List<InetSocketAddress> proxies() {
        return proxies;
    }

    /** Whether the proxies come from DNS (--srv) rather than --proxy. */
    boolean discovers() {
        return srvDomain != null;
    }

    /** A proxy found in DNS at start. */
    void addDiscovered(InetSocketAddress address, ProxySpec spec) {
        add(address, spec);
    }

    GatewayConfig.Balancing build() {
        return new GatewayConfig.Balancing(algorithm, specs, maxDialogs, dialogTtlSeconds, deadProxyDialogs,
            probeIntervalMillis, discovery(), workload(), callProbe());
    }

    /** The call-through probe asked for with --call-probe, or null. */
    GatewayConfig.CallProbe callProbe() {
        if (callProbeTarget == null) {
            if (callProbeInterval != null) {
                throw new Main.UsageException("--call-probe-interval goes with --call-probe URI");
            }
            return null;
        }
        try {
            return new GatewayConfig.CallProbe(callProbeTarget, callProbeInterval == null
                ? GatewayConfig.CallProbe.DEFAULT_INTERVAL_MILLIS : callProbeInterval * 1000);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--call-probe: " + e.getMessage());
        }
    }

    /** The workload subscriptions asked for with --agent-port, or null; the TLS files are read here. */
    GatewayConfig.Workload workload() {
        boolean any = tlsCert != null || tlsKey != null || trust != null;
        if (agentPort == null) {
            if (any) {
                throw new Main.UsageException("--tls-cert, --tls-key and --trust go with --agent-port PORT");
            }
            return null;
        }
        if (tlsCert == null || tlsKey == null || trust == null) {
            throw new Main.UsageException("--agent-port needs --tls-cert FILE, --tls-key FILE and --trust FILE"
                + " (bastion pki init makes them)");
        }
        try {
            return new GatewayConfig.Workload(agentPort, org.sipbastion.crypto.tls.TlsMaterial.load(tlsCert, tlsKey, trust));
        } catch (java.io.IOException e) {
            throw new Main.UsageException("the TLS files cannot be used: " + e.getMessage());
        }
    }

    /** The DNS discovery asked for with --srv, or null. */
    GatewayConfig.Discovery discovery() {
        if (srvDomain == null) {
            if (dnsServer != null || srvRefresh != null || maxProxies != null) {
                throw new Main.UsageException("--dns, --srv-refresh and --max-proxies go with --srv DOMAIN");
            }
            return null;
        }
        try {
            return new GatewayConfig.Discovery(srvDomain, GatewayConfig.Discovery.DEFAULT_SERVICE, dnsServer,
                srvRefresh == null ? GatewayConfig.Discovery.DEFAULT_REFRESH_SECONDS : srvRefresh,
                maxProxies == null ? GatewayConfig.Discovery.DEFAULT_MAX_PROXIES : maxProxies);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--srv " + srvDomain + ": " + e.getMessage());
        }
    }

    private static long positive(String option, String value, long max) {
        return (long) number(option, value, 1, max);
    }

    private static double number(String what, String value, double min, double max) {
        try {
            double d = Double.parseDouble(value.trim());
            if (!(d >= min && d <= max)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new Main.UsageException(what + ": expected a number from " + fmt(min) + " to " + fmt(max) + ", got " + value);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
