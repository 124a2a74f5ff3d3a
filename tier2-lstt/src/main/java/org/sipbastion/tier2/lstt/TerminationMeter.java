package org.sipbastion.tier2.lstt;

import java.net.InetSocketAddress;
import java.util.List;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.SipMessage;

/**
 * Measures each proxy's session-termination time on live traffic: the forwarder reports every BYE
 * it sends to a proxy, the pipeline every verified final response to a BYE that a proxy sends
 * back, and the time between the two becomes a sample of that proxy's STT.
 * Not thread-safe: one per event loop.
 */
public final class TerminationMeter {
    /** K and T of the estimate: the last 256 BYEs of a proxy, none older than 60 s. */
    public static final int WINDOW = 256;
    public static final long MAX_AGE_NANOS = 60_000_000_000L;

    private final List<InetSocketAddress> proxies;
    private final PendingByes pending;
    private final SessionTerminationTimes times;

    /** @param pendingCapacity BYEs awaiting their answer that can be remembered */
    public TerminationMeter(List<InetSocketAddress> proxies, int pendingCapacity) {
        this.proxies = List.copyOf(proxies);
        this.pending = new PendingByes(pendingCapacity);
        this.times = new SessionTerminationTimes(this.proxies.size(), WINDOW, MAX_AGE_NANOS);
    }

    /** The forwarder sent request {@code m} to {@code proxy}: a BYE starts a measurement. */
    public void sent(SipMessage m, InetSocketAddress proxy, long now) {
        if (m.method() != Method.BYE) {
            return;
        }
        int i = proxies.indexOf(proxy);
        if (i >= 0) {
            pending.sent(key(m), i, now);
        }
    }

    /** A verified response {@code m} from {@code from}: a BYE's final response ends one. */
    public void response(SipMessage m, InetSocketAddress from, long now) {
        if (m.statusCode() < 200 || m.cseqMethod() != Method.BYE) {
            return;
        }
        int i = proxies.indexOf(from);
        if (i < 0) {
            return;
        }
        long stt = pending.answered(key(m), i, now);
        if (stt >= 0) {
            times.record(i, stt, now);
        }
    }

    public SessionTerminationTimes times() {
        return times;
    }

    public PendingByes pending() {
        return pending;
    }

    public List<InetSocketAddress> proxies() {
        return proxies;
    }

    /** The BYE transaction: Call-ID and CSeq number (a BYE and its responses share both). */
    private static long key(SipMessage m) {
        long h = m.hash(m.callId());
        return h * 0x9E3779B97F4A7C15L + m.cseqNumber();
    }
}
