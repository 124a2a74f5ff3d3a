package org.sipbastion.crypto.mac;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies short inputs with HMAC-SHA256 truncated to 80 bits, rendered as a key id
 * followed by 16 base32 characters (lower case, safe in a Via branch and in a URI parameter).
 *
 * <p>Not thread-safe: one per event loop. The caller assembles the input in {@link #input()}.
 */
public final class TokenSigner {
    /** Characters in a token: key id + 16 base32 characters of 5 bits = 80 bits of MAC. */
    public static final int TOKEN_CHARS = 17;
    private static final int MAC_BYTES = 10;
    private static final byte[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private volatile MacKeyRing ring;
    private final Mac mac;
    private final byte[] input = new byte[1024];
    private int length;
    private final byte[] digest = new byte[32];
    private final byte[] expected = new byte[TOKEN_CHARS];
    private char macKeyId;

    public TokenSigner(MacKeyRing ring) {
        this.ring = ring;
        try {
            this.mac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Swaps in a rotated ring; takes effect for the next token. */
    public void ring(MacKeyRing next) {
        this.ring = next;
    }

    /** Starts a new input. */
    public TokenSigner reset() {
        length = 0;
        return this;
    }

    /** Appends a field with its length first, so that ("ab","c") and ("a","bc") sign differently. */
    public TokenSigner field(byte[] src, int off, int len) {
        int n = Math.min(len, input.length - length - 2);
        input[length++] = (byte) (n >> 8);
        input[length++] = (byte) n;
        System.arraycopy(src, off, input, length, n);
        length += n;
        return this;
    }

    public TokenSigner field(long value) {
        for (int i = 7; i >= 0 && length < input.length; i--) {
            input[length++] = (byte) (value >>> (i * 8));
        }
        return this;
    }

    /** Writes the token for the current input with the current key into {@code out} at {@code off}. */
    public void sign(byte[] out, int off) {
        MacKeyRing r = ring;
        compute(r.currentId(), r.current(), out, off);
    }

    /**
     * Writes the token for the current input under the live key {@code keyId} (the current or the
     * previous one); false, writing nothing, when that key is not live.
     */
    public boolean signWith(char keyId, byte[] out, int off) {
        byte[] key = ring.key(keyId);
        if (key == null) {
            return false;
        }
        compute(keyId, key, out, off);
        return true;
    }

    /** The id of the key {@link #sign} uses now. */
    public char currentKeyId() {
        return ring.currentId();
    }

    /** True when {@code token[off..off+17)} is a valid token for the current input under a live key. */
    public boolean verify(byte[] token, int off, int len) {
        if (len != TOKEN_CHARS) {
            return false;
        }
        byte[] key = ring.key((char) token[off]);
        if (key == null) {
            return false;
        }
        compute((char) token[off], key, expected, 0);
        // Constant time: how much of a forged token matched must not leak through timing.
        int diff = 0;
        for (int i = 0; i < TOKEN_CHARS; i++) {
            diff |= token[off + i] ^ expected[i];
        }
        return diff == 0;
    }

    private void compute(char keyId, byte[] key, byte[] out, int off) {
        try {
            if (macKeyId != keyId || ring.key(keyId) != key || macKeyId == 0) {
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                macKeyId = keyId;
            }
            mac.update(input, 0, length);
            mac.doFinal(digest, 0);
        } catch (InvalidKeyException | javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        out[off] = (byte) keyId;
        // 80 bits -> 16 base32 characters, 5 bits at a time.
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (digest[i] & 0xFF);
        }
        long lo = 0;
        for (int i = 5; i < MAC_BYTES; i++) {
            lo = (lo << 8) | (digest[i] & 0xFF);
        }
        for (int i = 0; i < 8; i++) {
            out[off + 1 + i] = BASE32[(int) (hi >>> (35 - 5 * i)) & 31];
            out[off + 9 + i] = BASE32[(int) (lo >>> (35 - 5 * i)) & 31];
        }
    }
}
