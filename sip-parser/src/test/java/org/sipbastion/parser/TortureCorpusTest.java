package org.sipbastion.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every RFC 4475 / RFC 5118 message gets the syntax verdict its manifest gives, heap or direct buffer. */
class TortureCorpusTest {

    static Stream<Corpus.Entry> entries() {
        return Corpus.all().stream();
    }

    @Test
    void manifestsListEveryMessage() {
        assertEquals(50, Corpus.rfc4475().size());
        assertEquals(12, Corpus.rfc5118().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void verdictMatchesManifest(Corpus.Entry e) {
        for (ByteBuf buf : List.of(Unpooled.wrappedBuffer(e.bytes()), direct(e.bytes()))) {
            SipMessage m = new SipMessage();
            Reason r = m.parse(buf);
            if (e.syntacticallyValid()) {
                assertEquals(Reason.OK, r, e.name() + " is " + e.verdict());
            } else {
                assertNotEquals(Reason.OK, r, e.name() + " is invalid");
            }
            buf.release();
        }
    }

    /** The typed reason matters: it is what drop counters and lint report. */
    static Stream<Arguments> invalidReasons() {
        return Map.ofEntries(
            Map.entry("messages/badinv01.dat", Reason.BAD_VIA),
            Map.entry("messages/clerr.dat", Reason.CONTENT_LENGTH_EXCEEDS_MESSAGE),
            Map.entry("messages/ncl.dat", Reason.BAD_CONTENT_LENGTH),
            Map.entry("messages/scalar02.dat", Reason.CSEQ_OVERFLOW),
            Map.entry("messages/scalarlg.dat", Reason.CSEQ_OVERFLOW),
            Map.entry("messages/quotbal.dat", Reason.UNTERMINATED_QUOTE),
            Map.entry("messages/ltgtruri.dat", Reason.BAD_REQUEST_URI),
            Map.entry("messages/lwsruri.dat", Reason.BAD_START_LINE),
            Map.entry("messages/lwsstart.dat", Reason.BAD_START_LINE),
            Map.entry("messages/trws.dat", Reason.BAD_START_LINE),
            Map.entry("messages/escruri.dat", Reason.BAD_REQUEST_URI),
            Map.entry("messages/baddate.dat", Reason.BAD_DATE),
            Map.entry("messages/regbadct.dat", Reason.BAD_NAME_ADDR),
            Map.entry("messages/badaspec.dat", Reason.BAD_NAME_ADDR),
            Map.entry("variant_baddn_ersip_with_trailing_CRLF.dat", Reason.BAD_NAME_ADDR),
            Map.entry("messages/badvers.dat", Reason.BAD_VERSION),
            Map.entry("messages/mismatch01.dat", Reason.CSEQ_METHOD_MISMATCH),
            Map.entry("messages/mismatch02.dat", Reason.CSEQ_METHOD_MISMATCH),
            Map.entry("messages/bigcode.dat", Reason.BAD_STATUS_CODE),
            Map.entry("messages/test.dat", Reason.BAD_START_LINE)
        ).entrySet().stream().map(x -> Arguments.of(x.getKey(), x.getValue()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("invalidReasons")
    void invalidMessagesGetTheirTypedReason(String file, Reason expected) {
        assertEquals(expected, parse("/corpora/rfc4475/" + file).reason());
    }

    @Test
    void ipv6WithoutBracketsIsABadRequestUri() {
        assertEquals(Reason.BAD_REQUEST_URI, parse("/corpora/rfc5118/wire/ipv6-bad.dat").reason());
    }

    @Test
    void tortuousInviteExposesItsValues() {
        SipMessage m = parse("/corpora/rfc4475/messages/wsinv.dat");
        assertTrue(m.isRequest());
        assertEquals(Method.INVITE, m.method());
        assertEquals("sip:vivekg@chair-dnrc.example.com;unknownparam", m.string(m.requestUri()));
        assertEquals("wsinv.ndaksdj@192.0.2.1", m.string(m.callId()));
        assertEquals(9, m.cseqNumber());
        assertEquals(Method.INVITE, m.cseqMethod());
        assertEquals(68, m.maxForwards());
        assertEquals("1918181833n", m.string(m.toTag()));
        assertEquals("98asjd8", m.string(m.fromTag()));
        assertEquals("sip:vivekg@chair-dnrc.example.com", m.string(m.toUri()));
        assertEquals("sip:jdrosen@example.com", m.string(m.fromUri()));
        assertEquals(150, m.contentLength());
        assertEquals(150, m.bodyLength());
        assertEquals(3, m.viaCount());
        Via top = m.via(0);
        assertEquals("UDP", m.string(top.transport()));
        assertEquals("192.0.2.2", m.string(top.host()));
        assertEquals(-1, top.port());
        assertEquals("390skdjuw", m.string(top.branch()));
        Via second = m.via(1);
        assertEquals("TCP", m.string(second.transport()));
        assertEquals("spindle.example.com", m.string(second.host()));
        assertEquals("z9hG4bK9ikj8", m.string(second.branch()));
        assertTrue(second.next() > second.end(), "a third value follows in the same header line");
        assertEquals(1, m.routeCount());
        assertEquals("sip:services.example.com;lr;unknownwith=value;unknown-no-value", m.string(m.firstRoute()));
        assertEquals(1, m.contactCount());
        assertEquals("sip:jdrosen@example.com", m.string(m.firstContact()));
        assertEquals(1, m.count(HeaderName.SUBJECT));
        assertEquals(2, m.count(HeaderName.VIA));
    }

    @Test
    void datagramOctetsAfterContentLengthAreIgnored() {
        SipMessage m = parse("/corpora/rfc4475/messages/dblreq.dat");
        assertEquals(Method.REGISTER, m.method());
        assertEquals("dblreq.0ha0isndaksdj99sdfafnl3lk233412", m.string(m.callId()));
        assertEquals(0, m.bodyLength());
        assertEquals(m.bodyStart(), m.messageEnd());
        assertTrue(m.messageEnd() < Corpus.read("/corpora/rfc4475/messages/dblreq.dat").length);
    }

    @Test
    void compactFormsAndEscapesAreRead() {
        SipMessage m = parse("/corpora/rfc4475/messages/esc01.dat");
        assertEquals("esc01.239409asdfakjkn23onasd0-3234", m.string(m.callId()));
        assertEquals("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", m.string(m.firstContact()));
        SipMessage n = parse("/corpora/rfc4475/messages/escnull.dat");
        assertEquals(2, n.contactCount());
        assertEquals(0, n.contentLength());
        // Headers are also reachable one line at a time, in order, without being interpreted.
        int first = n.first(HeaderName.CONTACT);
        int second = n.next(HeaderName.CONTACT, first);
        assertEquals("<sip:%00@host5.example.com>", n.string(n.headerValue(first)));
        assertEquals("<sip:%00%00@host5.example.com>", n.string(n.headerValue(second)));
        assertEquals(-1, n.next(HeaderName.CONTACT, second));
        assertFalse(n.contactIsStar());
    }

    @Test
    void extensionMethodsAndWideCharacterSets() {
        SipMessage m = parse("/corpora/rfc4475/messages/intmeth.dat");
        assertEquals(Method.EXTENSION, m.method());
        assertEquals(Method.EXTENSION, m.cseqMethod());
        assertEquals("!interesting-Method0123456789_*+`.%indeed'~", m.string(m.methodRange()));
        assertEquals(255, m.maxForwards());
        assertEquals("_token~1'+`*%!-.", m.string(m.fromTag()));
        assertEquals("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.string(m.callId()));
    }

    @Test
    void responsesExposeStatusAndReason() {
        SipMessage m = parse("/corpora/rfc4475/messages/unreason.dat");
        assertFalse(m.isRequest());
        assertEquals(200, m.statusCode());
        SipMessage n = parse("/corpora/rfc4475/messages/noreason.dat");
        assertEquals(100, n.statusCode());
        assertEquals("", n.string(n.reasonPhrase()));
        assertEquals("902jndnke3", n.string(n.toTag()));
    }

    @Test
    void fiveTransportsInTheViaStack() {
        SipMessage m = parse("/corpora/rfc4475/messages/transports.dat");
        assertEquals(5, m.viaCount());
        assertEquals(5, m.count(HeaderName.VIA));
        assertEquals("t2.example.com", m.string(m.via(1).host()));
        assertEquals("SCTP", m.string(m.via(1).transport()));
    }

    @Test
    void ipv6ReferencesInUrisAndVia() {
        SipMessage m = parse("/corpora/rfc5118/wire/port-unambiguous.dat");
        UriParts u = new UriParts();
        assertTrue(m.sipUri(m.requestUri(), u));
        assertEquals("[2001:db8::10]", m.string(u.host()));
        assertEquals(5070, u.port());
        SipMessage a = parse("/corpora/rfc5118/wire/port-ambiguous.dat");
        assertTrue(a.sipUri(a.requestUri(), u));
        assertEquals("[2001:db8::10:5070]", a.string(u.host()));
        assertEquals(-1, u.port());
        SipMessage d = parse("/corpora/rfc5118/wire/via-received-param-with-delim.dat");
        assertEquals("[2001:db8::9:255]", d.string(d.via(0).received()));
        SipMessage nd = parse("/corpora/rfc5118/wire/via-received-param-no-delim.dat");
        assertEquals("2001:db8::9:255", nd.string(nd.via(0).received()));
        assertEquals("[2001:db8::9:1]", nd.string(nd.via(0).host()));
    }

    @Test
    void rfc2543RequestWithoutContentLengthTakesTheRestAsBody() {
        SipMessage m = parse("/corpora/rfc4475/messages/inv2543.dat");
        assertEquals(-1, m.contentLength());
        assertTrue(m.bodyLength() > 0);
        assertFalse(Range.present(m.via(0).branch()));
        assertEquals(1, m.recordRouteCount());
    }

    static SipMessage parse(String resource) {
        SipMessage m = new SipMessage();
        m.parse(Unpooled.wrappedBuffer(Corpus.read(resource)));
        return m;
    }

    private static ByteBuf direct(byte[] bytes) {
        ByteBuf b = Unpooled.directBuffer(bytes.length);
        b.writeBytes(bytes);
        return b;
    }
}
