package org.sipbastion.tier1;

import org.sipbastion.tier1.event.AddressText;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;
import org.sipbastion.tier1.admission.KnownSources;
import org.sipbastion.tier1.auth.AuthFailureStage;
import org.sipbastion.tier1.bloom.Baseline;
import org.sipbastion.tier1.bloom.CallRateStage;
import org.sipbastion.tier1.dialog.DialogFilter;
import org.sipbastion.tier1.dispersion.ControlStage;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.event.Offender;
import org.sipbastion.tier1.rules.CidrSet;
import org.sipbastion.tier1.rules.MatchRule;
import org.sipbastion.tier1.rules.Profile;
import org.sipbastion.tier1.rules.Rules;

/**
 * Tier 1's detectors in the order of seed 004 (control, then call rate, then drop), for one event
 * loop: every request gets a verdict, every verified response updates the state the verdicts rest
 * on. The caller (the gateway's pipeline, or offline replay) drops what is not {@link Detector#NONE}.
 *
 * <p>Order per request: the deny feeds' addresses first, then the rule file's {@code [rule]}s (first match wins: drop, alarm, or
 * allow past the detectors), then the control stage (blocked keys, dispersion, rate limits: the
 * cheap checks that stop a flood) with the source's profile, password guessing, then the dialog checks (fake BYE and
 * CANCEL); only a request that passed is counted by the call-rate stage, so dropped floods do not
 * raise its cells twice. Trusted profiles and emergency calls are never dropped by the control
 * stage and never blocked.
 *
 * <p>Time is the caller's clock in nanoseconds (capture time in replay). Not thread-safe: one per
 * event loop, and {@link #apply} runs on that loop.
 */
