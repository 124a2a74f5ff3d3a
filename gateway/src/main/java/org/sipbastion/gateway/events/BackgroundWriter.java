package org.sipbastion.gateway.events;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Work handed off the event loop to one thread of its own through a bounded queue: the event log,
 * the drop capture, the nftables set. The event loop never waits: {@link #enqueue} says false when
 * the queue is full. The thread writes items one by one, calls {@link #idle} when the queue runs dry
 * (a flush, so a burst goes out in one batch), and stops for good at the first failure, saying so
 * once. {@link #close} lets it finish what is queued, then {@link #finish}es, without hanging even
 * when the thread has died and the queue is full.
 */
public abstract class BackgroundWriter<T> implements AutoCloseable {
    private static final Object STOP = new Object();

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private final String what;
    private final PrintStream log;

    /**
     * @param what     named in the failure message ("the event log FILE")
     * @param capacity items queued before {@link #enqueue} refuses
     */
    protected BackgroundWriter(String threadName, String what, int capacity, PrintStream log) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.what = what;
        this.log = log;
        this.thread = new Thread(this::drain, threadName);
        thread.setDaemon(true);
    }

    /** Starts the thread; called last by the subclass's constructor, once its own fields are set. */
    protected final void start() {
        thread.start();
    }

    /** Queues an item; false when the queue is full (the caller counts it). */
    protected final boolean enqueue(T item) {
        return queue.offer(item);
    }

    /** Handles one item, on the thread. An exception stops the writer. */
    protected abstract void write(T item) throws Exception;

    /** The queue ran dry (also once a second while it stays dry): a good time to flush. */
    protected void idle() throws Exception {
    }

    /** Releases what the writer holds (files), on the thread, after the last item. */
    protected void finish() {
    }

    @SuppressWarnings("unchecked")
    private void drain() {
        try {
            while (true) {
                Object o = queue.poll(1, TimeUnit.SECONDS);
                if (o == STOP) {
                    break;
                }
                if (o == null) {
                    idle();
                    continue;
                }
                write((T) o);
                if (queue.isEmpty()) {
                    idle();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.println("bastion: " + what + " failed, nothing more is written: " + e);
        } finally {
            finish();
        }
    }

    /** Lets the thread write what is queued (5 s at most), then stop. */
    @Override
    public void close() {
        try {
            // A thread that died on a failure no longer empties the queue: do not wait for room.
            if (thread.isAlive() && queue.offer(STOP, 5, TimeUnit.SECONDS)) {
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
