package org.sipbastion.tier2.balance;

import org.sipbastion.tier2.pool.ProxyPool;

/** The candidate with the fewest active dialogs per unit of weight (dispatcher's "least calls"). */
public final class LeastActiveCalls extends LeastScore {
    @Override
    protected double score(ProxyPool pool, int i, long now) {
        return (double) pool.activeDialogs(i) / pool.spec(i).weight();
    }

    @Override
    public String name() {
        return "least-calls";
    }
}
