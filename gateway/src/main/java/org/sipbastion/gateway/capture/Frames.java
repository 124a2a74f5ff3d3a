package org.sipbastion.gateway.capture;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ethernet frames around a UDP or TCP payload, for capture files the project writes itself (the
 * forensic capture of dropped messages, test captures). MAC addresses are zero and checksums are
 * left at 0 (legal for UDP over IPv4; Wireshark flags the others, which is harmless here).
 */
public final class Frames {
    private Frames() {
    }

    /** One frame; {@code protocol} 17 (UDP) or 6 (TCP, with {@code seq}). */
    public static byte[] frame(InetSocketAddress src, InetSocketAddress dst, int protocol, long seq, byte[] payload, int off,
                               int len) {
        boolean v4 = src.getAddress() instanceof Inet4Address;
        if (v4 != dst.getAddress() instanceof Inet4Address) {
            throw new IllegalArgumentException("source and destination of different address families");
        }
        int l4 = protocol == 17 ? 8 : 20;
        int ipHeader = v4 ? 20 : 40;
        ByteBuffer f = ByteBuffer.allocate(14 + ipHeader + l4 + len).order(ByteOrder.BIG_ENDIAN);
        f.put(new byte[12]).putShort((short) (v4 ? 0x0800 : 0x86DD));
        if (v4) {
            f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + len)).putShort((short) 0)
                .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(src.getAddress().getAddress()).put(dst.getAddress().getAddress());
        } else {
            f.putInt(0x60000000).putShort((short) (l4 + len)).put((byte) protocol).put((byte) 64)
                .put(src.getAddress().getAddress()).put(dst.getAddress().getAddress());
        }
        f.putShort((short) src.getPort()).putShort((short) dst.getPort());
        if (protocol == 17) {
            f.putShort((short) (8 + len)).putShort((short) 0);
        } else {
            f.putInt((int) seq).putInt(0).put((byte) 0x50).put((byte) 0x18).putShort((short) 65535).putInt(0);
        }
        f.put(payload, off, len);
        return f.array();
    }
}
