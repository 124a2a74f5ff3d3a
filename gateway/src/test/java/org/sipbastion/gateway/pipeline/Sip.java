package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.parser.Limits;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;

/** Test messages and helpers for driving handlers with an EmbeddedChannel. */
final class Sip {
    static final InetSocketAddress GATEWAY = new InetSocketAddress("127.0.0.1", 5060);
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    static final InetSocketAddress PROXY_A = new InetSocketAddress("127.0.0.1", 5071);
    static final InetSocketAddress PROXY_B = new InetSocketAddress("127.0.0.1", 5072);
    static final MacKeyRing KEYS = MacKeyRing.of('a', "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    /**
     * The forwarding tests replay calls in a tight loop from one client, which the control stage
     * rightly takes for a tool: the client is a trusted profile here (tier 1 has its own tests).
     */
    static final GatewayConfig CONFIG = new GatewayConfig(GATEWAY, null, List.of(PROXY_A, PROXY_B), KEYS, Limits.DEFAULT,
        rules("[profile test-client]\nsource = 127.0.0.1\ntrusted = yes\n"));

    static Rules rules(String text) {
        try {
            return Rules.parse(List.of(new Rules.Source("test.rules", text)));
        } catch (RulesException e) {
            throw new AssertionError(e);
        }
    }

    private Sip() {
    }

    static String lines(String... lines) {
        return String.join("\r\n", lines) + "\r\n";
    }

    static String request(String method, String callId, String cseqMethod, String... extra) {
        List<String> l = new ArrayList<>(List.of(
            method + " sip:bob@192.0.2.200 SIP/2.0",
            "Via: SIP/2.0/UDP 10.1.1.1:5062;branch=z9hG4bKclient1;rport",
            "Max-Forwards: 70",
            "From: <sip:alice@example.com>;tag=fromtag1",
            "To: <sip:bob@example.com>",
            "Call-ID: " + callId,
            "CSeq: 1 " + cseqMethod));
        l.addAll(List.of(extra));
        l.add("Content-Length: 0");
        l.add("");
        return lines(l.toArray(String[]::new));
    }

    static DatagramPacket datagram(String text, InetSocketAddress from) {
        return new DatagramPacket(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), GATEWAY, from);
    }

    /** Everything the channel wrote, as text with its destination; releases the packets. */
    static List<Sent> sent(EmbeddedChannel ch) {
        List<Sent> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            DatagramPacket p = (DatagramPacket) o;
            out.add(new Sent(p.content().toString(StandardCharsets.UTF_8), p.recipient()));
            p.release();
        }
        return out;
    }

    record Sent(String text, InetSocketAddress to) {
        SipMessage parsed() {
            SipMessage m = new SipMessage();
            Reason r = m.parse(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
            if (r != Reason.OK) {
                throw new AssertionError("gateway sent an invalid message (" + r + "):\n" + text);
            }
            return m;
        }
    }

    static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }
}
