package org.sipbastion.perf.detection;

/** The message kinds of the simulated call flows, one reusable {@link MessageTemplate} each. */
final class Messages {
    final MessageTemplate invite = MessageTemplate.request("INVITE", false, 1);
    /**
     * One ACK kind for 2xx and non-2xx answers: the stage pairs an ACK with its INVITE by Call-ID,
     * From tag and CSeq number, never by branch, so the RFC 3261 branch rules need not be modelled.
     */
    final MessageTemplate ack = MessageTemplate.request("ACK", true, 2);
    final MessageTemplate bye = MessageTemplate.request("BYE", true, 3);
    final MessageTemplate cancel = MessageTemplate.request("CANCEL", false, 4);
    final MessageTemplate ok = MessageTemplate.response(200, "OK", "INVITE", 5);
    final MessageTemplate busy = MessageTemplate.response(486, "Busy Here", "INVITE", 6);
    final MessageTemplate challenge = MessageTemplate.response(407, "Proxy Authentication Required", "INVITE", 7);
    final MessageTemplate terminated = MessageTemplate.response(487, "Request Terminated", "INVITE", 8);
    final MessageTemplate cancelOk = MessageTemplate.response(200, "OK", "CANCEL", 9);
    final MessageTemplate byeOk = MessageTemplate.response(200, "OK", "BYE", 10);
}
