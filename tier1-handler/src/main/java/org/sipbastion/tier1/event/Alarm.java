package org.sipbastion.tier1.event;

import java.util.List;

/**
 * Something an operator should look at, with the sources behind it. Raised rarely (at most once per
 * sample period per detector), so it may allocate.
 *
 * @param time      the detector's clock, nanoseconds (capture time in replay)
 * @param detector  which detector raised it
 * @param summary   one line for logs and the console
 * @param offenders the sources behind it, most significant first
 * @param blockNanos how long the offenders marked {@link Offender#blocked} are blocked (a firewall may
 *                   block them earlier for as long); 0 when none is
 */
public record Alarm(long time, Detector detector, String summary, List<Offender> offenders, long blockNanos) {
    public Alarm {
        offenders = List.copyOf(offenders);
    }

    /** An alarm that blocked no address. */
    public Alarm(long time, Detector detector, String summary, List<Offender> offenders) {
        this(time, detector, summary, offenders, 0);
    }
}
