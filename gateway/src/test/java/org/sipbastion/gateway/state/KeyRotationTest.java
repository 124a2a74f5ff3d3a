package org.sipbastion.gateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.admin.AdminSocket;
import org.sipbastion.gateway.cli.MainAccess;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.Await;

/**
 * Rotating the HMAC key of a running gateway: the new key signs at once, what the previous key
 * signed still verifies, and a key two rotations old no longer does. Seen on the gateway's OPTIONS
 * probes, whose branches carry the key id, answered by a proxy played with a UDP socket.
 */
class KeyRotationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void theFileKeepsThePreviousKeyAndRefusesDamage() throws IOException {
        MacKeyRing first = KeyFile.loadOrCreate(dir);
        assertEquals('a', first.currentId());
        MacKeyRing second = KeyFile.rotate(dir);
        assertEquals('b', second.currentId());
        assertEquals('a', second.previousId());
        assertEquals(second, KeyFile.loadOrCreate(dir), "a restart reads both");
        MacKeyRing third = KeyFile.rotate(dir);
        assertEquals('c', third.currentId());
        assertEquals('b', third.previousId());
        assertEquals(2, Files.readAllLines(dir.resolve(KeyFile.NAME)).size(), "the key before the previous is gone");
        Files.writeString(dir.resolve(KeyFile.NAME), "a 00\n");
        IOException e = assertThrows(IOException.class, () -> KeyFile.rotate(dir));
        assertTrue(e.getMessage().contains("hex digits"), e.getMessage());
        assertEquals("a 00\n", Files.readString(dir.resolve(KeyFile.NAME)), "nothing written over a damaged file");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRunningGatewaySignsWithTheNewKeyAndStillVerifiesThePrevious() throws Exception {
        try (DatagramSocket proxy = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            proxy.setSoTimeout(10_000);
            List<InetSocketAddress> proxies = List.of(new InetSocketAddress("127.0.0.1", proxy.getLocalPort()));
            GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, proxies,
                KeyFile.loadOrCreate(dir), Limits.DEFAULT, org.sipbastion.tier1.rules.Rules.defaults(), List.of(), dir, null,
                null, null);
            config = config.withBalancing(GatewayConfig.Balancing.of(proxies).withProbeIntervalMillis(2_000));
            try (Gateway gw = Gateway.start(config);
                 AdminSocket admin = AdminSocket.open(dir.resolve("admin.sock"), gw::admin, System.err)) {
                Probe p1 = receive(proxy);
                assertTrue(p1.branch.startsWith("z9hG4bKsoa"), p1.branch);
                String said = rotate();
                assertTrue(said.contains("ok: signing with key b, key a still verifies"), said);
                answer(proxy, p1);
                Await.until(WAIT, () -> gw.counters().probesAnswered.sum() == 1, "the previous key verifies: " + gw.counters().summary());

                Probe p2 = receive(proxy);
                assertTrue(p2.branch.startsWith("z9hG4bKsob"), "the new key signs: " + p2.branch);
                rotate();
                rotate(); // now d signs and c verifies: b is forgotten
                answer(proxy, p2);
                Await.until(WAIT, () -> gw.counters().probesRefused.sum() == 1, "a key two rotations old: " + gw.counters().summary());
                assertEquals(1, gw.counters().probesAnswered.sum());
            }
        }
    }

    private String rotate() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MainAccess.run(new String[] {"keys", "rotate", "--state-dir", dir.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private record Probe(String text, String branch, InetSocketAddress from) {
    }

    private static Probe receive(DatagramSocket s) throws IOException {
        byte[] buf = new byte[4096];
        DatagramPacket d = new DatagramPacket(buf, buf.length);
        s.receive(d);
        String text = new String(d.getData(), 0, d.getLength(), StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("OPTIONS "), text);
        String via = header(text, "Via");
        String branch = via.substring(via.indexOf("branch=") + 7).split(";")[0];
        return new Probe(text, branch, (InetSocketAddress) d.getSocketAddress());
    }

    private static void answer(DatagramSocket s, Probe p) throws IOException {
        String ok = "SIP/2.0 200 OK\r\nVia: " + header(p.text, "Via") + "\r\nFrom: " + header(p.text, "From") + "\r\nTo: "
            + header(p.text, "To") + ";tag=px\r\nCall-ID: " + header(p.text, "Call-ID") + "\r\nCSeq: " + header(p.text, "CSeq")
            + "\r\nContent-Length: 0\r\n\r\n";
        byte[] b = ok.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, p.from));
    }

    private static String header(String text, String name) {
        for (String line : text.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + name);
    }

}
