package org.sipbastion.tier1;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.rules.Rules;

/**
 * A million spoofed sources, each sending an INVITE from a new address, user and Call-ID, leave
 * tier 1's heap where the previous million left it: every table is full and recycles its slots.
 */
class BoundedMemoryTest {
    private static final int SOURCES = 1_000_000;

    @Test
    void aMillionSpoofedSourcesLeaveTheHeapFlat() throws Exception {
        AnomalyHandler h = new AnomalyHandler(Rules.defaults(), null, AlarmListener.NONE, 42);
        SipMessage m = new SipMessage();
        byte[] template = ("INVITE sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-00000000\r\n"
            + "From: <sip:u00000000@example.com>;tag=00000000\r\nTo: <sip:bob@example.com>\r\n"
            + "Call-ID: 00000000@spoof\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        ByteBuf buf = Unpooled.wrappedBuffer(template);
        long t = 1_000_000_000L;
        t = flood(h, m, buf, template, 0, t);
        long before = usedAfterGc();
        t = flood(h, m, buf, template, SOURCES, t);
        long after = usedAfterGc();
        System.out.printf("tier 1 heap after GC: %.1f MB after the first million spoofed sources, %.1f MB after the second%n",
            before / 1e6, after / 1e6);
        assertTrue(after - before < 4_000_000, "heap grew by " + (after - before) + " bytes");
    }

    private static long flood(AnomalyHandler h, SipMessage m, ByteBuf buf, byte[] b, int first, long t)
        throws UnknownHostException {
        byte[] a = new byte[4];
        for (int i = first; i < first + SOURCES; i++) {
            String hex = String.format("%08x", i);
            byte[] x = hex.getBytes(StandardCharsets.US_ASCII);
            stamp(b, "bK-", x);
            stamp(b, ":u", x);
            stamp(b, "tag=", x);
            stamp(b, "Call-ID: ", x);
            buf.readerIndex(0);
            if (m.parse(buf) != Reason.OK) {
                throw new AssertionError("template broke at " + i);
            }
            a[0] = (byte) (1 + (i >>> 24));
            a[1] = (byte) (i >>> 16);
            a[2] = (byte) (i >>> 8);
            a[3] = (byte) i;
            t += 10_000; // 100,000 requests a second
            h.request(m, InetAddress.getByAddress(a), t);
        }
        return t;
    }

    /** Writes {@code x} right after the first occurrence of {@code marker}. */
    private static void stamp(byte[] b, String marker, byte[] x) {
        byte[] k = marker.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + k.length + x.length <= b.length; i++) {
            for (int j = 0; j < k.length; j++) {
                if (b[i + j] != k[j]) {
                    continue outer;
                }
            }
            System.arraycopy(x, 0, b, i + k.length, x.length);
            return;
        }
        throw new AssertionError(marker);
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
