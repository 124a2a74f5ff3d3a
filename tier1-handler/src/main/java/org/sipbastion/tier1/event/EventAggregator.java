package org.sipbastion.tier1.event;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;
import org.sipbastion.tier1.table.FingerprintTable;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * Turns drops into events without letting a flood turn into a flood of events: within one second,
 * all drops by one detector from one source become one event with a count. Only the first drop of
 * a (detector, source) in a second has its details (user, method, Call-ID) decoded; the rest are a
 * counter increment. At most {@code capacity} keys per second: drops beyond that are counted as
 * lost, and so are events the sink refuses. Flushed when the second turns and by the caller's tick.
 *
 * <p>Not thread-safe: one per event loop.
 */
public final class EventAggregator {
    private static final long SECOND_MS = 1000;

    private final EventSink sink;
    private final FingerprintTable keys;
    private final SecurityEvent[] first;
    private final long[] counts;
    private final int[] used;
    private final UriParts uri = new UriParts();
    private int size;
    private long second = Long.MIN_VALUE;
    private final LongAdder lost;

    /** @param lost counts drops that became no event; readable from any thread */
    public EventAggregator(EventSink sink, int capacity, LongAdder lost) {
        this.sink = sink;
        this.lost = lost;
        this.keys = new FingerprintTable(capacity);
        this.first = new SecurityEvent[keys.capacity()];
        this.counts = new long[keys.capacity()];
        this.used = new int[keys.capacity()];
    }

    /**
     * A dropped message: {@code m} may be null (not parsed), {@code reason} may be null. Returns true
     * for the first drop of its (detector, source) this second: a fair sample of what is dropped,
     * one per attacker per second, for whoever keeps samples (a forensic capture).
     */
    public boolean drop(long epochMillis, Detector detector, InetAddress source, SipMessage m, String reason) {
        roll(epochMillis);
        // The address's hash and family: exact for IPv4, and no copy of the address on this path.
        long fp = Fingerprints.mix(detector.ordinal(), (source.hashCode() & 0xFFFFFFFFL) | (source instanceof Inet4Address ? 0 : 1L << 40));
        int slot = keys.find(fp, epochMillis);
        if (slot >= 0) {
            counts[slot]++;
            return false;
        }
        if (size == used.length) {
            lost.increment();
            return false;
        }
        slot = keys.insert(fp, epochMillis);
        used[size++] = slot;
        counts[slot] = 1;
        first[slot] = new SecurityEvent(epochMillis, detector, "drop", AddressText.of(source), m == null ? null : user(m),
            m == null ? null : method(m), m == null ? null : m.string(m.callId()), reason, 1);
        return true;
    }

    /** Emits the second's aggregates if the second has turned. */
    public void tick(long epochMillis) {
        roll(epochMillis);
    }

    /** Emits everything pending now. */
    public void flush() {
        for (int i = 0; i < size; i++) {
            int slot = used[i];
            SecurityEvent e = first[slot];
            offer(counts[slot] == 1 ? e : new SecurityEvent(e.epochMillis(), e.detector(), e.action(), e.source(), e.user(),
                e.method(), e.callId(), e.reason(), counts[slot]));
            first[slot] = null;
        }
        size = 0;
        keys.clear();
    }

    /** Drops that could not become events (too many sources in a second) or events the sink refused. */
    public long lost() {
        return lost.sum();
    }

    private void roll(long epochMillis) {
        long s = Math.floorDiv(epochMillis, SECOND_MS);
        if (s != second) {
            if (size > 0) {
                flush();
            }
            second = s;
        }
    }

    private void offer(SecurityEvent e) {
        if (!sink.offer(e)) {
            lost.add(e.count());
        }
    }

    private String user(SipMessage m) {
        return m.sipUri(m.fromUri(), uri) && Range.present(uri.user()) ? m.string(uri.user()) : null;
    }

    private static String method(SipMessage m) {
        return m.isRequest() ? m.string(m.methodRange()) : Integer.toString(m.statusCode());
    }
}
