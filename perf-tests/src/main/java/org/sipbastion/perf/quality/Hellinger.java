package org.sipbastion.perf.quality;

import java.util.ArrayList;
import java.util.List;

/**
 * The baseline the issue asks to compare against: Sengar, Wang, Wijesekera and Jajodia, "VoIP flood
 * detection using Hellinger distance" (IEEE TPDS 2008), as we read it. Every message the edge
 * receives is counted by kind in one-second windows; during training the reference distribution Q
 * is the mix over all training windows (after a start-up stretch, as our own baseline skips it),
 * and the threshold is the mean plus {@code k} standard
 * deviations of the training windows' own distance to Q. After training, a window whose distance
 * to Q exceeds the threshold raises the alarm. It sees the whole link and drops nothing: it can only
 * say when, not who.
 */
final class Hellinger {
    /** INVITE, REGISTER, BYE, CANCEL, ACK, OPTIONS, other requests, 1xx, 2xx, 3xx-6xx. */
    static final int KINDS = 10;
    static final long WINDOW = Sim.S;

    private final long trainFrom;
    private final long trainUntil;
    private final double k;
    private final List<long[]> training = new ArrayList<>();
    private final double[] reference = new double[KINDS];
    private long[] counts = new long[KINDS];
    private long windowEnd = WINDOW;
    private double threshold = Double.NaN;
    private final List<Long> alarms = new ArrayList<>();
    private long windows;

    /** Trains on the windows ending in ({@code trainFrom}, {@code trainUntil}]; judges those after. */
    Hellinger(long trainFrom, long trainUntil, double k) {
        this.trainFrom = trainFrom;
        this.trainUntil = trainUntil;
        this.k = k;
    }

    void observe(byte[] d, long now) {
        int kind = kind(d);
        if (kind < 0) {
            return;
        }
        roll(now);
        counts[kind]++;
    }

    /** Closes the windows that ended before {@code now}. */
    void roll(long now) {
        while (now >= windowEnd) {
            close(windowEnd);
            windowEnd += WINDOW;
        }
    }

    private void close(long end) {
        if (end <= trainUntil) {
            if (end > trainFrom) {
                training.add(counts);
            }
        } else {
            if (Double.isNaN(threshold)) {
                train();
            }
            windows++;
            if (distance(counts, reference) > threshold) {
                alarms.add(end);
            }
        }
        counts = new long[KINDS];
    }

    private void train() {
        long[] total = new long[KINDS];
        for (long[] w : training) {
            for (int i = 0; i < KINDS; i++) {
                total[i] += w[i];
            }
        }
        double sum = 0;
        for (long t : total) {
            sum += t;
        }
        for (int i = 0; i < KINDS; i++) {
            reference[i] = sum == 0 ? 0 : total[i] / sum;
        }
        double mean = 0;
        double m2 = 0;
        int n = 0;
        for (long[] w : training) {
            double h = distance(w, reference);
            n++;
            double delta = h - mean;
            mean += delta / n;
            m2 += delta * (h - mean);
        }
        threshold = mean + k * Math.sqrt(n > 1 ? m2 / (n - 1) : 0);
    }

    static double distance(long[] window, double[] q) {
        double sum = 0;
        for (long c : window) {
            sum += c;
        }
        if (sum == 0) {
            return 0;
        }
        double s = 0;
        for (int i = 0; i < KINDS; i++) {
            double d = Math.sqrt(window[i] / sum) - Math.sqrt(q[i]);
            s += d * d;
        }
        return Math.sqrt(s / 2);
    }

    static int kind(byte[] d) {
        if (d.length < 8) {
            return -1;
        }
        if (d[0] == 'S' && d[1] == 'I' && d[2] == 'P' && d[3] == '/') {
            int c = d.length > 8 ? d[8] - '0' : 0;
            return c == 1 ? 7 : c == 2 ? 8 : 9;
        }
        return switch (d[0]) {
            case 'I' -> d[1] == 'N' && d[2] == 'V' ? 0 : 6;
            case 'R' -> d[1] == 'E' && d[2] == 'G' ? 1 : 6;
            case 'B' -> d[1] == 'Y' ? 2 : 6;
            case 'C' -> d[1] == 'A' && d[2] == 'N' ? 3 : 6;
            case 'A' -> d[1] == 'C' && d[2] == 'K' ? 4 : 6;
            case 'O' -> d[1] == 'P' ? 5 : 6;
            case '\r', '\n' -> -1;
            default -> 6;
        };
    }

    /** Window end times (simulated) that alarmed, after training. */
    List<Long> alarms() {
        return alarms;
    }

    long windows() {
        return windows;
    }

    double threshold() {
        return threshold;
    }
}
