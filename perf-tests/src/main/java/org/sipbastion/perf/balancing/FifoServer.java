package org.sipbastion.perf.balancing;

/**
 * One server with a first-in first-out queue: a proxy of the model (or the M/M/1 queue of the
 * validation). It holds opaque long jobs in a ring that grows as needed; the owner draws service
 * times and schedules the completions, the server only says which job is in service and which
 * starts next.
 */
final class FifoServer {
    private long[] ring = new long[1 << 10];
    private int head;
    private int size;

    /** Jobs held: in service plus waiting. */
    int size() {
        return size;
    }

    /** {@code job} arrives; true when the server was idle, so it starts service now. */
    boolean arrive(long job) {
        if (size == ring.length) {
            long[] bigger = new long[size * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) & (ring.length - 1)];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) & (ring.length - 1)] = job;
        size++;
        return size == 1;
    }

    /** The job in service; meaningless when idle. */
    long current() {
        return ring[head];
    }

    /** The job in service is done: the next one to start, or -1 when the server goes idle. */
    long finish() {
        if (size == 0) {
            throw new IllegalStateException("no job in service");
        }
        head = (head + 1) & (ring.length - 1);
        size--;
        return size == 0 ? -1 : ring[head];
    }
}
