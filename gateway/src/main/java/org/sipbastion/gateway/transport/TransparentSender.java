package org.sipbastion.gateway.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends datagrams with another host's address as their source: the seed's transparent "SEND",
 * where a proxy sees the client's own address and port and answers it directly.
 *
 * <p>Linux only: a socket with IP_TRANSPARENT may bind to an address that is not local, and what it
 * sends leaves with that source. One socket per source address and port, bound on first use on the
 * gateway's event loop and kept while used; the least recently used is closed beyond
 * {@code maxSources}, so a spray of sources costs a bounded number of sockets. The answers are not
 * received here: they are addressed to the client, and the kernel forwards them (the gateway must be
 * the proxies' route to the clients). Needs CAP_NET_ADMIN; without it {@link #check} fails at start.
 *
 * <p>Not thread-safe: one per event loop, used on it.
 */
public final class TransparentSender implements SourceSender, AutoCloseable {
    private final EventLoop loop;
    private final int maxSources;
    private final LongAdder failures;
    private final Map<InetSocketAddress, ChannelFuture> bySource;

    /**
     * @param loop       the event loop of the pipeline that sends (sockets are registered on it)
     * @param maxSources sockets kept at most
     * @param failures   counts datagrams that could not be sent (bind refused, send error)
     */
    public TransparentSender(EventLoop loop, int maxSources, LongAdder failures) {
        this.loop = loop;
        this.maxSources = maxSources;
        this.failures = failures;
        this.bySource = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, ChannelFuture> eldest) {
                if (size() > TransparentSender.this.maxSources) {
                    eldest.getValue().channel().close();
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Fails with a clear message when this host cannot send with a foreign source: no native epoll,
     * or no CAP_NET_ADMIN (binding a transparent socket is refused). Binds one socket to TEST-NET-1
     * and closes it.
     */
    public static void check(EventLoop loop) {
        if (!EventLoops.nativeEpoll()) {
            throw new IllegalStateException("transparent forwarding needs Linux native epoll (" + EventLoops.describe() + ")");
        }
        ChannelFuture f = bootstrap(loop).bind(new InetSocketAddress("192.0.2.1", 0)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("transparent forwarding: cannot bind a socket to a foreign address with"
                + " IP_TRANSPARENT (" + f.cause().getMessage() + "); it needs CAP_NET_ADMIN", f.cause());
        }
        f.channel().close().awaitUninterruptibly();
    }

    /** Sends {@code content} (released here) to {@code target} with {@code source} as its source. */
    @Override
    public void send(ByteBuf content, InetSocketAddress source, InetSocketAddress target) {
        ChannelFuture bound = bySource.get(source);
        if (bound == null || bound.isDone() && !bound.isSuccess()) {
            bound = bootstrap(loop).bind(source);
            bySource.put(source, bound);
        }
        if (bound.isDone()) {
            write(bound, content, target);
        } else {
            ChannelFuture f = bound;
            f.addListener(done -> write(f, content, target));
        }
    }

    private void write(ChannelFuture bound, ByteBuf content, InetSocketAddress target) {
        if (!bound.isSuccess()) {
            failures.increment();
            content.release();
            return;
        }
        bound.channel().writeAndFlush(new DatagramPacket(content, target)).addListener(w -> {
            if (!w.isSuccess()) {
                failures.increment();
            }
        });
    }

    /** Sockets open now. */
    public int sources() {
        return bySource.size();
    }

    @Override
    public void close() {
        bySource.values().forEach(f -> f.channel().close());
        bySource.clear();
    }

    private static Bootstrap bootstrap(EventLoop loop) {
        return new Bootstrap().group(loop).channel(EpollDatagramChannel.class)
            .option(EpollChannelOption.IP_TRANSPARENT, true)
            .option(EpollChannelOption.IP_FREEBIND, true)
            .option(ChannelOption.SO_REUSEADDR, true)
            // Nothing is read on these sockets: answers go to the client, not to us.
            .handler(new ChannelInboundHandlerAdapter());
    }
}
