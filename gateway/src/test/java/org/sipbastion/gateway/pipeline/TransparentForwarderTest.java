package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.CONFIG;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.request;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * Transparent forwarding's edits on the pipeline: no Via of ours, no stamp in the sender's, our
 * Record-Route kept, and the datagram handed on with the client's address as its source (on a real
 * socket, {@code TransparentForwardingTest} in network namespaces sends it so).
 */
class TransparentForwarderTest {
    private static final GatewayConfig TRANSPARENT = CONFIG.withBalancing(CONFIG.balancing().withAlgorithm(Algorithm.ROUND_ROBIN))
        .withForwarding(new GatewayConfig.Forwarding(false, true));

    @Test
    void noViaOfOursAndTheClientsOwnSourceAddress() {
        GatewayCounters counters = new GatewayCounters();
        EmbeddedChannel ch = new EmbeddedChannel();
        Gateway.pipeline(ch.pipeline(), TRANSPARENT, counters, GATEWAY, a -> { });
        ch.writeInbound(datagram(request("INVITE", "transparent@x", "INVITE"), CLIENT));
        DatagramPacket out = ch.readOutbound();
        try {
            assertEquals(CLIENT, out.sender(), "sent with the client's address");
            SipMessage m = new Sip.Sent(out.content().toString(StandardCharsets.UTF_8), out.recipient()).parsed();
            assertEquals(1, m.viaCount(), "the client's Via only");
            assertEquals("z9hG4bKclient1", m.string(m.via(0).branch()));
            assertTrue(m.via(0).rport() == 0 && !org.sipbastion.parser.Range.present(m.via(0).received()),
                "not stamped: the proxy sees the real source and stamps it itself");
            assertTrue(m.string(m.firstRecordRoute()).contains(";bt="), "in-dialog requests still cross the edge");
            assertEquals(69, m.maxForwards());
        } finally {
            out.release();
        }
        assertNull(ch.readOutbound());
    }

    @Test
    void algorithmsThatLearnFromResponsesAndTopologyHidingAreRefused() {
        IllegalArgumentException lstt = assertThrows(IllegalArgumentException.class,
            () -> CONFIG.withForwarding(new GatewayConfig.Forwarding(false, true)));
        assertTrue(lstt.getMessage().contains("lstt learns from them"), lstt.getMessage());
        IllegalArgumentException hiding = assertThrows(IllegalArgumentException.class,
            () -> new GatewayConfig.Forwarding(true, true));
        assertTrue(hiding.getMessage().contains("topology hiding needs the responses"), hiding.getMessage());
    }
}
