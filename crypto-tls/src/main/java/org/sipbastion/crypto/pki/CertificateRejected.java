package org.sipbastion.crypto.pki;

/** A peer's certificate that does not pass: why, in a word for counters, and in a sentence for people. */
public final class CertificateRejected extends Exception {
    /** The kinds of rejection, each counted apart. */
    public enum Reason {
        /** Does not chain to a CA of the trust store (or is unreadable). */
        UNTRUSTED,
        /** Past its notAfter, or one in its chain is. */
        EXPIRED,
        /** Before its notBefore (a wrong clock, or a certificate made for later). */
        NOT_YET_VALID,
        /** Valid, but not for the name the peer was expected to have. */
        WRONG_NAME
    }

    private final Reason reason;

    public CertificateRejected(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
