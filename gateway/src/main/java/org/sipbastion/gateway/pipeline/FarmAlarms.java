package org.sipbastion.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;
import java.util.function.LongSupplier;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier2.pool.ProxyPool;

/**
 * Raises the farm's alarms ({@link Detector#PROXIES}): every proxy overloaded, so new calls went to
 * the least overloaded one; or no proxy usable, so new requests were answered 503. Looks at tier 2's
 * and the forwarder's counts once a second as traffic passes, and raises at most one alarm of each
 * kind per {@link #REPEAT_NANOS} while the condition lasts, with how many calls it touched. Passes
 * every message on.
 */
public final class FarmAlarms extends ChannelInboundHandlerAdapter {
    static final long CHECK_NANOS = 1_000_000_000L;
    static final long REPEAT_NANOS = 10_000_000_000L;

    private final ProxyPool pool;
    private final GatewayCounters counters;
    private final AlarmListener alarms;
    private final LongSupplier clock;
    private long nextCheck;
    private long overloadedSeen;
    private long overloadedAlarmAt;
    private boolean overloadedAlarmed;
    private long overloadedSince;
    private long noProxySeen;
    private long noProxyAlarmAt;
    private boolean noProxyAlarmed;
    private long noProxySince;

    public FarmAlarms(ProxyPool pool, GatewayCounters counters, AlarmListener alarms, LongSupplier clock) {
        this.pool = pool;
        this.counters = counters;
        this.alarms = alarms;
        this.clock = clock;
        this.nextCheck = clock.getAsLong() + CHECK_NANOS;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = clock.getAsLong();
        if (now >= nextCheck) {
            nextCheck = now + CHECK_NANOS;
            check(now);
        }
        ctx.fireChannelRead(msg);
    }

    void check(long now) {
        long overloaded = pool.overloadedChoices();
        if (overloaded > overloadedSeen && (!overloadedAlarmed || now - overloadedAlarmAt >= REPEAT_NANOS)) {
            long calls = overloaded - overloadedSince;
            alarms.alarm(new Alarm(now, Detector.PROXIES, "every proxy is overloaded: " + calls
                + " new call(s) sent to the least overloaded one; add capacity or shed load", List.of()));
            overloadedAlarmAt = now;
            overloadedAlarmed = true;
            overloadedSince = overloaded;
        }
        overloadedSeen = overloaded;
        long refused = counters.noProxyAvailable.sum();
        if (refused > noProxySeen && (!noProxyAlarmed || now - noProxyAlarmAt >= REPEAT_NANOS)) {
            long requests = refused - noProxySince;
            alarms.alarm(new Alarm(now, Detector.PROXIES, "no proxy is usable: " + requests
                + " new request(s) answered 503 Service Unavailable with Retry-After", List.of()));
            noProxyAlarmAt = now;
            noProxyAlarmed = true;
            noProxySince = refused;
        }
        noProxySeen = refused;
    }
}
