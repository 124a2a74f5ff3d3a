package org.sipbastion.perf.balancing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.sipbastion.tier2.pool.ProxySpec;

/**
 * The proxies of one scenario: each a FIFO server of {@code capacity} calls a second, where a call is
 * an INVITE transaction (1.75 work units) and a BYE transaction (1 unit), so a BYE's mean service time
 * is 1 / (2.75 C) and an INVITE's 1.75 / (2.75 C), times {@code inviteFactor} (1 unless the scenario
 * makes a proxy slow on INVITEs only). {@code weights} are what the operator configured: the SRV
 * weights the gateway is given. The capacity is never given to the gateway (ProxySpec capacity 0):
 * the load-aware algorithms must measure.
 *
 * @param scenario     the scenario's name in reports
 * @param capacities   calls a second of each proxy at INVITE factor 1
 * @param inviteFactor multiplies each proxy's INVITE service time
 * @param weights      the SRV weights configured
 */
record Farm(String scenario, double[] capacities, double[] inviteFactor, int[] weights) {
    /** Units of work of one call: INVITE 1.75 + BYE 1 (ACK is free). */
    static final double UNITS_PER_CALL = 2.75;
    static final double INVITE_UNITS = 1.75;

    static final double[] CAPACITIES = {300, 400, 500};
    static final int[] CAPACITY_WEIGHTS = {3, 4, 5};
    static final int[] EQUAL_WEIGHTS = {1, 1, 1};

    /** The base case: 300, 400 and 500 calls/s. */
    static Farm heterogeneous(int[] weights) {
        return new Farm("heterogeneous", CAPACITIES, new double[] {1, 1, 1}, weights);
    }

    /** The adversarial case: proxy 0's INVITEs take 4x as long, its BYEs do not. */
    static Farm inviteSlow(int[] weights) {
        return new Farm("invite-slow", CAPACITIES, new double[] {4, 1, 1}, weights);
    }

    static Farm named(String scenario, int[] weights) {
        return switch (scenario) {
            case "heterogeneous" -> heterogeneous(weights);
            case "invite-slow" -> inviteSlow(weights);
            default -> throw new IllegalArgumentException(
                "unknown scenario '" + scenario + "': use heterogeneous, invite-slow");
        };
    }

    int size() {
        return capacities.length;
    }

    /** Mean service time of a BYE at proxy {@code i}, seconds. */
    double byeSeconds(int i) {
        return 1 / (UNITS_PER_CALL * capacities[i]);
    }

    /** Mean service time of an INVITE at proxy {@code i}, seconds. */
    double inviteSeconds(int i) {
        return INVITE_UNITS * inviteFactor[i] / (UNITS_PER_CALL * capacities[i]);
    }

    /** Calls a second proxy {@code i} sustains: 1 / (INVITE + BYE mean service time). */
    double effectiveCapacity(int i) {
        return 1 / (inviteSeconds(i) + byeSeconds(i));
    }

    double totalCapacity() {
        double c = 0;
        for (int i = 0; i < size(); i++) {
            c += effectiveCapacity(i);
        }
        return c;
    }

    /** "3,4,5" */
    String weightsName() {
        return Arrays.stream(weights).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    List<ProxySpec> specs() {
        List<ProxySpec> specs = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            specs.add(new ProxySpec("proxy" + i, 0, weights[i], 0));
        }
        return specs;
    }
}
