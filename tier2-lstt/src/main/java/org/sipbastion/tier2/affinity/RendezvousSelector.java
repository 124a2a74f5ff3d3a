package org.sipbastion.tier2.affinity;

import java.util.List;

/**
 * Call-ID affinity without a table: rendezvous (highest random weight) hashing. Every message of a
 * call hashes to the same proxy; when a proxy leaves, only its calls move, and they spread over all
 * survivors instead of piling onto one neighbour as they would on a hash ring or with a modulo.
 *
 * <p>This is the first slice's stand-in for the LSTT decision: stateless and stable. Immutable;
 * build a new one when the pool changes.
 */
public final class RendezvousSelector<T> {
    private final List<T> targets;
    private final long[] seeds;

    public RendezvousSelector(List<T> targets) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no targets");
        }
        this.targets = List.copyOf(targets);
        this.seeds = new long[targets.size()];
        for (int i = 0; i < seeds.length; i++) {
            // Seeds from the target's identity, not its position, so reordering the list moves no call.
            seeds[i] = mix(targets.get(i).toString().hashCode() * 0x9E3779B97F4A7C15L);
        }
    }

    /** The target for this key hash among those {@code available} says are usable, or null if none. */
    public T select(long keyHash, Availability<T> available) {
        int best = -1;
        long bestScore = 0;
        for (int i = 0; i < seeds.length; i++) {
            if (available != null && !available.usable(targets.get(i))) {
                continue;
            }
            long score = mix(keyHash ^ seeds[i]);
            if (best < 0 || Long.compareUnsigned(score, bestScore) > 0) {
                best = i;
                bestScore = score;
            }
        }
        return best < 0 ? null : targets.get(best);
    }

    public T select(long keyHash) {
        return select(keyHash, null);
    }

    public List<T> targets() {
        return targets;
    }

    /** A 64-bit finaliser (SplitMix64): spreads nearby hashes over the whole range. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Which targets may take traffic now (health, drain). */
    @FunctionalInterface
    public interface Availability<T> {
        boolean usable(T target);
    }
}
