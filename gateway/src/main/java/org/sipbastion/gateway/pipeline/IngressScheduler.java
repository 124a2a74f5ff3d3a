package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.ResponseWriter;
import org.sipbastion.parser.SipMessage;

/**
 * Tier 2's ingress queue (seed 004, section 3.2): what tier 1 let through waits here for the balancer
 * and the forwarder, which take it in largest-delay-first order, the delay of a message being its
 * waiting time divided by its processing cost (a new call's INVITE costs 1.75, anything else 1). So
 * under load in-dialog requests and responses, which finish calls, go before new INVITEs, and no
 * class starves: a waiting INVITE's delay grows until it is served.
 *
 * <p>A request (not an ACK) that waited longer than T1 (500 ms) is discarded: its client has
 * already retransmitted, and the copy is queued behind it ({@code ingress_expired}). A new call
 * whose expected wait (queued work times the measured cost of a unit) exceeds the shedding
 * threshold, or that finds the queue full, is answered 503 with a Retry-After of 5 to 10 s at once
 * ({@code shed_new_calls}); anything else that finds it full is dropped ({@code ingress_overflow}),
 * and so is a retransmitted INVITE of a call already known (a 503 to it would end the caller's
 * transaction while the proxy still works on it).
 *
 * <p>With no backlog nothing waits: everything read in a batch is handled at the batch's end. A
 * backlog is handled {@link #BATCH} messages at a time, the rest in a task after the next reads, so
 * the socket keeps being read (and tier 1 keeps judging) while the queue is worked off.
 */
public final class IngressScheduler extends ChannelInboundHandlerAdapter {
    /** Messages handled per turn before reading again. */
    static final int BATCH = 32;
    private static final long T1_NANOS = 500_000_000L;
    /** Floor of the measured cost of a unit of work, so a frozen test clock still sheds on a long queue. */
    private static final long MIN_UNIT_NANOS = 1_000;

    private final InboundPool pool;
    private final GatewayCounters counters;
    private final StatelessReplier replier;
    private final LongSupplier clock;
    private final long shedWaitNanos;
    private final java.util.function.Predicate<SipMessage> knownCall;
    private final Fifo newCalls;
    private final Fifo rest;
    private final SplittableRandom jitter = new SplittableRandom();
    /** Smoothed cost of handling one unit of work downstream, nanoseconds. */
    private double unitNanos = MIN_UNIT_NANOS;
    private boolean drainScheduled;
    private long turns;

    /**
     * @param capacity      messages that may wait (at most the pool's size less one: one is being read)
     * @param shedWaitNanos a new call expected to wait longer than this is answered 503
     */
    public IngressScheduler(InboundPool pool, int capacity, long shedWaitNanos, GatewayCounters counters,
                            StatelessReplier replier, LongSupplier clock,
                            java.util.function.Predicate<SipMessage> knownCall) {
        this.knownCall = knownCall;
        if (capacity < 1 || capacity >= pool.size()) {
            throw new IllegalArgumentException("the queue must be smaller than the message pool");
        }
        this.pool = pool;
        this.shedWaitNanos = shedWaitNanos;
        this.counters = counters;
        this.replier = replier;
        this.clock = clock;
        this.newCalls = new Fifo(capacity);
        this.rest = new Fifo(capacity);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundSip in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean newCall = newCall(in.message);
        int queued = newCalls.size + rest.size;
        if (newCall) {
            double expectedWait = (newCalls.size * 1.75 + rest.size + 1.75) * unitNanos;
            if (queued >= newCalls.capacity() || expectedWait > shedWaitNanos) {
                if (knownCall.test(in.message)) {
                    // A retransmission of a call a proxy already has: a 503 would end the caller's
                    // transaction under the proxy's feet. Dropped (the caller retransmits), or queued.
                    if (queued >= newCalls.capacity()) {
                        counters.ingressOverflow.increment();
                        return;
                    }
                } else {
                    shed(ctx, in);
                    return;
                }
            }
        } else if (queued >= rest.capacity()) {
            counters.ingressOverflow.increment();
            return;
        }
        in.queued = true;
        (newCall ? newCalls : rest).add(in);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain(ctx);
        ctx.flush(); // what the forwarder wrote for this batch (the decoder flushed before it ran)
        ctx.fireChannelReadComplete();
    }

    /** Messages waiting now. */
    public int backlog() {
        return newCalls.size + rest.size;
    }

    /** Turns of work on the queue that handled something (tests). */
    long turns() {
        return turns;
    }

    private void drain(ChannelHandlerContext ctx) {
        if (backlog() > 0) {
            turns++;
        }
        for (int n = 0; n < BATCH && backlog() > 0; n++) {
            long now = clock.getAsLong();
            InboundSip next = pick(now);
            boolean newCall = newCall(next.message);
            if (now - next.arrivedAt > T1_NANOS && next.message.isRequest() && next.message.method() != Method.ACK) {
                counters.ingressExpired.increment();
                pool.give(next);
                continue;
            }
            next.queued = false;
            try {
                ctx.fireChannelRead(next);
            } finally {
                pool.give(next);
            }
            long spent = clock.getAsLong() - now;
            unitNanos = Math.max(MIN_UNIT_NANOS, unitNanos + 0.05 * (spent / (newCall ? 1.75 : 1.0) - unitNanos));
        }
        if (backlog() > 0) {
            if (!drainScheduled) {
                drainScheduled = true;
                ctx.executor().execute(() -> {
                    drainScheduled = false;
                    drain(ctx);
                    ctx.flush();
                });
            }
        }
    }

    /** Largest delay first: waiting time over cost, between the heads of the two classes. */
    private InboundSip pick(long now) {
        if (newCalls.size == 0) {
            return rest.poll();
        }
        if (rest.size == 0) {
            return newCalls.poll();
        }
        double inviteDelay = (now - newCalls.peek().arrivedAt) / 1.75;
        double otherDelay = now - rest.peek().arrivedAt;
        return inviteDelay > otherDelay ? newCalls.poll() : rest.poll();
    }

    private void shed(ChannelHandlerContext ctx, InboundSip in) {
        counters.shedNewCalls.increment();
        ByteBuf out = replier.begin(ctx, in, 503, "Service Unavailable (overload)");
        if (out != null) {
            // Spread the retries, so the shed callers do not all come back in the same second.
            ResponseWriter.header(out, "Retry-After", Integer.toString(5 + jitter.nextInt(6)));
            replier.send(ctx, in, out);
        }
    }

    private static boolean newCall(SipMessage m) {
        return m.isRequest() && m.method() == Method.INVITE && !Range.present(m.toTag());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        while (backlog() > 0) {
            pool.give(newCalls.size > 0 ? newCalls.poll() : rest.poll());
        }
    }

    /** A fixed ring of waiting messages. */
    private static final class Fifo {
        private final InboundSip[] ring;
        private int head;
        private int size;

        Fifo(int capacity) {
            ring = new InboundSip[capacity];
        }

        int capacity() {
            return ring.length;
        }

        void add(InboundSip in) {
            ring[(head + size) % ring.length] = in;
            size++;
        }

        InboundSip peek() {
            return ring[head];
        }

        InboundSip poll() {
            InboundSip in = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
            return in;
        }
    }
}
