package org.sipbastion.tier1.sanity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.sipbastion.parser.Corpus;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;

/** Policy verdicts on every syntactically valid torture message. */
class SanityPolicyTest {
    /** Messages the RFCs say a proxy or edge should refuse; everything else valid must pass. */
    private static final Map<String, PolicyViolation> REFUSED = Map.ofEntries(
        Map.entry("messages/dblreq.dat", PolicyViolation.TRAILING_OCTETS),
        Map.entry("ipv4-mapped-ipv6", PolicyViolation.TRAILING_OCTETS),
        Map.entry("ipv6-in-sdp", PolicyViolation.TRAILING_OCTETS),
        Map.entry("mult-ip-in-sdp", PolicyViolation.TRAILING_OCTETS),
        Map.entry("messages/wsinv.dat", PolicyViolation.FOLDED_HEADER),
        Map.entry("messages/esc02.dat", PolicyViolation.UNUSUAL_HEADER_NAME),
        Map.entry("messages/intmeth.dat", PolicyViolation.UNUSUAL_HEADER_NAME),
        Map.entry("messages/regaut01.dat", PolicyViolation.UNSUPPORTED_AUTH_SCHEME),
        Map.entry("messages/badbranch.dat", PolicyViolation.EMPTY_BRANCH),
        Map.entry("messages/insuf.dat", PolicyViolation.MISSING_MANDATORY_HEADER),
        Map.entry("messages/unkscm.dat", PolicyViolation.UNSUPPORTED_URI_SCHEME),
        Map.entry("messages/novelsc.dat", PolicyViolation.UNSUPPORTED_URI_SCHEME),
        Map.entry("messages/bext01.dat", PolicyViolation.BAD_EXTENSION),
        Map.entry("messages/multi01.dat", PolicyViolation.DUPLICATE_SINGLE_VALUE_HEADER),
        Map.entry("messages/mcl01.dat", PolicyViolation.DUPLICATE_SINGLE_VALUE_HEADER),
        Map.entry("messages/bcast.dat", PolicyViolation.BROADCAST_VIA),
        Map.entry("messages/zeromf.dat", PolicyViolation.TOO_MANY_HOPS));

    static Stream<Corpus.Entry> valid() {
        return Corpus.all().stream().filter(Corpus.Entry::syntacticallyValid);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void policyVerdict(Corpus.Entry e) {
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.wrappedBuffer(e.bytes())));
        assertEquals(REFUSED.getOrDefault(e.name(), PolicyViolation.NONE), new SanityPolicy().check(m), e.name());
    }

    @Test
    void everyRefusalIsInTheCorpus() {
        assertTrue(Corpus.all().stream().map(Corpus.Entry::name).toList().containsAll(REFUSED.keySet()));
    }

    @Test
    void expiresMustBeDeltaSeconds() {
        assertEquals(PolicyViolation.NONE, verdictWithExpires("3600"));
        assertEquals(PolicyViolation.NONE, verdictWithExpires("0"));
        assertEquals(PolicyViolation.BAD_EXPIRES, verdictWithExpires("Thu, 01 Dec 1994 16:00:00 GMT"));
        assertEquals(PolicyViolation.BAD_EXPIRES, verdictWithExpires("-1"));
        assertEquals(PolicyViolation.BAD_EXPIRES, verdictWithExpires("12345678901"));
    }

    private static PolicyViolation verdictWithExpires(String expires) {
        String msg = "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@example.com>;tag=1\r\n"
            + "To: <sip:a@example.com>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nExpires: " + expires + "\r\nContent-Length: 0\r\n\r\n";
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.wrappedBuffer(msg.getBytes(StandardCharsets.US_ASCII))));
        return new SanityPolicy().check(m);
    }

    @Test
    void broadcastAndMulticastRecognised() {
        for (String host : new String[] {"255.255.255.255", "0.0.0.0", "224.0.0.1", "239.255.255.250", "[ff02::1]", "[FF05::2]"}) {
            assertTrue(isBroadcast(host), host);
        }
        for (String host : new String[] {"192.0.2.1", "10.255.255.255", "example.com", "[2001:db8::1]", "223.1.1.1", "256.1.1.1"}) {
            assertFalse(isBroadcast(host), host);
        }
    }

    private static boolean isBroadcast(String host) {
        String msg = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP " + host + ";branch=z9hG4bKx\r\n\r\n";
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.wrappedBuffer(msg.getBytes(StandardCharsets.US_ASCII))));
        return SanityPolicy.broadcastOrMulticast(m, m.via(0).host());
    }
}
