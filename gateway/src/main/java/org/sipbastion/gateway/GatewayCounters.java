package org.sipbastion.gateway;

import java.util.concurrent.atomic.LongAdder;
import org.sipbastion.parser.Reason;
import org.sipbastion.tier1.sanity.PolicyViolation;

/**
 * Counters of the data path, one per named event (Aeron style: plain adders, read by the CLI and
 * later exported as metrics). Every drop is counted under its reason; nothing disappears silently.
 */
public final class GatewayCounters {
    public final LongAdder received = new LongAdder();
    public final LongAdder requestsForwarded = new LongAdder();
    public final LongAdder responsesForwarded = new LongAdder();
    public final LongAdder localReplies = new LongAdder();
    /** A response whose top Via is not one we made (fake BUSY and the like). */
    public final LongAdder forgedResponses = new LongAdder();
    /** No usable destination: unresolvable Via, our own address, broadcast. */
    public final LongAdder unroutable = new LongAdder();
    public final LongAdder noProxyAvailable = new LongAdder();
    public final LongAdder internalErrors = new LongAdder();
    private final LongAdder[] malformed = adders(Reason.values().length);
    private final LongAdder[] refused = adders(PolicyViolation.values().length);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public void malformed(Reason r) {
        malformed[r.ordinal()].increment();
    }

    public long malformedCount(Reason r) {
        return malformed[r.ordinal()].sum();
    }

    public long malformedTotal() {
        long t = 0;
        for (LongAdder a : malformed) {
            t += a.sum();
        }
        return t;
    }

    public void refused(PolicyViolation v) {
        refused[v.ordinal()].increment();
    }

    public long refusedCount(PolicyViolation v) {
        return refused[v.ordinal()].sum();
    }

    public long refusedTotal() {
        long t = 0;
        for (LongAdder a : refused) {
            t += a.sum();
        }
        return t;
    }

    /** One line for logs and the demo console. */
    public String summary() {
        return "received=" + received.sum() + " requests_forwarded=" + requestsForwarded.sum()
            + " responses_forwarded=" + responsesForwarded.sum() + " local_replies=" + localReplies.sum()
            + " malformed=" + malformedTotal() + " refused=" + refusedTotal() + " forged_responses=" + forgedResponses.sum()
            + " unroutable=" + unroutable.sum() + " no_proxy=" + noProxyAvailable.sum() + " internal_errors=" + internalErrors.sum();
    }
}
