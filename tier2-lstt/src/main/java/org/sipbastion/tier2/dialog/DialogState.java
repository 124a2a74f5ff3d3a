package org.sipbastion.tier2.dialog;

/**
 * A dialog's lifecycle as the edge sees it. EARLY and CONFIRMED are active (they count towards their
 * proxy's calls); ENDING and ENDED linger only so that retransmissions, the BYE's answer and the ACK
 * of a failed INVITE still find their proxy.
 */
public enum DialogState {
    /** INVITE forwarded, no final answer yet (or only provisional ones). */
    EARLY(1, true),
    /** A 2xx answered the INVITE: the call is up. */
    CONFIRMED(2, true),
    /** A BYE was forwarded; its answer is awaited. */
    ENDING(3, false),
    /** The BYE was answered, or the INVITE failed (3xx-6xx): lingering for retransmissions. */
    ENDED(4, false);

    private static final DialogState[] BY_CODE = {null, EARLY, CONFIRMED, ENDING, ENDED};

    public final int code;
    public final boolean active;

    DialogState(int code, boolean active) {
        this.code = code;
        this.active = active;
    }

    /** The state of a stored code, or null for anything else (a row never written, or corrupt). */
    public static DialogState of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
