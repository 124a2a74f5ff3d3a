package org.sipbastion.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.demo.DemoProxy;
import org.sipbastion.gateway.rules.RuleFiles;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.parser.Limits;
import org.sipbastion.tier1.bloom.Baseline;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;

/** Rules reloaded in a running gateway over real UDP: applied when good, refused when bad, state kept. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RulesReloadTest {
    @TempDir
    Path dir;

    private static String options(String callId, String userAgent) {
        return "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK" + callId + "\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: " + callId
            + "\r\nCSeq: 1 OPTIONS\r\nUser-Agent: " + userAgent + "\r\nContent-Length: 0\r\n\r\n";
    }

    private static void send(DatagramSocket s, Gateway g, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, g.localAddress()));
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void goodFilesApplyBadOnesAreRefusedWithAnAlarm() throws Exception {
        Path rules = Files.writeString(dir.resolve("edge.rules"), "[rule evil]\nuser_agent = evil-tool\naction = drop\n");
        Path events = dir.resolve("log").resolve("events.jsonl");
        EventLoopGroup group = EventLoops.group(1);
        List<Alarm> alarms = new CopyOnWriteArrayList<>();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DemoProxy proxy = DemoProxy.start("p", group, any);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             Gateway g = Gateway.start(new GatewayConfig(any, null, List.of(proxy.address()), MacKeyRing.random(),
                 Limits.DEFAULT, Rules.load(List.of(dir)), List.of(dir), null, events, null, null), alarms::add)) {
            GatewayCounters c = g.counters();
            send(client, g, options("a1", "evil-tool/1.0"));
            await(() -> c.dropped.count(Detector.RULE) == 1, "the first rule to drop");

            // A bad edit: refused, alarmed, the running rules keep dropping.
            String version = g.rules().version;
            Files.writeString(rules, "[rule evil]\nuser_agent = evil-tool\naction = destroy\n");
            assertTrue(g.reloadRules());
            assertEquals(version, g.rules().version);
            Alarm refused = alarms.stream().filter(a -> a.detector() == Detector.RULES).findFirst().orElseThrow();
            assertTrue(refused.summary().contains(rules + ":3: action: 'destroy' is not one of drop, alarm, allow"),
                refused.summary());
            send(client, g, options("a2", "evil-tool/1.0"));
            await(() -> c.dropped.count(Detector.RULE) == 2, "the kept rule to drop");

            // The edit mended and a file added: picked up by the file watcher on its own.
            Files.writeString(dir.resolve("more.rules"), "[rule worse]\nuser_agent = worse-tool\naction = drop\n");
            Files.writeString(rules, "[rule evil]\nuser_agent = evil-tool\naction = drop\n");
            await(() -> {
                try {
                    return g.rules().rules.size() == 2;
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }, "the watcher to apply the new file");
            assertTrue(c.rulesApplied.sum() >= 1);
            send(client, g, options("a3", "worse-tool"));
            await(() -> c.dropped.count(Detector.RULE) == 3, "the new rule to drop");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        // Closing the gateway flushed its event log: the drops (aggregated per second, so a1 and a2
        // may share a line) and the refused reload are in it.
        List<String> lines = Files.readAllLines(events);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"detector\":\"rule\",\"action\":\"drop\",\"source\":\"127.0.0.1\"")
            && l.contains("\"user\":\"alice\",\"method\":\"OPTIONS\",\"call_id\":\"a1\",\"reason\":\"evil\"")),
            String.join("\n", lines));
        int dropped = lines.stream().filter(l -> l.contains("\"detector\":\"rule\",\"action\":\"drop\""))
            .mapToInt(l -> Integer.parseInt(l.replaceAll(".*\"count\":(\\d+)}$", "$1"))).sum();
        assertEquals(3, dropped, String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"detector\":\"rules\",\"action\":\"alarm\"")
            && l.contains("is not one of drop, alarm, allow")), String.join("\n", lines));
    }

    @Test
    void theLearnedBaselineSurvivesARestart() throws Exception {
        EventLoopGroup group = EventLoops.group(1);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Path state = dir.resolve("state");
        try (DemoProxy proxy = DemoProxy.start("p", group, any)) {
            GatewayConfig config = new GatewayConfig(any, null, List.of(proxy.address()), MacKeyRing.random(), Limits.DEFAULT,
                RuleFiles.builtIn(), List.of(), state, null, null, null);
            try (Gateway g = Gateway.start(config, a -> { })) {
                assertTrue(g.localAddress().getPort() > 0);
            }
            Path saved = state.resolve("tier1-baseline");
            assertTrue(Files.exists(saved), "saved on stop");
            Files.writeString(saved, "400 1234.5 100.0\n");
            try (Gateway g = Gateway.start(config, a -> { })) {
                Baseline b = new Baseline(3, 400, 300, 3600);
                assertTrue(b.load(saved));
                assertEquals(1234.5, b.mean(), 1e-9);
                // What the restarted gateway runs with: the saved state, learned, not a blank.
                assertEquals(1234.5, g.baselineMean(), 1e-9);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
