package org.sipbastion.tier1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;

/** The detectors together, driven by rule files: rules, profiles, emergency calls, reloads. */
class AnomalyHandlerTest {
    private static final long S = 1_000_000_000L;
    private final List<Alarm> alarms = new ArrayList<>();

    private AnomalyHandler handler(String rules) throws RulesException {
        return new AnomalyHandler(Rules.parse(List.of(new Rules.Source("t.rules", rules))), null, alarms::add, 7);
    }

    private static SipMessage withUserAgent(String ua) {
        return Sip.parse("OPTIONS sip:100@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-1\r\n"
            + "From: <sip:100@192.0.2.1>;tag=1\r\nTo: <sip:100@192.0.2.1>\r\nCall-ID: scan-1\r\nCSeq: 1 OPTIONS\r\n"
            + "User-Agent: " + ua + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
    }

    /** A metronome at 100/s: the control stage blocks it once judged. */
    private static int flood(AnomalyHandler h, Sip caller, InetAddress src, String method, long start, int n) {
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            SipMessage m = caller.request(method, 1, null, "z9hG4bK-" + i);
            dropped += h.request(m, src, start + i * (S / 100)) != Detector.NONE ? 1 : 0;
        }
        return dropped;
    }

    @Test
    void theShippedScannerRuleDropsSipviciousWhateverItsCase() throws Exception {
        AnomalyHandler h = new AnomalyHandler(Rules.load(List.of(java.nio.file.Path.of("..", "rules"))), null, alarms::add, 7);
        InetAddress scanner = Sip.ip("203.0.113.5");
        assertEquals(Detector.RULE, h.request(withUserAgent("friendly-scanner"), scanner, S));
        assertEquals(Detector.RULE, h.request(withUserAgent("SIPVicious 0.3.4"), scanner, S));
        assertEquals(Detector.NONE, h.request(withUserAgent("Linphone/5.2"), scanner, S));
        assertEquals(2, h.ruleHits()[0]);
    }

    @Test
    void aTrustedTrunkIsNeverJudgedOrBlocked() throws RulesException {
        AnomalyHandler h = handler("[profile trunk]\nsource = 192.0.2.50\ntrusted = yes\n");
        InetAddress trunk = Sip.ip("192.0.2.50");
        assertEquals(0, flood(h, new Sip("t@x", "pbx", "1"), trunk, "INVITE", S, 500));
        assertTrue(alarms.isEmpty());
        // Even the call-rate stage's offender blocking spares it.
        h.control().block(Sip.ip("192.0.2.51"), S, 100 * S, Detector.CALL_RATE);
        assertEquals(Detector.CALL_RATE, h.request(Sip.call("n@x").invite(1, null), Sip.ip("192.0.2.51"), 2 * S));
    }

    @Test
    void aNatOfficeIsJudgedByUserNotByAddress() throws RulesException {
        AnomalyHandler h = handler("[profile office]\nsource = 198.51.100.0/24\njudge_address = no\n");
        InetAddress nat = Sip.ip("198.51.100.1");
        // Many users, one address, each user a metronome below the floor, together 100/s: passes.
        int dropped = 0;
        for (int i = 0; i < 2000; i++) {
            Sip user = new Sip("u" + i + "@x", "ext" + (i % 50), "1");
            dropped += h.request(user.invite(1, null), nat, S + i * (S / 100)) != Detector.NONE ? 1 : 0;
        }
        assertEquals(0, dropped);
        // One user of the office flooding is still caught, by its user key.
        assertTrue(flood(h, new Sip("f@x", "hacked-phone", "1"), nat, "INVITE", 30 * S, 200) >= 200 - 24);
        assertTrue(alarms.get(0).summary().startsWith("user hacked-phone@example.com"), alarms.get(0).summary());
    }

