package org.sipbastion.tier1.dispersion;

import org.sipbastion.tier1.event.AddressText;
import java.net.InetAddress;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;
import java.util.List;
import java.util.Locale;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.event.Offender;
import org.sipbastion.tier1.table.FingerprintTable;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * Tier 1's control stage (seed 004, section 3.1): per source address and per SIP user, per method,
 * the inter-arrival times of requests, their mean and their dispersion, and a rate limit.
 *
 * <p>The dispersion statistic is the coefficient of variation, std / mean, of the inter-arrival
 * time measured over a span of {@code span} messages (the time from one message to the
 * {@code span}-th after it, every message starting a span). A tool sends on a schedule, and its
 * scheduler's jitter does not add up from one message to the next, so over a span its coefficient
 * falls like 1/span; independent people (Poisson arrivals) only fall like 1/sqrt(span). Measured
 * on a real SIPp flood at 100 calls/s, whose timer alternates 12 ms and 8 ms: 0.22 over single
 * intervals, above the seed's threshold, and 0.02 over spans of 4; Poisson arrivals give 1.0 and
 * 0.5. With span 1 this is the textbook statistic. A stream whose coefficient is under epsilon
 * (0.08 for floods; 0.05 for dialog-ending requests, the seed's "fake messages") while its mean
 * interval is short enough to be a flood is an offender, and its key is blocked for a while.
 * Legitimate machines that send at constant intervals (trunk OPTIONS pings, REGISTER refreshes) do
 * so far below the rate floor; many users behind one NAT address add up to Poisson-like arrivals.
 *
 * <p>Mean and variance are exact (Welford) for the first {@code window} spans and exponentially
 * weighted over about {@code window} spans after that, so the figures follow a stream that
 * changes, and a source cannot build a long innocent history to hide a later flood in.
 *
 * <p>Keys live in a fixed {@link FingerprintTable}: spoofed sources churn it, never grow it. Not
 * thread-safe: one per event loop.
 */
public final class ControlStage {
    private static final long SECOND = 1_000_000_000L;
    /** Method slot for whole-source blocks (the call-rate stage's offenders). */
    private static final int ANY_METHOD = 63;
    private static final byte[] ANONYMOUS = "anonymous".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ANONYMOUS_HOST = "anonymous.invalid".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * @param floodCv        epsilon for floods: coefficient of variation below which a fast stream is tool-made
     * @param fakeCv         epsilon for BYE and CANCEL streams
     * @param floodRate      requests per second a stream must reach (mean interval at most 1/rate) to be a flood
     * @param span           messages per measured inter-arrival span (1 to 8)
     * @param minSamples     spans seen before a stream can be judged
     * @param window         spans the statistics cover once warm
     * @param blockNanos     how long an offending key stays blocked
     * @param rateLimit      requests per second per key and method (0: no limit)
     * @param rateBurst      requests a key may send at once above the rate
     * @param entries        table capacity (keys x methods)
     * @param rateBlockNanos how long a key that ran its bucket dry is blocked (0: drop only the excess)
     */
    public record Settings(double floodCv, double fakeCv, double floodRate, int span, int minSamples, int window,
                           long blockNanos, double rateLimit, double rateBurst, int entries, long rateBlockNanos) {
        public static final Settings DEFAULT =
            new Settings(0.08, 0.05, 10.0, 4, 20, 50, 60 * SECOND, 20.0, 20.0, 1 << 17, 60 * SECOND);

        /** The limits that apply where no profile says otherwise. */
        public Limits limits() {
            return new Limits(floodRate, rateLimit, rateBurst, true);
        }

        public Settings {
            if (!(floodCv >= 0 && fakeCv >= 0 && floodRate > 0 && span >= 1 && span <= 8 && minSamples >= 2 && window >= minSamples
                && blockNanos >= 0 && rateLimit >= 0 && rateBurst >= 1 && entries >= 1 && rateBlockNanos >= 0)) {
                throw new IllegalArgumentException("control stage settings out of range: " + this);
            }
        }
    }

    /**
     * What may differ per source (a profile): the flood floor, the rate limit, and whether the
     * address as a whole is judged (not for a NAT'd office: only its users are).
     */
    public record Limits(double floodRate, double rateLimit, double rateBurst, boolean judgeAddress) {
        public Limits {
            if (!(floodRate > 0 && rateLimit >= 0 && rateBurst >= 1)) {
                throw new IllegalArgumentException("limits out of range: " + this);
            }
        }
    }

    private Settings settings;
    private Limits defaults;
    private final long seed;
    private final FingerprintTable table;
    /** The last {@code span} arrival times of each key, a ring per slot. */
    private final long[] arrivals;
    private final int[] arrived;
    private final int[] intervals;
    /** Consecutive spans far from the mean: a stream that changed pace (see observe). */
    private final byte[] shifted;
    private final double[] mean;
    private final double[] variance;
    private final long[] blockedUntil;
    private final Detector[] blockedBy;
    private final double[] tokens;
    private final long[] tokenTime;
    private final UriParts from = new UriParts();
    private final AlarmListener alarms;
    private org.sipbastion.tier1.admission.KnownSources known;

    public ControlStage(Settings settings, long seed, AlarmListener alarms) {
        this.settings = settings;
        this.defaults = settings.limits();
        this.alarms = alarms;
        this.seed = seed;
        this.table = new FingerprintTable(settings.entries());
        int n = table.capacity();
        arrivals = new long[n * settings.span()];
        arrived = new int[n];
        intervals = new int[n];
        shifted = new byte[n];
        mean = new double[n];
        variance = new double[n];
        blockedUntil = new long[n];
        blockedBy = new Detector[n];
        tokens = new double[n];
        tokenTime = new long[n];
    }

    /**
     * Applies new thresholds to the running stage, keeping every stream's statistics and blocks.
     * The table size and the span cannot change while running (they shape the arrays); the running
     * ones are kept.
     */
    public void apply(Settings next) {
        settings = new Settings(next.floodCv(), next.fakeCv(), next.floodRate(), settings.span(), next.minSamples(),
            next.window(), next.blockNanos(), next.rateLimit(), next.rateBurst(), settings.entries(), next.rateBlockNanos());
        defaults = settings.limits();
    }

    public Settings settings() {
        return settings;
    }

    /** Judges a request: {@link Detector#NONE} to let it through, else the detector that drops it. */
    public Detector request(SipMessage m, InetAddress source, long now) {
        return request(m, source, now, null);
    }

    /** As {@link #request(SipMessage, InetAddress, long)}, with a profile's limits (null: the defaults). */
    public Detector request(SipMessage m, InetAddress source, long now, Limits limits) {
        Limits l = limits != null ? limits : defaults;
        long src = sourceKey(source);
        int whole = table.find(Fingerprints.mix(src, ANY_METHOD), now);
        if (whole >= 0 && blockedUntil[whole] > now) {
            return blockedBy[whole];
        }
        int method = m.method().ordinal();
        boolean ending = m.method() == Method.BYE || m.method() == Method.CANCEL;
        long user = userKey(m);
        // Without a usable user (none, or the shared anonymous identity) the address is judged even
        // where a profile judges users only: else a phone behind the NAT could send unjudged.
        if (l.judgeAddress() || user == 0) {
            Detector d = observe(Fingerprints.mix(src, method), now, ending, m, source, false, l);
            if (d != Detector.NONE) {
                return d;
            }
        }
        return user == 0 ? Detector.NONE : observe(Fingerprints.mix(user, method), now, ending, m, source, true, l);
    }

    /** Blocks every request from {@code source} until {@code until}, in the name of {@code why}. */
    public void block(InetAddress source, long now, long until, Detector why) {
        long fp = Fingerprints.mix(sourceKey(source), ANY_METHOD);
        int slot = table.find(fp, now);
        if (slot < 0) {
            slot = fresh(fp, now, defaults);
        }
        blockedUntil[slot] = Math.max(blockedUntil[slot], until);
        blockedBy[slot] = why;
    }

    private Detector observe(long fp, long now, boolean ending, SipMessage m, InetAddress source, boolean byUser,
                             Limits l) {
        int slot = table.find(fp, now);
        if (slot < 0) {
            fresh(fp, now, l);
            return Detector.NONE;
        }
        if (blockedUntil[slot] > now) {
            return blockedBy[slot];
        }
        int span = settings.span();
        int ring = slot * span + arrived[slot] % span;
        long spanStart = arrivals[ring];
        arrivals[ring] = now;
        if (++arrived[slot] <= span) {
            return rateLimit(slot, now, l, m, source, byUser);
        }
        arrived[slot] = span + arrived[slot] % span; // stays above span, never overflows
        long dt = Math.max(0, now - spanStart);
        // A stream that changes pace (a client with a slow, innocent history that starts to flood)
        // would carry the old pace in its variance for hundreds of spans: after `span` spans in a
        // row more than four times off the mean, the statistics start over from the new pace.
        if (intervals[slot] > 0 && (dt * 4 < mean[slot] || dt > mean[slot] * 4)) {
            if (++shifted[slot] >= span) {
                intervals[slot] = 0;
                mean[slot] = 0;
                variance[slot] = 0;
                shifted[slot] = 0;
            }
        } else {
            shifted[slot] = 0;
        }
        int n = intervals[slot] < settings.window() ? ++intervals[slot] : intervals[slot];
        // Weight 1/n is Welford's exact update (population variance); capped at 1/window it becomes
        // the exponentially weighted one.
        double w = 1.0 / n;
        double d = dt - mean[slot];
        mean[slot] += w * d;
        variance[slot] = (1 - w) * (variance[slot] + w * d * d);
        if (intervals[slot] >= settings.minSamples() && mean[slot] * l.floodRate() <= (double) SECOND * span) {
            double cv = mean[slot] > 0 ? Math.sqrt(variance[slot]) / mean[slot] : 0;
            double epsilon = ending ? settings.fakeCv() : settings.floodCv();
            if (cv < epsilon) {
                blockedUntil[slot] = now + settings.blockNanos();
                blockedBy[slot] = ending ? Detector.FAKE_MESSAGE : Detector.FLOOD;
                blockAddress(byUser, source, now, blockedUntil[slot], blockedBy[slot]);
                alarms.alarm(blocked(now, blockedBy[slot], m, source, byUser, cv, mean[slot] / span, epsilon));
                return blockedBy[slot];
            }
        }
        return rateLimit(slot, now, l, m, source, byUser);
    }

    /**
     * The token bucket. A key that empties it sends faster than any phone or person can, for
     * longer than a burst: with {@code rateBlockNanos} it is blocked like a flood (pike's rule), so
     * a Poisson-timed flood that the dispersion test cannot tell from people is stopped whole, not
     * thinned to the rate; without, only the excess is dropped.
     */
    private Detector rateLimit(int slot, long now, Limits l, SipMessage m, InetAddress source, boolean byUser) {
        if (l.rateLimit() > 0) {
            double t = Math.min(l.rateBurst(), tokens[slot] + (now - tokenTime[slot]) * l.rateLimit() / SECOND);
            tokenTime[slot] = now;
            if (t < 1) {
                tokens[slot] = t;
                if (settings.rateBlockNanos() > 0) {
                    blockedUntil[slot] = now + settings.rateBlockNanos();
                    blockedBy[slot] = Detector.RATE_LIMIT;
                    blockAddress(byUser, source, now, blockedUntil[slot], Detector.RATE_LIMIT);
                    alarms.alarm(overRate(now, m, source, byUser, l));
                }
                return Detector.RATE_LIMIT;
            }
            tokens[slot] = t - 1;
        }
        return Detector.NONE;
    }

    /**
     * An address caught flooding with one method is blocked for all of them: a scanner moves from
     * OPTIONS to INVITE to REGISTER, and each new method would start a fresh stream. A user's
     * block stays with its method (the address may be a NAT with other users behind it).
     */
    private void blockAddress(boolean byUser, InetAddress source, long now, long until, Detector why) {
        // Not for an address that has completed calls: over UDP anyone can spoof it, and 21 forged
        // requests would cut it off for every method. Its method stays blocked like any other.
        if (!byUser && (known == null || !known.known(source, now))) {
            block(source, now, until, why);
        }
    }

    /** Addresses known to be user agents (see KnownSources): never blocked for all methods at once. */
    public void spareKnown(org.sipbastion.tier1.admission.KnownSources known) {
        this.known = known;
    }

    private Alarm overRate(long now, SipMessage m, InetAddress source, boolean byUser, Limits l) {
        String summary = String.format(Locale.ROOT, "%s blocked for %d s: %s above %.0f/s (burst %.0f)", who(m, source, byUser),
            settings.rateBlockNanos() / SECOND, m.method(), l.rateLimit(), l.rateBurst());
        return new Alarm(now, Detector.RATE_LIMIT, summary, List.of(new Offender(source, 1, !byUser)),
            settings.rateBlockNanos());
    }

    private String who(SipMessage m, InetAddress source, boolean byUser) {
        return byUser ? "user " + m.string(from.user()) + "@" + m.string(from.host()) + " (last from "
            + AddressText.of(source) + ")" : "source " + AddressText.of(source);
    }

    /** The alarm for a new block: once per block, so it may allocate. */
    private Alarm blocked(long now, Detector why, SipMessage m, InetAddress source, boolean byUser, double cv,
                          double meanNanos, double epsilon) {
        String who = who(m, source, byUser);
        String summary = String.format(Locale.ROOT, "%s blocked for %d s: %s at %.1f/s with dispersion %.3f < %.2f",
            who, settings.blockNanos() / SECOND, m.method(), SECOND / Math.max(1, meanNanos), cv, epsilon);
        // A user's block is not its address's: a firewall must not block the NAT it came through.
        return new Alarm(now, why, summary, List.of(new Offender(source, 1, !byUser)), settings.blockNanos());
    }

    private int fresh(long fp, long now, Limits l) {
        int slot = table.insert(fp, now);
        arrivals[slot * settings.span()] = now;
        arrived[slot] = 1;
        intervals[slot] = 0;
        shifted[slot] = 0;
        mean[slot] = 0;
        variance[slot] = 0;
        blockedUntil[slot] = 0;
        blockedBy[slot] = Detector.NONE;
        tokens[slot] = l.rateBurst() - 1;
        tokenTime[slot] = now;
        return slot;
    }

    /** The coefficient of variation of a key's stream so far, or NaN when unknown (for tests and reports). */
    public double dispersion(InetAddress source, Method method, long now) {
        int slot = table.find(Fingerprints.mix(sourceKey(source), method.ordinal()), now);
        return slot < 0 || intervals[slot] < 2 || mean[slot] == 0 ? Double.NaN : Math.sqrt(variance[slot]) / mean[slot];
    }

    public FingerprintTable table() {
        return table;
    }

    private long sourceKey(InetAddress a) {
        return Fingerprints.address(seed, a);
    }

    /** The From URI's user@host, hashed; 0 when it has no user (then only the address counts). */
    private long userKey(SipMessage m) {
        if (!m.sipUri(m.fromUri(), from) || !Range.present(from.user())) {
            return 0;
        }
        // RFC 3323 anonymity: one identity shared by every withheld caller, never one sender.
        if (m.contentEquals(from.user(), ANONYMOUS, true) || m.contentEquals(from.host(), ANONYMOUS_HOST, true)) {
            return 0;
        }
        return Fingerprints.mix(seed ^ 0x75736572L, Fingerprints.mix(m.hash(from.user()), m.hash(from.host())));
    }
}
