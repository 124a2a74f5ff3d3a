package org.sipbastion.tier1.event;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses as operators write them: IPv6 in the RFC 5952 form ({@code 2001:db8::66}, lower case,
 * the longest run of zero groups as {@code ::}), not the JDK's {@code 2001:db8:0:0:0:0:0:66}.
 */
public final class AddressText {
    private AddressText() {
    }

    public static String of(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not shortened (RFC 5952 section 4.2.2)
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            s.append(Integer.toHexString(g[i]));
            if (i < 7) {
                s.append(':');
            }
        }
        return s.toString();
    }
}
