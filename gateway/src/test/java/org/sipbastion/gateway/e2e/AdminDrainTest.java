package org.sipbastion.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import org.sipbastion.gateway.admin.AdminSocket;
import org.sipbastion.gateway.cli.MainAccess;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * An operator drains a proxy of a running gateway with {@code bastion proxies drain}: calls up on it
 * finish there (their BYE crosses it), new calls avoid it, and {@code undrain} gives it calls again.
 * Real SIPp calls through two Kamailio proxies; the CLI talks to the gateway's admin socket.
 */
class AdminDrainTest {
    private static final int LONG_CALLS = 8;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void drainedProxyFinishesItsCallsAndTakesNoNewOnes() throws Exception {
        ExternalTool.require("sipp");
        ExternalTool.require("kamailio");
        Path dir = RunDirs.create("admin-drain");
        Path socket = dir.resolve("admin.sock");
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(1000)
                .timeout(Duration.ofSeconds(100)).start();
            KamailioProcess k1 = KamailioProcess.proxy("k1").runDir(dir).nextHop(uas.host(), uas.port()).start();
            KamailioProcess k2 = KamailioProcess.proxy("k2").runDir(dir).nextHop(uas.host(), uas.port()).start()) {
            List<InetSocketAddress> proxies = List.of(new InetSocketAddress(k1.host(), k1.port()),
                new InetSocketAddress(k2.host(), k2.port()));
            GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies,
                MacKeyRing.random(), Limits.DEFAULT);
            config = config.withBalancing(GatewayConfig.Balancing.of(proxies).withAlgorithm(Algorithm.ROUND_ROBIN)
                .withProbeIntervalMillis(0));
            try (Gateway gateway = Gateway.start(config);
                 AdminSocket admin = AdminSocket.open(socket, gateway::admin, System.err)) {
                int port = gateway.localAddress().getPort();
                String k2Name = k2.host() + ":" + k2.port();

                SippProcess longCalls = SippProcess.builtIn("uac").name("uac-long").runDir(dir).remote("127.0.0.1", port)
                    .calls(LONG_CALLS).rate(4).args("-d", "5000").timeout(Duration.ofSeconds(40)).start();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (gateway.counters().requestsForwarded.sum() < 2L * LONG_CALLS && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Cli drain = cli("proxies", "drain", k2Name, "--admin-socket", socket.toString());
                assertEquals(0, drain.exit, drain.err);
                assertTrue(drain.out.startsWith("ok: " + k2Name + " draining: no new calls; its "), drain.out);
                Cli list = cli("proxies", "--admin-socket", socket.toString());
                assertTrue(list.out.contains(k2Name + " state=draining"), list.out);

                SippResult longResult = longCalls.awaitResult();
                assertTrue(longResult.allSucceeded(), "calls up on the drained proxy finish: " + longResult.describe());
                Map<String, Map<String, Set<String>>> calls = KamailioProcess.requestsByCall(k1, k2);
                int onK2 = 0;
                for (var call : calls.values()) {
                    if (call.containsKey("k2")) {
                        onK2++;
                        assertEquals(Set.of("INVITE", "ACK", "BYE"), call.get("k2"));
                    }
                }
                assertEquals(LONG_CALLS / 2, onK2, "round-robin put half the long calls on k2 before the drain");

                SippResult during = SippProcess.builtIn("uac").name("uac-drained").runDir(dir).remote("127.0.0.1", port)
                    .calls(10).rate(5).timeout(Duration.ofSeconds(30)).run();
                assertTrue(during.allSucceeded(), during.describe());
                assertEquals(onK2, invitesOn(k2), "no new call to the drained proxy");

                Cli undrain = cli("proxies", "undrain", k2Name, "--admin-socket", socket.toString());
                assertEquals(0, undrain.exit, undrain.err);
                SippResult after = SippProcess.builtIn("uac").name("uac-undrained").runDir(dir).remote("127.0.0.1", port)
                    .calls(10).rate(5).timeout(Duration.ofSeconds(30)).run();
                assertTrue(after.allSucceeded(), after.describe());
                assertTrue(invitesOn(k2) > onK2, "undrained, it takes calls again");

                Cli unknown = cli("proxies", "drain", "192.0.2.1:5060", "--admin-socket", socket.toString());
                assertEquals(1, unknown.exit);
                assertTrue(unknown.err.contains("error: no proxy 192.0.2.1:5060 (proxies: "), unknown.err);
                assertEquals(2, cli("proxies", "drain", "--admin-socket", socket.toString()).exit, "usage");
                Cli nobody = cli("proxies", "--admin-socket", dir.resolve("nothing.sock").toString());
                assertEquals(1, nobody.exit);
                assertTrue(nobody.err.contains("no gateway answers at"), nobody.err);
            }
        }
    }

    private record Cli(int exit, String out, String err) {
    }

    private static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MainAccess.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static int invitesOn(KamailioProcess k) {
        int n = 0;
        for (String line : k.logLines()) {
            String[] f = line.split(" ");
            n += f.length == 4 && f[0].equals("BASTION-E2E") && f[2].equals("INVITE") ? 1 : 0;
        }
        return n;
    }

}
