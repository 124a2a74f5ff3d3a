package org.sipbastion.gateway;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.parser.Limits;
import org.sipbastion.gateway.forward.ServedDomains;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier2.balance.Algorithm;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.pool.ProxySpec;

/**
 * What one gateway instance needs to run (the first slice: static proxies, UDP).
 *
 * @param listen     local UDP address and port
 * @param advertised host name or address we put in Via and Record-Route (what peers send back to)
 * @param proxies    the proxy farm behind us, in configuration order
 * @param keys       HMAC keys for derived branches
 * @param limits     parser limits
 * @param rules      tier 1's rules (thresholds, profiles, match rules)
 * @param rulePaths  where the rules were read from, reloaded on change; empty: built in, not watched
 * @param stateDir   where learned state (tier 1's baseline) is kept across restarts; null: nowhere
 * @param eventLog   JSON-lines file for tier 1's drops and alarms (rotated); null: none
 * @param dropCapture pcap file for samples of dropped datagrams (rotated); null: none
 * @param nftSet     FAMILY:TABLE:SET that blocked addresses are added to (early drop); null: none
 * @param balancing  tier 2's algorithm and each proxy's priority, weight and capacity; null: LSTT, all equal
 * @param domains    the SIP domains the farm serves (a client's initial request must be for one of them,
 *                   or for us by address); empty: any (not checked)
 * @param forwarding how requests are forwarded and what clients see of the farm; null: {@link Forwarding#DEFAULT}
 */
