package org.sipbastion.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.sipbastion.parser.Messages.parsed;
import static org.sipbastion.parser.Messages.sip;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AddressValuesTest {
    private static final byte[] BH = "bh".getBytes(StandardCharsets.US_ASCII);

    private static final String RESPONSE = sip(
        "SIP/2.0 200 OK",
        "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKgw1;bh=aXYZ, SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKa",
        "Record-Route: <sip:10.0.0.7;lr;ftag=x>,\"Edge, outer\" <sip:edge.example.com;lr> ,  <sip:10.0.0.1:5060;lr;bt=q;bh=aSEAL>",
        "Record-Route: <sip:p2.example.com;lr>",
        "Contact: \"Bob\" <sip:bob@192.0.2.20;transport=udp>;expires=60",
        "Call-ID: x@y", "CSeq: 1 INVITE", "From: <sip:a@b>;tag=1", "To: <sip:c@d>;tag=2", "Content-Length: 0", "");

    @Test
    void everyValueOfALineWithItsUri() {
        SipMessage m = parsed(RESPONSE);
        long[] values = new long[4];
        long[] uris = new long[4];
        int h = m.first(HeaderName.RECORD_ROUTE);
        assertEquals(3, m.addressValues(h, values, uris));
        assertEquals("<sip:10.0.0.7;lr;ftag=x>", m.string(values[0]));
        assertEquals("\"Edge, outer\" <sip:edge.example.com;lr>", m.string(values[1]));
        assertEquals("sip:edge.example.com;lr", m.string(uris[1]));
        assertEquals("<sip:10.0.0.1:5060;lr;bt=q;bh=aSEAL>", m.string(values[2]));
        int c = m.first(HeaderName.CONTACT);
        assertEquals(1, m.addressValues(c, values, uris));
        assertEquals("\"Bob\" <sip:bob@192.0.2.20;transport=udp>;expires=60", m.string(values[0]));
        assertEquals("sip:bob@192.0.2.20;transport=udp", m.string(uris[0]));
    }

    @Test
    void moreValuesThanRoomOrAnotherHeaderGivesMinusOne() {
        SipMessage m = parsed(RESPONSE);
        assertEquals(-1, m.addressValues(m.first(HeaderName.RECORD_ROUTE), new long[2], new long[2]));
        assertEquals(-1, m.addressValues(m.first(HeaderName.CALL_ID), new long[4], new long[4]));
        assertEquals(-1, m.addressValues(-1, new long[4], new long[4]));
        assertEquals(Reason.OK, m.reason(), "enumerating leaves the verdict alone");
    }

    @Test
    void paramFindsTheValueByNameNotByPrefixNorInsideQuotes() {
        SipMessage m = parsed(RESPONSE);
        Via top = m.via(0);
        assertEquals("aXYZ", m.string(m.param(Range.between(top.start(), top.end()), BH)));
        assertFalse(Range.present(m.param(Range.between(m.via(1).start(), m.via(1).end()), BH)));
        long[] values = new long[4];
        long[] uris = new long[4];
        m.addressValues(m.first(HeaderName.RECORD_ROUTE), values, uris);
        UriParts u = new UriParts();
        m.sipUri(uris[2], u);
        assertEquals("aSEAL", m.string(m.param(u.params(), BH)));
        assertEquals("q", m.string(m.param(u.params(), "bt".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("", m.string(m.param(u.params(), "lr".getBytes(StandardCharsets.US_ASCII))));
        SipMessage tricky = parsed(sip("OPTIONS sip:a@b SIP/2.0",
            "Via: SIP/2.0/UDP h;bhx=1;x=\"a;bh=no\";branch=z9hG4bKx", "Call-ID: c",
            "CSeq: 1 OPTIONS", "From: <sip:a@b>;tag=1", "To: <sip:a@b>", "Content-Length: 0", ""));
        Via v = tricky.via(0);
        assertFalse(Range.present(tricky.param(Range.between(v.start(), v.end()), BH)));
    }
}
