package org.sipbastion.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.parser.Messages.INVITE;
import static org.sipbastion.parser.Messages.buf;
import static org.sipbastion.parser.Messages.parsed;
import static org.sipbastion.parser.Messages.sip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RewriteAndFramingTest {

    private static String rewrite(SipMessage m, MessageEditor ed) {
        ByteBuf out = Unpooled.buffer();
        ed.writeTo(m.buffer(), m.messageStart(), m.messageEnd(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void proxyEditsSpliceWithoutTouchingTheRest() {
        SipMessage m = parsed(INVITE);
        MessageEditor ed = new MessageEditor().reset();
        ProxyRewrites.markSource(ed, m, "203.0.113.7".getBytes(StandardCharsets.US_ASCII), 40123);
        ProxyRewrites.beginRecordRoute(ed, m).writeCharSequence("<sip:10.0.0.1;lr>", StandardCharsets.US_ASCII);
        ProxyRewrites.endHeader(ed);
        ProxyRewrites.beginVia(ed, m).writeCharSequence("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKgw1", StandardCharsets.US_ASCII);
        ProxyRewrites.endHeader(ed);
        ProxyRewrites.decrementMaxForwards(ed, m);
        String out = rewrite(m, ed);
        assertEquals(sip(
            "INVITE sip:bob@example.com SIP/2.0",
            "Record-Route: <sip:10.0.0.1;lr>",
            "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKgw1",
            "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK776asdhds;rport=40123;received=203.0.113.7",
            "Max-Forwards: 69",
            "To: Bob <sip:bob@example.com>",
            "From: Alice <sip:alice@example.com>;tag=1928301774",
            "Call-ID: a84b4c76e66710@pc33.example.com",
            "CSeq: 314159 INVITE",
            "Contact: <sip:alice@192.0.2.10:5062>",
            "Content-Type: application/sdp",
            "Content-Length: 5",
            "",
            "v=0"), out);
        SipMessage again = parsed(out);
        assertEquals("z9hG4bKgw1", again.string(again.via(0).branch()));
        assertEquals(40123, again.via(1).rport());
        assertEquals(ed.delta(), out.length() - (m.messageEnd() - m.messageStart()));
    }

    @Test
    void popViaRemovesTheLineOrJustTheFirstValue() {
        SipMessage m = parsed(sip(
            "SIP/2.0 200 OK",
            "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKgw1, SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKa",
            "Via: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKb",
            "Call-ID: x@y", "CSeq: 1 INVITE", "From: <sip:a@b>;tag=1", "To: <sip:c@d>;tag=2",
            "Content-Length: 0", ""));
        MessageEditor ed = new MessageEditor().reset();
        ProxyRewrites.popVia(ed, m);
        SipMessage once = parsed(rewrite(m, ed));
        assertEquals("192.0.2.10", once.string(once.via(0).host()));
        assertEquals(2, once.viaCount());
        ed.reset();
        ProxyRewrites.popVia(ed, once);
        SipMessage twice = parsed(rewrite(once, ed));
        assertEquals("192.0.2.99", twice.string(twice.via(0).host()));
        assertEquals(1, twice.viaCount());
        assertEquals(1, twice.count(HeaderName.VIA));
    }

    @Test
    void popRouteRemovesOurEntryOnly() {
        SipMessage m = parsed(sip(
            "BYE sip:bob@192.0.2.20 SIP/2.0",
            "Route: <sip:10.0.0.1;lr;bt=abc>, <sip:proxy.example.com;lr>",
            "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKa",
            "Call-ID: x@y", "CSeq: 2 BYE", "From: <sip:a@b>;tag=1", "To: <sip:c@d>;tag=2", "Max-Forwards: 70",
            "Content-Length: 0", ""));
        assertEquals("sip:10.0.0.1;lr;bt=abc", m.string(m.firstRoute()));
        MessageEditor ed = new MessageEditor().reset();
        ProxyRewrites.popRoute(ed, m);
        SipMessage out = parsed(rewrite(m, ed));
        assertEquals(1, out.routeCount());
        assertEquals("sip:proxy.example.com;lr", out.string(out.firstRoute()));
    }

    @Test
    void missingMaxForwardsIsAddedWith70() {
        SipMessage m = parsed(sip("OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bKx", "Call-ID: c",
            "CSeq: 1 OPTIONS", "From: <sip:a@b>;tag=1", "To: <sip:a@b>", "Content-Length: 0", ""));
        MessageEditor ed = new MessageEditor().reset();
        ProxyRewrites.decrementMaxForwards(ed, m);
        assertEquals(70, parsed(rewrite(m, ed)).maxForwards());
    }

    @Test
    void streamFramerCutsByContentLengthAndSkipsKeepAlives() {
        String second = sip("BYE sip:a@b SIP/2.0", "Content-Length: 0", "");
        ByteBuf in = Unpooled.buffer();
        in.writeCharSequence("\r\n\r\n" + INVITE + second, StandardCharsets.UTF_8);
        StreamFramer f = new StreamFramer(Limits.DEFAULT);
        assertEquals(StreamFramer.FRAME, f.next(in));
        assertEquals(1, f.keepAlives());
        assertEquals(INVITE.length(), f.frameLength());
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(in, f.frameStart(), f.frameLength(), SipMessage.Framing.STREAM));
        in.skipBytes(f.frameLength());
        assertEquals(StreamFramer.FRAME, f.next(in));
        assertEquals(second.length(), f.frameLength());
        in.skipBytes(f.frameLength());
        assertEquals(StreamFramer.NEED_MORE, f.next(in));
    }

    @Test
    void streamFramerWaitsForTricklingBytesAndRejectsOverLimits() {
        byte[] msg = INVITE.getBytes(StandardCharsets.UTF_8);
        ByteBuf in = Unpooled.buffer();
        StreamFramer f = new StreamFramer(Limits.DEFAULT);
        for (int i = 0; i < msg.length - 1; i++) {
            in.writeByte(msg[i]);
            assertEquals(StreamFramer.NEED_MORE, f.next(in), "at byte " + i);
        }
        in.writeByte(msg[msg.length - 1]);
        assertEquals(StreamFramer.FRAME, f.next(in));

        StreamFramer noLength = new StreamFramer(Limits.DEFAULT);
        assertEquals(StreamFramer.ERROR, noLength.next(buf(sip("OPTIONS sip:a@b SIP/2.0", "Call-ID: x", ""))));
        assertEquals(Reason.BAD_CONTENT_LENGTH, noLength.reason());

        StreamFramer small = new StreamFramer(new Limits(1024, 16, 100));
        ByteBuf longLine = buf("OPTIONS sip:" + "a".repeat(200) + "@b SIP/2.0\r\n");
        assertEquals(StreamFramer.ERROR, small.next(longLine));
        assertEquals(Reason.LINE_TOO_LONG, small.reason());

        StreamFramer tooBig = new StreamFramer(new Limits(1024, 16, 100));
        assertEquals(StreamFramer.ERROR, tooBig.next(buf(sip("OPTIONS sip:a@b SIP/2.0", "Content-Length: 5000", ""))));
        assertEquals(Reason.MESSAGE_TOO_LARGE, tooBig.reason());
    }

    @Test
    void limitsAreTypedRejections() {
        Limits tight = new Limits(512, 8, 64);
        StringBuilder many = new StringBuilder("OPTIONS sip:a@b SIP/2.0\r\n");
        for (int i = 0; i < 9; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        many.append("\r\n");
        assertEquals(Reason.TOO_MANY_HEADERS, new SipMessage(tight).parse(buf(many.toString())));
        assertEquals(Reason.LINE_TOO_LONG,
            new SipMessage(tight).parse(buf(sip("OPTIONS sip:a@b SIP/2.0", "X-Long: " + "v".repeat(80), ""))));
        assertEquals(Reason.MESSAGE_TOO_LARGE, new SipMessage(tight).parse(buf("x".repeat(600))));
        assertEquals(Reason.EMPTY_MESSAGE, new SipMessage().parse(buf("\r\n\r\n")));
        assertEquals(Reason.MISSING_HEADER_END, new SipMessage().parse(buf("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n")));
    }

    @Test
    void rportValueMustBeAPortInEveryVia() {
        String base = sip("OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/UDP h1;branch=z9hG4bKa;rport=5062", "Via: SIP/2.0/UDP h2;branch=z9hG4bKb",
            "Via: SIP/2.0/UDP h3;branch=z9hG4bKc;rport=RPORT", "Call-ID: c", "CSeq: 1 OPTIONS", "");
        assertEquals(Reason.OK, new SipMessage().parse(buf(base.replace("RPORT", "40000"))));
        assertEquals(5062, parsed(base.replace("RPORT", "40000")).via(0).rport());
        for (String bad : new String[] {"abc", "0", "65536", "5a"}) {
            assertEquals(Reason.BAD_VIA, new SipMessage().parse(buf(base.replace("RPORT", bad))), "rport=" + bad + " in the third Via");
            assertEquals(Reason.BAD_VIA, new SipMessage().parse(buf(base.replace("rport=5062", "rport=" + bad))), "rport=" + bad);
        }
    }

    @Test
    void contactStarForRemovingAllBindings() {
        SipMessage m = parsed(sip("REGISTER sip:example.com SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bKx", "Contact: *",
            "Expires: 0", "Call-ID: c", "CSeq: 2 REGISTER", "From: <sip:a@example.com>;tag=1", "To: <sip:a@example.com>", ""));
        assertTrue(m.contactIsStar());
        assertEquals(1, m.contactCount());
    }

    @Test
    void foldedHeaderValuesAreOneValue() {
        SipMessage m = parsed(sip("OPTIONS sip:a@b SIP/2.0", "Subject: first", " second", "\tthird", "Call-ID:", "  folded-id", ""));
        long subject = m.headerValue(m.first(HeaderName.SUBJECT));
        assertTrue(m.string(subject).startsWith("first"));
        assertTrue(m.string(subject).endsWith("third"));
        assertEquals("folded-id", m.string(m.callId()));
    }
}
