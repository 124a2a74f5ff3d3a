package org.sipbastion.tier1.rules;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;

/**
 * A {@code [rule NAME]} of the rule file: conditions on a request (all must hold) and an action.
 * Scanner fingerprints, deny and allow lists are such rules. Matching copies at most a User-Agent
 * or a user into a scratch buffer owned by the caller's thread; nothing is allocated.
 */
public final class MatchRule {
    public enum Action { DROP, ALARM, ALLOW }

    public enum Direction { INBOUND, OUTBOUND, ANY }

    private static final int SCRATCH = 512;

    private final String name;
    private final List<Cidr> sources;
    private final Set<String> methods;
    private final byte[][] userAgents;
    private final byte[][] users;
    private final boolean[] userPrefix;
    private final Direction direction;
    private final Action action;

    MatchRule(String name, List<Cidr> sources, Set<String> methods, List<String> userAgents, List<String> users,
              Direction direction, Action action) {
        this.name = name;
        this.sources = sources == null ? null : List.copyOf(sources);
        this.methods = methods == null ? null : Set.copyOf(methods);
        this.userAgents = userAgents == null ? null : userAgents.stream()
            .map(s -> s.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        if (users == null) {
            this.users = null;
            this.userPrefix = null;
        } else {
            this.users = new byte[users.size()][];
            this.userPrefix = new boolean[users.size()];
            for (int i = 0; i < users.size(); i++) {
                String u = users.get(i);
                userPrefix[i] = u.endsWith("*");
                this.users[i] = (userPrefix[i] ? u.substring(0, u.length() - 1) : u).getBytes(StandardCharsets.UTF_8);
            }
        }
        this.direction = direction;
        this.action = action;
    }

    public String name() {
        return name;
    }

    public Action action() {
        return action;
    }

    /** Scratch space for {@link #matches}: one per thread. */
    public static final class Scratch {
        final byte[] bytes = new byte[SCRATCH];
        final UriParts uri = new UriParts();
    }

    /** True when every condition of the rule holds for request {@code m} from {@code source}. */
    public boolean matches(SipMessage m, InetAddress source, boolean outbound, Scratch scratch) {
        if (direction == Direction.INBOUND && outbound || direction == Direction.OUTBOUND && !outbound) {
            return false;
        }
        if (sources != null && !anySource(source)) {
            return false;
        }
        if (methods != null && !methods.contains(methodName(m))) {
            return false;
        }
        if (userAgents != null && !userAgentContains(m, scratch)) {
            return false;
        }
        return users == null || userMatches(m, scratch);
    }

    private boolean anySource(InetAddress a) {
        for (Cidr c : sources) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static String methodName(SipMessage m) {
        // Known methods are enum constants named as on the wire; an extension is rare enough to decode.
        return m.method() != org.sipbastion.parser.Method.EXTENSION ? m.method().name() : m.string(m.methodRange());
    }

    private boolean userAgentContains(SipMessage m, Scratch s) {
        long ua = m.userAgent();
        if (!Range.present(ua)) {
            return false;
        }
        int n = m.copy(ua, s.bytes, 0);
        for (int i = 0; i < n; i++) {
            byte b = s.bytes[i];
            if (b >= 'A' && b <= 'Z') {
                s.bytes[i] = (byte) (b | 0x20);
            }
        }
        for (byte[] needle : userAgents) {
            if (indexOf(s.bytes, n, needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private boolean userMatches(SipMessage m, Scratch s) {
        if (!m.sipUri(m.fromUri(), s.uri) || !Range.present(s.uri.user())) {
            return false;
        }
        int n = m.copy(s.uri.user(), s.bytes, 0);
        for (int i = 0; i < users.length; i++) {
            byte[] u = users[i];
            if (userPrefix[i] ? n >= u.length && regionEquals(s.bytes, u, u.length) : n == u.length && regionEquals(s.bytes, u, n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(byte[] a, byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] hay, int n, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= n; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
