package org.sipbastion.tier2.pool;

/**
 * Where a balancer's scan over the proxies starts: one further at each decision, so that equal
 * proxies (all idle, say) share ties in turn instead of the first in the list taking them all.
 * Not thread-safe: one per balancer.
 */
public final class Rotation {
    private int cursor;

    /** The index to start a scan over {@code n} proxies from. */
    public int start(int n) {
        int start = cursor++ % n;
        if (cursor < 0) {
            cursor = 0;
        }
        return start;
    }
}