public record GatewayConfig(
    InetSocketAddress listen, String advertised, List<InetSocketAddress> proxies, MacKeyRing keys, Limits limits,
    Rules rules, List<Path> rulePaths, Path stateDir, Path eventLog, Path dropCapture, String nftSet,
    Balancing balancing, List<String> domains, Forwarding forwarding) {

    /** LSTT over proxies of equal priority, weight 1, capacity unknown. */
    public GatewayConfig(InetSocketAddress listen, String advertised, List<InetSocketAddress> proxies, MacKeyRing keys,
                         Limits limits, Rules rules, List<Path> rulePaths, Path stateDir, Path eventLog, Path dropCapture,
                         String nftSet) {
        this(listen, advertised, proxies, keys, limits, rules, rulePaths, stateDir, eventLog, dropCapture, nftSet, null,
            List.of(), null);
    }

    /** With tier 1's default rules, no rule files to watch, no state kept. */
    public GatewayConfig(InetSocketAddress listen, String advertised, List<InetSocketAddress> proxies, MacKeyRing keys,
                         Limits limits) {
        this(listen, advertised, proxies, keys, limits, Rules.defaults());
    }

    /** With these rules, no rule files to watch, no state kept. */
    public GatewayConfig(InetSocketAddress listen, String advertised, List<InetSocketAddress> proxies, MacKeyRing keys,
                         Limits limits, Rules rules) {
        this(listen, advertised, proxies, keys, limits, rules, List.of(), null, null, null, null);
    }

    /** The algorithms that choose without learning from responses: the only ones transparent forwarding allows. */
    public static final java.util.Set<Algorithm> WITHOUT_RESPONSES =
        java.util.Collections.unmodifiableSet(java.util.EnumSet.of(Algorithm.ROUND_ROBIN, Algorithm.SRV_WEIGHTED,
            Algorithm.AVAILABILITY));

    public GatewayConfig {
        if (proxies.isEmpty()) {
            throw new IllegalArgumentException("at least one proxy is needed");
        }
        if (advertised == null || advertised.isBlank()) {
            if (listen.getAddress().isAnyLocalAddress()) {
                throw new IllegalArgumentException(
                    "listening on all addresses (" + listen + "): say which address peers reach us at (--advertise)");
            }
            advertised = listen.getAddress().getHostAddress();
        }
        proxies = List.copyOf(proxies);
        rulePaths = List.copyOf(rulePaths);
        domains = List.copyOf(domains == null ? List.of() : domains);
        new ServedDomains(domains); // a bad name fails here, with what is wrong
        if (forwarding == null) {
            forwarding = Forwarding.DEFAULT;
        }
        if (balancing == null) {
            balancing = Balancing.of(proxies).withAlgorithm(forwarding.transparent() ? Algorithm.ROUND_ROBIN : Algorithm.LSTT);
        } else if (balancing.specs().size() != proxies.size()) {
            throw new IllegalArgumentException("one priority/weight/capacity spec per proxy is needed");
        }
        if (forwarding.transparent() && !WITHOUT_RESPONSES.contains(balancing.algorithm())) {
            throw new IllegalArgumentException("transparent forwarding: the gateway sees no response, and "
                + balancing.algorithm().configName + " learns from them; use round-robin, srv-weighted or availability");
        }
    }

    /**
     * Tier 2: the choice of proxy for new calls and the dialog table.
     *
     * @param algorithm        the balancing algorithm (LSTT by default; the peers for comparison)
     * @param specs            each proxy's SRV priority, weight and capacity, in the order of {@code proxies}
     * @param maxDialogs       rows of the dialog table (kept in STATE_DIR/dialogs.cm when there is a state directory)
     * @param dialogTtlSeconds TTL backstop of a confirmed dialog that nothing refreshes
     * @param deadProxyDialogs the requests of a dialog whose proxy is down: rejected (481) or re-routed
     * @param probeIntervalMillis time between the gateway's OPTIONS to each proxy, whose round trips
     *                         keep a response time for every proxy (0: no probes)
     * @param discovery        where the proxies are found in DNS and how often asked again; null: the
     *                         proxies given are all there is
     * @param workload         where the proxies' agents listen and the TLS identity to subscribe with;
     *                         null: no workload reports
     * @param callProbe        the call-through probe's test address-of-record and interval; null: none
     */
    public record Balancing(Algorithm algorithm, List<ProxySpec> specs, long maxDialogs, long dialogTtlSeconds,
                            ProxyFarm.DeadProxyDialogs deadProxyDialogs, long probeIntervalMillis, Discovery discovery,
                            Workload workload, CallProbe callProbe) {
        /** Rows by default: twice 100,000 concurrent calls, for the ended ones lingering beside them. */
        public static final long DEFAULT_MAX_DIALOGS = 200_000;
        /** Kamailio's dispatcher pings every 10 s; twice as often keeps a response time younger than LSTT's 60 s. */
        public static final long DEFAULT_PROBE_INTERVAL_MILLIS = 5_000;

        public Balancing {
            if (algorithm == null || deadProxyDialogs == null) {
                throw new IllegalArgumentException("a balancing algorithm and a dead-proxy policy are needed");
            }
            if (maxDialogs < 1 || dialogTtlSeconds < 1) {
                throw new IllegalArgumentException("the dialog table needs at least one row and a TTL of at least 1 s");
            }
            if (probeIntervalMillis != 0 && probeIntervalMillis < 100) {
                throw new IllegalArgumentException("the probe interval is 0 (no probes) or at least 100 ms");
            }
            if (callProbe != null && probeIntervalMillis == 0) {
                throw new IllegalArgumentException("the call-through probe feeds health, which needs OPTIONS probes"
                    + " (a probe interval above 0)");
            }
            specs = List.copyOf(specs);
        }

        /** LSTT over these proxies, all equal; the default table size and TTL; dialogs of a dead proxy rejected. */
        public static Balancing of(List<InetSocketAddress> proxies) {
            return new Balancing(Algorithm.LSTT, ProxyFarm.plainSpecs(proxies), DEFAULT_MAX_DIALOGS,
                ProxyFarm.DEFAULT_TTL_MILLIS / 1000, ProxyFarm.DeadProxyDialogs.REJECT, DEFAULT_PROBE_INTERVAL_MILLIS, null, null, null);
        }

        public Balancing withAlgorithm(Algorithm a) {
            return new Balancing(a, specs, maxDialogs, dialogTtlSeconds, deadProxyDialogs, probeIntervalMillis, discovery, workload, callProbe);
        }

        public Balancing withMaxDialogs(long n) {
            return new Balancing(algorithm, specs, n, dialogTtlSeconds, deadProxyDialogs, probeIntervalMillis, discovery, workload, callProbe);
        }

        public Balancing withDeadProxyDialogs(ProxyFarm.DeadProxyDialogs d) {
            return new Balancing(algorithm, specs, maxDialogs, dialogTtlSeconds, d, probeIntervalMillis, discovery, workload, callProbe);
        }

        public Balancing withProbeIntervalMillis(long millis) {
            return new Balancing(algorithm, specs, maxDialogs, dialogTtlSeconds, deadProxyDialogs, millis, discovery, workload, callProbe);
        }

        public Balancing withDiscovery(Discovery d) {
            return new Balancing(algorithm, specs, maxDialogs, dialogTtlSeconds, deadProxyDialogs, probeIntervalMillis, d,
                workload, callProbe);
        }

        public Balancing withWorkload(Workload w) {
            return new Balancing(algorithm, specs, maxDialogs, dialogTtlSeconds, deadProxyDialogs, probeIntervalMillis,
                discovery, w, callProbe);
        }

        public Balancing withCallProbe(CallProbe c) {
            return new Balancing(algorithm, specs, maxDialogs, dialogTtlSeconds, deadProxyDialogs, probeIntervalMillis,
                discovery, workload, c);
        }

        /** Proxies the farm has room for: as many as given, or discovery's bound. */
        public int proxySlots() {
            return discovery == null ? specs.size() : Math.max(specs.size(), discovery.maxProxies());
        }
    }

    /**
     * The call-through probe: a whole call (INVITE, 200, ACK, BYE) through each proxy to
     * {@code target}, a test address-of-record the proxies route to something that answers, every
     * {@code intervalMillis}.
     */
    public record CallProbe(String target, long intervalMillis) {
        public static final long DEFAULT_INTERVAL_MILLIS = 30_000;

        public CallProbe {
            if (target == null || !target.matches("sips?:[^\\s<>\"]+@[^\\s<>\"]+")) {
                throw new IllegalArgumentException("the call-through probe's target is a SIP URI (sip:user@domain), not "
                    + target);
            }
            if (intervalMillis < 1000) {
                throw new IllegalArgumentException("the call-through probe's interval is at least 1 s");
            }
        }
    }

    /**
     * Workload reports: the gateway subscribes to the agent beside each proxy, at the proxy's address
     * and {@code agentPort}, over mutual TLS with {@code tls} (its certificate, key and trust store).
     */
    public record Workload(int agentPort, org.sipbastion.crypto.tls.TlsMaterial tls) {
        public Workload {
            if (agentPort < 1 || agentPort > 65535) {
                throw new IllegalArgumentException("the agents' port is 1 to 65535, not " + agentPort);
            }
            if (tls == null) {
                throw new IllegalArgumentException("workload reports need the gateway's certificate, key and trust store");
            }
        }
    }

    /**
     * Proxies found in DNS (RFC 3263): the SRV records of {@code service} in {@code domain}, asked
     * again when their TTL runs out and at least every {@code refreshSeconds}; changes are applied
     * while calls run (a proxy gone from DNS drains).
     *
     * @param domain         the SIP domain whose proxies these are
     * @param service        the SRV service; {@code _sip._udp}, the transport the gateway forwards on
     * @param server         the DNS server, host:port; null: the system's resolver (resolv.conf)
     * @param refreshSeconds the longest time between two lookups, whatever the TTL says
     * @param maxProxies     proxies the farm has room for, those draining included
     */
    public record Discovery(String domain, String service, InetSocketAddress server, long refreshSeconds, int maxProxies) {
        public static final String DEFAULT_SERVICE = "_sip._udp";
        public static final long DEFAULT_REFRESH_SECONDS = 60;
        public static final int DEFAULT_MAX_PROXIES = 32;

        public Discovery {
            if (domain == null || domain.isBlank()) {
                throw new IllegalArgumentException("discovery needs a domain");
            }
            if (!DEFAULT_SERVICE.equals(service)) {
                throw new IllegalArgumentException("the gateway forwards to its proxies over UDP: the SRV service is "
                    + DEFAULT_SERVICE + ", not " + service);
            }
            if (refreshSeconds < 1 || refreshSeconds > 86_400) {
                throw new IllegalArgumentException("the DNS refresh interval is 1 s to 1 day, not " + refreshSeconds + " s");
            }
            if (maxProxies < 1 || maxProxies > 1024) {
                throw new IllegalArgumentException("room for 1 to 1024 proxies, not " + maxProxies);
            }
        }
    }

    public GatewayConfig withBalancing(Balancing b) {
        return new GatewayConfig(listen, advertised, proxies, keys, limits, rules, rulePaths, stateDir, eventLog, dropCapture,
            nftSet, b, domains, forwarding);
    }

    public GatewayConfig withDomains(List<String> served) {
        return new GatewayConfig(listen, advertised, proxies, keys, limits, rules, rulePaths, stateDir, eventLog, dropCapture,
            nftSet, balancing, served, forwarding);
    }

    public GatewayConfig withForwarding(Forwarding f) {
        return new GatewayConfig(listen, advertised, proxies, keys, limits, rules, rulePaths, stateDir, eventLog, dropCapture,
            nftSet, balancing, domains, f);
    }

    /**
     * How requests go to the proxies and what clients see of them.
     *
     * @param hideTopology the proxies' Via, Record-Route and (B2BUA) Contact are sealed into entries of
     *                     ours on the way to clients, and restored when they come back
     * @param transparent  the seed's "SEND": requests are forwarded without a Via of ours and with
     *                     their sender's source address (IP_TRANSPARENT), so responses go from the
     *                     proxies straight to the clients and the gateway never sees them
     */
    public record Forwarding(boolean hideTopology, boolean transparent) {
        /** Stateless proxy with topology hiding. */
        public static final Forwarding DEFAULT = new Forwarding(true, false);

        public Forwarding {
            if (transparent && hideTopology) {
                throw new IllegalArgumentException("topology hiding needs the responses, which transparent forwarding"
                    + " sends past the gateway: turn it off (--topology-hiding off)");
            }
        }

        public Forwarding(boolean hideTopology) {
            this(hideTopology, false);
        }
    }

    public GatewayConfig withListen(InetSocketAddress address) {
        return new GatewayConfig(address, advertised, proxies, keys, limits, rules, rulePaths, stateDir, eventLog, dropCapture,
            nftSet, balancing, domains, forwarding);
    }
}
