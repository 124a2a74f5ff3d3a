package org.sipbastion.tier2.balance;

import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.Rotation;

/**
 * A balancer that sends new work to the candidate with the least score, within the SRV priority
 * group in use. Ties go round in turn, so that equal proxies (all idle, say) share the work instead
 * of the first in the list taking all of it.
 */
public abstract class LeastScore implements Balancer {
    private final Rotation rotation = new Rotation();

    /** Proxy {@code i}'s score now: lower is chosen; NaN counts as zero (not yet measured: try it). */
    protected abstract double score(ProxyPool pool, int i, long now);

    @Override
    public int select(ProxyPool pool, long keyHash, long now) {
        int priority = pool.bestPriority();
        if (priority < 0) {
            return -1;
        }
        int n = pool.size();
        int start = rotation.start(n);
        int best = -1;
        double bestScore = 0;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (!pool.candidate(i, priority)) {
                continue;
            }
            double s = score(pool, i, now);
            if (Double.isNaN(s)) {
                s = 0;
            }
            if (best < 0 || s < bestScore) {
                best = i;
                bestScore = s;
            }
        }
        return best;
    }
}
