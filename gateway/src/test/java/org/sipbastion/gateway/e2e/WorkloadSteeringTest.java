package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.crypto.pki.PkiDirectory;
import org.sipbastion.crypto.tls.TlsMaterial;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.agent.AgentConfig;
import org.sipbastion.gateway.agent.WorkloadAgent;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.Await;
import org.sipbastion.testkit.CpuQuota;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.FreePorts;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * New calls steered by signed workload reports, end to end: two Kamailio proxies, each in its own
 * CPU cgroup (half a core), each with a workload agent beside it reading that cgroup and NOTIFYing
 * the gateway every 500 ms over mutual TLS; the gateway spreads new calls by availability. Then a
 * busy loop joins the first proxy's cgroup: within two NOTIFY periods that proxy's share of new
 * calls falls, while every call still completes.
 */
class WorkloadSteeringTest {
    private static final long PERIOD_MILLIS = 500;
    private static final int CALLS = 30;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aLoadedProxysShareOfNewCallsFallsWithinTwoPeriods() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        if (!CpuQuota.available()) {
            ExternalTool.unavailable("no cpu cgroup can be made here (needs root and a cpu controller)");
        }
        Path dir = RunDirs.create("workload-steering");
        Path pki = dir.resolve("pki");
        PkiDirectory.init(pki, Map.of("gateway", List.of("127.0.0.1"), "agent-k1", List.of("127.0.0.2"),
            "agent-k2", List.of("127.0.0.3")), java.time.Instant.now());
        int agentPort = FreePorts.tcp();
        try (CpuQuota q1 = CpuQuota.create("steer-k1", 0.5);
             CpuQuota q2 = CpuQuota.create("steer-k2", 0.5);
             SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(1000)
                 .timeout(Duration.ofSeconds(120)).start();
             KamailioProcess k1 = KamailioProcess.proxy("k1").runDir(dir).listen("127.0.0.2", FreePorts.udp())
                 .cpuQuota(q1).nextHop(uas.host(), uas.port()).start();
             KamailioProcess k2 = KamailioProcess.proxy("k2").runDir(dir).listen("127.0.0.3", FreePorts.udp())
                 .cpuQuota(q2).nextHop(uas.host(), uas.port()).start();
             WorkloadAgent a1 = WorkloadAgent.start(agentConfig(dir, pki, "k1", "127.0.0.2", agentPort, q1, k1.controlSocket()), System.err);
             WorkloadAgent a2 = WorkloadAgent.start(agentConfig(dir, pki, "k2", "127.0.0.3", agentPort, q2, k2.controlSocket()), System.err)) {
            List<InetSocketAddress> proxies = List.of(new InetSocketAddress(k1.host(), k1.port()),
                new InetSocketAddress(k2.host(), k2.port()));
            GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies,
                MacKeyRing.random(), Limits.DEFAULT);
            TlsMaterial tls = TlsMaterial.load(pki.resolve("gateway.crt"), pki.resolve("gateway.key"), pki.resolve("ca.crt"));
            config = config.withBalancing(GatewayConfig.Balancing.of(proxies).withAlgorithm(Algorithm.AVAILABILITY)
                .withProbeIntervalMillis(0).withWorkload(new GatewayConfig.Workload(agentPort, tls)));
            try (Gateway gateway = Gateway.start(config)) {
                int port = gateway.localAddress().getPort();
                Await.until(Duration.ofSeconds(10), () -> gateway.counters().workloadReports.sum() >= 4,
                    "reports from both agents: " + gateway.counters().summary());

                SippResult before = calls(dir, "uac-before", port);
                assertTrue(before.allSucceeded(), before.describe());
                Map<String, Integer> first = split(k1, k2);
                System.out.println("both idle, " + CALLS + " calls: " + first + "; " + gateway.proxySummaries());

                Process hog = new ProcessBuilder(q1.wrap(List.of("sh", "-c", "ulimit -t 60; while :; do :; done"))).start();
                try {
                    long loadedAt = System.nanoTime();
                    Thread.sleep(2 * PERIOD_MILLIS);
                    String k1Line = gateway.proxySummaries().get(0);
                    System.out.println("two periods after loading k1's cgroup: " + gateway.proxySummaries());
                    SippResult after = calls(dir, "uac-after", port);
                    assertTrue(after.allSucceeded(), "calls still complete: " + after.describe());
                    Map<String, Integer> total = split(k1, k2);
                    int k1After = total.getOrDefault("k1", 0) - first.getOrDefault("k1", 0);
                    System.out.printf("k1 loaded, %d calls: k1=%d k2=%d (%.1f s after loading)%n", CALLS, k1After,
                        CALLS - k1After, (System.nanoTime() - loadedAt) / 1e9);
                    assertTrue(first.getOrDefault("k1", 0) >= CALLS / 4, "idle, k1 took its share: " + first);
                    assertTrue(k1After <= CALLS / 6, "loaded, k1's share fell: " + k1After + " of " + CALLS + "; " + k1Line);
                } finally {
                    hog.destroyForcibly().waitFor();
                }
                assertEquals(0, gateway.counters().workloadRejected.total(), gateway.counters().summary());
            }
        }
    }

    private static AgentConfig agentConfig(Path dir, Path pki, String name, String host, int port, CpuQuota q, Path ctl)
            throws Exception {
        Path file = dir.resolve("agent-" + name + ".conf");
        Files.writeString(file, "# agent beside " + name + "\n"
            + "listen = " + host + ":" + port + "\n"
            + "name = " + name + "\n"
            + "certificate = " + pki.resolve("agent-" + name + ".crt") + "\n"
            + "key = " + pki.resolve("agent-" + name + ".key") + "\n"
            + "trust = " + pki.resolve("ca.crt") + "\n"
            + "cgroup = " + q.dir() + "\n"
            + "period = " + PERIOD_MILLIS / 1000.0 + "\n"
            + "subscribers = 127.0.0.1\n"
            + "kamailio_ctl = unix:" + ctl + "\n"
            + "kamcmd = " + ExternalTool.require("kamcmd") + "\n");
        return AgentConfig.load(file);
    }

    private static SippResult calls(Path dir, String name, int port) {
        return SippProcess.builtIn("uac").name(name).runDir(dir).remote("127.0.0.1", port)
            .calls(CALLS).rate(6).timeout(Duration.ofSeconds(40)).run();
    }

    /** INVITEs each proxy relayed, from their logs ("BASTION-E2E tag method call-id"). */
    private static Map<String, Integer> split(KamailioProcess... proxies) {
        Map<String, Integer> out = new TreeMap<>();
        for (KamailioProcess k : proxies) {
            for (String line : k.logLines()) {
                String[] f = line.split(" ");
                if (f.length == 4 && f[0].equals("BASTION-E2E") && f[2].equals("INVITE")) {
                    out.merge(f[1], 1, Integer::sum);
                }
            }
        }
        return out;
    }

}
