package org.sipbastion.perf.sim;

import java.util.Arrays;

/**
 * The simulated future of the perf-tests simulations (tier 1's call-rate run, the balancing run):
 * events ordered by time, as a binary heap over two primitive arrays. Hundreds of thousands of
 * events are pending at a time (every answered call waits a minute for its BYE); boxed entries in
 * a {@code PriorityQueue} would make a simulation measure the collector.
 *
 * <p>An event is a long the owner encodes ({@link #event}); equal times come out in no set order.
 */
public final class EventQueue {
    private long[] times;
    private long[] events;
    private int size;

    /** @param initialCapacity events held before the arrays first grow */
    public EventQueue(int initialCapacity) {
        times = new long[initialCapacity];
        events = new long[initialCapacity];
    }

    /** An event of {@code kind} (0 to 255) about {@code subject} (a call slot, a transaction key). */
    public static long event(int kind, long subject) {
        return subject << 8 | kind;
    }

    public static int kind(long event) {
        return (int) (event & 0xFF);
    }

    public static long subject(long event) {
        return event >>> 8;
    }

    public void add(long time, long event) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            events = Arrays.copyOf(events, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (times[parent] <= time) {
                break;
            }
            times[i] = times[parent];
            events[i] = events[parent];
            i = parent;
        }
        times[i] = time;
        events[i] = event;
    }

    /** The time of the earliest event, or {@link Long#MAX_VALUE} when none is pending. */
    public long nextTime() {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    /** Removes the earliest event and returns it. */
    public long poll() {
        long head = events[0];
        size--;
        long time = times[size];
        long event = events[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && times[child + 1] < times[child]) {
                child++;
            }
            if (times[child] >= time) {
                break;
            }
            times[i] = times[child];
            events[i] = events[child];
            i = child;
        }
        times[i] = time;
        events[i] = event;
        return head;
    }

    public int size() {
        return size;
    }
}
