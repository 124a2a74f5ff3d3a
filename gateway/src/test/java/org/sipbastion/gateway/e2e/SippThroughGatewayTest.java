package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;

/**
 * Real peers end to end: SIPp UAC -> SIP Bastion -> two stateful Kamailio proxies -> SIPp UAS, on
 * loopback. Every call completes, and every message of a call (INVITE, ACK, BYE) crosses the same
 * Kamailio, read from the proxies' own logs. SIPp paces its calls like a metronome, which tier 1
 * takes for a tool-made flood from 10 calls a second on: the client stays under that.
 */
class SippThroughGatewayTest {
    private static final int CALLS = 40;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sippCallsCompleteThroughTheGatewayAndStayOnOneKamailio() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("gateway-e2e");
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(CALLS)
                .timeout(Duration.ofSeconds(60)).start();
            KamailioProcess k1 = KamailioProcess.proxy("k1").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess k2 = KamailioProcess.proxy("k2").runDir(dir).nextHop(uas.host(), uas.port()).start();
            Gateway gateway = Gateway.start(new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null,
                List.of(new InetSocketAddress(k1.host(), k1.port()), new InetSocketAddress(k2.host(), k2.port())),
                MacKeyRing.random(), Limits.DEFAULT))) {

            SippResult uac = SippProcess.builtIn("uac").name("uac").runDir(dir)
                .remote("127.0.0.1", gateway.localAddress().getPort())
                .calls(CALLS).rate(8).timeout(Duration.ofSeconds(40)).run();
            String context = "gateway " + gateway.counters().summary() + "\nk1:\n" + k1.process().tail(15) + "\nk2:\n"
                + k2.process().tail(15);
            assertTrue(uac.allSucceeded(), "uac: " + uac.describe() + "\n" + context);
            assertEquals(CALLS, uac.successfulCalls(), uac.describe());
            SippResult server = uas.awaitResult();
            assertEquals(CALLS, server.successfulCalls(), "uas: " + server.describe());

            Map<String, Map<String, Set<String>>> proxiesByCall = KamailioProcess.requestsByCall(k1, k2);
            assertEquals(CALLS, proxiesByCall.size(), "calls seen by the proxies");
            int onK1 = 0;
            for (var call : proxiesByCall.entrySet()) {
                assertEquals(1, call.getValue().size(), "Call-ID " + call.getKey() + " crossed " + call.getValue());
                Set<String> methods = call.getValue().values().iterator().next();
                assertEquals(Set.of("INVITE", "ACK", "BYE"), methods, "Call-ID " + call.getKey());
                onK1 += call.getValue().containsKey("k1") ? 1 : 0;
            }
            System.out.printf("split of %d calls through the gateway: k1=%d k2=%d%n", CALLS, onK1, CALLS - onK1);
            assertTrue(onK1 > 0 && onK1 < CALLS, "both proxies take calls: k1=" + onK1);
            assertEquals(0, gateway.counters().dropped.total() + gateway.counters().malformed.total()
                + gateway.counters().refused.total() + gateway.counters().internalErrors.sum(), gateway.counters().summary());
        }
    }

}
