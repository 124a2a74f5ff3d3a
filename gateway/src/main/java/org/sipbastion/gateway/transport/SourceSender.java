package org.sipbastion.gateway.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** Sends a datagram with a given source address (transparent forwarding); takes ownership of {@code content}. */
@FunctionalInterface
public interface SourceSender {
    void send(ByteBuf content, InetSocketAddress source, InetSocketAddress target);
}
