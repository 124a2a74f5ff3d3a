package org.sipbastion.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.demo.DemoProxy;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.parser.Limits;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;

/**
 * Deny feeds in a running gateway, from a file and from a real HTTP server on loopback: their
 * addresses are dropped, a reload reads them again, a feed that fails keeps its last good list.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DenyFeedTest {
    @TempDir
    Path dir;

    private static void send(InetAddress from, Gateway g, String callId) throws Exception {
        String text = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + from.getHostAddress() + ":9;branch=z9hG4bK"
            + callId + "\r\nMax-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: " + callId
            + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket s = new DatagramSocket(0, from)) {
            s.send(new DatagramPacket(b, b.length, g.localAddress()));
        }
    }

    private static void await(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void addressesOnAFileOrAnHttpFeedAreDroppedAndAFailedReadKeepsTheLastList() throws Exception {
        AtomicReference<String> served = new AtomicReference<>("# remote list\n127.0.0.3\n");
        AtomicReference<Integer> status = new AtomicReference<>(200);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/deny.txt", x -> {
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status.get(), body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        http.start();
        Path feed = Files.writeString(dir.resolve("deny.txt"), "127.0.0.2\n");
        Files.writeString(dir.resolve("feeds.rules"), "[deny_feed local]\nfile = " + feed + "\n[deny_feed remote]\nurl = http://127.0.0.1:"
            + http.getAddress().getPort() + "/deny.txt\n");
        EventLoopGroup group = EventLoops.group(1);
        List<Alarm> alarms = new CopyOnWriteArrayList<>();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DemoProxy proxy = DemoProxy.start("p", group, any);
             Gateway g = Gateway.start(new GatewayConfig(any, null, List.of(proxy.address()), MacKeyRing.random(),
                 Limits.DEFAULT, Rules.load(List.of(dir)), List.of(dir), null, null, null, null), alarms::add)) {
            g.settleFeeds();
            GatewayCounters c = g.counters();
            send(InetAddress.getByName("127.0.0.2"), g, "local1");
            send(InetAddress.getByName("127.0.0.3"), g, "remote1");
            send(InetAddress.getByName("127.0.0.4"), g, "clean1");
            await(() -> c.dropped.count(Detector.DENY_LIST) == 2 && c.requestsForwarded.sum() == 1, "two drops, one forward");

            // The lists change; a reload (as SIGHUP) reads them again.
            Files.writeString(feed, "127.0.0.4\n");
            served.set("127.0.0.5/32\n");
            g.reloadRules();
            g.settleFeeds();
            send(InetAddress.getByName("127.0.0.2"), g, "local2");
            send(InetAddress.getByName("127.0.0.4"), g, "local3");
            await(() -> c.dropped.count(Detector.DENY_LIST) == 3 && c.requestsForwarded.sum() == 2, "the new lists in force");

            // The server fails: the remote feed keeps its last good list, with an alarm.
            status.set(503);
            g.reloadRules();
            g.settleFeeds();
            send(InetAddress.getByName("127.0.0.5"), g, "remote2");
            await(() -> c.dropped.count(Detector.DENY_LIST) == 4, "the kept list to drop");
            Alarm failed = alarms.stream().filter(a -> a.detector() == Detector.DENY_LIST).findFirst().orElseThrow();
            assertTrue(failed.summary().contains("deny feed remote") && failed.summary().contains("HTTP 503")
                && failed.summary().contains("1 blocks of the last good list kept"), failed.summary());
            assertEquals(0, c.internalErrors.sum());
        } finally {
            http.stop(0);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
