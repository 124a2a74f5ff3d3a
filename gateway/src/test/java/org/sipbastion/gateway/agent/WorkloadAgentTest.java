package org.sipbastion.gateway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.crypto.pki.PkiDirectory;
import org.sipbastion.crypto.tls.TlsMaterial;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.cli.MainAccess;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.Await;
import org.sipbastion.testkit.FreePorts;

/** The agent on its own: its configuration's errors, a gateway subscribing, and what it refuses. */
class WorkloadAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path config(String body) throws IOException {
        Path f = dir.resolve("agent.conf");
        Files.writeString(f, body);
        return f;
    }

    @Test
    void everyConfigurationProblemIsNamedWithItsLine() throws IOException {
        Path f = config("# an agent\nlisten = nowhere\nname = p1\ncolour = blue\nperiod = 0\npid = 1\nprocess = kamailio\n"
            + "junk line\nname = again\n");
        AgentConfig.Invalid e = assertThrows(AgentConfig.Invalid.class, () -> AgentConfig.load(f));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains(f + ":2: listen: expected HOST:PORT, got nowhere"), all);
        assertTrue(all.contains(f + ":4: unknown key colour"), all);
        assertTrue(all.contains(f + ":5: period: expected a number from 0.2 to 3600, got 0"), all);
        assertTrue(all.contains(f + ":8: expected key = value"), all);
        assertTrue(all.contains(f + ":9: name is given twice"), all);
        assertTrue(all.contains("certificate is required"), all);
        assertTrue(all.contains("exactly one of cgroup, process and pid"), all);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MainAccess.run(new String[] {"agent", "--config", f.toString()},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(f + ":4: unknown key colour"), err.toString(StandardCharsets.UTF_8));
    }

    private AgentConfig agent(Path pki, int port, String subscribers, String source) throws Exception {
        return AgentConfig.load(config("listen = 127.0.0.1:" + port + "\nname = here\ncertificate = " + pki.resolve("agent.crt")
            + "\nkey = " + pki.resolve("agent.key") + "\ntrust = " + pki.resolve("ca.crt") + "\n" + source + "\nperiod = 0.3\n"
            + (subscribers == null ? "" : "subscribers = " + subscribers + "\n")));
    }

    private Gateway gateway(Path pki, int agentPort) throws Exception {
        List<InetSocketAddress> proxies = List.of(new InetSocketAddress("127.0.0.1", FreePorts.udp()));
        GatewayConfig c = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies, MacKeyRing.random(),
            Limits.DEFAULT);
        TlsMaterial tls = TlsMaterial.load(pki.resolve("gateway.crt"), pki.resolve("gateway.key"), pki.resolve("ca.crt"));
        return Gateway.start(c.withBalancing(GatewayConfig.Balancing.of(proxies).withProbeIntervalMillis(0)
            .withWorkload(new GatewayConfig.Workload(agentPort, tls))));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aGatewaySubscribesAndPlaintextOnTheTlsPortChangesNothing() throws Exception {
        Path pki = dir.resolve("pki");
        PkiDirectory.init(pki, Map.of("gateway", List.of("gw.test", "127.0.0.1"), "agent", List.of("127.0.0.1")), Instant.now());
        int port = FreePorts.tcp();
        try (WorkloadAgent agent = WorkloadAgent.start(agent(pki, port, "gw.test", "pid = " + ProcessHandle.current().pid()),
                System.err);
             Gateway gw = gateway(pki, port)) {
            Await.until(WAIT, () -> gw.counters().workloadReports.sum() >= 2, "reports: " + gw.counters().summary());
            assertTrue(gw.proxySummaries().get(0).contains("cpu="), gw.proxySummaries().toString());

            // Plain SIP on the TLS port: that connection is dropped, the subscription goes on.
            try (Socket plain = new Socket("127.0.0.1", port)) {
                plain.setSoTimeout(5_000);
                plain.getOutputStream().write(("SUBSCRIBE sip:agent@127.0.0.1 SIP/2.0\r\nEvent: x-workload\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[4096];
                int n;
                while ((n = plain.getInputStream().read(buf)) > 0) {
                    assertTrue(n < 4096, "no SIP answer comes back in the clear");
                }
            } catch (java.net.SocketException reset) {
                // closed on us: what we wanted
            }
            long reports = gw.counters().workloadReports.sum();
            Await.until(WAIT, () -> gw.counters().workloadReports.sum() >= reports + 2, "still reporting: " + gw.counters().summary());
            assertEquals(0, gw.counters().workloadRejected.total() + gw.counters().subscriptionFailures.sum(),
                gw.counters().summary());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aGatewayNotAmongTheSubscribersIsRefused() throws Exception {
        Path pki = dir.resolve("pki");
        PkiDirectory.init(pki, Map.of("gateway", List.of("127.0.0.1"), "agent", List.of("127.0.0.1")), Instant.now());
        int port = FreePorts.tcp();
        try (WorkloadAgent agent = WorkloadAgent.start(agent(pki, port, "gw1.example.net", "pid = "
                + ProcessHandle.current().pid()), System.err);
             Gateway gw = gateway(pki, port)) {
            Await.until(WAIT, () -> gw.counters().subscriptionFailures.sum() >= 1, "403: " + gw.counters().summary());
            assertEquals(0, gw.counters().workloadReports.sum());
        }
    }

    /** NOTIFY freshness: the proxy answers its probes, but once its agent is gone it is down. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aProxyWhoseAgentFallsSilentIsTakenDown() throws Exception {
        Path pki = dir.resolve("pki");
        PkiDirectory.init(pki, Map.of("gateway", List.of("127.0.0.1"), "agent", List.of("127.0.0.1")), Instant.now());
        int port = FreePorts.tcp();
        io.netty.channel.EventLoopGroup group = org.sipbastion.gateway.transport.EventLoops.group(1);
        try (org.sipbastion.gateway.demo.DemoProxy proxy = org.sipbastion.gateway.demo.DemoProxy.start("p1", group,
                new InetSocketAddress("127.0.0.1", FreePorts.udp()))) {
            List<InetSocketAddress> proxies = List.of(proxy.address());
            GatewayConfig c = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies, MacKeyRing.random(),
                Limits.DEFAULT);
            TlsMaterial tls = TlsMaterial.load(pki.resolve("gateway.crt"), pki.resolve("gateway.key"), pki.resolve("ca.crt"));
            try (Gateway gw = Gateway.start(c.withBalancing(GatewayConfig.Balancing.of(proxies).withProbeIntervalMillis(500)
                    .withWorkload(new GatewayConfig.Workload(port, tls))))) {
                WorkloadAgent agent = WorkloadAgent.start(agent(pki, port, null, "pid = " + ProcessHandle.current().pid()),
                    System.err);
                try {
                    Await.until(WAIT, () -> gw.counters().workloadReports.sum() >= 2, "reports: " + gw.counters().summary());
                } finally {
                    agent.close();
                }
                long silentAt = System.nanoTime();
                Await.until(Duration.ofSeconds(25), () -> gw.counters().proxiesDown.sum() == 1, "down: " + gw.counters().summary());
                double after = (System.nanoTime() - silentAt) / 1e9;
                System.out.printf("proxy down %.1f s after its agent stopped (probes every 0.5 s, all answered)%n", after);
                assertTrue(after > 14 && after < 18, "about 15 s after the last report: " + after);
                assertTrue(gw.proxySummaries().get(0).contains("state=down"), gw.proxySummaries().toString());
                assertEquals(0, gw.counters().probesMissed.sum(), "the probes were all answered");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUnreadableProxyStopsTheStartWithItsReason() throws Exception {
        Path pki = dir.resolve("pki");
        PkiDirectory.init(pki, Map.of("agent", List.of("127.0.0.1")), Instant.now());
        IOException e = assertThrows(IOException.class, () -> WorkloadAgent.start(agent(pki, FreePorts.tcp(), null,
            "cgroup = " + dir.resolve("no-such-cgroup")), System.err));
        assertTrue(e.getMessage().contains("not a cgroup directory"), e.getMessage());
    }


}
