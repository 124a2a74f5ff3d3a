package org.sipbastion.gateway.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.event.Offender;

/**
 * Blocked addresses reach a real nftables set. The test makes a table of its own (sets only, no
 * chain: it filters nothing on the machine) and deletes it at the end.
 */
class NftSetTest {
    private static String run(Path nft, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(nft.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @Test
    void addressBlocksGoToTheSetsWithTheirTimeoutUserBlocksDoNot() throws Exception {
        Path nft = ExternalTool.require("nft");
        String table = "bastiontest" + ProcessHandle.current().pid();
        try {
            run(nft, "add", "table", "inet", table);
        } catch (IOException e) {
            ExternalTool.unavailable("nft cannot change the ruleset here (root or CAP_NET_ADMIN needed): " + e.getMessage());
        }
        try {
            run(nft, "add", "set", "inet", table, "offenders", "{ type ipv4_addr; flags timeout; }");
            run(nft, "add", "set", "inet", table, "offenders6", "{ type ipv6_addr; flags timeout; }");
            try (NftSet set = new NftSet(nft.toString(), "inet:" + table + ":offenders", System.err)) {
                set.alarm(new Alarm(1, Detector.FLOOD, "flood", List.of(new Offender(InetAddress.getByName("203.0.113.9"), 1, true)),
                    60_000_000_000L));
                set.alarm(new Alarm(2, Detector.CALL_RATE, "call rate", List.of(
                    new Offender(InetAddress.getByName("2001:db8::66"), 40, true),
                    new Offender(InetAddress.getByName("192.0.2.50"), 30, false)), 120_000_000_000L));
                set.alarm(new Alarm(3, Detector.FLOOD, "user flood", List.of(new Offender(InetAddress.getByName("198.51.100.1"), 1,
                    false)), 60_000_000_000L));
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (set.added() < 2 && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertEquals(2, set.added());
                assertEquals(0, set.failed());
            }
            String v4 = run(nft, "list", "set", "inet", table, "offenders");
            String v6 = run(nft, "list", "set", "inet", table, "offenders6");
            assertTrue(v4.contains("203.0.113.9 timeout 1m"), v4);
            assertFalse(v4.contains("192.0.2.50"), "a trusted offender (not blocked) stays out");
            assertFalse(v4.contains("198.51.100.1"), "a blocked user's NAT address stays out");
            assertTrue(v6.contains("2001:db8::66 timeout 2m"), v6);
        } finally {
            run(nft, "delete", "table", "inet", table);
        }
    }

    @Test
    void aMissingSetIsCountedNotFatal() throws Exception {
        Path nft = ExternalTool.require("nft");
        try (NftSet set = new NftSet(nft.toString(), "inet:nosuchtable" + ProcessHandle.current().pid() + ":offenders",
            new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))) {
            set.alarm(new Alarm(1, Detector.FLOOD, "flood", List.of(new Offender(InetAddress.getByName("203.0.113.9"), 1, true)),
                60_000_000_000L));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (set.failed() < 1 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertEquals(1, set.failed());
        }
    }
}
