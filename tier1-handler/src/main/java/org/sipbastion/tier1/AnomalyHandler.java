package org.sipbastion.tier1;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.bloom.Baseline;
import org.sipbastion.tier1.bloom.CallRateStage;
import org.sipbastion.tier1.dialog.DialogFilter;
import org.sipbastion.tier1.dispersion.ControlStage;

/**
 * Tier 1's detectors in the order of seed 004 (control, then call rate, then drop), for one event
 * loop: every request gets a verdict, every verified response updates the state the verdicts rest
 * on. The caller (the gateway's pipeline, or offline replay) drops what is not {@link Detector#NONE}.
 *
 * <p>Order per request: the control stage first (blocked keys, dispersion, rate limits: the cheap
 * checks that stop a flood), then the dialog checks (fake BYE and CANCEL), and only a request that
 * passed both is counted by the call-rate stage, so dropped floods do not raise its cells twice.
 *
 * <p>Time is the caller's clock in nanoseconds (capture time in replay). Not thread-safe.
 */
public final class AnomalyHandler {
    private static final long REPORT_EVERY = 10_000_000_000L;

    /**
     * @param callRate            counting Bloom filter and transaction table
     * @param control             dispersion thresholds and rate limits
     * @param dialogs             fake BYE / CANCEL state
     * @param sigmas              call-rate alarm at mean + sigmas x std of the learned raised-cell load
     * @param floor               ... and at least mean + floor raised cells
     * @param learnSeconds        samples (one a second) learned before the call-rate alarm is armed
     * @param adaptSeconds        after learning, the baseline follows changes over about this long
     * @param offenderBlockNanos  how long the call-rate stage's offenders are blocked (0: alarm only)
     */
    public record Settings(CallRateStage.Settings callRate, ControlStage.Settings control, DialogFilter.Settings dialogs,
                           double sigmas, double floor, long learnSeconds, long adaptSeconds, long offenderBlockNanos) {
        public static final Settings DEFAULT = new Settings(CallRateStage.Settings.DEFAULT, ControlStage.Settings.DEFAULT,
            DialogFilter.Settings.DEFAULT, 3.0, 400, 300, 3600, 60_000_000_000L);

        public Settings withDialogs(DialogFilter.Settings d) {
            return new Settings(callRate, control, d, sigmas, floor, learnSeconds, adaptSeconds, offenderBlockNanos);
        }

        public Baseline newBaseline() {
            return new Baseline(sigmas, floor, learnSeconds, adaptSeconds);
        }
    }

    private final Settings settings;
    private final ControlStage control;
    private final DialogFilter dialogs;
    private final CallRateStage callRate;
    private final AlarmListener alarms;
    private long nextReport = Long.MIN_VALUE;

    /**
     * @param baseline the call-rate stage's baseline (restored from disk or fixed by rule), or null for a new one
     * @param seed     secret mixed into every table key (random per start, so keys cannot be aimed)
     */
    public AnomalyHandler(Settings settings, Baseline baseline, AlarmListener alarms, long seed) {
        this.settings = settings;
        this.alarms = alarms;
        this.control = new ControlStage(settings.control(), seed, alarms);
        this.dialogs = new DialogFilter(settings.dialogs(), seed ^ 0x646c67L);
        this.callRate = new CallRateStage(settings.callRate(), baseline != null ? baseline : settings.newBaseline(),
            seed ^ 0x637274L);
    }

    /** The verdict on a request from {@code source}: {@link Detector#NONE} passes it. */
    public Detector request(SipMessage m, InetAddress source, long now) {
        Detector d = control.request(m, source, now);
        if (d == Detector.NONE) {
            d = dialogs.request(m, source, now);
        }
        if (d == Detector.NONE) {
            callRate.request(m, source, now);
        }
        tick(now);
        return d;
    }

    /** A response from {@code source} that the gateway verified as one to a request it forwarded. */
    public void response(SipMessage m, InetAddress source, long now) {
        dialogs.response(m, source, now);
        callRate.response(m, now);
        tick(now);
    }

    /**
     * Advances the stages' clocks; the gateway also calls it from a timer, so a quiet link is sampled
     * too. While the call-rate alarm lasts, its offenders are reported every 10 s and blocked.
     */
    public void tick(long now) {
        boolean started = callRate.tick(now);
        if (!callRate.alarming() || !(started || now >= nextReport)) {
            return;
        }
        nextReport = now + REPORT_EVERY;
        List<Offender> offenders = callRate.offenders(10);
        if (settings.offenderBlockNanos() > 0) {
            for (Offender o : offenders) {
                control.block(o.source(), now, now + settings.offenderBlockNanos(), Detector.CALL_RATE);
            }
        }
        Baseline b = callRate.baseline();
        alarms.alarm(new Alarm(now, Detector.CALL_RATE, String.format(Locale.ROOT,
            "open exchanges above normal: %d raised cells, threshold %.0f (mean %.0f, std %.1f); %d offender(s)%s",
            callRate.load(), b.threshold(), b.mean(), b.std(), offenders.size(),
            settings.offenderBlockNanos() > 0 && !offenders.isEmpty() ? " blocked" : ""), offenders));
    }

    public CallRateStage callRate() {
        return callRate;
    }

    public ControlStage control() {
        return control;
    }

    public DialogFilter dialogs() {
        return dialogs;
    }
}
