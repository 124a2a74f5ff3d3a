package org.sipbastion.tier2.balance;

import org.sipbastion.tier2.pool.ProxyPool;

/**
 * TLWL-1.75 (Jiang, Xia, Ma et al., "Design, implementation and performance of a load balancer for
 * SIP server clusters", IEEE/ACM ToN 2012): the candidate with the least outstanding work, counting
 * each unanswered transaction it was sent, an INVITE as 1.75 and anything else as 1, divided by its
 * weight. The paper's best performer and the one LSTT must match.
 */
public final class TransactionLeastWorkLeft extends LeastScore {
    @Override
    protected double score(ProxyPool pool, int i, long now) {
        return pool.outstandingWork(i) / pool.spec(i).weight();
    }

    @Override
    public String name() {
        return "tlwl";
    }
}
