package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.Await;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * Health end to end: a Kamailio proxy killed behind the gateway is taken down by its unanswered
 * OPTIONS (no call is answered by it either), new calls go to the survivor with none failing, and a
 * Kamailio started again on the same port is taken back after two answered probes.
 */
class ProxyHealthTest {
    private static final long PROBE_MILLIS = 200;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDeadProxyIsTakenDownAndBackUp() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("proxy-health");
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(1000)
                .timeout(Duration.ofSeconds(100)).start();
            KamailioProcess k1 = KamailioProcess.proxy("k1").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess k2 = KamailioProcess.proxy("k2").runDir(dir).nextHop(uas.host(), uas.port()).start()) {
            List<InetSocketAddress> proxies = List.of(new InetSocketAddress(k1.host(), k1.port()),
                new InetSocketAddress(k2.host(), k2.port()));
            GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies,
                MacKeyRing.random(), Limits.DEFAULT);
            config = config.withBalancing(GatewayConfig.Balancing.of(proxies).withAlgorithm(Algorithm.ROUND_ROBIN)
                .withProbeIntervalMillis(PROBE_MILLIS));
            try (Gateway gateway = Gateway.start(config)) {
                int port = gateway.localAddress().getPort();
                String k2Name = k2.host() + ":" + k2.port() + " ";
                assertTrue(calls(dir, "uac-1", port).allSucceeded());

                k2.close();
                long killedAt = System.nanoTime();
                Await.until(Duration.ofSeconds(5), () -> gateway.counters().proxiesDown.sum() == 1,
                    "k2 taken down: " + gateway.counters().summary());
                long downMillis = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.println("k2 down " + downMillis + " ms after it was killed (probes every " + PROBE_MILLIS
                    + " ms, 3 misses)");
                assertTrue(gateway.proxySummaries().stream().anyMatch(l -> l.startsWith(k2Name + "state=down")),
                    gateway.proxySummaries().toString());
                long before = gateway.counters().requestsForwarded.sum();
                SippResult during = calls(dir, "uac-2", port);
                assertTrue(during.allSucceeded(), "no call lost to the dead proxy: " + during.describe());
                assertEquals(3 * 10, gateway.counters().requestsForwarded.sum() - before);

                try (KamailioProcess again = KamailioProcess.proxy("k2b").runDir(dir).listen(k2.host(), k2.port())
                        .nextHop(uas.host(), uas.port()).start()) {
                    Await.until(Duration.ofSeconds(5), () -> gateway.counters().proxiesUp.sum() == 1,
                        "k2 back up: " + gateway.counters().summary());
                    assertTrue(gateway.proxySummaries().stream().anyMatch(l -> l.startsWith(k2Name + "state=up")));
                    assertTrue(calls(dir, "uac-3", port).allSucceeded());
                    assertTrue(again.logLines().stream().anyMatch(l -> l.startsWith("BASTION-E2E k2b INVITE")),
                        "new calls reach the proxy again");
                }
                assertEquals(0, gateway.counters().internalErrors.sum(), gateway.counters().summary());
            }
        }
    }

    private static SippResult calls(Path dir, String name, int port) {
        return SippProcess.builtIn("uac").name(name).runDir(dir).remote("127.0.0.1", port)
            .calls(10).rate(5).timeout(Duration.ofSeconds(30)).run();
    }

}
