package org.sipbastion.perf.balancing;

import java.util.Locale;

/**
 * One algorithm on one farm at one offered rate, over the measured period.
 *
 * @param algorithm   the algorithm's configuration name
 * @param scenario    the farm's scenario
 * @param weights     the SRV weights configured, "3,4,5"
 * @param offered     calls a second offered
 * @param calls       calls that arrived in the measured period
 * @param meanMillis  mean INVITE response time (sent to the proxy until its 200 is back), answered calls
 * @param p99Millis   its 99th percentile
 * @param throughput  calls a second answered 200 within Timer B
 * @param rejected    calls answered 503 (by a full proxy, or no proxy chosen)
 * @param timeouts    calls not answered within Timer B
 * @param share       fraction of the measured calls sent to each proxy
 * @param proxyMeanMillis mean response time of the answered calls of each proxy
 * @param estimatedCapacity LSTT's estimate of each proxy's service rate, in calls a second, the mean
 *                    of a sample each measured second (the truth is the farm's capacity)
 * @param overloadedChoices times in the measured period the balancer found every proxy overloaded
 *                    (the pool's alarm count; only LSTT counts them)
 * @param evicted     transactions the pool's table forgot for want of room (must be 0)
 */
record Result(String algorithm, String scenario, String weights, double offered, long calls, double meanMillis,
              double p99Millis, double throughput, long rejected, long timeouts, double[] share,
              double[] proxyMeanMillis, double[] estimatedCapacity, long overloadedChoices, long evicted) {

    /** (503s + timeouts) / calls offered in the measured period. */
    double errorRate() {
        return calls == 0 ? 0 : (double) (rejected + timeouts) / calls;
    }

    String json() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
            "{\"algorithm\":\"%s\",\"scenario\":\"%s\",\"weights\":\"%s\",\"offered\":%.0f,\"mean_ms\":%s,"
                + "\"p99_ms\":%s,\"throughput\":%.2f,\"error_rate\":%.6f,\"calls\":%d,\"rejected\":%d,"
                + "\"timeouts\":%d,\"share\":[",
            algorithm, scenario, weights, offered, number(meanMillis), number(p99Millis), throughput, errorRate(),
            calls, rejected, timeouts));
        for (int i = 0; i < share.length; i++) {
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", share[i]));
        }
        b.append("],\"proxy_mean_ms\":[");
        for (int i = 0; i < proxyMeanMillis.length; i++) {
            b.append(i == 0 ? "" : ",").append(number(proxyMeanMillis[i]));
        }
        b.append("],\"lstt_capacity_estimate\":[");
        for (int i = 0; i < estimatedCapacity.length; i++) {
            b.append(i == 0 ? "" : ",").append(number(estimatedCapacity[i]));
        }
        b.append(String.format(Locale.ROOT, "],\"overloaded_choices\":%d,\"evicted\":%d}", overloadedChoices, evicted));
        return b.toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
    }
}
