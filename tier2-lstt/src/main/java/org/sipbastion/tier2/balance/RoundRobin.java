package org.sipbastion.tier2.balance;

import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;

/** Each candidate in turn, blind to load: the baseline every other algorithm must beat. */
public final class RoundRobin implements Balancer {
    private int cursor;

    @Override
    public int select(ProxyPool pool, long keyHash, long now) {
        int priority = pool.bestPriority();
        if (priority < 0) {
            return -1;
        }
        int n = pool.size();
        for (int k = 0; k < n; k++) {
            int i = cursor;
            cursor = (cursor + 1) % n;
            if (pool.candidate(i, priority)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String name() {
        return "round-robin";
    }
}
