package org.sipbastion.gateway.demo;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import org.sipbastion.gateway.forward.Destinations;
import org.sipbastion.gateway.transport.EventLoops;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.ResponseWriter;
import org.sipbastion.parser.SipMessage;

/**
 * A tiny user agent server standing in for a proxy farm in {@code bastion demo} and in tests: it
 * answers REGISTER, INVITE (100, 180, 200 with SDP), BYE, OPTIONS and friends at once, statelessly,
 * and counts what it saw so the demo can show how calls were split.
 */
public final class DemoProxy implements AutoCloseable {
    private static final byte[] SDP = ("v=0\r\no=bastion 1 1 IN IP4 127.0.0.1\r\ns=demo\r\nc=IN IP4 127.0.0.1\r\n"
        + "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n").getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final Channel channel;
    public final LongAdder invites = new LongAdder();
    public final LongAdder acks = new LongAdder();
    public final LongAdder byes = new LongAdder();
    public final LongAdder other = new LongAdder();

    private DemoProxy(String name, EventLoopGroup group, InetSocketAddress listen) throws InterruptedException {
        this.name = name;
        this.channel = new Bootstrap().group(group).channel(EventLoops.datagramChannel())
            .option(io.netty.channel.ChannelOption.RCVBUF_ALLOCATOR, EventLoops.wholeDatagrams()).handler(new Uas())
            .bind(listen).sync().channel();
    }

    /** Starts a demo proxy on {@code listen} using an event loop of {@code group}. */
    public static DemoProxy start(String name, EventLoopGroup group, InetSocketAddress listen) throws InterruptedException {
        return new DemoProxy(name, group, listen);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public String summary() {
        return name + " " + address().getAddress().getHostAddress() + ":" + address().getPort() + " invites=" + invites.sum()
            + " acks=" + acks.sum() + " byes=" + byes.sum() + " other=" + other.sum();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    private final class Uas extends SimpleChannelInboundHandler<DatagramPacket> {
        private final SipMessage m = new SipMessage();
        private final byte[] tag = new byte[12];

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (m.parse(packet.content()) != Reason.OK || !m.isRequest() || m.via(0) == null) {
                return;
            }
            InetSocketAddress to = Destinations.ofVia(m, m.via(0));
            if (to == null) {
                to = packet.sender();
            }
            Method method = m.method();
            switch (method) {
                case INVITE -> {
                    invites.increment();
                    send(ctx, to, 100, "Trying", null, false, null);
                    send(ctx, to, 180, "Ringing", tag(), true, null);
                    send(ctx, to, 200, "OK", tag(), true, SDP);
                }
                case ACK -> acks.increment();
                case BYE -> {
                    byes.increment();
                    send(ctx, to, 200, "OK", tag(), false, null);
                }
                case REGISTER, OPTIONS, CANCEL, INFO, UPDATE, MESSAGE, PRACK, NOTIFY, SUBSCRIBE -> {
                    other.increment();
                    send(ctx, to, 200, "OK", tag(), method == Method.SUBSCRIBE, null);
                }
                default -> {
                    other.increment();
                    send(ctx, to, 501, "Not Implemented", tag(), false, null);
                }
            }
            ctx.flush();
        }

        /** A To tag derived from the Call-ID: retransmissions and later responses agree on it. */
        private byte[] tag() {
            ResponseWriter.hexTag(m.hash(m.callId()), tag, 0, tag.length);
            return tag;
        }

        private void send(ChannelHandlerContext ctx, InetSocketAddress to, int status, String reason, byte[] toTag,
            boolean dialog, byte[] body) {
            ByteBuf out = ctx.alloc().directBuffer(1024);
            ResponseWriter.begin(m, status, reason, toTag, dialog, out);
            if (dialog || m.method() == Method.INVITE && status == 200) {
                ResponseWriter.header(out, "Contact", "<sip:" + name + "@" + address().getAddress().getHostAddress() + ":"
                    + address().getPort() + ">");
            }
            if (m.method() == Method.REGISTER) {
                ResponseWriter.header(out, "Expires", "3600");
            }
            if (body != null) {
                ResponseWriter.header(out, "Content-Type", "application/sdp");
            }
            ResponseWriter.header(out, "Server", "SIP Bastion demo proxy " + name);
            ResponseWriter.end(out, body);
            ctx.write(new DatagramPacket(out, to));
        }
    }
}
