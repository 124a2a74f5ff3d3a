package org.sipbastion.gateway.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sipbastion.gateway.cli.MainAccess;

/** {@code bastion replay} over real captures and over captures written by the test. */
class ReplayTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 1_795_000_000L * S;

    @TempDir
    Path dir;

    /** Capture files are read through libpcap: skipped loudly without it, failed on CI. */
    @org.junit.jupiter.api.BeforeAll
    static void libpcap() {
        org.sipbastion.testkit.ExternalTool.requireLibrary("pcap", "libpcap0.8");
    }

    private record Run(int exit, List<String> lines, String err) {
        String summary() {
            return lines.get(lines.size() - 1);
        }
    }

    private static Run replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = MainAccess.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        return new Run(exit, o.isEmpty() ? List.of() : List.of(o.split("\n")), err.toString(StandardCharsets.UTF_8));
    }

    private static String pcap(String name) throws URISyntaxException {
        return Path.of(ReplayTest.class.getResource("pcaps/" + name).toURI()).toString();
    }

    @ParameterizedTest
    @CsvSource({"DTMFsipinfo.pcap, 32", "SIP_CALL_RTP_G711.pcap, 14", "register-invite-reinvite-bye.pcap, 12", "sip-over-tcp.pcap, 7"})
    void realNormalTrafficPassesEveryMessage(String file, int sipMessages) throws Exception {
        Run r = replay("--json", pcap(file));
        assertEquals(0, r.exit(), r.err());
        String summary = r.summary();
        assertTrue(summary.contains("\"messages\":" + sipMessages + ",\"passed\":" + sipMessages + ",\"dropped\":0,"), summary);
        assertTrue(summary.contains("\"alarms\":0"), summary);
        assertEquals(sipMessages, r.lines().stream().filter(l -> l.contains("\"verdict\":\"pass\"")).count());
    }

    @Test
    void aFloodInACaptureIsDroppedOnceJudgedAndFakeByesAreCaught() throws Exception {
        InetSocketAddress server = new InetSocketAddress("192.0.2.1", 5060);
        InetSocketAddress server6 = new InetSocketAddress("2001:db8::1", 5060);
        InetSocketAddress attacker = new InetSocketAddress("2001:db8::66", 5070);
        InetSocketAddress prankster = new InetSocketAddress("203.0.113.7", 5060);
        PcapWriter w = new PcapWriter();
        for (int i = 0; i < 300; i++) {
            w.udp(START + i * (S / 100), attacker, server6, request("INVITE", "flood-" + i, "bot", null));
        }
        for (int i = 0; i < 5; i++) {
            w.udp(START + 200 * S + i * S, prankster, server, request("BYE", "never-" + i, "victim", "x"));
        }
        w.udp(START + 210 * S, prankster, server, "this is not SIP at all\r\n\r\n");
        w.udp(START + 211 * S, new InetSocketAddress("203.0.113.8", 40000), new InetSocketAddress("203.0.113.9", 40002),
            "\u0080\u0001 some RTP");
        // The dialog grace after a start: none here, the capture starts mid-traffic on purpose.
        Path rules = java.nio.file.Files.writeString(dir.resolve("t.rules"), "[dialogs]\ngrace_after_start = 0s\n");
        Run r = replay("--rules", rules.toString(), "--drops-only", w.write(dir.resolve("attack.pcap")).toString());
        assertEquals(0, r.exit(), r.err());
        long flood = r.lines().stream().filter(l -> l.contains(" drop flood")).count();
        assertTrue(flood >= 300 - 24, "flood drops " + flood + "\n" + r.summary());
        assertTrue(r.lines().stream().anyMatch(l -> l.contains(" ALARM flood: source 2001:db8::66 blocked")), r.lines().toString());
        assertEquals(5, r.lines().stream().filter(l -> l.contains(" drop fake_bye")).count());
        assertTrue(r.lines().stream().anyMatch(l -> l.contains("udp 203.0.113.7:5060 > 192.0.2.1:5060 - - drop malformed")),
            "garbage sent to a SIP port is malformed SIP");
        assertTrue(r.summary().contains("not_sip=1"), "RTP between other ports is not SIP: " + r.summary());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("2026-11-18T") && l.contains("udp [2001:db8::66]:5070 > [2001:db8::1]:5060 INVITE")),
            "capture time and IPv6 addresses as written: " + r.lines().get(0));
    }

    @Test
    void aTcpMessageSplitAcrossSegmentsWithARetransmissionIsOneMessage() throws Exception {
        InetSocketAddress client = new InetSocketAddress("198.51.100.5", 40123);
        InetSocketAddress server = new InetSocketAddress("198.51.100.6", 5060);
        String invite = request("INVITE", "tcp-call", "alice", null);
        long seq = 4_294_967_000L; // wraps past 2^32 inside the message
        PcapWriter w = new PcapWriter();
        w.tcp(START, client, server, seq, invite.substring(0, 100));
        w.tcp(START + 1000, client, server, seq, invite.substring(0, 100)); // retransmitted
        w.tcp(START + 2000, client, server, (seq + 100) & 0xFFFFFFFFL, invite.substring(100, 200));
        w.tcp(START + 3000, client, server, (seq + 200) & 0xFFFFFFFFL, invite.substring(200) + "\r\n\r\n");
        Run r = replay("--json", w.write(dir.resolve("tcp.pcap")).toString());
        assertTrue(r.summary().contains("\"messages\":1,\"passed\":1,"), r.summary());
        assertTrue(r.lines().get(0).contains("\"transport\":\"tcp\"") && r.lines().get(0).contains("\"call_id\":\"tcp-call\""),
            r.lines().get(0));
    }

    @Test
    void unreadableFilesAndUsage() throws Exception {
        Run missing = replay(dir.resolve("none.pcap").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("none.pcap: no such file"), missing.err());
        Path notPcap = java.nio.file.Files.writeString(dir.resolve("text.pcap"), "hello");
        Run bad = replay(notPcap.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("not a capture libpcap can read"), bad.err());
        assertEquals(2, replay().exit());
        assertEquals(2, replay("--bogus", "x.pcap").exit());
    }

    private static String request(String method, String callId, String user, String toTag) {
        return method + " sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK-" + callId + "\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:" + user + "@example.com>;tag=f1\r\nTo: <sip:bob@example.com>"
            + (toTag == null ? "" : ";tag=" + toTag) + "\r\nCall-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\n"
            + "Content-Length: 0\r\n\r\n";
    }
}
