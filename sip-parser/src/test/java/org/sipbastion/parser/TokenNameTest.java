package org.sipbastion.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The word-at-a-time, case-folding compare is exact for every token character at every position. */
class TokenNameTest {
    private static final String TOKEN_CHARS =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";

    @Test
    void onlyTheSameLettersInAnyCaseMatch() {
        for (String name : new String[] {"via", "branch", "received", "max-forwards", "content-length", "proxy-authorization"}) {
            TokenName t = new TokenName(name);
            for (int pos = 0; pos < name.length(); pos++) {
                for (char c : TOKEN_CHARS.toCharArray()) {
                    String candidate = name.substring(0, pos) + c + name.substring(pos + 1);
                    boolean expected = Character.toLowerCase(c) == name.charAt(pos);
                    assertEquals(expected, matches(t, candidate), name + " vs " + candidate);
                }
            }
            assertEquals(true, matches(t, name.toUpperCase()));
            assertEquals(false, matches(t, name + "x"));
        }
    }

    /** The name sits at the very end of the buffer too, where fewer than eight bytes follow. */
    private static boolean matches(TokenName t, String candidate) {
        byte[] atEnd = ("X: " + candidate).getBytes(StandardCharsets.US_ASCII);
        SipMessage m = new SipMessage();
        m.parse(Unpooled.wrappedBuffer(atEnd));
        boolean a = t.matches(m, 3, candidate.length());
        byte[] followed = ("X: " + candidate + ": value and more bytes\r\n").getBytes(StandardCharsets.US_ASCII);
        m.parse(Unpooled.wrappedBuffer(followed));
        boolean b = t.matches(m, 3, candidate.length());
        assertEquals(a, b, "same verdict whatever follows: " + candidate);
        return a;
    }
}
