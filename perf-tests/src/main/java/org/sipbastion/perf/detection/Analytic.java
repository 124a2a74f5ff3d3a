package org.sipbastion.perf.detection;

/** The textbook figures of a Bloom filter of m cells and k cells per key holding n keys. */
final class Analytic {
    private Analytic() {
    }

    /**
     * Expected non-zero cells, m (1 - e^(-k n / m)): each of the k n increments misses a given cell
     * with probability 1 - 1/m, and (1 - 1/m)^(k n) is e^(-k n / m) to many digits at these sizes.
     */
    static double raisedCells(int m, int k, double n) {
        return m * -Math.expm1(-k * n / m);
    }

    /**
     * The chance that all k cells of a key not in the filter are raised by the n keys that are:
     * (1 - e^(-k n / m))^k, the classic false-positive rate.
     */
    static double allCellsTaken(int m, int k, double n) {
        return Math.pow(-Math.expm1(-k * n / m), k);
    }
}
