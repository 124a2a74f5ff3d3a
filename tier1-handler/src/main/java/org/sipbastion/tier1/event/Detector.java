package org.sipbastion.tier1.event;

/** Which tier 1 detector decided a drop or raised an alarm; the counters and events are keyed by it. */
public enum Detector {
    /** Passed every detector. */
    NONE,
    /** Not SIP: the parser's verdict is the reason (counted by the gateway under malformed). */
    MALFORMED,
    /** Valid SIP the edge policy refuses: the violation is the reason (counted under refused). */
    POLICY,
    /** A source or user whose requests of one method arrive at a high rate with near-constant spacing. */
    FLOOD,
    /** Like {@link #FLOOD} for dialog-ending requests (BYE, CANCEL), with the stricter threshold. */
    FAKE_MESSAGE,
    /** A rule file's {@code [rule]} with action drop matched (scanner fingerprints, static lists...). */
    RULE,
    /** A source on a deny feed (a blocklist read from a file or a URL, refreshed). */
    DENY_LIST,
    /** A source or account with too many failed authentications (password guessing). */
    BRUTE_FORCE,
    /** A source or user over its per-method request rate. */
    RATE_LIMIT,
    /** A source the call-rate stage found driving the open-exchange load, while it is blocked. */
    CALL_RATE,
    /** A BYE for a dialog never answered, or from an address that is not a party of it. */
    FAKE_BYE,
    /** A CANCEL for an INVITE never seen, or from an address other than the INVITE's. */
    FAKE_CANCEL,
    /**
     * A response whose top Via branch we did not issue, or that comes from another address than the
     * proxy its request went to (the seed's fake BUSY). Checked by the gateway, which holds the keys.
     */
    FAKE_RESPONSE,
    /** Not a detector of traffic: the rule files. A reload was refused and the running set kept. */
    RULES,
    /**
     * Not a detector of traffic: the proxy farm. Every proxy was overloaded (new calls went to the
     * least overloaded), or none was usable (new requests answered 503).
     */
    PROXIES,
    /**
     * Not a detector of traffic: the control plane. A proxy's workload report was refused (unsigned,
     * altered, untrusted or expired signer, replayed, out of order, stale), its agent cannot be
     * reached (TLS handshake refused, connection lost), or a certificate of the gateway's control
     * plane expires within 30 days.
     */
    WORKLOAD;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name, as in counters, events and rule files. */
    public String label() {
        return label;
    }
}
