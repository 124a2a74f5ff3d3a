package org.sipbastion.gateway.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/** Unexpected errors on the data path, printed at most once a second so a flood cannot fill a disk. */
final class ErrorLog {
    private static final AtomicLong LAST = new AtomicLong();

    private ErrorLog() {
    }

    static void report(Throwable t) {
        long now = System.nanoTime();
        long last = LAST.get();
        if (now - last > 1_000_000_000L && LAST.compareAndSet(last, now)) {
            System.err.println("bastion: internal error on the data path (counted, message dropped): " + t);
            t.printStackTrace();
        }
    }
}
