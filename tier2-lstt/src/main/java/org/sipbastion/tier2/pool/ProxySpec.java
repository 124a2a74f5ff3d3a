package org.sipbastion.tier2.pool;

/**
 * A proxy as configured or discovered.
 *
 * @param name     how operators and logs name it (its address, usually)
 * @param priority SRV priority: lower is preferred, a higher group only used when every proxy of the
 *                 lower ones is down (RFC 2782)
 * @param weight   SRV weight within its priority group, and its relative capacity for the algorithms
 *                 that normalise by capacity; at least 1
 * @param capacity calls a second it is known to sustain (the seeds' predefined availability), or 0
 *                 when not configured: LSTT's estimate before it has measured the proxy
 */
public record ProxySpec(String name, int priority, int weight, double capacity) {
    public ProxySpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a proxy needs a name");
        }
        if (priority < 0 || priority > 65535) {
            throw new IllegalArgumentException("priority of " + name + " must be 0 to 65535, not " + priority);
        }
        if (weight < 1 || weight > 65535) {
            throw new IllegalArgumentException("weight of " + name + " must be 1 to 65535, not " + weight);
        }
        if (!(capacity >= 0) || Double.isInfinite(capacity)) {
            throw new IllegalArgumentException("capacity of " + name + " must be 0 (unknown) or more calls a second");
        }
    }

    /** Priority 0, weight 1, capacity unknown. */
    public static ProxySpec of(String name) {
        return new ProxySpec(name, 0, 1, 0);
    }
}
