package org.sipbastion.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real DNS server for the tests of SRV discovery: dnsmasq in the foreground on 127.0.0.1 and a
 * port of its own, answering only the records the test gives it (no upstream servers, no
 * /etc/hosts, no /etc/resolv.conf), with every query logged to its stderr file.
 *
 * <p>dnsmasq reads SRV and address records from its command line only, so a test that changes the
 * record set {@link #restart(Records)}s it on the same port: to a resolver that is a server that
 * changed its zone.
 */
public final class DnsmasqProcess implements AutoCloseable {
    private static final Duration LIFETIME = Duration.ofMinutes(10);

    private final Path dnsmasq;
    private final Path runDir;
    private final int port;
    private ManagedProcess process;
    private int generation;

    private DnsmasqProcess(Path dnsmasq, Path runDir, int port) {
        this.dnsmasq = dnsmasq;
        this.runDir = runDir;
        this.port = port;
    }

    /** Starts a server for {@code records} on a free port of 127.0.0.1 (skips or fails without dnsmasq). */
    public static DnsmasqProcess start(String name, Records records) {
        Path binary = ExternalTool.require("dnsmasq");
        DnsmasqProcess p = new DnsmasqProcess(binary, RunDirs.create(name), FreePorts.udpAndTcp());
        p.launch(records);
        return p;
    }

    /** Stops the server and starts it again on the same port with {@code records}. */
    public void restart(Records records) {
        process.close();
        launch(records);
    }

    private void launch(Records records) {
        List<String> cmd = new ArrayList<>(List.of(dnsmasq.toString(),
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces",
            "--listen-address=" + FreePorts.LOOPBACK, "--port=" + port, "--pid-file=", "--user=" + user(),
            "--log-queries", "--log-facility=-", "--local-ttl=" + records.ttl,
            // Every name is ours: a name or type it has no record of is NXDOMAIN or NODATA, as from an
            // authoritative server, not REFUSED for want of an upstream server.
            "--local=/#/"));
        cmd.addAll(records.args);
        String name = "dnsmasq-" + (generation++);
        process = ManagedProcess.start(name, cmd, runDir, LIFETIME);
        process.awaitReady("dnsmasq listening on " + port, Duration.ofSeconds(10),
            () -> process.stderrLines().stream().anyMatch(l -> l.contains("started, version")));
    }

    private static String user() {
        String u = System.getProperty("user.name");
        return u == null || u.isBlank() ? "root" : u;
    }

    public String host() {
        return FreePorts.LOOPBACK;
    }

    public int port() {
        return port;
    }

    /** host:port, as the gateway's {@code --dns} takes it. */
    public String address() {
        return host() + ":" + port;
    }

    /** The queries it answered so far (dnsmasq's "query[...]" log lines). */
    public List<String> queries() {
        return process.stderrLines().stream().filter(l -> l.contains("query[")).toList();
    }

    public Path runDir() {
        return runDir;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    /** A record set: SRV records and the addresses of their targets, and the TTL of every answer. */
    public static final class Records {
        private final List<String> args = new ArrayList<>();
        private int ttl = 0;

        /** An SRV record {@code name} (e.g. {@code _sip._udp.example.test}) pointing at target:port. */
        public Records srv(String name, String target, int port, int priority, int weight) {
            args.add("--srv-host=" + name + "," + target + "," + port + "," + priority + "," + weight);
            return this;
        }

        /** A and AAAA records of {@code name}: each of {@code addresses} is IPv4 or IPv6. */
        public Records host(String name, String... addresses) {
            args.add("--host-record=" + name + "," + String.join(",", addresses));
            return this;
        }

        /** The TTL of every answer, seconds (0, dnsmasq's default: never cached). */
        public Records ttl(int seconds) {
            this.ttl = seconds;
            return this;
        }
    }
}
