package org.sipbastion.tier2.pool;

/**
 * Chooses the proxy for a new call or out-of-dialog request, from what the {@link ProxyPool} has
 * measured. Only new work needs a choice: in-dialog requests follow their dialog's proxy. An
 * implementation may keep state of its own (a round-robin cursor, a random source); like the pool it
 * serves, it belongs to one event loop.
 */
public interface Balancer {
    /**
     * The index of the proxy for new work at {@code now} (nanoseconds), or -1 when no proxy is usable.
     * {@code keyHash} (the Call-ID's hash) may break ties stably.
     */
    int select(ProxyPool pool, long keyHash, long now);

    /** The name configuration selects it by. */
    String name();
}
