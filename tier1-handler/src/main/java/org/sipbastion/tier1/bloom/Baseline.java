package org.sipbastion.tier1.bloom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The normal level of a load figure (the call-rate stage's raised cells, sampled once a second) and
 * the alarm threshold above it: mean + n x standard deviation (at least the Poisson deviation of
 * the counted events, see {@link #countsPerEvent}), never closer to the mean than a floor (an idle
 * link has a deviation of 0, and a few extra open calls must not alarm).
 *
 * <p>Learning: the first {@code learnSamples} samples give the mean and variance exactly (Welford).
 * After that the baseline keeps following slow changes (a busier afternoon) with an exponentially
 * weighted update over about {@code adaptSamples} samples, fed only with samples under the threshold,
 * so an attack cannot teach the baseline that the attack is normal. No alarm is raised while learning.
 *
 * <p>Persisted: {@link #save} and {@link #load} keep it across restarts, so a restarted gateway does
 * not spend another learning period blind. A rule can fix mean and deviation instead ({@link #fixed}).
 */
public final class Baseline {
    private double sigmas;
    private double floor;
    private final long learnSamples;
    private final double adaptWeight;
    private final boolean fixed;
    private long samples;
    private double mean;
    private double m2;
    private double variance;
    private double cellsPerEvent;

    /**
     * @param sigmas       n in mean + n x std
     * @param floor        the threshold is at least mean + floor
     * @param learnSamples samples before the first alarm can be raised
     * @param adaptSamples after learning, the weight of one sample is 1 / adaptSamples
     */
    public Baseline(double sigmas, double floor, long learnSamples, long adaptSamples) {
        this(sigmas, floor, learnSamples, adaptSamples, false);
    }

    private Baseline(double sigmas, double floor, long learnSamples, long adaptSamples, boolean fixed) {
        if (sigmas < 0 || floor < 0 || learnSamples < 2 || adaptSamples < 1) {
            throw new IllegalArgumentException("baseline: sigmas and floor >= 0, learn >= 2 samples, adapt >= 1 sample");
        }
        this.sigmas = sigmas;
        this.floor = floor;
        this.learnSamples = learnSamples;
        this.adaptWeight = 1.0 / adaptSamples;
        this.fixed = fixed;
    }

    /** New alarm distance from the mean; what was learned stays. */
    public void retune(double sigmas, double floor) {
        if (sigmas < 0 || floor < 0) {
            throw new IllegalArgumentException("baseline: sigmas and floor >= 0");
        }
        this.sigmas = sigmas;
        this.floor = floor;
    }

    public boolean isFixed() {
        return fixed;
    }

    /** A baseline set by rule: no learning, no adaptation. */
    public static Baseline fixed(double mean, double std, double sigmas, double floor) {
        Baseline b = new Baseline(sigmas, floor, 2, 1, true);
        b.mean = mean;
        b.variance = std * std;
        b.samples = 2;
        return b;
    }

    /** Feeds one sample; true when it is above the threshold (an alarm). */
    public boolean sample(double x) {
        if (fixed) {
            return x > threshold();
        }
        if (samples < learnSamples) {
            samples++;
            double d = x - mean;
            mean += d / samples;
            m2 += d * (x - mean);
            variance = samples > 1 ? m2 / (samples - 1) : 0;
            return false;
        }
        if (x > threshold()) {
            return true;
        }
        samples++;
        double d = x - mean;
        double step = adaptWeight * d;
        mean += step;
        variance = (1 - adaptWeight) * (variance + d * step);
        return false;
    }

    public boolean learned() {
        return samples >= learnSamples;
    }

    /**
     * The figure counts {@code k} cells per independent event (the call-rate stage's raised cells:
     * k per open exchange). The number of open exchanges of independent callers varies at least like
     * a Poisson count, so the figure's deviation is at least sqrt(k x mean): the threshold uses
     * that when it exceeds the learned deviation, which five minutes of learning underestimate
     * (243 learned against 311 over the long run at 1,000 calls/s, docs/tier1.md). 0: off.
     */
    public void countsPerEvent(double k) {
        this.cellsPerEvent = Math.max(0, k);
    }

    /** mean + max(sigmas x deviation, floor). */
    public double threshold() {
        return mean + Math.max(sigmas * deviation(), floor);
    }

    /** The deviation the threshold uses: the learned one, at least the Poisson one (see countsPerEvent). */
    public double deviation() {
        return Math.max(Math.sqrt(variance), Math.sqrt(cellsPerEvent * Math.max(0, mean)));
    }

    public double mean() {
        return mean;
    }

    public double std() {
        return Math.sqrt(variance);
    }

    public long samples() {
        return samples;
    }

    /** The learned state as one line (samples mean variance): taken on the owner's thread, written elsewhere. */
    public String snapshot() {
        return String.format(Locale.ROOT, "%d %.6f %.6f%n", samples, mean, variance);
    }

    /** Writes the learned state, atomically. */
    public void save(Path file) throws IOException {
        write(file, snapshot());
    }

    /** Writes a {@link #snapshot} atomically: a crash leaves the old file or the new one, never half. */
    public static void write(Path file, String snapshot) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, snapshot, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Restores what {@link #save} wrote; a missing file leaves the baseline learning from scratch, and
     * a damaged one is an error that says so (the caller keeps learning rather than trust it).
     */
    public boolean load(Path file) throws IOException {
        if (fixed || !Files.exists(file)) {
            return false;
        }
        String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        try {
            long n = Long.parseLong(f[0]);
            double mu = Double.parseDouble(f[1]);
            double var = Double.parseDouble(f[2]);
            if (f.length != 3 || n < 0 || !(mu >= 0) || !(var >= 0) || Double.isInfinite(mu) || Double.isInfinite(var)) {
                throw new NumberFormatException("out of range");
            }
            samples = n;
            mean = mu;
            variance = var;
            m2 = var * Math.max(0, n - 1);
            return true;
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a saved baseline (" + e.getMessage() + ")", e);
        }
    }
}
