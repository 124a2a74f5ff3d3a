package org.sipbastion.tier1.table;

/** Combines message hashes and numbers into table fingerprints. */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** A well-mixed 64-bit value of (a, b): order matters, and nearby inputs land far apart. */
    public static long mix(long a, long b) {
        return finish(a * 0x9E3779B97F4A7C15L + Long.rotateLeft(b, 31) * 0xC2B2AE3D27D4EB4FL + b);
    }

    /** SplitMix64's finaliser. */
    public static long finish(long h) {
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
