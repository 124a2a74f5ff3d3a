package org.sipbastion.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gov.nist.javax.sip.parser.StringMsgParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;

/**
 * Both parsers read the same values from every benchmark sample, and the benchmark's own sanity
 * check passes. Cheap: no benchmark runs here.
 */
class ParserAgreementTest {

    private static Fields ours(byte[] bytes) {
        SipMessage m = new SipMessage();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertEquals(Reason.OK, m.parse(buf));
        assertEquals(m.contentLength(), m.bodyLength(), "Content-Length must match the body exactly");
        assertEquals(bytes.length, m.messageEnd(), "no octets after the body");
        return Fields.of(m);
    }

    private static Fields theirs(byte[] bytes) throws ParseException {
        return Fields.of(JainSip.parse(new StringMsgParser(), bytes));
    }

    @ParameterizedTest
    @EnumSource(Sample.class)
    void parsersAgreeOnEveryField(Sample sample) throws ParseException {
        byte[] bytes = sample.bytes();
        Fields a = ours(bytes);
        Fields b = theirs(bytes);
        assertEquals(List.of(), a.differences(b), sample + " (ours vs JAIN-SIP)");
        // The values the issue names, spelled out so that a failure reads plainly.
        for (String f : List.of("call-id", "via.branch", "cseq.number", "cseq.method", "from.tag", "to.tag")) {
            assertEquals(b.get(f), a.get(f), sample + " " + f);
        }
        assertNotNull(a.get("call-id"));
        assertNotNull(a.get("via.branch"));
        assertNotNull(a.get("from.tag"));
    }

    @ParameterizedTest
    @EnumSource(Sample.class)
    void benchmarkSetupAccepts(Sample sample) throws ParseException {
        ParserBenchmark bench = new ParserBenchmark();
        bench.sample = sample.name();
        bench.setup();
    }

    @Test
    void samplesHaveTheExpectedShape() throws ParseException {
        Fields invite = ours(Sample.INVITE.bytes());
        assertEquals("INVITE", invite.get("start-line"));
        assertEquals("3", invite.get("via.count"));
        assertEquals("", invite.get("via.rport"));
        assertEquals("2", invite.get("record-route.count"));
        assertEquals(null, invite.get("to.tag"));

        Fields ok = ours(Sample.OK_200.bytes());
        assertEquals("200 OK", ok.get("start-line"));
        assertEquals("192.0.2.20", ok.get("via.received"));
        assertEquals("5060", ok.get("via.rport"));
        assertEquals("3", ok.get("record-route.count"));
        assertEquals("314159", ok.get("to.tag"));

        Fields bye = ours(Sample.BYE.bytes());
        assertEquals("3", bye.get("route.count"));
        assertEquals("sip:ss2.biloxi.example.com;lr", bye.get("route.first"));

        Fields reg = ours(Sample.REGISTER.bytes());
        assertEquals("1", reg.get("contact.count"));
        assertEquals("REGISTER", reg.get("cseq.method"));
    }

    /** The rethrowing listener is what makes JAIN-SIP "validate": without it a bad header just vanishes. */
    @Test
    void jainSipRejectsABadHeaderInsteadOfDroppingIt() throws ParseException {
        String bad = new String(Sample.REGISTER.bytes(), StandardCharsets.US_ASCII)
            .replace("CSeq: 1 REGISTER", "CSeq: one REGISTER");
        byte[] bytes = bad.getBytes(StandardCharsets.US_ASCII);
        assertThrows(ParseException.class, () -> JainSip.parse(new StringMsgParser(), bytes));
        assertEquals(null, new StringMsgParser().parseSIPMessage(bytes, true, true, null).getCSeq(),
            "without a listener JAIN-SIP drops the bad CSeq silently");
        assertEquals(Reason.BAD_CSEQ, new SipMessage().parse(Unpooled.wrappedBuffer(bytes)));
    }
}
