package org.sipbastion.perf.balancing;

import java.util.Arrays;

/**
 * The simulated future: events ordered by time (nanoseconds), as a binary heap over two primitive
 * arrays, so a run of a million calls measures the model and not the collector. An event is a long
 * the owner encodes: {@link #event} packs a kind (0 to 255) and a subject (a transaction key, a proxy).
 * Equal times come out in no set order.
 */
final class EventQueue {
    private long[] times = new long[1 << 12];
    private long[] events = new long[1 << 12];
    private int size;

    static long event(int kind, long subject) {
        return subject << 8 | kind;
    }

    static int kind(long event) {
        return (int) (event & 0xFF);
    }

    static long subject(long event) {
        return event >>> 8;
    }

    void add(long time, long event) {
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
    long nextTime() {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    /** Removes the earliest event and returns it. */
    long poll() {
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

    int size() {
        return size;
    }
}
