package org.sipbastion.gateway.control;

/** Why a NOTIFY's workload report was not taken; each counted apart ({@code workload_rejected}). */
public enum WorkloadRejection {
    /** No body, or not a CMS SignedData (unsigned, truncated, detached). */
    NOT_SIGNED,
    /** The signature does not verify: the body was altered. */
    BAD_SIGNATURE,
    /** The signer's certificate does not chain to the trust store. */
    UNTRUSTED_SIGNER,
    /** The signer's certificate has expired or is not valid yet. */
    EXPIRED_CERTIFICATE,
    /** Signed by a certificate that does not name the proxy's host: another agent's. */
    WRONG_SIGNER,
    /** Signed, but not a report (a key missing, malformed or out of range). */
    MALFORMED,
    /** Seen already (same boot and sequence, or an earlier boot). */
    REPLAYED,
    /** An older sequence than one already taken. */
    OUT_OF_ORDER,
    /** Made too long ago. */
    STALE,
    /** Dated ahead of the gateway's clock. */
    FUTURE
}