    @Test
    void emergencyCallsAreNeverShed() throws RulesException {
        AnomalyHandler h = handler("[control]\nrate_limit = 1/s\nrate_burst = 1\n");
        InetAddress src = Sip.ip("198.51.100.9");
        Sip caller = new Sip("e@x", "alice", "1");
        assertEquals(Detector.NONE, h.request(caller.invite(1, null), src, S));
        assertEquals(Detector.RATE_LIMIT, h.request(caller.invite(2, null), src, S + 1));
        SipMessage sos = Sip.parse("INVITE sip:sos@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.9;branch=z9hG4bK-s\r\n"
            + "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:sos@example.com>\r\nCall-ID: e@x\r\nCSeq: 4 INVITE\r\n"
            + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        assertEquals(Detector.NONE, h.request(sos, src, S + 2));
        SipMessage priority = Sip.parse("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.9;branch=z9hG4bK-p\r\n"
            + "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: p@x\r\nCSeq: 5 INVITE\r\n"
            + "Resource-Priority: ets.0\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        assertEquals(Detector.NONE, h.request(priority, src, S + 3));
        assertEquals(Detector.RATE_LIMIT, h.request(caller.invite(6, null), src, S + 4));
    }

    @Test
    void duringACallRateAlarmUnknownCallersAreShedAndANatOfficeIsNamedButNotBlocked() throws RulesException {
        AnomalyHandler h = handler("[call_rate]\nwindow = 10s\nbaseline_mean = 0\nbaseline_std = 0\nsigmas = 0\n"
            + "floor = 40\noffender_min_open = 5\n[control]\nrate_limit = 0/s\n"
            + "[profile office]\nsource = 198.51.100.0/24\njudge_address = no\n");
        InetAddress phone = Sip.ip("192.0.2.10");
        InetAddress proxy = Sip.ip("10.0.0.2");
        InetAddress office = Sip.ip("198.51.100.1");
        InetAddress flooder = Sip.ip("203.0.113.9");
        InetAddress newcomer = Sip.ip("192.0.2.99");
        h.tick(S);
        // A phone whose call the proxy answered is known from then on.
        Sip answered = Sip.call("known@x");
        assertEquals(Detector.NONE, h.request(answered.invite(1, null), phone, 12 * S));
        h.response(answered.response(200, "INVITE", 1, "tt"), proxy, 12 * S + 1000);
        assertEquals(Detector.NONE, h.request(answered.ack(1, "tt", true), phone, 12 * S + 2000));
        // The office rings ten calls at once; a flooder leaves thirty INVITEs unanswered.
        for (int i = 0; i < 10; i++) {
            assertEquals(Detector.NONE, h.request(new Sip("o" + i + "@x", "ext" + i, "1").invite(1, null), office,
                13 * S + i * (S / 10)));
        }
        for (int i = 0; i < 30; i++) {
            assertEquals(Detector.NONE, h.request(new Sip("f" + i + "@x", "f" + i, "1").invite(1, null), flooder,
                14 * S + i * (S / 7)));
        }
        h.tick(22 * S);
        assertTrue(h.callRate().alarming());
        Alarm alarm = alarms.stream().filter(a -> a.detector() == Detector.CALL_RATE).findFirst().orElseThrow();
        assertEquals(2, alarm.offenders().size(), alarm.toString());
        for (var o : alarm.offenders()) {
            assertEquals(o.source().equals(flooder), o.blocked(), o.toString());
        }
        assertEquals(Detector.CALL_RATE, h.request(new Sip("f-late@x", "f", "1").invite(1, null), flooder, 22 * S + 1));
        // Shedding: a new caller with no record is turned away, the known phone is not, nor an emergency call.
        assertEquals(Detector.CALL_RATE, h.request(new Sip("n@x", "new", "1").invite(1, null), newcomer, 22 * S + 2));
        assertEquals(Detector.NONE, h.request(new Sip("k2@x", "alice", "1").invite(1, null), phone, 22 * S + 3));
        SipMessage sos = Sip.parse("INVITE sip:112@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bK-s\r\n"
            + "From: <sip:new@example.com>;tag=1\r\nTo: <sip:112@example.com>\r\nCall-ID: sos@x\r\nCSeq: 1 INVITE\r\n"
            + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        assertEquals(Detector.NONE, h.request(sos, newcomer, 22 * S + 4));
        // In-dialog requests are never shed.
        assertEquals(Detector.NONE, h.request(new Sip("n2@x", "new", "1").invite(2, "has-tag"), newcomer, 22 * S + 5));
    }

    @Test
    void requestsFromOurProxiesAreNotRateJudged() throws RulesException {
        AnomalyHandler h = handler("[control]\nrate_limit = 5/s\nrate_burst = 5\n");
        InetAddress proxy = Sip.ip("10.0.0.2");
        Sip p = new Sip("p@x", "callee", "1");
        int dropped = 0;
        for (int i = 0; i < 200; i++) {
            dropped += h.request(p.options(i + 1), proxy, S + i * (S / 100), true) != Detector.NONE ? 1 : 0;
        }
        assertEquals(0, dropped);
        assertTrue(flood(h, p, Sip.ip("192.0.2.44"), "OPTIONS", 10 * S, 200) > 150, "the same stream inbound is judged");
    }

    @Test
    void rulesScopeToADirection() throws RulesException {
        AnomalyHandler h = handler("[rule inside-scan]\nmethod = REGISTER\ndirection = outbound\naction = drop\n");
        InetAddress proxy = Sip.ip("10.0.0.2");
        SipMessage register = Sip.call("r@x").register(1);
        assertEquals(Detector.NONE, h.request(register, proxy, S, false));
        assertEquals(Detector.RULE, h.request(register, proxy, S, true));
    }

    @Test
    void anAlarmRuleLetsTheRequestThroughAndAlarmsOnceAMinute() throws RulesException {
        AnomalyHandler h = handler("[rule watch]\nuser = test*\naction = alarm\n");
        InetAddress src = Sip.ip("198.51.100.20");
        for (int i = 0; i < 5; i++) {
            assertEquals(Detector.NONE, h.request(new Sip("w" + i + "@x", "tester" + i, "1").options(1), src, S + i * S));
        }
        assertEquals(1, alarms.size());
        assertEquals(Detector.RULE, alarms.get(0).detector());
        h.request(new Sip("w9@x", "tester9", "1").options(1), src, 70 * S);
        assertEquals(2, alarms.size());
    }

    @Test
    void aReloadKeepsBlocksStatisticsAndTheBaseline() throws RulesException {
        AnomalyHandler h = handler("[call_rate]\nlearn = 3s\nwindow = 1s\n");
        InetAddress attacker = Sip.ip("203.0.113.77");
        assertTrue(flood(h, new Sip("b@x", "bot", "1"), attacker, "INVITE", S, 100) > 70);
        for (int s = 2; s < 10; s++) {
            h.tick(s * S);
        }
        assertTrue(h.callRate().baseline().learned());
        double mean = h.callRate().baseline().mean();
        h.apply(Rules.parse(List.of(new Rules.Source("t2.rules", "[control]\nblock = 600s\n[call_rate]\nsigmas = 5\n"))));
        assertEquals(Detector.FLOOD, h.request(new Sip("b2@x", "bot", "1").invite(1, null), attacker, 11 * S),
            "still blocked after the reload");
        assertTrue(h.callRate().baseline().learned());
        assertEquals(mean, h.callRate().baseline().mean());
        assertEquals(600 * S, h.control().settings().blockNanos());
    }
}
