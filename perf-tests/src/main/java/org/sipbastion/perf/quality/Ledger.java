package org.sipbastion.perf.quality;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What became of every labelled message of a run: normal messages (the phones' and the proxies'
 * answers to them) and the attack's, with the detectors that dropped them, and for the attack the
 * moment of its first drop, the harness's definition of "detected".
 */
final class Ledger {
    /** Counts of one label. */
    static final class Tally {
        long sent;
        long dropped;
        final Map<String, Long> byDetector = new TreeMap<>();
        /** Per message kind (method or status class) for the normal traffic: what was dropped. */
        final Map<String, Long> droppedKinds = new TreeMap<>();

        void add(String kind, String detector) {
            sent++;
            if (detector != null) {
                dropped++;
                byDetector.merge(detector, 1L, Long::sum);
                droppedKinds.merge(kind, 1L, Long::sum);
            }
        }
    }

    final Tally normal = new Tally();
    final Tally attack = new Tally();
    /** Attack messages from the first dropped one on, and how many of those were dropped. */
    long attackSentAfterDetection;
    long attackDroppedAfterDetection;
    long attackStart = -1;
    long detectedAt = -1;
    /** Calls of the normal traffic, and those that lost a message to the gateway. */
    private final Set<String> normalCalls = new HashSet<>();
    private final Set<String> hurtCalls = new HashSet<>();
    private boolean measuring;

    /** From now on, drops count (the warm-up before is reported apart). */
    void startMeasuring() {
        measuring = true;
    }

    void normalCall(String callId) {
        normalCalls.add(callId);
    }

    boolean isNormal(String callId) {
        return normalCalls.contains(callId);
    }

    void fromPhone(String callId, String kind, String detector) {
        if (!measuring) {
            return;
        }
        normal.add(kind, detector);
        if (detector != null) {
            hurtCalls.add(callId);
        }
    }

    /** An answer or request from the proxies: normal when it belongs to a normal call, else a reply to the attack (not counted). */
    void fromFarm(String callId, String detector) {
        if (isNormal(callId)) {
            fromPhone(callId, "from-proxy", detector);
        }
    }

    void fromAttacker(String detector, long now) {
        if (attackStart < 0) {
            attackStart = now;
        }
        attack.add("attack", detector);
        if (detector != null && detectedAt < 0) {
            detectedAt = now;
        }
        if (detectedAt >= 0) {
            attackSentAfterDetection++;
            if (detector != null) {
                attackDroppedAfterDetection++;
            }
        }
    }

    int hurtCalls() {
        return hurtCalls.size();
    }

    int normalCalls() {
        return normalCalls.size();
    }
}
