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
import org.sipbastion.testkit.FreePorts;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * The call-through probe finds what OPTIONS cannot: two Kamailio proxies both answer OPTIONS, but
 * the second relays calls to a next hop that is gone (as a proxy whose registrar or database is
 * broken). Whole probe calls (INVITE, 200, ACK, BYE) pass through the first, fail through the
 * second, which is taken down; the clients' calls then all go to the first and complete.
 */
class CallProbeTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aProxyThatAnswersOptionsButCannotCompleteCallsIsTakenDown() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("call-probe");
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(1000)
                .timeout(Duration.ofSeconds(100)).start();
            KamailioProcess good = KamailioProcess.proxy("good").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess broken = KamailioProcess.proxy("broken").runDir(dir).nextHop("127.0.0.1", FreePorts.udp()).start()) {
            List<InetSocketAddress> proxies = List.of(new InetSocketAddress(good.host(), good.port()),
                new InetSocketAddress(broken.host(), broken.port()));
            GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies,
                MacKeyRing.random(), Limits.DEFAULT);
            config = config.withBalancing(GatewayConfig.Balancing.of(proxies).withAlgorithm(Algorithm.ROUND_ROBIN)
                .withProbeIntervalMillis(500).withCallProbe(new GatewayConfig.CallProbe("sip:probe@bastion.test", 2_000)));
            try (Gateway gateway = Gateway.start(config)) {
                var c = gateway.counters();
                Await.until(Duration.ofSeconds(30), () -> c.proxiesDown.sum() == 1, "the broken proxy down: " + c.summary());
                List<String> lines = gateway.proxySummaries();
                assertTrue(lines.get(1).contains("state=down") && lines.get(0).contains("state=up"), lines.toString());
                assertTrue(c.callProbesPassed.sum() >= 1, "probe calls through the good proxy pass: " + c.summary());
                assertEquals(0, c.probesMissed.sum(), "both answered every OPTIONS: " + c.summary());
                assertTrue(good.logLines().stream().anyMatch(l -> l.startsWith("BASTION-E2E good BYE callprobe-")),
                    "the probe's BYE crossed the good proxy");

                SippResult calls = SippProcess.builtIn("uac").name("uac").runDir(dir).remote("127.0.0.1", gateway.localAddress().getPort())
                    .calls(10).rate(5).timeout(Duration.ofSeconds(30)).run();
                assertTrue(calls.allSucceeded(), "clients' calls avoid the broken proxy: " + calls.describe());
                assertEquals(0, broken.logLines().stream().filter(l -> l.startsWith("BASTION-E2E broken INVITE")
                    && !l.contains("callprobe-")).count(), "no client call went to the broken proxy");
            }
        }
    }

}
