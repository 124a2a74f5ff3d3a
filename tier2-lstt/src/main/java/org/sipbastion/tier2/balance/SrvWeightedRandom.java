package org.sipbastion.tier2.balance;

import java.util.SplittableRandom;
import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;

/**
 * RFC 2782's selection: within the lowest priority group that has a usable proxy, a random proxy
 * with probability proportional to its weight. What a plain SIP client does with the farm's SRV
 * records; static, blind to load.
 */
public final class SrvWeightedRandom implements Balancer {
    private final SplittableRandom random;

    public SrvWeightedRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int select(ProxyPool pool, long keyHash, long now) {
        int priority = pool.bestPriority();
        if (priority < 0) {
            return -1;
        }
        long total = 0;
        for (int i = 0; i < pool.size(); i++) {
            if (pool.candidate(i, priority)) {
                total += pool.spec(i).weight();
            }
        }
        long pick = random.nextLong(total);
        int last = -1;
        for (int i = 0; i < pool.size(); i++) {
            if (pool.candidate(i, priority)) {
                pick -= pool.spec(i).weight();
                last = i;
                if (pick < 0) {
                    return i;
                }
            }
        }
        return last;
    }

    @Override
    public String name() {
        return "srv-weighted";
    }
}
