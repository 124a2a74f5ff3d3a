package org.sipbastion.tier2.dialog;

/**
 * One dialog's row in the {@link DialogTable}: a flyweight over the table's off-heap memory
 * (Chronicle Values generates the implementation), fixed size, read and written in place.
 * Times are wall-clock milliseconds, so that they mean the same after a restart.
 */
public interface DialogEntry {
    /** A second hash of the Call-ID, under another seed: a key collision is caught, not followed. */
    long getCheck();

    void setCheck(long check);

    /** The dialog's proxy: its IPv6 (or IPv4-mapped) address in two halves, and its port. */
    long getAddressHigh();

    void setAddressHigh(long v);

    long getAddressLow();

    void setAddressLow(long v);

    int getPort();

    void setPort(int port);

    /** {@link DialogState#code}. */
    int getState();

    void setState(int state);

    /** The CSeq number of the INVITE that created it (a CANCEL or non-2xx ACK carries the same). */
    long getInviteCseq();

    void setInviteCseq(long cseq);

    long getCreatedMillis();

    void setCreatedMillis(long t);

    /** When the sweeper removes it unless something moves it on first. */
    long getExpiresMillis();

    void setExpiresMillis(long t);
}
