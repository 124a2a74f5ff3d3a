package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.FreePorts;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;

/**
 * Tier 1 on live UDP traffic with real peers: legitimate SIPp calls from 127.0.0.1 through the
 * gateway to two Kamailio proxies, while SIPp attacks from other loopback addresses with an INVITE
 * flood (127.0.0.2) and forged BYEs (127.0.0.3). Every legitimate call completes; the flood is
 * dropped once judged and its source named in an alarm; every forged BYE is dropped.
 */
class TierOneUnderAttackTest {
    private static final int LEGIT_CALLS = 30;
    private static final int FLOOD = 300;
    private static final int FAKE_BYES = 10;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void legitimateCallsCompleteWhileTheAttackIsDropped() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("tier1-attack");
        List<Alarm> alarms = new CopyOnWriteArrayList<>();
        // No grace after start: the gateway has just started, yet every BYE here must be judged.
        Rules tier1 = Rules.parse(List.of(new Rules.Source("test", "[dialogs]\ngrace_after_start = 0s\n")));
        // The UAS answers whatever reaches it: legitimate calls and the flood's first INVITEs,
        // before they are judged; it is not counted on.
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(100_000)
                .timeout(Duration.ofSeconds(60)).traceMessages(false).start();
            KamailioProcess k1 = KamailioProcess.proxy("k1").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess k2 = KamailioProcess.proxy("k2").runDir(dir).nextHop(uas.host(), uas.port()).start();
            Gateway gateway = Gateway.start(new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null,
                List.of(new InetSocketAddress(k1.host(), k1.port()), new InetSocketAddress(k2.host(), k2.port())),
                MacKeyRing.random(), Limits.DEFAULT, tier1), alarms::add)) {
            int port = gateway.localAddress().getPort();

            SippProcess flood = SippProcess.scenarioFile(scenario("invite-flood.xml")).name("flood").runDir(dir)
                .local("127.0.0.2", FreePorts.udp()).remote("127.0.0.1", port)
                .calls(FLOOD).rate(100).timeout(Duration.ofSeconds(30)).start();
            SippProcess fakeBye = SippProcess.scenarioFile(scenario("fake-bye.xml")).name("fake-bye").runDir(dir)
                .local("127.0.0.3", FreePorts.udp()).remote("127.0.0.1", port)
                .calls(FAKE_BYES).rate(5).timeout(Duration.ofSeconds(30)).start();
            SippResult legit = SippProcess.builtIn("uac").name("uac").runDir(dir).remote("127.0.0.1", port)
                .calls(LEGIT_CALLS).rate(5).timeout(Duration.ofSeconds(40)).run();
            flood.awaitResult();
            fakeBye.awaitResult();
            flood.close();
            fakeBye.close();

            GatewayCounters c = gateway.counters();
            String context = "gateway " + c.summary() + "\nalarms " + alarms;
            assertTrue(legit.allSucceeded(), "legitimate calls: " + legit.describe() + "\n" + context);
            assertEquals(LEGIT_CALLS, legit.successfulCalls(), context);

            // Two detectors race for a 100/s flood: the control stage, after 20 intervals, and the rate
            // limit (20/s, burst 20), after about as many INVITEs; whichever wins blocks the source.
            long floodDropped = c.dropped.count(Detector.FLOOD) + c.dropped.count(Detector.RATE_LIMIT);
            assertTrue(floodDropped >= FLOOD - 25, "flood INVITEs dropped: " + floodDropped + " of " + FLOOD + "\n" + context);
            Alarm floodAlarm = alarms.stream().filter(a -> a.detector() == Detector.FLOOD
                    || a.detector() == Detector.RATE_LIMIT).findFirst()
                .orElseThrow(() -> new AssertionError("no flood alarm\n" + context));
            assertEquals(InetAddress.getByName("127.0.0.2"), floodAlarm.offenders().get(0).source(), context);
            assertEquals(FAKE_BYES, c.dropped.count(Detector.FAKE_BYE), context);
            System.out.printf("tier 1 under attack: %d/%d legitimate calls completed, %d/%d flood INVITEs dropped,"
                + " %d/%d fake BYEs dropped; %s%n", legit.successfulCalls(), LEGIT_CALLS, floodDropped, FLOOD,
                c.dropped.count(Detector.FAKE_BYE), FAKE_BYES, c.summary());
        }
    }

    private static Path scenario(String name) throws URISyntaxException {
        return Path.of(TierOneUnderAttackTest.class.getResource(name).toURI());
    }
}
