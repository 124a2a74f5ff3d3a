package org.sipbastion.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.AnomalyHandler;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;

/**
 * What tier 1 costs per message, on top of parsing: a call's messages from ever-new sources, users
 * and Call-IDs (every table lookup misses and inserts, as under a spoofed flood or a busy day), and a
 * flood from one blocked source (the drop path, which must stay cheap while the flood lasts). The
 * shipped default rules, with their scanner rule, are in force.
 *
 * <p>The messages are parsed once; each call writes a new Call-ID and From user into their bytes in
 * place (same length, so the parsed positions stay right): tier 1 reads those bytes afresh, and
 * parsing, measured by {@link ParserBenchmark}, stays out of these figures. Run:
 * {@code java -jar perf-tests/target/benchmarks.jar Tier1Benchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class Tier1Benchmark {
    private static final long STEP = 10_000; // 100,000 messages a second of simulated time

    private AnomalyHandler handler;
    private SipMessage invite;
    private SipMessage ack;
    private SipMessage bye;
    private SipMessage answer;
    private SipMessage ok;
    private SipMessage[] call;
    private InetAddress proxy;
    private InetAddress[] sources;
    private InetAddress attacker;
    private long now;
    private int next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Rules rules = Rules.parse(java.util.List.of(new Rules.Source("default.rules", new String(
            Tier1Benchmark.class.getResourceAsStream("/org/sipbastion/perf/default.rules").readAllBytes(),
            StandardCharsets.UTF_8))));
        handler = new AnomalyHandler(rules, null, AlarmListener.NONE, 7);
        invite = parse("INVITE", null);
        ack = parse("ACK", "t1");
        bye = parse("BYE", "t1");
        answer = Parsing.response200("INVITE", 1);
        ok = Parsing.response200("BYE", 2);
        call = new SipMessage[] {invite, answer, ack, bye, ok};
        proxy = InetAddress.getByName("192.0.2.1");
        sources = new InetAddress[65_536];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = InetAddress.getByAddress(new byte[] {10, (byte) (i >>> 8), (byte) i, 1});
        }
        attacker = InetAddress.getByName("203.0.113.66");
        now = 1_000_000_000L;
        // Block the attacker: a metronome at 100 INVITE/s is judged after 24.
        for (int i = 0; i < 100; i++) {
            now += 10_000_000L;
            handler.request(invite, attacker, now);
        }
        if (handler.request(invite, attacker, now + 1) != Detector.FLOOD) {
            throw new IllegalStateException("the attacker was not blocked");
        }
        // The measured calls must be judged normal, or the figure would be the drop path's.
        for (int i = 0; i < 100_000; i++) {
            if (callFromManySources() != 0) {
                throw new IllegalStateException("call " + i + " was dropped");
            }
        }
    }

    private static SipMessage parse(String method, String toTag) {
        String text = method + " sip:bob@192.0.2.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + method + ";rport\r\nMax-Forwards: 70\r\n"
            + "From: Alice <sip:alice000@example.com>;tag=1928301774\r\n"
            + "To: Bob <sip:bob@example.com>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
            + "Call-ID: a84b4c76e66710@pc33.example.com\r\nCSeq: " + (method.equals("BYE") ? 2 : 1) + " "
            + method + "\r\nContact: <sip:alice@10.0.0.1:5060>\r\nUser-Agent: Linphone/5.2\r\nContent-Length: 0\r\n\r\n";
        return Parsing.parse(text);
    }

    /** One call, INVITE, its 200, ACK, BYE, its 200, from the next of 65,536 sources. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(5)
    public int callFromManySources() {
        int n = next++;
        for (SipMessage m : call) {
            stamp(m, m.callId(), n);
            stamp(m, fromUser(m), n * 31);
        }
        InetAddress src = sources[n & 0xFFFF];
        int verdicts = handler.request(invite, src, now += STEP).ordinal();
        handler.response(answer, proxy, now += STEP);
        verdicts += handler.request(ack, src, now += STEP).ordinal();
        verdicts += handler.request(bye, src, now += STEP).ordinal();
        handler.response(ok, proxy, now += STEP);
        return verdicts;
    }

    /** Writes {@code n} as eight hex digits over the first eight bytes of {@code range}. */
    private static void stamp(SipMessage m, long range, int n) {
        ByteBuf b = m.buffer();
        int at = org.sipbastion.parser.Range.start(range);
        for (int i = 7; i >= 0; i--) {
            b.setByte(at + i, HEX[n & 0xF]);
            n >>>= 4;
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final org.sipbastion.parser.UriParts from = new org.sipbastion.parser.UriParts();

    private long fromUser(SipMessage m) {
        m.sipUri(m.fromUri(), from);
        return from.user();
    }

    /** A flood's INVITE from its blocked source: the drop path. */
    @Benchmark
    public Detector floodFromABlockedSource() {
        return handler.request(invite, attacker, now += STEP);
    }

    /** Parses test messages once, outside measurement. */
    static final class Parsing {
        private Parsing() {
        }

        static SipMessage parse(String text) {
            ByteBuf buf = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
            SipMessage m = new SipMessage();
            if (m.parse(buf) != Reason.OK) {
                throw new IllegalStateException("bad benchmark message:\n" + text);
            }
            return m;
        }

        static SipMessage response200(String method, int cseq) {
            return parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + method + ";rport=5060\r\n"
                + "From: Alice <sip:alice000@example.com>;tag=1928301774\r\nTo: Bob <sip:bob@example.com>;tag=t1\r\n"
                + "Call-ID: a84b4c76e66710@pc33.example.com\r\nCSeq: " + cseq + " " + method
                + "\r\nContent-Length: 0\r\n\r\n");
        }
    }
}
