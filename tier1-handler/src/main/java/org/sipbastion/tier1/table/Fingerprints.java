package org.sipbastion.tier1.table;

/** Combines message hashes and numbers into table fingerprints. */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** A well-mixed 64-bit value of (a, b): order matters, and nearby inputs land far apart. */
    public static long mix(long a, long b) {
        return finish(a * 0x9E3779B97F4A7C15L + Long.rotateLeft(b, 31) * 0xC2B2AE3D27D4EB4FL + b);
    }

    /**
     * An address as a key, mixed with a secret {@code seed}: the whole address counts (an IPv6
     * sender must not be able to pick an address whose key is a victim's), and an IPv4 address is
     * read without copying it.
     */
    public static long address(long seed, java.net.InetAddress a) {
        if (a instanceof java.net.Inet4Address) {
            // hashCode is the IPv4 address itself.
            return mix(seed, 4L << 32 | (a.hashCode() & 0xFFFFFFFFL));
        }
        byte[] b = a.getAddress();
        long h = seed ^ 6;
        for (int i = 0; i < b.length; i += 8) {
            long w = 0;
            for (int j = i; j < Math.min(i + 8, b.length); j++) {
                w = w << 8 | (b[j] & 0xFF);
            }
            h = mix(h, w);
        }
        return h;
    }

    /** SplitMix64's finaliser. */
    public static long finish(long h) {
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
