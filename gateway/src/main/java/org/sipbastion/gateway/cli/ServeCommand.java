package org.sipbastion.gateway.cli;

import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.state.KeyFile;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.admin.AdminSocket;
import org.sipbastion.gateway.discovery.ProxyDiscovery;
import org.sipbastion.tier2.discovery.SrvResolver;
import org.sipbastion.gateway.demo.DemoProxy;
import org.sipbastion.gateway.forward.Destinations;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.gateway.rules.RuleFiles;
import org.sipbastion.parser.Limits;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;

/**
 * {@code bastion demo} and {@code bastion run}: start the gateway (and for the demo, three demo
 * proxies in the same process), print where to send traffic, report counters every 10 seconds
 * while they change, and stop cleanly on Ctrl-C or SIGTERM.
 */
final class ServeCommand {
    /** --admin-socket, or null: STATE_DIR/admin.sock with a state directory, none without. */
    private Path adminSocket;
    private AdminSocket admin;
    private static final String DEMO_HELP = """
        Usage: bastion demo [--port PORT] [--proxy-port PORT] [--rules PATH] [--state-dir DIR] [--events FILE]
                            [--drop-pcap FILE] [--algorithm NAME] [--max-dialogs N] [--dialog-ttl SECONDS]
                            [--topology-hiding on|off]

        Runs SIP Bastion on 127.0.0.1 with three embedded demo proxies (tiny user agent servers
        answering REGISTER, INVITE, ACK, BYE, OPTIONS) and prints where to send traffic.
        Nothing outside this process is needed. Stops on Ctrl-C.

          --port PORT         gateway UDP port (default 5060)
          --proxy-port PORT   first demo proxy port; the others follow (default 5071)
          --rules PATH        tier 1 rule file or directory of *.rules files (default: the
                              shipped default.rules, built in); reloaded on change and SIGHUP
          --state-dir DIR     keep tier 1's learned baseline here across restarts (default: nowhere)
          --events FILE       write tier 1's drops and alarms to FILE as JSON lines, rotated at
                              64 MiB with 5 old files kept (default: alarms on standard error only)
          --drop-pcap FILE    keep samples of dropped datagrams in FILE (pcap; the first of each
                              detector and source each second, at most 100/s; rotated at 64 MiB)
          --algorithm NAME    how new calls are spread (default lstt; see bastion run --help)
          --max-dialogs N     rows of tier 2's dialog table (default 200000)
          --topology-hiding on|off  seal the proxies' Via, Record-Route, Contact (default on)
          --dialog-ttl S      a confirmed dialog nothing refreshes is forgotten after S seconds
                              (default 43200)
          --admin-socket PATH where bastion proxies reaches this gateway (default STATE_DIR/admin.sock
                              with --state-dir, else none)

        Exit codes: 0 stopped normally, 1 could not start (e.g. port in use), 2 usage error.
        """;
    private static final String RUN_HELP = """
        Usage: bastion run (--proxy HOST:PORT[,KEY=VALUE...] [--proxy ...] | --srv DOMAIN [--dns HOST[:PORT]]
                           [--srv-refresh SECONDS] [--max-proxies N]) [--listen ADDR:PORT] [--advertise HOST]
                           [--agent-port PORT --tls-cert FILE --tls-key FILE --trust FILE]
                           [--rules PATH] [--state-dir DIR] [--events FILE]
                           [--drop-pcap FILE] [--nft-set FAMILY:TABLE:SET]
                           [--algorithm NAME] [--max-dialogs N] [--dialog-ttl SECONDS]
                           [--dead-proxy-dialogs reject|reroute] [--domain NAME ...]
                           [--topology-hiding on|off] [--forwarding proxy|transparent]
                           [--probe-interval SECONDS]

        Runs SIP Bastion in front of the given proxies (UDP). Each new call goes to the proxy the
        balancing algorithm chooses; every later message of the call goes to the same proxy (route
        token in our Record-Route, and tier 2's dialog table).

          --srv DOMAIN         find the proxies in DNS instead: the SRV records of _sip._udp.DOMAIN
                               (priority and weight as published; no SRV record: DOMAIN's own A/AAAA
                               on 5060), looked up at start (no answer: the start fails) and again
                               when the TTL runs out, at least every --srv-refresh seconds (default
                               60). A proxy that appears joins with its ramp-up; one that disappears
                               drains (no new calls, its dialogs finish there). A failed lookup keeps
                               the proxies known and is tried again within 10 s.
          --dns HOST[:PORT]    the DNS server to ask (default: the system's, /etc/resolv.conf)
          --max-proxies N      proxies discovery may hold at once, draining ones included (default 32)
          --call-probe URI     every --call-probe-interval seconds (default 30), a whole call (INVITE,
                               200, ACK, BYE) through each proxy to URI, a test address-of-record
                               the proxies route to something that answers; 2 failures in a row
                               take the proxy down although it answers OPTIONS
          --agent-port PORT    subscribe to the workload agent beside each proxy, at the proxy's
                               address and PORT (SIP over mutual TLS 1.3; bastion agent), and take
                               its signed reports for the availability algorithm and LSTT
          --tls-cert FILE      the gateway's certificate (PEM, with its chain) for --agent-port
          --tls-key FILE       its key (PEM)
          --trust FILE         the CA certificates the agents' certificates must chain to
          --listen ADDR:PORT   address to receive SIP on (default 127.0.0.1:5060)
          --proxy HOST:PORT[,priority=P][,weight=W][,capacity=C]
                               a proxy behind the gateway, IP address and port; repeat for each.
                               priority: SRV priority, lower preferred, a higher group used only
                               when no proxy of the lower ones is up (default 0); weight: SRV
                               weight and relative capacity (default 1); capacity: calls/s it is
                               known to sustain, LSTT's estimate until it has measured (default:
                               unknown)
          --advertise HOST     address peers reach us at, put in Via and Record-Route
                               (default: the listen address; required when listening on 0.0.0.0)
          --rules PATH         tier 1 rule file or directory of *.rules files (default: the shipped
                               default.rules, built in); reloaded on change and on SIGHUP, a bad
                               set refused with an alarm and the running one kept
          --state-dir DIR      keep tier 1's learned baseline here across restarts (default: nowhere)
          --admin-socket PATH  where bastion proxies reaches this gateway to list, drain and undrain
                               proxies (a Unix socket, mode 0600; default STATE_DIR/admin.sock with
                               --state-dir, else none)
          --events FILE        write tier 1's drops and alarms to FILE as JSON lines, rotated at
                               64 MiB with 5 old files kept (default: alarms on standard error only)
          --drop-pcap FILE     keep samples of dropped datagrams in FILE (pcap; the first of each
                               detector and source each second, at most 100/s; rotated at 64 MiB)
          --nft-set F:T:S      early drop: add the addresses tier 1 blocks, with the same timeout,
                               to nftables set S (IPv4) and S6 (IPv6) of table T in family F
                               (e.g. inet:bastion:offenders; the sets must exist, flags timeout)
          --algorithm NAME     how new calls are spread: lstt (least expected session-termination
                               time, the default), round-robin, srv-weighted, least-calls, tlwl,
                               response-time, availability (by the load the proxies' agents
                               report; without reports, by weight)
          --max-dialogs N      rows of tier 2's dialog table (default 200000; in STATE_DIR/dialogs.cm
                               with --state-dir, so a restart keeps every dialog on its proxy)
          --dialog-ttl S       a confirmed dialog nothing refreshes is forgotten after S seconds
                               (default 43200, 12 h)
          --domain NAME        a SIP domain the proxies serve (repeatable; *.example.com for every
                               name under it): a client's initial request for any other domain is
                               refused 403, so the gateway is not an open relay (default: none, any
                               domain passes, and the gateway says so at start)
          --dead-proxy-dialogs reject|reroute
                               requests of a dialog whose proxy is down: answered 481 (reject, the
                               default), or sent to a survivor chosen by Call-ID (reroute: only
                               when the proxies share dialog state)
          --probe-interval S   an OPTIONS to every proxy each S seconds (default 5; 0: none); the
                               round trips keep a response time for every proxy, which LSTT falls
                               back on while session-termination times are too few
          --topology-hiding on|off
                               on (the default): clients never see the proxies' Via, Record-Route
                               or (B2BUA) Contact; they are sealed, encrypted and bound to the
                               call, into our own entries and restored when they come back. Seals
                               in messages of dialogs set up while it was on are restored either way
          --forwarding proxy|transparent
                               proxy (the default): a stateless proxy, our Via on every request,
                               every response back through the gateway. transparent (the seed's
                               SEND): no Via of ours, and each request leaves with its sender's
                               own source address (IP_TRANSPARENT: needs CAP_NET_ADMIN, Linux, and
                               the gateway as the proxies' route to the clients), so responses go
                               from the proxies straight to the clients. The gateway then sees no
                               response: only round-robin (the default there) and srv-weighted
                               can choose, topology hiding is off, and tier 1's fake-response and
                               password-guessing checks have nothing to judge (printed at start)

        Exit codes: 0 stopped normally, 1 could not start, 2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean demo;
    /** Counted down once the gateway and the demo proxies are closed. */
    private final CountDownLatch closed = new CountDownLatch(1);

    ServeCommand(PrintStream out, PrintStream err, boolean demo) {
        this.out = out;
        this.err = err;
        this.demo = demo;
    }

    int run(String[] args) {
        InetSocketAddress listen = new InetSocketAddress(loopback(), 5060);
        int proxyPort = 5071;
        String advertise = null;
        BalancingOptions balancing = new BalancingOptions();
        ForwardingOptions forwarding = new ForwardingOptions();
        List<String> domains = new ArrayList<>();
        List<Path> rulePaths = new ArrayList<>();
        Path stateDir = null;
        Path events = null;
        Path dropPcap = null;
        String nftSet = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.print(demo ? DEMO_HELP : RUN_HELP);
                return Main.OK;
            }
            String value = i + 1 < args.length ? args[++i] : null;
            if (value == null) {
                throw new Main.UsageException(a + " needs a value");
            }
            boolean tier2 = switch (a) {
                case "--algorithm", "--max-dialogs", "--dialog-ttl", "--probe-interval" -> true;
                case "--proxy", "--dead-proxy-dialogs", "--srv", "--dns", "--srv-refresh", "--max-proxies",
                     "--agent-port", "--tls-cert", "--tls-key", "--trust", "--call-probe", "--call-probe-interval" ->
                    !demo; // the demo's proxies are its own, never down
                default -> false;
            };
            if (tier2 && balancing.take(a, value) || forwarding.take(a, value)) {
                continue;
            }
            switch (demo ? "demo" + a : "run" + a) {
                case "demo--port" -> listen = new InetSocketAddress(loopback(), port(value));
                case "demo--proxy-port" -> proxyPort = port(value);
                case "run--listen" -> listen = hostPort(value);
                case "run--advertise" -> advertise = value;
                case "demo--rules", "run--rules" -> rulePaths.add(Path.of(value));
                case "demo--state-dir", "run--state-dir" -> stateDir = Path.of(value);
                case "demo--admin-socket", "run--admin-socket" -> adminSocket = Path.of(value);
                case "demo--events", "run--events" -> events = Path.of(value);
                case "demo--drop-pcap", "run--drop-pcap" -> dropPcap = Path.of(value);
                case "run--nft-set" -> nftSet = value;
                case "run--domain" -> domains.add(value);
                default -> throw new Main.UsageException("unknown option " + a);
            }
        }
        if (!demo && balancing.discovers() && !balancing.proxies().isEmpty()) {
            throw new Main.UsageException("--proxy and --srv exclude each other: the proxies come from DNS or from the command line");
        }
        if (!demo && balancing.proxies().isEmpty() && !balancing.discovers()) {
            throw new Main.UsageException("at least one --proxy HOST:PORT (or --srv DOMAIN) is needed");
        }
        Rules rules;
        try {
            rules = RuleFiles.load(rulePaths);
        } catch (RulesException e) {
            err.println("bastion: the rules cannot be used:");
            e.errors().forEach(err::println);
            return Main.FAILED;
        }
        if (forwarding.transparent()) {
            balancing.defaultAlgorithm(org.sipbastion.tier2.balance.Algorithm.ROUND_ROBIN);
        }
        return serve(listen, advertise, balancing, forwarding.build(), domains, proxyPort, rules, rulePaths, stateDir, events, dropPcap, nftSet);
    }

    private int serve(InetSocketAddress listen, String advertise, BalancingOptions balancing,
                      GatewayConfig.Forwarding forwarding, List<String> domains,
                      int proxyPort,
                      Rules rules, List<Path> rulePaths, Path stateDir, Path events, Path dropPcap, String nftSet) {
        List<DemoProxy> demoProxies = new ArrayList<>();
        EventLoopGroup demoGroup = demo ? EventLoops.group(1) : null;
        Gateway gateway = null;
        try {
            if (demo) {
                for (int i = 0; i < 3; i++) {
                    InetSocketAddress at = new InetSocketAddress(loopback(), proxyPort + i);
                    String name = "proxy" + (i + 1);
                    DemoProxy p = startOrExplain(() -> DemoProxy.start(name, demoGroup, at), at);
                    demoProxies.add(p);
                    balancing.add(p.address());
                }
            }
            if (balancing.discovers()) {
                GatewayConfig.Discovery dns = balancing.discovery();
                ProxyDiscovery.Found found;
                try {
                    found = ProxyDiscovery.lookUp(dns, ProxyDiscovery.sendableFrom(listen));
                } catch (SrvResolver.DiscoveryException e) {
                    throw new StartFailure("cannot find the proxies of " + dns.domain() + " in DNS: " + e.getMessage(), e);
                }
                found.problems().forEach(p -> err.println("bastion: DNS " + dns.service() + "." + dns.domain() + ": left out: " + p));
                for (int i = 0; i < found.proxies().size(); i++) {
                    balancing.addDiscovered(found.addresses().get(i), found.specs().get(i));
                }
            }
            // With a state directory the key survives restarts (and can be copied to the HA peer).
            MacKeyRing keys;
            try {
                keys = stateDir == null ? MacKeyRing.random() : KeyFile.loadOrCreate(stateDir);
            } catch (java.io.IOException e) {
                throw new StartFailure("cannot read or make the HMAC key in " + stateDir + ": " + e.getMessage(), e);
            }
            GatewayConfig config = new GatewayConfig(listen, advertise, balancing.proxies(), keys, Limits.DEFAULT, rules,
                rulePaths, stateDir, events, dropPcap, nftSet, balancing.build(), domains, forwarding);
            gateway = startOrExplain(() -> Gateway.start(config), listen);
            Path adminPath = adminSocket != null ? adminSocket : stateDir != null ? stateDir.resolve("admin.sock") : null;
            if (adminPath != null) {
                Gateway g = gateway;
                try {
                    admin = AdminSocket.open(adminPath, g::admin, err);
                } catch (java.io.IOException e) {
                    throw new StartFailure("cannot open the admin socket " + adminPath + ": " + e.getMessage(), e);
                }
            }
            printBanner(gateway, demoProxies);
            awaitShutdown(gateway, demoProxies);
            return Main.OK;
        } catch (StartFailure e) {
            err.println("bastion: " + e.getMessage());
            return Main.FAILED;
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        } finally {
            if (admin != null) {
                admin.close();
            }
            if (gateway != null) {
                gateway.close();
            }
            demoProxies.forEach(DemoProxy::close);
            if (demoGroup != null) {
                demoGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            out.flush();
            closed.countDown();
        }
    }

    private void printBanner(Gateway gateway, List<DemoProxy> demoProxies) {
        InetSocketAddress at = gateway.localAddress();
        String where = at.getAddress().getHostAddress() + ":" + at.getPort();
        out.println("SIP Bastion " + (demo ? "demo " : "") + "listening on udp:" + where + " (" + EventLoops.describe() + ")");
        GatewayConfig.Balancing b = gateway.config().balancing();
        if (b.discovery() != null) {
            GatewayConfig.Discovery d = b.discovery();
            out.println("  proxies from DNS: " + d.service() + "." + d.domain() + " at "
                + (d.server() == null ? "the system's resolver" : d.server().getHostString() + ":" + d.server().getPort())
                + " (looked up again at TTL, at least every " + d.refreshSeconds() + " s; room for " + d.maxProxies() + ")");
        }
        for (org.sipbastion.tier2.pool.ProxySpec p : b.specs()) {
            out.println("  proxy " + p.name() + (p.priority() != 0 || p.weight() != 1 || p.capacity() > 0
                ? " (priority " + p.priority() + ", weight " + p.weight() + (p.capacity() > 0 ? ", capacity "
                + p.capacity() + " calls/s" : "") + ")" : ""));
        }
        out.println(gateway.config().domains().isEmpty()
            ? "  domains: any (initial requests for every domain are relayed to the proxies; set --domain)"
            : "  domains: " + String.join(", ", gateway.config().domains()) + " (other domains refused 403)");
        if (gateway.config().forwarding().transparent()) {
            out.println("  forwarding transparent: no Via of ours; each request leaves with its sender's own address");
            err.println("bastion: warning: transparent forwarding: responses go from the proxies straight to the clients"
                + " and the gateway sees none of them. Off: tier 1's fake-response check and password-guessing stage,"
                + " the session-termination times (LSTT, TLWL, least-calls and response-time cannot run; new calls by "
                + gateway.config().balancing().algorithm().configName + "), topology hiding. Tier 1's fake-BYE check and"
                + " call-rate filter take the caller's ACK for the answer. The gateway must be the proxies' route to the clients.");
        }
        out.println(gateway.config().forwarding().hideTopology()
            ? "  topology hiding on (clients see only this gateway's Via, Record-Route and Contact)"
            : "  topology hiding off: clients see the proxies' Via and Record-Route entries");
        if (admin != null) {
            out.println("  admin socket " + admin.path() + " (bastion proxies --admin-socket " + admin.path() + ")");
        }
        out.println("  new calls by " + b.algorithm().configName + "; dialog table of " + b.maxDialogs() + " rows"
            + (gateway.config().stateDir() == null ? " in memory" : " in " + gateway.config().stateDir().resolve(Gateway.DIALOG_FILE)));
        Rules r = gateway.config().rules();
        out.println("  rules " + String.join(", ", r.files) + " (version " + r.version + ", " + r.rules.size() + " rules, "
            + r.profiles.size() + " profiles" + (gateway.config().rulePaths().isEmpty() ? ")" : "; reloaded on change and SIGHUP)"));
        if (demo) {
            out.println();
            out.println("Send SIP to udp:" + where + ", for example:");
            out.println("  sipp -sn uac " + where + " -m 20 -r 5          # 20 calls through the gateway");
            out.println("  sipsak -s sip:" + where + "                     # OPTIONS, answered by the gateway");
            out.println("Counters are printed every 10 s while traffic flows. Stop with Ctrl-C.");
        }
        out.flush();
    }

    private void awaitShutdown(Gateway gateway, List<DemoProxy> demoProxies) {
        CountDownLatch stop = new CountDownLatch(1);
        // The JVM halts once the hooks return: this one waits until the gateway is closed (the dialog
        // table flushed and unlocked) and the final counters printed.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bastion-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String last = "";
        try {
            while (!stop.await(10, TimeUnit.SECONDS)) {
                String now = gateway.counters().summary();
                if (!now.equals(last)) {
                    out.println("gateway " + now);
                    out.println("  proxies " + String.join(", ", gateway.proxySummaries()));
                    demoProxies.forEach(p -> out.println("  " + p.summary()));
                    out.flush();
                    last = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println("bastion: stopping; " + gateway.counters().summary());
        out.flush();
    }

    private interface Starter<T> {
        T start() throws Exception;
    }

    private static <T> T startOrExplain(Starter<T> starter, InetSocketAddress at) {
        try {
            return starter.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartFailure("interrupted while starting", e);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (java.io.UncheckedIOException e) {
            throw new StartFailure(e.getMessage(), e);
        } catch (Exception e) {
            throw new StartFailure("cannot listen on udp:" + at.getAddress().getHostAddress() + ":" + at.getPort() + " ("
                + e.getMessage() + "); is another SIP server using it? Choose another port with --port.", e);
        }
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    static int port(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new Main.UsageException("not a port number (1-65535): " + s);
        }
    }

    /** HOST:PORT with an IP address (no DNS lookups), IPv6 in brackets. */
    static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new Main.UsageException("expected ADDRESS:PORT, got " + s);
        }
        String host = s.substring(0, colon);
        InetSocketAddress address = Destinations.ipLiteral(host, port(s.substring(colon + 1)));
        if (address == null) {
            throw new Main.UsageException("not an IP address: " + host + " (DNS names come with SRV discovery)");
        }
        return address;
    }

    private static final class StartFailure extends RuntimeException {
        StartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
