package org.sipbastion.gateway.pipeline;

import org.sipbastion.parser.Limits;

/**
 * The received messages a pipeline can hold at once: one being handled plus those the ingress
 * scheduler queues. Preallocated (each holds a parser flyweight, about 3 KB); taking from an empty
 * pool gives null, and the caller drops the datagram. Not thread-safe: one per event loop.
 */
public final class InboundPool {
    private final InboundSip[] free;
    private int available;

    public InboundPool(Limits limits, int size) {
        free = new InboundSip[size];
        for (int i = 0; i < size; i++) {
            free[i] = new InboundSip(limits);
        }
        available = size;
    }

    InboundSip take() {
        return available == 0 ? null : free[--available];
    }

    /** Releases {@code in}'s datagram and takes it back. */
    void give(InboundSip in) {
        if (in.packet != null) {
            in.packet.release();
            in.packet = null;
        }
        in.queued = false;
        free[available++] = in;
    }

    public int available() {
        return available;
    }

    public int size() {
        return free.length;
    }
}
