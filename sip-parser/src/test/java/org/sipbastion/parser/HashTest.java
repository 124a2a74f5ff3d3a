package org.sipbastion.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashTest {
    private static long hashOf(ByteBuf buf, int pad, int len) {
        SipMessage m = new SipMessage();
        m.parse(buf);
        return m.hash(Range.of(pad, len));
    }

    @Test
    void sameBytesSameHashInHeapAndDirectBuffersAtAnyOffset() {
        for (int len = 0; len < 40; len++) {
            String key = "call-" + "x".repeat(len);
            byte[] bytes = key.getBytes(StandardCharsets.US_ASCII);
            ByteBuf heap = Unpooled.wrappedBuffer(bytes);
            ByteBuf padded = Unpooled.buffer().writeBytes(new byte[3]).writeBytes(bytes);
            ByteBuf direct = Unpooled.directBuffer().writeBytes(bytes);
            long h = hashOf(heap, 0, bytes.length);
            assertEquals(h, hashOf(direct, 0, bytes.length), key);
            assertEquals(h, hashOf(padded, 3, bytes.length), key);
        }
    }

    @Test
    void nearbyKeysSpread() {
        Set<Long> seen = new HashSet<>();
        int[] buckets = new int[8];
        for (int i = 0; i < 8000; i++) {
            byte[] b = ("call-" + i + "@host").getBytes(StandardCharsets.US_ASCII);
            long h = hashOf(Unpooled.wrappedBuffer(b), 0, b.length);
            assertTrue(seen.add(h));
            buckets[(int) (h >>> 61)]++;
        }
        for (int c : buckets) {
            assertTrue(c > 800 && c < 1200, "top bits unevenly spread: " + java.util.Arrays.toString(buckets));
        }
        assertNotEquals(hashOf(Unpooled.wrappedBuffer(new byte[] {1, 0}), 0, 2), hashOf(Unpooled.wrappedBuffer(new byte[] {0, 1}), 0, 2));
    }
}
