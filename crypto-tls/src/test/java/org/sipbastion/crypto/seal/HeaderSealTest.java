package org.sipbastion.crypto.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sipbastion.crypto.mac.MacKeyRing;

class HeaderSealTest {
    private static final byte[] K1 = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] K2 = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CALL = "a84b4c76e66710@pc33.atlanta.com".getBytes(StandardCharsets.US_ASCII);
    private static final String ROUTE = "<sip:10.0.0.7:5060;lr;ftag=as5f0c>, <sip:10.0.0.9;lr>";

    private static String seal(HeaderSeal s, String plain, byte[] aad) {
        byte[] p = plain.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[HeaderSeal.sealedLength(p.length)];
        int n = s.seal(p, 0, p.length, aad, 0, aad.length, out, 0);
        assertEquals(out.length, n, "sealedLength predicts the length");
        return new String(out, 0, n, StandardCharsets.US_ASCII);
    }

    private static String open(HeaderSeal s, String sealed, byte[] aad) {
        byte[] in = sealed.getBytes(StandardCharsets.US_ASCII);
        byte[] plain = new byte[HeaderSeal.MAX_PLAIN];
        int n = s.open(in, 0, in.length, aad, 0, aad.length, plain);
        return n < 0 ? null : new String(plain, 0, n, StandardCharsets.US_ASCII);
    }

    @Test
    void opensWhatItSealedAndTheTextDoesNotShow() {
        HeaderSeal s = new HeaderSeal(MacKeyRing.of('a', K1));
        String sealed = seal(s, ROUTE, CALL);
        assertFalse(sealed.contains("10.0.0"), sealed);
        assertTrue(sealed.matches("a[A-Za-z0-9_-]+"), "safe in a URI and a Via parameter: " + sealed);
        assertEquals(ROUTE, open(s, sealed, CALL));
    }

    @Test
    void anotherGatewayWithTheSameKeysOpensIt() {
        String sealed = seal(new HeaderSeal(MacKeyRing.of('a', K1)), ROUTE, CALL);
        assertEquals(ROUTE, open(new HeaderSeal(MacKeyRing.of('a', K1)), sealed, CALL));
        assertEquals(null, open(new HeaderSeal(MacKeyRing.of('a', K2)), sealed, CALL), "other key");
    }

    @Test
    void everyAlteredCharacterIsRefused() {
        HeaderSeal s = new HeaderSeal(MacKeyRing.of('a', K1));
        String sealed = seal(s, ROUTE, CALL);
        for (int i = 1; i < sealed.length(); i++) {
            char c = sealed.charAt(i);
            String altered = sealed.substring(0, i) + (c == 'A' ? 'B' : 'A') + sealed.substring(i + 1);
            assertEquals(null, open(s, altered, CALL), "altered at " + i);
        }
        assertEquals(null, open(s, sealed.substring(0, sealed.length() - 1), CALL), "cut short");
        assertEquals(null, open(s, sealed + "A", CALL), "extended");
        assertEquals(null, open(s, sealed.replace(sealed.charAt(5), '%'), CALL), "outside the alphabet");
    }

    @Test
    void aSealMovedToAnotherCallIsRefused() {
        HeaderSeal s = new HeaderSeal(MacKeyRing.of('a', K1));
        String sealed = seal(s, ROUTE, CALL);
        assertEquals(null, open(s, sealed, "other-call@x".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void nonceNeverRepeatsSoEqualTextSealsDifferently() {
        HeaderSeal s = new HeaderSeal(MacKeyRing.of('a', K1));
        assertNotEquals(seal(s, ROUTE, CALL), seal(s, ROUTE, CALL));
        assertNotEquals(seal(new HeaderSeal(MacKeyRing.of('a', K1)), ROUTE, CALL),
            seal(new HeaderSeal(MacKeyRing.of('a', K1)), ROUTE, CALL));
    }

    @Test
    void afterARotationThePreviousKeyStillOpensAndTheNewOneSeals() {
        MacKeyRing ring = MacKeyRing.of('a', K1);
        HeaderSeal s = new HeaderSeal(ring);
        String old = seal(s, ROUTE, CALL);
        s.ring(ring.rotate(K2));
        String fresh = seal(s, ROUTE, CALL);
        assertEquals('b', fresh.charAt(0));
        assertEquals(ROUTE, open(s, old, CALL));
        assertEquals(ROUTE, open(s, fresh, CALL));
        s.ring(ring.rotate(K2).rotate(K1));
        assertEquals(null, open(s, old, CALL), "two rotations later the first key is gone");
    }

    @Test
    void everyLengthUpToTheLimitRoundTripsAndLongerIsRefused() {
        HeaderSeal s = new HeaderSeal(MacKeyRing.of('a', K1));
        Random r = new Random(7);
        for (int len : new int[] {0, 1, 2, 3, 4, 5, 100, HeaderSeal.MAX_PLAIN}) {
            byte[] p = new byte[len];
            for (int i = 0; i < len; i++) {
                p[i] = (byte) (' ' + r.nextInt(94));
            }
            String text = new String(p, StandardCharsets.US_ASCII);
            assertEquals(text, open(s, seal(s, text, CALL), CALL), "length " + len);
        }
        byte[] big = new byte[HeaderSeal.MAX_PLAIN + 1];
        assertEquals(-1, s.seal(big, 0, big.length, CALL, 0, CALL.length, new byte[8192], 0));
    }

    @Test
    void garbageNeverThrows() {
        HeaderSeal s = new HeaderSeal(MacKeyRing.of('a', K1));
        Random r = new Random(11);
        byte[] plain = new byte[HeaderSeal.MAX_PLAIN];
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(200)];
            r.nextBytes(junk);
            if (junk.length > 0) {
                junk[0] = 'a';
            }
            assertEquals(-1, s.open(junk, 0, junk.length, CALL, 0, CALL.length, plain));
        }
    }
}
