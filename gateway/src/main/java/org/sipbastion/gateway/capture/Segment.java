package org.sipbastion.gateway.capture;

import java.net.InetSocketAddress;

/**
 * The transport payload of one captured packet.
 *
 * @param timeNanos   capture time, nanoseconds since the epoch
 * @param source      sender
 * @param destination receiver
 * @param tcp         TCP (a piece of a stream) or UDP (one datagram, one message)
 * @param sequence    TCP sequence number of the first payload byte (0 for UDP)
 * @param data        the frame's bytes; the payload is {@code data[offset, offset + length)}
 */
public record Segment(long timeNanos, InetSocketAddress source, InetSocketAddress destination, boolean tcp, long sequence,
                      byte[] data, int offset, int length) {
}