public final class AnomalyHandler {
    private static final long REPORT_EVERY = 10_000_000_000L;
    private static final long RULE_ALARM_EVERY = 60_000_000_000L;
    private static final byte[] RESOURCE_PRIORITY = "resource-priority".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] URN_SOS = "urn:service:sos".getBytes(StandardCharsets.US_ASCII);

    private Rules rules;
    private final ControlStage control;
    private final DialogFilter dialogs;
    private final CallRateStage callRate;
    private final AuthFailureStage auth;
    private final KnownSources known;
    private final AlarmListener alarms;
    private final MatchRule.Scratch scratch = new MatchRule.Scratch();
    private final UriParts requestUri = new UriParts();
    private final byte[] user = new byte[64];
    private long[] ruleHits;
    private String lastRule;
    private boolean lastTrusted;
    private long[] ruleAlarmAt;
    private long nextReport = Long.MIN_VALUE;
    private CidrSet denied = CidrSet.EMPTY;

    /**
     * @param baseline the call-rate stage's baseline restored from disk, or null for the rules' own
     * @param seed     secret mixed into every table key (random per start, so keys cannot be aimed)
     */
    public AnomalyHandler(Rules rules, Baseline baseline, AlarmListener alarms, long seed) {
        this.rules = rules;
        this.alarms = alarms;
        this.control = new ControlStage(rules.control, seed, alarms);
        this.dialogs = new DialogFilter(rules.dialogs, seed ^ 0x646c67L);
        this.auth = new AuthFailureStage(rules.auth, seed ^ 0x61757468L, alarms);
        this.known = new KnownSources(rules.knownSources, rules.knownForNanos, seed ^ 0x6b6e6f776eL);
        this.callRate = new CallRateStage(rules.callRate, baseline != null && rules.baselineMean == null ? baseline
            : newBaseline(rules), seed ^ 0x637274L);
        callRate.vouchInto(known);
        control.spareKnown(known);
        this.ruleHits = new long[rules.rules.size()];
        this.ruleAlarmAt = new long[rules.rules.size()];
    }

    private static Baseline newBaseline(Rules r) {
        return r.baselineMean != null ? Baseline.fixed(r.baselineMean, r.baselineStd, r.sigmas, r.floor)
            : new Baseline(r.sigmas, r.floor, r.learnSeconds, r.adaptSeconds);
    }

    /**
     * Swaps in a new rule set, keeping every table, statistic, block and the learned baseline.
     * Sizes cannot change while running ({@link Rules#restartNeeded} names them).
     */
    public void apply(Rules next) {
        control.apply(next.control);
        dialogs.apply(next.dialogs);
        auth.apply(next.auth);
        known.forNanos(next.knownForNanos);
        callRate.apply(next.callRate);
        Baseline b = callRate.baseline();
        if (next.baselineMean != null || b.isFixed()) {
            callRate.baseline(newBaseline(next));
        } else {
            b.retune(next.sigmas, next.floor);
        }
        rules = next;
        ruleHits = new long[next.rules.size()];
        ruleAlarmAt = new long[next.rules.size()];
    }

    public Rules rules() {
        return rules;
    }

    /** Replaces the deny feeds' addresses (all feeds together); requests from them are dropped first. */
    public void deny(CidrSet addresses) {
        denied = addresses;
    }

    /** The verdict on a request from a client (inbound): {@link Detector#NONE} passes it. */
    public Detector request(SipMessage m, InetAddress source, long now) {
        return request(m, source, now, false);
    }

    /**
     * The verdict on a request from {@code source}; {@code outbound} when it comes from one of our
     * proxies (rules can watch for a compromised inside host).
     */
    public Detector request(SipMessage m, InetAddress source, long now, boolean outbound) {
        return request(m, source, now, outbound, false);
    }

    /**
     * As above; {@code proven} when the gateway found a valid route token of ours on the request:
     * a BYE of a dialog tier 1 does not know (set up before a restart or on the HA peer) is then
     * not fake.
     */
    public Detector request(SipMessage m, InetAddress source, long now, boolean outbound, boolean proven) {
        lastTrusted = false;
        if (denied.contains(source)) {
            tick(now);
            return Detector.DENY_LIST;
        }
        boolean allowed = false;
        List<MatchRule> list = rules.rules;
        for (int i = 0; i < list.size(); i++) {
            MatchRule r = list.get(i);
            if (r.matches(m, source, outbound, scratch)) {
                ruleHits[i]++;
                switch (r.action()) {
                    case DROP -> {
                        lastRule = r.name();
                        tick(now);
                        return Detector.RULE;
                    }
                    case ALARM -> ruleAlarm(i, r, m, source, now);
                    default -> allowed = true;
                }
                break;
            }
        }
        Detector d = Detector.NONE;
        Profile p = profile(source);
        lastTrusted = p != null && p.trusted();
        // Our own proxies are not judged by rate or dispersion: at carrier volume their callee BYEs
        // and NOTIFYs would look like floods. Rules and the dialog checks still see them.
        if (!allowed && !outbound) {
            if (!lastTrusted) {
                d = control.request(m, source, now, p == null ? null : p.limits());
                if (d == Detector.NONE) {
                    d = auth.request(m, source, now);
                }
                if (d == Detector.NONE && shed(m, source, now)) {
                    d = Detector.CALL_RATE;
                }
                if (d != Detector.NONE && emergency(m)) {
                    d = Detector.NONE;
                }
            }
        }
        if (d == Detector.NONE) {
            Detector fake = dialogs.request(m, source, now, proven, outbound);
            d = allowed ? Detector.NONE : fake;
        }
        if (d == Detector.NONE) {
            callRate.request(m, source, now, proven);
        }
        tick(now);
        return d;
    }

    /**
     * While the call-rate alarm lasts: a new call from an address that never completed a call
     * (2xx and ACK) nor had credentials accepted. This is what stops a flood spread over more addresses than the
     * offender list can name, each too slow for the control stage.
     */
    private boolean shed(SipMessage m, InetAddress source, long now) {
        return rules.shedUnknown && callRate.alarming() && m.method() == org.sipbastion.parser.Method.INVITE
            && !Range.present(m.toTag()) && !known.known(source, now);
    }

    /**
     * The gateway forwards transparently (no Via of ours): responses go from the proxies straight to
     * the clients and never reach tier 1. The dialog and call-rate checks then take the caller's ACK
     * for the answer (see {@link DialogFilter#responsesUnseen} and {@link CallRateStage#responsesUnseen});
     * the password-guessing stage and the fake-response check have nothing to look at.
     */
    public void responsesUnseen(boolean unseen) {
        dialogs.responsesUnseen(unseen);
        callRate.responsesUnseen(unseen);
    }

    /** A response from {@code source} that the gateway verified as one to a request it forwarded. */
    public void response(SipMessage m, InetAddress source, long now) {
        dialogs.response(m, source, now);
        callRate.response(m, now);
        InetAddress authenticated = auth.response(m, now);
        // Accepted credentials vouch only on a REGISTER: an INVITE to a public number may be
        // answered whatever its Authorization header holds.
        if (m.cseqMethod() == org.sipbastion.parser.Method.REGISTER) {
            known.vouch(authenticated, now);
        }
        tick(now);
    }

    /** The addresses that completed calls or authenticated recently (see {@link #shed}). */
    public KnownSources known() {
        return known;
    }

    /**
     * Advances the stages' clocks; the gateway also calls it from a timer, so a quiet link is sampled
     * too. While the call-rate alarm lasts, its offenders are reported every 10 s and blocked
     * (never a trusted one: an attacker could spoof its address to get it blocked).
     */
    public void tick(long now) {
        boolean started = callRate.tick(now);
        if (!callRate.alarming() || !(started || now >= nextReport)) {
            return;
        }
        nextReport = now + REPORT_EVERY;
        List<Offender> offenders = callRate.offenders(10);
        int blocked = 0;
        List<Offender> named = new java.util.ArrayList<>(offenders.size());
        for (Offender o : offenders) {
            Profile p = profile(o.source());
            // Neither a trusted source nor a NAT'd office is blocked by address: one is spoofable,
            // the other hides hundreds of innocent users (its users are judged one by one instead).
            boolean block = rules.offenderBlockNanos > 0 && (p == null || !p.trusted() && p.limits().judgeAddress());
            if (block) {
                control.block(o.source(), now, now + rules.offenderBlockNanos, Detector.CALL_RATE);
                blocked++;
            }
            named.add(new Offender(o.source(), o.count(), block));
        }
        Baseline b = callRate.baseline();
        alarms.alarm(new Alarm(now, Detector.CALL_RATE, String.format(Locale.ROOT,
            "open exchanges above normal: %d raised cells, threshold %.0f (mean %.0f, std %.1f); %d offender(s), %d blocked",
            callRate.load(), b.threshold(), b.mean(), b.std(), offenders.size(), blocked), named,
            blocked > 0 ? rules.offenderBlockNanos : 0));
    }

    /**
     * Whether the source of the last request judged belongs to a trusted profile (a peer whose
     * identity headers the forwarder keeps): looked up once, for both.
     */
    public boolean lastRequestTrusted() {
        return lastTrusted;
    }

    private Profile profile(InetAddress source) {
        for (Profile p : rules.profiles) {
            if (p.contains(source)) {
                return p;
            }
        }
        return null;
    }

    /** An emergency or priority call: never shed or rate-limited. Checked only before a drop. */
    private boolean emergency(SipMessage m) {
        if (rules.emergencyResourcePriority) {
            for (int h = 0; h < m.headerCount(); h++) {
                if (m.headerName(h) == HeaderName.OTHER && m.contentEquals(m.headerNameRange(h), RESOURCE_PRIORITY, true)) {
                    return true;
                }
            }
        }
        long ruri = m.requestUri();
        if (m.contentEquals(ruri, URN_SOS, true) || Range.length(ruri) > URN_SOS.length
            && m.startsWith(ruri, URN_SOS) && m.buffer().getByte(Range.start(ruri) + URN_SOS.length) == '.') {
            return true;
        }
        if (!m.sipUri(ruri, requestUri) || !Range.present(requestUri.user()) || Range.length(requestUri.user()) > user.length) {
            return false;
        }
        int n = m.copy(requestUri.user(), user, 0);
        for (String u : rules.emergencyUsers) {
            if (sameIgnoringCase(u, user, n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameIgnoringCase(String s, byte[] b, int n) {
        if (s.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (Character.toLowerCase(s.charAt(i)) != Character.toLowerCase((char) (b[i] & 0xFF))) {
                return false;
            }
        }
        return true;
    }

    private void ruleAlarm(int i, MatchRule r, SipMessage m, InetAddress source, long now) {
        if (ruleAlarmAt[i] != 0 && now - ruleAlarmAt[i] < RULE_ALARM_EVERY) {
            return;
        }
        ruleAlarmAt[i] = now;
        alarms.alarm(new Alarm(now, Detector.RULE, "rule " + r.name() + " matched " + m.method() + " from "
            + AddressText.of(source) + " (" + ruleHits[i] + " so far)", List.of(new Offender(source, 1))));
    }

    /** The name of the rule behind the last {@link Detector#RULE} verdict (for its event). */
    public String lastRule() {
        return lastRule;
    }

    /** Requests each rule matched since the rules were applied, in rule order. */
    public long[] ruleHits() {
        return ruleHits.clone();
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
