package org.sipbastion.tier1.admission;

import java.net.InetAddress;
import org.sipbastion.tier1.table.FingerprintTable;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * Addresses that have behaved like SIP user agents recently: one of their INVITEs was answered and
 * acknowledged, or one of their credentialed requests was accepted. While the call-rate alarm says
 * the proxies are being flooded with calls that never complete, but no single source can be named
 * (a flood spread thinly over many addresses), new calls from addresses with no such record are
 * shed: a flooder that never completes a call never earns one, a phone that registered has one.
 *
 * <p>Only good behaviour inserts, so attackers cannot fill the table; it is fixed in size, and the
 * least recently used addresses (looked up or vouched for) make room. Not thread-safe: one per event loop.
 */
public final class KnownSources {
    private final FingerprintTable table;
    private final long[] vouchedAt;
    private final long seed;
    private long forNanos;

    /**
     * @param entries  addresses remembered
     * @param forNanos how long one good exchange vouches for an address
     */
    public KnownSources(int entries, long forNanos, long seed) {
        this.table = new FingerprintTable(entries);
        this.vouchedAt = new long[table.capacity()];
        this.forNanos = forNanos;
        this.seed = seed;
    }

    /** New duration; the remembered addresses stay. */
    public void forNanos(long nanos) {
        this.forNanos = nanos;
    }

    /** {@code source} completed an exchange at {@code now}. */
    public void vouch(InetAddress source, long now) {
        if (source == null) {
            return;
        }
        long key = Fingerprints.address(seed, source);
        int slot = table.find(key, now);
        if (slot < 0) {
            slot = table.insert(key, now);
        }
        vouchedAt[slot] = now;
    }

    public boolean known(InetAddress source, long now) {
        int slot = table.find(Fingerprints.address(seed, source), now);
        return slot >= 0 && now - vouchedAt[slot] <= forNanos;
    }

    public int capacity() {
        return table.capacity();
    }
}
