package org.sipbastion.perf.balancing;

/**
 * Response times in a log-linear histogram (as HdrHistogram does it): values in microseconds,
 * exact below 2,048 µs, then 1,024 buckets per power of two, so a quantile is within 0.1 % of the
 * true sample quantile whatever the range, in fixed memory. The mean is kept exactly.
 */
final class LogHistogram {
    private static final int SUB_BITS = 10;
    private static final int SUB = 1 << SUB_BITS;
    /** Up to 2^42 µs (about 51 days): far beyond any response time the model can produce. */
    private static final int MAX_SHIFT = 42 - SUB_BITS;
    private final long[] counts = new long[(MAX_SHIFT + 2) * SUB];
    private long total;
    private double sumNanos;

    void recordNanos(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        counts[index(micros)]++;
        total++;
        sumNanos += nanos;
    }

    long count() {
        return total;
    }

    /** Mean in milliseconds; NaN when empty. */
    double meanMillis() {
        return total == 0 ? Double.NaN : sumNanos / total / 1e6;
    }

    /** The {@code q} quantile (0 to 1) in milliseconds: the bucket's midpoint; NaN when empty. */
    double quantileMillis(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return midpoint(i) / 1000.0;
            }
        }
        return midpoint(counts.length - 1) / 1000.0;
    }

    static int index(long micros) {
        if (micros < 2 * SUB) {
            return (int) micros;
        }
        int shift = Math.min(MAX_SHIFT, 63 - Long.numberOfLeadingZeros(micros) - SUB_BITS);
        long sub = Math.min(2 * SUB - 1, micros >>> shift);
        return (shift + 1) * SUB + (int) (sub - SUB);
    }

    /** The middle of bucket {@code i}'s range, in microseconds. */
    static double midpoint(int i) {
        if (i < 2 * SUB) {
            return i;
        }
        int shift = i / SUB - 1;
        long low = (long) (i % SUB + SUB) << shift;
        return low + ((1L << shift) - 1) / 2.0;
    }
}
