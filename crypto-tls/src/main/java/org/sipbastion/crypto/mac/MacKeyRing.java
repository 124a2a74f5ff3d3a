package org.sipbastion.crypto.mac;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The secret keys behind our branch and route-token MACs. Two are live: the current one signs, and
 * both verify, so rotating a key does not orphan transactions and dialogs signed just before.
 * Each key has a one-character id carried in what it signs. An HA pair shares the ring.
 */
public final class MacKeyRing {
    /** Key ids cycle through these characters; they are safe in a Via branch and a URI parameter. */
    private static final String IDS = "abcdefghijklmnopqrstuvwxyz";
    public static final int KEY_BYTES = 32;

    private final char currentId;
    private final byte[] current;
    private final char previousId;
    private final byte[] previous;

    private MacKeyRing(char currentId, byte[] current, char previousId, byte[] previous) {
        if (current.length < 16) {
            throw new IllegalArgumentException("MAC key must be at least 128 bits, got " + current.length * 8);
        }
        this.currentId = currentId;
        this.current = current.clone();
        this.previousId = previousId;
        this.previous = previous == null ? null : previous.clone();
    }

    /** A ring with one key from {@code secret} (e.g. read from the appliance's key file). */
    public static MacKeyRing of(char id, byte[] secret) {
        checkId(id);
        return new MacKeyRing(id, secret, (char) 0, null);
    }

    /** A ring that signs with {@code secret} and still verifies what {@code previous} signed (a rotation kept on disk). */
    public static MacKeyRing of(char id, byte[] secret, char previousId, byte[] previous) {
        checkId(id);
        checkId(previousId);
        if (previousId == id) {
            throw new IllegalArgumentException("the current and the previous key need different ids, both are " + id);
        }
        return new MacKeyRing(id, secret, previousId, previous);
    }

    /** The id of the key that only verifies, or 0 when there is none. */
    public char previousId() {
        return previous == null ? 0 : previousId;
    }

    /** The id a rotation gives the next key: the letter after {@code id}, z followed by a. */
    public static char nextId(char id) {
        checkId(id);
        return IDS.charAt((IDS.indexOf(id) + 1) % IDS.length());
    }

    /** A ring with a fresh random key: fine for a single gateway without restart continuity (demo). */
    public static MacKeyRing random() {
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return of('a', k);
    }

    /** A new ring that signs with {@code secret} and still verifies what the current key signed. */
    public MacKeyRing rotate(byte[] secret) {
        char next = IDS.charAt((IDS.indexOf(currentId) + 1) % IDS.length());
        return new MacKeyRing(next, secret, currentId, current);
    }

    public char currentId() {
        return currentId;
    }

    byte[] current() {
        return current;
    }

    /** The key with this id, or null when it is neither current nor previous. */
    byte[] key(char id) {
        if (id == currentId) {
            return current;
        }
        return id == previousId && previous != null ? previous : null;
    }

    /**
     * A key for another purpose, derived from the live key {@code id} (HMAC-SHA256 of {@code label}
     * under it), or null when that key is not live. Other primitives (the topology seal's cipher)
     * get their own key this way, so the MAC key itself never leaves this package.
     */
    public byte[] derive(char id, byte[] label) {
        byte[] key = key(id);
        if (key == null) {
            return null;
        }
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static void checkId(char id) {
        if (IDS.indexOf(id) < 0) {
            throw new IllegalArgumentException("key id must be one of " + IDS + ": " + id);
        }
    }

    @Override
    public String toString() {
        // Never print key material.
        return "MacKeyRing[current=" + currentId + (previous != null ? ", previous=" + previousId : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacKeyRing r && r.currentId == currentId && Arrays.equals(r.current, current);
    }

    @Override
    public int hashCode() {
        return currentId;
    }
}
