package org.sipbastion.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIPp uac -> Kamailio proxy -> SIPp uas on loopback, all real processes: proves the testkit can run
 * the peers other modules' tests need, and that every message of a call crosses the same proxy.
 */
class KamailioProxyEndToEndTest {

    private static final int CALLS = 10;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyMessageOfTenCallsCrossesTheProxy() {
        // Both up front, so a missing tool skips (or fails on CI) before anything is started.
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("proxy-e2e");

        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir)
                        .calls(CALLS).timeout(Duration.ofSeconds(30)).start();
                KamailioProcess proxy = KamailioProcess.proxy("p1").runDir(dir)
                        .nextHop(uas.host(), uas.port()).start()) {

            SippResult uac = SippProcess.builtIn("uac").name("uac").runDir(dir)
                    .remote(proxy.host(), proxy.port())
                    .calls(CALLS).rate(10).timeout(Duration.ofSeconds(20)).run();
            assertTrue(uac.allSucceeded(), "uac: " + uac.describe() + "\n" + proxy.process().tail(30));
            assertEquals(CALLS, uac.successfulCalls(), uac.describe());

            // The built-in uas keeps each call 4 s after the BYE (<timewait> for a lost 200), so it
            // exits about 4 s after the uac: most of this test's ~5 s.
            SippResult server = uas.awaitResult();
            assertEquals(0, server.exitCode(), "uas: " + server.describe());
            assertEquals(CALLS, server.successfulCalls(), "uas: " + server.describe());

            Map<String, Set<String>> methodsByCall = new TreeMap<>();
            for (String line : proxy.logLines()) {
                String[] f = line.split(" ");
                // BASTION-E2E <tag> <method> <call-id>; OPTIONS are the readiness probes.
                if (f.length == 4 && f[0].equals("BASTION-E2E") && f[1].equals("p1") && !f[2].equals("OPTIONS")) {
                    methodsByCall.computeIfAbsent(f[3], k -> new TreeSet<>()).add(f[2]);
                }
            }
            assertEquals(CALLS, methodsByCall.size(), "calls seen by the proxy: " + methodsByCall);
            methodsByCall.forEach((callId, methods) ->
                    assertEquals(Set.of("ACK", "BYE", "INVITE"), methods, "proxy log for Call-ID " + callId));
        }
    }
}
