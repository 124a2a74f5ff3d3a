package org.sipbastion.gateway.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;

/** Native epoll where the platform has it (Linux appliances), NIO elsewhere; one place decides. */
public final class EventLoops {
    private EventLoops() {
    }

    public static boolean nativeEpoll() {
        return Epoll.isAvailable();
    }

    public static EventLoopGroup group(int threads) {
        IoHandlerFactory factory = nativeEpoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    /**
     * Receive buffers for whole datagrams: Netty's default for datagram channels is 2,048 bytes, and
     * a longer datagram (an INVITE with a video SDP) is cut short by the kernel, then judged malformed.
     * 65,535 is the most UDP carries; the decoder copies a datagram into a buffer of its own size.
     */
    public static io.netty.channel.RecvByteBufAllocator wholeDatagrams() {
        return new io.netty.channel.FixedRecvByteBufAllocator(65_535);
    }

    public static Class<? extends DatagramChannel> datagramChannel() {
        return nativeEpoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** TCP listeners (the control plane's TLS). */
    public static Class<? extends io.netty.channel.socket.ServerSocketChannel> serverChannel() {
        return nativeEpoll() ? io.netty.channel.epoll.EpollServerSocketChannel.class
            : io.netty.channel.socket.nio.NioServerSocketChannel.class;
    }

    /** TCP connections we open (the gateway's subscriptions to agents). */
    public static Class<? extends io.netty.channel.socket.SocketChannel> socketChannel() {
        return nativeEpoll() ? io.netty.channel.epoll.EpollSocketChannel.class
            : io.netty.channel.socket.nio.NioSocketChannel.class;
    }

    public static String describe() {
        return nativeEpoll() ? "epoll" : "nio (" + Epoll.unavailabilityCause() + ")";
    }
}
