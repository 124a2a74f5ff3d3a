package org.sipbastion.perf.detection;

import org.sipbastion.perf.sim.EventQueue;

import java.net.InetAddress;
import java.util.Arrays;
import org.sipbastion.parser.SipMessage;

/**
 * Normal calls: Poisson arrivals from a population of client addresses, each call a small state
 * machine stepped by events. The mix, per call (the caller sends INVITE, then after the answer delay):
 * <ul>
 *   <li>75 %: 200, ACK, and after the hold time BYE and its 200;</li>
 *   <li>10 %: 486, ACK;</li>
 *   <li>10 %: 407, ACK, the INVITE re-sent with CSeq 2 and credentials, then as the 75 % after its
 *       own answer delay (the brief puts the 407 after the answer delay; a proxy usually challenges at
 *       once, which would only shorten the first exchange);</li>
 *   <li>5 %: the caller gives up after the answer delay: CANCEL, its 200, 487, ACK.</li>
 * </ul>
 * The caller hangs up. A call's state lives in a slot of parallel arrays, reused once the call ends,
 * so a long run allocates nothing per call.
 */
final class NormalTraffic {
    static final int ARRIVAL = 2;
    private static final int ANSWER = 10;
    private static final int CANCEL_ANSWERED = 11;
    private static final int ACK = 12;
    private static final int REINVITE = 13;
    private static final int BYE = 14;
    private static final int BYE_ANSWERED = 15;

    private static final byte ANSWERED = 0;
    private static final byte BUSY = 1;
    private static final byte CHALLENGED = 2;
    private static final byte CANCELLED = 3;

    private final EventQueue queue;
    private final GatewayFeed feed;
    private final OpenExchanges exchanges;
    private final Messages messages;
    private final Timing timing;
    private final InetAddress[] sources;
    private final double callsPerSecond;

    private long[] call = new long[1 << 12];
    private int[] source = new int[1 << 12];
    private byte[] outcome = new byte[1 << 12];
    private byte[] cseq = new byte[1 << 12];
    /** The generation the call's open exchange was counted in (see {@link OpenExchanges#open}). */
    private long[] added = new long[1 << 12];
    private int[] free = new int[1 << 12];
    private int freeCount;
    private int slotsUsed;
    private long nextCall = 1;
    private long calls;
    private long completions;
    private long completionsWithoutEffect;

    NormalTraffic(EventQueue queue, GatewayFeed feed, OpenExchanges exchanges, Messages messages, Timing timing,
                  InetAddress[] sources, double callsPerSecond) {
        this.queue = queue;
        this.feed = feed;
        this.exchanges = exchanges;
        this.messages = messages;
        this.timing = timing;
        this.sources = sources;
        this.callsPerSecond = callsPerSecond;
    }

    void start(long now) {
        queue.add(now + timing.arrivalGap(callsPerSecond), EventQueue.event(ARRIVAL, 0));
    }

    boolean handles(int kind) {
        return kind == ARRIVAL || kind >= ANSWER && kind <= BYE_ANSWERED;
    }

    void handle(int kind, int slot, long now) {
        switch (kind) {
            case ARRIVAL -> arrive(now);
            case ANSWER -> answer(slot, now);
            case CANCEL_ANSWERED -> cancelAnswered(slot, now);
            case ACK -> ack(slot, now);
            case REINVITE -> invite(slot, 2, now);
            case BYE -> bye(slot, now);
            case BYE_ANSWERED -> byeAnswered(slot, now);
            default -> throw new IllegalArgumentException("not a call event: " + kind);
        }
    }

    /** Calls started so far. */
    long calls() {
        return calls;
    }

    private void arrive(long now) {
        queue.add(now + timing.arrivalGap(callsPerSecond), EventQueue.event(ARRIVAL, 0));
        int slot = allocate();
        call[slot] = nextCall++;
        source[slot] = timing.below(sources.length);
        double u = timing.uniform();
        outcome[slot] = u < 0.75 ? ANSWERED : u < 0.85 ? BUSY : u < 0.95 ? CHALLENGED : CANCELLED;
        calls++;
        invite(slot, 1, now);
    }

