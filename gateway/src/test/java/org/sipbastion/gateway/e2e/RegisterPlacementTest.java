package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.FreePorts;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier1.rules.Rules;

/**
 * How registrations are placed: a REGISTER goes to one proxy (pinned by its address-of-record), and
 * the proxies share their location table (here two Kamailio registrars replicating it over DMQ), so
 * calls to the registered user, spread over both proxies by LSTT, find it on either. Real Kamailio,
 * real SIPp: the registered user is a SIPp UAS; the caller a SIPp UAC calling it through the gateway.
 */
class RegisterPlacementTest {
    private static final int CALLS = 20;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void callsToARegisteredUserFindItOnEitherProxy() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("register-placement");
        int p1 = FreePorts.udp();
        int p2 = FreePorts.udp();
        while (p2 == p1) {
            p2 = FreePorts.udp();
        }
        try (SippProcess bob = SippProcess.builtIn("uas").name("bob").runDir(dir).calls(CALLS)
                .timeout(Duration.ofSeconds(60)).start();
            KamailioProcess r1 = KamailioProcess.registrar("r1").runDir(dir).listen("127.0.0.1", p1)
                .dmqPeer("127.0.0.1", p2).start();
            KamailioProcess r2 = KamailioProcess.registrar("r2").runDir(dir).listen("127.0.0.1", p2)
                .dmqPeer("127.0.0.1", p1).start();
            DatagramSocket phone = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Rules rules = Rules.parse(List.of(new Rules.Source("e2e.rules",
                "[profile test-clients]\nsource = 127.0.0.1\ntrusted = yes\n")));
            try (Gateway gateway = Gateway.start(new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null,
                List.of(new InetSocketAddress(r1.host(), r1.port()), new InetSocketAddress(r2.host(), r2.port())),
                MacKeyRing.random(), Limits.DEFAULT, rules))) {
                int gw = gateway.localAddress().getPort();
                // bob registers through the gateway, his contact the SIPp UAS.
                String register = "REGISTER sip:127.0.0.1:" + gw + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + phone.getLocalPort() + ";branch=z9hG4bK-reg-1;rport\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:bob@127.0.0.1>;tag=reg1\r\nTo: <sip:bob@127.0.0.1>\r\n"
                    + "Call-ID: register-1@test\r\nCSeq: 1 REGISTER\r\n"
                    + "Contact: <sip:bob@127.0.0.1:" + bob.port() + ">\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n";
                byte[] b = register.getBytes(StandardCharsets.US_ASCII);
                phone.setSoTimeout(3000);
                phone.send(new DatagramPacket(b, b.length, gateway.localAddress()));
                byte[] in = new byte[4096];
                DatagramPacket reply = new DatagramPacket(in, in.length);
                phone.receive(reply);
                String answer = new String(in, 0, reply.getLength(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("SIP/2.0 200"), answer);
                // Kamailio logs the save after sending the 200: wait for its line.
                long savedBy = 0;
                for (long end = System.nanoTime() + 3_000_000_000L; savedBy == 0 && System.nanoTime() < end; ) {
                    Thread.sleep(50);
                    savedBy = List.of(r1, r2).stream().filter(r -> r.logLines().stream()
                        .anyMatch(l -> l.contains("BASTION-E2E-REGISTERED " + r.tag() + " bob"))).count();
                }
                assertEquals(1, savedBy, "the REGISTER went to one registrar (pinned by its address-of-record)");
                // The other registrar learns the binding over DMQ (asynchronously).
                Thread.sleep(1500);

                SippResult calls = SippProcess.builtIn("uac").name("alice").runDir(dir).remote("127.0.0.1", gw)
                    .calls(CALLS).rate(5).timeout(Duration.ofSeconds(40)).args("-s", "bob").run();
                String context = "gateway " + gateway.counters().summary() + "\nr1:\n" + r1.process().tail(12) + "\nr2:\n"
                    + r2.process().tail(12);
                assertTrue(calls.allSucceeded(), "alice: " + calls.describe() + "\n" + context);
                assertEquals(CALLS, calls.successfulCalls(), calls.describe());
                for (KamailioProcess r : List.of(r1, r2)) {
                    long found = r.logLines().stream().filter(l -> l.contains("BASTION-E2E-LOOKUP " + r.tag() + " bob 1"))
                        .count();
                    long missed = r.logLines().stream().filter(l -> l.contains("BASTION-E2E-LOOKUP " + r.tag() + " bob 0"))
                        .count();
                    assertEquals(0, missed, r.tag() + " did not find bob\n" + context);
                    assertTrue(found > 0, r.tag() + " took no call (the test would prove nothing)\n" + context);
                }
            }
        }
    }
}
