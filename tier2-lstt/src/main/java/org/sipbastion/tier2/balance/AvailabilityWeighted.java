package org.sipbastion.tier2.balance;

import java.util.SplittableRandom;
import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;

/**
 * The seed's availability-weighted choice (seed 000, section 3): within the lowest priority group
 * that has a usable proxy, proxy i with probability A_i / sum A, A_i from 0 to its weight as its
 * agent's workload report makes it ({@link ProxyPool#availability}: the weight scaled by the CPU,
 * memory and session room left). A proxy whose agent says it is full gets nothing while another has
 * room; when every one is full, the choice falls back to the weights and is counted as overloaded.
 */
public final class AvailabilityWeighted implements Balancer {
    private final SplittableRandom random;

    public AvailabilityWeighted(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int select(ProxyPool pool, long keyHash, long now) {
        int priority = pool.bestPriority();
        if (priority < 0) {
            return -1;
        }
        double total = 0;
        for (int i = 0; i < pool.size(); i++) {
            if (pool.candidate(i, priority)) {
                total += pool.availability(i, now);
            }
        }
        boolean full = !(total > 0);
        if (full) {
            pool.overloadedChoice();
            for (int i = 0; i < pool.size(); i++) {
                if (pool.candidate(i, priority)) {
                    total += pool.spec(i).weight();
                }
            }
        }
        double pick = random.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < pool.size(); i++) {
            if (pool.candidate(i, priority)) {
                pick -= full ? pool.spec(i).weight() : pool.availability(i, now);
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
        return "availability";
    }
}
