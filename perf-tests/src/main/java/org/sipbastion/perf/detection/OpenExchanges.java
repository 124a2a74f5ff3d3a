package org.sipbastion.perf.detection;

import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.bloom.CountingBloomFilter;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * The simulation's own account of the exchanges that are open, kept from what the call flows did,
 * not from what the stage concluded: the reference the stage's raised cells are measured against.
 *
 * <p>Two figures come out of it. The count per generation gives the analytic expectation of raised
 * cells. A shadow {@link CountingBloomFilter} with the stage's geometry, fed the same session keys but
 * only by this account, gives the raised cells the stage would show if its transaction table never
 * lost an open exchange; the stage's excess over the shadow is what evictions leaked. The shadow
 * reuses the stage's session key, {@code Fingerprints.mix(seed, hash(Call-ID))} (CallRateStage's
 * private {@code session}); should the two ever drift apart, stage and shadow stop agreeing to the
 * cell at low load, and {@link LoadMonitor} reports every sample where the stage is below the shadow.
 */
final class OpenExchanges {
    private final CountingBloomFilter shadow;
    private final long stageSeed;
    private final long[] open = new long[2];

    OpenExchanges(int cells, int cellsPerKey, long stageSeed) {
        this.shadow = new CountingBloomFilter(cells, cellsPerKey);
        this.stageSeed = stageSeed;
    }

    /** Counts an exchange opened by {@code m}; returns its generation, for {@link #close}. */
    long open(SipMessage m) {
        long g = shadow.add(key(m));
        open[(int) (g & 1)]++;
        return g;
    }

    /**
     * Counts the exchange opened in generation {@code added} as closed by {@code m}; false if its
     * generation was cleared meanwhile, when the stage too has nothing left to close.
     */
    boolean close(SipMessage m, long added) {
        shadow.remove(key(m), added);
        if (added < shadow.generation() - 1) {
            return false;
        }
        open[(int) (added & 1)]--;
        return true;
    }

    /**
     * Rotates as the stage's filter did: the exchanges of the cleared generation are forgotten by the
     * stage, so they leave this account too (their late completions are ignored by {@link #close}).
     */
    void follow(long stageGeneration) {
        while (shadow.generation() < stageGeneration) {
            shadow.rotate();
            open[(int) (shadow.generation() & 1)] = 0;
        }
    }

    /** Open exchanges counted in the generation that receives new ones. */
    long current() {
        return open[(int) (shadow.generation() & 1)];
    }

    /** Open exchanges counted in the previous generation. */
    long older() {
        return open[(int) ((shadow.generation() + 1) & 1)];
    }

    long total() {
        return open[0] + open[1];
    }

    int shadowRaised() {
        return shadow.raisedCells();
    }

    private long key(SipMessage m) {
        return Fingerprints.mix(stageSeed, m.hash(m.callId()));
    }
}
