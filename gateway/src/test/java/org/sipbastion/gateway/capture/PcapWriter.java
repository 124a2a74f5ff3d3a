package org.sipbastion.gateway.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes classic pcap files (Ethernet, IPv4 or IPv6, UDP or TCP) for tests: traffic whose timing
 * and content a test controls exactly, read back through libpcap like any capture.
 */
final class PcapWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PcapWriter() {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b23c4d); // nanosecond timestamps
        h.putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(PacketDecoder.DLT_EN10MB);
        out.writeBytes(h.array());
    }

    PcapWriter udp(long timeNanos, InetSocketAddress src, InetSocketAddress dst, String payload) {
        return frame(timeNanos, src, dst, 17, 0, payload.getBytes(StandardCharsets.UTF_8));
    }

    PcapWriter tcp(long timeNanos, InetSocketAddress src, InetSocketAddress dst, long seq, String payload) {
        return frame(timeNanos, src, dst, 6, seq, payload.getBytes(StandardCharsets.UTF_8));
    }

    private PcapWriter frame(long t, InetSocketAddress src, InetSocketAddress dst, int protocol, long seq, byte[] payload) {
        byte[] f = Frames.frame(src, dst, protocol, seq, payload, 0, payload.length);
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (t / 1_000_000_000L)).putInt((int) (t % 1_000_000_000L)).putInt(f.length).putInt(f.length);
        out.writeBytes(r.array());
        out.writeBytes(f);
        return this;
    }

    Path write(Path file) throws IOException {
        return Files.write(file, out.toByteArray());
    }
}
