package org.sipbastion.tier1.rules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block, {@code 192.0.2.0/24} or {@code 2001:db8::/32} (a bare address is a /32 or
 * /128). Matching an IPv4 address copies nothing.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final int v4Network;
    private final int v4Mask;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
        if (network.length == 4) {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            this.v4Mask = mask;
            this.v4Network = ((network[0] & 0xFF) << 24 | (network[1] & 0xFF) << 16 | (network[2] & 0xFF) << 8
                | (network[3] & 0xFF)) & mask;
        } else {
            this.v4Mask = 0;
            this.v4Network = 0;
        }
    }

    /**
     * Parses an address literal with an optional prefix length; host names are refused (a rule
     * must not depend on DNS). Throws IllegalArgumentException with a message fit for an operator.
     */
    public static Cidr parse(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (addr.isEmpty() || !(addr.indexOf(':') >= 0 || addr.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9'))) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR block");
        }
        byte[] bytes = addr.indexOf(':') >= 0 ? v6(addr) : v4(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR block");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + s + "': prefix length must be a number");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("'" + s + "': prefix length above " + max);
            }
        }
        byte[] net = Arrays.copyOf(bytes, bytes.length);
        for (int bit = prefix; bit < max; bit++) {
            net[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new Cidr(net, prefix, t);
    }

    /** Four decimal octets, parsed here: a malformed one must never reach a DNS lookup. */
    private static byte[] v4(String a) {
        String[] parts = a.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** An IPv6 literal: with a ':' in it, the JDK parses it locally and never looks it up. */
    private static byte[] v6(String a) {
        try {
            byte[] b = InetAddress.getByName(a).getAddress();
            return b.length == 16 ? b : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(InetAddress a) {
        if (a instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address: no copy on the hot path.
            return network.length == 4 && (a.hashCode() & v4Mask) == v4Network;
        }
        if (network.length != 16) {
            return false;
        }
        byte[] b = a.getAddress();
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (b[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || ((b[full] ^ network[full]) & (0xFF00 >>> rest)) == 0;
    }

    /** True for an IPv4 block. */
    boolean v4() {
        return network.length == 4;
    }

    /** The first and last address of an IPv4 block, as unsigned 32-bit values. */
    long firstV4() {
        return v4Network & 0xFFFFFFFFL;
    }

    long lastV4() {
        return (v4Network | ~v4Mask) & 0xFFFFFFFFL;
    }

    /** The first (bits 0) or last (bits 1) address of an IPv6 block: word 0 is the high 64 bits. */
    long v6Word(int word, boolean last) {
        long w = 0;
        for (int i = word * 8; i < word * 8 + 8; i++) {
            w = w << 8 | (network[i] & 0xFF);
        }
        int hostBits = Math.max(0, Math.min(64, (word + 1) * 64 - prefix));
        long hostMask = hostBits == 64 ? -1L : (1L << hostBits) - 1;
        return last ? w | hostMask : w & ~hostMask;
    }

    @Override
    public String toString() {
        return text;
    }
}