    private void invite(int slot, int number, long now) {
        cseq[slot] = (byte) number;
        SipMessage m = messages.invite.fill(call[slot], number);
        added[slot] = exchanges.open(m);
        feed.request(m, sources[source[slot]], now);
        queue.add(now + timing.answerDelay(), EventQueue.event(ANSWER, slot));
    }

    private void answer(int slot, long now) {
        if (outcome[slot] == CANCELLED) {
            feed.request(messages.cancel.fill(call[slot], cseq[slot]), sources[source[slot]], now);
            queue.add(now + timing.fewMs(), EventQueue.event(CANCEL_ANSWERED, slot));
            return;
        }
        MessageTemplate answer = answered(slot) ? messages.ok
            : outcome[slot] == BUSY ? messages.busy : messages.challenge;
        feed.response(answer.fill(call[slot], cseq[slot]), now);
        queue.add(now + timing.fewMs(), EventQueue.event(ACK, slot));
    }

    private void cancelAnswered(int slot, long now) {
        feed.response(messages.cancelOk.fill(call[slot], cseq[slot]), now);
        feed.response(messages.terminated.fill(call[slot], cseq[slot]), now);
        queue.add(now + timing.fewMs(), EventQueue.event(ACK, slot));
    }

    private void ack(int slot, long now) {
        SipMessage m = messages.ack.fill(call[slot], cseq[slot]);
        boolean counted = exchanges.close(m, added[slot]);
        feed.request(m, sources[source[slot]], now);
        audit(counted);
        if (answered(slot)) {
            queue.add(now + timing.holdTime(), EventQueue.event(BYE, slot));
        } else if (outcome[slot] == CHALLENGED) {
            queue.add(now + timing.fewMs(), EventQueue.event(REINVITE, slot));
        } else {
            release(slot);
        }
    }

    private void bye(int slot, long now) {
        cseq[slot]++;
        SipMessage m = messages.bye.fill(call[slot], cseq[slot]);
        added[slot] = exchanges.open(m);
        feed.request(m, sources[source[slot]], now);
        queue.add(now + timing.someMs(), EventQueue.event(BYE_ANSWERED, slot));
    }

    private void byeAnswered(int slot, long now) {
        SipMessage m = messages.byeOk.fill(call[slot], cseq[slot]);
        boolean counted = exchanges.close(m, added[slot]);
        feed.response(m, now);
        audit(counted);
        release(slot);
    }

    /**
     * A completion of an exchange the stage should still hold lowers at least one raised cell, unless
     * all k of its cells are shared with other open exchanges (rare: the false-positive rate) or the
     * stage lost the exchange from its transaction table (then its cells stay raised).
     */
    private void audit(boolean counted) {
        if (counted) {
            completions++;
            if (feed.lastChange() == 0) {
                completionsWithoutEffect++;
            }
        }
    }

    /** Completions of exchanges whose generation still stood: the ACKs and BYE answers that should close one. */
    long completions() {
        return completions;
    }

    /** Of those, the ones that lowered no raised cell. */
    long completionsWithoutEffect() {
        return completionsWithoutEffect;
    }

    /** The INVITE now pending gets (or got) a 200: the first one's, or the re-sent one's after a 407. */
    private boolean answered(int slot) {
        return outcome[slot] == ANSWERED || outcome[slot] == CHALLENGED && cseq[slot] == 2;
    }

    private int allocate() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (slotsUsed == call.length) {
            int n = slotsUsed * 2;
            call = Arrays.copyOf(call, n);
            source = Arrays.copyOf(source, n);
            outcome = Arrays.copyOf(outcome, n);
            cseq = Arrays.copyOf(cseq, n);
            added = Arrays.copyOf(added, n);
            free = Arrays.copyOf(free, n);
        }
        return slotsUsed++;
    }

    private void release(int slot) {
        free[freeCount++] = slot;
    }
}
