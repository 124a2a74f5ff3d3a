package org.sipbastion.tier1.event;

import java.net.InetAddress;

/**
 * A source behind an alarm, with how much of the anomaly it accounts for (for the call-rate stage:
 * exchanges it opened that are still open).
 */
public record Offender(InetAddress source, int count) {
}
