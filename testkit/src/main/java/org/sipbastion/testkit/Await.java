package org.sipbastion.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in a test for something another thread or process makes true, with a deadline. */
public final class Await {
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Returns once {@code done} is true; fails with "not within N s: {@code what}" after {@code limit}. */
    public static void until(Duration limit, BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
