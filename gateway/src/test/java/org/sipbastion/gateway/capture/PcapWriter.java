package org.sipbastion.gateway.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
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
        boolean v4 = src.getAddress() instanceof Inet4Address;
        int l4 = protocol == 17 ? 8 : 20;
        int ipHeader = v4 ? 20 : 40;
        ByteBuffer f = ByteBuffer.allocate(14 + ipHeader + l4 + payload.length).order(ByteOrder.BIG_ENDIAN);
        f.put(new byte[12]).putShort((short) (v4 ? 0x0800 : 0x86DD));
        if (v4) {
            f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + payload.length)).putShort((short) 0)
                .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(src.getAddress().getAddress()).put(dst.getAddress().getAddress());
        } else {
            f.putInt(0x60000000).putShort((short) (l4 + payload.length)).put((byte) protocol).put((byte) 64)
                .put(src.getAddress().getAddress()).put(dst.getAddress().getAddress());
        }
        f.putShort((short) src.getPort()).putShort((short) dst.getPort());
        if (protocol == 17) {
            f.putShort((short) (8 + payload.length)).putShort((short) 0);
        } else {
            f.putInt((int) seq).putInt(0).put((byte) 0x50).put((byte) 0x18).putShort((short) 65535).putInt(0);
        }
        f.put(payload);
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (t / 1_000_000_000L)).putInt((int) (t % 1_000_000_000L)).putInt(f.capacity()).putInt(f.capacity());
        out.writeBytes(r.array());
        out.writeBytes(f.array());
        return this;
    }

    Path write(Path file) throws IOException {
        return Files.write(file, out.toByteArray());
    }
}
