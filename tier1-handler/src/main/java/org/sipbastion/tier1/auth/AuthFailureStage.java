package org.sipbastion.tier1.auth;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;
import org.sipbastion.tier1.event.AddressText;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.event.Offender;
import org.sipbastion.tier1.table.FingerprintTable;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * REGISTER (and INVITE) password guessing, as svcrack does it: per source address and per target
 * account (the To URI), the requests that carried credentials and were answered 401, 407 or 403
 * (a wrong password) against those answered 2xx. A normal phone is challenged once (no credentials
 * yet, so that 401 is not a failure) and then succeeds; a password guesser fails again and again.
 * When the failures in the window reach {@code failures} and make up at least {@code ratio} of the
 * answered attempts, the source is blocked for {@code blockNanos} and an alarm names it.
 *
 * <p>Responses are matched to requests through a small table of the credentialed transactions
 * (Call-ID, CSeq), so it works whether the responses carry our Via (the gateway) or not (replay).
 * Tables are fixed: guessing from endless addresses churns them, never grows them. Not thread-safe.
 */
public final class AuthFailureStage {
    private static final long SECOND = 1_000_000_000L;

    /**
     * @param failures   failed credentialed attempts in the window that make an offender
     * @param ratio      ... when they are at least this share of its answered attempts
     * @param windowNanos the counting window (counts restart when it has passed)
     * @param blockNanos how long an offender is blocked
     * @param entries    table sizes (sources and accounts; pending transactions)
     */
    public record Settings(int failures, double ratio, long windowNanos, long blockNanos, int entries) {
        public static final Settings DEFAULT = new Settings(10, 0.8, 60 * SECOND, 600 * SECOND, 1 << 16);

        public Settings {
            if (failures < 1 || !(ratio >= 0 && ratio <= 1) || windowNanos <= 0 || blockNanos < 0 || entries < 1) {
                throw new IllegalArgumentException("auth settings out of range: " + this);
            }
        }
    }

    private Settings settings;
    private final long seed;
    private final AlarmListener alarms;
    private final FingerprintTable pending;
    private final InetAddress[] pendingSource;
    private final long[] pendingAccount;
    private final FingerprintTable counters;
    private final long[] windowStart;
    private final int[] failed;
    private final int[] succeeded;
    private final long[] blockedUntil;
    private final UriParts to = new UriParts();

    public AuthFailureStage(Settings settings, long seed, AlarmListener alarms) {
        this.settings = settings;
        this.seed = seed;
        this.alarms = alarms;
        this.pending = new FingerprintTable(settings.entries());
        this.pendingSource = new InetAddress[pending.capacity()];
        this.pendingAccount = new long[pending.capacity()];
        this.counters = new FingerprintTable(settings.entries());
        int n = counters.capacity();
        this.windowStart = new long[n];
        this.failed = new int[n];
        this.succeeded = new int[n];
        this.blockedUntil = new long[n];
    }

    /** New thresholds; tables and counts stay. */
    public void apply(Settings next) {
        settings = new Settings(next.failures(), next.ratio(), next.windowNanos(), next.blockNanos(), settings.entries());
    }

    /** Judges a REGISTER or INVITE: {@link Detector#BRUTE_FORCE} while its source or account is blocked. */
    public Detector request(SipMessage m, InetAddress source, long now) {
        Method method = m.method();
        if (method != Method.REGISTER && method != Method.INVITE) {
            return Detector.NONE;
        }
        long src = sourceKey(source);
        long account = accountKey(m);
        if (blocked(src, now) || account != 0 && blocked(account, now)) {
            return Detector.BRUTE_FORCE;
        }
        if (m.count(HeaderName.AUTHORIZATION) + m.count(HeaderName.PROXY_AUTHORIZATION) > 0) {
            long tx = transaction(m);
            int slot = pending.find(tx, now);
            if (slot < 0) {
                slot = pending.insert(tx, now);
            }
            pendingSource[slot] = source;
            pendingAccount[slot] = account;
        }
        return Detector.NONE;
    }

    /**
     * A final response to a REGISTER or INVITE: counts a success or a failed credentialed attempt.
     * Returns the source of a credentialed request that succeeded (it knows a password), else null.
     */
    public InetAddress response(SipMessage m, long now) {
        int code = m.statusCode();
        Method method = m.cseqMethod();
        if (code < 200 || method != Method.REGISTER && method != Method.INVITE) {
            return null;
        }
        int slot = pending.find(transaction(m), now);
        if (slot < 0) {
            return null;
        }
        InetAddress source = pendingSource[slot];
        long account = pendingAccount[slot];
        pending.remove(slot);
        pendingSource[slot] = null;
        boolean failure = code == 401 || code == 407 || code == 403;
        if (!failure && code >= 300) {
            return null;
        }
        count(sourceKey(source), failure, now, source, null);
        if (account != 0) {
            count(account, failure, now, source, m);
        }
        return failure ? null : source;
    }

    private void count(long key, boolean failure, long now, InetAddress source, SipMessage accountOf) {
        int slot = counters.find(key, now);
        if (slot < 0) {
            slot = counters.insert(key, now);
            windowStart[slot] = now;
            failed[slot] = succeeded[slot] = 0;
            blockedUntil[slot] = 0;
        }
        if (now - windowStart[slot] > settings.windowNanos()) {
            windowStart[slot] = now;
            failed[slot] = succeeded[slot] = 0;
        }
        if (failure) {
            failed[slot]++;
        } else {
            succeeded[slot]++;
        }
        int f = failed[slot];
        if (failure && f >= settings.failures() && f >= settings.ratio() * (f + succeeded[slot]) && blockedUntil[slot] <= now) {
            blockedUntil[slot] = now + settings.blockNanos();
            String who = accountOf == null ? "source " + AddressText.of(source)
                : "account " + account(accountOf) + " (last from " + AddressText.of(source) + ")";
            alarms.alarm(new Alarm(now, Detector.BRUTE_FORCE, String.format(Locale.ROOT,
                "%s blocked for %d s: %d failed authentications, %d successful, in %d s", who,
                settings.blockNanos() / SECOND, f, succeeded[slot], settings.windowNanos() / SECOND),
                List.of(new Offender(source, f, accountOf == null)), settings.blockNanos()));
        }
    }

    private boolean blocked(long key, long now) {
        int slot = counters.find(key, now);
        return slot >= 0 && blockedUntil[slot] > now;
    }

    private long sourceKey(InetAddress a) {
        return Fingerprints.address(seed ^ 0x736f75726365L, a);
    }

    /** The To URI's user@host: the account under attack; 0 when there is none. */
    private long accountKey(SipMessage m) {
        if (!m.sipUri(m.toUri(), to) || !Range.present(to.user())) {
            return 0;
        }
        return Fingerprints.mix(seed ^ 0x6163636f756e74L, Fingerprints.mix(m.hash(to.user()), m.hash(to.host())));
    }

    private String account(SipMessage m) {
        return m.sipUri(m.toUri(), to) && Range.present(to.user()) ? m.string(to.user()) + "@" + m.string(to.host()) : "?";
    }

    private long transaction(SipMessage m) {
        return Fingerprints.mix(Fingerprints.mix(seed, m.hash(m.callId())), m.cseqNumber() << 1 | (m.cseqMethod() == Method.INVITE ? 1 : 0));
    }
}
