package org.sipbastion.gateway;

import java.util.concurrent.atomic.LongAdder;

/** One counter per value of an enum (drop reasons, policy violations), with their total. */
public final class EnumCounters<E extends Enum<E>> {
    private final E[] keys;
    private final LongAdder[] adders;

    public EnumCounters(Class<E> type) {
        keys = type.getEnumConstants();
        adders = new LongAdder[keys.length];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
    }

    public void increment(E key) {
        adders[key.ordinal()].increment();
    }

    public long count(E key) {
        return adders[key.ordinal()].sum();
    }

    public long total() {
        long t = 0;
        for (LongAdder a : adders) {
            t += a.sum();
        }
        return t;
    }

    /** "KEY=n" for every non-zero counter, for logs. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < keys.length; i++) {
            long n = adders[i].sum();
            if (n > 0) {
                b.append(b.length() == 0 ? "" : ",").append(keys[i]).append('=').append(n);
            }
        }
        return b.toString();
    }
}
