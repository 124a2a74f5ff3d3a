package org.sipbastion.tier2.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;

class RouteTokenTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.11", 5060);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.12", 5060);
    private static final InetSocketAddress C = new InetSocketAddress("10.0.0.13", 5060);
    private static final MacKeyRing KEYS = MacKeyRing.of('k', "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    private static SipMessage parse(String s) {
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII)), s);
        return m;
    }

    private static SipMessage request(String method, String from, String to, String route) {
        return parse(method + " sip:x@192.0.2.9 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\n"
            + (route == null ? "" : "Route: " + route + "\r\n") + "From: " + from + "\r\nTo: " + to + "\r\n"
            + "Call-ID: dialog-1@x\r\nCSeq: 2 " + method + "\r\nContent-Length: 0\r\n\r\n");
    }

    /** The token the gateway puts on the INVITE of a dialog from alice, sent to {@code proxy}. */
    private static String mint(RouteToken t, InetSocketAddress proxy) {
        SipMessage invite = request("INVITE", "<sip:alice@x>;tag=a1", "<sip:bob@x>", null);
        ByteBuf out = Unpooled.buffer();
        t.write(invite, proxy, out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static InetSocketAddress verify(RouteToken t, SipMessage m) {
        UriParts parts = new UriParts();
        assertTrue(m.sipUri(m.firstRoute(), parts));
        return t.verify(m, parts.params());
    }

    @Test
    void aTokenNamesItsProxyForBothPartiesOfTheDialogOnAnotherGatewayWithTheSameKeys() {
        String param = mint(new RouteToken(KEYS, List.of(A, B)), B);
        assertTrue(param.matches(";bt=[a-z2-7]{8}-k[a-z2-7]{16}"), param);
        // Another gateway of the pair, whose list has another order and one proxy more.
        RouteToken other = new RouteToken(KEYS, List.of(C, B, A));
        String route = "<sip:192.0.2.1:5060;lr" + param + ">";
        assertEquals(B, verify(other, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1", route)));
        // The callee's BYE: the caller's tag is now the To tag.
        assertEquals(B, verify(other, request("BYE", "<sip:bob@x>;tag=b1", "<sip:alice@x>;tag=a1", route)));
    }

    @Test
    void forgedAlteredOrForeignTokensProveNothing() {
        RouteToken t = new RouteToken(KEYS, List.of(A, B));
        String param = mint(t, A);
        String good = "<sip:192.0.2.1:5060;lr" + param + ">";
        assertEquals(A, verify(t, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1", good)));
        // Another dialog (tags) with this dialog's token.
        assertNull(verify(t, request("BYE", "<sip:eve@x>;tag=e1", "<sip:bob@x>;tag=b1", good)));
        // The proxy id swapped for B's, to steer the dialog elsewhere.
        String idOfB = mint(t, B).substring(4, 12);
        assertNull(verify(t, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1",
            good.replace(param.substring(4, 12), idOfB))));
        // One character of the MAC changed.
        char last = param.charAt(param.length() - 1);
        String flipped = good.replace(param, param.substring(0, param.length() - 1) + (last == 'a' ? 'b' : 'a'));
        assertNull(verify(t, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1", flipped)));
        // Other keys (a gateway not of this pair), an index out of range, garbage, no token.
        RouteToken foreign = new RouteToken(MacKeyRing.of('k', "another-key-another-key-another-k".getBytes(StandardCharsets.US_ASCII)),
            List.of(A, B));
        assertNull(verify(foreign, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1", good)));
        // A gateway that does not have the proxy.
        assertNull(verify(new RouteToken(KEYS, List.of(B, C)), request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1",
            good)));
        assertNull(verify(t, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1", "<sip:192.0.2.1;lr;bt=0-zz>")));
        assertNull(verify(t, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1", "<sip:192.0.2.1;lr>")));
    }

    @Test
    void tokensOfThePreviousKeyStillVerifyAfterARotation() {
        String param = mint(new RouteToken(KEYS, List.of(A, B)), A);
        RouteToken rotated = new RouteToken(KEYS.rotate("fresh-secret-fresh-secret-fresh-s".getBytes(StandardCharsets.US_ASCII)),
            List.of(A, B));
        assertEquals(A, verify(rotated, request("BYE", "<sip:alice@x>;tag=a1", "<sip:bob@x>;tag=b1",
            "<sip:192.0.2.1:5060;lr" + param + ">")));
        assertTrue(mint(rotated, A).matches(";bt=[a-z2-7]{8}-[^k][a-z2-7]{16}"), "new tokens use the new key");
    }

    @Test
    void aProxyOutsideTheListGetsNoToken() {
        assertEquals("", mint(new RouteToken(KEYS, List.of(A)), B));
    }
}
