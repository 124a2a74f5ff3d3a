package org.sipbastion.perf.detection;

/** Mean, standard deviation (Welford, numerically safe over a million samples), min and max. */
final class RunningStats {
    private long n;
    private double mean;
    private double m2;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    void add(double x) {
        n++;
        double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
        min = Math.min(min, x);
        max = Math.max(max, x);
    }

    long count() {
        return n;
    }

    double mean() {
        return mean;
    }

    /** The sample standard deviation. */
    double std() {
        return n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
    }

    double min() {
        return min;
    }

    double max() {
        return max;
    }
}
