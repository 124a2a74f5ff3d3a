package org.sipbastion.tier2.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Finds a domain's SIP proxies in DNS, as RFC 3263 section 4.2 has a client find a server: the SRV
 * records of the service ({@code _sip._udp.DOMAIN} and the like; priority and weight per RFC 2782),
 * each target's A and AAAA records, and, when the domain has no SRV record at all, the domain's own
 * A and AAAA records on port 5060.
 *
 * <p>Queries go straight to the resolver, one question each, with no cache, no hosts file and no
 * search list: what the gateway acts on is what DNS said at that moment, and the smallest TTL of
 * the answers says when to ask again. Blocking: run it off the event loop.
 */
public final class SrvResolver {
    /** The services a SIP proxy is published under (RFC 3263). */
    public static final Set<String> SERVICES = Set.of("_sip._udp", "_sip._tcp", "_sips._tcp");
    /** The port of a target found without SRV (RFC 3261 section 19.1.2). */
    public static final int DEFAULT_PORT = 5060;

    private final Resolver resolver;
    private final String server;

    /**
     * @param server  the DNS server to ask, or null for the system's (resolv.conf)
     * @param timeout how long a query may take, retries included
     */
    public SrvResolver(InetSocketAddress server, Duration timeout) {
        Resolver r;
        if (server == null) {
            r = new ExtendedResolver();
            this.server = "the system's resolver";
        } else {
            r = new SimpleResolver(server);
            this.server = server.getHostString() + ":" + server.getPort();
        }
        r.setTimeout(timeout);
        this.resolver = r;
    }

