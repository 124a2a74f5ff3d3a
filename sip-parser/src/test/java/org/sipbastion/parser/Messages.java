package org.sipbastion.parser;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Small builders for hand-written test messages (lines joined with CRLF). */
final class Messages {
    private Messages() {
    }

    static String sip(String... lines) {
        return String.join("\r\n", lines) + "\r\n";
    }

    static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    static SipMessage parsed(String s) {
        SipMessage m = new SipMessage();
        Reason r = m.parse(buf(s));
        if (r != Reason.OK) {
            throw new AssertionError("expected a valid message, got " + r + ":\n" + s);
        }
        return m;
    }

    static final String INVITE = sip(
        "INVITE sip:bob@example.com SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK776asdhds;rport",
        "Max-Forwards: 70",
        "To: Bob <sip:bob@example.com>",
        "From: Alice <sip:alice@example.com>;tag=1928301774",
        "Call-ID: a84b4c76e66710@pc33.example.com",
        "CSeq: 314159 INVITE",
        "Contact: <sip:alice@192.0.2.10:5062>",
        "Content-Type: application/sdp",
        "Content-Length: 5",
        "",
        "v=0");
}
