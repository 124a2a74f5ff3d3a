package org.sipbastion.tier2.balance;

import org.sipbastion.tier2.pool.ProxyPool;

/**
 * The candidate with the least smoothed response time (an exponentially weighted moving average of
 * the proxy's own answers; a proxy not yet measured is tried first). Reacts only as answers come
 * back, so a burst can herd onto the proxy that was fastest a moment ago.
 */
public final class ResponseTimeEwma extends LeastScore {
    @Override
    protected double score(ProxyPool pool, int i, long now) {
        return pool.responseTime(i, now);
    }

    @Override
    public String name() {
        return "response-time";
    }
}
