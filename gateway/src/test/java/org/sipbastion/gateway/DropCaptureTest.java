package org.sipbastion.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.cli.MainAccess;
import org.sipbastion.gateway.demo.DemoProxy;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;

/** Samples of dropped datagrams land in a pcap that replay (libpcap) reads back as the same drops. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DropCaptureTest {
    @TempDir
    Path dir;

    @Test
    void droppedDatagramsAreSampledIntoAReadableCapture() throws Exception {
        ExternalTool.requireLibrary("pcap", "libpcap0.8");
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.writeString(rules.resolve("t.rules"), "[dialogs]\ngrace_after_start = 0s\n");
        Path pcap = dir.resolve("drops.pcap");
        EventLoopGroup group = EventLoops.group(1);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        int port;
        try (DemoProxy proxy = DemoProxy.start("p", group, any);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             Gateway g = Gateway.start(new GatewayConfig(any, null, List.of(proxy.address()), MacKeyRing.random(),
                 Limits.DEFAULT, Rules.load(List.of(rules)), List.of(), null, null, pcap, null), a -> { })) {
            port = g.localAddress().getPort();
            String bye = "BYE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKfake\r\nMax-Forwards: 70\r\n"
                + "From: <sip:mallory@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>;tag=2\r\nCall-ID: never-set-up\r\n"
                + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
            for (String text : new String[] {bye, bye, "INVITE garbage\r\n\r\n"}) {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(b, b.length, g.localAddress()));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (g.counters().dropped.count(Detector.FAKE_BYE) + g.counters().malformed.total() < 3) {
                assertTrue(System.nanoTime() < end, "drops not counted: " + g.counters().summary());
                Thread.sleep(20);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = MainAccess.run(new String[] {"replay", "--rules", rules.toString(), "--sip-ports", Integer.toString(port),
            "--drops-only", pcap.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, exit);
        List<String> lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
        // The second BYE is the same detector and source within the second: counted, not sampled.
        assertEquals(1, lines.stream().filter(l -> l.contains(" BYE never-set-up drop fake_bye")).count(), lines.toString());
        assertEquals(1, lines.stream().filter(l -> l.contains(" drop malformed")).count(), lines.toString());
        assertTrue(lines.get(lines.size() - 1).contains("2 SIP messages"), lines.toString());
    }
}
