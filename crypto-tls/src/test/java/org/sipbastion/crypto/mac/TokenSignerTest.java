package org.sipbastion.crypto.mac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenSignerTest {
    private static final byte[] K1 = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] K2 = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    private static byte[] sign(TokenSigner s, String... fields) {
        s.reset();
        for (String f : fields) {
            byte[] b = f.getBytes(StandardCharsets.US_ASCII);
            s.field(b, 0, b.length);
        }
        byte[] out = new byte[TokenSigner.TOKEN_CHARS];
        s.sign(out, 0);
        return out;
    }

    private static boolean verify(TokenSigner s, byte[] token, String... fields) {
        s.reset();
        for (String f : fields) {
            byte[] b = f.getBytes(StandardCharsets.US_ASCII);
            s.field(b, 0, b.length);
        }
        return s.verify(token, 0, token.length);
    }

    @Test
    void sameInputSameTokenAndItVerifies() {
        TokenSigner s = new TokenSigner(MacKeyRing.of('a', K1));
        byte[] t = sign(s, "z9hG4bK1", "192.0.2.1:5060", "call@x");
        assertArrayEquals(t, sign(s, "z9hG4bK1", "192.0.2.1:5060", "call@x"));
        assertEquals('a', t[0]);
        assertTrue(new String(t, StandardCharsets.US_ASCII).matches("a[a-z2-7]{16}"));
        assertTrue(verify(s, t, "z9hG4bK1", "192.0.2.1:5060", "call@x"));
    }

    @Test
    void anyChangeInInputOrTokenFailsVerification() {
        TokenSigner s = new TokenSigner(MacKeyRing.of('a', K1));
        byte[] t = sign(s, "ab", "c");
        assertFalse(verify(s, t, "a", "bc"), "field boundaries are part of the input");
        byte[] forged = t.clone();
        forged[5] = (byte) (forged[5] == 'a' ? 'b' : 'a');
        assertFalse(verify(s, forged, "ab", "c"));
        assertFalse(s.verify(t, 0, 5));
        assertFalse(new TokenSigner(MacKeyRing.of('a', K2)).verify(t, 0, t.length), "other key");
    }

    @Test
    void rotationKeepsVerifyingThePreviousKeyOnly() {
        MacKeyRing r1 = MacKeyRing.of('a', K1);
        TokenSigner s = new TokenSigner(r1);
        byte[] old = sign(s, "x");
        MacKeyRing r2 = r1.rotate(K2);
        s.ring(r2);
        byte[] fresh = sign(s, "x");
        assertEquals('b', fresh[0]);
        assertTrue(verify(s, old, "x"));
        assertTrue(verify(s, fresh, "x"));
        s.ring(r2.rotate(K1));
        assertFalse(verify(s, old, "x"), "two rotations later the first key is gone");
        assertTrue(verify(s, fresh, "x"));
    }

    @Test
    void weakKeysAndBadIdsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> MacKeyRing.of('a', new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> MacKeyRing.of('!', K1));
        assertFalse(MacKeyRing.random().toString().contains("0123"));
    }
}
