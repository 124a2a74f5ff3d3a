package org.sipbastion.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.balance.Algorithm;
import org.sipbastion.tier2.dialog.DialogTable;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.pool.TransactionKind;

/**
 * Tier 2's decision per message ({@link ProxyFarm#route}), the SNOCER paper's 6.2 microseconds to
 * beat with under one: a new call (the algorithm's choice over 3 or 8 proxies with measured STTs,
 * and the Chronicle Map insert of its row), and the hit path (a request of a known dialog found in
 * the table: a CANCEL, an ACK, a retransmission); and the choice and the insert alone. The table is
 * in memory, sized for two million rows (room for every insert of an iteration) and made afresh
 * each iteration.
 *
 * <p>Messages are parsed once; each call writes a new Call-ID into their bytes in place (same
 * length), so every lookup hashes fresh bytes. Run:
 * {@code java -jar perf-tests/target/benchmarks.jar Tier2Benchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"})
public class Tier2Benchmark {
    private static final int KNOWN = 1 << 16;
    /** Rows of the table: room for every insert of an iteration (about a million at a microsecond each). */
    private static final int ROWS = 2_000_000;
    private static final int ID_DIGITS = 12;

    @Param({"lstt", "tlwl", "round-robin"})
    public String algorithm;

    /** Proxies behind the gateway. */
    @Param({"3", "8"})
    public int proxies;

    private ProxyFarm farm;
    private SipMessage invite;
    private int inviteIdAt;
    private SipMessage cancel;
    private int cancelIdAt;
    private long counter;
    private long now = 1_000_000_000_000L;
    private int known;
    private InetSocketAddress firstProxy;

    @Setup(Level.Iteration)
    public void setUp() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
            addresses.add(new InetSocketAddress("10.0.0." + (10 + i), 5060));
        }
        farm = new ProxyFarm(addresses, ProxyFarm.plainSpecs(addresses), Algorithm.named(algorithm).create(1), 1 << 16,
            (p, listener) -> new DialogTable(null, ROWS, ProxyFarm.DEFAULT_TTL_MILLIS, p, listener),
            ProxyFarm.DeadProxyDialogs.REJECT, 1, now);
        // Measured proxies (unequal STTs), so LSTT runs its full estimate, not a start-up fallback.
        for (int i = 0; i < proxies; i++) {
            for (int k = 0; k < 64; k++) {
                long key = (long) i << 40 | k;
                farm.pool().sent(i, TransactionKind.BYE, key, now - 10_000_000_000L + k * 1_000_000L);
                farm.pool().responded(i, TransactionKind.BYE, key, 200,
                    now - 10_000_000_000L + k * 1_000_000L + (1 + i) * 1_000_000L + (k % 7) * 100_000L);
            }
        }
        firstProxy = addresses.get(0);
        invite = parse("INVITE", false);
        inviteIdAt = idAt(invite);
        cancel = parse("CANCEL", false);
        cancelIdAt = idAt(cancel);
        // Known dialogs for the hit path.
        for (int i = 0; i < KNOWN; i++) {
            writeId(invite, inviteIdAt, 1_000_000_000L + i);
            farm.forwarded(invite, farm.route(invite, null, now), now);
        }
        counter = 0;
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        farm.close();
    }

    /** A new call: table miss, choice, then (once sent) its row inserted and its transaction counted. */
    @Benchmark
    public InetSocketAddress newCall() {
        writeId(invite, inviteIdAt, counter++);
        now += 1_000;
        InetSocketAddress proxy = farm.route(invite, null, now);
        farm.forwarded(invite, proxy, now);
        return proxy;
    }

    /** The algorithm's choice alone (no table): what the algorithm costs within a new call. */
    @Benchmark
    public int choiceOnly() {
        now += 1_000;
        return farm.balancer().select(farm.pool(), counter++, now);
    }

    /** The table's insert alone (no choice): what Chronicle Map costs within a new call. */
    @Benchmark
    public boolean insertOnly() {
        writeId(invite, inviteIdAt, counter++);
        return farm.dialogs().open(invite, firstProxy, now / 1_000_000);
    }

    /** A request of a known dialog (a CANCEL: no route token), found in the table. */
    @Benchmark
    public InetSocketAddress knownDialog() {
        writeId(cancel, cancelIdAt, 1_000_000_000L + (known++ & (KNOWN - 1)));
        return farm.route(cancel, null, now);
    }

    private static SipMessage parse(String method, boolean toTag) {
        String id = "0".repeat(ID_DIGITS);
        String text = method + " sip:bob@192.0.2.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds;rport\r\nMax-Forwards: 70\r\n"
            + "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
            + "To: Bob <sip:bob@example.com>" + (toTag ? ";tag=x" : "") + "\r\n"
            + "Call-ID: " + id + "@pc33.example.com\r\nCSeq: 1 " + method + "\r\n"
            + "Contact: <sip:alice@10.0.0.1:5060>\r\nContent-Length: 0\r\n\r\n";
        ByteBuf buf = Unpooled.directBuffer(text.length()).writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        SipMessage m = new SipMessage();
        if (m.parse(buf) != Reason.OK) {
            throw new IllegalStateException("sample does not parse");
        }
        return m;
    }

    private static int idAt(SipMessage m) {
        return org.sipbastion.parser.Range.start(m.callId());
    }

    /** Writes {@code id} as decimal digits over the Call-ID's first digits, in place. */
    private static void writeId(SipMessage m, int at, long id) {
        ByteBuf b = m.buffer();
        for (int i = ID_DIGITS - 1; i >= 0; i--) {
            b.setByte(at + i, '0' + (int) (id % 10));
            id /= 10;
        }
    }
}