    /**
     * The targets of {@code service} (one of {@link #SERVICES}) in {@code domain}, ordered by
     * priority then weight (heaviest first). Targets whose addresses cannot be found are left out
     * and named in {@link Discovery#problems()}.
     *
     * @throws DiscoveryException when DNS does not answer, or answers that there is nothing
     */
    public Discovery resolve(String domain, String service) throws DiscoveryException {
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("service must be one of " + SERVICES + ", not " + service);
        }
        Name base = name(domain);
        Name srvName = name(service + "." + base);
        Answer srv = ask(srvName, Type.SRV);
        List<SrvTarget> targets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long ttl = srv.ttl;
        if (srv.records.isEmpty()) {
            // No SRV record: the domain itself is the server (RFC 3263 section 4.2).
            Answer a = addresses(base);
            if (a.records.isEmpty()) {
                throw new DiscoveryException("no SRV record for " + srvName + " and no A or AAAA record for " + base
                    + " at " + server + " (" + srv.status + ")");
            }
            targets.add(new SrvTarget(host(base), DEFAULT_PORT, 0, 1, inetAddresses(a)));
            return new Discovery(targets, Math.min(ttl, a.ttl), false, problems);
        }
        for (Record r : srv.records) {
            SRVRecord s = (SRVRecord) r;
            if (s.getTarget().equals(Name.root)) {
                problems.add(srvName + " has the target \".\": the service is declared not available there");
                continue;
            }
            Answer a;
            try {
                a = addresses(s.getTarget());
            } catch (DiscoveryException e) {
                problems.add(host(s.getTarget()) + ": " + e.getMessage());
                continue;
            }
            if (a.records.isEmpty()) {
                problems.add(host(s.getTarget()) + " has no A or AAAA record");
                continue;
            }
            ttl = Math.min(ttl, a.ttl);
            targets.add(new SrvTarget(host(s.getTarget()), s.getPort(), s.getPriority(), s.getWeight(),
                inetAddresses(a)));
        }
        if (targets.isEmpty()) {
            throw new DiscoveryException("the SRV records of " + srvName + " name no usable target: "
                + String.join("; ", problems));
        }
        targets.sort(Comparator.comparingInt(SrvTarget::priority).thenComparing(Comparator.comparingInt(SrvTarget::weight).reversed()));
        return new Discovery(targets, ttl, true, problems);
    }

    /** A and AAAA of {@code host}; one family failing is not fatal when the other answers. */
    private Answer addresses(Name host) throws DiscoveryException {
        Answer v4 = null;
        Answer v6 = null;
        DiscoveryException failed = null;
        try {
            v4 = ask(host, Type.A);
        } catch (DiscoveryException e) {
            failed = e;
        }
        try {
            v6 = ask(host, Type.AAAA);
        } catch (DiscoveryException e) {
            failed = failed == null ? e : failed;
        }
        List<Record> all = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (Answer a : new Answer[] {v4, v6}) {
            if (a != null) {
                all.addAll(a.records);
                ttl = Math.min(ttl, a.ttl);
            }
        }
        if (all.isEmpty() && failed != null) {
            throw failed;
        }
        return new Answer(all, ttl, v4 != null ? v4.status : v6.status);
    }

    private static List<InetAddress> inetAddresses(Answer a) {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : a.records) {
            out.add(r instanceof ARecord ar ? ar.getAddress() : ((AAAARecord) r).getAddress());
        }
        return out;
    }

    /** One question; an empty answer (NXDOMAIN, no record of the type) is not an error, a server failure is. */
    private Answer ask(Name name, int type) throws DiscoveryException {
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        } catch (IOException e) {
            throw new DiscoveryException("no answer from " + server + " for " + name + " " + Type.string(type)
                + " (" + e.getMessage() + ")");
        }
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new DiscoveryException(server + " answered " + Rcode.string(rcode) + " for " + name + " "
                + Type.string(type));
        }
        List<Record> records = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (Record r : response.getSection(Section.ANSWER)) {
            // The answer may lead with a CNAME chain; the records asked for are the ones of that type.
            ttl = Math.min(ttl, r.getTTL());
            if (r.getType() == type) {
                records.add(r);
            }
        }
        return new Answer(records, ttl, rcode == Rcode.NXDOMAIN ? "no such domain" : "no record");
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + text + " (" + e.getMessage() + ")");
        }
    }

    private static String host(Name n) {
        String s = n.toString(true);
        return s.isEmpty() ? "." : s;
    }

    private record Answer(List<Record> records, long ttl, String status) {
    }

    /**
     * One SRV target with its addresses.
     *
     * @param host      the target's host name (no trailing dot)
     * @param port      the port it listens on
     * @param priority  lower is preferred (RFC 2782)
     * @param weight    share within the priority group (0 to 65535)
     * @param addresses its A and AAAA addresses, in the order DNS gave them
     */
    public record SrvTarget(String host, int port, int priority, int weight, List<InetAddress> addresses) {
        public SrvTarget {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * What DNS said.
     *
     * @param targets    the usable targets, by priority then weight
     * @param ttlSeconds the smallest TTL of the answers: how long this stays true
     * @param fromSrv    false when the domain has no SRV record and its own addresses were taken
     * @param problems   targets left out, and why
     */
    public record Discovery(List<SrvTarget> targets, long ttlSeconds, boolean fromSrv, List<String> problems) {
        public Discovery {
            targets = List.copyOf(targets);
            problems = List.copyOf(problems);
        }

        /**
         * The proxies to balance over: each target at the first of its addresses that
         * {@code usable} accepts (the family the gateway's socket can send to), named by that
         * address. A weight of 0 becomes 1: RFC 2782 asks for 0 when there is no choice to make, so
         * such targets share equally. A target listed twice at one address and port is taken once,
         * at its best priority. Targets with no usable address are added to {@code left}.
         */
        public List<DiscoveredProxy> proxies(java.util.function.Predicate<InetAddress> usable, List<String> left) {
            List<DiscoveredProxy> out = new ArrayList<>();
            java.util.Set<InetSocketAddress> seen = new java.util.HashSet<>();
            for (SrvTarget t : targets) {
                InetAddress chosen = null;
                for (InetAddress a : t.addresses()) {
                    if (usable.test(a)) {
                        chosen = a;
                        break;
                    }
                }
                if (chosen == null) {
                    left.add(t.host() + ":" + t.port() + " has no address the gateway can send to " + t.addresses());
                    continue;
                }
                InetSocketAddress address = new InetSocketAddress(chosen, t.port());
                if (seen.add(address)) {
                    out.add(new DiscoveredProxy(address, t.host(), t.priority(), Math.max(1, t.weight())));
                }
            }
            return out;
        }
    }

    /** A proxy found in DNS: where to send, the SRV target it came from, its priority and weight (at least 1). */
    public record DiscoveredProxy(InetSocketAddress address, String host, int priority, int weight) {
    }

    /** DNS did not answer, failed, or holds no usable target. */
    public static final class DiscoveryException extends Exception {
        public DiscoveryException(String message) {
            super(message);
        }
    }
}
