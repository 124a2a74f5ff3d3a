package org.sipbastion.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.sipbastion.testkit.KamailioSanityOracle.Outcome;
import org.sipbastion.testkit.KamailioSanityOracle.Verdict;

/** One message of each kind of verdict, so that a change in Kamailio or the config shows here first. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KamailioSanityOracleTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static KamailioSanityOracle oracle;

    /**
     * One Kamailio for all tests, started by the first. Not in @BeforeAll: a skip there is reported
     * by Surefire as "Tests run: 0" rather than as skipped tests.
     */
    @BeforeEach
    void start() {
        if (oracle == null) {
            oracle = KamailioSanityOracle.start(RunDirs.create("sanity-oracle"));
        }
    }

    @AfterAll
    static void stop() {
        if (oracle != null) {
            oracle.close();
        }
    }

    private static String request(String method, String cseqMethod, String viaVersion) {
        return method + " sip:bob@example.com SIP/2.0\r\n"
                + "Via: SIP/" + viaVersion + "/UDP 127.0.0.1:9;branch=z9hG4bK-oracle-" + method + cseqMethod + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@example.com>;tag=1\r\n"
                + "To: <sip:bob@example.com>\r\n"
                + "Call-ID: oracle-" + method + "-" + cseqMethod + "-" + viaVersion + "\r\n"
                + "CSeq: 1 " + cseqMethod + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static Verdict judge(String message) {
        return oracle.judge(message.getBytes(StandardCharsets.US_ASCII), WAIT);
    }

    @Test
    void wellFormedRequestIsAccepted() {
        Verdict v = judge(request("OPTIONS", "OPTIONS", "2.0"));
        assertEquals(Outcome.ACCEPTED, v.outcome(), v.lines().toString());
        assertEquals(OptionalInt.of(299), v.replyCode(), v.lines().toString());
    }

    @Test
    void ackIsAcceptedWithoutReply() {
        Verdict v = judge(request("ACK", "ACK", "2.0"));
        assertEquals(Outcome.ACCEPTED, v.outcome(), v.lines().toString());
        assertEquals(OptionalInt.empty(), v.replyCode(), v.lines().toString());
    }

    @Test
    void cseqMethodMismatchIsRejectedBySanityWith400() {
        Verdict v = judge(request("OPTIONS", "INVITE", "2.0"));
        assertEquals(Outcome.REJECTED, v.outcome(), v.lines().toString());
        assertEquals(OptionalInt.of(400), v.replyCode(), v.lines().toString());
    }

    @Test
    void unknownViaVersionIsDroppedByTheCoreParser() {
        Verdict v = judge(request("OPTIONS", "OPTIONS", "7.0"));
        assertEquals(Outcome.DROPPED_BY_CORE, v.outcome(), v.lines().toString());
    }

    @Test
    void responseIsPassedAndDropped() {
        String response = "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-oracle-response\r\n"
                + "From: <sip:alice@example.com>;tag=1\r\n"
                + "To: <sip:bob@example.com>;tag=2\r\n"
                + "Call-ID: oracle-response\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        Verdict v = judge(response);
        assertEquals(Outcome.RESPONSE_PASSED, v.outcome(), v.lines().toString());
    }
}
