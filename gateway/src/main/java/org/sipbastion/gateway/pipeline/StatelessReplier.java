package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.ResponseWriter;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * Answers a request from the gateway itself, statelessly (RFC 3261 section 8.2.7): to the source
 * address, at the rport if asked for, else the Via port. The To tag is derived from the Call-ID so
 * a retransmission gets the same answer. ACKs are never answered.
 */
public final class StatelessReplier {
    static final String SERVER = "SIP Bastion";
    private final GatewayCounters counters;
    private final byte[] tag = new byte[10];

    public StatelessReplier(GatewayCounters counters) {
        this.counters = counters;
    }

    /** Starts a reply; add headers to the returned buffer, then {@link #send}. Null for an ACK. */
    public ByteBuf begin(ChannelHandlerContext ctx, InboundSip in, int status, String reason) {
        SipMessage m = in.message;
        if (m.method() == Method.ACK) {
            return null;
        }
        long h = m.hash(m.callId()) ^ m.hash(m.fromTag());
        tag[0] = 'b';
        tag[1] = 'x';
        ResponseWriter.hexTag(h, tag, 2, 8);
        ByteBuf out = ctx.alloc().directBuffer(512);
        ResponseWriter.begin(m, status, reason, tag, out);
        ResponseWriter.header(out, "Server", SERVER);
        return out;
    }

    public void send(ChannelHandlerContext ctx, InboundSip in, ByteBuf out) {
        ResponseWriter.end(out, null);
        ctx.write(new DatagramPacket(out, replyTarget(in)));
        counters.localReplies.increment();
    }

    static InetSocketAddress replyTarget(InboundSip in) {
        Via v = in.message.via(0);
        if (v == null || v.rport() >= 0) {
            return in.sender;
        }
        int port = v.port() > 0 ? v.port() : 5060;
        return port == in.sender.getPort() ? in.sender : new InetSocketAddress(in.sender.getAddress(), port);
    }
}
