package org.sipbastion.gateway.forward;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipbastion.parser.SipMessage;

/**
 * The SIP domains the farm behind us serves: what a client's initial request may be addressed to.
 * Names match without regard to case; {@code *.example.com} matches every name under example.com
 * (not example.com itself). None configured: every domain passes (the check is off).
 */
public final class ServedDomains {
    private final List<byte[]> exact = new ArrayList<>();
    private final List<String> suffixes = new ArrayList<>();

    public ServedDomains(List<String> names) {
        for (String raw : names) {
            String n = raw.trim().toLowerCase(Locale.ROOT);
            if (n.startsWith("*.") && n.length() > 2 && valid(n.substring(2))) {
                suffixes.add(n.substring(1));
            } else if (valid(n)) {
                exact.add(n.getBytes(StandardCharsets.US_ASCII));
            } else {
                throw new IllegalArgumentException("not a domain name: '" + raw + "' (e.g. example.com or *.example.com)");
            }
        }
    }

    public static ServedDomains any() {
        return new ServedDomains(List.of());
    }

    /** No domain configured: every one passes. */
    public boolean all() {
        return exact.isEmpty() && suffixes.isEmpty();
    }

    /** Whether the host in range {@code host} of {@code m} is one we serve. */
    public boolean serves(SipMessage m, long host) {
        if (all()) {
            return true;
        }
        for (byte[] e : exact) {
            if (m.contentEquals(host, e, true)) {
                return true;
            }
        }
        if (!suffixes.isEmpty()) {
            String h = m.string(host);
            if (h != null) {
                h = h.toLowerCase(Locale.ROOT);
                for (String s : suffixes) {
                    if (h.endsWith(s)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean valid(String n) {
        return !n.isEmpty() && n.length() <= 253 && n.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    }
}
