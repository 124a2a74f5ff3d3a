package org.sipbastion.tier2.balance;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.sipbastion.tier2.lstt.LeastSessionTerminationTime;
import org.sipbastion.tier2.pool.Balancer;

/** The balancing algorithms configuration can select, by name; LSTT is the default. */
public enum Algorithm {
    LSTT("lstt"),
    ROUND_ROBIN("round-robin"),
    SRV_WEIGHTED("srv-weighted"),
    LEAST_CALLS("least-calls"),
    TLWL("tlwl"),
    RESPONSE_TIME("response-time"),
    AVAILABILITY("availability");

    public final String configName;

    Algorithm(String configName) {
        this.configName = configName;
    }

    /** A new instance (each event loop has its own); {@code seed} feeds the random ones. */
    public Balancer create(long seed) {
        return switch (this) {
            case LSTT -> new LeastSessionTerminationTime();
            case ROUND_ROBIN -> new RoundRobin();
            case SRV_WEIGHTED -> new SrvWeightedRandom(seed);
            case LEAST_CALLS -> new LeastActiveCalls();
            case TLWL -> new TransactionLeastWorkLeft();
            case RESPONSE_TIME -> new ResponseTimeEwma();
            case AVAILABILITY -> new AvailabilityWeighted(seed);
        };
    }

    /** By its configuration name; the error lists the names there are. */
    public static Algorithm named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Algorithm a : values()) {
            if (a.configName.equals(wanted)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown balancing algorithm '" + name + "': use one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(a -> a.configName).collect(Collectors.joining(", "));
    }
}
