package org.sipbastion.parser;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A constant name (header, parameter, URI scheme) matched against token bytes of a message eight
 * bytes at a time, ignoring ASCII case.
 *
 * <p>Setting bit 0x20 of every byte lower-cases letters. For the other token characters it can make
 * a byte equal a lowercase letter only if it already was that letter in either case, and the names
 * here hold only letters and '-'. So the masked word compare is exact, but only for input the
 * caller scanned as token characters.
 */
final class TokenName {
    private static final long CASE = 0x2020202020202020L;

    final byte[] lower;
    private final long word0;
    private final long word1;
    private final long mask0;
    private final long mask1;

    TokenName(String name) {
        lower = name.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        mask0 = mask(Math.min(lower.length, 8));
        mask1 = mask(Math.max(0, Math.min(lower.length - 8, 8)));
        word0 = (word(lower, 0) | CASE) & mask0;
        word1 = (word(lower, 8) | CASE) & mask1;
    }

    private static long mask(int bytes) {
        return bytes == 8 ? -1L : (1L << (8 * bytes)) - 1;
    }

    private static long word(byte[] b, int from) {
        long w = 0;
        for (int i = 0; i < 8 && from + i < b.length; i++) {
            w |= (b[from + i] & 0xFFL) << (8 * i);
        }
        return w;
    }

    /** True when the {@code len} token bytes at {@code p} are this name, in any case. */
    boolean matches(SipMessage m, int p, int len) {
        if (len != lower.length) {
            return false;
        }
        if (len > 16) {
            return m.regionEquals(p, lower, true);
        }
        if (((m.wordAt(p) | CASE) & mask0) != word0) {
            return false;
        }
        return len <= 8 || ((m.wordAt(p + 8) | CASE) & mask1) == word1;
    }
}
