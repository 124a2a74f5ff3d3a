package org.sipbastion.gateway.capture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Link, IP and transport headers of a captured frame, down to the UDP or TCP payload. Handles the
 * link types captures of SIP come in (Ethernet with VLAN tags or PPPoE, Linux cooked v1 and v2, raw
 * IP, BSD loopback), IPv4 and IPv6 (extension headers skipped). Anything else is reported, not
 * guessed.
 */
public final class PacketDecoder {
    /** Why a frame gave no segment; {@code null} when it did. */
    public enum Skip { LINK_TYPE, NOT_IP, FRAGMENT, NOT_UDP_OR_TCP, TRUNCATED, EMPTY, NOT_SIP, KEEP_ALIVE }

    public static final int DLT_NULL = 0;
    public static final int DLT_EN10MB = 1;
    public static final int DLT_RAW = 101;
    public static final int DLT_RAW_ALT = 12;
    public static final int DLT_LOOP = 108;
    public static final int DLT_LINUX_SLL = 113;
    public static final int DLT_IPV4 = 228;
    public static final int DLT_IPV6 = 229;
    public static final int DLT_LINUX_SLL2 = 276;

    private Skip skip;

    /** Why the last {@link #decode} returned null. */
    public Skip skip() {
        return skip;
    }

    /** The segment in {@code frame}, or null (see {@link #skip()}). */
    public Segment decode(int linkType, byte[] frame, long timeNanos) {
        int ip;
        switch (linkType) {
            case DLT_EN10MB -> {
                int p = 12;
                int type = u16(frame, p);
                while (type == 0x8100 || type == 0x88A8) { // 802.1Q / 802.1ad tags
                    p += 4;
                    type = u16(frame, p);
                }
                if (type == 0x8864) { // PPPoE session: 6-byte header, then the PPP protocol
                    int ppp = u16(frame, p + 8);
                    type = ppp == 0x0021 ? 0x0800 : ppp == 0x0057 ? 0x86DD : ppp;
                    p += 8;
                }
                if (type != 0x0800 && type != 0x86DD) {
                    return skip(type < 0 ? Skip.TRUNCATED : Skip.NOT_IP);
                }
                ip = p + 2;
            }
            case DLT_LINUX_SLL -> ip = 16;
            case DLT_LINUX_SLL2 -> ip = 20;
            case DLT_RAW, DLT_RAW_ALT, DLT_IPV4, DLT_IPV6 -> ip = 0;
            case DLT_NULL, DLT_LOOP -> ip = 4;
            default -> {
                return skip(Skip.LINK_TYPE);
            }
        }
        if (ip >= frame.length) {
            return skip(Skip.TRUNCATED);
        }
        int version = (frame[ip] & 0xFF) >>> 4;
        return version == 4 ? ipv4(frame, ip, timeNanos) : version == 6 ? ipv6(frame, ip, timeNanos) : skip(Skip.NOT_IP);
    }

    private Segment ipv4(byte[] f, int p, long t) {
        if (p + 20 > f.length) {
            return skip(Skip.TRUNCATED);
        }
        int headerLength = (f[p] & 0x0F) * 4;
        int total = u16(f, p + 2);
        int flagsOffset = u16(f, p + 6);
        if ((flagsOffset & 0x1FFF) != 0 || (flagsOffset & 0x2000) != 0) {
            return skip(Skip.FRAGMENT);
        }
        int protocol = f[p + 9] & 0xFF;
        int end = Math.min(f.length, p + total);
        return transport(protocol, f, p + headerLength, end, address(f, p + 12, 4), address(f, p + 16, 4), t);
    }

    private Segment ipv6(byte[] f, int p, long t) {
        if (p + 40 > f.length) {
            return skip(Skip.TRUNCATED);
        }
        int payload = u16(f, p + 4);
        int next = f[p + 6] & 0xFF;
        int end = Math.min(f.length, p + 40 + payload);
        int q = p + 40;
        while (next == 0 || next == 43 || next == 60 || next == 44) {
            if (next == 44) {
                return skip(Skip.FRAGMENT);
            }
            if (q + 2 > end) {
                return skip(Skip.TRUNCATED);
            }
            int len = ((f[q + 1] & 0xFF) + 1) * 8;
            next = f[q] & 0xFF;
            q += len;
        }
        return transport(next, f, q, end, address(f, p + 8, 16), address(f, p + 24, 16), t);
    }

    private Segment transport(int protocol, byte[] f, int p, int end, InetAddress src, InetAddress dst, long t) {
        if (src == null || dst == null) {
            return skip(Skip.TRUNCATED);
        }
        if (protocol == 17) {
            if (p + 8 > end) {
                return skip(Skip.TRUNCATED);
            }
            int length = Math.min(end, p + u16(f, p + 4)) - (p + 8);
            return length <= 0 ? skip(Skip.EMPTY) : segment(t, src, u16(f, p), dst, u16(f, p + 2), false, 0, f, p + 8, length);
        }
        if (protocol == 6) {
            if (p + 20 > end) {
                return skip(Skip.TRUNCATED);
            }
            int dataOffset = ((f[p + 12] & 0xFF) >>> 4) * 4;
            long seq = ((long) u16(f, p + 4) << 16) | u16(f, p + 6);
            int length = end - (p + dataOffset);
            return length <= 0 ? skip(Skip.EMPTY)
                : segment(t, src, u16(f, p), dst, u16(f, p + 2), true, seq, f, p + dataOffset, length);
        }
        return skip(Skip.NOT_UDP_OR_TCP);
    }

    private Segment segment(long t, InetAddress src, int sport, InetAddress dst, int dport, boolean tcp, long seq, byte[] f,
                            int off, int len) {
        skip = null;
        return new Segment(t, new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport), tcp, seq, f, off, len);
    }

    private Segment skip(Skip why) {
        skip = why;
        return null;
    }

    private static InetAddress address(byte[] f, int p, int n) {
        if (p + n > f.length) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(f, p, p + n));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static int u16(byte[] f, int p) {
        return p + 2 > f.length ? -1 : ((f[p] & 0xFF) << 8) | (f[p + 1] & 0xFF);
    }
}
