package org.sipbastion.gateway.pipeline;

import org.sipbastion.tier1.event.AddressText;
import java.io.PrintStream;
import java.time.Instant;
import java.util.stream.Collectors;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;

/**
 * Tier 1's alarms on a console stream, one line each, at most {@code perSecond} a second: a
 * distributed flood blocks thousands of sources at once, and the log must not become the next
 * bottleneck. Alarms over the limit are counted, and the count is printed with the next line.
 */
public final class AlarmLog implements AlarmListener {
    private final PrintStream out;
    private final int perSecond;
    private long second;
    private int printed;
    private long suppressed;

    public AlarmLog(PrintStream out, int perSecond) {
        this.out = out;
        this.perSecond = perSecond;
    }

    @Override
    public synchronized void alarm(Alarm a) {
        long s = System.nanoTime() / 1_000_000_000L;
        if (s != second) {
            second = s;
            printed = 0;
        }
        if (printed >= perSecond) {
            suppressed++;
            return;
        }
        printed++;
        String offenders = a.offenders().stream()
            .map(o -> AddressText.of(o.source()) + "(" + o.count() + ")").collect(Collectors.joining(" "));
        out.println(Instant.now() + " bastion: alarm " + a.detector().label() + ": " + a.summary()
            + (offenders.isEmpty() ? "" : "; offenders: " + offenders)
            + (suppressed > 0 ? " [" + suppressed + " earlier alarm line(s) suppressed]" : ""));
        suppressed = 0;
    }
}
