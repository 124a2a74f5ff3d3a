package org.sipbastion.tier1.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.Sip;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;

class AuthFailureStageTest {
    private static final long S = 1_000_000_000L;
    private final List<Alarm> alarms = new ArrayList<>();
    private final AuthFailureStage stage = new AuthFailureStage(AuthFailureStage.Settings.DEFAULT, 5, alarms::add);

    private static SipMessage register(String account, String callId, int cseq, boolean credentials) {
        return Sip.parse("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-" + cseq + "\r\n"
            + "From: <sip:" + account + "@example.com>;tag=1\r\nTo: <sip:" + account + "@example.com>\r\nCall-ID: " + callId
            + "\r\nCSeq: " + cseq + " REGISTER\r\nMax-Forwards: 70\r\n"
            + (credentials ? "Authorization: Digest username=\"" + account + "\", realm=\"example.com\", nonce=\"n\","
                + " uri=\"sip:example.com\", response=\"00000000000000000000000000000000\"\r\n" : "")
            + "Contact: <sip:" + account + "@198.51.100.1>\r\nContent-Length: 0\r\n\r\n");
    }

    private static SipMessage answer(String account, String callId, int cseq, int code) {
        return Sip.parse("SIP/2.0 " + code + " X\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-" + cseq + "\r\n"
            + "From: <sip:" + account + "@example.com>;tag=1\r\nTo: <sip:" + account + "@example.com>;tag=s\r\nCall-ID: "
            + callId + "\r\nCSeq: " + cseq + " REGISTER\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void phonesThatAreChallengedThenSucceedAreNeverOffenders() {
        InetAddress nat = Sip.ip("198.51.100.1");
        long t = S;
        for (int phone = 0; phone < 500; phone++) {
            String acct = "ext" + phone;
            assertEquals(Detector.NONE, stage.request(register(acct, "c" + phone, 1, false), nat, t));
            stage.response(answer(acct, "c" + phone, 1, 401), t + 1);
            assertEquals(Detector.NONE, stage.request(register(acct, "c" + phone, 2, true), nat, t + 2));
            stage.response(answer(acct, "c" + phone, 2, 200), t + 3);
            t += S / 10;
        }
        assertTrue(alarms.isEmpty());
    }

    @Test
    void aGuesserIsBlockedAfterTenWrongPasswordsAndNamed() {
        InetAddress cracker = Sip.ip("203.0.113.50");
        for (int i = 1; i <= 10; i++) {
            assertEquals(Detector.NONE, stage.request(register("100", "crack", i, true), cracker, i * S / 10));
            stage.response(answer("100", "crack", i, i % 2 == 0 ? 403 : 401), i * S / 10 + 1);
        }
        assertEquals(Detector.BRUTE_FORCE, stage.request(register("101", "crack", 11, true), cracker, 2 * S));
        assertTrue(alarms.get(0).summary().startsWith("source 203.0.113.50 blocked for 600 s: 10 failed"), alarms.get(0).summary());
        // The account was the target too: guessing it from elsewhere is blocked as well.
        assertEquals(Detector.BRUTE_FORCE, stage.request(register("100", "other", 1, true), Sip.ip("203.0.113.51"), 2 * S));
        assertEquals(Detector.NONE, stage.request(register("102", "fine", 1, false), Sip.ip("198.51.100.9"), 2 * S));
        assertEquals(Detector.NONE, stage.request(register("101", "crack", 12, true), cracker, 2 * S + 601 * S), "block ends");
    }

    @Test
    void failuresOutsideTheWindowDoNotAddUp() {
        InetAddress slow = Sip.ip("198.51.100.77");
        for (int i = 1; i <= 30; i++) {
            stage.request(register("200", "slow", i, true), slow, i * 61 * S / 9);
            stage.response(answer("200", "slow", i, 403), i * 61 * S / 9 + 1);
        }
        assertTrue(alarms.isEmpty(), "9 failures per 61 s never reach 10 in 60 s");
    }
}
