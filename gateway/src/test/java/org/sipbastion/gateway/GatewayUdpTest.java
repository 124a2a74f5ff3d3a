package org.sipbastion.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.demo.DemoProxy;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;

/** The real UDP path (epoll on Linux) with two demo proxies and a plain socket as the client. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GatewayUdpTest {
    private EventLoopGroup group;
    private DemoProxy p1;
    private DemoProxy p2;
    private Gateway gateway;
    private DatagramSocket client;

    @BeforeEach
    void start() throws Exception {
        group = EventLoops.group(1);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        p1 = DemoProxy.start("p1", group, any);
        p2 = DemoProxy.start("p2", group, any);
        // No OPTIONS probes: these tests count what the proxies receive (ProxyProberTest covers probes).
        GatewayConfig config = new GatewayConfig(any, null, List.of(p1.address(), p2.address()), MacKeyRing.random(),
            Limits.DEFAULT);
        gateway = Gateway.start(config.withBalancing(config.balancing().withProbeIntervalMillis(0)));
        client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        client.setSoTimeout(2000);
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.close();
        p1.close();
        p2.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    private String request(String method, String callId, int cseq, String branch, String toTag) {
        int port = client.getLocalPort();
        return "%s sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\nMax-Forwards: 70\r\n"
            .formatted(method, port, branch)
            + "From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
            + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nContact: <sip:alice@127.0.0.1:" + port + ">\r\n"
            + "Content-Length: 0\r\n\r\n";
    }

    private void send(String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(b, b.length, gateway.localAddress()));
    }

    private List<SipMessage> receive(int n) throws Exception {
        List<SipMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            client.receive(p);
            assertEquals(gateway.localAddress().getPort(), p.getPort(), "everything comes back through the gateway");
            SipMessage m = new SipMessage();
            assertEquals(Reason.OK, m.parse(Unpooled.wrappedBuffer(buf, 0, p.getLength())));
            out.add(m);
        }
        return out;
    }

    @Test
    void aCallCompletesAndStaysOnOneProxy() throws Exception {
        send(request("INVITE", "udp-call-1", 1, "z9hG4bKinv1", null));
        List<SipMessage> answers = receive(3);
        assertEquals(List.of(100, 180, 200), answers.stream().map(SipMessage::statusCode).toList());
        SipMessage ok = answers.get(2);
        assertEquals(1, ok.viaCount(), "our Via is popped");
        String toTag = ok.string(ok.toTag());
        assertTrue(ok.recordRouteCount() > 0, "the 200 carries our Record-Route");
        send(request("ACK", "udp-call-1", 1, "z9hG4bKack1", toTag));
        send(request("BYE", "udp-call-1", 2, "z9hG4bKbye1", toTag));
        assertEquals(200, receive(1).get(0).statusCode());
        DemoProxy took = p1.invites.sum() == 1 ? p1 : p2;
        assertEquals(1, took.invites.sum() + (took == p1 ? p2 : p1).invites.sum());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (took.acks.sum() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, took.acks.sum(), took.summary());
        assertEquals(1, took.byes.sum(), took.summary());
    }

    @Test
    void aPortInUseFailsWithTheBindError() {
        GatewayConfig same = gateway.config();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> Gateway.start(same).close());
        // NIO says BindException, native epoll NativeIoException: both say why.
        assertTrue(String.valueOf(e.getMessage()).contains("Address already in use"), e.toString());
    }

    @Test
    void optionsToTheGatewayIsAnsweredByIt() throws Exception {
        int port = gateway.localAddress().getPort();
        send(request("OPTIONS", "ping-1", 1, "z9hG4bKping", null).replace("sip:bob@127.0.0.1 ", "sip:127.0.0.1:" + port + " "));
        SipMessage m = receive(1).get(0);
        assertEquals(200, m.statusCode());
        assertTrue(m.string(m.headerValue(m.first(org.sipbastion.parser.HeaderName.SERVER))).startsWith("SIP Bastion"));
        assertEquals(0, p1.other.sum() + p2.other.sum(), "not forwarded");
    }

    @Test
    void garbageCostsACounterNotTheListener() throws Exception {
        send("\u0000\u0001garbage that is not SIP\r\n\r\n");
        send("INVITE sip:x SIP/2.0\r\n" + "X: y\r\n".repeat(500) + "\r\n");
        send(request("OPTIONS", "after-garbage", 1, "z9hG4bKafter", null));
        assertEquals(200, receive(1).get(0).statusCode(), "still serving");
        assertEquals(2, gateway.counters().malformed.total());
    }

    @Test
    void nothingIsReceivedForAForgedResponse() throws Exception {
        String forged = "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKsbaforgedforgedforge\r\n"
            .formatted(gateway.localAddress().getPort())
            + "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKvictim;rport=%d;received=127.0.0.1\r\n"
            .formatted(client.getLocalPort(), client.getLocalPort())
            + "From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>;tag=x\r\nCall-ID: victim\r\nCSeq: 1 INVITE\r\n"
            + "Content-Length: 0\r\n\r\n";
        send(forged);
        client.setSoTimeout(300);
        try {
            receive(1);
            throw new AssertionError("a forged response reached the client");
        } catch (SocketTimeoutException expected) {
            assertEquals(1, gateway.counters().dropped.count(org.sipbastion.tier1.event.Detector.FAKE_RESPONSE));
        }
    }

    /** An INVITE with a large SDP (video, many codecs): far beyond a 2 KB receive buffer. */
    @Test
    void aLargeInviteIsReceivedWhole() throws Exception {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\n");
        while (sdp.length() < 6000) {
            sdp.append("a=fmtp:0 some-codec-parameter-line-to-make-the-body-long=1\r\n");
        }
        String invite = request("INVITE", "big-invite", 1, "z9hG4bKbig", null)
            .replace("Content-Length: 0", "Content-Type: application/sdp\r\nContent-Length: " + sdp.length()) + sdp;
        assertTrue(invite.length() > 6000);
        send(invite);
        List<SipMessage> answers = receive(3);
        assertEquals(200, answers.get(2).statusCode(), gateway.counters().summary());
        assertEquals(0, gateway.counters().malformed.total(), gateway.counters().summary());
    }
}
