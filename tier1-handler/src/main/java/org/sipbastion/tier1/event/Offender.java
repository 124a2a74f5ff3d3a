package org.sipbastion.tier1.event;

import java.net.InetAddress;

/**
 * A source behind an alarm, with how much of the anomaly it accounts for (for the call-rate stage:
 * exchanges it opened that are still open), and whether tier 1 blocked its address (not when the
 * source is trusted, nor when a user or an account was blocked rather than the address).
 */
public record Offender(InetAddress source, int count, boolean blocked) {
    /** A source named, not blocked. */
    public Offender(InetAddress source, int count) {
        this(source, count, false);
    }
}
