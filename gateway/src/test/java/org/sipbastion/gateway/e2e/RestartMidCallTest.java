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
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.state.KeyFile;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.FreePorts;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier2.dialog.DialogState;

/**
 * The gateway is stopped and started again (same port, same state directory) while SIPp's calls
 * are up: every BYE still reaches the Kamailio that took its INVITE, and the new process found every
 * dialog in its table. Real SIPp, real Kamailio, real UDP. (The route token's part, for clients
 * that honour Record-Route, is {@code RestartDialogProofTest}'s.)
 */
class RestartMidCallTest {
    private static final int CALLS = 16;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyByeAfterARestartReachesTheKamailioThatTookItsInvite() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("restart-mid-call");
        Path state = dir.resolve("state");
        int port = FreePorts.udp();
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(CALLS)
                .timeout(Duration.ofSeconds(60)).start();
            KamailioProcess k1 = KamailioProcess.proxy("k1").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess k2 = KamailioProcess.proxy("k2").runDir(dir).nextHop(uas.host(), uas.port()).start()) {
            // SIPp's built-in UAC ignores Record-Route: its BYEs carry no route token, so they pass
            // tier 1 by its grace after start and find their proxy by the dialog table alone.
            Rules rules = Rules.defaults();
            GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", port), null,
                List.of(new InetSocketAddress(k1.host(), k1.port()), new InetSocketAddress(k2.host(), k2.port())),
                KeyFile.loadOrCreate(state), Limits.DEFAULT, rules, List.of(), state, null, null, null);
            Gateway first = Gateway.start(config);
            // Calls held 8 s: all set up within 3 s at 6 calls/s, all BYEs after the restart.
            SippProcess uac = SippProcess.builtIn("uac").name("uac").runDir(dir).remote("127.0.0.1", port)
                .calls(CALLS).rate(6).timeout(Duration.ofSeconds(60)).args("-d", "8000").start();
            Thread.sleep(4_000);
            first.close();
            Gateway second = Gateway.start(config);
            try {
                long confirmed = second.dialogCount(DialogState.CONFIRMED);
                SippResult result = uac.awaitResult();
                String context = "gateway " + second.counters().summary() + "\nk1:\n" + k1.process().tail(10) + "\nk2:\n"
                    + k2.process().tail(10);
                assertEquals(CALLS, confirmed, "the restarted gateway found every call in its table");
                assertTrue(result.allSucceeded(), "uac: " + result.describe() + "\n" + context);
                assertEquals(CALLS, result.successfulCalls(), result.describe());
                Map<String, Map<String, Set<String>>> byCall = KamailioProcess.requestsByCall(k1, k2);
                assertEquals(CALLS, byCall.size());
                long onK1 = byCall.values().stream().filter(c -> c.containsKey("k1")).count();
                assertTrue(onK1 > 0 && onK1 < CALLS, "both proxies took calls (else the test proves nothing): k1=" + onK1);
                for (var call : byCall.entrySet()) {
                    assertEquals(1, call.getValue().size(), "Call-ID " + call.getKey() + " crossed " + call.getValue());
                    assertEquals(Set.of("INVITE", "ACK", "BYE"), call.getValue().values().iterator().next(), call.getKey());
                }
                assertEquals(0, second.counters().dropped.total() + second.counters().internalErrors.sum(),
                    second.counters().summary());
            } finally {
                second.close();
            }
        }
    }

}
