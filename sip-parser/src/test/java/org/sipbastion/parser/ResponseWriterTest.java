package org.sipbastion.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sipbastion.parser.Messages.INVITE;
import static org.sipbastion.parser.Messages.parsed;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseWriterTest {
    @Test
    void responseCopiesTransactionHeadersAndTagsTo() {
        SipMessage req = parsed(INVITE);
        ByteBuf out = Unpooled.buffer();
        ResponseWriter.begin(req, 486, "Busy Here", "gw1".getBytes(StandardCharsets.US_ASCII), out);
        ResponseWriter.header(out, "Server", "test");
        ResponseWriter.end(out, null);
        SipMessage res = parsed(out.toString(StandardCharsets.UTF_8));
        assertEquals(486, res.statusCode());
        assertEquals("gw1", res.string(res.toTag()));
        assertEquals("1928301774", res.string(res.fromTag()));
        assertEquals("a84b4c76e66710@pc33.example.com", res.string(res.callId()));
        assertEquals(314159, res.cseqNumber());
        assertEquals(Method.INVITE, res.cseqMethod());
        assertEquals("z9hG4bK776asdhds", res.string(res.via(0).branch()));
        assertEquals(0, res.contentLength());
        assertEquals(0, res.count(HeaderName.CONTACT));
    }
}
