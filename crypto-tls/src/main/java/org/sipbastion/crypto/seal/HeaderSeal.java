package org.sipbastion.crypto.seal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.sipbastion.crypto.mac.MacKeyRing;

/**
 * Seals short header text so that it can travel through a client and come back: encrypted, so the
 * client learns nothing from it (topology hiding: the proxies' addresses), and authenticated, so
 * what comes back is what we sealed, for the message it was sealed for (the associated data, e.g.
 * the Call-ID). Any gateway holding the key ring opens it: the seal is stateless, like the route
 * token, and survives a restart or an HA takeover.
 *
 * <p>AES-128-GCM under a key derived from the live MAC key ({@link MacKeyRing#derive}); the
 * previous key still opens what it sealed after a rotation. Format: the key id, then base64url
 * without padding of nonce (12 bytes), ciphertext and tag (16 bytes): only characters that are
 * safe in a URI parameter and in a Via parameter (a token).
 *
 * <p>Nonces: 96 random bits at construction, then incremented per seal, so neither two instances
 * (event loops, an HA pair) nor one instance over its life repeat one, which GCM must never do.
 *
 * <p>Not thread-safe: one per event loop.
 */
public final class HeaderSeal {
    /** Longest text sealed; longer text is refused (the caller leaves it as it is and counts it). */
    public static final int MAX_PLAIN = 2048;
    private static final int NONCE = 12;
    private static final int TAG = 16;
    private static final byte[] LABEL = "topology-seal/aes-128-gcm".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ALPHABET =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
        }
    }

    private volatile MacKeyRing ring;
    private final Cipher cipher;
    /** Cipher keys of the two key ids last used (current and previous, after a rotation). */
    private final char[] keyIds = new char[2];
    private final SecretKeySpec[] keys = new SecretKeySpec[2];
    private int nextSlot;
    private MacKeyRing cachedRing;
    private final byte[] nonce = new byte[NONCE];
    private final byte[] work = new byte[NONCE + MAX_PLAIN + TAG];

    public HeaderSeal(MacKeyRing ring) {
        this.ring = ring;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM unavailable", e);
        }
        new SecureRandom().nextBytes(nonce);
    }

    /** Swaps in a rotated ring; the next seal uses its current key. */
    public void ring(MacKeyRing next) {
        this.ring = next;
    }

    /** Characters {@link #seal} writes for {@code plainLength} bytes. */
    public static int sealedLength(int plainLength) {
        int bytes = NONCE + plainLength + TAG;
        return 1 + (bytes / 3) * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
    }

    /**
     * Seals {@code plain[off..off+len)} for the associated data {@code aad[aadOff..aadOff+aadLen)}
     * into {@code out} from {@code outOff}; returns the characters written, or -1 when the text is
     * longer than {@link #MAX_PLAIN}.
     */
    public int seal(byte[] plain, int off, int len, byte[] aad, int aadOff, int aadLen, byte[] out, int outOff) {
        if (len > MAX_PLAIN || len < 0) {
            return -1;
        }
        MacKeyRing r = ring;
        char id = r.currentId();
        increment(nonce);
        System.arraycopy(nonce, 0, work, 0, NONCE);
        int n;
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key(r, id), new GCMParameterSpec(TAG * 8, nonce, 0, NONCE));
            cipher.updateAAD(aad, aadOff, aadLen);
            n = NONCE + cipher.doFinal(plain, off, len, work, NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        out[outOff] = (byte) id;
        return 1 + encode(work, n, out, outOff + 1);
    }

    /**
     * Opens {@code sealed[off..off+len)} (as {@link #seal} wrote it) for the associated data given,
     * into {@code plain}, which must hold {@link #MAX_PLAIN} bytes; returns the plain length, or -1
     * when it is not one of our seals for this data: altered, forged, of a key no longer live, or
     * sealed for another message.
     */
    public int open(byte[] sealed, int off, int len, byte[] aad, int aadOff, int aadLen, byte[] plain) {
        if (len < 2 || len > sealedLength(MAX_PLAIN)) {
            return -1;
        }
        MacKeyRing r = ring;
        char id = (char) (sealed[off] & 0xFF);
        SecretKeySpec k = key(r, id);
        if (k == null) {
            return -1;
        }
        int n = decode(sealed, off + 1, len - 1, work);
        if (n < NONCE + TAG) {
            return -1;
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(TAG * 8, work, 0, NONCE));
            cipher.updateAAD(aad, aadOff, aadLen);
            return cipher.doFinal(work, NONCE, n - NONCE, plain, 0);
        } catch (javax.crypto.AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecretKeySpec key(MacKeyRing r, char id) {
        if (r != cachedRing) {
            // A rotated ring: a cached key may belong to an id that is no longer live.
            keys[0] = keys[1] = null;
            cachedRing = r;
        }
        for (int i = 0; i < 2; i++) {
            if (keys[i] != null && keyIds[i] == id) {
                return keys[i];
            }
        }
        byte[] derived = r.derive(id, LABEL);
        if (derived == null) {
            return null;
        }
        SecretKeySpec k = new SecretKeySpec(derived, 0, 16, "AES");
        keyIds[nextSlot] = id;
        keys[nextSlot] = k;
        nextSlot = 1 - nextSlot;
        return k;
    }

    private static void increment(byte[] counter) {
        for (int i = counter.length - 1; i >= 0; i--) {
            if (++counter[i] != 0) {
                return;
            }
        }
    }

    private static int encode(byte[] src, int n, byte[] out, int at) {
        int o = at;
        int i = 0;
        for (; i + 3 <= n; i += 3) {
            int v = (src[i] & 0xFF) << 16 | (src[i + 1] & 0xFF) << 8 | src[i + 2] & 0xFF;
            out[o++] = ALPHABET[v >>> 18];
            out[o++] = ALPHABET[v >>> 12 & 63];
            out[o++] = ALPHABET[v >>> 6 & 63];
            out[o++] = ALPHABET[v & 63];
        }
        if (n - i == 1) {
            int v = (src[i] & 0xFF) << 16;
            out[o++] = ALPHABET[v >>> 18];
            out[o++] = ALPHABET[v >>> 12 & 63];
        } else if (n - i == 2) {
            int v = (src[i] & 0xFF) << 16 | (src[i + 1] & 0xFF) << 8;
            out[o++] = ALPHABET[v >>> 18];
            out[o++] = ALPHABET[v >>> 12 & 63];
            out[o++] = ALPHABET[v >>> 6 & 63];
        }
        return o - at;
    }

    /** Decodes base64url without padding; -1 on a character outside the alphabet or a bad length. */
    private static int decode(byte[] src, int off, int len, byte[] out) {
        if (len % 4 == 1) {
            return -1;
        }
        int o = 0;
        int bits = 0;
        int acc = 0;
        for (int i = off; i < off + len; i++) {
            int c = src[i];
            int v = c < 0 ? -1 : VALUES[c];
            if (v < 0) {
                return -1;
            }
            acc = acc << 6 | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >>> bits);
                acc &= (1 << bits) - 1;
            }
        }
        return o;
    }
}
