package org.sipbastion.tier2.pool;

/**
 * What a forwarded transaction costs a proxy, in quarters of a BYE. An INVITE transaction costs
 * 1.75 BYEs: the ratio Jiang et al. measured on OpenSER (IEEE/ACM ToN 2012) and the one their
 * TLWL-1.75 algorithm weighs with; LSTT uses the same units for its arrival rates.
 */
public enum TransactionKind {
    INVITE(7),
    BYE(4),
    /** Every other request (REGISTER, OPTIONS, SUBSCRIBE, in-dialog re-INVITE counts as INVITE). */
    OTHER(4);

    static final TransactionKind[] VALUES = values();

    /** The cost in quarters of a BYE (integers keep outstanding work exact). */
    public final int quarters;

    TransactionKind(int quarters) {
        this.quarters = quarters;
    }

    /** The cost in BYE-equivalents. */
    public double weight() {
        return quarters / 4.0;
    }
}
