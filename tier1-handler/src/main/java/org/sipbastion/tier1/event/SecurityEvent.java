package org.sipbastion.tier1.event;

/**
 * One drop or alarm as an operator reads it, or many of the same kind from one source within one
 * second ({@code count} above 1): under a flood, events are aggregated, never one per message.
 *
 * @param epochMillis when (the first of them, for an aggregate)
 * @param detector    which detector
 * @param action      {@code drop} or {@code alarm}
 * @param source      the sender's address, or null (an alarm about the rules)
 * @param user        the From URI's user of the first message, or null
 * @param method      the request method or response code of the first message, or null
 * @param callId      the Call-ID of the first message, or null
 * @param reason      detector-specific: the parser's verdict, the policy violation, the rule's name,
 *                    the alarm's text; or null
 * @param count       messages this event stands for
 */
public record SecurityEvent(long epochMillis, Detector detector, String action, String source, String user, String method,
                            String callId, String reason, long count) {

    /** An alarm as an event: its first offender as the source, its summary as the reason. */
    public static SecurityEvent of(Alarm a, long epochMillis) {
        String source = a.offenders().isEmpty() ? null : AddressText.of(a.offenders().get(0).source());
        return new SecurityEvent(epochMillis, a.detector(), "alarm", source, null, null, null, a.summary(), 1);
    }
}
